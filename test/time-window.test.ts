// --since/--until as an analyst gives them, on timing exports as they are written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'keylag-window-'));

/** alice's 40 samples on 2 November 2026, bob's 40 on 2 October (UTC). */
function twoMonths(): string {
  const lines = ['user,timestamp,rtt_ms'];
  for (let i = 0; i < 40; i++) {
    const mm = String(10 + i).padStart(2, '0');
    lines.push(`alice,2026-11-02T10:${mm}:00Z,${20 + (i % 7)}`);
    lines.push(`bob,2026-10-02T10:${mm}:00Z,${30 + (i % 7)}`);
  }
  const path = join(tmp, 'two-months.csv');
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

interface Report {
  header: { samplesUsed: number; timeWindow: { since: string | null; until: string | null; outsideWindow: number } };
  accounts: { account: string; samples: number; kinds: { kind: string; n: number }[] }[];
}

test('a window that leaves an account no sample reports the others (it crashed: quantileRank n 0)', () => {
  const input = twoMonths();
  const r = runCli(['scan', input, '--since', '2026-11-01', '--format', 'json']);
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as Report;
  assert.deepEqual(report.accounts.map((a) => [a.account, a.samples, a.kinds.map((k) => `${k.kind} ${k.n}`)]), [['alice', 40, ['rtt 40']]]);
  assert.equal(report.header.samplesUsed, 40);
  assert.equal(report.header.timeWindow.outsideWindow, 40);
  // Both ends: bob alone with --until.
  const until = runCli(['scan', input, '--until', '2026-11-01', '--format', 'json']);
  assert.equal(until.status, 0, until.stderr);
  assert.deepEqual((JSON.parse(until.stdout) as Report).accounts.map((a) => [a.account, a.samples]), [['bob', 40]]);
});

test('a window that holds no sample at all stops with exit 2, naming the times the input has', () => {
  const r = runCli(['scan', twoMonths(), '--since', '2027-01-01', '--format', 'json']);
  assert.equal(r.status, 2, r.stdout);
  assert.equal(r.stderr, 'keylag: error: no sample inside --since/--until (2027-01-01 .. (end)): all 80 samples read are outside it, '
    + 'from 2026-10-02T10:10:00.000Z to 2026-11-02T10:49:00.000Z\n');
});

test('a year or a date without dashes as a bound is refused, not read as epoch seconds of 1970', () => {
  const input = twoMonths();
  // Before: --since 2026 was 1970-01-01T00:33:46Z (nothing left out), --until 20261101 1970-08-23 (everything).
  for (const [flag, text, read] of [
    ['--since', '2026', 'epoch seconds, 1970-01-01T00:33:46.000Z'],
    ['--until', '20261101', 'epoch seconds, 1970-08-23T12:05:01.000Z'],
    ['--since', '0', 'epoch seconds, 1970-01-01T00:00:00.000Z'],
  ] as const) {
    const r = runCli(['scan', input, flag, text, '--format', 'json']);
    assert.equal(r.status, 2, `${flag} ${text}: ${r.stdout.slice(0, 200)}`);
    assert.equal(r.stderr, `keylag: error: ${flag} '${text}' reads as ${read}, outside 1990..2099 (a date is written 2026-03-02)\n`);
  }
  // Epoch values in range and ISO dates stay as they were: seconds, milliseconds, an offset.
  for (const [text, since] of [
    ['1793491200', '2026-11-01T00:00:00.000Z'],
    ['1793491200000', '2026-11-01T00:00:00.000Z'],
    ['2026-11-01T12:00-05:00', '2026-11-01T17:00:00.000Z'],
  ]) {
    const r = runCli(['scan', input, '--since', text, '--format', 'json']);
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout) as Report;
    assert.equal(report.header.timeWindow.since, since);
    assert.deepEqual(report.accounts.map((a) => a.account), ['alice']);
  }
});
