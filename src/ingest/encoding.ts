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

/**
 * Files that are containers or documents rather than exports (their first bytes, as `file(1)` tells
 * them), with what to do instead; null for anything else. Without this a workbook was read as CSV
 * ("malformed CSV: Invalid Opening Quote") and a PDF as an "empty input".
 */
export function containerOf(head: Uint8Array): { what: string; todo: string } | null {
  const starts = (...bytes: number[]): boolean => bytes.every((b, i) => head[i] === b);
  if (starts(0x50, 0x4b, 0x03, 0x04) || starts(0x50, 0x4b, 0x05, 0x06)) {
    return { what: 'a zip archive (an Excel .xlsx workbook is one)', todo: 'save a workbook as CSV (UTF-8); unpack an archive and give its files' };
  }
  if (starts(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1)) return { what: 'an Office document of the old binary format (.xls)', todo: 'save it as CSV (UTF-8)' };
  if (starts(0x25, 0x50, 0x44, 0x46, 0x2d)) return { what: 'a PDF document', todo: 'export the data behind it as CSV or JSON' };
  const unpack = 'unpack it and give its files';
  if (starts(0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c)) return { what: 'a 7-Zip archive', todo: unpack };
  if (starts(0x52, 0x61, 0x72, 0x21, 0x1a, 0x07)) return { what: 'a RAR archive', todo: unpack };
  const decompress = 'decompress it first (keylag reads gzip itself)';
  if (starts(0x42, 0x5a, 0x68)) return { what: 'bzip2-compressed data', todo: decompress };
  if (starts(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00)) return { what: 'xz-compressed data', todo: decompress };
  if (starts(0x28, 0xb5, 0x2f, 0xfd)) return { what: 'zstd-compressed data', todo: decompress };
  return null;
}
