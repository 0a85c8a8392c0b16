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
}

export interface AdapterContext {
  /** Input path as given (`-` for stdin). */
  file: string;
  columns: ColumnOptions;
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
  /** One line for `keylag formats`. */
  description: string;
  example: string;
  /** 0 = not this format, 1 = certainly this format; decided from the first bytes only. */
  detect(head: string): number;
  read(chunks: AsyncIterable<Buffer>, ctx: AdapterContext): Promise<AdapterResult>;
}
