// History profiles (issue 6, DESIGN signal 5): a compact, mergeable summary of each account's
// latency per kind over a known period, saved as versioned canonical JSON, so a later scan can ask
// "is this account still where it was?".
//
// Per account and kind a profile keeps: counts, min/max/mean/sd, the values themselves while there
// are at most PROFILE_EXACT_LIMIT of them (small accounts keep exact floors), else their counts on
// the shared DDSketch grid (src/analyze/store.ts: the same mapping as every sketch and every KS
// comparison, so bins of two profiles add up exactly), the floor (p5) with its 95 % order-statistic
// interval, the time range, the lowest DAILY_KEEP values of each UTC day (the day's floor, and what
// merging needs to recompute it exactly), and for keystroke intervals the typing-rhythm counts.
//
// Merging adds counts and bins and unions time ranges, so it is commutative and associative on
// every count, bin, time and daily value; floors are recomputed from the merged values. Mean and sd
// combine by Chan's formulas (associative up to floating-point rounding).
//
// Nothing here reads files except `readProfile`, and nothing prints.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Ajv2020 } from 'ajv/dist/2020.js';
import type { Kind, InputFileInfo, QuantileInterval } from '../types.js';
import { KINDS } from '../types.js';
import { inputError } from '../errors.js';
import { AccountAccumulator, MAX_ALIASES } from '../collect.js';
import { KindAccumulator, FLOOR_QUANTILE, FLOOR_CONFIDENCE } from '../analyze/distribution.js';
import { comparisonMapping, SKETCH_RELATIVE_ACCURACY } from '../analyze/store.js';
import { DAILY_KEEP, insertLowest } from '../analyze/daily.js';
import { orderStatisticInterval, quantileRank, type WeightedPoints } from '../analyze/stats.js';
import { formatTimeUs } from '../ingest/time.js';

export const PROFILE_FORMAT = 'keylag-profile';
/** Bump on any change a reader of the previous version would misread. */
export const PROFILE_FORMAT_VERSION = 1;
/** Values of one account and kind kept exactly in a profile; above this, bins on the shared grid. */
export const PROFILE_EXACT_LIMIT = 1000;
/**
 * Typing rhythm: a keystroke interval below this counts as "near zero". A person pressing keys in
 * sequence rarely gets two within 5 ms of each other (key rollover while typing fast gives tens of
 * ms); a relay or remote-desktop path that queues keystrokes (Nagle, a jitter buffer, an encoder
 * frame) delivers a queued burst within a millisecond or two. Judged on the shared 0.5 % grid
 * (a value counts when its bin's value is below the threshold), so exact and sketched data, and
 * merged profiles, count exactly alike.
 */
export const NEAR_ZERO_MS = 5;

export type ProfileValues =
  | { mode: 'exact'; values: number[] }
  | { mode: 'sketch'; zeroCount: number; keys: number[]; counts: number[] };

/** The floor with its order-statistic interval (the report's, without input rows: a profile keeps none). */
export interface ProfileFloor extends Omit<QuantileInterval, 'lowerSource' | 'upperSource'> {
  valueMs: number;
}

export interface ProfileDay {
  /** UTC date, YYYY-MM-DD. */
  day: string;
  n: number;
  /** The day's floor: its type-1 p5 while n <= DAILY_KEEP / 0.05, else the DAILY_KEEP-th lowest value. */
  floorMs: number;
  rank: number;
  /** The day's lowest values (at most DAILY_KEEP), ascending: what a merge needs. */
  lowest: number[];
}

export interface ProfileRhythm {
  nearZeroMs: number;
  nearZero: number;
  share: number;
}

export interface KindProfile {
  kind: Kind;
  n: number;
  minMs: number;
  maxMs: number;
  meanMs: number;
  sdMs: number;
  firstTimeUs: number;
  lastTimeUs: number;
  first: string;
  last: string;
  floor: ProfileFloor;
  /** Keystroke intervals only. */
  rhythm: ProfileRhythm | null;
  daily: ProfileDay[];
  values: ProfileValues;
}

export interface AccountProfile {
  account: string;
  aliases: string[];
  kinds: KindProfile[];
}

export interface ProfileSource {
  path: string;
  /** 'partial' or 'skipped' under --keep-going: the profile then lacks some of this input. */
  status: 'read' | 'partial' | 'skipped';
  sha256: string | null;
  sizeBytes: number | null;
  format: string | null;
  records: number;
  samples: number;
}

/** One `baseline build` that went into the profile (a merge keeps every build's). */
export interface ProfileRun {
  toolVersion: string;
  arguments: string[];
  since: string | null;
  until: string | null;
  excludePatterns: string[];
  samplesUsed: number;
  inputs: ProfileSource[];
}

export interface ProfileSettings {
  floorQuantile: number;
  floorConfidence: number;
  sketchRelativeAccuracy: number;
  exactLimit: number;
  dailyKeep: number;
  nearZeroMs: number;
}

export interface Profile {
  format: string;
  formatVersion: number;
  tool: string;
  toolVersion: string;
  settings: ProfileSettings;
  period: { firstTimeUs: number; lastTimeUs: number; first: string; last: string } | null;
  summary: { accounts: number; kinds: number; samples: number };
  runs: ProfileRun[];
  /** Profiles merged into this one (path as given, SHA-256), by SHA-256: the order given does not matter. */
  mergedFrom: { path: string; sha256: string }[];
  accounts: AccountProfile[];
  /** SHA-256 of the canonical text of `accounts`: catches a profile edited or cut short. */
  accountsSha256: string;
}

/** Everything a profile's text holds before its accounts. */
export type ProfileHead = Omit<Profile, 'accounts' | 'accountsSha256'>;

/** A profile being built: its head, then its accounts one at a time (see `streamProfile`). */
export interface ProfileStream {
  head: ProfileHead;
  accounts: Iterable<AccountProfile>;
}

export function currentSettings(): ProfileSettings {
  return {
    floorQuantile: FLOOR_QUANTILE,
    floorConfidence: FLOOR_CONFIDENCE,
    sketchRelativeAccuracy: SKETCH_RELATIVE_ACCURACY,
    exactLimit: PROFILE_EXACT_LIMIT,
    dailyKeep: DAILY_KEEP,
    nearZeroMs: NEAR_ZERO_MS,
  };
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

// ------------------------------------------------------------------ values

/** Bin key of one value on the shared grid; null for zero (and below the grid's smallest value). */
function gridKey(v: number): number | null {
  const mapping = comparisonMapping();
  return v <= mapping.minPossible ? null : mapping.key(v);
}

function toSketch(values: ProfileValues): { zeroCount: number; bins: Map<number, number> } {
  const bins = new Map<number, number>();
  if (values.mode === 'sketch') {
    values.keys.forEach((k, i) => bins.set(k, values.counts[i]!));
    return { zeroCount: values.zeroCount, bins };
  }
  let zeroCount = 0;
  for (const v of values.values) {
    const k = gridKey(v);
    if (k === null) zeroCount++;
    else bins.set(k, (bins.get(k) ?? 0) + 1);
  }
  return { zeroCount, bins };
}

function sketchValues(zeroCount: number, bins: Map<number, number>): ProfileValues {
  const keys = [...bins.keys()].sort((a, b) => a - b);
  return { mode: 'sketch', zeroCount, keys, counts: keys.map((k) => bins.get(k)!) };
}

function valueCount(values: ProfileValues): number {
  return values.mode === 'exact' ? values.values.length : values.counts.reduce((s, c) => s + c, values.zeroCount);
}

/** The r-th smallest value (1-based): exact, or the bin's value (within the grid's relative error). */
export function profileOrderStatistic(values: ProfileValues, rank: number): number {
  if (values.mode === 'exact') return values.values[Math.min(Math.max(rank, 1), values.values.length) - 1]!;
  if (rank <= values.zeroCount) return 0;
  let seen = values.zeroCount;
  const mapping = comparisonMapping();
  for (let i = 0; i < values.keys.length; i++) {
    seen += values.counts[i]!;
    if (seen >= rank) return mapping.value(values.keys[i]!);
  }
  return mapping.value(values.keys[values.keys.length - 1]!);
}

/** The values on the shared comparison grid (as `ValueStore.binned()` gives them), for KS tests. */
export function profileBinned(values: ProfileValues): WeightedPoints {
  const { zeroCount, bins } = toSketch(values);
  const mapping = comparisonMapping();
  const keys = [...bins.keys()].sort((a, b) => a - b);
  const out: WeightedPoints = { values: [], counts: [] };
  if (zeroCount > 0) { out.values.push(0); out.counts.push(zeroCount); }
  for (const k of keys) { out.values.push(mapping.value(k)); out.counts.push(bins.get(k)!); }
  return out;
}

/** Near-zero count of binned values (shared grid): the one rule for profiles and scans alike. */
export function nearZeroCount(binned: WeightedPoints): number {
  let c = 0;
  binned.values.forEach((v, i) => { if (v < NEAR_ZERO_MS) c += binned.counts[i]!; });
  return c;
}

export function floorOf(values: ProfileValues, n: number): ProfileFloor {
  const interval = orderStatisticInterval(n, FLOOR_QUANTILE, FLOOR_CONFIDENCE);
  return {
    valueMs: profileOrderStatistic(values, quantileRank(n, FLOOR_QUANTILE)),
    confidence: interval.confidence,
    sided: interval.sided,
    lowerMs: interval.lowerRank === null ? null : profileOrderStatistic(values, interval.lowerRank),
    upperMs: profileOrderStatistic(values, interval.upperRank),
    lowerRank: interval.lowerRank,
    upperRank: interval.upperRank,
  };
}

// ------------------------------------------------------------------ daily lowest values

function finishDay(day: string, n: number, lowest: number[]): ProfileDay {
  const rank = Math.min(quantileRank(n, FLOOR_QUANTILE), DAILY_KEEP, lowest.length);
  return { day, n, floorMs: lowest[rank - 1]!, rank, lowest };
}

// ------------------------------------------------------------------ build

function kindProfile(kindAcc: KindAccumulator): KindProfile {
  // The accumulator's own day records: the same rule as the report's per-day floors.
  const daily = kindAcc.daily.lowestByDay().map((d) => finishDay(d.day, d.n, d.lowest));
  // finish() gives the binned values and the moments; the row references are not kept in a profile.
  const { stats, binned } = kindAcc.finish(() => ({ file: '', line: 0 }));
  const n = stats.n;
  let values: ProfileValues;
  if (stats.precision.mode === 'exact' && n <= PROFILE_EXACT_LIMIT) {
    const exact: number[] = [];
    for (let r = 1; r <= n; r++) exact.push(kindAcc.values.orderStatistic(r, false).valueMs);
    values = { mode: 'exact', values: exact };
  } else {
    const bins = new Map<number, number>();
    let zeroCount = 0;
    binned.values.forEach((v, i) => {
      const k = gridKey(v);
      if (k === null) zeroCount += binned.counts[i]!;
      else bins.set(k, (bins.get(k) ?? 0) + binned.counts[i]!);
    });
    values = sketchValues(zeroCount, bins);
  }
  return finishKind({
    kind: stats.kind, n, minMs: stats.minMs, maxMs: stats.maxMs, meanMs: stats.meanMs, sdMs: stats.sdMs,
    firstTimeUs: stats.firstTimeUs, lastTimeUs: stats.lastTimeUs, daily, values,
  });
}

type KindCore = Pick<KindProfile, 'kind' | 'n' | 'minMs' | 'maxMs' | 'meanMs' | 'sdMs' | 'firstTimeUs' | 'lastTimeUs' | 'daily' | 'values'>;

/** The derived fields (floor, rhythm, readable times) from the core ones. */
function finishKind(c: KindCore): KindProfile {
  let rhythm: ProfileRhythm | null = null;
  if (c.kind === 'keystroke_interval') {
    const nearZero = nearZeroCount(profileBinned(c.values));
    rhythm = { nearZeroMs: NEAR_ZERO_MS, nearZero, share: nearZero / c.n };
  }
  return {
    kind: c.kind, n: c.n, minMs: c.minMs, maxMs: c.maxMs, meanMs: c.meanMs, sdMs: c.sdMs,
    firstTimeUs: c.firstTimeUs, lastTimeUs: c.lastTimeUs, first: formatTimeUs(c.firstTimeUs), last: formatTimeUs(c.lastTimeUs),
    floor: floorOf(c.values, c.n), rhythm, daily: c.daily, values: c.values,
  };
}

export interface BuildInput {
  accounts: Map<string, AccountAccumulator>;
  accountKeys: string[];
  run: ProfileRun;
  toolVersion: string;
  /** Drop each account's accumulators once its profile is built (their aliases stay). */
  release?: boolean;
}

/**
 * Each account's profile from its accumulators, in key order, one at a time: built when asked for,
 * so a writer that serialises each and lets go of it holds one account's profile, never all.
 */
function* builtAccounts(input: BuildInput): Generator<AccountProfile> {
  for (const key of input.accountKeys) {
    const acc = input.accounts.get(key)!;
    const kinds: KindProfile[] = [];
    for (const kind of KINDS) {
      const kindAcc = acc.kind(kind);
      if (kindAcc) kinds.push(kindProfile(kindAcc));
    }
    // Its figures are in the profile now: the accumulator's values and sketches can go (10,000
    // accounts: accumulators and profile together were most of baseline build's peak).
    if (input.release === true) acc.releaseKinds();
    yield { account: key, aliases: [...acc.aliases].sort(compareText).slice(0, MAX_ALIASES), kinds };
  }
}

/** A profile from the collect stage's accumulators (each is finished here, once), whole in memory. */
export function buildProfile(input: BuildInput): Profile {
  return assemble([...builtAccounts(input)], [input.run], [], input.toolVersion);
}

/**
 * The profile `buildProfile` gives, as its head and its accounts built one at a time as they are
 * read (the head's counts and period come from the accumulators, before any account is built).
 * For `profileStreamPieces`: 10,000 accounts are written without the ~110 MB profile ever whole.
 */
export function streamProfile(input: BuildInput): ProfileStream {
  const kinds: KindAccumulator[] = [];
  for (const key of input.accountKeys) {
    const acc = input.accounts.get(key)!;
    for (const kind of KINDS) {
      const kindAcc = acc.kind(kind);
      if (kindAcc) kinds.push(kindAcc);
    }
  }
  return { head: profileHead(input.accountKeys.length, kinds, [input.run], [], input.toolVersion), accounts: builtAccounts(input) };
}

/** One sample for `profileFromSamples` (tests, and tools building profiles in-process). */
export interface ProfileSample {
  account: string;
  kind: Kind;
  valueMs: number;
  timeUs: number;
}

/** The same profile `baseline build` writes, from samples in memory (same accumulators, same rules). */
export function profileFromSamples(samples: Iterable<ProfileSample>, run: ProfileRun, toolVersion: string): Profile {
  const accounts = new Map<string, AccountAccumulator>();
  for (const s of samples) {
    let acc = accounts.get(s.account);
    if (acc === undefined) {
      acc = new AccountAccumulator();
      accounts.set(s.account, acc);
    }
    acc.addAlias(s.account);
    const kindAcc = acc.kindOrNew(s.kind, null);
    kindAcc.add(s.valueMs, s.timeUs, '', 0);
    acc.samples++;
  }
  return buildProfile({ accounts, accountKeys: [...accounts.keys()].sort(compareText), run, toolVersion });
}

/** What a profile's head needs of each kind (a kind's profile, or its accumulator before it is built). */
type KindSpan = Pick<KindProfile, 'n' | 'firstTimeUs' | 'lastTimeUs'>;

function profileHead(accounts: number, kindSpans: Iterable<KindSpan>, runs: ProfileRun[], mergedFrom: Profile['mergedFrom'], toolVersion: string): ProfileHead {
  let first = Infinity;
  let last = -Infinity;
  let kinds = 0;
  let samples = 0;
  for (const k of kindSpans) {
    kinds++;
    samples += k.n;
    if (k.firstTimeUs < first) first = k.firstTimeUs;
    if (k.lastTimeUs > last) last = k.lastTimeUs;
  }
  return {
    format: PROFILE_FORMAT,
    formatVersion: PROFILE_FORMAT_VERSION,
    tool: 'keylag',
    toolVersion,
    settings: currentSettings(),
    period: kinds === 0 ? null : { firstTimeUs: first, lastTimeUs: last, first: formatTimeUs(first), last: formatTimeUs(last) },
    summary: { accounts, kinds, samples },
    runs,
    mergedFrom,
  };
}

function assemble(accounts: AccountProfile[], runs: ProfileRun[], mergedFrom: Profile['mergedFrom'], toolVersion: string): Profile {
  const head = profileHead(accounts.length, accounts.flatMap((a) => a.kinds), runs, mergedFrom, toolVersion);
  // In place, slot by slot: a copy of the whole list beside the original held two profiles at once
  // (10,000 accounts: ~110 MB each). Only the array's slots change, never the accounts in them
  // (a merge's may be its inputs').
  for (let i = 0; i < accounts.length; i++) accounts[i] = canonicalAccount(accounts[i]!);
  return { ...head, accounts, accountsSha256: accountsDigest(accounts) };
}

// ------------------------------------------------------------------ merge

function mergeDays(a: ProfileDay[], b: ProfileDay[]): ProfileDay[] {
  const byDay = new Map<string, { n: number; lowest: number[] }>();
  for (const d of [...a, ...b]) {
    const cur = byDay.get(d.day);
    if (cur === undefined) { byDay.set(d.day, { n: d.n, lowest: d.lowest.slice() }); continue; }
    cur.n += d.n;
    for (const v of d.lowest) insertLowest(cur.lowest, v, DAILY_KEEP);
  }
  return [...byDay.entries()].sort((x, y) => compareText(x[0], y[0])).map(([day, d]) => finishDay(day, d.n, d.lowest));
}

function mergeValues(a: ProfileValues, b: ProfileValues, n: number): ProfileValues {
  if (a.mode === 'exact' && b.mode === 'exact' && n <= PROFILE_EXACT_LIMIT) {
    return { mode: 'exact', values: [...a.values, ...b.values].sort((x, y) => x - y) };
  }
  const sa = toSketch(a);
  const sb = toSketch(b);
  for (const [k, c] of sb.bins) sa.bins.set(k, (sa.bins.get(k) ?? 0) + c);
  return sketchValues(sa.zeroCount + sb.zeroCount, sa.bins);
}

export function mergeKind(a: KindProfile, b: KindProfile): KindProfile {
  const n = a.n + b.n;
  // Chan et al.: written symmetrically in a and b so that the merge is commutative to the bit.
  const meanMs = (a.meanMs * a.n + b.meanMs * b.n) / n;
  const m2a = a.n > 1 ? a.sdMs * a.sdMs * (a.n - 1) : 0;
  const m2b = b.n > 1 ? b.sdMs * b.sdMs * (b.n - 1) : 0;
  const delta = b.meanMs - a.meanMs;
  const m2 = m2a + m2b + (delta * delta * a.n * b.n) / n;
  return finishKind({
    kind: a.kind, n,
    minMs: Math.min(a.minMs, b.minMs), maxMs: Math.max(a.maxMs, b.maxMs),
    meanMs, sdMs: n > 1 ? Math.sqrt(m2 / (n - 1)) : 0,
    firstTimeUs: Math.min(a.firstTimeUs, b.firstTimeUs), lastTimeUs: Math.max(a.lastTimeUs, b.lastTimeUs),
    daily: mergeDays(a.daily, b.daily),
    values: mergeValues(a.values, b.values, n),
  });
}

function mergeAccount(a: AccountProfile, b: AccountProfile): AccountProfile {
  const kinds: KindProfile[] = [];
  for (const kind of KINDS) {
    const ka = a.kinds.find((k) => k.kind === kind);
    const kb = b.kinds.find((k) => k.kind === kind);
    if (ka && kb) kinds.push(mergeKind(ka, kb));
    else if (ka ?? kb) kinds.push((ka ?? kb)!);
  }
  const aliases = [...new Set([...a.aliases, ...b.aliases])].sort(compareText).slice(0, MAX_ALIASES);
  return { account: a.account, aliases, kinds };
}

/** The accounts of two profiles combined: commutative and associative (see the top of this file). */
export function mergeAccounts(a: AccountProfile[], b: AccountProfile[]): AccountProfile[] {
  const byKey = new Map<string, AccountProfile>();
  for (const acc of a) byKey.set(acc.account, acc);
  for (const acc of b) {
    const cur = byKey.get(acc.account);
    byKey.set(acc.account, cur ? mergeAccount(cur, acc) : acc);
  }
  return [...byKey.keys()].sort(compareText).map((k) => byKey.get(k)!);
}

/**
 * Merge profiles (months, shards). They are folded in the order of their content digest, so the
 * result does not depend on the order they were given in.
 */
export function mergeProfiles(inputs: { profile: Profile; path: string; sha256: string }[], toolVersion: string): Profile {
  const ordered = [...inputs].sort((x, y) => compareText(x.profile.accountsSha256, y.profile.accountsSha256) || compareText(x.sha256, y.sha256));
  let accounts: AccountProfile[] = [];
  for (const i of ordered) accounts = mergeAccounts(accounts, i.profile.accounts);
  const runs = ordered.flatMap((i) => i.profile.runs);
  const runKey = (r: ProfileRun): string => JSON.stringify(r);
  runs.sort((x, y) => compareText(runKey(x), runKey(y)));
  const mergedFrom = inputs.map((i) => ({ path: i.path, sha256: i.sha256 }))
    .sort((x, y) => compareText(x.sha256, y.sha256) || compareText(x.path, y.path));
  return assemble(accounts, runs, mergedFrom, toolVersion);
}

// ------------------------------------------------------------------ canonical JSON

function canonicalValues(v: ProfileValues): ProfileValues {
  return v.mode === 'exact'
    ? { mode: 'exact', values: [...v.values] }
    : { mode: 'sketch', zeroCount: v.zeroCount, keys: [...v.keys], counts: [...v.counts] };
}

function canonicalKind(k: KindProfile): KindProfile {
  return {
    kind: k.kind, n: k.n, minMs: k.minMs, maxMs: k.maxMs, meanMs: k.meanMs, sdMs: k.sdMs,
    firstTimeUs: k.firstTimeUs, lastTimeUs: k.lastTimeUs, first: k.first, last: k.last,
    floor: {
      valueMs: k.floor.valueMs, confidence: k.floor.confidence, sided: k.floor.sided, lowerMs: k.floor.lowerMs,
      upperMs: k.floor.upperMs, lowerRank: k.floor.lowerRank, upperRank: k.floor.upperRank,
    },
    rhythm: k.rhythm === null ? null : { nearZeroMs: k.rhythm.nearZeroMs, nearZero: k.rhythm.nearZero, share: k.rhythm.share },
    daily: k.daily.map((d) => ({ day: d.day, n: d.n, floorMs: d.floorMs, rank: d.rank, lowest: [...d.lowest] })),
    values: canonicalValues(k.values),
  };
}

function canonicalAccount(a: AccountProfile): AccountProfile {
  return { account: a.account, aliases: [...a.aliases], kinds: a.kinds.map(canonicalKind) };
}

function accountsDigest(accounts: AccountProfile[]): string {
  const h = createHash('sha256');
  for (const a of accounts) h.update(`${JSON.stringify(canonicalAccount(a))}\n`);
  return h.digest('hex');
}

/**
 * The profile as text: fixed key order (the declaration order above), numbers as JavaScript writes
 * them (shortest round-trip form, so read + write gives the same bytes), one account per line.
 */
export function profileToJson(p: Profile): string {
  return [...profileJsonPieces(p)].join('');
}

/** Accounts per piece of `profileJsonPieces`. */
const ACCOUNTS_PER_PIECE = 64;

/**
 * The text of `profileToJson` in pieces (the head, then the accounts a group at a time, then the
 * tail), so that a profile of 10,000 accounts is written as it is built, never held whole.
 */
export function profileJsonPieces(p: Profile): Generator<string> {
  return jsonPieces(p, p.accounts, p.accountsSha256);
}

/**
 * The same text for a profile being built: each account is serialised as it comes and let go, and
 * `accountsSha256` (after the accounts in the text) is the digest of the lines written.
 */
export function profileStreamPieces(s: ProfileStream): Generator<string> {
  return jsonPieces(s.head, s.accounts, null);
}

function* jsonPieces(p: ProfileHead, accounts: Iterable<AccountProfile>, accountsSha256: string | null): Generator<string> {
  const head = {
    format: p.format, formatVersion: p.formatVersion, tool: p.tool, toolVersion: p.toolVersion,
    settings: {
      floorQuantile: p.settings.floorQuantile, floorConfidence: p.settings.floorConfidence,
      sketchRelativeAccuracy: p.settings.sketchRelativeAccuracy, exactLimit: p.settings.exactLimit,
      dailyKeep: p.settings.dailyKeep, nearZeroMs: p.settings.nearZeroMs,
    },
    period: p.period === null ? null : { firstTimeUs: p.period.firstTimeUs, lastTimeUs: p.period.lastTimeUs, first: p.period.first, last: p.period.last },
    summary: { accounts: p.summary.accounts, kinds: p.summary.kinds, samples: p.summary.samples },
    runs: p.runs.map((r) => ({
      toolVersion: r.toolVersion, arguments: [...r.arguments], since: r.since, until: r.until,
      excludePatterns: [...r.excludePatterns], samplesUsed: r.samplesUsed,
      inputs: r.inputs.map((i) => ({ path: i.path, status: i.status, sha256: i.sha256, sizeBytes: i.sizeBytes, format: i.format, records: i.records, samples: i.samples })),
    })),
    mergedFrom: p.mergedFrom.map((m) => ({ path: m.path, sha256: m.sha256 })),
  };
  const digest = createHash('sha256');
  let lines = ['{'];
  for (const [k, v] of Object.entries(head)) lines.push(`  ${JSON.stringify(k)}: ${JSON.stringify(v)},`);
  lines.push('  "accounts": [');
  // Each account's line waits for the next to know whether a comma ends it.
  let pending: string | null = null;
  for (const a of accounts) {
    if (pending !== null) lines.push(`    ${pending},`);
    pending = JSON.stringify(canonicalAccount(a));
    // As accountsDigest: each account's canonical text and a newline.
    if (accountsSha256 === null) digest.update(`${pending}\n`);
    if (lines.length >= ACCOUNTS_PER_PIECE) { yield `${lines.join('\n')}\n`; lines = []; }
  }
  if (pending !== null) lines.push(`    ${pending}`);
  lines.push('  ],');
  lines.push(`  "accountsSha256": ${JSON.stringify(accountsSha256 ?? digest.digest('hex'))}`);
  lines.push('}');
  yield `${lines.join('\n')}\n`;
}

export function runFromInputs(inputs: InputFileInfo[], meta: Omit<ProfileRun, 'inputs'>): ProfileRun {
  return {
    ...meta,
    inputs: inputs.map((i) => ({ path: i.path, status: i.status, sha256: i.sha256, sizeBytes: i.sizeBytes, format: i.format, records: i.records, samples: i.samples })),
  };
}

// ------------------------------------------------------------------ read and validate

let validator: ReturnType<Ajv2020['compile']> | null = null;
function schemaValidator(): ReturnType<Ajv2020['compile']> {
  if (validator === null) {
    const schema = JSON.parse(readFileSync(new URL('../../../schema/profile.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    // Loaded here, on the first profile read: ajv costs ~30 ms of every start otherwise.
    const { Ajv2020: Validator } = createRequire(import.meta.url)('ajv/dist/2020.js') as { Ajv2020: typeof Ajv2020 };
    validator = new Validator({ strict: true, allErrors: false }).compile(schema);
  }
  return validator;
}

/** Why a parsed profile is not usable, or null. Structure first (the JSON Schema), then consistency. */
export function profileProblem(data: unknown): string | null {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return 'not a keylag profile (not a JSON object)';
  const o = data as Record<string, unknown>;
  if (o.format !== PROFILE_FORMAT) return `not a keylag profile (format ${JSON.stringify(o.format ?? null)}, expected "${PROFILE_FORMAT}")`;
  if (o.formatVersion !== PROFILE_FORMAT_VERSION) {
    return `profile format version ${JSON.stringify(o.formatVersion ?? null)} is not supported (this keylag reads version ${PROFILE_FORMAT_VERSION}; rebuild the profile with this version)`;
  }
  const validate = schemaValidator();
  if (!validate(data)) {
    const e = validate.errors?.[0];
    return `malformed profile: ${e ? `${e.instancePath || '/'} ${e.message ?? 'is invalid'}` : 'does not match schema/profile.schema.json'}`;
  }
  const p = data as Profile;
  const want = currentSettings();
  for (const [k, v] of Object.entries(want) as [keyof ProfileSettings, number][]) {
    if (p.settings[k] !== v) return `profile built with ${k} ${p.settings[k]}, this keylag uses ${v}: rebuild it`;
  }
  if (accountsDigest(p.accounts) !== p.accountsSha256) return 'profile accounts do not match accountsSha256 (edited or cut short)';
  let kinds = 0;
  let samples = 0;
  let prev: string | null = null;
  for (const a of p.accounts) {
    if (prev !== null && !(compareText(prev, a.account) < 0)) return `accounts not in order or repeated at '${a.account}'`;
    prev = a.account;
    let lastKind = -1;
    for (const k of a.kinds) {
      const where = `account '${a.account}' ${k.kind}`;
      const ki = KINDS.indexOf(k.kind);
      if (ki <= lastKind) return `${where}: kinds not in order or repeated`;
      lastKind = ki;
      kinds++;
      samples += k.n;
      const problem = kindProblem(k);
      if (problem) return `${where}: ${problem}`;
    }
  }
  if (p.summary.accounts !== p.accounts.length || p.summary.kinds !== kinds || p.summary.samples !== samples) {
    return `summary (${p.summary.accounts} accounts, ${p.summary.kinds} kinds, ${p.summary.samples} samples) does not add up (${p.accounts.length}, ${kinds}, ${samples})`;
  }
  return null;
}

function kindProblem(k: KindProfile): string | null {
  if (valueCount(k.values) !== k.n) return `n ${k.n} but ${valueCount(k.values)} values`;
  if (k.values.mode === 'exact') {
    if (k.n > PROFILE_EXACT_LIMIT) return `${k.n} exact values, more than the limit ${PROFILE_EXACT_LIMIT}`;
    for (let i = 1; i < k.values.values.length; i++) if (!(k.values.values[i]! >= k.values.values[i - 1]!)) return 'exact values not ascending';
    if (k.values.values[0] !== k.minMs || k.values.values[k.n - 1] !== k.maxMs) return 'min/max differ from the values';
  } else {
    if (k.values.keys.length !== k.values.counts.length) return 'sketch keys and counts differ in length';
    for (let i = 1; i < k.values.keys.length; i++) if (!(k.values.keys[i]! > k.values.keys[i - 1]!)) return 'sketch keys not ascending';
  }
  if (!(k.minMs <= k.maxMs) || !(k.firstTimeUs <= k.lastTimeUs)) return 'min/max or first/last out of order';
  if (k.first !== formatTimeUs(k.firstTimeUs) || k.last !== formatTimeUs(k.lastTimeUs)) return 'first/last differ from firstTimeUs/lastTimeUs';
  const dayTotal = k.daily.reduce((s, d) => s + d.n, 0);
  if (dayTotal !== k.n) return `daily counts add up to ${dayTotal}, not n ${k.n}`;
  for (const d of k.daily) {
    if (d.lowest.length !== Math.min(d.n, DAILY_KEEP)) return `day ${d.day}: ${d.lowest.length} lowest values for n ${d.n}`;
    const again = finishDay(d.day, d.n, d.lowest);
    if (again.floorMs !== d.floorMs || again.rank !== d.rank) return `day ${d.day}: floor does not follow from its values`;
  }
  const expected = finishKind(k);
  const f = expected.floor;
  if (f.valueMs !== k.floor.valueMs || f.lowerMs !== k.floor.lowerMs || f.upperMs !== k.floor.upperMs
    || f.lowerRank !== k.floor.lowerRank || f.upperRank !== k.floor.upperRank || f.sided !== k.floor.sided) {
    return 'floor does not follow from the values';
  }
  if (JSON.stringify(expected.rhythm) !== JSON.stringify(k.rhythm)) return 'typing-rhythm counts do not follow from the values';
  return null;
}

export interface LoadedProfile {
  profile: Profile;
  path: string;
  sha256: string;
}

/** Read and check a profile; any problem is one input error naming the file (exit 2). */
export async function readProfile(path: string): Promise<LoadedProfile> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw inputError(`cannot read profile: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message}`, path);
  }
  let data: unknown;
  try {
    data = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw inputError(`not a keylag profile: invalid JSON (${(err as Error).message})`, path);
  }
  const problem = profileProblem(data);
  if (problem !== null) throw inputError(problem, path);
  return { profile: data as Profile, path, sha256: createHash('sha256').update(bytes).digest('hex') };
}
