// Workload of test/packets-bound.test.ts, run in a child process: node:test's async-hook bookkeeping
// on every awaited chunk would otherwise dominate the run time. Prints one JSON line of results.
import { pcapAdapter } from '../../src/ingest/adapters/pcap.js';
import { PEAK_HELD_KEY } from '../../src/ingest/derive/collect.js';
import { SideData, DEFAULT_READ_LIMITS } from '../../src/ingest/adapter.js';

const T0 = 1_772_445_791_000_000;
const SYN = 0x02; const ACK = 0x10; const PSH_ACK = 0x18; const FIN_ACK = 0x11;

export interface Pkt { t: number; src: number; sport: number; dport: number; seq: number; ack: number; flags: number; len: number }

/** A client-side TCP conversation 10.1.x.y:port -> 10.1.0.1:8080, sequence numbers tracked. */
export class Conv {
  private c = 1000; private s = 900_000;
  constructor(readonly host: number, readonly port: number, readonly out: Pkt[]) {}
  private push(fromClient: boolean, t: number, len: number, flags: number): void {
    this.out.push({ t, src: fromClient ? this.host : 1, sport: fromClient ? this.port : 8080, dport: fromClient ? 8080 : this.port,
      seq: fromClient ? this.c : this.s, ack: flags === SYN ? 0 : fromClient ? this.s : this.c, flags, len });
    const step = len + (flags & (SYN | 0x01) ? 1 : 0);
    if (fromClient) this.c = (this.c + step) >>> 0; else this.s = (this.s + step) >>> 0;
  }
  /** Seen near the client: SYN -> SYN-ACK is the path (rttUs), the client's ACK follows at once. */
  handshake(t: number, rttUs: number): void { this.push(true, t, 0, SYN); this.push(false, t + rttUs, 0, SYN | ACK); this.push(true, t + rttUs + 50, 0, ACK); }
  /** A request, the server's reply replyUs later acknowledging exactly it, the client's ACK. */
  exchange(t: number, replyUs: number): void { this.push(true, t, 100, PSH_ACK); this.push(false, t + replyUs, 200, PSH_ACK); this.push(true, t + replyUs + 100, 0, ACK); }
  close(t: number): void { this.push(true, t, 0, FIN_ACK); this.push(false, t + 20_000, 0, FIN_ACK); this.push(true, t + 20_100, 0, ACK); }
}

export const LONG_CYCLES_PER_BLOCK = 200; // one block is 20 s of the long stream plus one short stream
export const BLOCKS = 3010;
export const SHORT_EXCHANGES = 20;

/** The capture as a stream of pcap chunks (raw IP link type, µs), generated block by block, never whole. */
async function* capture(): AsyncGenerator<Buffer> {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0); header.writeUInt16LE(2, 4); header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16); header.writeUInt32LE(101, 20);
  yield header;
  const pkts: Pkt[] = [];
  const long = new Conv(2, 40000, pkts);
  long.handshake(T0, 40_000);
  for (let b = 0; b < BLOCKS; b++) {
    const start = T0 + 100_000 + b * LONG_CYCLES_PER_BLOCK * 100_000;
    for (let i = 0; i < LONG_CYCLES_PER_BLOCK; i++) long.exchange(start + i * 100_000, 40_000);
    const short = new Conv(3 + (b >> 8), 10000 + (b & 0xff) * 7 + (b >> 8) % 7, pkts); // a new client address/port per stream
    const s0 = start + 5_000_000 + 333;
    short.handshake(s0, 20_000);
    for (let i = 0; i < SHORT_EXCHANGES; i++) short.exchange(s0 + 30_000 + i * 50_000, 20_000);
    short.close(s0 + 30_000 + SHORT_EXCHANGES * 50_000);
    pkts.sort((a, b2) => a.t - b2.t);
    const buf = Buffer.alloc(pkts.length * 56);
    let o = 0;
    for (const p of pkts) {
      buf.writeUInt32LE(Math.floor(p.t / 1e6), o); buf.writeUInt32LE(p.t % 1e6, o + 4);
      buf.writeUInt32LE(40, o + 8); buf.writeUInt32LE(40 + p.len, o + 12);
      const ip = o + 16;
      buf[ip] = 0x45; buf.writeUInt16BE(40 + p.len, ip + 2); buf[ip + 8] = 64; buf[ip + 9] = 6;
      buf[ip + 12] = 10; buf[ip + 13] = 1; buf[ip + 14] = p.src >> 8; buf[ip + 15] = p.src & 0xff;
      const dst = p.src === 1 ? (p.dport === 40000 ? 2 : 3 + (b >> 8)) : 1;
      buf[ip + 16] = 10; buf[ip + 17] = 1; buf[ip + 18] = dst >> 8; buf[ip + 19] = dst & 0xff;
      const tcp = ip + 20;
      buf.writeUInt16BE(p.sport, tcp); buf.writeUInt16BE(p.dport, tcp + 2);
      buf.writeUInt32BE(p.seq, tcp + 4); buf.writeUInt32BE(p.ack, tcp + 8);
      buf[tcp + 12] = 0x50; buf[tcp + 13] = p.flags; buf.writeUInt16BE(65535, tcp + 14);
      o += 56;
    }
    pkts.length = 0;
    yield buf;
  }
}

export interface BoundRun {
  records: number; peakHeld: number; rtt: number; rejected: number; otherKinds: number; longInOrder: boolean;
  app: Record<'long' | 'short', { n: number; values: number[] }>; notes: string[]; heapUsedMb: number;
}

export async function runBoundCapture(): Promise<BoundRun> {
  const side = new SideData();
  const notes: string[] = [];
  const app = { long: { n: 0, values: new Set<number>() }, short: { n: 0, values: new Set<number>() } };
  let rtt = 0;
  let rejected = 0;
  let otherKinds = 0;
  let lastLongTime = -Infinity;
  let longInOrder = true;
  const result = await pcapAdapter.read(capture(), {
    file: 'synthetic.pcap', columns: {}, options: {}, side, limits: DEFAULT_READ_LIMITS,
    emit: (s) => {
      if (s.kind === 'rtt') { rtt++; return; }
      if (s.kind !== 'app_rtt') { otherKinds++; return; }
      const key = s.session === '0' ? 'long' : 'short';
      app[key].n++; app[key].values.add(s.valueMs);
      if (key === 'long') { if (s.timeUs < lastLongTime) longInOrder = false; lastLongTime = s.timeUs; }
    },
    reject: () => { rejected++; },
    note: (n) => notes.push(n),
  });
  return {
    records: result.records, peakHeld: side.get<number>(PEAK_HELD_KEY) ?? -1, rtt, rejected, otherKinds, longInOrder, notes,
    app: { long: { n: app.long.n, values: [...app.long.values] }, short: { n: app.short.n, values: [...app.short.values] } },
    heapUsedMb: Math.round(process.memoryUsage().heapUsed / 1e6),
  };
}

if (process.argv[2] === 'run') {
  runBoundCapture().then((r) => process.stdout.write(JSON.stringify(r) + '\n'), (err) => { console.error(err); process.exit(1); });
}
