// The one small interface every input format implements.
import type { ColumnGroups } from './group-rows.js';
import { KINDS, type Kind } from '../types.js';
import type { ColumnOptions } from './columns.js';
import type { RotationCarry, RotationLink, RotationStart } from './rotation.js';

/** What an adapter hands on for each measurement (account not yet normalised). */
export interface RawSample {
  account: string;
  session: string;
  timeUs: number;
  kind: Kind;
  valueMs: number;
  line: number;
  /** The source's own row identifier (CorrelationId, packet number...), for traceability. */
  sourceId?: string;
  /** Client address as the source states it (for IP-location checks and linked accounts). */
  clientAddress?: string;
  /** Server (or region) the round trip went to, as the source names it; located through --servers. */
  server?: string;
}

/**
 * Samples in columns, for fast paths: one batch instead of one object per sample. The id columns
 * index `texts` (-1: none); `texts` is append-only for the whole file, so consumers may cache by id.
 * `kind` indexes KINDS. A batch is read synchronously by the consumer and then reused.
 */
export interface SampleColumns {
  length: number;
  texts: readonly string[];
  /**
   * Present when the rows are grouped by (account id, kind), not in input order (group-rows.ts):
   * only a consumer that asked for it (IngestRequest.groupedColumns) is given such a batch.
   */
  groups?: ColumnGroups;
  account: Int32Array;
  session: Int32Array;
  server: Int32Array;
  clientAddress: Int32Array;
  kind: Uint8Array;
  timeUs: Float64Array;
  valueMs: Float64Array;
  line: Float64Array;
}

/** Adapter-specific options from the command line; adapters read only what concerns them. */
export interface AdapterOptions {
  [name: string]: string | undefined;
}

/**
 * Data that side files (user joins such as WVDConnections, qwinsta listings, account maps) leave
 * for the sample files of the same run. Side files are read first, whatever their order on the
 * command line. Keys are namespaced by the adapter that writes them.
 */
export class SideData {
  private readonly entries = new Map<string, unknown>();
  get<T>(key: string): T | undefined { return this.entries.get(key) as T | undefined; }
  set<T>(key: string, value: T): void { this.entries.set(key, value); }
  has(key: string): boolean { return this.entries.has(key); }
}

/** Limits every adapter honours; each, when hit, is an error or a counted rejection, never silent. */
export interface ReadLimits {
  /** Longest record (line, or quoted multi-line record) in bytes. */
  maxRecordBytes: number;
  /** Most fields in a header or record. */
  maxFields: number;
}

export const DEFAULT_READ_LIMITS: ReadLimits = { maxRecordBytes: 32 * 1024 * 1024, maxFields: 10_000 };

export interface AdapterContext {
  /** Input path as given (`-` for stdin). */
  file: string;
  limits: ReadLimits;
  columns: ColumnOptions;
  options: AdapterOptions;
  side: SideData;
  emit(sample: RawSample): void;
  /** The same as `emit` for each row of a column batch, in order (fast paths; see `emitBatch`). */
  emitColumns?(batch: SampleColumns): void;
  /**
   * A value or a row not used: counted by reason, listed with --rejects, fatal with --strict.
   * `account`: the row's raw account name where it was read (counted per account: an account that
   * loses most of its rows is named in the header, never left to vanish from the report).
   */
  reject(line: number, reason: string, detail: string, account?: string): void;
  /** A line for the report header (format details, time format, column mapping). */
  note(text: string): void;
  /** A warning about this input that comes after its `read` returned (a rotation ended later); ingest sets it. */
  warn?(text: string): void;
  /** This file is one of a rotation group (rotation.ts), read in time order: the adapter may continue the previous file's capture. */
  rotation?: RotationLink;
}

export interface AdapterResult {
  /** Records (rows, lines, packets) read, whether or not they gave samples. */
  records: number;
  /** Human label of the concrete dialect, e.g. "CSV (',')". */
  dialect: string;
  /** Time formats seen, e.g. ['iso8601']. */
  timeFormats: string[];
  /** What the report's header should warn of about this input (e.g. values that do not fit their assumed unit). */
  warnings?: string[];
  /**
   * --assume-tz, from an adapter that applies it (the generic one): every time of the input written
   * without an offset was read in `zone`. `samples` read so, `ambiguous` of them in an hour read
   * twice (earlier instant), `nonexistent` rows rejected for a time the clocks skipped.
   */
  assumedZone?: { zone: string; samples: number; ambiguous: number; nonexistent: number };
}

export interface InputAdapter {
  name: string;
  /** 'side': a file that only feeds joins for other inputs (read first, emits no samples). Default 'samples'. */
  role?: 'samples' | 'side';
  /** One line for `keylag formats`. */
  description: string;
  example: string;
  /** Reads bytes as they are (captures): no text decoding, detection sees the raw bytes. */
  binary?: boolean;
  /**
   * `read` never touches a chunk, or a view of one, after asking for the next (it copies what it
   * keeps): a file may then be read into reused buffers (open.ts, `lendChunks`).
   */
  lendableChunks?: boolean;
  /**
   * `read` may run in a reader thread (parallel-read.ts): it uses no side data, and of its context
   * only emit, emitColumns, reject and note, whose calls reach the main thread in order.
   */
  parallelRead?: boolean;
  /**
   * 0 = not this format, 1 = certainly this format; decided from the first bytes only.
   * `head` is the start decoded as text (UTF-8, or UTF-16/Windows-1252 re-encoded); `bytes` the raw start.
   */
  detect(head: string, bytes: Buffer): number;
  read(chunks: AsyncIterable<Buffer>, ctx: AdapterContext): Promise<AdapterResult>;
  /**
   * Captures that may be rotated (rotation.ts): the format, link type and first packet time from the
   * head, or null. Files of one group are then read one after the other with `ctx.rotation`.
   */
  rotationStart?(head: Buffer): Promise<RotationStart | null>;
  /** Ends what a rotation group left open (its last file failed to read, --keep-going). */
  endRotation?(carried: RotationCarry): void;
}

/** Index of each kind in KINDS: what `SampleColumns.kind` holds. */
export const KIND_INDEX: ReadonlyMap<Kind, number> = new Map<Kind, number>(KINDS.map((k, i) => [k, i]));

/** Unrolls a column batch into RawSample objects, for consumers without a batch path. */
export function unrollColumns(batch: SampleColumns, onSample: (raw: RawSample) => void): void {
  const { texts } = batch;
  for (let i = 0; i < batch.length; i++) {
    const session = batch.session[i]!;
    const raw: RawSample = {
      account: texts[batch.account[i]!]!, session: session < 0 ? '' : texts[session]!, timeUs: batch.timeUs[i]!,
      kind: KINDS[batch.kind[i]!]!, valueMs: batch.valueMs[i]!, line: batch.line[i]!,
    };
    const server = batch.server[i]!;
    const client = batch.clientAddress[i]!;
    if (server >= 0 && texts[server] !== '') raw.server = texts[server]!;
    if (client >= 0 && texts[client] !== '') raw.clientAddress = texts[client]!;
    onSample(raw);
  }
}

/** Hands a batch to the context: in columns where it takes them, else sample by sample. */
export function emitBatch(ctx: AdapterContext, batch: SampleColumns): void {
  if (ctx.emitColumns) ctx.emitColumns(batch);
  else unrollColumns(batch, (raw) => ctx.emit(raw));
}
