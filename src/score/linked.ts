// Linked accounts (issue 6 scope 7): one laptop farm runs many laptops. Two ways accounts show up
// together, combined into clusters at report level and an evidence item on each member:
// - `shared_client_address`: several accounts' samples come from one client address (each with at
//   least MIN_SHARED_SAMPLES samples from it, so one shared coffee-shop session does not link);
// - `same_change`: floors of one kind that rose on the same day (the two change windows, last day
//   of the old level to first day of the new, within SAME_DAY_TOLERANCE days of each other) to the
//   same level (within max(SAME_LEVEL_MS, SAME_LEVEL_FRACTION of the lower)); works in any input;
// - `both`: a same-change group and an address group sharing at least two accounts (merged).
// A shared address alone is context, not evidence: an office NAT or a family at home shares one
// address all the time, so its items carry 0 points. Points come only with floors that rose
// suspiciously (a change or on-off item with points) on at least two members of the cluster: each
// further member whose floor rose adds LINK_POINTS_PER_MEMBER to those members, capped at
// LINK_POINTS_CAP. Two unrelated people jumping to one level on one day is rare; the bonus stays
// small against the change itself, so linkage never flags an account on its own.
import type { AccountCluster, Evidence, Kind } from '../types.js';
import { HEADLINE_KIND_ORDER } from '../types.js';
import type { EvidenceProvider } from './evidence.js';
import type { ClientAddressCount } from '../analyze/client-addresses.js';
import type { FloorChange } from '../analyze/changepoint.js';
import { changeItem, intermittentItem, type FloorChanges } from './changepoints.js';

export const LINK_SIGNAL = 'linked_accounts';
export const MIN_SHARED_SAMPLES = 10;
export const SAME_DAY_TOLERANCE = 1;
export const SAME_LEVEL_MS = 10;
export const SAME_LEVEL_FRACTION = 0.1;
export const LINK_POINTS_PER_MEMBER = 10;
export const LINK_POINTS_CAP = 30;
/** Names listed in a cluster's sentence; the rest are counted ("and 40 more"). */
export const MAX_NAMED_MEMBERS = 10;
/**
 * A same-change group this large (at least WIDESPREAD_MIN_ACCOUNTS and WIDESPREAD_SHARE of the
 * accounts with that kind) is a network change (a new route, a moved gateway), not a farm: its
 * linkage and its members' change points score nothing, and the sentences say why.
 */
export const WIDESPREAD_MIN_ACCOUNTS = 5;
export const WIDESPREAD_SHARE = 0.25;

const DAY_MS = 86_400_000;
const dayNumber = (day: string): number => Date.parse(`${day}T00:00:00Z`) / DAY_MS;
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const r1 = (x: number): string => x.toFixed(1);

export interface LinkInput {
  account: string;
  summaries: readonly { kind: Kind; stats: { floor: { valueMs: number } } }[];
}

type Sustained = Extract<FloorChange, { type: 'sustained' }>;

/** Whether the account's floor of `kind` rose enough to score (a change or on-off item with points). */
function roseSuspiciously(changes: FloorChanges, account: string, kind: Kind): boolean {
  const c = changes.get(account)?.get(kind);
  if (!c || c.type === 'none') return false;
  return (c.type === 'sustained' ? changeItem(kind, c) : intermittentItem(kind, c)).points > 0;
}

function anyRise(changes: FloorChanges, account: string): Kind | null {
  for (const k of HEADLINE_KIND_ORDER) if (roseSuspiciously(changes, account, k)) return k;
  for (const [k] of changes.get(account) ?? []) if (roseSuspiciously(changes, account, k)) return k;
  return null;
}

class UnionFind {
  private readonly parent: number[];
  constructor(n: number) { this.parent = Array.from({ length: n }, (_, i) => i); }
  find(i: number): number { while (this.parent[i] !== i) { this.parent[i] = this.parent[this.parent[i]!]!; i = this.parent[i]!; } return i; }
  union(a: number, b: number): void { const ra = this.find(a); const rb = this.find(b); if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb); }
}

/** Groups of accounts whose floors of one kind rose on the same day to the same level. */
export function sameChangeGroups(changes: FloorChanges, accounts: readonly string[]): { kind: Kind; members: string[] }[] {
  const out: { kind: Kind; members: string[] }[] = [];
  for (const kind of HEADLINE_KIND_ORDER.concat(['keystroke_interval'])) {
    const rising: { account: string; c: Sustained }[] = [];
    for (const a of accounts) {
      const c = changes.get(a)?.get(kind);
      if (c && c.type === 'sustained' && c.effectMs > 0) rising.push({ account: a, c });
    }
    if (rising.length < 2) continue;
    const uf = new UnionFind(rising.length);
    for (let i = 0; i < rising.length; i++) {
      for (let j = i + 1; j < rising.length; j++) {
        const a = rising[i]!.c;
        const b = rising[j]!.c;
        // The change happened after the last old day and by the first new day: compare those windows.
        const aStart = dayNumber(a.lastDayBefore) + 1;
        const aEnd = dayNumber(a.changeDay);
        const bStart = dayNumber(b.lastDayBefore) + 1;
        const bEnd = dayNumber(b.changeDay);
        const closeInTime = aStart - SAME_DAY_TOLERANCE <= bEnd && bStart - SAME_DAY_TOLERANCE <= aEnd;
        const lower = Math.min(a.after.levelMs, b.after.levelMs);
        const sameLevel = Math.abs(a.after.levelMs - b.after.levelMs) <= Math.max(SAME_LEVEL_MS, SAME_LEVEL_FRACTION * lower);
        if (closeInTime && sameLevel) uf.union(i, j);
      }
    }
    const groups = new Map<number, string[]>();
    rising.forEach((r, i) => { const root = uf.find(i); groups.set(root, [...(groups.get(root) ?? []), r.account]); });
    for (const members of groups.values()) if (members.length >= 2) out.push({ kind, members: members.sort(cmp) });
  }
  return out;
}

/** Addresses shared by two or more accounts (each with MIN_SHARED_SAMPLES samples from it). */
export function sharedAddressGroups(accounts: readonly string[], addressesOf: (account: string) => ClientAddressCount[]): { address: string; members: string[] }[] {
  const byAddress = new Map<string, string[]>();
  for (const a of accounts) {
    for (const c of addressesOf(a)) {
      if (c.samples < MIN_SHARED_SAMPLES) continue;
      byAddress.set(c.address, [...(byAddress.get(c.address) ?? []), a]);
    }
  }
  return [...byAddress.entries()].filter(([, m]) => m.length >= 2)
    .map(([address, members]) => ({ address, members: [...members].sort(cmp) }))
    .sort((x, y) => cmp(x.address, y.address));
}

export interface Linkage {
  clusters: AccountCluster[];
  provider: EvidenceProvider;
  /** Accounts (and kind) whose floor rose with a widespread group: a network change, for the change-point items to say so. */
  widespread: Map<string, { kind: Kind; accounts: number; share: number }>;
}

const REASON_ORDER: AccountCluster['reason'][] = ['both', 'same_change', 'shared_client_address'];

/** Clusters of linked accounts and the provider that puts an item on each member. */
export function linkAccounts(inputs: readonly LinkInput[], changes: FloorChanges, addressesOf: (account: string) => ClientAddressCount[]): Linkage {
  const accounts = inputs.map((i) => i.account);
  const byAccount = new Map(inputs.map((i) => [i.account, i]));
  const changeGroups = sameChangeGroups(changes, accounts);
  const widespread: Linkage['widespread'] = new Map();
  const widespreadGroups = new Set<number>();
  changeGroups.forEach((g, gi) => {
    const withKind = inputs.filter((i) => i.summaries.some((s) => s.kind === g.kind)).length;
    const share = withKind === 0 ? 0 : g.members.length / withKind;
    if (g.members.length >= WIDESPREAD_MIN_ACCOUNTS && share >= WIDESPREAD_SHARE) {
      widespreadGroups.add(gi);
      for (const m of g.members) widespread.set(m, { kind: g.kind, accounts: g.members.length, share });
    }
  });
  const addressGroups = sharedAddressGroups(accounts, addressesOf);

  interface Draft { reason: AccountCluster['reason']; members: Set<string>; address: string | null; kind: Kind | null; widespread: boolean }
  const drafts: Draft[] = [];
  const usedAddress = new Set<number>();
  for (const [gi, g] of changeGroups.entries()) {
    const d: Draft = { reason: 'same_change', members: new Set(g.members), address: null, kind: g.kind, widespread: widespreadGroups.has(gi) };
    addressGroups.forEach((a, i) => {
      const common = a.members.filter((m) => g.members.includes(m)).length;
      if (common >= 2) {
        d.reason = 'both';
        for (const m of a.members) d.members.add(m);
        // The address most members share names the cluster (ties: first in byte order).
        if (d.address === null) d.address = a.address;
        usedAddress.add(i);
      }
    });
    drafts.push(d);
  }
  addressGroups.forEach((a, i) => {
    if (!usedAddress.has(i)) drafts.push({ reason: 'shared_client_address', members: new Set(a.members), address: a.address, kind: null, widespread: false });
  });

  const headlineOf = (account: string): { kind: Kind; floorMs: number } | null => {
    const s = byAccount.get(account)?.summaries ?? [];
    const h = HEADLINE_KIND_ORDER.map((k) => s.find((x) => x.kind === k)).find((x) => x !== undefined) ?? s[0];
    return h ? { kind: h.kind, floorMs: h.stats.floor.valueMs } : null;
  };
  /** The member's floor for the cluster: the new level where its floor rose, else its headline floor. */
  const floorFor = (account: string, kind: Kind | null): number | null => {
    const c = kind ? changes.get(account)?.get(kind) : undefined;
    if (c && c.type === 'sustained' && c.effectMs > 0) return c.after.levelMs;
    if (c && c.type === 'intermittent') return c.high.levelMs;
    return (kind ? byAccount.get(account)?.summaries.find((s) => s.kind === kind)?.stats.floor.valueMs : undefined) ?? headlineOf(account)?.floorMs ?? null;
  };

  const built = drafts.map((d) => {
    const members = [...d.members].sort(cmp);
    const kind = d.kind ?? headlineOf(members[0]!)?.kind ?? null;
    const floors = members.map((m) => floorFor(m, kind)).filter((v): v is number => v !== null);
    const changeDays = members.map((m) => {
      const c = kind ? changes.get(m)?.get(kind) : undefined;
      return c && c.type === 'sustained' && c.effectMs > 0 ? c.changeDay : null;
    }).filter((v): v is string => v !== null).sort(cmp);
    const rising = members.filter((m) => (kind !== null && roseSuspiciously(changes, m, kind)) || anyRise(changes, m) !== null);
    return {
      reason: d.reason, members, address: d.address, kind, widespread: d.widespread,
      changeDay: d.reason === 'shared_client_address' ? (changeDays.length >= 2 ? changeDays[0]! : null) : changeDays[0] ?? null,
      floorLowMs: floors.length ? Math.min(...floors) : null,
      floorHighMs: floors.length ? Math.max(...floors) : null,
      rising,
    };
  });
  built.sort((a, b) => REASON_ORDER.indexOf(a.reason) - REASON_ORDER.indexOf(b.reason) || cmp(a.members[0]!, b.members[0]!) || cmp(a.address ?? '', b.address ?? ''));

  const clusters: AccountCluster[] = built.map((b, i) => {
    const id = `C${i + 1}`;
    const floors = b.floorLowMs === null ? '' : b.floorLowMs === b.floorHighMs ? `${r1(b.floorLowMs)} ms` : `${r1(b.floorLowMs)}-${r1(b.floorHighMs!)} ms`;
    const who = b.members.length <= MAX_NAMED_MEMBERS ? b.members.join(', ')
      : `${b.members.slice(0, MAX_NAMED_MEMBERS).join(', ')} and ${(b.members.length - MAX_NAMED_MEMBERS).toLocaleString('en-US')} more`;
    const n = b.members.length;
    let sentence: string;
    if (b.widespread) {
      sentence = `${n} accounts whose ${b.kind} floors rose on the same day to the same level: ${floors} since ${b.changeDay} (${who}); `
        + `too many to be one farm: a network change, not scored`;
    } else if (b.reason === 'both') {
      sentence = `${n} accounts, same client IP ${b.address}, ${b.kind} floors ${floors} since ${b.changeDay} (${who})`;
    } else if (b.reason === 'same_change') {
      sentence = `${n} accounts whose ${b.kind} floors rose on the same day to the same level: ${floors} since ${b.changeDay} (${who}); no shared client address seen`;
    } else if (b.rising.length >= 2) {
      sentence = `${n} accounts share client IP ${b.address} and ${b.rising.length} of them show a rising floor (${who}), floors ${floors}`;
    } else {
      sentence = `${n} accounts share client IP ${b.address} (${who}), floors ${floors}, no floor change together: context only (an office or home NAT looks the same)`;
    }
    return {
      id, members: b.members, reason: b.reason, kind: b.kind, address: b.address, changeDay: b.changeDay,
      floorLowMs: b.floorLowMs, floorHighMs: b.floorHighMs, sentence,
    };
  });

  const memberOf = new Map<string, number[]>();
  clusters.forEach((c, i) => { for (const m of c.members) memberOf.set(m, [...(memberOf.get(m) ?? []), i]); });

  const provider: EvidenceProvider = (ctx) => {
    const items: Evidence[] = [];
    for (const i of memberOf.get(ctx.account) ?? []) {
      const c = clusters[i]!;
      const rising = built[i]!.rising;
      const selfRose = rising.includes(ctx.account);
      const points = selfRose && rising.length >= 2 && !built[i]!.widespread ? Math.min(LINK_POINTS_CAP, LINK_POINTS_PER_MEMBER * (rising.length - 1)) : 0;
      const own = c.address ? addressesOf(ctx.account).find((a) => a.address === c.address) : undefined;
      const kind = c.kind ?? headlineOf(ctx.account)?.kind ?? ctx.summaries[0]!.kind;
      items.push({
        signal: LINK_SIGNAL,
        kind,
        observed: c.members.length,
        baseline: 1,
        unit: 'accounts',
        effect: rising.length,
        effectName: 'accounts of the cluster whose floor rose',
        interval: null,
        pValue: null,
        stats: {
          clusterIndex: i + 1,
          clusterMembers: c.members.length,
          risingMembers: rising.length,
          floorLowMs: c.floorLowMs,
          floorHighMs: c.floorHighMs,
          sharedAddressSamples: own ? own.samples : null,
        },
        points,
        sentence: `linked (cluster ${c.id}): ${c.sentence}`
          + (points > 0 || built[i]!.widespread ? '' : selfRose ? '; no other member\'s floor rose: not scored' : '; this account\'s floor did not rise: not scored'),
      });
    }
    return items;
  };
  return { clusters, provider, widespread };
}
