// Change points, on-off floors and linked accounts end to end (issue 6 scopes 3 and 7; helper "changes"): the built
// CLI on the generated fixtures/history month (planted hand-over, intermittent relay, a farm of
// three sharing a client address and a change date, an office NAT, a relocation) and on the
// bundled sample; the clusters in the JSON (schema), table and Markdown renderers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { AccountReport, Report } from '../src/types.js';
import { renderJson, SCHEMA_ID } from '../src/report/json.js';
import { renderTable } from '../src/report/table.js';
import { renderMarkdown } from '../src/report/markdown.js';
import { buildHistory, type HistoryPlan } from '../fixtures/generate-history.js';
import { runCli, REPO_ROOT, SAMPLE, ROSTER as SAMPLE_ROSTER, EXCLUDE } from './helpers/cli.js';
import { sampleReportWithClusters } from './helpers/sample-report.js';

const DIR = join(REPO_ROOT, 'fixtures/history');
const truth = JSON.parse(readFileSync(join(DIR, 'truth.json'), 'utf8')) as HistoryPlan & { accounts: { account: string }[] };

const schema = JSON.parse(readFileSync(join(REPO_ROOT, 'schema/report.schema.json'), 'utf8')) as Record<string, unknown>;
const ajv = new Ajv2020({ allErrors: true, strict: false });
ajv.addSchema(schema);
const validateReport = ajv.getSchema(SCHEMA_ID)!;

function scanJson(args: string[]): Report {
  const r = runCli(['scan', ...args, '--format', 'json']);
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as Report;
  assert.equal(validateReport(report), true, JSON.stringify(validateReport.errors, null, 2));
  return report;
}

let history: Report | null = null;
const historyReport = (): Report => (history ??= scanJson(['fixtures/history/sessions.csv.gz', '--roster', 'fixtures/history/roster.csv']));

function account(report: Report, name: string): AccountReport {
  const a = report.accounts.find((x) => x.account === name);
  assert.ok(a, `no account ${name}`);
  return a;
}
const items = (a: AccountReport, signal: string) => a.evidence.filter((e) => e.signal === signal);
const dayNumber = (day: string): number => Date.parse(`${day}T00:00:00Z`) / 86_400_000;

test('fixtures/history matches its generator (seeded, deterministic; the CSV compared decompressed)', () => {
  const { files, csv } = buildHistory();
  assert.equal(gunzipSync(readFileSync(join(DIR, 'sessions.csv.gz'))).toString('utf8'), csv, 'sessions.csv.gz differs: run npm run fixtures:history');
  for (const name of ['roster.csv', 'truth.json', 'README.md']) {
    assert.equal(readFileSync(join(DIR, name), 'utf8'), files[name], `${name} differs: run npm run fixtures:history`);
  }
  let total = 0;
  for (const name of Object.keys(files)) total += readFileSync(join(DIR, name)).length;
  assert.ok(total < 2_000_000, `fixture is ${total} bytes`);
});

test('hand-over: the change date is found within one day, with both levels', () => {
  const a = account(historyReport(), truth.handover.account);
  const [item, ...more] = items(a, 'change_point');
  assert.ok(item, 'no change_point item');
  assert.equal(more.length, 0);
  const kind = a.kinds.find((k) => k.kind === item.kind)!;
  const changeDay = kind.daily[item.stats.changeDayIndex!]!.day;
  assert.ok(Math.abs(dayNumber(changeDay) - dayNumber(truth.handover.changeDay)) <= 1, `found ${changeDay}, planted ${truth.handover.changeDay}`);
  assert.match(item.sentence, new RegExp(`ms from ${changeDay} `));
  // Observed floors sit a few ms above the true floors (the day's p5 is above the true minimum).
  assert.ok(item.baseline > truth.handover.trueFloorBeforeMs && item.baseline < truth.handover.trueFloorBeforeMs + 8, String(item.baseline));
  assert.ok(item.observed > truth.handover.trueFloorAfterMs && item.observed < truth.handover.trueFloorAfterMs + 8, String(item.observed));
  assert.ok(item.points > 70, `points ${item.points}`);
  assert.equal(items(a, 'intermittent_floor').length, 0);
  assert.equal(a.flagged, true);
});

test('intermittent relay: reported as on-off with exactly the relayed days, not as one change', () => {
  const a = account(historyReport(), truth.intermittent.account);
  assert.equal(items(a, 'change_point').length, 0);
  const [item] = items(a, 'intermittent_floor');
  assert.ok(item, 'no intermittent_floor item');
  assert.equal(item.stats.highDays, truth.intermittent.relayedDays.length);
  assert.equal(item.stats.lowDays, truth.intermittent.activeDays.length - truth.intermittent.relayedDays.length);
  const kind = a.kinds.find((k) => k.kind === item.kind)!;
  assert.equal(kind.daily[item.stats.firstHighDayIndex!]!.day, truth.intermittent.relayedDays[0]);
  for (const day of truth.intermittent.relayedDays) assert.ok(item.sentence.includes(day), `${day} not in ${item.sentence}`);
  assert.ok(Math.abs(item.effect - truth.intermittent.extraMs) < 5, String(item.effect));
  // Counted once with the shape comparison: the item keeps only what goes beyond shift_vs_peers.
  const shift = items(a, 'shift_vs_peers').filter((e) => e.kind === item.kind).reduce((s, e) => s + e.points, 0);
  assert.ok(shift > 0);
  assert.ok(item.stats.pointsBeforeShiftOverlap! > 70, String(item.stats.pointsBeforeShiftOverlap));
  assert.ok(Math.abs(item.points - (item.stats.pointsBeforeShiftOverlap! - shift)) < 1e-9, `${item.points} = ${item.stats.pointsBeforeShiftOverlap} - ${shift}`);
  assert.match(item.sentence, /already counted by the shape comparison with peers/);
  assert.equal(a.flagged, true);
});

test('farm: the three accounts are ONE cluster with the shared address and the change date; each member carries it', () => {
  const report = historyReport();
  const members = truth.farm.members.map((m) => m.account).sort();
  const farmClusters = report.clusters.filter((c) => c.members.some((m) => members.includes(m)));
  assert.equal(farmClusters.length, 1, JSON.stringify(report.clusters));
  const c = farmClusters[0]!;
  assert.deepEqual(c.members, members);
  assert.equal(c.reason, 'both');
  assert.equal(c.address, truth.farm.address);
  assert.equal(c.changeDay, truth.farm.changeDay);
  assert.equal(c.id, 'C1');
  assert.ok(c.floorLowMs! >= Math.min(...truth.farm.members.map((m) => m.trueFloorAfterMs)) && c.floorHighMs! <= Math.max(...truth.farm.members.map((m) => m.trueFloorAfterMs)) + 10);
  assert.match(c.sentence, new RegExp(`^3 accounts, same client IP ${truth.farm.address.replace(/\./g, '\\.')}, input_lag floors [0-9.]+-[0-9.]+ ms since ${truth.farm.changeDay} `));
  for (const m of members) {
    const a = account(report, m);
    const [link] = items(a, 'linked_accounts');
    assert.ok(link, `${m}: no linked_accounts item`);
    assert.equal(link.points, 20);
    assert.equal(link.stats.clusterIndex, 1);
    const [change] = items(a, 'change_point');
    assert.equal(a.kinds.find((k) => k.kind === change!.kind)!.daily[change!.stats.changeDayIndex!]!.day, truth.farm.changeDay);
  }
});

test('office NAT: shared address without a floor change is context (0 points); relocation down is 0 points; honest accounts quiet', () => {
  const report = historyReport();
  const nat = truth.nat.members.map((m) => m.account).sort();
  const c = report.clusters.find((x) => x.address === truth.nat.address);
  assert.ok(c);
  assert.equal(c.reason, 'shared_client_address');
  assert.deepEqual(c.members, nat);
  assert.equal(c.changeDay, null);
  for (const m of nat) {
    const a = account(report, m);
    assert.equal(items(a, 'linked_accounts')[0]!.points, 0);
    assert.equal(a.flagged, false);
  }
  assert.equal(report.clusters.length, 2);
  const moved = account(report, truth.relocation.account);
  const [down] = items(moved, 'change_point');
  assert.ok(down);
  assert.ok(down.effect < -30);
  assert.equal(down.points, 0);
  assert.equal(moved.kinds[0]!.daily[down.stats.changeDayIndex!]!.day, truth.relocation.changeDay);
  // Everyone not planted: no change-point, on-off or linked item with points.
  const planted = new Set([truth.handover.account, truth.intermittent.account, ...truth.farm.members.map((m) => m.account), truth.relocation.account]);
  for (const a of report.accounts) {
    if (planted.has(a.account)) continue;
    for (const e of a.evidence) {
      if (['change_point', 'intermittent_floor', 'linked_accounts'].includes(e.signal)) assert.equal(e.points, 0, `${a.account}: ${e.sentence}`);
    }
    assert.equal(items(a, 'change_point').length + items(a, 'intermittent_floor').length, 0, `${a.account} has a change item`);
  }
});

test('bundled sample: wpatel (relayed on 8 of 19 days) is on-off on exactly those days; lucia.lee (farm all month) has no change; no clusters', () => {
  const report = scanJson([SAMPLE, '--roster', SAMPLE_ROSTER, '--exclude', EXCLUDE]);
  const sampleTruth = JSON.parse(readFileSync(join(REPO_ROOT, 'fixtures/sample/truth.json'), 'utf8')) as { planted: { account: string; relayedDays?: string[] }[] };
  const relayed = sampleTruth.planted.find((p) => p.account === 'wpatel')!.relayedDays!;
  const w = account(report, 'wpatel');
  const [item] = items(w, 'intermittent_floor');
  assert.ok(item);
  assert.equal(item.stats.highDays, relayed.length);
  for (const day of relayed) assert.ok(item.sentence.includes(day), `${day} not in ${item.sentence}`);
  assert.equal(items(w, 'change_point').length, 0);
  assert.equal(items(account(report, 'lucia.lee'), 'change_point').length + items(account(report, 'lucia.lee'), 'intermittent_floor').length, 0);
  const others = report.accounts.filter((a) => a.account !== 'wpatel' && (items(a, 'change_point').length + items(a, 'intermittent_floor').length) > 0);
  assert.deepEqual(others.map((a) => a.account), []);
  assert.deepEqual(report.clusters, []);
});

test('renderers: clusters in JSON (schema-valid, fixed key order), table and Markdown', () => {
  const r = sampleReportWithClusters();
  const json = JSON.parse(renderJson(r));
  assert.equal(validateReport(json), true, JSON.stringify(validateReport.errors, null, 2));
  assert.deepEqual(Object.keys(json.clusters[0]), ['id', 'members', 'reason', 'kind', 'address', 'changeDay', 'floorLowMs', 'floorHighMs', 'sentence']);
  assert.equal(json.clusters[1].changeDay, null);
  const table = renderTable(r, { color: false, top: null, width: 200 });
  assert.ok(table.includes('Linked accounts (2)\n  C1 both: 2 accounts, same client IP 203.0.113.7, app_rtt floors 118.2-121.5 ms since 2026-03-11 (erin.p, mallory.k)\n'), table);
  const md = renderMarkdown(r).text;
  assert.ok(md.includes('## Linked accounts (2)'));
  assert.ok(md.includes('| C2 | shared\\_client\\_address | alice\\.w, bob\\.t | 198\\.51\\.100\\.20 | - | 24.1-27.3 |'), md);
  // Without clusters, no section.
  r.clusters = [];
  assert.ok(!renderTable(r, { color: false, top: null, width: 200 }).includes('Linked accounts'));
});
