// The compact bin store behaves exactly like the package's DenseStore inside a DDSketch: the same
// quantile for every rank, the same bins by key, the same merges (fast-check, seeded). The reference
// is @datadog/sketches-js's own DDSketch with its DenseStore, fed the same values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DDSketch } from '@datadog/sketches-js';
import { CompactDenseStore } from '../src/analyze/compact-store.js';

const SEED = 7;

function compactSketch(relativeAccuracy: number): DDSketch {
  const s = new DDSketch({ relativeAccuracy });
  s.store = new CompactDenseStore() as unknown as DDSketch['store'];
  return s;
}

/** Non-zero bins by key, for either store. */
function binsByKey(store: { bins: ArrayLike<number>; offset: number }): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < store.bins.length; i++) if (store.bins[i]! > 0) out.push([i + store.offset, store.bins[i]!]);
  return out;
}

const values = fc.array(fc.oneof(
  fc.double({ min: 0.001, max: 1e6, noNaN: true }),
  fc.double({ min: 20, max: 30, noNaN: true }),
  fc.constantFrom(0, 1, 1000, 1e-12),
), { minLength: 1, maxLength: 400 });

test('compact store: every quantile and bin equals DenseStore on the same values', () => {
  fc.assert(fc.property(values, fc.constantFrom(0.005, 0.02), (xs, accuracy) => {
    const reference = new DDSketch({ relativeAccuracy: accuracy });
    const compact = compactSketch(accuracy);
    for (const x of xs) { reference.accept(x); compact.accept(x); }
    assert.deepEqual(binsByKey(compact.store as unknown as CompactDenseStore), binsByKey(reference.store));
    assert.equal(compact.store.count, reference.store.count);
    for (let r = 0; r <= xs.length; r++) {
      const q = xs.length === 1 ? 0 : Math.min(1, r / (xs.length - 1));
      assert.equal(compact.getValueAtQuantile(q), reference.getValueAtQuantile(q), `q=${q}`);
    }
  }), { numRuns: 300, seed: SEED });
});

test('compact store: merges (either side empty, overlapping or disjoint ranges) equal DenseStore merges', () => {
  fc.assert(fc.property(fc.array(fc.double({ min: 0.01, max: 5e4, noNaN: true }), { maxLength: 200 }),
    fc.array(fc.double({ min: 0.01, max: 5e4, noNaN: true }), { maxLength: 200 }), (a, b) => {
      const [ra, rb, ca, cb] = [new DDSketch({ relativeAccuracy: 0.005 }), new DDSketch({ relativeAccuracy: 0.005 }), compactSketch(0.005), compactSketch(0.005)];
      for (const x of a) { ra.accept(x); ca.accept(x); }
      for (const x of b) { rb.accept(x); cb.accept(x); }
      ra.merge(rb);
      ca.merge(cb);
      assert.deepEqual(binsByKey(ca.store as unknown as CompactDenseStore), binsByKey(ra.store));
      for (const q of [0, 0.05, 0.5, 0.95, 1]) assert.equal(ca.getValueAtQuantile(q), ra.getValueAtQuantile(q));
    }), { numRuns: 200, seed: SEED });
});

test('compact store: keeps 4 bytes a bin, and moves to doubles rather than wrap past 2^32', () => {
  const store = new CompactDenseStore();
  for (let k = 100; k < 300; k++) store.add(k);
  assert.ok(store.bins instanceof Uint32Array);
  assert.ok(store.bins.length <= 200 + 2 * 16, `${store.bins.length} bins for 200 keys`);
  store.add(150, 0xffffffff);
  assert.ok(store.bins instanceof Float64Array);
  assert.equal(store.bins[150 - store.offset], 0x100000000);
  assert.equal(store.count, 200 + 0xffffffff);
  assert.equal(store.keyAtRank(0xffffffff), 150);
});

test('record slab: records are zeroed, disjoint, and slabs grow geometrically to a cap', async () => {
  const { RecordSlab } = await import('../src/analyze/slab.js');
  const slab = new RecordSlab(17);
  const seen = new Set<string>();
  for (let i = 0; i < 100_000; i++) {
    slab.allocate();
    const s = slab.slabs[slab.slabId]!;
    assert.equal(s[slab.offset], 0);
    assert.ok(slab.offset + 17 <= s.length);
    s[slab.offset] = i + 1;
    if (i < 2000) seen.add(`${slab.slabId}:${slab.offset}`);
  }
  assert.equal(seen.size, 2000, 'no record handed out twice');
  // 16, 32, ... 65,536 records: 13 slabs hold the first 131,056; 100,000 need 13.
  assert.equal(slab.slabs.length, 13);
  const held = slab.slabs.reduce((sum, s) => sum + s.length, 0);
  assert.ok(held < 2 * 100_000 * 17, `${held} words held for 100,000 records`);
});

test('acceptAll: the same bins, count, sum, min, max and zeros as accept value by value (and other mappings go through accept)', async () => {
  const { acceptAll } = await import('../src/analyze/store.js');
  const { CubicallyInterpolatedMapping } = await import('@datadog/sketches-js/dist/ddsketch/mapping/index.js');
  const withNegatives = fc.array(fc.oneof(
    fc.double({ min: 0.001, max: 1e6, noNaN: true }),
    fc.double({ min: -50, max: 50, noNaN: true }),
    fc.constantFrom(0, -0, 1, 1000, 1e-12, 1e-300, 59.6, 0.125),
  ), { minLength: 0, maxLength: 300 });
  fc.assert(fc.property(withNegatives, fc.constantFrom(0.005, 0.02), fc.boolean(), fc.nat(20), (xs, accuracy, cubic, from) => {
    const one = compactSketch(accuracy);
    const batch = compactSketch(accuracy);
    if (cubic) { one.mapping = new CubicallyInterpolatedMapping(accuracy); batch.mapping = new CubicallyInterpolatedMapping(accuracy); }
    const start = Math.min(from, xs.length);
    for (const x of xs.slice(start)) one.accept(x);
    acceptAll(batch, Float64Array.from(xs), start, xs.length);
    assert.deepEqual(binsByKey(batch.store as unknown as CompactDenseStore), binsByKey(one.store as unknown as CompactDenseStore));
    assert.deepEqual(binsByKey(batch.negativeStore), binsByKey(one.negativeStore));
    for (const field of ['count', 'sum', 'min', 'max', 'zeroCount'] as const) assert.equal(batch[field], one[field], field);
  }), { seed: SEED, numRuns: 300 });
});
