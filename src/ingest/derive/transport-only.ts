// Transport round trips of a stream whose packets carry no sequence numbers: a tshark export of
// DESIGN.md's short field list (frame.time_epoch, addresses, ports, tcp.stream, tcp.len, tcp.flags,
// tcp.analysis.ack_rtt). Without sequence and acknowledgement numbers no request can be matched to
// the reply that acknowledges it, so the application rules of tcp.ts (app_rtt, reaction, typing)
// are not applied: a guessed pairing would be evidence nobody can defend. What stays measurable:
//   rtt  the handshake, as tcp.ts times it (SYN-ACK -> ACK near the server, SYN -> SYN-ACK near
//        the client), the client's first ACK after the SYN-ACK standing in for the one whose ack
//        number tcp.ts checks;
//   rtt  Wireshark's tcp.analysis.ack_rtt on the ACKs the far end sends (the near end's own ACKs
//        time its stack, not the path), as Wireshark computed it.
// The capture point: from the handshake as tcp.ts decides it; else the end whose ACKs come fastest
// (smallest ack_rtt) is the near one; else assumed near the server.
import type { Kind } from '../../types.js';
import {
  endpointsOf, handshakeOf, vantageOf, type DerivedSample, type StreamCarry, type StreamSummary, type TcpPacket,
} from './tcp.js';

export function deriveTransportOnly(packets: readonly TcpPacket[], carry?: StreamCarry): {
  summary: StreamSummary; samples: DerivedSample[]; carry: StreamCarry;
} {
  const first = packets[0]!;
  const { syn, client, clientPort, server, serverPort, isClient } = endpointsOf(packets, carry);
  const samples: DerivedSample[] = [];
  const push = (to: TcpPacket, fromTimeUs: number, fromFrame: number): void => {
    const us = to.timeUs - fromTimeUs;
    if (us < 0) return;
    samples.push({ kind: 'rtt', timeUs: to.timeUs, valueMs: us / 1000, frame: to.frame, line: to.line, fromFrame });
  };

  const handshake = handshakeOf(packets, syn, isClient, carry, false);
  const { synAck, hsAck } = handshake;
  const { vantage, vantageFrom } = vantageOf(carry, handshake.vantage, () => {
    const fastest: [number, number] = [Infinity, Infinity]; // smallest ack_rtt of ACKs sent by [client, server]
    for (const p of packets) {
      if (p.ackRttUs !== undefined) { const d = isClient(p) ? 0 : 1; fastest[d] = Math.min(fastest[d], p.ackRttUs); }
    }
    return fastest;
  });

  const timed = handshake.timed(vantage);
  if (timed !== null) push(timed.to, timed.fromTimeUs, timed.fromFrame);
  // ACKs of the far end: from the client when the capture is near the server, and the reverse.
  const farIsClient = vantage === 'server';
  for (const p of packets) {
    // The handshake's own ACKs (SYN-ACK, the ACK after it) are timed above already.
    if (p.ackRttUs === undefined || isClient(p) !== farIsClient || p === hsAck || p === synAck) continue;
    push(p, p.timeUs - p.ackRttUs, p.frame);
  }

  samples.sort((a, b) => a.timeUs - b.timeUs || a.frame - b.frame);
  const counts: Record<Kind, number> = { rtt: samples.length, app_rtt: 0, reaction: 0, keystroke_interval: 0, input_lag: 0 };
  const firstTimeUs = carry ? carry.firstTimeUs : first.timeUs;
  return {
    summary: {
      stream: first.stream, client, clientPort, server, serverPort, vantage, vantageFrom, ssh: false, keyLike: 0, keyLikeLen: 0,
      packets: packets.length, firstTimeUs, gridPackets: 0, obfuscated: false, counts,
    },
    samples,
    // The application rules' state stays empty: they are not applied here.
    carry: {
      stream: first.stream, firstTimeUs, client, clientPort, server, serverPort, vantage, vantageFrom, ssh: false,
      isn: [null, null], highestEnd: [0, 0], ackedTo: [0, 0], outstanding: [], setupDone: false, setupClientSeen: 0,
      clientSizes: [], serverSizes: [], obfuscated: false, lastLossUs: -1, turn: null, lastClient: null, outputSinceClient: false,
      prevKey: null, pendingRequests: [], answeredTo: 0,
    },
  };
}
