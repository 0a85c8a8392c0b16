// The relay signature per session (issue 5 scope 5): an account relayed in some sessions only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { runScan, DEFAULT_MIN_SAMPLES, DEFAULT_MEMORY_BUDGET_VALUES } from '../src/pipeline.js';
import { SessionFloorTracker, SESSION_KEEP } from '../src/analyze/session-floors.js';
import { sessionRelayItem } from '../src/score/relay.js';
import type { RawSample } from '../src/ingest/adapter.js';

const T0 = Date.UTC(2026, 2, 2, 9);

/** Rows `user,timestamp,session_id,kind,value_ms`: per session, 60 rtt and 20 app_rtt samples. */
function rows(account: string, session: string, start: number, rttMs: number, appMs: number, jitter: (i: number) => number): string[] {
  const out: string[] = [];
  for (let i = 0; i < 60; i++) out.push(`${account},${new Date(start + i * 1000).toISOString()},${session},rtt,${(rttMs + jitter(i)).toFixed(1)}`);
  for (let i = 0; i < 20; i++) out.push(`${account},${new Date(start + i * 3000 + 500).toISOString()},${session},app_rtt,${(appMs + jitter(i + 7)).toFixed(1)}`);
  return out;
}

test('session floors: exact order statistics from the kept lowest values; none past what is kept', () => {
  const t = new SessionFloorTracker();
  const sample = (kind: 'rtt' | 'app_rtt', valueMs: number, session = 's1'): RawSample => ({ account: 'a', session, timeUs: 0, kind, valueMs, line: 1 });
  for (let v = 100; v >= 1; v--) t.observe('a', sample('rtt', v), 0);
  for (let v = 1; v <= 10; v++) t.observe('a', sample('app_rtt', 40 + v), 0);
  const [s] = t.sessionsOf('a');
  assert.equal(s!.session, '0:s1');
  assert.equal(s!.rtt!.n, 100);
  assert.equal(s!.rtt!.floorMs, 5); // type-1 p5 of 1..100
  assert.equal(s!.rtt!.minMs, 1);
  assert.equal(s!.app!.floorMs, 41);
  // More samples than the kept values can bound: no figures rather than wrong ones.
  const big = new SessionFloorTracker();
  for (let v = 0; v < SESSION_KEEP * 40; v++) big.observe('b', sample('rtt', v), 0);
  big.observe('b', sample('app_rtt', 1), 0);
  assert.equal(big.sessionsOf('b')[0]!.rtt, null);
});

test('an account relayed in one of three sessions: the per-session gap scores where the account-level one cannot', async () => {
  const jitter = (i: number) => ((i * 7919) % 13) / 2;
  const lines = ['user,timestamp,session_id,kind,value_ms'];
  // Peers and the account's direct sessions: app_rtt = rtt + ~2 ms. The relayed session: TCP ends at a
  // relay 8 ms away, the person is 100 ms further.
  for (let p = 0; p < 5; p++) lines.push(...rows(`peer${p}`, `p${p}`, T0, 8 + p, 10 + p, jitter));
  lines.push(...rows('mixed', 'direct-1', T0, 9, 11, jitter));
  lines.push(...rows('mixed', 'direct-2', T0 + 86_400_000, 9, 11, jitter));
  lines.push(...rows('mixed', 'relayed', T0 + 2 * 86_400_000, 8, 110, jitter));
  const dir = mkdtempSync(join(tmpdir(), 'keylag-relay-sessions-'));
  const file = join(dir, 'sessions.csv');
  writeFileSync(file, lines.join('\n') + '\n');
  const report = await runScan({
    inputs: [file], columns: {}, inputFormat: null, strict: false, keepGoing: false, stdin: Readable.from([]),
    since: null, until: null, exclude: null, memoryBudgetValues: DEFAULT_MEMORY_BUDGET_VALUES, minSamples: DEFAULT_MIN_SAMPLES,
    rosterPath: null, arguments: [], version: 'test', serverLocation: null, serversPath: null, geoipPath: null,
  });
  const mixed = report.accounts.find((a) => a.account === 'mixed')!;
  const relay = mixed.evidence.filter((e) => e.signal === 'relay_signature' && e.kind === 'app_rtt');
  assert.equal(relay.length, 1);
  const item = relay[0]!;
  assert.ok(item.points > 60, `points ${item.points}`); // 20 application round trips: the minimum bounds the floor (weight 1-0.95^20)
  assert.match(item.sentence, /^session relayed: application round trip 110\.\d ms vs transport 8\.\d ms/);
  assert.match(item.sentence, /best of 3 sessions/);
  assert.ok(item.stats.accountGapMs! < 5, `account-level gap ${item.stats.accountGapMs}`);
  for (const p of report.accounts.filter((a) => a.account.startsWith('peer'))) {
    assert.ok(p.evidence.filter((e) => e.signal === 'relay_signature').every((e) => e.points === 0), p.account);
  }
});

test('sessionRelayItem: no session with enough application round trips, no item', () => {
  assert.equal(sessionRelayItem([]), null);
});
