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

/** One recorded session of a log: `script -a` appends a session to the log each time it runs. */
interface LogSection { data: Buffer; startUs: number | null; startText: string; line: number }
interface ScriptLog { file: string; sections: LogSection[] }

const STARTED_RE = /^Script started on (\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:[+-]\d{2}:?\d{2})?)/;
const DONE = Buffer.from('\nScript done on ');
const STARTED = Buffer.from('Script started on ');

/**
 * The sessions of a log. util-linux writes `Script started on <time> [...]` before a session's bytes
 * and `\nScript done on <time> [...]` after them; `script -a` (append) adds the next session after
 * that, while it truncates the timing file, which then covers the last session only. A new section
 * starts only where a `Script started on` line follows a `Script done on` line, so a session's own
 * output (a typescript shown with cat) does not split it.
 */
function logSections(all: Buffer): LogSection[] {
  const sections: LogSection[] = [];
  let headerAt = 0;
  let line = 1;
  let counted = 0;
  const lineAt = (at: number): number => { // `at` only grows: each byte is counted once
    for (let i = all.indexOf(10, counted); i >= 0 && i < at; i = all.indexOf(10, i + 1)) line++;
    counted = at;
    return line;
  };
  for (;;) {
    const nl = all.indexOf(10, headerAt);
    const header = all.subarray(headerAt, nl < 0 ? all.length : nl).toString('utf8');
    const m = STARTED_RE.exec(header);
    const dataStart = nl < 0 ? all.length : nl + 1;
    const section: LogSection = { data: all.subarray(dataStart), startUs: m ? parseTimestamp(m[1]!)?.timeUs ?? null : null, startText: m?.[1] ?? '', line: lineAt(headerAt) };
    sections.push(section);
    let next = -1;
    for (let done = all.indexOf(DONE, dataStart); done >= 0; done = all.indexOf(DONE, done + 1)) {
      const end = all.indexOf(10, done + 1);
      if (end < 0) { section.data = all.subarray(dataStart, done); break; }
      if (end + 1 >= all.length) { section.data = all.subarray(dataStart, done); break; }
      if (all.subarray(end + 1, end + 1 + STARTED.length).equals(STARTED)) { section.data = all.subarray(dataStart, done); next = end + 1; break; }
    }
    if (next < 0) return sections;
    headerAt = next;
  }
}

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
    const sections = logSections(Buffer.concat(parts));
    let logs = ctx.side.get<Map<string, ScriptLog>>(SCRIPT_LOGS_KEY);
    if (!logs) { logs = new Map(); ctx.side.set(SCRIPT_LOGS_KEY, logs); }
    logs.set(baseName(ctx.file), { file: ctx.file, sections });
    const bytes = sections.reduce((sum, x) => sum + x.data.length, 0);
    ctx.note(sections.length === 1
      ? `script log: ${bytes} data byte(s) for the timing file that names ${baseName(ctx.file)}`
      : `script log: ${sections.length} sessions appended (script -a; started ${sections.map((x) => `${x.startText} at line ${x.line}`).join(', ')}), ${bytes} data byte(s), for the timing file that names ${baseName(ctx.file)}: the session starting at its START_TIME is read`);
    return { records: sections.length, dialect: 'script log (side file)', timeFormats: [] };
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
    const start = headers.get('START_TIME');
    const ownStart = start ? parseTimestamp(start) : null;
    const ownStartUs = ownStart?.timeUs ?? null;
    // A log of sessions appended by `script -a`: the section that starts at this file's START_TIME.
    const sectionOf = (log: ScriptLog | undefined): LogSection | undefined => {
      if (log === undefined) return undefined;
      if (log.sections.length === 1) return log.sections[0];
      const matching = ownStartUs === null ? [] : log.sections.filter((x) => x.startUs === ownStartUs);
      if (matching.length === 1) {
        ctx.note(`${log.file} holds ${log.sections.length} sessions appended (script -a); this timing file's START_TIME ${start} is the session at its line ${matching[0]!.line}, read from there`);
        return matching[0];
      }
      ctx.note(`${log.file} holds ${log.sections.length} sessions appended (script -a) and ${matching.length === 0 ? 'none' : `${matching.length}`} of them start${matching.length <= 1 ? 's' : ''} at this timing file's START_TIME${start ? ` (${start})` : ' (none given)'}: its bytes are not used`);
      return undefined;
    };
    const outLog = outName ? sectionOf(logs?.get(baseName(outName))) : undefined;
    const inLog = inName ? (inName === outName ? outLog : sectionOf(logs?.get(baseName(inName)))) : undefined;
    const logFile = (name: string | undefined): string => logs?.get(baseName(name ?? ''))?.file ?? '';
    const startUs = ownStartUs ?? outLog?.startUs ?? inLog?.startUs ?? null;
    if (startUs === null || startUs === undefined) throw inputError('no START_TIME header and no script log with a start time: the recording cannot be placed in time', ctx.file);
    // Bytes: one cursor per log file (--log-io: one file for both streams, in timing order).
    const cursors = new Map<LogSection, number>();
    const take = (log: LogSection | undefined, n: number): string | null => {
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
    const logGiven = outName !== undefined && logs?.has(baseName(outName)) === true;
    ctx.note(withBytes ? `bytes from ${logFile(outName)}${inLog && inLog !== outLog ? ` and ${logFile(inName)}` : ''}`
      : logGiven ? 'echoes matched by byte counts and order only'
      : `no log file with the bytes in this run${outName ? ` (${outName})` : ''}: echoes matched by byte counts and order only`);
    const side = recordingSide(ctx, sideHint(headers.get('COMMAND') ?? '', {}));
    const stem = stemOf(ctx.file === '-' ? 'stdin' : ctx.file);
    const who = recordingAccount(ctx, null, stem);
    if (!events.some((e) => e.type === 'i')) ctx.note('no input entries: record with --log-io or --log-in to capture keystrokes');
    const stats = deriveRecording(events, { account: who.account, session: `${stem}@${new Date(startUs / 1000).toISOString()}`, side: side.side, ctx, sourcePrefix: stem });
    noteRecording(ctx, side, who, stats);
    // A START_TIME without its offset (util-linux writes one; a hand-made or converted header may
    // not) is read as UTC: its format goes with the input's, so that the header warns of it.
    const startFormat = ownStart !== null && ownStartUs === startUs && ownStart.format.endsWith('-no-offset') ? [ownStart.format] : [];
    return { records, dialect: 'script advanced timing', timeFormats: ['START_TIME header + entry delays', ...startFormat] };
  },
};
