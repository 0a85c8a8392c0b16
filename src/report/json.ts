// JSON and JSONL renderers, and the canonical form of a report that every
// renderer shares: which accounts are listed, in which order, and how numbers
// are rounded. Pure functions, Report -> string.
//
// Canonical form (documented in the README and schema/report.schema.json):
// - Key order is the declaration order of src/types.ts. Optional keys (`source`,
//   `lowerSource`, `upperSource`, `error`) are present only when set. The keys of
//   the open maps `evidence[].stats` and `header.settings` keep the order the
//   producer gave them.
// - Rounding. Integers are never rounded (counts, ranks, ranks of order
//   statistics, microsecond times). Other numbers:
//     * milliseconds: 3 decimals (1 µs): every `...Ms` field, `floorMs`,
//       `peerFloorMs`, histogram bounds, and an evidence item's `observed`,
//       `baseline`, `effect` and `interval` when its `unit` is `ms`;
//     * everything else: 6 significant digits: probabilities (`pValue`,
//       `qValue`, `confidence`, `relativeError`), `score`, `points`, evidence
//       `stats`, `observed`/`baseline`/`effect`/`interval` in other units, and
//       numeric `settings`.
//   -0 is written as 0. Non-finite numbers cannot be represented in JSON and
//   come out as `null` (which the schema then rejects where null is not allowed).
// - Accounts: scored accounts in rank order (cut to `top` when set), then
//   insufficient-data accounts by name. `summary` always counts all accounts.
// - Known exceptions: `header.now` and `header.allowList` are present only with --now / --allow;
//   `accounts[].allowed` (object or null) only when an allow list was given.
// - Strings are exact. JSON.stringify escapes C0 controls; DEL, C1, bidi and
//   invisible characters are additionally written as `\uXXXX` escapes, so the
//   file is safe to print and parses back to the identical strings.

import type {
  AccountCluster,
  AccountPhysics,
  AccountReport,
  AllowedStatus,
  AllowListInfo,
  Evidence,
  InputFileInfo,
  KindStats,
  PeerGroupSummary,
  PhysicalModelReport,
  QuantileInterval,
  Report,
  ResolvedLocation,
  RunHeader,
  SourceRef,
} from '../types.js';
import { escapeJsonText } from './sanitize.js';

/** Version of schema/report.schema.json; a report's `header.schemaVersion` must equal it. */
export const SCHEMA_VERSION = '1.0.0';

/** `$id` of schema/report.schema.json. */
export const SCHEMA_ID = `https://keylag.dev/schema/report/${SCHEMA_VERSION}/report.schema.json`;

// ---------------------------------------------------------------- selection

/** The accounts a renderer lists. */
export interface AccountSelection {
  /** Scored accounts in rank order, cut to `top` when set. */
  ranked: AccountReport[];
  /** Number of scored accounts before the cut (for "showing N of M"). */
  rankedTotal: number;
  /** Accounts with status `insufficient_data`, by name; never cut by `top`. */
  insufficient: AccountReport[];
}

/** Plain UTF-16 code-unit comparison: the same order on every machine and locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Ranked accounts: every account whose status is not `insufficient_data`, by rank
 * (accounts without a rank after those with one), then score descending, then
 * name. `top` (null for all) limits the ranked list only.
 */
export function selectAccounts(report: Report, top: number | null | undefined): AccountSelection {
  const scored = report.accounts.filter((a) => a.status !== 'insufficient_data');
  scored.sort(
    (a, b) =>
      (a.rank ?? Number.POSITIVE_INFINITY) - (b.rank ?? Number.POSITIVE_INFINITY) ||
      b.score - a.score ||
      compareStrings(a.account, b.account),
  );
  const insufficient = report.accounts
    .filter((a) => a.status === 'insufficient_data')
    .sort((a, b) => compareStrings(a.account, b.account));
  const limit = top === null || top === undefined ? scored.length : Math.max(0, Math.floor(top));
  return { ranked: scored.slice(0, limit), rankedTotal: scored.length, insufficient };
}

/** Ranked accounts then insufficient-data accounts: the order of JSON, JSONL and CSV. */
export function listedAccounts(report: Report, top: number | null | undefined): AccountReport[] {
  const sel = selectAccounts(report, top);
  return [...sel.ranked, ...sel.insufficient];
}

/** The statistics of the account's headline kind, when it has one. */
export function headlineStats(a: AccountReport): KindStats | undefined {
  if (a.headlineKind === null) return undefined;
  return a.kinds.find((k) => k.kind === a.headlineKind);
}

// ---------------------------------------------------------------- rounding

/** Milliseconds: 3 decimals. Integers and non-finite values unchanged; -0 -> 0. */
export function roundMs(x: number): number {
  if (!Number.isFinite(x) || Number.isInteger(x)) return x === 0 ? 0 : x;
  // Already at most three decimals (most figures are input values): x is then the double nearest
  // k / 1000, within far less than 0.0005 of it, so toFixed(3) would give k / 1000 back. Saves the
  // string round trip for ~2M numbers of a 10,000-account report.
  if (x > -1e9 && x < 1e9 && Math.round(x * 1000) / 1000 === x) return x;
  const r = Number(x.toFixed(3));
  return r === 0 ? 0 : r;
}

/** Non-ms numbers: 6 significant digits. Integers and non-finite values unchanged; -0 -> 0. */
export function roundSig(x: number): number {
  if (!Number.isFinite(x) || Number.isInteger(x)) return x === 0 ? 0 : x;
  const r = Number(x.toPrecision(6));
  return r === 0 ? 0 : r;
}

export function roundMsOrNull(x: number | null): number | null {
  return x === null || x === undefined ? null : roundMs(x);
}

export function roundSigOrNull(x: number | null): number | null {
  return x === null || x === undefined ? null : roundSig(x);
}

/** Fixed decimals for display, never `-0.0`. */
export function fixed(x: number, decimals: number): string {
  const s = x.toFixed(decimals);
  return /^-0(\.0+)?$/.test(s) ? s.slice(1) : s;
}

/** Score points for display, signed, one decimal: `+62.1`, `-4.0`, `+0.0`. */
export function signedPoints(points: number): string {
  const s = fixed(points, 1);
  return s.startsWith('-') ? s : '+' + s;
}

// ---------------------------------------------------------------- canonical objects

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function sourceRef(s: SourceRef): JsonObject {
  return { file: s.file, line: s.line };
}

function inputFile(f: InputFileInfo): JsonObject {
  const o: JsonObject = { path: f.path, status: f.status };
  if (f.error !== undefined) o.error = f.error;
  o.sha256 = f.sha256;
  o.sizeBytes = f.sizeBytes;
  o.mtime = f.mtime;
  o.format = f.format;
  o.timeFormat = f.timeFormat;
  o.notes = [...f.notes];
  o.records = f.records;
  o.samples = f.samples;
  return o;
}

function openMap(m: Record<string, string | number | boolean | null>): JsonObject {
  const o: JsonObject = {};
  for (const [k, v] of Object.entries(m)) o[k] = typeof v === 'number' ? roundSig(v) : v;
  return o;
}

export function canonicalHeader(h: RunHeader): JsonObject {
  const o: JsonObject = {
    tool: h.tool,
    version: h.version,
    schemaVersion: h.schemaVersion,
    arguments: [...h.arguments],
    caseId: h.caseId,
    analyst: h.analyst,
    inputs: h.inputs.map(inputFile),
    roster: h.roster === null ? null : inputFile(h.roster),
    recordsRead: h.recordsRead,
    samplesEmitted: h.samplesEmitted,
    samplesUsed: h.samplesUsed,
    rejections: h.rejections.map((r) => ({ reason: r.reason, count: r.count })),
    rejectionsTotal: h.rejectionsTotal,
    excluded: { count: h.excluded.count, patterns: [...h.excluded.patterns] },
    timeWindow: {
      since: h.timeWindow.since,
      until: h.timeWindow.until,
      outsideWindow: h.timeWindow.outsideWindow,
    },
    rosterUnmatched: [...h.rosterUnmatched],
    accountsNotInRoster: [...h.accountsNotInRoster],
    settings: openMap(h.settings),
    warnings: [...h.warnings],
  };
  // Optional (present only with --now / --allow), so reports without them keep their bytes.
  if (h.now !== undefined) o.now = h.now;
  if (h.allowList !== undefined) o.allowList = canonicalAllowList(h.allowList);
  // Present only with --baseline.
  if (h.baseline !== undefined) {
    o.baseline = {
      path: h.baseline.path,
      sha256: h.baseline.sha256,
      formatVersion: h.baseline.formatVersion,
      accounts: h.baseline.accounts,
      period: h.baseline.period === null ? null : { first: h.baseline.period.first, last: h.baseline.period.last },
      newAccounts: h.baseline.newAccounts,
    };
  }
  // Present only with --assume-tz.
  if (h.assumedTimeZone !== undefined) {
    const z = h.assumedTimeZone;
    o.assumedTimeZone = { zone: z.zone, samples: z.samples, ambiguous: z.ambiguous, nonexistent: z.nonexistent };
  }
  return o;
}

export function canonicalAllowList(l: AllowListInfo): JsonObject {
  return {
    path: l.path,
    sha256: l.sha256,
    format: l.format,
    entries: l.entries.map((e) => ({
      matchedBy: e.matchedBy,
      match: e.match,
      reason: e.reason,
      owner: e.owner,
      expires: e.expires,
      expiresAt: e.expiresAt,
      expired: e.expired,
      accounts: e.accounts,
      source: sourceRef(e.source),
    })),
  };
}

export function canonicalAllowed(a: AllowedStatus): JsonObject {
  return {
    reason: a.reason,
    owner: a.owner,
    expires: a.expires,
    expired: a.expired,
    matchedBy: a.matchedBy,
    match: a.match,
    entrySource: sourceRef(a.entrySource),
  };
}

function interval(i: QuantileInterval): JsonObject {
  const o: JsonObject = {
    confidence: roundSig(i.confidence),
    sided: i.sided,
    lowerMs: roundMsOrNull(i.lowerMs),
    upperMs: roundMs(i.upperMs),
    lowerRank: i.lowerRank,
    upperRank: i.upperRank,
  };
  if (i.lowerSource !== undefined) o.lowerSource = sourceRef(i.lowerSource);
  if (i.upperSource !== undefined) o.upperSource = sourceRef(i.upperSource);
  return o;
}

export function canonicalKindStats(k: KindStats): JsonObject {
  const floor: JsonObject = { valueMs: roundMs(k.floor.valueMs) };
  if (k.floor.source !== undefined) floor.source = sourceRef(k.floor.source);
  return {
    kind: k.kind,
    n: k.n,
    minMs: roundMs(k.minMs),
    floor,
    floorInterval: interval(k.floorInterval),
    p25Ms: roundMs(k.p25Ms),
    medianMs: roundMs(k.medianMs),
    p75Ms: roundMs(k.p75Ms),
    p95Ms: roundMs(k.p95Ms),
    p99Ms: roundMs(k.p99Ms),
    maxMs: roundMs(k.maxMs),
    meanMs: roundMs(k.meanMs),
    sdMs: roundMs(k.sdMs),
    madMs: roundMs(k.madMs),
    iqrMs: roundMs(k.iqrMs),
    jitterMs: roundMsOrNull(k.jitterMs),
    jitterPairs: k.jitterPairs,
    jitterLateSamples: k.jitterLateSamples,
    resolutionMs: roundMs(k.resolutionMs),
    firstTimeUs: k.firstTimeUs,
    lastTimeUs: k.lastTimeUs,
    sessions: k.sessions,
    precision: { mode: k.precision.mode, relativeError: roundSig(k.precision.relativeError) },
    histogram: {
      lowMs: roundMs(k.histogram.lowMs),
      highMs: roundMs(k.histogram.highMs),
      counts: [...k.histogram.counts],
    },
    daily: k.daily.map((d) => ({ day: d.day, n: d.n, floorMs: roundMs(d.floorMs), rank: d.rank })),
  };
}

export function canonicalPeerGroup(g: PeerGroupSummary): JsonObject {
  return {
    group: g.group,
    kind: g.kind,
    accounts: g.accounts,
    samples: g.samples,
    floorMedianMs: roundMs(g.floorMedianMs),
    histogram: { lowMs: roundMs(g.histogram.lowMs), highMs: roundMs(g.histogram.highMs), counts: [...g.histogram.counts] },
  };
}

export function canonicalEvidence(e: Evidence): JsonObject {
  const r = e.unit === 'ms' ? roundMs : roundSig;
  const stats: JsonObject = {};
  for (const [key, v] of Object.entries(e.stats)) stats[key] = v === null ? null : roundSig(v);
  return {
    signal: e.signal,
    kind: e.kind,
    observed: r(e.observed),
    baseline: r(e.baseline),
    unit: e.unit,
    effect: r(e.effect),
    effectName: e.effectName,
    interval:
      e.interval === null
        ? null
        : [e.interval[0] === null ? null : r(e.interval[0]), e.interval[1] === null ? null : r(e.interval[1])],
    pValue: roundSigOrNull(e.pValue),
    stats,
    points: roundSig(e.points),
    sentence: e.sentence,
  };
}

function location(l: ResolvedLocation): JsonObject {
  return {
    query: l.query,
    label: l.label,
    lat: roundSig(l.lat),
    lon: roundSig(l.lon),
    precision: l.precision,
    uncertaintyKm: roundSig(l.uncertaintyKm),
    source: l.source,
  };
}

/** Physical model figures of an account: `...Ms` to 3 decimals, km and the rest to 6 significant digits. */
export function canonicalPhysics(p: AccountPhysics): JsonObject {
  const sig = roundSigOrNull;
  return {
    claimed: p.claimed === null ? null : location(p.claimed),
    servers: p.servers.map((s) => ({ name: s.name, location: location(s.location), samples: s.samples, distanceKm: sig(s.distanceKm) })),
    access: p.access,
    kind: p.kind,
    verdict: p.verdict,
    reason: p.reason,
    distanceKm: sig(p.distanceKm),
    hardBoundMs: roundMsOrNull(p.hardBoundMs),
    expectedLowMs: roundMsOrNull(p.expectedLowMs),
    expectedPointMs: roundMsOrNull(p.expectedPointMs),
    expectedHighMs: roundMsOrNull(p.expectedHighMs),
    floorMs: roundMsOrNull(p.floorMs),
    floorLowMs: roundMsOrNull(p.floorLowMs),
    floorHighMs: roundMsOrNull(p.floorHighMs),
    impliedDistanceKmLow: sig(p.impliedDistanceKmLow),
    impliedDistanceKmPoint: sig(p.impliedDistanceKmPoint),
    model: p.model,
  };
}

export function canonicalPhysicalModel(m: PhysicalModelReport): JsonObject {
  return {
    kmPerMsRtt: roundSig(m.kmPerMsRtt),
    fiberGroupIndex: roundSig(m.fiberGroupIndex),
    server: m.server === null ? null : location(m.server),
    serversFile: m.serversFile,
    geoipDb: m.geoipDb,
    worstCaseInflation: roundSig(m.worstCaseInflation),
    models: m.models.map((x) => ({
      kind: x.kind,
      source: x.source,
      fixedLowMs: roundMs(x.fixedLowMs),
      fixedMidMs: roundMs(x.fixedMidMs),
      fixedHighMs: roundMs(x.fixedHighMs),
      inflationLow: roundSig(x.inflationLow),
      inflationMid: roundSig(x.inflationMid),
      inflationHigh: roundSig(x.inflationHigh),
      calibrationAccounts: x.calibrationAccounts,
      calibrationMinKm: roundSigOrNull(x.calibrationMinKm),
      calibrationMaxKm: roundSigOrNull(x.calibrationMaxKm),
      note: x.note,
    })),
    locations: { resolved: m.locations.resolved, ambiguous: m.locations.ambiguous, timeZoneOnly: m.locations.timeZoneOnly, unknown: m.locations.unknown },
  };
}

export function canonicalAccount(a: AccountReport): JsonObject {
  const o: JsonObject = {
    rank: a.rank,
    account: a.account,
    aliases: [...a.aliases],
    site: a.site,
    peerGroup: a.peerGroup,
    peerCount: a.peerCount,
    inRoster: a.inRoster,
    location: a.location,
    timeZone: a.timeZone,
    physics: a.physics === null ? null : canonicalPhysics(a.physics),
    status: a.status,
    score: roundSig(a.score),
    flagged: a.flagged,
    qValue: roundSigOrNull(a.qValue),
    pValue: roundSigOrNull(a.pValue),
    headlineKind: a.headlineKind,
    floorMs: roundMsOrNull(a.floorMs),
    peerFloorMs: roundMsOrNull(a.peerFloorMs),
    strongest: a.strongest,
    coverage: { kinds: [...a.coverage.kinds], rulesOut: a.coverage.rulesOut, cannotRuleOut: a.coverage.cannotRuleOut },
    kinds: a.kinds.map(canonicalKindStats),
    evidence: a.evidence.map(canonicalEvidence),
    samples: a.samples,
  };
  // Present (object or null) whenever the run had an allow list.
  if (a.allowed !== undefined) o.allowed = a.allowed === null ? null : canonicalAllowed(a.allowed);
  return o;
}

export function canonicalSummary(s: Report['summary']): JsonObject {
  return {
    accounts: s.accounts,
    scored: s.scored,
    insufficient: s.insufficient,
    flagged: s.flagged,
    flagThreshold: roundSig(s.flagThreshold),
  };
}

export function canonicalCluster(c: AccountCluster): JsonObject {
  return {
    id: c.id,
    members: [...c.members],
    reason: c.reason,
    kind: c.kind,
    address: c.address,
    changeDay: c.changeDay,
    floorLowMs: roundMsOrNull(c.floorLowMs),
    floorHighMs: roundMsOrNull(c.floorHighMs),
    sentence: c.sentence,
  };
}

/** The report as a plain JSON value: canonical key order, rounding and account list. */
export function canonicalReport(report: Report, top: number | null = null): JsonObject {
  return {
    header: canonicalHeader(report.header),
    accounts: listedAccounts(report, top).map(canonicalAccount),
    peerGroups: report.peerGroups.map(canonicalPeerGroup),
    physicalModel: report.physicalModel === null ? null : canonicalPhysicalModel(report.physicalModel),
    summary: canonicalSummary(report.summary),
    clusters: report.clusters.map(canonicalCluster),
  };
}

// ---------------------------------------------------------------- renderers

export interface JsonRenderOptions {
  /** Limit the ranked accounts listed; null for all. */
  top?: number | null;
}

/** Pretty JSON (2-space indent), canonical form, LF line endings, trailing newline. */
export function renderJson(report: Report, opts: JsonRenderOptions = {}): string {
  return [...renderJsonPieces(report, opts)].join('');
}

/**
 * The text of `renderJson` in pieces, one per account: the CLI writes each as it comes, so a run
 * with 10,000 accounts never holds its whole report text, nor a canonical copy of every account.
 */
export function* renderJsonPieces(report: Report, opts: JsonRenderOptions = {}): Generator<string> {
  // The same text as JSON.stringify(canonicalReport(...), null, 2), built one account at a time.
  const listed = listedAccounts(report, opts.top ?? null);
  const text = JSON.stringify(canonicalReport({ ...report, accounts: [] }), null, 2);
  const marker = '\n  "accounts": []';
  const at = text.indexOf(marker);
  if (listed.length === 0 || at < 0) {
    yield escapeJsonText(JSON.stringify(canonicalReport(report, opts.top ?? null), null, 2)) + '\n';
    return;
  }
  yield escapeJsonText(text.slice(0, at)) + '\n  "accounts": [\n';
  for (let i = 0; i < listed.length; i++) {
    // Stringified two lists deep, the account comes out at its final indentation (four spaces):
    // one string per account, no re-indenting pass over its lines. `[\n  [\n` ... `\n  ]\n]` cut off.
    const nested = JSON.stringify([[canonicalAccount(listed[i]!)]], null, 2);
    yield `${escapeJsonText(nested.slice(6, -6))}${i + 1 < listed.length ? ',\n' : '\n'}`;
  }
  yield '  ]' + escapeJsonText(text.slice(at + marker.length)) + '\n';
}

/**
 * JSON Lines: the first line is `{"type":"header", ...header, "summary": {...}}`,
 * then one `{"type":"account", ...account}` per listed account, in the canonical
 * order. Compact, one record per LF-terminated line.
 */
export function renderJsonl(report: Report, opts: JsonRenderOptions = {}): string {
  return [...renderJsonlPieces(report, opts)].join('');
}

/** The text of `renderJsonl`, one line per piece. */
export function* renderJsonlPieces(report: Report, opts: JsonRenderOptions = {}): Generator<string> {
  const head: JsonObject = { type: 'header', ...canonicalHeader(report.header), summary: canonicalSummary(report.summary) };
  yield escapeJsonText(JSON.stringify(head)) + '\n';
  for (const a of listedAccounts(report, opts.top ?? null)) {
    yield escapeJsonText(JSON.stringify({ type: 'account', ...canonicalAccount(a) })) + '\n';
  }
}
