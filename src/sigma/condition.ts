/**
 * Sigma condition grammar → AST.
 *   expr   := or
 *   or     := and ('or' and)*
 *   and    := not ('and' not)*
 *   not    := 'not' not | atom
 *   atom   := '(' expr ')' | ('1' | 'any' | 'all') 'of' (pattern | 'them') | identifier
 * Keywords are case-insensitive; identifiers are matched as written. Precedence: not > and > or.
 */
import { RuleError } from './types.js';

export type CondNode =
  | { t: 'and'; a: CondNode; b: CondNode }
  | { t: 'or'; a: CondNode; b: CondNode }
  | { t: 'not'; x: CondNode }
  | { t: 'id'; name: string }
  | { t: 'of'; all: boolean; pattern: string /* 'them' for all identifiers */ };

const MAX_DEPTH = 100;

function tokenize(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') { i++; continue; }
    if (c === '(' || c === ')' || c === '|') { out.push(c); i++; continue; }
    let j = i;
    while (j < s.length && !' \t\n\r()|'.includes(s[j]!)) j++;
    out.push(s.slice(i, j));
    i = j;
  }
  return out;
}

export function parseCondition(text: string): CondNode {
  if (text.length > 100_000) throw new RuleError('condition longer than 100,000 characters');
  const toks = tokenize(text);
  if (toks.length > 10_000) throw new RuleError('condition has more than 10,000 tokens');
  if (toks.includes('|')) {
    throw new RuleError(`condition "${text}" uses Sigma 1 aggregation syntax ("| count() …"), which Sigma 2 replaced by correlation rules`);
  }
  let p = 0;
  const peek = (): string | undefined => toks[p];
  const kw = (t: string | undefined, k: string): boolean => t !== undefined && t.toLowerCase() === k;
  const parseOr = (d: number): CondNode => {
    if (d > MAX_DEPTH) throw new RuleError('condition nested too deeply');
    let left = parseAnd(d);
    while (kw(peek(), 'or')) { p++; left = { t: 'or', a: left, b: parseAnd(d) }; }
    return left;
  };
  const parseAnd = (d: number): CondNode => {
    let left = parseNot(d);
    while (kw(peek(), 'and')) { p++; left = { t: 'and', a: left, b: parseNot(d) }; }
    return left;
  };
  const parseNot = (d: number): CondNode => {
    if (kw(peek(), 'not')) { p++; if (d > MAX_DEPTH) throw new RuleError('condition nested too deeply'); return { t: 'not', x: parseNot(d + 1) }; }
    return parseAtom(d);
  };
  const parseAtom = (d: number): CondNode => {
    const t = peek();
    if (t === undefined) throw new RuleError(`condition "${text}" ends unexpectedly`);
    if (t === '(') {
      p++;
      const e = parseOr(d + 1);
      if (peek() !== ')') throw new RuleError(`condition "${text}": missing ")"`);
      p++;
      return e;
    }
    if (t === ')') throw new RuleError(`condition "${text}": unexpected ")"`);
    const lt = t.toLowerCase();
    if (lt === 'and' || lt === 'or') throw new RuleError(`condition "${text}": "${t}" where a search identifier was expected`);
    if ((lt === '1' || lt === 'any' || lt === 'all') && kw(toks[p + 1], 'of')) {
      const pat = toks[p + 2];
      if (pat === undefined || pat === '(' || pat === ')') throw new RuleError(`condition "${text}": "${t} of" needs a pattern or "them"`);
      p += 3;
      return { t: 'of', all: lt === 'all', pattern: pat.toLowerCase() === 'them' ? 'them' : pat };
    }
    if (kw(toks[p + 1], 'of')) throw new RuleError(`condition "${text}": only "1 of" and "all of" are allowed (got "${t} of")`);
    if (lt === 'near') throw new RuleError(`condition "${text}" uses "near" (Sigma 1), which Sigma 2 replaced by temporal correlation rules`);
    p++;
    return { t: 'id', name: t };
  };
  if (toks.length === 0) throw new RuleError('condition is empty');
  const ast = parseOr(0);
  if (p < toks.length) throw new RuleError(`condition "${text}": unexpected "${toks[p]}"`);
  return ast;
}

/** Identifier pattern (`selection_*`) → predicate. Only `*` is a wildcard in condition patterns. */
export function identifierPattern(pattern: string): (name: string) => boolean {
  if (!pattern.includes('*')) return (n) => n === pattern;
  const parts = pattern.split('*');
  return (n) => {
    if (!n.startsWith(parts[0]!)) return false;
    let pos = parts[0]!.length;
    for (let i = 1; i < parts.length - 1; i++) {
      const j = n.indexOf(parts[i]!, pos);
      if (j < 0) return false;
      pos = j + parts[i]!.length;
    }
    const last = parts[parts.length - 1]!;
    return n.length - last.length >= pos && n.endsWith(last);
  };
}
