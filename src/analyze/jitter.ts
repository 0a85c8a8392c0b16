// Jitter: median absolute successive difference within a session, in time order.
// Rows may arrive out of time order; instead of a global sort (unbounded memory) each session keeps a
// reorder window of the REORDER_WINDOW latest samples in time order, in a small ring. A sample older
// than what already left the window cannot be placed and is counted as "late", never silently
// folded in. A session's window is also let go whole once IDLE_RELEASE_SAMPLES samples of other
// sessions of the same account and kind have come after its last one: an export with a session per
// connection has hundreds of thousands of short sessions, and windows kept to the end held every
// sample of each (rows in memory). Memory: the windows of recently active sessions, and a few
// numbers per session. A session whose first full window came mostly back in time (an export newest
// first, as many UIs write them) is read in reverse: its times are negated, so the window orders it
// the same way and its samples pair with the same neighbours (|a - b| either way), none late.
import { ValueStore, type ExactBudget } from './store.js';

/** Relative error of the jitter figure once its differences are sketched (only their median is reported). */
export const JITTER_RELATIVE_ACCURACY = 0.02;

/** Samples held per session before the oldest is released in time order (ring of 128 at most). */
export const REORDER_WINDOW = 127;
/**
 * Samples of the same account and kind after a session's last one, past which its window is
 * released whole (its later samples still pair with its last value; older ones count as late).
 */
export const IDLE_RELEASE_SAMPLES = 4 * (REORDER_WINDOW + 1);
/** The ring of a session whose window was released (no samples held). */
const NO_RING: number[] = [];

class SessionSeries {
  // Ring of (time, value) pairs sorted by time from `head`; grows (doubling) up to REORDER_WINDOW + 1.
  // Plain arrays (see store.ts: many small typed arrays slow the garbage collector down). It starts
  // with room for 4 (it was 16): a session of a few samples, of which an export with a session per
  // connection has many, then holds a ring its size while it is active.
  times: number[] = new Array<number>(4).fill(0);
  values: number[] = new Array<number>(4).fill(0);
  head = 0;
  count = 0;
  lastTime = -Infinity;
  lastValue = NaN;
  /** 1: times as they are; -1: negated (a session written newest first); 0: not decided yet. */
  direction = 0;
  /** Until the direction is decided: arrivals later than the one before minus those earlier, */
  forward = 0;
  /** and arrivals later than the first minus those earlier. */
  beyondFirst = 0;
  firstArrival = NaN;
  previousArrival = NaN;
  /** The tracker's sample count at this session's last sample. */
  lastSeen = 0;
  // Sessions holding samples, least recently active first (a doubly linked list through them).
  older: SessionSeries | null = null;
  newer: SessionSeries | null = null;
}

/** Differences released during one addRows call (one buffer for all trackers: calls do not nest). */
let pending = new Float64Array(1024);
/** One-row columns for `add` (the single-sample path shares the batch path's insert). */
const ONE_TIME = new Float64Array(1);
const ONE_VALUE = new Float64Array(1);

export class JitterTracker {
  // Sessions by key: the first in two fields, the Map only once a second one appears (most
  // accounts of a timing export have one session; a Map each was ~17 MB at 100,000 accounts).
  private firstKey: string | number | undefined = undefined;
  private firstSeries: SessionSeries | null = null;
  private sessions: Map<string | number, SessionSeries> | null = null;
  private lastKey: string | number | undefined = undefined;
  private lastSeries: SessionSeries | null = null;
  readonly diffs: ValueStore;
  late = 0;
  pairs = 0;
  /** Samples offered so far (the clock of IDLE_RELEASE_SAMPLES). */
  private seen = 0;
  // Sessions whose window holds samples, least recently active first.
  private oldest: SessionSeries | null = null;
  private newest: SessionSeries | null = null;

  constructor(budget: ExactBudget | null) {
    this.diffs = new ValueStore(budget, false, JITTER_RELATIVE_ACCURACY);
  }

  add(session: string | number, timeUs: number, valueMs: number): void {
    ONE_TIME[0] = timeUs;
    ONE_VALUE[0] = valueMs;
    this.insert(this.seriesOf(session), ONE_TIME, ONE_VALUE, 0);
  }

  /**
   * Rows [from, to) of grouped batch columns; differences reach the store once per call. Rows are
   * passed on as (columns, index), never as doubles: a call per row with double arguments boxes
   * each of them (garbage for every row of a 10M-row run).
   */
  addRows(session: Int32Array, timeUs: Float64Array, valueMs: Float64Array, from: number, to: number): void {
    this.pendingLimit = to - from + 1;
    if (pending.length < this.pendingLimit) pending = new Float64Array(this.pendingLimit * 2);
    for (let i = from; i < to; i++) {
      this.insert(this.seriesOf(session[i]!), timeUs, valueMs, i);
    }
    this.diffs.addValues(pending, this.pendingCount);
    this.pendingCount = 0;
    this.pendingLimit = 0;
  }

  /** The session's window; rows of one session usually come together, so the last one saves the look-up. */
  private seriesOf(session: string | number): SessionSeries {
    if (session === this.lastKey && this.lastSeries !== null) return this.lastSeries;
    let series: SessionSeries | undefined;
    if (this.firstSeries === null) {
      series = new SessionSeries();
      this.firstKey = session;
      this.firstSeries = series;
    } else if (this.sessions === null && session === this.firstKey) {
      series = this.firstSeries;
    } else {
      // Insertion order is the first-seen order, as before: finish releases windows in it.
      this.sessions ??= new Map([[this.firstKey!, this.firstSeries]]);
      series = this.sessions.get(session);
      if (series === undefined) { series = new SessionSeries(); this.sessions.set(session, series); }
    }
    this.lastKey = session;
    this.lastSeries = series;
    return series;
  }

  /** Every session's window, in first-seen order. */
  private allSeries(): Iterable<SessionSeries> {
    return this.sessions !== null ? this.sessions.values() : this.firstSeries !== null ? [this.firstSeries] : [];
  }

  /** Row i of the columns into the session's window, in time order. */
  private insert(series: SessionSeries, timeCol: Float64Array, valueCol: Float64Array, row: number): void {
    let timeUs = timeCol[row]!;
    if (series.direction === 0) {
      if (timeUs > series.previousArrival) series.forward++;
      else if (timeUs < series.previousArrival) series.forward--;
      if (timeUs > series.firstArrival) series.beyondFirst++;
      else if (timeUs < series.firstArrival) series.beyondFirst--;
      else if (Number.isNaN(series.firstArrival)) series.firstArrival = timeUs;
      series.previousArrival = timeUs;
    } else if (series.direction < 0) timeUs = -timeUs;
    const seen = ++this.seen;
    series.lastSeen = seen;
    if (series !== this.newest) this.makeNewest(series);
    // Sessions idle for long let go of their windows (the least recently active is first).
    while (this.oldest !== null && seen - this.oldest.lastSeen > IDLE_RELEASE_SAMPLES) this.releaseWindow(this.oldest);
    if (timeUs < series.lastTime) { this.late++; return; }
    if (series.count === series.times.length) growRing(series);
    const { times, values } = series;
    const mask = times.length - 1;
    // Insert in time order from the newest end; stable for equal times (input order kept).
    let i = series.count;
    while (i > 0 && times[(series.head + i - 1) & mask]! > timeUs) {
      const from = (series.head + i - 1) & mask;
      const to = (series.head + i) & mask;
      times[to] = times[from]!;
      values[to] = values[from]!;
      i--;
    }
    times[(series.head + i) & mask] = timeUs;
    values[(series.head + i) & mask] = valueCol[row]!;
    series.count++;
    if (series.count > REORDER_WINDOW) this.releaseOldest(series);
  }

  // Differences released during addRows wait here, then go to the store in one call.
  private pendingCount = 0;
  private pendingLimit = 0;

  private releaseOldest(series: SessionSeries): void {
    if (series.direction === 0) orient(series);
    const v = series.values[series.head]!;
    if (!Number.isNaN(series.lastValue)) {
      const diff = Math.abs(v - series.lastValue);
      if (this.pendingCount < this.pendingLimit) pending[this.pendingCount++] = diff;
      else this.diffs.add(diff, 0);
      this.pairs++;
    }
    series.lastValue = v;
    series.lastTime = series.times[series.head]!;
    series.head = (series.head + 1) & (series.times.length - 1);
    series.count--;
  }

  /** The session moves to the newest end of the list of active sessions. */
  private makeNewest(series: SessionSeries): void {
    this.unlink(series);
    series.older = this.newest;
    if (this.newest !== null) this.newest.newer = series; else this.oldest = series;
    this.newest = series;
  }

  private unlink(series: SessionSeries): void {
    if (series.older !== null) series.older.newer = series.newer;
    else if (this.oldest === series) this.oldest = series.newer;
    if (series.newer !== null) series.newer.older = series.older;
    else if (this.newest === series) this.newest = series.older;
    series.older = null;
    series.newer = null;
  }

  /** Every sample of the session's window leaves it, in time order; the ring is freed. */
  private releaseWindow(series: SessionSeries): void {
    while (series.count > 0) this.releaseOldest(series);
    this.unlink(series);
    series.times = NO_RING;
    series.values = NO_RING;
    series.head = 0;
  }

  sessionCount(): number { return this.sessions !== null ? this.sessions.size : this.firstSeries !== null ? 1 : 0; }

  /** Samples held in windows (for tests and memory accounting). */
  heldSamples(): number {
    let held = 0;
    for (const series of this.allSeries()) held += series.count;
    return held;
  }

  /** Flush every window; call once at the end. */
  finish(): void {
    for (const series of this.allSeries()) while (series.count > 0) this.releaseOldest(series);
  }
}

/**
 * The session's direction, at its first release: newest first (-1) when its full window came more
 * often back in time than forward, step by step and against its first sample alike, the ring then
 * reversed with its times negated; else as written. Both, so that neither an export in time order
 * written in reversed pages (steps mostly back) nor one jump back in one (samples then older than
 * the first) turns a session around. A window let go before it filled (idle, or at the end) keeps
 * the times as written.
 */
function orient(series: SessionSeries): void {
  series.direction = series.forward < 0 && series.beyondFirst < 0 && series.count > REORDER_WINDOW ? -1 : 1;
  if (series.direction > 0) return;
  const { times, values, head, count } = series;
  const mask = times.length - 1;
  for (let i = 0, j = count - 1; i <= j; i++, j--) {
    const a = (head + i) & mask;
    const b = (head + j) & mask;
    const t = times[a]!;
    const v = values[a]!;
    times[a] = -times[b]!;
    values[a] = values[b]!;
    times[b] = -t;
    values[b] = v;
  }
}

function growRing(series: SessionSeries): void {
  const capacity = Math.max(4, series.times.length * 2);
  const times = new Array<number>(capacity).fill(0);
  const values = new Array<number>(capacity).fill(0);
  const mask = series.times.length - 1;
  for (let i = 0; i < series.count; i++) {
    times[i] = series.times[(series.head + i) & mask]!;
    values[i] = series.values[(series.head + i) & mask]!;
  }
  series.times = times;
  series.values = values;
  series.head = 0;
}
