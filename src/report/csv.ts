// CSV renderer: one row per account, RFC 4180, LF line endings, trailing newline.
// Every cell goes through csvCell (quoting, formula-injection neutralisation,
// control characters shown as `\uXXXX`). Numbers use the JSON rounding rules.

import type { AccountReport, Report } from '../types.js';
import { headlineStats, listedAccounts, roundMsOrNull, roundSig, roundSigOrNull, signedPoints } from './json.js';
import { csvRow, type CsvValue } from './sanitize.js';
import { allowedLabel } from './allowed.js';

/**
 * Columns, in order. Per-kind figures (`floor_ci_*`, `median_ms`, `p95_ms`,
 * `jitter_ms`, `n`) are those of the headline kind; `n` falls back to all the
 * account's samples when it has no headline kind.
 */
export const CSV_COLUMNS = [
  'rank', // integer; empty for insufficient-data accounts
  'account',
  'score', // 0-100, 6 significant digits
  'flagged', // true/false
  'q_value', // Benjamini-Hochberg q, 6 significant digits; empty when none
  'status', // scored | insufficient_data
  'site', // roster site; empty when none
  'peer_group',
  'peer_count',
  'headline_kind',
  'floor_ms', // headline floor (p5), 3 decimals
  'floor_ci_low_ms', // order-statistic CI of the floor; empty when one-sided
  'floor_ci_high_ms',
  'peer_floor_ms',
  'median_ms',
  'p95_ms',
  'jitter_ms',
  'n',
  'kinds', // kind:n;kind:n for every kind the account has
  'strongest_evidence', // the strongest evidence sentence
  'evidence_points', // signal:+points;signal:-points (one decimal)
  'allowed', // known exception (--allow): "allowed: reason (owner, until ...)" or the expired form; empty when none
] as const;

export type CsvColumn = (typeof CSV_COLUMNS)[number];

export interface CsvRenderOptions {
  /** Limit the ranked accounts listed; null for all. */
  top?: number | null;
}

function accountRow(a: AccountReport): Record<CsvColumn, CsvValue> {
  const hs = headlineStats(a);
  return {
    rank: a.rank,
    account: a.account,
    score: roundSig(a.score),
    flagged: a.flagged,
    q_value: roundSigOrNull(a.qValue),
    status: a.status,
    site: a.site,
    peer_group: a.peerGroup,
    peer_count: a.peerCount,
    headline_kind: a.headlineKind,
    floor_ms: roundMsOrNull(a.floorMs),
    floor_ci_low_ms: hs ? roundMsOrNull(hs.floorInterval.lowerMs) : null,
    floor_ci_high_ms: hs ? roundMsOrNull(hs.floorInterval.upperMs) : null,
    peer_floor_ms: roundMsOrNull(a.peerFloorMs),
    median_ms: hs ? roundMsOrNull(hs.medianMs) : null,
    p95_ms: hs ? roundMsOrNull(hs.p95Ms) : null,
    jitter_ms: hs ? roundMsOrNull(hs.jitterMs) : null,
    n: hs ? hs.n : a.samples,
    kinds: a.kinds.map((k) => `${k.kind}:${k.n}`).join(';'),
    strongest_evidence: a.strongest,
    evidence_points: a.evidence.map((e) => `${e.signal}:${signedPoints(e.points)}`).join(';'),
    allowed: a.allowed ? allowedLabel(a.allowed) : null,
  };
}

/** Header row, then ranked accounts (cut to `top`), then insufficient-data accounts. */
export function renderCsv(report: Report, opts: CsvRenderOptions = {}): string {
  const lines = [csvRow(CSV_COLUMNS)];
  for (const a of listedAccounts(report, opts.top ?? null)) {
    const row = accountRow(a);
    lines.push(csvRow(CSV_COLUMNS.map((c) => row[c])));
  }
  return lines.join('\n') + '\n';
}
