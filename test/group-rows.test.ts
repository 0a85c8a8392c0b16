// The reader thread's row grouping (group-rows.ts) against its definition (fast-check, seeded): the
// groups are the batch's (account id, kind) pairs in the order of their first row, each group's rows
// are that pair's rows in input order, `order` says where each came from, and `ungroup` gives the
// batch back exactly. A second batch through the same grouper starts from a clean table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RowGrouper, UngroupScratch, ungroup, type GroupedColumns } from '../src/ingest/group-rows.js';
import type { SampleColumns } from '../src/ingest/adapter.js';

const SEED = 5;

function batchOf(rows: { account: number; kind: number; session: number }[], texts: string[]): SampleColumns {
  const n = rows.length;
  return {
    length: n, texts,
    account: Int32Array.from(rows, (r) => r.account), session: Int32Array.from(rows, (r) => r.session),
    server: new Int32Array(n).fill(-1), clientAddress: Int32Array.from(rows, (r) => (r.account % 2 === 0 ? r.account : -1)),
    kind: Uint8Array.from(rows, (r) => r.kind), timeUs: Float64Array.from(rows, (_, i) => 1e15 + i * 1000),
    valueMs: Float64Array.from(rows, (_, i) => i / 10), line: Float64Array.from(rows, (_, i) => i + 2),
  };
}

function into(n: number): GroupedColumns {
  return {
    account: new Int32Array(n), kind: new Uint8Array(n), timeUs: new Float64Array(n), valueMs: new Float64Array(n),
    line: new Float64Array(n), session: new Int32Array(n), server: null, clientAddress: new Int32Array(n),
    lengths: new Int32Array(n), order: new Int32Array(n),
  };
}

const rows = fc.array(fc.record({
  account: fc.integer({ min: 0, max: 40 }), kind: fc.integer({ min: 0, max: 6 }), session: fc.integer({ min: -1, max: 3 }),
}), { minLength: 1, maxLength: 500 });

test('row grouping: groups in first-seen order, rows in input order within each, order and ungroup exact', () => {
  const texts = Array.from({ length: 41 }, (_, i) => `t${i}`);
  const grouper = new RowGrouper();
  fc.assert(fc.property(rows, rows, (first, second) => {
    for (const list of [first, second]) {
      const batch = batchOf(list, texts);
      const out = into(list.length);
      const count = grouper.group(batch, out);
      // Reference: a Map in insertion order of the (account, kind) pairs.
      const expected = new Map<string, number[]>();
      list.forEach((r, i) => {
        const key = `${r.account}/${r.kind}`;
        if (!expected.has(key)) expected.set(key, []);
        expected.get(key)!.push(i);
      });
      assert.equal(count, expected.size);
      assert.deepEqual([...out.lengths.subarray(0, count)], [...expected.values()].map((v) => v.length));
      assert.deepEqual([...out.order.subarray(0, list.length)], [...expected.values()].flat());
      for (let k = 0; k < list.length; k++) {
        const i = out.order[k]!;
        assert.equal(out.account[k], batch.account[i]);
        assert.equal(out.kind[k], batch.kind[i]);
        assert.equal(out.session![k], batch.session[i]);
        assert.equal(out.clientAddress![k], batch.clientAddress[i]);
        assert.equal(out.timeUs[k], batch.timeUs[i]);
        assert.equal(out.valueMs[k], batch.valueMs[i]);
        assert.equal(out.line[k], batch.line[i]);
      }
      const grouped: SampleColumns = {
        length: list.length, texts, account: out.account, kind: out.kind, timeUs: out.timeUs, valueMs: out.valueMs, line: out.line,
        session: out.session!, server: new Int32Array(list.length).fill(-1), clientAddress: out.clientAddress!,
      };
      const back = ungroup(grouped, out.order, new UngroupScratch());
      for (const column of ['account', 'kind', 'session', 'clientAddress', 'server', 'timeUs', 'valueMs', 'line'] as const) {
        assert.deepEqual([...back[column].subarray(0, list.length)], [...batch[column]], column);
      }
    }
  }), { seed: SEED, numRuns: 200 });
});
