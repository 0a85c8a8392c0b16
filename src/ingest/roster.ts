// Roster: who claims to be where, and which site (peer group) they belong to.
import { readFile, stat } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { containerOf, decodeHead, sniffEncoding } from './encoding.js';
import { parse } from 'csv-parse/sync';
import type { RosterEntry } from '../types.js';
import { inputError } from '../errors.js';
import { normaliseAccount } from './accounts.js';
import { ACCOUNT_ALIASES, columnsNamedByWords, headerForms } from './columns.js';

const ROSTER_ACCOUNT = [...ACCOUNT_ALIASES, 'name'];
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
    try { decoded = gunzipSync(bytes); } catch (err) { throw inputError(`not a valid gzip stream: ${(err as Error).message}`, path); }
  }
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    const text = decodeHead(decoded, sniffEncoding(decoded));
    const firstLine = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
    const count = (c: string): number => firstLine.split(c).length - 1;
    const delimiter = [',', '\t', ';'].reduce((best, c) => (count(c) > count(best) ? c : best), ',');
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
  let accountIdx = find(ROSTER_ACCOUNT);
  // As in timing files: one column named by account words (`Employee Email`, `actor`) when no alias is.
  if (accountIdx < 0) {
    const byWords = columnsNamedByWords(header, 'account');
    if (byWords.length === 1) accountIdx = byWords[0]!;
  }
  if (accountIdx < 0) {
    throw inputError(`roster has no account column (tried: ${ROSTER_ACCOUNT.join(', ')}, and names made of account words); columns found: ${rows[0]!.record.join(', ')}`, path, 1);
  }
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
  const notes: string[] = [`${names[accountIdx]} -> account`, ...locationNotes];
  if (locationIdx >= 0) notes.push(`${names[locationIdx]} -> claimed location`);
  else if (cityIdx >= 0) notes.push(`${[cityIdx, stateIdx, countryIdx].filter((i) => i >= 0).map((i) => names[i]).join(' + ')} -> claimed location (joined as "City, ${stateIdx >= 0 ? 'State, ' : ''}${countryIdx >= 0 ? 'Country' : 'no country'}")`);
  else if (latIdx >= 0 && lonIdx >= 0) notes.push(`${names[latIdx]} + ${names[lonIdx]} -> claimed location (coordinates)`);
  else notes.push(`no location column (tried: ${[...ROSTER_LOCATION, ...ROSTER_CITY, ...ROSTER_LAT].join(', ')}): no claimed locations, so no physical check`);
  if (tzIdx >= 0) notes.push(`${names[tzIdx]} -> time zone`);
  if (siteIdx >= 0) notes.push(`${names[siteIdx]} -> site (peer group)`);
  const entries: RosterEntry[] = [];
  const byKey = new Map<string, RosterEntry>();
  const warnings: string[] = [];
  for (const { record, info } of rows.slice(1)) {
    const line = info.lines - record.reduce((n, f) => n + (f.match(/\n/g)?.length ?? 0), 0);
    const account = (record[accountIdx] ?? '').trim();
    if (normaliseAccount(account) === '') { warnings.push(`${path}:${line}: roster row without an account${account === '' ? '' : ` ('${account}')`}, ignored`); continue; }
    const cell = (i: number): string | null => (i < 0 ? null : (record[i] ?? '').trim() || null);
    let location = cell(locationIdx);
    if (locationIdx < 0 && cityIdx >= 0 && cell(cityIdx) !== null) location = [cell(cityIdx), cell(stateIdx), cell(countryIdx)].filter((p) => p !== null).join(', ');
    else if (latIdx >= 0 && lonIdx >= 0 && cell(latIdx) !== null && cell(lonIdx) !== null) location = `${cell(latIdx)},${cell(lonIdx)}`;
    const entry: RosterEntry = {
      account, key: normaliseAccount(account), site: cell(siteIdx), location, timeZone: cell(tzIdx),
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
  return { roster: { path, entries, byKey, warnings, notes, sha256: '', sizeBytes: bytes.length, mtime }, bytes };
}
