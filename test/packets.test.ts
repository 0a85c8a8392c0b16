// Packet timing (issue 5): tshark exports and raw captures of the lab's real OpenSSH traffic give
// the same samples; every pcap dialect reads the same; broken captures fail with one line, exit 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tsharkAdapter, parseEpochToUs } from '../src/ingest/adapters/tshark.js';
import { pcapAdapter, formatIpv6 } from '../src/ingest/adapters/pcap.js';
import { isKeylagError } from '../src/errors.js';
import { runCli } from './helpers/cli.js';
import { LAB, comparable, labBytes, labPath, parsePcapLE, readWith, relink, writePcap } from './helpers/packets.js';

const accounts = { accounts: labPath('accounts.csv') };
const tmp = mkdtempSync(join(tmpdir(), 'keylag-packets-'));

test('tshark CSV and raw pcap give the same samples, frame by frame, times equal to the microsecond', async () => {
  for (const [cap, csv] of [['server.pcap', 'server.tshark.csv'], ['alice-client.pcapng', 'alice-client.tshark.csv']] as const) {
    const fromPcap = await readWith(pcapAdapter, labBytes(cap), accounts);
    const fromCsv = await readWith(tsharkAdapter, labBytes(csv), accounts);
    assert.ok(fromPcap.samples.length > 500, `${cap}: ${fromPcap.samples.length} samples`);
    assert.deepEqual(fromPcap.samples.map(comparable), fromCsv.samples.map(comparable), cap);
    assert.equal(fromPcap.result.records, fromCsv.result.records, `${cap}: every frame is TCP in this capture`);
    // the raw path's line is the frame number
    for (const s of fromPcap.samples.slice(0, 50)) assert.equal(s.sourceId, `frame ${s.line}`);
  }
});

test('every pcap dialect reads the same: big-endian, nanoseconds, Linux SLL, SLL2, raw IP, gzip', async () => {
  const base = parsePcapLE(labBytes('server.pcap'));
  assert.equal(base.linkType, 1);
  const reference = (await readWith(pcapAdapter, labBytes('server.pcap'), accounts)).samples.map(comparable);
  const variants: [string, Buffer][] = [
    ['big-endian', writePcap(base, { bigEndian: true })],
    ['nanosecond', writePcap(base, { nano: true })],
    ['big-endian nanosecond', writePcap(base, { bigEndian: true, nano: true })],
    ['linux sll', writePcap(relink(base, 'sll'))],
    ['linux sll2', writePcap(relink(base, 'sll2'))],
    ['raw ip', writePcap(relink(base, 'raw'), { nano: true })],
  ];
  for (const [name, bytes] of variants) {
    assert.equal(pcapAdapter.detect('', bytes), 1, name);
    const got = await readWith(pcapAdapter, bytes, accounts, 'capture', 1000);
    assert.deepEqual(got.samples.map(comparable), reference, name);
  }
});

test('pcapng from dumpcap: interface block, enhanced packets, same samples as its tshark export', async () => {
  const bytes = labBytes('alice-client.pcapng');
  assert.equal(bytes.readUInt32LE(0), 0x0a0d0d0a);
  const got = await readWith(pcapAdapter, bytes, accounts);
  assert.ok(got.notes.some((n) => n.startsWith('pcapng, little-endian')));
  assert.ok(got.notes.some((n) => /near the client in 4/.test(n)), got.notes.join(' | '));
  // a client-side capture measures keystroke -> echo as the application round trip
  const app = got.samples.filter((s) => s.kind === 'app_rtt').map((s) => s.valueMs).sort((a, b) => a - b);
  assert.ok(app.length > 100 && app[0]! > 5 && app[0]! < 10, `app_rtt floor ${app[0]}`);
  assert.equal(got.samples.filter((s) => s.kind === 'reaction').length, 0, 'no reaction from a client-side capture');
});

test('tshark adapter: field order and extra fields do not matter; missing required fields are listed', async () => {
  const text = labBytes('server.tshark.csv').toString('utf8').split('\n').slice(0, 3000);
  const rows = text.filter((l) => l !== '').map((l) => l.split(','));
  const order = [12, 0, 5, 3, 2, 4, 11, 10, 9, 8, 7, 6, 1];
  const shuffled = rows.map((r, i) => [...order.map((j) => r[j]!), i === 0 ? 'tcp.analysis.ack_rtt' : '"0.1"'].join(',')).join('\n') + '\n';
  const a = await readWith(tsharkAdapter, Buffer.from(text.join('\n') + '\n'), accounts);
  const b = await readWith(tsharkAdapter, Buffer.from(shuffled), accounts);
  assert.ok(a.samples.length > 100);
  assert.deepEqual(b.samples.map(comparable), a.samples.map(comparable));
  assert.ok(b.notes.includes('tshark fields: 14 columns, 1 extra ignored'));

  const lacking = 'frame.time_epoch,ip.src,ip.dst,tcp.srcport,tcp.dstport,tcp.stream,tcp.len\n"1772445791.0","10.0.0.1","10.0.0.2","1","22","0","0"\n';
  assert.equal(tsharkAdapter.detect(lacking, Buffer.from(lacking)), 0.9);
  await assert.rejects(readWith(tsharkAdapter, Buffer.from(lacking)), (err: unknown) => {
    assert.ok(isKeylagError(err));
    assert.match(err.message, /lacks required field\(s\): tcp\.flags \(export with: tshark -r CAPTURE/);
    return true;
  });
  assert.equal(parseEpochToUs('1795610898.839318999'), 1795610898839318);
  assert.equal(parseEpochToUs('1795610898'), 1795610898000000);
  assert.equal(parseEpochToUs('nope'), null);
});

test('IPv6 addresses print as tshark prints them (RFC 5952)', () => {
  const b = Buffer.from('20010db8000000000000000000000001fe800000000000000211223344556677', 'hex');
  assert.equal(formatIpv6(b, 0), '2001:db8::1');
  assert.equal(formatIpv6(b, 16), 'fe80::211:2233:4455:6677');
  assert.equal(formatIpv6(Buffer.alloc(16), 0), '::');
});

test('broken captures: one line on stderr, exit 2', () => {
  const good = labBytes('server.pcap');
  const cases: [string, Buffer, RegExp][] = [
    ['header.pcap', good.subarray(0, 10), /truncated capture: pcap file header cut off/],
    ['first-frame.pcap', good.subarray(0, 60), /truncated capture: no complete frame \(capture cut off, .*frame 1: 20 of \d+ bytes/],
    ['zero.pcap', Buffer.alloc(0), /empty input/],
    ['garbage.pcap', Buffer.concat([good.subarray(0, 24), Buffer.alloc(64, 0xff)]), /corrupt capture: frame 1 at byte 24 has an impossible header/],
  ];
  for (const [name, bytes, pattern] of cases) {
    const path = join(tmp, name);
    writeFileSync(path, bytes);
    const r = runCli(['scan', path, '--format', 'json']);
    assert.equal(r.status, 2, `${name}: ${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, pattern);
    assert.equal(r.stdout, '');
  }
  // random bytes that are no known format at all
  const path = join(tmp, 'random.pcap');
  writeFileSync(path, Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 97 + 13) % 256)));
  const r = runCli(['scan', path, '--input-format', 'pcap']);
  assert.equal(r.status, 2);
  assert.match(r.stderr.trim(), /^keylag: error: .*random\.pcap: not a pcap or pcapng capture \(magic 0x0d[0-9a-f]{6}\)$/);
});

interface JsonReport {
  header: { inputs: { format: string; notes: string[] }[] };
  accounts: { rank: number | null; account: string; score: number; flagged: boolean; strongest: string; kinds: { kind: string; n: number; floor: { valueMs: number } }[];
    evidence: { signal: string; kind: string; points: number; sentence: string }[] }[];
}

function scanJson(args: string[]): JsonReport {
  const r = runCli(['scan', ...args, '--format', 'json']);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as JsonReport;
}

for (const input of ['server.tshark.csv', 'server.pcap']) {
  test(`done-when on the lab capture (${input}): the relayed account leads with the relay signature`, () => {
    const report = scanJson([`${LAB}/${input}`, '--accounts', `${LAB}/accounts.csv`]);
    const by = new Map(report.accounts.map((a) => [a.account, a]));
    const mallory = by.get('mallory')!;
    const direct = ['alice', 'bob', 'carol', 'dave', 'erin'];
    for (const d of direct) assert.ok(mallory.score > by.get(d)!.score, `mallory above ${d}`);
    assert.equal(mallory.rank, 1);
    const counted = mallory.evidence.filter((e) => e.points > 0).sort((a, b) => b.points - a.points);
    assert.equal(counted[0]!.signal, 'relay_signature');
    assert.equal(counted[0]!.kind, 'app_rtt');
    assert.match(mallory.strongest, /^application round trip 1\d\d\.\d ms vs transport \d\.\d ms: TCP ends ~10\d ms short of the person/);
    // far but honest: a high floor, no relay signature
    const erin = by.get('erin')!;
    const erinRtt = erin.kinds.find((k) => k.kind === 'rtt')!;
    assert.ok(erinRtt.floor.valueMs > 100);
    const erinRelay = erin.evidence.find((e) => e.signal === 'relay_signature' && e.kind === 'app_rtt')!;
    assert.equal(erinRelay.points, 0);
    assert.match(erinRelay.sentence, /no gap beyond processing/);
    // near direct accounts are not flagged
    for (const d of ['alice', 'bob', 'carol', 'dave']) assert.equal(by.get(d)!.flagged, false, d);
    // obfuscation: reported, and no keystroke intervals from chaff
    const notes = report.header.inputs[0]!.notes.join('\n');
    assert.match(notes, /keystroke timing obfuscation .* in 4 stream\(s\): stream 3 \(dave, \d+ packets on the grid\)/);
    assert.equal(by.get('dave')!.kinds.find((k) => k.kind === 'keystroke_interval'), undefined);
    for (const d of ['alice', 'bob', 'carol']) {
      const ki = by.get(d)!.kinds.find((k) => k.kind === 'keystroke_interval')!;
      assert.ok(ki.n > 150 && ki.floor.valueMs > 30, `${d} keystroke floor ${ki.floor.valueMs}`);
    }
  });
}

test('keylag extract: scanning the extract gives the same accounts as scanning the capture', () => {
  for (const format of ['csv', 'jsonl']) {
    const out = join(tmp, `extract.${format}`);
    const r = runCli(['extract', `${LAB}/server.pcap`, '--accounts', `${LAB}/accounts.csv`, '--format', format, '-o', out]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /wrote 4\d{3} samples/);
    const text = readFileSync(out, 'utf8');
    if (format === 'csv') assert.ok(text.startsWith('time,account,session,kind,value_ms,source,source_id\n'));
    const strip = (rep: JsonReport) => JSON.stringify(rep.accounts, (k, v) => (k === 'source' || k === 'lowerSource' || k === 'upperSource' ? undefined : v));
    const direct = scanJson([`${LAB}/server.pcap`, '--accounts', `${LAB}/accounts.csv`]);
    const viaExtract = scanJson([out]);
    assert.equal(strip(viaExtract), strip(direct), format);
  }
});

test('tshark exports as written without keylag\'s command: tab separator, relative tcp.seq/tcp.ack, no frame.number', async () => {
  // Real tshark output of the same capture (fixtures/lab/run-lab.sh): the samples of keylag's own export.
  const reference = (await readWith(tsharkAdapter, labBytes('alice-client.tshark.csv'), accounts)).samples.map(comparable);
  assert.ok(reference.length > 100);
  const tabs = await readWith(tsharkAdapter, labBytes('alice-client.tshark-tabs.tsv'), accounts);
  assert.deepEqual(tabs.samples.map(comparable), reference, 'tab-separated');
  assert.ok(tabs.notes.includes("separator: tab (tshark's default)"), tabs.notes.join(' | '));
  const relative = await readWith(tsharkAdapter, labBytes('alice-client.tshark-relative.csv'), accounts);
  assert.deepEqual(relative.samples.map(comparable), reference, 'relative sequence numbers, frames numbered by row');
  assert.ok(relative.notes.some((n) => n.startsWith('sequence numbers: tcp.seq/tcp.ack')), relative.notes.join(' | '));
  assert.ok(relative.notes.some((n) => n.startsWith('no frame.number')), relative.notes.join(' | '));
  // Detected as tshark from the header whatever the separator.
  for (const name of ['alice-client.tshark-tabs.tsv', 'alice-client.tshark-relative.csv']) {
    assert.ok(tsharkAdapter.detect(labBytes(name).subarray(0, 4096).toString('utf8'), labBytes(name)) >= 0.9, name);
  }
});

test('a tshark export without sequence numbers (DESIGN.md\'s field list) gives transport round trips only: the handshake and the far end\'s ACK RTTs', async () => {
  const full = await readWith(tsharkAdapter, labBytes('alice-client.tshark.csv'), accounts);
  const design = await readWith(tsharkAdapter, labBytes('alice-client.tshark-design.csv'), accounts);
  assert.ok(design.notes.some((n) => n.startsWith('no sequence numbers') && n.includes("tcp.analysis.ack_rtt of the far end's ACKs")), design.notes.join(' | '));
  assert.deepEqual([...new Set(design.samples.map((s) => s.kind))], ['rtt'], 'no app_rtt, reaction or typing without sequence numbers');
  // Every sample is a packet the server sent (this capture is near the client: the server is the far end),
  // valued at that packet's ack_rtt as Wireshark wrote it, but for the handshake's, timed from the SYN.
  const rows = labBytes('alice-client.tshark-design.csv').toString('utf8').trim().split('\n').map((l) => l.split(','));
  const header = rows[0]!;
  const at = (name: string) => header.indexOf(name);
  const fullRttAt = new Map(full.samples.filter((s) => s.kind === 'rtt').map((s) => [s.sourceId, s.valueMs]));
  let fromAckRtt = 0;
  let handshakes = 0;
  for (const s of design.samples) {
    const row = rows[Number(s.sourceId!.replace('frame ', ''))]!;
    assert.equal(row[at('ip.src')], '10.55.0.2', s.sourceId);
    if (row[at('tcp.flags')] === '0x0012') {
      // A SYN-ACK: the handshake, timed from the SYN's timestamp as the full derivation times it.
      assert.equal(s.valueMs, fullRttAt.get(s.sourceId), `handshake ${s.sourceId}`);
      handshakes++;
      continue;
    }
    assert.equal(s.valueMs, parseEpochToUs(row[at('tcp.analysis.ack_rtt')]!)! / 1000, s.sourceId);
    fromAckRtt++;
  }
  assert.equal(handshakes, 4, 'one per stream of this capture');
  assert.ok(fromAckRtt > 100, `${fromAckRtt} ACK round trips`);
  // The same path as the full derivation measures it: medians within 10 %.
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
  const fullRtt = median(full.samples.filter((s) => s.kind === 'rtt').map((s) => s.valueMs));
  const designRtt = median(design.samples.map((s) => s.valueMs));
  assert.ok(Math.abs(designRtt - fullRtt) / fullRtt < 0.1, `medians ${designRtt} vs ${fullRtt} ms`);
});

test('a tshark export without tcp.stream: connections numbered by address and port pair, the same samples and sessions', async () => {
  // The lab's real export with its tcp.stream column taken out (28 connections).
  const lines = labBytes('server.tshark.csv').toString('utf8').trim().split('\n');
  const at = lines[0]!.split(',').indexOf('tcp.stream');
  assert.ok(at > 0);
  const without = lines.map((l) => l.split(',').filter((_, i) => i !== at).join(',')).join('\n') + '\n';
  const reference = await readWith(tsharkAdapter, labBytes('server.tshark.csv'), accounts);
  const got = await readWith(tsharkAdapter, Buffer.from(without), accounts);
  assert.ok(got.notes.some((n) => n.startsWith('no tcp.stream: connections numbered')), got.notes.join(' | '));
  assert.equal(new Set(got.samples.map((s) => s.session)).size, 28);
  assert.deepEqual(got.samples.map(comparable), reference.samples.map(comparable));
});

test('without tcp.stream, a SYN on an address and port pair that was in use starts a new connection (a port reused)', async () => {
  // Two connections from the same client port, one after the other: SYN, SYN-ACK, ACK (near the server: 1 ms, then 30 ms).
  const rows = ['frame.time_epoch,ip.src,ip.dst,tcp.srcport,tcp.dstport,tcp.len,tcp.flags'];
  for (const [start, rttMs] of [[1772445791, 40], [1772445800, 55]] as const) {
    const t = (ms: number) => (start + ms / 1000).toFixed(6);
    rows.push(`${t(0)},10.0.0.9,10.0.0.1,40000,22,0,0x0002`, `${t(1)},10.0.0.1,10.0.0.9,22,40000,0,0x0012`,
      `${t(1 + rttMs)},10.0.0.9,10.0.0.1,40000,22,0,0x0010`, `${t(2 + rttMs)},10.0.0.9,10.0.0.1,40000,22,5,0x0018`,
      `${t(3 + rttMs)},10.0.0.9,10.0.0.1,40000,22,0,0x0011`, `${t(4 + rttMs)},10.0.0.1,10.0.0.9,22,40000,0,0x0011`);
  }
  const got = await readWith(tsharkAdapter, Buffer.from(rows.join('\n') + '\n'));
  assert.deepEqual(got.samples.map((s) => [s.session, s.kind, s.valueMs]), [['0', 'rtt', 40], ['1', 'rtt', 55]]);
});

test('a tshark export with -E quote=s (values in single quotes) gives the standard export\'s samples', async () => {
  // tshark 4.0.17's -E quote=s export of server.pcap is byte for byte the standard export with ' for "
  const standard = labBytes('server.tshark.csv');
  const single = Buffer.from(standard.toString('latin1').replaceAll('"', "'"), 'latin1');
  const a = await readWith(tsharkAdapter, standard, accounts);
  const b = await readWith(tsharkAdapter, single, accounts);
  assert.equal(b.rejections.length, 0, JSON.stringify(b.rejections.slice(0, 2)));
  assert.ok(a.samples.length > 500);
  assert.deepEqual(b.samples.map(comparable), a.samples.map(comparable));
  assert.ok(b.notes.includes('quotes: single (tshark -E quote=s)'), b.notes.join(' | '));
  assert.ok(!a.notes.some((n) => n.startsWith('quotes:')));
});

test('a tshark export with frame.time instead of frame.time_epoch is named as a tshark export missing it, not as a file without an account column', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keylag-frametime-'));
  const path = join(dir, 'frametime.csv');
  writeFileSync(path, 'frame.number,frame.time,ip.src,ip.dst,tcp.srcport,tcp.dstport,tcp.stream,tcp.len,tcp.flags,tcp.seq_raw,tcp.ack_raw\n'
    + '1,"Dec  7, 2026 15:52:40.791961000 UTC",10.77.1.2,10.77.0.2,50000,22,0,0,0x0002,1000,0\n');
  const r = runCli(['scan', path]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /frametime\.csv:1: tshark export lacks required field\(s\): frame\.time_epoch; frame\.time is a display date in the local zone, export frame\.time_epoch instead \(export with: tshark/);
  // A timing file with an account column and tshark's names for its values stays a generic file.
  writeFileSync(path, 'user,frame.time_epoch,tcp.srcport,tcp.analysis.ack_rtt\njdoe,1772445791.5,50000,0.021\njdoe,1772445792.5,50000,0.022\n');
  const generic = runCli(['scan', path, '--format', 'json', '--min-samples', '2']);
  assert.equal(generic.status, 0, generic.stderr);
  assert.match((JSON.parse(generic.stdout) as { header: { inputs: { format: string }[] } }).header.inputs[0]!.format, /^generic: /);
});

test('extract takes scan\'s column options: a timing file that needs --value-col, or one column per account, is extracted as scan reads it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keylag-extract-cols-'));
  const file = join(dir, 'web.csv');
  writeFileSync(file, 'remote_user,time_local,request_time_ms\nalice,01/Mar/2026:14:03:11 +0100,40\nalice,01/Mar/2026:14:03:12 +0100,41.5\n');
  // Before: "unknown option '--value-col'" (exit 2), and without it no latency column.
  const r = runCli(['extract', file, '--value-col', 'request_time_ms:rtt']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n').slice(1).map((line) => line.split(',').slice(0, 5).join(',')),
    ['1772370191000000,alice,,rtt,40', '1772370192000000,alice,,rtt,41.5']);
  const wide = join(dir, 'wide.csv');
  writeFileSync(wide, 'Time,alice,bob\n2026-03-02T10:00:00Z,41,39\n');
  const w = runCli(['extract', wide, '--account-columns', 'rtt']);
  assert.equal(w.status, 0, w.stderr);
  assert.deepEqual(w.stdout.trim().split('\n').slice(1).map((line) => line.split(',').slice(1, 5).join(',')), ['alice,,rtt,41', 'bob,,rtt,39']);
  // And what extract writes, scan reads back to the same samples.
  const out = join(dir, 'samples.csv');
  assert.equal(runCli(['extract', file, '--value-col', 'request_time_ms:rtt', '-o', out]).status, 0);
  const back = runCli(['extract', out]);
  assert.equal(back.status, 0, back.stderr);
  assert.deepEqual(back.stdout.trim().split('\n').slice(1).map((line) => line.split(',').slice(0, 5).join(',')),
    ['1772370191000000,alice,,rtt,40', '1772370192000000,alice,,rtt,41.5']);
});
