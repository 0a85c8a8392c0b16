// Escaping of untrusted strings (account names, sites, paths, details all come
// from evidence files) for each output medium. Pure functions, no I/O.
//
// Notation: every dangerous code point is replaced by its JavaScript/JSON escape
// text, lower-case, four hex digits: ESC -> `\u001b`, BEL -> `\u0007`,
// U+202E -> `\u202e`. The rest of an ANSI/OSC sequence is then plain printable
// text (`evil\u001b[31m` shows as those 13 characters), so escape sequences are
// shown, never interpreted, and nothing is silently dropped. Backslashes already
// in the input are kept as they are (`CORP\alice` stays readable), so the display
// form is not a reversible encoding: the exact value is in the JSON output.

/**
 * Code points never written raw by any renderer:
 * - C0 controls U+0000-U+001F (including TAB, LF, CR: a name must not be able to
 *   start a new table row), DEL U+007F, C1 controls U+0080-U+009F (U+009B is an
 *   8-bit CSI);
 * - bidirectional formatting: U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069
 *   (they reorder what follows them on screen: "Trojan Source" style spoofing);
 * - U+2028/U+2029 (line/paragraph separators, line breaks to some terminals);
 * - invisible characters that hide inside names: U+200B (zero-width space),
 *   U+2060-U+2064 (word joiner, invisible operators), U+FEFF (BOM/ZWNBSP),
 *   U+FFF9-U+FFFB (interlinear annotation);
 * - lone UTF-16 surrogates (not encodable; they would become U+FFFD silently).
 * ZWNJ/ZWJ (U+200C/U+200D) are kept: scripts and emoji need them.
 */
const UNSAFE =
  /[\u0000-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function escapeCodeUnit(ch: string): string {
  return '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0');
}

/** The same set without C0 controls and surrogates, which JSON.stringify already escapes. */
const UNSAFE_IN_JSON =
  /[\u007f-\u009f\u061c\u200b\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]/g;

/**
 * Post-process text produced by `JSON.stringify`: write DEL, C1, bidi, line
 * separator and invisible characters as `\uXXXX` JSON escapes too, so the file is
 * safe to `cat` and the parsed strings are still exactly the originals.
 * (These code points can only occur inside JSON strings, where `\uXXXX` is valid.)
 */
export function escapeJsonText(jsonText: string): string {
  return jsonText.replace(UNSAFE_IN_JSON, escapeCodeUnit);
}

/** True when `s` holds any code point that `escapeControls` would rewrite. */
export function hasUnsafeChars(s: string): boolean {
  UNSAFE.lastIndex = 0;
  const found = UNSAFE.test(s);
  UNSAFE.lastIndex = 0;
  return found;
}

/** Replace every unsafe code point (see UNSAFE above) with its visible `\uXXXX` text. */
export function escapeControls(s: string): string {
  return s.replace(UNSAFE, escapeCodeUnit);
}

/**
 * Make an untrusted string safe to write to a terminal: control characters
 * (C0, DEL, C1, so every ANSI CSI/OSC/DCS introducer), bidi overrides and
 * isolates, line separators and invisible characters are shown as `\uXXXX`
 * text. The result is a single line with no escape sequence in it.
 */
export function terminalSafe(s: string): string {
  return escapeControls(String(s));
}

/** Characters at the start of a CSV text cell that spreadsheets treat as a formula. */
const FORMULA_START = /^[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/;
/** A plain decimal number: optional minus, digits, optional fraction. */
const PLAIN_DECIMAL = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?$/;

export type CsvValue = string | number | boolean | null | undefined;

export interface CsvCellOptions {
  /**
   * 'escape' (default): control/bidi/invisible characters become `\uXXXX` text,
   * as in `terminalSafe`, so every record is one physical line and `cat file.csv`
   * is safe. 'keep': the text is kept as is (RFC 4180 quoting still applies, so
   * embedded line breaks are quoted, not broken).
   */
  controls?: 'escape' | 'keep';
}

/**
 * One CSV cell, RFC 4180, plus spreadsheet formula-injection neutralisation.
 * - `null`/`undefined` and non-finite numbers -> empty cell.
 * - numbers -> `String(n)` (never neutralised: `-3.5` stays a number).
 * - booleans -> `true`/`false`.
 * - text that is a plain decimal number (`-3.5`, `42`, `0.125`) is left as is;
 *   other text starting with `=`, `+`, `-`, `@`, TAB or CR (or the full-width
 *   `＝＋－＠`) gets a leading `'` so spreadsheets show it as text.
 * - then control characters are escaped (see options) and the cell is quoted with
 *   `"` (inner `"` doubled) when it contains `,`, `"`, CR or LF.
 */
export function csvCell(value: CsvValue, options: CsvCellOptions = {}): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return '';
    return String(Object.is(value, -0) ? 0 : value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  let s = String(value);
  if (!PLAIN_DECIMAL.test(s) && FORMULA_START.test(s)) s = "'" + s;
  if ((options.controls ?? 'escape') === 'escape') s = escapeControls(s);
  if (/[",\r\n]/.test(s)) s = '"' + s.replace(/"/g, '""') + '"';
  return s;
}

/** Join cells into one CSV record (no line ending). */
export function csvRow(values: readonly CsvValue[], options?: CsvCellOptions): string {
  return values.map((v) => csvCell(v, options)).join(',');
}

/**
 * Escape text for HTML element content and quoted attribute values: control and
 * bidi characters become `\uXXXX` text first, then `& < > " '` become entities.
 */
export function htmlEscape(s: string): string {
  return escapeControls(String(s)).replace(/[&<>"']/g, (ch) => {
    switch (ch) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      default:
        return '&#39;';
    }
  });
}

/**
 * Escape text for Markdown (CommonMark/GFM), safe inside a table cell: control
 * and bidi characters become `\uXXXX` text, then every ASCII punctuation
 * character is backslash-escaped (CommonMark allows that for all of them), so no
 * emphasis, link, HTML tag, heading, list marker or `|` cell break can form.
 */
export function markdownEscape(s: string): string {
  return escapeControls(String(s)).replace(/[!-/:-@[-`{-~]/g, (ch) => '\\' + ch);
}
