// Jitter: median absolute successive difference within a session, in time order.
// Rows may arrive out of time order; instead of a global sort (unbounded memory) each session keeps a
// reorder window. Samples older than what already left the window cannot be placed and are counted
// as "late", never silently folded in.
import { ValueStore, type ExactBudget } from './store.js';

/** Samples buffered per session before the oldest are released in time order. */
export const REORDER_WINDOW = 512;

class SessionSeries {
  times: number[] = [];
  values: number[] = [];
  lastTime = -Infinity;
  lastValue = NaN;
}

export class JitterTracker {
  private readonly sessions = new Map<string, SessionSeries>();
  readonly diffs: ValueStore;
  late = 0;
  pairs = 0;

  constructor(budget: ExactBudget | null) {
    this.diffs = new ValueStore(budget, false);
  }

  add(session: string, timeUs: number, valueMs: number): void {
    let series = this.sessions.get(session);
    if (series === undefined) { series = new SessionSeries(); this.sessions.set(session, series); }
    if (timeUs < series.lastTime) { this.late++; return; }
    const { times, values } = series;
    // Insert in time order; stable for equal times (input order kept).
    let i = times.length;
    while (i > 0 && times[i - 1]! > timeUs) i--;
    times.splice(i, 0, timeUs);
    values.splice(i, 0, valueMs);
    if (times.length >= 2 * REORDER_WINDOW) this.release(series, REORDER_WINDOW);
  }

  private release(series: SessionSeries, count: number): void {
    for (let i = 0; i < count; i++) {
      const v = series.values[i]!;
      if (!Number.isNaN(series.lastValue)) {
        this.diffs.add(Math.abs(v - series.lastValue), 0);
        this.pairs++;
      }
      series.lastValue = v;
      series.lastTime = series.times[i]!;
    }
    series.times.splice(0, count);
    series.values.splice(0, count);
  }

  sessionCount(): number { return this.sessions.size; }

  /** Flush every window; call once at the end. */
  finish(): void {
    for (const series of this.sessions.values()) this.release(series, series.times.length);
  }
}
