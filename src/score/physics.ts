// Signal 3, physical plausibility: an account's floor against where it claims to be.
//
// Items (signal `physics`, one for the most telling distance-bounding kind, plus one for any other
// kind whose floor proves the claim impossible; signal `ip_location` with --geoip-db):
// - impossible: the upper end of the floor's interval lies below the hard bound of light in fibre
//   from the claimed location: points = the shortfall in ms (one point per ms, like the floor signal);
// - beyond: the lower end lies above the expected range: the floor implies a distance ring around the
//   server ("at least N km", worst-case inflation; point estimate, median inflation);
// - fits: the floor is inside the expected range: the part of the floor's excess over the peers that
//   the claimed distance explains (the account is farther away than its peers) is taken back from
//   the peer comparison: exculpatory, negative points.
// The floor is one observation, judged against two baselines (peers, physics); they are not two
// proofs: the floor counts once, as the larger of the peer judgement (less what distance explains)
// and the physics judgement. The `physics` item carries the difference to the peer item.
import type { AccountPhysics, Evidence, Kind, KindStats, PhysicalModelReport } from '../types.js';
import { HEADLINE_KIND_ORDER } from '../types.js';
import type { KindSummary, PeerComparison } from '../baseline/peers.js';
import { EVERYONE } from '../baseline/peers.js';
import {
  AZURE_WORST_INFLATION, FIBER_GROUP_INDEX, KM_PER_MS_RTT, calibrateFromPeers, constantsModel, expectedRange, hardBoundMs,
  impliedDistanceKm, type AccessClass, type ExpectedRange, type RangeModel,
} from '../baseline/physical.js';
import { serverKey, toLocation, type Claim, type PhysicsSetup } from '../baseline/claims.js';
import { greatCircleKm } from '../geo/distance.js';
import type { ResolvedPlace } from '../geo/gazetteer.js';
import type { GeoIp } from '../geo/geoip.js';
import { countEvidence } from './combine.js';
import { FLOOR_POINTS_CAP, FLOOR_POINTS_PER_Z, FLOOR_Z0 } from './signals.js';
import type { EvidenceProvider } from './evidence.js';

/** Kinds whose floor bounds the distance to the person or client (keystroke intervals do not). */
const DISTANCE_KINDS: readonly Kind[] = ['app_rtt', 'input_lag', 'rtt', 'reaction'];
/** Kinds whose floor is a round trip an expected range applies to (reaction adds human time). */
const RANGE_KINDS: readonly Kind[] = HEADLINE_KIND_ORDER.filter((k) => k !== 'reaction');
/** Points cap of a physics item (as the floor signal). */
export const PHYSICS_POINTS_CAP = 150;
/** Full weight needs the one-sided confidence a two-sided 95 % interval gives its lower end (as signals.ts). */
const FULL_WEIGHT_CONFIDENCE = 0.975;
/** Fewest located peers whose median distance stands for the group's. */
const MIN_LOCATED_PEERS = 3;
/** IP location: most corroborating points, and the share of the claim's shortfall/excess they take. */
export const IP_POINTS_CAP = 20;
const IP_POINTS_SHARE = 0.25;
/** An IP location this far (plus both places' uncertainty) from the claim disagrees with it, km. */
const IP_DISAGREE_KM = 500;

export interface PhysicsAccountInput {
  key: string;
  stats: KindStats[];
  summaries: KindSummary[];
  /** Samples per server name ('' = rows without a server column). */
  servers: Map<string, number>;
  /** Samples per client address. */
  ips: Map<string, number>;
}

interface ServerUse {
  name: string;
  place: ResolvedPlace;
  samples: number;
  distanceKm: number | null;
}

interface Geometry {
  servers: ServerUse[];
  /** Nearest and farthest the claim can be from the servers used, and the distance to the main one. */
  nearKm: number;
  farKm: number;
  pointKm: number;
}

const round = (x: number, d = 1): string => x.toFixed(d);
const km = (x: number): string => `${Math.round(x).toLocaleString('en-US')} km`;

export class PhysicsRun {
  readonly models = new Map<Kind, RangeModel>();
  readonly physics = new Map<string, AccountPhysics>();
  readonly unlocatedServers = new Map<string, number>();
  private readonly geometry = new Map<string, Geometry | null>();
  private readonly inputs = new Map<string, PhysicsAccountInput>();

  constructor(
    readonly setup: PhysicsSetup,
    accounts: readonly PhysicsAccountInput[],
    private readonly groups: Map<string, string>,
    readonly geoip: GeoIp | null,
    readonly geoipPath: string | null,
  ) {
    for (const a of accounts) {
      this.inputs.set(a.key, a);
      this.geometry.set(a.key, this.geometryOf(a));
    }
    for (const kind of RANGE_KINDS) {
      const points: { distanceKm: number; rttMs: number }[] = [];
      let present = false;
      for (const a of accounts) {
        const s = a.summaries.find((x) => x.kind === kind);
        if (!s) continue;
        present = true;
        const claim = this.setup.claims.get(a.key);
        const g = this.geometry.get(a.key);
        if (!claim?.place || claim.place.precision === 'time_zone' || claim.access.name !== 'fixed' || !g || g.servers.length !== 1) continue;
        points.push({ distanceKm: g.pointKm, rttMs: s.stats.floor.valueMs });
      }
      if (present) this.models.set(kind, calibrateFromPeers(kind, points));
    }
  }

  private geometryOf(a: PhysicsAccountInput): Geometry | null {
    const claim = this.setup.claims.get(a.key);
    const servers: ServerUse[] = [];
    for (const [name, samples] of [...a.servers.entries()].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))) {
      const place = name === '' ? this.setup.server : this.setup.servers.get(serverKey(name)) ?? null;
      if (!place) {
        this.unlocatedServers.set(name, (this.unlocatedServers.get(name) ?? 0) + samples);
        continue;
      }
      servers.push({ name: name === '' ? 'default' : name, place, samples, distanceKm: claim?.place ? greatCircleKm(claim.place, place) : null });
    }
    if (!claim?.place || servers.length === 0) return servers.length === 0 ? null : { servers, nearKm: 0, farKm: 0, pointKm: 0 };
    const u = (s: ServerUse): number => claim.place!.uncertaintyKm + s.place.uncertaintyKm;
    return {
      servers,
      nearKm: Math.min(...servers.map((s) => Math.max(0, s.distanceKm! - u(s)))),
      farKm: Math.max(...servers.map((s) => s.distanceKm! + u(s))),
      pointKm: servers[0]!.distanceKm!,
    };
  }

  modelFor(kind: Kind): RangeModel {
    return this.models.get(kind) ?? constantsModel(kind, `no account has a scored ${kind} floor`);
  }

  private readonly peerBounds = new Map<string, { xs: number[]; own: Map<string, number> }>();

  /** Median hard bound (ms) of the located peers of `account` in its comparison group, leaving it out. */
  peerBoundMs(account: string, kind: Kind, group: string): number | null {
    const cacheKey = `${group}\u0000${kind}`;
    let entry = this.peerBounds.get(cacheKey);
    if (!entry) {
      const own = new Map<string, number>();
      for (const [key, input] of this.inputs) {
        if (!input.summaries.some((s) => s.kind === kind)) continue;
        if (group !== EVERYONE && (this.groups.get(key) ?? EVERYONE) !== group) continue;
        const claim = this.setup.claims.get(key);
        const g = this.geometry.get(key);
        if (!claim?.place || claim.place.precision === 'time_zone' || !g || g.servers.length === 0) continue;
        own.set(key, hardBoundMs(g.pointKm));
      }
      entry = { xs: [...own.values()].sort((a, b) => a - b), own };
      this.peerBounds.set(cacheKey, entry);
    }
    // Leave the account out: drop one copy of its own value from the sorted list.
    const mine = entry.own.get(account);
    const skip = mine === undefined ? -1 : entry.xs.indexOf(mine);
    const n = entry.xs.length - (skip >= 0 ? 1 : 0);
    if (n < MIN_LOCATED_PEERS) return null;
    const at = (k: number): number => entry!.xs[skip >= 0 && k >= skip ? k + 1 : k]!;
    const m = n >> 1;
    return n % 2 ? at(m) : (at(m - 1) + at(m)) / 2;
  }

  /** The figures an account's report carries (also for accounts the provider never saw). */
  physicsOf(account: string, scored: boolean): AccountPhysics {
    const done = this.physics.get(account);
    if (done) return done;
    const claim = this.setup.claims.get(account);
    const g = this.geometry.get(account) ?? null;
    const reason = !claim ? 'not in the roster'
      : !claim.place ? claim.missing ?? 'no claimed location'
        : !g || g.servers.length === 0 ? 'no server location for its rows'
          : scored ? 'no round-trip kind (rtt, app_rtt, input_lag, reaction) with enough samples' : 'insufficient data';
    return blankPhysics(claim ?? null, g, reason);
  }

  report(): PhysicalModelReport {
    return {
      kmPerMsRtt: KM_PER_MS_RTT,
      fiberGroupIndex: FIBER_GROUP_INDEX,
      server: this.setup.server ? toLocation(this.setup.server) : null,
      serversFile: this.setup.serversFile,
      geoipDb: this.geoipPath,
      worstCaseInflation: AZURE_WORST_INFLATION,
      models: [...this.models.values()].map((m) => ({
        kind: m.kind, source: m.source, fixedLowMs: m.fixedLowMs, fixedMidMs: m.fixedMidMs, fixedHighMs: m.fixedHighMs,
        inflationLow: m.inflationLow, inflationMid: m.inflationMid, inflationHigh: m.inflationHigh,
        calibrationAccounts: m.calibrationAccounts, calibrationMinKm: m.calibrationMinKm, calibrationMaxKm: m.calibrationMaxKm, note: m.note,
      })),
      locations: { ...this.setup.locations },
    };
  }

  geometryFor(account: string): Geometry | null {
    return this.geometry.get(account) ?? null;
  }

  inputFor(account: string): PhysicsAccountInput | undefined {
    return this.inputs.get(account);
  }
}

function blankPhysics(claim: Claim | null, g: Geometry | null, reason: string): AccountPhysics {
  const d = claim?.place && g && g.servers.length > 0 ? g.pointKm : null;
  return {
    claimed: claim?.place ? toLocation(claim.place) : null,
    servers: (g?.servers ?? []).map((s) => ({ name: s.name, location: toLocation(s.place), samples: s.samples, distanceKm: s.distanceKm })),
    access: claim?.access.name ?? 'fixed',
    kind: null,
    verdict: 'not_assessed',
    reason,
    distanceKm: d,
    hardBoundMs: d === null || !g ? null : hardBoundMs(g.nearKm),
    expectedLowMs: null,
    expectedPointMs: null,
    expectedHighMs: null,
    floorMs: null,
    floorLowMs: null,
    floorHighMs: null,
    impliedDistanceKmLow: null,
    impliedDistanceKmPoint: null,
    model: null,
  };
}

interface Check {
  kind: Kind;
  stats: KindStats;
  range: ExpectedRange;
  model: RangeModel;
  floorMs: number;
  floorLowMs: number;
  floorHighMs: number;
  /** Weight of the lower end (small n: the minimum's confidence of lying below the true p5). */
  weight: number;
  verdict: 'impossible' | 'beyond' | 'fits' | 'below_expected';
  implied: { lowKm: number; pointKm: number };
}

function check(kind: Kind, stats: KindStats, model: RangeModel, g: Geometry, access: AccessClass, comparison: PeerComparison | undefined): Check {
  const range = expectedRange(model, g.nearKm, g.pointKm, g.farKm, access);
  const floorMs = stats.floor.valueMs;
  const floorHighMs = stats.floorInterval.upperMs;
  const floorLowMs = comparison?.floorLowMs ?? stats.floorInterval.lowerMs ?? stats.minMs;
  const confidence = comparison?.floorLowConfidence
    ?? (stats.floorInterval.lowerMs !== null ? 1 - (1 - stats.floorInterval.confidence) / 2 : 1 - 0.95 ** stats.n);
  const weight = Math.min(1, confidence / FULL_WEIGHT_CONFIDENCE);
  const rangeKind = RANGE_KINDS.includes(kind);
  const verdict = floorHighMs < range.hardBoundMs ? 'impossible'
    : !rangeKind ? 'fits'
      : floorLowMs > range.expectedHighMs ? 'beyond'
        : floorMs < range.expectedLowMs ? 'below_expected' : 'fits';
  return { kind, stats, range, model, floorMs, floorLowMs, floorHighMs, weight, verdict, implied: impliedDistanceKm(model, floorLowMs, floorMs, access) };
}

/** Floor points of a peer comparison after taking `explainedMs` off the excess (same rule as signals.ts). */
function peerFloorPoints(c: PeerComparison, explainedMs: number): number {
  const weight = Math.min(1, c.floorLowConfidence / FULL_WEIGHT_CONFIDENCE);
  const excessLow = c.floorExcessLowMs - explainedMs;
  const zLow = c.floorZLow - explainedMs / c.peerFloorScaleMs;
  return weight * Math.min(FLOOR_POINTS_CAP, Math.max(0, Math.min(FLOOR_POINTS_PER_Z * (zLow - FLOOR_Z0), excessLow)));
}

export function physicsProvider(run: PhysicsRun): EvidenceProvider {
  return (ctx) => {
    const claim = run.setup.claims.get(ctx.account);
    const g = run.geometryFor(ctx.account);
    if (!claim?.place || !g || g.servers.length === 0) return [];
    const place = claim.place;
    const kinds = DISTANCE_KINDS.map((k) => ctx.summaries.find((s) => s.kind === k)).filter((s): s is KindSummary => s !== undefined);
    if (kinds.length === 0) return [];
    const checks = kinds.map((s) => check(s.kind, s.stats, run.modelFor(s.kind === 'reaction' ? 'rtt' : s.kind), g, claim.access, ctx.comparisons.get(s.kind)));
    const main = checks.find((c) => RANGE_KINDS.includes(c.kind)) ?? checks[0]!;

    // The peer floor judgement, before and after what the claimed distance explains.
    const prior = ctx.prior ?? [];
    const peerItems = prior.filter((e) => e.signal === 'floor_vs_peers' && e.points > 0);
    const peerBefore = Math.max(0, ...peerItems.map((e) => e.points));
    let peerAfter = 0;
    const explainedBy = new Map<Kind, number>();
    for (const item of peerItems) {
      const c = ctx.comparisons.get(item.kind);
      const k = checks.find((x) => x.kind === item.kind);
      if (!c || !k || k.verdict !== 'fits') { peerAfter = Math.max(peerAfter, item.points); continue; }
      const peerX = run.peerBoundMs(ctx.account, item.kind, c.group);
      const explained = peerX !== null
        ? Math.max(0, k.model.inflationHigh * (hardBoundMs(g.pointKm) - peerX) + claim.access.addHighMs)
        : Math.max(0, k.range.expectedLowMs - c.peerFloorMs);
      explainedBy.set(item.kind, explained);
      peerAfter = Math.max(peerAfter, Math.min(item.points, peerFloorPoints(c, explained)));
    }

    const items: Evidence[] = [];
    // Reaction times include human time: they can prove a claim impossible, not place anyone in a range.
    const mainRanged = RANGE_KINDS.includes(main.kind) || main.verdict === 'impossible';
    for (const k of checks) {
      if (k !== main && k.verdict !== 'impossible') continue;
      if (k === main && !mainRanged) continue;
      const r = k.range;
      const where = `${place.label} (${km(g.pointKm)} from the server${g.servers.length > 1 ? ` ${g.servers[0]!.name}; ${g.servers.length} servers` : ''}${place.precision === 'time_zone' ? `, low precision ±${km(place.uncertaintyKm)}` : ''})`;
      const accessNote = claim.access.name !== 'fixed' ? `; roster access '${claim.access.name}' widens the range: ${claim.access.why}` : '';
      const beyondClaimKm = Math.max(0, k.implied.lowKm - g.farKm);
      let points = 0;
      let effect = 0;
      let effectName = 'floor within the expected range';
      let sentence: string;
      if (k.verdict === 'impossible') {
        const shortMs = r.hardBoundMs - k.floorHighMs;
        points = Math.min(PHYSICS_POINTS_CAP, shortMs);
        effect = k.floorHighMs - r.hardBoundMs;
        effectName = 'floor (upper bound) minus the hard bound (ms)';
        sentence = `claims ${where}: light in fibre needs at least ${round(r.hardBoundMs)} ms there and back, but the ${k.kind} floor is ${round(k.floorMs)} ms `
          + `(95 % CI up to ${round(k.floorHighMs)} ms): the claimed location is physically impossible, ${round(shortMs)} ms short `
          + `(the account is at least ${km(shortMs * KM_PER_MS_RTT)} closer to the server than claimed)`;
      } else if (k === main && k.verdict === 'beyond') {
        const beyondPoints = k.weight * Math.min(PHYSICS_POINTS_CAP, k.floorLowMs - r.expectedHighMs);
        points = Math.max(peerAfter, beyondPoints) - peerBefore;
        effect = k.floorLowMs - r.expectedHighMs;
        effectName = 'floor (lower bound) above the expected range (ms)';
        sentence = `${k.kind} floor ${round(k.floorMs)} ms (95 % CI from ${round(k.floorLowMs)} ms) is far above the ${round(r.expectedLowMs)}-${round(r.expectedHighMs)} ms expected from ${where}${accessNote}: `
          + `implies ${k.kind === 'rtt' ? 'the client is ' : k.kind === 'app_rtt' ? 'the person is ' : ''}at least ${km(k.implied.lowKm)} from the server (point estimate ${km(k.implied.pointKm)})`
          + (beyondClaimKm > 0 ? `, at least ${km(beyondClaimKm)} beyond the claimed location` : '')
          + (peerBefore > 0 ? ` (the floor counts once: ${round(Math.max(peerAfter, beyondPoints))} points against the peers' ${round(peerBefore)})` : '');
      } else if (k.verdict === 'fits') {
        points = peerAfter - peerBefore;
        const explained = explainedBy.get(k.kind) ?? 0;
        sentence = `${k.kind} floor ${round(k.floorMs)} ms fits ${where}: hard bound ${round(r.hardBoundMs)} ms, expected ${round(r.expectedLowMs)}-${round(r.expectedHighMs)} ms${accessNote}; `
          + `its floor fits its claimed location`
          + (points < 0
            ? `, and ${claim.access.name === 'fixed' ? 'the distance explains' : `the distance and its ${claim.access.name} link explain`} up to ${round(explained)} ms of its floor above its peers' (${round(points)} points)`
            : '');
      } else {
        sentence = `${k.kind} floor ${round(k.floorMs)} ms is below the ${round(r.expectedLowMs)}-${round(r.expectedHighMs)} ms usually seen from ${where} but above the hard bound of ${round(r.hardBoundMs)} ms: `
          + 'possible over a direct route; not scored';
      }
      const m = k.model;
      items.push({
        signal: 'physics',
        kind: k.kind,
        observed: k.floorMs,
        baseline: k.verdict === 'impossible' ? r.hardBoundMs : r.expectedHighMs,
        unit: 'ms',
        effect,
        effectName,
        interval: [k.floorLowMs, k.floorHighMs],
        pValue: null,
        stats: {
          claimedDistanceKm: g.pointKm,
          uncertaintyKm: g.farKm - g.pointKm,
          hardBoundMs: r.hardBoundMs,
          expectedLowMs: r.expectedLowMs,
          expectedPointMs: r.expectedPointMs,
          expectedHighMs: r.expectedHighMs,
          impliedDistanceKmLow: k.implied.lowKm,
          impliedDistanceKmPoint: k.implied.pointKm,
          beyondClaimKm,
          verdictImpossible: k.verdict === 'impossible' ? 1 : 0,
          verdictBeyond: k.verdict === 'beyond' ? 1 : 0,
          verdictFits: k.verdict === 'fits' ? 1 : 0,
          peerFloorPoints: peerBefore,
          peerFloorPointsAfter: peerAfter,
          explainedMs: explainedBy.get(k.kind) ?? 0,
          weight: k.weight,
          modelFromPeers: m.source === 'peers' ? 1 : 0,
          fixedLowMs: m.fixedLowMs,
          fixedHighMs: m.fixedHighMs,
          inflationLow: m.inflationLow,
          inflationMid: m.inflationMid,
          inflationHigh: m.inflationHigh,
          accessAddHighMs: claim.access.addHighMs,
          servers: g.servers.length,
        },
        points,
        sentence,
      });
    }

    if (!mainRanged) {
      run.physics.set(ctx.account, blankPhysics(claim, g, 'only reaction times: they include human time and bound the distance from below only'));
      return items;
    }
    run.physics.set(ctx.account, {
      claimed: toLocation(place),
      servers: g.servers.map((s) => ({ name: s.name, location: toLocation(s.place), samples: s.samples, distanceKm: s.distanceKm })),
      access: claim.access.name,
      kind: main.kind,
      verdict: main.verdict,
      reason: null,
      distanceKm: g.pointKm,
      hardBoundMs: main.range.hardBoundMs,
      expectedLowMs: main.range.expectedLowMs,
      expectedPointMs: main.range.expectedPointMs,
      expectedHighMs: main.range.expectedHighMs,
      floorMs: main.floorMs,
      floorLowMs: main.floorLowMs,
      floorHighMs: main.floorHighMs,
      impliedDistanceKmLow: main.implied.lowKm,
      impliedDistanceKmPoint: main.implied.pointKm,
      model: main.model.source,
    });

    const ip = ipEvidence(run, ctx.account, main, claim, g, items);
    if (ip) items.push(ip);
    return items;
  };
}

/** Signal `ip_location`: the account's main client address, located, judged by the same floor. */
function ipEvidence(run: PhysicsRun, account: string, main: Check, claim: Claim, g: Geometry, items: Evidence[]): Evidence | null {
  if (!run.geoip) return null;
  const input = run.inputFor(account);
  if (!input || input.ips.size === 0) return null;
  const [ip, samples] = [...input.ips.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]!;
  const where = run.geoip.lookup(ip);
  const total = [...input.ips.values()].reduce((a, b) => a + b, 0);
  const share = `${ip} (${round((100 * samples) / total, 0)} % of its samples${input.ips.size > 1 ? `, ${input.ips.size} addresses` : ''})`;
  if (!where) {
    return {
      signal: 'ip_location', kind: main.kind, observed: main.floorMs, baseline: 0, unit: 'ms', effect: 0, effectName: 'none', interval: null, pValue: null,
      stats: { addresses: input.ips.size, located: 0 }, points: 0,
      sentence: `client address ${share} is not in the GeoIP database`,
    };
  }
  const server = g.servers[0]!.place;
  const dIp = greatCircleKm(where, server);
  const u = where.uncertaintyKm + server.uncertaintyKm;
  const ipGeometry: Geometry = { servers: g.servers, nearKm: Math.max(0, dIp - u), farKm: dIp + u, pointKm: dIp };
  const k = check(main.kind, main.stats, main.model, ipGeometry, claim.access, undefined);
  const separationKm = claim.place ? greatCircleKm(where, claim.place) : null;
  const disagree = separationKm !== null && separationKm > IP_DISAGREE_KM + where.uncertaintyKm + (claim.place?.uncertaintyKm ?? 0);
  const claimItem = items.find((e) => e.kind === main.kind && e.signal === 'physics');
  const claimContradicted = main.verdict === 'beyond' || main.verdict === 'impossible';
  const claimGapMs = main.verdict === 'beyond' ? main.floorLowMs - main.range.expectedHighMs : main.verdict === 'impossible' ? main.range.hardBoundMs - main.floorHighMs : 0;
  const points = disagree && claimContradicted && k.verdict === 'fits' ? Math.min(IP_POINTS_CAP, IP_POINTS_SHARE * claimGapMs) : 0;
  const ipVerdict = k.verdict === 'impossible' ? 'cannot be where its address is located (a VPN or proxy exit, or a wrong database entry)'
    : k.verdict === 'beyond' ? `is farther than its address: at least ${km(k.implied.lowKm)} from the server (behind a relay or remote-controlled machine at that address?)`
      : 'fits the address\'s location';
  const sentence = `client address ${share} is located in ${where.label} (±${km(where.uncertaintyKm)}, ${km(dIp)} from the server)`
    + (separationKm !== null ? `, ${km(separationKm)} from the claimed ${claim.place!.label}` : '')
    + `; the ${main.kind} floor ${round(main.floorMs)} ms ${ipVerdict}`
    + (points > 0 ? `: the address agrees with the floor, not with the claim` : claimItem && disagree ? '' : '');
  return {
    signal: 'ip_location',
    kind: main.kind,
    observed: main.floorMs,
    baseline: k.range.expectedHighMs,
    unit: 'ms',
    effect: separationKm ?? 0,
    effectName: 'distance between the address location and the claimed location (km)',
    interval: [main.floorLowMs, main.floorHighMs],
    pValue: null,
    stats: {
      addresses: input.ips.size,
      located: 1,
      ipLat: where.lat,
      ipLon: where.lon,
      accuracyRadiusKm: where.uncertaintyKm,
      ipDistanceKm: dIp,
      separationKm,
      hardBoundMs: k.range.hardBoundMs,
      expectedLowMs: k.range.expectedLowMs,
      expectedHighMs: k.range.expectedHighMs,
      verdictImpossible: k.verdict === 'impossible' ? 1 : 0,
      verdictBeyond: k.verdict === 'beyond' ? 1 : 0,
      verdictFits: k.verdict === 'fits' ? 1 : 0,
    },
    points,
    sentence,
  };
}

/** Total of the counted items so far (for signals that may only add to evidence already there). */
export function countedTotal(prior: readonly Evidence[]): number {
  return countEvidence([...prior]).total;
}
