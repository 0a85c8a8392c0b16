// The first two stages shared by every command (scan, baseline build, inspect): ingest every input
// and accumulate per account and kind; then finish each distribution. Prints nothing.
import type { Kind, KindStats, SourceRef } from './types.js';
import { KINDS } from './types.js';
import { inputError, usageError } from './errors.js';
import { ingest, type IngestRequest, type IngestResult } from './ingest/ingest.js';
import { formatTimeUs } from './ingest/time.js';
import { KIND_INDEX, type RawSample, type SampleColumns } from './ingest/adapter.js';
import { ungroup, UngroupScratch, type ColumnGroups } from './ingest/group-rows.js';
import { isAccountPlaceholder, lostRowsWarning, mergedDomainsWarning, normaliseAccount, type ExcludeList } from './ingest/accounts.js';
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

/**
 * Sees every sample that is used, after normalisation and filtering (location, linked accounts...).
 * `raw` may be a scratch object reused for the next sample: read it at once, keep none of it.
 */
export interface SampleObserver {
  observe(account: string, raw: RawSample, fileIndex: number): void;
  /**
   * Which samples it needs (all when absent): the batch path then skips the others without building
   * a sample for them, which on a plain timing CSV is most of the per-row cost of observing.
   */
  readonly wants?: { kinds?: ReadonlySet<Kind>; clientAddress?: boolean; session?: boolean };
}

interface NameSlot {
  rawName: string;
  key: string;
  excluded: boolean;
  account: AccountAccumulator | null;
}

/**
 * One account's distributions and the raw names seen for it. Lists, not a Map and a Set per
 * account: most accounts have one name and one or two kinds, and at 100,000 accounts the two
 * hash tables each were ~46 MB of the live heap.
 */
export class AccountAccumulator {
  /** Raw names seen, in first-seen order, at most MAX_ALIASES (read only outside). */
  aliases: string[] = [];
  /** Distributions, one slot per kind in KINDS order (sized once: a push would make room for 17). */
  private readonly byKind = new Array<KindAccumulator | undefined>(KINDS.length);
  samples = 0;

  addAlias(name: string): void {
    // The first name as a one-element literal, for the same reason as byKind's size.
    if (this.aliases.length === 0) this.aliases = [name];
    else if (this.aliases.length < MAX_ALIASES && !this.aliases.includes(name)) this.aliases.push(name);
  }

  kind(kind: Kind): KindAccumulator | undefined { return this.byKind[KIND_INDEX.get(kind)!]; }

  /** Let go of every distribution (finished: its values and sketches can be freed). */
  releaseKinds(): void { this.byKind.length = 0; }

  /** How many distributions the account holds. */
  kindCount(): number { return this.byKind.filter((k) => k !== undefined).length; }

  /** Let go of the distribution of `kind` (one that received no sample). */
  dropKind(kind: Kind): void { this.byKind[KIND_INDEX.get(kind)!] = undefined; }

  /** The account's distribution of `kind`, made when missing. */
  kindOrNew(kind: Kind, budget: ExactBudget | null): KindAccumulator {
    const index = KIND_INDEX.get(kind)!;
    return this.byKind[index] ??= new KindAccumulator(kind, budget);
  }
}

/** Raw names kept per account, in a run and in a profile (the report lists them; an export may spell one account many ways). */
export const MAX_ALIASES = 32;

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
  budget.deferred = true;
  const accounts = new Map<string, AccountAccumulator>();
  let samplesUsed = 0;
  let excludedSamples = 0;
  let unnamedSamples = 0;
  const excludedAccounts = new Set<string>();
  let outsideWindow = 0;
  // The earliest and latest time the window left out, for the error when it left out every sample.
  let outsideFirstUs = Infinity;
  let outsideLastUs = -Infinity;
  const outside = (timeUs: number): void => {
    outsideWindow++;
    if (timeUs < outsideFirstUs) outsideFirstUs = timeUs;
    if (timeUs > outsideLastUs) outsideLastUs = timeUs;
  };
  const sinceUs = req.since?.us ?? -Infinity;
  const untilUs = req.until?.us ?? Infinity;

  // Per raw account name: its key and where its samples go, resolved once (not per row).
  const slots = new Map<string, NameSlot>();
  const slotOf = (rawName: string): NameSlot => {
    let slot = slots.get(rawName);
    if (slot === undefined) {
      const key = normaliseAccount(rawName);
      slot = { rawName, key, excluded: key !== '' && (req.exclude?.matches(key) ?? false), account: null };
      if (slots.size < 1_000_000) slots.set(rawName, slot);
    }
    return slot;
  };
  // Sessions are numbered per (input file, session id): jitter never pairs rows of different files.
  const sessionNumbers = new Map<string, number>();
  const sessionNumber = (fileIndex: number, session: string): number => {
    const text = `${fileIndex}\u0000${session}`;
    let n = sessionNumbers.get(text);
    if (n === undefined) { n = sessionNumbers.size; sessionNumbers.set(text, n); }
    return n;
  };

  // Every distribution gets a dense number, for grouping a batch's rows by distribution. Its
  // accumulator, and its samples counted by number (added to its account's at the end): a group of
  // rows then fetches one object of its own, not also a pair and the account (three cache misses per
  // group where a batch touches 10,000 of them: ~0.2 s of a 10M-row run's adding).
  const distributions: KindAccumulator[] = [];
  const accountOfTarget: AccountAccumulator[] = [];
  let samplesOfTarget = new Float64Array(1024);
  const targetIds = new Map<KindAccumulator, number>();

  /**
   * Where samples of this name and kind go: a distribution's number, or -1 when they are not used
   * (no account after normalisation, or excluded). Counts nothing.
   */
  const resolve = (slot: NameSlot, kindIndex: number): number => {
    if (slot.key === '' || slot.excluded) return -1;
    let account = slot.account;
    if (account === null) {
      account = accounts.get(slot.key) ?? null;
      if (account === null) { account = new AccountAccumulator(); accounts.set(slot.key, account); }
      account.addAlias(slot.rawName);
      slot.account = account;
    }
    const kindAcc = account.kindOrNew(KINDS[kindIndex]!, budget);
    let id = targetIds.get(kindAcc);
    if (id === undefined) {
      id = distributions.length;
      distributions.push(kindAcc);
      accountOfTarget.push(account);
      targetIds.set(kindAcc, id);
      if (id >= samplesOfTarget.length) { const grown = new Float64Array(2 * samplesOfTarget.length); grown.set(samplesOfTarget); samplesOfTarget = grown; }
    }
    return id;
  };

  /** A sample that is not used: counted by why (and a rejection where it is one). */
  const notUsed = (slot: NameSlot, line: number, path: string): void => {
    if (slot.key === '') {
      unnamedSamples++;
      const why = isAccountPlaceholder(slot.rawName) ? 'is a placeholder for no user' : 'normalises to nothing';
      req.onRejection?.({ source: { file: path, line }, reason: 'account_missing', detail: `'${slot.rawName}' ${why}` });
      if (req.strict) throw inputError(`account_missing: '${slot.rawName}' ${why} (--strict)`, path, line);
      return;
    }
    excludedSamples++;
    excludedAccounts.add(slot.key);
  };

  let lastSessionFile = -1;
  let lastSessionText = '';
  let lastSession = -1;
  const onSample = (raw: RawSample, fileIndex: number, path: string): void => {
    const slot = slotOf(raw.account);
    const id = resolve(slot, KIND_INDEX.get(raw.kind)!);
    if (id < 0) { notUsed(slot, raw.line, path); return; }
    if (raw.timeUs < sinceUs || raw.timeUs >= untilUs) { outside(raw.timeUs); return; }
    if (fileIndex !== lastSessionFile || raw.session !== lastSessionText) {
      lastSession = sessionNumber(fileIndex, raw.session);
      lastSessionFile = fileIndex;
      lastSessionText = raw.session;
    }
    distributions[id]!.add(raw.valueMs, raw.timeUs, lastSession, packRef(fileIndex, raw.line));
    samplesOfTarget[id]++;
    samplesUsed++;
    budget.enforce();
    for (const o of observers) o.observe(slot.key, raw, fileIndex);
  };

  // Column batches: ids index the file's text table, so names, kinds and sessions resolve once per
  // file into dense arrays. Rows are then added grouped by distribution (a stable counting sort, so
  // each distribution sees its rows in input order): its state stays in the CPU cache for its rows
  // instead of being fetched for every row, which is what a per-row loop over 10,000 accounts pays.
  let batchTexts: readonly string[] | null = null;
  let batchFile = -1;
  let slotOfText: (NameSlot | undefined)[] = [];
  let sessionOfText = new Int32Array(0);
  /** Per (text id << 3 | kind): distribution number + 1; 0 unresolved; -1 not used. */
  let targetOfTextKind = new Int32Array(0);
  const scratch: RawSample = { account: '', session: '', timeUs: 0, kind: 'rtt', valueMs: 0, line: 0 };
  let rowTarget = new Int32Array(0);
  let rowSession = new Int32Array(0);
  let groupedValue = new Float64Array(0);
  let groupedTime = new Float64Array(0);
  let groupedSession = new Int32Array(0);
  let groupedLine = new Float64Array(0);
  let groupCount = new Int32Array(0);
  let groupStart = new Int32Array(0);
  const touched: number[] = [];
  // Grouped batches: each group's distribution; per distribution, the last batch it was seen in.
  let groupTarget = new Int32Array(0);
  /** Per group of a grouped batch: its first row, and its sort key (distribution number + 1, then group). */
  let groupFrom = new Int32Array(0);
  let groupOrder = new Float64Array(0);
  let batchOfTarget = new Int32Array(0);
  let batchStamp = 0;
  let inputOrder = new Int32Array(0);
  const ungroupScratch = new UngroupScratch();
  // Per (observer, kind index): 1 when the observer wants that kind; read per row instead of a set.
  const observerKinds = new Uint8Array(observers.length * KINDS.length);
  observers.forEach((o, k) => KINDS.forEach((kind, j) => {
    observerKinds[k * KINDS.length + j] = o.wants?.kinds === undefined || o.wants.kinds.has(kind) ? 1 : 0;
  }));
  /** Distribution of (text id, kind index) through the per-file cache: resolved once per pair. */
  const targetOf = (accountId: number, kindIndex: number, texts: readonly string[]): number => {
    const at = (accountId << 3) | kindIndex;
    let id = targetOfTextKind[at]! - 1;
    if (id === -1) {
      const slot = slotOfText[accountId] ?? (slotOfText[accountId] = slotOf(texts[accountId]!));
      id = resolve(slot, kindIndex);
      targetOfTextKind[at] = id < 0 ? -1 : id + 1;
      if (id >= groupCount.length) {
        const grown = new Int32Array(Math.max(1024, (id + 1) * 2));
        grown.set(groupCount);
        groupCount = grown;
        groupStart = new Int32Array(grown.length);
        // Stamps are kept: a batch may resolve new distributions after others were stamped.
        const stamps = new Int32Array(grown.length);
        stamps.set(batchOfTarget);
        batchOfTarget = stamps;
      }
    }
    return id;
  };
  /** Per-file caches sized for the batch's texts, scratch columns for its rows. */
  const prepare = (batch: SampleColumns, fileIndex: number): void => {
    const { texts } = batch;
    const n = batch.length;
    if (texts !== batchTexts || fileIndex !== batchFile) {
      batchTexts = texts;
      batchFile = fileIndex;
      slotOfText = [];
      sessionOfText = new Int32Array(0);
      targetOfTextKind = new Int32Array(0);
    }
    if (targetOfTextKind.length < texts.length * 8) {
      const grown = new Int32Array(Math.max(1024, texts.length * 16));
      grown.set(targetOfTextKind);
      targetOfTextKind = grown;
      const sessions = new Int32Array(texts.length * 2).fill(-1);
      sessions.set(sessionOfText);
      sessionOfText = sessions;
    }
    if (rowSession.length < n) rowSession = new Int32Array(n);
  };
  /** Scratch columns of the row path only: a batch the reader grouped needs none of them (~8 MB at full batches). */
  const prepareRowPath = (n: number): void => {
    if (rowTarget.length < n) {
      rowTarget = new Int32Array(n);
      groupedValue = new Float64Array(n);
      groupedTime = new Float64Array(n);
      groupedSession = new Int32Array(n);
      groupedLine = new Float64Array(n);
    }
  };
  /** Session number of a row's session text id (-1: none), through the per-file cache. */
  const sessionOf = (sessionId: number, noSession: number, texts: readonly string[], fileIndex: number): number => {
    if (sessionId < 0) return noSession;
    let session = sessionOfText[sessionId]!;
    if (session < 0) { session = sessionNumber(fileIndex, texts[sessionId]!); sessionOfText[sessionId] = session; }
    return session;
  };
  /** Observers that may want a row of this batch: none want rows without what they need. */
  const observersFor = (batch: SampleColumns): boolean => {
    if (observers.length === 0) return false;
    const anyOf = (column: Int32Array): boolean => {
      for (let i = 0; i < batch.length; i++) if (column[i]! >= 0 && batch.texts[column[i]!] !== '') return true;
      return false;
    };
    let anyClient: boolean | null = null;
    let anySession: boolean | null = null;
    return observers.some((o) => {
      const w = o.wants;
      if (w?.clientAddress && !(anyClient ??= anyOf(batch.clientAddress))) return false;
      if (w?.session && !(anySession ??= anyOf(batch.session))) return false;
      return true;
    });
  };
  /** Row i of the batch to every observer that wants it (a used row, inside the window). */
  const observeRow = (batch: SampleColumns, i: number, fileIndex: number): void => {
    const { texts } = batch;
    const accountId = batch.account[i]!;
    const sessionId = batch.session[i]!;
    const client = batch.clientAddress[i]!;
    const hasClient = client >= 0 && texts[client] !== '';
    const hasSession = sessionId >= 0 && texts[sessionId] !== '';
    const kindIndex = batch.kind[i]!;
    let filled = false;
    // An indexed loop: an iterator per row is garbage for every row of the run.
    for (let k = 0; k < observers.length; k++) {
      if (observerKinds[k * KINDS.length + kindIndex] === 0) continue;
      const o = observers[k]!;
      const w = o.wants;
      if (w !== undefined && ((w.clientAddress && !hasClient) || (w.session && !hasSession))) continue;
      if (!filled) {
        // One scratch object for every row: observers read it at once and keep nothing of it.
        const server = batch.server[i]!;
        scratch.account = slotOfText[accountId]!.rawName;
        scratch.session = sessionId < 0 ? '' : texts[sessionId]!;
        scratch.timeUs = batch.timeUs[i]!;
        scratch.kind = KINDS[kindIndex]!;
        scratch.valueMs = batch.valueMs[i]!;
        scratch.line = batch.line[i]!;
        scratch.server = server >= 0 && texts[server] !== '' ? texts[server] : undefined;
        scratch.clientAddress = hasClient ? texts[client] : undefined;
        filled = true;
      }
      o.observe(slotOfText[accountId]!.key, scratch, fileIndex);
    }
  };

  /** A batch in input order: each row's distribution, then its rows grouped per distribution. */
  const onRowColumns = (batch: SampleColumns, fileIndex: number, path: string): void => {
    prepare(batch, fileIndex);
    prepareRowPath(batch.length);
    const { texts } = batch;
    const n = batch.length;
    const noSession = sessionNumber(fileIndex, '');
    const observing = observersFor(batch);
    const { account: accountCol, kind: kindCol, timeUs: timeCol, session: sessionCol } = batch;
    for (let i = 0; i < n; i++) {
      const accountId = accountCol[i]!;
      const id = targetOf(accountId, kindCol[i]!, texts);
      if (id < 0) { rowTarget[i] = -1; notUsed(slotOfText[accountId]!, batch.line[i]!, path); continue; }
      const timeUs = timeCol[i]!;
      if (timeUs < sinceUs || timeUs >= untilUs) { rowTarget[i] = -1; outside(timeUs); continue; }
      rowTarget[i] = id;
      if (groupCount[id]++ === 0) touched.push(id);
      rowSession[i] = sessionOf(sessionCol[i]!, noSession, texts, fileIndex);
      if (observing) observeRow(batch, i, fileIndex);
    }
    // Counting sort of the used rows by distribution, in first-seen order of the distributions.
    let next = 0;
    for (const id of touched) { groupStart[id] = next; next += groupCount[id]!; }
    // Scattered into grouped columns (reads in input order, each group then read contiguously).
    const { valueMs, timeUs, line } = batch;
    for (let i = 0; i < n; i++) {
      const id = rowTarget[i]!;
      if (id < 0) continue;
      const at = groupStart[id]++;
      groupedValue[at] = valueMs[i]!;
      groupedTime[at] = timeUs[i]!;
      groupedSession[at] = rowSession[i]!;
      groupedLine[at] = line[i]!;
    }
    let from = 0;
    for (const id of touched) {
      const count = groupCount[id]!;
      distributions[id]!.addRows(groupedValue, groupedTime, groupedSession, groupedLine, fileIndex, from, from + count);
      samplesOfTarget[id] += count;
      samplesUsed += count;
      from += count;
      groupCount[id] = 0;
    }
    touched.length = 0;
    budget.enforce();
  };

  /**
   * A batch the reader grouped by (text id, kind) (group-rows.ts): each group is added to its
   * distribution as it stands, and an excluded account's group is counted whole. A batch where a
   * name normalises to nothing (its rows are rejected one by one, in input order) or where two
   * groups are one distribution (names that normalise alike, whose rows interleave) goes the row
   * path in input order instead. Session numbers may be handed out in another order than the row
   * path's: they only tell sessions apart.
   */
  const onGroupedColumns = (batch: SampleColumns, groups: ColumnGroups, fileIndex: number, path: string): void => {
    prepare(batch, fileIndex);
    const { texts } = batch;
    const { lengths, order } = groups;
    batchStamp++;
    // Sort keys (distribution number + 1, or 0) * scale + group: exact in a double for any batch.
    const groupKeyScale = 2 ** Math.ceil(Math.log2(groups.count + 1));
    let from = 0;
    for (let g = 0; g < groups.count; g++) {
      const accountId = batch.account[from]!;
      const id = targetOf(accountId, batch.kind[from]!, texts);
      if ((id < 0 && slotOfText[accountId]!.key === '') || (id >= 0 && batchOfTarget[id] === batchStamp)) {
        onRowColumns(ungroup(batch, order, ungroupScratch), fileIndex, path);
        return;
      }
      if (id >= 0) batchOfTarget[id] = batchStamp;
      groupTarget[g] = id;
      groupFrom[g] = from;
      // Groups are added in distribution-number order (see below): number, then group, as one key;
      // groups not used (any negative id: -1 resolved now, -2 from the cache) first.
      groupOrder[g] = (id < 0 ? 0 : id + 1) * groupKeyScale + g;
      from += lengths[g]!;
    }
    // In the order the distributions were made, not the batch's: their objects were allocated in
    // that order, so consecutive groups then read neighbouring memory instead of jumping about the
    // ~50 MB of 10,000 accounts' state (the same rows reach each distribution either way).
    const sortedGroups = groupOrder.subarray(0, groups.count).sort();
    if (observersFor(batch)) {
      // Observers see the rows in input order, as on the row path.
      const n = batch.length;
      for (let k = 0; k < n; k++) inputOrder[order[k]!] = k;
      for (let i = 0; i < n; i++) {
        const k = inputOrder[i]!;
        const timeUs = batch.timeUs[k]!;
        // Not an excluded account's row (-1 in the cache: the only unused rows left here).
        if (targetOfTextKind[(batch.account[k]! << 3) | batch.kind[k]!] === -1) continue;
        if (timeUs >= sinceUs && timeUs < untilUs) observeRow(batch, k, fileIndex);
      }
    }
    const noSession = sessionNumber(fileIndex, '');
    const { valueMs, timeUs, line, session: sessionCol } = batch;
    const windowed = sinceUs > -Infinity || untilUs < Infinity;
    for (let k = 0; k < groups.count; k++) {
      const g = sortedGroups[k]! % groupKeyScale;
      const from = groupFrom[g]!;
      const to = from + lengths[g]!;
      const id = groupTarget[g]!;
      if (id < 0) {
        // An excluded account: counted, whatever the window (as on the row path).
        excludedSamples += to - from;
        excludedAccounts.add(slotOfText[batch.account[from]!]!.key);
        continue;
      }
      let kept = from;
      for (let i = from; i < to; i++) {
        if (windowed) {
          const t = timeUs[i]!;
          if (t < sinceUs || t >= untilUs) { outside(t); continue; }
          // Rows of the window move up over those left out (the batch is this thread's until returned).
          valueMs[kept] = valueMs[i]!;
          timeUs[kept] = t;
          line[kept] = line[i]!;
        }
        rowSession[kept] = sessionOf(sessionCol[i]!, noSession, texts, fileIndex);
        kept++;
      }
      if (kept > from) {
        distributions[id]!.addRows(valueMs, timeUs, rowSession, line, fileIndex, from, kept);
        samplesOfTarget[id] += kept - from;
        samplesUsed += kept - from;
      }
    }
    budget.enforce();
  };

  const onColumns = (batch: SampleColumns, fileIndex: number, path: string): void => {
    if (batch.groups === undefined) onRowColumns(batch, fileIndex, path);
    else {
      if (groupTarget.length < batch.groups.count) {
        groupTarget = new Int32Array(batch.length);
        groupFrom = new Int32Array(batch.length);
        groupOrder = new Float64Array(batch.length);
      }
      if (inputOrder.length < batch.length) inputOrder = new Int32Array(batch.length);
      onGroupedColumns(batch, batch.groups, fileIndex, path);
    }
  };

  const ingested = await ingest({ ...req, groupedColumns: true }, onSample, onColumns);
  for (let id = 0; id < distributions.length; id++) {
    accountOfTarget[id]!.samples += samplesOfTarget[id]!;
    // Made for a row that --since/--until then left out: no sample of it is in the window.
    if (samplesOfTarget[id] === 0) accountOfTarget[id]!.dropKind(distributions[id]!.kind);
  }
  for (const [key, account] of accounts) if (account.kindCount() === 0) accounts.delete(key);
  if (samplesUsed === 0 && outsideWindow > 0) {
    // As a run whose every row was rejected: a report of no accounts would pass a --fail-on gate.
    const window = `${req.since?.text ?? '(start)'} .. ${req.until?.text ?? '(end)'}`;
    throw usageError(`no sample inside --since/--until (${window}): all ${outsideWindow.toLocaleString('en-US')} samples read are outside it, `
      + `from ${formatTimeUs(outsideFirstUs)} to ${formatTimeUs(outsideLastUs)}`);
  }
  if (unnamedSamples > 0) {
    ingested.rejectionCounts.set('account_missing', (ingested.rejectionCounts.get('account_missing') ?? 0) + unnamedSamples);
  }
  const sourceOf = sourceResolver(ingested.paths);
  return {
    ingested, accounts, budget, samplesUsed, excludedSamples, excludedAccounts, outsideWindow,
    accountKeys: [...accounts.keys()].sort(compareText), sourceOf,
  };
}

/**
 * What the header says of the accounts collected, for scan and baseline build alike: names from more
 * than one domain read as one account, and accounts that lost most of their rows to rejections
 * (excluded accounts left out: `exclude` is what collect left them out by).
 */
export function accountWarnings(collected: Collected, exclude: ExcludeList | null): string[] {
  const { accounts, accountKeys, ingested } = collected;
  const merged = mergedDomainsWarning(accountKeys, (key) => accounts.get(key)!.aliases);
  const lostRows = lostRowsWarning(ingested.rejectedByAccount, (key) => accounts.get(key)?.samples ?? 0, (key) => exclude?.matches(key) ?? false);
  return [merged, lostRows].filter((w): w is string => w !== null);
}

// Outside `collect`: a closure made there would keep the whole per-row state of the run alive.
function sourceResolver(paths: readonly string[]): (ref: RowRef) => SourceRef {
  return (ref) => {
    const { fileIndex, line } = unpackRef(ref);
    return { file: paths[fileIndex]!, line };
  };
}

/** One account's finished kinds, and those with enough samples to be compared (`summaries`). */
export interface FinishedAccount {
  stats: KindStats[];
  summaries: { account: string; kind: Kind; stats: KindStats; binned: WeightedPoints }[];
}

/**
 * Analyze: finish every distribution; the map is in account-key order. With `release`, each
 * accumulator is dropped once finished, so its values and sketches are freed before scoring and
 * rendering.
 */
export function finishAccounts(collected: Collected, minSamples: number, release = false): Map<string, FinishedAccount> {
  const byAccount = new Map<string, FinishedAccount>();
  if (release) collected.budget.releaseStores();
  // In the order the accounts were made (the accounts map's), which is the order their state lies
  // in memory, not in key order, which jumps about it (each account's figures are its own alone).
  for (const [key, acc] of collected.accounts) {
    const stats: KindStats[] = [];
    const summaries: FinishedAccount['summaries'] = [];
    for (const kind of KINDS) {
      const kindAcc = acc.kind(kind);
      if (!kindAcc) continue;
      const done = kindAcc.finish(collected.sourceOf);
      stats.push(done.stats);
      if (done.stats.n >= minSamples) summaries.push({ account: key, kind, stats: done.stats, binned: done.binned });
    }
    if (release) acc.releaseKinds();
    byAccount.set(key, { stats, summaries });
  }
  const finished = new Map<string, FinishedAccount>();
  for (const key of collected.accountKeys) finished.set(key, byAccount.get(key)!);
  return finished;
}
