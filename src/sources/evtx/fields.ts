/**
 * Sigma fields of an EVTX record straight from its parsed Binary XML (template instances + substitution values),
 * without rendering the `evtx_dump`-shaped document first. The result is exactly what
 * `windowsEvent(renderParsed(…))` gives (same keys in the same order, same values and types, same time…): this walk
 * follows the renderer's rules (text joining and trimming, attributes, `<Data Name>`) and windowsEvent's (which System
 * children and attributes become fields, EventData names, UserData leaves, System names winning over data names).
 *
 * Only the common, well-formed layouts are handled here: Event > System / EventData > Data[Name] (or plain leaf
 * elements) / UserData > … > leaves. Anything unusual (unnamed or duplicate names, elements or BinXml fragments
 * inside a Data or a System value, text between elements, names that JavaScript would reorder, `<Data>` outside
 * EventData, very deep nesting, records over the node budget…) returns undefined and the caller renders the
 * document and calls windowsEvent as before: correctness first, speed for the common case.
 *
 * The walk also counts the elements the renderer will render for this record, so the chunk's node budget is
 * charged the same, and the document can be rendered later, on first access (`doc` is lazy), within the per-record
 * budget. Nodes hold decoded values (strings, numbers), never the chunk buffer, which is reused for the next chunk.
 */
import type { Doc, EventOrigin, FieldValue, PendingFields, VigieEvent } from '../../event.js';
import { fastFields, findPending, parseTime } from '../../event.js';
import { put, SYSTEM_ATTRIBUTES, SYSTEM_FIELDS } from '../windows.js';
import { attrValue, Fragment, MAX_DEPTH, NC, textOf, trimText, type ElementNode, type Node, type Value } from './binxml.js';

/** Two decimal digits at i, or -1. */
function d2(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * `parseTime(s)` for the exact text the EVTX decoder writes for FILETIME / SYSTEMTIME values
 * ("YYYY-MM-DDTHH:MM:SS.ffffffZ", every field in its normal range) without Date.parse; anything else goes to
 * parseTime. Same result: Date.parse truncates the microseconds and rolls day overflow (Feb 30) the way Date.UTC does.
 */
export function evtxTime(s: string): number | undefined {
  if (
    s.length === 27 && s.charCodeAt(4) === 45 && s.charCodeAt(7) === 45 && s.charCodeAt(10) === 84 && s.charCodeAt(13) === 58 &&
    s.charCodeAt(16) === 58 && s.charCodeAt(19) === 46 && s.charCodeAt(26) === 90
  ) {
    const yh = d2(s, 0);
    const yl = d2(s, 2);
    const mo = d2(s, 5);
    const d = d2(s, 8);
    const h = d2(s, 11);
    const mi = d2(s, 14);
    const sec = d2(s, 17);
    const f1 = d2(s, 20);
    const f2 = s.charCodeAt(22) - 48;
    const f3 = d2(s, 23);
    const f4 = s.charCodeAt(25) - 48;
    if (
      yh >= 1 && yl >= 0 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h >= 0 && h <= 23 && mi >= 0 && mi <= 59 &&
      sec >= 0 && sec <= 59 && f1 >= 0 && f2 >= 0 && f2 <= 9 && f3 >= 0 && f4 >= 0 && f4 <= 9
    ) {
      // days from the civil date (Date.UTC's MakeDay: a day past the month's end rolls over linearly)
      const y = yh * 100 + yl - (mo <= 2 ? 1 : 0);
      const era = Math.floor(y / 400);
      const yoe = y - era * 400;
      const doy = Math.floor((153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5) + d - 1;
      const days = era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
      return days * 86400000 + h * 3600000 + mi * 60000 + sec * 1000 + f1 * 10 + f2;
    }
  }
  return parseTime(s);
}

/**
 * The names of a record's fields, in order: System fields (set in order, each once) then EventData and UserData
 * names (set through `put`, as windowsEvent does). Records of one template mostly have the same names: they share
 * one Layout, and its answers to getField's lookups.
 */
export class Layout {
  /** name → findPending(keys, name) (bounded: rules ask for a few hundred names) */
  private found = new Map<string, number>();
  constructor(
    readonly keys: string[],
    /** keys[0 .. sys) are System fields */
    readonly sys: number,
  ) {}

  find(name: string): number {
    let at = this.found.get(name);
    if (at === undefined) {
      if (this.found.size >= 1024) this.found.clear();
      this.found.set(name, (at = findPending(this.keys, name)));
    }
    return at;
  }
}

/** Layouts of recent records, most recent first: a chunk's records come from a handful of templates */
const recent: Layout[] = [];
const MAX_RECENT = 16;

/** The layout with these names (a recent one when they are the same). */
function layoutOf(keys: string[], sys: number): Layout {
  for (let j = 0; j < recent.length; j++) {
    const l = recent[j]!;
    const lk = l.keys;
    if (lk.length !== keys.length || l.sys !== sys) continue;
    let i = 0;
    while (i < keys.length && lk[i] === keys[i]) i++;
    if (i < keys.length) continue;
    if (j > 0) {
      recent.copyWithin(1, 0, j);
      recent[0] = l;
    }
    return l;
  }
  const l = new Layout(keys, sys);
  if (recent.length < MAX_RECENT) recent.push(l);
  recent.copyWithin(1, 0, recent.length - 1);
  recent[0] = l;
  return l;
}

/** The fields of a record as the walk found them (see Layout); `fields` is built from them on first access. */
export class FieldList implements PendingFields {
  readonly keys: string[];
  constructor(
    readonly layout: Layout,
    readonly values: FieldValue[],
  ) {
    this.keys = layout.keys;
  }

  find(name: string): number {
    return this.layout.find(name);
  }

  /** The fields object windowsEvent would give, in V8's fast mode (see fastFields). */
  build(): Doc {
    const { keys, values } = this;
    const sys = this.layout.sys;
    const f: Doc = {};
    for (let i = 0; i < sys; i++) f[keys[i]!] = values[i]!;
    for (let i = sys; i < keys.length; i++) put(f, keys[i]!, values[i]!);
    return fastFields(f);
  }
}

/** Fields and event header values of a record, and the elements its document has. */
export interface DirectFields {
  list: FieldList;
  time: number | undefined;
  computer: string | undefined;
  channel: string | undefined;
  provider: string | undefined;
  eventId: number | undefined;
  /** elements the renderer renders for this record (what the chunk's node budget was charged) */
  count: number;
}

/** Nesting the walk follows before giving up (the renderer refuses beyond MAX_DEPTH × 2). */
export const MAX_WALK_DEPTH = MAX_DEPTH;
/** Template instances and fragments visited per record before giving up (amplification without elements). */
export const MAX_WALK_STEPS = 200_000;

const EMPTY: Value[] = [];
/** leafText result for an element that has element, template or fragment children (not a leaf) */
const COMPLEX = {} as { [k: string]: FieldValue };

class Fallback {}
const FALLBACK = new Fallback();
/** Leave this record to the rendering path; `why` says, at each call, which layout the walk does not handle. */
function fallback(why: string): never {
  void why;
  throw FALLBACK;
}

let count = 0;
let limit = 0;
let steps = 0;
/**
 * Set by the walk when what it gives depends on a value's content, not only on its kind (an EventID given as text,
 * a name taken from a value, unnamed <Data> lists): such records are never replayed from a plan (see Plan).
 */
let volatile = false;
/** Was the last walk `volatile`? */
export function lastWalkVolatile(): boolean {
  return volatile;
}

/** One element more in the rendered document (the renderer's budget unit). */
function bump(): void {
  if (++count > limit) fallback('node budget');
}

/** Elements under an element, in document order, with the substitution values they are rendered with. */
interface Kids {
  els: ElementNode[];
  /** how many of `els` (and `vals`) are this element's: the arrays are reused, never truncated (setting an array's
   * length is a runtime call in V8, and a walk did a dozen per record) */
  n: number;
  /** values of each element; null when every element is a direct child (then they all use `same`) */
  vals: Value[][] | null;
  same: Value[];
  /** the element has text (its value would carry "#text") */
  text: boolean;
  /** the renderer makes an object for the element (element, template or fragment children) */
  obj: boolean;
}

/** Renderer.render: elements of a node list, through template instances and BinXml fragments; text is dropped. */
function level(nodes: Node[], values: Value[], out: Kids, depth: number): void {
  if (depth > MAX_WALK_DEPTH || ++steps > MAX_WALK_STEPS) fallback('nesting or steps');
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    if (n.k === 0) {
      out.els[out.n] = n;
      out.vals![out.n++] = values;
    } else if (n.k === 3) level(n.tpl.nodes, n.values, out, depth + 1);
    else if (n.k === 2) {
      const v = values[n.i];
      if (v instanceof Fragment) level(v.nodes, EMPTY, out, depth + 1);
    }
  }
}

function newKids(): Kids {
  return { els: [], vals: [], n: 0, same: EMPTY, text: false, obj: false };
}

/** The children of an element as Renderer.element sees them. */
function kids(children: Node[], values: Value[], depth: number): Kids {
  return kidsInto(newKids(), children, values, depth);
}

/** Reused lists for the one Event, System, EventData and UserData of the record being read (no allocation per record). */
const K_TOP = newKids();
const K_EVENT = newKids();
const K_SYSTEM = newKids();
const K_DATA = newKids();
const K_USER = newKids();

function reset(k: Kids): Kids {
  if (k.vals === null) {
    // els was a template's own children list: replaced, never truncated
    k.els = [];
    k.vals = [];
  }
  k.n = 0;
  k.text = false;
  k.obj = false;
  return k;
}

/** The elements of a container: its own children list when they all are elements (no copy), else kidsInto. */
function elems(out: Kids, children: Node[], values: Value[], depth: number): Kids {
  for (let i = 0; i < children.length; i++) if (children[i]!.k !== 0) return kidsInto(reset(out), children, values, depth);
  out.els = children as ElementNode[];
  out.n = children.length;
  out.vals = null;
  out.same = values;
  out.text = false;
  out.obj = children.length > 0;
  return out;
}

function kidsInto(out: Kids, children: Node[], values: Value[], depth: number): Kids {
  for (let i = 0; i < children.length; i++) {
    const c = children[i]!;
    switch (c.k) {
      case 0:
        out.obj = true;
        out.els[out.n] = c;
        out.vals![out.n++] = values;
        break;
      case 1:
        if (c.v !== null) out.text = true;
        break;
      case 2: {
        const v = values[c.i];
        if (v === undefined || v === null) break;
        if (v instanceof Fragment) {
          out.obj = true;
          level(v.nodes, EMPTY, out, depth + 1);
        } else out.text = true;
        break;
      }
      case 3:
        out.obj = true;
        level(c.tpl.nodes, c.values, out, depth + 1);
        break;
    }
  }
  return out;
}

/** Count the elements the renderer renders under a node list (subtrees windowsEvent does not read). */
function countNodes(nodes: Node[], values: Value[], depth: number): void {
  if (depth > MAX_WALK_DEPTH || ++steps > MAX_WALK_STEPS) fallback('nesting or steps');
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    if (n.k === 0) {
      bump();
      countNodes(n.children, values, depth + 1);
    } else if (n.k === 3) countNodes(n.tpl.nodes, n.values, depth + 1);
    else if (n.k === 2) {
      const v = values[n.i];
      if (v instanceof Fragment) countNodes(v.nodes, EMPTY, depth + 1);
    }
  }
}

/** The text of a leaf element as the renderer gives it (parts joined, strings trimmed); COMPLEX when not a leaf. */
function leafText(children: Node[], values: Value[]): FieldValue | undefined {
  let text: FieldValue | undefined;
  for (let i = 0; i < children.length; i++) {
    const c = children[i]!;
    if (c.k === 1) {
      if (c.v !== null) text = text === undefined ? c.v : textOf(text) + textOf(c.v);
    } else if (c.k === 2) {
      const v = values[c.i];
      if (v === undefined || v === null) continue;
      if (v instanceof Fragment) return COMPLEX;
      text = text === undefined ? v : textOf(text) + textOf(v);
    } else return COMPLEX;
  }
  return typeof text === 'string' ? trimText(text) : text;
}

/** Leaf text of an element, falling back when it is not a leaf. */
function leaf(el: ElementNode, values: Value[]): FieldValue | undefined {
  const t = leafText(el.children, values);
  if (t === COMPLEX) fallback('not a leaf');
  return t;
}

/** The value of the last non-null attribute of that name (as the `#attributes` object keeps it). */
function attrLast(el: ElementNode, values: Value[], code: number): FieldValue | undefined {
  let r: FieldValue | undefined;
  const al = el.attrs;
  for (let i = 0; i < al.length; i++) {
    const a = al[i]!;
    if (a.c !== code) continue;
    const v = attrValue(a.parts, values);
    if (v !== null) r = v;
  }
  return r;
}

/** The element gets an `#attributes` object (one attribute at least is not null). */
function hasAttrs(el: ElementNode, values: Value[]): boolean {
  const al = el.attrs;
  for (let i = 0; i < al.length; i++) if (attrValue(al[i]!.parts, values) !== null) return true;
  return false;
}

/**
 * Names the direct walk leaves to the renderer: ones JavaScript enumerates out of insertion order (array indexes:
 * tested by a leading digit), the renderer's and windowsEvent's special keys, and "__proto__".
 */
function badKey(k: string): boolean {
  const c = k.charCodeAt(0);
  if (c >= 48 && c <= 57) return true;
  if (c === 35) return k === '#attributes' || k === '#text';
  if (c === 68) return k === 'Data';
  if (c === 95) return k === '__proto__';
  return false;
}

/** Keys and values collected from EventData / UserData, in windowsEvent's order. */
const keys: string[] = [];
const vals: FieldValue[] = [];
/** entries in keys/vals (and spaces) for the record being walked */
let nk = 0;
/** EventData names with a space (windowsEvent also sets them without spaces) */
const spaces: boolean[] = [];

/** Add a key unless it repeats one of the same object (keys[from…]): a repeat falls back. */
function addKey(from: number, k: string, v: FieldValue): void {
  if (badKey(k)) fallback('special name');
  const n = nk - from;
  if (n < 32) {
    for (let i = from; i < nk; i++) if (keys[i] === k) fallback('repeated name');
  } else if (new Set(keys.slice(from, nk)).has(k)) fallback('repeated name'); // rare: a record with many names
  pushKey(k, v);
}

/** keys[nk], vals[nk] = k, v (the arrays are reused: entries from nk on are stale) */
function pushKey(k: string, v: FieldValue): void {
  keys[nk] = k;
  vals[nk++] = v;
}

/** UserData below its element: leaves become fields (flattenUserData), nested elements are walked. */
function flatten(k: Kids, depth: number, wdepth: number): void {
  if (depth > 16) fallback('UserData too deep');
  const from = nk;
  const seen: string[] = [];
  for (let i = 0; i < k.n; i++) {
    const el = k.els[i]!;
    const v = k.vals === null ? k.same : k.vals[i]!;
    bump();
    const name = el.name;
    if (badKey(name) || seen.includes(name)) fallback('UserData name');
    seen.push(name);
    const t = leafText(el.children, v);
    if (t === COMPLEX) {
      const sub = kids(el.children, v, wdepth + 1);
      if (sub.text) fallback('text beside elements in UserData');
      flatten(sub, depth + 1, wdepth + 1);
    } else if (t !== undefined) addKey(from, name, t);
    else if (!hasAttrs(el, v)) addKey(from, name, null);
  }
}

/** NC code → position in SYSTEM_FIELDS (System children whose text is the field of that name), -1 for others */
const SYS_LEAF = new Int8Array(32).fill(-1);
SYSTEM_FIELDS.forEach((n, i) => {
  SYS_LEAF[NC[n]] = i;
});
/** the values of those children for the record being walked (reused) */
const leafVals: (FieldValue | undefined)[] = SYSTEM_FIELDS.map(() => undefined);

/** the System children holding SYSTEM_ATTRIBUTES fields (Provider, Execution…), and per NC code its number or -1 */
const HOLDERS = [...new Set(SYSTEM_ATTRIBUTES.map(([holder]) => holder))];
const HOLDER_OF = new Int8Array(32).fill(-1);
HOLDERS.forEach((h, i) => {
  HOLDER_OF[NC[h]] = i;
});
/** per holder: its attributes as [NC code, position in SYSTEM_ATTRIBUTES] */
const HOLDER_ATTRS: [number, number][][] = HOLDERS.map((h) => SYSTEM_ATTRIBUTES.flatMap(([holder, name], i): [number, number][] => (holder === h ? [[NC[name], i]] : [])));
/** the values of the SYSTEM_ATTRIBUTES fields for the record being walked (reused) */
const attrVals: (FieldValue | undefined)[] = SYSTEM_ATTRIBUTES.map(() => undefined);

/** "seen" bits of the System children: EventID, the SYSTEM_FIELDS leaves (from bit 1), the holders, TimeCreated */
const S_EVENTID = 1 << 0;
const S_LEAF0 = 1 << 1;
const S_HOLDER0 = 1 << (1 + SYSTEM_FIELDS.length);
const S_TIME = S_HOLDER0 << HOLDERS.length;

/** Mark a System child as seen; a repeated one falls back (the renderer keeps the last, renamed). */
function once(seen: number, bit: number): number {
  if (seen & bit) fallback('repeated System child');
  return seen | bit;
}

/**
 * The text of fields.Channel / Computer / Provider_Name: the first value of that name (System fields come first
 * and win over data names; `put` keeps the first of those), when it is text.
 */
function firstText(fk: string[], fv: FieldValue[], k: string): string | undefined {
  const i = fk.indexOf(k);
  const v = i < 0 ? undefined : fv[i];
  return typeof v === 'string' ? v : undefined;
}

function walk(nodes: Node[]): DirectFields {
  const top = reset(K_TOP);
  level(nodes, EMPTY, top, 0);
  if (top.n !== 1) fallback('not one root element');
  const event = top.els[0]!;
  if (event.c !== NC.Event) fallback('root is not Event');
  bump();
  const ek = elems(K_EVENT, event.children, top.vals![0]!, 1);
  if (!ek.obj) fallback('Event has no elements');
  let sys: ElementNode | undefined;
  let sysV: Value[] = EMPTY;
  let ed: ElementNode | undefined;
  let edV: Value[] = EMPTY;
  let ud: ElementNode | undefined;
  let udV: Value[] = EMPTY;
  for (let i = 0; i < ek.n; i++) {
    const el = ek.els[i]!;
    const v = ek.vals === null ? ek.same : ek.vals[i]!;
    switch (el.c) {
      case NC.System:
        if (sys) fallback('two System');
        sys = el;
        sysV = v;
        break;
      case NC.EventData:
        if (ed) fallback('two EventData');
        ed = el;
        edV = v;
        break;
      case NC.UserData:
        if (ud) fallback('two UserData');
        ud = el;
        udV = v;
        break;
      case NC.Data:
        fallback('Data in Event');
        break;
      default:
        bump();
        countNodes(el.children, v, 3);
    }
  }
  if (!sys) fallback('no System');

  // System
  bump();
  const sk = elems(K_SYSTEM, sys.children, sysV, 2);
  if (!sk.obj) fallback('System has no elements');
  let seen = 0;
  let eid: FieldValue | undefined;
  let qual: FieldValue | undefined;
  for (let i = 0; i < leafVals.length; i++) leafVals[i] = undefined;
  for (let i = 0; i < attrVals.length; i++) attrVals[i] = undefined;
  let tc: FieldValue | undefined;
  for (let i = 0; i < sk.n; i++) {
    const el = sk.els[i]!;
    const v = sk.vals === null ? sk.same : sk.vals[i]!;
    bump();
    switch (el.c) {
      case NC.EventID:
        seen = once(seen, S_EVENTID);
        eid = leaf(el, v);
        qual = attrLast(el, v, NC.Qualifiers);
        break;
      case NC.TimeCreated:
        seen = once(seen, S_TIME);
        leaf(el, v);
        tc = attrLast(el, v, NC.SystemTime);
        break;
      case NC.Data:
        fallback('Data in System');
        break;
      default: {
        const h = el.c < HOLDER_OF.length ? HOLDER_OF[el.c]! : -1;
        if (h >= 0) {
          seen = once(seen, S_HOLDER0 << h);
          leaf(el, v);
          const at = HOLDER_ATTRS[h]!;
          for (let j = 0; j < at.length; j++) attrVals[at[j]![1]] = attrLast(el, v, at[j]![0]);
          break;
        }
        const p = el.c < SYS_LEAF.length ? SYS_LEAF[el.c]! : -1;
        if (p >= 0) {
          seen = once(seen, S_LEAF0 << p);
          leafVals[p] = leaf(el, v);
        } else countNodes(el.children, v, 4);
      }
    }
  }

  // EventData: <Data Name="X"> (and plain leaf elements such as <Binary>) → X
  nk = 0;
  let unnamed: FieldValue[] | undefined;
  let unnamedAt = -1;
  if (ed) {
    bump();
    const k = elems(K_DATA, ed.children, edV, 2);
    if (k.text) fallback('text in EventData');
    // names checked once per template element: when every element is a direct child and every Name is literal
    // text, the names are the same for every record of the template
    const checked = ed.ok === 1;
    let literal = !checked;
    for (let i = 0; literal && i < ed.children.length; i++) if (ed.children[i]!.k !== 0) literal = false;
    for (let i = 0; i < k.n; i++) {
      const el = k.els[i]!;
      const v = k.vals === null ? k.same : k.vals[i]!;
      bump();
      let key: string | undefined;
      // a name fixed by the template: whether it has a space is kept on the element (1 no, 2 yes)
      let fixed = true;
      if (el.c === NC.Data) {
        const al = el.attrs;
        for (let j = 0; j < al.length; j++) {
          const a = al[j]!;
          if (a.c !== NC.Name) continue;
          if (a.parts.length !== 1 || a.parts[0]!.k !== 1) {
            fixed = literal = false;
            volatile = true; // a name that may come from a value
          }
          const n = attrValue(a.parts, v);
          if (n !== null) key = textOf(n);
        }
        if (key === undefined) {
          // unnamed <Data> (classic event sources): the texts, in order, become `Data` where the first one stands
          const t = leaf(el, v);
          if (t === undefined) continue;
          if (unnamed === undefined) {
            volatile = true;
            unnamed = [t];
            unnamedAt = nk;
            spaces[nk] = false;
            pushKey('Data', unnamed);
          } else unnamed.push(t);
          continue;
        }
      } else {
        if (hasAttrs(el, v)) fallback('attributes on an EventData leaf');
        key = el.name;
      }
      const t = leaf(el, v);
      let space = el.sp;
      if (space === 0) {
        space = key.includes(' ') ? 2 : 1;
        if (fixed) el.sp = space;
      }
      spaces[nk] = space === 2;
      if (checked) pushKey(key, t === undefined ? null : t);
      else addKey(0, key, t === undefined ? null : t);
    }
    if (literal) ed.ok = 1;
  }
  const edCount = nk;
  // UserData: the leaves below its child
  if (ud) {
    bump();
    const k = kidsInto(reset(K_USER), ud.children, udV, 2);
    if (k.text) fallback('text in UserData');
    if (k.obj) flatten(k, 0, 3);
  }

  // the fields, in windowsEvent's order
  const fk: string[] = [];
  const fv: FieldValue[] = [];
  if (typeof eid === 'string') volatile = true;
  const eventId = typeof eid === 'number' ? eid : typeof eid === 'string' && /^\d+$/.test(eid) ? Number(eid) : undefined;
  if (eventId !== undefined) {
    fk.push('EventID');
    fv.push(eventId);
  }
  if (qual !== undefined) {
    fk.push('Qualifiers');
    fv.push(qual);
  }
  for (let p = 0; p < SYSTEM_FIELDS.length; p++) {
    const x = leafVals[p];
    if (x !== undefined) {
      fk.push(SYSTEM_FIELDS[p]!);
      fv.push(x);
    }
  }
  for (let i = 0; i < SYSTEM_ATTRIBUTES.length; i++) {
    const x = attrVals[i];
    if (x !== undefined) {
      fk.push(SYSTEM_ATTRIBUTES[i]![2]);
      fv.push(x);
    }
  }
  if (typeof tc === 'string') {
    fk.push('TimeCreated');
    fv.push(tc);
  }
  const nSys = fk.length;
  for (let i = 0; i < edCount; i++) {
    const k = keys[i]!;
    const v = vals[i]!;
    if (i === unnamedAt) {
      // windowsEvent: one text is unwrapped (an array value becomes the list), several are the list
      const texts = v as FieldValue[];
      const list = texts.length === 1 && Array.isArray(texts[0]) ? texts[0].slice() : texts;
      fk.push('Data', 'DataText');
      fv.push(list, list.filter((x) => x !== null).map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join('\n'));
      continue;
    }
    fk.push(k);
    fv.push(v);
    if (spaces[i]) {
      fk.push(k.replace(/ /g, ''));
      fv.push(v);
    }
  }
  for (let i = edCount; i < nk; i++) {
    fk.push(keys[i]!);
    fv.push(vals[i]!);
  }
  nk = 0;

  return {
    list: new FieldList(layoutOf(fk, nSys), fv),
    time: typeof tc === 'string' ? evtxTime(tc) : undefined,
    computer: firstText(fk, fv, 'Computer'),
    channel: firstText(fk, fv, 'Channel'),
    provider: firstText(fk, fv, 'Provider_Name'),
    eventId,
    count,
  };
}

/**
 * The walk of one record (budget: elements it may render); undefined when the renderer must do it. Records of a
 * template are mostly replayed from a plan instead (plans.ts, `directFields`).
 */
export function walkFields(nodes: Node[], budget: number): DirectFields | undefined {
  count = 0;
  limit = budget;
  steps = 0;
  volatile = false;
  try {
    return walk(nodes);
  } catch {
    // FALLBACK, or anything unexpected: the rendering path decides (and reports damage)
    nk = 0;
    return undefined;
  }
}

/** The `fields` and `doc` accessors of every EvtxEvent (shared functions, so all events share their hidden class). */
let fieldsAccessor: PropertyDescriptor;
let docAccessor: PropertyDescriptor;

/**
 * The VigieEvent of a record read directly. `fields` is built from the walk's list on first access, `doc` rendered
 * on first access: own, enumerable accessor properties (defined per instance with shared functions), so spreads,
 * JSON and structured clones of the event still carry both; either can be replaced by assignment. Until `fields`
 * is built, `pendingFields` lists them (the prefilter scans that: most events are never matched). (An object
 * literal with a getter costs several µs per event in V8.)
 */
class EvtxEvent implements VigieEvent {
  origin: EventOrigin;
  time: number | undefined;
  computer: string | undefined;
  channel: string | undefined;
  provider: string | undefined;
  eventId: number | undefined;
  logsource: { product: string };
  declare fields: Doc;
  declare doc?: Doc;
  #list: FieldList | undefined;
  #fields: Doc | undefined;
  #source: { readonly doc: Doc } | undefined;
  #doc: Doc | undefined;
  static {
    fieldsAccessor = {
      get(this: EvtxEvent): Doc {
        let f = this.#fields;
        if (f === undefined) {
          f = this.#fields = this.#list!.build();
          this.#list = undefined;
        }
        return f;
      },
      set(this: EvtxEvent, v: Doc) {
        this.#fields = v;
        this.#list = undefined;
      },
      enumerable: true,
      configurable: true,
    };
    docAccessor = {
      get(this: EvtxEvent): Doc | undefined {
        let d = this.#doc;
        if (d === undefined && this.#source) {
          d = this.#doc = this.#source.doc;
          this.#source = undefined;
        }
        return d;
      },
      set(this: EvtxEvent, v: Doc | undefined) {
        this.#doc = v;
        this.#source = undefined;
      },
      enumerable: true,
      configurable: true,
    };
  }
  constructor(d: DirectFields, origin: EventOrigin, source: { readonly doc: Doc }) {
    this.origin = origin;
    this.time = d.time;
    this.computer = d.computer;
    this.channel = d.channel;
    this.provider = d.provider;
    this.eventId = d.eventId;
    this.logsource = { product: 'windows' };
    this.#list = d.list;
    this.#source = source;
    // (two defineProperty calls: defineProperties with both cost three times as much, 2.3 µs against 0.8 µs)
    Object.defineProperty(this, 'fields', fieldsAccessor);
    Object.defineProperty(this, 'doc', docAccessor);
  }
  get pendingFields(): PendingFields | undefined {
    return this.#list;
  }
}

/** The VigieEvent of a record read directly (`fields` built and `doc` rendered from `source` on first access). */
export function lazyEvent(d: DirectFields, origin: EventOrigin, source: { readonly doc: Doc }): VigieEvent {
  return new EvtxEvent(d, origin, source);
}
