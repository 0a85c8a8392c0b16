// KindAccumulator figures against numpy 2.x on the same values:
//   rng = np.random.default_rng(7); v = np.round(20 + rng.lognormal(2, 0.6, 200), 1)
//   quantiles: np.quantile(v, p, method='inverted_cdf') (type 1, what keylag reports)
//   sd: v.std(ddof=1); MAD: inverted_cdf median of |v - median|; jitter: same of |np.diff(v)|
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KindAccumulator } from '../src/analyze/distribution.js';
import { ExactBudget, packRef, unpackRef } from '../src/analyze/store.js';
import { REORDER_WINDOW } from '../src/analyze/jitter.js';

const VALUES = [27.4, 28.8, 26.3, 24.3, 25.6, 24.1, 27.7, 36.5, 25.5, 25.1, 29.9, 29.2, 27.9, 24.2, 27.3, 31.2, 23.3, 25.6, 22.4, 23.4, 22.4, 26.4, 23.5, 28.7, 28.1, 26.6, 21.6, 25.3, 27.2, 27.9, 23.0, 25.5, 24.1, 24.5, 34.0, 24.6, 27.2, 32.6, 25.2, 26.9, 27.9, 27.7, 23.5, 27.7, 36.7, 22.9, 32.4, 27.9, 25.0, 44.5, 31.7, 23.6, 27.7, 30.4, 26.6, 31.1, 27.1, 31.0, 37.5, 24.9, 28.3, 25.6, 28.0, 23.6, 25.2, 26.6, 32.7, 34.7, 23.3, 24.6, 30.9, 22.2, 25.6, 27.0, 35.7, 31.2, 26.1, 25.9, 26.4, 38.4, 25.7, 26.2, 29.1, 26.9, 26.6, 23.8, 27.3, 25.7, 34.9, 30.9, 27.3, 31.0, 26.0, 33.9, 27.4, 30.5, 23.4, 29.1, 22.7, 22.2, 26.2, 24.3, 28.2, 48.4, 24.5, 25.1, 28.4, 29.9, 26.6, 26.5, 31.3, 30.1, 24.0, 27.0, 27.5, 23.9, 28.6, 24.4, 33.2, 28.3, 27.8, 25.2, 26.9, 22.2, 23.7, 29.2, 22.1, 32.3, 22.6, 31.6, 24.4, 31.8, 28.0, 22.9, 35.6, 37.5, 27.1, 26.3, 26.7, 24.1, 34.3, 25.3, 27.2, 24.6, 25.1, 23.4, 35.7, 26.7, 33.2, 27.4, 24.9, 26.1, 25.3, 27.4, 25.9, 26.2, 23.2, 24.6, 39.9, 24.9, 23.9, 29.0, 37.2, 23.1, 26.5, 25.1, 22.6, 31.5, 27.3, 27.7, 24.7, 29.7, 25.3, 26.8, 23.8, 23.6, 36.5, 25.5, 28.8, 27.2, 25.7, 25.4, 30.8, 26.2, 26.7, 27.5, 35.0, 31.1, 29.3, 25.3, 23.2, 33.1, 33.2, 26.8, 30.2, 31.8, 32.2, 32.8, 25.6, 38.3];
const T0 = 1772460191000000;
const sourceOf = (ref: number) => ({ file: 'f.csv', line: unpackRef(ref).line });

function accumulate(values: number[], budget: ExactBudget | null, order: number[] = values.map((_, i) => i)) {
  const acc = new KindAccumulator('rtt', budget);
  for (const i of order) acc.add(values[i]!, T0 + i * 1_000_000, 's1', packRef(0, i + 2));
  return acc.finish(sourceOf).stats;
}

test('distribution figures match numpy (exact store)', () => {
  const s = accumulate(VALUES, null);
  assert.equal(s.n, 200);
  assert.equal(s.minMs, 21.6);
  assert.equal(s.maxMs, 48.4);
  assert.equal(s.floor.valueMs, 22.7);
  assert.equal(s.p25Ms, 24.9);
  assert.equal(s.medianMs, 26.8);
  assert.equal(s.p75Ms, 29.9);
  assert.equal(s.p95Ms, 36.5);
  assert.equal(s.p99Ms, 39.9);
  assert.ok(Math.abs(s.meanMs - 27.8155) < 1e-9);
  assert.ok(Math.abs(s.sdMs - 4.278332666122406) < 1e-9);
  assert.ok(Math.abs(s.madMs - 2.1999999999999993) < 1e-9);
  assert.ok(Math.abs(s.iqrMs - (29.9 - 24.9)) < 1e-9);
  assert.ok(Math.abs(s.jitterMs! - 3.599999999999998) < 1e-9);
  assert.equal(s.jitterPairs, 199);
  assert.equal(s.resolutionMs, 0.1);
  assert.equal(s.precision.mode, 'exact');
});

test('the floor and its interval point at real input rows holding those values', () => {
  const s = accumulate(VALUES, null);
  const line = s.floor.source!.line;
  assert.equal(VALUES[line - 2], s.floor.valueMs);
  assert.equal(s.floorInterval.sided, 'two-sided');
  assert.ok(s.floorInterval.lowerMs! <= s.floor.valueMs && s.floor.valueMs <= s.floorInterval.upperMs);
  assert.equal(VALUES[s.floorInterval.lowerSource!.line - 2], s.floorInterval.lowerMs);
  assert.equal(VALUES[s.floorInterval.upperSource!.line - 2], s.floorInterval.upperMs);
  const sorted = [...VALUES].sort((a, b) => a - b);
  assert.equal(sorted[s.floorInterval.lowerRank! - 1], s.floorInterval.lowerMs);
  assert.equal(sorted[s.floorInterval.upperRank - 1], s.floorInterval.upperMs);
});

test('rows out of time order give the same jitter as in order (within the reorder window)', () => {
  // Shuffled within blocks of 100 rows: no row lands more than 99 places from its turn (< REORDER_WINDOW).
  assert.ok(REORDER_WINDOW > 100);
  const block = (i: number) => Math.floor(i / 100);
  const shuffled = VALUES.map((_, i) => i).sort((a, b) => block(a) - block(b) || ((a * 7919) % 100) - ((b * 7919) % 100));
  const s = accumulate(VALUES, null, shuffled);
  assert.ok(Math.abs(s.jitterMs! - 3.599999999999998) < 1e-9);
  assert.equal(s.jitterLateSamples, 0);
});

test('a row further out of order than the reorder window is counted late, not folded in', () => {
  // The oldest row arrives last, after 199 younger ones: its turn left the window long before.
  const order = [...VALUES.map((_, i) => i).slice(1), 0];
  const s = accumulate(VALUES, null, order);
  assert.equal(s.jitterLateSamples, 1);
  assert.equal(s.jitterPairs, VALUES.length - 2);
});

test('past the memory budget the store becomes a sketch within its relative error', () => {
  const budget = new ExactBudget(50);
  const s = accumulate(VALUES, budget);
  assert.equal(s.precision.mode, 'sketch');
  const err = s.precision.relativeError;
  assert.ok(err > 0 && err <= 0.01);
  for (const [got, want] of [[s.floor.valueMs, 22.7], [s.medianMs, 26.8], [s.p95Ms, 36.5]] as const) {
    assert.ok(Math.abs(got - want) <= want * err * 1.0001 + 1e-9, `${got} vs ${want}`);
  }
  assert.equal(s.floor.source, undefined, 'a sketched floor does not claim a row');
  assert.equal(s.n, 200);
  assert.equal(s.minMs, 21.6);
});

test('small n: the floor interval is one-sided and says so', () => {
  const s = accumulate(VALUES.slice(0, 12), null);
  assert.equal(s.floorInterval.sided, 'upper-only');
  assert.equal(s.floorInterval.lowerMs, null);
  assert.ok(s.floorInterval.confidence >= 0.95);
});
