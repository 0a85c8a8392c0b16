// The README's quick start says what the bundled sample's report shows (ranks, flags, the on-off
// floor's days, the honest far-away site, the account with too few samples). That paragraph drifted
// once (it gave lucia.lee rank 2 and wpatel rank 1 after a scoring change had swapped them): this
// test reads the claims out of the README itself and holds them to the report of the README's own
// command, so that a change to scoring fails here until the README says what the report says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, REPO_ROOT, SAMPLE, ROSTER } from './helpers/cli.js';

interface SampleAccount { rank: number | null; account: string; site: string | null; status: string; flagged: boolean; samples: number;
  evidence: { signal: string; sentence: string }[] }

/** The quick start's paragraph about the sample, as one line of text. */
function sampleParagraph(): string {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('On the sample, ');
  assert.ok(start >= 0, 'README: the paragraph on the sample is gone');
  return readme.slice(start, readme.indexOf('\n\n', start)).replace(/\s+/g, ' ');
}

/** The number a README pattern captures (fails, naming the pattern, when the README no longer says it). */
function claimed(text: string, pattern: RegExp): number[] {
  const m = pattern.exec(text);
  assert.ok(m !== null, `README no longer says ${pattern}: ${text}`);
  return m.slice(1).map(Number);
}

test('README quick start: what it says of the sample report is what the README command reports', () => {
  const text = sampleParagraph();
  const r = runCli(['scan', SAMPLE, '--roster', ROSTER, '--format', 'json']);
  assert.equal(r.status, 0, r.stderr);
  const accounts = (JSON.parse(r.stdout) as { accounts: SampleAccount[] }).accounts;
  const account = (name: string): SampleAccount => accounts.find((a) => a.account === name)!;

  const [farmRank] = claimed(text, /`lucia\.lee` is flagged \(rank (\d+)\)/);
  assert.deepEqual([account('lucia.lee').rank, account('lucia.lee').flagged], [farmRank, true]);

  const [relayRank, highDays, days] = claimed(text, /\(`wpatel`\) is flagged too \(rank (\d+): its floor is high on (\d+) of its (\d+) days/);
  const relayed = account('wpatel');
  assert.deepEqual([relayed.rank, relayed.flagged], [relayRank, true]);
  const onOff = relayed.evidence.find((e) => e.signal === 'intermittent_floor');
  assert.ok(onOff !== undefined && onOff.sentence.includes(`on ${highDays} of ${days} days`), onOff?.sentence);

  const [serviceRank] = claimed(text, /`svc-backup` is also flagged \(rank (\d+)\)/);
  assert.deepEqual([account('svc-backup').rank, account('svc-backup').flagged], [serviceRank, true]);

  assert.match(text, /the far-away but honest Manila site is not flagged/);
  const manila = accounts.filter((a) => a.site === 'mnl');
  assert.ok(manila.length > 0);
  assert.deepEqual(manila.filter((a) => a.flagged).map((a) => a.account), []);

  const [fewSamples] = claimed(text, /the account with (\d+) samples is listed as insufficient data/);
  assert.deepEqual(accounts.filter((a) => a.status === 'insufficient_data').map((a) => a.samples), [fewSamples]);
});
