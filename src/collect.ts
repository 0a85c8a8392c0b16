// The first two stages shared by every command (scan, baseline build, inspect): ingest every input
// and accumulate per account and kind; then finish each distribution. Prints nothing.
import type { Kind, KindStats, SourceRef } from './types.js';
import { KINDS } from './types.js';
import { inputError } from './errors.js';
import { ingest, type IngestRequest, type IngestResult } from './ingest/ingest.js';
import type { RawSample } from './ingest/adapter.js';
import { normaliseAccount, type ExcludeList } from './ingest/accounts.js';
import { KindAccumulator } from './analyze/distribution.js';
import { ExactBudget, packRef, unpackRef, type RowRef } from './analyze/store.js';
import type { WeightedPoints } from './analyze/stats.js';

export interface CollectRequest extends IngestRequest {
  since: { us: number; text: string } | null;
  until: { us: number; text: string } | null;
  exclude: ExcludeList | null;
  memoryBudgetValues: number;
  /** Values of one account and kind kept exactly before that one moves to a sketch. */
  exactPerAccount?: number;
}

/** Sees every sample that is used, after normalisation and filtering (location, linked accounts...). */
export interface SampleObserver {
  observe(account: string, raw: RawSample, fileIndex: number): void;
}

export class AccountAccumulator {
  readonly aliases = new Set<string>();
  readonly kinds = new Map<Kind, KindAccumulator>();
  samples = 0;
}

export interface Collected {
  ingested: IngestResult;
  accounts: Map<string, AccountAccumulator>;
  budget: ExactBudget;
  samplesUsed: number;
  excludedSamples: number;
  excludedAccounts: Set<string>;
  outsideWindow: number;
  /** Account keys, sorted (byte order): the order of every later stage. */
  accountKeys: string[];
  sourceOf(ref: RowRef): SourceRef;
}

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export async function collect(req: CollectRequest, observers: readonly SampleObserver[] = []): Promise<Collected> {
  const budget = new ExactBudget(req.memoryBudgetValues, req.exactPerAccount ?? Infinity);
  const accounts = new Map<string, AccountAccumulator>();
  const keyCache = new Map<string, string>();
  let samplesUsed = 0;
  let excludedSamples = 0;
  let unnamedSamples = 0;
  const excludedAccounts = new Set<string>();
  let outsideWindow = 0;

  const ingested = await ingest(req, (raw, fileIndex, path) => {
    let key = keyCache.get(raw.account);
    if (key === undefined) {
      key = normaliseAccount(raw.account);
      if (keyCache.size < 1_000_000) keyCache.set(raw.account, key);
    }
    if (key === '') {
      unnamedSamples++;
      req.onRejection?.({ source: { file: path, line: raw.line }, reason: 'account_missing', detail: `'${raw.account}' normalises to nothing` });
      if (req.strict) throw inputError(`account_missing: '${raw.account}' normalises to nothing (--strict)`, path, raw.line);
      return;
    }
    if (req.exclude?.matches(key)) { excludedSamples++; excludedAccounts.add(key); return; }
    if ((req.since && raw.timeUs < req.since.us) || (req.until && raw.timeUs >= req.until.us)) { outsideWindow++; return; }
    let account = accounts.get(key);
    if (account === undefined) { account = new AccountAccumulator(); accounts.set(key, account); }
    if (account.aliases.size < 32) account.aliases.add(raw.account);
    let kindAcc = account.kinds.get(raw.kind);
    if (kindAcc === undefined) { kindAcc = new KindAccumulator(raw.kind, budget); account.kinds.set(raw.kind, kindAcc); }
    kindAcc.add(raw.valueMs, raw.timeUs, `${fileIndex}\u0000${raw.session}`, packRef(fileIndex, raw.line));
    account.samples++;
    samplesUsed++;
    for (const o of observers) o.observe(key, raw, fileIndex);
  });
  if (unnamedSamples > 0) {
    ingested.rejectionCounts.set('account_missing', (ingested.rejectionCounts.get('account_missing') ?? 0) + unnamedSamples);
  }
  const sourceOf = (ref: RowRef): SourceRef => {
    const { fileIndex, line } = unpackRef(ref);
    return { file: ingested.paths[fileIndex]!, line };
  };
  return {
    ingested, accounts, budget, samplesUsed, excludedSamples, excludedAccounts, outsideWindow,
    accountKeys: [...accounts.keys()].sort(compareText), sourceOf,
  };
}

/** One account's finished kinds, and those with enough samples to be compared (`summaries`). */
export interface FinishedAccount {
  stats: KindStats[];
  summaries: { account: string; kind: Kind; stats: KindStats; binned: WeightedPoints }[];
}

/** Analyze: finish every distribution, in account-key order. */
export function finishAccounts(collected: Collected, minSamples: number): Map<string, FinishedAccount> {
  const finished = new Map<string, FinishedAccount>();
  for (const key of collected.accountKeys) {
    const acc = collected.accounts.get(key)!;
    const stats: KindStats[] = [];
    const summaries: FinishedAccount['summaries'] = [];
    for (const kind of KINDS) {
      const kindAcc = acc.kinds.get(kind);
      if (!kindAcc) continue;
      const done = kindAcc.finish(collected.sourceOf);
      stats.push(done.stats);
      if (done.stats.n >= minSamples) summaries.push({ account: key, kind, stats: done.stats, binned: done.binned });
    }
    finished.set(key, { stats, summaries });
  }
  return finished;
}
