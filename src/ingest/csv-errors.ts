// One translation of CSV parser failures into input errors, for every reader built on csv-parse.
import { inputError, isKeylagError } from '../errors.js';

export function recordTooLong(file: string, line: number | null, maxRecordBytes: number): Error {
  return inputError(`a record is longer than the limit of ${maxRecordBytes} bytes (--max-record-bytes)`, file, line);
}

/**
 * A csv-parse error becomes an input error (exit 2 with the line): malformed input is never an
 * internal error. `line` overrides the parser's own count (readers that feed it fragments know better).
 * Anything that is not a csv-parse error is returned unchanged.
 */
export function csvInputError(err: unknown, file: string, line: number | null, maxRecordBytes: number): unknown {
  if (isKeylagError(err) || (err as Error)?.constructor?.name !== 'CsvError') return err;
  const e = err as { code?: string; message: string; lines?: number };
  const at = line ?? e.lines ?? null;
  if (e.code === 'CSV_MAX_RECORD_SIZE') return recordTooLong(file, at, maxRecordBytes);
  const reason = e.message.replace(/\s+at line \d+.*$/s, '').replace(/:.*$/s, '');
  return inputError(`malformed CSV: ${reason}${e.code ? ` (${e.code})` : ''}`, file, at);
}
