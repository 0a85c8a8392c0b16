// How every renderer words a known exception (--allow), so that an allowed account reads the same
// in a terminal, a CSV cell, Markdown and HTML. Plain text: each renderer escapes it for its medium.
import type { AccountReport, AllowedStatus, RunHeader } from '../types.js';

/** "allowed: <reason> (<owner>, until <expires>)", or the expired form, which says it no longer applies. */
export function allowedLabel(a: AllowedStatus): string {
  if (a.expired) return `allow-list entry EXPIRED ${a.expires ?? ''}, not applied: ${a.reason} (${a.owner})`;
  return `allowed: ${a.reason} (${a.owner}${a.expires === null ? ', no expiry' : `, until ${a.expires}`})`;
}

/** The strongest-evidence text with the account's allow-list state in front, when it has one. */
export function strongestWithAllowed(a: AccountReport): string {
  return a.allowed ? `[${allowedLabel(a.allowed)}] ${a.strongest}` : a.strongest;
}

/** Header line about --now / --allow, or null when neither was given. */
export function allowHeaderLine(h: RunHeader): string | null {
  if (h.allowList === undefined && h.now === undefined) return null;
  const parts: string[] = [];
  if (h.allowList !== undefined) {
    const l = h.allowList;
    const expired = l.entries.filter((e) => e.expired).length;
    parts.push(`${l.path} (${l.format}, sha256 ${l.sha256.slice(0, 16)}, ${l.entries.length} entr${l.entries.length === 1 ? 'y' : 'ies'}${expired ? `, ${expired} expired` : ''})`);
  }
  if (h.now !== undefined) parts.push(`expiry judged at ${h.now}`);
  return `Allow list: ${parts.join('; ')}`;
}
