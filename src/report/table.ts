// Terminal renderer: header block, ranked table, insufficient-data accounts,
// evidence of flagged accounts, summary line. Pure: Report -> string.
// Every string that comes from the report goes through terminalSafe; colour comes
// only from our own chalk instance (level 1 when opts.color, else none), and
// cli-table3's own colouring is switched off, so color=false output contains no
// escape sequence at all and is the same bytes on every machine.

import { Chalk, type ChalkInstance } from 'chalk';
import { drawTablePieces } from './table-draw.js';
import type { AccountReport, InputFileInfo, KindStats, Report } from '../types.js';
import { fixed, headlineStats, selectAccounts, signedPoints } from './json.js';
import { terminalSafe } from './sanitize.js';
import { allowedLabel, allowHeaderLine, strongestWithAllowed } from './allowed.js';

export interface TableRenderOptions {
  color: boolean;
  /** Limit the ranked accounts listed; null for all. Counts in header and summary are unaffected. */
  top: number | null;
  /** Terminal width in columns; DEFAULT_WIDTH when not given (e.g. not a TTY). */
  width?: number;
}

export const DEFAULT_WIDTH = 120;
const MIN_WIDTH = 60;
/** Score from which a not-flagged account is shown in yellow. */
export const WATCH_SCORE = 50;
/** Most characters a sparkline takes; more bins are summed in equal groups. */
export const SPARK_CHARS = 12;
const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
/** Longest list of names printed in the header (the JSON has all). */
const MAX_NAMES = 10;

// ---------------------------------------------------------------- text helpers

function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

function isZeroWidth(cp: number): boolean {
  return (cp >= 0x0300 && cp <= 0x036f) || cp === 0x200c || cp === 0x200d || (cp >= 0xfe00 && cp <= 0xfe0f);
}

/**
 * Columns a string takes on a terminal, approximately (East Asian wide = 2,
 * combining marks 0). Our own SGR colour sequences count 0; untrusted text never
 * holds a raw ESC (it went through terminalSafe).
 */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s.replace(/\u001b\[[0-9;]*m/g, '')) {
    const cp = ch.codePointAt(0) ?? 0;
    w += isZeroWidth(cp) ? 0 : isWide(cp) ? 2 : 1;
  }
  return w;
}

/** Split a word that is wider than `width` into pieces that fit. */
function hardSplit(word: string, width: number): string[] {
  const out: string[] = [];
  let cur = '';
  let w = 0;
  for (const ch of word) {
    const cw = displayWidth(ch);
    if (w + cw > width && cur !== '') {
      out.push(cur);
      cur = '';
      w = 0;
    }
    cur += ch;
    w += cw;
  }
  if (cur !== '') out.push(cur);
  return out;
}

/**
 * Greedy word wrap of a single-line string: the first line gets `firstWidth`
 * columns, later lines `width`. Runs of spaces inside a line are kept, spaces at a
 * break are dropped, words wider than a line are split.
 */
export function wrapText(text: string, width: number, firstWidth: number = width): string[] {
  const lines: string[] = [];
  let line = '';
  let lineW = 0;
  let limit = Math.max(1, firstWidth);
  const newLine = (): void => {
    lines.push(line);
    line = '';
    lineW = 0;
    limit = Math.max(1, width);
  };
  const tokens = text.split(/( +)/);
  for (let i = 0; i < tokens.length; i += 2) {
    const word = tokens[i] ?? '';
    const gap = i > 0 ? (tokens[i - 1] ?? '') : '';
    if (word === '') {
      if (lineW > 0 && gap !== '' && i === tokens.length - 1) break; // trailing spaces
      continue;
    }
    const ww = displayWidth(word);
    if (lineW > 0 && lineW + gap.length + ww <= limit) {
      line += gap + word;
      lineW += gap.length + ww;
      continue;
    }
    if (lineW > 0) newLine();
    if (ww <= limit) {
      line = word;
      lineW = ww;
      continue;
    }
    // Too wide for a whole line: split it, filling the current line first.
    let rest = word;
    while (displayWidth(rest) > limit) {
      const [head] = hardSplit(rest, limit);
      line = head ?? '';
      rest = rest.slice(line.length);
      newLine();
    }
    line = rest;
    lineW = displayWidth(rest);
  }
  if (lineW > 0 || lines.length === 0) lines.push(line);
  return lines;
}

/** `prefix` then `text` wrapped to `width`; continuation lines are indented by `indent` spaces. */
function hanging(prefix: string, text: string, width: number, indent: number): string[] {
  const pw = displayWidth(prefix);
  const lines = wrapText(text, width - indent, width - pw);
  return lines.map((l, i) => (i === 0 ? prefix + l : ' '.repeat(indent) + l));
}

/** Locale-independent thousands grouping: 12,345. */
export function groupDigits(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const neg = n < 0;
  const [int, frac] = Math.abs(n).toString().split('.');
  const grouped = (int ?? '0').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return (neg ? '-' : '') + grouped + (frac !== undefined ? '.' + frac : '');
}

function plural(n: number, one: string, many = one + 's'): string {
  return `${groupDigits(n)} ${n === 1 ? one : many}`;
}

function ms(x: number | null): string {
  return x === null ? '-' : fixed(x, 1);
}

/** q-value for display: `<0.001`, else 3 decimals; `-` when none. */
export function formatQ(q: number | null): string {
  if (q === null) return '-';
  if (q < 0.001) return '<0.001';
  return fixed(q, 3);
}

/**
 * Tiny histogram from bin counts with the block characters ▁▂▃▄▅▆▇█ (height
 * proportional to the count, rounded up; an empty bin is a space). More than
 * `maxChars` bins are summed in equal consecutive groups first.
 */
export function sparkline(counts: readonly number[], maxChars = SPARK_CHARS): string {
  if (counts.length === 0) return '';
  const group = Math.max(1, Math.ceil(counts.length / Math.max(1, maxChars)));
  const merged: number[] = [];
  for (let i = 0; i < counts.length; i += group) {
    let s = 0;
    for (const c of counts.slice(i, i + group)) s += Number.isFinite(c) && c > 0 ? c : 0;
    merged.push(s);
  }
  const max = Math.max(...merged);
  if (max <= 0) return '';
  return merged.map((c) => (c <= 0 ? ' ' : BLOCKS[Math.min(7, Math.max(0, Math.ceil((c / max) * 8) - 1))])).join('');
}

function shortSha(sha: string | null): string {
  if (sha === null) return 'sha256 -';
  const safe = terminalSafe(sha);
  return `sha256 ${safe.length > 16 ? safe.slice(0, 16) + '…' : safe}`;
}

function nameList(names: readonly string[]): string {
  const shown = names.slice(0, MAX_NAMES).map(terminalSafe).join(', ');
  return names.length > MAX_NAMES ? `${shown}, ... (${groupDigits(names.length - MAX_NAMES)} more)` : shown;
}

// ---------------------------------------------------------------- sections

interface Ctx {
  c: ChalkInstance;
  width: number;
}

function inputLines(ctx: Ctx, f: InputFileInfo, label: string): string[] {
  const { c, width } = ctx;
  const path = terminalSafe(f.path);
  let text: string;
  if (f.status === 'skipped') {
    text = `${path}  ${c.red('SKIPPED')}${f.error !== undefined ? ': ' + terminalSafe(f.error) : ''}`;
  } else {
    const parts = [
      `format ${f.format === null ? 'unknown' : terminalSafe(f.format)}`,
      `time ${f.timeFormat === null ? 'n/a' : terminalSafe(f.timeFormat)}`,
      shortSha(f.sha256),
      plural(f.records, 'record'),
      plural(f.samples, 'sample'),
    ];
    text = `${path}  ${parts.join(', ')}`;
  }
  const out = hanging(label, text, width, 4);
  for (const note of f.notes) out.push(...hanging('    note: ', terminalSafe(note), width, 10).map((l) => c.dim(l)));
  return out;
}

function headerBlock(ctx: Ctx, report: Report): string[] {
  const { c, width } = ctx;
  const h = report.header;
  const out: string[] = [];
  out.push(c.bold(`${terminalSafe(h.tool)} ${terminalSafe(h.version)}`) + `  latency forensics report (schema ${terminalSafe(h.schemaVersion)})`);
  if (h.arguments.length > 0) out.push(...hanging('Arguments: ', h.arguments.map(terminalSafe).join(' '), width, 11));
  if (h.caseId !== null || h.analyst !== null) {
    out.push(`Case: ${terminalSafe(h.caseId ?? '-')}  Analyst: ${terminalSafe(h.analyst ?? '-')}`);
  }
  out.push(c.bold(`Inputs (${h.inputs.length})`));
  for (const f of h.inputs) out.push(...inputLines(ctx, f, '  '));
  if (h.roster !== null) out.push(...inputLines(ctx, h.roster, 'Roster: '));
  out.push(
    `Rows read: ${groupDigits(h.recordsRead)}; samples emitted ${groupDigits(h.samplesEmitted)}, used ${groupDigits(h.samplesUsed)}`,
  );
  const reasons = h.rejections.map((r) => `${terminalSafe(r.reason)} ${groupDigits(r.count)}`).join(', ');
  out.push(...hanging('Rejected: ', `${groupDigits(h.rejectionsTotal)}${reasons ? ' (' + reasons + ')' : ''}`, width, 10));
  const patterns = h.excluded.patterns.map(terminalSafe).join(', ');
  out.push(...hanging('Excluded: ', `${plural(h.excluded.count, 'sample')}${patterns ? ' (patterns: ' + patterns + ')' : ''}`, width, 10));
  const tw = h.timeWindow;
  const window =
    tw.since === null && tw.until === null
      ? 'all times'
      : `${tw.since === null ? '(start)' : terminalSafe(tw.since)} .. ${tw.until === null ? '(end)' : terminalSafe(tw.until)}`;
  out.push(`Time window: ${window}; ${groupDigits(tw.outsideWindow)} outside`);
  if (h.baseline) {
    const b = h.baseline;
    out.push(...hanging('Baseline: ', `${terminalSafe(b.path)} (sha256 ${b.sha256.slice(0, 16)}, ${plural(b.accounts, 'account')}, `
      + `${b.period ? `${terminalSafe(b.period.first.slice(0, 10))}..${terminalSafe(b.period.last.slice(0, 10))}` : 'empty'}); ${plural(b.newAccounts, 'scored account')} with no history`, width, 10));
  }
  if (h.roster !== null || h.rosterUnmatched.length > 0) {
    out.push(...hanging(`Roster entries with no data (${groupDigits(h.rosterUnmatched.length)}): `, nameList(h.rosterUnmatched) || 'none', width, 4));
  }
  if (h.roster !== null || h.accountsNotInRoster.length > 0) {
    out.push(...hanging(`Data accounts not in roster (${groupDigits(h.accountsNotInRoster.length)}): `, nameList(h.accountsNotInRoster) || 'none', width, 4));
  }
  const allowLine = allowHeaderLine(h);
  if (allowLine !== null) out.push(...hanging('', terminalSafe(allowLine), width, 4));
  if (h.warnings.length > 0) {
    out.push(c.yellow(c.bold(`Warnings (${h.warnings.length})`)));
    for (const w of h.warnings) out.push(...hanging('  ! ', terminalSafe(w), width, 4).map((l) => c.yellow(l)));
  }
  return out;
}

function scoreCell(c: ChalkInstance, a: AccountReport): string {
  const text = fixed(a.score, 1) + (a.flagged ? ' FLAGGED' : '');
  if (a.flagged) return c.red(c.bold(text));
  if (a.score >= WATCH_SCORE) return c.yellow(text);
  return text;
}

function histCell(a: AccountReport): string {
  const k: KindStats | undefined = headlineStats(a);
  return k ? sparkline(k.histogram.counts) : '';
}

/** Claimed location cell: the resolved label, cut to stay small. */
const CLAIM_CHARS = 16;

function physicsCells(a: AccountReport): string[] {
  const p = a.physics;
  if (p === null || p.claimed === null) return ['-', '-', '-'];
  const label = terminalSafe(p.claimed.label);
  const claimed = label.length > CLAIM_CHARS ? `${label.slice(0, CLAIM_CHARS - 1)}…` : label;
  const dist = p.distanceKm === null ? '-' : groupDigits(Math.round(p.distanceKm));
  const implied = p.verdict === 'impossible' ? 'impossible'
    : p.verdict === 'beyond' && p.impliedDistanceKmLow !== null ? `>=${groupDigits(Math.round(p.impliedDistanceKmLow))}`
      : p.verdict === 'fits' ? 'fits' : '-';
  return [claimed, dist, implied];
}

/**
 * The ranked table. Wide layout (enough width for a readable evidence column):
 * one row per account with the strongest evidence as the last column. Narrow
 * layout: the numeric columns on one row and the strongest evidence on a second
 * row spanning them. With a physical model (--server-location), the histogram
 * gives way to three columns: claimed location, its distance from the server,
 * and the distance the floor implies (at least; or `impossible`, or `fits`).
 */
function rankedTable(ctx: Ctx, ranked: AccountReport[], physics = false): Iterable<string> {
  const { c, width } = ctx;
  // With physics the histogram gives way to the location columns (the table must fit 120 columns).
  const head = ['#', 'account', 'score', 'q', 'floor ms', 'peer ms', ...(physics ? ['claimed', 'dist km', 'implied km'] : ['hist']), 'strongest evidence'];
  const last = head.length - 1;
  const rightAligned = new Set(physics ? [0, 2, 3, 4, 5, 7, 8] : [0, 2, 3, 4, 5]);
  const rows = ranked.map((a) => ({
    a,
    cells: [
      a.rank === null ? '-' : String(a.rank),
      terminalSafe(a.account),
      fixed(a.score, 1) + (a.flagged ? ' FLAGGED' : ''),
      formatQ(a.qValue),
      a.floorMs === null ? '-' : `${ms(a.floorMs)}${a.headlineKind !== null ? ' ' + terminalSafe(a.headlineKind) : ''}`,
      ms(a.peerFloorMs),
      ...(physics ? physicsCells(a) : [histCell(a)]),
      terminalSafe(strongestWithAllowed(a)),
    ],
  }));
  // Widths include one space of padding on each side.
  const natural = head.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r.cells[i] ?? ''))) + 2);
  const fixedCols = head.map((_, i) => i).filter((i) => i !== 1 && i !== last);
  const fixedSum = fixedCols.reduce((sum, i) => sum + (natural[i] ?? 0), 0);
  const MIN_ACCOUNT = 12;
  const MIN_EVIDENCE = 32;
  const wideAvail = width - fixedSum - (head.length + 1);
  const wide = wideAvail >= MIN_ACCOUNT + MIN_EVIDENCE;
  // The physics columns are extra: on a terminal too narrow for them, the table is drawn without them.
  if (physics && !wide && fixedSum + MIN_ACCOUNT + head.length > width) return rankedTable(ctx, ranked, false);
  const style = { head: [], border: [], 'padding-left': 1, 'padding-right': 1 };
  const numeric = (a: AccountReport, cells: string[], accountW: number) => cells.slice(0, last).map((cell, i) =>
    i === 1 ? wrapText(cell, accountW - 2).join('\n')
      : i === 2 ? { content: scoreCell(c, a), hAlign: 'right' as const }
        : rightAligned.has(i) ? { content: cell, hAlign: 'right' as const } : cell);

  if (wide) {
    const accountW = Math.min(natural[1] ?? MIN_ACCOUNT, Math.max(MIN_ACCOUNT, Math.floor(wideAvail * 0.35)));
    const evidenceW = Math.min(natural[last] ?? MIN_EVIDENCE, wideAvail - accountW);
    const colWidths = natural.map((w, i) => (i === 1 ? accountW : i === last ? evidenceW : w));
    const options = { head: head.map((h) => c.bold(h)), colWidths, wordWrap: false, style };
    return drawTablePieces(options, rows.map(({ a, cells }) => [[...numeric(a, cells, accountW), wrapText(cells[last] ?? '', evidenceW - 2).join('\n')]]));
  }

  const narrowHead = head.slice(0, last);
  const narrowAvail = width - fixedSum - (narrowHead.length + 1);
  const accountW = Math.max(MIN_ACCOUNT, Math.min(natural[1] ?? 0, narrowAvail));
  const colWidths = natural.slice(0, last).map((w, i) => (i === 1 ? accountW : w));
  // A cell spanning columns 1..last-1 is as wide as they are, plus the borders between them.
  const span = last - 1;
  const spanW = colWidths.slice(1).reduce((sum, w) => sum + w, 0) + (span - 1);
  const options = { head: narrowHead.map((h) => c.bold(h)), colWidths, wordWrap: false, style };
  return drawTablePieces(options, [
    [['', { content: c.bold('> strongest evidence'), colSpan: span }]],
    ...rows.map(({ a, cells }) => [numeric(a, cells, accountW), ['', { content: wrapText('> ' + (cells[last] ?? ''), spanW - 2).join('\n'), colSpan: span }]]),
  ]);
}

function insufficientBlock(ctx: Ctx, accounts: AccountReport[]): string[] {
  const { c, width } = ctx;
  const out = [c.bold(`Insufficient data (${plural(accounts.length, 'account')}, not ranked)`)];
  for (const a of accounts) {
    const kinds = a.kinds.map((k) => `${terminalSafe(k.kind)} ${groupDigits(k.n)}`).join(', ');
    const text = `${terminalSafe(a.account)}: ${plural(a.samples, 'sample')}${kinds ? ' (' + kinds + ')' : ''}. ${terminalSafe(strongestWithAllowed(a))}`;
    out.push(...hanging('  ', text, width, 4));
  }
  return out;
}

function evidenceBlock(ctx: Ctx, a: AccountReport): string[] {
  const { c, width } = ctx;
  const out: string[] = [];
  const peers = `${terminalSafe(a.peerGroup)} (${groupDigits(a.peerCount)} peers)`;
  const title = [
    c.bold(terminalSafe(a.account)),
    `rank ${a.rank ?? '-'}`,
    c.red(c.bold(`score ${fixed(a.score, 1)} FLAGGED`)),
    `q ${formatQ(a.qValue)}`,
    `site ${a.site === null ? '-' : terminalSafe(a.site)}`,
    `compared with ${peers}`,
  ].join('  ');
  out.push(...hanging('', title, width, 2));
  if (a.allowed) out.push(...hanging('  ', terminalSafe(allowedLabel(a.allowed)), width, 4).map((l) => (a.allowed!.expired ? c.red(l) : c.yellow(l))));
  for (const e of a.evidence) {
    const lead = `  ${signedPoints(e.points).padStart(6)}  ${terminalSafe(e.signal)} (${terminalSafe(e.kind)}): `;
    out.push(...hanging(lead, terminalSafe(e.sentence), width, 10));
  }
  if (a.evidence.length === 0) out.push('  (no evidence items)');
  const cov = `${a.coverage.kinds.length ? a.coverage.kinds.map(terminalSafe).join(', ') : 'none'}. Rules out: ${terminalSafe(a.coverage.rulesOut)}. Cannot rule out: ${terminalSafe(a.coverage.cannotRuleOut)}.`;
  out.push(...hanging('  coverage: ', cov, width, 12).map((l) => c.dim(l)));
  return out;
}

// ---------------------------------------------------------------- renderer

export function renderTable(report: Report, opts: TableRenderOptions): string {
  return [...renderTablePieces(report, opts)].join('');
}

/**
 * The text of `renderTable` in pieces: the ranked table comes a part at a time (drawTablePieces),
 * so the table of a 10,000-account report is written as it is drawn.
 */
export function* renderTablePieces(report: Report, opts: TableRenderOptions): Generator<string> {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const width = Math.max(MIN_WIDTH, Math.floor(opts.width ?? DEFAULT_WIDTH));
  const ctx: Ctx = { c, width };
  const sel = selectAccounts(report, opts.top);
  const s = report.summary;
  let out: string[] = [];

  out.push(...headerBlock(ctx, report));
  out.push('');

  const shown =
    sel.ranked.length < sel.rankedTotal
      ? `top ${groupDigits(sel.ranked.length)} of ${groupDigits(sel.rankedTotal)}`
      : `${groupDigits(sel.rankedTotal)}`;
  out.push(c.bold(`Ranked accounts (${shown})`));
  if (sel.rankedTotal === 0) out.push('  No account had enough data to be scored.');
  // The lines so far, then the table as it is drawn; `out` then holds the lines after it.
  const tableDrawn = sel.ranked.length > 0;
  if (tableDrawn) {
    yield out.join('\n') + '\n';
    yield* rankedTable(ctx, sel.ranked, report.physicalModel !== null);
    out = [];
  }

  if (sel.insufficient.length > 0) {
    out.push('');
    out.push(...insufficientBlock(ctx, sel.insufficient));
  }

  // Linked accounts (src/score/linked.ts): only when there are any, so other reports keep their lines.
  if (report.clusters.length > 0) {
    out.push('');
    out.push(c.bold(`Linked accounts (${report.clusters.length})`));
    for (const k of report.clusters) out.push(...hanging(`  ${k.id} ${k.reason}: `, terminalSafe(k.sentence), width, 4));
  }

  const flaggedShown = sel.ranked.filter((a) => a.flagged);
  if (flaggedShown.length > 0) {
    out.push('');
    out.push(c.bold(`Evidence for flagged accounts (${flaggedShown.length})`));
    for (const a of flaggedShown) out.push(...evidenceBlock(ctx, a));
  }
  const flaggedHidden = Math.max(0, s.flagged - flaggedShown.length);
  if (flaggedHidden > 0) out.push(c.red(`${plural(flaggedHidden, 'more flagged account')} not shown (beyond the top ${groupDigits(sel.ranked.length)}).`));

  out.push('');
  const summary =
    `Summary: ${plural(s.accounts, 'account')}; ${groupDigits(s.scored)} scored, ` +
    `${groupDigits(s.flagged)} flagged (score >= ${Number.isInteger(s.flagThreshold) ? String(s.flagThreshold) : fixed(s.flagThreshold, 1)}), ` +
    `${groupDigits(s.insufficient)} with insufficient data.`;
  out.push(...hanging('', summary, width, 9).map((l) => (s.flagged > 0 ? c.red(c.bold(l)) : c.green(l))));
  yield (tableDrawn ? '\n' : '') + out.join('\n') + '\n';
}
