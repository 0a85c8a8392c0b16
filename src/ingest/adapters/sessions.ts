// Session -> account maps for performance counter CSVs (issue 9, preset 2), read as side files:
//  - the saved output of `query session` / `qwinsta` run on a host (Windows Server commands reference:
//    https://learn.microsoft.com/windows-server/administration/windows-commands/query-session), columns
//    SESSIONNAME, USERNAME, ID, STATE, TYPE, DEVICE in fixed-width text, `>` marking the current session;
//    the host is taken from the file name (`VDI-01.qwinsta.txt`, `VDI-01_query-session.txt` -> VDI-01);
//  - a CSV with the columns host, session, account (session: a name such as RDP-Tcp#3, or a session ID).
// Session names are compared with `#` and spaces alike: perfmon shows `RDP-Tcp#3` as the instance
// `RDP-Tcp 3`, because `#` marks an instance index in a counter path.
import type { AdapterContext, AdapterResult, InputAdapter } from '../adapter.js';
import { inputError } from '../../errors.js';
import { csvRecords, firstLine, headerKey, splitCsvLine, stemOf, textLines } from './export-util.js';

export interface SessionEntry {
  name: string;
  id: number | null;
  account: string;
  state: string;
  file: string;
  line: number;
}

export interface SessionMap {
  /** Host (lower case) -> sessions; host '' when a listing could not say which host it is from. */
  hosts: Map<string, SessionEntry[]>;
  listings: number;
}

export const SESSIONS_KEY = 'sessions.map';

/** `RDP-Tcp#3`, `RDP-Tcp 3`, `rdp-tcp#3` -> `rdp-tcp#3`. */
export function sessionNameKey(name: string): string {
  return name.trim().toLowerCase().replace(/[\s#]+/g, '#');
}

export function sessionMapOf(ctx: AdapterContext): SessionMap {
  let map = ctx.side.get<SessionMap>(SESSIONS_KEY);
  if (map === undefined) { map = { hosts: new Map(), listings: 0 }; ctx.side.set(SESSIONS_KEY, map); }
  return map;
}

/** Host named by a listing's file name: strip extensions and a qwinsta / query-session / sessions suffix. */
export function hostFromFileName(path: string): string {
  if (path === '-') return '';
  const stem = stemOf(path).replace(/[-_. ]?(qwinsta|query[-_ ]?session|sessions?)$/i, '');
  return /^(qwinsta|query[-_ ]?session|sessions?)$/i.test(stemOf(path)) ? '' : stem.toLowerCase();
}

const QWINSTA_HEADER = /^\s*>?\s*(SESSIONNAME|SITZUNGSNAME|NOMSESSION|NOMBRESESI[OÓ]N)\s+(USERNAME|BENUTZERNAME|NOMUTILISATEUR|NOMBREUSUARIO)\s+ID\s+\S+/i;
// `quser` / `query user` (https://learn.microsoft.com/windows-server/administration/windows-commands/query-user):
// USERNAME SESSIONNAME ID STATE IDLE TIME LOGON TIME, the user first; a disconnected session has no name.
const QUSER_HEADER = /^\s*>?\s*(USERNAME|BENUTZERNAME|NOMUTILISATEUR|NOMBREUSUARIO)\s+(SESSIONNAME|SITZUNGSNAME|NOMSESSION|NOMBRESESI[OÓ]N)\s+ID\s+\S+/i;

function isSessionsCsvHeader(cells: string[]): boolean {
  return cells.includes('host') && (cells.includes('session') || cells.includes('session_name') || cells.includes('session_id'))
    && (cells.includes('account') || cells.includes('user') || cells.includes('username'));
}

export const sessionsAdapter: InputAdapter = {
  name: 'sessions',
  role: 'side',
  description: 'Session -> account map for performance counter CSVs: saved `qwinsta` / `query session` output (host from the file name) or a host,session,account CSV',
  example: ' SESSIONNAME       USERNAME                 ID  STATE   TYPE        DEVICE\n>rdp-tcp#3         jdoe                      2  Active\n(or) host,session,account\nVDI-01,RDP-Tcp#3,jdoe',
  detect(head) {
    const first = firstLine(head);
    if (QWINSTA_HEADER.test(first) || QUSER_HEADER.test(first)) return 0.95;
    if (isSessionsCsvHeader(splitCsvLine(first).map(headerKey))) return 0.9;
    return 0;
  },
  async read(chunks, ctx): Promise<AdapterResult> {
    const map = sessionMapOf(ctx);
    let records = 0;
    const add = (host: string, entry: SessionEntry) => {
      const list = map.hosts.get(host) ?? [];
      list.push(entry);
      map.hosts.set(host, list);
    };
    // Peek: qwinsta text or CSV? Decide on the first non-empty line.
    const iterator = chunks[Symbol.asyncIterator]();
    const first = await iterator.next();
    const head = first.done ? '' : first.value.toString('utf8');
    const replay = (async function* () {
      if (!first.done) yield first.value;
      for (;;) { const n = await iterator.next(); if (n.done) return; yield n.value; }
    })();
    const quser = QUSER_HEADER.test(firstLine(head));
    if (quser || QWINSTA_HEADER.test(firstLine(head))) {
      // qwinsta: the session name, then the user (blank for services and listeners); quser: the
      // user, then the session name (blank for a disconnected session). Both: ID, STATE after them.
      const header = quser ? QUSER_HEADER : QWINSTA_HEADER;
      const host = hostFromFileName(ctx.file);
      let secondCol = -1;
      let added = 0;
      for await (const { text, line } of textLines(replay, ctx)) {
        if (text.trim() === '') continue;
        if (secondCol < 0) {
          const m = header.exec(text);
          if (m === null) continue;
          secondCol = text.search(new RegExp(m[2]!, 'i'));
          continue;
        }
        records++;
        const firstCell = text.slice(0, secondCol).replace(/^\s*>?/, '').trim();
        const m = /^\s*(?:(\S+)\s+)?(\d+)\s+(\S+)/.exec(text.slice(secondCol));
        if (m === null || (quser && firstCell === '')) { ctx.reject(line, 'session_line_unparseable', text.trim().slice(0, 80)); continue; }
        const account = quser ? firstCell : m[1] ?? '';
        if (account === '') continue; // services, listeners, console without a user
        add(host, { name: quser ? m[1] ?? '' : firstCell, id: Number(m[2]), account, state: m[3]!, file: ctx.file, line });
        added++;
      }
      if (secondCol < 0) throw inputError('no qwinsta header line (SESSIONNAME USERNAME ID STATE ...)', ctx.file);
      map.listings++;
      const what = quser ? 'quser listing (read as a qwinsta listing)' : 'qwinsta listing';
      ctx.note(host === '' ? `${what}: ${added} user session(s); host not in the file name, used for any host` : `${what} of host ${host}: ${added} user session(s)`);
      return { records, dialect: quser ? 'quser / query user listing (side file)' : 'qwinsta / query session listing (side file)', timeFormats: [] };
    }
    let cols: string[] | null = null;
    let iHost = -1, iSession = -1, iAccount = -1;
    for await (const { fields, line } of csvRecords(replay, ctx)) {
      if (cols === null) {
        cols = fields.map(headerKey);
        iHost = cols.indexOf('host');
        iSession = ['session', 'session_name', 'session_id'].map((c) => cols!.indexOf(c)).find((i) => i >= 0) ?? -1;
        iAccount = ['account', 'user', 'username'].map((c) => cols!.indexOf(c)).find((i) => i >= 0) ?? -1;
        if (iHost < 0 || iSession < 0 || iAccount < 0) throw inputError('sessions CSV needs host, session and account columns', ctx.file, line);
        continue;
      }
      records++;
      const session = (fields[iSession] ?? '').trim();
      const account = (fields[iAccount] ?? '').trim();
      const host = (fields[iHost] ?? '').trim().toLowerCase();
      if (session === '' || account === '') { ctx.reject(line, 'account_missing', `session '${session}' without an account`); continue; }
      add(host, { name: /^\d+$/.test(session) ? '' : session, id: /^\d+$/.test(session) ? Number(session) : null, account, state: 'Active', file: ctx.file, line });
    }
    if (cols === null) throw inputError('empty input: no header line', ctx.file);
    map.listings++;
    return { records, dialect: 'host,session,account CSV (side file)', timeFormats: [] };
  },
};

export type SessionLookup = { ok: true; entry: SessionEntry; how: string } | { ok: false; detail: string };

/** Hosts with counters but neither a listing of their own nor one naming no host: their sessions cannot be mapped. */
export function hostsWithoutListing(map: SessionMap, hosts: Iterable<string>): string[] {
  if (map.hosts.has('')) return [];
  return [...new Set([...hosts].filter((h) => !map.hosts.has(h.toLowerCase())))];
}

/**
 * The account behind a counter instance on a host: by session name (RemoteFX: `RDP-Tcp 3`), by session
 * ID (Horizon Blast: `session id: 3; (main)`), or, for instances naming no session (PCoIP: `PCoIP Session`),
 * the host's only active user session.
 */
export function lookupSession(map: SessionMap, host: string, instance: string): SessionLookup {
  let list = map.hosts.get(host.toLowerCase());
  let how = '';
  if (list === undefined) {
    // Only a listing that names no host (`qwinsta.txt`) stands in for a host without its own: a
    // listing named after a host never maps another host's sessions (session names such as
    // RDP-Tcp#1 repeat on every host, each with its own user).
    list = map.hosts.get('');
    how = ' (listing naming no host)';
    if (list === undefined) return { ok: false, detail: `no session listing for host ${host}` };
  }
  const idMatch = /session\s*id:?\s*(\d+)/i.exec(instance);
  if (idMatch) {
    const id = Number(idMatch[1]);
    const e = list.find((s) => s.id === id);
    return e ? { ok: true, entry: e, how: `session ID ${id}${how}` } : { ok: false, detail: `host ${host} has no session with ID ${id}` };
  }
  const key = sessionNameKey(instance);
  const byName = list.find((s) => s.name !== '' && sessionNameKey(s.name) === key);
  if (byName) return { ok: true, entry: byName, how: `session name${how}` };
  if (/^\d+$/.test(instance.trim())) {
    const e = list.find((s) => s.id === Number(instance.trim()));
    if (e) return { ok: true, entry: e, how: `session ID${how}` };
  }
  if (!/rdp|ica|tcp|console/i.test(instance)) {
    const active = list.filter((s) => /^(active|aktiv|actif|activo)$/i.test(s.state));
    if (active.length === 1) return { ok: true, entry: active[0]!, how: `the host's only active session${how}` };
    return { ok: false, detail: `instance '${instance}' names no session and host ${host} has ${active.length} active sessions` };
  }
  return { ok: false, detail: `host ${host} has no session named '${instance}'` };
}
