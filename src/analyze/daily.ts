// Floor per UTC day with a fixed, small memory per day: the lowest DAILY_KEEP values and a count.
// The day's p5 needs the ceil(0.05 n)-th lowest value, which is among the kept ones while
// n <= DAILY_KEEP / 0.05; on busier days the DAILY_KEEP-th lowest is reported (and its rank),
// a slightly lower quantile that still tracks a floor shift from one day to the next.
import type { DailyFloor } from '../types.js';
import { quantileRank } from './stats.js';
import { RecordSlab } from './slab.js';

export const DAILY_KEEP = 16;
const US_PER_DAY = 86_400_000_000;
/** Doubles per day record: the count, then the DAILY_KEEP lowest values in ascending order. */
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
  // Rows of one day usually come together: the last day's record saves the search.
  private lastDay = NaN;
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
    for (let i = from; i < to; i++) {
      // A small integer (| 0: days fit int32 for any time keylag accepts), so the look-up never boxes it.
      const day = Math.floor(timeUs[i]! / US_PER_DAY) | 0;
      const v = valueMs[i]!;
      if (day !== this.lastDay) this.recordOf(day);
      const r = this.lastSlab;
      const at = this.lastOffset;
      const n = r[at]!;
      r[at] = n + 1;
      const kept = n < DAILY_KEEP ? n : DAILY_KEEP;
      if (kept === DAILY_KEEP && v >= r[at + DAILY_KEEP]!) continue;
      // Insertion into the sorted lowest values (the largest falls off when full).
      let k = kept < DAILY_KEEP ? kept : DAILY_KEEP - 1;
      while (k > 0 && r[at + k]! > v) { r[at + 1 + k] = r[at + k]!; k--; }
      r[at + 1 + k] = v;
    }
  }

  /** The day's record (a new one when the day is new) becomes the last day's. */
  private recordOf(day: number): void {
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
    this.lastDay = day;
    this.lastSlab = this.recordSlabs[index]!;
    this.lastOffset = this.recordOffsets[index]!;
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
      return { day: dayText(day), n, lowest: Array.from(r.subarray(at + 1, at + 1 + Math.min(n, DAILY_KEEP))) };
    });
  }

  finish(): DailyFloor[] {
    return this.byDay().map(([day, index]) => {
      const r = this.recordSlabs[index]!;
      const at = this.recordOffsets[index]!;
      const n = r[at]!;
      const rank = Math.min(quantileRank(n, 0.05), DAILY_KEEP);
      return { day: dayText(day), n, floorMs: r[at + rank]!, rank };
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
