// The input rows that set one account's floors (`keylag inspect`): a second pass over the inputs
// that accumulates only that account, with no exact-value limit, so the floor's order statistic and
// the two bounding its interval are exact observations with their file:line even when the scan had
// to sketch; then the text of those lines, read back from the files (gzip read transparently).
import type { Kind, SourceRef } from '../types.js';
import { collect, finishAccounts, type CollectRequest } from '../collect.js';
import type { ExcludeList } from '../ingest/accounts.js';
import { openInput } from '../ingest/open.js';
import { decodeHead, sniffEncoding, toUtf8 } from '../ingest/encoding.js';
import { adapterByName, detectAdapter } from '../ingest/registry.js';
import { FLOOR_QUANTILE } from './distribution.js';
import { quantileRank } from './stats.js';

/** Longest row text kept (characters): a row is evidence to look at, not to reproduce in full. */
export const ROW_TEXT_MAX_CHARS = 400;

export type FloorRowRole = 'lower' | 'floor' | 'upper';

export interface FloorRow {
  /** The interval's lower bound, the floor itself, or the interval's upper bound. */
  role: FloorRowRole;
  /** 1-based rank of the order statistic among the account's values of this kind. */
  rank: number;
  valueMs: number;
  /** The earliest input row holding that value. */
  source: SourceRef;
  /** The row's text (first physical line of the record), or null when it cannot be shown. */
  text: string | null;
  /** Why the text is missing or shortened, when it is. */
  textNote: string | null;
}

export interface KindFloorRows {
  kind: Kind;
  n: number;
  /** Confidence actually achieved by the interval, and whether it is two-sided. */
  confidence: number;
  sided: 'two-sided' | 'upper-only';
  rows: FloorRow[];
}

export interface FloorRowsLookup {
  status: 'found' | 'unavailable';
  /** Why the rows are unavailable (stdin), else null. */
  reason: string | null;
  kinds: KindFloorRows[];
}

/** Every account but `key` is left out, on top of the user's own --exclude. */
function onlyAccount(key: string, userExclude: ExcludeList | null): ExcludeList {
  return {
    patterns: userExclude?.patterns ?? [],
    matches: (k) => k !== key || (userExclude?.matches(k) ?? false),
  };
}

/**
 * Second pass: the exact order statistics of the floor and its interval for one account, per kind.
 * Standard input cannot be read twice: then the lookup is `unavailable`, which is not an error.
 */
export async function findFloorRows(
  req: CollectRequest,
  accountKey: string,
  /** The inputs as the scan hashed them: a file that changed in between gives no rows. */
  scanned: readonly { path: string; sha256: string | null }[] = [],
): Promise<FloorRowsLookup> {
  if (req.inputs.includes('-')) {
    return { status: 'unavailable', reason: 'standard input (-) was read once by the scan and cannot be read again: the rows that set the floor cannot be looked up', kinds: [] };
  }
  const collected = await collect({
    ...req,
    exclude: onlyAccount(accountKey, req.exclude),
    memoryBudgetValues: Number.POSITIVE_INFINITY,
    exactPerAccount: undefined,
    // Read in this thread, never a reader thread: this thread has one account to add, so a second
    // one saves little, and its heap and buffers (10M rows: ~35 MB) came on top of the scan's heap,
    // not yet given back to the system: inspect peaked 22-30 MB above scan (10M rows).
    parallelMinBytes: Number.POSITIVE_INFINITY,
    // Rejections were counted (and written to --rejects) by the scan; the second pass is silent.
    onRejection: undefined,
  });
  const before = new Map(scanned.map((f) => [f.path, f.sha256]));
  for (const f of collected.ingested.inputs) {
    const was = before.get(f.path);
    if (was != null && f.sha256 !== null && was !== f.sha256) {
      return { status: 'unavailable', reason: `${f.path} changed since the scan read it (SHA-256 ${was.slice(0, 16)}... then, ${f.sha256.slice(0, 16)}... now): its rows would not match the report`, kinds: [] };
    }
  }
  const finished = finishAccounts(collected, 2).get(accountKey);
  const kinds: KindFloorRows[] = [];
  for (const k of finished?.stats ?? []) {
    const rows: FloorRow[] = [];
    const add = (role: FloorRowRole, rank: number | null, valueMs: number | null, source: SourceRef | undefined) => {
      if (rank === null || valueMs === null || source === undefined) return;
      rows.push({ role, rank, valueMs, source, text: null, textNote: null });
    };
    const i = k.floorInterval;
    add('lower', i.lowerRank, i.lowerMs, i.lowerSource);
    add('floor', quantileRank(k.n, FLOOR_QUANTILE), k.floor.valueMs, k.floor.source);
    add('upper', i.upperRank, i.upperMs, i.upperSource);
    kinds.push({ kind: k.kind, n: k.n, confidence: i.confidence, sided: i.sided, rows });
  }
  await fillRowTexts(kinds.flatMap((k) => k.rows), req);
  return { status: 'found', reason: null, kinds };
}

/** Read the text of each row's line; binary inputs (captures) have packets, not lines. */
export async function fillRowTexts(rows: FloorRow[], req: Pick<CollectRequest, 'stdin' | 'openLimits' | 'inputFormat'>): Promise<void> {
  const byFile = new Map<string, FloorRow[]>();
  for (const r of rows) byFile.set(r.source.file, [...(byFile.get(r.source.file) ?? []), r]);
  for (const [file, fileRows] of [...byFile.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    if (file === '-') {
      for (const r of fileRows) r.textNote = 'standard input: the row cannot be read again';
      continue;
    }
    const opened = await openInput(file, req.stdin, req.openLimits);
    const encoding = sniffEncoding(opened.head);
    const adapter = req.inputFormat !== null ? adapterByName(req.inputFormat) : detectAdapter(decodeHead(opened.head, encoding), opened.head);
    if (adapter?.binary) {
      opened.close();
      for (const r of fileRows) r.textNote = `binary capture: line ${r.source.line} is packet number ${r.source.line}`;
      continue;
    }
    const wanted = new Set(fileRows.map((r) => r.source.line));
    const texts = await readLines(encoding === 'utf-8' ? opened.chunks : toUtf8(opened.chunks, encoding), wanted);
    opened.close();
    for (const r of fileRows) {
      const t = texts.get(r.source.line);
      if (t === undefined) { r.textNote = 'line not found in the file (it changed since the scan?)'; continue; }
      const clean = t.replace(/\r$/, '').replace(/^\uFEFF/, '');
      if (clean.length > ROW_TEXT_MAX_CHARS) {
        r.text = clean.slice(0, ROW_TEXT_MAX_CHARS);
        r.textNote = `shortened to ${ROW_TEXT_MAX_CHARS} of ${clean.length} characters`;
      } else r.text = clean;
    }
  }
}

/** The text of the wanted 1-based lines (LF-separated), streaming; stops after the last one. */
async function readLines(chunks: AsyncIterable<Buffer>, wanted: Set<number>): Promise<Map<number, string>> {
  const found = new Map<number, string>();
  if (wanted.size === 0) return found;
  const last = Math.max(...wanted);
  let line = 1;
  let partial: Buffer[] = [];
  let partialBytes = 0;
  // A wanted line is kept up to a bound (4x the shown length, in bytes) so a huge line cannot exhaust memory.
  const keepBytes = ROW_TEXT_MAX_CHARS * 4 + 8;
  for await (const chunk of chunks) {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl < 0 ? chunk.length : nl;
      if (wanted.has(line) && partialBytes < keepBytes) {
        const piece = chunk.subarray(start, Math.min(end, start + keepBytes - partialBytes));
        partial.push(piece);
        partialBytes += piece.length;
      }
      if (nl < 0) break;
      if (wanted.has(line)) found.set(line, Buffer.concat(partial).toString('utf8'));
      partial = [];
      partialBytes = 0;
      line++;
      start = nl + 1;
      if (line > last) return found;
    }
  }
  if (wanted.has(line) && partialBytes > 0) found.set(line, Buffer.concat(partial).toString('utf8'));
  return found;
}
