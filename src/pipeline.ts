// ingest -> analyze -> baseline -> score, shared by the commands. Returns a Report; prints nothing.
import type {
  AccountReport, AllowListInfo, Evidence, InputFileInfo, Kind, PeerGroupSummary, Report, RunHeader,
} from './types.js';
import { HEADLINE_KIND_ORDER, KINDS } from './types.js';
import { usageError } from './errors.js';
import { matchRosterAccounts, readRoster, type Roster } from './ingest/roster.js';
import { formatTimeUs } from './ingest/time.js';
import { accountWarnings, collect, compareText, finishAccounts, type CollectRequest } from './collect.js';
import { nothingReadError, rankedRejections } from './ingest/ingest.js';
import { benjaminiHochberg, median } from './analyze/stats.js';
import { GroupFigures, type PeerMember } from './baseline/peer-figures.js';
import { assignPeerGroups, comparePeers, EVERYONE, type KindSummary, type PeerComparison } from './baseline/peers.js';
import { peerEvidence, peerRelativePValue, type AccountContext, type EvidenceProvider } from './score/evidence.js';
import { relayEvidenceWith } from './score/relay.js';
import { SessionFloorTracker } from './analyze/session-floors.js';
import { countEvidence, scoreFromPoints, FLAG_SCORE } from './score/combine.js';
import { coverageOf } from './score/coverage.js';
import { LocationSignals, type LocationOptions } from './score/location.js';
import { BaselineIndex, historyProvider, typingRhythmProvider } from './score/history.js';
import { readProfile } from './baseline/profile.js';
import { ClientAddressTracker } from './analyze/client-addresses.js';
import { changePointEvidence, detectChanges } from './score/changepoints.js';
import { linkAccounts } from './score/linked.js';
import { applyAllowList, readAllowList } from './baseline/allow.js';
import { createHash } from 'node:crypto';

export const TOOL_NAME = 'keylag';
export const SCHEMA_VERSION = '1.0.0';
/** Below this many samples of a kind, an account is listed as insufficient data, not scored. */
export const DEFAULT_MIN_SAMPLES = 30;
/**
 * Values kept exactly across the whole run before the largest accounts move to sketches: ~8 MB
 * (a value and its input row). A sketch of one account costs about as much as ~100 exact values,
 * so at 10,000 accounts a larger budget buys exactness for a few hundred accounts at ~16 B a value
 * of a peak that must stay under 300 MB (issue 7).
 */
export const DEFAULT_MEMORY_BUDGET_VALUES = 500_000;

export interface ScanRequest extends CollectRequest, LocationOptions {
  rosterPath: string | null;
  minSamples: number;
  caseId?: string | null;
  analyst?: string | null;
  arguments: string[];
  version: string;
  /** Known exceptions (--allow FILE): allowed accounts are still scored; they only do not trip the gate. */
  allowPath?: string | null;
  /** Time that allow-list expiry is judged against: --now, else the clock (the CLI decides). */
  now?: { us: number; source: 'option' | 'clock' } | null;
  /** History profile (--baseline FILE, from `keylag baseline build`): history-shift and typing-rhythm evidence. */
  baselinePath?: string | null;
  /**
   * Called when a stage has let go of what it held (`collected`: every row read; `finished`: the
   * accumulators replaced by their figures). The CLI collects garbage there (cli/memory.ts).
   */
  onStageEnd?: (stage: 'collected' | 'finished') => void;
}

export async function runScan(req: ScanRequest): Promise<Report> {
  if (!Number.isInteger(req.minSamples) || req.minSamples < 2) throw usageError('--min-samples must be an integer >= 2');

  const warnings: string[] = [];
  let roster: Roster | null = null;
  let rosterInfo: InputFileInfo | null = null;
  if (req.rosterPath !== null) {
    const { roster: r, bytes } = await readRoster(req.rosterPath);
    roster = r;
    warnings.push(...r.warnings);
    rosterInfo = {
      path: r.path, status: 'read', sha256: createHash('sha256').update(bytes).digest('hex'), sizeBytes: bytes.length,
      mtime: r.mtime, format: 'roster CSV', timeFormat: null, notes: [...r.notes], records: r.entries.length, samples: 0,
    };
  }

  // Known exceptions: read (and validated) before the inputs, so a bad entry stops the run early.
  const allowList = req.allowPath ? await readAllowList(req.allowPath) : null;

  // Signal 5 (history): the profile is read and checked before the inputs, so a bad one stops the run early.
  const baseline = req.baselinePath ? new BaselineIndex(await readProfile(req.baselinePath)) : null;

  // Signals 3 and 7 (claimed location, activity hours): claims and servers resolved before reading.
  const location = await LocationSignals.prepare(req, roster, req.strict);

  // Linked accounts (issue 6): which client addresses each account's samples came from.
  const clientAddresses = new ClientAddressTracker();
  const sessionFloors = new SessionFloorTracker();
  const collected = await collect(req, location ? [location, clientAddresses, sessionFloors] : [clientAddresses, sessionFloors]);
  const { ingested, accounts, budget, samplesUsed, excludedSamples, excludedAccounts, outsideWindow, accountKeys } = collected;
  const rejectionCounts = ingested.rejectionCounts;
  // Rows read and every one rejected: an input error (exit 2), not an empty report that exits 0.
  const nothingRead = nothingReadError(ingested);
  if (nothingRead !== null) throw nothingRead;
  warnings.push(...ingested.warnings);
  if (roster) {
    // The roster's account column that matches the data (an HR export's Work Email, not its Employee ID).
    const match = matchRosterAccounts(roster, (k) => accounts.has(k) || excludedAccounts.has(k), accountKeys[0] ?? null);
    warnings.push(...match.warnings);
    if (match.rekeyed) location?.rekeyClaims(match.rekeyed);
    rosterInfo!.notes = [...roster.notes];
    rosterInfo!.records = roster.entries.length;
  }
  warnings.push(...accountWarnings(collected, req.exclude));
  const { inputs, recordsRead, samplesEmitted } = ingested;

  req.onStageEnd?.('collected');
  // analyze: finish every distribution
  const finished = finishAccounts(collected, req.minSamples, true);
  req.onStageEnd?.('finished');

  // baseline: peer groups over scored accounts, then per-kind comparisons
  const scoredKeys = accountKeys.filter((k) => finished.get(k)!.summaries.length > 0);
  const siteOf = (k: string) => roster?.byKey.get(k)?.site ?? null;
  const groups = assignPeerGroups(scoredKeys, siteOf);
  const comparisons = new Map<Kind, Map<string, PeerComparison>>();
  for (const kind of KINDS) {
    const ofKind = scoredKeys.flatMap((k) => finished.get(k)!.summaries.filter((s) => s.kind === kind));
    if (ofKind.length > 0) comparisons.set(kind, comparePeers(ofKind, groups));
  }

  if (location) {
    location.finish(accountKeys.map((k) => ({ key: k, ...finished.get(k)! })), groups, scoredKeys, ingested.offsetlessFiles);
    warnings.push(...location.warnings);
    for (const r of location.rejections) {
      rejectionCounts.set(r.reason, (rejectionCounts.get(r.reason) ?? 0) + 1);
      req.onRejection?.(r);
    }
  }

  // Signal 5 within the window (change points, on-off floors), once per account and kind; then
  // linked accounts (shared client address, the same change), which need every account's changes.
  const floorChanges = detectChanges(scoredKeys.map((k) => ({ account: k, summaries: finished.get(k)!.summaries })));
  const linkage = linkAccounts(scoredKeys.map((k) => ({ account: k, summaries: finished.get(k)!.summaries })), floorChanges, (k) => clientAddresses.addressesOf(k));

  // score: every provider sees each scored account
  const evidenceProviders: EvidenceProvider[] = [
    peerEvidence, relayEvidenceWith(sessionFloors), changePointEvidence(floorChanges, linkage.widespread), linkage.provider, ...(location?.physicsProviders() ?? []),
    // Signals 5 and 6: history against the saved profile; typing rhythm against peers (and the profile).
    ...(baseline ? [historyProvider(baseline)] : []), typingRhythmProvider(baseline),
    // Activity hours last: it may only add to what the others found.
    ...(location?.activityProviders() ?? []),
  ];
  // Peer groups' members for figures over peers (peer-figures.ts): `everyone` holds every scored
  // account, a site its own.
  const groupFigures = new GroupFigures();
  const members = new Map<string, PeerMember>();
  const memberOf = (key: string): PeerMember => {
    let m = members.get(key);
    if (m === undefined) { m = { account: key, kinds: finished.get(key)!.stats, summaries: finished.get(key)!.summaries }; members.set(key, m); }
    return m;
  };
  const membersByGroup = new Map<string, PeerMember[]>();
  const membersOf = (group: string): PeerMember[] => {
    let list = membersByGroup.get(group);
    if (list === undefined) {
      list = scoredKeys.filter((k) => group === EVERYONE || (groups.get(k) ?? EVERYONE) === group).map(memberOf);
      membersByGroup.set(group, list);
    }
    return list;
  };
  const reports: AccountReport[] = [];
  for (const key of accountKeys) {
    const acc = accounts.get(key)!;
    const { stats, summaries } = finished.get(key)!;
    const entry = roster?.byKey.get(key) ?? null;
    const scored = summaries.length > 0;
    const accountComparisons = new Map<Kind, PeerComparison>();
    for (const kind of KINDS) {
      const c = comparisons.get(kind)?.get(key);
      if (c) accountComparisons.set(kind, c);
    }
    const context: AccountContext = { account: key, kinds: stats, summaries, roster: entry, comparisons: accountComparisons };
    if (scored) {
      const group = groups.get(key) ?? EVERYONE;
      context.peerFigure = (figure) => groupFigures.without(group, membersOf(group), memberOf(key), figure);
    }
    // Each provider sees the items of those before it (`prior`).
    const evidence: Evidence[] = [];
    if (scored) for (const provide of evidenceProviders) evidence.push(...provide({ ...context, prior: evidence.slice() }));
    const { total, counted } = countEvidence(evidence);
    for (const item of evidence) if (!counted.includes(item) && item.points > 0) {
      item.sentence += ` (not counted: the same signal scores on another kind)`;
      item.stats.countedPoints = 0;
    }
    const score = scored ? scoreFromPoints(total) : 0;
    const headlinePool = scored ? summaries : stats.map((s) => ({ kind: s.kind, stats: s }));
    const headline = HEADLINE_KIND_ORDER.map((k) => headlinePool.find((s) => s.kind === k)).find((s) => s !== undefined)
      ?? headlinePool[0];
    const headlineComparison = headline ? comparisons.get(headline.kind)?.get(key) : undefined;
    const pValues = evidence.map(peerRelativePValue).filter((p): p is number => p !== null);
    // Bonferroni across the account's own tests; BH across accounts below.
    const pValue = pValues.length === 0 ? null : Math.min(1, Math.min(...pValues) * pValues.length);
    const strongest = [...counted].sort((a, b) => b.points - a.points)[0];
    const strongestSentence = !scored
      ? `insufficient data: ${acc.samples} samples, fewer than ${req.minSamples} of any kind`
      : evidence.length === 0
        ? 'no peer comparison possible (too few peers with this kind)'
        : strongest && strongest.points > 0
          ? strongest.sentence
          : (evidence.find((e) => e.kind === headline?.kind && e.signal === 'floor_vs_peers') ?? evidence[0]!).sentence;
    reports.push({
      rank: null,
      account: key,
      aliases: [...acc.aliases].sort(compareText),
      site: entry?.site ?? null,
      peerGroup: scored ? (groups.get(key) ?? EVERYONE) : 'none',
      peerCount: headlineComparison?.peerCount ?? 0,
      inRoster: entry !== null,
      location: entry?.location ?? null,
      timeZone: entry?.timeZone ?? null,
      physics: location?.physicsOf(key, scored) ?? null,
      status: scored ? 'scored' : 'insufficient_data',
      score,
      flagged: scored && score >= FLAG_SCORE,
      qValue: null,
      pValue,
      headlineKind: headline?.kind ?? null,
      floorMs: headline ? headline.stats.floor.valueMs : null,
      peerFloorMs: headlineComparison?.peerFloorMs ?? null,
      strongest: strongestSentence,
      coverage: coverageOf(stats.map((s) => s.kind)),
      kinds: stats,
      evidence,
      samples: acc.samples,
    });
  }

  // Pooled histograms per (peer group, kind), for charts: the per-account histograms share one grid.
  const peerGroups: PeerGroupSummary[] = [];
  for (const [kind, byAccount] of comparisons) {
    const groupNames = [...new Set([...byAccount.values()].map((c) => c.group))].sort(compareText);
    for (const group of groupNames) {
      const members = scoredKeys.filter((k) => (groups.get(k) ?? EVERYONE) === group || group === EVERYONE)
        .map((k) => finished.get(k)!.summaries.find((s) => s.kind === kind))
        .filter((s): s is KindSummary => s !== undefined);
      if (members.length === 0) continue;
      const counts = members[0]!.stats.histogram.counts.map((_, i) => members.reduce((sum, m) => sum + m.stats.histogram.counts[i]!, 0));
      peerGroups.push({
        group, kind, accounts: members.length, samples: members.reduce((sum, m) => sum + m.stats.n, 0),
        floorMedianMs: median(members.map((m) => m.stats.floor.valueMs)),
        histogram: { lowMs: members[0]!.stats.histogram.lowMs, highMs: members[0]!.stats.histogram.highMs, counts },
      });
    }
  }

  if (budget.sketchedByBudget + budget.sketchedByCap > 0) {
    warnings.push(`${budget.sketchedByBudget + budget.sketchedByCap} distributions exceeded the exact-value limits (--memory-budget ${req.memoryBudgetValues}`
      + `${req.exactPerAccount ? `, --exact-per-account ${req.exactPerAccount}` : ''}) and were sketched: their quantiles carry a relative error of 0.5 % and their floors no input row`);
  }

  let allowInfo: AllowListInfo | undefined;
  if (allowList) {
    if (!req.now) throw usageError('--allow needs the time to judge expiry against (--now, or the clock)');
    const applied = applyAllowList(allowList, reports, (k) => clientAddresses.addressesOf(k), req.now.us);
    allowInfo = applied.info;
    warnings.push(...applied.warnings);
  }
  if (req.now && req.now.source === 'clock' && allowList) {
    warnings.push(`allow-list expiry judged against the clock (${formatTimeUs(req.now.us)}): give --now for a reproducible report`);
  }

  const scoredReports = reports.filter((r) => r.status === 'scored');
  const qValues = benjaminiHochberg(scoredReports.map((r) => r.pValue));
  scoredReports.forEach((r, i) => { r.qValue = qValues[i] ?? null; });
  // Stable ranking: score, then account name.
  scoredReports.sort((a, b) => b.score - a.score || compareText(a.account, b.account));
  scoredReports.forEach((r, i) => { r.rank = i + 1; });
  const insufficient = reports.filter((r) => r.status !== 'scored');

  const header: RunHeader = {
    tool: TOOL_NAME,
    version: req.version,
    schemaVersion: SCHEMA_VERSION,
    arguments: req.arguments,
    caseId: req.caseId ?? null,
    analyst: req.analyst ?? null,
    inputs,
    roster: rosterInfo,
    recordsRead,
    samplesEmitted,
    samplesUsed,
    rejections: rankedRejections(rejectionCounts),
    rejectionsTotal: [...rejectionCounts.values()].reduce((a, b) => a + b, 0),
    excluded: { count: excludedSamples, patterns: req.exclude?.patterns ?? [] },
    timeWindow: {
      since: req.since ? formatTimeUs(req.since.us) : null,
      until: req.until ? formatTimeUs(req.until.us) : null,
      outsideWindow,
    },
    rosterUnmatched: roster ? roster.entries.filter((e) => !accounts.has(e.key) && !excludedAccounts.has(e.key)).map((e) => e.account) : [],
    accountsNotInRoster: roster ? accountKeys.filter((k) => !roster!.byKey.has(k)) : [],
    settings: {
      minSamples: req.minSamples,
      flagScore: FLAG_SCORE,
      memoryBudgetValues: req.memoryBudgetValues,
      exactPerAccount: req.exactPerAccount ?? null,
      sketchedAtBudget: budget.sketchedByBudget,
      sketchedAtPerAccountLimit: budget.sketchedByCap,
      excludedAccounts: excludedAccounts.size,
    },
    warnings,
  };
  if (req.now) header.now = formatTimeUs(req.now.us);
  if (ingested.assumedZone !== null) header.assumedTimeZone = { ...ingested.assumedZone };
  if (allowInfo) header.allowList = allowInfo;
  if (baseline) {
    const p = baseline.loaded.profile;
    header.baseline = {
      path: baseline.loaded.path,
      sha256: baseline.loaded.sha256,
      formatVersion: p.formatVersion,
      accounts: p.summary.accounts,
      period: p.period ? { first: p.period.first, last: p.period.last } : null,
      newAccounts: baseline.newAccounts,
    };
  }
  return {
    header,
    accounts: [...scoredReports, ...insufficient],
    peerGroups,
    physicalModel: location?.report() ?? null,
    summary: {
      accounts: reports.length,
      scored: scoredReports.length,
      insufficient: insufficient.length,
      flagged: scoredReports.filter((r) => r.flagged).length,
      flagThreshold: FLAG_SCORE,
    },
    clusters: linkage.clusters,
  };
}
