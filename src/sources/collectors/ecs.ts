/**
 * Winlogbeat / Elastic Agent documents (Elastic Common Schema): one per line (Winlogbeat file output,
 * elasticdump, `_source` exports), an Elasticsearch `_search` / scroll response (`hits.hits[]._source`, streamed
 * one hit at a time through json-stream whatever the response size), or an array of hits. Documents with
 * flattened dotted keys (`"winlog.channel": …`) and Kibana `fields` (`"winlog.channel": ["Security"]`) are read too.
 *
 * Mapping to the evtx_dump shape: winlog.provider_name (or event.provider) → Provider Name, winlog.provider_guid,
 * winlog.event_id (or event.code) → EventID, winlog.version, winlog.record_id, winlog.activity_id,
 * winlog.process.pid / thread.id → Execution, winlog.channel, winlog.computer_name (or host.name),
 * winlog.user.identifier → Security UserID, winlog.time_created or @timestamp → TimeCreated,
 * winlog.event_data.* → EventData, winlog.user_data.* → UserData, message → RenderingInfo.Message. When Winlogbeat
 * kept the event XML (`include_xml: true` → `event.original`), that XML is read instead (every System value and
 * EventData name exactly as in the log).
 * Winlogbeat names unnamed `<Data>` values param1, param2…: when every EventData name is paramN they are also
 * given as the unnamed `Data` list. The Winlogbeat/Agent Sysmon pipeline *moves* event_data fields into ECS fields
 * (CommandLine → process.command_line, Image → process.executable, Hashes → process.hash.*, …): they are moved back
 * under their Sysmon names when absent, so Sigma rules written for Sysmon match.
 */
import type { Doc, FieldValue } from '../../event.js';
import { setKey } from '../../event.js';
import type { InputFile, Source } from '../types.js';
import { firstJsonValue, headText, jsonValues } from '../json-stream.js';
import { windowsEvent } from '../windows.js';
import { xmlEventToDoc } from '../xml.js';
import { buildDoc, isObj, keywordsHex, toInt, toStr, toSystemTime, unnamedData, type SystemParts } from './winbuild.js';

const HITS = ['hits', 'hits'];

/** Kibana `fields` values are arrays: a one-element array reads as its element */
function one(v: FieldValue | undefined): FieldValue | undefined {
  return Array.isArray(v) && v.length === 1 ? v[0] : v;
}

const SPLIT = new Map<string, string[]>();
const DOTTED = new WeakMap<Doc, boolean>();
const hasOwn = Object.prototype.hasOwnProperty;

/** does this document use flattened dotted keys at its top level? (cached) */
function dotted(o: Doc): boolean {
  let d = DOTTED.get(o);
  if (d === undefined) {
    d = false;
    for (const k in o) if (k.includes('.')) { d = true; break; }
    DOTTED.set(o, d);
  }
  return d;
}

/** Read a dotted path through nested objects and/or flattened dotted keys (at the top level, as Kibana writes them). */
export function dget(o: Doc, path: string): FieldValue | undefined {
  let parts = SPLIT.get(path);
  if (!parts) { parts = path.split('.'); SPLIT.set(path, parts); }
  // fast path: plain nested objects
  let c: FieldValue | undefined = o;
  for (const p of parts) {
    if (!isObj(c) || !hasOwn.call(c, p)) { c = undefined; break; }
    c = c[p];
  }
  if (c !== undefined) return one(c);
  if (!dotted(o)) return undefined;
  return dgetSlow(o, path, parts);
}

function dgetSlow(o: Doc, path: string, parts: string[]): FieldValue | undefined {
  if (hasOwn.call(o, path)) return one(o[path]);
  let cur: FieldValue | undefined = o;
  for (let i = 0; i < parts.length; i++) {
    if (!isObj(cur)) return undefined;
    if (i > 0) {
      const rest = parts.slice(i).join('.');
      if (hasOwn.call(cur, rest)) return one(cur[rest]);
    }
    cur = hasOwn.call(cur, parts[i]) ? cur[parts[i]] : undefined;
  }
  return one(cur);
}

/** An object at a dotted path, merged with flattened `path.x` keys at the top level. */
function dobj(o: Doc, path: string): Doc | undefined {
  const nested = dget(o, path);
  let out: Doc | undefined = isObj(nested) ? { ...nested } : undefined;
  if (!dotted(o)) return out;
  const prefix = `${path}.`;
  for (const k of Object.keys(o)) {
    if (k.startsWith(prefix)) {
      out ??= {};
      setKey(out, k.slice(prefix.length), one(o[k]));
    }
  }
  return out;
}

/** The event document inside a hit (`_source`, or Kibana `fields`), or the value itself. */
export function unwrapHit(v: Doc): Doc {
  if (isObj(v._source)) return v._source;
  if (isObj(v.fields) && v.winlog === undefined && Object.keys(v.fields).some((k) => k.startsWith('winlog.'))) return v.fields;
  return v;
}

function hasWinlog(d: Doc): boolean {
  if (isObj(d.winlog)) return d.winlog.channel !== undefined || d.winlog.event_id !== undefined || d.winlog.provider_name !== undefined || isObj(d.winlog.event_data);
  if (Object.keys(d).some((k) => k === 'winlog.channel' || k === 'winlog.event_id' || k === 'winlog.provider_name')) return true;
  // Winlogbeat 6.x
  return typeof d.log_name === 'string' && typeof d.source_name === 'string' && (d.event_id !== undefined || isObj(d.event_data));
}

// ---- Sysmon: undo the Winlogbeat / Elastic Agent renames --------------------------------------------------------

const SYSMON = 'Microsoft-Windows-Sysmon';
/** event ids whose file.path was a given Sysmon field */
const FILE_PATH: Record<number, string> = { 2: 'TargetFilename', 6: 'ImageLoaded', 7: 'ImageLoaded', 9: 'Device', 11: 'TargetFilename', 15: 'TargetFilename', 23: 'TargetFilename', 26: 'TargetFilename' };
const SOURCE_PROCESS = new Set([8, 10]);
const WITH_USER = new Set([1, 3, 19, 20, 21, 23, 24, 25, 26]);
const HASHES_FROM_PROCESS = new Set([1, 23, 24, 25, 26]);
const HASHES_FROM_FILE = new Set([6, 7]);

function hashText(d: Doc, ns: string): string | undefined {
  const parts: string[] = [];
  for (const [k, name] of [['sha1', 'SHA1'], ['md5', 'MD5'], ['sha256', 'SHA256']] as const) {
    const v = toStr(dget(d, `${ns}.hash.${k}`));
    if (v) parts.push(`${name}=${v.toUpperCase()}`);
  }
  const imp = toStr(dget(d, `${ns}.pe.imphash`));
  if (imp) parts.push(`IMPHASH=${imp.toUpperCase()}`);
  return parts.length ? parts.join(',') : undefined;
}

function utcTime(v: FieldValue | undefined): string | undefined {
  const s = toStr(v);
  if (!s) return undefined;
  const ms = Date.parse(s);
  if (!Number.isFinite(ms)) return undefined;
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 23);
}

/** Put back the Sysmon EventData fields the ECS pipeline moved away (only where absent). */
export function restoreSysmon(d: Doc, eid: number, ed: Doc): void {
  const set = (name: string, v: FieldValue | undefined) => {
    if (v === undefined || v === null || Object.prototype.hasOwnProperty.call(ed, name)) return;
    ed[name] = typeof v === 'number' ? String(v) : v;
  };
  const src = SOURCE_PROCESS.has(eid);
  set('UtcTime', utcTime(dget(d, '@timestamp')));
  set(src ? (eid === 10 ? 'SourceProcessGUID' : 'SourceProcessGuid') : 'ProcessGuid', dget(d, 'process.entity_id'));
  set(src ? 'SourceProcessId' : 'ProcessId', dget(d, 'process.pid'));
  if (eid === 10) set('SourceThreadId', dget(d, 'process.thread.id'));
  set(src ? 'SourceImage' : eid === 20 ? 'Destination' : 'Image', dget(d, 'process.executable'));
  if (eid === 1) {
    set('CommandLine', dget(d, 'process.command_line'));
    set('CurrentDirectory', dget(d, 'process.working_directory'));
    set('ParentProcessGuid', dget(d, 'process.parent.entity_id'));
    set('ParentProcessId', dget(d, 'process.parent.pid'));
    set('ParentImage', dget(d, 'process.parent.executable'));
    set('ParentCommandLine', dget(d, 'process.parent.command_line'));
    set('OriginalFileName', dget(d, 'process.pe.original_file_name'));
  }
  if (eid === 7) set('OriginalFileName', dget(d, 'file.pe.original_file_name'));
  const fp = FILE_PATH[eid];
  if (fp) set(fp, dget(d, 'file.path'));
  if (eid === 17 || eid === 18) set('PipeName', dget(d, 'file.name'));
  if (eid === 3) {
    set('Protocol', dget(d, 'network.transport'));
    set('SourceIp', dget(d, 'source.ip'));
    set('SourceHostname', dget(d, 'source.domain'));
    set('SourcePort', dget(d, 'source.port'));
    set('DestinationIp', dget(d, 'destination.ip'));
    set('DestinationHostname', dget(d, 'destination.domain'));
    set('DestinationPort', dget(d, 'destination.port'));
    set('DestinationPortName', dget(d, 'network.protocol'));
    const dir = toStr(dget(d, 'network.direction'));
    if (dir === 'egress' || dir === 'outbound') set('Initiated', 'true');
    else if (dir === 'ingress' || dir === 'inbound') set('Initiated', 'false');
    const nt = toStr(dget(d, 'network.type'));
    if (nt === 'ipv6' || nt === 'ipv4') set('SourceIsIpv6', nt === 'ipv6' ? 'true' : 'false');
  }
  if (eid === 22) {
    set('QueryName', dget(d, 'dns.question.name'));
    const st = dget(d, 'sysmon.dns.status');
    set('QueryStatus', typeof st === 'string' && st === 'SUCCESS' ? '0' : st);
    const answers = dget(d, 'dns.answers');
    if (Array.isArray(answers)) {
      const txt = answers
        .map((a) => (isObj(a) ? (a.type === 'A' || a.type === 'AAAA' ? `${a.type === 'A' ? '::ffff:' : ''}${toStr(a.data) ?? ''}` : `type:  ${toStr(a.type) ?? ''} ${toStr(a.data) ?? ''}`) : ''))
        .filter((x) => x)
        .join(';');
      if (txt) set('QueryResults', `${txt};`);
    }
  }
  if (eid === 255) set('ID', dget(d, 'error.code'));
  const rule = toStr(dget(d, 'rule.name'));
  if (rule) set('RuleName', rule);
  if (WITH_USER.has(eid)) {
    const dom = toStr(dget(d, 'user.domain'));
    const name = toStr(dget(d, 'user.name'));
    if (dom && name) set('User', `${dom}\\${name}`);
  }
  if (HASHES_FROM_PROCESS.has(eid)) set('Hashes', hashText(d, 'process'));
  if (HASHES_FROM_FILE.has(eid)) set('Hashes', hashText(d, 'file'));
  if (eid === 15) set('Hash', hashText(d, 'file'));
  if (eid === 23 || eid === 24 || eid === 25 || eid === 26) {
    const arch = dget(d, 'sysmon.file.archived');
    if (typeof arch === 'boolean') set('Archived', arch ? 'true' : 'false');
    const ex = dget(d, 'sysmon.file.is_executable');
    if (typeof ex === 'boolean') set('IsExecutable', ex ? 'true' : 'false');
  }
}

/** Turn one ECS document (already unwrapped from its hit) into the evtx_dump document. */
export function ecsToDoc(d: Doc): Doc {
  // `include_xml: true` keeps the event's own XML in event.original: the most faithful source when present
  const orig = toStr(dget(d, 'event.original'));
  if (orig && orig.length < 4 * 1024 * 1024 && orig.trimStart().startsWith('<Event')) {
    try {
      const doc = xmlEventToDoc(orig.trimStart()) as unknown as Doc;
      const ev = doc.Event as Doc;
      const msg = toStr(dget(d, 'message'));
      if (msg && !isObj(ev.RenderingInfo)) ev.RenderingInfo = { Message: msg };
      return doc;
    } catch {
      // fall back to the ECS fields
    }
  }
  // Winlogbeat 6.x wrote the same values at the top level (source_name, log_name, event_data, …)
  const provider = toStr(dget(d, 'winlog.provider_name') ?? dget(d, 'event.provider') ?? d.source_name);
  const eventId = toInt(dget(d, 'winlog.event_id') ?? dget(d, 'event.code') ?? d.event_id);
  const sys: SystemParts = {
    provider,
    providerGuid: toStr(dget(d, 'winlog.provider_guid')),
    eventId,
    version: toInt(dget(d, 'winlog.version')),
    task: toInt(dget(d, 'winlog.task')),
    opcode: toInt(dget(d, 'winlog.opcode')),
    keywords: keywordsHex(dget(d, 'winlog.keywords')),
    systemTime: toSystemTime(dget(d, 'winlog.time_created') ?? dget(d, '@timestamp') ?? dget(d, 'event.created')),
    recordId: toInt(dget(d, 'winlog.record_id') ?? d.record_number),
    activityId: toStr(dget(d, 'winlog.activity_id') ?? d.activity_id),
    relatedActivityId: toStr(dget(d, 'winlog.related_activity_id')),
    processId: toInt(dget(d, 'winlog.process.pid') ?? d.process_id),
    threadId: toInt(dget(d, 'winlog.process.thread.id') ?? d.thread_id),
    channel: toStr(dget(d, 'winlog.channel') ?? d.log_name),
    computer: toStr(dget(d, 'winlog.computer_name') ?? d.computer_name ?? dget(d, 'host.hostname') ?? dget(d, 'host.name')),
    userId: toStr(dget(d, 'winlog.user.identifier') ?? (isObj(d.winlog) ? undefined : dget(d, 'user.identifier'))),
  };
  const ed: Doc = dobj(d, 'winlog.event_data') ?? (isObj(d.event_data) ? { ...d.event_data } : {});
  const keys = Object.keys(ed);
  if (keys.length && keys.every((k) => /^param\d+$/.test(k))) {
    const sorted = keys.sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)));
    ed.Data = unnamedData(sorted.map((k) => ed[k]));
  }
  if (provider === SYSMON && eventId !== undefined) restoreSysmon(d, eventId, ed);
  let userData: Doc | null = null;
  const ud = dobj(d, 'winlog.user_data') ?? (isObj(d.user_data) ? d.user_data : undefined);
  if (ud && Object.keys(ud).length) {
    const name = toStr(ud.xml_name) ?? 'UserData';
    const rest: Doc = {};
    for (const [k, v] of Object.entries(ud)) if (k !== 'xml_name') rest[k] = v;
    userData = { [name]: rest };
  }
  return buildDoc(sys, Object.keys(ed).length ? ed : null, userData, toStr(dget(d, 'message')));
}

/** 0..100: how much a first value looks like a Winlogbeat/ECS Windows event (or a search response of them). */
export function ecsScore(v: unknown): number {
  if (!isObj(v)) return 0;
  const d = unwrapHit(v);
  return hasWinlog(d) ? 90 : 0;
}

export const source: Source = {
  name: 'ecs',
  description: 'Winlogbeat / Elastic Common Schema documents, Elasticsearch _search results',
  detect(input: InputFile) {
    const full = headText(input.head);
    const t = full.slice(0, 4096).trimStart();
    if (t[0] !== '{' && t[0] !== '[') return 0;
    if (!full.includes('winlog') && !full.includes('"log_name"')) return 0;
    const first = firstJsonValue(input.head, HITS);
    if (first !== undefined) return ecsScore(first);
    // first value longer than the head (a big search response): look for its markers
    return /"hits"\s*:/.test(t) && /"_source"\s*:/.test(t) && /"winlog"\s*:\s*\{/.test(t) ? 70 : 0;
  },
  async *read(input, ctx, open) {
    for await (const item of jsonValues(open(), ctx, input.path, { path: HITS, fallbackToRoot: true })) {
      const v = item.value;
      if (!isObj(v)) continue;
      const d = unwrapHit(v);
      if (!hasWinlog(d)) {
        ctx.error({ file: input.path, offset: item.offset, line: item.line, message: 'not a Winlogbeat/ECS Windows event (no winlog fields): skipped' });
        continue;
      }
      const doc = ecsToDoc(d);
      yield windowsEvent(doc, { file: input.path, format: 'ecs', offset: item.offset, record: item.line });
    }
  },
};
