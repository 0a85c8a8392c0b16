// The stream derivations on small hand-built TCP streams: each rule and each exclusion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deriveStream, TCP_ACK, TCP_SYN, type TcpPacket } from '../src/ingest/derive/tcp.js';
import { parseAccountsMap, accountOf } from '../src/ingest/derive/accounts-map.js';
import { isKeylagError } from '../src/errors.js';

const T0 = 1_772_445_791_000_000;
const PSH_ACK = 0x18;

/** A little stream builder: client 10.0.0.9:50000 <-> server 10.0.0.1:22, sequence numbers tracked. */
class Stream {
  packets: TcpPacket[] = [];
  private seq = { c: 1000, s: 5000 };
  constructor(private readonly port = 22) {}
  private add(fromClient: boolean, ms: number, len: number, flags: number): TcpPacket {
    const p: TcpPacket = {
      frame: this.packets.length + 1, timeUs: T0 + Math.round(ms * 1000),
      src: fromClient ? '10.0.0.9' : '10.0.0.1', dst: fromClient ? '10.0.0.1' : '10.0.0.9',
      srcPort: fromClient ? 50000 : this.port, dstPort: fromClient ? this.port : 50000, stream: 0,
      len, flags, seq: fromClient ? this.seq.c : this.seq.s, ack: fromClient ? this.seq.s : this.seq.c, line: this.packets.length + 2,
    };
    if (fromClient) this.seq.c += len + (flags & TCP_SYN ? 1 : 0); else this.seq.s += len + (flags & TCP_SYN ? 1 : 0);
    this.packets.push(p);
    return p;
  }
  c(ms: number, len = 0, flags = len > 0 ? PSH_ACK : TCP_ACK) { return this.add(true, ms, len, flags); }
  s(ms: number, len = 0, flags = len > 0 ? PSH_ACK : TCP_ACK) { return this.add(false, ms, len, flags); }
  handshake(serverSide: boolean, rttMs: number) {
    this.c(0, 0, TCP_SYN);
    this.s(serverSide ? 0.05 : rttMs, 0, TCP_SYN | TCP_ACK);
    this.c(serverSide ? rttMs : rttMs + 0.05);
    return this;
  }
}

const values = (r: ReturnType<typeof deriveStream>, kind: string) => r.samples.filter((s) => s.kind === kind).map((s) => s.valueMs);

test('server-side capture: handshake rtt, setup app_rtt, keep-alive, reaction, keystrokes; no echo "round trip"', () => {
  const st = new Stream().handshake(true, 20);
  // setup: lock-step turns, the client answers 30 ms after each server message (20 ms path + 10 ms processing)
  let t = 25;
  st.c(t, 41); // banner
  for (const len of [992, 256, 100, 28]) { st.s(t += 2, len); st.c(t += 30, len + 40); }
  // the shell prompt, then the user types "ls<enter>" after 600 ms, each key echoed at once
  st.s(t += 5, 60);
  let key = t + 600;
  for (let i = 0; i < 3; i++) { st.c(key, 36); st.s(key + 0.3, 36); key += 150; }
  st.s(key, 200); // command output + prompt
  t = key;
  // idle: sshd's keep-alive after 1 s, the client replies after the 20 ms path
  st.s(t += 1000, 60); st.c(t += 20.5, 36);
  // then the next command after the user's 700 ms think time
  st.c(t += 700, 36); st.s(t + 0.2, 36);
  const r = deriveStream(st.packets);
  assert.equal(r.summary.vantage, 'server');
  assert.equal(r.summary.vantageFrom, 'handshake');
  assert.equal(r.summary.ssh, true);
  assert.deepEqual(values(r, 'app_rtt'), [30, 30, 30, 30, 20.5]);
  assert.deepEqual(values(r, 'keystroke_interval'), [150, 150]);
  // the first key after the prompt (600 ms after it), the key after the keep-alive is not a reaction to output
  assert.deepEqual(values(r, 'reaction'), [600]);
  assert.equal(values(r, 'rtt')[0], 19.95);
  assert.ok(values(r, 'app_rtt').every((v) => v > 1), 'no keystroke -> echo pair at the server side');
});

test('a one-off client message smaller than a keystroke (OpenSSH 9.2 sends NEWKEYS, 16 bytes, alone) is not the keystroke size', () => {
  const st = new Stream().handshake(true, 20);
  let t = 25;
  st.c(t, 41); // banner
  st.s(t += 2, 992); st.c(t += 30, 1032); // KEXINIT
  st.s(t += 2, 256); st.c(t += 30, 16); // NEWKEYS, alone, the session's smallest client message
  for (const len of [100, 28]) { st.s(t += 2, len); st.c(t += 30, len + 40); }
  st.s(t += 5, 60); // prompt
  let key = t + 600;
  for (let i = 0; i < 3; i++) { st.c(key, 36); st.s(key + 0.3, 36); key += 150; }
  st.s(key, 200);
  const r = deriveStream(st.packets);
  // Before: the keystroke size was 16 (seen once), so no typing: the first key after the prompt was
  // taken for a setup reply, a 600 ms "app_rtt", and there were no keystroke intervals.
  assert.deepEqual(values(r, 'app_rtt'), [30, 30, 30, 30]);
  assert.deepEqual(values(r, 'keystroke_interval'), [150, 150]);
  assert.deepEqual(values(r, 'reaction'), [600]);
});

test('client-side capture: handshake SYN -> SYN-ACK, keystroke -> echo as app_rtt, no reaction', () => {
  const st = new Stream().handshake(false, 40);
  let t = 50;
  st.c(t, 41); st.s(t += 41, 41);
  for (let i = 0; i < 5; i++) { st.c(t += 200, 36); st.s(t + 42, 36); }
  const r = deriveStream(st.packets);
  assert.equal(r.summary.vantage, 'client');
  assert.equal(values(r, 'rtt')[0], 40);
  assert.deepEqual(values(r, 'app_rtt'), [41, 42, 42, 42, 42, 42]);
  assert.deepEqual(values(r, 'keystroke_interval'), [200, 200, 200, 200]);
  assert.deepEqual(values(r, 'reaction'), []);
});

test('ACK round trips: pure ACKs only, retransmitted segments excluded (Karn)', () => {
  const st = new Stream(8080).handshake(true, 10);
  st.s(20, 100); st.c(30); // 10 ms
  const seg = st.s(40, 100); st.c(48, 5); // an ACK riding on data: not a transport sample
  st.s(60, 100);
  st.packets.push({ ...st.packets[st.packets.length - 1]!, frame: st.packets.length + 1, timeUs: T0 + 260_000 }); // retransmission
  st.c(270);
  void seg;
  const r = deriveStream(st.packets);
  assert.equal(r.summary.ssh, false);
  assert.deepEqual(values(r, 'rtt'), [9.95, 10], 'the handshake and the first segment; the ACK on data and the retransmitted range give none');
});

test('obfuscated keystrokes (20 ms grid with chaff): recognised, no keystroke intervals, reported', () => {
  const st = new Stream().handshake(true, 8);
  let t = 20;
  st.c(t, 41);
  for (const len of [992, 256, 100]) { st.s(t += 2, len); st.c(t += 9, len + 40); }
  st.s(t += 3, 60); // prompt
  t += 500;
  for (let i = 0; i < 60; i++) { st.c(t + i * 20 + (i % 3) * 0.7, 36); st.s(t + i * 20 + 0.3 + (i % 3) * 0.7, 36); }
  const r = deriveStream(st.packets);
  assert.equal(r.summary.obfuscated, true);
  assert.ok(r.summary.gridPackets >= 55, String(r.summary.gridPackets));
  assert.deepEqual(values(r, 'keystroke_interval'), []);
  assert.deepEqual(values(r, 'reaction'), [500], 'the real key that started the burst is still a reaction');
});

test('a keystroke that crosses a keep-alive (echoed at once) is not taken for its reply', () => {
  const st = new Stream().handshake(true, 6);
  let t = 20;
  st.c(t, 41);
  for (const len of [992, 256]) { st.s(t += 2, len); st.c(t += 110, len + 40); }
  st.s(t += 3, 60); // prompt, three keys
  for (let i = 0; i < 3; i++) { st.c(t += 400, 36); st.s(t + 0.3, 36); }
  st.s(t += 1000, 60); // keep-alive ...
  st.c(t += 35, 36); st.s(t + 2, 36); // ... crossed by a key that was already on its way (echoed)
  const r = deriveStream(st.packets);
  assert.deepEqual(values(r, 'app_rtt'), [110, 110]);
});

test('accounts map: IP, IP:port, [v6]:port, FILE#stream; lookup order; errors name the line', () => {
  const map = parseAccountsMap('address,account\n# comment\n10.0.0.9,alice\n10.0.0.9:50001,bob\n[2001:db8::1]:40000,carol\nserver.pcap#7,dave\n', 'map.csv');
  const ep = { stream: 3, client: '10.0.0.9', clientPort: 50000, server: '10.0.0.1', serverPort: 22 };
  assert.deepEqual(accountOf(map, 'x/server.pcap', ep), { account: 'alice', via: '10.0.0.9' });
  assert.deepEqual(accountOf(map, 'x/server.pcap', { ...ep, clientPort: 50001 }), { account: 'bob', via: '10.0.0.9:50001' });
  assert.deepEqual(accountOf(map, 'x/server.pcap', { ...ep, stream: 7 }), { account: 'dave', via: 'server.pcap#7' });
  assert.equal(accountOf(map, 'a.pcap', { ...ep, client: '2001:DB8::1', clientPort: 40000 }).account, 'carol');
  assert.deepEqual(accountOf(map, 'a.pcap', { ...ep, client: '10.9.9.9' }), { account: '10.9.9.9', via: null });
  assert.throws(() => parseAccountsMap('10.0.0.9,alice\nnot-an-address,bob\n', 'm.csv'), (e: unknown) => isKeylagError(e) && e.line === 2 && /not an IP, IP:port or FILE#stream/.test(e.message));
});
