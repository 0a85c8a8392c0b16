// IP location (--geoip-db): the tiny test database written by fixtures/geoip/write-mmdb.ts, read with
// the `maxmind` package; then the ip_location evidence on the physics fixture.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openGeoIp } from '../src/geo/geoip.js';
import { runScan, DEFAULT_MIN_SAMPLES, DEFAULT_MEMORY_BUDGET_VALUES } from '../src/pipeline.js';
import { buildTestDb } from '../fixtures/geoip/write-mmdb.js';
import { PHYSICS_SERVER } from '../fixtures/generate-physics.js';
import { REPO_ROOT } from './helpers/cli.js';

const DB = join(REPO_ROOT, 'fixtures/geoip/test-city.mmdb');
const tmp = mkdtempSync(join(tmpdir(), 'keylag-geoip-'));

test('the committed test database is what the writer script produces', () => {
  assert.ok(readFileSync(DB).equals(buildTestDb()), 'run: node dist/fixtures/geoip/write-mmdb.js fixtures/geoip/test-city.mmdb');
});

test('lookups: documentation networks located; unknown, private and malformed addresses are not', async () => {
  const g = await openGeoIp(DB);
  const abuja = g.lookup('198.51.100.23')!;
  assert.equal(abuja.label, 'Abuja, NG');
  assert.equal(abuja.uncertaintyKm, 50);
  assert.ok(Math.abs(abuja.lat - 9.058) < 0.01 && Math.abs(abuja.lon - 7.495) < 0.01);
  assert.equal(g.lookup('192.0.2.250')!.label, 'Ashburn, US');
  assert.equal(g.lookup('203.0.113.9')!.label, 'Austin, US');
  assert.equal(g.lookup('10.1.2.3'), null);
  assert.equal(g.lookup('8.8.8.8'), null);
  assert.equal(g.lookup('not-an-ip'), null);
  await assert.rejects(openGeoIp(join(tmp, 'missing.mmdb')), /cannot read GeoIP database: no such file/);
  writeFileSync(join(tmp, 'junk.mmdb'), 'not a database');
  await assert.rejects(openGeoIp(join(tmp, 'junk.mmdb')), /cannot read GeoIP database/);
});

test('ip_location: an address that agrees with the floor and not with the claim adds points', async () => {
  const dir = join(REPO_ROOT, 'fixtures/physics');
  const lines = readFileSync(join(dir, 'sessions.csv'), 'utf8').split('\n');
  // d.okafor connects from Abuja; everyone else from the Ashburn network.
  const out = [`${lines[0]},client_ip`];
  lines.slice(1).forEach((line, i) => {
    if (line === '') return;
    const user = line.split(',')[1]!;
    out.push(`${line},${user.startsWith('d.okafor') ? `198.51.100.${(i % 200) + 1}` : '192.0.2.10'}`);
  });
  const sessions = join(tmp, 'sessions-ip.csv');
  writeFileSync(sessions, `${out.join('\n')}\n`);
  const report = await runScan({
    inputs: [sessions], rosterPath: join(dir, 'roster.csv'), columns: {}, inputFormat: null, since: null, until: null, exclude: null,
    minSamples: DEFAULT_MIN_SAMPLES, strict: false, keepGoing: false, memoryBudgetValues: DEFAULT_MEMORY_BUDGET_VALUES,
    arguments: [], version: 'test', stdin: process.stdin, serverLocation: PHYSICS_SERVER, geoipPath: DB,
  });
  assert.equal(report.physicalModel!.geoipDb, DB);
  assert.ok(report.header.inputs[0]!.notes.includes('client_ip -> ip'));
  const okafor = report.accounts.find((a) => a.account === 'd.okafor')!;
  const item = okafor.evidence.find((e) => e.signal === 'ip_location')!;
  assert.ok(item.points > 0 && item.points <= 20, String(item.points));
  assert.match(item.sentence, /located in Abuja, NG/);
  assert.match(item.sentence, /the address agrees with the floor, not with the claim/);
  assert.equal(item.stats.verdictFits, 1);
  assert.ok(item.stats.addresses! > 1);
  // An honest Chicago account on the Ashburn network (a VPN exit, say): the address disagrees with the claim, but the floor fits the claim: no points.
  for (const a of report.accounts.filter((x) => x.site === 'chi' && x.account !== 'd.okafor')) {
    const ip = a.evidence.find((e) => e.signal === 'ip_location');
    if (ip) assert.equal(ip.points, 0, a.account);
  }
});
