// The table report's workarounds for cli-table3 on long tables (src/report/table-draw.ts): tables
// drawn with them are the same, character for character, as those cli-table3 draws on its own
// (its own truncate; one table rather than parts): multi-line cells, colours, right alignment,
// spans, wide and non-ASCII text, cells cut to their column, with and without a header.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { Chalk } from 'chalk';
import { Rng } from '../fixtures/generator.js';
import {
  Table, cliTablePad, cliTableStrlen, cliTableTruncate, drawTable, drawTablePieces, plainWidth, withCliTableTruncate,
} from '../src/report/table-draw.js';

const c = new Chalk({ level: 1 });

function drawSample(rows: number): string {
  const table = new Table({ head: [c.bold('#'), 'account', 'evidence'], colWidths: [6, 12, 40], wordWrap: false, style: { head: [], border: [] } });
  for (let i = 0; i < rows; i++) {
    table.push([
      { content: String(i + 1), hAlign: 'right' },
      `user-${'é'.repeat(i % 3)}${i}\n名前${i}`,
      c.red(`floor ${i} ms vs peers' 27 ms (+${i} ms, robust z 8.4)`) + `\nsecond line ≥ ${i} µs\na line far too long for its column, cut by cli-table3 with an ellipsis ${i}`,
    ]);
    if (i % 4 === 0) table.push(['', { content: `spanning row ${i}\nwith two lines`, colSpan: 2 }]);
  }
  return table.toString();
}

test('table drawing: the same output as cli-table3 with its own truncate', () => {
  const ours = drawSample(30);
  const theirs = withCliTableTruncate(() => drawSample(30));
  assert.equal(ours, theirs);
  assert.match(ours, /…/, 'some cell was cut to its column');
});

test('table drawing: the workaround is installed in the utils module cli-table3 draws with', () => {
  const utils = createRequire(import.meta.url)('cli-table3/src/utils.js') as { truncate: unknown };
  assert.notEqual(utils.truncate, cliTableTruncate);
  // Single-line strings still go to cli-table3's truncate.
  assert.equal((utils.truncate as (s: string, n: number) => string)('abcdefghijkl', 5), cliTableTruncate('abcdefghijkl', 5));
});

/** Groups as the ranked table has them: one row per account (wide), or a row and a spanning row (narrow). */
function groupsOf(accounts: number, narrow: boolean): (string | { content: string; colSpan?: number; hAlign?: 'right' })[][][] {
  return Array.from({ length: accounts }, (_, i) => {
    const numbers = [{ content: String(i + 1), hAlign: 'right' as const }, `u${i}${i % 5 === 0 ? '\nwrapped' : ''}`, c.yellow(`${i}.5`)];
    const evidence = `floor ${i} ms vs peers' 27 ms\n(+${i} ms, robust z 8.4)${i % 3 === 0 ? '\nthird line' : ''}`;
    return narrow ? [numbers, ['', { content: `> ${evidence}`, colSpan: 2 }]] : [[...numbers, evidence]];
  });
}

test('table in parts: the same text as one cli-table3 table, wide and narrow, with and without a header', () => {
  for (const narrow of [false, true]) {
    for (const head of [['#', 'account', 'score', ...(narrow ? [] : ['evidence'])], []]) {
      const options = { head, colWidths: narrow ? [6, 14, 9] : [6, 14, 9, 32], wordWrap: false, style: { head: [], border: [] } };
      const groups = groupsOf(23, narrow);
      const one = drawTable(options, groups, Infinity);
      const table = new Table(options);
      for (const g of groups) for (const row of g) table.push(row);
      assert.equal(one, table.toString(), 'one part is cli-table3\'s table');
      for (const rowsPerPart of [1, 2, 3, 7]) assert.equal(drawTable(options, groups, rowsPerPart), one, `parts of ${rowsPerPart} rows (narrow ${narrow}, head ${head.length})`);
    }
  }
  assert.equal(drawTable({ head: ['a'], colWidths: [5] }, [], 2), new Table({ head: ['a'], colWidths: [5] }).toString(), 'no rows');
});

// Width measuring (src/report/table-draw.ts): printable ASCII is measured by its length; anything
// else goes to cli-table3's own functions. Strings drawn from text a report holds (colour codes,
// wide, combining and invisible characters, controls, newlines) must give cli-table3's results.
const utilsModule = createRequire(import.meta.url)('cli-table3/src/utils.js') as {
  strlen: (s: unknown) => number; pad: (s: string, len: number, padChar: string, dir?: string) => string;
  truncate: (s: string, n: number, t?: string) => string;
};

const PIECES = ['a', 'Z', '7', ' ', '~', '-', '.', '(', 'x', 'floor 41.2 ms', '\n', 'é', 'e\u0301', '名', '😀', '\u001b[31m', '\u001b[39m',
  '\u001b[1m', '\u0007', '\u007f', '\u0085', '\u200b', '…', '\t', '>='];

test('width, padding and cutting: the fast paths give what cli-table3 gives', () => {
  const rng = new Rng(20261207);
  const random = (): number => rng.next();
  const strings = ['', ' ', 'abc', 'abc\ndefgh\n', '\n\n', '名前', c.red('red'), '\u001b[31m'];
  for (let i = 0; i < 600; i++) {
    const parts = Math.floor(random() * 6);
    let s = '';
    // Half of them plain ASCII (the fast path), the rest with any piece.
    for (let j = 0; j < parts; j++) s += PIECES[Math.floor(random() * (i % 2 === 0 ? 10 : PIECES.length))];
    strings.push(s);
  }
  let plain = 0;
  for (const s of strings) {
    assert.equal(utilsModule.strlen(s), cliTableStrlen(s), `strlen ${JSON.stringify(s)}`);
    if (plainWidth(s) >= 0) plain++;
    if (s.includes('\n')) continue; // lines are padded and cut one by one
    const width = cliTableStrlen(s);
    for (let len = 0; len <= width + 2; len++) {
      for (const dir of [undefined, 'left', 'right', 'center']) {
        assert.equal(utilsModule.pad(s, len, ' ', dir), cliTablePad(s, len, ' ', dir), `pad ${JSON.stringify(s)} ${len} ${dir}`);
      }
      for (const t of [undefined, '…', '~']) {
        assert.equal(utilsModule.truncate(s, len, t), cliTableTruncate(s, len, t), `truncate ${JSON.stringify(s)} ${len} ${t}`);
      }
    }
  }
  assert.ok(plain > 250 && plain < strings.length - 100, `both paths tried (${plain} plain of ${strings.length})`);
  assert.equal(plainWidth('ab\ncde'), 3);
  for (const s of ['\u001b[31mx', '名', 'a\tb', 'e\u0301']) assert.equal(plainWidth(s), -1, JSON.stringify(s));
  assert.notEqual(utilsModule.strlen, cliTableStrlen, 'the fast path is installed where cli-table3 measures');
});

test('table in pieces: the pieces join to the one text, a part of rows each', () => {
  const options = { head: ['#', 'account', 'score', 'evidence'], colWidths: [6, 14, 9, 32], wordWrap: false, style: { head: [], border: [] } };
  const groups = groupsOf(200, false);
  const pieces = [...drawTablePieces(options, groups, 64)];
  assert.equal(pieces.join(''), drawTable(options, groups, Infinity));
  // 200 rows in parts of 64: 4 parts, then the held bottom border.
  assert.equal(pieces.length, 5);
  assert.ok(pieces.slice(0, -1).every((p) => p.endsWith('\n')) && !pieces.at(-1)!.includes('\n'));
  assert.deepEqual([...drawTablePieces({ head: ['a'], colWidths: [5] }, [], 2)].join(''), new Table({ head: ['a'], colWidths: [5] }).toString());
});
