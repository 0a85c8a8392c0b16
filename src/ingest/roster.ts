// Roster: who claims to be where, and which site (peer group) they belong to.
import { readFile, stat } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import type { RosterEntry } from '../types.js';
import { inputError } from '../errors.js';
import { normaliseAccount } from './accounts.js';
import { ACCOUNT_ALIASES, headerForms } from './columns.js';

const ROSTER_ACCOUNT = [...ACCOUNT_ALIASES, 'name'];
const ROSTER_SITE = ['site', 'peer_group', 'peergroup', 'group', 'team', 'office', 'region', 'department'];
const ROSTER_LOCATION = ['location', 'home_location', 'claimed_location', 'city', 'home', 'address', 'home_city', 'lat_lon', 'latlon'];
const ROSTER_TZ = ['time_zone', 'timezone', 'tz', 'iana_tz'];
/** Access link class (satellite, cellular, ...), read for the physical model. */
const ROSTER_ACCESS = ['access', 'access_type', 'access_link', 'connection_type', 'link_type', 'network_type', 'uplink'];

export interface Roster {
  path: string;
  entries: RosterEntry[];
  byKey: Map<string, RosterEntry>;
  warnings: string[];
  sha256: string;
  sizeBytes: number;
  mtime: string | null;
}

export async function readRoster(path: string): Promise<{ roster: Roster; bytes: Buffer }> {
  let bytes: Buffer;
  let mtime: string | null = null;
  try {
    mtime = (await stat(path)).mtime.toISOString();
    bytes = await readFile(path, { flag: 'r' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw inputError(`cannot read roster: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message}`, path);
  }
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    const text = bytes.toString('utf8');
    const firstLine = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
    const delimiter = (firstLine.match(/\t/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? '\t' : ',';
    rows = parse(text, { bom: true, info: true, relax_column_count: true, skip_empty_lines: true, delimiter }) as unknown as typeof rows;
  } catch (err) {
    const e = err as { message: string; lines?: number };
    throw inputError(`malformed roster CSV: ${e.message.replace(/:.*$/, '')}`, path, e.lines ?? null);
  }
  if (rows.length === 0) throw inputError('empty roster', path);
  // Header names match as in timing files (columns.ts): `Home Location`, `homeLocation`, `home-location`.
  const header = rows[0]!.record.map(headerForms);
  const find = (aliases: string[]): number => {
    for (const a of aliases) { const i = header.findIndex((forms) => forms.includes(a)); if (i >= 0) return i; }
    return -1;
  };
  const accountIdx = find(ROSTER_ACCOUNT);
  if (accountIdx < 0) {
    throw inputError(`roster has no account column (tried: ${ROSTER_ACCOUNT.join(', ')}); columns found: ${rows[0]!.record.join(', ')}`, path, 1);
  }
  const siteIdx = find(ROSTER_SITE);
  const locationIdx = find(ROSTER_LOCATION);
  const tzIdx = find(ROSTER_TZ);
  const accessIdx = find(ROSTER_ACCESS);
  const entries: RosterEntry[] = [];
  const byKey = new Map<string, RosterEntry>();
  const warnings: string[] = [];
  for (const { record, info } of rows.slice(1)) {
    const line = info.lines - record.reduce((n, f) => n + (f.match(/\n/g)?.length ?? 0), 0);
    const account = (record[accountIdx] ?? '').trim();
    if (account === '') { warnings.push(`${path}:${line}: roster row without an account, ignored`); continue; }
    const cell = (i: number): string | null => (i < 0 ? null : (record[i] ?? '').trim() || null);
    const entry: RosterEntry = {
      account, key: normaliseAccount(account), site: cell(siteIdx), location: cell(locationIdx), timeZone: cell(tzIdx),
      access: cell(accessIdx), source: { file: path, line },
    };
    const previous = byKey.get(entry.key);
    if (previous) {
      warnings.push(`${path}:${line}: roster entry '${account}' repeats line ${previous.source.line} (same account after normalisation); the first is used`);
      continue;
    }
    byKey.set(entry.key, entry);
    entries.push(entry);
  }
  return { roster: { path, entries, byKey, warnings, sha256: '', sizeBytes: bytes.length, mtime }, bytes };
}
