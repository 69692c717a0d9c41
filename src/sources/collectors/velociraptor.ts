/**
 * Velociraptor `Windows.EventLogs.EVTX` (and `Windows.EventLogs.Evtx`, `parse_evtx()`, `dumpevtx`) results:
 * JSON Lines, one row per event, as the GUI download and offline collector write them:
 *   {"System": {"Provider": {"Name", "Guid"}, "EventID": {"Value", "Qualifiers"?}, "Version", "Level", "Task",
 *    "Opcode", "Keywords" (number), "TimeCreated": {"SystemTime": epoch seconds (float) or ISO text},
 *    "EventRecordID", "Correlation": {"ActivityID"?}, "Execution": {"ProcessID", "ThreadID"}, "Channel",
 *    "Computer", "Security": {"UserID"?}},
 *   "EventData": {…} | "UserData": {…}, "Message": "…", plus the artifact's columns (TimeCreated, Channel,
 *   EventRecordID, EventID, OSPath/FullPath).
 * Also the `Windows.EventLogs.EvtxHunter` row shape (EventTime, Computer, Channel, Provider, EventID,
 * EventRecordID, UserSID, EventData/UserData, Message, OSPath) without a System object.
 */
import type { Doc } from '../../event.js';
import type { InputFile, Source } from '../types.js';
import { firstJsonValue, headText, jsonValues } from '../json-stream.js';
import { windowsEvent } from '../windows.js';
import { buildDoc, isObj, keywordsHex, toInt, toStr, toSystemTime, type SystemParts } from './winbuild.js';

/** Velociraptor's `{"Name": …}` sub-objects may also arrive in evtx_dump's `#attributes` form */
function sub(o: Doc | undefined, k: string, a: string): unknown {
  if (!o) return undefined;
  const v = o[k];
  if (!isObj(v)) return undefined;
  if (v[a] !== undefined) return v[a];
  const at = v['#attributes'];
  return isObj(at) ? at[a] : undefined;
}

function eventIdOf(v: unknown): { id?: number; q?: number } {
  if (isObj(v)) return { id: toInt(v.Value ?? v['#text']), q: toInt(v.Qualifiers ?? (isObj(v['#attributes']) ? v['#attributes'].Qualifiers : undefined)) };
  return { id: toInt(v) };
}

export function velociraptorToDoc(row: Doc): Doc {
  const S = isObj(row.System) ? row.System : undefined;
  const eid = eventIdOf(S ? S.EventID : row.EventID);
  const sys: SystemParts = S
    ? {
        provider: toStr(sub(S, 'Provider', 'Name')),
        providerGuid: toStr(sub(S, 'Provider', 'Guid')),
        eventSourceName: toStr(sub(S, 'Provider', 'EventSourceName')),
        eventId: eid.id,
        qualifiers: eid.q,
        version: toInt(S.Version),
        level: toInt(S.Level),
        task: toInt(S.Task),
        opcode: toInt(S.Opcode),
        keywords: keywordsHex(S.Keywords),
        systemTime: toSystemTime(sub(S, 'TimeCreated', 'SystemTime') ?? row.TimeCreated),
        recordId: toInt(S.EventRecordID),
        activityId: toStr(sub(S, 'Correlation', 'ActivityID')),
        relatedActivityId: toStr(sub(S, 'Correlation', 'RelatedActivityID')),
        processId: toInt(sub(S, 'Execution', 'ProcessID')),
        threadId: toInt(sub(S, 'Execution', 'ThreadID')),
        channel: toStr(S.Channel),
        computer: toStr(S.Computer),
        userId: toStr(sub(S, 'Security', 'UserID')),
      }
    : {
        provider: toStr(row.Provider),
        eventId: eid.id,
        systemTime: toSystemTime(row.EventTime ?? row.TimeCreated),
        recordId: toInt(row.EventRecordID),
        channel: toStr(row.Channel),
        computer: toStr(row.Computer),
        userId: toStr(row.UserSID),
      };
  const ed = isObj(row.EventData) ? row.EventData : null;
  const ud = isObj(row.UserData) ? row.UserData : null;
  return buildDoc(sys, ed, ud, toStr(row.Message));
}

export function velociraptorScore(v: unknown): number {
  if (!isObj(v) || isObj(v.Event)) return 0;
  const S = v.System;
  if (isObj(S)) {
    if (S.EventID === undefined || (S.Channel === undefined && S.Provider === undefined)) return 0;
    return isObj(S.EventID) && 'Value' in S.EventID ? 90 : 80;
  }
  // EvtxHunter rows
  if ((isObj(v.EventData) || isObj(v.UserData)) && toInt(v.EventID) !== undefined && typeof v.Channel === 'string' && (v.OSPath !== undefined || v.EventTime !== undefined)) return 85;
  return 0;
}

export const source: Source = {
  name: 'velociraptor',
  description: 'Velociraptor Windows.EventLogs.EVTX results (JSON lines)',
  detect(input: InputFile) {
    const c = headText(input.head.subarray(0, 4096)).trimStart()[0];
    if (c !== '{' && c !== '[') return 0;
    return velociraptorScore(firstJsonValue(input.head));
  },
  async *read(input, ctx, open) {
    for await (const item of jsonValues(open(), ctx, input.path)) {
      const v = item.value;
      if (!isObj(v) || velociraptorScore(v) === 0) {
        ctx.error({ file: input.path, offset: item.offset, line: item.line, message: 'not a Velociraptor event row (no System/EventData): skipped' });
        continue;
      }
      yield windowsEvent(velociraptorToDoc(v), { file: input.path, format: 'velociraptor', offset: item.offset, record: item.line });
    }
  },
};
