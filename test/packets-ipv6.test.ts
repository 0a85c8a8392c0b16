// IPv6: a real capture (tcpdump on ::1, fixtures/lab/ipv6/make.sh) read raw and from its tshark
// export gives the same samples frame by frame; the derived round trips carry the planted 30 ms reply delay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { tsharkAdapter } from '../src/ingest/adapters/tshark.js';
import { pcapAdapter } from '../src/ingest/adapters/pcap.js';
import { comparable, readWith } from './helpers/packets.js';

const dir = new URL('../../fixtures/lab/ipv6/', import.meta.url);
const bytes = (name: string) => readFileSync(new URL(name, dir));

test('IPv6 capture: raw pcap and tshark CSV give the same samples, frame by frame, to the microsecond', async () => {
  const fromPcap = await readWith(pcapAdapter, bytes('ipv6-loopback.pcap'));
  const fromCsv = await readWith(tsharkAdapter, bytes('ipv6-loopback.tshark.csv'));
  assert.ok(fromPcap.samples.length >= 80, `${fromPcap.samples.length} samples`);
  assert.deepEqual(fromPcap.samples.map(comparable), fromCsv.samples.map(comparable));
  assert.equal(fromPcap.result.records, fromCsv.result.records);
  // Both connections come from ::1 (the client address is kept as tshark prints it).
  assert.ok(fromPcap.samples.every((s) => s.clientAddress === '::1'), 'client address ::1');
  assert.deepEqual([...new Set(fromPcap.samples.map((s) => s.session))].sort(), ['0', '1']);
  // The server answers each request 30 ms after it arrives: application round trips of 30 ms and a bit.
  const app = fromPcap.samples.filter((s) => s.kind === 'app_rtt').map((s) => s.valueMs).sort((a, b) => a - b);
  assert.ok(app.length >= 70, `${app.length} app_rtt samples`);
  assert.ok(app[0]! >= 30 && app[Math.floor(app.length / 2)]! < 32, `app_rtt ${app[0]} .. median ${app[Math.floor(app.length / 2)]}`);
  // The transport round trip on loopback is well under a millisecond.
  const rtt = fromPcap.samples.filter((s) => s.kind === 'rtt').map((s) => s.valueMs);
  assert.ok(rtt.length >= 2 && Math.min(...rtt) < 1, `rtt ${Math.min(...rtt)}`);
});
