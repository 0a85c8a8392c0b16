// Detection power and false-positive rate of keylag's default scoring, measured on simulated
// populations (DESIGN section 3, Scoring: "document the false-positive rate measured on simulated
// clean populations"). Measures, never asserts: the report says which targets are met.
//
//   npm run power          (= tsc -p tsconfig.json && node dist/bench/power.js)
//   node dist/bench/power.js [--workers N] [--out FILE]
//
// Every population comes from fixtures/generator.ts with a fixed seed and goes through the real
// pipeline in-process (runScan over the generated CSV on a stdin stream, roster from a temp file),
// so the tables are a pure function of the code under test: only the wall time and the commit
// line change between runs. Populations run on worker threads (default 2) and the results are
// put back in task order, so the number of workers never changes a figure.
//
// Studies:
//   1. Detection: farm plants at +20/+40/+60/+100 ms, one per site, on the same seeds per shift.
//   2. Clean populations under the generator's own assumptions.
//   3. Clean populations that break those assumptions (tails, resolution, congestion, small n).
//   4. Detection at small n: +100 ms farm plants (as study 1) with 30-60 and 60-100 samples per
//      account, where the floor comes from the sample minimum weighted by 1 - 0.95^n.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import {
  DEFAULT_OPTIONS, DEFAULT_SITES, generatePopulation, rosterToCsv, toCsv, type GeneratorOptions,
} from '../fixtures/generator.js';
import { DEFAULT_MEMORY_BUDGET_VALUES, DEFAULT_MIN_SAMPLES, runScan } from '../src/pipeline.js';
import { FLAG_SCORE } from '../src/score/combine.js';

// ---------------------------------------------------------------------------
// Study design (sized from a probe: one default population takes ~2.5-2.8 s to generate and scan,
// a small-n one ~0.8 s; 400 populations on 2 worker threads take ~10 minutes).

/** Score a clean account should rarely reach: "worth a look" without being flagged. */
const WATCH_SCORE = 50;

/** What makes a population clean: no plants, no service accounts, no name or roster quirks. */
const CLEAN: GeneratorOptions = { plants: [], serviceAccounts: [], nameVariants: 0, rosterOnly: 0, unrostered: 0 };

const PLANTED_SHIFTS_MS = [20, 40, 60, 100];
/** Same seeds for every shift: the shifts are compared on the very same populations and plant picks. */
const DETECTION_SEEDS = seedRange(1001, 25);
/** One farm account per default site: 4 planted accounts per population. */
const farmPlants = (plantedShiftMs: number): GeneratorOptions['plants'] =>
  DEFAULT_SITES.map((site) => ({ kind: 'farm' as const, extraMs: plantedShiftMs, site: site.name }));

const CLEAN_SEEDS = seedRange(2001, 100);
/** Target of study 2: fewer than 1 flagged per 1,000 clean accounts. */
const CLEAN_FLAG_TARGET = 1 / 1000;

/** Same seeds for every variant, distinct from the other studies. */
const STRESS_SEEDS = seedRange(3001, 25);
/** Target of study 3: fewer than 1 in 100 clean accounts reaching WATCH_SCORE. */
const STRESS_WATCH_TARGET = 1 / 100;
const STRONG_CONGESTION: GeneratorOptions = { timeOfDayCongestion: true, congestionMs: 30 };
const SMALL_N: GeneratorOptions = { samplesPerAccount: [30, 60] };
const STRESS_VARIANTS: { name: string; options: GeneratorOptions }[] = [
  { name: 'pareto tails', options: { tail: 'pareto' } },
  { name: 'exponential tails', options: { tail: 'exponential' } },
  { name: 'whole milliseconds', options: { resolutionMs: 1 } },
  { name: 'strong time-of-day congestion', options: STRONG_CONGESTION },
  { name: 'small n per account', options: SMALL_N },
  { name: 'all combined', options: { tail: 'pareto', resolutionMs: 1, ...STRONG_CONGESTION, ...SMALL_N } },
];

/** Study 4: the shift that study 1 detects every time at default n, now with few samples per account. */
const SMALL_N_SHIFT_MS = 100;
/** Same seeds for every sample-size band, distinct from the other studies. */
const SMALL_N_SEEDS = seedRange(4001, 25);
const SMALL_N_BANDS: { name: string; options: GeneratorOptions }[] = [
  { name: '30-60 samples', options: { samplesPerAccount: [30, 60] } },
  { name: '60-100 samples', options: { samplesPerAccount: [60, 100] } },
];
/** Planted accounts of study 4 split by their own sample count (72: smallest n with a two-sided 95 % p5 interval). */
const SMALL_N_SPLITS: { name: string; from: number; to: number }[] = [
  { name: 'n 30-44', from: 30, to: 44 },
  { name: 'n 45-59', from: 45, to: 59 },
  { name: 'n 60-71', from: 60, to: 71 },
  { name: 'n 72-100', from: 72, to: 100 },
];

/** Clean accounts kept with their evidence, per study / variant, for the "what drives it" section. */
const TOP_CLEAN_SHOWN = 5;
/** Evidence travels back from the workers only for accounts at or above this score. */
const EVIDENCE_FROM_SCORE = 20;

function seedRange(first: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => first + i);
}

// ---------------------------------------------------------------------------
// One population: generate, scan, keep what the studies need.

interface PopulationTask {
  id: number;
  study: string;
  variant: string;
  seed: number;
  options: GeneratorOptions;
  expectClean: boolean;
}

interface EvidenceBrief {
  signal: string;
  kind: string;
  points: number;
  counted: boolean;
  sentence: string;
}

interface AccountOutcome {
  account: string;
  site: string | null;
  planted: boolean;
  status: string;
  score: number;
  flagged: boolean;
  rank: number | null;
  samples: number;
  evidence: EvidenceBrief[] | null;
}

interface PopulationResult {
  id: number;
  seed: number;
  rows: number;
  ms: number;
  accounts: AccountOutcome[];
}

async function runPopulation(task: PopulationTask, tempDir: string): Promise<PopulationResult> {
  const started = performance.now();
  const population = generatePopulation({ ...task.options, seed: task.seed });
  if (task.expectClean && (population.planted.length > 0 || population.accounts.some((a) => a.role !== 'regular'))) {
    throw new Error(`population ${task.study}/${task.variant} seed ${task.seed} is not clean`);
  }
  const plantedAccounts = new Set(population.planted.map((p) => p.account));
  const siteOf = new Map(population.accounts.map((a) => [a.account, a.site]));
  const csvText = toCsv(population.rows, { decimals: population.options.resolutionMs === 1 ? 0 : 1 });
  const rosterPath = join(tempDir, `roster-${task.id}.csv`);
  writeFileSync(rosterPath, rosterToCsv(population.roster));
  try {
    const report = await runScan({
      inputs: ['-'],
      stdin: Readable.from([Buffer.from(csvText)]),
      rosterPath,
      columns: {},
      inputFormat: null,
      since: null,
      until: null,
      exclude: null,
      minSamples: DEFAULT_MIN_SAMPLES,
      strict: false,
      keepGoing: false,
      memoryBudgetValues: DEFAULT_MEMORY_BUDGET_VALUES,
      arguments: [],
      version: 'power',
    });
    const accounts = report.accounts.map((a): AccountOutcome => ({
      account: a.account,
      site: siteOf.get(a.account) ?? null,
      planted: plantedAccounts.has(a.account),
      status: a.status,
      score: a.score,
      flagged: a.flagged,
      rank: a.rank,
      samples: a.samples,
      evidence: a.score < EVIDENCE_FROM_SCORE ? null : a.evidence.map((e) => ({
        signal: e.signal,
        kind: e.kind,
        points: e.points,
        counted: e.stats['countedPoints'] !== 0,
        sentence: e.sentence,
      })),
    }));
    return { id: task.id, seed: task.seed, rows: population.rows.length, ms: performance.now() - started, accounts };
  } finally {
    rmSync(rosterPath, { force: true });
  }
}

// ---------------------------------------------------------------------------
// Worker threads

interface WorkerInit { tempDir: string }

if (!isMainThread) {
  const { tempDir } = workerData as WorkerInit;
  parentPort!.on('message', (task: PopulationTask) => {
    runPopulation(task, tempDir).then(
      (result) => parentPort!.postMessage({ result }),
      (err: unknown) => parentPort!.postMessage({ error: err instanceof Error ? err.stack ?? err.message : String(err) }),
    );
  });
}

/** Run every task on `workers` threads (0: in this thread); results in task order. */
async function runAll(tasks: PopulationTask[], workers: number, tempDir: string, onDone: (r: PopulationResult) => void): Promise<PopulationResult[]> {
  const results: PopulationResult[] = new Array(tasks.length);
  if (workers === 0) {
    for (const task of tasks) {
      results[task.id] = await runPopulation(task, tempDir);
      onDone(results[task.id]!);
    }
    return results;
  }
  let next = 0;
  const threads = Array.from({ length: Math.min(workers, tasks.length) }, () => new Worker(new URL(import.meta.url), { workerData: { tempDir } satisfies WorkerInit }));
  try {
    await Promise.all(threads.map((thread) => new Promise<void>((done, fail) => {
      const feed = (): void => {
        if (next >= tasks.length) { done(); return; }
        thread.postMessage(tasks[next++]!);
      };
      thread.on('message', (msg: { result?: PopulationResult; error?: string }) => {
        if (msg.error !== undefined || msg.result === undefined) { fail(new Error(msg.error ?? 'worker sent nothing')); return; }
        results[msg.result.id] = msg.result;
        onDone(msg.result);
        feed();
      });
      thread.on('error', fail);
      feed();
    })));
  } finally {
    await Promise.all(threads.map((t) => t.terminate()));
  }
  return results;
}

// ---------------------------------------------------------------------------
// Statistics: Wilson score interval, rule of three, order statistics

const Z95 = 1.959963984540054;

function wilson(k: number, n: number): [number, number] {
  if (n === 0) return [0, 1];
  const p = k / n;
  const z2 = Z95 * Z95;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (Z95 / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** Nearest-rank quantile of sorted values. */
function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

function medianOf(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

// ---------------------------------------------------------------------------
// Formatting

const fmt = (x: number, digits = 1): string => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');
const int = (x: number): string => x.toLocaleString('en-US');

/** "k/n", the rate and its Wilson interval in percent (rule of three added for k = 0). */
function rateCells(k: number, n: number, digits = 1): string[] {
  const [lo, hi] = wilson(k, n);
  const pct = (x: number): string => `${(100 * x).toFixed(digits)} %`;
  const interval = `[${pct(lo)}, ${pct(hi)}]${k === 0 && n > 0 ? `; rule of 3: ≤ ${pct(3 / n)}` : ''}`;
  return [`${int(k)}/${int(n)}`, pct(n === 0 ? NaN : k / n), interval];
}

/** Rate per 1,000 accounts with interval. */
function perThousandCells(k: number, n: number): string[] {
  const [lo, hi] = wilson(k, n);
  const f = (x: number): string => (1000 * x).toFixed(2);
  const interval = `[${f(lo)}, ${f(hi)}]${k === 0 && n > 0 ? `; rule of 3: ≤ ${f(3 / n)}` : ''}`;
  return [`${int(k)}/${int(n)}`, f(n === 0 ? NaN : k / n), interval];
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Verdict on a rate target from the point estimate and the Wilson upper bound. */
function verdict(k: number, n: number, target: number): string {
  const [, hi] = wilson(k, n);
  if (k / n >= target) return '**MISSED** (point estimate at or above target)';
  if (hi < target) return 'met (95 % upper bound below target)';
  return 'point estimate below target, but the 95 % interval reaches it';
}

function seedsText(seeds: number[]): string {
  return `${seeds[0]}-${seeds[seeds.length - 1]} (${seeds.length} seeds)`;
}

function optionsJson(options: GeneratorOptions): string {
  return `\`${JSON.stringify(options)}\``;
}

// ---------------------------------------------------------------------------
// Aggregation

interface TaggedOutcome extends AccountOutcome { seed: number }

function outcomes(results: PopulationResult[], tasks: PopulationTask[], study: string, variant?: string): TaggedOutcome[] {
  return results
    .filter((r) => tasks[r.id]!.study === study && (variant === undefined || tasks[r.id]!.variant === variant))
    .flatMap((r) => r.accounts.map((a) => ({ ...a, seed: r.seed })));
}

function countBy<T>(items: T[], pred: (x: T) => boolean): number {
  let k = 0;
  for (const x of items) if (pred(x)) k++;
  return k;
}

/** Highest-scoring non-planted accounts with a score above 0, each (seed, account) once. */
function topClean(accounts: TaggedOutcome[], count: number): TaggedOutcome[] {
  const seen = new Set<string>();
  return accounts
    .filter((a) => !a.planted && a.score > 0)
    .sort((a, b) => b.score - a.score || a.seed - b.seed || (a.account < b.account ? -1 : 1))
    .filter((a) => {
      const key = `${a.seed}\u0000${a.account}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .slice(0, count);
}

function describeTop(title: string, accounts: TaggedOutcome[]): string {
  if (accounts.length === 0) return `**${title}**: no clean account scored above 0.\n`;
  const lines = [`**${title}**`, ''];
  for (const a of accounts) {
    lines.push(`- seed ${a.seed}, \`${a.account}\` (site ${a.site ?? 'none'}): score ${fmt(a.score)}${a.flagged ? ', flagged' : ''}`);
    for (const e of a.evidence ?? []) {
      lines.push(`  - \`${e.signal}\` (${e.kind}), ${fmt(e.points)} points${e.counted ? '' : ' (not counted)'}: ${e.sentence}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Study 1 columns for planted accounts: flagged, reaching WATCH_SCORE, median score, median rank. */
function plantedCells(planted: TaggedOutcome[], accountsPerPop: number): string[] {
  return [
    ...rateCells(countBy(planted, (a) => a.flagged), planted.length),
    ...rateCells(countBy(planted, (a) => a.score >= WATCH_SCORE), planted.length),
    fmt(medianOf(planted.map((a) => a.score))),
    `${fmt(medianOf(planted.map((a) => a.rank ?? accountsPerPop)), 1)} of ${fmt(accountsPerPop, 0)}`,
  ];
}

const PLANTED_HEADER = ['flagged k/n', 'flagged rate', '95 % CI', `≥ ${WATCH_SCORE} k/n`, `≥ ${WATCH_SCORE} rate`, '95 % CI', 'median score', 'median rank'];

function scoreDistribution(accounts: TaggedOutcome[]): string[] {
  const scores = accounts.map((a) => a.score).sort((a, b) => a - b);
  return [fmt(quantile(scores, 0.5)), fmt(quantile(scores, 0.9)), fmt(quantile(scores, 0.99)), fmt(quantile(scores, 0.999)), fmt(scores[scores.length - 1] ?? NaN)];
}

// ---------------------------------------------------------------------------
// Main

function gitCommit(root: string): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() !== '';
    return dirty ? `${head} + uncommitted changes in the working tree` : head;
  } catch {
    return 'unknown (git not available)';
  }
}

function parseArgs(argv: string[], root: string): { workers: number; out: string } {
  let workers = Math.min(2, availableParallelism());
  let out = join(root, 'bench', 'POWER.md');
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--workers') {
      workers = Number(argv[++i]);
      if (!Number.isInteger(workers) || workers < 0) throw new Error('--workers needs an integer >= 0 (0: run in the main thread)');
    } else if (a === '--out') {
      out = resolve(argv[++i] ?? '');
    } else {
      throw new Error(`unknown argument ${a} (usage: power.js [--workers N] [--out FILE])`);
    }
  }
  return { workers, out };
}

function buildTasks(): PopulationTask[] {
  const tasks: PopulationTask[] = [];
  const add = (study: string, variant: string, seed: number, options: GeneratorOptions, expectClean: boolean): void => {
    tasks.push({ id: tasks.length, study, variant, seed, options, expectClean });
  };
  for (const plantedShiftMs of PLANTED_SHIFTS_MS) {
    for (const seed of DETECTION_SEEDS) add('detection', `+${plantedShiftMs} ms`, seed, { ...CLEAN, plants: farmPlants(plantedShiftMs) }, false);
  }
  for (const seed of CLEAN_SEEDS) add('clean', 'default', seed, CLEAN, true);
  for (const v of STRESS_VARIANTS) for (const seed of STRESS_SEEDS) add('stress', v.name, seed, { ...CLEAN, ...v.options }, true);
  for (const b of SMALL_N_BANDS) {
    for (const seed of SMALL_N_SEEDS) add('small-n detection', b.name, seed, { ...CLEAN, ...b.options, plants: farmPlants(SMALL_N_SHIFT_MS) }, false);
  }
  return tasks;
}

async function main(): Promise<void> {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const { workers, out } = parseArgs(process.argv.slice(2), root);
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const commit = gitCommit(root);
  const tasks = buildTasks();
  const tempDir = mkdtempSync(join(tmpdir(), 'keylag-power-'));
  const started = performance.now();

  // Probe: one default population in this thread, to show what a population costs here.
  const probe = await runPopulation({ id: 0, study: 'probe', variant: '', seed: 1, options: CLEAN, expectClean: true }, tempDir);
  process.stderr.write(`power: one default population (${int(probe.rows)} rows, ${probe.accounts.length} accounts) takes ${fmt(probe.ms / 1000, 2)} s; `
    + `running ${tasks.length} populations on ${workers === 0 ? 'the main thread' : `${workers} worker thread(s)`}\n`);

  let done = 0;
  const perStudy = new Map<string, number>();
  for (const t of tasks) perStudy.set(t.study, (perStudy.get(t.study) ?? 0) + 1);
  const doneStudy = new Map<string, number>();
  let results: PopulationResult[];
  try {
    results = await runAll(tasks, workers, tempDir, (r) => {
      done++;
      const study = tasks[r.id]!.study;
      doneStudy.set(study, (doneStudy.get(study) ?? 0) + 1);
      if (done % 10 === 0 || done === tasks.length) {
        const elapsed = (performance.now() - started) / 1000;
        const eta = (elapsed / done) * (tasks.length - done);
        const parts = [...perStudy.entries()].map(([s, n]) => `${s} ${doneStudy.get(s) ?? 0}/${n}`).join(', ');
        process.stderr.write(`power: ${done}/${tasks.length} populations (${parts}), ${fmt(elapsed, 0)} s elapsed, ~${fmt(eta, 0)} s left\n`);
      }
    });
  } finally {
    rmSync(tempDir, { recursive: true, force: true });
  }
  const wallS = (performance.now() - started) / 1000;
  const cpuS = results.reduce((s, r) => s + r.ms, 0) / 1000;

  const md: string[] = [];
  const push = (...blocks: string[]): void => { md.push(...blocks.map((b) => `${b}\n`)); };
  push(
    '# keylag: detection power and false-positive rate',
    `Generated by \`npm run power\` (bench/power.ts). **Measured, not asserted.** keylag ${version}, commit ${commit}. `
      + `Scores are 0-100; an account is flagged at ${FLAG_SCORE} or more (report field \`flagged\`); ${WATCH_SCORE} is used below as "worth a look". `
      + `${tasks.length} populations (${int(results.reduce((s, r) => s + r.rows, 0))} samples), wall time ${fmt(wallS, 0)} s on ${workers === 0 ? '1 thread' : `${workers} worker threads`} `
      + `(${fmt(cpuS, 0)} s of population time; one default population ${fmt(probe.ms / 1000, 2)} s).`,
    'Method: each population is generated by `generatePopulation` (fixtures/generator.ts) with the options and seed below, written as CSV '
      + '(whole-millisecond populations with 0 decimals, others with 1) and scanned in-process by `runScan` with the roster and default settings '
      + `(min samples ${DEFAULT_MIN_SAMPLES}, no exclusions). Rates are over all accounts of the populations (insufficient-data accounts count as not flagged; `
      + 'their number is shown). Intervals are 95 % Wilson score intervals; with 0 events the rule-of-three upper bound 3/n is also given. '
      + 'Populations are not independent samples of accounts (accounts of one population share peers), so the intervals are somewhat optimistic.',
  );

  // Study 1
  const detection = outcomes(results, tasks, 'detection');
  push(
    '## 1. Detection of laptop-farm floor shifts',
    `Seeds ${seedsText(DETECTION_SEEDS)}, the same for every shift (same populations and planted accounts; only the shift differs, `
      + 'so the non-planted accounts are the same people in every row and their rows are not independent). '
      + `Options (shown for +${PLANTED_SHIFTS_MS[0]} ms; \`extraMs\` is the shift): ${optionsJson({ ...CLEAN, plants: farmPlants(PLANTED_SHIFTS_MS[0]!) })}, `
      + 'i.e. one farm account per site (4 per population), every sample of it shifted by the planted amount. Ranks are among the scored accounts of its population (1 = top).',
  );
  const detectionRows: string[][] = [];
  const byShiftSite: string[][] = [];
  const backgroundRows: string[][] = [];
  for (const plantedShiftMs of PLANTED_SHIFTS_MS) {
    const variant = `+${plantedShiftMs} ms`;
    const all = outcomes(results, tasks, 'detection', variant);
    const planted = all.filter((a) => a.planted);
    const background = all.filter((a) => !a.planted);
    const pops = tasks.filter((t) => t.study === 'detection' && t.variant === variant).length;
    const accountsPerPop = all.length / pops;
    detectionRows.push([variant, String(pops), ...plantedCells(planted, accountsPerPop)]);
    byShiftSite.push([variant, ...DEFAULT_SITES.map((s) => {
      const here = planted.filter((a) => a.site === s.name);
      return `${countBy(here, (a) => a.flagged)}/${here.length} · ${countBy(here, (a) => a.score >= WATCH_SCORE)}/${here.length} · ${fmt(medianOf(here.map((a) => a.score)))}`;
    })]);
    backgroundRows.push([
      variant,
      ...perThousandCells(countBy(background, (a) => a.flagged), background.length),
      ...perThousandCells(countBy(background, (a) => a.score >= WATCH_SCORE), background.length),
      fmt(Math.max(...background.map((a) => a.score))),
    ]);
  }
  push(
    '### Planted accounts',
    table(['shift', 'populations', ...PLANTED_HEADER], detectionRows),
    '### Planted accounts by site (flagged k/n · ≥ 50 k/n · median score)',
    table(['shift', ...DEFAULT_SITES.map((s) => `${s.name} (base ${s.baseFloorMs} ms, ${s.accounts} acc.)`)], byShiftSite),
    '### Non-planted accounts of the same populations (per 1,000 accounts)',
    table(['shift', 'flagged k/n', 'per 1,000', '95 % CI', `≥ ${WATCH_SCORE} k/n`, 'per 1,000', '95 % CI', 'max score'], backgroundRows),
  );

  // Study 2
  const clean = outcomes(results, tasks, 'clean');
  const cleanFlagged = countBy(clean, (a) => a.flagged);
  const cleanWatch = countBy(clean, (a) => a.score >= WATCH_SCORE);
  push(
    '## 2. Clean populations under the generator\'s assumptions',
    `Seeds ${seedsText(CLEAN_SEEDS)}. Options: ${optionsJson(CLEAN)} (everything else the generator defaults, see the appendix). `
      + `Target: fewer than 1 flagged per 1,000 clean accounts. ${countBy(clean, (a) => a.status !== 'scored')} of ${int(clean.length)} accounts had insufficient data.`,
    table(['measure', 'k/n', 'per 1,000', '95 % CI', 'target'], [
      ['flagged', ...perThousandCells(cleanFlagged, clean.length), `< 1 per 1,000: ${verdict(cleanFlagged, clean.length, CLEAN_FLAG_TARGET)}`],
      [`reaching ${WATCH_SCORE}`, ...perThousandCells(cleanWatch, clean.length), '(no target)'],
    ]),
    '### Clean score distribution (nearest-rank quantiles over all accounts)',
    table(['accounts', 'median', 'p90', 'p99', 'p99.9', 'max'], [[int(clean.length), ...scoreDistribution(clean)]]),
    '### By site',
    table(['site', 'accounts', 'flagged', `≥ ${WATCH_SCORE}`, 'p99', 'max'], DEFAULT_SITES.map((s) => {
      const here = clean.filter((a) => a.site === s.name);
      const scores = here.map((a) => a.score).sort((a, b) => a - b);
      return [s.name, int(here.length), String(countBy(here, (a) => a.flagged)), String(countBy(here, (a) => a.score >= WATCH_SCORE)), fmt(quantile(scores, 0.99)), fmt(scores[scores.length - 1] ?? NaN)];
    })),
  );

  // Study 3
  const stressRows: string[][] = [];
  const misses: string[] = [];
  for (const v of STRESS_VARIANTS) {
    const all = outcomes(results, tasks, 'stress', v.name);
    const watch = countBy(all, (a) => a.score >= WATCH_SCORE);
    const flagged = countBy(all, (a) => a.flagged);
    const scores = all.map((a) => a.score).sort((a, b) => a - b);
    const v50 = verdict(watch, all.length, STRESS_WATCH_TARGET);
    if (v50.startsWith('**MISSED**')) misses.push(v.name);
    stressRows.push([
      v.name, int(all.length), String(countBy(all, (a) => a.status !== 'scored')),
      ...rateCells(watch, all.length, 2), v50,
      ...rateCells(flagged, all.length, 2),
      fmt(quantile(scores, 0.99)), fmt(scores[scores.length - 1] ?? NaN),
    ]);
  }
  push(
    '## 3. Clean populations that break the generator\'s assumptions',
    `Seeds ${seedsText(STRESS_SEEDS)} for every variant. Target: fewer than 1 in 100 clean accounts reaching ${WATCH_SCORE}. `
      + 'Options per variant (on top of the clean options of study 2):',
    STRESS_VARIANTS.map((v) => `- ${v.name}: ${optionsJson(v.options)}`).join('\n'),
    table(['variant', 'accounts', 'insufficient', `≥ ${WATCH_SCORE} k/n`, 'rate', '95 % CI', 'target < 1 %', 'flagged k/n', 'rate', '95 % CI', 'p99', 'max'], stressRows),
  );

  // Study 4
  const smallRows: string[][] = [];
  const smallSplitRows: string[][] = [];
  const smallCleanRows: string[][] = [];
  const smallSummary: string[] = [];
  for (const b of SMALL_N_BANDS) {
    const all = outcomes(results, tasks, 'small-n detection', b.name);
    const planted = all.filter((a) => a.planted);
    const background = all.filter((a) => !a.planted);
    const pops = tasks.filter((t) => t.study === 'small-n detection' && t.variant === b.name).length;
    const accountsPerPop = all.length / pops;
    smallRows.push([b.name, String(pops), ...plantedCells(planted, accountsPerPop)]);
    for (const split of SMALL_N_SPLITS) {
      const here = planted.filter((a) => a.samples >= split.from && a.samples <= split.to);
      if (here.length === 0) continue;
      smallSplitRows.push([
        b.name, split.name, String(here.length),
        `${countBy(here, (a) => a.flagged)}/${here.length}`,
        `${countBy(here, (a) => a.score >= WATCH_SCORE)}/${here.length}`,
        fmt(medianOf(here.map((a) => a.score))),
        `${fmt(Math.min(...here.map((a) => a.score)))}-${fmt(Math.max(...here.map((a) => a.score)))}`,
      ]);
    }
    const bgFlagged = countBy(background, (a) => a.flagged);
    const bgWatch = countBy(background, (a) => a.score >= WATCH_SCORE);
    const bgScores = background.map((a) => a.score).sort((x, y) => x - y);
    smallCleanRows.push([
      b.name, int(background.length), String(countBy(background, (a) => a.status !== 'scored')),
      ...perThousandCells(bgFlagged, background.length),
      ...perThousandCells(bgWatch, background.length),
      fmt(quantile(bgScores, 0.99)), fmt(bgScores[bgScores.length - 1] ?? NaN),
    ]);
    smallSummary.push(`- Study 4, ${b.name} (no target; +${SMALL_N_SHIFT_MS} ms plants): flagged ${smallRows[smallRows.length - 1]![2]}, `
      + `≥ ${WATCH_SCORE} ${smallRows[smallRows.length - 1]![5]}; non-planted accounts flagged ${bgFlagged}/${int(background.length)}, ≥ ${WATCH_SCORE} ${bgWatch}/${int(background.length)}.`);
  }
  push(
    '## 4. Detection at small n',
    `Seeds ${seedsText(SMALL_N_SEEDS)} for both sample-size bands. Plants as in study 1 at +${SMALL_N_SHIFT_MS} ms (one farm account per site, 4 per population), `
      + 'with the number of samples per account (every account, planted or not) drawn from the band: '
      + SMALL_N_BANDS.map((b) => `${b.name}: ${optionsJson(b.options)}`).join('; ')
      + '. Below n≈72 there is no two-sided 95 % interval for the floor (p5); the floor\'s lower bound is then the sample minimum, '
      + 'weighted by its confidence 1 - 0.95^n of lying below the true p5. Ranks are among the scored accounts of its population (1 = top).',
    '### Planted accounts',
    table(['samples per account', 'populations', ...PLANTED_HEADER], smallRows),
    '### Planted accounts by their own sample count',
    table(['band', 'planted n', 'accounts', 'flagged', `≥ ${WATCH_SCORE}`, 'median score', 'score range'], smallSplitRows),
    '### Non-planted (clean) accounts of the same populations (per 1,000 accounts)',
    table(['samples per account', 'accounts', 'insufficient', 'flagged k/n', 'per 1,000', '95 % CI', `≥ ${WATCH_SCORE} k/n`, 'per 1,000', '95 % CI', 'p99', 'max'], smallCleanRows),
  );

  // What drives the highest clean scores
  const tops: string[] = [];
  tops.push(describeTop('Study 1, non-planted accounts (all shifts)', topClean(detection, TOP_CLEAN_SHOWN)));
  tops.push(describeTop('Study 2, clean', topClean(clean, TOP_CLEAN_SHOWN)));
  for (const v of STRESS_VARIANTS) tops.push(describeTop(`Study 3, ${v.name}`, topClean(outcomes(results, tasks, 'stress', v.name), TOP_CLEAN_SHOWN)));
  for (const b of SMALL_N_BANDS) tops.push(describeTop(`Study 4, ${b.name}, non-planted accounts`, topClean(outcomes(results, tasks, 'small-n detection', b.name), TOP_CLEAN_SHOWN)));
  push(
    '## Highest-scoring clean accounts and their evidence',
    `The ${TOP_CLEAN_SHOWN} highest clean scores per study / variant, with every evidence item (signal, kind, points, sentence as in the report).`,
    ...tops.filter((t) => t !== ''),
  );

  push(
    '## Summary of targets',
    [
      `- Study 2 (flagged < 1 per 1,000 clean accounts): ${verdict(cleanFlagged, clean.length, CLEAN_FLAG_TARGET)}; ${cleanFlagged}/${int(clean.length)}.`,
      ...STRESS_VARIANTS.map((v, i) => `- Study 3, ${v.name} (≥ ${WATCH_SCORE} in < 1 % of clean accounts): ${stressRows[i]![6]}; ${stressRows[i]![3]}.`),
      misses.length === 0 ? '- Every study 3 variant meets its target on the point estimate.' : `- Missed in study 3: ${misses.join(', ')}.`,
      ...smallSummary,
    ].join('\n'),
    '## Appendix: generator defaults (`DEFAULT_OPTIONS`; the seed is set per population)',
    `\`\`\`\n${Object.entries({ ...DEFAULT_OPTIONS, seed: 'per population' })
      .map(([key, value]) => (Array.isArray(value) && value.some((x) => typeof x === 'object')
        ? `${key}:\n${value.map((x) => `  ${JSON.stringify(x)}`).join('\n')}`
        : `${key}: ${JSON.stringify(value)}`))
      .join('\n')}\n\`\`\``,
  );

  const text = md.join('\n');
  writeFileSync(out, text);
  process.stdout.write(text);
  process.stderr.write(`power: wrote ${out} in ${fmt(wallS, 0)} s\n`);
}

if (isMainThread) {
  main().catch((err: unknown) => {
    process.stderr.write(`power: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
