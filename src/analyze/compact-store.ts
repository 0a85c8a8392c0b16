// A bin store for @datadog/sketches-js's DDSketch with the same contract as its DenseStore
// (add, keyAtRank, merge, copy, length, count/minKey/maxKey/offset, bins indexed by key - offset),
// held in a Uint32Array sized to the keys seen plus a small margin.
//
// Why not the package's DenseStore: it keeps counts in a plain array of numbers (8 bytes a bin)
// grown in chunks of 128 bins, so a typical account's sketch of ~200 keys holds 256-384 bins of
// 8 bytes. At 10,000 accounts with two sketches each that slack was ~40 MB of a run's live heap
// (issue 7's memory target). Counts are integers, so 4 bytes a bin do; a bin that would pass 2^32
// moves the store to doubles (never reached by row counts, kept for merged profiles).
// The sketch itself (mapping, accept, quantiles, merge) stays the package's.

/** Bins added beyond the key that forced a growth, on the side it grew. */
const MARGIN = 16;

export class CompactDenseStore {
  bins: Uint32Array | Float64Array = new Uint32Array(0);
  count = 0;
  minKey = Infinity;
  maxKey = -Infinity;
  offset = 0;

  add(key: number, weight = 1): void {
    if (key < this.minKey || key > this.maxKey) this.extendRange(key, key);
    const at = key - this.offset;
    const bins = this.bins;
    const next = bins[at]! + weight;
    if (next > 0xffffffff && bins instanceof Uint32Array) this.bins = Float64Array.from(bins);
    this.bins[at] = next;
    this.count += weight;
  }

  /** Same rule as DenseStore.keyAtRank: the first key whose running count passes `rank`. */
  keyAtRank(rank: number, lower = true): number {
    let running = 0;
    const bins = this.bins;
    for (let i = 0; i < bins.length; i++) {
      running += bins[i]!;
      if ((lower && running > rank) || (!lower && running >= rank + 1)) return i + this.offset;
    }
    return this.maxKey;
  }

  merge(store: CompactDenseStore): void {
    if (store.count === 0) return;
    if (this.count === 0) { this.copy(store); return; }
    this.extendRange(store.minKey, store.maxKey);
    if (this.bins instanceof Uint32Array && this.count + store.count > 0xffffffff) this.bins = Float64Array.from(this.bins);
    for (let key = store.minKey; key <= store.maxKey; key++) this.bins[key - this.offset] += store.bins[key - store.offset]!;
    this.count += store.count;
  }

  copy(store: CompactDenseStore): void {
    this.bins = store.bins.slice();
    this.count = store.count;
    this.minKey = store.minKey;
    this.maxKey = store.maxKey;
    this.offset = store.offset;
  }

  length(): number { return this.bins.length; }

  /** Make [low, high] addressable: keys already held keep their counts. */
  private extendRange(low: number, high: number): void {
    const newMin = Math.min(low, this.minKey);
    const newMax = Math.max(high, this.maxKey);
    const bins = this.bins;
    if (bins.length > 0 && newMin >= this.offset && newMax < this.offset + bins.length) {
      this.minKey = newMin;
      this.maxKey = newMax;
      return;
    }
    const growsDown = bins.length > 0 && newMin < this.offset;
    const growsUp = bins.length === 0 || newMax >= this.offset + bins.length;
    const start = growsDown ? newMin - MARGIN : bins.length === 0 ? newMin : this.offset;
    const end = growsUp ? newMax + MARGIN : this.offset + bins.length - 1;
    const grown = bins instanceof Uint32Array ? new Uint32Array(end - start + 1) : new Float64Array(end - start + 1);
    if (bins.length > 0) grown.set(bins, this.offset - start);
    this.bins = grown;
    this.offset = start;
    this.minKey = newMin;
    this.maxKey = newMax;
  }
}
