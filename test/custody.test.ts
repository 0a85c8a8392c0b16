// Chain of custody and determinism (issue 10): inputs only read, header records what was read and
// by whom, `keylag verify` re-hashes, and the ranking does not depend on row order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, statSync, copyFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, REPO_ROOT, SAMPLE, ROSTER } from './helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'keylag-custody-'));
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

test('the header records SHA-256, size, mtime, arguments, case id and analyst; inputs are untouched', () => {
  const input = join(tmp, 'sessions.csv');
  copyFileSync(join(REPO_ROOT, SAMPLE), input);
  const before = statSync(input);
  const beforeSha = sha(input);
  const r = runCli(['scan', input, '--roster', ROSTER, '--format', 'json', '--case-id', 'IR-7', '--analyst', 'Dana']);
  assert.equal(r.status, 0, r.stderr);
  const h = JSON.parse(r.stdout).header;
  assert.equal(h.caseId, 'IR-7');
  assert.equal(h.analyst, 'Dana');
  assert.deepEqual(h.arguments, ['scan', input, '--roster', ROSTER, '--format', 'json', '--case-id', 'IR-7', '--analyst', 'Dana']);
  assert.equal(h.inputs[0].sha256, beforeSha);
  assert.equal(h.inputs[0].sizeBytes, before.size);
  assert.equal(h.inputs[0].mtime, before.mtime.toISOString());
  assert.equal(h.roster.sha256, sha(join(REPO_ROOT, ROSTER)));
  const after = statSync(input);
  assert.equal(sha(input), beforeSha);
  assert.equal(after.mtimeMs, before.mtimeMs);
});

test('keylag verify: match, then a changed input is a mismatch (exit 1), a bad report exit 2', () => {
  const input = join(tmp, 'evidence.csv');
  copyFileSync(join(REPO_ROOT, SAMPLE), input);
  const report = join(tmp, 'report.json');
  const scan = runCli(['scan', input, '--roster', ROSTER, '--format', 'json', '-o', report]);
  assert.equal(scan.status, 0, scan.stderr);
  const reportSha = /sha256 ([0-9a-f]{64})/.exec(scan.stderr)![1];
  assert.equal(reportSha, sha(report), 'the SHA-256 printed on stderr is the written report\'s');

  const ok = runCli(['verify', report, input, ROSTER]);
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /^MATCH +.*evidence\.csv/m);
  assert.match(ok.stdout, /verified: all 2 inputs match/);

  writeFileSync(input, readFileSync(input, 'utf8').replace('latency_ms', 'latency_ms '));
  const bad = runCli(['verify', report, input, ROSTER]);
  assert.equal(bad.status, 1);
  assert.match(bad.stdout, /^MISMATCH +.*evidence\.csv .*content changed since the report was made/m);
  assert.match(bad.stdout, /NOT verified: 1 of 2 inputs differ/);

  const missing = runCli(['verify', report, ROSTER]);
  assert.equal(missing.status, 1);
  assert.match(missing.stdout, /^NOT GIVEN +.*evidence\.csv/m);

  const notReport = runCli(['verify', input]);
  assert.equal(notReport.status, 2);
  assert.match(notReport.stderr, /not a JSON report/);
});

test('the ranking and every score do not depend on the order of rows within a file', () => {
  const lines = readFileSync(join(REPO_ROOT, SAMPLE), 'utf8').trimEnd().split('\n');
  const [header, ...rows] = lines;
  // A fixed permutation (multiplicative stride), no randomness.
  const n = rows.length;
  const stride = 7919;
  const shuffled = rows.map((_, i) => rows[(i * stride) % n]!);
  assert.equal(new Set(shuffled).size, new Set(rows).size);
  const path = join(tmp, 'shuffled.csv');
  writeFileSync(path, [header, ...shuffled].join('\n') + '\n');
  const a = JSON.parse(runCli(['scan', SAMPLE, '--roster', ROSTER, '--format', 'json']).stdout);
  const b = JSON.parse(runCli(['scan', path, '--roster', ROSTER, '--format', 'json']).stdout);
  const view = (r: { accounts: { account: string; rank: number | null; score: number; floorMs: number | null }[] }) =>
    r.accounts.map((x) => [x.account, x.rank, x.score, x.floorMs]);
  assert.deepEqual(view(b), view(a));
});
