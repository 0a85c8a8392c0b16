// Markdown case report (GitHub-flavoured tables), for a ticket: run header, ranked table with a
// Unicode sparkline per account, and per flagged account its evidence and figures. Charts are SVG
// files written beside the report when the CLI has a place for them (`-o FILE`: `chartDir` is
// then a folder next to FILE); without one they are omitted with a note. Pure: Report -> text
// and files; the CLI writes them.
//
// Every string from the report goes through markdownEscape (control and bidi characters as
// `\uXXXX` text, all ASCII punctuation backslash-escaped), so no HTML, link, emphasis or `|`
// cell break can form; chart file names are built from ranks and kinds, never from names.

import type { AccountReport, InputFileInfo, Report } from '../types.js';
import { caseAccounts, caseView } from './case.js';
import { fixed, headlineStats, selectAccounts, signedPoints } from './json.js';
import { markdownEscape as md } from './sanitize.js';
import { formatQ, groupDigits, sparkline } from './table.js';
import { allowedLabel, allowHeaderLine, strongestWithAllowed } from './allowed.js';

export interface MarkdownRenderOptions {
  top?: number | null;
  /**
   * Folder, relative to the report file, for chart SVG files ('/'-separated, e.g. `report-charts`).
   * null or absent: no chart files; each case says how to get them.
   */
  chartDir?: string | null;
}

/** A file a renderer asks the CLI to write beside the report. */
export interface RenderedFile {
  /** Relative to the report file's folder, '/'-separated, without `..` or a leading `/`. */
  path: string;
  text: string;
}

export interface MarkdownResult {
  text: string;
  files: RenderedFile[];
}

function plural(n: number, one: string, many = one + 's'): string {
  return `${groupDigits(n)} ${n === 1 ? one : many}`;
}

function msOrDash(x: number | null): string {
  return x === null || !Number.isFinite(x) ? '-' : fixed(x, 1);
}

/** A '/'-separated relative path as a link target (each segment percent-encoded). */
function linkTarget(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

function inputLine(f: InputFileInfo, role: string): string {
  const status = f.status === 'read' ? 'read' : `**${md(f.status)}**${f.error !== undefined ? ': ' + md(f.error) : ''}`;
  return `| ${role} | ${md(f.path)} | ${status} | ${md(f.format ?? '-')} | ${groupDigits(f.records)} | ${groupDigits(f.samples)} | ${md(f.sha256 ?? '-')} |`;
}

export function renderMarkdown(report: Report, opts: MarkdownRenderOptions = {}): MarkdownResult {
  const top = opts.top ?? null;
  const chartDir = opts.chartDir ?? null;
  const s = report.summary;
  const h = report.header;
  const sel = selectAccounts(report, top);
  const cases = caseAccounts(report, top);
  const files: RenderedFile[] = [];
  const out: string[] = [];
  const threshold = Number.isInteger(s.flagThreshold) ? String(s.flagThreshold) : fixed(s.flagThreshold, 1);

  out.push('# Latency forensics report', '');
  out.push(
    `${md(h.tool)} ${md(h.version)} (report schema ${md(h.schemaVersion)}). ` +
      `**${groupDigits(s.flagged)} of ${plural(s.accounts, 'account')} flagged** (score >= ${threshold}); ` +
      `${groupDigits(s.scored)} scored, ${groupDigits(s.insufficient)} with insufficient data.`,
    '',
  );

  // Run header.
  out.push('## Run', '');
  if (h.arguments.length) out.push(`- Arguments: ${h.arguments.map(md).join(' ')}`);
  out.push(`- Rows read: ${groupDigits(h.recordsRead)}; samples emitted ${groupDigits(h.samplesEmitted)}, used ${groupDigits(h.samplesUsed)}`);
  const reasons = h.rejections.map((r) => `${md(r.reason)} ${groupDigits(r.count)}`).join(', ');
  out.push(`- Rejected: ${groupDigits(h.rejectionsTotal)}${reasons ? ` (${reasons})` : ''}`);
  const patterns = h.excluded.patterns.map(md).join(', ');
  out.push(`- Excluded: ${plural(h.excluded.count, 'sample')}${patterns ? ` (patterns: ${patterns})` : ''}`);
  const tw = h.timeWindow;
  const window = tw.since === null && tw.until === null ? 'all times' : `${md(tw.since ?? '(start)')} .. ${md(tw.until ?? '(end)')}`;
  out.push(`- Time window: ${window}; ${groupDigits(tw.outsideWindow)} outside`);
  if (h.baseline) {
    const b = h.baseline;
    out.push(`- Baseline: ${md(b.path)} (sha256 ${b.sha256.slice(0, 16)}, ${plural(b.accounts, 'account')}, `
      + `${b.period ? `${md(b.period.first.slice(0, 10))}..${md(b.period.last.slice(0, 10))}` : 'empty'}); ${plural(b.newAccounts, 'scored account')} with no history`);
  }
  if (h.roster !== null || h.rosterUnmatched.length > 0) {
    out.push(`- Roster entries with no data (${groupDigits(h.rosterUnmatched.length)}): ${h.rosterUnmatched.length ? h.rosterUnmatched.map(md).join(', ') : 'none'}`);
  }
  if (h.roster !== null || h.accountsNotInRoster.length > 0) {
    out.push(`- Data accounts not in roster (${groupDigits(h.accountsNotInRoster.length)}): ${h.accountsNotInRoster.length ? h.accountsNotInRoster.map(md).join(', ') : 'none'}`);
  }
  const allowLine = allowHeaderLine(h);
  if (allowLine !== null) out.push(`- ${md(allowLine)}`);
  for (const w of h.warnings) out.push(`- **Warning**: ${md(w)}`);
  out.push('');
  out.push('| role | path | status | format | records | samples | SHA-256 |', '|---|---|---|---|--:|--:|---|');
  for (const f of h.inputs) out.push(inputLine(f, 'input'));
  if (h.roster) out.push(inputLine(h.roster, 'roster'));
  out.push('');

  // Ranked table.
  const shown = sel.ranked.length < sel.rankedTotal ? `top ${groupDigits(sel.ranked.length)} of ${groupDigits(sel.rankedTotal)}` : groupDigits(sel.rankedTotal);
  out.push(`## Ranked accounts (${shown})`, '');
  if (sel.rankedTotal === 0) out.push('No account had enough data to be scored.', '');
  else if (sel.ranked.length > 0) {
    out.push('| # | account | score | q | floor ms | kind | peer floor ms | histogram | strongest evidence |');
    out.push('|--:|---|--:|--:|--:|---|--:|---|---|');
    for (const a of sel.ranked) {
      const hs = headlineStats(a);
      const spark = hs ? sparkline(hs.histogram.counts, 16).replace(/ /g, '\u2002') : '';
      const score = `${fixed(a.score, 1)}${a.flagged ? ' **FLAGGED**' : ''}`;
      out.push(
        `| ${a.rank ?? '-'} | ${md(a.account)} | ${score} | ${md(formatQ(a.qValue))} | ${msOrDash(a.floorMs)} | ${md(a.headlineKind ?? '-')} | ` +
          `${msOrDash(a.peerFloorMs)} | ${spark} | ${md(strongestWithAllowed(a))} |`,
      );
    }
    out.push('');
  }

  if (sel.insufficient.length) {
    out.push(`## Insufficient data (${plural(sel.insufficient.length, 'account')}, not ranked)`, '');
    for (const a of sel.insufficient) {
      const kinds = a.kinds.map((k) => `${md(k.kind)} ${groupDigits(k.n)}`).join(', ');
      out.push(`- ${md(a.account)}: ${plural(a.samples, 'sample')}${kinds ? ` (${kinds})` : ''}. ${md(strongestWithAllowed(a))}`);
    }
    out.push('');
  }

  // Linked accounts (src/score/linked.ts): only when there are any.
  if (report.clusters.length > 0) {
    out.push(`## Linked accounts (${report.clusters.length})`, '');
    out.push('| id | reason | members | address | change day | floors ms | sentence |', '|---|---|---|---|---|---|---|');
    for (const k of report.clusters) {
      const floors = k.floorLowMs === null ? '-' : k.floorLowMs === k.floorHighMs ? fixed(k.floorLowMs, 1) : `${fixed(k.floorLowMs, 1)}-${fixed(k.floorHighMs!, 1)}`;
      out.push(`| ${k.id} | ${md(k.reason)} | ${k.members.map(md).join(', ')} | ${md(k.address ?? '-')} | ${k.changeDay ?? '-'} | ${floors} | ${md(k.sentence)} |`);
    }
    out.push('');
  }

  // Cases.
  out.push(cases.flagged ? `## Flagged accounts (${cases.accounts.length})` : '## Highest-ranked accounts', '');
  if (!cases.flagged && cases.accounts.length) out.push(`No account is flagged; the ${plural(cases.accounts.length, 'highest-ranked account')} are shown for reference.`, '');
  if (cases.flaggedHidden > 0) out.push(`**${plural(cases.flaggedHidden, 'more flagged account')} not shown** (beyond the top ${groupDigits(sel.ranked.length)}).`, '');
  if (cases.accounts.length === 0 && cases.flaggedHidden === 0) out.push('No account to show.', '');
  if (cases.accounts.length && chartDir === null) {
    out.push('_Charts omitted: this report went to standard output. Write it to a file (`-o report.md`) to get its charts as SVG files beside it._', '');
  }
  cases.accounts.forEach((a: AccountReport, i: number) => {
    const view = caseView(report, a);
    out.push(`### ${a.rank ?? '-'}. ${md(a.account)}${a.flagged ? ' (FLAGGED)' : ''}`, '');
    const floor = a.floorMs === null ? '' : `; floor ${fixed(a.floorMs, 1)} ms (${md(a.headlineKind ?? '-')}) vs peer floor ${msOrDash(a.peerFloorMs)} ms`;
    out.push(`- Score **${fixed(a.score, 1)}**, q ${md(formatQ(a.qValue))}${floor}`);
    if (a.allowed) out.push(`- **${md(allowedLabel(a.allowed))}** (${md(`${a.allowed.entrySource.file}:${a.allowed.entrySource.line}`)})`);
    out.push(`- Site: ${md(a.site ?? '-')}${a.inRoster ? '' : ' (not in the roster)'}; compared with ${md(a.peerGroup)} (${plural(a.peerCount, 'peer')})`);
    out.push(`- Claimed location: ${md(a.location ?? '-')}; time zone: ${md(a.timeZone ?? '-')}`);
    if (a.aliases.length > 1 || (a.aliases[0] !== undefined && a.aliases[0] !== a.account)) out.push(`- Names seen: ${a.aliases.map(md).join(', ')}`);
    out.push(`- Coverage: ${a.coverage.kinds.length ? a.coverage.kinds.map(md).join(', ') : 'none'}. Rules out: ${md(a.coverage.rulesOut)}. Cannot rule out: ${md(a.coverage.cannotRuleOut)}.`);
    out.push('');
    if (a.evidence.length) {
      out.push('| points | signal | kind | finding |', '|--:|---|---|---|');
      for (const ev of a.evidence) out.push(`| ${md(signedPoints(ev.points))} | ${md(ev.signal)} | ${md(ev.kind)} | ${md(ev.sentence)} |`);
    } else out.push('No evidence items.');
    out.push('');
    out.push('| kind | n | floor | floor 95% CI | median | p95 | max | floor row |', '|---|--:|--:|--:|--:|--:|--:|---|');
    for (const k of a.kinds) {
      const ci = `${k.floorInterval.lowerMs === null ? '-' : fixed(k.floorInterval.lowerMs, 1)} .. ${fixed(k.floorInterval.upperMs, 1)}`;
      const src = k.floor.source ? `${k.floor.source.file}:${k.floor.source.line}` : '-';
      out.push(`| ${md(k.kind)} | ${groupDigits(k.n)} | ${fixed(k.floor.valueMs, 1)} | ${ci} | ${fixed(k.medianMs, 1)} | ${fixed(k.p95Ms, 1)} | ${fixed(k.maxMs, 1)} | ${md(src)} |`);
    }
    out.push('');
    if (chartDir !== null) {
      for (const f of view.figures) {
        const path = `${chartDir}/case-${i + 1}-${f.slug}.svg`;
        files.push({ path, text: f.svg({ standalone: true }) });
        out.push(`![${md(f.caption)}](${linkTarget(path)})`, '');
      }
    }
    for (const n of view.notes) out.push(`> ${md(n)}`, '');
  });
  return { text: out.join('\n').replace(/\n+$/, '') + '\n', files };
}
