// Input adapters, detected from the first bytes or forced with --input-format.
import type { InputAdapter } from './adapter.js';
import { genericAdapter } from './adapters/generic.js';
import { SESSION_EXPORT_ADAPTERS } from './adapters/session-exports.js';
import { tsharkAdapter } from './adapters/tshark.js';
import { pcapAdapter } from './adapters/pcap.js';
import { usageError } from '../errors.js';

export const ADAPTERS: readonly InputAdapter[] = [genericAdapter, ...SESSION_EXPORT_ADAPTERS, tsharkAdapter, pcapAdapter];

export function adapterByName(name: string): InputAdapter {
  const found = ADAPTERS.find((a) => a.name === name);
  if (!found) throw usageError(`unknown input format '${name}' (formats: ${ADAPTERS.map((a) => a.name).join(', ')})`);
  return found;
}

/** The adapter that claims the head most confidently (ties: registry order); null if none does. */
export function detectAdapter(head: string, bytes: Buffer = Buffer.from(head)): InputAdapter | null {
  let best: InputAdapter | null = null;
  let bestScore = 0;
  for (const adapter of ADAPTERS) {
    const score = adapter.detect(head, bytes);
    if (score > bestScore) { best = adapter; bestScore = score; }
  }
  return best;
}
