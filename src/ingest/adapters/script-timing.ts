// util-linux `script` recordings (issue 9, preset 4). Format: script(1) and scriptreplay(1) of util-linux
// (https://man7.org/linux/man-pages/man1/script.1.html, "--log-timing"):
//  - classic timing (`script -t` / `-T FILE` alone): lines `<delay> <bytes>`, output only;
//  - advanced timing (`--log-io`, `--log-in` or `--log-out` with `--log-timing`): lines `<type> <delay> ...`
//    where the delay is seconds since the previous entry and type is I (input bytes), O (output bytes),
//    S (signal, e.g. SIGWINCH), H (header: START_TIME anchors wall time, COMMAND, TIMING_LOG, OUTPUT_LOG,
//    INPUT_LOG, DURATION, EXIT_CODE).
// The bytes themselves are in the log file (`Script started on ...` then the data, input and output
// interleaved in timing order for --log-io). Given in the same run, it is read first as a side file and
// matched by the name the timing file's OUTPUT_LOG/INPUT_LOG header gives; without it, only byte counts
// are known and echoes are matched by order alone.
// Side: --recorded-at, else the COMMAND header (ssh/mosh/telnet: client side). Account: --account-name,
// else the file name of the timing file (the format has no user field).
import type { AdapterResult, InputAdapter } from '../adapter.js';
import { inputError } from '../../errors.js';
import { parseTimestamp } from '../time.js';
import { firstLine, stemOf, textLines } from './export-util.js';
import { deriveRecording, noteRecording, recordingAccount, recordingSide, type TermEvent } from '../derive/recording.js';
import { sideHint } from './asciicast.js';

export const SCRIPT_LOGS_KEY = 'script.logs';

interface ScriptLog { data: Buffer; file: string; startUs: number | null }

function baseName(path: string): string {
  return (path.replace(/\\/g, '/').split('/').pop() ?? path).replace(/\.gz$/i, '');
}

const ADVANCED_RE = /^[HIOS] \d+\.\d+( |$)/;
const CLASSIC_RE = /^\d+\.\d+ \d+$/;

export const scriptLogAdapter: InputAdapter = {
  name: 'script-log',
  role: 'side',
  description: 'util-linux `script` log (typescript, or --log-io/--log-in/--log-out file): the bytes its timing file points to',
  example: 'Script started on 2025-02-25 09:19:14+00:00 [COMMAND="ssh build01" TERM="xterm" ...]\n...',
  detect(head) {
    return /^Script started on \d{4}-\d{2}-\d{2}/.test(firstLine(head)) ? 0.9 : 0;
  },
  async read(chunks, ctx): Promise<AdapterResult> {
    const parts: Buffer[] = [];
    let size = 0;
    for await (const c of chunks) {
      size += c.length;
      if (size > 1024 ** 3) throw inputError('script log larger than 1 GiB', ctx.file);
      parts.push(c);
    }
    const all = Buffer.concat(parts);
    const nl = all.indexOf(10);
    const first = all.subarray(0, nl < 0 ? all.length : nl).toString('utf8');
    const m = /^Script started on (\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:[+-]\d{2}:?\d{2})?)/.exec(first);
    const startUs = m ? parseTimestamp(m[1]!)?.timeUs ?? null : null;
    let logs = ctx.side.get<Map<string, ScriptLog>>(SCRIPT_LOGS_KEY);
    if (!logs) { logs = new Map(); ctx.side.set(SCRIPT_LOGS_KEY, logs); }
    logs.set(baseName(ctx.file), { data: nl < 0 ? Buffer.alloc(0) : all.subarray(nl + 1), file: ctx.file, startUs });
    ctx.note(`script log: ${all.length - nl - 1} data byte(s) for the timing file that names ${baseName(ctx.file)}`);
    return { records: 1, dialect: 'script log (side file)', timeFormats: [] };
  },
};

export const scriptTimingAdapter: InputAdapter = {
  name: 'script-timing',
  description: 'util-linux `script` timing file (advanced: --log-io/--log-in with --log-timing; classic: output only), with its log file in the same run for the bytes: keystroke_interval; app_rtt (client side) or reaction (server side)',
  example: 'H 0.000000 START_TIME 2025-02-25 09:19:14+00:00\nH 0.000000 COMMAND ssh build01\nI 0.914536 1\nO 0.071638 1',
  detect(head) {
    const lines = head.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim() !== '').slice(0, 5);
    if (lines.length === 0) return 0;
    if (lines.every((l) => ADVANCED_RE.test(l))) return 0.9;
    if (lines.every((l) => CLASSIC_RE.test(l))) return 0.8;
    return 0;
  },
  async read(chunks, ctx): Promise<AdapterResult> {
    const headers = new Map<string, string>();
    const raw: { type: 'i' | 'o'; delayS: number; bytes: number; line: number }[] = [];
    let classic = 0;
    let records = 0;
    let advanced = false;
    for await (const { text, line } of textLines(chunks, ctx)) {
      if (text.trim() === '') continue;
      records++;
      const parts = text.split(' ');
      if (CLASSIC_RE.test(text)) { classic++; continue; }
      const [type, delay, ...rest] = parts;
      const delayS = Number(delay);
      if (!/^[HIOS]$/.test(type ?? '') || !Number.isFinite(delayS) || delayS < 0) { ctx.reject(line, 'timing_line_invalid', text.slice(0, 80)); continue; }
      advanced = true;
      if (type === 'H') { headers.set(rest[0] ?? '', rest.slice(1).join(' ')); raw.push({ type: 'o', delayS, bytes: -1, line }); continue; }
      if (type === 'S') { raw.push({ type: 'o', delayS, bytes: -1, line }); continue; }
      const bytes = Number(rest[0]);
      if (!Number.isInteger(bytes) || bytes < 0) { ctx.reject(line, 'timing_line_invalid', text.slice(0, 80)); continue; }
      raw.push({ type: type === 'I' ? 'i' : 'o', delayS, bytes, line });
    }
    if (records === 0) throw inputError('empty input: no timing lines', ctx.file);
    if (!advanced) {
      ctx.note(`classic timing file: ${classic} output chunk(s), no input recorded, so no keystrokes: record with script --log-io (or --log-in) and --log-timing`);
      return { records, dialect: 'script classic timing (output only)', timeFormats: [] };
    }
    const logs = ctx.side.get<Map<string, ScriptLog>>(SCRIPT_LOGS_KEY);
    const outName = headers.get('OUTPUT_LOG');
    const inName = headers.get('INPUT_LOG');
    const outLog = outName ? logs?.get(baseName(outName)) : undefined;
    const inLog = inName ? logs?.get(baseName(inName)) : undefined;
    const start = headers.get('START_TIME');
    const startUs = (start ? parseTimestamp(start)?.timeUs : undefined) ?? outLog?.startUs ?? inLog?.startUs ?? null;
    if (startUs === null || startUs === undefined) throw inputError('no START_TIME header and no script log with a start time: the recording cannot be placed in time', ctx.file);
    // Bytes: one cursor per log file (--log-io: one file for both streams, in timing order).
    const cursors = new Map<ScriptLog, number>();
    const take = (log: ScriptLog | undefined, n: number): string | null => {
      if (!log) return null;
      const at = cursors.get(log) ?? 0;
      cursors.set(log, at + n);
      if (at + n > log.data.length) return null;
      return log.data.subarray(at, at + n).toString('utf8');
    };
    let clock = 0;
    const events: TermEvent[] = [];
    for (const r of raw) {
      clock += r.delayS;
      if (r.bytes < 0) continue;
      const data = take(r.type === 'i' ? inLog : outLog, r.bytes);
      events.push({ timeUs: startUs + Math.round(clock * 1e6), type: r.type, data, length: r.bytes, line: r.line });
    }
    const withBytes = outLog !== undefined && (inName === undefined || inLog !== undefined);
    ctx.note(withBytes ? `bytes from ${outLog!.file}${inLog && inLog !== outLog ? ` and ${inLog.file}` : ''}` : `no log file with the bytes in this run${outName ? ` (${outName})` : ''}: echoes matched by byte counts and order only`);
    const side = recordingSide(ctx, sideHint(headers.get('COMMAND') ?? '', {}));
    const stem = stemOf(ctx.file === '-' ? 'stdin' : ctx.file);
    const who = recordingAccount(ctx, null, stem);
    if (!events.some((e) => e.type === 'i')) ctx.note('no input entries: record with --log-io or --log-in to capture keystrokes');
    const stats = deriveRecording(events, { account: who.account, session: `${stem}@${new Date(startUs / 1000).toISOString()}`, side: side.side, ctx, sourcePrefix: stem });
    noteRecording(ctx, side, who, stats);
    return { records, dialect: 'script advanced timing', timeFormats: ['START_TIME header + entry delays'] };
  },
};
