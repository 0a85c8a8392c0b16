// Signal 7, activity hours: how much of an account's activity falls at 01:00-05:00 in its claimed
// time zone, against its peers. People work at night sometimes; an operator abroad working their own
// day under a claimed US identity does so all month. Weak on its own, so it can only add to a score
// that other evidence has already lifted (ACTIVITY_GATE_POINTS), and never more than half of it.
import type { Evidence } from '../types.js';
import { MAD_TO_SD, normalIsf } from '../analyze/stats.js';
import { PeerValues, type PeerSummary } from '../analyze/loo.js';
import { EVERYONE } from '../baseline/peers.js';
import { countEvidence } from './combine.js';
import type { EvidenceProvider } from './evidence.js';

/** Local night: [NIGHT_START_HOUR, NIGHT_END_HOUR). */
export const NIGHT_START_HOUR = 1;
export const NIGHT_END_HOUR = 5;
/** Activity is counted in quarter-hours (samples in the same quarter-hour are one unit of activity). */
export const BUCKET_MS = 15 * 60 * 1000;
/** Floor of the peers' spread of night share (one percentage point), so a quiet peer group does not make z infinite. */
const SHARE_SCALE_FLOOR = 0.01;
export const ACTIVITY_Z0 = 3;
export const ACTIVITY_POINTS_PER_Z = 2;
export const ACTIVITY_POINTS_CAP = 20;
/** Other evidence must already total this many points (score ~45) before activity hours count. */
export const ACTIVITY_GATE_POINTS = 36;
const MIN_PEERS = 3;
/** Fewest active quarter-hours for a share worth stating. */
const MIN_BUCKETS = 8;

const offsetCache = new Map<string, Map<number, number>>();
const formatters = new Map<string, Intl.DateTimeFormat>();

/** UTC offset (ms) of `zone` during the UTC hour that contains `utcMs`. */
function offsetMs(zone: string, utcMs: number): number {
  const hour = Math.floor(utcMs / 3_600_000);
  let cache = offsetCache.get(zone);
  if (!cache) { cache = new Map(); offsetCache.set(zone, cache); }
  const hit = cache.get(hour);
  if (hit !== undefined) return hit;
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' });
    formatters.set(zone, f);
  }
  const at = hour * 3_600_000 + 1_800_000;
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(at))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const local = Date.UTC(p['year']!, p['month']! - 1, p['day']!, p['hour']! % 24, p['minute']!);
  const off = local - Math.floor(at / 60_000) * 60_000;
  cache.set(hour, off);
  return off;
}

/** Local hour (0-23.75) of a quarter-hour bucket in `zone`. */
export function localHour(zone: string, bucket: number): number {
  const utc = bucket * BUCKET_MS;
  const local = utc + offsetMs(zone, utc);
  return (((local % 86_400_000) + 86_400_000) % 86_400_000) / 3_600_000;
}

export interface NightShare {
  zone: string;
  night: number;
  total: number;
  share: number;
  /** One-sided 97.5 % Wilson lower bound of the share. */
  shareLow: number;
}

function wilsonLow(k: number, n: number, z: number): number {
  if (n === 0 || k === 0) return 0;
  const p = k / n;
  const denom = 1 + (z * z) / n;
  const centre = p + (z * z) / (2 * n);
  const margin = z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return Math.max(0, (centre - margin) / denom);
}

export function nightShare(zone: string, buckets: Map<number, number>): NightShare {
  let night = 0;
  for (const b of buckets.keys()) {
    const h = localHour(zone, b);
    if (h >= NIGHT_START_HOUR && h < NIGHT_END_HOUR) night++;
  }
  const total = buckets.size;
  return { zone, night, total, share: total === 0 ? 0 : night / total, shareLow: wilsonLow(night, total, normalIsf(0.025)) };
}

export class ActivityRun {
  readonly shares = new Map<string, NightShare>();

  constructor(
    buckets: Map<string, Map<number, number>>,
    zoneOf: (account: string) => string | null,
    private readonly groups: Map<string, string>,
    scored: readonly string[],
  ) {
    for (const key of scored) {
      const zone = zoneOf(key);
      const b = buckets.get(key);
      if (zone === null || !b || b.size < MIN_BUCKETS) continue;
      this.shares.set(key, nightShare(zone, b));
    }
  }

  // Per peer group: its members' night shares, sorted once for leave-one-out (loo.ts). Listing
  // the peers' shares for each account was quadratic: 8,000 accounts with a roster took 8 s, 3 of
  // them here.
  private readonly byGroup = new Map<string, PeerValues>();

  /**
   * Median and raw MAD of the night shares of the account's peers (the other accounts of its peer
   * group that have a share; `everyone` holds all of them), and how many; null without a share of
   * its own or without peers. Equal to median and mad over the list of those peers.
   */
  peerShares(account: string): PeerSummary | null {
    const mine = this.shares.get(account);
    if (mine === undefined) return null;
    const group = this.groups.get(account) ?? EVERYONE;
    let values = this.byGroup.get(group);
    if (values === undefined) {
      const list: number[] = [];
      for (const [key, s] of this.shares) {
        if (group === EVERYONE || (this.groups.get(key) ?? EVERYONE) === group) list.push(s.share);
      }
      values = new PeerValues(list);
      this.byGroup.set(group, values);
    }
    return values.without(mine.share);
  }
}

const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

export function activityProvider(run: ActivityRun): EvidenceProvider {
  return (ctx) => {
    const mine = run.shares.get(ctx.account);
    if (!mine) return [];
    const peers = run.peerShares(ctx.account);
    if (peers === null || peers.count < MIN_PEERS) return [];
    const med = peers.median;
    const scale = MAD_TO_SD * Math.max(peers.mad, SHARE_SCALE_FLOOR);
    const z = (mine.share - med) / scale;
    const zLow = (mine.shareLow - med) / scale;
    const raw = Math.min(ACTIVITY_POINTS_CAP, Math.max(0, ACTIVITY_POINTS_PER_Z * (zLow - ACTIVITY_Z0)));
    const others = countEvidence([...(ctx.prior ?? [])]).total;
    const points = others >= ACTIVITY_GATE_POINTS ? Math.min(raw, others / 2) : 0;
    const head = `${pct(mine.share)} of its active quarter-hours (${mine.night} of ${mine.total}) fall at `
      + `0${NIGHT_START_HOUR}:00-0${NIGHT_END_HOUR}:00 ${mine.zone} (claimed) vs ${pct(med)} for its ${peers.count} peers (robust z ${z.toFixed(1)})`;
    const tail = raw === 0
      ? ': within the peers\' habits'
      : points > 0
        ? `: weak on its own, counted because other evidence already scores ${others.toFixed(1)} points`
        : `: weak on its own, not counted (other evidence scores ${others.toFixed(1)} points, below ${ACTIVITY_GATE_POINTS})`;
    const item: Evidence = {
      signal: 'activity_hours',
      kind: ctx.summaries[0]?.kind ?? 'input_lag',
      observed: mine.share,
      baseline: med,
      unit: 'share',
      effect: mine.share - med,
      effectName: 'night share minus the peers\' median',
      interval: [mine.shareLow, null],
      pValue: null,
      stats: {
        nightQuarterHours: mine.night,
        activeQuarterHours: mine.total,
        peerMedianShare: med,
        peerScale: scale,
        robustZ: z,
        robustZLow: zLow,
        peers: peers.count,
        rawPoints: raw,
        otherPoints: others,
      },
      points,
      sentence: head + tail,
    };
    return [item];
  };
}
