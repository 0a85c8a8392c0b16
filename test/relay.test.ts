// Signal 4, the relay signature: app_rtt minus rtt floors, and reaction minus rtt against peers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { relayEvidence, RELAY_MIN_REACTIONS } from '../src/score/relay.js';
import { orderStatisticInterval, quantileRank } from '../src/analyze/stats.js';
import type { AccountContext } from '../src/score/evidence.js';
import { figureOverPeers } from '../src/baseline/peer-figures.js';
import type { Kind, KindStats } from '../src/types.js';

function stats(kind: Kind, values: number[]): KindStats {
  const v = [...values].sort((a, b) => a - b);
  const n = v.length;
  const iv = orderStatisticInterval(n, 0.05, 0.95);
  return {
    kind, n, minMs: v[0]!, floor: { valueMs: v[quantileRank(n, 0.05) - 1]! },
    floorInterval: { confidence: iv.confidence, sided: iv.sided, lowerRank: iv.lowerRank, upperRank: iv.upperRank,
      lowerMs: iv.lowerRank === null ? null : v[iv.lowerRank - 1]!, upperMs: v[iv.upperRank - 1]! },
  } as unknown as KindStats;
}
const ramp = (from: number, n: number, step = 1) => Array.from({ length: n }, (_, i) => from + i * step);
const ctx = (kinds: KindStats[], peers: KindStats[][] = []): AccountContext => ({
  account: 'x', kinds, summaries: [], roster: null, comparisons: new Map(),
  peerFigure: (figure) => figureOverPeers(peers.map((k, i) => ({ account: `p${i}`, kinds: k, summaries: [] })), figure),
});

test('relayed: application round trip far above the transport floor scores, with the gap and its interval', () => {
  const [item] = relayEvidence(ctx([stats('rtt', ramp(6, 400, 0.05)), stats('app_rtt', ramp(110, 100, 0.5))]));
  assert.equal(item!.signal, 'relay_signature');
  assert.equal(item!.kind, 'app_rtt');
  assert.ok(item!.points > 100 && item!.points <= 200, String(item!.points));
  assert.match(item!.sentence, /^application round trip 112\.0 ms vs transport 7\.0 ms: TCP ends ~105 ms short of the person \(gap 102\.5\.\.108\.5 ms/);
  assert.ok(item!.interval![0]! > 100 && item!.interval![0]! <= item!.observed);
  assert.ok(item!.pValue! < 0.01);
});

test('direct, near or far: no gap beyond processing, no points', () => {
  for (const base of [7, 112]) {
    const [item] = relayEvidence(ctx([stats('rtt', ramp(base, 300, 0.1)), stats('app_rtt', ramp(base + 0.8, 60, 0.3))]));
    assert.equal(item!.points, 0);
    assert.match(item!.sentence, /no gap beyond processing/);
  }
  assert.deepEqual(relayEvidence(ctx([stats('app_rtt', ramp(100, 60))])), [], 'no transport floor, no signature');
});

test('few application round trips weigh less: the minimum stands in for the floor with its confidence', () => {
  const many = relayEvidence(ctx([stats('rtt', ramp(6, 400, 0.05)), stats('app_rtt', ramp(110, 100, 0.5))]))[0]!;
  const few = relayEvidence(ctx([stats('rtt', ramp(6, 400, 0.05)), stats('app_rtt', ramp(110, 12, 0.5))]))[0]!;
  assert.ok(few.points < many.points && few.points > 0);
  assert.ok(few.stats.weight! < 1);
});

test('reaction: a hop beyond the relay shows as reaction floor minus rtt floor above the peers', () => {
  const rtt = stats('rtt', ramp(6, 400, 0.05));
  const peers = [0, 15, -10, 25].map((d) => [stats('reaction', ramp(450 + d, 60, 5)), rtt]);
  const hop = relayEvidence(ctx([rtt, stats('reaction', ramp(560, 60, 5))], peers)).find((e) => e.kind === 'reaction')!;
  assert.ok(hop.points > 0, hop.sentence);
  assert.match(hop.sentence, /the person sits ~10\d ms beyond where TCP and the application end/);
  const direct = relayEvidence(ctx([rtt, stats('reaction', ramp(455, 60, 5))], peers)).find((e) => e.kind === 'reaction')!;
  assert.equal(direct.points, 0);
  // below the minimum number of gaps: no reaction item at all
  assert.equal(relayEvidence(ctx([rtt, stats('reaction', ramp(560, RELAY_MIN_REACTIONS - 1, 5))], peers)).length, 0);
});
