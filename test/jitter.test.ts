// Jitter windows over many sessions: a session's window is released whole once
// IDLE_RELEASE_SAMPLES samples of the same account and kind have come after its last one, so the
// samples held stay bounded however many short sessions a run has (they were all held to the end);
// a session that comes back still pairs with its last value, and a sample older than what left the
// window is counted late. Figures are checked against the direct definition: the median of
// |successive differences| within each session, in time order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IDLE_RELEASE_SAMPLES, JitterTracker, REORDER_WINDOW } from '../src/analyze/jitter.js';

const T0 = 1_772_000_000_000_000;

/** Median (type 1) of |successive differences| per session, every session in time order. */
function referenceJitter(rows: { session: number; t: number; v: number }[]): { pairs: number; median: number } {
  const bySession = new Map<number, { t: number; v: number }[]>();
  for (const r of rows) {
    if (!bySession.has(r.session)) bySession.set(r.session, []);
    bySession.get(r.session)!.push(r);
  }
  const diffs: number[] = [];
  for (const list of bySession.values()) {
    list.sort((a, b) => a.t - b.t);
    for (let i = 1; i < list.length; i++) diffs.push(Math.abs(list[i]!.v - list[i - 1]!.v));
  }
  diffs.sort((a, b) => a - b);
  return { pairs: diffs.length, median: diffs[Math.ceil(diffs.length / 2) - 1]! };
}

function feed(tracker: JitterTracker, rows: { session: number; t: number; v: number }[], onSession?: () => void): void {
  let last = -1;
  for (const r of rows) {
    if (r.session !== last && onSession) onSession();
    last = r.session;
    tracker.add(r.session, r.t, r.v);
  }
}

/** A tracker fed `fed` (rows in the order written) gives the figures of the definition on `rows`, none late. */
function assertDefinition(fed: { session: number; t: number; v: number }[], rows: { session: number; t: number; v: number }[]): void {
  const tracker = new JitterTracker(null);
  feed(tracker, fed);
  tracker.finish();
  const expected = referenceJitter(rows);
  assert.equal(tracker.late, 0);
  assert.equal(tracker.pairs, expected.pairs);
  assert.equal(tracker.diffs.quantile(0.5), expected.median);
}

test('jitter: 10,000 short sessions one after another hold at most the recent windows, with exact figures', () => {
  const rows: { session: number; t: number; v: number }[] = [];
  for (let s = 0; s < 10_000; s++) for (let i = 0; i < 50; i++) rows.push({ session: s, t: T0 + (s * 50 + i) * 1000, v: 20 + ((s * 7 + i * 13) % 97) / 10 });
  const tracker = new JitterTracker(null);
  let maxHeld = 0;
  feed(tracker, rows, () => { maxHeld = Math.max(maxHeld, tracker.heldSamples()); });
  assert.ok(maxHeld <= IDLE_RELEASE_SAMPLES + REORDER_WINDOW + 1, `${maxHeld} samples held at most`);
  tracker.finish();
  const expected = referenceJitter(rows);
  assert.equal(tracker.pairs, expected.pairs);
  assert.equal(tracker.late, 0);
  assert.equal(tracker.diffs.quantile(0.5), expected.median);
  assert.equal(tracker.sessionCount(), 10_000);
});

test('jitter: sessions interleaved row by row within the idle horizon give the figures of the definition, out of order too', () => {
  const rows: { session: number; t: number; v: number }[] = [];
  for (let i = 0; i < 3_000; i++) rows.push({ session: i % 5, t: T0 + i * 1000, v: 10 + ((i * 31) % 53) / 10 });
  // Shuffled within blocks of 100 rows: each session's rows stay well inside its reorder window.
  const shuffled: typeof rows = [];
  for (let b = 0; b < rows.length; b += 100) shuffled.push(...rows.slice(b, b + 100).reverse());
  assertDefinition(shuffled, rows);
});

test('jitter: a session back after going idle pairs with its last value; an older sample then counts late', () => {
  const tracker = new JitterTracker(null);
  tracker.add(1, T0, 10);
  tracker.add(1, T0 + 1000, 12);
  // Session 2 long enough for session 1 to go idle: its window (10, 12) is released.
  for (let i = 0; i <= IDLE_RELEASE_SAMPLES; i++) tracker.add(2, T0 + 10_000 + i * 1000, 50);
  assert.ok(tracker.heldSamples() <= REORDER_WINDOW, `${tracker.heldSamples()} held`);
  tracker.add(1, T0 + 2000, 15); // newer than session 1's last released sample: pairs with 12
  tracker.add(1, T0 + 500, 99); // older than what left session 1's window: late, not folded in
  tracker.finish();
  assert.equal(tracker.late, 1);
  // Session 1: |12 - 10|, |15 - 12|; session 2: IDLE_RELEASE_SAMPLES zero differences.
  assert.equal(tracker.pairs, 2 + IDLE_RELEASE_SAMPLES);
  assert.equal(tracker.sessionCount(), 2);
});

/**
 * The windows by their definition, with plain arrays spliced in place and idle sessions found by
 * a scan: what the rings must hand on, difference for difference, with lateness and idle release.
 */
class ModelTracker {
  private readonly sessions = new Map<number, { times: number[]; values: number[]; lastTime: number; lastValue: number; lastSeen: number; arrivals: number[]; sign: number }>();
  readonly diffs: number[] = [];
  late = 0;
  private seen = 0;

  add(session: number, t: number, v: number): void {
    let s = this.sessions.get(session);
    if (s === undefined) { s = { times: [], values: [], lastTime: -Infinity, lastValue: NaN, lastSeen: 0, arrivals: [], sign: 0 }; this.sessions.set(session, s); }
    const seen = ++this.seen;
    s.lastSeen = seen;
    // Idle sessions (least recently active first) release their windows whole.
    const idle = [...this.sessions.values()].filter((o) => o !== s && o.times.length > 0 && seen - o.lastSeen > IDLE_RELEASE_SAMPLES)
      .sort((a, b) => a.lastSeen - b.lastSeen);
    for (const o of idle) while (o.times.length > 0) this.release(o);
    if (s.sign === 0) s.arrivals.push(t);
    else t *= s.sign;
    if (t < s.lastTime) { this.late++; return; }
    let i = s.times.length;
    while (i > 0 && s.times[i - 1]! > t) i--;
    s.times.splice(i, 0, t);
    s.values.splice(i, 0, v);
    if (s.times.length > REORDER_WINDOW) this.release(s);
  }

  private release(s: { times: number[]; values: number[]; lastTime: number; lastValue: number; arrivals: number[]; sign: number }): void {
    if (s.sign === 0) {
      // Decided at the first release: a full window that came back in time more often than forward,
      // step by step and against its first arrival, is read negated.
      let forward = 0;
      let beyondFirst = 0;
      for (let i = 1; i < s.arrivals.length; i++) {
        forward += Math.sign(s.arrivals[i]! - s.arrivals[i - 1]!);
        beyondFirst += Math.sign(s.arrivals[i]! - s.arrivals[0]!);
      }
      s.sign = forward < 0 && beyondFirst < 0 && s.times.length > REORDER_WINDOW ? -1 : 1;
      if (s.sign < 0) {
        const order = s.times.map((t, i) => ({ t: -t, v: s.values[i]! })).reverse();
        s.times = order.map((o) => o.t);
        s.values = order.map((o) => o.v);
      }
    }
    const v = s.values.shift()!;
    if (!Number.isNaN(s.lastValue)) this.diffs.push(Math.abs(v - s.lastValue));
    s.lastValue = v;
    s.lastTime = s.times.shift()!;
  }

  finish(): void {
    for (const s of this.sessions.values()) while (s.times.length > 0) this.release(s);
  }

  held(): number {
    let n = 0;
    for (const s of this.sessions.values()) n += s.times.length;
    return n;
  }
}

test('jitter: windows of several trackers, interleaved batches, sessions going idle and coming back, equal a plain-array model', async () => {
  const fc = (await import('fast-check')).default;
  const { ExactBudget } = await import('../src/analyze/store.js');
  const value = fc.oneof(
    { weight: 10, arbitrary: fc.integer({ min: 0, max: 200_000 }).map((v) => v / 1000) },
    { weight: 1, arbitrary: fc.double({ min: 0, max: 5e6, noNaN: true }) },
  );
  // Rows of a few sessions, two busy and four rare (these go idle and come back), times mostly
  // forward with jumps back (some within a window, some older than what left it).
  const session = fc.oneof({ weight: 40, arbitrary: fc.constantFrom(0, 1) }, { weight: 1, arbitrary: fc.integer({ min: 2, max: 5 }) });
  const step = fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 0, max: 40 }) }, { weight: 1, arbitrary: fc.integer({ min: -400, max: -1 }) });
  const row = fc.tuple(session, step, value);
  const account = fc.array(row, { minLength: 1, maxLength: 2500 });
  fc.assert(fc.property(fc.array(account, { minLength: 1, maxLength: 3 }), fc.integer({ min: 1, max: 300 }), (accounts, batch) => {
    const budget = new ExactBudget(Number.POSITIVE_INFINITY);
    const trackers = accounts.map(() => new JitterTracker(budget));
    const models = accounts.map(() => new ModelTracker());
    const columns = accounts.map((rows) => {
      let t = T0;
      const times = new Float64Array(rows.length);
      rows.forEach(([, step], i) => { t += step * 1000; times[i] = t; });
      // Which sessions are busy moves on every 300 rows (of 4 pairs, then back): windows go idle,
      // are released and grow again in rings others let go of.
      const sessionOf = (r: (typeof rows)[number], i: number): number => (r[0] < 2 ? (Math.floor(i / 300) % 4) * 2 + r[0] : 6 + r[0]);
      return { session: Int32Array.from(rows, sessionOf), times, values: Float64Array.from(rows, (r) => r[2]) };
    });
    // The accounts' batches interleave, as a run's do, so they take rings from the same slabs.
    const longest = Math.max(...accounts.map((a) => a.length));
    for (let from = 0; from < longest; from += batch) {
      columns.forEach((c, k) => {
        const to = Math.min(from + batch, c.times.length);
        if (to > from) trackers[k]!.addRows(c.session, c.times, c.values, from, to);
        for (let i = from; i < to; i++) models[k]!.add(c.session[i]!, c.times[i]!, c.values[i]!);
      });
    }
    trackers.forEach((tracker, k) => {
      tracker.finish();
      models[k]!.finish();
      assert.equal(tracker.late, models[k]!.late);
      assert.equal(tracker.pairs, models[k]!.diffs.length);
      assert.deepEqual([...tracker.diffs.sortedExactValues()], [...models[k]!.diffs].sort((a, b) => a - b));
    });
  }), { seed: 5, numRuns: 150 });
});

test('jitter: one session\'s rows in time order (or newest first) over many batches, broken by rows back in time (forward), equal times, a second session and batch edges, equal the model', async () => {
  const fc = (await import('fast-check')).default;
  const { ExactBudget } = await import('../src/analyze/store.js');
  // Mostly one session moving forward (the usual export), now and then a row of another session
  // (two windows: the row-by-row path until one goes idle), a step back within the window or past
  // it (late), a repeated time.
  // Stretches of one session: long ones of session 0, short ones of session 1 (whose window goes
  // idle after IDLE_RELEASE_SAMPLES of session 0's rows, leaving one window again).
  const stretch = fc.oneof({ weight: 4, arbitrary: fc.tuple(fc.constant(0), fc.integer({ min: 100, max: 1500 })) },
    { weight: 1, arbitrary: fc.tuple(fc.constant(1), fc.integer({ min: 1, max: 5 })) });
  const step = fc.oneof(
    { weight: 30, arbitrary: fc.integer({ min: 1, max: 40 }) }, { weight: 3, arbitrary: fc.constant(0) },
    { weight: 1, arbitrary: fc.integer({ min: -60, max: -1 }) }, { weight: 1, arbitrary: fc.integer({ min: -20_000, max: -5000 }) },
  );
  const value = fc.integer({ min: 0, max: 200_000 }).map((v) => v / 1000);
  // Direction -1: the same rows written newest first, as many UIs export (the window turns the session around).
  fc.assert(fc.property(fc.array(stretch, { minLength: 1, maxLength: 6 }), fc.infiniteStream(fc.tuple(step, value)), fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 8 }), fc.constantFrom(1, -1), (stretches, draws, batches, direction) => {
    const rows: [number, number, number][] = [];
    for (const [s, length] of stretches) for (const [step, v] of draws.take(length)) rows.push([s, step, v]);
    const tracker = new JitterTracker(new ExactBudget(Number.POSITIVE_INFINITY));
    const model = new ModelTracker();
    let t = T0;
    const times = Float64Array.from(rows, ([, step]) => (t += direction * step * 1000));
    const sessions = Int32Array.from(rows, ([s]) => s);
    const values = Float64Array.from(rows, ([, , v]) => v);
    let k = 0;
    for (let from = 0; from < rows.length;) {
      const to = Math.min(rows.length, from + batches[k++ % batches.length]!);
      tracker.addRows(sessions, times, values, from, to);
      for (let i = from; i < to; i++) model.add(sessions[i]!, times[i]!, values[i]!);
      assert.equal(tracker.heldSamples(), model.held(), `held after rows ${from}..${to}`);
      from = to;
    }
    tracker.finish();
    model.finish();
    assert.equal(tracker.late, model.late);
    assert.equal(tracker.pairs, model.diffs.length);
    assert.deepEqual([...tracker.diffs.sortedExactValues()], [...model.diffs].sort((a, b) => a - b));
  }), { seed: 11, numRuns: 150 });
  // After a long in-order run, a row of another session, then one a little back in time: the first
  // session was active a row ago (not idle), so that row is sorted into its window, not late.
  const tracker = new JitterTracker(new ExactBudget(Number.POSITIVE_INFINITY));
  const n = 3 * IDLE_RELEASE_SAMPLES;
  const times = Float64Array.from({ length: n + 2 }, (_, i) => T0 + i * 1000);
  times[n] = T0 + 5;
  times[n + 1] = T0 + (n - 3) * 1000 + 500;
  const sessions = Int32Array.from({ length: n + 2 }, (_, i) => (i === n ? 1 : 0));
  tracker.addRows(sessions, times, Float64Array.from(times, (_, i) => 20 + (i % 9)), 0, n + 2);
  assert.equal(tracker.late, 0);
});

test('jitter: small windows released while others stay active, then one growing to a full window: each session keeps its own samples', async () => {
  const { ExactBudget } = await import('../src/analyze/store.js');
  const tracker = new JitterTracker(new ExactBudget(Number.POSITIVE_INFINITY));
  const model = new ModelTracker();
  const rows: [number, number, number][] = [];
  let t = T0;
  // Sessions 1..8 hold small windows; 1..4 then go idle (windows released) while 5..8 stay
  // active; session 9 then grows to a full window, and 5..8 go on.
  for (let s = 1; s <= 8; s++) for (let i = 0; i < 3; i++) rows.push([s, (t += 1000), s * 10 + i / 10]);
  for (let i = 0; i <= IDLE_RELEASE_SAMPLES; i++) rows.push([5 + (i % 4), (t += 1000), 50 + (i % 7) / 10]);
  for (let i = 0; i < 200; i++) {
    rows.push([9, (t += 1000), 90 + (i % 11) / 10]);
    if (i % 50 === 0) for (let s = 5; s <= 8; s++) rows.push([s, (t += 1000), s + i / 100]);
  }
  for (const [s, time, v] of rows) { tracker.add(s, time, v); model.add(s, time, v); }
  tracker.finish();
  model.finish();
  assert.equal(tracker.pairs, model.diffs.length);
  assert.deepEqual([...tracker.diffs.sortedExactValues()], [...model.diffs].sort((a, b) => a - b));
});

test('jitter: a session written newest first (as many UIs export) pairs as in time order, none late', () => {
  // 2,000 samples a minute apart, alternating +5 ms: in time order |diff| is 5 +- noise.
  const rows: { session: number; t: number; v: number }[] = [];
  for (let i = 0; i < 2000; i++) rows.push({ session: 0, t: T0 + i * 60_000_000, v: 30 + ((i * 37) % 100) / 10 + (i % 2) * 5 });
  // Before: 127 pairs and 1,872 samples late, the figure from the first window alone.
  assertDefinition([...rows].reverse(), rows);
  // Newest first and a little shuffled within the window (equal figures), and two sessions interleaved.
  const two = rows.map((r, i) => ({ ...r, session: i % 2 }));
  const shuffled: typeof two = [];
  const reversed = [...two].reverse();
  for (let b = 0; b < reversed.length; b += 50) shuffled.push(...reversed.slice(b, b + 50).sort((x, y) => ((x.t / 60_000_000) * 7919) % 13 - ((y.t / 60_000_000) * 7919) % 13));
  assertDefinition(shuffled, two);
});
