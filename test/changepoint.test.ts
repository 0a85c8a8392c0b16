// Change points in the per-day floor series (src/analyze/changepoint.ts), the evidence items
// built from them (src/score/changepoints.ts) and linked accounts (src/score/linked.ts), on
// hand-made series whose answers are known.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DailyFloor, Kind } from '../src/types.js';
import {
  detectFloorChange, dayNoiseScaleMs, l1Cost, optimalPartition, successiveScaleMs, twoLevelScaleMs, type FloorChange,
} from '../src/analyze/changepoint.js';
import { changeItem, intermittentItem, changePointEvidence, type FloorChanges } from '../src/score/changepoints.js';
import { linkAccounts, sameChangeGroups, sharedAddressGroups, MIN_SHARED_SAMPLES } from '../src/score/linked.js';
import { ClientAddressTracker, MAX_ADDRESSES_PER_ACCOUNT } from '../src/analyze/client-addresses.js';
import type { RawSample } from '../src/ingest/adapter.js';

/** Consecutive days from 2026-03-01, skipping none; `floors[i]` on day i, n samples each. */
function series(floors: number[], n = 20, start = '2026-03-01'): DailyFloor[] {
  const t0 = Date.parse(`${start}T00:00:00Z`);
  return floors.map((floorMs, i) => ({ day: new Date(t0 + i * 86_400_000).toISOString().slice(0, 10), n, floorMs, rank: 1 }));
}

// Small deterministic wiggle (no randomness): +-0.6 ms.
const wiggle = (i: number): number => [0, 0.4, -0.3, 0.6, -0.5, 0.2, -0.1, 0.3, -0.6, 0.1][i % 10]!;

test('l1Cost: sum of absolute deviations from the median', () => {
  assert.equal(l1Cost([1, 2, 3, 10], 0, 4), 10); // median 2.5: 1.5 + 0.5 + 0.5 + 7.5
  assert.equal(l1Cost([7, 1, 4], 0, 3), 6); // median 4: 3 + 0 + 3
  assert.equal(l1Cost([5], 0, 1), 0);
  assert.equal(l1Cost([9, 1, 2, 3, 9], 1, 4), 2); // [1, 2, 3]
});

test('noise scales: successive differences (Q1 / 0.4506) and within two levels (1.4826 MAD)', () => {
  // |diffs| all 1: Q1 = 1, sigma = 1 / (0.318639 * sqrt 2) = 2.2192...
  assert.ok(Math.abs(successiveScaleMs([10, 11, 10, 11, 10, 11]) - 1 / (0.318639 * Math.SQRT2)) < 1e-12);
  // Floored at the minimum scale.
  assert.equal(successiveScaleMs([5, 5, 5, 5]), 1);
  // Two clean levels 20 +-1 and 120 +-1: deviations from own medians are 1, 0, 1 / 1, 0, 1 -> MAD 1.
  assert.ok(Math.abs(twoLevelScaleMs([19, 20, 21, 119, 120, 121]) - 1.4826) < 1e-12);
  // Alternating levels: successive differences are all jumps (100), the two-level scale is not fooled.
  const alt = [20, 120, 21, 121, 19, 119, 20, 120];
  assert.ok(successiveScaleMs(alt) > 100);
  assert.ok(dayNoiseScaleMs(alt) < 2);
});

test('optimalPartition: the exact L1 optimum with a penalty per change', () => {
  assert.deepEqual(optimalPartition([5, 5, 5, 5, 50, 50, 50, 50], 10), [4]);
  assert.deepEqual(optimalPartition([5, 5, 50, 50, 5, 5], 10), [2, 4]);
  // One day 20 ms off in the middle costs two changes: at penalty 15 it stays (20 < 30), at 5 it splits.
  assert.deepEqual(optimalPartition([5, 5, 5, 25, 5, 5, 5], 15), []);
  assert.deepEqual(optimalPartition([5, 5, 5, 25, 5, 5, 5], 5), [3, 4]);
  assert.deepEqual(optimalPartition([], 1), []);
});

test('sustained change: a hand-over from 24 ms to 130 ms on day 10', () => {
  const floors = [...Array.from({ length: 10 }, (_, i) => 24 + wiggle(i)), ...Array.from({ length: 12 }, (_, i) => 130 + wiggle(i + 3))];
  const c = detectFloorChange(series(floors));
  assert.equal(c.type, 'sustained');
  if (c.type !== 'sustained') return;
  assert.equal(c.changeDayIndex, 10);
  assert.equal(c.changeDay, '2026-03-11');
  assert.equal(c.lastDayBefore, '2026-03-10');
  assert.equal(c.before.days, 10);
  assert.equal(c.after.days, 12);
  assert.equal(c.before.n, 200);
  // Medians of the wiggles: before {0, .4, -.3, .6, -.5, .2, -.1, .3, -.6, .1} -> 0.05; after (wiggle 3..14) -> (0 + .1) / 2.
  assert.ok(Math.abs(c.before.levelMs - 24.05) < 1e-9, String(c.before.levelMs));
  assert.ok(Math.abs(c.after.levelMs - 130.05) < 1e-9, String(c.after.levelMs));
  assert.ok(Math.abs(c.effectMs - 106) < 1e-9);
  assert.ok(c.effectLowMs > 104 && c.effectLowMs <= c.effectMs && c.effectHighMs >= c.effectMs);
  assert.equal(c.otherSteps, 0);
});

test('sustained change across a gap: the days either side are reported, the index is into daily', () => {
  const daily = series([...Array(8).fill(30), ...Array(8).fill(140)]);
  // Days 8 and 9 have too few samples to count (n < 3): the change shows from day 10.
  daily.splice(8, 0, { day: 'x', n: 2, floorMs: 31, rank: 1 }, { day: 'y', n: 1, floorMs: 139, rank: 1 });
  const c = detectFloorChange(daily);
  assert.equal(c.type, 'sustained');
  if (c.type !== 'sustained') return;
  assert.equal(c.changeDayIndex, 10);
  assert.equal(daily[c.changeDayIndex]!.floorMs, 140);
  assert.equal(c.days, 16);
});

test('downward change is found too (effect negative)', () => {
  const c = detectFloorChange(series([...Array(6).fill(95), ...Array(12).fill(54)]));
  assert.equal(c.type, 'sustained');
  if (c.type === 'sustained') assert.equal(c.effectMs, -41);
});

test('intermittent: high on some days, back on others, is not one change', () => {
  const high = new Set([1, 5, 9, 10, 12, 20, 21, 23]);
  const floors = Array.from({ length: 24 }, (_, i) => (high.has(i) ? 128 : 29) + wiggle(i));
  const c = detectFloorChange(series(floors));
  assert.equal(c.type, 'intermittent');
  if (c.type !== 'intermittent') return;
  assert.deepEqual(c.highDays, [...high].map((i) => series(floors)[i]!.day));
  assert.deepEqual(c.highRanges, [
    ['2026-03-02', '2026-03-02'], ['2026-03-06', '2026-03-06'], ['2026-03-10', '2026-03-11'], ['2026-03-13', '2026-03-13'],
    ['2026-03-21', '2026-03-22'], ['2026-03-24', '2026-03-24'],
  ]);
  assert.equal(c.firstHighIndex, 1);
  assert.equal(c.high.days, 8);
  assert.equal(c.low.days, 16);
  assert.ok(c.effectMs > 95 && c.effectMs < 102);
});

test('none: a flat series with noise, a single congested day and a small step stay quiet', () => {
  const flat = Array.from({ length: 22 }, (_, i) => 40 + 2 * wiggle(i));
  assert.equal(detectFloorChange(series(flat)).type, 'none');
  const spike = [...flat];
  spike[11] = 62; // one day +22 ms: one odd day is not a pattern
  spike[3] = 43; // and a few ms on another
  assert.equal(detectFloorChange(series(spike)).type, 'none');
  const step = flat.map((v, i) => (i >= 11 ? v + 8 : v)); // clear but below the 15 ms minimum effect
  assert.equal(detectFloorChange(series(step)).type, 'none');
  // A jump on the very last day only: one day is not a sustained change.
  const last = [...flat];
  last[21] = 150;
  assert.equal(detectFloorChange(series(last)).type, 'none');
  assert.equal(detectFloorChange([]).type, 'none');
});

test('staircase: monotone steps are one sustained change at the largest step', () => {
  const floors = [...Array(8).fill(20), ...Array(6).fill(45), ...Array(8).fill(130)];
  const c = detectFloorChange(series(floors));
  assert.equal(c.type, 'sustained');
  if (c.type !== 'sustained') return;
  assert.equal(c.changeDayIndex, 14);
  assert.equal(c.otherSteps, 1);
  assert.equal(c.before.levelMs, 20); // median of 8 x 20 and 6 x 45
});

test('change_point item: points from the conservative jump beyond the allowance; downward gets 0', () => {
  const up = detectFloorChange(series([...Array(10).fill(24), ...Array(10).fill(130)])) as Extract<FloorChange, { type: 'sustained' }>;
  const item = changeItem('input_lag', up);
  assert.equal(item.signal, 'change_point');
  assert.equal(item.stats.changeDayIndex, 10);
  // Constant levels: effect 106, bounds 106..106, allowance max(15, 0.15 x 24) = 15 -> 91 points at full weight.
  assert.equal(item.effect, 106);
  assert.equal(item.stats.allowanceMs, 15);
  assert.equal(item.points, 91);
  assert.equal(item.pValue, null);
  assert.match(item.sentence, /^input_lag floor 24\.0 ms until 2026-03-10, 130\.0 ms from 2026-03-11 \(\+106\.0 ms/);
  const down = detectFloorChange(series([...Array(10).fill(130), ...Array(10).fill(24)])) as Extract<FloorChange, { type: 'sustained' }>;
  const d = changeItem('input_lag', down);
  assert.equal(d.points, 0);
  assert.match(d.sentence, /fell .*not scored$/);
  // Few days after: weight 2/5.
  const short = detectFloorChange(series([...Array(10).fill(24), 130, 130])) as Extract<FloorChange, { type: 'sustained' }>;
  assert.equal(changeItem('input_lag', short).stats.weight, 0.4);
  assert.ok(Math.abs(changeItem('input_lag', short).points - 0.4 * 91) < 1e-9);
});

test('intermittent_floor item and the provider', () => {
  const floors = Array.from({ length: 20 }, (_, i) => (i % 3 === 0 ? 130 : 30));
  const c = detectFloorChange(series(floors)) as Extract<FloorChange, { type: 'intermittent' }>;
  assert.equal(c.type, 'intermittent');
  const item = intermittentItem('app_rtt', c);
  assert.equal(item.signal, 'intermittent_floor');
  assert.equal(item.stats.highDays, 7);
  assert.equal(item.points, 85); // 100 - 15, full weight (7 high days >= 5)
  assert.match(item.sentence, /^app_rtt floor on and off: 130\.0 ms on 7 of 20 days \(2026-03-01, 2026-03-04, /);
  const stats = { daily: series(floors) };
  const provided = changePointEvidence(new Map())({
    account: 'a', kinds: [], summaries: [{ account: 'a', kind: 'app_rtt', stats, binned: { values: [], counts: [] } }] as never,
    roster: null, comparisons: new Map(),
  });
  assert.deepEqual(provided.map((e) => e.signal), ['intermittent_floor']);
});

function sustained(lastDayBefore: string, changeDay: string, before: number, after: number): FloorChange {
  const lvl = (levelMs: number) => ({ levelMs, lowMs: levelMs - 1, highMs: levelMs + 1, days: 8, n: 200 });
  return {
    type: 'sustained', days: 16, daysLeftOut: 0, scaleMs: 1, segments: 2, before: lvl(before), after: lvl(after),
    lastDayBefore, changeDay, changeDayIndex: 8, effectMs: after - before, effectLowMs: after - before - 2, effectHighMs: after - before + 2, otherSteps: 0,
  };
}

test('same change: same day (within one) and same level (within max(10 ms, 10 %)) link; others do not', () => {
  const changes: FloorChanges = new Map<string, Map<Kind, FloorChange>>([
    ['a', new Map([['input_lag', sustained('2026-03-17', '2026-03-18', 20, 131)]])],
    ['b', new Map([['input_lag', sustained('2026-03-18', '2026-03-19', 30, 136)]])], // one day later, 5 ms higher
    ['c', new Map([['input_lag', sustained('2026-03-13', '2026-03-16', 40, 134)]])], // a weekend earlier: not the same day
    ['d', new Map([['input_lag', sustained('2026-03-17', '2026-03-18', 20, 60)]])], // same day, other level
    ['e', new Map([['rtt', sustained('2026-03-17', '2026-03-18', 20, 131)]])], // other kind
  ]);
  assert.deepEqual(sameChangeGroups(changes, ['a', 'b', 'c', 'd', 'e']), [{ kind: 'input_lag', members: ['a', 'b'] }]);
});

function tracker(rows: [string, string, number][]): ClientAddressTracker {
  const t = new ClientAddressTracker();
  for (const [account, address, count] of rows) {
    for (let i = 0; i < count; i++) {
      const raw: RawSample = { account, session: '', timeUs: 1_000_000 * (i + 1), kind: 'input_lag', valueMs: 20, line: i + 2, clientAddress: address };
      t.observe(account, raw, 0);
    }
  }
  return t;
}

test('ClientAddressTracker: counts and times per address, most samples first, bounded per account', () => {
  const t = tracker([['a', '192.0.2.1', 3], ['a', '192.0.2.9', 5], ['a', '192.0.2.0', 5]]);
  t.observe('a', { account: 'a', session: '', timeUs: 5, kind: 'rtt', valueMs: 1, line: 1 }, 0); // no address: ignored
  assert.deepEqual(t.addressesOf('a'), [
    { address: '192.0.2.0', samples: 5, firstTimeUs: 1_000_000, lastTimeUs: 5_000_000 },
    { address: '192.0.2.9', samples: 5, firstTimeUs: 1_000_000, lastTimeUs: 5_000_000 },
    { address: '192.0.2.1', samples: 3, firstTimeUs: 1_000_000, lastTimeUs: 3_000_000 },
  ]);
  assert.deepEqual(t.addressesOf('nobody'), []);
  const many = tracker(Array.from({ length: MAX_ADDRESSES_PER_ACCOUNT + 6 }, (_, i): [string, string, number] => ['b', `10.0.${i >> 8}.${i & 255}`, 1]));
  assert.equal(many.addressesOf('b').length, MAX_ADDRESSES_PER_ACCOUNT);
  assert.equal(many.overflowOf('b'), 6);
});

test('linkAccounts: a farm (address and change) is one cluster with points; an office NAT is context with 0 points', () => {
  const addresses = tracker([
    ['farm1', '203.0.113.7', 50], ['farm2', '203.0.113.7', 40], ['farm3', '203.0.113.7', 60],
    ['nat1', '198.51.100.20', 100], ['nat2', '198.51.100.20', 80],
    ['lone', '198.51.100.20', MIN_SHARED_SAMPLES - 1], // too few from the NAT to link
  ]);
  assert.deepEqual(sharedAddressGroups(['farm1', 'farm2', 'farm3', 'lone', 'nat1', 'nat2'], (k) => addresses.addressesOf(k)).map((g) => g.members),
    [['nat1', 'nat2'], ['farm1', 'farm2', 'farm3']]);
  const changes: FloorChanges = new Map<string, Map<Kind, FloorChange>>([
    ['farm1', new Map([['input_lag', sustained('2026-03-17', '2026-03-18', 20, 131)]])],
    ['farm2', new Map([['input_lag', sustained('2026-03-17', '2026-03-18', 30, 134)]])],
    ['farm3', new Map([['input_lag', sustained('2026-03-17', '2026-03-18', 40, 136)]])],
  ]);
  const inputs = ['farm1', 'farm2', 'farm3', 'lone', 'nat1', 'nat2'].map((account) => ({
    account, summaries: [{ kind: 'input_lag' as Kind, stats: { floor: { valueMs: account.startsWith('nat') ? 18 : 25 } } }],
  }));
  const { clusters, provider } = linkAccounts(inputs, changes, (k) => addresses.addressesOf(k));
  assert.deepEqual(clusters, [
    {
      id: 'C1', members: ['farm1', 'farm2', 'farm3'], reason: 'both', kind: 'input_lag', address: '203.0.113.7', changeDay: '2026-03-18',
      floorLowMs: 131, floorHighMs: 136, sentence: '3 accounts, same client IP 203.0.113.7, input_lag floors 131.0-136.0 ms since 2026-03-18 (farm1, farm2, farm3)',
    },
    {
      id: 'C2', members: ['nat1', 'nat2'], reason: 'shared_client_address', kind: 'input_lag', address: '198.51.100.20', changeDay: null,
      floorLowMs: 18, floorHighMs: 18,
      sentence: '2 accounts share client IP 198.51.100.20 (nat1, nat2), floors 18.0 ms, no floor change together: context only (an office or home NAT looks the same)',
    },
  ]);
  const ctx = (account: string) => ({ account, kinds: [], summaries: inputs.find((i) => i.account === account)!.summaries as never, roster: null, comparisons: new Map() });
  const farm = provider(ctx('farm2'));
  assert.equal(farm.length, 1);
  assert.equal(farm[0]!.signal, 'linked_accounts');
  assert.equal(farm[0]!.points, 20); // two other members rose: 2 x 10
  assert.equal(farm[0]!.stats.sharedAddressSamples, 40);
  const nat = provider(ctx('nat1'));
  assert.equal(nat[0]!.points, 0);
  assert.match(nat[0]!.sentence, /not scored$/);
  assert.deepEqual(provider(ctx('lone')), []);
});

test('widespread: a rise shared by a large part of the population is a network change, not a farm (0 points)', () => {
  const names = Array.from({ length: 14 }, (_, i) => `u${String(i).padStart(2, '0')}`);
  const changes: FloorChanges = new Map(names.map((n, i) => [n, new Map<Kind, FloorChange>(
    i < 12 ? [['input_lag', sustained('2026-03-17', '2026-03-18', 20, 60 + (i % 3))]] : [],
  )]));
  const inputs = names.map((account) => ({ account, summaries: [{ kind: 'input_lag' as Kind, stats: { floor: { valueMs: 20 } } }] }));
  const { clusters, provider, widespread } = linkAccounts(inputs, changes, () => []);
  assert.equal(clusters.length, 1);
  assert.equal(clusters[0]!.reason, 'same_change');
  assert.equal(clusters[0]!.members.length, 12);
  assert.match(clusters[0]!.sentence, /\(u00, u01, u02, u03, u04, u05, u06, u07, u08, u09 and 2 more\); too many to be one farm: a network change, not scored$/);
  assert.equal(widespread.size, 12);
  const ctx = { account: 'u03', kinds: [], summaries: [{ account: 'u03', kind: 'input_lag', stats: { daily: [] }, binned: { values: [], counts: [] } }] as never, roster: null, comparisons: new Map() };
  assert.equal(provider(ctx)[0]!.points, 0);
  const change = changePointEvidence(changes, widespread)(ctx);
  assert.equal(change[0]!.signal, 'change_point');
  assert.equal(change[0]!.points, 0);
  assert.equal(change[0]!.stats.widespreadAccounts, 12);
  assert.match(change[0]!.sentence, /12 accounts \(86 % of those with input_lag\) rose the same day to the same level: a network change, not scored$/);
  // Without the widespread note the same change scores.
  assert.ok(changePointEvidence(changes)(ctx)[0]!.points > 0);
});
