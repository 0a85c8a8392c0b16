// Server locations given as cloud regions (src/geo/cloud-regions.ts): Azure's by name, from its own
// region metadata (data/azure/regions.csv, derived from the reference data in fixtures/azure/);
// other clouds' region IDs refused by name, never read as a town.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, runCli } from './helpers/cli.js';
import { azureRegion, otherCloudRegion, otherCloudRegions } from '../src/geo/cloud-regions.js';
import { readServersFile, resolveServerLocation } from '../src/baseline/claims.js';
import { loadRegionNames, resolvePlace } from '../src/geo/gazetteer.js';

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
  assert.equal(otherCloudRegion('Ashburn, US'), null);
  assert.equal(otherCloudRegion('Frankfurt'), null);
});

test('--server-location and servers files read Azure regions before towns ("Central US" was Central, LA) and refuse region IDs not in the table', async () => {
  await loadRegionNames();
  assert.equal(resolveServerLocation('Central US').place.label, 'Azure Central US');
  assert.throws(() => resolveServerLocation('us-east-9'), /--server-location 'us-east-9': 'us-east-9' looks like an AWS or Google Cloud region ID that keylag's table \(data\/cloud\/regions.csv\) does not hold.*lat,lon$/);
  assert.throws(() => resolveServerLocation('gcp:europe-west99'), /looks like a Google Cloud region ID that keylag's table/);
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
  const refused = runCli(['scan', 'fixtures/sample/sessions.csv', '--server-location', 'us-east-9']);
  assert.equal(refused.status, 2);
  assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
});

// AWS and Google Cloud publish no coordinates: data/cloud/regions.csv names the place each provider's
// documentation gives (Google: a city, "Council Bluffs, Iowa"; AWS: often a state or country,
// "US East (Ohio)", whose row has a wider uncertainty) and the gazetteer gives its point. Before, every
// such ID was refused ("keylag has no table of"), so a WorkSpaces or GCE host had to be typed as a city.
test('AWS and Google Cloud region IDs (and AWS console names) are read as their documented place, saying so', async () => {
  await loadRegionNames();
  const expected: Record<string, [string, number, number, number]> = {
    'us-east-1': ['AWS us-east-1 (US East (N. Virginia))', 39.04372, -77.48749, 100],
    'AWS us-east-2': ['AWS us-east-2 (US East (Ohio))', 39.96118, -82.99879, 300],
    'aws:us-west-2': ['AWS us-west-2 (US West (Oregon))', 45.83986, -119.70058, 300],
    'US East (N. Virginia)': ['AWS us-east-1 (US East (N. Virginia))', 39.04372, -77.48749, 100],
    'EU (Frankfurt)': ['AWS eu-central-1 (Europe (Frankfurt))', 50.11552, 8.68417, 100],
    'mx-central-1': ['AWS mx-central-1 (Mexico (Central))', 20.58806, -100.38806, 300],
    'europe-west3': ['Google Cloud europe-west3 (Frankfurt, Germany)', 50.11552, 8.68417, 100],
    'GCP us-central1': ['Google Cloud us-central1 (Council Bluffs, Iowa)', 41.26194, -95.86083, 100],
    'gcp:asia-east1': ['Google Cloud asia-east1 (Changhua County, Taiwan)', 24.07327, 120.56276, 100],
    'Google Cloud us-west3': ['Google Cloud us-west3 (Salt Lake City, Utah)', 40.76078, -111.89105, 100],
  };
  for (const [written, [label, lat, lon, km]] of Object.entries(expected)) {
    const r = resolveServerLocation(written);
    assert.deepEqual([r.place.label, r.place.lat, r.place.lon, r.place.uncertaintyKm], [label, lat, lon, km], written);
    assert.match(r.place.source, /documentation; point .* \(GeoNames \d+/, written);
    assert.equal(r.warnings.length, 1, written);
    assert.match(r.warnings[0]!, new RegExp(`^--server-location '${written.replace(/[()]/g, '\\$&')}' read as .*: its point is .*±${km} km$`));
  }
  // The provider named must be the region's.
  assert.throws(() => resolveServerLocation('gcp:us-east-1'), /us-east-1 is an AWS region, not Google Cloud's/);
  // Every row of the table resolves to one place of its country, with nothing ambiguous about it.
  const rows = otherCloudRegions();
  assert.ok(rows.length >= 79, `${rows.length} rows`);
  for (const row of rows) {
    const place = resolvePlace(row.point);
    assert.ok(place.ok, `${row.region}: ${row.point}`);
    assert.deepEqual([place.alternatives.length, place.place.country], [0, row.point.split(',').pop()!.trim()], `${row.region}: ${row.point}`);
    assert.ok(row.uncertaintyKm === 100 || row.uncertaintyKm === 300, row.region);
  }

  const r = runCli(['scan', 'fixtures/sample/sessions.csv', '--roster', 'fixtures/sample/roster.csv', '--server-location', 'us-east-1', '--format', 'json']);
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { header: { warnings: string[] }; physicalModel: { server: { label: string; uncertaintyKm: number } } };
  assert.deepEqual([report.physicalModel.server.label, report.physicalModel.server.uncertaintyKm], ['AWS us-east-1 (US East (N. Virginia))', 100]);
  assert.ok(report.header.warnings.some((w) => w.startsWith("--server-location 'us-east-1' read as AWS us-east-1")), report.header.warnings.join('\n'));
});
