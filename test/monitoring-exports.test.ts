// Latency exports as monitoring tools write them (InfluxDB, Grafana, Prometheus): read by the
// generic adapter, or refused with the option that resolves them; never read into wrong numbers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { genericAdapter } from '../src/ingest/adapters/generic.js';
import { SideData } from '../src/ingest/adapter.js';
import { reasons, runAdapter } from './helpers/adapter-run.js';

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
