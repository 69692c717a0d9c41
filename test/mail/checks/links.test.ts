import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linksCheck, judgeLink, shownDomain } from '../../../src/mail/checks/links.js';
import { hit, link, msg, run, symbols } from './make.js';

const one = async (href: string, text = '', source: Parameters<typeof link>[2] = 'html-href') => run(linksCheck, msg({ links: [link(href, text, source)] }));

test('shownDomain reads URLs and bare domains, not file names or sentences', () => {
  assert.equal(shownDomain('https://www.paypal.com/signin'), 'www.paypal.com');
  assert.equal(shownDomain('paypal.com'), 'paypal.com');
  assert.equal(shownDomain('Go to www.bank.com now'), 'www.bank.com');
  assert.equal(shownDomain('invoice.pdf'), null);
  assert.equal(shownDomain('Click here'), null);
});

test('LINK_TEXT_MISMATCH: text shows one site, href another', async () => {
  const h = await one('http://paypa1-secure.xyz/login', 'https://www.paypal.com');
  const m = hit(h, 'LINK_TEXT_MISMATCH');
  assert.equal(m?.reason, 'Link text shows www.paypal.com but points to paypa1-secure.xyz.');
  assert.ok(m!.score >= 5, 'a brand shown in the text scores high');
});

test('LINK_TEXT_MISMATCH negative: same registrable domain, tracking redirect to the shown site, plain words', async () => {
  assert.equal(hit(await one('https://click.example.com/x', 'www.example.com'), 'LINK_TEXT_MISMATCH'), undefined);
  assert.equal(hit(await one('https://t.esp.net/c?url=https%3A%2F%2Fwww.shop.example%2Fsale', 'www.shop.example'), 'LINK_TEXT_MISMATCH'), undefined);
  assert.equal(hit(await one('https://evil.example/', 'Read more'), 'LINK_TEXT_MISMATCH'), undefined);
});

test('LINK_IP_HOST and LINK_UNUSUAL_PORT', async () => {
  assert.match(hit(await one('http://144.172.64.14/cl/113'), 'LINK_IP_HOST')!.reason, /144\.172\.64\.14/);
  assert.ok(hit(await one('http://[2001:db8::1]/x'), 'LINK_IP_HOST'));
  assert.ok(hit(await one('http://0x7f000001/x'), 'LINK_IP_HOST'));
  assert.equal(hit(await one('https://www.example.com/1.2.3.4'), 'LINK_IP_HOST'), undefined);
  assert.match(hit(await one('http://shop.example:8765/pay'), 'LINK_UNUSUAL_PORT')!.reason, /8765/);
  assert.equal(hit(await one('https://shop.example:443/pay'), 'LINK_UNUSUAL_PORT'), undefined);
});

test('LINK_PUNYCODE', async () => {
  assert.match(hit(await one('https://xn--pple-43d.com/id'), 'LINK_PUNYCODE')!.reason, /аpple\.com|xn--pple-43d/);
  assert.equal(hit(await one('https://apple.com/id'), 'LINK_PUNYCODE'), undefined);
});

test('LINK_SHORTENER', async () => {
  assert.match(hit(await one('https://bit.ly/3EI6heo'), 'LINK_SHORTENER')!.reason, /bit\.ly/);
  assert.equal(hit(await one('https://bit.ly/'), 'LINK_SHORTENER'), undefined, 'the shortener home page hides nothing');
  assert.equal(hit(await one('https://bitly-fan.example/abc'), 'LINK_SHORTENER'), undefined);
});

test('LINK_REDIRECT: known redirector and redirect parameter to another site', async () => {
  const g = hit(await one('https://www.google.com/url?q=https%3A%2F%2Fevil.example%2Fx&sa=D'), 'LINK_REDIRECT');
  assert.match(g!.reason, /google\.com redirector.*evil\.example/);
  assert.ok(hit(await one('https://google.com/amp/s/evil.example/x'), 'LINK_REDIRECT'));
  assert.ok(hit(await one('https://news.example/out?url=https://other.example/'), 'LINK_REDIRECT'));
  assert.equal(hit(await one('https://news.example/out?url=https://www.news.example/a'), 'LINK_REDIRECT'), undefined);
  assert.equal(hit(await one('https://news.example/search?q=cats'), 'LINK_REDIRECT'), undefined);
});

test('redirect targets are judged too (a shortener behind a redirector)', () => {
  const f = judgeLink(link('https://www.google.com/url?q=https%3A%2F%2Fbit.ly%2F3EI6heo'));
  assert.ok(f.some((x) => x.symbol === 'LINK_SHORTENER'));
});

test('LINK_FREE_HOSTING, LINK_FILE_SHARING, LINK_FORM_BUILDER, LINK_IPFS', async () => {
  assert.ok(hit(await one('https://us-east1-x-386404.cloudfunctions.net/a/'), 'LINK_FREE_HOSTING'));
  assert.ok(hit(await one('https://x.web.app/'), 'LINK_FREE_HOSTING'));
  assert.ok(hit(await one('https://www.dropbox.com/s/abc/invoice.pdf'), 'LINK_FILE_SHARING'));
  assert.ok(hit(await one('https://forms.gle/abc'), 'LINK_FORM_BUILDER'));
  assert.ok(hit(await one('https://docs.google.com/forms/d/e/1FAIp/viewform'), 'LINK_FORM_BUILDER'));
  assert.equal(hit(await one('https://docs.google.com/forms/d/e/1FAIp/viewform'), 'LINK_FILE_SHARING'), undefined);
  assert.ok(hit(await one('https://ipfs.io/ipfs/bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi'), 'LINK_IPFS'));
  assert.ok(hit(await one('https://bafybeigdyrzt.ipfs.dweb.link/'), 'LINK_IPFS'));
  assert.deepEqual(symbols(await one('https://www.example.com/about')), []);
});

test('LINK_USERINFO: host hidden behind user@', async () => {
  const h = hit(await one('http://www.paypal.com@evil.example/login'), 'LINK_USERINFO');
  assert.match(h!.reason, /evil\.example/);
  assert.equal(h!.score, 5);
  assert.equal(hit(await one('http://evil.example/a@b'), 'LINK_USERINFO'), undefined);
});

test('LINK_DATA_URI and LINK_JAVASCRIPT_URI (href only, not images)', async () => {
  assert.ok(hit(await one('data:text/html;base64,PHNjcmlwdD4='), 'LINK_DATA_URI'));
  assert.ok(hit(await one('javascript:alert(1)'), 'LINK_JAVASCRIPT_URI'));
  assert.deepEqual(symbols(await one('data:image/png;base64,iVBORw0KGgo=', '', 'html-src')), []);
});

test('LINK_LOGIN_PAGE: login paths off the brands’ own sites', async () => {
  assert.ok(hit(await one('https://secure-update.example/wp-admin/office365/login.php'), 'LINK_LOGIN_PAGE'));
  assert.equal(hit(await one('https://login.microsoftonline.com/common/login'), 'LINK_LOGIN_PAGE'), undefined);
  assert.equal(hit(await one('https://www.example.com/blog/logging-tips'), 'LINK_LOGIN_PAGE'), undefined);
});

test('one symbol per kind, evidence lists the URLs', async () => {
  const h = await run(linksCheck, msg({ links: [link('https://bit.ly/a1'), link('https://tinyurl.com/b2'), link('https://bit.ly/a1')] }));
  const s = h.filter((x) => x.symbol === 'LINK_SHORTENER');
  assert.equal(s.length, 1);
  assert.deepEqual(s[0].evidence, ['https://bit.ly/a1', 'https://tinyurl.com/b2']);
});

test('hostile links: huge, malformed, control characters', async () => {
  const links = [link('http://' + 'a.'.repeat(50_000) + 'com/'), link('http://[::1'), link('http://%zz%/'), link('h\u0000ttp://x'), link(':::'), link('http://' + '@'.repeat(10_000))];
  const h = await run(linksCheck, msg({ links }));
  assert.ok(Array.isArray(h));
});

test('LINK_SENDER_UNRELATED: every link of an HTML mail goes to one foreign site', async () => {
  const html = '<p>x</p>';
  const h = await run(linksCheck, msg({ html, fromAddr: 'info@shop.example.com', links: [link('https://landing.other-site.com/a'), link('https://landing.other-site.com/b')] }));
  assert.match(hit(h, 'LINK_SENDER_UNRELATED')!.reason, /other-site\.com.*example\.com/);
  const own = await run(linksCheck, msg({ html, fromAddr: 'info@shop.example.com', links: [link('https://www.example.com/a'), link('https://other-site.com/b')] }));
  assert.equal(hit(own, 'LINK_SENDER_UNRELATED'), undefined);
  const plain = await run(linksCheck, msg({ fromAddr: 'info@shop.example.com', links: [link('https://other-site.com/b', '', 'text')] }));
  assert.equal(hit(plain, 'LINK_SENDER_UNRELATED'), undefined);
});

test('LINK_REDIRECT: abused proxies taking a bare host (translate.google.com/translate?u=host); not for ordinary sites', async () => {
  const t = hit(await one('https://translate.google.com/translate?sl=auto&tl=en&u=4a66884dbc.nxcli.example/x'), 'LINK_REDIRECT');
  assert.match(t!.reason, /nxcli\.example/);
  assert.equal(hit(await one('https://news.example/out?u=other.example'), 'LINK_REDIRECT'), undefined);
  assert.equal(hit(await one('https://translate.google.com/translate?sl=auto&tl=en&u=hello'), 'LINK_REDIRECT'), undefined);
});

test('LINK_FREE_HOSTING: published Google Drawings/Slides/Docs pages; ordinary Google Docs links stay file sharing', async () => {
  assert.ok(hit(await one('https://docs.google.com/drawings/d/1E-AgFS17WyQ/preview'), 'LINK_FREE_HOSTING'));
  assert.ok(hit(await one('https://docs.google.com/presentation/d/e/2PACX-1vT/pub'), 'LINK_FREE_HOSTING'));
  const doc = await one('https://docs.google.com/document/d/1abc/edit');
  assert.equal(hit(doc, 'LINK_FREE_HOSTING'), undefined);
  assert.ok(hit(doc, 'LINK_FILE_SHARING'));
});
