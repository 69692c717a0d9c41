/**
 * The one event model. Every source (EVTX, evtx_dump JSON, Windows XML, W3C, Exchange CSV, audit exports,
 * syslog, SIEM exports…) turns its records into `VigieEvent`s; detection and sinks only ever see this shape.
 */

export type Scalar = string | number | boolean | null;
export type FieldValue = Scalar | FieldValue[] | { [key: string]: FieldValue };
export type Doc = { [key: string]: FieldValue };

/** Where an event came from: enough to find the record again in the original file. */
export interface EventOrigin {
  /** path of the file as given by the user (or "-" for standard input) */
  file: string;
  /** reader that produced it, e.g. "evtx", "evtx-json", "evtx-xml", "w3c", "exchange-csv", "m365-audit" */
  format: string;
  /** byte offset of the record (EVTX record header, start of the line…) in the (decompressed) file */
  offset: number;
  /** record number: EVTX EventRecordID, or 1-based line number for line formats */
  record?: number;
}

/** Sigma log-source identity. Readers set what they know; the hunt mapping derives the rest. */
export interface LogSource {
  product?: string;
  service?: string;
  category?: string;
}

export interface VigieEvent {
  origin: EventOrigin;
  /** milliseconds since the Unix epoch, UTC; undefined when the record carries no usable time */
  time?: number;
  /** host that wrote the event (EVTX Computer, syslog host, W3C s-computername…) */
  computer?: string;
  /** Windows channel (EVTX) or the reader's equivalent (e.g. "MSExchange HttpProxy/Ecp") */
  channel?: string;
  /** Windows provider name, or the program that logged (syslog app-name) */
  provider?: string;
  /** Windows event id, when there is one */
  eventId?: number;
  logsource: LogSource;
  /** Flat, Sigma-style field names (CommandLine, Provider_Name, EventID, cs-uri-stem…) → values */
  fields: Doc;
  /**
   * Set while `fields` is not built yet (see PendingFields): readers that build `fields` on first access (EVTX
   * records read directly) list the names and values here, for scans that need no object. Undefined otherwise.
   */
  readonly pendingFields?: PendingFields;
  /** The full document (for EVTX: the `evtx_dump -o json` shape) for lookups by full path (Event.System.EventID) */
  doc?: Doc;
}

/**
 * The fields of an event before its `fields` object is built: every name and value that goes into it, in order.
 * Most events of a hunt are only scanned by the prefilter, never matched, and building each one's object was ~9%
 * of a hunt's work. A name may repeat (the reader decides which value `fields` keeps); every name of `fields` is
 * here and no other, and every value of `fields` is here under its name. A scan that reads these instead of the
 * object may see a value more, never one less.
 */
export interface PendingFields {
  readonly keys: readonly string[];
  readonly values: readonly FieldValue[];
  /** findPending(keys, name), cached by the reader where records share their names */
  find(name: string): number;
}

/** findPending: no name matches, in any case */
export const ABSENT = -1;
/** findPending: repeated, or only in another case (the built object decides) */
export const UNSURE = -2;

/**
 * Where getField finds `name` among pending names: the position of its one exact occurrence; ABSENT when no name
 * matches, even case-insensitively; UNSURE otherwise.
 */
export function findPending(keys: readonly string[], name: string): number {
  const lname = lowerName(name);
  const len = lname.length;
  let at = ABSENT;
  let other = false;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (k === name) {
      if (at !== ABSENT) return UNSURE;
      at = i;
    } else if (!other && (k.length === len ? sameLower(k, lname) : k.length < len && k.includes('\u0130') && k.toLowerCase() === lname)) other = true;
  }
  // getField tries the exact name first: names in another case only matter without it
  return at === ABSENT && other ? UNSURE : at;
}

/**
 * `ev.fields[name]` for a field a reader names exactly, without building pending fields when the name is not among
 * them or appears once (its value is then the one `fields` has).
 */
export function peekField(ev: VigieEvent, name: string): FieldValue | undefined {
  const p = ev.pendingFields;
  if (p === undefined) return ev.fields[name];
  const at = p.find(name);
  return at >= 0 ? p.values[at] : at === ABSENT ? undefined : ev.fields[name];
}

const textCache = new WeakMap<VigieEvent, string>();

/**
 * Look up a field by Sigma-style name (exact first, then case-insensitive) or by dotted full path into `doc`
 * (`Event.System.EventID`, `Event.System.Provider.Name`; `#attributes` and `#text` levels are stepped through).
 * Returns undefined when the field is absent.
 */
export function getField(ev: VigieEvent, name: string): FieldValue | undefined {
  const p = ev.pendingFields;
  if (p !== undefined) {
    // pending fields are not built for a name they hold once exactly, nor for one they do not hold in any case
    const at = p.find(name);
    if (at >= 0) return p.values[at];
    if (at === ABSENT) return name.includes('.') && ev.doc ? getPath(ev.doc, name.split('.')) : undefined;
  }
  const f = ev.fields;
  if (Object.prototype.hasOwnProperty.call(f, name)) return f[name];
  // case-insensitive: the first field (in insertion order) whose lower-cased name matches; no per-event index
  // (most lookups that get here are of fields the event does not have: a length test rejects nearly every key)
  // (lower-casing keeps the length, except U+0130 "İ" which becomes two units)
  const lname = lowerName(name);
  const big = bigIndex.get(ev);
  if (big !== undefined) {
    const k = big.get(lname);
    if (k !== undefined) return f[k];
  } else {
    const len = lname.length;
    // (Object.keys: V8 copies the layout's cached key list, several times faster than a for-in walk)
    const keys = Object.keys(f);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      if (k.length === len ? !sameLower(k, lname) : !(k.length < len && k.includes('\u0130') && k.toLowerCase() === lname)) continue;
      return f[k];
    }
    if (keys.length > BIG_EVENT) {
      // an event with many fields: later lookups use an index instead of a pass over every name
      const index = new Map<string, string>();
      for (const k of Object.keys(f)) {
        const l = k.toLowerCase();
        if (!index.has(l)) index.set(l, k);
      }
      bigIndex.set(ev, index);
    }
  }
  if (name.includes('.') && ev.doc) return getPath(ev.doc, name.split('.'));
  return undefined;
}

const BIG_EVENT = 64;
const bigIndex = new WeakMap<VigieEvent, Map<string, string>>();

/** k.toLowerCase() === lname, for k as long as lname, without building the lower-cased copy for ASCII names. */
function sameLower(k: string, lname: string): boolean {
  for (let i = 0; i < k.length; i++) {
    const a = k.charCodeAt(i);
    const b = lname.charCodeAt(i);
    if (a === b) continue;
    if (a >= 65 && a <= 90 && a + 32 === b) continue;
    if (a < 128 && b < 128) return false;
    return k.toLowerCase() === lname; // outside ASCII: the full rules
  }
  return true;
}

/** Lower-cased field names asked for (rules ask for the same few hundred names): bounded cache. */
let lowerNames = new Map<string, string>();
function lowerName(name: string): string {
  let l = lowerNames.get(name);
  if (l === undefined) {
    if (lowerNames.size >= 4096) lowerNames = new Map();
    lowerNames.set(name, (l = name.toLowerCase()));
  }
  return l;
}

/** Walk a document by path segments; steps through `#attributes` and unwraps `#text` leaves. */
export function getPath(doc: FieldValue, path: string[]): FieldValue | undefined {
  let cur: FieldValue | undefined = doc;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    const obj: { [key: string]: FieldValue } = cur;
    if (Object.prototype.hasOwnProperty.call(obj, seg)) cur = obj[seg];
    else {
      const attrs = obj['#attributes'];
      if (attrs && typeof attrs === 'object' && !Array.isArray(attrs) && Object.prototype.hasOwnProperty.call(attrs, seg)) {
        cur = (attrs as { [key: string]: FieldValue })[seg];
      } else return undefined;
    }
  }
  if (cur && typeof cur === 'object' && !Array.isArray(cur) && Object.prototype.hasOwnProperty.call(cur, '#text')) {
    return (cur as { [key: string]: FieldValue })['#text'];
  }
  return cur;
}

/** Render a field value as text the way rules compare it (numbers and booleans as their decimal/literal text). */
export function valueText(v: FieldValue | undefined): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** All scalar values of the event joined by newlines: what keyword (full-text) selections search. Cached. */
export function eventText(ev: VigieEvent): string {
  let t = textCache.get(ev);
  if (t === undefined) {
    const parts: string[] = [];
    const walk = (v: FieldValue, depth: number): void => {
      if (depth > 32 || v === null) return;
      if (typeof v === 'string') parts.push(v);
      else if (typeof v === 'number' || typeof v === 'boolean') parts.push(String(v));
      else if (Array.isArray(v)) for (const x of v) walk(x, depth + 1);
      else for (const x of Object.values(v)) walk(x, depth + 1);
    };
    for (const v of Object.values(ev.fields)) walk(v, 0);
    t = parts.join('\n');
    textCache.set(ev, t);
  }
  return t;
}

/**
 * Set `o[k] = v` as an own data property, also when `k` is "__proto__" (field names come from hostile data: a plain
 * assignment would change the object's prototype instead). Every reader uses this one.
 */
export function setKey(o: { [k: string]: unknown }, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

/**
 * The same fields as an object V8 keeps in "fast" mode. An object that gets more than a dozen properties added by
 * computed name (`o[k] = v`, how readers build fields) is turned into a hash table ("dictionary mode"), and every
 * later walk over its keys (prefilter scan, case-insensitive lookups, event text) then costs ~30× more. A spread copy
 * has the same keys, values and order (and keeps a "__proto__" key as a plain field) in a shared fast layout.
 * Every event read through src/sources/index.ts gets it once (measured: whole hunt ~25% less CPU on the attack
 * samples; the M365 audit, Exchange CSV and Entra readers build such fields too).
 */
export function fastFields(fields: Doc): Doc {
  return { ...fields };
}

/** Parse a timestamp string into ms since epoch (UTC). Strings without a zone are taken as UTC. */
export function parseTime(s: string | undefined | null): number | undefined {
  if (!s) return undefined;
  // fast path for the common ISO-8601 UTC form (EVTX SystemTime): no regex, no copy
  if (s.length >= 20 && s.charCodeAt(10) === 84 /* T */ && s.charCodeAt(s.length - 1) === 90 /* Z */) {
    const ms = Date.parse(s);
    if (Number.isFinite(ms)) return ms;
  }
  let t = s.trim();
  if (t === '') return undefined;
  // "2021-03-02 10:11:12.123" (Sysmon UtcTime, W3C date+time) → ISO
  if (/^\d{4}-\d{2}-\d{2} \d/.test(t)) t = t.replace(' ', 'T');
  if (/^\d{4}-\d{2}-\d{2}T[\d:.]+$/.test(t)) t += 'Z';
  // more than millisecond precision: Date.parse handles it in V8, but trim to be safe
  t = t.replace(/(\.\d{3})\d+/, '$1');
  const ms = Date.parse(t);
  return Number.isFinite(ms) ? ms : undefined;
}

/** ISO-8601 UTC text for a time, or "" when unknown. */
export function formatTime(ms: number | undefined): string {
  return ms === undefined || !Number.isFinite(ms) ? '' : new Date(ms).toISOString();
}
