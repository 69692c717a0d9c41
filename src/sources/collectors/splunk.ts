/**
 * Splunk JSON exports of Windows event logs:
 * - the search export / UI "Export → JSON" layout, one `{"preview":false,"result":{…}}` per line;
 * - the REST `output_mode=json` document `{"preview":…,"fields":[…],"results":[{…},…]}` (streamed through
 *   json-stream one result at a time), or a plain array of results.
 * A result's `_raw` holds the event: XmlWinEventLog (`<Event xmlns=…>…</Event>`, parsed with the safe XML parser,
 * so every EventData field keeps its name) or classic WinEventLog text (`LogName=…`, `EventCode=…`,
 * `ComputerName=…`, `SourceName=…`, `RecordNumber=…`, `Message=…`: System values and the rendered message; the
 * EventData names are not in that format, so the well-known labels of the message (Subject/New Logon accounts,
 * Logon Type, New Process Name, Process Command Line, Creator Process Name, Source Network Address, Service File
 * Name…) are mapped to their EventData names, best effort). A result without `_raw` (an exported table) is read as flat fields
 * (EventCode, ComputerName, LogName, SourceName, … and the extracted EventData names).
 * Event time: the XML's SystemTime, else Splunk's `_time`.
 */
import type { Doc } from '../../event.js';
import type { InputFile, ReadContext, Source } from '../types.js';
import { firstJsonValue, headText, jsonValues } from '../json-stream.js';
import { xmlEventToDoc } from '../xml.js';
import { windowsEvent } from '../windows.js';
import { flatToDoc } from './flat-json.js';
import { buildDoc, isObj, toInt, toStr, toSystemTime } from './winbuild.js';

const RESULTS = ['results'];

/** Splunk's own metadata fields: never EventData */
const SPLUNK_META = new Set([
  'host', 'source', 'sourcetype', 'index', 'splunk_server', 'splunk_server_group', 'linecount', 'punct', 'eventtype',
  'tag', 'timestartpos', 'timeendpos', 'date_hour', 'date_mday', 'date_minute', 'date_month', 'date_second',
  'date_wday', 'date_year', 'date_zone', 'timestamp',
]);

function resultOf(v: Doc): Doc | undefined {
  if (isObj(v.result)) return v.result;
  if (v._raw !== undefined || v.sourcetype !== undefined || v._time !== undefined) return v;
  return undefined;
}

function isWindows(r: Doc): boolean {
  const raw = toStr(r._raw) ?? '';
  if (raw.startsWith('<Event') && raw.includes('<System')) return true;
  const st = `${toStr(r.sourcetype) ?? ''} ${toStr(r.source) ?? ''}`;
  return /wineventlog/i.test(st);
}

/** Security-log message sections whose account lines are Subject… / Target… fields */
const SECTION_PREFIX: Record<string, string> = {
  Subject: 'Subject', 'Creator Subject': 'Subject', 'Target Subject': 'Target', 'New Logon': 'Target',
  'Account For Which Logon Failed': 'Target', 'Account Whose Credentials Were Used': 'Target', 'Logon Account': 'Target',
  'Target Account': 'Target', 'New Account': 'Target', Member: 'Member',
};
const ACCOUNT_LABEL: Record<string, string> = {
  'Security ID': 'UserSid', 'Account Name': 'UserName', 'Account Domain': 'DomainName', 'Logon ID': 'LogonId',
  'Domain Name': 'DomainName',
};
/** rendered labels → EventData names (the Security and System events hunts look at most) */
const LABEL: Record<string, string> = {
  'Logon Type': 'LogonType', 'New Process Name': 'NewProcessName', 'Process Command Line': 'CommandLine',
  'Creator Process Name': 'ParentProcessName', 'New Process ID': 'NewProcessId', 'Creator Process ID': 'ProcessId',
  'Token Elevation Type': 'TokenElevationType', 'Mandatory Label': 'MandatoryLabel', 'Workstation Name': 'WorkstationName',
  'Source Network Address': 'IpAddress', 'Source Port': 'IpPort', 'Logon Process': 'LogonProcessName',
  'Authentication Package': 'AuthenticationPackageName', 'Process Name': 'ProcessName', 'Process ID': 'ProcessId',
  'Failure Reason': 'FailureReason', Status: 'Status', 'Sub Status': 'SubStatus', 'Service Name': 'ServiceName',
  'Service File Name': 'ImagePath', 'Service Type': 'ServiceType', 'Service Start Type': 'StartType',
  'Service Account': 'AccountName', 'Group Name': 'TargetUserName', 'Group Domain': 'TargetDomainName',
  'Object Name': 'ObjectName', 'Object Type': 'ObjectType', 'Share Name': 'ShareName', 'Share Path': 'ShareLocalPath',
  'Relative Target Name': 'RelativeTargetName', 'Ticket Encryption Type': 'TicketEncryptionType', 'Ticket Options': 'TicketOptions',
  'Client Address': 'IpAddress', 'Client Port': 'IpPort', 'Task Name': 'TaskName', 'Accesses': 'AccessList', 'Access Mask': 'AccessMask',
};

/**
 * Best effort: EventData names from a rendered Security/System message (`Section:` headers, `\tLabel:\t\tValue`
 * lines), for classic WinEventLog text that carries no EventData. Only well-known labels are mapped.
 */
export function messageFields(message: string): Doc {
  const out: Doc = {};
  let section = '';
  for (const line of message.split(/\r?\n/).slice(0, 400)) {
    if (!line.trim()) continue;
    const m = /^(\s*)([A-Za-z][A-Za-z ()/-]{0,60}?):\s*(.*)$/.exec(line);
    if (!m) continue;
    const [, indent, label, value] = m;
    if (!indent && value === '') { section = label; continue; }
    const v = value.trim();
    const prefix = SECTION_PREFIX[section];
    const acct = ACCOUNT_LABEL[label];
    const name = prefix && acct ? `${prefix}${acct}` : LABEL[label];
    if (name && !Object.prototype.hasOwnProperty.call(out, name)) out[name] = v;
  }
  return out;
}

/** Classic (non-XML) WinEventLog `_raw`: `Key=Value` header lines, then `Message=` and the rendered text. */
export function classicToDoc(raw: string, r: Doc): Doc {
  const kv: Record<string, string> = {};
  let message: string | undefined;
  const lines = raw.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    const eq = l.indexOf('=');
    if (eq <= 0) continue;
    const k = l.slice(0, eq).trim();
    if (!/^[A-Za-z][A-Za-z0-9_]{0,40}$/.test(k)) continue;
    if (k === 'Message') { message = [l.slice(eq + 1), ...lines.slice(i + 1)].join('\n'); break; }
    kv[k] = l.slice(eq + 1).trim();
  }
  return buildDoc(
    {
      provider: kv.SourceName,
      eventId: toInt(kv.EventCode),
      recordId: toInt(kv.RecordNumber),
      channel: kv.LogName,
      computer: kv.ComputerName ?? toStr(r.host),
      systemTime: toSystemTime(r._time),
    },
    message ? messageFields(message) : null,
    null,
    message,
  );
}

/** One Splunk result → evtx_dump document; throws on unreadable XML. */
export function splunkToDoc(r: Doc): Doc {
  const raw = toStr(r._raw);
  if (raw !== undefined) {
    const t = raw.trimStart();
    if (t.startsWith('<')) return xmlEventToDoc(t) as unknown as Doc;
    return classicToDoc(raw, r);
  }
  const flat: Doc = {};
  for (const [k, v] of Object.entries(r)) if (!k.startsWith('_') && !SPLUNK_META.has(k)) flat[k] = v;
  if (flat.Computer === undefined && flat.ComputerName === undefined && r.host !== undefined) flat.ComputerName = r.host;
  if (flat.TimeCreated === undefined && r._time !== undefined) flat.TimeCreated = r._time;
  return flatToDoc(flat);
}

export function splunkScore(v: unknown): number {
  if (!isObj(v)) return 0;
  const r = resultOf(v);
  if (!r) return 0;
  return isWindows(r) ? 90 : 0;
}

function* readOne(v: unknown, input: InputFile, ctx: ReadContext, offset: number, line: number) {
  if (!isObj(v)) return;
  const r = resultOf(v);
  if (!r) {
    // `{"preview":true,…}` progress rows without a result, or messages: nothing to read
    if (v.preview !== undefined || v.messages !== undefined || v.lastrow !== undefined) return;
    ctx.error({ file: input.path, offset, line, message: 'not a Splunk result: skipped' });
    return;
  }
  if (!isWindows(r)) {
    ctx.error({ file: input.path, offset, line, message: 'Splunk result is not a Windows event (sourcetype/_raw): skipped' });
    return;
  }
  let doc: Doc;
  try {
    doc = splunkToDoc(r);
  } catch (e) {
    ctx.error({ file: input.path, offset, line, message: `bad event XML in _raw: ${(e as Error).message}` });
    return;
  }
  const ev = windowsEvent(doc, { file: input.path, format: 'splunk', offset, record: line });
  if (ev.time === undefined) ev.time = toSystemTime(r._time) ? Date.parse(toSystemTime(r._time) as string) : undefined;
  yield ev;
}

export const source: Source = {
  name: 'splunk',
  description: 'Splunk JSON exports of Windows event logs',
  detect(input: InputFile) {
    const c = headText(input.head.subarray(0, 4096)).trimStart()[0];
    if (c !== '{' && c !== '[') return 0;
    const first = firstJsonValue(input.head, RESULTS);
    if (first !== undefined) return splunkScore(first);
    const t = headText(input.head);
    return /"results"\s*:\s*\[/.test(t) && /"_raw"\s*:/.test(t) && /wineventlog|<Event xmlns/i.test(t) ? 70 : 0;
  },
  async *read(input, ctx, open) {
    for await (const item of jsonValues(open(), ctx, input.path, { path: RESULTS, fallbackToRoot: true })) {
      yield* readOne(item.value, input, ctx, item.offset, item.line);
    }
  },
};
