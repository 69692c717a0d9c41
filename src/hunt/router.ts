/**
 * Routing: an event is offered only to the rules of its log sources. Rules are indexed once against the
 * mapping entries; per event, the static part of the route (channel, event id, provider, the reader's log
 * source) is a single map lookup after the first event of its kind. Specs that look into the event
 * (has_field, where) are few and tested per event.
 */
import { getField, peekField, valueText, type FieldValue, type VigieEvent } from '../event.js';
import type { FieldView } from '../sigma/compile.js';
import { nfcValue } from './literal.js';
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

/** A cached kind of event: its static routes, and the dynamic specs (indices) its kind can match. */
interface StaticRoute {
  routes: Route[];
  dyn: Int32Array;
}

export class Router {
  /** per entry: the rules it covers */
  private entryRules: RuleRef[][];
  /** specs to test on every event (has_field / where) */
  private dynamic: { entry: number; spec: EventSpec }[] = [];
  /** specs decided by channel/provider/event id/reader log source */
  private staticSpecs: { entry: number; spec: EventSpec }[] = [];
  private tree = new Map<string, Map<string, Map<number | string, Map<string, StaticRoute>>>>();
  private cached = 0;
  /** routes of events some dynamic specs matched, by static key and the specs matched */
  private dynCache = new Map<string, Route[]>();
  private ruleLs: LogSourceKey[];
  /** rules no mapping entry covers */
  readonly unmapped: number[] = [];

  /** per rule: the event ids it requires (a plain `EventID: N` item its condition needs), if any */
  private pins: (Set<number> | undefined)[];

  constructor(mapping: LogSourceMapping, rules: { logsource: Record<string, unknown> | LogSourceKey; eventIds?: number[] | null }[]) {
    this.ruleLs = rules.map((r) => normLogsource(r.logsource as Record<string, unknown>));
    this.pins = rules.map((r) => (r.eventIds ? new Set(r.eventIds) : undefined));
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

  /** the last event's kind and its node (see `route`) */
  private last: {
    product: string | undefined; service: string | undefined; category: string | undefined; lsKey: string;
    channel: string; provider: string; idKey: number | string; node: StaticRoute | undefined;
  } = { product: undefined, service: undefined, category: undefined, lsKey: '', channel: '', provider: '', idKey: '', node: undefined };

  /** The node of a new kind of event: its static routes and the dynamic specs its kind passes (cached, bounded). */
  private newNode(ev: VigieEvent, pin: boolean, byLs: Map<string, StaticRoute>, lsKey: string): StaticRoute {
    // the dynamic specs whose channel/provider/event id/log-source part this kind of event passes
    const dyn: number[] = [];
    for (let i = 0; i < this.dynamic.length; i++) if (specMatches(this.dynamic[i]!.spec, ev, false)) dyn.push(i);
    const node = { routes: this.computeStatic(ev, pin), dyn: Int32Array.from(dyn) };
    if (++this.cached > MAX_CACHE) {
      // hostile input with endless channel names
      this.tree.clear();
      this.cached = 0;
    } else byLs.set(lsKey, node);
    return node;
  }

  /** Rules (with field aliases) this event must be offered to. */
  route(ev: VigieEvent): Route[] {
    const ls = ev.logsource ?? {};
    // rules that require other event ids are left out when the event's EventID field is its event id
    const pin = pinnable(ev);
    // static routes by channel → provider → event id → reader's log source (nested maps: no key string per event)
    const idKey: number | string = ev.eventId === undefined ? '' : pin ? ev.eventId : `!${ev.eventId}`;
    // the reader's log-source key, remembered from the last event (readers make a new object per event)
    const last = this.last;
    let lsKey: string;
    if (ls.product === last.product && ls.service === last.service && ls.category === last.category) lsKey = last.lsKey;
    else {
      lsKey = ls.product === undefined && ls.service === undefined && ls.category === undefined ? ''
        : `${ls.product ?? ''}\u0000${ls.service ?? ''}\u0000${ls.category ?? ''}`;
      last.product = ls.product;
      last.service = ls.service;
      last.category = ls.category;
      last.lsKey = lsKey;
      last.node = undefined;
    }
    const channel = ev.channel ?? '';
    const provider = ev.provider ?? '';
    // consecutive events of one kind (an EVTX chunk, a log file) find their node without the four map lookups
    let node: StaticRoute | undefined;
    if (last.node !== undefined && channel === last.channel && provider === last.provider && idKey === last.idKey) node = last.node;
    else {
      let byProvider = this.tree.get(channel);
      if (!byProvider) this.tree.set(channel, (byProvider = new Map()));
      let byId = byProvider.get(provider);
      if (!byId) byProvider.set(provider, (byId = new Map()));
      let byLs = byId.get(idKey);
      if (!byLs) byId.set(idKey, (byLs = new Map()));
      node = byLs.get(lsKey);
      if (!node) node = this.newNode(ev, pin, byLs, lsKey);
      last.channel = channel;
      last.provider = provider;
      last.idKey = idKey;
      last.node = node;
    }
    const routes = node.routes;
    const dyn = node.dyn;
    if (dyn.length === 0) return routes;
    // specs that look into the event: which of them match (a bit mask), then the merged list, cached per mask
    let mask = 0;
    let many: number[] | undefined;
    for (let j = 0; j < dyn.length; j++) {
      const i = dyn[j]!;
      if (!fieldsMatch(this.dynamic[i]!.spec, ev)) continue;
      if (i < 30) mask |= 1 << i;
      else (many ??= []).push(i);
    }
    if (mask === 0 && !many) return routes;
    const dkey = `${ev.channel ?? ''}\u0000${idKey}\u0000${ev.provider ?? ''}\u0000${lsKey}\u0001${mask}${many ? `,${many.join(',')}` : ''}`;
    let merged = this.dynCache.get(dkey);
    if (!merged) {
      let extra: Map<number, Route> | undefined;
      for (let i = 0; i < this.dynamic.length; i++) {
        if (i < 30 ? (mask & (1 << i)) === 0 : !many?.includes(i)) continue;
        const d = this.dynamic[i]!;
        for (const ref of this.entryRules[d.entry]) {
          if (pin && this.pinnedOut(ref, d.spec, ev.eventId!)) continue;
          extra ??= new Map(routes.map((r) => [r.rule, r]));
          addRoute(extra, ref, d.spec);
        }
      }
      merged = extra ? [...extra.values()] : routes;
      if (this.dynCache.size >= MAX_CACHE) this.dynCache.clear();
      this.dynCache.set(dkey, merged);
    }
    return merged;
  }

  /** Is the rule of `ref` excluded for an event with this (pinnable) event id, under this spec's aliases? */
  private pinnedOut(ref: RuleRef, spec: EventSpec, eventId: number): boolean {
    const p = this.pins[ref.rule];
    if (!p || p.has(eventId)) return false;
    const aliases = ref.exact ? spec.aliases : undefined;
    return !(aliases && aliases.has('eventid'));
  }

  private computeStatic(ev: VigieEvent, pin: boolean): Route[] {
    const out = new Map<number, Route>();
    for (const s of this.staticSpecs) {
      if (!specMatches(s.spec, ev, false)) continue;
      for (const ref of this.entryRules[s.entry]) {
        if (pin && this.pinnedOut(ref, s.spec, ev.eventId!)) continue;
        addRoute(out, ref, s.spec);
      }
    }
    // rules whose log source is the one the reader set on the event (mapped or not)
    const evLs = normLogsource(ev.logsource as Record<string, unknown>);
    if (evLs.product || evLs.category || evLs.service) {
      this.ruleLs.forEach((ls, ri) => {
        if (pin && this.pins[ri] && !this.pins[ri]!.has(ev.eventId!)) return;
        if (!out.has(ri) && logsourceCovers(ls, evLs)) out.set(ri, { rule: ri });
      });
    }
    return [...out.values()].sort((a, b) => a.rule - b.rule);
  }

  /** Distinct static routes seen so far (for tests and stats). */
  cacheSize(): number {
    return this.cached;
  }
}

/** The event's EventID field (what a rule's `EventID: N` reads, without aliases) is its numeric event id. */
function pinnable(ev: VigieEvent): boolean {
  const id = ev.eventId;
  if (typeof id !== 'number') return false;
  // (pending fields, an EVTX record read directly, are not built for this: most events are never matched)
  if (ev.pendingFields !== undefined) return peekField(ev, 'EventID') === id;
  return Object.prototype.hasOwnProperty.call(ev.fields, 'EventID') && ev.fields.EventID === id;
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
  return !dynamic || fieldsMatch(spec, ev);
}

/** The part of a spec that looks into the event's fields (has_field, where). */
function fieldsMatch(spec: EventSpec, ev: VigieEvent): boolean {
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

/** A FieldView that a hunt reuses for every event: `reset(ev)` moves it to the next event (no allocation). */
export interface ReusableView extends FieldView {
  reset(ev: VigieEvent): void;
  /** free for the owner's bookkeeping (the hunt: number of the event the view was last reset for) */
  mark: number;
}

/**
 * A caching getter for one alias set (and optionally NFC-normalised values, for rules fed by user terms): field
 * values and their lower-cased text are kept per event in arrays indexed by the matchers' field slots.
 */
export function fieldView(aliases?: Map<string, string>, nfc = false): ReusableView {
  let ev: VigieEvent | undefined;
  let epoch = 1;
  let stamp = new Int32Array(256);
  let vals: (FieldValue | undefined)[] = new Array<FieldValue | undefined>(256);
  let lstamp = new Int32Array(256);
  let lows: string[] = new Array<string>(256);
  let textEpoch = 0;
  let text = '';
  const raw = (field: string): FieldValue | undefined => {
    const e = ev!;
    if (aliases) {
      const a = aliases.get(field) ?? aliases.get(field.toLowerCase());
      if (a !== undefined) {
        const v = getField(e, a);
        if (v !== undefined) return v;
      }
    }
    return getField(e, field);
  };
  const get = (nfc ? (field: string) => nfcValue(raw(field)) : raw) as ReusableView;
  const grow = (n: number): void => {
    let len = stamp.length;
    while (len <= n) len *= 2;
    const s2 = new Int32Array(len); s2.set(stamp); stamp = s2;
    const l2 = new Int32Array(len); l2.set(lstamp); lstamp = l2;
    vals.length = len;
    lows.length = len;
  };
  get.slot = (n, field) => {
    if (n >= stamp.length) grow(n);
    if (stamp[n] === epoch) return vals[n];
    const v = get(field);
    stamp[n] = epoch;
    vals[n] = v;
    return v;
  };
  get.low = (n, v) => {
    if (n < 0) {
      if (textEpoch !== epoch) {
        textEpoch = epoch;
        text = (typeof v === 'string' ? v : String(v)).toLowerCase();
      }
      return text;
    }
    if (n >= lstamp.length) grow(n);
    if (lstamp[n] === epoch) return lows[n]!;
    const l = typeof v === 'string' ? v.toLowerCase() : String(v);
    lstamp[n] = epoch;
    lows[n] = l;
    return l;
  };
  get.mark = 0;
  get.reset = (e) => {
    ev = e;
    if (++epoch === 0x7fffffff) {
      epoch = 1;
      stamp.fill(0);
      lstamp.fill(0);
      textEpoch = 0;
    }
  };
  return get;
}
