// Signal 7, activity hours (src/score/activity.ts): local time of quarter-hours, night share, and the
// rule that it may only add to a score other evidence has lifted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ActivityRun, activityProvider, localHour, nightShare, BUCKET_MS, ACTIVITY_GATE_POINTS, ACTIVITY_POINTS_CAP } from '../src/score/activity.js';
import type { Evidence } from '../src/types.js';
import type { AccountContext } from '../src/score/evidence.js';

const bucket = (iso: string): number => Math.floor(Date.parse(iso) / BUCKET_MS);

test('local hour follows the zone and its daylight-saving switch', () => {
  // New York: EST (UTC-5) before 2026-03-08 02:00 local, EDT (UTC-4) after.
  assert.equal(localHour('America/New_York', bucket('2026-03-02T07:00:00Z')), 2);
  assert.equal(localHour('America/New_York', bucket('2026-03-10T07:00:00Z')), 3);
  assert.equal(localHour('Asia/Kolkata', bucket('2026-03-02T20:00:00Z')), 1.5);
  assert.equal(localHour('Pacific/Honolulu', bucket('2026-03-02T12:15:00Z')), 2.25);
});

test('night share counts active quarter-hours at 01:00-05:00 local', () => {
  const b = new Map<number, number>();
  for (let h = 0; h < 24; h++) b.set(bucket(`2026-03-02T${String(h).padStart(2, '0')}:00:00Z`), 3);
  const s = nightShare('UTC', b);
  assert.equal(s.total, 24);
  assert.equal(s.night, 4);
  assert.ok(s.shareLow > 0 && s.shareLow < s.share);
  assert.equal(nightShare('UTC', new Map([[bucket('2026-03-02T12:00:00Z'), 1]])).shareLow, 0);
});

function item(signal: string, points: number): Evidence {
  return { signal, kind: 'rtt', observed: 0, baseline: 0, unit: 'ms', effect: 0, effectName: '', interval: null, pValue: null, stats: {}, points, sentence: '' };
}

test('activity hours only add to evidence that already lifted the score, and never more than half of it', () => {
  // Ten day workers (09:00-17:00 UTC) and one night worker (01:00-05:00 UTC), 20 days.
  const buckets = new Map<string, Map<number, number>>();
  const groups = new Map<string, string>();
  const names: string[] = [];
  for (let a = 0; a < 11; a++) {
    const name = a === 10 ? 'night' : `day${a}`;
    names.push(name);
    groups.set(name, 'everyone');
    const m = new Map<number, number>();
    for (let d = 1; d <= 20; d++) {
      for (let q = 0; q < 16; q++) {
        const hour = a === 10 ? 1 + q / 4 : 9 + q / 2;
        m.set(Math.floor((Date.parse(`2026-03-${String(d).padStart(2, '0')}T00:00:00Z`) + hour * 3_600_000) / BUCKET_MS), 2);
      }
    }
    buckets.set(name, m);
  }
  const run = new ActivityRun(buckets, () => 'UTC', groups, names);
  const provide = activityProvider(run);
  const ctx = (prior: Evidence[]): AccountContext => ({ account: 'night', kinds: [], summaries: [], roster: null, comparisons: new Map(), prior });
  const alone = provide(ctx([]))[0]!;
  assert.equal(alone.points, 0);
  assert.equal(alone.stats.rawPoints, ACTIVITY_POINTS_CAP);
  assert.match(alone.sentence, /weak on its own, not counted/);
  const lifted = provide(ctx([item('floor_vs_peers', ACTIVITY_GATE_POINTS + 4)]))[0]!;
  assert.equal(lifted.points, 20);
  const justOver = provide(ctx([item('floor_vs_peers', 36)]))[0]!;
  assert.equal(justOver.points, 18);
  const day = activityProvider(run)({ ...ctx([item('floor_vs_peers', 100)]), account: 'day3' })[0]!;
  assert.equal(day.points, 0);
  assert.match(day.sentence, /within the peers' habits/);
});

test('peers\' night shares: leave-one-out per group equals median and MAD over each account\'s list of peers', async () => {
  const { median, mad } = await import('../src/analyze/stats.js');
  let s = 17;
  const rnd = (): number => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 4294967296; };
  for (let trial = 0; trial < 20; trial++) {
    const buckets = new Map<string, Map<number, number>>();
    const groups = new Map<string, string>();
    const names: string[] = [];
    const accounts = 5 + Math.floor(rnd() * 60);
    for (let a = 0; a < accounts; a++) {
      const name = `u${a}`;
      names.push(name);
      // Sites of several sizes and accounts in `everyone` (compared with every account).
      groups.set(name, rnd() < 0.3 ? 'everyone' : `site:${Math.floor(rnd() * 3)}`);
      const m = new Map<number, number>();
      // 8 to 40 quarter-hours a day at random hours: ties in share are common.
      const quarters = 8 + Math.floor(rnd() * 33);
      for (let q = 0; q < quarters; q++) m.set(Math.floor((Date.parse('2026-03-02T00:00:00Z') + Math.floor(rnd() * 96) * BUCKET_MS) / BUCKET_MS), 1);
      buckets.set(name, m);
    }
    const run = new ActivityRun(buckets, () => 'UTC', groups, names);
    for (const name of names) {
      const group = groups.get(name)!;
      const peers = [...run.shares].filter(([k]) => k !== name && (group === 'everyone' || groups.get(k) === group)).map(([, x]) => x.share);
      const expected = !run.shares.has(name) || peers.length === 0 ? null : { median: median(peers), mad: mad(peers), count: peers.length };
      assert.deepEqual(run.peerShares(name), expected, `${name} in ${group}`);
    }
  }
});
