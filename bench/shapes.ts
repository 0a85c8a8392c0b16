// `npm run bench:shapes`: inputs shaped unlike the main benchmark's (one kind, one session per
// account, 30 days), each of which once made time or memory grow with something other than the
// number of accounts: many accounts with keystroke and reaction kinds (peer figures), a year of
// sparse rows (day records), a roster with claimed locations (activity hours), many small files
// (per-file buffers), a session per connection (jitter windows, session floors), 100,000 accounts
// (per-account state, which the 300 MB target does not cover: it is set at 10,000), every cell
// quoted (the byte lane's quoted cells; such lines once all went to csv-parse). Seeded;
// each input is written to bench/data once. keylag scans each (best of N runs, full JSON report)
// and the table goes to stdout and bench/SHAPES.md.
//   node dist/bench/shapes.js [--runs 3]
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '../fixtures/generator.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DATA = join(ROOT, 'bench/data');

interface Shape {
  name: string;
  file: string;
  what: string;
  /** Rows, each a CSV line without its newline, in input order. */
  rows: (rng: Rng) => Generator<string>;
  header: string;
  /** A roster to scan with (`--roster`), as its text. */
  roster?: string;
  /** Write the rows as this many files of equal size in a folder named `file` (scanned as one input). */
  files?: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const MARCH_1 = Date.UTC(2026, 2, 1);

/**
 * `rounds` rounds over `accounts` accounts from 1 March, the accounts interleaved row by row and
 * `stepMs` apart: the lines `lines(account, timeMs, round)` gives for each, in that order.
 */
function* interleaved(rounds: number, accounts: number, stepMs: number,
  lines: (account: number, timeMs: number, round: number) => string[]): Generator<string> {
  let t = MARCH_1;
  for (let r = 0; r < rounds; r++) {
    for (let a = 0; a < accounts; a++) {
      t += stepMs;
      yield* lines(a, t, r);
    }
  }
}

/** 2,000 accounts, each with `sessions` sessions of `perSession` RTTs, the accounts interleaved row by row. */
function sessionShape(name: string, file: string, sessions: number, perSession: number, what: string): Shape {
  return {
    name, file, what,
    header: 'user,timestamp,rtt_ms,session',
    rows: (rng) => interleaved(sessions * perSession, 2_000, 50,
      (a, t, r) => [`u${a},${iso(t)},${(15 + (a % 50) + rng.next() * 20).toFixed(1)},c${a}-${Math.floor(r / perSession)}`]),
  };
}

const ONE_SESSION = sessionShape('one session per account (for comparison)', 'shape-one-session-2000.csv', 1, 1_000,
  '2,000 accounts x 1 session of 1,000 RTTs (2,000,000 rows)');

/** 8,000 accounts in 20 sites of a roster with claimed US locations and zones (activity hours, physics). */
function rosterText(accounts: number): string {
  const places = [['New York, US', 'America/New_York'], ['Chicago, US', 'America/Chicago'], ['Denver, US', 'America/Denver'], ['Seattle, US', 'America/Los_Angeles']];
  const lines = ['account,site,location,timezone'];
  for (let a = 0; a < accounts; a++) lines.push(`u${a},site${a % 20},"${places[a % 4]![0]}",${places[a % 4]![1]}`);
  return lines.join('\n') + '\n';
}

const SHAPES: Shape[] = [
  {
    name: 'peer figures',
    file: 'shape-keystrokes-4000.csv',
    what: '4,000 accounts x 60 rounds of a keystroke interval, an RTT and a reaction time (720,000 rows)',
    header: 'user,timestamp,kind,value_ms',
    rows: (rng) => interleaved(60, 4_000, 37, (a, t) => [
      `u${a},${iso(t)},keystroke_interval,${(40 + rng.next() * 200).toFixed(1)}`,
      `u${a},${iso(t)},rtt,${(20 + rng.next() * 30).toFixed(1)}`,
      `u${a},${iso(t)},reaction,${(250 + rng.next() * 200).toFixed(1)}`,
    ]),
  },
  {
    name: 'a year, sparse',
    file: 'shape-year-5000.csv',
    what: '5,000 accounts x 365 days, one RTT a day each (1,825,000 rows)',
    header: 'user,timestamp,rtt_ms',
    *rows(rng) {
      const start = Date.UTC(2025, 0, 1);
      const rows = 5_000 * 365;
      const step = (365 * 86_400_000) / rows;
      for (let i = 0; i < rows; i++) {
        const a = i % 5_000;
        yield `u${a},${iso(start + Math.floor(i * step))},${(15 + (a % 50) + rng.next() * 20).toFixed(1)}`;
      }
    },
  },
  {
    name: 'a roster of 8,000 in 20 sites',
    file: 'shape-roster-8000.csv',
    what: '8,000 accounts x 60 RTTs, one shared client address, a roster with claimed locations (480,000 rows)',
    header: 'user,timestamp,rtt_ms,client_ip',
    roster: rosterText(8_000),
    rows: (rng) => interleaved(60, 8_000, 3000, (a, t) => [`u${a},${iso(t)},${(15 + (a % 50) + rng.next() * 20).toFixed(1)},203.0.113.7`]),
  },
  {
    name: 'many small files',
    file: 'shape-files-2000',
    what: '2,000 files of 100 RTTs over 500 accounts, one folder (200,000 rows)',
    header: 'user,timestamp,rtt_ms',
    files: 2_000,
    *rows(rng) {
      let t = MARCH_1;
      for (let f = 0; f < 2_000; f++) {
        for (let i = 0; i < 100; i++) {
          t += 1000;
          yield `u${(f * 7 + i) % 500},${iso(t)},${(20 + rng.next() * 30).toFixed(1)}`;
        }
      }
    },
  },
  sessionShape('a session per connection', 'shape-sessions-2000.csv', 100, 10,
    '2,000 accounts x 100 sessions of 10 RTTs (2,000,000 rows, 200,000 sessions)'),
  ONE_SESSION,
  {
    name: 'every cell quoted',
    file: 'shape-quoted-2000.csv',
    what: 'the rows of the shape above with each cell in double quotes, as many exports write them (2,000,000 rows)',
    header: '"user","timestamp","rtt_ms","session"',
    *rows(rng) { for (const row of ONE_SESSION.rows(rng)) yield row.split(',').map((cell) => `"${cell}"`).join(','); },
  },
  {
    name: 'many accounts',
    file: 'shape-accounts-100000.csv',
    what: '100,000 accounts x 20 RTTs, the accounts interleaved row by row (2,000,000 rows)',
    header: 'user,timestamp,rtt_ms',
    rows: (rng) => interleaved(20, 100_000, 13, (a, t) => [`u${a},${iso(t)},${(15 + (a % 50) + rng.next() * 20).toFixed(1)}`]),
  },
];

async function writeShape(shape: Shape, path: string): Promise<void> {
  if (shape.files !== undefined) {
    mkdirSync(path, { recursive: true });
    const all = [...shape.rows(new Rng(11))];
    const per = Math.ceil(all.length / shape.files);
    for (let f = 0; f < shape.files; f++) {
      const name = join(path, `part-${String(f).padStart(5, '0')}.csv`);
      writeFileSync(name, `${shape.header}\n${all.slice(f * per, (f + 1) * per).join('\n')}\n`);
    }
    return;
  }
  const out = createWriteStream(path);
  const write = (text: string) => new Promise<void>((done) => { if (out.write(text)) done(); else out.once('drain', done); });
  await write(`${shape.header}\n`);
  let chunk: string[] = [];
  for (const row of shape.rows(new Rng(11))) {
    chunk.push(row);
    if (chunk.length === 10_000) { await write(chunk.join('\n') + '\n'); chunk = []; }
  }
  if (chunk.length > 0) await write(chunk.join('\n') + '\n');
  await new Promise<void>((done) => out.end(done));
}

function scanOnce(file: string, roster: string | null): { wallS: number; peakRssMiB: number } {
  const started = process.hrtime.bigint();
  const extra = roster === null ? [] : ['--roster', roster];
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/keylag.js'), 'scan', file, ...extra, '--format', 'json', '-o', '/dev/null'], {
    encoding: 'utf8', env: { ...process.env, KEYLAG_REPORT_PEAK_RSS: '1' },
  });
  const wallS = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 0) throw new Error(`keylag scan ${file} failed (${r.status}): ${r.stderr}`);
  const rss = /peak rss (\d+) KiB/.exec(r.stderr);
  return { wallS, peakRssMiB: rss ? Number(rss[1]) / 1024 : NaN };
}

async function main(): Promise<void> {
  const at = process.argv.indexOf('--runs');
  const runs = at >= 0 ? Number(process.argv[at + 1]) : 3;
  mkdirSync(DATA, { recursive: true });
  const lines = ['| shape | input | file MB | keylag scan --format json |', '| --- | --- | --- | --- |'];
  for (const shape of SHAPES) {
    const path = join(DATA, shape.file);
    if (!existsSync(path)) {
      process.stderr.write(`generating ${path} ...\n`);
      await writeShape(shape, path);
    }
    let roster: string | null = null;
    if (shape.roster !== undefined) {
      roster = path.replace(/\.csv$/, '.roster.csv');
      if (!existsSync(roster)) writeFileSync(roster, shape.roster);
    }
    const all = Array.from({ length: runs }, () => scanOnce(path, roster));
    const best = all.reduce((a, b) => (b.wallS < a.wallS ? b : a));
    const mb = shape.files === undefined ? statSync(path).size / 1e6
      : readdirSync(path).reduce((sum, name) => sum + statSync(join(path, name)).size, 0) / 1e6;
    lines.push(`| ${shape.name} | ${shape.what} | ${mb.toFixed(0)} | ${best.wallS.toFixed(2)} s, ${best.peakRssMiB.toFixed(0)} MiB |`);
    process.stderr.write(`${shape.name} done\n`);
  }
  const text = `# Other shapes of input\n\nBest of ${runs} runs each (wall time, peak RSS in MiB); inputs from bench/shapes.ts (seed 11).\n\n`
    + `${lines.join('\n')}\n\nRegenerate: \`npm run bench:shapes\`.\n`;
  writeFileSync(join(ROOT, 'bench/SHAPES.md'), text);
  process.stdout.write(text);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 3;
});
