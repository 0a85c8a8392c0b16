// Leave-one-out median and MAD for every member of a group in O(n log n) overall, instead of
// recomputing them over n-1 peers for each of n accounts (O(n^2): 10,000 accounts in one
// "everyone" group made that the bottleneck). Results equal `median`/`mad` of the peers exactly.
import { MAD_TO_SD, mad, median } from './stats.js';

function medianSkipping(sorted: Float64Array, skip: number): number {
  // Median of `sorted` without the element at index `skip`; the middle two are interpolated exactly
  // as simple-statistics does (lo + 0.5 * (hi - lo)), so the result equals `median` to the bit.
  const m = sorted.length - 1;
  const at = (k: number) => sorted[k < skip ? k : k + 1]!;
  if (m % 2 === 1) return at((m - 1) / 2);
  const lo = at(m / 2 - 1);
  return lo + 0.5 * (at(m / 2) - lo);
}

function indexOfValue(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = sorted[mid]!;
    if (v < x) lo = mid + 1; else if (v > x) hi = mid - 1; else return mid;
  }
  throw new RangeError(`leave-one-out: ${x} is not a member`);
}

export class LeaveOneOut {
  private readonly sorted: Float64Array;
  private readonly deviationsByCentre = new Map<number, Float64Array>();

  constructor(values: ArrayLike<number>) {
    this.sorted = new Float64Array(values).sort();
  }

  get size(): number { return this.sorted.length; }

  /** Median and raw MAD of the members other than one occurrence of `x`. Needs >= 2 members. */
  without(x: number): { median: number; mad: number } {
    const median = medianSkipping(this.sorted, indexOfValue(this.sorted, x));
    let deviations = this.deviationsByCentre.get(median);
    if (deviations === undefined) {
      deviations = this.sorted.map((v) => Math.abs(v - median)).sort();
      this.deviationsByCentre.set(median, deviations);
    }
    const mad = medianSkipping(deviations, indexOfValue(deviations, Math.abs(x - median)));
    return { median, mad };
  }

  /** Robust z of `x` against the other members, MAD floored at `resolution` (as `robustZ`). */
  robustZ(x: number, resolution: number): { z: number; median: number; mad: number; scale: number } {
    const { median, mad } = this.without(x);
    const scale = MAD_TO_SD * Math.max(mad, resolution);
    const diff = x - median;
    const z = scale > 0 ? diff / scale : diff === 0 ? 0 : Math.sign(diff) * Infinity;
    return { z, median, mad, scale };
  }
}

/** Median and raw MAD over a group's peers of an account, and how many peers. */
export interface PeerSummary {
  median: number;
  mad: number;
  count: number;
}

/**
 * One figure of every member of a group, for each member's peers (the others): computed and sorted
 * once, asked once per member. Used where a signal compares a derived figure with the peer group's
 * (peer-figures.ts, activity hours).
 */
export class PeerValues {
  private readonly leaveOneOut: LeaveOneOut | null;
  private readonly all: PeerSummary | null;

  /** The values of the members that have the figure. */
  constructor(values: readonly number[]) {
    this.leaveOneOut = values.length >= 2 ? new LeaveOneOut(values) : null;
    this.all = values.length === 0 ? null : { median: median(values), mad: mad(values), count: values.length };
  }

  /**
   * Over the values without one occurrence of `own` (a member's own value: the others are its
   * peers), or over all of them for an account without the figure (null); null without peers.
   * Equal to median and mad over the list of those peers.
   */
  without(own: number | null): PeerSummary | null {
    if (own === null) return this.all;
    if (this.leaveOneOut === null) return null;
    return { ...this.leaveOneOut.without(own), count: this.leaveOneOut.size - 1 };
  }
}
