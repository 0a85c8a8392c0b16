// Glue between a packet source (tshark CSV rows, raw capture records) and the stream derivations,
// with memory bounded by constants, not by the size of the capture:
//   - packets are grouped by stream and held as compact records (~100 bytes each) only while their
//     stream is open; a stream is derived and its samples emitted as soon as it is over: both FINs
//     (or an RST) seen and COLLECT.lingerUs of capture time passed (the last ACKs arrive), or no
//     packet for COLLECT.idleUs; the rest at the end of the input;
//   - a stream holding COLLECT.segmentPackets packets is derived as a segment at once, carrying the
//     state the rules need into the next segment (deriveStream's StreamCarry, constant size), and
//     if all open streams together hold COLLECT.maxHeld packets the largest are cut that way. So at most
//     COLLECT.maxHeld packets (~100 MB) are held, plus one StreamCarry per open stream and one per
//     recently ended stream (COLLECT.endedKept). Cuts for size are named in a note, never silent.
// Samples of a stream come out in the same order as before (time order within the stream; a cut
// stream segment after segment); streams come out in the order they end (ties and the end of input
// by stream number): a function of the input alone, so reports stay byte-identical run to run.
import type { AdapterContext } from '../adapter.js';
import type { Kind } from '../../types.js';
import { DERIVE, SSH_PORTS, deriveStream, endpointsOf, handshakeOf, TCP_FIN, TCP_RST, type StreamCarry, type TcpPacket, type Vantage } from './tcp.js';
import { deriveTransportOnly } from './transport-only.js';
import { accountOf, readAccountsMap, type AccountsMap } from './accounts-map.js';

/** Adapter option naming the accounts map file (`--accounts FILE`). */
export const ACCOUNTS_OPTION = 'accounts';
const SIDE_KEY = 'tcp.accountsMap';
/** Side-data key: the most packets held at once by any capture of the run (tests read it). */
export const PEAK_HELD_KEY = 'tcp.peakHeld';
/** Adapter option: more TCP ports read as SSH (`--ssh-port`), a comma list. */
export const SSH_PORTS_OPTION = 'sshPorts';

/** SSH_PORTS and the ports of `--ssh-port` (a comma list of 1..65535, checked by the command line). */
export function sshPortsOf(ctx: AdapterContext): ReadonlySet<number> {
  const extra = (ctx.options[SSH_PORTS_OPTION] ?? '').split(',').map((t) => Number(t.trim())).filter((n) => Number.isInteger(n) && n >= 1 && n <= 65535);
  return extra.length === 0 ? SSH_PORTS : new Set([...SSH_PORTS, ...extra]);
}

export async function accountsMapFor(ctx: AdapterContext): Promise<AccountsMap | null> {
  const path = ctx.options[ACCOUNTS_OPTION];
  if (path === undefined || path === '') return null;
  const cached = ctx.side.get<AccountsMap>(SIDE_KEY);
  if (cached !== undefined && cached.path === path) return cached;
  const map = await readAccountsMap(path);
  ctx.side.set(SIDE_KEY, map);
  return map;
}

/** The bounds, in capture-time microseconds and packets. Documented in the README (packet inputs). */
export const COLLECT = {
  /** An open stream with no packet for this long is derived with what it has. 10 minutes: longer than
   *  any keep-alive interval in use (sshd ClientAliveInterval and ssh ServerAliveInterval are seconds to
   *  a few minutes where set), so a live session that keeps alive is never split, while an idle one
   *  stops holding memory. If it resumes later, it continues from its carried state (same stream). */
  idleUs: 600_000_000,
  /** After both FINs or an RST, packets still arriving within this time (the last ACK, a repeated FIN
   *  or RST) belong to the stream before it is derived. */
  lingerUs: 5_000_000,
  /** Open streams are checked for idleness and closing when capture time has advanced this much. */
  sweepUs: 1_000_000,
  /** A stream holding this many packets is derived as a segment (about 10 MB; every lab stream is far shorter). */
  segmentPackets: 100_000,
  /** A cut for size is made at the last pause of at least this long in the newer half of what the stream
   *  holds (the packets after it stay held): every rule looks at most DERIVE.teardownUs (300 ms) ahead, so a
   *  cut at a 1 s pause splits no pair, no typed line and no obfuscation run. Without such a pause, at the end. */
  cutGapUs: 1_000_000,
  /** All open streams together hold at most this many packets (about 100 MB); past it the streams holding
   *  most are cut until half of it is free. */
  maxHeld: 1_000_000,
  /** Carried state kept for this many ended streams, so that late packets continue them. */
  endedKept: 4096,
  /** At most this many streams are listed by name in a note. */
  noteList: 20,
  /** SSH sessions into a host remembered (per capture, the latest) to recognise SSH streams it opens meanwhile as onward hops. */
  inboundKept: 4096,
};

/** An SSH session into a host, captured near that host (the server): the host may be a jump host. */
interface Inbound { stream: number; client: string; firstUs: number; lastUs: number }

interface OpenStream {
  id: number;
  packets: TcpPacket[];
  carry: StreamCarry | undefined;
  lastTimeUs: number;
  /** Source endpoints that sent a FIN (two different ones close the stream). */
  finFrom: string | null;
  closedAtUs: number | null;
  /** Counted among the streams that look typed but are not read as SSH. */
  keyLike: boolean;
}

const emptyKindCounts = (): Record<Kind, number> => ({ rtt: 0, app_rtt: 0, reaction: 0, keystroke_interval: 0, input_lag: 0 });

export class PacketCollector {
  private readonly open = new Map<number, OpenStream>();
  private readonly ended = new Map<number, StreamCarry>();
  private readonly limits: typeof COLLECT;
  /** TCP packets added. */
  packets = 0;
  /** Packets held right now, and the most ever held at once (the memory bound, tested). */
  held = 0;
  peakHeld = 0;
  private nowUs = -Infinity;
  private lastSweepUs = -Infinity;
  private streams = 0;
  private readonly byVantage: Record<Vantage, number> = { server: 0, client: 0 };
  private unmapped = 0;
  private readonly totals: Record<Kind, number> = emptyKindCounts();
  private readonly obfuscated = new Map<number, { account: string; grid: number }>();
  private obfuscatedMore = 0;
  private readonly cut = new Map<number, number>();
  private cutMore = 0;
  /** Highest stream number seen: both paths number streams in order of their first packet, so an unknown
   *  stream at or below it is one whose carried state was dropped (endedKept), said in a note. */
  private maxStreamSeen = -1;
  private restarted = 0;
  private readonly sshPorts: ReadonlySet<number>;
  /** Streams not read as SSH that look typed (for a note), and how many more than listed. */
  private readonly keyLike = new Map<number, string>();
  private keyLikeMore = 0;
  /** SSH sessions into each host captured near it (derived segments), by the host's address. */
  private readonly inbound = new Map<string, Inbound[]>();
  private inboundCount = 0;
  /** SSH streams opened by a host during an SSH session into it (onward hops): their samples are not used. */
  private readonly onward = new Map<number, { text: string; counts: Record<Kind, number> }>();

  /**
   * @param transportOnly packets carry no sequence numbers (a tshark export without them): streams are
   *   derived by transport-only.ts (handshake and Wireshark's ACK round trips), not by tcp.ts
   */
  constructor(private readonly ctx: AdapterContext, private readonly map: AccountsMap | null, limits: Partial<typeof COLLECT> = {},
    private readonly transportOnly = false) {
    this.limits = { ...COLLECT, ...limits };
    this.sshPorts = sshPortsOf(ctx);
  }

  add(p: TcpPacket): void {
    this.packets++;
    // time first: a stream idle until this packet is over before the packet joins it (then it continues)
    if (p.timeUs > this.nowUs) this.nowUs = p.timeUs;
    if (this.nowUs - this.lastSweepUs >= this.limits.sweepUs) this.sweep();
    let s = this.open.get(p.stream);
    if (s === undefined) {
      const carry = this.ended.get(p.stream);
      if (carry !== undefined) this.ended.delete(p.stream);
      else if (p.stream <= this.maxStreamSeen) this.restarted++;
      if (p.stream > this.maxStreamSeen) this.maxStreamSeen = p.stream;
      s = { id: p.stream, packets: [], carry, lastTimeUs: p.timeUs, finFrom: null, closedAtUs: null, keyLike: false };
      this.open.set(p.stream, s);
    }
    s.packets.push(p);
    s.lastTimeUs = p.timeUs;
    if (++this.held > this.peakHeld) this.peakHeld = this.held;
    if (s.closedAtUs === null) {
      if (p.flags & TCP_RST) s.closedAtUs = p.timeUs;
      else if (p.flags & TCP_FIN) {
        const from = `${p.src}|${p.srcPort}`;
        if (s.finFrom === null) s.finFrom = from;
        else if (s.finFrom !== from) s.closedAtUs = p.timeUs;
      }
    }
    if (s.packets.length >= this.limits.segmentPackets) this.derive(s, true);
    if (this.held >= this.limits.maxHeld) {
      // Cut the streams holding most (ties by number) until half the budget is free: young streams keep
      // their handshake and first exchanges whole.
      const bySize = [...this.open.values()].sort((a, b) => b.packets.length - a.packets.length || a.id - b.id);
      for (const o of bySize) {
        if (this.held <= this.limits.maxHeld / 2 || o.packets.length === 0) break;
        this.derive(o, true);
      }
    }
  }

  /** End the streams that are over (closed and lingered, or idle), in stream order. */
  private sweep(): void {
    this.lastSweepUs = this.nowUs;
    const over: OpenStream[] = [];
    for (const s of this.open.values()) {
      if ((s.closedAtUs !== null && this.nowUs - s.closedAtUs >= this.limits.lingerUs) || this.nowUs - s.lastTimeUs > this.limits.idleUs) over.push(s);
    }
    over.sort((a, b) => a.id - b.id);
    for (const s of over) this.end(s);
  }

  private end(s: OpenStream): void {
    this.open.delete(s.id);
    if (s.packets.length > 0) this.derive(s, false);
    if (s.carry === undefined) return;
    this.ended.set(s.id, s.carry);
    if (this.ended.size > this.limits.endedKept) {
      this.ended.delete(this.ended.keys().next().value!);
    }
  }

  /** Derive the packets a stream holds (continuing its carried state) and emit the samples. */
  private derive(s: OpenStream, forSize: boolean): void {
    s.packets.sort((a, b) => a.frame - b.frame);
    let cutAt = s.packets.length;
    if (forSize) {
      for (let i = s.packets.length - 1; i > s.packets.length / 2; i--) {
        if (s.packets[i]!.timeUs - s.packets[i - 1]!.timeUs >= this.limits.cutGapUs) { cutAt = i; break; }
      }
    }
    const packets = cutAt === s.packets.length ? s.packets : s.packets.slice(0, cutAt);
    s.packets = cutAt === s.packets.length ? [] : s.packets.slice(cutAt);
    this.held -= packets.length;
    const { summary, samples, carry } = this.transportOnly ? deriveTransportOnly(packets, s.carry) : deriveStream(packets, s.carry, this.sshPorts);
    const { ctx } = this;
    const { account, via } = accountOf(this.map, ctx.file, summary);
    const lastUs = packets[packets.length - 1]!.timeUs;
    if (summary.ssh && summary.vantage === 'server') this.addInbound(summary.server, { stream: s.id, client: summary.client, firstUs: summary.firstTimeUs, lastUs });
    let onward = this.onward.get(s.id);
    if (onward === undefined && summary.ssh && summary.vantage === 'client') {
      const into = this.inboundTo(summary.client, summary.firstTimeUs, lastUs, s.id);
      if (into !== null) {
        onward = { text: `stream ${s.id} (${account}, ${summary.client} -> ${summary.server}:${summary.serverPort}, during stream ${into.stream} from ${into.client})`, counts: emptyKindCounts() };
        this.onward.set(s.id, onward);
      }
    }
    if (!summary.ssh && summary.keyLike >= DERIVE.keyLikeMin) {
      const text = `stream ${s.id} (${account}, port ${summary.serverPort}: ${summary.keyLike} client messages of ${summary.keyLikeLen} bytes)`;
      if (this.keyLike.has(s.id) || this.keyLike.size < this.limits.noteList) this.keyLike.set(s.id, text);
      else if (!s.keyLike) this.keyLikeMore++;
      s.keyLike = true;
    }
    if (s.carry === undefined) {
      // first segment of this stream (or of one whose carried state was dropped: counted, and said)
      this.streams++;
      this.byVantage[summary.vantage]++;
      if (via === null) this.unmapped++;
    }
    s.carry = carry;
    if (forSize || this.cut.has(s.id)) {
      // segments of streams cut for size (the last one included), for the note
      const n = this.cut.get(s.id);
      if (n !== undefined) this.cut.set(s.id, n + 1);
      else if (this.cut.size < this.limits.noteList) this.cut.set(s.id, 1);
      else this.cutMore++;
    }
    if (summary.gridPackets > 0) {
      const o = this.obfuscated.get(s.id);
      if (o !== undefined) o.grid += summary.gridPackets;
      else if (this.obfuscated.size < this.limits.noteList) this.obfuscated.set(s.id, { account, grid: summary.gridPackets });
      else this.obfuscatedMore++;
    }
    if (onward !== undefined) {
      // an onward hop: its round trips end at the next host and its keys repeat the session into this one
      for (const x of samples) onward.counts[x.kind]++;
      return;
    }
    for (const x of samples) {
      this.totals[x.kind]++;
      ctx.emit({
        account, session: String(s.id), timeUs: x.timeUs, kind: x.kind, valueMs: x.valueMs, line: x.line,
        sourceId: `frame ${x.frame}`, clientAddress: summary.client,
      });
    }
  }

  private addInbound(host: string, seg: Inbound): void {
    let list = this.inbound.get(host);
    if (list === undefined) { list = []; this.inbound.set(host, list); }
    const known = list.find((x) => x.stream === seg.stream);
    if (known !== undefined) { known.lastUs = Math.max(known.lastUs, seg.lastUs); return; }
    list.push(seg);
    if (++this.inboundCount > this.limits.inboundKept) {
      // forget the oldest session (by its first packet) of the host holding most
      const [, most] = [...this.inbound].sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1))[0]!;
      most.sort((a, b) => a.firstUs - b.firstUs || a.stream - b.stream).shift();
      this.inboundCount--;
    }
  }

  /**
   * An SSH session into `host`, captured near `host`, that overlaps [fromUs, toUs]: derived ones, then
   * streams still open whose handshake shows an SSH connection accepted by `host` near the capture.
   * Null without one. The earliest such session (ties by stream number) is named.
   */
  private inboundTo(host: string, fromUs: number, toUs: number, exclude: number): Inbound | null {
    const found: Inbound[] = (this.inbound.get(host) ?? []).filter((x) => x.stream !== exclude && x.firstUs <= toUs && x.lastUs >= fromUs);
    for (const o of this.open.values()) {
      if (o.id === exclude || o.carry !== undefined || o.packets.length === 0 || o.packets[0]!.timeUs > toUs || o.lastTimeUs < fromUs) continue;
      const ends = endpointsOf(o.packets);
      if (ends.server !== host || ends.syn === undefined) continue;
      if (!this.sshPorts.has(ends.serverPort) && !o.packets.some((p) => p.sshIdent === true)) continue;
      if (handshakeOf(o.packets, ends.syn, ends.isClient, undefined, !this.transportOnly).vantage !== 'server') continue;
      found.push({ stream: o.id, client: ends.client, firstUs: o.packets[0]!.timeUs, lastUs: o.lastTimeUs });
    }
    found.sort((a, b) => a.firstUs - b.firstUs || a.stream - b.stream);
    return found[0] ?? null;
  }

  /** Derive every stream still open (in stream order), write the notes, and return the capture's warnings. */
  finish(): string[] {
    for (const s of [...this.open.values()].sort((a, b) => a.id - b.id)) this.end(s);
    const { ctx, map, limits } = this;
    ctx.side.set(PEAK_HELD_KEY, Math.max(this.peakHeld, ctx.side.get<number>(PEAK_HELD_KEY) ?? 0));
    if (this.streams > 0) {
      ctx.note(`${this.streams} TCP streams; capture point near the server in ${this.byVantage.server}, near the client in ${this.byVantage.client}`);
      ctx.note(`derived: ${(Object.keys(this.totals) as Kind[]).filter((k) => this.totals[k] > 0).map((k) => `${this.totals[k]} ${k}`).join(', ') || 'no samples'}`);
    }
    if (this.obfuscated.size > 0) {
      const list = [...this.obfuscated].sort((a, b) => a[0] - b[0]).map(([id, o]) => `stream ${id} (${o.account}, ${o.grid} packets on the grid)`);
      const more = this.obfuscatedMore > 0 ? ` and ${this.obfuscatedMore} more` : '';
      ctx.note(`keystroke timing obfuscation (OpenSSH ObscureKeystrokeTiming, 20 ms grid with chaff) in ${this.obfuscated.size + this.obfuscatedMore} stream(s): ${list.join('; ')}${more}; their grid packets give no keystroke intervals or reactions`);
    }
    if (this.cut.size > 0) {
      const list = [...this.cut].sort((a, b) => a[0] - b[0]).map(([id, n]) => `stream ${id} (${n} segment${n === 1 ? '' : 's'})`);
      const more = this.cutMore > 0 ? ` and ${this.cutMore} segment(s) of further streams` : '';
      ctx.note(`memory bound: ${list.join('; ')}${more} derived in segments of at most ${limits.segmentPackets} packets (${limits.maxHeld} held in all), `
        + `cut at a pause of ${limits.cutGapUs / 1e6} s where there is one; the rules' state carries across a cut, but a keystroke or echo size first seen `
        + 'after a cut does not reach back, so a sample or two at a cut may differ from deriving the stream whole');
    }
    if (this.keyLike.size > 0) {
      const list = [...this.keyLike].sort((a, b) => a[0] - b[0]).map(([, text]) => text);
      const more = this.keyLikeMore > 0 ? ` and ${this.keyLikeMore} more` : '';
      ctx.note(`${this.keyLike.size + this.keyLikeMore} stream(s) look typed but are not read as SSH (SSH is read on ports ${[...this.sshPorts].sort((a, b) => a - b).join(', ')}`
        + ` and, in raw captures, by its identification string): ${list.join('; ')}${more}; --ssh-port PORT reads a port as SSH`);
    }
    if (this.restarted > 0) ctx.note(`${this.restarted} stream(s) resumed after their carried state was dropped (more than ${limits.endedKept} streams ended since): counted and derived again as new streams`);
    if (map === null) ctx.note('no accounts map (--accounts): streams are named by their client address');
    else if (this.unmapped > 0) ctx.note(`${this.unmapped} stream(s) not in the accounts map ${map.path}: named by their client address`);
    const warnings: string[] = [];
    if (this.onward.size > 0) {
      const list = [...this.onward].sort((a, b) => a[0] - b[0]);
      const counts = emptyKindCounts();
      for (const [, o] of list) for (const k of Object.keys(counts) as Kind[]) counts[k] += o.counts[k];
      const shown = list.slice(0, limits.noteList).map(([, o]) => o.text);
      const more = list.length > limits.noteList ? ` and ${list.length - limits.noteList} more` : '';
      warnings.push(`capture at a jump host: ${list.length} SSH stream(s) opened by a host during an SSH session into it (ssh -J, a TCP forward `
        + `or ssh typed on the host): ${shown.join('; ')}${more}; their samples (${(Object.keys(counts) as Kind[]).filter((k) => counts[k] > 0).map((k) => `${counts[k]} ${k}`).join(', ') || 'none'}) `
        + 'are not used: they time the hop onward from this host and repeat the keys of the session into it, whose own samples time the way to the person');
    }
    return warnings;
  }
}
