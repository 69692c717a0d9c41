/**
 * Prefilter: most Sigma rules cannot match unless some literal strings occur in given fields of the event (the
 * `contains`/`startswith`/`endswith`/equality values of the selections the condition requires). For each rule we
 * derive such *clauses* conservatively (when in doubt: none, the rule is always evaluated); the literals of each
 * field go into one Aho-Corasick automaton (a flat DFA over the characters that occur in literals), run over the
 * field's lower-cased values. A rule is then evaluated only when every one of its clauses saw one of its literals:
 * the thousands of rules that share the process_creation log source cost a pass over the event's values, not
 * thousands of matcher calls. This never changes results (clauses are necessary conditions), only speed.
 * See docs/rule-stage.md.
 */
import type { FieldValue, VigieEvent } from '../event.js';
import { parseCondition, type CondNode } from '../sigma/condition.js';
import { parseSigmaString, regexRun, STAR, ONE, MODIFIERS, type Val } from '../sigma/modifiers.js';

/** modifiers under which the value's literal text must appear in the field value (case-insensitively) */
const SAFE_MODS = new Set(['contains', 'startswith', 'endswith', 'all', 'cased', 'windash']);
const ENCODINGS = new Set(['base64', 'base64offset', 'utf16le', 'utf16be', 'utf16', 'wide']);
const RE_MODS = new Set(['re', 'i', 'm', 's', 'ignorecase', 'multiline', 'dotall', 'all', 'cased']);
const MAX_LITERALS_PER_CLAUSE = 4096;

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

let invariant: Uint8Array | undefined;
/**
 * Code units that may appear in an anchor: ASCII printable, and non-ASCII characters that lower-casing leaves
 * alone and that no other character lower-cases to (emoji, CJK, most symbols…). Then "value contains X" implies
 * "the lower-cased value contains X" with X compared unit by unit, which is what the scanner does.
 */
function anchorUnits(): Uint8Array {
  if (invariant) return invariant;
  const ok = new Uint8Array(0x10000);
  for (let c = 0x20; c < 0x7f; c++) ok[c] = 1;
  const reached = new Uint8Array(0x10000);
  for (let c = 0x80; c < 0x10000; c++) {
    if (c >= 0xd800 && c <= 0xdfff) continue;
    const l = String.fromCharCode(c).toLowerCase();
    if (l !== String.fromCharCode(c)) for (let k = 0; k < l.length; k++) reached[l.charCodeAt(k)] = 1;
  }
  for (let c = 0x80; c < 0x10000; c++) {
    if (c >= 0xd800 && c <= 0xdfff) continue;
    if (!reached[c] && String.fromCharCode(c).toLowerCase() === String.fromCharCode(c)) ok[c] = 1;
  }
  return (invariant = ok);
}

/** Is every unit of `s` (already lower-cased) usable? Supplementary characters must be case-invariant code points. */
function usable(s: string): boolean {
  const ok = anchorUnits();
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const cp = s.codePointAt(i)!;
      if (cp < 0x10000) return false;
      const ch = String.fromCodePoint(cp);
      if (ch.toLowerCase() !== ch || ch.toUpperCase() !== ch) return false;
      i++;
      continue;
    }
    if (c >= 0xdc00 && c <= 0xdfff) return false;
    if (!ok[c]) return false;
  }
  return true;
}

const SPLIT_WILDCARDS = new RegExp(`[${STAR}${ONE}]`);
const SPLIT_WINDASH = new RegExp(`[${STAR}${ONE}/\\-\u2013\u2014\u2015]`);

/** Longest literal run of a Sigma string value (wildcards split it), lower-cased; null when unusable. */
function literalOf(v: unknown, windash = false, digits = false): string | null {
  if (typeof v !== 'string' || v === '') return null;
  const parsed = parseSigmaString(v);
  let best = '';
  for (const part of parsed.split(windash ? SPLIT_WINDASH : SPLIT_WILDCARDS)) if (part.length > best.length) best = part;
  if (best === '' || (!digits && /^\d+$/.test(best))) return null;
  const l = best.toLowerCase();
  // lower-casing must be one-to-one on this text (no length change, no special cases)
  if (l.length !== best.length || !usable(l)) return null;
  return l;
}

/**
 * A literal every match of a regular expression must contain (lower-cased), or null. Conservative: only the
 * top level of a pattern without alternation; a character followed by ?, * or {0 is optional; groups, classes,
 * escapes like \s and anything unusual end a run.
 */
export function regexLiteral(re: string, minLength = 3): string | null {
  const best = regexRun(re);
  if (best === null || best.length < minLength) return null;
  const l = best.toLowerCase();
  if (l.length !== best.length || !usable(l)) return null;
  return l;
}

/**
 * One `field|mods: values` item → its literals: with `all`, every non-null one must occur; otherwise one of them
 * must (and a null in the list means nothing is known). null = nothing usable.
 */
function itemLits(key: string, value: unknown, loose = false): { lits: (string | null)[]; all: boolean } | null {
  const parts = key.split('|');
  const field = parts[0];
  if (field.includes('.')) return null; // may be read from the full document, not from the flat fields
  const mods = parts.slice(1).map((m) => m.trim().toLowerCase());
  const values = Array.isArray(value) ? value : [value];
  if (values.length === 0) return null;
  let lits: (string | null)[];
  if (mods.includes('re')) {
    if (mods.some((m) => !RE_MODS.has(m))) return null;
    // (loose: short literals too, but ASCII only: RE2's case folding maps no other ASCII letter than k and s
    // outside ASCII, and the scan folds KELVIN SIGN and LONG S onto those)
    lits = values.map((v) => {
      const l = typeof v === 'string' ? regexLiteral(v, loose ? 1 : 3) : null;
      return l !== null && loose && !/^[\x20-\x7e]+$/.test(l) ? null : l;
    });
  } else if (mods.some((m) => ENCODINGS.has(m))) {
    // encoded values (base64 of UTF-16…): encode the way the engine does, the encoded text must occur
    if (mods.some((m) => !SAFE_MODS.has(m) && !ENCODINGS.has(m)) || mods.includes('windash')) return null;
    const enc = mods.filter((m) => ENCODINGS.has(m));
    if (!mods.includes('base64') && !mods.includes('base64offset')) return null; // raw UTF-16 bytes: not text
    const all: (string | null)[] = [];
    for (const v of values) {
      if (typeof v !== 'string') return null;
      let vals: Val[];
      try {
        vals = [parseSigmaString(v)];
        for (const m of enc) vals = vals.flatMap((x) => MODIFIERS[m]!.transform!(x, {}));
      } catch {
        return null;
      }
      for (const x of vals) all.push(typeof x === 'string' ? literalOf(x.replace(/\\/g, '\\\\').replace(/[*?]/g, '\\$&')) : null);
    }
    if (mods.includes('all')) return null;
    lits = all;
  } else {
    if (mods.some((m) => !SAFE_MODS.has(m))) return null;
    const wd = mods.includes('windash');
    lits = values.map((v) => literalOf(v, wd, loose));
  }
  return { lits, all: mods.includes('all') };
}

function globMatcher(pattern: string): (n: string) => boolean {
  if (!pattern.includes('*')) return (n) => n === pattern;
  const re = new RegExp('^' + pattern.split('*').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
  return (n) => re.test(n);
}

/** `.{N,}` (optionally anchored): the field value, hence the event text, has at least N characters. */
function regexMinLen(re: unknown): number {
  if (typeof re !== 'string') return 0;
  const m = /^\^?\.\{(\d{1,6}),\d*\}\$?$/.exec(re);
  return m ? Number(m[1]) : 0;
}

function selectionMinLen(sel: unknown): number {
  if (isObj(sel)) {
    let n = 0;
    for (const [k, v] of Object.entries(sel)) {
      const mods = k.split('|').slice(1).map((m) => m.trim().toLowerCase());
      if (!mods.includes('re') || mods.some((m) => !RE_MODS.has(m)) || k.split('|')[0].includes('.')) continue;
      const vals = Array.isArray(v) ? v : [v];
      if (vals.length === 0) continue;
      const lens = vals.map(regexMinLen);
      n = Math.max(n, mods.includes('all') ? Math.max(...lens) : Math.min(...lens));
    }
    return n;
  }
  if (Array.isArray(sel) && sel.length > 0 && sel.every((x) => isObj(x))) return Math.min(...sel.map(selectionMinLen));
  return 0;
}

function condMinLen(node: CondNode, det: Record<string, unknown>, names: string[], depth: number): number {
  if (depth > 64) return 0;
  switch (node.t) {
    case 'id':
      return Object.prototype.hasOwnProperty.call(det, node.name) ? selectionMinLen(det[node.name]) : 0;
    case 'and':
      return Math.max(condMinLen(node.a, det, names, depth + 1), condMinLen(node.b, det, names, depth + 1));
    case 'or':
      return Math.min(condMinLen(node.a, det, names, depth + 1), condMinLen(node.b, det, names, depth + 1));
    case 'not':
      return 0;
    case 'of': {
      const m = node.pattern === 'them' ? () => true : globMatcher(node.pattern);
      if (node.all) {
        const req = names.filter((n) => m(n) && !(node.pattern === 'them' && n.startsWith('_')));
        return req.length ? Math.max(...req.map((n) => selectionMinLen(det[n]))) : 0;
      }
      const alts = names.filter(m);
      return alts.length ? Math.min(...alts.map((n) => selectionMinLen(det[n]))) : 0;
    }
  }
}

/** Minimum length of the event text for the rule to match (from `re: '.{N,}'` items the condition requires). */
export function ruleMinLength(detection: Record<string, unknown>): number {
  try {
    const cond = detection.condition;
    const conds = Array.isArray(cond) ? cond : [cond];
    if (conds.length === 0 || conds.some((c) => typeof c !== 'string')) return 0;
    const names = Object.keys(detection).filter((k) => k !== 'condition' && k !== 'timeframe');
    return Math.min(...(conds as string[]).map((c) => condMinLen(parseCondition(c), detection, names, 0)));
  } catch {
    return 0;
  }
}

/** A literal (lower-cased) that must occur in the value of one field (Sigma name, lower-cased; '' = anywhere). */
export interface FieldLit { field: string; lit: string }
/** One of these literals occurs in every event the rule matches. A rule's clauses must ALL hold. */
export type Clause = FieldLit[];

const MAX_CLAUSES = 4;

function clauseMin(c: Clause): number {
  let m = Infinity;
  for (const x of c) {
    const n = x.lit === NON_ASCII ? 1 : x.lit.length;
    if (n < m) m = n;
  }
  return m;
}
/** Clauses an OR may produce (the product below), at most. */
const MAX_OR_PRODUCT = 4;

/** Union of two clauses (literals once each). */
function mergeClause(a: Clause, b: Clause): Clause {
  const seen = new Set<string>();
  const out: Clause = [];
  for (const x of [...a, ...b]) {
    const k = `${x.field}\u0000${x.lit}`;
    if (!seen.has(k)) { seen.add(k); out.push(x); }
  }
  return out;
}

/**
 * OR of alternatives, each a list of required clauses. (a1 ∧ a2) ∨ (b1 ∧ b2) implies (a1 ∨ b1) ∧ (a1 ∨ b2) ∧
 * (a2 ∨ b1) ∧ (a2 ∨ b2): every union of one clause per alternative is required. The product is kept to
 * MAX_OR_PRODUCT clauses by taking each alternative's most selective clauses first (with room for one only, its
 * best: "Image contains \windows\ and CommandLine contains \..\" or "CommandLine contains .exe\..\" then gives
 * the CommandLine clause too, not only the common Image one).
 */
function orClauses(alts: Clause[][]): Clause[] {
  if (alts.length === 0) return [];
  let acc: Clause[] = [[]];
  for (const a of alts) {
    if (a.length === 0) return [];
    // most selective first (stable: on a tie the earlier clause, as the engine lists them)
    const ranked = [...a].sort((x, y) => clauseMin(y) - clauseMin(x) || x.length - y.length);
    const m = Math.max(1, Math.min(ranked.length, Math.floor(MAX_OR_PRODUCT / acc.length)));
    const next: Clause[] = [];
    for (const c of acc) for (const b of ranked.slice(0, m)) next.push(mergeClause(c, b));
    acc = next.filter((c) => c.length <= MAX_LITERALS_PER_CLAUSE);
    if (acc.length === 0) return [];
  }
  return acc;
}

/** Marker literal: "the field's value holds a character outside ASCII" (tested directly, not by an automaton). */
export const NON_ASCII = '\u0000non-ascii';
const NON_ASCII_RE = /[^\x00-\x7f]/;

/**
 * An item whose values (every one; with `all`, one) hold a character outside ASCII once lower-cased: the field's
 * value must then hold one too (lower-casing maps ASCII to ASCII). Plain string tests only.
 */
function nonAsciiItem(key: string, value: unknown): boolean {
  const parts = key.split('|');
  if (parts[0]!.trim() === '' || parts[0]!.includes('.')) return false;
  const mods = parts.slice(1).map((m) => m.trim().toLowerCase());
  if (mods.some((m) => !SAFE_MODS.has(m))) return false;
  const values = Array.isArray(value) ? value : [value];
  if (values.length === 0) return false;
  const has = (v: unknown): boolean => typeof v === 'string' && NON_ASCII_RE.test(parseSigmaString(v).replace(/[\uE000\uE001]/g, '').toLowerCase());
  return mods.includes('all') ? values.some(has) : values.every(has);
}

function itemClauses(key: string, value: unknown): Clause[] {
  const it = itemLits(key, value, true);
  const field = key.split('|')[0]!.trim().toLowerCase();
  if (!it || (!it.all && it.lits.some((l) => l === null))) return nonAsciiItem(key, value) ? [[{ field, lit: NON_ASCII }]] : [];
  if (it.all) return it.lits.filter((l): l is string => l !== null).map((l) => [{ field, lit: l }]);
  const u = [...new Set(it.lits as string[])];
  return u.length > MAX_LITERALS_PER_CLAUSE ? [] : [u.map((lit) => ({ field, lit }))];
}

function selectionClauses(sel: unknown): Clause[] {
  if (isObj(sel)) {
    const out: Clause[] = [];
    for (const [k, v] of Object.entries(sel)) out.push(...itemClauses(k, v)); // AND: every item is required
    return out;
  }
  if (Array.isArray(sel)) {
    if (sel.length === 0) return [];
    if (sel.every((x) => isObj(x))) return orClauses(sel.map(selectionClauses));
    if (sel.every((x) => typeof x === 'string')) {
      const lits = sel.map((x) => literalOf(x));
      if (lits.some((l) => l === null)) return [];
      return [[...new Set(lits as string[])].map((lit) => ({ field: '', lit }))];
    }
    return [];
  }
  if (typeof sel === 'string') {
    const l = literalOf(sel);
    return l ? [[{ field: '', lit: l }]] : [];
  }
  return [];
}

function condClauses(node: CondNode, det: Record<string, unknown>, names: string[], depth: number): Clause[] {
  if (depth > 64) return [];
  switch (node.t) {
    case 'id':
      return Object.prototype.hasOwnProperty.call(det, node.name) ? selectionClauses(det[node.name]) : [];
    case 'and':
      return [...condClauses(node.a, det, names, depth + 1), ...condClauses(node.b, det, names, depth + 1)];
    case 'or':
      return orClauses([condClauses(node.a, det, names, depth + 1), condClauses(node.b, det, names, depth + 1)]);
    case 'not':
      return [];
    case 'of': {
      const m = node.pattern === 'them' ? () => true : globMatcher(node.pattern);
      if (node.all) {
        const req = names.filter((n) => m(n) && !(node.pattern === 'them' && n.startsWith('_')));
        return req.flatMap((n) => selectionClauses(det[n]));
      }
      const alts = names.filter(m);
      return alts.length ? orClauses(alts.map((n) => selectionClauses(det[n]))) : [];
    }
  }
}

/**
 * Clauses of a rule's detection: for each, one of its literals occurs in the named field of every event the rule
 * matches (at most MAX_CLAUSES, the most selective; literals cut to their last MAX_LEN characters). [] = none known.
 */
export function ruleClauses(detection: Record<string, unknown>): Clause[] {
  let cs: Clause[];
  try {
    const cond = detection.condition;
    const conds = Array.isArray(cond) ? cond : [cond];
    if (conds.length === 0 || conds.some((c) => typeof c !== 'string')) return [];
    const names = Object.keys(detection).filter((k) => k !== 'condition' && k !== 'timeframe');
    const per = (conds as string[]).map((c) => condClauses(parseCondition(c), detection, names, 0));
    cs = per.length === 1 ? per[0]! : orClauses(per);
  } catch {
    return [];
  }
  const byKey = new Map<string, Clause>();
  for (const c of cs) {
    const seen = new Set<string>();
    const short: Clause = [];
    for (const x of c) {
      const lit = x.lit.length > MAX_LEN && x.lit !== NON_ASCII ? x.lit.slice(-MAX_LEN) : x.lit;
      const k = `${x.field}\u0000${lit}`;
      if (!seen.has(k)) { seen.add(k); short.push({ field: x.field, lit }); }
    }
    if (short.length === 0) continue;
    const key = [...seen].sort().join('\u0001');
    if (!byKey.has(key)) byKey.set(key, short);
  }
  return [...byKey.values()]
    .sort((a, b) => clauseMin(b) - clauseMin(a) || a.length - b.length)
    .slice(0, MAX_CLAUSES);
}

/* ------------------------------------------------------------------ event ids a rule requires */

const CANON_INT = /^(0|[1-9]\d{0,9})$/;

function selectionEventIds(sel: unknown): Set<number> | null {
  if (isObj(sel)) {
    let acc = null as Set<number> | null;
    for (const [k, v] of Object.entries(sel)) {
      if (k !== 'EventID') continue; // exactly the field name, no modifier
      const vals = Array.isArray(v) ? v : [v];
      if (vals.length === 0) continue;
      const ids = new Set<number>();
      let ok = true;
      for (const x of vals) {
        const t = typeof x === 'number' ? String(x) : typeof x === 'string' ? x : undefined;
        if (t === undefined || !CANON_INT.test(t)) { ok = false; break; }
        ids.add(Number(t));
      }
      if (ok) acc = interIds(acc, ids);
    }
    return acc;
  }
  if (Array.isArray(sel) && sel.length > 0 && sel.every((x) => isObj(x))) return unionIds(sel.map(selectionEventIds));
  return null;
}
function unionIds(list: (Set<number> | null)[]): Set<number> | null {
  if (list.length === 0) return null;
  const out = new Set<number>();
  for (const s of list) {
    if (!s) return null;
    for (const x of s) out.add(x);
  }
  return out;
}
function interIds(a: Set<number> | null, b: Set<number> | null): Set<number> | null {
  if (!a) return b;
  if (!b) return a;
  return new Set([...a].filter((x) => b.has(x)));
}
function condEventIds(node: CondNode, det: Record<string, unknown>, names: string[], depth: number): Set<number> | null {
  if (depth > 64) return null;
  switch (node.t) {
    case 'id':
      return Object.prototype.hasOwnProperty.call(det, node.name) ? selectionEventIds(det[node.name]) : null;
    case 'and':
      return interIds(condEventIds(node.a, det, names, depth + 1), condEventIds(node.b, det, names, depth + 1));
    case 'or':
      return unionIds([condEventIds(node.a, det, names, depth + 1), condEventIds(node.b, det, names, depth + 1)]);
    case 'not':
      return null;
    case 'of': {
      const m = node.pattern === 'them' ? () => true : globMatcher(node.pattern);
      if (node.all) {
        let acc: Set<number> | null = null;
        for (const n of names) if (m(n) && !(node.pattern === 'them' && n.startsWith('_'))) acc = interIds(acc, selectionEventIds(det[n]));
        return acc;
      }
      return unionIds(names.filter(m).map((n) => selectionEventIds(det[n])));
    }
  }
}

/**
 * Event ids a rule requires: a plain `EventID: N` (or list) item that its condition needs. When the event's
 * EventID field is its numeric event id, the rule cannot match an event with another id. null = any id.
 */
export function ruleEventIds(detection: Record<string, unknown>): number[] | null {
  try {
    const cond = detection.condition;
    const conds = Array.isArray(cond) ? cond : [cond];
    if (conds.length === 0 || conds.some((c) => typeof c !== 'string')) return null;
    const names = Object.keys(detection).filter((k) => k !== 'condition' && k !== 'timeframe');
    const s = unionIds((conds as string[]).map((c) => condEventIds(parseCondition(c), detection, names, 0)));
    return s ? [...s].sort((a, b) => a - b) : null;
  } catch {
    return null;
  }
}

/* ------------------------------------------------------------------ the automata */

const MAX_LEN = 10;
/** shortest literal length from which an automaton gets a two-character shift table (see Prefilter.skip) */
const MIN_SHIFT_LEN = 4;
const EMPTY_SHIFT = new Uint8Array(0);
const MAX_STATES = 250_000; // automaton states over all fields; beyond it, later clauses are dropped
const MAX_DEPTH = 32;

interface Trie { table: Int32Array; S: number; out: (number[] | undefined)[]; clauses: number[]; minLen: number; numeric: boolean; lits: string[] }

/** Aho-Corasick automaton over the literals of one field, as a flat DFA; outputs are clause numbers. */
interface Automaton {
  delta: Int32Array | Uint16Array;
  /** per state: the clauses whose literal ends there are outData[outStart[s] .. outStart[s + 1]) (one flat array:
   * a scan of CommandLine reaches ~25 output states per value, and a list object per state cost a memory access each) */
  outStart: Int32Array;
  outData: Int32Array;
  /** per state: first state with output on its chain (itself or a failure link), or ≤ 0 */
  report: Int32Array;
  /** states numbered from this one on have output on their chain (report > 0), the others none */
  reports: number;
  outLink: Int32Array;
  /** per state: last event whose scan reported its outputs */
  seen: Int32Array;
  /** per state: last value whose scan collected its outputs */
  vseen: Int32Array;
  /** every clause of this automaton (reported all at once for values too deep to walk) */
  clauses: Int32Array;
  /** length of its shortest literal: a shorter text cannot hit anything (one text unit per step) */
  minLen: number;
  /** one of its literals could occur in the text of a number or a boolean (else those are not scanned) */
  numeric: boolean;
  /** per class: 1 when a literal starts with it (the root has an edge for it) */
  starts: Uint8Array;
  /** per class: 1 when a literal holds it. Any other character ends every match in progress: a scan at the root
   * looks ahead minLen - 1 characters, and when the character there is unused no match can start before it (a
   * skip in the manner of Horspool's: GUIDs, times and numbers cost a look every minLen characters) */
  used: Uint8Array;
  /** with minLen ≥ MIN_SHIFT_LEN: per pair of classes (a·C + b), how far a scan at the root may move on when they
   * end the minLen-character window it looks at (Wu and Manber's shift table over two characters); else empty */
  shift: Uint8Array;
  states: number;
  /** number of the automaton (index into a plan's `need`) */
  id: number;
}

/** Per event field name: the automata that scan its value, and caches of the clauses its values hit. */
interface KeyEntry {
  autos: Automaton[];
  /** clauses satisfied by a character outside ASCII in the value */
  na: Int32Array;
  /** value → clauses it hit (null: caching off for this field) */
  vc: Map<string, ValueRecord> | null;
  hits: number;
  misses: number;
  /** length of the shortest literal of its automata (a shorter value cannot hit any) */
  minLen: number;
  /** the last value looked up in `vc` and its record: consecutive events often repeat a value (no hashing then) */
  lastV: string | undefined;
  lastRec: ValueRecord | undefined;
  /** the last plan this field was scanned for, and whether that plan needs one of its automata */
  plan: Plan | undefined;
  needed: boolean;
}
/**
 * Clauses a value hit: with the keyword automaton (k) and with its field's automata (f); undefined = not yet
 * scanned. `na`: the value holds a character outside ASCII (0 no, 1 yes, -1 not yet looked).
 */
interface ValueRecord { k: Int32Array | undefined; ka: Automaton | undefined; f: Int32Array | undefined; na: number }
const NONE = new Int32Array(0);
const MAX_CACHED_KEYS = 512;
const MAX_CACHED_LEN = 256;
const MAX_CACHE_ENTRIES = 4096;
const MAX_TOTAL_ENTRIES = 65_536;
/**
 * Could the literal (lower-cased) occur in the text of a number or a boolean? String(number) is digits, sign, point
 * and exponent ("-1.5e-7", "1e+21"), or "Infinity", "-Infinity", "NaN"; booleans are "true" and "false".
 */
function inNumberText(lit: string): boolean {
  return /^[0-9.+\-e]+$/.test(lit) || NUMBER_WORDS.some((w) => w.includes(lit));
}
const NUMBER_WORDS = ['-infinity', 'nan', 'true', 'false'];
/** keyword automata built for sets of keyword candidates, at most (then the one over every keyword serves) */
const MAX_KEYWORD_AUTOMATA = 256;
/** field positions remembered from one event to the next */
const MAX_POSITIONS = 128;

/** What a scan needs for one list of candidate rules (cached per list). */
interface Plan {
  /** the keyword automaton of the candidates' keyword clauses (undefined: no candidate has one) */
  keyword: Automaton | undefined;
  /** measure the event text (a candidate has a minimum length) */
  length: boolean;
  /** per automaton: a candidate has a clause on its field */
  need: Uint8Array;
  /** per candidate: it has more clauses or a minimum text length (the full test is needed once `first` hit) */
  full: Uint8Array;
  /** candidates without a first clause (always tested), in list order */
  always: Int32Array;
  /** first clause → the candidates whose first clause it is, in list order */
  byFirst: Map<number, Int32Array>;
  /** bit per clause: it is the first clause of a candidate (tested before the map lookup) */
  isFirst: Int32Array;
}

export interface PrefilterOptions {
  /** the field aliases of the log-source mapping (Sigma field, lower-cased → event field): their values are scanned too */
  aliases?: Iterable<Map<string, string>>;
  /** rules never skipped (e.g. rules reading NFC-normalised values) */
  unanchored?: ArrayLike<boolean>;
}

/**
 * Per rule, up to MAX_CLAUSES clauses of literals that must occur in given fields; one Aho-Corasick automaton per
 * field (and one over the whole event text for keyword literals), run over the lower-cased values of the fields
 * that have one. A rule is evaluated only when every one of its clauses saw one of its literals.
 */
export class Prefilter {
  /** rule index → has clauses (else always evaluated) */
  readonly anchored: Uint8Array;
  /** rule index → minimum event-text length for a match (0 = none) */
  readonly minLength: Int32Array;
  private textLength = 0;
  private classOf = new Int32Array(0x10000); // code unit → class (0 = not in any literal)
  private scanClass!: Int32Array;
  private nClasses = 1;
  /** rule r's clauses are ruleClause[ruleStart[r] .. ruleStart[r + 1]) */
  private ruleStart: Int32Array;
  private ruleClause: Int32Array;
  /** per clause: the event (epoch) in which one of its literals was seen */
  private stamp: Int32Array;
  /** the clauses stamped for the current event: touched[0 .. nTouched) */
  private touched: Int32Array;
  private nTouched = 0;
  private epoch = 0;
  private byField = new Map<string, Automaton>();
  private keyword: Automaton | undefined;
  /** per rule: it has a keyword ('' field) clause */
  private usesKeyword: Uint8Array;
  /** event field (lower-cased) → Sigma fields read from it through an alias */
  private aliasOf = new Map<string, string[]>();
  /** event field name → automata to run on its value (cache) */
  private keyEntries = new Map<string, KeyEntry>();
  /** per field (lower-cased): clauses satisfied by a character outside ASCII in its value */
  private naByField = new Map<string, number[]>();
  /** keyword clause → its literals (the keyword automaton of a plan is built from its candidates' clauses) */
  private kwLits = new Map<number, string[]>();
  /** keyword automata by the clauses they hold (plans with the same keyword candidates share one) */
  private kwAutomata = new Map<string, Automaton>();
  private cachedKeys = 0;
  private cacheEntries = 0;
  private plans = new WeakMap<Int32Array, Plan>();
  /** field names of the last scanned event by position, and their entries (see `scan`) */
  private lastKeys: (string | undefined)[] = new Array<string | undefined>(MAX_POSITIONS).fill(undefined);
  private lastEntries: (KeyEntry | undefined)[] = new Array<KeyEntry | undefined>(MAX_POSITIONS).fill(undefined);
  private nAutomata = 0;
  /** per rule: the automata its clauses use */
  private ruleAutomata: number[][] = [];

  constructor(detections: (Record<string, unknown> | undefined)[], opts: PrefilterOptions = {}) {
    const n = detections.length;
    this.anchored = new Uint8Array(n);
    this.minLength = new Int32Array(n);
    this.usesKeyword = new Uint8Array(n);
    // Sigma fields with an alias to a dotted name may be read from the full document: no literal for them
    const noLit = new Set<string>();
    for (const m of opts.aliases ?? []) {
      for (const [f, target] of m) {
        if (target.includes('.')) noLit.add(f.toLowerCase());
        const t = target.toLowerCase();
        let l = this.aliasOf.get(t);
        if (!l) this.aliasOf.set(t, (l = []));
        if (!l.includes(f.toLowerCase())) l.push(f.toLowerCase());
      }
    }
    const perRule: Clause[][] = [];
    for (let i = 0; i < n; i++) {
      const d = detections[i];
      if (d) this.minLength[i] = ruleMinLength(d);
      let cs = d && !opts.unanchored?.[i] ? ruleClauses(d) : [];
      cs = cs.filter((c) => c.every((x) => !noLit.has(x.field)));
      perRule.push(cs);
    }
    // character classes: one per ASCII character used; non-ASCII units share 16 buckets (a shared class can only
    // make an automaton match more, never less)
    const bucket = new Int32Array(16);
    // "k" and "s" always have a class: KELVIN SIGN and LONG S share them (RE2's case folding does the same)
    this.classOf[107] = this.nClasses++;
    this.classOf[115] = this.nClasses++;
    for (const cs of perRule) for (const c of cs) for (const { lit } of c) if (lit !== NON_ASCII) for (let k = 0; k < lit.length; k++) {
      const ch = lit.charCodeAt(k);
      if (this.classOf[ch] !== 0) continue;
      if (ch < 128) this.classOf[ch] = this.nClasses++;
      else this.classOf[ch] = bucket[ch & 15] ||= this.nClasses++;
    }
    this.classOf[0x17f] = this.classOf[115]!;
    for (let ch = 128; ch < 0x10000; ch++) if (this.classOf[ch] === 0) this.classOf[ch] = bucket[ch & 15]!;
    const C = this.nClasses;
    // clause numbers, literals per field (in tries); a clause is dropped when the automata would pass MAX_STATES
    const tries = new Map<string, Trie>();
    const ruleFields: (Set<string> | undefined)[] = new Array<Set<string> | undefined>(n);
    const ruleStart = new Int32Array(n + 1);
    const ruleClause: number[] = [];
    let states = 0;
    let nClause = 0;
    for (let i = 0; i < n; i++) {
      ruleStart[i] = ruleClause.length;
      for (const c of perRule[i]!) {
        if (states + c.reduce((a, x) => a + (x.lit === NON_ASCII ? 0 : x.lit.length), 0) > MAX_STATES) continue;
        const id = nClause++;
        ruleClause.push(id);
        for (const { field, lit } of c) {
          if (lit === NON_ASCII) {
            let l = this.naByField.get(field);
            if (!l) this.naByField.set(field, (l = []));
            l.push(id);
            continue;
          }
          (ruleFields[i] ??= new Set()).add(field);
          let t = tries.get(field);
          if (!t) {
            tries.set(field, (t = { table: new Int32Array(64 * C), S: 1, out: [undefined], clauses: [], minLen: 0x7fffffff, numeric: false, lits: [] }));
            states++;
          }
          const before = t.S;
          this.insert(t, lit, id);
          states += t.S - before;
          if (field === '') {
            this.usesKeyword[i] = 1;
            let l = this.kwLits.get(id);
            if (!l) this.kwLits.set(id, (l = []));
            l.push(lit);
          }
        }
      }
      if (ruleClause.length > ruleStart[i]!) this.anchored[i] = 1;
    }
    ruleStart[n] = ruleClause.length;
    this.ruleStart = ruleStart;
    this.ruleClause = Int32Array.from(ruleClause);
    this.stamp = new Int32Array(nClause);
    this.touched = new Int32Array(nClause);
    // scan-time classes: the lower-casing folded in (A-Z, KELVIN SIGN → "k", "İ" → "i")
    const scanClass = this.classOf.slice();
    for (let ch = 65; ch <= 90; ch++) scanClass[ch] = this.classOf[ch + 32]!;
    scanClass[0x212a] = this.classOf[107]!;
    scanClass[0x130] = this.classOf[105]!;
    scanClass[0x17f] = this.classOf[115]!;
    this.scanClass = scanClass;
    for (const [field, t] of tries) {
      const a = this.build(t);
      if (field === '') this.keyword = a;
      else this.byField.set(field, a);
    }
    for (let i = 0; i < n; i++) {
      const ids: number[] = [];
      for (const f of ruleFields[i] ?? []) if (f !== '' && this.byField.has(f)) ids.push(this.byField.get(f)!.id);
      this.ruleAutomata.push(ids);
    }
  }

  /** add a literal to a trie (flat table, 0 = no edge: state 0 is the root, never a target) */
  private insert(t: Trie, lit: string, clause: number): void {
    const C = this.nClasses;
    let st = 0;
    for (let k = 0; k < lit.length; k++) {
      const c = this.classOf[lit.charCodeAt(k)]!;
      let nx = t.table[st * C + c]!;
      if (nx === 0) {
        nx = t.S++;
        if (t.S * C > t.table.length) {
          const bigger = new Int32Array(t.table.length * 2);
          bigger.set(t.table);
          t.table = bigger;
        }
        t.out.push(undefined);
        t.table[st * C + c] = nx;
      }
      st = nx;
    }
    const o = (t.out[st] ??= []);
    if (!o.includes(clause)) o.push(clause);
    if (lit.length < t.minLen) t.minLen = lit.length;
    if (inNumberText(lit)) t.numeric = true;
    t.clauses.push(clause);
    t.lits.push(lit);
  }

  /** trie → DFA (Aho-Corasick failure transitions folded in) */
  private build(t: Trie, numbered = true): Automaton {
    const C = this.nClasses;
    const { table, S, out } = t;
    // BFS: failure links; missing edges take the failure state's edge (class 0 always goes back to the root)
    const delta = table.subarray(0, S * C);
    // the trie's edges (met before the failure transitions are folded into their row) are the literals' characters
    const used = new Uint8Array(C);
    const fail = new Int32Array(S);
    const outLink = new Int32Array(S).fill(-1);
    const queue = new Int32Array(S);
    let qn = 0;
    delta[0] = 0;
    for (let c = 1; c < C; c++) {
      const nx = delta[c]!;
      if (nx > 0) {
        queue[qn++] = nx;
        used[c] = 1;
      }
    }
    for (let qi = 0; qi < qn; qi++) {
      const st = queue[qi]!;
      const f = fail[st]!;
      outLink[st] = out[f] ? f : outLink[f]!;
      delta[st * C] = 0;
      for (let c = 1; c < C; c++) {
        const nx = delta[st * C + c]!;
        if (nx > 0) {
          fail[nx] = delta[f * C + c]!;
          queue[qn++] = nx;
          used[c] = 1;
        } else delta[st * C + c] = delta[f * C + c]!;
      }
    }
    // renumber the states in BFS order (the shallow states a scan visits most get adjacent rows), those without
    // output on their chain first: a step to a state numbered below `reports` needs no look at its output
    const newId = new Int32Array(S);
    let next = 1;
    for (let qi = 0; qi < qn; qi++) if (!out[queue[qi]!] && outLink[queue[qi]!]! < 0) newId[queue[qi]!] = next++;
    const reports = next;
    for (let qi = 0; qi < qn; qi++) if (out[queue[qi]!] || outLink[queue[qi]!]! >= 0) newId[queue[qi]!] = next++;
    const bfsDelta = S <= 0xffff ? new Uint16Array(S * C) : new Int32Array(S * C);
    const bfsOut: (number[] | undefined)[] = new Array<number[] | undefined>(S).fill(undefined);
    const bfsLink = new Int32Array(S).fill(-1);
    for (let st = 0; st < S; st++) {
      const nw = newId[st]!;
      const from = st * C, to = nw * C;
      for (let c = 0; c < C; c++) bfsDelta[to + c] = newId[delta[from + c]!]!;
      const o = out[st];
      bfsOut[nw] = o;
      const l = outLink[st]!;
      bfsLink[nw] = l < 0 ? -1 : newId[l]!;
    }
    const report = new Int32Array(S);
    for (let st = 0; st < S; st++) report[st] = bfsOut[st] ? st : bfsLink[st]!;
    const outStart = new Int32Array(S + 1);
    for (let st = 0; st < S; st++) outStart[st + 1] = outStart[st]! + (bfsOut[st]?.length ?? 0);
    const outData = new Int32Array(outStart[S]!);
    for (let st = 0; st < S; st++) if (bfsOut[st]) outData.set(bfsOut[st]!, outStart[st]!);
    const starts = new Uint8Array(C);
    for (let c = 1; c < C; c++) if (bfsDelta[c] !== 0) starts[c] = 1;
    return { delta: bfsDelta, outStart, outData, report, reports, outLink: bfsLink, seen: new Int32Array(S), vseen: new Int32Array(S), clauses: Int32Array.from(new Set(t.clauses)), minLen: t.minLen, numeric: t.numeric, starts, used, shift: this.shiftTable(t, used), states: S, id: numbered ? this.nAutomata++ : -1 };
  }

  /**
   * The two-character shift table of an automaton whose literals are all at least MIN_SHIFT_LEN long (see `skip`).
   * With m the shortest length, a match starting at j covers the window's last two characters (ending at e) at
   * its own positions q - 2, q - 1 where q = e - j + 1; if q ≤ m, the pair is that of a literal's first m
   * characters ending at q. So no match starts before e - maxq + 1, maxq being the largest such q for the pair:
   * shift m - maxq; m - 1 for a pair no literal has that way, m when the last character is in no literal at all.
   */
  private shiftTable(t: Trie, used: Uint8Array): Uint8Array {
    const m = t.minLen;
    if (m < MIN_SHIFT_LEN) return EMPTY_SHIFT;
    const C = this.nClasses;
    const shift = new Uint8Array(C * C);
    for (let b = 0; b < C; b++) {
      const sh = used[b] === 0 ? m : m - 1;
      for (let a = 0; a < C; a++) shift[a * C + b] = sh;
    }
    for (const lit of t.lits) {
      for (let q = 2; q <= m; q++) {
        const x = this.classOf[lit.charCodeAt(q - 2)]! * C + this.classOf[lit.charCodeAt(q - 1)]!;
        if (m - q < shift[x]!) shift[x] = m - q;
      }
    }
    return shift;
  }

  /**
   * Forget the values seen (a new hunt starts): the caches belong to one run over the input. Kept across runs,
   * a second hunt of the same files would find every value already scanned, and look faster than a hunt can be.
   */
  resetCaches(): void {
    this.keyEntries.clear();
    this.cachedKeys = 0;
    this.cacheEntries = 0;
    this.lastKeys.fill(undefined);
    this.lastEntries.fill(undefined);
  }

  /** per event field name: its automata (the field's own, case-insensitively, and those aliased to it) and caches */
  private entryFor(key: string): KeyEntry {
    let e = this.keyEntries.get(key);
    if (e) return e;
    const autos: Automaton[] = [];
    const lk = key.toLowerCase();
    const own = this.byField.get(lk);
    if (own) autos.push(own);
    for (const f of this.aliasOf.get(lk) ?? []) {
      const a = this.byField.get(f);
      if (a && !autos.includes(a)) autos.push(a);
    }
    const na: number[] = [...(this.naByField.get(lk) ?? [])];
    for (const f of this.aliasOf.get(lk) ?? []) for (const c of this.naByField.get(f) ?? []) if (!na.includes(c)) na.push(c);
    if (this.keyEntries.size >= 10_000) {
      this.keyEntries.clear(); // hostile input with endless field names
      this.cacheEntries = 0;
      this.lastKeys.fill(undefined);
    }
    // value caches for the first MAX_CACHED_KEYS field names only (memory stays bounded whatever the input)
    const cache = this.cachedKeys < MAX_CACHED_KEYS;
    if (cache) this.cachedKeys++;
    const minLen = autos.reduce((m, a) => Math.min(m, a.minLen), 0x7fffffff);
    e = { autos, na: Int32Array.from(na), vc: cache ? new Map() : null, hits: 0, misses: 0, minLen, lastV: undefined, lastRec: undefined, plan: undefined, needed: false };
    this.keyEntries.set(key, e);
    return e;
  }

  /**
   * Scan the event's field values. Afterwards `hit(rule)` says whether the rule must be evaluated. When `rules`
   * is given (the event's candidate rules), the answers hold for those rules only (only the automata they need run).
   */
  scan(ev: VigieEvent, rules?: Int32Array): void {
    this.nTouched = 0;
    if (++this.epoch === 0x7fffffff) {
      this.epoch = 1;
      this.stamp.fill(0);
      for (const a of this.automata()) a.seen.fill(0);
    }
    // what the candidate rules need: their fields' automata, the keyword automaton, the text length
    const plan = rules ? this.planFor(rules) : undefined;
    const kw = plan ? plan.keyword : this.keyword;
    const walk = plan ? plan.keyword !== undefined || plan.length : true;
    const need = plan?.need;
    this.len = 0;
    this.nValues = 0;
    // events of one kind list the same field names in the same order: the entry found for the name at each
    // position is remembered, and a name equal to the last event's at that position skips the map lookup
    const lastKeys = this.lastKeys;
    const lastEntries = this.lastEntries;
    // the names and values as two arrays: listed by the reader while `fields` is not built (a value may come
    // twice: scanned twice, never missed), else the object's own (V8 copies both from the layout's caches, several
    // times faster than for-in)
    const pending = ev.pendingFields;
    const keys = pending !== undefined ? pending.keys : Object.keys(ev.fields);
    const values = pending !== undefined ? pending.values : Object.values(ev.fields);
    for (let pos = 0; pos < keys.length; pos++) {
      const k = keys[pos]!;
      const v = values[pos]!;
      let e: KeyEntry;
      if (pos < MAX_POSITIONS) {
        if (lastKeys[pos] === k) e = lastEntries[pos]!;
        else {
          e = this.entryFor(k);
          lastKeys[pos] = k;
          lastEntries[pos] = e;
        }
      } else e = this.entryFor(k);
      if (typeof v === 'string') {
        // the common case: one string; repeated values (channel, image, user…) are answered from the caches
        // (one load of the length: the site sees every kind of string V8 has, so each `.length` is a megamorphic
        // property load, not an inline read)
        const vlen = v.length;
        this.nValues++;
        this.len += vlen;
        const autos = e.autos;
        // does the plan need one of this field's automata (remembered per plan: events of one kind share it)
        let needed: boolean;
        if (e.plan === plan && plan !== undefined) needed = e.needed;
        else {
          needed = need === undefined && autos.length > 0;
          for (let i = 0; !needed && i < autos.length; i++) if (need![autos[i]!.id] === 1) needed = true;
          e.plan = plan;
          e.needed = needed;
        }
        const naCheck = e.na.length !== 0;
        if (!kw && !needed && !naCheck) continue;
        if (!naCheck && vlen < e.minLen && (!kw || vlen < kw.minLen)) continue; // too short to hold a literal
        if (e.vc !== null && vlen <= MAX_CACHED_LEN) {
          let rec: ValueRecord;
          if (e.lastV === v) rec = e.lastRec!;
          else {
            rec = this.record(e, v);
            e.lastV = v;
            e.lastRec = rec;
          }
          if (naCheck) {
            if (rec.na < 0) rec.na = NON_ASCII_RE.test(v) ? 1 : 0;
            if (rec.na === 1) this.stampAll(e.na);
          }
          if (kw) {
            // (the keyword hits a value had with another plan's keyword automaton do not count here)
            if (rec.ka !== kw) {
              rec.k = this.collectOne(kw, v);
              rec.ka = kw;
            }
            this.stampAll(rec.k!);
          }
          if (needed) this.stampAll(rec.f ??= this.collect(autos, v));
        } else {
          if (naCheck && NON_ASCII_RE.test(v)) this.stampAll(e.na);
          if (kw) this.run(kw, v);
          if (needed) for (let i = 0; i < autos.length; i++) this.run(autos[i]!, v);
        }
        continue;
      }
      if (e.na.length !== 0 && v !== null && typeof v !== 'number' && typeof v !== 'boolean') {
        // lists and objects: counted as holding a character outside ASCII, without looking
        this.stampAll(e.na);
      }
      if (walk) this.text(v, 0, kw);
      const autos = e.autos;
      for (let i = 0; i < autos.length; i++) {
        const a = autos[i]!;
        if (need === undefined || need[a.id] === 1) this.field(a, v, 0);
      }
    }
    // without the walk, no rule asked about needs the length: count it as long enough
    this.textLength = !walk ? 0x7fffffff : this.nValues === 0 ? 0 : this.len + this.nValues - 1;
  }

  /**
   * The cache record of a value of field `e` (made when new). Automata are deterministic: a value seen before
   * hits the clauses it hit then. A cache that rarely hits (times, GUIDs, record numbers) is switched off.
   */
  private record(e: KeyEntry, v: string): ValueRecord {
    const map = e.vc!;
    let rec = map.get(v);
    if (rec !== undefined) {
      e.hits++;
      return rec;
    }
    rec = { k: undefined, ka: undefined, f: undefined, na: -1 };
    if (map.size >= MAX_CACHE_ENTRIES) {
      this.cacheEntries -= map.size;
      map.clear();
    }
    if (this.cacheEntries >= MAX_TOTAL_ENTRIES) {
      // all caches together stay under MAX_TOTAL_ENTRIES values of at most MAX_CACHED_LEN characters
      for (const x of this.keyEntries.values()) x.vc?.clear();
      this.cacheEntries = 0;
    }
    map.set(v, rec);
    this.cacheEntries++;
    if (++e.misses % 128 === 0 && e.hits * 4 < e.misses) {
      // one hit for four misses or fewer so far: values of this field rarely repeat (times, GUIDs, record numbers)
      this.cacheEntries -= map.size;
      e.vc = null;
    }
    return rec;
  }

  /** every automaton: the fields', the one over every keyword, those of keyword candidate sets */
  private *automata(): Iterable<Automaton> {
    yield* this.byField.values();
    if (this.keyword) yield this.keyword;
    yield* this.kwAutomata.values();
  }

  /** stamp clauses for this event (each newly stamped one is listed in `touched`) */
  private stampAll(c: Int32Array): void {
    this.stampRange(c, 0, c.length);
  }

  /** stamp the clauses c[from .. to) */
  private stampRange(c: Int32Array, from: number, to: number): void {
    const { stamp, epoch } = this;
    const touched = this.touched;
    let nt = this.nTouched;
    for (let k = from; k < to; k++) {
      const x = c[k]!;
      if (stamp[x] !== epoch) {
        stamp[x] = epoch;
        touched[nt++] = x;
      }
    }
    this.nTouched = nt;
  }

  /** scan `v` with one automaton (stamping), and return the clauses it hit */
  private collectOne(a: Automaton, v: string): Int32Array {
    this.colN = 0;
    this.runCollect(a, v);
    return this.colN === 0 ? NONE : this.col.slice(0, this.colN);
  }

  /** scan `v` with `autos` (stamping), and return the clauses it hit */
  private collect(autos: Automaton[], v: string): Int32Array {
    this.colN = 0;
    for (let i = 0; i < autos.length; i++) this.runCollect(autos[i]!, v);
    return this.colN === 0 ? NONE : this.col.slice(0, this.colN);
  }
  /** clauses collected for the value being scanned: col[0 .. colN) */
  private col = new Int32Array(256);
  private colN = 0;
  private vepoch = 0;

  /** `run`, also collecting (once each) the clauses this one value hits, even those already stamped */
  private runCollect(a: Automaton, text: string): void {
    const n = text.length;
    if (n < a.minLen) return;
    if (++this.vepoch === 0x7fffffff) {
      this.vepoch = 1;
      for (const x of this.automata()) x.vseen.fill(0);
    }
    const { delta, report, reports, vseen } = a;
    const { scanClass, vepoch } = this;
    const C = this.nClasses;
    let s = 0;
    for (let i = 0; i < n; i++) {
      if (s === 0 && (i = this.skip(a, text, i, n)) === n) return;
      s = delta[s * C + scanClass[text.charCodeAt(i)]!]!;
      if (s < reports) continue;
      const o = report[s]!;
      if (vseen[o] !== vepoch) this.emit(a, o, true);
    }
  }

  /**
   * Report the output states on the chain from `o` (itself and its output links) not yet reported: stamp their
   * clauses; with `collect`, for the value being scanned (vseen), also list them in `col`. A state already
   * reported has had its whole chain reported too.
   */
  private emit(a: Automaton, o: number, collect: boolean): void {
    const { outStart, outData, outLink } = a;
    const seen = collect ? a.vseen : a.seen;
    const mark = collect ? this.vepoch : this.epoch;
    while (o > 0 && seen[o] !== mark) {
      seen[o] = mark;
      const from = outStart[o]!, to = outStart[o + 1]!;
      this.stampRange(outData, from, to);
      if (collect) {
        if (this.colN + to - from > this.col.length) {
          const bigger = new Int32Array(Math.max(this.col.length * 2, this.colN + to - from));
          bigger.set(this.col);
          this.col = bigger;
        }
        const col = this.col;
        let m = this.colN;
        for (let k = from; k < to; k++) col[m++] = outData[k]!;
        this.colN = m;
      }
      o = outLink[o]!;
    }
  }

  /** The plan of a candidate list (cached; consecutive events of one kind share their list). */
  private planFor(rules: Int32Array): Plan {
    if (rules === this.lastPlanRules) return this.lastPlan!;
    let plan = this.plans.get(rules);
    if (!plan) this.plans.set(rules, (plan = this.plan(rules)));
    this.lastPlanRules = rules;
    this.lastPlan = plan;
    return plan;
  }
  private lastPlanRules: Int32Array | undefined;
  private lastPlan: Plan | undefined;

  private plan(rules: Int32Array): Plan {
    const need = new Uint8Array(this.nAutomata);
    const first = new Int32Array(rules.length);
    const full = new Uint8Array(rules.length);
    let length = false;
    const kwClauses: number[] = [];
    for (let k = 0; k < rules.length; k++) {
      const r = rules[k]!;
      if (this.usesKeyword[r]) for (let i = this.ruleStart[r]!; i < this.ruleStart[r + 1]!; i++) if (this.kwLits.has(this.ruleClause[i]!)) kwClauses.push(this.ruleClause[i]!);
      if (this.minLength[r]! > 0) length = true;
      for (const id of this.ruleAutomata[r] ?? []) need[id] = 1;
      const a = this.ruleStart[r]!, b = this.ruleStart[r + 1]!;
      first[k] = this.anchored[r] !== 0 && b > a ? this.ruleClause[a]! : -1;
      full[k] = b - a > 1 || this.minLength[r]! > 0 ? 1 : 0;
    }
    const always: number[] = [];
    const byFirst = new Map<number, number[]>();
    for (let k = 0; k < rules.length; k++) {
      const c = first[k]!;
      if (c < 0) always.push(k);
      else {
        let l = byFirst.get(c);
        if (!l) byFirst.set(c, (l = []));
        l.push(k);
      }
    }
    const index = new Map<number, Int32Array>();
    const isFirst = new Int32Array((this.stamp.length + 31) >>> 5);
    for (const [c, l] of byFirst) {
      index.set(c, Int32Array.from(l));
      isFirst[c >>> 5]! |= 1 << (c & 31);
    }
    const keyword = kwClauses.length ? this.keywordAutomaton(kwClauses) : undefined;
    return { keyword, length, need, full, always: Int32Array.from(always), byFirst: index, isFirst };
  }

  /**
   * The keyword automaton of these clauses (shared by plans with the same keyword clauses): a few dozen literals
   * for the keyword rules of one log source, not every keyword of every rule, so its table stays in cache.
   */
  private keywordAutomaton(clauses: number[]): Automaton {
    const ids = [...new Set(clauses)].sort((a, b) => a - b);
    const key = ids.join(',');
    let a = this.kwAutomata.get(key);
    if (a) return a;
    // bounded: past MAX_KEYWORD_AUTOMATA sets, the automaton of every keyword (a superset: same answers)
    if (this.kwAutomata.size >= MAX_KEYWORD_AUTOMATA) return this.keyword!;
    const C = this.nClasses;
    const t: Trie = { table: new Int32Array(64 * C), S: 1, out: [undefined], clauses: [], minLen: 0x7fffffff, numeric: false, lits: [] };
    for (const id of ids) for (const lit of this.kwLits.get(id)!) this.insert(t, lit, id);
    a = this.build(t, false);
    this.kwAutomata.set(key, a);
    return a;
  }

  /** length of the event text (eventText: values joined by "\n"; numbers counted generously) and keyword scan */
  private len = 0;
  private nValues = 0;
  private text(v: FieldValue, depth: number, kw: Automaton | undefined): void {
    if (depth > 32 || v === null) return;
    if (typeof v === 'string') {
      this.nValues++;
      this.len += v.length;
      if (kw) this.run(kw, v);
    } else if (typeof v === 'number' || typeof v === 'boolean') {
      this.nValues++;
      if (kw && kw.numeric) {
        const t = String(v);
        this.len += t.length;
        this.run(kw, t);
      } else this.len += 32; // at least as long as its text
    } else if (Array.isArray(v)) for (const x of v) this.text(x, depth + 1, kw);
    else for (const x of Object.values(v)) this.text(x, depth + 1, kw);
  }

  /** the texts a field matcher tests: a string, a number's text, list elements, objects as JSON */
  private field(a: Automaton, v: FieldValue, depth: number): void {
    if (typeof v === 'string') this.run(a, v);
    else if (v === null) return;
    else if (typeof v === 'number' || typeof v === 'boolean') this.run(a, String(v));
    else if (Array.isArray(v)) {
      if (depth >= MAX_DEPTH) {
        // too deep to walk here: count every clause of the field as seen (never skips a rule wrongly)
        this.stampAll(a.clauses);
        return;
      }
      for (const x of v) {
        if (x === null) continue;
        if (typeof x === 'object' && !Array.isArray(x)) this.run(a, JSON.stringify(x));
        else this.field(a, x, depth + 1);
      }
    } else this.run(a, JSON.stringify(v));
  }

  /**
   * At the root at position i (no match in progress): the position where the next match can start, or the text's
   * length when none can. A match is at least minLen characters long, so it covers position i + minLen - 1 if it
   * starts in [i, i + minLen - 1]: when the character there is in no literal, none does, and the scan resumes
   * after it (at the root: an unused character leads there from every state). Otherwise characters that start no
   * literal are passed over one by one (a plain scan, no dependent table walk).
   */
  private skip(a: Automaton, text: string, i: number, n: number): number {
    const { used, starts, shift } = a;
    const scanClass = this.scanClass;
    const ahead = a.minLen - 1;
    if (shift.length !== 0) {
      // long literals: the pair ending the window says how far the next match can start at the earliest
      const C = this.nClasses;
      for (;;) {
        const e = i + ahead;
        if (e >= n) return n;
        const sh = shift[scanClass[text.charCodeAt(e - 1)]! * C + scanClass[text.charCodeAt(e)]!]!;
        if (sh !== 0) i += sh;
        else if (starts[scanClass[text.charCodeAt(i)]!] === 0) i++;
        else return i;
      }
    }
    for (;;) {
      const e = i + ahead;
      if (e >= n) return n;
      if (used[scanClass[text.charCodeAt(e)]!] === 0) i = e + 1;
      else if (starts[scanClass[text.charCodeAt(i)]!] === 0) i++;
      else return i;
    }
  }

  private run(a: Automaton, text: string): void {
    const n = text.length;
    if (n < a.minLen) return;
    const { delta, report, reports, seen } = a;
    const { scanClass, epoch } = this;
    const C = this.nClasses;
    let s = 0;
    for (let i = 0; i < n; i++) {
      if (s === 0 && (i = this.skip(a, text, i, n)) === n) return;
      s = delta[s * C + scanClass[text.charCodeAt(i)]!]!;
      if (s < reports) continue;
      const o = report[s]!;
      if (seen[o] !== epoch) this.emit(a, o, false);
    }
  }

  /**
   * The rules of `rules` that must be evaluated for the last scanned event (same answer as `hit` for each), as
   * positions into `rules`, written to `out` (at least as long as `rules`); returns how many.
   */
  hits(rules: Int32Array, out: Int32Array): number {
    const { anchored, stamp, epoch, minLength, textLength, ruleStart, ruleClause, touched, nTouched } = this;
    // the candidates whose first clause this event stamped (through the plan's index), and those without one;
    // the full test only for those with more to check; in list order
    const { full, always, byFirst, isFirst } = this.planFor(rules);
    let m = 0;
    for (let i = 0; i < always.length; i++) out[m++] = always[i]!;
    for (let i = 0; i < nTouched; i++) {
      const c = touched[i]!;
      if (((isFirst[c >>> 5]! >>> (c & 31)) & 1) === 0) continue;
      const l = byFirst.get(c)!;
      for (let j = 0; j < l.length; j++) out[m++] = l[j]!;
    }
    if (m > 32) out.subarray(0, m).sort();
    else {
      // insertion sort: a few candidates, mostly in order already (a typed-array sort call costs more)
      for (let i = 1; i < m; i++) {
        const x = out[i]!;
        let j = i - 1;
        while (j >= 0 && out[j]! > x) {
          out[j + 1] = out[j]!;
          j--;
        }
        out[j + 1] = x;
      }
    }
    let n = 0;
    for (let i = 0; i < m; i++) {
      const k = out[i]!;
      if (full[k] !== 0) {
        const r = rules[k]!;
        if (textLength < minLength[r]!) continue;
        if (anchored[r] !== 0) {
          let ok = true;
          for (let x = ruleStart[r]!, e = ruleStart[r + 1]!; x < e; x++) if (stamp[ruleClause[x]!] !== epoch) { ok = false; break; }
          if (!ok) continue;
        }
      }
      out[n++] = k;
    }
    return n;
  }

  /** Must the rule be evaluated for the last scanned event? */
  hit(rule: number): boolean {
    if (this.textLength < this.minLength[rule]!) return false;
    for (let i = this.ruleStart[rule]!, e = this.ruleStart[rule + 1]!; i < e; i++) if (this.stamp[this.ruleClause[i]!] !== this.epoch) return false;
    return true;
  }
}
