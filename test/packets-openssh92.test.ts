// Real captures of Debian 12's OpenSSH 9.2 (fixtures/lab/openssh92, made by its run.sh): at the server,
// at the server by a tcpdump killed with SIGKILL, and at the forwarding router with `tcpdump -i any`.
// Path: alice, bob, carol ~40 ms RTT, dave ~10 ms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { StreamNumberer, decodeFrame, pcapAdapter } from '../src/ingest/adapters/pcap.js';
import type { RawSample } from '../src/ingest/adapter.js';
import { REPO_ROOT, runCli } from './helpers/cli.js';
import { labBytes, parsePcapLE, readWith, writePcap } from './helpers/packets.js';

const DIR = 'fixtures/lab/openssh92';
const path92 = (name: string): string => resolve(REPO_ROOT, DIR, name);
const bytes92 = (name: string): Buffer => readFileSync(path92(name));
const accounts = { accounts: path92('accounts.csv') };
const tmp = mkdtempSync(join(tmpdir(), 'keylag-openssh92-'));

interface Input { status: string; sha256: string | null; records: number; samples: number }
interface Report { header: { inputs: Input[]; warnings: string[] }; accounts: { account: string; kinds: { kind: string; n: number }[] }[] }
function scan(file: string): Report {
  const r = runCli(['scan', file, '--accounts', path92('accounts.csv'), '--format', 'json']);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Report;
}
const kindsOf = (rep: Report) => rep.accounts.map((a) => `${a.account}: ${a.kinds.map((k) => `${k.kind} ${k.n}`).join(', ')}`).sort();

/** Values of one account's samples of one kind, ascending. */
function values(samples: RawSample[], account: string, kind: string): number[] {
  return samples.filter((s) => s.account === account && s.kind === kind).map((s) => s.valueMs).sort((a, b) => a - b);
}

test('OpenSSH 9.2 at the server (eth.pcap): keystroke intervals, reactions, and app_rtt floors on the path', async () => {
  const { samples } = await readWith(pcapAdapter, bytes92('eth.pcap'), accounts);
  for (const [account, pathMs] of [['alice', 40], ['dave', 10]] as const) {
    const keys = values(samples, account, 'keystroke_interval');
    const reactions = values(samples, account, 'reaction');
    const app = values(samples, account, 'app_rtt');
    assert.ok(keys.length > 50, `${account}: ${keys.length} keystroke intervals`);
    assert.ok(reactions.length >= 5 && reactions[0]! > 300, `${account}: reactions ${reactions.join(' ')}`);
    assert.ok(app.length >= 5, `${account}: ${app.length} app_rtt`);
    // setup turns and keep-alive replies: the path, not think times (before: up to 847/1,097 ms)
    assert.ok(app[0]! >= pathMs && app[0]! < pathMs + 5, `${account}: app_rtt floor ${app[0]}`);
    assert.ok(app[app.length - 1]! < 150, `${account}: app_rtt max ${app[app.length - 1]}`);
    const rtt = values(samples, account, 'rtt');
    assert.ok(rtt[0]! >= pathMs && rtt[0]! < pathMs + 5, `${account}: rtt floor ${rtt[0]}`);
  }
});

test('a capture cut off inside its last record (tcpdump killed with SIGKILL) is read up to it, with a warning', () => {
  const file = path92('killed.pcap');
  const rep = scan(file);
  const input = rep.header.inputs[0]!;
  assert.equal(input.status, 'read');
  assert.equal(input.sha256, createHash('sha256').update(bytes92('killed.pcap')).digest('hex'));
  assert.equal(input.records, 1724); // tshark and capinfos read 1,724 frames too
  assert.deepEqual(rep.header.warnings, [`${file}: capture cut off, as when tcpdump is killed or still writing: the record after frame 1724 `
    + '(at byte 245668) is incomplete (frame 1725: 76 of 126 bytes); the 1724 complete frames before it were read']);
  // the same samples as the complete frames alone (the file up to the cut-off record), which warns of nothing
  const whole = join(tmp, 'killed-complete.pcap');
  writeFileSync(whole, bytes92('killed.pcap').subarray(0, 245668));
  const ref = scan(whole);
  assert.deepEqual(ref.header.warnings, []);
  assert.equal(input.samples, ref.header.inputs[0]!.samples);
  assert.ok(input.samples > 700, `${input.samples} samples`);
  assert.deepEqual(kindsOf(rep), kindsOf(ref));
});

test('a pcapng cut off inside a block is read up to it, with a warning', async () => {
  const cut = labBytes('alice-client.pcapng').subarray(0, 3001);
  const got = await readWith(pcapAdapter, cut, {});
  assert.match(got.result.warnings?.[0] ?? '', /^capture cut off, as when tcpdump is killed or still writing: the record after frame (\d+) \(at byte \d+\) is incomplete \(pcapng block \d+: \d+ of \d+ bytes\); the \1 complete frames before it were read$/);
  const complete = Number(/after frame (\d+)/.exec(got.result.warnings![0]!)![1]);
  assert.equal(got.result.records, complete);
  assert.ok(complete > 10, `${complete} frames`);
  assert.ok(got.notes.some((n) => n.startsWith('pcapng, little-endian')), got.notes.join(' | '));
});

/** rtr-any.pcap's frames (SLL2) with the interface index each names. */
function routerFrames() {
  const cap = parsePcapLE(bytes92('rtr-any.pcap'));
  assert.equal(cap.linkType, 276);
  return { cap, ifindex: (r: { data: Buffer }) => r.data.readUInt32BE(4) };
}
/** What two reads of the same packets must agree on (frame numbers differ once frames are left out). */
const timing = (s: RawSample) => `${s.kind}|${s.timeUs}|${s.valueMs}|${s.account}|${s.session}`;

test('tcpdump -i any on a forwarding router: copies on other interfaces dropped, each stream read at one interface', async () => {
  const got = await readWith(pcapAdapter, bytes92('rtr-any.pcap'), accounts);
  // 7,012 frames of 1,753 packets (eth.pcap at the server holds the same 1,753 TCP packets)
  assert.deepEqual(got.result.warnings, ['packets captured on several interfaces (6; tcpdump -i any on a host that forwards, or a pcapng of several '
    + 'interfaces): 5259 copies of packets dropped, each TCP stream read at the interface its first packet was captured on '
    + '(copies: the same packet on another interface within 200 ms)']);
  assert.ok(got.notes.includes('8 TCP streams; capture point near the server in 0, near the client in 8'), got.notes.join(' | '));
  for (const [account, pathMs] of [['alice', 40], ['bob', 40], ['carol', 40], ['dave', 10]] as const) {
    const rtt = values(got.samples, account, 'rtt');
    const app = values(got.samples, account, 'app_rtt');
    assert.ok(rtt.length >= 10 && rtt[0]! >= pathMs && rtt[0]! < pathMs + 3, `${account}: rtt floor ${rtt[0]} (${rtt.length})`);
    assert.ok(app.length >= 50 && app[0]! >= pathMs && app[0]! < pathMs + 3, `${account}: app_rtt floor ${app[0]} (${app.length})`);
  }
  // the same samples as the frames of the client-facing interfaces alone (where each stream began)
  const { cap, ifindex } = routerFrames();
  const clientSide = writePcap({ ...cap, records: cap.records.filter((r) => [3, 4, 5, 6].includes(ifindex(r))) });
  const ref = await readWith(pcapAdapter, clientSide, accounts);
  assert.deepEqual(ref.result.warnings, []);
  assert.equal(ref.result.records, 1753);
  assert.deepEqual(got.samples.map(timing), ref.samples.map(timing));
});

test('copies across interfaces: a resent packet on the stream\'s own interface is kept, a packet seen only elsewhere is kept', async () => {
  const { cap, ifindex } = routerFrames();
  // the server's interface (2) and alice's (3): alice's packets on both, the others' on 2 alone
  const two = cap.records.filter((r) => [2, 3].includes(ifindex(r)));
  const fromServer = (r: { data: Buffer }) => r.data.readUInt16BE(20 + 20) === 22; // SLL2 20 bytes, IPv4 20, TCP source port
  const dropped = async (records: typeof two) => {
    const got = await readWith(pcapAdapter, writePcap({ ...cap, records }), accounts);
    return Number(/: (\d+) copies of packets dropped/.exec(got.result.warnings?.[0] ?? '')?.[1] ?? 0);
  };
  const base = await dropped(two);
  const alice = two.filter((r) => ifindex(r) === 3).length;
  assert.equal(base, alice, 'each of alice\'s packets once on each interface: one copy each');
  // alice's handshake ACK again 1 ms later, same IPv4 ID: on her interface (the stream's own) a packet of its own, kept;
  // on the server's interface a copy of the one on hers, dropped
  const ack = two.findIndex((r) => ifindex(r) === 3 && r.data[20 + 33] === 0x10);
  const resent = (iface: number) => {
    const again = { ...two[ack]!, frac: two[ack]!.frac + 1000, data: Buffer.from(two[ack]!.data) };
    again.data.writeUInt32BE(iface, 4);
    return [...two.slice(0, ack + 1), again, ...two.slice(ack + 1)];
  };
  assert.equal(await dropped(resent(3)), base);
  assert.equal(await dropped(resent(2)), base + 1);
  // the server's packets to alice left out of her interface: seen only on the server's, kept
  const missing = two.filter((r) => ifindex(r) === 3 && fromServer(r)).length;
  assert.ok(missing > 100, `${missing}`);
  assert.equal(await dropped(two.filter((r) => !(ifindex(r) === 3 && fromServer(r)))), base - missing);
});

test('a pcapng of several interfaces: the same copies dropped as from tcpdump -i any', async () => {
  // rtr-any.pcap rewritten as dumpcap writes several interfaces: one interface block each, raw IP frames
  const { cap, ifindex } = routerFrames();
  const ifaces = [...new Set(cap.records.map(ifindex))].sort((a, b) => a - b);
  const block = (type: number, body: Buffer) => {
    const pad = Buffer.alloc((4 - (body.length % 4)) % 4);
    const len = 12 + body.length + pad.length;
    const head = Buffer.alloc(8); head.writeUInt32LE(type, 0); head.writeUInt32LE(len, 4);
    const tail = Buffer.alloc(4); tail.writeUInt32LE(len, 0);
    return Buffer.concat([head, body, pad, tail]);
  };
  const shb = Buffer.alloc(16); shb.writeUInt32LE(0x1a2b3c4d, 0); shb.writeUInt16LE(1, 4); shb.writeBigInt64LE(-1n, 8);
  const parts = [block(0x0a0d0d0a, shb)];
  for (const _ of ifaces) { const idb = Buffer.alloc(8); idb.writeUInt16LE(101, 0); idb.writeUInt32LE(0, 4); parts.push(block(1, idb)); }
  for (const r of cap.records) {
    const ip = r.data.subarray(20);
    const epb = Buffer.alloc(20); const us = BigInt(r.sec) * 1_000_000n + BigInt(r.frac);
    epb.writeUInt32LE(ifaces.indexOf(ifindex(r)), 0); epb.writeUInt32LE(Number(us >> 32n), 4); epb.writeUInt32LE(Number(us & 0xffffffffn), 8);
    epb.writeUInt32LE(ip.length, 12); epb.writeUInt32LE(r.orig - 20, 16);
    parts.push(block(6, Buffer.concat([epb, ip])));
  }
  const ng = await readWith(pcapAdapter, Buffer.concat(parts), accounts);
  const any = await readWith(pcapAdapter, bytes92('rtr-any.pcap'), accounts);
  assert.match(ng.result.warnings?.[0] ?? '', /^packets captured on several interfaces \(6; .*\): 5259 copies of packets dropped/);
  assert.deepEqual(ng.samples.map(timing), any.samples.map(timing));
});

/** eth.pcap as tshark exports it (the README's command), written here from the frames keylag decodes. */
function ethAsTsharkCsv(): string {
  const cap = parsePcapLE(bytes92('eth.pcap'));
  const numberer = new StreamNumberer();
  const rows = ['frame.number,frame.time_epoch,ip.src,ip.dst,ipv6.src,ipv6.dst,tcp.srcport,tcp.dstport,tcp.stream,tcp.len,tcp.flags,tcp.seq_raw,tcp.ack_raw'];
  cap.records.forEach((r, i) => {
    const t = decodeFrame(cap.linkType, r.data, r.orig);
    if (t === null) return;
    const v6 = t.src.includes(':');
    const cells = [i + 1, `${r.sec}.${String(r.frac).padStart(6, '0')}000`, v6 ? '' : t.src, v6 ? '' : t.dst, v6 ? t.src : '', v6 ? t.dst : '',
      t.srcPort, t.dstPort, numberer.assign(t), t.len, `0x${t.flags.toString(16).padStart(4, '0')}`, t.seq, t.ack];
    rows.push(cells.map((c) => (c === '' ? '' : `"${c}"`)).join(','));
  });
  return rows.join('\n') + '\n';
}

test('SSH on port 2200: read as SSH by its identification string in a raw capture, by --ssh-port in a tshark export', () => {
  const kindsOf2200 = (args: string[]) => {
    const r = runCli(['extract', ...args, '--accounts', path92('accounts.csv'), '-f', 'csv']);
    assert.equal(r.status, 0, r.stderr);
    const bob = r.stdout.trim().split('\n').slice(1).map((l) => l.split(',')).filter((c) => c[1] === 'bob');
    return { kinds: [...new Set(bob.map((c) => c[3]))].sort(), rows: bob.map((c) => c.slice(0, 5).join(',')).sort() };
  };
  // bob's two sessions go to port 2200; the capture holds "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10" from both ends
  const raw = kindsOf2200([path92('eth.pcap')]);
  assert.deepEqual(raw.kinds, ['app_rtt', 'keystroke_interval', 'reaction', 'rtt']);
  const csv = join(tmp, 'eth.tshark.csv');
  writeFileSync(csv, ethAsTsharkCsv());
  // a tshark export has no payload: port 2200 is not SSH unless named, and a note names the streams that look typed
  assert.deepEqual(kindsOf2200([csv]).kinds, ['rtt']);
  const rep = scan(csv);
  const note = (rep.header.inputs[0] as Input & { notes: string[] }).notes.find((n) => n.includes('look typed'));
  assert.equal(note, '3 stream(s) look typed but are not read as SSH (SSH is read on ports 22, 2222 and, in raw captures, by its identification string): '
    + 'stream 1 (bob, port 2200: 50 client messages of 36 bytes); stream 4 (carol, port 2200: 44 client messages of 36 bytes); '
    + 'stream 6 (bob, port 2200: 46 client messages of 36 bytes); --ssh-port PORT reads a port as SSH');
  // --ssh-port 2200 (and as a list, repeated): the same samples as the raw capture's
  for (const args of [['--ssh-port', '2200'], ['--ssh-port', '8022,2200'], ['--ssh-port', '8022', '--ssh-port', '2200']]) {
    assert.deepEqual(kindsOf2200([csv, ...args]).rows, raw.rows, args.join(' '));
  }
  const bad = runCli(['scan', csv, '--ssh-port', '22x']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--ssh-port expects TCP ports \(1-65535, repeatable or a comma list\), got '22x'/);
});
