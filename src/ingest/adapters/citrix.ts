// Citrix Monitor Service OData, saved as JSON (issue 9, preset 3).
//
// Entities and fields as Citrix documents them (Citrix Monitor Service API,
// https://developer-docs.citrix.com/projects/monitor-service-odata-api/en/latest/ , data model
// "Citrix.Monitor.Model"; OData v4 endpoint in Citrix Cloud:
// https://developer-docs.citrix.com/en-us/citrix-cloud/accessing-monitor-service-data-citrix-cloud-external/accessing-monitor-service-data-citrix-cloud-external):
//  - SessionMetrics: Id, SessionId (= Sessions.SessionKey), CollectedDate (UTC), IcaRttMS (ICA round trip:
//    keystroke to screen update, as the ICA stack measures it end to end), IcaLatency (network latency).
//  - Sessions: SessionKey, UserId (= Users.Id), MachineId, StartDate, EndDate, ConnectionState, ...
//  - Users: Id, Sid, UserName, Upn, FullName, Domain.
// A saved response is `{"@odata.context": ".../$metadata#SessionMetrics", "value": [...]}` (v4; v3 JSON
// light writes "odata.metadata"), `{"d": {"results": [...]}}` (v3 verbose, dates as `/Date(ms)/`), or a
// bare array (PowerShell `... | ConvertTo-Json`). `$expand` nests the related entities:
// `Sessions?$expand=SessionMetrics,User` or `SessionMetrics?$expand=Session($expand=User)`.
// Kinds (DESIGN 2): IcaRttMS -> app_rtt, IcaLatency -> rtt, so the relay signature (app_rtt - rtt) applies.
import type { AdapterContext, AdapterResult, InputAdapter } from '../adapter.js';
import type { Kind } from '../../types.js';
import { inputError } from '../../errors.js';
import { parseTimestamp, MIN_TIME_US, MAX_TIME_US } from '../time.js';
import { parseLatency } from './generic.js';
import { wholeText } from './export-util.js';

type Rec = Record<string, unknown>;

interface CitrixUser { account: string; file: string; line: number }
interface CitrixSession { userId: string | null; user: CitrixUser | null }

export const CITRIX_USERS_KEY = 'citrix.users';
export const CITRIX_SESSIONS_KEY = 'citrix.sessions';

function startsJson(head: string): boolean {
  const t = head.replace(/^\uFEFF/, '').trimStart();
  return t.startsWith('{') || t.startsWith('[');
}

function looksLikeMetrics(head: string): boolean {
  return /\$metadata#SessionMetrics\b/.test(head) || /"(IcaRttMS|IcaLatency)"\s*:/i.test(head) || /"SessionMetrics"\s*:\s*\[/.test(head);
}

function looksLikeSide(head: string): boolean {
  return /\$metadata#(Sessions|Users)\b/.test(head) || /"SessionKey"\s*:/.test(head) || (/"Upn"\s*:/.test(head) && /"UserName"\s*:/.test(head));
}

/** Field by name, case-insensitively (saved documents differ in case: icaRttMS in some tools). */
function field(r: Rec, name: string): unknown {
  if (name in r) return r[name];
  const lower = name.toLowerCase();
  for (const k of Object.keys(r)) if (k.toLowerCase() === lower) return r[k];
  return undefined;
}

function str(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  const s = String(v).trim();
  return s === '' ? null : s;
}

/** A record that is not an object, with its line (PowerShell's `@{Id=...}` text past ConvertTo-Json's -Depth). */
export interface NonObjectRecord { line: number; value: unknown }

export interface OdataRecords {
  records: Rec[];
  lines: number[];
  entity: string | null;
  nonObjects: NonObjectRecord[];
  /** Pages read: a response per line (a paging loop's output appended) or an array of responses. */
  pages: number;
  paging: 'one' | 'array' | 'lines';
  /** The last page's `@odata.nextLink` (v4) / `odata.nextLink` / `d.__next` (v3): more was there to fetch. */
  nextLink: string | null;
}

function parseJson(text: string, file: string, lineOffset = 0): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const m = /position (\d+)/.exec((err as Error).message);
    const line = m ? text.slice(0, Number(m[1])).split('\n').length + lineOffset : lineOffset > 0 ? lineOffset + 1 : null;
    throw inputError(`not valid JSON: ${(err as Error).message.replace(/ in JSON at position \d+.*$/, '')}`, file, line);
  }
}

/** A page's records array and the depth its records open at (1 = the page's own brace); null: not a page. */
function pageRecords(o: Rec): { records: unknown[]; depth: number; context: string | null; next: string | null } | null {
  const context = str(o['@odata.context'] ?? o['odata.metadata']);
  const next = str(o['@odata.nextLink'] ?? o['odata.nextLink']);
  if (Array.isArray(o.value)) return { records: o.value, depth: 3, context, next };
  if (o.d !== null && typeof o.d === 'object' && Array.isArray((o.d as Rec).results)) {
    return { records: (o.d as Rec).results as unknown[], depth: 4, context, next: next ?? str((o.d as Rec).__next) };
  }
  if (Array.isArray(o.d)) return { records: o.d, depth: 3, context, next };
  return null;
}

function isObject(v: unknown): v is Rec {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * The line each record opens on: objects opening at `depth`, and other values (strings) directly in
 * an array one level up, in order (a string-aware scan).
 */
function recordLines(text: string, depth: number, lineOffset: number): number[] {
  const lines: number[] = [];
  const arrays: boolean[] = [];
  let line = 1 + lineOffset, inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) { line++; continue; }
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
      continue;
    }
    const d = arrays.length;
    if (c === 34) { inString = true; if (d === depth - 1 && arrays[d - 1] === true) lines.push(line); }
    else if (c === 123 || c === 91) { arrays.push(c === 91); if (c === 123 && d + 1 === depth) lines.push(line); }
    else if (c === 125 || c === 93) arrays.pop();
  }
  return lines;
}

/**
 * The records of a saved response, with the line each record starts on. A response is one page:
 * `{"value": [...]}` (v4), `{"d": {"results": [...]}}` (v3 verbose), or a bare array of records
 * (PowerShell). A paging loop's output is read page by page: pages appended one per line (curl in a
 * loop following @odata.nextLink), or an array of pages (PowerShell collecting each response).
 */
export function odataRecords(text: string, file: string): OdataRecords {
  let docs: { doc: unknown; text: string; lineOffset: number }[];
  try {
    docs = [{ doc: JSON.parse(text), text, lineOffset: 0 }];
  } catch (err) {
    // One response per line: each line a JSON document of its own.
    const lines = text.split('\n');
    const filled = lines.map((l, i) => ({ l, i })).filter(({ l }) => l.trim() !== '');
    if (filled.length < 2 || !filled.every(({ l }) => l.trimStart().startsWith('{'))) parseJson(text, file);
    docs = filled.map(({ l, i }) => ({ doc: parseJson(l, file, i), text: l, lineOffset: i }));
    if (!docs.every(({ doc }) => isObject(doc) && pageRecords(doc) !== null)) throw inputError('several JSON documents, not all OData pages (a "value" array each)', file, 1);
  }
  const out: OdataRecords = { records: [], lines: [], entity: null, nonObjects: [], pages: 0, paging: docs.length > 1 ? 'lines' : 'one', nextLink: null };
  let context: string | null = null;
  const take = (records: unknown[], lines: number[]) => {
    records.forEach((r, i) => {
      const line = lines[i] ?? lines[lines.length - 1] ?? 1;
      if (isObject(r)) { out.records.push(r); out.lines.push(line); } else out.nonObjects.push({ line, value: r });
    });
  };
  for (const { doc, text: docText, lineOffset } of docs) {
    if (Array.isArray(doc)) {
      const pages = doc.length > 0 && doc.every((p) => isObject(p) && pageRecords(p) !== null) ? doc.map((p) => pageRecords(p as Rec)!) : null;
      if (pages === null) { out.pages++; take(doc, recordLines(docText, 2, lineOffset)); continue; }
      // An array of pages: records one level deeper; their lines in one scan, in order.
      out.paging = 'array';
      const lines = recordLines(docText, pages[0]!.depth + 1, lineOffset);
      let at = 0;
      for (const p of pages) {
        out.pages++;
        context ??= p.context;
        out.nextLink = p.next;
        take(p.records, lines.slice(at, at + p.records.length));
        at += p.records.length;
      }
      continue;
    }
    if (!isObject(doc)) throw inputError('OData document is not an object or array', file, 1);
    const page = pageRecords(doc);
    if (page === null) throw inputError('OData document without a "value" array (or "d.results")', file, 1 + lineOffset);
    out.pages++;
    context ??= page.context;
    out.nextLink = page.next;
    take(page.records, recordLines(docText, page.depth, lineOffset));
  }
  out.entity = context === null ? null : (/\$metadata#(\w+)/.exec(context)?.[1] ?? null);
  return out;
}

/** Records that are not objects, counted; PowerShell's `@{...}` text says what to do. Pages, noted. */
function noteRecordShapes(ctx: AdapterContext, o: OdataRecords): void {
  let psText = 0;
  for (const { line, value } of o.nonObjects) {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    if (typeof value === 'string' && /^@\{\w+=/.test(value)) {
      psText++;
      ctx.reject(line, 'record_powershell_text', `${text.slice(0, 60)}${text.length > 60 ? '...' : ''}: a PowerShell object written as text; save with ConvertTo-Json -Depth 5`);
    } else ctx.reject(line, 'record_not_object', `${String(text).slice(0, 60)}: a record should be a JSON object`);
  }
  if (psText > 0) {
    ctx.note(`${psText} record(s) are PowerShell objects written as text ("@{Id=...; ...}"): ConvertTo-Json stops at its -Depth (2 by default) and writes deeper objects that way; save the response with Invoke-RestMethod ... | ConvertTo-Json -Depth 5`);
  }
  if (o.paging !== 'one') ctx.note(`${o.pages} OData page(s) read in order (${o.paging === 'lines' ? 'one response per line' : 'an array of responses'}), ${o.records.length} record(s)`);
  if (o.nextLink !== null) ctx.note(`the last page names a next page (@odata.nextLink ${o.nextLink.slice(0, 120)}): records after it were not saved`);
}

/** CollectedDate: ISO 8601 (offset-less = UTC, as Monitor Service dates are) or v3 verbose `/Date(ms)/` (parseTimestamp reads both). */
function citrixTime(v: unknown): { us: number; format: string } | null {
  const s = str(v);
  if (s === null) return null;
  const p = parseTimestamp(s);
  if (p === null) return null;
  if (p.format === 'ms-json-date') return { us: p.timeUs, format: 'OData v3 /Date(ms)/' };
  return { us: p.timeUs, format: p.format === 'iso8601' ? 'ISO 8601 with UTC offset' : 'ISO 8601 without offset (Monitor Service dates are UTC)' };
}

function userFrom(r: Rec | null | undefined, file: string, line: number): CitrixUser | null {
  if (!r || typeof r !== 'object') return null;
  const upn = str(field(r, 'Upn'));
  const name = str(field(r, 'UserName'));
  const domain = str(field(r, 'Domain'));
  const account = upn ?? (name && domain ? `${domain}\\${name}` : name);
  return account ? { account, file, line } : null;
}

function sideMaps(ctx: AdapterContext): { users: Map<string, CitrixUser>; sessions: Map<string, CitrixSession> } {
  let users = ctx.side.get<Map<string, CitrixUser>>(CITRIX_USERS_KEY);
  if (!users) { users = new Map(); ctx.side.set(CITRIX_USERS_KEY, users); }
  let sessions = ctx.side.get<Map<string, CitrixSession>>(CITRIX_SESSIONS_KEY);
  if (!sessions) { sessions = new Map(); ctx.side.set(CITRIX_SESSIONS_KEY, sessions); }
  return { users, sessions };
}

export const citrixSideAdapter: InputAdapter = {
  name: 'citrix-side',
  role: 'side',
  description: 'Citrix Monitor Service OData Sessions or Users saved as JSON: SessionKey -> UserId -> UserName/Upn, joined to SessionMetrics in the same run',
  example: '{"@odata.context":"https://ddc/Citrix/Monitor/OData/v4/Data/$metadata#Users","value":[{"Id":42,"UserName":"jdoe","Upn":"jdoe@corp.example","Domain":"CORP"}]}',
  detect(head) {
    return startsJson(head) && looksLikeSide(head) && !looksLikeMetrics(head) ? 0.9 : 0;
  },
  async read(chunks, ctx): Promise<AdapterResult> {
    const read = odataRecords(await wholeText(chunks, ctx), ctx.file);
    const { records, lines, entity } = read;
    noteRecordShapes(ctx, read);
    const { users, sessions } = sideMaps(ctx);
    let kindSeen: 'Users' | 'Sessions' | null = null;
    records.forEach((r, i) => {
      const line = lines[i] ?? 1;
      const key = str(field(r, 'SessionKey'));
      if (key !== null) {
        kindSeen = 'Sessions';
        const userId = str(field(r, 'UserId'));
        sessions.set(key.toLowerCase(), { userId, user: userFrom(field(r, 'User') as Rec, ctx.file, line) });
        return;
      }
      const id = str(field(r, 'Id'));
      const user = userFrom(r, ctx.file, line);
      if (id !== null && user !== null) { kindSeen = 'Users'; users.set(id, user); return; }
      ctx.reject(line, 'record_unrecognised', 'neither a Sessions record (SessionKey) nor a Users record (Id with UserName/Upn)');
    });
    const label = entity ?? kindSeen ?? 'unknown';
    ctx.note(`${label}: ${records.length} record(s); ${users.size} user(s), ${sessions.size} session(s) known so far`);
    return { records: records.length, dialect: `Citrix Monitor OData ${label} (side file)`, timeFormats: [] };
  },
};

const METRICS: { name: string; kind: Kind }[] = [
  { name: 'IcaRttMS', kind: 'app_rtt' },
  { name: 'IcaLatency', kind: 'rtt' },
];

export const citrixAdapter: InputAdapter = {
  name: 'citrix',
  description: 'Citrix Monitor Service OData SessionMetrics saved as JSON (v3/v4, or $expand-ed with Session/User): IcaRttMS as app_rtt, IcaLatency as rtt',
  example: '{"@odata.context":"https://ddc/Citrix/Monitor/OData/v4/Data/$metadata#SessionMetrics","value":[{"Id":7,"SessionId":"5f0c...","CollectedDate":"2025-02-25T09:19:25.39Z","IcaRttMS":48,"IcaLatency":31}]}',
  detect(head) {
    return startsJson(head) && looksLikeMetrics(head) ? 0.9 : 0;
  },
  async read(chunks, ctx): Promise<AdapterResult> {
    const read = odataRecords(await wholeText(chunks, ctx), ctx.file);
    const { records, lines, entity } = read;
    noteRecordShapes(ctx, read);
    const { users, sessions } = sideMaps(ctx);
    const timeFormats = new Set<string>();
    let metricsRead = 0;
    let notSampled = 0;
    const noUser = new Set<string>();

    const userOfSession = (sessionKey: string | null, expandedSession: Rec | null): CitrixUser | null => {
      const fromExpand = expandedSession ? userFrom(field(expandedSession, 'User') as Rec, ctx.file, 0) : null;
      if (fromExpand) return fromExpand;
      const userId = expandedSession ? str(field(expandedSession, 'UserId')) : null;
      if (userId !== null && users.has(userId)) return users.get(userId)!;
      if (sessionKey === null) return null;
      const s = sessions.get(sessionKey.toLowerCase());
      if (!s) return null;
      return s.user ?? (s.userId !== null ? users.get(s.userId) ?? null : null);
    };

    const emitMetric = (m: Rec, sessionKey: string | null, user: CitrixUser | null, line: number): void => {
      metricsRead++;
      const id = str(field(m, 'Id'));
      const sourceId = `SessionMetrics(${id ?? '?'})`;
      if (user === null) {
        ctx.reject(line, 'join_no_user', `${sourceId}: session ${sessionKey ?? '(none)'} has no user in Sessions/Users`);
        if (sessionKey) noUser.add(sessionKey);
        return;
      }
      const t = citrixTime(field(m, 'CollectedDate'));
      if (t === null) { ctx.reject(line, 'time_unparseable', `${sourceId}: CollectedDate=${String(field(m, 'CollectedDate')).slice(0, 60)}`, user.account); return; }
      if (t.us < MIN_TIME_US || t.us >= MAX_TIME_US) { ctx.reject(line, 'time_out_of_range', `${sourceId}: CollectedDate outside 1990..2099`, user.account); return; }
      timeFormats.add(t.format);
      for (const { name, kind } of METRICS) {
        const v = field(m, name);
        if (v === null || v === undefined) { notSampled++; continue; }
        const check = parseLatency(typeof v === 'number' ? String(v) : String(v), 1);
        if (!check.ok) { ctx.reject(line, check.reason, `${sourceId}: ${name}=${String(v).slice(0, 40)}`, user.account); continue; }
        ctx.emit({ account: user.account, session: sessionKey ?? '', timeUs: t.us, kind, valueMs: check.valueMs, line, sourceId });
      }
    };

    records.forEach((r, i) => {
      const line = lines[i] ?? 1;
      const nested = field(r, 'SessionMetrics');
      if (Array.isArray(nested)) {
        // Sessions?$expand=SessionMetrics,User
        const key = str(field(r, 'SessionKey'));
        const user = userFromRecordOrMaps(r, key);
        for (const m of nested) if (m && typeof m === 'object') emitMetric(m as Rec, key, user, line);
        return;
      }
      const expanded = field(r, 'Session');
      const key = str(field(r, 'SessionId')) ?? (expanded && typeof expanded === 'object' ? str(field(expanded as Rec, 'SessionKey')) : null);
      emitMetric(r, key, userOfSession(key, expanded && typeof expanded === 'object' ? expanded as Rec : null), line);
    });

    function userFromRecordOrMaps(r: Rec, key: string | null): CitrixUser | null {
      return userFrom(field(r, 'User') as Rec, ctx.file, 0) ?? userOfSession(key, r);
    }

    if (noUser.size > 0 && users.size === 0 && sessions.size === 0) {
      ctx.note('SessionMetrics name sessions, not users: give the Sessions and Users responses of the same period in the same run, or query SessionMetrics?$expand=Session($expand=User)');
    }
    if (notSampled > 0) ctx.note(`${notSampled} null metric value(s) (not measured) skipped`);
    ctx.note('IcaRttMS -> app_rtt (ms); IcaLatency -> rtt (ms)');
    return { records: metricsRead, dialect: `Citrix Monitor OData ${entity ?? 'SessionMetrics'}`, timeFormats: [...timeFormats] };
  },
};
