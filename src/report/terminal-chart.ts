// A larger terminal chart of one account (for `inspect`): its latency histogram beside its peers'
// as horizontal bars per log bin, then its floor per day as a column chart with the peer floor
// and change points marked. Pure: (report, account) -> text; colour only when asked. Strings
// from the report go through terminalSafe.

import { Chalk } from 'chalk';
import type { AccountReport, Kind, KindStats, Report } from '../types.js';
import { peerHistogram } from './case.js';
import { fixed } from './json.js';
import { terminalSafe } from './sanitize.js';
import { logEdges, msLabel, pctLabel, usableDays } from './svg.js';
import { displayWidth, groupDigits, wrapText } from './table.js';

export interface AccountChartOptions {
  /** Columns available; 100 when absent, at least 60. */
  width?: number;
  color?: boolean;
  /** Kind to chart; the headline kind (else the first kind) when absent. */
  kind?: Kind;
  /** Rows of the daily floor chart; 8 when absent. */
  height?: number;
}

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
const VBLOCKS = ['', '▁', '▂', '▃', '▄', '▅', '▆', '▇'];

/** A horizontal bar of `frac` (0..1) of `width` cells, in eighths of a cell; at least a sliver when frac > 0. */
export function hbar(frac: number, width: number): string {
  if (!(frac > 0) || width <= 0) return '';
  const eighths = Math.max(1, Math.round(Math.min(1, frac) * width * 8));
  return '█'.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8]!;
}

/** Drop trailing spaces, also those inside a closing colour sequence, so colour and plain agree. */
function trimLine(s: string): string {
  return s.replace(/ +((?:\u001b\[[0-9;]*m)*)$/, '$1');
}

function padEnd(s: string, w: number): string {
  return s + ' '.repeat(Math.max(0, w - displayWidth(s)));
}

function padStart(s: string, w: number): string {
  return ' '.repeat(Math.max(0, w - displayWidth(s))) + s;
}

function binLabel(lo: number, hi: number): string {
  const f = (x: number) => (x < 10 ? fixed(x, 1) : groupDigits(Math.round(x)));
  return `${f(lo)}-${f(hi)}`;
}

function pickKind(a: AccountReport, kind: Kind | undefined): KindStats | undefined {
  if (kind !== undefined) return a.kinds.find((k) => k.kind === kind);
  return a.kinds.find((k) => k.kind === a.headlineKind) ?? a.kinds[0];
}

function histogramBlock(report: Report, a: AccountReport, k: KindStats, width: number, c: InstanceType<typeof Chalk>): string[] {
  const counts = k.histogram.counts;
  const bins = counts.length;
  const edges = logEdges(k.histogram.lowMs, k.histogram.highMs, bins);
  const own = counts.reduce((s, x) => s + (x > 0 ? x : 0), 0);
  const peers = peerHistogram(report, a, k);
  const peerTotal = peers ? peers.counts.reduce((s, x) => s + (x > 0 ? x : 0), 0) : 0;
  const accShare = counts.map((x) => (own > 0 && x > 0 ? x / own : 0));
  const peerShare = peers && peerTotal > 0 ? peers.counts.map((x) => (x > 0 ? x / peerTotal : 0)) : null;
  const peerFloor = k.kind === a.headlineKind && a.peerFloorMs !== null ? a.peerFloorMs : peers ? peers.group.floorMedianMs : null;

  const out: string[] = [];
  const title =
    `${terminalSafe(a.account)}: ${terminalSafe(k.kind)} latency, share of samples per bin (n=${groupDigits(k.n)})` +
    (peers ? ` vs peers ${terminalSafe(peers.group.group)} (${groupDigits(peers.accounts)} accounts${peers.leftOut ? ', this one left out' : ''})` : ', no peer histogram');
  for (const l of wrapText(title, width)) out.push(c.bold(l));
  const nonzero = (i: number) => (accShare[i] ?? 0) > 0 || (peerShare?.[i] ?? 0) > 0;
  let first = 0;
  while (first < bins - 1 && !nonzero(first)) first++;
  let last = bins - 1;
  while (last > first && !nonzero(last)) last--;
  first = Math.max(0, first - 1);
  last = Math.min(bins - 1, last + 1);

  const labelW = Math.max(7, ...Array.from({ length: last - first + 1 }, (_, j) => binLabel(edges[first + j]!, edges[first + j + 1]!).length));
  const markW = 13;
  const columns = peerShare ? 2 : 1;
  const barW = Math.max(8, Math.floor((width - labelW - 3 - markW - columns * 8) / columns));
  const maxShare = Math.max(...accShare, ...(peerShare ?? [0]));
  const head = padStart('ms', labelW) + ' │' + padEnd(' account', barW + 7) + (peerShare ? '│' + padEnd(' peers', barW + 7) : '');
  out.push(c.dim(head));
  const inBin = (ms: number | null, i: number) => ms !== null && ms >= edges[i]! && (ms < edges[i + 1]! || (i === bins - 1 && ms <= edges[i + 1]!));
  for (let i = first; i <= last; i++) {
    const a1 = accShare[i] ?? 0;
    const accCell = padEnd(hbar(a1 / maxShare, barW), barW) + ' ' + padStart(a1 > 0 ? pctLabel(a1) : '', 6);
    let line = padStart(binLabel(edges[i]!, edges[i + 1]!), labelW) + ' │' + c.red(accCell);
    if (peerShare) {
      const p1 = peerShare[i] ?? 0;
      line += '│' + c.blue(padEnd(hbar(p1 / maxShare, barW), barW) + ' ' + padStart(p1 > 0 ? pctLabel(p1) : '', 6));
    }
    const marks = [inBin(k.floor.valueMs, i) ? '◂ floor' : '', inBin(peerFloor, i) ? '◂ peer floor' : ''].filter(Boolean).join(' ');
    out.push((line + (marks ? ' ' + marks : '')).trimEnd());
  }
  const legend = `floor ${msLabel(k.floor.valueMs)} ms` + (peerFloor !== null ? `; peer floor ${msLabel(peerFloor)} ms` : '') + '; bins are log-spaced, bars scaled to the largest share';
  for (const l of wrapText(legend, width)) out.push(c.dim(l));
  return out;
}

function floorBlock(a: AccountReport, k: KindStats, width: number, height: number, c: InstanceType<typeof Chalk>): string[] {
  const days = usableDays(k.daily);
  const out: string[] = [];
  if (days.length < 2) {
    out.push(c.dim(`daily ${terminalSafe(k.kind)} floor: ${days.length} day${days.length === 1 ? '' : 's'} of data, no chart`));
    return out;
  }
  const ref = k.kind === a.headlineKind ? a.peerFloorMs : null;
  const changes = a.evidence
    .filter((e) => e.signal === 'change_point' && e.kind === k.kind)
    .map((e) => e.stats.changeDayIndex)
    .filter((v): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0 && v < k.daily.length);

  // One column per day with data; several days per column (their lowest floor) when too many.
  const labelW = 8;
  const avail = Math.max(10, width - labelW - 2);
  const per = Math.ceil(days.length / avail);
  const cols: { floorMs: number; first: string; last: string; indices: number[] }[] = [];
  for (let i = 0; i < days.length; i += per) {
    const g = days.slice(i, i + per);
    cols.push({ floorMs: Math.min(...g.map((d) => d.floorMs)), first: g[0]!.day, last: g[g.length - 1]!.day, indices: g.map((d) => d.index) });
  }
  /** Characters per column: up to 3 when there is room, so a short series is not a thin strip. */
  const colW = Math.max(1, Math.min(3, Math.floor(avail / cols.length)));
  const yMax = Math.max(...cols.map((col) => col.floorMs), ref ?? 0) * 1.05 || 1;
  const rowMs = yMax / height;
  const title = `${terminalSafe(a.account)}: daily ${terminalSafe(k.kind)} floor, ms (${days[0]!.day} .. ${days[days.length - 1]!.day}, ${days.length} days with data${per > 1 ? `, ${per} days per column` : ''})`;
  for (const l of wrapText(title, width)) out.push(c.bold(l));
  for (let r = height - 1; r >= 0; r--) {
    const lo = r * rowMs;
    const hi = lo + rowMs;
    const refHere = ref !== null && ref >= lo && ref < hi;
    let row = '';
    for (const col of cols) {
      let cell: string;
      if (col.floorMs >= hi) cell = '█';
      else if (col.floorMs > lo) {
        const eighths = Math.round(((col.floorMs - lo) / rowMs) * 8);
        cell = eighths >= 8 ? '█' : eighths > 0 ? VBLOCKS[eighths]! : refHere ? '┈' : ' ';
      } else cell = refHere ? '┈' : ' ';
      row += cell.repeat(colW);
    }
    const label = r === height - 1 ? fixed(hi, 1) : r === 0 ? fixed(0, 1) : refHere ? fixed(ref, 1) : '';
    const axis = r === 0 ? '┼' : label ? '┤' : '│';
    out.push((padStart(label, labelW - 1) + ' ' + axis + c.red(row)).trimEnd());
  }
  const firstLabel = cols[0]!.first.slice(5);
  const lastLabel = cols[cols.length - 1]!.last.slice(5);
  const gap = cols.length * colW - firstLabel.length - lastLabel.length;
  out.push(' '.repeat(labelW + 1) + (gap >= 1 ? firstLabel + ' '.repeat(gap) + lastLabel : firstLabel));
  if (changes.length) {
    let marks = '';
    cols.forEach((col) => { marks += (changes.some((ix) => col.indices.includes(ix)) ? '▲' : ' ').padEnd(colW, ' '); });
    out.push(c.red((' '.repeat(labelW + 1) + marks).trimEnd()));
    for (const ix of changes) out.push(c.red(`▲ change point: new floor level from ${terminalSafe(k.daily[ix]!.day)}`));
  }
  out.push(c.dim(ref !== null ? `┈ peer floor ${msLabel(ref)} ms` : 'one column per day with data'));
  return out;
}

/**
 * The chart of one account as text lines (LF, trailing newline): histogram against the peers,
 * then the daily floor. `kind` picks the kind (default: the headline kind).
 */
export function renderAccountChart(report: Report, account: AccountReport, opts: AccountChartOptions = {}): string {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const width = Math.max(60, Math.floor(opts.width ?? 100));
  const height = Math.max(3, Math.floor(opts.height ?? 8));
  const k = pickKind(account, opts.kind);
  if (!k || k.n === 0) return `${terminalSafe(account.account)}: no ${opts.kind ? terminalSafe(opts.kind) + ' ' : ''}samples to chart\n`;
  const out = [...histogramBlock(report, account, k, width, c), '', ...floorBlock(account, k, width, height, c)];
  return out.map(trimLine).join('\n') + '\n';
}
