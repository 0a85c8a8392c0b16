// Real captures of Debian 12's OpenSSH 9.2 (fixtures/lab/openssh92, made by its run.sh): at the server,
// at the server by a tcpdump killed with SIGKILL, and at the forwarding router with `tcpdump -i any`.
// Path: alice, bob, carol ~40 ms RTT, dave ~10 ms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pcapAdapter } from '../src/ingest/adapters/pcap.js';
import type { RawSample } from '../src/ingest/adapter.js';
import { REPO_ROOT } from './helpers/cli.js';
import { readWith } from './helpers/packets.js';

const DIR = 'fixtures/lab/openssh92';
const path92 = (name: string): string => resolve(REPO_ROOT, DIR, name);
const bytes92 = (name: string): Buffer => readFileSync(path92(name));
const accounts = { accounts: path92('accounts.csv') };

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
