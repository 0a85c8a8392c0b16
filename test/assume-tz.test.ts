// --assume-tz end to end (the built CLI, as a user runs it): times without a UTC offset read as
// wall-clock times of a zone in scan, baseline build and inspect; the header, rejections and
// activity hours. The conversion itself: zone.test.ts; the reader thread: parallel-read.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { runCli, SAMPLE, ROSTER, REPO_ROOT } from './helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'keylag-assume-tz-'));

interface Report {
  header: {
    warnings: string[]; rejections: { reason: string; count: number }[]; timeWindow: { outsideWindow: number };
    inputs: { timeFormat: string | null }[]; samplesUsed: number;
    assumedTimeZone?: { zone: string; samples: number; ambiguous: number; nonexistent: number };
  };
  accounts: { account: string; evidence: { signal: string; sentence: string }[] }[];
}

const ajv = new Ajv2020({ strict: true, allErrors: true });
const validate = ajv.compile(JSON.parse(readFileSync(join(REPO_ROOT, 'schema/report.schema.json'), 'utf8')) as Record<string, unknown>);

function scanJson(args: string[]): Report {
  const r = runCli(['scan', ...args, '--format', 'json']);
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as Report;
  assert.ok(validate(report), JSON.stringify(validate.errors));
  return report;
}

// Six rows: a gap time, a fall-back time, a summer time without offset and one with Z.
const SMALL = ['user,timestamp,rtt_ms',
  'alice,2026-03-08 01:30:00,20', 'alice,2026-03-08 02:30:00,21', 'alice,2026-03-08 03:30:00,22',
  'alice,2026-11-01 01:30:00,23', 'alice,2026-07-01 12:00:00,24', 'alice,2026-07-01T12:00:00Z,25'].join('\n') + '\n';

test('scan --assume-tz: offset-less times moved, times with Z not; the gap row rejected, the ambiguous one counted, the header says so', () => {
  const path = join(tmp, 'small.csv');
  writeFileSync(path, SMALL);
  // --since 15:00Z on July 1: 12:00 read as UTC is before it, 12:00 New York (16:00Z) after it; 12:00Z stays before.
  const window = ['--since', '2026-07-01T15:00:00Z', '--min-samples', '2'];
  const before = scanJson([path, ...window]);
  assert.equal(before.header.timeWindow.outsideWindow, 5);
  assert.ok(before.header.warnings.some((w) => w.endsWith('timestamps without a UTC offset were read as UTC')));
  assert.equal(before.header.assumedTimeZone, undefined);

  const after = scanJson([path, ...window, '--assume-tz', 'America/New_York']);
  // 01:30 and 03:30 of March 8 and 12:00Z are before; 02:30 is rejected.
  assert.equal(after.header.timeWindow.outsideWindow, 3);
  assert.deepEqual(after.header.rejections, [{ reason: 'time_in_dst_gap', count: 1 }]);
  assert.deepEqual(after.header.assumedTimeZone, { zone: 'America/New_York', samples: 4, ambiguous: 1, nonexistent: 1 });
  assert.equal(after.header.inputs[0]!.timeFormat, 'ISO 8601 with UTC offset; ISO 8601 without offset, read in America/New_York (--assume-tz)');
  assert.ok(!after.header.warnings.some((w) => w.includes('read as UTC')), after.header.warnings.join(' | '));
  assert.ok(after.header.warnings.includes(`${path}: timestamps without a UTC offset were read as wall-clock times in America/New_York (--assume-tz): 4 samples; `
    + '1 of them at a time the clocks showed twice (they went back), read as the first, the earlier instant; '
    + '1 row at a time the clocks skipped (they went forward) rejected as time_in_dst_gap'), after.header.warnings.join(' | '));
});

test('--assume-tz with a zone that is none: one line, exit 2', () => {
  const path = join(tmp, 'small-bad.csv');
  writeFileSync(path, SMALL);
  for (const command of [['scan', path], ['baseline', 'build', path], ['inspect', 'alice', path]]) {
    const r = runCli([...command, '--assume-tz', 'Mars/Olympus_Mons']);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, "keylag: error: --assume-tz 'Mars/Olympus_Mons' is no time zone (expected an IANA time zone such as America/Chicago or Europe/Berlin, UTC, or a UTC offset such as +02:00)\n");
  }
});

test('activity hours: the sample with its Z removed is assessed again with --assume-tz UTC, exactly as the sample as shipped', () => {
  const activity = (report: Report): string[] => report.accounts.flatMap((a) => a.evidence.filter((e) => e.signal === 'activity_hours').map((e) => `${a.account}: ${e.sentence}`));
  const shipped = scanJson([SAMPLE, '--roster', ROSTER]);
  const offsetless = join(tmp, 'sessions-local.csv');
  writeFileSync(offsetless, readFileSync(join(REPO_ROOT, SAMPLE), 'utf8').replace(/(\d\d:\d\d:\d\d\.\d+)Z,/g, '$1,'));
  // Without the option: held back (activity-offset.test.ts).
  assert.deepEqual(activity(scanJson([offsetless, '--roster', ROSTER])), []);
  const asUtc = scanJson([offsetless, '--roster', ROSTER, '--assume-tz', 'UTC']);
  assert.ok(activity(shipped).length >= 150);
  assert.deepEqual(activity(asUtc), activity(shipped));
  assert.ok(!asUtc.header.warnings.some((w) => w.startsWith('activity hours not assessed')), asUtc.header.warnings.join(' | '));
  assert.equal(asUtc.header.assumedTimeZone!.samples, shipped.header.samplesUsed);
  // In another zone the same wall times are other instants: assessed, with other hours.
  const asTokyo = scanJson([offsetless, '--roster', ROSTER, '--assume-tz', 'Asia/Tokyo']);
  assert.ok(activity(asTokyo).length > 0);
  assert.notDeepEqual(activity(asTokyo), activity(shipped));
  assert.ok(!asTokyo.header.warnings.some((w) => w.startsWith('activity hours not assessed')));
});

test('baseline build and inspect take --assume-tz: the profile\'s period and the floor rows follow the zone', () => {
  const path = join(tmp, 'small-build.csv');
  writeFileSync(path, SMALL);
  const build = runCli(['baseline', 'build', path, '--assume-tz', 'Asia/Tokyo']);
  assert.equal(build.status, 0, build.stderr);
  assert.match(build.stderr, /read as wall-clock times in Asia\/Tokyo \(--assume-tz\): 5 samples/);
  // 2026-03-08 01:30 in Tokyo (+09:00) is 2026-03-07T16:30Z: the period starts the day before.
  const profile = JSON.parse(build.stdout) as { period: { first: string; last: string } };
  assert.equal(profile.period.first, '2026-03-07T16:30:00.000Z');
  const inspect = runCli(['inspect', 'alice', path, '--assume-tz', 'America/New_York', '--format', 'json', '--min-samples', '2']);
  assert.equal(inspect.status, 0, inspect.stderr);
  const report = JSON.parse(inspect.stdout) as { header: Report['header']; floorRows: { status: string; kinds: { rows: { role: string; valueMs: number }[] }[] } };
  assert.deepEqual(report.header.assumedTimeZone, { zone: 'America/New_York', samples: 4, ambiguous: 1, nonexistent: 1 });
  assert.equal(report.floorRows.status, 'found');
  assert.equal(report.floorRows.kinds[0]!.rows.find((r) => r.role === 'floor')!.valueMs, 20);
});

test('extract takes --assume-tz as scan does: the extract\'s times are the instants, the gap row rejected and said on stderr', () => {
  // Before: "error: unknown option '--assume-tz'" (exit 2); extract read the file's times as UTC.
  const path = join(tmp, 'small-extract.csv');
  writeFileSync(path, SMALL);
  const r = runCli(['extract', path, '--assume-tz', 'America/New_York']);
  assert.equal(r.status, 0, r.stderr);
  const times = r.stdout.trim().split('\n').slice(1).map((row) => Number(row.split(',')[0]));
  assert.deepEqual(times, [
    Date.UTC(2026, 2, 8, 6, 30), Date.UTC(2026, 2, 8, 7, 30), Date.UTC(2026, 10, 1, 5, 30), Date.UTC(2026, 6, 1, 16, 0), Date.UTC(2026, 6, 1, 12, 0),
  ].map((ms) => ms * 1000));
  assert.equal(r.stderr, 'keylag: timestamps without a UTC offset were read as wall-clock times in America/New_York (--assume-tz): 4 samples; '
    + '1 of them at a time the clocks showed twice (they went back), read as the first, the earlier instant; '
    + '1 row at a time the clocks skipped (they went forward) rejected as time_in_dst_gap\n');
  // Scanned back, the extract needs no zone: its times are epoch microseconds.
  const extract = join(tmp, 'small-extract.out.csv');
  writeFileSync(extract, r.stdout);
  const direct = scanJson([path, '--assume-tz', 'America/New_York', '--min-samples', '2']);
  const again = scanJson([extract, '--min-samples', '2']);
  assert.equal(again.header.samplesUsed, direct.header.samplesUsed);
  const bad = runCli(['extract', path, '--assume-tz', 'EST']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^keylag: error: --assume-tz 'EST' is an abbreviation/);
});

test('scan --assume-tz reads an Azure portal export made in the display time zone (TimeGenerated [Local Time]); without it, refused naming the flag', () => {
  const connections = join(tmp, 'WVDConnections.csv');
  const network = join(tmp, 'WVDConnectionNetworkData.csv');
  writeFileSync(connections, '"TimeGenerated [Local Time]",CorrelationId,UserName,State,ClientSideIPAddress,SessionHostName\n'
    + '"3/2/2026, 9:00:00.000 AM","c1",ann@corp.example,Connected,"198.51.100.7","sh-1"\n');
  writeFileSync(network, '"TimeGenerated [Local Time]",CorrelationId,EstRoundTripTimeInMs,EstAvailableBandwidthKBps\n'
    + Array.from({ length: 6 }, (_, i) => `"3/${13 + i}/2026, 9:00:00.000 AM","c1",${20 + i},5000\n`).join(''));
  const refused = runCli(['scan', connections, network]);
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /the portal wrote its times in the display time zone \(Local Time\).*or name that zone with --assume-tz ZONE/);
  const r = scanJson([connections, network, '--assume-tz', 'Europe/Berlin', '--min-samples', '2', '--since', '2026-03-13T08:00:00Z', '--until', '2026-03-18T08:00:01Z']);
  // 9:00 in Berlin is 08:00Z (+01:00 until March 29): every sample inside the window that ends at 08:00:01Z.
  assert.equal(r.header.timeWindow.outsideWindow, 0);
  assert.equal(r.header.samplesUsed, 6);
  assert.deepEqual(r.header.assumedTimeZone, { zone: 'Europe/Berlin', samples: 6, ambiguous: 0, nonexistent: 0 });
  assert.ok(r.header.warnings.includes(`${network}: timestamps without a UTC offset were read as wall-clock times in Europe/Berlin (--assume-tz): 6 samples`), r.header.warnings.join(' | '));
});
