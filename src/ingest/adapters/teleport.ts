// Teleport session recordings exported as JSON (issue 9, preset 4). Sources (gravitational/teleport):
//  - api/proto/teleport/legacy/types/events/events.proto: JSON names of the fields. Common Metadata:
//    `ei` (Index, event index in the session), `event` (type), `uid`, `code`, `time`, `cluster_name`.
//    SessionStart (`session.start`, code T2000I in lib/events/codes.go) embeds UserMetadata `user` (the
//    Teleport user) and `login` (the OS login), SessionMetadata `sid`, ServerMetadata `server_id`,
//    `server_hostname`, `server_addr`, ConnectionMetadata `addr.local` and `addr.remote` ("client (user's)
//    address", e.g. `[::1]:37718` or `203.0.113.7:51234`), plus `size`, `session_recording` (node, proxy,
//    node-sync, proxy-sync). SessionPrint (`print`, no code) has `ci` (chunk index), `bytes` (output bytes
//    written), `ms` (DelayMilliseconds) and `offset` (bytes before it in the session stream); its `Data` has
//    the JSON tag "-": the output bytes themselves are NOT in a JSON export, only their count.
//  - lib/events/session_writer.go (PrepareSessionEvent; auditwriter.go in older releases): `ms` is
//    cumulative, ms = previous ms + (time - previous time), so it counts from the first print (ms 0), which
//    follows session.start by the time the shell takes to print; print `time` is rounded to the millisecond.
//  - tool/tsh/common/play.go: `tsh play --format=json <session-id>` writes a JSON array, one indented
//    object per event (`[`, objects separated by `,\n`, `]`); `tsh play --format=json <file>.tar` (a
//    downloaded recording, lib/events Export) writes one compact object per line. Both are read here.
// Teleport records the terminal OUTPUT on the node (or the proxy in proxy mode): keystrokes are not in a
// recording. A key shows only through its echo, so every small print stands for one key
// (echoesAsKeystrokes in derive/recording.ts): keystroke_interval and reaction are derived as for any
// server-side recording; app_rtt is impossible. Prints carry no `sid`: they belong to the session whose
// session.start precedes them; without one the account comes from the file name (--account-name overrides).
import type { AdapterResult, InputAdapter, AdapterContext } from '../adapter.js';
import { inputError } from '../../errors.js';
import { parseTimestamp, MIN_TIME_US, MAX_TIME_US } from '../time.js';
import { stemOf, textLines } from './export-util.js';
import { deriveRecording, echoesAsKeystrokes, noteRecording, recordingAccount, ECHO_MAX_BYTES, type TermEvent } from '../derive/recording.js';

type Rec = Record<string, unknown>;

const SESSION_EVENT_RE = /"event"\s*:\s*"(session\.start|print|session\.end|session\.join|session\.leave|resize)"/;

interface TeleportSession {
  sid: string;
  user: string | null;
  login: string | null;
  clientAddress: string | null;
  host: string | null;
  recordingMode: string | null;
  startUs: number | null;
  /** Epoch µs of ms 0: the first print's time minus its ms (else session.start's time). */
  anchorUs: number | null;
  lastMs: number;
  prints: TermEvent[];
  joins: number;
  fromFile: boolean;
  firstLine: number;
}

/** `addr.remote` without its port: `[::1]:37718` -> `::1`, `203.0.113.7:51234` -> `203.0.113.7`. */
export function stripPort(addr: string): string {
  const a = addr.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(a);
  if (bracketed) return bracketed[1]!;
  const v4 = /^([^:]+):\d+$/.exec(a);
  return v4 ? v4[1]! : a;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);
const int = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : null);

/**
 * Event objects with the line each starts on: one per line (JSON lines), or the members of a top-level
 * array spread over many lines (`tsh play --format=json`). Text between array members other than `,` is
 * counted as a rejection; an object left open at the end of the file is an error.
 */
async function* eventObjects(chunks: AsyncIterable<Buffer>, ctx: AdapterContext, onMode: (array: boolean) => void): AsyncGenerator<{ text: string; line: number }> {
  let mode: 'lines' | 'array' | null = null;
  let depth = 0;
  let inString = false;
  let escape = false;
  let parts: string[] = [];
  let size = 0;
  let start = 0;
  let closed = false;
  for await (const { text, line } of textLines(chunks, ctx)) {
    if (mode === null) {
      const t = text.trimStart();
      if (t === '') continue;
      mode = t.startsWith('[') ? 'array' : 'lines';
      onMode(mode === 'array');
    }
    if (mode === 'lines') {
      if (text.trim() !== '') yield { text, line };
      continue;
    }
    let from = depth > 0 ? 0 : -1;
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (depth > 0) {
        if (inString) {
          if (escape) escape = false;
          else if (c === '\\') escape = true;
          else if (c === '"') inString = false;
        } else if (c === '"') inString = true;
        else if (c === '{' || c === '[') depth++;
        else if (c === '}' || c === ']') {
          depth--;
          if (depth === 0) {
            parts.push(text.slice(from, i + 1));
            yield { text: parts.join(''), line: start };
            parts = [];
            size = 0;
            from = -1;
          }
        }
        continue;
      }
      if (c === '{') { depth = 1; start = line; from = i; continue; }
      if (c === ' ' || c === '\t' || c === ',') continue;
      if (c === '[' && !closed) continue;
      if (c === ']' && !closed) { closed = true; continue; }
      ctx.reject(line, 'event_invalid', `unexpected '${text.slice(i, i + 20)}' between events`);
      break;
    }
    if (depth > 0) {
      parts.push(text.slice(from) + '\n');
      size += text.length + 1;
      if (size > ctx.limits.maxRecordBytes) throw inputError(`an event longer than the limit of ${ctx.limits.maxRecordBytes} bytes (--max-record-bytes)`, ctx.file, start);
    }
  }
  if (depth > 0) throw inputError('the JSON array ends inside an event (a truncated export?)', ctx.file, start);
}

export const teleportAdapter: InputAdapter = {
  name: 'teleport',
  description: 'Teleport session recording as JSON (`tsh play --format=json SESSION_ID`, or JSON lines from a downloaded .tar): output only, echoes stand for keys: keystroke_interval and reaction (server side); account = session.start user',
  example: '{"ei":0,"event":"session.start","uid":"...","code":"T2000I","time":"2025-02-25T09:19:25.391Z","user":"alice","login":"root","sid":"5b3555dc-...","server_hostname":"srv01","addr.remote":"203.0.113.7:51234"}\n{"ei":1,"event":"print","time":"2025-02-25T09:19:25.43Z","ci":0,"bytes":5,"ms":0,"offset":0}',
  detect(head) {
    const t = head.replace(/^\uFEFF/, '').trimStart();
    if (!t.startsWith('{') && !t.startsWith('[')) return 0;
    return /"ei"\s*:\s*\d/.test(head) && SESSION_EVENT_RE.test(head) ? 0.95 : 0;
  },
  async read(chunks, ctx): Promise<AdapterResult> {
    const stem = stemOf(ctx.file === '-' ? 'stdin' : ctx.file);
    const sessions: TeleportSession[] = [];
    let current: TeleportSession | null = null;
    let array = false;
    let records = 0;
    let others = 0;
    const newSession = (sid: string, line: number, fromFile: boolean): TeleportSession => {
      const s: TeleportSession = { sid, user: null, login: null, clientAddress: null, host: null, recordingMode: null, startUs: null, anchorUs: null, lastMs: -1, prints: [], joins: 0, fromFile, firstLine: line };
      sessions.push(s);
      return s;
    };
    const timeOf = (v: unknown): number | null => {
      const t = typeof v === 'string' ? parseTimestamp(v) : null;
      return t !== null && t.format === 'iso8601' && t.timeUs >= MIN_TIME_US && t.timeUs < MAX_TIME_US ? t.timeUs : null;
    };

    for await (const { text, line } of eventObjects(chunks, ctx, (a) => { array = a; })) {
      records++;
      let ev: Rec;
      try {
        const v = JSON.parse(text) as unknown;
        if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
        ev = v as Rec;
      } catch { ctx.reject(line, 'event_invalid', text.trim().slice(0, 80)); continue; }
      const type = str(ev.event);
      if (type === null) { ctx.reject(line, 'event_invalid', 'no "event" field'); continue; }
      if (type === 'session.start') {
        const sid = str(ev.sid) ?? `${stem}@${line}`;
        // The recorder is attached before session.start is emitted, so the shell's first prints may precede it.
        if (current !== null && current.fromFile && !sessions.some((s) => s.sid === sid)) { current.sid = sid; current.fromFile = false; }
        else if (current === null || current.sid !== sid) current = sessions.find((s) => s.sid === sid) ?? newSession(sid, line, false);
        current.user ??= str(ev.user);
        current.login ??= str(ev.login);
        const addr = str(ev['addr.remote']);
        if (current.clientAddress === null && addr !== null) current.clientAddress = stripPort(addr);
        current.host ??= str(ev.server_hostname) ?? str(ev.server_addr);
        current.recordingMode ??= str(ev.session_recording);
        current.startUs ??= timeOf(ev.time);
        continue;
      }
      if (type === 'print') {
        const sid = str(ev.sid);
        const owner = sid !== null ? sessions.find((s) => s.sid === sid) : undefined;
        const s = owner ?? current ?? (current = newSession(stem, line, true));
        const ms = int(ev.ms);
        const bytes = int(ev.bytes);
        if (ms === null || bytes === null) { ctx.reject(line, 'print_invalid', `"ms" and "bytes" must be non-negative integers (ms=${String(ev.ms)}, bytes=${String(ev.bytes)})`); continue; }
        if (s.anchorUs === null) {
          const t = timeOf(ev.time);
          s.anchorUs = t !== null ? t - ms * 1000 : s.startUs;
          if (s.anchorUs === null) { ctx.reject(line, 'time_unparseable', `print without a usable "time" (${String(ev.time).slice(0, 40)}) and no session.start time`); continue; }
        }
        if (ms < s.lastMs) { ctx.reject(line, 'print_out_of_order', `ms ${ms} after ${s.lastMs}`); continue; }
        s.lastMs = ms;
        const ei = int(ev.ei);
        s.prints.push({ timeUs: s.anchorUs + ms * 1000, type: 'o', data: null, length: bytes, line, ...(ei !== null ? { sourceId: `ei=${ei}` } : {}) });
        continue;
      }
      if (type === 'session.join' && current !== null) current.joins++;
      else others++;
    }
    if (records === 0) throw inputError('empty input: no Teleport events', ctx.file);

    // Always server side: the node (or the proxy) writes the recording; a client-side Teleport recording does not exist.
    const forced = ctx.options.recordedAt?.trim().toLowerCase();
    if (forced === 'client') ctx.note('--recorded-at client ignored: Teleport records on the node or the proxy, never on the client');
    const side = { side: 'server' as const, why: forced === 'server' ? '--recorded-at' : 'Teleport records on the node, or on the proxy in proxy mode' };
    ctx.note(`Teleport recordings hold server-side OUTPUT only (print events with byte counts, no keystrokes, no output text): a print of 1..${ECHO_MAX_BYTES} bytes is taken as the echo of one key, so keystroke_interval and reaction are derived from echoes; no app_rtt`);
    for (const s of sessions) {
      if (s.prints.length === 0) {
        ctx.note(`session ${s.sid}: no print events (an audit log holds session.start/end only; export the recording with tsh play --format=json)`);
        continue;
      }
      const who = recordingAccount(ctx, s.user, stem);
      if (s.fromFile) ctx.note(`no session.start before line ${s.firstLine}: account ${who.account} from ${who.source}${who.source === '--account-name' ? '' : ' (--account-name overrides)'}`);
      const parts = [`session ${s.sid}`];
      if (s.user !== null) parts.push(`Teleport user ${s.user}${s.login !== null ? `, login ${s.login}` : ''}`);
      if (s.clientAddress !== null) parts.push(`client ${s.clientAddress} (addr.remote)`);
      if (s.host !== null) parts.push(`node ${s.host}`);
      if (s.recordingMode !== null) parts.push(`recorded at ${s.recordingMode}`);
      if (s.joins > 0) parts.push(`${s.joins} session.join: keys of joined users cannot be told apart`);
      ctx.note(parts.join('; '));
      const stats = deriveRecording(echoesAsKeystrokes(s.prints), {
        account: who.account, session: s.sid, side: side.side, ctx, sourcePrefix: stem,
        ...(s.clientAddress !== null ? { clientAddress: s.clientAddress } : {}),
      });
      noteRecording(ctx, side, who, stats);
    }
    if (others > 0) ctx.note(`${others} event(s) of other types (session.end, resize, ...) not used`);
    return {
      records,
      dialect: `Teleport session events (${array ? 'JSON array, tsh play --format=json' : 'JSON lines'}; ${sessions.length} session(s))`,
      timeFormats: ['print ms since the first print, anchored at its RFC 3339 time'],
    };
  },
};
