// Figures over peers (peer-figures.ts): the per-group leave-one-out values against the definition
// over each account's list of peers (fast-check, seeded): the same median and MAD to the bit, the
// same peer count, also for accounts without the figure, with ties and with groups of one or two.
// And the figure is read once per member and group, not once per pair of accounts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { GroupFigures, figureOverPeers, type PeerFigure, type PeerMember } from '../src/baseline/peer-figures.js';
import type { KindStats } from '../src/types.js';

const SEED = 3;

/** Members whose figure is the `n` of their one kind's stats, or null where given null. */
function membersOf(values: (number | null)[]): PeerMember[] {
  return values.map((v, i) => ({ account: `a${i}`, kinds: [{ kind: 'rtt', n: v } as unknown as KindStats], summaries: [] }));
}
const figure: PeerFigure = (kinds) => (kinds[0]!.n as number | null);

test('peer figures: leave-one-out per group equals the figure over each account\'s peers', () => {
  const value = fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 6 }).map((x) => x / 4), fc.double({ min: -50, max: 50, noNaN: true }));
  fc.assert(fc.property(fc.array(value, { minLength: 1, maxLength: 40 }), (values) => {
    const members = membersOf(values);
    const figures = new GroupFigures();
    for (const self of members) {
      const expected = figureOverPeers(members.filter((m) => m !== self), figure);
      assert.deepEqual(figures.without('g', members, self, figure), expected, self.account);
    }
  }), { seed: SEED, numRuns: 400 });
});

test('peer figures: each member\'s figure is read once for its group, plus once as the account asking', () => {
  let reads = 0;
  const counted: PeerFigure = (kinds, summaries) => { reads++; return figure(kinds, summaries); };
  const members = membersOf(Array.from({ length: 500 }, (_, i) => (i % 7 === 0 ? null : i % 13)));
  const figures = new GroupFigures();
  for (const self of members) figures.without('everyone', members, self, counted);
  assert.equal(reads, 2 * members.length);
  // Another group name is another set of members: computed on its own.
  figures.without('site:x', members.slice(0, 10), members[0]!, counted);
  assert.equal(reads, 2 * members.length + 11);
});

test('peer figures in a scan: every account\'s peers for typing rhythm and reaction are the other accounts, leave-one-out', async () => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { runScan, DEFAULT_MEMORY_BUDGET_VALUES } = await import('../src/pipeline.js');
  const { median } = await import('../src/analyze/stats.js');
  const accounts = 24;
  const lines = ['user,timestamp,kind,value_ms'];
  let s = 9;
  const rnd = (): number => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 4294967296; };
  for (let r = 0; r < 120; r++) {
    for (let a = 0; a < accounts; a++) {
      const t = new Date(Date.UTC(2026, 2, 2) + (r * accounts + a) * 1000).toISOString();
      // Account a bunches a% of its keystrokes; reactions sit a ms further out.
      lines.push(`u${a},${t},keystroke_interval,${r % 100 < a ? (rnd() * 3).toFixed(1) : (60 + rnd() * 300).toFixed(1)}`);
      lines.push(`u${a},${t},rtt,${(20 + rnd() * 10).toFixed(1)}`);
      lines.push(`u${a},${t},reaction,${(260 + a + rnd() * 150).toFixed(1)}`);
    }
  }
  const path = join(mkdtempSync(join(tmpdir(), 'keylag-figures-')), 'figures.csv');
  writeFileSync(path, lines.join('\n') + '\n');
  const report = await runScan({
    inputs: [path], columns: {}, inputFormat: null, strict: false, keepGoing: false, stdin: process.stdin,
    since: null, until: null, exclude: null, memoryBudgetValues: DEFAULT_MEMORY_BUDGET_VALUES,
    rosterPath: null, minSamples: 30, arguments: [], version: 'test', serverLocation: null, serversPath: null, geoipPath: null,
  } as Parameters<typeof runScan>[0]);
  const rhythm = report.accounts.map((a) => a.evidence.find((e) => e.signal === 'typing_rhythm')!);
  const reaction = report.accounts.map((a) => a.evidence.find((e) => e.kind === 'reaction' && e.signal === 'relay_signature')!);
  assert.equal(rhythm.filter(Boolean).length, accounts);
  assert.equal(reaction.filter(Boolean).length, accounts);
  report.accounts.forEach((_, i) => {
    assert.equal(rhythm[i]!.stats.peers, accounts - 1);
    assert.equal(rhythm[i]!.stats.peerShareMedian, median(rhythm.filter((_, j) => j !== i).map((e) => e.observed)));
    assert.equal(reaction[i]!.stats.peers, accounts - 1);
    assert.equal(reaction[i]!.baseline, median(reaction.filter((_, j) => j !== i).map((e) => e.observed)));
  });
});
