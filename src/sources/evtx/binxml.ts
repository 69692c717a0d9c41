/**
 * EVTX Binary XML: tokens, names, template definitions and instances, substitutions, and rendering straight
 * into the `evtx_dump -o json` document shape (no XML text is ever built).
 *
 * Parsing happens inside one chunk buffer (all offsets are chunk-relative). Template definitions are compiled
 * into a small node tree, cached by definition offset within the chunk and shared with later chunks and files that
 * define the same template (`SharedTemplates`); each record then only decodes its substitution values and walks the
 * cached tree.
 *
 * Hostile input: every read is bounds-checked against the chunk (or the enclosing value), nesting depth is
 * capped, a template that (directly or indirectly) instantiates itself is rejected, and rendering has a node
 * budget per record, so no record can loop forever or blow up memory. Errors are thrown as `BinXmlError` and the
 * caller skips the record.
 */
import type { Doc, FieldValue } from '../../event.js';
import { setKey } from '../../event.js';
import { decodeValue, ucs2, utf16, VT } from './values.js';

export class BinXmlError extends Error {}

/** Tokens (the 0x40 bit = "has attributes" / "more data" flag). */
export const TOK = {
  EOF: 0x00,
  OpenStart: 0x01,
  CloseStart: 0x02,
  CloseEmpty: 0x03,
  End: 0x04,
  Value: 0x05,
  Attribute: 0x06,
  CData: 0x07,
  CharRef: 0x08,
  EntityRef: 0x09,
  PITarget: 0x0a,
  PIData: 0x0b,
  TemplateInstance: 0x0c,
  Subst: 0x0d,
  OptSubst: 0x0e,
  FragmentHeader: 0x0f,
} as const;

/** Maximum element nesting inside one template / fragment. */
export const MAX_DEPTH = 64;
/** Maximum nesting of BinXml values (template instances inside substitution values). */
export const MAX_NEST = 12;
/** Maximum rendered nodes per record (guards against template amplification). */
export const MAX_RENDER_NODES = 100_000;
/** Maximum rendered nodes per chunk (a crafted chunk cannot make every record render a huge template). */
export const MAX_CHUNK_RENDER_NODES = 1_000_000;
/** Template definition bytes compiled per chunk (real definitions are disjoint, so at most the chunk's 64 KiB). */
export const MAX_CHUNK_TEMPLATE_BYTES = 1 << 20;
/** Maximum substitution values per template instance. */
export const MAX_SUBST = 4096;

/**
 * Codes of the element and attribute names the Windows field walk (fields.ts) looks for, given to nodes when a
 * template is compiled (once per run, see SharedTemplates) so that each record compares small integers, not strings.
 */
export const NC = {
  Other: 0, Event: 1, System: 2, EventData: 3, UserData: 4, Data: 5, EventID: 6, Version: 7, Level: 8, Task: 9,
  Opcode: 10, Keywords: 11, EventRecordID: 12, Channel: 13, Computer: 14, Provider: 15, Execution: 16, Security: 17,
  Correlation: 18, TimeCreated: 19,
  // attributes
  Name: 20, Qualifiers: 21, Guid: 22, EventSourceName: 23, ProcessID: 24, ThreadID: 25, UserID: 26, ActivityID: 27,
  SystemTime: 28,
} as const;
const NAME_CODES = new Map<string, number>(Object.entries(NC).filter(([k]) => k !== 'Other'));
export function nameCode(name: string): number {
  return NAME_CODES.get(name) ?? 0;
}

export interface ElementNode {
  k: 0;
  name: string;
  /** NC code of the name (0 for other names) */
  c: number;
  /** set by the field walk once the EventData names of this (template) element are known to be valid */
  ok: number;
  /** set by the field walk: this element's EventData name (fixed by the template) has a space (2) or not (1) */
  sp: number;
  attrs: AttrNode[];
  children: Node[];
}
export interface TextNode {
  k: 1;
  v: FieldValue;
}
export interface SubstNode {
  k: 2;
  i: number;
  opt: boolean;
}
export interface InstanceNode {
  k: 3;
  tpl: Template;
  values: Value[];
}
export type Node = ElementNode | TextNode | SubstNode | InstanceNode;
export interface AttrNode {
  name: string;
  /** NC code of the name (0 for other names) */
  c: number;
  parts: Node[];
}
export interface Template {
  offset: number;
  guid: string;
  nodes: Node[];
  /** the field walk's replay plans for records of this template (fields.ts) */
  plans?: unknown;
}
/** A substitution value of type BinXml (0x21): its own fragment, rendered in place. */
export class Fragment {
  constructor(public readonly nodes: Node[]) {}
}
export type Value = FieldValue | Fragment;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** What compiling a template definition read besides its bytes: every name reference (where, inline or not, the name). */
interface Recording {
  /** start of the definition's data (chunk offset) */
  start: number;
  /** false once the definition held something else that depends on the chunk: a template instance, or an element
   * start without a dependency id (that layout is chosen by where the name offset points) */
  ok: boolean;
  /** per name reference: its position (relative to start), 1 when the name followed inline */
  refs: number[];
  names: string[];
}

/** A template compiled in an earlier chunk: its definition bytes with what varies between chunks zeroed (holes). */
interface SharedTemplate {
  tpl: Template;
  /** bytes from the definition's GUID to its end, as first compiled (what is in the holes is never compared) */
  bytes: Buffer;
  /** [start, end) byte ranges taken from the chunk being checked (name offsets, inline names' links), relative to the data start */
  holes: Int32Array;
  rec: Recording;
}

/** Templates kept across chunks: at most this many definitions, of at most MAX_SHARED_BYTES bytes together. */
export const MAX_SHARED_TEMPLATES = 2048;
export const MAX_SHARED_BYTES = 8 << 20;

/**
 * Compiled templates shared by the chunks of the files one run reads (kept by the run's ReadContext). A log's chunks define the same
 * templates again (each chunk is self-contained), at other offsets and with their names elsewhere: a definition is
 * the same template as one seen before when its bytes are the same except for name offsets (and the chain links
 * and hashes of inline names, which the parser never reads), and each name offset leads to the same name, inline
 * where it was inline. Only then is the compiled tree reused; anything else is compiled afresh. Bounded: past the
 * limits the cache starts over.
 *
 * Element starts read the same way too: only definitions whose element starts all have their dependency id are kept,
 * and for those the layout check (`noDependencyId`) cannot turn: it looks for the other layout only when the name
 * offset points past the inline position, and then reads its upper half as that layout's name offset — nonzero for
 * any offset inside a chunk (a verified name lies inside it), so never a valid one.
 */
export class SharedTemplates {
  private byKey = new Map<number, SharedTemplate[]>();
  private count = 0;
  private bytes = 0;
  /** definitions found the same as one compiled before (not compiled again) */
  hits = 0;
  private scratch = Buffer.alloc(4096);
  constructor(
    private readonly maxTemplates = MAX_SHARED_TEMPLATES,
    private readonly maxBytes = MAX_SHARED_BYTES,
  ) {}

  clear(): void {
    this.byKey.clear();
    this.count = 0;
    this.bytes = 0;
  }

  /** templates kept */
  get size(): number {
    return this.count;
  }
  /** bytes of their definitions */
  get keptBytes(): number {
    return this.bytes;
  }

  private static key(buf: Buffer, off: number, dataSize: number): number {
    return (buf.readInt32LE(off + 4) ^ buf.readInt32LE(off + 8) ^ buf.readInt32LE(off + 12) ^ buf.readInt32LE(off + 16) ^ Math.imul(dataSize, 0x9e3779b1)) | 0;
  }

  /** The template compiled before for the definition at `off` (data `start` .. `end`), if it is the same one. */
  find(p: ChunkParser, off: number, start: number, end: number): Template | undefined {
    const list = this.byKey.get(SharedTemplates.key(p.buf, off, end - start));
    if (list === undefined) return undefined;
    for (let i = 0; i < list.length; i++) {
      if (this.same(p, list[i]!, off, start, end)) {
        this.hits++;
        return list[i]!.tpl;
      }
    }
    return undefined;
  }

  private same(p: ChunkParser, s: SharedTemplate, off: number, start: number, end: number): boolean {
    const buf = p.buf;
    const b = s.bytes;
    const n = b.length;
    const base = off + 4;
    if (end - base !== n) return false;
    // the kept bytes with this chunk's bytes in the holes, then one comparison (a few hundred bytes: cheaper than
    // comparing byte by byte here, or natively segment by segment)
    if (this.scratch.length < n) this.scratch = Buffer.alloc(Math.max(n, 2 * this.scratch.length));
    const w = this.scratch;
    b.copy(w, 0, 0, n);
    const h = s.holes;
    for (let k = 0; k < h.length; k += 2) for (let i = h[k]! + 20, e = h[k + 1]! + 20; i < e; i++) w[i] = buf[base + i]!;
    if (buf.compare(w, 0, n, base, end) !== 0) return false;
    const { refs, names } = s.rec;
    for (let k = 0, j = 0; k < refs.length; k += 2, j++) {
      const at = start + refs[k]!;
      const to = buf.readUInt32LE(at);
      if ((to === at + 4 ? 1 : 0) !== refs[k + 1]) return false;
      if (refs[k + 1] === 0 && !p.nameIs(to, names[j]!)) return false;
    }
    return true;
  }

  add(p: ChunkParser, off: number, start: number, end: number, tpl: Template, rec: Recording): void {
    const n = end - off - 4;
    if (this.count >= this.maxTemplates || this.bytes + n > this.maxBytes) this.clear();
    const holes: number[] = [];
    const { refs } = rec;
    for (let k = 0; k < refs.length; k += 2) {
      // the name offset; an inline name's chain link and hash (the parser reads its length and characters only)
      holes.push(refs[k]!, refs[k]! + (refs[k + 1] === 1 ? 10 : 4));
    }
    const bytes = Buffer.from(p.buf.subarray(off + 4, end));
    const entry: SharedTemplate = { tpl, bytes, holes: Int32Array.from(holes), rec };
    const key = SharedTemplates.key(p.buf, off, end - start);
    const list = this.byKey.get(key);
    if (list) list.push(entry);
    else this.byKey.set(key, [entry]);
    this.count++;
    this.bytes += n;
  }
}

/** Per-chunk parsing state: the chunk bytes and caches of names and compiled templates. */
export class ChunkParser {
  readonly names = new Map<number, string>();
  readonly templates = new Map<number, Template | BinXmlError>();
  private compiling = new Set<number>();
  /** what the template definition being compiled reads (see SharedTemplates); null outside definitions */
  private rec: Recording | null = null;
  /** nodes the chunk's records may still render */
  renderBudget = MAX_CHUNK_RENDER_NODES;
  /** template definition bytes the chunk may still compile */
  compileBudget = MAX_CHUNK_TEMPLATE_BYTES;
  /**
   * `size`: length of valid data in buf (a truncated last chunk is shorter than 64 KiB); `shared`: templates of
   * earlier chunks (and files) to reuse, and where this chunk's are kept
   */
  constructor(public buf: Buffer, public size: number, readonly shared?: SharedTemplates) {}

  reset(buf: Buffer, size: number): void {
    this.buf = buf;
    this.size = size;
    this.names.clear();
    this.templates.clear();
    this.compiling.clear();
    this.renderBudget = MAX_CHUNK_RENDER_NODES;
    this.compileBudget = MAX_CHUNK_TEMPLATE_BYTES;
  }

  private fail(msg: string, at: number): never {
    throw new BinXmlError(`${msg} at chunk offset ${at}`);
  }

  private u8(p: number, end: number): number {
    if (p >= end) this.fail('unexpected end of data', p);
    return this.buf[p];
  }
  private u16(p: number, end: number): number {
    if (p + 2 > end) this.fail('unexpected end of data', p);
    return this.buf.readUInt16LE(p);
  }
  private u32(p: number, end: number): number {
    if (p + 4 > end) this.fail('unexpected end of data', p);
    return this.buf.readUInt32LE(p);
  }

  /** Name structure at a chunk offset: u32 next, u16 hash, u16 count, UTF-16 chars, u16 NUL. */
  name(off: number): string {
    const c = this.names.get(off);
    if (c !== undefined) return c;
    if (off + 8 > this.size) this.fail(`name offset ${off} outside the chunk`, off);
    const n = this.buf.readUInt16LE(off + 6);
    const end = off + 8 + 2 * n;
    if (end > this.size) this.fail(`name at ${off} runs past the chunk`, off);
    const s = ucs2(this.buf, off + 8, end);
    this.names.set(off, s);
    return s;
  }

  /** Is the name at `off` (in the chunk) `name`? (compared in place: no string is made) */
  nameIs(off: number, name: string): boolean {
    const c = this.names.get(off);
    if (c !== undefined) return c === name;
    const n = name.length;
    if (off + 8 + 2 * n > this.size || this.buf.readUInt16LE(off + 6) !== n) return false;
    const buf = this.buf;
    for (let i = 0, q = off + 8; i < n; i++, q += 2) if ((buf[q]! | (buf[q + 1]! << 8)) !== name.charCodeAt(i)) return false;
    return true;
  }

  /** Read a name reference at p (u32 offset, inline name when the offset points right after it); returns [name, next p]. */
  private nameRef(p: number, end: number): [string, number] {
    const off = this.u32(p, end);
    const rec = this.rec;
    p += 4;
    const name = this.name(off);
    if (rec !== null) rec.refs.push(p - 4 - rec.start, off === p ? 1 : 0), rec.names.push(name);
    if (off === p) {
      const n = this.u16(p + 6, end);
      p += 10 + 2 * n;
      if (p > end) this.fail('inline name runs past its data', off);
    }
    return [name, p];
  }

  /** Compiled template at a definition offset (cached; shared across chunks; rejects self-reference). */
  template(off: number, depth: number): Template {
    const c = this.templates.get(off);
    if (c instanceof BinXmlError) throw c;
    if (c) return c;
    if (this.compiling.has(off)) this.fail('template instantiates itself', off);
    if (off + 24 > this.size) this.fail(`template definition offset ${off} outside the chunk`, off);
    const dataSize = this.buf.readUInt32LE(off + 20);
    const start = off + 24;
    const end = start + dataSize;
    if (end > this.size) this.fail(`template definition size ${dataSize} runs past the chunk`, off);
    this.compileBudget -= dataSize;
    if (this.compileBudget < 0) this.fail('chunk defines too many overlapping templates', off);
    // (compiling it would fail on nesting before reading anything: so must reusing it)
    if (this.shared !== undefined && depth + 1 <= MAX_NEST) {
      const shared = this.shared.find(this, off, start, end);
      if (shared !== undefined) {
        this.templates.set(off, shared);
        return shared;
      }
    }
    this.compiling.add(off);
    const outer = this.rec;
    const rec: Recording = { start, ok: true, refs: [], names: [] };
    this.rec = rec;
    try {
      const guid = this.buf.toString('hex', off + 4, off + 20);
      const { nodes } = this.fragment(start, end, false, depth + 1);
      const t: Template = { offset: off, guid, nodes, plans: undefined };
      this.templates.set(off, t);
      if (rec.ok) this.shared?.add(this, off, start, end, t, rec);
      return t;
    } catch (e) {
      const err = e instanceof BinXmlError ? e : new BinXmlError(String((e as Error).message));
      this.templates.set(off, err);
      throw err;
    } finally {
      this.rec = outer;
      this.compiling.delete(off);
    }
  }

  /**
   * Parse a token stream from p to end (a record's Binary XML, a template definition's data, or a BinXml
   * substitution value) into nodes. Stops at EOF.
   */
  fragment(p: number, end: number, inValue: boolean, nest: number): { nodes: Node[]; pos: number } {
    if (nest > MAX_NEST) this.fail('Binary XML nested too deeply', p);
    const nodes: Node[] = [];
    while (p < end) {
      const t = this.buf[p];
      const tok = t & 0x1f;
      if (t === TOK.EOF) return { nodes, pos: p + 1 };
      switch (tok) {
        case TOK.FragmentHeader:
          p += 4;
          break;
        case TOK.TemplateInstance: {
          const r = this.instance(p, end, nest);
          nodes.push(r.node);
          p = r.pos;
          break;
        }
        case TOK.OpenStart: {
          const r = this.element(p, end, 0, nest, inValue);
          nodes.push(r.node);
          p = r.pos;
          break;
        }
        default: {
          const r = this.content(p, end);
          if (!r) this.fail(`unexpected token 0x${t.toString(16)}`, p);
          if (r.node) nodes.push(r.node);
          p = r.pos;
        }
      }
    }
    return { nodes, pos: p };
  }

  /** Content tokens that are not elements: values, substitutions, CDATA, references, PIs. */
  private content(p: number, end: number): { node?: Node; pos: number } | undefined {
    const t = this.buf[p] & 0x1f;
    switch (t) {
      case TOK.Value: {
        const type = this.u8(p + 1, end);
        if (type === VT.String) {
          const n = this.u16(p + 2, end);
          const e = p + 4 + 2 * n;
          if (e > end) this.fail('text value runs past its data', p);
          return { node: { k: 1, v: ucs2(this.buf, p + 4, e) }, pos: e };
        }
        // other inline value types are sized by their type
        const w = type === VT.Guid || type === VT.SysTime ? 16 : type === VT.Int64 || type === VT.UInt64 || type === VT.Real64 || type === VT.HexInt64 || type === VT.FileTime ? 8 : type === VT.Int16 || type === VT.UInt16 ? 2 : type === VT.Int8 || type === VT.UInt8 ? 1 : 4;
        if (p + 2 + w > end) this.fail('value runs past its data', p);
        return { node: { k: 1, v: decodeValue(this.buf, p + 2, w, type) }, pos: p + 2 + w };
      }
      case TOK.Subst:
      case TOK.OptSubst: {
        const i = this.u16(p + 1, end);
        this.u8(p + 3, end);
        return { node: { k: 2, i, opt: t === TOK.OptSubst }, pos: p + 4 };
      }
      case TOK.CData: {
        const n = this.u16(p + 1, end);
        const e = p + 3 + 2 * n;
        if (e > end) this.fail('CDATA runs past its data', p);
        return { node: { k: 1, v: utf16(this.buf, p + 3, e) }, pos: e };
      }
      case TOK.CharRef: {
        const c = this.u16(p + 1, end);
        return { node: { k: 1, v: String.fromCharCode(c) }, pos: p + 3 };
      }
      case TOK.EntityRef: {
        const [name, np] = this.nameRef(p + 1, end);
        const v = ENTITIES[name] ?? `&${name};`;
        return { node: { k: 1, v }, pos: np };
      }
      case TOK.PITarget: {
        const [, np] = this.nameRef(p + 1, end);
        return { pos: np };
      }
      case TOK.PIData: {
        const n = this.u16(p + 1, end);
        const e = p + 3 + 2 * n;
        if (e > end) this.fail('PI data runs past its data', p);
        return { pos: e };
      }
      default:
        return undefined;
    }
  }

  /**
   * OpenStartElement: [u16 dependency id] u32 data size, u32 name offset (+ inline name), [u32 attribute list size].
   * The dependency id is absent in some producers' BinXml values: decided by where the name offset points (true:
   * the element at p has none).
   */
  private noDependencyId(p: number, end: number): boolean {
    const nameOff = this.u32(p + 7, end);
    if (nameOff > p + 11 || nameOff + 8 > this.size) {
      const alt = this.u32(p + 5, end);
      if (alt <= p + 9 && alt + 8 <= this.size) return true;
    }
    return false;
  }

  private element(p: number, end: number, depth: number, nest: number, inValue: boolean): { node: ElementNode; pos: number } {
    if (depth > MAX_DEPTH) this.fail('elements nested too deeply', p);
    const t = this.buf[p];
    const bare = this.noDependencyId(p, end);
    if (bare && this.rec !== null) this.rec.ok = false;
    let q = bare ? p + 1 : p + 3;
    const [name, np] = this.nameRef(q + 4, end);
    q = np;
    if (t & 0x40) q += 4;
    const attrs: AttrNode[] = [];
    // attributes
    for (;;) {
      if (q >= end) this.fail('element start runs past its data', p);
      const a = this.buf[q];
      if ((a & 0x1f) !== TOK.Attribute) break;
      const [an, ap] = this.nameRef(q + 1, end);
      q = ap;
      const parts: Node[] = [];
      for (;;) {
        if (q >= end) this.fail('attribute runs past its data', q);
        const v = this.buf[q] & 0x1f;
        if (v !== TOK.Value && v !== TOK.Subst && v !== TOK.OptSubst && v !== TOK.CharRef && v !== TOK.EntityRef) break;
        const r = this.content(q, end)!;
        if (r.node) parts.push(r.node);
        q = r.pos;
      }
      attrs.push({ name: an, c: nameCode(an), parts });
    }
    const close = this.buf[q] & 0x1f;
    const node: ElementNode = { k: 0, name, c: nameCode(name), ok: 0, sp: 0, attrs, children: [] };
    if (close === TOK.CloseEmpty) return { node, pos: q + 1 };
    if (close !== TOK.CloseStart) this.fail(`expected end of element start, found token 0x${this.buf[q].toString(16)}`, q);
    q++;
    for (;;) {
      if (q >= end) this.fail(`element <${name}> not closed`, p);
      const c = this.buf[q];
      const ct = c & 0x1f;
      if (ct === TOK.End) return { node, pos: q + 1 };
      if (ct === TOK.OpenStart) {
        const r = this.element(q, end, depth + 1, nest, inValue);
        node.children.push(r.node);
        q = r.pos;
      } else if (ct === TOK.TemplateInstance) {
        const r = this.instance(q, end, nest);
        node.children.push(r.node);
        q = r.pos;
      } else {
        const r = this.content(q, end);
        if (!r) this.fail(`unexpected token 0x${c.toString(16)} in <${name}>`, q);
        if (r.node) node.children.push(r.node);
        q = r.pos;
      }
    }
  }

  /** TemplateInstance: u8, u32 template id, u32 definition offset, [inline definition], values. */
  private instance(p: number, end: number, nest: number): { node: InstanceNode; pos: number } {
    let q = p + 2;
    this.u32(q, end);
    const defOff = this.u32(q + 4, end);
    q += 8;
    if (defOff === q) {
      // inline definition: u32 next, 16-byte GUID, u32 data size, data
      const dataSize = this.u32(q + 20, end);
      const after = q + 24 + dataSize;
      if (after > end) this.fail(`template definition size ${dataSize} runs past its data`, q);
      q = after;
    }
    if (this.rec !== null) this.rec.ok = false; // a definition holding an instance is not shared
    const tpl = this.template(defOff, nest);
    const count = this.u32(q, end);
    q += 4;
    if (count > MAX_SUBST || q + 4 * count > end) this.fail(`absurd substitution count ${count}`, q - 4);
    const desc = q;
    q += 4 * count;
    const values: Value[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const size = this.buf.readUInt16LE(desc + 4 * i);
      const type = this.buf[desc + 4 * i + 2];
      if (q + size > end) this.fail(`substitution value ${i} (${size} bytes) runs past the record`, q);
      if (type === VT.BinXml) {
        values[i] = size === 0 ? null : new Fragment(this.fragment(q, q + size, true, nest + 1).nodes);
      } else {
        try {
          values[i] = decodeValue(this.buf, q, size, type);
        } catch (e) {
          this.fail((e as Error).message, q);
        }
      }
      q += size;
    }
    return { node: { k: 3, tpl, values }, pos: q };
  }
}

// ---------------------------------------------------------------------------------------------------------
// Rendering into the evtx_dump JSON shape

function isObj(v: FieldValue | undefined): v is Doc {
  return v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v);
}

const hasOwn = Object.prototype.hasOwnProperty;

/** Text of a value when parts of an element's text are joined (the first part keeps its type, see Renderer). */
export function textOf(v: FieldValue): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map((x) => textOf(x)).join(',');
  if (v === null) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Insert a child under a key; an earlier concrete value of the same name moves to name_1, name_2, … */
function insert(parent: Doc, key: string, value: FieldValue): void {
  if (hasOwn.call(parent, key)) {
    const old = parent[key];
    if (old !== null && !(isObj(old) && Object.keys(old).length === 0)) {
      let n = 1;
      while (hasOwn.call(parent, `${key}_${n}`)) n++;
      setKey(parent, `${key}_${n}`, old);
    }
  }
  setKey(parent, key, value);
}

/**
 * `s.trim()`, without the call when both ends are printable ASCII (nearly every value): trim only removes white
 * space and line terminators, none of which is in 0x21–0x7E.
 */
export function trimText(s: string): string {
  const n = s.length;
  if (n > 0) {
    const a = s.charCodeAt(0);
    const b = s.charCodeAt(n - 1);
    if (a > 32 && a < 127 && b > 32 && b < 127) return s;
  }
  return s.trim();
}

/** An attribute's value: a single part keeps its type; several parts are joined as text; null when empty. */
export function attrValue(parts: Node[], values: Value[]): FieldValue {
  if (parts.length === 1) {
    const p = parts[0];
    if (p.k === 1) return p.v;
    if (p.k === 2) {
      const v = values[p.i];
      return v === undefined || v instanceof Fragment ? null : v;
    }
    return null;
  }
  let s: string | null = null;
  for (const p of parts) {
    let v: FieldValue = null;
    if (p.k === 1) v = p.v;
    else if (p.k === 2) {
      const x = values[p.i];
      v = x === undefined || x instanceof Fragment ? null : x;
    }
    if (v !== null) s = (s ?? '') + textOf(v);
  }
  return s;
}

/** Renders nodes into a document. One instance per record (it carries the node budget). */
export class Renderer {
  budget: number;
  constructor(budget = MAX_RENDER_NODES) {
    this.budget = budget;
  }
  /** unnamed <Data> values collected per parent object */
  private dataLists: Map<Doc, FieldValue[]> | undefined;

  render(nodes: Node[], values: Value[], target: Doc, depth = 0): void {
    if (depth > MAX_DEPTH * 2) throw new BinXmlError('rendering nested too deeply');
    for (const n of nodes) {
      if (n.k === 0) this.element(n, values, target, depth + 1);
      else if (n.k === 3) this.render(n.tpl.nodes, n.values, target, depth + 1);
      else if (n.k === 2) {
        const v = values[n.i];
        if (v instanceof Fragment) this.render(v.nodes, [], target, depth + 1);
      }
    }
  }

  private element(el: ElementNode, values: Value[], parent: Doc, depth: number): void {
    if (--this.budget < 0) throw new BinXmlError('record renders too many nodes (template amplification)');
    const isData = el.name === 'Data';
    let attrs: Doc | null = null;
    let dataName: string | undefined;
    const al = el.attrs;
    if (isData) {
      // <Data>: only its Name attribute matters (the others are not rendered)
      for (let i = 0; i < al.length; i++) {
        const a = al[i]!;
        if (a.name !== 'Name') continue;
        const v = attrValue(a.parts, values);
        if (v !== null) dataName = textOf(v);
      }
    } else {
      for (let i = 0; i < al.length; i++) {
        const a = al[i]!;
        const v = attrValue(a.parts, values);
        if (v === null) continue;
        if (!attrs) attrs = {};
        setKey(attrs, a.name, v);
      }
    }
    const withAttrs = !isData && attrs !== null;
    let obj: Doc | null = null;
    let text: FieldValue | undefined;
    for (const c of el.children) {
      switch (c.k) {
        case 0:
          if (!obj) obj = withAttrs ? { '#attributes': attrs! } : {};
          this.element(c, values, obj, depth + 1);
          break;
        case 1:
          if (c.v !== null) text = text === undefined ? c.v : textOf(text) + textOf(c.v);
          break;
        case 2: {
          const v = values[c.i];
          if (v === undefined || v === null) break;
          if (v instanceof Fragment) {
            if (!obj) obj = withAttrs ? { '#attributes': attrs! } : {};
            this.render(v.nodes, [], obj, depth + 1);
          } else text = text === undefined ? v : textOf(text) + textOf(v);
          break;
        }
        case 3:
          if (!obj) obj = withAttrs ? { '#attributes': attrs! } : {};
          this.render(c.tpl.nodes, c.values, obj, depth + 1);
          break;
      }
    }
    // evtx_dump trims surrounding whitespace from element text; rules written against its output expect that
    if (typeof text === 'string') text = trimText(text);
    if (isData) {
      if (dataName !== undefined) {
        let v: FieldValue = obj ?? (text !== undefined ? text : null);
        if (obj && text !== undefined) obj['#text'] = text;
        insert(parent, dataName, v);
        return;
      }
      if (text === undefined) return;
      const lists = (this.dataLists ??= new Map());
      const list = lists.get(parent);
      if (!list) {
        lists.set(parent, [text]);
        insert(parent, 'Data', { '#text': text });
      } else {
        list.push(text);
        const cur = parent.Data;
        if (isObj(cur)) cur['#text'] = list;
        else insert(parent, 'Data', { '#text': list });
      }
      return;
    }
    let value: FieldValue;
    if (obj) {
      if (text !== undefined) obj['#text'] = text;
      value = obj;
    } else if (withAttrs) {
      value = text !== undefined ? { '#attributes': attrs!, '#text': text } : { '#attributes': attrs! };
    } else value = text !== undefined ? text : null;
    insert(parent, el.name, value);
  }
}

/** Render a record's parsed nodes, charging the chunk's node budget (throws BinXmlError when it runs out). */
export function renderParsed(parser: ChunkParser, nodes: Node[]): Doc {
  const doc: Doc = {};
  const budget = Math.min(MAX_RENDER_NODES, parser.renderBudget);
  const r = new Renderer(budget);
  try {
    r.render(nodes, [], doc);
  } finally {
    parser.renderBudget -= budget - Math.max(r.budget, 0);
  }
  return doc;
}

/**
 * Render nodes already checked by the direct field walk (fields.ts): it counted the elements and charged the chunk's
 * budget when the record was read, so the (lazy, later) rendering here cannot exceed MAX_RENDER_NODES.
 */
export function renderNodes(nodes: Node[]): Doc {
  const doc: Doc = {};
  new Renderer(MAX_RENDER_NODES).render(nodes, [], doc);
  return doc;
}
