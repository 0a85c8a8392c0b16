// Known exceptions (`--allow FILE`): accounts, sites or client addresses that legitimately show a
// signal (a sanctioned jump host, approved travel). An allowed account is still scored and shown;
// the entry only keeps it from tripping the `--fail-on` gate, and only until its expiry.
// Parsing and validation live here (one-line errors naming file and line); matching is pure.
import { readFile, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { parse as parseCsv } from 'csv-parse/sync';
import { createRequire } from 'node:module';
import type { LineCounter, Node as YamlNode } from 'yaml';
import ipaddr from 'ipaddr.js';
import type { AllowedStatus, AllowListInfo, SourceRef } from '../types.js';
import { inputError } from '../errors.js';
import { normaliseAccount } from '../ingest/accounts.js';
import { parseTimestamp, formatTimeUs } from '../ingest/time.js';

// The YAML parser loads on the first allow list read (~20 ms of every start otherwise, for a
// flag most runs do not give); synchronously, as parseAllowYaml is.
let yamlModule: typeof import('yaml') | null = null;
function yaml(): typeof import('yaml') {
  yamlModule ??= createRequire(import.meta.url)('yaml') as typeof import('yaml');
  return yamlModule;
}

export type AllowMatchKind = 'account' | 'site' | 'address';

export interface AllowEntry {
  matchedBy: AllowMatchKind;
  /** The account name / pattern, site or address / CIDR as written. */
  match: string;
  reason: string;
  owner: string;
  /** As written (a date or a date-time), or null when the entry does not expire. */
  expires: string | null;
  /** First instant at which the entry no longer applies (µs); a date means through the end of that UTC day. */
  expiresAtUs: number | null;
  source: SourceRef;
  /** Compiled matcher for this entry's kind. */
  test: (value: string) => boolean;
}

export interface AllowList {
  path: string;
  sha256: string;
  format: 'yaml' | 'csv';
  entries: AllowEntry[];
}

const FIELDS = ['account', 'site', 'address', 'reason', 'owner', 'expires'] as const;
type Field = (typeof FIELDS)[number];
const MATCH_FIELDS: readonly AllowMatchKind[] = ['account', 'site', 'address'];
const DAY_US = 86_400_000_000;

function siteKey(s: string): string {
  return s.normalize('NFKC').trim().toLowerCase();
}

function globRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}

/** An address or CIDR range as a predicate over address text; null when it is neither. */
export function addressMatcher(text: string): ((address: string) => boolean) | null {
  const t = text.trim();
  let range: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    if (t.includes('/')) range = ipaddr.parseCIDR(t);
    else {
      if (!ipaddr.isValid(t)) return null;
      const a = ipaddr.parse(t);
      range = [a, a.kind() === 'ipv4' ? 32 : 128];
    }
  } catch {
    return null;
  }
  const [base, bits] = range;
  return (address: string) => {
    let a: ipaddr.IPv4 | ipaddr.IPv6;
    try {
      // Sources write client addresses with a port now and then (`203.0.113.7:50122`); IPv6 in brackets.
      const bare = address.trim().replace(/^\[([^\]]+)\](?::\d+)?$/, '$1').replace(/^(\d+\.\d+\.\d+\.\d+):\d+$/, '$1');
      a = ipaddr.process(bare); // IPv4-mapped IPv6 becomes IPv4
    } catch {
      return false;
    }
    const b = base.kind() === 'ipv6' && (base as ipaddr.IPv6).isIPv4MappedAddress() ? (base as ipaddr.IPv6).toIPv4Address() : base;
    const bBits = b !== base ? Math.max(0, bits - 96) : bits;
    if (a.kind() !== b.kind()) return false;
    return a.match(b, bBits);
  };
}

/** Validate one entry's fields (all strings by now); `at` gives the line of a field, for errors. */
function buildEntry(fields: Partial<Record<Field, string>>, file: string, line: number, at: (f: Field) => number): AllowEntry {
  const present = MATCH_FIELDS.filter((f) => fields[f] !== undefined && fields[f]!.trim() !== '');
  if (present.length === 0) throw inputError('allow-list entry names no account, site or address (exactly one is needed)', file, line);
  if (present.length > 1) throw inputError(`allow-list entry names both ${present.join(' and ')} (exactly one per entry)`, file, at(present[1]!));
  const matchedBy = present[0]!;
  const match = fields[matchedBy]!.trim();
  const reason = fields.reason?.trim() ?? '';
  const owner = fields.owner?.trim() ?? '';
  if (reason === '') throw inputError(`allow-list entry for ${matchedBy} '${match}' has no reason (required)`, file, fields.reason === undefined ? line : at('reason'));
  if (owner === '') throw inputError(`allow-list entry for ${matchedBy} '${match}' has no owner (required)`, file, fields.owner === undefined ? line : at('owner'));
  let expires: string | null = null;
  let expiresAtUs: number | null = null;
  const exp = fields.expires?.trim() ?? '';
  if (exp !== '') {
    const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(exp);
    // Only ISO 8601 dates or date-times: an epoch number in an allow file is more likely a typo than a date.
    const parsed = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i.test(exp) ? parseTimestamp(exp) : null;
    if (parsed === null) throw inputError(`allow-list entry for ${matchedBy} '${match}': expires '${exp}' is not a date (YYYY-MM-DD) or ISO 8601 date-time`, file, at('expires'));
    expires = exp;
    expiresAtUs = dateOnly ? parsed.timeUs + DAY_US : parsed.timeUs;
  }
  let test: (value: string) => boolean;
  if (matchedBy === 'account') {
    if (/[*?]/.test(match)) {
      const re = globRegExp(match.normalize('NFKC').trim().toLowerCase());
      test = (k) => re.test(k);
    } else {
      const key = normaliseAccount(match);
      if (key === '') throw inputError(`allow-list account '${match}' normalises to nothing`, file, at('account'));
      test = (k) => k === key;
    }
  } else if (matchedBy === 'site') {
    const key = siteKey(match);
    test = (s) => siteKey(s) === key;
  } else {
    const m = addressMatcher(match);
    if (m === null) throw inputError(`allow-list address '${match}' is not an IP address or CIDR range`, file, at('address'));
    test = m;
  }
  return { matchedBy, match, reason, owner, expires, expiresAtUs, source: { file, line }, test };
}

function lineOf(lc: LineCounter, node: YamlNode | null | undefined, fallback: number): number {
  const offset = node?.range?.[0];
  return offset === undefined ? fallback : lc.linePos(offset).line;
}

function scalarText(node: unknown): string | null {
  if (!yaml().isScalar(node)) return null;
  const v = node.value;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(node.source ?? v);
  if (v === null) return '';
  return null;
}

export function parseAllowYaml(text: string, file: string): AllowEntry[] {
  const lc = new (yaml().LineCounter)();
  // The core schema keeps dates as strings (no implicit timestamps), so `expires` is read as written.
  const doc = yaml().parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const line = e.linePos?.[0]?.line ?? lc.linePos(e.pos[0]).line;
    throw inputError(`invalid YAML: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+.*$/, '')}`, file, line);
  }
  const root = doc.contents;
  if (root === null || (yaml().isScalar(root) && (root.value === null || root.value === ''))) return [];
  let seq: unknown = root;
  // Also accepted: a mapping with one key `exceptions` holding the list.
  if (yaml().isMap(root)) {
    const items = root.items;
    if (items.length !== 1 || !yaml().isScalar(items[0]!.key) || items[0]!.key.value !== 'exceptions') {
      throw inputError('allow list must be a YAML list of entries (or `exceptions:` holding one)', file, lineOf(lc, root, 1));
    }
    seq = items[0]!.value;
  }
  if (!yaml().isSeq(seq)) throw inputError('allow list must be a YAML list of entries (or `exceptions:` holding one)', file, lineOf(lc, root as YamlNode, 1));
  const entries: AllowEntry[] = [];
  for (const item of seq.items) {
    const line = lineOf(lc, item as YamlNode, 1);
    if (!yaml().isMap(item)) throw inputError('allow-list entry is not a mapping (account/site/address, reason, owner, expires)', file, line);
    const fields: Partial<Record<Field, string>> = {};
    const lines: Partial<Record<Field, number>> = {};
    for (const pair of item.items) {
      const keyLine = lineOf(lc, pair.key as YamlNode, line);
      const key = yaml().isScalar(pair.key) ? String(pair.key.value) : null;
      if (key === null || !(FIELDS as readonly string[]).includes(key)) {
        throw inputError(`allow-list entry has an unknown key '${key ?? '?'}' (known: ${FIELDS.join(', ')})`, file, keyLine);
      }
      const value = scalarText(pair.value);
      if (value === null) throw inputError(`allow-list entry: '${key}' must be a single value`, file, lineOf(lc, pair.value as YamlNode, keyLine));
      fields[key as Field] = value;
      lines[key as Field] = lineOf(lc, (pair.value as YamlNode | null) ?? (pair.key as YamlNode), keyLine);
    }
    entries.push(buildEntry(fields, file, line, (f) => lines[f] ?? line));
  }
  return entries;
}

export function parseAllowCsv(text: string, file: string): AllowEntry[] {
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    rows = parseCsv(text, { bom: true, info: true, skip_empty_lines: true, comment: '#', comment_no_infix: true, relax_column_count: true }) as unknown as typeof rows;
  } catch (err) {
    const e = err as { message: string; lines?: number };
    throw inputError(`malformed allow-list CSV: ${e.message.replace(/:.*$/, '')}`, file, e.lines ?? null);
  }
  if (rows.length === 0) return [];
  const header = rows[0]!.record.map((h) => h.trim().toLowerCase());
  const headerLine = rows[0]!.info.lines;
  for (const h of header) {
    if (!(FIELDS as readonly string[]).includes(h)) throw inputError(`allow-list CSV has an unknown column '${h}' (known: ${FIELDS.join(', ')})`, file, headerLine);
  }
  if (!header.includes('reason') || !header.includes('owner')) throw inputError('allow-list CSV needs the columns reason and owner', file, headerLine);
  if (!MATCH_FIELDS.some((f) => header.includes(f))) throw inputError('allow-list CSV needs an account, site or address column', file, headerLine);
  const entries: AllowEntry[] = [];
  for (const row of rows.slice(1)) {
    const line = row.info.lines;
    if (row.record.length !== header.length) {
      throw inputError(`allow-list row has ${row.record.length} fields, the header ${header.length}`, file, line);
    }
    const fields: Partial<Record<Field, string>> = {};
    header.forEach((h, i) => { if (row.record[i]!.trim() !== '') fields[h as Field] = row.record[i]!; });
    entries.push(buildEntry(fields, file, line, () => line));
  }
  return entries;
}

/** YAML or CSV: by extension (.yaml/.yml, .csv), else a CSV header line names the fields. */
export function parseAllowText(text: string, file: string): { format: 'yaml' | 'csv'; entries: AllowEntry[] } {
  const lower = file.toLowerCase();
  let format: 'yaml' | 'csv';
  if (/\.ya?ml$/.test(lower)) format = 'yaml';
  else if (/\.csv$/.test(lower)) format = 'csv';
  else {
    const first = text.replace(/^\uFEFF/, '').split(/\r?\n/).find((l) => l.trim() !== '' && !l.trim().startsWith('#')) ?? '';
    format = /^\s*[a-z_ ]+(,[a-z_ ]+)+\s*$/i.test(first) ? 'csv' : 'yaml';
  }
  return { format, entries: format === 'yaml' ? parseAllowYaml(text, file) : parseAllowCsv(text, file) };
}

export async function readAllowList(path: string): Promise<AllowList> {
  let bytes: Buffer;
  try {
    if ((await stat(path)).isDirectory()) throw inputError('cannot read allow list: is a directory', path);
    bytes = await readFile(path, { flag: 'r' });
  } catch (err) {
    if ((err as { category?: string }).category) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw inputError(`cannot read allow list: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`, path);
  }
  const { format, entries } = parseAllowText(bytes.toString('utf8'), path);
  return { path, sha256: createHash('sha256').update(bytes).digest('hex'), format, entries };
}

/** What the allow list knows about one account. */
export interface AllowSubject {
  account: string;
  site: string | null;
  /** Client addresses seen for the account, with sample counts (from ClientAddressTracker). */
  addresses: { address: string; samples: number }[];
  /** All samples of the account: an address entry covers the account only when it covers every sample. */
  samples: number;
}

export function isExpired(entry: AllowEntry, nowUs: number): boolean {
  return entry.expiresAtUs !== null && nowUs >= entry.expiresAtUs;
}

function entryMatches(entry: AllowEntry, s: AllowSubject): boolean {
  switch (entry.matchedBy) {
    case 'account': return entry.test(s.account);
    case 'site': return s.site !== null && entry.test(s.site);
    case 'address': {
      // Every sample must come from an allowed address: a sanctioned jump host used now and then
      // must not hide the sessions that came from elsewhere.
      const covered = s.addresses.filter((a) => entry.test(a.address)).reduce((n, a) => n + a.samples, 0);
      return s.samples > 0 && covered === s.samples;
    }
  }
}

/**
 * The entry that applies to an account: an unexpired one first (account, then site, then address
 * entries; file order within each), else the expired one that would have applied (reported as such).
 */
export function matchAllow(list: AllowList, s: AllowSubject, nowUs: number): AllowedStatus | null {
  const order: AllowMatchKind[] = ['account', 'site', 'address'];
  const matching = list.entries.filter((e) => entryMatches(e, s))
    .sort((a, b) => order.indexOf(a.matchedBy) - order.indexOf(b.matchedBy));
  const entry = matching.find((e) => !isExpired(e, nowUs)) ?? matching[0];
  if (entry === undefined) return null;
  return {
    reason: entry.reason,
    owner: entry.owner,
    expires: entry.expires,
    expired: isExpired(entry, nowUs),
    matchedBy: entry.matchedBy,
    match: entry.match,
    entrySource: { ...entry.source },
  };
}

/** The header's record of the allow list: path, SHA-256, every entry with its state at `now`. */
export function allowListInfo(list: AllowList, nowUs: number, matchedAccounts: Map<AllowEntry, number>): AllowListInfo {
  return {
    path: list.path,
    sha256: list.sha256,
    format: list.format,
    entries: list.entries.map((e) => ({
      matchedBy: e.matchedBy,
      match: e.match,
      reason: e.reason,
      owner: e.owner,
      expires: e.expires,
      expiresAt: e.expiresAtUs === null ? null : formatTimeUs(e.expiresAtUs),
      expired: isExpired(e, nowUs),
      accounts: matchedAccounts.get(e) ?? 0,
      source: { ...e.source },
    })),
  };
}

/** The entry objects that match an account (for the header's per-entry account counts). */
export function matchingEntries(list: AllowList, s: AllowSubject): AllowEntry[] {
  return list.entries.filter((e) => entryMatches(e, s));
}

/**
 * Set `allowed` on every account report (null when no entry matches) and give the header's record
 * of the list and its warnings: each expired entry, and each account it no longer covers.
 */
export function applyAllowList(
  list: AllowList,
  accounts: { account: string; site: string | null; samples: number; allowed?: AllowedStatus | null }[],
  addressesOf: (account: string) => { address: string; samples: number }[],
  nowUs: number,
): { info: AllowListInfo; warnings: string[] } {
  const counts = new Map<AllowEntry, number>();
  /** Accounts whose applicable entry has expired, per entry line (one warning per entry, not per account). */
  const lapsed = new Map<number, string[]>();
  for (const a of accounts) {
    const subject: AllowSubject = { account: a.account, site: a.site, addresses: addressesOf(a.account), samples: a.samples };
    for (const e of matchingEntries(list, subject)) counts.set(e, (counts.get(e) ?? 0) + 1);
    a.allowed = matchAllow(list, subject, nowUs);
    if (a.allowed?.expired) lapsed.set(a.allowed.entrySource.line, [...(lapsed.get(a.allowed.entrySource.line) ?? []), a.account]);
  }
  const warnings: string[] = [];
  for (const e of list.entries) {
    if (!isExpired(e, nowUs)) continue;
    const names = lapsed.get(e.source.line) ?? [];
    const shown = names.slice(0, 5).join(', ') + (names.length > 5 ? `, and ${names.length - 5} more` : '');
    warnings.push(`allow-list entry ${e.source.file}:${e.source.line} for ${e.matchedBy} '${e.match}' expired ${e.expires}: `
      + (names.length > 0 ? `not applied; ${names.length} account(s) no longer exempt from --fail-on (${shown})` : 'not applied (it matched no account of this run)'));
  }
  return { info: allowListInfo(list, nowUs, counts), warnings };
}
