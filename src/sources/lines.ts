/**
 * Streaming line splitter shared by every line-oriented reader (JSON Lines, W3C, CSV, syslog…).
 * Tracks the byte offset and 1-based number of each line, strips a UTF-8 BOM, decodes UTF-16LE when the
 * content starts with its BOM, and bounds line length: an over-long line is reported and skipped, never
 * buffered without limit.
 */
import type { ReadContext } from './types.js';
import { sniffBom } from './text.js';

export interface Line {
  text: string;
  /** byte offset of the line start in the (decompressed) stream */
  offset: number;
  /** 1-based line number */
  line: number;
}

export const MAX_LINE_BYTES = 8 * 1024 * 1024;

export async function* readLines(
  stream: NodeJS.ReadableStream,
  ctx: ReadContext,
  file: string,
  maxLineBytes = MAX_LINE_BYTES,
): AsyncGenerator<Line> {
  for await (const batch of readLineBatches(stream, ctx, file, maxLineBytes)) yield* batch;
}

/**
 * The same lines, those of each chunk of the stream together (a file read whole: all of them at once): one
 * asynchronous step per chunk instead of one per line.
 */
export async function* readLineBatches(
  stream: NodeJS.ReadableStream,
  ctx: ReadContext,
  file: string,
  maxLineBytes = MAX_LINE_BYTES,
): AsyncGenerator<Line[]> {
  let pending: Buffer[] = [];
  let pendingLen = 0;
  let lineStart = 0; // offset of the current line
  let pos = 0; // bytes consumed so far
  let lineNo = 0;
  let first = true;
  let utf16 = false;
  let skipping = false; // inside an over-long line
  let oddByte: Buffer | null = null;

  const decode = (b: Buffer): string => {
    let s = utf16 ? b.toString('utf16le') : b.toString('utf8');
    if (s.endsWith('\r')) s = s.slice(0, -1);
    return s;
  };

  for await (const raw of stream as AsyncIterable<Buffer | string>) {
    let chunk = typeof raw === 'string' ? Buffer.from(raw) : raw;
    if (first) {
      first = false;
      // UTF-8 or UTF-16LE mark (a UTF-16BE file is read as bytes: line formats are not written so)
      const bom = sniffBom(chunk);
      if (bom && bom.encoding !== 'utf16be') {
        utf16 = bom.encoding === 'utf16le';
        chunk = chunk.subarray(bom.length);
        pos = lineStart = bom.length;
      }
    }
    if (utf16) {
      if (oddByte) { chunk = Buffer.concat([oddByte, chunk]); pos -= oddByte.length; oddByte = null; }
      if (chunk.length % 2 === 1) { oddByte = chunk.subarray(chunk.length - 1); chunk = chunk.subarray(0, chunk.length - 1); }
    }
    let start = 0;
    const out: Line[] = [];
    for (;;) {
      let nl: number;
      if (utf16) {
        nl = -1;
        for (let i = start; i + 1 < chunk.length; i += 2) if (chunk[i] === 0x0a && chunk[i + 1] === 0) { nl = i; break; }
      } else nl = chunk.indexOf(0x0a, start);
      if (nl < 0) break;
      const part = chunk.subarray(start, nl);
      const end = nl + (utf16 ? 2 : 1);
      lineNo++;
      if (skipping) {
        skipping = false;
      } else if (pendingLen + part.length > maxLineBytes) {
        ctx.error({ file, offset: lineStart, line: lineNo, message: `line longer than ${maxLineBytes} bytes skipped` });
      } else {
        const buf = pendingLen ? Buffer.concat([...pending, part]) : part;
        out.push({ text: decode(buf), offset: lineStart, line: lineNo });
      }
      pending = [];
      pendingLen = 0;
      pos += end - start;
      lineStart = pos;
      start = end;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      pos += rest.length;
      if (!skipping) {
        if (pendingLen + rest.length > maxLineBytes) {
          skipping = true;
          ctx.error({ file, offset: lineStart, line: lineNo + 1, message: `line longer than ${maxLineBytes} bytes skipped` });
          pending = [];
          pendingLen = 0;
        } else {
          // copy: the stream may reuse its buffer
          pending.push(Buffer.from(rest));
          pendingLen += rest.length;
        }
      }
    }
    if (out.length) yield out;
  }
  if (pendingLen && !skipping) {
    lineNo++;
    yield [{ text: decode(Buffer.concat(pending)), offset: lineStart, line: lineNo }];
  }
}
