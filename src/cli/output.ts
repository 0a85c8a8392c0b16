// The only place that decides colour and writes results: stdout, or a file given with -o.
import { createWriteStream } from 'node:fs';
import { resolve } from 'node:path';
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
    stream.end(text, () => resolvePromise());
  });
}

/** Write to stdout; a closed pipe (e.g. `| head`) ends quietly. */
export async function writeStdout(text: string): Promise<void> {
  await new Promise<void>((resolvePromise) => {
    process.stdout.write(text, () => resolvePromise());
  });
}
