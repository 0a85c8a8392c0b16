// Account names merged by normalisation across domains are told of (src/ingest/accounts.ts
// mixedDomains, mergedDomainsWarning; shown by scans and baseline builds).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mixedDomains } from '../src/ingest/accounts.js';
import { runCli } from './helpers/cli.js';

test('mixedDomains: two email or two Windows domains are mixed; one of each kind is the usual one person', () => {
  assert.deepEqual(mixedDomains(['jdoe@corp.example', 'jdoe@vendor.example']), ['@corp.example', '@vendor.example']);
  assert.deepEqual(mixedDomains(['CORP\\jdoe', 'VENDOR\\jdoe', 'jdoe']), ['corp\\', 'vendor\\']);
  assert.deepEqual(mixedDomains(['CORP\\jdoe', 'jdoe@corp.example', 'JDoe']), []);
  // Case and Unicode width do not make another domain.
  assert.deepEqual(mixedDomains(['jdoe@Corp.Example', 'jdoe@corp.example', 'ＣＯＲＰ\\jdoe', 'corp\\jdoe']), []);
  assert.deepEqual(mixedDomains(['jdoe', 'jdoe@']), []);
});

test('a scan warns of accounts that gather names from two domains, naming them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keylag-accounts-'));
  const path = join(dir, 'merged.csv');
  const rows = ['user,timestamp,rtt_ms'];
  for (let i = 10; i < 50; i++) {
    rows.push(`jdoe@corp.example,2026-03-02T10:00:${i}Z,20`, `jdoe@vendor.example,2026-03-02T10:01:${i}Z,150`, `CORP\\amy,2026-03-02T10:02:${i}Z,21`, `amy@corp.example,2026-03-02T10:03:${i}Z,22`);
  }
  writeFileSync(path, rows.join('\n') + '\n');
  const r = runCli(['scan', path, '--format', 'json']);
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { header: { warnings: string[] } };
  const warning = report.header.warnings.find((w) => w.includes('more than one domain'));
  assert.ok(warning !== undefined, report.header.warnings.join(' | '));
  assert.match(warning, /^1 account gathers names from more than one domain/);
  assert.ok(warning.includes('jdoe (@corp.example, @vendor.example)'), warning);
  assert.ok(!warning.includes('amy'), warning);
});

test('a baseline build warns of the same merged accounts on stderr', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keylag-accounts-'));
  const path = join(dir, 'merged.csv');
  const rows = ['user,timestamp,rtt_ms'];
  for (let i = 10; i < 50; i++) rows.push(`jdoe@corp.example,2026-03-02T10:00:${i}Z,20`, `jdoe@vendor.example,2026-03-02T10:01:${i}Z,150`);
  writeFileSync(path, rows.join('\n') + '\n');
  const r = runCli(['baseline', 'build', path, '-o', join(dir, 'profile.json')]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /warning: 1 account gathers names from more than one domain.*jdoe \(@corp\.example, @vendor\.example\)/);
});
