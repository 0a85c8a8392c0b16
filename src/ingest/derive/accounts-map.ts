// Accounts map for packet captures (`--accounts FILE`): which account a TCP stream belongs to.
// One entry per line, `KEY,ACCOUNT` (a header line `address,account` and `#` comments are allowed):
//   10.55.1.2,alice                 client (or server) IP address
//   10.55.1.2:40512,alice           IP:port ([v6]:port for IPv6)
//   server.pcap#3,alice             stream 3 of that capture, numbered as tshark's tcp.stream
// A stream is looked up by FILE#stream first, then client IP:port, client IP, server IP:port,
// server IP. A stream that matches nothing is named by its client address.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { inputError } from '../../errors.js';

export interface AccountsMap {
  path: string;
  byKey: Map<string, string>;
}

function normaliseAddress(text: string): string {
  const t = text.trim().toLowerCase();
  return t.startsWith('[') && t.endsWith(']') ? t.slice(1, -1) : t;
}

/** Canonical key for an address and optional port: `a.b.c.d`, `a.b.c.d:p`, `v6`, `[v6]:p`. */
export function addressKey(address: string, port?: number): string {
  const a = normaliseAddress(address);
  if (port === undefined) return a;
  return a.includes(':') ? `[${a}]:${port}` : `${a}:${port}`;
}

function parseKey(raw: string): string | null {
  const key = raw.trim();
  if (key === '') return null;
  const hash = key.lastIndexOf('#');
  if (hash > 0 && /^\d+$/.test(key.slice(hash + 1))) return `${key.slice(0, hash)}#${Number(key.slice(hash + 1))}`;
  const v6port = /^\[([0-9a-fA-F:.]+)\]:(\d{1,5})$/.exec(key);
  if (v6port) return addressKey(v6port[1]!, Number(v6port[2]));
  const v4port = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/.exec(key);
  if (v4port) return addressKey(v4port[1]!, Number(v4port[2]));
  if (/^\d{1,3}(?:\.\d{1,3}){3}$/.test(key) || /^\[?[0-9a-fA-F:.]+\]?$/.test(key) && key.includes(':')) return addressKey(key);
  return null;
}

export function parseAccountsMap(text: string, path: string): AccountsMap {
  const byKey = new Map<string, string>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const comma = line.search(/[,\t;]/);
    if (comma < 0) throw inputError(`accounts map: expected KEY,ACCOUNT, got '${line.slice(0, 80)}'`, path, i + 1);
    const keyText = line.slice(0, comma).trim().replace(/^"|"$/g, '');
    const account = line.slice(comma + 1).trim().replace(/^"|"$/g, '');
    if (byKey.size === 0 && /^(address|key|ip|client|stream)$/i.test(keyText) && /^(account|user|username)$/i.test(account)) return;
    const key = parseKey(keyText);
    if (key === null) throw inputError(`accounts map: '${keyText.slice(0, 80)}' is not an IP, IP:port or FILE#stream`, path, i + 1);
    if (account === '') throw inputError(`accounts map: no account for '${keyText.slice(0, 80)}'`, path, i + 1);
    byKey.set(key, account);
  });
  return { path, byKey };
}

export async function readAccountsMap(path: string): Promise<AccountsMap> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw inputError(code === 'ENOENT' ? 'accounts map: no such file' : `accounts map: ${(err as Error).message}`, path);
  }
  return parseAccountsMap(text, path);
}

export interface StreamEndpoints {
  stream: number;
  client: string;
  clientPort: number;
  server: string;
  serverPort: number;
}

/** The account of a stream, and which key matched (null: named by the client address). */
export function accountOf(map: AccountsMap | null, file: string, s: StreamEndpoints): { account: string; via: string | null } {
  if (map !== null) {
    const keys = [
      `${file}#${s.stream}`, `${basename(file)}#${s.stream}`,
      addressKey(s.client, s.clientPort), addressKey(s.client),
      addressKey(s.server, s.serverPort), addressKey(s.server),
    ];
    for (const key of keys) {
      const account = map.byKey.get(key);
      if (account !== undefined) return { account, via: key };
    }
  }
  return { account: addressKey(s.client), via: null };
}
