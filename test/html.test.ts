// The HTML case report (src/report/html.ts): self-contained, strict CSP, the run header, the
// ranked table, one case per flagged account with its charts. (The browser test renders it.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { CSP, PAGE_CSS, renderHtml } from '../src/report/html.js';
import { renderers } from '../src/report/index.js';
import { htmlEscape } from '../src/report/sanitize.js';
import { account, chartReport, MALLORY } from './helpers/chart-report.js';
import { sampleReport, SCRIPT_NAME } from './helpers/sample-report.js';

function count(re: RegExp, s: string): number {
  return [...s.matchAll(re)].length;
}

test('html: a CSP meta tag that allows nothing but our own style element, by its hash', () => {
  const html = renderHtml(chartReport());
  const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html);
  assert.ok(meta, 'CSP meta tag');
  assert.equal(meta[1], CSP);
  assert.match(CSP, /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*';/);
  assert.ok(!CSP.includes('unsafe'), 'no unsafe-inline or unsafe-eval');
  // The hash is that of the exact style text, and there is exactly one style element.
  const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)];
  assert.equal(styles.length, 1);
  const hash = createHash('sha256').update(styles[0]![1]!, 'utf8').digest('base64');
  assert.equal(styles[0]![1], PAGE_CSS);
  assert.ok(CSP.includes(`'sha256-${hash}'`));
  // The CSP meta comes before anything that could load.
  assert.ok(html.indexOf('Content-Security-Policy') < html.indexOf('<style>'));
});

test('html: self-contained: no script, no style attribute, no URL but the SVG namespace, no external reference', () => {
  const html = renderHtml(chartReport());
  assert.equal(count(/<script/gi, html), 0);
  assert.equal(count(/\sstyle=/gi, html), 0);
  assert.equal(count(/<(img|link|iframe|object|embed|video|audio|source|base|form)\b/gi, html), 0);
  const urls = [...html.matchAll(/[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]*/gi)].map((m) => m[0]);
  assert.ok(urls.length > 0 && urls.every((u) => u === 'http://www.w3.org/2000/svg'), urls.join(' '));
  assert.equal(count(/\s(href|src)="(?!#)/g, html), 0, 'links only to anchors in the page');
  assert.equal(count(/@import|url\(/g, PAGE_CSS), 0);
  assert.ok(PAGE_CSS.includes('@media (prefers-color-scheme:dark)'));
  assert.ok(PAGE_CSS.includes('@media print'));
  assert.ok(html.startsWith('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'));
  assert.ok(html.endsWith('</html>\n'));
});

test('html: run header with inputs, SHA-256s and rejections', () => {
  const r = sampleReport();
  const html = renderHtml(r);
  for (const f of r.header.inputs) {
    assert.ok(html.includes(f.path), f.path);
    if (f.sha256) assert.ok(html.includes(f.sha256), f.sha256);
  }
  assert.ok(html.includes(r.header.roster!.sha256!));
  assert.ok(html.includes('<dt>Rejected</dt><dd>109 (value_not_numeric 71, time_unparseable 26, negative_value 12)</dd>'));
  assert.ok(html.includes('<dt>Rows read</dt><dd>439,431; samples emitted 68,620, used 67,004</dd>'));
  assert.ok(html.includes('<span class="warn">skipped</span>: no account column found'));
  assert.ok(html.includes('<div class="card bad" id="flagged-count"><b>1</b>flagged'));
});

test('html: ranked table lists every scored account with a mini histogram, flagged rows marked', () => {
  const r = chartReport();
  const html = renderHtml(r);
  const table = /<table class="ranked" id="ranked-table">([\s\S]*?)<\/table>/.exec(html)![1]!;
  const rows = [...table.matchAll(/<tr( class="(\w+)")? data-account="([^"]*)" data-rank="(\d*)">/g)];
  assert.equal(rows.length, 10);
  assert.deepEqual(rows.map((m) => Number(m[4])), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.equal(rows[0]![2], 'flagged');
  assert.equal(rows[0]![3], MALLORY);
  assert.equal(rows[1]![2], 'watch');
  assert.equal(count(/<svg class="kl-spark"/g, table), 10);
  assert.ok(table.includes(`<td><a href="#case-1">${MALLORY}</a></td>`));
  assert.ok(table.includes('91.4 <span class="badge">FLAGGED</span>'));
  // Insufficient data is listed apart.
  assert.ok(/<section id="insufficient">[\s\S]*trent\.x[\s\S]*<\/section>/.test(html));
  // --top cuts the table, not the counts.
  const top2 = renderHtml(r, { top: 2 });
  assert.ok(top2.includes('<h2>Ranked accounts (top 2 of 10)</h2>'));
  assert.equal(count(/<svg class="kl-spark"/g, top2), 2);
});

test('html: a case per flagged account with evidence, distribution and its charts', () => {
  const r = chartReport();
  const html = renderHtml(r);
  const cases = [...html.matchAll(/<article class="case" id="(case-\d+)" data-account="([^"]*)">([\s\S]*?)<\/article>/g)];
  assert.equal(cases.length, 1);
  const [, id, name, body] = cases[0]!;
  assert.equal(id, 'case-1');
  assert.equal(name, MALLORY);
  for (const e of account(r, MALLORY).evidence) assert.ok(body!.includes(`<td>${htmlEscape(e.sentence)}</td>`), e.signal);
  assert.deepEqual([...body!.matchAll(/<figure class="chart" data-chart="([^"]+)">/g)].map((m) => m[1]), ['histogram-app_rtt', 'histogram-rtt', 'floor-app_rtt', 'ring']);
  assert.equal(count(/<svg xmlns="http:\/\/www.w3.org\/2000\/svg" class="kl-chart/g, body!), 4);
  assert.ok(body!.includes('<g class="change-point" data-change-day="2026-03-11">'));
  assert.ok(body!.includes('class="kl-chart kl-ring"'));
  assert.ok(body!.includes('<td class="mono">captures/bastion.tshark.csv:120417</td>'), 'floor row traceable to its input line');
});

test('html: without change-point or physics evidence the charts are omitted with a note', () => {
  const html = renderHtml(sampleReport());
  assert.ok(!html.includes('kl-ring'));
  assert.ok(!html.includes('class="change-point"'));
  assert.ok(html.includes('<li class="note">No change-point evidence for this account: nothing marked on the floor-over-time chart.</li>'));
  assert.ok(html.includes('<li class="note">No ring chart: no physical-model evidence (claimed and implied distance from the server) for this account.</li>'));
});

test('html: no flagged account -> the highest-ranked shown for reference; nothing scored -> said so', () => {
  const r = sampleReport();
  for (const a of r.accounts) a.flagged = false;
  r.summary.flagged = 0;
  const html = renderHtml(r);
  assert.ok(html.includes('<h2>Highest-ranked accounts</h2>'));
  assert.equal(count(/<article class="case"/g, html), 3);
  const none = sampleReport();
  none.accounts = none.accounts.filter((a) => a.status === 'insufficient_data');
  none.summary = { accounts: 1, scored: 0, insufficient: 1, flagged: 0, flagThreshold: 70 };
  const empty = renderHtml(none);
  assert.ok(empty.includes('<p>No account had enough data to be scored.</p>'));
  assert.ok(empty.includes('<p class="note">No account to show.</p>'));
});

test('html: the registry renders it; the account named <script> is text, never markup', () => {
  const html = renderers.html(sampleReport(), { color: false, top: null });
  assert.equal(html, renderHtml(sampleReport()));
  assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.ok(!html.includes(SCRIPT_NAME));
});
