// Latency exports as monitoring tools write them (InfluxDB, Grafana, Prometheus): read by the
// generic adapter, or refused with the option that resolves them; never read into wrong numbers.
import { test } from 'node:test';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { genericAdapter } from '../src/ingest/adapters/generic.js';
import { SideData } from '../src/ingest/adapter.js';
import { reasons, rejectsWith, runAdapter } from './helpers/adapter-run.js';
import { runCli } from './helpers/cli.js';

/** Both delimited paths: the fast one and the csv-parse reference. */
const PARSERS = [{}, { csvParser: 'csv-parse' }] as const;

// `influx query --raw` / the Data Explorer's CSV download of Telegraf's ping plugin: every field of
// the measurement in one _value column, _field naming it.
const INFLUX_PING = [
  '#group,false,false,true,true,false,false,true,true,true,true',
  '#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,double,string,string,string,string',
  '#default,_result,,,,,,,,,',
  ',result,table,_start,_stop,_time,_value,_field,_measurement,url,user',
  ',,0,2024-03-01T00:00:00Z,2024-03-02T00:00:00Z,2024-03-01T10:00:00Z,41.2,rtt,ping,relay1,alice',
  ',,0,2024-03-01T00:00:00Z,2024-03-02T00:00:00Z,2024-03-01T10:00:10Z,40.9,rtt,ping,relay1,alice',
  ',,1,2024-03-01T00:00:00Z,2024-03-02T00:00:00Z,2024-03-01T10:00:00Z,98.5,maximum_response_ms,ping,relay1,alice',
  ',,2,2024-03-01T00:00:00Z,2024-03-02T00:00:00Z,2024-03-01T10:00:00Z,5,packets_received,ping,relay1,alice',
  ',,3,2024-03-01T00:00:00Z,2024-03-02T00:00:00Z,2024-03-01T10:00:00Z,0,percent_packet_loss,ping,relay1,alice',
  '', '',
].join('\r\n');

test("InfluxDB annotated CSV: a value's kind is its row's _field, never _measurement; other fields are kind_unknown", async () => {
  for (const options of PARSERS) {
    const run = await runAdapter(genericAdapter, INFLUX_PING, options, new SideData(), 'influx.csv');
    // Before: _measurement 'ping' made all five values rtt (a floor of 0 from the loss percentage).
    assert.deepEqual(run.samples.map((s) => [s.account, s.kind, s.valueMs, s.line]), [['alice', 'rtt', 41.2, 5], ['alice', 'rtt', 40.9, 6]]);
    assert.deepEqual(reasons(run), { kind_unknown: 3 });
    assert.match(run.rejections[0]!.detail, /^maximum_response_ms \(a field that names no kind: pivot the fields into columns and give --value-col\)$/);
    assert.ok(run.notes.some((n) => n.startsWith("_field names the field of each row's value (InfluxDB): it gives the kind, not _measurement")), run.notes.join('\n'));
  }
  // Pivoted (`|> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")`): the field is a column.
  const pivoted = ',result,table,_time,_measurement,user,average_response_ms,packets_received\n,,0,2024-03-01T10:00:00Z,ping,alice,41.2,5\n';
  const run = await runAdapter(genericAdapter, pivoted, {}, new SideData(), 'influx.csv', { valueCols: ['average_response_ms:rtt'] });
  assert.deepEqual(run.samples.map((s) => [s.kind, s.valueMs]), [['rtt', 41.2]]);
});

// Grafana's table view of a Prometheus query (Format: Table), Download CSV: one row per point, the
// metric's name in __name__, every metric's value in Value (Prometheus' base unit: seconds).
const GRAFANA_TABLE = '"Time","__name__","instance","job","user","Value"\r\n'
  + '1709287200000,rdp_rtt_seconds,vdi1:9100,vdi,alice,0.0412\r\n1709287200000,rdp_jitter_seconds,vdi1:9100,vdi,alice,0.002\r\n'
  + '1709287215000,rdp_rtt_seconds,vdi2:9100,vdi,bob,0.038\r\n\r\n';

test("a kind cell that names a latency with its unit gives both: Prometheus' __name__ (Grafana's table CSV), InfluxDB's _field rtt_us", async () => {
  const ms = (run: Awaited<ReturnType<typeof runAdapter>>) => run.samples.map((s) => [s.account, s.kind, Math.round(s.valueMs * 1000) / 1000, s.line]);
  for (const options of PARSERS) {
    // Before: every Value an input_lag in ms (alice 0.0412 and 0.002, bob 0.038): jitter mixed in, seconds read as ms.
    const grafana = await runAdapter(genericAdapter, GRAFANA_TABLE, options, new SideData(), 'grafana-table.csv');
    assert.deepEqual(ms(grafana), [['alice', 'rtt', 41.2, 2], ['bob', 'rtt', 38, 4]]);
    assert.deepEqual(grafana.rejections.map((r) => [r.line, r.reason, r.detail]), [[3, 'kind_unknown', 'rdp_jitter_seconds (a metric that names no latency)']]);
    assert.ok(grafana.notes.some((n) => n.startsWith("__name__ names the metric of each row's value (Prometheus): it gives the kind and unit")), grafana.notes.join('\n'));
    assert.ok(grafana.notes.includes("Value -> kind from column '__name__' (ms unless the kind names its unit)"), grafana.notes.join('\n'));
    // Before: both rows kind_unknown (a field that names no kind), the file refused.
    const influx = await runAdapter(genericAdapter, INFLUX_PING.replace(',41.2,rtt,', ',41200,rtt_us,').replace(',40.9,rtt,', ',0.0409,latency_s,'), options, new SideData(), 'influx.csv');
    assert.deepEqual(ms(influx), [['alice', 'rtt', 41.2, 5], ['alice', 'input_lag', 40.9, 6]]);
    // A kind column of metric names (`metric`), the same: rtt_ms is ms whatever --unit says of unnamed columns.
    const metric = await runAdapter(genericAdapter, 'user,time,metric,value\nalice,2024-03-01T10:00:00Z,rtt_ms,41.2\nalice,2024-03-01T10:00:01Z,rtt,0.05\n',
      options, new SideData(), 'metric.csv', { unit: 's' });
    assert.deepEqual(ms(metric), [['alice', 'rtt', 41.2, 2], ['alice', 'rtt', 50, 3]]);
  }
});

test("a kind cell named by latency words without a unit is no kind: Telegraf's response_time is seconds", async () => {
  // Telegraf's http_response and net_response plugins, through InfluxDB: `response_time` in seconds.
  const influx = INFLUX_PING.replace(',41.2,rtt,ping,', ',0.0412,response_time,net_response,').replace(',40.9,rtt,ping,', ',0.0409,rdp_rtt_seconds,net_response,');
  for (const options of PARSERS) {
    const run = await runAdapter(genericAdapter, influx, options, new SideData(), 'influx.csv');
    // Before: response_time was an input_lag of 0.0412 ms (read in the _value column's ms).
    assert.deepEqual(run.samples.map((s) => [s.kind, Math.round(s.valueMs * 1000) / 1000, s.line]), [['rtt', 40.9, 6]]);
    assert.deepEqual(run.rejections.filter((r) => r.line === 5).map((r) => [r.reason, r.detail.split(' ')[0]]), [['kind_unknown', 'response_time']]);
  }
});

// Grafana's panel inspector, Data tab, "Series joined by time", Download CSV (toCSV in
// @grafana/data: every header cell quoted, CRLF, a null as an empty cell, a blank line after the
// frame); "Formatted data" writes the time as the dashboard shows it, without it epoch milliseconds.
const GRAFANA_LEGEND = '"Time","alice","bob"\r\n2024-03-01 10:00:00,41.2,38\r\n2024-03-01 10:00:15,,39.1\r\n2024-03-01 10:00:30,40.7,\r\n\r\n';
const GRAFANA_SERIES = '"Time","rdp_rtt_seconds{instance=""vdi1:9100"", job=""vdi"", user=""alice""}","rdp_rtt_seconds{instance=""vdi2:9100"", job=""vdi"", user=""bob""}",'
  + '"rdp_jitter_seconds{instance=""vdi1:9100"", job=""vdi"", user=""alice""}"\r\n'
  + '1709287200000,0.0412,0.038,0.002\r\n1709287215000,0.0409,,0.003\r\n\r\n';

test('one column per account: Grafana\'s "Series joined by time" CSV, by the series\' user label or with --account-columns', async () => {
  for (const options of PARSERS) {
    // Legend {{user}}: nothing says alice is an account; the error names the option (before: no hint).
    await rejectsWith(runAdapter(genericAdapter, GRAFANA_LEGEND, options, new SideData(), 'grafana.csv'),
      /no account column .*one column per account, as Grafana's "Series joined by time" CSV or a Splunk timechart by user writes it\? give --account-columns KIND/, 1);
    const legend = await runAdapter(genericAdapter, GRAFANA_LEGEND, options, new SideData(), 'grafana.csv', { accountColumns: 'rtt' });
    assert.deepEqual(legend.samples.map((s) => [s.account, s.kind, s.valueMs, s.line]),
      [['alice', 'rtt', 41.2, 2], ['bob', 'rtt', 38, 2], ['bob', 'rtt', 39.1, 3], ['alice', 'rtt', 40.7, 4]]);
    assert.deepEqual(legend.rejections, []);
    assert.ok(legend.notes.includes("2 blank cell(s) skipped: no sample of that account's series at that time"), legend.notes.join('\n'));

    // Each column a labelled series: its user label is the account, its metric the kind and unit (seconds); jitter is left.
    const series = await runAdapter(genericAdapter, GRAFANA_SERIES, options, new SideData(), 'grafana.csv');
    assert.deepEqual(series.samples.map((s) => [s.account, s.kind, Math.round(s.valueMs * 1000) / 1000, s.timeUs]),
      [['alice', 'rtt', 41.2, 1709287200000000], ['bob', 'rtt', 38, 1709287200000000], ['alice', 'rtt', 40.9, 1709287215000000]]);
    assert.ok(series.notes.some((n) => n.startsWith('columns not read (no account\'s latency): rdp_jitter_seconds{')), series.notes.join('\n'));
  }
  // A series without an account label, or without a metric name, is refused with the reason.
  await rejectsWith(runAdapter(genericAdapter, '"Time","rtt_ms{instance=""vdi1""}","rtt_ms{user=""bob""}"\r\n1709287200000,41,38\r\n'),
    /series column 'rtt_ms\{instance="vdi1"\}' has no account label/, 1);
  await rejectsWith(runAdapter(genericAdapter, '"Time","{user=""alice""}"\r\n1709287200000,41\r\n'), /names no latency kind .*give --account-columns KIND/, 1);
  const named = await runAdapter(genericAdapter, '"Time","{user=""alice""}"\r\n1709287200000,41\r\n', {}, new SideData(), 'g.csv', { accountColumns: 'app_rtt' });
  assert.deepEqual(named.samples.map((s) => [s.account, s.kind, s.valueMs]), [['alice', 'app_rtt', 41]]);
});

test('a Splunk timechart by user: _span, OTHER and NULL are no accounts', async () => {
  const splunk = '"_time",alice,bob,NULL,OTHER,"_span"\n"2024-03-01T10:00:00.000+00:00","41.2","38.0","12.0","55.0",60\n';
  const run = await runAdapter(genericAdapter, splunk, {}, new SideData(), 'splunk.csv', { accountColumns: 'rtt' });
  assert.deepEqual(run.samples.map((s) => [s.account, s.valueMs]), [['alice', 41.2], ['bob', 38]]);
  assert.ok(run.notes.includes('columns not read (no account\'s latency): NULL, OTHER, _span'), run.notes.join('\n'));
});

test("a Splunk stats by _time and user: avg(rtt_ms) is a latency as avg_rtt_ms is, max(rtt_ms) and count(rtt_ms) are not", async () => {
  // `| bin _time span=1m | stats avg(rtt_ms) max(rtt_ms) count(rtt_ms) by _time user`, exported as CSV.
  const splunk = '"_time",user,"avg(rtt_ms)","max(rtt_ms)","count(rtt_ms)"\n'
    + '"2024-03-01T10:00:00.000+00:00",alice,"41.2","98.0",12\n"2024-03-01T10:01:00.000+00:00",bob,"38.0","45.0",7\n';
  for (const options of PARSERS) {
    // Before: "unrecognised header: no latency value column".
    const run = await runAdapter(genericAdapter, splunk, options, new SideData(), 'splunk.csv');
    assert.deepEqual(run.samples.map((s) => [s.account, s.kind, s.valueMs, s.line]), [['alice', 'rtt', 41.2, 2], ['bob', 'rtt', 38, 3]]);
    assert.ok(run.notes.includes('avg(rtt_ms): no alias, taken as a latency by its words'), run.notes.join('\n'));
  }
  // A count, a maximum or a percentile of rtt_ms is no rtt_ms: still no latency column.
  for (const column of ['count(rtt_ms)', 'max(rtt_ms)', 'p95(rtt_ms)', 'values(rtt_ms)']) {
    await rejectsWith(runAdapter(genericAdapter, `_time,user,"${column}"\n2024-03-01T10:00:00Z,alice,12\n`), /no latency value column/, 1);
  }
});

test('another header line mid-file: the same columns again are header_repeated, other columns stop the file', async () => {
  for (const options of PARSERS) {
    // Two exports joined with cat, their value columns in another order: bob's echo was read as his rtt.
    await rejectsWith(runAdapter(genericAdapter, 'user,time,rtt_ms,echo_ms\nalice,2024-03-01T10:00:00Z,20,50\nuser,time,echo_ms,rtt_ms\nbob,2024-03-01T10:00:00Z,90,30\n', options),
      /^another header line, whose columns are not the first header's \(user,time,echo_ms,rtt_ms\): exports with other columns joined into one file\? give each as its own input$/, 3);
    // Grafana frames one after another: bob's series was read as alice's.
    await rejectsWith(runAdapter(genericAdapter, '"Time","alice"\r\n1709287200000,41\r\n\r\n"Time","bob"\r\n1709287200000,90\r\n\r\n', options, new SideData(), 'g.csv',
      { accountColumns: 'rtt' }), /^another header line/, 4);
    // The same columns, but for case and quotes: still one export's rows.
    const again = await runAdapter(genericAdapter, 'user,time,rtt_ms\nalice,2024-03-01T10:00:00Z,20\nUser,"Time",RTT_ms\nbob,2024-03-01T10:00:00Z,30\n', options);
    assert.deepEqual(again.samples.map((s) => [s.account, s.valueMs]), [['alice', 20], ['bob', 30]]);
    assert.deepEqual(again.rejections.map((r) => [r.line, r.reason]), [[3, 'header_repeated']]);
  }
});

test('--account-columns on a file of one row per sample is refused, not read as accounts named user and rtt_ms', async () => {
  // Before: `user` and `rtt_ms` became two accounts; alice's 20 ms was an rtt of the account rtt_ms.
  await rejectsWith(runAdapter(genericAdapter, 'time,user,rtt_ms\n2024-03-01T10:00:00Z,alice,20\n', {}, new SideData(), 'rows.csv', { accountColumns: 'rtt' }),
    /^--account-columns: column 'user' is named as an account or latency column is, not as an account: a file of one row per sample is read without --account-columns$/, 1);
});

test('metrics API responses (Prometheus, CloudWatch GetMetricData) are named, with a way to rows', async () => {
  const prometheus = '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"rdp_rtt_ms","user":"alice"},"values":[[1709287145.123,"41.2"]]}]}}\n';
  // Before: "unrecognised header: no account column ...; columns found: status, data.resultType, data.result".
  await rejectsWith(runAdapter(genericAdapter, prometheus), /^a Prometheus query API response \(series, not records\): .*jq -r .*\.data\.result\[\].*--value-col value:KIND/, 1);
  // Pretty (curl | jq .): before, "no array of records found".
  await rejectsWith(runAdapter(genericAdapter, JSON.stringify(JSON.parse(prometheus), null, 2)), /^a Prometheus query API response/, 1);
  const cloudwatch = JSON.stringify({ MetricDataResults: [{ Id: 'm1', Label: 'InSessionLatency', Timestamps: ['2024-03-01T10:05:00+00:00'], Values: [41.2], StatusCode: 'Complete' }], Messages: [] }, null, 4);
  await rejectsWith(runAdapter(genericAdapter, cloudwatch), /^an AWS CloudWatch GetMetricData response \(series, not records\): .*\.MetricDataResults\[\]/, 1);
});

/** The jq program a refusal names, run on `input` when jq is on the machine (null when it is not). */
function runJqOf(message: string, input: string): string | null {
  const m = /jq (-\w+) '(.*?)' \(/.exec(message);
  assert.ok(m !== null, message);
  try { return execFileSync('jq', [m[1]!, m[2]!], { input, encoding: 'utf8' }); } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

test("the Prometheus response's jq line keeps each series' metric name: its rows are read in the metric's kind and unit", async () => {
  const response = JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [
    { metric: { __name__: 'rdp_rtt_seconds', instance: 'vdi1:9100', user: 'alice' }, values: [[1709287200, '0.0412'], [1709287215.5, '0.0409']] },
    { metric: { user: 'bob' }, values: [[1709287200, '0.038']] }] } });
  let message = '';
  await runAdapter(genericAdapter, response).catch((e: Error) => { message = e.message; });
  // Before: the line wrote user,time,value and said --value-col value:KIND: 0.0412 s became an rtt of 0.0412 ms.
  assert.match(message, /jq -r '.*\$m\.__name__/);
  // What the line writes (jq's @csv: strings quoted, numbers not); bob's series, an aggregation's, has no name.
  const expected = '"user","time","metric","value"\n"alice",1709287200,"rdp_rtt_seconds","0.0412"\n"alice",1709287215.5,"rdp_rtt_seconds","0.0409"\n"bob",1709287200,"","0.038"\n';
  // (Without jq on the machine, the expected text stands for its output.)
  const jqOut = runJqOf(message, response);
  if (jqOut !== null) assert.equal(jqOut, expected);
  for (const options of PARSERS) {
    const run = await runAdapter(genericAdapter, jqOut ?? expected, options, new SideData(), 'prom.csv');
    assert.deepEqual(run.samples.map((s) => [s.account, s.kind, Math.round(s.valueMs * 1000) / 1000, s.timeUs]),
      [['alice', 'rtt', 41.2, 1709287200_000000], ['alice', 'rtt', 40.9, 1709287215_500000]]);
    // The nameless series is no guess: kind_unknown, until --value-col value:KIND (and --unit s) say what it is.
    assert.deepEqual(reasons(run), { kind_unknown: 1 });
  }
});

test("Sumo Logic's times: a message's own (_messagetime, messageTime) and an aggregate's bucket (_timeslice), never when Sumo received it", async () => {
  // The Search Job API's messages, each `map` as `jq -c '.messages[].map'` writes it (every value a string, times epoch ms).
  const messages = '{"_messagetime":"1709287200412","_receipttime":"1709287262000","_raw":"rtt alice 41.2","_sourcehost":"vdi1","user":"alice","rtt_ms":"41.2"}\n';
  // Before: "unrecognised header: no time column" for all three.
  const api = await runAdapter(genericAdapter, messages, {}, new SideData(), 'sumo.jsonl');
  assert.deepEqual(api.samples.map((s) => [s.account, s.kind, s.valueMs, s.timeUs]), [['alice', 'rtt', 41.2, 1709287200412_000]]);
  for (const options of PARSERS) {
    // Data forwarding's CSV names them in camelCase, the receipt time first.
    const forwarded = await runAdapter(genericAdapter, 'messageId,receiptTime,messageTime,user,rtt_ms\n-9123,1709287262000,1709287200412,alice,41.2\n', options, new SideData(), 'sumo.csv');
    assert.deepEqual(forwarded.samples.map((s) => s.timeUs), [1709287200412_000]);
    // `| timeslice 1m | avg(rtt_ms) as avg_rtt_ms by _timeslice, user`, exported as CSV.
    const sliced = await runAdapter(genericAdapter, '"_timeslice","user","avg_rtt_ms"\n"1709287200000","alice","41.2"\n', options, new SideData(), 'sumo.csv');
    assert.deepEqual(sliced.samples.map((s) => [s.account, s.kind, s.valueMs, s.timeUs]), [['alice', 'rtt', 41.2, 1709287200000_000]]);
  }
  // The receipt time alone is not a message's time: refused, --time-col may name it.
  await rejectsWith(runAdapter(genericAdapter, '_receipttime,user,rtt_ms\n1709287262000,alice,41.2\n'), /no time column/, 1);
});

test('series per line (VictoriaMetrics export) and wrapped records (Sumo Logic Search Job API) are named, with a jq line to rows', async () => {
  const vm = '{"metric":{"__name__":"rdp_rtt_seconds","instance":"vdi1:9100","user":"alice"},"values":[0.0412,0.0409],"timestamps":[1709287200000,1709287215000]}\n';
  let message = '';
  await runAdapter(genericAdapter, vm).catch((e: Error) => { message = e.message; });
  // Before: "unrecognised header: ...; columns found: metric.__name__, metric.instance, metric.user, values, timestamps".
  assert.match(message, /^a VictoriaMetrics export \(\/api\/v1\/export: a series per line, not records\)/);
  const vmRows = '"user","time","metric","value"\n"alice",1709287200000,"rdp_rtt_seconds",0.0412\n"alice",1709287215000,"rdp_rtt_seconds",0.0409\n';
  const vmOut = runJqOf(message, vm);
  if (vmOut !== null) assert.equal(vmOut, vmRows);
  const vmRun = await runAdapter(genericAdapter, vmRows, {}, new SideData(), 'vm.csv');
  assert.deepEqual(vmRun.samples.map((s) => [s.account, s.kind, Math.round(s.valueMs * 1000) / 1000, s.timeUs]),
    [['alice', 'rtt', 41.2, 1709287200000_000], ['alice', 'rtt', 40.9, 1709287215000_000]]);

  // GET .../search/jobs/ID/messages, pretty: the fields, then each message in a map.
  const sumo = JSON.stringify({ fields: [{ name: '_messagetime', fieldType: 'long', keyField: false }, { name: 'user', fieldType: 'string', keyField: false }],
    messages: [{ map: { _messagetime: '1709287200412', _receipttime: '1709287262000', _raw: 'rtt alice 41.2', user: 'alice', rtt_ms: '41.2' } }] }, null, 2);
  // Before: "JSON document: no array of records found" (Splunk's messages are no records, so no messages array is taken).
  message = '';
  await runAdapter(genericAdapter, sumo).catch((e: Error) => { message = e.message; });
  assert.match(message, /^a Sumo Logic Search Job API response \(messages, each in a "map"\): .*jq -c '\.messages\[\]\.map'/);
  const sumoRows = '{"_messagetime":"1709287200412","_receipttime":"1709287262000","_raw":"rtt alice 41.2","user":"alice","rtt_ms":"41.2"}\n';
  const sumoOut = runJqOf(message, sumo);
  if (sumoOut !== null) assert.equal(sumoOut, sumoRows);
  const sumoRun = await runAdapter(genericAdapter, sumoRows, {}, new SideData(), 'sumo.jsonl');
  assert.deepEqual(sumoRun.samples.map((s) => [s.account, s.kind, s.valueMs, s.timeUs]), [['alice', 'rtt', 41.2, 1709287200412_000]]);
  // Its aggregates: records.
  await rejectsWith(runAdapter(genericAdapter, '{"fields":[{"name":"_timeslice","fieldType":"long","keyField":true}],"records":[{"map":{"_timeslice":"1709287200000","user":"alice","avg_rtt_ms":"41.2"}}]}'),
    /^a Sumo Logic Search Job API response \(records, each in a "map"\): .*jq -c '\.records\[\]\.map'/, 1);
  // Splunk's results document, its messages before its results, is still read.
  const splunk = await runAdapter(genericAdapter, '{"preview":false,"init_offset":0,"messages":[{"type":"INFO","text":"x"}],"fields":[{"name":"user"}],"results":[{"_time":"2024-03-01T10:00:00Z","user":"alice","rtt_ms":"41.2"}]}');
  assert.deepEqual(splunk.samples.map((s) => s.valueMs), [41.2]);
});

// Zabbix's real-time export (ExportType=history, one NDJSON object per value): every item of a host,
// its `value` beside its `itemid` and `name`; icmppingsec's values are seconds.
const ZABBIX_EXPORT = [
  { itemid: 10001, name: 'ICMP response time', value: 0.025926 },
  { itemid: 10002, name: 'CPU utilization', value: 12.5 },
  { itemid: 10003, name: 'Agent availability', value: 1 },
].map((item, i) => JSON.stringify({ host: { host: 'VDI-01', name: 'VDI-01' }, groups: ['VDI'], item_tags: [], itemid: item.itemid, name: item.name,
  clock: 1796676212 + i, ns: 255512575, value: item.value, type: 0 })).join('\n') + '\n';

test("Zabbix history: a generic value beside an itemid is every item's value, refused unless --value-col says which latency it is", async () => {
  // Before: CPU load, availability and ping seconds were read as one input_lag distribution (3 samples: 0.026, 12.5 and 1 ms).
  const columns = { accountCol: 'host.host', timeCol: 'clock' };
  await rejectsWith(runAdapter(genericAdapter, ZABBIX_EXPORT, {}, new SideData(), 'zabbix.ndjson', columns),
    /^each row's 'value' is the value of the Zabbix item its 'itemid' names .*keep only the latency item's rows \(one itemid\) and give --value-col value:rtt \(with --unit s for icmppingsec/, 1);
  const csv = 'host,itemid,clock,ns,value\nVDI-01,10001,1796676212,255512575,0.025926\n';
  for (const options of PARSERS) {
    await rejectsWith(runAdapter(genericAdapter, csv, options, new SideData(), 'zabbix.csv', { ...columns, accountCol: 'host' }), /Zabbix item its 'itemid' names/, 1);
  }
  // The latency item's rows alone, named by --value-col with the unit: read.
  const ping = await runAdapter(genericAdapter, csv, {}, new SideData(), 'zabbix.csv', { ...columns, accountCol: 'host', valueCols: ['value:rtt'], unit: 's' });
  assert.deepEqual(ping.samples.map((s) => [s.account, s.kind, s.valueMs, s.timeUs]), [['VDI-01', 'rtt', 0.025926 * 1000, 1796676212_000000]]);
});

// The fixtures below are written as the tools write them (fixtures/monitoring/), and run through the CLI as a user would.
interface ScanJson { header: { inputs: { notes: string[]; samples: number }[]; rejections: { reason: string; count: number }[]; warnings: string[] }; accounts: { account: string; kinds: { kind: string; n: number }[] }[] }
/** `keylag scan FILE ... --format json`: the report, or the one error line (exit 2). */
function scanJson(file: string, ...args: string[]): { status: number | null; report: ScanJson | null; error: string } {
  const r = runCli(['scan', `fixtures/monitoring/${file}`, ...args, '--format', 'json']);
  return { status: r.status, report: r.status === 0 ? JSON.parse(r.stdout) as ScanJson : null, error: r.stderr.trim() };
}
const kindsOf = (report: ScanJson | null) => report!.accounts.map((a) => [a.account, a.kinds.map((k) => `${k.kind} ${k.n}`).join(', ')]);
const ms3 = (run: Awaited<ReturnType<typeof runAdapter>>) => run.samples.map((s) => [s.account, s.kind, Math.round(s.valueMs * 1000) / 1000]);

test("Grafana's table of several queries: 'Value #A' and 'Value #B' are refused by name until --value-col picks one; one of them beside __name__ is read", async () => {
  // Before: "unrecognised header: no latency value column (tried: ...)", nothing said of the queries' columns.
  for (const format of [[], ['--format', 'json']]) {
    const r = runCli(['scan', 'fixtures/monitoring/grafana-table-two-queries.csv', ...format]);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^keylag: error: fixtures\/monitoring\/grafana-table-two-queries\.csv:1: columns 'Value #A', 'Value #B' are the values of the panel's queries A, B \(Grafana's table of several queries\): .*give --value-col 'Value #A:KIND' .*--unit s/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  }
  const picked = scanJson('grafana-table-two-queries.csv', '--value-col', 'Value #A:rtt', '--unit', 's');
  assert.equal(picked.status, 0, picked.error);
  assert.deepEqual(kindsOf(picked.report), [['alice', 'rtt 3'], ['bob', 'rtt 2']]);
  const text = readFileSync('fixtures/monitoring/grafana-table-two-queries.csv', 'utf8');
  for (const options of PARSERS) {
    const run = await runAdapter(genericAdapter, text, options, new SideData(), 'g.csv', { valueCols: ['Value #A:rtt'], unit: 's' });
    assert.deepEqual(ms3(run), [['alice', 'rtt', 41.2], ['alice', 'rtt', 40.9], ['alice', 'rtt', 41.5], ['bob', 'rtt', 38], ['bob', 'rtt', 39.1]]);
    // One query's frame with its metric's name: read as `Value` is, the kind and unit from __name__ (before: no latency value column).
    const one = await runAdapter(genericAdapter, GRAFANA_TABLE.replace('"Value"', '"Value #A"'), options, new SideData(), 'g.csv');
    assert.deepEqual(ms3(one), [['alice', 'rtt', 41.2], ['bob', 'rtt', 38]]);
  }
});

test('"Series joined by time" of two queries with one legend ({{user}}): an account\'s column twice is refused, not read as one kind', async () => {
  // Rtt (A) and jitter (B), both with legend {{user}}: before, alice's 2.1 ms of jitter was one of her round trips.
  for (const options of PARSERS) {
    await rejectsWith(runAdapter(genericAdapter, '"Time","alice","bob","alice","bob"\r\n1709287200000,41.2,38,2.1,3.2\r\n', options, new SideData(), 'g.csv', { accountColumns: 'rtt' }),
      /^--account-columns: column 'alice' is there twice \(columns 2 and 4\): the series of two queries with one legend\?/, 1);
  }
  // Labelled series of one account are told apart by their metrics: read.
  const series = await runAdapter(genericAdapter, '"Time","rtt_ms{user=""alice""}","echo_ms{user=""alice""}"\r\n1709287200000,41.2,60.5\r\n');
  assert.deepEqual(series.samples.map((s) => [s.account, s.kind, s.valueMs]), [['alice', 'rtt', 41.2], ['alice', 'app_rtt', 60.5]]);
});

test("InfluxDB 1.x CLI CSV (influx -format csv): the account is the user tag inside the tags cell, the measurement gives a value's kind and unit", async () => {
  // Before: "unrecognised header: no account column ...; columns found: name, tags, time, value".
  const cli = scanJson('influx1-cli.csv');
  assert.equal(cli.status, 0, cli.error);
  assert.deepEqual(kindsOf(cli.report), [['alice', 'rtt 3'], ['bob', 'rtt 2']]);
  // The CLI writes the header again before each series: counted, not read.
  assert.deepEqual(cli.report!.header.rejections, [{ reason: 'header_repeated', count: 1 }]);
  assert.ok(cli.report!.header.inputs[0]!.notes.some((n) => n.startsWith('tags -> account: the tag named as an account is')), cli.report!.header.inputs[0]!.notes.join('\n'));
  const text = readFileSync('fixtures/monitoring/influx1-cli.csv', 'utf8');
  for (const options of PARSERS) {
    // rdp_rtt_seconds: seconds, never 0.0412 ms.
    const run = await runAdapter(genericAdapter, text, options, new SideData(), 'influx.csv');
    assert.deepEqual(ms3(run), [['alice', 'rtt', 41.2], ['alice', 'rtt', 40.9], ['alice', 'rtt', 41.5], ['bob', 'rtt', 38], ['bob', 'rtt', 39.1]]);
    assert.deepEqual(run.samples.map((s) => s.timeUs).slice(0, 2), [1709287200_000000, 1709287215_000000]);
    // A series without a user tag, or of a measurement that names no latency: rejected with the reason.
    const other = await runAdapter(genericAdapter, 'name,tags,time,value\nrdp_rtt_seconds,host=vdi3,1709287200000000000,0.05\nrdp_jitter_seconds,"host=vdi1,user=alice",1709287200000000000,0.002\n',
      options, new SideData(), 'influx.csv');
    assert.deepEqual(other.rejections.map((r) => [r.line, r.reason, r.detail]), [
      [2, 'account_missing', 'host=vdi3 (no tag named as an account is: group the query by the user\'s tag, or give --account-col TAG)'],
      [3, 'kind_unknown', 'rdp_jitter_seconds (a measurement that names no latency: give --value-col COL:KIND)']]);
    // --account-col names the tag.
    const byHost = await runAdapter(genericAdapter, text, options, new SideData(), 'influx.csv', { accountCol: 'host' });
    assert.deepEqual([...new Set(byHost.samples.map((s) => s.account))], ['vdi1', 'vdi2']);
  }
});

test("Grafana's table of an aggregated Prometheus query (no __name__): 'Value' names no unit, warned of whatever the count until --unit says it", async () => {
  // Before: read as input_lag in ms (alice's 0.0412 s a 0.0412 ms lag), with no warning under 30 values.
  const warned = scanJson('grafana-table-aggregate.csv');
  assert.equal(warned.status, 0, warned.error);
  const warnings = warned.report!.header.warnings;
  assert.ok(warnings.some((w) => /^fixtures\/monitoring\/grafana-table-aggregate\.csv: column 'Value' is headed as Grafana's table of a query writes its value, .*no __name__ column.*read as ms.*give --unit s \(--unit ms silences this\), and --value-col 'Value:KIND'/.test(w)),
    warnings.join('\n'));
  assert.ok(!scanJson('grafana-table-aggregate.csv', '--unit', 'ms').report!.header.warnings.some((w) => /Grafana/.test(w)));
  const read = scanJson('grafana-table-aggregate.csv', '--unit', 's', '--value-col', 'Value:rtt');
  assert.equal(read.status, 0, read.error);
  assert.deepEqual(kindsOf(read.report), [['alice', 'rtt 3'], ['bob', 'rtt 2']]);
  const text = readFileSync('fixtures/monitoring/grafana-table-aggregate.csv', 'utf8');
  for (const options of PARSERS) {
    const run = await runAdapter(genericAdapter, text, options, new SideData(), 'g.csv', { unit: 's' });
    assert.deepEqual(ms3(run).slice(0, 2), [['alice', 'input_lag', 41.2], ['alice', 'input_lag', 40.9]]);
    // A file's own lower-case `time,user,value` is a generic value, read as before (ms).
    const own = await runAdapter(genericAdapter, 'time,user,value\n2024-03-01T10:00:00Z,alice,41.2\n', options, new SideData(), 'own.csv');
    assert.deepEqual(ms3(own), [['alice', 'input_lag', 41.2]]);
  }
});

test("New Relic NerdGraph's NRQL response is named, with the path of its records and a jq line to them", async () => {
  // Before: "JSON document: no array of records found (a top-level array of objects, or an object holding one)" at line 28.
  const r = scanJson('nerdgraph-nrql.json');
  assert.equal(r.status, 2);
  assert.match(r.error, /^keylag: error: fixtures\/monitoring\/nerdgraph-nrql\.json:1: a New Relic NerdGraph response \(an NRQL query's records in \.data\.actor\.account\.nrql\.results\): .*jq -c '\.data\.actor\.account\.nrql\.results\[\]' \(/);
  const document = readFileSync('fixtures/monitoring/nerdgraph-nrql.json', 'utf8');
  const lines = '{"rtt_ms":41.2,"timestamp":1709287200412,"user":"alice"}\n{"rtt_ms":38,"timestamp":1709287201118,"user":"bob"}\n{"rtt_ms":40.9,"timestamp":1709287215377,"user":"alice"}\n';
  const jqOut = runJqOf(r.error, document);
  if (jqOut !== null) assert.equal(jqOut, lines);
  const run = await runAdapter(genericAdapter, jqOut ?? lines, {}, new SideData(), 'nrql.jsonl');
  assert.deepEqual(run.samples.map((s) => [s.account, s.kind, s.valueMs, s.timeUs]),
    [['alice', 'rtt', 41.2, 1709287200412_000], ['bob', 'rtt', 38, 1709287201118_000], ['alice', 'rtt', 40.9, 1709287215377_000]]);
  // A query across accounts (`actor { nrql(accounts: [...]) }`): one level less.
  await rejectsWith(runAdapter(genericAdapter, '{"data":{"actor":{"nrql":{"results":[{"beginTimeSeconds":1709287200,"user":"alice","average.rtt_ms":41.2}]}}}}'),
    /^a New Relic NerdGraph response \(an NRQL query's records in \.data\.actor\.nrql\.results\): .*jq -c '\.data\.actor\.nrql\.results\[\]' .*--time-col beginTimeSeconds/, 1);
});
