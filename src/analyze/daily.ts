// Floor per UTC day with a fixed, small memory per day: the lowest DAILY_KEEP values and a count.
// The day's p5 needs the ceil(0.05 n)-th lowest value, which is among the kept ones while
// n <= DAILY_KEEP / 0.05; on busier days the DAILY_KEEP-th lowest is reported (and its rank),
// a slightly lower quantile that still tracks a floor shift from one day to the next.
import type { DailyFloor } from '../types.js';
import { quantileRank } from './stats.js';
import { RecordSlab } from './slab.js';

export const DAILY_KEEP = 16;
const US_PER_DAY = 86_400_000_000;
/**
 * Doubles per day record: the count, then the DAILY_KEEP lowest values in descending order (the
 * largest kept first, beside the count: the one value most rows compare with).
 */
const RECORD = DAILY_KEEP + 1;
/** One-row columns for `add` (the single-sample path shares the batch loop). */
const ONE_TIME = new Float64Array(1);
const ONE_VALUE = new Float64Array(1);
const NO_RECORD = new Float64Array(0);

// Day records live in large slabs shared by every distribution of a run (slab.ts), not one
// object per day: hundreds of thousands of account-days as separate objects cost far more memory
// and GC time than the numbers.
export class DailyFloors {
  /** A slab for day records; one per run (ExactBudget.dayRecords), shared by its distributions. */
  static newSlab(): RecordSlab { return new RecordSlab(RECORD); }

  // Day numbers in the order first seen, with where each day's record is. Plain arrays, not a Map
  // per account and kind: 10,000 maps of a few dozen days were ~10 MB of a large run's heap.
  private readonly days: number[] = [];
  private readonly recordSlabs: Float64Array[] = [];
  private readonly recordOffsets: number[] = [];
  // Rows of one day usually come together: the last day's record saves the search. Its day's
  // [start, end) in epoch µs, in a typed array so that the doubles are never boxed.
  private readonly lastDayBounds = new Float64Array([NaN, NaN]);
  private lastSlab: Float64Array = NO_RECORD;
  private lastOffset = -1;

  constructor(private readonly slab: RecordSlab = DailyFloors.newSlab()) {}

  add(timeUs: number, valueMs: number): void {
    ONE_TIME[0] = timeUs;
    ONE_VALUE[0] = valueMs;
    this.addRows(ONE_TIME, ONE_VALUE, 0, 1);
  }

  /**
   * Rows [from, to) of grouped batch columns. The per-row work stays in this loop: a call per row
   * with double arguments would box each of them, ~30 B of garbage a row.
   */
  addRows(timeUs: Float64Array, valueMs: Float64Array, from: number, to: number): void {
    const bounds = this.lastDayBounds;
    for (let i = from; i < to; i++) {
      const t = timeUs[i]!;
      const v = valueMs[i]!;
      // Within the last row's day: no division per row (rows of a day come together).
      if (!(t >= bounds[0]! && t < bounds[1]!)) this.recordOf(t);
      const r = this.lastSlab;
      const at = this.lastOffset;
      const n = r[at]!;
      r[at] = n + 1;
      // The largest kept value sits next to the count: a full day's usual row reads one cache line.
      if (n >= DAILY_KEEP && v >= r[at + 1]!) continue;
      // Insertion into the kept values (slot at + 1 + j holds the (DAILY_KEEP - j)-th lowest); when
      // full, the largest falls off.
      const kept = n < DAILY_KEEP ? n : DAILY_KEEP;
      let j = kept < DAILY_KEEP ? DAILY_KEEP - 1 - kept : 0;
      while (j < DAILY_KEEP - 1 && r[at + 2 + j]! > v) { r[at + 1 + j] = r[at + 2 + j]!; j++; }
      r[at + 1 + j] = v;
    }
  }

  /** The record of the day holding `timeUs` (a new one when the day is new) becomes the last day's. */
  private recordOf(timeUs: number): void {
    // A small integer (| 0: days fit int32 for any time keylag accepts), so the look-up never boxes it.
    // The bounds below hold exactly the times of this day: for the double just under any midnight
    // from 1860 to 2298 (keylag accepts 1990-2100) the division does not round up (checked by hand).
    const day = Math.floor(timeUs / US_PER_DAY) | 0;
    const days = this.days;
    // Newest first: rows mostly move forward in time, so the day is usually at the end.
    let index = days.length - 1;
    while (index >= 0 && days[index] !== day) index--;
    if (index < 0) {
      const { slab, offset } = this.slab.allocate();
      index = days.length;
      days.push(day);
      this.recordSlabs.push(slab);
      this.recordOffsets.push(offset);
    }
    this.lastDayBounds[0] = day * US_PER_DAY;
    this.lastDayBounds[1] = (day + 1) * US_PER_DAY;
    this.lastSlab = this.recordSlabs[index]!;
    this.lastOffset = this.recordOffsets[index]!;
  }

  /** The kept lowest values of a record, ascending (at most DAILY_KEEP). */
  private lowestOf(r: Float64Array, at: number): number[] {
    const kept = Math.min(r[at]!, DAILY_KEEP);
    const lowest = new Array<number>(kept);
    for (let p = 0; p < kept; p++) lowest[p] = r[at + DAILY_KEEP - p]!;
    return lowest;
  }

  /** [day, index] in day order. */
  private byDay(): [number, number][] {
    return this.days.map((day, index): [number, number] => [day, index]).sort((a, b) => a[0] - b[0]);
  }

  /** Every day in order with its count and kept lowest values (ascending): what a profile stores. */
  lowestByDay(): { day: string; n: number; lowest: number[] }[] {
    return this.byDay().map(([day, index]) => {
      const r = this.recordSlabs[index]!;
      const at = this.recordOffsets[index]!;
      const n = r[at]!;
      return { day: dayText(day), n, lowest: this.lowestOf(r, at) };
    });
  }

  finish(): DailyFloor[] {
    return this.byDay().map(([day, index]) => {
      const r = this.recordSlabs[index]!;
      const at = this.recordOffsets[index]!;
      const n = r[at]!;
      const rank = Math.min(quantileRank(n, 0.05), DAILY_KEEP);
      // The rank-th lowest value: slot DAILY_KEEP + 1 - rank.
      return { day: dayText(day), n, floorMs: r[at + DAILY_KEEP + 1 - rank]!, rank };
    });
  }
}

/** Insert `v` into `lowest` (ascending, at most `keep` values): the largest falls off when full. */
export function insertLowest(lowest: number[], v: number, keep: number): void {
  if (lowest.length === keep && v >= lowest[keep - 1]!) return;
  let i = lowest.length < keep ? lowest.length : keep - 1;
  if (lowest.length < keep) lowest.push(v);
  while (i > 0 && lowest[i - 1]! > v) { lowest[i] = lowest[i - 1]!; i--; }
  lowest[i] = v;
}

/** YYYY-MM-DD of a UTC day number (days since 1970-01-01), machine-independent. */
const dayTexts = new Map<number, string>();
function dayText(day: number): string {
  // Ten thousand accounts share the same few dozen days: format each day once.
  let text = dayTexts.get(day);
  if (text === undefined) {
    text = new Date(day * 86_400_000).toISOString().slice(0, 10);
    if (dayTexts.size < 100_000) dayTexts.set(day, text);
  }
  return text;
}
