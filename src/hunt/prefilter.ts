/**
 * Prefilter: most Sigma rules cannot match unless one of a few literal strings occurs in the event (the
 * `contains`/`startswith`/`endswith`/equality values of a selection the condition requires). For each rule we
 * derive such a set of "anchors" conservatively (when in doubt: no anchors, the rule is always evaluated); all
 * anchors go into one Aho-Corasick automaton (a flat DFA over the characters that occur in anchors), run once
 * over the event's lower-cased text. A rule with anchors is then evaluated only when one of them occurred: the
 * thousands of rules that share the process_creation log source cost one pass over the event text, not
 * thousands of matcher calls. This never changes results (anchors are necessary conditions), only speed.
 */
import type { FieldValue, VigieEvent } from '../event.js';
import { parseCondition, type CondNode } from '../sigma/condition.js';
import { parseSigmaString, STAR, ONE, MODIFIERS, type Val } from '../sigma/modifiers.js';

type Anchors = string[] | null;

/** modifiers under which the value's literal text must appear in the field value (case-insensitively) */
const SAFE_MODS = new Set(['contains', 'startswith', 'endswith', 'all', 'cased', 'windash']);
const ENCODINGS = new Set(['base64', 'base64offset', 'utf16le', 'utf16be', 'utf16', 'wide']);
const RE_MODS = new Set(['re', 'i', 'm', 's', 'ignorecase', 'multiline', 'dotall', 'all', 'cased']);
const MAX_ANCHORS_PER_RULE = 4096;

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
function literalOf(v: unknown, windash = false): string | null {
  if (typeof v !== 'string' || v === '') return null;
  const parsed = parseSigmaString(v);
  let best = '';
  for (const part of parsed.split(windash ? SPLIT_WINDASH : SPLIT_WILDCARDS)) if (part.length > best.length) best = part;
  if (best === '' || /^\d+$/.test(best)) return null;
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
export function regexLiteral(re: string): string | null {
  if (typeof re !== 'string' || re.length > 4096 || re.includes('\\Q')) return null;
  if (/\(\?[a-zA-Z-]*x/.test(re)) return null;
  const runs: string[] = [];
  let cur = '';
  let depth = 0;
  const end = () => {
    if (cur) runs.push(cur);
    cur = '';
  };
  for (let i = 0; i < re.length; i++) {
    const c = re[i];
    if (c === '\\') {
      const n = re[i + 1];
      if (n === undefined) return null;
      i++;
      if (depth > 0) continue;
      if (/[A-Za-z0-9]/.test(n)) { end(); continue; } // \s \d \b \x41 …: not a literal
      const q = re[i + 1];
      if (q === '?' || q === '*' || (q === '{' && /^\{0[,}]/.test(re.slice(i + 1)))) { end(); continue; }
      cur += n;
      if (q === '+' || q === '{') end();
      continue;
    }
    if (c === '[') {
      // skip a character class
      let j = i + 1;
      if (re[j] === '^') j++;
      if (re[j] === ']') j++;
      while (j < re.length && re[j] !== ']') j += re[j] === '\\' ? 2 : 1;
      i = j;
      if (depth === 0) end();
      continue;
    }
    if (c === '(') { depth++; end(); continue; }
    if (c === ')') { depth--; if (depth < 0) return null; end(); continue; }
    if (c === '|') {
      if (depth === 0) return null; // top-level alternation
      continue;
    }
    if (depth > 0) continue;
    if (c === '{') {
      // a counted repetition: skip its bounds
      const j = re.indexOf('}', i);
      if (j < 0) return null;
      i = j;
      end();
      continue;
    }
    if ('.^$*+?}'.includes(c)) { end(); continue; }
    const q = re[i + 1];
    if (q === '?' || q === '*' || (q === '{' && /^\{0[,}]/.test(re.slice(i + 1)))) { end(); continue; }
    cur += c;
    if (q === '+' || q === '{') end();
  }
  end();
  let best = '';
  for (const r of runs) if (r.length > best.length) best = r;
  if (best.length < 3) return null;
  const l = best.toLowerCase();
  if (l.length !== best.length || !usable(l)) return null;
  return l;
}

function better(a: Anchors, b: Anchors): Anchors {
  if (!a) return b;
  if (!b) return a;
  const minA = Math.min(...a.map((x) => x.length));
  const minB = Math.min(...b.map((x) => x.length));
  if (minA !== minB) return minA > minB ? a : b;
  return a.length <= b.length ? a : b;
}

function union(a: Anchors, b: Anchors): Anchors {
  if (!a || !b) return null;
  const u = [...new Set([...a, ...b])];
  return u.length > MAX_ANCHORS_PER_RULE ? null : u;
}

/** One `field|mods: values` item → anchors (any one of them must occur), or null. */
function itemAnchors(key: string, value: unknown): Anchors {
  const parts = key.split('|');
  const field = parts[0];
  if (field.includes('.')) return null; // may be read from the full document, not from the flat fields
  const mods = parts.slice(1).map((m) => m.trim().toLowerCase());
  const values = Array.isArray(value) ? value : [value];
  if (values.length === 0) return null;
  let lits: (string | null)[];
  if (mods.includes('re')) {
    if (mods.some((m) => !RE_MODS.has(m))) return null;
    lits = values.map((v) => (typeof v === 'string' ? regexLiteral(v) : null));
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
    lits = values.map((v) => literalOf(v, wd));
  }
  if (mods.includes('all')) {
    let best: Anchors = null;
    for (const l of lits) if (l) best = better(best, [l]);
    return best;
  }
  if (lits.some((l) => l === null)) return null;
  const u = [...new Set(lits as string[])];
  return u.length > MAX_ANCHORS_PER_RULE ? null : u;
}

function selectionAnchors(sel: unknown): Anchors {
  if (isObj(sel)) {
    let best: Anchors = null;
    for (const [k, v] of Object.entries(sel)) best = better(best, itemAnchors(k, v)); // AND: any one item is required
    return best;
  }
  if (Array.isArray(sel)) {
    if (sel.length === 0) return null;
    if (sel.every((x) => isObj(x))) {
      let acc: Anchors = [];
      for (const m of sel) acc = union(acc, selectionAnchors(m)); // OR of maps
      return acc && acc.length ? acc : null;
    }
    if (sel.every((x) => typeof x === 'string')) {
      const lits = sel.map((x) => literalOf(x));
      return lits.some((l) => l === null) ? null : [...new Set(lits as string[])]; // keywords: OR
    }
    return null;
  }
  if (typeof sel === 'string') {
    const l = literalOf(sel);
    return l ? [l] : null;
  }
  return null;
}

function globMatcher(pattern: string): (n: string) => boolean {
  if (!pattern.includes('*')) return (n) => n === pattern;
  const re = new RegExp('^' + pattern.split('*').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
  return (n) => re.test(n);
}

function condAnchors(node: CondNode, det: Record<string, unknown>, names: string[], depth: number): Anchors {
  if (depth > 64) return null;
  switch (node.t) {
    case 'id':
      return Object.prototype.hasOwnProperty.call(det, node.name) ? selectionAnchors(det[node.name]) : null;
    case 'and':
      return better(condAnchors(node.a, det, names, depth + 1), condAnchors(node.b, det, names, depth + 1));
    case 'or':
      return union(condAnchors(node.a, det, names, depth + 1), condAnchors(node.b, det, names, depth + 1));
    case 'not':
      return null;
    case 'of': {
      const m = node.pattern === 'them' ? () => true : globMatcher(node.pattern);
      if (node.all) {
        // only identifiers the engine certainly requires ("them" leaves out _-prefixed ones)
        const req = names.filter((n) => m(n) && !(node.pattern === 'them' && n.startsWith('_')));
        let best: Anchors = null;
        for (const n of req) best = better(best, selectionAnchors(det[n]));
        return best;
      }
      const alts = names.filter(m); // superset of the alternatives: still a necessary condition
      if (alts.length === 0) return null;
      let acc: Anchors = [];
      for (const n of alts) acc = union(acc, selectionAnchors(det[n]));
      return acc && acc.length ? acc : null;
    }
  }
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

/** Anchors of a rule's detection: one of them occurs in every event the rule matches; null = always evaluate. */
export function ruleAnchors(detection: Record<string, unknown>): Anchors {
  try {
    const cond = detection.condition;
    const conds = Array.isArray(cond) ? cond : [cond];
    if (conds.length === 0 || conds.some((c) => typeof c !== 'string')) return null;
    const names = Object.keys(detection).filter((k) => k !== 'condition' && k !== 'timeframe');
    let acc: Anchors = [];
    for (const c of conds as string[]) acc = union(acc, condAnchors(parseCondition(c), detection, names, 0));
    return acc && acc.length ? acc : null;
  } catch {
    return null;
  }
}

const MAX_LEN = 10;
const MAX_TABLE = 16 * 1024 * 1024; // DFA cells (Int32): ~96 MiB worst case; beyond it, later anchors are dropped

/** Aho-Corasick over all rules' anchors, compiled into a flat DFA over the characters anchors use. */
export class Prefilter {
  /** rule index → has anchors (else always evaluated) */
  readonly anchored: Uint8Array;
  /** rule index → minimum event-text length for a match (0 = none) */
  readonly minLength: Int32Array;
  private textLength = 0;
  private classOf = new Int32Array(0x10000); // code unit → class (0 = not in any anchor)
  private nClasses = 1;
  /** the DFA: row per state, column per class (16-bit cells when the states fit: half the cache footprint) */
  private delta!: Int32Array | Uint16Array;
  /** per state: rules whose anchor ends here (own), and the next state on the failure chain with output */
  private out: (number[] | undefined)[] = [];
  private outLink!: Int32Array;
  private stamp: Int32Array;
  /** per automaton state: last event whose scan reported its outputs */
  private seen!: Int32Array;
  private epoch = 0;
  readonly anchorCount: number;
  readonly states: number;

  constructor(detections: (Record<string, unknown> | undefined)[]) {
    const n = detections.length;
    this.anchored = new Uint8Array(n);
    this.minLength = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const d = detections[i];
      if (d) this.minLength[i] = ruleMinLength(d);
    }
    this.stamp = new Int32Array(n);
    const lists: { rule: number; lits: string[] }[] = [];
    for (let i = 0; i < n; i++) {
      const d = detections[i];
      const a = d ? ruleAnchors(d) : null;
      if (a) lists.push({ rule: i, lits: a });
    }
    // shorten anchors to their last MAX_LEN units (a part of a necessary literal is still necessary): bounds the
    // automaton's size for rules with thousands of hashes
    for (const x of lists) x.lits = [...new Set(x.lits.map((l) => (l.length > MAX_LEN ? l.slice(-MAX_LEN) : l)))];
    // classes: one per ASCII character used; non-ASCII units share 16 buckets (a shared class can only make the
    // automaton match more, never less)
    const bucket = new Int32Array(16);
    for (const { lits } of lists) for (const l of lits) for (let k = 0; k < l.length; k++) {
      const c = l.charCodeAt(k);
      if (this.classOf[c] !== 0) continue;
      if (c < 128) this.classOf[c] = this.nClasses++;
      else this.classOf[c] = bucket[c & 15] ||= this.nClasses++;
    }
    for (let c = 128; c < 0x10000; c++) if (this.classOf[c] === 0) this.classOf[c] = bucket[c & 15];
    // trie in a flat table (0 = no edge: state 0 is the root, never a target), then turned into the DFA in place
    const C = this.nClasses;
    let table = new Int32Array(1024 * C);
    let S = 1;
    const out: (number[] | undefined)[] = [undefined];
    let count = 0;
    for (const { rule, lits } of lists) {
      if ((S + lits.reduce((n, l) => n + l.length, 0)) * C > MAX_TABLE) continue; // table full: rule stays un-anchored
      for (const l of lits) {
        let st = 0;
        for (let k = 0; k < l.length; k++) {
          const c = this.classOf[l.charCodeAt(k)];
          let nx = table[st * C + c];
          if (nx === 0) {
            nx = S++;
            if (S * C > table.length) {
              const bigger = new Int32Array(table.length * 2);
              bigger.set(table);
              table = bigger;
            }
            out.push(undefined);
            table[st * C + c] = nx;
          }
          st = nx;
        }
        (out[st] ??= []).push(rule);
        count++;
      }
      this.anchored[rule] = 1;
    }
    this.anchorCount = count;
    this.states = S;
    // BFS: failure links; missing edges take the failure state's edge (class 0 always goes back to the root)
    const delta = table.subarray(0, S * C);
    const fail = new Int32Array(S);
    const outLink = new Int32Array(S).fill(-1);
    const queue = new Int32Array(S);
    let qn = 0;
    delta[0] = 0;
    for (let c = 1; c < C; c++) {
      const nx = delta[c];
      if (nx > 0) queue[qn++] = nx;
    }
    for (let qi = 0; qi < qn; qi++) {
      const st = queue[qi];
      const f = fail[st];
      outLink[st] = out[f] ? f : outLink[f];
      delta[st * C] = 0;
      for (let c = 1; c < C; c++) {
        const nx = delta[st * C + c];
        if (nx > 0) {
          fail[nx] = delta[f * C + c];
          queue[qn++] = nx;
        } else delta[st * C + c] = delta[f * C + c];
      }
    }
    // renumber the states in BFS order: the shallow states a scan visits most get adjacent rows of the table
    // (with the trie's insertion order they were spread over the whole table: a cache miss per character)
    const newId = new Int32Array(S);
    for (let qi = 0; qi < qn; qi++) newId[queue[qi]!] = qi + 1;
    const bfsDelta = S <= 0xffff ? new Uint16Array(S * C) : new Int32Array(S * C);
    const bfsOut: (number[] | undefined)[] = new Array<number[] | undefined>(S).fill(undefined);
    const bfsLink = new Int32Array(S).fill(-1);
    for (let st = 0; st < S; st++) {
      const nw = newId[st]!;
      const from = st * C, to = nw * C;
      for (let c = 0; c < C; c++) bfsDelta[to + c] = newId[delta[from + c]!]!;
      bfsOut[nw] = out[st];
      const l = outLink[st]!;
      bfsLink[nw] = l < 0 ? -1 : newId[l]!;
    }
    this.finish(bfsDelta, bfsOut, bfsLink, S);
  }

  private finish(delta: Int32Array | Uint16Array, out: (number[] | undefined)[], outLink: Int32Array, S: number): void {
    this.delta = delta;
    this.out = out;
    this.outLink = outLink;
    this.seen = new Int32Array(S);
    // scan-time tables: the class of a code unit with the scan's lower-casing folded in (A-Z, KELVIN SIGN, "İ"),
    // and per state the first state with output on its chain (itself or its output link)
    const scanClass = this.classOf.slice();
    for (let c = 65; c <= 90; c++) scanClass[c] = this.classOf[c + 32]!;
    scanClass[0x212a] = this.classOf[107]!;
    scanClass[0x130] = this.classOf[105]!;
    this.scanClass = scanClass;
    const report = new Int32Array(S);
    for (let st = 0; st < S; st++) report[st] = out[st] ? st : outLink[st]!;
    this.report = report;
  }
  private scanClass!: Int32Array;
  private report!: Int32Array;

  /** Run the automaton over the event's text; afterwards `hit(rule)` says whether an anchor of the rule occurred. */
  scan(ev: VigieEvent): void {
    if (++this.epoch === 0x7fffffff) {
      this.epoch = 1;
      this.stamp.fill(0);
      this.seen.fill(0);
    }
    // scan the field values one by one, feeding the automaton the "\n" separator between them: the same state
    // sequence and length as a scan of eventText(ev) (the values joined by "\n"), without building the joined copy
    this.s = 0;
    this.n = 0;
    this.nValues = 0;
    const fields = ev.fields;
    for (const k in fields) {
      if (Object.prototype.hasOwnProperty.call(fields, k)) this.value(fields[k]!, 0);
    }
    this.textLength = this.nValues === 0 ? 0 : this.n + this.nValues - 1;
  }

  /** automaton state, characters scanned and values seen during the current scan */
  private s = 0;
  private n = 0;
  private nValues = 0;

  /** Same walk as eventText: strings, numbers and booleans in order, arrays and objects recursively (depth ≤ 32). */
  private value(v: FieldValue, depth: number): void {
    if (depth > 32 || v === null) return;
    if (typeof v === 'string') this.run(v);
    else if (typeof v === 'number' || typeof v === 'boolean') this.run(String(v));
    else if (Array.isArray(v)) for (const x of v) this.value(x, depth + 1);
    else for (const x of Object.values(v)) this.value(x, depth + 1);
  }

  private run(text: string): void {
    const { delta, scanClass, out, outLink, report, stamp, epoch, seen } = this;
    const C = this.nClasses;
    let s = this.s;
    // the "\n" separator before every value but the first: one step, its outputs reported like any character
    if (this.nValues++ !== 0) {
      s = delta[s * C + scanClass[10]!]!;
      let o = s === 0 ? 0 : report[s]!;
      while (o > 0 && seen[o] !== epoch) {
        seen[o] = epoch;
        for (const r of out[o]!) stamp[r] = epoch;
        o = outLink[o];
      }
    }
    for (let i = 0; i < text.length; i++) {
      // scanClass folds in the lower-casing: A-Z → a-z, KELVIN SIGN → "k", "İ" → "i" (its combining mark
      // U+0307 then resets, as it should)
      s = delta[s * C + scanClass[text.charCodeAt(i)]!]!;
      if (s === 0) continue;
      let o = report[s]!;
      // an output state already reported for this event has had its whole chain reported too
      while (o > 0 && seen[o] !== epoch) {
        seen[o] = epoch;
        for (const r of out[o]!) stamp[r] = epoch;
        o = outLink[o];
      }
    }
    this.s = s;
    this.n += text.length;
  }

  /**
   * The rules of `rules` that must be evaluated for the last scanned event (same answer as `hit` for each), as
   * positions into `rules`, written to `out` (at least as long as `rules`); returns how many.
   */
  hits(rules: Int32Array, out: Int32Array): number {
    const { anchored, stamp, epoch, minLength, textLength } = this;
    let n = 0;
    for (let k = 0; k < rules.length; k++) {
      const r = rules[k]!;
      if ((anchored[r] === 0 || stamp[r] === epoch) && textLength >= minLength[r]!) out[n++] = k;
    }
    return n;
  }

  /** Must the rule be evaluated for the last scanned event? */
  hit(rule: number): boolean {
    return (this.anchored[rule] === 0 || this.stamp[rule] === this.epoch) && this.textLength >= this.minLength[rule];
  }
}
