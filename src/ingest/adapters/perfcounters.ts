// Windows performance counter CSVs (issue 9, preset 2): typeperf, relog and Performance Monitor write
// PDH's CSV format. Layout (typeperf: https://learn.microsoft.com/windows-server/administration/windows-commands/typeperf,
// relog: https://learn.microsoft.com/windows-server/administration/windows-commands/relog):
//   "(PDH-CSV 4.0) (Pacific Standard Time)(480)","\\HOST\Object(Instance)\Counter",...
//   "02/25/2025 09:19:25.391","23.000000"," ",...
// typeperf -f TSV / relog -f TSV write the same, tab separated, with "(PDH-TSV 4.0)" in the header.
// The first header cell names the logging machine's time zone and its bias in minutes (Windows
// convention: UTC = local time + bias; Win32_TimeZone.Bias); the time column is that local time,
// month first, milliseconds. Every cell is quoted; a counter that was not sampled is a blank cell
// (`" "`), skipped, not rejected. typeperf writing to the console (or redirected) adds status lines
// after the data ("Exiting, please wait...", "The command completed successfully."): ignored.
//
// Counters read, all transport round trips (kind rtt, ms):
//   RemoteFX Network(<session>)\Current TCP RTT, \Current UDP RTT      (RDP; instance `RDP-Tcp 3`)
//   VMware Blast Session Counters(<session>)\RTT (also Horizon Blast)    (instance `session id: 3; (main)`)
//   PCoIP Session Network Statistics(<instance>)\Round Trip Latency ms  (instance `PCoIP Session`)
// Instances name sessions, not people: accounts come from a side file (sessions.ts).
// A round-trip counter reading 0 measured nothing (RemoteFX keeps Current UDP RTT at 0 while the
// session runs over TCP): such cells are rejected as `rtt_zero`, never taken as a 0 ms round trip.
import type { AdapterResult, InputAdapter } from '../adapter.js';
import type { Kind } from '../../types.js';
import { inputError } from '../../errors.js';
import { MIN_TIME_US, MAX_TIME_US } from '../time.js';
import { parseLatency } from './generic.js';
import { csvRecords, firstLine, parseSlashDate, peekHead, slashDateToUs } from './export-util.js';
import { hostsWithoutListing, lookupSession, SESSIONS_KEY, type SessionMap } from './sessions.js';
import { WallClock, WALL_AMBIGUOUS, WALL_NONEXISTENT } from '../zone.js';
import { ianaZoneOf } from '../../geo/timezones.js';

/**
 * The IANA zone of a PDH header's zone name: Windows' name of the zone (`Pacific Standard Time`, `GMT
 * Standard Time`, what the blog below saw during British summer time) or its daylight name (`W.
 * Europe Daylight Time`), through CLDR's table; null for a name it does not know (a Windows in
 * another language writes its own). The header's bias holds only at the log's start: PDH stamps each
 * sample with the machine's local time, which jumps an hour at a change of daylight time (a gap in
 * spring, the hour written twice in autumn: digitalflapjack.com/blog/2018/5/15/be-wary-of-timestamps-
 * for-windows-performance-data), so a log across a change needs the zone's rules, not the bias.
 */
function pdhZone(name: string): string | null {
  for (const candidate of [name, name.replace(/\bDaylight\b/, 'Standard')]) {
    const found = ianaZoneOf(candidate);
    if (found !== null && found.from !== 'offset') return found.zone;
  }
  return null;
}

const PDH_RE = /^\uFEFF?"?\(PDH-(CSV|TSV) 4\.0\) \(([^)]*)\)\((-?\d+)\)"?/;
const PATH_RE = /^\\\\([^\\]+)\\(.+?)\((.*)\)\\(.+)$/;

interface CounterSpec { object: RegExp; counter: RegExp; kind: Kind; label: string }

const COUNTERS: CounterSpec[] = [
  { object: /^RemoteFX Network$/i, counter: /^Current (TCP|UDP) RTT$/i, kind: 'rtt', label: 'RemoteFX Network RTT' },
  { object: /^(VMware|Horizon) Blast Session Counters$/i, counter: /^RTT$/i, kind: 'rtt', label: 'Blast RTT' },
  { object: /^PCoIP Session Network Statistics$/i, counter: /^Round Trip Latency ms$/i, kind: 'rtt', label: 'PCoIP round trip latency' },
];

/** The counters COUNTERS reads, as typeperf names them. */
const COUNTER_PATHS = '\\RemoteFX Network(*)\\Current TCP RTT, \\RemoteFX Network(*)\\Current UDP RTT, \\VMware Blast Session Counters(*)\\RTT, '
  + '\\PCoIP Session Network Statistics(*)\\Round Trip Latency ms';

interface Column { index: number; host: string; instance: string; path: string; kind: Kind }

export const perfCountersAdapter: InputAdapter = {
  name: 'perfcounters',
  description: 'Windows performance counter CSV (typeperf / relog / Performance Monitor, PDH-CSV 4.0): RemoteFX TCP/UDP RTT, Blast RTT, PCoIP round trip latency as rtt; accounts from a qwinsta listing or host,session,account CSV',
  example: '"(PDH-CSV 4.0) (W. Europe Standard Time)(-60)","\\\\VDI-01\\RemoteFX Network(RDP-Tcp 3)\\Current TCP RTT"\n"02/25/2025 10:19:25.391","23.000000"',
  detect(head) {
    return PDH_RE.test(firstLine(head)) ? 0.95 : 0;
  },
  async read(chunks, ctx): Promise<AdapterResult> {
    const sessions = ctx.side.get<SessionMap>(SESSIONS_KEY);
    let columns: Column[] | null = null;
    let width = 0;
    let biasMin = 0;
    let records = 0;
    let trailing = 0;
    let blanks = 0;
    let zeros = 0;
    const mapped = new Map<string, string>();
    // Local times through the zone's rules (pdhZone) once the first row has shown that they agree
    // with the header's bias; else (no zone known, or they disagree) with the bias alone, as before.
    let clock: WallClock | null = null;
    let zoneName = '';
    let headerZone = '';
    let clockChecked = false;
    let previousUs = -Infinity;
    let offsetChanged = 0;
    // typeperf -f TSV and relog -f TSV write the same data tab separated, header "(PDH-TSV 4.0) ...".
    const { head, replay } = await peekHead(chunks, false);
    const tsv = PDH_RE.exec(firstLine(head))?.[1] === 'TSV';
    for await (const { fields, line } of csvRecords(replay, ctx, tsv ? '\t' : ',')) {
      if (columns === null) {
        const m = PDH_RE.exec(fields[0] ?? '');
        if (m === null) {
          if (fields.length === 1 && (fields[0] ?? '').trim() === '') continue;
          throw inputError('not a PDH-CSV header: the first cell should be "(PDH-CSV 4.0) (<time zone>)(<bias>)" (or PDH-TSV)', ctx.file, line);
        }
        if (fields.length > ctx.limits.maxFields) throw inputError(`header has ${fields.length} fields, more than the limit of ${ctx.limits.maxFields} (--max-fields)`, ctx.file, line);
        biasMin = Number(m[3]);
        width = fields.length;
        columns = [];
        const ignored: string[] = [];
        fields.forEach((cell, index) => {
          if (index === 0) return;
          const p = PATH_RE.exec(cell.trim());
          const spec = p ? COUNTERS.find((c) => c.object.test(p[2]!) && c.counter.test(p[4]!)) : undefined;
          if (!p || !spec) { ignored.push(cell.trim()); return; }
          columns!.push({ index, host: p[1]!, instance: p[3]!, path: cell.trim(), kind: spec.kind });
        });
        // Not one counter keylag reads (a Windows in another language names its counters in that
        // language: `\RemoteFX-Netzwerk(...)\...`): a report of no samples would pass a --fail-on gate.
        if (columns.length === 0) {
          const shown = ignored.slice(0, 3).join(', ') + (ignored.length > 3 ? `, and ${ignored.length - 3} more` : '');
          throw inputError(`no round-trip counter among the file's ${ignored.length} counter column(s) (${shown === '' ? 'none' : shown}): keylag reads `
            + `${COUNTER_PATHS}, by their English names; a Windows in another language writes its counters' names in that language, `
            + 'which are not recognised', ctx.file, line);
        }
        headerZone = m[2]!;
        const iana = pdhZone(headerZone);
        if (iana !== null) { clock = new WallClock({ name: iana, fixedSeconds: null }); zoneName = iana; }
        else ctx.note(`time zone '${headerZone}' is not a Windows zone name keylag knows: local times read as UTC ${biasMin >= 0 ? '+' : '-'} ${Math.abs(biasMin)} min (the header's bias) throughout, so a change of daylight time within the log is not followed`);
        ctx.note(`${columns.length} round-trip counter column(s) -> rtt (ms)${ignored.length > 0 ? `; ${ignored.length} other counter column(s) ignored` : ''}`);
        if (columns.length > 0 && (sessions === undefined || sessions.hosts.size === 0)) {
          const hosts = [...new Set(columns.map((c) => c.host))].join(', ');
          throw inputError(`performance counters name sessions, not accounts: give the saved 'qwinsta' output of ${hosts} (file named after the host) or a host,session,account CSV among the inputs, or --sessions FILE`, ctx.file, line);
        }
        if (sessions !== undefined) {
          const missing = hostsWithoutListing(sessions, columns.map((c) => c.host));
          if (missing.length > 0) {
            const named = [...sessions.hosts.keys()].join(', ');
            ctx.note(`no session listing of host ${missing.join(', ')} (listings given: ${named}): its sessions are session_unmapped; a listing named after a host maps only that host's sessions (give each host's qwinsta output, or a listing whose file name names no host to use it for any host)`);
          }
        }
        continue;
      }
      if (fields.length !== width && !/^\s*\d{1,2}\/\d{1,2}\/\d{4}/.test(fields[0] ?? '')) {
        // typeperf's status lines after the data ("Exiting, please wait...", "The command completed successfully.")
        trailing++;
        continue;
      }
      records++;
      if (fields.length !== width) { ctx.reject(line, 'row_ragged', `${fields.length} fields where the header has ${width}`); continue; }
      const date = parseSlashDate(fields[0] ?? '');
      // PDH writes MM/DD/YYYY whatever the locale.
      const wallUs = date === null ? null : slashDateToUs(date, 'mdy');
      if (wallUs === null) { ctx.reject(line, 'time_unparseable', (fields[0] ?? '').slice(0, 80)); continue; }
      const biasUs = wallUs + biasMin * 60_000_000;
      if (clock !== null && !clockChecked) {
        clockChecked = true;
        const found = clock.toUtc(wallUs);
        if (found === WALL_NONEXISTENT || clock.out[0] !== biasUs) {
          ctx.note(`time zone '${headerZone}' (${zoneName}) is not at bias ${biasMin} min at the log's first time, as the header says: local times read with the bias throughout`);
          clock = null;
        } else ctx.note(`time zone '${headerZone}' (${zoneName}), bias ${biasMin} min at the start: local times converted by the zone's rules, so a change of daylight time within the log is followed`);
      }
      let timeUs = biasUs;
      if (clock !== null) {
        const found = clock.toUtcInOrder(wallUs, previousUs);
        if (found === WALL_NONEXISTENT) { ctx.reject(line, 'time_in_dst_gap', `${fields[0]}: a local time the clocks skipped in ${zoneName}`); continue; }
        timeUs = clock.out[0]!;
        if (timeUs !== biasUs) offsetChanged++;
        if (found === WALL_AMBIGUOUS) clock.ambiguous++;
        previousUs = timeUs;
      }
      if (timeUs < MIN_TIME_US || timeUs >= MAX_TIME_US) { ctx.reject(line, 'time_out_of_range', `${fields[0]} (outside 1990..2099)`); continue; }
      for (const col of columns) {
        const cell = fields[col.index] ?? '';
        if (cell.trim() === '') { blanks++; continue; }
        const check = parseLatency(cell, 1);
        if (!check.ok) { ctx.reject(line, check.reason, `${col.path}=${cell.slice(0, 40)}`); continue; }
        if (check.valueMs === 0) {
          // An RTT counter reading 0 measured nothing: RemoteFX's Current UDP RTT is 0 while the
          // session runs over TCP (and TCP RTT while over UDP); a 0 ms round trip would set the floor.
          zeros++;
          ctx.reject(line, 'rtt_zero', `${col.path}=${cell.trim().slice(0, 40)}: counter reads 0: not measured`);
          continue;
        }
        const found = lookupSession(sessions!, col.host, col.instance);
        if (!found.ok) { ctx.reject(line, 'session_unmapped', found.detail); continue; }
        const key = `${col.host}\u0000${col.instance}`;
        if (!mapped.has(key)) {
          mapped.set(key, found.entry.account);
          ctx.note(`${col.host} ${col.instance} -> ${found.entry.account} (${found.how}, ${found.entry.file}:${found.entry.line})`);
        }
        ctx.emit({
          account: found.entry.account, session: `${col.host}/${col.instance}`, timeUs, kind: col.kind, valueMs: check.valueMs, line,
          sourceId: col.path,
        });
      }
    }
    if (columns === null) throw inputError('empty input: no PDH-CSV header line', ctx.file);
    if (blanks > 0) ctx.note(`${blanks} blank cell(s) (counter not sampled) skipped`);
    if (zeros > 0) ctx.note(`${zeros} RTT reading(s) of 0 rejected as rtt_zero: a round-trip counter reads 0 when it measured nothing (RemoteFX Current UDP RTT while the session runs over TCP), not a 0 ms round trip`);
    if (trailing > 0) ctx.note(`${trailing} typeperf status line(s) after the data ignored`);
    if (clock !== null && offsetChanged > 0) {
      ctx.note(`${offsetChanged} row(s) after a change of daylight time in ${zoneName} converted at the new offset, not the header's bias`
        + (clock.ambiguous > 0 ? `; ${clock.ambiguous} row(s) in the hour the clocks went back placed by their order (the log's times run forward)` : ''));
    }
    const converted = clock !== null ? `by the rules of ${zoneName} (header bias ${biasMin} min at the start)` : `with the header's bias (${biasMin} min)`;
    return { records, dialect: tsv ? 'PDH-TSV 4.0' : 'PDH-CSV 4.0', timeFormats: [`local time MM/DD/YYYY, converted ${converted}`] };
  },
};
