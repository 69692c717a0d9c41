/**
 * Shared by the collector readers (NXLog-style flat JSON, ECS, Velociraptor, Splunk): build the
 * `evtx_dump -o json` document from the pieces a collector kept, so `windowsEvent` gives the same fields whatever
 * shape the event arrived in. Values are normalised to evtx_dump's forms: GUIDs without braces in upper case,
 * Keywords as `0x…` hex, SystemTime in UTC with microseconds and `Z`.
 */
import type { Doc, FieldValue } from '../../event.js';
import { normalizeGuid, normalizeSystemTime, systemTimeFromMs } from '../xml.js';

export interface SystemParts {
  provider?: string;
  providerGuid?: string;
  eventSourceName?: string;
  eventId?: number;
  qualifiers?: number;
  version?: number;
  level?: number;
  task?: number;
  opcode?: number;
  keywords?: string;
  /** evtx_dump form, see `toSystemTime` */
  systemTime?: string;
  recordId?: number;
  activityId?: string;
  relatedActivityId?: string;
  processId?: number;
  threadId?: number;
  channel?: string;
  computer?: string;
  userId?: string;
}

export function isObj(v: unknown): v is Doc {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A value as a non-negative safe integer, from a number or a decimal string; undefined otherwise. */
export function toInt(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : undefined;
  if (typeof v === 'string' && /^-?\d{1,16}$/.test(v.trim())) {
    const n = Number(v.trim());
    return Number.isSafeInteger(n) ? n : undefined;
  }
  return undefined;
}

export function toStr(v: unknown): string | undefined {
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

const U64 = 1n << 64n;

/**
 * Keywords in any collector form → evtx_dump's `0x…` hex text: a hex string is kept (lower-cased), a decimal
 * number or string (NXLog prints the 64-bit mask as signed or unsigned decimal, Velociraptor as a number) is
 * converted. Names (Winlogbeat's `["Audit Success"]`) are not a mask: undefined.
 */
export function keywordsHex(v: unknown): string | undefined {
  if (typeof v === 'string') {
    const t = v.trim();
    if (/^0x[0-9a-fA-F]{1,16}$/.test(t)) return `0x${t.slice(2).toLowerCase()}`;
    if (/^-?\d{1,20}$/.test(t)) v = BigInt(t);
    else return undefined;
  }
  let b: bigint;
  if (typeof v === 'bigint') b = v;
  else if (typeof v === 'number' && Number.isFinite(v) && Number.isInteger(v)) b = BigInt(v);
  else return undefined;
  if (b < 0n) b += U64;
  if (b < 0n || b >= U64) return undefined;
  return `0x${b.toString(16)}`;
}

/**
 * Any collector time → evtx_dump SystemTime text (`2021-03-02T10:11:12.123456Z`): ISO-8601 with or without zone
 * (no zone = UTC), `YYYY-MM-DD hh:mm:ss` (NXLog; taken as UTC), epoch seconds (float, Velociraptor) or epoch
 * milliseconds (number ≥ 1e11), `/Date(ms)/` (PowerShell ConvertTo-Json). Undefined when unusable.
 */
export function toSystemTime(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) {
    if (v >= 1e11) return systemTimeFromMs(v);
    const sec = Math.floor(v);
    const us = Math.round((v - sec) * 1e6);
    return systemTimeFromMs(sec * 1000 + Math.floor(us / 1000), us);
  }
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  const ps = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/.exec(t);
  if (ps) return systemTimeFromMs(Number(ps[1]));
  if (/^\d{9,11}(\.\d+)?$/.test(t)) return toSystemTime(Number(t));
  const n = normalizeSystemTime(t);
  if (n !== t) return n;
  const ms = Date.parse(t);
  return Number.isFinite(ms) ? systemTimeFromMs(ms) : undefined;
}

function attrs(o: Doc): Doc | null {
  const out: Doc = {};
  let any = false;
  for (const [k, v] of Object.entries(o)) {
    if (v !== undefined && v !== null && v !== '') { out[k] = v; any = true; }
  }
  return any ? { '#attributes': out } : null;
}

/** The System element in evtx_dump's order; absent parts are left out. */
export function buildSystem(p: SystemParts): Doc {
  const s: Doc = {};
  const prov = attrs({
    Name: p.provider ?? null,
    Guid: p.providerGuid ? normalizeGuid(p.providerGuid) : null,
    EventSourceName: p.eventSourceName ?? null,
  });
  if (prov) s.Provider = prov;
  if (p.eventId !== undefined) s.EventID = p.qualifiers !== undefined ? { '#attributes': { Qualifiers: p.qualifiers }, '#text': p.eventId } : p.eventId;
  if (p.version !== undefined) s.Version = p.version;
  if (p.level !== undefined) s.Level = p.level;
  if (p.task !== undefined) s.Task = p.task;
  if (p.opcode !== undefined) s.Opcode = p.opcode;
  if (p.keywords !== undefined) s.Keywords = p.keywords;
  if (p.systemTime !== undefined) s.TimeCreated = { '#attributes': { SystemTime: p.systemTime } };
  if (p.recordId !== undefined) s.EventRecordID = p.recordId;
  const corr = attrs({
    ActivityID: p.activityId ? normalizeGuid(p.activityId) : null,
    RelatedActivityID: p.relatedActivityId ? normalizeGuid(p.relatedActivityId) : null,
  });
  s.Correlation = corr;
  const exe = attrs({ ProcessID: p.processId ?? null, ThreadID: p.threadId ?? null });
  if (exe) s.Execution = exe;
  if (p.channel !== undefined) s.Channel = p.channel;
  if (p.computer !== undefined) s.Computer = p.computer;
  s.Security = attrs({ UserID: p.userId ?? null });
  return s;
}

/**
 * The whole document: `{ Event: { System, EventData | UserData, RenderingInfo? } }`. `message` (a collector's
 * rendered text) goes to `Event.RenderingInfo.Message`, reachable by full path but not a Sigma field, so keyword
 * rules match the same whether or not the collector rendered the message.
 */
export function buildDoc(sys: SystemParts, eventData?: Doc | null, userData?: Doc | null, message?: string): Doc {
  const ev: Doc = { System: buildSystem(sys) };
  if (userData && Object.keys(userData).length) ev.UserData = userData;
  else if (eventData) ev.EventData = eventData;
  if (message) ev.RenderingInfo = { Message: message };
  return { Event: ev };
}

/** Unnamed data values (collectors' `param1…`, `StringInserts`, `Strings`…) in EventData's unnamed `Data` form. */
export function unnamedData(values: FieldValue[]): FieldValue {
  return { '#text': values.length === 1 ? values[0] : values };
}
