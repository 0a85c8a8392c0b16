// Server locations given as cloud regions (src/geo/cloud-regions.ts): Azure's by name, from its own
// region metadata (data/azure/regions.csv, derived from the reference data in fixtures/azure/);
// other clouds' region IDs refused by name, never read as a town.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, runCli } from './helpers/cli.js';
import { azureRegion, otherCloudRegion } from '../src/geo/cloud-regions.js';
import { readServersFile, resolveServerLocation } from '../src/baseline/claims.js';
import { loadRegionNames } from '../src/geo/gazetteer.js';

test('data/azure/regions.csv is every region of the reference data with its coordinates there', () => {
  const reference = readFileSync(join(REPO_ROOT, 'fixtures/azure/azure-inter-region-rtt-p50.csv'), 'utf8').trim().split('\n').slice(1);
  const regions = new Map<string, string>();
  for (const line of reference) {
    const [source, dest, sLat, sLon, dLat, dLon] = line.split(',');
    for (const [name, at] of [[source!, `${sLat},${sLon}`], [dest!, `${dLat},${dLon}`]] as const) {
      assert.ok(!regions.has(name) || regions.get(name) === at, `${name}: one point in every row`);
      regions.set(name, at);
    }
  }
  const derived = ['region,lat,lon', ...[...regions].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, at]) => `${name},${at}`)].join('\n') + '\n';
  assert.equal(readFileSync(join(REPO_ROOT, 'data/azure/regions.csv'), 'utf8'), derived);
  assert.equal(regions.size, 43);
});

test('Azure regions by display name, programmatic name or with "Azure" before them; a place with a comma is no region', () => {
  for (const [written, lat, lon, label] of [
    ['East US', 37.3719, -79.8164, 'Azure East US'], ['eastus', 37.3719, -79.8164, 'Azure East US'],
    ['Azure West US 2', 47.233, -119.852, 'Azure West US 2'], ['westus2', 47.233, -119.852, 'Azure West US 2'],
    ['Central US', 41.5908, -93.6208, 'Azure Central US'], ['UK South', 50.941, -0.799, 'Azure UK South'],
  ] as const) {
    const place = azureRegion(written);
    assert.ok(place !== null, written);
    assert.deepEqual([place.lat, place.lon, place.label, place.uncertaintyKm], [lat, lon, label, 100], written);
  }
  assert.equal(azureRegion('Central, US'), null);
  assert.equal(azureRegion('Ashburn'), null);
  assert.match(otherCloudRegion('us-east-1')!, /AWS or Google Cloud region ID/);
  assert.match(otherCloudRegion('europe-west1')!, /AWS or Google Cloud region ID/);
  assert.equal(otherCloudRegion('Ashburn, US'), null);
});

test('--server-location and servers files read Azure regions before towns ("Central US" was Central, LA) and refuse other clouds\' IDs', async () => {
  await loadRegionNames();
  assert.equal(resolveServerLocation('Central US').place.label, 'Azure Central US');
  assert.throws(() => resolveServerLocation('us-east-1'), /--server-location 'us-east-1': 'us-east-1' looks like an AWS or Google Cloud region ID.*lat,lon$/);
  const dir = mkdtempSync(join(tmpdir(), 'keylag-regions-'));
  const file = join(dir, 'servers.csv');
  writeFileSync(file, 'server,location\nvdi-eu,West Europe\nvdi-us,"Ashburn, US"\n');
  const { servers } = await readServersFile(file);
  assert.deepEqual([...servers.values()].map((p) => p.label), ['Azure West Europe', 'Ashburn, VA, US']);

  const r = runCli(['scan', 'fixtures/sample/sessions.csv', '--roster', 'fixtures/sample/roster.csv', '--server-location', 'eastus', '--format', 'json']);
  assert.equal(r.status, 0, r.stderr);
  const server = (JSON.parse(r.stdout) as { physicalModel: { server: { label: string; lat: number; lon: number; source: string } } }).physicalModel.server;
  assert.deepEqual([server.label, server.lat, server.lon], ['Azure East US', 37.3719, -79.8164]);
  assert.match(server.source, /Azure region metadata/);
  const refused = runCli(['scan', 'fixtures/sample/sessions.csv', '--server-location', 'us-east-1']);
  assert.equal(refused.status, 2);
  assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
});
