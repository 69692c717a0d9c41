/**
 * Sigma value modifiers and the value matchers they build.
 *
 * Values are kept in an internal form where unescaped wildcards are private-use markers (STAR, ONE) and
 * windash positions may be a DASH class marker. Adding a modifier = one entry in MODIFIERS (and, for a new
 * kind of test, one case in compile.ts `buildTests`).
 */
import RE2 from 're2';
import { RuleError } from './types.js';

export const STAR = '\uE000';
export const ONE = '\uE001';
export const DASH = '\uE002';
const DASHES = ['-', '/', '\u2013', '\u2014', '\u2015'];

/** Value after transforms: text (possibly with wildcard markers) or bytes (from utf16 encodings). */
export type Val = string | Uint8Array;

/* ------------------------------------------------------------------ lowercase cache */
let lowerMap = new Map<string, string>();
let lowerChars = 0;
/**
 * Lowercase a value, with a small cache for long strings (several rules lower the same value of an event when the
 * getter does not cache per event). Bounded: at most 4096 entries and about 4M characters, then it starts over.
 */
export function lower(s: string): string {
  if (s.length < 16) return s.toLowerCase();
  let l = lowerMap.get(s);
  if (l === undefined) {
    l = s.toLowerCase();
    if (lowerMap.size >= 4096 || lowerChars > 4_000_000) resetLower();
    lowerMap.set(s, l);
    lowerChars += s.length;
  }
  return l;
}
export function resetLower(): void {
  if (lowerMap.size > 0) lowerMap = new Map();
  lowerChars = 0;
}

/* ------------------------------------------------------------------ Sigma strings */
/** Sigma escaping: `\*` `\?` `\\` are escapes; any other backslash is literal. Unescaped `*` `?` become markers. */
export function parseSigmaString(s: string): string {
  if (!s.includes('*') && !s.includes('?') && !s.includes('\\')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\') {
      const n = s[i + 1];
      if (n === '*' || n === '?' || n === '\\') { out += n; i++; } else out += c;
    } else if (c === '*') out += STAR;
    else if (c === '?') out += ONE;
    else out += c;
  }
  return out;
}
/** Internal pattern → Sigma text for display (wildcards shown as * and ?). */
export function display(p: Val): string {
  if (typeof p !== 'string') return Buffer.from(p).toString('latin1').replace(/\0/g, '\\0');
  return p.replace(/\uE000/g, '*').replace(/\uE001/g, '?').replace(/\uE002/g, '-');
}
export const hasWildcard = (p: string): boolean => p.includes(STAR) || p.includes(ONE) || p.includes(DASH);

/* ------------------------------------------------------------------ transforms */
export interface TransformContext { placeholders?: Record<string, string[]> }
type Transform = (v: Val, ctx: TransformContext) => Val[];

const asText = (v: Val, mod: string): string => {
  if (typeof v !== 'string') return Buffer.from(v).toString('latin1');
  if (hasWildcard(v)) throw new RuleError(`modifier ${mod} cannot encode a value with wildcards (${display(v)})`);
  return v;
};
const asBytes = (v: Val, mod: string): Uint8Array => (typeof v === 'string' ? Buffer.from(asText(v, mod), 'utf8') : v);

function utf16(v: Val, mod: string, be: boolean, bom: boolean): Val[] {
  const s = typeof v === 'string' ? asText(v, mod) : Buffer.from(v).toString('utf8');
  const le = Buffer.from(s, 'utf16le');
  if (be) le.swap16();
  return [bom ? Buffer.concat([Buffer.from(be ? [0xfe, 0xff] : [0xff, 0xfe]), le]) : le];
}

function windash(v: Val): Val[] {
  if (typeof v !== 'string') throw new RuleError('modifier windash applies to text values only');
  // a dash/slash at the start of a word (not preceded by a word character, followed by one), like pySigma
  const pos: number[] = [];
  const word = (c: string | undefined): boolean => c !== undefined && /[\p{L}\p{N}_]/u.test(c);
  for (let i = 0; i < v.length; i++) {
    if ((v[i] === '-' || v[i] === '/') && !word(v[i - 1]) && word(v[i + 1])) pos.push(i);
  }
  if (pos.length === 0) return [v];
  if (pos.length > 3) {
    let s = '';
    let k = 0;
    for (let i = 0; i < v.length; i++) s += pos[k] === i ? (k++, DASH) : v[i];
    return [s];
  }
  let out = [v];
  for (const p of pos) {
    const next: string[] = [];
    for (const s of out) for (const d of DASHES) next.push(s.slice(0, p) + d + s.slice(p + 1));
    out = next;
  }
  return out;
}

function expand(v: Val, ctx: TransformContext): Val[] {
  if (typeof v !== 'string') throw new RuleError('modifier expand applies to text values only');
  // placeholders were parsed from the raw rule text: `\%` was kept as the marker char below by compile.ts
  const parts = v.split(/(%[^%\uE003]+%)/);
  let out = [''];
  for (const part of parts) {
    if (part.length > 2 && part.startsWith('%') && part.endsWith('%')) {
      const name = part.slice(1, -1);
      const ph = ctx.placeholders ?? {};
      let vals = ph[name];
      if (vals === undefined) {
        const k = Object.keys(ph).find((x) => x.toLowerCase() === name.toLowerCase());
        if (k !== undefined) vals = ph[k];
      }
      if (vals === undefined) throw new RuleError(`needs placeholder ${name}`);
      if (vals.length === 0) throw new RuleError(`placeholder ${name} is empty`);
      const next: string[] = [];
      for (const o of out) for (const x of vals) next.push(o + parseSigmaString(String(x)));
      if (next.length > 10_000) throw new RuleError(`placeholder expansion of ${name} gives more than 10000 values`);
      out = next;
    } else out = out.map((o) => o + part);
  }
  return out.map((s) => s.replace(/\uE003/g, '%'));
}

function base64(b: Uint8Array): string {
  return Buffer.from(b).toString('base64');
}
function base64offset(v: Val): Val[] {
  const b = asBytes(v, 'base64offset');
  const start = [0, 2, 3];
  const endTrim = [0, 3, 2];
  const out: string[] = [];
  for (let i = 0; i < 3; i++) {
    const enc = base64(Buffer.concat([Buffer.alloc(i, 0x20), Buffer.from(b)]));
    const t = endTrim[(b.length + i) % 3]!;
    const s = enc.slice(start[i], t === 0 ? undefined : enc.length - t);
    if (s) out.push(s);
  }
  return out;
}

/* ------------------------------------------------------------------ the modifier table */
export type ModKind = 'transform' | 'match' | 'flag' | 'time';
export interface ModifierDef { kind: ModKind; transform?: Transform }
export const MODIFIERS: Record<string, ModifierDef> = {
  // generic
  contains: { kind: 'match' }, startswith: { kind: 'match' }, endswith: { kind: 'match' },
  all: { kind: 'flag' }, exists: { kind: 'match' }, cased: { kind: 'flag' }, neq: { kind: 'flag' },
  // string transforms
  windash: { kind: 'transform', transform: (v) => windash(v) },
  base64: { kind: 'transform', transform: (v) => [base64(asBytes(v, 'base64'))] },
  base64offset: { kind: 'transform', transform: (v) => base64offset(v) },
  utf16le: { kind: 'transform', transform: (v) => utf16(v, 'utf16le', false, false) },
  wide: { kind: 'transform', transform: (v) => utf16(v, 'wide', false, false) },
  utf16be: { kind: 'transform', transform: (v) => utf16(v, 'utf16be', true, false) },
  utf16: { kind: 'transform', transform: (v) => utf16(v, 'utf16', false, true) },
  expand: { kind: 'transform', transform: expand },
  // regular expressions and their flags
  re: { kind: 'match' }, i: { kind: 'flag' }, m: { kind: 'flag' }, s: { kind: 'flag' },
  ignorecase: { kind: 'flag' }, multiline: { kind: 'flag' }, dotall: { kind: 'flag' },
  // numbers
  lt: { kind: 'match' }, lte: { kind: 'match' }, gt: { kind: 'match' }, gte: { kind: 'match' },
  // dates
  minute: { kind: 'time' }, hour: { kind: 'time' }, day: { kind: 'time' }, week: { kind: 'time' },
  month: { kind: 'time' }, year: { kind: 'time' },
  // network, references
  cidr: { kind: 'match' }, fieldref: { kind: 'match' },
};

/* ------------------------------------------------------------------ glob matcher (linear-ish, no backtracking blowup) */
const segHasClass = (seg: string): boolean => seg.includes(ONE) || seg.includes(DASH);
function segAt(s: string, pos: number, seg: string): boolean {
  if (pos < 0 || pos + seg.length > s.length) return false;
  for (let k = 0; k < seg.length; k++) {
    const p = seg.charCodeAt(k);
    if (p === 0xe001) continue;
    const c = s.charCodeAt(pos + k);
    if (p === 0xe002) {
      if (c !== 45 && c !== 47 && c !== 0x2013 && c !== 0x2014 && c !== 0x2015) return false;
    } else if (p !== c) return false;
  }
  return true;
}
function segFind(s: string, from: number, seg: string, hasClass: boolean): number {
  if (!hasClass) return s.indexOf(seg, from);
  for (let i = from; i + seg.length <= s.length; i++) if (segAt(s, i, seg)) return i;
  return -1;
}

/** Compile an internal pattern (already lowercased when matching case-insensitively) into a string test. */
export function compileGlob(pattern: string): (s: string) => boolean {
  if (!hasWildcard(pattern)) return (s) => s === pattern;
  const segs = pattern.split(STAR);
  const cls = segs.map(segHasClass);
  const n = segs.length;
  if (n === 1) return (s) => s.length === pattern.length && segAt(s, 0, pattern);
  const first = segs[0]!;
  const last = segs[n - 1]!;
  if (!cls.some(Boolean)) {
    if (n === 2) {
      if (first === '') return last === '' ? () => true : (s) => s.endsWith(last);
      if (last === '') return (s) => s.startsWith(first);
    }
    if (n === 3 && first === '' && last === '') {
      const mid = segs[1]!;
      return mid === '' ? () => true : (s) => s.includes(mid);
    }
  }
  const minLen = segs.reduce((a, x) => a + x.length, 0);
  return (s) => {
    if (s.length < minLen) return false;
    if (!segAt(s, 0, first)) return false;
    let pos = first.length;
    const endStart = s.length - last.length;
    for (let k = 1; k < n - 1; k++) {
      const seg = segs[k]!;
      if (seg === '') continue;
      const j = segFind(s, pos, seg, cls[k]!);
      if (j < 0 || j + seg.length > endStart) return false;
      pos = j + seg.length;
    }
    return endStart >= pos && segAt(s, endStart, last);
  };
}

/* ------------------------------------------------------------------ regular expressions */
/**
 * The UTF-8 bytes of the value last given to a regular expression. RE2 works on UTF-8: given a JS string, it
 * converts it on every call (~2 µs for a command line), and each rule's regex sees the value fresh. The rules of one
 * event test the same values one after the other, so the bytes are made once and every regex reads them
 * (same answers: the conversion is the same, lone surrogates become U+FFFD either way).
 */
let utf8Text: string | undefined;
let utf8Bytes: Buffer | undefined;
function utf8Of(s: string): Buffer {
  if (s !== utf8Text) {
    utf8Bytes = Buffer.from(s, 'utf8');
    utf8Text = s;
  }
  return utf8Bytes!;
}

export function compileRegex(pattern: string, flags: { i: boolean; m: boolean; s: boolean }): (s: string) => boolean {
  let re: RE2;
  try {
    re = new RE2(pattern, (flags.i ? 'i' : '') + (flags.m ? 'm' : '') + (flags.s ? 's' : '') + 'u');
  } catch (e) {
    throw new RuleError(`regular expression ${JSON.stringify(pattern)} cannot run in linear time (re2): ${(e as Error).message}`);
  }
  // Fast path for "a run of N characters" (`.{N}`, `.{N,}`, `.{N,M}`, unanchored: SigmaHQ's long command line
  // rules). RE2 runs such counted repetitions slowly (milliseconds per long value); the answer is a length count.
  // Decided here only when certain (no line break, no lone surrogate: then every character is one `.`);
  // anything else goes to RE2, so results never differ.
  const run = DOT_RUN.exec(pattern);
  if (run) {
    const n = Number(run[1]);
    const max = run[2] === undefined ? n : run[3] === '' ? Infinity : Number(run[3]);
    if (n >= 1 && max >= n) return (s) => (s.length < n ? false : dotRun(s, n, flags.s) ?? re.test(utf8Of(s)));
  }
  // A literal every match contains (printable ASCII; compared lower-cased, whatever the flags): a value without
  // it cannot match, and RE2 is not called. RE2's case folding maps only k and s outside ASCII (KELVIN SIGN,
  // LONG S): values holding those go to RE2 as they are.
  const litRun = regexRun(pattern);
  const lit = litRun !== null && litRun.length >= 2 && /^[\x20-\x7e]+$/.test(litRun) ? litRun.toLowerCase() : null;
  if (lit !== null) {
    return (s) => {
      if (!lower(s).includes(lit) && !s.includes('\u212a') && !s.includes('\u017f')) return false;
      return re.test(utf8Of(s));
    };
  }
  return (s) => re.test(utf8Of(s));
}

const DOT_RUN = /^\.\{(\d{1,6})(?:(,)(\d{0,6}))?\}$/;

/**
 * Does `s` hold `n` consecutive characters that `.` matches? true/false when certain, undefined when RE2 must
 * decide (a line break without dotAll, or a lone surrogate). Code points count once (the regex runs with `u`).
 */
export function dotRun(s: string, n: number, dotAll: boolean): boolean | undefined {
  let cp = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 10 || c === 13 || c === 0x2028 || c === 0x2029 || c === 0x85) {
      if (!dotAll) return undefined;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) i++;
      else return undefined;
    }
    if (++cp >= n) return true;
  }
  return false;
}

/**
 * The longest run of literal text every match of a regular expression contains (as written), '' when none, null
 * when the pattern is beyond this simple reading. Conservative: only the top level of a pattern without
 * alternation; a character followed by ?, * or {0 is optional; groups, classes, escapes like \s end a run.
 */
export function regexRun(re: string): string | null {
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
  return best;
}

/* ------------------------------------------------------------------ numbers */
export function toNumber(s: string): number | undefined {
  const t = s.trim();
  if (t === '') return undefined;
  if (/^[+-]?0x[0-9a-f]+$/i.test(t)) return parseInt(t, 16) * (t.startsWith('-') ? -1 : 1);
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

/* ------------------------------------------------------------------ dates */
export type TimePart = 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year';
export function timePart(ms: number, part: TimePart): number {
  const d = new Date(ms);
  switch (part) {
    case 'minute': return d.getUTCMinutes();
    case 'hour': return d.getUTCHours();
    case 'day': return d.getUTCDate();
    case 'month': return d.getUTCMonth() + 1;
    case 'year': return d.getUTCFullYear();
    case 'week': {
      // ISO-8601 week number
      const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
      const day = t.getUTCDay() || 7;
      t.setUTCDate(t.getUTCDate() + 4 - day);
      const y0 = new Date(Date.UTC(t.getUTCFullYear(), 0, 1));
      return Math.ceil(((t.getTime() - y0.getTime()) / 86400000 + 1) / 7);
    }
  }
}

/* ------------------------------------------------------------------ IP addresses and CIDR */
/** IP text → 16 bytes (IPv4 as IPv4-mapped IPv6) and whether it was v4; undefined if not an address. */
export function parseIp(text: string): { bytes: Uint8Array; v4: boolean } | undefined {
  let s = text.trim();
  if (s.startsWith('[')) { const e = s.indexOf(']'); if (e < 0) return undefined; s = s.slice(1, e); }
  const pct = s.indexOf('%');
  if (pct >= 0) s = s.slice(0, pct);
  const v4 = parseV4(s);
  if (v4) {
    const b = new Uint8Array(16);
    b[10] = 0xff; b[11] = 0xff; b.set(v4, 12);
    return { bytes: b, v4: true };
  }
  if (!s.includes(':') || s.length > 45) return undefined;
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    const t = parseV4(s.slice(lastColon + 1));
    if (!t) return undefined;
    s = `${s.slice(0, lastColon + 1)}${((t[0]! << 8) | t[1]!).toString(16)}:${((t[2]! << 8) | t[3]!).toString(16)}`;
  }
  const dbl = s.indexOf('::');
  if (dbl >= 0 && s.indexOf('::', dbl + 1) >= 0) return undefined;
  const parseGroups = (x: string): number[] | undefined => {
    if (x === '') return [];
    const out: number[] = [];
    for (const g of x.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  let groups: number[];
  if (dbl >= 0) {
    const a = parseGroups(s.slice(0, dbl));
    const b = parseGroups(s.slice(dbl + 2));
    if (!a || !b) return undefined;
    const fill = 8 - a.length - b.length;
    if (fill < 1) return undefined;
    groups = [...a, ...new Array<number>(fill).fill(0), ...b];
  } else {
    const a = parseGroups(s);
    if (!a) return undefined;
    groups = a;
    if (groups.length !== 8) return undefined;
  }
  const b = new Uint8Array(16);
  groups.forEach((g, i) => { b[2 * i] = g >> 8; b[2 * i + 1] = g & 0xff; });
  const mapped = b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
  return { bytes: b, v4: mapped };
}
/** Dotted quad → 4 numbers (each 1–3 digits, ≤ 255); one pass, no split or regex (it runs per event). */
function parseV4(s: string): number[] | undefined {
  const out: number[] = [];
  let n = 0, digits = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 46; // the end closes the last part like a dot
    if (c >= 48 && c <= 57) {
      if (++digits > 3) return undefined;
      n = n * 10 + (c - 48);
    } else if (c === 46) {
      if (digits === 0 || n > 255 || out.length === 4) return undefined;
      out.push(n);
      n = 0;
      digits = 0;
    } else return undefined;
  }
  return out.length === 4 ? out : undefined;
}

/** The address last parsed by a cidr test: a rule's list of networks, and the next rules, test the same value. */
let lastIpText: string | undefined;
let lastIp: { bytes: Uint8Array; v4: boolean } | undefined;
function parseIpCached(s: string): { bytes: Uint8Array; v4: boolean } | undefined {
  if (s !== lastIpText) {
    lastIp = parseIp(s);
    lastIpText = s;
  }
  return lastIp;
}
/** `10.0.0.0/8`, `fe80::/10`, or a single address → membership test on address text. */
export function compileCidr(spec: string): (s: string) => boolean {
  const slash = spec.indexOf('/');
  const net = parseIp(slash >= 0 ? spec.slice(0, slash) : spec);
  if (!net) throw new RuleError(`cidr: ${JSON.stringify(spec)} is not an IPv4 or IPv6 network`);
  let bits = slash >= 0 ? Number(spec.slice(slash + 1)) : net.v4 ? 32 : 128;
  const max = net.v4 ? 32 : 128;
  if (!Number.isInteger(bits) || bits < 0 || bits > max || (slash >= 0 && !/^\d{1,3}$/.test(spec.slice(slash + 1)))) {
    throw new RuleError(`cidr: ${JSON.stringify(spec)} has an invalid prefix length`);
  }
  if (net.v4) bits += 96;
  const full = bits >> 3;
  const rem = bits & 7;
  const mask = rem ? (0xff << (8 - rem)) & 0xff : 0;
  const nb = net.bytes;
  return (s) => {
    const ip = parseIpCached(s);
    if (!ip) return false;
    const b = ip.bytes;
    for (let k = 0; k < full; k++) if (b[k] !== nb[k]) return false;
    return rem === 0 || (b[full]! & mask) === (nb[full]! & mask);
  };
}
