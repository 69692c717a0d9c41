/**
 * Symbols and rule changes of the second accuracy round (issue 5, helper F): wording read in the HTML part when the
 * plain part is a stub, deposit bonuses and monthly earnings claims, adult-content warnings, free-mail contact
 * addresses in short link-less letters, digits for letters in headers, script-sent envelopes, serial-number sender
 * domains, long visible recipient lists from free-mail accounts. Each has a positive and a negative case.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { headersCheck, randomLabel, scriptEnvelope } from '../../../src/mail/checks/headers.js';
import { scamPatterns, wordingBody, wordingCheck, zeroForO } from '../../../src/mail/checks/wording.js';
import { linksCheck } from '../../../src/mail/checks/links.js';
import { hit, link, msg, run } from './make.js';

test('wordingBody: the HTML text is read when the plain part is only a stub', async () => {
  const stub = 'Your email client cannot read this email. View it online: http://x.example/v';
  const html = 'Welcome to the casino! Play now and become an instant millionaire. 40 free spins on the mega wheel, deposit just 1 euro and hit the jackpot. '.repeat(2);
  const m = msg({ text: stub, html: `<p>${html}</p>`, htmlText: html, links: [link('http://x.example/r')] });
  assert.ok(wordingBody(m).includes('instant millionaire'));
  assert.ok(hit(await run(wordingCheck, m), 'WORDING_SCAM'));
  // plain and HTML parts carrying the same text: the plain part alone is read
  const same = msg({ text: 'Meeting notes for Thursday, see agenda.', htmlText: 'Meeting notes for Thursday, see agenda.' });
  assert.equal(wordingBody(same), 'Meeting notes for Thursday, see agenda.');
  // the stub alone says nothing
  assert.equal(hit(await run(wordingCheck, msg({ text: stub, links: [link('http://x.example/r')] })), 'WORDING_SCAM'), undefined);
});

test('scamPatterns: deposit bonuses and monthly earnings of at least 1000', async () => {
  assert.ok(scamPatterns('Today BONUS! 50% bonus at every deposit just today').some((p) => p.startsWith('deposit bonus')));
  assert.ok(scamPatterns('Your exclusive 300% Welcome Bonus is ready. Deposit at least $15.').some((p) => p.startsWith('deposit bonus')));
  assert.deepEqual(scamPatterns('Earn $1000-$2000 per month working part time.'), ['$1000-$2000 per month']);
  // a shop's bonus points without any deposit, a subscription price, a salary under 1000
  assert.deepEqual(scamPatterns('Get a 20% bonus on loyalty points this week.'), []);
  assert.deepEqual(scamPatterns('The plan costs $8.95 per month.'), []);
  assert.deepEqual(scamPatterns('They pay $200 a month for the parking space.'), []);
  const h = hit(await run(wordingCheck, msg({ text: 'Claim your 100% BONUS on your first deposit now!' })), 'WORDING_SCAM');
  assert.ok(h && h.score >= 4);
  assert.equal(hit(await run(wordingCheck, msg({ text: 'Deposit the cheque at the bank on Monday, please.' })), 'WORDING_SCAM'), undefined);
});

test('adult-content warnings of sex-site lures count as scam wording (nl, en)', async () => {
  const nl = 'WAARSCHUWING: Deze website bevat expliciete beelden. Je moet 18 jaar of ouder zijn. Alleen als je volwassen bent.';
  assert.ok(hit(await run(wordingCheck, msg({ text: nl, links: [link('https://x.example/r')] })), 'WORDING_SCAM'));
  assert.ok(hit(await run(wordingCheck, msg({ text: 'This site shows explicit images; you must be 18 years or older.' })), 'WORDING_SCAM'));
  assert.equal(hit(await run(wordingCheck, msg({ text: 'Entrants must be 18 years or older to take part in the hackathon.' })), 'WORDING_SCAM'), undefined);
});

test('SCAM_REPLY_DIVERTED: a short link-less letter with scam words and a private free-mail contact', async () => {
  const text = 'Hello dear, lonely woman from Kiev here, please chat with me. Where r you from? My email for contact is: inna.k88@outlook.com';
  const h = hit(await run(wordingCheck, msg({ text, fromAddr: 'someone@mailer.example' })), 'SCAM_REPLY_DIVERTED');
  assert.match(h!.reason, /inna\.k88@outlook\.com/);
  // the same weak words in a newsletter with web links: not diverted replies
  const news = `${text}\nRead more: https://news.example/story`;
  assert.equal(hit(await run(wordingCheck, msg({ text: news, fromAddr: 'someone@mailer.example', links: [link('https://news.example/story', '', 'text')] })), 'SCAM_REPLY_DIVERTED'), undefined);
  // a short letter with a free-mail contact but no scam word at all
  assert.equal(hit(await run(wordingCheck, msg({ text: 'I changed jobs, write me at bob.smith@gmail.com from now on.', fromAddr: 'bob@corp.example' })), 'SCAM_REPLY_DIVERTED'), undefined);
});

test('DIGIT_FOR_LETTER: the digit 0 for the letter O in subject or display name words', async () => {
  assert.deepEqual(zeroForO('_IMP0RTANT"INFORMATI0N"'), ['IMP0RTANT', 'INFORMATI0N']);
  const h = hit(await run(wordingCheck, msg({ subject: 'IMP0RTANT notice', fromName: 'C0NSUMER REWARDS' })), 'DIGIT_FOR_LETTER');
  assert.deepEqual(h!.evidence, ['IMP0RTANT', 'C0NSUMER']);
  for (const subject of ['RAID1 rebuild', 'Windows 10 and B2B', 'Issue 2023-10', 'Idj0t', 'MP3 player H1N1', 'ISO17799 newsletter', 'A0B1C2 part', 'build dead0beef failed']) {
    assert.equal(hit(await run(wordingCheck, msg({ subject })), 'DIGIT_FOR_LETTER'), undefined, subject);
  }
});

test('ENVELOPE_SCRIPT_HOST: a system account on an unqualified or default cloud host name', async () => {
  for (const returnPath of ['root@ubuntu-s-1vcpu-1gb-nyc1-01', 'root@localhost.members.linode.com', 'www-data@srv123', 'apache@mercado-x.localdomain']) {
    assert.equal(scriptEnvelope(msg({ returnPath })), returnPath, returnPath);
  }
  const h = hit(await run(headersCheck, msg({ fromAddr: 'no-reply@offers.example', returnPath: 'root@ubuntu-iqjh-1vcpu-1gb-35gb-intel' })), 'ENVELOPE_SCRIPT_HOST');
  assert.equal(h!.score, 4);
  // system accounts on qualified mail hosts (mailing lists, cron mail of a real domain), people on unqualified hosts
  for (const returnPath of ['root@spamassassin.taint.org', 'nobody@lists.example.org', 'alice@ubuntu-box', 'bounce-123@mail.example.com']) {
    assert.equal(scriptEnvelope(msg({ returnPath })), null, returnPath);
  }
});

test('RANDOM_SENDER_DOMAIN: a serial-number label in a sender domain', async () => {
  assert.equal(randomLabel('190817827092890281897.correio.biz'), '190817827092890281897');
  assert.ok(hit(await run(headersCheck, msg({ fromAddr: 'no_reply@190817827092890281897.correio.biz' })), 'RANDOM_SENDER_DOMAIN'));
  for (const d of ['mail2023.example.com', 'news.example.com', '123456789.example.com']) assert.equal(randomLabel(d), null, d);
});

test('FREEMAIL_BULK_RECIPIENTS: a free-mail account writing to ten or more visible recipients', async () => {
  const to = Array.from({ length: 12 }, (_, i) => ({ address: `user${i}@gmail.com`, name: '' }));
  const h = hit(await run(headersCheck, msg({ fromAddr: 'kiera.p88@gmail.com', to })), 'FREEMAIL_BULK_RECIPIENTS');
  assert.equal(h!.score, 3.5);
  assert.match(h!.reason, /12 visible recipients/);
  // the same list written by an organisation's domain (a mailing system), and a free-mail account writing to two people
  assert.equal(hit(await run(headersCheck, msg({ fromAddr: 'events@club.example', to })), 'FREEMAIL_BULK_RECIPIENTS'), undefined);
  assert.equal(hit(await run(headersCheck, msg({ fromAddr: 'kiera.p88@gmail.com', to: to.slice(0, 2) })), 'FREEMAIL_BULK_RECIPIENTS'), undefined);
});

test('EMPTY_MESSAGE: a subject alone sent to hidden recipients', async () => {
  const h = hit(await run(headersCheck, msg({ subject: 'Reason', text: '', to: [] })), 'EMPTY_MESSAGE');
  assert.equal(h!.score, 5);
  assert.match(h!.reason, /only a subject/);
  // a subject-only note to a named colleague ("lunch at 12?" with an empty body) is not a probe
  assert.equal(hit(await run(headersCheck, msg({ subject: 'Lunch at 12?', text: '' })), 'EMPTY_MESSAGE'), undefined);
});

test('hostile: pattern rules stay linear on long runs of spaces and digits', async () => {
  const text = ('$1000' + ' '.repeat(20_000) + 'x ').repeat(5) + '50% bonus' + ' '.repeat(20_000);
  assert.deepEqual(scamPatterns(text), []);
  assert.deepEqual(zeroForO('0'.repeat(5000) + ' ' + 'A0'.repeat(3000)), []);
  const h = await run(wordingCheck, msg({ subject: 'A0'.repeat(500), text }));
  assert.equal(hit(h, 'DIGIT_FOR_LETTER'), undefined);
});

test('BRAND_SENDER_FOREIGN_LINKS: a brand\'s own From domain whose links all leave its sites for a throwaway host', async () => {
  const links = [link('https://b-a4qxna7jwq-rj.a.run.app/f/?tr=17b7', 'ACESSAR SUA CONTA')];
  const h = hit(await run(linksCheck, msg({ fromAddr: 'contato@bradesco.com.br', fromName: 'Bradesco Prime', html: '<a>x</a>', links })), 'BRAND_SENDER_FOREIGN_LINKS');
  assert.equal(h!.kind, 'spoofing');
  assert.match(h!.reason, /Bradesco/);
  // the brand's own mail linking to its own site too, a brand-free sender, a free-mail address, ordinary outside links
  const own = [...links, link('https://banco.bradesco.com.br/html/classic/index.shtm', 'Site')];
  assert.equal(hit(await run(linksCheck, msg({ fromAddr: 'contato@bradesco.com.br', html: '<a>x</a>', links: own })), 'BRAND_SENDER_FOREIGN_LINKS'), undefined);
  assert.equal(hit(await run(linksCheck, msg({ fromAddr: 'promo@lojas.example', html: '<a>x</a>', links })), 'BRAND_SENDER_FOREIGN_LINKS'), undefined);
  assert.equal(hit(await run(linksCheck, msg({ fromAddr: 'someone@gmail.com', links: [link('https://bit.ly/3abcd')] })), 'BRAND_SENDER_FOREIGN_LINKS'), undefined);
  assert.equal(hit(await run(linksCheck, msg({ fromAddr: 'contato@bradesco.com.br', links: [link('https://www.gov.br/receita')] })), 'BRAND_SENDER_FOREIGN_LINKS'), undefined);
});

test('ROLE_NAME_PERSONAL_ADDRESS: a bare service name on a person\'s mailbox', async () => {
  const h = hit(await run(headersCheck, msg({ fromName: 'support', fromAddr: 'craver1553@student.school.example' })), 'ROLE_NAME_PERSONAL_ADDRESS');
  assert.equal(h!.score, 2);
  assert.ok(hit(await run(headersCheck, msg({ fromName: 'IT Helpdesk', fromAddr: 'j.smith@clinic.example' })), 'ROLE_NAME_PERSONAL_ADDRESS'));
  // role mailboxes, a person's name, a role word inside a longer name, free-mail accounts (ROLE_NAME_FREEMAIL's case)
  for (const [fromName, fromAddr] of [['support', 'support@vendor.example'], ['Support', 'no-reply@service.example'],
    ['webmaster', 'webmaster@music.example'], ['Alice Martin', 'alice1553@corp.example'], ['Acme support team', 'j.doe@acme.example'],
    ['support', 'helper1553@gmail.com']]) {
    assert.equal(hit(await run(headersCheck, msg({ fromName, fromAddr })), 'ROLE_NAME_PERSONAL_ADDRESS'), undefined, `${fromName} <${fromAddr}>`);
  }
});

test('WORDING_SCAM_THROWAWAY_LINK: scam wording too weak alone, next to a throwaway link', async () => {
  const text = 'Schnellen Gewichtsverlust jetzt: Ihre individuelle Prognose wartet.';
  const h = hit(await run(wordingCheck, msg({ text, links: [link('https://bit.ly/3s0pOTK', 'Jetzt ansehen')] })), 'WORDING_SCAM_THROWAWAY_LINK');
  assert.equal(h!.score, 1);
  assert.equal(h!.evidence![0], 'bit.ly');
  // the same words with an ordinary link, and a shortener without any scam word
  assert.equal(hit(await run(wordingCheck, msg({ text, links: [link('https://www.apotheke.example/abnehmen')] })), 'WORDING_SCAM_THROWAWAY_LINK'), undefined);
  assert.equal(hit(await run(wordingCheck, msg({ text: 'Slides from today: see link.', links: [link('https://bit.ly/3s0pOTK')] })), 'WORDING_SCAM_THROWAWAY_LINK'), undefined);
  // strong enough to be WORDING_SCAM: not doubled
  const strong = await run(wordingCheck, msg({ text: 'Congratulations, you have won the lottery! Claim your prize.', links: [link('https://bit.ly/3s0pOTK')] }));
  assert.ok(hit(strong, 'WORDING_SCAM'));
  assert.equal(hit(strong, 'WORDING_SCAM_THROWAWAY_LINK'), undefined);
});
