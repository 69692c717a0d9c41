/**
 * Sigma correlation rules: event_count, value_count, temporal, temporal_ordered, value_sum, value_avg,
 * value_percentile, with group-by, timespan, aliases, chaining and `generate`.
 *
 * The hunt feeds every match of a referenced rule, in any time order (files are read one after another).
 * Per correlation and group we keep the matches sorted by time; a new match is evaluated against every window
 * of `timespan` that contains it (window = [t, t + timespan], both ends inclusive), so an event arriving late
 * still completes the window it belongs to. Conditions that can only grow (gt/gte, and temporal/ordered
 * completeness) fire as soon as they hold; the others (lt/lte/eq/neq, averages, percentiles) can only be
 * decided once all input was read and are evaluated by `finish()` over consecutive windows.
 * One alert per group per burst: once a window [F, F + timespan] fired for a group, no other window of that group
 * overlapping it (start within timespan of F) fires, and later matches inside it are absorbed (counted as
 * `suppressed`); a new burst after F + timespan alerts again. This holds for late (out-of-order) matches too.
 * State is bounded: at most `maxGroups` groups per correlation (least recently updated evicted) and
 * `maxEventsPerGroup` matches per group (oldest evicted); evictions are counted.
 */
import { getField, valueText, type FieldValue, type VigieEvent } from '../event.js';
import type { CorrelationRule, FieldGetter, RuleProblem, SigmaRule } from './types.js';

export interface CorrelationAlert {
  correlation: CorrelationRule;
  /** ms, last contributing event */
  time: number;
  firstTime: number;
  group: Record<string, string>;
  /** count / distinct count / sum / average / percentage that met the condition */
  value?: number;
  /** bounded sample of contributing events (at most 10) */
  events: VigieEvent[];
  /** ids (or names) of the rules whose matches contributed */
  rules: string[];
}

interface Entry { t: number; seq: number; step: number /* index of the referenced rule */; ev: VigieEvent | null; val?: string; num?: number }
interface Group {
  key: string;
  values: Record<string, string>;
  entries: Entry[] /* sorted by t, seq */;
  /** starts F of the windows [F, F + timespan] that fired for this group, sorted (at most MAX_FIRED, newest kept) */
  fired: number[];
}
type Cmp = (x: number) => boolean;

interface CorrState {
  c: CorrelationRule;
  refs: string[][]; // per step: keys (id and name) that identify the referenced rule
  cmp: Cmp;
  growing: boolean; // condition only becomes true with more events
  fields: string[]; // condition field(s)
  groups: Map<string, Group>;
  outer: boolean; // alerts are reported (not referenced by another correlation, or generate)
  parents: CorrState[];
}

const SAMPLE = 10;
const MAX_REF_EVENTS = 100_000;
/** fired windows remembered per group (suppression of late, out-of-order re-alerts for older bursts) */
const MAX_FIRED = 64;

/** True when a window starting at `a` overlaps a window that already fired for the group: |a - F| <= T. */
function blocked(grp: Group, a: number, T: number): boolean {
  const f = grp.fired;
  for (let k = f.length - 1; k >= 0; k--) {
    const F = f[k]!;
    if (a >= F - T && a <= F + T) return true;
    if (F + T < a) break; // sorted: earlier windows end before a
  }
  return false;
}

/** True when time `t` lies inside a window that already fired for the group (the match belongs to that burst). */
function absorbed(grp: Group, t: number, T: number): boolean {
  const f = grp.fired;
  for (let k = f.length - 1; k >= 0; k--) {
    const F = f[k]!;
    if (t >= F && t <= F + T) return true;
    if (F + T < t) break;
  }
  return false;
}

function conditionOf(c: CorrelationRule): { cmp: Cmp; growing: boolean; fields: string[] } {
  const cond = c.condition ?? {};
  const tests: Cmp[] = [];
  let upper = false;
  for (const [k, v] of Object.entries(cond)) {
    const n = typeof v === 'number' ? v : Number(v);
    if (k === 'field' || !Number.isFinite(n)) continue;
    switch (k) {
      case 'gt': tests.push((x) => x > n); break;
      case 'gte': tests.push((x) => x >= n); break;
      case 'lt': tests.push((x) => x < n); upper = true; break;
      case 'lte': tests.push((x) => x <= n); upper = true; break;
      case 'eq': tests.push((x) => x === n); upper = true; break;
      case 'neq': tests.push((x) => x !== n); upper = true; break;
    }
  }
  const f = cond['field'];
  const fields = typeof f === 'string' ? [f] : Array.isArray(f) ? f.map(String) : [];
  if (c.type === 'temporal' || c.type === 'temporal_ordered') {
    const need = c.rules.length;
    if (tests.length === 0) tests.push((x) => x >= need);
  }
  const cmp: Cmp = tests.length === 0 ? () => true : tests.length === 1 ? tests[0]! : (x) => tests.every((t) => t(x));
  const growing = !upper && c.type !== 'value_avg' && c.type !== 'value_percentile';
  return { cmp, growing, fields };
}

function text(v: FieldValue | undefined): string | undefined {
  if (Array.isArray(v)) return v.map((x) => valueText(x) ?? '').join(',');
  return valueText(v);
}

export class CorrelationEngine {
  private states: CorrState[] = [];
  /** rule key (id or name) → [state, step] pairs it feeds */
  private byKey = new Map<string, Array<[CorrState, number]>>();
  private refSet = new Set<string>();
  private evicted = 0;
  /** matches absorbed by a burst that already alerted (not re-alerted) */
  private suppressed = 0;
  private seq = 0;
  private refEvents = 0;
  private maxGroups: number;
  private maxEvents: number;
  /** problems found at construction: unknown references, cycles */
  readonly problems: RuleProblem[] = [];
  /** matches fed without a time (ignored) */
  untimed = 0;

  constructor(correlations: CorrelationRule[], rules: SigmaRule[], opts: { maxGroups?: number; maxEventsPerGroup?: number } = {}) {
    this.maxGroups = opts.maxGroups ?? 10_000;
    this.maxEvents = opts.maxEventsPerGroup ?? 1_000;
    // names and ids of everything that can be referenced
    const known = new Map<string, string[]>(); // key → all keys of that rule
    const add = (id?: string, name?: string): void => {
      const keys = [id, name].filter((x): x is string => !!x);
      for (const k of keys) known.set(k, keys);
    };
    for (const r of rules) add(r.id, r.name);
    for (const c of correlations) add(c.id, c.name);
    const stateOf = new Map<CorrelationRule, CorrState>();
    for (const c of correlations) {
      const refs: string[][] = [];
      let ok = true;
      for (const r of c.rules) {
        const keys = known.get(r);
        if (!keys) {
          this.problems.push({ file: c.file, line: c.line, ruleId: c.id, title: c.title, severity: 'error',
            message: `correlation refers to unknown rule "${r}" (no loaded rule or correlation has this id or name)` });
          ok = false;
        } else refs.push(keys);
      }
      if (!ok) continue;
      if (c.timespanMs <= 0) {
        this.problems.push({ file: c.file, line: c.line, ruleId: c.id, title: c.title, severity: 'error', message: 'correlation has no valid timespan' });
        continue;
      }
      const { cmp, growing, fields } = conditionOf(c);
      if (c.type.startsWith('value_') && fields.length === 0) {
        this.problems.push({ file: c.file, line: c.line, ruleId: c.id, title: c.title, severity: 'error', message: `${c.type} needs condition.field` });
        continue;
      }
      const st: CorrState = { c, refs, cmp, growing, fields, groups: new Map(), outer: true, parents: [] };
      stateOf.set(c, st);
    }
    // cycles: a correlation that (indirectly) refers to itself is dropped
    const corrByKey = new Map<string, CorrelationRule>();
    for (const c of stateOf.keys()) { if (c.id) corrByKey.set(c.id, c); if (c.name) corrByKey.set(c.name, c); }
    const inCycle = (start: CorrelationRule): boolean => {
      const seen = new Set<CorrelationRule>();
      const stack = [start];
      while (stack.length) {
        const x = stack.pop()!;
        for (const r of x.rules) {
          const y = corrByKey.get(r);
          if (!y) continue;
          if (y === start) return true;
          if (!seen.has(y)) { seen.add(y); stack.push(y); }
        }
      }
      return false;
    };
    for (const c of [...stateOf.keys()]) {
      if (inCycle(c)) {
        this.problems.push({ file: c.file, line: c.line, ruleId: c.id, title: c.title, severity: 'error', message: 'correlation refers to itself through a chain of correlations (cycle)' });
        stateOf.delete(c);
      }
    }
    for (const st of stateOf.values()) {
      this.states.push(st);
      st.refs.forEach((keys, step) => {
        for (const k of keys) {
          this.refSet.add(k);
          let l = this.byKey.get(k);
          if (!l) this.byKey.set(k, (l = []));
          l.push([st, step]);
        }
        // chained: the referenced correlation reports to this one, not to the user
        const child = corrByKey.get(keys[0]!) ?? (keys[1] ? corrByKey.get(keys[1]) : undefined);
        const cs = child ? stateOf.get(child) : undefined;
        if (cs) { cs.parents.push(st); if (!cs.c.generate) cs.outer = false; }
      });
    }
  }

  /** Rules (base rules and correlations, by id and name) that correlations reference. */
  referenced(): Set<string> {
    return new Set(this.refSet);
  }

  /** Feed one match of a rule (by id or name). Returns the alerts fired now. */
  feed(ruleKey: string, ev: VigieEvent, get: FieldGetter): CorrelationAlert[] {
    const targets = this.byKey.get(ruleKey);
    if (!targets) return [];
    if (ev.time === undefined || !Number.isFinite(ev.time)) { this.untimed++; return []; }
    const out: CorrelationAlert[] = [];
    for (const [st, step] of targets) this.add(st, step, ruleKey, ev, get, out);
    return out;
  }

  private add(st: CorrState, step: number, ruleKey: string, ev: VigieEvent, get: FieldGetter, out: CorrelationAlert[]): void {
    const c = st.c;
    // group key, through aliases (alias → {rule name: field})
    const values: Record<string, string> = {};
    const keys = st.refs[step]!;
    for (const g of c.groupBy) {
      let f = g;
      const al = c.aliases[g];
      if (al) {
        const k = keys.find((x) => al[x] !== undefined) ?? (al[ruleKey] !== undefined ? ruleKey : undefined);
        if (k !== undefined) f = al[k]!;
      }
      values[g] = text(get(f)) ?? '';
    }
    const key = c.groupBy.map((g) => values[g]).join('\u0001');
    let grp = st.groups.get(key);
    if (grp) {
      st.groups.delete(key); // re-insert: Map order = least recently updated first
    } else {
      grp = { key, values, entries: [], fired: [] };
      if (st.groups.size >= this.maxGroups) {
        const oldest = st.groups.keys().next().value as string;
        const og = st.groups.get(oldest)!;
        this.release(og.entries.length, og.entries);
        st.groups.delete(oldest);
        this.evicted++;
      }
    }
    st.groups.set(key, grp);
    if (grp.fired.length && absorbed(grp, ev.time!, c.timespanMs)) { this.suppressed++; return; }
    const e: Entry = { t: ev.time!, seq: this.seq++, step, ev: null };
    if (this.refEvents < MAX_REF_EVENTS) { e.ev = ev; this.refEvents++; }
    if (st.fields.length) {
      const vs = st.fields.map((f) => text(get(f)));
      if (c.type === 'value_count' || c.type === 'value_percentile') {
        if (vs.every((v) => v !== undefined)) e.val = vs.join('\u0001');
      } else {
        const n = vs[0] === undefined ? NaN : Number(vs[0]);
        if (Number.isFinite(n)) e.num = n;
      }
    }
    // insert sorted by time (binary search; equal times keep arrival order)
    const arr = grp.entries;
    let lo = 0, hi = arr.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (arr[mid]!.t <= e.t) lo = mid + 1; else hi = mid; }
    arr.splice(lo, 0, e);
    if (arr.length > this.maxEvents) {
      // drop the oldest
      this.release(1, arr.splice(0, 1));
      this.evicted++;
    }
    if (!st.growing) return;
    const alert = this.evaluateAround(st, grp, e);
    if (alert) this.emit(st, alert, out);
  }

  private release(_n: number, entries: Entry[]): void {
    for (const x of entries) if (x.ev) this.refEvents--;
  }

  /** Numeric value of a window of entries for this correlation type. */
  private value(st: CorrState, w: Entry[]): number {
    switch (st.c.type) {
      case 'event_count': return w.length;
      case 'value_count': { const s = new Set<string>(); for (const x of w) if (x.val !== undefined) s.add(x.val); return s.size; }
      case 'value_sum': { let s = 0; for (const x of w) if (x.num !== undefined) s += x.num; return s; }
      case 'value_avg': { let s = 0, n = 0; for (const x of w) if (x.num !== undefined) { s += x.num; n++; } return n ? s / n : NaN; }
      case 'temporal': { const s = new Set<number>(); for (const x of w) s.add(x.step); return s.size; }
      case 'temporal_ordered': return orderedSteps(w, st.refs.length);
      case 'value_percentile': return NaN;
    }
  }

  /** Look for a window [a, a + timespan] that contains entry `e` and meets the condition. */
  private evaluateAround(st: CorrState, grp: Group, e: Entry): CorrelationAlert | null {
    const T = st.c.timespanMs;
    const arr = grp.entries;
    const type = st.c.type;
    // candidate window starts: entries with t in [e.t - T, e.t], after the last alert of this group.
    // The window end j only moves forward; counts are kept incrementally (two pointers).
    const i0 = lowerBound(arr, e.t - T);
    let i = i0;
    let j = i0;
    const counts = new Map<string | number, number>();
    let sum = 0;
    const keyOf = (x: Entry): string | number | undefined => (type === 'value_count' ? x.val : type === 'temporal' ? x.step : undefined);
    const addE = (x: Entry): void => {
      const k = keyOf(x);
      if (k !== undefined) counts.set(k, (counts.get(k) ?? 0) + 1);
      if (x.num !== undefined) sum += x.num;
    };
    const delE = (x: Entry): void => {
      const k = keyOf(x);
      if (k !== undefined) { const n = counts.get(k)! - 1; if (n === 0) counts.delete(k); else counts.set(k, n); }
      if (x.num !== undefined) sum -= x.num;
    };
    for (; i < arr.length && arr[i]!.t <= e.t; i++) {
      if (i > i0) delE(arr[i - 1]!);
      const a = arr[i]!;
      const endT = a.t + T;
      while (j < arr.length && arr[j]!.t <= endT) { addE(arr[j]!); j++; }
      if (grp.fired.length && blocked(grp, a.t, T)) continue;
      let v: number;
      switch (type) {
        case 'event_count': v = j - i; break;
        case 'value_count': case 'temporal': v = counts.size; break;
        case 'value_sum': v = sum; break;
        default: v = this.value(st, arr.slice(i, j));
      }
      if (st.cmp(v)) {
        const w = arr.slice(i, j);
        const alert = this.alertOf(st, grp, w, v);
        // one alert per group per burst: the window [F, F + T] that fired suppresses every other window of the
        // group that overlaps it; its matches (and later ones inside it) are absorbed
        const F = a.t;
        const fired = grp.fired;
        let p = fired.length;
        while (p > 0 && fired[p - 1]! > F) p--;
        fired.splice(p, 0, F);
        if (fired.length > MAX_FIRED) fired.shift();
        const keep = arr.filter((x) => x.t < F || x.t > F + T);
        this.release(arr.length - keep.length, arr.filter((x) => !(x.t < F || x.t > F + T)));
        grp.entries = keep;
        return alert;
      }
    }
    return null;
  }

  private alertOf(st: CorrState, grp: Group, w: Entry[], value: number): CorrelationAlert {
    const events: VigieEvent[] = [];
    for (const x of w) { if (x.ev && events.length < SAMPLE) events.push(x.ev); }
    const rules = [...new Set(w.map((x) => st.c.rules[x.step]!))];
    return { correlation: st.c, time: w[w.length - 1]!.t, firstTime: w[0]!.t, group: { ...grp.values }, value, events, rules };
  }

  /** Report an alert (outer correlations) and feed it to the correlations chained on this one. */
  private emit(st: CorrState, alert: CorrelationAlert, out: CorrelationAlert[]): void {
    if (st.outer) out.push(alert);
    if (st.parents.length === 0) return;
    const last = alert.events[alert.events.length - 1] ?? alert.events[0];
    const ev: VigieEvent = last ? { ...last, time: alert.time } : { origin: { file: '', format: 'correlation', offset: 0 }, time: alert.time, logsource: {}, fields: {} };
    const get: FieldGetter = (f) => (Object.prototype.hasOwnProperty.call(alert.group, f) ? alert.group[f] : getField(ev, f));
    for (const p of st.parents) {
      const step = p.refs.findIndex((keys) => keys.includes(st.c.id ?? '') || keys.includes(st.c.name ?? ''));
      if (step >= 0) this.add(p, step, st.c.id ?? st.c.name ?? '', ev, get, out);
    }
  }

  /** End of input: evaluate the conditions that can only be decided on complete data. */
  finish(): CorrelationAlert[] {
    const out: CorrelationAlert[] = [];
    for (const st of this.states) {
      if (st.growing) continue;
      const T = st.c.timespanMs;
      for (const grp of st.groups.values()) {
        const arr = grp.entries;
        let i = 0;
        while (i < arr.length) {
          const endT = arr[i]!.t + T;
          let j = i;
          while (j < arr.length && arr[j]!.t <= endT) j++;
          const w = arr.slice(i, j);
          if (st.c.type === 'value_percentile') {
            const counts = new Map<string, Entry[]>();
            let total = 0;
            for (const x of w) if (x.val !== undefined) { total++; const l = counts.get(x.val); if (l) l.push(x); else counts.set(x.val, [x]); }
            for (const [val, es] of counts) {
              const pct = (100 * es.length) / total;
              if (st.cmp(pct)) {
                const a = this.alertOf(st, grp, es, pct);
                a.group = { ...a.group, [st.fields.join(',')]: val.split('\u0001').join(',') };
                this.emit(st, a, out);
              }
            }
          } else {
            const v = this.value(st, w);
            if (Number.isFinite(v) && st.cmp(v)) this.emit(st, this.alertOf(st, grp, w, v), out);
          }
          i = j;
        }
      }
    }
    return out;
  }

  stats(): { groups: number; evicted: number; suppressed: number } {
    let groups = 0;
    for (const st of this.states) groups += st.groups.size;
    return { groups, evicted: this.evicted, suppressed: this.suppressed };
  }
}

function lowerBound(arr: Entry[], t: number): number {
  let lo = 0, hi = arr.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (arr[mid]!.t < t) lo = mid + 1; else hi = mid; }
  return lo;
}

/**
 * temporal_ordered: how many steps of the sequence (rule 1, then rule 2, …) appear in order in the window,
 * starting from the first step. Equal timestamps count as in order. Greedy earliest choice is optimal.
 */
function orderedSteps(w: Entry[], n: number): number {
  let best = 0;
  for (let s = 0; s < w.length; s++) {
    if (w[s]!.step !== 0) continue;
    let tc = w[s]!.t;
    let want = 1;
    while (want < n) {
      // earliest entry of the next step at or after the current time (ties in any arrival order)
      let k = lowerBound(w, tc);
      while (k < w.length && (w[k]!.step !== want || k === s)) k++;
      if (k >= w.length) break;
      tc = w[k]!.t;
      want++;
    }
    if (want > best) best = want;
    if (best === n) break;
  }
  return best;
}
