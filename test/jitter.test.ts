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
  const tracker = new JitterTracker(null);
  feed(tracker, shuffled);
  tracker.finish();
  const expected = referenceJitter(rows);
  assert.equal(tracker.late, 0);
  assert.equal(tracker.pairs, expected.pairs);
  assert.equal(tracker.diffs.quantile(0.5), expected.median);
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
