// Property-based tests (fast-check, seeded): parsers never fail except with a clean KeylagError,
// statistics keep their invariants.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { genericAdapter, parseLatency } from '../src/ingest/adapters/generic.js';
import { SideData, DEFAULT_READ_LIMITS } from '../src/ingest/adapter.js';
import { parseTimestamp, MIN_TIME_US, MAX_TIME_US } from '../src/ingest/time.js';
import { normaliseAccount } from '../src/ingest/accounts.js';
import { readRoster } from '../src/ingest/roster.js';
import { ValueStore, ExactBudget } from '../src/analyze/store.js';
import { benjaminiHochberg, orderStatisticInterval } from '../src/analyze/stats.js';
import { scoreFromPoints } from '../src/score/combine.js';
import { isKeylagError } from '../src/errors.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SEED = 42;

async function* once(buf: Uint8Array): AsyncGenerator<Buffer> { yield Buffer.from(buf); }

test('generic adapter: any byte string gives samples or a clean input error', async () => {
  await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), async (bytes) => {
    try {
      await genericAdapter.read(once(bytes), {
        file: 'x', columns: {}, options: {}, side: new SideData(), limits: DEFAULT_READ_LIMITS,
        emit: (s) => { assert.ok(Number.isFinite(s.valueMs) && s.valueMs >= 0 && Number.isInteger(s.timeUs)); },
        reject: () => undefined, note: () => undefined,
      });
    } catch (err) {
      assert.ok(isKeylagError(err) && err.category === 'input', `unclean error: ${String(err)}`);
    }
  }), { numRuns: 500, seed: SEED });
});

test('generic adapter: CSV-shaped strings with a valid header give samples or clean errors', async () => {
  const body = fc.string({ unit: fc.constantFrom('a', '1', '.', ',', '"', '\n', '\r', 'Z', 'T', '-', ':', ' ', 'e', '\t', '\u0000', 'é'), maxLength: 300 });
  await fc.assert(fc.asyncProperty(body, async (text) => {
    try {
      await genericAdapter.read(once(Buffer.from('user,time,rtt_ms\n' + text)), {
        file: 'x', columns: {}, options: {}, side: new SideData(), limits: DEFAULT_READ_LIMITS,
        emit: () => undefined, reject: () => undefined, note: () => undefined,
      });
    } catch (err) {
      assert.ok(isKeylagError(err), `unclean error: ${String(err)}`);
    }
  }), { numRuns: 500, seed: SEED });
});

test('roster reader: any bytes give a roster or a clean input error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keylag-prop-'));
  await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), async (bytes) => {
    const path = join(dir, 'roster.csv');
    writeFileSync(path, Buffer.concat([Buffer.from('account,site\n'), Buffer.from(bytes)]));
    try { await readRoster(path); } catch (err) { assert.ok(isKeylagError(err), `unclean error: ${String(err)}`); }
  }), { numRuns: 200, seed: SEED });
});

test('timestamps: never throw; a parse is an integer inside its range or null', () => {
  fc.assert(fc.property(fc.string({ maxLength: 40 }), (text) => {
    const parsed = parseTimestamp(text);
    if (parsed !== null) assert.ok(Number.isInteger(parsed.timeUs) || Number.isFinite(parsed.timeUs));
  }), { numRuns: 2000, seed: SEED });
  fc.assert(fc.property(fc.integer({ min: MIN_TIME_US / 1000, max: MAX_TIME_US / 1000 - 1 }), (ms) => {
    const iso = new Date(ms).toISOString();
    assert.equal(parseTimestamp(iso)!.timeUs, ms * 1000);
    assert.equal(parseTimestamp(String(ms))!.timeUs, ms * 1000);
  }), { numRuns: 2000, seed: SEED });
});

test('latency cells: a value is finite, non-negative and below an hour, or a named rejection', () => {
  fc.assert(fc.property(fc.string({ maxLength: 20 }), (text) => {
    const r = parseLatency(text, 1);
    if (r.ok) assert.ok(Number.isFinite(r.valueMs) && r.valueMs >= 0 && r.valueMs <= 3_600_000);
    else assert.match(r.reason, /^value_(missing|not_numeric|not_finite|negative|absurd)$/);
  }), { numRuns: 2000, seed: SEED });
});

test('account normalisation is idempotent', () => {
  fc.assert(fc.property(fc.string({ maxLength: 30 }), (name) => {
    const once = normaliseAccount(name);
    assert.equal(normaliseAccount(once), once);
  }), { numRuns: 2000, seed: SEED });
});

test('quantiles are monotone in p, exact and sketched alike', () => {
  fc.assert(fc.property(fc.array(fc.double({ min: 0, max: 5000, noNaN: true }), { minLength: 1, maxLength: 300 }), fc.boolean(), (values, sketch) => {
    const store = new ValueStore(new ExactBudget(sketch ? 1 : 1e9), true);
    values.forEach((v, i) => store.add(v, i));
    let previous = -Infinity;
    for (const p of [0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1]) {
      const q = store.quantile(p);
      assert.ok(q >= previous, `quantile(${p}) = ${q} < ${previous}`);
      previous = q;
    }
  }), { numRuns: 300, seed: SEED });
});

test('order-statistic interval: ranks ordered, inside 1..n, coverage reported', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.constantFrom(0.01, 0.05, 0.5, 0.95), (n, p) => {
    const iv = orderStatisticInterval(n, p, 0.95);
    assert.ok(iv.upperRank >= 1 && iv.upperRank <= n);
    if (iv.lowerRank !== null) assert.ok(iv.lowerRank >= 1 && iv.lowerRank < iv.upperRank);
    assert.ok(iv.confidence > 0 && iv.confidence <= 1);
  }), { numRuns: 500, seed: SEED });
});

test('BH q-values: in [0, 1], never below the p-value, monotone in p', () => {
  fc.assert(fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 100 }), (ps) => {
    const qs = benjaminiHochberg(ps) as number[];
    ps.forEach((p, i) => { assert.ok(qs[i]! >= p - 1e-12 && qs[i]! <= 1); });
    const order = ps.map((p, i) => [p, qs[i]!] as const).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < order.length; i++) assert.ok(order[i]![1] >= order[i - 1]![1] - 1e-12);
  }), { numRuns: 500, seed: SEED });
});

test('score is monotone in points', () => {
  fc.assert(fc.property(fc.double({ min: -100, max: 1000, noNaN: true }), fc.double({ min: 0, max: 100, noNaN: true }), (p, extra) => {
    assert.ok(scoreFromPoints(p + extra) >= scoreFromPoints(p));
  }), { numRuns: 1000, seed: SEED });
});

test('every registered adapter: random bytes (and bytes behind its own example header) give samples or a clean input error', async () => {
  const { ADAPTERS } = await import('../src/ingest/registry.js');
  for (const adapter of ADAPTERS) {
    const prefix = adapter.binary ? Buffer.alloc(0) : Buffer.from(adapter.example.split('\n')[0] + '\n');
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), fc.boolean(), async (bytes, withPrefix) => {
      const input = withPrefix ? Buffer.concat([prefix, Buffer.from(bytes)]) : Buffer.from(bytes);
      try {
        await adapter.read(once(input), {
          file: 'x', columns: {}, options: {}, side: new SideData(), limits: DEFAULT_READ_LIMITS,
          emit: (s) => { assert.ok(Number.isFinite(s.valueMs) && s.valueMs >= 0, `${adapter.name}: bad value ${s.valueMs}`); },
          reject: () => undefined, note: () => undefined,
        });
      } catch (err) {
        // The ingest stage turns a CSV parser's complaint into an input error for every adapter.
        assert.ok(isKeylagError(err) || (err as Error).constructor.name === 'CsvError', `${adapter.name}: unclean error ${String(err)}`);
      }
    }), { numRuns: 150, seed: SEED });
  }
});

test('merging value stores is associative: (a+b)+c and a+(b+c) give the same quantiles, exact or sketched', () => {
  const arr = fc.array(fc.double({ min: 0.1, max: 5000, noNaN: true }), { minLength: 1, maxLength: 80 });
  fc.assert(fc.property(arr, arr, arr, fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }), (a, b, c, sketched) => {
    const make = (values: number[], sketch: boolean) => {
      const s = new ValueStore(null, true);
      values.forEach((v, i) => s.add(v, i));
      if (sketch) s.toSketch();
      return s;
    };
    const left = make(a, sketched[0]!); const ab = make(b, sketched[1]!); ab.mergeFrom(make(c, sketched[2]!));
    left.mergeFrom(ab);
    const right = make(a, sketched[0]!); right.mergeFrom(make(b, sketched[1]!)); right.mergeFrom(make(c, sketched[2]!));
    assert.equal(left.n, a.length + b.length + c.length);
    assert.equal(right.n, left.n);
    const all = [...a, ...b, ...c].sort((x, y) => x - y);
    for (const p of [0.05, 0.5, 0.95]) {
      const exact = all[Math.max(1, Math.ceil(p * all.length)) - 1]!;
      for (const store of [left, right]) {
        const q = store.quantile(p);
        const tolerance = store.isExact() ? 0 : 0.005;
        // A sketch answers within its relative error of a value within one rank of the exact one.
        const lo = all[Math.max(0, Math.ceil(p * all.length) - 2)]!;
        const hi = all[Math.min(all.length - 1, Math.ceil(p * all.length))]!;
        assert.ok(q >= Math.min(exact, lo) * (1 - tolerance) - 1e-9 && q <= Math.max(exact, hi) * (1 + tolerance) + 1e-9, `p${p}: ${q} vs ${exact}`);
      }
      if (left.isExact() && right.isExact()) assert.equal(left.quantile(p), right.quantile(p));
    }
  }), { numRuns: 300, seed: SEED });
});
