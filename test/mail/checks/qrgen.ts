/**
 * A minimal QR encoder for test fixtures only: byte mode, error correction level L, versions 1–3, mask 0.
 * Written from the QR specification (ISO/IEC 18004) so the tests can build PNG images that hold a known URL.
 */
import { PNG } from 'pngjs';

const VERSIONS: Record<number, { total: number; ec: number; align: number[] }> = {
  1: { total: 26, ec: 7, align: [] },
  2: { total: 44, ec: 10, align: [6, 18] },
  3: { total: 70, ec: 15, align: [6, 22] },
};

function gfMul(x: number, y: number): number {
  let z = 0;
  for (let i = 7; i >= 0; i--) {
    z = (z << 1) ^ ((z >>> 7) * 0x11d);
    z ^= ((y >>> i) & 1) * x;
  }
  return z & 0xff;
}

function rsDivisor(degree: number): number[] {
  const r = new Array<number>(degree).fill(0);
  r[degree - 1] = 1;
  let root = 1;
  for (let i = 0; i < degree; i++) {
    for (let j = 0; j < r.length; j++) {
      r[j] = gfMul(r[j], root);
      if (j + 1 < r.length) r[j] ^= r[j + 1];
    }
    root = gfMul(root, 0x02);
  }
  return r;
}

function rsRemainder(data: number[], divisor: number[]): number[] {
  const r = new Array<number>(divisor.length).fill(0);
  for (const b of data) {
    const factor = b ^ (r.shift() as number);
    r.push(0);
    divisor.forEach((coef, i) => { r[i] ^= gfMul(coef, factor); });
  }
  return r;
}

/** Module matrix (true = dark) for `text`. */
export function qrMatrix(text: string): boolean[][] {
  const bytes = [...Buffer.from(text, 'utf8')];
  const version = [1, 2, 3].find((v) => VERSIONS[v].total - VERSIONS[v].ec - 2 >= bytes.length);
  if (!version) throw new Error('text too long for this test encoder');
  const { total, ec, align } = VERSIONS[version];
  const dataLen = total - ec;
  const bits: number[] = [];
  const put = (v: number, n: number) => { for (let i = n - 1; i >= 0; i--) bits.push((v >>> i) & 1); };
  put(4, 4); put(bytes.length, 8);
  for (const b of bytes) put(b, 8);
  put(0, Math.min(4, dataLen * 8 - bits.length));
  while (bits.length % 8) bits.push(0);
  for (let pad = 0xec; bits.length < dataLen * 8; pad ^= 0xec ^ 0x11) put(pad, 8);
  const data: number[] = [];
  for (let i = 0; i < bits.length; i += 8) data.push(parseInt(bits.slice(i, i + 8).join(''), 2));
  const all = [...data, ...rsRemainder(data, rsDivisor(ec))];
  const size = version * 4 + 17;
  const m: boolean[][] = Array.from({ length: size }, () => new Array<boolean>(size).fill(false));
  const fn: boolean[][] = Array.from({ length: size }, () => new Array<boolean>(size).fill(false));
  const set = (x: number, y: number, dark: boolean) => { m[y][x] = dark; fn[y][x] = true; };
  for (let i = 0; i < size; i++) { set(6, i, i % 2 === 0); set(i, 6, i % 2 === 0); }
  const finder = (cx: number, cy: number) => {
    for (let dy = -4; dy <= 4; dy++) for (let dx = -4; dx <= 4; dx++) {
      const x = cx + dx, y = cy + dy;
      if (x < 0 || y < 0 || x >= size || y >= size) continue;
      const d = Math.max(Math.abs(dx), Math.abs(dy));
      set(x, y, d !== 2 && d !== 4);
    }
  };
  finder(3, 3); finder(size - 4, 3); finder(3, size - 4);
  if (align.length) {
    const a = align[1];
    for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) set(a + dx, a + dy, Math.max(Math.abs(dx), Math.abs(dy)) !== 1);
  }
  // format bits: level L (01), mask 0
  const fb = (1 << 3) | 0;
  let rem = fb;
  for (let i = 0; i < 10; i++) rem = (rem << 1) ^ ((rem >>> 9) * 0x537);
  const f = ((fb << 10) | rem) ^ 0x5412;
  const bit = (i: number) => ((f >>> i) & 1) !== 0;
  for (let i = 0; i <= 5; i++) set(8, i, bit(i));
  set(8, 7, bit(6)); set(8, 8, bit(7)); set(7, 8, bit(8));
  for (let i = 9; i < 15; i++) set(14 - i, 8, bit(i));
  for (let i = 0; i < 8; i++) set(size - 1 - i, 8, bit(i));
  for (let i = 8; i < 15; i++) set(8, size - 15 + i, bit(i));
  set(8, size - 8, true);
  let k = 0;
  for (let right = size - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5;
    for (let vert = 0; vert < size; vert++) {
      for (let j = 0; j < 2; j++) {
        const x = right - j;
        const upward = ((right + 1) & 2) === 0;
        const y = upward ? size - 1 - vert : vert;
        if (!fn[y][x] && k < all.length * 8) {
          m[y][x] = ((all[k >>> 3] >>> (7 - (k & 7))) & 1) !== 0;
          k++;
        }
      }
    }
  }
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) if (!fn[y][x] && (x + y) % 2 === 0) m[y][x] = !m[y][x];
  return m;
}

/** PNG of the QR code for `text`, `scale` pixels per module, 4-module quiet zone. */
export function qrPng(text: string, scale = 6): Buffer {
  const m = qrMatrix(text);
  const n = (m.length + 8) * scale;
  const png = new PNG({ width: n, height: n });
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) {
    const my = Math.floor(y / scale) - 4, mx = Math.floor(x / scale) - 4;
    const dark = my >= 0 && mx >= 0 && my < m.length && mx < m.length && m[my][mx];
    const o = (y * n + x) * 4;
    png.data[o] = png.data[o + 1] = png.data[o + 2] = dark ? 0 : 255;
    png.data[o + 3] = 255;
  }
  return PNG.sync.write(png);
}
