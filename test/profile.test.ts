// History profiles (issue 6): build, merge, canonical text, validation.
// The property: merge(build(A), build(B)) equals build(A ∪ B) on every field, for random data
// split at random (including splits where one side stays exact and the other is sketched).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  mergeProfiles, profileFromSamples, profileToJson, profileProblem, PROFILE_EXACT_LIMIT, NEAR_ZERO_MS,
  type KindProfile, type Profile, type ProfileRun, type ProfileSample,
} from '../src/baseline/profile.js';
import { SKETCH_RELATIVE_ACCURACY, comparisonMapping } from '../src/analyze/store.js';
import { quantileRank } from '../src/analyze/stats.js';
import type { Kind } from '../src/types.js';

const run: ProfileRun = { toolVersion: 'test', arguments: [], since: null, until: null, excludePatterns: [], samplesUsed: 0, inputs: [] };
const build = (samples: ProfileSample[]): Profile => profileFromSamples(samples, run, 'test');
const merge2 = (a: Profile, b: Profile): Profile => mergeProfiles([
  { profile: a, path: 'a.json', sha256: 'a'.repeat(64) },
  { profile: b, path: 'b.json', sha256: 'b'.repeat(64) },
], 'test');

const DAY_US = 86_400_000_000;
const T0 = Date.UTC(2026, 1, 1) * 1000;

/** A seeded stream of samples: a few accounts, two kinds, values with near-zero bursts and long tails. */
function samplesOf(seed: number, sizes: number[]): ProfileSample[] {
  let s = seed >>> 0 || 1;
  const rnd = (): number => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
  const out: ProfileSample[] = [];
  sizes.forEach((n, a) => {
    const account = `user${a}`;
    const kind: Kind = a % 2 === 0 ? 'rtt' : 'keystroke_interval';
    for (let i = 0; i < n; i++) {
      const u = rnd();
      const valueMs = kind === 'keystroke_interval' && u < 0.2
        ? Math.round(rnd() * 60) / 10 // 0..6 ms: bursts around the near-zero threshold, zeros included
        : Math.round((20 + 10 * a + Math.exp(3 * rnd()) * 5) * 1000) / 1000;
      out.push({ account, kind, valueMs, timeUs: T0 + Math.floor(rnd() * 6 * DAY_US) });
    }
  });
  return out;
}

function assertKindsEqual(m: KindProfile, u: KindProfile, where: string): void {
  const eps = SKETCH_RELATIVE_ACCURACY;
  assert.equal(m.kind, u.kind, where);
  assert.equal(m.n, u.n, `${where} n`);
  assert.equal(m.minMs, u.minMs, `${where} min`);
  assert.equal(m.maxMs, u.maxMs, `${where} max`);
  assert.ok(Math.abs(m.meanMs - u.meanMs) <= 1e-9 * Math.max(1, Math.abs(u.meanMs)), `${where} mean ${m.meanMs} vs ${u.meanMs}`);
  assert.ok(Math.abs(m.sdMs - u.sdMs) <= 1e-7 * Math.max(1, u.sdMs), `${where} sd ${m.sdMs} vs ${u.sdMs}`);
  assert.equal(m.firstTimeUs, u.firstTimeUs, `${where} first`);
  assert.equal(m.lastTimeUs, u.lastTimeUs, `${where} last`);
  assert.equal(m.values.mode, u.values.mode, `${where} mode`);
  // Counts on the shared grid add up exactly; exact values stay exact.
  assert.deepEqual(m.values, u.values, `${where} values`);
  // Floor and its interval: the same ranks; values within the stated relative error.
  assert.equal(m.floor.lowerRank, u.floor.lowerRank);
  assert.equal(m.floor.upperRank, u.floor.upperRank);
  assert.equal(m.floor.sided, u.floor.sided);
  for (const f of ['valueMs', 'upperMs', 'lowerMs'] as const) {
    const a = m.floor[f];
    const b = u.floor[f];
    if (a === null || b === null) { assert.equal(a, b); continue; }
    assert.ok(Math.abs(a - b) <= eps * Math.abs(b), `${where} floor.${f} ${a} vs ${b}`);
  }
  assert.deepEqual(m.daily, u.daily, `${where} daily`);
  assert.deepEqual(m.rhythm, u.rhythm, `${where} rhythm`);
}

function assertProfilesEqual(m: Profile, u: Profile): void {
  assert.deepEqual(m.accounts.map((a) => a.account), u.accounts.map((a) => a.account));
  assert.deepEqual(m.summary, u.summary);
  assert.deepEqual(m.period, u.period);
  m.accounts.forEach((a, i) => {
    const b = u.accounts[i]!;
    assert.deepEqual(a.aliases, b.aliases);
    assert.deepEqual(a.kinds.map((k) => k.kind), b.kinds.map((k) => k.kind));
    a.kinds.forEach((k, j) => assertKindsEqual(k, b.kinds[j]!, `${a.account}/${k.kind}`));
  });
}

test('profile property: merge(build(A), build(B)) == build(A ∪ B) on every field (random splits)', () => {
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    fc.array(fc.integer({ min: 1, max: 2600 }), { minLength: 1, maxLength: 4 }),
    fc.double({ min: 0, max: 1, noNaN: true }),
    fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    (seed, sizes, shareA, splitSeed) => {
      const all = samplesOf(seed, sizes);
      let s = splitSeed;
      const a: ProfileSample[] = [];
      const b: ProfileSample[] = [];
      for (const x of all) { s = (Math.imul(s, 1103515245) + 12345) >>> 0; ((s / 4294967296) < shareA ? a : b).push(x); }
      const union = build(all);
      const merged = merge2(build(a), build(b));
      assertProfilesEqual(merged, union);
      // Sketched floors stay within the stated error of the true (exact) p5 of the data.
      for (const acc of union.accounts) for (const k of acc.kinds) {
        const raw = all.filter((x) => x.account === acc.account && x.kind === k.kind).map((x) => x.valueMs).sort((p, q) => p - q);
        const exact = raw[quantileRank(raw.length, 0.05) - 1]!;
        assert.ok(Math.abs(k.floor.valueMs - exact) <= SKETCH_RELATIVE_ACCURACY * exact + 1e-12, `${k.floor.valueMs} vs exact ${exact}`);
      }
    },
  ), { seed: 20260601, numRuns: 60 });
});

test('profile merge: exact + sketched, both orders, three-way associativity', () => {
  // user0: 300 values on one side (exact), 1,900 on the other (sketched).
  const all = samplesOf(7, [2200, 500]);
  const small = all.filter((x, i) => x.account === 'user0' ? i < 300 : i % 2 === 0);
  const large = all.filter((x, i) => x.account === 'user0' ? i >= 300 : i % 2 === 1);
  const pa = build(small);
  const pb = build(large);
  assert.equal(pa.accounts[0]!.kinds[0]!.values.mode, 'exact');
  assert.equal(pb.accounts[0]!.kinds[0]!.values.mode, 'sketch');
  assert.equal(pa.accounts[1]!.kinds[0]!.values.mode, 'exact');
  const union = build(all);
  assertProfilesEqual(merge2(pa, pb), union);
  assert.equal(profileToJson(merge2(pa, pb)), profileToJson(merge2(pb, pa)), 'commutative to the byte');
  // Exact + exact stays exact while under the limit (user1: 250 + 250).
  assert.equal(merge2(pa, pb).accounts[1]!.kinds[0]!.values.mode, 'exact');
  // Associative: (A+B)+C and A+(B+C) agree on every field.
  const c = build(samplesOf(8, [40, 900]));
  assertProfilesEqual(merge2(merge2(pa, pb), c), merge2(pa, merge2(pb, c)));
});

test('profile: keystroke rhythm counts near-zero intervals on the shared grid', () => {
  const values = [0, 0.5, 1, 2, 4.9, 5.5, 40, 80, 120, 150];
  const p = build(values.map((v, i) => ({ account: 'k', kind: 'keystroke_interval', valueMs: v, timeUs: T0 + i })));
  const k = p.accounts[0]!.kinds[0]!;
  // 4.9 ms shares the 4.98 ms bin (< 5 ms); 5.5 ms does not.
  const mapping = comparisonMapping();
  assert.ok(mapping.value(mapping.key(4.9)) < NEAR_ZERO_MS);
  assert.deepEqual(k.rhythm, { nearZeroMs: NEAR_ZERO_MS, nearZero: 5, share: 0.5 });
  assert.equal(k.values.mode, 'exact');
  assert.equal(k.floor.valueMs, 0);
  assert.equal(k.floor.sided, 'upper-only');
});

test('profile: floors per day keep the lowest values so a merged day is exact', () => {
  const day = (d: number, v: number): ProfileSample => ({ account: 'd', kind: 'rtt', valueMs: v, timeUs: T0 + d * DAY_US + 1000 });
  const a = Array.from({ length: 30 }, (_, i) => day(0, 50 + i));
  const b = Array.from({ length: 30 }, (_, i) => day(0, 20 + i)).concat([day(1, 33)]);
  const merged = merge2(build(a), build(b));
  const daily = merged.accounts[0]!.kinds[0]!.daily;
  assert.deepEqual(daily.map((d) => [d.day, d.n, d.floorMs, d.rank]), [['2026-02-01', 60, 22, 3], ['2026-02-02', 1, 33, 1]]);
  assert.equal(daily[0]!.lowest.length, 16);
});

test('profile: canonical text reads back to the same bytes and passes validation', () => {
  const p = build(samplesOf(3, [1500, 80, 10]));
  const text = profileToJson(p);
  const parsed = JSON.parse(text) as Profile;
  assert.equal(profileProblem(parsed), null);
  assert.equal(profileToJson(parsed), text);
  assert.ok(text.endsWith('}\n'));
  assert.equal(p.accounts[0]!.kinds[0]!.values.mode, 'sketch');
  assert.ok(PROFILE_EXACT_LIMIT === 1000);
});

test('profile validation: wrong format, version, settings, counts and checksum are named', () => {
  const p = JSON.parse(profileToJson(build(samplesOf(5, [120, 60])))) as Profile;
  const edit = (f: (q: Profile) => void): string | null => { const q = structuredClone(p); f(q); return profileProblem(q); };
  assert.match(edit((q) => { q.format = 'other'; }) ?? '', /^not a keylag profile \(format "other"/);
  assert.match(edit((q) => { q.formatVersion = 2; }) ?? '', /profile format version 2 is not supported/);
  assert.match(edit((q) => { q.settings.sketchRelativeAccuracy = 0.01; }) ?? '', /sketchRelativeAccuracy 0.01, this keylag uses 0.005/);
  assert.match(edit((q) => { (q as unknown as { accounts: unknown }).accounts = 'x'; }) ?? '', /^malformed profile: \/accounts must be array/);
  assert.match(edit((q) => { q.accounts[0]!.kinds[0]!.n += 1; }) ?? '', /do not match accountsSha256/);
  assert.match(edit((q) => { q.summary.samples += 1; }) ?? '', /does not add up/);
  assert.equal(profileProblem(null), 'not a keylag profile (not a JSON object)');
});

test('buildProfile with release: each account\'s accumulators are let go once built, and the profile is the same to the byte', async () => {
  const { buildProfile, profileJsonPieces } = await import('../src/baseline/profile.js');
  const { AccountAccumulator } = await import('../src/collect.js');
  const run: ProfileRun = { toolVersion: 'test', arguments: [], since: null, until: null, excludePatterns: [], samplesUsed: 0, inputs: [] };
  const make = (): Map<string, InstanceType<typeof AccountAccumulator>> => {
    const accounts = new Map<string, InstanceType<typeof AccountAccumulator>>();
    for (let a = 0; a < 3; a++) {
      const acc = new AccountAccumulator();
      acc.addAlias(`user${a}`);
      for (let i = 0; i < 200; i++) acc.kindOrNew('rtt', null).add(20 + a + (i % 17) / 3, 1772323200000000 + i * 7_200_000_000, 's', 0);
      accounts.set(`user${a}`, acc);
    }
    return accounts;
  };
  const kept = make();
  const released = make();
  const keys = ['user0', 'user1', 'user2'];
  const a = buildProfile({ accounts: kept, accountKeys: keys, run, toolVersion: 'test' });
  const b = buildProfile({ accounts: released, accountKeys: keys, run, toolVersion: 'test', release: true });
  assert.equal(profileToJson(b), profileToJson(a));
  assert.ok(keys.every((k) => kept.get(k)!.kind('rtt') !== undefined), 'without release the accumulators stay');
  // Before: every accumulator lived on beside the profile (10M rows: 488 MB peak; with release 392 MB).
  assert.ok(keys.every((k) => released.get(k)!.kind('rtt') === undefined && released.get(k)!.aliases.length === 1), 'released, aliases kept');
  // The pieces join to the text, a group of accounts at a time.
  assert.equal([...profileJsonPieces(a)].join(''), profileToJson(a));
});

test('assembling a profile canonicalises its account list in place, never the accounts of the profiles merged', () => {
  const run: ProfileRun = { toolVersion: 'test', arguments: [], since: null, until: null, excludePatterns: [], samplesUsed: 0, inputs: [] };
  const samples = (account: string, base: number): ProfileSample[] =>
    Array.from({ length: 60 }, (_, i) => ({ account, kind: 'rtt' as Kind, valueMs: base + (i % 13) / 4, timeUs: 1772323200000000 + i * 3_600_000_000 }));
  const a = profileFromSamples([...samples('alice', 20), ...samples('bob', 30)], run, 'test');
  const b = profileFromSamples([...samples('bob', 31), ...samples('carol', 40)], run, 'test');
  const before = [profileToJson(a), profileToJson(b)];
  const aliceObject = a.accounts[0];
  const merged = merge2(a, b);
  assert.deepEqual([profileToJson(a), profileToJson(b)], before, 'the merged profiles are unchanged');
  assert.equal(a.accounts[0], aliceObject, 'and their account objects are the same objects');
  assert.deepEqual(merged.accounts.map((x) => x.account), ['alice', 'bob', 'carol']);
  assert.equal(merged.accounts.find((x) => x.account === 'bob')!.kinds[0]!.n, 120);
});

test('streamProfile: the head before any account is built, then one account built (and its accumulators let go) per step, the same bytes as the whole profile', async () => {
  const { buildProfile, streamProfile, profileStreamPieces } = await import('../src/baseline/profile.js');
  const { AccountAccumulator } = await import('../src/collect.js');
  const keys = ['ann', 'bob', 'cy', 'dee'];
  // Two kinds, one account sketched (more values than PROFILE_EXACT_LIMIT), several days, one account of one kind.
  const make = (): Map<string, InstanceType<typeof AccountAccumulator>> => {
    const accounts = new Map<string, InstanceType<typeof AccountAccumulator>>();
    keys.forEach((key, a) => {
      const acc = new AccountAccumulator();
      acc.addAlias(key.toUpperCase());
      const n = a === 1 ? 1500 : 90 + 40 * a;
      for (let i = 0; i < n; i++) acc.kindOrNew('rtt', null).add(20 + a * 7 + ((i * 37) % 101) / 4, T0 + i * 1_800_000_000, 's', 0);
      if (a !== 3) for (let i = 0; i < 120; i++) acc.kindOrNew('keystroke_interval', null).add(((i * 13) % 29) * 3.5, T0 + DAY_US + i * 60_000_000, 's', 0);
      accounts.set(key, acc);
    });
    return accounts;
  };
  const whole = buildProfile({ accounts: make(), accountKeys: keys, run, toolVersion: 'test' });
  const live = make();
  const stream = streamProfile({ accounts: live, accountKeys: keys, run, toolVersion: 'test', release: true });
  const built = (): boolean[] => keys.map((k) => live.get(k)!.kind('rtt') === undefined);
  assert.deepEqual(built(), [false, false, false, false], 'nothing built before the accounts are read');
  assert.deepEqual(stream.head.summary, { accounts: 4, kinds: 7, samples: whole.summary.samples });
  assert.deepEqual(stream.head.period, whole.period);
  const seen: string[] = [];
  for (const account of stream.accounts) {
    seen.push(account.account);
    // Before: the whole profile was built (every accumulator let go) before the first was written.
    assert.deepEqual(built(), keys.map((_, i) => i < seen.length), `only the accounts up to ${account.account} are built`);
    assert.deepEqual(account, whole.accounts[seen.length - 1]);
  }
  assert.deepEqual(seen, keys);
  // The streamed text, with the digest of the lines written, is the whole profile's to the byte.
  const again = streamProfile({ accounts: make(), accountKeys: keys, run, toolVersion: 'test', release: true });
  const text = [...profileStreamPieces(again)].join('');
  assert.equal(text, profileToJson(whole));
  assert.equal(profileProblem(JSON.parse(text)), null);
});
