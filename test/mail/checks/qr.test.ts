import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { qrCheck, findQr } from '../../../src/mail/checks/qr.js';
import { qrPng } from './qrgen.js';
import { attachment, hit, msg, run, symbols } from './make.js';

test('findQr decodes a QR code in a PNG', () => {
  assert.equal(findQr(qrPng('https://example.com/a')), 'https://example.com/a');
});

test('findQr decodes a QR code in a JPEG', () => {
  const png = PNG.sync.read(qrPng('https://bit.ly/3EI6heo', 8));
  const jpg = jpeg.encode({ data: png.data, width: png.width, height: png.height }, 95);
  assert.equal(findQr(jpg.data), 'https://bit.ly/3EI6heo');
});

test('QR_CODE and QR_CODE_SUSPICIOUS_LINK: a QR pointing to an IP address', async () => {
  const h = await run(qrCheck, msg({ attachments: [attachment('scan-me.png', qrPng('http://198.51.100.7/m365/login'), { mimeType: 'image/png' })] }));
  assert.match(hit(h, 'QR_CODE')!.reason, /198\.51\.100\.7/);
  assert.match(hit(h, 'QR_CODE_SUSPICIOUS_LINK')!.reason, /^The QR link points to a bare IP address/);
});

test('QR_CODE_SUSPICIOUS_LINK for a lookalike host', async () => {
  const h = await run(qrCheck, msg({ attachments: [attachment('mfa.png', qrPng('https://micros0ft.com/mfa'))] }));
  assert.match(hit(h, 'QR_CODE_SUSPICIOUS_LINK')!.reason, /micros0ft\.com/);
});

test('negative: images without QR codes, a benign QR', async () => {
  const blank = new PNG({ width: 120, height: 120 });
  blank.data.fill(255);
  assert.deepEqual(symbols(await run(qrCheck, msg({ attachments: [attachment('logo.png', PNG.sync.write(blank))] }))), []);
  const benign = await run(qrCheck, msg({ attachments: [attachment('ticket.png', qrPng('TICKET 12345'))] }));
  assert.deepEqual(symbols(benign), ['QR_CODE']);
  assert.ok(hit(benign, 'QR_CODE')!.score <= 1);
});

test('hostile images: huge declared size, truncated and corrupt data', async () => {
  const huge = Buffer.from(qrPng('https://example.com/'));
  huge.writeUInt32BE(100_000, 16); huge.writeUInt32BE(100_000, 20);
  const truncated = qrPng('https://example.com/').subarray(0, 200);
  const fakeJpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xc0, 0, 17, 8, 0x7f, 0xff, 0x7f, 0xff]), Buffer.alloc(300, 7)]);
  assert.equal(findQr(huge), null);
  assert.equal(findQr(truncated), null);
  assert.equal(findQr(fakeJpeg), null);
  const h = await run(qrCheck, msg({ attachments: [attachment('a.png', huge), attachment('b.png', truncated), attachment('c.jpg', fakeJpeg)] }));
  assert.deepEqual(symbols(h), []);
});

