/**
 * Text normalisation shared by the content checks: folding (lower-case, NFKC, accents removed, confusable letters
 * mapped to Latin), detection of mixed-script and obfuscated words, invisible characters, and a linear-time
 * multi-pattern matcher (Aho–Corasick) for phrase lists.
 */
import { CONFUSABLES } from '../data/confusables.js';

const CONF = new Map(Object.entries(CONFUSABLES));
const MARKS = /\p{M}/gu;
const ASCII = /^[\x00-\x7f]*$/;
/** one confusable character (every key is a single BMP character, so a plain character class finds them) */
const CONF_RE = new RegExp('[' + [...CONF.keys()].filter((k) => k.length === 1).map((k) => '\\u' + k.charCodeAt(0).toString(16).padStart(4, '0')).join('') + ']', 'g');

/** Lower-case, compatibility-fold (fullwidth, mathematical letters), drop accents and map confusables to Latin. */
export function fold(s: string, max = 400_000): string {
  if (s.length > max) s = s.slice(0, max);
  if (ASCII.test(s)) return s.toLowerCase();
  let t = s.normalize('NFKD').replace(MARKS, '');
  CONF_RE.lastIndex = 0;
  if (CONF_RE.test(t)) { CONF_RE.lastIndex = 0; t = t.replace(CONF_RE, (ch) => CONF.get(ch)!); }
  CONF_RE.lastIndex = 0;
  return t.toLowerCase();
}

/** Invisible formatting characters: zero-width space/non-joiner, word joiner, BOM, soft hyphen, invisible operators. */
export const ZERO_WIDTH = /[\u200b\u200c\u2060-\u2064\ufeff\u00ad\u180e]/g;
/** Bidirectional controls (embedding, override, isolates): reorder what is shown. */
export const BIDI = /[\u202a-\u202e\u2066-\u2069]/g;

export function countMatches(re: RegExp, s: string): number {
  re.lastIndex = 0;
  let n = 0;
  while (re.exec(s) !== null) { n++; if (n > 100_000) break; }
  re.lastIndex = 0;
  return n;
}

const LATIN = /\p{Script=Latin}/u;
const MARK1 = /^\p{M}$/u;
const CYR_GREEK = /[\p{Script=Cyrillic}\p{Script=Greek}\p{Script=Armenian}]/u;

/**
 * Words that mix Latin letters with look-alike Cyrillic/Greek letters ("Binаnсе"), mathematical/styled letters
 * ("𝕀𝕙𝕣"), or foreign combining marks between Latin letters ("Aܿmܿaܿzܿon"). Returns up to `max` such words.
 */
export function obfuscatedWords(s: string, max = 5): string[] {
  const out: string[] = [];
  if (!s) return out;
  const words = s.slice(0, 200_000).normalize('NFC').split(/[\s,.;:!?()[\]{}"'<>/\\|]+/);
  for (const w of words) {
    if (w.length < 3 || w.length > 60) continue;
    let latin = 0, conf = 0, styled = 0, foreignMark = 0;
    for (const ch of w) {
      const cp = ch.codePointAt(0)!;
      if (cp < 0x80) { if ((cp | 32) >= 97 && (cp | 32) <= 122) latin++; continue; }
      if (cp >= 0x1d400 && cp <= 0x1d7ff) { styled++; continue; }
      if (cp >= 0xff21 && cp <= 0xff5a) { styled++; continue; }
      if (cp >= 0x2100 && cp <= 0x214f && ch.normalize('NFKC') !== ch) { styled++; continue; }
      if (MARK1.test(ch)) { foreignMark++; continue; }
      if (CONF.has(ch) && CYR_GREEK.test(ch)) conf++;
      else if (LATIN.test(ch)) latin++;
    }
    if ((latin >= 1 && conf >= 1 && latin + conf >= 3) || styled >= 3 || (latin >= 2 && foreignMark >= 2)) {
      out.push(w);
      if (out.length >= max) break;
    }
  }
  return out;
}

/** A compiled set of phrases searched in linear time over folded text (matches must start/end at word edges). */
export class PhraseMatcher<T> {
  /** transitions keyed by UTF-16 code unit (a phrase character outside the BMP gets key -1: never matched, as text is walked by code unit) */
  private goto: Array<Map<number, number>> = [new Map()];
  private fail: number[] = [0];
  private out: Array<Array<{ len: number; tag: T; phrase: string }>> = [[]];
  /**
   * The automaton as a full transition table (a DFA: failure links folded in), over a compact alphabet: `cls` maps
   * a UTF-16 code unit to its class (0 = a character no phrase holds, which always leads back to the root), and the
   * next state is `delta[state * width + class]`. One table read per character of text.
   */
  private cls = new Uint16Array(65536);
  private width = 1;
  private delta = new Int32Array(1);
  /** 1 when the state ends at least one phrase */
  private hasOut = new Uint8Array(1);

  constructor(entries: Array<{ phrase: string; tag: T }>) {
    for (const { phrase, tag } of entries) {
      const p = fold(phrase).replace(/\s+/g, ' ').trim();
      if (!p) continue;
      let s = 0;
      for (const chs of p) {
        const ch = chs.length === 1 ? chs.charCodeAt(0) : -1;
        let nx = this.goto[s].get(ch);
        if (nx === undefined) {
          nx = this.goto.length;
          this.goto.push(new Map());
          this.fail.push(0);
          this.out.push([]);
          this.goto[s].set(ch, nx);
        }
        s = nx;
      }
      this.out[s].push({ len: p.length, tag, phrase: p });
    }
    const queue: number[] = [];
    for (const [, nx] of this.goto[0]) { this.fail[nx] = 0; queue.push(nx); }
    for (let qi = 0; qi < queue.length; qi++) {
      const r = queue[qi];
      for (const [ch, u] of this.goto[r]) {
        queue.push(u);
        let f = this.fail[r];
        while (f !== 0 && !this.goto[f].has(ch)) f = this.fail[f];
        const g = this.goto[f].get(ch);
        this.fail[u] = g !== undefined && g !== u ? g : 0;
        this.out[u] = this.out[u].concat(this.out[this.fail[u]]);
      }
    }
    const states = this.goto.length;
    const alphabet: number[] = [];
    for (const g of this.goto) for (const ch of g.keys()) if (ch >= 0 && this.cls[ch] === 0) { alphabet.push(ch); this.cls[ch] = alphabet.length; }
    const w = alphabet.length + 1;
    const delta = new Int32Array(states * w);
    for (const [ch, nx] of this.goto[0]) if (ch >= 0) delta[this.cls[ch]] = nx;
    // breadth-first order: a state's failure target is shallower, so its row is complete before it is copied;
    // a state's row is its failure target's row with its own transitions written over it
    for (const u of queue) {
      const row = u * w;
      const frow = this.fail[u] * w;
      delta.copyWithin(row, frow, frow + w);
      for (const [ch, nx] of this.goto[u]) if (ch >= 0) delta[row + this.cls[ch]] = nx;
    }
    this.width = w;
    this.delta = delta;
    this.hasOut = new Uint8Array(states);
    for (let st = 0; st < states; st++) if (this.out[st].length) this.hasOut[st] = 1;
    // the trie and failure links are folded into delta: free them
    this.goto = [];
    this.fail = [];
  }

  /** Find phrases in already-folded text (single spaces). Returns each distinct phrase once. */
  match(text: string, maxHits = 50): Array<{ phrase: string; tag: T }> {
    const found = new Map<string, T>();
    const out = this.out, cls = this.cls, delta = this.delta, w = this.width, hasOut = this.hasOut;
    let s = 0;
    const n = text.length;
    for (let i = 0; i < n; i++) {
      s = delta[s * w + cls[text.charCodeAt(i)]];
      if (hasOut[s] === 0) continue;
      for (const o of out[s]) {
        const start = i - o.len + 1;
        const before = start > 0 ? text.charCodeAt(start - 1) : 32;
        const after = i + 1 < n ? text.charCodeAt(i + 1) : 32;
        if (isWordChar(before) || isWordChar(after)) continue;
        if (!found.has(o.phrase)) {
          found.set(o.phrase, o.tag);
          if (found.size >= maxHits) return [...found].map(([phrase, tag]) => ({ phrase, tag }));
        }
      }
    }
    return [...found].map(([phrase, tag]) => ({ phrase, tag }));
  }
}

function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || c > 0x17f;
}

/** Fold and collapse whitespace, for phrase matching. */
export function foldForMatch(s: string, max = 300_000): string {
  return fold(s, max).replace(/[\s\u00a0]+/g, ' ');
}

/** Damerau–Levenshtein (optimal string alignment) distance, capped: returns cap+1 when above cap. */
export function editDistance(a: string, b: string, cap = 2): number {
  if (Math.abs(a.length - b.length) > cap) return cap + 1;
  if (a === b) return 0;
  const m = a.length, n = b.length;
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  let cur = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= m; i++) {
    cur[0] = i;
    let rowMin = cur[0];
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > cap) return cap + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[n];
}
