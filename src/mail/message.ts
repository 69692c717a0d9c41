/**
 * Parse one raw message (RFC 5322 / MIME, or an Outlook .msg) into a `MessageView` checks can read.
 *
 * Limits (all bounded, see `ParseLimits`): raw size (longer input is cut and the cut noted), header block size,
 * MIME nesting depth, number of parts kept, depth of attached messages. A message postal-mime rejects is still
 * analysed: a fallback reads its header block by hand and its body as text.
 */
import PostalMime, { addressParser, decodeWords } from 'postal-mime';
import type { Address as PmAddress, Email } from 'postal-mime';
import { createHash } from 'node:crypto';
import type { Address, Attachment, HeaderField, Link, MessageView } from './types.js';
import { scanHtml, textLinks } from './html.js';

export interface ParseLimits {
  /** bytes of a message read; the rest is cut (default 32 MiB) */
  maxSize: number;
  /** bytes of headers across all parts (default 1 MiB) */
  maxHeaderSize: number;
  /** MIME nesting depth (default 40) */
  maxMimeDepth: number;
  /** attachments kept per message (default 300) */
  maxParts: number;
  /** depth of attached messages analysed (default 4) */
  maxNestedDepth: number;
  /** links kept per message (default 2000) */
  maxLinks: number;
  /** keep the raw bytes on the view (for DKIM/ARC verification) */
  keepRaw: boolean;
}

export const DEFAULT_LIMITS: ParseLimits = {
  maxSize: 32 * 1024 * 1024,
  maxHeaderSize: 1024 * 1024,
  maxMimeDepth: 40,
  maxParts: 300,
  maxNestedDepth: 4,
  maxLinks: 2000,
  keepRaw: false,
};

export type Origin = MessageView['origin'];

/*
 * postal-mime assembles every decoded part through `new Blob(chunks).arrayBuffer()`. On Node 20 that call goes
 * through the libuv thread pool and costs milliseconds per part under load: parsing spent most of its time idle.
 * While our own parse runs, `Blob` is a minimal stand-in whose `arrayBuffer()` concatenates in memory and resolves
 * at once. It is swapped in for the duration of a parse only (parses run one after another) and restored after.
 */
const NativeBlob = globalThis.Blob;
class FastBlob {
  readonly buf: Buffer;
  readonly type: string;
  constructor(parts: Array<Uint8Array | ArrayBuffer | string> = [], opts?: { type?: string }) {
    this.type = opts?.type ?? '';
    this.buf = parts.length === 1 && parts[0] instanceof Uint8Array
      ? Buffer.from(parts[0].buffer, parts[0].byteOffset, parts[0].byteLength)
      : Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p instanceof Uint8Array ? p : new Uint8Array(p))));
  }
  get size(): number {
    return this.buf.length;
  }
  get [Symbol.toStringTag](): string {
    return 'Blob';
  }
  arrayBuffer(): Promise<ArrayBuffer> {
    const b = this.buf;
    // a buffer that owns its whole ArrayBuffer (large decoded parts) is handed over without a copy
    if (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer) return Promise.resolve(b.buffer);
    return Promise.resolve(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
  }
  text(): Promise<string> {
    return Promise.resolve(this.buf.toString('utf8'));
  }
}
let fastBlobUsers = 0;
async function withFastBlob<T>(fn: () => Promise<T>): Promise<T> {
  if (fastBlobUsers++ === 0) (globalThis as { Blob: typeof Blob }).Blob = FastBlob as unknown as typeof Blob;
  try {
    return await fn();
  } finally {
    if (--fastBlobUsers === 0) (globalThis as { Blob: typeof Blob }).Blob = NativeBlob;
  }
}

const OLE_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

export function isOle(b: Uint8Array): boolean {
  if (b.length < 8) return false;
  for (let i = 0; i < 8; i++) if (b[i] !== OLE_MAGIC[i]) return false;
  return true;
}

export function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

/** End of the header block: index of the blank line (CRLFCRLF or LFLF), or -1. Scans at most `max` bytes. */
export function headerEnd(raw: Uint8Array, max: number): { end: number; bodyStart: number } {
  const lim = Math.min(raw.length, max);
  for (let i = 0; i < lim; i++) {
    if (raw[i] !== 0x0a) continue;
    if (raw[i + 1] === 0x0a) return { end: i + 1, bodyStart: i + 2 };
    if (raw[i + 1] === 0x0d && raw[i + 2] === 0x0a) return { end: i + 1, bodyStart: i + 3 };
  }
  return { end: -1, bodyStart: -1 };
}

function mailbox(a: PmAddress | undefined): Address {
  if (!a) return { address: '', name: '' };
  if (a.group) {
    const m = a.group[0];
    return { address: (m?.address ?? '').toLowerCase(), name: a.name ?? m?.name ?? '' };
  }
  return { address: (a.address ?? '').toLowerCase().trim(), name: (a.name ?? '').trim() };
}

function mailboxes(list: PmAddress[] | undefined, max = 500): Address[] {
  const out: Address[] = [];
  for (const a of list ?? []) {
    if (out.length >= max) break;
    if (a.group) for (const m of a.group) out.push({ address: (m.address ?? '').toLowerCase(), name: m.name ?? '' });
    else out.push(mailbox(a));
  }
  return out.slice(0, max);
}

function safeDecodeWords(s: string): string {
  if (!s.includes('=?')) return s;
  try {
    return decodeWords(s);
  } catch {
    return s;
  }
}

/** Header fields from a raw header block, unfolded, encoded-words decoded. Used for the fallback and for .msg. */
export function parseHeaderBlock(block: string, maxFields = 2000): HeaderField[] {
  const out: HeaderField[] = [];
  const lines = block.split(/\r?\n/);
  let cur: { key: string; value: string } | null = null;
  const flush = (): void => {
    if (cur && out.length < maxFields) out.push({ key: cur.key, value: safeDecodeWords(cur.value.trim()) });
    cur = null;
  };
  for (const line of lines) {
    if (!line) continue;
    if ((line[0] === ' ' || line[0] === '\t') && cur) {
      if (cur.value.length < 65536) cur.value += ' ' + line.trim();
      continue;
    }
    flush();
    const c = line.indexOf(':');
    if (c <= 0 || c > 200) continue;
    cur = { key: line.slice(0, c).trim().toLowerCase(), value: line.slice(c + 1) };
  }
  flush();
  return out;
}

function firstHeader(h: HeaderField[], key: string): string | undefined {
  for (const f of h) if (f.key === key) return f.value;
  return undefined;
}

function parseAddresses(v: string | undefined): Address[] {
  if (!v) return [];
  try {
    return mailboxes(addressParser(v.slice(0, 16384)) as PmAddress[]);
  } catch {
    return [];
  }
}

function toBytes(c: ArrayBuffer | Uint8Array | string): Uint8Array {
  if (typeof c === 'string') return Buffer.from(c, 'utf8');
  if (c instanceof Uint8Array) return c;
  return new Uint8Array(c);
}

function emptyView(origin: Origin, depth: number, size: number): MessageView {
  return {
    origin, headers: [], from: { address: '', name: '' }, replyTo: [], to: [], cc: [], subject: '', text: '', html: '',
    attachments: [], links: [], nested: [], depth, parseProblems: [], size, rawHeaders: '',
  };
}

/** Fill text and links from html/text, bounded. */
export function finishBody(view: MessageView, maxLinks: number): void {
  const links: Link[] = [];
  const seen = new Set<string>();
  const add = (l: Link): void => {
    if (links.length >= maxLinks) return;
    const k = l.source + '\u0000' + l.href;
    if (seen.has(k) && l.source !== 'html-href') return;
    seen.add(k);
    links.push(l);
  };
  if (view.html) {
    const scan = scanHtml(view.html, { maxLinks });
    view.htmlText = scan.text;
    for (const l of scan.links) add(l);
    if (!view.text.trim()) view.text = scan.text;
    else {
      // URLs written as visible text in the HTML (not in an href) count as text links
      for (const l of textLinks(scan.text, maxLinks)) if (!seen.has('html-href\u0000' + l.href)) add(l);
    }
  }
  for (const l of textLinks(view.text.slice(0, 4_000_000), maxLinks)) add(l);
  view.links = links;
}

function nestedName(a: { filename: string; mimeType: string }): 'eml' | 'msg' | null {
  const f = a.filename.toLowerCase();
  if (a.mimeType === 'message/rfc822' || a.mimeType === 'message/global' || f.endsWith('.eml')) return 'eml';
  if (f.endsWith('.msg') || a.mimeType === 'application/vnd.ms-outlook') return 'msg';
  return null;
}

/** Parse attached messages (depth-bounded) into `view.nested`. */
async function parseNested(view: MessageView, limits: ParseLimits): Promise<void> {
  for (const a of view.attachments) {
    const kind = nestedName(a);
    if (!kind) continue;
    if (view.depth + 1 > limits.maxNestedDepth) {
      view.parseProblems.push(`attached message "${a.filename}" not analysed: nesting deeper than ${limits.maxNestedDepth}`);
      continue;
    }
    const chain = [...(view.origin.nested ?? []), a.filename || '(attached message)'];
    const origin: Origin = { ...view.origin, nested: chain };
    const buf = Buffer.from(a.content.buffer, a.content.byteOffset, a.content.byteLength);
    try {
      const child = kind === 'msg' || isOle(buf)
        ? await parseMsg(buf, origin, limits, view.depth + 1)
        : await parseMessage(buf, origin, limits, view.depth + 1);
      view.nested.push(child);
    } catch (e) {
      view.parseProblems.push(`attached message "${a.filename}" unreadable: ${(e as Error).message}`);
    }
  }
}

/**
 * Parse a raw RFC 5322 message (or an Outlook .msg, detected by its OLE signature) into a `MessageView`.
 * Never throws for malformed content: problems are listed in `parseProblems`.
 */
export async function parseMessage(raw: Buffer, origin: Origin, limitsIn: Partial<ParseLimits> = {}, depth = 0): Promise<MessageView> {
  const limits = { ...DEFAULT_LIMITS, ...limitsIn };
  if (isOle(raw)) return parseMsg(raw, origin, limits, depth);
  const problems: string[] = [];
  let input = raw;
  if (raw.length > limits.maxSize) {
    input = raw.subarray(0, limits.maxSize);
    problems.push(`message is ${raw.length} bytes: only the first ${limits.maxSize} were analysed`);
  }
  const he = headerEnd(input, limits.maxHeaderSize);
  const rawHeaders = he.end >= 0 ? input.subarray(0, he.end).toString('latin1') : input.subarray(0, Math.min(input.length, limits.maxHeaderSize)).toString('latin1');
  if (he.end < 0 && input.length > limits.maxHeaderSize) problems.push(`header block longer than ${limits.maxHeaderSize} bytes`);
  let email: Email | null = null;
  try {
    email = await withFastBlob(() => PostalMime.parse(input, {
      attachmentEncoding: 'arraybuffer',
      forceRfc822Attachments: true,
      maxNestingDepth: limits.maxMimeDepth,
      maxHeadersSize: limits.maxHeaderSize,
    }));
  } catch (e) {
    problems.push(`MIME structure rejected (${(e as Error).message}): headers and body read as plain text`);
  }
  const view = email ? fromEmail(email, origin, depth, raw.length, limits, problems) : fallback(input, he, origin, depth, raw.length, limits, problems);
  view.rawHeaders = rawHeaders;
  if (limits.keepRaw) view.raw = raw;
  if (he.end < 0) view.parseProblems.push('no blank line between headers and body');
  finishBody(view, limits.maxLinks);
  await parseNested(view, limits);
  return view;
}

function fromEmail(email: Email, origin: Origin, depth: number, size: number, limits: ParseLimits, problems: string[]): MessageView {
  const v = emptyView(origin, depth, size);
  v.parseProblems = problems;
  v.headers = email.headers.slice(0, 5000).map((h) => ({ key: h.key, value: safeDecodeWords(h.value) }));
  v.from = mailbox(email.from);
  fixFrom(v);
  if (email.sender) v.sender = mailbox(email.sender);
  v.replyTo = mailboxes(email.replyTo);
  v.returnPath = email.returnPath ? email.returnPath.toLowerCase().replace(/^<|>$/g, '').trim() : undefined;
  v.to = mailboxes(email.to);
  v.cc = mailboxes(email.cc);
  v.subject = email.subject ?? '';
  v.messageId = email.messageId;
  v.date = email.date;
  v.text = email.text ?? '';
  v.html = email.html ?? '';
  if (email.from?.group) problems.push('From is an address group');
  const atts = email.attachments;
  if (atts.length > limits.maxParts) problems.push(`${atts.length} attachments: only the first ${limits.maxParts} analysed`);
  for (const a of atts.slice(0, limits.maxParts)) {
    const content = toBytes(a.content);
    const att: Attachment = {
      filename: a.filename ?? '',
      mimeType: (a.mimeType || 'application/octet-stream').toLowerCase(),
      content,
      size: content.byteLength,
      disposition: a.disposition ?? '',
      sha256: sha256(content),
    };
    if (a.contentId) att.contentId = a.contentId;
    if (a.related) att.related = true;
    v.attachments.push(att);
  }
  return v;
}

function fallback(input: Buffer, he: { end: number; bodyStart: number }, origin: Origin, depth: number, size: number, limits: ParseLimits, problems: string[]): MessageView {
  const v = emptyView(origin, depth, size);
  v.parseProblems = problems;
  const headText = input.subarray(0, he.end >= 0 ? he.end : Math.min(input.length, limits.maxHeaderSize)).toString('utf8');
  v.headers = parseHeaderBlock(headText);
  applyHeaderFields(v);
  const body = he.bodyStart >= 0 ? input.subarray(he.bodyStart, he.bodyStart + 4 * 1024 * 1024).toString('utf8') : '';
  const ct = (firstHeader(v.headers, 'content-type') ?? '').toLowerCase();
  if (ct.includes('html') || /<html|<body|<a\s/i.test(body.slice(0, 65536))) v.html = body;
  else v.text = body;
  return v;
}

/**
 * postal-mime keeps only the first From mailbox. "Name, x <real@domain>" parses as two mailboxes, the first without
 * address: take the first mailbox that has an address (what the recipient's client shows as sender), keep the
 * first display name, and note the malformed header (checks see it in parseProblems and in the raw header).
 */
function fixFrom(v: MessageView): void {
  const raw = firstHeader(v.headers, 'from');
  if (!raw) return;
  const all = parseAddresses(raw);
  if (all.length <= 1 && v.from.address) return;
  const withAddr = all.find((a) => a.address.includes('@'));
  if (!v.from.address && withAddr) v.from = { address: withAddr.address, name: v.from.name || withAddr.name };
  if (all.length > 1) v.parseProblems.push(`From holds ${all.length} entries`);
}

function applyHeaderFields(v: MessageView): void {
  const h = v.headers;
  v.from = parseAddresses(firstHeader(h, 'from'))[0] ?? { address: '', name: '' };
  fixFrom(v);
  const s = parseAddresses(firstHeader(h, 'sender'))[0];
  if (s) v.sender = s;
  v.replyTo = parseAddresses(firstHeader(h, 'reply-to'));
  const rp = firstHeader(h, 'return-path');
  if (rp) v.returnPath = rp.toLowerCase().replace(/^\s*<|>\s*$/g, '').trim();
  v.to = parseAddresses(firstHeader(h, 'to'));
  v.cc = parseAddresses(firstHeader(h, 'cc'));
  v.subject = firstHeader(h, 'subject') ?? '';
  v.messageId = firstHeader(h, 'message-id');
  v.date = firstHeader(h, 'date');
}

interface MsgFields {
  subject?: string; senderName?: string; senderEmail?: string; senderSmtpAddress?: string; body?: string;
  bodyHtml?: string; html?: Uint8Array; headers?: string; messageId?: string;
  attachments?: Array<MsgFields & { fileName?: string; attachMimeTag?: string; innerMsgContent?: true; pidContentId?: string; attachmentHidden?: boolean }>;
  recipients?: Array<{ name?: string; email?: string; smtpAddress?: string; recipType?: 'to' | 'cc' | 'bcc' }>;
}

/** Parse an Outlook .msg (OLE compound file) with @kenjiuno/msgreader. */
export async function parseMsg(raw: Buffer, origin: Origin, limitsIn: Partial<ParseLimits> = {}, depth = 0): Promise<MessageView> {
  const limits = { ...DEFAULT_LIMITS, ...limitsIn };
  const { default: MsgReaderMod } = await import('@kenjiuno/msgreader');
  // the package is CommonJS: the class is the default export, possibly wrapped once more
  const MsgReader = ((MsgReaderMod as unknown as { default?: unknown }).default ?? MsgReaderMod) as new (b: ArrayBuffer | DataView) => {
    getFileData(): MsgFields;
    getAttachment(a: number | MsgFields): { fileName: string; content: Uint8Array };
  };
  const v = emptyView(origin, depth, raw.length);
  if (raw.length > limits.maxSize) {
    v.parseProblems.push(`.msg file is ${raw.length} bytes, over the ${limits.maxSize} limit: not analysed`);
    return v;
  }
  let reader;
  let f: MsgFields;
  try {
    reader = new MsgReader(new DataView(raw.buffer, raw.byteOffset, raw.byteLength));
    f = reader.getFileData();
  } catch (e) {
    v.parseProblems.push(`.msg unreadable: ${(e as Error).message}`);
    return v;
  }
  if ((f as { error?: string }).error) v.parseProblems.push(`.msg: ${(f as { error?: string }).error}`);
  if (f.headers) {
    v.rawHeaders = f.headers.slice(0, limits.maxHeaderSize);
    v.headers = parseHeaderBlock(v.rawHeaders);
    applyHeaderFields(v);
  }
  if (!v.from.address) {
    v.from = { address: (f.senderSmtpAddress ?? f.senderEmail ?? '').toLowerCase(), name: f.senderName ?? '' };
    if (!v.from.address.includes('@')) v.from.address = '';
  }
  if (!v.subject) v.subject = f.subject ?? '';
  if (!v.messageId && f.messageId) v.messageId = f.messageId;
  if (!v.to.length && f.recipients) {
    for (const r of f.recipients.slice(0, 500)) {
      const a = { address: (r.smtpAddress ?? r.email ?? '').toLowerCase(), name: r.name ?? '' };
      if (r.recipType === 'cc') v.cc.push(a);
      else if (r.recipType !== 'bcc') v.to.push(a);
    }
  }
  v.text = f.body ?? '';
  if (f.bodyHtml) v.html = f.bodyHtml;
  else if (f.html) v.html = Buffer.from(f.html).toString('utf8');
  const atts = f.attachments ?? [];
  if (atts.length > limits.maxParts) v.parseProblems.push(`${atts.length} attachments: only the first ${limits.maxParts} analysed`);
  for (const a of atts.slice(0, limits.maxParts)) {
    try {
      const d = reader.getAttachment(a);
      const content = d.content ?? new Uint8Array(0);
      let filename = d.fileName || a.fileName || '';
      let mimeType = (a.attachMimeTag ?? '').toLowerCase();
      if (a.innerMsgContent) {
        if (!filename.toLowerCase().endsWith('.msg')) filename = (filename || 'attached') + '.msg';
        mimeType = 'application/vnd.ms-outlook';
      }
      const att: Attachment = {
        filename, mimeType: mimeType || 'application/octet-stream', content, size: content.byteLength,
        disposition: a.pidContentId ? 'inline' : 'attachment', sha256: sha256(content),
      };
      if (a.pidContentId) att.contentId = a.pidContentId;
      v.attachments.push(att);
    } catch (e) {
      v.parseProblems.push(`.msg attachment unreadable: ${(e as Error).message}`);
    }
  }
  finishBody(v, limits.maxLinks);
  await parseNested(v, limits);
  return v;
}

/** Header values for a name (lower-case), in order. */
export function headerValues(msg: MessageView, key: string): string[] {
  const out: string[] = [];
  for (const h of msg.headers) if (h.key === key) out.push(h.value);
  return out;
}

/** The domain of an address ("" when none), lower-cased, without trailing dot. */
export function domainOf(address: string | undefined): string {
  if (!address) return '';
  const at = address.lastIndexOf('@');
  if (at < 0) return '';
  return address.slice(at + 1).toLowerCase().replace(/[>\s]+$/, '').replace(/\.$/, '');
}
