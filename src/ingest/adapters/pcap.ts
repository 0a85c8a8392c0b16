// Raw packet captures: pcap (both byte orders, microsecond and nanosecond) and pcapng (any
// section byte order, if_tsresol/if_tsoffset), link types Ethernet (with VLAN tags), Linux cooked
// (SLL, SLL2), raw IP and BSD loopback; IPv4 and IPv6; TCP. The packets go through the same
// derivations as the tshark path (src/ingest/derive), numbered as tshark numbers frames and
// streams, so both paths give the same samples for the same capture.
//
// Why a small reader of our own: the npm candidates do not fit. `pcap` binds libpcap natively
// (node-gyp, a system library; it captures more than it reads files), `pcap-parser` reads classic
// pcap only (no pcapng, no nanosecond magic, unmaintained since 2015). The formats are small and
// fully documented (pcap: draft-ietf-opsawg-pcap; pcapng: draft-ietf-opsawg-pcapng; link types:
// tcpdump.org/linktypes.html), and this reader takes only what the derivations need.
import type { AdapterContext, AdapterResult, InputAdapter, RawSample } from '../adapter.js';
import { inputError } from '../../errors.js';
import { PacketCollector, accountsMapFor } from '../derive/collect.js';
import { TCP_ACK, TCP_SYN, isSshIdent, type TcpPacket } from '../derive/tcp.js';
import { COPIES, InterfaceCopies } from '../derive/interface-copies.js';
import type { AccountsMap } from '../derive/accounts-map.js';
import type { RotationCarry, RotationStart } from '../rotation.js';
import { basename } from 'node:path';

const PCAP_US = 0xa1b2c3d4;
const PCAP_NS = 0xa1b23c4d;
const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_BOM = 0x1a2b3c4d;
/** Larger records than this are corruption, not packets (jumbo frames and TSO stay well below). */
const MAX_RECORD = 256 * 1024;

export const LINKTYPE = { NULL: 0, ETHERNET: 1, RAW: 101, LINUX_SLL: 113, LINUX_SLL2: 276, IPV4: 228, IPV6: 229, RAW_BSD: 12, LOOP: 108 } as const;

/** Pulls exact byte counts out of a chunk stream. */
class ByteReader {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  offset = 0; // bytes consumed from the start of the input
  private done = false;
  constructor(private readonly it: AsyncIterator<Buffer>) {}
  /** Up to n bytes (fewer only at the end of the input). */
  async take(n: number): Promise<Buffer> {
    while (this.buf.length - this.pos < n && !this.done) {
      const next = await this.it.next();
      if (next.done) { this.done = true; break; }
      this.buf = Buffer.concat([this.buf.subarray(this.pos), next.value]);
      this.pos = 0;
    }
    const out = this.buf.subarray(this.pos, Math.min(this.buf.length, this.pos + n));
    this.pos += out.length;
    this.offset += out.length;
    return out;
  }
}

/** RFC 5952 text of an IPv6 address, as tshark prints it. */
export function formatIpv6(b: Buffer, off: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(b.readUInt16BE(off + 2 * i));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

export interface ParsedTcp {
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  len: number;
  flags: number;
  seq: number;
  ack: number;
  /** IPv4 identification; -1 for IPv6. */
  ipId: number;
  /** The payload starts with an SSH identification string. */
  sshIdent: boolean;
}

/** Decode one frame down to TCP; null when it is not (complete enough) TCP. */
export function decodeFrame(linkType: number, data: Buffer, wireLen: number): ParsedTcp | null {
  let off = 0;
  let ethertype = -1;
  switch (linkType) {
    case LINKTYPE.ETHERNET: {
      if (data.length < 14) return null;
      ethertype = data.readUInt16BE(12);
      off = 14;
      while ((ethertype === 0x8100 || ethertype === 0x88a8 || ethertype === 0x9100) && data.length >= off + 4) {
        ethertype = data.readUInt16BE(off + 2);
        off += 4;
      }
      break;
    }
    case LINKTYPE.LINUX_SLL:
      if (data.length < 16) return null;
      ethertype = data.readUInt16BE(14);
      off = 16;
      break;
    case LINKTYPE.LINUX_SLL2:
      if (data.length < 20) return null;
      ethertype = data.readUInt16BE(0);
      off = 20;
      break;
    case LINKTYPE.RAW: case LINKTYPE.RAW_BSD: case LINKTYPE.IPV4: case LINKTYPE.IPV6:
      if (data.length < 1) return null;
      ethertype = (data[0]! >> 4) === 6 ? 0x86dd : 0x0800;
      break;
    case LINKTYPE.NULL: case LINKTYPE.LOOP: {
      if (data.length < 4) return null;
      const le = data.readUInt32LE(0);
      const family = le < 256 ? le : data.readUInt32BE(0);
      ethertype = family === 2 ? 0x0800 : (family === 24 || family === 28 || family === 30) ? 0x86dd : -1;
      off = 4;
      break;
    }
    default:
      return null;
  }
  const linkBytes = off;
  let src: string;
  let dst: string;
  let tcpOff: number;
  let tcpBytes: number; // TCP header + payload, as the IP header states
  let ipId = -1;
  if (ethertype === 0x0800) {
    if (data.length < off + 20 || (data[off]! >> 4) !== 4) return null;
    const ihl = (data[off]! & 0x0f) * 4;
    if (ihl < 20 || data[off + 9] !== 6) return null;
    const fragment = data.readUInt16BE(off + 6);
    if ((fragment & 0x1fff) !== 0 || (fragment & 0x2000) !== 0) return null; // fragments: not reassembled
    let total = data.readUInt16BE(off + 2);
    if (total === 0) total = wireLen - linkBytes; // TSO captures leave it 0
    src = `${data[off + 12]}.${data[off + 13]}.${data[off + 14]}.${data[off + 15]}`;
    dst = `${data[off + 16]}.${data[off + 17]}.${data[off + 18]}.${data[off + 19]}`;
    tcpOff = off + ihl;
    tcpBytes = total - ihl;
    ipId = data.readUInt16BE(off + 4);
  } else if (ethertype === 0x86dd) {
    if (data.length < off + 40 || (data[off]! >> 4) !== 6) return null;
    const payloadLen = data.readUInt16BE(off + 4);
    let next = data[off + 6]!;
    src = formatIpv6(data, off + 8);
    dst = formatIpv6(data, off + 24);
    let p = off + 40;
    let ext = 0;
    while (next === 0 || next === 43 || next === 60 || next === 44 || next === 51) {
      if (data.length < p + 8) return null;
      if (next === 44 && (data.readUInt16BE(p + 2) & 0xfff9) !== 0) return null; // a fragment
      const hdrLen = next === 44 ? 8 : next === 51 ? (data[p + 1]! + 2) * 4 : (data[p + 1]! + 1) * 8;
      next = data[p]!;
      p += hdrLen;
      ext += hdrLen;
    }
    if (next !== 6) return null;
    tcpOff = p;
    tcpBytes = (payloadLen === 0 ? wireLen - linkBytes - 40 : payloadLen) - ext;
  } else {
    return null;
  }
  if (data.length < tcpOff + 14) return null;
  const dataOffset = (data[tcpOff + 12]! >> 4) * 4;
  if (dataOffset < 20) return null;
  return {
    src, dst,
    srcPort: data.readUInt16BE(tcpOff),
    dstPort: data.readUInt16BE(tcpOff + 2),
    seq: data.readUInt32BE(tcpOff + 4),
    ack: data.readUInt32BE(tcpOff + 8),
    flags: ((data[tcpOff + 12]! & 0x0f) << 8) | data[tcpOff + 13]!,
    len: Math.max(0, tcpBytes - dataOffset),
    ipId,
    sshIdent: tcpBytes > dataOffset && isSshIdent(data.subarray(tcpOff + dataOffset)),
  };
}

/** tshark's tcp.stream numbering: by conversation, a new stream for a SYN with a new sequence number. */
export class StreamNumberer {
  private readonly conversations = new Map<string, { index: number; base: Map<string, number> }>();
  private next = 0;
  assign(t: ParsedTcp): number {
    const a = `${t.src}|${t.srcPort}`;
    const b = `${t.dst}|${t.dstPort}`;
    const key = a < b ? `${a}|${b}` : `${b}|${a}`;
    let conv = this.conversations.get(key);
    const synOnly = (t.flags & (TCP_SYN | TCP_ACK)) === TCP_SYN;
    if (conv !== undefined && synOnly && conv.base.has(a) && conv.base.get(a) !== t.seq) conv = undefined;
    if (conv === undefined) {
      conv = { index: this.next++, base: new Map() };
      this.conversations.set(key, conv);
    }
    if (!conv.base.has(a)) conv.base.set(a, t.seq);
    return conv.index;
  }
}

/** `iface`: the interface the frame was captured on, where the capture names several (-1: one, or not named). */
interface Frame { linkType: number; timeUs: number; data: Buffer; wireLen: number; iface: number }

/** The interface index of a Linux cooked v2 frame (`tcpdump -i any`), else -1. */
function sll2Interface(linkType: number, data: Buffer): number {
  return linkType === LINKTYPE.LINUX_SLL2 && data.length >= 8 ? data.readUInt32BE(4) : -1;
}

/**
 * Called when the capture ends inside a record (tcpdump killed, or the file still being written: the
 * writer's buffer reached the disk up to some byte). The frames before it are whole and are read;
 * `complete` is how many, `at` the byte where the cut-off record starts, `what` what is missing.
 */
type CutOff = (complete: number, at: number, what: string) => void;

/** The warning for a capture that ends inside a record. */
export function cutOffWarning(complete: number, at: number, what: string): string {
  return `capture cut off, as when tcpdump is killed or still writing: the record after frame ${complete} (at byte ${at}) is incomplete (${what}); `
    + `the ${complete} complete frame${complete === 1 ? '' : 's'} before it were read`;
}

async function* readPcap(r: ByteReader, file: string, first: Buffer, notes: (t: string) => void, cutOff: CutOff): AsyncGenerator<Frame> {
  const header = Buffer.concat([first, await r.take(24 - first.length)]);
  if (header.length < 24) throw inputError(`truncated capture: pcap file header cut off at byte ${header.length}`, file);
  const le = header.readUInt32LE(0) === PCAP_US || header.readUInt32LE(0) === PCAP_NS;
  const u32 = (b: Buffer, o: number): number => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const nano = u32(header, 0) === PCAP_NS;
  const linkType = u32(header, 20) & 0x0fffffff;
  notes(`pcap, ${le ? 'little' : 'big'}-endian, ${nano ? 'nanosecond' : 'microsecond'} timestamps, link type ${linkType}`);
  let n = 0;
  for (;;) {
    const rec = await r.take(16);
    if (rec.length === 0) return;
    n++;
    if (rec.length < 16) { cutOff(n - 1, r.offset - rec.length, `record header: ${rec.length} of 16 bytes`); return; }
    const sec = u32(rec, 0);
    const frac = u32(rec, 4);
    const incl = u32(rec, 8);
    const orig = u32(rec, 12);
    if (incl > MAX_RECORD || (!nano && frac >= 1_000_000) || (nano && frac >= 1_000_000_000)) {
      throw inputError(`corrupt capture: frame ${n} at byte ${r.offset - 16} has an impossible header (length ${incl}, fraction ${frac})`, file);
    }
    const data = await r.take(incl);
    if (data.length < incl) { cutOff(n - 1, r.offset - data.length - 16, `frame ${n}: ${data.length} of ${incl} bytes`); return; }
    yield { linkType, timeUs: sec * 1_000_000 + (nano ? Math.floor(frac / 1000) : frac), data, wireLen: orig, iface: sll2Interface(linkType, data) };
  }
}

async function* readPcapng(r: ByteReader, file: string, first: Buffer, notes: (t: string) => void, cutOff: CutOff): AsyncGenerator<Frame> {
  let le = true;
  let interfaces: { linkType: number; unitsPerSec: bigint; offsetSec: bigint }[] = [];
  let pending: Buffer | null = first;
  let blockNo = 0;
  let frames = 0; // packet records yielded (the frames before a cut-off block)
  const orders = new Set<string>();
  const ordersNote = (): void => notes(`pcapng, ${[...orders].join('/') || 'little'}-endian section(s)`);
  for (;;) {
    const head8: Buffer = pending ? Buffer.concat([pending, await r.take(8 - pending.length)]) : await r.take(8);
    pending = null;
    if (head8.length === 0) break;
    blockNo++;
    if (head8.length < 8) { ordersNote(); cutOff(frames, r.offset - head8.length, `pcapng block ${blockNo}: header ${head8.length} of 8 bytes`); return; }
    const start = r.offset - 8;
    let type = head8.readUInt32LE(0);
    if (type === PCAPNG_SHB) {
      const bom = await r.take(4);
      if (bom.length < 4) throw inputError('truncated capture: pcapng section header cut off', file);
      if (bom.readUInt32LE(0) === PCAPNG_BOM) le = true;
      else if (bom.readUInt32BE(0) === PCAPNG_BOM) le = false;
      else throw inputError(`corrupt capture: pcapng section header without byte-order magic at byte ${start}`, file);
      orders.add(le ? 'little' : 'big');
      interfaces = [];
    } else {
      type = le ? head8.readUInt32LE(0) : head8.readUInt32BE(0);
    }
    const total = le ? head8.readUInt32LE(4) : head8.readUInt32BE(4);
    if (total < 12 || total % 4 !== 0 || total > MAX_RECORD + 64) {
      throw inputError(`corrupt capture: pcapng block ${blockNo} at byte ${start} has an impossible length ${total}`, file);
    }
    const restLen = total - 8 - (type === PCAPNG_SHB ? 4 : 0);
    const rest = await r.take(restLen);
    if (rest.length < restLen) {
      if (type === PCAPNG_SHB) throw inputError(`truncated capture: pcapng section header cut off (${rest.length + 12} of ${total} bytes)`, file);
      ordersNote();
      cutOff(frames, start, `pcapng block ${blockNo}: ${rest.length + 8} of ${total} bytes`);
      return;
    }
    const body = rest.subarray(0, rest.length - 4);
    const u16 = (o: number): number => (le ? body.readUInt16LE(o) : body.readUInt16BE(o));
    const u32 = (o: number): number => (le ? body.readUInt32LE(o) : body.readUInt32BE(o));
    const trailer = le ? rest.readUInt32LE(rest.length - 4) : rest.readUInt32BE(rest.length - 4);
    if (trailer !== total) throw inputError(`corrupt capture: pcapng block ${blockNo} at byte ${start}: trailing length ${trailer} != ${total}`, file);
    if (type === 1) { // Interface Description Block
      const linkType = u16(0);
      let unitsPerSec = 1_000_000n;
      let offsetSec = 0n;
      for (let o = 8; o + 4 <= body.length;) {
        const code = u16(o);
        const len = u16(o + 2);
        if (code === 0) break;
        if (code === 9 && len >= 1) {
          const v = body[o + 4]!;
          unitsPerSec = (v & 0x80) ? 1n << BigInt(v & 0x7f) : 10n ** BigInt(v);
        } else if (code === 14 && len >= 8) {
          offsetSec = le ? body.readBigInt64LE(o + 4) : body.readBigInt64BE(o + 4);
        }
        o += 4 + len + ((4 - (len % 4)) % 4);
      }
      interfaces.push({ linkType, unitsPerSec, offsetSec });
    } else if (type === 6 || type === 2) { // Enhanced Packet Block, obsolete Packet Block
      const ifId = type === 6 ? u32(0) : u16(0);
      const iface = interfaces[ifId];
      if (iface === undefined) throw inputError(`corrupt capture: pcapng packet block ${blockNo} names interface ${ifId}, which is not described`, file);
      const ts = (BigInt(u32(4)) << 32n) | BigInt(u32(8));
      const capLen = u32(12);
      const origLen = u32(16);
      if (20 + capLen > body.length) throw inputError(`corrupt capture: pcapng packet block ${blockNo} claims ${capLen} bytes`, file);
      const us = (ts * 1_000_000n) / iface.unitsPerSec + iface.offsetSec * 1_000_000n;
      const data = body.subarray(20, 20 + capLen);
      // several interfaces: block's interface and, for Linux cooked v2, the interface it names
      const sll2 = sll2Interface(iface.linkType, data);
      const named = interfaces.length > 1 || sll2 >= 0 ? ifId * 2 ** 32 + Math.max(0, sll2) : -1;
      frames++;
      yield { linkType: iface.linkType, timeUs: Number(us), data, wireLen: origLen, iface: named };
    } else if (type === 3) { // Simple Packet Block: no timestamp, cannot be timed
      frames++;
      yield { linkType: -1, timeUs: -1, data: Buffer.alloc(0), wireLen: 0, iface: -1 };
    }
  }
  ordersNote();
}

function kindOfMagic(bytes: Buffer): 'pcap' | 'pcapng' | null {
  if (bytes.length < 4) return null;
  const le = bytes.readUInt32LE(0);
  const be = bytes.readUInt32BE(0);
  if (le === PCAP_US || le === PCAP_NS || be === PCAP_US || be === PCAP_NS) return 'pcap';
  if (le === PCAPNG_SHB) return 'pcapng';
  return null;
}

/** One capture being read: one file, or the files of one rotation read as one (rotation.ts). */
class Capture {
  readonly collector: PacketCollector;
  readonly copies: InterfaceCopies;
  readonly numberer = new StreamNumberer();
  /** Frames read, all files; timestamp-less ones; link types seen. */
  frame = 0;
  untimed = 0;
  readonly linkTypes = new Set<number>();
  lastTimeUs = -Infinity;
  /**
   * The files read into it, in reading order, with their frames (numbered through the files): the
   * last one's `to` grows as it is read. A sample is counted in, and cites, the file holding its frame.
   */
  readonly files: { ctx: AdapterContext; from: number; to: number }[] = [];
  /** `ctx`: the first file's; its notes and accounts-map name are the capture's. */
  constructor(readonly ctx: AdapterContext, map: AccountsMap | null, readonly key: string | null) {
    // Samples go to the file that holds their frame, numbered as in that file (a rotation's streams
    // end in later files than they began: a citation must name a frame the cited file has).
    this.collector = new PacketCollector({ ...ctx, emit: (raw) => this.emit(raw) }, map);
    this.copies = new InterfaceCopies((p) => this.collector.add(p));
  }

  /** A file's frames follow from here on (called before its first frame is read). */
  begin(ctx: AdapterContext): void {
    this.files.push({ ctx, from: this.frame + 1, to: this.frame });
  }

  private emit(raw: RawSample): void {
    let i = this.files.length - 1;
    while (i > 0 && this.files[i]!.from > raw.line) i--;
    const part = this.files[i]!;
    if (part.from === 1) { part.ctx.emit(raw); return; }
    const line = raw.line - part.from + 1;
    part.ctx.emit({ ...raw, line, sourceId: raw.sourceId === `frame ${raw.line}` ? `frame ${line}` : raw.sourceId });
  }

  /** Derives what is still open and writes the capture's notes (`framesNote`: the last file's count, where it goes); returns its warnings. */
  end(framesNote?: string): string[] {
    const { ctx, copies, collector } = this;
    copies.finish();
    const unsupported = [...this.linkTypes].filter((l) => !(Object.values(LINKTYPE) as number[]).includes(l));
    if (unsupported.length > 0) ctx.note(`link type(s) ${unsupported.join(', ')} not decoded (supported: Ethernet, Linux SLL/SLL2, raw IP, loopback)`);
    if (this.untimed > 0) ctx.note(`${this.untimed} simple packet block(s) without timestamps skipped`);
    if (framesNote !== undefined) ctx.note(framesNote);
    if (this.files.length > 1) {
      ctx.note(`rotation: read with ${this.files.slice(1).map((f) => basename(f.ctx.file)).join(', ')} as one capture of ${this.frame} frames `
        + `(frames numbered through the files in this order, as in the capture mergecap -a makes of them: ${this.files.map((f) => `${basename(f.ctx.file)} ${f.from}-${f.to}`).join(', ')}); `
        + 'each sample is counted in the file that holds its frame and cites the frame by its number in that file');
    }
    const warnings: string[] = [];
    if (copies.dropped > 0) {
      warnings.push(`packets captured on several interfaces (${copies.interfaceCount}; tcpdump -i any on a host that forwards, or a pcapng of several `
        + `interfaces): ${copies.dropped} copies of packets dropped, each TCP stream read at the interface its first packet was captured on `
        + `(copies: the same packet on another interface within ${COPIES.windowUs / 1000} ms)`
        + (copies.early > 0 ? `; ${copies.early} frames compared over less than that window (more than ${COPIES.maxPending} held)` : ''));
    }
    warnings.push(...collector.finish());
    return warnings;
  }
}

/** What the pcap adapter carries through the files of one rotation group (RotationCarry.value). */
interface RotationState {
  /** The capture the next file may continue. */
  open: Capture | null;
  /** A file of the group did not continue the one before it: the rest are read each on its own. */
  stopped: boolean;
}

/** Why a file of a rotation group does not continue the capture `cap` (null: it does). */
function notContinuing(cap: Capture, start: RotationStart): string | null {
  if (cap.key !== start.key) return `${start.key}, not ${cap.key}`;
  if (start.firstTimeUs < cap.lastTimeUs) {
    return `its first packet (${new Date(start.firstTimeUs / 1000).toISOString()}) is before the last one read (${new Date(cap.lastTimeUs / 1000).toISOString()}): the files overlap, not one rotation`;
  }
  return null;
}

/** Ends a capture, its warnings going to its first file (which may no longer be the one read). */
function endCapture(cap: Capture, ctx: AdapterContext, warnings: string[], framesNote?: string): void {
  const ended = cap.end(framesNote);
  if (cap.ctx === ctx || cap.ctx.warn === undefined) warnings.push(...ended);
  else for (const w of ended) cap.ctx.warn(w);
}

export const pcapAdapter: InputAdapter = {
  name: 'pcap',
  binary: true,
  description: 'raw packet capture (pcap or pcapng, e.g. from tcpdump, dumpcap, tshark): the same TCP timing derivations as the tshark path, without tshark',
  example: '(binary) tcpdump -i eth0 -s 128 -w server.pcap tcp port 22',
  detect(_head: string, bytes: Buffer): number {
    return kindOfMagic(bytes) !== null ? 1 : 0;
  },
  async rotationStart(head: Buffer): Promise<RotationStart | null> {
    const kind = kindOfMagic(head);
    if (kind === null) return null;
    const r = new ByteReader((async function* () { yield head; })());
    const magic = await r.take(4);
    const ignore = (): void => undefined;
    try {
      const frames = kind === 'pcap' ? readPcap(r, '', magic, ignore, ignore) : readPcapng(r, '', magic, ignore, ignore);
      for await (const f of frames) if (f.timeUs >= 0) return { key: `${kind} of link type ${f.linkType}`, firstTimeUs: f.timeUs };
    } catch {
      return null; // said when the file is read
    }
    return null;
  },
  endRotation(carried: RotationCarry): void {
    const group = carried.value as RotationState | null;
    if (group?.open == null) return;
    const cap = group.open;
    group.open = null;
    for (const w of cap.end()) cap.ctx.warn?.(w);
  },
  async read(chunks, ctx: AdapterContext): Promise<AdapterResult> {
    const map = await accountsMapFor(ctx);
    const r = new ByteReader(chunks[Symbol.asyncIterator]());
    const magic = await r.take(4);
    if (magic.length === 0) throw inputError('empty capture (zero bytes)', ctx.file);
    const kind = kindOfMagic(magic);
    if (kind === null) throw inputError(`not a pcap or pcapng capture (magic 0x${magic.toString('hex')})`, ctx.file);
    const warnings: string[] = [];
    // One of a rotation group: continue the capture the file before it began, if this file follows it.
    const link = ctx.rotation;
    const group = link === undefined ? null : (link.carried.value ??= { open: null, stopped: false }) as RotationState;
    let cap = group?.open ?? null;
    if (cap !== null && link !== undefined && group !== null) {
      const why = notContinuing(cap, link.start);
      if (why !== null) {
        ctx.note(`not read as the continuation of ${basename(cap.files[0]!.ctx.file)} (same rotation name): ${why}; the rest of its files are read each on its own`);
        group.stopped = true;
        group.open = null;
        endCapture(cap, ctx, warnings);
        cap = null;
      }
    }
    if (cap === null) cap = new Capture(ctx, map, link?.start.key ?? null);
    cap.begin(ctx);
    const firstFrame = cap.frame;
    let tcp = 0;
    let cut = false;
    const cutOff: CutOff = (complete, at, what) => {
      cut = true;
      warnings.push(cutOffWarning(complete, at, what));
    };
    const frames = kind === 'pcap' ? readPcap(r, ctx.file, magic, ctx.note, cutOff) : readPcapng(r, ctx.file, magic, ctx.note, cutOff);
    for await (const f of frames) {
      const frame = ++cap.frame;
      if (f.timeUs < 0) { cap.untimed++; continue; }
      cap.linkTypes.add(f.linkType);
      if (f.timeUs > cap.lastTimeUs) cap.lastTimeUs = f.timeUs;
      const t = decodeFrame(f.linkType, f.data, f.wireLen);
      if (t === null) continue;
      tcp++;
      const packet: TcpPacket = {
        frame, timeUs: f.timeUs, stream: cap.numberer.assign(t), line: frame,
        src: t.src, dst: t.dst, srcPort: t.srcPort, dstPort: t.dstPort, len: t.len, flags: t.flags, seq: t.seq, ack: t.ack,
      };
      if (t.sshIdent) packet.sshIdent = true;
      if (f.iface >= 0) cap.copies.add(packet, f.iface, t.ipId);
      else cap.collector.add(packet);
    }
    const records = cap.frame - firstFrame;
    if (records === 0) {
      cap.files.pop(); // no frame of it is in the capture
      throw inputError(cut ? `truncated capture: no complete frame (${warnings[warnings.length - 1]})` : 'capture holds no packets', ctx.file);
    }
    cap.files[cap.files.length - 1]!.to = cap.frame;
    if (cap.files.length > 1) {
      ctx.note(`rotation: read as the continuation of ${basename(cap.files[cap.files.length - 2]!.ctx.file)} (same link type, its first packet at or after the last one there): `
        + `frames ${firstFrame + 1}-${cap.frame} of the capture ${basename(cap.files[0]!.ctx.file)} begins; its samples are counted here and cite its own frame numbers (1-${cap.frame - firstFrame})`);
    }
    const framesNote = `${records} frames, ${tcp} TCP`;
    if (link !== undefined && group !== null && !link.last && !group.stopped) {
      ctx.note(framesNote);
      group.open = cap;
    } else {
      if (group !== null) group.open = null;
      if (cap.ctx !== ctx) ctx.note(framesNote);
      endCapture(cap, ctx, warnings, cap.ctx === ctx ? framesNote : undefined);
    }
    return { records, dialect: kind, timeFormats: ['epoch-us'], warnings };
  },
};
