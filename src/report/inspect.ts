// `keylag inspect`: everything about one account, as terminal text or canonical JSON. Pure:
// (report, account, floor rows) -> string. Every string from the inputs goes through terminalSafe
// (text) or escapeJsonText (JSON).
import { distance } from 'fastest-levenshtein';
import type { AccountReport, Evidence, KindStats, Report } from '../types.js';
import { usageError } from '../errors.js';
import { normaliseAccount } from '../ingest/accounts.js';
import type { FloorRowsLookup } from '../analyze/rows.js';
import {
  canonicalAccount, canonicalHeader, canonicalPeerGroup, fixed, roundMs, roundSig, signedPoints,
} from './json.js';
import { escapeJsonText, terminalSafe } from './sanitize.js';
import { displayWidth, formatQ, groupDigits, wrapText } from './table.js';
import { renderAccountChart } from './terminal-chart.js';
import { allowedLabel, allowHeaderLine } from './allowed.js';

/** Evidence signals that date or describe a change of floor within the window (issue 6, scope 3). */
export const CHANGE_SIGNALS: readonly string[] = ['change_point', 'intermittent_floor'];

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The report's account for a name as typed (normalised as the scan does). An unknown name is a
 * usage error (exit 2) that lists the nearest account names, so a typo costs one more try.
 */
export function selectAccount(report: Report, name: string, excluded?: (key: string) => boolean): AccountReport {
  const key = normaliseAccount(name);
  const found = report.accounts.find((a) => a.account === key) ?? report.accounts.find((a) => a.account === name);
  if (found) return found;
  if (key !== '' && excluded?.(key)) throw usageError(`account '${name}' is excluded by --exclude: nothing to inspect`);
  const names = report.accounts.map((a) => a.account);
  const near = names
    .map((n) => ({ n, d: n.includes(key) || (key !== '' && key.includes(n)) ? 0 : distance(key, n) }))
    .filter((x) => x.d <= Math.max(2, Math.floor(key.length / 3)))
    .sort((a, b) => a.d - b.d || compare(a.n, b.n))
    .slice(0, 5)
    .map((x) => x.n);
  const asKey = key !== name ? ` (normalised: '${key}')` : '';
  throw usageError(`no account '${name}'${asKey} in the inputs (${names.length} accounts)`
    + (near.length > 0 ? `; nearest: ${near.join(', ')}` : ''));
}

/**
 * The report as inspect renders it (header, summary, peer groups, the one account): the other
 * accounts' reports (10,000 accounts: most of the heap) need not live on through the second pass.
 */
export function inspectedOnly(report: Report, account: AccountReport): Report {
  return { ...report, accounts: [account] };
}

export interface InspectOptions {
  width?: number;
  color?: boolean;
}

function pad(s: string, w: number, right = false): string {
  const fill = ' '.repeat(Math.max(0, w - displayWidth(s)));
  return right ? fill + s : s + fill;
}

/** Rows of cells as aligned text columns (numbers right-aligned), two spaces apart. */
function columns(head: string[], rows: string[][], rightAligned: ReadonlySet<number>): string[] {
  const widths = head.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))));
  const line = (cells: string[]) => cells.map((c, i) => pad(c, widths[i]!, rightAligned.has(i))).join('  ').trimEnd();
  return [line(head), ...rows.map(line)];
}

function ms(x: number | null): string {
  return x === null ? '-' : fixed(x, 1);
}

function pValueText(p: number | null): string {
  if (p === null) return '-';
  if (p === 0) return '0';
  return p < 0.001 ? p.toExponential(1) : fixed(p, 3);
}

function hanging(lead: string, text: string, width: number, indent: number): string[] {
  const lines = wrapText(text, Math.max(20, width - indent), Math.max(20, width - displayWidth(lead)));
  return lines.map((l, i) => (i === 0 ? lead : ' '.repeat(indent)) + l);
}

function distributionTable(kinds: KindStats[]): string[] {
  const head = ['kind', 'n', 'floor', '95% interval', 'conf', 'p25', 'median', 'p75', 'p95', 'p99', 'max', 'jitter', 'precision'];
  const rows = kinds.map((k) => {
    const i = k.floorInterval;
    return [
      terminalSafe(k.kind), groupDigits(k.n), ms(k.floor.valueMs),
      `${i.lowerMs === null ? '-' : fixed(i.lowerMs, 1)} .. ${fixed(i.upperMs, 1)}${i.sided === 'upper-only' ? ' (upper only)' : ''}`,
      `${fixed(i.confidence * 100, 1)}%`,
      ms(k.p25Ms), ms(k.medianMs), ms(k.p75Ms), ms(k.p95Ms), ms(k.p99Ms), ms(k.maxMs), ms(k.jitterMs),
      k.precision.mode === 'exact' ? 'exact' : `sketch ±${fixed(k.precision.relativeError * 100, 1)}%`,
    ];
  });
  return columns(head, rows, new Set([1, 2, 4, 5, 6, 7, 8, 9, 10, 11]));
}

function dailyTable(k: KindStats): string[] {
  if (k.daily.length === 0) return ['  no days'];
  const rows = k.daily.map((d) => [d.day, groupDigits(d.n), fixed(d.floorMs, 1), String(d.rank)]);
  return columns(['day (UTC)', 'n', 'floor ms', 'rank'], rows, new Set([1, 2, 3])).map((l) => '  ' + l);
}

function evidenceLines(e: Evidence, width: number): string[] {
  const out = hanging(`  ${signedPoints(e.points).padStart(6)}  ${terminalSafe(e.signal)} (${terminalSafe(e.kind)}): `, terminalSafe(e.sentence), width, 10);
  const unit = e.unit === 'ms' ? ' ms' : ` ${terminalSafe(e.unit)}`;
  const num = (x: number) => (e.unit === 'ms' ? fixed(x, 1) : String(roundSig(x)));
  // Effects and intervals may be in another unit than the observation (Cliff's delta beside ms): 3 decimals.
  const fine = (x: number) => String(roundMs(x));
  const interval = e.interval === null ? '-' : `${e.interval[0] === null ? '-' : fine(e.interval[0])} .. ${e.interval[1] === null ? '-' : fine(e.interval[1])}`;
  const figures = `observed ${num(e.observed)}${unit}, baseline ${num(e.baseline)}${unit}, ${terminalSafe(e.effectName)} ${fine(e.effect)}, interval ${interval}, p ${pValueText(e.pValue)}`;
  out.push(...hanging('          ', figures, width, 10));
  const stats = Object.entries(e.stats).map(([k, v]) => `${terminalSafe(k)} ${v === null ? '-' : String(roundSig(v))}`).join(', ');
  if (stats) out.push(...hanging('          stats: ', stats, width, 17));
  return out;
}

const ROLE_LABEL = { lower: 'interval low', floor: 'floor', upper: 'interval high' } as const;

function rowsBlock(lookup: FloorRowsLookup, a: AccountReport, width: number): string[] {
  const out: string[] = [];
  if (lookup.status === 'unavailable') {
    out.push(...hanging('  ', `unavailable: ${terminalSafe(lookup.reason ?? '')}`, width, 2));
    // The scan's own references still say where the rows were, when it kept the values exactly.
    for (const k of a.kinds) {
      const refs = [k.floorInterval.lowerSource, k.floor.source, k.floorInterval.upperSource].filter((s) => s !== undefined);
      if (refs.length) out.push(`  ${terminalSafe(k.kind)}: rows (text not readable) ${refs.map((s) => terminalSafe(`${s.file}:${s.line}`)).join(', ')}`);
    }
    return out;
  }
  if (lookup.kinds.length === 0) return ['  no samples'];
  for (const k of lookup.kinds) {
    out.push(`  ${terminalSafe(k.kind)} (n=${groupDigits(k.n)}; floor = rank ${k.rows.find((r) => r.role === 'floor')?.rank ?? '-'} of ${groupDigits(k.n)}, `
      + `${fixed(k.confidence * 100, 1)}% interval${k.sided === 'upper-only' ? ', upper bound only: too few samples for a lower one' : ''})`);
    const scanned = a.kinds.find((s) => s.kind === k.kind);
    if (scanned && scanned.precision.mode === 'sketch') {
      out.push(...hanging('    ', `(the scan kept this distribution as a sketch: its floor ${fixed(scanned.floor.valueMs, 3)} ms is within ${fixed(scanned.precision.relativeError * 100, 1)}% of the exact one; the rows below are exact)`, width, 5));
    }
    for (const r of k.rows) {
      out.push(`    ${pad(ROLE_LABEL[r.role], 13)} rank ${pad(String(r.rank), 5, true)}  ${pad(fixed(r.valueMs, 3), 9, true)} ms  ${terminalSafe(`${r.source.file}:${r.source.line}`)}`);
      // One line, never wrapped: the row is evidence, to be compared character for character with the file.
      if (r.text !== null) out.push(`      | ${terminalSafe(r.text)}`);
      if (r.textNote !== null) out.push(`      (${terminalSafe(r.textNote)})`);
    }
  }
  return out;
}

/** The terminal text of `keylag inspect`. */
export function renderInspectText(report: Report, a: AccountReport, lookup: FloorRowsLookup, opts: InspectOptions = {}): string {
  const width = Math.max(60, Math.floor(opts.width ?? 100));
  const h = report.header;
  const out: string[] = [];
  out.push(`${terminalSafe(h.tool)} ${terminalSafe(h.version)} inspect ${terminalSafe(a.account)}  (schema ${terminalSafe(h.schemaVersion)})`);
  for (const f of h.inputs) {
    out.push(...hanging('Input: ', `${terminalSafe(f.path)} (${f.status}; ${terminalSafe(f.format ?? '-')}; sha256 ${f.sha256 ?? '-'}; ${groupDigits(f.records)} records, ${groupDigits(f.samples)} samples)`, width, 7));
  }
  if (h.roster) out.push(...hanging('Roster: ', `${terminalSafe(h.roster.path)} (sha256 ${h.roster.sha256 ?? '-'}; ${groupDigits(h.roster.records)} entries)`, width, 8));
  const reasons = h.rejections.map((r) => `${terminalSafe(r.reason)} ${groupDigits(r.count)}`).join(', ');
  out.push(...hanging('', `Samples used ${groupDigits(h.samplesUsed)} of ${groupDigits(h.samplesEmitted)} emitted; rejected ${groupDigits(h.rejectionsTotal)}${reasons ? ` (${reasons})` : ''}; excluded ${groupDigits(h.excluded.count)}; time window ${terminalSafe(h.timeWindow.since ?? '(start)')} .. ${terminalSafe(h.timeWindow.until ?? '(end)')}`, width, 4));
  const allowLine = allowHeaderLine(h);
  if (allowLine !== null) out.push(...hanging('', terminalSafe(allowLine), width, 4));
  for (const w of h.warnings) out.push(...hanging('  ! ', terminalSafe(w), width, 4));
  out.push('');

  // Who, and where it stands.
  const scored = report.summary.scored;
  out.push(`Account ${terminalSafe(a.account)}`);
  const standing = a.status === 'scored'
    ? `rank ${a.rank ?? '-'} of ${groupDigits(scored)} scored; score ${fixed(a.score, 1)}${a.flagged ? ' FLAGGED' : ''} (flag at ${fixed(report.summary.flagThreshold, 0)}); q ${formatQ(a.qValue)}; p ${pValueText(a.pValue)}`
    : `not ranked: ${terminalSafe(a.strongest)}`;
  out.push(...hanging('  ', standing, width, 4));
  if (a.allowed) out.push(...hanging('  ', `${terminalSafe(allowedLabel(a.allowed))} [${terminalSafe(`${a.allowed.entrySource.file}:${a.allowed.entrySource.line}`)}, ${a.allowed.matchedBy} ${terminalSafe(a.allowed.match)}]`, width, 4));
  out.push(...hanging('  ', `site ${terminalSafe(a.site ?? '-')}${a.inRoster ? '' : ' (not in the roster)'}; compared with ${terminalSafe(a.peerGroup)} (${groupDigits(a.peerCount)} peers); claimed location ${terminalSafe(a.location ?? '-')}; time zone ${terminalSafe(a.timeZone ?? '-')}`, width, 4));
  out.push(...hanging('  ', `names seen: ${a.aliases.map(terminalSafe).join(', ')}; ${groupDigits(a.samples)} samples`, width, 4));
  if (a.headlineKind !== null) out.push(`  headline: ${terminalSafe(a.headlineKind)} floor ${ms(a.floorMs)} ms vs peer floor ${ms(a.peerFloorMs)} ms`);
  out.push(...hanging('  coverage: ', `${a.coverage.kinds.map(terminalSafe).join(', ') || 'none'}. Rules out: ${terminalSafe(a.coverage.rulesOut)}. Cannot rule out: ${terminalSafe(a.coverage.cannotRuleOut)}.`, width, 12));
  out.push('');

  out.push('Distribution per kind (ms; floor = p5, an actual observation)');
  out.push(...distributionTable(a.kinds).map((l) => '  ' + l));
  out.push('');

  for (const k of a.kinds) {
    out.push(...renderAccountChart(report, a, { width, color: opts.color ?? false, kind: k.kind }).trimEnd().split('\n'));
    out.push('');
  }

  for (const k of a.kinds) {
    out.push(`Daily ${terminalSafe(k.kind)} floor (${k.daily.length} days)`);
    out.push(...dailyTable(k));
    out.push('');
  }

  const changes = a.evidence.filter((e) => CHANGE_SIGNALS.includes(e.signal));
  out.push(`Change points (${changes.length})`);
  if (changes.length === 0) out.push(`  none reported (signals: ${CHANGE_SIGNALS.join(', ')})`);
  for (const e of changes) out.push(...hanging(`  ${terminalSafe(e.signal)} (${terminalSafe(e.kind)}): `, terminalSafe(e.sentence), width, 4));
  out.push('');

  const total = a.evidence.reduce((s, e) => s + e.points, 0);
  out.push(`Evidence (${a.evidence.length} item${a.evidence.length === 1 ? '' : 's'}, ${signedPoints(total)} points listed; score ${fixed(a.score, 1)})`);
  if (a.evidence.length === 0) out.push('  no evidence items');
  for (const e of a.evidence) out.push(...evidenceLines(e, width));
  out.push('');

  out.push('Input rows that set the floor (second pass over the inputs, this account only, every value kept exactly)');
  out.push(...rowsBlock(lookup, a, width));
  return out.map((l) => l.trimEnd()).join('\n') + '\n';
}

/** Canonical JSON of `keylag inspect --format json`: the run header, the account, its peer groups, the floor rows. */
export function renderInspectJson(report: Report, a: AccountReport, lookup: FloorRowsLookup): string {
  const kinds = new Set(a.kinds.map((k) => k.kind));
  const peerGroups = report.peerGroups
    .filter((g) => kinds.has(g.kind) && g.group === a.peerGroup)
    .map(canonicalPeerGroup);
  const value = {
    header: canonicalHeader(report.header),
    account: canonicalAccount(a),
    peerGroups,
    changePoints: a.evidence.filter((e) => CHANGE_SIGNALS.includes(e.signal)).map((e) => ({ signal: e.signal, kind: e.kind, sentence: e.sentence })),
    floorRows: {
      status: lookup.status,
      reason: lookup.reason,
      kinds: lookup.kinds.map((k) => ({
        kind: k.kind,
        n: k.n,
        confidence: roundSig(k.confidence),
        sided: k.sided,
        rows: k.rows.map((r) => ({
          role: r.role, rank: r.rank, valueMs: roundMs(r.valueMs), source: { file: r.source.file, line: r.source.line }, text: r.text, textNote: r.textNote,
        })),
      })),
    },
    summary: { accounts: report.summary.accounts, scored: report.summary.scored, flagThreshold: roundSig(report.summary.flagThreshold) },
  };
  return escapeJsonText(JSON.stringify(value, null, 2)) + '\n';
}
