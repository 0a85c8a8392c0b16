// Real captures of an operator who reaches the target through a jump host (`ssh -J relay target`), made by
// fixtures/lab/jump/run.sh: Debian 12's OpenSSH 9.2, operator 124 ms from the relay, relay 6 ms from the target,
// captured at the target (target.pcap), at the relay with `tcpdump -i any` (relay-any.pcap, and its tshark
// export) and at the router by dumpcap on two interfaces (rtr-2if.pcapng).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pcapAdapter } from '../src/ingest/adapters/pcap.js';
import { tsharkAdapter } from '../src/ingest/adapters/tshark.js';
import type { RawSample } from '../src/ingest/adapter.js';
import { REPO_ROOT, runCli } from './helpers/cli.js';
import { comparable, readWith } from './helpers/packets.js';

const DIR = 'fixtures/lab/jump';
const pathJ = (name: string): string => resolve(REPO_ROOT, DIR, name);
const bytesJ = (name: string): Buffer => readFileSync(pathJ(name));
const accounts = { accounts: pathJ('accounts.csv') };

/** Values of one account's samples of one kind, ascending. */
function values(samples: RawSample[], account: string, kind: string, session?: string): number[] {
  return samples.filter((s) => s.account === account && s.kind === kind && (session === undefined || s.session === session))
    .map((s) => s.valueMs).sort((a, b) => a - b);
}

test('jump host (tcpdump -i any at the relay): the SSH streams the relay opens onward are named, and their samples not used', async () => {
  const pcap = await readWith(pcapAdapter, bytesJ('relay-any.pcap'), accounts, 'relay-any.pcap');
  const csv = await readWith(tsharkAdapter, bytesJ('relay-any.tshark.csv'), accounts, 'relay-any.pcap');
  assert.deepEqual(csv.samples.map(comparable), pcap.samples.map(comparable));
  const warning = 'capture at a jump host: 2 SSH stream(s) opened by a host during an SSH session into it (ssh -J, a TCP forward or ssh typed '
    + 'on the host): stream 1 (mallory, 10.93.3.2 -> 10.93.0.2:22, during stream 0 from 10.93.4.2); stream 3 (mallory, fd93:3::2 -> fd93::2:22, '
    + 'during stream 2 from fd93:4::2); their samples (9 rtt, 163 app_rtt, 132 keystroke_interval) are not used: they time the hop onward from '
    + 'this host and repeat the keys of the session into it, whose own samples time the way to the person';
  for (const r of [pcap, csv]) {
    assert.deepEqual(r.result.warnings, [warning]);
    // only the sessions into the relay (streams 0 and 2: the operator 124 ms away); before, the onward streams 1 and 3
    // gave 163 app_rtt of 6.6 ms (relay -> target) that read as "the application is answered where TCP ends"
    assert.deepEqual([...new Set(r.samples.map((s) => s.session))].sort(), ['0', '2']);
    const app = values(r.samples, 'mallory', 'app_rtt');
    const rtt = values(r.samples, 'mallory', 'rtt');
    assert.ok(app.length >= 8 && app[0]! > 124 && app[0]! < 127, `app_rtt ${app.join(' ')}`);
    assert.ok(rtt.length > 150 && rtt[0]! > 124 && rtt[0]! < 126, `rtt floor ${rtt[0]}`);
  }
});

interface Evidence { signal: string; points: number }
interface Account { account: string; rank: number; flagged: boolean; evidence: Evidence[] }

test('jump host: the relay capture read with the target\'s keeps the relay signature (before: it hid it, mallory not flagged)', () => {
  const r = runCli(['scan', pathJ('relay-any.pcap'), pathJ('target.pcap'), '--accounts', pathJ('accounts.csv'), '--format', 'json']);
  assert.equal(r.status, 0, r.stderr);
  const accountsOut = (JSON.parse(r.stdout) as { accounts: Account[] }).accounts;
  const mallory = accountsOut.find((a) => a.account === 'mallory')!;
  assert.equal(mallory.rank, 1);
  assert.equal(mallory.flagged, true);
  const relay = mallory.evidence.find((e) => e.signal === 'relay_signature')!;
  // app_rtt 124.7 ms (the relay's sessions from the operator) vs rtt 6.4 ms (the target's, from the relay)
  assert.ok(relay.points > 100, `relay_signature ${relay.points}`);
});


/** The typist's own intervals between keys of one typed line (ms), from its log. */
function typedIntervals(name: string): number[] {
  const out: number[] = [];
  let prev: number | null = null;
  for (const line of readFileSync(pathJ(name), 'utf8').trim().split('\n')) {
    const e = JSON.parse(line) as { event: string; t: number };
    if (e.event === 'key') { if (prev !== null) out.push((e.t - prev) * 1000); prev = e.t; }
    else if (e.event === 'prompt_seen') prev = null;
  }
  return out.sort((a, b) => a - b);
}

test('jump host: the session into the relay carries the inner session\'s keys: keystroke intervals as typed, reactions only at prompts', async () => {
  // Through ssh -J the inner session's setup runs after the outer one's, and sends a 68-byte message smaller than the
  // wrapped echo (76 bytes): taken as the echo size, every echo read as output, so no keystroke intervals
  // (before: 0 and 1 of the typist's 67 and 66) and an echo -> next key read as a reaction (before: 39 and 46 for 7 prompts each).
  const { samples } = await readWith(pcapAdapter, bytesJ('relay-any.pcap'), accounts, 'relay-any.pcap');
  for (const [session, log] of [['0', 'typist-mallory-41.jsonl'], ['2', 'typist-mallory-42.jsonl']] as const) {
    const typed = typedIntervals(log);
    const keys = values(samples, 'mallory', 'keystroke_interval', session);
    assert.ok(keys.length >= typed.length - 2 && keys.length <= typed.length, `session ${session}: ${keys.length} intervals of ${typed.length}`);
    const mid = (xs: number[]): number => xs[Math.floor(xs.length / 2)]!;
    assert.ok(Math.abs(mid(keys) - mid(typed)) < 5, `session ${session}: median ${mid(keys)} vs typed ${mid(typed)}`);
    const reactions = values(samples, 'mallory', 'reaction', session);
    assert.ok(reactions.length >= 5 && reactions.length <= 9, `session ${session}: ${reactions.length} reactions (7 prompts)`);
    // think time (at least 250 ms) plus the way to the operator and back (124 ms)
    assert.ok(mid(reactions) > 374, `session ${session}: reaction median ${mid(reactions)}`);
  }
});
