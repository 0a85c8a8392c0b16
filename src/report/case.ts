// What a case report shows per account, shared by the HTML and Markdown renderers: which
// accounts get a detailed section, and for each its charts (as SVG-producing closures) and the
// notes that say why a chart is absent. Pure: Report in, plain data out.

import { HEADLINE_KIND_ORDER, type AccountReport, type Evidence, type KindStats, type PeerGroupSummary, type Report } from '../types.js';
import { selectAccounts } from './json.js';
import { groupDigits } from './table.js';
import { floorSvg, histogramSvg, MAX_SURFACE_KM, ringSvg, usableDays, type HistogramMarker, type SvgOptions } from './svg.js';

/**
 * Great-circle km per ms of round trip for light in fiber (group index 1.468: c / 1.468 / 2),
 * the hard limit of DESIGN section 3; the ring's outer edge when the evidence gives none.
 */
export const FIBER_KM_PER_MS_RTT = 299_792.458 / 1.468 / 2 / 1000;

/** Accounts shown in detail when none is flagged (the highest-ranked, for reference). */
export const REFERENCE_CASES = 3;

export interface CaseSelection {
  accounts: AccountReport[];
  /** True when these are flagged accounts; false when none is flagged and the top ones are shown. */
  flagged: boolean;
  /** Flagged accounts cut away by `--top`. */
  flaggedHidden: number;
}

/** Flagged accounts among those listed (rank order); the top REFERENCE_CASES when none is flagged. */
export function caseAccounts(report: Report, top: number | null): CaseSelection {
  const sel = selectAccounts(report, top);
  const flagged = sel.ranked.filter((a) => a.flagged);
  const flaggedHidden = Math.max(0, report.accounts.filter((a) => a.flagged).length - flagged.length);
  if (flagged.length > 0 || flaggedHidden > 0) return { accounts: flagged, flagged: true, flaggedHidden };
  return { accounts: sel.ranked.slice(0, REFERENCE_CASES), flagged: false, flaggedHidden: 0 };
}

export interface CaseFigure {
  /** File-name-safe id within the case: `histogram-input_lag`, `floor-input_lag`, `ring`. */
  slug: string;
  /** One line saying what the chart shows (untrusted parts unescaped: renderers escape). */
  caption: string;
  svg: (opts?: SvgOptions) => string;
}

export interface CaseView {
  account: AccountReport;
  figures: CaseFigure[];
  /** Why a chart is absent or incomplete. */
  notes: string[];
}

/** Kind names are an enum, but a report is data: keep file names to [a-z0-9_]. */
export function safeSlug(s: string): string {
  const t = s.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  return t === '' ? 'x' : t.slice(0, 40);
}

function finiteStat(e: Evidence, key: string): number | null {
  const v = e.stats[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Kinds to chart: the headline kind first, then the rest in headline order, then any others. */
function kindsInOrder(a: AccountReport): KindStats[] {
  const rank = (k: KindStats) => {
    if (k.kind === a.headlineKind) return -1;
    const i = HEADLINE_KIND_ORDER.indexOf(k.kind);
    return i < 0 ? HEADLINE_KIND_ORDER.length : i;
  };
  return a.kinds.filter((k) => k.n > 0).sort((x, y) => rank(x) - rank(y));
}

/**
 * The peers' pooled histogram of this kind, with the account's own counts taken out when it is
 * one of the pooled accounts (the pipeline pools every scored member of the group), so the
 * chart compares the account with the others, as the scores do.
 */
export function peerHistogram(report: Report, a: AccountReport, k: KindStats): { group: PeerGroupSummary; counts: number[]; accounts: number; samples: number; leftOut: boolean } | null {
  const g = report.peerGroups.find((p) => p.group === a.peerGroup && p.kind === k.kind);
  if (!g || g.histogram.counts.length !== k.histogram.counts.length || g.histogram.lowMs !== k.histogram.lowMs || g.histogram.highMs !== k.histogram.highMs) {
    return null;
  }
  const own = k.histogram.counts;
  const canLeaveOut = a.status === 'scored' && g.accounts >= 2 && g.histogram.counts.every((c, i) => c >= (own[i] ?? 0));
  if (!canLeaveOut) return { group: g, counts: [...g.histogram.counts], accounts: g.accounts, samples: g.samples, leftOut: false };
  return {
    group: g,
    counts: g.histogram.counts.map((c, i) => c - (own[i] ?? 0)),
    accounts: g.accounts - 1,
    samples: Math.max(0, g.samples - k.n),
    leftOut: true,
  };
}

function plural(n: number, one: string): string {
  return `${groupDigits(n)} ${one}${n === 1 ? '' : 's'}`;
}

export function caseView(report: Report, a: AccountReport): CaseView {
  const figures: CaseFigure[] = [];
  const notes: string[] = [];
  const kinds = kindsInOrder(a);

  // Histograms against the peers, one per kind.
  for (const k of kinds) {
    if (k.histogram.counts.reduce((s, c) => s + (c > 0 ? c : 0), 0) === 0) continue;
    const peers = peerHistogram(report, a, k);
    const isHeadline = k.kind === a.headlineKind;
    const markers: HistogramMarker[] = [{ ms: k.floor.valueMs, label: 'floor', role: 'acct' }];
    if (isHeadline && a.peerFloorMs !== null) markers.push({ ms: a.peerFloorMs, label: 'peer floor', role: 'peer' });
    else if (peers) markers.push({ ms: peers.group.floorMedianMs, label: 'peer floor median', role: 'peer' });
    if (!peers) notes.push(`No pooled ${k.kind} histogram of peer group ${a.peerGroup} in this report: the ${k.kind} histogram shows the account alone.`);
    const peersLabel = peers ? `peers in ${peers.group.group} (${plural(peers.accounts, 'account')}, ${groupDigits(peers.samples)} samples)` : '';
    const title = `${k.kind} latency of ${a.account}${peers ? ` against peers in ${peers.group.group}` : ''}`;
    figures.push({
      slug: `histogram-${safeSlug(k.kind)}`,
      caption:
        `${k.kind} latency distribution of ${a.account} (n=${groupDigits(k.n)})` +
        (peers ? ` against ${plural(peers.accounts, 'peer')} in ${peers.group.group} (pooled${peers.leftOut ? ', this account left out' : ''})` : '') +
        '; share of samples per bin, log scale.',
      svg: (opts) =>
        histogramSvg(
          {
            title,
            lowMs: k.histogram.lowMs,
            highMs: k.histogram.highMs,
            account: { label: `${a.account} (n=${groupDigits(k.n)})`, counts: k.histogram.counts },
            peers: peers ? { label: peersLabel, counts: peers.counts } : null,
            markers,
          },
          opts,
        ),
    });
  }

  // Floor over time: the headline kind, and every kind that has change-point evidence.
  const changeEvidence = a.evidence.filter((e) => e.signal === 'change_point');
  const floorKinds = kinds.filter((k) => k.kind === a.headlineKind || changeEvidence.some((e) => e.kind === k.kind));
  if (floorKinds.length === 0 && kinds[0]) floorKinds.push(kinds[0]);
  let marked = 0;
  for (const k of floorKinds) {
    const days = usableDays(k.daily);
    if (days.length < 2) {
      notes.push(`Floor over time (${k.kind}): ${plural(days.length, 'day')} of data, no chart.`);
      continue;
    }
    const changes: { index: number; label: string }[] = [];
    for (const e of changeEvidence.filter((x) => x.kind === k.kind)) {
      const idx = finiteStat(e, 'changeDayIndex');
      if (idx !== null && Number.isInteger(idx) && idx > 0 && idx < k.daily.length) changes.push({ index: idx, label: 'change' });
      else notes.push(`A change-point item (${k.kind}) has no usable changeDayIndex; it is not marked.`);
    }
    marked += changes.length;
    const peers = peerHistogram(report, a, k);
    const reference =
      k.kind === a.headlineKind && a.peerFloorMs !== null
        ? { ms: a.peerFloorMs, label: 'peer floor' }
        : peers
          ? { ms: peers.group.floorMedianMs, label: 'peer floor median' }
          : null;
    figures.push({
      slug: `floor-${safeSlug(k.kind)}`,
      caption:
        `${k.kind} floor per UTC day of ${a.account}, ${days[0]!.day} to ${days[days.length - 1]!.day}` +
        (changes.length ? `, with ${plural(changes.length, 'change point')} marked` : '') + '.',
      svg: (opts) => floorSvg({ title: `Daily ${k.kind} floor of ${a.account}`, days: k.daily, reference, changes }, opts),
    });
  }
  if (marked === 0 && changeEvidence.length === 0) notes.push('No change-point evidence for this account: nothing marked on the floor-over-time chart.');

  // Physical-model ring.
  const ringEvidence = a.evidence.find((e) => finiteStat(e, 'claimedDistanceKm') !== null && finiteStat(e, 'impliedDistanceKmLow') !== null);
  if (ringEvidence) {
    const e = ringEvidence;
    const kindFloor = a.kinds.find((k) => k.kind === e.kind)?.floor.valueMs ?? null;
    const floorMs = e.unit === 'ms' && Number.isFinite(e.observed) ? e.observed : kindFloor;
    const claimedLabel = a.location ?? 'claimed location';
    const claimedKm = finiteStat(e, 'claimedDistanceKm')!;
    const hardBoundMs = finiteStat(e, 'hardBoundMs');
    // The most distance the floor allows: given, else light in fiber over the whole floor (DESIGN section 3).
    const impliedHighKm =
      finiteStat(e, 'impliedDistanceKmHigh') ?? (floorMs !== null && floorMs > 0 ? Math.min(MAX_SURFACE_KM, floorMs * FIBER_KM_PER_MS_RTT) : null);
    const uncertaintyKm = finiteStat(e, 'uncertaintyKm');
    const impliedLowKm = finiteStat(e, 'impliedDistanceKmLow')!;
    const beyondKm = finiteStat(e, 'beyondClaimKm') ?? impliedLowKm - claimedKm - (uncertaintyKm ?? 0);
    figures.push({
      slug: 'ring',
      caption: `Physical model for ${a.account}: distance from the server claimed (${claimedLabel}) against what the ${e.kind} floor implies.`,
      svg: (opts) =>
        ringSvg(
          {
            title: `Claimed against implied distance from the server for ${a.account}`,
            claimedKm,
            claimedUncertaintyKm: uncertaintyKm,
            claimedLabel,
            impliedLowKm,
            beyondKm,
            impliedPointKm: finiteStat(e, 'impliedDistanceKmPoint'),
            impliedHighKm,
            floorMs,
            hardBoundMs,
            expectedLowMs: finiteStat(e, 'expectedLowMs'),
            expectedHighMs: finiteStat(e, 'expectedHighMs'),
          },
          opts,
        ),
    });
  } else {
    notes.push(
      a.location === null
        ? 'No ring chart: the account has no claimed location.'
        : 'No ring chart: no physical-model evidence (claimed and implied distance from the server) for this account.',
    );
  }
  return { account: a, figures, notes };
}
