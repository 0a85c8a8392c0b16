import { test } from 'node:test';
import assert from 'node:assert/strict';
import { genericAdapter, parseLatency } from '../src/ingest/adapters/generic.js';
import { SideData, DEFAULT_READ_LIMITS, type RawSample } from '../src/ingest/adapter.js';
import type { ColumnOptions } from '../src/ingest/columns.js';
import { isKeylagError } from '../src/errors.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

/** A file with `text` in a fresh temporary folder. */
function tempFile(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'keylag-generic-')), name);
  writeFileSync(path, text);
  return path;
}

async function* chunksOf(text: string | Buffer, size = 7): AsyncGenerator<Buffer> {
  const buf = typeof text === 'string' ? Buffer.from(text) : text;
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

async function read(text: string | Buffer, columns: ColumnOptions = {}) {
  return genericRead(text, undefined, columns);
}

async function genericRead(text: string | Buffer, dateOrder?: string, columns: ColumnOptions = {}) {
  const samples: RawSample[] = [];
  const rejections: { line: number; reason: string; detail: string }[] = [];
  const notes: string[] = [];
  const result = await genericAdapter.read(chunksOf(text), {
    file: 'test.csv', columns, options: dateOrder === undefined ? {} : { dateOrder }, side: new SideData(), limits: DEFAULT_READ_LIMITS,
    emit: (s) => samples.push(s),
    reject: (line, reason, detail) => rejections.push({ line, reason, detail }),
    note: (n) => notes.push(n),
  });
  return { samples, rejections, notes, result };
}

test('aliases map columns to kinds; several value columns per row', async () => {
  const { samples, notes } = await read('User,Timestamp,RTT_ms,echo_ms\njdoe,2026-03-02T14:03:11Z,21.5,40\n');
  assert.deepEqual(samples.map((s) => [s.account, s.kind, s.valueMs, s.line]), [['jdoe', 'rtt', 21.5, 2], ['jdoe', 'app_rtt', 40, 2]]);
  assert.ok(notes.includes('RTT_ms -> rtt (ms)'));
});

test('a bad value rejects that value, not the others on its row', async () => {
  const { samples, rejections } = await read('user,time,rtt_ms,echo_ms\njdoe,1772460191,abc,40\n');
  assert.equal(samples.length, 1);
  assert.equal(samples[0]!.kind, 'app_rtt');
  assert.deepEqual(rejections.map((r) => [r.line, r.reason]), [[2, 'value_not_numeric']]);
});

test('value checks: negative, NaN, Infinity, hex, absurd, empty', () => {
  assert.deepEqual(parseLatency('-3', 1), { ok: false, reason: 'value_negative' });
  assert.deepEqual(parseLatency('NaN', 1), { ok: false, reason: 'value_not_finite' });
  assert.deepEqual(parseLatency('Infinity', 1), { ok: false, reason: 'value_not_finite' });
  assert.deepEqual(parseLatency('1e309', 1), { ok: false, reason: 'value_not_finite' });
  assert.deepEqual(parseLatency('0x10', 1), { ok: false, reason: 'value_not_numeric' });
  assert.deepEqual(parseLatency('3600001', 1), { ok: false, reason: 'value_absurd' });
  assert.deepEqual(parseLatency('', 1), { ok: false, reason: 'value_missing' });
  // What exports write for no value is missing, not malformed (each was value_not_numeric).
  for (const none of ['N/A', 'n/a', 'NA', '#N/A', 'null', 'NULL', 'None', '-', '--', '\u2014', '?']) {
    assert.deepEqual(parseLatency(none, 1), { ok: false, reason: 'value_missing' }, none);
  }
  assert.deepEqual(parseLatency('-5', 1), { ok: false, reason: 'value_negative' });
  assert.deepEqual(parseLatency('nan', 1), { ok: false, reason: 'value_not_finite' });
  // Thousands grouped with commas, where no decimal comma can be meant (each was value_not_numeric).
  assert.deepEqual(parseLatency('1,234.5', 1), { ok: true, valueMs: 1234.5 });
  assert.deepEqual(parseLatency('1,234,567', 0.001), { ok: true, valueMs: 1234.567 });
  // One group alone may be a decimal comma (1,234 = 1.234?): not guessed.
  assert.deepEqual(parseLatency('1,234', 1), { ok: false, reason: 'value_not_numeric' });
  assert.deepEqual(parseLatency('12,34.5', 1), { ok: false, reason: 'value_not_numeric' });
  assert.deepEqual(parseLatency(' 0.25 ', 1000), { ok: true, valueMs: 250 });
  assert.deepEqual(parseLatency('-0', 1), { ok: true, valueMs: 0 });
  // A unit written in the cell wins over the column's (ping logs, some exports).
  assert.deepEqual(parseLatency('23.4 ms', 1000), { ok: true, valueMs: 23.4 });
  assert.deepEqual(parseLatency('0.25s', 1), { ok: true, valueMs: 250 });
  assert.deepEqual(parseLatency(' 850 µs ', 1), { ok: true, valueMs: 0.85 });
  for (const bad of ['ms', '5 min', '1e3 ms', '23.4 ms ms', '0x10 ms']) assert.deepEqual(parseLatency(bad, 1), { ok: false, reason: 'value_not_numeric' }, bad);
  assert.deepEqual(parseLatency('-3 ms', 1), { ok: false, reason: 'value_negative' });
});

test('TSV, BOM, CRLF and quoted fields with embedded newlines keep true line numbers', async () => {
  const text = '\uFEFFuser\ttime\tlatency_ms\tnote\r\n"a"\t1772460191\t10\t"two\r\nlines"\r\nb\t1772460192\t11\tx\r\n';
  const { samples, result } = await read(text);
  assert.equal(result.dialect, 'TSV');
  assert.deepEqual(samples.map((s) => [s.account, s.line, s.kind]), [['a', 2, 'input_lag'], ['b', 4, 'input_lag']]);
});

test('ragged rows are rejected whole; rows out of time order are accepted', async () => {
  const { samples, rejections } = await read('user,time,rtt_ms\na,1772460199,10\nb,1772460191\na,1772460100,12\n');
  assert.deepEqual(rejections.map((r) => [r.line, r.reason]), [[3, 'row_ragged']]);
  assert.deepEqual(samples.map((s) => s.line), [2, 4]);
});

test('unparseable and out-of-range timestamps are counted', async () => {
  const { rejections } = await read('user,time,rtt_ms\na,not-a-time,10\na,0000-01-01T00:00:00Z,10\na,9999-12-31T00:00:00Z,10\n');
  assert.deepEqual(rejections.map((r) => r.reason), ['time_unparseable', 'time_out_of_range', 'time_out_of_range']);
});

test('a 1 MB field parses', async () => {
  const big = 'x'.repeat(1024 * 1024);
  const { samples } = await read(`user,time,rtt_ms,comment\na,1772460191,10,"${big}"\n`);
  assert.equal(samples.length, 1);
});

test('JSON Lines: a bad line is a counted rejection', async () => {
  const text = '{"user":"a","ts":"2026-03-02T14:03:11Z","rtt_ms":12}\n{broken\n[1,2]\n{"user":"b","ts":1772460191000,"rtt_ms":"13.5"}\n';
  const { samples, rejections, result } = await read(text);
  assert.equal(result.dialect, 'JSON Lines');
  assert.deepEqual(samples.map((s) => [s.account, s.valueMs, s.line]), [['a', 12, 1], ['b', 13.5, 4]]);
  assert.deepEqual(rejections.map((r) => [r.line, r.reason]), [[2, 'jsonl_invalid'], [3, 'jsonl_not_object']]);
});

test('--value-col COL:KIND, --unit and a kind column', async () => {
  const { samples } = await read('who,when,metric,v\na,1772460191,rtt,0.02\na,1772460192,echo,0.05\n', {
    accountCol: 'who', timeCol: 'when', valueCols: ['v'], unit: 's',
  });
  assert.deepEqual(samples.map((s) => [s.kind, s.valueMs]), [['rtt', 20], ['app_rtt', 50]]);
  const forced = await read('who,when,v\na,1772460191,7\n', { accountCol: 'who', timeCol: 'when', valueCols: ['v:reaction'] });
  assert.equal(forced.samples[0]!.kind, 'reaction');
});

test('header names as exports write them: units in brackets or as words, camelCase, [UTC], leading underscores, slashes', async () => {
  const cases: [string, [string, string, number][]][] = [
    // [header, [[account, kind, valueMs] of the row "a,2026-03-02T14:03:11Z,0.25"]]
    ['User Name,Timestamp (UTC),RTT (ms)', [['a', 'rtt', 0.25]]],
    ['userPrincipalName,TimeGenerated [UTC],latencyMs', [['a', 'input_lag', 0.25]]],
    ['_user,_time,Latency [s]', [['a', 'input_lag', 250]]],
    ['account_id,event_timestamp,round_trip_time_sec', [['a', 'rtt', 250]]],
    ['Login,Time_Stamp,echo_msec', [['a', 'app_rtt', 0.25]]],
    ['user,datetime_utc,roundTripTimeMs', [['a', 'rtt', 0.25]]],
    ['user,time,Delay (µs)', [['a', 'input_lag', 0.00025]]],
    ['user,time,EstRoundTripTimeInMs', [['a', 'rtt', 0.25]]],
    // A slash between words, as report exports write "Date/Time" (it was left in, and no alias matched).
    ['User Name,Date/Time,ICA RTT (ms)', [['a', 'app_rtt', 0.25]]],
  ];
  for (const [header, expected] of cases) {
    const { samples } = await read(`${header}\na,2026-03-02T14:03:11Z,0.25\n`);
    assert.deepEqual(samples.map((s) => [s.account, s.kind, s.valueMs]), expected, header);
    assert.equal(samples[0]!.timeUs, Date.UTC(2026, 2, 2, 14, 3, 11) * 1000, header);
  }
  // Elastic field paths: user.name is user_name, source.ip is source_ip.
  const elastic = await read('user.name,@timestamp,source.ip,rtt_ms\na,2026-03-02T14:03:11Z,203.0.113.7,20\n');
  assert.deepEqual(elastic.samples.map((s) => [s.account, s.clientAddress, s.valueMs]), [['a', '203.0.113.7', 20]]);
  // Epoch times under a unit-named header: the magnitude still tells the unit.
  const epoch = await read('user,epoch_ms,rtt_ms\na,1772460191123,20\n');
  assert.equal(epoch.samples[0]!.timeUs, 1772460191123000);
  // Two spellings of one name are one column twice: refused, as two identical names are.
  await assert.rejects(read('user,time,rtt_ms,RTT (ms)\na,2026-03-02T14:03:11Z,1,1\n'), /duplicate column 'rtt_ms' \(columns 3 and 4\)/);
  await assert.rejects(read('user,time,latency_ms,latencyMs\na,2026-03-02T14:03:11Z,1,1\n'), /duplicate column 'latencyMs' \(columns 3 and 4 both read as latency\)/);
  await assert.rejects(read('user,time,rtt_ms,rtt_us\na,2026-03-02T14:03:11Z,1,1000\n'), /duplicate column 'rtt_us' \(columns 3 and 4 both read as rtt\).*--value-col/);
  // Different quantities of one kind stay separate columns (an RTT and a ping).
  const two = await read('user,time,rtt_ms,ping_ms\na,2026-03-02T14:03:11Z,1,2\n');
  assert.deepEqual(two.samples.map((s) => [s.kind, s.valueMs]), [['rtt', 1], ['rtt', 2]]);
  // ... merged into one distribution, which the header says (before: silently), with the way to keep them apart.
  assert.deepEqual(two.result.warnings, ["columns 'rtt_ms' and 'ping_ms' are both read as rtt: their values are merged into one rtt distribution; "
    + "to keep them apart give each its kind (--value-col 'rtt_ms:rtt' --value-col 'ping_ms:KIND'), or --value-col for the one to use"]);
  const apart = await read('user,time,latency_ms,input_delay_ms\na,2026-03-02T14:03:11Z,40,12\n', { valueCols: ['latency_ms:input_lag', 'input_delay_ms:reaction'] });
  assert.deepEqual(apart.result.warnings, [], 'each given its kind: nothing merged, nothing to say');
  // A duration read as input_lag only because it is a number of ms (a session's length?): warned of (before: silently).
  const sessions = await read('user,start_time,duration_ms\na,2026-03-02T14:03:11Z,1800000\n');
  assert.deepEqual(sessions.samples.map((s) => [s.kind, s.valueMs]), [['input_lag', 1800000]]);
  assert.deepEqual(sessions.result.warnings, ["column 'duration_ms' was read as input_lag (a generic value: no kind column says which latency it is); "
    + "if it is a session's or a call's length, not a latency, this report is not about latency: give --value-col COL:KIND for the latency column"]);
  // With a kind column the kind is said: no warning.
  assert.deepEqual((await read('user,time,kind,duration_ms\na,2026-03-02T14:03:11Z,rtt,40\n')).result.warnings, []);
  // A session-level export's start is its time, never its end (before: "no time column"); a row's
  // own time wins where both are present.
  const perSession = await read('User Name,Session Start,Session End,ICA RTT\na,2026-03-02T14:03:11Z,2026-03-02T15:03:11Z,48\n');
  assert.deepEqual(perSession.samples.map((s) => [s.kind, s.valueMs, s.timeUs]), [['app_rtt', 48, Date.UTC(2026, 2, 2, 14, 3, 11) * 1000]]);
  const both = await read('user,session_start,time,rtt_ms\na,2026-03-02T14:00:00Z,2026-03-02T14:03:11Z,40\n');
  assert.deepEqual(both.samples.map((s) => s.timeUs), [Date.UTC(2026, 2, 2, 14, 3, 11) * 1000]);
  // A bracket that is not a unit stays part of the name, and matches nothing by itself.
  await assert.rejects(read('user,time,RTT (p95)\na,2026-03-02T14:03:11Z,1\n'), /no latency value column/);
});

test('locale dates: rejected as such without --date-order, read in the order given with it', async () => {
  const text = 'user,time,rtt_ms\na,03/02/2026 14:03:11,20\nb,"3/2/2026, 2:03:12.5 PM",21\nc,13/02/2026 14:03:13,22\nd,2026-03-02T14:03:14Z,23\n';
  const unknown = await read(text);
  assert.deepEqual(unknown.rejections.map((r) => [r.line, r.reason]), [[2, 'time_date_order_unknown'], [3, 'time_date_order_unknown'], [4, 'time_date_order_unknown']]);
  assert.deepEqual(unknown.samples.map((s) => s.account), ['d']);
  assert.ok(unknown.notes.some((n) => /--date-order mdy or dmy/.test(n)));
  const mdy = await genericRead(text, 'mdy');
  assert.deepEqual(mdy.samples.map((s) => [s.account, s.timeUs]), [
    ['a', Date.UTC(2026, 2, 2, 14, 3, 11) * 1000], ['b', Date.UTC(2026, 2, 2, 14, 3, 12, 500) * 1000], ['d', Date.UTC(2026, 2, 2, 14, 3, 14) * 1000]]);
  assert.deepEqual(mdy.rejections.map((r) => [r.line, r.reason]), [[4, 'time_unparseable']], 'month 13 in M/D order');
  assert.ok(mdy.result.timeFormats.includes('locale-mdy-no-offset'));
  const dmy = await genericRead(text, 'dmy');
  assert.deepEqual(dmy.samples.map((s) => [s.account, s.timeUs]), [
    ['a', Date.UTC(2026, 1, 3, 14, 3, 11) * 1000], ['b', Date.UTC(2026, 1, 3, 14, 3, 12, 500) * 1000],
    ['c', Date.UTC(2026, 1, 13, 14, 3, 13) * 1000], ['d', Date.UTC(2026, 2, 2, 14, 3, 14) * 1000]]);
});

test('Windows PowerShell 5.1 ConvertTo-Json dates (\/Date(ms)\/, an offset after the number or not) are UTC milliseconds', async () => {
  // As PowerShell 5.1 writes `Get-Date` values: escaped slashes, two spaces after the colon.
  const json = '[\r\n    {\r\n        "Timestamp":  "\\/Date(1772461145444)\\/",\r\n        "UserName":  "CORP\\\\jdoe",\r\n        "LatencyMs":  26.3\r\n    },\r\n'
    + '    {\r\n        "Timestamp":  "\\/Date(1772461242079+0100)\\/",\r\n        "UserName":  "CORP\\\\jdoe",\r\n        "LatencyMs":  46.6\r\n    },\r\n'
    + '    {\r\n        "Timestamp":  "\\/Date(1772461415879-0500)\\/",\r\n        "UserName":  "CORP\\\\jdoe",\r\n        "LatencyMs":  23.1\r\n    }\r\n]\r\n';
  const run = await read(json);
  assert.deepEqual(run.rejections, []);
  assert.deepEqual(run.samples.map((s) => [s.timeUs, s.valueMs, s.line]), [
    [Date.UTC(2026, 2, 2, 14, 19, 5, 444) * 1000, 26.3, 2], [Date.UTC(2026, 2, 2, 14, 20, 42, 79) * 1000, 46.6, 7], [Date.UTC(2026, 2, 2, 14, 23, 35, 879) * 1000, 23.1, 12]]);
  assert.deepEqual(run.result.timeFormats, ['ms-json-date']);
  // In a delimited file the same cell, read by both lanes.
  const csv = await read('user,time,rtt_ms\na,/Date(1772461145444)/,20\nb,/Date(1772461145444+0100)/,21\nc,/Date(17724611454x)/,22\n');
  assert.deepEqual(csv.samples.map((s) => [s.account, s.timeUs]), [['a', 1772461145444000], ['b', 1772461145444000]]);
  assert.deepEqual(csv.rejections.map((r) => [r.line, r.reason]), [[4, 'time_unparseable']]);
});

test('dotted dates are day first without --date-order; two-digit years with it, where the century is certain', async () => {
  // Excel in a German locale: `sep=;`, day.month.year dates, decimal commas.
  const dotted = await genericRead('sep=;\nTimestamp;User;Latency (ms)\n02.03.2026 14:19:05;CORP\\jdoe;26,3\n2.3.2026 14:20;CORP\\jdoe;27\n'
    + '"3.2.2025, 07:05:00.671";x;28\n13.02.2026 14:19:05;x;29\n02.13.2026 14:19:05;x;30\n', undefined, { decimalComma: true });
  assert.deepEqual(dotted.samples.map((s) => [s.line, s.timeUs, s.valueMs]), [
    [3, Date.UTC(2026, 2, 2, 14, 19, 5) * 1000, 26.3], [4, Date.UTC(2026, 2, 2, 14, 20) * 1000, 27], [5, Date.UTC(2025, 1, 3, 7, 5, 0, 671) * 1000, 28],
    [6, Date.UTC(2026, 1, 13, 14, 19, 5) * 1000, 29]]);
  assert.deepEqual(dotted.rejections.map((r) => [r.line, r.reason]), [[7, 'time_unparseable']], 'never month first');
  assert.deepEqual(dotted.result.timeFormats, ['dotted-dmy-no-offset']);
  // --date-order does not turn a dotted date around.
  assert.deepEqual((await genericRead('user,time,rtt_ms\na,02.03.2026 14:19:05,20\n', 'mdy')).samples.map((s) => s.timeUs), [Date.UTC(2026, 2, 2, 14, 19, 5) * 1000]);
  const short = 'user,time,rtt_ms\na,02/03/26 14:19,20\nb,"2/3/26, 2:19 PM",21\nc,02/03/45 14:19,22\nd,02/03/95 14:19,23\n';
  const unknown = await read(short);
  assert.deepEqual(unknown.rejections.map((r) => [r.line, r.reason]), [[2, 'time_date_order_unknown'], [3, 'time_date_order_unknown'], [4, 'time_unparseable'], [5, 'time_date_order_unknown']]);
  assert.match(unknown.rejections[2]!.detail, /^02\/03\/45 14:19 \(two-digit year '45': 1945 or 2045/);
  const dmy = await genericRead(short, 'dmy');
  assert.deepEqual(dmy.samples.map((s) => [s.account, s.timeUs]), [
    ['a', Date.UTC(2026, 2, 2, 14, 19) * 1000], ['b', Date.UTC(2026, 2, 2, 14, 19) * 1000], ['d', Date.UTC(1995, 2, 2, 14, 19) * 1000]]);
  assert.deepEqual(dmy.rejections.map((r) => [r.line, r.reason]), [[4, 'time_unparseable']]);
  const mdy = await genericRead(short, 'mdy');
  assert.deepEqual(mdy.samples.map((s) => s.timeUs), [Date.UTC(2026, 1, 3, 14, 19) * 1000, Date.UTC(2026, 1, 3, 14, 19) * 1000, Date.UTC(1995, 1, 3, 14, 19) * 1000]);
});

test('a date and a time of day in two columns are read together; a full time column ignores the date column', async () => {
  const split = await genericRead('user,date,time,rtt_ms\na,2026-03-02,14:03:11.250,20\nb,2026-03-02,14:03:12Z,21\n'
    + 'c,03/02/2026,2:03:13 PM,22\nd,2026-03-03,2026-03-02T14:03:14Z,23\ne,,14:03:15,24\n', 'mdy');
  assert.deepEqual(split.samples.map((s) => [s.account, s.timeUs]), [
    ['a', Date.UTC(2026, 2, 2, 14, 3, 11, 250) * 1000], ['b', Date.UTC(2026, 2, 2, 14, 3, 12) * 1000],
    ['c', Date.UTC(2026, 2, 2, 14, 3, 13) * 1000], ['d', Date.UTC(2026, 2, 2, 14, 3, 14) * 1000]]);
  assert.deepEqual(split.rejections.map((r) => [r.line, r.reason]), [[6, 'time_unparseable']], 'a time of day without its date');
  assert.ok(split.notes.includes("times of day read with their row's date (line 2: 2026-03-02 14:03:11.250)"));
  const full = await read('user,timestamp,date,rtt_ms\na,2026-03-02T14:03:11Z,2026-03-01,20\nb,14:03:12,2026-03-02,21\n');
  assert.deepEqual(full.samples.map((s) => s.account), ['a']);
  assert.ok(!full.notes.some((n) => /times of day/.test(n)));
  // A time column of full timestamps beside a date column: nothing pairs, and no note says it did.
  const fullTime = await read('user,date,time,rtt_ms\na,2026-03-01,2026-03-02T14:03:11Z,20\n');
  assert.deepEqual(fullTime.samples.map((s) => s.timeUs), [Date.UTC(2026, 2, 2, 14, 3, 11) * 1000]);
  assert.ok(!fullTime.notes.some((n) => /times of day/.test(n)));
  const alone = await read('user,time,rtt_ms\na,14:03:11,20\n');
  assert.deepEqual(alone.rejections.map((r) => r.reason), ['time_unparseable']);
});

test('the header line again mid-file (exports joined with cat, a BOM included) is its own rejection', async () => {
  const { samples, rejections } = await read('\ufeffuser,timestamp,rtt_ms\na,2026-03-02T14:03:11Z,20\n\ufeffuser,timestamp,rtt_ms\n'
    + 'b,2026-03-02T14:03:12Z,21\nuser,timestamp,rtt_ms\n');
  assert.deepEqual(samples.map((s) => s.account), ['a', 'b']);
  assert.deepEqual(rejections.map((r) => [r.line, r.reason]), [[3, 'header_repeated'], [5, 'header_repeated']]);
});

test('a header without usable columns lists what was found and tried', async () => {
  await assert.rejects(read('foo,bar\n1,2\n'), (err: unknown) => {
    assert.ok(isKeylagError(err));
    assert.equal(err.category, 'input');
    assert.match(err.oneLine(), /^test\.csv:1: unrecognised header: no account column \(tried: account, user/);
    assert.match(err.message, /columns found: "foo", "bar"/);
    return true;
  });
});

test('malformed CSV quoting stops with file:line', async () => {
  await assert.rejects(read('user,time,rtt_ms\na,1772460191,"10"x\n'), (err: unknown) => {
    assert.ok(isKeylagError(err));
    assert.match(err.oneLine(), /^test\.csv:2: malformed CSV/);
    return true;
  });
});

test('empty input is an input error', async () => {
  await assert.rejects(read(''), /empty input/);
});

test('line numbers stay true after a CRLF inside a quoted field (csv-parse counts it twice)', async () => {
  const text = 'user,time,rtt_ms,note\r\na,1772460191,10,"x\r\ny"\r\nb,1772460192,11,z\r\n\r\nc,1772460193,12,"p\nq\nr"\r\nd,1772460194,13,w\r\n';
  const { samples } = await read(text);
  assert.deepEqual(samples.map((s) => [s.account, s.line]), [['a', 2], ['b', 4], ['c', 6], ['d', 9]]);
});

test('the README lists every header alias the code knows', async () => {
  const { readFileSync } = await import('node:fs');
  const columns = await import('../src/ingest/columns.js');
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const rowOf = (role: string) => readme.split('\n').find((l) => l.startsWith(`| ${role} |`)) ?? '';
  const listed = (row: string) => new Set(row.split('|')[2]!.split(',').map((n) => n.trim().replace(/ \(.*\)$/, '')));
  for (const [role, aliases] of [['account', columns.ACCOUNT_ALIASES], ['time', columns.TIME_ALIASES],
    ['session', columns.SESSION_ALIASES], ['kind (per row)', columns.KIND_ALIASES]] as const) {
    const names = listed(rowOf(role));
    for (const alias of aliases) assert.ok(names.has(alias), `README ${role} row lacks ${alias}`);
  }
  const valueRows = readme.split('\n').filter((l) => /^\| (`\w+`|from the kind column)/.test(l)).map(listed);
  const valueNames = new Set(valueRows.flatMap((names) => [...names]));
  for (const alias of columns.VALUE_ALIASES) {
    // Derived names (latency_ms -> latency_s, latency_us) are stated once below the table.
    if (alias.unit !== null && !valueNames.has(alias.name)) assert.ok(columns.VALUE_ALIASES.some((a) => a.name === alias.name.replace(/_(s|us)$/, '_ms')), alias.name);
    else assert.ok(valueNames.has(alias.name), `README value table lacks ${alias.name}`);
  }
});

test('roster headers match as timing headers do (camelCase, spaces, dashes)', async () => {
  const { readRoster } = await import('../src/ingest/roster.js');
  const path = tempFile('roster.csv', 'Employee ID,peerGroup,homeLocation,Time-Zone\nJDoe,Austin,"Austin, TX",America/Chicago\n');
  const { roster } = await readRoster(path);
  const entry = roster.entries[0]!;
  assert.deepEqual([entry.account, entry.site, entry.location, entry.timeZone], ['JDoe', 'Austin', 'Austin, TX', 'America/Chicago']);
});

test('string-path rows (locale dates, padded cells, doubled quotes, JSON Lines) reach the consumer in column batches, in input order', async () => {
  const { unrollColumns } = await import('../src/ingest/adapter.js');
  const readColumns = async (text: string, options: Record<string, string> = {}) => {
    const order: string[] = [];
    let perSample = 0;
    await genericAdapter.read(chunksOf(text, 64), {
      file: 'test.csv', columns: {}, options, side: new SideData(), limits: DEFAULT_READ_LIMITS,
      emit: (s) => { perSample++; order.push(`${s.line}:${s.account}:${s.session}:${s.valueMs}`); },
      emitColumns: (batch) => unrollColumns(batch, (s) => order.push(`${s.line}:${s.account}:${s.session}:${s.valueMs}`)),
      reject: () => undefined, note: () => undefined,
    });
    return { order, perSample };
  };
  const csv = await readColumns('user,time,rtt_ms,session\n'
    + 'a,2026-03-02T14:03:11Z,1,s1\n' // byte lane
    + 'b,03/02/2026 14:03:12,2,s1\n' // locale date: string path
    + ' c ,2026-03-02T14:03:13Z,3, s2\n' // padded: string path, trimmed
    + '"d ""x""",2026-03-02T14:03:14Z,4,s3\n' // doubled quote: csv-parse
    + 'a,2026-03-02T14:03:15Z,5,s1\n', { dateOrder: 'mdy' });
  assert.deepEqual(csv.order, ['2:a:s1:1', '3:b:s1:2', '4:c:s2:3', '5:d "x":s3:4', '6:a:s1:5']);
  assert.equal(csv.perSample, 0, 'every sample came in a column batch');
  const jsonl = await readColumns('{"user":"a","time":"2026-03-02T14:03:11Z","rtt_ms":1}\n'
    + '{"user":"\\ud800","time":"2026-03-02T14:03:12Z","rtt_ms":2}\n'
    + '{"user":"\\ufffd","time":"2026-03-02T14:03:13Z","rtt_ms":3}\n'
    + '{"user":"a","time":"2026-03-02T14:03:14Z","rtt_ms":4}\n');
  // A lone surrogate has no UTF-8 bytes of its own: that name goes one by one, never merged with U+FFFD.
  assert.deepEqual(jsonl.order, ['1:a::1', '2:\ud800::2', '3:\ufffd::3', '4:a::4']);
  assert.equal(jsonl.perSample, 1);
});

test('a fatal error mid-file hands on every sample read before it (the partial input of --keep-going)', async () => {
  const rows = Array.from({ length: 100 }, (_, i) => `u${i % 7},2026-03-02T14:03:${String(i % 60).padStart(2, '0')}Z,${i + 1}`);
  const text = `user,time,rtt_ms\n${rows.join('\n')}\nu1,2026-03-02T14:04:00Z,"${'x'.repeat(300)}\nstill open\nu2,2026-03-02T14:04:01Z,5\n`;
  const samples: RawSample[] = [];
  await assert.rejects(genericAdapter.read(chunksOf(text, 4096), {
    file: 'test.csv', columns: {}, options: {}, side: new SideData(), limits: { ...DEFAULT_READ_LIMITS, maxRecordBytes: 200 },
    emit: (s) => samples.push(s), reject: () => undefined, note: () => undefined,
  }), /longer than/);
  assert.deepEqual(samples.map((s) => s.line), rows.map((_, i) => i + 2));
});

test('decimal commas: read without --decimal-comma where no thousands grouping can be meant, a hint where one can, all with it', async () => {
  const text = 'user;time;rtt_ms\na;2026-03-02T14:03:11Z;59,6\nb;2026-03-02T14:03:12Z;0,25\nc;2026-03-02T14:03:13Z;1.234,5\nd;2026-03-02T14:03:14Z;12\n'
    + 'e;2026-03-02T14:03:15Z;1,045\nf;2026-03-02T14:03:16Z;0,045\n';
  // Before: 59,6 and 0,25 were rejected too ("a decimal comma? give --decimal-comma"), though a comma
  // followed by one or two digits groups no thousands; the rows left were a biased sample (integers).
  const plain = await read(text);
  assert.deepEqual(plain.samples.map((s) => [s.account, s.valueMs]), [['a', 59.6], ['b', 0.25], ['d', 12], ['f', 0.045]]);
  assert.deepEqual(plain.rejections.map((r) => [r.line, r.reason, r.detail]), [
    [4, 'value_not_numeric', 'rtt_ms=1.234,5'],
    [6, 'value_not_numeric', 'rtt_ms=1,045 (thousands grouped with a comma, or a decimal comma? not guessed: save the values without thousand separators, or give --decimal-comma if the file writes decimal commas)']]);
  assert.ok(plain.notes.some((n) => /^values with a decimal comma read as such \(line 2: 59,6\): a comma not followed by exactly three digits groups no thousands; one that is \(1,045\) stays rejected unless --decimal-comma/.test(n)), plain.notes.join('|'));
  const comma = await read(text, { decimalComma: true });
  assert.deepEqual(comma.samples.map((s) => [s.account, s.valueMs]), [['a', 59.6], ['b', 0.25], ['d', 12], ['e', 1.045], ['f', 0.045]]);
  assert.deepEqual(comma.rejections.map((r) => [r.line, r.reason]), [[4, 'value_not_numeric']]);
  assert.ok(!comma.notes.some((n) => /read as such/.test(n)), 'with the flag nothing is said of it');
  // In a comma-separated file such a value is quoted; the byte lane leaves it to the string path.
  const quoted = await read('user,time,rtt_ms\na,2026-03-02T14:03:11Z,"59,6"\n', { decimalComma: true });
  assert.deepEqual(quoted.samples.map((s) => s.valueMs), [59.6]);
});

test('--decimal-comma: thousands grouped with dots (Excel #.##0 in a German locale, 2.860) are rejected, never read as 2.86', async () => {
  // Excel in a comma-decimal locale saves a cell formatted with a thousand separator as displayed: 2860 ms as `2.860`.
  const text = 'user;time;rtt_ms\na;07.12.2026 20:43;2.860\nb;07.12.2026 20:44;987\nc;07.12.2026 20:45;1.234.567\n'
    + 'd;07.12.2026 20:46;1.234,5\ne;07.12.2026 20:47;59,6\nf;07.12.2026 20:48;23.4\n';
  const comma = await read(text, { decimalComma: true });
  assert.deepEqual(comma.samples.map((s) => [s.account, s.valueMs]), [['b', 987], ['e', 59.6], ['f', 23.4]]);
  const hint = "(thousands grouped with '.' in a file of decimal commas: not read; save the values without thousand separators)";
  assert.deepEqual(comma.rejections.map((r) => [r.line, r.reason, r.detail]), [
    [2, 'value_not_numeric', `rtt_ms=2.860 ${hint}`],
    [4, 'value_not_numeric', `rtt_ms=1.234.567 ${hint}`],
    [5, 'value_not_numeric', `rtt_ms=1.234,5 ${hint}`]]);
  // The reference parser (csv-parse) decides alike.
  const referenceValues: number[] = [];
  const referenceRejected: number[] = [];
  await genericAdapter.read(chunksOf(text), {
    file: 'test.csv', columns: { decimalComma: true }, options: { csvParser: 'csv-parse' }, side: new SideData(), limits: DEFAULT_READ_LIMITS,
    emit: (s) => referenceValues.push(s.valueMs), reject: (line) => referenceRejected.push(line), note: () => {},
  });
  assert.deepEqual([referenceValues, referenceRejected], [[987, 59.6, 23.4], [2, 4, 5]]);
  // JSON numbers are no locale's text: 23.456 is a decimal point there, with --decimal-comma too.
  const json = await read('{"user":"a","time":"2026-12-07T20:43:00Z","rtt_ms":23.456}\n', { decimalComma: true });
  assert.deepEqual(json.samples.map((s) => s.valueMs), [23.456]);
  assert.deepEqual(json.rejections, []);
});

test('a value over one hour in a column that names no unit says what it is in µs and ns (ECS event.duration is nanoseconds)', async () => {
  // Kibana's Discover CSV of Elastic events: event.duration in ns, named by --value-col without --unit.
  const text = '"@timestamp","user.name","event.duration"\n"Dec 7, 2026 @ 20:43:32.123","alice","22325000"\n"Dec 7, 2026 @ 20:44:32.123","alice","26,300,000"\n';
  const run = await read(text, { valueCols: ['event.duration:app_rtt'] });
  assert.deepEqual(run.samples, []);
  assert.deepEqual(run.rejections.map((r) => [r.line, r.reason, r.detail]), [
    [2, 'value_absurd', 'event.duration=22325000 (over one hour if ms, but the column names no unit: as µs it is 22,325 ms, as ns 22.325 ms; give --unit us or --unit ns if it is either)'],
    [3, 'value_absurd', 'event.duration=26,300,000 (over one hour if ms, but the column names no unit: as µs it is 26,300 ms, as ns 26.3 ms; give --unit us or --unit ns if it is either)']]);
  // A column whose name states its unit is not second-guessed.
  const stated = await read('user,time,rtt_ms\na,2026-12-07T20:43:32Z,22325000\n');
  assert.deepEqual(stated.rejections.map((r) => r.detail), ['rtt_ms=22325000']);
});

test('"1,183" (Excel #,##0 in an English locale) gets a hint naming both readings, not only --decimal-comma, which would make it 1.183', async () => {
  const run = await read('user,time,rtt_ms\ndave,2026-12-07T20:43:00Z,"1,183"\ndave,2026-12-07T20:44:00Z,987\ndave,2026-12-07T20:45:00Z,"59,6"\n');
  assert.deepEqual(run.samples.map((s) => s.valueMs), [987, 59.6]);
  assert.deepEqual(run.rejections.map((r) => [r.line, r.detail]), [
    [2, 'rtt_ms=1,183 (thousands grouped with a comma, or a decimal comma? not guessed: save the values without thousand separators, or give --decimal-comma if the file writes decimal commas)']]);
});

test('--decimal-comma reaches the reader from the command line', async () => {
  const { runCli } = await import('./helpers/cli.js');
  // Three decimals after the comma: a thousand and more, or a decimal comma? Only the flag says.
  const path = tempFile('eu.csv', 'user;time;rtt_ms\n' + Array.from({ length: 40 }, (_, i) => `u${i % 2};2026-03-02T14:03:${String(i).padStart(2, '0')}Z;${20 + i},125`).join('\n') + '\n');
  // Without it every value is rejected: nothing read, an input error naming the hint.
  const without = runCli(['scan', path, '--format', 'json']);
  assert.equal(without.status, 2, without.stdout);
  assert.equal(without.stderr, `keylag: error: ${path}:2: no sample read, every row rejected (value_not_numeric 40); `
    + 'the first value_not_numeric: rtt_ms=20,125 (thousands grouped with a comma, or a decimal comma? not guessed: save the values without thousand separators, '
    + 'or give --decimal-comma if the file writes decimal commas) (--rejects FILE lists them all)\n');
  const withFlag = runCli(['scan', path, '--format', 'json', '--decimal-comma']);
  assert.equal(withFlag.status, 0, withFlag.stderr);
  const report = JSON.parse(withFlag.stdout) as { accounts: { kinds: { minMs: number; n: number }[] }[] };
  assert.deepEqual(report.accounts.map((a) => a.kinds[0]!.n).sort(), [20, 20]);
  assert.deepEqual(report.accounts.map((a) => a.kinds[0]!.minMs).sort(), [20.125, 21.125]);
});

/** `n` rows of `user,time,<valueHeader>` with values made by `value(i)`. */
function unitRows(valueHeader: string, n: number, value: (i: number) => string, cell: (account: string) => string = (a) => a): string {
  const lines = [`user,time,${valueHeader}`];
  for (let i = 0; i < n; i++) lines.push(`${cell(`u${i % 4}`)},${new Date(Date.UTC(2026, 2, 2) + i * 1000).toISOString()},${value(i)}`);
  return lines.join('\n') + '\n';
}

test('values that do not fit the assumed unit of a column without one are warned of, never rescaled', async () => {
  const seconds = (i: number) => (0.018 + (i % 7) / 1000).toFixed(4);
  const inSeconds = await read(unitRows('rtt', 40, seconds));
  assert.equal(inSeconds.samples[0]!.valueMs, 0.018, 'read as written, in ms');
  assert.deepEqual(inSeconds.result.warnings, [
    "column 'rtt' names no unit and was read as ms, but all its 40 values are below 1 ms (largest 0.024): if they are seconds, give --unit s",
  ]);
  // The unit said by --unit, or by the name, is believed: sub-millisecond LAN round trips exist.
  assert.deepEqual((await read(unitRows('rtt', 40, seconds), { unit: 's' })).result.warnings, []);
  assert.deepEqual((await read(unitRows('rtt_ms', 40, seconds))).result.warnings, []);
  assert.deepEqual((await read(unitRows('RTT (ms)', 40, seconds))).result.warnings, []);
  // Too few values to judge; one value of 1 ms or more: nothing to say.
  assert.deepEqual((await read(unitRows('rtt', 29, seconds))).result.warnings, []);
  assert.deepEqual((await read(unitRows('rtt', 40, (i) => (i === 39 ? '1.5' : seconds(i))))).result.warnings, []);
  // Microseconds read as ms: every value above 2 s.
  const micro = await read(unitRows('latency', 40, (i) => String(21_000 + i * 10)));
  assert.deepEqual(micro.result.warnings, [
    "column 'latency' names no unit and was read as ms, but all its 40 values are above 2000 ms (smallest 21000): if they are microseconds, give --unit us",
  ]);
  assert.deepEqual((await read(unitRows('latency', 40, (i) => String(21_000 + i * 10)), { unit: 'us' })).result.warnings, []);
});

test('the unit check counts the values of both lanes (byte lane and string path) and of JSON Lines', async () => {
  // Every other account cell doubled-quoted: those rows go the string path, the rest the byte lane.
  const mixed = unitRows('rtt', 40, (i) => (0.02 + i / 10_000).toFixed(4), (a) => (a === 'u1' || a === 'u3' ? `"${a}""x"` : a));
  const run = await read(mixed);
  assert.equal(run.samples.length, 40);
  assert.match(run.result.warnings![0]!, /all its 40 values are below 1 ms \(largest 0\.0239\)/);
  const jsonl = Array.from({ length: 40 }, (_, i) => JSON.stringify({ user: `u${i % 3}`, time: 1772460191 + i, lag: 0.03 })).join('\n') + '\n';
  assert.match((await read(jsonl)).result.warnings![0]!, /column 'lag' names no unit .* all its 40 values are below 1 ms/);
});

test('the unit warning reaches the report header, named with its input', async () => {
  const { runCli } = await import('./helpers/cli.js');
  const path = tempFile('seconds.csv', unitRows('rtt', 60, (i) => (0.02 + (i % 5) / 1000).toFixed(3)));
  const r = runCli(['scan', path, '--format', 'json']);
  assert.equal(r.status, 0, r.stderr);
  const warnings = JSON.parse(r.stdout).header.warnings as string[];
  assert.ok(warnings.includes(`${path}: column 'rtt' names no unit and was read as ms, but all its 60 values are below 1 ms (largest 0.024): if they are seconds, give --unit s`), warnings.join('\n'));
});

test('a latency column no alias spells is taken by its words, alone, never a maximum, jitter or a second candidate', async () => {
  const { resolveColumns } = await import('../src/ingest/columns.js');
  const plan = (header: string) => resolveColumns(header.split(','), {}, 'f.csv');
  const taken: [string, string, string, boolean][] = [
    // header, kind, unit, unit stated in the name
    ['user,@timestamp,delay', 'input_lag', 'ms', false],
    ['login,datetime,rtt_avg', 'rtt', 'ms', false],
    ['email,TimeGenerated,avg_rtt_ms', 'rtt', 'ms', true],
    ['SamAccountName,eventTime,ping', 'rtt', 'ms', false],
    ['principal,date_time,response_time_ms', 'input_lag', 'ms', true],
    ['user,time,RoundTripTime', 'rtt', 'ms', false],
    ['user,timestamp,network_latency_us', 'input_lag', 'us', true],
    ['user,time,EchoLatencyUs', 'app_rtt', 'us', true],
    ['user,time,Min RTT (s)', 'rtt', 's', true],
    // Citrix Director's words, as the Citrix preset reads IcaRttMS and IcaLatency (before: "ICA RTT"
    // was a transport rtt and "ICA Latency" a lag of unknown nature).
    ['user,time,ICA RTT', 'app_rtt', 'ms', false],
    ['user,time,Avg ICA RTT (ms)', 'app_rtt', 'ms', true],
    ['user,time,ICA Latency', 'rtt', 'ms', false],
  ];
  for (const [header, kind, unit, stated] of taken) {
    const p = plan(header);
    assert.equal(p.values.length, 1, header);
    assert.deepEqual([p.values[0]!.index, p.values[0]!.kind, p.values[0]!.unitLabel, p.values[0]!.unitStated], [2, kind, unit, stated], header);
    assert.ok(p.notes.includes(`${header.split(',')[2]}: no alias, taken as a latency by its words`), header);
  }
  // Another quantity beside the latency word: not a latency.
  for (const header of ['user,time,rtt_max', 'user,time,jitter_ms', 'user,time,rtt_p95_ms', 'user,time,ping_loss', 'user,time,latency_threshold_ms']) {
    assert.throws(() => plan(header), (e: unknown) => isKeylagError(e) && /no latency value column/.test(e.message), header);
  }
  // Two candidates: which one is meant is the analyst's to say.
  assert.throws(() => plan('user,time,min_rtt_ms,avg_rtt_ms,max_rtt_ms'),
    (e: unknown) => isKeylagError(e) && /latency columns by their names: 'min_rtt_ms', 'avg_rtt_ms': .*--value-col/.test(e.message));
  // An alias wins: words are only looked at when no column has one.
  assert.deepEqual(plan('user,time,rtt_ms,avg_delay').values.map((v) => v.name), ['rtt_ms']);
  // And the rows are read: a file end to end.
  const run = await read('user,time,delay\nalice,2026-03-02T10:00:00Z,23.5\n');
  assert.deepEqual(run.samples.map((s) => [s.account, s.kind, s.valueMs]), [['alice', 'input_lag', 23.5]]);
});

test('Amazon WorkSpaces InSessionLatency is a transport round trip (rtt), not a lag of unstated kind', async () => {
  // AWS: "the round trip time between the WorkSpaces client and the WorkSpace" (ms). Before: an
  // input_lag, taken by its word 'latency'.
  const { resolveColumns } = await import('../src/ingest/columns.js');
  for (const header of ['UserName,Timestamp,InSessionLatency', 'user,time,in_session_latency']) {
    const p = resolveColumns(header.split(','), {}, 'f.csv');
    assert.deepEqual(p.values.map((v) => [v.kind, v.unitLabel]), [['rtt', 'ms']], header);
  }
});

test('account and time columns no alias spells are taken by their words, when one is', async () => {
  const { resolveColumns } = await import('../src/ingest/columns.js');
  const plan = (header: string) => resolveColumns(header.split(','), {}, 'f.csv');
  const p = plan('actor_display_name,measured_at,rtt_ms');
  assert.deepEqual([p.account, p.time], [0, 1]);
  assert.ok(p.notes.includes('actor_display_name: no alias, taken as the account by its words'));
  assert.ok(p.notes.includes('measured_at: no alias, taken as the time by its words'));
  for (const [header, account, time] of [['identity,event_time_utc,rtt_ms', 0, 1], ['rtt_ms,Event Date Time,Logon Name', 2, 1],
    ['sampled_at,user,rtt_ms', 1, 0],
    // An e-mail's address is the e-mail, as HR and SaaS exports head it (before: no account column).
    ['Email Address,Timestamp,RTT (ms)', 0, 1], ['Time,E-mail Address,Latency', 1, 0], ['User Email Address,Time,rtt', 0, 1],
    // The user a machine is assigned to, as device and Cloud PC inventories head it (was no account column).
    ['Assigned User,Time,rtt', 0, 1]] as const) {
    const q = plan(header);
    assert.deepEqual([q.account, q.time], [account, time], header);
  }
  // Words of another role or none at all: not taken (host_user, subject, start, response_time_ms).
  // An address that is no e-mail's is a location's word, never an account's (User Address, IP Address).
  for (const header of ['host_user,time,rtt_ms', 'subject,time,rtt_ms', 'user,start,rtt_ms', 'user,response_time_ms,rtt_ms',
    'User Address,time,rtt_ms', 'IP Address,time,rtt_ms']) {
    assert.throws(() => plan(header), (e: unknown) => isKeylagError(e) && /unrecognised header/.test(e.message), header);
  }
  assert.throws(() => plan('user,sampled_at,received_at,rtt_ms'),
    (e: unknown) => isKeylagError(e) && /time columns by their names: 'sampled_at', 'received_at': .*--time-col/.test(e.message));
  // An alias wins over words.
  assert.equal(plan('actor,user,time,rtt_ms').account, 1);
});

test('JSON documents: an array of records, pretty or on one line, or an object holding one, read as JSON Lines are', async () => {
  const rows = Array.from({ length: 12 }, (_, i) => ({
    user: `u${i % 3}`, timestamp: `2026-03-02T10:00:${String(i).padStart(2, '0')}Z`, rtt_ms: 20 + (i % 5),
    // Text that looks like structure: braces, brackets, escaped quotes, a backslash at the end.
    note: i === 4 ? 'a } b ] c { [ "q" \\' : 'x',
  }));
  const jsonl = await read(rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const same = (got: RawSample[]) => got.map((s) => [s.account, s.timeUs, s.valueMs, s.kind]);
  const expected = same(jsonl.samples);
  assert.equal(expected.length, 12);

  const pretty = await read(JSON.stringify(rows, null, 2));
  assert.deepEqual(same(pretty.samples), expected, 'pretty array');
  assert.equal(pretty.result.dialect, 'JSON (array of records)');
  // Each record's opening brace: line 2, then every 6 lines (4 fields and the two braces).
  assert.deepEqual(pretty.samples.slice(0, 3).map((s) => s.line), [2, 8, 14]);

  const oneLine = await read(JSON.stringify(rows));
  assert.deepEqual(same(oneLine.samples), expected, 'one-line array');
  assert.deepEqual(oneLine.samples.map((s) => s.line), rows.map((_, i) => i + 1), 'record numbers when records share a line');
  assert.ok(oneLine.notes.some((n) => n.startsWith('records share lines')));

  // An object holding the records, after another array that does not hold objects; on one line and pretty.
  const wrapped = { columns: ['user', 'timestamp'], count: 12, value: rows, next: null };
  assert.deepEqual(same((await read(JSON.stringify(wrapped))).samples), expected, 'one-line wrapper');
  assert.deepEqual(same((await read(JSON.stringify(wrapped, null, 1))).samples), expected, 'pretty wrapper');

  // A record over --max-record-bytes is a counted rejection; the others are read.
  const big = [...rows.slice(0, 2), { ...rows[2]!, note: 'y'.repeat(5000) }, ...rows.slice(3)];
  const limited = await genericRead(JSON.stringify(big, null, 2), undefined, {});
  assert.equal(limited.samples.length, 12, 'default limit: all read');
  const small = await (async () => {
    const samples: RawSample[] = [];
    const rejections: { line: number; reason: string }[] = [];
    await genericAdapter.read(chunksOf(JSON.stringify(big, null, 2)), {
      file: 'test.json', columns: {}, options: {}, side: new SideData(), limits: { ...DEFAULT_READ_LIMITS, maxRecordBytes: 1000 },
      emit: (s) => samples.push(s), reject: (line, reason) => rejections.push({ line, reason }), note: () => undefined,
    });
    return { samples, rejections };
  })();
  assert.equal(small.samples.length, 11);
  assert.deepEqual(small.rejections, [{ line: 14, reason: 'line_too_long' }]);
  // On one line, in one chunk: the skipped record keeps its number among the others (3), and so do those after it.
  const oneChunk = await (async () => {
    const samples: RawSample[] = [];
    const rejections: { line: number; reason: string }[] = [];
    await genericAdapter.read(chunksOf(JSON.stringify(big), 1 << 20), {
      file: 'test.json', columns: {}, options: {}, side: new SideData(), limits: { ...DEFAULT_READ_LIMITS, maxRecordBytes: 1000 },
      emit: (s) => samples.push(s), reject: (line, reason) => rejections.push({ line, reason }), note: () => undefined,
    });
    return { samples, rejections };
  })();
  assert.deepEqual(oneChunk.rejections, [{ line: 3, reason: 'line_too_long' }]);
  assert.deepEqual(oneChunk.samples.map((s) => s.line), [1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
});

test('query API responses: the rows of the first table (Log Analytics tables/columns/rows, Kusto v1 Tables/Columns/Rows), read as records are', async () => {
  const rows = Array.from({ length: 12 }, (_, i) => ({
    TimeGenerated: `2026-03-02T10:00:${String(i).padStart(2, '0')}.000Z`, UserName: `u${i % 3}@corp.example`,
    // A cell that looks like structure, and one column of numbers.
    Note: i === 4 ? 'a ] b [ c { "q" \\' : null, EstRoundTripTimeInMs: 20 + (i % 5),
  }));
  const columns = Object.keys(rows[0]!);
  const same = (got: RawSample[]) => got.map((s) => [s.account, s.timeUs, s.valueMs, s.kind]);
  const expected = same((await read(JSON.stringify(rows))).samples);
  assert.equal(expected.length, 12);
  const cells = rows.map((r) => columns.map((c) => r[c as keyof typeof r]));

  // Log Analytics' REST API (api.loganalytics.io/v1/workspaces/{id}/query): one table.
  const logAnalytics = { tables: [{ name: 'PrimaryResult', columns: columns.map((name) => ({ name, type: name === 'EstRoundTripTimeInMs' ? 'real' : 'string' })), rows: cells }] };
  const compact = await read(JSON.stringify(logAnalytics));
  assert.deepEqual(same(compact.samples), expected, 'one line');
  assert.equal(compact.result.dialect, 'JSON (rows of a table)');
  assert.deepEqual(compact.samples.map((s) => s.line), rows.map((_, i) => i + 1), 'row numbers when rows share a line');
  assert.ok(compact.notes.some((n) => n.includes("row's number in the table")));
  const pretty = await read(JSON.stringify(logAnalytics, null, 2));
  assert.deepEqual(same(pretty.samples), expected, 'pretty');
  // A row's opening bracket: after 5 lines of table head and 4 columns of 4 lines and 2 more, every 6 lines.
  assert.deepEqual(pretty.samples.slice(0, 3).map((s) => s.line), [24, 30, 36]);

  // Kusto's v1 response: the result first, then tables about the query, counted and not read.
  const kusto = {
    Tables: [
      { TableName: 'Table_0', Columns: columns.map((ColumnName) => ({ ColumnName, DataType: 'String', ColumnType: 'string' })), Rows: cells },
      { TableName: 'Table_1', Columns: [{ ColumnName: 'Value', DataType: 'String' }], Rows: [['{"Visualization":null}']] },
      { TableName: 'Table_2', Columns: [{ ColumnName: 'Timestamp', DataType: 'DateTime' }, { ColumnName: 'Severity', DataType: 'Int32' }], Rows: [['2026-03-02T10:00:00Z', 4], ['2026-03-02T10:00:01Z', 6]] },
    ],
  };
  const fromKusto = await read(JSON.stringify(kusto, null, 1));
  assert.deepEqual(same(fromKusto.samples), expected, 'Kusto');
  assert.deepEqual(fromKusto.rejections, []);
  assert.ok(fromKusto.notes.some((n) => /2 tables after it \(3 rows\) not read/.test(n)), fromKusto.notes.join(' | '));

  // A row whose cells do not match the columns is a counted rejection, not a record.
  const ragged = { tables: [{ ...logAnalytics.tables[0]!, rows: [...cells.slice(0, 3), cells[3]!.slice(0, 2), ...cells.slice(4)] }] };
  const raggedRun = await read(JSON.stringify(ragged, null, 1));
  assert.equal(raggedRun.samples.length, 11);
  assert.deepEqual(raggedRun.rejections.map((r) => r.reason), ['jsonl_not_object']);

  // Shapes that are not tables keylag reads stop with the line and why.
  const bad: [string, RegExp][] = [
    [JSON.stringify({ tables: [{ name: 'T', rows: cells, columns: logAnalytics.tables[0]!.columns }] }), /a table row before the table's columns/],
    [JSON.stringify({ tables: [{ name: 'T', columns: [{ type: 'string' }], rows: [] }] }), /a table column without a name/],
    [JSON.stringify({ tables: [{ name: 'T', columns: ['a', 'b'], rows: [] }] }), /columns or rows hold a value where an object or an array/],
    [JSON.stringify({ tables: [] }), /no table found/],
  ];
  for (const [text, message] of bad) {
    await assert.rejects(read(text), (err: unknown) => isKeylagError(err) && message.test(err.message), text.slice(0, 60));
  }
});

test('JSON documents keylag cannot read as records stop with the line and why', async () => {
  const rows = [{ user: 'a', timestamp: '2026-03-02T10:00:00Z', rtt_ms: 20 }];
  const cases: [string, RegExp][] = [
    ['[1, 2, 3]', /top-level array holds a value where an object/],
    ['[{"user":"a","timestamp":"2026-03-02T10:00:00Z","rtt_ms":20}, 5]', /records array holds a value where an object/],
    // A string between records (it was read past, unseen, while a number stopped the run).
    ['[{"user":"a","timestamp":"2026-03-02T10:00:00Z","rtt_ms":20}, "b", {"user":"c","timestamp":"2026-03-02T10:00:00Z","rtt_ms":20}]', /records array holds a value where an object/],
    ['{"count": 3,\n "names": ["a", "b"]\n}', /no array of records found/],
    [JSON.stringify(rows, null, 2).slice(0, -2), /ends before it is closed/],
    [`${JSON.stringify(rows)}\n{"user":"b"}\n`, /text after the end of the JSON document/],
    ['[]', /empty input: no records/],
  ];
  for (const [text, message] of cases) {
    await assert.rejects(read(text), (err: unknown) => isKeylagError(err) && message.test(err.message), text.slice(0, 40));
  }
  // JSON Lines whose records hold arrays of objects stay JSON Lines.
  const lines = '{"user":"a","timestamp":"2026-03-02T10:00:00Z","rtt_ms":20,"hops":[{"ip":"x"}]}\n{"user":"b","timestamp":"2026-03-02T10:00:01Z","rtt_ms":21,"hops":[]}\n';
  const run = await read(lines);
  assert.equal(run.result.dialect, 'JSON Lines');
  assert.equal(run.samples.length, 2);
});

test('lines before the header: Excel\'s sep= hint, # comments and one-cell titles are skipped with a note; line numbers stay true', async () => {
  const rows = 'alice;2026-03-02T10:00:00Z;23\nbob;2026-03-02T10:00:01Z;25\n';
  const sep = await read(`sep=;\nuser;timestamp;rtt_ms\n${rows}`);
  assert.deepEqual(sep.samples.map((s) => [s.account, s.valueMs, s.line]), [['alice', 23, 3], ['bob', 25, 4]]);
  assert.ok(sep.notes.includes('1 line(s) before the header skipped (line 1: sep=;)'), sep.notes.join(' | '));
  assert.equal(sep.result.dialect, "delimited (';')");
  // Comments and a title before a comma header: the delimiter is the header's, not the preamble's.
  const commented = await read(`# exported by tool X; 2026-03-02\n\n# columns: see below\nLatency report for March\nuser,timestamp,rtt_ms\n${rows.replaceAll(';', ',')}`);
  assert.deepEqual(commented.samples.map((s) => [s.account, s.line]), [['alice', 6], ['bob', 7]]);
  assert.equal(commented.result.dialect, 'CSV');
  assert.ok(commented.notes.some((n) => n.startsWith('3 line(s) before the header skipped (line 1: # exported by tool X')), commented.notes.join(' | '));
  // A line with cells that is not the header is not skipped: it is the header, and says what it lacks.
  await assert.rejects(read(`Report,March\nuser,timestamp,rtt_ms\n${rows}`), (e: unknown) => isKeylagError(e) && /unrecognised header/.test(e.message));
  // After the header, a one-cell line is a row like any other (ragged).
  const after = await read(`user,timestamp,rtt_ms\nalice,2026-03-02T10:00:00Z,23\nTotal\n`);
  assert.deepEqual(after.rejections.map((r) => [r.line, r.reason]), [[3, 'row_ragged']]);
});

test("a header after a preamble (PowerShell's #TYPE, Excel's sep=;) is named by its own line in the header's errors", async () => {
  // Export-Csv in Windows PowerShell 5.1: a #TYPE line, then the header, every field quoted, CRLF.
  const ps = '#TYPE System.Management.Automation.PSCustomObject\r\n"Benutzer","Zeit","RTT (ms)"\r\n"alice","12/7/2026 8:43:32 PM","23"\r\n';
  await assert.rejects(read(ps), (e: unknown) => isKeylagError(e) && e.line === 2 && /^test\.csv:2: unrecognised header: no account column/.test(e.oneLine()));
  const sep = 'sep=;\r\nuser;user_name;time;rtt_ms\r\nalice;alice;2026-12-07T20:43:32Z;23\r\n';
  await assert.rejects(read(sep, { accountCol: 'login' }), (e: unknown) => isKeylagError(e) && e.oneLine().startsWith("test.csv:2: --account-col 'login' is not a column"));
  await assert.rejects(read('# exported 2026-12-07\n\nuser,time,rtt_ms,rtt_us\n'), (e: unknown) => isKeylagError(e) && e.line === 3 && /duplicate column/.test(e.message));
});

test('roster: a location from its parts (city, state, country; lat and lon), the account by its words, and notes saying which column gave what', async () => {
  const { readRoster } = await import('../src/ingest/roster.js');
  const read = async (text: string) => (await readRoster(tempFile('roster.csv', text))).roster;
  const parts = await read('Employee Email,City,State,Country,Time Zone,Office\nalice@corp.example,New York,NY,US,America/New_York,nyc\nbob@corp.example,Chicago,,US,America/Chicago,chi\n');
  assert.deepEqual(parts.entries.map((e) => [e.account, e.location, e.site]), [
    ['alice@corp.example', 'New York, NY, US', 'nyc'], ['bob@corp.example', 'Chicago, US', 'chi'],
  ]);
  assert.deepEqual(parts.notes, ['Employee Email -> account', 'City + State + Country -> claimed location (joined as "City, State, Country")',
    'Time Zone -> time zone', 'Office -> site (peer group)']);
  const office = await read('email,office_city,office_country,tz\na@x,Paris,FR,Europe/Paris\n');
  assert.equal(office.entries[0]!.location, 'Paris, FR');
  const coordinates = await read('user,latitude,longitude\na,40.71,-74.00\nb,,-87.6\n');
  assert.deepEqual(coordinates.entries.map((e) => e.location), ['40.71,-74.00', null], 'both coordinates or none');
  // A whole-location column wins over parts.
  assert.equal((await read('user,location,city,country\na,"Austin, TX, US",Dallas,US\n')).entries[0]!.location, 'Austin, TX, US');
  // A location column no alias spells, taken by its words (it was "no location column"); of several,
  // the home one; e-mail, IP and ID columns are not locations.
  const work = await read('Email,Work Location,Email Address,Location ID\na@x,"Austin, Texas",a@x,17\n');
  assert.equal(work.entries[0]!.location, 'Austin, Texas');
  assert.ok(work.notes.includes('Work Location: no alias, taken as the claimed location by its words'), work.notes.join(' | '));
  const homeAndWork = await read('Email,Work Location,Home Location Address,IP Address\na@x,"Austin, TX","Lagos, Nigeria",10.0.0.1\n');
  assert.equal(homeAndWork.entries[0]!.location, 'Lagos, Nigeria');
  const two = await read('Email,Work Location,Office Address\na@x,"Austin, TX","Dallas, TX"\n');
  assert.equal(two.entries[0]!.location, null);
  assert.ok(two.notes.some((n) => n.startsWith('several location columns (Work Location, Office Address)')), two.notes.join(' | '));
  // No location at all: said, not silent.
  assert.ok((await read('user,tz\na,UTC\n')).notes.some((n) => n.startsWith('no location column (tried: ') && n.endsWith('no physical check')));
});

test('blank lines before the header: detected as a timing file and read, line numbers the file\'s', async () => {
  const { detectAdapter } = await import('../src/ingest/registry.js');
  for (const text of ['\n\nuser,timestamp,rtt_ms\nalice,2026-03-02T10:00:00Z,20\nbob,2026-03-02T10:00:01Z,30\n',
    '\r\n \r\nuser,timestamp,rtt_ms\r\nalice,2026-03-02T10:00:00Z,20\r\nbob,2026-03-02T10:00:01Z,30\r\n']) {
    // Before: the first line was taken whole, empty, and no reader claimed the file.
    assert.equal(detectAdapter(text)?.name, 'generic', JSON.stringify(text.slice(0, 8)));
    const run = await read(text);
    assert.deepEqual(run.samples.map((s) => [s.account, s.line]), [['alice', 4], ['bob', 5]]);
  }
});

test('nested JSON objects are read as dotted fields (ECS user.name), not as one JSON text', async () => {
  const lines = [
    '{"@timestamp":"2026-03-02T14:19:05.444Z","user":{"name":"jdoe","id":"u1"},"host":{"name":"vdi-01"},"network":{"rtt_ms":26.3}}',
    '{"@timestamp":"2026-03-02T14:20:05.444Z","user":{"name":"asmith","id":"u2"},"host":{"name":"vdi-01"},"network":{"rtt_ms":31.5}}',
  ];
  const { samples, rejections } = await read(lines.join('\n') + '\n');
  assert.deepEqual(rejections, []);
  assert.deepEqual(samples.map((s) => [s.account, s.kind, s.valueMs]), [['jdoe', 'rtt', 26.3], ['asmith', 'rtt', 31.5]]);
});

test("Datadog's '@' attributes, ECS and Windows account fields, nanoseconds", async () => {
  const datadog = await read('Date,Host,@usr.name,@network.latency_ms\n2026-03-02T14:19:05Z,vdi-01,jdoe,26.3\n');
  assert.deepEqual(datadog.samples.map((s) => [s.account, s.kind, s.valueMs]), [['jdoe', 'input_lag', 26.3]]);
  for (const name of ['client.user.name', 'source.user.name', 'TargetUserName', 'remote_user']) {
    const r = await read(`${name},time,rtt_ms\njdoe,2026-03-02T14:19:05Z,20\n`);
    assert.deepEqual(r.samples.map((s) => s.account), ['jdoe'], name);
  }
  for (const name of ['rtt_ns', 'RTT (nsec)', 'latency_ns']) {
    const ns = await read(`user,time,${name}\njdoe,2026-03-02T14:19:05Z,23400000\n`);
    assert.deepEqual(ns.samples.map((s) => Math.round(s.valueMs * 1000) / 1000), [23.4], name);
  }
  const cell = await read('user,time,rtt\njdoe,2026-03-02T14:19:05Z,23400000 ns\n');
  assert.deepEqual(cell.samples.map((s) => Math.round(s.valueMs * 1000) / 1000), [23.4]);
});

test('a column named by --value-col is not also taken as the time (ping logs: time=26.3 ms)', async () => {
  const text = 'date,user,bytes,time\nMon Mar  2 14:19:05 UTC 2026,jdoe,64,26.3 ms\n';
  const { samples, rejections } = await read(text, { valueCols: ['time:rtt'] });
  assert.deepEqual(rejections, []);
  assert.deepEqual(samples.map((s) => [s.account, s.kind, s.valueMs, s.timeUs]), [['jdoe', 'rtt', 26.3, Date.UTC(2026, 2, 2, 14, 19, 5) * 1000]]);
});

test("wrapped records: Splunk's JSON export (result), Datadog's logs API (attributes), Elasticsearch hits (_source), Splunk's results document (fields listed first)", async () => {
  const splunk = await read([
    '{"preview":false,"offset":0,"result":{"_time":"2026-03-02T14:19:05.444+0000","user":"jdoe","host":"vdi-00","latency_ms":"26.3"}}',
    '{"preview":false,"offset":1,"lastrow":true,"result":{"_time":"2026-03-02T14:20:05.444+0000","user":"asmith","host":"vdi-01","latency_ms":"46.6"}}',
  ].join('\n') + '\n');
  assert.deepEqual(splunk.rejections, []);
  assert.deepEqual(splunk.samples.map((s) => [s.account, s.valueMs, s.line]), [['jdoe', 26.3, 1], ['asmith', 46.6, 2]]);
  const datadog = await read(JSON.stringify({ data: [{ id: 'AQ0', type: 'log', attributes: {
    timestamp: '2026-03-02T14:19:05.444Z', host: 'vdi-00', service: 'rdp', tags: ['env:prod'],
    attributes: { usr: { name: 'jdoe' }, network: { latency_ms: 26.3 } } } }] }) + '\n');
  assert.deepEqual(datadog.samples.map((s) => [s.account, s.kind, s.valueMs]), [['jdoe', 'input_lag', 26.3]]);
  const hits = await read('{"_index":"logs-rdp","_id":"a1","_score":null,"_source":{"@timestamp":"2026-03-02T14:19:05Z","user":{"name":"jdoe"},"rtt_ms":21}}\n');
  assert.deepEqual(hits.samples.map((s) => [s.account, s.kind, s.valueMs]), [['jdoe', 'rtt', 21]]);
  const results = await read(JSON.stringify({
    preview: false, init_offset: 0, messages: [], fields: [{ name: '_time' }, { name: 'user' }, { name: 'latency_ms' }],
    results: [{ _time: '2026-03-02T14:19:05.444+0000', user: 'jdoe', latency_ms: '26.3' }, { _time: '2026-03-02T14:20:05.444+0000', user: 'bob', latency_ms: '30' }],
  }, null, 2) + '\n');
  assert.deepEqual(results.rejections, []);
  assert.deepEqual(results.samples.map((s) => [s.account, s.valueMs]), [['jdoe', 26.3], ['bob', 30]]);
});

test('an Elasticsearch search response: its hits.hits are the records (pretty or on one line); no other array that deep is', async () => {
  const response = {
    took: 12, timed_out: false, _shards: { total: 2, successful: 1, failed: 1, failures: [{ shard: 1, reason: { type: 'x' } }] },
    hits: {
      total: { value: 2, relation: 'eq' }, max_score: null,
      hits: [
        { _index: 'logs-rdp', _id: 'a', _score: null, _source: { '@timestamp': '2026-03-02T14:19:05Z', user: { name: 'jdoe' }, rtt_ms: 21 } },
        { _index: 'logs-rdp', _id: 'b', _score: null, _source: { '@timestamp': '2026-03-02T14:20:05Z', user: { name: 'bob' }, rtt_ms: 25 } },
      ],
    },
  };
  for (const text of [JSON.stringify(response, null, 2), JSON.stringify(response)]) {
    const { samples, rejections } = await read(text + '\n');
    assert.deepEqual(rejections, []);
    assert.deepEqual(samples.map((s) => [s.account, s.valueMs]), [['jdoe', 21], ['bob', 25]]);
  }
  // Two levels down, only hits.hits: another object's array of objects is not the records.
  await assert.rejects(read(JSON.stringify({ meta: { items: [{ user: 'x', time: '2026-03-02T14:19:05Z', rtt_ms: 1 }] } }, null, 2) + '\n'),
    (err: unknown) => isKeylagError(err) && /no array of records found/.test(err.oneLine()));
});

test('when several columns could be the account, the note says which was taken and which others could be', async () => {
  const { samples, notes } = await read('user,user_email,time,rtt_ms\njdoe,john.doe@corp.example,2026-03-02T14:19:05Z,20\n');
  assert.deepEqual(samples.map((s) => s.account), ['jdoe']);
  assert.ok(notes.includes('user -> account (also named like one: user_email; --account-col picks another)'), notes.join(' | '));
  assert.ok(!(await read('user,time,rtt_ms\njdoe,2026-03-02T14:19:05Z,20\n')).notes.some((n) => n.includes('-> account')));
});

test('rosters as Excel saves them: UTF-16 "Unicode Text" (tabs), a Windows code page with ";", gzipped; a workbook is named', async () => {
  const { readRoster } = await import('../src/ingest/roster.js');
  const { gzipSync } = await import('node:zlib');
  const rows = [['Email', 'Site', 'Location'], ['jdoe@corp.example', 'muc', 'München, Germany'], ['asmith@corp.example', 'chi', 'Chicago, US']];
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(rows.map((r) => r.join('\t')).join('\r\n') + '\r\n', 'utf16le')]);
  const cp1252 = Buffer.from(rows.map((r) => r.map((c) => `"${c}"`).join(';')).join('\r\n') + '\r\n', 'latin1');
  const plain = Buffer.from(rows.map((r) => r.map((c) => `"${c}"`).join(',')).join('\n') + '\n');
  for (const [name, bytes] of [['unicode.txt', utf16], ['semicolons.csv', cp1252], ['roster.csv.gz', gzipSync(plain)]] as const) {
    const { roster } = await readRoster(tempFile(name, bytes as unknown as string));
    assert.deepEqual(roster.entries.map((e) => [e.key, e.site, e.location]), [['jdoe', 'muc', 'München, Germany'], ['asmith', 'chi', 'Chicago, US']], name);
  }
  const workbook = tempFile('roster.xlsx', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]) as unknown as string);
  await assert.rejects(readRoster(workbook), (err: unknown) => isKeylagError(err) && /a zip archive \(an Excel \.xlsx workbook is one\), not a roster keylag reads: save a workbook as CSV/.test(err.oneLine()));
});

test('a first line of values, not names (tshark -T fields without -E header=y): said in one line, not the alias list', async () => {
  // Before: "unrecognised header: no account column (tried: account, user, ...)", hundreds of characters about aliases.
  for (const text of [
    '1,1795611240.791961000,10.55.1.2,10.55.0.2,37326,22,0,0,0x0002\n2,1795611240.791987000,10.55.0.2,10.55.1.2,22,37326,0,0,0x0012\n',
    '"1","1795611240.791961000",,,"fd00::2","fd00::1","37326","22","0","0","0x0002"\n',
  ]) {
    await assert.rejects(read(text), (err: Error) => {
      assert.match(err.message, /^the first line holds values, not column names \("1", "1795611240\.791961000", "[^"]+"\.\.\.\): a file without its header line\? keylag needs the names \(a tshark -T fields export: add -E header=y\)$/);
      return true;
    });
  }
  // A header with a name among values is still a header, judged as one.
  await assert.rejects(read('alice,2026-03-02T10:00:00Z,40\n'), /unrecognised header: no account column/);
});
