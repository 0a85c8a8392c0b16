// Great-circle distance on a sphere (haversine). Distances between places on Earth differ from the
// ellipsoidal (WGS84 geodesic) figures by at most ~0.5 %, far below the uncertainty of where a
// person in a city actually sits and of path inflation; the physics model needs no more.

/**
 * Mean Earth radius R1 = (2a + b) / 3 of the WGS84 ellipsoid, km (IUGG; Moritz 1980, "Geodetic
 * Reference System 1980"). The same radius gives the `great_circle_km` column of the Azure
 * inter-region data in fixtures/azure/.
 */
export const EARTH_RADIUS_KM = 6371.0088;

export interface LatLon {
  /** Degrees, north positive, [-90, 90]. */
  lat: number;
  /** Degrees, east positive, [-180, 180]. */
  lon: number;
}

const RAD = Math.PI / 180;

/** Haversine great-circle distance in km. Numerically stable for small and near-antipodal distances. */
export function greatCircleKm(a: LatLon, b: LatLon): number {
  const dLat = (b.lat - a.lat) * RAD;
  const dLon = (b.lon - a.lon) * RAD;
  const s = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.atan2(Math.sqrt(s), Math.sqrt(Math.max(0, 1 - s)));
}

export function isValidLatLon(p: LatLon): boolean {
  return Number.isFinite(p.lat) && Number.isFinite(p.lon) && Math.abs(p.lat) <= 90 && Math.abs(p.lon) <= 180;
}
