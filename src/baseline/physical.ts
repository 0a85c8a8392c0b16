// The physical (speed-of-light) model (DESIGN section 3, signal 3): how small a round trip can be
// for a great-circle distance, and what range real round trips fall in.
//
//   hard bound      RTT >= d / KM_PER_MS_RTT                        (light in fibre, straight, both ways)
//   expected range  low(x)  = max(x, fixedLow  + inflationLow  * x)
//                   high(x) = fixedHigh + inflationHigh * x           x = d / KM_PER_MS_RTT (ms)
//                   point(x) = fixedMid + inflationMid * x
//
// `inflation` is path inflation (real routes are longer than the great circle and not all glass),
// `fixed` is what does not grow with distance: access link, processing. Two calibrations:
// - `constants`: inflation from measured inter-region round trips (Azure, fixtures/azure/), fixed
//   delay from the access-link assumption below;
// - `peers`: the organisation's own accounts with claimed locations, by a robust (Theil-Sen) fit of
//   floor against distance; the fixed range from the fit's residuals, the inflation spread relative
//   to its median taken over from the constants (one organisation's few sites cannot show it).
import type { Kind, RangeModel } from '../types.js';
import { MAD_TO_SD, mad, median } from '../analyze/stats.js';

/** Speed of light in vacuum, km/s (exact, SI definition of the metre). */
export const SPEED_OF_LIGHT_KM_S = 299_792.458;
/**
 * Group index of standard single-mode fibre (ITU-T G.652, e.g. Corning SMF-28 Ultra datasheet:
 * effective group index 1.4676 at 1310 nm, 1.4682 at 1550 nm). Light in fibre: ~204,000 km/s.
 */
export const FIBER_GROUP_INDEX = 1.468;
/** Great-circle km per ms of round trip at that speed (there and back): ~102.1. */
export const KM_PER_MS_RTT = SPEED_OF_LIGHT_KM_S / FIBER_GROUP_INDEX / 2 / 1000;

/** The lowest round trip physics allows over `distanceKm` of great circle, ms. */
export function hardBoundMs(distanceKm: number): number {
  return Math.max(0, distanceKm) / KM_PER_MS_RTT;
}

// ------------------------------------------------------------------ constants

/**
 * Path inflation over the hard bound, calibrated with `calibrateInflation` (coverage 0.93, fixed
 * 2 ms) on all 924 measured Azure inter-region round trips (P50 over 30 days, Microsoft Learn
 * "Azure network round-trip latency statistics", revision 2023-07-21; fixtures/azure/). The shortest
 * interval of inflation holding 93 % of the pairs, and the median. test/physical.test.ts recomputes
 * these from the fixture.
 */
export const AZURE_INFLATION = { low: 1.157, mid: 1.789, high: 2.945 } as const;
/**
 * Worst-case path inflation for the conservative "at least N km" bound: the 99th percentile of the
 * same Azure pairs at least 1,000 km apart (`worstCaseInflation`; the largest is 5.18, one route).
 */
export const AZURE_WORST_INFLATION = 4.15;
/**
 * Fixed delay of a data-centre to data-centre round trip, ms: the measured round trip of the two
 * closest region pairs (8.5 km apart) is 2 ms.
 */
export const AZURE_FIXED_MS = 2;
/** Share of measured pairs the calibrated inflation interval must hold. */
export const INFLATION_COVERAGE = 0.93;

/**
 * Access-link (last mile) round trip of a wired home connection, ms: low (fibre next to its
 * exchange), typical, high (DSL with interleaving, congested cable). An assumption of the order of
 * magnitude the FCC "Measuring Broadband America" fixed reports show for latency by technology;
 * the `peers` calibration replaces it with the organisation's own figures when it can.
 */
export const ACCESS_MS = { low: 1, mid: 8, high: 40 } as const;

export interface AccessClass {
  name: string;
  /** Added to the low end, the point estimate and the high end of the expected range, ms. */
  addLowMs: number;
  addTypicalMs: number;
  addHighMs: number;
  why: string;
}

/** GEO satellite bent-pipe minimum: up and down twice (there and back) at 35,786 km altitude, ms. */
export const GEO_MIN_RTT_MS = (4 * 35_786) / SPEED_OF_LIGHT_KM_S * 1000;

/** Roster `access` values that widen the expected range (a known false-positive class). */
export const ACCESS_CLASSES: Record<string, AccessClass> = {
  fixed: { name: 'fixed', addLowMs: 0, addTypicalMs: 0, addHighMs: 0, why: 'wired broadband' },
  cellular: { name: 'cellular', addLowMs: 0, addTypicalMs: 30, addHighMs: 100, why: 'cellular radio access adds ~20-100 ms (3G/4G under load)' },
  satellite: {
    name: 'satellite', addLowMs: 0, addTypicalMs: 350, addHighMs: 700,
    why: `a satellite link adds up to ~700 ms (geostationary: at least ${Math.round(GEO_MIN_RTT_MS)} ms by physics alone; low-orbit: tens of ms)`,
  },
  geostationary: { name: 'geostationary', addLowMs: Math.round(GEO_MIN_RTT_MS), addTypicalMs: 550, addHighMs: 700, why: `a geostationary hop adds ${Math.round(GEO_MIN_RTT_MS)}-700 ms` },
  leo: { name: 'leo', addLowMs: 5, addTypicalMs: 30, addHighMs: 60, why: 'a low-orbit satellite link (e.g. Starlink) adds ~5-60 ms' },
  inflight: { name: 'inflight', addLowMs: 0, addTypicalMs: 375, addHighMs: 750, why: 'in-flight Wi-Fi (often via geostationary satellites) adds up to ~750 ms' },
};

const ACCESS_SYNONYMS: Record<string, string> = {
  '': 'fixed', fixed: 'fixed', wired: 'fixed', broadband: 'fixed', fiber: 'fixed', fibre: 'fixed', ftth: 'fixed', cable: 'fixed',
  dsl: 'fixed', adsl: 'fixed', vdsl: 'fixed', ethernet: 'fixed', lan: 'fixed', office: 'fixed',
  cellular: 'cellular', mobile: 'cellular', cell: 'cellular', '3g': 'cellular', '4g': 'cellular', lte: 'cellular', '5g': 'cellular',
  wwan: 'cellular', hotspot: 'cellular', tethered: 'cellular',
  satellite: 'satellite', sat: 'satellite', vsat: 'satellite',
  geo: 'geostationary', geostationary: 'geostationary', 'geo satellite': 'geostationary',
  leo: 'leo', starlink: 'leo', 'leo satellite': 'leo',
  inflight: 'inflight', 'in flight': 'inflight', airplane: 'inflight', aircraft: 'inflight', 'in flight wifi': 'inflight',
};

/** Access class of a roster cell; null when the text names none we know. */
export function accessClass(text: string | null): AccessClass | null {
  const key = (text ?? '').trim().toLowerCase().replace(/[-_]+/g, ' ').replace(/\s+/g, ' ');
  const name = ACCESS_SYNONYMS[key];
  return name === undefined ? null : ACCESS_CLASSES[name]!;
}

// ------------------------------------------------------------------ calibration

/** Linear-interpolation (type 7) quantile of sorted values. */
function quantileSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError('quantile of nothing');
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (h - lo);
}

export interface DistanceRtt {
  distanceKm: number;
  rttMs: number;
}

export interface InflationCalibration {
  low: number;
  mid: number;
  high: number;
  /** Pairs used (those at least `minBoundMs` of hard bound apart). */
  n: number;
}

/**
 * Path inflation from measured round trips: r = (rtt - fixed) / bound for pairs at least
 * `minBoundMs` of hard bound apart (~100 km; closer, the fixed delay dominates and r means
 * nothing); `mid` is the median r, [low, high] the shortest interval (in ratio) holding
 * `coverage` of them.
 */
export function calibrateInflation(points: readonly DistanceRtt[], fixedMs = AZURE_FIXED_MS, coverage = INFLATION_COVERAGE, minBoundMs = 1): InflationCalibration {
  const r = points
    .map((p) => ({ x: hardBoundMs(p.distanceKm), y: p.rttMs }))
    .filter((p) => p.x >= minBoundMs)
    .map((p) => Math.max(1e-9, (p.y - fixedMs) / p.x))
    .sort((a, b) => a - b);
  if (r.length < 3) throw new RangeError('calibrateInflation: fewer than 3 pairs far enough apart');
  const k = Math.max(1, Math.ceil(coverage * r.length));
  let best = { width: Infinity, low: r[0]!, high: r[r.length - 1]! };
  for (let i = 0; i + k - 1 < r.length; i++) {
    const width = Math.log(r[i + k - 1]! / r[i]!);
    if (width < best.width) best = { width, low: r[i]!, high: r[i + k - 1]! };
  }
  return { low: best.low, mid: median(r), high: best.high, n: r.length };
}

/** The `p` quantile (default 0.99) of path inflation over pairs at least `minKm` apart. */
export function worstCaseInflation(points: readonly DistanceRtt[], fixedMs = AZURE_FIXED_MS, p = 0.99, minKm = 1000): number {
  const r = points.filter((q) => q.distanceKm >= minKm).map((q) => (q.rttMs - fixedMs) / hardBoundMs(q.distanceKm)).sort((a, b) => a - b);
  return quantileSorted(r, p);
}

export type ModelSource = RangeModel['source'];
export type { RangeModel };

export function constantsModel(kind: Kind, note: string): RangeModel {
  return {
    kind, source: 'constants',
    fixedLowMs: ACCESS_MS.low, fixedMidMs: ACCESS_MS.mid, fixedHighMs: ACCESS_MS.high,
    inflationLow: AZURE_INFLATION.low, inflationMid: AZURE_INFLATION.mid, inflationHigh: AZURE_INFLATION.high,
    calibrationAccounts: 0, calibrationMinKm: null, calibrationMaxKm: null, note,
  };
}

/** Fewest accounts with a located claim for the `peers` calibration. */
export const MIN_CALIBRATION_ACCOUNTS = 20;
/** Their distances must spread at least this far (10th to 90th percentile of hard bound, ms: ~510 km). */
export const MIN_CALIBRATION_SPREAD_MS = 5;
/** Accounts beyond this are thinned (deterministically) before the O(n^2) Theil-Sen fit. */
const MAX_FIT_POINTS = 400;
/** Residuals farther than this many robust SDs from the fit are outliers (not part of the range). */
const OUTLIER_SCALES = 6;
/** Residual quantiles that set the fixed range of the `peers` model. */
const RESIDUAL_QUANTILES = [0.02, 0.98] as const;

/**
 * Robust fit of floor against hard bound over the organisation's own accounts (claims located to a
 * city or better, wired access, one server). Points must come in a deterministic order.
 * Falls back to the constants, saying why, when the data cannot support a fit.
 */
export function calibrateFromPeers(kind: Kind, points: readonly DistanceRtt[]): RangeModel {
  if (points.length < MIN_CALIBRATION_ACCOUNTS) {
    return constantsModel(kind, `${points.length} accounts with a located claim and a ${kind} floor; the peers calibration needs ${MIN_CALIBRATION_ACCOUNTS}`);
  }
  const xs = points.map((p) => hardBoundMs(p.distanceKm));
  const sortedX = [...xs].sort((a, b) => a - b);
  const spread = quantileSorted(sortedX, 0.9) - quantileSorted(sortedX, 0.1);
  if (spread < MIN_CALIBRATION_SPREAD_MS) {
    return constantsModel(kind, `the ${points.length} located accounts are all at about the same distance from the server (10-90 % spread ${Math.round(spread * KM_PER_MS_RTT)} km); a distance fit needs ${Math.round(MIN_CALIBRATION_SPREAD_MS * KM_PER_MS_RTT)} km`);
  }
  const stride = Math.max(1, Math.ceil(points.length / MAX_FIT_POINTS));
  const fit = points.map((p, i) => ({ x: xs[i]!, y: p.rttMs })).filter((_, i) => i % stride === 0);
  const slopes: number[] = [];
  for (let i = 0; i < fit.length; i++) {
    for (let j = i + 1; j < fit.length; j++) {
      const dx = fit[j]!.x - fit[i]!.x;
      if (Math.abs(dx) >= 1) slopes.push((fit[j]!.y - fit[i]!.y) / dx);
    }
  }
  if (slopes.length < MIN_CALIBRATION_ACCOUNTS) return constantsModel(kind, 'too few account pairs at different distances for a fit');
  const slope = median(slopes);
  if (!(slope >= 1 && slope <= AZURE_INFLATION.high * 1.5)) {
    return constantsModel(kind, `the peers' floors rise by ${slope.toFixed(2)} ms per ms of hard bound, outside the physical 1-${(AZURE_INFLATION.high * 1.5).toFixed(1)}; constants used`);
  }
  const intercept = Math.max(0, median(points.map((p, i) => p.rttMs - slope * xs[i]!)));
  // Residual range of the honest majority: accounts far off the line (a relayed account claiming to be
  // near, an impossible claim) are left out before taking quantiles, so they cannot widen the range.
  const all = points.map((p, i) => p.rttMs - (intercept + slope * xs[i]!));
  const mid = median(all);
  const scale = Math.max(1, MAD_TO_SD * mad(all));
  const residuals = all.filter((r) => Math.abs(r - mid) <= OUTLIER_SCALES * scale).sort((a, b) => a - b);
  const fixedLow = Math.max(0, intercept + quantileSorted(residuals, RESIDUAL_QUANTILES[0]));
  const fixedHigh = Math.max(intercept, intercept + quantileSorted(residuals, RESIDUAL_QUANTILES[1]));
  const km = points.map((p) => p.distanceKm);
  return {
    kind, source: 'peers',
    fixedLowMs: fixedLow, fixedMidMs: intercept, fixedHighMs: fixedHigh,
    inflationLow: Math.max(1, slope * (AZURE_INFLATION.low / AZURE_INFLATION.mid)),
    inflationMid: slope,
    inflationHigh: slope * (AZURE_INFLATION.high / AZURE_INFLATION.mid),
    calibrationAccounts: points.length,
    calibrationMinKm: Math.min(...km),
    calibrationMaxKm: Math.max(...km),
    note: `Theil-Sen fit over ${points.length} accounts with a located claim (${Math.round(Math.min(...km))}-${Math.round(Math.max(...km))} km from the server)`,
  };
}

// ------------------------------------------------------------------ use

export interface ExpectedRange {
  /** Hard bound at the nearest the claim can be (distance minus its uncertainty), ms. */
  hardBoundMs: number;
  expectedLowMs: number;
  expectedPointMs: number;
  expectedHighMs: number;
}

/**
 * Range of floors a connection from `distanceKm` away can show. `nearKm`/`farKm` are the nearest
 * and farthest the claim can be (uncertainty of the places, several servers); the low end and the
 * hard bound use the near one, the high end the far one.
 */
export function expectedRange(model: RangeModel, nearKm: number, pointKm: number, farKm: number, access: AccessClass): ExpectedRange {
  const xNear = hardBoundMs(nearKm);
  const xFar = hardBoundMs(farKm);
  const x = hardBoundMs(pointKm);
  return {
    hardBoundMs: xNear,
    expectedLowMs: Math.max(xNear, model.fixedLowMs + access.addLowMs + model.inflationLow * xNear),
    expectedPointMs: Math.max(x, model.fixedMidMs + access.addTypicalMs + model.inflationMid * x),
    expectedHighMs: model.fixedHighMs + access.addHighMs + model.inflationHigh * xFar,
  };
}

/**
 * Distance from the server a floor implies, km: the conservative lower bound (worst-case path
 * inflation and the highest fixed delay: "at least N km") and the point estimate (median
 * inflation, typical fixed delay).
 */
export function impliedDistanceKm(model: RangeModel, floorLowMs: number, floorMs: number, access: AccessClass): { lowKm: number; pointKm: number } {
  const worst = Math.max(model.inflationHigh, AZURE_WORST_INFLATION);
  const lowKm = Math.max(0, (floorLowMs - model.fixedHighMs - access.addHighMs) / worst) * KM_PER_MS_RTT;
  const pointKm = Math.max(0, (floorMs - model.fixedMidMs - access.addTypicalMs) / model.inflationMid) * KM_PER_MS_RTT;
  return { lowKm, pointKm: Math.max(pointKm, lowKm) };
}
