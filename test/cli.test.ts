// End-to-end: the built CLI, run as a user would, on the bundled sample and on bad inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { runCli, SAMPLE, ROSTER, EXCLUDE, BIN, REPO_ROOT } from './helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'keylag-cli-'));
const truth = JSON.parse(readFileSync(join(REPO_ROOT, 'fixtures/sample/truth.json'), 'utf8')) as {
  planted: { account: string; case: string }[];
  slowHonestSite: { site: string } | string;
};
const plantedOf = (c: string) => truth.planted.find((p) => p.case === c)!.account;

interface JsonAccount { account: string; rank: number | null; score: number; flagged: boolean; status: string; site: string | null }
interface JsonReport { header: { rejections: { reason: string; count: number }[]; rejectionsTotal: number; inputs: { path: string; sha256: string; status: string }[] }; accounts: JsonAccount[] }

function scanJson(args: string[], input?: string): JsonReport {
  const r = runCli(['scan', ...args, '--format', 'json'], input === undefined ? {} : { input });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as JsonReport;
}

test('README quick start: the table ranks the planted cases as the issue requires', () => {
  const r = runCli(['scan', SAMPLE, '--roster', ROSTER]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Ranked accounts/);
  assert.match(r.stdout, /FLAGGED/);
  assert.match(r.stdout, /sha256 [0-9a-f]{16}/);
  assert.doesNotMatch(r.stdout, /\u001b\[/, 'no colour when stdout is not a TTY');

  const report = scanJson([SAMPLE, '--roster', ROSTER]);
  const byName = new Map(report.accounts.map((a) => [a.account, a]));
  const farm = byName.get(plantedOf('farm'))!;
  assert.ok(farm.rank !== null && farm.rank <= 2, `farm ranked ${farm.rank}`);
  assert.equal(farm.flagged, true);
  // The part-time relay is flagged too since its on-off floor is scored (intermittent_floor, issue 6).
  const partial = byName.get(plantedOf('partial'))!;
  assert.ok(partial.rank !== null && partial.rank <= 3, `partial relay ranked ${partial.rank}`);
  assert.equal(partial.flagged, true);
  const few = byName.get(plantedOf('few'))!;
  assert.equal(few.status, 'insufficient_data');
  assert.equal(few.rank, null);
  const slowSite = typeof truth.slowHonestSite === 'string' ? truth.slowHonestSite : truth.slowHonestSite.site;
  const slow = report.accounts.filter((a) => a.site === slowSite);
  assert.ok(slow.length >= 8, 'the slow site is a real peer group');
  assert.ok(slow.every((a) => !a.flagged), 'no account of the slow-but-honest site is flagged');
  // Service accounts have odd latencies by design; --exclude drops them (next assertion).
  const flaggedPeople = report.accounts.filter((a) => a.flagged && !a.account.startsWith('svc-')).map((a) => a.account);
  const planted = [partial.account, farm.account].sort();
  assert.deepEqual([...flaggedPeople].sort(), planted, 'only the planted relay and farm accounts are flagged among people');
  const excluded = scanJson([SAMPLE, '--roster', ROSTER, '--exclude', EXCLUDE]);
  const flaggedExcluded = excluded.accounts.filter((a) => a.flagged);
  assert.deepEqual(flaggedExcluded.map((a) => a.account).sort(), planted);
  assert.deepEqual(flaggedExcluded.map((a) => a.rank), [1, 2], 'the two planted cases lead the ranking');
});

test('--fail-on gates the exit code; without it a scan that ran exits 0', () => {
  assert.equal(runCli(['scan', SAMPLE, '--roster', ROSTER, '--fail-on', '70', '--format', 'csv']).status, 1);
  assert.equal(runCli(['scan', SAMPLE, '--roster', ROSTER, '--fail-on', '99.9', '--format', 'csv']).status, 0);
  assert.equal(runCli(['scan', SAMPLE, '--roster', ROSTER, '--fail-on', 'lots']).status, 2);
});

test('JSON and CSV are byte-identical across runs, time zones, locales and working directories', () => {
  const args = ['scan', SAMPLE, '--roster', ROSTER, '--exclude', EXCLUDE];
  for (const format of ['json', 'csv', 'jsonl']) {
    const a = runCli([...args, '--format', format], { env: { TZ: 'UTC', LANG: 'C' } });
    const b = runCli([...args, '--format', format], { env: { TZ: 'Asia/Kolkata', LANG: 'de_DE.UTF-8', LC_ALL: 'de_DE.UTF-8' } });
    assert.equal(a.status, 0, a.stderr);
    assert.equal(a.stdout, b.stdout, `${format} differs between runs`);
  }
});

test('stdin (-) gives the same figures as the file', () => {
  const fromFile = scanJson([SAMPLE, '--roster', ROSTER]);
  const fromStdin = scanJson(['-', '--roster', ROSTER], readFileSync(join(REPO_ROOT, SAMPLE), 'utf8'));
  assert.deepEqual(fromStdin.accounts.map((a) => [a.account, a.score]), fromFile.accounts.map((a) => [a.account, a.score]));
  assert.equal(fromStdin.header.inputs[0]!.path, '-');
  assert.equal(fromStdin.header.inputs[0]!.sha256, fromFile.header.inputs[0]!.sha256);
});

test('.gz is read transparently; several files in one run', () => {
  const gz = join(tmp, 'sessions.csv.gz');
  writeFileSync(gz, gzipSync(readFileSync(join(REPO_ROOT, SAMPLE))));
  const fromGz = scanJson([gz, '--roster', ROSTER]);
  const fromFile = scanJson([SAMPLE, '--roster', ROSTER]);
  assert.deepEqual(fromGz.accounts.map((a) => [a.account, a.score]), fromFile.accounts.map((a) => [a.account, a.score]));
  const extra = join(tmp, 'extra.csv');
  writeFileSync(extra, 'user,time,rtt_ms\nnewbie,2026-03-02T10:00:00Z,12\n');
  const both = scanJson([SAMPLE, extra, '--roster', ROSTER]);
  assert.equal(both.header.inputs.length, 2);
  assert.ok(both.accounts.some((a) => a.account === 'newbie' && a.status === 'insufficient_data'));
});

test('output piped into head ends quietly', () => {
  const r = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" scan ${SAMPLE} --roster ${ROSTER} | head -n 1`], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0);
  assert.equal(r.stdout.split('\n').length, 2);
  assert.doesNotMatch(r.stderr, /EPIPE|Error/);
});

test('missing file: one line naming it, exit 2, no stack trace', () => {
  const r = runCli(['scan', 'no/such/file.csv']);
  assert.equal(r.status, 2);
  assert.equal(r.stderr, 'keylag: error: no/such/file.csv: no such file\n');
});

test('--keep-going lists a missing input in the header and goes on', () => {
  const report = scanJson([SAMPLE, 'no/such/file.csv', '--keep-going']);
  const skipped = report.header.inputs.find((i) => i.path === 'no/such/file.csv')!;
  assert.equal(skipped.status, 'skipped');
  assert.ok(report.accounts.length > 100);
});

test('empty file and unrecognised header are input errors (exit 2) with file and line', () => {
  const empty = join(tmp, 'empty.csv');
  writeFileSync(empty, '');
  const r1 = runCli(['scan', empty]);
  assert.equal(r1.status, 2);
  assert.match(r1.stderr, /^keylag: error: .*empty\.csv: empty input/);
  const bad = join(tmp, 'bad.csv');
  writeFileSync(bad, 'host,when,bytes\nx,1,2\n');
  const r2 = runCli(['scan', bad]);
  assert.equal(r2.status, 2);
  assert.match(r2.stderr, /bad\.csv:1: unrecognised header: no account column \(tried: account, user.*columns found: "host", "when", "bytes"/);
  assert.equal(r2.stderr.trim().split('\n').length, 1, 'one line');
});

test('rejections are counted by reason, listed with --rejects, and --strict stops at the first', () => {
  const file = join(tmp, 'dirty.csv');
  const rows = ['user,timestamp,rtt_ms,echo_ms'];
  for (let i = 0; i < 40; i++) rows.push(`alice,2026-03-02T10:00:${String(i).padStart(2, '0')}Z,${20 + (i % 5)},${30 + (i % 7)}`);
  rows.push('alice,2026-03-02T10:01:00Z,abc,31', 'alice,2026-03-02T10:01:01Z,-4,31', 'alice,not-a-time,20,31', 'alice,2026-03-02T10:01:02Z,NaN,31', 'alice,2026-03-02T10:01:03Z,7200000,31', 'alice,2026-03-02T10:01:04Z,21');
  writeFileSync(file, rows.join('\r\n') + '\r\n');
  const rejectsFile = join(tmp, 'rejects.txt');
  const r = runCli(['scan', file, '--format', 'json', '--rejects', rejectsFile]);
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as JsonReport;
  const counts = Object.fromEntries(report.header.rejections.map((x) => [x.reason, x.count]));
  assert.deepEqual(counts, { value_not_numeric: 1, value_negative: 1, time_unparseable: 1, value_not_finite: 1, value_absurd: 1, row_ragged: 1 });
  const lines = readFileSync(rejectsFile, 'utf8').trim().split('\n');
  assert.equal(lines.length, 6);
  assert.equal(lines[0], `${file}:42: value_not_numeric: rtt_ms=abc`);
  const strict = runCli(['scan', file, '--strict']);
  assert.equal(strict.status, 2);
  assert.equal(strict.stderr, `keylag: error: ${file}:42: value_not_numeric: rtt_ms=abc (--strict)\n`);
});

test('a run that reads no sample and rejects none (a header alone) is an input error (exit 2), not an empty report under --fail-on', () => {
  // Before: exit 0 with "Ranked accounts (0)": a nightly export job that wrote only its header passed the gate.
  const file = join(tmp, 'header-only.csv');
  writeFileSync(file, 'user,timestamp,rtt_ms\n');
  const r = runCli(['scan', file, '--fail-on', '70']);
  assert.equal(r.status, 2, r.stdout);
  assert.equal(r.stderr, `keylag: error: ${file}: no sample in 1 input: 0 records read, none gave a sample and none was rejected (rtt_ms -> rtt (ms))\n`);
  assert.equal(r.stdout, '');
  assert.equal(runCli(['baseline', 'build', file]).status, 2);
  // Beside an input with data it is only an input of no sample: the run reports.
  assert.equal(runCli(['scan', file, SAMPLE, '--format', 'json']).status, 0);
});

test('a run whose every row is rejected is an input error (exit 2) naming the top reason at its first file:line, even under --fail-on', () => {
  const file = join(tmp, 'all-rejected.csv');
  writeFileSync(file, 'user,time,rtt_ms\na,yesterday,20\nb,3/2/2026 2:19:05 PM,21\nc,3/2/2026 2:20:05 PM,22\nd,3/2/2026 2:21:05 PM,x\n');
  const r = runCli(['scan', file, '--fail-on', '70']);
  assert.equal(r.status, 2, r.stdout);
  assert.equal(r.stderr, `keylag: error: ${file}:3: no sample read, every row rejected (time_date_order_unknown 3, time_unparseable 1); `
    + 'the first time_date_order_unknown: 3/2/2026 2:19:05 PM (a locale date: give --date-order mdy or dmy) (--rejects FILE lists them all)\n');
  assert.equal(r.stdout, '');
  // One row read is a report (exit 0), its rejections counted.
  const one = runCli(['scan', file, '--date-order', 'mdy', '--format', 'json']);
  assert.equal(one.status, 0, one.stderr);
  assert.equal((JSON.parse(one.stdout) as JsonReport).header.rejectionsTotal, 2);
});

test('the table shows rejections by reason', () => {
  const file = join(tmp, 'dirty2.csv');
  writeFileSync(file, 'user,time,rtt_ms\na,1772460191,abc\na,1772460192,12\n');
  const r = runCli(['scan', file]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /value_not_numeric/);
});

test('locale dates read with --date-order are warned of as read as UTC, as offset-less ISO times are', () => {
  const file = join(tmp, 'ps-type.csv');
  const rows = ['#TYPE System.Management.Automation.PSCustomObject', '"Timestamp","UserName","LatencyMs"'];
  for (let i = 0; i < 3; i++) rows.push(`"3/2/2026 2:1${i}:05 PM","CORP\\jdoe","2${i}.5"`);
  writeFileSync(file, rows.join('\r\n') + '\r\n');
  const r = runCli(['scan', file, '--date-order', 'mdy', '--format', 'json']);
  assert.equal(r.status, 0, r.stderr);
  const header = (JSON.parse(r.stdout) as { header: { samplesEmitted: number; warnings: string[]; inputs: { timeFormat: string }[] } }).header;
  assert.equal(header.samplesEmitted, 3);
  assert.equal(header.inputs[0]!.timeFormat, 'locale date (M/D/YYYY, --date-order), read as UTC');
  assert.deepEqual(header.warnings, [`${file}: timestamps without a UTC offset were read as UTC`]);
});

test('Kibana Discover CSV exports (@timestamp "Mar 2, 2026 @ 14:19:05.444") are read, warned of as offset-less', () => {
  const file = join(tmp, 'kibana.csv');
  const rows = ['"@timestamp","user.name","event.duration","latency_ms"'];
  for (let i = 0; i < 3; i++) rows.push(`"Mar 2, 2026 @ 14:1${i}:05.444","jdoe","2630000${i}","26.${i}"`);
  writeFileSync(file, rows.join('\n') + '\n');
  const r = runCli(['scan', file, '--format', 'json']);
  assert.equal(r.status, 0, r.stderr);
  const header = (JSON.parse(r.stdout) as { header: { samplesEmitted: number; rejectionsTotal: number; warnings: string[]; inputs: { timeFormat: string }[] } }).header;
  assert.equal(header.samplesEmitted, 3);
  assert.equal(header.rejectionsTotal, 0);
  assert.equal(header.inputs[0]!.timeFormat, 'Kibana date (Mar 2, 2026 @ 14:19:05.444) without offset, read as UTC');
  assert.deepEqual(header.warnings, [`${file}: timestamps without a UTC offset were read as UTC`]);
});

test('--since/--until and --exclude are counted in the header', () => {
  const r = runCli(['scan', SAMPLE, '--exclude', EXCLUDE, '--since', '2026-03-10', '--until', '2026-03-20T00:00:00Z', '--format', 'json']);
  assert.equal(r.status, 0, r.stderr);
  const h = JSON.parse(r.stdout).header;
  assert.ok(h.excluded.count > 0);
  assert.ok(h.timeWindow.outsideWindow > 0);
  assert.equal(h.timeWindow.since, '2026-03-10T00:00:00.000Z');
});

test('-o writes the report and its SHA-256 goes to stderr; outputs never overwrite inputs', () => {
  const out = join(tmp, 'report.json');
  const r = runCli(['scan', SAMPLE, '--format', 'json', '-o', out]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /wrote .*report\.json \(sha256 [0-9a-f]{64}\)/);
  assert.ok(statSync(out).size > 1000);
  const before = readFileSync(join(REPO_ROOT, SAMPLE));
  const clash = runCli(['scan', SAMPLE, '-o', SAMPLE]);
  assert.equal(clash.status, 2);
  assert.match(clash.stderr, /is one of the inputs/);
  assert.deepEqual(readFileSync(join(REPO_ROOT, SAMPLE)), before);
});

test('help lists every option with examples; --version works; unknown options exit 2', () => {
  const help = runCli(['scan', '--help']);
  assert.equal(help.status, 0);
  for (const flag of ['--roster', '--format', '--out', '--top', '--rejects', '--fail-on', '--strict', '--keep-going', '--account-col', '--time-col', '--session-col', '--kind-col', '--value-col', '--unit', '--since', '--until', '--exclude', '--min-samples', '--no-color']) {
    assert.ok(help.stdout.includes(flag), flag);
  }
  assert.match(help.stdout, /Examples:/);
  const top = runCli(['--help']);
  assert.match(top.stdout, /Examples:/);
  const version = runCli(['--version']);
  assert.equal(version.status, 0);
  assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
  assert.equal(runCli(['scan', SAMPLE, '--bogus']).status, 2);
  // Help asked for is a success; help shown because no command was given is a usage error (it was
  // exit 0: `keylag $UNSET_COMMAND` in a CI script passed).
  assert.equal(runCli(['help']).status, 0);
  assert.equal(runCli(['help', 'scan']).status, 0);
  for (const missing of [[], ['baseline']]) {
    const r = runCli(missing);
    assert.equal(r.status, 2, missing.join(' '));
    assert.match(r.stderr, /^Usage: keylag/, missing.join(' '));
  }
});

test('colour only when forced on a non-TTY; NO_COLOR and --no-color win', () => {
  const forced = runCli(['scan', SAMPLE, '--top', '3'], { env: { FORCE_COLOR: '1' } });
  assert.match(forced.stdout, /\u001b\[/);
  const noColor = runCli(['scan', SAMPLE, '--top', '3'], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } });
  assert.doesNotMatch(noColor.stdout, /\u001b\[/);
  const flag = runCli(['scan', SAMPLE, '--top', '3', '--no-color'], { env: { FORCE_COLOR: '1' } });
  assert.doesNotMatch(flag.stdout, /\u001b\[/);
});

test('the real JSON report of the sample validates against the committed schema (every account, every evidence item)', async () => {
  const { Ajv2020 } = await import('ajv/dist/2020.js');
  const schema = JSON.parse(readFileSync(join(REPO_ROOT, 'schema/report.schema.json'), 'utf8')) as Record<string, unknown>;
  const validate = new Ajv2020({ strict: true, allErrors: true }).compile(schema);
  const r = runCli(['scan', SAMPLE, '--roster', ROSTER, '--format', 'json']);
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { accounts: { evidence: unknown[] }[] };
  assert.ok(validate(report), JSON.stringify(validate.errors?.slice(0, 3)));
  assert.ok(report.accounts.filter((a) => a.evidence.length > 0).length > 150);
  // Each JSONL line too: the header line and each account line carry the same content.
  const jsonl = runCli(['scan', SAMPLE, '--roster', ROSTER, '--format', 'jsonl']).stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string });
  assert.equal(jsonl[0]!.type, 'header');
  assert.equal(jsonl.length, 1 + report.accounts.length);
});

test('a directory stands for the files in it (sorted, recursive)', () => {
  const dir = join(tmp, 'dir-input');
  spawnSync('mkdir', ['-p', join(dir, 'sub')]);
  writeFileSync(join(dir, 'b.csv'), 'user,time,rtt_ms\nbob,1772460191,12\n');
  writeFileSync(join(dir, 'sub', 'a.csv'), 'user,time,rtt_ms\nann,1772460191,13\n');
  writeFileSync(join(dir, '.hidden.csv'), 'garbage');
  const report = scanJson([dir]);
  assert.deepEqual(report.header.inputs.map((i) => i.path), [join(dir, 'b.csv'), join(dir, 'sub', 'a.csv')]);
});

test('an input given twice, or the same content under another name, is read once (its rows would count twice)', () => {
  const dir = mkdtempSync(join(tmp, 'twice-'));
  const copy = join(dir, 'sessions (1).csv');
  writeFileSync(copy, readFileSync(SAMPLE));
  const once = scanJson([SAMPLE]);
  const samplesOf = (r: JsonReport & { header: { samplesUsed?: number } }) => (r.header as unknown as { samplesUsed: number }).samplesUsed;
  for (const args of [[SAMPLE, SAMPLE], [SAMPLE, copy]]) {
    const r = runCli(['scan', ...args, '--format', 'json']);
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout) as JsonReport & { header: { warnings: string[]; inputs: { status: string; error?: string }[] } };
    assert.deepEqual(report.header.inputs.map((i) => i.status), ['read', 'skipped']);
    assert.equal(report.header.inputs[1]!.sha256, report.header.inputs[0]!.sha256);
    assert.match(report.header.inputs[1]!.error!, args[1] === SAMPLE ? /^the same file as input 1: not read again$/ : /^same content as .*sessions\.csv \(sha256 [0-9a-f]{16}\.\.\.\): not read again$/);
    assert.ok(report.header.warnings.some((w) => w.includes('not counted twice')), report.header.warnings.join(' | '));
    assert.equal(samplesOf(report), samplesOf(once));
    assert.deepEqual(report.accounts.map((a) => [a.account, a.score]), once.accounts.map((a) => [a.account, a.score]));
  }
});

test('workbooks, archives, PDFs and other compressions are named as such (exit 2, one line), not read as CSV', () => {
  const dir = mkdtempSync(join(tmp, 'containers-'));
  const cases: [string, Buffer, RegExp][] = [
    ['export.xlsx', Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00]), Buffer.from('[Content_Types].xml"quoted')]), /export\.xlsx: a zip archive \(an Excel \.xlsx workbook is one\), not an export keylag reads: save a workbook as CSV/],
    ['export.xls', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]), /old binary format \(\.xls\)/],
    ['report.pdf', Buffer.from('%PDF-1.7\n%\xe2\xe3\n1 0 obj\n'), /report\.pdf: a PDF document, not an export keylag reads/],
    ['sessions.csv.bz2', Buffer.from('BZh91AY&SY\x00\x01'), /bzip2-compressed data, not an export keylag reads: decompress it first/],
    ['sessions.csv.xz', Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00, 0x04]), /xz-compressed data/],
  ];
  for (const [name, bytes, message] of cases) {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    const r = runCli(['scan', path]);
    assert.equal(r.status, 2, `${name}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

test('an input whose records were mostly rejected is warned of: what was kept is a remnant', () => {
  const dir = mkdtempSync(join(tmp, 'remnant-'));
  const path = join(dir, 'mostly-bad.csv');
  const rows = ['user,time,rtt_ms'];
  for (let i = 10; i < 40; i++) rows.push(`alice,2026-03-02T10:00:${i}Z,${i % 3 === 0 ? 20 : 'n/a ms'}`, `bob,2026-03-02T10:01:${i}Z,${i % 3 === 0 ? 21 : 'x'}`);
  writeFileSync(path, rows.join('\n') + '\n');
  const r = runCli(['scan', path, '--format', 'json', '--min-samples', '5']);
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { header: { warnings: string[] } };
  assert.ok(report.header.warnings.some((w) => /mostly-bad\.csv: 40 rejections over 60 records \(value_not_numeric 40\): what was kept is a remnant/.test(w)), report.header.warnings.join(' | '));
  // Half or fewer rejected: no such warning.
  const fine = join(dir, 'some-bad.csv');
  writeFileSync(fine, rows.slice(0, 1).concat(rows.slice(1).map((row, i) => (i % 4 === 0 ? row : row.replace(/,(n\/a ms|x)$/, ',22')))).join('\n') + '\n');
  const ok = JSON.parse(runCli(['scan', fine, '--format', 'json', '--min-samples', '5']).stdout) as { header: { warnings: string[] } };
  assert.ok(!ok.header.warnings.some((w) => w.includes('remnant')), ok.header.warnings.join(' | '));
});
