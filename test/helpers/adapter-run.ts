// Run one input adapter on in-memory text, as ingest would (issue 9 tests).
import assert from 'node:assert/strict';
import { isKeylagError } from '../../src/errors.js';
import { SideData, DEFAULT_READ_LIMITS, type AdapterOptions, type AdapterResult, type InputAdapter, type RawSample } from '../../src/ingest/adapter.js';
import type { ColumnOptions } from '../../src/ingest/columns.js';

export async function* chunksOf(text: string | Buffer, size = 97): AsyncGenerator<Buffer> {
  const buf = typeof text === 'string' ? Buffer.from(text) : text;
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

export interface AdapterRun {
  samples: RawSample[];
  rejections: { line: number; reason: string; detail: string }[];
  /** The account each rejection named (undefined where the adapter had none), in the same order. */
  rejectedAccounts: (string | undefined)[];
  notes: string[];
  result: AdapterResult;
  side: SideData;
}

export async function runAdapter(adapter: InputAdapter, text: string | Buffer, options: AdapterOptions = {}, side = new SideData(), file = 'test-input',
  columns: ColumnOptions = {}): Promise<AdapterRun> {
  const samples: RawSample[] = [];
  const rejections: { line: number; reason: string; detail: string }[] = [];
  const rejectedAccounts: (string | undefined)[] = [];
  const notes: string[] = [];
  const result = await adapter.read(chunksOf(text), {
    file, limits: DEFAULT_READ_LIMITS, columns, options, side,
    emit: (s) => samples.push(s),
    reject: (line, reason, detail, account) => { rejections.push({ line, reason, detail }); rejectedAccounts.push(account); },
    note: (n) => notes.push(n),
  });
  return { samples, rejections, rejectedAccounts, notes, result, side };
}

export function reasons(run: AdapterRun): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of run.rejections) out[r.reason] = (out[r.reason] ?? 0) + 1;
  return out;
}

/** The promise fails with a KeylagError whose message matches, at the given line when one is given. */
export async function rejectsWith(p: Promise<unknown>, pattern: RegExp, line?: number): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(isKeylagError(err), String(err));
    assert.match(err.message, pattern);
    if (line !== undefined) assert.equal(err.line, line);
    return true;
  });
}
