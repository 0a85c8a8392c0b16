// End-to-end: `keylag inspect` and `--allow`/`--now`, run through the built CLI as a user would.
// The floor rows inspect prints must be real rows of the input that hold the account and the value;
// the allow list must keep an account from the gate exactly until its expiry (fixed clock).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { runCli, REPO_ROOT, SAMPLE, ROSTER, EXCLUDE } from './helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'keylag-inspect-'));
const sampleText = readFileSync(join(REPO_ROOT, SAMPLE), 'utf8');
const sampleLines = sampleText.split('\n');
/** The sample's rows: timestamp,user,session_id,latency_ms (line 1 is the header). */
const lucia = (parse(sampleText, { columns: true }) as { user: string; latency_ms: string }[])
  .filter((r) => r.user === 'lucia.lee').map((r) => Number(r.latency_ms));

interface Row { role: string; rank: number; valueMs: number; source: { file: string; line: number }; text: string | null; textNote: string | null }
interface Inspect {
  account: { account: string; kinds: { kind: string; n: number; floor: { valueMs: number }; floorInterval: { lowerMs: number; upperMs: number; lowerRank: number; upperRank: number } }[]; allowed?: unknown };
  floorRows: { status: string; reason: string | null; kinds: { kind: string; n: number; rows: Row[] }[] };
}

function inspectJson(args: string[], input?: string): Inspect {
  const r = runCli(['inspect', 'lucia.lee', ...args, '--format', 'json'], input === undefined ? {} : { input });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Inspect;
}

test('inspect: every file:line it prints is a real input row holding the account and the value, at the stated rank', () => {
  const out = inspectJson([SAMPLE, '--roster', ROSTER]);
  assert.equal(out.floorRows.status, 'found');
  const k = out.floorRows.kinds[0]!;
  assert.equal(k.kind, 'input_lag');
  assert.equal(k.n, lucia.length);
  assert.deepEqual(k.rows.map((r) => r.role), ['lower', 'floor', 'upper']);
  const sorted = [...lucia].sort((a, b) => a - b);
  const stats = out.account.kinds[0]!;
  assert.deepEqual(k.rows.map((r) => r.rank), [stats.floorInterval.lowerRank, Math.ceil(lucia.length * 0.05), stats.floorInterval.upperRank]);
  assert.deepEqual(k.rows.map((r) => r.valueMs), [stats.floorInterval.lowerMs, stats.floor.valueMs, stats.floorInterval.upperMs]);
  for (const r of k.rows) {
    assert.equal(r.source.file, SAMPLE);
    const line = sampleLines[r.source.line - 1]!;
    const [, user, , value] = line.split(',');
    assert.equal(user, 'lucia.lee', `${r.source.file}:${r.source.line} holds the account`);
    assert.equal(Number(value), r.valueMs, `${r.source.file}:${r.source.line} holds the value`);
    assert.equal(r.text, line, 'the row text is the line as written');
    // The value really is that order statistic of the account's values.
    assert.equal(sorted[r.rank - 1], r.valueMs);
  }

  // The text output points at the same rows, and shows their text.
  const text = runCli(['inspect', 'lucia.lee', SAMPLE, '--roster', ROSTER, '--no-color']);
  assert.equal(text.status, 0, text.stderr);
  const refs = [...text.stdout.matchAll(/ ms {2}(\S+):(\d+)\n {6}\| (.*)\n/g)].map((m) => ({ file: m[1]!, line: Number(m[2]), text: m[3]! }));
  assert.equal(refs.length, 3);
  for (const ref of refs) {
    assert.equal(ref.file, SAMPLE);
    assert.equal(sampleLines[ref.line - 1], ref.text);
    assert.match(ref.text, /,lucia\.lee,/);
  }
  for (const section of ['Distribution per kind', 'vs peers site:nyc', 'Daily input_lag floor (20 days)', 'Change points', 'Evidence (', 'floor_vs_peers (input_lag)', 'Input rows that set the floor']) {
    assert.ok(text.stdout.includes(section), `text shows ${section}`);
  }
});

test('inspect: the second pass is exact even when the scan sketched; .gz inputs give the same rows', () => {
  const exact = inspectJson([SAMPLE, '--roster', ROSTER]);
  const sketched = inspectJson([SAMPLE, '--roster', ROSTER, '--exact-per-account', '50']);
  assert.equal((sketched.account.kinds[0] as unknown as { precision: { mode: string } }).precision.mode, 'sketch');
  assert.deepEqual(sketched.floorRows, exact.floorRows);
  const gz = join(tmp, 'sessions.csv.gz');
  writeFileSync(gz, gzipSync(Buffer.from(sampleText)));
  const fromGz = inspectJson([gz, '--roster', ROSTER]);
  assert.deepEqual(fromGz.floorRows.kinds[0]!.rows.map((r) => [r.source.line, r.text]), exact.floorRows.kinds[0]!.rows.map((r) => [r.source.line, r.text]));
  assert.ok(fromGz.floorRows.kinds[0]!.rows.every((r) => r.source.file === gz));
});

test('inspect: stdin says the rows are unavailable (not an error); names are normalised; unknown names list near matches', () => {
  const fromStdin = inspectJson(['-', '--roster', ROSTER], sampleText);
  assert.equal(fromStdin.floorRows.status, 'unavailable');
  assert.match(fromStdin.floorRows.reason!, /standard input/);
  const text = runCli(['inspect', 'lucia.lee', '-', '--roster', ROSTER], { input: sampleText });
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /unavailable: standard input \(-\) was read once/);

  const viaAlias = runCli(['inspect', 'CORP\\Lucia.Lee', SAMPLE, '--format', 'json']);
  assert.equal(viaAlias.status, 0, viaAlias.stderr);
  assert.equal((JSON.parse(viaAlias.stdout) as Inspect).account.account, 'lucia.lee');

  const typo = runCli(['inspect', 'lucia.le', SAMPLE]);
  assert.equal(typo.status, 2);
  assert.equal(typo.stdout, '');
  assert.equal(typo.stderr.trimEnd().split('\n').length, 1, typo.stderr);
  assert.match(typo.stderr, /^keylag: error: no account 'lucia\.le' in the inputs \(\d+ accounts\); nearest: lucia\.lee/);
  const excluded = runCli(['inspect', 'svc-backup', SAMPLE, '--exclude', EXCLUDE]);
  assert.equal(excluded.status, 2);
  assert.match(excluded.stderr, /excluded by --exclude/);
});

const ALLOW_YAML = `# sanctioned exceptions for the sample
- account: lucia.lee
  reason: sanctioned jump host in Lisbon
  owner: secops@corp.example
  expires: 2026-04-15
- site: mnl
  reason: regional relay
  owner: netops
`;
const ALLOW_CSV = 'account,site,reason,owner,expires\nlucia.lee,,sanctioned jump host in Lisbon,secops@corp.example,2026-04-15\n,mnl,regional relay,netops,\n';

interface ScanJson {
  header: { now?: string; allowList?: { path: string; sha256: string; entries: { expired: boolean; accounts: number }[] }; warnings: string[] };
  accounts: { account: string; flagged: boolean; allowed?: { reason: string; expired: boolean; entrySource: { file: string; line: number } } | null }[];
}

test('--allow with a fixed clock: the gate passes until the expiry and trips after it; YAML and CSV alike', () => {
  const yaml = join(tmp, 'allow.yaml');
  const csv = join(tmp, 'allow.csv');
  writeFileSync(yaml, ALLOW_YAML);
  writeFileSync(csv, ALLOW_CSV);
  // Only the planted farm may decide the gate here: service accounts and the planted part-time relay
  // (wpatel, flagged by the intermittent-floor signal) are left out.
  const exclude = join(tmp, 'exclude.txt');
  writeFileSync(exclude, `${readFileSync(join(REPO_ROOT, EXCLUDE), 'utf8')}\nwpatel\n`);
  for (const [file, line] of [[yaml, 2], [csv, 2]] as const) {
    const base = ['scan', SAMPLE, '--roster', ROSTER, '--exclude', exclude, '--allow', file, '--fail-on', '70', '--format', 'json'];
    // Without the allow list the planted farm trips the gate.
    assert.equal(runCli(base.filter((a, i) => a !== '--allow' && base[i - 1] !== '--allow')).status, 1);
    const before = runCli([...base, '--now', '2026-04-15T23:59:59Z']);
    assert.equal(before.status, 0, before.stderr);
    assert.match(before.stderr, /--fail-on 70: 1 account\(s\) at or above it exempt by the allow list \(lucia\.lee\)/);
    const report = JSON.parse(before.stdout) as ScanJson;
    const farm = report.accounts.find((a) => a.account === 'lucia.lee')!;
    assert.equal(farm.flagged, true, 'still scored and flagged: never dropped');
    assert.deepEqual(farm.allowed, {
      reason: 'sanctioned jump host in Lisbon', owner: 'secops@corp.example', expires: '2026-04-15', expired: false,
      matchedBy: 'account', match: 'lucia.lee', entrySource: { file, line },
    });
    assert.equal(report.header.now, '2026-04-15T23:59:59.000Z');
    assert.equal(report.header.allowList!.path, file);
    assert.match(report.header.allowList!.sha256, /^[0-9a-f]{64}$/);
    assert.deepEqual(report.header.allowList!.entries.map((e) => [e.expired, e.accounts]), [[false, 1], [false, 35]]);
    assert.deepEqual(report.accounts.filter((a) => a.flagged).map((a) => a.account), ['lucia.lee'], 'the gate is about the farm alone');
    assert.equal(report.accounts.filter((a) => a.allowed?.reason === 'regional relay').length, 35);

    const after = runCli([...base, '--now', '2026-04-16']);
    assert.equal(after.status, 1, `expired: the gate trips again (${after.stderr})`);
    assert.ok(after.stdout.startsWith('{'), `a report was written: ${after.stderr}`);
    const late = JSON.parse(after.stdout) as ScanJson;
    assert.equal(late.accounts.find((a) => a.account === 'lucia.lee')!.allowed!.expired, true);
    assert.ok(late.header.warnings.some((w) => w.includes(`${file}:${line} for account 'lucia.lee' expired 2026-04-15: not applied; 1 account(s) no longer exempt from --fail-on (lucia.lee)`)));
  }
  // The same bytes for the same arguments (the clock is not read with --now).
  const args = ['scan', SAMPLE, '--roster', ROSTER, '--allow', yaml, '--now', '2026-04-01', '--format', 'json'];
  assert.equal(runCli(args).stdout, runCli(args).stdout);
  // The table and inspect show it.
  const table = runCli(['scan', SAMPLE, '--roster', ROSTER, '--allow', yaml, '--now', '2026-04-01', '--top', '3', '--no-color']);
  assert.match(table.stdout.replace(/[\s│]+/g, ' '), /allowed: sanctioned jump host in Lisbon \(secops@corp\.example, until 2026-04-15\)/);
  const insp = runCli(['inspect', 'lucia.lee', SAMPLE, '--roster', ROSTER, '--allow', csv, '--now', '2026-05-01', '--no-color']);
  assert.equal(insp.status, 0, insp.stderr);
  assert.match(insp.stdout.replace(/\s+/g, ' '), /allow-list entry EXPIRED 2026-04-15, not applied: sanctioned jump host in Lisbon \(secops@corp\.example\)/);
});

test('--allow without --now: judged against the clock, and the header says so', () => {
  const yaml = join(tmp, 'allow-clock.yaml');
  writeFileSync(yaml, ALLOW_YAML);
  const r = runCli(['scan', SAMPLE, '--roster', ROSTER, '--allow', yaml, '--format', 'json']);
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as ScanJson;
  assert.match(report.header.now!, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  assert.ok(report.header.warnings.some((w) => /judged against the clock .*give --now for a reproducible report/.test(w)));
  // Without --allow and --now, nothing about them (reports keep their bytes).
  const plain = JSON.parse(runCli(['scan', SAMPLE, '--format', 'json', '--top', '1']).stdout) as ScanJson;
  assert.equal(plain.header.now, undefined);
  assert.equal(plain.accounts[0]!.allowed, undefined);
});

test('bad allow files and --now: one line naming file and line, exit 2', () => {
  const cases: [string, string, RegExp][] = [
    ['bad1.yaml', '- account: lucia.lee\n  reason: travel\n', /^keylag: error: .*bad1\.yaml:1: allow-list entry for account 'lucia\.lee' has no owner \(required\)$/],
    ['bad2.csv', 'account,reason,owner,expires\nlucia.lee,travel,hr,soon\n', /^keylag: error: .*bad2\.csv:2: allow-list entry for account 'lucia\.lee': expires 'soon' is not a date/],
    ['bad3.yaml', '- account: lucia.lee\n  reason: travel\n  owner: hr\n  until: 2026-01-01\n', /^keylag: error: .*bad3\.yaml:4: allow-list entry has an unknown key 'until'/],
  ];
  for (const [name, text, re] of cases) {
    const path = join(tmp, name);
    writeFileSync(path, text);
    const r = runCli(['scan', SAMPLE, '--allow', path, '--now', '2026-04-01']);
    assert.equal(r.status, 2, name);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.match(r.stderr.trimEnd(), re);
  }
  const missing = runCli(['scan', SAMPLE, '--allow', join(tmp, 'nope.yaml')]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /nope\.yaml: cannot read allow list: no such file/);
  const badNow = runCli(['scan', SAMPLE, '--allow', join(tmp, 'bad1.yaml'), '--now', 'tomorrow']);
  assert.equal(badNow.status, 2);
  assert.match(badNow.stderr, /--now expects an ISO 8601 date\/time or epoch, got 'tomorrow'/);
});

test('findFloorRows: an input that changed since the scan gives no rows; text is read back exactly', async () => {
  const { findFloorRows } = await import('../src/analyze/rows.js');
  const path = join(REPO_ROOT, SAMPLE);
  const req = {
    inputs: [path], columns: {}, inputFormat: null, strict: false, keepGoing: false, stdin: process.stdin,
    since: null, until: null, exclude: null, memoryBudgetValues: 1000,
  };
  const changed = await findFloorRows(req, 'lucia.lee', [{ path, sha256: '0'.repeat(64) }]);
  assert.equal(changed.status, 'unavailable');
  assert.match(changed.reason!, /changed since the scan read it/);
  const found = await findFloorRows(req, 'lucia.lee');
  assert.equal(found.status, 'found');
  assert.deepEqual(found.kinds[0]!.rows.map((r) => r.source.line), [686, 5083, 35824]);
});

test('findFloorRows reads in this thread even where the scan would start a reader thread', async () => {
  const { findFloorRows } = await import('../src/analyze/rows.js');
  const path = join(REPO_ROOT, SAMPLE);
  // parallelMinBytes 0: the scan's collect would read this input in a reader thread.
  const req = {
    inputs: [path], columns: {}, inputFormat: null, strict: false, keepGoing: false, stdin: process.stdin,
    since: null, until: null, exclude: null, memoryBudgetValues: 1000, parallelMinBytes: 0,
  };
  let started = 0;
  const onWorker = (): void => { started++; };
  process.on('worker', onWorker);
  try {
    const found = await findFloorRows(req, 'lucia.lee');
    assert.deepEqual(found.kinds[0]!.rows.map((r) => r.source.line), [686, 5083, 35824]);
  } finally {
    process.off('worker', onWorker);
  }
  // Before: one reader thread, whose heap and buffers (10M rows: ~35 MB) came on top of the scan's
  // heap, not yet given back: inspect peaked 288,588 / 295,720 KiB against scan's ~266,000.
  assert.equal(started, 0);
});

test('inspectedOnly: the report inspect keeps through the second pass holds one account and renders the same', async () => {
  const { inspectedOnly, renderInspectJson, renderInspectText, selectAccount } = await import('../src/report/inspect.js');
  const { sampleReportWithAllowList, HOSTILE_NAME } = await import('./helpers/sample-report.js');
  const r = sampleReportWithAllowList();
  const a = selectAccount(r, HOSTILE_NAME);
  const kept = inspectedOnly(r, a);
  assert.deepEqual(kept.accounts, [a]);
  assert.equal(r.accounts.length, 11, 'the scan\'s report is not changed');
  const rows = { status: 'found' as const, reason: null, kinds: [] };
  assert.equal(renderInspectText(kept, a, rows, { width: 100 }), renderInspectText(r, a, rows, { width: 100 }));
  assert.equal(renderInspectJson(kept, a, rows), renderInspectJson(r, a, rows));
});

test('renderInspectText: hostile names and row texts are escaped; unknown names list near matches', async () => {
  const { renderInspectText, selectAccount } = await import('../src/report/inspect.js');
  const { sampleReportWithAllowList, HOSTILE_NAME } = await import('./helpers/sample-report.js');
  const r = sampleReportWithAllowList();
  const evil = selectAccount(r, HOSTILE_NAME);
  const text = renderInspectText(r, evil, {
    status: 'found', reason: null,
    kinds: [{ kind: 'rtt', n: 100, confidence: 0.95, sided: 'two-sided', rows: [
      { role: 'floor', rank: 5, valueMs: 12.5, source: { file: 'x\u001b[2J.csv', line: 7 }, text: `t,${HOSTILE_NAME},12.5\u202e`, textNote: null },
    ] }],
  }, { width: 100 });
  assert.ok(!/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/.test(text), 'no control or bidi character reaches the terminal');
  assert.match(text, /x\\u001b\[2J\.csv:7/);
  assert.match(text, /\| t,evil\\u001b\[31m\\u0007=cmd/);
  assert.match(text.replace(/\s+/g, ' '), /allow-list entry EXPIRED 2026-03-15T12:00:00Z, not applied: approved travel \(hr\)/);
  assert.throws(() => selectAccount(r, 'mallory'), /no account 'mallory' in the inputs \(11 accounts\); nearest: mallory\.k/);
  assert.throws(() => selectAccount(r, 'Zed'), (e: Error) => !e.message.includes('nearest'));
});

test('--allow by client address (ClientAddressTracker): covers accounts whose every sample came from the range', () => {
  // fixtures/history: three accounts behind one office NAT (all samples from 198.51.100.20), and a
  // farm whose members moved from their home addresses to 203.0.113.7 on 2026-03-18.
  const allow = join(tmp, 'addresses.yaml');
  writeFileSync(allow, '- address: 198.51.100.0/24\n  reason: office NAT\n  owner: netops\n- address: 203.0.113.7\n  reason: jump host\n  owner: secops\n');
  const r = runCli(['scan', 'fixtures/history/sessions.csv.gz', '--roster', 'fixtures/history/roster.csv', '--allow', allow, '--now', '2026-04-01', '--format', 'json']);
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as ScanJson;
  const allowed = report.accounts.filter((a) => a.allowed).map((a) => [a.account, a.allowed!.reason]).sort();
  assert.deepEqual(allowed, [['jjackson', 'office NAT'], ['mtaylor', 'office NAT'], ['n.rodriguez', 'office NAT']]);
  // The farm used the jump-host address only since its hand-over: its earlier sessions are not covered.
  assert.deepEqual(report.header.allowList!.entries.map((e) => e.accounts), [3, 0]);
  assert.ok(report.accounts.filter((a) => ['dwhite', 'nancy.white', 'omurphy'].includes(a.account)).every((a) => a.allowed === null && a.flagged));
});

test('inspect --format json follows schema/inspect.schema.json (which reuses the report schema)', async () => {
  const { Ajv2020 } = await import('ajv/dist/2020.js');
  const ajv = new Ajv2020({ strict: true, strictTypes: true, strictTuples: true, strictRequired: true, allErrors: true });
  ajv.addSchema(JSON.parse(readFileSync(join(REPO_ROOT, 'schema/report.schema.json'), 'utf8')));
  ajv.addSchema(JSON.parse(readFileSync(join(REPO_ROOT, 'schema/inspect.schema.json'), 'utf8')));
  const validate = ajv.getSchema('https://keylag.dev/schema/inspect/1.0.0/inspect.schema.json')!;
  const golden = JSON.parse(readFileSync(join(REPO_ROOT, 'test/golden/sample.inspect.json'), 'utf8'));
  assert.ok(validate(golden), JSON.stringify(validate.errors));
  const fromStdin = inspectJson(['-', '--roster', ROSTER], sampleText);
  assert.ok(validate(fromStdin), JSON.stringify(validate.errors));
});

test('keylag verify re-hashes the allow list a report recorded (chain of custody)', () => {
  const allow = join(tmp, 'custody.yaml');
  writeFileSync(allow, ALLOW_YAML);
  const out = join(tmp, 'custody.json');
  const r = runCli(['scan', SAMPLE, '--allow', allow, '--now', '2026-04-01', '--format', 'json', '-o', out]);
  assert.equal(r.status, 0, r.stderr);
  const ok = runCli(['verify', out, SAMPLE, allow]);
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  writeFileSync(allow, ALLOW_YAML.replace('2026-04-15', '2027-04-15'));
  const changed = runCli(['verify', out, SAMPLE, allow]);
  assert.equal(changed.status, 1);
  assert.match(changed.stdout, /MISMATCH.*custody\.yaml/);
});
