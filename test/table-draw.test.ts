// The table report's workarounds for cli-table3 on long tables (src/report/table-draw.ts): tables
// drawn with them are the same, character for character, as those cli-table3 draws on its own
// (its own truncate; one table rather than parts): multi-line cells, colours, right alignment,
// spans, wide and non-ASCII text, cells cut to their column, with and without a header.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { Chalk } from 'chalk';
import { Table, cliTableTruncate, drawTable, withCliTableTruncate } from '../src/report/table-draw.js';

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
