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
import { createRequire } from 'node:module';
import Table from 'cli-table3';

type Truncate = (str: string, desiredLength: number, truncateChar?: string) => string;
const utils = createRequire(import.meta.url)('cli-table3/src/utils.js') as { truncate: Truncate };

/** cli-table3's own truncate, kept for the test that compares both. */
export const cliTableTruncate: Truncate = utils.truncate;

utils.truncate = (str, desiredLength, truncateChar) =>
  (typeof str === 'string' && str.includes('\n') ? str.slice(0, desiredLength) : cliTableTruncate(str, desiredLength, truncateChar));

/** cli-table3's Table, with the workaround above in place. */
export { Table };

type TableOptions = ConstructorParameters<typeof Table>[0];
type TableRow = Parameters<InstanceType<typeof Table>['push']>[0];

/**
 * Rows per cli-table3 table in `drawTable`. cli-table3 lays a table out by checking every cell
 * against every row above it (fillInTable: O(rows^2)); 8,000 ranked accounts spent 12 s there.
 */
export const ROWS_PER_PART = 256;

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
  const parts: string[] = [];
  let rows: TableRow[] = [];
  const flush = (): void => {
    const table = new Table(parts.length === 0 ? options : { ...options, head: [] });
    for (const row of rows) table.push(row);
    parts.push(table.toString());
    rows = [];
  };
  for (const group of groups) {
    if (rows.length > 0 && rows.length + group.length > rowsPerPart) flush();
    rows.push(...group);
  }
  if (rows.length > 0 || parts.length === 0) flush();
  const lines = parts[0]!.split('\n');
  for (const part of parts.slice(1)) {
    const next = part.split('\n');
    lines.push(joinLine(lines.pop()!, next[0]!), ...next.slice(1));
  }
  return lines.join('\n');
}

/** For the test: run `draw` with cli-table3's own truncate, as if the workaround were not there. */
export function withCliTableTruncate<T>(draw: () => T): T {
  const patched = utils.truncate;
  utils.truncate = cliTableTruncate;
  try {
    return draw();
  } finally {
    utils.truncate = patched;
  }
}
