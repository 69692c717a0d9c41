/**
 * Source registry: expands user inputs (files, folders, "-"), detects each file's format from its content and
 * streams events from the matching reader. Adding a format = writing a `Source` and listing it in SOURCES.
 */
import { closeSync, createReadStream, createWriteStream, fstatSync, openSync, promises as fsp, readSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { fastFields, type VigieEvent } from '../event.js';
import { ReadContext, type InputFile, type Source } from './types.js';
import { SOURCES } from './registry.js';

export { ReadContext } from './types.js';
export type { InputFile, Source, InputError } from './types.js';

export const HEAD_BYTES = 64 * 1024;

/** Expand files and folders (recursively, in sorted order) into file paths. "-" stays as standard input. */
export async function* expandInputs(paths: string[], ctx?: ReadContext): AsyncGenerator<string> {
  for (const p of paths) {
    if (p === '-') { yield p; continue; }
    let st;
    try {
      st = await fsp.stat(p);
    } catch (e) {
      ctx?.error({ file: p, message: `cannot open: ${(e as Error).message}` });
      continue;
    }
    if (st.isDirectory()) yield* walk(p, ctx, 0);
    else if (st.isFile()) yield p;
  }
}

async function* walk(dir: string, ctx: ReadContext | undefined, depth: number): AsyncGenerator<string> {
  if (depth > 64) return;
  let entries;
  try {
    entries = await fsp.readdir(dir, { withFileTypes: true });
  } catch (e) {
    ctx?.error({ file: dir, message: `cannot read folder: ${(e as Error).message}` });
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* walk(p, ctx, depth + 1); // symlinked folders are not followed
    else if (e.isFile()) yield p;
  }
}

/** Uncompressed files up to this size are read whole by the probe (one open, one read) and parsed from memory. */
export const WHOLE_FILE_MAX = 2 * 1024 * 1024;
/**
 * bytes read first, for readers that read a file by position (`Source.readsByPosition`): they are handed to the reader
 * (for EVTX: the 4 KiB file header block and the first chunk's 512-byte header, not read a second time)
 */
const POSITION_PROBE = 4096 + 512;

/**
 * Read the first bytes of a file (decompressing gzip) so readers can detect their format. A small uncompressed
 * file is read whole (`content`), so its reader needs no second open. Synchronous reads: one open, fstat, read and
 * close per file, without a thread-pool round trip for each (a folder of many small logs is common).
 */
export async function probe(path: string): Promise<InputFile> {
  return probeInto(path, undefined);
}

/**
 * Whole-file buffers the readers below lend to the probe and take back once the file is read (no event keeps a
 * reference into its bytes: readers copy what they keep). A folder of small files then reuses the same memory
 * instead of faulting in fresh pages for each file.
 */
const spareWhole: Buffer[] = [];
const lent = new WeakMap<InputFile, Buffer>();

function giveBack(input: InputFile): void {
  if (input.fd !== undefined) {
    // kept for a positioned reader that did not take it
    closeSync(input.fd);
    input.fd = undefined;
  }
  const b = lent.get(input);
  if (!b) return;
  lent.delete(input);
  input.content = undefined;
  if (spareWhole.length < 2) spareWhole.push(b);
}

/** `keepFd`: leave the descriptor open in `fd` for a positioned reader (the caller then owns it: see giveBack). */
async function probeInto(path: string, pool: Buffer[] | undefined, keepFd = false): Promise<InputFile> {
  const fd = openSync(path, 'r');
  let borrowed: Buffer | undefined;
  let keep = false;
  try {
    const st = fstatSync(fd);
    // a FIFO or device is not read here (its size says nothing): its reader streams it, as before
    const regular = st.isFile();
    const want = regular && st.size <= WHOLE_FILE_MAX ? st.size : Math.min(HEAD_BYTES, st.size);
    if (pool && regular && st.size <= WHOLE_FILE_MAX && st.size > HEAD_BYTES) borrowed = pool.pop() ?? Buffer.allocUnsafe(WHOLE_FILE_MAX);
    const buf = borrowed ?? Buffer.allocUnsafe(want);
    let got = 0;
    // the first bytes first: a reader that reads such a file by position itself needs no more
    const first = Math.min(want, POSITION_PROBE);
    while (got < first) {
      const n = readSync(fd, buf, got, first - got, got);
      if (n === 0) break;
      got += n;
    }
    const positioned = regular && SOURCES.some((s) => s.readsByPosition?.(buf.subarray(0, got)) === true);
    const upTo = positioned ? got : want;
    while (got < upTo) {
      const n = readSync(fd, buf, got, upTo - got, got);
      if (n === 0) break;
      got += n;
    }
    const data = buf.subarray(0, got);
    let head: Buffer = data.length > HEAD_BYTES ? data.subarray(0, HEAD_BYTES) : data;
    const gzip = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
    if (gzip) head = await gunzipHead(path);
    const whole = regular && !gzip && !positioned && st.size <= WHOLE_FILE_MAX && got === st.size;
    const input: InputFile = whole
      ? { path, file: path, head, gzip, size: st.size, mtime: st.mtimeMs, content: data, regular }
      : { path, file: path, head, gzip, size: st.size, mtime: st.mtimeMs, regular };
    if (positioned && !gzip && keepFd) {
      // the positioned reader reads through the same descriptor (no second open)
      input.fd = fd;
      keep = true;
    }
    if (borrowed) {
      if (whole) lent.set(input, borrowed);
      else {
        // only the head is kept: copy it out and return the buffer at once
        if (!gzip) input.head = Buffer.from(head);
        pool!.push(borrowed);
      }
      borrowed = undefined;
    }
    return input;
  } finally {
    if (borrowed) pool!.push(borrowed);
    if (!keep) closeSync(fd);
  }
}

async function gunzipHead(path: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  const src = createReadStream(path);
  const gz = createGunzip();
  try {
    for await (const c of src.pipe(gz) as AsyncIterable<Buffer>) {
      parts.push(c);
      n += c.length;
      if (n >= HEAD_BYTES) break;
    }
  } catch {
    // truncated gzip: keep what was decompressed
  } finally {
    src.destroy();
    gz.destroy();
  }
  return Buffer.concat(parts).subarray(0, HEAD_BYTES);
}

/** Open the file's content as a stream (decompressed when gzip). A truncated gzip ends the stream with an error. */
export function openContent(input: InputFile, ctx: ReadContext): NodeJS.ReadableStream {
  if (input.content) return Readable.from([input.content], { objectMode: false });
  const raw = createReadStream(input.file, { highWaterMark: 1 << 20 });
  if (!input.gzip) return raw;
  const gz = createGunzip();
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  raw.on('error', (e) => out.destroy(e));
  gz.on('error', (e) => {
    ctx.error({ file: input.path, message: `gzip stream damaged or truncated: ${e.message}; events before it were read` });
    out.end();
  });
  raw.pipe(gz).pipe(out);
  return out;
}

/** Pick the reader for a file: the highest detection confidence wins; undefined when nothing claims it. */
export function detectSource(input: InputFile, only?: string): Source | undefined {
  let best: Source | undefined;
  let bestScore = 0;
  for (const s of SOURCES) {
    if (only && s.name !== only) continue;
    let score = 0;
    try {
      score = s.detect(input);
    } catch {
      score = 0;
    }
    if (score > bestScore) {
      best = s;
      bestScore = score;
      if (bestScore >= 100) break; // certain (scores are 0..100; a later reader could not win a tie)
    }
  }
  return best;
}

export interface ReadOptions {
  /** force one format instead of detection */
  format?: string;
  /** called when a file starts, with its detected format (or undefined if unsupported) */
  onFile?: (path: string, format: string | undefined, size?: number) => void;
}

/** Stream every event of every input. Unsupported or unreadable files are reported in ctx and skipped. */
export async function* readInputs(paths: string[], ctx: ReadContext, opts: ReadOptions = {}): AsyncGenerator<VigieEvent> {
  for await (const path of expandInputs(paths, ctx)) {
    yield* readFile(path, ctx, opts);
  }
}

/** Stream the events of one file (its batches, one event at a time). */
export async function* readFile(path: string, ctx: ReadContext, opts: ReadOptions = {}): AsyncGenerator<VigieEvent> {
  for await (const batch of readFileBatches(path, ctx, opts)) yield* batch;
}

/** Most events per batch from readers that have no `readBatches` of their own. */
const BATCH = 256;

/**
 * The events of every input as readInputs gives them, several at a time (same events, same order, same counters):
 * one asynchronous step per batch instead of one per event in each layer. Readers with `readBatches` give their own
 * batches (an EVTX chunk); the events of other readers are grouped up to 256 at a time.
 */
export async function* readInputBatches(paths: string[], ctx: ReadContext, opts: ReadOptions = {}): AsyncGenerator<VigieEvent[]> {
  for await (const path of expandInputs(paths, ctx)) {
    yield* readFileBatches(path, ctx, opts);
  }
}

/** The events of one file, several at a time (see readInputBatches). */
export async function* readFileBatches(path: string, ctx: ReadContext, opts: ReadOptions = {}): AsyncGenerator<VigieEvent[]> {
  const opened = await openSource(path, ctx, opts);
  if (!opened) return;
  const { input, src } = opened;
  const open = () => openContent(input, ctx);
  let pending: VigieEvent[] = [];
  try {
    if (src.readBatches) {
      for await (const batch of src.readBatches(input, ctx, open)) {
        if (batch.length === 0) continue;
        ctx.records += batch.length;
        if (!src.fastFields) for (const ev of batch) ev.fields = fastFields(ev.fields);
        yield batch;
      }
    } else {
      for await (const ev of src.read(input, ctx, open)) {
        ctx.records++;
        if (!src.fastFields) ev.fields = fastFields(ev.fields);
        pending.push(ev);
        if (pending.length >= BATCH) {
          yield pending;
          pending = [];
        }
      }
    }
  } catch (e) {
    // the events read before the failure are still delivered (before the error, as readFile does)
    if (pending.length) yield pending;
    pending = [];
    ctx.error({ file: path, message: `reading stopped: ${(e as Error).message}` });
  } finally {
    giveBack(input);
  }
  if (pending.length) yield pending;
}

/** Probe and detect one input; counts it in ctx. Undefined when it cannot be opened or no reader knows it. */
async function openSource(path: string, ctx: ReadContext, opts: ReadOptions): Promise<{ input: InputFile; src: Source } | undefined> {
  let input: InputFile;
  try {
    input = path === '-' ? { ...(await probe(await spoolStdin())), path: '-' } : await probeInto(path, spareWhole, true);
  } catch (e) {
    ctx.error({ file: path, message: `cannot open: ${(e as Error).message}` });
    return undefined;
  }
  const src = detectSource(input, opts.format);
  opts.onFile?.(path, src?.name, input.size);
  if (!src) {
    giveBack(input);
    ctx.unsupported.push(path);
    return undefined;
  }
  ctx.files++;
  ctx.formats.set(src.name, (ctx.formats.get(src.name) ?? 0) + 1);
  return { input, src };
}

/** Standard input is spooled to a temporary file first, so every reader can detect and re-open it. */
async function spoolStdin(): Promise<string> {
  const dir = await fsp.mkdtemp(join(tmpdir(), 'vigie-stdin-'));
  const file = join(dir, 'stdin');
  await pipeline(process.stdin, createWriteStream(file));
  return file;
}

export { SOURCES };
