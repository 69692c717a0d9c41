/**
 * Log-source mapping as data (config/logsources.yml, extended/overridden by a user file): which events a Sigma
 * log source (product, category, service) covers, and how rule field names translate for each kind of event.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { shippedMappingFile } from './paths.js';

export interface LogSourceKey {
  product?: string;
  category?: string;
  service?: string;
}

/** One kind of event a log source covers. All given conditions must hold. Values are lower-cased. */
export interface EventSpec {
  channels?: string[];
  providers?: string[];
  eventIds?: number[];
  /** the log source the reader set on the event */
  logsource?: LogSourceKey;
  hasFields?: string[];
  /** field → accepted values (lower-cased) */
  where?: Record<string, string[]>;
  /** Sigma field name (lower-cased) → event field name */
  aliases?: Map<string, string>;
}

export interface MappingEntry {
  logsource: LogSourceKey;
  events: EventSpec[];
  /** where it was defined (file) */
  source: string;
}

export interface LogSourceMapping {
  entries: MappingEntry[];
  files: string[];
}

const LS_KEYS = ['product', 'category', 'service'] as const;

export function logsourceKey(ls: LogSourceKey): string {
  return LS_KEYS.map((k) => (ls[k] ?? '').toLowerCase()).join('|');
}

export function normLogsource(ls: Record<string, unknown> | undefined): LogSourceKey {
  const out: LogSourceKey = {};
  if (!ls) return out;
  for (const k of LS_KEYS) {
    const v = ls[k];
    if (typeof v === 'string' && v.trim() !== '') out[k] = v.trim().toLowerCase();
  }
  return out;
}

export function describeLogsource(ls: LogSourceKey): string {
  const parts = LS_KEYS.filter((k) => ls[k]).map((k) => `${k}:${ls[k]}`);
  return parts.length ? parts.join(' ') : '(any)';
}

function strs(v: unknown, where: string): string[] {
  if (v === undefined || v === null) return [];
  const arr = Array.isArray(v) ? v : [v];
  return arr.map((x) => {
    if (typeof x !== 'string' && typeof x !== 'number') throw new Error(`${where}: expected a string or a list of strings`);
    return String(x);
  });
}

function parseSpec(raw: unknown, where: string): EventSpec {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`${where}: an event spec must be a mapping`);
  const r = raw as Record<string, unknown>;
  const spec: EventSpec = {};
  const known = new Set(['channel', 'channels', 'provider', 'providers', 'event_ids', 'event_id', 'eventid', 'logsource', 'has_field', 'has_fields', 'where', 'aliases']);
  for (const k of Object.keys(r)) if (!known.has(k)) throw new Error(`${where}: unknown key "${k}"`);
  const ch = strs(r.channel ?? r.channels, `${where}.channel`);
  if (ch.length) spec.channels = ch.map((c) => c.toLowerCase());
  const pr = strs(r.provider ?? r.providers, `${where}.provider`);
  if (pr.length) spec.providers = pr.map((c) => c.toLowerCase());
  const ids = strs(r.event_ids ?? r.event_id ?? r.eventid, `${where}.event_ids`);
  if (ids.length) {
    spec.eventIds = ids.map((x) => {
      const n = Number(x);
      if (!Number.isInteger(n)) throw new Error(`${where}.event_ids: "${x}" is not an integer`);
      return n;
    });
  }
  if (r.logsource !== undefined) {
    if (!r.logsource || typeof r.logsource !== 'object') throw new Error(`${where}.logsource: expected a mapping`);
    spec.logsource = normLogsource(r.logsource as Record<string, unknown>);
  }
  const hf = strs(r.has_field ?? r.has_fields, `${where}.has_field`);
  if (hf.length) spec.hasFields = hf;
  if (r.where !== undefined) {
    if (!r.where || typeof r.where !== 'object' || Array.isArray(r.where)) throw new Error(`${where}.where: expected a mapping`);
    spec.where = {};
    for (const [f, v] of Object.entries(r.where as Record<string, unknown>)) spec.where[f] = strs(v, `${where}.where.${f}`).map((x) => x.toLowerCase());
  }
  if (r.aliases !== undefined) {
    if (!r.aliases || typeof r.aliases !== 'object' || Array.isArray(r.aliases)) throw new Error(`${where}.aliases: expected a mapping`);
    spec.aliases = new Map();
    for (const [f, v] of Object.entries(r.aliases as Record<string, unknown>)) {
      if (typeof v !== 'string') throw new Error(`${where}.aliases.${f}: expected a field name`);
      spec.aliases.set(f.toLowerCase(), v);
    }
  }
  if (!spec.channels && !spec.providers && !spec.eventIds && !spec.logsource && !spec.hasFields && !spec.where) {
    throw new Error(`${where}: an event spec needs at least one condition (channel, provider, event_ids, logsource, has_field, where)`);
  }
  return spec;
}

/** Parse a mapping document. Throws with the file and the entry number for malformed content. */
export function parseMapping(text: string, file: string): { entries: (MappingEntry & { extend: boolean })[] } {
  const doc = parseYaml(text, { maxAliasCount: 100 }) as unknown;
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`${file}: expected a mapping with "entries:"`);
  const list = (doc as Record<string, unknown>).entries;
  if (!Array.isArray(list)) throw new Error(`${file}: "entries" must be a list`);
  return {
    entries: list.map((raw, i) => {
      const where = `${file}: entries[${i}]`;
      if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`${where}: expected a mapping`);
      const r = raw as Record<string, unknown>;
      if (!r.logsource || typeof r.logsource !== 'object') throw new Error(`${where}: missing "logsource"`);
      const ls = normLogsource(r.logsource as Record<string, unknown>);
      if (!ls.product && !ls.category && !ls.service) throw new Error(`${where}: logsource needs product, category or service`);
      if (!Array.isArray(r.events) || r.events.length === 0) throw new Error(`${where}: "events" must be a non-empty list`);
      const mode = r.mode === undefined ? 'replace' : String(r.mode);
      if (mode !== 'replace' && mode !== 'extend') throw new Error(`${where}: mode must be "replace" or "extend"`);
      return {
        logsource: ls,
        events: r.events.map((s, j) => parseSpec(s, `${where}.events[${j}]`)),
        source: file,
        extend: mode === 'extend',
      };
    }),
  };
}

/** Shipped mapping, then each extra file merged over it (same logsource: replace, or append with mode: extend). */
export function loadMapping(extra: string[] = [], shipped: string = shippedMappingFile()): LogSourceMapping {
  const byKey = new Map<string, MappingEntry>();
  const files: string[] = [];
  for (const f of [shipped, ...extra]) {
    const parsed = parseMapping(readFileSync(f, 'utf8'), f);
    files.push(f);
    for (const e of parsed.entries) {
      const k = logsourceKey(e.logsource);
      const old = byKey.get(k);
      if (old && e.extend) old.events.push(...e.events);
      else byKey.set(k, { logsource: e.logsource, events: e.events, source: e.source });
    }
  }
  return { entries: [...byKey.values()], files };
}

/** True when every key the rule's log source sets equals the given log source's. */
export function logsourceCovers(rule: LogSourceKey, ls: LogSourceKey): boolean {
  for (const k of LS_KEYS) {
    const v = rule[k];
    if (v !== undefined && v !== ls[k]) return false;
  }
  return true;
}

export function keyCount(ls: LogSourceKey): number {
  return LS_KEYS.reduce((n, k) => n + (ls[k] ? 1 : 0), 0);
}
