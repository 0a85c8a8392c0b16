// Floor per UTC day with a small, bounded memory per day: the lowest DAILY_KEEP values and a count.
// The day's p5 needs the ceil(0.05 n)-th lowest value, which is among the kept ones while
// n <= DAILY_KEEP / 0.05; on busier days the DAILY_KEEP-th lowest is reported (and its rank),
// a slightly lower quantile that still tracks a floor shift from one day to the next.
import type { DailyFloor } from '../types.js';
import { quantileRank } from './stats.js';
import { MAX_RECORDS_PER_SLAB, RecordSlab, type SlabWords } from './slab.js';

export const DAILY_KEEP = 16;
const US_PER_DAY = 86_400_000_000;
/**
 * Values a day record has room for. A day starts with room for one and moves to the next size when
 * full, so a sparse day costs 2 doubles, not 17: over a year of exports (a few rows per account
 * and day) fixed records of 17 doubles were 31M numbers for 1.8M rows (5,000 accounts, 365 days,
 * a row a day: 559 MiB peak, 402 MiB with growing records). A record is its count, then its values
 * in descending order (the largest kept first, beside the count: for a full day the one value
 * most rows compare with).
 */
const CAPACITIES = [1, 3, DAILY_KEEP];
/** One-row columns for `add` (the single-sample path shares the batch loop). */
const ONE_TIME = new Float64Array(1);
const ONE_VALUE = new Float64Array(1);
const NO_RECORD = new Float64Array(0);
/** Thousandths: a value with at most three decimals is held as an integer number of them. */
const SCALE = 1000;
const MAX_WORD = 0xffffffff;
/**
 * A record's location is its slab's number times this plus its first word there: one more than
 * the last word of the largest slab. Arithmetic, not bits: locations may pass 2^31 (and stay exact).
 */
const LOCATION_SLAB = MAX_RECORDS_PER_SLAB * (DAILY_KEEP + 1);
const locationOf = (slabId: number, firstWord: number): number => slabId * LOCATION_SLAB + firstWord;

/** Whether a word of thousandths gives `valueMs` back bit for bit (so words also compare as values do). */
function fitsThousandths(valueMs: number): boolean {
  const word = Math.round(valueMs * SCALE);
  return word >= 0 && word <= MAX_WORD && word / SCALE === valueMs;
}

/**
 * Day records of every size, for the distributions of a run: bump-allocated from slabs (slab.ts),
 * and a record left behind by a day that grew is handed to the next day that needs one that size.
 *
 * Values are held as integer thousandths of a ms in 4-byte words while every value kept has at
 * most three decimals (what exports write): half the memory of doubles (10,000 accounts x 30 days
 * of full records: ~20 MB instead of ~41 MB). Such a word w gives the value back bit for bit
 * (w / 1000 is checked to be the value before it is kept), and compares as the values do. The
 * first value that cannot be held so (more decimals, or beyond 4.29e6 ms) moves every slab of the
 * run to doubles, once; from then on values are kept as they are.
 */
export class DayRecords {
  /** Every slab, by number: distributions name a record's slab by its number, so moving to doubles reaches all. */
  readonly slabs: SlabWords[] = [];
  /** Per slab: the size (index into CAPACITIES) of its records. */
  readonly slabSizes: number[] = [];
  private readonly sizes: RecordSlab[];
  // Per size: records free for reuse, as parallel lists (no object per record).
  private readonly freeSlabs: number[][] = CAPACITIES.map(() => []);
  private readonly freeOffsets: number[][] = CAPACITIES.map(() => []);
  /** 1000 while slabs hold integer thousandths, 1 once they hold doubles: a value is word / scale. */
  scale = SCALE;
  /** Where `allocate` put the record: read at once. */
  slabId = -1;
  offset = 0;

  constructor() {
    this.sizes = CAPACITIES.map((c, size) => new RecordSlab(c + 1, this.slabs, (n) => {
      this.slabSizes.push(size);
      return this.scale === SCALE ? new Uint32Array(n) : new Float64Array(n);
    }));
  }

  /** A record of size `size` (index into CAPACITIES) with a count of 0, into `slabId`/`offset`. */
  allocate(size: number): void {
    const free = this.freeSlabs[size]!;
    if (free.length > 0) {
      this.slabId = free.pop()!;
      this.offset = this.freeOffsets[size]!.pop()!;
      this.slabs[this.slabId]![this.offset] = 0;
      return;
    }
    const slab = this.sizes[size]!;
    slab.allocate();
    this.slabId = slab.slabId;
    this.offset = slab.offset;
  }

  release(size: number, slabId: number, offset: number): void {
    this.freeSlabs[size]!.push(slabId);
    this.freeOffsets[size]!.push(offset);
  }

  /** Every slab to doubles, records in place (counts stay counts, thousandths become values). */
  toDoubles(): void {
    if (this.scale === 1) return;
    for (let id = 0; id < this.slabs.length; id++) {
      const words = this.slabs[id]!;
      const per = CAPACITIES[this.slabSizes[id]!]! + 1;
      const doubles = new Float64Array(words.length);
      for (let i = 0; i < words.length; i++) doubles[i] = i % per === 0 ? words[i]! : words[i]! / SCALE;
      this.slabs[id] = doubles;
    }
    this.scale = 1;
  }

  /** Words held in slabs (for tests and memory accounting). */
  heldWords(): number { return this.slabs.reduce((sum, s) => sum + s.length, 0); }
  /** Bytes held in slabs. */
  heldBytes(): number { return this.slabs.reduce((sum, s) => sum + s.byteLength, 0); }
}

// Day records live in large slabs shared by every distribution of a run (slab.ts), not one
// object per day: hundreds of thousands of account-days as separate objects cost far more memory
// and GC time than the numbers.
export class DailyFloors {
  /** Day records for a run (ExactBudget.dayRecords), shared by its distributions. */
  static newRecords(): DayRecords { return new DayRecords(); }

  // Day numbers in the order first seen, and where each day's record is (its slab's number times
  // LOCATION_SLAB plus its first word; the slab tells the record's size). Two plain arrays, not a
  // Map per account and kind (10,000 maps of a few dozen days were ~10 MB of a large run's heap),
  // nor four (a year of sparse days, 1.8M account-days, held 58 MB in them).
  // The first day starts them as one-element literals: a push onto an empty array makes room for 17
  // (~150 B each), which for the many accounts with a day or two was most of their size.
  private days: number[] = [];
  private locations: number[] = [];
  // Rows of one day usually come together: the last day's record saves the search. Its day's
  // [start, end) in epoch µs, as double fields (V8 updates their boxes in place: no heap number
  // per write). A Float64Array here cost ~250 B per distribution (view, buffer, backing store:
  // 25 MB at 100,000 accounts) and one more ArrayBuffer for the collector to track.
  private lastDayStartUs = NaN;
  private lastDayEndUs = NaN;
  private lastIndex = -1;
  private lastSlab: SlabWords = NO_RECORD;
  private lastSlabId = -1;
  private lastOffset = -1;
  private lastCapacity = 0;

  constructor(private readonly records: DayRecords = DailyFloors.newRecords()) {}

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
    const records = this.records;
    // Read again: another distribution may have moved the run's slabs to doubles since.
    if (this.lastIndex >= 0) this.lastSlab = records.slabs[this.lastSlabId]!;
    let scale = records.scale;
    for (let i = from; i < to; i++) {
      const t = timeUs[i]!;
      const v = valueMs[i]!;
      // Within the last row's day: no division per row (rows of a day come together).
      if (!(t >= this.lastDayStartUs && t < this.lastDayEndUs)) this.recordOf(t);
      let r = this.lastSlab;
      let at = this.lastOffset;
      let capacity = this.lastCapacity;
      const n = r[at]!;
      if (n >= capacity) {
        // Full: the largest kept value sits next to the count, so a busy day's usual row reads
        // one cache line; a smaller record first moves to the next size.
        if (capacity === DAILY_KEEP) {
          if (n === MAX_WORD && scale !== 1) { this.inDoubles(); r = this.lastSlab; scale = 1; }
          r[at] = n + 1;
          if (v >= r[at + 1]! / scale) continue;
        } else {
          this.grow();
          r = this.lastSlab;
          at = this.lastOffset;
          capacity = this.lastCapacity;
        }
      }
      // v is kept: as thousandths while it can be, else every record moves to doubles first.
      if (scale !== 1 && !fitsThousandths(v)) { this.inDoubles(); r = this.lastSlab; scale = 1; }
      const word = scale === 1 ? v : Math.round(v * SCALE);
      // Insertion among the kept values (slot at + 1 + j holds the (capacity - j)-th lowest); when
      // a full-size record is full, the largest falls off.
      let j = 0;
      if (n < capacity) {
        r[at] = n + 1;
        j = capacity - 1 - n;
      }
      while (j < capacity - 1 && r[at + 2 + j]! > word) { r[at + 1 + j] = r[at + 2 + j]!; j++; }
      r[at + 1 + j] = word;
    }
  }

  /** The run's records move to doubles (a value that thousandths cannot hold); this one's last slab is read again. */
  private inDoubles(): void {
    this.records.toDoubles();
    this.lastSlab = this.records.slabs[this.lastSlabId]!;
  }

  /** The last day's record is full and not full size: its values move to a record of the next size. */
  private grow(): void {
    const records = this.records;
    const size = records.slabSizes[this.lastSlabId]! + 1;
    const from = this.lastSlab;
    const fromAt = this.lastOffset;
    const kept = this.lastCapacity;
    records.allocate(size);
    const { slabId, offset } = records;
    const slab = records.slabs[slabId]!;
    const capacity = CAPACITIES[size]!;
    slab[offset] = from[fromAt]!;
    // Descending order kept: the full old record fills the tail of the new one (same word type).
    for (let j = 0; j < kept; j++) slab[offset + 1 + capacity - kept + j] = from[fromAt + 1 + j]!;
    records.release(size - 1, this.lastSlabId, fromAt);
    this.locations[this.lastIndex] = locationOf(slabId, offset);
    this.lastSlab = slab;
    this.lastSlabId = slabId;
    this.lastOffset = offset;
    this.lastCapacity = capacity;
  }

  /** The record of the day holding `timeUs` (a new one when the day is new) becomes the last day's. */
  private recordOf(timeUs: number): void {
    // A small integer (| 0: days fit int32 for any time keylag accepts), so the look-up never boxes it.
    // The bounds below hold exactly the times of this day: for the double just under any midnight
    // from 1860 to 2298 (keylag accepts 1990-2100) the division does not round up (checked for
    // every one of those days when this was written).
    const day = Math.floor(timeUs / US_PER_DAY) | 0;
    const days = this.days;
    // Newest first: rows mostly move forward in time, so the day is usually at the end.
    let index = days.length - 1;
    while (index >= 0 && days[index] !== day) index--;
    if (index < 0) {
      this.records.allocate(0);
      index = days.length;
      const location = locationOf(this.records.slabId, this.records.offset);
      if (index === 0) { this.days = [day]; this.locations = [location]; } else { days.push(day); this.locations.push(location); }
    }
    this.lastDayStartUs = day * US_PER_DAY;
    this.lastDayEndUs = (day + 1) * US_PER_DAY;
    this.lastIndex = index;
    const slabId = this.slabIdOf(index);
    this.lastSlabId = slabId;
    this.lastSlab = this.records.slabs[slabId]!;
    this.lastOffset = this.firstWordOf(index, slabId);
    this.lastCapacity = CAPACITIES[this.records.slabSizes[slabId]!]!;
  }

  // Day `index`'s record: its slab's number, then its first word there (no object per day: a
  // run finishes hundreds of thousands of days).
  private slabIdOf(index: number): number { return Math.floor(this.locations[index]! / LOCATION_SLAB); }
  private firstWordOf(index: number, slabId: number): number { return this.locations[index]! - slabId * LOCATION_SLAB; }

  /** The kept lowest values of day `index`, ascending (at most DAILY_KEEP). */
  private lowestOf(index: number): number[] {
    const slabId = this.slabIdOf(index);
    const slab = this.records.slabs[slabId]!;
    const at = this.firstWordOf(index, slabId);
    const capacity = CAPACITIES[this.records.slabSizes[slabId]!]!;
    const scale = this.records.scale;
    const kept = Math.min(slab[at]!, capacity);
    const lowest = new Array<number>(kept);
    for (let p = 0; p < kept; p++) lowest[p] = slab[at + capacity - p]! / scale;
    return lowest;
  }

  /** [day, index] in day order. */
  private byDay(): [number, number][] {
    return this.days.map((day, index): [number, number] => [day, index]).sort((a, b) => a[0] - b[0]);
  }

  /** Every day in order with its count and kept lowest values (ascending): what a profile stores. */
  lowestByDay(): { day: string; n: number; lowest: number[] }[] {
    return this.byDay().map(([day, index]) => {
      const slabId = this.slabIdOf(index);
      return { day: dayText(day), n: this.records.slabs[slabId]![this.firstWordOf(index, slabId)]!, lowest: this.lowestOf(index) };
    });
  }

  finish(): DailyFloor[] {
    const scale = this.records.scale;
    const { slabs, slabSizes } = this.records;
    return this.byDay().map(([day, index]) => {
      const slabId = this.slabIdOf(index);
      const slab = slabs[slabId]!;
      const at = this.firstWordOf(index, slabId);
      const capacity = CAPACITIES[slabSizes[slabId]!]!;
      const n = slab[at]!;
      const rank = Math.min(quantileRank(n, 0.05), DAILY_KEEP);
      // The rank-th lowest value: slot capacity + 1 - rank (a day that is not full size keeps all its values).
      return { day: dayText(day), n, floorMs: slab[at + capacity + 1 - rank]! / scale, rank };
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
