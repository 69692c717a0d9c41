/**
 * Streaming RFC 4180 record parser on top of `readLines`: quoted cells, doubled quotes, delimiters and newlines
 * inside quotes (a record may span lines, bounded), UTF-8 BOM / UTF-16LE (handled by readLines). Lenient where
 * real exporters are sloppy (a stray quote inside an unquoted cell is kept as text); a record that never closes
 * its quote within the bound is reported and skipped, and parsing resumes on the line after it.
 */
import type { ReadContext, InputFile } from './types.js';
import { readLines, type Line } from './lines.js';
import { headText as headTextOf, sniffBom } from './text.js';

/** Most cells kept per record (more than any real log's columns). */
export const MAX_CELLS = 4096;

export interface CsvRecord {
  cells: string[];
  /** byte offset of the record's first line */
  offset: number;
  /** 1-based number of the record's first line */
  line: number;
  /** the record's text as read (all its lines joined by \n) */
  text: string;
}

export interface CsvOptions {
  delimiter?: string;
  /** most bytes (UTF-16 code units) one record may span; default 1 MiB */
  maxRecordChars?: number;
  /** most lines one record may span; default 10 000 */
  maxRecordLines?: number;
}

/** Split one complete single-line CSV record (no newline inside quotes) into cells. Returns null if a quote stays open. */
export function splitCsvLine(text: string, delimiter = ','): string[] | null {
  const p = new CsvRecordParser(delimiter);
  return p.feed(text) ? p.take() : null;
}

/** Incremental record parser: feed lines until it reports the record complete. */
export class CsvRecordParser {
  private cells: string[] = [];
  private cur = '';
  private inQuotes = false;
  private quotedCell = false;
  constructor(private readonly delimiter = ',') {}

  /** Feed one line (without its newline). Returns true when the record is complete. */
  feed(line: string): boolean {
    const d = this.delimiter;
    let i = 0;
    const n = line.length;
    if (this.inQuotes) this.cur += '\n';
    else if (line.indexOf('"') < 0) {
      // fast path: no quotes at all on this line
      const parts = line.split(d, MAX_CELLS + 1); // a record with more cells than any header: caller rejects it
      parts[0] = this.cur + parts[0];
      this.cur = '';
      for (const p of parts) this.cells.push(p);
      return true;
    }
    const dc = d.charCodeAt(0);
    while (i < n) {
      if (this.inQuotes) {
        const q = line.indexOf('"', i);
        if (q < 0) {
          this.cur += line.slice(i);
          return false;
        }
        this.cur += line.slice(i, q);
        if (line.charCodeAt(q + 1) === 34) {
          this.cur += '"';
          i = q + 2;
        } else {
          this.inQuotes = false;
          i = q + 1;
        }
        continue;
      }
      const c = line.charCodeAt(i);
      if (c === dc) {
        if (this.cells.length > MAX_CELLS) {
          // far more cells than any header: stop collecting (the caller rejects the record on its count)
          this.cur = '';
          i = line.indexOf('"', i + 1) < 0 ? n : i + 1;
          continue;
        }
        this.cells.push(this.cur);
        this.cur = '';
        this.quotedCell = false;
        i++;
      } else if (c === 34 && this.cur === '' && !this.quotedCell) {
        this.inQuotes = true;
        this.quotedCell = true;
        i++;
      } else {
        // plain text up to the next delimiter or quote (a stray quote in an unquoted cell, or after a closing
        // quote, is kept as text)
        let j = i + 1;
        while (j < n) {
          const x = line.charCodeAt(j);
          if (x === dc || x === 34) break;
          j++;
        }
        this.cur += line.slice(i, j);
        if (j < n && line.charCodeAt(j) === 34) {
          this.cur += '"';
          j++;
        }
        i = j;
      }
    }
    if (this.inQuotes) return false;
    this.cells.push(this.cur);
    this.cur = '';
    this.quotedCell = false;
    return true;
  }

  /** Cells of the completed record; resets the parser. */
  take(): string[] {
    const c = this.cells;
    this.reset();
    return c;
  }

  get open(): boolean {
    return this.inQuotes;
  }

  reset(): void {
    this.cells = [];
    this.cur = '';
    this.inQuotes = false;
    this.quotedCell = false;
  }
}

/**
 * Records of a CSV stream. Header handling is the caller's: every record (header lines included) is yielded.
 * `isBoundary(line)` lets the caller stop a runaway quoted record at a line that certainly starts a new one
 * (e.g. an Exchange `#Fields:` line or a line starting with a timestamp).
 */
export async function* readCsvRecords(
  lines: AsyncIterable<Line>,
  ctx: ReadContext,
  file: string,
  opts: CsvOptions = {},
): AsyncGenerator<CsvRecord> {
  const maxChars = opts.maxRecordChars ?? 1 << 20;
  const maxLines = opts.maxRecordLines ?? 10_000;
  const parser = new CsvRecordParser(opts.delimiter ?? ',');
  let start: Line | undefined;
  let parts: string[] = [];
  let chars = 0;
  for await (const ln of lines) {
    if (!start) {
      start = ln;
      parts = [];
      chars = 0;
    }
    parts.push(ln.text);
    chars += ln.text.length + 1;
    if (parser.feed(ln.text)) {
      const cells = parser.take();
      yield { cells, offset: start.offset, line: start.line, text: parts.length === 1 ? parts[0] : parts.join('\n') };
      start = undefined;
      continue;
    }
    if (chars > maxChars || parts.length > maxLines) {
      ctx.error({
        file,
        offset: start.offset,
        line: start.line,
        message: `CSV record with an unclosed quote longer than ${parts.length > maxLines ? `${maxLines} lines` : `${maxChars} characters`} skipped`,
      });
      parser.reset();
      start = undefined;
    }
  }
  if (start) {
    ctx.error({ file, offset: start.offset, line: start.line, message: 'CSV record with an unclosed quote at end of file skipped' });
  }
}

/** Convenience: CSV records of a stream. */
export function csvRecords(stream: NodeJS.ReadableStream, ctx: ReadContext, file: string, opts: CsvOptions = {}): AsyncGenerator<CsvRecord> {
  return readCsvRecords(readLines(stream, ctx, file), ctx, file, opts);
}

/**
 * The detection head as text (see text.ts), at most `maxChars` characters. Line formats are read by readLines,
 * which decodes UTF-8 and UTF-16LE: a UTF-16BE head gives "" (nothing to claim, rather than a file read as garbage).
 */
export function headText(input: InputFile, maxChars = 65536): string {
  if (sniffBom(input.head)?.encoding === 'utf16be') return '';
  const s = headTextOf(input.head);
  return s.length > maxChars ? s.slice(0, maxChars) : s;
}

/** The first `n` lines of the detection head (the last, possibly cut, line dropped when the head is full). */
export function headLines(input: InputFile, n = 50): string[] {
  const s = headText(input);
  const lines = s.split('\n', n + 1).map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (lines.length > n) lines.length = n;
  else if (input.head.length >= 65536 && lines.length > 1) lines.pop();
  return lines;
}
