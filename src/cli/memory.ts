// The CLI process's memory policy (issue 7: peak memory is part of the tool's contract). Only the
// CLI sets it: the library leaves an embedding process's heap alone.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// By default V8 lets the heap grow to up to ~4x what survived the last full collection before
// collecting again; at 10,000 accounts that slack, not the data, was most of the peak (10M rows:
// 594 MB peak at ~180 MB live). Growing by at most 20 % between full collections: 10M rows peak
// 300 MiB at 9.55 s against 319 MiB at 9.15 s with 50 % (3 runs each, medians). The byte lane
// makes almost no garbage per row, so the extra full collections cost little.
setFlagsFromString('--heap-growing-percent=20');
// A full collection where a stage has just let go of most of what it held (all rows read; every
// accumulator finished; the report built): without it the next stage's allocations land on top of
// the last one's garbage, and the peak is their sum. Each costs ~50-80 ms at 10,000 accounts.
setFlagsFromString('--expose-gc');
const fullCollection = runInNewContext('gc') as (() => void) | undefined;

/** Collect garbage between stages (a no-op where the engine does not offer it). */
export function releaseBetweenStages(): void {
  if (typeof fullCollection === 'function') fullCollection();
}
