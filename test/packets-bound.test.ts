// Packet inputs keep memory bounded (issue 5; the project's non-negotiable "a 10-million-row input must
// not need 10 million numbers in memory"): a synthetic capture of 2 million packets, one 18-hour stream
// and 3010 short ones, goes through the raw-capture adapter holding at most COLLECT.segmentPackets packets
// at once, and the derived samples are exactly the planted ones. The workload runs in a child process
// (test/helpers/packets-bound-run.ts) so node:test's per-promise bookkeeping does not slow it fivefold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { COLLECT, PacketCollector } from '../src/ingest/derive/collect.js';
import { pcapAdapter } from '../src/ingest/adapters/pcap.js';
import { SideData, DEFAULT_READ_LIMITS, type AdapterContext, type RawSample } from '../src/ingest/adapter.js';
import { BLOCKS, LONG_CYCLES_PER_BLOCK, SHORT_EXCHANGES, Conv, type BoundRun, type Pkt } from './helpers/packets-bound-run.js';
import { labBytes, labPath, readWith } from './helpers/packets.js';

const accounts = { accounts: labPath('accounts.csv') };

test('2 million packets, one 18-hour stream and 3010 short ones: bounded packets held, exact samples', () => {
  const script = fileURLToPath(new URL('./helpers/packets-bound-run.js', import.meta.url));
  const child = spawnSync(process.execPath, [script, 'run'], { encoding: 'utf8', maxBuffer: 1 << 24 });
  assert.equal(child.status, 0, child.stderr);
  const r = JSON.parse(child.stdout) as BoundRun;
  const total = 3 + BLOCKS * (LONG_CYCLES_PER_BLOCK * 3 + 3 + SHORT_EXCHANGES * 3 + 3);
  assert.equal(r.records, total);
  assert.ok(total > 2_000_000, String(total));
  assert.equal(r.rejected, 0);
  // the bound: the long stream up to its cut, plus the one short stream open at a time
  assert.ok(r.peakHeld <= COLLECT.segmentPackets + 200, `peak held ${r.peakHeld}`);
  assert.ok(r.peakHeld >= COLLECT.segmentPackets, `the long stream was held up to its cut: ${r.peakHeld}`);
  // exactly the planted samples: every request answered 40 ms (long) or 20 ms (short) later, none lost at a cut
  assert.deepEqual(r.app.long, { n: BLOCKS * LONG_CYCLES_PER_BLOCK, values: [40] });
  assert.deepEqual(r.app.short, { n: BLOCKS * SHORT_EXCHANGES, values: [20] });
  assert.equal(r.rtt, 1 + BLOCKS, 'one handshake round trip per stream');
  assert.equal(r.otherKinds, 0, 'no keystroke or reaction samples from a non-SSH port');
  assert.ok(r.longInOrder, 'the long stream\'s samples come out in time order across its segments');
  assert.ok(r.notes.includes(`${BLOCKS + 1} TCP streams; capture point near the server in 0, near the client in ${BLOCKS + 1}`), r.notes.join(' | '));
  const cut = r.notes.find((n) => n.startsWith('memory bound: '));
  const segments = Math.ceil((3 + BLOCKS * LONG_CYCLES_PER_BLOCK * 3) / COLLECT.segmentPackets);
  assert.equal(segments, 19);
  assert.ok(cut?.startsWith(`memory bound: stream 0 (${segments} segments) derived in segments of at most 100000 packets`), cut);
});

test('lab captures cut into small segments give the same samples as whole streams (state carried across cuts)', async () => {
  const key = (s: RawSample) => `${s.session}|${s.sourceId}|${s.kind}|${s.timeUs}|${s.valueMs}|${s.account}`;
  for (const cap of ['server.pcap', 'alice-client.pcapng']) {
    const whole = (await readWith(pcapAdapter, labBytes(cap), accounts)).samples;
    const bySession = (list: RawSample[]) => {
      const m = new Map<string, string[]>();
      for (const s of list) m.set(s.session!, [...(m.get(s.session!) ?? []), key(s)]);
      return [...m].sort((a, b) => Number(a[0]) - Number(b[0]));
    };
    // lab streams have up to 2253 packets: 1000 per stream cuts several once or twice; 400 in all cuts the largest often
    for (const limits of [{ segmentPackets: 1000 }, { maxHeld: 400 }]) {
      const saved = { ...COLLECT };
      Object.assign(COLLECT, limits);
      let cut: Awaited<ReturnType<typeof readWith>>;
      try { cut = await readWith(pcapAdapter, labBytes(cap), accounts); } finally { Object.assign(COLLECT, saved); }
      assert.deepEqual(bySession(cut.samples), bySession(whole), `${cap} ${JSON.stringify(limits)}`);
      if (cap === 'server.pcap' && limits.segmentPackets) assert.ok(cut.notes.some((n) => /^memory bound: stream 3 \(2 segments\); stream 10 \(2 segments\); stream 17 \(3 segments\)/.test(n)), cut.notes.join(' | '));
      if (cap === 'server.pcap' && limits.maxHeld) assert.ok(cut.notes.some((n) => /^memory bound: stream 0 \(\d+ segments\).* \(400 held in all\)/.test(n)), cut.notes.join(' | '));
    }
  }
});

test('a stream is emitted once it is over (FINs, then a linger); an idle one resumes as the same stream', () => {
  const samples: RawSample[] = [];
  const notes: string[] = [];
  const ctx: AdapterContext = { file: 'x.pcap', columns: {}, options: {}, side: new SideData(), limits: DEFAULT_READ_LIMITS,
    emit: (s) => samples.push(s), reject: () => assert.fail('no rejections'), note: (n) => notes.push(n) };
  const collector = new PacketCollector(ctx, null);
  const pkts: Pkt[] = [];
  const a = new Conv(2, 40000, pkts);
  const b = new Conv(3, 40001, pkts);
  const t0 = 1_772_445_791_000_000;
  a.handshake(t0, 30_000);
  a.exchange(t0 + 100_000, 30_000);
  b.handshake(t0 + 200_000, 10_000);
  b.exchange(t0 + 300_000, 10_000);
  b.close(t0 + 400_000);
  a.exchange(t0 + 700_000_000, 31_000); // 11 minutes later: `a` was derived as idle, and continues
  a.exchange(t0 + 700_100_000, 32_000);
  let frame = 0;
  const emittedAt: number[] = [];
  for (const p of pkts.sort((x, y) => x.t - y.t)) {
    const dst = p.src === 1 ? (p.dport === 40000 ? 2 : 3) : 1;
    collector.add({ frame: ++frame, timeUs: p.t, src: `10.1.0.${p.src}`, dst: `10.1.0.${dst}`, srcPort: p.sport, dstPort: p.dport,
      stream: p.sport === 40000 || p.dport === 40000 ? 0 : 1, len: p.len, flags: p.flags, seq: p.seq, ack: p.ack, line: frame });
    emittedAt.push(samples.length);
  }
  // stream 1 (closed at +0.42 s) came out after its 5 s linger, once capture time passed it, before the input ended
  assert.ok(emittedAt.some((n) => n > 0), 'samples before the end of input');
  assert.equal(collector.held, 6, 'only the resumed exchanges of stream 0 are held at the end');
  assert.equal(collector.peakHeld, 15, 'both streams whole until capture time passed them');
  collector.finish();
  const values = (session: string) => samples.filter((s) => s.session === session && s.kind === 'app_rtt').map((s) => s.valueMs);
  assert.deepEqual(values('0'), [30, 31, 32]);
  assert.deepEqual(values('1'), [10]);
  assert.deepEqual(samples.map((s) => s.session), ['0', '0', '1', '1', '0', '0'], 'stream order is end order');
  assert.ok(notes.includes('2 TCP streams; capture point near the server in 0, near the client in 2'), notes.join(' | '));
});
