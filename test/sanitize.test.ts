import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  csvCell,
  csvRow,
  escapeControls,
  escapeJsonText,
  hasUnsafeChars,
  htmlEscape,
  markdownEscape,
  terminalSafe,
} from '../src/report/sanitize.js';

const HOSTILE = "evil\u001b[31m\u0007=cmd|'/c calc'!A1";

test('terminalSafe shows ESC and BEL as visible \\u escapes', () => {
  assert.equal(terminalSafe(HOSTILE), "evil\\u001b[31m\\u0007=cmd|'/c calc'!A1");
});

test('terminalSafe neutralises OSC, 8-bit CSI, DEL and line breaks', () => {
  assert.equal(terminalSafe('\u001b]8;;http://x\u0007link\u001b]8;;\u0007'), '\\u001b]8;;http://x\\u0007link\\u001b]8;;\\u0007');
  assert.equal(terminalSafe('a\u009b2Jb'), 'a\\u009b2Jb');
  assert.equal(terminalSafe('a\u007fb'), 'a\\u007fb');
  assert.equal(terminalSafe('row1\r\nrow2\tx'), 'row1\\u000d\\u000arow2\\u0009x');
  assert.equal(terminalSafe('\u0000'), '\\u0000');
});

test('terminalSafe neutralises bidi overrides and isolates, separators and invisibles', () => {
  assert.equal(terminalSafe('invoice\u202Efdp.exe'), 'invoice\\u202efdp.exe');
  for (const cp of [0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069, 0x200e, 0x200f, 0x061c]) {
    const out = terminalSafe(`x${String.fromCharCode(cp)}y`);
    assert.equal(out, `x\\u${cp.toString(16).padStart(4, '0')}y`);
  }
  assert.equal(terminalSafe('ad\u200bmin'), 'ad\\u200bmin');
  assert.equal(terminalSafe('a\u2028b\u2029c'), 'a\\u2028b\\u2029c');
  assert.equal(terminalSafe('\ufeffbom'), '\\ufeffbom');
});

test('terminalSafe escapes lone surrogates but keeps pairs, accents, CJK and ZWJ emoji', () => {
  assert.equal(terminalSafe('a\ud800b'), 'a\\ud800b');
  assert.equal(terminalSafe('a\udc00b'), 'a\\udc00b');
  const fine = 'José 日本 😀 👩\u200d💻 CORP\\alice';
  assert.equal(terminalSafe(fine), fine);
});

test('terminalSafe leaves no C0, DEL or C1 code point in its output', () => {
  let all = '';
  for (let cp = 0; cp <= 0xa0; cp++) all += String.fromCharCode(cp);
  const out = terminalSafe(all);
  assert.equal(/[\u0000-\u001f\u007f-\u009f]/.test(out), false);
  assert.equal(hasUnsafeChars(out), false);
  assert.equal(hasUnsafeChars(all), true);
  assert.ok(out.includes('\\u001b') && out.includes('\\u009f'));
  assert.ok(out.includes('xyz{|}~\\u007f\\u0080'));
  assert.ok(out.startsWith('\\u0000\\u0001'));
  assert.ok(out.endsWith('\\u009f\u00a0'));
});

test('csvCell neutralises formula starts in text cells', () => {
  assert.equal(csvCell('=1+1'), "'=1+1");
  assert.equal(csvCell('+1'), "'+1");
  assert.equal(csvCell('-cmd'), "'-cmd");
  assert.equal(csvCell('@SUM(A1:A9)'), "'@SUM(A1:A9)");
  assert.equal(csvCell('\t=1'), "'\\u0009=1");
  assert.equal(csvCell('\r=1'), "'\\u000d=1");
  assert.equal(csvCell('＝1+1'), "'＝1+1");
  assert.equal(csvCell("=cmd|'/c calc'!A1"), "'=cmd|'/c calc'!A1");
  assert.equal(csvCell('-'), "'-");
  assert.equal(csvCell('-3.5e2'), "'-3.5e2");
  assert.equal(csvCell('alice'), 'alice');
  assert.equal(csvCell('a=b'), 'a=b');
});

test('csvCell keeps numbers as numbers', () => {
  assert.equal(csvCell(-3.5), '-3.5');
  assert.equal(csvCell('-3.5'), '-3.5');
  assert.equal(csvCell('-42'), '-42');
  assert.equal(csvCell('0.125'), '0.125');
  assert.equal(csvCell(0), '0');
  assert.equal(csvCell(-0), '0');
  assert.equal(csvCell(1e-7), '1e-7');
  assert.equal(csvCell(NaN), '');
  assert.equal(csvCell(Infinity), '');
  assert.equal(csvCell(null), '');
  assert.equal(csvCell(undefined), '');
  assert.equal(csvCell(true), 'true');
  assert.equal(csvCell(false), 'false');
});

test('csvCell quotes per RFC 4180', () => {
  assert.equal(csvCell('a,b'), '"a,b"');
  assert.equal(csvCell('say "hi"'), '"say ""hi"""');
  assert.equal(csvCell('=HYPERLINK("http://x","y")'), '"\'=HYPERLINK(""http://x"",""y"")"');
  assert.equal(csvCell('a\nb', { controls: 'keep' }), '"a\nb"');
  assert.equal(csvCell('a\r\nb', { controls: 'keep' }), '"a\r\nb"');
  assert.equal(csvCell('a\nb'), 'a\\u000ab');
  assert.equal(csvRow(['x', 1, null, 'a,b', '-1']), 'x,1,,"a,b",-1');
});

test('csvCell escapes controls of the hostile name without breaking the record', () => {
  const cell = csvCell(HOSTILE);
  assert.equal(cell, "evil\\u001b[31m\\u0007=cmd|'/c calc'!A1");
  assert.equal(/[\u0000-\u001f]/.test(cell), false);
});

test('htmlEscape escapes markup and controls', () => {
  assert.equal(htmlEscape('<script>alert(1)</script>'), '&lt;script&gt;alert(1)&lt;/script&gt;');
  assert.equal(htmlEscape(`a & "b" 'c'`), 'a &amp; &quot;b&quot; &#39;c&#39;');
  assert.equal(htmlEscape('x\u001by\u202e'), 'x\\u001by\\u202e');
});

test('markdownEscape disarms emphasis, links, HTML and table pipes', () => {
  assert.equal(markdownEscape('<script>alert(1)</script>'), '\\<script\\>alert\\(1\\)\\<\\/script\\>');
  assert.equal(markdownEscape('a|b *c* _d_ [e](f) #g'), 'a\\|b \\*c\\* \\_d\\_ \\[e\\]\\(f\\) \\#g');
  assert.equal(markdownEscape('x\u001by'), 'x\\\\u001by');
  assert.equal(markdownEscape('plain text 42'), 'plain text 42');
});

test('escapeControls and escapeJsonText', () => {
  assert.equal(escapeControls('a\u0007'), 'a\\u0007');
  const json = JSON.stringify({ s: 'a\u009bb\u202ec\u001b' });
  const safe = escapeJsonText(json);
  assert.equal(safe, '{"s":"a\\u009bb\\u202ec\\u001b"}');
  assert.deepEqual(JSON.parse(safe), { s: 'a\u009bb\u202ec\u001b' });
});
