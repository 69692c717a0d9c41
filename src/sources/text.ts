/**
 * Text encodings of input files: the byte-order mark at the start of a file, and the detection head as text.
 * Every reader that decodes text (readLines, the JSON splitter, M365 audit exports, CSV detection) asks here.
 */

export interface Bom {
  encoding: 'utf8' | 'utf16le' | 'utf16be';
  /** bytes of the mark itself */
  length: number;
}

/** The byte-order mark the bytes start with, if any (UTF-8, UTF-16LE, UTF-16BE). */
export function sniffBom(b: Uint8Array): Bom | undefined {
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return { encoding: 'utf8', length: 3 };
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) return { encoding: 'utf16le', length: 2 };
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) return { encoding: 'utf16be', length: 2 };
  return undefined;
}

/**
 * The detection head (first bytes of a file) as text: mark stripped, UTF-16 decoded (a cut last unit dropped).
 * Every detector asks for the same head: it is decoded once per file (64 KiB per detector showed in profiles).
 */
export function headText(head: Buffer): string {
  let s = headTextCache.get(head);
  if (s === undefined) {
    s = decodeHead(head);
    headTextCache.set(head, s);
  }
  return s;
}
const headTextCache = new WeakMap<Buffer, string>();

function decodeHead(head: Buffer): string {
  const bom = sniffBom(head);
  if (!bom) return head.toString('utf8');
  if (bom.encoding === 'utf8') return head.subarray(3).toString('utf8');
  const body = head.subarray(2, head.length - (head.length % 2));
  if (bom.encoding === 'utf16le') return body.toString('utf16le');
  const b = Buffer.from(body);
  b.swap16();
  return b.toString('utf16le');
}
