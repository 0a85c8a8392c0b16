// The byte lane of the generic delimited reader: plain lines (cells without quotes or wholly
// quoted, the header's field count, well-formed cells) are parsed from bytes straight into sample
// columns, without a string, an array or an object per row. Every other line goes back to the
// string path (csv-parse semantics for quotes, and every rejection rule), so the byte lane decides
// nothing the string path would decide differently; test/differential.test.ts checks that on
// random and adversarial files. The string path's samples then join the lane's batches (pushSample).
//
// Hand-written on purpose: this is the product's hot loop (DESIGN "speed"); no CSV package parses
// into typed columns without per-row allocations, and the cell rules must equal the string path's.
import { KIND_INDEX, type SampleColumns } from '../adapter.js';
import { kindFromText, ValueRange, type ColumnPlan } from '../columns.js';
import { MIN_TIME_US, MAX_TIME_US, daysInMonth, parseTimestamp, type TimeFormat } from '../time.js';
import { parseSlashDate, slashDateToUs, type DateOrder } from './export-util.js';
import { WALL_NONEXISTENT, type WallClock } from '../zone.js';

/** The time format of locale dates read in `order` (both lanes say the same): offset-less, so warned of as such. */
export const localeDateFormat = (order: DateOrder): TimeFormat => (order === 'mdy' ? 'locale-mdy-no-offset' : 'locale-dmy-no-offset');

/** Samples per column batch handed on at once: large enough that each account gets a run of rows per batch (10,000 accounts: ~26), small enough that the batch columns (~40 B a row here, as much again in collect) stay ~20 MB. */
export const BATCH_ROWS = 262_144;
const ABSURD_MS = 3_600_000;
/** What `isoParse` found (small integers, not a returned double: see `parsedTime`). */
const ISO_PARSED = 0;
const ISO_OTHER_SHAPE = 1;
const ISO_INVALID = 2;
type IsoShape = typeof ISO_PARSED | typeof ISO_OTHER_SHAPE | typeof ISO_INVALID;
const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/** FNV-1a over a text's bytes: the interner's hash (ByteLane.row computes it for account cells as it reads them). */
const FNV_BASIS = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;
/**
 * Delimiters for which a common ISO time cell is taken at the last row's width without looking for
 * a delimiter inside it: none is a byte such a time may hold, but ',' as its fraction separator,
 * which is checked where it may stand (see `row`). Any other delimiter: every cell is scanned.
 */
const ISO_SAFE_DELIMITERS = new Set([0x2c, 0x09, 0x3b, 0x7c]);

/**
 * Texts (account names, sessions, servers, addresses) interned by their bytes: a row costs a hash,
 * not a string. Ids are append-only for the whole file, so consumers may cache per id.
 */
export class ByteInterner {
  readonly texts: string[] = [];
  // Small to start, grown by doubling: one interner per file, and runs over thousands of small
  // files made ~90 KB of garbage per file at the old starting sizes.
  private slots = new Int32Array(256).fill(-1);
  private hashes = new Int32Array(64);
  private starts = new Int32Array(64);
  private lengths = new Int32Array(64);
  private arena = new Uint8Array(4096);
  private arenaUsed = 0;
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });

  intern(buf: Uint8Array, a: number, b: number): number {
    let h = FNV_BASIS;
    for (let i = a; i < b; i++) h = Math.imul(h ^ buf[i]!, FNV_PRIME);
    return this.internHashed(buf, a, b, h);
  }

  /** `intern` for a caller that already hashed the bytes (FNV-1a, as `intern` does) while reading them. */
  internHashed(buf: Uint8Array, a: number, b: number, h: number): number {
    const mask = this.slots.length - 1;
    const len = b - a;
    let s = h & mask;
    for (;;) {
      const id = this.slots[s]!;
      if (id < 0) break;
      if (this.hashes[id] === h && this.lengths[id] === len) {
        const start = this.starts[id]!;
        let same = true;
        for (let i = 0; i < len; i++) if (this.arena[start + i] !== buf[a + i]) { same = false; break; }
        if (same) return id;
      }
      s = (s + 1) & mask;
    }
    return this.add(buf, a, b, h, s);
  }

  private scratch = new Uint8Array(256);
  private readonly encoder = new TextEncoder();

  /**
   * The id of a text the string path parsed: its UTF-8 bytes interned, so a name gets the same id
   * whichever lane read it. -2 (as `text` says of a cell it cannot take) for a text its bytes do
   * not give back (a lone surrogate from a JSON escape), which must not share an id with the text
   * U+FFFD makes of it.
   */
  internText(text: string): number {
    if (this.scratch.length < text.length * 3) this.scratch = new Uint8Array(text.length * 3);
    const { written } = this.encoder.encodeInto(text, this.scratch);
    const id = this.intern(this.scratch, 0, written);
    return this.texts[id] === text ? id : -2;
  }

  private add(buf: Uint8Array, a: number, b: number, h: number, slot: number): number {
    const id = this.texts.length;
    const len = b - a;
    if (id === this.hashes.length) {
      this.hashes = grow(this.hashes);
      this.starts = grow(this.starts);
      this.lengths = grow(this.lengths);
    }
    if (this.arenaUsed + len > this.arena.length) {
      const bigger = new Uint8Array(Math.max(this.arena.length * 2, this.arenaUsed + len));
      bigger.set(this.arena.subarray(0, this.arenaUsed));
      this.arena = bigger;
    }
    this.arena.set(buf.subarray(a, b), this.arenaUsed);
    this.hashes[id] = h;
    this.starts[id] = this.arenaUsed;
    this.lengths[id] = len;
    this.arenaUsed += len;
    this.texts.push(this.decoder.decode(buf.subarray(a, b)));
    this.slots[slot] = id;
    if ((id + 1) * 2 > this.slots.length) this.rehash();
    return id;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2).fill(-1);
    const mask = slots.length - 1;
    for (let id = 0; id < this.texts.length; id++) {
      let s = this.hashes[id]! & mask;
      while (slots[s]! >= 0) s = (s + 1) & mask;
      slots[s] = id;
    }
    this.slots = slots;
  }
}

function grow(a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

/** A reusable column batch (the consumer reads it synchronously; the lane then refills it). */
export function newColumns(texts: string[], capacity = BATCH_ROWS): SampleColumns {
  return {
    length: 0,
    texts,
    account: new Int32Array(capacity),
    session: new Int32Array(capacity),
    server: new Int32Array(capacity),
    clientAddress: new Int32Array(capacity),
    kind: new Uint8Array(capacity),
    timeUs: new Float64Array(capacity),
    valueMs: new Float64Array(capacity),
    line: new Float64Array(capacity),
  };
}

/** A cell whose first or last byte is whitespace or non-ASCII: `trim()` may change it, the string path decides. */
function needsTrim(buf: Uint8Array, a: number, b: number): boolean {
  if (b <= a) return false;
  const first = buf[a]!;
  const last = buf[b - 1]!;
  return first <= 0x20 || first >= 0x80 || last <= 0x20 || last >= 0x80;
}

const digitAt = (buf: Uint8Array, i: number): number => {
  const d = buf[i]! - 48;
  return d >= 0 && d <= 9 ? d : -1;
};
const two = (buf: Uint8Array, i: number): number => {
  const x = digitAt(buf, i);
  const y = digitAt(buf, i + 1);
  return x < 0 || y < 0 ? -1 : x * 10 + y;
};

/**
 * The byte lane for one file, after its header resolved into `plan`. `row` returns false when the
 * line must go to the string path (nothing was emitted for it then).
 */
export class ByteLane {
  readonly interner = new ByteInterner();
  columns: SampleColumns;
  readonly timeFormats = new Set<string>();
  private readonly ends: Int32Array;
  private readonly starts: Int32Array;
  private readonly valueKinds: number[];
  private readonly untypedValues: boolean;
  private readonly kindOfText: number[] = [];
  // Last date seen (10 bytes) and its epoch ms: rows of one day share the calendar work. The ms
  // live in a one-element typed array, not a field or a local merged with Date.UTC's result: either
  // way V8 boxes the double, a heap number for every row (see `parsedTime`).
  private readonly lastDate = new Uint8Array(10);
  private readonly lastDateMs = new Float64Array([NaN]);
  private readonly scratchValues: Float64Array;
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  /**
   * Width of the last row's time cell when it was a common ISO time (0: none). Exports write every
   * time at one width, so the next row's time cell is first read at that width, its end a delimiter:
   * a time `isoParse` takes holds no delimiter, quote or newline (it checks every byte), so nothing
   * is skipped that the scan would have split on. The scan of ~24 bytes was a fifth of the parse.
   */
  private isoWidth = 0;
  private readonly predictTimeWidth: boolean;

  /**
   * @param dateOrder of locale dates (--date-order): such cells are then read here as the string
   *   path reads them; without it they go to the string path, which rejects them
   * @param range where the values of the rows the lane takes are counted for the unit check: the
   *   string path's own (RecordProcessor.range), so that the file's values are counted in one place
   * @param pointDecimals false with --decimal-comma: a value with a '.' goes to the string path, which
   *   rejects thousands grouped with dots (2.860) and reads the rest
   * @param wallClock --assume-tz: times without an offset are its zone's wall-clock times (a time
   *   the clocks skipped goes to the string path, which rejects it); the string path's own, for one count
   */
  constructor(private readonly plan: ColumnPlan, private readonly width: number, private readonly delimiter: number,
    private readonly flush: (columns: SampleColumns) => void, private readonly dateOrder: DateOrder | null = null,
    readonly range: ValueRange = new ValueRange(plan.values.length), private readonly pointDecimals = true,
    private readonly wallClock: WallClock | null = null) {
    // Small to start (a file of a few hundred rows is common among many); grows to BATCH_ROWS.
    this.columns = newColumns(this.interner.texts, 1024);
    this.starts = new Int32Array(width);
    this.ends = new Int32Array(width);
    this.valueKinds = plan.values.map((v) => (v.kind === null ? -1 : KIND_INDEX.get(v.kind)!));
    this.untypedValues = plan.values.some((v) => v.kind === null);
    this.scratchValues = new Float64Array(plan.values.length);
    this.predictTimeWidth = ISO_SAFE_DELIMITERS.has(delimiter);
  }

  private grow(): void {
    const old = this.columns;
    const capacity = Math.min(BATCH_ROWS, old.account.length * 4);
    const bigger = newColumns(this.interner.texts, capacity);
    bigger.length = old.length;
    bigger.account.set(old.account);
    bigger.session.set(old.session);
    bigger.server.set(old.server);
    bigger.clientAddress.set(old.clientAddress);
    bigger.kind.set(old.kind);
    bigger.timeUs.set(old.timeUs);
    bigger.valueMs.set(old.valueMs);
    bigger.line.set(old.line);
    this.columns = bigger;
  }

  /** Hand on what is batched (at the end, and before a sample that must go one by one, to keep the input order). */
  drain(): void {
    const columns = this.columns;
    // Emptied even when the consumer throws, so that a batch is never handed on twice.
    if (columns.length > 0) { try { this.flush(columns); } finally { columns.length = 0; } }
  }

  /** One physical line [a, b) without its newline (CR already removed), number `line`. */
  row(buf: Uint8Array, a: number, b: number, line: number): boolean {
    const { starts, ends, width, delimiter, plan } = this;
    // Cells: plain (no quote in it), or wholly quoted without a quote inside ("Doe, John", as
    // exports that quote every cell write them), whose text is what lies between the quotes, as
    // csv-parse reads it. Anything else with a quote (a doubled quote, text after the closing
    // one, a quote left open to the next line) goes to the string path.
    const accountField = plan.account;
    const timeField = this.predictTimeWidth ? plan.time : -1;
    const isoWidth = this.isoWidth;
    // The account cell's hash, taken while it is scanned (plain cells; a quoted one is hashed by intern).
    let accountHash = FNV_BASIS;
    let accountHashed = false;
    // The time cell was read as a common ISO time at the predicted width (`isoWidth`).
    let timeRead = false;
    let field = 0;
    let i = a;
    for (;;) {
      if (i < b && buf[i] === 0x22) {
        let close = i + 1;
        while (close < b && buf[close] !== 0x22) close++;
        if (close >= b || (close + 1 < b && buf[close + 1] !== delimiter)) return false;
        starts[field] = i + 1;
        ends[field] = close;
        i = close + 1;
      } else {
        starts[field] = i;
        const end = i + isoWidth;
        if (field === timeField && isoWidth > 0 && end <= b && (end === b || buf[end] === delimiter)
          // ',' is a byte such a time may hold (its fraction separator, at byte 19): not a cell of its own here.
          && !(delimiter === 0x2c && isoWidth > 19 && buf[i + 19] === 0x2c) && this.isoParse(buf, i, end) === ISO_PARSED) {
          timeRead = true;
          i = end;
        } else if (field === accountField) {
          let h = FNV_BASIS;
          for (; i < b; i++) {
            const c = buf[i]!;
            if (c === delimiter) break;
            if (c === 0x22) return false;
            h = Math.imul(h ^ c, FNV_PRIME);
          }
          accountHash = h;
          accountHashed = true;
        } else {
          for (; i < b; i++) {
            const c = buf[i]!;
            if (c === delimiter) break;
            if (c === 0x22) return false;
          }
        }
        ends[field] = i;
      }
      if (i >= b) break;
      // buf[i] is a delimiter: another cell follows (empty at the end of the line).
      if (field + 1 >= width) return false;
      field++;
      i++;
    }
    if (field + 1 !== width) return false;

    const accountA = starts[plan.account]!;
    const accountB = ends[plan.account]!;
    if (accountB === accountA || needsTrim(buf, accountA, accountB)) return false;

    if (timeRead) this.noteIsoFormat();
    else if (!this.time(buf, starts[plan.time]!, ends[plan.time]!)) return false;
    else this.isoWidth = this.lastTimeIso ? ends[plan.time]! - starts[plan.time]! : 0;
    if (!(this.parsedTime[0]! >= MIN_TIME_US && this.parsedTime[0]! < MAX_TIME_US)) return false;

    let rowKind = -1;
    if (plan.kind !== null) {
      const ka = starts[plan.kind]!;
      const kb = ends[plan.kind]!;
      if (needsTrim(buf, ka, kb)) return false;
      if (kb > ka) {
        const id = this.interner.intern(buf, ka, kb);
        let k = this.kindOfText[id];
        if (k === undefined) {
          const kind = kindFromText(this.interner.texts[id]!);
          k = kind === null ? -2 : KIND_INDEX.get(kind)!;
          this.kindOfText[id] = k;
        }
        if (k === -2) { if (this.untypedValues) return false; } else rowKind = k;
      } else if (this.untypedValues) return false;
    }
    const values = this.scratchValues;
    for (let v = 0; v < plan.values.length; v++) {
      const column = plan.values[v]!;
      plainDecimalInto(buf, starts[column.index]!, ends[column.index]!, this.pointDecimals);
      const ms = DECIMAL[0]! * column.toMs;
      // NaN (not plain), negative zero and absurd values: the string path says why.
      if (!(ms >= 0 && ms <= ABSURD_MS)) return false;
      // + 0 turns -0 into 0 and keeps a double (a `? 0 :` merge with an integer would box it).
      values[v] = ms + 0;
    }
    const session = plan.session === null ? -1 : this.text(buf, starts[plan.session]!, ends[plan.session]!);
    if (session === -2) return false;
    const server = plan.server == null ? -1 : this.text(buf, starts[plan.server]!, ends[plan.server]!);
    if (server === -2) return false;
    const client = plan.clientAddress == null ? -1 : this.text(buf, starts[plan.clientAddress]!, ends[plan.clientAddress]!);
    if (client === -2) return false;
    // The row is taken: its values count towards the unit check (ValueRange.add written out: a call
    // per value with a double argument would box it, as `parsedTime` explains).
    const { count, min, max } = this.range;
    for (let v = 0; v < values.length; v++) {
      const ms = values[v]!;
      count[v]++;
      if (ms < min[v]!) min[v] = ms;
      if (ms > max[v]!) max[v] = ms;
    }
    // --assume-tz: the row's time was read in the zone (-1: it had an offset, or no zone is assumed).
    if (this.wallStatus >= 0) this.wallClock!.placed(this.wallStatus, values.length);
    const account = accountHashed ? this.interner.internHashed(buf, accountA, accountB, accountHash) : this.interner.intern(buf, accountA, accountB);

    for (let v = 0; v < values.length; v++) {
      const cols = this.columns; // grow() may replace it between two values of one row
      const i = cols.length;
      cols.account[i] = account;
      cols.session[i] = session;
      cols.server[i] = server;
      cols.clientAddress[i] = client;
      const kind = this.valueKinds[v]!;
      // input_lag (index 4) when neither the column nor the row names a kind, as the string path does.
      cols.kind[i] = kind >= 0 ? kind : rowKind >= 0 ? rowKind : 4;
      // Read from the cell here, not held in a local across the calls below (boxed if it were).
      cols.timeUs[i] = this.parsedTime[0]!;
      cols.valueMs[i] = values[v]!;
      cols.line[i] = line;
      this.appended();
    }
    return true;
  }

  /** One more row is in the batch: room is made for the next. */
  private appended(): void {
    const cols = this.columns;
    cols.length++;
    if (cols.length === cols.account.length) {
      // Small files stay small; large ones reach full batches.
      if (cols.length < BATCH_ROWS) this.grow(); else this.drain();
    }
  }

  /**
   * A sample of a line the string path parsed (texts trimmed as it trims them; session, server
   * and client '' when the file has no such column), into the same batch as the lane's own rows,
   * in input order: such lines (locale dates, padded cells, doubled quotes) then cost what the
   * lane's rows cost downstream, not an object and a call chain per sample. False, and nothing
   * added, for a text that cannot be interned (see `internText`): the caller drains and emits it.
   */
  pushSample(account: string, session: string, server: string, client: string, kind: number, timeUs: number,
    valueMs: number, line: number): boolean {
    const { interner, plan } = this;
    const accountId = interner.internText(account);
    const sessionId = plan.session === null ? -1 : interner.internText(session);
    const serverId = plan.server == null ? -1 : interner.internText(server);
    const clientId = plan.clientAddress == null ? -1 : interner.internText(client);
    if (accountId === -2 || sessionId === -2 || serverId === -2 || clientId === -2) return false;
    const cols = this.columns;
    const i = cols.length;
    cols.account[i] = accountId;
    cols.session[i] = sessionId;
    cols.server[i] = serverId;
    cols.clientAddress[i] = clientId;
    cols.kind[i] = kind;
    cols.timeUs[i] = timeUs;
    cols.valueMs[i] = valueMs;
    cols.line[i] = line;
    this.appended();
    return true;
  }

  /** Interned id of an optional text cell ('' -> id of ''), -2 when trimming would change it. */
  private text(buf: Uint8Array, a: number, b: number): number {
    if (needsTrim(buf, a, b)) return -2;
    return this.interner.intern(buf, a, b);
  }

  // The time of the last cell read by `time`/`isoParse`, in a one-element typed array: a returned
  // double (epoch µs is beyond small integers), or one stored in a field, is a fresh heap number
  // per row, 10M rows of garbage.
  private readonly parsedTime = new Float64Array(1);
  // Time formats seen, noted once each rather than added to the set on every row.
  private sawZoned = false;
  private sawUnzoned = false;

  /** Whether the last time `time` read was a common ISO time (its width may be predicted). */
  private lastTimeIso = false;

  /** Epoch µs of a time cell into `parsedTime`; false for the string path (the caller checks the range). */
  private time(buf: Uint8Array, a: number, b: number): boolean {
    const shape = this.isoParse(buf, a, b);
    this.lastTimeIso = shape === ISO_PARSED;
    if (shape === ISO_INVALID) return false;
    if (shape === ISO_PARSED) this.noteIsoFormat();
    else {
      // Not the common ISO shape: the string path's own parser, on this cell only.
      if (b - a > 64) return false;
      const text = this.decoder.decode(buf.subarray(a, b));
      const parsed = parseTimestamp(text);
      if (parsed !== null) {
        this.parsedTime[0] = parsed.timeUs;
        if (this.wallClock !== null && !this.assumeZone(!parsed.format.endsWith('-no-offset'))) return false;
        this.timeFormats.add(parsed.format);
      } else {
        // A locale date in the order given: the string path's own parser and arithmetic.
        const slash = this.dateOrder === null ? null : parseSlashDate(text, true);
        const timeUs = slash === null ? null : slashDateToUs(slash, this.dateOrder!);
        if (timeUs === null) return false;
        this.parsedTime[0] = timeUs;
        if (this.wallClock !== null && !this.assumeZone(false)) return false;
        this.timeFormats.add(localeDateFormat(this.dateOrder!));
      }
    }
    return true;
  }

  /** What `wallClock` said of the last time read (WALL_UNIQUE, WALL_AMBIGUOUS), -1 for a time with an offset or without --assume-tz. */
  private wallStatus = -1;

  /**
   * --assume-tz: the time in `parsedTime`, read as the zone's wall-clock time unless `zoned`, is
   * made its instant; false for a time the clocks skipped (the string path rejects it).
   */
  private assumeZone(zoned: boolean): boolean {
    if (zoned) { this.wallStatus = -1; return true; }
    this.wallStatus = this.wallClock!.toUtcIn(this.parsedTime);
    return this.wallStatus !== WALL_NONEXISTENT;
  }

  /** The time format of the common ISO time `isoParse` last read, noted once per file. */
  private noteIsoFormat(): void {
    if (this.isoZoned) { if (!this.sawZoned) { this.sawZoned = true; this.timeFormats.add('iso8601'); } }
    else if (!this.sawUnzoned) { this.sawUnzoned = true; this.timeFormats.add('iso8601-no-offset'); }
  }

  /** Whether the time `isoParse` last read had a zone (Z or an offset). */
  private isoZoned = false;

  /**
   * `YYYY-MM-DD[T ]HH:MM:SS[.f…][Z|±HH:MM|±HHMM|±HH]`, the shape nearly every export writes; the
   * same arithmetic as parseTimestamp, into `parsedTime` (and `isoZoned`). ISO_OTHER_SHAPE:
   * parseTimestamp decides. ISO_PARSED only when every byte of [a, b) is one such a time holds
   * (digits, - : . , T t space Z z + -): `row` relies on it to take a cell at a predicted width.
   */
  private isoParse(buf: Uint8Array, a: number, b: number): IsoShape {
    if (b - a < 19 || buf[a + 4] !== 0x2d || buf[a + 7] !== 0x2d || buf[a + 13] !== 0x3a || buf[a + 16] !== 0x3a) return ISO_OTHER_SHAPE;
    const sep = buf[a + 10];
    if (sep !== 0x54 && sep !== 0x20 && sep !== 0x74) return ISO_OTHER_SHAPE;
    const d = this.lastDate;
    if (!(d[0] === buf[a] && d[1] === buf[a + 1] && d[2] === buf[a + 2] && d[3] === buf[a + 3] && d[5] === buf[a + 5]
      && d[6] === buf[a + 6] && d[8] === buf[a + 8] && d[9] === buf[a + 9]) || Number.isNaN(this.lastDateMs[0]!)) {
      const y1 = two(buf, a);
      const y2 = two(buf, a + 2);
      const month = two(buf, a + 5);
      const day = two(buf, a + 8);
      if (y1 < 0 || y2 < 0 || month < 0 || day < 0) return ISO_OTHER_SHAPE;
      const year = y1 * 100 + y2;
      if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return ISO_INVALID;
      this.lastDateMs[0] = Date.UTC(year, month - 1, day);
      for (let i = 0; i < 10; i++) d[i] = buf[a + i]!;
    }
    const hour = two(buf, a + 11);
    const minute = two(buf, a + 14);
    const second = two(buf, a + 17);
    if (hour < 0 || minute < 0 || second < 0) return ISO_OTHER_SHAPE;
    if (hour > 23 || minute > 59 || second > 60) return ISO_INVALID;
    let i = a + 19;
    let fracUs = 0;
    if (i < b && (buf[i] === 0x2e || buf[i] === 0x2c)) {
      i++;
      const fracStart = i;
      while (i < b && digitAt(buf, i) >= 0) i++;
      const digits = i - fracStart;
      if (digits < 1 || digits > 9) return ISO_OTHER_SHAPE;
      // parseTimestamp keeps the first six digits (µs) and floors: the same, in integers.
      for (let k = 0; k < 6; k++) fracUs = fracUs * 10 + (k < digits ? buf[fracStart + k]! - 48 : 0);
    }
    let offsetMin = 0;
    let zoned = false;
    if (i < b) {
      const c = buf[i]!;
      if ((c === 0x5a || c === 0x7a) && i + 1 === b) zoned = true;
      else if (c === 0x2b || c === 0x2d) {
        const rest = b - i - 1;
        const oh = two(buf, i + 1);
        let om = 0;
        if (rest === 2) om = 0;
        else if (rest === 5 && buf[i + 3] === 0x3a) om = two(buf, i + 4);
        else if (rest === 4) om = two(buf, i + 3);
        else return ISO_OTHER_SHAPE;
        if (oh < 0 || om < 0) return ISO_OTHER_SHAPE;
        if (oh > 18 || om > 59) return ISO_INVALID;
        offsetMin = (c === 0x2d ? -1 : 1) * (oh * 60 + om);
        zoned = true;
      } else return ISO_OTHER_SHAPE;
    }
    this.isoZoned = zoned;
    const ms = this.lastDateMs[0]! + hour * 3_600_000 + minute * 60_000 + Math.min(second, 59) * 1000 - offsetMin * 60000;
    this.parsedTime[0] = ms * 1000 + fracUs;
    // Without --assume-tz this test is all it costs.
    if (this.wallClock !== null && !this.assumeZone(zoned)) return ISO_INVALID;
    return ISO_PARSED;
  }
}

/** Where `plainDecimalInto` leaves its result: a returned double is a heap number per row. */
const DECIMAL = new Float64Array(1);

/**
 * `digits[.digits]` (no sign, exponent or space; no '.' unless `points`) as a double into DECIMAL[0];
 * NaN otherwise. m / 10^k of exact integers is correctly rounded, so it equals Number(text) bit for
 * bit while m < 2^53.
 */
function plainDecimalInto(buf: Uint8Array, a: number, b: number, points: boolean): void {
  DECIMAL[0] = NaN;
  if (b <= a || b - a > 17) return;
  let m = 0;
  let scale = -1;
  let digits = 0;
  for (let i = a; i < b; i++) {
    const c = buf[i]!;
    if (c === 0x2e) {
      if (scale >= 0 || !points) return;
      scale = 0;
      continue;
    }
    const d = c - 48;
    if (d < 0 || d > 9) return;
    m = m * 10 + d;
    digits++;
    if (scale >= 0) scale++;
  }
  if (digits === 0 || digits > 15) return;
  DECIMAL[0] = scale > 0 ? m / POW10[scale]! : m;
}
