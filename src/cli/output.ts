// The only place that decides colour and writes results: stdout, or a file given with -o.
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { usageError } from '../errors.js';

/** Colour once, here: only on a TTY, never with NO_COLOR (any non-empty value) or --no-color. */
export function decideColor(optionColor: boolean, toFile: boolean, env: NodeJS.ProcessEnv, isTty: boolean): boolean {
  if (!optionColor || toFile) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  return isTty;
}

/** Outputs must never overwrite evidence: refuse a path that is also an input. */
export function guardOutputPath(outPath: string, inputs: string[], what: string): void {
  const target = resolve(outPath);
  if (inputs.some((p) => p !== '-' && resolve(p) === target)) {
    throw usageError(`${what} '${outPath}' is one of the inputs; evidence files are never written`);
  }
}

export async function writeFileText(path: string, text: string): Promise<void> {
  await writePieces(path, [text]);
}

/** Write to stdout; a closed pipe (e.g. `| head`) ends quietly. */
export async function writeStdout(text: string): Promise<void> {
  await writePieces(null, [text]);
}

/** Slices of 1 MiB characters: a 100 MB piece is never copied into one 100 MB buffer. */
const SLICE = 1 << 20;

/**
 * Writes pieces of text as they come (to the file at `path`, or stdout when null), waiting for the
 * stream to drain, so a report rendered piece by piece is never held whole. Returns the SHA-256 of
 * everything written. On stdout a closed pipe ends quietly (main.ts turns EPIPE into exit 0).
 */
export async function writePieces(path: string | null, pieces: Iterable<string>): Promise<string> {
  const hash = createHash('sha256');
  const stream: NodeJS.WritableStream = path === null ? process.stdout : createWriteStream(path, { flags: 'w' });
  let failure: Error | null = null;
  let closed = false;
  const waiters: (() => void)[] = [];
  const wake = (): void => { for (const w of waiters.splice(0)) w(); };
  const onError = (err: Error): void => {
    if (path === null) closed = true; else failure = err;
    wake();
  };
  stream.on('error', onError);
  const drained = (): Promise<void> => new Promise((resolveDrain) => {
    waiters.push(resolveDrain);
    stream.once('drain', wake);
  });
  // Each piece is encoded at once and the bytes gathered up to a slice before each write: a write
  // per piece waited for the stream to drain every few KB (~0.5 s of idle time at 10,000 accounts).
  // Bytes, not text: a slice joined as one string is a 1 MiB string in V8's large-object space,
  // which only a full collection frees, so 85 MB of them piled up between collections while a
  // report was written (10M rows: peak 275 -> 262 MiB).
  let gathered: Buffer[] = [];
  let gatheredBytes = 0;
  const flush = async (): Promise<void> => {
    if (gatheredBytes === 0) return;
    const bytes = gathered.length === 1 ? gathered[0]! : Buffer.concat(gathered, gatheredBytes);
    gathered = [];
    gatheredBytes = 0;
    // Encoded once: the same bytes are hashed and written.
    hash.update(bytes);
    if (!stream.write(bytes)) await drained();
  };
  try {
    for (const piece of pieces) {
      let at = 0;
      while (at < piece.length && !closed && failure === null) {
        // Only a huge piece is cut, never inside a surrogate pair (each half alone would be
        // encoded as U+FFFD).
        let end = piece.length - at <= 2 * SLICE ? piece.length : at + SLICE;
        const last = piece.charCodeAt(end - 1);
        if (end < piece.length && last >= 0xd800 && last <= 0xdbff) end--;
        const bytes = Buffer.from(at === 0 && end === piece.length ? piece : piece.slice(at, end), 'utf8');
        at = end;
        gathered.push(bytes);
        gatheredBytes += bytes.length;
        if (gatheredBytes >= SLICE) await flush();
      }
      if (closed || failure !== null) break;
    }
    if (!closed && failure === null) await flush();
    if (path !== null && failure === null) {
      await new Promise<void>((resolveEnd) => { waiters.push(resolveEnd); stream.end(wake); });
    }
  } finally {
    stream.removeListener('error', onError);
    if (path !== null && failure === null) stream.on('error', () => undefined);
  }
  if (failure !== null) throw failure;
  return hash.digest('hex');
}

/** Folder for the files a report writes beside itself (md charts): `case.md` -> `case-charts`, relative to the report's folder. */
export function chartDirFor(outPath: string): string {
  const base = basename(outPath);
  return `${base.replace(/\.[^.]*$/, '') || base}-charts`;
}

/**
 * Write the files a renderer returned beside the report at `outPath` (their paths are relative
 * to its folder). A path that is absolute, climbs out with `..` or names an input is refused.
 */
export async function writeBesideReport(
  outPath: string,
  files: readonly { path: string; text: string }[],
  inputs: string[],
): Promise<{ path: string; sha256: string }[]> {
  const written: { path: string; sha256: string }[] = [];
  for (const f of files) {
    const segments = f.path.split('/');
    if (f.path.startsWith('/') || segments.some((s) => s === '' || s === '.' || s === '..' || s.includes('\\'))) {
      throw new Error(`refusing to write a report file outside the report's folder: ${f.path}`);
    }
    const target = join(dirname(outPath), ...segments);
    guardOutputPath(target, inputs, 'chart file');
    await mkdir(dirname(target), { recursive: true });
    await writeFileText(target, f.text);
    written.push({ path: target, sha256: createHash('sha256').update(f.text).digest('hex') });
  }
  return written;
}
