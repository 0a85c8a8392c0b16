// Citrix Monitor Service OData JSON (issue 9, preset 3).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { citrixAdapter, citrixSideAdapter } from '../src/ingest/adapters/citrix.js';
import { detectAdapter } from '../src/ingest/registry.js';
import { SideData } from '../src/ingest/adapter.js';
import { citrixOData, exportPopulation } from '../fixtures/generate-exports.js';
import { runAdapter, reasons, rejectsWith } from './helpers/adapter-run.js';

const CTX = 'https://ddc/Citrix/Monitor/OData/v4/Data/$metadata#';
const USERS = JSON.stringify({ '@odata.context': `${CTX}Users`, value: [{ Id: 42, Sid: 'S-1-5-21-1', UserName: 'jdoe', Upn: 'jdoe@corp.example', FullName: 'J Doe', Domain: 'CORP' }, { Id: 43, UserName: 'ann', Domain: 'CORP', Upn: null }] });
const SESSIONS = JSON.stringify({ '@odata.context': `${CTX}Sessions`, value: [{ SessionKey: 'AAAA-1', UserId: 42, MachineId: 'm1', ConnectionState: 3 }, { SessionKey: 'bbbb-2', UserId: 43 }] });

async function withSide(metrics: string, side = [USERS, SESSIONS]) {
  const data = new SideData();
  for (const s of side) await runAdapter(citrixSideAdapter, s, {}, data, 'side.json');
  return runAdapter(citrixAdapter, metrics, {}, data, 'SessionMetrics.json');
}

test('detection: SessionMetrics (compact or indented, v3 or v4) beats the generic JSON Lines adapter; Sessions/Users are side files', () => {
  const files = citrixOData({ accounts: exportPopulation().slice(0, 2), sessionsPerAccount: 1, metricsPerSession: 2 });
  assert.equal(detectAdapter(files.sessionMetrics)?.name, 'citrix');
  assert.equal(detectAdapter(files.expanded)?.name, 'citrix');
  assert.equal(detectAdapter(files.sessions)?.name, 'citrix-side');
  assert.equal(detectAdapter(files.users)?.name, 'citrix-side');
  assert.equal(detectAdapter('{"odata.metadata":"http://ddc/Citrix/Monitor/OData/v3/Data/$metadata#SessionMetrics","value":[]}')?.name, 'citrix');
  assert.equal(detectAdapter('[\r\n    {\r\n        "Id":  1,\r\n        "SessionId":  "k",\r\n        "IcaRttMS":  40\r\n    }\r\n]')?.name, 'citrix');
  // ordinary JSON Lines stays generic
  assert.equal(detectAdapter('{"user":"a","time":"2026-03-02T14:03:11Z","rtt_ms":20}\n')?.name, 'generic');
  assert.equal(citrixSideAdapter.role, 'side');
});

test('every documented field: IcaRttMS -> app_rtt, IcaLatency -> rtt, CollectedDate, SessionId -> Sessions -> Users (Upn, else DOMAIN\\UserName)', async () => {
  const metrics = JSON.stringify({ '@odata.context': `${CTX}SessionMetrics`, value: [
    { Id: 7, SessionId: 'aaaa-1', CollectedDate: '2025-02-25T09:19:25.39Z', IcaRttMS: 48, IcaLatency: 31 },
    { Id: 8, SessionId: 'bbbb-2', CollectedDate: '2025-02-25T11:19:25+02:00', IcaRttMS: null, IcaLatency: 12.5 },
  ] });
  const run = await withSide(metrics);
  assert.deepEqual(run.rejections, []);
  assert.deepEqual(run.samples, [
    { account: 'jdoe@corp.example', session: 'aaaa-1', timeUs: Date.UTC(2025, 1, 25, 9, 19, 25, 390) * 1000, kind: 'app_rtt', valueMs: 48, line: 1, sourceId: 'SessionMetrics(7)' },
    { account: 'jdoe@corp.example', session: 'aaaa-1', timeUs: Date.UTC(2025, 1, 25, 9, 19, 25, 390) * 1000, kind: 'rtt', valueMs: 31, line: 1, sourceId: 'SessionMetrics(7)' },
    { account: 'CORP\\ann', session: 'bbbb-2', timeUs: Date.UTC(2025, 1, 25, 9, 19, 25) * 1000, kind: 'rtt', valueMs: 12.5, line: 1, sourceId: 'SessionMetrics(8)' },
  ]);
  assert.ok(run.notes.includes('1 null metric value(s) (not measured) skipped'));
  assert.deepEqual(run.result.timeFormats, ['ISO 8601 with UTC offset']);
});

test('v3 documents: JSON light without offsets (UTC), verbose d.results with /Date(ms)/, a bare array from ConvertTo-Json; lines of indented records', async () => {
  const light = await withSide('{"odata.metadata":"http://ddc/Citrix/Monitor/OData/v3/Data/$metadata#SessionMetrics","value":[{"Id":1,"SessionId":"aaaa-1","CollectedDate":"2025-02-25T09:19:25.39","IcaRttMS":40,"IcaLatency":30}]}');
  assert.equal(light.samples[0]!.timeUs, Date.UTC(2025, 1, 25, 9, 19, 25, 390) * 1000);
  assert.deepEqual(light.result.timeFormats, ['ISO 8601 without offset (Monitor Service dates are UTC)']);
  const verbose = await withSide(JSON.stringify({ d: { results: [{ __metadata: { uri: 'x' }, Id: 2, SessionId: 'aaaa-1', CollectedDate: '/Date(1740475165390)/', IcaRttMS: 41, IcaLatency: 29 }] } }, null, 1));
  assert.deepEqual(verbose.samples.map((s) => [s.timeUs, s.line]), [[1740475165390000, 4], [1740475165390000, 4]]);
  const bare = '[\r\n    {\r\n        "Id":  1,\r\n        "SessionId":  "aaaa-1",\r\n        "CollectedDate":  "2025-02-25T09:19:25Z",\r\n        "IcaRttMS":  40\r\n    },\r\n    {\r\n        "Id":  2,\r\n        "SessionId":  "aaaa-1",\r\n        "CollectedDate":  "2025-02-25T09:20:25Z",\r\n        "IcaRttMS":  "oops"\r\n    }\r\n]\r\n';
  const b = await withSide(bare);
  assert.deepEqual(b.samples.map((s) => [s.kind, s.valueMs, s.line]), [['app_rtt', 40, 2]]);
  assert.deepEqual(b.rejections.map((r) => [r.line, r.reason]), [[8, 'value_not_numeric']]);
});

test('$expand: Sessions(User, SessionMetrics) and SessionMetrics(Session(User)) need no side files', async () => {
  const files = citrixOData({ accounts: exportPopulation().slice(0, 3), sessionsPerAccount: 2, metricsPerSession: 4, nullRttShare: 0 });
  const run = await runAdapter(citrixAdapter, files.expanded);
  assert.deepEqual(run.rejections, []);
  assert.equal(run.samples.length, 3 * 2 * 4 * 2);
  assert.deepEqual([...new Set(run.samples.map((s) => s.account))], ['alice@contoso.com', 'bob@contoso.com', 'carol@contoso.com']);
  const lines = [...new Set(run.samples.map((s) => s.line))];
  assert.equal(lines.length, 6, 'one line per session record');
  const nested = JSON.stringify({ '@odata.context': `${CTX}SessionMetrics(Session(User()))`, value: [
    { Id: 5, SessionId: 'zz', CollectedDate: '2025-02-25T09:19:25Z', IcaRttMS: 50, IcaLatency: 33, Session: { SessionKey: 'zz', UserId: 9, User: { Id: 9, UserName: 'kim', Upn: 'kim@corp.example' } } },
  ] });
  const n = await runAdapter(citrixAdapter, nested);
  assert.deepEqual(n.samples.map((s) => [s.account, s.kind, s.valueMs]), [['kim@corp.example', 'app_rtt', 50], ['kim@corp.example', 'rtt', 33]]);
});

test('generated export through the side files: every metric joined, nulls skipped', async () => {
  const files = citrixOData({ accounts: exportPopulation().slice(0, 4), sessionsPerAccount: 2, metricsPerSession: 5, nullRttShare: 0.2 });
  const run = await withSide(files.sessionMetrics, [files.users, files.sessions]);
  assert.deepEqual(run.rejections, []);
  assert.equal(run.result.records, 40);
  const nulls = (files.sessionMetrics.match(/"IcaRttMS":null/g) ?? []).length;
  assert.equal(run.samples.length, 80 - nulls);
});

test('missing joins are counted; malformed documents and values are errors or counted rejections with their line', async () => {
  const metrics = JSON.stringify({ value: [
    { Id: 1, SessionId: 'cccc-3', CollectedDate: '2025-02-25T09:19:25Z', IcaRttMS: 40 },
    { Id: 2, SessionId: 'aaaa-1', CollectedDate: 'yesterday', IcaRttMS: 40 },
    { Id: 3, SessionId: 'aaaa-1', CollectedDate: '2025-02-25T09:19:25Z', IcaRttMS: -3, IcaLatency: 1e400 },
  ] }, null, 2);
  const run = await withSide(metrics);
  assert.deepEqual(run.rejections.map((r) => [r.line, r.reason]), [[3, 'join_no_user'], [9, 'time_unparseable'], [15, 'value_negative']]);
  // The joined user's bad time and value name the user (counted per account); no user, no name.
  assert.equal(run.rejectedAccounts[0], undefined);
  assert.ok(run.rejectedAccounts[1] !== undefined && run.rejectedAccounts[1] === run.rejectedAccounts[2], String(run.rejectedAccounts));
  assert.match(run.rejections[0]!.detail, /SessionMetrics\(1\): session cccc-3 has no user/);
  // Users missing: the session is known, its user is not
  const noUsers = await withSide(metrics, [SESSIONS]);
  assert.equal(reasons(noUsers).join_no_user, 3);
  await rejectsWith(runAdapter(citrixAdapter, '{"value":[{"Id":1,\n"IcaRttMS":40,,}]}'), /not valid JSON/, 2);
  await rejectsWith(runAdapter(citrixAdapter, '{"IcaRttMS": 4}'), /without a "value" array/);
});

test('ConvertTo-Json past its -Depth: records written as "@{Id=...}" text are counted rejections with the -Depth 5 hint, not dropped', async () => {
  const metrics = `{\n  "@odata.context": "${CTX}SessionMetrics",\n  "value": [\n`
    + '    "@{Id=1; SessionId=aaaa-1; CollectedDate=2025-02-25T09:19:25Z; IcaRttMS=40; IcaLatency=30}",\n'
    + '    {"Id": 2, "SessionId": "aaaa-1", "CollectedDate": "2025-02-25T09:20:25Z", "IcaRttMS": 41, "IcaLatency": 31},\n'
    + '    "@{Id=3; SessionId=aaaa-1; CollectedDate=2025-02-25T09:21:25Z; IcaRttMS=; IcaLatency=30}",\n    7\n  ]\n}\n';
  const run = await withSide(metrics);
  assert.deepEqual(run.samples.map((s) => [s.kind, s.valueMs, s.line]), [['app_rtt', 41, 5], ['rtt', 31, 5]]);
  assert.deepEqual(run.rejections.map((r) => [r.line, r.reason]), [[4, 'record_powershell_text'], [6, 'record_powershell_text'], [6, 'record_not_object']]);
  assert.match(run.rejections[0]!.detail, /^@\{Id=1; SessionId=aaaa-1; .*: a PowerShell object written as text; save with ConvertTo-Json -Depth 5$/);
  assert.ok(run.notes.some((n) => n.startsWith('2 record(s) are PowerShell objects written as text') && n.includes('ConvertTo-Json -Depth 5')), run.notes.join('|'));
});

test('paging: an array of OData pages and pages appended one per line are read page by page; a next page left unsaved is noted', async () => {
  const rec = (id: number, minute: number) => ({ Id: id, SessionId: 'aaaa-1', CollectedDate: `2025-02-25T09:${String(minute).padStart(2, '0')}:00Z`, IcaRttMS: 40 + id, IcaLatency: 30 });
  const page = (ids: number[], next: string | null) => ({ '@odata.context': `${CTX}SessionMetrics`, value: ids.map((i) => rec(i, i)), ...(next ? { '@odata.nextLink': next } : {}) });
  const pages = [page([1, 2], `${CTX.replace('$metadata#', '')}SessionMetrics?$skip=2`), page([3], `${CTX.replace('$metadata#', '')}SessionMetrics?$skip=3`), page([4, 5], null)];
  const array = await withSide(JSON.stringify(pages, null, 2));
  assert.deepEqual(array.rejections, []);
  assert.deepEqual(array.samples.filter((s) => s.kind === 'app_rtt').map((s) => [s.valueMs, s.account]), [[41, 'jdoe@corp.example'], [42, 'jdoe@corp.example'], [43, 'jdoe@corp.example'], [44, 'jdoe@corp.example'], [45, 'jdoe@corp.example']]);
  assert.ok(array.notes.includes('3 OData page(s) read in order (an array of responses), 5 record(s)'), array.notes.join('|'));
  const lines = await withSide(pages.slice(0, 2).map((p) => JSON.stringify(p)).join('\n') + '\n');
  assert.deepEqual(lines.samples.filter((s) => s.kind === 'app_rtt').map((s) => [s.valueMs, s.line]), [[41, 1], [42, 1], [43, 2]]);
  assert.ok(lines.notes.includes('2 OData page(s) read in order (one response per line), 3 record(s)'), lines.notes.join('|'));
  assert.ok(lines.notes.some((n) => /^the last page names a next page \(@odata.nextLink .*\$skip=3\): records after it were not saved$/.test(n)), lines.notes.join('|'));
  // lines that are not all pages stay an error with the line
  await rejectsWith(runAdapter(citrixAdapter, `${JSON.stringify(pages[0])}\n{"IcaRttMS": 4}\n`), /several JSON documents, not all OData pages/);
  await rejectsWith(runAdapter(citrixAdapter, `${JSON.stringify(pages[0])}\n{"value": [,]}\n`), /not valid JSON/, 2);
});
