// The larger terminal chart of one account (src/report/terminal-chart.ts), for `inspect`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hbar, renderAccountChart } from '../src/report/terminal-chart.js';
import { renderAccountChart as fromIndex } from '../src/report/index.js';
import { displayWidth } from '../src/report/table.js';
import { account, chartReport, MALLORY } from './helpers/chart-report.js';
import { HOSTILE_NAME, sampleReport } from './helpers/sample-report.js';

test('hbar: eighths of a cell, a sliver for any non-zero share', () => {
  assert.equal(hbar(1, 4), '████');
  assert.equal(hbar(0.5, 4), '██');
  assert.equal(hbar(0.53, 4), '██▏');
  assert.equal(hbar(0.001, 4), '▏');
  assert.equal(hbar(0, 4), '');
  assert.equal(hbar(Number.NaN, 4), '');
});

test('account chart: histogram rows against the peers, with floor markers', () => {
  const r = chartReport();
  const out = renderAccountChart(r, account(r, MALLORY), { width: 100 });
  assert.equal(fromIndex, renderAccountChart);
  const lines = out.split('\n');
  // The title wraps at the width.
  assert.deepEqual(lines.slice(0, 2), ['mallory.k: app_rtt latency, share of samples per bin (n=2,310) vs peers nyc-hq (7 accounts, this one', 'left out)']);
  const row = (label: string) => lines.find((l) => l.trimStart().startsWith(label + ' │'))!;
  // Shares: 412/2310 = 17.8 %, 1288/2310 = 55.8 %; peers 6000/11690 = 51.3 %.
  assert.match(row('178-274'), /│█+[▏▎▍▌▋▊▉]? +55\.8%│/);
  assert.match(row('115-178'), /17\.8%│.*3\.4% ◂ floor$/);
  assert.match(row('32-49'), /│ +│█+[▏▎▍▌▋▊▉]? +51\.3%$/);
  assert.match(row('21-32'), /◂ peer floor$/);
  // Bars scale with the largest share (55.8 % is the full bar).
  const full = /│(█+)/.exec(row('178-274'))![1]!.length;
  const peer = /│ +│(█+)/.exec(row('32-49'))![1]!.length;
  assert.ok(Math.abs(peer / full - 51.3 / 55.8) < 0.06, `${peer}/${full}`);
  assert.ok(lines.includes('floor 118.0 ms; peer floor 27.4 ms; bins are log-spaced, bars scaled to the largest share'));
});

test('account chart: daily floor columns, peer floor and the change point marked', () => {
  const r = chartReport();
  const out = renderAccountChart(r, account(r, MALLORY), { width: 100, height: 8 });
  const lines = out.split('\n');
  const start = lines.findIndex((l) => l.startsWith('mallory.k: daily app_rtt floor'));
  assert.equal(lines[start], 'mallory.k: daily app_rtt floor, ms (2026-03-02 .. 2026-03-23, 20 days with data)');
  const chart = lines.slice(start + 1, start + 9);
  assert.equal(chart.length, 8);
  // 20 days, 3 characters each: the first 9 days low, the last 11 high.
  const top = chart[0]!.slice(9);
  assert.equal(top.length, 60);
  assert.ok(/^ {27}/.test(top) && /[▁▂▃▄▅▆▇█]{33}$/.test(top), JSON.stringify(top));
  assert.ok(chart[7]!.startsWith('    0.0 ┼'));
  assert.ok(chart.some((l) => l.startsWith('   27.4 ┤')), 'the peer floor row is labelled');
  const marks = lines[start + 10]!;
  assert.equal(marks.indexOf('▲'), 9 + 9 * 3, 'under the first day of the new level');
  assert.ok(lines.includes('▲ change point: new floor level from 2026-03-11'));
  assert.ok(lines.includes('┈ peer floor 27.4 ms'));
  for (const l of lines) assert.ok(displayWidth(l) <= 100, l);
});

test('account chart: hostile names are shown, never interpreted; colour only when asked', () => {
  const r = sampleReport();
  const evil = account(r, HOSTILE_NAME);
  const plain = renderAccountChart(r, evil, { width: 80 });
  assert.ok(!/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/.test(plain));
  assert.ok(plain.startsWith('evil\\u001b[31m\\u0007=cmd|'));
  const coloured = renderAccountChart(r, evil, { width: 80, color: true });
  assert.ok(coloured.includes('\u001b[31m'), 'own colour sequences when asked');
  assert.equal(coloured.replace(/\u001b\[[0-9;]*m/g, ''), plain);
  // One day of data: the floor chart says so instead of drawing one column.
  const one = sampleReport();
  account(one, 'trent.x').kinds[0]!.daily = [{ day: '2026-03-02', n: 9, floorMs: 22, rank: 1 }];
  assert.match(renderAccountChart(one, account(one, 'trent.x')), /daily rtt floor: 1 day of data, no chart/);
  assert.equal(renderAccountChart(r, account(r, 'trent.x'), { kind: 'app_rtt' }), 'trent.x: no app_rtt samples to chart\n');
});
