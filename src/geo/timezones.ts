// IANA time zone -> representative point, from the tz database's own tables (data/tz/, public domain,
// see data/tz/README.md): zone1970.tab first (the zone's principal location), zone.tab for zones that
// zone1970.tab folds into another (e.g. Europe/Amsterdam), and the database's links for old names
// (US/Eastern -> America/New_York). A point from a zone stands for a whole region: low precision.
import { readFileSync } from 'node:fs';
import type { LatLon } from './distance.js';
import { createRequire } from 'node:module';

export interface ZonePoint extends LatLon {
  /** The zone whose row gave the point (after following links). */
  zone: string;
  /** ISO 3166 codes of the countries the zone overlaps (first: the one of the principal location). */
  countries: string[];
  /** Which table the point came from. */
  table: 'zone1970.tab' | 'zone.tab';
}

const DATA_DIR = new URL('../../../data/tz/', import.meta.url);

/** `+DDMM+DDDMM` or `+DDMMSS+DDDMMSS` (ISO 6709 sign-degrees-minutes[-seconds]) -> degrees. */
export function parseIso6709(text: string): LatLon | null {
  const m = /^([+-])(\d{2})(\d{2})(\d{2})?([+-])(\d{3})(\d{2})(\d{2})?$/.exec(text.trim());
  if (!m) return null;
  const part = (sign: string, d: string, mm: string, ss: string | undefined): number =>
    (sign === '-' ? -1 : 1) * (Number(d) + Number(mm) / 60 + Number(ss ?? '0') / 3600);
  return { lat: part(m[1]!, m[2]!, m[3]!, m[4]), lon: part(m[5]!, m[6]!, m[7]!, m[8]) };
}

interface Tables {
  rows: Map<string, ZonePoint>;
  links: Map<string, string>;
}

let tables: Tables | null = null;

function readTable(name: 'zone1970.tab' | 'zone.tab', into: Map<string, ZonePoint>): void {
  const text = readFileSync(new URL(name, DATA_DIR), 'utf8');
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const [codes, coords, zone] = line.split('\t');
    if (!codes || !coords || !zone || into.has(zone)) continue;
    const point = parseIso6709(coords);
    if (point) into.set(zone, { ...point, zone, countries: codes.split(','), table: name });
  }
}

function load(): Tables {
  if (tables) return tables;
  const rows = new Map<string, ZonePoint>();
  readTable('zone1970.tab', rows);
  readTable('zone.tab', rows);
  const links = new Map<string, string>();
  for (const line of readFileSync(new URL('links.zi', DATA_DIR), 'utf8').split('\n')) {
    const m = /^L\s+(\S+)\s+(\S+)/.exec(line);
    if (m) links.set(m[2]!, m[1]!);
  }
  tables = { rows, links };
  return tables;
}

// Answers per zone name: a roster of thousands names a few zones, and each check builds an ICU
// formatter (~60 µs; 8,000 roster entries spent 0.46 s here).
const validZones = new Map<string, boolean>();

/** True when the runtime (ICU) knows the zone. */
export function isValidTimeZone(zone: string): boolean {
  let valid = validZones.get(zone);
  if (valid === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      valid = true;
    } catch {
      valid = false;
    }
    if (validZones.size < 10_000) validZones.set(zone, valid);
  }
  return valid;
}

// Loaded when a roster first names a zone that is not IANA (most never do): ~17 ms of start-up otherwise.
let windowsTable: typeof import('windows-iana') | null = null;
function windowsIana(): typeof import('windows-iana') {
  windowsTable ??= createRequire(import.meta.url)('windows-iana') as typeof import('windows-iana');
  return windowsTable;
}

/** US zones by the words HR systems write ("Eastern", "Pacific Time", "US/Central", "Central Time (US & Canada)", "PT"). */
const US_ZONE_WORDS = /^(?:(?:US[\s/]+)?(Eastern|Central|Mountain|Pacific|Alaska|Hawaii)(?:an)?(?:\s+(?:Standard|Daylight))?(?:\s+Time)?(?:\s*\(US\s*(?:&|and)\s*Canada\))?|(E|C|P)T)$/i;
const US_ZONES: Record<string, string> = {
  eastern: 'America/New_York', central: 'America/Chicago', mountain: 'America/Denver', pacific: 'America/Los_Angeles',
  alaska: 'America/Anchorage', hawaii: 'Pacific/Honolulu', e: 'America/New_York', c: 'America/Chicago', p: 'America/Los_Angeles',
};

/**
 * The IANA zone a roster's time zone names: an IANA name as it is; a Windows name as Active
 * Directory and HR exports write it (`Eastern Standard Time`, `W. Europe Standard Time`) through
 * CLDR's table (the windows-iana package), its first zone being CLDR's choice for the name, also in
 * Windows' display form (`(UTC-06:00) Central Time (US & Canada)`, else by its offset); the US zones by
 * their words (`Eastern`, `Pacific Time`, `PT`); an IANA name with spaces (`America/New York`); a
 * whole-hour offset (`UTC-05:00`, `GMT+1`) as the fixed `Etc/GMT` zone (whose sign POSIX inverts).
 * Null: none.
 */
export function ianaZoneOf(text: string): { zone: string; from: 'iana' | 'windows' | 'us' | 'offset' } | null {
  const written = text.trim();
  if (written === '') return null;
  if (isValidTimeZone(written)) return { zone: written, from: 'iana' };
  // An IANA name with spaces for its underscores ("America/New York").
  const underscored = written.replace(/\s+/g, '_');
  if (written.includes('/') && written.includes(' ') && isValidTimeZone(underscored)) return { zone: underscored, from: 'iana' };
  // Windows' display form, "(UTC-06:00) Central Time (US & Canada)", and Workday's, "(GMT-06:00)
  // Central Time (Chicago)": a city the tz database names a zone after (in brackets, or one of a
  // list: "Chennai, Kolkata, Mumbai") whose offset is the one written, else its words (with the
  // brackets and without), else its offset.
  const display = /^\((?:UTC|GMT)\s*(?:([+-])(\d{1,2}):(\d{2}))?\)\s*(.+)$/i.exec(written);
  const t = display !== null ? display[4]!.trim() : written;
  if (display !== null) {
    const offsetMinutes = display[1] === undefined ? 0 : (display[1] === '-' ? -1 : 1) * (Number(display[2]) * 60 + Number(display[3]));
    const cities = /\(([^()]+)\)$/.exec(t)?.[1] ?? t;
    for (const city of cities.split(',')) {
      const zone = zoneOfCity(city, offsetMinutes);
      if (zone !== null) return { zone, from: 'windows' };
    }
  }
  const words = t.replace(/\s*\([^()]*\)$/, '');
  for (const name of words === t ? [t] : [t, words]) {
    const windows = windowsIana().findIana(name);
    if (windows.length > 0 && isValidTimeZone(windows[0]!)) return { zone: windows[0]!, from: 'windows' };
    const us = US_ZONE_WORDS.exec(name);
    if (us !== null) return { zone: US_ZONES[(us[1] ?? us[2])!.toLowerCase()]!, from: 'us' };
  }
  if (display !== null) {
    if (display[1] === undefined) return { zone: 'Etc/GMT', from: 'offset' };
    if (display[3] !== '00') return null;
    return ianaZoneOf(`UTC${display[1]}${display[2]}`);
  }
  const offset = /^(?:UTC|GMT)\s*([+-])\s*(\d{1,2})(?::?00)?$/i.exec(t);
  if (offset !== null) {
    const hours = Number(offset[2]);
    if (hours === 0) return { zone: 'Etc/GMT', from: 'offset' };
    const zone = `Etc/GMT${offset[1] === '-' ? '+' : '-'}${hours}`;
    if (hours <= 14 && isValidTimeZone(zone)) return { zone, from: 'offset' };
  }
  return null;
}

let zonesByCity: Map<string, string> | null = null;

/**
 * The IANA zone named after `city` ("Chicago", "Los Angeles", "Kolkata") whose UTC offset is
 * `offsetMinutes` in January or in July (standard or summer time), or null.
 */
function zoneOfCity(city: string, offsetMinutes: number): string | null {
  if (zonesByCity === null) {
    const { rows, links } = load();
    zonesByCity = new Map();
    // Canonical zones first, then the old names (Asia/Calcutta) for cities that have no zone of their own.
    for (const zone of [...rows.keys(), ...links.keys()]) {
      const key = zone.slice(zone.lastIndexOf('/') + 1).replaceAll('_', ' ').toLowerCase();
      if (zone.includes('/') && !zonesByCity.has(key)) zonesByCity.set(key, zone);
    }
  }
  const zone = zonesByCity.get(city.trim().replace(/\s+/g, ' ').toLowerCase());
  if (zone === undefined || !isValidTimeZone(zone)) return null;
  const memo = `${zone} ${offsetMinutes}`;
  let fits = cityOffsetFits.get(memo);
  if (fits === undefined) {
    // A fixed year, for a report that does not change with the clock.
    fits = [0, 6].some((month) => zoneOffsetMinutes(zone, Date.UTC(2026, month, 15)) === offsetMinutes);
    if (cityOffsetFits.size < 10_000) cityOffsetFits.set(memo, fits);
  }
  return fits ? zone : null;
}
const cityOffsetFits = new Map<string, boolean>();

/** A zone's UTC offset at a time, in minutes (east positive). */
function zoneOffsetMinutes(zone: string, ms: number): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' }).formatToParts(ms).find((p) => p.type === 'timeZoneName')?.value ?? '';
  const m = /^GMT([+-])(\d{2}):(\d{2})$/.exec(name);
  return m === null ? 0 : (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

/** Looks like an IANA zone name (Area/Location) rather than a place name. */
export function looksLikeTimeZone(text: string): boolean {
  return /^[A-Za-z_]+(?:\/[A-Za-z0-9_+-]+)+$/.test(text.trim()) || /^(UTC|GMT|Etc\/.+)$/i.test(text.trim());
}

/** The representative point of an IANA zone, or null (unknown zone, or a zone without a place such as UTC). */
export function zonePoint(zone: string): ZonePoint | null {
  const { rows, links } = load();
  let name = zone.trim();
  for (let hops = 0; hops < 4; hops++) {
    const row = rows.get(name);
    if (row) return row;
    const target = links.get(name);
    if (!target) break;
    name = target;
  }
  // Case-insensitive match as a last resort (rosters written by hand: "america/new_york").
  const lower = zone.trim().toLowerCase();
  for (const [key, row] of rows) if (key.toLowerCase() === lower) return row;
  for (const [key, target] of links) if (key.toLowerCase() === lower) return rows.get(target) ?? null;
  return null;
}
