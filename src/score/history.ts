// Signals 5 and 6 against a saved profile (issue 6): history shift and typing rhythm.
//
// history_shift, per account and kind: the floor now against the floor in the baseline profile,
// both with their 95 % order-statistic intervals (widened by the sketch's relative error where a
// side is sketched). An honest account's floor moves little from month to month (a new route, a
// new ISP: a few ms, about a tenth of a long path); distance added by a hand-over to a far operator
// moves it by tens to hundreds of ms. Points: one per ms of the conservative rise (lower end now
// minus upper end then) beyond an allowance of max(10 ms, 10 % of the old floor), weighted by how
// sure both lower ends are, capped: the same scale as the floor signal (one point, one ms of
// unexplained floor). A fall scores nothing. The KS distance between now and the profile (on the
// shared grid) is reported beside it (D and p), not scored: with thousands of samples any small
// change in congestion makes it "significant".
//
// no_history: an account the profile does not know (new since the baseline, or renamed): 0 points,
// listed so a reader sees the history check could not be made, and counted in the header.
//
// typing_rhythm, keystroke intervals only: the share of near-zero intervals (NEAR_ZERO_MS, see
// src/baseline/profile.ts for why 5 ms) against the leave-one-out peers' shares and against the
// account's own baseline share; and the shape (KS on the shared grid) against the pooled peers and
// the baseline, reported. Points only for a near-zero share that is above every reference
// available even at its lower confidence bound, one point per percentage point, capped at
// RHYTHM_POINTS_CAP: never enough to flag an account on its own.
import type { Evidence, Kind, KindStats } from '../types.js';
import { HEADLINE_KIND_ORDER } from '../types.js';
import type { AccountContext, EvidenceProvider } from './evidence.js';
import type { KindSummary } from '../baseline/peers.js';
import type { PeerFigure } from '../baseline/peer-figures.js';
import { binomialCdf, ksTwoSample, MAD_TO_SD, type WeightedPoints } from '../analyze/stats.js';
import { SKETCH_RELATIVE_ACCURACY } from '../analyze/store.js';
import {
  nearZeroCount, profileBinned, NEAR_ZERO_MS, type AccountProfile, type KindProfile, type LoadedProfile,
} from '../baseline/profile.js';

export const HISTORY_SIGNAL = 'history_shift';
export const NO_HISTORY_SIGNAL = 'no_history';
export const RHYTHM_SIGNAL = 'typing_rhythm';
/** Month-to-month floor movement allowed for: max(ms, fraction of the baseline floor). */
export const HISTORY_ALLOWANCE_MS = 10;
export const HISTORY_ALLOWANCE_FRACTION = 0.1;
export const HISTORY_POINTS_PER_MS = 1;
export const HISTORY_POINTS_CAP = 150;
/** Rhythm: at least this many intervals in the account, in each peer used, and in the baseline. */
export const RHYTHM_MIN_INTERVALS = 30;
export const RHYTHM_MIN_PEERS = 3;
/** Peers' near-zero shares differ (typists, keyboards): their spread is never taken below this. */
export const RHYTHM_SHARE_SCALE_FLOOR = 0.02;
export const RHYTHM_Z0 = 3;
/** Baseline share plus this margin is the own-history reference. */
export const RHYTHM_BASELINE_MARGIN = 0.02;
export const RHYTHM_POINTS_PER_PERCENT = 1;
export const RHYTHM_POINTS_CAP = 15;

const FULL_WEIGHT_CONFIDENCE = 0.975;
const P = 0.05;
const r1 = (x: number): string => x.toFixed(1);
const signed = (x: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(1)}`;
const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;
const count = (n: number): string => n.toLocaleString('en-US');

/** Conservative lower end of a floor now: its interval's lower bound, else the minimum with its confidence. */
function nowLow(k: KindStats): { low: number; confidence: number; rank: number } {
  if (k.floorInterval.lowerMs !== null) return { low: k.floorInterval.lowerMs, confidence: FULL_WEIGHT_CONFIDENCE, rank: k.floorInterval.lowerRank ?? 1 };
  return { low: k.minMs, confidence: 1 - Math.pow(1 - P, k.n), rank: 1 };
}

function periodOf(p: KindProfile): string {
  return `${p.first.slice(0, 10)}..${p.last.slice(0, 10)}`;
}

export function historyItem(now: KindSummary, then: KindProfile): Evidence {
  const s = now.stats;
  const epsNow = s.precision.relativeError;
  const epsThen = then.values.mode === 'sketch' ? SKETCH_RELATIVE_ACCURACY : 0;
  const lo = nowLow(s);
  const nowLowMs = lo.low * (1 - epsNow);
  const nowHighMs = s.floorInterval.upperMs * (1 + epsNow);
  const thenLowRaw = then.floor.lowerMs ?? then.minMs;
  const thenConfidence = then.floor.lowerMs !== null ? FULL_WEIGHT_CONFIDENCE : 1 - Math.pow(1 - P, then.n);
  const thenLowMs = thenLowRaw * (1 - epsThen);
  const thenHighMs = then.floor.upperMs * (1 + epsThen);
  const shift = s.floor.valueMs - then.floor.valueMs;
  const riseLow = nowLowMs - thenHighMs;
  const riseHigh = nowHighMs - thenLowMs;
  const allowance = Math.max(HISTORY_ALLOWANCE_MS, HISTORY_ALLOWANCE_FRACTION * then.floor.valueMs);
  // The old floor's lower end matters for a fall; for a rise what must be sure is the new floor's
  // lower end and the old floor's upper end (always known), so only the new side's confidence weighs.
  const weight = Math.min(1, lo.confidence / FULL_WEIGHT_CONFIDENCE);
  const points = weight * Math.min(HISTORY_POINTS_CAP, Math.max(0, HISTORY_POINTS_PER_MS * (riseLow - allowance)));
  const threshold = thenHighMs + allowance;
  const pValue = s.minMs > threshold ? binomialCdf(0, s.n, P) : nowLowMs > threshold ? binomialCdf(lo.rank - 1, s.n, P) : 1;
  const ks = ksTwoSample(now.binned, profileBinned(then.values));
  const head = `floor ${r1(s.floor.valueMs)} ms now vs ${r1(then.floor.valueMs)} ms in the baseline (${periodOf(then)}, n=${count(then.n)}): ${signed(shift)} ms`;
  const tail = `KS D ${ks.d.toFixed(2)} vs the baseline distribution, n=${count(s.n)} now`;
  const sentence = points > 0
    ? `${head} (at least ${signed(riseLow)} ms, beyond the ${r1(allowance)} ms month-to-month allowance; ${tail})`
    : shift < -allowance
      ? `${head}: faster than in the baseline (${tail})`
      : `${head}: within the usual month-to-month variation (allowance ${r1(allowance)} ms; ${tail})`;
  return {
    signal: HISTORY_SIGNAL,
    kind: now.kind,
    observed: s.floor.valueMs,
    baseline: then.floor.valueMs,
    unit: 'ms',
    effect: shift,
    effectName: 'floor now minus floor in the baseline (ms)',
    interval: [riseLow, riseHigh],
    pValue,
    stats: {
      floorLowMs: nowLowMs,
      floorHighMs: nowHighMs,
      baselineFloorLowMs: thenLowMs,
      baselineFloorHighMs: thenHighMs,
      riseLowMs: riseLow,
      allowanceMs: allowance,
      weight,
      baselineLowBoundConfidence: thenConfidence,
      ksD: ks.d,
      ksPValue: ks.pValue,
      n: s.n,
      baselineN: then.n,
      baselineFirstTimeUs: then.firstTimeUs,
      baselineLastTimeUs: then.lastTimeUs,
    },
    points,
    sentence,
  };
}

function noHistoryItem(kind: Kind, n: number, what: string): Evidence {
  return {
    signal: NO_HISTORY_SIGNAL,
    kind,
    observed: n,
    baseline: 0,
    unit: 'samples',
    effect: 0,
    effectName: 'samples in the baseline',
    interval: null,
    pValue: null,
    stats: { n },
    points: 0,
    sentence: what,
  };
}

/** Index of a loaded profile by account, and how many scored accounts it did not know. */
export class BaselineIndex {
  private readonly byAccount = new Map<string, AccountProfile>();
  private readonly seenNew = new Set<string>();

  constructor(readonly loaded: LoadedProfile) {
    for (const a of loaded.profile.accounts) this.byAccount.set(a.account, a);
  }

  get(account: string): AccountProfile | undefined { return this.byAccount.get(account); }

  /** Scored accounts of this run the profile has no history of. */
  get newAccounts(): number { return this.seenNew.size; }

  markNew(account: string): void { this.seenNew.add(account); }
}

export function historyProvider(index: BaselineIndex): EvidenceProvider {
  const period = index.loaded.profile.period;
  const periodText = period ? `${period.first.slice(0, 10)}..${period.last.slice(0, 10)}` : 'empty';
  return (ctx: AccountContext) => {
    const past = index.get(ctx.account);
    const headline = HEADLINE_KIND_ORDER.map((k) => ctx.summaries.find((s) => s.kind === k)).find((s) => s !== undefined) ?? ctx.summaries[0];
    if (!headline) return [];
    if (!past) {
      index.markNew(ctx.account);
      return [noHistoryItem(headline.kind, headline.stats.n,
        `no history: the account is not in the baseline profile (${periodText}); new since then, or renamed`)];
    }
    const items: Evidence[] = [];
    for (const s of ctx.summaries) {
      const then = past.kinds.find((k) => k.kind === s.kind);
      if (then) items.push(historyItem(s, then));
      else items.push(noHistoryItem(s.kind, s.stats.n, `no history of ${s.kind} in the baseline profile (${periodText}; it has ${past.kinds.map((k) => k.kind).join(', ')})`));
    }
    return items;
  };
}

// ------------------------------------------------------------------ typing rhythm

/** Wilson score interval of a proportion (two-sided 95 %). */
export function wilson(k: number, n: number, z = 1.959963984540054): [number, number] {
  const p = k / n;
  const denom = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denom;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

function shareOf(binned: WeightedPoints, n: number): number {
  return nearZeroCount(binned) / n;
}

/** Share of keystroke intervals near zero, for an account with enough of them. */
export const bunchedShare: PeerFigure = (_kinds, summaries) => {
  const x = summaries.find((s) => s.kind === 'keystroke_interval');
  return x !== undefined && x.stats.n >= RHYTHM_MIN_INTERVALS ? shareOf(x.binned, x.stats.n) : null;
};

export function rhythmItem(ctx: AccountContext, index: BaselineIndex | null): Evidence | null {
  const now = ctx.summaries.find((s) => s.kind === 'keystroke_interval');
  if (!now || now.stats.n < RHYTHM_MIN_INTERVALS) return null;
  const n = now.stats.n;
  const nearZero = nearZeroCount(now.binned);
  const share = nearZero / n;
  const [shareLow, shareHigh] = wilson(nearZero, n);

  const peers = ctx.peerFigure?.(bunchedShare) ?? null;
  const peerCount = peers?.count ?? 0;
  const hasPeers = peers !== null && peerCount >= RHYTHM_MIN_PEERS;
  const peerMedian = hasPeers ? peers.median : null;
  const peerScale = hasPeers ? Math.max(RHYTHM_SHARE_SCALE_FLOOR, MAD_TO_SD * peers.mad) : null;
  const peerReference = hasPeers ? peerMedian! + RHYTHM_Z0 * peerScale! : null;

  const then = index?.get(ctx.account)?.kinds.find((k) => k.kind === 'keystroke_interval' && k.n >= RHYTHM_MIN_INTERVALS) ?? null;
  const baselineShare = then?.rhythm ? then.rhythm.share : null;
  const baselineHigh = then?.rhythm ? wilson(then.rhythm.nearZero, then.n)[1] : null;
  const baselineReference = baselineHigh === null ? null : baselineHigh + RHYTHM_BASELINE_MARGIN;

  const references = [peerReference, baselineReference].filter((x): x is number => x !== null);
  const reference = references.length === 0 ? null : Math.max(...references);
  const points = reference === null ? 0 : Math.min(RHYTHM_POINTS_CAP, Math.max(0, 100 * RHYTHM_POINTS_PER_PERCENT * (shareLow - reference)));

  const peerKs = ctx.comparisons.get('keystroke_interval') ?? null;
  const baselineKs = then ? ksTwoSample(now.binned, profileBinned(then.values)) : null;

  const parts: string[] = [];
  if (hasPeers) parts.push(`peers ${pct(peerMedian!)} (${peerCount} peers)`);
  if (baselineShare !== null) parts.push(`own baseline ${pct(baselineShare)} (n=${count(then!.n)})`);
  const against = parts.length > 0 ? ` vs ${parts.join(', ')}` : ' (no peers or baseline with keystroke intervals to compare)';
  const shapes: string[] = [];
  if (peerKs) shapes.push(`KS D ${peerKs.ksD.toFixed(2)} vs peers`);
  if (baselineKs) shapes.push(`KS D ${baselineKs.d.toFixed(2)} vs the baseline`);
  const sentence = `${pct(share)} of ${count(n)} keystroke intervals under ${NEAR_ZERO_MS} ms${against}`
    + (shapes.length > 0 ? `; shape ${shapes.join(', ')}` : '')
    + (points > 0 ? ': keystrokes arrive bunched, as through a relay or remote desktop that queues them' : '');
  return {
    signal: RHYTHM_SIGNAL,
    kind: 'keystroke_interval',
    observed: share,
    baseline: reference ?? (peerMedian ?? baselineShare ?? 0),
    unit: 'share',
    effect: share - (peerMedian ?? baselineShare ?? share),
    effectName: 'near-zero share minus the reference share (peers, else baseline)',
    interval: [shareLow, shareHigh],
    pValue: null,
    stats: {
      nearZero,
      n,
      nearZeroMs: NEAR_ZERO_MS,
      peerShareMedian: peerMedian,
      peerShareScale: peerScale,
      peers: peerCount,
      baselineShare,
      baselineN: then ? then.n : null,
      peerKsD: peerKs ? peerKs.ksD : null,
      peerKsPValue: peerKs ? peerKs.ksPValue : null,
      baselineKsD: baselineKs ? baselineKs.d : null,
      baselineKsPValue: baselineKs ? baselineKs.pValue : null,
    },
    points,
    sentence,
  };
}

export function typingRhythmProvider(index: BaselineIndex | null): EvidenceProvider {
  return (ctx) => {
    const item = rhythmItem(ctx, index);
    return item ? [item] : [];
  };
}
