// cli-table3, as the table report uses it: one place that works around what it costs on tables
// of thousands of rows.
//
// cli-table3 0.6.5 builds a debug label on every line it draws: `utils.truncate(cell content, 10)`
// over the cell's whole content. For a multi-line cell that truncation removes one character at a
// time and measures the whole string's width after each (string-width over every line), so a cell
// of n characters costs O(n^2) per line drawn: 8,000 ranked accounts took 67 s in --format table,
// 1,000 took 5.4 s. The label is logged only when cli-table3's debugging is on, and that call is
// the only one that passes a string with a newline (lines are drawn one by one), so such calls get
// the first characters instead. What is drawn does not change (test/table-draw.test.ts).
//
// Every width cli-table3 measures goes through string-width, which builds two regular expressions
// per call (strip-ansi's and emoji-regex's, the latter thousands of characters long): at 10,000
// ranked accounts that was ~1.5 s of the table's 3.5 s (1M-row bench input, --format table). Most
// text in a report is printable ASCII, whose width is its length (per line), so `strlen`, `pad`
// and `truncate` measure such strings themselves and hand everything else (colour codes, wide or
// combining characters, controls) to cli-table3's own functions. Why by hand: these are
// cli-table3's functions with a fast path, not a generic facility a package offers.
import { createRequire } from 'node:module';
import Table from 'cli-table3';

type Strlen = (str: unknown) => number;
type Pad = (str: string, len: number, padChar: string, dir?: string) => string;
type Truncate = (str: string, desiredLength: number, truncateChar?: string) => string;
const utils = createRequire(import.meta.url)('cli-table3/src/utils.js') as { strlen: Strlen; pad: Pad; truncate: Truncate };

/** cli-table3's own functions, kept for the tests that compare both. */
export const cliTableTruncate: Truncate = utils.truncate;
export const cliTableStrlen: Strlen = utils.strlen;
export const cliTablePad: Pad = utils.pad;

/** Width of the widest line of `text` when it is printable ASCII and newlines only, else -1. */
export function plainWidth(text: string): number {
  let widest = 0;
  let line = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x0a) { if (line > widest) widest = line; line = 0; } else if (code >= 0x20 && code <= 0x7e) line++; else return -1;
  }
  return line > widest ? line : widest;
}

utils.strlen = (str) => {
  const width = typeof str === 'string' ? plainWidth(str) : -1;
  return width >= 0 ? width : cliTableStrlen(str);
};

utils.pad = (str, len, padChar, dir) => {
  const length = typeof str === 'string' ? plainWidth(str) : -1;
  if (length < 0) return cliTablePad(str, len, padChar, dir);
  // cli-table3's pad, with the width measured above (its repeat gives '' for a negative count).
  if (len + 1 < length) return str;
  const padLength = Math.max(0, len - length);
  if (dir === 'right') return padChar.repeat(padLength) + str;
  if (dir === 'center') {
    const right = Math.ceil((len - length) / 2);
    const left = len - length - right;
    return padChar.repeat(Math.max(0, left)) + str + padChar.repeat(Math.max(0, right));
  }
  return str + padChar.repeat(padLength);
};

utils.truncate = (str, desiredLength, truncateChar) => {
  if (typeof str !== 'string') return cliTableTruncate(str, desiredLength, truncateChar);
  if (str.includes('\n')) return str.slice(0, desiredLength);
  // A plain line that fits comes back whole, as cli-table3's truncate returns it.
  const width = plainWidth(str);
  return width >= 0 && width <= desiredLength ? str : cliTableTruncate(str, desiredLength, truncateChar);
};

/** cli-table3's Table, with the workaround above in place. */
export { Table };

type TableOptions = ConstructorParameters<typeof Table>[0];
type TableRow = Parameters<InstanceType<typeof Table>['push']>[0];

/**
 * Rows per cli-table3 table in `drawTable`. cli-table3 lays a table out by checking every cell
 * against every row above it (fillInTable: O(rows^2)); 8,000 ranked accounts spent 12 s there in
 * one table. 10,000 accounts: fillInTable 287 ms in parts of 256 rows, 195 ms in parts of 64.
 */
export const ROWS_PER_PART = 64;

/**
 * The separator a single table draws between two rows, from the bottom line of the part above and
 * the top line of the part below (cli-table3's default characters): a column boundary of both
 * rows is a cross, of one of them a tee towards it.
 */
function joinLine(bottom: string, top: string): string {
  const below = [...bottom];
  const above = [...top];
  return below.map((ch, i) => {
    if (i === 0) return '├';
    if (i === below.length - 1) return '┤';
    const up = ch === '┴';
    const down = above[i] === '┬';
    return up && down ? '┼' : up ? '┴' : down ? '┬' : ch;
  }).join('');
}

/**
 * The table cli-table3 draws for `head` and `groups` (rows in order; a group's rows stay in one
 * part), drawn in parts of about ROWS_PER_PART rows joined where a single table has a row
 * separator: the same text as one table, in linear time. Needs fixed `colWidths`, no border
 * colour and the default border characters, so that every part has the same columns.
 */
export function drawTable(options: TableOptions, groups: readonly (readonly TableRow[])[], rowsPerPart = ROWS_PER_PART): string {
  return [...drawTablePieces(options, groups, rowsPerPart)].join('');
}

/**
 * The text of `drawTable` in pieces, about a part each (no newline after the last line), so that a
 * table of 10,000 accounts is written as it is drawn, never held whole with its lines.
 */
export function* drawTablePieces(options: TableOptions, groups: readonly (readonly TableRow[])[], rowsPerPart = ROWS_PER_PART): Generator<string> {
  let rows: TableRow[] = [];
  let first = true;
  // The last line of the part drawn last: a part's bottom border, joined with the next part's top.
  let held: string | null = null;
  const part = (): string | null => {
    const table = new Table(first ? options : { ...options, head: [] });
    first = false;
    for (const row of rows) table.push(row);
    rows = [];
    const lines = table.toString().split('\n');
    if (held !== null) lines[0] = joinLine(held, lines[0]!);
    held = lines.pop()!;
    return lines.length > 0 ? lines.join('\n') + '\n' : null;
  };
  for (const group of groups) {
    if (rows.length > 0 && rows.length + group.length > rowsPerPart) {
      const text = part();
      if (text !== null) yield text;
    }
    rows.push(...group);
  }
  if (rows.length > 0 || first) {
    const text = part();
    if (text !== null) yield text;
  }
  yield held ?? '';
}

/** For the tests: run `draw` with cli-table3's own functions, as if the workarounds were not there. */
export function withCliTableTruncate<T>(draw: () => T): T {
  const patched = { strlen: utils.strlen, pad: utils.pad, truncate: utils.truncate };
  utils.strlen = cliTableStrlen;
  utils.pad = cliTablePad;
  utils.truncate = cliTableTruncate;
  try {
    return draw();
  } finally {
    Object.assign(utils, patched);
  }
}
