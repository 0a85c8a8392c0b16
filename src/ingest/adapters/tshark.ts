// tshark field exports: the CSV that
//   tshark -r CAP -T fields -E header=y -E separator=, -E quote=d -E occurrence=f \
//     -e frame.number -e frame.time_epoch -e ip.src -e ip.dst -e ipv6.src -e ipv6.dst \
//     -e tcp.srcport -e tcp.dstport -e tcp.stream -e tcp.len -e tcp.flags -e tcp.seq_raw -e tcp.ack_raw tcp
// writes. Columns are found by their header names (any order; extra fields are ignored); every
// timing is derived from these raw fields by src/ingest/derive (Wireshark's tcp.analysis.* results
// are not used, so the raw-capture adapter can reproduce the same samples exactly). An export
// without sequence numbers (DESIGN.md's short field list) gives transport round trips only
// (derive/transport-only.ts), where Wireshark's tcp.analysis.ack_rtt is then read.
import { parse } from 'csv-parse';
import type { AdapterContext, AdapterResult, InputAdapter } from '../adapter.js';
import { inputError } from '../../errors.js';
import { firstLine, peekHead, sniffDelimiter } from './export-util.js';
import { MIN_TIME_US, MAX_TIME_US } from '../time.js';
import { PacketCollector, accountsMapFor } from '../derive/collect.js';
import { TCP_ACK, TCP_SYN, type TcpPacket } from '../derive/tcp.js';

export const TSHARK_REQUIRED = [
  'frame.time_epoch', 'tcp.srcport', 'tcp.dstport', 'tcp.len', 'tcp.flags',
] as const;

/**
 * tcp.stream for an export without it: connections numbered in the order of their first packet,
 * by their address and port pair (either direction); a SYN on a pair that has carried more than
 * SYNs starts a new one (a port reused), as Wireshark numbers a new connection. Why by hand: it is
 * the numbering the packet rules key streams by, nothing generic.
 */
class StreamNumbers {
  private readonly byPair = new Map<string, { id: number; onlySyns: boolean }>();
  private next = 0;

  of(src: string, srcPort: number, dst: string, dstPort: number, flags: number): number {
    const a = `${src}|${srcPort}`;
    const b = `${dst}|${dstPort}`;
    const pair = a < b ? `${a}|${b}` : `${b}|${a}`;
    const syn = (flags & (TCP_SYN | TCP_ACK)) === TCP_SYN;
    const known = this.byPair.get(pair);
    if (known !== undefined && !(syn && !known.onlySyns)) {
      if (!syn) known.onlySyns = false;
      return known.id;
    }
    const id = this.next++;
    this.byPair.set(pair, { id, onlySyns: syn });
    return id;
  }
}
/**
 * Sequence and acknowledgement numbers: raw (absolute) or Wireshark's relative ones (`tcp.seq`,
 * `tcp.ack`, its default): the derivation only uses differences within a direction, which the two
 * give alike, the relative ones counted from each direction's SYN.
 */
export const TSHARK_SEQ_PAIRS = [['tcp.seq_raw', 'tcp.ack_raw'], ['tcp.seq', 'tcp.ack']] as const;
/** At least one complete pair of address columns is required. */
export const TSHARK_ADDRESS_PAIRS = [['ip.src', 'ip.dst'], ['ipv6.src', 'ipv6.dst']] as const;

export const TSHARK_COMMAND = 'tshark -r CAPTURE -T fields -E header=y -E separator=, -E quote=d -E occurrence=f '
  + '-e frame.number -e frame.time_epoch -e ip.src -e ip.dst -e ipv6.src -e ipv6.dst '
  + '-e tcp.srcport -e tcp.dstport -e tcp.stream -e tcp.len -e tcp.flags -e tcp.seq_raw -e tcp.ack_raw tcp';

const EPOCH_RE = /^(\d{1,11})(?:\.(\d{1,9}))?$/;
const UINT_RE = /^\d{1,10}$/;

/** `1795610898.839318123` -> epoch microseconds, truncated (as the raw-capture path does). */
export function parseEpochToUs(text: string): number | null {
  const m = EPOCH_RE.exec(text.trim());
  if (!m) return null;
  const frac = (m[2] ?? '').padEnd(6, '0').slice(0, 6);
  return Number(m[1]) * 1_000_000 + Number(frac);
}

function firstValue(cell: string | undefined): string {
  if (cell === undefined) return '';
  const t = cell.trim();
  const comma = t.indexOf(',');
  return comma < 0 ? t : t.slice(0, comma);
}

function parseUint(text: string, max: number): number | null {
  if (!UINT_RE.test(text)) return null;
  const n = Number(text);
  return n <= max ? n : null;
}

function parseFlags(text: string): number | null {
  if (/^0x[0-9a-fA-F]{1,4}$/.test(text)) return parseInt(text.slice(2), 16);
  return parseUint(text, 0xffff);
}

/** The quote character of the export: tshark's -E quote=s writes 'value' (the first data row says), else '"'. */
function quoteOf(head: string): string {
  const lines = head.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim() !== '');
  return lines.length > 1 && lines[1]!.trimStart().startsWith("'") ? "'" : '"';
}

function headerOf(head: string): string[] {
  return firstLine(head).split(/[,\t;|]/).map((f) => f.trim().replace(/^"|"$/g, '').toLowerCase());
}

export const tsharkAdapter: InputAdapter = {
  name: 'tshark',
  description: 'tshark field export (CSV, header=y) of TCP packets: rtt, app_rtt, reaction and keystroke timing derived per stream; --accounts maps streams to accounts',
  example: 'frame.number,frame.time_epoch,ip.src,ip.dst,ipv6.src,ipv6.dst,tcp.srcport,tcp.dstport,tcp.stream,tcp.len,tcp.flags,tcp.seq_raw,tcp.ack_raw\n'
    + '"1","1772445791.412003000","10.55.1.2","10.55.0.2",,,"40490","22","0","0","0x0002","1890053992","0"',
  detect(head: string): number {
    const fields = headerOf(head);
    const tcp = fields.filter((f) => f.startsWith('tcp.') && !f.startsWith('tcp.analysis.')).length;
    if (tcp === 0) return 0;
    // A per-account timing file that happens to use tshark names (account column present) stays generic.
    if (fields.some((f) => /^(account|user|username|user_name|upn|login)$/.test(f))) return 0.1;
    // tshark's field names without frame.time_epoch (`frame.time`, the display date, is the one people
    // reach for first): still a tshark export, whose reader names what is missing; the generic reader
    // would only say it found no account column.
    if (!fields.includes('frame.time_epoch')) return tcp >= 2 && fields.some((f) => /^(frame|ip|ipv6)\./.test(f)) ? 0.4 : 0;
    return 0.9;
  },
  async read(chunks, ctx: AdapterContext): Promise<AdapterResult> {
    const map = await accountsMapFor(ctx);
    // The separator from the header line, read ahead without consuming it.
    const { head, replay } = await peekHead(chunks);
    // tshark's -E separator: ',' as keylag's command says, or its default tab (also ';' and '|').
    const delimiter = sniffDelimiter(firstLine(head));
    const quote = quoteOf(head);
    const parser = parse({ delimiter, quote, bom: true, info: true, relax_column_count: true, skip_empty_lines: true, max_record_size: 1 << 20 });
    const feed = (async () => {
      for await (const chunk of replay) {
        if (!parser.write(chunk)) await new Promise<void>((resolve) => parser.once('drain', resolve));
      }
      parser.end();
    })();
    feed.catch((err) => parser.destroy(err as Error));
    // Made once the header says whether sequence numbers were exported (transport-only without them).
    let collector: PacketCollector | null = null;
    let col: Record<string, number> | null = null;
    let records = 0;
    // Which sequence fields the export has (TSHARK_SEQ_PAIRS), and whether frame numbers are given.
    let seqField = 'tcp.seq_raw';
    let ackField = 'tcp.ack_raw';
    let framesGiven = true;
    let streams: StreamNumbers | null = null;
    let transportOnly = false;
    let ackRttGiven = false;
    try {
      for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
        const line = item.info.lines;
        if (col === null) {
          const names = item.record.map((h) => h.trim().toLowerCase());
          col = {};
          names.forEach((n, i) => { if (col![n] === undefined) col![n] = i; });
          const missing: string[] = TSHARK_REQUIRED.filter((f) => col![f] === undefined);
          if (!TSHARK_ADDRESS_PAIRS.some((pair) => pair.every((f) => col![f] !== undefined))) missing.push('ip.src+ip.dst or ipv6.src+ipv6.dst');
          if (missing.length > 0) {
            const displayDate = missing.includes('frame.time_epoch') && col['frame.time'] !== undefined
              ? '; frame.time is a display date in the local zone, export frame.time_epoch instead' : '';
            throw inputError(`tshark export lacks required field(s): ${missing.join(', ')}${displayDate} (export with: ${TSHARK_COMMAND})`, ctx.file, line);
          }
          const seqPair = TSHARK_SEQ_PAIRS.find((pair) => pair.every((f) => col![f] !== undefined));
          transportOnly = seqPair === undefined;
          if (seqPair !== undefined) [seqField, ackField] = seqPair;
          collector = new PacketCollector(ctx, map, {}, transportOnly);
          framesGiven = col['frame.number'] !== undefined;
          if (col['tcp.stream'] === undefined) {
            streams = new StreamNumbers();
            ctx.note('no tcp.stream: connections numbered by their address and port pair in the order first seen, a new one at a SYN on a pair that was in use (an accounts map\'s FILE#stream keys follow this numbering)');
          }
          ackRttGiven = col['tcp.analysis.ack_rtt'] !== undefined;
          if (transportOnly) {
            ctx.note('no sequence numbers (tcp.seq_raw+tcp.ack_raw or tcp.seq+tcp.ack): only transport round trips are derived, the handshake'
              + `${ackRttGiven ? " and Wireshark's tcp.analysis.ack_rtt of the far end's ACKs" : ' (export tcp.analysis.ack_rtt for ACK round trips)'}; `
              + `application round trips, reactions and typing need them (export with: ${TSHARK_COMMAND})`);
          }
          const used = new Set<string>([...TSHARK_REQUIRED, 'tcp.stream', 'frame.number', 'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst',
            ...(transportOnly ? ['tcp.analysis.ack_rtt'] : [seqField, ackField])]);
          ctx.note(`tshark fields: ${names.length} columns, ${names.filter((n) => !used.has(n)).length} extra ignored`);
          if (seqField === 'tcp.seq') ctx.note('sequence numbers: tcp.seq/tcp.ack (relative to each direction\'s SYN)');
          if (!framesGiven) ctx.note('no frame.number: packets numbered by their row (the export must list every packet of the capture, in order, for frame numbers to match)');
          if (delimiter !== ',') ctx.note(`separator: ${delimiter === '\t' ? 'tab (tshark\'s default)' : `'${delimiter}'`}`);
          if (quote === "'") ctx.note('quotes: single (tshark -E quote=s)');
          continue;
        }
        records++;
        const r = item.record;
        const get = (name: string): string => (col![name] === undefined ? '' : firstValue(r[col![name]!]));
        const stream = get('tcp.stream');
        if (stream === '' && get('tcp.srcport') === '') { ctx.reject(line, 'packet_not_tcp', 'no TCP fields'); continue; }
        const src = get('ip.src') || get('ipv6.src');
        const dst = get('ip.dst') || get('ipv6.dst');
        const frame = framesGiven ? parseUint(get('frame.number'), 2 ** 32) : records;
        const timeUs = parseEpochToUs(get('frame.time_epoch'));
        const srcPort = parseUint(get('tcp.srcport'), 65535);
        const dstPort = parseUint(get('tcp.dstport'), 65535);
        const streamNo = streams !== null ? 0 : parseUint(stream, 2 ** 32);
        const len = parseUint(get('tcp.len'), 1 << 20);
        const flags = parseFlags(get('tcp.flags'));
        // Transport-only: no sequence numbers to read (0 stands in; transport-only.ts never looks at them).
        const seq = transportOnly ? 0 : parseUint(get(seqField), 2 ** 32 - 1);
        const ack = transportOnly ? 0 : parseUint(get(ackField), 2 ** 32 - 1);
        const ackRttText = transportOnly && ackRttGiven ? get('tcp.analysis.ack_rtt') : '';
        const ackRttUs = ackRttText === '' ? null : parseEpochToUs(ackRttText);
        const bad = ([['frame.number', frame], ['frame.time_epoch', timeUs], ['tcp.srcport', srcPort], ['tcp.dstport', dstPort],
          ['tcp.stream', streamNo], ['tcp.len', len], ['tcp.flags', flags], [seqField, seq], [ackField, ack]] as const)
          .filter(([, v]) => v === null).map(([n]) => n);
        // An IPv6 packet in an export made without ipv6.src/ipv6.dst has no address at all: say which fields to add.
        if (src === '' || dst === '') bad.push((col!['ipv6.src'] === undefined ? 'ip.src/ip.dst (an IPv6 packet? the export has no ipv6.src/ipv6.dst: add -e ipv6.src -e ipv6.dst)' : 'ip.src/ip.dst') as never);
        if (ackRttText !== '' && ackRttUs === null) bad.push('tcp.analysis.ack_rtt' as never);
        if (bad.length > 0) { ctx.reject(line, 'packet_malformed', `unreadable ${bad.join(', ')}`); continue; }
        if (timeUs! < MIN_TIME_US || timeUs! >= MAX_TIME_US) { ctx.reject(line, 'time_out_of_range', `${get('frame.time_epoch')} (outside 1990..2099)`); continue; }
        const packet: TcpPacket = {
          frame: frame!, timeUs: timeUs!, src: src.toLowerCase(), dst: dst.toLowerCase(), srcPort: srcPort!, dstPort: dstPort!,
          stream: streamNo!, len: len!, flags: flags!, seq: seq!, ack: ack!, line,
        };
        if (streams !== null) packet.stream = streams.of(packet.src, packet.srcPort, packet.dst, packet.dstPort, packet.flags);
        if (ackRttUs !== null) packet.ackRttUs = ackRttUs;
        collector!.add(packet);
      }
    } catch (err) {
      if ((err as { category?: string }).category) throw err;
      const e = err as { code?: string; message: string; lines?: number };
      if (e.code?.startsWith('CSV_')) throw inputError(`malformed CSV (${e.code})`, ctx.file, e.lines ?? null);
      throw err;
    }
    await feed;
    if (col === null) throw inputError('empty input: no header line', ctx.file);
    const warnings = collector?.finish() ?? [];
    return { records, dialect: 'tshark fields CSV', timeFormats: records > 0 ? ['epoch-s'] : [], ...(warnings.length > 0 ? { warnings } : {}) };
  },
};
