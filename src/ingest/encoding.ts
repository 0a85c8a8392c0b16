// Text encodings of evidence files. Exports from Windows tools are often UTF-16 with a BOM or a
// legacy code page; everything is turned into UTF-8 before an adapter sees it, and the report
// header says which encoding was read. Binary formats (captures) are passed through untouched.

export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

/** Decide from the first bytes: a BOM wins; valid UTF-8 is UTF-8; anything else is read as Windows-1252. */
export function sniffEncoding(head: Buffer): TextEncodingName {
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  // A cut in the middle of a multi-byte character at the end of the head is not an error.
  const probe = head.subarray(0, Math.max(0, head.length - 3));
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(probe);
    return 'utf-8';
  } catch {
    return 'windows-1252';
  }
}

export function decodeHead(head: Buffer, encoding: TextEncodingName): string {
  return new TextDecoder(encoding).decode(head);
}

/** Re-encode a byte stream to UTF-8 (the BOM of UTF-16 is dropped by the decoder). */
export async function* toUtf8(chunks: AsyncIterable<Buffer>, encoding: TextEncodingName): AsyncGenerator<Buffer> {
  if (encoding === 'utf-8') { yield* chunks; return; }
  const decoder = new TextDecoder(encoding);
  for await (const chunk of chunks) {
    const text = decoder.decode(chunk, { stream: true });
    if (text.length > 0) yield Buffer.from(text, 'utf8');
  }
  const rest = decoder.decode();
  if (rest.length > 0) yield Buffer.from(rest, 'utf8');
}
