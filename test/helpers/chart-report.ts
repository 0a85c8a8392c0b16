// A hand-built report for the chart tests: the shared sample report (test/helpers/sample-report.ts)
// with the flagged account `mallory.k` given what the charts draw from:
// - 20 days of app_rtt floors, about 24 ms for 9 days, then about 118 ms (a hand-over), and a
//   `change_point` evidence item at that day (stats.changeDayIndex = 9, index into `daily`);
// - a `physics` evidence item with the physical model's figures (claimed 345 km from the
//   server, the floor implying at least 1,624 km, point 6,281 km);
// - a pooled peer histogram for its group (`nyc-hq`, app_rtt) on the same grid as its own,
//   its counts included (as the pipeline pools them).
// The change-point and physics signals are built in other issues; these items follow the stats
// keys they publish, so the charts are tested before those signals land.
import type { AccountReport, Evidence, Report } from '../../src/types.js';
import { sampleReport } from './sample-report.js';

export const MALLORY = 'mallory.k';
export const CHANGE_INDEX = 9;

export const MALLORY_DAILY_FLOORS = [24.1, 23.8, 24.6, 24.0, 25.2, 23.9, 24.4, 24.0, 24.8, 117.9, 118.4, 118.0, 119.2, 117.6, 118.9, 118.1, 120.3, 118.2, 117.8, 118.5];

export const CHANGE_EVIDENCE: Evidence = {
  signal: 'change_point',
  kind: 'app_rtt',
  observed: 118.2,
  baseline: 24.2,
  unit: 'ms',
  effect: 94,
  effectName: 'floor after minus floor before (ms)',
  interval: [116.1, 120.4],
  pValue: 1e-9,
  stats: { changeDayIndex: CHANGE_INDEX, daysBefore: 9, daysAfter: 11 },
  points: 20,
  sentence: 'app_rtt floor jumped from 24.2 ms to 118.2 ms on 2026-03-11',
};

export const PHYSICS_EVIDENCE: Evidence = {
  signal: 'physics',
  kind: 'app_rtt',
  observed: 118.04567,
  baseline: 50.8871234,
  unit: 'ms',
  effect: 67.15,
  effectName: 'floor above the expected range (ms)',
  interval: [116.2049, 119.8151],
  pValue: null,
  stats: {
    claimedDistanceKm: 344.6712345,
    uncertaintyKm: 50,
    hardBoundMs: 3.379,
    expectedLowMs: 3.77123,
    expectedPointMs: 14.1923,
    expectedHighMs: 50.8871234,
    impliedDistanceKmLow: 1623.51234,
    impliedDistanceKmPoint: 6281.0451,
  },
  points: 30,
  sentence: 'app_rtt floor 118.0 ms is above the 3.8-50.9 ms expected from New York, NY, US: implies >= 1,624 km from the server',
};

export function chartReport(): Report {
  const r = sampleReport();
  const m = r.accounts.find((a) => a.account === MALLORY)!;
  const app = m.kinds.find((k) => k.kind === 'app_rtt')!;
  app.daily = MALLORY_DAILY_FLOORS.map((floorMs, i) => ({
    day: `2026-03-${String(2 + i + (i >= 12 ? 2 : 0)).padStart(2, '0')}`, // a two-day gap after the 12th day
    n: 100 + 7 * i,
    floorMs,
    rank: 5,
  }));
  m.evidence.push(structuredClone(CHANGE_EVIDENCE), structuredClone(PHYSICS_EVIDENCE));
  r.peerGroups.push({
    group: m.peerGroup,
    kind: 'app_rtt',
    accounts: 8,
    samples: 14000,
    floorMedianMs: 27.1,
    histogram: {
      lowMs: app.histogram.lowMs,
      highMs: app.histogram.highMs,
      counts: app.histogram.counts.map((c, i) => c + [0, 0, 0, 0, 0, 0, 0, 900, 6000, 3000, 1200, 400, 120, 60, 10, 0][i]!),
    },
  });
  return r;
}

export function account(r: Report, name: string): AccountReport {
  const a = r.accounts.find((x) => x.account === name);
  if (!a) throw new Error(`no account ${name}`);
  return a;
}
