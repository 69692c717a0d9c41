/**
 * Compile a Sigma rule once into closures. Matching an event never re-parses the rule: every value is
 * pre-lowercased, every wildcard pattern is a linear glob test (indexOf/startsWith/endsWith fast paths),
 * every regex is an RE2 object. Match details are collected only after a rule matched (second pass).
 */
import RE2 from 're2';
import { eventText, parseTime, type FieldValue, type VigieEvent } from '../event.js';
import { lineOf } from './load.js';
import { identifierPattern, parseCondition, type CondNode } from './condition.js';
import {
  MODIFIERS, STAR, compileCidr, compileGlob, compileRegex, display, lower, parseSigmaString, timePart, toNumber,
  type TimePart, type Val,
} from './modifiers.js';
import { RuleError, type CompileOptions, type FieldGetter, type FilterRule, type LogSourceSpec, type MatchDetail, type SigmaRule } from './types.js';

export interface CompiledRule {
  rule: SigmaRule;
  /** log-source this rule needs (copied from the rule) */
  logsource: LogSourceSpec;
  /** Test one event. `get` resolves field names (aliases applied); `ev` gives keyword text (eventText) */
  match(ev: VigieEvent, get: FieldGetter): MatchDetail[] | null;
  /** filters applied to this rule (titles or ids), for display */
  filters: string[];
}

type Pred = (ev: VigieEvent, get: FieldGetter, det: MatchDetail[] | null) => boolean;

/** Attach an evaluation cost estimate (used to test cheap, selective parts of an AND first). */
const costs = new WeakMap<Pred, number>();
function withCost(p: Pred, cost: number): Pred {
  costs.set(p, cost);
  return p;
}
const costOf = (p: Pred): number => costs.get(p) ?? 1;
const byCost = (ps: Pred[]): Pred[] => [...ps].sort((a, b) => costOf(a) - costOf(b));

/** AND of predicates: cheapest first when only the verdict is needed, written order when collecting details. */
function andOf(ps: Pred[]): Pred {
  if (ps.length === 1) return ps[0]!;
  const fast = byCost(ps);
  return withCost((ev, get, det) => {
    if (det === null) {
      for (let k = 0; k < fast.length; k++) if (!fast[k]!(ev, get, null)) return false;
      return true;
    }
    const mark = det.length;
    for (let k = 0; k < ps.length; k++) if (!ps[k]!(ev, get, det)) { det.length = mark; return false; }
    return true;
  }, ps.reduce((a, p) => a + costOf(p), 0));
}
/** OR of predicates (details from the first branch that matched, in written order). */
function orOf(ps: Pred[]): Pred {
  if (ps.length === 1) return ps[0]!;
  const fast = byCost(ps);
  return withCost((ev, get, det) => {
    if (det === null) {
      for (let k = 0; k < fast.length; k++) if (fast[k]!(ev, get, null)) return true;
      return false;
    }
    for (let k = 0; k < ps.length; k++) if (ps[k]!(ev, get, det)) return true;
    return false;
  }, ps.reduce((a, p) => a + costOf(p), 0));
}
/** A test on one text value of a field. */
interface VTest {
  test: (s: string, get: FieldGetter) => boolean;
  pattern: string;
  /** same test on the already lower-cased value (case-insensitive text tests), to lowercase once per field */
  onLower?: (l: string) => boolean;
  /** the lower-cased internal glob of `onLower` (for batching long value lists) */
  glob?: string;
}

const MAX_DETAIL = 200;
const cut = (s: string): string => (s.length > MAX_DETAIL ? `${s.slice(0, MAX_DETAIL - 1)}…` : s);
const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function scalarText(v: FieldValue): string | undefined {
  if (v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** First text of `v` (scalar or list elements) accepted by `t`, or undefined. */
function findText(v: FieldValue | undefined, t: VTest, get: FieldGetter): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return t.test(v, get) ? v : undefined;
  if (Array.isArray(v)) {
    for (const x of v) {
      if (Array.isArray(x)) { const r = findText(x, t, get); if (r !== undefined) return r; continue; }
      const s = x === null ? undefined : scalarText(x);
      if (s !== undefined && t.test(s, get)) return s;
    }
    return undefined;
  }
  const s = scalarText(v)!;
  return t.test(s, get) ? s : undefined;
}

/* ------------------------------------------------------------------ field items */
const MATCH_KINDS = new Set(['contains', 'startswith', 'endswith', 're', 'cidr', 'lt', 'lte', 'gt', 'gte', 'exists', 'fieldref']);
const TIME_FIELDS = new Set(['', '@timestamp', 'timestamp', 'time', 'timecreated', 'timecreated_systemtime', 'systemtime', 'utctime', 'eventtime', '_time', 'creationtime', 'date']);

function textTest(p: string, cased: boolean, pattern: string): VTest {
  if (cased) { const c = compileGlob(p); return { test: (s) => c(s), pattern }; }
  const g = compileGlob(p.toLowerCase());
  return { test: (s) => g(lower(s)), pattern, onLower: g, glob: p.toLowerCase() };
}

interface ItemSpec { field: string; mods: string[]; values: unknown[]; label: string }

function compileItem(spec: ItemSpec, opts: CompileOptions): Pred {
  const { field, mods } = spec;
  for (const m of mods) if (!MODIFIERS[m]) throw new RuleError(`unknown modifier "${m}" on ${spec.label}`);
  const has = (m: string): boolean => mods.includes(m);
  const kinds = mods.filter((m) => MATCH_KINDS.has(m));
  const fieldref = has('fieldref');
  const strKinds = kinds.filter((k) => k !== 'fieldref');
  if (strKinds.length > 1) throw new RuleError(`modifiers ${strKinds.join(' and ')} cannot be combined on ${spec.label}`);
  const kind = strKinds[0];
  const cased = has('cased');
  const all = has('all');
  const neq = has('neq');
  const timeMods = mods.filter((m) => MODIFIERS[m]!.kind === 'time') as TimePart[];
  if (timeMods.length > 1) throw new RuleError(`several date modifiers (${timeMods.join(', ')}) on ${spec.label}`);
  const tpart = timeMods[0];
  const reFlags = { i: has('i') || has('ignorecase'), m: has('m') || has('multiline'), s: has('s') || has('dotall') };
  if ((reFlags.i || reFlags.m || reFlags.s) && kind !== 're') throw new RuleError(`regex flags (i, m, s) need the re modifier on ${spec.label}`);
  const transforms = mods.filter((m) => MODIFIERS[m]!.kind === 'transform');
  const keyword = field === '';

  // --- exists: a presence test, no values
  if (kind === 'exists') {
    if (spec.values.length !== 1 || typeof spec.values[0] !== 'boolean') throw new RuleError(`exists needs true or false on ${spec.label}`);
    const want = spec.values[0] as boolean;
    if (keyword) throw new RuleError('exists needs a field name');
    return (_ev, get, det) => {
      const v = get(field);
      const ok = (v !== undefined) === want;
      if (ok && det) det.push({ field, value: v === undefined ? '(absent)' : cut(scalarText(v as FieldValue) ?? 'null'), pattern: `exists: ${want}` });
      return ok;
    };
  }

  // --- build one group of alternative tests per rule value
  const groups: (VTest[] | 'null')[] = [];
  const expandOnly = (t: string): string[] => {
    if (!has('expand')) return [t];
    const others = transforms.filter((m) => m !== 'expand');
    if (others.length) throw new RuleError(`${kind ?? tpart} cannot be combined with ${others.join(', ')} on ${spec.label}`);
    return (MODIFIERS['expand']!.transform!(parseSigmaString(t.replace(/\\%/g, '\uE003')), { placeholders: opts.placeholders }) as string[])
      .map((x) => x.replace(/\uE000/g, '*').replace(/\uE001/g, '?'));
  };
  const plainKinds = kind === 'lt' || kind === 'lte' || kind === 'gt' || kind === 'gte' || kind === 'cidr' || kind === 're' || fieldref || tpart !== undefined;
  const values: unknown[] = [];
  for (const raw of spec.values) {
    if (plainKinds && (typeof raw === 'string' || typeof raw === 'number')) values.push(...expandOnly(String(raw)).map((t) => (typeof raw === 'number' && t === String(raw) ? raw : t)));
    else values.push(raw);
  }
  for (const raw of values) {
    if (raw === null || raw === undefined) { groups.push('null'); continue; }
    if (isObj(raw) || Array.isArray(raw)) throw new RuleError(`${spec.label} has a nested list or mapping as value`);
    const text = typeof raw === 'string' ? raw : String(raw);
    if (kind === 'lt' || kind === 'lte' || kind === 'gt' || kind === 'gte') {
      const n = toNumber(text);
      if (n === undefined) throw new RuleError(`${kind} needs a number, got ${JSON.stringify(text)} on ${spec.label}`);
      const cmp = kind === 'lt' ? (x: number) => x < n : kind === 'lte' ? (x: number) => x <= n : kind === 'gt' ? (x: number) => x > n : (x: number) => x >= n;
      groups.push([{ test: (s) => { const x = toNumber(s); return x !== undefined && cmp(x); }, pattern: `${kind} ${text}` }]);
      continue;
    }
    if (tpart) {
      const n = toNumber(text);
      if (n === undefined) throw new RuleError(`${tpart} needs a number, got ${JSON.stringify(text)} on ${spec.label}`);
      groups.push([{ test: (s) => toNumber(s) === n, pattern: `${tpart} ${text}` }]);
      continue;
    }
    if (kind === 'cidr') {
      const t = compileCidr(text);
      groups.push([{ test: (s) => t(s), pattern: text }]);
      continue;
    }
    if (kind === 're') {
      if (transforms.some((m) => m !== 'expand')) throw new RuleError(`re cannot be combined with ${transforms.join(', ')} on ${spec.label}`);
      const t = compileRegex(text, reFlags);
      groups.push([{ test: (s) => t(s), pattern: `/${text}/` }]);
      continue;
    }
    if (fieldref) {
      const other = text;
      const ci = !cased;
      const cmp = kind === 'contains' ? (a: string, b: string) => a.includes(b)
        : kind === 'startswith' ? (a: string, b: string) => a.startsWith(b)
        : kind === 'endswith' ? (a: string, b: string) => a.endsWith(b) : (a: string, b: string) => a === b;
      groups.push([{
        test: (s, get) => {
          const o = get(other);
          if (o === undefined || o === null) return false;
          const os = Array.isArray(o) ? o.map((x) => scalarText(x as FieldValue)).filter((x): x is string => x !== undefined) : [scalarText(o)!];
          const a = ci ? lower(s) : s;
          return os.some((b) => cmp(a, ci ? b.toLowerCase() : b));
        },
        pattern: `field ${other}`,
      }]);
      continue;
    }
    // string value: Sigma escaping and wildcards, then transforms in the order written
    const pre = has('expand') ? text.replace(/\\%/g, '\uE003') : text;
    let vals: Val[] = [parseSigmaString(pre)];
    for (const m of transforms) {
      const tf = MODIFIERS[m]!.transform!;
      const next: Val[] = [];
      for (const v of vals) next.push(...tf(v, { placeholders: opts.placeholders }));
      vals = next;
    }
    const effKind = kind ?? (keyword ? 'contains' : undefined);
    const alts: VTest[] = [];
    for (const v of vals) {
      let p = typeof v === 'string' ? v : Buffer.from(v).toString('latin1');
      if (effKind === 'contains') p = STAR + p + STAR;
      else if (effKind === 'startswith') p = p + STAR;
      else if (effKind === 'endswith') p = STAR + p;
      alts.push(textTest(p, cased, display(typeof v === 'string' ? v : p)));
    }
    groups.push(alts);
  }
  if (groups.length === 0) throw new RuleError(`${spec.label} has an empty list of values`);

  // --- the field's value(s) for this event
  const slot = keyword ? -1 : fieldSlot(field);
  const value = (ev: VigieEvent, get: FieldGetter): FieldValue | undefined => {
    if (keyword) return eventText(ev);
    let v = (get as FieldView).slot !== undefined ? (get as FieldView).slot!(slot, field) : get(field);
    if (tpart) {
      let ms: number | undefined;
      if (v === undefined && TIME_FIELDS.has(field.toLowerCase())) ms = ev.time;
      else if (typeof v === 'number') ms = v > 1e11 ? v : v * 1000;
      else if (typeof v === 'string') ms = parseTime(v);
      v = ms === undefined ? undefined : timePart(ms, tpart);
    }
    return v;
  };
  // every test works on the lower-cased value: lowercase a string value once for the whole item
  const lowerOnly = groups.every((g) => g === 'null' || g.every((t) => t.onLower !== undefined));
  const lgroups = lowerOnly ? groups.map((g) => (g === 'null' ? g : g.map((t) => t.onLower!))) : [];
  const nTests = groups.reduce((a, g) => a + (g === 'null' ? 0 : g.length), 0);
  const batched = lowerOnly && !all && nTests >= BATCH_MIN
    ? batchOr(groups.flatMap((g) => (g === 'null' ? [] : g.map((t) => t.glob!)))) : null;
  const lowerMatch = batched ?? ((l: string): boolean => {
    if (all) {
      for (const g of lgroups) { if (g === 'null') return false; let ok = false; for (let k = 0; k < g.length; k++) if (g[k]!(l)) { ok = true; break; } if (!ok) return false; }
      return true;
    }
    for (const g of lgroups) { if (g === 'null') continue; for (let k = 0; k < g.length; k++) if (g[k]!(l)) return true; }
    return false;
  });
  const groupMatch = (g: VTest[] | 'null', v: FieldValue | undefined, get: FieldGetter): boolean => {
    if (g === 'null') return v === undefined || v === null;
    if (v === undefined || v === null) return false;
    if (typeof v === 'string') {
      for (let k = 0; k < g.length; k++) if (g[k]!.test(v, get)) return true;
      return false;
    }
    for (let k = 0; k < g.length; k++) if (findText(v, g[k]!, get) !== undefined) return true;
    return false;
  };
  const explain = (v: FieldValue | undefined, get: FieldGetter, det: MatchDetail[]): void => {
    const name = keyword ? '' : field;
    if (neq) {
      det.push({ field: name, value: v === undefined ? '(absent)' : cut(scalarText(v as FieldValue) ?? 'null'), pattern: `not ${groups.map((g) => (g === 'null' ? 'null' : g.map((t) => t.pattern).join('|'))).join(', ')}` });
      return;
    }
    for (const g of groups) {
      if (g === 'null') {
        if (v === undefined || v === null) det.push({ field: name, value: v === undefined ? '(absent)' : 'null', pattern: 'null' });
        if (!all) return;
        continue;
      }
      for (const t of g) {
        let s = findText(v, t, get);
        if (s === undefined) continue;
        if (keyword) s = keywordSource(v as string, t, get) ?? s;
        det.push({ field: name, value: cut(s), pattern: t.pattern });
        break;
      }
      if (!all && det.length) return;
    }
  };
  const hasNull = groups.includes('null');
  // a batched list (Sets, one automaton) costs about one test whatever its length: "DestinationPort: [52 ports]"
  // then runs before "not DestinationIp|cidr: [8 networks]", not after it
  const tests = batched ? 3 : nTests;
  const cost = 1 + tests * (kind === 're' ? 4 : kind === 'cidr' || fieldref ? 3 : 1) * (keyword ? 20 : 1);
  return withCost((ev, get, det) => {
    const v = value(ev, get);
    if ((v === undefined || v === null) && !hasNull) {
      if (!neq) return false;
      if (det) explain(v, get, det);
      return true;
    }
    let ok: boolean;
    if (lowerOnly && (typeof v === 'string' || typeof v === 'number')) {
      const low = (get as FieldView).low;
      ok = lowerMatch(low !== undefined && !tpart ? low(slot, v) : typeof v === 'string' ? lower(v) : String(v));
    }
    else if (all) {
      ok = true;
      for (const g of groups) if (!groupMatch(g, v, get)) { ok = false; break; }
    } else {
      ok = false;
      for (const g of groups) if (groupMatch(g, v, get)) { ok = true; break; }
    }
    if (neq) ok = !ok;
    if (ok && det) explain(v, get, det);
    return ok;
  }, cost);
}

const BATCH_MIN = 8;
const CONTAINS_RE2_MIN = 16;

/**
 * One test for a long OR list of globs on the same (lower-cased) value: exact values in a Set, prefixes and
 * suffixes in Sets by length, many `contains` literals in one RE2 alternation (a DFA: one pass over the value).
 */
function batchOr(globs: string[]): (l: string) => boolean {
  const exact = new Set<string>();
  const prefix = new Map<number, Set<string>>();
  const suffix = new Map<number, Set<string>>();
  const contains: string[] = [];
  const other: Array<(s: string) => boolean> = [];
  const put = (m: Map<number, Set<string>>, x: string): void => { let st = m.get(x.length); if (!st) m.set(x.length, (st = new Set())); st.add(x); };
  for (const p of globs) {
    const segs = p.split(STAR);
    const special = p.includes('\uE001') || p.includes('\uE002');
    if (special) other.push(compileGlob(p));
    else if (segs.length === 1) exact.add(p);
    else if (segs.length === 2 && segs[0] === '' && segs[1] === '') return () => true;
    else if (segs.length === 2 && segs[0] === '') put(suffix, segs[1]!);
    else if (segs.length === 2 && segs[1] === '') put(prefix, segs[0]!);
    else if (segs.length === 3 && segs[0] === '' && segs[2] === '' && segs[1] !== '') contains.push(segs[1]!);
    else other.push(compileGlob(p));
  }
  const pre = [...prefix];
  const suf = [...suffix];
  let containsTest: ((l: string) => boolean) | null = null;
  const uniq = [...new Set(contains)];
  if (uniq.length >= CONTAINS_RE2_MIN) containsTest = containsAny(uniq);
  if (!containsTest && uniq.length >= CONTAINS_RE2_MIN) {
    try {
      const re = new RE2(uniq.map((x) => x.replace(/[.*+?^${}()|[\]\\\/-]/g, '\\$&')).join('|'), 'u');
      containsTest = (l) => re.test(l);
    } catch { containsTest = null; }
  }
  if (!containsTest && uniq.length) containsTest = (l) => { for (let k = 0; k < uniq.length; k++) if (l.includes(uniq[k]!)) return true; return false; };
  return (l) => {
    if (exact.has(l)) return true;
    for (let k = 0; k < suf.length; k++) { const [n, st] = suf[k]!; if (l.length >= n && st.has(l.slice(l.length - n))) return true; }
    for (let k = 0; k < pre.length; k++) { const [n, st] = pre[k]!; if (l.length >= n && st.has(l.slice(0, n))) return true; }
    if (containsTest && containsTest(l)) return true;
    for (let k = 0; k < other.length; k++) if (other[k]!(l)) return true;
    return false;
  };
}

const MAX_AC_CELLS = 1 << 20;

/**
 * Does the (lower-cased) value contain one of `lits`? One Aho-Corasick automaton, as a flat DFA over the
 * characters the literals use (exact, code unit by code unit, like String.includes); one pass over the value, no
 * native call. null when the table would pass MAX_AC_CELLS (then RE2 does it).
 */
function containsAny(lits: string[]): ((l: string) => boolean) | null {
  const ascii = new Int32Array(128);
  const other = new Map<number, number>();
  let C = 1;
  for (const l of lits) for (let k = 0; k < l.length; k++) {
    const ch = l.charCodeAt(k);
    if (ch < 128) { if (ascii[ch] === 0) ascii[ch] = C++; }
    else if (!other.has(ch)) other.set(ch, C++);
  }
  let total = 1;
  for (const l of lits) total += l.length;
  if (total * C > MAX_AC_CELLS) return null;
  const cls = (ch: number): number => (ch < 128 ? ascii[ch]! : other.get(ch) ?? 0);
  const delta = new Int32Array(total * C);
  const term = new Uint8Array(total);
  let S = 1;
  for (const l of lits) {
    let st = 0;
    for (let k = 0; k < l.length; k++) {
      const c = cls(l.charCodeAt(k));
      let nx = delta[st * C + c]!;
      if (nx === 0) { nx = S++; delta[st * C + c] = nx; }
      st = nx;
    }
    term[st] = 1;
  }
  // breadth first: failure links folded into the table; a state is terminal when its failure state is
  const fail = new Int32Array(S);
  const queue = new Int32Array(S);
  let qn = 0;
  for (let c = 1; c < C; c++) if (delta[c]! > 0) queue[qn++] = delta[c]!;
  for (let qi = 0; qi < qn; qi++) {
    const st = queue[qi]!;
    const f = fail[st]!;
    if (term[f]) term[st] = 1;
    delta[st * C] = 0;
    for (let c = 1; c < C; c++) {
      const nx = delta[st * C + c]!;
      if (nx > 0) { fail[nx] = delta[f * C + c]!; queue[qn++] = nx; }
      else delta[st * C + c] = delta[f * C + c]!;
    }
  }
  const hasOther = other.size > 0;
  return (l) => {
    let st = 0;
    for (let i = 0; i < l.length; i++) {
      const ch = l.charCodeAt(i);
      st = delta[st * C + (ch < 128 ? ascii[ch]! : hasOther ? other.get(ch) ?? 0 : 0)]!;
      if (term[st] === 1) return true;
    }
    return false;
  };
}

/** For a keyword match, the line of the event text (one field value) that matched, for display. */
function keywordSource(text: string, t: VTest, get: FieldGetter): string | undefined {
  let start = 0;
  let n = 0;
  while (start <= text.length && n++ < 10_000) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    if (t.test(line, get)) return line;
    start = end + 1;
  }
  return undefined;
}

function splitKey(key: string): { field: string; mods: string[] } {
  const parts = key.split('|');
  return { field: parts[0]!.trim(), mods: parts.slice(1).map((m) => m.trim()).filter((m) => m !== '') };
}

/** One search identifier (map, list of maps, keyword list) → predicate. */
function compileSearch(name: string, def: unknown, opts: CompileOptions): Pred {
  const mapPred = (m: Record<string, unknown>, label: string): Pred => {
    const items: Pred[] = [];
    for (const [k, v] of Object.entries(m)) {
      const { field, mods } = splitKey(k);
      const values = Array.isArray(v) ? v : [v];
      items.push(compileItem({ field, mods, values, label: `${label}${field === '' ? ' (keywords)' : ` field ${field}`}` }, opts));
    }
    if (items.length === 0) throw new RuleError(`search identifier "${name}" is an empty mapping`);
    return andOf(items);
  };
  const label = `"${name}"`;
  if (isObj(def)) return mapPred(def, label);
  if (Array.isArray(def)) {
    if (def.length === 0) throw new RuleError(`search identifier "${name}" is an empty list`);
    const preds: Pred[] = [];
    const keywords: unknown[] = [];
    def.forEach((x, i) => {
      if (isObj(x)) preds.push(mapPred(x, `${label}[${i + 1}]`));
      else if (Array.isArray(x)) throw new RuleError(`search identifier "${name}" holds a nested list`);
      else keywords.push(x);
    });
    if (keywords.length) preds.push(compileItem({ field: '', mods: [], values: keywords, label: `${label} (keywords)` }, opts));
    return orOf(preds);
  }
  if (typeof def === 'string' || typeof def === 'number') return compileItem({ field: '', mods: [], values: [def], label: `${label} (keyword)` }, opts);
  throw new RuleError(`search identifier "${name}" must be a mapping or a list (got ${def === null ? 'null' : typeof def})`);
}

/** detection section (search identifiers + condition) → predicate. */
export function compileDetection(detection: Record<string, unknown>, opts: CompileOptions, skip: string[] = [],
  lineFor: (path: string[]) => number | undefined = () => undefined): Pred {
  if (!isObj(detection)) throw new RuleError('detection must be a mapping');
  const cond = detection['condition'];
  const conds = Array.isArray(cond) ? cond : [cond];
  if (cond === undefined || cond === null || conds.length === 0 || conds.some((c) => typeof c !== 'string')) throw new RuleError('detection has no condition string');
  const names = Object.keys(detection).filter((k) => k !== 'condition' && k !== 'timeframe' && !skip.includes(k));
  const compiled = new Map<string, Pred>();
  const getId = (n: string): Pred => {
    let key = n;
    if (!Object.prototype.hasOwnProperty.call(detection, key) || key === 'condition' || skip.includes(key)) {
      const alt = names.find((x) => x.toLowerCase() === n.toLowerCase());
      if (alt === undefined) throw new RuleError(`condition refers to "${n}", which is not a search identifier of this rule`);
      key = alt;
    }
    let p = compiled.get(key);
    if (!p) {
      try {
        p = compileSearch(key, detection[key], opts);
      } catch (e) {
        if (e instanceof RuleError) {
          const err = e.message.includes(`"${key}"`) ? e : new RuleError(`${e.message} (search identifier "${key}")`);
          err.line ??= lineFor([key]);
          throw err;
        }
        throw e;
      }
      compiled.set(key, p);
    }
    return p;
  };
  const build = (n: CondNode): Pred => {
    switch (n.t) {
      case 'id': return getId(n.name);
      case 'not': {
        const x = build(n.x);
        return withCost((ev, get) => !x(ev, get, null), costOf(x));
      }
      case 'and': return andOf(flatten(n, 'and').map(build));
      case 'or': return orOf(flatten(n, 'or').map(build));
      case 'of': {
        const sel = n.pattern === 'them' ? names.filter((x) => !x.startsWith('_')) : names.filter(identifierPattern(n.pattern));
        if (sel.length === 0) throw new RuleError(`"${n.all ? 'all' : '1'} of ${n.pattern}" matches no search identifier`);
        const ps = sel.map(getId);
        return n.all ? andOf(ps) : orOf(ps);
      }
    }
  };
  return orOf((conds as string[]).map((c) => {
    let ast: CondNode;
    try {
      ast = parseCondition(c);
    } catch (e) {
      if (e instanceof RuleError) e.line ??= lineFor(['condition']);
      throw e;
    }
    try {
      return build(ast);
    } catch (e) {
      if (e instanceof RuleError) e.line ??= lineFor(['condition']);
      throw e;
    }
  }));
}

/** a and (b and c) → [a, b, c] (same for or), so cost ordering sees every operand. */
function flatten(n: CondNode, op: 'and' | 'or'): CondNode[] {
  if (n.t !== op) return [n];
  return [...flatten(n.a, op), ...flatten(n.b, op)];
}

/** Does filter `f` apply to `rule`? (names it by id or name, or names none and shares its log source) */
export function filterApplies(f: FilterRule, rule: SigmaRule): boolean {
  if (f.rules.length > 0) return f.rules.some((r) => r === rule.id || r === rule.name);
  const a = f.logsource, b = rule.logsource;
  for (const k of ['product', 'category', 'service'] as const) {
    if (a[k] !== undefined && a[k]!.toLowerCase() !== (b[k] ?? '').toLowerCase()) return false;
  }
  return true;
}

/**
 * Field slots: every field name a compiled rule reads gets a number (module-wide, assigned at compile time), so a
 * getter that caches per event (a FieldView, built by the hunt) keeps the values in arrays indexed by slot: the
 * thousands of rules that read CommandLine or Image share one lookup and one lower-casing per event.
 */
const slots = new Map<string, number>();
export function fieldSlot(field: string): number {
  let n = slots.get(field);
  if (n === undefined) slots.set(field, (n = slots.size));
  return n;
}

/**
 * A FieldGetter that caches for the event at hand. `slot(n, field)` is `get(field)` memoised under slot n;
 * `low(n, v)` is the lower-cased text of the value v that `slot(n, …)` returned (n = -1: the event text).
 * Matchers use them when present; any plain FieldGetter still works (uncached).
 */
export interface FieldView extends FieldGetter {
  slot?: (slot: number, field: string) => FieldValue | undefined;
  low?: (slot: number, v: string | number) => string;
}

/** Compile one rule into a matcher. Throws RuleError when the rule cannot run. */
export function compileRule(rule: SigmaRule, opts: CompileOptions = {}): CompiledRule {
  const pred = compileDetection(rule.detection, opts, [], (p) => lineOf(rule, ['detection', ...p]));
  const filters = (opts.filters ?? []).filter((f) => filterApplies(f, rule));
  const fpreds: Pred[] = filters.map((f) => {
    try {
      return compileDetection(f.detection, opts);
    } catch (e) {
      throw new RuleError(`filter "${f.title}" (${f.file}) cannot run: ${(e as Error).message}`);
    }
  });
  return {
    rule,
    logsource: { ...rule.logsource },
    filters: filters.map((f) => f.id ?? f.title),
    match(ev, get) {
      if (!pred(ev, get, null)) return null;
      for (const f of fpreds) if (f(ev, get, null)) return null;
      const det: MatchDetail[] = [];
      pred(ev, get, det);
      if (det.length < 2) return det;
      const seen = new Set<string>();
      return det.filter((d) => {
        const k = `${d.field}\u0000${d.value}`;
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      });
    },
  };
}
