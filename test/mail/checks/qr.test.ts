import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { qrCheck, findQr, mayHoldQr, finderTriangle, PRESCREEN_MIN_PIXELS } from '../../../src/mail/checks/qr.js';
import { qrMatrix, qrPng } from './qrgen.js';
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

/** A large RGBA canvas with a textured background and the QR code of `text` drawn at (ox, oy), rotated by `angle`. */
function scene(text: string, W: number, H: number, scale: number, ox: number, oy: number, angle: number, grain = 50): PNG {
  const m = qrMatrix(text);
  const size = m.length + 8;
  const png = new PNG({ width: W, height: H });
  const ca = Math.cos(angle), sa = Math.sin(angle), c = (size * scale) / 2;
  let seed = 3;
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const dx = x - ox - c, dy = y - oy - c;
    const u = (ca * dx + sa * dy + c) / scale, w = (-sa * dx + ca * dy + c) / scale;
    let v: number;
    if (u >= 0 && w >= 0 && u < size && w < size) {
      const mx = Math.floor(u) - 4, my = Math.floor(w) - 4;
      v = mx >= 0 && my >= 0 && mx < m.length && my < m.length && m[my][mx] ? 25 : 235;
    } else {
      // a photo-like background: smooth shading plus grain
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      v = 90 + 60 * Math.sin(x / 90) + 40 * Math.cos(y / 70) + ((seed >> 8) % grain) - grain / 2;
    }
    const o = (y * W + x) * 4;
    png.data[o] = png.data[o + 1] = png.data[o + 2] = Math.max(0, Math.min(255, v));
    png.data[o + 3] = 255;
  }
  return png;
}

test('large images: the pre-screen lets QR codes through (any rotation, PNG or JPEG) and rejects textures', () => {
  const url = 'https://login-micros0ft.com/x';
  for (const angle of [0, 0.2, 0.5, 0.785]) {
    const png = scene(url, 480, 360, 3, 150, 80, angle);
    assert.ok(png.width * png.height >= PRESCREEN_MIN_PIXELS);
    assert.ok(mayHoldQr(png.data, png.width, png.height), `pre-screen, angle ${angle}`);
  }
  // end to end where jsQR itself reads the code (it fails on some rotations of this jagged rendering)
  for (const [angle, fmt] of [[0, 'png'], [0.2, 'png'], [0, 'jpeg']] as const) {
    const png = scene(url, 480, 360, 3, 150, 80, angle);
    const bytes = fmt === 'png' ? PNG.sync.write(png) : Buffer.from(jpeg.encode({ data: png.data, width: png.width, height: png.height }, 80).data);
    assert.equal(findQr(bytes), url, `decoded, angle ${angle} ${fmt}`);
  }
  const texture = scene(url, 480, 360, 3, 5000, 5000, 0, 8); // the code is drawn off the canvas: shading only
  assert.equal(mayHoldQr(texture.data, texture.width, texture.height), false);
  assert.equal(findQr(PNG.sync.write(texture)), null);
});

test('finderTriangle: three finder centres at a right angle with equal arms, not any three points', () => {
  const m = 4;
  assert.ok(finderTriangle([{ x: 100, y: 100, m }, { x: 200, y: 100, m }, { x: 100, y: 200, m }]));
  assert.ok(finderTriangle([{ x: 100, y: 100, m }, { x: 171, y: 171, m }, { x: 29, y: 171, m }])); // rotated 45°
  assert.equal(finderTriangle([{ x: 100, y: 100, m }, { x: 200, y: 100, m }, { x: 300, y: 100, m }]), false); // a line
  assert.equal(finderTriangle([{ x: 100, y: 100, m }, { x: 200, y: 100, m: 12 }, { x: 100, y: 200, m }]), false); // sizes differ
  assert.equal(finderTriangle([{ x: 100, y: 100, m }, { x: 110, y: 100, m }, { x: 100, y: 110, m }]), false); // arms too short
});
