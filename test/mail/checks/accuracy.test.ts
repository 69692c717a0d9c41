/**
 * Symbols added for scan accuracy (issue 5): forwarded messages quoted as text, empty probes, free-mail bulk
 * recipients, token stuffing, earnings claims, Dutch wording, "<someone> from <brand>", invisible characters in
 * attachment names and attachment passwords given in the body. Each has a positive and a negative case.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forwardedCheck, quotedMessages, parseQuotedFrom } from '../../../src/mail/checks/forwarded.js';
import { headersCheck } from '../../../src/mail/checks/headers.js';
import { wordingCheck, tokenStuffing } from '../../../src/mail/checks/wording.js';
import { lookalikeCheck } from '../../../src/mail/checks/lookalike.js';
import { attachmentsCheck } from '../../../src/mail/checks/attachments.js';
import { attachment, hit, link, msg, run } from './make.js';

const FWD_PHISH = [
  'Is this real? Please check.',
  '',
  '________________________________',
  'De: PayPal Service <alerta@conta-seguranca.example>',
  'Enviado: segunda-feira, 2 de outubro de 2023 10:12',
  'Para: Ana <ana@example.net>',
  'Assunto: Atualize seus dados - Ref Qx7Lm2Pz9K',
  '',
  'Sua conta foi bloqueada.',
].join('\n');

test('quotedMessages: finds a quoted header block (Outlook, pt/en, wrapped address) and its body', () => {
  const q = quotedMessages(FWD_PHISH);
  assert.equal(q.length, 1);
  assert.equal(q[0].address, 'alerta@conta-seguranca.example');
  assert.equal(q[0].name, 'PayPal Service');
  assert.match(q[0].subject, /Atualize seus dados/);
  assert.match(q[0].body, /conta foi bloqueada/);
  const wrapped = quotedMessages('*From:* Dana\n<dana@shop.example>\n*Sent:* Monday\n*To:* me\n*Subject:* hello\n\nbody');
  assert.equal(wrapped[0]?.address, 'dana@shop.example');
  assert.deepEqual(parseQuotedFrom('Bob [mailto:bob@x.example]'), { name: 'Bob', address: 'bob@x.example' });
  // a From line without Subject/Sent lines is not a quoted header block
  assert.deepEqual(quotedMessages('From: the desk of the editor\nsome text\n'), []);
});

test('FORWARDED_SENDER_SUSPICIOUS: brand impersonation and random codes in a forwarded message', async () => {
  const h = hit(await run(forwardedCheck, msg({ subject: 'Fw: Atualize seus dados', text: FWD_PHISH, fromAddr: 'ana@example.net' })), 'FORWARDED_SENDER_SUSPICIOUS');
  assert.ok(h);
  assert.match(h.reason, /BRAND_IMPERSONATION/);
  assert.match(h.reason, /RANDOM_TOKEN_HEADER/);
  assert.ok(h.score > 0 && h.score <= 6);
  assert.ok(h.evidence!.includes('alerta@conta-seguranca.example'));
});

test('FORWARDED_SENDER_SUSPICIOUS negative: an ordinary quoted reply, one\'s own quoted message', async () => {
  const reply = 'Sounds good.\n\n-----Original Message-----\nFrom: Marc Dupont <marc@partner.example>\nSent: Tuesday, 3 May 2022 09:00\nTo: Alice\nSubject: Re: Google Analytics report\n\nHere are the figures.';
  assert.equal(hit(await run(forwardedCheck, msg({ text: reply })), 'FORWARDED_SENDER_SUSPICIOUS'), undefined);
  const own = FWD_PHISH.replace('alerta@conta-seguranca.example', 'alice@example.org');
  assert.equal(hit(await run(forwardedCheck, msg({ text: own })), 'FORWARDED_SENDER_SUSPICIOUS'), undefined);
});

test('EMPTY_MESSAGE: no subject, text or attachment (more with no visible recipient)', async () => {
  const probe = hit(await run(headersCheck, msg({ subject: '', text: '', to: [], fromAddr: 'qwzx@gmail.com' })), 'EMPTY_MESSAGE');
  assert.ok(probe);
  assert.equal(probe.score, 5);
  assert.equal(hit(await run(headersCheck, msg({ subject: '', text: '' })), 'EMPTY_MESSAGE')!.score, 3);
  assert.equal(hit(await run(headersCheck, msg({ subject: '', text: '', attachments: [attachment('scan.pdf', '%PDF-1.4')] })), 'EMPTY_MESSAGE'), undefined);
  assert.equal(hit(await run(headersCheck, msg({ subject: 'lunch?', text: '' })), 'EMPTY_MESSAGE'), undefined);
});

test('FREEMAIL_BULK_RECIPIENTS: a free-mail account writing to free-mail users of several providers', async () => {
  const to = ['a1@gmail.com', 'b2@yahoo.it', 'c3@outlook.com'].map((address) => ({ address, name: '' }));
  assert.ok(hit(await run(headersCheck, msg({ fromAddr: 'someone123@gmail.com', to })), 'FREEMAIL_BULK_RECIPIENTS'));
  // negative: a company writing to customers, or a free-mail user writing to colleagues at one company
  assert.equal(hit(await run(headersCheck, msg({ fromAddr: 'news@shop.example', to })), 'FREEMAIL_BULK_RECIPIENTS'), undefined);
  const colleagues = ['a@corp.example', 'b@corp.example', 'c@corp.example'].map((address) => ({ address, name: '' }));
  assert.equal(hit(await run(headersCheck, msg({ fromAddr: 'me@gmail.com', to: colleagues })), 'FREEMAIL_BULK_RECIPIENTS'), undefined);
});

test('BODY_TOKEN_STUFFING: one code pasted inside words again and again', async () => {
  const text = 'Your MemX34QDJLJ89bership is set to renew. The caX34QDJLJ89rd is no longer vX34QDJLJ89alid. PleaX34QDJLJ89se update.';
  assert.equal(tokenStuffing(text), 'X34QDJLJ89');
  assert.ok(hit(await run(wordingCheck, msg({ text })), 'BODY_TOKEN_STUFFING'));
  // negative: an order number repeated as a word, part numbers
  const order = 'Order AB12CD34 shipped. Order AB12CD34 will arrive Monday. Refer to AB12CD34 or AB12CD34 when you call.';
  assert.equal(tokenStuffing(order), null);
  assert.equal(hit(await run(wordingCheck, msg({ text: order })), 'BODY_TOKEN_STUFFING'), undefined);
});

test('WORDING_SCAM: earnings claims count ("$3000 per day"), small sums do not', async () => {
  const h = hit(await run(wordingCheck, msg({ text: 'TRANSFERS TO YOUR CARD FROM $3000 (3000 EUR) PER DAY >>> http://x.example/' })), 'WORDING_SCAM');
  assert.ok(h);
  assert.match(h.reason, /3000/);
  assert.equal(hit(await run(wordingCheck, msg({ text: 'A billion people live on less than $2 a day; charities reward donors.' })), 'WORDING_SCAM'), undefined);
});

test('Dutch wording: prizes and surveys, delivery lures; ordinary Dutch mail is not flagged', async () => {
  assert.ok(hit(await run(wordingCheck, msg({ text: 'Gefeliciteerd! U bent gekozen: vul de enquete in en win een beloning.' })), 'WORDING_SCAM'));
  assert.ok(hit(await run(wordingCheck, msg({ text: 'Uw pakket is in afwachting van levering. Betaal de verzendkosten.', links: [link('https://x.example/')] })), 'WORDING_CREDENTIAL_LINK'));
  assert.deepEqual((await run(wordingCheck, msg({ text: 'Hoi Jan, de vergadering is verplaatst naar donderdag. Groeten, Piet' }))).map((x) => x.symbol), []);
});

test('BRAND_IMPERSONATION: "<someone> from <brand>" counts for ambiguous brand words', async () => {
  assert.ok(hit(await run(lookalikeCheck, msg({ fromName: 'Katie from Ledger', fromAddr: 'device@uni.example' })), 'BRAND_IMPERSONATION'));
  assert.equal(hit(await run(lookalikeCheck, msg({ fromName: 'Ledger Katie', fromAddr: 'katie@uni.example' })), 'BRAND_IMPERSONATION'), undefined);
});

test('ATTACH_NAME_INVISIBLE: zero-width or joiner characters in an attachment name', async () => {
  const h = hit(await run(attachmentsCheck, msg({ attachments: [attachment('Invoice\u034f\u034f-6623.pdf', '%PDF-1.4\n')] })), 'ATTACH_NAME_INVISIBLE');
  assert.ok(h);
  assert.match(h.reason, /Invoice-6623\.pdf/);
  assert.equal(hit(await run(attachmentsCheck, msg({ attachments: [attachment('Invoice-6623.pdf', '%PDF-1.4\n')] })), 'ATTACH_NAME_INVISIBLE'), undefined);
});

test('ATTACH_PASSWORD_IN_BODY: the body gives the password of an attached archive or PDF', async () => {
  const att = [attachment('Extrato.pdf', '%PDF-1.4\n')];
  assert.ok(hit(await run(attachmentsCheck, msg({ text: 'Instruções no arquivo PDF em anexo.\nSenha de Acesso PDF: 123', attachments: att })), 'ATTACH_PASSWORD_IN_BODY'));
  assert.ok(hit(await run(attachmentsCheck, msg({ text: 'Invoice attached. Password: 7781', attachments: [attachment('inv.zip', 'PK\x03\x04')] })), 'ATTACH_PASSWORD_IN_BODY'));
  // negative: a password with nothing attached, or an attachment without a password
  assert.equal(hit(await run(attachmentsCheck, msg({ text: 'Your new Wi-Fi password: sunflower' })), 'ATTACH_PASSWORD_IN_BODY'), undefined);
  assert.equal(hit(await run(attachmentsCheck, msg({ text: 'Minutes attached.', attachments: att })), 'ATTACH_PASSWORD_IN_BODY'), undefined);
});

test('RANDOM_SENDER_DOMAIN: a machine-generated label in a sender-side domain', async () => {
  const h = hit(await run(headersCheck, msg({ fromAddr: 'news@mailer.example', replyTo: [{ address: 'reply-55@fg89h9dfd6aypkctwzqn9jdf.com', name: '' }] })), 'RANDOM_SENDER_DOMAIN');
  assert.ok(h);
  assert.match(h.reason, /fg89h9dfd6aypkctwzqn9jdf/);
  // negative: word-based names, short numbered hosts, a version in a name
  for (const a of ['info@mail2world.example', 'bounce@mta42.rsgsv.net', 'x@web2print-solutions.example', 'a@example.org']) {
    assert.equal(hit(await run(headersCheck, msg({ fromAddr: a, returnPath: a })), 'RANDOM_SENDER_DOMAIN'), undefined, a);
  }
});

test('BRAND_IMPERSONATION: an ambiguous brand word with a service word glued by a hyphen ("Meta-support")', async () => {
  assert.ok(hit(await run(lookalikeCheck, msg({ fromName: 'Meta-support', fromAddr: 'info@knitters.example' })), 'BRAND_IMPERSONATION'));
  assert.equal(hit(await run(lookalikeCheck, msg({ fromName: 'Meta Analysis Group', fromAddr: 'info@stats.example' })), 'BRAND_IMPERSONATION'), undefined);
  assert.equal(hit(await run(lookalikeCheck, msg({ fromName: 'Meta Support', fromAddr: 'noreply@facebookmail.com' })), 'BRAND_IMPERSONATION'), undefined);
});

test('quotedMessages: French, Spanish, German and Gmail forward headers', () => {
  const fr = quotedMessages('De : Service Client <x@a.example>\nEnvoyé : lundi 2 octobre\nÀ : moi\nObjet : Votre colis\n\ntexte');
  assert.equal(fr[0]?.address, 'x@a.example');
  const es = quotedMessages('De: Soporte <y@b.example>\nEnviado el: lunes, 2 de octubre de 2023\nPara: yo\nAsunto: Su cuenta\n\ntexto');
  assert.equal(es[0]?.subject, 'Su cuenta');
  const de = quotedMessages('Von: Kundenservice <z@c.example>\nGesendet: Montag\nAn: ich\nBetreff: Ihr Konto\n\nText');
  assert.equal(de[0]?.name, 'Kundenservice');
  const gm = quotedMessages('---------- Forwarded message ---------\nFrom: Bank <w@d.example>\nDate: Mon, 2 Oct 2023\nSubject: Alert\nTo: <me@e.example>\n\nbody');
  assert.equal(gm[0]?.address, 'w@d.example');
});

test('hostile: many quoted header blocks, huge bodies and long lines are handled within bounds', async () => {
  const block = 'From: Microsoft Support <a@b.example>\nSent: Monday\nTo: x\nSubject: Qx7Lm2Pz9K\n\n';
  const q = quotedMessages(block.repeat(20_000));
  assert.equal(q.length, 3);
  const h = hit(await run(forwardedCheck, msg({ text: block.repeat(20_000) })), 'FORWARDED_SENDER_SUSPICIOUS');
  assert.ok(h && h.score <= 6);
  assert.deepEqual(quotedMessages('From: ' + 'x'.repeat(1_000_000)), []);
  assert.equal(tokenStuffing('AB12CD34ef'.repeat(200_000)), 'AB12CD34');
  assert.equal(tokenStuffing('A1'.repeat(500_000)), null);
});
