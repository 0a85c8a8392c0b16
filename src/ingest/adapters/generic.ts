// Generic timing files: CSV, TSV (or ';'/'|' separated) and JSON Lines with an account, a time and
// one or more latency columns (DESIGN section 4). Header names map to roles and kinds via columns.ts.
import { parse as parseSync } from 'csv-parse/sync';
import {
  csvRecords, firstLine, JsonRows, jsonRecordsOf, laterTablesNote, parseDateOrderOption, parseSlashDate, peekHead, slashDateToUs, sniffDelimiter, truncate,
  type DateOrder,
} from './export-util.js';
import { ByteLane, localeDateFormat } from './generic-bytes.js';
import { JsonShapeError, looksLikeJsonDocument, type JsonRecordText } from './json-records.js';
import { copiedChunks } from '../open.js';
import { csvInputError, recordTooLong } from '../csv-errors.js';
import { emitBatch, KIND_INDEX, type AdapterContext, type AdapterResult, type InputAdapter, type RawSample } from '../adapter.js';
import { accountInTags, headerForms, resolveColumns, kindOfCell, unitWarnings, ValueRange, UNIT_TO_MS, type ColumnPlan } from '../columns.js';
import { parseTimestamp, twoDigitYearDoubt, excelNumberDoubt, MIN_TIME_US, MAX_TIME_US } from '../time.js';
import { inputError } from '../../errors.js';
import { wallClockOf, WALL_NONEXISTENT, type WallClock } from '../zone.js';
import { noEntryPattern } from '../../placeholders.js';
import type { Kind } from '../../types.js';

/** Values above one hour are not latencies. */
export const ABSURD_MS = 3_600_000;

const DECIMAL_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const NOT_FINITE_RE = /^[+-]?(?:nan|inf|infinity)$/i;
/** A time of day without a date: `14:03:11`, `14:03:11.412`, `2:03:11 PM`, `14:03:11Z`. */
const TIME_OF_DAY_RE = /^\s*\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?\s*(?:[AaPp]\.?[Mm]\.?)?\s*(?:Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?\s*$/;
/** A number written with a decimal comma and nothing else: `59,6`, `0,25`, `-1,5`. */
const DECIMAL_COMMA_RE = /^\s*[+-]?\d*,\d+\s*$/;
/**
 * A decimal comma no thousands grouping can be: not followed by exactly three digits (`59,6`,
 * `47,25`, `0,0412`), or after a lone 0 (`0,045`: no grouped number starts with `0,`). Read without
 * --decimal-comma; `1,045` stays in doubt (a thousand and more, or 1.045) and is rejected as before.
 */
const PLAIN_DECIMAL_COMMA_RE = /^\s*[+-]?(?:\d*,(?:\d{1,2}|\d{4,})|0,\d+)\s*$/;
/** One comma before exactly three digits (`1,183`): a thousand separator or a decimal comma, the cell cannot say. */
const ONE_GROUP_RE = /^\s*[+-]?\d{1,3},\d{3}\s*$/;
/**
 * Thousands grouped with dots, as comma-decimal locales write them (Excel's `#.##0` in German:
 * `2.860`, `1.234.567`, `1.234,5`): never a decimal point in a file of decimal commas.
 */
const DOT_GROUPED_RE = /^\s*[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?\s*$/;

/** Commas grouping thousands, unmistakably (see parseLatency). */
const GROUPED_RE = /^[+-]?\d{1,3}(?:,\d{3})+\.\d+$|^[+-]?\d{1,3}(?:,\d{3}){2,}(?:\.\d+)?$/;

/** What exports write for no value (`N/A`, Excel's `#N/A`, `null`, `-`): missing, not malformed. */
const NO_VALUE_RE = noEntryPattern('na');

export type ValueCheck = { ok: true; valueMs: number } | { ok: false; reason: string };

/** A number with its unit written after it (`23.4 ms`, `0.12s`, `850 µs`): the cell's unit wins over the column's. */
const WITH_UNIT_RE = /^([+-]?(?:\d+\.?\d*|\.\d+))\s*(ms|msec|s|sec|us|µs|μs|usec|ns|nsec)$/i;
const CELL_UNIT_TO_MS: Record<string, number> = { ms: 1, msec: 1, s: 1000, sec: 1000, us: 0.001, 'µs': 0.001, 'μs': 0.001, usec: 0.001, ns: 0.000001, nsec: 0.000001 };

/** Parse one latency cell; decimal notation only (no hex, no `Infinity`), optionally with its unit. */
export function parseLatency(text: string, toMs: number): ValueCheck {
  let s = text.trim();
  if (s === '' || NO_VALUE_RE.test(s)) return { ok: false, reason: 'value_missing' };
  if (NOT_FINITE_RE.test(s)) return { ok: false, reason: 'value_not_finite' };
  // Thousands grouped with commas where no decimal comma can be meant: a decimal point after the
  // groups, or two groups or more (`1,234.5`, `12,345,678`), as spreadsheets write formatted numbers.
  if (GROUPED_RE.test(s)) s = s.replace(/,/g, '');
  if (!DECIMAL_RE.test(s)) {
    const withUnit = WITH_UNIT_RE.exec(s);
    if (withUnit === null) return { ok: false, reason: 'value_not_numeric' };
    s = withUnit[1]!;
    toMs = CELL_UNIT_TO_MS[withUnit[2]!.toLowerCase()]!;
  }
  const v = Number(s) * toMs;
  if (!Number.isFinite(v)) return { ok: false, reason: 'value_not_finite' };
  if (v < 0) return { ok: false, reason: 'value_negative' };
  if (v > ABSURD_MS) return { ok: false, reason: 'value_absurd' };
  return { ok: true, valueMs: v === 0 ? 0 : v };
}


/**
 * Why a plain number over one hour in a column that names no unit (read as ms) may be no latency in
 * ms: what it is in µs and in ns (ECS's `event.duration` and Datadog's `@duration` are nanoseconds:
 * 22325000 is 22.3 ms), for the rejection's detail; '' for a cell that is no plain number.
 */
function absurdUnitHint(cell: string): string {
  const text = GROUPED_RE.test(cell.trim()) ? cell.trim().replace(/,/g, '') : cell.trim();
  const v = Number(text);
  if (!DECIMAL_RE.test(text) || !Number.isFinite(v)) return '';
  const ms = (x: number) => Number(x.toPrecision(6)).toLocaleString('en-US', { maximumFractionDigits: 3 });
  return ` (over one hour if ms, but the column names no unit: as µs it is ${ms(v / 1e3)} ms, as ns ${ms(v / 1e6)} ms; give --unit us or --unit ns if it is either)`;
}

/** Distinct cell texts remembered per CellMemo; past them each is read again. */
const CELLS_REMEMBERED = 256;

/** What a cell's text says (its kind, the account in its tags), worked out once per text: a file names a few, row after row. */
class CellMemo<T> {
  private readonly known = new Map<string, T>();
  constructor(private readonly readCell: (text: string) => T) {}
  of(text: string): T {
    let answer = this.known.get(text);
    if (answer === undefined) {
      answer = this.readCell(text);
      if (this.known.size < CELLS_REMEMBERED) this.known.set(text, answer);
    }
    return answer;
  }
}

/** Shared per-record logic for every tabular dialect. */
class RecordProcessor {
  readonly timeFormats = new Set<string>();
  records = 0;
  /** The fast path's byte lane, once it exists: samples go into its batches (see `ByteLane.pushSample`). */
  lane: ByteLane | null = null;
  /** Day/month order of locale dates (`03/02/2026 14:03:11`), when given with --date-order. */
  readonly dateOrder: DateOrder | null;
  private notedDateOrder = false;
  private notedDecimalComma = false;
  private notedDatePair = false;
  /** Blank cells of one-column-per-account files (a series without a sample at that time), for the note. */
  private blankSeriesCells = 0;
  /** kindOfCell per kind cell text. */
  private readonly kindsOfCells = new CellMemo(kindOfCell);
  /** The account in an InfluxDB 1.x tags cell (ColumnPlan.accountTag), '' for none, per text (a series' rows share it). */
  private readonly tagAccounts: CellMemo<string>;
  /** --decimal-comma: `59,6` is 59.6, and a '.' grouping thousands (`2.860`) is no decimal point. */
  readonly decimalComma: boolean;
  /** Whether the note on decimal commas read without --decimal-comma (PLAIN_DECIMAL_COMMA_RE) was made. */
  private notedPlainDecimalComma = false;
  /** Values read per value column, on this path and by its byte lane (given this range), for `unitWarnings`. */
  readonly range: ValueRange;
  /** --assume-tz: the zone of times without an offset, with its counts (this path's and its byte lane's). */
  readonly wallClock: WallClock | null;
  /**
   * @param header the delimited file's header cells (null for JSON Lines), to know it if it comes again
   */
  constructor(readonly plan: ColumnPlan, readonly width: number | null, private readonly ctx: AdapterContext,
    private readonly header: readonly string[] | null = null) {
    this.dateOrder = parseDateOrderOption(ctx.options.dateOrder, ctx.file);
    this.decimalComma = ctx.columns.decimalComma === true;
    this.range = new ValueRange(plan.values.length);
    this.wallClock = wallClockOf(ctx.options);
    this.tagAccounts = new CellMemo((cell) => accountInTags(cell, plan.accountTag?.key ?? null) ?? '');
  }

  /** The input is read: what is left to say in its notes. */
  finish(): void {
    if (this.blankSeriesCells > 0) this.ctx.note(`${this.blankSeriesCells.toLocaleString('en-US')} blank cell(s) skipped: no sample of that account's series at that time`);
  }

  /** What the header should warn of: values that do not fit their assumed unit (both lanes counted). */
  warnings(): string[] {
    return unitWarnings(this.plan, this.range);
  }

  /** The adapter's result: records, time formats, warnings and, with --assume-tz, what the zone was applied to. */
  result(dialect: string, records: number): AdapterResult {
    const wc = this.wallClock;
    return {
      records, dialect, timeFormats: [...this.timeFormats], warnings: this.warnings(),
      ...(wc === null ? {} : { assumedZone: wc.counts() }),
    };
  }

  /**
   * A time cell: ISO 8601, epoch and the other forms parseTimestamp reads (dotted dates among them,
   * always day first), else a locale date in the --date-order given (a two-digit year too).
   * A two-digit year whose century is in doubt, or a number as Excel saves it (scientific notation, a
   * date serial: excelNumberDoubt), is rejected with the reason.
   * Without it a locale date is its own rejection, never read in a guessed order: 03/02 is March
   * in one and February in the other, and days move the daily floors and the history.
   */
  private timeOf(timeText: string, line: number, fields: readonly string[], rowAccount: string): { timeUs: number; format: string; wall?: number } | null {
    const parsed = this.readTime(timeText, line, fields, rowAccount);
    const wc = this.wallClock;
    if (parsed === null || wc === null || !parsed.format.endsWith('-no-offset')) return parsed;
    // --assume-tz: a wall-clock time of its zone.
    const wall = wc.toUtc(parsed.timeUs);
    if (wall === WALL_NONEXISTENT) {
      wc.nonexistent++;
      this.ctx.reject(line, 'time_in_dst_gap', `${truncate(timeText)} (no such time in ${wc.zone.name}: the clocks went forward past it; --assume-tz)`, rowAccount || undefined);
      return null;
    }
    return { timeUs: wc.out[0]!, format: parsed.format, wall };
  }

  /** `timeOf` before any zone is applied (times without an offset as UTC). */
  private readTime(timeText: string, line: number, fields: readonly string[], rowAccount: string): { timeUs: number; format: string } | null {
    const account = rowAccount || undefined;
    const parsed = parseTimestamp(timeText);
    if (parsed !== null) return parsed;
    const slash = parseSlashDate(timeText, true);
    if (slash === null) {
      if (this.headerAgain(fields, line)) return null;
      const doubt = twoDigitYearDoubt(timeText) ?? excelNumberDoubt(timeText);
      this.ctx.reject(line, 'time_unparseable', doubt === null ? truncate(timeText) : `${truncate(timeText)} (${doubt})`, account);
      return null;
    }
    if (this.dateOrder === null) {
      if (!this.notedDateOrder) { this.notedDateOrder = true; this.ctx.note(`locale dates (line ${line}: ${truncate(timeText)}) are rejected until --date-order mdy or dmy says which number is the day`); }
      this.ctx.reject(line, 'time_date_order_unknown', `${truncate(timeText)} (a locale date: give --date-order mdy or dmy)`, account);
      return null;
    }
    const timeUs = slashDateToUs(slash, this.dateOrder);
    if (timeUs === null) { this.ctx.reject(line, 'time_unparseable', `${truncate(timeText)} (no such date in ${this.dateOrder} order)`, account); return null; }
    return { timeUs, format: localeDateFormat(this.dateOrder) };
  }

  /**
   * A row whose time is no time and that names the time column as the header does: a header line.
   * The same columns again (but for case, spaces or quotes) is `header_repeated`; other columns, or
   * the same in another order (`cat` of two exports, Grafana frames one after another), stop the
   * file: the rows after it would be read under the first header's columns, another account's
   * series or another kind's values under the wrong name.
   */
  private headerAgain(fields: readonly string[], line: number): boolean {
    if (this.header === null) return false;
    const names = (cells: readonly string[]) => cells.map((cell) => headerForms(cell)[0]!);
    const header = names(this.header);
    const row = names(fields);
    if (!row.includes(header[this.plan.time]!)) return false;
    if (row.length === header.length && row.every((name, i) => name === header[i])) {
      this.ctx.reject(line, 'header_repeated', 'the header line again (concatenated exports?)');
      return true;
    }
    throw inputError(`another header line, whose columns are not the first header's (${truncate(fields.join(','), 80)}): `
      + 'exports with other columns joined into one file? give each as its own input', this.ctx.file, line);
  }

  process(fields: string[], line: number): void {
    this.records++;
    const { plan, ctx } = this;
    if (this.width !== null && fields.length !== this.width) {
      ctx.reject(line, 'row_ragged', `${fields.length} fields where the header has ${this.width}`);
      return;
    }
    // One column per account (ColumnPlan.account -1): each value column names its own.
    const accountCell = plan.account < 0 ? '' : (fields[plan.account] ?? '').trim();
    const rowAccount = plan.accountTag === undefined ? accountCell : this.tagAccounts.of(accountCell);
    if (plan.account >= 0 && rowAccount === '') {
      // The CLI writes the header again before each series: `name,tags,time,...` is no row without an account.
      if (plan.accountTag !== undefined && this.headerAgain(fields, line)) return;
      ctx.reject(line, 'account_missing', plan.accountTag === undefined || accountCell === '' ? 'empty account cell'
        : `${truncate(accountCell)} (no ${plan.accountTag.key === null ? 'tag named as an account is' : `tag ${plan.accountTag.key}`}: group the query by the user's tag, or give --account-col TAG)`);
      return;
    }
    let timeText = fields[plan.time] ?? '';
    // A time of day alone: read with its row's date (date,time exports).
    if (plan.date != null && TIME_OF_DAY_RE.test(timeText)) {
      timeText = `${(fields[plan.date] ?? '').trim()} ${timeText.trim()}`;
      // Said once it happens: a time column of full timestamps beside a date column never pairs.
      if (!this.notedDatePair) { this.notedDatePair = true; ctx.note(`times of day read with their row's date (line ${line}: ${truncate(timeText)})`); }
    }
    const parsed = this.timeOf(timeText, line, fields, rowAccount);
    if (parsed === null) return;
    if (parsed.timeUs < MIN_TIME_US || parsed.timeUs >= MAX_TIME_US) {
      const serial = excelNumberDoubt(timeText);
      ctx.reject(line, 'time_out_of_range', `${truncate(timeText)} (outside 1990..2099${serial === null ? '' : `: ${serial}`})`, rowAccount || undefined);
      return;
    }
    this.timeFormats.add(parsed.format);
    const session = plan.session === null ? '' : (fields[plan.session] ?? '').trim();
    const server = plan.server == null ? '' : (fields[plan.server] ?? '').trim();
    const clientAddress = plan.clientAddress == null ? '' : (fields[plan.clientAddress] ?? '').trim();
    let rowKind: Kind | null = null;
    /** The unit the row's kind cell names (`rtt_us`, `rdp_rtt_seconds`), for the values that take their kind from it. */
    let rowToMs: number | null = null;
    if (plan.kind !== null) {
      const kindText = fields[plan.kind] ?? '';
      const named = kindText.trim() === '' ? null : this.kindsOfCells.of(kindText);
      rowKind = named?.kind ?? null;
      if (named?.unit != null) rowToMs = UNIT_TO_MS[named.unit];
      if (rowKind === null && plan.values.some((v) => v.kind === null)) {
        ctx.reject(line, 'kind_unknown', plan.kindHint === undefined ? truncate(kindText) : `${truncate(kindText)} (${plan.kindHint})`);
        return;
      }
    }
    for (let v = 0; v < plan.values.length; v++) {
      const column = plan.values[v]!;
      const cell = fields[column.index] ?? '';
      // A series' blank cell: no sample of it at that time (series joined by time), not a bad value.
      if (column.account !== undefined && cell.trim() === '') { this.blankSeriesCells++; continue; }
      const account = column.account ?? rowAccount;
      // With --decimal-comma a delimited file's `2.860` is 2860 (Excel's thousand separator in a
      // comma-decimal locale), never 2.86: not read, as `1,234` is not without it. (JSON numbers
      // are no locale's text: `23.456` there is a decimal point.)
      const grouped = this.width !== null && DOT_GROUPED_RE.test(cell);
      // A unit the row's kind cell names wins over the column's, as one written in the cell does.
      const cellUnit = column.kind === null ? rowToMs : null;
      const commaDecimal = this.decimalComma ? DECIMAL_COMMA_RE.test(cell) : PLAIN_DECIMAL_COMMA_RE.test(cell);
      const check: ValueCheck = this.decimalComma && grouped ? { ok: false, reason: 'value_not_numeric' }
        : parseLatency(commaDecimal ? cell.replace(',', '.') : cell, cellUnit ?? column.toMs);
      if (commaDecimal && !this.decimalComma && check.ok && !this.notedPlainDecimalComma) {
        this.notedPlainDecimalComma = true;
        ctx.note(`values with a decimal comma read as such (line ${line}: ${truncate(cell)}): a comma not followed by exactly three digits groups no thousands; `
          + 'one that is (1,045) stays rejected unless --decimal-comma says the file writes decimal commas');
      }
      if (!check.ok) {
        // 59,6 is read only when --decimal-comma says so: 1,234 may be a thousand and more.
        const commaHint = !this.decimalComma && DECIMAL_COMMA_RE.test(cell);
        // `1,183` is as often Excel's thousand separator (#,##0 in an English locale): --decimal-comma
        // would make it 1.183, so the hint names both readings.
        const hint = commaHint ? (ONE_GROUP_RE.test(cell)
          ? ' (thousands grouped with a comma, or a decimal comma? not guessed: save the values without thousand separators, or give --decimal-comma if the file writes decimal commas)'
          : ' (a decimal comma? give --decimal-comma)')
          : this.decimalComma && grouped ? ' (thousands grouped with \'.\' in a file of decimal commas: not read; save the values without thousand separators)'
            : check.reason === 'value_absurd' && !column.unitStated ? absurdUnitHint(cell) : '';
        if (commaHint && !this.notedDecimalComma) {
          this.notedDecimalComma = true;
          ctx.note(`values with a comma (line ${line}: ${truncate(cell)}) are rejected unless --decimal-comma says the file writes decimal commas`);
        }
        ctx.reject(line, check.reason, `${column.name}=${truncate(cell)}${hint}`, account || undefined);
        continue;
      }
      // Only values read in the column's unit tell whether that unit fits (unitWarnings).
      if (cellUnit === null) this.range.add(v, check.valueMs);
      if (parsed.wall !== undefined) this.wallClock!.placed(parsed.wall);
      const kind = column.kind ?? rowKind ?? 'input_lag';
      const lane = this.lane;
      if (lane !== null && lane.pushSample(account, session, server, clientAddress, KIND_INDEX.get(kind)!, parsed.timeUs, check.valueMs, line)) continue;
      // Behind the lane's batch, to keep the input order.
      lane?.drain();
      const sample: RawSample = { account, session, timeUs: parsed.timeUs, kind, valueMs: check.valueMs, line };
      if (server) sample.server = server;
      if (clientAddress) sample.clientAddress = clientAddress;
      ctx.emit(sample);
    }
  }
}

function checkFieldCount(fields: number, ctx: AdapterContext, line: number): void {
  if (fields > ctx.limits.maxFields) {
    throw inputError(`header has ${fields} fields, more than the limit of ${ctx.limits.maxFields} (--max-fields)`, ctx.file, line);
  }
}

/** At most this many lines before the header are skipped as a preamble (isPreamble); past them the next line is the header. */
const MAX_PREAMBLE_LINES = 50;

/**
 * A line before the header that cannot be it: Excel's `sep=;` hint, a `#` comment, or a single
 * cell (a title: a header names at least an account, a time and a value column).
 */
function isPreamble(fields: readonly string[]): boolean {
  const first = (fields[0] ?? '').replace(/^\uFEFF/, '').trimStart();
  return fields.length === 1 || first.startsWith('#') || /^sep=.?$/i.test(first);
}

/**
 * The delimiter of a delimited file: the one Excel's `sep=X` first line names, else the most
 * frequent candidate in the first line that is not preamble (a comment or a title without one).
 */
function delimiterOf(head: string): string {
  const lines = head.replace(/^\uFEFF/, '').split(/\r?\n/).slice(0, MAX_PREAMBLE_LINES + 1);
  const sep = /^sep=(.)$/i.exec(lines[0]!.trim());
  if (sep && [',', '\t', ';', '|'].includes(sep[1]!)) return sep[1]!;
  const header = lines.find((l) => l.trim() !== '' && !l.trimStart().startsWith('#') && /[,\t;|]/.test(l)) ?? lines[0]!;
  return sniffDelimiter(header);
}

function isJsonLines(head: string): boolean {
  return head.replace(/^\uFEFF/, '').trimStart().startsWith('{');
}

/** Header from the first record, rows after it: the one consumer of both delimited paths. */
class DelimitedTable {
  processor: RecordProcessor | null = null;
  /** Lines skipped before the header (isPreamble), and the first of them, for the note. */
  private preamble = 0;
  private preambleFirst = '';
  constructor(private readonly ctx: AdapterContext, private readonly delimiter: string) {}

  record(fields: string[], line: number): void {
    if (this.processor === null) {
      if (this.preamble < MAX_PREAMBLE_LINES && isPreamble(fields)) {
        if (this.preamble++ === 0) this.preambleFirst = `line ${line}: ${truncate(fields.join(this.delimiter), 60)}`;
        return;
      }
      if (this.preamble > 0) this.ctx.note(`${this.preamble} line(s) before the header skipped (${this.preambleFirst})`);
      // The header's own line in errors: after a preamble (PowerShell's #TYPE, Excel's sep=;) it is not line 1.
      checkFieldCount(fields.length, this.ctx, line);
      const plan = resolveColumns(fields, this.ctx.columns, this.ctx.file, line);
      plan.notes.forEach((n) => this.ctx.note(n));
      this.processor = new RecordProcessor(plan, fields.length, this.ctx, fields);
      return;
    }
    this.processor.process(fields, line);
  }

  finish(delimiter: string): AdapterResult {
    if (this.processor === null) throw inputError('empty input: no header line', this.ctx.file, null);
    this.processor.finish();
    const label = delimiter === '\t' ? 'TSV' : delimiter === ',' ? 'CSV' : `delimited ('${delimiter}')`;
    return this.processor.result(label, this.processor.records);
  }
}

/** The reference path: csv-parse for every record (`--csv-parser csv-parse`, and the differential test). */
async function readDelimited(chunks: AsyncIterable<Buffer>, ctx: AdapterContext, delimiter: string): Promise<AdapterResult> {
  const table = new DelimitedTable(ctx, delimiter);
  // csv-parse may keep a chunk (or a view of it) past the next one: it gets copies (lendableChunks).
  for await (const { fields, line } of csvRecords(copiedChunks(chunks), ctx, delimiter)) table.record(fields, line);
  return table.finish(delimiter);
}

/**
 * Fast path for delimited files: most evidence exports are plain lines (without quotes, or with
 * every cell quoted), and csv-parse spends most of its time on per-record bookkeeping. After the
 * header, such lines are parsed from bytes into sample columns (generic-bytes.ts); a line the byte
 * lane does not take is split here as text, and any other record holding a quote (a doubled quote,
 * one that spans lines) is handed to csv-parse whole, so quoting rules stay csv-parse's. A
 * differential test checks that every path yields the same samples and rejections on random and
 * adversarial files.
 */
async function readDelimitedFast(chunks: AsyncIterable<Buffer>, ctx: AdapterContext, delimiter: string): Promise<AdapterResult> {
  const firstLineDecoder = new TextDecoder('utf-8');
  const lineDecoder = new TextDecoder('utf-8', { ignoreBOM: true });
  const table = new DelimitedTable(ctx, delimiter);
  const dispatch = (fields: string[], line: number): void => table.record(fields, line);
  let lineNo = 0;
  let first = true;
  // A quoted record still open across lines: its text so far and where it started.
  let openRecord: string | null = null;
  let openStart = 0;
  const maxBytes = ctx.limits.maxRecordBytes;
  const delimiterByte = delimiter.charCodeAt(0);
  let lane: ByteLane | null = null;

  const quotedRecord = (text: string, line: number): void => {
    let records: string[][];
    try {
      records = parseSync(text, { delimiter, relax_column_count: true, skip_empty_lines: true, max_record_size: maxBytes });
    } catch (err) {
      throw csvInputError(err, ctx.file, line, maxBytes);
    }
    for (const record of records) dispatch(record, line);
  };

  const countQuotes = (text: string): number => {
    let n = 0;
    for (let i = text.indexOf('"'); i >= 0; i = text.indexOf('"', i + 1)) n++;
    return n;
  };

  let openQuotes = 0;
  const handleLine = (raw: string): void => {
    lineNo++;
    let line = raw;
    if (first) { first = false; if (line.charCodeAt(0) === 0xfeff) line = line.slice(1); }
    if (openRecord !== null) {
      openRecord += '\n' + line;
      openQuotes += countQuotes(line);
      if (openRecord.length > maxBytes) throw recordTooLong(ctx.file, openStart, maxBytes);
      if (openQuotes % 2 === 0) {
        const text = openRecord.endsWith('\r') ? openRecord.slice(0, -1) : openRecord;
        openRecord = null;
        quotedRecord(text, openStart);
      }
      return;
    }
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (text.length === 0) return;
    if (text.indexOf('"') < 0) { dispatch(text.split(delimiter), lineNo); return; }
    const quotes = countQuotes(text);
    if (quotes % 2 === 0) { quotedRecord(text, lineNo); return; }
    openRecord = line;
    openQuotes = quotes;
    openStart = lineNo;
  };

  // One physical line [a, b) of `buf`, newline excluded.
  const handleBytes = (buf: Buffer, a: number, b: number): void => {
    // Not for one column per account, nor an account inside a tags cell: the lane reads a row's account as one cell.
    if (lane === null && table.processor !== null && delimiter.length === 1 && table.processor.plan.account >= 0 && table.processor.plan.accountTag === undefined) {
      lane = new ByteLane(table.processor.plan, table.processor.width!, delimiterByte, (batch) => emitBatch(ctx, batch), table.processor.dateOrder,
        table.processor.range, !table.processor.decimalComma, table.processor.wallClock);
      table.processor.lane = lane;
    }
    if (lane !== null && openRecord === null) {
      const end = b > a && buf[b - 1] === 13 ? b - 1 : b;
      if (end === a) { lineNo++; return; }
      if (lane.row(buf, a, end, lineNo + 1)) { lineNo++; table.processor!.records++; return; }
      // The string path's samples join the lane's batch (RecordProcessor.lane): no drain here.
    }
    handleLine(first ? firstLineDecoder.decode(buf.subarray(a, b)) : lineDecoder.decode(buf.subarray(a, b)));
  };

  // The unfinished line is kept as parts and joined once its newline arrives, so that a long line
  // delivered in many small chunks costs linear, not quadratic, time.
  const parts: Buffer[] = [];
  let partsLength = 0;
  try {
    for await (const chunk of chunks) {
      let start = 0;
      for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
        if (parts.length > 0) {
          parts.push(chunk.subarray(start, nl));
          const whole = Buffer.concat(parts);
          parts.length = 0;
          partsLength = 0;
          handleBytes(whole, 0, whole.length);
        } else handleBytes(chunk, start, nl);
        start = nl + 1;
      }
      if (start < chunk.length) {
        // Copied: the reader may reuse the chunk's memory.
        parts.push(Buffer.from(chunk.subarray(start)));
        partsLength += chunk.length - start;
      }
      if (partsLength > maxBytes) throw recordTooLong(ctx.file, lineNo + 1, maxBytes);
    }
    if (parts.length > 0) {
      const whole = Buffer.concat(parts);
      handleBytes(whole, 0, whole.length);
    }
  } catch (err) {
    // What was read before the error is handed on, as the csv-parse path would have (--keep-going
    // keeps it as a partial input), not lost with the batch.
    (lane as ByteLane | null)?.drain();
    throw err;
  }
  (lane as ByteLane | null)?.drain();
  if (lane !== null) for (const f of (lane as ByteLane).timeFormats) table.processor!.timeFormats.add(f);
  // The same message csv-parse gives for a quote left open at the end of the input.
  if (openRecord !== null) throw inputError('malformed CSV: Quote Not Closed (CSV_QUOTE_NOT_CLOSED)', ctx.file, openStart);
  return table.finish(delimiter);
}

/**
 * JSON records (a line of JSON Lines, an element of a JSON array) read as rows (JsonRows), into one
 * RecordProcessor made when the first object gives the header.
 */
class JsonRecordTable {
  processor: RecordProcessor | null = null;
  private readonly rows: JsonRows;
  constructor(private readonly ctx: AdapterContext) { this.rows = new JsonRows(ctx); }

  /** The record `text` starting on `line`. */
  record(text: string, line: number): void {
    const { ctx } = this;
    const fields = this.rows.fieldsOf(text, line);
    if (fields === null) return;
    if (this.processor === null) {
      const keys = this.rows.keys!;
      checkFieldCount(keys.length, ctx, line);
      const plan = resolveColumns(keys, ctx.columns, ctx.file, line);
      plan.notes.forEach((n) => ctx.note(n));
      this.processor = new RecordProcessor(plan, null, ctx);
      // Only for its batches: the samples of parsed objects go there (pushSample), not one by one.
      this.processor.lane = new ByteLane(plan, keys.length, 0x2c, (batch) => emitBatch(ctx, batch), null, this.processor.range);
    }
    this.processor.process(fields, line);
  }

  /** The adapter's result (after every record); `line` is where the input ended, `skipped` the records over the size limit. */
  finish(dialect: string, line: number, skipped: number): AdapterResult {
    const p = this.processor;
    const records = skipped + this.rows.rejected;
    if (p === null) {
      if (records > 0) throw inputError('no valid JSON object found', this.ctx.file, line);
      throw inputError('empty input: no records', this.ctx.file);
    }
    p.lane!.drain();
    p.finish();
    return p.result(dialect, p.records + records);
  }
}

/**
 * Responses of metrics APIs, which hold series (a name and its times and values), not records:
 * named, with a way to rows, instead of "unrecognised header" or "no array of records found".
 */
function metricsApiResponse(head: string): string | null {
  const text = head.replace(/^\uFEFF/, '').trimStart();
  // Prometheus' HTTP API (/api/v1/query_range, /api/v1/query): status, then data with its resultType, in this order.
  if (/^\{\s*"status"\s*:\s*"[a-z]+"\s*,\s*"data"\s*:\s*\{\s*"resultType"/.test(text)) {
    // The metric's name goes with its rows: it gives their kind and unit (rdp_rtt_seconds: rtt in s,
    // Prometheus' base unit). Read with `--value-col value:KIND`, as this line once said, a value in
    // seconds was a latency in ms (0.0412 for 41.2 ms).
    return 'a Prometheus query API response (series, not records): keylag reads no such document; flatten it to rows, '
      + 'jq -r \'["user","time","metric","value"], (.data.result[] | .metric as $m | (.values // [.value])[] | [$m.user, .[0], ($m.__name__ // ""), .[1]]) | @csv\' '
      + '(each row\'s metric gives its kind and unit, rdp_rtt_seconds: rtt in s; series without a name, an aggregation\'s, leave it empty: '
      + 'give --value-col value:KIND, with --unit s for seconds), or download the panel from Grafana as CSV ("Series joined by time")';
  }
  // VictoriaMetrics' /api/v1/export: one series per line, its labels, then all its values and timestamps (ms).
  if (/^\{\s*"metric"\s*:\s*\{[^\n]*"values"\s*:\s*\[[^\n]*"timestamps"\s*:\s*\[/.test(text)) {
    return 'a VictoriaMetrics export (/api/v1/export: a series per line, not records): keylag reads no such lines; flatten them to rows, '
      + 'jq -rn \'["user","time","metric","value"], (inputs | .metric as $m | [.timestamps, .values] | transpose[] | [$m.user, .[0], ($m.__name__ // ""), .[1]]) | @csv\' '
      + '(each row\'s metric gives its kind and unit, rdp_rtt_seconds: rtt in s)';
  }
  // Sumo Logic's Search Job API (`.../search/jobs/ID/messages`, `.../records`): each message or record
  // wrapped in a `map`, after the `fields` that describe them (as Splunk's messages are no records,
  // keylag never takes a `messages` array, nor a `map` for the record).
  const sumo = /^\{\s*"fields"\s*:\s*\[[\s\S]*?\]\s*,\s*"(messages|records)"\s*:\s*\[\s*\{\s*"map"\s*:/.exec(text);
  if (sumo !== null) {
    return `a Sumo Logic Search Job API response (${sumo[1]}, each in a "map"): keylag reads no such document; write its records one per line, `
      + `jq -c '.${sumo[1]}[].map' (_messagetime is a message's time, _timeslice an aggregate's)`;
  }
  // New Relic's NerdGraph (GraphQL) answer to an NRQL query: the records four or three levels down,
  // `data.actor.account.nrql.results` (one account) or `data.actor.nrql.results` (across accounts),
  // deeper than keylag looks for an array of records ("no array of records found" before).
  const nerdGraph = /^\{\s*"data"\s*:\s*\{\s*"actor"\s*:\s*\{\s*("account"\s*:\s*\{[^{}]*?)?"nrql"\s*:\s*\{/.exec(text);
  if (nerdGraph !== null) {
    const path = `.data.actor${nerdGraph[1] !== undefined ? '.account' : ''}.nrql.results`;
    return `a New Relic NerdGraph response (an NRQL query's records in ${path}): keylag reads no such document; write its records one per line, `
      + `jq -c '${path}[]' (a SELECT of events has their timestamp, epoch ms; a TIMESERIES query's rows have beginTimeSeconds: give --time-col beginTimeSeconds)`;
  }
  // AWS CloudWatch GetMetricData (`aws cloudwatch get-metric-data`): per query a Label, Timestamps and Values.
  if (/^\{\s*"MetricDataResults"\s*:/.test(text)) {
    return 'an AWS CloudWatch GetMetricData response (series, not records): keylag reads no such document; flatten it to rows, '
      + 'jq -r \'["account","time","value"], (.MetricDataResults[] | .Label as $l | [.Timestamps, .Values] | transpose[] | [$l, .[0], .[1]]) | @csv\' '
      + '(a query\'s Label naming its account: one query per WorkSpace or user; then --value-col value:KIND)';
  }
  // AWS CloudWatch GetMetricStatistics (`aws cloudwatch get-metric-statistics`, as for WorkSpaces'
  // InSessionLatency): `{"Datapoints": [{"Timestamp", "Average", "Unit"}], "Label"}` (or Label
  // first). Its datapoints were read as records before, refused for want of an account column with
  // --account-col and --account-columns as the way out, neither of which can help: the dimension
  // (UserName, WorkspaceId) that says whose they are was in the request, not in the response.
  if (/^\{\s*(?:"Label"\s*:\s*"(?:[^"\\]|\\.)*"\s*,\s*)?"Datapoints"\s*:\s*\[/.test(text)) {
    const label = /"Label"\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(text)?.[1];
    const statistic = /"(Average|Minimum|Maximum)"\s*:/.exec(text)?.[1] ?? 'Average';
    const kind = label === 'InSessionLatency' ? 'rtt (InSessionLatency is the client-to-WorkSpace round trip, in ms)' : 'KIND';
    return `an AWS CloudWatch GetMetricStatistics response (one metric's datapoints${label !== undefined ? `, ${label}` : ''}): it names no account, `
      + 'whose dimension (UserName, WorkspaceId) was in the request, not the response; flatten it to rows with the account you asked for, '
      + `jq -r --arg account NAME '["account","time","value"], (.Datapoints[] | [$account, .Timestamp, .${statistic}]) | @csv' `
      + `(one request per account; then --value-col value:${kind})`;
  }
  return null;
}

/**
 * JSON: JSON Lines (one object per line), or a document of records (json-records.ts: a top-level
 * array of objects, or an object holding one, or a query API's tables, whose rows are records),
 * whose record's line is the line its opening brace is on. A bad record is a counted rejection, not
 * the end of the file.
 */
async function readJson(head: string, chunks: AsyncIterable<Buffer>, ctx: AdapterContext): Promise<AdapterResult> {
  const api = metricsApiResponse(head);
  if (api !== null) throw inputError(api, ctx.file, 1);
  const table = new JsonRecordTable(ctx);
  const max = ctx.limits.maxRecordBytes;
  const { document, tables, records } = jsonRecordsOf(head, chunks, max);
  let lastLine = 0;
  let skipped = 0;
  try {
    // Records of a document that share a line (one written on one line) are told apart by number
    // instead: decided by the first two, said in a note, so that every sample still names one record.
    const first = await records.next();
    const second = first.done ? first : await records.next();
    const numbered = document && !first.done && !second.done && first.value.line === second.value.line;
    if (numbered) ctx.note(`records share lines (a one-line document): a sample's line is its ${tables !== null ? 'row\'s number in the table' : 'record\'s number in the array'}`);
    let ordinal = 0;
    const take = ({ text, line }: JsonRecordText): void => {
      lastLine = numbered ? ++ordinal : line;
      if (text !== null) { table.record(text, lastLine); return; }
      skipped++;
      ctx.reject(lastLine, 'line_too_long', `${document ? 'a record over' : 'over'} ${max} bytes (--max-record-bytes)`);
    };
    if (!first.done) take(first.value);
    if (!second.done && second !== first) take(second.value);
    let next = second.done ? second : await records.next();
    for (; !next.done; next = await records.next()) take(next.value);
    // JSON Lines: the lines read, blank ones too.
    if (typeof next.value === 'number') lastLine = next.value;
    const note = laterTablesNote(tables);
    if (note !== null) ctx.note(note);
  } catch (err) {
    // As in the delimited fast path: what was read before the error is handed on.
    table.processor?.lane?.drain();
    if (err instanceof JsonShapeError) throw inputError(`JSON document: ${err.message}`, ctx.file, err.line);
    throw err;
  }
  return table.finish(tables !== null ? 'JSON (rows of a table)' : document ? 'JSON (array of records)' : 'JSON Lines', lastLine, skipped);
}

export const genericAdapter: InputAdapter = {
  name: 'generic',
  // Every path copies what it keeps: the byte lane reads each chunk at once and copies an
  // unfinished line, JSON Lines decode to text, the csv-parse reference path gets copies.
  lendableChunks: true,
  // Reads no side data; its context calls are emit, emitColumns, reject and note only.
  parallelRead: true,
  description: 'Generic timing CSV/TSV/JSON Lines: an account column, a time column, one or more latency columns',
  example: 'timestamp,user,session_id,latency_ms\n2026-03-02T14:03:11.412Z,jdoe,s-1,23.4',
  detect(head: string): number {
    if (isJsonLines(head)) return 0.5;
    // The first non-empty line: an export may start with blank lines (read skips them as preamble).
    return firstLine(head).length > 0 ? 0.3 : 0;
  },
  async read(chunks, ctx) {
    // Decide the dialect from the first 64 KiB without consuming them (the header may come after
    // a preamble: delimiterOf).
    const { head, replay } = await peekHead(chunks, false);
    if (head.trim() === '') throw inputError('empty input: no header line', ctx.file);
    if (looksLikeJsonDocument(head) !== null || isJsonLines(head)) return readJson(head, replay, ctx);
    const delimiter = delimiterOf(head);
    return ctx.options.csvParser === 'csv-parse' ? readDelimited(replay, ctx, delimiter) : readDelimitedFast(replay, ctx, delimiter);
  },
};
