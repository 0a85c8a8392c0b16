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
  await new Promise<void>((resolvePromise, reject) => {
    const stream = createWriteStream(path, { flags: 'w' });
    stream.on('error', reject);
    writeInSlices(stream, text, () => stream.end(() => resolvePromise()));
  });
}

/** Write to stdout; a closed pipe (e.g. `| head`) ends quietly. */
export async function writeStdout(text: string): Promise<void> {
  await new Promise<void>((resolvePromise) => {
    writeInSlices(process.stdout, text, resolvePromise);
  });
}

/** Slices of 1 MiB characters: a 100 MB report is never copied into one 100 MB buffer. */
const SLICE = 1 << 20;

function writeInSlices(stream: NodeJS.WritableStream, text: string, done: () => void): void {
  let at = 0;
  let finished = false;
  const finish = (): void => { if (!finished) { finished = true; done(); } };
  const next = (): void => {
    while (at < text.length) {
      const slice = text.slice(at, at + SLICE);
      at += SLICE;
      const last = at >= text.length;
      const ok = stream.write(slice, last ? () => finish() : undefined);
      if (last) return;
      if (!ok) { stream.once('drain', next); return; }
    }
    finish();
  };
  // A closed pipe never drains: end quietly (main.ts turns EPIPE into exit 0).
  stream.once('error', finish);
  next();
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
