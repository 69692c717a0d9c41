/**
 * Streaming, bounded JSON value splitter shared by every JSON reader (evtx_dump JSON, collector and SIEM exports).
 *
 * It finds value boundaries with a light byte scanner (string / escape state, bracket depth, object keys only
 * where a path is followed) and hands each complete value to `JSON.parse`, so memory stays bounded by the
 * largest single value (`maxValueBytes`), never by the file. Layouts handled, in one pass:
 * - values back to back (`evtx_dump -o json`, with its `Record <n>` lines between them: see `isNoise`),
 *   JSON Lines, pretty-printed or minified;
 * - one big array: its elements are yielded one by one;
 * - with `path` (e.g. `['hits', 'hits']`): each top-level object (or top-level array element) is descended
 *   along the path and the elements of the array found there are yielded one at a time (an Elasticsearch
 *   `_search` response of any size). With `fallbackToRoot`, a top-level object that does not contain the path is
 *   yielded itself, so one reader accepts both plain documents and search responses.
 *
 * Damage: a value that does not parse is skipped and reported through `ctx.error` with its byte offset and line;
 * a value cut short (a raw newline inside a string, or a new value starting at column 0 of a line while the
 * previous one, which also started at column 0, is still open) is reported and reading resynchronises on the
 * new line. Offsets are byte offsets in the (decompressed) stream; for UTF-16 input (PowerShell `Out-File`) they
 * are offsets in its UTF-8 transcoding.
 */
import { TextDecoder } from 'node:util';
import type { ReadContext } from './types.js';
import { headText, sniffBom } from './text.js';

export { headText };

export interface JsonItem {
  value: unknown;
  /** byte offset of the value's first byte */
  offset: number;
  /** 1-based line of the value's first byte */
  line: number;
}

export interface JsonStreamOptions {
  /** follow this key path inside each top-level object and yield the elements of the array found there */
  path?: string[];
  /** with `path`: a top-level object without the path is yielded whole (default true) */
  fallbackToRoot?: boolean;
  /** largest single value kept for parsing; larger ones are skipped and reported (default 16 MiB) */
  maxValueBytes?: number;
  /** deepest nesting accepted inside one value (default 512) */
  maxDepth?: number;
  /** text lines between top-level values that are expected and silently skipped (default: `Record <n>`) */
  isNoise?: (line: string) => boolean;
}

export const DEFAULT_MAX_VALUE_BYTES = 16 * 1024 * 1024;
const MAX_KEY_BYTES = 1024;
const MAX_JUNK_LINE = 4096;

const defaultNoise = (l: string): boolean => /^Record \d+$/.test(l.trim());

const Q = 0x22; // "
const BS = 0x5c; // \
const LF = 0x0a;

/** True when a parsed value nests deeper than `max` (iterative: no recursion on input structure). */
export function tooDeep(v: unknown, max: number): boolean {
  if (v === null || typeof v !== 'object') return false;
  const stack: [unknown, number][] = [[v, 1]];
  while (stack.length) {
    const [cur, d] = stack.pop()!;
    if (d > max) return true;
    const vals = Array.isArray(cur) ? cur : Object.values(cur as object);
    for (const x of vals) if (x !== null && typeof x === 'object') stack.push([x, d + 1]);
  }
  return false;
}

/** Strip a UTF-8 BOM, transcode UTF-16 (with BOM) to UTF-8. Reports the number of bytes dropped at the start. */
export async function* utf8Chunks(stream: NodeJS.ReadableStream, onSkip?: (n: number) => void): AsyncGenerator<Buffer> {
  let first = true;
  let mode: 'utf8' | 'le' | 'be' = 'utf8';
  let dec: TextDecoder | null = null;
  let odd: Buffer | null = null;
  for await (const raw of stream as AsyncIterable<Buffer | string>) {
    let c: Buffer = typeof raw === 'string' ? Buffer.from(raw) : raw;
    if (first) {
      if (c.length < 3 && !odd) { odd = c; continue; } // tiny first read: wait for more
      if (odd) { c = Buffer.concat([odd, c]); odd = null; }
      first = false;
      const bom = sniffBom(c);
      if (bom) {
        if (bom.encoding !== 'utf8') mode = bom.encoding === 'utf16le' ? 'le' : 'be';
        c = c.subarray(bom.length);
        onSkip?.(bom.length);
      }
      if (mode !== 'utf8') dec = new TextDecoder('utf-16le');
    }
    if (dec) {
      if (mode === 'be') {
        if (odd) { c = Buffer.concat([odd, c]); odd = null; }
        if (c.length % 2) { odd = Buffer.from(c.subarray(c.length - 1)); c = c.subarray(0, c.length - 1); }
        const sw = Buffer.from(c);
        sw.swap16();
        c = sw;
      }
      const s = dec.decode(c, { stream: true });
      if (s) yield Buffer.from(s, 'utf8');
    } else if (c.length) yield c;
  }
  if (first && odd) {
    // whole stream shorter than 3 bytes
    yield odd;
  }
  if (dec) {
    const s = dec.decode();
    if (s) yield Buffer.from(s, 'utf8');
  }
}

/**
 * Parse the first complete JSON value of a detection head (bounded), or undefined. Used by detectors to look at
 * the first record of a file without reading it all. Skips `Record <n>` lines.
 */
export function firstJsonValue(head: Buffer, path?: string[]): unknown {
  const text = headText(head);
  let out: unknown;
  const ctx = { error: () => {} } as unknown as ReadContext;
  const sc = new JsonScanner(ctx, '', { path, fallbackToRoot: true, maxValueBytes: head.length + 16 });
  const items = sc.feed(Buffer.from(text, 'utf8'));
  if (items.length) out = items[0].value;
  return out;
}

/** Stream every JSON value (see module comment) from a (decompressed) content stream. */
export async function* jsonValues(
  stream: NodeJS.ReadableStream,
  ctx: ReadContext,
  file: string,
  opts: JsonStreamOptions = {},
): AsyncGenerator<JsonItem> {
  const sc = new JsonScanner(ctx, file, opts);
  for await (const chunk of utf8Chunks(stream, (n) => sc.skipBytes(n))) {
    const items = sc.feed(chunk);
    for (const it of items) yield it;
  }
  for (const it of sc.end()) yield it;
}

interface Capture {
  start: number; // absolute offset
  line: number;
  parts: Buffer[];
  size: number;
  dropped: boolean; // too large or too deep: no longer kept
  reported: boolean; // an error was counted for it
}

/**
 * The incremental scanner. `feed(chunk)` returns the values completed in that chunk; `end()` flushes.
 * Exported for tests and for detectors.
 */
export class JsonScanner {
  private readonly path: string[];
  private readonly fallback: boolean;
  private readonly maxValue: number;
  private readonly maxDepth: number;
  private readonly isNoise: (l: string) => boolean;

  private base = 0; // absolute offset of the current chunk's byte 0
  private lineNo = 1;
  private atLineStart = true;

  private depth = 0;
  private inStr = false;
  private esc = false;
  /** depth at which roots start: 0, or 1 inside a top-level array */
  private rootDepth = 0;
  private topArray = false;

  private root: Capture | null = null; // capture of the current root (no path, or fallback)
  private rootActive = false; // a root value is open
  private rootFound = false; // path found inside the current root
  private unit: Capture | null = null; // capture of the current path element
  private unitDepth = -1; // depth at which the current unit started (depth before its bracket)
  private unwrapDepth = -1; // depth of elements of the array found at the end of the path

  private pathLevel = -1; // index of the deepest on-path object entered (-1: none)
  private readonly pathObjDepth: number[] = [];
  private expectKey = false;
  private lastKey: string | null = null;
  private keyParts: Buffer[] | null = null;
  private keyLen = 0;

  private junk: Buffer[] | null = null; // a text line at top level being collected
  private junkLen = 0;
  private junkStart = 0;
  private junkLine = 0;

  private scalar = false; // inside a bare scalar at unit level (skipped)
  private tooDeep = false;
  private out: JsonItem[] = [];

  constructor(private readonly ctx: ReadContext, private readonly file: string, opts: JsonStreamOptions = {}) {
    this.path = opts.path ?? [];
    this.fallback = opts.fallbackToRoot ?? true;
    this.maxValue = opts.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES;
    this.maxDepth = opts.maxDepth ?? 512;
    this.isNoise = opts.isNoise ?? defaultNoise;
  }

  /** bytes dropped before the first chunk (BOM), so offsets stay true */
  skipBytes(n: number): void {
    this.base += n;
  }

  private err(offset: number, line: number, message: string): void {
    this.ctx.error({ file: this.file, offset, line, message });
  }

  private startCapture(abs: number): Capture {
    return { start: abs, line: this.lineNo, parts: [], size: 0, dropped: false, reported: false };
  }

  /** close a capture at chunk index `endIdx` (exclusive) and parse it */
  private finish(c: Capture, chunk: Buffer, from: number, endIdx: number): void {
    if (c.dropped) return;
    const piece = chunk.subarray(from, endIdx);
    const size = c.size + piece.length;
    if (size > this.maxValue) {
      this.err(c.start, c.line, `JSON value larger than ${this.maxValue} bytes skipped`);
      c.reported = true;
      return;
    }
    const buf = c.parts.length ? Buffer.concat([...c.parts, piece]) : piece;
    let value: unknown;
    try {
      value = JSON.parse(buf.toString('utf8'));
    } catch (e) {
      this.err(c.start, c.line, `invalid JSON: ${(e as Error).message}`);
      return;
    }
    this.out.push({ value, offset: c.start, line: c.line });
  }

  /** reset everything after a damaged value; scanning resumes at top level */
  private resync(reason: string): void {
    const c = this.unit ?? this.root;
    if (c) this.err(c.start, c.line, reason);
    else if (this.rootActive) this.err(this.base, this.lineNo, reason);
    this.depth = 0;
    this.inStr = false;
    this.esc = false;
    this.rootDepth = 0;
    this.topArray = false;
    this.root = null;
    this.rootActive = false;
    this.rootFound = false;
    this.unit = null;
    this.unitDepth = -1;
    this.unwrapDepth = -1;
    this.pathLevel = -1;
    this.expectKey = false;
    this.lastKey = null;
    this.keyParts = null;
    this.scalar = false;
    this.tooDeep = false;
  }

  feed(chunk: Buffer): JsonItem[] {
    this.out = [];
    const n = chunk.length;
    let i = 0;
    // where each open capture starts inside this chunk (0 when it started in an earlier chunk)
    const capStart = (c: Capture): number => Math.max(0, c.start - this.base);
    let nextNL = chunk.indexOf(LF, 0);
    if (nextNL < 0) nextNL = n;
    let nextBS = -1; // cached position of the next backslash (n: none)

    while (i < n) {
      if (nextNL < i) nextNL = this.nl(chunk, i);
      // ---- inside a string ----
      if (this.inStr) {
        if (this.esc) {
          this.esc = false;
          if (i === nextNL) { this.newlineInString(); continue; }
          if (this.keyParts) this.keyAdd(chunk.subarray(i, i + 1));
          i++;
          continue;
        }
        const q = chunk.indexOf(Q, i);
        if (nextBS < i) { nextBS = chunk.indexOf(BS, i); if (nextBS < 0) nextBS = n; }
        const b = nextBS < n ? nextBS : -1;
        let end: number; // index of closing quote, or -1
        if (b >= 0 && (q < 0 || b < q)) {
          // escape before the next quote
          if (nextNL < n && nextNL <= b + 1) { i = nextNL; this.newlineInString(); continue; }
          if (this.keyParts) this.keyAdd(chunk.subarray(i, b + 1));
          if (b + 1 < n) {
            if (this.keyParts) this.keyAdd(chunk.subarray(b + 1, b + 2));
            i = b + 2;
          } else { this.esc = true; i = n; }
          continue;
        }
        end = q;
        if (end < 0) {
          if (nextNL < n) { i = nextNL; this.newlineInString(); continue; }
          if (this.keyParts) this.keyAdd(chunk.subarray(i));
          i = n;
          continue;
        }
        if (nextNL < end) { i = nextNL; this.newlineInString(); continue; }
        if (this.keyParts) { this.keyAdd(chunk.subarray(i, end)); this.keyDone(); }
        this.inStr = false;
        i = end + 1;
        this.atLineStart = false;
        this.lastSig = Q;
        continue;
      }

      const c = chunk[i];

      // ---- collecting a junk text line at top level ----
      if (this.junk) {
        if (c === LF) {
          this.junkDone();
          this.lineNo++;
          this.atLineStart = true;
          i++;
          continue;
        }
        const e = nextNL < n ? nextNL : n;
        if (this.junkLen < MAX_JUNK_LINE) { this.junk.push(chunk.subarray(i, e)); this.junkLen += e - i; }
        i = e;
        continue;
      }

      if (c === LF) {
        this.lineNo++;
        this.atLineStart = true;
        this.scalar = false;
        i++;
        continue;
      }
      if (c === 0x20 || c === 0x09 || c === 0x0d) { this.atLineStart = false; this.scalar = false; i++; continue; }

      // a bare scalar being skipped (inside an unwrapped array or a skipped value)
      if (this.scalar) {
        if (c === 0x2c || c === 0x5d || c === 0x7d) this.scalar = false; // , ] } end it: fall through
        else { i++; this.atLineStart = false; continue; }
      }

      const col0 = this.atLineStart;
      this.atLineStart = false;
      const abs = this.base + i;
      const prev = this.lastSig;
      this.lastSig = c;

      // damaged-value detection: a new value at column 0 while a column-0 root is open, unless it is the next
      // element of an array (after `[` or `,` inside an array: one element per line)
      const inArray = this.depth < this.ctype.length && this.ctype[this.depth] === 0x5b;
      if (col0 && (c === 0x7b || c === 0x5b) && this.depth > this.rootDepth && this.rootActive && this.rootCol0 && !(inArray && (prev === 0x2c || prev === 0x5b))) {
        this.resync('JSON value cut short (a new value starts before it ends): skipped');
        continue; // re-process this byte at top level
      }

      if (this.depth === 0 && !this.topArray) {
        // ---- top level ----
        if (c === 0x7b && col0 && nextNL < n && nextNL - i <= this.maxValue) {
          // fast path for JSON Lines: the whole line is one value
          let e = nextNL;
          while (e > i && (chunk[e - 1] === 0x0d || chunk[e - 1] === 0x20 || chunk[e - 1] === 0x09)) e--;
          if (chunk[e - 1] === 0x7d) {
            let v: unknown;
            let ok = true;
            try {
              v = JSON.parse(chunk.toString('utf8', i, e));
            } catch {
              ok = false;
            }
            if (ok) {
              if (tooDeep(v, this.maxDepth)) this.err(abs, this.lineNo, `JSON value nested deeper than ${this.maxDepth} levels skipped`);
              else this.emitParsed(v, abs);
              i = nextNL;
              continue;
            }
          }
        }
        if (c === 0x7b) { // {
          this.openRoot(abs, col0);
          this.open(abs, c);
          i++;
          continue;
        }
        if (c === 0x5b) { // [
          this.topArray = true;
          this.rootDepth = 1;
          this.depth = 1;
          this.ctype[1] = 0x5b;
          i++;
          continue;
        }
        if (c === 0x2c || c === 0x5d || c === 0x7d) { i++; continue; } // stray separators after a resync
        // text line
        this.junk = [];
        this.junkLen = 0;
        this.junkStart = abs;
        this.junkLine = this.lineNo;
        continue;
      }

      if (this.depth === this.rootDepth && this.topArray && !this.rootActive) {
        // ---- between elements of a top-level array ----
        if (c === 0x5d) { this.topArray = false; this.rootDepth = 0; this.depth = 0; i++; continue; }
        if (c === 0x2c) { i++; continue; }
        if (c === 0x7b) { this.openRoot(abs, col0); this.open(abs, c); i++; continue; }
        // nested arrays or scalars as elements: not records
        this.err(abs, this.lineNo, 'array element is not a JSON object: skipped');
        if (c === Q) { this.inStr = true; i++; continue; }
        if (c === 0x5b) { this.openRoot(abs, col0); this.rootIgnored = true; this.open(abs, c); i++; continue; }
        this.scalar = true;
        i++;
        continue;
      }

      // ---- inside a root ----
      if (c === Q) {
        this.inStr = true;
        const keyWanted = this.pathLevel >= 0 && this.expectKey && this.depth === this.pathObjDepth[this.pathLevel];
        if (keyWanted) { this.keyParts = []; this.keyLen = 0; }
        else this.valueStart(abs, c);
        i++;
        continue;
      }
      if (c === 0x3a) { i++; continue; } // :
      if (c === 0x2c) { // ,
        if (this.pathLevel >= 0 && this.depth === this.pathObjDepth[this.pathLevel]) this.expectKey = true;
        i++;
        continue;
      }
      if (c === 0x7b || c === 0x5b) {
        this.valueStart(abs, c);
        this.open(abs, c);
        i++;
        continue;
      }
      if (c === 0x7d || c === 0x5d) {
        this.close(chunk, i, capStart);
        i++;
        continue;
      }
      // scalar literal inside a value (number, true, false, null): skipped up to its delimiter
      this.valueStart(abs, c);
      this.scalar = true;
      i++;
    }

    // keep open captures' bytes
    for (const cap of [this.unit, this.root]) {
      if (!cap || cap.dropped) continue;
      const from = capStart(cap);
      const piece = chunk.subarray(from);
      if (cap.size + piece.length > this.maxValue) {
        cap.dropped = true;
        cap.parts = [];
        // a root followed along a path is only reported when it turns out to be the record itself (see close)
        if (cap === this.unit || !this.path.length || this.rootIgnored) {
          this.err(cap.start, cap.line, `JSON value larger than ${this.maxValue} bytes skipped`);
          cap.reported = true;
        }
      } else {
        cap.parts.push(piece);
        cap.size += piece.length;
      }
    }
    this.base += n;
    return this.out;
  }

  end(): JsonItem[] {
    this.out = [];
    if (this.junk) this.junkDone();
    if (this.rootActive || this.unit) this.resync('JSON value cut short at end of input: skipped');
    return this.out;
  }

  // ---- helpers ----
  private rootCol0 = false;
  /** container type (`{` or `[`) at each depth, for the damaged-value test */
  private readonly ctype = new Uint8Array(1024);
  /** last byte outside strings and whitespace (a closing quote counts as `"`) */
  private lastSig = 0;
  private rootIgnored = false;

  private nl(chunk: Buffer, from: number): number {
    const k = chunk.indexOf(LF, from);
    return k < 0 ? chunk.length : k;
  }

  private newlineInString(): void {
    // raw newline inside a JSON string: the value was cut; resume at the next line
    this.resync('JSON value cut short (line ends inside a string): skipped');
  }

  private keyAdd(b: Buffer): void {
    if (!this.keyParts) return;
    if (this.keyLen + b.length > MAX_KEY_BYTES) { this.keyParts = null; this.lastKey = null; this.expectKey = false; return; }
    this.keyParts.push(b);
    this.keyLen += b.length;
  }

  private keyDone(): void {
    const raw = Buffer.concat(this.keyParts ?? []).toString('utf8');
    this.keyParts = null;
    let k: string;
    try {
      k = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
    } catch {
      k = raw;
    }
    this.lastKey = k;
    this.expectKey = false;
  }

  private junkDone(): void {
    const text = Buffer.concat(this.junk ?? []).toString('utf8');
    this.junk = null;
    if (text.trim() === '' || this.isNoise(text)) return;
    this.err(this.junkStart, this.junkLine, `not JSON: ${text.length > 60 ? text.slice(0, 60) + '…' : text}`);
  }

  /** a whole top-level object parsed in one go: follow the path in memory */
  private emitParsed(v: unknown, abs: number): void {
    if (this.path.length) {
      let cur: unknown = v;
      for (const k of this.path) {
        cur = cur !== null && typeof cur === 'object' && !Array.isArray(cur) ? (cur as Record<string, unknown>)[k] : undefined;
        if (cur === undefined) break;
      }
      if (Array.isArray(cur)) {
        for (const el of cur) {
          if (el !== null && typeof el === 'object' && !Array.isArray(el)) this.out.push({ value: el, offset: abs, line: this.lineNo });
          else this.err(abs, this.lineNo, 'array element is not a JSON object: skipped');
        }
        return;
      }
      if (cur !== undefined && cur !== null && typeof cur === 'object') { this.out.push({ value: cur, offset: abs, line: this.lineNo }); return; }
      if (!this.fallback) return;
    }
    this.out.push({ value: v, offset: abs, line: this.lineNo });
  }

  private openRoot(abs: number, col0: boolean): void {
    this.rootActive = true;
    this.rootFound = false;
    this.rootCol0 = col0;
    this.rootIgnored = false;
    this.root = !this.path.length || this.fallback ? this.startCapture(abs) : null;
  }

  /** a container opens (depth grows) */
  private open(_abs: number, c: number): void {
    this.depth++;
    if (this.depth < this.ctype.length) this.ctype[this.depth] = c;
    if (this.depth - this.rootDepth > this.maxDepth && !this.tooDeep) {
      this.tooDeep = true;
      const cap = this.unit ?? this.root;
      if (cap && !cap.dropped) {
        this.err(cap.start, cap.line, `JSON value nested deeper than ${this.maxDepth} levels skipped`);
        cap.dropped = true;
        cap.reported = true;
        cap.parts = [];
      }
    }
    // the root object itself: start following the path
    if (this.depth === this.rootDepth + 1 && c === 0x7b && this.path.length && !this.rootIgnored) {
      this.pathLevel = 0;
      this.pathObjDepth[0] = this.depth;
      this.expectKey = true;
      this.lastKey = null;
    }
  }

  /** a value begins at the current depth (before its bracket is counted, for containers) */
  private valueStart(abs: number, c: number): void {
    if (this.unwrapDepth >= 0 && this.depth === this.unwrapDepth && !this.unit) {
      // an element of the array at the end of the path
      if (c === 0x7b) {
        this.unit = this.startCapture(abs);
        this.unitDepth = this.depth;
      } else {
        this.err(abs, this.lineNo, 'array element is not a JSON object: skipped');
        if (c !== Q && c !== 0x5b) this.scalar = true;
      }
      return;
    }
    if (this.pathLevel < 0 || this.expectKey || this.depth !== this.pathObjDepth[this.pathLevel]) return;
    // a value directly inside the deepest on-path object: is it the next path step?
    const key = this.lastKey;
    this.lastKey = null;
    if (key !== this.path[this.pathLevel]) return;
    if (this.pathLevel < this.path.length - 1) {
      if (c === 0x7b) {
        this.pathLevel++;
        this.pathObjDepth[this.pathLevel] = this.depth + 1;
        this.expectKey = true;
      }
      return;
    }
    // last step
    if (c === 0x5b) {
      this.unwrapDepth = this.depth + 1;
      this.rootFound = true;
    } else if (c === 0x7b) {
      this.unit = this.startCapture(abs);
      this.unitDepth = this.depth;
      this.rootFound = true;
    }
  }

  /** a container closes at chunk index i */
  private close(chunk: Buffer, i: number, capStart: (c: Capture) => number): void {
    if (this.depth <= 0) return;
    this.depth--;
    if (this.tooDeep && this.depth - this.rootDepth <= this.maxDepth) this.tooDeep = false;
    // unit complete?
    if (this.unit && this.depth === this.unitDepth) {
      this.finish(this.unit, chunk, capStart(this.unit), i + 1);
      this.unit = null;
      this.unitDepth = -1;
    }
    if (this.unwrapDepth >= 0 && this.depth < this.unwrapDepth) this.unwrapDepth = -1;
    // leaving an on-path object
    while (this.pathLevel >= 0 && this.depth < this.pathObjDepth[this.pathLevel]) {
      this.pathLevel--;
      this.expectKey = false;
    }
    // root complete?
    if (this.rootActive && this.depth === this.rootDepth) {
      const useRoot = !this.rootIgnored && (!this.path.length || !this.rootFound);
      if (this.root && useRoot) {
        // a root dropped while the path was still being looked for, and the path was not in it: it is the record
        if (this.root.dropped && !this.root.reported) {
          this.err(this.root.start, this.root.line, `JSON value larger than ${this.maxValue} bytes skipped`);
          this.root.reported = true;
        }
        this.finish(this.root, chunk, capStart(this.root), i + 1);
      }
      this.root = null;
      this.rootActive = false;
      this.rootFound = false;
      this.rootIgnored = false;
      this.pathLevel = -1;
    }
  }
}
