// The records of a JSON document, one at a time: a top-level array of objects (`[{...}, {...}]`, as
// "export to JSON" writes it), or an object holding such an array as one of its values
// (`{"results": [...]}`, `{"value": [...]}`: API and search exports). Streaming: only the record
// being read is held, never the document (a month of exports is hundreds of MB).
//
// Why by hand: the generic adapter needs each record's text with the line it starts on (every
// sample names its source line) and a bound on a record's size (--max-record-bytes); it only has
// to find where each record begins and ends (strings, escapes, nesting), JSON.parse reads it.

/** One record: its JSON text and the 1-based line of the input its opening brace is on. */
export interface JsonRecordText { text: string; line: number }

/** Why the document is not one keylag reads, with the line where that showed. */
export class JsonShapeError extends Error {
  constructor(message: string, readonly line: number) { super(message); }
}

/** Whether a document that starts this way (after a BOM and whitespace) is a JSON array or object to read as records. */
export function looksLikeJsonDocument(head: string): 'array' | 'object' | null {
  const text = head.replace(/^\uFEFF/, '').trimStart();
  if (text.startsWith('[')) return 'array';
  // An object whose first line does not close it: a pretty-printed document, not JSON Lines.
  if (text.startsWith('{')) {
    const firstLine = text.split('\n', 1)[0]!.trim();
    let parsed: unknown;
    try { parsed = JSON.parse(firstLine); } catch { return 'object'; }
    // A whole document on one line ({"value": [...]}) and nothing after it; else JSON Lines.
    const rest = text.slice(text.indexOf(firstLine) + firstLine.length);
    const holdsRecords = Object.values(parsed as Record<string, unknown>)
      .some((v) => Array.isArray(v) && v.length > 0 && v.every((e) => e !== null && typeof e === 'object' && !Array.isArray(e)));
    return holdsRecords && rest.trim() === '' ? 'object' : null;
  }
  return null;
}

/**
 * The records of the document in `chunks`, in order. `tooLong(line)` is called for a record over
 * `maxRecordBytes` characters (it is skipped); the shape errors (no array of records, text after
 * the document) are thrown as JsonShapeError.
 */
export async function* jsonRecords(chunks: AsyncIterable<Buffer>, maxRecordBytes: number,
  tooLong: (line: number) => void): AsyncGenerator<JsonRecordText> {
  const decoder = new TextDecoder('utf-8');
  let line = 1;
  let depth = 0;
  /** Depth inside the records array (its elements' braces open at this depth), once found. */
  let recordsDepth = -1;
  /** Depth inside an array that may be the records (its first element decides): -1 none. */
  let candidateDepth = -1;
  let topLevelArray = false;
  /** The document's outermost bracket has closed: only whitespace may follow. */
  let closed = false;
  let recordsDone = false;
  let inString = false;
  let escaped = false;
  let first = true;
  // The record being read: its parts, its length, its first line; skipping one that is too long.
  let parts: string[] = [];
  let partStart = -1;
  let length = 0;
  let recordLine = 0;
  let skipping = false;
  for await (const chunk of chunks) {
    let text = decoder.decode(chunk, { stream: true });
    if (first) { text = text.replace(/^\uFEFF/, ''); first = false; }
    partStart = recordLine > 0 && !skipping ? 0 : -1;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) line++;
      if (inString) {
        if (escaped) escaped = false;
        else if (c === 92) escaped = true;
        else if (c === 34) inString = false;
        continue;
      }
      // The first element of a candidate array decides: an object makes it the records; anything
      // else (strings, numbers, an empty array) and the search goes on (within a top-level object).
      if (candidateDepth >= 0 && depth === candidateDepth && c > 32) {
        // An empty top-level array is a document of no records.
        if (c === 123 || (c === 93 && topLevelArray)) recordsDepth = candidateDepth;
        else if (topLevelArray) throw new JsonShapeError('the top-level array holds a value where an object (one record) was expected', line);
        candidateDepth = -1;
      }
      if (c === 34) { inString = true; continue; }
      if (closed && c > 32) throw new JsonShapeError('text after the end of the JSON document (JSON Lines are one object per line)', line);
      if (c === 123 || c === 91) { // { [
        if (recordsDepth < 0 && c === 91 && depth <= 1) { candidateDepth = depth + 1; topLevelArray = depth === 0; }
        if (recordsDepth >= 0 && !recordsDone && depth === recordsDepth && recordLine === 0) {
          if (c !== 123) throw new JsonShapeError('the records array holds an array where an object (one record) was expected', line);
          recordLine = line;
          partStart = i;
          parts = [];
          length = 0;
          skipping = false;
        }
        depth++;
      } else if (c === 125 || c === 93) { // } ]
        depth--;
        if (depth < 0) throw new JsonShapeError('unbalanced JSON: a closing bracket with nothing open', line);
        if (depth === 0) closed = true;
        if (recordLine > 0 && depth === recordsDepth) {
          if (!skipping) {
            parts.push(text.slice(partStart, i + 1));
            yield { text: parts.join(''), line: recordLine };
          }
          recordLine = 0;
          partStart = -1;
          parts = [];
        } else if (recordsDepth >= 0 && depth === recordsDepth - 1 && c === 93) {
          recordsDone = true;
        }
      } else if (recordsDepth >= 0 && !recordsDone && depth === recordsDepth && recordLine === 0 && c > 32 && c !== 44) {
        throw new JsonShapeError('the records array holds a value where an object (one record) was expected', line);
      }
      if (recordLine > 0 && !skipping && i - partStart + length > maxRecordBytes) {
        tooLong(recordLine);
        skipping = true;
      }
    }
    if (recordLine > 0 && !skipping && partStart >= 0) {
      parts.push(text.slice(partStart));
      length += text.length - partStart;
    }
  }
  if (depth !== 0 || inString) throw new JsonShapeError('the JSON document ends before it is closed', line);
  if (recordsDepth < 0) throw new JsonShapeError('no array of records found (a top-level array of objects, or an object holding one)', line);
}
