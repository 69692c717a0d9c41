import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wordingCheck } from '../../../src/mail/checks/wording.js';
import { PhraseMatcher, foldForMatch } from '../../../src/mail/inspect/text.js';
import { hit, link, msg, run, symbols } from './make.js';

test('PhraseMatcher: word boundaries, overlapping phrases, folded accents', () => {
  const m = new PhraseMatcher([{ phrase: 'verify your account', tag: 'a' }, { phrase: 'your account', tag: 'b' }, { phrase: 'senha', tag: 'c' }]);
  const found = m.match(foldForMatch('Please VERIFY  your account now; senhas are not senha.')).map((x) => x.phrase).sort();
  assert.deepEqual(found, ['senha', 'verify your account', 'your account']);
  assert.deepEqual(m.match(foldForMatch('reverify your accountant')), []);
});

test('WORDING_CREDENTIAL_LINK scores above WORDING_CREDENTIAL alone', async () => {
  const text = 'We noticed unusual sign-in activity. Verify your account to avoid suspension.';
  const withLink = hit(await run(wordingCheck, msg({ text, links: [link('https://x.example/')] })), 'WORDING_CREDENTIAL_LINK');
  const alone = hit(await run(wordingCheck, msg({ text })), 'WORDING_CREDENTIAL');
  assert.ok(withLink && alone);
  assert.ok(withLink.score > alone.score);
  assert.match(withLink.reason, /verify your account/);
});

test('credential wording in French, Portuguese, Spanish, German (accents folded, Cyrillic look-alikes mapped)', async () => {
  for (const text of ['Votre compte a été suspendu, vérifiez votre compte.', 'Sua conta foi bloqueada: atualize seus dados.',
    'Su cuenta ha sido suspendida. Verifique su cuenta.', 'Ihr Konto wurde gesperrt, bestätigen Sie Ihr Konto.', 'Vеrify yоur аccount']) {
    assert.ok(hit(await run(wordingCheck, msg({ text })), 'WORDING_CREDENTIAL'), text);
  }
});

test('WORDING_URGENCY, WORDING_PAYMENT_CHANGE, WORDING_INVOICE, WORDING_SCAM', async () => {
  assert.ok(hit(await run(wordingCheck, msg({ text: 'Final notice: act within 24 hours.' })), 'WORDING_URGENCY'));
  assert.match(hit(await run(wordingCheck, msg({ text: 'Please note our new bank details for all future payments.' })), 'WORDING_PAYMENT_CHANGE')!.reason, /new bank details/);
  assert.ok(hit(await run(wordingCheck, msg({ text: 'Veuillez noter notre nouveau RIB.' })), 'WORDING_PAYMENT_CHANGE'));
  assert.ok(hit(await run(wordingCheck, msg({ text: 'Overdue invoice attached.', links: [link('https://x.example/inv')] })), 'WORDING_INVOICE'));
  assert.ok(hit(await run(wordingCheck, msg({ text: 'Congratulations, you have won the lottery! Contact the barrister.' })), 'WORDING_SCAM'));
});

test('negative: ordinary business mail', async () => {
  const text = 'Hi team, the meeting moved to Thursday. I attached the slides and the agenda. Thanks, Marc';
  assert.deepEqual(symbols(await run(wordingCheck, msg({ text, links: [link('https://intranet.example/agenda')] }))), []);
});

test('hostile: long text with no phrase is handled in one pass', async () => {
  const h = await run(wordingCheck, msg({ text: 'verify your acc'.repeat(100_000) }));
  assert.deepEqual(symbols(h), []);
});

test('WORDING_CALLBACK: call-back scam needs the wording and a phone number', async () => {
  const text = 'Your subscription was automatically renewed for $389.99. If you did not authorize this charge, call us at +1 (808) 555-0143.';
  assert.match(hit(await run(wordingCheck, msg({ text })), 'WORDING_CALLBACK')!.reason, /808/);
  assert.equal(hit(await run(wordingCheck, msg({ text: 'If you did not authorize this, reply to this mail.' })), 'WORDING_CALLBACK'), undefined);
});

test('BRAND_CREDENTIAL_LURE: account wording about a brand in mail not sent by it', async () => {
  const text = 'Microsoft account: unusual sign-in activity. Verify your account.';
  assert.match(hit(await run(wordingCheck, msg({ text, fromAddr: 'alerts@secure-notice.example' })), 'BRAND_CREDENTIAL_LURE')!.reason, /Microsoft/);
  assert.equal(hit(await run(wordingCheck, msg({ text, fromAddr: 'account-security-noreply@accountprotection.microsoft.com' })), 'BRAND_CREDENTIAL_LURE'), undefined);
  assert.equal(hit(await run(wordingCheck, msg({ text: 'Microsoft released a new version of Office.' })), 'BRAND_CREDENTIAL_LURE'), undefined);
});
