/**
 * A small, safe XML parser for Windows event XML (wevtutil /f:xml, Event Viewer "Save as XML", Splunk
 * XmlWinEventLog `_raw`, `evtx_dump -o xml`), and the conversion of an `<Event>` element into the
 * `evtx_dump -o json` document shape that `windowsEvent` expects.
 *
 * Safety: no DTD (a `<!DOCTYPE` is refused), hence no external or custom entities; only the five predefined
 * entities and numeric character references are decoded (an unknown `&name;` is kept as written); nesting depth,
 * attribute count and input size are bounded; the parser is iterative (no recursion on input structure) and every
 * loop advances, so no input can make it loop or allocate without bound.
 */
import { setKey } from '../event.js';

export interface XmlElement {
  name: string;
  attrs: [string, string][];
  children: (XmlElement | string)[];
}

export class XmlError extends Error {
  constructor(message: string, public readonly at: number) {
    super(message);
  }
}

export interface XmlLimits {
  maxDepth?: number;
  maxBytes?: number;
  maxAttrs?: number;
}

/** name characters: anything but whitespace, control characters and / > = < " ' */
function isNameCode(c: number): boolean {
  return c > 32 && c !== 47 && c !== 62 && c !== 61 && c !== 60 && c !== 34 && c !== 39;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

/** Decode the five predefined entities and numeric character references; anything else is kept as written. */
export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  let out = '';
  let i = 0;
  while (i < s.length) {
    const amp = s.indexOf('&', i);
    if (amp < 0) { out += s.slice(i); break; }
    out += s.slice(i, amp);
    const semi = s.indexOf(';', amp + 1);
    if (semi < 0 || semi - amp > 12) { out += '&'; i = amp + 1; continue; }
    const ent = s.slice(amp + 1, semi);
    let rep: string | undefined;
    switch (ent) {
      case 'lt': rep = '<'; break;
      case 'gt': rep = '>'; break;
      case 'amp': rep = '&'; break;
      case 'quot': rep = '"'; break;
      case 'apos': rep = "'"; break;
      default:
        if (/^#[0-9]{1,8}$/.test(ent)) rep = codePoint(parseInt(ent.slice(1), 10));
        else if (/^#x[0-9a-fA-F]{1,6}$/.test(ent)) rep = codePoint(parseInt(ent.slice(2), 16));
    }
    if (rep === undefined) { out += '&'; i = amp + 1; continue; }
    out += rep;
    i = semi + 1;
  }
  return out;
}

function codePoint(n: number): string {
  if (!Number.isFinite(n) || n <= 0 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return '\ufffd';
  return String.fromCodePoint(n);
}

/**
 * Parse the first element of `text` (after an optional prolog: XML declaration, comments, processing
 * instructions, whitespace). Throws XmlError on malformed input or when a limit is exceeded.
 */
export function parseXml(text: string, limits: XmlLimits = {}): XmlElement {
  const maxDepth = limits.maxDepth ?? 64;
  const maxBytes = limits.maxBytes ?? 16 * 1024 * 1024;
  const maxAttrs = limits.maxAttrs ?? 256;
  if (text.length > maxBytes) throw new XmlError(`XML larger than ${maxBytes} characters`, 0);
  const n = text.length;
  let i = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;

  const skipMarkup = (): boolean => {
    // at '<': comment, PI, CDATA (handled by caller), DOCTYPE (refused)
    if (text.startsWith('<!--', i)) {
      const e = text.indexOf('-->', i + 4);
      if (e < 0) throw new XmlError('unterminated comment', i);
      i = e + 3;
      return true;
    }
    if (text.startsWith('<?', i)) {
      const e = text.indexOf('?>', i + 2);
      if (e < 0) throw new XmlError('unterminated processing instruction', i);
      i = e + 2;
      return true;
    }
    if (text.startsWith('<!DOCTYPE', i) || text.startsWith('<!ENTITY', i) || text.startsWith('<!doctype', i)) {
      throw new XmlError('DTD not allowed', i);
    }
    return false;
  };

  while (i < n) {
    if (root && stack.length === 0) break; // first element complete
    const lt = text.indexOf('<', i);
    if (stack.length === 0) {
      // prolog: only whitespace and markup
      if (lt < 0) break;
      i = lt;
    } else {
      const top = stack[stack.length - 1];
      if (lt < 0) throw new XmlError(`unclosed element <${top.name}>`, i);
      if (lt > i) top.children.push(decodeEntities(text.slice(i, lt)));
      i = lt;
    }
    const c1 = text.charCodeAt(i + 1);
    if ((c1 === 33 /* ! */ || c1 === 63 /* ? */) && skipMarkup()) continue;
    if (c1 === 33 && text.startsWith('<![CDATA[', i)) {
      if (!stack.length) throw new XmlError('CDATA outside an element', i);
      const e = text.indexOf(']]>', i + 9);
      if (e < 0) throw new XmlError('unterminated CDATA section', i);
      stack[stack.length - 1].children.push(text.slice(i + 9, e));
      i = e + 3;
      continue;
    }
    if (c1 === 33) throw new XmlError('unsupported markup declaration', i);
    if (c1 === 47 /* / */) {
      // end tag
      const gt = text.indexOf('>', i + 2);
      if (gt < 0) throw new XmlError('unterminated end tag', i);
      const name = text.slice(i + 2, gt).trim();
      const top = stack.pop();
      if (!top) throw new XmlError(`unexpected </${name}>`, i);
      if (top.name !== name) throw new XmlError(`</${name}> does not close <${top.name}>`, i);
      i = gt + 1;
      continue;
    }
    // start tag
    let j = i + 1;
    while (j < n && isNameCode(text.charCodeAt(j))) j++;
    const name = text.slice(i + 1, j);
    if (!name) throw new XmlError('element without a name', i);
    const el: XmlElement = { name, attrs: [], children: [] };
    let selfClose = false;
    for (;;) {
      while (j < n && isSpace(text.charCodeAt(j))) j++;
      if (j >= n) throw new XmlError(`unterminated start tag <${name}>`, i);
      const ch = text[j];
      if (ch === '>') { j++; break; }
      if (ch === '/' && text[j + 1] === '>') { j += 2; selfClose = true; break; }
      const an = j;
      while (j < n && isNameCode(text.charCodeAt(j))) j++;
      const aname = text.slice(an, j);
      if (!aname) throw new XmlError(`bad attribute in <${name}>`, j);
      while (j < n && isSpace(text.charCodeAt(j))) j++;
      if (text[j] !== '=') throw new XmlError(`attribute ${aname} without a value`, j);
      j++;
      while (j < n && isSpace(text.charCodeAt(j))) j++;
      const quote = text[j];
      if (quote !== '"' && quote !== "'") throw new XmlError(`attribute ${aname} value not quoted`, j);
      const end = text.indexOf(quote, j + 1);
      if (end < 0) throw new XmlError(`unterminated attribute ${aname}`, j);
      if (el.attrs.length >= maxAttrs) throw new XmlError(`more than ${maxAttrs} attributes`, j);
      el.attrs.push([aname, decodeEntities(text.slice(j + 1, end))]);
      j = end + 1;
    }
    i = j;
    if (stack.length) stack[stack.length - 1].children.push(el);
    else if (!root) root = el;
    if (!selfClose) {
      if (stack.length >= maxDepth) throw new XmlError(`nesting deeper than ${maxDepth}`, i);
      stack.push(el);
    }
  }
  if (!root) throw new XmlError('no element', 0);
  if (stack.length) throw new XmlError(`unclosed element <${stack[stack.length - 1].name}>`, n);
  return root;
}

// ---------------------------------------------------------------------------------------------------------------
// Conversion to the evtx_dump JSON shape
// ---------------------------------------------------------------------------------------------------------------

type J = string | number | boolean | null | J[] | { [k: string]: J };
type JObj = { [k: string]: J };

/** System elements and attributes that EVTX stores as integers (evtx_dump prints them as JSON numbers). */
const NUMERIC_ELEMENTS = new Set(['EventID', 'Version', 'Level', 'Task', 'Opcode', 'EventRecordID']);
const NUMERIC_ATTRS = new Set(['Qualifiers', 'ProcessID', 'ThreadID', 'ProcessorID', 'SessionID', 'KernelTime', 'UserTime', 'ProcessorTime']);
const GUID_ATTRS = new Set(['Guid', 'ActivityID', 'RelatedActivityID']);

function localName(n: string): string {
  const c = n.indexOf(':');
  return c >= 0 ? n.slice(c + 1) : n;
}

function textOf(el: XmlElement): string {
  let s = '';
  for (const c of el.children) if (typeof c === 'string') s += c;
  return s;
}

function childElements(el: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of el.children) if (typeof c !== 'string') out.push(c);
  return out;
}

const DEC = /^(0|[1-9][0-9]{0,15})$/;

function toNumberIfDecimal(s: string): string | number {
  const t = s.trim();
  if (DEC.test(t)) {
    const v = Number(t);
    if (Number.isSafeInteger(v)) return v;
  }
  return s;
}

/** `{54849625-5478-4994-a5ba-3e3b0328c30d}` → `54849625-5478-4994-A5BA-3E3B0328C30D` (evtx_dump's GUID form) */
export function normalizeGuid(s: string): string {
  const m = /^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$/.exec(s.trim());
  return m ? m[1].toUpperCase() : s;
}

/**
 * A SystemTime in any ISO-8601 form → evtx_dump's form (UTC, microseconds, `Z`): `2021-03-02T10:11:12.123456Z`.
 * Fraction digits beyond microseconds are truncated; a time with an offset is converted to UTC; unparseable text
 * is returned unchanged.
 */
export function normalizeSystemTime(s: string): string {
  // the common case, already UTC: only the fraction changes
  const z = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$/.exec(s);
  if (z) return `${z[1]}.${(z[2] ?? '').padEnd(6, '0').slice(0, 6)}Z`;
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?\s*(Z|[+-]\d{2}:?\d{2})?$/.exec(s.trim());
  if (!m) return s;
  const frac = (m[7] ?? '').padEnd(6, '0').slice(0, 6);
  let ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  if (!Number.isFinite(ms)) return s;
  const zone = m[8];
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const hh = +zone.slice(1, 3);
    const mm = +zone.slice(-2);
    ms -= sign * (hh * 60 + mm) * 60000;
  }
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return s;
  return `${d.toISOString().slice(0, 19)}.${frac}Z`;
}

/** Format epoch milliseconds (optionally with extra microseconds) the evtx_dump way. */
export function systemTimeFromMs(ms: number, micros?: number): string {
  const d = new Date(Math.floor(ms));
  if (Number.isNaN(d.getTime())) return '';
  const us = micros ?? Math.round((ms - Math.floor(ms / 1000) * 1000) * 1000);
  return `${d.toISOString().slice(0, 19)}.${String(Math.min(999999, Math.max(0, us))).padStart(6, '0')}Z`;
}

function attrValue(name: string, v: string): J {
  if (NUMERIC_ATTRS.has(name)) return toNumberIfDecimal(v);
  if (GUID_ATTRS.has(name)) return normalizeGuid(v);
  if (name === 'SystemTime') return normalizeSystemTime(v);
  return v;
}

function attrsObj(el: XmlElement): JObj | null {
  if (!el.attrs.length) return null;
  const o: JObj = {};
  for (const [k, v] of el.attrs) setKey(o, k, attrValue(k, v));
  return o;
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * Insert under `key` the way evtx_dump does with repeated names: the newest value takes `key`, an earlier
 * concrete value moves to `key_1`, `key_2`…
 */
function put(obj: JObj, key: string, value: J): void {
  if (hasOwn.call(obj, key)) {
    const old = obj[key];
    if (old !== null && !(typeof old === 'object' && !Array.isArray(old) && Object.keys(old).length === 0)) {
      let n = 1;
      while (hasOwn.call(obj, `${key}_${n}`)) n++;
      setKey(obj, `${key}_${n}`, old);
    }
  }
  setKey(obj, key, value);
}

/** Generic element → evtx_dump JSON value. Iterative over depth via an explicit work list. */
function convert(el: XmlElement, numeric: boolean, depth: number): J {
  const attrs = attrsObj(el);
  const kids = childElements(el);
  if (!kids.length) {
    const t = textOf(el);
    const tv: J = t === '' ? null : numeric ? toNumberIfDecimal(t) : t;
    if (!attrs) return tv;
    const o: JObj = { '#attributes': attrs };
    if (tv !== null) o['#text'] = tv;
    return o;
  }
  const o: JObj = {};
  if (attrs) o['#attributes'] = attrs;
  if (depth > 48) return o;
  for (const k of kids) {
    const name = localName(k.name);
    put(o, name, convert(k, false, depth + 1));
  }
  const t = textOf(el);
  if (t.trim() !== '') o['#text'] = t;
  return o;
}

function convertSystem(el: XmlElement): J {
  const attrs = attrsObj(el);
  const o: JObj = {};
  if (attrs) o['#attributes'] = attrs;
  for (const k of childElements(el)) {
    const name = localName(k.name);
    put(o, name, convert(k, NUMERIC_ELEMENTS.has(name), 1));
  }
  return o;
}

function convertEventData(el: XmlElement): J {
  const attrs = attrsObj(el);
  const o: JObj = {};
  if (attrs) o['#attributes'] = attrs;
  const unnamed: J[] = [];
  let sawData = false;
  for (const k of childElements(el)) {
    const name = localName(k.name);
    if (name === 'Data') {
      sawData = true;
      const nameAttr = k.attrs.find(([a]) => a === 'Name');
      const sub = childElements(k);
      const value: J = sub.length ? convert(k, false, 1) : textOf(k);
      if (nameAttr) put(o, nameAttr[1], value);
      else unnamed.push(value);
    } else {
      put(o, name, convert(k, false, 1));
    }
  }
  if (unnamed.length) put(o, 'Data', { '#text': unnamed.length === 1 ? unnamed[0] : unnamed });
  if (!sawData && !Object.keys(o).length) {
    const t = textOf(el);
    return t.trim() === '' ? null : t;
  }
  return o;
}

/**
 * Convert a parsed `<Event>` element into `{ Event: { #attributes?, System, EventData | UserData, RenderingInfo? } }`
 * (the evtx_dump JSON shape). Returns undefined when the element is not an Event.
 */
export function eventElementToDoc(ev: XmlElement): { Event: JObj } | undefined {
  if (localName(ev.name) !== 'Event') return undefined;
  const out: JObj = {};
  const attrs = attrsObj(ev);
  if (attrs) out['#attributes'] = attrs;
  for (const k of childElements(ev)) {
    const name = localName(k.name);
    if (name === 'System') put(out, name, convertSystem(k));
    else if (name === 'EventData') put(out, name, convertEventData(k));
    else put(out, name, convert(k, false, 1));
  }
  return { Event: out };
}

/** Parse one event's XML text into the evtx_dump document shape. Throws XmlError on malformed XML. */
export function xmlEventToDoc(xml: string, limits?: XmlLimits): { Event: JObj } {
  const el = parseXml(xml, limits);
  const doc = eventElementToDoc(el);
  if (!doc) throw new XmlError(`root element is <${el.name}>, not <Event>`, 0);
  return doc;
}

/**
 * An `<EventData>…</EventData>` (or `<UserData>…</UserData>`) fragment on its own, as SIEM tables store it
 * (Microsoft Sentinel `SecurityEvent.EventData`, `Event.EventData`) → the evtx_dump EventData / UserData value.
 * Throws XmlError on malformed XML.
 */
export function eventDataXmlToDoc(xml: string, limits?: XmlLimits): { EventData?: J; UserData?: J } {
  const el = parseXml(xml, limits);
  const name = localName(el.name);
  if (name === 'EventData') return { EventData: convertEventData(el) };
  if (name === 'UserData') return { UserData: convert(el, false, 1) };
  if (name === 'DataItem') {
    // Sentinel's Event table wraps it: <DataItem …><EventData>…</EventData></DataItem>
    for (const k of childElements(el)) {
      const n = localName(k.name);
      if (n === 'EventData') return { EventData: convertEventData(k) };
      if (n === 'UserData') return { UserData: convert(k, false, 1) };
    }
  }
  throw new XmlError(`<${el.name}> is not EventData or UserData`, 0);
}
