// Per account and kind: one streaming accumulator, and its finished figures (KindStats).
import type { Kind, KindStats, SourceRef } from '../types.js';
import { ValueStore, type ExactBudget, type RowRef, unpackRef } from './store.js';
import { JitterTracker } from './jitter.js';
import { DailyFloors } from './daily.js';
import { orderStatisticInterval, quantileRank, sortedMedianAbsoluteDeviation, type WeightedPoints } from './stats.js';

/** The floor is this low quantile: congestion only adds delay, distance sets the floor. */
export const FLOOR_QUANTILE = 0.05;
export const FLOOR_CONFIDENCE = 0.95;

/** Common scale of the per-account histograms, so that sparklines compare across accounts. */
export const HISTOGRAM_LOW_MS = 1;
export const HISTOGRAM_HIGH_MS = 2000;
export const HISTOGRAM_BINS = 16;

const DECIMAL_SCALE = [1, 10, 100, 1000];

export class KindAccumulator {
  readonly values: ValueStore;
  readonly jitter: JitterTracker;
  /** Per-day floors; profiles (src/baseline/profile.ts) read its kept lowest values too. */
  readonly daily: DailyFloors;
  n = 0;
  min = Infinity;
  max = -Infinity;
  private mean = 0;
  private m2 = 0;
  firstTimeUs = Infinity;
  lastTimeUs = -Infinity;
  /** Largest number of decimals seen (0..3), for the data's resolution. */
  private decimals = 0;

  constructor(readonly kind: Kind, budget: ExactBudget | null) {
    this.values = new ValueStore(budget, true);
    this.jitter = new JitterTracker(budget);
    this.daily = budget === null ? new DailyFloors() : new DailyFloors(budget.dayRecords ??= DailyFloors.newRecords());
  }

  add(valueMs: number, timeUs: number, session: string | number, ref: RowRef): void {
    this.n++;
    if (valueMs < this.min) this.min = valueMs;
    if (valueMs > this.max) this.max = valueMs;
    // Welford: stable mean and variance in one pass.
    const delta = valueMs - this.mean;
    this.mean += delta / this.n;
    this.m2 += delta * (valueMs - this.mean);
    if (timeUs < this.firstTimeUs) this.firstTimeUs = timeUs;
    if (timeUs > this.lastTimeUs) this.lastTimeUs = timeUs;
    while (this.decimals < 3 && Math.abs(valueMs * DECIMAL_SCALE[this.decimals]! - Math.round(valueMs * DECIMAL_SCALE[this.decimals]!)) > 1e-6) this.decimals++;
    this.values.add(valueMs, ref);
    this.jitter.add(session, timeUs, valueMs);
    this.daily.add(timeUs, valueMs);
  }

  /**
   * Rows [from, to) of grouped batch columns, in that order (the caller groups a batch's rows per
   * distribution): the same figures as `add` row by row, in tight loops over typed arrays.
   */
  addRows(valueMs: Float64Array, timeUs: Float64Array, session: Int32Array, line: Float64Array, fileIndex: number,
    from: number, to: number): void {
    let { n, min, max, mean, m2, firstTimeUs, lastTimeUs, decimals } = this;
    for (let i = from; i < to; i++) {
      const v = valueMs[i]!;
      const t = timeUs[i]!;
      n++;
      if (v < min) min = v;
      if (v > max) max = v;
      const delta = v - mean;
      mean += delta / n;
      m2 += delta * (v - mean);
      if (t < firstTimeUs) firstTimeUs = t;
      if (t > lastTimeUs) lastTimeUs = t;
      while (decimals < 3 && Math.abs(v * DECIMAL_SCALE[decimals]! - Math.round(v * DECIMAL_SCALE[decimals]!)) > 1e-6) decimals++;
    }
    this.n = n; this.min = min; this.max = max; this.mean = mean; this.m2 = m2;
    this.firstTimeUs = firstTimeUs; this.lastTimeUs = lastTimeUs; this.decimals = decimals;
    this.values.addRows(valueMs, line, fileIndex, from, to);
    this.jitter.addRows(session, timeUs, valueMs, from, to);
    this.daily.addRows(timeUs, valueMs, from, to);
  }

  resolutionMs(): number { return 10 ** -this.decimals; }

  /** Finish: figures for the report, and the binned distribution for peer comparisons. */
  finish(sourceOf: (ref: RowRef) => SourceRef): { stats: KindStats; binned: WeightedPoints } {
    this.jitter.finish();
    const n = this.n;
    const v = this.values;
    const rank = quantileRank(n, FLOOR_QUANTILE);
    const floorStat = v.orderStatistic(rank);
    const interval = orderStatisticInterval(n, FLOOR_QUANTILE, FLOOR_CONFIDENCE);
    const lower = interval.lowerRank === null ? null : v.orderStatistic(interval.lowerRank);
    const upper = v.orderStatistic(interval.upperRank);
    const binned = v.binned();
    const medianMs = v.quantile(0.5);
    const p25 = v.quantile(0.25);
    const p75 = v.quantile(0.75);
    const withRef = (ref: RowRef | null): { source?: SourceRef } => (ref === null ? {} : { source: sourceOf(ref) });
    const jitterN = this.jitter.diffs.n;
    const stats: KindStats = {
      kind: this.kind,
      n,
      minMs: this.min,
      floor: { valueMs: floorStat.valueMs, ...withRef(floorStat.ref) },
      floorInterval: {
        confidence: interval.confidence,
        sided: interval.sided,
        lowerMs: lower === null ? null : lower.valueMs,
        upperMs: upper.valueMs,
        lowerRank: interval.lowerRank,
        upperRank: interval.upperRank,
        ...(lower?.ref != null ? { lowerSource: sourceOf(lower.ref) } : {}),
        ...(upper.ref !== null ? { upperSource: sourceOf(upper.ref) } : {}),
      },
      p25Ms: p25,
      medianMs,
      p75Ms: p75,
      p95Ms: v.quantile(0.95),
      p99Ms: v.quantile(0.99),
      maxMs: this.max,
      meanMs: this.mean,
      sdMs: n > 1 ? Math.sqrt(this.m2 / (n - 1)) : 0,
      madMs: weightedMad(binned, medianMs, v),
      iqrMs: p75 - p25,
      jitterMs: jitterN > 0 ? this.jitter.diffs.quantile(0.5) : null,
      jitterPairs: this.jitter.pairs,
      jitterLateSamples: this.jitter.late,
      resolutionMs: this.resolutionMs(),
      firstTimeUs: this.firstTimeUs,
      lastTimeUs: this.lastTimeUs,
      sessions: this.jitter.sessionCount(),
      precision: { mode: v.isExact() ? 'exact' : 'sketch', relativeError: v.relativeError() },
      histogram: histogramOf(binned),
      daily: this.daily.finish(),
    };
    return { stats, binned };
  }
}

/**
 * MAD about the median, both type-1 (actual observations), like every quantile in the report:
 * exact when the values are kept, else from the sketch's bins (within its relative error).
 */
function weightedMad(binned: WeightedPoints, medianMs: number, store: ValueStore): number {
  // Exact: every value counts once. Sketched: each bin's value counts as often as the bin.
  return store.isExact()
    ? sortedMedianAbsoluteDeviation(store.sortedExactValues(), null, medianMs)
    : sortedMedianAbsoluteDeviation(binned.values, binned.counts, medianMs);
}

function histogramOf(binned: WeightedPoints): KindStats['histogram'] {
  const counts = new Array<number>(HISTOGRAM_BINS).fill(0);
  const logLow = Math.log(HISTOGRAM_LOW_MS);
  const width = (Math.log(HISTOGRAM_HIGH_MS) - logLow) / HISTOGRAM_BINS;
  binned.values.forEach((x, i) => {
    const bin = x <= HISTOGRAM_LOW_MS ? 0 : Math.min(HISTOGRAM_BINS - 1, Math.floor((Math.log(x) - logLow) / width));
    counts[bin] += binned.counts[i]!;
  });
  return { lowMs: HISTOGRAM_LOW_MS, highMs: HISTOGRAM_HIGH_MS, counts };
}

export { unpackRef };
