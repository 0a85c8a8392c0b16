// The reader thread (parallel-read.ts): opens one input, runs its adapter and posts every call the
// adapter makes on its context to the main thread, in the order made. Column batches are copied
// (grouped by account and kind when the consumer asked: group-rows.ts) into buffers that are
// transferred there and sent back for reuse; at most MAX_IN_FLIGHT wait for
// the main thread at a time, so this thread parses one batch ahead and memory stays bounded.
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { openInput } from './open.js';
import { adapterByName } from './registry.js';
import { SideData, type AdapterContext, type RawSample, type SampleColumns } from './adapter.js';
import { csvInputError } from './csv-errors.js';
import { RowGrouper } from './group-rows.js';
import { isKeylagError } from '../errors.js';
import { MAX_IN_FLIGHT, transferables, type ColumnSet, type ReaderJob, type ReaderMessage } from './parallel-read.js';

const job = workerData as ReaderJob;
const port = parentPort!;
/** [0]: batches posted that the main thread has not finished with. */
const gate = new Int32Array(job.gate);
/** Column sets the main thread has finished with and sent back: reused, so no batch is garbage. */
const returned = job.returnPort as MessagePort;
const free: ColumnSet[] = [];

/** A set with room for `n` rows: one sent back if there is one, else a new one. */
function columnSet(n: number): ColumnSet {
  for (let m = receiveMessageOnPort(returned); m !== undefined; m = receiveMessageOnPort(returned)) free.push(m.message as ColumnSet);
  const reused = free.findIndex((c) => c.account.length >= n);
  if (reused >= 0) return free.splice(reused, 1)[0]!;
  return {
    account: new Int32Array(n), session: null, server: null, clientAddress: null,
    kind: new Uint8Array(n), timeUs: new Float64Array(n), valueMs: new Float64Array(n), line: new Float64Array(n),
    order: job.groupRows ? new Int32Array(n) : null, lengths: job.groupRows ? new Int32Array(n) : null,
  };
}

/** The set's column for rows [0, n) of an id column (made when first needed); null when every row has none (-1). */
function idColumn(column: Int32Array, n: number, into: Int32Array | null, capacity: number): Int32Array | null {
  let any = false;
  for (let i = 0; i < n; i++) if (column[i] !== -1) { any = true; break; }
  if (!any) return null;
  return into !== null && into.length >= n ? into : new Int32Array(capacity);
}

const grouper = new RowGrouper();

/** Samples of the string path go in groups (one message per sample would dominate on odd files). */
const SAMPLE_GROUP = 4096;

let samples: RawSample[] = [];
const post = (message: ReaderMessage, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);
const flushSamples = (): void => {
  if (samples.length > 0) { post({ type: 'samples', samples }); samples = []; }
};

async function read(): Promise<void> {
  const adapter = adapterByName(job.adapter);
  if (adapter === null) throw new Error(`no adapter ${job.adapter}`);
  // The path is never '-' here: the stdin argument is not read.
  const opened = await openInput(job.path, undefined as unknown as NodeJS.ReadableStream, job.openLimits, { lendChunks: adapter.lendableChunks === true });
  post({ type: 'opened', sizeBytes: opened.sizeBytes, mtime: opened.mtime, compressed: opened.compressed });
  let reported = 0;
  const chunks = (async function* () {
    for await (const chunk of opened.chunks) {
      yield chunk;
      const bytes = opened.bytesSoFar();
      if (bytes - reported >= 1 << 20) { reported = bytes; post({ type: 'progress', bytesRead: bytes }); }
    }
  })();
  let textsSent = 0;
  const ctx: AdapterContext = {
    file: job.path,
    limits: job.readLimits,
    columns: job.columns,
    options: job.options,
    side: new SideData(),
    emit: (raw) => {
      samples.push({ ...raw });
      if (samples.length >= SAMPLE_GROUP) flushSamples();
    },
    emitColumns: (batch: SampleColumns) => {
      flushSamples();
      const n = batch.length;
      const texts = batch.texts.slice(textsSent);
      textsSent = batch.texts.length;
      const set = columnSet(n);
      const capacity = set.account.length;
      set.session = idColumn(batch.session, n, set.session, capacity);
      set.server = idColumn(batch.server, n, set.server, capacity);
      set.clientAddress = idColumn(batch.clientAddress, n, set.clientAddress, capacity);
      let groups = 0;
      if (set.order !== null && set.lengths !== null) {
        groups = grouper.group(batch, { ...set, order: set.order, lengths: set.lengths });
      } else {
        set.account.set(batch.account.subarray(0, n));
        set.kind.set(batch.kind.subarray(0, n));
        set.timeUs.set(batch.timeUs.subarray(0, n));
        set.valueMs.set(batch.valueMs.subarray(0, n));
        set.line.set(batch.line.subarray(0, n));
        for (const [from, into] of [[batch.session, set.session], [batch.server, set.server], [batch.clientAddress, set.clientAddress]] as const) {
          if (into !== null) into.set(from.subarray(0, n));
        }
      }
      // Wait (this thread only) until the main thread has room for one more batch. Only now: the
      // copy or grouping above (~16 ms a batch) is then done while the main thread works, not
      // while it waits. The set came back with the batch before last, so two sets circulate.
      for (let held = Atomics.load(gate, 0); held >= MAX_IN_FLIGHT; held = Atomics.load(gate, 0)) Atomics.wait(gate, 0, held);
      Atomics.add(gate, 0, 1);
      post({ type: 'columns', length: n, texts, groups, ...set }, transferables(set));
    },
    reject: (line, reason, detail, account) => { flushSamples(); post({ type: 'reject', line, reason, detail, account }); },
    note: (text) => { flushSamples(); post({ type: 'note', text }); },
  };
  const result = await adapter.read(chunks, ctx);
  flushSamples();
  post({ type: 'done', result, digest: opened.digest() });
}

read().catch((err: unknown) => {
  flushSamples();
  const e = csvInputError(err, job.path, null, job.readLimits.maxRecordBytes);
  post({
    type: 'error',
    error: isKeylagError(e)
      ? { category: e.category, message: e.message, file: e.file, line: e.line }
      : { category: null, message: e instanceof Error ? e.message : String(e), file: null, line: null },
  });
});

