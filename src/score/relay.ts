// Signal 4, the relay (stepping-stone) signature (DESIGN section 3; issue 5).
//
// app_rtt: a direct user's application round trip is the transport round trip plus a little
// processing; when TCP ends at a relay near the server (port forward, SOCKS, VPN on a laptop) and
// the application (SSH) goes on to the person, every application exchange still travels the far
// leg. The evidence is the gap between the two floors, measured on the same connections, so no
// honest slow line can produce it (a slow line raises both). Points: PER_MS per millisecond of the
// gap's conservative lower bound beyond a processing allowance; weighted 1.5 per ms (against the
// floor signal's 1) because it needs no peer group and no location model.
//
// reaction: when SSH itself ends at the relay (the operator runs ssh *on* the relay, a nested hop)
// both app_rtt and rtt end there; only human-in-the-loop timing reaches the person. The reaction
// floor (server output -> next keystroke) minus the transport floor is human think time plus the
// hidden path; it is compared with the same difference of the peers (robust z, leaving the
// account out) and scored like a floor: both far outside the peers' spread and many ms above them.
import type { Evidence, KindStats } from '../types.js';
import type { AccountContext, EvidenceProvider } from './evidence.js';
import { binomialCdf, MAD_TO_SD, normalSf } from '../analyze/stats.js';
import type { PeerFigure, PeerFigureSummary } from '../baseline/peer-figures.js';
import type { SessionFloor, SessionFloors, SessionFloorTracker } from '../analyze/session-floors.js';

export const RELAY_SIGNAL = 'relay_signature';
/** Processing a direct client adds to an application round trip: max(ms, fraction of the rtt floor). */
export const RELAY_ALLOWANCE_MS = 10;
export const RELAY_ALLOWANCE_FRACTION = 0.1;
export const RELAY_POINTS_PER_MS = 1.5;
export const RELAY_POINTS_CAP = 200;
/** Fewer application round trips than this: no relay item (the floor would mean little). */
export const RELAY_MIN_APP = 5;
/** Reaction-based item: at least this many reaction gaps in the account and in each peer used.
 *  Measured in the lab (fixtures/lab/POWER.md): at 10-20 gaps the item fires on ~10 % of direct users. */
export const RELAY_MIN_REACTIONS = 30;
export const RELAY_MIN_REACTION_PEERS = 3;
/** Human reaction floors differ between people: the peers' spread is never taken below this. */
export const REACTION_SCALE_FLOOR_MS = 20;
export const REACTION_Z0 = 3;
export const REACTION_POINTS_PER_Z = 8;
export const REACTION_POINTS_CAP = 120;
const FULL_WEIGHT_CONFIDENCE = 0.975;
const P = 0.05; // the floor is the 5th percentile

const r1 = (x: number): string => x.toFixed(1);

/** Conservative lower end of a floor: its interval's lower bound, else the sample minimum with its confidence. */
function floorLow(k: KindStats): { low: number; confidence: number; rank: number } {
  if (k.floorInterval.lowerMs !== null) return { low: k.floorInterval.lowerMs, confidence: FULL_WEIGHT_CONFIDENCE, rank: k.floorInterval.lowerRank ?? 1 };
  // P(sample minimum <= true p5) = 1 - 0.95^n
  return { low: k.minMs, confidence: 1 - Math.pow(1 - P, k.n), rank: 1 };
}

/** p-value of "the app floor is above the threshold" from the count of values that could lie below it. */
function floorAbovePValue(k: KindStats, thresholdMs: number): number {
  const lo = floorLow(k);
  if (k.minMs > thresholdMs) return binomialCdf(0, k.n, P);
  if (lo.low > thresholdMs) return binomialCdf(lo.rank - 1, k.n, P);
  return 1;
}

function appItem(app: KindStats, rtt: KindStats): Evidence {
  const gap = app.floor.valueMs - rtt.floor.valueMs;
  const lo = floorLow(app);
  const rttHigh = rtt.floorInterval.upperMs;
  const rttLow = rtt.floorInterval.lowerMs ?? rtt.minMs;
  const gapLow = lo.low - rttHigh;
  const gapHigh = app.floorInterval.upperMs - rttLow;
  const allowance = Math.max(RELAY_ALLOWANCE_MS, RELAY_ALLOWANCE_FRACTION * rtt.floor.valueMs);
  const weight = Math.min(1, lo.confidence / FULL_WEIGHT_CONFIDENCE);
  const points = weight * Math.min(RELAY_POINTS_CAP, Math.max(0, RELAY_POINTS_PER_MS * (gapLow - allowance)));
  const head = `application round trip ${r1(app.floor.valueMs)} ms vs transport ${r1(rtt.floor.valueMs)} ms`;
  const sentence = points > 0
    ? `${head}: TCP ends ~${Math.max(0, Math.round(gap))} ms short of the person (gap ${r1(gapLow)}..${r1(gapHigh)} ms, allowance ${r1(allowance)} ms, n=${app.n}/${rtt.n})`
    : `${head}: no gap beyond processing (${r1(gap)} ms, allowance ${r1(allowance)} ms, n=${app.n}/${rtt.n}): the application is answered where TCP ends`;
  return {
    signal: RELAY_SIGNAL,
    kind: 'app_rtt',
    observed: gap,
    baseline: allowance,
    unit: 'ms',
    effect: gap,
    effectName: 'app_rtt floor minus rtt floor (ms)',
    interval: [gapLow, gapHigh],
    pValue: floorAbovePValue(app, rtt.floor.valueMs + allowance),
    stats: {
      appFloorMs: app.floor.valueMs,
      rttFloorMs: rtt.floor.valueMs,
      gapLowMs: gapLow,
      allowanceMs: allowance,
      lowBoundConfidence: lo.confidence,
      weight,
      appN: app.n,
      rttN: rtt.n,
    },
    points,
    sentence,
  };
}

/** Reaction floor minus transport floor, for an account with enough reactions and a transport floor. */
export const reactionOverTransport: PeerFigure = (kinds) => {
  const pr = kinds.find((k) => k.kind === 'reaction');
  const pt = kinds.find((k) => k.kind === 'rtt');
  return pr && pt && pr.n >= RELAY_MIN_REACTIONS ? pr.floor.valueMs - pt.floor.valueMs : null;
};

/** `peers`: reactionOverTransport over the peer group (AccountContext.peerFigure). */
export function reactionItem(reaction: KindStats, rtt: KindStats, peers: PeerFigureSummary | null): Evidence | null {
  if (peers === null || peers.count < RELAY_MIN_REACTION_PEERS) return null;
  const baseline = peers.median;
  const scale = Math.max(REACTION_SCALE_FLOOR_MS, MAD_TO_SD * peers.mad);
  const d = reaction.floor.valueMs - rtt.floor.valueMs;
  const lo = floorLow(reaction);
  const dLow = lo.low - rtt.floorInterval.upperMs;
  const dHigh = reaction.floorInterval.upperMs - (rtt.floorInterval.lowerMs ?? rtt.minMs);
  const excess = d - baseline;
  const excessLow = dLow - baseline;
  const z = excess / scale;
  const zLow = excessLow / scale;
  const weight = Math.min(1, lo.confidence / FULL_WEIGHT_CONFIDENCE);
  const points = weight * Math.min(REACTION_POINTS_CAP, Math.max(0, Math.min(REACTION_POINTS_PER_Z * (zLow - REACTION_Z0), excessLow)));
  const head = `reaction floor ${r1(reaction.floor.valueMs)} ms is ${r1(d)} ms above the transport floor ${r1(rtt.floor.valueMs)} ms vs peers' ${r1(baseline)} ms `
    + `(${excess >= 0 ? '+' : ''}${r1(excess)} ms, robust z ${r1(z)}, n=${reaction.n}, ${peers.count} peers)`;
  const sentence = points > 0
    ? `${head}: the person sits ~${Math.round(excess)} ms beyond where TCP and the application end (a hop such as a nested SSH session or a remote desktop on a relay)`
    : `${head}: within the peers' spread`;
  return {
    signal: RELAY_SIGNAL,
    kind: 'reaction',
    observed: d,
    baseline,
    unit: 'ms',
    effect: excess,
    effectName: 'reaction floor minus rtt floor, excess over peers (ms)',
    interval: [dLow, dHigh],
    pValue: normalSf(zLow),
    stats: {
      reactionFloorMs: reaction.floor.valueMs,
      rttFloorMs: rtt.floor.valueMs,
      excessLowMs: excessLow,
      robustZ: z,
      robustZLow: zLow,
      peerScaleMs: scale,
      peers: peers.count,
      weight,
      n: reaction.n,
      peerPValue: normalSf(zLow),
    },
    points,
    sentence,
  };
}

/** The figures appItem reads, from a session's kept lowest values. */
function asStats(kind: 'app_rtt' | 'rtt', f: SessionFloor): KindStats {
  return {
    kind, n: f.n, minMs: f.minMs, floor: { valueMs: f.floorMs },
    floorInterval: { confidence: f.confidence, sided: f.lowerRank === null ? 'upper-only' : 'two-sided', lowerMs: f.lowerMs, upperMs: f.upperMs, lowerRank: f.lowerRank, upperRank: f.upperRank },
  } as KindStats;
}

/**
 * The relay signature per session: the session with the largest conservative gap. Used in place of
 * the account-level item when it scores more (an account relayed in some sessions only has its
 * app_rtt floor set by the direct ones).
 */
export function sessionRelayItem(sessions: readonly SessionFloors[]): { item: Evidence; session: string; checked: number } | null {
  let best: { item: Evidence; session: string } | null = null;
  let checked = 0;
  for (const s of sessions) {
    if (s.app === null || s.rtt === null || s.app.n < RELAY_MIN_APP) continue;
    checked++;
    const item = appItem(asStats('app_rtt', s.app), asStats('rtt', s.rtt));
    if (best === null || item.points > best.item.points || (item.points === best.item.points && item.stats.gapLowMs! > best.item.stats.gapLowMs!)) {
      best = { item, session: s.session };
    }
  }
  return best === null ? null : { ...best, checked };
}

/** Signal 4; with per-session floors (src/analyze/session-floors.ts) the app_rtt gap is also judged per session. */
export function relayEvidenceWith(sessionFloors: SessionFloorTracker | null): EvidenceProvider {
  return (ctx) => relayItems(ctx, sessionFloors);
}

export const relayEvidence: EvidenceProvider = (ctx: AccountContext) => relayItems(ctx, null);

function relayItems(ctx: AccountContext, sessionFloors: SessionFloorTracker | null): Evidence[] {
  const rtt = ctx.kinds.find((k) => k.kind === 'rtt');
  if (!rtt) return [];
  const items: Evidence[] = [];
  const app = ctx.kinds.find((k) => k.kind === 'app_rtt');
  let accountItem = app && app.n >= RELAY_MIN_APP ? appItem(app, rtt) : null;
  const perSession = sessionFloors ? sessionRelayItem(sessionFloors.sessionsOf(ctx.account)) : null;
  if (perSession && perSession.item.points > (accountItem?.points ?? 0)) {
    const { item, session, checked } = perSession;
    const label = session.slice(session.indexOf(':') + 1);
    item.sentence = `session ${label || '(none)'}: ${item.sentence}; the account as a whole does not show it `
      + `(${accountItem ? `account-level gap ${r1(accountItem.observed)} ms` : 'too few application round trips overall'}), `
      + `so some sessions went through a relay (best of ${checked} sessions with both kinds)`;
    item.stats.sessionsChecked = checked;
    item.stats.accountGapMs = accountItem ? accountItem.observed : null;
    accountItem = item;
  }
  if (accountItem) items.push(accountItem);
  const reaction = ctx.kinds.find((k) => k.kind === 'reaction');
  if (reaction && reaction.n >= RELAY_MIN_REACTIONS && ctx.peerFigure) {
    const item = reactionItem(reaction, rtt, ctx.peerFigure(reactionOverTransport));
    if (item) items.push(item);
  }
  return items;
}
