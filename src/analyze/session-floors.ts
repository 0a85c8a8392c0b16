// Per-session floors of the two kinds the relay signature compares (app_rtt and rtt), for the
// signature per session (issue 5 scope 5): an operator who connects directly on some days and
// through a relay on others has a low account-level app_rtt floor (the direct sessions set it),
// yet each relayed session shows the gap. Memory: the KEEP lowest values and a count per session
// and kind, and at most MAX_SESSIONS sessions per account (more are counted, not kept).
import type { Kind } from '../types.js';
import type { RawSample } from '../ingest/adapter.js';
import type { SampleObserver } from '../collect.js';
import { orderStatisticInterval, quantileRank } from './stats.js';
import { FLOOR_CONFIDENCE, FLOOR_QUANTILE } from './distribution.js';
import { insertLowest } from './daily.js';

/** Lowest values kept per session and kind: exact floors and intervals up to ~700 samples. */
export const SESSION_KEEP = 48;
export const MAX_SESSIONS_PER_ACCOUNT = 512;

/** A session's floor with its order-statistic interval; null where the kept values cannot give it. */
export interface SessionFloor {
  n: number;
  minMs: number;
  floorMs: number;
  lowerMs: number | null;
  lowerRank: number | null;
  upperMs: number;
  upperRank: number;
  confidence: number;
}

class Lowest {
  n = 0;
  readonly values: number[] = [];
  add(v: number): void {
    this.n++;
    insertLowest(this.values, v, SESSION_KEEP);
  }
  floor(): SessionFloor | null {
    const interval = orderStatisticInterval(this.n, FLOOR_QUANTILE, FLOOR_CONFIDENCE);
    const rank = quantileRank(this.n, FLOOR_QUANTILE);
    if (interval.upperRank > this.values.length || rank > this.values.length) return null;
    return {
      n: this.n,
      minMs: this.values[0]!,
      floorMs: this.values[rank - 1]!,
      lowerMs: interval.lowerRank === null ? null : this.values[interval.lowerRank - 1]!,
      lowerRank: interval.lowerRank,
      upperMs: this.values[interval.upperRank - 1]!,
      upperRank: interval.upperRank,
      confidence: interval.confidence,
    };
  }
}

const TRACKED: ReadonlySet<Kind> = new Set(['app_rtt', 'rtt']);

export interface SessionFloors {
  session: string;
  app: SessionFloor | null;
  rtt: SessionFloor | null;
}

/** A session's lowest values per kind; a kind's is made at its first value (most sessions have one kind only). */
interface SessionEntry { app: Lowest | null; rtt: Lowest | null }

interface AccountSessions {
  sessions: Map<string, SessionEntry>;
  // The last session seen: rows of one session usually come together (one map look-up saved).
  lastFile: number;
  lastSession: string;
  lastEntry: SessionEntry | null;
}

export class SessionFloorTracker implements SampleObserver {
  // Without a session id the account-level figures are already the session's.
  readonly wants = { kinds: TRACKED, session: true };
  private readonly accounts = new Map<string, AccountSessions>();
  private readonly overflow = new Map<string, number>();

  observe(account: string, raw: RawSample, fileIndex: number): void {
    if (!TRACKED.has(raw.kind) || raw.session === '') return;
    let a = this.accounts.get(account);
    if (a === undefined) { a = { sessions: new Map(), lastFile: -1, lastSession: '', lastEntry: null }; this.accounts.set(account, a); }
    let entry = a.lastEntry;
    if (entry === null || a.lastFile !== fileIndex || a.lastSession !== raw.session) {
      // Sessions are per input file (as for jitter): the same stream number in two captures is two sessions.
      const key = `${fileIndex}:${raw.session}`;
      entry = a.sessions.get(key) ?? null;
      if (entry === null) {
        if (a.sessions.size >= MAX_SESSIONS_PER_ACCOUNT) { this.overflow.set(account, (this.overflow.get(account) ?? 0) + 1); return; }
        entry = { app: null, rtt: null };
        a.sessions.set(key, entry);
      }
      a.lastFile = fileIndex;
      a.lastSession = raw.session;
      a.lastEntry = entry;
    }
    if (raw.kind === 'app_rtt') (entry.app ??= new Lowest()).add(raw.valueMs);
    else (entry.rtt ??= new Lowest()).add(raw.valueMs);
  }

  /** Sessions of an account that have both kinds, in first-seen order. */
  sessionsOf(account: string): SessionFloors[] {
    const out: SessionFloors[] = [];
    for (const [session, e] of this.accounts.get(account)?.sessions ?? []) {
      if (e.app === null || e.rtt === null) continue;
      out.push({ session, app: e.app.floor(), rtt: e.rtt.floor() });
    }
    return out;
  }

  /** Samples of sessions past MAX_SESSIONS_PER_ACCOUNT (not kept per session). */
  overflowOf(account: string): number { return this.overflow.get(account) ?? 0; }
}
