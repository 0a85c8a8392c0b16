// Untrusted strings through every format: an account, a site, a location, file names, warnings,
// evidence sentences and aliases carrying `<script>`, both quotes, markup, a Markdown link, a
// table-cell break, C0/C1 controls, an ANSI sequence and a bidi override. Each format must keep
// them inert: shown as text, never markup, never a raw control character, never a broken row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderers, renderReport, type ReportFormat } from '../src/report/index.js';
import { escapeControls, htmlEscape, markdownEscape } from '../src/report/sanitize.js';
import type { Report } from '../src/types.js';
import { chartReport, MALLORY } from './helpers/chart-report.js';

const NAME = `<script>alert("x")</script>'"\u0007\u001b[2J\u009b1m\u202eevil\r\n| *a* [l](http://e.invalid)`;
const SITE = `site<b onmouseover='x'>"q"\u0000`;
const PATH = `exports/<img src=x onerror=alert(1)>\u0007".csv`;
const WARNING = `line 3: "\u001b]8;;http://e.invalid\u0007click\u001b]8;;\u0007" <script>`;

function hostileReport(): Report {
  const r = chartReport();
  const m = r.accounts.find((a) => a.account === MALLORY)!;
  m.account = NAME;
  m.aliases = [NAME, `CORP\\${NAME}`];
  m.site = SITE;
  m.peerGroup = SITE;
  m.location = `Lagos\u202eSOGAL <i>"x"</i>`;
  m.timeZone = `Etc/<u>`;
  m.strongest = `floor of ${NAME} is odd`;
  for (const e of m.evidence) e.sentence = `${e.sentence} for ${NAME}`;
  for (const g of r.peerGroups) if (g.group === MALLORY || g.group === 'nyc-hq') g.group = SITE;
  r.header.inputs[0]!.path = PATH;
  r.header.inputs[0]!.notes = [`note "${NAME}"`];
  r.header.arguments = ['scan', PATH, '--roster', `<r>.csv`];
  r.header.warnings.push(WARNING);
  r.header.accountsNotInRoster = [NAME];
  return r;
}

const C0_C1 = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const ALL_FORMATS: ReportFormat[] = ['table', 'json', 'jsonl', 'csv', 'md', 'html'];

function render(format: ReportFormat): { text: string; files: { path: string; text: string }[] } {
  return renderReport(format, hostileReport(), { color: false, top: null, chartDir: format === 'md' ? 'charts' : null });
}

test('escaping: every format renders the hostile report without a raw control or bidi character', () => {
  for (const format of ALL_FORMATS) {
    const { text, files } = render(format);
    assert.ok(!C0_C1.test(text), `${format}: raw control character`);
    for (const f of files) assert.ok(!C0_C1.test(f.text), `${format} ${f.path}: raw control character`);
    if (format !== 'md') assert.equal(renderers[format](hostileReport(), { color: false, top: null }), text, `${format}: registry and renderReport agree`);
  }
});

test('escaping: table shows the name as visible text, escape sequences included', () => {
  const { text } = render('table');
  assert.ok(text.includes(escapeControls(NAME).slice(0, 40)), 'name shown (wrapped cells hold its start)');
  assert.ok(text.includes('\\u001b[2J') && text.includes('\\u009b1m') && text.includes('\\u202e'));
  assert.ok(!text.includes('\u001b'));
});

test('escaping: JSON and JSONL parse back to the exact strings', () => {
  const json = JSON.parse(render('json').text);
  const a = json.accounts.find((x: { account: string }) => x.account === NAME);
  assert.ok(a, 'exact name after parsing');
  assert.equal(a.site, SITE);
  assert.equal(json.header.inputs[0].path, PATH);
  assert.ok(json.header.warnings.includes(WARNING));
  const lines = render('jsonl').text.trimEnd().split('\n');
  assert.equal(lines.length, 1 + 11, 'one line per record: no line break leaked');
  const rec = lines.map((l) => JSON.parse(l)).find((x) => x.account === NAME);
  assert.equal(rec.evidence[0].sentence.endsWith(` for ${NAME}`), true);
});

test('escaping: CSV keeps one record per line and every row the header\'s width', () => {
  const text = render('csv').text;
  const rows = text.trimEnd().split('\n');
  assert.equal(rows.length, 1 + 11);
  // Parse RFC 4180 (no embedded newline can occur: controls are escaped).
  const parse = (line: string): string[] => {
    const out: string[] = [];
    let f = '';
    let q = false;
    for (let i = 0; i < line.length; i++) {
      const ch = line[i]!;
      if (q) {
        if (ch === '"' && line[i + 1] === '"') { f += '"'; i++; } else if (ch === '"') q = false; else f += ch;
      } else if (ch === '"') q = true;
      else if (ch === ',') { out.push(f); f = ''; } else f += ch;
    }
    out.push(f);
    return out;
  };
  const width = parse(rows[0]!).length;
  for (const r of rows) assert.equal(parse(r).length, width, r);
  const row = rows.map(parse).find((cells) => cells[1] === escapeControls(NAME));
  assert.ok(row, 'the account cell is the name with controls shown as \\uXXXX');
  assert.equal(row[6], escapeControls(SITE));
});

test('escaping: Markdown: every <, |, [, *, quote in a string is backslash-escaped; tables keep their shape', () => {
  const { text, files } = render('md');
  assert.equal(/(?<!\\)</.test(text), false, 'no unescaped < (no HTML can form)');
  assert.equal(/(?<!\\)\[l\]/.test(text), false, 'no link can form');
  assert.ok(text.includes(markdownEscape(NAME)));
  assert.ok(markdownEscape(NAME).startsWith('\\<script\\>alert\\(\\"x\\"\\)\\<\\/script\\>\\\'\\"\\\\u0007\\\\u001b\\[2J'));
  // Each table keeps its column count on every row.
  let cols = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('|')) { cols = 0; continue; }
    const n = line.replace(/\\\|/g, '').split('|').length;
    if (cols === 0) cols = n;
    assert.equal(n, cols, line);
  }
  // Chart files are SVG: names as entities.
  assert.ok(files.length >= 3);
  for (const f of files) {
    assert.ok(/^charts\/case-1-[a-z0-9_-]+\.svg$/.test(f.path), f.path);
    assert.equal(/<script/i.test(f.text), false, f.path);
    assert.ok(f.text.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;&quot;\\u0007'), f.path);
  }
});

test('escaping: HTML: only our own tags, strings as entities, attributes closed', () => {
  const text = render('html').text;
  assert.equal(/<script/i.test(text), false);
  const tags = new Set([...text.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9]*)/g)].map((m) => m[1]!.toLowerCase()));
  const allowed = new Set([
    'html', 'head', 'meta', 'title', 'style', 'body', 'main', 'header', 'nav', 'section', 'article', 'footer', 'h1', 'h2', 'h3', 'h4',
    'p', 'div', 'span', 'b', 'a', 'ul', 'li', 'dl', 'dt', 'dd', 'code', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'br', 'figure', 'figcaption',
    'svg', 'desc', 'g', 'rect', 'line', 'path', 'circle', 'text',
  ]);
  for (const t of tags) assert.ok(allowed.has(t), `unexpected tag <${t}>`);
  assert.ok(text.includes(htmlEscape(NAME)));
  assert.ok(text.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;&quot;\\u0007\\u001b[2J\\u009b1m\\u202eevil\\u000d\\u000a| *a* [l](http://e.invalid)'));
  assert.ok(text.includes(`data-account="${htmlEscape(NAME)}"`));
  assert.ok(text.includes(htmlEscape(PATH)) && text.includes(htmlEscape(WARNING)));
  // Every attribute value is closed before the tag ends: no quote is injected.
  for (const m of text.matchAll(/<[a-z][^>]*>/gi)) {
    const quotes = (m[0].match(/"/g) ?? []).length;
    assert.equal(quotes % 2, 0, m[0]);
  }
  // No URL outside the SVG namespace is an attribute: the link in the name stays text.
  assert.equal(/(href|src)="http/i.test(text), false);
});
