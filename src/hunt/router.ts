/**
 * Routing: an event is offered only to the rules of its log sources. Rules are indexed once against the
 * mapping entries; per event, the static part of the route (channel, event id, provider, the reader's log
 * source) is a single map lookup after the first event of its kind. Specs that look into the event
 * (has_field, where) are few and tested per event.
 */
import { getField, valueText, type FieldValue, type VigieEvent } from '../event.js';
import { logsourceCovers, keyCount, normLogsource, type EventSpec, type LogSourceKey, type LogSourceMapping } from './mapping.js';

export interface Route {
  /** index of the rule in the list given to the Router */
  rule: number;
  /** Sigma field (lower-cased) → event field, for events of the spec that routed here */
  aliases?: Map<string, string>;
}

interface RuleRef {
  rule: number;
  /** the rule's log source equals the entry's (aliases apply only then) */
  exact: boolean;
}

const MAX_CACHE = 20_000;

export class Router {
  /** per entry: the rules it covers */
  private entryRules: RuleRef[][];
  /** specs to test on every event (has_field / where) */
  private dynamic: { entry: number; spec: EventSpec }[] = [];
  /** specs decided by channel/provider/event id/reader log source */
  private staticSpecs: { entry: number; spec: EventSpec }[] = [];
  private cache = new Map<string, Route[]>();
  private ruleLs: LogSourceKey[];
  /** rules no mapping entry covers */
  readonly unmapped: number[] = [];

  constructor(private mapping: LogSourceMapping, rules: { logsource: Record<string, unknown> | LogSourceKey }[]) {
    this.ruleLs = rules.map((r) => normLogsource(r.logsource as Record<string, unknown>));
    this.entryRules = mapping.entries.map(() => []);
    const covered = new Uint8Array(rules.length);
    mapping.entries.forEach((e, ei) => {
      const n = keyCount(e.logsource);
      this.ruleLs.forEach((ls, ri) => {
        if (logsourceCovers(ls, e.logsource)) {
          this.entryRules[ei].push({ rule: ri, exact: keyCount(ls) === n });
          covered[ri] = 1;
        }
      });
      for (const spec of e.events) {
        if (spec.hasFields || spec.where) this.dynamic.push({ entry: ei, spec });
        else this.staticSpecs.push({ entry: ei, spec });
      }
    });
    covered.forEach((c, i) => {
      if (!c) this.unmapped.push(i);
    });
  }

  /** Rules (with field aliases) this event must be offered to. */
  route(ev: VigieEvent): Route[] {
    const ls = ev.logsource ?? {};
    const key = `${ev.channel ?? ''}\u0000${ev.eventId ?? ''}\u0000${ev.provider ?? ''}\u0000${ls.product ?? ''}\u0000${ls.service ?? ''}\u0000${ls.category ?? ''}`;
    let routes = this.cache.get(key);
    if (!routes) {
      routes = this.computeStatic(ev);
      if (this.cache.size >= MAX_CACHE) this.cache.clear(); // hostile input with endless channel names
      this.cache.set(key, routes);
    }
    if (this.dynamic.length === 0) return routes;
    let extra: Map<number, Route> | undefined;
    for (const d of this.dynamic) {
      if (!specMatches(d.spec, ev, true)) continue;
      for (const ref of this.entryRules[d.entry]) {
        extra ??= new Map(routes.map((r) => [r.rule, r]));
        addRoute(extra, ref, d.spec);
      }
    }
    return extra ? [...extra.values()] : routes;
  }

  private computeStatic(ev: VigieEvent): Route[] {
    const out = new Map<number, Route>();
    for (const s of this.staticSpecs) {
      if (!specMatches(s.spec, ev, false)) continue;
      for (const ref of this.entryRules[s.entry]) addRoute(out, ref, s.spec);
    }
    // rules whose log source is the one the reader set on the event (mapped or not)
    const evLs = normLogsource(ev.logsource as Record<string, unknown>);
    if (evLs.product || evLs.category || evLs.service) {
      this.ruleLs.forEach((ls, ri) => {
        if (!out.has(ri) && logsourceCovers(ls, evLs)) out.set(ri, { rule: ri });
      });
    }
    return [...out.values()].sort((a, b) => a.rule - b.rule);
  }

  /** Distinct static routes seen so far (for tests and stats). */
  cacheSize(): number {
    return this.cache.size;
  }
}

function addRoute(out: Map<number, Route>, ref: RuleRef, spec: EventSpec): void {
  const aliases = ref.exact ? spec.aliases : undefined;
  const old = out.get(ref.rule);
  if (!old || (aliases && !old.aliases)) out.set(ref.rule, aliases ? { rule: ref.rule, aliases } : { rule: ref.rule });
}

function lower(v: string | undefined): string | undefined {
  return v === undefined ? undefined : v.toLowerCase();
}

/** Does the event match a spec? `dynamic` = also test has_field / where (they look into the event's fields). */
export function specMatches(spec: EventSpec, ev: VigieEvent, dynamic: boolean): boolean {
  if (spec.channels) {
    const c = lower(ev.channel);
    if (c === undefined || !spec.channels.includes(c)) return false;
  }
  if (spec.providers) {
    const p = lower(ev.provider ?? (typeof ev.fields.Provider_Name === 'string' ? ev.fields.Provider_Name : undefined));
    if (p === undefined || !spec.providers.includes(p)) return false;
  }
  if (spec.eventIds) {
    if (ev.eventId === undefined || !spec.eventIds.includes(ev.eventId)) return false;
  }
  if (spec.logsource) {
    const ls = normLogsource(ev.logsource as Record<string, unknown>);
    if (spec.logsource.product && spec.logsource.product !== ls.product) return false;
    if (spec.logsource.service && spec.logsource.service !== ls.service) return false;
    if (spec.logsource.category && spec.logsource.category !== ls.category) return false;
  }
  if (dynamic) {
    if (spec.hasFields) {
      for (const f of spec.hasFields) {
        const v = getField(ev, f);
        if (v === undefined || v === null || v === '') return false;
      }
    }
    if (spec.where) {
      for (const [f, vals] of Object.entries(spec.where)) {
        const t = valueText(getField(ev, f));
        if (t === undefined || !vals.includes(t.toLowerCase())) return false;
      }
    }
  }
  return true;
}

/** A FieldGetter for an event, reading aliased names from their event field. */
export function fieldGetter(ev: VigieEvent, aliases?: Map<string, string>): (field: string) => FieldValue | undefined {
  if (!aliases) return (field) => getField(ev, field);
  return (field) => {
    const a = aliases.get(field) ?? aliases.get(field.toLowerCase());
    if (a === undefined) return getField(ev, field);
    const v = getField(ev, a);
    return v === undefined ? getField(ev, field) : v;
  };
}
