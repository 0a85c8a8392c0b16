// --assume-tz: times written without a UTC offset read as wall-clock times in a named zone.
// Reading them needs the zone's offset at that wall time, which only Intl knows (tzdb); Intl costs
// microseconds a call, so it is asked per hour of wall time at most (in practice once per day of
// data, see `WallClock.hourOf`), never per row: a row costs a cache look-up and a few comparisons.

/** The zone `--assume-tz` names, checked: `name` as reports write it. */
export interface AssumedZone {
  /** The IANA name as given (its case mended), `UTC`, or a fixed offset `+02:00`. */
  name: string;
  /** Seconds east of UTC for a fixed offset (UTC: 0); null for a zone whose offset Intl gives. */
  fixedSeconds: number | null;
}

/** The adapter option that carries the zone's name to the adapters, in this thread or a reader thread. */
export const ASSUME_TZ_OPTION = 'assumeTz';

const FIXED_OFFSET_RE = /^([+-])(\d{2}):?(\d{2})?$/;

/**
 * The zone a `--assume-tz` value names, or why it names none (one line). Accepted: an IANA name
 * Intl knows (any case; links such as `US/Central` too), `UTC` (also `GMT`, `Etc/UTC`), or
 * a fixed offset `±HH:MM` / `±HHMM` / `±HH` (up to 18 hours, as the time readers take them). A
 * bare abbreviation such as `EST` or `CET` is refused although tzdb has such zones: tzdb's `EST` is
 * UTC-5 all year, not New York's time, the trap an export in Eastern time would fall into.
 */
export function parseAssumedZone(text: string): AssumedZone | { bad: string } {
  const s = text.trim();
  const fixed = FIXED_OFFSET_RE.exec(s);
  if (fixed !== null) {
    const hours = Number(fixed[2]);
    const minutes = fixed[3] === undefined ? 0 : Number(fixed[3]);
    if (hours > 18 || minutes > 59) return { bad: `'${s}' is no UTC offset (at most ±18:00)` };
    const sign = fixed[1] === '-' ? -1 : 1;
    const seconds = sign * (hours * 3600 + minutes * 60);
    const name = seconds === 0 ? 'UTC' : `${fixed[1]}${fixed[2]}:${String(minutes).padStart(2, '0')}`;
    return { name, fixedSeconds: seconds };
  }
  const expected = 'an IANA time zone such as America/Chicago or Europe/Berlin, UTC, or a UTC offset such as +02:00';
  let canonical: string;
  try {
    canonical = new Intl.DateTimeFormat('en-US', { timeZone: s }).resolvedOptions().timeZone;
  } catch {
    return { bad: `'${s}' is no time zone (expected ${expected})` };
  }
  if (canonical === 'UTC') return { name: 'UTC', fixedSeconds: 0 };
  if (!s.includes('/')) return { bad: `'${s}' is an abbreviation, not a place's time zone (tzdb's EST, for one, keeps -05:00 all year, unlike New York); expected ${expected}` };
  // ICU's canonical names are tzdb's older ones (Asia/Kolkata resolves to Asia/Calcutta): the name as
  // given is kept, its case mended where it is the canonical one (america/chicago: America/Chicago).
  return { name: canonical.toLowerCase() === s.toLowerCase() ? canonical : s, fixedSeconds: null };
}

/** What `WallClock.toUtc` found: the instant is in `WallClock.out[0]` unless NONEXISTENT. */
export const WALL_UNIQUE = 0;
/** The wall time was read twice (clocks went back): the earlier instant, in `out[0]`. */
export const WALL_AMBIGUOUS = 1;
/** The wall time was skipped (clocks went forward): no instant. */
export const WALL_NONEXISTENT = 2;

const HOUR_US = 3_600_000_000;
const DAY_S = 86_400;
/** Widest offsets a zone has had (Kiribati +14, Etc/GMT+12 -12), with an hour to spare either side. */
const MAX_EAST_S = 15 * 3600;
const MAX_WEST_S = 13 * 3600;

/**
 * One wall hour's offsets: `before` until the instant `transition` (epoch seconds), `after` from
 * it; before === after when no change of offset is near.
 */
interface HourOffsets { before: number; after: number; transition: number }

/**
 * Wall-clock times of one zone to UTC, one per input (it keeps counts for the header). Wall times
 * come as epoch µs of the same date and time read as UTC (what the time readers give for a time
 * without an offset); the instant goes into `out[0]` (a one-element typed array: a returned double
 * would be a heap number per row, see generic-bytes.ts).
 *
 * A wall time in the hour the clocks skip (spring forward) does not exist: WALL_NONEXISTENT, and
 * the caller rejects the row. A wall time in the hour read twice (fall back) is the earlier of the
 * two instants (the offset before the change, daylight time in the northern zones): WALL_AMBIGUOUS,
 * counted and said in the header. The offsets near a wall hour are found from two probes a few
 * days' width apart on whole UTC days; where they differ, the instant of the change by bisection.
 * This assumes a zone changes its offset at most once in any three days, true of tzdb 1990-2099.
 */
export class WallClock {
  /** The instant (epoch µs) of the last wall time converted. */
  readonly out = new Float64Array(1);
  /** Samples whose offset-less time this zone read (adapters count them). */
  samples = 0;
  /** Of them, samples whose wall time was read twice (earlier instant taken). */
  ambiguous = 0;
  /** Rows rejected for a wall time the clocks skipped. */
  nonexistent = 0;
  /** Intl look-ups made (for the tests: at most one per wall hour). */
  intlCalls = 0;
  private readonly format: Intl.DateTimeFormat | null;
  private readonly hours = new Map<number, HourOffsets>();
  private readonly probes = new Map<number, number>();
  /** Instants of changes found, by the UTC day (its first second) they fall in. */
  private readonly transitions = new Map<number, number>();
  private lastHour = NaN;
  private last: HourOffsets;

  constructor(readonly zone: AssumedZone) {
    this.format = zone.fixedSeconds !== null ? null : new Intl.DateTimeFormat('en-US', {
      timeZone: zone.name, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    const fixed = zone.fixedSeconds ?? 0;
    this.last = { before: fixed, after: fixed, transition: Infinity };
  }

  /** `count` samples placed at a wall time `toUtc` found `status` (WALL_UNIQUE or WALL_AMBIGUOUS): counted for the header. */
  placed(status: number, count = 1): void {
    this.samples += count;
    if (status === WALL_AMBIGUOUS) this.ambiguous += count;
  }

  /** What this zone did to an input (AdapterResult.assumedZone). */
  counts(): { zone: string; samples: number; ambiguous: number; nonexistent: number } {
    return { zone: this.zone.name, samples: this.samples, ambiguous: this.ambiguous, nonexistent: this.nonexistent };
  }

  /** The instant of wall time `wallUs` into `out[0]`, and whether it was unique, ambiguous or nonexistent. */
  toUtc(wallUs: number): number {
    this.out[0] = wallUs;
    return this.toUtcIn(this.out);
  }

  /**
   * `toUtc` in place: the wall time in `cell[0]` becomes its instant (left as it is when
   * nonexistent). For the byte lane, whose times live in such a cell: no double crosses a call.
   */
  toUtcIn(cell: Float64Array): number {
    const wallUs = cell[0]!;
    if (this.format === null) { cell[0] = wallUs - this.last.before * 1e6; return WALL_UNIQUE; }
    const hour = Math.floor(wallUs / HOUR_US);
    if (hour !== this.lastHour) { this.last = this.hourOf(hour); this.lastHour = hour; }
    const { before, after, transition } = this.last;
    const early = wallUs - before * 1e6;
    if (before === after) { cell[0] = early; return WALL_UNIQUE; }
    const late = wallUs - after * 1e6;
    const transitionUs = transition * 1e6;
    const earlyValid = early < transitionUs;
    const lateValid = late >= transitionUs;
    if (earlyValid && lateValid) { cell[0] = Math.min(early, late); return WALL_AMBIGUOUS; }
    if (earlyValid) { cell[0] = early; return WALL_UNIQUE; }
    if (lateValid) { cell[0] = late; return WALL_UNIQUE; }
    return WALL_NONEXISTENT;
  }

  /**
   * `toUtc` for wall times a log writes in time order from its own clock (a performance counter log
   * across a change of daylight time): in the hour read twice, the earlier instant unless it would go
   * back before `previousUs` (the row before's instant), then the later one: the second pass through
   * that hour. Counted as ambiguous either way.
   */
  toUtcInOrder(wallUs: number, previousUs: number): number {
    const found = this.toUtc(wallUs);
    if (found === WALL_AMBIGUOUS && this.out[0]! < previousUs) {
      const { before, after } = this.last;
      this.out[0] = Math.max(wallUs - before * 1e6, wallUs - after * 1e6);
    }
    return found;
  }

  /** The offsets that may apply to wall hour `hour` (hours since the epoch, wall time read as UTC). */
  private hourOf(hour: number): HourOffsets {
    let offsets = this.hours.get(hour);
    if (offsets !== undefined) return offsets;
    const wallStart = hour * 3600;
    // Every instant a wall time of this hour can be lies in [lo, hi]: whole UTC days around it, so
    // that the hours of a day (and of the next) share their probes.
    const lo = Math.floor((wallStart - MAX_EAST_S) / DAY_S) * DAY_S;
    const hi = Math.ceil((wallStart + 3600 + MAX_WEST_S) / DAY_S) * DAY_S;
    const before = this.offsetAt(lo);
    const after = this.offsetAt(hi);
    offsets = { before, after, transition: before === after ? Infinity : this.transitionIn(lo, hi, before) };
    this.hours.set(hour, offsets);
    return offsets;
  }

  /**
   * The first second of [lo, hi] at which the offset is no longer `before` (one change between
   * them): the day it falls in from the day probes (shared with other hours), then the second by
   * bisection, once per change.
   */
  private transitionIn(lo: number, hi: number, before: number): number {
    let day = lo;
    while (day + DAY_S < hi && this.offsetAt(day + DAY_S) === before) day += DAY_S;
    const known = this.transitions.get(day);
    if (known !== undefined) return known;
    let a = day;
    let b = day + DAY_S;
    while (b - a > 1) {
      const mid = Math.floor((a + b) / 2);
      if (this.offsetAt(mid, false) === before) a = mid; else b = mid;
    }
    this.transitions.set(day, b);
    return b;
  }

  /** Seconds east of UTC at instant `seconds` (epoch), by Intl; remembered when `keep`. */
  private offsetAt(seconds: number, keep = true): number {
    const known = this.probes.get(seconds);
    if (known !== undefined) return known;
    this.intlCalls++;
    let year = 0; let month = 0; let day = 0; let hour = 0; let minute = 0; let second = 0;
    for (const part of this.format!.formatToParts(new Date(seconds * 1000))) {
      const v = Number(part.value);
      switch (part.type) {
        case 'year': year = v; break;
        case 'month': month = v; break;
        case 'day': day = v; break;
        case 'hour': hour = v; break;
        case 'minute': minute = v; break;
        case 'second': second = v; break;
        default: break;
      }
    }
    const offset = Date.UTC(year, month - 1, day, hour, minute, second) / 1000 - seconds;
    if (keep) this.probes.set(seconds, offset);
    return offset;
  }
}

/** The converter for an input, from the adapters' options; null (and nothing to do per row) without --assume-tz. */
export function wallClockOf(options: { readonly [name: string]: string | undefined }): WallClock | null {
  const text = options[ASSUME_TZ_OPTION];
  if (text === undefined) return null;
  const zone = parseAssumedZone(text);
  // Checked on the command line already (a bad name is a usage error there).
  if ('bad' in zone) throw new Error(`--assume-tz ${zone.bad}`);
  return new WallClock(zone);
}
