// Value stores: every value kept exactly (with the input row it came from) while the run's memory
// budget allows; past it, the largest stores move to a relative-error quantile sketch (DDSketch).
// Peak memory then depends on the number of accounts, not the number of rows.
import { DDSketch } from '@datadog/sketches-js';
import type { WeightedPoints } from './stats.js';
import { CompactDenseStore } from './compact-store.js';
import type { DayRecords } from './daily.js';

/** Relative accuracy of sketched quantiles (and of the shared comparison grid). */
export const SKETCH_RELATIVE_ACCURACY = 0.005;

let sharedMapping: DDSketch['mapping'] | null = null;
/** The log-bucket mapping shared by every sketch and by the comparison grid. */
export function comparisonMapping(): DDSketch['mapping'] {
  sharedMapping ??= new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY }).mapping;
  return sharedMapping;
}

/** A packed reference to an input row: file index (< 2^20) and line (< 2^32). */
export type RowRef = number;
export const packRef = (fileIndex: number, line: number): RowRef => fileIndex * 4294967296 + line;
export const unpackRef = (ref: RowRef): { fileIndex: number; line: number } => ({
  fileIndex: Math.floor(ref / 4294967296),
  line: ref % 4294967296,
});

export class ExactBudget {
  used = 0;
  readonly stores: ValueStore[] = [];
  /** How many stores moved to a sketch, and why: both are reported in the run header. */
  sketchedByBudget = 0;
  sketchedByCap = 0;
  /**
   * @param limit values kept exactly across the whole run
   * @param perStoreLimit values kept exactly in one store (one account and kind)
   */
  constructor(readonly limit: number, readonly perStoreLimit: number = Infinity) {}
  /**
   * Deferred: the run-wide limit is enforced only when `enforce()` is called (after each batch of
   * samples), so which stores move to a sketch does not depend on the order of rows within a batch.
   */
  deferred = false;
  /** Day records of every distribution of the run (daily.ts), made by the first that needs it. */
  dayRecords: DayRecords | null = null;
  register(store: ValueStore): void { this.stores.push(store); }
  /**
   * No more values will be added (the distributions are being finished): the budget lets go of its
   * stores and of the day-record slab, so that each is freed with its distribution instead of all
   * living to the end of the run.
   */
  releaseStores(): void { this.stores.length = 0; this.dayRecords = null; }
  /** Called after an exact value was added to `store`: sketch it past its cap, or the largest stores past the budget. */
  charge(store: ValueStore): void {
    this.chargeMany(store, 1);
  }

  /** `count` exact values were added to `store` at once (batches). */
  chargeMany(store: ValueStore, count: number): void {
    this.used += count;
    if (store.exactCount() > this.perStoreLimit) {
      this.used -= store.exactCount();
      store.toSketch();
      this.sketchedByCap++;
      return;
    }
    if (this.used <= this.limit || this.deferred) return;
    this.enforce();
  }

  /** Past the limit: the largest exact stores move to sketches until 90 % of it is used. */
  enforce(): void {
    if (this.used <= this.limit) return;
    // Largest first (ties: the earlier registered), in one sort rather than a scan per store moved.
    const exact = this.stores.map((store, index) => ({ store, index, count: store.exactCount() }))
      .filter((e) => e.store.isExact() && e.count > 0)
      .sort((a, b) => b.count - a.count || a.index - b.index);
    for (const { store, count } of exact) {
      if (this.used <= this.limit * 0.9) break;
      this.used -= count;
      store.toSketch();
      this.sketchedByBudget++;
    }
    // Sketched stores no longer need the budget's attention.
    if (exact.length > 0) {
      const stillExact = this.stores.filter((s) => s.isExact());
      this.stores.length = 0;
      for (const s of stillExact) this.stores.push(s);
    }
  }
}

export interface OrderStatistic {
  valueMs: number;
  ref: RowRef | null;
}

export class ValueStore {
  // Plain arrays of doubles, not typed arrays: tens of thousands of small ArrayBuffers make V8's
  // garbage collector slow (each is tracked outside the heap); these live in the heap, unboxed.
  private values: number[] | null = [];
  private refs: number[] | null;
  private length = 0;
  private sketch: DDSketch | null = null;
  private sorted: Float64Array | null = null;
  n = 0;

  /**
   * @param relativeAccuracy of the sketch this store may become; coarser for figures that only need
   *   a median (jitter), since a sketch's bins are most of a large run's memory
   */
  constructor(private readonly budget: ExactBudget | null, keepRefs: boolean,
    private readonly relativeAccuracy = SKETCH_RELATIVE_ACCURACY) {
    this.refs = keepRefs ? [] : null;
    budget?.register(this);
  }

  isExact(): boolean { return this.sketch === null; }
  exactCount(): number { return this.length; }

  add(valueMs: number, ref: RowRef): void {
    this.n++;
    this.sorted = null;
    if (this.sketch !== null) { this.sketch.accept(valueMs); return; }
    this.values!.push(valueMs);
    if (this.refs) this.refs.push(ref);
    this.length++;
    this.budget?.charge(this);
  }

  /** Rows [from, to) of grouped batch columns: values, and their rows as references into `fileIndex`. */
  addRows(valueMs: Float64Array, line: Float64Array, fileIndex: number, from: number, to: number): void {
    const count = to - from;
    this.n += count;
    this.sorted = null;
    if (this.sketch !== null) { acceptAll(this.sketch, valueMs, from, to); return; }
    const values = this.values!;
    const refs = this.refs;
    const base = fileIndex * 4294967296;
    let at = this.length;
    for (let i = from; i < to; i++) {
      values.push(valueMs[i]!);
      if (refs !== null) refs.push(base + line[i]!);
      at++;
    }
    this.length = at;
    this.budget?.chargeMany(this, count);
  }

  /** Exact values of a list (jitter differences): no input rows. */
  addValues(list: Float64Array, count: number): void {
    this.n += count;
    this.sorted = null;
    if (this.sketch !== null) { acceptAll(this.sketch, list, 0, count); return; }
    const values = this.values!;
    for (let j = 0; j < count; j++) values.push(list[j]!);
    if (this.refs !== null) for (let j = 0; j < count; j++) this.refs.push(0);
    this.length += count;
    this.budget?.chargeMany(this, count);
  }

  toSketch(): void {
    if (this.sketch !== null) return;
    const sketch = newSketch(this.relativeAccuracy);
    for (let i = 0; i < this.length; i++) sketch.accept(this.values![i]!);
    this.sketch = sketch;
    this.values = null;
    this.refs = null;
    this.sorted = null;
    this.length = 0;
  }

  relativeError(): number { return this.sketch === null ? 0 : this.relativeAccuracy; }

  /**
   * Add every value of `other` (shards, profiles of several months). Exact + exact stays exact
   * (rows keep their references); anything with a sketch becomes a sketch, whose bins add up, so
   * merging is associative and commutative up to the sketch's relative error.
   */
  mergeFrom(other: ValueStore): void {
    if (other.sketch === null) {
      for (let i = 0; i < other.length; i++) this.add(other.values![i]!, other.refs ? other.refs[i]! : 0);
      return;
    }
    this.toSketch();
    this.sketch!.merge(other.sketch);
    this.n += other.n;
    this.sorted = null;
  }

  private sortedValues(): Float64Array {
    if (this.sorted === null) this.sorted = new Float64Array(this.values!).sort();
    return this.sorted;
  }

  /** Every exact value in ascending order (shared: read only). Exact stores only. */
  sortedExactValues(): Float64Array {
    if (this.sketch !== null) throw new RangeError('sortedExactValues: the store is sketched');
    return this.sortedValues();
  }

  /** The r-th smallest value (1-based), with the earliest input row holding that value when exact. */
  orderStatistic(rank: number, withRow = true): OrderStatistic {
    const r = Math.min(Math.max(rank, 1), this.n);
    if (this.sketch !== null) {
      return { valueMs: valueAtRank(this.sketch, r, this.n), ref: null };
    }
    const valueMs = this.sortedValues()[r - 1]!;
    let ref: RowRef | null = null;
    if (this.refs && withRow) {
      for (let i = 0; i < this.length; i++) {
        if (this.values![i] === valueMs) { ref = this.refs[i]!; break; }
      }
    }
    return { valueMs, ref };
  }

  /** Type-1 quantile value (no row lookup). */
  quantile(p: number): number {
    if (this.n === 0) return NaN;
    const rank = Math.min(Math.max(Math.ceil(this.n * p), 1), this.n);
    if (this.sketch !== null) return valueAtRank(this.sketch, rank, this.n);
    return this.sortedValues()[rank - 1]!;
  }

  /** Counts on the shared log grid: identical whether the store is exact or sketched. */
  binned(): WeightedPoints {
    const mapping = comparisonMapping();
    const values: number[] = [];
    const weights: number[] = [];
    if (this.sketch !== null) {
      // The sketch's bins are its keys in ascending order.
      if (this.sketch.zeroCount > 0) { values.push(0); weights.push(this.sketch.zeroCount); }
      const store = this.sketch.store;
      for (let i = 0; i < store.bins.length; i++) {
        const c = store.bins[i]!;
        if (c > 0) { values.push(mapping.value(i + store.offset)); weights.push(c); }
      }
      return { values, counts: weights };
    }
    // Exact: one pass over the sorted values (sorted once for the quantiles anyway), whose keys then
    // come in ascending runs: no map and no sort of keys per account.
    const sorted = this.sortedValues();
    let i = 0;
    while (i < sorted.length && sorted[i]! <= mapping.minPossible) i++;
    if (i > 0) { values.push(0); weights.push(i); }
    while (i < sorted.length) {
      const key = mapping.key(sorted[i]!);
      const start = i;
      do i++; while (i < sorted.length && mapping.key(sorted[i]!) === key);
      values.push(mapping.value(key));
      weights.push(i - start);
    }
    return { values, counts: weights };
  }
}

/** One mapping per accuracy: a mapping is a few constants, never changed after it is made. */
const mappings = new Map<number, DDSketch['mapping']>();

/**
 * A DDSketch whose positive bins live in a CompactDenseStore (see compact-store.ts for why) and
 * whose mapping is shared: at 10,000 accounts, 20,000 copies of the same constants.
 */
function newSketch(relativeAccuracy: number): DDSketch {
  const sketch = new DDSketch({ relativeAccuracy });
  sketch.store = new CompactDenseStore() as unknown as DDSketch['store'];
  let mapping = mappings.get(relativeAccuracy);
  if (mapping === undefined) { mapping = sketch.mapping; mappings.set(relativeAccuracy, mapping); }
  sketch.mapping = mapping;
  return sketch;
}

/** Key of the package's LogarithmicMapping for a positive value, from its own constants. */
const logarithmicKey = (value: number, multiplier: number, offset: number): number =>
  Math.ceil(Math.log2(value) * multiplier) + offset;

/** Values that probe a mapping for `acceptAll`: both sides of 1, tiny and huge, odd decimals. */
const PROBES = [1e-9, 0.001, 0.5, 1, 1.001, 7.3, 59.6, 123.457, 2000, 65_536.25, 1e9];
/** Per mapping: whether `logarithmicKey` gives its keys (checked once, on probe values). */
const keyedByLog = new WeakMap<object, boolean>();

/**
 * Values [from, to) of `list` into `sketch`: the same bins, count, sum, min and max as
 * `sketch.accept` value by value, in one loop. Why by hand: accept is not inlined where the
 * batch loops call it, and a call from optimised code with a double argument boxes the double,
 * one HeapNumber per value (~150 MB of garbage for the jitter differences of a 10M-row run, and
 * the scavenges that collect it). The key is the mapping's own formula, used only after it was
 * checked to give the mapping's keys; any other mapping, and negative values, go through accept.
 */
export function acceptAll(sketch: DDSketch, list: Float64Array, from: number, to: number): void {
  const mapping = sketch.mapping as DDSketch['mapping'] & { _multiplier: number; _offset: number };
  const multiplier = mapping._multiplier;
  const offset = mapping._offset;
  let fast = keyedByLog.get(mapping);
  if (fast === undefined) {
    fast = typeof multiplier === 'number' && typeof offset === 'number' &&
      PROBES.every((v) => mapping.key(v) === logarithmicKey(v, multiplier, offset));
    keyedByLog.set(mapping, fast);
  }
  const store = sketch.store as unknown as CompactDenseStore;
  if (!fast || !(store instanceof CompactDenseStore)) {
    for (let i = from; i < to; i++) sketch.accept(list[i]!);
    return;
  }
  const minPossible = mapping.minPossible;
  let { count, sum, min, max, zeroCount } = sketch;
  for (let i = from; i < to; i++) {
    const value = list[i]!;
    // logarithmicKey, written out: as a call it was not always inlined, and its result was boxed.
    if (value > minPossible) store.add(Math.ceil(Math.log2(value) * multiplier) + offset, 1);
    else if (value < -minPossible) {
      // Rare (latencies and their differences are not negative): the package's own path.
      sketch.count = count; sketch.sum = sum; sketch.min = min; sketch.max = max; sketch.zeroCount = zeroCount;
      sketch.accept(value);
      ({ count, sum, min, max, zeroCount } = sketch);
      continue;
    } else zeroCount += 1;
    count += 1;
    sum += value;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  sketch.count = count; sketch.sum = sum; sketch.min = min; sketch.max = max; sketch.zeroCount = zeroCount;
}

/**
 * The sketch's value at 1-based rank r of n. DDSketch looks up rank q*(n-1) and takes the first bin
 * whose running count exceeds it; q = (r-1)/(n-1) in floating point can land just below r-1 and
 * return the value one rank lower. Half a rank up (clamped) always lands in the r-th value's bin.
 */
function valueAtRank(sketch: DDSketch, r: number, n: number): number {
  if (n <= 1) return sketch.getValueAtQuantile(0);
  return sketch.getValueAtQuantile(Math.min(1, (r - 0.5) / (n - 1)));
}
