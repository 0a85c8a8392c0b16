// The physical model (src/baseline/physical.ts) against measured round trips: 924 Azure inter-region
// pairs (fixtures/azure/, from Microsoft Learn's published P50 tables).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  ACCESS_CLASSES, AZURE_FIXED_MS, AZURE_INFLATION, AZURE_WORST_INFLATION, GEO_MIN_RTT_MS, KM_PER_MS_RTT, accessClass, calibrateFromPeers,
  calibrateInflation, expectedRange, hardBoundMs, impliedDistanceKm, worstCaseInflation, type DistanceRtt,
} from '../src/baseline/physical.js';

interface Pair extends DistanceRtt {
  from: string;
  to: string;
}

const PAIRS: Pair[] = readFileSync(new URL('../../fixtures/azure/azure-inter-region-rtt-p50.csv', import.meta.url), 'utf8')
  .trim().split('\n').slice(1).map((line) => {
    const f = line.split(',');
    return { from: f[0]!, to: f[1]!, rttMs: Number(f[6]), distanceKm: Number(f[7]) };
  });

test('fixture: 924 measured pairs', () => {
  assert.equal(PAIRS.length, 924);
});

test('light in fibre: ~102 km of great circle per ms of round trip', () => {
  assert.ok(Math.abs(KM_PER_MS_RTT - 102.1) < 0.05, String(KM_PER_MS_RTT));
  assert.ok(Math.abs(hardBoundMs(1021.09) - 10) < 0.001);
  assert.equal(hardBoundMs(-5), 0);
});

test('hard bound never exceeds a measured round trip, and is tight', () => {
  let tightest = { ratio: 0, pair: PAIRS[0]! };
  for (const p of PAIRS) {
    const bound = hardBoundMs(p.distanceKm);
    assert.ok(bound <= p.rttMs, `${p.from} -> ${p.to}: bound ${bound.toFixed(2)} ms > measured ${p.rttMs} ms`);
    const ratio = bound / p.rttMs;
    if (ratio > tightest.ratio) tightest = { ratio, pair: p };
  }
  // A bound of zero (or any loose bound) fails here: the tightest pair sits at >= 0.8x its measured round trip.
  assert.ok(tightest.ratio >= 0.8, `tightest pair ${tightest.pair.from} -> ${tightest.pair.to}: bound/RTT ${tightest.ratio.toFixed(3)}`);
  assert.ok(tightest.ratio < 1);
});

/** Halves stratified by distance: unordered region pairs sorted by distance, alternately to A and B (both directions together). */
function halves(): [Pair[], Pair[]] {
  const byPair = new Map<string, Pair[]>();
  for (const p of PAIRS) {
    const key = [p.from, p.to].sort().join('|');
    (byPair.get(key) ?? byPair.set(key, []).get(key)!).push(p);
  }
  const keys = [...byPair.keys()].sort((a, b) => Math.min(...byPair.get(a)!.map((p) => p.distanceKm)) - Math.min(...byPair.get(b)!.map((p) => p.distanceKm)) || (a < b ? -1 : 1));
  const a: Pair[] = [];
  const b: Pair[] = [];
  keys.forEach((k, i) => (i % 2 === 0 ? a : b).push(...byPair.get(k)!));
  return [a, b];
}

test('expected range calibrated on half the pairs holds >= 90 % of the other half, upper <= 3x lower', () => {
  const [a, b] = halves();
  assert.ok(a.length >= 400 && b.length >= 400, `halves of ${a.length} and ${b.length} pairs`);
  for (const [train, held] of [[a, b], [b, a]] as const) {
    const cal = calibrateInflation(train);
    let inside = 0;
    let worstRatio = 0;
    for (const p of held) {
      const x = hardBoundMs(p.distanceKm);
      const low = Math.max(x, AZURE_FIXED_MS + cal.low * x);
      const high = AZURE_FIXED_MS + cal.high * x;
      if (p.rttMs >= low && p.rttMs <= high) inside++;
      worstRatio = Math.max(worstRatio, high / low);
    }
    const share = inside / held.length;
    assert.ok(share >= 0.9, `held-out coverage ${(share * 100).toFixed(1)} % (inflation ${cal.low.toFixed(3)}-${cal.high.toFixed(3)})`);
    assert.ok(worstRatio <= 3, `upper/lower ${worstRatio.toFixed(2)}`);
  }
});

test('the inflation constants are the calibration of all pairs', () => {
  const all = calibrateInflation(PAIRS);
  assert.ok(Math.abs(all.low - AZURE_INFLATION.low) < 0.001, String(all.low));
  assert.ok(Math.abs(all.mid - AZURE_INFLATION.mid) < 0.001, String(all.mid));
  assert.ok(Math.abs(all.high - AZURE_INFLATION.high) < 0.001, String(all.high));
  assert.ok(Math.abs(worstCaseInflation(PAIRS) - AZURE_WORST_INFLATION) < 0.01, String(worstCaseInflation(PAIRS)));
  // The README's published summary: min 1.19x, median 1.81x over pairs > 500 km (with fixed 0 ms).
  const far = PAIRS.filter((p) => p.distanceKm > 500).map((p) => p.rttMs / hardBoundMs(p.distanceKm)).sort((x, y) => x - y);
  assert.ok(Math.abs(far[0]! - 1.19) < 0.01);
});

test('peers calibration: a robust fit recovers the line, ignores outliers, falls back to constants', () => {
  // 60 accounts at four distances following floor = 10 + 1.6 x, access noise 0-12 ms; 3 relayed outliers.
  const points: DistanceRtt[] = [];
  const sites = [350, 900, 2400, 13700];
  for (let i = 0; i < 60; i++) {
    const d = sites[i % 4]!;
    points.push({ distanceKm: d, rttMs: 10 + 1.6 * hardBoundMs(d) + ((i * 7) % 13) });
  }
  points.push({ distanceKm: 350, rttMs: 140 }, { distanceKm: 900, rttMs: 150 }, { distanceKm: 10800, rttMs: 6 });
  const m = calibrateFromPeers('rtt', points);
  assert.equal(m.source, 'peers');
  assert.ok(Math.abs(m.inflationMid - 1.6) < 0.05, String(m.inflationMid));
  assert.ok(m.fixedLowMs >= 9 && m.fixedHighMs <= 25, `${m.fixedLowMs} ${m.fixedHighMs}`);
  assert.equal(calibrateFromPeers('rtt', points.slice(0, 10)).source, 'constants');
  // All at one distance: no fit.
  const oneCity = points.map((p) => ({ ...p, distanceKm: 350 }));
  const c = calibrateFromPeers('rtt', oneCity);
  assert.equal(c.source, 'constants');
  assert.match(c.note, /same distance/);
});

test('expected range and implied distance: the Austin / Ashburn worked example', () => {
  const austinKm = 2087; // Austin, TX to Ashburn, VA, great circle (README)
  const m = calibrateFromPeers('rtt', []); // constants
  const r = expectedRange(m, austinKm, austinKm, austinKm, ACCESS_CLASSES.fixed!);
  assert.ok(Math.abs(r.hardBoundMs - 20.44) < 0.01);
  assert.ok(r.expectedLowMs < r.expectedPointMs && r.expectedPointMs < r.expectedHighMs);
  assert.ok(r.expectedHighMs < 160 && r.expectedHighMs > 60);
  const implied = impliedDistanceKm(m, 160, 160, ACCESS_CLASSES.fixed!);
  assert.ok(implied.lowKm > austinKm && implied.lowKm < implied.pointKm);
  // Satellite access widens the range by hundreds of ms.
  const sat = expectedRange(m, austinKm, austinKm, austinKm, accessClass('Satellite')!);
  assert.ok(sat.expectedHighMs - r.expectedHighMs === 700);
  assert.equal(accessClass('LTE')!.name, 'cellular');
  assert.equal(accessClass('carrier pigeon'), null);
  assert.ok(Math.abs(GEO_MIN_RTT_MS - 477.5) < 0.1);
});
