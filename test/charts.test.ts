// The SVG chart renderer (src/report/svg.ts): scales, geometry from the data, escaping,
// determinism, and the case model that picks charts per account (src/report/case.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  dayNumber,
  floorSvg,
  histogramSvg,
  logEdges,
  logTicks,
  miniHistSvg,
  msLabel,
  niceCeil,
  num,
  pctLabel,
  ringSvg,
  svgEscape,
  tickLabel,
  type HistogramChartInput,
  type RingChartInput,
} from '../src/report/svg.js';
import { caseAccounts, caseView, peerHistogram, safeSlug } from '../src/report/case.js';
import { account, CHANGE_INDEX, chartReport, MALLORY, MALLORY_DAILY_FLOORS } from './helpers/chart-report.js';
import { sampleReport, SCRIPT_NAME } from './helpers/sample-report.js';

/** Every match of `re` (global) as its capture groups. */
function all(re: RegExp, s: string): RegExpExecArray[] {
  return [...s.matchAll(re)];
}

function attr(el: string, name: string): number {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(el);
  assert.ok(m, `${name} in ${el}`);
  return Number(m[1]);
}

// ---------------------------------------------------------------- primitives

test('svg primitives: coordinates, nice ceilings, labels', () => {
  assert.equal(num(12.345), '12.3');
  assert.equal(num(-0.04), '0');
  assert.equal(num(Number.NaN), '0');
  assert.equal(num(100), '100');
  assert.deepEqual([0.986, 0.2, 0.07, 3.2, 131, 0, -4].map(niceCeil), [1, 0.2, 0.1, 5, 200, 1, 1]);
  assert.equal(niceCeil(0.51), 1);
  assert.equal(niceCeil(0.26), 0.5);
  assert.equal(niceCeil(0.24), 0.25);
  assert.equal(niceCeil(21), 25);
  assert.equal(msLabel(20.94), '20.9');
  assert.equal(msLabel(123.34), '123.3');
  assert.equal(msLabel(1893.2), '1,893');
  assert.equal(tickLabel(1000), '1,000');
  assert.equal(tickLabel(62.5), '62.5');
  assert.equal(tickLabel(0.25), '0.25');
  assert.equal(pctLabel(0.5), '50%');
  assert.equal(pctLabel(0.025), '2.5%');
  assert.equal(dayNumber('2026-03-02'), 20514);
  assert.equal(dayNumber('2026-3-2'), null);
  assert.equal(dayNumber('<script>'), null);
});

test('svg primitives: log bins and ticks on the report grid (16 bins, 1-2000 ms)', () => {
  const edges = logEdges(1, 2000, 16);
  assert.equal(edges.length, 17);
  assert.equal(edges[0], 1);
  assert.ok(Math.abs(edges[16]! - 2000) < 1e-9);
  // Equal ratios: every bin spans 2000^(1/16) = 1.6085...
  for (let i = 1; i <= 16; i++) assert.ok(Math.abs(edges[i]! / edges[i - 1]! - Math.pow(2000, 1 / 16)) < 1e-9);
  assert.deepEqual(logTicks(1, 2000), [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000]);
  assert.deepEqual(logTicks(1, 1000), [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]);
});

test('svgEscape: markup, quotes, controls and XML noncharacters never reach the SVG raw', () => {
  assert.equal(svgEscape(`<img src=x onerror="a">'\u0007\uffff`), '&lt;img src=x onerror=&quot;a&quot;&gt;&#39;\\u0007\\uffff');
});

// ---------------------------------------------------------------- histogram

const HIST: HistogramChartInput = {
  title: 'app_rtt latency of a <b>',
  lowMs: 1,
  highMs: 2000,
  account: { label: 'acct (n=100)', counts: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 25, 50, 25, 0, 0] },
  peers: { label: 'peers in site:x', counts: [0, 0, 0, 0, 0, 0, 100, 600, 300, 0, 0, 0, 0, 0, 0, 0] },
  markers: [
    { ms: 120, label: 'floor', role: 'acct' },
    { ms: 21, label: 'peer floor', role: 'peer' },
  ],
};

test('histogram: one bar per non-empty bin, heights proportional to the share, on the log grid', () => {
  const svg = histogramSvg(HIST);
  assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" class="kl-chart kl-hist"'));
  assert.ok(svg.includes('data-n="100"'));
  const bars = all(/<rect class="bar acct"[^>]*>/g, svg).map((m) => m[0]);
  assert.equal(bars.length, 3);
  assert.deepEqual(bars.map((b) => attr(b, 'data-bin')), [11, 12, 13]);
  const heights = bars.map((b) => attr(b, 'height'));
  // Shares 25 %, 50 %, 25 %; the y axis tops at the peers' 60 % -> nice 1 (100 %).
  assert.ok(Math.abs(heights[1]! - 2 * heights[0]!) <= 0.2, `heights ${heights}`);
  assert.equal(heights[0], heights[2]);
  const plotH = 270 - 64 - 42;
  assert.ok(Math.abs(heights[1]! - 0.5 * plotH) <= 0.2);
  // Bars sit on the log grid: bin 12 starts at x(edge 12).
  const pw = 640 - 48 - 18;
  const x12 = 48 + (12 / 16) * pw;
  assert.ok(Math.abs(attr(bars[1]!, 'x') - (x12 + 1)) <= 0.15);
  // Bars have their own tooltip with the count.
  assert.match(svg, /<title>[0-9.,]+-[0-9.,]+ ms: 50 samples \(50%\)<\/title>/);
});

test('histogram: peers as a step area and an outline; markers with labels; title escaped', () => {
  const svg = histogramSvg(HIST);
  const area = /<path class="peers" data-series="peers" d="([^"]+)Z"\/>/.exec(svg);
  assert.ok(area);
  // Start at the baseline, two points per bin, back to the baseline.
  assert.equal(area[1]!.match(/L/g)!.length, 2 * 16 + 1);
  assert.ok(svg.includes('<path class="peers-line" d="'));
  assert.ok(svg.includes('>floor 120.0 ms</text>'));
  assert.ok(svg.includes('>peer floor 21.0 ms</text>'));
  assert.equal(all(/class="marker-acct"/g, svg).length, 1);
  assert.equal(all(/class="marker-peer"/g, svg).length, 1);
  assert.ok(svg.includes('<title>app_rtt latency of a &lt;b&gt;</title>'));
  assert.ok(!svg.includes('<b>'));
  assert.ok(!/style=/.test(svg), 'no style attributes (CSP)');
  assert.equal(histogramSvg(HIST), histogramSvg(structuredClone(HIST)), 'deterministic');
});

test('histogram: standalone files carry their own palette, dark mode and print rules', () => {
  const svg = histogramSvg(HIST, { standalone: true });
  assert.match(svg, /<style>[^<]*--kl-acct:[^<]*@media \(prefers-color-scheme:dark\)[^<]*@media print[^<]*<\/style>/);
  assert.ok(!histogramSvg(HIST).includes('<style>'), 'inline charts use the page style sheet');
});

test('histogram: without peers, the account alone; an empty account draws no bar', () => {
  const svg = histogramSvg({ ...HIST, peers: null });
  assert.ok(!svg.includes('class="peers"'));
  assert.equal(all(/<rect class="bar acct"/g, svg).length, 3);
  const empty = histogramSvg({ ...HIST, account: { label: 'x', counts: new Array(16).fill(0) } });
  assert.equal(all(/<rect class="bar acct"/g, empty).length, 0);
});

// ---------------------------------------------------------------- floor over time

test('floor over time: a point per day, on a time axis (gaps stay gaps), change point between days', () => {
  const r = chartReport();
  const m = account(r, MALLORY);
  const app = m.kinds.find((k) => k.kind === 'app_rtt')!;
  const svg = floorSvg({ title: 't', days: app.daily, reference: { ms: 27.4, label: 'peer floor' }, changes: [{ index: CHANGE_INDEX, label: 'change' }] });
  assert.ok(svg.includes('data-days="20"') && svg.includes('data-changes="1"'));
  const pts = all(/<circle class="pt" cx="([\d.]+)" cy="([\d.]+)"/g, svg).map((x) => ({ x: Number(x[1]), y: Number(x[2]) }));
  assert.equal(pts.length, 20);
  // x follows the calendar: days 11 -> 12 are 3 days apart (a gap), days 0 -> 1 one day.
  const step = pts[1]!.x - pts[0]!.x;
  assert.ok(Math.abs(pts[12]!.x - pts[11]!.x - 3 * step) <= 0.2);
  // y: higher floor, smaller y; the jump is visible.
  assert.ok(pts[9]!.y < pts[8]!.y - 50);
  // The change point line sits halfway between the last day before and the first day after.
  const ch = /<g class="change-point" data-change-day="2026-03-11">\n<line class="change" x1="([\d.]+)"/.exec(svg);
  assert.ok(ch, 'change point marked at 2026-03-11');
  assert.ok(Math.abs(Number(ch[1]) - (pts[8]!.x + pts[9]!.x) / 2) <= 0.1);
  assert.ok(svg.includes('>change 2026-03-11</text>'));
  // The level on each side: medians of the daily floors.
  const levels = all(/<title>median daily floor ([\d.]+) ms<\/title>/g, svg).map((x) => Number(x[1]));
  assert.deepEqual(levels, [24.1, 118.2]);
  assert.ok(svg.includes('>peer floor 27.4 ms</text>'));
  assert.ok(svg.includes('<title>2026-03-11: floor 117.9 ms (n=163)</title>'));
  assert.equal(MALLORY_DAILY_FLOORS.length, 20);
});

test('floor over time: invalid days are skipped, change indexes out of range ignored', () => {
  const svg = floorSvg({
    title: 't',
    days: [{ day: '2026-03-01', floorMs: 10, n: 5 }, { day: 'not-a-day', floorMs: 12, n: 5 }, { day: '2026-03-03', floorMs: Number.NaN, n: 5 }, { day: '2026-03-04', floorMs: 11, n: 5 }],
    reference: null,
    changes: [{ index: 0, label: 'change' }, { index: 7, label: 'change' }],
  });
  assert.ok(svg.includes('data-days="2"') && svg.includes('data-changes="0"'));
  assert.equal(all(/<circle class="pt"/g, svg).length, 2);
  assert.ok(!svg.includes('class="change"'));
});

// ---------------------------------------------------------------- ring

const RING: RingChartInput = {
  title: 'ring',
  claimedKm: 344.67,
  claimedUncertaintyKm: 50,
  claimedLabel: 'New York, NY, US',
  impliedLowKm: 1623.5,
  impliedPointKm: 6281,
  impliedHighKm: 12041,
  floorMs: 118.05,
  hardBoundMs: 3.379,
  expectedLowMs: 3.77,
  expectedHighMs: 50.89,
};

test('ring: claimed circle inside the implied ring, radii proportional to km, latency strip in order', () => {
  const svg = ringSvg(RING);
  assert.ok(svg.includes('data-claimed-km="345"') && svg.includes('data-implied-low-km="1624"'));
  const claimed = /<circle class="claimed" cx="140" cy="144" r="([\d.]+)"/.exec(svg);
  const point = /<circle class="implied-point" cx="140" cy="144" r="([\d.]+)"/.exec(svg);
  const ring = /<path class="implied" fill-rule="evenodd" d="M([\d.]+) 144A([\d.]+) [^M]*M([\d.]+) 144A([\d.]+) /.exec(svg);
  assert.ok(claimed && point && ring);
  const outerR = Number(ring[2]);
  const innerR = Number(ring[4]);
  // Scale: the chart radius (118) is 1.12 x the largest distance (12,041 km).
  const kmPerPx = (12041 * 1.12) / 118;
  assert.ok(Math.abs(outerR - 12041 / kmPerPx) <= 0.1, `outer ${outerR}`);
  assert.ok(Math.abs(innerR - 1623.5 / kmPerPx) <= 0.1, `inner ${innerR}`);
  assert.ok(Math.abs(Number(point[1]) - 6281 / kmPerPx) <= 0.1);
  assert.ok(Number(claimed[1]) < innerR, 'the claimed distance lies inside the ring the floor allows');
  assert.ok(svg.includes('class="claimed-band"'));
  assert.ok(svg.includes('>at least 1,279 km beyond the claimed distance</text>'));
  // Latency axis: fiber limit < expected band < floor, left to right.
  const bound = Number(/<line class="bound" x1="([\d.]+)"/.exec(svg)![1]);
  const band = /<rect class="band" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/.exec(svg)!;
  const floor = Number(/<line class="marker-acct" x1="([\d.]+)"/.exec(svg)![1]);
  assert.ok(bound < Number(band[1]) + Number(band[2]) && Number(band[1]) + Number(band[2]) < floor);
  assert.ok(svg.includes('>floor 118.1</text>') || svg.includes('>floor 118.0</text>'));
});

test('ring: without the latency figures or a high bound, the ring runs to the edge and no strip is drawn', () => {
  const svg = ringSvg({ ...RING, impliedHighKm: null, impliedPointKm: null, floorMs: null, hardBoundMs: null, expectedLowMs: null, expectedHighMs: null });
  assert.ok(!svg.includes('class="ms-axis"'));
  assert.ok(!svg.includes('implied-point'));
  const ring = /<path class="implied" fill-rule="evenodd" d="M([\d.]+) 144A([\d.]+) /.exec(svg)!;
  assert.equal(Number(ring[2]), 118);
});

// ---------------------------------------------------------------- mini histogram

test('mini histogram: a bar per non-empty bin, the largest full height', () => {
  const svg = miniHistSvg([0, 2, 4, 0, 1], 'hist of <x>');
  const bars = all(/<rect class="bar" x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)"/g, svg);
  assert.deepEqual(bars.map((b) => Number(b[2])), [7.5, 15, 3.8]);
  assert.ok(svg.includes('aria-label="hist of &lt;x&gt;"'));
  assert.equal(all(/<rect/g, miniHistSvg([0, 0], 'empty')).length, 0);
});

// ---------------------------------------------------------------- case model

test('case model: charts for the flagged account; ring and change point from evidence stats', () => {
  const r = chartReport();
  const sel = caseAccounts(r, null);
  assert.equal(sel.flagged, true);
  assert.deepEqual(sel.accounts.map((a) => a.account), [MALLORY]);
  const view = caseView(r, account(r, MALLORY));
  assert.deepEqual(view.figures.map((f) => f.slug), ['histogram-app_rtt', 'histogram-rtt', 'floor-app_rtt', 'ring']);
  assert.ok(view.figures[2]!.svg().includes('data-changes="1"'));
  const ring = view.figures[3]!.svg();
  assert.ok(ring.includes('data-claimed-km="345"'));
  // Beyond the claim: implied 1,623.5 km less the claimed 344.7 km and its 50 km uncertainty.
  assert.ok(ring.includes('>at least 1,229 km beyond the claimed distance</text>'));
  // Without a high bound in the stats, the fiber limit of the floor: 118.05 ms x 102.1 km/ms.
  assert.ok(ring.includes('floor implies &gt;= 1,624 km, &lt;= 12,054 km'), ring);
  // rtt has no pooled histogram for nyc-hq in this report: said so.
  assert.deepEqual(view.notes, ['No pooled rtt histogram of peer group nyc-hq in this report: the rtt histogram shows the account alone.']);
});

test('case model: without change-point or physics evidence, notes say why those charts are absent', () => {
  const r = sampleReport();
  const view = caseView(r, account(r, MALLORY));
  assert.deepEqual(view.figures.map((f) => f.slug), ['histogram-app_rtt', 'histogram-rtt', 'floor-app_rtt']);
  assert.ok(view.notes.includes('No change-point evidence for this account: nothing marked on the floor-over-time chart.'));
  assert.ok(view.notes.includes('No ring chart: no physical-model evidence (claimed and implied distance from the server) for this account.'));
  const script = account(r, SCRIPT_NAME);
  assert.ok(caseView(r, script).notes.includes('No ring chart: the account has no claimed location.'));
  // A change-point item without a usable index is reported, not drawn.
  const r2 = chartReport();
  const m2 = account(r2, MALLORY);
  m2.evidence.find((e) => e.signal === 'change_point')!.stats.changeDayIndex = 99;
  const v2 = caseView(r2, m2);
  assert.ok(v2.notes.includes('A change-point item (app_rtt) has no usable changeDayIndex; it is not marked.'));
  assert.ok(v2.figures.find((f) => f.slug === 'floor-app_rtt')!.svg().includes('data-changes="0"'));
});

test('case model: the peer histogram leaves the account itself out', () => {
  const r = chartReport();
  const m = account(r, MALLORY);
  const app = m.kinds.find((k) => k.kind === 'app_rtt')!;
  const p = peerHistogram(r, m, app)!;
  assert.equal(p.leftOut, true);
  assert.equal(p.accounts, 7);
  assert.equal(p.samples, 14000 - 2310);
  assert.deepEqual(p.counts, [0, 0, 0, 0, 0, 0, 0, 900, 6000, 3000, 1200, 400, 120, 60, 10, 0]);
});

test('case model: no flagged account -> the top ranked for reference; --top hides flagged ones and says so', () => {
  const r = chartReport();
  for (const a of r.accounts) a.flagged = false;
  r.summary.flagged = 0;
  const sel = caseAccounts(r, null);
  assert.equal(sel.flagged, false);
  assert.deepEqual(sel.accounts.map((a) => a.rank), [1, 2, 3]);
  const r2 = chartReport();
  account(r2, 'bob.t').flagged = true;
  const cut = caseAccounts(r2, 2);
  assert.deepEqual(cut.accounts.map((a) => a.account), [MALLORY]);
  assert.equal(cut.flaggedHidden, 1);
  assert.equal(safeSlug('app_rtt'), 'app_rtt');
  assert.equal(safeSlug('../<x>'), 'x');
});
