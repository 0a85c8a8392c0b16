// The CLI with the case-report formats: `--format html|md`, `-o` writing chart files beside a
// Markdown report (each listed on stderr with its SHA-256), and byte-identical output.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROSTER, runCli, SAMPLE } from './helpers/cli.js';
import { chartDirFor } from '../src/cli/output.js';

const tmp = mkdtempSync(join(tmpdir(), 'keylag-report-files-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const sha = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

test('chartDirFor: a folder named after the report, beside it', () => {
  assert.equal(chartDirFor('out/case-42.md'), 'case-42-charts');
  assert.equal(chartDirFor('report'), 'report-charts');
  assert.equal(chartDirFor('/tmp/a.b.md'), 'a.b-charts');
});

test('scan --format md -o: the report and its chart SVGs beside it, each named on stderr with its SHA-256', () => {
  const out = join(tmp, 'case.md');
  const r = runCli(['scan', SAMPLE, '--roster', ROSTER, '--format', 'md', '-o', out]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '');
  const md = readFileSync(out, 'utf8');
  const charts = readdirSync(join(tmp, 'case-charts')).sort();
  // Three flagged accounts on the sample (lucia.lee, svc-backup and wpatel): a histogram and a floor chart each.
  assert.deepEqual(charts, [1, 2, 3].flatMap((i) => [`case-${i}-floor-input_lag.svg`, `case-${i}-histogram-input_lag.svg`]));
  const links = [...md.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]!);
  assert.deepEqual(links.sort(), charts.map((c) => `case-charts/${c}`));
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 7);
  assert.equal(lines[0], `keylag: wrote ${out} (sha256 ${sha(md)})`);
  for (const c of charts) {
    const p = join(tmp, 'case-charts', c);
    const text = readFileSync(p, 'utf8');
    assert.ok(text.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
    assert.ok(lines.includes(`keylag: wrote ${p} (sha256 ${sha(text)})`), p);
  }
  assert.match(md, /^### 1\. lucia\\\.lee \(FLAGGED\)$/m);
});

test('scan --format md to stdout: no files, a note instead of the charts', () => {
  const r = runCli(['scan', SAMPLE, '--roster', ROSTER, '--format', 'md'], { cwd: undefined });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(r.stdout.startsWith('# Latency forensics report\n'));
  assert.ok(r.stdout.includes('_Charts omitted: this report went to standard output.'));
  assert.ok(!r.stdout.includes('!['));
  assert.equal(r.stderr, '');
});

test('scan --format html: the same bytes whatever the time zone and locale', () => {
  const a = runCli(['scan', SAMPLE, '--roster', ROSTER, '--format', 'html'], { env: { TZ: 'UTC', LANG: 'C' } });
  const b = runCli(['scan', SAMPLE, '--roster', ROSTER, '--format', 'html'], { env: { TZ: 'Asia/Kolkata', LANG: 'de_DE.UTF-8', LC_ALL: 'de_DE.UTF-8' } });
  assert.equal(a.status, 0, a.stderr);
  assert.ok(a.stdout.startsWith('<!DOCTYPE html>'));
  assert.ok(a.stdout.includes('<article class="case" id="case-1" data-account="lucia.lee">'));
  assert.equal(a.stdout, b.stdout);
  assert.equal(existsSync(join(tmp, 'report-charts')), false);
});

test('scan --help lists md and html; an unknown format is a usage error', () => {
  const help = runCli(['scan', '--help']);
  assert.match(help.stdout.replace(/\s+/g, ' '), /choices: "table", "json", "jsonl", "csv", "md", "html"/);
  const bad = runCli(['scan', SAMPLE, '--format', 'pdf']);
  assert.equal(bad.status, 2);
});
