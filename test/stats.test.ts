// Unit tests for src/analyze/stats.ts.
//
// Reference values were computed with SciPy 1.17.1 (Python 3.11) and are hard-coded; each
// block names the exact call. Where SciPy is itself less accurate than needed (binomial CDF at
// n = 1e8), mpmath 1.3 at 40 digits is the truth and SciPy is checked at a looser tolerance.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  benjaminiHochberg,
  binomialCdf,
  binomialPmf,
  binomialSf,
  cliffsDelta,
  kolmogorovIsf,
  kolmogorovSf,
  ksCriticalD,
  ksTwoSample,
  memberAgainstRest,
  mad,
  median,
  normalIsf,
  normalSf,
  orderStatisticInterval,
  quantileRank,
  robustZ,
  sortedMedianAbsoluteDeviation,
  toWeightedPoints,
  totalCount,
  type WeightedPoints,
} from '../src/analyze/stats.js';

function close(actual: number, expected: number, rel: number, what: string): void {
  const err = actual === expected ? 0 : Math.abs(actual - expected) / Math.max(Math.abs(expected), Number.MIN_VALUE);
  assert.ok(err <= rel, `${what}: got ${actual}, expected ${expected} (relative error ${err} > ${rel})`);
}

/** mulberry32: small seeded PRNG so the property loops are reproducible. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const W = (xs: number[]): WeightedPoints => toWeightedPoints(xs);

// ------------------------------------------------------------------------------------------
// Weighted points
// ------------------------------------------------------------------------------------------

test('toWeightedPoints sorts and collapses ties; totalCount sums', () => {
  const p = toWeightedPoints([3, 1, 2, 3, -0, 0, 3, 1.5]);
  assert.deepEqual(p, { values: [0, 1, 1.5, 2, 3], counts: [2, 1, 1, 1, 3] });
  assert.ok(Object.is(p.values[0], 0), '-0 is reported as 0');
  assert.equal(totalCount(p), 8);
  assert.deepEqual(toWeightedPoints(new Float64Array([2, 1])), { values: [1, 2], counts: [1, 1] });
  assert.deepEqual(toWeightedPoints([]), { values: [], counts: [] });
  assert.throws(() => toWeightedPoints([1, NaN]), RangeError);
  assert.throws(() => toWeightedPoints([Infinity]), RangeError);
});

// ------------------------------------------------------------------------------------------
// Kolmogorov-Smirnov
// ------------------------------------------------------------------------------------------

// Each case: scipy.stats.ks_2samp(a, b, method='exact') -> (statistic, pvalue), and
// scipy.stats.kstwobign.sf(D*(sqrt(en)+0.12+0.11/sqrt(en))), en = n1*n2/(n1+n2), for the
// Stephens-corrected asymptotic p; 'scipyAsymp' is ks_2samp(a, b, method='asymp').pvalue
// (SciPy's kstwo(round(en)) approximation, checked loosely only).
const KS_CASES = [
  {
    name: 'whole-ms ties, unequal sizes',
    a: [12, 13, 13, 14, 15, 15, 15, 16, 18, 20],
    b: [14, 15, 16, 16, 17, 17, 18, 19, 21, 22, 25, 30],
    d: 0.5333333333333333,
    pExact: 0.061746303232371354,
    pStephens: 0.05670917651562459,
    scipyAsymp: 0.0741846913580247,
  },
  {
    name: 'ties, equal sizes',
    a: [1, 2, 2, 3, 3, 3, 4, 5],
    b: [2, 3, 4, 4, 5, 5, 6, 7],
    d: 0.5,
    pExact: 0.2826728826728826,
    pStephens: 0.18768427419801334,
    scipyAsymp: 0.1875,
  },
  {
    name: 'no ties, unequal sizes',
    a: [0.61, 1.7, 2.3, 2.9, 3.3, 4.1, 5.6],
    b: [1.2, 2.2, 3.4, 3.9, 4.4, 5.0, 5.1, 6.2, 6.8, 7.7, 9.0],
    d: 0.5324675324675324,
    pExact: 0.13436400201106086,
    pStephens: 0.11579173231369048,
    scipyAsymp: 0.13940877476290023,
  },
  {
    name: 'n1*n2 = 1200 (a = 0..39, b = 7, 9, ..., 65)',
    a: Array.from({ length: 40 }, (_, i) => i),
    b: Array.from({ length: 30 }, (_, i) => 7 + 2 * i),
    d: 0.44166666666666665,
    pExact: 0.0016667154472716568,
    pStephens: 0.0015386676126292675,
    scipyAsymp: 0.0015418175802818235,
  },
];

test('ksTwoSample exact p-values match scipy ks_2samp(method="exact")', () => {
  for (const c of KS_CASES) {
    const r = ksTwoSample(W(c.a), W(c.b));
    assert.equal(r.method, 'exact', c.name);
    close(r.d, c.d, 1e-15, `${c.name} D`);
    close(r.pValue, c.pExact, 1e-12, `${c.name} p`);
    // symmetric in its arguments
    const s = ksTwoSample(W(c.b), W(c.a));
    assert.equal(s.d, r.d);
    close(s.pValue, r.pValue, 1e-13, `${c.name} p symmetric`);
  }
});

test('ksTwoSample asymptotic p-values: Stephens-corrected Kolmogorov limit', () => {
  for (const c of KS_CASES) {
    const r = ksTwoSample(W(c.a), W(c.b), 'asymptotic');
    assert.equal(r.method, 'asymptotic');
    close(r.d, c.d, 1e-15, `${c.name} D`);
    close(r.pValue, c.pStephens, 1e-12, `${c.name} p`);
  }
  // Past the exact threshold ('auto' goes asymptotic): a = 0..149, b = 20 + 1.3*i, i = 0..100.
  // ks_2samp(a, b, method='exact') = (0.13676567656765676, 0.18574945470316276);
  // method='asymp' p = 0.1930504868039844; Stephens: kstwobign.sf(...) = 0.19312672108495033.
  const a = W(Array.from({ length: 150 }, (_, i) => i));
  const b = W(Array.from({ length: 101 }, (_, i) => i * 1.3 + 20));
  const auto = ksTwoSample(a, b);
  assert.equal(auto.method, 'asymptotic');
  close(auto.d, 0.13676567656765676, 1e-14, 'D');
  close(auto.pValue, 0.19312672108495033, 1e-12, 'asymptotic p');
  close(auto.pValue, 0.1930504868039844, 0.01, 'close to scipy asymp');
  const forced = ksTwoSample(a, b, 'exact');
  assert.equal(forced.method, 'exact');
  close(forced.pValue, 0.18574945470316276, 1e-12, 'forced exact p');
});

test('ksTwoSample: identical samples give D = 0, p = 1', () => {
  // ks_2samp([5,6,7,7,8], [5,6,7,7,8], method='exact') = (0.0, 1.0)
  const a = W([5, 6, 7, 7, 8]);
  assert.deepEqual(ksTwoSample(a, a), { d: 0, pValue: 1, method: 'exact' });
  assert.deepEqual(ksTwoSample(a, a, 'asymptotic'), { d: 0, pValue: 1, method: 'asymptotic' });
});

test('ksTwoSample: fully separated samples give D = 1', () => {
  // ks_2samp([1,2,3,4,5], [6,...,12], method='exact') = (1.0, 0.0025252525252525255) = 2/C(12,5)
  // kstwobign.sf(1.0*(sqrt(35/12)+0.12+0.11/sqrt(35/12))) = 0.0015523957880085259
  const a = W([1, 2, 3, 4, 5]);
  const b = W([6, 7, 8, 9, 10, 11, 12]);
  const r = ksTwoSample(a, b);
  assert.equal(r.d, 1);
  close(r.pValue, 0.0025252525252525255, 1e-13, 'exact p');
  close(r.pValue, 2 / 792, 1e-13, 'exact p = 2/C(12,5)');
  close(ksTwoSample(a, b, 'asymptotic').pValue, 0.0015523957880085259, 1e-12, 'asymptotic p');
});

test('ksTwoSample on large weighted samples is O(distinct values)', () => {
  // n1 = 1e8, n2 = 1e7, four distinct values; ECDFs .25/.5/.75/1 vs .2502/.5001/.7501/1, D = 2e-4.
  // kstwobign.sf(2e-4*(sqrt(en)+0.12+0.11/sqrt(en))), en = 1e15/1.1e8: 0.8602230323667681
  const a = { values: [10, 11, 12, 13], counts: [25e6, 25e6, 25e6, 25e6] };
  const b = { values: [10, 11, 12, 13], counts: [2_502_000, 2_499_000, 2_500_000, 2_499_000] };
  const r = ksTwoSample(a, b);
  assert.equal(r.method, 'asymptotic');
  close(r.d, 2e-4, 1e-9, 'D');
  close(r.pValue, 0.8602230323667681, 1e-8, 'p');
});

test('ksTwoSample rejects empty or malformed input', () => {
  assert.throws(() => ksTwoSample(W([]), W([1])), RangeError);
  assert.throws(() => ksTwoSample({ values: [2, 1], counts: [1, 1] }, W([1])), RangeError);
  assert.throws(() => ksTwoSample({ values: [1], counts: [0.5] }, W([1]), 'exact'), RangeError);
});

test('kolmogorovSf / kolmogorovIsf / ksCriticalD match scipy kstwobign', () => {
  // scipy.stats.kstwobign.sf(x)
  const sf: [number, number][] = [
    [0.5, 0.9639452436648751],
    [1.0, 0.26999967167735456],
    [1.36, 0.049485876755377876],
    [2.0, 0.0006709252557796953],
  ];
  for (const [x, v] of sf) close(kolmogorovSf(x), v, 1e-14, `kolmogorovSf(${x})`);
  assert.equal(kolmogorovSf(0), 1);
  // scipy.stats.kstwobign.isf(0.05) = 1.3580986393225507, isf(0.01) = 1.6276236115189504
  close(kolmogorovIsf(0.05), 1.3580986393225507, 1e-12, 'isf(0.05)');
  close(kolmogorovIsf(0.01), 1.6276236115189504, 1e-12, 'isf(0.01)');
  // kstwobign.isf(0.05) * sqrt((50+80)/(50*80)) = 0.24483471406076657
  close(ksCriticalD(50, 80, 0.05), 0.24483471406076657, 1e-12, 'ksCriticalD(50, 80, 0.05)');
});

/** Brute-force D: ECDFs compared after every distinct value, straight from the definition. */
function bruteD(a: number[], b: number[]): number {
  let d = 0;
  for (const x of [...a, ...b]) {
    const fa = a.filter((v) => v <= x).length / a.length;
    const fb = b.filter((v) => v <= x).length / b.length;
    d = Math.max(d, Math.abs(fa - fb));
  }
  return d;
}

test('property: ksTwoSample D equals brute-force D on random whole-ms samples (seeded)', () => {
  const r = rng(20240611);
  for (let it = 0; it < 500; it++) {
    const n1 = 1 + Math.floor(r() * 40);
    const n2 = 1 + Math.floor(r() * 40);
    const spread = [2, 5, 20, 100][Math.floor(r() * 4)]!;
    const shift = Math.floor(r() * 4);
    const a = Array.from({ length: n1 }, () => Math.floor(r() * spread));
    const b = Array.from({ length: n2 }, () => Math.floor(r() * spread) + shift);
    const want = bruteD(a, b);
    for (const m of ['auto', 'asymptotic'] as const) {
      const got = ksTwoSample(W(a), W(b), m);
      assert.ok(Math.abs(got.d - want) < 1e-12, `D ${got.d} vs ${want} for ${JSON.stringify({ a, b })}`);
      assert.ok(got.pValue >= 0 && got.pValue <= 1);
    }
  }
});

test('property: exact p equals full permutation enumeration for small tie-free samples (seeded)', () => {
  const r = rng(7);
  for (let it = 0; it < 60; it++) {
    const n1 = 1 + Math.floor(r() * 5);
    const n2 = 1 + Math.floor(r() * 6);
    const N = n1 + n2;
    // distinct values: a random labelling of the ranks 0..N-1
    const isA: boolean[] = Array.from({ length: N }, (_, i) => i < n1);
    for (let i = N - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [isA[i], isA[j]] = [isA[j]!, isA[i]!];
    }
    const a = isA.flatMap((f, i) => (f ? [i] : []));
    const b = isA.flatMap((f, i) => (f ? [] : [i]));
    const got = ksTwoSample(W(a), W(b));
    assert.equal(got.method, 'exact');
    // Under H0 every labelling of the N ranks is equally likely: p = share with D >= observed.
    let total = 0;
    let atLeast = 0;
    for (let mask = 0; mask < 1 << N; mask++) {
      let bits = 0;
      for (let i = 0; i < N; i++) bits += (mask >> i) & 1;
      if (bits !== n1) continue;
      total++;
      let c1 = 0;
      let c2 = 0;
      let d = 0;
      for (let i = 0; i < N; i++) {
        if ((mask >> i) & 1) c1++;
        else c2++;
        d = Math.max(d, Math.abs(c1 / n1 - c2 / n2));
      }
      if (d >= got.d - 1e-12) atLeast++;
    }
    close(got.pValue, atLeast / total, 1e-12, `p for ${JSON.stringify({ a, b })}`);
  }
});

// ------------------------------------------------------------------------------------------
// Cliff's delta
// ------------------------------------------------------------------------------------------

test("cliffsDelta: hand-computed and scipy-derived values", () => {
  // By hand: A = [1,2,3], B = [2,2,4]. Pairs: 1 < all three (-3); 2 ties 2,2, < 4 (-1);
  // 3 > 2,2, < 4 (+1). delta = (-3 - 1 + 1)/9 = -1/3.
  close(cliffsDelta(W([1, 2, 3]), W([2, 2, 4])), -1 / 3, 1e-15, 'hand case');
  // By hand: A = [6,7,8,8,9], B = [4,5,6,6,7]. #(A>B): 6 > {4,5} = 2, 7 > {4,5,6,6} = 4,
  // 8, 8 and 9 > all five = 15; total 21. #(A<B): 6 < 7 = 1. delta = (21 - 1)/25 = 0.8.
  close(cliffsDelta(W([6, 7, 8, 8, 9]), W([4, 5, 6, 6, 7])), 0.8, 1e-15, 'second hand case');
  // From scipy: delta = 2*U/(n1*n2) - 1 with U = scipy.stats.mannwhitneyu(a, b).statistic
  // (U counts ties as 1/2, so 2U/(n1 n2) - 1 = P(A>B) - P(A<B)).
  for (const [c, want] of [
    [KS_CASES[0]!, -0.625],
    [KS_CASES[1]!, -0.578125],
    [KS_CASES[2]!, -0.5324675324675325],
    [KS_CASES[3]!, -0.5325],
  ] as const) {
    close(cliffsDelta(W(c.a), W(c.b)), want, 1e-14, c.name);
    close(cliffsDelta(W(c.b), W(c.a)), -want, 1e-14, `${c.name} swapped`);
  }
  assert.equal(cliffsDelta(W([5, 6, 7, 7, 8]), W([5, 6, 7, 7, 8])), 0);
  assert.equal(cliffsDelta(W([1, 2, 3]), W([4, 5])), -1);
  assert.equal(cliffsDelta(W([9, 10]), W([4, 5, 8])), 1);
  // Weighted: counts behave as repeated values.
  assert.equal(cliffsDelta({ values: [1, 2], counts: [3e7, 1e7] }, { values: [2], counts: [5] }), -0.75);
});

test('property: cliffsDelta equals the O(n*m) pair count (seeded)', () => {
  const r = rng(99);
  for (let it = 0; it < 300; it++) {
    const a = Array.from({ length: 1 + Math.floor(r() * 30) }, () => Math.floor(r() * 12));
    const b = Array.from({ length: 1 + Math.floor(r() * 30) }, () => Math.floor(r() * 12) + Math.floor(r() * 3));
    let s = 0;
    for (const x of a) for (const y of b) s += Math.sign(x - y);
    close(cliffsDelta(W(a), W(b)) + 2, s / (a.length * b.length) + 2, 1e-14, JSON.stringify({ a, b }));
  }
});

// ------------------------------------------------------------------------------------------
// Quantile rank and order-statistic intervals
// ------------------------------------------------------------------------------------------

test('quantileRank edge cases', () => {
  assert.equal(quantileRank(1, 0), 1);
  assert.equal(quantileRank(1, 0.05), 1);
  assert.equal(quantileRank(1, 1), 1);
  assert.equal(quantileRank(10, 0), 1);
  assert.equal(quantileRank(10, 1), 10);
  assert.equal(quantileRank(10, 0.05), 1); // ceil(0.5)
  assert.equal(quantileRank(20, 0.05), 1); // exactly 1
  assert.equal(quantileRank(21, 0.05), 2); // ceil(1.05)
  assert.equal(quantileRank(100, 0.05), 5);
  assert.equal(quantileRank(100, 0.07), 7); // 100*0.07 = 7.000000000000001 in binary
  assert.equal(quantileRank(2310, 0.05), 116); // ceil(115.5)
  assert.equal(quantileRank(1e8, 0.05), 5e6);
  assert.throws(() => quantileRank(0, 0.5), RangeError);
  assert.throws(() => quantileRank(2.5, 0.5), RangeError);
  assert.throws(() => quantileRank(10, 1.1), RangeError);
  assert.throws(() => quantileRank(10, NaN), RangeError);
});

// Reference ranks from a brute-force SciPy scan over every candidate k:
//   k = np.arange(0, n)            # for n > 20000: k within mean +- 12 sd (all that can change)
//   F = binom.cdf(k, n, p); S = binom.sf(k, n, p); t = (1 - conf) / 2
//   two-sided if both exist:  l = k[F <= t].max() + 1,  u = k[S <= t].min() + 1,
//                             conf = 1 - binom.cdf(l-1, n, p) - binom.sf(u-1, n, p)
//   else upper-only:          u = k[S <= 1 - conf].min() + 1, conf = 1 - binom.sf(u-1, n, p)
const OSI_CASES: { n: number; p: number; level: number; sided: string; l: number | null; u: number; conf: number }[] = [
  { n: 1, p: 0.05, level: 0.95, sided: 'upper-only', l: null, u: 1, conf: 0.95 },
  { n: 20, p: 0.05, level: 0.95, sided: 'upper-only', l: null, u: 4, conf: 0.9840984739802364 },
  { n: 71, p: 0.05, level: 0.95, sided: 'upper-only', l: null, u: 8, conf: 0.9747896397931917 },
  { n: 72, p: 0.05, level: 0.95, sided: 'two-sided', l: 1, u: 9, conf: 0.9654900479083739 },
  { n: 100, p: 0.05, level: 0.95, sided: 'two-sided', l: 1, u: 11, conf: 0.9826070607121813 },
  { n: 2310, p: 0.05, level: 0.95, sided: 'two-sided', l: 95, u: 137, conf: 0.9552346863256476 },
  { n: 5, p: 0.5, level: 0.95, sided: 'upper-only', l: null, u: 5, conf: 0.96875 },
  { n: 10, p: 0.5, level: 0.95, sided: 'two-sided', l: 2, u: 9, conf: 0.978515625 },
  { n: 1000, p: 0.5, level: 0.99, sided: 'two-sided', l: 459, u: 542, conf: 0.9913600509977395 },
  { n: 100000, p: 0.25, level: 0.9, sided: 'two-sided', l: 24775, u: 25226, conf: 0.9004058014480276 },
  { n: 1e8, p: 0.05, level: 0.95, sided: 'two-sided', l: 4995729, u: 5004273, conf: 0.9500191747513473 },
  { n: 1e8, p: 0.5, level: 0.99, sided: 'two-sided', l: 49987121, u: 50012880, conf: 0.9900020446686324 },
];

test('orderStatisticInterval ranks match a brute-force scipy scan', () => {
  for (const c of OSI_CASES) {
    const r = orderStatisticInterval(c.n, c.p, c.level);
    const what = `n=${c.n} p=${c.p} conf=${c.level}`;
    assert.equal(r.sided, c.sided, what);
    assert.equal(r.lowerRank, c.l, what);
    assert.equal(r.upperRank, c.u, what);
    close(r.confidence, c.conf, 1e-10, what);
  }
  // The default confidence is 0.95.
  assert.deepEqual(orderStatisticInterval(100, 0.05), orderStatisticInterval(100, 0.05, 0.95));
  assert.throws(() => orderStatisticInterval(0, 0.05), RangeError);
  assert.throws(() => orderStatisticInterval(10, 0), RangeError);
  assert.throws(() => orderStatisticInterval(10, 0.5, 1), RangeError);
});

/** pmf of Binomial(n, p) by repeated convolution: slow, obviously right, no special functions. */
function dpPmf(n: number, p: number): number[] {
  let f = [1];
  for (let i = 0; i < n; i++) {
    const g = new Array<number>(f.length + 1).fill(0);
    for (let k = 0; k < f.length; k++) {
      g[k]! += f[k]! * (1 - p);
      g[k + 1]! += f[k]! * p;
    }
    f = g;
  }
  return f;
}

test('property: orderStatisticInterval achieves its confidence and is narrowest (seeded)', () => {
  const r = rng(31337);
  for (let it = 0; it < 300; it++) {
    const n = 1 + Math.floor(r() ** 2 * 300);
    const p = [0.05, 0.01, 0.5, 0.95, r()][Math.floor(r() * 5)]!;
    const level = [0.8, 0.9, 0.95, 0.99][Math.floor(r() * 4)]!;
    if (!(p > 0)) continue;
    const pmf = dpPmf(n, p);
    const F = (k: number): number => pmf.slice(0, k + 1).reduce((s, x) => s + x, 0); // P(B <= k)
    const res = orderStatisticInterval(n, p, level);
    const what = `n=${n} p=${p} conf=${level} -> ${JSON.stringify(res)}`;
    const l = res.lowerRank;
    const u = res.upperRank;
    assert.ok(u >= 1 && u <= n, what);
    const achieved = F(u - 1) - (l === null ? 0 : F(l - 1));
    close(res.confidence + 1, achieved + 1, 1e-12, `reported coverage, ${what}`);
    const half = (1 - level) / 2;
    if (res.sided === 'two-sided') {
      assert.ok(l !== null && l >= 1 && l < u, what);
      assert.ok(achieved >= level - 1e-12, `coverage, ${what}`);
      if (u < n || 1 - F(n - 1) <= half) {
        // equal-tailed case: each tail within alpha/2, and neither bound can move inwards
        assert.ok(F(l - 1) <= half * (1 + 1e-9), `lower tail, ${what}`);
        assert.ok(1 - F(u - 1) <= half * (1 + 1e-9), `upper tail, ${what}`);
        if (l + 1 < u) assert.ok(F(l) > half * (1 - 1e-9), `l not narrowest, ${what}`);
        if (u - 1 > l) assert.ok(1 - F(u - 2) > half * (1 - 1e-9), `u not narrowest, ${what}`);
      }
    } else {
      assert.equal(l, null, what);
      assert.ok(pmf[0]! > half * (1 - 1e-9) || 1 - F(n - 1) > half, `lower bound was possible, ${what}`);
      if (achieved < level - 1e-12) assert.equal(u, n, `below nominal only when u = n, ${what}`);
      else if (u > 1) assert.ok(F(u - 2) < level + 1e-12, `u not smallest, ${what}`);
    }
  }
});

test('orderStatisticInterval handles n = 1e8 (fast path)', () => {
  // Timing is checked by hand, not asserted: ~0.5 ms warm, ~1.5 ms cold on the dev machine.
  const r = orderStatisticInterval(1e8, 0.05);
  assert.equal(r.sided, 'two-sided');
  assert.ok(r.confidence >= 0.95);
});

// ------------------------------------------------------------------------------------------
// Binomial and normal
// ------------------------------------------------------------------------------------------

test('binomialCdf / binomialSf match scipy binom.cdf / binom.sf', () => {
  // scipy.stats.binom.cdf(k, n, p), scipy.stats.binom.sf(k, n, p)
  const cases: [number, number, number, number, number][] = [
    [3, 20, 0.05, 0.9840984739802364, 0.015901526019763548],
    [0, 72, 0.05, 0.024894280619189482, 0.9751057193808105],
    [0, 71, 0.05, 0.0262045059149363, 0.9737954940850637],
    [50, 100, 0.5, 0.5397946186935889, 0.46020538130641103],
    [12, 1000, 0.05, 6.028159630937416e-11, 0.9999999999397184],
    [95, 2310, 0.05, 0.025533873315062534, 0.9744661266849375],
  ];
  for (const [k, n, p, cdf, sf] of cases) {
    close(binomialCdf(k, n, p), cdf, 1e-13, `cdf(${k}, ${n}, ${p})`);
    close(binomialSf(k, n, p), sf, 1e-13, `sf(${k}, ${n}, ${p})`);
  }
  // n = 1e8: SciPy's values (Boost ibeta) carry ~1e-12 relative error of their own, so they
  // are checked at 1e-11; the truth is mpmath at 40 digits, summing pmf terms from the tail
  // (mp.loggamma for the first term, then the ratio recurrence, until terms < 1e-30 of the sum).
  const big: [number, number, number, number, number, number][] = [
    // k, n, p, scipy cdf, mpmath cdf, mpmath sf
    [4995000, 1e8, 0.05, 0.010888892302580206, 0.010888892302571226, 0.9891111076974288],
    [5003000, 1e8, 0.05, 0.915691647924332, 0.9156916479242841, 0.0843083520757158],
    [49990000, 1e8, 0.5, 0.022755531314786137, 0.022755531314807856, 0.9772444686851921],
    [60, 1e8, 1e-6, 1.081212875624316e-5, 1.0812128756243039e-5, 0.9999891878712438],
  ];
  for (const [k, n, p, scipyCdf, cdf, sf] of big) {
    close(binomialCdf(k, n, p), scipyCdf, 1e-11, `cdf(${k}, ${n}, ${p}) vs scipy`);
    close(binomialCdf(k, n, p), cdf, 1e-13, `cdf(${k}, ${n}, ${p}) vs mpmath`);
    close(binomialSf(k, n, p), sf, 1e-13, `sf(${k}, ${n}, ${p}) vs mpmath`);
  }
  assert.equal(binomialCdf(-1, 10, 0.3), 0);
  assert.equal(binomialCdf(10, 10, 0.3), 1);
  assert.equal(binomialCdf(2.7, 10, 0.3), binomialCdf(2, 10, 0.3));
  assert.equal(binomialCdf(3, 10, 0), 1);
  assert.equal(binomialCdf(3, 10, 1), 0);
  assert.throws(() => binomialCdf(1, 10, 1.5), RangeError);
  assert.throws(() => binomialCdf(1, 2.5, 0.5), RangeError);
});

test('property: binomialCdf and binomialPmf agree with direct convolution (seeded)', () => {
  const r = rng(4242);
  for (let it = 0; it < 200; it++) {
    const n = 1 + Math.floor(r() * 200);
    const p = r();
    const pmf = dpPmf(n, p);
    let acc = 0;
    for (let k = 0; k <= n; k++) {
      acc += pmf[k]!;
      if (pmf[k]! > 1e-250) close(binomialPmf(k, n, p), pmf[k]!, 1e-9, `pmf(${k}, ${n}, ${p})`);
      assert.ok(Math.abs(binomialCdf(k, n, p) - Math.min(1, acc)) < 1e-12, `cdf(${k}, ${n}, ${p})`);
      assert.ok(Math.abs(binomialSf(k, n, p) - Math.max(0, 1 - acc)) < 1e-12, `sf(${k}, ${n}, ${p})`);
    }
  }
});

test('normalSf matches scipy norm.sf, including far tails', () => {
  // scipy.stats.norm.sf(z)
  const cases: [number, number][] = [
    [-3, 0.9986501019683699],
    [0, 0.5],
    [0.5, 0.3085375387259869],
    [1.959963984540054, 0.025],
    [3, 0.0013498980316300933],
    [5, 2.866515718791933e-7],
    [8.5, 9.47953482220325e-18],
    [10, 7.61985302416047e-24],
    [20, 2.7536241186061556e-89],
    [37.5, 4.605353009581954e-308],
  ];
  // SciPy's own tail error grows to ~6e-14 at z = 30 (mpmath: 0.5*erfc(z/sqrt(2)) at 40 digits
  // agrees with normalSf to 2e-16), hence 1e-12 here.
  for (const [z, v] of cases) close(normalSf(z), v, 1e-12, `normalSf(${z})`);
  assert.equal(normalSf(50), 0);
  assert.equal(normalSf(-50), 1);
  // scipy.stats.norm.isf(q)
  close(normalIsf(0.025), 1.9599639845400545, 1e-14, 'isf(0.025)');
  close(normalIsf(1e-10), 6.361340902404056, 1e-14, 'isf(1e-10)');
  close(normalIsf(0.975), -1.959963984540054, 1e-14, 'isf(0.975)');
  assert.ok(Math.abs(normalIsf(0.5)) < 1e-16);
});

// ------------------------------------------------------------------------------------------
// Median, MAD, robust z
// ------------------------------------------------------------------------------------------

test('median and mad', () => {
  // numpy.median(peers) = 25.25; scipy.stats.median_abs_deviation(peers) (scale=1.0) = 2.25
  const peers = [21.5, 23.0, 24.0, 24.5, 26.0, 27.5, 31.0, 40.0];
  assert.equal(median(peers), 25.25);
  assert.equal(mad(peers), 2.25);
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median(new Float64Array([4, 1, 3, 2])), 2.5);
  assert.equal(mad([5, 5, 5, 9]), 0);
  assert.throws(() => median([]), RangeError);
  assert.throws(() => mad([1, NaN]), RangeError);
});

test('robustZ: MAD floored at the data resolution', () => {
  // Whole-ms peers that mostly share one value: MAD = 0, floored at 1 ms.
  const peers = [20, 20, 20, 20, 21, 20, 19, 20];
  const r = robustZ(30, peers, 1);
  assert.equal(r.median, 20);
  assert.equal(r.mad, 0);
  assert.equal(r.scale, 1.4826);
  close(r.z, 10 / 1.4826, 1e-15, 'z');
  assert.ok(Number.isFinite(r.z));
  // MAD above the floor: (x - 25.25)/(1.4826*2.25) with numpy/scipy median and MAD above.
  const s = robustZ(40, [21.5, 23.0, 24.0, 24.5, 26.0, 27.5, 31.0, 40.0], 1);
  assert.equal(s.mad, 2.25);
  close(s.z, (40 - 25.25) / (1.4826 * 2.25), 1e-15, 'z above floor');
  // No floor: infinite z is explicit, and x at the median is 0.
  assert.equal(robustZ(30, peers, 0).z, Infinity);
  assert.equal(robustZ(10, peers, 0).z, -Infinity);
  assert.equal(robustZ(20, peers, 0).z, 0);
  assert.throws(() => robustZ(1, [], 1), RangeError);
  assert.throws(() => robustZ(1, [1], -1), RangeError);
});

// ------------------------------------------------------------------------------------------
// Benjamini-Hochberg
// ------------------------------------------------------------------------------------------

test('benjaminiHochberg matches scipy false_discovery_control', () => {
  // scipy.stats.false_discovery_control([0.01,0.04,0.03,0.005,0.2,0.5,0.04,1.0])
  const want = [0.04, 0.064, 0.064, 0.04, 0.26666666666666666, 0.5714285714285714, 0.064, 1.0];
  const got = benjaminiHochberg([0.01, 0.04, 0.03, 0.005, 0.2, 0.5, 0.04, 1.0]);
  got.forEach((q, i) => close(q!, want[i]!, 1e-15, `q[${i}]`));
  // Nulls stay null and do not count in m:
  // scipy.stats.false_discovery_control([0.02,0.8,0.001,0.03]) = [0.04, 0.8, 0.004, 0.04]
  const withNull = benjaminiHochberg([0.02, null, 0.8, 0.001, null, 0.03]);
  assert.equal(withNull[1], null);
  assert.equal(withNull[4], null);
  const w2 = [0.039999999999999994, 0.8, 0.004, 0.039999999999999994];
  [0, 2, 3, 5].forEach((i, j) => close(withNull[i]!, w2[j]!, 1e-15, `q[${i}]`));
  assert.deepEqual(benjaminiHochberg([]), []);
  assert.deepEqual(benjaminiHochberg([null]), [null]);
  // capped at 1 and monotone in p
  const q = benjaminiHochberg([0.9, 0.95, 0.99, 1]);
  assert.ok(q.every((x) => x! <= 1));
  assert.throws(() => benjaminiHochberg([1.5]), RangeError);
  assert.throws(() => benjaminiHochberg([NaN]), RangeError);
});

test('property: BH q-values are monotone in p and at least p (seeded)', () => {
  const r = rng(5);
  for (let it = 0; it < 100; it++) {
    const p = Array.from({ length: 1 + Math.floor(r() * 30) }, () => (r() < 0.1 ? null : r() ** 3));
    const q = benjaminiHochberg(p);
    for (let i = 0; i < p.length; i++) {
      if (p[i] === null) {
        assert.equal(q[i], null);
        continue;
      }
      assert.ok(q[i]! >= p[i]! * (1 - 1e-15) && q[i]! <= 1); // m*p/r rounds, by an ulp at most
      for (let j = 0; j < p.length; j++) {
        if (p[j] !== null && p[j]! <= p[i]!) assert.ok(q[j]! <= q[i]!);
      }
    }
  }
});

test('sortedMedianAbsoluteDeviation equals the sort-based type-1 median of deviations (weighted and not)', () => {
  // The definition it replaces: every deviation, sorted, then the value at rank ceil(total / 2).
  const bySorting = (values: number[], counts: number[] | null, centre: number): number => {
    const d = values.map((x, i) => ({ d: Math.abs(x - centre), c: counts === null ? 1 : counts[i]! })).sort((a, b) => a.d - b.d);
    const total = d.reduce((s, p) => s + p.c, 0);
    if (total === 0) return 0;
    const rank = quantileRank(total, 0.5);
    let seen = 0;
    for (const p of d) { seen += p.c; if (seen >= rank) return p.d; }
    return 0;
  };
  fc.assert(fc.property(
    fc.array(fc.oneof(fc.double({ min: 0, max: 500, noNaN: true }), fc.constantFrom(0, 10, 20, 20, 30)), { maxLength: 60 }),
    fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 60, maxLength: 60 }),
    fc.boolean(), fc.oneof(fc.double({ min: -10, max: 600, noNaN: true }), fc.constantFrom(0, 20)),
    (raw, weights, weighted, centre) => {
      const values = [...raw].sort((a, b) => a - b);
      const counts = weighted ? weights.slice(0, values.length) : null;
      assert.equal(sortedMedianAbsoluteDeviation(values, counts, centre), bySorting(values, counts, centre));
    }), { numRuns: 2000, seed: 11 });
  // Textbook: {1, 1, 2, 2, 4, 6, 9} about its median 2 -> deviations {1, 1, 0, 0, 2, 4, 7}, type-1 median 1.
  assert.equal(sortedMedianAbsoluteDeviation([1, 1, 2, 2, 4, 6, 9], null, 2), 1);
  assert.equal(sortedMedianAbsoluteDeviation([], null, 5), 0);
});

test('memberAgainstRest equals ksTwoSample and cliffsDelta against the rest built by hand, bit for bit', () => {
  // Members of few distinct values among many keys (the peer comparison's case), ties between
  // members, members whose counts exhaust a key, and small samples (the exact p-value).
  const member = fc.array(fc.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 9 })), { minLength: 1, maxLength: 12 });
  fc.assert(fc.property(fc.array(member, { minLength: 2, maxLength: 8 }), (members) => {
    const parts = members.map((m) => {
      const byValue = new Map<number, number>();
      for (const [v, c] of m) byValue.set(v / 4, (byValue.get(v / 4) ?? 0) + c);
      const values = [...byValue.keys()].sort((a, b) => a - b);
      return { values, counts: values.map((v) => byValue.get(v)!) };
    });
    const pooled = new Map<number, number>();
    for (const p of parts) p.values.forEach((v, i) => pooled.set(v, (pooled.get(v) ?? 0) + p.counts[i]!));
    const keys = Float64Array.from([...pooled.keys()].sort((a, b) => a - b));
    const counts = keys.map((k) => pooled.get(k)!);
    let n = 0;
    const cumulative = counts.map((c) => (n += c));
    const pool = { keys, counts, cumulative, n };
    for (const self of parts) {
      const restCounts = new Map(pooled);
      self.values.forEach((v, i) => restCounts.set(v, restCounts.get(v)! - self.counts[i]!));
      const values = [...restCounts.keys()].filter((v) => restCounts.get(v)! > 0).sort((a, b) => a - b);
      const rest = { values, counts: values.map((v) => restCounts.get(v)!) };
      const got = memberAgainstRest(self, pool);
      if (rest.values.length === 0) { assert.equal(got, null); continue; }
      assert.ok(got !== null);
      assert.deepEqual(got.ks, ksTwoSample(self, rest));
      assert.equal(got.cliffsDelta, cliffsDelta(self, rest));
      assert.equal(got.restN, totalCount(rest));
    }
  }), { seed: 7, numRuns: 400 });
  // A value the pool does not hold: no comparison (the caller then builds the rest).
  const pool = { keys: new Float64Array([1, 2]), counts: new Float64Array([3, 4]), cumulative: new Float64Array([3, 7]), n: 7 };
  assert.equal(memberAgainstRest({ values: [1.5], counts: [1] }, pool), null);
});
