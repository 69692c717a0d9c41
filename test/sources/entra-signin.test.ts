import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { getField } from '../../src/event.js';
import { LOGS, readAll, tmpFile } from './logs-helpers.js';

const E = join(LOGS, 'entra');

test('Graph JSON page ({"value": [...]}): flattened fields and SigmaHQ aliases', async () => {
  const { events, ctx, format } = await readAll(join(E, 'signins-graph.json'));
  assert.equal(format, 'entra-signin');
  assert.equal(ctx.errorCount, 0);
  assert.equal(events.length, 2);
  const [a, b] = events;
  assert.deepEqual(a.logsource, { product: 'azure', service: 'signinlogs' });
  assert.equal(a.time, Date.parse('2024-03-01T05:40:00Z'));
  assert.equal(a.fields.userPrincipalName, 'ambassador@example.org');
  assert.equal(a.fields.clientAppUsed, 'IMAP4');
  assert.equal(a.fields.legacyProtocol, true);
  assert.equal(a.fields.ResultType, '0');
  assert.equal(a.fields.Status, 'Success');
  assert.equal(a.fields.authenticationRequirement, 'singleFactorAuthentication');
  assert.equal(a.fields['location.countryOrRegion'], 'NL');
  assert.equal(getField(a, 'DeviceDetail.isCompliant'), false);
  assert.equal(getField(a, 'ClientApp'), 'IMAP4');
  assert.equal(b.fields.legacyProtocol, false);
  assert.equal(b.fields.ResultType, '50126');
  assert.equal(b.fields.Status, 'Failure');
  assert.equal(b.fields.ResultDescription, 'Error validating credentials due to invalid username or password.');
  assert.equal(b.fields['mfaDetail.authMethod'], 'Mobile app notification');
});

test('JSON Lines with a broken line', async () => {
  const { events, ctx } = await readAll(join(E, 'signins.jsonl'));
  assert.equal(events.length, 2);
  assert.equal(ctx.errorCount, 1);
  assert.equal(ctx.errors[0].line, 2);
});

test('portal CSV: columns mapped to Graph names, quoted values, short row reported', async () => {
  const { events, ctx, format } = await readAll(join(E, 'InteractiveSignIns_2024-03-01.csv'));
  assert.equal(format, 'entra-signin');
  assert.equal(events.length, 2);
  const [a, b] = events;
  assert.equal(a.fields.userPrincipalName, 'ambassador@example.org');
  assert.equal(a.fields.clientAppUsed, 'Authenticated SMTP');
  assert.equal(a.fields.legacyProtocol, true);
  assert.equal(a.fields.Status, 'Success');
  assert.equal(a.fields.ResultType, '0');
  assert.equal(a.fields.authenticationRequirement, 'Single-factor authentication');
  assert.equal(b.fields.userDisplayName, 'Attaché, "Deputy"');
  assert.equal(b.fields.ResultType, '50126');
  assert.equal(ctx.errorCount, 1);
  assert.equal(ctx.errors[0].line, 4);
});

test('a plain JSON array of Log Analytics SigninLogs rows keeps its names and gets the aliases', async () => {
  const rows = [
    { TimeGenerated: '2024-03-01T05:50:00Z', UserPrincipalName: 'ambassador@example.org', AppDisplayName: 'Office 365 Exchange Online', ResultType: '0', ClientAppUsed: 'Exchange ActiveSync', AuthenticationRequirement: 'singleFactorAuthentication', IPAddress: '198.51.100.40', Status: { errorCode: 0 } },
  ];
  const p = tmpFile('SigninLogs.json', JSON.stringify(rows, null, 1));
  const { events, format, ctx } = await readAll(p);
  assert.equal(format, 'entra-signin');
  assert.equal(ctx.errorCount, 0);
  const e = events[0];
  assert.equal(e.time, Date.parse('2024-03-01T05:50:00Z'));
  assert.equal(e.fields.ResultType, '0');
  assert.equal(e.fields.ClientApp, 'Exchange ActiveSync');
  assert.equal(e.fields.legacyProtocol, true);
  assert.equal(e.fields.Username, 'ambassador@example.org');
});
