/** The hunt pipeline: load rules → compile → route events → match → correlate → timeline + summary. */
import { existsSync } from 'node:fs';
import {
  compileRule, CorrelationEngine, loadRules,
  type CompiledRule, type CorrelationAlert, type CorrelationRule, type FilterRule, type Level, type MatchDetail, type RuleSet, type SigmaRule,
} from '../sigma/index.js';
import { formatTime, getField, valueText, type VigieEvent } from '../event.js';
import { readInputBatches, expandInputs, ReadContext } from '../sources/index.js';
import { applyTransforms } from '../transforms/index.js';
import type { Detection, HuntOptions, HuntResult, HuntSummary, InactiveRule, RuleIssue } from './index.js';
import { loadMapping, logsourceCovers, normLogsource, describeLogsource, type LogSourceMapping } from './mapping.js';
import { Router, fieldView, type ReusableView, type Route } from './router.js';
import { Prefilter, ruleEventIds } from './prefilter.js';
import { levelRank } from './levels.js';
import { builtinRulesDir, installedRulesDir } from './paths.js';
import { literalValues, nfcValues } from './literal.js';

/** Placeholder → the option that provides it (for "inactive" rules). */
export function activatingOption(name: string): string {
  const n = name.toLowerCase();
  if (n === 'watchlist') return '--watchlist FILE';
  if (n.startsWith('honey')) return '--honey FILE';
  return `--placeholders FILE (with "${name}")`;
}

/** The options that would provide these placeholders: "--watchlist FILE, --placeholders FILE (with "a", "b")". */
export function activateText(names: string[]): string {
  const opts = new Set<string>();
  const other: string[] = [];
  for (const n of names) {
    const o = activatingOption(n);
    if (o.startsWith('--placeholders')) other.push(`"${n}"`);
    else opts.add(o);
  }
  if (other.length) opts.add(`--placeholders FILE (with ${other.join(', ')})`);
  return [...opts].join(', ');
}

const PLACEHOLDER_RE = /%([^%\s]{1,128})%/g;

/** Names of the placeholders a rule's `expand` values need. */
export function requiredPlaceholders(detection: Record<string, unknown>): string[] {
  const names = new Set<string>();
  const visit = (v: unknown, expand: boolean, depth: number): void => {
    if (depth > 32 || v === null || v === undefined) return;
    if (typeof v === 'string') {
      if (!expand) return;
      for (const m of v.matchAll(PLACEHOLDER_RE)) names.add(m[1]);
    } else if (Array.isArray(v)) {
      for (const x of v) visit(x, expand, depth + 1);
    } else if (typeof v === 'object') {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        const mods = k.split('|').slice(1).map((m) => m.toLowerCase());
        visit(x, expand || mods.includes('expand'), depth + 1);
      }
    }
  };
  for (const [k, v] of Object.entries(detection)) if (k !== 'condition') visit(v, false, 0);
  return [...names];
}

/** ATT&CK ids and tactic names from Sigma tags: attack.t1059.001 → T1059.001, attack.execution → execution. */
export function attackOf(tags: string[]): string[] {
  const out: string[] = [];
  for (const t of tags) {
    const m = /^attack\.(.+)$/i.exec(t);
    if (!m) continue;
    const v = m[1];
    if (/^[tgs]\d{4}(\.\d{3})?$/i.test(v)) out.push(v.toUpperCase());
    else out.push(v.toLowerCase());
  }
  return out;
}

function ruleKeys(r: { id?: string; name?: string; title: string }): string[] {
  const k: string[] = [];
  if (r.id) k.push(r.id);
  if (r.name) k.push(r.name);
  return k;
}

function tagMatches(ruleTags: string[], wanted: string[]): boolean {
  const have = new Set<string>();
  for (const t of ruleTags) {
    const l = t.toLowerCase();
    have.add(l);
    if (l.startsWith('attack.')) have.add(l.slice(7));
  }
  for (const w of wanted) {
    const l = w.toLowerCase();
    if (have.has(l)) return true;
    // a technique given without sub-technique also selects its sub-techniques
    for (const h of have) if (h.startsWith(l + '.') && /^(attack\.)?t\d{4}$/.test(l)) return true;
  }
  return false;
}

export interface PreparedHunt {
  ruleSet: RuleSet;
  compiled: CompiledRule[];
  /** per compiled rule: print its matches on their own */
  printable: boolean[];
  /** per compiled rule: key to feed the correlation engine, if a correlation references it */
  feedKey: (string | undefined)[];
  correlations: CorrelationRule[];
  /** a correlation engine built at preparation (to report problems); each run builds its own with `newEngine` */
  engine?: CorrelationEngine;
  newEngine: () => CorrelationEngine | undefined;
  /** correlations whose alerts are printed (not only feeding another correlation with generate: false) */
  printableCorrelations: Set<CorrelationRule>;
  mapping: LogSourceMapping;
  router: Router;
  /** literal anchors of the rules, to skip rules that cannot match an event */
  prefilter: Prefilter;
  /** per compiled rule: it uses placeholders (user terms, NFC) → its fields are read in NFC too */
  nfc: boolean[];
  summaryRules: HuntSummary['rules'];
  placeholders: Record<string, string[]>;
}

/** Load, select and compile rules; build the router. Never throws for a bad rule (it is listed). */
export async function prepareHunt(opts: HuntOptions): Promise<PreparedHunt> {
  const paths: string[] = [];
  if (opts.builtinRules !== false && existsSync(builtinRulesDir())) paths.push(builtinRulesDir());
  for (const p of opts.rulePaths ?? []) paths.push(p);
  if (opts.installedRules && existsSync(installedRulesDir())) paths.push(installedRulesDir());
  const ruleSet = await loadRules(paths, { cacheDir: opts.ruleCache });

  const failed: RuleIssue[] = [];
  const warnings: RuleIssue[] = [];
  for (const p of ruleSet.problems) {
    const issue: RuleIssue = { file: p.file, line: p.line, ruleId: p.ruleId, title: p.title, reason: p.message };
    (p.severity === 'error' ? failed : warnings).push(issue);
  }

  // --placeholders values are Sigma strings (wildcards apply); watchlist and honey terms match literally; all NFC
  const placeholders: Record<string, string[]> = Object.fromEntries(Object.entries(opts.placeholders ?? {}).map(([k, v]) => [k, nfcValues(v)]));
  if (opts.watchlist) placeholders.watchlist = literalValues(opts.watchlist);
  if (opts.honey) {
    placeholders.honey_message_ids = literalValues(opts.honey.messageIds);
    placeholders.honey_mailboxes = literalValues(opts.honey.mailboxes);
  }

  const exclude = new Set((opts.excludeRules ?? []).map((x) => x.trim().toLowerCase()));
  const minRank = opts.minLevel ? levelRank(opts.minLevel) : -1;
  const statuses = opts.statuses?.length ? new Set(opts.statuses.map((s) => s.toLowerCase())) : undefined;
  const selected = (r: { id?: string; name?: string; title: string; level?: Level; status?: string; tags: string[] }): boolean => {
    if (exclude.has(r.title.toLowerCase()) || (r.id && exclude.has(r.id.toLowerCase())) || (r.name && exclude.has(r.name.toLowerCase()))) return false;
    if (minRank >= 0 && levelRank(r.level ?? 'informational') < minRank) return false;
    if (statuses && !statuses.has((r.status ?? '').toLowerCase())) return false;
    if (opts.tags?.length && !tagMatches(r.tags, opts.tags)) return false;
    return true;
  };
  let deselected = 0;

  // correlations: selected ones, and the rules/correlations they reference (transitively)
  const corrByKey = new Map<string, CorrelationRule>();
  for (const c of ruleSet.correlations) for (const k of ruleKeys(c)) corrByKey.set(k, c);
  const selCorr = new Set<CorrelationRule>();
  for (const c of ruleSet.correlations) {
    if (selected(c)) selCorr.add(c);
    else deselected++;
  }
  const neededCorr = new Set<CorrelationRule>();
  const refGenerate = new Map<string, boolean>(); // referenced key → some referencing correlation has generate
  const visit = (c: CorrelationRule, depth: number): void => {
    if (neededCorr.has(c) || depth > 16) return;
    neededCorr.add(c);
    for (const k of c.rules) {
      refGenerate.set(k, (refGenerate.get(k) ?? false) || c.generate);
      const inner = corrByKey.get(k);
      if (inner) visit(inner, depth + 1);
    }
  };
  for (const c of selCorr) visit(c, 0);
  const isRef = (r: { id?: string; name?: string }) => (r.id !== undefined && refGenerate.has(r.id)) || (r.name !== undefined && refGenerate.has(r.name));
  const refGen = (r: { id?: string; name?: string }) => (r.id !== undefined && refGenerate.get(r.id) === true) || (r.name !== undefined && refGenerate.get(r.name) === true);

  const inactive: InactiveRule[] = [];
  const compiled: CompiledRule[] = [];
  const printable: boolean[] = [];
  const feedKey: (string | undefined)[] = [];
  for (const rule of ruleSet.rules) {
    const sel = selected(rule);
    const ref = isRef(rule);
    if (!sel && !ref) {
      deselected++;
      continue;
    }
    const missing = requiredPlaceholders(rule.detection).filter((n) => !placeholders[n] || placeholders[n].length === 0);
    if (missing.length) {
      inactive.push({
        file: rule.file, ruleId: rule.id, title: rule.title, placeholders: missing,
        activate: activateText(missing),
      });
      continue;
    }
    try {
      const c = compileRule(rule, { placeholders, filters: filtersFor(rule, ruleSet.filters) });
      compiled.push(c);
      printable.push(sel && (!ref || refGen(rule)));
      feedKey.push(ref ? (rule.id !== undefined && refGenerate.has(rule.id) ? rule.id : rule.name) : undefined);
    } catch (e) {
      failed.push({ file: rule.file, line: rule.line, ruleId: rule.id, title: rule.title, reason: (e as Error).message });
    }
  }

  const correlations = [...neededCorr];
  let engine: CorrelationEngine | undefined;
  let corrFailed = 0;
  const printableCorrelations = new Set<CorrelationRule>();
  if (correlations.length) {
    try {
      engine = new CorrelationEngine(correlations, ruleSet.rules, { maxGroups: opts.maxCorrelationGroups });
      for (const c of correlations) if (selCorr.has(c) && (!isRef(c) || refGen(c))) printableCorrelations.add(c);
      // correlations the engine cannot evaluate (unknown references, cycles, no timespan/field): failed, with reason
      for (const pr of engine.problems) failed.push({ file: pr.file, line: pr.line, ruleId: pr.ruleId, title: pr.title, reason: pr.message });
      corrFailed = new Set(engine.problems.map((pr) => `${pr.file}\u0000${pr.line ?? ''}\u0000${pr.title ?? ''}`)).size;
      corrFailed += reportBrokenReferences(correlations, engine, ruleSet.rules, compiled, failed, warnings, inactive);
    } catch (e) {
      for (const c of correlations) failed.push({ file: c.file, line: c.line, ruleId: c.id, title: c.title, reason: (e as Error).message });
    }
  }

  const mapping = loadMapping(opts.mapping ? [opts.mapping] : []);
  const router = new Router(mapping, compiled.map((c) => ({ logsource: (c.logsource ?? c.rule.logsource) as Record<string, unknown>, eventIds: ruleEventIds(c.rule.detection) })));
  const unmapped = router.unmapped.map((i) => ({
    title: compiled[i].rule.title, id: compiled[i].rule.id, logsource: describeLogsource(normLogsource(compiled[i].rule.logsource as Record<string, unknown>)),
  }));

  // rules fed by user terms read NFC-normalised values, which the prefilter does not see
  const nfc = compiled.map((c) => requiredPlaceholders(c.rule.detection).length > 0);
  return {
    ruleSet, compiled, printable, feedKey, correlations, engine, printableCorrelations, mapping, router, placeholders, nfc,
    newEngine: () => (engine ? new CorrelationEngine(correlations, ruleSet.rules, { maxGroups: opts.maxCorrelationGroups }) : undefined),
    prefilter: new Prefilter(compiled.map((c) => c.rule.detection), {
      aliases: mapping.entries.flatMap((e) => e.events.map((x) => x.aliases).filter((a): a is Map<string, string> => a !== undefined)),
      unanchored: nfc,
    }),
    summaryRules: {
      files: ruleSet.files, loaded: compiled.length, correlations: engine ? correlations.length - corrFailed : 0, filters: ruleSet.filters.length,
      failed, warnings, inactive, deselected, unmapped,
    },
  };
}

/**
 * Correlations the engine accepted but whose referenced rules did not compile (failed) or wait for a placeholder
 * (inactive): a temporal one, or one with every reference broken, can never fire → failed (or inactive when only
 * placeholders are missing); otherwise it runs on the other rules → warning. Returns the number that cannot fire.
 */
function reportBrokenReferences(
  correlations: CorrelationRule[], engine: CorrelationEngine, rules: SigmaRule[], compiled: CompiledRule[],
  failed: RuleIssue[], warnings: RuleIssue[], inactive: InactiveRule[],
): number {
  const bad = new Set(engine.problems.map((pr) => `${pr.file}\u0000${pr.line ?? ''}`));
  const ok = new Set<string>();
  for (const c of compiled) for (const k of ruleKeys(c.rule)) ok.add(k);
  const base = new Map<string, SigmaRule>();
  for (const r of rules) for (const k of ruleKeys(r)) base.set(k, r);
  let dead = 0;
  for (const c of correlations) {
    if (bad.has(`${c.file}\u0000${c.line ?? ''}`)) continue;
    const broken = c.rules.filter((k) => base.has(k) && !ok.has(k));
    if (!broken.length) continue;
    const placeholders = new Set<string>();
    let onlyInactive = true;
    for (const k of broken) {
      const r = base.get(k)!;
      const ina = inactive.find((i) => i.file === r.file && i.title === r.title && i.ruleId === r.id);
      if (ina) for (const p of ina.placeholders) placeholders.add(p);
      else onlyInactive = false;
    }
    const names = broken.map((k) => `"${k}"`).join(', ');
    const fatal = c.type === 'temporal' || c.type === 'temporal_ordered' || broken.length === new Set(c.rules).size;
    if (!fatal) {
      warnings.push({ file: c.file, line: c.line, ruleId: c.id, title: c.title, reason: `correlation runs without referenced rule(s) ${names}, which ${onlyInactive ? 'need a placeholder' : 'failed to compile'}` });
      continue;
    }
    dead++;
    if (onlyInactive) inactive.push({ file: c.file, ruleId: c.id, title: c.title, placeholders: [...placeholders], activate: activateText([...placeholders]) });
    else failed.push({ file: c.file, line: c.line, ruleId: c.id, title: c.title, reason: `correlation cannot fire: referenced rule(s) ${names} failed to compile` });
  }
  return dead;
}

/** Filters that apply to a rule: those naming it by id/name/title, or naming none with a covering log source. */
export function filtersFor(rule: SigmaRule, filters: FilterRule[]): FilterRule[] {
  if (!filters.length) return [];
  const keys = new Set([rule.id, rule.name, rule.title].filter((x): x is string => !!x).map((x) => x.toLowerCase()));
  const rls = normLogsource(rule.logsource as Record<string, unknown>);
  return filters.filter((f) => {
    const fls = normLogsource(f.logsource as Record<string, unknown>);
    if (!logsourceCovers(fls, rls)) return false;
    if (!f.rules.length) return true;
    return f.rules.some((r) => keys.has(String(r).toLowerCase()));
  });
}

const attackCache = new WeakMap<SigmaRule, string[]>();
function detectionOf(rule: SigmaRule, ev: VigieEvent, details: MatchDetail[]): Detection {
  let attack = attackCache.get(rule);
  if (!attack) attackCache.set(rule, (attack = attackOf(rule.tags)));
  return {
    time: ev.time, computer: ev.computer, channel: ev.channel, eventId: ev.eventId,
    level: rule.level ?? 'informational', ruleTitle: rule.title, ruleId: rule.id, tags: rule.tags, attack: attack.slice(),
    details, file: ev.origin.file, offset: ev.origin.offset, record: ev.origin.record, format: ev.origin.format,
    kind: 'rule', ruleFile: rule.file, status: rule.status,
  };
}

function correlationDetection(a: CorrelationAlert): Detection {
  const c = a.correlation;
  const last = a.events.length ? a.events[a.events.length - 1] : undefined;
  const details: MatchDetail[] = Object.entries(a.group).map(([field, value]) => ({ field, value: String(value).slice(0, 200) }));
  if (a.value !== undefined) details.push({ field: c.type, value: String(a.value) });
  details.push({ field: 'window', value: `${formatTime(a.firstTime)} → ${formatTime(a.time)}` });
  return {
    time: a.time, computer: last?.computer, channel: last?.channel, eventId: last?.eventId,
    level: c.level ?? 'medium', ruleTitle: c.title, ruleId: c.id, tags: c.tags, attack: attackOf(c.tags), details,
    file: last?.origin.file ?? '', offset: last?.origin.offset ?? 0, record: last?.origin.record, format: last?.origin.format ?? '',
    kind: 'correlation', group: a.group, value: a.value, ruleFile: c.file, status: c.status,
  };
}

/** Sort by time (events without a time last), stable. */
export function sortTimeline(d: Detection[]): Detection[] {
  return d
    .map((x, i) => [x, i] as const)
    .sort((a, b) => {
      const ta = a[0].time, tb = b[0].time;
      if (ta === undefined && tb === undefined) return a[1] - b[1];
      if (ta === undefined) return 1;
      if (tb === undefined) return -1;
      // at equal times, the events before the correlation alert they complete
      return ta - tb || (a[0].kind === b[0].kind ? 0 : a[0].kind === 'correlation' ? 1 : -1) || a[1] - b[1];
    })
    .map((x) => x[0]);
}

/** The rule numbers of a route list as a typed array (cached per list: the router caches its static lists). */
const routeRuleCache = new WeakMap<Route[], Int32Array>();
function routeRules(routes: Route[]): Int32Array {
  let a = routeRuleCache.get(routes);
  if (!a) {
    a = Int32Array.from(routes, (r) => r.rule);
    routeRuleCache.set(routes, a);
  }
  return a;
}

/** Run a hunt over inputs. Bad records are skipped and counted; bad rules are listed, never fatal. */
export async function runHunt(opts: HuntOptions, prepared?: PreparedHunt): Promise<HuntResult> {
  const started = Date.now();
  const p = prepared ?? (await prepareHunt(opts));
  const ctx = new ReadContext();
  const recordsByFormat = new Map<string, number>();
  const missing = opts.inputs.filter((i) => i !== '-' && !existsSync(i));
  let outOfRange = 0;
  const matcher = new HuntMatcher(p, { prefilter: opts.prefilter, onError: (e) => ctx.error(e) });
  const detections = matcher.detections;

  let totalFiles: number | undefined;
  if (opts.onProgress) {
    totalFiles = 0;
    for await (const _ of expandInputs(opts.inputs.filter((i) => i === '-' || existsSync(i)))) totalFiles++;
  }
  let filesStarted = 0;
  let currentFile: string | undefined;
  const progress = () => opts.onProgress?.({ file: currentFile, files: filesStarted, totalFiles, records: ctx.records, detections: detections.length });

  let n = 0;
  const inputs = opts.inputs.filter((i) => !missing.includes(i));
  // events arrive in batches (an EVTX chunk at a time): one asynchronous step per batch, not per event
  for await (const batch of readInputBatches(inputs, ctx, {
    format: opts.inputFormat,
    onFile: (path) => {
      filesStarted++;
      currentFile = path;
      progress();
    },
  })) {
    for (const ev of batch) {
      const fmt = ev.origin.format;
      recordsByFormat.set(fmt, (recordsByFormat.get(fmt) ?? 0) + 1);
      if ((++n & 4095) === 0) progress();
      if (ev.time !== undefined && ((opts.from !== undefined && ev.time < opts.from) || (opts.to !== undefined && ev.time > opts.to))) {
        outOfRange++;
        continue;
      }
      matcher.event(ev);
    }
  }
  matcher.finish();
  currentFile = undefined;
  progress();

  const timeline = sortTimeline(detections);
  const summary = summarize(timeline, ctx, recordsByFormat, p, missing, outOfRange, Date.now() - started);
  summary.correlation = matcher.engine?.stats();
  return { detections: timeline, summary };
}

/**
 * The rule stage of a hunt for one event stream: transforms → routing → prefilter → matchers → correlations.
 * Detections accumulate in `detections` (unsorted); `finish()` flushes correlations at the end of input.
 */
export class HuntMatcher {
  readonly detections: Detection[] = [];
  readonly engine: CorrelationEngine | undefined;
  private usePrefilter: boolean;
  private matchErrors = 0;
  constructor(private p: PreparedHunt, private o: { prefilter?: boolean; onError?: (e: { file: string; offset?: number; message: string }) => void } = {}) {
    this.engine = p.newEngine();
    this.usePrefilter = o.prefilter !== false;
    // value caches start empty for each run (a hunt, a worker's share of one)
    p.prefilter.resetCaches();
  }

  /** caching field views, reused for every event: plain, per alias set, and their NFC variants */
  private plain = fieldView();
  private nfcPlain = fieldView(undefined, true);
  private aliased = new Map<Map<string, string>, ReusableView>();
  private nfcAliased = new Map<Map<string, string>, ReusableView>();
  private epoch = 0;
  /** the last event's routes and their rule numbers (consecutive events of one kind share them) */
  private lastRoutes: Route[] | undefined;
  private lastRules: Int32Array | undefined;

  /** positions of the routes the prefilter selected (scratch, reused across events) */
  private sel = new Int32Array(256);
  private selected(n: number): Int32Array {
    if (this.sel.length < n) this.sel = new Int32Array(Math.max(n, this.sel.length * 2));
    return this.sel;
  }

  private alerts(list: CorrelationAlert[]): void {
    for (const a of list) if (this.p.printableCorrelations.has(a.correlation)) this.detections.push(correlationDetection(a));
  }

  /** Match one event; `transformed`: the transforms already ran on it (an event forwarded by a worker thread). */
  event(ev: VigieEvent, transformed = false): void {
    const { compiled, printable, feedKey, router, prefilter } = this.p;
    if (!transformed) applyTransforms(ev);
    const routes = router.route(ev);
    if (routes.length === 0) return;
    // even one candidate goes through the prefilter: a lone keyword rule (Mimikatz Use, on every Windows event)
    // would otherwise build and search the whole event text; the prefilter's per-value cache skips most of that
    const pre = this.usePrefilter;
    const epoch = ++this.epoch;
    // the prefilter picks the routes to evaluate in one pass over the route's rule numbers (a typed array)
    let nTodo = routes.length;
    if (pre) {
      let rules: Int32Array;
      if (routes === this.lastRoutes) rules = this.lastRules!;
      else {
        rules = routeRules(routes);
        this.lastRoutes = routes;
        this.lastRules = rules;
      }
      prefilter.scan(ev, rules);
      nTodo = prefilter.hits(rules, this.selected(routes.length));
    }
    for (let j = 0; j < nTodo; j++) {
      const r = routes[pre ? this.sel[j]! : j]!;
      const c = compiled[r.rule];
      // one caching view per alias set (and NFC flag), reused across events; moved to this event on first use
      const nfc = this.p.nfc[r.rule]!;
      let get: ReusableView;
      if (r.aliases) {
        const m = nfc ? this.nfcAliased : this.aliased;
        get = m.get(r.aliases)!;
        if (get === undefined) m.set(r.aliases, (get = fieldView(r.aliases, nfc)));
      } else get = nfc ? this.nfcPlain : this.plain;
      if (get.mark !== epoch) {
        get.mark = epoch;
        get.reset(ev);
      }
      let details: MatchDetail[] | null;
      try {
        details = c.match(ev, get);
      } catch (e) {
        if (++this.matchErrors <= 20) this.o.onError?.({ file: ev.origin.file, offset: ev.origin.offset, message: `rule "${c.rule.title}" failed on this record: ${(e as Error).message}` });
        continue;
      }
      if (!details) continue;
      if (printable[r.rule]) this.detections.push(detectionOf(c.rule, ev, details));
      const key = feedKey[r.rule];
      if (key !== undefined && this.engine) {
        try {
          this.alerts(this.engine.feed(key, ev, get));
        } catch (e) {
          this.o.onError?.({ file: ev.origin.file, offset: ev.origin.offset, message: `correlation failed: ${(e as Error).message}` });
        }
      }
    }
  }

  finish(): void {
    if (!this.engine) return;
    try {
      this.alerts(this.engine.finish());
    } catch (e) {
      this.o.onError?.({ file: '', message: `correlation failed at end of input: ${(e as Error).message}` });
    }
  }
}

/** The summary of a run (exported for the threaded run in workers.ts, which must build the very same one). */
export function summarize(
  d: Detection[], ctx: ReadContext, recordsByFormat: Map<string, number>, p: PreparedHunt, missing: string[], outOfRange: number, durationMs: number,
): HuntSummary {
  const byLevel: Record<string, number> = { critical: 0, high: 0, medium: 0, low: 0, informational: 0 };
  const byRule = new Map<string, { title: string; id?: string; level: Level; count: number }>();
  for (const x of d) {
    byLevel[x.level] = (byLevel[x.level] ?? 0) + 1;
    const k = `${x.ruleId ?? ''}\u0000${x.ruleTitle}`;
    const e = byRule.get(k);
    if (e) e.count++;
    else byRule.set(k, { title: x.ruleTitle, id: x.ruleId, level: x.level, count: 1 });
  }
  const formats: Record<string, { files: number; records: number }> = {};
  for (const [f, n] of ctx.formats) formats[f] = { files: n, records: recordsByFormat.get(f) ?? 0 };
  for (const [f, n] of recordsByFormat) formats[f] ??= { files: 0, records: n };
  return {
    byLevel,
    byRule: [...byRule.values()].sort((a, b) => levelRank(b.level) - levelRank(a.level) || b.count - a.count || a.title.localeCompare(b.title)),
    files: ctx.files, records: ctx.records, formats, unsupported: ctx.unsupported, skipped: ctx.skipped,
    errors: ctx.errors.map((e) => ({ file: e.file, offset: e.offset, line: e.line, message: e.message })),
    missing, outOfRange, rules: p.summaryRules, durationMs,
  };
}

/** Text of a field for display (used by the CLI's detail column). */
export function fieldText(ev: VigieEvent, name: string): string | undefined {
  return valueText(getField(ev, name));
}
