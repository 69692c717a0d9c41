/**
 * Replay plans of the direct field walk (fields.ts). Records of one template differ only in their substitution
 * values, so the walk of a record mostly does again what it did for the last record of its template. A plan keeps
 * what it gives for records whose values have given kinds, and `directFields` replays it: the names (one Layout)
 * and, per field, the value it takes. In the reference hunt 7,499 of 8,255 EVTX records are replayed.
 */
import type { FieldValue } from '../../event.js';
import { Fragment, trimText, type Node, type Template, type Value } from './binxml.js';
import { evtxTime, FieldList, lastWalkVolatile, MAX_WALK_DEPTH, walkFields, type DirectFields, type Layout } from './fields.js';

/**
 * What the walk gives for records of one template whose values have given kinds (null, text, number, list, true,
 * false; a BinXml value holding one template instance counts as that template and its values' kinds): the names
 * (one Layout), and per field the value it takes — value i as it is or trimmed, or a constant. Unless the walk was
 * `volatile` (an EventID given as text, a name taken from a value, unnamed <Data> lists), nothing it does depends on
 * the values' content: so a record whose values have the plan's kinds gets the plan's fields, read off its values.
 *
 * A plan is made from a record the walk has just read: the walk runs again with each value replaced by a tag of the
 * same kind, and where the tags land gives the plan; it is kept only when replaying it gives exactly the walk's
 * result for that record and for two different sets of tags (so a template's text that looks like a tag, or a value
 * that equals a constant, cannot mislead it). The budget the walk charges is the plan's `count`: a record that would
 * pass the chunk's budget is left to the renderer, as the walk leaves it.
 */
interface Plan {
  /**
   * kinds of the record's values (see kindOf), depth first: a BinXml value that is one instance of a template is
   * K_FRAG, then its own values' kinds; each list ends with K_END. A record is replayed when its values match.
   */
  kinds: Uint8Array;
  /** the record's template, and those of its BinXml values in order */
  outer: Template;
  tpls: Template[];
  /** null: the walk of these kinds is not replayable (volatile, falls back, or the tags did not show it) */
  layout: Layout | null;
  /** per field: the value (slot, see `slots`) it takes (-1: consts[j]) and whether text is trimmed */
  src: Int32Array;
  trim: Uint8Array;
  consts: FieldValue[];
  /** positions in the names: EventID, TimeCreated (the System one), Computer, Channel, Provider_Name (-1 none) */
  eventIdAt: number;
  timeAt: number;
  computerAt: number;
  channelAt: number;
  providerAt: number;
  count: number;
}

/**
 * Plans kept per template (kinds seen); past this, other kinds are walked. A plan is kept on the template of the
 * record's last BinXml value when it has one (Windows logs give every event the same outer template, and its
 * EventData as a BinXml value of a template per event type), else on the record's template.
 */
const MAX_PLANS = 8;

/**
 * Plans stand for records of at most this many values and fields (Windows events have a few dozen): with at most
 * MAX_PLANS per template and the run's shared templates bounded, plans stay within tens of MB whatever the input.
 */
export const MAX_PLAN_SLOTS = 128;
export const MAX_PLAN_FIELDS = 256;

/** Records replayed from a plan and walked; plans made (usable or not). For tests and benchmarks. */
export const planStats = { replayed: 0, walked: 0, plans: 0, unusable: 0 };

// (a boolean is its own kind: no tag can stand for one, so a plan holds it as a constant)
const K_END = 0, K_NULL = 1, K_TEXT = 2, K_NUMBER = 3, K_LIST = 4, K_FRAG = 5, K_TRUE = 6, K_FALSE = 7, K_OTHER = 8;
function kindOf(v: Value): number {
  const t = typeof v;
  if (t === 'string') return K_TEXT;
  if (t === 'number') return K_NUMBER;
  if (v === null) return K_NULL;
  if (t === 'boolean') return v ? K_TRUE : K_FALSE;
  if (Array.isArray(v)) return K_LIST;
  if (v instanceof Fragment) return K_FRAG;
  return K_OTHER;
}

/** The one template instance a BinXml value holds, if that is all it holds. */
function fragmentInstance(v: Fragment): { tpl: Template; values: Value[] } | undefined {
  const n = v.nodes.length === 1 ? v.nodes[0]! : undefined;
  return n !== undefined && n.k === 3 ? n : undefined;
}

/** The record's values, depth first as in Plan.kinds (filled by matchKinds; reused) */
const slots: Value[] = [];
let nSlots = 0;
let kpos = 0;
let tpos = 0;

/** Do the values (and those of their BinXml values) have the plan's kinds? Fills `slots` on the way. */
function matchKinds(p: Plan, values: Value[], depth: number): boolean {
  const kinds = p.kinds;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const k = kindOf(v);
    if (kinds[kpos++] !== k) return false;
    slots[nSlots++] = v;
    if (k === K_FRAG) {
      const inner = fragmentInstance(v as Fragment);
      if (inner === undefined || p.tpls[tpos++] !== inner.tpl || depth > MAX_PLAN_NEST) return false;
      if (!matchKinds(p, inner.values, depth + 1)) return false;
    }
  }
  return kinds[kpos++] === K_END;
}

function matches(p: Plan, tpl: Template, values: Value[]): boolean {
  if (p.outer !== tpl) return false;
  nSlots = kpos = tpos = 0;
  return matchKinds(p, values, 0) && kpos === p.kinds.length;
}

/** Where a record's plans are kept (see MAX_PLANS). */
function anchorOf(tpl: Template, values: Value[]): Template {
  let anchor = tpl;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v instanceof Fragment) {
      const inner = fragmentInstance(v);
      if (inner !== undefined) anchor = inner.tpl;
    }
  }
  return anchor;
}

/** BinXml values nested in plans at most this deep */
const MAX_PLAN_NEST = 4;

/** Kinds and templates of a record's values (as Plan.kinds, Plan.tpls); null when a plan cannot replay them. */
function kindsOf(values: Value[], kinds: number[], tpls: Template[], depth: number): boolean {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const k = kindOf(v);
    if (k === K_OTHER) return false;
    kinds.push(k);
    if (k === K_FRAG) {
      const inner = fragmentInstance(v as Fragment);
      if (inner === undefined || depth >= MAX_PLAN_NEST || !plansOf(inner.tpl).flat) return false;
      tpls.push(inner.tpl);
      if (!kindsOf(inner.values, kinds, tpls, depth + 1)) return false;
    }
  }
  kinds.push(K_END);
  return true;
}

/** The template's nodes hold no instance of another template (their values would not be the record's). */
function flatNodes(nodes: Node[], depth: number): boolean {
  if (depth > MAX_WALK_DEPTH) return false;
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    if (n.k === 3) return false;
    if (n.k === 0 && !flatNodes(n.children, depth + 1)) return false;
  }
  return true;
}

/** Per template: its plans, and whether it can have any. */
interface Plans {
  flat: boolean;
  /** plans kept here (see MAX_PLANS) */
  list: Plan[];
  /** as a record's template: the plan its last record was replayed from (events of one kind come in runs) */
  last: Plan | undefined;
}

function plansOf(tpl: Template): Plans {
  let plans = tpl.plans as Plans | undefined;
  if (plans === undefined) tpl.plans = plans = { flat: flatNodes(tpl.nodes, 0), list: [], last: undefined };
  return plans;
}

/** Values replaced by tags of the same kinds (`round` 0 or 1: two different sets), numbered by slot. */
function tagValues(values: Value[], round: number, lists: Map<unknown, number>, next: { slot: number }): Value[] {
  const out: Value[] = new Array<Value>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const slot = next.slot++;
    switch (kindOf(v)) {
      case K_TEXT:
        out[i] = round === 0 ? ` \u0001${slot}\u0002 ` : ` \u0003${slot}\u0004 `;
        break;
      case K_NUMBER:
        out[i] = (round === 0 ? -1e12 : -2e12) - slot;
        break;
      case K_LIST: {
        const l: FieldValue[] = [];
        lists.set(l, slot);
        out[i] = l;
        break;
      }
      case K_FRAG: {
        const inner = fragmentInstance(v as Fragment)!;
        out[i] = new Fragment([{ k: 3, tpl: inner.tpl, values: tagValues(inner.values, round, lists, next) }]);
        break;
      }
      default:
        out[i] = v;
    }
  }
  return out;
}

/** What a tagged field value says: [slot, trimmed] or null when it is no tag. */
function tagOf(v: FieldValue, round: number, lists: Map<unknown, number>): [number, boolean] | null {
  if (typeof v === 'number') {
    const i = (round === 0 ? -1e12 : -2e12) - v;
    return Number.isInteger(i) && i >= 0 && i < 0x100000 ? [i, false] : null;
  }
  if (typeof v === 'string') {
    const m = (round === 0 ? /^( ?)\u0001(\d+)\u0002( ?)$/ : /^( ?)\u0003(\d+)\u0004( ?)$/).exec(v);
    if (!m) return null;
    const trimmed = m[1] === '' && m[3] === '';
    if (!trimmed && (m[1] === '' || m[3] === '')) return null;
    return [Number(m[2]), trimmed];
  }
  if (Array.isArray(v) && lists.has(v)) return [lists.get(v)!, false];
  return null;
}

/** The plan's fields from the values in `slots` (matches() just filled them). */
function replay(plan: Plan): DirectFields {
  const { src, trim, consts } = plan;
  const n = src.length;
  const fv = new Array<FieldValue>(n);
  for (let j = 0; j < n; j++) {
    const i = src[j]!;
    if (i < 0) fv[j] = consts[j]!;
    else {
      const v = slots[i] as FieldValue;
      fv[j] = trim[j] === 1 && typeof v === 'string' ? trimText(v) : v;
    }
  }
  const tc = textAt(fv, plan.timeAt);
  return {
    list: new FieldList(plan.layout!, fv),
    time: tc === undefined ? undefined : evtxTime(tc),
    computer: textAt(fv, plan.computerAt),
    channel: textAt(fv, plan.channelAt),
    provider: textAt(fv, plan.providerAt),
    eventId: plan.eventIdAt < 0 ? undefined : (fv[plan.eventIdAt] as number),
    count: plan.count,
  };
}

function textAt(fv: FieldValue[], at: number): string | undefined {
  const v = at < 0 ? undefined : fv[at];
  return typeof v === 'string' ? v : undefined;
}

function sameFields(a: DirectFields | undefined, b: DirectFields): boolean {
  if (!a || a.list.keys !== b.list.keys || a.count !== b.count || !Object.is(a.time, b.time) || a.computer !== b.computer ||
    a.channel !== b.channel || a.provider !== b.provider || a.eventId !== b.eventId) return false;
  const x = a.list.values, y = b.list.values;
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
  return true;
}

/** The plan for a record of `tpl` the walk just read (`real`), or one marked unusable (layout null). */
function makePlan(tpl: Template, values: Value[], real: DirectFields | undefined, wasVolatile: boolean): Plan {
  const kindList: number[] = [];
  const tpls: Template[] = [];
  const ok = kindsOf(values, kindList, tpls, 0);
  const none: Plan = {
    kinds: Uint8Array.from(kindList), outer: tpl, tpls, layout: null, src: new Int32Array(0), trim: new Uint8Array(0), consts: [],
    eventIdAt: -1, timeAt: -1, computerAt: -1, channelAt: -1, providerAt: -1, count: 0,
  };
  // (kinds a plan cannot stand for: an unusable plan of no kinds is matched by no record, so they are walked again)
  if (!ok || kindList.length > MAX_PLAN_SLOTS) none.kinds = new Uint8Array(0);
  if (none.kinds.length === 0 || !real || wasVolatile || real.list.keys.length > MAX_PLAN_FIELDS) return none;
  const lists = new Map<unknown, number>();
  const rounds: [Value[], DirectFields][] = [];
  for (let round = 0; round < 2; round++) {
    const tagged = tagValues(values, round, lists, { slot: 0 });
    const r = walkFields([{ k: 3, tpl, values: tagged }], Infinity);
    if (!r || lastWalkVolatile() || r.list.keys !== real.list.keys) return none;
    rounds.push([tagged, r]);
  }
  const keys = real.list.keys;
  const t0 = rounds[0]![1].list.values;
  const src = new Int32Array(keys.length);
  const trim = new Uint8Array(keys.length);
  const consts = new Array<FieldValue>(keys.length).fill(null);
  for (let j = 0; j < keys.length; j++) {
    const tag = tagOf(t0[j]!, 0, lists);
    if (tag) {
      src[j] = tag[0];
      trim[j] = tag[1] ? 1 : 0;
    } else {
      src[j] = -1;
      consts[j] = real.list.values[j]!;
    }
  }
  const plan: Plan = {
    kinds: none.kinds, outer: tpl, tpls, layout: real.list.layout, src, trim, consts,
    eventIdAt: real.eventId === undefined ? -1 : 0,
    timeAt: keys.slice(0, real.list.layout.sys).indexOf('TimeCreated'),
    computerAt: keys.indexOf('Computer'),
    channelAt: keys.indexOf('Channel'),
    providerAt: keys.indexOf('Provider_Name'),
    count: real.count,
  };
  // kept only when the replay gives the walk's result for the record and for both sets of tags
  if (!matches(plan, tpl, values) || !sameFields(replay(plan), real)) return none;
  for (const [tagged, r] of rounds) if (!matches(plan, tpl, tagged) || !sameFields(replay(plan), r)) return none;
  return plan;
}

/** The plan's fields (`slots` just filled by matches()); the walk falls back when the record would pass its budget: so does the plan. */
function replayWithin(p: Plan, budget: number): DirectFields | undefined {
  planStats.replayed++;
  return p.count <= budget ? replay(p) : undefined;
}

/**
 * Fields of a record from its parsed nodes, or undefined when the record needs the full rendering path
 * (see the module comment). `budget`: elements the record may still render (per record and chunk budgets).
 * A record of one template instance is replayed from the template's plan for its values' kinds when there is one.
 */
export function directFields(nodes: Node[], budget: number): DirectFields | undefined {
  const inst = nodes.length === 1 ? nodes[0]! : undefined;
  if (inst === undefined || inst.k !== 3) return walkFields(nodes, budget);
  const tpl = inst.tpl;
  const values = inst.values;
  const own = plansOf(tpl);
  if (!own.flat) return walkFields(nodes, budget);
  // the plan of the template's last record first, then those kept where this record's are
  const last = own.last;
  if (last !== undefined && matches(last, tpl, values)) return replayWithin(last, budget);
  const list = plansOf(anchorOf(tpl, values)).list;
  let known = false;
  for (let i = 0; i < list.length; i++) {
    const p = list[i]!;
    if (!matches(p, tpl, values)) continue;
    if (p.layout !== null) return replayWithin((own.last = p), budget);
    known = true; // these kinds are walked (an unusable plan)
    break;
  }
  planStats.walked++;
  const r = walkFields(nodes, budget);
  if (!known && list.length < MAX_PLANS) {
    const plan = makePlan(tpl, values, r, lastWalkVolatile());
    planStats.plans++;
    if (plan.layout === null) planStats.unusable++;
    list.push(plan);
  }
  return r;
}
