// Peer evidence items (signals 1 and 2) from the peer comparisons. Points follow effect sizes and
// their uncertainty: the floor scores by its lower confidence bound, the KS distance by what is left
// after its sampling noise, and both only beyond what the peer group itself shows.
import type { Evidence, Kind } from '../types.js';
import type { PeerComparison } from '../baseline/peers.js';
import { normalSf } from '../analyze/stats.js';

/** Robust z below which a floor is within the peers' normal spread. */
export const FLOOR_Z0 = 3;
/** Points per unit of robust z beyond FLOOR_Z0 (the z-side of the floor rule). */
export const FLOOR_POINTS_PER_Z = 8;
export const FLOOR_POINTS_CAP = 150;
/** Same for the distribution shift (KS distance beyond the peers' usual distance). */
export const SHIFT_Z0 = 3;
export const SHIFT_POINTS_PER_Z = 15;
export const SHIFT_POINTS_CAP = 100;

const round = (x: number, digits = 1): string => x.toFixed(digits);
const signed = (x: number, digits = 1): string => `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`;

/** Full weight needs the one-sided confidence a two-sided 95 % interval gives its lower end. */
const FULL_WEIGHT_CONFIDENCE = 0.975;

export function floorEvidence(kind: Kind, c: PeerComparison, floorMs: number, high: number, n: number): Evidence {
  const zLow = c.floorZLow;
  const excessLow = c.floorExcessLowMs;
  // Small n: the conservative floor is the sample minimum, weighted by how sure it is to lie below
  // the true p5, so few samples get less weight, smoothly, rather than none or full.
  const weight = Math.min(1, c.floorLowConfidence / FULL_WEIGHT_CONFIDENCE);
  // Both must hold: far outside the peers' spread (z) AND many ms above them (physics).
  const points = weight * Math.min(FLOOR_POINTS_CAP, Math.max(0, Math.min(FLOOR_POINTS_PER_Z * (zLow - FLOOR_Z0), excessLow)));
  const bound = c.floorLowFrom === 'minimum'
    ? `; n too small for a two-sided interval: lower bound is the minimum ${round(c.floorLowMs)} ms (confidence ${(c.floorLowConfidence * 100).toFixed(1)} %), weight ${weight.toFixed(2)}`
    : '';
  const sentence = `${kind} floor ${round(floorMs)} ms vs peer floor ${round(c.peerFloorMs)} ms `
    + `(${signed(c.floorExcessMs)} ms, robust z ${round(c.floorZ)}, n=${n.toLocaleString('en-US')}, ${c.peerCount} peers in ${c.group}${bound})`
    + (points === 0 ? ': within the peers\' spread' : '');
  return {
    signal: 'floor_vs_peers',
    kind,
    observed: floorMs,
    baseline: c.peerFloorMs,
    unit: 'ms',
    effect: c.floorExcessMs,
    effectName: 'floor excess over peer median (ms)',
    interval: [c.floorLowMs, high],
    pValue: normalSf(zLow),
    stats: {
      robustZ: c.floorZ,
      robustZLow: zLow,
      peerScaleMs: c.peerFloorScaleMs,
      excessLowMs: excessLow,
      lowBoundConfidence: c.floorLowConfidence,
      weight,
      peers: c.peerCount,
      n,
    },
    points,
    sentence,
  };
}

export function shiftEvidence(kind: Kind, c: PeerComparison): Evidence {
  const shapeDLow = Math.max(0, c.shapeD - c.ksCriticalD);
  const bodyExcessMs = c.bodyMs - c.peerBodyMs;
  // Scores only a shape with extra mass *above* the own floor, far outside the peers' usual
  // shapes (z) AND many ms above their body (physics); a faster or tighter shape never scores.
  const points = c.shapeCliffsDelta <= 0
    ? 0
    : Math.min(SHIFT_POINTS_CAP, Math.max(0, Math.min(SHIFT_POINTS_PER_Z * (c.shapeDZLow - SHIFT_Z0), bodyExcessMs)));
  const direction = c.cliffsDelta > 0 ? 'slower' : 'faster';
  const sentence = `${kind} upper body ${round(c.bodyMs)} ms above its own floor vs peers' ${round(c.peerBodyMs)} ms `
    + `(shape KS D ${round(c.shapeD, 2)}, peers typically ${round(c.peerShapeDMedian, 2)}); `
    + `whole distribution ${direction} than pooled peers: KS D ${round(c.ksD, 2)}, Cliff's delta ${signed(c.cliffsDelta, 2)}, median ${signed(c.medianShiftMs)} ms`;
  return {
    signal: 'shift_vs_peers',
    kind,
    observed: c.bodyMs,
    baseline: c.peerBodyMs,
    unit: 'ms',
    effect: c.cliffsDelta,
    effectName: "Cliff's delta vs pooled peers",
    interval: [shapeDLow, Math.min(1, c.shapeD + c.ksCriticalD)],
    pValue: c.ksPValue,
    stats: {
      ksD: c.ksD,
      ksPValue: c.ksPValue,
      ksCriticalD: c.ksCriticalD,
      cliffsDelta: c.cliffsDelta,
      medianShiftMs: c.medianShiftMs,
      shapeD: c.shapeD,
      shapeCliffsDelta: c.shapeCliffsDelta,
      peerShapeDMedian: c.peerShapeDMedian,
      peerShapeDScale: c.peerShapeDScale,
      shapeDZLow: c.shapeDZLow,
      bodyExcessMs,
      peerPValue: normalSf(c.shapeDZLow),
    },
    points,
    sentence,
  };
}
