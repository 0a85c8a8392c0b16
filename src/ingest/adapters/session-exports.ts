// The adapters of issue 9 (exported session logs: VDI round-trip exports, performance counters,
// Citrix Monitor OData, terminal recordings), registered together in src/ingest/registry.ts.
// Side files (joins) come first only for readability; ingest reads every side file first anyway.
import type { InputAdapter } from '../adapter.js';
import { avdAdapter, avdConnectionsAdapter } from './avd.js';
import { perfCountersAdapter } from './perfcounters.js';
import { sessionsAdapter } from './sessions.js';
import { citrixAdapter, citrixSideAdapter } from './citrix.js';
import { asciicastAdapter } from './asciicast.js';
import { tlogAdapter } from './tlog.js';
import { teleportAdapter } from './teleport.js';
import { scriptLogAdapter, scriptTimingAdapter } from './script-timing.js';

export const SESSION_EXPORT_ADAPTERS: readonly InputAdapter[] = [
  avdConnectionsAdapter,
  avdAdapter,
  sessionsAdapter,
  perfCountersAdapter,
  citrixSideAdapter,
  citrixAdapter,
  scriptLogAdapter,
  scriptTimingAdapter,
  asciicastAdapter,
  tlogAdapter,
  teleportAdapter,
];
