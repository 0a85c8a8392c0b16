// renderJson builds its text one account at a time (bounded memory for 10,000-account reports); it
// must be byte-identical to stringifying the whole canonical report at once, escapes included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderJson, canonicalReport } from '../src/report/json.js';
import { escapeJsonText } from '../src/report/sanitize.js';
import { sampleReport, sampleReportWithClusters, HOSTILE_NAME } from './helpers/sample-report.js';

const whole = (report: ReturnType<typeof sampleReport>, top: number | null): string =>
  escapeJsonText(JSON.stringify(canonicalReport(report, top), null, 2)) + '\n';

test('renderJson, built per account, equals the whole canonical report stringified at once', () => {
  for (const report of [sampleReport(), sampleReportWithClusters()]) {
    assert.ok(report.accounts.length > 1);
    for (const top of [null, 1, 0]) assert.equal(renderJson(report, { top }), whole(report, top));
    const empty = { ...report, accounts: [] };
    assert.equal(renderJson(empty), whole(empty, null));
  }
});

test('renderJson per account still escapes hostile names (the escaper sees every piece)', () => {
  const report = sampleReport();
  assert.ok(report.accounts.some((a) => a.account === HOSTILE_NAME || a.aliases.includes(HOSTILE_NAME)));
  const text = renderJson(report);
  assert.ok(!text.includes('\u001b'), 'no raw ESC in the JSON text');
  assert.equal(text, whole(report, null));
});

test('a report larger than one write slice reaches stdout and -o files whole and identical', async () => {
  const { spawnSync } = await import('node:child_process');
  const { mkdtempSync, readFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const args = ['dist/src/cli/main.js', 'scan', 'fixtures/sample/sessions.csv', '--roster', 'fixtures/sample/roster.csv', '--format', 'json'];
  const out = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(out.status, 0, out.stderr);
  assert.ok(out.stdout.length > (1 << 20), `report of ${out.stdout.length} chars spans several 1 MiB slices`);
  const file = join(mkdtempSync(join(tmpdir(), 'keylag-slices-')), 'r.json');
  const toFile = spawnSync(process.execPath, [...args, '-o', file], { encoding: 'utf8' });
  assert.equal(toFile.status, 0, toFile.stderr);
  // The same report but for the arguments it records (`-o file`).
  const strip = (text: string) => { const r = JSON.parse(text); delete r.header.arguments; return r; };
  const written = readFileSync(file, 'utf8');
  assert.ok(written.endsWith('}\n'));
  assert.deepEqual(strip(written), strip(out.stdout));
  assert.equal(strip(out.stdout).accounts.length, 202, 'every account of the sample (svc accounts included without --exclude)');
});

test('writePieces writes pieces as they come, returns the SHA-256 of the whole, and reports a failed file', async () => {
  const { writePieces } = await import('../src/cli/output.js');
  const { createHash } = await import('node:crypto');
  const { mkdtempSync, readFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'keylag-pieces-'));
  const file = join(dir, 'out.json');
  // Pieces larger and smaller than a write slice, and non-ASCII text (UTF-8 bytes != characters).
  const pieces = ['{"a": "µs→', 'x'.repeat((1 << 20) + 17), '", "b": [', ...Array.from({ length: 500 }, (_, i) => `${i},`), '0]}\n'];
  let asked = 0;
  function* lazily(): Generator<string> { for (const p of pieces) { asked++; yield p; } }
  const sha = await writePieces(file, lazily());
  const whole = pieces.join('');
  assert.equal(asked, pieces.length);
  assert.equal(readFileSync(file, 'utf8'), whole);
  assert.equal(sha, createHash('sha256').update(whole).digest('hex'));
  await assert.rejects(writePieces(join(dir, 'no-such-dir', 'x.json'), ['text']), /ENOENT/);
  // One piece of several slices with a surrogate pair (an emoji) astride each slice boundary.
  const emoji = '\u{1F600}';
  const huge = 'a'.repeat((1 << 20) - 1) + emoji + 'b'.repeat((1 << 20) - 2) + emoji + 'c'.repeat((1 << 20) + 5);
  const hugeFile = join(dir, 'huge.txt');
  const hugeSha = await writePieces(hugeFile, [huge]);
  assert.equal(readFileSync(hugeFile, 'utf8'), huge, 'no pair split into two U+FFFD');
  assert.equal(hugeSha, createHash('sha256').update(huge).digest('hex'));
});

test('scan -o prints the SHA-256 of exactly the bytes it wrote', async () => {
  const { spawnSync } = await import('node:child_process');
  const { createHash } = await import('node:crypto');
  const { mkdtempSync, readFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const file = join(mkdtempSync(join(tmpdir(), 'keylag-sha-')), 'r.json');
  const run = spawnSync(process.execPath, ['dist/src/cli/main.js', 'scan', 'fixtures/sample/sessions.csv', '--format', 'json', '-o', file], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const said = /sha256 ([0-9a-f]{64})/.exec(run.stderr)?.[1];
  assert.equal(said, createHash('sha256').update(readFileSync(file)).digest('hex'));
});

/** 300 ranked accounts (the sample's scored ones, copied, renamed and ranked in turn) and the sample's others. */
function manyAccounts(): ReturnType<typeof sampleReport> {
  const base = sampleReport();
  const scored = base.accounts.filter((a) => a.status !== 'insufficient_data');
  const accounts = Array.from({ length: 300 }, (_, i) => ({ ...scored[i % scored.length]!, account: `user${String(i).padStart(3, '0')}`, rank: i + 1 }));
  return { ...base, accounts: [...accounts, ...base.accounts.filter((a) => a.status === 'insufficient_data')] };
}

test('the table and the HTML page come in pieces (groups of rows) that join to their renderer\'s text', async () => {
  const { renderReportPieces, renderReport } = await import('../src/report/index.js');
  const report = manyAccounts();
  for (const format of ['table', 'html'] as const) {
    for (const color of [false, true]) {
      const opts = { color, top: null, width: 120 };
      const pieces = [...renderReportPieces(format, report, opts).pieces];
      assert.equal(pieces.join(''), renderReport(format, report, opts).text, `${format}, colour ${color}`);
      assert.ok(pieces.length >= 6, `${format}: ${pieces.length} pieces (header, groups of rows, the rest)`);
      assert.match(pieces.join(''), /user299/);
    }
    const top = [...renderReportPieces(format, report, { color: false, top: 3, width: 120 }).pieces].join('');
    assert.equal(top, renderReport(format, report, { color: false, top: 3, width: 120 }).text, `${format} --top 3`);
    assert.doesNotMatch(top, /user299/);
  }
});
