// Pure statistics for keylag (DESIGN section 3): weighted two-sample tests, effect sizes,
// distribution-free quantile intervals, robust z and false-discovery control.
// No I/O and no randomness: the same input always gives the same bits.
//
// Special functions are written here rather than taken from npm on purpose:
// - simple-statistics (a dependency) has a table-based normal CDF (~1e-4) and an erf good to
//   ~1e-7, not the 1e-12 relative tails needed for p-values and q-values.
// - @stdlib/stats-base-dists-binomial-cdf installs 224 packages (26 MB) and at n = 1e8 is off
//   by ~3e-10 relative. The binomial CDF below is Loader's (2000) saddle-point pmf plus a short
//   tail sum: ~80 lines, within ~3e-14 of 40-digit mpmath at n = 1e8 (SciPy: ~1e-12).
// Median and MAD do come from simple-statistics.

import { median as ssMedian, medianAbsoluteDeviation as ssMad } from 'simple-statistics';

// ---------------------------------------------------------------------------------------------
// Weighted points
// ---------------------------------------------------------------------------------------------

/**
 * Ascending distinct values with their multiplicities.
 * Counts are positive. They are whole numbers when built by `toWeightedPoints`; callers may
 * build non-integer weights (e.g. from a sketch): D, Cliff's delta and the asymptotic p-value
 * accept them (the sample size is then the sum of the weights), the exact KS p-value needs
 * whole counts and is skipped otherwise.
 */
export interface WeightedPoints {
  values: number[];
  counts: number[];
}

/** Sort ascending and collapse ties. Throws RangeError on NaN or infinite values. */
export function toWeightedPoints(values: ArrayLike<number>): WeightedPoints {
  const sorted = new Float64Array(values);
  for (let i = 0; i < sorted.length; i++) {
    const v = sorted[i]!;
    if (!Number.isFinite(v)) throw new RangeError(`toWeightedPoints: non-finite value ${v}`);
  }
  sorted.sort(); // typed-array sort is numeric
  const out: WeightedPoints = { values: [], counts: [] };
  for (let i = 0; i < sorted.length; ) {
    const v = sorted[i]!;
    let j = i + 1;
    while (j < sorted.length && sorted[j] === v) j++;
    out.values.push(v === 0 ? 0 : v); // -0 and 0 are one tie; report it as 0
    out.counts.push(j - i);
    i = j;
  }
  return out;
}

/** A read-only weighted sample whose columns may be typed arrays or views (leave-one-out pools). */
export interface WeightedView {
  readonly values: ArrayLike<number>;
  readonly counts: ArrayLike<number>;
}

export function totalCount(p: WeightedPoints): number {
  let s = 0;
  for (const c of p.counts) s += c;
  return s;
}

// Validated samples: a leave-one-out pool is checked once although the KS test and Cliff's delta
// both read it (thousands of accounts, each against a pool of hundreds of bins). keylag builds a
// WeightedPoints once and never changes it; a changed length is still noticed and re-checked.
const validated = new WeakMap<WeightedView, { n: number; integer: boolean; length: number }>();

/** Validate a weighted sample in one pass: its total count, and whether every count is whole. */
function checkWeightedFull(p: WeightedView, name: string): { n: number; integer: boolean } {
  const known = validated.get(p);
  if (known !== undefined && known.length === p.counts.length && known.length === p.values.length) return known;
  if (p.values.length !== p.counts.length) throw new RangeError(`${name}: values and counts differ in length`);
  let n = 0;
  let integer = true;
  let previous = -Infinity;
  for (let i = 0; i < p.counts.length; i++) {
    const c = p.counts[i]!;
    const v = p.values[i]!;
    if (!(c > 0) || !Number.isFinite(c)) throw new RangeError(`${name}: count ${c} is not positive`);
    if (!Number.isFinite(v)) throw new RangeError(`${name}: non-finite value ${v}`);
    if (i > 0 && !(v > previous)) throw new RangeError(`${name}: values not strictly ascending`);
    previous = v;
    n += c;
    if (integer && !Number.isInteger(c)) integer = false;
  }
  if (!(n > 0)) throw new RangeError(`${name}: empty sample`);
  const result = { n, integer, length: p.counts.length };
  validated.set(p, result);
  return result;
}

/**
 * For samples built valid by construction (ascending keys, positive counts), with their total and
 * whether every count is whole: the tests then skip the validation pass.
 */
export function trustWeighted<T extends WeightedView>(p: T, n: number, integer: boolean): T {
  if (n > 0) validated.set(p, { n, integer, length: p.counts.length });
  return p;
}

function checkWeighted(p: WeightedView, name: string): number {
  return checkWeightedFull(p, name).n;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

// ---------------------------------------------------------------------------------------------
// Two-sample Kolmogorov-Smirnov
// ---------------------------------------------------------------------------------------------

/**
 * Largest n1*n2 for which 'auto' computes the exact p-value. The lattice count costs O(n1*n2)
 * (O(n) when n1 == n2); above this the Stephens-corrected asymptotic value is within ~10% of
 * the exact one for p >= 1e-4 (checked against SciPy), which is all a p-value needs here.
 */
export const KS_EXACT_MAX_PRODUCT = 10_000;

/**
 * Two-sample Kolmogorov-Smirnov, two-sided.
 *
 * D = max |F_a(x) - F_b(x)| with both ECDFs evaluated after all observations tied at x
 * (right-continuous ECDFs, as SciPy's searchsorted(side='right')), in O(distinct values).
 *
 * p-value (`method` 'auto' picks as below; 'exact' forces the lattice count, O(n1*n2) time):
 * - 'exact' when both totals are whole and n1*n2 <= KS_EXACT_MAX_PRODUCT: P(D >= d) by lattice
 *   path counting under H0, as SciPy's ks_2samp(method='exact'): the closed form for
 *   n1 == n2 (Hodges 1957) or the "inside method" with the 1-p recursion (Hodges 1957;
 *   Viehmann 2021, arXiv:2102.08037). Same results as SciPy to rounding.
 * - 'asymptotic' otherwise: the Kolmogorov limit at lambda = D*(sqrt(en) + 0.12 + 0.11/sqrt(en)),
 *   en = n1*n2/(n1+n2) (Stephens 1970; Numerical Recipes' `kstwo`). The plain limit
 *   (lambda = D*sqrt(en)) overstates p for small en (1.5-4x in the tail at en = 10-40); with
 *   the correction it is within ~10% of exact for p >= 1e-4. SciPy's 'asymp' instead uses the
 *   one-sample distribution kstwo(round(en)), which gives similar numbers. For the large
 *   samples this tool mostly sees, all three agree.
 *
 * Ties: both p-values assume continuous data. With ties (whole-millisecond exports) the null
 * distribution of D is stochastically smaller, so the p-values are conservative (too large),
 * never too small.
 */
export function ksTwoSample(
  a: WeightedView,
  b: WeightedView,
  method: 'auto' | 'exact' | 'asymptotic' = 'auto',
): { d: number; pValue: number; method: 'exact' | 'asymptotic' } {
  const checkedA = checkWeightedFull(a, 'ksTwoSample(a)');
  const checkedB = checkWeightedFull(b, 'ksTwoSample(b)');
  const n1 = checkedA.n;
  const n2 = checkedB.n;
  const integer = checkedA.integer && checkedB.integer;
  if (method === 'exact' && !(integer && n1 * n2 <= Number.MAX_SAFE_INTEGER)) {
    throw new RangeError('ksTwoSample: the exact p-value needs whole counts');
  }
  const exact = method === 'exact' || (method === 'auto' && integer && n1 * n2 <= KS_EXACT_MAX_PRODUCT);

  // One merge pass over the distinct values of both samples.
  let i = 0;
  let j = 0;
  let c1 = 0;
  let c2 = 0;
  let d = 0;
  let maxNum = 0; // max |c1*n2 - c2*n1|, exact in integers when `exact`
  while (i < a.values.length || j < b.values.length) {
    const va = i < a.values.length ? a.values[i]! : Infinity;
    const vb = j < b.values.length ? b.values[j]! : Infinity;
    const v = va < vb ? va : vb;
    if (va === v) c1 += a.counts[i++]!;
    if (vb === v) c2 += b.counts[j++]!;
    const diff = Math.abs(c1 / n1 - c2 / n2);
    if (diff > d) d = diff;
    if (exact) {
      const num = Math.abs(c1 * n2 - c2 * n1);
      if (num > maxNum) maxNum = num;
    }
  }

  return ksOutcome(n1, n2, exact, d, maxNum);
}

/** D and its p-value from the merge's maxima: `maxNum` (max |c1*n2 - c2*n1|) is read when `exact`. */
function ksOutcome(n1: number, n2: number, exact: boolean, d: number, maxNum: number): {
  d: number; pValue: number; method: 'exact' | 'asymptotic';
} {
  if (exact) {
    const g = gcd(n1, n2);
    const h = maxNum / g; // D in units of 1/lcm(n1, n2)
    d = maxNum / (n1 * n2);
    return { d, pValue: ksExactSf(n1, n2, g, h), method: 'exact' };
  }
  if (d === 0) return { d, pValue: 1, method: 'asymptotic' };
  const sqrtEn = Math.sqrt((n1 * n2) / (n1 + n2));
  const pValue = kolmogorovSf(d * (sqrtEn + 0.12 + 0.11 / sqrtEn));
  return { d, pValue, method: 'asymptotic' };
}

/**
 * A pooled sample of whole counts with running totals, to compare one member of the pool with
 * the rest of it (`memberAgainstRest`) without building the rest.
 */
export interface PooledCounts {
  /** Ascending distinct keys and their whole counts. */
  readonly keys: Float64Array;
  readonly counts: Float64Array;
  /** cumulative[i] = counts[0] + ... + counts[i]. */
  readonly cumulative: Float64Array;
  readonly n: number;
}

export interface RestComparison {
  ks: { d: number; pValue: number; method: 'exact' | 'asymptotic' };
  cliffsDelta: number;
  /** The rest's total count. */
  restN: number;
}

/**
 * ksTwoSample(member, rest) and cliffsDelta(member, rest), rest = the pool minus the member's
 * counts, in O(m log k) for a member of m distinct values in a pool of k keys instead of O(k):
 * thousands of accounts each against a pool of thousands of keys made the peer comparison
 * quadratic. Between two of the member's values its ECDF is constant and the rest's only grows,
 * so |F_member - F_rest| is largest at the member's values or at the pool key just before one:
 * D is the same maximum over fewer points. Every count is whole (the caller checks), so each sum
 * here is the exact integer the merge over all keys adds up: the results are bit-identical.
 * Returns null when the member is empty, has a value that is not a pool key, or would leave
 * the rest empty.
 */
export function memberAgainstRest(member: WeightedView, pool: PooledCounts): RestComparison | null {
  const { keys, counts, cumulative } = pool;
  const m = member.values.length;
  let n1 = 0;
  for (let i = 0; i < m; i++) n1 += member.counts[i]!;
  const n2 = pool.n - n1;
  if (!(n1 > 0) || !(n2 > 0)) return null;
  const exact = n1 * n2 <= KS_EXACT_MAX_PRODUCT;
  let c1 = 0; // the member's count up to and including the current value
  let d = 0;
  let maxNum = 0;
  let sum = 0; // Cliff's delta numerator
  let at = 0;
  for (let i = 0; i < m; i++) {
    const v = member.values[i]!;
    const count = member.counts[i]!;
    at = lowerBound(keys, v, at);
    if (at >= keys.length || keys[at] !== v) return null;
    const poolBelow = at > 0 ? cumulative[at - 1]! : 0;
    const restBelow = poolBelow - c1; // the rest's count strictly below v
    const restTied = counts[at]! - count;
    if (at > 0 && restBelow > 0) {
      // The pool key just before v (when it holds some of the rest: else the point repeats one before).
      const diff = Math.abs(c1 / n1 - restBelow / n2);
      if (diff > d) d = diff;
      if (exact) { const num = Math.abs(c1 * n2 - restBelow * n1); if (num > maxNum) maxNum = num; }
    }
    c1 += count;
    const restUpTo = restBelow + restTied;
    const diff = Math.abs(c1 / n1 - restUpTo / n2);
    if (diff > d) d = diff;
    if (exact) { const num = Math.abs(c1 * n2 - restUpTo * n1); if (num > maxNum) maxNum = num; }
    sum += count * (restBelow - (n2 - restBelow - restTied));
  }
  return { ks: ksOutcome(n1, n2, exact, d, maxNum), cliffsDelta: sum / (n1 * n2), restN: n2 };
}

/** First index >= `from` whose key is >= v (keys ascending). */
function lowerBound(keys: Float64Array, v: number, from: number): number {
  let lo = from;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** P(D >= h/lcm) under H0 for sample sizes n1, n2 (g = gcd). */
function ksExactSf(n1: number, n2: number, g: number, h: number): number {
  if (h === 0) return 1;
  const p = n1 === n2 ? probOutsideSquare(n1, h) : outerProbInside(n1, n2, g, h);
  return Math.min(1, Math.max(0, p));
}

/**
 * Equal sizes: P(D_{n,n} >= h/n) = 2 * sum_{k>=1} (-1)^(k+1) C(2n, n-kh) / C(2n, n), evaluated
 * Horner-fashion on ratios of binomials to avoid cancellation (as SciPy's
 * _compute_prob_outside_square).
 */
function probOutsideSquare(n: number, h: number): number {
  let P = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1 - P);
  }
  return 2 * P;
}

/**
 * Unequal sizes: share of lattice paths (0,0) -> (m,n) that leave the band
 * |x/m - y/n| < h/lcm(m,n) at some point. Column by column over a sliding window, carrying
 * the share of paths that have already left (1 outside the band), so no huge binomials appear
 * (Hodges 1957, inside method; 1-p recursion of Viehmann 2021; as SciPy's
 * _compute_outer_prob_inside_method).
 */
function outerProbInside(m0: number, n0: number, g: number, h: number): number {
  const m = Math.max(m0, n0);
  const n = Math.min(m0, n0);
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const A = new Float64Array(Math.min(2 * maxj + 2, n + 1)).fill(1);
  A.fill(0, minj, maxj);
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (A[jj + minj - lastminj]! * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) A.fill(1, curlen, curlen + (lastlen - curlen));
  }
  return A[maxj - minj - 1]!;
}

/**
 * Upper tail of the Kolmogorov distribution, P(K > lambda) (SciPy's kstwobign.sf).
 * Two series, each used where it converges in a few terms.
 */
export function kolmogorovSf(lambda: number): number {
  if (Number.isNaN(lambda)) return NaN;
  if (lambda <= 0) return 1;
  if (lambda < 1) {
    // K(l) = sqrt(2 pi)/l * sum_{k>=1} exp(-(2k-1)^2 pi^2 / (8 l^2)); the sf is 1 - K.
    const w = (Math.PI * Math.PI) / (8 * lambda * lambda);
    let s = 0;
    for (let k = 1; k <= 20; k++) {
      const t = Math.exp(-(2 * k - 1) * (2 * k - 1) * w);
      s += t;
      if (t < 1e-17 * s) break;
    }
    return 1 - (Math.sqrt(2 * Math.PI) / lambda) * s;
  }
  // Q(l) = 2 sum_{k>=1} (-1)^(k-1) exp(-2 k^2 l^2)
  let s = 0;
  for (let k = 1; k <= 100; k++) {
    const t = Math.exp(-2 * k * k * lambda * lambda);
    s += k % 2 === 1 ? t : -t;
    if (t < 1e-17 * s) break;
  }
  return Math.min(1, 2 * s);
}

/**
 * Critical KS D at significance alpha (two-sided), asymptotic: c(alpha)*sqrt((n1+n2)/(n1*n2))
 * with c(alpha) the exact upper-alpha point of the Kolmogorov distribution (1.3581 at 0.05).
 * This is the textbook large-sample rule; `ksTwoSample`'s asymptotic p-value adds Stephens'
 * small-sample correction, so for small en the two can disagree slightly near the boundary.
 */
export function ksCriticalD(n1: number, n2: number, alpha: number): number {
  if (!(n1 > 0) || !(n2 > 0)) throw new RangeError('ksCriticalD: sample sizes must be positive');
  if (!(alpha > 0 && alpha < 1)) throw new RangeError('ksCriticalD: alpha must be in (0, 1)');
  let isf = kolmogorovIsfs.get(alpha);
  if (isf === undefined) { isf = kolmogorovIsf(alpha); kolmogorovIsfs.set(alpha, isf); }
  return isf * Math.sqrt((n1 + n2) / (n1 * n2));
}

/** kolmogorovIsf by alpha: a bisection of ~50 series sums, asked once per account for the same alpha. */
const kolmogorovIsfs = new Map<number, number>();

/** Inverse of kolmogorovSf by bisection (monotone, so plain bisection is safe and exact enough). */
export function kolmogorovIsf(alpha: number): number {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError('kolmogorovIsf: alpha must be in (0, 1)');
  let lo = 0;
  let hi = 10; // kolmogorovSf(10) ~ 1e-87, below any useful alpha
  for (let it = 0; it < 200 && hi - lo > 1e-15 * hi; it++) {
    const mid = 0.5 * (lo + hi);
    if (kolmogorovSf(mid) > alpha) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

// ---------------------------------------------------------------------------------------------
// Cliff's delta
// ---------------------------------------------------------------------------------------------

/**
 * Cliff's delta = P(A > B) - P(A < B) over all pairs, ties counting as neither.
 * One merge pass: for each distinct value of A, the weight of B strictly below and strictly
 * above it, so O(distinct values) whatever the counts.
 */
export function cliffsDelta(a: WeightedView, b: WeightedView): number {
  const n1 = checkWeighted(a, 'cliffsDelta(a)');
  const n2 = checkWeighted(b, 'cliffsDelta(b)');
  let j = 0;
  let below = 0; // weight of b strictly below the current a value
  let sum = 0;
  for (let i = 0; i < a.values.length; i++) {
    const v = a.values[i]!;
    while (j < b.values.length && b.values[j]! < v) below += b.counts[j++]!;
    const tied = j < b.values.length && b.values[j] === v ? b.counts[j]! : 0;
    const above = n2 - below - tied;
    sum += a.counts[i]! * (below - above);
  }
  return sum / (n1 * n2);
}

// ---------------------------------------------------------------------------------------------
// Quantiles and their distribution-free intervals
// ---------------------------------------------------------------------------------------------

/**
 * 1-based rank of the type-1 (inverted CDF) p-quantile: ceil(n*p) clamped to [1, n], so the
 * quantile is an actual observation traceable to an input row.
 * p is usually a decimal that binary cannot hold (0.07*100 = 7.000000000000001), so n*p within
 * 1e-12 (relative) above an integer counts as that integer: quantileRank(100, 0.07) = 7.
 */
export function quantileRank(n: number, p: number): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`quantileRank: n must be a positive integer, got ${n}`);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`quantileRank: p must be in [0, 1], got ${p}`);
  const x = n * p;
  let r = Math.ceil(x);
  if (r >= 1 && x - (r - 1) <= 1e-12 * Math.max(1, x)) r -= 1;
  return Math.min(n, Math.max(1, r));
}

/**
 * Relative slack when comparing binomial tails with their targets, so a tail equal to its
 * target up to rounding meets it (n = 1, p = 0.05: P(B < 1) = 0.95 exactly, computed a hair
 * below). The reported coverage can then fall short of the nominal level by rounding only.
 */
const TAIL_SLACK = 1e-12;

/**
 * Distribution-free confidence interval for the p-quantile xi_p from order statistics.
 *
 * With B ~ Binomial(n, p) the number of observations below xi_p, for continuous data
 *   P(X_(l) <= xi_p <= X_(u)) = P(l <= B < u) = F(u-1) - F(l-1),   F = binomial CDF,
 * and with ties the coverage is at least that. Two-sided, equal-tailed and narrowest:
 *   l = largest l >= 1 with F(l-1) <= alpha/2       (lower tail P(B < l)),
 *   u = smallest u <= n with P(B >= u) <= alpha/2   (upper tail),   alpha = 1 - confidence.
 * When even l = 1 leaves a lower tail q^n > alpha/2 (n too small: for p = 0.05, n < 72), there is
 * no lower bound: 'upper-only' with u the smallest rank with F(u-1) >= confidence.
 * When no upper bound exists (high quantiles, small n: p^n > alpha/2), u = n and l is the largest
 * rank still giving F(n-1) - F(l-1) >= confidence; if none, 'upper-only' with u = n and the
 * (then below nominal) coverage F(n-1) reported.
 * `confidence` in the result is the coverage achieved, F(u-1) - F(l-1) (or F(u-1) one-sided).
 *
 * Cost: per bound, a start from the Cornish-Fisher normal approximation, one exact tail
 * evaluation, then a few pmf steps: O(sqrt(n p (1-p))), about a millisecond at n = 1e8.
 */
export function orderStatisticInterval(
  n: number,
  p: number,
  confidence = 0.95,
): { sided: 'two-sided' | 'upper-only'; lowerRank: number | null; upperRank: number; confidence: number } {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`orderStatisticInterval: n must be a positive integer, got ${n}`);
  if (!(p > 0 && p < 1)) throw new RangeError(`orderStatisticInterval: p must be in (0, 1), got ${p}`);
  if (!(confidence > 0 && confidence < 1)) {
    throw new RangeError(`orderStatisticInterval: confidence must be in (0, 1), got ${confidence}`);
  }
  const alpha = 1 - confidence;
  const half = alpha / 2;

  // k = l - 1: largest k in [0, n-1] with F(k) <= alpha/2; fLow = F(kLow).
  const [kLow, fLow] = largestKWithCdfAtMost(n, p, half);
  // k = u - 1: smallest k in [0, n-1] with P(B > k) <= alpha/2; sHigh = P(B > kHigh).
  const [kHigh, sHigh] = smallestKWithSfAtMost(n, p, half);

  if (kLow >= 0 && kHigh >= 0) {
    return { sided: 'two-sided', lowerRank: kLow + 1, upperRank: kHigh + 1, confidence: 1 - (fLow + sHigh) };
  }
  if (kLow < 0) {
    // No lower bound: one-sided upper bound at the full confidence.
    const [k, s] = smallestKWithSfAtMost(n, p, alpha);
    if (k >= 0) return { sided: 'upper-only', lowerRank: null, upperRank: k + 1, confidence: 1 - s };
    return { sided: 'upper-only', lowerRank: null, upperRank: n, confidence: binomialCdf(n - 1, n, p) };
  }
  // Lower exists, upper does not: u = n, spend the remaining coverage on the lower tail.
  const top = binomialCdf(n - 1, n, p);
  const budget = top - confidence;
  const [k, f] = budget > 0 ? largestKWithCdfAtMost(n, p, budget) : [-1, 0];
  if (k >= 0) return { sided: 'two-sided', lowerRank: k + 1, upperRank: n, confidence: top - f };
  return { sided: 'upper-only', lowerRank: null, upperRank: n, confidence: top };
}

/** Start for the tail searches: the t-quantile of B by Cornish-Fisher, minus the continuity 0.5. */
function binomialQuantileGuess(n: number, p: number, lowerTail: number): number {
  const q = 1 - p;
  const sd = Math.sqrt(n * p * q);
  const t = Math.min(1 - 1e-15, Math.max(1e-300, lowerTail));
  const z = -normalIsf(t); // lower-tail quantile of N(0,1)
  let x = n * p + sd * z + ((z * z - 1) * (q - p)) / 6 - 0.5;
  if (!Number.isFinite(x)) x = n * p;
  return Math.min(n - 1, Math.max(0, Math.floor(x)));
}

// The two searches below start at the normal guess with one exact tail evaluation, then walk
// with pmf steps (O(1) each), carrying the tail along. The guess is within a few ranks for any
// n, so walks are short; after 64 steps they fall back to bisection with exact tails. A walk
// that subtracted from a tail much larger than the target re-checks its end exactly, since the
// carried value then has only absolute, not relative, accuracy.

/** Largest k in [0, n-1] with P(B <= k) <= t, and P(B <= k); [-1, 0] if none. */
function largestKWithCdfAtMost(n: number, p: number, t: number): [number, number] {
  const lim = t + TAIL_SLACK * t;
  const F = (x: number): number => binomialCdf(x, n, p);
  const exactly = (x: number): [number, number] => (x < 0 ? [-1, 0] : [x, F(x)]);
  let k = binomialQuantileGuess(n, p, t);
  let f = F(k);
  if (f <= lim) {
    for (let steps = 0; k < n - 1; steps++) {
      if (steps > 64) return exactly(bisectLargest(k, n - 1, (x) => F(x) <= lim));
      const f1 = f + binomialPmf(k + 1, n, p);
      if (f1 > lim) break;
      k++;
      f = f1;
    }
    return [k, f];
  }
  const start = f;
  for (let steps = 0; k > 0; steps++) {
    if (steps > 64) break;
    f -= binomialPmf(k, n, p);
    k--;
    if (f <= lim) {
      if (start <= 2 * lim) return [k, Math.max(0, f)];
      break;
    }
  }
  return exactly(bisectLargest(-1, k, (x) => x < 0 || F(x) <= lim));
}

/** Smallest k in [0, n-1] with P(B > k) <= t, and P(B > k); [-1, 0] if none. */
function smallestKWithSfAtMost(n: number, p: number, t: number): [number, number] {
  const lim = t + TAIL_SLACK * t;
  const Q = (x: number): number => binomialSf(x, n, p);
  const exactly = (x: number): [number, number] => (x >= n ? [-1, 0] : [x, Q(x)]);
  let k = binomialQuantileGuess(n, p, 1 - t);
  let s = Q(k);
  if (s <= lim) {
    for (let steps = 0; k > 0; steps++) {
      if (steps > 64) return exactly(bisectSmallest(0, k, (x) => Q(x) <= lim));
      const s1 = s + binomialPmf(k, n, p); // P(B > k-1)
      if (s1 > lim) break;
      k--;
      s = s1;
    }
    return [k, s];
  }
  const start = s;
  for (let steps = 0; k < n - 1; steps++) {
    if (steps > 64) break;
    k++;
    s -= binomialPmf(k, n, p);
    if (s <= lim) {
      if (start <= 2 * lim) return [k, Math.max(0, s)];
      break;
    }
  }
  // Smallest x in [k, n] with Q(x) <= lim, where x = n stands for "none".
  return exactly(bisectSmallest(k, n, (x) => x >= n || Q(x) <= lim));
}

/** Largest x in [lo, hi] with ok(x), given ok(lo) (monotone: true then false). -1 maps through. */
function bisectLargest(lo: number, hi: number, ok: (x: number) => boolean): number {
  if (ok(hi)) return hi;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (ok(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Smallest x in [lo, hi] with ok(x), given ok(hi) (monotone: false then true); hi = n means none. */
function bisectSmallest(lo: number, hi: number, ok: (x: number) => boolean): number {
  if (ok(lo)) return lo;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (ok(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

// ---------------------------------------------------------------------------------------------
// Binomial distribution (Loader 2000)
// ---------------------------------------------------------------------------------------------

/** log(n!) - log(sqrt(2 pi n) (n/e)^n) for n = 1..15 (to 17 digits, from mpmath). */
const STIRLERR_SMALL = [
  0, 0.08106146679532726, 0.0413406959554093, 0.02767792568499834, 0.020790672103765093,
  0.016644691189821193, 0.013876128823070748, 0.01189670994589177, 0.010411265261972096,
  0.009255462182712733, 0.00833056343336287, 0.007573675487951841, 0.00694284010720953,
  0.006408994188004207, 0.0059513701127588475, 0.005554733551962801,
];

/** Error of Stirling's formula for log(n!), integer n >= 1 (Loader 2000). */
function stirlerr(n: number): number {
  if (n <= 15) return STIRLERR_SMALL[n]!;
  const S0 = 1 / 12;
  const S1 = 1 / 360;
  const S2 = 1 / 1260;
  const S3 = 1 / 1680;
  const S4 = 1 / 1188;
  const nn = n * n;
  if (n > 500) return (S0 - S1 / nn) / n;
  if (n > 80) return (S0 - (S1 - S2 / nn) / nn) / n;
  if (n > 35) return (S0 - (S1 - (S2 - S3 / nn) / nn) / nn) / n;
  return (S0 - (S1 - (S2 - (S3 - S4 / nn) / nn) / nn) / nn) / n;
}

/** Deviance term x log(x/m) + m - x, without cancellation when x ~ m (Loader 2000). */
function bd0(x: number, m: number): number {
  if (Math.abs(x - m) < 0.1 * (x + m)) {
    let v = (x - m) / (x + m);
    let s = (x - m) * v;
    let ej = 2 * x * v;
    v *= v;
    for (let j = 1; j < 1000; j++) {
      ej *= v;
      const s1 = s + ej / (2 * j + 1);
      if (s1 === s) return s1;
      s = s1;
    }
    return s;
  }
  return x * Math.log(x / m) + m - x;
}

/**
 * P(B = k), B ~ Binomial(n, p), by Loader's saddle-point form: the log is a sum of small,
 * accurately computed terms, so the relative error stays ~1e-15 even for n = 1e8 (the naive
 * log C(n,k) + k log p + ... loses ~8 digits there).
 */
export function binomialPmf(k: number, n: number, p: number): number {
  checkBinomial(n, p, 'binomialPmf');
  if (!Number.isInteger(k) || k < 0 || k > n) return 0;
  const q = 1 - p;
  if (n === 0) return 1; // k === 0 here
  if (p === 0) return k === 0 ? 1 : 0;
  if (p === 1) return k === n ? 1 : 0;
  if (k === 0) return Math.exp(p < 0.1 ? -bd0(n, n * q) - n * p : n * Math.log(q));
  if (k === n) return Math.exp(q < 0.1 ? -bd0(n, n * p) - n * q : n * Math.log(p));
  // n*p and n*(1-p) carried to ~32 digits (n*p rounding alone costs ~5e-13 at n = 1e8);
  // bd0(x, M + d) = bd0(x, M) + (1 - x/M) d to first order.
  const [np, npLo] = twoProduct(n, p);
  const nq = n - np;
  const nqLo = n - nq - np - npLo; // n >= np, so the rounding of n - np is recovered exactly
  const lc =
    stirlerr(n) - stirlerr(k) - stirlerr(n - k) -
    (bd0(k, np) + (1 - k / np) * npLo) -
    (bd0(n - k, nq) + (1 - (n - k) / nq) * nqLo);
  const lf = Math.log(2 * Math.PI) + Math.log(k) + Math.log1p(-k / n);
  return Math.exp(lc - 0.5 * lf);
}

function checkBinomial(n: number, p: number, name: string): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${name}: n must be a non-negative integer, got ${n}`);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`${name}: p must be in [0, 1], got ${p}`);
}

/** Dekker's exact product: a*b = hi + lo with hi = fl(a*b) (no FMA in JavaScript). */
function twoProduct(a: number, b: number): [number, number] {
  const hi = a * b;
  const split = (x: number): [number, number] => {
    const c = 134217729 * x; // 2^27 + 1
    const xh = c - (c - x);
    return [xh, x - xh];
  };
  const [ah, al] = split(a);
  const [bh, bl] = split(b);
  return [hi, ah * bh - hi + ah * bl + al * bh + al * bl];
}

/** Recompute a term exactly every this many ratio steps, so rounding cannot drift. */
const RESYNC = 128;

/**
 * Sum of pmf(j) from j = k moving away from the mean (down if `down`), where the terms shrink
 * monotonically. Stops once the geometric bound on the rest is below 2^-56 of the sum:
 * ~9 standard deviations of terms at worst (~45,000 for n = 1e8, p = 0.5).
 */
function tailSum(k: number, n: number, p: number, down: boolean): number {
  const q = 1 - p;
  const qp = q / p;
  const pq = p / q;
  let j = k;
  let term = binomialPmf(j, n, p);
  let sum = 0;
  for (let steps = 1; ; steps++) {
    sum += term;
    if (term === 0) break;
    let r: number;
    if (down) {
      if (j === 0) break;
      r = (j / (n - j + 1)) * qp; // pmf(j-1)/pmf(j)
      j--;
    } else {
      if (j === n) break;
      r = ((n - j) / (j + 1)) * pq; // pmf(j+1)/pmf(j)
      j++;
    }
    if (term * r < 1.4e-17 * sum * (1 - r)) break;
    term = steps % RESYNC === 0 ? binomialPmf(j, n, p) : term * r;
  }
  return sum;
}

/**
 * P(B <= k), B ~ Binomial(n, p); k is floored. Sums the tail on the side of k away from the
 * mean (terms shrink geometrically there) and complements when k is above the mean, so both
 * tails keep full relative precision: within ~3e-14 of 40-digit mpmath at n = 1e8, where
 * SciPy's binom.cdf is off by up to ~2e-12.
 */
export function binomialCdf(k: number, n: number, p: number): number {
  checkBinomial(n, p, 'binomialCdf');
  if (Number.isNaN(k)) return NaN;
  k = Math.floor(k);
  if (k < 0) return 0;
  if (k >= n) return 1;
  if (p === 0) return 1;
  if (p === 1) return 0;
  if (k < n * p) return Math.min(1, tailSum(k, n, p, true));
  return Math.max(0, 1 - tailSum(k + 1, n, p, false));
}

/** P(B > k) = 1 - binomialCdf(k, n, p), accurate in the upper tail. */
export function binomialSf(k: number, n: number, p: number): number {
  checkBinomial(n, p, 'binomialSf');
  if (Number.isNaN(k)) return NaN;
  k = Math.floor(k);
  if (k < 0) return 1;
  if (k >= n) return 0;
  if (p === 0) return 0;
  if (p === 1) return 1;
  if (k + 1 > n * p) return Math.min(1, tailSum(k + 1, n, p, false));
  return Math.max(0, 1 - tailSum(k, n, p, true));
}

// ---------------------------------------------------------------------------------------------
// Normal distribution (Cody 1969 / 1993, ACM TOMS 715, routine ANORM)
// ---------------------------------------------------------------------------------------------

const CODY_A = [2.2352520354606839287, 161.02823106855587881, 1067.6894854603709582, 18154.981253343561249, 0.065682337918207449113];
const CODY_B = [47.20258190468824187, 976.09855173777669322, 10260.932208618978205, 45507.789335026729956];
const CODY_C = [
  0.39894151208813466764, 8.8831497943883759412, 93.506656132177855979, 597.27027639480026226, 2494.5375852903726711,
  6848.1904505362823326, 11602.651437647350124, 9842.7148383839780218, 1.0765576773720192317e-8,
];
const CODY_D = [
  22.266688044328115691, 235.38790178262499861, 1519.377599407554805, 6485.558298266760755, 18615.571640885098091,
  34900.952721145977266, 38912.003286093271411, 19685.429676859990727,
];
const CODY_P = [0.21589853405795699, 0.1274011611602473639, 0.022235277870649807, 0.001421619193227893466, 2.9112874951168792e-5, 0.02307344176494017303];
const CODY_Q = [1.28426009614491121, 0.468238212480865118, 0.0659881378689285515, 0.00378239633202758244, 7.29751555083966205e-5];
const INV_SQRT_2PI = 0.398942280401432677939946059934;

/**
 * exp(-y^2/2) * r with y^2 split as (y rounded down to 1/16)^2 + rest: the first part is exact
 * in binary, so the large exponent carries no rounding error (Cody's trick, keeps the far tail
 * accurate to ~1e-15 relative).
 */
function gaussTail(y: number, r: number): number {
  const ysq = Math.trunc(y * 16) / 16;
  const del = (y - ysq) * (y + ysq);
  return Math.exp(-ysq * ysq * 0.5) * Math.exp(-del * 0.5) * r;
}

/** Upper tail P(Z > z) of the standard normal, ~1e-15 relative in both tails (Cody's rational approximations). */
export function normalSf(z: number): number {
  if (Number.isNaN(z)) return NaN;
  const y = Math.abs(z);
  let small: number; // the tail beyond |z|, or for |z| <= 0.66291 the signed half-width
  if (y <= 0.66291) {
    const xsq = y > 1.11e-16 ? z * z : 0;
    let xnum = CODY_A[4]! * xsq;
    let xden = xsq;
    for (let i = 0; i < 3; i++) {
      xnum = (xnum + CODY_A[i]!) * xsq;
      xden = (xden + CODY_B[i]!) * xsq;
    }
    const t = (z * (xnum + CODY_A[3]!)) / (xden + CODY_B[3]!); // Phi(z) - 0.5
    return 0.5 - t;
  }
  if (y <= Math.sqrt(32)) {
    let xnum = CODY_C[8]! * y;
    let xden = y;
    for (let i = 0; i < 7; i++) {
      xnum = (xnum + CODY_C[i]!) * y;
      xden = (xden + CODY_D[i]!) * y;
    }
    small = gaussTail(y, (xnum + CODY_C[7]!) / (xden + CODY_D[7]!));
  } else if (y < 38.5) {
    const xsq = 1 / (z * z);
    let xnum = CODY_P[5]! * xsq;
    let xden = xsq;
    for (let i = 0; i < 4; i++) {
      xnum = (xnum + CODY_P[i]!) * xsq;
      xden = (xden + CODY_Q[i]!) * xsq;
    }
    const r = (INV_SQRT_2PI - (xsq * (xnum + CODY_P[4]!)) / (xden + CODY_Q[4]!)) / y;
    small = gaussTail(y, r);
  } else {
    small = 0; // below the smallest subnormal
  }
  return z > 0 ? small : 1 - small;
}

/**
 * Inverse of normalSf: the z with P(Z > z) = q. Start from Abramowitz-Stegun 26.2.23 (error
 * < 4.5e-4), then Halley steps on the accurate normalSf until they stop moving.
 */
export function normalIsf(q: number): number {
  if (!(q > 0 && q < 1)) {
    if (q === 0) return Infinity;
    if (q === 1) return -Infinity;
    throw new RangeError(`normalIsf: q must be in [0, 1], got ${q}`);
  }
  const tail = q < 0.5 ? q : 1 - q;
  const s = Math.sqrt(-2 * Math.log(tail));
  let z = s - (2.515517 + 0.802853 * s + 0.010328 * s * s) / (1 + 1.432788 * s + 0.189269 * s * s + 0.001308 * s * s * s);
  if (q > 0.5) z = -z;
  for (let it = 0; it < 8; it++) {
    const pdf = INV_SQRT_2PI * Math.exp(-0.5 * z * z);
    if (pdf === 0) break;
    // f(z) = normalSf(z) - q, f' = -pdf, f'' = z*pdf; Halley: dz = f/(f' - f f''/(2 f'))
    const f = q < 0.5 ? normalSf(z) - q : (1 - q) - normalSf(-z);
    const u = f / -pdf;
    const dz = u / (1 + 0.5 * z * u);
    z -= dz;
    if (Math.abs(dz) <= 1e-15 * Math.max(1, Math.abs(z))) break;
  }
  return z;
}

// ---------------------------------------------------------------------------------------------
// Robust location and scale
// ---------------------------------------------------------------------------------------------

function finiteArray(values: ArrayLike<number>, name: string): number[] {
  const xs = Array.from(values);
  if (xs.length === 0) throw new RangeError(`${name}: empty input`);
  for (const x of xs) if (!Number.isFinite(x)) throw new RangeError(`${name}: non-finite value ${x}`);
  return xs;
}

/** Conventional median (mean of the two middle values for even n). Throws on empty input. */
export function median(values: ArrayLike<number>): number {
  return ssMedian(finiteArray(values, 'median'));
}

/** Raw median absolute deviation from the median (no 1.4826 factor). Throws on empty input. */
export function mad(values: ArrayLike<number>): number {
  return ssMad(finiteArray(values, 'mad'));
}

/**
 * Type-1 median of |x - centre| over ascending `values` (each counted `counts[i]` times, or once
 * when counts is null): the value at rank ceil(total / 2) of the sorted deviations. The deviations
 * of ascending values fall to the centre and rise after it, so a merge of the two runs gives them in
 * order: O(n), no sort and no object per value. 0 for no values. Hand-written: simple-statistics'
 * mad is the conventional (averaged) median of unweighted values; the report's figures are type-1
 * and the sketched ones weighted by bin.
 */
export function sortedMedianAbsoluteDeviation(values: ArrayLike<number>, counts: ArrayLike<number> | null, centre: number): number {
  const m = values.length;
  let total = 0;
  if (counts === null) total = m;
  else for (let i = 0; i < m; i++) total += counts[i]!;
  if (total === 0) return 0;
  const rank = quantileRank(total, 0.5);
  let right = 0;
  while (right < m && values[right]! < centre) right++;
  let left = right - 1;
  let seen = 0;
  while (left >= 0 || right < m) {
    const dl = left >= 0 ? Math.abs(values[left]! - centre) : Infinity;
    const dr = right < m ? Math.abs(values[right]! - centre) : Infinity;
    const takeLeft = dl <= dr;
    const at = takeLeft ? left-- : right++;
    seen += counts === null ? 1 : counts[at]!;
    if (seen >= rank) return takeLeft ? dl : dr;
  }
  return 0;
}

/** Consistency factor: 1.4826 * MAD estimates the standard deviation of normal data. */
export const MAD_TO_SD = 1.4826;

/**
 * Robust z of x against peer values: (x - median) / (1.4826 * max(MAD, resolution)).
 * The floor matters for whole-millisecond data, where most peers share one value and MAD = 0:
 * the scale can never be finer than the data can resolve, so z stays finite. Returns the raw
 * (unfloored) MAD and the scale actually used. With resolution 0 and MAD 0, z is +-Infinity
 * (0 when x equals the median).
 */
export function robustZ(
  x: number,
  peers: ArrayLike<number>,
  resolution: number,
): { z: number; median: number; mad: number; scale: number } {
  if (!Number.isFinite(x)) throw new RangeError(`robustZ: non-finite x ${x}`);
  if (!(resolution >= 0) || !Number.isFinite(resolution)) throw new RangeError(`robustZ: bad resolution ${resolution}`);
  const xs = finiteArray(peers, 'robustZ');
  const med = ssMedian(xs);
  const m = ssMad(xs);
  const scale = MAD_TO_SD * Math.max(m, resolution);
  const diff = x - med;
  const z = scale > 0 ? diff / scale : diff === 0 ? 0 : Math.sign(diff) * Infinity;
  return { z, median: med, mad: m, scale };
}

// ---------------------------------------------------------------------------------------------
// False-discovery control
// ---------------------------------------------------------------------------------------------

/**
 * Benjamini-Hochberg step-up q-values: q_(i) = min_{j >= i} m p_(j) / j, capped at 1, returned
 * in input order (as SciPy's false_discovery_control(method='bh')). m counts the non-null
 * entries; null entries stay null. Throws on values outside [0, 1].
 */
export function benjaminiHochberg(p: (number | null)[]): (number | null)[] {
  const idx: number[] = [];
  for (let i = 0; i < p.length; i++) {
    const v = p[i];
    if (v === null || v === undefined) continue;
    if (!(v >= 0 && v <= 1)) throw new RangeError(`benjaminiHochberg: p-value ${v} outside [0, 1]`);
    idx.push(i);
  }
  // Stable order (index breaks ties) keeps the result deterministic.
  idx.sort((x, y) => p[x]! - p[y]! || x - y);
  const m = idx.length;
  const out: (number | null)[] = p.map(() => null);
  let running = 1;
  for (let r = m; r >= 1; r--) {
    const i = idx[r - 1]!;
    running = Math.min(running, (p[i]! * m) / r);
    out[i] = running;
  }
  return out;
}
