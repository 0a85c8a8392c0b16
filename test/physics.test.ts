// Signal 3 (physical plausibility) and signal 7 (activity hours) end to end, on the generated
// fixtures/physics population (claimed vs true locations) and on clean populations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { runScan, DEFAULT_MIN_SAMPLES, DEFAULT_MEMORY_BUDGET_VALUES, type ScanRequest } from '../src/pipeline.js';
import { scoreFromPoints, FLAG_SCORE } from '../src/score/combine.js';
import { renderJson, SCHEMA_ID } from '../src/report/json.js';
import { renderTable } from '../src/report/table.js';
import type { AccountReport, Report, Rejection } from '../src/types.js';
import { buildPhysics, PHYSICS_SERVER } from '../fixtures/generate-physics.js';
import { generatePopulation, rosterToCsv, toCsv } from '../fixtures/generator.js';
import { runCli, REPO_ROOT } from './helpers/cli.js';
import { sampleReport, SAMPLE_PHYSICAL_MODEL } from './helpers/sample-report.js';

const DIR = join(REPO_ROOT, 'fixtures/physics');
const SESSIONS = join(DIR, 'sessions.csv');
const ROSTER = join(DIR, 'roster.csv');
const truth = JSON.parse(readFileSync(join(DIR, 'truth.json'), 'utf8')) as {
  cases: { account: string; trueDistanceKm: number; claimedDistanceKm: number }[];
};
const tmp = mkdtempSync(join(tmpdir(), 'keylag-physics-'));

function request(over: Partial<ScanRequest>): ScanRequest {
  return {
    inputs: [SESSIONS], rosterPath: ROSTER, columns: {}, inputFormat: null, since: null, until: null, exclude: null,
    minSamples: DEFAULT_MIN_SAMPLES, strict: false, keepGoing: false, memoryBudgetValues: DEFAULT_MEMORY_BUDGET_VALUES,
    arguments: [], version: 'test', stdin: process.stdin, serverLocation: PHYSICS_SERVER, ...over,
  };
}

let cached: Promise<Report> | null = null;
function physicsReport(): Promise<Report> {
  cached ??= runScan(request({}));
  return cached;
}

function account(report: Report, name: string): AccountReport {
  const a = report.accounts.find((x) => x.account === name);
  assert.ok(a, `no account ${name}`);
  return a;
}

const points = (a: AccountReport, signal: string): number => a.evidence.filter((e) => e.signal === signal).reduce((m, e) => Math.max(m, e.points), 0);

test('fixtures/physics matches its generator (seeded, deterministic)', () => {
  const files = buildPhysics();
  for (const [name, text] of Object.entries(files)) {
    assert.equal(readFileSync(join(DIR, name), 'utf8'), text, `${name} differs: run npm run fixtures:physics`);
  }
});

test('planted: claims Austin, really ~9,000 km away: flagged, implied distance close to the truth', async () => {
  const report = await physicsReport();
  const a = account(report, 'd.okafor');
  const t = truth.cases.find((c) => c.account === 'd.okafor')!;
  assert.ok(a.flagged, `score ${a.score}`);
  assert.equal(a.physics!.verdict, 'beyond');
  assert.equal(a.physics!.claimed!.label, 'Austin, TX, US');
  const point = a.physics!.impliedDistanceKmPoint!;
  const low = a.physics!.impliedDistanceKmLow!;
  assert.ok(Math.abs(point - t.trueDistanceKm) / t.trueDistanceKm <= 0.25, `point ${point} vs truth ${t.trueDistanceKm}`);
  assert.ok(low < t.trueDistanceKm, `lower bound ${low} vs truth ${t.trueDistanceKm}`);
  assert.ok(low > t.claimedDistanceKm, 'the ring lies beyond the claimed distance');
  const item = a.evidence.find((e) => e.signal === 'physics')!;
  for (const key of ['claimedDistanceKm', 'hardBoundMs', 'expectedLowMs', 'expectedHighMs', 'impliedDistanceKmLow', 'impliedDistanceKmPoint']) {
    assert.equal(typeof item.stats[key], 'number', key);
  }
  assert.match(item.sentence, /implies at least [\d,]+ km from the server \(point estimate [\d,]+ km\)/);
  // Working Abuja's day under an Austin claim: activity hours add, because the floor already lifted the score.
  assert.ok(points(a, 'activity_hours') > 0);
});

test('planted: claims Tokyo with a ~5 ms floor to Ashburn: flagged as an impossible claim', async () => {
  const report = await physicsReport();
  const a = account(report, 'k.tanaka');
  assert.ok(a.flagged, `score ${a.score}`);
  assert.equal(a.physics!.verdict, 'impossible');
  assert.ok(a.physics!.floorHighMs! < a.physics!.hardBoundMs!);
  const item = a.evidence.find((e) => e.signal === 'physics')!;
  assert.ok(item.points >= 72, `physics points ${item.points}`);
  assert.match(item.sentence, /physically impossible/);
  // The peers see nothing: its floor is below theirs.
  assert.equal(points(a, 'floor_vs_peers'), 0);
});

test('every honest account with a location passes the hard bound; no clean account is flagged', async () => {
  const report = await physicsReport();
  const planted = new Set(['d.okafor', 'k.tanaka', 'm.farmer']);
  for (const a of report.accounts) {
    if (planted.has(a.account) || a.physics === null || a.physics.verdict === 'not_assessed') continue;
    assert.notEqual(a.physics.verdict, 'impossible', a.account);
    assert.ok(a.physics.floorHighMs! >= a.physics.hardBoundMs!, a.account);
    assert.ok(!a.flagged, `${a.account} flagged with score ${a.score}`);
  }
  assert.deepEqual(report.accounts.filter((a) => a.flagged).map((a) => a.account).sort(), ['d.okafor', 'k.tanaka', 'm.farmer']);
  assert.equal(report.physicalModel!.models[0]!.source, 'peers');
});

test('planted: honest far accounts that the peers alone would flag are not flagged once locations are given', async () => {
  const report = await physicsReport();
  for (const name of ['l.kahale', 'r.burns']) {
    const a = account(report, name);
    const peerPoints = points(a, 'floor_vs_peers');
    assert.ok(scoreFromPoints(peerPoints) >= FLAG_SCORE, `${name}: peers alone give ${peerPoints} points`);
    assert.ok(a.score < FLAG_SCORE, `${name} scored ${a.score}`);
    assert.equal(a.physics!.verdict, 'fits');
    const item = a.evidence.find((e) => e.signal === 'physics')!;
    assert.ok(item.points < 0, 'exculpatory');
    assert.match(item.sentence, /its floor fits its claimed location/);
  }
  assert.match(account(report, 'r.burns').evidence.find((e) => e.signal === 'physics')!.sentence, /access 'satellite' widens the range/);
  // Without a server location there is no physics: the peers flag the Honolulu account.
  const without = await runScan(request({ serverLocation: null }));
  assert.ok(account(without, 'l.kahale').flagged);
  assert.equal(without.physicalModel, null);
  assert.equal(account(without, 'l.kahale').physics, null);
});

test('the report with a physical model validates against the schema, and the table gains its columns', async () => {
  const report = await physicsReport();
  const schema = JSON.parse(readFileSync(join(REPO_ROOT, 'schema/report.schema.json'), 'utf8')) as Record<string, unknown>;
  const ajv = new Ajv2020({ strict: true, strictTypes: true, strictTuples: true, strictRequired: true, allErrors: true });
  ajv.addSchema(schema);
  const validate = ajv.getSchema(SCHEMA_ID)!;
  const parsed = JSON.parse(renderJson(report));
  assert.equal(validate(parsed), true, JSON.stringify(validate.errors?.slice(0, 3)));
  assert.equal(parsed.physicalModel.server.label, 'Ashburn, VA, US');
  const table = renderTable(report, { color: false, top: 5, width: 160 });
  assert.match(table, /│ claimed\s+│ dist km │ implied km │/);
  assert.match(table, /Tokyo, JP\s+│\s+10,871 │ impossible │/);
  // The hand-built sample with a model: the same columns; without one, none.
  const sample = sampleReport();
  assert.doesNotMatch(renderTable(sample, { color: false, top: null, width: 160 }), /implied km/);
  sample.physicalModel = SAMPLE_PHYSICAL_MODEL;
  assert.equal(validate(JSON.parse(renderJson(sample))), true);
  assert.match(renderTable(sample, { color: false, top: null, width: 160 }), /New York City, … │\s+345 │\s+>=1,624 │/);
});

test('clean populations with locations: nothing flagged, nothing impossible', async () => {
  for (const seed of [7101, 7102, 7103]) {
    const population = generatePopulation({ seed, samplesPerAccount: [120, 200] });
    const rosterPath = join(tmp, `clean-${seed}.csv`);
    writeFileSync(rosterPath, rosterToCsv(population.roster));
    const report = await runScan(request({ inputs: ['-'], rosterPath, stdin: Readable.from([Buffer.from(toCsv(population.rows))]) }));
    const flagged = report.accounts.filter((a) => a.flagged).map((a) => `${a.account} ${a.score.toFixed(1)}`);
    assert.deepEqual(flagged, [], `seed ${seed}`);
    for (const a of report.accounts) {
      if (a.physics) assert.notEqual(a.physics.verdict, 'impossible', `seed ${seed}: ${a.account}`);
      assert.ok(points(a, 'activity_hours') === 0, `seed ${seed}: ${a.account} activity points`);
    }
    // Physics never adds to a clean account more than a few points.
    const worst = Math.max(...report.accounts.map((a) => points(a, 'physics')));
    assert.ok(worst < 20, `seed ${seed}: physics points up to ${worst}`);
  }
});

test('unknown roster locations: counted rejection, or an input error under --strict; tz-only claims are low precision', async () => {
  const lines = readFileSync(ROSTER, 'utf8').split('\n');
  // Row 3 (line 3) gets a place that does not exist; row 4 only its time zone.
  const bad = lines.map((l, i) => {
    if (i === 2) return l.replace(/"[^"]+"/, '"Atlantis, XX"');
    if (i === 3) return l.replace(/"[^"]+"/, '');
    return l;
  }).join('\n');
  const path = join(tmp, 'roster-bad.csv');
  writeFileSync(path, bad);
  const rejected: Rejection[] = [];
  const report = await runScan(request({ rosterPath: path, onRejection: (r) => rejected.push(r) }));
  assert.deepEqual(report.header.rejections.find((r) => r.reason === 'location_unknown'), { reason: 'location_unknown', count: 1 });
  assert.equal(rejected[0]!.source.line, 3);
  assert.match(rejected[0]!.detail, /Atlantis, XX/);
  assert.equal(report.physicalModel!.locations.unknown, 1);
  assert.equal(report.physicalModel!.locations.timeZoneOnly, 1);
  assert.ok(report.header.warnings.some((w) => w.includes(`${path}:4`) && w.includes('low precision')));
  const unknownKey = lines[2]!.split(',')[0]!.replace(/@.*$/, '');
  const u = account(report, unknownKey);
  assert.equal(u.physics!.verdict, 'not_assessed');
  assert.match(u.physics!.reason!, /Atlantis/);
  await assert.rejects(runScan(request({ rosterPath: path, strict: true })), (err: Error & { file?: string; line?: number }) => {
    assert.equal(err.file, path);
    assert.equal(err.line, 3);
    assert.match(err.message, /location_unknown: 'Atlantis, XX'/);
    return true;
  });
});

test('per-row servers: --servers maps a server column to places', async () => {
  // Two servers: rows of the nyc accounts go to "use1" (Ashburn), the others to "usw2" (Oregon, by coordinates).
  const text = readFileSync(SESSIONS, 'utf8').split('\n');
  const nyc = new Set(readFileSync(ROSTER, 'utf8').split('\n').filter((l) => l.includes(',nyc,')).map((l) => l.split(',')[0]!.replace(/@.*$/, '')));
  const out = [`${text[0]},server`];
  for (const line of text.slice(1)) if (line !== '') out.push(`${line},${nyc.has(line.split(',')[1]!) ? 'use1' : 'usw2'}`);
  const sessions = join(tmp, 'with-server.csv');
  writeFileSync(sessions, `${out.join('\n')}\n`);
  const servers = join(tmp, 'servers.csv');
  writeFileSync(servers, 'server,location\nuse1,"Ashburn, VA, US"\nusw2,"45.84,-119.70"\n');
  const report = await runScan(request({ inputs: [sessions], serverLocation: null, serversPath: servers }));
  const tanaka = account(report, 'k.tanaka');
  assert.equal(tanaka.physics!.servers[0]!.name, 'use1');
  assert.equal(tanaka.physics!.verdict, 'impossible');
  const chi = report.accounts.find((a) => a.site === 'chi' && a.physics?.verdict === 'fits')!;
  assert.equal(chi.physics!.servers[0]!.name, 'usw2');
  assert.equal(chi.physics!.servers[0]!.location.precision, 'coordinates');
  assert.equal(report.physicalModel!.serversFile, servers);
  writeFileSync(servers, 'server,location\nuse1,"Nowhere Special, XX"\n');
  await assert.rejects(runScan(request({ inputs: [sessions], serverLocation: null, serversPath: servers })), /servers.csv|Nowhere/);
});

test('CLI: the README command works on the bundled sample', () => {
  const r = runCli(['scan', 'fixtures/sample/sessions.csv', '--roster', 'fixtures/sample/roster.csv', '--server-location', 'Ashburn, US', '--top', '5', '--no-color'], { env: { COLUMNS: '160' } });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /implied km/);
  assert.match(r.stdout, /lucia\.lee\s+│\s+8\d\.\d FLAGGED/);
  assert.match(r.stdout, /location 'Denver, US' is ambiguous: took Denver, CO, US/);
  const bad = runCli(['scan', 'fixtures/sample/sessions.csv', '--server-location', 'Atlantis, XX']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--server-location 'Atlantis, XX'/);
  const geoipWithout = runCli(['scan', 'fixtures/sample/sessions.csv', '--geoip-db', 'fixtures/geoip/test-city.mmdb']);
  assert.equal(geoipWithout.status, 2);
});
