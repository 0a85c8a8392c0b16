// The one small interface every input format implements.
import type { Kind } from '../types.js';
import type { ColumnOptions } from './columns.js';

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
  /** A value or a row not used: counted by reason, listed with --rejects, fatal with --strict. */
  reject(line: number, reason: string, detail: string): void;
  /** A line for the report header (format details, time format, column mapping). */
  note(text: string): void;
}

export interface AdapterResult {
  /** Records (rows, lines, packets) read, whether or not they gave samples. */
  records: number;
  /** Human label of the concrete dialect, e.g. "CSV (',')". */
  dialect: string;
  /** Time formats seen, e.g. ['iso8601']. */
  timeFormats: string[];
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
   * 0 = not this format, 1 = certainly this format; decided from the first bytes only.
   * `head` is the start decoded as text (UTF-8, or UTF-16/Windows-1252 re-encoded); `bytes` the raw start.
   */
  detect(head: string, bytes: Buffer): number;
  read(chunks: AsyncIterable<Buffer>, ctx: AdapterContext): Promise<AdapterResult>;
}
