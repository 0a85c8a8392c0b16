// Fixed-size records of doubles, bump-allocated from a few large Float64Array slabs that live as
// long as the run's distributions.
//
// Why: a run's bulk state (10,000 accounts x 30 days x 17 doubles of day records is ~41 MB) held in
// plain arrays counts toward V8's heap, which then grows by half again of it before each full
// collection; in one small typed array per account it fragments malloc (freed memory never leaves
// the process). A few large slabs are mapped and unmapped whole, and stay out of the heap's growth
// rule. Nothing generic here that a package offers for this shape: records are never freed singly.

/** Records per slab at most: 65,536 x 17 doubles ~ 8.9 MB per slab for day records. */
const MAX_RECORDS_PER_SLAB = 65536;
/** The first slab is small, so a run with a handful of distributions stays small. */
const FIRST_RECORDS_PER_SLAB = 16;

export class RecordSlab {
  private readonly slabs: Float64Array[] = [];
  private current: Float64Array | null = null;
  private capacity = 0;
  private used = 0;

  constructor(readonly recordDoubles: number) {}

  /** A new zeroed record: its slab, and the offset of its first double there. */
  allocate(): { slab: Float64Array; offset: number } {
    if (this.current === null || this.used === this.capacity) {
      this.capacity = this.capacity === 0 ? FIRST_RECORDS_PER_SLAB : Math.min(MAX_RECORDS_PER_SLAB, this.capacity * 2);
      this.current = new Float64Array(this.capacity * this.recordDoubles);
      this.slabs.push(this.current);
      this.used = 0;
    }
    const offset = this.used * this.recordDoubles;
    this.used++;
    return { slab: this.current, offset };
  }

  /** Doubles held (for tests and memory accounting). */
  heldDoubles(): number { return this.slabs.reduce((sum, s) => sum + s.length, 0); }
}
