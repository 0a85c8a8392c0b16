// Helpers for the packet-capture tests: run an adapter on bytes, and rewrite real captures into
// the other pcap dialects (byte order, nanoseconds, link types) so every reader path is exercised
// on real traffic from fixtures/lab.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SideData, DEFAULT_READ_LIMITS, type InputAdapter, type RawSample } from '../../src/ingest/adapter.js';
import { REPO_ROOT } from './cli.js';

export const LAB = 'fixtures/lab/captures';
export const labPath = (name: string): string => resolve(REPO_ROOT, LAB, name);
export const labBytes = (name: string): Buffer => readFileSync(labPath(name));

async function* chunksOf(buf: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

export async function readWith(adapter: InputAdapter, bytes: Buffer, options: Record<string, string> = {}, file = 'capture', chunk = 4093) {
  const samples: RawSample[] = [];
  const notes: string[] = [];
  const rejections: { line: number; reason: string; detail: string }[] = [];
  const result = await adapter.read(chunksOf(bytes, chunk), {
    file, columns: {}, options, side: new SideData(), limits: DEFAULT_READ_LIMITS,
    emit: (s) => samples.push(s),
    reject: (line, reason, detail) => rejections.push({ line, reason, detail }),
    note: (n) => notes.push(n),
  });
  return { samples, notes, rejections, result };
}

/** What must agree between two paths: everything but the input line. */
export const comparable = (s: RawSample) => `${s.sourceId}|${s.kind}|${s.timeUs}|${s.valueMs}|${s.account}|${s.session}`;

interface PcapRecord { sec: number; frac: number; orig: number; data: Buffer }

/** Parse a little-endian microsecond pcap (what tcpdump wrote in the lab). */
export function parsePcapLE(buf: Buffer): { linkType: number; snaplen: number; records: PcapRecord[] } {
  if (buf.readUInt32LE(0) !== 0xa1b2c3d4) throw new Error('expected a little-endian microsecond pcap');
  const records: PcapRecord[] = [];
  for (let o = 24; o < buf.length;) {
    const incl = buf.readUInt32LE(o + 8);
    records.push({ sec: buf.readUInt32LE(o), frac: buf.readUInt32LE(o + 4), orig: buf.readUInt32LE(o + 12), data: buf.subarray(o + 16, o + 16 + incl) });
    o += 16 + incl;
  }
  return { linkType: buf.readUInt32LE(20), snaplen: buf.readUInt32LE(16), records };
}

export function writePcap(p: { linkType: number; snaplen: number; records: PcapRecord[] }, opts: { bigEndian?: boolean; nano?: boolean } = {}): Buffer {
  const parts: Buffer[] = [];
  const h = Buffer.alloc(24);
  const w32 = (b: Buffer, v: number, o: number) => (opts.bigEndian ? b.writeUInt32BE(v >>> 0, o) : b.writeUInt32LE(v >>> 0, o));
  const w16 = (b: Buffer, v: number, o: number) => (opts.bigEndian ? b.writeUInt16BE(v, o) : b.writeUInt16LE(v, o));
  w32(h, opts.nano ? 0xa1b23c4d : 0xa1b2c3d4, 0);
  w16(h, 2, 4); w16(h, 4, 6);
  w32(h, p.snaplen, 16); w32(h, p.linkType, 20);
  parts.push(h);
  for (const r of p.records) {
    const rh = Buffer.alloc(16);
    w32(rh, r.sec, 0);
    w32(rh, opts.nano ? r.frac * 1000 + 999 : r.frac, 4); // +999 ns: must still truncate to the same µs
    w32(rh, r.data.length, 8);
    w32(rh, r.orig, 12);
    parts.push(rh, r.data);
  }
  return Buffer.concat(parts);
}

/** Replace each frame's 14-byte Ethernet header by another link layer. */
export function relink(p: ReturnType<typeof parsePcapLE>, kind: 'sll' | 'sll2' | 'raw'): ReturnType<typeof parsePcapLE> {
  const linkType = kind === 'sll' ? 113 : kind === 'sll2' ? 276 : 101;
  const records = p.records.map((r) => {
    const ethertype = r.data.readUInt16BE(12);
    const ip = r.data.subarray(14);
    let head: Buffer;
    if (kind === 'sll') {
      head = Buffer.alloc(16);
      head.writeUInt16BE(0, 0); head.writeUInt16BE(1, 2); head.writeUInt16BE(6, 4);
      r.data.copy(head, 6, 6, 12); head.writeUInt16BE(ethertype, 14);
    } else if (kind === 'sll2') {
      head = Buffer.alloc(20);
      head.writeUInt16BE(ethertype, 0); head.writeUInt32BE(2, 4); head.writeUInt16BE(1, 8); head[10] = 0; head[11] = 6;
      r.data.copy(head, 12, 6, 12);
    } else {
      head = Buffer.alloc(0);
    }
    const data = Buffer.concat([head, ip]);
    return { ...r, data, orig: r.orig - 14 + head.length };
  });
  return { linkType, snaplen: p.snaplen, records };
}
