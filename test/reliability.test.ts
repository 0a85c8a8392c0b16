// The malformed-input corpus (issue 10): every case has an expected outcome, a clear one-line
// error with exit 2 or counted rejections with exit 0; never a stack trace, never a hang
// (30 s), never more than 512 MB of memory. Cases are built here, byte for byte, so the corpus
// needs no large committed files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createGzip, gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, REPO_ROOT, SAMPLE } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'keylag-corpus-'));
const HEADER = 'user,timestamp,rtt_ms\n';
const GOOD_ROWS = Array.from({ length: 40 }, (_, i) => `alice,2026-03-02T10:00:${String(i).padStart(2, '0')}Z,${20 + (i % 7)}`).join('\n') + '\n';

interface Outcome { status: number | null; stdout: string; stderr: string; peakRssKiB: number; ms: number }

function run(args: string[]): Outcome {
  const started = Date.now();
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: REPO_ROOT, encoding: 'utf8', timeout: 30_000, maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: '1', KEYLAG_REPORT_PEAK_RSS: '1' },
  });
  const rss = /peak rss (\d+) KiB/.exec(r.stderr ?? '');
  return { status: r.status, stdout: r.stdout ?? '', stderr: (r.stderr ?? '').replace(/keylag: peak rss \d+ KiB\n/, ''), peakRssKiB: rss ? Number(rss[1]) : -1, ms: Date.now() - started };
}

function assertSane(o: Outcome, name: string): void {
  assert.notEqual(o.status, null, `${name}: timed out or killed`);
  assert.ok(o.ms < 30_000, `${name}: took ${o.ms} ms`);
  assert.ok(o.peakRssKiB > 0 && o.peakRssKiB < 512 * 1024, `${name}: peak RSS ${o.peakRssKiB} KiB`);
  assert.doesNotMatch(o.stderr, /\n\s+at |TypeError|RangeError|internal error/, `${name}: stack trace or internal error:\n${o.stderr}`);
}

function expectError(name: string, file: string, pattern: RegExp, extra: string[] = []): void {
  test(`corpus: ${name} -> one-line error, exit 2`, () => {
    const o = run(['scan', file, ...extra]);
    assertSane(o, name);
    assert.equal(o.status, 2, `${name}: ${o.stderr}`);
    assert.equal(o.stderr.trim().split('\n').length, 1, `${name}: not one line: ${o.stderr}`);
    assert.match(o.stderr, pattern);
  });
}

function expectRejections(name: string, file: string, reasons: Record<string, number>, check?: (report: { accounts: { account: string }[]; header: { inputs: { notes: string[] }[] } }) => void): void {
  test(`corpus: ${name} -> counted rejections, exit 0`, () => {
    const o = run(['scan', file, '--format', 'json']);
    assertSane(o, name);
    assert.equal(o.status, 0, `${name}: ${o.stderr}`);
    const report = JSON.parse(o.stdout);
    const counts = Object.fromEntries((report.header.rejections as { reason: string; count: number }[]).map((r) => [r.reason, r.count]));
    assert.deepEqual(counts, reasons);
    check?.(report);
  });
}

const file = (name: string, content: string | Buffer): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

// --- truncated files
const gz = gzipSync(Buffer.from(HEADER + GOOD_ROWS));
expectError('truncated gzip', file('truncated.csv.gz', gz.subarray(0, Math.floor(gz.length / 2))), /truncated\.csv\.gz: not a valid gzip stream/);
expectError('truncated inside a quoted field', file('truncated-quote.csv', HEADER + GOOD_ROWS + 'bob,2026-03-02T10:00:00Z,"12'), /truncated-quote\.csv:42: malformed CSV/);
expectError('empty file', file('empty.csv', ''), /empty\.csv: empty input/);
expectError('blank lines only', file('blank.csv', '\n\n  \n'), /blank\.csv:1: empty input/);
expectError('binary garbage', file('garbage.bin', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256))), /garbage\.bin(:\d+)?: (unrecognised|malformed)/);

// --- wrong delimiters
expectRejections('semicolon-separated file is read as such', file('semicolon.csv', HEADER.replace(/,/g, ';') + GOOD_ROWS.replace(/,/g, ';')), {});
// Every row rejected: nothing read, which is an input error, not an empty report.
expectError('header with commas, rows with semicolons', file('mixed-delimiters.csv', HEADER + GOOD_ROWS.replace(/,/g, ';')),
  /mixed-delimiters\.csv:2: no sample read, every row rejected \(row_ragged 40\); the first row_ragged: 1 fields where the header has 3/);

// --- encodings
const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from((HEADER + GOOD_ROWS).replace(/alice/g, 'zoë'), 'utf16le')]);
expectRejections('UTF-16LE with BOM', file('utf16.csv', utf16), {}, (r) => {
  assert.deepEqual(r.accounts.map((a) => a.account), ['zoë']);
  assert.ok(r.header.inputs[0]!.notes.some((n) => n.includes('utf-16le')));
});
expectRejections('Latin-1 (Windows-1252)', file('latin1.csv', Buffer.from((HEADER + GOOD_ROWS).replace(/alice/g, 'josé'), 'latin1')), {}, (r) => {
  assert.deepEqual(r.accounts.map((a) => a.account), ['josé']);
  assert.ok(r.header.inputs[0]!.notes.some((n) => n.includes('windows-1252')));
});
expectRejections('NUL bytes in cells', file('nul.csv', HEADER + GOOD_ROWS + 'bob\u0000,2026-03-02T10:00:00Z,1\u00002\n'), { value_not_numeric: 1 });

// --- sizes
const tenMb = 'x'.repeat(10 * 1024 * 1024);
const bigLine = file('ten-mb-line.csv', 'user,timestamp,rtt_ms,note\n' + GOOD_ROWS.replace(/\n/g, ',ok\n') + `bob,2026-03-02T10:00:00Z,12,"${tenMb}"\n`);
expectRejections('a 10 MB line within the default limit', bigLine, {});
expectError('a 10 MB line over --max-record-bytes', bigLine, /ten-mb-line\.csv:42: a record is longer than the limit of 1000000 bytes/, ['--max-record-bytes', '1000000']);
expectError('a million columns in the header', file('wide.csv', Array.from({ length: 1_000_000 }, (_, i) => `c${i}`).join(',') + '\n1\n'), /wide\.csv:1: header has 1000000 fields, more than the limit of 10000/);
expectError('duplicate headers', file('dup.csv', 'user,timestamp,rtt_ms,rtt_ms\nalice,2026-03-02T10:00:00Z,1,2\n'), /dup\.csv:1: duplicate column 'rtt_ms' \(columns 3 and 4\)/);
expectRejections('deeply quoted fields', file('quotes.csv', HEADER + GOOD_ROWS + `"${'""'.repeat(5000)}bob",2026-03-02T10:00:00Z,12\n`), {});

// --- numbers and times
expectRejections('1e309, 0x10, -0, Infinity, year 0 and 9999', file('numbers.csv', HEADER + GOOD_ROWS + [
  'alice,2026-03-02T11:00:00Z,1e309', 'alice,2026-03-02T11:00:01Z,0x10', 'alice,2026-03-02T11:00:02Z,-0', 'alice,2026-03-02T11:00:03Z,Infinity',
  'alice,0000-01-01T00:00:00Z,12', 'alice,9999-12-31T23:59:59Z,12', 'alice,2026-03-02T11:00:04Z,-Infinity', 'alice,2026-03-02T11:00:05Z,NaN',
].join('\n') + '\n'), { value_not_finite: 4, value_not_numeric: 1, time_out_of_range: 2 });
expectRejections('JSON Lines with a 100,000-deep nested line', file('deep.jsonl', '{"user":"alice","ts":1772460191,"rtt_ms":20}\n' + '['.repeat(100_000) + ']'.repeat(100_000) + '\n'), { jsonl_not_object: 1 });

// --- gzip bomb: 300 MB of zeros in ~300 KB; the ratio guard stops it after 100 MB
test('corpus: gzip bomb -> refused after 32 MB at a ratio above 200:1, exit 2', async () => {
  const path = join(dir, 'bomb.csv.gz');
  await new Promise<void>((resolve, reject) => {
    const gzip = createGzip({ level: 9 });
    const out = createWriteStream(path);
    gzip.pipe(out).on('finish', resolve).on('error', reject);
    gzip.write(HEADER);
    // Rows that parse but hold no value (cheap to reject), so only the ratio guard can stop it.
    const rows = Buffer.from('alice,2026-03-02T10:00:00Z,x\n'.repeat(36_000));
    for (let i = 0; i < 300; i++) gzip.write(rows);
    gzip.end();
  });
  const o = run(['scan', path]);
  assertSane(o, 'gzip bomb');
  assert.equal(o.status, 2, o.stderr);
  assert.match(o.stderr, /bomb\.csv\.gz: compression ratio above 200:1 after 33554432 bytes/);
});

test('corpus: a genuine large .gz under the ratio still reads (the guard is not a size cap)', () => {
  const path = file('sample.csv.gz', gzipSync(readFileSync(join(REPO_ROOT, SAMPLE))));
  const o = run(['scan', path, '--format', 'csv', '--max-decompressed-bytes', '4000000000']);
  assertSane(o, 'sample gz');
  assert.equal(o.status, 0, o.stderr);
});

// --- other adapters: CSV-based presets and captures
expectError('a tshark CSV with a broken quote (forced format)', file('broken-tshark.csv', Buffer.from([0, 34, 10])), /broken-tshark\.csv(:\d+)?: malformed CSV/, ['--input-format', 'tshark']);

function pcapHeader(): Buffer {
  const h = Buffer.alloc(24);
  h.writeUInt32LE(0xa1b2c3d4, 0); h.writeUInt16LE(2, 4); h.writeUInt16LE(4, 6); h.writeUInt32LE(65535, 16); h.writeUInt32LE(1, 20);
  return h;
}
const impossible = Buffer.alloc(16);
impossible.writeUInt32LE(1772460191, 0); impossible.writeUInt32LE(0xfffffff0, 8); impossible.writeUInt32LE(0xfffffff0, 12);
expectError('a pcap record claiming 4 GB', file('impossible.pcap', Buffer.concat([pcapHeader(), impossible])), /impossible\.pcap(:\d+)?: /);
const loop = Buffer.alloc(28);
loop.writeUInt32LE(0x0a0d0d0a, 0); loop.writeUInt32LE(28, 4); loop.writeUInt32LE(0x1a2b3c4d, 8); loop.writeUInt16LE(1, 12); loop.writeUInt32LE(28, 24);
const zeroBlock = Buffer.alloc(12); zeroBlock.writeUInt32LE(6, 0); zeroBlock.writeUInt32LE(0, 4);
expectError('a pcapng block of length 0 (would loop)', file('loop.pcapng', Buffer.concat([loop, zeroBlock])), /loop\.pcapng(:\d+)?: /);
