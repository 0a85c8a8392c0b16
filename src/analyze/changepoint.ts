// Change points in an account's per-day floor series (DESIGN section 3, signal 5 "within one
// window"; issue 6 scope 3): did the floor shift, when, and is it one sustained change (a hand-over
// of the account) or an on-off pattern (a relay used on some days only)?
//
// Method: the exact optimal partition of the day floors (what PELT, Killick, Fearnhead & Eckley
// 2012, computes) under an L1 cost (sum of absolute deviations from the segment median), which one congested
// day cannot drag the way a squared cost would. Penalty per change:
//   beta = PENALTY_PER_LOG_DAY * sigma * ln(days),
// sigma the day-to-day noise of the floors. BIC for Laplace errors would be ~0.7 sigma ln(days);
// day floors are autocorrelated and small days are biased upwards (their p5 is their minimum),
// so the penalty is 3x stronger. An isolated day in the middle costs two changes, so it becomes a
// segment only when it stands more than 2 beta (~28 ms at sigma 1.5 ms over a month) off its
// neighbours. sigma is the smaller of two robust estimates: the first quartile of the absolute
// successive differences (Q1 of |N(0, 2 sigma^2)| = 0.4506 sigma), and the scale within two
// levels of the sorted floors (twoLevelScaleMs), because with a relay on every other day most
// successive differences are jumps and only the second still sees the day-to-day noise.
// Then adjacent segments whose levels differ by less than the minimum effect,
// max(MIN_EFFECT_MS, MIN_EFFECT_FRACTION x the lower level), are merged: a statistically clear
// 3 ms step is not a hand-over.
// Classification of the merged segments: one -> none; levels monotone in time -> sustained (the
// largest step reported; a step with fewer than MIN_SEGMENT_DAYS days on a side is not one);
// otherwise -> intermittent, each day labelled high or low by the midpoint of the two levels (at
// least MIN_HIGH_DAYS high days, else none: one odd day is not a pattern; and two clouds with an
// empty gap of SEPARATION_SIGMAS within-level sigmas between them, else none).
//
// Checked for a package first: npm has no maintained change-point library (`bayesian-changepoint`
// 1.0.1 is an unmaintained Bayesian online detector, not PELT/L1); the R `changepoint` and Python
// `ruptures` implementations are not usable from Node. The algorithm is ~60 lines here.
import type { DailyFloor } from '../types.js';
import { MAD_TO_SD, median, orderStatisticInterval } from './stats.js';

export const MIN_DAY_SAMPLES = 3;
export const MIN_EFFECT_MS = 15;
export const MIN_EFFECT_FRACTION = 0.15;
export const PENALTY_PER_LOG_DAY = 3;
export const MIN_SCALE_MS = 1;
/** Days on each side of a sustained change; a single day at an end of the window is not a change. */
export const MIN_SEGMENT_DAYS = 2;
/** Gap between the low and high days of an on-off pattern, in within-level sigmas. */
export const SEPARATION_SIGMAS = 5;
/** Fewest high days for an on-off pattern: one odd day (a trip, a bad line) is not a pattern. */
export const MIN_HIGH_DAYS = 2;
/** Longest series analysed (the most recent days; the result says how many were left out): the exact optimum costs O(days^2). */
export const MAX_DAYS = 200;
/** First quartile of |D| for D = X2 - X1 ~ N(0, 2 sigma^2), in units of sigma: 0.31864 (Q1 of |N(0,1)|) x sqrt 2. */
const Q1_ABS_DIFF = 0.318639 * Math.SQRT2;

export interface FloorSegment {
  /** Positions in the analysed series, [start, end). */
  start: number;
  end: number;
  levelMs: number;
}

export interface ChangeOptions {
  minDaySamples?: number;
  minEffectMs?: number;
  minEffectFraction?: number;
  penaltyPerLogDay?: number;
  minScaleMs?: number;
  minSegmentDays?: number;
}

/** A level of days with the distribution-free 95 % interval of its median (min..max when too few days). */
export interface Level {
  levelMs: number;
  lowMs: number;
  highMs: number;
  days: number;
  /** Samples on those days. */
  n: number;
}

export type FloorChange =
  | { type: 'none'; days: number; daysLeftOut: number; scaleMs: number; segments: number }
  | {
    type: 'sustained';
    days: number;
    /** Usable days before the most recent MAX_DAYS, not analysed. */
    daysLeftOut: number;
    scaleMs: number;
    segments: number;
    before: Level;
    after: Level;
    /** Last day of the old level, first day of the new one (YYYY-MM-DD) and the latter's index into `daily`. */
    lastDayBefore: string;
    changeDay: string;
    changeDayIndex: number;
    effectMs: number;
    /** Conservative bounds of the effect: the levels' interval ends against each other. */
    effectLowMs: number;
    effectHighMs: number;
    /** Further (smaller) steps in the same direction, when the floor rose or fell in stages. */
    otherSteps: number;
  }
  | {
    type: 'intermittent';
    days: number;
    daysLeftOut: number;
    scaleMs: number;
    segments: number;
    low: Level;
    high: Level;
    /** Days at the high level, and the same as runs of calendar-consecutive days. */
    highDays: string[];
    highRanges: [string, string][];
    /** Index into `daily` of the first high day. */
    firstHighIndex: number;
    effectMs: number;
    effectLowMs: number;
    effectHighMs: number;
  };

/** Sum of absolute deviations from the median of values[start..end). */
export function l1Cost(values: readonly number[], start: number, end: number): number {
  if (end - start <= 1) return 0;
  const seg = values.slice(start, end).sort((a, b) => a - b);
  const m = seg.length;
  // Sum of the upper half minus the lower half (the middle value of an odd count cancels).
  let cost = 0;
  for (let i = 0; i < Math.floor(m / 2); i++) cost += seg[m - 1 - i]! - seg[i]!;
  return cost;
}

/** Day-to-day noise sigma: first quartile of |x[i+1] - x[i]| over 0.4506, floored at minScaleMs. */
export function successiveScaleMs(values: readonly number[], minScaleMs = MIN_SCALE_MS): number {
  if (values.length < 3) return minScaleMs;
  const diffs: number[] = [];
  for (let i = 1; i < values.length; i++) diffs.push(Math.abs(values[i]! - values[i - 1]!));
  diffs.sort((a, b) => a - b);
  // Type-7 first quartile.
  const h = (diffs.length - 1) * 0.25;
  const lo = Math.floor(h);
  const q1 = diffs[lo]! + (h - lo) * ((diffs[lo + 1] ?? diffs[lo]!) - diffs[lo]!);
  return Math.max(minScaleMs, q1 / Q1_ABS_DIFF);
}

/**
 * Within-level noise sigma when the days fall in two levels (a relay on some days): split the
 * sorted floors where the L1 cost of two groups is least, then 1.4826 x the median absolute
 * deviation from each day's own group median. On a one-level series this understates sigma
 * (about half); `dayNoiseScaleMs` takes the smaller of it and the successive-difference scale, and
 * the minimum effect, not the penalty, is what keeps small steps out.
 */
export function twoLevelScaleMs(values: readonly number[], minScaleMs = MIN_SCALE_MS): number {
  if (values.length < 4) return minScaleMs;
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  // On sorted values the L1 cost of [i, j) is (sum of its upper half) - (sum of its lower half): prefix sums.
  const prefix = [0];
  for (const v of sorted) prefix.push(prefix[prefix.length - 1]! + v);
  const cost = (i: number, j: number): number => {
    const h = (j - i) >> 1;
    return (prefix[j]! - prefix[j - h]!) - (prefix[i + h]! - prefix[i]!);
  };
  let bestK = 1;
  let bestCost = Infinity;
  for (let k = 1; k < n; k++) {
    const c = cost(0, k) + cost(k, n);
    if (c < bestCost) { bestCost = c; bestK = k; }
  }
  const lowMed = median(sorted.slice(0, bestK));
  const highMed = median(sorted.slice(bestK));
  const dev = sorted.map((v, i) => Math.abs(v - (i < bestK ? lowMed : highMed)));
  return Math.max(minScaleMs, MAD_TO_SD * median(dev));
}

/** Day-to-day noise of the floors: the smaller of the successive-difference and two-level scales. */
export function dayNoiseScaleMs(values: readonly number[], minScaleMs = MIN_SCALE_MS): number {
  return Math.min(successiveScaleMs(values, minScaleMs), twoLevelScaleMs(values, minScaleMs));
}

/**
 * Optimal partition of `values` under L1 cost + `penalty` per segment: exact dynamic programming
 * (optimal partitioning, Jackson et al. 2005), the optimum PELT finds. PELT's pruning saves nothing
 * here (without a change nothing is ever pruned), so every start is tried: for each end t the
 * starts are walked backwards, inserting into a sorted run whose L1 cost is updated in O(1):
 * O(days^2) costs (plus the insertions' memory moves). Returns the start positions of every segment after the first, ascending; ties keep the
 * earlier split, so the answer is deterministic.
 */
export function optimalPartition(values: readonly number[], penalty: number, minSegment = 1): number[] {
  const n = values.length;
  if (n === 0) return [];
  const f = new Array<number>(n + 1).fill(Infinity);
  const last = new Array<number>(n + 1).fill(0);
  f[0] = -penalty;
  const run: number[] = [];
  for (let t = 1; t <= n; t++) {
    run.length = 0;
    // The L1 cost of the run is (sum of the upper half) - (sum of the lower half): kept up to date
    // in O(1) per insertion from the total and the lower half's sum.
    let total = 0;
    let low = 0;
    let best = Infinity;
    let bestS = 0;
    for (let s = t - 1; s >= 0; s--) {
      const v = values[s]!;
      let lo = 0;
      let hi = run.length;
      while (lo < hi) { const mid = (lo + hi) >> 1; if (run[mid]! < v) lo = mid + 1; else hi = mid; }
      const m = run.length;
      const lc = m >> 1;
      if (m % 2 === 0) { if (lo < lc) low += v - run[lc - 1]!; } // low half keeps lc elements
      else low += lo < lc + 1 ? v : run[lc]!; // low half grows to lc + 1
      run.splice(lo, 0, v);
      total += v;
      if (t - s < minSegment || f[s] === Infinity) continue;
      const size = m + 1;
      const middle = size % 2 === 1 ? run[size >> 1]! : 0;
      const cost = total - middle - 2 * low;
      const c = f[s]! + cost + penalty;
      if (c <= best) { best = c; bestS = s; }
    }
    f[t] = best;
    last[t] = bestS;
  }
  const starts: number[] = [];
  for (let t = n; t > 0; t = last[t]!) if (last[t]! > 0) starts.push(last[t]!);
  return starts.sort((a, b) => a - b);
}

function levelOf(values: readonly number[], ns: readonly number[]): Level {
  const sorted = [...values].sort((a, b) => a - b);
  const k = sorted.length;
  const ci = orderStatisticInterval(k, 0.5, 0.95);
  return {
    levelMs: median(sorted),
    lowMs: ci.lowerRank !== null ? sorted[ci.lowerRank - 1]! : sorted[0]!,
    highMs: ci.lowerRank !== null ? sorted[ci.upperRank - 1]! : sorted[k - 1]!,
    days: k,
    n: ns.reduce((a, b) => a + b, 0),
  };
}

function minEffect(lowerLevelMs: number, o: Required<ChangeOptions>): number {
  return Math.max(o.minEffectMs, o.minEffectFraction * Math.max(0, lowerLevelMs));
}

const DEFAULTS: Required<ChangeOptions> = {
  minDaySamples: MIN_DAY_SAMPLES,
  minEffectMs: MIN_EFFECT_MS,
  minEffectFraction: MIN_EFFECT_FRACTION,
  penaltyPerLogDay: PENALTY_PER_LOG_DAY,
  minScaleMs: MIN_SCALE_MS,
  minSegmentDays: MIN_SEGMENT_DAYS,
};

/** Segments of the day series after PELT and merging of steps below the minimum effect. */
export function floorSegments(values: readonly number[], scaleMs: number, o: Required<ChangeOptions>): FloorSegment[] {
  const n = values.length;
  const penalty = o.penaltyPerLogDay * scaleMs * Math.log(Math.max(2, n));
  const starts = [0, ...optimalPartition(values, penalty, 1), n];
  let segs: FloorSegment[] = [];
  for (let i = 0; i + 1 < starts.length; i++) {
    const start = starts[i]!;
    const end = starts[i + 1]!;
    segs.push({ start, end, levelMs: median(values.slice(start, end)) });
  }
  // Merge the adjacent pair with the smallest step while that step is below the minimum effect.
  for (;;) {
    let bestI = -1;
    let bestStep = Infinity;
    for (let i = 0; i + 1 < segs.length; i++) {
      const a = segs[i]!;
      const b = segs[i + 1]!;
      const step = Math.abs(b.levelMs - a.levelMs);
      if (step < minEffect(Math.min(a.levelMs, b.levelMs), o) && step < bestStep) { bestStep = step; bestI = i; }
    }
    if (bestI < 0) break;
    const a = segs[bestI]!;
    const b = segs[bestI + 1]!;
    const merged = { start: a.start, end: b.end, levelMs: median(values.slice(a.start, b.end)) };
    segs = [...segs.slice(0, bestI), merged, ...segs.slice(bestI + 2)];
  }
  return segs;
}

const dayNumber = (day: string): number => Math.round(Date.parse(`${day}T00:00:00Z`) / 86_400_000);

/** Runs of calendar-consecutive high days, as [first day, last day] pairs (a weekend without data breaks a run). */
function runsOf(dayOf: (position: number) => string, positions: readonly number[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < positions.length; ) {
    let j = i;
    while (j + 1 < positions.length && positions[j + 1] === positions[j]! + 1
      && dayNumber(dayOf(positions[j + 1]!)) === dayNumber(dayOf(positions[j]!)) + 1) j++;
    out.push([dayOf(positions[i]!), dayOf(positions[j]!)]);
    i = j + 1;
  }
  return out;
}

/** Whether and how the floor of one kind changed over its days. Pure; the same series gives the same answer. */
export function detectFloorChange(daily: readonly DailyFloor[], options: ChangeOptions = {}): FloorChange {
  const o: Required<ChangeOptions> = { ...DEFAULTS, ...options };
  // Positions in the analysed series -> indices into `daily` (no copies: this runs for every account).
  let keep: number[] = [];
  for (let i = 0; i < daily.length; i++) if (daily[i]!.n >= o.minDaySamples && Number.isFinite(daily[i]!.floorMs)) keep.push(i);
  const daysLeftOut = Math.max(0, keep.length - MAX_DAYS);
  if (daysLeftOut > 0) keep = keep.slice(daysLeftOut);
  const dayCount = keep.length;
  const dayOf = (position: number): string => daily[keep[position]!]!.day;
  const nOf = (position: number): number => daily[keep[position]!]!.n;
  const values = keep.map((i) => daily[i]!.floorMs);
  let lowest = Infinity;
  let highest = -Infinity;
  for (const v of values) { if (v < lowest) lowest = v; if (v > highest) highest = v; }
  // Every level lies within [lowest, highest]: a spread below the minimum effect cannot hold a step
  // that survives the merge, so the partition is not needed (the answer is the same, sooner).
  const flat = dayCount === 0 || highest - lowest < minEffect(lowest, o);
  const scaleMs = flat ? o.minScaleMs : dayNoiseScaleMs(values, o.minScaleMs);
  const none = (segments: number): FloorChange => ({ type: 'none', days: dayCount, daysLeftOut, scaleMs, segments });
  if (dayCount < 2 * o.minSegmentDays || flat) return none(dayCount === 0 ? 0 : 1);
  const segs = floorSegments(values, scaleMs, o);
  if (segs.length === 1) return none(1);

  const levels = segs.map((s) => s.levelMs);
  const rising = levels.every((v, i) => i === 0 || v > levels[i - 1]!);
  const falling = levels.every((v, i) => i === 0 || v < levels[i - 1]!);
  const pick = (from: number, to: number): { v: number[]; n: number[] } =>
    ({ v: values.slice(from, to), n: keep.slice(from, to).map((i) => daily[i]!.n) });

  if (rising || falling) {
    // The largest step is the change; the levels are everything before and after it.
    let k = 1;
    for (let i = 2; i < segs.length; i++) if (Math.abs(levels[i]! - levels[i - 1]!) > Math.abs(levels[k]! - levels[k - 1]!)) k = i;
    const cut = segs[k]!.start;
    if (cut < o.minSegmentDays || dayCount - cut < o.minSegmentDays) return none(segs.length);
    const b = pick(0, cut);
    const a = pick(cut, dayCount);
    const before = levelOf(b.v, b.n);
    const after = levelOf(a.v, a.n);
    return {
      type: 'sustained', days: dayCount, daysLeftOut, scaleMs, segments: segs.length, before, after,
      lastDayBefore: dayOf(cut - 1), changeDay: dayOf(cut), changeDayIndex: keep[cut]!,
      effectMs: after.levelMs - before.levelMs,
      effectLowMs: after.lowMs - before.highMs,
      effectHighMs: after.highMs - before.lowMs,
      otherSteps: segs.length - 2,
    };
  }

  // Not monotone: the high level is that of the segments clearly above the lowest one; then each
  // day is labelled by itself (above the midpoint of the two levels), so a low day that the partition left
  // inside a high segment (too short to pay for two changes) is not counted as relayed.
  const base = Math.min(...levels);
  const threshold = base + minEffect(base, o);
  const highSegDays: number[] = [];
  for (const s of segs) if (s.levelMs >= threshold) for (let i = s.start; i < s.end; i++) highSegDays.push(values[i]!);
  const midpoint = (base + median(highSegDays)) / 2;
  const highPos: number[] = [];
  const lowPos: number[] = [];
  values.forEach((v, i) => (v >= midpoint ? highPos : lowPos).push(i));
  if (highPos.length < MIN_HIGH_DAYS || lowPos.length === 0) return none(segs.length);
  const hv = highPos.map((i) => values[i]!);
  const lv = lowPos.map((i) => values[i]!);
  // Two clouds, not one wide one: the empty gap between the highest low day and the lowest high day
  // must exceed SEPARATION_SIGMAS within-level sigmas (and the minimum effect). A relay's +100 ms
  // days stand far off; day floors that merely scatter widely (a handful of heavy-tailed samples a
  // day) have no such gap, whatever the partition made of them.
  const hMed = median(hv);
  const lMed = median(lv);
  const withinSigma = Math.max(o.minScaleMs, MAD_TO_SD * median([...hv.map((v) => Math.abs(v - hMed)), ...lv.map((v) => Math.abs(v - lMed))]));
  const gap = Math.min(...hv) - Math.max(...lv);
  if (gap < Math.max(minEffect(base, o), SEPARATION_SIGMAS * withinSigma)) return none(segs.length);
  const high = levelOf(hv, highPos.map(nOf));
  const low = levelOf(lv, lowPos.map(nOf));
  return {
    type: 'intermittent', days: dayCount, daysLeftOut, scaleMs, segments: segs.length, low, high,
    highDays: highPos.map(dayOf),
    highRanges: runsOf(dayOf, highPos),
    firstHighIndex: keep[highPos[0]!]!,
    effectMs: high.levelMs - low.levelMs,
    effectLowMs: high.lowMs - low.highMs,
    effectHighMs: high.highMs - low.lowMs,
  };
}
