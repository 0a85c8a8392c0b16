// The pipeline's side of signals 3 and 7: collects what they need while samples stream past (servers,
// client addresses, active quarter-hours per account), resolves claims and servers, calibrates the
// physical model once every floor is known, and hands the pipeline its evidence providers.
import type { AccountPhysics, KindStats, PhysicalModelReport, Rejection } from '../types.js';
import type { RawSample } from '../ingest/adapter.js';
import type { Roster } from '../ingest/roster.js';
import type { KindSummary } from '../baseline/peers.js';
import { usageError } from '../errors.js';
import { readServersFile, resolveClaims, resolveServerLocation, type PhysicsSetup } from '../baseline/claims.js';
import { openGeoIp, type GeoIp } from '../geo/geoip.js';
import { loadRegionNames } from '../geo/gazetteer.js';
import { PhysicsRun, physicsProvider } from './physics.js';
import { ActivityRun, activityProvider, BUCKET_MS } from './activity.js';
import type { EvidenceProvider } from './evidence.js';

export interface LocationOptions {
  /** --server-location: "City, Country" or "lat,lon". */
  serverLocation?: string | null;
  /** --servers FILE: server name -> location, for a per-row server column. */
  serversPath?: string | null;
  /** --geoip-db FILE.mmdb. */
  geoipPath?: string | null;
}

/** Distinct client addresses / active quarter-hours kept per account (beyond: not tracked, noted). */
const MAX_ADDRESSES = 256;
const MAX_BUCKETS = 50_000;

interface Tracks {
  servers: Map<string, number>;
  ips: Map<string, number>;
  buckets: Map<number, number>;
  /** Input files its samples came from (distinct; an account's are few), tracked with activity hours. */
  files: number[];
}

export class LocationSignals {
  private readonly tracks = new Map<string, Tracks>();
  private physics: PhysicsRun | null = null;
  private activity: ActivityRun | null = null;
  readonly warnings: string[] = [];
  readonly rejections: Rejection[] = [];

  private constructor(
    private readonly setup: PhysicsSetup | null,
    private readonly trackActivity: boolean,
    private readonly geoip: GeoIp | null,
    private readonly geoipPath: string | null,
  ) {}

  /** Null when neither signal can run (no roster with locations or time zones, no server location). */
  static async prepare(opts: LocationOptions, roster: Roster | null, strict: boolean): Promise<LocationSignals | null> {
    const physicsOn = Boolean(opts.serverLocation) || Boolean(opts.serversPath);
    if (opts.geoipPath && !physicsOn) throw usageError('--geoip-db needs a server location (--server-location or --servers)');
    const hasZones = roster?.entries.some((e) => e.timeZone !== null || e.location !== null) ?? false;
    if (!physicsOn && !hasZones) return null;
    // Places are resolved below (synchronously): region names ("Austin, Texas") first.
    await loadRegionNames();
    const warnings: string[] = [];
    let server = null;
    if (opts.serverLocation) {
      const s = resolveServerLocation(opts.serverLocation);
      server = s.place;
      warnings.push(...s.warnings);
    }
    let servers = new Map();
    if (opts.serversPath) {
      const f = await readServersFile(opts.serversPath);
      servers = f.servers;
      warnings.push(...f.warnings);
    }
    const claims = resolveClaims(roster?.entries ?? [], { strict, resolvePlaces: physicsOn });
    warnings.push(...claims.warnings);
    const setup: PhysicsSetup | null = physicsOn
      ? { server, servers, serversFile: opts.serversPath ?? null, claims: claims.claims, locations: claims.locations, warnings, rejections: claims.rejections }
      : { server: null, servers, serversFile: null, claims: claims.claims, locations: claims.locations, warnings, rejections: [] };
    const geoip = opts.geoipPath ? await openGeoIp(opts.geoipPath) : null;
    // Activity hours need a claimed time zone: the roster's, or (physics on) the resolved place's.
    const signals = new LocationSignals(physicsOn ? setup : null, hasZones || physicsOn, geoip, opts.geoipPath ?? null);
    signals.claimsOnly = setup;
    signals.warnings.push(...warnings);
    signals.rejections.push(...claims.rejections);
    return signals;
  }

  /** Claims (time zones) even when physics is off. */
  private claimsOnly: PhysicsSetup | null = null;

  /** The roster re-keyed to another account column (matchRosterAccounts): each claim under its entry's new key. */
  rekeyClaims(rekeyed: ReadonlyMap<string, string>): void {
    if (!this.claimsOnly) return;
    const claims = this.claimsOnly.claims;
    this.claimsOnly.claims = new Map([...rekeyed].filter(([from]) => claims.has(from)).map(([from, to]) => [to, claims.get(from)!]));
  }

  /** Called for every sample the pipeline keeps. */
  observe(account: string, raw: RawSample, fileIndex = 0): void {
    let t = this.tracks.get(account);
    if (t === undefined) { t = { servers: new Map(), ips: new Map(), buckets: new Map(), files: [] }; this.tracks.set(account, t); }
    if (this.setup) {
      const server = raw.server ?? '';
      t.servers.set(server, (t.servers.get(server) ?? 0) + 1);
      if (this.geoip && raw.clientAddress && (t.ips.has(raw.clientAddress) || t.ips.size < MAX_ADDRESSES)) {
        t.ips.set(raw.clientAddress, (t.ips.get(raw.clientAddress) ?? 0) + 1);
      }
    }
    if (this.trackActivity) {
      // Which inputs its times came from: activity hours need times that carry their UTC offset.
      if (t.files[t.files.length - 1] !== fileIndex && !t.files.includes(fileIndex)) t.files.push(fileIndex);
      const b = Math.floor(raw.timeUs / 1000 / BUCKET_MS);
      if (t.buckets.has(b) || t.buckets.size < MAX_BUCKETS) t.buckets.set(b, (t.buckets.get(b) ?? 0) + 1);
    }
  }

  /** After the peer comparisons: calibrate and build the providers' state. */
  finish(accounts: { key: string; stats: KindStats[]; summaries: KindSummary[] }[], groups: Map<string, string>, scoredKeys: readonly string[],
    offsetlessFiles: ReadonlySet<number> = new Set()): void {
    const empty = (): Tracks => ({ servers: new Map(), ips: new Map(), buckets: new Map(), files: [] });
    if (this.setup) {
      this.physics = new PhysicsRun(
        this.setup,
        accounts.map((a) => ({ key: a.key, stats: a.stats, summaries: a.summaries, servers: (this.tracks.get(a.key) ?? empty()).servers, ips: (this.tracks.get(a.key) ?? empty()).ips })),
        groups,
        this.geoip,
        this.geoipPath,
      );
      for (const [name, samples] of this.physics.unlocatedServers) {
        this.warnings.push(name === ''
          ? `${samples} samples have no server column and no --server-location: not located, left out of the physical check`
          : `${samples} samples name server '${name}', which --servers does not list: left out of the physical check`);
      }
    }
    if (this.trackActivity && this.claimsOnly) {
      const claims = this.claimsOnly.claims;
      // Hours of the day are only known where the times carry their UTC offset: a time written without
      // one was read as UTC (said in the header), so its hour in the claimed zone could be anything,
      // and a sentence "at 01:00-05:00 America/New_York" would state what is not known.
      const unknownHours = scoredKeys.filter((k) => claims.get(k)?.timeZone != null && (this.tracks.get(k)?.files ?? []).some((f) => offsetlessFiles.has(f)));
      if (unknownHours.length > 0) {
        this.warnings.push(`activity hours not assessed for ${unknownHours.length} account${unknownHours.length === 1 ? '' : 's'} (${unknownHours.slice(0, 3).join(', ')}`
          + `${unknownHours.length > 3 ? ', ...' : ''}): their times have no UTC offset, so their local hours are not known`);
      }
      const skipped = new Set(unknownHours);
      const buckets = new Map([...this.tracks].map(([k, t]) => [k, t.buckets]));
      this.activity = new ActivityRun(buckets, (k) => (skipped.has(k) ? null : claims.get(k)?.timeZone ?? null), groups, scoredKeys);
    }
  }

  /** Providers to register after the peer (and other floor) providers. */
  physicsProviders(): EvidenceProvider[] {
    return this.physics ? [physicsProvider(this.physics)] : [];
  }

  /** Activity hours last: it only adds to evidence already there. */
  activityProviders(): EvidenceProvider[] {
    return this.activity ? [activityProvider(this.activity)] : [];
  }

  physicsOf(account: string, scored: boolean): AccountPhysics | null {
    return this.physics ? this.physics.physicsOf(account, scored) : null;
  }

  report(): PhysicalModelReport | null {
    return this.physics ? this.physics.report() : null;
  }
}
