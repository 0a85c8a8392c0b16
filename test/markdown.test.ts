// The Markdown case report (src/report/markdown.ts) and the renderer contract for files written
// beside a report (src/report/index.ts renderReport).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderMarkdown } from '../src/report/markdown.js';
import { renderReport, renderers } from '../src/report/index.js';
import { markdownEscape } from '../src/report/sanitize.js';
import { caseView } from '../src/report/case.js';
import { account, chartReport, MALLORY } from './helpers/chart-report.js';
import { sampleReport } from './helpers/sample-report.js';

test('md: header, inputs with SHA-256, ranked table rows, insufficient data, flagged case with evidence', () => {
  const r = chartReport();
  const { text, files } = renderMarkdown(r);
  assert.deepEqual(files, []);
  assert.ok(text.startsWith('# Latency forensics report\n\nkeylag 0\\.1\\.0 (report schema 1\\.0\\.0). **1 of 11 accounts flagged** (score >= 70); 10 scored, 1 with insufficient data.\n'));
  for (const f of r.header.inputs) if (f.sha256) assert.ok(text.includes(`| ${f.sha256} |`));
  assert.ok(text.includes('- Rejected: 109 (value\\_not\\_numeric 71, time\\_unparseable 26, negative\\_value 12)'));
  const ranked = text.split('\n').filter((l) => /^\| \d+ \| /.test(l));
  assert.equal(ranked.length, 10);
  assert.match(ranked[0]!, /^\| 1 \| mallory\\\.k \| 91\.4 \*\*FLAGGED\*\* \| 0\\\.002 \| 118\.0 \| app\\_rtt \| 27\.4 \| [▁▂▃▄▅▆▇█\u2002]{16} \| app\\_rtt floor/);
  // Every table row has the header's cell count (no `|` leaked from a string).
  const cells = (l: string) => l.replace(/\\\|/g, '').split('|').length;
  for (const l of ranked) assert.equal(cells(l), 11, l);
  assert.ok(text.includes('## Insufficient data (1 account, not ranked)\n\n- trent\\.x: 9 samples (rtt 9)'));
  assert.ok(text.includes('### 1. mallory\\.k (FLAGGED)'));
  for (const e of account(r, MALLORY).evidence) assert.ok(text.includes(`| ${markdownEscape(e.sentence)} |`), e.signal);
  assert.ok(text.includes('| app\\_rtt | 2,310 | 118.0 | 116.2 .. 119.8 | 146.5 | 231.4 | 1893.2 | captures\\/bastion\\.tshark\\.csv\\:120417 |'));
  assert.ok(text.endsWith('\n') && !text.endsWith('\n\n'));
});

test('md to stdout: charts omitted with a note saying how to get them', () => {
  const { text, files } = renderMarkdown(chartReport(), { chartDir: null });
  assert.deepEqual(files, []);
  assert.ok(text.includes('_Charts omitted: this report went to standard output. Write it to a file (`-o report.md`) to get its charts as SVG files beside it._'));
  assert.ok(!text.includes('!['));
  assert.equal(renderers.md(chartReport(), { color: false, top: null }), text, 'the string registry gives the stdout form');
});

test('md with a chart folder: one standalone SVG file per chart, linked by relative path', () => {
  const r = chartReport();
  const { text, files } = renderMarkdown(r, { chartDir: 'case 7-charts' });
  assert.deepEqual(files.map((f) => f.path), [
    'case 7-charts/case-1-histogram-app_rtt.svg',
    'case 7-charts/case-1-histogram-rtt.svg',
    'case 7-charts/case-1-floor-app_rtt.svg',
    'case 7-charts/case-1-ring.svg',
  ]);
  for (const f of files) {
    assert.ok(f.text.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
    assert.ok(f.text.includes('<style>'), 'standalone: carries its own style');
    assert.ok(text.includes(`](${f.path.replace(' ', '%20')})`), f.path);
  }
  const caption = caseView(r, account(r, MALLORY)).figures[0]!.caption;
  assert.equal(caption, 'app_rtt latency distribution of mallory.k (n=2,310) against 7 peers in nyc-hq (pooled, this account left out); share of samples per bin, log scale.');
  assert.ok(text.includes(`![${markdownEscape(caption)}](case%207-charts/case-1-histogram-app_rtt.svg)`));
  assert.ok(!text.includes('Charts omitted'));
  // The contract the CLI uses: renderReport returns the same text and files; other formats return none.
  const viaIndex = renderReport('md', r, { color: false, top: null, chartDir: 'case 7-charts' });
  assert.equal(viaIndex.text, text);
  assert.equal(viaIndex.files.length, 4);
  assert.deepEqual(renderReport('html', r, { color: false, top: null, chartDir: 'x' }).files, []);
  assert.deepEqual(renderReport('json', r, { color: false, top: null, chartDir: 'x' }).files, []);
});

test('md: notes where a chart is absent; no flagged account -> reference cases', () => {
  const r = sampleReport();
  const { text } = renderMarkdown(r, { chartDir: 'c' });
  assert.ok(text.includes('> No change\\-point evidence for this account\\: nothing marked on the floor\\-over\\-time chart\\.'));
  assert.ok(text.includes('> No ring chart\\: no physical\\-model evidence'));
  for (const a of r.accounts) a.flagged = false;
  r.summary.flagged = 0;
  const ref = renderMarkdown(r).text;
  assert.ok(ref.includes('## Highest-ranked accounts\n\nNo account is flagged; the 3 highest-ranked accounts are shown for reference.'));
});
