// Azure Virtual Desktop exports (issue 9, preset 1): detection, fields, times, day/month order, joins, bad rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { avdAdapter, avdConnectionsAdapter, RepeatWindow, REPEAT_WINDOW_CONNECTIONS, REPEAT_WINDOW_ROWS } from '../src/ingest/adapters/avd.js';
import { detectAdapter } from '../src/ingest/registry.js';
import { SideData } from '../src/ingest/adapter.js';
import { avdExports, exportPopulation } from '../fixtures/generate-exports.js';
import { runAdapter, reasons, rejectsWith } from './helpers/adapter-run.js';

const CONN_HEADER = '"TimeGenerated [UTC]",CorrelationId,UserName,State,ClientSideIPAddress,SessionHostName';
const NET_HEADER = '"TimeGenerated [UTC]",CorrelationId,EstRoundTripTimeInMs,EstAvailableBandwidthKBps';

async function joined(connections: string, network: string, options: Record<string, string> = {}) {
  const side = new SideData();
  await runAdapter(avdConnectionsAdapter, connections, {}, side, 'WVDConnections.csv');
  return runAdapter(avdAdapter, network, options, side, 'WVDConnectionNetworkData.csv');
}

test('detection: network data, connections (portal, scripted, Export-Csv #TYPE) beat the generic adapter', () => {
  assert.equal(detectAdapter(`${NET_HEADER}\n"2/25/2025, 9:19:25.391 AM",abc,23,5000\n`)?.name, 'avd');
  assert.equal(detectAdapter(`${CONN_HEADER}\n`)?.name, 'avd-connections');
  assert.equal(detectAdapter('"TimeGenerated","CorrelationId","EstRoundTripTimeInMs"\r\n')?.name, 'avd');
  assert.equal(detectAdapter('#TYPE System.Management.Automation.PSCustomObject\r\n"TimeGenerated","CorrelationId","UserName","State"\r\n')?.name, 'avd-connections');
  // a pre-joined export (both kinds of columns) is a sample file, not a side file
  assert.equal(detectAdapter('TimeGenerated,CorrelationId,EstRoundTripTimeInMs,UserName,State\n')?.name, 'avd');
  // a generic timing file stays generic
  assert.equal(detectAdapter('timestamp,user,rtt_ms\n2026-03-02T14:03:11Z,jdoe,20\n')?.name, 'generic');
  assert.equal(avdConnectionsAdapter.role, 'side');
});

test('every documented field: user via CorrelationId, EstRoundTripTimeInMs as rtt, ClientSideIPAddress, CorrelationId as source id', async () => {
  const run = await joined(
    `${CONN_HEADER}\n"2/25/2025, 9:19:20.102 AM","0B5C-1",JDoe@contoso.com,Started,"198.51.100.7","sh-1"\n"2/25/2025, 9:19:21.000 AM","0B5C-1",JDoe@contoso.com,Connected,"198.51.100.7","sh-1"\n`,
    `${NET_HEADER}\n"2/25/2025, 9:19:25.391 AM","0b5c-1",23,51840\n"2/25/2025, 12:00:00.000 PM","0b5c-1",31,40000\n"2/26/2025, 12:00:01.5 AM","0b5c-1",27.5,40000\n`,
  );
  assert.deepEqual(run.rejections, []);
  assert.equal(run.samples.length, 3);
  const [a, b, c] = run.samples;
  assert.deepEqual(a, {
    account: 'JDoe@contoso.com', session: '0b5c-1', timeUs: Date.UTC(2025, 1, 25, 9, 19, 25, 391) * 1000, kind: 'rtt',
    valueMs: 23, line: 2, sourceId: '0b5c-1', clientAddress: '198.51.100.7',
  });
  assert.equal(b!.timeUs, Date.UTC(2025, 1, 25, 12, 0, 0) * 1000, '12 PM is noon');
  assert.equal(c!.timeUs, Date.UTC(2025, 1, 26, 0, 0, 1, 500) * 1000, '12 AM is midnight');
  assert.equal(c!.valueMs, 27.5);
  assert.equal(run.result.dialect, 'WVDConnectionNetworkData CSV (portal export)');
  assert.deepEqual(run.result.timeFormats, ['Azure portal export: locale date and time, UTC']);
  assert.ok(run.notes.some((n) => /month first.*decided from the data \(line 2/.test(n)), run.notes.join('|'));
});

test('scripted exports: ISO 8601 with Z or an offset, all cells quoted, CRLF, PowerShell #TYPE line', async () => {
  const run = await joined(
    '#TYPE System.Management.Automation.PSCustomObject\r\n"TimeGenerated","CorrelationId","UserName","State"\r\n"2025-02-25T09:19:20Z","c1","ann@corp.example","Connected"\r\n',
    '"TimeGenerated","CorrelationId","EstRoundTripTimeInMs"\r\n"2025-02-25T09:19:25.3910000Z","c1","23"\r\n"2025-02-25T11:19:25+02:00","c1","24"\r\n',
  );
  assert.deepEqual(run.samples.map((s) => [s.account, s.timeUs, s.valueMs, s.line]), [
    ['ann@corp.example', Date.UTC(2025, 1, 25, 9, 19, 25, 391) * 1000, 23, 2],
    ['ann@corp.example', Date.UTC(2025, 1, 25, 9, 19, 25) * 1000, 24, 3],
  ]);
  assert.deepEqual(run.result.timeFormats, ['ISO 8601 with UTC offset']);
  assert.match(run.result.dialect, /scripted export/);
});

test('day/month order: decided from the data in either order, rows before the evidence are kept', async () => {
  const conn = `${CONN_HEADER}\nx,c1,ann,Connected,,\n`.replace('x,', '"2/1/2025, 1:00:00.000 AM",');
  const us = await joined(conn, `${NET_HEADER}\n"3/4/2025, 9:00:00.000 AM",c1,20,1\n"3/14/2025, 9:00:00.000 AM",c1,21,1\n`);
  assert.deepEqual(us.samples.map((s) => s.timeUs), [Date.UTC(2025, 2, 4, 9) * 1000, Date.UTC(2025, 2, 14, 9) * 1000]);
  const gb = await joined(conn, `${NET_HEADER}\n"03/04/2025, 09:00:00.000",c1,20,1\n"14/03/2025, 21:00:00.000",c1,21,1\n`);
  assert.deepEqual(gb.samples.map((s) => s.timeUs), [Date.UTC(2025, 3, 3, 9) * 1000, Date.UTC(2025, 2, 14, 21) * 1000]);
  assert.ok(gb.notes.some((n) => /day first.*line 3/.test(n)));
  // generated en-GB export of a whole week
  const files = avdExports({ locale: 'en-GB', accounts: exportPopulation().slice(0, 3), connectionsPerAccount: 2, rowsPerConnection: 3 });
  const week = await joined(files.connections, files.network);
  assert.equal(week.samples.length, 18);
  assert.deepEqual(week.rejections, []);
});

test('dotted dates (the portal in a German-locale browser) are day first: no order to decide, no --date-order needed', async () => {
  const conn = `${CONN_HEADER}\n"2/3/2025, 7:05:00.000 AM",c1,ann,Connected,,\n`;
  const run = await joined(conn, `${NET_HEADER}\n"3.2.2025, 07:05:00.671",c1,20,1\n"3.2.2025, 07:07:00.589",c1,23,1\n"13.2.2025, 07:05:00.000",c1,21,1\n`);
  assert.deepEqual(run.rejections, []);
  assert.deepEqual(run.samples.map((s) => s.timeUs), [Date.UTC(2025, 1, 3, 7, 5, 0, 671) * 1000, Date.UTC(2025, 1, 3, 7, 7, 0, 589) * 1000, Date.UTC(2025, 1, 13, 7, 5) * 1000]);
  assert.deepEqual(run.result.timeFormats, ['Azure portal export: dotted date, day first (D.M.YYYY), UTC']);
});

test('day/month order that the data cannot decide is an error asking for --date-order; the option settles it', async () => {
  const conn = `${CONN_HEADER}\n"2/1/2025, 1:00:00.000 AM",c1,ann,Connected,,\n`;
  const net = `${NET_HEADER}\n"3/4/2025, 9:00:00.000 AM",c1,20,1\n"3/5/2025, 9:00:00.000 AM",c1,21,1\n`;
  await rejectsWith(joined(conn, net), /cannot be decided.*--date-order mdy or dmy/, 2);
  const dmy = await joined(conn, net, { dateOrder: 'dmy' });
  assert.deepEqual(dmy.samples.map((s) => s.timeUs), [Date.UTC(2025, 3, 3, 9) * 1000, Date.UTC(2025, 4, 3, 9) * 1000]);
  const mdy = await joined(conn, net, { dateOrder: 'mdy' });
  assert.deepEqual(mdy.samples.map((s) => s.timeUs), [Date.UTC(2025, 2, 4, 9) * 1000, Date.UTC(2025, 2, 5, 9) * 1000]);
  // with the option, a date that contradicts it is a counted rejection, not a silent misreading
  const bad = await joined(conn, `${NET_HEADER}\n"3/14/2025, 9:00:00.000 AM",c1,20,1\n`, { dateOrder: 'dmy' });
  assert.deepEqual(reasons(bad), { time_unparseable: 1 });
  await rejectsWith(joined(conn, net, { dateOrder: 'ymd' }), /--date-order must be mdy or dmy/);
  // without the option, dates in both orders in one file stop it
  await rejectsWith(joined(conn, `${NET_HEADER}\n"3/14/2025, 9:00:00.000 AM",c1,20,1\n"14/3/2025, 9:00:00.000 AM",c1,20,1\n`), /both day\/month orders/, 3);
  // days equal to months read the same either way
  const same = await joined(conn, `${NET_HEADER}\n"3/3/2025, 9:00:00.000 AM",c1,20,1\n`);
  assert.equal(same.samples[0]!.timeUs, Date.UTC(2025, 2, 3, 9) * 1000);
});

test('missing joins: a CorrelationId without a user is a counted rejection; no WVDConnections at all is an error', async () => {
  const accounts = exportPopulation().slice(0, 4);
  const files = avdExports({ accounts, connectionsPerAccount: 2, rowsPerConnection: 5, dropJoinFor: 3 });
  const run = await joined(files.connections, files.network);
  assert.equal(reasons(run).join_no_user, 15);
  assert.equal(run.samples.length, 25);
  const missing = run.rejections.find((r) => r.reason === 'join_no_user')!;
  assert.match(missing.detail, /CorrelationId [0-9a-f-]{36} has no user in WVDConnections/);
  assert.ok(missing.line >= 2);
  await rejectsWith(runAdapter(avdAdapter, files.network), /no user column: give the WVDConnections export/, 1);
  // pre-joined export needs no side file
  const pre = avdExports({ accounts, connectionsPerAccount: 1, rowsPerConnection: 2, prejoined: true, style: 'scripted' });
  const alone = await runAdapter(avdAdapter, pre.network);
  assert.equal(alone.samples.length, 8);
  assert.deepEqual(new Set(alone.samples.map((s) => s.account)), new Set(accounts.map((a) => a.upn)));
  assert.ok(alone.samples.every((s) => s.clientAddress?.startsWith('203.0.113.')));
});

test('conflicting users for one CorrelationId are counted; ragged rows, bad values and bad times are counted with their line', async () => {
  const side = new SideData();
  const c = await runAdapter(avdConnectionsAdapter, `${CONN_HEADER}\n"2/1/2025, 1:00:00.000 AM",c1,ann,Started,,\n"2/1/2025, 1:00:01.000 AM",c1,bob,Connected,,\n"2/1/2025, 1:00:02.000 AM",c2,cid,Connected\n`, {}, side);
  assert.deepEqual(c.rejections.map((r) => [r.line, r.reason]), [[3, 'join_conflict'], [4, 'row_ragged']]);
  const run = await runAdapter(avdAdapter, `${NET_HEADER}\n"2/13/2025, 1:00:00.000 AM",c1,abc,1\n"2/13/2025, 1:00:00.000 AM",c1,-4,1\n"2/13/2025, 1:00:00.000 AM",c1,20\n"yesterday",c1,20,1\n"2/30/2025, 1:00:00.000 AM",c1,20,1\n"2/13/2025, 1:00:00.000 AM",,20,1\n"2/13/2025, 1:00:00.000 AM",c1,20,1\n`, {}, side);
  assert.deepEqual(run.rejections.map((r) => [r.line, r.reason]), [
    [2, 'value_not_numeric'], [3, 'value_negative'], [4, 'row_ragged'], [5, 'time_unparseable'], [6, 'time_unparseable'], [7, 'correlation_id_missing'],
  ]);
  // A bad value of a joined user names that user, counted per account (the header names an account
  // that lost most of its rows); a row rejected before its user is known names none.
  assert.deepEqual(run.rejectedAccounts, ['ann', 'ann', undefined, undefined, undefined, undefined]);
  assert.deepEqual(run.samples.map((s) => [s.account, s.line]), [['ann', 8]]);
  assert.equal(run.result.records, 7);
});

test('a broken quote stops the file with file:line; an empty file or a header without the needed columns is an error', async () => {
  const side = new SideData();
  await runAdapter(avdConnectionsAdapter, `${CONN_HEADER}\n"2/1/2025, 1:00:00.000 AM",c1,ann,Started,,\n`, {}, side);
  await rejectsWith(runAdapter(avdAdapter, `${NET_HEADER}\n"2/13/2025, 1:00:00.000 AM",c1,20,1\n"2/13/2025, 1:00:00.000 AM,c1,20,1\n`, {}, side), /malformed CSV/);
  await rejectsWith(runAdapter(avdAdapter, '', {}, side), /empty input/);
  await rejectsWith(runAdapter(avdAdapter, 'TimeGenerated,CorrelationId\n', {}, side), /needs TimeGenerated, CorrelationId and EstRoundTripTimeInMs/, 1);
});

test('query API responses (Log Analytics REST tables, Kusto v1 Tables): detected, joined and read as their CSV is', async () => {
  await readAsCsvIs((csv, kusto) => asJsonTables(csv, kusto), 'kusto');
});

/**
 * The bundled AVD exports converted by `convert` (its flag false, then true): detected as the AVD
 * adapters, and joined into the same samples and rejections as the CSV.
 */
async function readAsCsvIs(convert: (csv: string, flag: boolean) => Promise<string>, flagName: string) {
  const { readFileSync } = await import('node:fs');
  const connectionsCsv = readFileSync(new URL('../../fixtures/exports/avd/WVDConnections.csv', import.meta.url), 'utf8');
  const networkCsv = readFileSync(new URL('../../fixtures/exports/avd/WVDConnectionNetworkData.csv', import.meta.url), 'utf8');
  const fromCsv = await joined(connectionsCsv, networkCsv);
  assert.ok(fromCsv.samples.length > 100, `${fromCsv.samples.length} samples`);
  const comparable = (run: Awaited<ReturnType<typeof joined>>) => run.samples.map((s) => [s.account, s.session, s.timeUs, s.kind, s.valueMs, s.clientAddress]);
  for (const flag of [false, true]) {
    const connections = await convert(connectionsCsv, flag);
    const network = await convert(networkCsv, flag);
    assert.equal(detectAdapter(connections)?.name, 'avd-connections', `${flagName} ${flag}`);
    assert.equal(detectAdapter(network)?.name, 'avd', `${flagName} ${flag}`);
    const fromJson = await joined(connections, network);
    assert.deepEqual(reasons(fromJson), reasons(fromCsv), `${flagName} ${flag}`);
    assert.deepEqual(comparable(fromJson), comparable(fromCsv), `${flagName} ${flag}`);
  }
  return { connectionsCsv, networkCsv, fromCsv, comparable };
}

/** A CSV export as a query API returns it: Log Analytics' {"tables": [{"name", "columns", "rows"}]}, or Kusto v1's Tables with a second table. */
async function asJsonTables(csv: string, kusto: boolean): Promise<string> {
  const { parse } = await import('csv-parse/sync');
  const [header, ...rows] = parse(csv, { relax_column_count: true }) as string[][];
  const cells = rows.map((r) => header!.map((_, i) => (r[i] === undefined ? null : /^\d+(\.\d+)?$/.test(r[i]!) ? Number(r[i]) : r[i])));
  if (!kusto) return JSON.stringify({ tables: [{ name: 'PrimaryResult', columns: header!.map((name) => ({ name, type: 'string' })), rows: cells }] }, null, 2);
  return JSON.stringify({
    Tables: [
      { TableName: 'Table_0', Columns: header!.map((ColumnName) => ({ ColumnName, DataType: 'String', ColumnType: 'string' })), Rows: cells },
      { TableName: 'Table_1', Columns: [{ ColumnName: 'Value', DataType: 'String' }], Rows: [['{}']] },
    ],
  });
}

/** A CSV export as the JSON array of records `az monitor log-analytics query` prints (one object per row, its header's keys). */
async function asJsonArray(csv: string, pretty: boolean): Promise<string> {
  const { parse } = await import('csv-parse/sync');
  const [header, ...rows] = parse(csv, { relax_column_count: true }) as string[][];
  const records = rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, /^\d+(\.\d+)?$/.test(r[i]!) ? Number(r[i]) : r[i]])));
  return pretty ? JSON.stringify(records, null, 2) : JSON.stringify(records);
}

test('JSON exports (az monitor log-analytics query, JSON Lines): detected, joined and read as their CSV is', async () => {
  const { connectionsCsv, networkCsv, fromCsv, comparable } = await readAsCsvIs((csv, pretty) => asJsonArray(csv, pretty), 'pretty');
  // JSON Lines of the same records.
  const lines = (json: string) => (JSON.parse(json) as unknown[]).map((r) => JSON.stringify(r)).join('\n') + '\n';
  const fromLines = await joined(lines(await asJsonArray(connectionsCsv, false)), lines(await asJsonArray(networkCsv, false)));
  assert.deepEqual(comparable(fromLines), comparable(fromCsv));
  // JSON Lines lines are the file's lines: the first sample's row is line 1 of the data (no header line).
  assert.equal(fromLines.samples[0]!.line, fromCsv.samples[0]!.line - 1);
});

test('a join with WVDConnections without distinct repeats each network row per connection state: the repeats are duplicate_row, n and jitter as the network table has them', async () => {
  const header = 'TimeGenerated,CorrelationId,EstRoundTripTimeInMs,EstAvailableBandwidthKBps,TimeGenerated1,CorrelationId1,UserName,State';
  const states = ['Started', 'Connected', 'Completed'];
  const net: [string, string, number, number][] = [
    ['2025-02-13T07:05:00.671Z', 'c1', 20, 46716], ['2025-02-13T07:05:01.087Z', 'c2', 144, 60202],
    ['2025-02-13T07:07:00.589Z', 'c1', 23, 60949], ['2025-02-13T07:09:00.100Z', 'c1', 23, 60949],
  ];
  const rows = net.flatMap(([t, c, rtt, bw]) => states.map((st, i) => `${t},${c},${rtt},${bw},2025-02-13T07:04:5${i}.000Z,${c},${c === 'c1' ? 'ann' : 'bob'},${st}`));
  const run = await runAdapter(avdAdapter, `${header}\n${rows.join('\n')}\n`);
  assert.deepEqual(run.samples.map((s) => [s.account, s.valueMs, s.line]), [['ann', 20, 2], ['bob', 144, 5], ['ann', 23, 8], ['ann', 23, 11]],
    'the same round trip at another time is a sample of its own');
  assert.deepEqual(reasons(run), { duplicate_row: 8 });
  assert.deepEqual(run.rejections.slice(0, 2).map((r) => [r.line, r.detail]), [
    [3, 'CorrelationId c1 at 2025-02-13T07:05:00.671Z with EstRoundTripTimeInMs 20 repeated'], [4, 'CorrelationId c1 at 2025-02-13T07:05:00.671Z with EstRoundTripTimeInMs 20 repeated'],
  ]);
  assert.ok(run.notes.some((n) => n.startsWith('8 exact repeat(s) of a network row (same CorrelationId, TimeGenerated, EstRoundTripTimeInMs, EstAvailableBandwidthKBps) rejected as duplicate_row, one copy per WVDConnections row (State): a join of WVDConnectionNetworkData with WVDConnections without `distinct`')), run.notes.join('|'));
});

test('repeats are looked for in a bounded window: a CorrelationId\'s last rows, the CorrelationIds seen last', () => {
  const w = new RepeatWindow();
  assert.equal(w.seen('c1', 'a'), false);
  assert.equal(w.seen('c1', 'a'), true);
  for (let i = 0; i < REPEAT_WINDOW_ROWS; i++) w.seen('c1', `k${i}`);
  assert.equal(w.seen('c1', 'a'), false, `'a' fell out of c1's last ${REPEAT_WINDOW_ROWS} rows`);
  for (let i = 0; i < REPEAT_WINDOW_CONNECTIONS; i++) w.seen(`other${i}`, 'x');
  assert.equal(w.seen('c1', 'k15'), false, `c1 fell out of the last ${REPEAT_WINDOW_CONNECTIONS} CorrelationIds`);
});

test('WVDConnections joined on the left: TimeGenerated is the connection event, the sample time is TimeGenerated1 (the network table\'s), with a note', async () => {
  const header = 'TenantId,TimeGenerated,CorrelationId,UserName,State,ClientSideIPAddress,TenantId1,TimeGenerated1,CorrelationId1,EstRoundTripTimeInMs,EstAvailableBandwidthKBps';
  const run = await runAdapter(avdAdapter, `${header}\n`
    + 'aaaa,2025-02-13T07:04:55.000Z,c1,ann,Connected,203.0.113.9,bbbb,2025-02-13T07:05:00.671Z,c1,20,46716\n'
    + 'aaaa,2025-02-13T07:04:55.000Z,c1,ann,Connected,203.0.113.9,bbbb,2025-02-13T07:07:00.589Z,c1,23,60949\n');
  assert.deepEqual(run.rejections, []);
  assert.deepEqual(run.samples.map((s) => [s.account, s.timeUs, s.valueMs]), [
    ['ann', Date.UTC(2025, 1, 13, 7, 5, 0, 671) * 1000, 20], ['ann', Date.UTC(2025, 1, 13, 7, 7, 0, 589) * 1000, 23],
  ]);
  assert.ok(run.notes.includes("join with WVDConnections on the left: TimeGenerated is the connection event's time (its State and UserName beside it); each sample's time is the network table's, TimeGenerated1 (column 8)"), run.notes.join('|'));
  // the network table on the left (the documented join): TimeGenerated is its own, TimeGenerated1 the connection's
  const left = await runAdapter(avdAdapter, 'TimeGenerated,CorrelationId,EstRoundTripTimeInMs,TimeGenerated1,CorrelationId1,UserName,State\n2025-02-13T07:05:00.671Z,c1,20,2025-02-13T07:04:55.000Z,c1,ann,Connected\n');
  assert.deepEqual(left.samples.map((s) => s.timeUs), [Date.UTC(2025, 1, 13, 7, 5, 0, 671) * 1000]);
  assert.ok(!left.notes.some((n) => /on the left/.test(n)));
});

test('exports separated by ";" (Export-Csv -UseCulture, Excel in a comma-decimal locale) are detected and read as their "," form', async () => {
  const conn = '#TYPE System.Management.Automation.PSCustomObject\r\n"TimeGenerated";"CorrelationId";"UserName";"State"\r\n"2025-02-25T09:19:20Z";"c1";"ann@corp.example";"Connected"\r\n';
  const net = '"TimeGenerated";"CorrelationId";"EstRoundTripTimeInMs";"EstAvailableBandwidthKBps"\r\n"25.02.2025 09:19:25";"c1";"23";"5000"\r\n"25.02.2025 09:20:25";"c1";"24";"5000"\r\n';
  assert.equal(detectAdapter(conn)?.name, 'avd-connections');
  assert.equal(detectAdapter(net)?.name, 'avd');
  const run = await joined(conn, net);
  assert.deepEqual(run.rejections, []);
  assert.deepEqual(run.samples.map((s) => [s.account, s.timeUs, s.valueMs, s.line]), [
    ['ann@corp.example', Date.UTC(2025, 1, 25, 9, 19, 25) * 1000, 23, 2],
    ['ann@corp.example', Date.UTC(2025, 1, 25, 9, 20, 25) * 1000, 24, 3],
  ]);
  assert.ok(run.notes.includes("delimiter ';'"), run.notes.join(' | '));
});

test('a portal export in the display time zone (TimeGenerated [Local Time]) with --assume-tz: wall-clock times of that zone, daylight time included', async () => {
  // Before: refused whatever the options ("the portal wrote its times in the display time zone").
  const conn = `${CONN_HEADER}\n"2/25/2025, 9:19:20.102 AM","c1",ann@corp.example,Connected,"198.51.100.7","sh-1"\n`;
  const net = `"TimeGenerated [Local Time]",CorrelationId,EstRoundTripTimeInMs,EstAvailableBandwidthKBps
"2/25/2025, 9:19:25.391 AM","c1",23,5000
"3/30/2025, 2:30:00.000 AM","c1",24,5000
"7/1/2025, 12:00:00.000 PM","c1",25,5000
"10/26/2025, 2:30:00.000 AM","c1",26,5000
"2025-07-01T12:00:00Z","c1",27,5000
`;
  const run = await joined(conn, net, { assumeTz: 'Europe/Berlin' });
  // Winter +01:00, summer +02:00; 2:30 on 30 March was skipped (rejected), on 26 October shown twice (the first, +02:00).
  assert.deepEqual(run.samples.map((s) => [s.timeUs, s.valueMs]), [
    [Date.UTC(2025, 1, 25, 8, 19, 25, 391) * 1000, 23],
    [Date.UTC(2025, 6, 1, 10, 0, 0) * 1000, 25],
    [Date.UTC(2025, 9, 26, 0, 30, 0) * 1000, 26],
    [Date.UTC(2025, 6, 1, 12, 0, 0) * 1000, 27],
  ]);
  assert.deepEqual(reasons(run), { time_in_dst_gap: 1 });
  assert.match(run.rejections[0]!.detail, /3\/30\/2025, 2:30:00.000 AM \(no such time in Europe\/Berlin: the clocks went forward past it; --assume-tz\)/);
  assert.deepEqual(run.result.assumedZone, { zone: 'Europe/Berlin', samples: 3, ambiguous: 1, nonexistent: 1 });
  assert.deepEqual([...run.result.timeFormats].sort(), [
    'Azure portal export: locale date and time, the display time zone, read in Europe/Berlin (--assume-tz)', 'ISO 8601 with UTC offset',
  ]);
  assert.ok(run.notes.some((n) => n === "TimeGenerated [Local Time]: the portal's display time zone (Local Time), its times read as wall-clock times in Europe/Berlin (--assume-tz)"), run.notes.join(' | '));
  // A German-locale browser's dotted dates, likewise.
  const dotted = await joined(conn, `"TimeGenerated [Local Time]",CorrelationId,EstRoundTripTimeInMs\n"25.2.2025, 10:19:25.391","c1",23\n`, { assumeTz: 'Europe/Berlin' });
  assert.deepEqual(dotted.samples.map((s) => s.timeUs), [Date.UTC(2025, 1, 25, 9, 19, 25, 391) * 1000]);
  assert.deepEqual(dotted.result.timeFormats, ['Azure portal export: dotted date, day first (D.M.YYYY), the display time zone, read in Europe/Berlin (--assume-tz)']);
  // An export in UTC is not moved by --assume-tz: its times are known.
  const utc = await joined(conn, `${NET_HEADER}\n"2/25/2025, 9:19:25.391 AM","c1",23,5000\n`, { assumeTz: 'Europe/Berlin' });
  assert.deepEqual(utc.samples.map((s) => s.timeUs), [Date.UTC(2025, 1, 25, 9, 19, 25, 391) * 1000]);
  assert.equal(utc.result.assumedZone, undefined);
});

test('a portal export in the display time zone (TimeGenerated [Local Time]) is detected as AVD and refused with what to do: its offset is nowhere in the file', async () => {
  const conn = `${CONN_HEADER}\n"2/25/2025, 9:19:20.102 AM","c1",ann@corp.example,Connected,"198.51.100.7","sh-1"\n`;
  for (const label of ['Local Time', 'UTC+02:00']) {
    const net = `"TimeGenerated [${label}]",CorrelationId,EstRoundTripTimeInMs,EstAvailableBandwidthKBps\n"2/25/2025, 9:19:25.391 AM","c1",23,5000\n`;
    assert.equal(detectAdapter(net)?.name, 'avd', label);
    await rejectsWith(joined(conn, net), new RegExp(`TimeGenerated \\[${label.replace('+', '\\+')}\\]: the portal wrote its times in the display time zone \\(${label.replace('+', '\\+')}\\), which the export does not state; export again with the display time zone set to UTC`));
    // Or name that zone with --assume-tz.
    await rejectsWith(joined(conn, net), /, or name that zone with --assume-tz ZONE \(an IANA name such as Europe\/Berlin\)$/);
  }
});
