// Azure Virtual Desktop, Log Analytics exports (issue 9, preset 1).
//
// Field names as Microsoft documents them (Azure Monitor table reference, checked 2026-11):
//  - WVDConnectionNetworkData: https://learn.microsoft.com/azure/azure-monitor/reference/tables/wvdconnectionnetworkdata
//    TimeGenerated (datetime, UTC: "timestamp (UTC) of when the network event was generated on the VM"),
//    CorrelationId ("the correlation ID of the activity"), EstRoundTripTimeInMs (int, "average of estimated
//    network round trip times (milliseconds) in the last evaluated connection time interval"),
//    EstAvailableBandwidthKBps (int), no user column.
//  - WVDConnections: https://learn.microsoft.com/azure/azure-monitor/reference/tables/wvdconnections
//    UserName ("the user who initiated the connection"), CorrelationId ("the activity Id"), State,
//    ClientSideIPAddress ("the remote IP address from the client side"), SessionHostName, ClientOS,
//    GatewayRegion, ... one row per state change (Started, Connected, Completed) of a connection.
//  - The join itself is Microsoft's own sample query for WVDConnectionNetworkData
//    (https://learn.microsoft.com/azure/azure-monitor/reference/queries/wvdconnectionnetworkdata,
//    "Top 10 users with the highest round trip time"): `WVDConnectionNetworkData | join kind=leftouter
//    (WVDConnections | where State == "Completed" | distinct CorrelationId, UserName) on CorrelationId`.
//
// Two file shapes: the Log Analytics portal's "Export to CSV" (header `TimeGenerated [UTC]`, time cells
// like `2/25/2025, 9:19:25.391 AM` in the browser's locale, always UTC) and scripted exports
// (`Invoke-AzOperationalInsightsQuery ... | Export-Csv`, `az monitor log-analytics query`) with plain
// `TimeGenerated` and ISO 8601. EstRoundTripTimeInMs is a transport round trip: kind `rtt` (DESIGN 2).
// With the portal's display time zone set to local time, the header says `TimeGenerated [Local Time]`
// (or the zone's offset, `[UTC+02:00]`) and the cells are that zone's wall-clock times, its offset
// nowhere in the file: read with --assume-tz ZONE, refused without it.
import type { AdapterContext, AdapterResult, InputAdapter } from '../adapter.js';
import { inputError } from '../../errors.js';
import { parseTimestamp, MIN_TIME_US, MAX_TIME_US, TIME_FORMAT_LABEL } from '../time.js';
import { parseLatency } from './generic.js';
import { wallClockOf, WALL_NONEXISTENT, type WallClock } from '../zone.js';
import {
  headerKey, zoneLabelOf, orderEvidence, parseDateOrderOption, parseSlashDate, slashDateToUs, tabularHeaderOf, tabularRecords, truncate,
  type DateOrder, type SlashDate,
} from './export-util.js';

export interface AvdConnection {
  user: string;
  clientAddress: string | null;
  sessionHost: string | null;
  file: string;
  line: number;
}

/** Side-data key: CorrelationId (lower case) -> the connection's user. */
export const AVD_CONNECTIONS_KEY = 'avd.connections';
/** Rows buffered while the day/month order is still open (then: error asking for --date-order). */
export const DATE_ORDER_BUFFER_ROWS = 2_000_000;

const CONNECTION_HINTS = ['state', 'clientsideipaddress', 'sessionhostname', 'gatewayregion', 'clientos', 'connectiontype', 'clienttype'];

/**
 * The network table's time column of a (pre-joined) header. Kusto's join writes the left table's
 * columns, then the right table's, a right column whose name is taken getting the suffix 1. With
 * WVDConnections on the left (`WVDConnections | join (WVDConnectionNetworkData) on CorrelationId`),
 * `TimeGenerated` is the connection event's time (State, UserName beside it) and the network
 * sample's time is `TimeGenerated1`, in the block of EstRoundTripTimeInMs.
 */
export function networkTimeColumn(cols: string[]): { index: number; connectionsLeft: boolean } {
  const t0 = cols.indexOf('timegenerated');
  const t1 = cols.indexOf('timegenerated1');
  const rtt = cols.indexOf('estroundtriptimeinms');
  const connectionBeside = ['username', ...CONNECTION_HINTS].some((h) => { const i = cols.indexOf(h); return i > t0 && i < t1; });
  if (t0 >= 0 && t1 > t0 && rtt > t1 && connectionBeside) return { index: t1, connectionsLeft: true };
  return { index: t0, connectionsLeft: false };
}

/** Network rows remembered per CorrelationId to find a join's repeats; CorrelationIds remembered at once. */
export const REPEAT_WINDOW_ROWS = 16;
export const REPEAT_WINDOW_CONNECTIONS = 4096;

/**
 * Exact repeats of a network row (same CorrelationId, time, round trip and bandwidth), as a join
 * with WVDConnections without `distinct` writes them: once per connection row (Started, Connected,
 * Completed, ...). A join writes a row's copies next to each other or nearly so: each CorrelationId
 * keeps its last REPEAT_WINDOW_ROWS rows, and the REPEAT_WINDOW_CONNECTIONS CorrelationIds seen last
 * are kept (least recently seen dropped first), so memory stays bounded whatever the file's length.
 */
export class RepeatWindow {
  private readonly recent = new Map<string, string[]>();
  /** True when `key` was seen among `corr`'s recent rows; remembers it either way. */
  seen(corr: string, key: string): boolean {
    let rows = this.recent.get(corr);
    if (rows !== undefined) this.recent.delete(corr);
    else {
      rows = [];
      if (this.recent.size >= REPEAT_WINDOW_CONNECTIONS) this.recent.delete(this.recent.keys().next().value!);
    }
    this.recent.set(corr, rows);
    if (rows.includes(key)) return true;
    rows.push(key);
    if (rows.length > REPEAT_WINDOW_ROWS) rows.shift();
    return false;
  }
}

function isNetworkHeader(cols: string[]): boolean {
  return cols.includes('correlationid') && cols.includes('estroundtriptimeinms') && cols.includes('timegenerated');
}

function isConnectionsHeader(cols: string[]): boolean {
  return cols.includes('correlationid') && cols.includes('username') && !cols.includes('estroundtriptimeinms')
    && CONNECTION_HINTS.some((h) => cols.includes(h));
}


function connectionsOf(ctx: AdapterContext): Map<string, AvdConnection> {
  let map = ctx.side.get<Map<string, AvdConnection>>(AVD_CONNECTIONS_KEY);
  if (map === undefined) { map = new Map(); ctx.side.set(AVD_CONNECTIONS_KEY, map); }
  return map;
}

/** Header row (skipping PowerShell's `#TYPE` line); returns the normalised column names. */
function isTypeLine(fields: string[]): boolean {
  return fields.length === 1 && /^#TYPE\s/i.test(fields[0] ?? '');
}

export const avdConnectionsAdapter: InputAdapter = {
  name: 'avd-connections',
  role: 'side',
  description: 'Azure Virtual Desktop WVDConnections export (Log Analytics CSV): UserName and ClientSideIPAddress per CorrelationId, joined to WVDConnectionNetworkData in the same run',
  example: '"TimeGenerated [UTC]",CorrelationId,UserName,State,ClientSideIPAddress,SessionHostName\n"2/25/2025, 9:19:20.102 AM","0b5c1e0e-3f4e-4d1f-9a43-5a6c3e2f8a11","jdoe@contoso.com",Connected,"203.0.113.24","avd-sh-0.contoso.com"',
  detect(head) {
    return isConnectionsHeader(tabularHeaderOf(head)) ? 0.9 : 0;
  },
  async read(chunks, ctx): Promise<AdapterResult> {
    const map = connectionsOf(ctx);
    let cols: string[] | null = null;
    let records = 0;
    let conflicts = 0;
    let iCorr = -1, iUser = -1, iIp = -1, iHost = -1;
    for await (const { fields, line } of tabularRecords(chunks, ctx)) {
      if (cols === null) {
        if (isTypeLine(fields)) continue;
        cols = fields.map(headerKey);
        iCorr = cols.indexOf('correlationid');
        iUser = cols.indexOf('username');
        iIp = cols.indexOf('clientsideipaddress');
        iHost = cols.indexOf('sessionhostname');
        if (iCorr < 0 || iUser < 0) throw inputError('WVDConnections export without CorrelationId and UserName columns', ctx.file, line);
        continue;
      }
      records++;
      if (fields.length !== cols.length) { ctx.reject(line, 'row_ragged', `${fields.length} fields where the header has ${cols.length}`); continue; }
      const corr = (fields[iCorr] ?? '').trim().toLowerCase();
      const user = (fields[iUser] ?? '').trim();
      if (corr === '') { ctx.reject(line, 'correlation_id_missing', 'empty CorrelationId'); continue; }
      if (user === '') continue; // a Started row may come before the user is known; other rows of the connection name it
      const ip = iIp >= 0 ? (fields[iIp] ?? '').trim() : '';
      const host = iHost >= 0 ? (fields[iHost] ?? '').trim() : '';
      const known = map.get(corr);
      if (known === undefined) {
        map.set(corr, { user, clientAddress: ip || null, sessionHost: host || null, file: ctx.file, line });
      } else {
        if (known.user.toLowerCase() !== user.toLowerCase()) {
          conflicts++;
          ctx.reject(line, 'join_conflict', `CorrelationId ${corr} names ${user}, earlier ${known.user} (${known.file}:${known.line}); the first is kept`);
        }
        if (known.clientAddress === null && ip) known.clientAddress = ip;
        if (known.sessionHost === null && host) known.sessionHost = host;
      }
    }
    if (cols === null) throw inputError('empty input: no header line', ctx.file);
    ctx.note(`WVDConnections: ${map.size} connection(s) with a user so far${conflicts > 0 ? `, ${conflicts} conflicting row(s)` : ''}`);
    return { records, dialect: 'WVDConnections CSV (side file)', timeFormats: [] };
  },
};

interface PendingRow { fields: string[]; line: number; date: SlashDate }

export const avdAdapter: InputAdapter = {
  name: 'avd',
  description: 'Azure Virtual Desktop WVDConnectionNetworkData export (Log Analytics CSV, portal or scripted; or pre-joined with WVDConnections): EstRoundTripTimeInMs as rtt',
  example: '"TimeGenerated [UTC]",CorrelationId,EstRoundTripTimeInMs,EstAvailableBandwidthKBps\n"2/25/2025, 9:19:25.391 AM","0b5c1e0e-3f4e-4d1f-9a43-5a6c3e2f8a11",23,51840',
  detect(head) {
    return isNetworkHeader(tabularHeaderOf(head)) ? 0.9 : 0;
  },
  async read(chunks, ctx): Promise<AdapterResult> {
    const optionOrder = parseDateOrderOption(ctx.options.dateOrder, ctx.file);
    const connections = ctx.side.get<Map<string, AvdConnection>>(AVD_CONNECTIONS_KEY);
    const timeFormats = new Set<string>();
    let cols: string[] | null = null;
    let iTime = -1, iCorr = -1, iRtt = -1, iUser = -1, iIp = -1, iBw = -1;
    const repeats = new RepeatWindow();
    let repeated = 0;
    let records = 0;
    let order: DateOrder | null = optionOrder;
    let evidenceLine = 0;
    const pending: PendingRow[] = [];
    let portal = false;
    /** --assume-tz, for a portal export in its display time zone (the header's label): that zone's clock. */
    let displayZone: WallClock | null = null;
    /** How its time formats say the display zone was read. */
    let displayTime = '';

    /** `wall`: the time is a wall-clock time of the display zone (no offset written), placed by --assume-tz. */
    const finish = (fields: string[], line: number, time: number, wall = displayZone !== null): void => {
      let timeUs = time;
      let wallStatus = -1;
      if (wall && displayZone !== null) {
        const found = displayZone.toUtc(time);
        if (found === WALL_NONEXISTENT) {
          displayZone.nonexistent++;
          ctx.reject(line, 'time_in_dst_gap', `${truncate(fields[iTime] ?? '')} (no such time in ${displayZone.zone.name}: the clocks went forward past it; --assume-tz)`);
          return;
        }
        timeUs = displayZone.out[0]!;
        wallStatus = found;
      }
      if (timeUs < MIN_TIME_US || timeUs >= MAX_TIME_US) {
        ctx.reject(line, 'time_out_of_range', `${truncate(fields[iTime] ?? '')} (outside 1990..2099)`);
        return;
      }
      const corrRaw = (fields[iCorr] ?? '').trim();
      if (corrRaw === '') { ctx.reject(line, 'correlation_id_missing', 'empty CorrelationId'); return; }
      const rttText = (fields[iRtt] ?? '').trim();
      if (repeats.seen(corrRaw.toLowerCase(), `${timeUs}\u0000${rttText}\u0000${iBw >= 0 ? (fields[iBw] ?? '').trim() : ''}`)) {
        repeated++;
        ctx.reject(line, 'duplicate_row', `CorrelationId ${truncate(corrRaw)} at ${truncate(fields[iTime] ?? '')} with EstRoundTripTimeInMs ${truncate(rttText)} repeated`);
        return;
      }
      const joined = connections?.get(corrRaw.toLowerCase());
      const own = iUser >= 0 ? (fields[iUser] ?? '').trim() : '';
      const user = own || joined?.user || '';
      if (user === '') {
        ctx.reject(line, 'join_no_user', `CorrelationId ${truncate(corrRaw)} has no user in WVDConnections`);
        return;
      }
      const check = parseLatency(fields[iRtt] ?? '', 1);
      if (!check.ok) { ctx.reject(line, check.reason, `EstRoundTripTimeInMs=${truncate(fields[iRtt] ?? '')}`, user); return; }
      const ownIp = iIp >= 0 ? (fields[iIp] ?? '').trim() : '';
      const clientAddress = ownIp || joined?.clientAddress || undefined;
      if (wallStatus >= 0) displayZone!.placed(wallStatus);
      ctx.emit({
        account: user, session: corrRaw, timeUs, kind: 'rtt', valueMs: check.valueMs, line, sourceId: corrRaw,
        ...(clientAddress ? { clientAddress } : {}),
      });
    };

    const flush = (): void => {
      for (const row of pending.splice(0)) {
        const us = slashDateToUs(row.date, order!);
        if (us === null) ctx.reject(row.line, 'time_unparseable', `${truncate(row.fields[iTime] ?? '')} (no such date in ${order} order)`);
        else finish(row.fields, row.line, us);
      }
    };

    for await (const { fields, line } of tabularRecords(chunks, ctx)) {
      if (cols === null) {
        if (isTypeLine(fields)) continue;
        if (fields.length > ctx.limits.maxFields) throw inputError(`header has ${fields.length} fields, more than the limit of ${ctx.limits.maxFields} (--max-fields)`, ctx.file, line);
        cols = fields.map(headerKey);
        const timeColumn = networkTimeColumn(cols);
        iTime = timeColumn.index;
        iBw = cols.indexOf('estavailablebandwidthkbps');
        iCorr = cols.indexOf('correlationid');
        iRtt = cols.indexOf('estroundtriptimeinms');
        iUser = cols.indexOf('username');
        iIp = cols.indexOf('clientsideipaddress');
        if (iTime < 0 || iCorr < 0 || iRtt < 0) {
          throw inputError('WVDConnectionNetworkData export needs TimeGenerated, CorrelationId and EstRoundTripTimeInMs columns', ctx.file, line);
        }
        // The portal writes times in the zone its display is set to, and names only UTC: a local
        // time's offset is nowhere in the file, so such an export is placed in time only in the zone
        // --assume-tz names.
        const zone = zoneLabelOf(fields[iTime] ?? '');
        if (zone !== null && zone.toLowerCase() !== 'utc') {
          displayZone = wallClockOf(ctx.options);
          if (displayZone === null) {
            throw inputError(`${(fields[iTime] ?? '').trim()}: the portal wrote its times in the display time zone (${zone}), which the export does not state; export again with the display time zone set to UTC (the time zone selector above the results), or script the export (ISO 8601), or name that zone with --assume-tz ZONE (an IANA name such as Europe/Berlin)`, ctx.file, line);
          }
          displayTime = `the display time zone, read in ${displayZone.zone.name} (--assume-tz)`;
          ctx.note(`${(fields[iTime] ?? '').trim()}: the portal's display time zone (${zone}), its times read as wall-clock times in ${displayZone.zone.name} (--assume-tz)`);
        }
        portal = zone !== null;
        if (iUser < 0 && (connections === undefined || connections.size === 0)) {
          throw inputError('WVDConnectionNetworkData has no user column: give the WVDConnections export of the same period in the same run (it is recognised by its columns), or export the two tables joined on CorrelationId', ctx.file, line);
        }
        ctx.note(iUser >= 0 ? 'pre-joined export: UserName from the row (WVDConnections used where it is empty)' : `joined on CorrelationId with WVDConnections (${connections!.size} connections)`);
        ctx.note('EstRoundTripTimeInMs -> rtt (ms)');
        if (timeColumn.connectionsLeft) {
          ctx.note(`join with WVDConnections on the left: TimeGenerated is the connection event's time (its State and UserName beside it); each sample's time is the network table's, TimeGenerated1 (column ${iTime + 1})`);
        }
        continue;
      }
      records++;
      if (fields.length !== cols.length) { ctx.reject(line, 'row_ragged', `${fields.length} fields where the header has ${cols.length}`); continue; }
      const timeText = fields[iTime] ?? '';
      const iso = parseTimestamp(timeText);
      if (iso !== null) {
        // A time with its offset is an instant whatever the display zone; one without, a wall time of it.
        const wall = displayZone !== null && iso.format.endsWith('-no-offset');
        // Dotted dates (a German-locale browser's portal export) are day first in every locale: no order to decide.
        timeFormats.add(wall ? `${iso.format === 'dotted-dmy-no-offset' ? 'Azure portal export: dotted date, day first (D.M.YYYY)' : TIME_FORMAT_LABEL[iso.format].replace(/, read as UTC$/, '')}, ${displayTime}`
          : iso.format === 'iso8601-no-offset' ? 'ISO 8601 without offset (Log Analytics times are UTC)'
          : iso.format === 'dotted-dmy-no-offset' && portal ? 'Azure portal export: dotted date, day first (D.M.YYYY), UTC' : TIME_FORMAT_LABEL[iso.format]);
        finish(fields, line, iso.timeUs, wall);
        continue;
      }
      const date = parseSlashDate(timeText);
      if (date === null) { ctx.reject(line, 'time_unparseable', truncate(timeText)); continue; }
      timeFormats.add(displayZone !== null ? `Azure portal export: locale date and time, ${displayTime}` : portal ? 'Azure portal export: locale date and time, UTC' : 'locale date and time, read as UTC');
      const says = orderEvidence(date);
      if (order === null) {
        if (says !== null) {
          order = says;
          evidenceLine = line;
          ctx.note(`day/month order ${order === 'mdy' ? 'month first (M/D/YYYY)' : 'day first (D/M/YYYY)'}, decided from the data (line ${line}: ${timeText.trim()})`);
          flush();
        } else {
          if (pending.length >= DATE_ORDER_BUFFER_ROWS) {
            throw inputError(`day/month order still undecided after ${DATE_ORDER_BUFFER_ROWS} rows (every day so far is 12 or less): give --date-order mdy or dmy`, ctx.file, line);
          }
          pending.push({ fields, line, date });
          continue;
        }
      } else if (says !== null && says !== order) {
        if (optionOrder === null) {
          throw inputError(`dates in both day/month orders: line ${evidenceLine} is ${order}, this one is ${says}; give --date-order mdy or dmy`, ctx.file, line);
        }
        ctx.reject(line, 'time_unparseable', `${truncate(timeText)} (not a ${order} date, --date-order)`);
        continue;
      }
      const us = slashDateToUs(date, order);
      if (us === null) { ctx.reject(line, 'time_unparseable', `${truncate(timeText)} (no such date in ${order} order)`); continue; }
      finish(fields, line, us);
    }
    if (cols === null) throw inputError('empty input: no header line', ctx.file);
    if (pending.length > 0) {
      // Only dates whose day and month are the same number read alike in both orders.
      if (pending.every((p) => p.date.first === p.date.second)) { order = 'mdy'; flush(); }
      else {
        throw inputError(`the day/month order of these dates cannot be decided from the data (no day above 12, e.g. '${(pending.find((p) => p.date.first !== p.date.second)!.fields[iTime] ?? '').trim()}'): give --date-order mdy or dmy`, ctx.file, pending[0]!.line);
      }
    }
    if (optionOrder !== null && timeFormats.size > 0) ctx.note(`day/month order ${optionOrder} (--date-order)`);
    if (repeated > 0) {
      const joinedState = cols.includes('state') ? ', one copy per WVDConnections row (State)' : '';
      ctx.note(`${repeated} exact repeat(s) of a network row (same CorrelationId, TimeGenerated, EstRoundTripTimeInMs${iBw >= 0 ? ', EstAvailableBandwidthKBps' : ''}) rejected as duplicate_row${joinedState}: a join of WVDConnectionNetworkData with WVDConnections without \`distinct\` repeats each network row; join \`(WVDConnections | distinct CorrelationId, UserName, ClientSideIPAddress)\` instead (repeats are found among a CorrelationId's last ${REPEAT_WINDOW_ROWS} rows)`);
    }
    const zoned = displayZone === null ? {} : { assumedZone: displayZone.counts() };
    return { records, dialect: `WVDConnectionNetworkData CSV (${portal ? 'portal export' : 'scripted export'})`, timeFormats: [...timeFormats], ...zoned };
  },
};
