// Glue between a packet source (tshark CSV rows, raw capture records) and the stream derivations:
// packets are grouped by stream, each stream is derived when the input ends, and samples are
// emitted stream by stream (stream order, then time order) with the account from the accounts map.
// Captures are held in memory as compact packet records (~100 bytes each).
import type { AdapterContext } from '../adapter.js';
import type { Kind } from '../../types.js';
import { deriveStream, type StreamSummary, type TcpPacket } from './tcp.js';
import { accountOf, readAccountsMap, type AccountsMap } from './accounts-map.js';

/** Adapter option naming the accounts map file (`--accounts FILE`). */
export const ACCOUNTS_OPTION = 'accounts';
const SIDE_KEY = 'tcp.accountsMap';

export async function accountsMapFor(ctx: AdapterContext): Promise<AccountsMap | null> {
  const path = ctx.options[ACCOUNTS_OPTION];
  if (path === undefined || path === '') return null;
  const cached = ctx.side.get<AccountsMap>(SIDE_KEY);
  if (cached !== undefined && cached.path === path) return cached;
  const map = await readAccountsMap(path);
  ctx.side.set(SIDE_KEY, map);
  return map;
}

export class PacketCollector {
  private readonly streams = new Map<number, TcpPacket[]>();
  packets = 0;

  add(p: TcpPacket): void {
    this.packets++;
    let list = this.streams.get(p.stream);
    if (list === undefined) { list = []; this.streams.set(p.stream, list); }
    list.push(p);
  }

  /** Derive every stream and emit its samples; returns the per-stream summaries. */
  finish(ctx: AdapterContext, map: AccountsMap | null): StreamSummary[] {
    const summaries: StreamSummary[] = [];
    const streamIds = [...this.streams.keys()].sort((a, b) => a - b);
    let unmapped = 0;
    const obfuscated: string[] = [];
    const byVantage = { server: 0, client: 0 };
    const totals: Record<Kind, number> = { rtt: 0, app_rtt: 0, reaction: 0, keystroke_interval: 0, input_lag: 0 };
    for (const id of streamIds) {
      const packets = this.streams.get(id)!;
      packets.sort((a, b) => a.frame - b.frame);
      const { summary, samples } = deriveStream(packets);
      summaries.push(summary);
      const { account, via } = accountOf(map, ctx.file, summary);
      if (via === null) unmapped++;
      byVantage[summary.vantage]++;
      if (summary.obfuscated) {
        obfuscated.push(`stream ${id} (${account}, ${summary.gridPackets} packets on the grid)`);
      }
      for (const s of samples) {
        totals[s.kind]++;
        ctx.emit({
          account, session: String(id), timeUs: s.timeUs, kind: s.kind, valueMs: s.valueMs, line: s.line,
          sourceId: `frame ${s.frame}`, clientAddress: summary.client,
        });
      }
    }
    if (streamIds.length > 0) {
      ctx.note(`${streamIds.length} TCP streams; capture point near the server in ${byVantage.server}, near the client in ${byVantage.client}`);
      ctx.note(`derived: ${(Object.keys(totals) as Kind[]).filter((k) => totals[k] > 0).map((k) => `${totals[k]} ${k}`).join(', ') || 'no samples'}`);
    }
    if (obfuscated.length > 0) {
      ctx.note(`keystroke timing obfuscation (OpenSSH ObscureKeystrokeTiming, 20 ms grid with chaff) in ${obfuscated.length} stream(s): ${obfuscated.join('; ')}; their grid packets give no keystroke intervals or reactions`);
    }
    if (map === null) ctx.note('no accounts map (--accounts): streams are named by their client address');
    else if (unmapped > 0) ctx.note(`${unmapped} stream(s) not in the accounts map ${map.path}: named by their client address`);
    return summaries;
  }
}
