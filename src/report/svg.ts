// Charts as static SVG strings: latency histogram against the peers', floor over time with
// change points, the physical-model ring, and a row-sized mini histogram. Pure functions,
// data in, string out; no DOM, no I/O, no clock.
//
// Why our own renderer and not a charting library (checked for issue 8, in Node 20 without a DOM):
// - Apache ECharts 6 (server-side rendering, `renderToSVGString`) is synchronous and needs no DOM,
//   but writes `style="..."` attributes on every text (a strict CSP would need 'unsafe-inline'
//   for styles), numbers its ids and classes per chart instance (`zr0-`, `zr1-`: two renders of
//   the same report in one process differ, breaking byte-for-byte determinism), bakes colours
//   into attributes (no prefers-color-scheme, no print palette), and weighs 62 MB.
// - Vega 6 renders SVG headless, but `view.toSVG()` is asynchronous (renderers here are pure
//   synchronous Report -> string functions) and brings about 30 packages, a network loader among them.
// - Observable Plot and D3's DOM half need a `document` (jsdom) to produce anything.
// What we need is small: three chart types on fixed grids (log-binned histograms, a daily
// series, concentric rings). So: a few hundred lines of our own, unit-tested, that draw with
// CSS classes only (the page's style sheet, or an embedded <style> for standalone files, sets
// colours for light, dark and print), round every coordinate to 0.1 and escape every string.

import { fixed } from './json.js';
import { htmlEscape } from './sanitize.js';
import { groupDigits } from './table.js';

// ---------------------------------------------------------------- primitives

/** Text for SVG/HTML content and attributes; XML-safe (noncharacters U+FFFE/U+FFFF shown as `\uXXXX`). */
export function svgEscape(s: string): string {
  return htmlEscape(s).replace(/[\ufffe\uffff]/g, (ch) => '\\u' + ch.charCodeAt(0).toString(16));
}

/** A coordinate: rounded to 0.1, never `-0`, plain decimal. */
export function num(x: number): string {
  if (!Number.isFinite(x)) return '0';
  const r = Math.round(x * 10) / 10;
  return String(r === 0 ? 0 : r);
}

/** Smallest of 1, 2, 2.5, 5 x 10^k that is >= x (x > 0); 1 for x <= 0. */
export function niceCeil(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(x)));
  for (const m of [1, 2, 2.5, 5, 10]) {
    const v = m * p;
    if (v >= x * (1 - 1e-12)) return Number(v.toPrecision(12));
  }
  return 10 * p;
}

/** Milliseconds for a label: 1 decimal below 1,000, whole (grouped) above. */
export function msLabel(ms: number): string {
  return Math.abs(ms) < 1000 ? fixed(ms, 1) : groupDigits(Math.round(ms));
}

/** An axis tick value: whole numbers grouped (`1,000`), others with the decimals they need (up to 3). */
export function tickLabel(v: number): string {
  if (Number.isInteger(v)) return groupDigits(v);
  for (const d of [1, 2, 3]) if (Math.abs(Number(v.toFixed(d)) - v) < 1e-9) return fixed(v, d);
  return fixed(v, 3);
}

/** Kilometres for a label: whole, grouped. */
export function kmLabel(km: number): string {
  return groupDigits(Math.round(km));
}

/** A share (0..1) as a percentage label: `50%`, `2.5%`. */
export function pctLabel(share: number): string {
  const p = share * 100;
  return (Number.isInteger(Math.round(p * 10) / 10) ? String(Math.round(p)) : fixed(p, 1)) + '%';
}

/** Cut a label to `max` characters (code points), with an ellipsis. */
function clip(s: string, max: number): string {
  const cps = [...s];
  return cps.length <= max ? s : cps.slice(0, max - 1).join('') + '…';
}

function sum(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) if (Number.isFinite(x) && x > 0) s += x;
  return s;
}

/**
 * Colours and type for the chart classes. The HTML page includes this in its own style sheet
 * (variables set there); a standalone SVG file embeds it with the variables below.
 */
export const CHART_CSS = `
.kl-chart{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;font-size:13px;font-variant-numeric:tabular-nums}
.kl-chart text{fill:var(--kl-fg)}
.kl-chart .tick text,.kl-chart .axis-title,.kl-chart .note{fill:var(--kl-muted)}
.kl-chart .axis{stroke:var(--kl-muted);stroke-width:1;fill:none}
.kl-chart .grid{stroke:var(--kl-grid);stroke-width:1;fill:none}
.kl-chart .peers{fill:var(--kl-peer);fill-opacity:.25;stroke:none}
.kl-chart .peers-line{fill:none;stroke:var(--kl-peer);stroke-width:1.5}
.kl-chart .acct{fill:var(--kl-acct);fill-opacity:.8}
.kl-chart .swatch-acct{fill:var(--kl-acct)}
.kl-chart .swatch-peers{fill:var(--kl-peer);fill-opacity:.5;stroke:var(--kl-peer)}
.kl-chart .marker-acct{stroke:var(--kl-acct);stroke-width:1.5;stroke-dasharray:5 3}
.kl-chart .marker-peer{stroke:var(--kl-peer);stroke-width:1.5;stroke-dasharray:2 3}
.kl-chart .label-acct{fill:var(--kl-acct);font-weight:600}
.kl-chart .label-peer{fill:var(--kl-peer)}
.kl-chart .line{fill:none;stroke:var(--kl-acct);stroke-width:1.5}
.kl-chart .pt{fill:var(--kl-acct)}
.kl-chart .change{stroke:var(--kl-bad);stroke-width:2}
.kl-chart .label-change{fill:var(--kl-bad);font-weight:600}
.kl-chart .regime{stroke:var(--kl-fg);stroke-width:1;stroke-dasharray:6 3;opacity:.7}
.kl-chart .claimed{fill:none;stroke:var(--kl-peer);stroke-width:2}
.kl-chart .claimed-band{fill:var(--kl-peer);fill-opacity:.3}
.kl-chart .implied{fill:var(--kl-acct);fill-opacity:.22;stroke:var(--kl-acct);stroke-width:1}
.kl-chart .implied-point{fill:none;stroke:var(--kl-acct);stroke-width:1.5;stroke-dasharray:5 3}
.kl-chart .server{fill:var(--kl-fg)}
.kl-chart .band{fill:var(--kl-peer);fill-opacity:.25}
.kl-chart .bound{stroke:var(--kl-bad);stroke-width:2}
.kl-chart .label-bound{fill:var(--kl-bad)}
.kl-spark .bar{fill:var(--kl-acct)}
.kl-spark .base{stroke:var(--kl-grid);stroke-width:1}
`.trim();

/** Light and dark palettes as CSS custom properties on `selector`. */
export function paletteCss(selector: string): string {
  return [
    `${selector}{--kl-fg:#1b1f24;--kl-muted:#59636e;--kl-grid:#d8dee4;--kl-acct:#c2410c;--kl-peer:#2563eb;--kl-bad:#b91c1c;--kl-bg:#ffffff}`,
    `@media (prefers-color-scheme:dark){${selector}{--kl-fg:#e6edf3;--kl-muted:#9198a1;--kl-grid:#3d444d;--kl-acct:#fb923c;--kl-peer:#60a5fa;--kl-bad:#f87171;--kl-bg:#0d1117}}`,
    `@media print{${selector}{--kl-fg:#000000;--kl-muted:#444444;--kl-grid:#cccccc;--kl-acct:#c2410c;--kl-peer:#1d4ed8;--kl-bad:#b91c1c;--kl-bg:#ffffff}}`,
  ].join('\n');
}

export interface SvgOptions {
  /**
   * A file of its own (Markdown's chart files): an embedded <style> (palette for light, dark
   * and print, and the classes) and a background. Inline charts (HTML) rely on
   * the page's style sheet instead.
   */
  standalone?: boolean;
}

function open(cls: string, w: number, h: number, title: string, desc: string, opts: SvgOptions, data: Record<string, string> = {}): string {
  const attrs = Object.entries(data).map(([k, v]) => ` data-${k}="${svgEscape(v)}"`).join('');
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="kl-chart ${cls}" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img"${attrs}>`,
    `<title>${svgEscape(title)}</title>`,
    `<desc>${svgEscape(desc)}</desc>`,
  ];
  if (opts.standalone) {
    parts.push(`<style>${paletteCss('svg')}\n${CHART_CSS}\nsvg{background:var(--kl-bg)}</style>`);
  }
  return parts.join('\n');
}

function text(x: number, y: number, s: string, cls: string, anchor: 'start' | 'middle' | 'end' = 'start'): string {
  const a = anchor === 'start' ? '' : ` text-anchor="${anchor}"`;
  return `<text class="${cls}" x="${num(x)}" y="${num(y)}"${a}>${svgEscape(s)}</text>`;
}

function line(x1: number, y1: number, x2: number, y2: number, cls: string): string {
  return `<line class="${cls}" x1="${num(x1)}" y1="${num(y1)}" x2="${num(x2)}" y2="${num(y2)}"/>`;
}

/** Rough text width at 13px for placement (no font metrics without a DOM). */
function textWidth(s: string): number {
  return [...s].length * 7.3;
}

/** Place labels at x positions on rows so that they do not overlap; returns the row of each. */
function stagger(xs: { x: number; w: number }[], rows: number): number[] {
  const lastEnd: number[] = new Array<number>(rows).fill(-Infinity);
  const order = xs.map((p, i) => ({ ...p, i })).sort((a, b) => a.x - b.x || a.i - b.i);
  const out = new Array<number>(xs.length).fill(0);
  for (const p of order) {
    let row = lastEnd.findIndex((end) => p.x >= end + 6);
    if (row < 0) row = lastEnd.indexOf(Math.min(...lastEnd));
    out[p.i] = row;
    lastEnd[row] = p.x + p.w;
  }
  return out;
}

// ---------------------------------------------------------------- histogram vs peers

export interface HistogramMarker {
  ms: number;
  label: string;
  role: 'acct' | 'peer';
}

export interface HistogramChartInput {
  /** Accessible name (also the tooltip). */
  title: string;
  lowMs: number;
  highMs: number;
  account: { label: string; counts: readonly number[] };
  peers: { label: string; counts: readonly number[] } | null;
  markers: HistogramMarker[];
}

/** Bin edges of a log-spaced histogram over [lowMs, highMs]. */
export function logEdges(lowMs: number, highMs: number, bins: number): number[] {
  const out: number[] = [];
  const l0 = Math.log(lowMs);
  const step = (Math.log(highMs) - l0) / bins;
  for (let i = 0; i <= bins; i++) out.push(Math.exp(l0 + i * step));
  return out;
}

/** 1, 2, 5 x 10^k inside [low, high]. */
export function logTicks(lowMs: number, highMs: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lowMs)) - 1; e <= Math.ceil(Math.log10(highMs)) + 1; e++) {
    for (const m of [1, 2, 5]) {
      const v = Number((m * Math.pow(10, e)).toPrecision(6));
      if (v >= lowMs * (1 - 1e-9) && v <= highMs * (1 + 1e-9)) out.push(v);
    }
  }
  return out;
}

/**
 * The account's share of samples per log bin as bars, over its peers' pooled share as a shaded
 * step area with an outline; vertical dashed markers (floors). Shares, not counts, so an account
 * of 300 samples compares with peers of 30,000.
 */
export function histogramSvg(c: HistogramChartInput, opts: SvgOptions = {}): string {
  const W = 640;
  const H = 270;
  const m = { l: 48, r: 18, t: 64, b: 42 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const bins = c.account.counts.length;
  const edges = logEdges(c.lowMs, c.highMs, bins);
  const lx = (ms: number) => {
    const clamped = Math.min(c.highMs, Math.max(c.lowMs, ms));
    return m.l + ((Math.log(clamped) - Math.log(c.lowMs)) / (Math.log(c.highMs) - Math.log(c.lowMs))) * pw;
  };
  const accTotal = sum(c.account.counts);
  const acc = c.account.counts.map((n) => (accTotal > 0 && n > 0 ? n / accTotal : 0));
  const peerTotal = c.peers ? sum(c.peers.counts) : 0;
  const peer = c.peers && peerTotal > 0 ? c.peers.counts.map((n) => (n > 0 ? n / peerTotal : 0)) : null;
  const yMax = niceCeil(Math.max(0.01, ...acc, ...(peer ?? [])));
  const y = (share: number) => m.t + ph - (share / yMax) * ph;
  const base = m.t + ph;

  const desc =
    `Share of samples per latency bin (log scale, ${msLabel(c.lowMs)} to ${msLabel(c.highMs)} ms): ${c.account.label}` +
    (c.peers ? ` against ${c.peers.label}` : '') +
    (c.markers.length ? '. Markers: ' + c.markers.map((mk) => `${mk.label}`).join('; ') : '') + '.';
  const out = [open('kl-hist', W, H, c.title, desc, opts, { n: String(accTotal), bins: String(bins) })];

  // Legend.
  let lxPos = m.l;
  out.push(`<g class="legend">`);
  const accLegend = clip(c.account.label, 36);
  out.push(`<rect class="swatch-acct" x="${num(lxPos)}" y="8" width="12" height="12"/>`);
  out.push(text(lxPos + 17, 19, accLegend, 'legend-text'));
  lxPos += 17 + textWidth(accLegend) + 16;
  if (c.peers) {
    const room = Math.max(12, Math.floor((W - m.r - lxPos - 17) / 7.3));
    out.push(`<rect class="swatch-peers" x="${num(lxPos)}" y="8" width="12" height="12"/>`);
    out.push(text(lxPos + 17, 19, clip(c.peers.label, room), 'legend-text'));
  }
  out.push(`</g>`);

  // Grid and y axis.
  out.push(`<g class="y-axis">`);
  for (const f of [0, 0.25, 0.5, 0.75, 1]) {
    const yy = y(f * yMax);
    out.push(line(m.l, yy, m.l + pw, yy, 'grid'));
    if (f === 0 || f === 0.5 || f === 1) out.push(`<g class="tick">${text(m.l - 6, yy + 4, pctLabel(f * yMax), '', 'end')}</g>`);
  }
  out.push(`</g>`);

  // Peers: shaded step area, drawn first.
  let peerPath = '';
  if (peer) {
    const pts: string[] = [`M${num(lx(edges[0]!))} ${num(base)}`];
    for (let i = 0; i < bins; i++) {
      pts.push(`L${num(lx(edges[i]!))} ${num(y(peer[i]!))}`, `L${num(lx(edges[i + 1]!))} ${num(y(peer[i]!))}`);
    }
    pts.push(`L${num(lx(edges[bins]!))} ${num(base)}`);
    peerPath = pts.join('');
    out.push(`<path class="peers" data-series="peers" d="${peerPath}Z"/>`);
  }

  // Account bars.
  out.push(`<g class="bars" data-series="account">`);
  for (let i = 0; i < bins; i++) {
    const count = c.account.counts[i] ?? 0;
    if (!(count > 0)) continue;
    const x0 = lx(edges[i]!) + 1;
    const x1 = lx(edges[i + 1]!) - 1;
    const top = Math.min(y(acc[i]!), base - 1);
    out.push(
      `<rect class="bar acct" data-bin="${i}" data-count="${count}" x="${num(x0)}" y="${num(top)}" width="${num(Math.max(1, x1 - x0))}" height="${num(base - top)}">` +
        `<title>${svgEscape(`${msLabel(edges[i]!)}-${msLabel(edges[i + 1]!)} ms: ${groupDigits(count)} samples (${pctLabel(acc[i]!)})`)}</title></rect>`,
    );
  }
  out.push(`</g>`);
  if (peer) out.push(`<path class="peers-line" d="${peerPath}"/>`);

  // X axis.
  out.push(`<g class="x-axis">`);
  out.push(line(m.l, base, m.l + pw, base, 'axis'));
  for (const t of logTicks(c.lowMs, c.highMs)) {
    const xx = lx(t);
    out.push(`<g class="tick">${line(xx, base, xx, base + 4, 'axis')}${text(xx, base + 17, tickLabel(t), '', 'middle')}</g>`);
  }
  out.push(text(m.l + pw, base + 35, 'latency, ms (log scale)', 'axis-title', 'end'));
  out.push(`</g>`);

  // Markers with staggered labels.
  const marks = c.markers.filter((mk) => Number.isFinite(mk.ms) && mk.ms > 0);
  const labels = marks.map((mk) => `${mk.label} ${msLabel(mk.ms)} ms`);
  const placed = marks.map((mk, i) => {
    const xx = lx(mk.ms);
    const w = textWidth(labels[i]!);
    const anchorEnd = xx + 4 + w > m.l + pw;
    return { x: anchorEnd ? xx - 4 - w : xx + 4, w, xx, anchorEnd };
  });
  const rows = stagger(placed.map((p) => ({ x: p.x, w: p.w })), 2);
  out.push(`<g class="markers">`);
  marks.forEach((mk, i) => {
    const p = placed[i]!;
    const ly = 39 + rows[i]! * 15;
    out.push(line(p.xx, ly + 3, p.xx, base, mk.role === 'acct' ? 'marker-acct' : 'marker-peer'));
    out.push(text(p.anchorEnd ? p.xx - 4 : p.xx + 4, ly, labels[i]!, mk.role === 'acct' ? 'label-acct' : 'label-peer', p.anchorEnd ? 'end' : 'start'));
  });
  out.push(`</g>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------- floor over time

export interface FloorChartInput {
  title: string;
  /** Days in order, `YYYY-MM-DD` (UTC). */
  days: readonly { day: string; floorMs: number; n: number }[];
  /** Horizontal reference, e.g. the peer floor. */
  reference: { ms: number; label: string } | null;
  /** Change points: index into `days` of the first day of the new level. */
  changes: readonly { index: number; label: string }[];
}

const DAY_MS = 86_400_000;

/** Day number (days since 1970-01-01) of a `YYYY-MM-DD` string; null when it is not one. */
export function dayNumber(day: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
  const t = Date.parse(day + 'T00:00:00Z');
  return Number.isFinite(t) ? Math.round(t / DAY_MS) : null;
}

function dayLabel(n: number, withYear: boolean): string {
  const iso = new Date(n * DAY_MS).toISOString();
  return withYear ? iso.slice(0, 10) : iso.slice(5, 10);
}

function medianOf(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Valid days of a floor chart input (well-formed date, finite floor), in the given order. */
export function usableDays(days: FloorChartInput['days']): { day: string; d: number; floorMs: number; n: number; index: number }[] {
  const out: { day: string; d: number; floorMs: number; n: number; index: number }[] = [];
  days.forEach((x, index) => {
    const d = dayNumber(x.day);
    if (d !== null && Number.isFinite(x.floorMs)) out.push({ day: x.day, d, floorMs: x.floorMs, n: x.n, index });
  });
  return out;
}

/**
 * Daily floor as points joined by a line on a time axis (gaps in the data show as longer
 * segments), the reference as a dashed line, each change point as a vertical line between the
 * last day before and the first day after it, with the median daily floor of each side. Needs at
 * least two usable days (callers say why when there are fewer).
 */
export function floorSvg(c: FloorChartInput, opts: SvgOptions = {}): string {
  const W = 640;
  const H = 250;
  const m = { l: 52, r: 18, t: 28, b: 44 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const days = usableDays(c.days);
  const d0 = days.length ? days[0]!.d : 0;
  const d1 = days.length > 1 ? days[days.length - 1]!.d : d0 + 1;
  const span = Math.max(1, d1 - d0);
  const x = (d: number) => m.l + 8 + ((d - d0) / span) * (pw - 16);
  const maxMs = Math.max(1, ...days.map((p) => p.floorMs), c.reference?.ms ?? 0);
  const yMax = niceCeil(maxMs * 1.08);
  const y = (ms: number) => m.t + ph - (Math.max(0, ms) / yMax) * ph;
  const base = m.t + ph;
  const withYear = days.length > 0 && dayLabel(d0, true).slice(0, 4) !== dayLabel(d1, true).slice(0, 4);

  const changes = c.changes
    .map((ch) => ({ ...ch, pos: days.findIndex((p) => p.index === ch.index) }))
    .filter((ch) => ch.pos > 0);
  const first = days[0]?.day ?? '';
  const last = days[days.length - 1]?.day ?? '';
  const desc =
    `Floor per UTC day, ${first} to ${last}, ${days.length} days with data` +
    (c.reference ? `; ${c.reference.label} ${msLabel(c.reference.ms)} ms` : '') +
    (changes.length ? `; change points: ${changes.map((ch) => `${ch.label} on ${days[ch.pos]!.day}`).join(', ')}` : '; no change point marked') + '.';
  const out = [open('kl-floor', W, H, c.title, desc, opts, { days: String(days.length), changes: String(changes.length) })];

  out.push(`<g class="y-axis">`);
  for (const f of [0, 0.25, 0.5, 0.75, 1]) {
    const yy = y(f * yMax);
    out.push(line(m.l, yy, m.l + pw, yy, 'grid'));
    out.push(`<g class="tick">${text(m.l - 6, yy + 4, tickLabel(f * yMax), '', 'end')}</g>`);
  }
  out.push(text(m.l - 46, m.t - 12, 'floor, ms', 'axis-title'));
  out.push(`</g>`);

  // X axis: up to 7 date ticks, evenly spaced in time.
  out.push(`<g class="x-axis">`);
  out.push(line(m.l, base, m.l + pw, base, 'axis'));
  const nTicks = Math.min(7, span + 1);
  const tickDays = new Set<number>();
  for (let i = 0; i < nTicks; i++) tickDays.add(Math.round(d0 + (i * span) / Math.max(1, nTicks - 1)));
  for (const d of tickDays) {
    out.push(`<g class="tick">${line(x(d), base, x(d), base + 4, 'axis')}${text(x(d), base + 17, dayLabel(d, withYear), '', 'middle')}</g>`);
  }
  out.push(text(m.l + pw, base + 35, 'UTC date', 'axis-title', 'end'));
  out.push(`</g>`);

  if (c.reference && Number.isFinite(c.reference.ms)) {
    const yy = y(c.reference.ms);
    out.push(`<g class="reference">${line(m.l, yy, m.l + pw, yy, 'marker-peer')}${text(m.l + pw - 2, yy - 4, `${c.reference.label} ${msLabel(c.reference.ms)} ms`, 'label-peer', 'end')}</g>`);
  }

  // Change points and the level on each side.
  out.push(`<g class="changes">`);
  const cuts = [0, ...changes.map((ch) => ch.pos), days.length];
  changes.forEach((ch, k) => {
    const before = days[ch.pos - 1]!;
    const after = days[ch.pos]!;
    const xx = (x(before.d) + x(after.d)) / 2;
    out.push(`<g class="change-point" data-change-day="${svgEscape(after.day)}">`);
    out.push(line(xx, m.t, xx, base, 'change'));
    const label = `${ch.label} ${after.day}`;
    const right = xx + 4 + textWidth(label) <= m.l + pw;
    out.push(text(right ? xx + 4 : xx - 4, m.t + 12 + (k % 2) * 15, label, 'label-change', right ? 'start' : 'end'));
    out.push(`</g>`);
  });
  if (changes.length) {
    for (let s = 0; s + 1 < cuts.length; s++) {
      const seg = days.slice(cuts[s], cuts[s + 1]);
      if (seg.length === 0) continue;
      const level = medianOf(seg.map((p) => p.floorMs));
      const xa = s === 0 ? x(seg[0]!.d) : (x(days[cuts[s]! - 1]!.d) + x(seg[0]!.d)) / 2;
      const xb = s + 2 === cuts.length ? x(seg[seg.length - 1]!.d) : (x(seg[seg.length - 1]!.d) + x(days[cuts[s + 1]!]!.d)) / 2;
      out.push(`<g class="level">${line(xa, y(level), xb, y(level), 'regime')}<title>${svgEscape(`median daily floor ${msLabel(level)} ms`)}</title></g>`);
    }
  }
  out.push(`</g>`);

  if (days.length > 0) {
    const path = days.map((p, i) => `${i === 0 ? 'M' : 'L'}${num(x(p.d))} ${num(y(p.floorMs))}`).join('');
    out.push(`<path class="line" d="${path}"/>`);
    out.push(`<g class="points" data-series="daily-floor">`);
    for (const p of days) {
      out.push(
        `<circle class="pt" cx="${num(x(p.d))}" cy="${num(y(p.floorMs))}" r="3"><title>${svgEscape(`${p.day}: floor ${msLabel(p.floorMs)} ms (n=${groupDigits(p.n)})`)}</title></circle>`,
      );
    }
    out.push(`</g>`);
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------- physical-model ring

export interface RingChartInput {
  title: string;
  /** Great-circle distance from the server to the claimed location, km. */
  claimedKm: number;
  /** How far the claimed point may be off (a city's extent, a time zone's), km; drawn as a band. */
  claimedUncertaintyKm?: number | null;
  claimedLabel: string;
  /** Least distance from the server the floor implies (worst-case path inflation), km. */
  impliedLowKm: number;
  /** How far beyond the claimed location that puts the account, km (shown when > 0). */
  beyondKm?: number | null;
  impliedPointKm: number | null;
  /** Most distance the floor allows (fiber limit), km; the ring runs to the chart edge when null. */
  impliedHighKm: number | null;
  floorMs: number | null;
  hardBoundMs: number | null;
  expectedLowMs: number | null;
  expectedHighMs: number | null;
}

/** Half the Earth's circumference: no two places on it are further apart, km. */
export const MAX_SURFACE_KM = 20_037;

function circle(cx: number, cy: number, r: number, cls: string): string {
  return `<circle class="${cls}" cx="${num(cx)}" cy="${num(cy)}" r="${num(r)}"/>`;
}

/** A ring (annulus) between radii r0 < r1 as one even-odd path. */
function annulus(cx: number, cy: number, r0: number, r1: number, cls: string): string {
  const arc = (r: number) =>
    `M${num(cx - r)} ${num(cy)}A${num(r)} ${num(r)} 0 1 0 ${num(cx + r)} ${num(cy)}A${num(r)} ${num(r)} 0 1 0 ${num(cx - r)} ${num(cy)}Z`;
  return `<path class="${cls}" fill-rule="evenodd" d="${arc(r1)}${r0 > 0.5 ? arc(r0) : ''}"/>`;
}

/**
 * Left: distance from the server (centre) as rings: the claimed location's distance as a circle,
 * the distance the floor implies as a shaded ring (from its least value outwards), its point
 * estimate dashed. Right: the same on the latency axis: the hard (speed of light in fiber) bound
 * and the expected range for the claimed distance, against the observed floor.
 */
export function ringSvg(c: RingChartInput, opts: SvgOptions = {}): string {
  const W = 640;
  const H = 280;
  const cx = 140;
  const cy = 144;
  const R = 118;
  const finite = (v: number | null): v is number => v !== null && Number.isFinite(v) && v >= 0;
  const outer = Math.min(
    MAX_SURFACE_KM * 1.05,
    Math.max(100, c.claimedKm, c.impliedLowKm, finite(c.impliedPointKm) ? c.impliedPointKm : 0, finite(c.impliedHighKm) ? c.impliedHighKm : 0) * 1.12,
  );
  const r = (km: number) => (Math.max(0, Math.min(km, outer)) / outer) * R;
  const desc =
    `Claimed location ${c.claimedLabel}: ${kmLabel(c.claimedKm)} km from the server. ` +
    `The floor${finite(c.floorMs) ? ` of ${msLabel(c.floorMs)} ms` : ''} implies at least ${kmLabel(c.impliedLowKm)} km` +
    (finite(c.impliedPointKm) ? ` (point estimate ${kmLabel(c.impliedPointKm)} km)` : '') + '.';
  const out = [open('kl-ring', W, H, c.title, desc, opts, { 'claimed-km': String(Math.round(c.claimedKm)), 'implied-low-km': String(Math.round(c.impliedLowKm)) })];

  // Grid rings.
  const step = niceCeil(outer / 4);
  out.push(`<g class="rings">`);
  for (let km = step; km < outer; km += step) {
    out.push(circle(cx, cy, r(km), 'grid'));
    out.push(`<g class="tick">${text(cx + 3, cy - r(km) + 11, `${kmLabel(km)} km`, '')}</g>`);
  }
  out.push(`</g>`);

  const high = finite(c.impliedHighKm) ? Math.max(c.impliedHighKm, c.impliedLowKm) : outer;
  out.push(`<g class="implied-ring">${annulus(cx, cy, r(c.impliedLowKm), r(high), 'implied')}</g>`);
  if (finite(c.impliedPointKm)) out.push(circle(cx, cy, r(c.impliedPointKm), 'implied-point'));
  const unc = finite(c.claimedUncertaintyKm ?? null) ? (c.claimedUncertaintyKm as number) : 0;
  const claimedBand = unc > 0 ? annulus(cx, cy, r(Math.max(0, c.claimedKm - unc)), r(c.claimedKm + unc), 'claimed-band') : '';
  out.push(`<g class="claimed-ring">${claimedBand}${circle(cx, cy, Math.max(2, r(c.claimedKm)), 'claimed')}</g>`);
  out.push(circle(cx, cy, 3, 'server'));
  out.push(text(cx, cy + 14, 'server', '', 'middle'));

  // Legend and figures on the right.
  const lx = 290;
  let ly = 30;
  const row = (swatchCls: string, s: string) => {
    out.push(`<rect class="${swatchCls}" x="${lx}" y="${num(ly - 9)}" width="12" height="10"/>`);
    out.push(text(lx + 18, ly, clip(s, 52), 'legend-text'));
    ly += 18;
  };
  row('swatch-peers', `claimed: ${c.claimedLabel}, ${kmLabel(c.claimedKm)} km`);
  row('swatch-acct', `floor implies >= ${kmLabel(c.impliedLowKm)} km` + (finite(c.impliedHighKm) ? `, <= ${kmLabel(c.impliedHighKm)} km` : ''));
  if (finite(c.impliedPointKm)) row('swatch-acct', `point estimate ${kmLabel(c.impliedPointKm)} km`);
  const beyond = finite(c.beyondKm ?? null) ? (c.beyondKm as number) : c.impliedLowKm - c.claimedKm;
  if (beyond > 0) {
    out.push(text(lx, ly + 4, `at least ${kmLabel(beyond)} km beyond the claimed distance`, 'label-acct'));
    ly += 18;
  }

  // Latency axis.
  const msVals = [c.floorMs, c.hardBoundMs, c.expectedLowMs, c.expectedHighMs].filter(finite);
  if (msVals.length > 0) {
    const ax0 = lx;
    const ax1 = W - 20;
    const ay = 226;
    const msMax = niceCeil(Math.max(...msVals) * 1.1);
    const mx = (ms: number) => ax0 + (Math.max(0, Math.min(ms, msMax)) / msMax) * (ax1 - ax0);
    out.push(`<g class="ms-axis">`);
    out.push(text(ax0, ay - 58, 'round trip, ms', 'axis-title'));
    if (finite(c.expectedLowMs) && finite(c.expectedHighMs)) {
      const a = mx(Math.min(c.expectedLowMs, c.expectedHighMs));
      const b = mx(Math.max(c.expectedLowMs, c.expectedHighMs));
      out.push(`<rect class="band" x="${num(a)}" y="${num(ay - 24)}" width="${num(Math.max(1.5, b - a))}" height="24"/>`);
      out.push(text(a, ay - 28, `expected ${msLabel(c.expectedLowMs)}-${msLabel(c.expectedHighMs)}`, 'label-peer'));
    }
    if (finite(c.hardBoundMs)) {
      out.push(line(mx(c.hardBoundMs), ay - 44, mx(c.hardBoundMs), ay, 'bound'));
      out.push(text(mx(c.hardBoundMs), ay - 46, `fiber limit ${msLabel(c.hardBoundMs)}`, 'label-bound', mx(c.hardBoundMs) > ax1 - 90 ? 'end' : 'start'));
    }
    if (finite(c.floorMs)) {
      out.push(line(mx(c.floorMs), ay - 34, mx(c.floorMs), ay + 2, 'marker-acct'));
      out.push(text(mx(c.floorMs), ay - 36, `floor ${msLabel(c.floorMs)}`, 'label-acct', mx(c.floorMs) > ax1 - 60 ? 'end' : 'middle'));
    }
    out.push(line(ax0, ay, ax1, ay, 'axis'));
    for (const f of [0, 0.25, 0.5, 0.75, 1]) {
      const xx = ax0 + f * (ax1 - ax0);
      out.push(`<g class="tick">${line(xx, ay, xx, ay + 4, 'axis')}${text(xx, ay + 17, tickLabel(f * msMax), '', 'middle')}</g>`);
    }
    out.push(`</g>`);
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------- mini histogram (table rows)

/** A row-sized histogram (height by bin count, relative to the largest), like the terminal sparkline. */
export function miniHistSvg(counts: readonly number[], label: string): string {
  const W = 64;
  const H = 16;
  const n = counts.length;
  const max = Math.max(0, ...counts.filter((x) => Number.isFinite(x)));
  const bw = n > 0 ? W / n : W;
  const out = [`<svg class="kl-spark" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${svgEscape(label)}">`];
  out.push(`<line class="base" x1="0" y1="${H - 0.5}" x2="${W}" y2="${H - 0.5}"/>`);
  if (max > 0) {
    counts.forEach((c, i) => {
      if (!(c > 0)) return;
      const h = Math.max(1, (c / max) * (H - 1));
      out.push(`<rect class="bar" x="${num(i * bw + 0.5)}" y="${num(H - h)}" width="${num(Math.max(1, bw - 1))}" height="${num(h)}"/>`);
    });
  }
  out.push('</svg>');
  return out.join('');
}
