// Roster: who claims to be where, and which site (peer group) they belong to.
import { readFile, stat } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { containerOf, decodeHead, sniffEncoding } from './encoding.js';
import { parse } from 'csv-parse/sync';
import type { RosterEntry } from '../types.js';
import { inputError } from '../errors.js';
import { normaliseAccount } from './accounts.js';
import { ACCOUNT_ALIASES, columnsNamedByWords, headerForms } from './columns.js';
import { firstLine, sniffDelimiter } from './adapters/export-util.js';
import { DEFAULT_OPEN_LIMITS } from './open.js';

/** The timing files' account aliases, and what HR and identity-provider exports call the column. */
const ROSTER_ACCOUNT = [
  ...ACCOUNT_ALIASES, 'name', 'work_email', 'email_address', 'e_mail', 'mail', 'business_email', 'primary_email',
  'work_email_address', 'user_logon_name',
];
/** Words of a column that holds a login (e-mail, UPN, logon name): the data's accounts are spelled so. */
const LOGIN_WORDS = ['email', 'mail', 'upn', 'userprincipalname', 'principal', 'login', 'logon', 'samaccountname', 'sam', 'username'];
/** Words of a column of numbers or codes (`Employee ID`, `Employee #`). */
const ID_WORDS = ['id', 'number', 'no', 'num', 'nr', '#'];
/** Words of a login column no other word names (`user`, `account`, `actor`); the rest name a person (`Employee`, `Name`). */
const ACCOUNT_WORDS = ['user', 'account', 'actor', 'identity', 'operator'];
const ROSTER_SITE = ['site', 'peer_group', 'peergroup', 'group', 'team', 'office', 'region', 'department'];
/** A column that holds a whole location ("City, Country", "lat,lon"); a city column is joined with its country (ROSTER_CITY). */
const ROSTER_LOCATION = ['location', 'home_location', 'claimed_location', 'home', 'address', 'lat_lon', 'latlon'];
const ROSTER_TZ = ['time_zone', 'timezone', 'tz', 'iana_tz'];
// A location in parts, when no column holds it whole: a city with its country (and state), or coordinates.
const ROSTER_CITY = ['city', 'home_city', 'office_city', 'work_city', 'city_name', 'town', 'location_city', 'claimed_city'];
const ROSTER_STATE = ['state', 'province', 'state_province', 'home_state', 'office_state', 'admin1'];
const ROSTER_COUNTRY = ['country', 'country_code', 'home_country', 'office_country', 'work_country', 'country_name', 'claimed_country'];
const ROSTER_LAT = ['lat', 'latitude', 'home_lat', 'home_latitude'];
const ROSTER_LON = ['lon', 'lng', 'long', 'longitude', 'home_lon', 'home_lng', 'home_longitude'];
/** Access link class (satellite, cellular, ...), read for the physical model. */
const ROSTER_ACCESS = ['access', 'access_type', 'access_link', 'connection_type', 'link_type', 'network_type', 'uplink'];

export interface Roster {
  path: string;
  entries: RosterEntry[];
  byKey: Map<string, RosterEntry>;
  warnings: string[];
  /** Which column gave each role (and what was not found), for the report's input notes. */
  notes: string[];
  /** The columns that could be the account, the one used first (matchRosterAccounts tries the others). */
  accountColumns: string[];
  /** Each entry's cells in those columns (parallel to entries). */
  accountCells: string[][];
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
  // As HR sends rosters: saved from Excel (UTF-16 "Unicode Text", a Windows code page, `;` where the
  // decimal mark is a comma), gzipped; a workbook itself is named, not read as CSV.
  const container = containerOf(bytes);
  if (container !== null) throw inputError(`${container.what}, not a roster keylag reads: ${container.todo}`, path);
  let decoded = bytes;
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    // The timing inputs' gzip-bomb guard (open.ts), here at once: no roster of HR's expands past
    // its ratio (or, small, past its grace), and a bomb must stop with a line, not take the memory.
    const limit = Math.min(DEFAULT_OPEN_LIMITS.maxDecompressedBytes,
      Math.max(DEFAULT_OPEN_LIMITS.ratioGraceBytes, bytes.length * DEFAULT_OPEN_LIMITS.maxCompressionRatio));
    try {
      decoded = gunzipSync(bytes, { maxOutputLength: limit });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw inputError(`gzip roster expands past ${limit} bytes (${bytes.length} compressed; at most ${DEFAULT_OPEN_LIMITS.maxCompressionRatio}:1 past ${DEFAULT_OPEN_LIMITS.ratioGraceBytes} bytes): not read (a decompression bomb?)`, path);
      }
      throw inputError(`not a valid gzip stream: ${(err as Error).message}`, path);
    }
  }
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    const text = decodeHead(decoded, sniffEncoding(decoded));
    const delimiter = sniffDelimiter(firstLine(text), [',', '\t', ';']);
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
  const names = rows[0]!.record.map((n) => n.trim());
  // Every column that could be the account: by an alias, or named by account words (`Employee Email`,
  // `actor`); logins (e-mail, UPN, logon name) before IDs and IDs before people's names, so that an HR
  // export's `Employee ID` or `Employee` (a display name) is not taken over its `Work Email`. Which of
  // them matches the data is decided after the data are read (matchRosterAccounts).
  const candidates = [...new Set([...ROSTER_ACCOUNT.map((a) => header.findIndex((forms) => forms.includes(a))).filter((i) => i >= 0),
    ...columnsNamedByWords(header, 'account')])];
  const ranked = candidates.map((index, order) => ({ index, order, rank: accountColumnRank(header[index]!) }))
    .sort((a, b) => a.rank - b.rank || a.order - b.order).map((c) => c.index);
  if (ranked.length === 0) {
    throw inputError(`roster has no account column (tried: ${ROSTER_ACCOUNT.join(', ')}, and names made of account words); columns found: ${rows[0]!.record.join(', ')}`, path, 1);
  }
  const accountIdx = ranked[0]!;
  const siteIdx = find(ROSTER_SITE);
  let locationIdx = find(ROSTER_LOCATION);
  const cityAlias = find(ROSTER_CITY);
  const locationNotes: string[] = [];
  if (locationIdx < 0 && cityAlias < 0) {
    // As for the account: a column named by location words (`Work Location`, `Office Address`) when
    // no alias is; of several, the one that says home or remote (where a remote worker claims to be).
    const byWords = columnsNamedByWords(header, 'location', [accountIdx, siteIdx]);
    const home = byWords.filter((i) => header[i]!.some((form) => /(^|_)(home|remote|residence|residential)(_|$)/.test(form)));
    const chosen = byWords.length === 1 ? byWords[0]! : home.length === 1 ? home[0]! : -1;
    if (chosen >= 0) {
      locationIdx = chosen;
      locationNotes.push(`${names[chosen]}: no alias, taken as the claimed location by its words${byWords.length > 1 ? ` (of ${byWords.map((i) => names[i]).join(', ')}: the home one)` : ''}`);
    } else if (byWords.length > 1) {
      locationNotes.push(`several location columns (${byWords.map((i) => names[i]).join(', ')}) and none an alias: none taken; rename the claimed one to location`);
    }
  }
  const tzIdx = find(ROSTER_TZ);
  const accessIdx = find(ROSTER_ACCESS);
  // Without a location column: "City, [State, ] Country" from its parts, or "lat,lon" from two columns.
  const cityIdx = locationIdx < 0 ? cityAlias : -1;
  const stateIdx = cityIdx >= 0 ? find(ROSTER_STATE) : -1;
  const countryIdx = cityIdx >= 0 ? find(ROSTER_COUNTRY) : -1;
  const latIdx = locationIdx < 0 && cityIdx < 0 ? find(ROSTER_LAT) : -1;
  const lonIdx = latIdx >= 0 ? find(ROSTER_LON) : -1;
  const notes: string[] = [accountNote(ranked.map((i) => names[i]!), null), ...locationNotes];
  if (locationIdx >= 0) notes.push(`${names[locationIdx]} -> claimed location`);
  else if (cityIdx >= 0) notes.push(`${[cityIdx, stateIdx, countryIdx].filter((i) => i >= 0).map((i) => names[i]).join(' + ')} -> claimed location (joined as "City, ${stateIdx >= 0 ? 'State, ' : ''}${countryIdx >= 0 ? 'Country' : 'no country'}")`);
  else if (latIdx >= 0 && lonIdx >= 0) notes.push(`${names[latIdx]} + ${names[lonIdx]} -> claimed location (coordinates)`);
  else notes.push(`no location column (tried: ${[...ROSTER_LOCATION, ...ROSTER_CITY, ...ROSTER_LAT].join(', ')}): no claimed locations, so no physical check`);
  if (tzIdx >= 0) notes.push(`${names[tzIdx]} -> time zone`);
  if (siteIdx >= 0) notes.push(`${names[siteIdx]} -> site (peer group)`);
  const entries: RosterEntry[] = [];
  const byKey = new Map<string, RosterEntry>();
  const warnings: string[] = [];
  const accountCells: string[][] = [];
  for (const { record, info } of rows.slice(1)) {
    const line = info.lines - record.reduce((n, f) => n + (f.match(/\n/g)?.length ?? 0), 0);
    const account = (record[accountIdx] ?? '').trim();
    if (normaliseAccount(account) === '') { warnings.push(`${path}:${line}: roster row without an account${account === '' ? '' : ` ('${account}')`}, ignored`); continue; }
    const cell = (i: number): string | null => (i < 0 ? null : (record[i] ?? '').trim() || null);
    let location = cell(locationIdx);
    // A state or country without a city names no place to measure against: location_unknown, saying so
    // (it was "no claimed location", uncounted, like a row that claims nothing).
    let locationUnknown: string | undefined;
    const parts = [cell(stateIdx), cell(countryIdx)].filter((p) => p !== null);
    if (locationIdx < 0 && cityIdx >= 0 && cell(cityIdx) !== null) location = [cell(cityIdx), ...parts].join(', ');
    else if (cityIdx >= 0 && parts.length > 0) {
      location = parts.join(', ');
      locationUnknown = `no ${names[cityIdx]}: '${location}' alone is no place to measure against`;
    }
    else if (latIdx >= 0 && lonIdx >= 0 && cell(latIdx) !== null && cell(lonIdx) !== null) location = `${cell(latIdx)},${cell(lonIdx)}`;
    const entry: RosterEntry = {
      account, key: normaliseAccount(account), site: cell(siteIdx), location, timeZone: cell(tzIdx),
      access: cell(accessIdx), source: { file: path, line }, ...(locationUnknown !== undefined ? { locationUnknown } : {}),
    };
    const previous = byKey.get(entry.key);
    if (previous) {
      warnings.push(`${path}:${line}: roster entry '${account}' repeats line ${previous.source.line} (same account after normalisation); the first is used`);
      continue;
    }
    byKey.set(entry.key, entry);
    entries.push(entry);
    accountCells.push(ranked.map((i) => (record[i] ?? '').trim()));
  }
  const roster: Roster = {
    path, entries, byKey, warnings, notes, accountColumns: ranked.map((i) => names[i]!), accountCells, sha256: '', sizeBytes: bytes.length, mtime,
  };
  return { roster, bytes };
}

/** 0: a login (e-mail, UPN, logon name, user); 1: an ID or number; 2: a person's name (`Employee`, `Worker`, `Name`). */
function accountColumnRank(forms: readonly string[]): number {
  const words = new Set(forms.flatMap((form) => form.split('_')));
  const has = (list: readonly string[]): boolean => list.some((w) => words.has(w));
  return has(LOGIN_WORDS) || forms.includes('e_mail') ? 0 : has(ID_WORDS) ? 1 : has(ACCOUNT_WORDS) ? 0 : 2;
}

/**
 * The roster's note on its account column: which, of which others and why; `counts`, once the data
 * are read, how many data accounts each column's values match (the one used first).
 */
function accountNote(columns: readonly string[], counts: readonly number[] | null, switched = false): string {
  if (columns.length === 1) return `${columns[0]} -> account`;
  const why = counts === null ? 'logins before IDs and names'
    : switched ? `the one matching the most data accounts (${counts.join(', ')} in this order)`
    : `logins before IDs and names; data accounts matched: ${counts.join(', ')} in this order`;
  return `${columns[0]} -> account (of ${columns.join(', ')}: ${why})`;
}

export interface RosterMatch {
  /** Old key -> new key of every entry kept, when another account column matched more of the data's accounts; else null. */
  rekeyed: Map<string, string> | null;
  warnings: string[];
}

/**
 * After the data are read: the account column whose values match the most data accounts (the
 * first, login-like one on a tie), the roster re-keyed to it when that is not the one read; and a
 * warning when most entries still match no account (the roster then says nothing of the data).
 */
export function matchRosterAccounts(roster: Roster, inData: (key: string) => boolean, dataExample: string | null): RosterMatch {
  const warnings: string[] = [];
  const counts = roster.accountColumns.map((_, c) => new Set(roster.accountCells.map((cells) => normaliseAccount(cells[c]!)).filter((k) => k !== '' && inData(k))).size);
  const best = counts.reduce((b, n, c) => (n > counts[b]! ? c : b), 0);
  let rekeyed: Map<string, string> | null = null;
  if (best !== 0) {
    rekeyed = new Map();
    const entries: RosterEntry[] = [];
    const cells: string[][] = [];
    roster.byKey.clear();
    roster.entries.forEach((entry, i) => {
      const account = roster.accountCells[i]![best]!;
      const key = normaliseAccount(account);
      const where = `${entry.source.file}:${entry.source.line}`;
      if (key === '') { warnings.push(`${where}: roster row without a ${roster.accountColumns[best]}, ignored`); return; }
      const previous = roster.byKey.get(key);
      if (previous) { warnings.push(`${where}: roster entry '${account}' repeats line ${previous.source.line} (same account after normalisation); the first is used`); return; }
      rekeyed!.set(entry.key, key);
      entry.account = account;
      entry.key = key;
      roster.byKey.set(key, entry);
      entries.push(entry);
      cells.push(roster.accountCells[i]!);
    });
    roster.entries = entries;
    roster.accountCells = cells;
  }
  const order = [best, ...roster.accountColumns.keys()].filter((c, i, all) => all.indexOf(c) === i);
  roster.accountColumns = order.map((c) => roster.accountColumns[c]!);
  roster.accountCells = roster.accountCells.map((row) => order.map((c) => row[c]!));
  roster.notes[0] = accountNote(roster.accountColumns, order.map((c) => counts[c]!), best !== 0);
  const unmatched = roster.entries.filter((e) => !inData(e.key));
  if (dataExample !== null && roster.entries.length > 0 && unmatched.length * 2 > roster.entries.length) {
    const column = roster.accountColumns[0]!;
    const others = roster.accountColumns.slice(1);
    const numeric = unmatched.every((e) => /^[\d#-]+$/.test(e.account));
    const cause = numeric
      ? `its values are numbers (employee IDs?), not the names the data use`
      : `its names are not spelled as the data's (compared in lower case, without DOMAIN\\ and @domain)`;
    warnings.push(`roster ${roster.path}: ${unmatched.length} of ${roster.entries.length} entries match no account in the data `
      + `(account column '${column}', e.g. '${unmatched[0]!.account}'; the data's accounts are like '${dataExample}'): `
      + `their sites, locations and time zones apply to no one. Likely cause: ${cause}`
      + `${others.length > 0 ? `; the other account-like columns (${others.join(', ')}) match no more` : ''}; `
      + `or the roster is not for these data. Rename the column holding the data's account names to 'account'`);
  }
  return { rekeyed, warnings };
}
