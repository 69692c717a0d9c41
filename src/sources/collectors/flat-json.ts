/**
 * Flat Windows-event JSON, one object per line, as agents write it when they put System values and EventData
 * fields side by side at the top level:
 * - NXLog `im_msvistalog` + `to_json()` (CE and EE): EventTime, Hostname, Keywords, EventType, SeverityValue,
 *   Severity, EventID, SourceName, ProviderGuid, Version, Task/TaskValue, OpcodeValue, RecordNumber, ActivityID,
 *   RelatedActivityID, ProcessID/ExecutionProcessID, ThreadID/ExecutionThreadID, Channel, Domain, AccountName,
 *   UserID, AccountType, Message, Category, Opcode, EventReceivedTime, SourceModuleName, SourceModuleType, then the
 *   EventData fields by name (NXLog's Domain/AccountName/AccountType, the account it resolved for UserID, share
 *   their names with EventData fields such as 7045's AccountName: they are kept as fields);
 * - similar shapes: Fluent Bit / fluentd winevtlog (ProviderName, Computer, TimeCreated, EventRecordID,
 *   StringInserts), PowerShell `Get-WinEvent | ConvertTo-Json` (Id, ProviderName, LogName, MachineName, RecordId,
 *   TimeCreated `/Date(ms)/`, Properties), Logstash eventlog (EventCode, ComputerName, Logfile, InsertionStrings),
 *   Microsoft Sentinel / Log Analytics `SecurityEvent` and `Event` rows (EventSourceName/Source, EventLog,
 *   TimeGenerated, the columns, and the `EventData` XML string, whose names win).
 * Every other top-level key is an EventData field. Unnamed values (StringInserts, Properties, InsertionStrings)
 * become the unnamed `Data` list. A Sysmon `EventType` (SetValue, CreateKey…) is EventData, NXLog's own
 * EventType (AUDIT_SUCCESS, INFO…) is not. NXLog CE's EventTime has no zone (agent local time): taken as UTC.
 */
import type { Doc, FieldValue } from '../../event.js';
import { setKey } from '../../event.js';
import type { InputFile, Source } from '../types.js';
import { firstJsonValue, headText, jsonValues } from '../json-stream.js';
import { windowsEvent } from '../windows.js';
import { eventDataXmlToDoc } from '../xml.js';
import { buildDoc, isObj, keywordsHex, toInt, toStr, toSystemTime, unnamedData, type SystemParts } from './winbuild.js';

const PROVIDER_KEYS = ['SourceName', 'ProviderName', 'Provider_Name', 'Provider', 'EventSourceName', 'Source'];
const EVENTID_KEYS = ['EventID', 'EventId', 'Id', 'EventCode'];
const CHANNEL_KEYS = ['Channel', 'LogName', 'Logfile', 'EventLog'];
const COMPUTER_KEYS = ['Hostname', 'Computer', 'MachineName', 'ComputerName'];
const TIME_KEYS = ['EventTime', 'TimeCreated', 'SystemTime', '@timestamp', 'TimeGenerated', 'timestamp', 'EventReceivedTime'];
/** Microsoft Sentinel / Log Analytics columns that are not EventData */
const SENTINEL = ['TenantId', 'SourceSystem', 'Type', 'MG', 'ManagementGroupName', 'SourceComputerId', 'EventOriginId', '_ResourceId', 'Activity', 'EventLevel', 'EventLevelName', 'EventCategory', 'RenderedDescription', 'ParameterXml', 'AzureDeploymentID', 'Role'];
const RECORD_KEYS = ['RecordNumber', 'EventRecordID', 'RecordId'];
const UNNAMED_KEYS = ['StringInserts', 'Properties', 'InsertionStrings', 'Strings'];

/** keys that are never EventData */
const META = new Set([
  ...PROVIDER_KEYS, ...EVENTID_KEYS, ...CHANNEL_KEYS, ...COMPUTER_KEYS, ...TIME_KEYS, ...RECORD_KEYS, ...UNNAMED_KEYS, ...SENTINEL,
  'Keywords', 'KeywordsDisplayNames', 'SeverityValue', 'Severity', 'ProviderGuid', 'ProviderGUID', 'ProviderId',
  'Version', 'Task', 'TaskValue', 'TaskDisplayName', 'OpcodeValue', 'Opcode', 'OpcodeDisplayName', 'Level',
  'LevelDisplayName', 'Qualifiers', 'ActivityID', 'ActivityId', 'RelatedActivityID', 'RelatedActivityId',
  'ProcessID', 'ThreadID', 'ExecutionProcessID', 'ExecutionThreadID', 'ProcessId', 'ThreadId', 'UserID', 'UserId',
  'Message', 'Category', 'SourceModuleName', 'SourceModuleType', 'ContainerLog', 'MatchedQueryIds', 'Bookmark',
  'EventType', 'EventData', 'UserData', 'type', 'host', '@version', 'tags',
]);

/** NXLog's own EventType values; anything else under that name is EventData (Sysmon registry events). */
const NXLOG_EVENT_TYPES = new Set(['AUDIT_SUCCESS', 'AUDIT_FAILURE', 'INFO', 'WARNING', 'ERROR', 'CRITICAL', 'VERBOSE']);

function pick(o: Doc, keys: string[]): FieldValue | undefined {
  for (const k of keys) {
    const v = o[k];
    if (v !== undefined && v !== null && v !== '') return v;
  }
  return undefined;
}

/** Get-WinEvent's ProcessId/ThreadId are System values; in NXLog records `ProcessId` is Sysmon EventData. */
function isPowerShell(o: Doc): boolean {
  return o.Id !== undefined && (o.LogName !== undefined || o.ProviderName !== undefined) && o.SourceName === undefined;
}

/** Turn one flat record into the evtx_dump document. */
export function flatToDoc(o: Doc): Doc {
  const ps = isPowerShell(o);
  const sidRaw = o.UserID ?? o.UserId;
  const sid = isObj(sidRaw) ? toStr(sidRaw.Value) : toStr(sidRaw);
  const sys: SystemParts = {
    provider: toStr(pick(o, PROVIDER_KEYS)),
    providerGuid: toStr(o.ProviderGuid ?? o.ProviderGUID ?? o.ProviderId),
    eventId: toInt(pick(o, EVENTID_KEYS)),
    qualifiers: toInt(o.Qualifiers),
    version: toInt(o.Version),
    level: toInt(o.Level),
    task: toInt(o.TaskValue ?? o.Task),
    opcode: toInt(o.OpcodeValue ?? (ps ? o.Opcode : undefined)),
    keywords: keywordsHex(o.Keywords),
    systemTime: toSystemTime(pick(o, TIME_KEYS)),
    recordId: toInt(pick(o, RECORD_KEYS)),
    activityId: toStr(o.ActivityID ?? o.ActivityId),
    relatedActivityId: toStr(o.RelatedActivityID ?? o.RelatedActivityId),
    processId: toInt(o.ExecutionProcessID ?? o.ProcessID ?? (ps ? o.ProcessId : undefined)),
    threadId: toInt(o.ExecutionThreadID ?? o.ThreadID ?? (ps ? o.ThreadId : undefined)),
    channel: toStr(pick(o, CHANNEL_KEYS)),
    computer: toStr(pick(o, COMPUTER_KEYS)),
    userId: sid,
  };
  const ed: Doc = {};
  for (const [k, v] of Object.entries(o)) {
    if (META.has(k)) {
      if (k === 'EventType' && typeof v === 'string' && !NXLOG_EVENT_TYPES.has(v)) ed[k] = v;
      else if (!ps && (k === 'ProcessId' || k === 'ThreadId')) ed[k] = v;
      continue;
    }
    if (isObj(v)) continue; // agent metadata objects
    setKey(ed, k, v);
  }
  if (isObj(o.EventData)) for (const [k, v] of Object.entries(o.EventData)) setKey(ed, k, v);
  for (const k of UNNAMED_KEYS) {
    const list = o[k];
    if (Array.isArray(list) && list.length) {
      const vals = list.map((x) => (isObj(x) && 'Value' in x ? x.Value : x) as FieldValue);
      ed.Data = unnamedData(vals);
      break;
    }
  }
  if (Array.isArray(o.EventData) && o.EventData.length && ed.Data === undefined) ed.Data = unnamedData(o.EventData);
  let userData = isObj(o.UserData) ? o.UserData : null;
  // Sentinel / Log Analytics keep the event's EventData (or UserData) as an XML string: its names win
  const xml = typeof o.EventData === 'string' ? o.EventData.trimStart() : '';
  if (xml.startsWith('<')) {
    try {
      const part = eventDataXmlToDoc(xml);
      if (isObj(part.EventData)) for (const [k, v] of Object.entries(part.EventData)) setKey(ed, k, v as FieldValue);
      else if (isObj(part.UserData)) userData = part.UserData as Doc;
    } catch {
      // keep the flat columns
    }
  }
  // fluentd's rendered text is `Description`; elsewhere (Sysmon) Description is an EventData field
  const fluent = o.Message === undefined && o.ProviderName !== undefined && o.SourceName === undefined;
  if (fluent && typeof o.Description === 'string') delete ed.Description;
  const message = toStr(o.Message ?? o.RenderedDescription ?? (fluent ? o.Description : undefined));
  return buildDoc(sys, Object.keys(ed).length ? ed : null, userData, message);
}

/** How much a first record looks like a flat Windows event (0 = not). */
export function flatScore(v: unknown): number {
  if (!isObj(v)) return 0;
  // nested shapes belong to other readers
  if (isObj(v.Event) || isObj(v.System) || isObj(v.winlog) || isObj(v.result) || isObj(v._source)) return 0;
  const prov = pick(v, PROVIDER_KEYS);
  const eid = pick(v, EVENTID_KEYS);
  if (typeof prov !== 'string' || toInt(eid) === undefined) return 0;
  if (pick(v, CHANNEL_KEYS) === undefined && pick(v, COMPUTER_KEYS) === undefined) return 0;
  if (v.SourceModuleType === 'im_msvistalog' || (v.EventTime !== undefined && v.Hostname !== undefined && v.SourceName !== undefined)) return 85;
  return 70;
}

export const source: Source = {
  name: 'windows-flat-json',
  description: 'Flat Windows-event JSON lines (NXLog and similar agents)',
  detect(input: InputFile) {
    const c = headText(input.head.subarray(0, 4096)).trimStart()[0];
    if (c !== '{' && c !== '[') return 0;
    return flatScore(firstJsonValue(input.head));
  },
  async *read(input, ctx, open) {
    for await (const item of jsonValues(open(), ctx, input.path)) {
      const o = item.value;
      if (!isObj(o)) {
        ctx.error({ file: input.path, offset: item.offset, line: item.line, message: 'not a JSON object: skipped' });
        continue;
      }
      const doc = flatToDoc(o);
      yield windowsEvent(doc, { file: input.path, format: 'windows-flat-json', offset: item.offset, record: item.line });
    }
  },
};
