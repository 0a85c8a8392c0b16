// The records of a JSON document, one at a time: a top-level array of objects (`[{...}, {...}]`, as
// "export to JSON" writes it), or an object holding such an array as one of its values
// (`{"results": [...]}`, `{"value": [...]}`: API and search exports), or the tables of a query API's
// response, whose rows are arrays named by the table's columns (Log Analytics' REST API:
// `{"tables": [{"name", "columns": [{"name", "type"}], "rows": [[...]]}]}`; Kusto's v1 response:
// `{"Tables": [{"TableName", "Columns": [{"ColumnName", ...}], "Rows": [[...]]}]}`; Microsoft Graph's
// Cloud PC reports, one table: `{"TotalRowCount", "Schema": [{"Column", ...}], "Values": [[...]]}`). Streaming: only
// the record being read is held, never the document (a month of exports is hundreds of MB).
//
// Why by hand: the generic adapter needs each record's text with the line it starts on (every
// sample names its source line) and a bound on a record's size (--max-record-bytes); it only has
// to find where each record begins and ends (strings, escapes, nesting), JSON.parse reads it.

/**
 * One record: its JSON text (null: over the size limit, skipped) and the 1-based line of the input
 * it starts on. Records come in input order, the skipped ones among them.
 */
export interface JsonRecordText {
  text: string | null;
  line: number;
  /** In a document of tables (JsonRecordScanner's `tables`): a table's start, a column or a row. */
  part?: 'table' | 'column' | 'row';
}

/** Why the document is not one keylag reads, with the line where that showed. */
export class JsonShapeError extends Error {
  constructor(message: string, readonly line: number) { super(message); }
}

/** A query API's response: an object whose first key holds its tables (Log Analytics, Kusto v1). */
const TABLES_DOCUMENT = /^\{\s*"(?:tables|Tables)"\s*:\s*\[/;
/**
 * Microsoft Graph's Cloud PC reports (Windows 365: getDailyAggregatedRemoteConnectionReports,
 * getRemoteConnectionHistoricalReports...): the document is one table, its columns in `Schema`
 * (`{"Column", "PropertyType"}`), its rows in `Values`. Read as records before this, its Schema
 * entries were the records: a file of columns Column and PropertyType.
 */
const SCHEMA_DOCUMENT = /^\{\s*(?:"TotalRowCount"\s*:\s*\d+\s*,\s*)?"Schema"\s*:\s*\[\s*\{\s*"Column"\s*:/;

/** How a scanner reads a document: records, a document of tables, or one table of Schema and Values. */
export type TableShape = false | 'tables' | 'schema';

/**
 * Whether a document that starts this way (after a BOM and whitespace) is a JSON array or object to
 * read as records, or a response of tables to read as rows.
 */
export function looksLikeJsonDocument(head: string): 'array' | 'object' | 'tables' | 'schema' | null {
  const text = head.replace(/^\uFEFF/, '').trimStart();
  if (text.startsWith('[')) return 'array';
  if (TABLES_DOCUMENT.test(text)) return 'tables';
  if (SCHEMA_DOCUMENT.test(text)) return 'schema';
  // An object whose first line does not close it: a pretty-printed document, not JSON Lines.
  if (text.startsWith('{')) {
    const firstLine = text.split('\n', 1)[0]!.trim();
    let parsed: unknown;
    try { parsed = JSON.parse(firstLine); } catch { return 'object'; }
    // A whole document on one line ({"value": [...]}) and nothing after it; else JSON Lines.
    const rest = text.slice(text.indexOf(firstLine) + firstLine.length);
    const records = (v: unknown): boolean => Array.isArray(v) && v.length > 0 && v.every((e) => e !== null && typeof e === 'object' && !Array.isArray(e));
    const hits = (parsed as { hits?: { hits?: unknown } }).hits;
    const holdsRecords = Object.values(parsed as Record<string, unknown>).some(records)
      || (hits !== null && typeof hits === 'object' && records(hits.hits));
    return holdsRecords && rest.trim() === '' ? 'object' : null;
  }
  return null;
}

/**
 * Elasticsearch's search response holds its records two levels down, in `{"hits": {"hits": [...]}}`
 * (each a hit whose `_source` is the record: export-util.ts unwraps it); no other array that deep is
 * taken.
 *
 * Arrays of objects about a result rather than its records: Splunk's REST and CLI JSON results
 * (`{"preview": false, "messages": [], "fields": [{"name": "_time"}, ...], "results": [...]}`) list
 * their fields before the results. Never taken as the records.
 */
const METADATA_ARRAYS = new Set(['fields', 'messages', 'highlighted']);

/** In a document of tables: the depth of a table's brace, and of a value in its columns or rows (Schema and Values: the document is the table). */
const TABLE_DEPTH = { tables: 2, schema: 0 } as const;
const TABLE_VALUES_DEPTH = { tables: 4, schema: 2 } as const;

/**
 * Finds where each record of a JSON document begins and ends, over its text given piece by piece
 * (`push`); `end` checks the document closed. Records come out through `onRecord` in order.
 */
export class JsonRecordScanner {
  private line = 1;
  private depth = 0;
  /** Depth inside the records array (its elements' braces open at this depth), once found. */
  private recordsDepth = -1;
  /** Depth inside an array that may be the records (its first element decides): -1 none. */
  private candidateDepth = -1;
  private topLevelArray = false;
  private recordsDone = false;
  /** The document's outermost bracket has closed: only whitespace may follow. */
  private closed = false;
  private inString = false;
  private escaped = false;
  private first = true;
  // The record being read: its parts, its length, its first line; skipping one that is too long.
  private parts: string[] = [];
  private length = 0;
  private recordLine = 0;
  private skipping = false;
  /** In a document of tables: whether the record being read is a column or a row. */
  private part: 'column' | 'row' | undefined = undefined;
  private sawTable = false;
  /** The last string at depth 1 or 2 (a key) while no records are found: where its text began in
   *  the piece being read (-1: not in one, or it began in an earlier piece), and its text by depth;
   *  `objectKey`: the key of the depth-1 object being read (Elasticsearch's `hits`). */
  private keyStart = -1;
  private keyDepth = 0;
  private readonly lastKey: (string | null)[] = [null, null, null];
  private objectKey: string | null = null;

  /**
   * @param tables read a document of tables (`'tables'`: `{"tables": [{..., "columns": [{...}], "rows": [[...]]}]}`;
   *   `'schema'`: one table, `{"TotalRowCount", "Schema": [{...}], "Values": [[...]]}`): every value
   *   two levels inside a table (a column's object, a row's array) is a record, its `part` telling
   *   which, and each table's opening brace is a `table` record of no text
   */
  constructor(private readonly maxRecordBytes: number, private readonly onRecord: (record: JsonRecordText) => void,
    private readonly tables: TableShape = false) {
    if (tables) this.recordsDepth = TABLE_VALUES_DEPTH[tables];
  }

  push(piece: string): void {
    let text = piece;
    if (this.first) { text = text.replace(/^\uFEFF/, ''); this.first = false; }
    let partStart = this.recordLine > 0 && !this.skipping ? 0 : -1;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) this.line++;
      // The size bound holds inside strings too (a record of one long string is still held whole otherwise).
      if (this.recordLine > 0 && !this.skipping && i - partStart + this.length > this.maxRecordBytes) {
        this.onRecord(this.recordOf(null));
        this.skipping = true;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 92) this.escaped = true;
        else if (c === 34) {
          this.inString = false;
          if (this.keyStart >= 0) { this.lastKey[this.keyDepth] = text.slice(this.keyStart, i); this.keyStart = -1; }
        }
        continue;
      }
      // The first element of a candidate array decides: an object makes it the records; anything
      // else (strings, numbers, an empty array) and the search goes on (within a top-level object).
      if (!this.tables && this.candidateDepth >= 0 && this.depth === this.candidateDepth && c > 32) {
        // An empty top-level array is a document of no records.
        if (c === 123 || (c === 93 && this.topLevelArray)) this.recordsDepth = this.candidateDepth;
        else if (this.topLevelArray) throw new JsonShapeError('the top-level array holds a value where an object (one record) was expected', this.line);
        this.candidateDepth = -1;
      }
      // A value between records that is not one (a string too: it would otherwise be read past unseen).
      if (this.recordsDepth >= 0 && !this.recordsDone && this.depth === this.recordsDepth && this.recordLine === 0 &&
        c > 32 && c !== 44 && c !== 123 && c !== 91 && c !== 93) {
        throw new JsonShapeError(this.tables ? 'a table\'s columns or rows hold a value where an object or an array was expected'
          : 'the records array holds a value where an object (one record) was expected', this.line);
      }
      if (c === 34) {
        this.inString = true;
        if ((this.depth === 1 || this.depth === 2) && this.recordsDepth < 0 && !this.tables) {
          this.keyStart = i + 1;
          this.keyDepth = this.depth;
          this.lastKey[this.depth] = null;
        }
        continue;
      }
      if (this.closed && c > 32) throw new JsonShapeError('text after the end of the JSON document (JSON Lines are one object per line)', this.line);
      if (c === 123 || c === 91) { // { [
        if (this.recordsDepth < 0 && c === 123 && this.depth === 1) this.objectKey = this.lastKey[1] ?? null;
        if (this.recordsDepth < 0 && c === 91 && (this.depth === 0 || (this.depth === 1 && !METADATA_ARRAYS.has(this.lastKey[1] ?? ''))
          || (this.depth === 2 && this.objectKey === 'hits' && this.lastKey[2] === 'hits'))) {
          this.candidateDepth = this.depth + 1;
          this.topLevelArray = this.depth === 0;
        }
        if (this.tables && this.depth === TABLE_DEPTH[this.tables] && c === 123) { this.sawTable = true; this.onRecord({ text: '', line: this.line, part: 'table' }); }
        if (this.recordsDepth >= 0 && !this.recordsDone && this.depth === this.recordsDepth && this.recordLine === 0) {
          if (c !== 123 && !this.tables) throw new JsonShapeError('the records array holds an array where an object (one record) was expected', this.line);
          this.part = this.tables ? (c === 123 ? 'column' : 'row') : undefined;
          this.recordLine = this.line;
          partStart = i;
          this.parts = [];
          this.length = 0;
          this.skipping = false;
        }
        this.depth++;
      } else if (c === 125 || c === 93) { // } ]
        this.depth--;
        if (this.depth < 0) throw new JsonShapeError('unbalanced JSON: a closing bracket with nothing open', this.line);
        if (this.depth === 0) this.closed = true;
        if (this.recordLine > 0 && this.depth === this.recordsDepth) {
          if (!this.skipping) {
            this.parts.push(text.slice(partStart, i + 1));
            this.onRecord(this.recordOf(this.parts.join('')));
          }
          this.recordLine = 0;
          partStart = -1;
          this.parts = [];
        } else if (!this.tables && this.recordsDepth >= 0 && this.depth === this.recordsDepth - 1 && c === 93) {
          this.recordsDone = true;
        }
      }
    }
    if (this.recordLine > 0 && !this.skipping && partStart >= 0) {
      this.parts.push(text.slice(partStart));
      this.length += text.length - partStart;
    }
  }

  /** The record being read, with its text (null: skipped) and, in a document of tables, its part. */
  private recordOf(text: string | null): JsonRecordText {
    return this.part === undefined ? { text, line: this.recordLine } : { text, line: this.recordLine, part: this.part };
  }

  /** The document is over: it must have closed, and held an array of records. */
  end(): void {
    if (this.depth !== 0 || this.inString) throw new JsonShapeError('the JSON document ends before it is closed', this.line);
    if (this.recordsDepth < 0) throw new JsonShapeError('no array of records found (a top-level array of objects, or an object holding one)', this.line);
    if (this.tables && !this.sawTable) throw new JsonShapeError('no table found in the document of tables', this.line);
  }
}

/**
 * The records of the document in `chunks`, in order (one over `maxRecordBytes` characters as a null
 * text, skipped; with `tables`, the scanner's records of a document of tables); the shape errors (no
 * array of records, text after the document) are thrown as JsonShapeError.
 */
export async function* jsonRecords(chunks: AsyncIterable<Buffer>, maxRecordBytes: number, tables: TableShape = false): AsyncGenerator<JsonRecordText> {
  const decoder = new TextDecoder('utf-8');
  let found: JsonRecordText[] = [];
  const scanner = new JsonRecordScanner(maxRecordBytes, (record) => found.push(record), tables);
  for await (const chunk of chunks) {
    scanner.push(decoder.decode(chunk, { stream: true }));
    if (found.length > 0) { const ready = found; found = []; yield* ready; }
  }
  scanner.push(decoder.decode());
  yield* found;
  scanner.end();
}

/**
 * The rows of a document of tables as records: the first table's rows, each an object of its
 * columns' names (Log Analytics' `name`, Kusto's `ColumnName`, Graph's `Column`) and the row's cells, in column order.
 * Tables after the first are counted, not read: a query API's response holds its result first
 * (Kusto's later tables are about the query: properties, status, a table of contents).
 */
export class TableRows {
  private table = 0;
  private columns: string[] = [];
  /** Tables after the first, and their rows: not read (the reader says so in a note). */
  readonly later = { tables: 0, rows: 0 };

  /** The record a scanner's record stands for, or null (a table's start, a column, a later table's row). */
  take(record: JsonRecordText): JsonRecordText | null {
    const { text, line, part } = record;
    if (part === 'table') {
      this.table++;
      if (this.table > 1) this.later.tables++;
      return null;
    }
    if (this.table > 1) { if (part === 'row') this.later.rows++; return null; }
    if (part === 'column') {
      let name: unknown = null;
      try {
        const column = JSON.parse(text ?? 'null') as Record<string, unknown> | null;
        name = column?.name ?? column?.ColumnName ?? column?.Column ?? null;
      } catch { /* named below */ }
      if (typeof name !== 'string') throw new JsonShapeError('a table column without a name (a "name", "ColumnName" or "Column" string)', line);
      this.columns.push(name);
      return null;
    }
    if (text === null) return record;
    if (this.columns.length === 0) throw new JsonShapeError('a table row before the table\'s columns', line);
    let cells: unknown;
    try { cells = JSON.parse(text); } catch { return { text, line }; }
    // A row whose cells do not match the columns one to one stays an array: rejected as not a record.
    if (!Array.isArray(cells) || cells.length !== this.columns.length) return { text, line };
    const row: Record<string, unknown> = {};
    this.columns.forEach((name, i) => { row[name] = cells[i]; });
    return { text: JSON.stringify(row), line };
  }
}

/** The rows of the document of tables in `chunks` as records (TableRows), in order; `rows.later` counts what was not read. */
export async function* jsonTableRows(chunks: AsyncIterable<Buffer>, maxRecordBytes: number,
  rows: TableRows, shape: 'tables' | 'schema' = 'tables'): AsyncGenerator<JsonRecordText> {
  for await (const record of jsonRecords(chunks, maxRecordBytes, shape)) {
    const row = rows.take(record);
    if (row !== null) yield row;
  }
}

/**
 * The records of JSON Lines in `chunks`: each non-blank line (BOM and CR removed), a line over
 * `maxRecordBytes` characters as a null text (skipped, never held whole). Returns the number of
 * lines read.
 */
export async function* jsonLineRecords(chunks: AsyncIterable<Buffer>, maxRecordBytes: number): AsyncGenerator<JsonRecordText, number> {
  const decoder = new TextDecoder('utf-8');
  let line = 0;
  let pending = '';
  let skippingLongLine = false;
  const record = (raw: string): JsonRecordText | null => {
    line++;
    let text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === 1) text = text.replace(/^\uFEFF/, '');
    return text.trim() === '' ? null : { text, line };
  };
  for await (const chunk of chunks) {
    let text = pending + decoder.decode(chunk, { stream: true });
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      if (skippingLongLine) skippingLongLine = false;
      else { const r = record(text.slice(start, nl)); if (r !== null) yield r; }
      start = nl + 1;
    }
    text = text.slice(start);
    if (text.length > maxRecordBytes) {
      line++;
      yield { text: null, line };
      skippingLongLine = true;
      text = '';
    }
    pending = text;
  }
  pending += decoder.decode();
  if (pending.length > 0 && !skippingLongLine) { const r = record(pending); if (r !== null) yield r; }
  return line;
}

/**
 * The first record of a JSON head (JSON Lines: its first line; a document: the first object of
 * its records array, or its first table's first row as a record), parsed; null when the head is not
 * JSON or holds no whole first record.
 */
export function firstJsonRecord(head: string): Record<string, unknown> | null {
  const text = head.replace(/^\uFEFF/, '').trimStart();
  if (!text.startsWith('{') && !text.startsWith('[')) return null;
  let recordText: string | null = null;
  const shape = looksLikeJsonDocument(text);
  if (shape === null) recordText = text.split('\n', 1)[0]!;
  else {
    const rows = new TableRows();
    const scanner = new JsonRecordScanner(Infinity, (r) => {
      // A row's record, or a cut-off table (not a shape keylag reads): nothing.
      try { recordText ??= shape === 'tables' || shape === 'schema' ? rows.take(r)?.text ?? null : r.text; } catch { /* no first record */ }
    }, shape === 'tables' || shape === 'schema' ? shape : false);
    try { scanner.push(text); } catch { return null; }
  }
  if (recordText === null) return null;
  try {
    const parsed: unknown = JSON.parse(recordText);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed as Record<string, unknown> : null;
  } catch { return null; }
}
