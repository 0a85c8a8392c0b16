// Peer comparisons take each account's leave-one-out pool by subtracting it from the group's pool
// in place (a reused buffer, for 10,000-account runs). They must give exactly what rebuilding the
// pool of the other accounts from scratch gives, for every account, in a group and in `everyone`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KindAccumulator } from '../src/analyze/distribution.js';
import { cliffsDelta, ksTwoSample, type WeightedPoints } from '../src/analyze/stats.js';
import { comparePeers, shapeAboveFloor, EVERYONE, type KindSummary } from '../src/baseline/peers.js';
import { comparisonMapping } from '../src/analyze/store.js';

/** Park-Miller: a seeded generator, so a failure is reproducible. */
function seeded(seed: number): () => number {
  let s = seed;
  return () => { s = (s * 48271) % 2147483647; return s / 2147483647; };
}

function summaries(seed: number, accounts: number): KindSummary[] {
  const random = seeded(seed);
  const out: KindSummary[] = [];
  for (let a = 0; a < accounts; a++) {
    const acc = new KindAccumulator('rtt', null);
    const floor = 10 + random() * 60 + (a % 7 === 0 ? 100 : 0);
    const n = 30 + Math.floor(random() * 200);
    for (let i = 0; i < n; i++) {
      // Whole and fractional milliseconds, a heavy tail, some exact repeats (ties across accounts).
      const value = i % 5 === 0 ? Math.round(floor) : floor + (-Math.log(1 - random())) * 8;
      acc.add(Math.round(value * 10) / 10, 1_700_000_000_000_000 + i * 1_000_000, 's', i + 2);
    }
    const { stats, binned } = acc.finish(() => ({ file: 'f.csv', line: 0 }));
    out.push({ account: `user${String(a).padStart(3, '0')}`, kind: 'rtt', stats, binned });
  }
  return out;
}

/** The pool of every summary but one, rebuilt from scratch (what `Pool.without` must equal). */
function othersPooled(parts: WeightedPoints[]): WeightedPoints {
  const byValue = new Map<number, number>();
  for (const p of parts) p.values.forEach((v, i) => byValue.set(v, (byValue.get(v) ?? 0) + p.counts[i]!));
  const values = [...byValue.keys()].sort((a, b) => a - b);
  return { values, counts: values.map((v) => byValue.get(v)!) };
}

function expectPoolsRebuilt(all: KindSummary[]): void {
  // Two sites of 20 (each >= MIN_SITE_SIZE) and, separately, everyone in one group.
  for (const groupOf of [(i: number) => (i < 20 ? 'site:a' : 'site:b'), () => EVERYONE]) {
    const groups = new Map(all.map((s, i) => [s.account, groupOf(i)]));
    const compared = comparePeers(all, groups);
    assert.equal(compared.size, all.length);
    for (const self of all) {
      const group = groups.get(self.account)!;
      const others = all.filter((o) => o !== self && groups.get(o.account) === group);
      const raw = othersPooled(others.map((o) => o.binned));
      const shape = othersPooled(others.map((o) => shapeAboveFloor(o.binned, o.stats.floor.valueMs)));
      const selfShape = shapeAboveFloor(self.binned, self.stats.floor.valueMs);
      const c = compared.get(self.account)!;
      const ks = ksTwoSample(self.binned, raw);
      assert.equal(c.peerCount, others.length);
      assert.equal(c.ksD, ks.d, self.account);
      assert.equal(c.ksPValue, ks.pValue, self.account);
      assert.equal(c.cliffsDelta, cliffsDelta(self.binned, raw), self.account);
      assert.equal(c.shapeD, ksTwoSample(selfShape, shape).d, self.account);
      assert.equal(c.shapeCliffsDelta, cliffsDelta(selfShape, shape), self.account);
    }
  }
}

test('comparePeers: every account against the pool of the others equals the pool rebuilt from scratch', () => {
  // Whole counts: the comparison reads the pool's running totals (memberAgainstRest).
  expectPoolsRebuilt(summaries(11, 40));
});

test('comparePeers: with fractional weights the pool of the others is built, and equals one rebuilt from scratch', () => {
  // Weights that are not whole take the path that builds the rest (Pool.without).
  expectPoolsRebuilt(summaries(12, 24).map((s, i) => (i % 3 === 0
    ? { ...s, binned: { values: s.binned.values, counts: s.binned.counts.map((c) => c * 1.5) } }
    : s)));
});

test('comparePeers: the relayed accounts (floor +100 ms) stand out from the pool of the others', () => {
  const all = summaries(5, 30);
  const compared = comparePeers(all, new Map(all.map((s) => [s.account, EVERYONE])));
  for (const [i, s] of all.entries()) {
    const c = compared.get(s.account)!;
    if (i % 7 === 0) assert.ok(c.floorExcessMs > 50 && c.ksD > 0.5, `${s.account}: ${c.floorExcessMs} ms, D ${c.ksD}`);
    else assert.ok(c.floorExcessMs < 50, `${s.account}: ${c.floorExcessMs} ms`);
  }
});

test('shapeAboveFloor: one pass over ascending points equals snapping each and merging by a map, and unsorted points take the map', () => {
  const mapping = comparisonMapping();
  const byMap = (p: WeightedPoints, floorMs: number): WeightedPoints => {
    const binned = new Map<number, number>();
    p.values.forEach((v, i) => {
      const x = v - floorMs;
      const snapped = Math.abs(x) <= mapping.minPossible ? 0 : Math.sign(x) * mapping.value(mapping.key(Math.abs(x)));
      binned.set(snapped, (binned.get(snapped) ?? 0) + p.counts[i]!);
    });
    const values = [...binned.keys()].sort((a, b) => a - b);
    return { values, counts: values.map((v) => binned.get(v)!) };
  };
  for (const s of summaries(21, 30)) {
    const floorMs = s.stats.floor.valueMs;
    assert.deepEqual(shapeAboveFloor(s.binned, floorMs), byMap(s.binned, floorMs), s.account);
  }
  const unsorted = { values: [5, 1, 3, 1e-12], counts: [1, 2, 3, 4] };
  assert.deepEqual(shapeAboveFloor(unsorted, 2), byMap(unsorted, 2));
});
