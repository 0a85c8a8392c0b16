// Teleport session recordings (issue 9, preset 4): `tsh play --format=json` exports (indented array and
// JSON lines), echoes standing for keys, on hand-made logs with known timings and on the seeded fixture.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { teleportAdapter, stripPort } from '../src/ingest/adapters/teleport.js';
import { detectAdapter } from '../src/ingest/registry.js';
import { echoesAsKeystrokes, type TermEvent } from '../src/ingest/derive/recording.js';
import { runAdapter, reasons, rejectsWith } from './helpers/adapter-run.js';
import { runCli, REPO_ROOT } from './helpers/cli.js';
import { writeTeleport, tshPlayJson, tshExportLines, TELEPORT_PLANTED } from '../fixtures/generate-teleport.js';

const START = { ei: 0, event: 'session.start', uid: 'u-1', code: 'T2000I', time: '2025-02-25T09:00:00Z', cluster_name: 'c', user: 'alice@example.com', login: 'root', sid: 'sid-1', namespace: 'default', server_id: 'srv-id', server_hostname: 'srv01', 'addr.local': '10.0.0.1:3022', 'addr.remote': '[2001:db8::7]:51234', proto: 'ssh', size: '80:24', session_recording: 'node' };
const T0 = Date.UTC(2025, 1, 25, 9, 0, 0, 50) * 1000; // first print's time: ms 0

/** A print as Teleport writes it; times follow ms from the first print at 09:00:00.050. */
function print(ei: number, ms: number, bytes: number, ci = ei - 1): Record<string, unknown> {
  return { ei, event: 'print', time: new Date(T0 / 1000 + ms).toISOString(), cluster_name: 'c', ci, bytes, ms, offset: 0 };
}

// prompt, `l` `s` Enter, output, then after 600 ms idle a key, Backspace (4-byte echo), a key, Enter, output
const SMALL = [START, print(1, 0, 20), print(2, 700, 1), print(3, 820, 1), print(4, 1000, 2), print(5, 1010, 300),
  print(6, 1610, 1), print(7, 1700, 4), print(8, 1750, 1), print(9, 1900, 2), print(10, 1905, 50),
  { ei: 11, event: 'session.end', code: 'T2004I', time: '2025-02-25T09:00:02.1Z', user: 'alice@example.com', sid: 'sid-1' }];
const lines = (evs: readonly Record<string, unknown>[]) => evs.map((e) => JSON.stringify(e)).join('\n') + '\n';
const of = (run: Awaited<ReturnType<typeof runAdapter>>, kind: string) => run.samples.filter((s) => s.kind === kind);

test('detection: both tsh play shapes are teleport; asciicast, tlog, generic JSON lines and Citrix keep theirs', () => {
  assert.equal(detectAdapter(lines(SMALL))?.name, 'teleport');
  assert.equal(detectAdapter(tshPlayJson(SMALL))?.name, 'teleport');
  const rec = join(REPO_ROOT, 'fixtures/exports/recordings');
  assert.equal(detectAdapter(readFileSync(join(rec, 'alice.cast'), 'utf8'))?.name, 'asciicast');
  assert.equal(detectAdapter(readFileSync(join(rec, 'dave.tlog'), 'utf8'))?.name, 'tlog');
  assert.equal(detectAdapter(readFileSync(join(REPO_ROOT, 'fixtures/exports/citrix/SessionMetrics.json'), 'utf8').slice(0, 65536))?.name, 'citrix');
  assert.equal(detectAdapter('{"user":"a","time":"2026-03-02T14:03:11Z","rtt_ms":20}\n')?.name, 'generic');
  assert.equal(detectAdapter('{"event":"print","account":"a","time":"2026-03-02T14:03:11Z","rtt_ms":20}\n')?.name, 'generic', 'no "ei": not Teleport');
  assert.equal(detectAdapter('[{"ei":1,"event":"user.login","time":"2026-03-02T14:03:11Z"}]')?.name !== 'teleport', true, 'no session event type in the head');
  for (const f of readdirSync(join(REPO_ROOT, 'fixtures/teleport'))) {
    assert.equal(detectAdapter(readFileSync(join(REPO_ROOT, 'fixtures/teleport', f), 'utf8').slice(0, 65536))?.name, 'teleport', f);
  }
});

test('a small log with known timings: keystroke_interval between echoes, reaction from the output burst to the next echo', async () => {
  const run = await runAdapter(teleportAdapter, lines(SMALL), {}, undefined, 'exports/sid-1.jsonl');
  assert.deepEqual(run.rejections, []);
  assert.deepEqual(of(run, 'keystroke_interval').map((s) => s.valueMs), [120, 180, 610, 90, 50, 150]);
  const reaction = of(run, 'reaction');
  assert.deepEqual(reaction.map((s) => s.valueMs), [600]);
  assert.equal(of(run, 'app_rtt').length, 0, 'no keystroke times apart from their echoes: no app_rtt');
  // every field used: account from session.start user, sid, addr.remote without its port, ei, file line, ms-based time
  const r = reaction[0]!;
  assert.equal(r.account, 'alice@example.com');
  assert.equal(r.session, 'sid-1');
  assert.equal(r.clientAddress, '2001:db8::7');
  assert.equal(r.sourceId, 'ei=6');
  assert.equal(r.line, 7);
  assert.equal(r.timeUs, T0 + 1610_000);
  assert.ok(run.samples.every((s) => s.clientAddress === '2001:db8::7' && s.session === 'sid-1'));
  assert.deepEqual(of(run, 'keystroke_interval').map((s) => s.sourceId), ['ei=3', 'ei=4', 'ei=6', 'ei=7', 'ei=8', 'ei=9']);
  assert.equal(run.result.records, 12);
  assert.match(run.result.dialect, /^Teleport session events \(JSON lines; 1 session\(s\)\)$/);
  assert.ok(run.notes.some((n) => /server-side OUTPUT only .* no app_rtt/.test(n)), run.notes.join('\n'));
  assert.ok(run.notes.includes('session sid-1; Teleport user alice@example.com, login root; client 2001:db8::7 (addr.remote); node srv01; recorded at node'), run.notes.join('\n'));
  assert.ok(run.notes.includes('recording side: server (Teleport records on the node, or on the proxy in proxy mode)'));
  assert.ok(run.notes.includes('7 keystroke(s): 6 keystroke_interval, 1 reaction'), run.notes.join('\n'));
  assert.ok(run.notes.includes('1 event(s) of other types (session.end, resize, ...) not used'));
  // the indented array of `tsh play --format=json <sid>` gives the same samples, at each event's first line
  const arr = await runAdapter(teleportAdapter, tshPlayJson(SMALL));
  assert.deepEqual(arr.samples.map((s) => [s.kind, s.valueMs, s.timeUs, s.sourceId]), run.samples.map((s) => [s.kind, s.valueMs, s.timeUs, s.sourceId]));
  const text = tshPlayJson(SMALL).split('\n');
  assert.match(text[arr.samples.find((s) => s.kind === 'reaction')!.line - 1]!, /^ {4}\{$/);
  assert.equal(text[arr.samples.find((s) => s.kind === 'reaction')!.line]!, '        "ei": 6,');
  assert.match(arr.result.dialect, /JSON array, tsh play --format=json/);
});

test('ms counts from the start (the first print), not from the previous event; print times after the first are not used', async () => {
  // every later print claims the first print's time: only ms places them
  const sameTime = SMALL.map((e) => (e.event === 'print' ? { ...e, time: '2025-02-25T09:00:00.05Z' } : e));
  const run = await runAdapter(teleportAdapter, lines(sameTime));
  assert.deepEqual(of(run, 'keystroke_interval').map((s) => s.valueMs), [120, 180, 610, 90, 50, 150]);
  assert.deepEqual(of(run, 'keystroke_interval').map((s) => (s.timeUs - T0) / 1000), [820, 1000, 1610, 1700, 1750, 1900]);
  // were ms counted from the previous event, ms 120 after ms 700 would be a 120 ms step; counted from the start it
  // goes backwards: the print is out of order and rejected, the next one measures from the last accepted print
  const back = await runAdapter(teleportAdapter, lines([START, print(1, 0, 20), print(2, 700, 1), print(3, 120, 1), print(4, 820, 1)]));
  assert.deepEqual(reasons(back), { print_out_of_order: 1 });
  assert.equal(back.rejections[0]!.line, 4);
  assert.match(back.rejections[0]!.detail, /ms 120 after 700/);
  assert.deepEqual(of(back, 'keystroke_interval').map((s) => s.valueMs), [120]);
});

test('no session.start: account from the file name (or --account-name), and the report says so', async () => {
  const prints = SMALL.filter((e) => e.event === 'print');
  const run = await runAdapter(teleportAdapter, lines(prints), {}, undefined, 'exports/eve.session.json');
  assert.deepEqual(of(run, 'reaction').map((s) => [s.account, s.valueMs]), [['eve', 600]]);
  assert.ok(run.samples.every((s) => s.clientAddress === undefined && s.session === 'eve'));
  assert.ok(run.notes.includes('no session.start before line 1: account eve from the file name (eve) (--account-name overrides)'), run.notes.join('\n'));
  const forced = await runAdapter(teleportAdapter, lines(prints), { accountName: 'zed' }, undefined, 'exports/eve.session.json');
  assert.ok(forced.samples.every((s) => s.account === 'zed'));
  assert.ok(forced.notes.includes('no session.start before line 1: account zed from --account-name'));
  // prints written before session.start (the recorder is attached first) belong to that session
  const late = await runAdapter(teleportAdapter, lines([print(1, 0, 20), print(2, 700, 1), START, ...SMALL.slice(3)]), {}, undefined, 'exports/eve.session.json');
  assert.deepEqual(of(late, 'reaction').map((s) => [s.account, s.session, s.clientAddress, s.valueMs]), [['alice@example.com', 'sid-1', '2001:db8::7', 600]]);
  assert.ok(!late.notes.some((n) => /no session\.start/.test(n)), late.notes.join('\n'));
  // --account-name also overrides a session.start user
  const over = await runAdapter(teleportAdapter, lines(SMALL), { accountName: 'zed' });
  assert.ok(over.samples.every((s) => s.account === 'zed'));
});

test('malformed events: counted rejections with their lines; a truncated array is an error naming its line; --recorded-at client is ignored', async () => {
  const text = [JSON.stringify(START), JSON.stringify(print(1, 0, 20)), '{"ei":2,"event":"print","ms":', JSON.stringify(print(3, 700, 1)),
    '"just a string"', JSON.stringify({ ei: 5, event: 'print', time: 'x', bytes: 1 }), JSON.stringify({ ei: 6, time: 'x' }), JSON.stringify(print(7, 820, 1))].join('\n');
  const run = await runAdapter(teleportAdapter, text, { recordedAt: 'client' });
  assert.deepEqual(reasons(run), { event_invalid: 3, print_invalid: 1 });
  assert.deepEqual(run.rejections.map((r) => r.line), [3, 5, 6, 7]);
  assert.match(run.rejections[2]!.detail, /"ms" and "bytes" must be non-negative integers/);
  assert.deepEqual(of(run, 'keystroke_interval').map((s) => [s.valueMs, s.line]), [[120, 8]]);
  assert.ok(run.notes.includes('--recorded-at client ignored: Teleport records on the node or the proxy, never on the client'));
  const arr = tshPlayJson(SMALL);
  const cut = arr.slice(0, arr.indexOf('"ei": 5'));
  const openLine = cut.split('\n').length - 1; // the `    {` line of event 5
  assert.equal(cut.split('\n')[openLine - 1], '    {');
  await rejectsWith(runAdapter(teleportAdapter, cut), /the JSON array ends inside an event/, openLine);
  const junk = await runAdapter(teleportAdapter, arr.replace('    },\n    {\n        "ei": 3,', '    }, oops\n    {\n        "ei": 3,'));
  assert.deepEqual(reasons(junk), { event_invalid: 1 });
  await rejectsWith(runAdapter(teleportAdapter, '\n\n'), /empty input: no Teleport events/);
  // an audit log has session.start but no prints: nothing derived, and the note says why
  const audit = await runAdapter(teleportAdapter, lines([START]));
  assert.equal(audit.samples.length, 0);
  assert.ok(audit.notes.some((n) => /session sid-1: no print events/.test(n)));
});

test('addr.remote without its port; echoes: 1-4 byte prints stand for one key each', () => {
  assert.equal(stripPort('[::1]:37718'), '::1');
  assert.equal(stripPort('203.0.113.7:51234'), '203.0.113.7');
  assert.equal(stripPort('2001:db8::1'), '2001:db8::1');
  assert.equal(stripPort('[2001:db8::1]'), '2001:db8::1');
  assert.equal(stripPort('client.example.com'), 'client.example.com');
  const ev = (timeUs: number, length: number, data: string | null = null): TermEvent => ({ timeUs, type: 'o', data, length, line: 1 });
  const out = echoesAsKeystrokes([ev(0, 5), ev(1, 1), ev(2, 4), ev(3, 2, '\r\n'), ev(4, 3, 'abc'), ev(5, 1, '\x07'), ev(6, 4, '\b\x1b[K'), ev(7, 3, '\b \b'), ev(8, 2, 'é'), ev(9, 2, 'ab')]);
  assert.deepEqual(out.map((e) => `${e.type}${e.keys ?? ''}`), ['o', 'i1', 'o', 'i1', 'o', 'i1', 'o', 'o', 'o', 'i1', 'o', 'i1', 'o', 'i1', 'o', 'o']);
  assert.ok(out.filter((e) => e.type === 'i').every((e) => e.data === null));
});

test('keylag scan fixtures/teleport/: every recording read as teleport, the relayed account ranks first, the honest ones stay quiet', () => {
  const r = runCli(['scan', 'fixtures/teleport/', '--format', 'json']);
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { header: { inputs: { path: string; format: string; status: string; samples: number }[]; rejections: unknown[] }; accounts: { account: string; rank: number; score: number; flagged: boolean; headlineKind: string; floorMs: number; kinds: { kind: string; n: number; floor: { valueMs: number } }[] }[] };
  assert.equal(report.header.inputs.length, 12);
  assert.ok(report.header.inputs.every((i) => i.format.startsWith('teleport') && i.status === 'read' && i.samples > 200), JSON.stringify(report.header.inputs));
  assert.deepEqual(report.header.rejections, []);
  assert.deepEqual(report.accounts.map((a) => a.account).sort(), ['alice', 'bob', 'carol', 'mallory']);
  const top = report.accounts[0]!;
  assert.equal(top.account, TELEPORT_PLANTED);
  assert.equal(top.rank, 1);
  assert.equal(top.headlineKind, 'reaction');
  const honest = report.accounts.slice(1);
  assert.ok(honest.every((a) => a.score === 0 && !a.flagged && a.score < top.score), JSON.stringify(honest.map((a) => [a.account, a.score])));
  // derived floors: reaction carries the round trip (about 180 ms relayed vs 22-38 ms) plus the person's 250 ms+ think time
  const floor = (a: (typeof report.accounts)[number], kind: string) => a.kinds.find((k) => k.kind === kind)!.floor.valueMs;
  assert.ok(floor(top, 'reaction') >= 250 + 180 + 150, String(floor(top, 'reaction')));
  assert.ok(honest.every((a) => floor(a, 'reaction') < floor(top, 'reaction') - 80), JSON.stringify(honest.map((a) => floor(a, 'reaction'))));
  for (const a of report.accounts) {
    assert.equal(a.kinds.find((k) => k.kind === 'reaction')!.n, 90, a.account);
    assert.ok(floor(a, 'keystroke_interval') >= 40 && floor(a, 'keystroke_interval') <= 120, `${a.account} ${floor(a, 'keystroke_interval')}`);
  }
});

test('keylag formats lists the teleport preset with its example', () => {
  const r = runCli(['formats']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^teleport\n  Teleport session recording as JSON .+\n  example:\n    \{"ei":0,"event":"session\.start"/m);
});

test('the generated Teleport recordings are the committed ones (seeded, byte for byte)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keylag-teleport-'));
  const written = writeTeleport(dir);
  assert.deepEqual([...written].sort(), readdirSync(join(REPO_ROOT, 'fixtures/teleport')).sort());
  for (const f of written) assert.equal(readFileSync(join(dir, f), 'utf8'), readFileSync(join(REPO_ROOT, 'fixtures/teleport', f), 'utf8'), f);
  // the two shapes: an indented array ending `    }]`, and compact lines keeping uid
  const arr = readFileSync(join(dir, written.find((f) => f.endsWith('.json'))!), 'utf8');
  assert.ok(arr.startsWith('[\n    {\n        "ei": 0,\n        "event": "session.start",\n        "code": "T2000I",') && arr.endsWith('    }]\n'));
  assert.equal(tshExportLines([{ a: 1 }]), '{"a":1}\n');
});
