// Fixed-size records of numbers, bump-allocated from a few large typed-array slabs that live as
// long as the run's distributions.
//
// Why: a run's bulk state (10,000 accounts x 30 days x 17 words of day records) held in plain
// arrays counts toward V8's heap, which then grows by half again of it before each full
// collection; in one small typed array per account it fragments malloc (freed memory never leaves
// the process). A few large slabs are mapped and unmapped whole, and stay out of the heap's growth
// rule. Nothing generic here that a package offers for this shape: records are never freed singly.

/** A slab's words: 4-byte integers where the owner can hold its numbers so, else doubles. */
export type SlabWords = Uint32Array | Float64Array;

/** Records per slab at most: 65,536 x 17 words ~ 4.5 MB per slab of day records in integers. */
export const MAX_RECORDS_PER_SLAB = 65536;
/** The first slab is small, so a run with a handful of distributions stays small. */
const FIRST_RECORDS_PER_SLAB = 16;

export class RecordSlab {
  private current = -1;
  private capacity = 0;
  private used = 0;
  /** Where `allocate` put the record (read at once): its slab's number in `slabs`, and its first word there. */
  slabId = -1;
  offset = 0;

  /**
   * @param recordWords words per record
   * @param slabs where new slabs go, by number (shared by the RecordSlabs of one owner, who may
   *   replace a slab there by one of another word type holding the same records)
   * @param makeWords a new zeroed slab of `n` words
   */
  constructor(readonly recordWords: number, readonly slabs: SlabWords[] = [],
    private readonly makeWords: (n: number) => SlabWords = (n) => new Float64Array(n)) {}

  /** A new zeroed record into `slabId`/`offset`. */
  allocate(): void {
    if (this.current < 0 || this.used === this.capacity) {
      this.capacity = this.capacity === 0 ? FIRST_RECORDS_PER_SLAB : Math.min(MAX_RECORDS_PER_SLAB, this.capacity * 2);
      this.current = this.slabs.length;
      this.slabs.push(this.makeWords(this.capacity * this.recordWords));
      this.used = 0;
    }
    this.slabId = this.current;
    this.offset = this.used * this.recordWords;
    this.used++;
  }
}
