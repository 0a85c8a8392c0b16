// Windows performance counter CSVs and session maps (issue 9, preset 2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { perfCountersAdapter } from '../src/ingest/adapters/perfcounters.js';
import { sessionsAdapter, hostFromFileName, sessionNameKey, lookupSession, SESSIONS_KEY, type SessionMap } from '../src/ingest/adapters/sessions.js';
import { detectAdapter } from '../src/ingest/registry.js';
import { SideData } from '../src/ingest/adapter.js';
import { exportPopulation, horizonCsv, qwinstaText, remoteFxCsv } from '../fixtures/generate-exports.js';
import { runAdapter, reasons, rejectsWith } from './helpers/adapter-run.js';

const QWINSTA = qwinstaText([
  { name: 'console', user: 'Administrator', id: 1, state: 'Active' },
  { name: 'rdp-tcp#3', user: 'jdoe', id: 2, state: 'Active' },
  { name: 'rdp-tcp#4', user: 'asmith', id: 3, state: 'Active' },
  { name: '', user: 'gone', id: 5, state: 'Disc' },
]);

const H = '"(PDH-CSV 4.0) (Pacific Standard Time)(480)","\\\\VDI-01\\RemoteFX Network(RDP-Tcp 3)\\Current TCP RTT","\\\\VDI-01\\RemoteFX Network(RDP-Tcp 3)\\Current UDP RTT","\\\\VDI-01\\Memory\\Available MBytes"';

async function withSessions(text: string, perf: string, file = 'VDI-01.qwinsta.txt', perfFile = 'perf.csv') {
  const side = new SideData();
  await runAdapter(sessionsAdapter, text, {}, side, file);
  return runAdapter(perfCountersAdapter, perf, {}, side, perfFile);
}

test('detection: PDH-CSV header, qwinsta listing and host,session,account CSV beat the generic adapter', () => {
  assert.equal(detectAdapter(`${H}\r\n`)?.name, 'perfcounters');
  assert.equal(detectAdapter(`\r\n${H}\r\n`)?.name, 'perfcounters', 'typeperf console output starts with an empty line');
  assert.equal(detectAdapter(QWINSTA)?.name, 'sessions');
  assert.equal(detectAdapter('host,session,account\nVDI-01,RDP-Tcp#3,jdoe\n')?.name, 'sessions');
  assert.equal(detectAdapter(' SITZUNGSNAME      BENUTZERNAME             ID  STATUS  TYP         GERÄT\n')?.name, 'sessions');
  assert.equal(sessionsAdapter.role, 'side');
});

test('RemoteFX TCP and UDP RTT per session, mapped through qwinsta (RDP-Tcp#3 == RDP-Tcp 3); other counters ignored', async () => {
  const run = await withSessions(QWINSTA, `${H}\r\n"02/25/2025 09:19:25.391","23.000000","21.000000","5120.000000"\r\n`);
  assert.deepEqual(run.rejections, []);
  assert.deepEqual(run.samples, [
    { account: 'jdoe', session: 'VDI-01/RDP-Tcp 3', timeUs: Date.UTC(2025, 1, 25, 17, 19, 25, 391) * 1000, kind: 'rtt', valueMs: 23, line: 2, sourceId: '\\\\VDI-01\\RemoteFX Network(RDP-Tcp 3)\\Current TCP RTT' },
    { account: 'jdoe', session: 'VDI-01/RDP-Tcp 3', timeUs: Date.UTC(2025, 1, 25, 17, 19, 25, 391) * 1000, kind: 'rtt', valueMs: 21, line: 2, sourceId: '\\\\VDI-01\\RemoteFX Network(RDP-Tcp 3)\\Current UDP RTT' },
  ]);
  assert.ok(run.notes.some((n) => /2 round-trip counter column\(s\) -> rtt \(ms\); 1 other counter column\(s\) ignored/.test(n)));
  assert.ok(run.notes.some((n) => /RDP-Tcp 3 -> jdoe \(session name, VDI-01.qwinsta.txt:4\)/.test(n)), run.notes.join('|'));
  assert.equal(sessionNameKey('RDP-Tcp#3'), sessionNameKey('RDP-Tcp 3'));
});

test('local time to UTC with the header bias, in both directions; PDH dates are month first', async () => {
  const east = await withSessions(QWINSTA, H.replace('(Pacific Standard Time)(480)', '(W. Europe Daylight Time)(-120)') + '\n"07/04/2025 00:30:00.000","20.000000"," ","1"\n');
  assert.equal(east.samples[0]!.timeUs, Date.UTC(2025, 6, 3, 22, 30) * 1000);
  const india = await withSessions(QWINSTA, H.replace('(Pacific Standard Time)(480)', '(India Standard Time)(-330)') + '\n"01/01/2025 05:30:00.000","20.000000"," ","1"\n');
  assert.equal(india.samples[0]!.timeUs, Date.UTC(2025, 0, 1, 0, 0) * 1000);
  const dayFirst = await withSessions(QWINSTA, `${H}\n"25/02/2025 09:19:25.391","20.000000"," ","1"\n`);
  assert.deepEqual(reasons(dayFirst), { time_unparseable: 1 }, 'a day-first date is rejected, never misread');
});

test('a log across a change of daylight time: times by the zone\'s rules, the hour written twice placed by order; unknown names keep the bias', async () => {
  // PDH stamps each sample with the machine's local time and writes the bias once, at the start: in
  // autumn the hour 01:00-02:00 is written twice, in spring 02:00-03:00 never (as logs show it).
  const header = (zone: string, bias: number) => H.replace('(Pacific Standard Time)(480)', `(${zone})(${bias})`);
  const rows = (stamps: string[]) => stamps.map((t) => `"${t}","20.000000"," ","1"`).join('\n');
  const times = (run: Awaited<ReturnType<typeof withSessions>>) => run.samples.map((x) => new Date(x.timeUs / 1000).toISOString().slice(11, 16));
  // New York, 1 November 2026: 02:00 EDT became 01:00 EST. Every 15 minutes from 00:30 EDT.
  const autumn = ['00:30', '00:45', '01:00', '01:15', '01:30', '01:45', '01:00', '01:15', '01:30', '01:45', '02:00'].map((t) => `11/01/2026 ${t}:00.000`);
  const fallBack = await withSessions(QWINSTA, `${header('Eastern Standard Time', 240)}\n${rows(autumn)}\n`);
  // Before: 05:00-05:45 twice and 02:00 EST at 06:00 (the bias of daylight time kept).
  assert.deepEqual(times(fallBack), ['04:30', '04:45', '05:00', '05:15', '05:30', '05:45', '06:00', '06:15', '06:30', '06:45', '07:00']);
  assert.ok(fallBack.notes.some((n) => /^5 row\(s\) after a change of daylight time in America\/New_York .*; 8 row\(s\) in the hour the clocks went back placed by their order/.test(n)), fallBack.notes.join('|'));
  // 8 March 2026: 02:00 EST became 03:00 EDT; the header names the daylight name (as some logs do).
  const spring = await withSessions(QWINSTA, `${header('Eastern Daylight Time', 300)}\n${rows(['03/08/2026 01:30:00.000', '03/08/2026 01:45:00.000', '03/08/2026 03:00:00.000', '03/08/2026 03:15:00.000'])}\n`);
  // Before: 03:00 EDT at 08:00 UTC, an hour late.
  assert.deepEqual(times(spring), ['06:30', '06:45', '07:00', '07:15']);
  // A name keylag does not know (a German Windows): the bias throughout, said.
  const german = await withSessions(QWINSTA, `${header('Mitteleuropäische Zeit', -60)}\n${rows(['10/25/2026 01:30:00.000', '10/25/2026 03:30:00.000'])}\n`);
  assert.deepEqual(times(german), ['00:30', '02:30']);
  assert.ok(german.notes.some((n) => /time zone 'Mitteleuropäische Zeit' is not a Windows zone name keylag knows: .*bias\) throughout/.test(n)), german.notes.join('|'));
  // A bias the zone does not have at the first time: the bias, as written, said.
  const odd = await withSessions(QWINSTA, `${header('Pacific Standard Time', 300)}\n${rows(['02/25/2025 09:00:00.000'])}\n`);
  assert.deepEqual(times(odd), ['14:00']);
  assert.ok(odd.notes.some((n) => /is not at bias 300 min at the log's first time/.test(n)), odd.notes.join('|'));
});

test('typeperf console output: leading empty line, blank cells skipped (not rejected), trailing status lines ignored', async () => {
  const accounts = exportPopulation().slice(0, 2);
  const csv = remoteFxCsv({
    host: 'VDI-01', console: true, minutes: 10, intervalS: 60,
    sessions: [
      { account: accounts[0]!, rdpName: 'RDP-Tcp#3', id: 2, startMin: 0, endMin: 10 },
      { account: accounts[1]!, rdpName: 'RDP-Tcp#4', id: 3, startMin: 5, endMin: 10 },
    ],
  });
  assert.match(csv, /^\r\n"\(PDH-CSV 4\.0\)/);
  assert.match(csv, /The command completed successfully\.\r\n$/);
  const run = await withSessions(QWINSTA, csv);
  assert.deepEqual(run.rejections, []);
  assert.equal(run.result.records, 11);
  assert.equal(run.samples.length, 11 * 2 + 6 * 2);
  assert.deepEqual(new Set(run.samples.map((s) => s.account)), new Set(['jdoe', 'asmith']));
  assert.ok(run.notes.includes('10 blank cell(s) (counter not sampled) skipped'));
  assert.ok(run.notes.includes('2 typeperf status line(s) after the data ignored'));
});

test('Horizon: Blast RTT by session ID, PCoIP round trip latency through the only active session', async () => {
  const uma = exportPopulation().find((a) => a.name === 'uma')!;
  const csv = horizonCsv({ host: 'HZN-07', minutes: 4, intervalS: 60, blastUntilMin: 2, sessions: [{ account: uma, rdpName: 'console', id: 2, startMin: 0, endMin: 4 }] });
  const listing = qwinstaText([{ name: 'console', user: 'uma', id: 2, state: 'Active' }]);
  const run = await withSessions(listing, csv, 'HZN-07_qwinsta.txt');
  assert.deepEqual(run.rejections, []);
  assert.deepEqual(run.samples.map((s) => [s.account, s.session, s.line]), [
    ['uma', 'HZN-07/session id: 2; (main)', 2], ['uma', 'HZN-07/session id: 2; (main)', 3],
    ['uma', 'HZN-07/PCoIP Session', 4], ['uma', 'HZN-07/PCoIP Session', 5], ['uma', 'HZN-07/PCoIP Session', 6],
  ]);
  assert.equal(run.samples[0]!.timeUs, Date.UTC(2025, 6, 24, 7, 0, 0, 250) * 1000, 'W. Europe Daylight Time, bias -120');
  assert.ok(run.notes.some((n) => /session ID 2/.test(n)) && run.notes.some((n) => /only active session/.test(n)));
  // two active sessions: PCoIP's instance cannot say which one
  const two = qwinstaText([{ name: 'console', user: 'uma', id: 2, state: 'Active' }, { name: 'rdp-tcp#0', user: 'vic', id: 3, state: 'Active' }]);
  const amb = await withSessions(two, csv, 'HZN-07.qwinsta.txt');
  assert.equal(reasons(amb).session_unmapped, 3);
  assert.match(amb.rejections[0]!.detail, /names no session and host HZN-07 has 2 active sessions/);
});

test('host,session,account CSV: names and IDs; a listing without a host name serves every host', async () => {
  const perf = '"(PDH-CSV 4.0) (UTC)(0)","\\\\A\\RemoteFX Network(RDP-Tcp 7)\\Current TCP RTT","\\\\B\\VMware Blast Session Counters(session id: 4; (main))\\RTT"\n"03/01/2025 10:00:00.000","30.000000","40.000000"\n';
  const run = await withSessions('host,session,account\nA,RDP-Tcp#7,CORP\\kim\nB,4,leo@corp.example\n', perf, 'map.csv');
  assert.deepEqual(run.samples.map((s) => [s.account, s.valueMs]), [['CORP\\kim', 30], ['leo@corp.example', 40]]);
  const anyHost = await withSessions(QWINSTA.replace('rdp-tcp#3', 'rdp-tcp#7'), perf, 'qwinsta.txt');
  assert.deepEqual(anyHost.samples.map((s) => s.account), ['jdoe']);
  assert.deepEqual(reasons(anyHost), { session_unmapped: 1 });
  assert.equal(hostFromFileName('exports/VDI-01.qwinsta.txt'), 'vdi-01');
  assert.equal(hostFromFileName('VDI-02_query-session.txt'), 'vdi-02');
  assert.equal(hostFromFileName('qwinsta.txt'), '');
  const side = new SideData();
  await runAdapter(sessionsAdapter, QWINSTA, {}, side, 'VDI-01.qwinsta.txt');
  const map = side.get<SessionMap>(SESSIONS_KEY)!;
  assert.deepEqual(map.hosts.get('vdi-01')!.map((s) => [s.name, s.account, s.id, s.state]), [
    ['console', 'Administrator', 1, 'Active'], ['rdp-tcp#3', 'jdoe', 2, 'Active'], ['rdp-tcp#4', 'asmith', 3, 'Active'], ['', 'gone', 5, 'Disc'],
  ]);
  assert.deepEqual(lookupSession(map, 'VDI-01', 'RDP-Tcp 9'), { ok: false, detail: "host VDI-01 has no session named 'RDP-Tcp 9'" });
});

test('missing joins and malformed lines: no session map is an error; unmapped sessions, ragged rows, bad values are counted with their line', async () => {
  await rejectsWith(runAdapter(perfCountersAdapter, `${H}\n"02/25/2025 09:19:25.391","23.000000"," ","1"\n`), /name sessions, not accounts: give the saved 'qwinsta' output of VDI-01/, 1);
  const run = await withSessions(QWINSTA.replace('rdp-tcp#3', 'rdp-tcp#8'),
    `${H}\n"02/25/2025 09:19:25.391","23.000000"," ","1"\n"02/25/2025 09:19:26.391","x","1"\n"02/25/2025 09:19:27.391","-1.000000"," ","1"\n"02/25/2025 09:19:28.391","1e999"," ","1"\n`);
  assert.deepEqual(run.rejections.map((r) => [r.line, r.reason]), [[2, 'session_unmapped'], [3, 'row_ragged'], [4, 'value_negative'], [5, 'value_not_finite']]);
  await rejectsWith(withSessions(QWINSTA, `${H}\n"02/25/2025 09:19:25.391,"23.000000"," ","1"\n`), /malformed CSV/);
  await rejectsWith(withSessions(QWINSTA, '"Time","\\\\VDI-01\\RemoteFX Network(RDP-Tcp 3)\\Current TCP RTT"\n'), /not a PDH-CSV header/, 1);
  await rejectsWith(runAdapter(sessionsAdapter, 'host,session,account\n', {}, new SideData(), 'm.csv').then(() => runAdapter(sessionsAdapter, 'host,account\nA,b\n', {}, new SideData(), 'm.csv')), /needs host, session and account/);
});

test("a listing named after one host never maps another host's sessions: they are session_unmapped, with a note", async () => {
  const perf = '"(PDH-CSV 4.0) (UTC)(0)","\\\\VDI-01\\RemoteFX Network(RDP-Tcp 3)\\Current TCP RTT","\\\\VDI-02\\RemoteFX Network(RDP-Tcp 3)\\Current TCP RTT"\n'
    + '"03/01/2025 10:00:00.000","20.000000","150.000000"\n"03/01/2025 10:00:15.000","21.000000","151.000000"\n';
  const run = await withSessions(QWINSTA, perf, 'VDI-01.qwinsta.txt');
  assert.deepEqual(run.samples.map((s) => [s.account, s.session, s.valueMs]), [['jdoe', 'VDI-01/RDP-Tcp 3', 20], ['jdoe', 'VDI-01/RDP-Tcp 3', 21]]);
  assert.deepEqual(run.rejections.map((r) => [r.line, r.reason, r.detail]), [
    [2, 'session_unmapped', 'no session listing for host VDI-02'], [3, 'session_unmapped', 'no session listing for host VDI-02'],
  ]);
  assert.ok(run.notes.some((n) => /^no session listing of host VDI-02 \(listings given: vdi-01\): its sessions are session_unmapped/.test(n)), run.notes.join('|'));
  // a listing whose file name names no host still serves every host, and the note says which listing stood in
  const any = await withSessions(QWINSTA, perf, 'qwinsta.txt');
  assert.deepEqual(any.samples.map((s) => [s.account, s.valueMs]), [['jdoe', 20], ['jdoe', 150], ['jdoe', 21], ['jdoe', 151]]);
  assert.ok(any.notes.some((n) => /VDI-02 RDP-Tcp 3 -> jdoe \(session name \(listing naming no host\), qwinsta.txt:4\)/.test(n)), any.notes.join('|'));
});

test('an RTT counter reading 0 measured nothing (Current UDP RTT of a session over TCP): rejected as rtt_zero, never a 0 ms floor', async () => {
  const run = await withSessions(QWINSTA,
    `${H}\n"02/25/2025 09:19:25.391","150.000000","0.000000","1"\n"02/25/2025 09:19:40.391","152.000000","0.000000","1"\n"02/25/2025 09:19:55.391","0","149.000000","1"\n`);
  assert.deepEqual(run.samples.map((s) => [s.line, s.valueMs, s.sourceId?.endsWith('UDP RTT') ? 'udp' : 'tcp']), [[2, 150, 'tcp'], [3, 152, 'tcp'], [4, 149, 'udp']]);
  assert.deepEqual(run.rejections.map((r) => [r.line, r.reason, r.detail]), [
    [2, 'rtt_zero', '\\\\VDI-01\\RemoteFX Network(RDP-Tcp 3)\\Current UDP RTT=0.000000: counter reads 0: not measured'],
    [3, 'rtt_zero', '\\\\VDI-01\\RemoteFX Network(RDP-Tcp 3)\\Current UDP RTT=0.000000: counter reads 0: not measured'],
    [4, 'rtt_zero', '\\\\VDI-01\\RemoteFX Network(RDP-Tcp 3)\\Current TCP RTT=0: counter reads 0: not measured'],
  ]);
  assert.ok(run.notes.some((n) => n.startsWith('3 RTT reading(s) of 0 rejected as rtt_zero')), run.notes.join('|'));
});

test('typeperf -f TSV (PDH-TSV 4.0): the same data tab separated is read as the CSV is', async () => {
  const csv = `${H}\r\n"02/25/2025 09:19:25.391","23.000000","21.000000","5120.000000"\r\n`;
  const tsv = csv.replace('PDH-CSV', 'PDH-TSV').replace(/","/g, '"\t"');
  assert.equal(detectAdapter(`\r\n${tsv}`)?.name, 'perfcounters');
  const fromCsv = await withSessions(QWINSTA, csv);
  const fromTsv = await withSessions(QWINSTA, tsv, 'VDI-01.qwinsta.txt', 'perf.tsv');
  assert.deepEqual(fromTsv.rejections, []);
  assert.deepEqual(fromTsv.samples, fromCsv.samples);
  assert.equal(fromTsv.samples.length, 2);
  assert.equal(fromTsv.result.dialect, 'PDH-TSV 4.0');
});

test('quser (query user) output is a session listing too: user first, session name blank when disconnected', async () => {
  const quser = ' USERNAME              SESSIONNAME        ID  STATE   IDLE TIME  LOGON TIME\r\n'
    + ' jdoe                  rdp-tcp#3           2  Active          .  2/24/2025 7:58 AM\r\n'
    + '>asmith                rdp-tcp#4           3  Active          5  2/24/2025 7:40 AM\r\n'
    + ' gone                                      5  Disc         1:02  2/23/2025 4:00 PM\r\n';
  assert.equal(detectAdapter(quser)?.name, 'sessions');
  const side = new SideData();
  const listing = await runAdapter(sessionsAdapter, quser, {}, side, 'VDI-01.quser.txt');
  assert.deepEqual(side.get<SessionMap>(SESSIONS_KEY)!.hosts.get('vdi-01')!.map((s) => [s.name, s.account, s.id, s.state, s.line]), [
    ['rdp-tcp#3', 'jdoe', 2, 'Active', 2], ['rdp-tcp#4', 'asmith', 3, 'Active', 3], ['', 'gone', 5, 'Disc', 4],
  ]);
  assert.deepEqual(listing.notes, ['quser listing (read as a qwinsta listing) of host vdi-01: 3 user session(s)']);
  const run = await runAdapter(perfCountersAdapter, `${H}\r\n"02/25/2025 09:19:25.391","23.000000"," ","1"\r\n`, {}, side, 'perf.csv');
  assert.deepEqual(run.samples.map((s) => s.account), ['jdoe']);
});

test('a file of no round-trip counter keylag reads (counters named in another language) stops with the counters found, not a report of nothing', async () => {
  // typeperf on a German Windows writes its counters' German names; the bias of Central European Time is -60.
  const perf = '"(PDH-CSV 4.0) (Mitteleuropäische Zeit)(-60)","\\\\VDI-01\\RemoteFX-Netzwerk(RDP-Tcp 3)\\Aktuelle TCP-RTT","\\\\VDI-01\\Prozessor(_Total)\\Prozessorzeit (%)"\r\n'
    + '"12/07/2026 21:43:05.123","23.000000","12.5"\r\n';
  await rejectsWith(withSessions(QWINSTA, perf), new RegExp('no round-trip counter among the file\'s 2 counter column\\(s\\) '
    + '\\(\\\\\\\\VDI-01\\\\RemoteFX-Netzwerk\\(RDP-Tcp 3\\)\\\\Aktuelle TCP-RTT, \\\\\\\\VDI-01\\\\Prozessor\\(_Total\\)\\\\Prozessorzeit \\(%\\)\\): '
    + 'keylag reads \\\\RemoteFX Network\\(\\*\\)\\\\Current TCP RTT, .* by their English names'), 1);
});
