// Signal 5 within one window (issue 6 scope 3): a floor that changed during the window.
//
// `change_point`: one sustained change ("floor 25.6 ms until 2026-03-11, 132.1 ms from
// 2026-03-12"), what handing an account to a remote operator looks like. `intermittent_floor`:
// the floor is high on some days and back on others, a relay used part of the time.
// Points: one per millisecond of the change's conservative lower bound (the new level's interval
// end against the old one's, see src/analyze/changepoint.ts) beyond the minimum effect the detector
// reports at, max(15 ms, 15 % of the lower level), capped at CHANGE_POINTS_CAP, the same
// "one point per unexplained millisecond" scale as the floor signal. Few days on a side mean less
// weight: min(1, days / FULL_WEIGHT_DAYS) for the shorter side (or the high days). A downward
// change (moved closer, relay removed) is reported with 0 points. The change day is chosen from the
// data, so no naive p-value is given (it would be far too small); the interval carries the uncertainty.
import type { DailyFloor, Evidence, Kind } from '../types.js';
import type { EvidenceProvider } from './evidence.js';
import { detectFloorChange, MIN_EFFECT_FRACTION, MIN_EFFECT_MS, type FloorChange } from '../analyze/changepoint.js';

export const CHANGE_SIGNAL = 'change_point';
export const INTERMITTENT_SIGNAL = 'intermittent_floor';
export const CHANGE_POINTS_CAP = 120;
/** Days on the shorter side of a change (or high days of an on-off pattern) for full weight. */
export const FULL_WEIGHT_DAYS = 5;

const r1 = (x: number): string => x.toFixed(1);
const signed = (x: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(1)}`;

export function minEffectMs(lowerLevelMs: number): number {
  return Math.max(MIN_EFFECT_MS, MIN_EFFECT_FRACTION * Math.max(0, lowerLevelMs));
}

/** Change results per account and kind, computed once for the evidence and for linked accounts. */
export type FloorChanges = Map<string, Map<Kind, FloorChange>>;

export function detectChanges(accounts: readonly { account: string; summaries: readonly { kind: Kind; stats: { daily: DailyFloor[] } }[] }[]): FloorChanges {
  const out: FloorChanges = new Map();
  for (const a of accounts) {
    const byKind = new Map<Kind, FloorChange>();
    for (const s of a.summaries) byKind.set(s.kind, detectFloorChange(s.stats.daily));
    out.set(a.account, byKind);
  }
  return out;
}

/** Short list of days: runs of consecutive data days as `first..last`. */
export function dayRanges(ranges: readonly [string, string][]): string {
  return ranges.map(([a, b]) => (a === b ? a : `${a}..${b}`)).join(', ');
}

export function changeItem(kind: Kind, c: Extract<FloorChange, { type: 'sustained' }>): Evidence {
  const up = c.effectMs > 0;
  const allowance = minEffectMs(Math.min(c.before.levelMs, c.after.levelMs));
  const shorter = Math.min(c.before.days, c.after.days);
  const weight = Math.min(1, shorter / FULL_WEIGHT_DAYS);
  const points = up ? weight * Math.min(CHANGE_POINTS_CAP, Math.max(0, c.effectLowMs - allowance)) : 0;
  const leftOut = c.daysLeftOut > 0 ? `; ${c.daysLeftOut} earlier days not analysed` : '';
  const head = `${kind} floor ${r1(c.before.levelMs)} ms until ${c.lastDayBefore}, ${r1(c.after.levelMs)} ms from ${c.changeDay} `
    + `(${signed(c.effectMs)} ms, ${signed(c.effectLowMs)}..${signed(c.effectHighMs)}; ${c.before.days} days n=${c.before.n.toLocaleString('en-US')} before, `
    + `${c.after.days} days n=${c.after.n.toLocaleString('en-US')} after${c.otherSteps > 0 ? `; ${c.otherSteps} smaller step${c.otherSteps === 1 ? '' : 's'} too` : ''}${leftOut})`;
  const sentence = !up
    ? `${head}: the floor fell (moved closer, or a relay removed): not scored`
    : points > 0
      ? `${head}: a sustained jump, as when an account is handed to someone further away`
      : `${head}: a rise within the ${r1(allowance)} ms allowance after uncertainty`;
  return {
    signal: CHANGE_SIGNAL,
    kind,
    observed: c.after.levelMs,
    baseline: c.before.levelMs,
    unit: 'ms',
    effect: c.effectMs,
    effectName: 'floor after minus floor before (ms)',
    interval: [c.after.lowMs, c.after.highMs],
    pValue: null,
    stats: {
      changeDayIndex: c.changeDayIndex,
      daysBefore: c.before.days,
      daysAfter: c.after.days,
      nBefore: c.before.n,
      nAfter: c.after.n,
      beforeLowMs: c.before.lowMs,
      beforeHighMs: c.before.highMs,
      effectLowMs: c.effectLowMs,
      effectHighMs: c.effectHighMs,
      allowanceMs: allowance,
      dayNoiseMs: c.scaleMs,
      otherSteps: c.otherSteps,
      daysLeftOut: c.daysLeftOut,
      weight,
    },
    points,
    sentence,
  };
}

export function intermittentItem(kind: Kind, c: Extract<FloorChange, { type: 'intermittent' }>): Evidence {
  const allowance = minEffectMs(c.low.levelMs);
  const weight = Math.min(1, c.high.days / FULL_WEIGHT_DAYS);
  const points = weight * Math.min(CHANGE_POINTS_CAP, Math.max(0, c.effectLowMs - allowance));
  const leftOut = c.daysLeftOut > 0 ? `; ${c.daysLeftOut} earlier days not analysed` : '';
  const head = `${kind} floor on and off: ${r1(c.high.levelMs)} ms on ${c.high.days} of ${c.days} days (${dayRanges(c.highRanges)}), `
    + `${r1(c.low.levelMs)} ms on the others (${signed(c.effectMs)} ms, ${signed(c.effectLowMs)}..${signed(c.effectHighMs)}; `
    + `n=${c.high.n.toLocaleString('en-US')}/${c.low.n.toLocaleString('en-US')}${leftOut})`;
  const sentence = points > 0
    ? `${head}: not one change but a floor that comes and goes, as with a relay used on some days`
    : `${head}: within the ${r1(allowance)} ms allowance after uncertainty`;
  return {
    signal: INTERMITTENT_SIGNAL,
    kind,
    observed: c.high.levelMs,
    baseline: c.low.levelMs,
    unit: 'ms',
    effect: c.effectMs,
    effectName: 'floor on high days minus floor on the others (ms)',
    interval: [c.high.lowMs, c.high.highMs],
    pValue: null,
    stats: {
      firstHighDayIndex: c.firstHighIndex,
      highDays: c.high.days,
      lowDays: c.low.days,
      highRuns: c.highRanges.length,
      nHigh: c.high.n,
      nLow: c.low.n,
      lowLowMs: c.low.lowMs,
      lowHighMs: c.low.highMs,
      effectLowMs: c.effectLowMs,
      effectHighMs: c.effectHighMs,
      allowanceMs: allowance,
      dayNoiseMs: c.scaleMs,
      daysLeftOut: c.daysLeftOut,
      weight,
    },
    points,
    sentence,
  };
}

/** Accounts whose rise was shared by a large part of the population (src/score/linked.ts): a network change. */
export type Widespread = ReadonlyMap<string, { kind: Kind; accounts: number; share: number }>;

/** The provider over precomputed changes (runScan computes them once, for linked accounts too). */
export function changePointEvidence(changes: FloorChanges, widespread: Widespread = new Map()): EvidenceProvider {
  return (ctx) => {
    const items: Evidence[] = [];
    const byKind = changes.get(ctx.account);
    const wide = widespread.get(ctx.account);
    for (const s of ctx.summaries) {
      const c = byKind?.get(s.kind) ?? detectFloorChange(s.stats.daily);
      if (c.type === 'sustained' && wide && wide.kind === s.kind) {
        const item = changeItem(s.kind, c);
        item.points = 0;
        item.stats.widespreadAccounts = wide.accounts;
        item.sentence += `; ${wide.accounts} accounts (${(100 * wide.share).toFixed(0)} % of those with ${s.kind}) rose the same day to the same level: a network change, not scored`;
        items.push(item);
      } else if (c.type === 'sustained') items.push(changeItem(s.kind, c));
      else if (c.type === 'intermittent') {
        // The relayed days that make a floor come and go are the second mode that shift_vs_peers
        // already scored for this kind: one phenomenon, counted once (the larger of the two).
        const item = intermittentItem(s.kind, c);
        const shift = (ctx.prior ?? []).filter((e) => e.signal === 'shift_vs_peers' && e.kind === s.kind)
          .reduce((sum, e) => sum + Math.max(0, e.points), 0);
        if (item.points > 0 && shift > 0) {
          const own = item.points;
          item.points = Math.max(0, own - shift);
          item.stats.pointsBeforeShiftOverlap = own;
          item.sentence += `; ${r1(Math.min(own, shift))} of its ${r1(own)} points are already counted by the shape comparison with peers, only the rest counts here`;
        }
        items.push(item);
      }
    }
    return items;
  };
}
