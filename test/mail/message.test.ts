import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { FIXTURES } from '../helpers.js';
import { parseMessage, parseHeaderBlock } from '../../src/mail/message.js';
import { scanHtml, textLinks, decodeEntities, squeezeSpace } from '../../src/mail/html.js';
import { buildMsg } from './msg-builder.js';

const fx = (n: string) => readFileSync(join(FIXTURES, 'mail', n));

test('plain message: addresses, subject, text, no links', async () => {
  const v = await parseMessage(fx('clean.eml'), { file: 'clean.eml' });
  assert.equal(v.from.address, 'alice@example.org');
  assert.equal(v.from.name, 'Alice Martin');
  assert.equal(v.returnPath, 'alice@example.org');
  assert.equal(v.to[0].address, 'bob@example.net');
  assert.equal(v.subject, "Minutes of Monday's meeting");
  assert.match(v.text, /agenda for next week/);
  assert.equal(v.links.length, 0);
  assert.deepEqual(v.parseProblems, []);
  assert.match(v.rawHeaders, /^Return-Path:/);
  assert.equal(v.depth, 0);
});

test('HTML links: href with text, form action, src, data:, meta refresh, text URLs; script content ignored', async () => {
  const v = await parseMessage(fx('spoof.eml'), { file: 'spoof.eml' });
  const by = (src: string) => v.links.filter((l) => l.source === src).map((l) => l.href);
  const a = v.links.find((l) => l.href.startsWith('https://login.evil.example'));
  assert.ok(a);
  assert.equal(a.href, 'https://login.evil.example/owa?x=1&y=2', 'entities decoded in URLs');
  assert.equal(a.text, 'confirm your account');
  assert.deepEqual(by('html-form'), ['https://collect.evil.example/post']);
  assert.ok(by('html-src').includes('https://img.evil.example/logo.png'));
  assert.ok(by('html-href').some((h) => h.startsWith('data:text/html;base64,')));
  assert.ok(by('html-href').includes('https://refresh.example/r'), 'meta refresh target');
  assert.ok(!v.links.some((l) => l.href.includes('hidden-in-script')), 'URLs inside <script> are not links');
  assert.ok(v.links.some((l) => l.source === 'text' && l.href === 'www.plain-text-url.example/path'));
  assert.equal(v.replyTo[0].address, 'it.helpdesk.reset@gmail.com');
});

test('From with several entries: the address-bearing entry is the sender, the problem is noted', async () => {
  const v = await parseMessage(fx('spoof.eml'), { file: 'spoof.eml' });
  assert.equal(v.from.address, 'support@example.org');
  assert.ok(v.parseProblems.some((p) => /From holds 2 entries/.test(p)));
});

test('text derived from HTML when there is no text/plain part', async () => {
  const raw = Buffer.from('From: a@b.example\r\nSubject: h\r\nContent-Type: text/html\r\n\r\n<html><head><title>T</title><style>.x{}</style></head><body><p>Hello&nbsp;<b>World</b></p><div>Line&#39;2 &amp; more</div><script>var x="<p>no</p>";</script></body></html>');
  const v = await parseMessage(raw, { file: 'x' });
  assert.match(v.text, /Hello World/);
  assert.match(v.text, /Line'2 & more/);
  assert.doesNotMatch(v.text, /\.x\{\}|var x/);
});

test('attachments carry sha256; attached message/rfc822 and .eml become nested messages', async () => {
  const inner = 'From: Evil <evil@bad.example>\r\nSubject: real phish\r\n\r\nGo to https://bad.example/login now\r\n';
  const pdf = Buffer.from('%PDF-1.4 fake');
  const raw = Buffer.from([
    'From: User <user@corp.example>', 'Subject: FW: suspicious', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="m"', '',
    '--m', 'Content-Type: text/plain', '', 'see attached', '--m',
    'Content-Type: message/rfc822', 'Content-Disposition: attachment; filename="orig.eml"', '', inner, '--m',
    'Content-Type: application/octet-stream; name="fwd.eml"', 'Content-Disposition: attachment; filename="fwd.eml"', 'Content-Transfer-Encoding: base64', '',
    Buffer.from(inner.replace('real phish', 'second')).toString('base64'), '--m',
    'Content-Type: application/pdf; name="a.pdf"', 'Content-Disposition: attachment; filename="a.pdf"', 'Content-Transfer-Encoding: base64', '',
    pdf.toString('base64'), '--m--', '',
  ].join('\r\n'));
  const v = await parseMessage(raw, { file: 'carrier.eml' });
  const pdfAtt = v.attachments.find((a) => a.filename === 'a.pdf');
  assert.ok(pdfAtt);
  assert.equal(pdfAtt.sha256, createHash('sha256').update(pdf).digest('hex'));
  assert.equal(pdfAtt.size, pdf.length);
  assert.equal(v.nested.length, 2);
  assert.deepEqual(v.nested.map((n) => n.subject).sort(), ['real phish', 'second']);
  assert.equal(v.nested[0].depth, 1);
  assert.ok(v.nested[0].origin.nested?.length === 1);
  assert.ok(v.nested.some((n) => n.links.some((l) => l.href === 'https://bad.example/login')));
  assert.match(v.text, /see attached/);
  assert.doesNotMatch(v.text, /Go to/, 'the attached message body is not mixed into the carrier text');
});

test('Outlook .msg: sender, subject, body, headers, recipients, attachments, attached .eml', async () => {
  const inner = Buffer.from('From: Evil <evil@bad.example>\r\nSubject: inner\r\n\r\nhello https://bad.example/x\r\n');
  const raw = buildMsg({
    subject: 'Hello msg', senderName: 'Bob', senderEmail: 'bob@corp.example', body: 'See http://phish.example/a',
    headers: 'From: Bob <bob@corp.example>\r\nReply-To: x@gmail.com\r\nSubject: Hello msg\r\n',
    attachments: [{ name: 'inner.eml', data: inner }, { name: 'a.txt', data: Buffer.from('abc') }],
    recipients: [{ name: 'Al', email: 'al@x.example' }],
  });
  const v = await parseMessage(raw, { file: 't.msg' });
  assert.equal(v.from.address, 'bob@corp.example');
  assert.equal(v.subject, 'Hello msg');
  assert.equal(v.replyTo[0].address, 'x@gmail.com');
  assert.equal(v.to[0].address, 'al@x.example');
  assert.deepEqual(v.links.map((l) => l.href), ['http://phish.example/a']);
  assert.equal(v.attachments.find((a) => a.filename === 'a.txt')?.sha256, createHash('sha256').update('abc').digest('hex'));
  assert.equal(v.nested.length, 1);
  assert.equal(v.nested[0].subject, 'inner');
});

test('.msg without transport headers falls back to MAPI sender properties', async () => {
  const v = await parseMessage(buildMsg({ subject: 'S', senderName: 'Eve', senderEmail: 'eve@x.example', body: 'b' }), { file: 'e.msg' });
  assert.equal(v.from.address, 'eve@x.example');
  assert.equal(v.from.name, 'Eve');
});

test('html scanner: stray "<", unterminated tags, attribute quoting, entity decoding', () => {
  const s = scanHtml('a < b <a href=\'https://x.example/1\'>one</a> <A HREF="https://x.example/2" >two<img alt="pic" src=cid:1></a> <a href=https://x.example/3>three');
  assert.deepEqual(s.links.filter((l) => l.source === 'html-href').map((l) => [l.href, l.text]), [
    ['https://x.example/1', 'one'], ['https://x.example/2', 'two pic'], ['https://x.example/3', 'three'],
  ]);
  assert.match(s.text, /a < b one/);
  assert.equal(decodeEntities('&lt;&#x41;&#66;&unknown;&amp'), '<AB&unknown;&');
  assert.deepEqual(textLinks('go to https://a.example/x). and www.b.example, or hxxp://c.example').map((l) => l.href),
    ['https://a.example/x', 'www.b.example', 'hxxp://c.example']);
});

test('header block parser unfolds and decodes encoded words', () => {
  const h = parseHeaderBlock('Subject: =?utf-8?B?w4fDoCB2YQ==?=\r\n continued\r\nX-A: 1\r\nbroken line\r\n');
  assert.equal(h[0].value, 'Çà va continued');
  assert.equal(h[1].key, 'x-a');
  assert.equal(h.length, 2);
});

test('base64 bodies: any line length, padding inside the stream, junk characters, a truncated tail', async () => {
  let seed = 99;
  const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
  for (let round = 0; round < 30; round++) {
    // pieces encoded separately (some mailers pad every line), then wrapped at odd widths with junk mixed in
    const pieces: Buffer[] = Array.from({ length: 1 + rnd(4) }, () => Buffer.from(Array.from({ length: rnd(3000) }, () => rnd(256))));
    let b64 = pieces.map((p) => p.toString('base64')).join('');
    let expected = Buffer.concat(pieces);
    if (round % 5 === 4) { b64 = b64.replace(/=+$/, '').slice(0, -1); expected = Buffer.from(b64, 'base64'); } // cut mid-group
    const width = [76, 64, 73, 1000, 3][round % 5];
    const lines: string[] = [];
    for (let i = 0; i < b64.length; i += width) {
      let l = b64.slice(i, i + width);
      if (round % 3 === 1 && rnd(4) === 0) l = l.slice(0, 5) + ' *\u00e9' + l.slice(5);
      lines.push(l);
    }
    const raw = Buffer.from(['From: a@example.com', 'To: b@example.com', 'Subject: t', 'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b"', '', '--b', 'Content-Type: text/plain', '', 'hi', '--b',
      'Content-Type: application/octet-stream; name="x.bin"', 'Content-Transfer-Encoding: base64', '', ...lines, '--b--', ''].join('\r\n'), 'latin1');
    const v = await parseMessage(raw, { file: 'b64.eml' });
    const got = Buffer.from(v.attachments[0]?.content ?? new Uint8Array());
    assert.ok(got.equals(expected), `round ${round}: ${got.length} bytes decoded, ${expected.length} expected`);
    assert.equal(v.attachments[0].sha256, createHash('sha256').update(expected).digest('hex'));
  }
});

test('squeezeSpace equals the two-regex white-space clean-up on random text', () => {
  const ref = (s: string): string => s.replace(/[ \t\u00a0]+/g, ' ').replace(/ ?\n[\s]*/g, '\n').trim();
  const alpha = ['a', 'b', ' ', '\t', '\u00a0', '\n', '\r', '\v', '\f', '\u2003', '\u3000', '\ufeff', '\u180e', '\u2028', 'é'];
  let seed = 1;
  const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
  for (let k = 0; k < 20000; k++) {
    let s = '';
    const len = rnd(14);
    for (let i = 0; i < len; i++) s += alpha[rnd(alpha.length)];
    assert.equal(squeezeSpace(s), ref(s), JSON.stringify(s));
  }
  assert.equal(squeezeSpace('  a \t b \n\n  c\u00a0\n'), 'a b\nc');
});
