/**
 * Message inputs: single messages (.eml / RFC 5322), Outlook .msg, mbox files (streamed, split on "From " lines,
 * with byte offsets), Maildir folders (cur/new/tmp are ordinary folders of RFC 5322 files), folders of all of
 * these, gzip-compressed files, and standard input ("-"). The format is decided from content, never from the
 * file name. Each message is yielded as raw bytes with its origin; memory stays bounded by the per-message cap.
 */
import { createReadStream, createWriteStream, promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { expandInputs, probe } from '../sources/index.js';
import { ReadContext, type InputFile } from '../sources/types.js';
import { isOle } from './message.js';
import type { MessageView } from './types.js';

export type MailFormat = 'eml' | 'msg' | 'mbox';

export interface RawMessage {
  raw: Buffer;
  origin: MessageView['origin'];
  format: MailFormat;
  /** true when the message was longer than the cap and was cut */
  truncated?: boolean;
  /** full size before any cut */
  fullSize: number;
}

export interface InputOptions {
  /** bytes kept per message (default 32 MiB); longer messages are cut, the rest skipped */
  maxMessageSize?: number;
  /** called when a file starts, with the detected format (undefined: not a message) */
  onFile?: (path: string, format: MailFormat | undefined, size?: number) => void;
}

const HEADER_NAME = /^[!-9;-~]{1,76}:/; // RFC 5322 field name then colon

/** Does this text look like the start of an RFC 5322 header block? */
export function looksLikeHeaders(text: string): boolean {
  // skip a leading blank line or two and an mbox-less "Return-Path"/"Received" preamble
  const lines = text.split(/\r?\n/, 40);
  let fields = 0;
  let known = 0;
  for (const line of lines) {
    if (line === '') break;
    if (line[0] === ' ' || line[0] === '\t') continue;
    if (!HEADER_NAME.test(line)) return fields >= 2 && known >= 1;
    fields++;
    const k = line.slice(0, line.indexOf(':')).toLowerCase();
    if (KNOWN.has(k)) known++;
  }
  return fields >= 1 && known >= 1;
}

const KNOWN = new Set([
  'from', 'to', 'subject', 'date', 'received', 'return-path', 'message-id', 'mime-version', 'content-type',
  'delivered-to', 'x-mailer', 'reply-to', 'sender', 'cc', 'dkim-signature', 'authentication-results',
  'arc-seal', 'x-original-to', 'x-received', 'received-spf', 'thread-topic', 'x-sender', 'user-agent',
]);

/** Decide a file's message format from its first bytes. */
export function detectMail(head: Buffer): MailFormat | undefined {
  if (isOle(head)) return 'msg';
  let text = head.subarray(0, 16384).toString('latin1');
  if (text.charCodeAt(0) === 0xef && text.charCodeAt(1) === 0xbb && text.charCodeAt(2) === 0xbf) text = text.slice(3);
  text = text.replace(/^(\r?\n)+/, '');
  if (text.startsWith('From ')) {
    const nl = text.indexOf('\n');
    if (nl > 0 && looksLikeHeaders(text.slice(nl + 1))) return 'mbox';
    return undefined;
  }
  if (looksLikeHeaders(text)) return 'eml';
  return undefined;
}

/** Stream every message of every input. Problems are reported in ctx; nothing throws for bad data. */
export async function* readMessages(paths: string[], ctx: ReadContext, opts: InputOptions = {}): AsyncGenerator<RawMessage> {
  for await (const path of expandInputs(paths, ctx)) {
    yield* readMessageFile(path, ctx, opts);
  }
}

async function spoolStdin(): Promise<string> {
  const dir = await fsp.mkdtemp(join(tmpdir(), 'vigie-scan-'));
  const file = join(dir, 'stdin');
  await pipeline(process.stdin, createWriteStream(file));
  return file;
}

/** The messages of one file (one for .eml/.msg, many for mbox). */
export async function* readMessageFile(path: string, ctx: ReadContext, opts: InputOptions = {}): AsyncGenerator<RawMessage> {
  const max = opts.maxMessageSize ?? 32 * 1024 * 1024;
  let input: InputFile;
  let spooled: string | undefined;
  try {
    if (path === '-') {
      spooled = await spoolStdin();
      input = { ...(await probe(spooled)), path: '-' };
    } else input = await probe(path);
  } catch (e) {
    ctx.error({ file: path, message: `cannot open: ${(e as Error).message}` });
    return;
  }
  try {
    const fmt = detectMail(input.head);
    opts.onFile?.(path, fmt, input.size);
    if (!fmt) {
      if ((input.size ?? 0) === 0) ctx.error({ file: path, message: 'empty file' });
      else ctx.unsupported.push(path);
      return;
    }
    ctx.files++;
    ctx.formats.set(fmt, (ctx.formats.get(fmt) ?? 0) + 1);
    if (fmt === 'mbox') {
      yield* splitMbox(input, ctx, max);
      return;
    }
    // one message per file: read it whole, up to the cap
    const { buf, full } = await readCapped(input, max);
    ctx.records++;
    yield { raw: buf, origin: { file: path }, format: fmt, truncated: full > buf.length || undefined, fullSize: full };
  } catch (e) {
    ctx.error({ file: path, message: `reading stopped: ${(e as Error).message}` });
  } finally {
    if (spooled) await fsp.rm(join(spooled, '..'), { recursive: true, force: true }).catch(() => undefined);
  }
}

function open(input: InputFile): NodeJS.ReadableStream {
  const raw = createReadStream(input.file, { highWaterMark: 1 << 20 });
  if (!input.gzip) return raw;
  const gz = createGunzip();
  raw.on('error', (e) => gz.destroy(e));
  return raw.pipe(gz);
}

async function readCapped(input: InputFile, max: number): Promise<{ buf: Buffer; full: number }> {
  if (!input.gzip && input.size !== undefined && input.size <= max) {
    // the probe already read a small file whole: no second open
    if (input.content && input.content.length === input.size) return { buf: input.content, full: input.size };
    if (input.head.length === input.size) return { buf: input.head, full: input.size };
    // a plain file under the cap: one read, no 1 MiB stream buffers
    let buf = await fsp.readFile(input.file);
    const full = Math.max(buf.length, input.size);
    if (buf.length > max) buf = buf.subarray(0, max);
    return { buf, full };
  }
  const parts: Buffer[] = [];
  let kept = 0;
  let full = 0;
  try {
    for await (const c of open(input) as AsyncIterable<Buffer>) {
      full += c.length;
      if (kept < max) {
        const take = c.subarray(0, max - kept);
        parts.push(take);
        kept += take.length;
      } else if (!input.gzip) break; // plain file: size on disk is known
    }
  } catch (e) {
    if (!kept) throw e;
  }
  if (!input.gzip && input.size !== undefined) full = Math.max(full, input.size);
  return { buf: Buffer.concat(parts), full };
}

/**
 * Split an mbox stream into messages. A message starts at a line beginning "From " that opens the file or follows
 * an empty line (mboxo/mboxrd); ">From " quoting is undone one level (mboxrd). Offsets are byte offsets of the
 * "From " line in the (decompressed) file.
 */
export async function* splitMbox(input: InputFile, ctx: ReadContext, max: number): AsyncGenerator<RawMessage> {
  let carry: Buffer = Buffer.alloc(0);
  let offset = 0; // offset of carry[0] in the stream
  let cur: Buffer[] = [];
  let curLen = 0;
  let curFull = 0;
  let curStart = -1;
  let index = 0;
  let prevBlank = true;
  const finish = (): RawMessage | null => {
    if (curStart < 0) return null;
    let raw = Buffer.concat(cur);
    // the blank line before the next "From " belongs to the separator
    if (raw.length >= 2 && raw[raw.length - 1] === 0x0a && raw[raw.length - 2] === 0x0a) raw = raw.subarray(0, raw.length - 1);
    else if (raw.length >= 4 && raw.subarray(raw.length - 4).toString('latin1') === '\r\n\r\n') raw = raw.subarray(0, raw.length - 2);
    const m: RawMessage = {
      raw, origin: { file: input.path, offset: curStart, index }, format: 'mbox', fullSize: curFull,
      truncated: curFull > curLen || undefined,
    };
    index++;
    cur = [];
    curLen = 0;
    curFull = 0;
    return m;
  };
  const addLine = (line: Buffer): void => {
    curFull += line.length;
    if (curLen >= max) return;
    let l = line;
    // mboxrd: ">From " (any number of ">") loses one ">"
    if (l[0] === 0x3e) {
      let k = 0;
      while (k < l.length && l[k] === 0x3e) k++;
      if (l.subarray(k, k + 5).toString('latin1') === 'From ') l = l.subarray(1);
    }
    if (curLen + l.length > max) l = l.subarray(0, max - curLen);
    cur.push(l);
    curLen += l.length;
  };
  const MAX_LINE = 1 << 20;
  try {
    // a small file the probe read whole is split from memory (no second open)
    const chunks = input.content && !input.gzip && input.content.length === input.size ? [input.content] : (open(input) as AsyncIterable<Buffer>);
    for await (const chunk of chunks) {
      let buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
      let pos = 0;
      for (;;) {
        const nl = buf.indexOf(0x0a, pos);
        if (nl < 0) break;
        const line = buf.subarray(pos, nl + 1);
        const isFrom = line.length >= 5 && line[0] === 0x46 && line.subarray(0, 5).toString('latin1') === 'From ';
        if (isFrom && prevBlank) {
          const m = finish();
          if (m) { ctx.records++; yield m; }
          curStart = offset + pos;
        } else if (curStart >= 0) addLine(line);
        else if (line.length > 2) {
          // text before the first "From " line
          curStart = offset + pos;
          addLine(line);
        }
        prevBlank = line.length === 1 || (line.length === 2 && line[0] === 0x0d);
        pos = nl + 1;
      }
      carry = buf.subarray(pos);
      if (carry.length > MAX_LINE) {
        // an endless line: keep what fits, go on
        if (curStart >= 0) addLine(carry);
        offset += pos + carry.length;
        carry = Buffer.alloc(0);
        prevBlank = false;
        continue;
      }
      carry = Buffer.from(carry);
      offset += pos;
      buf = carry;
    }
  } catch (e) {
    ctx.error({ file: input.path, offset, message: `mbox stream damaged: ${(e as Error).message}; messages before it were read` });
  }
  if (carry.length && curStart >= 0) addLine(carry);
  const m = finish();
  if (m) { ctx.records++; yield m; }
}

export { ReadContext };
