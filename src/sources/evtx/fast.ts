/**
 * Fast path from a parsed EVTX record straight to the flat Sigma fields, without building the `evtx_dump`-shaped
 * document first: the fields are exactly what `windowsEvent(renderedDoc)` gives, and the document itself is rendered
 * only when someone asks for it (`vigie dump`, a rule with a full dotted path, an output with the document).
 *
 * Each template gets a plan once (per chunk): where <System>'s children are, which substitutions are BinXml values
 * (the <EventData> of most events is one: a template instance of its own), how many elements a record renders (the
 * node budget the renderer charges). A record then only reads its substitution values through the plan.
 *
 * It covers the common shape: <Event> with <System> and <EventData> holding <Data Name="…">value</Data> (or
 * unnamed <Data>), with at most one level of BinXml value. Anything else (UserData, deeper nesting, repeated names,
 * names that would change key order or meaning, text beside elements) returns undefined and the caller renders the
 * document and derives the fields from it, so both paths always agree.
 */
import type { Doc, FieldValue } from '../../event.js';
import { Fragment, type ElementNode, type Node, type Template, type Value } from './binxml.js';

const hasOwn = Object.prototype.hasOwnProperty;

function textOf(v: FieldValue): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map((x) => textOf(x)).join(',');
  if (v === null) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Thrown (and caught below) when the record leaves the fast path. */
const BAIL = { bail: true };

/** An element's text as the renderer computes it (concatenated, trimmed); bails on child elements and fragments. */
function leafText(el: ElementNode, values: Value[]): FieldValue | undefined {
  let text: FieldValue | undefined;
  const ch = el.children;
  for (let i = 0; i < ch.length; i++) {
    const c = ch[i]!;
    if (c.k === 1) {
      if (c.v !== null) text = text === undefined ? c.v : textOf(text) + textOf(c.v);
    } else if (c.k === 2) {
      const v = values[c.i];
      if (v === undefined || v === null) continue;
      if (v instanceof Fragment) throw BAIL;
      text = text === undefined ? v : textOf(text) + textOf(v);
    } else throw BAIL;
  }
  return typeof text === 'string' ? text.trim() : text;
}

/** An attribute's value as the renderer computes it (null when absent). */
function attrValue(parts: Node[], values: Value[]): FieldValue {
  if (parts.length === 1) {
    const p = parts[0]!;
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

/** Last non-null value of attribute `name` (undefined when none), as the rendered `#attributes` object holds it. */
function attrOf(el: ElementNode, name: string, values: Value[]): FieldValue | undefined {
  let out: FieldValue | undefined;
  const attrs = el.attrs;
  for (let i = 0; i < attrs.length; i++) {
    const a = attrs[i]!;
    if (a.name !== name) continue;
    const v = attrValue(a.parts, values);
    if (v !== null) out = v;
  }
  return out;
}

function hasAttrs(el: ElementNode, values: Value[]): boolean {
  const attrs = el.attrs;
  for (let i = 0; i < attrs.length; i++) if (attrValue(attrs[i]!.parts, values) !== null) return true;
  return false;
}

function put(fields: Doc, k: string, v: FieldValue): void {
  if ((k === 'EventID' || k === 'Channel' || k === 'Computer' || k === 'Provider_Name') && hasOwn.call(fields, k)) return;
  fields[k] = v;
}

/** EventData names the fast path keeps: plain names whose document key and field key behave the same. */
function plainName(k: string): boolean {
  if (k.length === 0 || k === 'Data' || k === 'DataText' || k === '__proto__') return false;
  const c = k.charCodeAt(0);
  return c !== 35 /* # */ && !(c >= 48 && c <= 57); // integer-like keys are ordered first by objects
}

// System children the fields come from (slot per name: a repeated one leaves the fast path)
const SYS_SLOT: Record<string, number> = {
  EventID: 0, Version: 1, Level: 2, Task: 3, Opcode: 4, Keywords: 5, EventRecordID: 6, Channel: 7, Computer: 8,
  Provider: 9, Execution: 10, Security: 11, Correlation: 12, TimeCreated: 13,
};
const SYS_SLOTS = 14;

/** Plan of a template used as a record's template. */
export interface TopPlan {
  /** elements the template renders by itself */
  elements: number;
  /** substitutions in element content, one entry per occurrence (a BinXml value there is rendered) */
  frags: number[];
  /** those directly inside <Event> (a BinXml value there adds children to Event: usually <EventData>) */
  eventFrags: number[];
  /** those directly inside <System> */
  sysFrags: number[];
  /** <System> children the fields come from, by slot */
  sys: (ElementNode | undefined)[];
  /** <EventData> written in the template itself */
  eventData: ElementNode | undefined;
}

/** Plan of a template used inside a BinXml value. */
export interface InnerPlan {
  elements: number;
  /** every substitution a BinXml value would be rendered from (none may be one: one level of nesting only) */
  frags: number[];
  /** its top-level elements */
  top: ElementNode[];
}

interface Scan {
  elements: number;
  frags: number[];
  flat: boolean;
}

function scanContent(children: Node[], acc: Scan): void {
  for (let i = 0; i < children.length; i++) {
    const c = children[i]!;
    if (c.k === 0) {
      acc.elements++;
      scanContent(c.children, acc);
    } else if (c.k === 2) acc.frags.push(c.i);
    else if (c.k === 3) acc.flat = false;
  }
}

function compileTop(t: Template): TopPlan | null {
  let event: ElementNode | undefined;
  for (const n of t.nodes) {
    if (n.k === 0) {
      if (event || n.name !== 'Event') return null;
      event = n;
    } else if (n.k !== 1) return null;
  }
  if (!event) return null;
  const acc: Scan = { elements: 0, frags: [], flat: true };
  scanContent(t.nodes, acc);
  if (!acc.flat) return null;
  let system: ElementNode | undefined;
  let eventData: ElementNode | undefined;
  const eventFrags: number[] = [];
  for (const c of event.children) {
    if (c.k === 0) {
      if (c.name === 'System') {
        if (system) return null;
        system = c;
      } else if (c.name === 'EventData') {
        if (eventData) return null;
        eventData = c;
      } else if (c.name === 'UserData' || c.name === 'Data') return null;
    } else if (c.k === 2) eventFrags.push(c.i);
  }
  if (!system) return null;
  const sys: (ElementNode | undefined)[] = new Array(SYS_SLOTS).fill(undefined);
  const sysFrags: number[] = [];
  let sysChild = false;
  for (const c of system.children) {
    if (c.k === 2) sysFrags.push(c.i);
    if (c.k !== 0) continue;
    sysChild = true;
    if (c.name === 'Data') return null;
    if (!hasOwn.call(SYS_SLOT, c.name)) continue;
    const slot = SYS_SLOT[c.name]!;
    if (sys[slot] !== undefined) return null;
    // a field's element with child elements renders as an object: leave those to the renderer
    for (const x of c.children) if (x.k === 0) return null;
    sys[slot] = c;
  }
  if (!sysChild) return null;
  return { elements: acc.elements, frags: acc.frags, eventFrags, sysFrags, sys, eventData };
}

function compileInner(t: Template): InnerPlan | null {
  const top: ElementNode[] = [];
  const acc: Scan = { elements: 0, frags: [], flat: true };
  for (const n of t.nodes) {
    if (n.k === 0) top.push(n);
    else if (n.k === 2) acc.frags.push(n.i);
    else if (n.k === 3) return null;
  }
  scanContent(t.nodes, acc);
  return acc.flat ? { elements: acc.elements, frags: acc.frags, top } : null;
}

/** The instance inside a BinXml value when it is one template instance whose plan is usable (no deeper values). */
function innerInstance(v: Fragment): { tpl: Template; values: Value[]; plan: InnerPlan } | undefined {
  const nodes = v.nodes;
  if (nodes.length !== 1) return undefined;
  const n = nodes[0]!;
  if (n.k !== 3) return undefined;
  let plan = n.tpl.inner;
  if (plan === undefined) plan = n.tpl.inner = compileInner(n.tpl);
  if (!plan) return undefined;
  const fr = plan.frags;
  for (let i = 0; i < fr.length; i++) if (n.values[fr[i]!] instanceof Fragment) return undefined;
  return { tpl: n.tpl, values: n.values, plan };
}

export interface FastEvent {
  fields: Doc;
  eventId: number | undefined;
  /** System/TimeCreated/@SystemTime when it is text */
  timeCreated: string | undefined;
  /** elements the full renderer would visit (charged to the chunk's node budget) */
  elements: number;
}

const seen = new Set<string>();

/**
 * Fields of a parsed record (its top-level nodes), or undefined when the record needs the full renderer.
 * `budget`: elements the record may still render; a larger record goes to the renderer (which reports it).
 */
export function fastFields(nodes: Node[], budget: number): FastEvent | undefined {
  if (nodes.length !== 1) return undefined;
  const inst = nodes[0]!;
  if (inst.k !== 3) return undefined;
  const tpl = inst.tpl;
  let plan = tpl.top;
  if (plan === undefined) plan = tpl.top = compileTop(tpl);
  if (!plan) return undefined;
  const values = inst.values;
  let elements = plan.elements;
  const frags = plan.frags;
  for (let i = 0; i < frags.length; i++) {
    const v = values[frags[i]!];
    if (v instanceof Fragment) {
      const inner = innerInstance(v);
      if (!inner) return undefined;
      elements += inner.plan.elements;
    }
  }
  if (elements > budget) return undefined;
  const sf = plan.sysFrags;
  for (let i = 0; i < sf.length; i++) if (values[sf[i]!] instanceof Fragment) return undefined;
  let ed = plan.eventData;
  let edValues = values;
  const ef = plan.eventFrags;
  for (let i = 0; i < ef.length; i++) {
    const v = values[ef[i]!];
    if (!(v instanceof Fragment)) continue;
    const inner = innerInstance(v)!;
    for (const el of inner.plan.top) {
      const name = el.name;
      if (name === 'EventData') {
        if (ed) return undefined;
        ed = el;
        edValues = inner.values;
      } else if (name === 'System' || name === 'UserData' || name === 'Data') return undefined;
    }
  }
  try {
    const fields: Doc = {};
    const r = systemFields(fields, plan.sys, values);
    if (ed) eventDataFields(fields, ed, edValues);
    return { fields, eventId: r.eventId, timeCreated: r.timeCreated, elements };
  } catch (e) {
    if (e === BAIL) return undefined;
    throw e;
  }
}

const sysOut: { eventId: number | undefined; timeCreated: string | undefined } = { eventId: undefined, timeCreated: undefined };

function systemFields(fields: Doc, s: (ElementNode | undefined)[], values: Value[]): typeof sysOut {
  let eventId: number | undefined;
  const eidEl = s[0];
  if (eidEl) {
    const eid = leafText(eidEl, values);
    eventId = typeof eid === 'number' ? eid : typeof eid === 'string' && /^\d+$/.test(eid) ? Number(eid) : undefined;
    if (eventId !== undefined) fields.EventID = eventId;
    const q = attrOf(eidEl, 'Qualifiers', values);
    if (q !== undefined) fields.Qualifiers = q;
  }
  sysText(fields, 'Version', s[1], values);
  sysText(fields, 'Level', s[2], values);
  sysText(fields, 'Task', s[3], values);
  sysText(fields, 'Opcode', s[4], values);
  sysText(fields, 'Keywords', s[5], values);
  sysText(fields, 'EventRecordID', s[6], values);
  sysText(fields, 'Channel', s[7], values);
  sysText(fields, 'Computer', s[8], values);
  const prov = s[9];
  if (prov) {
    checkLeaf(prov, values);
    const pn = attrOf(prov, 'Name', values);
    if (pn !== undefined) fields.Provider_Name = pn;
    const pg = attrOf(prov, 'Guid', values);
    if (pg !== undefined) fields.Provider_Guid = pg;
    const ps = attrOf(prov, 'EventSourceName', values);
    if (ps !== undefined) fields.Provider_EventSourceName = ps;
  }
  const exe = s[10];
  if (exe) {
    checkLeaf(exe, values);
    const pid = attrOf(exe, 'ProcessID', values);
    if (pid !== undefined) fields.ProcessID = pid;
    const tid = attrOf(exe, 'ThreadID', values);
    if (tid !== undefined) fields.ThreadID = tid;
  }
  const sec = s[11];
  if (sec) {
    checkLeaf(sec, values);
    const uid = attrOf(sec, 'UserID', values);
    if (uid !== undefined) fields.UserID = uid;
  }
  const cor = s[12];
  if (cor) {
    checkLeaf(cor, values);
    const act = attrOf(cor, 'ActivityID', values);
    if (act !== undefined) fields.ActivityID = act;
  }
  let timeCreated: string | undefined;
  const tcEl = s[13];
  if (tcEl) {
    checkLeaf(tcEl, values);
    const tc = attrOf(tcEl, 'SystemTime', values);
    if (typeof tc === 'string') fields.TimeCreated = timeCreated = tc;
  }
  sysOut.eventId = eventId;
  sysOut.timeCreated = timeCreated;
  return sysOut;
}

/** A System child whose content holds a BinXml value renders as an object: not the fast path's business. */
function checkLeaf(el: ElementNode, values: Value[]): void {
  const ch = el.children;
  for (let i = 0; i < ch.length; i++) {
    const c = ch[i]!;
    if (c.k === 0 || c.k === 3 || (c.k === 2 && values[c.i] instanceof Fragment)) throw BAIL;
  }
}

function sysText(fields: Doc, name: string, el: ElementNode | undefined, values: Value[]): void {
  if (!el) return;
  const t = leafText(el, values);
  if (t !== undefined && t !== null) fields[name] = t;
}

function eventDataFields(fields: Doc, ed: ElementNode, values: Value[]): void {
  const ch = ed.children;
  let anyChild = false;
  for (let i = 0; i < ch.length; i++) {
    const c = ch[i]!;
    if (c.k === 0) anyChild = true;
    else if (c.k === 1) {
      // text beside elements becomes EventData/#text; alone, EventData renders as a Data list
      if (c.v !== null) throw BAIL;
    } else if (c.k === 2) {
      const v = values[c.i];
      if (v !== undefined && v !== null) throw BAIL;
    } else throw BAIL;
  }
  if (!anyChild) return;
  seen.clear();
  let list: FieldValue[] | undefined;
  for (let i = 0; i < ch.length; i++) {
    const c = ch[i]!;
    if (c.k !== 0) continue;
    if (c.name === 'Data') {
      let dataName: string | undefined;
      const attrs = c.attrs;
      for (let j = 0; j < attrs.length; j++) {
        const a = attrs[j]!;
        if (a.name !== 'Name') continue;
        const v = attrValue(a.parts, values);
        if (v !== null) dataName = textOf(v);
      }
      const text = leafText(c, values);
      if (dataName !== undefined) {
        if (!plainName(dataName) || seen.has(dataName)) throw BAIL;
        seen.add(dataName);
        const v = text !== undefined ? text : null;
        put(fields, dataName, v);
        if (dataName.includes(' ')) put(fields, dataName.replace(/ /g, ''), v);
      } else if (text !== undefined) {
        if (Array.isArray(text)) throw BAIL;
        if (!list) {
          list = [text];
          fields.Data = list;
          fields.DataText = '';
        } else list.push(text);
      }
    } else {
      if (!plainName(c.name) || seen.has(c.name) || hasAttrs(c, values)) throw BAIL;
      seen.add(c.name);
      const text = leafText(c, values);
      const v = text !== undefined ? text : null;
      put(fields, c.name, v);
      if (c.name.includes(' ')) put(fields, c.name.replace(/ /g, ''), v);
    }
  }
  if (list) fields.DataText = list.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join('\n');
}
