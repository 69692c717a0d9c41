/** The header check (src/mail/checks/headers.ts): each symbol fires on its case and stays quiet on the clean one. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage } from '../../../src/mail/message.js';
import { headersCheck } from '../../../src/mail/checks/headers.js';
import { defaultSettings } from '../../../src/mail/config.js';
import type { ScanSettings } from '../../../src/mail/types.js';

async function symbols(headers: string, settings: Partial<ScanSettings> = {}, withInfo = false): Promise<string[]> {
  const v = await parseMessage(Buffer.from(headers.trim().replace(/\n/g, '\r\n') + '\r\n\r\nbody\r\n'), { file: 't' });
  const hits = await headersCheck.run(v, { settings: { ...defaultSettings(), ...settings } });
  return hits.filter((h) => withInfo ? h.symbol !== 'RETURNPATH_DOMAIN_MISMATCH' : h.score !== 0).map((h) => h.symbol).sort();
}

test('clean message: no scored symbol', async () => {
  assert.deepEqual(await symbols('From: Alice <alice@example.org>\nReturn-Path: <alice@example.org>\nReply-To: Alice <alice@mail.example.org>\nTo: bob@example.net\nSubject: hi'), []);
});

test('FROM_MISSING / FROM_MULTIPLE_ENTRIES', async () => {
  assert.deepEqual(await symbols('To: bob@example.net\nSubject: hi'), ['FROM_MISSING']);
  assert.deepEqual(await symbols('From: undisclosed\nSubject: hi'), ['FROM_MISSING']);
  assert.deepEqual(await symbols('From: Microsoft account team ,_<no-reply@evil.example>\nSubject: hi'), ['FROM_MULTIPLE_ENTRIES']);
  assert.deepEqual(await symbols('From: a@evil.example\nFrom: b@example.org\nSubject: hi'), ['FROM_MULTIPLE_ENTRIES']);
  assert.deepEqual(await symbols('From: "Doe, Jane" <jane@example.org>\nSubject: hi'), [], 'a quoted comma is one mailbox');
});

test('DISPLAYNAME_OTHER_ADDRESS: an address in the name that is not the sender', async () => {
  assert.deepEqual(await symbols('From: "support@paypal.com" <x@evil.example>'), ['DISPLAYNAME_OTHER_ADDRESS']);
  assert.deepEqual(await symbols('From: "alice@example.org" <alice@example.org>'), []);
  assert.deepEqual(await symbols('From: "CNET News.com" <newsletters@cnet.example>'), [], 'a bare brand domain in the name is not an address');
});

test('OWN_DOMAIN_IN_DISPLAYNAME: own domain shown by an outsider', async () => {
  const own = { ownDomains: ['example.org'] };
  assert.deepEqual(await symbols('From: "IT example.org" <it@evil.example>', own), ['OWN_DOMAIN_IN_DISPLAYNAME']);
  assert.deepEqual(await symbols('From: "helpdesk@example.org" <x@evil.example>', own), ['OWN_DOMAIN_IN_DISPLAYNAME']);
  assert.deepEqual(await symbols('From: "IT example.org" <it@example.org>', own), []);
});

test('REPLYTO_FREEMAIL and REPLYTO_DOMAIN_MISMATCH', async () => {
  assert.deepEqual(await symbols('From: CEO <ceo@example.org>\nReply-To: ceo.private@gmail.com'), ['REPLYTO_FREEMAIL']);
  assert.deepEqual(await symbols('From: Jane <jane@gmail.com>\nReply-To: jane@gmail.com'), [], 'same address');
  assert.deepEqual(await symbols('From: Jane <jane@gmail.com>\nReply-To: jane.d@yahoo.com'), ['REPLYTO_FREEMAIL_FROM_FREEMAIL']);
  assert.deepEqual(await symbols('From: Shop <news@shop.example>\nReply-To: care@other.example', {}, true), ['REPLYTO_DOMAIN_MISMATCH']);
  assert.deepEqual(await symbols('From: Shop <news@shop.example>\nReply-To: care@help.shop.example', {}, true), [], 'same registrable domain');
});

test('Sender and Return-Path mismatches are reported as information (score 0)', async () => {
  const v = await parseMessage(Buffer.from('From: a@example.org\r\nSender: list@lists.example.net\r\nReturn-Path: <bounce@lists.example.net>\r\n\r\nx\r\n'), { file: 't' });
  const hits = await headersCheck.run(v, { settings: defaultSettings() });
  assert.deepEqual(hits.map((h) => [h.symbol, h.score]).sort(), [['RETURNPATH_DOMAIN_MISMATCH', 0], ['SENDER_DOMAIN_MISMATCH', 0]]);
});

test('authentication symbols only when ctx.auth is given', async () => {
  const v = await parseMessage(Buffer.from('From: boss@example.org\r\nSubject: x\r\n\r\nx\r\n'), { file: 't' });
  const settings = { ...defaultSettings(), ownDomains: ['example.org'] };
  assert.deepEqual(await headersCheck.run(v, { settings }), []);
  const hits = await headersCheck.run(v, { settings, auth: { source: 'trusted-header', authservId: 'mx.example.org', spf: 'softfail', spfDomain: 'example.org', dkim: [{ domain: 'example.org', result: 'fail' }], dmarc: 'fail', dmarcPolicy: 'none', arc: 'fail' } });
  assert.deepEqual(hits.map((h) => h.symbol).sort(), ['ARC_FAIL', 'DKIM_FAIL', 'DMARC_FAIL', 'OWN_DOMAIN_UNAUTHENTICATED', 'SPF_SOFTFAIL']);
  const ok = await headersCheck.run(v, { settings, auth: { source: 'online', spf: 'pass', spfDomain: 'example.org', dkim: [{ domain: 'example.org', result: 'pass' }], dmarc: 'pass' } });
  assert.deepEqual(ok.map((h) => h.symbol), ['AUTH_PASS_ALIGNED']);
});

test('FROM_DOMAIN_MALFORMED: trailing dot, empty label; a single-label domain is not flagged', async () => {
  assert.deepEqual(await symbols('From: Telekom <reply@telekom.com.>'), ['FROM_DOMAIN_MALFORMED']);
  assert.deepEqual(await symbols('From: x <a@mail..example.com>'), ['FROM_DOMAIN_MALFORMED']);
  assert.deepEqual(await symbols('From: x <root@localhost>'), []);
  assert.deepEqual(await symbols('From: Telekom <reply@telekom.com>'), []);
});

test('ROLE_NAME_FREEMAIL: a service speaking from a free-mail account', async () => {
  assert.deepEqual(await symbols('From: Microsoft Account Support <ms.support.desk@outlook.com>'), ['ROLE_NAME_FREEMAIL']);
  assert.deepEqual(await symbols('From: Jane Doe <jane.doe@gmail.com>'), []);
  assert.deepEqual(await symbols('From: PROCES VOUS CONCERNANT <policenational740@gmail.com>'), ['ROLE_NAME_FREEMAIL']);
  assert.deepEqual(await symbols('From: Tribunal de Justiça <intimacao.tj@outlook.com>'), ['ROLE_NAME_FREEMAIL']);
  assert.deepEqual(await symbols('From: Customer Support <support@shop.example>'), []);
});

test('NOREPLY_REPLYTO_OTHER: a no-reply sender whose replies go elsewhere', async () => {
  assert.deepEqual(await symbols('From: Bank <no-reply@bank.example>\nReply-To: desk@collector.example'), ['NOREPLY_REPLYTO_OTHER']);
  assert.deepEqual(await symbols('From: Bank <no-reply@bank.example>\nReply-To: help@bank.example'), []);
});
