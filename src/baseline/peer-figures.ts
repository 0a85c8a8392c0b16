// Peer figures: a number derived from each account's kinds (reaction floor minus transport floor,
// the share of bunched keystrokes...) summarised over the other accounts of its peer group, as
// median and MAD (DESIGN section 3: peers, leave-one-out).
//
// Why not per account: asking every account for its peers' figures recomputes them over n-1 peers
// for each of n accounts. 4,000 accounts with keystroke intervals and reaction times took 12.4 s
// (1,000: 1.4 s); 10,000 would take over a minute. Each group's values are computed and sorted once
// per figure here, and each account's leave-one-out median and MAD read off them (loo.ts), with the
// same results as over the list of its peers.
import type { KindStats } from '../types.js';
import type { KindSummary } from './peers.js';
import { PeerValues, type PeerSummary } from '../analyze/loo.js';
import { mad, median } from '../analyze/stats.js';

/** One account as a figure sees it: every kind it has, and its kinds with enough samples to score. */
export interface PeerMember {
  account: string;
  kinds: readonly KindStats[];
  summaries: readonly KindSummary[];
}

/** A figure of one account; null when the account does not have it (it is then not a peer for it). */
export type PeerFigure = (kinds: readonly KindStats[], summaries: readonly KindSummary[]) => number | null;

/** Median and raw MAD of a figure over peers, and how many peers have it. */
export type PeerFigureSummary = PeerSummary;

/** The figure of every member that has it, in member order. */
function figureValues(members: readonly PeerMember[], figure: PeerFigure): number[] {
  const values: number[] = [];
  for (const m of members) {
    const v = figure(m.kinds, m.summaries);
    if (v !== null) values.push(v);
  }
  return values;
}

/** The figure over `peers` as listed: the definition the group cache must equal. */
export function figureOverPeers(peers: readonly PeerMember[], figure: PeerFigure): PeerFigureSummary | null {
  const values = figureValues(peers, figure);
  return values.length === 0 ? null : { median: median(values), mad: mad(values), count: values.length };
}

/** Per (group, figure), computed on first use. Groups are named by the caller, members listed once. */
export class GroupFigures {
  private readonly cache = new Map<string, Map<PeerFigure, PeerValues>>();

  /**
   * `figure` over the members of `group` other than `self` (which must be one of them, with the same
   * kinds). Equal to figureOverPeers(members without self, figure).
   */
  without(group: string, members: readonly PeerMember[], self: PeerMember, figure: PeerFigure): PeerFigureSummary | null {
    let byFigure = this.cache.get(group);
    if (byFigure === undefined) { byFigure = new Map(); this.cache.set(group, byFigure); }
    let values = byFigure.get(figure);
    if (values === undefined) {
      values = new PeerValues(figureValues(members, figure));
      byFigure.set(figure, values);
    }
    return values.without(figure(self.kinds, self.summaries));
  }
}
