import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lookalikeCheck, judgeHost, skeleton } from '../../../src/mail/checks/lookalike.js';
import { ctx, hit, link, msg, run, symbols } from './make.js';

test('skeleton folds homoglyphs', () => {
  assert.equal(skeleton('paypa1'), skeleton('paypal'));
  assert.equal(skeleton('rnicrosoft'), skeleton('microsoft'));
  assert.notEqual(skeleton('example'), skeleton('microsoft'));
});

test('LOOKALIKE_DOMAIN: homoglyph sender domain imitating a brand', async () => {
  const h = await run(lookalikeCheck, msg({ fromAddr: 'service@paypa1-secure.xyz', fromName: 'Service' }));
  const l = hit(h, 'LOOKALIKE_DOMAIN');
  assert.ok(l, JSON.stringify(h));
  assert.match(l.reason, /paypa1-secure\.xyz/);
  assert.match(l.reason, /PayPal/);
});

test('LOOKALIKE_DOMAIN: one keystroke from an own domain, and the same name under another suffix', async () => {
  const c = ctx({ ownDomains: ['vigie-corp.fr'] });
  assert.equal(judgeHost('vigie-cprp.fr', c)?.symbol, 'LOOKALIKE_DOMAIN');
  assert.equal(judgeHost('vigie-corp.com', c)?.symbol, 'LOOKALIKE_DOMAIN');
  assert.equal(judgeHost('vigie-corp.fr', c), null);
  assert.equal(judgeHost('mail.vigie-corp.fr', c), null);
  const h = await run(lookalikeCheck, msg({ links: [link('https://vigie-c0rp.fr/login', 'portal')] }), c);
  assert.ok(hit(h, 'LOOKALIKE_DOMAIN'));
  assert.ok(hit(h, 'LOOKALIKE_DOMAIN')!.score > 6, 'own-domain lookalikes score above brand lookalikes');
});

test('LOOKALIKE_DOMAIN negative: real brand domains, unrelated domains', async () => {
  for (const d of ['paypal.com', 'www.paypal.com', 'accounts.google.com', 'example.org', 'raincloud.com', 'wikipedia.org']) {
    assert.equal(judgeHost(d, ctx()), null, d);
  }
  const h = await run(lookalikeCheck, msg({ fromAddr: 'service@paypal.com', fromName: 'PayPal' }));
  assert.deepEqual(symbols(h), []);
});

test('CONFUSABLE_DOMAIN: punycode host spelling a brand with Cyrillic letters', () => {
  // аpple.com with Cyrillic а
  const f = judgeHost('xn--pple-43d.com', ctx());
  assert.equal(f?.symbol, 'CONFUSABLE_DOMAIN');
  assert.equal(judgeHost('xn--mnchen-3ya.de', ctx()), null, 'a genuine IDN (münchen.de) is not a confusable');
});

test('BRAND_IN_SUBDOMAIN and BRAND_IN_DOMAIN', async () => {
  assert.equal(judgeHost('paypal.com.account-check.xyz', ctx())?.symbol, 'BRAND_IN_SUBDOMAIN');
  assert.equal(judgeHost('docusign.secure-files.net', ctx())?.symbol, 'BRAND_IN_SUBDOMAIN');
  assert.equal(judgeHost('netflix-billing-update.com', ctx())?.symbol, 'BRAND_IN_DOMAIN');
  // private suffixes: a Firebase/GitHub Pages site is its own registrable domain
  assert.equal(judgeHost('microsoft-login.web.app', ctx())?.symbol, 'BRAND_IN_DOMAIN');
  assert.equal(judgeHost('mail.netflix.com', ctx()), null);
  assert.equal(judgeHost('pineapple.com', ctx()), null, 'a brand word inside an ordinary word is not flagged');
  const h = await run(lookalikeCheck, msg({ links: [link('http://paypal.com.account-check.xyz/x', 'here')] }));
  assert.match(hit(h, 'BRAND_IN_SUBDOMAIN')!.reason, /account-check\.xyz/);
});

test('BRAND_IMPERSONATION: display name names a brand, address elsewhere', async () => {
  const h = await run(lookalikeCheck, msg({ fromName: 'Microsoft account team', fromAddr: 'no-reply@mail-notify.top' }));
  assert.match(hit(h, 'BRAND_IMPERSONATION')!.reason, /Microsoft.*mail-notify\.top/);
  const empty = await run(lookalikeCheck, msg({ fromName: 'DocuSign', fromAddr: '' }));
  assert.ok(hit(empty, 'BRAND_IMPERSONATION'));
});

test('BRAND_IMPERSONATION negative: brand from its own domain, ambiguous word in a person name', async () => {
  assert.deepEqual(symbols(await run(lookalikeCheck, msg({ fromName: 'Microsoft', fromAddr: 'account-security-noreply@accountprotection.microsoft.com' }))), []);
  assert.deepEqual(symbols(await run(lookalikeCheck, msg({ fromName: 'Johnny Appleseed', fromAddr: 'johnny@example.org' }))), []);
  assert.deepEqual(symbols(await run(lookalikeCheck, msg({ fromName: 'Amazon River Society', fromAddr: 'info@example.org' }))), []);
  assert.ok(hit(await run(lookalikeCheck, msg({ fromName: 'Amazon Support', fromAddr: 'info@example.org' })), 'BRAND_IMPERSONATION'));
});

test('BRAND_IN_SUBJECT: subject names a brand, weaker than the display name', async () => {
  const h = await run(lookalikeCheck, msg({ subject: 'Your Netflix payment failed', fromAddr: 'billing@acc-update.info', fromName: 'Billing' }));
  const s = hit(h, 'BRAND_IN_SUBJECT');
  assert.ok(s);
  assert.ok(s.score < 4);
  assert.equal(hit(await run(lookalikeCheck, msg({ subject: 'Your Netflix payment', fromAddr: 'info@netflix.com' })), 'BRAND_IN_SUBJECT'), undefined);
});

test('VIP_IMPERSONATION: a configured VIP name from another address', async () => {
  const c = ctx({ vips: [{ name: 'Claire Dubois', addresses: ['claire.dubois@vigie-corp.fr'] }] });
  const h = await run(lookalikeCheck, msg({ fromName: 'Claire Dubois', fromAddr: 'claire.dubois.ceo@gmail.com' }), c);
  assert.match(hit(h, 'VIP_IMPERSONATION')!.reason, /Claire Dubois/);
  assert.equal(hit(await run(lookalikeCheck, msg({ fromName: 'Claire Dubois', fromAddr: 'claire.dubois@vigie-corp.fr' }), c), 'VIP_IMPERSONATION'), undefined);
});

test('OBFUSCATED_TEXT: Cyrillic letters mixed into Latin words, styled letters, stacked marks', async () => {
  const h = await run(lookalikeCheck, msg({ subject: '[Binаnсе] verification required' }));
  assert.ok(hit(h, 'OBFUSCATED_TEXT'), JSON.stringify(h));
  assert.ok(hit(await run(lookalikeCheck, msg({ fromName: 'A\u073fm\u073fa\u073fz\u073fon Service' })), 'OBFUSCATED_TEXT'));
  assert.ok(hit(await run(lookalikeCheck, msg({ subject: 'Ihr 𝕚ℂ𝕝𝕠𝕦𝕕 ist voll' })), 'OBFUSCATED_TEXT'));
  // real French / Portuguese / Russian text is not obfuscation
  assert.deepEqual(symbols(await run(lookalikeCheck, msg({ subject: 'Réunion de l’équipe à 14h — ação, coração', fromName: 'Élodie Müller' }))), []);
  assert.deepEqual(symbols(await run(lookalikeCheck, msg({ subject: 'Привет, как дела?', fromName: 'Иван Петров' }))), []);
});

test('BRAND_LOOKALIKE_NAME: brand spelt with look-alike characters in the display name', async () => {
  const h = await run(lookalikeCheck, msg({ fromName: 'Iedger', fromAddr: 'news@shop.example' }));
  assert.match(hit(h, 'BRAND_LOOKALIKE_NAME')!.reason, /Ledger/);
  assert.equal(hit(await run(lookalikeCheck, msg({ fromName: 'Ledger', fromAddr: 'hello@ledger.com' })), 'BRAND_LOOKALIKE_NAME'), undefined);
});

test('DISPLAY_NAME_DOMAIN: a domain in the display name that is not the sender’s', async () => {
  const h = await run(lookalikeCheck, msg({ fromName: 'proton.me Helpdesk', fromAddr: 'admin@dpu.example.go.id' }));
  assert.match(hit(h, 'DISPLAY_NAME_DOMAIN')!.reason, /proton\.me/);
  assert.equal(hit(await run(lookalikeCheck, msg({ fromName: 'Example.com Support', fromAddr: 'help@mail.example.com' })), 'DISPLAY_NAME_DOMAIN'), undefined);
  assert.equal(hit(await run(lookalikeCheck, msg({ fromName: 'J. R. Smith', fromAddr: 'jr@example.org' })), 'DISPLAY_NAME_DOMAIN'), undefined);
});

test('hostile: huge display name and subject', async () => {
  const big = 'Pаypal '.repeat(200_000);
  const h = await run(lookalikeCheck, msg({ fromName: big, subject: big, fromAddr: 'x@evil.example' }));
  assert.ok(Array.isArray(h));
});

test('BRAND_IMPERSONATION: crypto projects named in the display name (ambiguous names need a service word or to stand alone)', async () => {
  assert.ok(hit(await run(lookalikeCheck, msg({ fromName: 'Team Ripple', fromAddr: 'xinfo@shopsoft.example' })), 'BRAND_IMPERSONATION'));
  assert.ok(hit(await run(lookalikeCheck, msg({ fromName: 'OpenSea', fromAddr: 'support@labs.example' })), 'BRAND_IMPERSONATION'));
  assert.equal(hit(await run(lookalikeCheck, msg({ fromName: 'Ripple', fromAddr: 'news@ripple.com' })), 'BRAND_IMPERSONATION'), undefined);
  assert.equal(hit(await run(lookalikeCheck, msg({ fromName: 'Anna Optimism Smith', fromAddr: 'anna@example.org' })), 'BRAND_IMPERSONATION'), undefined);
});
