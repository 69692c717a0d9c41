import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { LOGS, readAll, tmpFile } from './logs-helpers.js';
import type { VigieEvent } from '../../src/event.js';
import { createReadStream } from 'node:fs';
import { jsonRecords } from '../../src/sources/m365-audit.js';
import { ReadContext } from '../../src/sources/types.js';

const M = join(LOGS, 'm365');

function checkRecords(events: VigieEvent[]): void {
  const [exp, mia, sq] = events;
  // flattened AuditData
  assert.deepEqual(exp.logsource, { product: 'm365', service: 'audit' });
  assert.equal(exp.fields.Operation, 'New-MailboxExportRequest');
  assert.equal(exp.fields.Workload, 'Exchange');
  assert.equal(exp.fields.ClientIP, '198.51.100.9');
  assert.equal(exp.time, Date.UTC(2024, 2, 1, 9, 0, 0));
  assert.equal(exp.computer, 'EXCH01');
  // Parameters Name/Value → fields, and the cmdlet view
  assert.equal(exp.fields['Parameters.ContentFilter'], "Subject -like '*sommet*'");
  assert.equal(exp.fields.Cmdlet, 'New-MailboxExportRequest');
  assert.equal(exp.fields['CmdletParameter.ContentFilter'], "Subject -like '*sommet*'");
  assert.equal(exp.fields['CmdletParameter.FilePath'], '\\\\EXCH01\\c$\\temp\\a.pst');
  assert.equal(exp.fields.CmdletOrigin, 'm365-audit');
  assert.equal(exp.fields.CmdletUser, 'admin@example.org');
  assert.equal(exp.fields.CmdletSucceeded, true);
  // MailItemsAccessed: message ids as a list, OperationProperties
  assert.equal(mia.fields.Operation, 'MailItemsAccessed');
  assert.deepEqual(mia.fields.InternetMessageId, ['<honey-0001@example.org>', '<m2@example.org>']);
  assert.deepEqual(mia.fields.FolderPath, ['\\Inbox']);
  assert.equal(mia.fields['OperationProperties.MailAccessType'], 'Bind');
  assert.equal(mia.fields['OperationProperties.IsThrottled'], 'False');
  assert.equal(mia.fields.MailboxOwnerUPN, 'ambassador@example.org');
  assert.equal(mia.fields.Cmdlet, undefined);
  // search query text
  assert.equal(sq.fields.QueryText, 'summit AND ambassador');
  assert.equal(sq.fields.Cmdlet, undefined);
}

test('Purview CSV export (BOM, AuditData JSON column): records, bad JSON and short rows reported', async () => {
  const { events, ctx, format } = await readAll(join(M, 'purview-audit.csv'));
  assert.equal(format, 'm365-audit');
  assert.equal(events.length, 3);
  checkRecords(events);
  assert.equal(events[0].fields.RecordId, 'u1');
  assert.equal(ctx.errorCount, 2);
  assert.deepEqual(ctx.errors.map((e) => e.line), [5, 6]);
  assert.match(ctx.errors[0].message, /AuditData is not valid JSON/);
});

test('Search-UnifiedAuditLog | Export-Csv (#TYPE line, all quoted)', async () => {
  const { events, ctx, format } = await readAll(join(M, 'search-unifiedauditlog.csv'));
  assert.equal(format, 'm365-audit');
  assert.equal(ctx.errorCount, 0);
  checkRecords(events);
  assert.equal(events[0].fields.Operations, 'New-MailboxExportRequest');
  assert.equal(events[0].fields.ResultIndex, '1');
});

test('JSON array of AuditData (pretty-printed)', async () => {
  const { events, ctx, format } = await readAll(join(M, 'audit.json'));
  assert.equal(format, 'm365-audit');
  assert.equal(ctx.errorCount, 0);
  checkRecords(events);
  // each record is positioned at its opening brace
  const text = readFileSync(join(M, 'audit.json'), 'utf8');
  const lines = text.split('\n');
  for (const e of events) {
    assert.equal(lines[e.origin.record! - 1].trim(), '{');
    assert.equal(text[e.origin.offset], '{');
  }
  assert.ok(lines[events[1].origin.record!].includes('"CreationTime": "2024-03-01T09:05:00"'));
});

test('JSON Lines: a cut record and a garbage line are skipped with their position', async () => {
  const { events, ctx } = await readAll(join(M, 'audit.jsonl'));
  checkRecords(events);
  assert.equal(ctx.errorCount, 2);
  assert.deepEqual(ctx.errors.map((e) => e.line), [2, 3]);
  assert.ok(ctx.errors.every((e) => typeof e.offset === 'number' && e.offset > 0));
});

test('a huge record is bounded, not buffered without limit', async () => {
  const big = '{"CreationTime":"2024-03-01T00:00:00","Operation":"X","RecordType":1,"pad":"' + 'a'.repeat(17 * 1024 * 1024) + '"}';
  const ok = '{"CreationTime":"2024-03-01T00:00:01","Operation":"Y","RecordType":1}';
  const p = tmpFile('big.json', `[\n${ok},\n${big},\n${ok}\n]\n`);
  const { events, ctx } = await readAll(p, { format: 'm365-audit' });
  assert.equal(events.length, 2);
  assert.equal(ctx.errorCount, 1);
});

test('a whole export on one line (ConvertTo-Json -Compress), in UTF-16LE with BOM: byte offsets stay exact', async () => {
  const recs = [
    { CreationTime: '2024-03-01T00:00:00', Operation: 'Send', RecordType: 2, Workload: 'Exchange', Item: { Subject: 'Réunion', InternetMessageId: '<a@x>' } },
    { CreationTime: '2024-03-01T00:00:01', Operation: 'SearchQueryInitiatedExchange', RecordType: 109, Workload: 'Exchange', QueryText: 'sommet' },
  ];
  const text = JSON.stringify(recs);
  const p = tmpFile('ual.json', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
  const { events, ctx, format } = await readAll(p);
  assert.equal(format, 'm365-audit');
  assert.equal(ctx.errorCount, 0);
  assert.equal(events.length, 2);
  assert.deepEqual(events[0].fields.InternetMessageId, ['<a@x>']);
  assert.equal(events[1].fields.QueryText, 'sommet');
  assert.equal(events[0].origin.offset, 2 + 2);
  assert.equal(events[1].origin.offset, 2 + 2 * text.indexOf('{"CreationTime":"2024-03-01T00:00:01"'));
});

test('an oversized pretty-printed record is skipped whole; the next record is read', async () => {
  const pad = '    "pad": "' + 'b'.repeat(64) + '",\n';
  const big = '  {\n    "CreationTime": "2024-03-01T00:00:00",\n    "Operation": "X",\n    "RecordType": 1,\n    "Nested": {"a": [1, {"b": 2}]},\n' + pad.repeat(50) + '    "end": 1\n  }';
  const ok = '  {\n    "CreationTime": "2024-03-01T00:00:01",\n    "Operation": "Y",\n    "RecordType": 1\n  }';
  const p = tmpFile('big2.json', `[\n${ok},\n${big},\n${ok}\n]\n`);
  const ctx = new ReadContext();
  const out = [];
  for await (const r of jsonRecords(createReadStream(p), ctx, p, 2000)) out.push(r);
  assert.equal(out.length, 2);
  assert.equal(ctx.errorCount, 1);
  assert.equal(ctx.errors[0].line, 7);
});

test('hostile property names (__proto__) stay plain data', async () => {
  const rec = '{"CreationTime":"2024-03-01T00:00:00","Operation":"New-MailboxExportRequest","RecordType":1,"Workload":"Exchange","__proto__":{"CmdletOrigin":"x","polluted":1},"Item":{"__proto__":{"a":1}},"Parameters":[{"Name":"__proto__","Value":"v"},{"Name":"Mailbox","Value":"ceo"}]}';
  const p = tmpFile('proto.jsonl', rec + '\n');
  const { events, ctx } = await readAll(p, { format: 'm365-audit' });
  assert.equal(ctx.errorCount, 0);
  const f = events[0].fields;
  assert.equal(Object.getPrototypeOf(f), Object.prototype);
  assert.equal(f.CmdletOrigin, 'm365-audit');
  assert.equal(f['CmdletParameter.Mailbox'], 'ceo');
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});
