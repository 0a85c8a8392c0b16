// Shared derivations from TCP packets (DESIGN sections 2 and 4): one TCP stream's packets in,
// timing samples out. Both the tshark-CSV adapter and the raw pcap/pcapng adapter feed this module
// with the same packet records (raw header fields only: never Wireshark's tcp.analysis.* results),
// so that the two paths give identical samples for the same capture.
//
// What a capture can measure depends on where it was taken (the "vantage"):
//
//   capture near the server (bastion, VPN concentrator, the SSH server itself)
//     rtt        SYN-ACK -> handshake ACK; server data -> the client's ACK covering it.
//                Both end at the TCP peer, which for a relayed session is the relay.
//     app_rtt    server message -> the client's *dependent* reply. For SSH: the lock-step
//                key-exchange / authentication / channel-setup turns before typing starts, and
//                server-initiated keep-alive requests (sshd ClientAliveInterval) answered by the
//                SSH client. These travel to the SSH client, i.e. to the person's machine when the
//                relay only forwards TCP. A keystroke's echo at the server side is NOT a round trip
//                (keystroke in, echo out a fraction of a millisecond later): never emitted as such.
//     reaction   server output (more than a bare echo) -> the user's next keystroke: the path to
//                the person and back plus human think time. This is what still carries the far leg
//                when SSH itself ends at the relay (nested hop).
//     keystroke_interval  gaps between consecutive keystroke packets within a typed line (consecutive
//                in sequence too: a key captured past a hole, after a lost or overtaken one, gives none).
//
//   capture near the client
//     rtt        SYN -> SYN-ACK; client data -> the server's ACK covering it.
//     app_rtt    client request -> the first server data that acknowledges exactly that request
//                (keystroke -> echo for SSH; request -> response for other protocols).
//     keystroke_interval as above; no reaction (think time alone, no path in it).
//
// OpenSSH 9.5+ ObscureKeystrokeTiming sends keystrokes on a 20 ms grid and fills the grid with
// chaff (SSH2_MSG_PING, answered by the server, same size as a keystroke) while typing and for a
// while after. Runs of keystroke-sized client packets on a ~20 ms grid are recognised; they give no
// keystroke intervals and no reactions (only the first packet of a run, the real key that started
// it, can), and the stream is reported as obfuscated.
import type { Kind } from '../../types.js';

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_ACK = 0x10;

/** One TCP packet as both capture paths describe it. */
export interface TcpPacket {
  /** 1-based frame number in the capture (tshark's frame.number). */
  frame: number;
  /** Epoch microseconds (truncated, never rounded, from the capture's resolution). */
  timeUs: number;
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  /** Stream index as tshark numbers them (tcp.stream). */
  stream: number;
  /** TCP payload length (tcp.len). */
  len: number;
  flags: number;
  /** Raw (absolute) sequence and acknowledgement numbers. */
  seq: number;
  ack: number;
  /** Input line (tshark CSV) or frame number (raw capture) for traceability. */
  line: number;
  /**
   * Wireshark's tcp.analysis.ack_rtt of this packet in µs, when a tshark export without sequence
   * numbers gives it (transport-only derivation, transport-only.ts); absent otherwise.
   */
  ackRttUs?: number;
  /** The TCP payload starts with an SSH identification string ("SSH-2.0-", "SSH-1.99-"): raw captures only. */
  sshIdent?: boolean;
}

export interface DerivedSample {
  kind: Kind;
  timeUs: number;
  valueMs: number;
  /** Frame whose arrival completed the measurement. */
  frame: number;
  line: number;
  /** Frame that started it. */
  fromFrame: number;
}

export type Vantage = 'server' | 'client';

export interface StreamSummary {
  stream: number;
  client: string;
  clientPort: number;
  server: string;
  serverPort: number;
  vantage: Vantage;
  vantageFrom: 'handshake' | 'ack-timing' | 'assumed';
  ssh: boolean;
  /** Not SSH: client messages of its smallest size seen at least keySizeMinCount times, when that size is at
   *  most DERIVE.keyLikeMaxBytes (how much it looks like typing: the note on streams not read as SSH); else 0. */
  keyLike: number;
  /** That size (0 without one). */
  keyLikeLen: number;
  packets: number;
  firstTimeUs: number;
  /** Keystroke-sized client packets on the obfuscation grid (chaff or quantised keys). */
  gridPackets: number;
  obfuscated: boolean;
  counts: Record<Kind, number>;
}

/** Ports read as interactive SSH (where keystroke, reaction and keep-alive rules apply); more with
 *  `--ssh-port`, and in raw captures any stream whose payload starts with an SSH identification string. */
export const SSH_PORTS: ReadonlySet<number> = new Set([22, 2222]);

/** Does this payload start with an SSH identification string (RFC 4253 4.2; 1.99: SSH-1 compatible servers)? */
export function isSshIdent(payload: Buffer): boolean {
  return payload.length >= 8 && payload[0] === 0x53 && payload[1] === 0x53 && payload[2] === 0x48 && payload[3] === 0x2d
    && (payload.toString('latin1', 4, 8) === '2.0-' || payload.toString('latin1', 4, 9) === '1.99-');
}

/** Parameters of the rules, in microseconds unless named otherwise. Documented in the README. */
export const DERIVE = {
  /** A pause this long between server data segments starts a new server turn. */
  turnSplitUs: 300_000,
  /** A setup-phase server turn whose data spans more than this is ambiguous (which message was answered?). */
  burstWindowUs: 10_000,
  /** Client silence before a server turn that makes it server-initiated (keep-alive request). */
  keepAliveIdleUs: 500_000,
  /** Keep-alive request and reply are single small messages (bytes of TCP payload). */
  keepAliveMaxBytes: 128,
  /** Gaps between keystrokes longer than this are pauses, not typing rhythm. */
  keyGapMaxUs: 3_000_000,
  /** Obfuscation: a keystroke-sized packet with at least gridDenseMin others within +-gridWindowUs is
   *  denser than any typist (10 keys/s gives ~2); a stream with at least gridStreamMin such packets whose
   *  median gap (gaps up to gridGapMaxUs) lies in [gridMedianLowUs, gridMedianHighUs] is obfuscated, when
   *  those gaps are runs: at least gridStreamMin of them, and at least gridRunShare of the dense packets
   *  (chaff flows unbroken: 0.91 to 0.99 of them in the lab's obfuscated streams). Several people typing at
   *  once through one multiplexed connection (ControlMaster) make dense packets too, but scattered:
   *  fixtures/lab/mux's client capture, 20 dense packets with only 4 such gaps (median 20.6 ms), was
   *  read as obfuscated and lost all its keystroke intervals. */
  gridWindowUs: 100_000,
  gridDenseMin: 4,
  gridStreamMin: 8,
  gridGapMaxUs: 45_000,
  gridMedianLowUs: 15_000,
  gridMedianHighUs: 25_000,
  gridRunShare: 0.5,
  /** In an obfuscated stream only a key starting a burst (this long after the previous client packet) can be a reaction. */
  burstStartUs: 250_000,
  /** A keystroke size is a client message size seen at least this often (NEWKEYS, sent alone by
   *  OpenSSH 9.2 and smaller than a keystroke, is seen once, or once per re-key). */
  keySizeMinCount: 3,
  /** OpenSSH's setup takes about 9 client messages; past this many the turns are no longer lock-step. */
  setupMaxClientMessages: 16,
  /** A keep-alive reply is not answered: server data this soon after it means it was a keystroke (echoed). */
  replyQuietUs: 100_000,
  /** No person reacts to output this fast: shorter gaps are type-ahead or machine replies. */
  reactionMinUs: 100_000,
  /** Client data this close before the client's FIN/RST is session teardown, not typing. */
  teardownUs: 300_000,
  /** A stream not read as SSH looks typed when at least keyLikeMin client messages share its smallest
   *  repeated size, at most keyLikeMaxBytes (an SSH keystroke is 36 to 100 bytes, telnet's 1). */
  keyLikeMin: 20,
  keyLikeMaxBytes: 100,
} as const;

const u32 = (x: number): number => x >>> 0;

export interface DataEvent {
  fromClient: boolean;
  timeUs: number;
  frame: number;
  line: number;
  len: number;
  /** Relative sequence range in the sender's space. */
  start: number;
  end: number;
  /** Relative ack in the receiver's (other side's) space; -1 without ACK flag or before its start. */
  ackRel: number;
}

export interface Outstanding {
  end: number;
  timeUs: number;
  frame: number;
  retransmitted: boolean;
}

const emptyCounts = (): Record<Kind, number> => ({ rtt: 0, app_rtt: 0, reaction: 0, keystroke_interval: 0, input_lag: 0 });

/** At most this many unacknowledged segments and unanswered requests are carried into the next
 *  segment of a stream (older ones are dropped: they could only time a round trip of minutes). */
export const CARRY_MAX_PENDING = 256;

/**
 * What one segment of a stream hands to the next when a long stream is derived in segments
 * (src/ingest/derive/collect.ts): the endpoints, sequence bases and vantage decided at the start,
 * the transport's unacknowledged data, and the state of the application rules (current server turn,
 * last client message, last keystroke, request awaiting its reply). Constant size: every list is
 * capped at CARRY_MAX_PENDING entries.
 */
export interface StreamCarry {
  stream: number;
  firstTimeUs: number;
  client: string;
  clientPort: number;
  server: string;
  serverPort: number;
  vantage: Vantage;
  vantageFrom: StreamSummary['vantageFrom'];
  ssh: boolean;
  isn: [number | null, number | null];
  highestEnd: [number, number];
  ackedTo: [number, number];
  outstanding: Outstanding[];
  setupDone: boolean;
  setupClientSeen: number;
  /**
   * Message sizes seen so far and how often each side sent them (keySizes(): ascending; only sizes up to
   * the keystroke size once there is one, else the smallest KEY_SIZES_KEPT), and the server message
   * sizes after setup (distinct, ascending, the smallest SERVER_SIZES_KEPT): the echo size.
   */
  clientSizes: SizeCount[];
  serverSizes: number[];
  obfuscated: boolean;
  turn: Turn | null;
  lastClient: DataEvent | null;
  outputSinceClient: boolean;
  prevKey: DataEvent | null;
  pendingRequests: DataEvent[];
  answeredTo: number;
  /** Time of the latest loss seen (retransmission or hole; -1 without): round trips across it are not timed. */
  lastLossUs: number;
}

export interface Turn { first: DataEvent; last: DataEvent; segments: number; bytes: number; afterIdle: boolean }

/** Client message sizes kept before any is a keystroke size: the smallest this many. */
export const KEY_SIZES_KEPT = 64;

/** Server message sizes kept per stream for the echo size: the smallest few, ascending, distinct. */
const SERVER_SIZES_KEPT = 16;

/** `sizes` with `len` (sorted, distinct, the smallest SERVER_SIZES_KEPT); the same array when it is there or too large. */
function withSize(sizes: number[], len: number): number[] {
  let at = 0;
  while (at < sizes.length && sizes[at]! < len) at++;
  if (sizes[at] === len || at >= SERVER_SIZES_KEPT) return sizes;
  return [...sizes.slice(0, at), len, ...sizes.slice(at)].slice(0, SERVER_SIZES_KEPT);
}

/** A message size and how often the client and the server sent messages of it. */
export type SizeCount = [size: number, client: number, server: number];

/**
 * Message sizes of a stream (`earlier`, carried, and `events`) with how often each side sent them,
 * ascending by size, and the keystroke size they give (Infinity without one): the smallest client
 * message size seen at least keySizeMinCount times (a key and its echo are the session's smallest
 * messages, sent over and over; a smaller message seen less often is a one-off of the protocol:
 * OpenSSH 9.2 sends NEWKEYS, 16 bytes, in a segment of its own), and of those, with `echoed`, the
 * smallest the server sends as often: a key is echoed in a message of its size (36 bytes plain, 76
 * through ssh -J, a chaff PING answered by a PONG alike), while a reply the server never sends is no
 * key: the 28-byte REQUEST_FAILURE an idle multiplexing master (ssh -M -N) answers each of sshd's
 * global keep-alive requests with, which took every 36-byte key for output. Without such a size, the
 * smallest repeated one as before. The list is cut to what can still matter: sizes up to the
 * keystroke size, or the smallest KEY_SIZES_KEPT while there is none.
 */
export function keySizes(earlier: readonly SizeCount[], events: readonly DataEvent[], echoed: boolean): { sizes: SizeCount[]; keyLen: number; keyCount: number } {
  const counts = new Map<number, SizeCount>(earlier.map((c) => [c[0], [...c] as SizeCount]));
  for (const e of events) {
    let c = counts.get(e.len);
    if (c === undefined) counts.set(e.len, c = [e.len, 0, 0]);
    c[e.fromClient ? 1 : 2]++;
  }
  const sizes = [...counts.values()].sort((a, b) => a[0] - b[0]);
  const repeated = (c: SizeCount): boolean => c[1] >= DERIVE.keySizeMinCount;
  const echo = echoed ? sizes.findIndex((c) => repeated(c) && c[2] >= DERIVE.keySizeMinCount) : -1;
  const key = echo >= 0 ? echo : sizes.findIndex(repeated);
  return {
    sizes: sizes.slice(0, (echoed ? echo : key) >= 0 ? key + 1 : KEY_SIZES_KEPT),
    keyLen: key >= 0 ? sizes[key]![0] : Infinity,
    keyCount: key >= 0 ? sizes[key]![1] : 0,
  };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
}

/**
 * Derive samples from one stream's packets, given in capture (frame) order.
 * Pure and deterministic: the same packets give the same samples in the same order.
 * With `carry` (what the previous segment of the same stream returned) the packets continue that
 * stream: endpoints, vantage and sequence bases come from the carry, and pairs that straddle the
 * boundary are completed. Rules that look at a whole stream (keystroke size, echo size, the
 * obfuscation grid, teardown) then see one segment at a time.
 */
/**
 * Who is the client: the carried one; else the SYN sender; else the SYN-ACK receiver; else the
 * higher port. Also the stream's first SYN (the handshake rules start from it).
 */
export function endpointsOf(packets: readonly TcpPacket[], carry?: StreamCarry): {
  syn: TcpPacket | undefined; client: string; clientPort: number; server: string; serverPort: number; isClient: (p: TcpPacket) => boolean;
} {
  const first = packets[0]!;
  const syn = carry ? undefined : packets.find((p) => (p.flags & (TCP_SYN | TCP_ACK)) === TCP_SYN);
  const synAckAny = carry ? undefined : packets.find((p) => (p.flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK));
  let client: string;
  let clientPort: number;
  if (carry) { client = carry.client; clientPort = carry.clientPort; }
  else if (syn) { client = syn.src; clientPort = syn.srcPort; }
  else if (synAckAny) { client = synAckAny.dst; clientPort = synAckAny.dstPort; }
  else if (first.srcPort > first.dstPort || (first.srcPort === first.dstPort && first.src > first.dst)) { client = first.src; clientPort = first.srcPort; }
  else { client = first.dst; clientPort = first.dstPort; }
  const isClient = (p: TcpPacket): boolean => p.src === client && p.srcPort === clientPort;
  const server = carry ? carry.server : isClient(first) ? first.dst : first.src;
  const serverPort = carry ? carry.serverPort : isClient(first) ? first.dstPort : first.srcPort;
  return { syn, client, clientPort, server, serverPort, isClient };
}

/**
 * The stream's handshake after `syn` (first segment only): the server's SYN-ACK and the client's
 * ACK of it (with `ackNumbers`, the ACK that acknowledges the SYN-ACK's sequence number; without,
 * the client's first ACK after it). `vantage`: the capture point a complete handshake shows, near
 * the server when the SYN-ACK follows the SYN sooner than the ACK follows the SYN-ACK; null without
 * one. `timed`: the handshake's round trip seen from `vantage` (SYN-ACK -> ACK near the server,
 * SYN -> SYN-ACK near the client), null unless the segment holds exactly one SYN and one SYN-ACK.
 */
export function handshakeOf(packets: readonly TcpPacket[], syn: TcpPacket | undefined, isClient: (p: TcpPacket) => boolean,
  carry: StreamCarry | undefined, ackNumbers: boolean): {
  synAck: TcpPacket | undefined; hsAck: TcpPacket | undefined; vantage: Vantage | null;
  timed: (vantage: Vantage) => { to: TcpPacket; fromTimeUs: number; fromFrame: number } | null;
} {
  const synCount = carry ? 0 : packets.filter((p) => (p.flags & (TCP_SYN | TCP_ACK)) === TCP_SYN).length;
  const synAckCount = carry ? 0 : packets.filter((p) => (p.flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK)).length;
  const synAck = syn ? packets.find((p) => p.frame > syn.frame && !isClient(p) && (p.flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK)) : undefined;
  const hsAck = synAck ? packets.find((p) => p.frame > synAck.frame && isClient(p) && (p.flags & TCP_ACK) && !(p.flags & TCP_SYN)
    && (!ackNumbers || u32(p.ack) === u32(synAck.seq + 1))) : undefined;
  const complete = syn !== undefined && synAck !== undefined && hsAck !== undefined;
  const vantage: Vantage | null = !complete ? null : synAck.timeUs - syn.timeUs <= hsAck.timeUs - synAck.timeUs ? 'server' : 'client';
  return {
    synAck, hsAck, vantage,
    timed: (at) => {
      if (!complete || synCount !== 1 || synAckCount !== 1) return null;
      return at === 'server' ? { to: hsAck, fromTimeUs: synAck.timeUs, fromFrame: synAck.frame } : { to: synAck, fromTimeUs: syn.timeUs, fromFrame: syn.frame };
    },
  };
}

/**
 * The capture point: carried from the stream's first segment; else what its handshake shows; else
 * the end whose ACKs come fastest (`fastestAcks()`: by [client, server], in µs) is the near one;
 * else assumed near the server.
 */
export function vantageOf(carry: StreamCarry | undefined, handshakeVantage: Vantage | null, fastestAcks: () => [number, number]): {
  vantage: Vantage; vantageFrom: StreamSummary['vantageFrom'];
} {
  if (carry) return { vantage: carry.vantage, vantageFrom: carry.vantageFrom };
  if (handshakeVantage !== null) return { vantage: handshakeVantage, vantageFrom: 'handshake' };
  const fastest = fastestAcks();
  if (Number.isFinite(fastest[0]) || Number.isFinite(fastest[1])) return { vantage: fastest[1] <= fastest[0] ? 'server' : 'client', vantageFrom: 'ack-timing' };
  return { vantage: 'server', vantageFrom: 'assumed' };
}

export function deriveStream(packets: readonly TcpPacket[], carry?: StreamCarry, sshPorts: ReadonlySet<number> = SSH_PORTS): {
  summary: StreamSummary; samples: DerivedSample[]; carry: StreamCarry;
} {
  const first = packets[0]!;
  // --- who is the client ---
  const { syn, client, clientPort, server, serverPort, isClient } = endpointsOf(packets, carry);
  // SSH: by the server's port, or by its identification string on either side
  const ssh = carry?.ssh === true || sshPorts.has(serverPort) || packets.some((p) => p.sshIdent === true);

  // --- sequence spaces: relative to the SYN (or the first packet seen) of each direction ---
  const isn: [number | null, number | null] = carry ? [carry.isn[0], carry.isn[1]] : [null, null]; // [client, server]
  for (const p of packets) {
    const d = isClient(p) ? 0 : 1;
    if (isn[d] === null) isn[d] = (p.flags & TCP_SYN) ? p.seq : u32(p.seq - 1);
    if (isn[0] !== null && isn[1] !== null) break;
  }
  const rel = (value: number, d: 0 | 1): number => {
    const base = isn[d];
    if (base === null) return -1;
    const r = u32(value - base);
    return r >= 0x80000000 ? -1 : r; // before the start of what we saw
  };

  // --- handshake (first segment only) ---
  const handshake = handshakeOf(packets, syn, isClient, carry, true);

  // --- vantage ---
  const { vantage, vantageFrom } = vantageOf(carry, handshake.vantage, () => {
    // The end near the capture acknowledges the other's data quickly; the far end after a round trip.
    const fastest: [number, number] = [Infinity, Infinity]; // fastest ACK *by* [client, server]
    const pending: [{ end: number; t: number }[], { end: number; t: number }[]] = [[], []];
    const head: [number, number] = [0, 0]; // consumed prefix of pending (no O(n) shift per ACK)
    for (const p of packets) {
      const d = isClient(p) ? 0 : 1;
      const o = (1 - d) as 0 | 1;
      if (p.len > 0) { const s = rel(p.seq, d as 0 | 1); if (s >= 0) pending[d].push({ end: s + p.len, t: p.timeUs }); }
      if (p.flags & TCP_ACK) {
        const a = rel(p.ack, o);
        while (head[o] < pending[o].length && a >= 0 && pending[o][head[o]]!.end <= a) {
          fastest[d] = Math.min(fastest[d], p.timeUs - pending[o][head[o]]!.t);
          head[o]++;
        }
      }
    }
    return fastest;
  });
  const near: 0 | 1 = vantage === 'client' ? 0 : 1; // direction index of the end near the capture

  const samples: DerivedSample[] = [];
  const push = (kind: Kind, to: { timeUs: number; frame: number; line: number }, fromTimeUs: number, fromFrame: number): void => {
    const us = to.timeUs - fromTimeUs;
    if (us < 0) return;
    samples.push({ kind, timeUs: to.timeUs, valueMs: us / 1000, frame: to.frame, line: to.line, fromFrame });
  };

  const timed = handshake.timed(vantage);
  if (timed !== null) push('rtt', timed.to, timed.fromTimeUs, timed.fromFrame);

  // --- one pass: ACK round trips of the near end's data, data events for the application rules ---
  const outstanding: Outstanding[] = carry ? carry.outstanding.map((o) => ({ ...o })) : [];
  const highestEnd: [number, number] = carry ? [carry.highestEnd[0], carry.highestEnd[1]] : [0, 0];
  const ackedTo: [number, number] = carry ? [carry.ackedTo[0], carry.ackedTo[1]] : [0, 0];
  const events: DataEvent[] = [];
  // Times of loss seen in either direction: a retransmission, or data arriving past a hole in its
  // sequence space (what came before it was lost before the capture point, or overtaken). Karn at the
  // application: no request -> reply or output -> reaction is timed across one (lossBetween()).
  const losses: number[] = [];
  const carriedLossUs = carry ? carry.lastLossUs : -1;
  const lossBetween = (fromUs: number, toUs: number): boolean => {
    let lo = 0;
    let hi = losses.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (losses[mid]! <= fromUs) lo = mid + 1; else hi = mid; }
    return (lo < losses.length && losses[lo]! <= toUs) || (carriedLossUs > fromUs && carriedLossUs <= toUs);
  };
  const lossAt = (timeUs: number): void => { losses.push(Math.max(timeUs, losses[losses.length - 1] ?? timeUs)); };
  for (const p of packets) {
    const d = (isClient(p) ? 0 : 1) as 0 | 1;
    const o = (1 - d) as 0 | 1;
    if (p.len > 0) {
      const start = rel(p.seq, d);
      if (start >= 0) {
        const end = start + p.len;
        if (end <= highestEnd[d]) {
          // Retransmission (Karn): neither it nor the original gives a round trip, at the transport
          // (outstanding) or the application (lossBetween: request -> reply, turn -> reply or reaction).
          if (d === near) for (const seg of outstanding) if (seg.end > start && seg.end - p.len < end) seg.retransmitted = true;
          lossAt(p.timeUs);
        } else {
          const partial = start < highestEnd[d];
          if (start > Math.max(highestEnd[d], 1)) lossAt(p.timeUs); // past a hole
          highestEnd[d] = end;
          if (d === near) outstanding.push({ end, timeUs: p.timeUs, frame: p.frame, retransmitted: partial });
          if (!partial) {
            events.push({ fromClient: d === 0, timeUs: p.timeUs, frame: p.frame, line: p.line, len: p.len, start, end, ackRel: (p.flags & TCP_ACK) ? rel(p.ack, o) : -1 });
          }
        }
      }
    }
    // Only pure ACKs time the transport: an ACK riding on data left when the application had data.
    // Any ACK acknowledges, though: data an ACK on data (or a FIN) covered is no longer outstanding, so
    // a later pure ACK of the same number (a duplicate ACK, sent on loss) does not time it.
    if ((p.flags & TCP_ACK) && d !== near && !(p.flags & (TCP_SYN | TCP_RST))) {
      const a = rel(p.ack, near);
      if (a > ackedTo[near]) {
        ackedTo[near] = a;
        let covered = -1;
        while (covered + 1 < outstanding.length && outstanding[covered + 1]!.end <= a) covered++;
        if (covered >= 0) {
          const seg = outstanding[covered]!;
          const pure = p.len === 0 && !(p.flags & TCP_FIN);
          if (pure && !seg.retransmitted && !outstanding.slice(0, covered + 1).some((s) => s.retransmitted)) push('rtt', p, seg.timeUs, seg.frame);
          outstanding.splice(0, covered + 1);
        }
      }
    }
  }

  // --- application-level rules ---
  const clientEvents = events.filter((e) => e.fromClient);
  const serverEvents = events.filter((e) => !e.fromClient);
  let gridPackets = 0;
  const clientEnd = packets.find((p) => isClient(p) && (p.flags & (TCP_FIN | TCP_RST)));
  const teardownFromUs = clientEnd === undefined ? Infinity : clientEnd.timeUs - DERIVE.teardownUs;
  // application-rule state, continued from the previous segment when there is one
  let setupDone = carry ? carry.setupDone : false;
  let setupClientSeen = carry ? carry.setupClientSeen : 0;
  let turn: Turn | null = carry ? carry.turn : null;
  let lastClient: DataEvent | null = carry ? carry.lastClient : null;
  let outputSinceClient = carry ? carry.outputSinceClient : false;
  let prevKey: DataEvent | null = carry ? carry.prevKey : null;
  let keyLen = Infinity;
  let echoLen = Infinity;
  let serverSizes: number[] = carry ? carry.serverSizes : [];
  let obfuscated = false;
  let keyLike = 0;
  let keyLikeLen = 0;
  // Keystroke size, echo size and the obfuscation verdict are whole-stream properties: a later
  // segment starts from what the earlier ones found (sizes and counts so far; obfuscated stays so).
  const sized = keySizes(carry ? carry.clientSizes : [], events, ssh);
  const clientSizes = sized.sizes;
  if (!ssh) {
    // how much it looks like typing (a note names such streams): client messages of its keystroke-like size
    if (sized.keyLen <= DERIVE.keyLikeMaxBytes) { keyLikeLen = sized.keyLen; keyLike = sized.keyCount; }
  } else {
    // Loops, not Math.min(...list): a long stream has more events than a call has arguments.
    keyLen = sized.keyLen;
    const typing = Number.isFinite(keyLen);
    // The lock-step setup ends at the first keystroke, and after at most setupMaxClientMessages client messages.
    const keyStart = typing ? events.findIndex((e) => e.fromClient && e.len === keyLen) : events.length;
    let setupEnd = setupDone ? 0 : keyStart;
    if (!setupDone) {
      for (let i = 0; i < keyStart; i++) {
        if (events[i]!.fromClient && ++setupClientSeen > DERIVE.setupMaxClientMessages) { setupEnd = i; break; }
      }
      setupDone = setupEnd < events.length;
    }
    // The echo size: the keystroke size where the server sends messages of it (an echo of one key is
    // a message of one key's size: 36 bytes in a plain session, 76 through ssh -J, where a smaller
    // one-off of the inner session's setup, 68 bytes, was taken for it and every echo read as
    // output); else the smallest server message after setup, as before.
    for (let i = setupEnd; i < events.length; i++) if (!events[i]!.fromClient) serverSizes = withSize(serverSizes, events[i]!.len);
    echoLen = serverSizes.includes(keyLen) ? keyLen : serverSizes[0] ?? Infinity;

    // Obfuscation: keystroke-sized client packets far denser than typing, on a ~20 ms grid.
    obfuscated = carry ? carry.obfuscated : false;
    if (typing) {
      const keys = clientEvents.filter((e) => e.len === keyLen);
      const dense: DataEvent[] = [];
      let lo = 0;
      let hi = 0;
      for (let i = 0; i < keys.length; i++) {
        const t = keys[i]!.timeUs;
        while (keys[lo]!.timeUs < t - DERIVE.gridWindowUs) lo++;
        while (hi + 1 < keys.length && keys[hi + 1]!.timeUs <= t + DERIVE.gridWindowUs) hi++;
        if (hi - lo >= DERIVE.gridDenseMin) dense.push(keys[i]!);
      }
      const gaps = dense.slice(1).map((e, i) => e.timeUs - dense[i]!.timeUs).filter((g) => g <= DERIVE.gridGapMaxUs);
      if (dense.length >= DERIVE.gridStreamMin && gaps.length >= DERIVE.gridStreamMin && gaps.length >= DERIVE.gridRunShare * dense.length) {
        const m = median(gaps);
        if (m >= DERIVE.gridMedianLowUs && m <= DERIVE.gridMedianHighUs) obfuscated = true;
      }
      if (obfuscated) gridPackets = dense.length;
    }

    if (vantage === 'server') {
      for (let i = 0; i < events.length; i++) {
        const e = events[i]!;
        if (!e.fromClient) {
          if (turn === null || e.timeUs - turn.last.timeUs >= DERIVE.turnSplitUs) {
            const idleUs = lastClient === null ? Infinity : e.timeUs - lastClient.timeUs;
            turn = { first: e, last: e, segments: 1, bytes: e.len, afterIdle: idleUs >= DERIVE.keepAliveIdleUs };
          } else {
            turn.last = e; turn.segments++; turn.bytes += e.len;
          }
          if (e.len > echoLen) outputSinceClient = true;
          continue;
        }
        // a client data event
        let keepAliveReply = false;
        const next = events[i + 1];
        const answered = next !== undefined && !next.fromClient && next.timeUs - e.timeUs < DERIVE.replyQuietUs;
        const burstStart = lastClient === null || e.timeUs - lastClient.timeUs >= DERIVE.burstStartUs;
        if (turn !== null) {
          // A lone small message after client silence is a keep-alive request, not output a person reads.
          const keepAliveLike = turn.afterIdle && turn.segments === 1 && turn.bytes <= DERIVE.keepAliveMaxBytes;
          const coversFirst = e.ackRel >= turn.first.end;
          const coversLast = e.ackRel >= turn.last.end;
          if (i < setupEnd) {
            if (coversFirst && turn.last.timeUs - turn.first.timeUs <= DERIVE.burstWindowUs && !lossBetween(turn.first.timeUs, e.timeUs)) push('app_rtt', e, turn.first.timeUs, turn.first.frame);
          } else if (keepAliveLike && e.len <= DERIVE.keepAliveMaxBytes && coversFirst && !answered) {
            if (!lossBetween(turn.first.timeUs, e.timeUs)) push('app_rtt', e, turn.first.timeUs, turn.first.frame);
            keepAliveReply = true;
          } else if (typing && e.len === keyLen && outputSinceClient && coversLast && (!obfuscated || burstStart) && !keepAliveLike
            && e.timeUs - turn.last.timeUs >= DERIVE.reactionMinUs && e.timeUs < teardownFromUs && !lossBetween(turn.last.timeUs, e.timeUs)) {
            push('reaction', e, turn.last.timeUs, turn.last.frame);
          }
        }
        if (typing && i >= setupEnd && e.len === keyLen && !keepAliveReply) {
          // Obfuscated streams give no typing rhythm at all: keys are quantised and mixed with chaff.
          if (obfuscated) prevKey = null;
          else {
            if (prevKey !== null && prevKey.end === e.start && !outputSinceClient && e.timeUs - prevKey.timeUs <= DERIVE.keyGapMaxUs && e.timeUs < teardownFromUs) push('keystroke_interval', e, prevKey.timeUs, prevKey.frame);
            prevKey = e;
          }
        } else if (i >= setupEnd) {
          prevKey = null;
        }
        turn = null;
        lastClient = e;
        outputSinceClient = false;
      }
    } else {
      // client vantage: keystroke intervals (the dependent replies are handled below for all protocols);
      // outputSinceClient here means output since the last keystroke
      for (let i = setupEnd; i < events.length; i++) {
        const e = events[i]!;
        if (!e.fromClient) { if (e.len > echoLen) outputSinceClient = true; continue; }
        if (!typing || e.len !== keyLen || obfuscated) { prevKey = null; continue; }
        if (prevKey !== null && prevKey.end === e.start && !outputSinceClient && e.timeUs - prevKey.timeUs <= DERIVE.keyGapMaxUs && e.timeUs < teardownFromUs) push('keystroke_interval', e, prevKey.timeUs, prevKey.frame);
        prevKey = e;
        outputSinceClient = false;
      }
    }
  }

  let pendingRequests: DataEvent[] = carry ? carry.pendingRequests : [];
  let answeredTo = carry ? carry.answeredTo : -1;
  if (vantage === 'client') {
    // Request -> dependent reply: the first server data acknowledging exactly the latest request.
    // Requests not yet passed by a reply at the end of the segment carry over (pendingRequests).
    const requests = pendingRequests.length > 0 ? [...pendingRequests, ...clientEvents] : clientEvents;
    let ci = 0;
    for (const s of serverEvents) {
      if (s.ackRel < 0) continue;
      while (ci + 1 < requests.length && requests[ci + 1]!.end <= s.ackRel && requests[ci + 1]!.frame < s.frame) ci++;
      const c = requests[ci];
      if (c === undefined || c.end > s.ackRel || c.frame > s.frame || c.end !== s.ackRel || c.end <= answeredTo) continue;
      answeredTo = c.end;
      if (!lossBetween(c.timeUs, s.timeUs)) push('app_rtt', s, c.timeUs, c.frame);
    }
    pendingRequests = requests.slice(Math.max(ci, requests.length - CARRY_MAX_PENDING));
  }

  samples.sort((a, b) => a.timeUs - b.timeUs || a.frame - b.frame || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));
  const counts = emptyCounts();
  for (const s of samples) counts[s.kind]++;
  const firstTimeUs = carry ? carry.firstTimeUs : first.timeUs;
  return {
    summary: {
      stream: first.stream, client, clientPort, server, serverPort, vantage, vantageFrom, ssh, keyLike, keyLikeLen,
      packets: packets.length, firstTimeUs, gridPackets, obfuscated: gridPackets > 0, counts,
    },
    samples,
    carry: {
      stream: first.stream, firstTimeUs, client, clientPort, server, serverPort, vantage, vantageFrom, ssh,
      isn, highestEnd, ackedTo, outstanding: outstanding.slice(-CARRY_MAX_PENDING),
      setupDone, setupClientSeen, clientSizes, serverSizes, obfuscated, turn, lastClient, outputSinceClient, prevKey, pendingRequests, answeredTo,
      lastLossUs: losses[losses.length - 1] ?? carriedLossUs,
    },
  };
}
