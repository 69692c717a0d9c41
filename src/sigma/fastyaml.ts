/**
 * A fast reader for the YAML subset Sigma rule files are written in: block mappings and sequences, plain,
 * single- and double-quoted one-line scalars, literal block scalars (`|`, `|-`), comments, `---` between documents.
 * It builds the same plain values (YAML 1.2 core schema) and the same key-path → line map as the full `yaml`
 * package path in load.ts, about ten times faster. Anything outside the subset (anchors, tags, flow collections,
 * folded or multi-line scalars, tabs in indentation, duplicate keys, anything the `yaml` package would report as an
 * error…) makes it give up (`null`) and the caller parses the file with the `yaml` package, which also produces
 * every error message: the fast path never decides that a file is wrong.
 */

export interface FastDocument {
  /** the document's root mapping as plain values */
  value: Record<string, unknown>;
  /** key path ("detection/selection", "tags/0") → 1-based line (when asked for) */
  lines?: Map<string, number>;
  /** line of the root mapping (its first key) */
  line: number;
}

class Unsupported extends Error {}
const unsupported = (): never => {
  throw new Unsupported();
};

const MAX_DEPTH = 48;
const MAX_NODES = 100_000;
/** characters after which the `yaml` package's handling differs from this reader (controls, CR, NEL, BOM…) */
const SPECIAL = /[\x00-\x08\x0b-\x1f\x7f\u0085\u2028\u2029\ufeff]/;

/** Own-property assignment safe for keys like "__proto__" (same as load.ts). */
function setKey(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__' || k === 'constructor' || k === 'prototype') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

// YAML 1.2 core schema, as the `yaml` package resolves plain scalars
const NULL_RE = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL_RE = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const NUM_RE = /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?)$/;

/** A plain scalar's value; numbers whose text does not round-trip keep their text (as load.ts does). */
function plainValue(s: string): unknown {
  const c = s.charCodeAt(0);
  // fast exit: most Sigma values start with a letter other than n/N/t/T/f/F
  if (s.length === 0) return null;
  if (c === 0x7e || c === 0x6e || c === 0x4e) { if (NULL_RE.test(s)) return null; }
  else if (c === 0x74 || c === 0x54 || c === 0x66 || c === 0x46) { if (BOOL_RE.test(s)) return s.charCodeAt(0) === 0x74 || s.charCodeAt(0) === 0x54; }
  else if ((c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e) {
    if (NUM_RE.test(s)) {
      const n = Number(s);
      return String(n) === s ? n : s;
    }
  }
  return s;
}

const ESCAPES: Record<string, string> = {
  '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b', ' ': ' ', '"': '"',
  '/': '/', '\\': '\\', N: '\u0085', _: '\u00a0', L: '\u2028', P: '\u2029',
};

function indentOf(line: string): number {
  let n = 0;
  while (n < line.length && line.charCodeAt(n) === 0x20) n++;
  return n;
}

/** blank (spaces only) or comment-only line; a tab before the content is outside the subset */
function insignificant(line: string): boolean {
  const n = indentOf(line);
  if (n === line.length) return true;
  const c = line.charCodeAt(n);
  if (c === 0x09) unsupported();
  return c === 0x23; // '#'
}

/** `…'` from position i (just after the opening quote) on one line → [value, index after the closing quote] */
function singleQuoted(s: string, i: number): [string, number] {
  let out = '';
  for (;;) {
    const q = s.indexOf("'", i);
    if (q < 0) return unsupported(); // continues on the next line
    out += s.slice(i, q);
    if (s.charCodeAt(q + 1) === 0x27) {
      out += "'";
      i = q + 2;
    } else return [out, q + 1];
  }
}

function doubleQuoted(s: string, i: number): [string, number] {
  let out = '';
  let start = i;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) return [out + s.slice(start, i), i + 1];
    if (c !== 0x5c) continue;
    out += s.slice(start, i);
    const e = s[i + 1];
    if (e === undefined) unsupported();
    let len = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (len) {
      const hex = s.slice(i + 2, i + 2 + len);
      if (hex.length !== len || !/^[0-9a-fA-F]+$/.test(hex)) unsupported();
      const cp = parseInt(hex, 16);
      if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) unsupported();
      out += String.fromCodePoint(cp);
      i += 1 + len;
    } else {
      const r = ESCAPES[e!];
      if (r === undefined) unsupported();
      out += r;
      i += 1;
    }
    start = i + 1;
  }
  return unsupported(); // continues on the next line
}

/** After a quoted scalar: only spaces, then nothing or a comment. */
function endOfValue(s: string, i: number): void {
  while (s.charCodeAt(i) === 0x20) i++;
  if (i === s.length) return;
  if (s.charCodeAt(i) === 0x23 && s.charCodeAt(i - 1) === 0x20) return;
  unsupported();
}

/** Characters a plain scalar may not start with (YAML c-indicators), '-', '?', ':' only when followed by a space. */
function plainStartOk(s: string, i: number): boolean {
  const c = s[i];
  if (c === undefined) return false;
  if ('[]{},#&*!|>\'"%@`'.includes(c)) return false;
  if (c === '-' || c === '?' || c === ':') {
    const n = s.charCodeAt(i + 1);
    return !(Number.isNaN(n) || n === 0x20 || n === 0x09);
  }
  return true;
}

/** End of a plain scalar on its line (before a comment), trailing blanks removed. */
function plainEnd(s: string, i: number): number {
  let end = s.length;
  for (let j = i; j < s.length; j++) {
    if (s.charCodeAt(j) === 0x23 && (s.charCodeAt(j - 1) === 0x20 || s.charCodeAt(j - 1) === 0x09)) {
      end = j;
      break;
    }
  }
  while (end > i && (s.charCodeAt(end - 1) === 0x20 || s.charCodeAt(end - 1) === 0x09)) end--;
  return end;
}

/**
 * One line of a plain scalar from s[c], trimmed, and whether a comment ends it (which ends the scalar).
 * A line that reads as "key: value" is outside the subset.
 */
function plainLine(s: string, c: number): [string, boolean] {
  const e = plainEnd(s, c);
  const text = s.slice(c, e);
  if (text.includes(': ') || text.endsWith(':') || text.includes(':\t')) unsupported();
  let k = e;
  while (s.charCodeAt(k) === 0x20 || s.charCodeAt(k) === 0x09) k++;
  return [text, k < s.length];
}

interface Key { key: string; after: number }

/** `key:` at position i (followed by a space or the end of the line) → the key and the index after the ':'. */
function keyAt(s: string, i: number): Key | null {
  const c = s.charCodeAt(i);
  if (c === 0x27 || c === 0x22) {
    const [k, j] = c === 0x27 ? singleQuoted(s, i + 1) : doubleQuoted(s, i + 1);
    let x = j;
    while (s.charCodeAt(x) === 0x20) x++;
    if (s.charCodeAt(x) !== 0x3a) return null;
    const n = s.charCodeAt(x + 1);
    if (!(Number.isNaN(n) || n === 0x20)) return null;
    return { key: k, after: x + 1 };
  }
  if (!plainStartOk(s, i)) return null;
  for (let j = i; j < s.length; j++) {
    const ch = s.charCodeAt(j);
    if (ch === 0x23 && (s.charCodeAt(j - 1) === 0x20 || s.charCodeAt(j - 1) === 0x09)) return null; // comment: no key
    if (ch === 0x3a) {
      const n = s.charCodeAt(j + 1);
      if (Number.isNaN(n) || n === 0x20) {
        let e = j;
        while (e > i && s.charCodeAt(e - 1) === 0x20) e--;
        const key = s.slice(i, e);
        if (key.includes('\t')) unsupported();
        if (typeof plainValue(key) !== 'string') unsupported(); // null/bool/number keys: let the yaml package decide
        return { key, after: j + 1 };
      }
      if (n === 0x09) unsupported();
    }
  }
  return null;
}

class Reader {
  private i = 0;
  private nodes = 0;
  /** `lines` undefined: values only (no key paths built) */
  constructor(private readonly L: string[], private end: number, private readonly lines: Map<string, number> | undefined) {}

  /** next significant line index (skipping blanks and comments), or -1 */
  private next(): number {
    while (this.i < this.end) {
      if (!insignificant(this.L[this.i]!)) return this.i;
      this.i++;
    }
    return -1;
  }

  private count(depth: number): void {
    if (++this.nodes > MAX_NODES || depth > MAX_DEPTH) unsupported();
  }

  private mark(path: string, line: number): void {
    if (this.lines && !this.lines.has(path)) this.lines.set(path, line);
  }

  document(start: number): { value: Record<string, unknown>; line: number } | null {
    this.i = start;
    const l = this.next();
    if (l < 0) return null; // empty document
    const s = this.L[l]!;
    if (indentOf(s) !== 0) unsupported();
    if (!keyAt(s, 0)) unsupported(); // not a mapping
    const value = this.mapping(0, 0, '', 0);
    if (this.next() >= 0) unsupported(); // something left at the end
    return { value, line: l + 1 };
  }

  /** A block mapping whose keys sit at column `indent`; its first key may start mid-line at `first` (after "- "). */
  private mapping(indent: number, first: number, path: string, depth: number): Record<string, unknown> {
    this.count(depth);
    const out: Record<string, unknown> = {};
    let seen: Set<string> | undefined;
    let firstLine = true;
    for (;;) {
      const l = this.next();
      if (l < 0) break;
      const s = this.L[l]!;
      let col: number;
      if (firstLine) col = first;
      else {
        col = indentOf(s);
        if (col < indent) break;
        if (col > indent) unsupported();
      }
      const k = keyAt(s, col);
      if (!k) unsupported();
      if (firstLine) this.mark(path, l + 1);
      firstLine = false;
      const p = !this.lines ? '' : path === '' ? k!.key : `${path}/${k!.key}`;
      this.lines?.set(p, l + 1);
      if (Object.prototype.hasOwnProperty.call(out, k!.key) || (seen?.has(k!.key))) unsupported();
      (seen ??= new Set()).add(k!.key);
      setKey(out, k!.key, this.value(s, l, k!.after, indent, true, p, depth + 1));
    }
    return out;
  }

  /** A block sequence whose "-" sit at column `indent`. */
  private sequence(indent: number, path: string, depth: number): unknown[] {
    this.count(depth);
    const out: unknown[] = [];
    for (;;) {
      const l = this.next();
      if (l < 0) break;
      const s = this.L[l]!;
      const col = indentOf(s);
      if (col !== indent || s.charCodeAt(col) !== 0x2d) break;
      const n = s.charCodeAt(col + 1);
      if (!(Number.isNaN(n) || n === 0x20)) break; // "-foo": not an entry (the caller decides)
      const p = this.lines ? `${path}/${out.length}` : '';
      let c = col + 1;
      while (s.charCodeAt(c) === 0x20) c++;
      if (c >= s.length || s.charCodeAt(c) === 0x23) {
        // nested block on the next lines
        this.i = l + 1;
        const nl = this.next();
        if (nl < 0) unsupported();
        const ns = this.L[nl]!;
        const ni = indentOf(ns);
        if (ni <= indent) unsupported(); // null entry
        this.mark(p, nl + 1);
        out.push(this.block(ni, p, depth + 1));
        continue;
      }
      if (s.charCodeAt(c) === 0x2d && (c + 1 >= s.length || s.charCodeAt(c + 1) === 0x20)) unsupported(); // "- - x"
      if (keyAt(s, c)) {
        this.mark(p, l + 1);
        out.push(this.mapping(c, c, p, depth + 1));
        continue;
      }
      out.push(this.value(s, l, col + 1, indent, false, p, depth + 1));
    }
    return out;
  }

  /** A block node (mapping or sequence) starting on the current significant line at column `indent`. */
  private block(indent: number, path: string, depth: number): unknown {
    const l = this.i;
    const s = this.L[l]!;
    if (s.charCodeAt(indent) === 0x2d && (indent + 1 >= s.length || s.charCodeAt(indent + 1) === 0x20)) return this.sequence(indent, path, depth);
    if (keyAt(s, indent)) return this.mapping(indent, indent, path, depth);
    // a plain scalar starting on the line after its key
    this.mark(path, l + 1);
    const v = this.plain(s, l, indent, indent - 1);
    const nl = this.next();
    if (nl >= 0 && indentOf(this.L[nl]!) > indent - 1) unsupported();
    return v;
  }

  /**
   * A plain scalar from s[c] on line l, with its continuation lines (indented more than `owner`): lines are folded
   * into one space, n empty lines into n line breaks. Leaves the reader after its last line.
   */
  private plain(s: string, l: number, c: number, owner: number): unknown {
    if (!plainStartOk(s, c)) unsupported();
    let [text, comment] = plainLine(s, c);
    let i = l + 1;
    let empties = 0;
    for (; i < this.end && !comment; i++) {
      const t = this.L[i]!;
      const ind = indentOf(t);
      if (ind === t.length) {
        empties++;
        continue;
      }
      if (ind <= owner) break;
      if (t.charCodeAt(ind) === 0x23) break; // a comment line ends the scalar (more-indented text after it: caller rejects)
      if (!plainStartOk(t, ind)) unsupported(); // indicator inside the scalar
      const [more, c2] = plainLine(t, ind);
      text += (empties ? '\n'.repeat(empties) : ' ') + more;
      comment = c2;
      empties = 0;
    }
    this.i = i;
    return plainValue(text);
  }

  /**
   * The value after "key:" or "- " on line l from column c. `owner` is the column of the key (or of the "-");
   * `inMap` allows a sequence at the key's own column ("key:\n- a").
   */
  private value(s: string, l: number, c: number, owner: number, inMap: boolean, path: string, depth: number): unknown {
    this.count(depth);
    while (s.charCodeAt(c) === 0x20) c++;
    if (s.charCodeAt(c) === 0x09) unsupported();
    if (c >= s.length || s.charCodeAt(c) === 0x23) {
      this.i = l + 1;
      const nl = this.next();
      if (nl < 0) return null;
      const ns = this.L[nl]!;
      const ni = indentOf(ns);
      if (ni > owner) return this.block(ni, path, depth);
      if (inMap && ni === owner && ns.charCodeAt(ni) === 0x2d && (ni + 1 >= ns.length || ns.charCodeAt(ni + 1) === 0x20)) return this.sequence(ni, path, depth);
      return null;
    }
    this.mark(path, l + 1);
    const ch = s.charCodeAt(c);
    let v: unknown;
    if (ch === 0x7c) v = this.literal(s, l, c, owner);
    else {
      if (ch === 0x27 || ch === 0x22) {
        const [str, j] = ch === 0x27 ? singleQuoted(s, c + 1) : doubleQuoted(s, c + 1);
        endOfValue(s, j);
        v = str;
        this.i = l + 1;
      } else v = this.plain(s, l, c, owner);
    }
    // the next significant line may not continue this value (multi-line scalar or a stray indented line)
    const nl = this.next();
    if (nl >= 0 && indentOf(this.L[nl]!) > owner) unsupported();
    return v;
  }

  /** `|` or `|-` block scalar whose header is at s[c]; content lines follow, indented more than `owner`. */
  private literal(s: string, l: number, c: number, owner: number): string {
    let j = c + 1;
    let strip = false;
    if (s[j] === '-') {
      strip = true;
      j++;
    }
    endOfValue(s, j); // no indentation indicator, no keep chomping
    const L = this.L;
    let i = l + 1;
    let leadMax = 0;
    // leading blank lines, then the first content line gives the indentation
    while (i < this.end && indentOf(L[i]!) === L[i]!.length) {
      leadMax = Math.max(leadMax, L[i]!.length);
      i++;
    }
    if (i >= this.end || indentOf(L[i]!) <= owner) {
      this.i = i;
      if (leadMax > 0) unsupported();
      return '';
    }
    const m = indentOf(L[i]!);
    if (leadMax > m) unsupported();
    if (L[i]!.charCodeAt(m) === 0x09) unsupported();
    const parts: string[] = [];
    for (let k = l + 1; k < i; k++) parts.push('');
    let lastContent = -1;
    for (; i < this.end; i++) {
      const t = L[i]!;
      const ind = indentOf(t);
      if (ind === t.length) {
        if (ind > m) unsupported(); // spaces beyond the indentation on an empty line
        parts.push('');
        continue;
      }
      if (ind < m) break;
      parts.push(t.slice(m));
      lastContent = parts.length;
    }
    if (i === this.end && this.end === L.length && lastContent === parts.length) unsupported(); // no final line break
    this.i = i;
    parts.length = lastContent;
    const text = parts.join('\n');
    return strip ? text : text + '\n';
  }
}

/**
 * Parse every document of a rule file, or return null when the file is outside the subset (then the `yaml`
 * package must be used). Empty documents are left out. Without `withLines`, no key-path → line map is built (about
 * a third faster; parse again with it for a message).
 */
export function fastParseDocuments(text: string, withLines = true): FastDocument[] | null {
  if (SPECIAL.test(text) || text.includes('\t')) return null;
  const L = text.split('\n');
  const out: FastDocument[] = [];
  try {
    let start = 0;
    let explicit = false; // the document began with "---"
    const docEnd = (e: number) => {
      const lines = withLines ? new Map<string, number>() : undefined;
      const r = new Reader(L, e, lines).document(start);
      if (r) out.push({ value: r.value, lines, line: r.line });
      else if (explicit) unsupported(); // "---" then nothing: the yaml package makes it a null document
    };
    for (let i = 0; i < L.length; i++) {
      const s = L[i]!;
      const c = s.charCodeAt(0);
      if (c === 0x2d && s.startsWith('---') && (s.length === 3 || s.charCodeAt(3) === 0x20)) {
        const rest = s.slice(3).trim();
        if (rest !== '' && !rest.startsWith('#')) return null;
        docEnd(i);
        start = i + 1;
        explicit = true;
      } else if ((c === 0x2e && s.startsWith('...')) || c === 0x25) return null; // document end marker, directive
    }
    docEnd(L.length);
  } catch (e) {
    if (e instanceof Unsupported) return null;
    throw e;
  }
  return out;
}
