import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scoreFromPoints, countEvidence, FLAG_SCORE, SCORE_SCALE_POINTS } from '../src/score/combine.js';
import { assignPeerGroups, EVERYONE } from '../src/baseline/peers.js';
import { runScan, DEFAULT_MIN_SAMPLES, DEFAULT_MEMORY_BUDGET_VALUES } from '../src/pipeline.js';
import { generatePopulation, toCsv, rosterToCsv, type GeneratorOptions } from '../fixtures/generator.js';
import type { Evidence } from '../src/types.js';

test('score: 0 without evidence, monotone, flag line at ~72 points', () => {
  assert.equal(scoreFromPoints(0), 0);
  assert.equal(scoreFromPoints(-40), 0);
  let previous = -1;
  for (let p = 0; p <= 400; p += 5) {
    const s = scoreFromPoints(p);
    assert.ok(s > previous && s < 100, `score(${p}) = ${s}`);
    previous = s;
  }
  const flagPoints = SCORE_SCALE_POINTS * Math.log(1 / (1 - FLAG_SCORE / 100));
  assert.ok(Math.abs(scoreFromPoints(flagPoints) - FLAG_SCORE) < 1e-9);
  assert.ok(flagPoints > 72 && flagPoints < 73);
});

function item(signal: string, kind: Evidence['kind'], points: number): Evidence {
  return { signal, kind, observed: 0, baseline: 0, unit: 'ms', effect: 0, effectName: '', interval: null, pValue: null, stats: {}, points, sentence: '' };
}

test('per signal only the strongest kind counts; exculpatory items subtract', () => {
  const floorRtt = item('floor_vs_peers', 'rtt', 30);
  const floorApp = item('floor_vs_peers', 'app_rtt', 80);
  const shift = item('shift_vs_peers', 'app_rtt', 10);
  const exculpatory = item('physics', 'app_rtt', -25);
  const { total, counted } = countEvidence([floorRtt, floorApp, shift, exculpatory]);
  assert.equal(total, 80 + 10 - 25);
  assert.ok(counted.includes(floorApp) && !counted.includes(floorRtt));
});

test('peer groups: roster sites with >= 8 accounts, else everyone', () => {
  const accounts = [...Array.from({ length: 8 }, (_, i) => `big${i}`), ...Array.from({ length: 7 }, (_, i) => `small${i}`), 'stranger'];
  const site = (a: string) => (a.startsWith('big') ? 'big' : a.startsWith('small') ? 'small' : null);
  const groups = assignPeerGroups(accounts, site);
  assert.equal(groups.get('big0'), 'site:big');
  assert.equal(groups.get('small0'), EVERYONE);
  assert.equal(groups.get('stranger'), EVERYONE);
});

const tmp = mkdtempSync(join(tmpdir(), 'keylag-score-'));

async function scanPopulation(options: GeneratorOptions) {
  const population = generatePopulation(options);
  const rosterPath = join(tmp, `roster-${options.seed}.csv`);
  writeFileSync(rosterPath, rosterToCsv(population.roster));
  const report = await runScan({
    inputs: ['-'], rosterPath, columns: {}, inputFormat: null, since: null, until: null, exclude: null,
    minSamples: DEFAULT_MIN_SAMPLES, strict: false, keepGoing: false, memoryBudgetValues: DEFAULT_MEMORY_BUDGET_VALUES,
    arguments: [], version: 'test', stdin: Readable.from([Buffer.from(toCsv(population.rows))]),
  });
  return { population, report };
}

test('an account\'s score is monotone in the delay injected on it, and its peers\' scores do not move', async () => {
  const scores: number[] = [];
  let others: string | null = null;
  for (const extraMs of [0, 20, 40, 70, 100, 160]) {
    const { report } = await scanPopulation({ seed: 4242, plants: [{ kind: 'farm', account: 'target.user', site: 'nyc', extraMs }] });
    const target = report.accounts.find((a) => a.account === 'target.user')!;
    scores.push(target.score);
    // Other accounts' own figures are untouched by the plant (their evidence can shift slightly, as the peer pool changes).
    const floors = JSON.stringify(report.accounts.filter((a) => a.account !== 'target.user').map((a) => [a.account, a.floorMs]).sort());
    if (others === null) others = floors; else assert.ok(floors === others, 'other accounts\' floors changed');
  }
  for (let i = 1; i < scores.length; i++) assert.ok(scores[i]! >= scores[i - 1]!, `scores not monotone: ${scores.join(', ')}`);
  assert.ok(scores[0]! < 50, `unshifted account scored ${scores[0]}`);
  assert.ok(scores[scores.length - 1]! >= FLAG_SCORE, `+160 ms scored ${scores[scores.length - 1]}`);
});

test('few samples cannot outrank many with the same shift', async () => {
  const { report } = await scanPopulation({
    seed: 99,
    plants: [
      { kind: 'farm', account: 'many.samples', site: 'chi', extraMs: 90 },
      { kind: 'few', account: 'few.samples', site: 'chi', samples: 35, extraMs: 90 },
    ],
  });
  const many = report.accounts.find((a) => a.account === 'many.samples')!;
  const few = report.accounts.find((a) => a.account === 'few.samples')!;
  assert.equal(few.status, 'scored');
  assert.ok(many.score > few.score, `many ${many.score} vs few ${few.score}`);
  assert.ok(many.rank! < few.rank!);
});
