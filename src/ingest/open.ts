// Opening inputs: files (read-only) or stdin, transparent gzip, SHA-256 of the bytes as given
// (the compressed bytes for .gz: that is the file a custodian holds).
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { inputError } from '../errors.js';

/** What opening tells of an input before it is read. */
export interface OpenedFacts {
  sizeBytes: number | null;
  mtime: string | null;
  compressed: boolean;
}

/** Of an input read to the end: SHA-256 of its bytes as given, and how many (compressed and not). */
export interface InputDigest {
  sha256: string;
  bytesRead: number;
  decompressedBytes: number;
}

export interface OpenedInput extends OpenedFacts {
  path: string;
  /** Decompressed bytes, in order. */
  chunks: AsyncIterable<Buffer>;
  /** First decompressed bytes (up to ~64 KiB), for format detection; also the start of `chunks`. */
  head: Buffer;
  /** Release the file without reading further (after a look at the head). */
  close(): void;
  /** Bytes of the file (compressed, for gzip) read so far: for progress reports. */
  bytesSoFar(): number;
  /** Valid once `chunks` has been consumed to the end. */
  digest(): InputDigest;
}

export interface OpenLimits {
  /** Absolute cap on decompressed bytes of one input. */
  maxDecompressedBytes: number;
  /** Decompressed/compressed ratio allowed once past `ratioGraceBytes` (gzip bomb guard). */
  maxCompressionRatio: number;
  ratioGraceBytes: number;
}

export const DEFAULT_OPEN_LIMITS: OpenLimits = {
  maxDecompressedBytes: 64 * 1024 ** 3,
  maxCompressionRatio: 200,
  // No real export compresses 200:1; 32 MB is enough to judge and small enough to stop a bomb early.
  ratioGraceBytes: 32 * 1024 ** 2,
};

const HEAD_BYTES = 64 * 1024;
/** Bytes per read of a file. */
const READ_CHUNK = 1 << 18;
/** Bytes per read of a small file, at least. */
const MIN_READ_CHUNK = 1 << 14;

/**
 * Bytes per read of a regular file of `sizeBytes` (null: a stream of unknown size): no more than it
 * needs. A run over thousands of small exports allocated 256 KiB per read buffer (four of them when
 * lent) for each file, and V8 collected its heap for that garbage: 2,000 files of 100 rows took
 * 9.0 s, 4 of them in the garbage collector (4.9 s with this and smaller starting sizes in the
 * byte lane).
 */
export function readChunkFor(sizeBytes: number | null): number {
  return sizeBytes === null ? READ_CHUNK : Math.min(READ_CHUNK, Math.max(MIN_READ_CHUNK, sizeBytes + 1));
}
/** Buffers a lent read cycles through (see `OpenOptions.lendChunks`). */
const LENT_POOL = 4;

export interface OpenOptions {
  /**
   * The consumer never touches a chunk (or a view of one) after asking for the next, and copies
   * what it keeps: a regular file is then read into a few reused buffers (zlib gets copies). A fresh
   * 256 KiB buffer per read is garbage that V8 frees only at its next collection, and the allocator
   * keeps what it freed: at 100M rows that was ~25 MB of the peak (issue 7).
   */
  lendChunks?: boolean;
}

/**
 * A regular file read into LENT_POOL reused buffers, in order, one read ahead of the consumer (as a
 * read stream is); the handle closes at the end or on return().
 */
async function* lentFileChunks(path: string, readChunk: number): AsyncGenerator<Buffer> {
  // Evidence is only ever opened for reading.
  const handle = await open(path, 'r');
  const pool = Array.from({ length: LENT_POOL }, () => Buffer.allocUnsafeSlow(readChunk));
  let ahead: Promise<{ bytesRead: number }> | null = handle.read(pool[0]!, 0, readChunk, null);
  try {
    for (let k = 0; ; k = (k + 1) % LENT_POOL) {
      const { bytesRead } = await ahead!;
      ahead = null;
      if (bytesRead === 0) return;
      // The next buffer is not the consumer's: it holds only the chunk it was given last.
      ahead = handle.read(pool[(k + 1) % LENT_POOL]!, 0, readChunk, null);
      yield pool[k]!.subarray(0, bytesRead);
    }
  } finally {
    await ahead?.catch(() => undefined);
    await handle.close();
  }
}

/** Fresh copies of lent chunks, for consumers that hold on to what they are given (zlib, csv-parse). */
export async function* copiedChunks(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  for await (const chunk of chunks) yield Buffer.from(chunk);
}

function describeOpenError(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ENOENT': return 'no such file';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'EISDIR': return 'is a directory, not a file';
    default: return err.message;
  }
}

export async function openInput(path: string, stdin: NodeJS.ReadableStream, limits: OpenLimits = DEFAULT_OPEN_LIMITS,
  options: OpenOptions = {}): Promise<OpenedInput> {
  let raw: NodeJS.ReadableStream | AsyncIterable<Buffer>;
  let lent = false;
  // Only a regular file is lent: a FIFO or device given by path streams as before.
  let regularFile = false;
  let sizeBytes: number | null = null;
  let mtime: string | null = null;
  if (path === '-') {
    raw = stdin;
  } else {
    try {
      const st = await stat(path);
      if (st.isDirectory()) throw inputError('is a directory, not a file', path);
      regularFile = st.isFile();
      sizeBytes = st.size;
      mtime = st.mtime.toISOString();
    } catch (err) {
      if ((err as { category?: string }).category) throw err;
      throw inputError(describeOpenError(err as NodeJS.ErrnoException), path);
    }
    lent = options.lendChunks === true && regularFile;
    const readChunk = readChunkFor(regularFile ? sizeBytes : null);
    // Evidence is only ever opened for reading.
    raw = lent ? lentFileChunks(path, readChunk) : createReadStream(path, { flags: 'r', highWaterMark: readChunk });
  }

  const hash = createHash('sha256');
  let bytesRead = 0;
  let decompressedBytes = 0;
  const rawIterator = (raw as AsyncIterable<Buffer>)[Symbol.asyncIterator]();

  async function* hashed(first: Buffer | null): AsyncGenerator<Buffer> {
    if (first) yield first;
    try {
      for (;;) {
        const next = await rawIterator.next();
        if (next.done) return;
        const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
        hash.update(chunk);
        bytesRead += chunk.length;
        yield chunk;
      }
    } catch (err) {
      throw inputError(`read failed: ${describeOpenError(err as NodeJS.ErrnoException)}`, path);
    }
  }

  // Peek the first raw chunk to see whether it is gzip.
  let firstRaw: Buffer | null = null;
  try {
    const first = await rawIterator.next();
    if (!first.done) {
      firstRaw = typeof first.value === 'string' ? Buffer.from(first.value) : first.value;
      hash.update(firstRaw);
      bytesRead += firstRaw.length;
    }
  } catch (err) {
    throw inputError(`read failed: ${describeOpenError(err as NodeJS.ErrnoException)}`, path);
  }
  const compressed = firstRaw !== null && firstRaw.length >= 2 && firstRaw[0] === 0x1f && firstRaw[1] === 0x8b;

  let decoded: AsyncIterable<Buffer>;
  if (compressed) {
    const gunzip = createGunzip();
    Readable.from(lent ? copiedChunks(hashed(firstRaw)) : hashed(firstRaw)).on('error', (e) => gunzip.destroy(e)).pipe(gunzip);
    decoded = (async function* () {
      try {
        for await (const chunk of gunzip as AsyncIterable<Buffer>) {
          decompressedBytes += chunk.length;
          if (decompressedBytes > limits.maxDecompressedBytes) {
            throw inputError(`decompressed size exceeds the limit of ${limits.maxDecompressedBytes} bytes (--max-decompressed-bytes)`, path);
          }
          if (decompressedBytes > limits.ratioGraceBytes && decompressedBytes > limits.maxCompressionRatio * Math.max(bytesRead, 1)) {
            throw inputError(`compression ratio above ${limits.maxCompressionRatio}:1 after ${limits.ratioGraceBytes} bytes: refusing a likely gzip bomb`, path);
          }
          yield chunk;
        }
      } catch (err) {
        if ((err as { category?: string }).category) throw err;
        throw inputError(`not a valid gzip stream: ${(err as Error).message}`, path);
      }
    })();
  } else {
    decoded = (async function* () {
      for await (const chunk of hashed(firstRaw)) {
        decompressedBytes += chunk.length;
        yield chunk;
      }
    })();
  }

  // Collect the head for detection, then replay it at the start of the stream.
  const { head, replay: chunks } = await peekChunks(decoded, HEAD_BYTES, { untilNewline: false, copy: lent });

  let sha256: string | undefined;
  return {
    close: () => {
      if (path === '-') return;
      if (lent) void rawIterator.return?.(undefined);
      else (raw as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
    },
    path,
    chunks,
    head,
    compressed,
    sizeBytes,
    mtime,
    bytesSoFar: () => bytesRead,
    digest: () => {
      sha256 ??= hash.digest('hex');
      return { sha256, bytesRead, decompressedBytes };
    },
  };
}

/**
 * The first chunks of `chunks`, up to `maxBytes` (or through the first newline with
 * `untilNewline`), read ahead and joined, and the whole stream again as `replay`: a reader looks at
 * the head without consuming it. With `copy`, the head's chunks are copied (a lent buffer is
 * reused once the next chunk is asked for).
 */
export async function peekChunks(chunks: AsyncIterable<Buffer>, maxBytes: number, options: { untilNewline: boolean; copy: boolean }): Promise<{
  head: Buffer; replay: AsyncGenerator<Buffer>;
}> {
  const iterator = chunks[Symbol.asyncIterator]();
  const headChunks: Buffer[] = [];
  let headLength = 0;
  let exhausted = false;
  while (headLength < maxBytes) {
    const next = await iterator.next();
    if (next.done) { exhausted = true; break; }
    headChunks.push(options.copy ? Buffer.from(next.value) : next.value);
    headLength += next.value.length;
    if (options.untilNewline && next.value.includes(10)) break;
  }
  const head = Buffer.concat(headChunks);
  const replay = (async function* () {
    if (head.length > 0) yield head;
    if (exhausted) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  })();
  return { head, replay };
}
