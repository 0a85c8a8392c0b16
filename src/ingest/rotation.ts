// Rotated captures: `tcpdump -C 1 -w cap` (cap, cap1, cap2...), `tcpdump -G 60 -w 'cap-%H%M%S.pcap'`,
// `editcap -c N` and dumpcap ring buffers (out_00001_20240101120000.pcapng) cut one capture into
// files. A TCP stream then runs on from one file into the next; read as separate captures, each file
// would lose the stream's start (handshake, keystroke size, obfuscation verdict). Files that look
// like one rotation are grouped here (by name and format); the adapter then reads them, in time
// order, as one capture as long as each file starts at or after the previous one's last packet.
import { basename, dirname } from 'node:path';

/** What an adapter reads from the start of a file (its head) to tell whether it may continue another. */
export interface RotationStart {
  /** Format and link type(s): files of one rotation have the same. */
  key: string;
  /** The first packet's time (epoch µs). */
  firstTimeUs: number;
}

/** Shared by the files of one rotation group, in the order they are read: what the adapter carries along. */
export interface RotationCarry {
  value: unknown;
}

/** Given to the adapter (AdapterContext.rotation) for each file of a rotation group. */
export interface RotationLink {
  carried: RotationCarry;
  start: RotationStart;
  /** The group's last file: the adapter ends the capture after it. */
  last: boolean;
}

/**
 * The name a file has as one of a rotation: digit runs (counters, times) masked, a trailing counter
 * dropped (tcpdump -C names the first file `cap`, the next `cap1`), `.gz` ignored (tcpdump -z gzip
 * compresses each file but the one still being written).
 */
export function rotationName(path: string): string {
  return basename(path).replace(/\.gz$/i, '').replace(/\d+/g, '#').replace(/#$/, '');
}

/**
 * Groups of at least two files that may be one rotation: same folder, same rotation name, same
 * format and link type; each group in the order of its first packets (ties by name). Files without
 * a start (not a capture, or no packet in its head) are in no group.
 */
export function rotationGroups<T extends { path: string; start: RotationStart | null }>(entries: readonly T[]): T[][] {
  const byKey = new Map<string, T[]>();
  for (const e of entries) {
    if (e.start === null || e.path === '-') continue;
    const key = `${dirname(e.path)}\u0000${rotationName(e.path)}\u0000${e.start.key}`;
    const group = byKey.get(key);
    if (group === undefined) byKey.set(key, [e]); else group.push(e);
  }
  const groups: T[][] = [];
  for (const group of byKey.values()) {
    if (group.length < 2) continue;
    group.sort((a, b) => a.start!.firstTimeUs - b.start!.firstTimeUs || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    groups.push(group);
  }
  return groups;
}
