/**
 * A byte-by-byte EVTX writer for tests: file header, 64 KiB chunks with correct CRC32s, records, and Binary XML
 * with template definitions (inline on first use in a chunk, referenced by offset afterwards), substitutions
 * (normal and optional) of every value type, attributes, CDATA, character and entity references, PIs and
 * nested BinXml values.
 *
 *   buildEvtx([{ id: 1, xml: el('Event', {}, [el('System', {}, [el('EventID', {}, [sub(VT.UInt16, 4624)])])]) }])
 *
 * Values in the tree: a plain string is a literal text token inside the template; `sub(type, value)` is a
 * substitution (the value travels with the record); `opt(type, value)` an optional substitution.
 * Stable API (helper G uses it for fixtures): buildEvtx, el, sub, opt, cdata, charRef, entity, pi, VT.
 */
import { crc32 } from '../../../src/sources/evtx/file.js';
import { VT } from '../../../src/sources/evtx/values.js';

export { VT };

export interface SubValue {
  kind: 'sub';
  type: number;
  value: unknown;
  optional: boolean;
  /** override the declared size (to build corrupt records) */
  size?: number;
  /** the type the template declares for this substitution, when the value comes with another (e.g. Null) */
  declared?: number;
}
export interface BuilderElement {
  kind: 'el';
  name: string;
  attrs: { name: string; value: string | SubValue | (string | SubValue)[] }[];
  children: BuilderNode[];
}
export type BuilderNode =
  | BuilderElement
  | string
  | SubValue
  | { kind: 'cdata'; text: string }
  | { kind: 'charref'; code: number }
  | { kind: 'entity'; name: string }
  | { kind: 'pi'; target: string; data: string };

export interface BuilderRecord {
  /** EventRecordID (default: 1-based position) */
  id?: number;
  /** record header timestamp (default 2024-01-01) */
  time?: Date;
  /** the root element, usually <Event> */
  xml: BuilderElement;
  /** write the elements directly in the record instead of through a template */
  noTemplate?: boolean;
}

export interface BuildOptions {
  /** chunk count written in the file header (default: the real count) — smaller simulates a dirty log */
  headerChunkCount?: number;
  /** leave out the file header (a bare chunk file) */
  noFileHeader?: boolean;
}

export function el(name: string, attrs: Record<string, string | SubValue | (string | SubValue)[]> = {}, children: BuilderNode[] = []): BuilderElement {
  return { kind: 'el', name, attrs: Object.entries(attrs).map(([n, v]) => ({ name: n, value: v })), children };
}
export function sub(type: number, value: unknown, size?: number): SubValue {
  return { kind: 'sub', type, value, optional: false, size };
}
/** A substitution the template declares as `declared`, whose value in this record has type `type`. */
export function subAs(declared: number, type: number, value: unknown): SubValue {
  return { kind: 'sub', type, value, optional: false, declared };
}
export function opt(type: number, value: unknown): SubValue {
  return { kind: 'sub', type, value, optional: true };
}
export const cdata = (text: string): BuilderNode => ({ kind: 'cdata', text });
export const charRef = (code: number): BuilderNode => ({ kind: 'charref', code });
export const entity = (name: string): BuilderNode => ({ kind: 'entity', name });
export const pi = (target: string, data: string): BuilderNode => ({ kind: 'pi', target, data });

// ---------------------------------------------------------------------------------------------------------

class Bytes {
  buf = Buffer.alloc(1 << 17);
  len = 0;
  constructor(public base: number) {}
  /** chunk offset of the next byte */
  get pos(): number {
    return this.base + this.len;
  }
  private room(n: number) {
    if (this.len + n > this.buf.length) {
      const b = Buffer.alloc(Math.max(this.buf.length * 2, this.len + n));
      this.buf.copy(b, 0, 0, this.len);
      this.buf = b;
    }
  }
  u8(v: number) { this.room(1); this.buf[this.len++] = v & 0xff; }
  u16(v: number) { this.room(2); this.buf.writeUInt16LE(v & 0xffff, this.len); this.len += 2; }
  u32(v: number) { this.room(4); this.buf.writeUInt32LE(v >>> 0, this.len); this.len += 4; }
  u64(v: number | bigint) { this.room(8); this.buf.writeBigUInt64LE(BigInt(v), this.len); this.len += 8; }
  bytes(b: Buffer) { this.room(b.length); b.copy(this.buf, this.len); this.len += b.length; }
  patch32(at: number, v: number) { this.buf.writeUInt32LE(v >>> 0, at); }
  out(): Buffer { return this.buf.subarray(0, this.len); }
}

function guidBytes(g: string): Buffer {
  const h = g.replace(/[{}-]/g, '');
  const b = Buffer.from(h, 'hex');
  const out = Buffer.alloc(16);
  out.writeUInt32LE(b.readUInt32BE(0), 0);
  out.writeUInt16LE(b.readUInt16BE(4), 4);
  out.writeUInt16LE(b.readUInt16BE(6), 6);
  b.copy(out, 8, 8, 16);
  return out;
}

function sidBytes(s: string): Buffer {
  const parts = s.split('-').slice(1).map((x) => BigInt(x));
  const rev = Number(parts[0]);
  const auth = parts[1];
  const subs = parts.slice(2);
  const b = Buffer.alloc(8 + 4 * subs.length);
  b[0] = rev;
  b[1] = subs.length;
  b.writeUIntBE(Number(auth), 2, 6);
  subs.forEach((x, i) => b.writeUInt32LE(Number(x), 8 + 4 * i));
  return b;
}

function filetime(d: Date | bigint): bigint {
  if (typeof d === 'bigint') return d;
  return BigInt(d.getTime()) * 10000n + 116444736000000000n;
}

/** Encode one scalar of a (non-array) type. */
function scalarBytes(type: number, v: unknown): Buffer {
  const b = Buffer.alloc(16);
  switch (type) {
    case VT.String: return Buffer.from(String(v), 'utf16le');
    case VT.AnsiString: return Buffer.isBuffer(v) ? v : Buffer.from(String(v), 'latin1');
    case VT.Int8: b.writeInt8(Number(v)); return b.subarray(0, 1);
    case VT.UInt8: b.writeUInt8(Number(v)); return b.subarray(0, 1);
    case VT.Int16: b.writeInt16LE(Number(v)); return b.subarray(0, 2);
    case VT.UInt16: b.writeUInt16LE(Number(v)); return b.subarray(0, 2);
    case VT.Int32: b.writeInt32LE(Number(v)); return b.subarray(0, 4);
    case VT.UInt32: case VT.HexInt32: b.writeUInt32LE(Number(v)); return b.subarray(0, 4);
    case VT.Int64: b.writeBigInt64LE(BigInt(v as number)); return b.subarray(0, 8);
    case VT.UInt64: case VT.HexInt64: case VT.SizeT: b.writeBigUInt64LE(BigInt(v as number)); return b.subarray(0, 8);
    case VT.Real32: b.writeFloatLE(Number(v)); return b.subarray(0, 4);
    case VT.Real64: b.writeDoubleLE(Number(v)); return b.subarray(0, 8);
    case VT.Bool: b.writeUInt32LE(v ? 1 : 0); return b.subarray(0, 4);
    case VT.Binary: return Buffer.from(v as Buffer);
    case VT.Guid: return guidBytes(String(v));
    case VT.FileTime: b.writeBigUInt64LE(filetime(v as Date)); return b.subarray(0, 8);
    case VT.SysTime: {
      const d = v as Date;
      [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDay(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds()]
        .forEach((x, i) => b.writeUInt16LE(x, 2 * i));
      return b;
    }
    case VT.Sid: return sidBytes(String(v));
    case VT.Null: return Buffer.alloc(0);
    default: throw new Error(`builder: unsupported type 0x${type.toString(16)}`);
  }
}

/** A template's shape: everything but substitution values. */
function shapeKey(n: BuilderNode | (string | SubValue)[]): string {
  if (Array.isArray(n)) return '[' + n.map(shapeKey).join(',') + ']';
  if (typeof n === 'string') return JSON.stringify(n);
  switch (n.kind) {
    case 'el':
      return `<${JSON.stringify(n.name)}${n.attrs.map((a) => ` ${JSON.stringify(a.name)}=${shapeKey(a.value)}`).join('')}>${n.children.map(shapeKey).join('')}</>`;
    case 'sub':
      return `$${n.declared ?? n.type}${n.optional ? '?' : ''}`;
    default:
      return JSON.stringify(n);
  }
}

// ---------------------------------------------------------------------------------------------------------

interface ChunkState {
  names: Map<string, number>;
  templates: Map<string, number>;
}

/** Writes Binary XML into a Bytes whose `base` is its chunk offset. */
class BinXmlWriter {
  constructor(private out: Bytes, private st: ChunkState) {}

  name(n: string) {
    const known = this.st.names.get(n);
    if (known !== undefined) {
      this.out.u32(known);
      return;
    }
    const at = this.out.pos + 4;
    this.out.u32(at);
    this.st.names.set(n, at);
    this.out.u32(0); // next name in hash bucket
    let h = 0;
    for (let i = 0; i < n.length; i++) h = (h * 65599 + n.charCodeAt(i)) >>> 0;
    this.out.u16(h & 0xffff);
    this.out.u16(n.length);
    this.out.bytes(Buffer.from(n, 'utf16le'));
    this.out.u16(0);
  }

  /** Template shape: elements with substitutions numbered in document order. */
  element(e: BuilderElement, subs: SubValue[] | null) {
    const o = this.out;
    o.u8(e.attrs.length ? 0x41 : 0x01);
    o.u16(0xffff); // dependency id
    const sizeAt = o.len;
    o.u32(0);
    const start = o.len;
    this.name(e.name);
    let attrSizeAt = -1;
    if (e.attrs.length) {
      attrSizeAt = o.len;
      o.u32(0);
    }
    const attrStart = o.len;
    e.attrs.forEach((a, i) => {
      o.u8(i === e.attrs.length - 1 ? 0x06 : 0x46);
      this.name(a.name);
      const parts = Array.isArray(a.value) ? a.value : [a.value];
      for (const p of parts) this.content(p, subs);
    });
    if (attrSizeAt >= 0) o.patch32(attrSizeAt, o.len - attrStart);
    if (!e.children.length) o.u8(0x03);
    else {
      o.u8(0x02);
      for (const c of e.children) this.content(c, subs);
      o.u8(0x04);
    }
    o.patch32(sizeAt, o.len - start);
  }

  content(c: BuilderNode, subs: SubValue[] | null) {
    const o = this.out;
    if (typeof c === 'string') {
      o.u8(0x05);
      o.u8(VT.String);
      o.u16(c.length);
      o.bytes(Buffer.from(c, 'utf16le'));
      return;
    }
    switch (c.kind) {
      case 'el':
        this.element(c, subs);
        return;
      case 'sub':
        if (!subs) throw new Error('builder: substitutions need a template (noTemplate records take literal strings)');
        o.u8(c.optional ? 0x0e : 0x0d);
        o.u16(subs.length);
        o.u8(c.declared ?? c.type);
        subs.push(c);
        return;
      case 'cdata':
        o.u8(0x07);
        o.u16(c.text.length);
        o.bytes(Buffer.from(c.text, 'utf16le'));
        return;
      case 'charref':
        o.u8(0x08);
        o.u16(c.code);
        return;
      case 'entity':
        o.u8(0x09);
        this.name(c.name);
        return;
      case 'pi':
        o.u8(0x0a);
        this.name(c.target);
        o.u8(0x0b);
        o.u16(c.data.length);
        o.bytes(Buffer.from(c.data, 'utf16le'));
        return;
    }
  }

  /** A template instance for a root element: inline definition on first use in the chunk, then values. */
  instance(root: BuilderElement) {
    const o = this.out;
    // The shape key: the tree with substitution slots but without their values.
    const key = shapeKey(root);
    o.u8(0x0c);
    o.u8(0x01);
    o.u32(0); // template id (the definition's GUID first 4 bytes)
    const known = this.st.templates.get(key);
    const subs: SubValue[] = [];
    if (known !== undefined) {
      o.u32(known);
      // collect substitutions in the same order as the definition
      const scratch = new BinXmlWriter(new Bytes(0), { names: new Map(), templates: new Map() });
      scratch.fragmentHeader();
      scratch.element(root, subs);
    } else {
      const defAt = o.pos + 4;
      o.u32(defAt);
      this.st.templates.set(key, defAt);
      o.u32(0); // next template
      const g = Buffer.alloc(16);
      g.writeUInt32LE(this.st.templates.size, 0);
      o.bytes(g);
      const sizeAt = o.len;
      o.u32(0);
      const start = o.len;
      this.fragmentHeader();
      this.element(root, subs);
      o.u8(0x00);
      o.patch32(sizeAt, o.len - start);
    }
    o.u32(subs.length);
    const encoded = subs.map((s) => this.valueBytes(s));
    subs.forEach((s, i) => {
      o.u16(s.size ?? encoded[i].length);
      o.u8(s.type);
      o.u8(0);
    });
    for (const b of encoded) o.bytes(b);
  }

  fragmentHeader() {
    this.out.bytes(Buffer.from([0x0f, 0x01, 0x01, 0x00]));
  }

  valueBytes(s: SubValue): Buffer {
    if (s.type === VT.BinXml) {
      // nested fragment at the position where the value will land: encode twice to learn the size first
      return Buffer.alloc(0); // replaced by instanceWithNested
    }
    if (s.type & VT.Array) {
      const t = s.type & 0x7f;
      const arr = s.value as unknown[];
      if (t === VT.String) return Buffer.concat(arr.map((x) => Buffer.from(String(x) + '\0', 'utf16le')));
      if (t === VT.AnsiString) return Buffer.concat(arr.map((x) => Buffer.from(String(x) + '\0', 'latin1')));
      return Buffer.concat(arr.map((x) => scalarBytes(t, x)));
    }
    return scalarBytes(s.type, s.value);
  }
}

/** Substitution values of type BinXml need chunk offsets: encode them at their final place. */
function writeInstance(o: Bytes, st: ChunkState, root: BuilderElement) {
  const w = new BinXmlWriter(o, st);
  const hasNested = (e: BuilderNode): boolean =>
    typeof e === 'object' && e.kind === 'el'
      ? e.children.some(hasNested) || e.attrs.some((a) => typeof a.value === 'object' && !Array.isArray(a.value) && a.value.type === VT.BinXml)
      : typeof e === 'object' && e.kind === 'sub' && e.type === VT.BinXml;
  if (!hasNested(root)) {
    w.instance(root);
    return;
  }
  // Generic path: write the instance header and definition, then each value; nested ones as fragments.
  const key = shapeKey(root);
  o.u8(0x0c);
  o.u8(0x01);
  o.u32(0);
  const subs: SubValue[] = [];
  const known = st.templates.get(key);
  if (known !== undefined) {
    o.u32(known);
    const scratch = new BinXmlWriter(new Bytes(0), { names: new Map(), templates: new Map() });
    scratch.element(root, subs);
  } else {
    const defAt = o.pos + 4;
    o.u32(defAt);
    st.templates.set(key, defAt);
    o.u32(0);
    const g = Buffer.alloc(16);
    g.writeUInt32LE(st.templates.size, 0);
    o.bytes(g);
    const sizeAt = o.len;
    o.u32(0);
    const start = o.len;
    w.fragmentHeader();
    w.element(root, subs);
    o.u8(0x00);
    o.patch32(sizeAt, o.len - start);
  }
  o.u32(subs.length);
  const descAt = o.len;
  for (let i = 0; i < subs.length; i++) o.u32(0);
  subs.forEach((s, i) => {
    const start = o.len;
    if (s.type === VT.BinXml && s.value) {
      w.fragmentHeader();
      writeInstance(o, st, s.value as BuilderElement);
      o.u8(0x00);
    } else if (s.type !== VT.BinXml) {
      o.bytes(w.valueBytes(s));
    }
    const size = s.size ?? o.len - start;
    o.buf.writeUInt16LE(size, descAt + 4 * i);
    o.buf[descAt + 4 * i + 2] = s.type;
  });
}

function encodeRecord(o: Bytes, st: ChunkState, r: BuilderRecord, id: number) {
  const start = o.len;
  o.u32(0x00002a2a);
  o.u32(0);
  o.u64(id);
  o.u64(filetime(r.time ?? new Date(Date.UTC(2024, 0, 1))));
  const w = new BinXmlWriter(o, st);
  w.fragmentHeader();
  if (r.noTemplate) w.element(r.xml, null);
  else writeInstance(o, st, r.xml);
  o.u8(0x00);
  while ((o.len - start + 4) % 8) o.u8(0);
  o.u32(o.len - start + 4);
  o.patch32(start + 4, o.len - start);
}

const CHUNK = 0x10000;

function finishChunk(body: Buffer, first: number, last: number, lastRecOff: number): Buffer {
  const c = Buffer.alloc(CHUNK);
  c.write('ElfChnk\0', 0, 'latin1');
  c.writeBigUInt64LE(BigInt(first), 8);
  c.writeBigUInt64LE(BigInt(last), 16);
  c.writeBigUInt64LE(BigInt(first), 24);
  c.writeBigUInt64LE(BigInt(last), 32);
  c.writeUInt32LE(128, 40);
  c.writeUInt32LE(lastRecOff, 44);
  c.writeUInt32LE(512 + body.length, 48);
  body.copy(c, 512);
  c.writeUInt32LE(crc32(c, 512, 512 + body.length), 52);
  c.writeUInt32LE(crc32(c, 128, 512, crc32(c, 0, 120)), 124);
  return c;
}

/** Build a whole EVTX file (header + as many chunks as the records need). */
export function buildEvtx(records: BuilderRecord[], opts: BuildOptions = {}): Buffer {
  const chunks: Buffer[] = [];
  let st: ChunkState = { names: new Map(), templates: new Map() };
  let body = new Bytes(512);
  let first = -1;
  let last = -1;
  let lastOff = 0;
  records.forEach((r, i) => {
    const id = r.id ?? i + 1;
    for (let attempt = 0; ; attempt++) {
      const saved: ChunkState = { names: new Map(st.names), templates: new Map(st.templates) };
      const mark = body.len;
      encodeRecord(body, st, r, id);
      if (body.pos <= CHUNK) {
        if (first < 0) first = id;
        last = id;
        lastOff = 512 + mark;
        return;
      }
      body.len = mark;
      st = saved;
      if (attempt > 0 || mark === 0) throw new Error('builder: record larger than a chunk');
      chunks.push(finishChunk(body.out(), first, last, lastOff));
      st = { names: new Map(), templates: new Map() };
      body = new Bytes(512);
      first = -1;
    }
  });
  if (first >= 0 || chunks.length === 0) chunks.push(finishChunk(body.out(), Math.max(first, 1), Math.max(last, first >= 0 ? last : 0), lastOff));
  if (opts.noFileHeader) return Buffer.concat(chunks);
  const h = Buffer.alloc(4096);
  h.write('ElfFile\0', 0, 'latin1');
  h.writeBigUInt64LE(0n, 8);
  h.writeBigUInt64LE(BigInt(chunks.length - 1), 16);
  h.writeBigUInt64LE(BigInt(records.length + 1), 24);
  h.writeUInt32LE(128, 32);
  h.writeUInt16LE(1, 36);
  h.writeUInt16LE(3, 38);
  h.writeUInt16LE(4096, 40);
  h.writeUInt16LE(opts.headerChunkCount ?? chunks.length, 42);
  h.writeUInt32LE(0, 120);
  h.writeUInt32LE(crc32(h, 0, 120), 124);
  return Buffer.concat([h, ...chunks]);
}

/** A typical Windows event tree for tests: System with the usual fields + EventData with named Data. */
export function windowsRecord(opts: {
  id?: number;
  eventId?: number;
  provider?: string;
  channel?: string;
  computer?: string;
  time?: Date;
  data?: Record<string, string | SubValue>;
}): BuilderRecord {
  const t = opts.time ?? new Date(Date.UTC(2024, 0, 1, 12, 0, 0));
  const data = Object.entries(opts.data ?? {}).map(([k, v]) => el('Data', { Name: k }, [typeof v === 'string' ? sub(VT.String, v) : v]));
  return {
    id: opts.id,
    time: t,
    xml: el('Event', { xmlns: 'http://schemas.microsoft.com/win/2004/08/events/event' }, [
      el('System', {}, [
        el('Provider', { Name: sub(VT.String, opts.provider ?? 'Microsoft-Windows-Security-Auditing'), Guid: opt(VT.Guid, '54849625-5478-4994-A5BA-3E3B0328C30D') }),
        el('EventID', { Qualifiers: opt(VT.Null, null) }, [sub(VT.UInt16, opts.eventId ?? 4688)]),
        el('Version', {}, [sub(VT.UInt8, 2)]),
        el('Level', {}, [sub(VT.UInt8, 0)]),
        el('Task', {}, [sub(VT.UInt16, 13312)]),
        el('Opcode', {}, [sub(VT.UInt8, 0)]),
        el('Keywords', {}, [sub(VT.HexInt64, 0x8020000000000000n)]),
        el('TimeCreated', { SystemTime: sub(VT.FileTime, t) }),
        el('EventRecordID', {}, [sub(VT.UInt64, opts.id ?? 1)]),
        el('Correlation', { ActivityID: opt(VT.Null, null) }),
        el('Execution', { ProcessID: sub(VT.UInt32, 4), ThreadID: sub(VT.UInt32, 96) }),
        el('Channel', {}, [sub(VT.String, opts.channel ?? 'Security')]),
        el('Computer', {}, [sub(VT.String, opts.computer ?? 'dc01.example.org')]),
        el('Security', { UserID: opt(VT.Null, null) }),
      ]),
      el('EventData', {}, data),
    ]),
  };
}

/**
 * A one-chunk EVTX file whose records carry hand-made Binary XML (for crafting damaged input): each body
 * function gets the chunk offset where its bytes will start (so it can point at itself) and returns them.
 */
export function buildRawEvtx(bodies: ((chunkOffset: number) => Buffer)[], opts: BuildOptions = {}): Buffer {
  const o = new Bytes(512);
  let lastOff = 512;
  bodies.forEach((fn, i) => {
    const start = o.len;
    lastOff = o.pos;
    o.u32(0x00002a2a);
    o.u32(0);
    o.u64(i + 1);
    o.u64(filetime(new Date(Date.UTC(2024, 0, 1))));
    o.bytes(fn(o.pos));
    while ((o.len - start + 4) % 8) o.u8(0);
    o.u32(o.len - start + 4);
    o.patch32(start + 4, o.len - start);
  });
  if (o.pos > CHUNK) throw new Error('builder: raw records larger than a chunk');
  const chunk = finishChunk(o.out(), 1, Math.max(bodies.length, 1), lastOff);
  if (opts.noFileHeader) return chunk;
  const h = Buffer.alloc(4096);
  h.write('ElfFile\0', 0, 'latin1');
  h.writeBigUInt64LE(BigInt(bodies.length + 1), 24);
  h.writeUInt32LE(128, 32);
  h.writeUInt16LE(1, 36);
  h.writeUInt16LE(3, 38);
  h.writeUInt16LE(4096, 40);
  h.writeUInt16LE(opts.headerChunkCount ?? 1, 42);
  h.writeUInt32LE(crc32(h, 0, 120), 124);
  return Buffer.concat([h, chunk]);
}

/** Bytes of an inline name structure at chunk offset `at` (u32 next, u16 hash, u16 count, UTF-16, NUL). */
export function nameBytes(name: string): Buffer {
  const b = Buffer.alloc(10 + 2 * name.length);
  b.writeUInt16LE(name.length, 6);
  b.write(name, 8, 'utf16le');
  return b;
}
