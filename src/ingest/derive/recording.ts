// Terminal recordings -> samples (issue 9, preset 4; DESIGN section 2). Shared by the asciicast and
// script-timing adapters: each turns its file into input/output events with absolute times.
//
//  keystroke_interval  gap between consecutive keystrokes (single-key input events) up to 5 s; longer
//                      gaps are pauses, not typing rhythm. Either side of the network.
//  app_rtt             keystroke to its echo, client-side recordings only (`asciinema rec -c "ssh host"`):
//                      the echo crosses the whole path to the shell and back. Echoes are matched to
//                      keystrokes in order (someone typing faster than the round trip has several keys
//                      in flight); a key not echoed within 2 s (a password, a control key, a full-screen
//                      program) is dropped and counted, never matched to later output.
//  reaction            end of an output burst (more than the echo of the previous key) to the next
//                      keystroke, when the gap is 0.2..10 s. Server-side recordings only: it is the round
//                      trip plus a human's reaction time, to be compared with peers, never read as a round trip.
// An input event of up to 8 characters is that many keys (a network may bunch keys typed in quick
// succession: their intervals are then 0, which is itself evidence, DESIGN 3 signal 6); a longer one is a
// paste, and an escape sequence (arrows, function keys) is no typing: both reset the echo queue and break
// the keystroke-interval chain.
import type { AdapterContext, RawSample } from '../adapter.js';

export type RecordingSide = 'client' | 'server' | 'unknown';

export interface TermEvent {
  timeUs: number;
  type: 'i' | 'o';
  /** Text of the event; null when only its length is known (script timing without its log). */
  data: string | null;
  length: number;
  line: number;
  /** Keys an input event of unknown content stands for (default: its length, one key per byte). */
  keys?: number;
  /** The source's own identifier of the event (Teleport's `ei`); default `<sourcePrefix>:<line>`. */
  sourceId?: string;
}

export const KEYSTROKE_GAP_MAX_MS = 5000;
export const ECHO_WAIT_MAX_MS = 2000;
export const REACTION_MIN_MS = 200;
export const REACTION_MAX_MS = 10_000;

export interface DeriveStats {
  keystrokes: number;
  echoes: number;
  unechoed: number;
  reactions: number;
  intervals: number;
}

const ANSI_RE = /\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[()][0-9A-Za-z]|[=>NOM78c])|[\x07\x0e\x0f]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI_RE, '');
}

/** What a key's echo starts with: printable keys echo themselves, Enter echoes CR, Backspace/DEL a BS. */
function echoOf(key: string): string | null {
  if (key === '\r' || key === '\n') return '\r';
  if (key === '\x7f' || key === '\b') return '\b';
  if (key.length === 1 && key >= ' ') return key;
  if (key.length === 2 && key.codePointAt(0)! > 0xffff) return key; // astral character
  return null;
}

/** Most keys one input event may carry and still be typing (keys that a network bunched together). */
export const MAX_KEYS_PER_EVENT = 8;

/**
 * The keys of an input event, or null when it is not typing: an escape sequence (arrows, function
 * keys) or a paste (more than MAX_KEYS_PER_EVENT characters). Unknown content: one wildcard per byte.
 */
function keysOf(ev: TermEvent): (string | null)[] | null {
  if (ev.data === null) {
    const n = ev.keys ?? ev.length;
    return n >= 1 && n <= MAX_KEYS_PER_EVENT ? Array.from({ length: n }, () => null) : null;
  }
  if (ev.data.startsWith('\x1b')) return null;
  const chars = [...ev.data.replace(/\r\n/g, '\r')];
  return chars.length >= 1 && chars.length <= MAX_KEYS_PER_EVENT ? chars : null;
}

export interface DeriveTarget {
  account: string;
  session: string;
  side: RecordingSide;
  ctx: AdapterContext;
  /** Prefix of sourceId, e.g. the recording's file stem. */
  sourcePrefix: string;
  /** Client address as the recording states it (Teleport's `addr.remote`), kept on every sample. */
  clientAddress?: string;
}

export function deriveRecording(events: TermEvent[], target: DeriveTarget): DeriveStats {
  const { ctx, account, session, side } = target;
  const stats: DeriveStats = { keystrokes: 0, echoes: 0, unechoed: 0, reactions: 0, intervals: 0 };
  const emit = (kind: 'app_rtt' | 'keystroke_interval' | 'reaction', fromUs: number, ev: TermEvent) => {
    const ms = (ev.timeUs - fromUs) / 1000;
    if (!(ms >= 0)) return;
    const sample: RawSample = { account, session, timeUs: ev.timeUs, kind, valueMs: Math.round(ms * 1000) / 1000, line: ev.line, sourceId: ev.sourceId ?? `${target.sourcePrefix}:${ev.line}` };
    if (target.clientAddress !== undefined) sample.clientAddress = target.clientAddress;
    ctx.emit(sample);
  };
  const pending: { echo: string | null; timeUs: number }[] = [];
  let lastKey: TermEvent | null = null;
  let lastInput: TermEvent | null = null;
  let outSinceInput = 0;
  let lastOutUs: number | null = null;

  for (const ev of events) {
    if (ev.type === 'o') {
      outSinceInput += ev.length;
      lastOutUs = ev.timeUs;
      if (side !== 'client' || pending.length === 0) continue;
      while (pending.length > 0 && ev.timeUs - pending[0]!.timeUs > ECHO_WAIT_MAX_MS * 1000) { pending.shift(); stats.unechoed++; }
      if (ev.data === null) {
        // Content unknown: one output byte can answer one pending key.
        for (let k = 0; k < ev.length && pending.length > 0; k++) {
          const key = pending.shift()!;
          emit('app_rtt', key.timeUs, ev);
          stats.echoes++;
        }
        continue;
      }
      for (const ch of stripAnsi(ev.data)) {
        const head = pending[0];
        if (head === undefined) break;
        if (head.echo !== null && head.echo !== ch) break;
        pending.shift();
        emit('app_rtt', head.timeUs, ev);
        stats.echoes++;
      }
      continue;
    }
    // input
    const keys = keysOf(ev);
    if (side === 'server' && keys !== null && lastInput !== null && lastOutUs !== null && lastOutUs > lastInput.timeUs
      && outSinceInput > lastInput.length + 2) {
      const gapMs = (ev.timeUs - lastOutUs) / 1000;
      if (gapMs >= REACTION_MIN_MS && gapMs <= REACTION_MAX_MS) {
        emit('reaction', lastOutUs, ev);
        stats.reactions++;
      }
    }
    if (keys !== null) {
      for (const key of keys) {
        stats.keystrokes++;
        if (lastKey !== null && (ev.timeUs - lastKey.timeUs) <= KEYSTROKE_GAP_MAX_MS * 1000) {
          emit('keystroke_interval', lastKey.timeUs, ev);
          stats.intervals++;
        }
        lastKey = ev;
        if (side === 'client') {
          const echo = key === null ? null : echoOf(key);
          if (key === null || echo !== null) pending.push({ echo, timeUs: ev.timeUs });
        }
      }
    } else {
      lastKey = null;
      stats.unechoed += pending.length;
      pending.length = 0;
    }
    lastInput = ev;
    outSinceInput = 0;
  }
  stats.unechoed += pending.length;
  return stats;
}

/** The account of a recording and where it came from: --account-name, the format's user field, the file name. */
export function recordingAccount(ctx: AdapterContext, fromFormat: string | null, fileStem: string): { account: string; source: string } {
  const forced = ctx.options.accountName;
  if (forced !== undefined && forced.trim() !== '') return { account: forced.trim(), source: '--account-name' };
  if (fromFormat !== null && fromFormat.trim() !== '') return { account: fromFormat.trim(), source: "the recording's user field" };
  return { account: fileStem, source: `the file name (${fileStem})` };
}

/** Recording side: --recorded-at wins, else the format's hint, else unknown. */
export function recordingSide(ctx: AdapterContext, hint: { side: RecordingSide; why: string }): { side: RecordingSide; why: string } {
  const v = ctx.options.recordedAt?.trim().toLowerCase();
  if (v === 'client' || v === 'server') return { side: v, why: '--recorded-at' };
  return hint;
}

export function noteRecording(ctx: AdapterContext, side: { side: RecordingSide; why: string }, who: { account: string; source: string }, stats: DeriveStats): void {
  ctx.note(`recording side: ${side.side} (${side.why})`);
  ctx.note(`account ${who.account}, from ${who.source}`);
  const derived = [`${stats.intervals} keystroke_interval`];
  if (side.side === 'client') derived.push(`${stats.echoes} app_rtt (keystroke to echo; ${stats.unechoed} key(s) without an echo within ${ECHO_WAIT_MAX_MS / 1000} s dropped)`);
  if (side.side === 'server') derived.push(`${stats.reactions} reaction`);
  if (side.side === 'unknown') derived.push('no app_rtt or reaction: give --recorded-at client|server');
  ctx.note(`${stats.keystrokes} keystroke(s): ${derived.join(', ')}`);
}

/** Most bytes a print may carry and still be the echo of one key: a UTF-8 character, Enter's CR LF, readline's `\b\x1b[K`. */
export const ECHO_MAX_BYTES = 4;

/** Echo of one key when the content is known: one printable character, CR LF, or a backspace that erases. */
function isEchoText(data: string): boolean {
  const text = stripAnsi(data);
  if (text === '\r\n' || text === '\r' || text === '\n') return true;
  if (/^\x08( \x08)?$/.test(text)) return true; // BS, or BS SP BS
  const chars = [...text];
  return chars.length === 1 && chars[0]! >= ' ' && chars[0] !== '\x7f';
}

/**
 * Output-only recordings made on the server (Teleport's print events): the echo of a key is the only trace
 * of the key. Every small print (1..ECHO_MAX_BYTES bytes; with known content, the echo of one key) is taken
 * as one key that reached the server just before its echo: an input event of one key (and of the echo's
 * length, so that the echo is not taken for an output burst) at the echo's time is put in front of it.
 * deriveRecording on side 'server' then gives keystroke_interval between consecutive echoes and reaction
 * from the end of an output burst to the next echo after an idle gap; app_rtt is impossible (a key has no
 * time apart from its echo's). Programs that print single characters on their own (spinners, full-screen
 * editors) add false keys; an Enter whose echo shares a print with the command's output is not counted.
 */
export function echoesAsKeystrokes(outputs: readonly TermEvent[]): TermEvent[] {
  const out: TermEvent[] = [];
  for (const ev of outputs) {
    const echo = ev.type === 'o' && ev.length >= 1 && ev.length <= ECHO_MAX_BYTES && (ev.data === null || isEchoText(ev.data));
    if (echo) out.push({ ...ev, type: 'i', data: null, keys: 1 });
    out.push(ev);
  }
  return out;
}
