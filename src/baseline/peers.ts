// Peer baselines (DESIGN section 3, signals 1 and 2): each account against its peer group,
// leaving itself out. Peer group = the roster's site when that site has enough accounts with data;
// otherwise everyone (`unassigned` is a label, not a group).
import type { Kind, KindStats } from '../types.js';
import {
  cliffsDelta, ksTwoSample, ksCriticalD, MAD_TO_SD, memberAgainstRest, trustWeighted,
  type PooledCounts, type RestComparison, type WeightedPoints, type WeightedView,
} from '../analyze/stats.js';
import { LeaveOneOut } from '../analyze/loo.js';
import { comparisonMapping } from '../analyze/store.js';
import { FLOOR_QUANTILE } from '../analyze/distribution.js';

export const MIN_SITE_SIZE = 8;
export const EVERYONE = 'everyone';
/** Fewer peers than this and no peer comparison is made. */
export const MIN_PEERS = 3;
/** Resolution floor for the spread of peers' KS distances. */
const D_SCALE_FLOOR = 0.02;

export interface KindSummary {
  account: string;
  kind: Kind;
  stats: KindStats;
  binned: WeightedPoints;
}

export interface PeerComparison {
  kind: Kind;
  group: string;
  peerCount: number;
  /** Signal 1, location: floor vs peers' floors. */
  peerFloorMs: number;
  peerFloorScaleMs: number;
  floorZ: number;
  /** z of the lower confidence bound of the floor: the conservative figure that scores. */
  floorZLow: number;
  floorExcessMs: number;
  floorExcessLowMs: number;
  /**
   * Where the conservative floor comes from: the lower end of the 95 % order-statistic interval,
   * or, when n is too small for one, the sample minimum, which lies below the true p5 with
   * probability 1 - 0.95^n (`floorLowConfidence`).
   */
  floorLowFrom: 'interval' | 'minimum';
  floorLowMs: number;
  floorLowConfidence: number;
  /** Signal 2 as reported: whole distribution vs the pooled peers. */
  ksD: number;
  ksPValue: number;
  ksMethod: string;
  ksCriticalD: number;
  cliffsDelta: number;
  medianShiftMs: number;
  /**
   * Signal 2 as scored: the shape above the account's own floor vs the peers' shapes above theirs.
   * An honest account on a slower line has its whole distribution moved (signal 1 covers that);
   * an account relayed part of the time keeps its floor but carries a second mode far above it.
   */
  shapeD: number;
  shapeCliffsDelta: number;
  peerShapeDMedian: number;
  peerShapeDScale: number;
  shapeDZLow: number;
  /** Upper body above the own floor (p75 - floor), and the peers' median of the same. */
  bodyMs: number;
  peerBodyMs: number;
}

/** Which peer group each account falls in. Sites count only accounts that have data. */
export function assignPeerGroups(accounts: string[], siteOf: (account: string) => string | null): Map<string, string> {
  const siteSize = new Map<string, number>();
  for (const a of accounts) {
    const site = siteOf(a);
    if (site !== null) siteSize.set(site, (siteSize.get(site) ?? 0) + 1);
  }
  const groups = new Map<string, string>();
  for (const a of accounts) {
    const site = siteOf(a);
    groups.set(a, site !== null && (siteSize.get(site) ?? 0) >= MIN_SITE_SIZE ? `site:${site}` : EVERYONE);
  }
  return groups;
}

/**
 * A group's pooled distribution on fixed, sorted keys. Leave-one-out pools are the pool minus one
 * member's counts, in one merge pass over the keys: O(keys) per account instead of rebuilding and
 * sorting a map. The result is written into typed arrays the pool reuses (10,000 accounts each got
 * three fresh pools of ~1,000 bins before: ~1 GB of short-lived arrays for the collector per run),
 * so it is valid only until the next `without` call on the same pool.
 */
class Pool implements PooledCounts {
  readonly keys: Float64Array;
  readonly counts: Float64Array;
  readonly cumulative: Float64Array;
  readonly n: number;
  /** Every count whole (and so every running total exact): `against` may skip building the rest. */
  private readonly integer: boolean;
  private readonly scratchValues: Float64Array;
  private readonly scratchCounts: Float64Array;

  constructor(parts: WeightedView[]) {
    // One hash look-up per member value: each key's count is summed in member order as it is met
    // (the same additions in the same order as summing after the keys are sorted), then the keys
    // are sorted and their counts carried along.
    const slotOf = new Map<number, number>();
    const metKeys: number[] = [];
    const metCounts: number[] = [];
    for (const p of parts) {
      for (let i = 0; i < p.values.length; i++) {
        const key = p.values[i]!;
        const slot = slotOf.get(key);
        if (slot === undefined) { slotOf.set(key, metKeys.length); metKeys.push(key); metCounts.push(p.counts[i]!); }
        else metCounts[slot] += p.counts[i]!;
      }
    }
    this.keys = Float64Array.from(metKeys).sort();
    this.counts = new Float64Array(this.keys.length);
    for (let i = 0; i < this.keys.length; i++) this.counts[i] = metCounts[slotOf.get(this.keys[i]!)!]!;
    this.cumulative = new Float64Array(this.keys.length);
    let n = 0;
    let integer = true;
    for (let i = 0; i < this.counts.length; i++) {
      n += this.counts[i]!;
      this.cumulative[i] = n;
      if (!Number.isInteger(this.counts[i]!)) integer = false;
    }
    this.n = n;
    this.integer = integer && n <= Number.MAX_SAFE_INTEGER;
    this.scratchValues = new Float64Array(this.keys.length);
    this.scratchCounts = new Float64Array(this.keys.length);
  }

  /**
   * The KS test and Cliff's delta of a member against the rest of the pool, and the rest's size:
   * from the running totals when every count is whole (memberAgainstRest: bit-identical, without
   * an O(keys) pass per member), else from the rest built by `without`.
   */
  against(member: WeightedView, memberInteger: boolean): RestComparison {
    const quick = this.integer && memberInteger ? memberAgainstRest(member, this) : null;
    if (quick !== null) return quick;
    const { rest, n } = this.without(member);
    return { ks: ksTwoSample(member, rest), cliffsDelta: cliffsDelta(member, rest), restN: n };
  }

  /**
   * The pool without one member's points (the member's values and counts must be in the pool),
   * and its total count. Overwritten by the next call: read it before asking for another.
   */
  private without(member: WeightedView): { rest: WeightedView; n: number } {
    const { keys, counts, scratchValues: values, scratchCounts: kept } = this;
    let j = 0;
    let used = 0;
    let n = 0;
    let integer = true;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      let c = counts[i]!;
      if (j < member.values.length && member.values[j] === key) c -= member.counts[j++]!;
      if (c > 1e-9) {
        values[used] = key;
        kept[used] = c;
        used++;
        n += c;
        if (integer && !Number.isInteger(c)) integer = false;
      }
    }
    if (j !== member.values.length) throw new RangeError('Pool.without: the member is not in the pool');
    // Keys are sorted and distinct, counts positive: valid by construction.
    return { rest: trustWeighted({ values: values.subarray(0, used), counts: kept.subarray(0, used) }, n, integer), n };
  }
}

/**
 * The same points in typed arrays. Every sample the tests read in comparePeers is then a typed array
 * of doubles: mixed with plain arrays (of small integers or of doubles) the tests' loops read
 * numbers of several representations and box every running sum (~15 KB of garbage per test).
 */
function typedPoints(p: WeightedPoints): WeightedView {
  return { values: new Float64Array(p.values), counts: new Float64Array(p.counts) };
}

function wholeCounts(p: WeightedView): boolean {
  for (let i = 0; i < p.counts.length; i++) if (!Number.isInteger(p.counts[i]!)) return false;
  return true;
}

/** Values relative to the own floor, re-binned on the shared log grid (sign kept) so pools stay small. */
export function shapeAboveFloor(points: WeightedPoints, floorMs: number): WeightedPoints {
  const shape = typedShapeAboveFloor(points, floorMs);
  return { values: Array.from(shape.values), counts: Array.from(shape.counts) };
}

/** `x` (a value minus a floor) on the shared log grid, sign kept; 0 for what the grid holds as zero. */
function snapped(x: number): number {
  const mapping = comparisonMapping();
  const ax = Math.abs(x);
  return ax <= mapping.minPossible ? 0 : Math.sign(x) * mapping.value(mapping.key(ax));
}

/** The same by a map and a sort: for points the one-pass version cannot take (see there). */
function shapeAboveFloorByMap(points: WeightedPoints, floorMs: number): WeightedView {
  const binned = new Map<number, number>();
  points.values.forEach((v, i) => {
    const s = snapped(v - floorMs);
    binned.set(s, (binned.get(s) ?? 0) + points.counts[i]!);
  });
  const values = [...binned.keys()].sort((a, b) => a - b);
  return { values: Float64Array.from(values), counts: Float64Array.from(values, (v) => binned.get(v)!) };
}

/**
 * shapeAboveFloor in typed arrays, in one pass: the points ascend, and so do their snapped values
 * (snapping is monotone: sign(x) * value(key(|x|)), 0 near 0), so equal snapped values are
 * neighbours and merge as they come; no map and no sort per account.
 */
function typedShapeAboveFloor(points: WeightedPoints, floorMs: number): WeightedView {
  const m = points.values.length;
  const values = new Float64Array(m);
  const counts = new Float64Array(m);
  let used = 0;
  for (let i = 0; i < m; i++) {
    const s = snapped(points.values[i]! - floorMs);
    if (used > 0 && values[used - 1] === s) counts[used - 1] += points.counts[i]!;
    else {
      // Points out of order (never from a store's binned()): the general way.
      if (used > 0 && !(s > values[used - 1]!)) return shapeAboveFloorByMap(points, floorMs);
      values[used] = s;
      counts[used] = points.counts[i]!;
      used++;
    }
  }
  return { values: values.subarray(0, used), counts: counts.subarray(0, used) };
}

interface Member {
  summary: KindSummary;
  /** The account's binned points and its shape, in typed arrays like the pools (see `typedPoints`). */
  binned: WeightedView;
  shape: WeightedView;
  /** Whether every count of `binned` and of `shape` is whole (see Pool.against). */
  integer: boolean;
  body: number;
}

/** Everything about one group that every member's comparison reuses. */
interface GroupBaseline {
  members: Member[];
  raw: Pool;
  shape: Pool;
  floors: LeaveOneOut;
  medians: LeaveOneOut;
  bodies: LeaveOneOut;
  shapeDs: LeaveOneOut;
  shapeDOf: Map<string, number>;
  resolutionMs: number;
}

function buildGroup(members: Member[]): GroupBaseline {
  const raw = new Pool(members.map((m) => m.binned));
  const shape = new Pool(members.map((m) => m.shape));
  // Each member's shape distance to the pool of the others: how different shapes in this group usually are.
  const shapeDOf = new Map<string, number>();
  if (members.length >= 2) {
    for (const m of members) shapeDOf.set(m.summary.account, shape.against(m.shape, m.integer).ks.d);
  }
  return {
    members,
    raw,
    shape,
    floors: new LeaveOneOut(members.map((m) => m.summary.stats.floor.valueMs)),
    medians: new LeaveOneOut(members.map((m) => m.summary.stats.medianMs)),
    bodies: new LeaveOneOut(members.map((m) => m.body)),
    shapeDs: new LeaveOneOut([...shapeDOf.values()]),
    shapeDOf,
    resolutionMs: Math.max(...members.map((m) => m.summary.stats.resolutionMs)),
  };
}

/**
 * Compare every eligible account of one kind with its peers (leave-one-out). The `everyone` group
 * holds all eligible accounts of the kind, whatever their site.
 */
export function comparePeers(summaries: KindSummary[], groups: Map<string, string>): Map<string, PeerComparison> {
  const out = new Map<string, PeerComparison>();
  const members: Member[] = summaries.map((summary) => {
    const binned = typedPoints(summary.binned);
    const shape = typedShapeAboveFloor(summary.binned, summary.stats.floor.valueMs);
    return { summary, binned, shape, integer: wholeCounts(binned) && wholeCounts(shape), body: summary.stats.p75Ms - summary.stats.floor.valueMs };
  });
  const byGroup = new Map<string, Member[]>();
  for (const m of members) {
    const g = groups.get(m.summary.account) ?? EVERYONE;
    if (!byGroup.has(g)) byGroup.set(g, []);
    byGroup.get(g)!.push(m);
  }
  const baselines = new Map<string, GroupBaseline>();
  const baselineOf = (group: string): GroupBaseline => {
    let entry = baselines.get(group);
    if (!entry) {
      entry = buildGroup(group === EVERYONE ? members : byGroup.get(group)!);
      baselines.set(group, entry);
    }
    return entry;
  };

  for (const self of [...members].sort((a, b) => compareText(a.summary.account, b.summary.account))) {
    const account = self.summary.account;
    const stats = self.summary.stats;
    const group = groups.get(account) ?? EVERYONE;
    const base = baselineOf(group);
    const peerCount = base.members.length - 1;
    if (peerCount < MIN_PEERS) continue;
    const floorZ = base.floors.robustZ(stats.floor.valueMs, base.resolutionMs);
    const fromInterval = stats.floorInterval.lowerMs !== null;
    const lowMs = stats.floorInterval.lowerMs ?? stats.minMs;
    const lowConfidence = fromInterval ? 1 - (1 - stats.floorInterval.confidence) / 2 : 1 - (1 - FLOOR_QUANTILE) ** stats.n;

    const raw = base.raw.against(self.binned, self.integer);
    const shape = base.shape.against(self.shape, self.integer);
    const { ks, cliffsDelta: delta, restN: othersN } = raw;
    const { ks: { d: shapeD }, cliffsDelta: shapeDelta } = shape;

    const peerShapeD = base.shapeDs.without(base.shapeDOf.get(account)!);
    const shapeScale = MAD_TO_SD * Math.max(peerShapeD.mad, D_SCALE_FLOOR);
    const crit = ksCriticalD(stats.n, othersN, 0.05);
    const shapeDLow = Math.max(0, shapeD - crit);
    out.set(account, {
      kind: self.summary.kind,
      group,
      peerCount,
      peerFloorMs: floorZ.median,
      peerFloorScaleMs: floorZ.scale,
      floorZ: floorZ.z,
      floorZLow: (lowMs - floorZ.median) / floorZ.scale,
      floorExcessMs: stats.floor.valueMs - floorZ.median,
      floorExcessLowMs: lowMs - floorZ.median,
      floorLowFrom: fromInterval ? 'interval' : 'minimum',
      floorLowMs: lowMs,
      floorLowConfidence: lowConfidence,
      ksD: ks.d,
      ksPValue: ks.pValue,
      ksMethod: ks.method,
      ksCriticalD: crit,
      cliffsDelta: delta,
      medianShiftMs: stats.medianMs - base.medians.without(stats.medianMs).median,
      shapeD,
      shapeCliffsDelta: shapeDelta,
      peerShapeDMedian: peerShapeD.median,
      peerShapeDScale: shapeScale,
      shapeDZLow: (shapeDLow - peerShapeD.median) / shapeScale,
      bodyMs: self.body,
      peerBodyMs: base.bodies.without(self.body).median,
    });
  }
  return out;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
