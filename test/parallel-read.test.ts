// The reader thread (parallel-read.ts) against a read in one thread, on the same inputs: whole
// reports byte for byte, rejections in the same order, the same errors under --strict and
// --keep-going, gzip, and the progress it reports. parallelMinBytes 0 forces the thread on small files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScan, DEFAULT_MEMORY_BUDGET_VALUES, type ScanRequest } from '../src/pipeline.js';
import { renderJson } from '../src/report/json.js';
import { isKeylagError } from '../src/errors.js';
import type { Rejection } from '../src/types.js';
import { SAMPLE, ROSTER, runCli } from './helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'keylag-parallel-'));

function request(inputs: string[], extra: Partial<ScanRequest> = {}): ScanRequest {
  return {
    inputs, columns: {}, inputFormat: null, strict: false, keepGoing: false, stdin: process.stdin,
    since: null, until: null, exclude: null, memoryBudgetValues: DEFAULT_MEMORY_BUDGET_VALUES,
    rosterPath: null, minSamples: 30, arguments: [], version: 'test', serverLocation: null, serversPath: null, geoipPath: null,
    ...extra,
  } as ScanRequest;
}

/** Rows with quoted, multi-line and bad records among plain ones; more than one batch of 262,144. */
function messyCsv(rows: number): string {
  const lines = ['user,timestamp,rtt_ms,session,note'];
  for (let i = 0; i < rows; i++) {
    const t = new Date(Date.UTC(2026, 2, 1) + i * 331).toISOString();
    const v = i % 9_001 === 5 ? 'n/a' : i % 12_345 === 7 ? '-3' : (8 + ((i * 7919) % 1300) / 10).toFixed(1);
    const note = i % 50_000 === 11 ? '"two\nlines"' : i % 7_777 === 3 ? '"a ""q"""' : '';
    lines.push(`u${i % 300},${t},${v},${i % 5 === 0 ? `s${i % 17}` : ''},${note}`);
  }
  const path = join(tmp, `messy-${rows}.csv`);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

async function both(inputs: string[], extra: Partial<ScanRequest> = {}): Promise<{ threaded: string; single: string; rejectsThreaded: Rejection[]; rejectsSingle: Rejection[] }> {
  const rejectsThreaded: Rejection[] = [];
  const rejectsSingle: Rejection[] = [];
  const threaded = await runScan(request(inputs, { ...extra, parallelMinBytes: 0, onRejection: (r) => rejectsThreaded.push(r) }));
  const single = await runScan(request(inputs, { ...extra, parallelMinBytes: Infinity, onRejection: (r) => rejectsSingle.push(r) }));
  return { threaded: renderJson(threaded, {}), single: renderJson(single, {}), rejectsThreaded, rejectsSingle };
}

test('reader thread: the bundled sample gives the same report, byte for byte', async () => {
  const r = await both([SAMPLE], { rosterPath: ROSTER });
  assert.equal(r.threaded, r.single);
});

test('reader thread: several batches with quoted, multi-line and rejected rows give the same report and rejections in order', async () => {
  const path = messyCsv(600_000);
  const r = await both([path], { memoryBudgetValues: 100_000 });
  assert.equal(r.threaded, r.single);
  assert.ok(r.rejectsSingle.length > 50, `${r.rejectsSingle.length} rejections`);
  assert.deepEqual(r.rejectsThreaded, r.rejectsSingle);
  const report = JSON.parse(r.threaded) as { header: { samplesUsed: number; settings: { sketchedAtBudget: number } } };
  assert.ok(report.header.settings.sketchedAtBudget > 0, 'the budget sketched: its decisions follow the same batches');
});

/**
 * What the grouped batches (group-rows.ts) must hand back to the row path or count whole: names
 * that normalise to one account in the same batch (`Alice`, `ALICE`, `CORP\\alice`), excluded
 * accounts; with kinds, sessions and client addresses (the observers) and rows outside a time
 * window. A blank name goes the string path between batches and is rejected there, in input order.
 */
function groupingCsv(rows: number): string {
  const lines = ['user,timestamp,kind,value_ms,session,client_ip'];
  const names = ['Alice', 'ALICE', 'CORP\\alice', 'bob', 'svc-backup', 'carol@corp.example', 'Carol'];
  for (let i = 0; i < rows; i++) {
    const t = new Date(Date.UTC(2026, 2, 1) + i * 997).toISOString();
    // Most batches hold only plain names (u0..u399): the grouped path; a few hold the awkward ones.
    const inAwkwardStretch = Math.floor(i / 100_000) % 3 === 1 && i % 10 === 0;
    // Blank names only in a stretch of their own: each ends a batch (string path), and batches of a
    // few rows would hide what grouping does to the aliases' order.
    const blank = i >= 400_000 && i < 410_000 && i % 1_000 === 0;
    const user = blank ? ' ' : inAwkwardStretch ? names[(i / 10) % names.length]! : `u${i % 400}`;
    const kind = i % 3 === 0 ? 'app_rtt' : 'rtt';
    const v = (10 + ((i * 7919) % 1500) / 10).toFixed(1);
    // The aliases' rows have no session: added group after group, their times would go back by far
    // more than the jitter's reorder window (late samples, other figures).
    const session = i % 4 === 0 && !inAwkwardStretch ? `s${i % 23}` : '';
    lines.push(`${user},${t},${kind},${v},${session},${i % 6 === 0 ? `10.0.${i % 7}.${i % 5}` : ''}`);
  }
  const path = join(tmp, `grouping-${rows}.csv`);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

test('reader thread: grouped batches with aliases, unnamed and excluded accounts, a window, sessions and addresses give the same report', async () => {
  const path = groupingCsv(700_000);
  const { buildExcludeList } = await import('../src/ingest/accounts.js');
  const since = Date.UTC(2026, 2, 2) * 1000;
  const until = Date.UTC(2026, 2, 8) * 1000;
  const r = await both([path], {
    exclude: buildExcludeList(['svc-*', 'u7']),
    since: { us: since, text: '2026-03-02' }, until: { us: until, text: '2026-03-08' },
    memoryBudgetValues: 200_000,
  });
  assert.equal(r.threaded, r.single);
  assert.ok(r.rejectsSingle.some((x) => x.reason === 'account_missing'), 'names that normalise to nothing were rejected');
  assert.deepEqual(r.rejectsThreaded, r.rejectsSingle);
  const report = JSON.parse(r.threaded) as { header: { excluded: { count: number }; outsideWindow?: number }; accounts: { account: string; aliases: string[] }[] };
  assert.ok(report.header.excluded.count > 0, 'excluded rows were counted');
  const alice = report.accounts.find((a) => a.account === 'alice');
  assert.ok(alice !== undefined && alice.aliases.length === 3, `alice's aliases: ${JSON.stringify(alice?.aliases)}`);
});

test('reader thread: a .gz input and a plain one side by side give the same report', async () => {
  const path = messyCsv(50_000);
  const gz = join(tmp, 'messy.csv.gz');
  writeFileSync(gz, gzipSync(readFileSync(path)));
  const r = await both([gz, SAMPLE]);
  assert.equal(r.threaded, r.single);
});

test('reader thread: --strict stops at the same row with the same error', async () => {
  const path = messyCsv(30_000);
  const errorOf = async (parallelMinBytes: number): Promise<string> => {
    try {
      await runScan(request([path], { strict: true, parallelMinBytes }));
    } catch (err) {
      assert.ok(isKeylagError(err), String(err));
      return err.oneLine();
    }
    return 'no error';
  };
  const threaded = await errorOf(0);
  assert.match(threaded, /messy-30000\.csv:\d+: /);
  assert.equal(threaded, await errorOf(Infinity));
});

test('reader thread: --keep-going after a fatal error mid-file gives the same partial input and report', async () => {
  const good = messyCsv(20_000);
  const text = readFileSync(good, 'utf8').split('\n');
  text.splice(15_000, 0, `u1,2026-03-01T00:00:00Z,12,s1,"${'x'.repeat(2_000)}`);
  const broken = join(tmp, 'broken.csv');
  writeFileSync(broken, text.join('\n'));
  const r = await both([broken, SAMPLE], { keepGoing: true, readLimits: { maxRecordBytes: 1_000, maxFields: 1_000 } });
  assert.equal(r.threaded, r.single);
  const input = (JSON.parse(r.threaded) as { header: { inputs: { status: string; error?: string }[] } }).header.inputs[0]!;
  assert.equal(input.status, 'partial');
  assert.match(input.error ?? '', /broken\.csv:15001:/);
});

test('reader thread: progress is reported while reading', async () => {
  const path = messyCsv(200_000);
  const seen: number[] = [];
  await runScan(request([path], { parallelMinBytes: 0, onProgress: (p) => seen.push(p.bytesRead) }));
  assert.ok(seen.length >= 2, `${seen.length} progress calls`);
  assert.ok(seen.every((b, i) => i === 0 || b >= seen[i - 1]!), 'bytes only grow');
});

test('--threads takes 1 or 2 only (exit 2 otherwise)', () => {
  const r = runCli(['scan', SAMPLE, '--threads', '3', '--format', 'json']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--threads/);
  assert.equal(runCli(['scan', SAMPLE, '--threads', '1', '--format', 'json', '--top', '1']).status, 0);
});

test('reader thread: rows rejected per account reach the header as in one thread (an account that lost every row is named)', async () => {
  const lines = ['user,timestamp,rtt_ms'];
  for (let i = 0; i < 400; i++) {
    const t = new Date(Date.UTC(2026, 2, 1) + i * 1000).toISOString();
    lines.push(`alice,${t},21.5`, `mallory,${t},"1,183"`, `bob,${t},${i < 100 ? 'x' : '25.5'}`);
  }
  const path = join(tmp, 'lost-rows.csv');
  writeFileSync(path, lines.join('\n') + '\n');
  const { threaded, single } = await both([path]);
  assert.equal(threaded, single);
  const warnings = (JSON.parse(threaded) as { header: { warnings: string[] } }).header.warnings;
  assert.ok(warnings.includes('2 accounts lost 20 % or more of their rows to rejections, so their figures rest on the rows left: '
    + 'mallory 400 of 400 (none left: not in the report); bob 100 of 400 (25 %) (--rejects FILE lists the rows)'), warnings.join(' | '));
});

test('reader thread: --assume-tz reaches the reader, and the report is the same (times moved, the skipped hour rejected, the repeated one counted)', async () => {
  // Offset-less times every 0.331 s from 2026-03-07 12:00 to past the spring-forward hour of
  // 2026-03-08 (New York), more than one batch; a row a minute with Z, which the zone must not move.
  const lines = ['user,timestamp,rtt_ms'];
  const start = Date.UTC(2026, 2, 7, 12);
  for (let i = 0; i < 300_000; i++) {
    const t = new Date(start + i * 331).toISOString();
    lines.push(`u${i % 50},${i % 181 === 0 ? t : t.slice(0, -1)},${(8 + ((i * 7919) % 1300) / 10).toFixed(1)}`);
  }
  // And the fall-back hour, a few rows (by the string path: a padded cell).
  lines.push('u1, 2026-11-01 01:30:00,30.5', 'u2,2026-11-01 01:45:00,31.5');
  const path = join(tmp, 'assume-tz.csv');
  writeFileSync(path, lines.join('\n') + '\n');
  const { threaded, single, rejectsThreaded, rejectsSingle } = await both([path], { adapterOptions: { assumeTz: 'America/New_York' } });
  assert.equal(threaded, single);
  assert.deepEqual(rejectsThreaded, rejectsSingle);
  const header = (JSON.parse(threaded) as { header: { assumedTimeZone: { samples: number; ambiguous: number; nonexistent: number }; rejections: { reason: string; count: number }[] } }).header;
  // 02:00-02:59:59 of March 8 (3,600 s / 0.331 s, less the rows with Z) is skipped.
  const gap = header.rejections.find((r) => r.reason === 'time_in_dst_gap')!.count;
  assert.ok(gap > 10_700 && gap < 10_900, `${gap} rows in the gap`);
  assert.deepEqual(header.assumedTimeZone, { zone: 'America/New_York', samples: 300_002 - Math.ceil(300_000 / 181) - gap, ambiguous: 2, nonexistent: gap });
});
