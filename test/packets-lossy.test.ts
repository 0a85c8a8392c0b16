// Lossy, multiplexed and compressed sessions (fixtures/lab/lossy, made by its run.sh with real OpenSSH
// 9.2): alice over a ~40 ms path losing 3 % and reordering 5 % of packets (captured at the server and at
// her client), bob's two typed sessions and an scp over one ControlMaster connection (RTT ~20 ms),
// carol with compression (RTT ~10 ms); and the same server packets written by tcpdump -s 96, with
// nanosecond timestamps, and by dumpcap as two pcapng files joined by mergecap and by cat.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { REPO_ROOT, runCli } from './helpers/cli.js';

const DIR = resolve(REPO_ROOT, 'fixtures/lab/lossy');
const ACCOUNTS = join(DIR, 'accounts.csv');

interface Row { time: number; account: string; kind: string; value: number; frame: number }
const cache = new Map<string, Row[]>();
const of = (file: string, account: string, kind: string): Row[] => extract(file).filter((r) => r.account === account && r.kind === kind);
const max = (rows: Row[]): number => Math.max(...rows.map((r) => r.value));
const at = (rows: Row[], frame: number): number[] => rows.filter((r) => r.frame === frame).map((r) => r.value);
function extract(file: string): Row[] {
  let rows = cache.get(file);
  if (rows === undefined) {
    const r = runCli(['extract', join(DIR, file), '--accounts', ACCOUNTS, '-f', 'csv']);
    assert.equal(r.status, 0, r.stderr);
    rows = r.stdout.trim().split('\n').slice(1).map((line) => {
      const [time, account, , kind, value, source] = line.split(',');
      return { time: Number(time), account: account!, kind: kind!, value: Number(value), frame: Number(source!.split(':').pop()) };
    });
    cache.set(file, rows);
  }
  return rows;
}

test('tcpdump -s 96, nanosecond pcap, and dumpcap pcapng files joined by mergecap and by cat read as the same packets', () => {
  const key = (r: Row): string => `${r.time} ${r.account} ${r.kind} ${r.value}`;
  const reference = extract('server.pcap').map(key);
  assert.ok(reference.length > 1000, String(reference.length));
  assert.deepEqual(extract('server-s96.pcap.gz').map(key), reference);
  assert.deepEqual(extract('server-nano.pcap.gz').map(key), reference); // truncated to the microsecond, as tcpdump's µs copy
  // two sections (cat: a section header per file, each with its capture comment) read as one (mergecap)
  const merged = extract('dc-merged.pcapng.gz');
  assert.deepEqual(extract('dc-cat.pcapng.gz').map(key), merged.map(key));
  // dumpcap's copy lacks the few packets between its two runs, so a few samples are missing; none differs
  const ref = new Set(reference);
  assert.ok(merged.length >= reference.length - 10 && merged.every((r) => ref.has(key(r))), `${merged.length} of ${reference.length}`);
});

test('a multiplexed connection (ControlMaster) whose idle master answers keep-alives: its keys are the echoed size, not the 28-byte reply', () => {
  // before: the master's 8 REQUEST_FAILURE replies (28 bytes) to sshd's global keep-alives were the keystroke size,
  // every 36-byte key was output: bob 0 keystroke intervals and 0 reactions for his 171 keys and 16 prompts
  assert.ok(of('server.pcap', 'bob', 'keystroke_interval').length >= 140, String(of('server.pcap', 'bob', 'keystroke_interval').length));
  assert.ok(of('server.pcap', 'bob', 'reaction').length >= 10, String(of('server.pcap', 'bob', 'reaction').length));
  // a plain session and a compressed one keep theirs (carol: 62 intervals, the typist typed 61 within lines)
  assert.equal(of('server.pcap', 'carol', 'keystroke_interval').length, 62);
});

test('a duplicate ACK (sent on loss) does not time data an ACK riding on data already acknowledged', () => {
  // before: the first pure ACK of a number timed the data it covered even when the far end's data had
  // acknowledged it long before: alice's client capture rtt 518.5 ms at frame 197 (a duplicate ACK with
  // SACK after a lost keystroke), bob's 1615.6 ms during the scp (path ~40 and ~20 ms)
  assert.deepEqual(at(of('alice-client.pcap', 'alice', 'rtt'), 197), []);
  assert.ok(max(of('alice-client.pcap', 'alice', 'rtt')) < 200, String(max(of('alice-client.pcap', 'alice', 'rtt'))));
  assert.ok(max(of('server.pcap', 'bob', 'rtt')) < 200, String(max(of('server.pcap', 'bob', 'rtt'))));
  // the floors stay the path's
  assert.ok(Math.min(...of('server.pcap', 'bob', 'rtt').map((r) => r.value)) > 20 && Math.min(...of('server.pcap', 'bob', 'rtt').map((r) => r.value)) < 21);
});

test('a keystroke captured past a hole (the one before it lost or overtaken) gives no keystroke interval', () => {
  // before: the key after a lost or reordered one was timed from the key before that: intervals of two
  // keys (329.2, 437.3 and 268.1 ms at frames 283, 1577 and 2417 of alice's server-side stream)
  const intervals = of('server.pcap', 'alice', 'keystroke_interval');
  for (const frame of [283, 1577, 2417]) assert.deepEqual(at(intervals, frame), [], `frame ${frame}`);
  assert.equal(intervals.length, 153);
  // at the client, where every key is captured once in order, all 160 of the typist's intervals are there
  assert.equal(of('alice-client.pcap', 'alice', 'keystroke_interval').length, 160);
});

test('Karn for application round trips and reactions: none timed across a retransmission or a hole', () => {
  // before: at the server, a setup turn whose 44-byte message was lost and resent gave app_rtt 328.1 ms
  // (frame 62; the resent copy was answered 40.7 ms after it), a reaction timed across a retransmission
  // a reaction of 1557.9 ms (frame 2151); at the client, a key whose echo was resent gave 376.6 ms (frame 127)
  assert.deepEqual(at(of('server.pcap', 'alice', 'app_rtt'), 62), []);
  assert.deepEqual(at(of('server.pcap', 'alice', 'reaction'), 2151), []);
  assert.deepEqual(at(of('alice-client.pcap', 'alice', 'app_rtt'), 127), []);
  assert.ok(max(of('server.pcap', 'alice', 'app_rtt')) < 150, String(max(of('server.pcap', 'alice', 'app_rtt'))));
  // the floors stay the path's 40 ms
  assert.ok(Math.min(...of('alice-client.pcap', 'alice', 'app_rtt').map((r) => r.value)) < 41);
  assert.equal(of('alice-client.pcap', 'alice', 'app_rtt').length, 163);
});
