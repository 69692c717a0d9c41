import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Doc, VigieEvent } from '../../src/event.js';
import { windowsEvent } from '../../src/sources/windows.js';
import { cmdletTransform } from '../../src/transforms/cmdlet.js';
import { TRANSFORMS } from '../../src/transforms/index.js';
import { shared } from '../helpers.js';
import { readAll, tmpFile } from '../sources/logs-helpers.js';

function winEvent(provider: string, eventId: number, eventData: Doc, channel = 'X'): VigieEvent {
  const doc: Doc = {
    Event: {
      System: {
        Provider: { '#attributes': { Name: provider } },
        EventID: eventId,
        Channel: channel,
        Computer: 'EXCH01.example.org',
        TimeCreated: { '#attributes': { SystemTime: '2024-03-01T06:00:00.000000Z' } },
      },
      EventData: eventData,
    },
  };
  const ev = windowsEvent(doc, { file: 'x.evtx', format: 'evtx', offset: 0 });
  cmdletTransform.apply(ev);
  return ev;
}

test('the cmdlet transform is registered', () => {
  assert.ok(TRANSFORMS.some((t) => t.name === 'cmdlet'));
});

test('MSExchange Management event 1: unnamed Data → cmdlet, parameters, caller, client, process; raw text kept', () => {
  const ev = winEvent('MSExchange CmdletLogs', 1, {
    Data: [
      'New-MailboxExportRequest',
      `-Mailbox "ambassador" -ContentFilter "Body -like '*sommet*'" -FilePath "\\\\EXCH01\\c$\\inetpub\\wwwroot\\owa\\auth\\a.aspx"`,
      'example.org/Users/svc-backup', 'S-1-5-21-1', 'S-1-5-21-1', 'Remote-ManagementShell-Unknown', '8372 w3wp#MSExchangePowerShellAppPool', '', '54', '00:00:00.1',
    ],
  }, 'MSExchange Management');
  const f = ev.fields;
  assert.equal(f.Cmdlet, 'New-MailboxExportRequest');
  assert.equal(f['CmdletParameter.ContentFilter'], "Body -like '*sommet*'");
  assert.equal(f['CmdletParameter.FilePath'], '\\\\EXCH01\\c$\\inetpub\\wwwroot\\owa\\auth\\a.aspx');
  assert.equal(f.CmdletUser, 'example.org/Users/svc-backup');
  assert.equal(f.CmdletClient, 'Remote-ManagementShell-Unknown');
  assert.equal(f.CmdletProcess, 'w3wp#MSExchangePowerShellAppPool');
  assert.equal(f.CmdletOrigin, 'msexchange-management');
  assert.equal(f.CmdletSucceeded, true);
  assert.ok(String(f.DataText).includes('sommet'));
  // applying twice changes nothing
  const before = JSON.stringify(f);
  cmdletTransform.apply(ev);
  assert.equal(JSON.stringify(ev.fields), before);
});

test('the real MSExchange Management sample (events 6: failed)', async (t) => {
  const s = shared('evtx/exchange');
  if (s.path === null) return t.skip(s.skip);
  const dir = s.path;
  const file = readdirSync(dir).find((f) => f.endsWith('.evtx'));
  if (!file) return t.skip('no .evtx in ../shared/evtx/exchange');
  const { events } = await readAll(join(dir, file));
  assert.ok(events.length > 0, 'the EVTX reader read no event');
  const cmd = events.filter((e) => e.fields.CmdletOrigin === 'msexchange-management');
  assert.equal(cmd.length, events.length);
  assert.equal(cmd[0].fields.Cmdlet, 'Install-TransportAgent');
  assert.equal(cmd[0].fields['CmdletParameter.AssemblyPath'], '.\\NetshHelperBeacon.dll');
  assert.equal(cmd[0].fields.CmdletSucceeded, false);
  assert.equal(cmd[0].fields.CmdletProcess, 'w3wp#MSExchangePowerShellAppPool');
  assert.equal(cmd[0].fields.CmdletUser, 'offsec.lan/OFFSEC-COMPANY/Administrators/admmig');
  assert.ok(cmd.some((e) => e.fields.Cmdlet === 'Enable-TransportAgent'));
});

test('PowerShell 4104 script block: several cmdlets → a list, splat resolved', () => {
  const ev = winEvent('Microsoft-Windows-PowerShell', 4104, {
    MessageNumber: '1', MessageTotal: '1',
    ScriptBlockText: `Add-PSSnapin Microsoft.Exchange.Management.PowerShell.SnapIn\n$p = @{Mailbox='ceo'; ContentFilter = "Subject -like '*G20*'"; FilePath = '\\\\10.0.0.9\\share\\ceo.pst'}\nNew-MailboxExportRequest @p`,
    ScriptBlockId: 'abc', Path: '',
  }, 'Microsoft-Windows-PowerShell/Operational');
  assert.deepEqual(ev.fields.Cmdlet, ['Add-PSSnapin', 'New-MailboxExportRequest']);
  assert.equal(ev.fields['CmdletParameter.ContentFilter'], "Subject -like '*G20*'");
  assert.equal(ev.fields['CmdletParameter.Name'], 'Microsoft.Exchange.Management.PowerShell.SnapIn');
  assert.equal(ev.fields.CmdletOrigin, 'powershell-scriptblock');
});

test('4688 and Sysmon 1 command lines: -EncodedCommand decoded, -Command read', () => {
  const script = "Search-Mailbox -Identity ambassador -SearchQuery 'body:\"Gipfeltreffen\"' -TargetMailbox evil -TargetFolder loot";
  const enc = Buffer.from(script, 'utf16le').toString('base64');
  const sysmon = winEvent('Microsoft-Windows-Sysmon', 1, {
    Image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
    CommandLine: `powershell.exe -NoP -NonI -W Hidden -enc ${enc}`,
    ParentImage: 'C:\\Windows\\System32\\inetsrv\\w3wp.exe',
    User: 'NT AUTHORITY\\SYSTEM',
  });
  assert.equal(sysmon.fields.Cmdlet, 'Search-Mailbox');
  assert.equal(sysmon.fields['CmdletParameter.SearchQuery'], 'body:"Gipfeltreffen"');
  assert.equal(sysmon.fields.CmdletScript, script);
  assert.equal(sysmon.fields.CmdletOrigin, 'process-creation');
  assert.equal(sysmon.fields.CmdletClient, 'C:\\Windows\\System32\\inetsrv\\w3wp.exe');
  assert.equal(sysmon.fields.CmdletUser, 'NT AUTHORITY\\SYSTEM');
  const sec = winEvent('Microsoft-Windows-Security-Auditing', 4688, {
    NewProcessName: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
    CommandLine: 'powershell.exe -c "New-ManagementRoleAssignment -Role \'Mailbox Import Export\' -User evil"',
    SubjectUserName: 'admin',
  });
  assert.equal(sec.fields.Cmdlet, 'New-ManagementRoleAssignment');
  assert.equal(sec.fields['CmdletParameter.Role'], 'Mailbox Import Export');
  assert.equal(sec.fields.CmdletProcess, 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe');
});

test('events without a cmdlet run are left alone', () => {
  const ev = winEvent('Microsoft-Windows-Sysmon', 1, { Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'cmd.exe /c whoami' });
  assert.equal(ev.fields.Cmdlet, undefined);
  assert.equal(ev.fields.CmdletOrigin, undefined);
  const other = winEvent('MSExchange CmdletLogs', 2, { Data: ['Get-Mailbox', ''] });
  assert.equal(other.fields.Cmdlet, undefined);
  const ps = winEvent('Microsoft-Windows-PowerShell', 4104, { ScriptBlockText: '$x = 1 + 2' });
  assert.equal(ps.fields.Cmdlet, undefined);
});

test('PowerShell 4103 module logging: CommandInvocation and ParameterBinding lines', () => {
  const ev = winEvent('Microsoft-Windows-PowerShell', 4103, {
    ContextInfo: '        Severity = Informational\r\n        Host Name = ConsoleHost\r\n',
    UserData: '',
    Payload: 'CommandInvocation(New-MailboxExportRequest): "New-MailboxExportRequest"\r\nParameterBinding(New-MailboxExportRequest): name="Mailbox"; value="ambassador"\r\nParameterBinding(New-MailboxExportRequest): name="ContentFilter"; value="Subject -like \'*summit*\'"\r\nParameterBinding(New-MailboxExportRequest): name="FilePath"; value="\\\\10.0.0.9\\s\\a.pst"',
  }, 'Microsoft-Windows-PowerShell/Operational');
  assert.equal(ev.fields.Cmdlet, 'New-MailboxExportRequest');
  assert.equal(ev.fields['CmdletParameter.ContentFilter'], "Subject -like '*summit*'");
  assert.equal(ev.fields['CmdletParameter.FilePath'], '\\\\10.0.0.9\\s\\a.pst');
  assert.equal(ev.fields.CmdletOrigin, 'powershell-module');
});

test('UAL SecurityComplianceCenterEXOCmdlet record (RecordType 18): New-ComplianceSearch with its query', async () => {
  const rec = { CreationTime: '2024-03-01T09:20:00', Id: 'c1', Operation: 'New-ComplianceSearch', RecordType: 18, Workload: 'SecurityComplianceCenter', UserId: 'admin@example.org', ResultStatus: 'True', Parameters: [{ Name: 'Name', Value: 's1' }, { Name: 'ContentMatchQuery', Value: 'subject:"Gipfel"' }, { Name: 'ExchangeLocation', Value: 'All' }] };
  const other = { CreationTime: '2024-03-01T09:21:00', Id: 'c2', Operation: 'Update user.', RecordType: 8, Workload: 'AzureActiveDirectory', UserId: 'admin@example.org' };
  const p = tmpFile('scc.jsonl', JSON.stringify(rec) + '\n' + JSON.stringify(other) + '\n');
  const { events } = await readAll(p);
  assert.equal(events[0].fields.Cmdlet, 'New-ComplianceSearch');
  assert.equal(events[0].fields['CmdletParameter.ContentMatchQuery'], 'subject:"Gipfel"');
  assert.equal(events[0].fields.CmdletOrigin, 'm365-audit');
  assert.equal(events[1].fields.Cmdlet, undefined);
});
