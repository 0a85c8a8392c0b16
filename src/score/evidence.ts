// Evidence providers: each signal is a function from one account's context to evidence items.
// New signals (physics, relay, history, rhythm) plug in here without touching the combination rule.
import type { Evidence, Kind, KindStats, RosterEntry } from '../types.js';
import type { KindSummary, PeerComparison } from '../baseline/peers.js';
import type { PeerFigure, PeerFigureSummary } from '../baseline/peer-figures.js';
import { floorEvidence, shiftEvidence } from './signals.js';

export interface AccountContext {
  account: string;
  /** Every kind the account has (also those below --min-samples). */
  kinds: KindStats[];
  /** Kinds with enough samples to be scored. */
  summaries: KindSummary[];
  roster: RosterEntry | null;
  /** Peer comparison per kind, when the account has peers of that kind. */
  comparisons: Map<Kind, PeerComparison>;
  /**
   * Items of the providers registered before this one, for signals that qualify others (physics
   * takes back what distance explains of the peer floor excess; activity hours only add to
   * evidence already there).
   */
  prior?: readonly Evidence[];
  /**
   * A figure derived from the kinds, summarised over the other scored accounts of the peer group
   * (leave-one-out; those it gives null for left out); null when no peer has it. `figure` must be
   * one function object for every account (a module-level const): it keys the per-group values,
   * computed once (peer-figures.ts).
   */
  peerFigure?: (figure: PeerFigure) => PeerFigureSummary | null;
}

export type EvidenceProvider = (ctx: AccountContext) => Evidence[];

/** Signals 1 and 2: floor and shape against the peer group. */
export const peerEvidence: EvidenceProvider = (ctx) => {
  const items: Evidence[] = [];
  for (const s of ctx.summaries) {
    const c = ctx.comparisons.get(s.kind);
    if (!c) continue;
    items.push(floorEvidence(s.kind, c, s.stats.floor.valueMs, s.stats.floorInterval.upperMs, s.stats.n));
    items.push(shiftEvidence(s.kind, c));
  }
  return items;
};

/** The p-value an item contributes to the account's combined p (peer-relative where the signal has one). */
export function peerRelativePValue(item: Evidence): number | null {
  const relative = item.stats.peerPValue;
  return relative !== undefined ? relative : item.pValue;
}
