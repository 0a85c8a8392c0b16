// Peer baselines (DESIGN section 3, signals 1 and 2): each account against its peer group,
// leaving itself out. Peer group = the roster's site when that site has enough accounts with data;
// otherwise everyone (`unassigned` is a label, not a group).
import type { Kind, KindStats } from '../types.js';
import { cliffsDelta, ksTwoSample, ksCriticalD, robustZ, median, type WeightedPoints } from '../analyze/stats.js';

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
  /** Floor vs peers' floors. */
  peerFloorMs: number;
  peerFloorScaleMs: number;
  floorZ: number;
  /** z of the lower confidence bound of the floor: the conservative figure that scores. */
  floorZLow: number | null;
  floorExcessMs: number;
  floorExcessLowMs: number | null;
  /** Distribution vs the pooled peers. */
  ksD: number;
  ksPValue: number;
  ksMethod: string;
  ksCriticalD: number;
  cliffsDelta: number;
  medianShiftMs: number;
  /** Peers' own KS distances to their pools: how different accounts of this group usually are. */
  peerDMedian: number;
  peerDScale: number;
  dZLow: number;
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

function addInto(pool: Map<number, number>, points: WeightedPoints, sign: 1 | -1): void {
  points.values.forEach((v, i) => {
    const next = (pool.get(v) ?? 0) + sign * points.counts[i]!;
    if (next <= 0) pool.delete(v); else pool.set(v, next);
  });
}

function toPoints(pool: Map<number, number>): WeightedPoints {
  const values = [...pool.keys()].sort((a, b) => a - b);
  return { values, counts: values.map((v) => pool.get(v)!) };
}

/**
 * Compare every eligible account of one kind with its peers. `members` of a group are the accounts
 * it holds; for the `everyone` group that is all eligible accounts, whatever their site.
 */
export function comparePeers(summaries: KindSummary[], groups: Map<string, string>): Map<string, PeerComparison> {
  const out = new Map<string, PeerComparison>();
  const byGroup = new Map<string, KindSummary[]>();
  for (const s of summaries) {
    const g = groups.get(s.account) ?? EVERYONE;
    if (!byGroup.has(g)) byGroup.set(g, []);
    byGroup.get(g)!.push(s);
  }
  // The `everyone` group compares with all accounts, including those of large sites.
  const everyoneMembers = summaries;
  const pools = new Map<string, { members: KindSummary[]; pool: Map<number, number>; looD: Map<string, number> }>();
  const poolFor = (group: string) => {
    let entry = pools.get(group);
    if (entry) return entry;
    const members = group === EVERYONE ? everyoneMembers : byGroup.get(group)!;
    const pool = new Map<number, number>();
    for (const m of members) addInto(pool, m.binned, 1);
    // Each member's KS distance to the pool of the others: the group's own spread of D.
    const looD = new Map<string, number>();
    for (const m of members) {
      addInto(pool, m.binned, -1);
      looD.set(m.account, ksTwoSample(m.binned, toPoints(pool)).d);
      addInto(pool, m.binned, 1);
    }
    entry = { members, pool, looD };
    pools.set(group, entry);
    return entry;
  };

  for (const self of [...summaries].sort((a, b) => (a.account < b.account ? -1 : a.account > b.account ? 1 : 0))) {
    const group = groups.get(self.account) ?? EVERYONE;
    const { members, pool, looD } = poolFor(group);
    const peers = members.filter((m) => m.account !== self.account);
    if (peers.length < MIN_PEERS) continue;
    const resolution = Math.max(self.stats.resolutionMs, ...peers.map((p) => p.stats.resolutionMs));
    const floors = peers.map((p) => p.stats.floor.valueMs);
    const floorZ = robustZ(self.stats.floor.valueMs, floors, resolution);
    const lowMs = self.stats.floorInterval.lowerMs;
    const floorZLow = lowMs === null ? null : (lowMs - floorZ.median) / floorZ.scale;

    const inPool = members.some((m) => m.account === self.account);
    if (inPool) addInto(pool, self.binned, -1);
    const others = toPoints(pool);
    const ks = ksTwoSample(self.binned, others);
    const delta = cliffsDelta(self.binned, others);
    const othersN = others.counts.reduce((a, b) => a + b, 0);
    const peerMedians = peers.map((p) => p.stats.medianMs);
    if (inPool) addInto(pool, self.binned, 1);

    const peerDs = peers.map((p) => looD.get(p.account)!).filter((d) => d !== undefined);
    const dMedian = median(peerDs);
    const dz = robustZ(0, peerDs, D_SCALE_FLOOR);
    const crit = ksCriticalD(self.stats.n, othersN, 0.05);
    const dLow = Math.max(0, ks.d - crit);
    out.set(self.account, {
      kind: self.kind,
      group,
      peerCount: peers.length,
      peerFloorMs: floorZ.median,
      peerFloorScaleMs: floorZ.scale,
      floorZ: floorZ.z,
      floorZLow,
      floorExcessMs: self.stats.floor.valueMs - floorZ.median,
      floorExcessLowMs: lowMs === null ? null : lowMs - floorZ.median,
      ksD: ks.d,
      ksPValue: ks.pValue,
      ksMethod: ks.method,
      ksCriticalD: crit,
      cliffsDelta: delta,
      medianShiftMs: self.stats.medianMs - median(peerMedians),
      peerDMedian: dMedian,
      peerDScale: dz.scale,
      dZLow: (dLow - dMedian) / dz.scale,
    });
  }
  return out;
}
