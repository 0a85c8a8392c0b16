// Per-day floors against a reference that keeps every value of every day and sorts it (fast-check,
// seeded): the same days, counts, floors and ranks, and the same kept lowest values, for rows in any
// time order, in batches or one by one, with times on and just around midnight.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DAILY_KEEP, DailyFloors } from '../src/analyze/daily.js';
import { quantileRank } from '../src/analyze/stats.js';

const SEED = 11;
const US_PER_DAY = 86_400_000_000;
const MARCH_1 = Date.UTC(2026, 2, 1) * 1000;

/** Times in a few days, many on or one µs around a midnight. */
const timeUs = fc.oneof(
  fc.integer({ min: 0, max: 5 * US_PER_DAY - 1 }).map((t) => MARCH_1 + t),
  fc.tuple(fc.integer({ min: 0, max: 5 }), fc.constantFrom(-1, 0, 1)).map(([d, e]) => MARCH_1 + d * US_PER_DAY + e),
);
const rows = fc.array(fc.tuple(timeUs, fc.integer({ min: 1, max: 400 }).map((v) => v / 10)), { minLength: 1, maxLength: 600 });

function reference(list: [number, number][]): { day: string; n: number; floorMs: number; rank: number; lowest: number[] }[] {
  const byDay = new Map<number, number[]>();
  for (const [t, v] of list) {
    const day = Math.floor(t / US_PER_DAY);
    if (!byDay.has(day)) byDay.set(day, []);
    byDay.get(day)!.push(v);
  }
  return [...byDay.keys()].sort((a, b) => a - b).map((day) => {
    const values = byDay.get(day)!.sort((a, b) => a - b);
    const rank = Math.min(quantileRank(values.length, 0.05), DAILY_KEEP);
    return {
      day: new Date(day * 86_400_000).toISOString().slice(0, 10),
      n: values.length, floorMs: values[rank - 1]!, rank, lowest: values.slice(0, DAILY_KEEP),
    };
  });
}

test('daily floors: days, counts, floors, ranks and kept lowest values equal a full sort per day', () => {
  fc.assert(fc.property(rows, fc.integer({ min: 1, max: 50 }), (list, batch) => {
    const batched = new DailyFloors();
    const single = new DailyFloors();
    for (let from = 0; from < list.length; from += batch) {
      const part = list.slice(from, from + batch);
      batched.addRows(Float64Array.from(part, (r) => r[0]), Float64Array.from(part, (r) => r[1]), 0, part.length);
    }
    for (const [t, v] of list) single.add(t, v);
    const expected = reference(list);
    for (const floors of [batched, single]) {
      assert.deepEqual(floors.finish(), expected.map(({ day, n, floorMs, rank }) => ({ day, n, floorMs, rank })));
      assert.deepEqual(floors.lowestByDay(), expected.map(({ day, n, lowest }) => ({ day, n, lowest })));
    }
  }), { seed: SEED, numRuns: 300 });
});

/** Values as exports write them (at most three decimals), now and then one that thousandths cannot hold. */
const anyValue = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 400_000 }).map((v) => v / 1000) },
  { weight: 1, arbitrary: fc.double({ min: 0, max: 5e6, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(4_294_967.295, 4_294_967.296, 0.0005, 25.1234, 1e-9) },
);

test('daily floors: several distributions sharing records, values that thousandths cannot hold arriving mid-run, equal a full sort per day', () => {
  const account = fc.array(fc.tuple(timeUs, anyValue), { minLength: 1, maxLength: 200 });
  fc.assert(fc.property(fc.array(account, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 30 }), (lists, batch) => {
    const records = DailyFloors.newRecords();
    const floors = lists.map(() => new DailyFloors(records));
    // The accounts' batches interleave, as a run's grouped batches do.
    const longest = Math.max(...lists.map((l) => l.length));
    for (let from = 0; from < longest; from += batch) {
      lists.forEach((list, k) => {
        const part = list.slice(from, from + batch);
        if (part.length > 0) floors[k]!.addRows(Float64Array.from(part, (r) => r[0]), Float64Array.from(part, (r) => r[1]), 0, part.length);
      });
    }
    lists.forEach((list, k) => {
      const expected = reference(list);
      assert.deepEqual(floors[k]!.finish(), expected.map(({ day, n, floorMs, rank }) => ({ day, n, floorMs, rank })));
      assert.deepEqual(floors[k]!.lowestByDay(), expected.map(({ day, n, lowest }) => ({ day, n, lowest })));
    });
    const held = lists.flat().every(([, v]) => Number.isInteger(Math.round(v * 1000)) && Math.round(v * 1000) <= 0xffffffff && Math.round(v * 1000) / 1000 === v);
    assert.equal(records.scale, held ? 1000 : 1, 'thousandths exactly while every value fits them');
  }), { seed: SEED, numRuns: 300 });
});

test('daily floors: values with at most three decimals are kept in 4-byte words; one with more moves the run to doubles', () => {
  const records = DailyFloors.newRecords();
  const a = new DailyFloors(records);
  const b = new DailyFloors(records);
  const times = Float64Array.from({ length: 40 }, (_, i) => MARCH_1 + i * 1000);
  a.addRows(times, Float64Array.from({ length: 40 }, (_, i) => 40.125 - i), 0, 40);
  b.addRows(times, Float64Array.from({ length: 40 }, (_, i) => (i + 1) / 1000), 0, 40);
  assert.equal(records.heldBytes(), 4 * records.heldWords());
  b.addRows(Float64Array.of(MARCH_1 + 1), Float64Array.of(0.0001), 0, 1);
  assert.equal(records.heldBytes(), 8 * records.heldWords());
  assert.deepEqual(a.finish(), [{ day: '2026-03-01', n: 40, floorMs: 2.125, rank: 2 }]);
  assert.deepEqual(b.finish(), [{ day: '2026-03-01', n: 41, floorMs: 0.002, rank: 3 }]);
  assert.deepEqual(b.lowestByDay()[0]!.lowest.slice(0, 3), [0.0001, 0.001, 0.002]);
});

test('daily floors: records in many slabs (more full days than one slab holds) keep their own values', () => {
  const records = DailyFloors.newRecords();
  const floors = new DailyFloors(records);
  const days = 70_000;
  const perDay = 17;
  const times = new Float64Array(days * perDay);
  const values = new Float64Array(days * perDay);
  for (let d = 0; d < days; d++) {
    for (let i = 0; i < perDay; i++) {
      times[d * perDay + i] = MARCH_1 - 30_000 * US_PER_DAY + d * US_PER_DAY + i;
      // Day d's values: d + 1 + i/1000, so each day's floor names its day.
      values[d * perDay + i] = d + 1 + (perDay - i) / 1000;
    }
  }
  floors.addRows(times, values, 0, times.length);
  const finished = floors.finish();
  assert.equal(finished.length, days);
  for (const d of [0, 65_535, 65_536, 65_537, days - 1]) {
    assert.deepEqual({ n: finished[d]!.n, floorMs: finished[d]!.floorMs }, { n: perDay, floorMs: d + 1 + 0.001 }, `day ${d}`);
  }
  assert.ok(records.slabs.length >= 2 + 13, `${records.slabs.length} slabs`);
});

test('daily floors: the last microsecond of a day and the first of the next are different days', () => {
  const floors = new DailyFloors();
  const midnight = MARCH_1 + US_PER_DAY;
  floors.addRows(Float64Array.of(midnight - 1, midnight, midnight - 1), Float64Array.of(30, 20, 25), 0, 3);
  assert.deepEqual(floors.finish(), [
    { day: '2026-03-01', n: 2, floorMs: 25, rank: 1 },
    { day: '2026-03-02', n: 1, floorMs: 20, rank: 1 },
  ]);
});

test('daily floors: a sparse day costs its count and one value; a day that grew leaves its small record to the next day', () => {
  const records = DailyFloors.newRecords();
  const sparse = new DailyFloors(records);
  const days = 1000;
  sparse.addRows(Float64Array.from({ length: days }, (_, d) => MARCH_1 + d * US_PER_DAY), new Float64Array(days).fill(20), 0, days);
  // Slabs double up to their cap, so at most twice what 1,000 two-double records need (plus the first slab of each size).
  assert.ok(records.heldWords() <= 2 * days * 2 + 64, `${records.heldWords()} words for ${days} one-row days`);
  const busy = DailyFloors.newRecords();
  const floors = new DailyFloors(busy);
  for (let d = 0; d < 200; d++) {
    const times = Float64Array.from({ length: 40 }, (_, i) => MARCH_1 + d * US_PER_DAY + i * 1000);
    floors.addRows(times, Float64Array.from({ length: 40 }, (_, i) => 40 - i), 0, 40);
  }
  // 200 full records of 17 doubles; the growing ones (2 and 4 doubles) are reused day after day.
  assert.ok(busy.heldWords() <= 2 * 200 * 17 + 64, `${busy.heldWords()} words for 200 busy days`);
  assert.deepEqual(floors.finish()[0], { day: '2026-03-01', n: 40, floorMs: 2, rank: 2 });
});
