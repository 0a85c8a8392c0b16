// Issue 7: sketched figures agree with exact ones within the stated relative error, on the bundled
// sample (every account and kind), when the memory budget forces every distribution into a sketch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { collect, finishAccounts, type CollectRequest } from '../src/collect.js';
import type { KindStats } from '../src/types.js';

function request(memoryBudgetValues: number): CollectRequest {
  return {
    inputs: ['fixtures/sample/sessions.csv'], columns: {}, inputFormat: null, strict: false, keepGoing: false,
    stdin: Readable.from([]), since: null, until: null, exclude: null, memoryBudgetValues,
  };
}

async function statsBy(memoryBudgetValues: number): Promise<Map<string, KindStats>> {
  const collected = await collect(request(memoryBudgetValues));
  const out = new Map<string, KindStats>();
  for (const [account, f] of finishAccounts(collected, 2)) for (const s of f.stats) out.set(`${account}/${s.kind}`, s);
  return out;
}

test('sketched quantiles are within the stated relative error of the exact ones (bundled sample)', async () => {
  const exact = await statsBy(10_000_000);
  const sketched = await statsBy(1);
  assert.equal(sketched.size, exact.size);
  let compared = 0;
  for (const [key, e] of exact) {
    const s = sketched.get(key)!;
    assert.equal(e.precision.mode, 'exact', key);
    assert.equal(s.precision.mode, 'sketch', key);
    const bound = s.precision.relativeError;
    assert.equal(bound, 0.005);
    // Counts, extremes, mean and time range do not come from the sketch: equal.
    assert.equal(s.n, e.n, key);
    assert.equal(s.minMs, e.minMs, key);
    assert.equal(s.maxMs, e.maxMs, key);
    assert.equal(s.firstTimeUs, e.firstTimeUs, key);
    for (const [name, x, y] of [
      ['floor', s.floor.valueMs, e.floor.valueMs], ['p25', s.p25Ms, e.p25Ms], ['median', s.medianMs, e.medianMs],
      ['p75', s.p75Ms, e.p75Ms], ['p95', s.p95Ms, e.p95Ms], ['p99', s.p99Ms, e.p99Ms],
      ['floor interval upper', s.floorInterval.upperMs, e.floorInterval.upperMs],
    ] as const) {
      assert.ok(Math.abs(x - y) <= bound * Math.abs(y) + 1e-9, `${key} ${name}: sketched ${x} vs exact ${y} (bound ${bound})`);
      compared++;
    }
    if (e.jitterMs !== null && e.jitterMs > 0) {
      assert.ok(Math.abs(s.jitterMs! - e.jitterMs) <= 0.02 * e.jitterMs + 1e-9, `${key} jitter ${s.jitterMs} vs ${e.jitterMs}`);
    }
    assert.equal(s.floor.source, undefined, `${key}: a sketched floor claims no input row`);
    assert.ok(e.floor.source !== undefined, `${key}: an exact floor names its input row`);
  }
  assert.ok(compared > 1000, `compared ${compared} figures`);
});

test('finished accounts come in account-key order, whatever order the input made them in', async () => {
  const collected = await collect(request(10_000_000));
  const made = [...collected.accounts.keys()];
  assert.notDeepEqual(made, [...made].sort(), 'the sample makes accounts out of key order (else this proves nothing)');
  assert.deepEqual([...finishAccounts(collected, 2).keys()], collected.accountKeys);
});
