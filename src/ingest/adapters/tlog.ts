// tlog recordings (issue 9, preset 4). Format: tlog's JSON log messages (tlog-rec(8), "Log format"
// in https://github.com/Scribery/tlog/blob/main/README.md), one message per line from the file writer
// (or per journal/syslog entry, exported as JSON lines):
//   {"ver":"2.3","host":"srv","rec":"<recording id>","user":"alice","term":"xterm","session":7,"id":1,
//    "pos":0,"time":1740475165.845,"timing":"=80x24<1+120>1","in_txt":"l","in_bin":[],"out_txt":"l","out_bin":[]}
// `pos` is the message's start in ms since the recording began; `timing` lists, in order, window sizes
// (=WxH), input text (<N characters of in_txt), input binary ([N bytes of in_bin), output text (>N of
// out_txt), output binary (]N of out_bin) and delays (+N ms).
// tlog records the login shell on the server (it is configured as the user's shell or by SSSD), so a
// recording is server side unless --recorded-at says otherwise; the account is the message's `user`.
import type { AdapterResult, InputAdapter } from '../adapter.js';
import { inputError } from '../../errors.js';
import { firstLine, textLines } from './export-util.js';
import { deriveRecording, noteRecording, recordingAccount, recordingSide, type TermEvent } from '../derive/recording.js';

interface Rec { user: string | null; host: string; events: TermEvent[]; startUs: number | null; lastPos: number }

const TIMING_RE = /([=<>[\]+])(\d+)(?:x\d+)?/g;

/** A tlog message as tlog-rec writes it (a JSON object with its version, timing and text). */
function isTlogMessage(text: string): boolean {
  return /^\{/.test(text) && /"ver"\s*:/.test(text) && /"timing"\s*:/.test(text) && /"(rec|session)"\s*:/.test(text) && /"(in|out)_txt"\s*:/.test(text);
}

/** `journalctl -o json` entry or a syslog line (`Nov 25 13:22:43 host tlog-rec-session[4242]: {...}`). */
const SYSLOG_TLOG_RE = /^[^{]*\btlog-rec[\w-]*(?:\[\d+\])?:\s*(\{.*\})\s*$/;

/** How the file's first line wraps tlog messages, or null when it is a message itself (or none). */
function wrapperOf(line: string): 'journal' | 'syslog' | null {
  if (messageOf(line, 'syslog') !== null) return 'syslog';
  const journalEntry = /^\{/.test(line) && /"MESSAGE"\s*:/.test(line) && /"__(?:CURSOR|REALTIME_TIMESTAMP)"\s*:/.test(line);
  return journalEntry && messageOf(line, 'journal') !== null ? 'journal' : null;
}

/** The tlog message a journal entry or syslog line carries; null for another program's. */
function messageOf(line: string, wrapper: 'journal' | 'syslog'): string | null {
  if (wrapper === 'syslog') {
    const m = SYSLOG_TLOG_RE.exec(line);
    return m !== null && isTlogMessage(m[1]!) ? m[1]! : null;
  }
  try {
    const entry = JSON.parse(line) as { MESSAGE?: unknown };
    return typeof entry.MESSAGE === 'string' && isTlogMessage(entry.MESSAGE) ? entry.MESSAGE : null;
  } catch { return null; }
}

export const tlogAdapter: InputAdapter = {
  name: 'tlog',
  description: 'tlog recording (JSON messages from tlog-rec, file or journal export, with --log-input): keystroke_interval and reaction (server side); account from the user field',
  example: '{"ver":"2.3","host":"srv","rec":"b380...","user":"alice","term":"xterm","session":7,"id":1,"pos":0,"time":1740475165.845,"timing":"<1+31>1","in_txt":"l","in_bin":[],"out_txt":"l","out_bin":[]}',
  detect(head) {
    const line = firstLine(head);
    if (isTlogMessage(line)) return 0.95;
    // The same messages as the journal exports them (`journalctl -o json`: the message in MESSAGE) or
    // as syslog writes them (`... tlog-rec-session[4242]: {...}`).
    return wrapperOf(line) !== null ? 0.9 : 0;
  },
  async read(chunks, ctx): Promise<AdapterResult> {
    const recs = new Map<string, Rec>();
    let records = 0;
    let wrapper: 'journal' | 'syslog' | null | undefined;
    let notTlog = 0;
    for await (const { text: lineText, line } of textLines(chunks, ctx)) {
      if (lineText.trim() === '') continue;
      wrapper ??= wrapperOf(lineText);
      let text = lineText;
      if (wrapper !== null) {
        const message = messageOf(lineText, wrapper);
        // Other programs' entries in the same journal or log: counted in a note, not rejections.
        if (message === null) { notTlog++; continue; }
        text = message;
      }
      records++;
      let m: Record<string, unknown>;
      try {
        const v = JSON.parse(text) as unknown;
        if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
        m = v as Record<string, unknown>;
      } catch { ctx.reject(line, 'message_invalid', text.slice(0, 80)); continue; }
      const timing = typeof m.timing === 'string' ? m.timing : null;
      const pos = typeof m.pos === 'number' ? m.pos : null;
      const time = typeof m.time === 'number' ? m.time : null;
      if (timing === null || pos === null || pos < 0) { ctx.reject(line, 'message_invalid', 'no timing or pos'); continue; }
      const key = `${String(m.host ?? '')}\u0000${String(m.rec ?? m.session ?? '')}`;
      let rec = recs.get(key);
      if (!rec) {
        rec = { user: typeof m.user === 'string' ? m.user : null, host: String(m.host ?? ''), events: [], startUs: null, lastPos: -1 };
        recs.set(key, rec);
      }
      if (rec.startUs === null) {
        if (time === null) { ctx.reject(line, 'message_invalid', 'no time: the recording cannot be placed in time'); continue; }
        rec.startUs = Math.round(time * 1e6) - pos * 1000;
      }
      if (pos < rec.lastPos) { ctx.reject(line, 'message_out_of_order', `pos ${pos} after ${rec.lastPos}`); continue; }
      rec.lastPos = pos;
      const inTxt = [...String(m.in_txt ?? '')];
      const outTxt = [...String(m.out_txt ?? '')];
      let clockMs = pos;
      let iIn = 0, iOut = 0;
      for (const t of timing.matchAll(TIMING_RE)) {
        const n = Number(t[2]);
        const at = rec.startUs + Math.round(clockMs * 1000);
        switch (t[1]) {
          case '+': clockMs += n; break;
          case '<': rec.events.push({ timeUs: at, type: 'i', data: inTxt.slice(iIn, iIn + n).join(''), length: n, line }); iIn += n; break;
          case '>': rec.events.push({ timeUs: at, type: 'o', data: outTxt.slice(iOut, iOut + n).join(''), length: n, line }); iOut += n; break;
          case '[': rec.events.push({ timeUs: at, type: 'i', data: null, length: n, line }); break;
          case ']': rec.events.push({ timeUs: at, type: 'o', data: null, length: n, line }); break;
          default: break; // window size
        }
      }
      if (iIn > inTxt.length || iOut > outTxt.length) ctx.reject(line, 'message_invalid', 'timing names more text than the message carries');
    }
    if (wrapper === 'journal') ctx.note(`journal export: tlog messages read from MESSAGE${notTlog > 0 ? `; ${notTlog} entr${notTlog === 1 ? 'y' : 'ies'} of other programs skipped` : ''}`);
    if (wrapper === 'syslog') ctx.note(`syslog lines: tlog messages read after their prefix${notTlog > 0 ? `; ${notTlog} line${notTlog === 1 ? '' : 's'} of other programs skipped` : ''}`);
    if (records === 0) throw inputError('empty input: no tlog messages', ctx.file);
    for (const [key, rec] of recs) {
      const side = recordingSide(ctx, { side: 'server', why: 'tlog records the login shell on the server' });
      const who = recordingAccount(ctx, rec.user, rec.host || 'tlog');
      if (!rec.events.some((e) => e.type === 'i')) ctx.note('no input in the messages: record with tlog-rec --log-input (log input is off by default)');
      const stats = deriveRecording(rec.events, { account: who.account, session: `${rec.host}/${key.split('\u0000')[1]}`, side: side.side, ctx, sourcePrefix: `tlog` });
      noteRecording(ctx, side, who, stats);
    }
    return { records, dialect: `tlog JSON (${recs.size} recording(s))`, timeFormats: ['message time (unix s) + pos (ms) + timing delays'] };
  },
};
