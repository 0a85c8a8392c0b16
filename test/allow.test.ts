// Known exceptions (--allow): parsing and validation (YAML and CSV, one-line errors with file:line),
// expiry against a fixed clock, matching by account / site / client address, the pure gate
// decision, and how every renderer shows an allowed account.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import {
  addressMatcher, applyAllowList, isExpired, matchAllow, parseAllowCsv, parseAllowText, parseAllowYaml, type AllowList,
} from '../src/baseline/allow.js';
import { gateDecision } from '../src/score/gate.js';
import { isKeylagError, type KeylagError } from '../src/errors.js';
import { parseBound } from '../src/ingest/time.js';
import { renderCsv } from '../src/report/csv.js';
import { SCHEMA_ID, renderJson, renderJsonl } from '../src/report/json.js';
import { renderTable } from '../src/report/table.js';
import { renderMarkdown } from '../src/report/markdown.js';
import { renderHtml } from '../src/report/html.js';
import { parse as parseCsvText } from 'csv-parse/sync';
import { HOSTILE_NAME, sampleReport, sampleReportWithAllowList } from './helpers/sample-report.js';

const at = (iso: string): number => (parseBound(iso) as { us: number }).us;

const YAML = `# known exceptions
- account: CORP\\JDoe
  reason: approved travel to Lisbon
  owner: hr@corp.example
  expires: 2026-04-15
- site: MNL
  reason: regional relay
  owner: netops
- address: 203.0.113.0/24
  reason: sanctioned jump host
  owner: secops
  expires: 2026-04-01T12:00:00Z
`;

function errorOf(fn: () => unknown): KeylagError {
  try { fn(); } catch (err) { if (isKeylagError(err)) return err; throw err; }
  assert.fail('expected an input error');
}

function list(text: string, file = 'allow.yaml'): AllowList {
  const { format, entries } = parseAllowText(text, file);
  return { path: file, sha256: '0'.repeat(64), format, entries };
}

test('YAML: every entry with its line, kind, match and expiry instant', () => {
  const entries = parseAllowYaml(YAML, 'allow.yaml');
  assert.deepEqual(entries.map((e) => [e.source.line, e.matchedBy, e.match, e.owner, e.expires]), [
    [2, 'account', 'CORP\\JDoe', 'hr@corp.example', '2026-04-15'],
    [6, 'site', 'MNL', 'netops', null],
    [9, 'address', '203.0.113.0/24', 'secops', '2026-04-01T12:00:00Z'],
  ]);
  // A date runs to the end of that UTC day; a date-time is the instant itself.
  assert.equal(entries[0]!.expiresAtUs, at('2026-04-16T00:00:00Z'));
  assert.equal(entries[2]!.expiresAtUs, at('2026-04-01T12:00:00Z'));
  assert.equal(isExpired(entries[0]!, at('2026-04-15T23:59:59Z')), false);
  assert.equal(isExpired(entries[0]!, at('2026-04-16T00:00:00Z')), true);
  assert.equal(isExpired(entries[1]!, at('2099-01-01')), false);
  // `exceptions:` holding the list is the same file.
  const wrapped = parseAllowYaml(`exceptions:\n${YAML.split('\n').slice(1).map((l) => '  ' + l).join('\n')}`, 'w.yaml');
  assert.deepEqual(wrapped.map((e) => [e.source.line, e.match]), [[2, 'CORP\\JDoe'], [6, 'MNL'], [9, '203.0.113.0/24']]);
});

test('CSV: the same entries, lines counted from the header, comments skipped', () => {
  const csv = 'account,site,address,reason,owner,expires\n# a comment\njdoe,,,approved travel,hr,2026-04-15\n,mnl,,regional relay,netops,\n,,203.0.113.7,"jump host, sanctioned",secops,\n';
  const entries = parseAllowCsv(csv, 'allow.csv');
  assert.deepEqual(entries.map((e) => [e.source.line, e.matchedBy, e.match, e.reason, e.expires]), [
    [3, 'account', 'jdoe', 'approved travel', '2026-04-15'],
    [4, 'site', 'mnl', 'regional relay', null],
    [5, 'address', '203.0.113.7', 'jump host, sanctioned', null],
  ]);
  assert.equal(parseAllowText(csv, 'exceptions.txt').format, 'csv', 'a CSV header is recognised without the extension');
  assert.equal(parseAllowText(YAML, 'exceptions.txt').format, 'yaml');
});

test('bad entries: one line naming file, line and reason', () => {
  const cases: [string, string, number, RegExp][] = [
    ['allow.yaml', '- account: jdoe\n  owner: hr\n', 1, /has no reason \(required\)/],
    ['allow.yaml', '- account: jdoe\n  reason: travel\n  owner: ""\n', 3, /has no owner \(required\)/],
    ['allow.yaml', '- account: jdoe\n  reason: travel\n  owner: hr\n  expires: next week\n', 4, /expires 'next week' is not a date/],
    ['allow.yaml', '- account: jdoe\n  reason: travel\n  owner: hr\n  expiry: 2026-01-01\n', 4, /unknown key 'expiry'/],
    ['allow.yaml', '- reason: travel\n  owner: hr\n', 1, /names no account, site or address/],
    ['allow.yaml', '- account: jdoe\n  site: nyc\n  reason: travel\n  owner: hr\n', 2, /names both account and site/],
    ['allow.yaml', '- address: 203.0.113.300\n  reason: x\n  owner: y\n', 1, /not an IP address or CIDR range/],
    ['allow.yaml', '- account: jdoe\n  reason: [a, b]\n  owner: hr\n', 2, /'reason' must be a single value/],
    // The yaml package's own position: where it found the quote missing.
    ['allow.yaml', '- account: jdoe\n  reason: "unterminated\n  owner: hr\n', 4, /invalid YAML: Missing closing "quote$/],
    ['allow.yaml', 'account: jdoe\n', 1, /must be a YAML list/],
    ['allow.csv', 'account,reason,owner\njdoe,travel,\n', 2, /has no owner/],
    ['allow.csv', 'account,reason,owner,expires\njdoe,travel,hr,2026-13-45\n', 2, /is not a date/],
    ['allow.csv', 'account,reason,owner\njdoe,travel\n', 2, /2 fields, the header 3/],
    ['allow.csv', 'user,reason,owner\njdoe,travel,hr\n', 1, /unknown column 'user'/],
  ];
  for (const [file, text, line, re] of cases) {
    const e = errorOf(() => parseAllowText(text, file));
    assert.equal(e.category, 'input', text);
    assert.equal(e.file, file);
    assert.equal(e.line, line, `${JSON.stringify(text)}: ${e.oneLine()}`);
    assert.match(e.oneLine(), re);
    assert.ok(!e.oneLine().includes('\n'), 'one line');
    assert.ok(e.oneLine().startsWith(`${file}:${line}: `));
  }
});

test('address entries: IPv4/IPv6 CIDR, ports and mapped addresses; every sample must be covered', () => {
  const m = addressMatcher('203.0.113.0/24')!;
  assert.equal(m('203.0.113.7'), true);
  assert.equal(m('203.0.113.7:50122'), true);
  assert.equal(m('::ffff:203.0.113.9'), true);
  assert.equal(m('203.0.114.1'), false);
  assert.equal(m('not an address'), false);
  const v6 = addressMatcher('2001:db8::/32')!;
  assert.equal(v6('[2001:db8::1]:443'), true);
  assert.equal(v6('2001:db9::1'), false);
  assert.equal(addressMatcher('10.0.0.0/33'), null);

  const l = list(YAML);
  const now = at('2026-03-20');
  const subject = (addresses: { address: string; samples: number }[], samples: number) =>
    ({ account: 'someone', site: 'chi', addresses, samples });
  assert.equal(matchAllow(l, subject([{ address: '203.0.113.7', samples: 40 }], 40), now)?.matchedBy, 'address');
  // A sanctioned jump host used now and then does not hide the sessions from elsewhere.
  assert.equal(matchAllow(l, subject([{ address: '203.0.113.7', samples: 30 }, { address: '198.51.100.2', samples: 10 }], 40), now), null);
  assert.equal(matchAllow(l, subject([{ address: '203.0.113.7', samples: 30 }], 40), now), null, 'samples without an address are not covered');
});

test('matching: account names normalised, site case-insensitive, an unexpired entry before an expired one', () => {
  const l = list(`- account: jdoe
  reason: old travel
  owner: hr
  expires: 2026-02-01
- account: JDOE@corp.example
  reason: new travel
  owner: hr
  expires: 2026-05-01
- site: Mnl
  reason: regional relay
  owner: netops
- account: svc-*
  reason: service accounts
  owner: it
`);
  const s = (account: string, site: string | null = null) => ({ account, site, addresses: [], samples: 10 });
  const before = matchAllow(l, s('jdoe'), at('2026-03-01'))!;
  assert.deepEqual(before, {
    reason: 'new travel', owner: 'hr', expires: '2026-05-01', expired: false, matchedBy: 'account', match: 'JDOE@corp.example',
    entrySource: { file: 'allow.yaml', line: 5 },
  });
  const after = matchAllow(l, s('jdoe'), at('2026-06-01'))!;
  assert.equal(after.expired, true);
  assert.equal(after.reason, 'old travel', 'all expired: the first matching entry is reported');
  assert.equal(matchAllow(l, s('maria', 'MNL'), at('2026-03-01'))?.reason, 'regional relay');
  assert.equal(matchAllow(l, s('svc-backup'), at('2026-03-01'))?.reason, 'service accounts');
  assert.equal(matchAllow(l, s('maria', 'nyc'), at('2026-03-01')), null);
});

test('applyAllowList: allowed on every account, one warning per expired entry, header record with counts', () => {
  const l = list(YAML);
  const accounts = [
    { account: 'jdoe', site: 'nyc', samples: 50 } as { account: string; site: string | null; samples: number; allowed?: unknown },
    { account: 'maria', site: 'mnl', samples: 50 },
    { account: 'omar', site: 'chi', samples: 50 },
  ];
  const { info, warnings } = applyAllowList(l, accounts as never, (k) => (k === 'omar' ? [{ address: '203.0.113.9', samples: 50 }] : []), at('2026-04-02'));
  assert.deepEqual(accounts.map((a) => (a.allowed as { reason: string; expired: boolean } | null)?.expired ?? null), [false, false, true]);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /^allow-list entry allow\.yaml:9 for address '203\.0\.113\.0\/24' expired 2026-04-01T12:00:00Z: not applied; 1 account\(s\) no longer exempt from --fail-on \(omar\)$/);
  assert.deepEqual(info.entries.map((e) => [e.source.line, e.expired, e.accounts, e.expiresAt]), [
    [2, false, 1, '2026-04-16T00:00:00.000Z'],
    [6, false, 1, null],
    [9, true, 1, '2026-04-01T12:00:00.000Z'],
  ]);
});

test('gateDecision: an unexpired allow entry keeps an account from the gate; an expired one does not', () => {
  const r = sampleReportWithAllowList();
  // mallory.k (91.4) is allowed until 2026-06-30.
  assert.deepEqual(gateDecision(r, 70), { tripped: false, tripping: [], allowed: ['mallory.k'] });
  const hostile = r.accounts.find((a) => a.account === HOSTILE_NAME)!;
  hostile.score = 75;
  assert.deepEqual(gateDecision(r, 70), { tripped: true, tripping: [HOSTILE_NAME], allowed: ['mallory.k'] }, 'expired entry: still trips');
  r.accounts.find((a) => a.account === 'mallory.k')!.allowed!.expired = true;
  assert.equal(gateDecision(r, 70).tripping.includes('mallory.k'), true);
  // Without an allow list the gate is the plain threshold; insufficient-data accounts never trip it.
  const plain = sampleReport();
  assert.deepEqual(gateDecision(plain, 70), { tripped: true, tripping: ['mallory.k'], allowed: [] });
  assert.deepEqual(gateDecision(plain, 99.9), { tripped: false, tripping: [], allowed: [] });
});

test('renderers: the allowed state in JSON (schema-valid), JSONL, CSV, table, Markdown and HTML, escaped', () => {
  const r = sampleReportWithAllowList();
  const schema = JSON.parse(readFileSync(new URL('../../schema/report.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;
  const ajv = new Ajv2020({ strict: true, strictTypes: true, strictTuples: true, strictRequired: true, allErrors: true });
  ajv.addSchema(schema);
  const validate = ajv.getSchema(SCHEMA_ID)!;
  const json = JSON.parse(renderJson(r));
  assert.ok(validate(json), JSON.stringify(validate.errors));
  assert.equal(json.header.now, '2026-04-02T00:00:00.000Z');
  assert.equal(json.header.allowList.entries.length, 2);
  const mallory = json.accounts.find((a: { account: string }) => a.account === 'mallory.k');
  assert.deepEqual(Object.keys(mallory).slice(-2), ['samples', 'allowed']);
  assert.equal(mallory.allowed.reason, 'sanctioned jump host <b>\u001b[31m');
  assert.equal(mallory.allowed.entrySource.line, 2);
  assert.equal(json.accounts.find((a: { account: string }) => a.account === 'trent.x').allowed, null);
  // Without an allow list the keys are absent: reports of runs without --allow keep their bytes.
  const plain = JSON.parse(renderJson(sampleReport()));
  assert.equal('now' in plain.header, false);
  assert.equal('allowed' in plain.accounts[0], false);
  assert.ok(validate(plain));

  const jsonl = renderJsonl(r).split('\n');
  assert.equal(JSON.parse(jsonl[0]!).allowList.path, 'allow.yaml');

  const rows = parseCsvText(renderCsv(r)) as string[][];
  const col = rows[0]!.indexOf('allowed');
  assert.equal(col, rows[0]!.length - 1);
  const byName = new Map(rows.slice(1).map((row) => [row[1]!, row]));
  assert.equal(byName.get('mallory.k')![col], 'allowed: sanctioned jump host <b>\\u001b[31m (secops@corp.example, until 2026-06-30)');
  const expiredRows = rows.slice(1).filter((row) => row[col] !== '' && row[1] !== 'mallory.k');
  assert.equal(expiredRows.length, 1);
  assert.match(expiredRows[0]![1]!, /^evil\\u001b/, 'the hostile-name account, escaped');
  assert.equal(expiredRows[0]![col], 'allow-list entry EXPIRED 2026-03-15T12:00:00Z, not applied: approved travel (hr)');

  const table = renderTable(r, { color: false, top: null, width: 200 });
  assert.match(table, /Allow list: allow\.yaml \(yaml, sha256 aaaaaaaaaaaaaaaa, 2 entries, 1 expired\); expiry judged at 2026-04-02T00:00:00\.000Z/);
  assert.match(table, /allowed: sanctioned jump host <b>\\u001b\[31m \(secops@corp\.example, until 2026-06-30\)/);
  assert.ok(!table.includes('\u001b'), 'no raw escape reaches the terminal');
  const md = renderMarkdown(r, { top: null }).text;
  assert.match(md, /\*\*allowed\\: sanctioned jump host \\<b\\>\\\\u001b\\\[31m/);
  const html = renderHtml(r);
  assert.match(html, /allowed: sanctioned jump host &lt;b&gt;\\u001b\[31m \(secops@corp\.example, until 2026-06-30\)/);
  assert.ok(!html.includes('<b>\u001b'));
});
