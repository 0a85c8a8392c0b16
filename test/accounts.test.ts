// Account names merged by normalisation across domains are told of (src/ingest/accounts.ts
// mixedDomains, mergedDomainsWarning; shown by scans and baseline builds).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAccountPlaceholder, lostRowsWarning, mixedDomains, normaliseAccount } from '../src/ingest/accounts.js';
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

test('placeholders for no user name no account; a mailbox with its display name is its address', () => {
  for (const placeholder of ['-', '--', '—', 'N/A', '#N/A', 'NULL', '(null)', 'none', '(None)', 'unknown', ' Unknown ', '?', 'undefined']) {
    assert.equal(normaliseAccount(placeholder), '', placeholder);
    assert.ok(isAccountPlaceholder(placeholder), placeholder);
  }
  // Names that only contain such words stay names.
  for (const name of ['nullman', 'none.smith', 'unknown1', 'a-b', 'CORP\\null-svc']) assert.notEqual(normaliseAccount(name), '', name);
  assert.equal(normaliseAccount('John Doe <JDoe@corp.example>'), 'jdoe');
  assert.equal(normaliseAccount('"Doe, John" <jdoe@corp.example>'), 'jdoe');
  assert.deepEqual(mixedDomains(['John Doe <jdoe@corp.example>', 'jdoe@vendor.example']), ['@corp.example', '@vendor.example']);
});

test('a scan counts rows whose user cell is a placeholder as account_missing, not as an account', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keylag-accounts-'));
  const path = join(dir, 'splunk.csv');
  const rows = ['_time,user,latency_ms'];
  for (let i = 10; i < 40; i++) {
    rows.push(`2026-03-02T10:00:${i}.000+0000,alice,20`, `2026-03-02T10:01:${i}.000+0000,-,35`, `2026-03-02T10:02:${i}.000+0000,NULL,36`,
      `2026-03-02T10:03:${i}.000+0000,Bob Smith <bob@corp.example>,22`, `2026-03-02T10:04:${i}.000+0000,carol,21`, `2026-03-02T10:05:${i}.000+0000,dave,23`);
  }
  writeFileSync(path, rows.join('\n') + '\n');
  const r = runCli(['scan', path, '--format', 'json']);
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { accounts: { account: string; aliases: string[] }[]; header: { rejections: { reason: string; count: number }[] } };
  assert.deepEqual(report.accounts.map((a) => a.account).sort(), ['alice', 'bob', 'carol', 'dave']);
  assert.deepEqual(report.accounts.find((a) => a.account === 'bob')!.aliases, ['Bob Smith <bob@corp.example>']);
  assert.deepEqual(report.header.rejections, [{ reason: 'account_missing', count: 60 }]);
});

test('a baseline build whose every row is rejected is an input error (exit 2), as a scan is, and writes no profile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keylag-accounts-'));
  const path = join(dir, 'kibana-old.csv');
  const rows = ['user,timestamp,rtt_ms'];
  for (let i = 10; i < 40; i++) rows.push(`jdoe,March 2nd 2026 10:00:${i},20`);
  writeFileSync(path, rows.join('\n') + '\n');
  const out = join(dir, 'profile.json');
  const r = runCli(['baseline', 'build', path, '-o', out]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /kibana-old\.csv:2: no sample read, every row rejected \(time_unparseable 30\)/);
  assert.equal(existsSync(out), false);
});

test('no-entry words: value, user and location cells agree on the core list (one list, src/placeholders.ts)', async () => {
  const { isAccountPlaceholder } = await import('../src/ingest/accounts.js');
  const { parseLatency } = await import('../src/ingest/adapters/generic.js');
  const { resolvePlace } = await import('../src/geo/gazetteer.js');
  // Before: '#N/A' and 'nil' were looked up as places, 'unknown' and 'undefined' read as values' text, '???' a value's.
  for (const word of ['N/A', '#N/A', 'NULL', 'nil', 'None', 'unknown', 'undefined', '-', '---', '\u2014', '?', '???']) {
    assert.ok(isAccountPlaceholder(word), `user ${word}`);
    const value = parseLatency(word, 1);
    assert.ok(!value.ok && value.reason === 'value_missing', `value ${word}: ${JSON.stringify(value)}`);
    const place = resolvePlace(word);
    assert.ok(!place.ok && place.reason === `'${word}' names no place`, `location ${word}: ${place.ok ? place.place.label : place.reason}`);
  }
  // Each domain's own words stay its own: 'Remote' is no place but may be a user's name.
  assert.ok(!isAccountPlaceholder('remote'));
  assert.ok(!resolvePlace('Remote').ok);
  assert.ok(isAccountPlaceholder('(no user)') && isAccountPlaceholder('(null)'));
  // 'NA' without a slash: no value and no place, but a login it may be.
  assert.ok(!isAccountPlaceholder('na'));
  assert.ok(!resolvePlace('NA').ok);
  assert.equal((parseLatency('NA', 1) as { reason?: string }).reason, 'value_missing');
});

test('lostRowsWarning: accounts that lost 20 % or more of their rows to rejections, worst first, read as accounts as samples are', () => {
  const rejected = new Map([['Mallory@corp.example', 40], ['MALLORY', 2], ['bob', 10], ['carol', 2], ['dave', 9], ['svc-x', 50]]);
  const used = new Map([['bob', 30], ['carol', 3], ['dave', 60]]);
  const w = lostRowsWarning(rejected, (k) => used.get(k) ?? 0, (k) => k === 'svc-x');
  // mallory's two spellings are one account with none left; bob 10 of 40; carol under LOST_ROWS_MIN
  // (2 rows, though 40 %); dave 9 of 69 (13 %) under the share; svc-x excluded.
  assert.equal(w, '2 accounts lost 20 % or more of their rows to rejections, so their figures rest on the rows left: '
    + 'mallory 42 of 42 (none left: not in the report); bob 10 of 40 (25 %) (--rejects FILE lists the rows)');
  assert.equal(lostRowsWarning(new Map([['carol', 2]]), () => 3, () => false), null);
  // A single rejected row of an account with nothing else is still an account gone from the report.
  assert.match(lostRowsWarning(new Map([['erin', 1]]), () => 0, () => false) ?? '', /^1 account lost 20 % or more of its rows .*: erin 1 of 1 \(none left: not in the report\)/);
});

test('a scan names the accounts that lost most of their rows (thousands written "1,183" are rejected, not read)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keylag-lost-'));
  const path = join(dir, 'lost.csv');
  const lines = ['user,timestamp,rtt_ms'];
  for (let i = 10; i < 50; i++) lines.push(`alice,2026-03-01T10:00:${i}Z,21.5`, `mallory,2026-03-01T10:00:${i}Z,"1,183"`);
  writeFileSync(path, lines.join('\n') + '\n');
  const r = runCli(['scan', path, '--format', 'json']);
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { header: { warnings: string[] }; accounts: { account: string }[] };
  // Before: mallory was only in the run's count of value_not_numeric rows, and not in the report.
  assert.deepEqual(report.accounts.map((a) => a.account), ['alice']);
  assert.ok(report.header.warnings.includes('1 account lost 20 % or more of its rows to rejections, so its figures rest on the rows left: '
    + 'mallory 40 of 40 (none left: not in the report) (--rejects FILE lists the rows)'), report.header.warnings.join(' | '));
  const built = runCli(['baseline', 'build', path]);
  assert.equal(built.status, 0, built.stderr);
  assert.match(built.stderr, /keylag: warning: 1 account lost 20 % or more of its rows to rejections.*mallory 40 of 40/);
});
