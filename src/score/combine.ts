// Evidence points -> one 0-100 score (DESIGN section 3, Scoring).
//
// Each evidence item carries points: positive when it incriminates, negative when it exculpates.
// Per signal only the strongest kind counts (an account's rtt and app_rtt floors are not two
// independent proofs of the same thing). The score is a saturating map of the total:
//   score = 100 * (1 - exp(-P / SCORE_SCALE_POINTS)),  P = max(0, sum of counted points)
// monotone in every item, 0 without evidence, never 100. FLAG_SCORE (70) is reached at
// P = SCORE_SCALE_POINTS * ln(1/0.3) ~ 72 points: for the floor signal one point is one
// millisecond of floor beyond the peers', so the flag line sits near 72 ms of unexplained floor,
// i.e. thousands of km of extra path even at typical route inflation.
import type { Evidence } from '../types.js';

export const SCORE_SCALE_POINTS = 60;
export const FLAG_SCORE = 70;

export function scoreFromPoints(points: number): number {
  return 100 * (1 - Math.exp(-Math.max(0, points) / SCORE_SCALE_POINTS));
}

/** Mark which items count (the strongest kind per signal; every exculpatory item) and total them. */
export function countEvidence(evidence: Evidence[]): { total: number; counted: Evidence[] } {
  const bestBySignal = new Map<string, Evidence>();
  const exculpatory: Evidence[] = [];
  for (const item of evidence) {
    if (item.points < 0) { exculpatory.push(item); continue; }
    const best = bestBySignal.get(item.signal);
    if (best === undefined || item.points > best.points) bestBySignal.set(item.signal, item);
  }
  const counted = [...bestBySignal.values(), ...exculpatory];
  const total = counted.reduce((sum, e) => sum + e.points, 0);
  return { total, counted };
}
