// Floor per UTC day with a fixed, small memory per day: the lowest DAILY_KEEP values and a count.
// The day's p5 needs the ceil(0.05 n)-th lowest value, which is among the kept ones while
// n <= DAILY_KEEP / 0.05; on busier days the DAILY_KEEP-th lowest is reported (and its rank),
// a slightly lower quantile that still tracks a floor shift from one day to the next.
import type { DailyFloor } from '../types.js';
import { quantileRank } from './stats.js';

export const DAILY_KEEP = 16;
const US_PER_DAY = 86_400_000_000;

// A plain array, not a typed one: hundreds of thousands of account-days each holding a separate
// ArrayBuffer cost far more memory than the numbers themselves.
class DayLowest {
  n = 0;
  readonly lowest: number[] = [];
  add(v: number): void {
    this.n++;
    const a = this.lowest;
    if (a.length === DAILY_KEEP && v >= a[DAILY_KEEP - 1]!) return;
    let i = a.length < DAILY_KEEP ? a.length : DAILY_KEEP - 1;
    if (a.length < DAILY_KEEP) a.push(v);
    while (i > 0 && a[i - 1]! > v) { a[i] = a[i - 1]!; i--; }
    a[i] = v;
  }
}

export class DailyFloors {
  private readonly days = new Map<number, DayLowest>();

  add(timeUs: number, valueMs: number): void {
    const day = Math.floor(timeUs / US_PER_DAY);
    let d = this.days.get(day);
    if (d === undefined) { d = new DayLowest(); this.days.set(day, d); }
    d.add(valueMs);
  }

  finish(): DailyFloor[] {
    return [...this.days.entries()].sort((a, b) => a[0] - b[0]).map(([day, d]) => {
      const rank = Math.min(quantileRank(d.n, 0.05), DAILY_KEEP);
      return { day: new Date(day * 86_400_000).toISOString().slice(0, 10), n: d.n, floorMs: d.lowest[rank - 1]!, rank };
    });
  }
}
