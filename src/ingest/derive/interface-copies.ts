// Copies of one packet captured on several interfaces of one host: `tcpdump -i any` (Linux cooked v2,
// which names the interface of each frame) on a host that forwards (a router, a jump host, a NAT or
// container host) captures each forwarded packet once per interface it crosses; a pcapng from several
// interfaces does the same. Read as they are, each copy is another packet: every request seems
// answered by its own copy a few µs (or, behind a delay inside the host, a one-way trip) later, and
// the derived round trips shrink (halved and worse on a lab router).
//
// Rule: each TCP stream is read at one interface, the one its first packet was captured on (for a
// connection made through the host, the interface facing the client). A packet captured on another
// interface is dropped when the same packet (same stream and direction, TCP sequence and
// acknowledgement numbers, flags and payload length, and IPv4 identification when there is one) is
// captured on the stream's interface within COPIES.windowUs before or after it: it is a copy. So the
// stream's own interface is never thinned (a retransmission there is a packet of its own, kept),
// and a packet that never shows on it (routing that takes one direction elsewhere) is kept too.
// To see copies that come after, frames are held COPIES.windowUs of capture time (at most
// COPIES.maxPending of them) and passed on in capture order: memory is bounded by constants.
import type { TcpPacket } from './tcp.js';

export const COPIES = {
  /** Copies are this close in capture time. On a real host they are µs apart; the window also covers
   *  a delay inside the host (the lab router holds packets ~20 ms between its interfaces). */
  windowUs: 200_000,
  /** At most this many frames are held at once; past it the oldest are passed on early. */
  maxPending: 100_000,
};

interface Pending { p: TcpPacket; iface: number; key: string }

export class InterfaceCopies {
  /** Copies dropped. */
  dropped = 0;
  /** Frames passed on before their window was over (the pending bound). */
  early = 0;
  private readonly pending: Pending[] = [];
  private head = 0;
  /** Stream -> the interface it is read at. */
  private readonly own = new Map<number, number>();
  /** Packet key -> when it was last captured on its stream's interface; with its expiry queue. */
  private readonly onOwn = new Map<string, number>();
  private readonly onOwnQueue: [string, number][] = [];
  private onOwnHead = 0;
  private readonly interfaces = new Set<number>();

  constructor(private readonly pass: (p: TcpPacket) => void, private readonly limits: typeof COPIES = COPIES) {}

  /** Interfaces seen (a capture from one interface has nothing to drop). */
  get interfaceCount(): number { return this.interfaces.size; }

  add(p: TcpPacket, iface: number, ipId: number): void {
    this.interfaces.add(iface);
    let own = this.own.get(p.stream);
    if (own === undefined) { own = iface; this.own.set(p.stream, iface); }
    // first pass on what is a window older than this packet: nothing this packet is can change its fate
    this.release(p.timeUs - this.limits.windowUs);
    const key = `${p.stream}|${p.src}|${p.srcPort}|${p.seq}|${p.ack}|${p.flags}|${p.len}|${ipId}`;
    if (iface === own) {
      this.onOwn.set(key, p.timeUs);
      this.onOwnQueue.push([key, p.timeUs]);
    }
    this.pending.push({ p, iface, key });
    // forget what can no longer match a held frame (it is at least a window older than all of them)
    const oldest = this.head < this.pending.length ? this.pending[this.head]!.p.timeUs : p.timeUs;
    while (this.onOwnHead < this.onOwnQueue.length && this.onOwnQueue[this.onOwnHead]![1] < oldest - this.limits.windowUs) {
      const [k, t] = this.onOwnQueue[this.onOwnHead++]!;
      if (this.onOwn.get(k) === t) this.onOwn.delete(k);
    }
    if (this.onOwnHead > 4096 && this.onOwnHead * 2 > this.onOwnQueue.length) { this.onOwnQueue.splice(0, this.onOwnHead); this.onOwnHead = 0; }
  }

  /** Pass on every frame still held. */
  finish(): void { this.release(Infinity); }

  /** Pass on (or drop) the held frames captured before `beforeUs`, and any over the pending bound. */
  private release(beforeUs: number): void {
    while (this.head < this.pending.length) {
      const e = this.pending[this.head]!;
      const over = this.pending.length - this.head > this.limits.maxPending;
      if (e.p.timeUs >= beforeUs && !over) break;
      if (over && e.p.timeUs >= beforeUs) this.early++;
      this.head++;
      const seen = e.iface === this.own.get(e.p.stream) ? undefined : this.onOwn.get(e.key);
      if (seen !== undefined && Math.abs(seen - e.p.timeUs) <= this.limits.windowUs) this.dropped++;
      else this.pass(e.p);
    }
    if (this.head > 4096 && this.head * 2 > this.pending.length) { this.pending.splice(0, this.head); this.head = 0; }
  }
}
