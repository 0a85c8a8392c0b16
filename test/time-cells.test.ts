// Time cells as spreadsheets save them: rejected with why, never read as another time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'keylag-time-cells-'));

test('an epoch in scientific notation and an Excel date serial are rejected saying what they are', () => {
  const lines = ['user,timestamp,rtt_ms'];
  for (let i = 0; i < 30; i++) lines.push(`alice,${1_796_676_212 + i * 60},${20 + (i % 5)}`);
  // Excel's General format: epoch seconds shown (and saved) as 1.7967E+09; a date column as its serial.
  lines.push('alice,1.7967E+09,21', 'alice,1.796676212E+12,22', 'alice,46363.86,23', 'alice,46363,24');
  const input = join(tmp, 'excel.csv');
  const rejects = join(tmp, 'excel.rejects');
  writeFileSync(input, lines.join('\n') + '\n');
  const r = runCli(['scan', input, '--rejects', rejects, '--format', 'json']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(readFileSync(rejects, 'utf8'), [
    `${input}:32: time_unparseable: 1.7967E+09 (a number in scientific notation, as Excel saves a long number, keeping 5 significant digits: not read as a time; save the column formatted as Number with 0 decimals)`,
    `${input}:33: time_unparseable: 1.796676212E+12 (a number in scientific notation, as Excel saves a long number, keeping 10 significant digits: not read as a time; save the column formatted as Number with 0 decimals)`,
    `${input}:34: time_out_of_range: 46363.86 (outside 1990..2099: an Excel date serial number? it would be 2026-12-07T20:38:24.000Z; save the column formatted as a date and time)`,
    `${input}:35: time_out_of_range: 46363 (outside 1990..2099: an Excel date serial number? it would be 2026-12-07T00:00:00.000Z; save the column formatted as a date and time)`,
  ].join('\n') + '\n');
  const report = JSON.parse(r.stdout) as { accounts: { kinds: { n: number }[] }[] };
  assert.equal(report.accounts[0]!.kinds[0]!.n, 30);
});

test('times with an English month name, as JavaScript and Java write en-US dates: read, offset-less ones warned of', () => {
  const lines = ['user,timestamp,rtt_ms'];
  // What `new Date(ms).toLocaleString('en-US', { timeZone: 'UTC', dateStyle: 'medium', timeStyle: 'medium' })`
  // prints on Node 20 (U+202F before AM/PM), 30 rows a minute apart from 2026-12-07T14:50:00Z.
  const start = Date.UTC(2026, 11, 7, 14, 50);
  const cells = Array.from({ length: 30 }, (_, i) => new Date(start + i * 60_000).toLocaleString('en-US', { timeZone: 'UTC', dateStyle: 'medium', timeStyle: 'medium' }));
  cells.forEach((cell, i) => lines.push(`alice,"${cell}",${20 + (i % 5)}`));
  const input = join(tmp, 'month-names.csv');
  writeFileSync(input, lines.join('\n') + '\n');
  const r = runCli(['scan', input, '--format', 'json']);
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as {
    header: { inputs: { timeFormat: string }[]; warnings: string[] };
    accounts: { kinds: { n: number; firstTimeUs: number; lastTimeUs: number }[] }[];
  };
  assert.equal(report.header.inputs[0]!.timeFormat, 'date with an English month name (Mar 2, 2026, 2:03:11 PM) without offset, read as UTC');
  assert.ok(report.header.warnings.includes(`${input}: timestamps without a UTC offset were read as UTC`), report.header.warnings.join('\n'));
  const kind = report.accounts[0]!.kinds[0]!;
  assert.deepEqual([kind.n, kind.firstTimeUs, kind.lastTimeUs], [30, start * 1000, (start + 29 * 60_000) * 1000]);
});
