// IP -> location from a MaxMind DB file (GeoIP2/GeoLite2 City or any database with the same
// `location` record), read with the `maxmind` package. The user brings the database (--geoip-db).
import type { CityResponse, Reader } from 'maxmind';
import { inputError } from '../errors.js';
import type { ResolvedLocation } from '../types.js';

export interface GeoIp {
  path: string;
  /** Location of an address; null when the database has none (private ranges, unknown networks). */
  lookup(ip: string): ResolvedLocation | null;
}

/** Accuracy radius (km) assumed when a record has none. */
const DEFAULT_ACCURACY_KM = 100;

export async function openGeoIp(path: string): Promise<GeoIp> {
  // Loaded with the first database (--geoip-db), not at every start.
  const { default: maxmind } = await import('maxmind');
  let reader: Reader<CityResponse>;
  try {
    reader = await maxmind.open<CityResponse>(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
    throw inputError(`cannot read GeoIP database: ${why}`, path);
  }
  return {
    path,
    lookup(ip: string): ResolvedLocation | null {
      const text = ip.trim().replace(/^\[|\]$/g, '');
      if (!maxmind.validate(text)) return null;
      let rec: CityResponse | null;
      try {
        rec = reader.get(text);
      } catch {
        return null;
      }
      const loc = rec?.location;
      if (!loc || !Number.isFinite(loc.latitude) || !Number.isFinite(loc.longitude)) return null;
      const city = rec?.city?.names?.en;
      const country = rec?.country?.iso_code;
      const label = [city, country].filter((x): x is string => typeof x === 'string' && x !== '').join(', ') || `${loc.latitude}, ${loc.longitude}`;
      return {
        query: text,
        label,
        lat: loc.latitude,
        lon: loc.longitude,
        precision: 'coordinates',
        uncertaintyKm: Number.isFinite(loc.accuracy_radius) && loc.accuracy_radius > 0 ? loc.accuracy_radius : DEFAULT_ACCURACY_KM,
        source: `GeoIP ${path}`,
      };
    },
  };
}
