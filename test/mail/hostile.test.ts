/** Hostile messages: broken MIME, huge headers, deep nesting, bad encodings, many parts. No crash, limits hold. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage } from '../../src/mail/message.js';
import { scanMessage } from '../../src/mail/scan.js';
import { defaultConfig } from '../../src/mail/config.js';
import { scanHtml } from '../../src/mail/html.js';

const config = defaultConfig();
async function scanRaw(raw: Buffer | string, limits = {}) {
  const v = await parseMessage(Buffer.isBuffer(raw) ? raw : Buffer.from(raw, 'latin1'), { file: 'hostile' }, limits);
  const r = await scanMessage(v, { config });
  return { v, r };
}

test('broken MIME: missing closing boundary, bogus boundary, truncated base64 — still analysed', async () => {
  const raw = 'From: a@evil.example\r\nSubject: broken\r\nContent-Type: multipart/mixed; boundary="zz"\r\n\r\n--zz\r\nContent-Type: text/html\r\n\r\n<a href="https://evil.example/x">x</a>\r\n--zz\r\nContent-Type: application/octet-stream; name="a.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\nQUJD!!!#$%\r\nQU';
  const { v, r } = await scanRaw(raw);
  assert.ok(v.links.some((l) => l.href === 'https://evil.example/x'));
  assert.ok(['clean', 'suspicious', 'phishing', 'malicious'].includes(r.verdict));
});

test('no header/body separator, binary garbage, empty input', async () => {
  for (const raw of [Buffer.from('From: x@y.example\r\nSubject: nothing after'), Buffer.from([0, 1, 2, 255, 254, 10, 13, 0]), Buffer.alloc(0)]) {
    const { r } = await scanRaw(raw);
    assert.equal(typeof r.score, 'number');
  }
});

test('huge header block: over the header limit the message is still read (fallback) and the problem noted', async () => {
  const big = 'X-Junk: ' + 'A'.repeat(1000) + '\r\n';
  const raw = 'From: a@b.example\r\nSubject: big headers\r\n' + big.repeat(3000) + '\r\nbody https://after-headers.example/\r\n';
  const { v } = await scanRaw(raw);
  assert.ok(v.parseProblems.length > 0, 'limit noted');
  assert.equal(v.from.address, 'a@b.example');
  // a single header line of 5 MB
  const { v: v2 } = await scanRaw('From: a@b.example\r\nSubject: ' + 'S'.repeat(5_000_000) + '\r\n\r\nbody\r\n', { maxSize: 1 << 20 });
  assert.ok(v2.parseProblems.some((p) => /only the first/.test(p)));
});

test('deep MIME nesting (2000 levels) is refused by the parser limit and read as text', async () => {
  let raw = 'From: a@b.example\r\nSubject: deep\r\nContent-Type: multipart/mixed; boundary="b0"\r\n\r\n';
  for (let i = 1; i < 2000; i++) raw += `--b${i - 1}\r\nContent-Type: multipart/mixed; boundary="b${i}"\r\n\r\n`;
  raw += '--b1999\r\nContent-Type: text/plain\r\n\r\nhttps://deep.example/\r\n';
  const { v } = await scanRaw(raw);
  assert.ok(v.parseProblems.some((p) => /MIME structure rejected/.test(p)));
  assert.equal(v.from.address, 'a@b.example');
});

test('attached messages nested 30 deep: analysed down to the nesting limit only', async () => {
  let msg = 'From: z@deep.example\r\nSubject: level 30\r\n\r\nbottom\r\n';
  for (let i = 29; i >= 0; i--) {
    msg = `From: l${i}@deep.example\r\nSubject: level ${i}\r\nContent-Type: multipart/mixed; boundary="n${i}"\r\n\r\n--n${i}\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment; filename="l${i}.eml"\r\n\r\n${msg}\r\n--n${i}--\r\n`;
  }
  const { v, r } = await scanRaw(msg, { maxNestedDepth: 4 });
  let depth = 0;
  let cur = v;
  while (cur.nested.length) { cur = cur.nested[0]; depth++; }
  assert.equal(depth, 4);
  assert.ok(cur.parseProblems.some((p) => /nesting deeper/.test(p)));
  let rd = 0;
  let rc = r;
  while (rc.attached.length) { rc = rc.attached[0]; rd++; }
  assert.equal(rd, 4);
});

test('many parts: attachments capped, links capped', async () => {
  const parts: string[] = [];
  for (let i = 0; i < 3000; i++) parts.push(`--p\r\nContent-Type: application/octet-stream; name="f${i}.bin"\r\nContent-Disposition: attachment; filename="f${i}.bin"\r\n\r\nx${i}\r\n`);
  const links = Array.from({ length: 5000 }, (_, i) => `<a href="https://l${i}.example/">x</a>`).join('');
  const raw = `From: a@b.example\r\nSubject: parts\r\nContent-Type: multipart/mixed; boundary="p"\r\n\r\n--p\r\nContent-Type: text/html\r\n\r\n${links}\r\n${parts.join('')}--p--\r\n`;
  const { v, r } = await scanRaw(raw, { maxParts: 100, maxLinks: 500 });
  assert.equal(v.attachments.length, 100);
  assert.ok(v.parseProblems.some((p) => /only the first 100/.test(p)));
  assert.ok(v.links.length <= 500);
  assert.ok(r.indicators.urls.length <= 200);
});

test('bad encodings: unknown charset, invalid UTF-8, broken encoded words, NUL bytes in headers', async () => {
  const raw = Buffer.concat([
    Buffer.from('From: =?x-unknown?Q?=FF=FE?= <a@b.example>\r\nSubject: =?utf-8?B?////?= =?utf-8?Q?broken\r\nX-Nul: a\u0000b\r\nContent-Type: text/plain; charset="no-such-charset"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n', 'latin1'),
    Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0x3d, 0x0a]),
    Buffer.from('=ZZ =\r\nhttps://enc.example/\r\n'),
  ]);
  const { v } = await scanRaw(raw);
  assert.equal(v.from.address, 'a@b.example');
  assert.ok(v.links.some((l) => l.href.startsWith('https://enc.example')));
});

test('HTML scanner stays linear on pathological input', () => {
  const evil = '<a href="'.repeat(20000) + '<'.repeat(50000) + '&#'.repeat(50000) + '<script>'.repeat(1000);
  const s = scanHtml(evil);
  assert.ok(s.links.length <= 2000);
  const unclosed = '<div>'.repeat(100000) + '<a href=x>'.repeat(10000);
  assert.ok(scanHtml(unclosed).links.length <= 2000);
});

test('a check that throws becomes CHECK_FAILED, the scan goes on', async () => {
  const v = await parseMessage(Buffer.from('From: a@b.example\r\nSubject: s\r\n\r\nbody\r\n'), { file: 'x' });
  const r = await scanMessage(v, {
    config,
    checks: [
      { name: 'boom', run: () => { throw new Error('kaboom'); } },
      { name: 'ok', run: () => [{ symbol: 'TEST_SIGNAL', score: 1, reason: 'seen' }] },
    ],
  });
  assert.deepEqual(r.symbols.map((s) => s.symbol).sort(), ['CHECK_FAILED', 'TEST_SIGNAL']);
  assert.match(r.symbols.find((s) => s.symbol === 'CHECK_FAILED')!.reason, /boom.*kaboom/);
});

test('tag and entity names that are Object prototype keys do not confuse the scanner', () => {
  const s = scanHtml('<constructor href="x"><__proto__ src="y"><toString>&constructor; &hasOwnProperty; <a href="https://ok.example/">ok</a>');
  assert.deepEqual(s.links.map((l) => l.href), ['https://ok.example/']);
  assert.match(s.text, /&constructor; &hasOwnProperty;/);
});
