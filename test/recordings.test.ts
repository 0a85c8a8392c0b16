// Terminal recordings (issue 9, preset 4): asciicast v2/v3 and util-linux script timing, on recordings made by
// the real programs in the lab (fixtures/recordings/record-lab.sh) and on hand-made event streams.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { asciicastAdapter } from '../src/ingest/adapters/asciicast.js';
import { scriptLogAdapter, scriptTimingAdapter } from '../src/ingest/adapters/script-timing.js';
import { deriveRecording, stripAnsi, type TermEvent, type RecordingSide } from '../src/ingest/derive/recording.js';
import { detectAdapter } from '../src/ingest/registry.js';
import { SideData, DEFAULT_READ_LIMITS, type RawSample, type AdapterContext } from '../src/ingest/adapter.js';
import { isKeylagError } from '../src/errors.js';
import { REPO_ROOT } from './helpers/cli.js';
import { runAdapter, reasons } from './helpers/adapter-run.js';

const REC = join(REPO_ROOT, 'fixtures/exports/recordings');
const read = (name: string) => readFileSync(join(REC, name), 'utf8');

function derive(events: [number, 'i' | 'o', string][], side: RecordingSide): RawSample[] {
  const samples: RawSample[] = [];
  const ctx = { file: 't', limits: DEFAULT_READ_LIMITS, columns: {}, options: {}, side: new SideData(), emit: (s: RawSample) => samples.push(s), reject: () => undefined, note: () => undefined } as AdapterContext;
  const evs: TermEvent[] = events.map(([ms, type, data], i) => ({ timeUs: ms * 1000, type, data, length: Buffer.byteLength(data), line: i + 2 }));
  deriveRecording(evs, { account: 'a', session: 's', side, ctx, sourcePrefix: 'a' });
  return samples;
}
const values = (s: RawSample[], kind: string) => s.filter((x) => x.kind === kind).map((x) => x.valueMs);

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil(q * s.length) - 1)]!;
}

/** asciicast v2 -> v3 (intervals, term object, a comment line), as asciinema 3 writes it. */
function toV3(v2: string): string {
  const [head, ...lines] = v2.trimEnd().split('\n');
  const h = JSON.parse(head!);
  const out = [JSON.stringify({ version: 3, term: { cols: h.width, rows: h.height, type: h.env?.TERM }, timestamp: h.timestamp, title: h.title, env: { SHELL: h.env?.SHELL } }), '# converted from a v2 recording'];
  let prev = 0;
  for (const l of lines) {
    const [t, code, data] = JSON.parse(l);
    out.push(JSON.stringify([Math.round((t - prev) * 1e6) / 1e6, code, data]));
    prev = t;
  }
  return out.join('\n') + '\n';
}

test('detection: asciicast v2/v3, script timing (advanced and classic) and script logs beat the generic adapter', () => {
  assert.equal(detectAdapter(read('alice.cast'))?.name, 'asciicast');
  assert.equal(detectAdapter(toV3(read('alice.cast')))?.name, 'asciicast');
  assert.equal(detectAdapter(read('carol.tm'))?.name, 'script-timing');
  assert.equal(detectAdapter('0.016167 8\n0.000867 10\n0.958212 1\n')?.name, 'script-timing');
  assert.equal(detectAdapter(read('carol.io'))?.name, 'script-log');
  assert.equal(scriptLogAdapter.role, 'side');
  assert.equal(detectAdapter('{"user":"a","time":"2026-03-02T14:03:11Z","rtt_ms":20}\n')?.name, 'generic');
});

test('echo matching: in order while typing faster than the round trip; unechoed keys dropped; Enter, Backspace, escapes', () => {
  const s = derive([
    [0, 'o', '\u001b[?2004hsrv$ '], [1000, 'i', 'a'], [1050, 'i', 'b'], [1100, 'i', 'c'],
    [1150, 'o', 'a'], [1200, 'o', '\u001b[1mb\u001b[0mc'], [1300, 'i', '\u007f'], [1420, 'o', '\b\u001b[K'], [1500, 'i', '\r'], [1640, 'o', '\r\nout\r\nsrv$ '],
  ], 'client');
  assert.deepEqual(values(s, 'app_rtt'), [150, 150, 100, 120, 140]);
  assert.deepEqual(values(s, 'keystroke_interval'), [50, 50, 200, 200]);
  assert.deepEqual(values(s, 'reaction'), [], 'client side: no reaction');
  // a password is not echoed: its keys are dropped after 2 s, not matched to later output
  const pw = derive([[0, 'i', 's'], [100, 'i', '3'], [200, 'i', '\r'], [2600, 'o', 's3cret? no'], [3000, 'i', 'l'], [3040, 'o', 'l']], 'client');
  assert.deepEqual(values(pw, 'app_rtt'), [40]);
  assert.equal(stripAnsi('\u001b]0;title\u0007\u001b[?2004hsrv$ \u001b(B'), 'srv$ ');
});

test('reaction (server side): end of an output burst to the next keystroke; bunched keys give zero intervals; pastes and pauses break the chain', () => {
  const s = derive([
    [0, 'i', 'l'], [1, 'o', 'l'], [150, 'i', 's'], [151, 'o', 's'], [300, 'i', '\r'], [302, 'o', '\r\napp.log\r\nsrv$ '],
    [1000, 'i', 'p'], [1001, 'o', 'p'], [1100, 'i', 'wd'], [1101, 'o', 'wd'], [1200, 'i', '\r'], [1205, 'o', '\r\n/root\r\nsrv$ '],
    [20000, 'i', 'x'], [20100, 'i', 'echo a long pasted line\r'], [20200, 'i', 'y'],
  ], 'server');
  assert.deepEqual(values(s, 'reaction'), [698]);
  assert.deepEqual(values(s, 'keystroke_interval'), [150, 150, 700, 100, 0, 100]);
  assert.deepEqual(values(s, 'app_rtt'), [], 'server side: echoes are local');
});

test('real client-side asciicasts: keystroke-to-echo app_rtt near vs far, account and side stated', async () => {
  const near = await runAdapter(asciicastAdapter, read('alice.cast'), {}, new SideData(), 'fixtures/exports/recordings/alice.cast');
  const far = await runAdapter(asciicastAdapter, read('mallory.cast'), {}, new SideData(), 'fixtures/exports/recordings/mallory.cast');
  for (const run of [near, far]) {
    assert.deepEqual(run.rejections, []);
    assert.ok(run.notes.some((n) => /^recording side: client \(the recorded command runs 'ssh srv'\)/.test(n)), run.notes.join('|'));
    assert.ok(values(run.samples, 'app_rtt').length >= 30);
    assert.ok(values(run.samples, 'keystroke_interval').length >= 30);
  }
  assert.ok(near.notes.includes('account alice, from the file name (alice)'));
  const nearFloor = quantile(values(near.samples, 'app_rtt'), 0.05);
  const farFloor = quantile(values(far.samples, 'app_rtt'), 0.05);
  assert.ok(nearFloor >= 10 && nearFloor < 40, `near floor ${nearFloor}`);
  assert.ok(farFloor >= 160 && farFloor < 230, `far floor ${farFloor} (2 x 80 ms one way)`);
  const header = JSON.parse(read('alice.cast').split('\n')[0]!);
  assert.equal(near.samples[0]!.timeUs >= header.timestamp * 1e6, true);
  assert.equal(near.samples[0]!.account, 'alice');
  assert.match(near.samples[0]!.sourceId!, /^alice:\d+$/);
  assert.equal(near.result.dialect, 'asciicast v2');
});

test('real server-side asciicasts: reaction carries the round trip; side from SSH_CONNECTION; --account-name and --recorded-at override', async () => {
  const near = await runAdapter(asciicastAdapter, read('bob.server.cast'), {}, new SideData(), 'recordings/bob.server.cast');
  const far = await runAdapter(asciicastAdapter, read('mallory.server.cast'), {}, new SideData(), 'recordings/mallory.server.cast');
  for (const run of [near, far]) {
    assert.ok(run.notes.some((n) => /^recording side: server \(the recorded environment has SSH_CONNECTION/.test(n)));
    assert.deepEqual(values(run.samples, 'app_rtt'), []);
    assert.ok(values(run.samples, 'reaction').length >= 5);
  }
  assert.equal(near.samples[0]!.account, 'bob');
  // think time >= 250 ms in the typist's model, plus the round trip
  assert.ok(Math.min(...values(near.samples, 'reaction')) >= 250);
  assert.ok(Math.min(...values(far.samples, 'reaction')) >= 250 + 160, `far reaction ${Math.min(...values(far.samples, 'reaction'))}`);
  const forced = await runAdapter(asciicastAdapter, read('bob.server.cast'), { accountName: 'CORP\\bob2', recordedAt: 'client' }, new SideData(), 'x.cast');
  assert.ok(forced.notes.includes('recording side: client (--recorded-at)'));
  assert.ok(forced.notes.includes('account CORP\\bob2, from --account-name'));
  assert.ok(forced.samples.every((s) => s.account === 'CORP\\bob2'));
});

test('asciicast v3 (intervals, comments, exit event) gives the same samples as the v2 recording it was made from', async () => {
  const v2 = await runAdapter(asciicastAdapter, read('alice.cast'), {}, new SideData(), 'alice.cast');
  const v3 = await runAdapter(asciicastAdapter, toV3(read('alice.cast')) + '[0.5, "x", "0"]\n', {}, new SideData(), 'alice.cast');
  assert.equal(v3.result.dialect, 'asciicast v3');
  assert.deepEqual(v3.samples.map((s) => [s.kind, s.line - 1]), v2.samples.map((s) => [s.kind, s.line]), 'one comment line shifts the lines');
  v3.samples.forEach((s, i) => assert.ok(Math.abs(s.timeUs - v2.samples[i]!.timeUs) <= 50, 'interval rounding only'));
});

test('real script --log-io recording: START_TIME anchors time, COMMAND says client side, bytes from the log; byte counts alone still match echoes', async () => {
  const side = new SideData();
  await runAdapter(scriptLogAdapter, read('carol.io'), {}, side, 'fixtures/exports/recordings/carol.io');
  const run = await runAdapter(scriptTimingAdapter, read('carol.tm'), {}, side, 'fixtures/exports/recordings/carol.tm');
  assert.deepEqual(run.rejections, []);
  assert.ok(run.notes.some((n) => /^recording side: client \(the recorded command runs 'ssh /.test(n)));
  assert.ok(run.notes.includes('bytes from fixtures/exports/recordings/carol.io'));
  const start = /START_TIME (.*)/.exec(read('carol.tm'))![1]!;
  assert.ok(run.samples[0]!.timeUs >= Date.parse(start.replace(' ', 'T')) * 1000);
  const rtt = values(run.samples, 'app_rtt');
  assert.ok(rtt.length >= 30 && quantile(rtt, 0.05) >= 10 && quantile(rtt, 0.05) < 40, `floor ${quantile(rtt, 0.05)}`);
  const alone = await runAdapter(scriptTimingAdapter, read('carol.tm'), {}, new SideData(), 'carol.tm');
  assert.ok(alone.notes.some((n) => /no log file with the bytes in this run \(carol.io\)/.test(n)));
  assert.equal(values(alone.samples, 'keystroke_interval').length, values(run.samples, 'keystroke_interval').length);
  assert.ok(Math.abs(quantile(values(alone.samples, 'app_rtt'), 0.5) - quantile(rtt, 0.5)) < 5);
  const classic = await runAdapter(scriptTimingAdapter, '0.016167 8\n0.000867 10\n', {}, new SideData(), 'c.tm');
  assert.equal(classic.samples.length, 0);
  assert.match(classic.notes[0]!, /classic timing file: 2 output chunk\(s\), no input recorded/);
});

test('malformed recordings: bad events and timing lines are counted with their line; headers without a time are errors', async () => {
  const cast = '{"version": 2, "width": 80, "height": 24, "timestamp": 1740475165}\n[0.5, "o", "x"]\nnot json\n[0.4, "i", "a"]\n["a", "i", "b"]\n[0.9, "i", "c"]\n';
  const run = await runAdapter(asciicastAdapter, cast, { recordedAt: 'client' }, new SideData(), 'z.cast');
  assert.deepEqual(run.rejections.map((r) => [r.line, r.reason]), [[3, 'event_invalid'], [4, 'event_out_of_order'], [5, 'event_invalid']]);
  assert.equal(run.result.records, 5);
  await assert.rejects(runAdapter(asciicastAdapter, '{"version": 2, "width": 80, "height": 24}\n[0.1, "o", "x"]\n'), (e: unknown) => isKeylagError(e) && /without "timestamp"/.test(e.message) && e.line === 1);
  const tm = await runAdapter(scriptTimingAdapter, 'H 0.000000 START_TIME 2025-02-25 09:19:14+01:00\nI 0.5 1\nX 1 2\nO -1 3\nI 0.1 1\n', { recordedAt: 'server' }, new SideData(), 't.tm');
  assert.deepEqual(reasons(tm), { timing_line_invalid: 2 });
  assert.deepEqual(tm.samples.map((s) => [s.kind, s.valueMs, s.timeUs]), [['keystroke_interval', 100, Date.UTC(2025, 1, 25, 8, 19, 14, 600) * 1000]]);
  await assert.rejects(runAdapter(scriptTimingAdapter, 'I 0.5 1\nO 0.1 1\n', {}, new SideData(), 't.tm'), (e: unknown) => isKeylagError(e) && /no START_TIME/.test(e.message));
  // A START_TIME without an offset is read as UTC, and says so through its time format (the header's
  // "timestamps without a UTC offset were read as UTC"); before, nothing said it.
  assert.deepEqual(tm.result.timeFormats, ['START_TIME header + entry delays']);
  const local = await runAdapter(scriptTimingAdapter, 'H 0.000000 START_TIME 2025-02-25 09:19:14\nI 0.5 1\nO 0.1 1\nI 0.1 1\n', { recordedAt: 'server' }, new SideData(), 'l.tm');
  assert.deepEqual(local.result.timeFormats, ['START_TIME header + entry delays', 'iso8601-no-offset']);
  assert.equal(local.samples[0]!.timeUs, Date.UTC(2025, 1, 25, 9, 19, 14, 700) * 1000);
});

test('tlog: real server-side recordings (tlog-rec --log-input); account from the user field; timing string and bad messages', async () => {
  const { tlogAdapter } = await import('../src/ingest/adapters/tlog.js');
  assert.equal(detectAdapter(read('dave.tlog'))?.name, 'tlog');
  const near = await runAdapter(tlogAdapter, read('dave.tlog'), {}, new SideData(), 'recordings/dave.tlog');
  const far = await runAdapter(tlogAdapter, read('mallory.tlog'), {}, new SideData(), 'recordings/mallory.tlog');
  for (const [run, user] of [[near, 'dave'], [far, 'mallory']] as const) {
    assert.deepEqual(run.rejections, []);
    assert.ok(run.notes.includes('recording side: server (tlog records the login shell on the server)'), run.notes.join('|'));
    assert.ok(run.notes.includes(`account ${user}, from the recording's user field`));
    assert.ok(values(run.samples, 'keystroke_interval').length >= 30);
    assert.ok(values(run.samples, 'reaction').length >= 5);
    assert.deepEqual(values(run.samples, 'app_rtt'), []);
  }
  assert.ok(Math.min(...values(near.samples, 'reaction')) >= 250);
  assert.ok(Math.min(...values(far.samples, 'reaction')) >= 250 + 160);
  // hand-made messages: timing with delays, text and binary runs; a broken line is counted
  const msg = (o: Record<string, unknown>) => JSON.stringify({ ver: '2.3', host: 'h', rec: 'r1', user: 'kim', term: 'xterm', session: 3, in_bin: [], out_bin: [], ...o });
  const text = [
    msg({ id: 1, pos: 0, time: 1740475165.5, timing: '=80x24>5+900<1+2>1+150<1+1>1', in_txt: 'ab', out_txt: 'srv$ ab' }),
    '{"ver": "2.3", broken',
    msg({ id: 2, pos: 2000, time: 1740475167.5, timing: '<1+3>2[2', in_txt: '\r', out_txt: '\r\n', in_bin: [27, 91] }),
  ].join('\n') + '\n';
  const run = await runAdapter(tlogAdapter, text, { recordedAt: 'client' }, new SideData(), 'k.tlog');
  assert.deepEqual(run.rejections.map((r) => [r.line, r.reason]), [[2, 'message_invalid']]);
  assert.deepEqual(values(run.samples, 'app_rtt'), [2, 1, 3]);
  assert.deepEqual(values(run.samples, 'keystroke_interval'), [152, 948, 3, 0], 'binary input: 2 keys at once');
  assert.equal(run.samples[0]!.timeUs, 1740475165500000 + 902000);
  assert.equal(run.samples[0]!.account, 'kim');
});

test('script -a: a log of appended sessions is read from the section that starts at the timing file\'s START_TIME (real util-linux script)', async () => {
  const dir = join(REPO_ROOT, 'fixtures/script-append');
  const io = readFileSync(join(dir, 'erin.io'), 'utf8');
  const tm = readFileSync(join(dir, 'erin.tm'), 'utf8');
  const starts = [...io.matchAll(/^Script started on (\S+ \S+)/gm)].map((m) => m[1]!);
  assert.equal(starts.length, 2);
  assert.equal(/START_TIME (.*)/.exec(tm)![1], starts[1], 'script -a: the timing file is the second session\'s');
  const side = new SideData();
  const log = await runAdapter(scriptLogAdapter, io, {}, side, 'fixtures/script-append/erin.io');
  assert.match(log.notes[0]!, /^script log: 2 sessions appended \(script -a; started .* at line 1, .* at line \d+\)/);
  const run = await runAdapter(scriptTimingAdapter, tm, { recordedAt: 'client' }, side, 'fixtures/script-append/erin.tm');
  const secondLine = io.split('\n').findIndex((l, i) => i > 0 && l.startsWith('Script started on')) + 1;
  assert.ok(run.notes.includes(`fixtures/script-append/erin.io holds 2 sessions appended (script -a); this timing file's START_TIME ${starts[1]} is the session at its line ${secondLine}, read from there`), run.notes.join('|'));
  assert.ok(run.notes.includes('bytes from fixtures/script-append/erin.io'));
  // every key typed in the second session is echoed by the local shell at once
  const typed = tm.split('\n').filter((l) => l.startsWith('I ')).length;
  const rtt = values(run.samples, 'app_rtt');
  assert.ok(rtt.length >= typed - 3, `${rtt.length} app_rtt of ${typed} keys`);
  assert.ok(quantile(rtt, 0.5) < 5, `local echoes, median ${quantile(rtt, 0.5)} ms`);
  // a timing file that starts at neither section: the log's bytes are not used, and the note says why
  const other = await runAdapter(scriptTimingAdapter, tm.replace(/START_TIME .*/, 'START_TIME 2020-01-01 00:00:00+00:00'), { recordedAt: 'client' }, side, 'x.tm');
  assert.ok(other.notes.includes('fixtures/script-append/erin.io holds 2 sessions appended (script -a) and none of them starts at this timing file\'s START_TIME (2020-01-01 00:00:00+00:00): its bytes are not used'), other.notes.join('|'));
  assert.ok(other.notes.includes('echoes matched by byte counts and order only'));
});

test('tlog messages as the journal exports them (journalctl -o json: MESSAGE) and as syslog writes them: the same samples as the messages themselves', async () => {
  const { tlogAdapter } = await import('../src/ingest/adapters/tlog.js');
  const messages = read('dave.tlog').split('\n').filter((l) => l.trim() !== '');
  const plain = await runAdapter(tlogAdapter, read('dave.tlog'), {}, new SideData(), 'recordings/dave.tlog');
  const journal = [
    JSON.stringify({ __CURSOR: 's=a;i=0', __REALTIME_TIMESTAMP: '1795612960000000', SYSLOG_IDENTIFIER: 'sshd', MESSAGE: 'Accepted publickey for dave' }),
    ...messages.map((m, i) => JSON.stringify({ __CURSOR: `s=a;i=${i + 1}`, __REALTIME_TIMESTAMP: '1795612963109000', SYSLOG_IDENTIFIER: 'tlog-rec-session', TLOG_USER: 'dave', MESSAGE: m })),
  ].join('\n') + '\n';
  const syslog = messages.map((m) => `Nov 25 13:22:43 vm tlog-rec-session[4242]: ${m}`).join('\n') + '\nNov 25 13:30:00 vm sshd[4240]: session closed\n';
  // The journal's first entry is another program's: detection looks at the first tlog-wrapping line only.
  const journalFirstTlog = journal.split('\n').slice(1).join('\n') + journal.split('\n')[0] + '\n';
  for (const [name, text, note] of [
    ['dave.journal.json', journalFirstTlog, 'journal export: tlog messages read from MESSAGE; 1 entry of other programs skipped'],
    ['dave.messages.log', syslog, 'syslog lines: tlog messages read after their prefix; 1 line of other programs skipped'],
  ] as const) {
    assert.equal(detectAdapter(text)?.name, 'tlog', name);
    const run = await runAdapter(tlogAdapter, text, {}, new SideData(), name);
    assert.ok(run.notes.includes(note), run.notes.join(' | '));
    assert.deepEqual(run.rejections, []);
    assert.deepEqual(run.samples.map((s) => [s.account, s.kind, s.timeUs, s.valueMs]), plain.samples.map((s) => [s.account, s.kind, s.timeUs, s.valueMs]), name);
  }
});
