// Helpers shared by the vendor-export and recording adapters (issue 9): CSV records with their
// physical line numbers, text lines, header-cell matching, locale-style dates with a day/month
// order decided from the data, and a whole-document reader for JSON exports.
import { parse } from 'csv-parse';
import type { AdapterContext } from '../adapter.js';
import { inputError } from '../../errors.js';
import { csvInputError } from '../csv-errors.js';
import { daysInMonth, twoDigitYear } from '../time.js';
import { peekChunks } from '../open.js';
import {
  firstJsonRecord, jsonLineRecords, jsonRecords, jsonTableRows, JsonShapeError, looksLikeJsonDocument, TableRows, type JsonRecordText,
} from './json-records.js';

/** Header cell as compared: BOM and quotes gone, trimmed, lower case, a trailing ` [UTC]` dropped. */
export function headerKey(cell: string): string {
  return headerText(cell).toLowerCase().replace(ZONE_LABEL_RE, '');
}

/** A header cell's text: BOM and surrounding quotes gone, trimmed. */
function headerText(cell: string): string {
  return cell.replace(/^\uFEFF/, '').trim().replace(/^"|"$/g, '').trim();
}

/** A column's time zone label as Log Analytics' portal writes it: `[UTC]`, `[Local Time]`, `[UTC+02:00]`. */
const ZONE_LABEL_RE = /\s*\[(?:utc|gmt|local time|local)(?:\s*[+-]\s*\d{1,2}(?::?\d{2})?)?\]$/i;

/** The zone label of a header cell (`Local Time` of `TimeGenerated [Local Time]`), or null. */
export function zoneLabelOf(cell: string): string | null {
  const m = ZONE_LABEL_RE.exec(headerText(cell));
  return m === null ? null : m[0].trim().slice(1, -1);
}

/** First non-empty line of a head, BOM removed. */
export function firstLine(head: string): string {
  const text = head.replace(/^\uFEFF/, '');
  for (const line of text.split(/\r?\n/)) if (line.trim() !== '') return line;
  return '';
}

/** The delimiter of a header line: the most frequent of `candidates` outside quotes (`,` when none is). */
export function sniffDelimiter(headerLine: string, candidates: readonly string[] = [',', '\t', ';', '|']): string {
  let best = ',';
  let bestCount = 0;
  for (const c of candidates) {
    let count = 0;
    let quoted = false;
    for (const ch of headerLine) {
      if (ch === '"') quoted = !quoted;
      else if (ch === c && !quoted) count++;
    }
    if (count > bestCount) { best = c; bestCount = count; }
  }
  return best;
}

/** Split one CSV line (no embedded newlines) into cells; enough for detecting headers. */
export function splitCsvLine(line: string, delimiter = ','): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '"') {
      if (quoted && line[i + 1] === '"') { cur += '"'; i++; } else quoted = !quoted;
    } else if (c === delimiter && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** Header line of a CSV export, skipping PowerShell's `#TYPE ...` line (Export-Csv without -NoTypeInformation). */
export function csvHeaderOf(head: string): string[] {
  const header = csvHeaderLine(head);
  return splitCsvLine(header, sniffDelimiter(header)).map(headerKey);
}

/** The header line of a CSV head: its first non-empty line, or the one after PowerShell's `#TYPE` line. */
function csvHeaderLine(head: string): string {
  const lines = head.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim() !== '');
  const first = lines[0] ?? '';
  return /^#TYPE\s/i.test(first) ? (lines[1] ?? '') : first;
}

export interface CsvRecord { fields: string[]; line: number }

/**
 * CSV records with the physical line each starts on. Blank lines are skipped; a malformed quote
 * stops the file with file:line; records longer than the read limit are an error.
 */
export async function* csvRecords(chunks: AsyncIterable<Buffer>, ctx: AdapterContext, delimiter = ','): AsyncGenerator<CsvRecord> {
  const parser = parse({
    delimiter,
    bom: true,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    max_record_size: ctx.limits.maxRecordBytes,
  });
  const feed = (async () => {
    for await (const chunk of chunks) {
      if (!parser.write(chunk)) await new Promise<void>((resolve) => parser.once('drain', resolve));
    }
    parser.end();
  })();
  feed.catch((err) => parser.destroy(err as Error));
  let drift = 0;
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      let newlines = 0;
      let crlf = 0;
      for (const f of item.record) {
        if (f.indexOf('\n') < 0 && f.indexOf('\r') < 0) continue;
        for (let i = 0; i < f.length; i++) {
          const c = f.charCodeAt(i);
          if (c === 10) newlines++;
          else if (c === 13) { newlines++; if (f.charCodeAt(i + 1) === 10) { crlf++; i++; } }
        }
      }
      const endLine = item.info.lines - drift - crlf;
      drift += crlf;
      yield { fields: item.record, line: endLine - newlines };
    }
  } catch (err) {
    throw csvInputError(err, ctx.file, null, ctx.limits.maxRecordBytes);
  }
  await feed;
}

/**
 * The header of a tabular export's head: its CSV header line (csvHeaderOf), or the keys of its
 * first JSON record (JSON Lines, or a JSON document of records as `az monitor log-analytics query`
 * and "export to JSON" write them), each as headerKey gives it.
 */
export function tabularHeaderOf(head: string): string[] {
  const record = firstJsonRecord(head);
  return record !== null ? Object.keys(record).map(headerKey) : csvHeaderOf(head);
}

/** A cell's text for a rejection's detail: at most `max` characters, and how long it was. */
export function truncate(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max)}...(${text.length} chars)` : text;
}

/** Objects nested deeper than this stay one field, as JSON text. */
const FLAT_MAX_DEPTH = 8;

/**
 * A record's nested objects as dotted fields (`{"user": {"name": "jdoe"}}` -> `user.name`), as
 * Elastic (ECS), Filebeat and Datadog write their logs; arrays stay one field, as JSON text. Before,
 * `user` was one field holding `{"name":"jdoe"}`, taken as the account's name. A flat record is
 * returned as it is.
 */
export function flatRecord(record: Record<string, unknown>): Record<string, unknown> {
  let nested = false;
  for (const key in record) {
    const value = record[key];
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) { nested = true; break; }
  }
  if (!nested) return record;
  const flat: Record<string, unknown> = {};
  const walk = (object: Record<string, unknown>, prefix: string, depth: number): void => {
    for (const [key, value] of Object.entries(object)) {
      if (value !== null && typeof value === 'object' && !Array.isArray(value) && depth < FLAT_MAX_DEPTH) {
        // A wrapped record's fields keep their own names, and win over the wrapper's of the same name.
        const unwrap = RECORD_WRAPPERS.has(key);
        walk(value as Record<string, unknown>, unwrap ? '' : `${prefix}${key}.`, depth + 1);
      } else if (depth > 0 || !(key in flat)) flat[`${prefix}${key}`] = value;
    }
  };
  walk(record, '', 0);
  return flat;
}

/**
 * Keys whose object is the record itself, wrapped: Splunk's JSON export and `splunk search -output
 * json` write `{"preview": false, "offset": 0, "result": {...}}` per line; Elasticsearch hits (and
 * elasticdump's lines) `{"_index": ..., "_id": ..., "_source": {...}}`; Datadog's logs API
 * `{"id": ..., "attributes": {"timestamp": ..., "attributes": {"usr": {"name": ...}}}}` (its own
 * attributes, then the log's).
 */
const RECORD_WRAPPERS = new Set(['result', '_source', 'attributes']);

/**
 * JSON records as rows: the first object's keys (flatRecord's) are the header, each record's values
 * its fields in that order (null and absent '', arrays and deeper objects as JSON, the rest as text).
 * A record that is not JSON (`jsonl_invalid`) or not an object (`jsonl_not_object`) is a counted
 * rejection.
 */
export class JsonRows {
  /** The header: the first object's keys (null until one is read). */
  keys: string[] | null = null;
  /** Records rejected. */
  rejected = 0;
  constructor(private readonly ctx: AdapterContext) {}

  /** The fields of the record `text` on `line`, the header set by the first; null when rejected. */
  fieldsOf(text: string, line: number): string[] | null {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      this.rejected++;
      this.ctx.reject(line, 'jsonl_invalid', truncate(text));
      return null;
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      this.rejected++;
      this.ctx.reject(line, 'jsonl_not_object', truncate(text));
      return null;
    }
    const record = flatRecord(parsed as Record<string, unknown>);
    this.keys ??= Object.keys(record);
    return this.keys.map((k) => {
      const v = record[k];
      return v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    });
  }
}

/**
 * The records of a JSON input whose head is `head`: a document of records (jsonRecords), of tables
 * (jsonTableRows: `tables` then says what was not read) or JSON Lines.
 */
export function jsonRecordsOf(head: string, chunks: AsyncIterable<Buffer>, maxRecordBytes: number): {
  document: boolean; tables: TableRows | null; records: AsyncGenerator<JsonRecordText, number | void>;
} {
  const shape = looksLikeJsonDocument(head);
  const tables = shape === 'tables' || shape === 'schema' ? new TableRows() : null;
  const records = tables !== null ? jsonTableRows(chunks, maxRecordBytes, tables, shape === 'schema' ? 'schema' : 'tables')
    : shape !== null ? jsonRecords(chunks, maxRecordBytes) : jsonLineRecords(chunks, maxRecordBytes);
  return { document: shape !== null, tables, records };
}

/** What a document of tables held that was not read, as a note (null: nothing). */
export function laterTablesNote(tables: TableRows | null): string | null {
  if (tables === null || tables.later.tables === 0) return null;
  const { tables: count, rows } = tables.later;
  return `JSON tables: the first table's rows were read; ${count} table${count === 1 ? '' : 's'} after it (${rows} row${rows === 1 ? '' : 's'}) not read (a query's result is its first table)`;
}

/**
 * The records of a tabular export as CSV records: CSV (csvRecords), or JSON (JSON Lines, a
 * document of records, or a query API's document of tables) read as the generic adapter reads it
 * (JsonRows): the first record's keys come first as the header line, then each record's values. A JSON record's line is the one it
 * starts on; one over the size limit is a `line_too_long` rejection.
 */
export async function* tabularRecords(chunks: AsyncIterable<Buffer>, ctx: AdapterContext): AsyncGenerator<CsvRecord> {
  const { head, replay } = await peekHead(chunks, false);
  const text = head.replace(/^\uFEFF/, '').trimStart();
  if (!text.startsWith('{') && !text.startsWith('[')) {
    // `;` as Excel and `Export-Csv -UseCulture` write CSV where the decimal mark is a comma.
    const delimiter = sniffDelimiter(csvHeaderLine(text));
    if (delimiter !== ',') ctx.note(`delimiter '${delimiter === '\t' ? 'tab' : delimiter}'`);
    yield* csvRecords(replay, ctx, delimiter);
    return;
  }
  const rows = new JsonRows(ctx);
  const { records, tables } = jsonRecordsOf(text, replay, ctx.limits.maxRecordBytes);
  try {
    for await (const { text: recordText, line } of records) {
      if (recordText === null) { ctx.reject(line, 'line_too_long', `a record over ${ctx.limits.maxRecordBytes} bytes (--max-record-bytes)`); continue; }
      const header = rows.keys;
      const fields = rows.fieldsOf(recordText, line);
      if (fields === null) continue;
      if (header === null) yield { fields: rows.keys!, line };
      yield { fields, line };
    }
    const note = laterTablesNote(tables);
    if (note !== null) ctx.note(note);
  } catch (err) {
    if (err instanceof JsonShapeError) throw inputError(`JSON document: ${err.message}`, ctx.file, err.line);
    throw err;
  }
}

/** Text lines (LF or CRLF) with 1-based numbers; a line over the read limit is an error. */
export async function* textLines(chunks: AsyncIterable<Buffer>, ctx: AdapterContext): AsyncGenerator<{ text: string; line: number }> {
  const decoder = new TextDecoder('utf-8');
  let pending = '';
  let line = 0;
  for await (const chunk of chunks) {
    pending += decoder.decode(chunk, { stream: true });
    let start = 0;
    for (;;) {
      const nl = pending.indexOf('\n', start);
      if (nl < 0) break;
      let text = pending.slice(start, nl);
      if (text.endsWith('\r')) text = text.slice(0, -1);
      line++;
      yield { text: line === 1 ? text.replace(/^\uFEFF/, '') : text, line };
      start = nl + 1;
    }
    pending = pending.slice(start);
    if (pending.length > ctx.limits.maxRecordBytes) {
      throw inputError(`a line is longer than the limit of ${ctx.limits.maxRecordBytes} bytes (--max-record-bytes)`, ctx.file, line + 1);
    }
  }
  pending += decoder.decode();
  if (pending.length > 0) {
    line++;
    const text = pending.endsWith('\r') ? pending.slice(0, -1) : pending;
    yield { text: line === 1 ? text.replace(/^\uFEFF/, '') : text, line };
  }
}

/** The whole input as text (JSON documents), bounded by the read limit. */
export async function wholeText(chunks: AsyncIterable<Buffer>, ctx: AdapterContext, limitBytes = Math.max(ctx.limits.maxRecordBytes, 256 * 1024 * 1024)): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    size += chunk.length;
    if (size > limitBytes) throw inputError(`document larger than ${limitBytes} bytes: split the export into pages`, ctx.file);
    parts.push(chunk);
  }
  return Buffer.concat(parts).toString('utf8').replace(/^\uFEFF/, '');
}

// ---------------------------------------------------------------------------------------------
// Locale-style dates: `2/25/2025, 9:19:25.391 AM` (Azure portal, en-US), `25/02/2025 09:19:25`,
// PDH's `02/25/2025 09:19:25.391`. Which of the first two numbers is the day is decided from the
// data (a number above 12 can only be a day), or given with --date-order.

export type DateOrder = 'mdy' | 'dmy';

export interface SlashDate {
  first: number;
  second: number;
  year: number;
  hour: number;
  minute: number;
  second_: number;
  fracUs: number;
}

const SLASH_RE = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4}|\d{2}),?\s+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*([AaPp]\.?[Mm]\.?)?\s*$/;

/**
 * A locale date's fields, the day/month order still open; null when it is not one. A two-digit year
 * (`02/03/26`) only with `shortYears`, and only one whose century the common rules agree on
 * (twoDigitYear): the generic adapter's locale dates, read in the order --date-order gives.
 */
export function parseSlashDate(text: string, shortYears = false): SlashDate | null {
  const m = SLASH_RE.exec(text);
  if (m === null) return null;
  const year = m[3]!.length === 4 ? Number(m[3]) : shortYears ? twoDigitYear(Number(m[3])) : null;
  if (year === null) return null;
  let hour = Number(m[4]);
  const ampm = m[8]?.replace(/\./g, '').toUpperCase();
  if (ampm !== undefined) {
    if (hour < 1 || hour > 12) return null;
    if (ampm === 'AM' && hour === 12) hour = 0;
    if (ampm === 'PM' && hour !== 12) hour += 12;
  }
  const minute = Number(m[5]);
  const sec = m[6] === undefined ? 0 : Number(m[6]);
  if (hour > 23 || minute > 59 || sec > 59) return null;
  const fracUs = m[7] === undefined ? 0 : Math.floor(Number(('0.' + m[7]).slice(0, 8)) * 1e6 + 1e-7);
  return { first: Number(m[1]), second: Number(m[2]), year, hour, minute, second_: sec, fracUs };
}

/** Epoch µs of a slash date read in `order`, minus `offsetMinutes` (local = UTC + offset); null if no such date. */
export function slashDateToUs(d: SlashDate, order: DateOrder, offsetMinutes = 0): number | null {
  const month = order === 'mdy' ? d.first : d.second;
  const day = order === 'mdy' ? d.second : d.first;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(d.year, month)) return null;
  const ms = Date.UTC(d.year, month - 1, day, d.hour, d.minute, d.second_) - offsetMinutes * 60000;
  return ms * 1000 + d.fracUs;
}

/** What a date says about the order: a first number above 12 proves day-first, a second above 12 month-first. */
export function orderEvidence(d: SlashDate): DateOrder | null {
  if (d.first > 12 && d.second <= 12) return 'dmy';
  if (d.second > 12 && d.first <= 12) return 'mdy';
  return null;
}

export function parseDateOrderOption(value: string | undefined, file: string): DateOrder | null {
  if (value === undefined || value === '') return null;
  const v = value.trim().toLowerCase();
  if (v === 'mdy' || v === 'm/d/y' || v === 'month-first') return 'mdy';
  if (v === 'dmy' || v === 'd/m/y' || v === 'day-first') return 'dmy';
  throw inputError(`--date-order must be mdy or dmy, got '${value}'`, file);
}

/** Base name without directories and extensions: `exports/alice.cast.gz` -> `alice`. */
export function stemOf(path: string): string {
  const base = path.replace(/\\/g, '/').split('/').pop() ?? path;
  const dot = base.indexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/**
 * The input's first line (or, with `untilNewline` false, its first 64 KiB: lines before a header
 * need the lines after them), decoded as UTF-8, read ahead, and the whole input again
 * as chunks: an adapter decides its dialect from the head without consuming it. The head's chunks
 * are copied (a reader may lend its buffers: open.ts `lendChunks`).
 */
export async function peekHead(chunks: AsyncIterable<Buffer>, untilNewline = true): Promise<{ head: string; replay: AsyncGenerator<Buffer> }> {
  const { head, replay } = await peekChunks(chunks, 65536, { untilNewline, copy: true });
  return { head: head.subarray(0, 65536).toString('utf8'), replay };
}
