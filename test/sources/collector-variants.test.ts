/**
 * Less common variants of each shape, written inline in their real layout: Splunk classic WinEventLog text and
 * exported tables, Velociraptor EvtxHunter rows, Kibana `fields` / flattened ECS keys, Winlogbeat 6.x, PowerShell
 * Get-WinEvent | ConvertTo-Json, Fluent Bit winevtlog, evtx_dump -o xml, libevtx evtxexport XML.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getField, type VigieEvent } from '../../src/event.js';
import { readFile, ReadContext } from '../../src/sources/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'vigie-variants-'));

async function readText(name: string, text: string): Promise<{ events: VigieEvent[]; ctx: ReadContext; format: string }> {
  const p = join(tmp, name);
  writeFileSync(p, text);
  const ctx = new ReadContext();
  const events: VigieEvent[] = [];
  for await (const e of readFile(p, ctx)) events.push(e);
  return { events, ctx, format: [...ctx.formats.keys()].join(',') };
}

test('Splunk classic WinEventLog _raw (key=value text) and an exported table without _raw', async () => {
  const raw = '03/12/2024 09:16:02 AM\nLogName=Security\nEventCode=4624\nEventType=0\nComputerName=EXCH01.corp.example.com\nSourceName=Microsoft Windows security auditing.\nType=Information\nRecordNumber=1193321\nKeywords=Audit Success\nTaskCategory=Logon\nOpCode=Info\nMessage=An account was successfully logged on.\r\n\r\nNew Logon:\r\n\tAccount Name:\t\tsvc-backup';
  const r = await readText('classic.json', `${JSON.stringify({ preview: false, result: { _raw: raw, _time: '2024-03-12T09:16:02.000+00:00', host: 'EXCH01', source: 'WinEventLog:Security', sourcetype: 'WinEventLog' } })}\n`);
  assert.equal(r.format, 'splunk');
  assert.equal(r.ctx.errorCount, 0);
  const e = r.events[0];
  assert.equal(e.eventId, 4624);
  assert.equal(e.channel, 'Security');
  assert.equal(e.computer, 'EXCH01.corp.example.com');
  assert.equal(e.fields.EventRecordID, 1193321);
  assert.equal(e.time, Date.parse('2024-03-12T09:16:02Z'));
  assert.match(String(getField(e, 'Event.RenderingInfo.Message')), /svc-backup/);

  const table = { preview: false, init_offset: 0, results: [{ _time: '2024-03-12T09:14:27.884+00:00', host: 'EXCH01', sourcetype: 'XmlWinEventLog', source: 'XmlWinEventLog:Microsoft-Windows-Sysmon/Operational', EventCode: '1', Channel: 'Microsoft-Windows-Sysmon/Operational', SourceName: 'Microsoft-Windows-Sysmon', Computer: 'EXCH01.corp.example.com', Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'cmd /c whoami', ParentImage: 'C:\\Windows\\System32\\inetsrv\\w3wp.exe' }] };
  const t = await readText('table.json', JSON.stringify(table));
  assert.equal(t.format, 'splunk');
  assert.equal(t.events[0].eventId, 1);
  assert.equal(t.events[0].fields.CommandLine, 'cmd /c whoami');
  assert.equal(t.events[0].fields.host, undefined);
  assert.equal(t.events[0].time, Date.parse('2024-03-12T09:14:27.884Z'));
});

test('Velociraptor EvtxHunter rows (no System object)', async () => {
  const row = { EventTime: '2024-03-12T09:22:10.551Z', Computer: 'EXCH01.corp.example.com', Channel: 'System', Provider: 'Service Control Manager', EventID: 7045, EventRecordID: 88102, UserSID: 'S-1-5-18', Username: 'SYSTEM', EventData: { ServiceName: 'WinRMSvcHost', ImagePath: 'powershell -enc AAAA' }, UserData: null, Message: 'A service was installed', OSPath: 'C:\\Windows\\System32\\winevt\\Logs\\System.evtx' };
  const r = await readText('hunter.json', `${JSON.stringify(row)}\n`);
  assert.equal(r.format, 'velociraptor');
  assert.equal(r.events[0].eventId, 7045);
  assert.equal(r.events[0].fields.ImagePath, 'powershell -enc AAAA');
  assert.equal(r.events[0].fields.UserID, 'S-1-5-18');
  assert.equal(r.events[0].time, Date.parse('2024-03-12T09:22:10.551Z'));
});

test('ECS variants: Kibana fields arrays, flattened dotted keys, Winlogbeat 6.x', async () => {
  const kibana = { _index: 'winlogbeat', _id: '1', fields: { '@timestamp': ['2024-03-12T09:16:02.317Z'], 'winlog.channel': ['Security'], 'winlog.event_id': ['4624'], 'winlog.provider_name': ['Microsoft-Windows-Security-Auditing'], 'winlog.computer_name': ['EXCH01'], 'winlog.event_data.TargetUserName': ['svc-backup'], 'winlog.event_data.LogonType': ['3'] } };
  let r = await readText('kibana.ndjson', `${JSON.stringify(kibana)}\n`);
  assert.equal(r.format, 'ecs');
  assert.equal(r.events[0].eventId, 4624);
  assert.equal(r.events[0].fields.TargetUserName, 'svc-backup');
  assert.equal(r.events[0].fields.LogonType, '3');
  const flat = { '@timestamp': '2024-03-12T09:16:02.317Z', 'winlog.channel': 'Security', 'winlog.event_id': 4624, 'winlog.provider_name': 'Microsoft-Windows-Security-Auditing', 'winlog.event_data.TargetUserName': 'svc-backup', 'host.name': 'EXCH01' };
  r = await readText('flat.ndjson', `${JSON.stringify(flat)}\n`);
  assert.equal(r.format, 'ecs');
  assert.equal(r.events[0].computer, 'EXCH01');
  assert.equal(r.events[0].fields.TargetUserName, 'svc-backup');
  const wlb6 = { '@timestamp': '2019-03-12T09:16:02.317Z', beat: { name: 'EXCH01', version: '6.8.0' }, computer_name: 'EXCH01', event_data: { TargetUserName: 'svc-backup' }, event_id: 4624, level: 'Information', log_name: 'Security', record_number: '1193321', source_name: 'Microsoft-Windows-Security-Auditing', type: 'wineventlog', keywords: ['Audit Success'] };
  r = await readText('wlb6.ndjson', `${JSON.stringify(wlb6)}\n`);
  assert.equal(r.format, 'ecs');
  assert.equal(r.events[0].channel, 'Security');
  assert.equal(r.events[0].fields.EventRecordID, 1193321);
  assert.equal(r.events[0].fields.TargetUserName, 'svc-backup');
});

test('flat variants: PowerShell Get-WinEvent | ConvertTo-Json, Fluent Bit winevtlog', async () => {
  const ps = [{ Id: 4104, Version: 1, Qualifiers: null, Level: 5, Task: 2, Opcode: 15, Keywords: 0, RecordId: 5512, ProviderName: 'Microsoft-Windows-PowerShell', ProviderId: 'a0c1853b-5c40-4b15-8766-3cf1c58f985a', LogName: 'Microsoft-Windows-PowerShell/Operational', ProcessId: 4112, ThreadId: 6312, MachineName: 'EXCH01.corp.example.com', UserId: { BinaryLength: 28, AccountDomainSid: null, Value: 'S-1-5-21-1-2-3-1105' }, TimeCreated: '/Date(1710235330551)/', Message: 'Creating Scriptblock text (1 of 1)', Properties: [{ Value: 1 }, { Value: 1 }, { Value: 'Add-MailboxPermission -Identity ceo -User svc-backup -AccessRights FullAccess' }, { Value: '6c2b7f1e' }, { Value: '' }] }];
  let r = await readText('ps.json', JSON.stringify(ps, null, 2));
  assert.equal(r.format, 'windows-flat-json');
  assert.equal(r.ctx.errorCount, 0);
  const e = r.events[0];
  assert.equal(e.eventId, 4104);
  assert.equal(e.channel, 'Microsoft-Windows-PowerShell/Operational');
  assert.equal(e.fields.ProcessID, 4112);
  assert.equal(e.fields.UserID, 'S-1-5-21-1-2-3-1105');
  assert.equal(e.time, 1710235330551);
  assert.match(String(e.fields.DataText), /Add-MailboxPermission/);
  const fb = { ProviderName: 'Microsoft-Windows-Security-Auditing', ProviderGuid: '{54849625-5478-4994-A5BA-3E3B0328C30D}', Qualifiers: '', EventID: 1102, Version: 0, Level: 4, Task: 104, Opcode: 0, Keywords: '0x4020000000000000', TimeCreated: '2024-03-12 09:31:45 +0000', EventRecordID: 1193407, ActivityID: '', RelatedActivityID: '', ProcessID: 1336, ThreadID: 9012, Channel: 'Security', Computer: 'EXCH01', UserID: '', Message: 'The audit log was cleared.', StringInserts: ['S-1-5-21-1-2-3-1105', 'svc-backup', 'CORP', '0x8a3c51f'] };
  r = await readText('fluentbit.json', `${JSON.stringify(fb)}\n`);
  assert.equal(r.format, 'windows-flat-json');
  assert.equal(r.events[0].eventId, 1102);
  assert.equal(r.events[0].fields.Keywords, '0x4020000000000000');
  assert.deepEqual(r.events[0].fields.Data, ['S-1-5-21-1-2-3-1105', 'svc-backup', 'CORP', '0x8a3c51f']);
  assert.equal(r.events[0].time, Date.parse('2024-03-12T09:31:45Z'));
});

test('evtx_dump -o xml (Record lines, XML declarations) and libevtx evtxexport XML (banner, padded hex)', async () => {
  const ev = (id: number, logon: string) => `<?xml version="1.0" encoding="utf-8"?>\n<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">\n  <System>\n    <Provider Name="Microsoft-Windows-Security-Auditing" Guid="{54849625-5478-4994-a5ba-3e3b0328c30d}">\n    </Provider>\n    <EventID>4624</EventID>\n    <TimeCreated SystemTime="2024-03-12T09:16:02.317000Z">\n    </TimeCreated>\n    <EventRecordID>${id}</EventRecordID>\n    <Channel>Security</Channel>\n    <Computer>EXCH01</Computer>\n  </System>\n  <EventData>\n    <Data Name="TargetLogonId">${logon}</Data>\n  </EventData>\n</Event>\n`;
  let r = await readText('dump.xml', `Record 1\n${ev(1, '0x8a3c51f')}Record 2\n${ev(2, '0x3e7')}`);
  assert.equal(r.format, 'evtx-xml');
  assert.deepEqual(r.events.map((e) => e.origin.record), [1, 2]);
  assert.equal(r.events[0].fields.Provider_Guid, '54849625-5478-4994-A5BA-3E3B0328C30D');
  r = await readText('evtxexport.xml', `evtxexport 20181227\n\n${ev(7, '0x0000000008a3c51f').replace(/^<\?xml[^\n]*\n/, '')}\n`);
  assert.equal(r.format, 'evtx-xml');
  assert.equal(r.events[0].fields.TargetLogonId, '0x8a3c51f');
});

test('Splunk classic 4688: EventData names recovered from the rendered message', async () => {
  const msg = 'A new process has been created.\r\n\r\nCreator Subject:\r\n\tSecurity ID:\t\tS-1-5-18\r\n\tAccount Name:\t\tEXCH01$\r\n\tAccount Domain:\t\tCORP\r\n\tLogon ID:\t\t0x3E7\r\n\r\nTarget Subject:\r\n\tSecurity ID:\t\tS-1-0-0\r\n\tAccount Name:\t\t-\r\n\r\nProcess Information:\r\n\tNew Process ID:\t\t0x1cf4\r\n\tNew Process Name:\tC:\\Windows\\System32\\cmd.exe\r\n\tToken Elevation Type:\t%%1936\r\n\tMandatory Label:\t\tS-1-16-16384\r\n\tCreator Process ID:\t0x1410\r\n\tCreator Process Name:\tC:\\Windows\\System32\\inetsrv\\w3wp.exe\r\n\tProcess Command Line:\tcmd /c whoami /all\r\n\r\nToken Elevation Type indicates the type of token.';
  const raw = `03/12/2024 09:14:27 AM\nLogName=Security\nEventCode=4688\nEventType=0\nComputerName=EXCH01.corp.example.com\nSourceName=Microsoft Windows security auditing.\nType=Information\nRecordNumber=1193300\nKeywords=Audit Success\nTaskCategory=Process Creation\nOpCode=Info\nMessage=${msg}`;
  const r = await readText('classic4688.json', `${JSON.stringify({ preview: false, result: { _raw: raw, _time: '2024-03-12T09:14:27.000+00:00', sourcetype: 'WinEventLog', source: 'WinEventLog:Security' } })}\n`);
  assert.equal(r.format, 'splunk');
  const f = r.events[0].fields;
  assert.equal(f.NewProcessName, 'C:\\Windows\\System32\\cmd.exe');
  assert.equal(f.ParentProcessName, 'C:\\Windows\\System32\\inetsrv\\w3wp.exe');
  assert.equal(f.CommandLine, 'cmd /c whoami /all');
  assert.equal(f.SubjectUserName, 'EXCH01$');
  assert.equal(f.SubjectLogonId, '0x3E7');
  assert.equal(f.TargetUserSid, 'S-1-0-0');
  assert.equal(f.MandatoryLabel, 'S-1-16-16384');
});

test('Winlogbeat include_xml (event.original) and Microsoft Sentinel rows with an EventData XML string', async () => {
  const xml = "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Sysmon' Guid='{5770385f-c22a-43e0-bf4c-06f5698ffbd9}'/><EventID>1</EventID><Version>5</Version><Level>4</Level><Task>1</Task><Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords><TimeCreated SystemTime='2024-03-12T09:14:27.8840000Z'/><EventRecordID>48213</EventRecordID><Correlation/><Execution ProcessID='2904' ThreadID='3840'/><Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>EXCH01</Computer><Security UserID='S-1-5-18'/></System><EventData><Data Name='RuleName'>-</Data><Data Name='Image'>C:\\Windows\\System32\\cmd.exe</Data><Data Name='CommandLine'>cmd /c whoami</Data></EventData></Event>";
  // the Sysmon module moved CommandLine away, but event.original keeps it
  const doc = { '@timestamp': '2024-03-12T09:14:27.880Z', event: { code: '1', original: xml, module: 'sysmon' }, winlog: { channel: 'Microsoft-Windows-Sysmon/Operational', event_id: '1', provider_name: 'Microsoft-Windows-Sysmon', event_data: {} }, process: { command_line: 'cmd /c whoami' }, message: 'Process Create' };
  let r = await readText('include_xml.ndjson', `${JSON.stringify(doc)}\n`);
  assert.equal(r.format, 'ecs');
  assert.equal(r.events[0].fields.RuleName, '-');
  assert.equal(r.events[0].fields.Level, 4);
  assert.equal(r.events[0].fields.CommandLine, 'cmd /c whoami');
  assert.equal(r.events[0].time, Date.parse('2024-03-12T09:14:27.884Z'));

  const sec = { TenantId: 'a1b2', TimeGenerated: '2024-03-12T09:16:02.317Z', SourceSystem: 'OpsManager', Account: 'CORP\\svc-backup', AccountType: 'User', Computer: 'EXCH01.corp.example.com', EventSourceName: 'Microsoft-Windows-Security-Auditing', Channel: 'Security', Task: 12544, Level: '8', EventID: 4624, Activity: '4624 - An account was successfully logged on.', LogonType: 3, TargetUserName: 'svc-backup', IpAddress: '10.20.4.77', EventData: "<EventData xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"><Data Name=\"TargetUserName\">svc-backup</Data><Data Name=\"LogonType\">3</Data><Data Name=\"IpAddress\">10.20.4.77</Data><Data Name=\"LogonProcessName\">Kerberos</Data></EventData>", Type: 'SecurityEvent' };
  r = await readText('sentinel.json', JSON.stringify([sec]));
  assert.equal(r.format, 'windows-flat-json');
  const e = r.events[0];
  assert.equal(e.provider, 'Microsoft-Windows-Security-Auditing');
  assert.equal(e.channel, 'Security');
  assert.equal(e.fields.LogonProcessName, 'Kerberos');
  assert.equal(e.fields.TargetUserName, 'svc-backup');
  assert.equal(e.fields.Activity, undefined);
  assert.equal(e.time, Date.parse('2024-03-12T09:16:02.317Z'));
});
