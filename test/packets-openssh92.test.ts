// Real captures of Debian 12's OpenSSH 9.2 (fixtures/lab/openssh92, made by its run.sh): at the server,
// at the server by a tcpdump killed with SIGKILL, and at the forwarding router with `tcpdump -i any`.
// Path: alice, bob, carol ~40 ms RTT, dave ~10 ms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pcapAdapter } from '../src/ingest/adapters/pcap.js';
import type { RawSample } from '../src/ingest/adapter.js';
import { REPO_ROOT, runCli } from './helpers/cli.js';
import { labBytes, readWith } from './helpers/packets.js';

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
