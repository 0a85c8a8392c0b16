// HTML case report: one self-contained file to attach to a case. Run header (inputs with their
// SHA-256, rows used and rejected), the ranked table with a mini histogram per account, and per
// flagged account its evidence, distribution figures and charts (inline SVG, src/report/svg.ts).
// Pure: Report -> string; the same report gives the same bytes.
//
// Safety: every string from the report goes through svgEscape (htmlEscape: control and bidi
// characters as `\uXXXX` text, then `& < > " '` as entities), element ids are built from ranks,
// never from names. The page has no script at all, loads nothing (no fonts, images, style sheets)
// and says so in a Content-Security-Policy meta tag: `default-src 'none'` blocks every fetch and
// script; the one <style> element is allowed by its SHA-256 hash (computed below from the exact
// text), so no 'unsafe-inline' is needed, and no element carries a style attribute (charts use
// classes; SVG presentation attributes are not styles). Dark and light follow
// prefers-color-scheme; @media print gives black on white, one case per page.

import { createHash } from 'node:crypto';
import type { AccountReport, InputFileInfo, KindStats, Report } from '../types.js';
import { caseAccounts, caseView, type CaseView } from './case.js';
import { fixed, headlineStats, selectAccounts, signedPoints } from './json.js';
import { CHART_CSS, miniHistSvg, paletteCss, svgEscape as e } from './svg.js';
import { formatQ, groupDigits, WATCH_SCORE } from './table.js';
import { allowedLabel, allowHeaderLine, strongestWithAllowed } from './allowed.js';

export interface HtmlRenderOptions {
  /** Limit the ranked accounts listed; null for all. Counts still cover all accounts. */
  top?: number | null;
}

const FONT = 'system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif';
const MONO = 'ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace';

/** The page's whole style sheet (also what the CSP hash covers). */
export const PAGE_CSS = [
  ':root{color-scheme:light dark}',
  paletteCss(':root'),
  '*{box-sizing:border-box}',
  `body{margin:0;background:var(--kl-bg);color:var(--kl-fg);font:14px/1.45 ${FONT}}`,
  'main{max-width:1200px;margin:0 auto;padding:24px 20px 48px}',
  'h1{font-size:1.6em;margin:0 0 4px}',
  'h2{font-size:1.25em;margin:32px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--kl-grid)}',
  'h3{font-size:1.15em;margin:0 0 6px}',
  'h4{font-size:1em;margin:16px 0 6px}',
  'a{color:var(--kl-peer)}',
  '.sub,.muted,.note{color:var(--kl-muted)}',
  `code,.mono{font-family:${MONO};font-size:.92em}`,
  '.hash{word-break:break-all}',
  '.scroll{overflow-x:auto}',
  'table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}',
  'th,td{padding:4px 8px;border-bottom:1px solid var(--kl-grid);text-align:left;vertical-align:top}',
  'thead th{font-weight:600;position:sticky;top:0;background:var(--kl-bg);z-index:1}',
  '.num{text-align:right;white-space:nowrap}',
  'tr.flagged td{background:color-mix(in srgb,var(--kl-bad) 11%,transparent)}',
  'tr.watch td{background:color-mix(in srgb,var(--kl-acct) 8%,transparent)}',
  '.badge{display:inline-block;padding:0 6px;border-radius:3px;font-size:.78em;font-weight:700;letter-spacing:.02em;background:var(--kl-bad);color:var(--kl-bg);vertical-align:1px}',
  '.cards{display:flex;gap:12px;flex-wrap:wrap;margin:14px 0}',
  '.card{border:1px solid var(--kl-grid);border-radius:6px;padding:8px 14px;min-width:130px}',
  '.card b{display:block;font-size:1.5em}',
  '.card.bad b{color:var(--kl-bad)}',
  'dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:8px 0}',
  'dl.facts dt{color:var(--kl-muted)}',
  'dl.facts dd{margin:0}',
  '.case{border:1px solid var(--kl-grid);border-radius:8px;padding:16px 18px;margin:18px 0}',
  '.lead{font-size:1.05em;margin:4px 0 10px}',
  '.pos{color:var(--kl-bad);font-weight:600}',
  '.neg{color:var(--kl-peer);font-weight:600}',
  '.figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:8px 24px}',
  'figure{margin:10px 0}',
  'figcaption{color:var(--kl-muted);font-size:.9em;margin-top:2px}',
  '.kl-chart{width:100%;max-width:760px;height:auto;display:block}',
  '.kl-spark{display:block}',
  'ul.notes{margin:6px 0;padding-left:18px}',
  '.warn{color:var(--kl-bad)}',
  'nav ul{margin:6px 0;padding-left:18px;columns:2}',
  'footer{margin-top:36px;color:var(--kl-muted);font-size:.85em}',
  CHART_CSS,
  '@media print{body{font-size:9.5pt}main{max-width:none;padding:0}thead th{position:static}nav{display:none}' +
    'a{color:inherit;text-decoration:none}.case{border:none;padding:0;margin:0;break-before:page}' +
    'figure,tr,.card{break-inside:avoid}.figures{grid-template-columns:1fr 1fr}h2{break-after:avoid}}',
].join('\n');

const STYLE_HASH = createHash('sha256').update(PAGE_CSS, 'utf8').digest('base64');

/** The Content-Security-Policy the page carries: nothing may load; only our own style element applies. */
export const CSP = `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; img-src 'none'; font-src 'none'; connect-src 'none'; script-src 'none'; base-uri 'none'; form-action 'none'`;

// ---------------------------------------------------------------- pieces

function msOrDash(x: number | null): string {
  return x === null || !Number.isFinite(x) ? '-' : fixed(x, 1);
}

function plural(n: number, one: string, many = one + 's'): string {
  return `${groupDigits(n)} ${n === 1 ? one : many}`;
}

function fileSize(bytes: number | null): string {
  return bytes === null ? '-' : `${groupDigits(bytes)} B`;
}

function inputRow(f: InputFileInfo, role: string): string {
  const status = f.status === 'read' ? 'read' : `<span class="warn">${e(f.status)}</span>${f.error !== undefined ? ': ' + e(f.error) : ''}`;
  const notes = f.notes.length ? `<div class="note">${f.notes.map(e).join('<br>')}</div>` : '';
  return (
    `<tr><td>${e(role)}</td><td class="mono">${e(f.path)}${notes}</td><td>${status}</td><td>${e(f.format ?? '-')}</td>` +
    `<td>${e(f.timeFormat ?? '-')}</td><td class="num">${groupDigits(f.records)}</td><td class="num">${groupDigits(f.samples)}</td>` +
    `<td class="num">${fileSize(f.sizeBytes)}</td><td class="mono">${e(f.mtime ?? '-')}</td><td class="mono hash">${e(f.sha256 ?? '-')}</td></tr>`
  );
}

function runSection(report: Report): string {
  const h = report.header;
  const out: string[] = ['<section id="run">', '<h2>Run</h2>', '<dl class="facts">'];
  const fact = (k: string, v: string) => out.push(`<dt>${e(k)}</dt><dd>${v}</dd>`);
  fact('Tool', `${e(h.tool)} ${e(h.version)} (report schema ${e(h.schemaVersion)})`);
  fact('Arguments', h.arguments.length ? `<code>${h.arguments.map(e).join(' ')}</code>` : '-');
  fact('Rows read', `${groupDigits(h.recordsRead)}; samples emitted ${groupDigits(h.samplesEmitted)}, used ${groupDigits(h.samplesUsed)}`);
  const reasons = h.rejections.map((r) => `${e(r.reason)} ${groupDigits(r.count)}`).join(', ');
  fact('Rejected', `${groupDigits(h.rejectionsTotal)}${reasons ? ` (${reasons})` : ''}`);
  const patterns = h.excluded.patterns.map(e).join(', ');
  fact('Excluded', `${plural(h.excluded.count, 'sample')}${patterns ? ` (patterns: ${patterns})` : ''}`);
  const tw = h.timeWindow;
  const window = tw.since === null && tw.until === null ? 'all times' : `${e(tw.since ?? '(start)')} .. ${e(tw.until ?? '(end)')}`;
  fact('Time window', `${window}; ${groupDigits(tw.outsideWindow)} outside`);
  if (h.baseline) {
    const b = h.baseline;
    fact('Baseline', `${e(b.path)} (sha256 ${b.sha256.slice(0, 16)}, ${plural(b.accounts, 'account')}, `
      + `${b.period ? `${e(b.period.first.slice(0, 10))}..${e(b.period.last.slice(0, 10))}` : 'empty'}); ${plural(b.newAccounts, 'scored account')} with no history`);
  }
  if (h.roster !== null || h.rosterUnmatched.length > 0) {
    fact(`Roster entries with no data (${groupDigits(h.rosterUnmatched.length)})`, h.rosterUnmatched.length ? h.rosterUnmatched.map(e).join(', ') : 'none');
  }
  if (h.roster !== null || h.accountsNotInRoster.length > 0) {
    fact(`Data accounts not in roster (${groupDigits(h.accountsNotInRoster.length)})`, h.accountsNotInRoster.length ? h.accountsNotInRoster.map(e).join(', ') : 'none');
  }
  const settings = Object.entries(h.settings).map(([k, v]) => `${e(k)}=${e(String(v))}`).join(', ');
  if (settings) fact('Settings', settings);
  const allowLine = allowHeaderLine(h);
  if (allowLine !== null) fact('Allow list', e(allowLine.replace(/^Allow list: /, '')));
  out.push('</dl>');
  if (h.warnings.length) {
    out.push(`<h4 class="warn">Warnings (${h.warnings.length})</h4><ul class="warnings">`);
    for (const w of h.warnings) out.push(`<li>${e(w)}</li>`);
    out.push('</ul>');
  }
  out.push(`<h4>Inputs (${h.inputs.length}${h.roster ? ' and the roster' : ''})</h4>`);
  out.push('<div class="scroll"><table class="inputs"><thead><tr><th>role</th><th>path</th><th>status</th><th>format</th><th>time format</th>' +
    '<th class="num">records</th><th class="num">samples</th><th class="num">size</th><th>modified</th><th>SHA-256</th></tr></thead><tbody>');
  for (const f of h.inputs) out.push(inputRow(f, 'input'));
  if (h.roster) out.push(inputRow(h.roster, 'roster'));
  out.push('</tbody></table></div>', '</section>');
  return out.join('\n');
}

function scoreBadge(a: AccountReport): string {
  return a.flagged ? ' <span class="badge">FLAGGED</span>' : '';
}

/** Rows of the ranked table per piece of `renderHtmlPieces`. */
const RANKED_ROWS_PER_PIECE = 64;

/** The ranked section's lines, a group of table rows at a time (each line ends with a newline). */
function* rankedSection(report: Report, top: number | null, caseIds: Map<AccountReport, string>): Generator<string> {
  const sel = selectAccounts(report, top);
  const shown = sel.ranked.length < sel.rankedTotal ? `top ${groupDigits(sel.ranked.length)} of ${groupDigits(sel.rankedTotal)}` : groupDigits(sel.rankedTotal);
  let out = ['<section id="ranked">', `<h2>Ranked accounts (${shown})</h2>`];
  if (sel.rankedTotal === 0) {
    out.push('<p>No account had enough data to be scored.</p>', '</section>');
    yield lines(out);
    return;
  }
  out.push(
    '<div class="scroll"><table class="ranked" id="ranked-table"><thead><tr><th class="num">#</th><th>account</th><th class="num">score</th>' +
      '<th class="num">q</th><th class="num">floor ms</th><th>kind</th><th class="num">peer floor ms</th><th>distribution</th><th>strongest evidence</th></tr></thead><tbody>',
  );
  for (const a of sel.ranked) {
    const cls = a.flagged ? 'flagged' : a.score >= WATCH_SCORE ? 'watch' : '';
    const id = caseIds.get(a);
    const name = id ? `<a href="#${id}">${e(a.account)}</a>` : e(a.account);
    const hs = headlineStats(a);
    const hist = hs ? miniHistSvg(hs.histogram.counts, `${hs.kind} histogram of ${a.account}`) : '';
    out.push(
      `<tr${cls ? ` class="${cls}"` : ''} data-account="${e(a.account)}" data-rank="${a.rank ?? ''}"><td class="num">${a.rank ?? '-'}</td><td>${name}</td>` +
        `<td class="num">${fixed(a.score, 1)}${scoreBadge(a)}</td><td class="num">${e(formatQ(a.qValue))}</td>` +
        `<td class="num">${msOrDash(a.floorMs)}</td><td>${e(a.headlineKind ?? '-')}</td><td class="num">${msOrDash(a.peerFloorMs)}</td>` +
        `<td>${hist}</td><td>${e(strongestWithAllowed(a))}</td></tr>`,
    );
    if (out.length >= RANKED_ROWS_PER_PIECE) { yield lines(out); out = []; }
  }
  out.push('</tbody></table></div>', '</section>');
  yield lines(out);
}

/** Elements of the page, each on its own line; empty ones (sections with nothing to show) left out. */
function lines(items: readonly string[]): string {
  let text = '';
  for (const item of items) if (item !== '') text += item + '\n';
  return text;
}

function insufficientSection(accounts: AccountReport[]): string {
  if (accounts.length === 0) return '';
  const out = ['<section id="insufficient">', `<h2>Insufficient data (${plural(accounts.length, 'account')}, not ranked)</h2>`, '<ul>'];
  for (const a of accounts) {
    const kinds = a.kinds.map((k) => `${e(k.kind)} ${groupDigits(k.n)}`).join(', ');
    out.push(`<li data-account="${e(a.account)}"><b>${e(a.account)}</b>: ${plural(a.samples, 'sample')}${kinds ? ` (${kinds})` : ''}. ${e(strongestWithAllowed(a))}</li>`);
  }
  out.push('</ul>', '</section>');
  return out.join('\n');
}

function kindRow(k: KindStats): string {
  const i = k.floorInterval;
  const ci = `${i.lowerMs === null ? '-' : fixed(i.lowerMs, 1)} .. ${fixed(i.upperMs, 1)}`;
  const src = k.floor.source ? `${k.floor.source.file}:${k.floor.source.line}` : k.precision.mode === 'sketch' ? '(sketch)' : '-';
  return (
    `<tr><td>${e(k.kind)}</td><td class="num">${groupDigits(k.n)}</td><td class="num">${fixed(k.floor.valueMs, 1)}</td><td class="num">${ci}</td>` +
    `<td class="num">${fixed(k.p25Ms, 1)}</td><td class="num">${fixed(k.medianMs, 1)}</td><td class="num">${fixed(k.p75Ms, 1)}</td>` +
    `<td class="num">${fixed(k.p95Ms, 1)}</td><td class="num">${fixed(k.maxMs, 1)}</td><td class="num">${msOrDash(k.jitterMs)}</td>` +
    `<td class="num">${groupDigits(k.sessions)}</td><td class="num">${groupDigits(k.daily.length)}</td><td class="mono">${e(src)}</td></tr>`
  );
}

function caseSection(view: CaseView, id: string): string {
  const a = view.account;
  const out = [`<article class="case" id="${id}" data-account="${e(a.account)}">`];
  out.push(`<h3><span class="muted">#${a.rank ?? '-'}</span> ${e(a.account)}${scoreBadge(a)}</h3>`);
  const floor = a.floorMs === null ? '' : ` · floor ${msOrDash(a.floorMs)} ms (${e(a.headlineKind ?? '-')}) vs peer floor ${a.peerFloorMs === null ? '-' : msOrDash(a.peerFloorMs) + ' ms'}`;
  out.push(`<p class="lead">score <b>${fixed(a.score, 1)}</b> · q ${e(formatQ(a.qValue))}${floor}</p>`);
  out.push('<dl class="facts">');
  const fact = (k: string, v: string) => out.push(`<dt>${e(k)}</dt><dd>${v}</dd>`);
  if (a.allowed) fact(a.allowed.expired ? 'Allow list (expired)' : 'Allow list', `${e(allowedLabel(a.allowed))} (${e(`${a.allowed.entrySource.file}:${a.allowed.entrySource.line}`)})`);
  fact('Site', e(a.site ?? '-') + (a.inRoster ? '' : ' (not in the roster)'));
  fact('Compared with', `${e(a.peerGroup)} (${plural(a.peerCount, 'peer')})`);
  fact('Claimed location', e(a.location ?? '-'));
  fact('Time zone', e(a.timeZone ?? '-'));
  if (a.aliases.length > 1 || (a.aliases[0] !== undefined && a.aliases[0] !== a.account)) fact('Names seen', a.aliases.map(e).join(', '));
  fact('Samples', groupDigits(a.samples));
  fact('Coverage', `${a.coverage.kinds.length ? a.coverage.kinds.map(e).join(', ') : 'none'}. Rules out: ${e(a.coverage.rulesOut)}. Cannot rule out: ${e(a.coverage.cannotRuleOut)}.`);
  out.push('</dl>');

  out.push('<h4>Evidence</h4>');
  if (a.evidence.length === 0) out.push('<p class="note">No evidence items.</p>');
  else {
    out.push('<div class="scroll"><table class="evidence"><thead><tr><th class="num">points</th><th>signal</th><th>kind</th><th>finding</th><th class="num">p</th></tr></thead><tbody>');
    for (const ev of a.evidence) {
      const cls = ev.points > 0 ? 'pos' : ev.points < 0 ? 'neg' : '';
      const p = ev.pValue === null ? '-' : ev.pValue < 0.001 ? '&lt;0.001' : fixed(ev.pValue, 3);
      out.push(`<tr><td class="num${cls ? ' ' + cls : ''}">${e(signedPoints(ev.points))}</td><td>${e(ev.signal)}</td><td>${e(ev.kind)}</td><td>${e(ev.sentence)}</td><td class="num">${p}</td></tr>`);
    }
    out.push('</tbody></table></div>');
  }

  out.push('<h4>Distribution</h4>');
  out.push('<div class="scroll"><table class="kinds"><thead><tr><th>kind</th><th class="num">n</th><th class="num">floor</th><th class="num">floor 95% CI</th>' +
    '<th class="num">p25</th><th class="num">median</th><th class="num">p75</th><th class="num">p95</th><th class="num">max</th><th class="num">jitter</th>' +
    '<th class="num">sessions</th><th class="num">days</th><th>floor row</th></tr></thead><tbody>');
  for (const k of a.kinds) out.push(kindRow(k));
  out.push('</tbody></table></div>');

  out.push('<h4>Charts</h4>', '<div class="figures">');
  for (const f of view.figures) {
    out.push(`<figure class="chart" data-chart="${e(f.slug)}">`, f.svg().trimEnd(), `<figcaption>${e(f.caption)}</figcaption>`, '</figure>');
  }
  out.push('</div>');
  if (view.notes.length) {
    out.push('<ul class="notes">');
    for (const n of view.notes) out.push(`<li class="note">${e(n)}</li>`);
    out.push('</ul>');
  }
  out.push('</article>');
  return out.join('\n');
}

// ---------------------------------------------------------------- renderer

export function renderHtml(report: Report, opts: HtmlRenderOptions = {}): string {
  return [...renderHtmlPieces(report, opts)].join('');
}

/**
 * The text of `renderHtml` in pieces (the ranked table a group of rows at a time, each account's
 * case section on its own), so that a 10,000-account page is written as it is built.
 */
export function* renderHtmlPieces(report: Report, opts: HtmlRenderOptions = {}): Generator<string> {
  const top = opts.top ?? null;
  const s = report.summary;
  const h = report.header;
  const sel = selectAccounts(report, top);
  const cases = caseAccounts(report, top);
  const caseIds = new Map<AccountReport, string>(cases.accounts.map((a, i) => [a, `case-${i + 1}`]));
  const threshold = Number.isInteger(s.flagThreshold) ? String(s.flagThreshold) : fixed(s.flagThreshold, 1);

  let out: string[] = [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="color-scheme" content="light dark">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta name="generator" content="${e(h.tool)} ${e(h.version)}">`,
    `<title>${e(h.tool)} report: ${groupDigits(s.flagged)} flagged of ${plural(s.accounts, 'account')}</title>`,
    `<style>${PAGE_CSS}</style>`,
    '</head>',
    '<body>',
    '<main>',
    '<header>',
    '<h1>Latency forensics report</h1>',
    `<p class="sub">${e(h.tool)} ${e(h.version)} · ${plural(h.inputs.length, 'input')} · ${groupDigits(h.samplesUsed)} samples used · self-contained: no scripts, no network requests</p>`,
    '<div class="cards">',
    `<div class="card${s.flagged > 0 ? ' bad' : ''}" id="flagged-count"><b>${groupDigits(s.flagged)}</b>flagged (score &gt;= ${e(threshold)})</div>`,
    `<div class="card"><b>${groupDigits(s.scored)}</b>scored</div>`,
    `<div class="card"><b>${groupDigits(s.insufficient)}</b>insufficient data</div>`,
    `<div class="card"><b>${groupDigits(h.rejectionsTotal)}</b>rows rejected</div>`,
    '</div>',
    '</header>',
  ];

  out.push('<nav><b>Contents</b><ul><li><a href="#run">Run</a></li><li><a href="#ranked">Ranked accounts</a></li>');
  if (sel.insufficient.length) out.push('<li><a href="#insufficient">Insufficient data</a></li>');
  for (const a of cases.accounts) out.push(`<li><a href="#${caseIds.get(a)}">#${a.rank ?? '-'} ${e(a.account)}</a></li>`);
  out.push('</ul></nav>');

  out.push(runSection(report));
  yield lines(out);
  yield* rankedSection(report, top, caseIds);
  out = [insufficientSection(sel.insufficient)];

  out.push('<section id="cases">');
  out.push(`<h2>${cases.flagged ? `Flagged accounts (${cases.accounts.length})` : 'Highest-ranked accounts'}</h2>`);
  if (!cases.flagged && cases.accounts.length) out.push(`<p class="note">No account is flagged; the ${plural(cases.accounts.length, 'highest-ranked account')} are shown for reference.</p>`);
  if (cases.flaggedHidden > 0) out.push(`<p class="warn">${plural(cases.flaggedHidden, 'more flagged account')} not shown (beyond the top ${groupDigits(sel.ranked.length)}).</p>`);
  if (cases.accounts.length === 0 && cases.flaggedHidden === 0) out.push('<p class="note">No account to show.</p>');
  yield lines(out);
  for (const a of cases.accounts) yield lines([caseSection(caseView(report, a), caseIds.get(a)!)]);
  out = ['</section>'];

  out.push(
    '<footer>',
    `<p>Generated by ${e(h.tool)} ${e(h.version)}. Scores are not probabilities of fraud: they say how far an account's latency is from its peers', in physical terms, after allowing for sampling uncertainty. Exact figures are in the JSON report.</p>`,
    '</footer>',
    '</main>',
    '</body>',
    '</html>',
  );
  yield lines(out);
}
