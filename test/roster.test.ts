// Rosters as HR and identity-provider exports write them: which column is the account, and places
// and time zones in their export forms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { runScan, DEFAULT_MEMORY_BUDGET_VALUES, type ScanRequest } from '../src/pipeline.js';
import type { Report } from '../src/types.js';

const dir = mkdtempSync(join(tmpdir(), 'keylag-roster-'));
let files = 0;
function tempFile(text: string): string {
  const path = join(dir, `f${files++}.csv`);
  writeFileSync(path, text);
  return path;
}

/** Three rtt samples per account, 30-32 ms. */
function data(accounts: readonly string[]): string {
  return 'timestamp,user,rtt_ms\n' + accounts.flatMap((a) => [0, 1, 2].map((s) => `2026-03-02T14:19:0${s}Z,${a},${30 + s}`)).join('\n') + '\n';
}

function scan(dataText: string, rosterText: string, over: Partial<ScanRequest> = {}): Promise<Report> {
  return runScan({
    inputs: [tempFile(dataText)], rosterPath: tempFile(rosterText), columns: {}, inputFormat: null, since: null, until: null, exclude: null,
    minSamples: 2, strict: false, keepGoing: false, memoryBudgetValues: DEFAULT_MEMORY_BUDGET_VALUES,
    arguments: [], version: 'test', stdin: process.stdin, ...over,
  });
}

const ACCOUNTS = ['jdoe', 'asmith', 'bwong'];

test('roster account column: the e-mail column of an HR export, not its Employee ID or display name; each export spelling of the e-mail header', async () => {
  // Workday: Employee ID was taken as the account (nothing joined, silently).
  const workday = await scan(data(ACCOUNTS), 'Employee ID,Worker,Work Email,Location,Time Zone\n'
    + '100234,John Doe,jdoe@corp.example,"Austin, TX",America/Chicago\n100235,Anna Smith,asmith@corp.example,"New York, NY",America/New_York\n'
    + '100236,Bo Wong,bwong@corp.example,"Seattle, WA",America/Los_Angeles\n');
  assert.deepEqual(workday.header.rosterUnmatched, []);
  assert.deepEqual(workday.header.accountsNotInRoster, []);
  assert.ok(workday.header.roster!.notes[0]!.startsWith('Work Email -> account (of Work Email, Employee ID:'), workday.header.roster!.notes[0]);
  // `Employee` (a display name) was taken over `Email`.
  const named = await scan(data(ACCOUNTS), 'Employee,Employee ID,Email,Location\nJohn Doe,1001,jdoe@corp.example,"Austin, TX"\nAnna Smith,1002,asmith@corp.example,"New York, NY"\n');
  assert.deepEqual(named.header.rosterUnmatched, []);
  assert.deepEqual(named.header.accountsNotInRoster, ['bwong']);
  // Headers HR and IdP exports use (each was "roster has no account column").
  for (const h of ['Work Email', 'Email Address', 'E-mail', 'Mail', 'Business Email', 'userPrincipalName', 'sAMAccountName', 'login']) {
    const r = await scan(data(ACCOUNTS), `"Employee #","${h}",Location\n1,jdoe@corp.example,"Austin, TX"\n2,asmith,"Austin, TX"\n3,CORP\\bwong,"Austin, TX"\n`);
    assert.deepEqual(r.header.rosterUnmatched, [], h);
    assert.equal(r.header.roster!.notes[0]!.split(' -> ')[0], h);
  }
});

test('roster account column: the one whose values match the data, when it is not the login-like one', async () => {
  // The data name accounts by employee number: the Employee ID column joins, the e-mail does not.
  const r = await scan(data(['100234', '100235', '100236']), 'Employee ID,Work Email,Site,Location\n'
    + '100234,jdoe@corp.example,nyc,"New York, NY"\n100235,asmith@corp.example,nyc,"New York, NY"\n100236,bwong@corp.example,chi,"Chicago, IL"\n',
  { serverLocation: 'Ashburn, VA, US' });
  assert.deepEqual(r.header.rosterUnmatched, []);
  assert.deepEqual(r.header.accountsNotInRoster, []);
  assert.equal(r.header.roster!.notes[0], 'Employee ID -> account (of Employee ID, Work Email: the one matching the most data accounts (3, 0 in this order))');
  // The claims follow the entries to their new keys.
  const claimed = (a: string) => r.accounts.find((x) => x.account === a)!.physics?.claimed?.label ?? null;
  assert.deepEqual(['100234', '100236'].map(claimed), ['New York City, NY, US', 'Chicago, IL, US']);
  assert.equal(r.accounts.find((x) => x.account === '100236')!.site, 'chi');
  assert.ok(!r.header.warnings.some((w) => w.includes('match no account')), r.header.warnings.join('\n'));
});

test('roster matching no account in the data: a loud warning naming the column and the likely cause', async () => {
  const ids = await scan(data(ACCOUNTS), 'Employee ID,Location\n100234,"Austin, TX"\n100235,"Austin, TX"\n100236,"Austin, TX"\n');
  const w = ids.header.warnings.find((x) => x.includes('match no account'));
  assert.ok(w, ids.header.warnings.join('\n'));
  assert.match(w, /3 of 3 entries match no account in the data \(account column 'Employee ID', e\.g\. '100234'; the data's accounts are like '(asmith|bwong|jdoe)'\)/);
  assert.match(w, /its values are numbers/);
  // Most (2 of 3) unmatched: still warned; one of three: not.
  const most = await scan(data(ACCOUNTS), 'user,Location\njdoe,"Austin, TX"\nj.smith,"Austin, TX"\nb.wong,"Austin, TX"\n');
  assert.ok(most.header.warnings.some((x) => x.includes('2 of 3 entries match no account') && x.includes('not spelled as the data')), most.header.warnings.join('\n'));
  const few = await scan(data(ACCOUNTS), 'user,Location\njdoe,"Austin, TX"\nasmith,"Austin, TX"\nb.wong,"Austin, TX"\n');
  assert.ok(!few.header.warnings.some((x) => x.includes('match no account')), few.header.warnings.join('\n'));
});

test('roster location in parts: a state or country without a city is location_unknown, counted and saying so', async () => {
  const r = await scan(data([...ACCOUNTS, 'kpatel']), 'email,city,state,country,tz\n'
    + 'jdoe@corp.example,Austin,TX,United States,\nasmith@corp.example,,TX,United States,\nbwong@corp.example,,,United States,\n'
    + 'kpatel@corp.example,,,India,Asia/Kolkata\n', { serverLocation: 'Ashburn, VA, US' });
  // Before: asmith and bwong had "no claimed location", uncounted, without a warning.
  assert.deepEqual(r.header.rejections, [{ reason: 'location_unknown', count: 2 }]);
  assert.ok(r.header.warnings.some((w) => w.includes("location 'TX, United States' not found (no city: 'TX, United States' alone is no place to measure against)")), r.header.warnings.join('\n'));
  assert.ok(r.header.warnings.some((w) => w.includes("location 'United States' not found (no city: 'United States' alone")), r.header.warnings.join('\n'));
  const claimed = (a: string) => r.accounts.find((x) => x.account === a)!.physics?.claimed?.label ?? null;
  // A row with its time zone keeps the zone's point, as a row without any location does.
  assert.deepEqual(['jdoe', 'asmith', 'kpatel'].map(claimed), ['Austin, TX, US', null, 'Asia/Kolkata (time zone)']);
});

test('roster re-keyed to another account column: entries repeating an account there are dropped with a warning, and the record count says so', async () => {
  const r = await scan(data(['100234', '100235']), 'Work Email,Employee ID,Location\n'
    + 'jdoe@corp.example,100234,"Austin, TX"\nasmith@corp.example,100235,"Austin, TX"\nbwong@corp.example,100235,"Austin, TX"\n');
  assert.equal(r.header.roster!.notes[0]!.split(' -> ')[0], 'Employee ID');
  assert.equal(r.header.roster!.records, 2);
  assert.ok(r.header.warnings.some((w) => w.endsWith(":4: roster entry '100235' repeats line 3 (same account after normalisation); the first is used")), r.header.warnings.join('\n'));
});

test('a gzipped roster that expands past the inputs\' ratio (a decompression bomb) stops with one line, before its memory is taken', async () => {
  const { gzipSync } = await import('node:zlib');
  const { readRoster } = await import('../src/ingest/roster.js');
  // 40 MB of spaces after a header: ~40 KB compressed, 1000:1 (the timing inputs stop past 200:1 once past 32 MiB).
  const bomb = gzipSync(Buffer.concat([Buffer.from('user,location\nalice,"Austin, TX"\n'), Buffer.alloc(40 * 1024 * 1024, 0x20)]), { level: 9 });
  const path = join(dir, 'bomb.csv.gz');
  writeFileSync(path, bomb);
  await assert.rejects(readRoster(path), (err: Error) => {
    assert.match(err.message, /gzip roster expands past 33554432 bytes \(\d+ compressed; at most 200:1 past 33554432 bytes\): not read \(a decompression bomb\?\)/);
    return true;
  });
  // A gzipped roster of ordinary size is still read.
  const plain = join(dir, 'plain.csv.gz');
  writeFileSync(plain, gzipSync('user,location\nalice,"Austin, TX"\n'));
  assert.equal((await readRoster(plain)).roster.entries.length, 1);
});
