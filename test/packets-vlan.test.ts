// VLAN-tagged frames (fixtures/lab/vlan, tags added by tcpreplay's tcprewrite to the lab's real capture):
// an 802.1Q tag and QinQ (802.1ad outside 802.1Q) are read through to the same packets as untagged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pcapAdapter } from '../src/ingest/adapters/pcap.js';
import { REPO_ROOT } from './helpers/cli.js';
import { comparable, readWith } from './helpers/packets.js';

const path = (name: string): string => resolve(REPO_ROOT, 'fixtures/lab/vlan', name);
const accounts = { accounts: resolve(REPO_ROOT, 'fixtures/lab/captures/accounts.csv') };

test('VLAN tags (802.1Q, and QinQ with an 802.1ad outer tag) give the untagged capture\'s samples, frame for frame', async () => {
  const base = await readWith(pcapAdapter, readFileSync(path('base.pcap')), accounts, 'capture');
  assert.equal(base.samples.length, 600); // 601 before Karn at the application: carol's app_rtt 55.4 ms at frame 96 answered a turn the server resent
  assert.ok(new Set(base.samples.map((s) => s.account)).size >= 3);
  for (const tagged of ['vlan-8021q.pcap', 'vlan-qinq.pcap']) {
    const bytes = readFileSync(path(tagged));
    // The tags are there (ethertype 0x8100, or 0x88a8 then 0x8100, after the MAC addresses of the first frame).
    const ethertype = bytes.readUInt16BE(24 + 16 + 12);
    assert.equal(ethertype, tagged === 'vlan-qinq.pcap' ? 0x88a8 : 0x8100, tagged);
    const read = await readWith(pcapAdapter, bytes, accounts, 'capture');
    assert.deepEqual(read.samples.map(comparable), base.samples.map(comparable), tagged);
    assert.deepEqual(read.rejections, []);
  }
});
