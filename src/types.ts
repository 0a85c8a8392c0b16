// The shared vocabulary of keylag: what flows from ingest to report.
// Nothing here computes; every module imports its nouns from this file.

/** What a latency measurement measured (DESIGN section 2). Kinds are never mixed in a comparison. */
export type Kind = 'rtt' | 'app_rtt' | 'reaction' | 'keystroke_interval' | 'input_lag';

export const KINDS: readonly Kind[] = ['rtt', 'app_rtt', 'reaction', 'keystroke_interval', 'input_lag'];

/** Order in which a kind makes the headline floor: the most telling first. */
export const HEADLINE_KIND_ORDER: readonly Kind[] = ['app_rtt', 'input_lag', 'rtt', 'reaction'];

/** Where a sample came from: enough to go back to the exact input row. */
export interface SourceRef {
  /** Input path as given on the command line (`-` for stdin). */
  file: string;
  /** 1-based physical line where the record starts. */
  line: number;
}

/** One normalised measurement, as every adapter emits it. */
export interface Sample {
  account: string;
  /** Connection/stream/session id; '' when the input has none. */
  session: string;
  /** Epoch microseconds, UTC, integer. */
  timeUs: number;
  kind: Kind;
  valueMs: number;
  source: SourceRef;
}

/** A value or row that was not used, and why. Nothing is dropped unseen. */
export interface Rejection {
  source: SourceRef;
  /** Stable machine-readable reason code, e.g. `value_not_numeric`. */
  reason: string;
  /** Human detail, e.g. the offending text (sanitised by the renderers). */
  detail: string;
}

/** A quantile estimate with the input row that set it, where it is exact. */
export interface QuantileValue {
  valueMs: number;
  /** Set when the value is an actual observation kept exactly. */
  source?: SourceRef;
}

/** Distribution-free confidence interval of a quantile from order statistics. */
export interface QuantileInterval {
  /** Confidence level actually achieved (>= the nominal level). */
  confidence: number;
  /** 'two-sided', or 'upper-only' when n is too small for a lower bound. */
  sided: 'two-sided' | 'upper-only';
  /** Lower bound (ms); null when n is too small for one. */
  lowerMs: number | null;
  upperMs: number;
  /** 1-based ranks of the order statistics bounding the interval. */
  lowerRank: number | null;
  upperRank: number;
  lowerSource?: SourceRef;
  upperSource?: SourceRef;
}

/** How a distribution's figures were obtained. */
export interface Precision {
  /** 'exact' when every value was kept; 'sketch' when a relative-error sketch holds them. */
  mode: 'exact' | 'sketch';
  /** Relative error bound of quantiles (0 when exact). */
  relativeError: number;
}

/** Per account and kind: the distribution figures (DESIGN section 3 / issue 3 scope 4). */
export interface KindStats {
  kind: Kind;
  n: number;
  minMs: number;
  /** The floor: p5 as an actual order statistic (type-1 quantile). */
  floor: QuantileValue;
  floorInterval: QuantileInterval;
  p25Ms: number;
  medianMs: number;
  p75Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
  sdMs: number;
  madMs: number;
  iqrMs: number;
  /** Median absolute successive difference within a session, in time order; null without pairs. */
  jitterMs: number | null;
  jitterPairs: number;
  /** Samples that arrived too far out of time order to take part in the jitter figure. */
  jitterLateSamples: number;
  /** Smallest positive difference between values seen (data resolution), ms. */
  resolutionMs: number;
  firstTimeUs: number;
  lastTimeUs: number;
  sessions: number;
  precision: Precision;
  /** Small histogram (counts per bin) over [lowMs, highMs] on a log scale, the same grid for every account. */
  histogram: { lowMs: number; highMs: number; counts: number[] };
  /** Floor per UTC day, in day order: the basis of floor-over-time charts and change points. */
  daily: DailyFloor[];
}

/**
 * One day's floor. `floorMs` is the day's type-1 p5 when the day has at most DAILY_KEEP/0.05 samples,
 * else its DAILY_KEEP-th lowest value (a slightly lower quantile; `rank` says which order statistic).
 */
export interface DailyFloor {
  /** UTC date, YYYY-MM-DD. */
  day: string;
  n: number;
  floorMs: number;
  rank: number;
}

/** Pooled distribution of a peer group for one kind (for charts beside an account's own). */
export interface PeerGroupSummary {
  group: string;
  kind: Kind;
  accounts: number;
  samples: number;
  floorMedianMs: number;
  histogram: { lowMs: number; highMs: number; counts: number[] };
}

export interface RosterEntry {
  /** Account name as written in the roster. */
  account: string;
  /** Normalised key used for matching. */
  key: string;
  site: string | null;
  location: string | null;
  timeZone: string | null;
  /** Access link class as written (`satellite`, `cellular`, ...): widens the physical model's range. */
  access: string | null;
  source: SourceRef;
  /** Why `location` (a state or country without a city) is no place: it is location_unknown. */
  locationUnknown?: string;
}

/** One piece of evidence about an account (DESIGN section 3). */
export interface Evidence {
  /** Stable id of the signal: `floor_vs_peers`, `shift_vs_peers`, later `physics`, `relay`, ... */
  signal: string;
  kind: Kind;
  /** Observed statistic and its baseline, in `unit`. */
  observed: number;
  baseline: number;
  unit: string;
  /** Effect size in the signal's natural unit (ms for floors, delta for shifts). */
  effect: number;
  effectName: string;
  /** Uncertainty: a confidence interval of the observed value and/or a p-value. */
  interval: [number | null, number | null] | null;
  pValue: number | null;
  /** Extra statistics worth seeing (z, D, n...). Plain numbers only, stable key order. */
  stats: Record<string, number | null>;
  /** Points this item adds to the score (negative when exculpatory). */
  points: number;
  /** One human sentence. */
  sentence: string;
}

export type AccountStatus = 'scored' | 'insufficient_data';

/** A place resolved for the physical model (src/geo/gazetteer.ts). */
export interface ResolvedLocation {
  /** As written (roster cell, --server-location, servers file). */
  query: string;
  /** Canonical label, e.g. "Austin, TX, US", "Asia/Tokyo (time zone)". */
  label: string;
  lat: number;
  lon: number;
  /** 'time_zone': a zone's representative point (zone1970.tab), low precision. */
  precision: 'coordinates' | 'city' | 'time_zone';
  /** How far the true point may lie from this one, km. */
  uncertaintyKm: number;
  /** Where the point came from (GeoNames id, tz table row, or "coordinates as given"). */
  source: string;
}

/** Outcome of the physical check of an account's claimed location. */
export type PhysicsVerdict = 'impossible' | 'beyond' | 'fits' | 'below_expected' | 'not_assessed';

/** Every figure of the physical model for one account (src/baseline/physical.ts). */
export interface AccountPhysics {
  claimed: ResolvedLocation | null;
  /** Servers the account's samples went to, most samples first. */
  servers: { name: string; location: ResolvedLocation; samples: number; distanceKm: number | null }[];
  /** Access class used (`fixed` unless the roster says otherwise). */
  access: string;
  /** Kind whose floor was checked (the most telling distance-bounding kind). */
  kind: Kind | null;
  verdict: PhysicsVerdict;
  /** Why the check was not made, when it was not. */
  reason: string | null;
  /** Claimed location to the (main) server, great circle, km. */
  distanceKm: number | null;
  hardBoundMs: number | null;
  expectedLowMs: number | null;
  expectedPointMs: number | null;
  expectedHighMs: number | null;
  floorMs: number | null;
  floorLowMs: number | null;
  floorHighMs: number | null;
  /** Distance from the server the floor implies: at least (worst-case inflation), and point estimate. */
  impliedDistanceKmLow: number | null;
  impliedDistanceKmPoint: number | null;
  /** Calibration the expected range came from. */
  model: 'peers' | 'constants' | null;
}

/** The physical model of a run: constants, server location and each kind's calibration. */
/** A calibrated expected range: every figure the report shows of the physical model. */
export interface RangeModel {
  kind: Kind;
  source: 'peers' | 'constants';
  fixedLowMs: number;
  fixedMidMs: number;
  fixedHighMs: number;
  inflationLow: number;
  inflationMid: number;
  inflationHigh: number;
  /** Accounts the `peers` fit used; 0 for constants. */
  calibrationAccounts: number;
  /** Distance span of those accounts, km (null for constants). */
  calibrationMinKm: number | null;
  calibrationMaxKm: number | null;
  /** Why this source: e.g. "12 accounts with a located claim; at least 20 needed". */
  note: string;
}

export interface PhysicalModelReport {
  kmPerMsRtt: number;
  fiberGroupIndex: number;
  /** --server-location, when given. */
  server: ResolvedLocation | null;
  /** --servers file, when given. */
  serversFile: string | null;
  geoipDb: string | null;
  worstCaseInflation: number;
  models: RangeModel[];
  /** Roster locations: resolved, of which ambiguous (most populous taken) and time-zone only; unknown. */
  locations: { resolved: number; ambiguous: number; timeZoneOnly: number; unknown: number };
}

export interface AccountReport {
  rank: number | null;
  account: string;
  /** Names as they appeared in the input (after normalisation they became `account`). */
  aliases: string[];
  site: string | null;
  /** Peer group actually used, and its size (leave-one-out). */
  peerGroup: string;
  peerCount: number;
  inRoster: boolean;
  location: string | null;
  timeZone: string | null;
  /** Physical plausibility of the claimed location (signal 3); null when no server location was given. */
  physics: AccountPhysics | null;
  status: AccountStatus;
  score: number;
  flagged: boolean;
  /** Benjamini-Hochberg q-value of the account's combined p-value across accounts. */
  qValue: number | null;
  pValue: number | null;
  /** Kind the headline floor is taken from, and the floor / peer floor. */
  headlineKind: Kind | null;
  floorMs: number | null;
  peerFloorMs: number | null;
  strongest: string;
  coverage: { kinds: Kind[]; rulesOut: string; cannotRuleOut: string };
  kinds: KindStats[];
  evidence: Evidence[];
  samples: number;
  /** Known exception (--allow) that matched the account; null when none did. Absent when no allow list was given. */
  allowed?: AllowedStatus | null;
}

export interface InputFileInfo {
  path: string;
  /** 'partial': an input error stopped the file midway under --keep-going; samples before it were used. */
  status: 'read' | 'partial' | 'skipped';
  error?: string;
  sha256: string | null;
  sizeBytes: number | null;
  mtime: string | null;
  format: string | null;
  timeFormat: string | null;
  notes: string[];
  records: number;
  samples: number;
}

export interface RunHeader {
  tool: string;
  version: string;
  schemaVersion: string;
  arguments: string[];
  /** Case reference and analyst, as given with --case-id / --analyst (chain of custody). */
  caseId: string | null;
  analyst: string | null;
  inputs: InputFileInfo[];
  roster: InputFileInfo | null;
  recordsRead: number;
  samplesEmitted: number;
  samplesUsed: number;
  rejections: { reason: string; count: number }[];
  rejectionsTotal: number;
  excluded: { count: number; patterns: string[] };
  timeWindow: { since: string | null; until: string | null; outsideWindow: number };
  rosterUnmatched: string[];
  accountsNotInRoster: string[];
  settings: Record<string, string | number | boolean | null>;
  warnings: string[];
  /** Time against which allow-list expiry was judged (ISO 8601 UTC); present with --now or --allow. */
  now?: string;
  /** The allow list (--allow), when given. */
  allowList?: AllowListInfo;
  /** The history profile (--baseline), when given. */
  baseline?: BaselineInfo;
  /**
   * --assume-tz, when given: the zone times without a UTC offset were read in, the samples so read,
   * how many of them fell in an hour the clocks showed twice (earlier instant taken), and the rows
   * rejected for a time the clocks skipped (time_in_dst_gap).
   */
  assumedTimeZone?: { zone: string; samples: number; ambiguous: number; nonexistent: number };
}

/** The history profile a scan compared with (chain of custody, and what it covered). */
export interface BaselineInfo {
  /** Path as given on the command line. */
  path: string;
  sha256: string;
  formatVersion: number;
  /** Accounts in the profile. */
  accounts: number;
  /** Earliest and latest sample in the profile (ISO 8601 UTC); null for an empty profile. */
  period: { first: string; last: string } | null;
  /** Scored accounts of this run that the profile has no history of (each carries a `no_history` item). */
  newAccounts: number;
}

export interface Report {
  header: RunHeader;
  accounts: AccountReport[];
  /** Every (peer group, kind) that accounts were compared with. */
  peerGroups: PeerGroupSummary[];
  /** The physical model (signal 3); null when no server location was given. */
  physicalModel: PhysicalModelReport | null;
  summary: { accounts: number; scored: number; insufficient: number; flagged: number; flagThreshold: number };
  /** Linked accounts (src/score/linked.ts): clusters by shared client address and/or the same floor change. */
  clusters: AccountCluster[];
}

/**
 * Accounts that show up together: a shared client address, floors of one kind that rose on the
 * same day to the same level, or both. Each member also carries a `linked_accounts` evidence item.
 */
export interface AccountCluster {
  /** `C1`, `C2`... in report order: `both`, then `same_change`, then `shared_client_address`; then by first member. */
  id: string;
  /** Account keys, sorted. */
  members: string[];
  reason: 'shared_client_address' | 'same_change' | 'both';
  /** Kind whose floors are compared (the change's kind, else the first member's headline kind). */
  kind: Kind | null;
  /** The shared client address (`shared_client_address`, `both`); null for `same_change`. */
  address: string | null;
  /** First day of the new level (YYYY-MM-DD, UTC), earliest among the members whose floor rose. */
  changeDay: string | null;
  /** Range of the members' floors: the new level where a floor rose, else the floor. */
  floorLowMs: number | null;
  floorHighMs: number | null;
  sentence: string;
}

/** A known exception (--allow) that matched an account. */
export interface AllowedStatus {
  reason: string;
  owner: string;
  /** Expiry as written in the allow list (date or date-time); null when it does not expire. */
  expires: string | null;
  /** True when the entry had expired at the report's `now`: it no longer keeps the account from the gate. */
  expired: boolean;
  matchedBy: 'account' | 'site' | 'address';
  /** Account name or pattern, site, or address / CIDR as written in the entry. */
  match: string;
  entrySource: SourceRef;
}

/** The allow list of a run, as the header records it (chain of custody). */
export interface AllowListInfo {
  path: string;
  sha256: string;
  format: 'yaml' | 'csv';
  entries: {
    matchedBy: 'account' | 'site' | 'address';
    match: string;
    reason: string;
    owner: string;
    expires: string | null;
    /** First instant the entry no longer applies (a date runs to the end of that UTC day). */
    expiresAt: string | null;
    expired: boolean;
    /** Accounts of this run the entry matched. */
    accounts: number;
    source: SourceRef;
  }[];
}
