// Lent reads (open.ts `lendChunks`): a regular file is read into a few reused buffers for adapters
// that copy what they keep. The bytes, the SHA-256 and every sample must be those of a plain read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openInput, readChunkFor } from '../src/ingest/open.js';
import { runScan, DEFAULT_MEMORY_BUDGET_VALUES, type ScanRequest } from '../src/pipeline.js';
import { renderJson } from '../src/report/json.js';

const tmp = mkdtempSync(join(tmpdir(), 'keylag-lend-'));

/** ~3 MB of timing rows (12+ reads of 256 KiB), with quoted and multi-line records among them. */
function writeCsv(): string {
  const lines = ['user,timestamp,rtt_ms,note'];
  for (let i = 0; i < 60_000; i++) {
    const t = new Date(Date.UTC(2026, 2, 1) + i * 997).toISOString();
    const note = i % 5_000 === 7 ? '"two\nlines, quoted"' : i % 777 === 3 ? '"a ""quote"""' : 'plain';
    lines.push(`user${i % 40},${t},${(10 + (i * 7919) % 900 / 10).toFixed(1)},${note}`);
  }
  const path = join(tmp, 'rows.csv');
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

async function readAll(path: string, lendChunks: boolean): Promise<{ bytes: Buffer; sha256: string; buffers: Set<ArrayBufferLike>; chunks: number }> {
  const opened = await openInput(path, process.stdin, undefined, { lendChunks });
  const parts: Buffer[] = [];
  const buffers = new Set<ArrayBufferLike>();
  let chunks = 0;
  for await (const chunk of opened.chunks) { parts.push(Buffer.from(chunk)); buffers.add(chunk.buffer); chunks++; }
  return { bytes: Buffer.concat(parts), sha256: opened.digest().sha256, buffers, chunks };
}

test('lent reads give the same bytes and SHA-256 as a stream, from a handful of reused buffers', async () => {
  const path = writeCsv();
  const plain = await readAll(path, false);
  const lent = await readAll(path, true);
  assert.ok(lent.chunks > 8, `${lent.chunks} chunks`);
  assert.ok(lent.bytes.equals(readFileSync(path)));
  assert.equal(lent.sha256, plain.sha256);
  assert.equal(lent.sha256, createHash('sha256').update(readFileSync(path)).digest('hex'));
  // The head is its own copy; every later chunk comes from the pool of four.
  assert.ok(lent.buffers.size <= 5, `${lent.buffers.size} distinct buffers for ${lent.chunks} chunks`);
  assert.ok(plain.buffers.size > 5, 'a stream hands out fresh buffers (what lending avoids)');
});

test('lent reads of a gzip file hand zlib copies: the same decompressed bytes and SHA-256 of the file', async () => {
  const path = writeCsv();
  const gz = join(tmp, 'rows.csv.gz');
  writeFileSync(gz, gzipSync(readFileSync(path), { level: 1 }));
  const lent = await readAll(gz, true);
  assert.ok(lent.bytes.equals(readFileSync(path)));
  assert.equal(lent.sha256, createHash('sha256').update(readFileSync(gz)).digest('hex'));
});

test('a scan over lent chunks equals the csv-parse reference path, quoted multi-line records included', async () => {
  const path = writeCsv();
  const request = (csvParser?: string): ScanRequest => ({
    inputs: [path], columns: {}, inputFormat: null, strict: false, keepGoing: false, stdin: process.stdin,
    since: null, until: null, exclude: null, memoryBudgetValues: DEFAULT_MEMORY_BUDGET_VALUES,
    rosterPath: null, minSamples: 30, arguments: [], version: 'test', serverLocation: null, serversPath: null, geoipPath: null,
    ...(csvParser ? { adapterOptions: { csvParser } } : {}),
  } as ScanRequest);
  const fast = await runScan(request());
  const reference = await runScan(request('csv-parse'));
  assert.equal(fast.header.samplesUsed, 60_000);
  assert.equal(renderJson(fast, {}), renderJson(reference, {}).replace(/CSV \(csv-parse\)/g, 'CSV'));
});

test('reads of a small file are no larger than it needs, lent or not (thousands of small exports)', async () => {
  assert.equal(readChunkFor(3_000), 16 * 1024);
  assert.equal(readChunkFor(100_000), 100_001);
  assert.equal(readChunkFor(10_000_000), 256 * 1024);
  assert.equal(readChunkFor(null), 256 * 1024, 'a stream of unknown size');
  const path = join(tmp, 'small.csv');
  const text = 'user,timestamp,rtt_ms\n' + Array.from({ length: 100 }, (_, i) => `u${i % 7},2026-03-01T00:00:${String(i % 60).padStart(2, '0')}Z,${20 + i}`).join('\n') + '\n';
  writeFileSync(path, text);
  for (const lendChunks of [true, false]) {
    const r = await readAll(path, lendChunks);
    assert.equal(r.bytes.toString('utf8'), text);
    for (const buffer of r.buffers) assert.ok(buffer.byteLength <= 16 * 1024, `a ${buffer.byteLength}-byte buffer for a ${text.length}-byte file (lent: ${lendChunks})`);
  }
});
