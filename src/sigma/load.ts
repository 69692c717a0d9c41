/**
 * Loading Sigma rules: files and folders (recursive), multi-document YAML, rule collections
 * (`action: global` / `reset` / `repeat`), detection, correlation and filter rules.
 * Never throws for a bad rule: it becomes a RuleProblem with file, line and reason.
 */
import { closeSync, fstatSync, openSync, readdirSync, readFileSync, readSync, statSync, type Dirent, type Stats } from 'node:fs';
import { join } from 'node:path';
import { LineCounter, parseAllDocuments, isAlias, isMap, isScalar, isSeq, type Document } from 'yaml';
import type { CorrelationRule, CorrelationType, FilterRule, Level, LogSourceSpec, RuleSet, SigmaRule } from './types.js';
import { schemaProblems, parseTimespan, type SchemaIssue } from './schema.js';
import { ParsedRuleCache, type CachedDocument } from './cache.js';

/** Largest rule file read (bytes); bigger files are reported, not read. */
export const MAX_RULE_FILE = 8 * 1024 * 1024;
const MAX_NODES = 200_000;
const MAX_DEPTH = 64;

type Raw = Record<string, unknown>;
/** Key path ("detection/selection") → 1-based line of a document, computed when first asked for. */
type Lines = () => Map<string, number>;
const memo = (f: Lines): Lines => {
  let m: Map<string, number> | undefined;
  return () => (m ??= f());
};
/** path ("detection/selection") → 1-based line, per loaded rule (for messages from later stages) */
const ruleLines = new WeakMap<object, Lines>();

/** Line of a key path inside a loaded rule (e.g. ['detection', 'selection']), when known. */
export function lineOf(rule: object, path: string[]): number | undefined {
  const m = ruleLines.get(rule)?.();
  if (!m) return undefined;
  for (let n = path.length; n > 0; n--) {
    const l = m.get(path.slice(0, n).join('/'));
    if (l !== undefined) return l;
  }
  return m.get('');
}

interface Converted { value: unknown; lines: Map<string, number> }

/** YAML document → plain JS, keeping the source text of numbers that do not round-trip (0x10, 010, 1e3) and lines. */
function convert(doc: Document.Parsed, lc: LineCounter): Converted {
  const lines = new Map<string, number>();
  let nodes = 0;
  const lineAt = (n: unknown): number | undefined => {
    const r = (n as { range?: [number, number, number] } | null)?.range;
    return r ? lc.linePos(r[0]).line : undefined;
  };
  const walk = (node: unknown, path: string, depth: number): unknown => {
    if (++nodes > MAX_NODES) throw new Error(`document too large (more than ${MAX_NODES} YAML nodes)`);
    if (depth > MAX_DEPTH) throw new Error(`document nested deeper than ${MAX_DEPTH} levels`);
    if (isAlias(node)) node = node.resolve(doc);
    if (node === null || node === undefined) return null;
    const l = lineAt(node);
    if (l !== undefined && !lines.has(path)) lines.set(path, l);
    if (isMap(node)) {
      const out: Raw = {};
      for (const pair of node.items) {
        let k: unknown = pair.key;
        if (isAlias(k)) k = k.resolve(doc);
        const key = isScalar(k) ? String(k.value ?? '') : String(k);
        const p = path === '' ? key : `${path}/${key}`;
        const kl = lineAt(pair.key);
        if (kl !== undefined) lines.set(p, kl);
        setKey(out, key, walk(pair.value, p, depth + 1));
      }
      return out;
    }
    if (isSeq(node)) return node.items.map((x, i) => walk(x, `${path}/${i}`, depth + 1));
    if (isScalar(node)) {
      const v = node.value;
      if (typeof v === 'number' || typeof v === 'bigint') {
        const src = (node as { source?: string }).source;
        if (typeof src === 'string' && src !== String(v)) return src;
        return typeof v === 'bigint' ? String(v) : v;
      }
      if (v instanceof Date) return (node as { source?: string }).source ?? v.toISOString().slice(0, 10);
      return v;
    }
    return null;
  };
  return { value: walk(doc.contents, '', 0), lines };
}

function isObj(v: unknown): v is Raw {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Deep merge for rule collections: maps merge recursively, anything else from `b` replaces. */
function merge(a: Raw, b: Raw): Raw {
  const out: Raw = {};
  for (const [k, v] of Object.entries(a)) setKey(out, k, v);
  for (const [k, v] of Object.entries(b)) {
    const cur = Object.prototype.hasOwnProperty.call(out, k) ? out[k] : undefined;
    setKey(out, k, isObj(v) && isObj(cur) ? merge(cur, v) : v);
  }
  return out;
}

/** Own-property assignment that is safe for keys like "__proto__" coming from rule files. */
function setKey(o: Raw, k: string, v: unknown): void {
  if (k === '__proto__' || k === 'constructor' || k === 'prototype') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
const strList = (v: unknown): string[] =>
  Array.isArray(v) ? v.map((x) => str(x)).filter((x): x is string => x !== undefined) : typeof v === 'string' ? [v] : [];
const LEVELS = new Set(['informational', 'low', 'medium', 'high', 'critical']);

function logsourceOf(v: unknown): LogSourceSpec {
  const ls: LogSourceSpec = {};
  if (isObj(v)) {
    for (const k of ['product', 'category', 'service', 'definition'] as const) {
      const s = str(v[k]);
      if (s !== undefined) ls[k] = s;
    }
  }
  return ls;
}

/** Parse the text of one rule file. */
export function parseRules(text: string, file: string, opts: { cache?: ParsedRuleCache } = {}): RuleSet {
  const set: RuleSet = { rules: [], correlations: [], filters: [], problems: [], files: 1 };
  let global: { value: Raw; lines: Lines } | null = null;
  let previous: { value: Raw; lines: Lines } | null = null;
  /** one rule document (a mapping), in file order: collection actions, then the rule itself */
  const take = (value: Raw, lines: Lines, docLine: number | undefined): void => {
    let raw = value;
    const action = raw['action'];
    if (action !== undefined) {
      if (action === 'global') {
        const { action: _a, ...rest } = raw;
        global = { value: rest as Raw, lines };
        return;
      } else if (action === 'reset') {
        global = null;
        return;
      } else if (action === 'repeat') {
        if (!previous) {
          set.problems.push({ file, line: docLine, severity: 'error', message: '"action: repeat" without a previous rule to repeat' });
          return;
        }
        const { action: _a, ...rest } = raw;
        raw = merge(previous.value, rest as Raw);
        const before = previous.lines, own = lines;
        lines = memo(() => new Map([...before(), ...own()]));
      } else {
        set.problems.push({ file, line: lines().get('action') ?? docLine, severity: 'error',
          message: `unknown collection action ${JSON.stringify(action)} (expected global, reset or repeat)` });
        return;
      }
    } else if (global) {
      raw = merge(global.value, raw);
      const before = global.lines, own = lines;
      lines = memo(() => new Map([...before(), ...own()]));
    }
    previous = { value: raw, lines };
    addDocument(set, raw, lines, file, docLine);
  };

  const key = opts.cache ? ParsedRuleCache.key(text) : '';
  const cached = opts.cache?.get(key);
  if (cached) {
    for (const d of cached) {
      const lines = new Map(d.lines);
      take(d.value, () => lines, d.line ?? undefined);
    }
    return set;
  }

  const lc = new LineCounter();
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false, strict: false }) as Document.Parsed[];
    if (!Array.isArray(docs)) docs = [];
  } catch (e) {
    set.problems.push({ file, severity: 'error', message: `YAML cannot be parsed: ${(e as Error).message}` });
    return set;
  }
  /** the documents as the loader takes them, for the cache; null once any YAML-level problem was seen */
  let clean: string[] | null = opts.cache ? [] : null;
  for (const doc of docs) {
    const docLine = doc.contents?.range ? lc.linePos(doc.contents.range[0]).line : undefined;
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!;
      const line = e.linePos?.[0]?.line ?? (e.pos ? lc.linePos(e.pos[0]).line : docLine);
      set.problems.push({ file, line, severity: 'error', message: `YAML error: ${e.message.split('\n')[0]}` });
      clean = null;
      continue;
    }
    if (doc.contents === null) continue; // empty document (e.g. trailing ---)
    let conv: Converted;
    try {
      conv = convert(doc, lc);
    } catch (e) {
      set.problems.push({ file, line: docLine, severity: 'error', message: (e as Error).message });
      clean = null;
      continue;
    }
    if (!isObj(conv.value)) {
      set.problems.push({ file, line: docLine, severity: 'error', message: 'a rule document must be a YAML mapping' });
      clean = null;
      continue;
    }
    const lines = conv.lines;
    // serialised before the loader sees the value (later stages may add to it)
    if (clean) clean.push(JSON.stringify({ value: conv.value, line: docLine ?? null, lines: [...lines] } satisfies CachedDocument));
    take(conv.value, () => lines, docLine);
  }
  if (clean && opts.cache) opts.cache.set(key, `[${clean.join(',')}]`);
  return set;
}

function addDocument(set: RuleSet, raw: Raw, lines: Lines, file: string, docLine: number | undefined): void {
  const title = str(raw['title']) ?? '';
  const id = str(raw['id']);
  const name = str(raw['name']);
  const kind: 'rule' | 'correlation' | 'filter' = raw['correlation'] !== undefined ? 'correlation'
    : raw['filter'] !== undefined && raw['detection'] === undefined ? 'filter' : 'rule';
  const issues: SchemaIssue[] = schemaProblems(raw, kind);
  const line = docLine ?? lines().get('');
  let fatal = false;
  for (const is of issues) {
    if (is.severity === 'error') fatal = true;
    const m = lines();
    set.problems.push({ file, line: m.get(is.path.join('/')) ?? lineOfPrefix(m, is.path) ?? line,
      ruleId: id, title: title || undefined, severity: is.severity, message: is.message });
  }
  if (fatal) return;
  const level = str(raw['level']);
  const common = { file, line, id, name, title, raw };
  let rule: SigmaRule | CorrelationRule | FilterRule;
  if (kind === 'correlation') {
    const c = raw['correlation'] as Raw;
    const aliases: Record<string, Record<string, string>> = {};
    if (isObj(c['aliases'])) {
      for (const [a, m] of Object.entries(c['aliases'] as Raw)) {
        if (!isObj(m)) continue;
        aliases[a] = {};
        for (const [r, f] of Object.entries(m)) { const s = str(f); if (s !== undefined) aliases[a]![r] = s; }
      }
    }
    rule = {
      kind: 'correlation', ...common, level: LEVELS.has(level ?? '') ? level as Level : undefined,
      status: str(raw['status']), tags: strList(raw['tags']), type: c['type'] as CorrelationType,
      rules: strList(c['rules']), groupBy: strList(c['group-by']), timespanMs: parseTimespan(c['timespan']) ?? 0,
      aliases, condition: isObj(c['condition']) ? c['condition'] as Raw : undefined,
      generate: raw['generate'] === true || c['generate'] === true,
    } satisfies CorrelationRule;
    set.correlations.push(rule);
  } else if (kind === 'filter') {
    const f = raw['filter'] as Raw;
    const detection: Raw = {};
    for (const [k, v] of Object.entries(f)) if (k !== 'rules') detection[k] = v;
    rule = { kind: 'filter', ...common, logsource: logsourceOf(raw['logsource']), rules: strList(f['rules']), detection } satisfies FilterRule;
    set.filters.push(rule);
  } else {
    rule = {
      kind: 'rule', ...common, status: str(raw['status']), level: LEVELS.has(level ?? '') ? level as Level : undefined,
      description: str(raw['description']), author: str(raw['author']), date: str(raw['date']),
      tags: strList(raw['tags']), references: strList(raw['references']), falsepositives: strList(raw['falsepositives']),
      fields: strList(raw['fields']), logsource: logsourceOf(raw['logsource']), detection: raw['detection'] as Raw,
    } satisfies SigmaRule;
    set.rules.push(rule);
  }
  ruleLines.set(rule, lines);
}

function lineOfPrefix(lines: Map<string, number>, path: string[]): number | undefined {
  for (let n = path.length - 1; n > 0; n--) {
    const l = lines.get(path.slice(0, n).join('/'));
    if (l !== undefined) return l;
  }
  return undefined;
}

function mergeInto(a: RuleSet, b: RuleSet): void {
  a.rules.push(...b.rules);
  a.correlations.push(...b.correlations);
  a.filters.push(...b.filters);
  a.problems.push(...b.problems);
  a.files += b.files;
}

export interface LoadOptions {
  /** folder of the parsed-rule cache (cache.ts); absent = parse every file */
  cacheDir?: string;
}

/**
 * Load .yml/.yaml files and folders recursively. Never throws for a bad rule or unreadable file.
 * (Rule files are small: synchronous reads are much cheaper than one promise chain per file.)
 */
export async function loadRules(paths: string[], opts: LoadOptions = {}): Promise<RuleSet> {
  const set: RuleSet = { rules: [], correlations: [], filters: [], problems: [], files: 0 };
  const cache = opts.cacheDir ? ParsedRuleCache.open(opts.cacheDir) : undefined;
  const seen = new Set<string>();
  const errCode = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? (e as Error).message;
  /** `fd`: the file already open (then its content is read from it, without opening it again) */
  const readOne = (p: string, st: Stats, fd?: number): void => {
    const key = `${st.dev}:${st.ino}`;
    if (seen.has(key)) return;
    seen.add(key);
    set.files++;
    if (st.size > MAX_RULE_FILE) {
      set.problems.push({ file: p, severity: 'error', message: `rule file larger than ${MAX_RULE_FILE} bytes: not read` });
      return;
    }
    let text: string;
    try {
      if (fd === undefined) text = readFileSync(p, 'utf8');
      else {
        const buf = Buffer.allocUnsafe(st.size);
        let got = 0;
        while (got < buf.length) {
          const n = readSync(fd, buf, got, buf.length - got, null);
          if (n === 0) break;
          got += n;
        }
        text = buf.toString('utf8', 0, got);
      }
    } catch (e) {
      set.problems.push({ file: p, severity: 'error', message: `cannot read: ${errCode(e)}` });
      return;
    }
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const r = parseRules(text, p, { cache });
    r.files = 0;
    mergeInto(set, r);
  };
  const dirsSeen = new Set<string>();
  const visitDir = (dir: string, depth: number): void => {
    if (depth > 32) return;
    try {
      const st = statSync(dir);
      const key = `${st.dev}:${st.ino}`;
      if (dirsSeen.has(key)) return; // symlink loop or folder given twice
      dirsSeen.add(key);
    } catch { /* reported by readdirSync below */ }
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      set.problems.push({ file: dir, severity: 'error', message: `cannot list folder: ${errCode(e)}` });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const d of entries) {
      if (d.name.startsWith('.')) continue;
      const p = join(dir, d.name);
      if (d.isDirectory()) visitDir(p, depth + 1);
      else if (d.isFile() || d.isSymbolicLink()) {
        if (d.isFile() && !/\.ya?ml$/i.test(d.name)) continue;
        if (d.isFile()) {
          // a regular file: open, fstat (size, identity), read, close — no separate stat
          let fd: number;
          try {
            fd = openSync(p, 'r');
          } catch (e) {
            set.files++;
            set.problems.push({ file: p, severity: 'error', message: `cannot read: ${errCode(e)}` });
            continue;
          }
          try {
            let fst: Stats;
            try {
              fst = fstatSync(fd);
            } catch (e) {
              set.files++;
              set.problems.push({ file: p, severity: 'error', message: `cannot read: ${errCode(e)}` });
              continue;
            }
            readOne(p, fst, fd);
          } finally {
            closeSync(fd);
          }
          continue;
        }
        let st: Stats;
        try { st = statSync(p); } catch (e) { set.problems.push({ file: p, severity: 'error', message: `cannot read: ${errCode(e)}` }); continue; }
        if (st.isDirectory()) visitDir(p, depth + 1);
        else if (st.isFile() && /\.ya?ml$/i.test(d.name)) readOne(p, st);
      }
    }
  };
  for (const p of paths) {
    let st: Stats;
    try {
      st = statSync(p);
    } catch (e) {
      set.problems.push({ file: p, severity: 'error', message: `cannot read: ${errCode(e)}` });
      continue;
    }
    if (st.isDirectory()) visitDir(p, 0);
    else if (st.isFile()) readOne(p, st);
  }
  cache?.save();
  return set;
}
