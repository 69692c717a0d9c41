import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { LOGS, readAll, tmpFile } from './logs-helpers.js';

const EX = join(LOGS, 'exchange');

test('message tracking: BOM, headers, lists, quoted subject with comma and quotes, multi-line cell', async () => {
  const { events, ctx, format } = await readAll(join(EX, 'MSGTRK2024030108-1.LOG'));
  assert.equal(format, 'exchange-csv');
  assert.equal(events.length, 2);
  const e = events[0];
  assert.deepEqual(e.logsource, { product: 'exchange', service: 'messagetracking' });
  assert.equal(e.channel, 'MSExchange MessageTracking');
  assert.equal(e.computer, 'EXCH01');
  assert.equal(e.time, Date.parse('2024-03-01T08:15:02.511Z'));
  assert.equal(e.fields['event-id'], 'RECEIVE');
  assert.equal(e.fields['message-id'], '<honey-0001@example.org>');
  assert.deepEqual(e.fields['recipient-address'], ['ambassador@example.org', 'attache@example.org']);
  assert.equal(e.fields['message-subject'], 'Agenda: "summit" preparation, draft 3');
  assert.equal(e.fields['total-bytes'], 48211);
  assert.equal(e.fields.LogType, 'Message Tracking Log');
  assert.equal('related-recipient-address' in e.fields, false);
  assert.equal(events[1].fields['message-subject'], 'Line one\nline two of a folded subject');
  assert.equal(events[1].fields['recipient-address'], 'ambassador@example.org');
  // short record and bad time: skipped, counted, positioned
  assert.equal(ctx.errorCount, 2);
  assert.deepEqual(ctx.errors.map((x) => x.line), [9, 10]);
  assert.match(ctx.errors[0].message, /3 values for 30 columns/);
  assert.match(ctx.errors[1].message, /bad time/);
});

test('HttpProxy: protocol in the channel, raw columns, cs-uri-query = UrlStem?UrlQuery; a runaway quote only costs its own record', async () => {
  const { events, ctx } = await readAll(join(EX, 'HttpProxy_Ecp_2024030106-1.LOG'));
  assert.equal(events.length, 3);
  assert.equal(events[0].channel, 'MSExchange HttpProxy/Ecp');
  assert.deepEqual(events[0].logsource, { product: 'exchange', service: 'httpproxy' });
  assert.equal(events[0].fields.AnchorMailbox, 'ServerInfo~a]@EXCH01.example.org:444/autodiscover/autodiscover.xml?#');
  assert.equal(events[0].fields.HttpStatus, 200);
  assert.equal(events[1].fields.UserAgent, 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)');
  assert.equal(events[1].fields['cs-uri-query'], '/ecp/DDI/DDIService.svc/SetObject?schema=ResetOABVirtualDirectory&msExchEcpCanary=xkRK');
  assert.equal(ctx.errorCount, 1);
  assert.equal(ctx.errors[0].line, 8);
  assert.equal(events[2].fields.RequestId, 'b3');
});

test('HttpProxy Autodiscover and PowerShell protocols', async () => {
  const { events } = await readAll(join(EX, 'HttpProxy_Autodiscover_2024030105-1.LOG'));
  assert.deepEqual(events.map((e) => e.channel), ['MSExchange HttpProxy/Autodiscover', 'MSExchange HttpProxy/PowerShell']);
  assert.equal(events[0].fields.UrlQuery, '?@evil.com/mapi/nspi/?&Email=autodiscover/autodiscover.json%3F@evil.com');
  assert.equal(events[0].fields['cs-uri-query'], '/autodiscover/autodiscover.json?@evil.com/mapi/nspi/?&Email=autodiscover/autodiscover.json%3F@evil.com');
  // an HttpProxy line is not a cmdlet run (ProtocolAction only names it)
  assert.equal(events[1].fields.Cmdlet, undefined);
});

test('EWS, ECP server and CmdletInfra logs get their service', async () => {
  const ews = await readAll(join(EX, 'Ews_2024030107-1.LOG'));
  assert.deepEqual(ews.events[0].logsource, { product: 'exchange', service: 'ews' });
  assert.equal(ews.events[0].fields.ImpersonatedUser, 'ambassador@example.org');
  const ecp = await readAll(join(EX, 'ECPServer2024030106-1.LOG'));
  assert.deepEqual(ecp.events[0].logsource, { product: 'exchange', service: 'ecp' });
  assert.equal(ecp.events[0].time, Date.parse('2024-03-01T06:10:05.120Z'));
  assert.equal(ecp.events[0].computer, 'EXCH01');
  const rps = await readAll(join(EX, 'Rps_Cmdlet_2024030106-1.LOG'));
  assert.deepEqual(rps.events[0].logsource, { product: 'exchange', service: 'cmdletinfra' });
  assert.equal(rps.events[0].channel, 'MSExchange CmdletInfra');
});

test('CmdletInfra log feeds the cmdlet view', async () => {
  const { events } = await readAll(join(EX, 'Rps_Cmdlet_2024030106-1.LOG'));
  const f = events[0].fields;
  assert.equal(f.Cmdlet, 'New-MailboxExportRequest');
  assert.equal(f['CmdletParameter.ContentFilter'], "(Body -like '*summit*') -or (Subject -like '*G20*')");
  assert.equal(f['CmdletParameter.FilePath'], '\\\\127.0.0.1\\c$\\inetpub\\wwwroot\\aspnet_client\\ambassador.aspx');
  assert.equal(f['CmdletParameter.Mailbox'], 'ambassador');
  assert.equal(f.CmdletUser, 'EXAMPLE\\svc-backup');
  assert.equal(f.CmdletClient, 'EMC');
  assert.equal(f.CmdletProcess, 'w3wp#MSExchangePowerShellAppPool');
  assert.equal(f.CmdletOrigin, 'cmdletinfra');
  assert.equal(f.CmdletSucceeded, true);
  assert.match(String(f.CmdletParameters), /-ContentFilter "\(Body -like '\*summit\*'\)/);
});

test('a bare header line (no #Fields) is recognised', async () => {
  const { events, format, ctx } = await readAll(join(EX, 'cmdlet-bare-header.csv'));
  assert.equal(format, 'exchange-csv');
  assert.equal(ctx.errorCount, 0);
  assert.equal(events.length, 1);
  assert.equal(events[0].fields.Cmdlet, 'Set-MailboxAuditBypassAssociation');
  assert.equal(events[0].fields['CmdletParameter.AuditBypassEnabled'], 'True');
});

test('#Fields repeated mid-file switches the columns', async () => {
  const p = tmpFile('x.LOG', [
    '#Software: Microsoft Exchange Server', '#Log-type: HttpProxy Logs', '#Fields: DateTime,Protocol,UrlStem',
    '2024-03-01T00:00:00.000Z,Owa,/owa/',
    '#Software: Microsoft Exchange Server', '#Log-type: HttpProxy Logs', '#Fields: DateTime,Protocol,UrlStem,UrlQuery',
    '2024-03-01T00:00:01.000Z,Owa,/owa/auth.owa,?x=1',
    '', 'ab',
  ].join('\r\n'));
  const { events, ctx } = await readAll(p);
  assert.equal(events.length, 2);
  assert.equal(events[1].fields.UrlQuery, '?x=1');
  assert.equal(ctx.errorCount, 1);
  assert.equal(ctx.errors[0].line, 10);
});

test('Search-AdminAuditLog export (#TYPE line, US dates): admin audit records feed the cmdlet view', async () => {
  const { events, format, ctx } = await readAll(join(EX, 'admin-audit-export.csv'));
  assert.equal(format, 'exchange-csv');
  assert.equal(ctx.errorCount, 0);
  const e = events[0];
  assert.deepEqual(e.logsource, { product: 'exchange', service: 'adminaudit' });
  assert.equal(e.time, Date.UTC(2024, 2, 1, 9, 10));
  assert.equal(e.computer, 'EXCH01');
  assert.equal(e.fields.Cmdlet, 'New-MailboxSearch');
  assert.equal(e.fields['CmdletParameter.SearchQuery'], 'sommet OR "G20 summit"');
  assert.equal(e.fields.CmdletUser, 'example.org/Users/svc-backup');
  assert.equal(e.fields.CmdletOrigin, 'cosmosqueue');
  assert.equal(e.fields.CmdletSucceeded, true);
});

test('a CosmosQueue log (by #Log-type) with cmdlet columns', async () => {
  const p = tmpFile('CosmosQueue.LOG', [
    '#Software: Microsoft Exchange Server', '#Version: 15.02.1118.007', '#Log-type: CosmosQueue Logs',
    '#Fields: DateTime,ServerName,Caller,CmdletName,CmdletParameters,Succeeded',
    `2024-03-01T09:11:00.000Z,EXCH01,EXAMPLE\\svc-backup,New-ComplianceSearch,"-Name 's2' -ContentMatchQuery 'subject:""summit""' -ExchangeLocation 'All'",False`,
  ].join('\r\n'));
  const { events, ctx } = await readAll(p);
  assert.equal(ctx.errorCount, 0);
  assert.deepEqual(events[0].logsource, { product: 'exchange', service: 'cosmosqueue' });
  assert.equal(events[0].fields.Cmdlet, 'New-ComplianceSearch');
  assert.equal(events[0].fields['CmdletParameter.ContentMatchQuery'], 'subject:"summit"');
  assert.equal(events[0].fields.CmdletOrigin, 'cosmosqueue');
  assert.equal(events[0].fields.CmdletSucceeded, false);
});

test('UTF-16LE Exchange log with BOM', async () => {
  const text = '#Software: Microsoft Exchange Server\r\n#Version: 15.02.1118.007\r\n#Log-type: Message Tracking Log\r\n#Fields: date-time,event-id,message-id,sender-address,message-subject\r\n2024-03-01T10:00:00.000Z,SEND,<x@y>,a@b,"Gipfel, Réunion"\r\n';
  const p = tmpFile('MSGTRK.LOG', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
  const { events, format, ctx } = await readAll(p);
  assert.equal(format, 'exchange-csv');
  assert.equal(ctx.errorCount, 0);
  assert.equal(events[0].fields['message-subject'], 'Gipfel, Réunion');
  assert.equal(events[0].logsource.service, 'messagetracking');
});

test('service from the #Log-type first, then from the columns', async () => {
  const { serviceOf } = await import('../../src/sources/exchange-csv.js');
  const hp = ['DateTime', 'UrlStem', 'TargetServer', 'AnchorMailbox'];
  assert.equal(serviceOf('Rps Http Logs', hp).service, 'rps');
  assert.equal(serviceOf('HttpProxy Logs', hp).service, 'httpproxy');
  assert.equal(serviceOf(undefined, hp).service, 'httpproxy');
  assert.equal(serviceOf('Rps Cmdlet Logs', ['Cmdlet', 'Parameters']).service, 'cmdletinfra');
  assert.equal(serviceOf('EWS Logs', []).service, 'ews');
  assert.equal(serviceOf('ECP Server Log', []).service, 'ecp');
  assert.equal(serviceOf('SMTP Receive Protocol Log', []).service, 'smtpreceive');
  assert.equal(serviceOf('Managed Availability Log', []).service, 'managedavailabilitylog');
  assert.equal(serviceOf(undefined, ['date-time', 'event-id', 'message-id', 'sender-address']).service, 'messagetracking');
});
