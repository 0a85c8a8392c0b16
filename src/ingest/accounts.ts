// Account names from evidence files are matched after one documented normalisation:
//   1. Unicode NFKC, trim, lower case;
//   2. `DOMAIN\user` -> `user` (the last backslash-separated part);
//   3. `user@domain` -> `user` (the part before the first '@'; a user part never holds one).
// So `CORP\JDoe`, `jdoe@corp.example` and `jdoe` are one account. The raw spellings are kept as aliases.
// A mailbox written with its display name (`John Doe <jdoe@corp.example>`) is its address; a cell that
// holds a placeholder for no user (`-`, `N/A`, `NULL`, `(null)`, `unknown`, ...) names no account.
import { readFile } from 'node:fs/promises';
import { inputError } from '../errors.js';
import { noEntryPattern } from '../placeholders.js';

/**
 * What exports write in a user cell when there is no user: Windows events `-`, SQL and PowerShell
 * `NULL`/`(null)`, Excel `#N/A`, and the like. Each became an account of its own, pooling every
 * user-less row and counting as a peer of the real accounts.
 */
const ACCOUNT_PLACEHOLDER_RE = noEntryPattern(String.raw`\((?:null|none|unknown)\)|\(?no user\)?|\(?not available\)?`);

/** True when a user cell holds a placeholder for no user rather than a name (any case, trimmed). */
export function isAccountPlaceholder(raw: string): boolean {
  return ACCOUNT_PLACEHOLDER_RE.test(raw.normalize('NFKC').trim().toLowerCase());
}

/** `Display Name <address>` (also quoted display names): the address in the angle brackets. */
const MAILBOX_RE = /^[^<>]*<\s*([^<>\s]+@[^<>\s]+)\s*>$/;

export function normaliseAccount(raw: string): string {
  return accountParts(raw).key;
}

/**
 * A name's account key and the domains normalisation drops from it ('' when none): the Windows
 * domain before its last backslash (`CORP` of `CORP\\jdoe`), the email domain after its '@'.
 */
function accountParts(raw: string): { key: string; windowsDomain: string; emailDomain: string } {
  let key = raw.normalize('NFKC').trim().toLowerCase();
  if (isAccountPlaceholder(key)) return { key: '', windowsDomain: '', emailDomain: '' };
  const mailbox = MAILBOX_RE.exec(key);
  if (mailbox !== null) key = mailbox[1]!;
  let windowsDomain = '';
  let emailDomain = '';
  const backslash = key.lastIndexOf('\\');
  if (backslash >= 0 && backslash < key.length - 1) { windowsDomain = key.slice(0, backslash); key = key.slice(backslash + 1); }
  const at = key.indexOf('@');
  if (at > 0) { emailDomain = key.slice(at + 1); key = key.slice(0, at); }
  return { key: key.trim(), windowsDomain, emailDomain };
}

/**
 * The domains that normalisation dropped from an account's spellings, when they name more than one
 * of a kind: email domains (`jdoe@corp.example`, `jdoe@vendor.example`) or Windows domains
 * (`CORP\\jdoe`, `VENDOR\\jdoe`). One of each kind (`CORP\\jdoe` and `jdoe@corp.example`) is the
 * usual one person; two of a kind may be two people merged into one account. Empty when not.
 */
export function mixedDomains(aliases: readonly string[]): string[] {
  const email = new Set<string>();
  const windows = new Set<string>();
  for (const alias of aliases) {
    const { windowsDomain, emailDomain } = accountParts(alias);
    if (windowsDomain !== '') windows.add(`${windowsDomain}\\`);
    if (emailDomain !== '') email.add(`@${emailDomain}`);
  }
  const mixed = [...(email.size > 1 ? email : []), ...(windows.size > 1 ? windows : [])];
  return mixed.sort();
}

/**
 * The run's warning about accounts gathering names from more than one domain (mixedDomains), or
 * null when none does. Normalisation drops domains, so two people may have become one account:
 * scans and baseline builds both say so.
 */
export function mergedDomainsWarning(accountKeys: readonly string[], aliasesOf: (key: string) => readonly string[]): string | null {
  const merged = accountKeys.map((key) => ({ key, domains: mixedDomains(aliasesOf(key)) })).filter((m) => m.domains.length > 0);
  if (merged.length === 0) return null;
  const one = merged.length === 1;
  const shown = merged.slice(0, 5).map((m) => `${m.key} (${m.domains.join(', ')})`).join('; ');
  return `${merged.length} account${one ? '' : 's'} gather${one ? 's' : ''} names from more than one domain, read as one account each (domains are dropped from names): ${shown}${merged.length > 5 ? `; and ${merged.length - 5} more` : ''}. If they are different people, their latencies are mixed: see each account's aliases`;
}

/** Share of an account's rows rejected from which the header names it (its figures rest on the rest). */
export const LOST_ROWS_SHARE = 0.2;
/** Fewer rejected rows than this never name an account (a stray bad row is not a lost distribution)... */
export const LOST_ROWS_MIN = 3;

/**
 * The accounts that lost LOST_ROWS_SHARE or more of their rows to rejections, worst first, as a
 * header warning; null when none did. Rejections are counted per raw name (`rejected`), read as
 * accounts as the samples are; `usedOf` is an account's samples used, `skip` its exclusion. Rows
 * rejected as a run are already counted; what this adds is who lost them: an account whose every
 * row was rejected ("1,183" ms, a thousand separator) is not in the report at all.
 */
export function lostRowsWarning(rejected: ReadonlyMap<string, number>, usedOf: (key: string) => number, skip: (key: string) => boolean): string | null {
  const byKey = new Map<string, number>();
  for (const [raw, count] of rejected) {
    const key = normaliseAccount(raw);
    if (key === '' || skip(key)) continue;
    byKey.set(key, (byKey.get(key) ?? 0) + count);
  }
  const lost = [...byKey].map(([key, count]) => ({ key, count, used: usedOf(key) })).map((a) => ({ ...a, share: a.count / (a.count + a.used) }))
    .filter((a) => a.used === 0 || (a.count >= LOST_ROWS_MIN && a.share >= LOST_ROWS_SHARE))
    .sort((a, b) => b.share - a.share || b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  if (lost.length === 0) return null;
  const shown = lost.slice(0, 5).map((a) => (a.used === 0
    ? `${a.key} ${a.count.toLocaleString('en-US')} of ${a.count.toLocaleString('en-US')} (none left: not in the report)`
    : `${a.key} ${a.count.toLocaleString('en-US')} of ${(a.count + a.used).toLocaleString('en-US')} (${Math.round(100 * a.share)} %)`)).join('; ');
  return `${lost.length} account${lost.length === 1 ? '' : 's'} lost ${Math.round(100 * LOST_ROWS_SHARE)} % or more of ${lost.length === 1 ? 'its' : 'their'} rows to rejections, `
    + `so ${lost.length === 1 ? 'its' : 'their'} figures rest on the rows left: ${shown}${lost.length > 5 ? `; and ${lost.length - 5} more` : ''} (--rejects FILE lists the rows)`;
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
