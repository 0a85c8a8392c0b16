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

test('a tshark export made without ipv6.src/ipv6.dst: its IPv6 packets are rejected with the fields to add', async () => {
  // The same export with the ipv6 columns cut out, as `-e ip.src -e ip.dst` alone writes it.
  const lines = bytes('ipv6-loopback.tshark.csv').toString('utf8').trim().split('\n');
  const without = lines.map((line) => {
    const cells = line.match(/("[^"]*"|[^,]*)(,|$)/g)!.map((c) => c.replace(/,$/, ''));
    return [...cells.slice(0, 4), ...cells.slice(6)].join(',');
  }).join('\n') + '\n';
  const { rejections, samples } = await readWith(tsharkAdapter, Buffer.from(without));
  assert.equal(samples.length, 0);
  assert.equal(rejections.length, lines.length - 1);
  // Before: "unreadable ip.src/ip.dst", with nothing to say the packets were IPv6.
  assert.ok(rejections.every((r) => r.reason === 'packet_malformed'
    && r.detail === 'unreadable ip.src/ip.dst (an IPv6 packet? the export has no ipv6.src/ipv6.dst: add -e ipv6.src -e ipv6.dst)'), rejections[0]?.detail);
});
