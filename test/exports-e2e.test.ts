// End to end (issue 9): a directory of mixed session exports, read with no format flags.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, REPO_ROOT } from './helpers/cli.js';
import { writeExports, avdExports, exportPopulation, PLANTED } from '../fixtures/generate-exports.js';

interface JsonAccount { account: string; rank: number | null; score: number; flagged: boolean; status: string; kinds: { kind: string; n: number }[] }
interface JsonInput { path: string; format: string | null; status: string; samples: number; notes: string[] }
interface JsonReport { header: { inputs: JsonInput[]; rejections: { reason: string; count: number }[] }; accounts: JsonAccount[] }

test('keylag scan fixtures/exports/: every export detected, the planted account ranks first and is the only one flagged', () => {
  const r = runCli(['scan', 'fixtures/exports/', '--format', 'json']);
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as JsonReport;
  const formats = Object.fromEntries(report.header.inputs.map((i) => [i.path.replace('fixtures/exports/', ''), i.format?.split(':')[0]]));
  assert.deepEqual(formats, {
    'avd/WVDConnectionNetworkData.csv': 'avd',
    'avd/WVDConnections.csv': 'avd-connections',
    'citrix/SessionMetrics.json': 'citrix',
    'citrix/Sessions.json': 'citrix-side',
    'citrix/Users.json': 'citrix-side',
    'perfcounters/VDI-01.qwinsta.txt': 'sessions',
    'perfcounters/VDI-01_remotefx.csv': 'perfcounters',
    'recordings/alice.cast': 'asciicast',
    'recordings/bob.server.cast': 'asciicast',
    'recordings/carol.io': 'script-log',
    'recordings/carol.tm': 'script-timing',
    'recordings/dave.tlog': 'tlog',
    'recordings/mallory.cast': 'asciicast',
    'recordings/mallory.server.cast': 'asciicast',
    'recordings/mallory.tlog': 'tlog',
  });
  assert.ok(report.header.inputs.every((i) => i.status === 'read'));
  assert.deepEqual(report.header.rejections, []);
  const top = report.accounts[0]!;
  assert.equal(top.account, PLANTED);
  assert.equal(top.rank, 1);
  assert.equal(top.flagged, true);
  assert.deepEqual(top.kinds.map((k) => k.kind).sort(), ['app_rtt', 'keystroke_interval', 'reaction', 'rtt']);
  const flagged = report.accounts.filter((a) => a.flagged).map((a) => a.account);
  assert.deepEqual(flagged, [PLANTED], 'honest accounts stay quiet');
  const quiet = report.accounts.filter((a) => a.account !== PLANTED && a.status === 'scored');
  assert.ok(quiet.length >= 20 && quiet.every((a) => a.score < 40), quiet.map((a) => `${a.account}=${a.score}`).join(' '));
  // the report says which side each recording is from and where its account came from
  const alice = report.header.inputs.find((i) => i.path.endsWith('alice.cast'))!;
  assert.ok(alice.notes.some((n) => /^recording side: client/.test(n)) && alice.notes.includes('account alice, from the file name (alice)'));
  const bob = report.header.inputs.find((i) => i.path.endsWith('bob.server.cast'))!;
  assert.ok(bob.notes.some((n) => /^recording side: server/.test(n)));
});

test('the generated exports are the committed ones (seeded, byte for byte)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keylag-exports-'));
  for (const rel of writeExports(dir)) {
    assert.equal(readFileSync(join(dir, rel), 'utf8'), readFileSync(join(REPO_ROOT, 'fixtures/exports', rel), 'utf8'), rel);
  }
  assert.deepEqual(readdirSync(join(REPO_ROOT, 'fixtures/exports')).sort(), ['avd', 'citrix', 'perfcounters', 'recordings']);
});

test('--date-order and --sessions reach the adapters; an undecidable day/month order exits 2 with a clear line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keylag-avd-'));
  const files = avdExports({ accounts: exportPopulation().slice(0, 2), startMs: Date.UTC(2025, 2, 4), days: 1, connectionsPerAccount: 1, rowsPerConnection: 31 });
  writeFileSync(join(dir, 'net.csv'), files.network);
  writeFileSync(join(dir, 'conn.csv'), files.connections);
  const bad = runCli(['scan', join(dir, 'net.csv'), join(dir, 'conn.csv')]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /net\.csv:2: the day\/month order of these dates cannot be decided from the data .*give --date-order mdy or dmy/);
  const ok = runCli(['scan', join(dir, 'net.csv'), join(dir, 'conn.csv'), '--date-order', 'mdy', '--format', 'json']);
  assert.equal(ok.status, 0, ok.stderr);
  const report = JSON.parse(ok.stdout) as JsonReport;
  assert.deepEqual(report.accounts.map((a) => a.account).sort(), ['alice', 'bob']);
  assert.equal(runCli(['scan', join(dir, 'net.csv'), '--date-order', 'ymd']).status, 2);
  // --sessions: the qwinsta listing given as an option instead of an input
  const perf = runCli(['scan', 'fixtures/exports/perfcounters/VDI-01_remotefx.csv', '--sessions', 'fixtures/exports/perfcounters/VDI-01.qwinsta.txt', '--format', 'json']);
  assert.equal(perf.status, 0, perf.stderr);
  assert.equal((JSON.parse(perf.stdout) as JsonReport).accounts.length, 7);
  const none = runCli(['scan', 'fixtures/exports/perfcounters/VDI-01_remotefx.csv']);
  assert.equal(none.status, 2);
  assert.match(none.stderr, /name sessions, not accounts/);
});

test('keylag formats lists every preset with a one-line example', () => {
  const r = runCli(['formats']);
  assert.equal(r.status, 0, r.stderr);
  for (const name of ['avd', 'avd-connections', 'perfcounters', 'sessions', 'citrix', 'citrix-side', 'asciicast', 'script-timing', 'script-log']) {
    assert.match(r.stdout, new RegExp(`^${name}\\n  .+\\n  example:`, 'm'), name);
  }
});
