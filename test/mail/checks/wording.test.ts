import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wordingCheck } from '../../../src/mail/checks/wording.js';
import { PhraseMatcher, foldForMatch } from '../../../src/mail/inspect/text.js';
import { attachment, hit, link, msg, run, symbols } from './make.js';

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

test('WORDING_SCAM: gambling, crypto-withdrawal, dating and romance families; graded by weight', async () => {
  const casino = hit(await run(wordingCheck, msg({ subject: 'Daily jackpot', text: 'Claim your welcome bonus and free spins in our casino.' })), 'WORDING_SCAM');
  assert.ok(casino && casino.score >= 5, 'gambling wording with strong phrases scores 5 or more');
  assert.ok(hit(await run(wordingCheck, msg({ text: 'You are eligible to begin withdrawing digital assets. Claim your rewards now.' })), 'WORDING_SCAM'));
  assert.ok(hit(await run(wordingCheck, msg({ text: 'I am single lady, looking for a man. I can send you my photos.' })), 'WORDING_SCAM'));
  // weak marketing words alone stay below the strong score
  const weak = hit(await run(wordingCheck, msg({ text: 'Congratulations to the winner of our survey!' })), 'WORDING_SCAM');
  assert.ok(!weak || weak.score === 4);
  assert.equal(hit(await run(wordingCheck, msg({ text: 'The casino scene in the film is great.' })), 'WORDING_SCAM'), undefined);
});

test('SCAM_REPLY_DIVERTED: scam wording with a free-mail reply path (Reply-To or contact address in the text)', async () => {
  const text = 'Dear beneficiary, your fund of ten million is ready. Contact the barrister.';
  const rt = hit(await run(wordingCheck, msg({ text, fromAddr: 'office@agency.example', replyTo: [{ address: 'claims.office@gmail.com', name: '' }] })), 'SCAM_REPLY_DIVERTED');
  assert.match(rt!.reason, /claims\.office@gmail\.com/);
  const inText = hit(await run(wordingCheck, msg({ text: 'I am single lady from Kiev. Email me at anna.k1990@yahoo.com for my photos.', fromAddr: 'x@shop.example' })), 'SCAM_REPLY_DIVERTED');
  assert.match(inText!.reason, /anna\.k1990@yahoo\.com/);
  // no scam wording: an ordinary Reply-To to a free-mail address is not this symbol
  assert.equal(hit(await run(wordingCheck, msg({ text: 'Minutes of the meeting attached.', replyTo: [{ address: 'bob@gmail.com', name: '' }] })), 'SCAM_REPLY_DIVERTED'), undefined);
  // scam wording, replies to the sender's own (non free-mail) domain
  assert.equal(hit(await run(wordingCheck, msg({ text, fromAddr: 'a@agency.example', replyTo: [{ address: 'b@agency.example', name: '' }] })), 'SCAM_REPLY_DIVERTED'), undefined);
});

test('RANDOM_TOKEN_HEADER: hash-busting codes in subject or display name, not CamelCase words', async () => {
  const h = hit(await run(wordingCheck, msg({ subject: 'Notificação Urgente - egeZ2Fb4pfL', fromName: 'Banco - Protocolo 7793574292872' })), 'RANDOM_TOKEN_HEADER');
  assert.ok(h);
  assert.deepEqual(h!.evidence, ['egeZ2Fb4pfL', '7793574292872']);
  assert.ok(hit(await run(wordingCheck, msg({ subject: 'Acesso Indevido - D0TG6TY9KZUDFT9JAX' })), 'RANDOM_TOKEN_HEADER'));
  for (const subject of ['Re: [SAtalk] PerMsgStatus.pm error?', 'This week: QuickTime, MoonDock', 'Working My_Mark2CurSeen', 'ISO17799 newsletter', 'Order 123456789 shipped']) {
    assert.equal(hit(await run(wordingCheck, msg({ subject })), 'RANDOM_TOKEN_HEADER'), undefined, subject);
  }
});

test('WORDING_SCAM: an unambiguous scam phrase (STRONG_SCAM) is enough on its own; an ordinary one is not', async () => {
  assert.ok(hit(await run(wordingCheck, msg({ subject: 'Date facile avec des filles ukrainiennes' })), 'WORDING_SCAM'));
  assert.ok(hit(await run(wordingCheck, msg({ text: 'Dear Beneficiary, the committee met.' })), 'WORDING_SCAM'));
  assert.equal(hit(await run(wordingCheck, msg({ text: 'Our business proposal for the new office.' })), 'WORDING_SCAM'), undefined);
});

test('WORDING_LEGAL_THREAT: summons, lawsuits, warrants aimed at the reader (pt, fr, en)', async () => {
  const pt = hit(await run(wordingCheck, msg({ subject: 'Ação Trabalhista', text: 'Intimação eletrônica: processo trabalhista em seu nome.' })), 'WORDING_LEGAL_THREAT');
  assert.ok(pt && pt.score > 3, 'two phrases score more');
  assert.ok(hit(await run(wordingCheck, msg({ subject: 'PROCES VOUS CONCERNANT' })), 'WORDING_LEGAL_THREAT'));
  assert.ok(hit(await run(wordingCheck, msg({ text: 'A warrant for your arrest has been issued.' })), 'WORDING_LEGAL_THREAT'));
  assert.equal(hit(await run(wordingCheck, msg({ text: 'The court ruled on the patent lawsuit yesterday.' })), 'WORDING_LEGAL_THREAT'), undefined);
});

test('BODY_ONLY_LINK: a body that is just a link; not a short note with words, nor a message with an attachment', async () => {
  const h = hit(await run(wordingCheck, msg({ subject: 'Binance Cybersecurity', text: 'https://axobox.example/vt/wp-track.php', links: [link('https://axobox.example/vt/wp-track.php', '', 'text')] })), 'BODY_ONLY_LINK');
  assert.match(h!.reason, /0 words/);
  assert.equal(hit(await run(wordingCheck, msg({ text: 'Here are the slides from the talk yesterday: https://talks.example/s', links: [link('https://talks.example/s', '', 'text')] })), 'BODY_ONLY_LINK'), undefined);
  assert.equal(hit(await run(wordingCheck, msg({ text: 'https://x.example/', links: [link('https://x.example/', '', 'text')], attachments: [attachment('a.pdf', '%PDF-1.4')] })), 'BODY_ONLY_LINK'), undefined);
});
