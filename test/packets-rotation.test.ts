// Rotated captures (fixtures/lab/rotation, made by its run.sh): three tcpdumps at the server of one
// run, one whole (whole.pcap), one rotated by size (`-C 1 -z gzip`: size/cap.gz, cap1.gz, cap2), one by
// time (`-G 4`: time/g-HHMMSS.pcap). The sessions run on across the files; read together, the
// files of a rotation are one capture and give the whole capture's samples.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { REPO_ROOT, runCli } from './helpers/cli.js';
import { rotationGroups, rotationName } from '../src/ingest/rotation.js';

const DIR = resolve(REPO_ROOT, 'fixtures/lab/rotation');
const ACCOUNTS = join(DIR, 'accounts.csv');

interface Row { time: number; account: string; kind: string; value: number }
function extract(...inputs: string[]): Row[] {
  const r = runCli(['extract', ...inputs, '--accounts', ACCOUNTS, '-f', 'csv']);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n').slice(1).map((line) => {
    const [time, account, , kind, value] = line.split(',');
    return { time: Number(time), account: account!, kind: kind!, value: Number(value) };
  }).filter((row) => row.account === 'alice' || row.account === 'dave');
}

/** Counts by account and kind, e.g. "alice keystroke_interval 65". */
const counts = (rows: Row[]): string[] => {
  const n = new Map<string, number>();
  for (const r of rows) n.set(`${r.account} ${r.kind}`, (n.get(`${r.account} ${r.kind}`) ?? 0) + 1);
  return [...n].map(([k, v]) => `${k} ${v}`).sort();
};

/** Each tcpdump timestamps its own copy of a packet: the same samples differ by a few microseconds. */
function assertSameSamples(got: Row[], whole: Row[]): void {
  assert.deepEqual(counts(got), counts(whole));
  const order = (a: Row, b: Row): number => (a.account < b.account ? -1 : a.account > b.account ? 1 : a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.time - b.time);
  const g = [...got].sort(order);
  const w = [...whole].sort(order);
  for (let i = 0; i < w.length; i++) {
    assert.ok(Math.abs(g[i]!.time - w[i]!.time) < 1000 && Math.abs(g[i]!.value - w[i]!.value) < 0.05,
      `${w[i]!.account} ${w[i]!.kind}: ${JSON.stringify(g[i])} vs the whole capture's ${JSON.stringify(w[i])}`);
  }
}

const whole = extract(join(DIR, 'whole.pcap'));

test('rotation by size (tcpdump -C 1 -z gzip: cap.gz, cap1.gz, cap2) given as a folder is read as one capture', () => {
  // before: each file a capture of its own, streams cut at each rotation: alice 64 keystroke intervals and 7 reactions, dave 75 keystroke intervals (whole: 65, 8, 77)
  assert.deepEqual(counts(whole).filter((c) => c.includes('keystroke')), ['alice keystroke_interval 65', 'dave keystroke_interval 77']);
  assertSameSamples(extract(join(DIR, 'size')), whole);
  const r = runCli(['scan', join(DIR, 'size'), '--accounts', ACCOUNTS, '--format', 'json']);
  assert.equal(r.status, 0, r.stderr);
  const inputs = (JSON.parse(r.stdout) as { header: { inputs: { path: string; records: number; samples: number; notes: string[] }[] } }).header.inputs;
  // Each file counts the samples whose frames it holds (before: all of them counted in cap.gz).
  assert.deepEqual(inputs.map((i) => [i.path.replace(`${DIR}/`, ''), i.records, i.samples > 0]), [['size/cap.gz', 9731, true], ['size/cap1.gz', 9733, true], ['size/cap2', 3008, true]]);
  assert.ok(inputs[0]!.notes.includes('rotation: read with cap1.gz, cap2 as one capture of 22472 frames (frames numbered through the files in this order, '
    + 'as in the capture mergecap -a makes of them: cap.gz 1-9731, cap1.gz 9732-19464, cap2 19465-22472); each sample is counted in the file that holds its frame and cites the frame by its number in that file'), inputs[0]!.notes.join('\n'));
  assert.ok(inputs[2]!.notes.includes('rotation: read as the continuation of cap1.gz (same link type, its first packet at or after the last one there): '
    + 'frames 19465-22472 of the capture cap.gz begins; its samples are counted here and cite its own frame numbers (1-3008)'), inputs[2]!.notes.join('\n'));
});

test('rotation by time (tcpdump -G 4: g-HHMMSS.pcap) given file by file in any order is read as one capture, in time order', () => {
  const files = readdirSync(join(DIR, 'time')).sort().reverse().map((f) => join(DIR, 'time', f));
  assert.equal(files.length, 7);
  assertSameSamples(extract(...files), whole);
});

test('files named like one rotation whose packets overlap in time are read each on its own', () => {
  // the whole capture and the first file of the time rotation: same link type, same rotation name, overlapping
  const dir = mkdtempSync(join(tmpdir(), 'keylag-rotation-'));
  const first = readdirSync(join(DIR, 'time')).sort()[0]!;
  copyFileSync(join(DIR, 'whole.pcap'), join(dir, 'g-1.pcap'));
  copyFileSync(join(DIR, 'time', first), join(dir, 'g-2.pcap'));
  const r = runCli(['scan', dir, '--accounts', ACCOUNTS, '--format', 'json']);
  assert.equal(r.status, 0, r.stderr);
  const inputs = (JSON.parse(r.stdout) as { header: { inputs: { samples: number; notes: string[] }[] } }).header.inputs;
  assert.ok(inputs[0]!.samples > 0 && inputs[1]!.samples > 0, JSON.stringify(inputs.map((i) => i.samples)));
  const note = inputs.flatMap((i) => i.notes).find((n) => n.startsWith('not read as the continuation of'));
  assert.match(note ?? '', /^not read as the continuation of g-[12]\.pcap \(same rotation name\): its first packet \(.*\) is before the last one read \(.*\): the files overlap, not one rotation; the rest of its files are read each on its own$/);
});

test('rotation names: counters and times masked, the first -C file without its number, .gz ignored', () => {
  assert.equal(rotationName('/x/cap'), 'cap');
  assert.equal(rotationName('/x/cap1.gz'), 'cap');
  assert.equal(rotationName('/x/cap12'), 'cap');
  assert.equal(rotationName('/x/out_00001_20240101120000.pcapng'), 'out_#_#.pcapng');
  assert.equal(rotationName('/x/g-180919.pcap'), 'g-#.pcap');
  const at = (path: string, firstTimeUs: number, key = 'pcap of link type 1') => ({ path, start: { key, firstTimeUs } });
  // tcpdump -C names sort cap, cap1, cap10, cap2 by name: the group is in time order
  const groups = rotationGroups([at('/d/cap10', 10), at('/d/cap', 0), at('/d/cap2', 2), at('/d/cap1', 1), at('/e/cap3', 3), at('/d/cap4', 4, 'pcap of link type 276'), at('/d/other', 5)]);
  assert.deepEqual(groups.map((g) => g.map((e) => e.path)), [['/d/cap', '/d/cap1', '/d/cap2', '/d/cap10']]);
});

/** Each frame's time (epoch µs) of a classic pcap file (µs or ns), gzip-compressed or not. */
function frameTimes(path: string): number[] {
  let bytes = readFileSync(path);
  if (path.endsWith('.gz')) bytes = gunzipSync(bytes);
  const nano = bytes.readUInt32LE(0) === 0xa1b23c4d;
  assert.ok(nano || bytes.readUInt32LE(0) === 0xa1b2c3d4, `${path}: a little-endian pcap`);
  const times: number[] = [];
  for (let at = 24; at + 16 <= bytes.length; at += 16 + bytes.readUInt32LE(at + 8)) {
    times.push(bytes.readUInt32LE(at) * 1e6 + (nano ? Math.floor(bytes.readUInt32LE(at + 4) / 1000) : bytes.readUInt32LE(at + 4)));
  }
  return times;
}

test('rotation: every sample cites a frame of the file that holds it, numbered as in that file', () => {
  // before: samples of cap1.gz and cap2 cited cap.gz at frames it does not have (up to 22472 of 9731)
  for (const input of [join(DIR, 'size'), join(DIR, 'time')]) {
    const r = runCli(['extract', input, '--accounts', ACCOUNTS, '-f', 'csv']);
    assert.equal(r.status, 0, r.stderr);
    const times = new Map<string, number[]>();
    const perFile = new Map<string, number>();
    for (const line of r.stdout.trim().split('\n').slice(1)) {
      const cells = line.split(',');
      const [, file, frame] = /^(.*):(\d+)$/.exec(cells[5]!)!;
      assert.equal(cells[6], `frame ${frame}`, line);
      if (!times.has(file!)) times.set(file!, frameTimes(resolve(REPO_ROOT, file!)));
      // The cited frame is the packet the sample was taken at: its time is the sample's time.
      assert.equal(times.get(file!)![Number(frame) - 1], Number(cells[0]), `${line}: frame ${frame} of ${file}`);
      perFile.set(file!, (perFile.get(file!) ?? 0) + 1);
    }
    assert.ok(perFile.size >= 3 && [...perFile.values()].every((n) => n > 0), JSON.stringify([...perFile]));
  }
});
