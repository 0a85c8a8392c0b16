// asciinema recordings (issue 9, preset 4): asciicast v2 and v3.
// Formats: https://docs.asciinema.org/manual/asciicast/v2/ and https://docs.asciinema.org/manual/asciicast/v3/
//  v2: a header line {"version": 2, "width", "height", "timestamp" (unix s), "command"?, "title"?, "env"?},
//      then one event per line [time, code, data], time in seconds since the start.
//  v3: a header line {"version": 3, "term": {"cols", "rows", ...}, "timestamp"?, "command"?, ...}, then
//      events [interval, code, data] with the interval since the previous event; lines starting with `#`
//      are comments. Codes: "o" output, "i" input (recorded with `asciinema rec --stdin`), "r" resize,
//      "m" marker, "x" exit (v3).
// Side of the network: --recorded-at, else the header: a command or title running ssh/mosh/telnet means
// a client-side recording; SSH_CONNECTION/SSH_CLIENT in the recorded env means a shell under sshd
// (server side). Account: --account-name, else the file name (the format has no user field).
import type { AdapterResult, InputAdapter } from '../adapter.js';
import { inputError } from '../../errors.js';
import { firstLine, stemOf, textLines } from './export-util.js';
import { deriveRecording, noteRecording, recordingAccount, recordingSide, type RecordingSide, type TermEvent } from '../derive/recording.js';

function headerOf(line: string): Record<string, unknown> | null {
  try {
    const h = JSON.parse(line) as unknown;
    if (h === null || typeof h !== 'object' || Array.isArray(h)) return null;
    const v = (h as Record<string, unknown>).version;
    return v === 2 || v === 3 ? (h as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function sideHint(command: string, env: Record<string, unknown>): { side: RecordingSide; why: string } {
  if (/(^|[\s/])(ssh|mosh|telnet|autossh)(\s|$)/.test(command)) return { side: 'client', why: `the recorded command runs '${command.slice(0, 60)}'` };
  if ('SSH_CONNECTION' in env || 'SSH_CLIENT' in env || 'SSH_TTY' in env) return { side: 'server', why: 'the recorded environment has SSH_CONNECTION (a shell under sshd)' };
  return { side: 'unknown', why: 'no hint in the recording (give --recorded-at client|server)' };
}

export const asciicastAdapter: InputAdapter = {
  name: 'asciicast',
  description: 'asciinema recording (asciicast v2 or v3, with input events from `asciinema rec --stdin`): keystroke_interval; app_rtt (client side) or reaction (server side)',
  example: '{"version": 2, "width": 80, "height": 24, "timestamp": 1740475165, "command": "ssh build01"}\n[0.512, "i", "l"]\n[0.584, "o", "l"]',
  detect(head) {
    const h = headerOf(firstLine(head));
    return h !== null && ('width' in h || 'term' in h || 'timestamp' in h) ? 0.95 : 0;
  },
  async read(chunks, ctx): Promise<AdapterResult> {
    let header: Record<string, unknown> | null = null;
    let version = 0;
    let startUs = 0;
    let clock = 0;
    let lastTime = -Infinity;
    let records = 0;
    const events: TermEvent[] = [];
    for await (const { text, line } of textLines(chunks, ctx)) {
      if (header === null) {
        if (text.trim() === '') continue;
        header = headerOf(text);
        if (header === null) throw inputError('not an asciicast header (a JSON object with "version": 2 or 3)', ctx.file, line);
        version = header.version as number;
        const ts = header.timestamp;
        if (typeof ts !== 'number' || !Number.isFinite(ts)) {
          throw inputError('asciicast header without "timestamp": the recording cannot be placed in time', ctx.file, line);
        }
        startUs = Math.round(ts * 1e6);
        continue;
      }
      if (text.trim() === '' || (version === 3 && text.startsWith('#'))) continue;
      records++;
      let ev: unknown;
      try { ev = JSON.parse(text); } catch { ctx.reject(line, 'event_invalid', text.slice(0, 80)); continue; }
      if (!Array.isArray(ev) || ev.length < 3 || typeof ev[0] !== 'number' || typeof ev[1] !== 'string' || !Number.isFinite(ev[0]) || ev[0] < 0) {
        ctx.reject(line, 'event_invalid', text.slice(0, 80));
        continue;
      }
      const t = version === 2 ? ev[0] : (clock += ev[0]);
      if (version === 2 && t < lastTime) { ctx.reject(line, 'event_out_of_order', `time ${t} s after ${lastTime} s`); continue; }
      lastTime = t;
      const code = ev[1];
      if (code !== 'i' && code !== 'o') continue;
      const data = typeof ev[2] === 'string' ? ev[2] : String(ev[2]);
      events.push({ timeUs: startUs + Math.round(t * 1e6), type: code, data, length: Buffer.byteLength(data), line });
    }
    if (header === null) throw inputError('empty input: no asciicast header', ctx.file);
    const env = (header.env && typeof header.env === 'object' ? header.env : {}) as Record<string, unknown>;
    const command = typeof header.command === 'string' ? header.command : typeof header.title === 'string' ? header.title : '';
    const side = recordingSide(ctx, sideHint(command, env));
    const stem = stemOf(ctx.file === '-' ? 'stdin' : ctx.file);
    const who = recordingAccount(ctx, null, stem);
    const inputs = events.filter((e) => e.type === 'i').length;
    if (inputs === 0) ctx.note('no input events: record with `asciinema rec --stdin` to capture keystrokes');
    const stats = deriveRecording(events, { account: who.account, session: `${stem}@${new Date(startUs / 1000).toISOString()}`, side: side.side, ctx, sourcePrefix: stem });
    noteRecording(ctx, side, who, stats);
    return { records, dialect: `asciicast v${version}`, timeFormats: [`header timestamp (unix seconds) + ${version === 2 ? 'event times' : 'event intervals'}`] };
  },
};
