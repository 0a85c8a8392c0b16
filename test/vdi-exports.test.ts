// Latency exports that VDI and remote-access products let an admin download, as the products write
// them (fixtures/vdi-exports/README.md cites each layout): read by the generic reader, or refused
// in one line that names the document and the command that turns it into rows keylag reads.
// (readFileSync: the one-line form of a fixture, as an API may send it.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { runCli } from './helpers/cli.js';

const DIR = 'fixtures/vdi-exports';

interface Account { account: string; aliases: string[]; kinds: { kind: string; n: number; minMs: number; floor: { valueMs: number; source: { line: number } } }[] }
interface Report { header: { inputs: { format: string; notes: string[] }[]; samplesUsed: number; rejectionsTotal: number; warnings: string[] }; accounts: Account[] }

function scan(file: string, ...args: string[]): Report {
  const r = runCli(['scan', `${DIR}/${file}`, ...args, '--format', 'json']);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Report;
}

/** Each account's kinds as [account, kind, n, smallest value in ms, the floor's line]. */
function kinds(report: Report): [string, string, number, number, number][] {
  return report.accounts.flatMap((a) => a.kinds.map((k) => [a.account, k.kind, k.n, k.minMs, k.floor.source.line] as [string, string, number, number, number]))
    .sort((x, y) => x[0].localeCompare(y[0]));
}

const W365 = `${DIR}/w365-daily-aggregated-remote-connection.json`;

test('Windows 365 (Microsoft Graph Cloud PC report, Schema and Values): each row of Values a record named by the Schema, UserPrincipalName the account, RoundTripTimeInMsP50 an rtt in ms', () => {
  // Before: the Schema's entries were taken as the records, and the run stopped (exit 2) on an
  // "unrecognised header" of columns "Column" and "PropertyType", listing every alias.
  const report = scan('w365-daily-aggregated-remote-connection.json');
  const input = report.header.inputs[0]!;
  assert.equal(input.format, 'generic: JSON (rows of a table)');
  assert.ok(input.notes.includes('RoundTripTimeInMsP50 -> rtt (ms)'), input.notes.join('\n'));
  assert.ok(input.notes.includes('EventDateTime: no alias, taken as the time by its words'), input.notes.join('\n'));
  // Not taken as latencies: the sign-in time (seconds), the bandwidth, the hours of use.
  assert.ok(!input.notes.some((n) => /RemoteSignInTime|Bandwidth|UsageInHour/.test(n)), input.notes.join('\n'));
  assert.equal(report.header.samplesUsed, 28);
  assert.equal(report.header.rejectionsTotal, 0);
  // The day's P50 in ms as written (186 is 186 ms, not 0.186 or 186000); each floor at its row's opening bracket.
  assert.deepEqual(kinds(report), [
    ['alice', 'rtt', 7, 24, 238], ['bob', 'rtt', 7, 32, 88], ['carol', 'rtt', 7, 21, 138], ['mallory', 'rtt', 7, 186, 68],
  ]);
  assert.deepEqual(report.accounts.find((a) => a.account === 'mallory')!.aliases, ['mallory@contoso.com']);
  // Graph writes EventDateTime without an offset: read as UTC, and said.
  assert.ok(report.header.warnings.some((w) => w.endsWith('timestamps without a UTC offset were read as UTC')), report.header.warnings.join('\n'));
});

test('Windows 365 report on one line (as the stream may come): rows numbered in the table, the same values', () => {
  const oneLine = JSON.stringify(JSON.parse(readFileSync(W365, 'utf8')));
  const r = runCli(['scan', '-', '--format', 'json'], { input: oneLine });
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as Report;
  assert.ok(report.header.inputs[0]!.notes.includes("records share lines (a one-line document): a sample's line is its row's number in the table"));
  assert.deepEqual(kinds(report), [
    ['alice', 'rtt', 7, 24, 21], ['bob', 'rtt', 7, 32, 6], ['carol', 'rtt', 7, 21, 11], ['mallory', 'rtt', 7, 186, 4],
  ]);
});

test('Amazon WorkSpaces InSessionLatency (aws cloudwatch get-metric-statistics): refused in one line, naming the missing account and the jq line', () => {
  const r = runCli(['scan', `${DIR}/workspaces-insessionlatency-get-metric-statistics.json`, '--format', 'json']);
  // Before: the Datapoints were read as records and refused for want of an account column, pointing
  // at --account-col and --account-columns, neither of which can give them an account.
  assert.equal(r.status, 2);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /^keylag: error: fixtures\/vdi-exports\/workspaces-insessionlatency-get-metric-statistics\.json:1: an AWS CloudWatch GetMetricStatistics response \(one metric's datapoints, InSessionLatency\): it names no account/);
  assert.ok(lines[0]!.includes(`jq -r --arg account NAME '["account","time","value"], (.Datapoints[] | [$account, .Timestamp, .Average]) | @csv'`), lines[0]);
  assert.ok(lines[0]!.includes('--value-col value:rtt'), lines[0]);
  assert.doesNotMatch(lines[0]!, /--account-columns|unrecognised header/);
});

test('Amazon WorkSpaces rows written by that jq line, with --value-col value:rtt: InSessionLatency in ms as an rtt', () => {
  const report = scan('workspaces-insessionlatency-mallory.csv', '--value-col', 'value:rtt');
  assert.deepEqual(report.header.inputs[0]!.notes, ['value -> rtt (ms)']);
  assert.equal(report.header.samplesUsed, 12);
  assert.deepEqual(kinds(report), [['mallory', 'rtt', 12, 38.79, 5]]);
});

test('Windows 365 report: a row whose cells do not match the Schema is a counted rejection, the others read', () => {
  const doc = '{"TotalRowCount": 3, "Schema": [{"Column": "EventDateTime", "PropertyType": "DateTime"}, {"Column": "RoundTripTimeInMsP50", "PropertyType": "Double"}, '
    + '{"Column": "UserPrincipalName", "PropertyType": "String"}],\n"Values": [\n["2025-03-01T00:00:00", 41.0, "alice@contoso.com"],\n["2025-03-02T00:00:00", 40.0],\n'
    + '["2025-03-03T00:00:00", 39.0, "alice@contoso.com"]\n]}\n';
  const r = runCli(['scan', '-', '--format', 'json'], { input: doc });
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as Report & { header: { rejections: { reason: string; count: number }[] } };
  assert.deepEqual(kinds(report), [['alice', 'rtt', 2, 39, 5]]);
  assert.deepEqual(report.header.rejections, [{ reason: 'jsonl_not_object', count: 1 }]);
});
