// Where each account claims to be and where its server is: the inputs of the physical model.
// Roster locations resolve through the gazetteer once per distinct text; ambiguity is a warning
// naming a row and the alternatives; an unknown place is an input error under --strict, otherwise a
// counted rejection (`location_unknown`) and the account is treated as location-unknown.
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import type { Rejection, ResolvedLocation, RosterEntry } from '../types.js';
import { inputError, usageError } from '../errors.js';
import { describeAlternatives, loadRegionNames, resolvePlace, type ResolvedPlace } from '../geo/gazetteer.js';
import { azureRegion, otherCloudRegion } from '../geo/cloud-regions.js';
import { ianaZoneOf, isValidTimeZone, looksLikeTimeZone } from '../geo/timezones.js';
import { accessClass, ACCESS_CLASSES, type AccessClass } from './physical.js';

export interface Claim {
  /** Resolved claimed location; null when the roster gives none or it could not be resolved. */
  place: ResolvedPlace | null;
  /** Why `place` is null. */
  missing: string | null;
  access: AccessClass;
  /** IANA zone of the claim for activity hours: the roster's time zone, else the place's. */
  timeZone: string | null;
}

export interface PhysicsSetup {
  /** --server-location (all rows without a server of their own). */
  server: ResolvedPlace | null;
  /** --servers FILE: server name (folded to lower case) -> place. */
  servers: Map<string, ResolvedPlace>;
  serversFile: string | null;
  claims: Map<string, Claim>;
  locations: { resolved: number; ambiguous: number; timeZoneOnly: number; unknown: number };
  warnings: string[];
  /** Roster cells not used (unknown places), counted with the run's rejections. */
  rejections: Rejection[];
}

export function toLocation(p: ResolvedPlace): ResolvedLocation {
  return { query: p.query, label: p.label, lat: p.lat, lon: p.lon, precision: p.precision, uncertaintyKm: p.uncertaintyKm, source: p.source };
}

export function serverKey(name: string): string {
  return name.trim().toLowerCase();
}

/** `--server-location` text -> place; a usage error when it names nothing. */
/**
 * A server's place: a cloud region (cloud-regions.ts: Azure's by name, AWS's and Google Cloud's by
 * ID) before any town (`Central US` was Central, LA); a region ID not in the table is refused by
 * name; otherwise a place as resolvePlace reads it.
 */
export function resolveServerPlace(text: string): ReturnType<typeof resolvePlace> {
  const region = azureRegion(text);
  if (region !== null) return { ok: true, place: region, alternatives: [], notes: [] };
  const other = otherCloudRegion(text);
  if (other !== null) return other.ok ? { ok: true, place: other.place, alternatives: [], notes: other.notes } : other;
  return resolvePlace(text);
}

export function resolveServerLocation(text: string): { place: ResolvedPlace; warnings: string[] } {
  const r = resolveServerPlace(text);
  if (!r.ok) throw usageError(`--server-location '${text}': ${r.reason}${/\bgive\b/.test(r.reason) ? '' : ' (give "City, Country", "lat,lon" or an Azure region\'s name)'}`);
  const warnings: string[] = [];
  if (r.alternatives.length > 0) {
    warnings.push(`--server-location '${text}' is ambiguous: took ${r.place.label} (the most populous); alternatives: ${describeAlternatives(r.alternatives)}; say e.g. "${r.place.label}" or give lat,lon`);
  }
  // A reading that is not literal (an alternate name, a region ID's point) is said, as a roster's is.
  if (r.notes.length > 0) warnings.push(`--server-location '${text}' read as ${r.place.label}: ${r.notes.join('; ')}`);
  return { place: r.place, warnings };
}

const SERVER_NAME_COLS = ['server', 'name', 'server_name', 'servername', 'host', 'session_host', 'gateway', 'region', 'datacenter', 'data_center'];
const SERVER_PLACE_COLS = ['location', 'place', 'city', 'server_location', 'lat_lon', 'latlon', 'coordinates'];

/** --servers FILE: CSV of server name and location ("City, Country" or "lat,lon", or lat and lon columns). */
export async function readServersFile(path: string): Promise<{ servers: Map<string, ResolvedPlace>; warnings: string[] }> {
  await loadRegionNames();
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw inputError(`cannot read servers file: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`, path);
  }
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    rows = parse(text, { bom: true, info: true, relax_column_count: true, skip_empty_lines: true, comment: '#' }) as unknown as typeof rows;
  } catch (err) {
    const e = err as { message: string; lines?: number };
    throw inputError(`malformed servers CSV: ${e.message.replace(/:.*$/s, '')}`, path, e.lines ?? null);
  }
  if (rows.length === 0) throw inputError('empty servers file', path);
  const header = rows[0]!.record.map((h) => h.trim().toLowerCase().replace(/[\s-]+/g, '_'));
  const find = (names: string[]): number => names.map((n) => header.indexOf(n)).find((i) => i >= 0) ?? -1;
  const nameIdx = find(SERVER_NAME_COLS);
  const placeIdx = find(SERVER_PLACE_COLS);
  const latIdx = find(['lat', 'latitude']);
  const lonIdx = find(['lon', 'lng', 'long', 'longitude']);
  if (nameIdx < 0 || (placeIdx < 0 && (latIdx < 0 || lonIdx < 0))) {
    throw inputError(`servers file needs a name column (${SERVER_NAME_COLS.join(', ')}) and a location column (${SERVER_PLACE_COLS.join(', ')}) or lat and lon; columns found: ${rows[0]!.record.join(', ')}`, path, 1);
  }
  const servers = new Map<string, ResolvedPlace>();
  const warnings: string[] = [];
  for (const { record, info } of rows.slice(1)) {
    const line = info.lines;
    const name = (record[nameIdx] ?? '').trim();
    if (name === '') continue;
    const where = placeIdx >= 0 && (record[placeIdx] ?? '').trim() !== ''
      ? (record[placeIdx] ?? '').trim()
      : `${(record[latIdx] ?? '').trim()},${(record[lonIdx] ?? '').trim()}`;
    const r = resolveServerPlace(where);
    if (!r.ok) throw inputError(`server '${name}': location '${where}': ${r.reason}`, path, line);
    if (r.alternatives.length > 0) warnings.push(`${path}:${line}: server '${name}' location '${where}' is ambiguous: took ${r.place.label}; alternatives: ${describeAlternatives(r.alternatives)}`);
    if (r.notes.length > 0) warnings.push(`${path}:${line}: server '${name}' location '${where}' read as ${r.place.label}: ${r.notes.join('; ')}`);
    if (servers.has(serverKey(name))) throw inputError(`server '${name}' is listed twice`, path, line);
    servers.set(serverKey(name), r.place);
  }
  if (servers.size === 0) throw inputError('servers file lists no server', path);
  return { servers, warnings };
}

export interface ClaimOptions {
  strict: boolean;
  /** Resolve places (physics on); when false only time zones are read (activity hours). */
  resolvePlaces: boolean;
}

/** Resolve every roster entry's claim once per distinct text; warnings and rejections grouped by text. */
export function resolveClaims(entries: readonly RosterEntry[], opts: ClaimOptions): Pick<PhysicsSetup, 'claims' | 'locations' | 'warnings' | 'rejections'> {
  const claims = new Map<string, Claim>();
  const locations = { resolved: 0, ambiguous: 0, timeZoneOnly: 0, unknown: 0 };
  const warnings: string[] = [];
  const rejections: Rejection[] = [];
  const byText = new Map<string, { result: ReturnType<typeof resolvePlace>; rows: RosterEntry[] }>();
  const badZones = new Map<string, RosterEntry[]>();
  /** Zones read through a Windows name or a fixed offset: said once each. */
  const readZones = new Map<string, { zone: string; rows: RosterEntry[] }>();
  const badAccess = new Map<string, RosterEntry[]>();

  for (const e of entries) {
    let zone: string | null = null;
    if (e.timeZone !== null) {
      const read = ianaZoneOf(e.timeZone);
      if (read !== null) {
        zone = read.zone;
        if (read.from !== 'iana') (readZones.get(e.timeZone) ?? readZones.set(e.timeZone, { zone: read.zone, rows: [] }).get(e.timeZone)!).rows.push(e);
      } else {
        if (opts.strict) throw inputError(`unknown time zone '${e.timeZone}' (IANA names such as America/Chicago)`, e.source.file, e.source.line);
        (badZones.get(e.timeZone) ?? badZones.set(e.timeZone, []).get(e.timeZone)!).push(e);
      }
    }
    let access = ACCESS_CLASSES.fixed!;
    if (e.access !== null) {
      const a = accessClass(e.access);
      if (a) access = a;
      else (badAccess.get(e.access) ?? badAccess.set(e.access, []).get(e.access)!).push(e);
    }
    let place: ResolvedPlace | null = null;
    let missing: string | null = opts.resolvePlaces ? 'no claimed location in the roster' : 'no server location given';
    if (opts.resolvePlaces) {
      // The location cell, else the time zone (its representative point, low precision); a state or
      // country without a city is no place (unless the time zone stands for it).
      const unknown = e.locationUnknown !== undefined && zone === null ? e.locationUnknown : null;
      const text = e.locationUnknown !== undefined && zone !== null ? zone : e.location ?? zone;
      if (text !== null) {
        let slot = byText.get(text);
        if (!slot) { slot = { result: unknown !== null ? { ok: false as const, reason: unknown } : resolvePlace(text), rows: [] }; byText.set(text, slot); }
        slot.rows.push(e);
        if (slot.result.ok) {
          place = slot.result.place;
          missing = null;
          locations.resolved++;
          if (slot.result.alternatives.length > 0) locations.ambiguous++;
          if (place.precision === 'time_zone') locations.timeZoneOnly++;
        } else {
          locations.unknown++;
          missing = `claimed location '${text}' not found: ${slot.result.reason}`;
          if (opts.strict) throw inputError(`location_unknown: '${text}': ${slot.result.reason} (--strict)`, e.source.file, e.source.line);
          rejections.push({ source: e.source, reason: 'location_unknown', detail: `'${text}': ${slot.result.reason}` });
        }
      }
    }
    const zoneOfPlace = place?.timeZone && isValidTimeZone(place.timeZone) ? place.timeZone : null;
    claims.set(e.key, { place, missing, access, timeZone: zone ?? zoneOfPlace });
  }

  const rowsText = (rows: RosterEntry[]): string => {
    const first = rows[0]!.source;
    return `${first.file}:${first.line}${rows.length > 1 ? ` (and ${rows.length - 1} more row${rows.length > 2 ? 's' : ''})` : ''}`;
  };
  for (const [text, { result, rows }] of byText) {
    if (result.ok && result.alternatives.length > 0) {
      warnings.push(`${rowsText(rows)}: location '${text}' is ambiguous: took ${result.place.label} (pop. ${(result.place.population ?? 0).toLocaleString('en-US')}, the most populous); alternatives: ${describeAlternatives(result.alternatives)}`);
    }
    if (!result.ok) warnings.push(`${rowsText(rows)}: location '${text}' not found (${result.reason}): treated as location-unknown`);
    // How a location was read when not as written (an alternate name, a region by name, text left out).
    if (result.ok && result.notes.length > 0) warnings.push(`${rowsText(rows)}: location '${text}' read as ${result.place.label}: ${result.notes.join('; ')}`);
    if (result.ok && result.place.precision === 'time_zone' && !looksLikeTimeZone(rows[0]!.location ?? '')) {
      warnings.push(`${rowsText(rows)}: no claimed location; the time zone ${result.place.label} stands for it (low precision, ±${result.place.uncertaintyKm} km)`);
    }
  }
  for (const [text, rows] of badZones) warnings.push(`${rowsText(rows)}: time zone '${text}' unknown: ignored`);
  for (const [text, { zone, rows }] of readZones) warnings.push(`${rowsText(rows)}: time zone '${text}' read as ${zone}`);
  for (const [text, rows] of badAccess) {
    warnings.push(`${rowsText(rows)}: access '${text}' not recognised (${Object.keys(ACCESS_CLASSES).join(', ')}): taken as fixed`);
  }
  return { claims, locations, warnings, rejections };
}
