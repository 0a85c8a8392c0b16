// History profiles in a scan (issue 6, signals 5 and 6): calibration of history_shift on the bundled
// generator, no_history, typing rhythm, the baseline commands end to end, and the report shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { generatePopulation, toCsv, rosterToCsv } from '../fixtures/generator.js';
import { runScan, DEFAULT_MEMORY_BUDGET_VALUES, type ScanRequest } from '../src/pipeline.js';
import { runBaselineBuild, streamBaselineBuild } from '../src/profile-run.js';
import { profileToJson, profileFromSamples, profileStreamPieces, type ProfileRun } from '../src/baseline/profile.js';
import { figureOverPeers } from '../src/baseline/peer-figures.js';
import { BaselineIndex, rhythmItem, historyItem, HISTORY_SIGNAL, RHYTHM_POINTS_CAP } from '../src/score/history.js';
import { KindAccumulator } from '../src/analyze/distribution.js';
import type { KindSummary } from '../src/baseline/peers.js';
import type { AccountContext } from '../src/score/evidence.js';
import type { Report } from '../src/types.js';
import { renderJson } from '../src/report/json.js';
import { renderReport } from '../src/report/index.js';
import { runCli, REPO_ROOT, SAMPLE } from './helpers/cli.js';
import { sampleReport, sampleReportWithBaseline } from './helpers/sample-report.js';

const tmp = mkdtempSync(join(tmpdir(), 'keylag-baseline-'));
const strictAjv = () => new Ajv2020({ strict: true, strictTypes: true, strictTuples: true, strictRequired: true, allErrors: true });

function request(inputs: string[], extra: Partial<ScanRequest> = {}): ScanRequest {
  return {
    inputs, columns: {}, inputFormat: null, strict: false, keepGoing: false, stdin: process.stdin,
    since: null, until: null, exclude: null, memoryBudgetValues: DEFAULT_MEMORY_BUDGET_VALUES,
    rosterPath: null, minSamples: 30, arguments: [], version: 'test',
    serverLocation: null, serversPath: null, geoipPath: null, ...extra,
  } as ScanRequest;
}

/**
 * February from the generator as the known-good baseline; March from the same population with a
 * normal month's drift (every access delay +25 %, wider spread, more congestion) and one planted
 * +100 ms hand-over. History must score the plant and no clean account.
 */
async function monthPair(seed: number): Promise<{ report: Report; planted: string; clean: string[] }> {
  const feb = generatePopulation({ seed, start: '2026-02-01', days: 28 });
  const mar = generatePopulation({
    seed, start: '2026-03-01', days: 30, accessMedianMs: 5, spreadMedianMs: [9, 17], congestionMs: 8,
    plants: [{ kind: 'farm', extraMs: 100 }],
  });
  const febCsv = join(tmp, `feb-${seed}.csv`);
  const marCsv = join(tmp, `mar-${seed}.csv`);
  const roster = join(tmp, `roster-${seed}.csv`);
  const profilePath = join(tmp, `feb-${seed}.json`);
  writeFileSync(febCsv, toCsv(feb.rows));
  writeFileSync(marCsv, toCsv(mar.rows));
  writeFileSync(roster, rosterToCsv(mar.roster));
  const { profile } = await runBaselineBuild({ ...request([febCsv]), arguments: [], version: 'test' });
  writeFileSync(profilePath, profileToJson(profile));
  const report = await runScan(request([marCsv], { rosterPath: roster, baselinePath: profilePath }));
  const planted = mar.planted[0]!.account;
  return { report, planted, clean: report.accounts.map((a) => a.account).filter((a) => a !== planted) };
}

for (const seed of [7, 8]) {
  test(`history_shift on the generator (seed ${seed}): a +100 ms hand-over scores, a normal month does not`, async () => {
    const { report, planted, clean } = await monthPair(seed);
    const history = (account: string) => report.accounts.find((a) => a.account === account)!.evidence.filter((e) => e.signal === HISTORY_SIGNAL);
    const plant = history(planted);
    assert.equal(plant.length, 1);
    assert.ok(plant[0]!.points >= 70, `planted account: ${plant[0]!.points} points (${plant[0]!.sentence})`);
    assert.ok(plant[0]!.effect > 95 && plant[0]!.effect < 106, `shift ${plant[0]!.effect}`);
    assert.match(plant[0]!.sentence, /^floor \d+\.\d ms now vs \d+\.\d ms in the baseline \(2026-0[12]-\d\d\.\.2026-02-\d\d, n=\d+\): \+\d+\.\d ms \(at least/);
    let cleanItems = 0;
    for (const account of clean) {
      for (const item of history(account)) {
        cleanItems++;
        assert.equal(item.points, 0, `${account}: ${item.sentence}`);
        assert.ok(Math.abs(item.effect) < 10, `${account} moved ${item.effect} ms`);
      }
    }
    assert.ok(cleanItems >= 190, `${cleanItems} clean accounts compared`);
    assert.equal(report.header.baseline?.newAccounts, 0);
    assert.equal(report.header.baseline?.accounts, 200);
  });
}

test('baseline build streamed (each account built, written, let go) gives the whole profile\'s bytes on the sample', async () => {
  const req = { ...request([SAMPLE]), arguments: ['baseline', 'build', SAMPLE], version: 'test' };
  const whole = profileToJson((await runBaselineBuild(req)).profile);
  const { profile: stream } = await streamBaselineBuild(req);
  assert.equal(stream.head.summary.accounts, 202);
  assert.equal([...profileStreamPieces(stream)].join(''), whole);
});

test('no_history: an account missing from the profile gets a 0-point item and is counted in the header', async () => {
  const profilePath = join(tmp, 'sample-no-lucia.json');
  const { profile } = await runBaselineBuild({
    ...request([SAMPLE], { until: { us: Date.UTC(2026, 2, 15) * 1000, text: '2026-03-15' } }),
    exclude: { patterns: ['lucia.lee'], matches: (k: string) => k === 'lucia.lee' },
    arguments: [], version: 'test',
  });
  writeFileSync(profilePath, profileToJson(profile));
  const report = await runScan(request([SAMPLE], { baselinePath: profilePath, since: { us: Date.UTC(2026, 2, 15) * 1000, text: '2026-03-15' } }));
  const lucia = report.accounts.find((a) => a.account === 'lucia.lee')!;
  const item = lucia.evidence.find((e) => e.signal === 'no_history')!;
  assert.equal(item.points, 0);
  assert.match(item.sentence, /^no history: the account is not in the baseline profile \(2026-03-01\.\.2026-03-14\)/);
  assert.equal(lucia.evidence.filter((e) => e.signal === HISTORY_SIGNAL).length, 0);
  assert.equal(report.header.baseline!.newAccounts, 1);
  assert.equal(report.header.baseline!.accounts, profile.summary.accounts);
  assert.equal(report.header.baseline!.path, profilePath);
  // Without --baseline there is no history item and no header record.
  const plain = await runScan(request([SAMPLE]));
  assert.equal(plain.header.baseline, undefined);
  assert.ok(plain.accounts.every((a) => a.evidence.every((e) => e.signal !== HISTORY_SIGNAL && e.signal !== 'no_history')));
});

// ------------------------------------------------------------------ typing rhythm, in process

const DAY = 86_400_000_000;
function summaryOf(account: string, values: number[]): KindSummary {
  const acc = new KindAccumulator('keystroke_interval', null);
  values.forEach((v, i) => acc.add(v, 1_772_000_000_000_000 + i * 1_000_000, 's', 0));
  const { stats, binned } = acc.finish(() => ({ file: '', line: 0 }));
  return { account, kind: 'keystroke_interval', stats, binned };
}
/** A typist: intervals 60-400 ms, with `bunched` of every 100 delivered within 0-3 ms of the previous one. */
function typist(seed: number, n: number, bunched: number): number[] {
  let s = seed;
  const rnd = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 4294967296; };
  return Array.from({ length: n }, (_, i) => (i % 100 < bunched ? Math.round(rnd() * 30) / 10 : 60 + Math.round(rnd() * 3400) / 10));
}
function rhythmContext(account: string, own: KindSummary, peers: KindSummary[]): AccountContext {
  return {
    account, kinds: [own.stats], summaries: [own], roster: null, comparisons: new Map(),
    peerFigure: (figure) => figureOverPeers(peers.map((p) => ({ account: p.account, kinds: [p.stats], summaries: [p] })), figure),
  };
}

test('typing_rhythm: bunched keystrokes score a little; ordinary typists do not; capped below the flag line', () => {
  const peers = [1, 2, 3, 4, 5, 6].map((i) => summaryOf(`p${i}`, typist(i, 400, i % 2)));
  const relayed = summaryOf('relayed', typist(99, 400, 25));
  const item = rhythmItem(rhythmContext('relayed', relayed, peers), null)!;
  assert.equal(item.stats.nearZero, 100);
  assert.equal(item.observed, 0.25);
  // Wilson lower bound of 25 % at n=400 (21.0 %) minus peers' median + 3 x their spread (6.5 %): 14.5 points.
  assert.ok(Math.abs(item.points - 14.5) < 0.1, `${item.points}`);
  assert.match(item.sentence, /^25\.0 % of 400 keystroke intervals under 5 ms vs peers 0\.\d % \(6 peers\): keystrokes arrive bunched/);
  assert.equal(rhythmItem(rhythmContext('heavy', summaryOf('heavy', typist(97, 400, 45)), peers), null)!.points, RHYTHM_POINTS_CAP);
  for (const p of peers) {
    const others = peers.filter((q) => q !== p);
    assert.equal(rhythmItem(rhythmContext(p.account, p, others), null)!.points, 0, p.account);
  }
  // A modest excess over peers scores less than the cap.
  const some = rhythmItem(rhythmContext('some', summaryOf('some', typist(98, 2000, 12)), peers), null)!;
  assert.ok(some.points > 0 && some.points < RHYTHM_POINTS_CAP, `${some.points}`);
  // Too few intervals: no item.
  assert.equal(rhythmItem(rhythmContext('few', summaryOf('few', typist(3, 20, 50)), peers), null), null);
});

test('typing_rhythm and history against the own baseline profile', () => {
  const run: ProfileRun = { toolVersion: 't', arguments: [], since: null, until: null, excludePatterns: [], samplesUsed: 0, inputs: [] };
  const past = typist(42, 600, 1).map((v, i) => ({ account: 'k', kind: 'keystroke_interval' as const, valueMs: v, timeUs: 1_770_000_000_000_000 + i * DAY / 100 }));
  const profile = profileFromSamples(past, run, 't');
  const index = new BaselineIndex({ profile, path: 'p.json', sha256: '0'.repeat(64) });
  const now = summaryOf('k', typist(43, 600, 20));
  const item = rhythmItem({ account: 'k', kinds: [now.stats], summaries: [now], roster: null, comparisons: new Map() }, index)!;
  assert.equal(item.stats.baselineShare, 6 / 600);
  assert.ok(item.points > 0, item.sentence);
  assert.match(item.sentence, /vs own baseline 1\.0 % \(n=600\); shape KS D 0\.\d\d vs the baseline/);
  // Same typist, same habits: nothing.
  const same = summaryOf('k', typist(44, 600, 1));
  assert.equal(rhythmItem({ account: 'k', kinds: [same.stats], summaries: [same], roster: null, comparisons: new Map() }, index)!.points, 0);
  // The history item on keystroke intervals: the floor barely moves, KS reported.
  const h = historyItem(same, profile.accounts[0]!.kinds[0]!);
  assert.equal(h.points, 0);
  assert.ok(h.stats.ksD! < 0.1);
});

// ------------------------------------------------------------------ the commands, end to end

test('baseline build/merge CLI: canonical bytes, order-free merge, schema, scan --baseline, clear errors', () => {
  const profileSchema = JSON.parse(readFileSync(join(REPO_ROOT, 'schema/profile.schema.json'), 'utf8')) as Record<string, unknown>;
  const validateProfile = strictAjv().compile(profileSchema);
  const a = join(tmp, 'a.json');
  const b = join(tmp, 'b.json');
  const all = join(tmp, 'all.json');
  let r = runCli(['baseline', 'build', SAMPLE, '--until', '2026-03-15', '-o', a]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /^keylag: wrote .*a\.json \(sha256 [0-9a-f]{64}; 202 accounts, \d+ samples, 2026-03-01\.\.2026-03-14\)\n$/);
  const first = readFileSync(a, 'utf8');
  r = runCli(['baseline', 'build', SAMPLE, '--until', '2026-03-15', '-o', a], { env: { TZ: 'Asia/Kolkata', LANG: 'de_DE.UTF-8' } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(readFileSync(a, 'utf8'), first, 'same inputs and flags, same bytes');
  assert.equal(runCli(['baseline', 'build', SAMPLE, '--since', '2026-03-15', '-o', b]).status, 0);
  assert.equal(runCli(['baseline', 'build', SAMPLE, '-o', all]).status, 0);
  const ab = runCli(['baseline', 'merge', a, b]);
  const ba = runCli(['baseline', 'merge', b, a]);
  assert.equal(ab.status, 0, ab.stderr);
  assert.equal(ab.stdout, ba.stdout, 'merge does not depend on the order of its arguments');

  const pa = JSON.parse(first);
  const merged = JSON.parse(ab.stdout);
  const whole = JSON.parse(readFileSync(all, 'utf8'));
  for (const p of [pa, merged, whole]) assert.ok(validateProfile(p), JSON.stringify(validateProfile.errors));
  assert.equal(profileSchema.$id, 'https://keylag.dev/schema/profile/1/profile.schema.json');
  const { accountsSha256: _drop, ...missing } = pa;
  assert.equal(validateProfile(missing), false, 'the schema requires every field');
  assert.equal(validateProfile({ ...pa, extra: 1 }), false, 'and no others');
  assert.equal(pa.format, 'keylag-profile');
  assert.equal(pa.formatVersion, 1);
  assert.match(pa.runs[0].inputs[0].sha256, /^[0-9a-f]{64}$/);
  assert.equal(pa.runs[0].inputs[0].sha256, whole.runs[0].inputs[0].sha256);
  assert.deepEqual(merged.summary, whole.summary);
  assert.deepEqual(merged.period, whole.period);
  assert.equal(merged.runs.length, 2);
  assert.equal(merged.mergedFrom.length, 2);
  // Every count, value, floor, day and time equal to the profile of the whole period (mean/sd to rounding).
  const strip = (p: { accounts: { kinds: { meanMs?: number; sdMs?: number }[] }[] }) => p.accounts.map((acc) => ({ ...acc, kinds: acc.kinds.map(({ meanMs: _m, sdMs: _s, ...rest }) => rest) }));
  assert.deepEqual(strip(merged), strip(whole));

  // scan --baseline: the header records the profile.
  const scan = runCli(['scan', SAMPLE, '--since', '2026-03-15', '--baseline', a, '--format', 'json']);
  assert.equal(scan.status, 0, scan.stderr);
  const report = JSON.parse(scan.stdout);
  assert.deepEqual(report.header.baseline, {
    path: a, sha256: report.header.baseline.sha256, formatVersion: 1, accounts: 202,
    period: { first: pa.period.first, last: pa.period.last }, newAccounts: 0,
  });
  assert.match(report.header.baseline.sha256, /^[0-9a-f]{64}$/);
  assert.ok(report.accounts.some((acc: { evidence: { signal: string }[] }) => acc.evidence.some((e) => e.signal === 'history_shift')));
  // Chain of custody: verify re-hashes the profile with the inputs.
  const reportPath = join(tmp, 'with-baseline.json');
  writeFileSync(reportPath, scan.stdout);
  const verified = runCli(['verify', reportPath, SAMPLE, a]);
  assert.equal(verified.status, 0, verified.stdout + verified.stderr);
  const withoutProfile = runCli(['verify', reportPath, SAMPLE]);
  assert.equal(withoutProfile.status, 1);
  assert.match(withoutProfile.stdout + withoutProfile.stderr, /a\.json/);

  // Bad profiles: one line naming the file, exit 2.
  const bad = (name: string, text: string) => { const p = join(tmp, name); writeFileSync(p, text); return p; };
  const cases: [string, RegExp][] = [
    [bad('invalid.json', '{"format": "keylag-profile", '), /invalid\.json: not a keylag profile: invalid JSON/],
    [bad('report.json', '{"header": {}}'), /report\.json: not a keylag profile \(format null/],
    [bad('v2.json', first.replace('"formatVersion": 1', '"formatVersion": 2')), /v2\.json: profile format version 2 is not supported/],
    [bad('edited.json', first.replace(/"n":(\d+),"minMs"/, (_m, n: string) => `"n":${Number(n) + 1},"minMs"`)), /edited\.json: profile accounts do not match accountsSha256/],
    [bad('cut.json', first.replace(/"summary": \{"accounts":202/, '"summary": {"accounts":201')), /cut\.json: summary \(201 accounts/],
    [join(tmp, 'missing.json'), /missing\.json: cannot read profile: no such file/],
  ];
  for (const [path, message] of cases) {
    for (const args of [['scan', SAMPLE, '--baseline', path], ['baseline', 'merge', a, path]]) {
      const res = runCli(args);
      assert.equal(res.status, 2, `${args.join(' ')}: ${res.stderr}`);
      assert.match(res.stderr, message);
      assert.equal(res.stderr.trim().split('\n').length, 1, res.stderr);
    }
  }
  const one = runCli(['baseline', 'merge', a]);
  assert.equal(one.status, 2);
  assert.match(one.stderr, /baseline merge needs at least two profiles/);
  assert.equal(runCli(['baseline', 'merge', a, b, '-o', a]).status, 2, 'never overwrites an input');
});

test('report shape: header.baseline and history items validate against the report schema and render everywhere', () => {
  const reportSchema = JSON.parse(readFileSync(join(REPO_ROOT, 'schema/report.schema.json'), 'utf8')) as Record<string, unknown>;
  const validateReport = strictAjv().compile(reportSchema);
  const report = sampleReportWithBaseline();
  const json = JSON.parse(renderJson(report)) as { header: Record<string, unknown> };
  assert.ok(validateReport(json), JSON.stringify(validateReport.errors));
  assert.deepEqual(Object.keys(json.header.baseline as object), ['path', 'sha256', 'formatVersion', 'accounts', 'period', 'newAccounts']);
  // Without --baseline the key is absent (reports keep their bytes).
  assert.equal('baseline' in (JSON.parse(renderJson(sampleReport())) as { header: object }).header, false);
  const line = 'profile-2026-02.json (sha256 bbbbbbbbbbbbbbbb, 10 accounts, 2026-02-01..2026-02-28); 1 scored account with no history';
  for (const format of ['table', 'md', 'html'] as const) {
    const { text } = renderReport(format, report, { color: false, top: null, width: 200 });
    // Markdown escapes punctuation (profile\-2026\-02\.json): compare without the escapes.
    assert.ok((format === 'md' ? text.replace(/\\/g, '') : text).includes(line), `${format} shows the baseline`);
  }
});
