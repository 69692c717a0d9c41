/**
 * The "a cmdlet was run" view: one set of fields (Cmdlet, CmdletParameters, CmdletParameter.<Name>, CmdletUser,
 * CmdletClient, CmdletProcess, CmdletOrigin, CmdletSucceeded) added to every event in which a cmdlet run is seen:
 * MSExchange Management events (provider MSExchange CmdletLogs, 1/6/8), Exchange CmdletInfra and CosmosQueue
 * logs, unified audit log ExchangeAdmin records, PowerShell 4104 script blocks, 4688 / Sysmon 1 command lines.
 * See docs/mail-server-logs.md.
 */
import type { Doc, FieldValue, VigieEvent } from '../event.js';
import { peekField, valueText } from '../event.js';
import type { Transform } from './index.js';
import { canonicalCmdlet, canonicalParam, findCmdlets, scriptFromCommandLine, type CmdletCall } from './powershell.js';

export type CmdletOrigin =
  | 'msexchange-management' | 'cmdletinfra' | 'cosmosqueue' | 'm365-audit' | 'powershell-scriptblock' | 'powershell-module' | 'process-creation';

const MAX_PARAM_FIELDS = 200;

function str(v: FieldValue | undefined): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  return valueText(v);
}

/**
 * A field by its exact name (readers produce exact names; no case-insensitive scan on the hot path). Pending fields
 * (an EVTX record read directly) are not built for it: this runs on every event, most are never matched.
 */
function fieldStr(ev: VigieEvent, name: string): string | undefined {
  const v = peekField(ev, name);
  return v === undefined ? undefined : str(v);
}

/** Write the cmdlet view fields for the calls found. */
export function setCmdletFields(
  ev: VigieEvent,
  calls: CmdletCall[],
  origin: CmdletOrigin,
  extra: { user?: string; client?: string; process?: string; succeeded?: boolean; rawParams?: string },
): void {
  if (calls.length === 0) return;
  const f: Doc = ev.fields;
  const names = [...new Set(calls.map((c) => c.name))];
  f.Cmdlet = names.length === 1 ? names[0] : names;
  const raw = extra.rawParams ?? calls.map((c) => c.rawParams).filter((x) => x !== '').join('\n');
  if (raw !== '') f.CmdletParameters = raw;
  let nParams = 0;
  const merged = new Set<string>();
  for (const c of calls) {
    for (const [k, v] of Object.entries(c.params)) {
      if (nParams >= MAX_PARAM_FIELDS) break;
      const key = `CmdletParameter.${k}`;
      if (Object.prototype.hasOwnProperty.call(f, key)) {
        // the same parameter in several calls: one list, built here and pushed to (linear), bounded
        const add = Array.isArray(v) ? v : [v];
        if (!merged.has(key)) {
          const cur = f[key];
          f[key] = Array.isArray(cur) ? [...cur] : [cur];
          merged.add(key);
        }
        const list = f[key] as FieldValue[];
        for (const x of add) if (list.length < 1000) list.push(x);
      } else {
        f[key] = v;
        nParams++;
      }
    }
  }
  const args = calls.flatMap((c) => c.args);
  if (args.length) f.CmdletArguments = args.slice(0, 100);
  if (extra.user) f.CmdletUser = extra.user;
  if (extra.client) f.CmdletClient = extra.client;
  if (extra.process) f.CmdletProcess = extra.process;
  f.CmdletOrigin = origin;
  if (extra.succeeded !== undefined) f.CmdletSucceeded = extra.succeeded;
}

/** Calls from a cmdlet name + parameter text logged separately (Exchange logs). */
function callFromParts(cmdlet: string, params: string): CmdletCall[] {
  const name = canonicalCmdlet(cmdlet.trim()) ?? cmdlet.trim();
  if (!name) return [];
  const [call] = findCmdlets(params, name);
  return [call];
}

function applyExchangeManagement(ev: VigieEvent): boolean {
  const provider = ev.provider ?? fieldStr(ev, 'Provider_Name');
  if (!provider || provider.length !== 21 || provider.toLowerCase() !== 'msexchange cmdletlogs') return false;
  const id = ev.eventId ?? Number(fieldStr(ev, 'EventID'));
  if (id !== 1 && id !== 6 && id !== 8) return false;
  const data = ev.fields.Data;
  const list = Array.isArray(data) ? data.map((x) => str(x) ?? '') : [];
  if (list.length < 2 || !list[0]) return false;
  const calls = callFromParts(list[0], list[1] ?? '');
  let process = list[6];
  if (process) process = process.replace(/^\d+\s+/, '');
  setCmdletFields(ev, calls, 'msexchange-management', {
    user: list[2] || undefined,
    client: list[5] || undefined,
    process: process || undefined,
    succeeded: id === 1 ? true : id === 6 ? false : undefined,
    rawParams: list[1] ?? '',
  });
  return true;
}

function applyExchangeLog(ev: VigieEvent): boolean {
  if (ev.logsource.product !== 'exchange') return false;
  const svc = ev.logsource.service;
  if (svc === 'cosmosqueue' && applyCosmosData(ev)) return true;
  const cmdlet = fieldStr(ev, 'Cmdlet') ?? fieldStr(ev, 'CmdletName');
  if (!cmdlet) return false;
  let params = fieldStr(ev, 'Parameters') ?? fieldStr(ev, 'CmdletParameters') ?? '';
  // some exports wrap the parameter list in braces ("{-Identity 'x' -SearchQuery 'y'}"): unwrap
  const trimmed = params.trim();
  if (trimmed.startsWith('{') && trimmed.endsWith('}') && /^\{\s*-/.test(trimmed)) params = trimmed.slice(1, -1).trim();
  const calls = callFromParts(cmdlet, params);
  const result = fieldStr(ev, 'ExecutionResult') ?? fieldStr(ev, 'Succeeded') ?? fieldStr(ev, 'Result');
  let succeeded: boolean | undefined;
  if (result) succeeded = /^(success|succeeded|true)$/i.test(result) ? true : /^(fail|failure|failed|false|error)/i.test(result) ? false : undefined;
  if (succeeded === undefined && fieldStr(ev, 'ErrorType')) succeeded = false;
  setCmdletFields(ev, calls, svc === 'cosmosqueue' || svc === 'adminaudit' ? 'cosmosqueue' : 'cmdletinfra', {
    user: fieldStr(ev, 'AuthenticatedUser') ?? fieldStr(ev, 'Caller') ?? fieldStr(ev, 'UserId') ?? fieldStr(ev, 'User'),
    client: fieldStr(ev, 'ClientApplication') ?? fieldStr(ev, 'ClientApp') ?? fieldStr(ev, 'AppId'),
    process: fieldStr(ev, 'ProcessName'),
    succeeded,
    rawParams: params,
  });
  return true;
}

function applyAudit(ev: VigieEvent): boolean {
  if (ev.logsource.product !== 'm365') return false;
  const op = fieldStr(ev, 'Operation');
  if (!op) return false;
  const rt = fieldStr(ev, 'RecordType');
  const wl = fieldStr(ev, 'Workload');
  // ExchangeAdmin (1) and SecurityComplianceCenterEXOCmdlet (18: New-ComplianceSearch…) records, or any record
  // whose Operation is a cmdlet name with a Parameters array
  const adminType = rt === '1' || rt === '18' || rt === 'ExchangeAdmin' || rt === 'SecurityComplianceCenterEXOCmdlet';
  if (!adminType && !Array.isArray(ev.fields.Parameters) && !(rt === undefined && wl === undefined)) return false;
  const name = canonicalCmdlet(op);
  if (!name) return false;
  const call = callFromNameValue(name, ev.fields.Parameters);
  setCmdletFields(ev, [call], 'm365-audit', {
    user: fieldStr(ev, 'UserId') ?? fieldStr(ev, 'UserKey'),
    client: fieldStr(ev, 'ClientAppId') ?? fieldStr(ev, 'AppId') ?? fieldStr(ev, 'ClientApplication'),
    succeeded: auditSucceeded(fieldStr(ev, 'ResultStatus') ?? fieldStr(ev, 'Succeeded')),
    rawParams: call.rawParams,
  });
  return true;
}

/** A call from an audit record's Parameters array ([{Name, Value}, …]); raw text rebuilt as `-Name "Value"`. */
function callFromNameValue(name: string, arr: FieldValue | undefined): CmdletCall {
  const params: Record<string, FieldValue> = Object.create(null) as Record<string, FieldValue>;
  const rawParts: string[] = [];
  if (Array.isArray(arr)) {
    for (const p of arr.slice(0, MAX_PARAM_FIELDS)) {
      if (!p || typeof p !== 'object' || Array.isArray(p)) continue;
      const n = str((p as Doc).Name);
      if (!n) continue;
      const v = str((p as Doc).Value) ?? '';
      const canon = canonicalParam(name, n);
      params[canon] = v === '' ? true : v;
      rawParts.push(v === '' ? `-${n}` : `-${n} "${v.replace(/"/g, '""')}"`);
    }
  }
  return { name, params, args: [], rawParams: rawParts.join(' ') };
}

function auditSucceeded(status: string | undefined): boolean | undefined {
  return status === undefined ? undefined : /^(true|succeeded|success)$/i.test(status) ? true : /^(false|failed|failure)$/i.test(status) ? false : undefined;
}

/**
 * CosmosQueue admin audit records (Logging\LocalQueue\Exchange\audit*.LOG): the cmdlet run is inside the `Data`
 * column, expanded by the reader into `Data.*` fields (Operation or CmdletName, Parameters Name/Value pairs or
 * CmdletParameters text, UserId or Caller, ResultStatus or Succeeded). Data that is plain text starting with a
 * cmdlet is read as a command.
 */
function applyCosmosData(ev: VigieEvent): boolean {
  const f = ev.fields;
  const op = fieldStr(ev, 'Data.Operation') ?? fieldStr(ev, 'Data.CmdletName') ?? fieldStr(ev, 'Data.Cmdlet');
  const user = fieldStr(ev, 'Data.UserId') ?? fieldStr(ev, 'Data.Caller') ?? fieldStr(ev, 'Data.UserKey') ?? fieldStr(ev, 'UserId') ?? fieldStr(ev, 'Caller');
  const client = fieldStr(ev, 'Data.ClientAppId') ?? fieldStr(ev, 'Data.AppId') ?? fieldStr(ev, 'Data.ClientApplication') ?? fieldStr(ev, 'Data.ClientApp');
  if (op) {
    const name = canonicalCmdlet(op.trim());
    if (!name) return false;
    const nv = f['Data.Parameters'] ?? f['Data.CmdletParameters'];
    let call: CmdletCall;
    if (Array.isArray(nv)) call = callFromNameValue(name, nv);
    else {
      let text = typeof nv === 'string' ? nv.trim() : '';
      if (text.startsWith('{') && text.endsWith('}') && /^\{\s*-/.test(text)) text = text.slice(1, -1).trim();
      call = callFromParts(name, text)[0];
    }
    setCmdletFields(ev, [call], 'cosmosqueue', {
      user,
      client,
      process: fieldStr(ev, 'ProcessName'),
      succeeded: auditSucceeded(fieldStr(ev, 'Data.ResultStatus') ?? fieldStr(ev, 'Data.Succeeded')),
      rawParams: call.rawParams,
    });
    return true;
  }
  const data = fieldStr(ev, 'Data');
  if (!data) return false;
  const t = data.trimStart();
  const sp = t.search(/\s/);
  if (!canonicalCmdlet(sp < 0 ? t : t.slice(0, sp))) return false;
  const calls = findCmdlets(t.slice(0, 256 * 1024));
  setCmdletFields(ev, calls, 'cosmosqueue', { user, client, process: fieldStr(ev, 'ProcessName') });
  return calls.length > 0;
}

function applyScriptBlock(ev: VigieEvent): boolean {
  const id = ev.eventId ?? peekField(ev, 'EventID');
  if (id !== 4104) return false;
  const text = fieldStr(ev, 'ScriptBlockText');
  if (!text) return false;
  const provider = ev.provider ?? fieldStr(ev, 'Provider_Name');
  if (provider && !/powershell/i.test(provider)) return false;
  const calls = findCmdlets(text);
  setCmdletFields(ev, calls, 'powershell-scriptblock', {
    user: fieldStr(ev, 'UserID'),
    process: 'powershell',
  });
  return calls.length > 0;
}

/**
 * PowerShell module logging (4103): Payload lines `CommandInvocation(Name): "Name"` and
 * `ParameterBinding(Name): name="X"; value="Y"` give the cmdlet and its bound parameters exactly.
 */
function applyModuleLogging(ev: VigieEvent): boolean {
  const id = ev.eventId ?? peekField(ev, 'EventID');
  if (id !== 4103) return false;
  const payload = fieldStr(ev, 'Payload');
  if (!payload) return false;
  const byName = new Map<string, CmdletCall>();
  const order: CmdletCall[] = [];
  const get = (n: string): CmdletCall | undefined => {
    const name = canonicalCmdlet(n);
    if (!name) return undefined;
    let c = byName.get(name);
    if (!c) {
      c = { name, params: Object.create(null) as Record<string, FieldValue>, args: [], rawParams: '' };
      byName.set(name, c);
      order.push(c);
    }
    return c;
  };
  const raw: string[] = [];
  for (const line of payload.slice(0, 256 * 1024).split('\n', 5000)) {
    const l = line.trim();
    const inv = /^CommandInvocation\(([^)]{1,100})\):/.exec(l);
    if (inv) { get(inv[1]); continue; }
    const pb = /^ParameterBinding\(([^)]{1,100})\): name="([^"]{1,100})"; value="(.*)"$/.exec(l);
    if (pb) {
      const c = get(pb[1]);
      if (!c) continue;
      const pname = canonicalParam(c.name, pb[2]);
      c.params[pname] = pb[3] === '' ? true : pb[3];
      raw.push(`-${pb[2]} "${pb[3]}"`);
    }
  }
  if (order.length === 0) return false;
  for (const c of order) c.rawParams = raw.join(' ');
  setCmdletFields(ev, order, 'powershell-module', { user: fieldStr(ev, 'UserID'), process: 'powershell', rawParams: raw.join(' ') });
  return true;
}

function applyProcessCreation(ev: VigieEvent): boolean {
  if (peekField(ev, 'CommandLine') === undefined && peekField(ev, 'ProcessCommandLine') === undefined) return false;
  const cmd = fieldStr(ev, 'CommandLine') ?? fieldStr(ev, 'ProcessCommandLine');
  if (!cmd) return false;
  const lc = cmd.toLowerCase();
  if (!lc.includes('powershell') && !lc.includes('pwsh')) return false;
  const s = scriptFromCommandLine(cmd);
  if (!s) return false;
  const calls = findCmdlets(s.script);
  if (calls.length === 0) return false;
  if (s.encoded) ev.fields.CmdletScript = s.script;
  setCmdletFields(ev, calls, 'process-creation', {
    user: fieldStr(ev, 'User') ?? fieldStr(ev, 'SubjectUserName'),
    client: fieldStr(ev, 'ParentImage') ?? fieldStr(ev, 'ParentProcessName'),
    process: fieldStr(ev, 'Image') ?? fieldStr(ev, 'NewProcessName'),
  });
  return true;
}

export const cmdletTransform: Transform = {
  name: 'cmdlet',
  apply(ev: VigieEvent): void {
    if (peekField(ev, 'CmdletOrigin') !== undefined) return; // already done
    if (ev.logsource.category === 'webserver') return; // fast path: web logs never carry a cmdlet run
    if (applyExchangeManagement(ev)) return;
    if (applyExchangeLog(ev)) return;
    if (applyAudit(ev)) return;
    if (applyScriptBlock(ev)) return;
    if (applyModuleLogging(ev)) return;
    applyProcessCreation(ev);
  },
};

export default cmdletTransform;
