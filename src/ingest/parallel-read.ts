// Reading an input in a second thread (issue 7: use both cores where that pays). For an adapter
// that allows it (`parallelRead`) and a large regular file, reading, gunzip, SHA-256 and parsing run
// in a reader thread (read-worker.ts) while this thread adds the previous batch to the accounts.
// The reader runs the same adapter code on the same bytes and every call it makes on its context
// arrives here in the order made, so the samples, batches (and so the memory budget's decisions),
// rejections, notes, errors and digest are those of a read in this thread; test/parallel-read.test.ts
// compares whole reports. Why by hand: the protocol is this product's adapter context, nothing generic.
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { KeylagError, type ErrorCategory } from '../errors.js';
import type { AdapterContext, AdapterOptions, AdapterResult, RawSample, ReadLimits, SampleColumns } from './adapter.js';
import type { ColumnOptions } from './columns.js';
import type { InputDigest, OpenedFacts, OpenLimits } from './open.js';

/** Batches the reader may have handed over that this thread has not finished: the reader parses the next meanwhile. */
export const MAX_IN_FLIGHT = 1;
/** Inputs below this size are read in this thread: starting a thread (~30 ms, ~12 MB) would not pay. */
export const PARALLEL_MIN_BYTES = 64 * 1024 * 1024;

export interface ReaderJob {
  path: string;
  adapter: string;
  openLimits: OpenLimits;
  readLimits: ReadLimits;
  columns: ColumnOptions;
  options: AdapterOptions;
  /** SharedArrayBuffer of one Int32: batches in flight. */
  gate: SharedArrayBuffer;
  /** Where this thread sends each batch's columns back for reuse. */
  returnPort: MessagePort;
  /** Batches are grouped by account and kind in the reader (the consumer takes SampleColumns.groups). */
  groupRows: boolean;
}

/** One batch's columns as they cross between the threads; an id column of only -1 travels as null. */
export interface ColumnSet {
  account: Int32Array; session: Int32Array | null; server: Int32Array | null; clientAddress: Int32Array | null;
  kind: Uint8Array; timeUs: Float64Array; valueMs: Float64Array; line: Float64Array;
  /** ColumnGroups' arrays when the reader groups rows (ReaderJob.groupRows), else null. */
  order: Int32Array | null; lengths: Int32Array | null;
}

/** The buffers of a column set, to transfer (never copy) it to the other thread. */
export function transferables(set: ColumnSet): ArrayBuffer[] {
  return Object.values(set).filter((c): c is NonNullable<typeof c> => c !== null).map((c) => c.buffer as ArrayBuffer);
}

export type ReaderMessage =
  | ({ type: 'opened' } & OpenedFacts)
  | { type: 'progress'; bytesRead: number }
  | { type: 'samples'; samples: RawSample[] }
  | { type: 'reject'; line: number; reason: string; detail: string; account?: string }
  | { type: 'note'; text: string }
  | ({ type: 'columns'; length: number; texts: string[]; groups: number } & ColumnSet)
  | { type: 'done'; result: AdapterResult; digest: InputDigest }
  | { type: 'error'; error: { category: ErrorCategory | null; message: string; file: string | null; line: number | null } };

export interface ParallelReadHooks {
  /** The file was opened (before any other call): what openInput says of it. */
  opened(info: OpenedFacts): void;
  progress(bytesRead: number): void;
}

/** Defined out here: a closure made in readInWorker would keep its scope (and `ctx`) alive. */
const ignoreError = (): void => undefined;

/** A column of -1 (no such text) at least `n` long, shared by the batches that have none. */
let absent = new Int32Array(0);
function absentIds(n: number): Int32Array {
  if (absent.length < n) absent = new Int32Array(n).fill(-1);
  return absent;
}

/**
 * Reads `job.path` with `job.adapter` in a reader thread, making on `ctx` the calls the adapter made
 * there. Resolves with the adapter's result and the input's digest; rejects with the error a read
 * here would have thrown (or the one a context call threw: --strict).
 */
export function readInWorker(job: Omit<ReaderJob, 'gate' | 'returnPort'>, ctx: AdapterContext, hooks: ParallelReadHooks): Promise<{
  result: AdapterResult; digest: InputDigest;
}> {
  const gate = new SharedArrayBuffer(4);
  const held = new Int32Array(gate);
  const { port1: returnPort, port2: giveBack } = new MessageChannel();
  const worker = new Worker(new URL('./read-worker.js', import.meta.url), {
    workerData: { ...job, gate, returnPort } satisfies ReaderJob,
    transferList: [returnPort],
    // The reader makes little garbage: a small young generation keeps its memory small.
    resourceLimits: { maxYoungGenerationSizeMb: 4 },
  });
  const texts: string[] = [];
  return new Promise((resolve, reject) => {
    let settled = false;
    // Once settled, nothing of this read may stay reachable from the worker: its listeners hold
    // `ctx`, whose callbacks hold every accumulator of the run (~60 MB kept past finishing at 10M).
    const settle = (): void => {
      settled = true;
      worker.removeAllListeners();
      worker.on('error', ignoreError);
      giveBack.close();
    };
    const fail = (err: unknown): void => {
      if (settled) return;
      settle();
      void worker.terminate();
      reject(err);
    };
    worker.on('message', (m: ReaderMessage) => {
      if (settled) return;
      try {
        switch (m.type) {
          case 'opened': hooks.opened(m); break;
          case 'progress': hooks.progress(m.bytesRead); break;
          case 'samples': for (const s of m.samples) ctx.emit(s); break;
          case 'reject': ctx.reject(m.line, m.reason, m.detail, m.account); break;
          case 'note': ctx.note(m.text); break;
          case 'columns': {
            for (const t of m.texts) texts.push(t);
            const n = m.length;
            const batch: SampleColumns = {
              length: n, texts, account: m.account, session: m.session ?? absentIds(n), server: m.server ?? absentIds(n),
              clientAddress: m.clientAddress ?? absentIds(n), kind: m.kind, timeUs: m.timeUs, valueMs: m.valueMs, line: m.line,
            };
            if (m.order !== null && m.lengths !== null) batch.groups = { count: m.groups, lengths: m.lengths, order: m.order };
            try {
              ctx.emitColumns!(batch);
            } finally {
              // Read whole by now (consumers keep nothing of a batch): back to the reader for reuse.
              const { account, session, server, clientAddress, kind, timeUs, valueMs, line, order, lengths } = m;
              const set: ColumnSet = { account, session, server, clientAddress, kind, timeUs, valueMs, line, order, lengths };
              giveBack.postMessage(set, transferables(set));
              Atomics.sub(held, 0, 1);
              Atomics.notify(held, 0);
            }
            break;
          }
          case 'done':
            settle();
            resolve({ result: m.result, digest: m.digest });
            break;
          case 'error':
            fail(m.error.category === null ? new Error(m.error.message)
              : new KeylagError(m.error.category, m.error.message, { file: m.error.file, line: m.error.line }));
            break;
        }
      } catch (err) {
        fail(err);
      }
    });
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the reader thread stopped (exit code ${code}) before the end of ${job.path}`)));
  });
}
