// Account names from evidence files are matched after one documented normalisation:
//   1. Unicode NFKC, trim, lower case;
//   2. `DOMAIN\user` -> `user` (the last backslash-separated part);
//   3. `user@domain` -> `user` (the part before the first '@'; a user part never holds one).
// So `CORP\JDoe`, `jdoe@corp.example` and `jdoe` are one account. The raw spellings are kept as aliases.
import { readFile } from 'node:fs/promises';
import { inputError } from '../errors.js';

export function normaliseAccount(raw: string): string {
  let key = raw.normalize('NFKC').trim().toLowerCase();
  const backslash = key.lastIndexOf('\\');
  if (backslash >= 0 && backslash < key.length - 1) key = key.slice(backslash + 1);
  const at = key.indexOf('@');
  if (at > 0) key = key.slice(0, at);
  return key.trim();
}

/** Exclusion list: one name or glob pattern (`*`, `?`) per line; `#` starts a comment. */
export interface ExcludeList {
  patterns: string[];
  matches(key: string): boolean;
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}

export function buildExcludeList(patterns: string[]): ExcludeList {
  const exact = new Set<string>();
  const globs: RegExp[] = [];
  for (const p of patterns) {
    if (/[*?]/.test(p)) globs.push(globToRegExp(p.normalize('NFKC').trim().toLowerCase()));
    else exact.add(normaliseAccount(p));
  }
  return { patterns, matches: (key) => exact.has(key) || globs.some((g) => g.test(key)) };
}

export async function readExcludeFile(path: string): Promise<ExcludeList> {
  let text: string;
  try {
    text = await readFile(path, { encoding: 'utf8', flag: 'r' });
  } catch (err) {
    throw inputError(`cannot read exclude list: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`, path);
  }
  const patterns = text.split(/\r?\n/).map((l) => l.replace(/#.*$/, '').trim()).filter((l) => l.length > 0);
  return buildExcludeList(patterns);
}
