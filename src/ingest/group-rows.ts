// Grouping a column batch's rows by (account id, kind) in the reader thread (parallel-read.ts), so
// that the main thread, which adds each group to its distribution, does not sort the batch itself:
// that pass was a fifth of the main thread's time at 10,000 accounts, while the reader had time to
// spare. A stable counting sort: the groups come in the order of their first row, and the rows of a
// group in input order. `order` says where each row was, so that a consumer can still see the rows
// in input order where that matters (observers; names that normalise to one account).
// Why by hand: a counting sort over this product's own batch layout; nothing generic to reuse.
import type { SampleColumns } from './adapter.js';

/** How a batch's rows are grouped (SampleColumns.groups). */
export interface ColumnGroups {
  /** Number of groups. */
  count: number;
  /** Rows in each group, groups in the order of their first row in the input; [0, count) used. */
  lengths: Int32Array;
  /** order[k]: the input position (0-based, within the batch) of grouped row k; [0, length) used. */
  order: Int32Array;
}

/** Where a grouped batch is written: columns of at least the batch's length. */
export interface GroupedColumns {
  account: Int32Array; kind: Uint8Array; timeUs: Float64Array; valueMs: Float64Array; line: Float64Array;
  /** Null: the column is not written (every row of the batch has none). */
  session: Int32Array | null; server: Int32Array | null; clientAddress: Int32Array | null;
  lengths: Int32Array; order: Int32Array;
}

/** Kinds fit in 3 bits of a group key (types.ts has fewer than 8). */
const KIND_BITS = 3;

export class RowGrouper {
  /** Per key (account id << 3 | kind): group + 1, 0 for none; every used entry is reset after a batch. */
  private groupOfKey = new Int32Array(1024);
  private keys = new Int32Array(0);
  private starts = new Int32Array(0);
  private rowGroup = new Int32Array(0);

  /** Rows [0, batch.length) of `batch`, grouped, into `out`; the number of groups. */
  group(batch: SampleColumns, out: GroupedColumns): number {
    const n = batch.length;
    const { account, kind } = batch;
    const keySpace = batch.texts.length << KIND_BITS;
    if (this.groupOfKey.length < keySpace) this.groupOfKey = new Int32Array(Math.max(keySpace * 2, 1024));
    if (this.rowGroup.length < n) {
      this.rowGroup = new Int32Array(n);
      this.keys = new Int32Array(n);
      this.starts = new Int32Array(n);
    }
    const { groupOfKey, keys, starts, rowGroup } = this;
    const lengths = out.lengths;
    let groups = 0;
    for (let i = 0; i < n; i++) {
      const key = (account[i]! << KIND_BITS) | kind[i]!;
      let g = groupOfKey[key]! - 1;
      if (g < 0) {
        g = groups++;
        groupOfKey[key] = g + 1;
        keys[g] = key;
        lengths[g] = 0;
      }
      lengths[g]++;
      rowGroup[i] = g;
    }
    let at = 0;
    for (let g = 0; g < groups; g++) { starts[g] = at; at += lengths[g]!; }
    const { timeUs, valueMs, line } = batch;
    const order = out.order;
    for (let i = 0; i < n; i++) {
      const k = starts[rowGroup[i]!]!++;
      out.account[k] = account[i]!;
      out.kind[k] = kind[i]!;
      out.timeUs[k] = timeUs[i]!;
      out.valueMs[k] = valueMs[i]!;
      out.line[k] = line[i]!;
      order[k] = i;
    }
    // Id columns that are present are gathered through `order`: most batches have none of them.
    if (out.session !== null) gather(batch.session, order, n, out.session);
    if (out.server !== null) gather(batch.server, order, n, out.server);
    if (out.clientAddress !== null) gather(batch.clientAddress, order, n, out.clientAddress);
    for (let g = 0; g < groups; g++) groupOfKey[keys[g]!] = 0;
    return groups;
  }
}

function gather(from: Int32Array, order: Int32Array, n: number, into: Int32Array): void {
  for (let k = 0; k < n; k++) into[k] = from[order[k]!]!;
}

/** Columns to put a grouped batch back in input order (`ungroup`), reused from batch to batch. */
export class UngroupScratch {
  private columns: SampleColumns | null = null;

  /** Columns for `n` rows of `texts`, kept while large enough. */
  columnsFor(n: number, texts: readonly string[]): SampleColumns {
    if (this.columns === null || this.columns.account.length < n) {
      this.columns = {
        length: 0, texts, account: new Int32Array(n), session: new Int32Array(n), server: new Int32Array(n),
        clientAddress: new Int32Array(n), kind: new Uint8Array(n), timeUs: new Float64Array(n), valueMs: new Float64Array(n),
        line: new Float64Array(n),
      };
    }
    this.columns.texts = texts;
    return this.columns;
  }
}

/**
 * The batch in input order again (without `groups`): for a consumer that must see these rows one
 * by one in the order they came. Valid until the next call with the same scratch.
 */
export function ungroup(batch: SampleColumns, order: Int32Array, scratch: UngroupScratch): SampleColumns {
  const n = batch.length;
  const into = scratch.columnsFor(n, batch.texts);
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    into.account[i] = batch.account[k]!;
    into.session[i] = batch.session[k]!;
    into.server[i] = batch.server[k]!;
    into.clientAddress[i] = batch.clientAddress[k]!;
    into.kind[i] = batch.kind[k]!;
    into.timeUs[i] = batch.timeUs[k]!;
    into.valueMs[i] = batch.valueMs[k]!;
    into.line[i] = batch.line[k]!;
  }
  into.length = n;
  return into;
}
