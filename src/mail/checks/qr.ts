/**
 * QR-code check ("quishing"): PNG (pngjs) and JPEG (jpeg-js) images attached or inline are decoded within size
 * bounds and searched for QR codes with jsQR; a decoded web address is judged like any other link.
 */
import type { Check, CheckContext, MessageView, SymbolHit } from '../types.js';
import { sniff } from '../inspect/sniff.js';
import { judgeLink } from './links.js';
import { judgeHost } from './lookalike.js';
import { parseUrl } from '../inspect/url.js';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';

type JsQr = (data: Uint8ClampedArray, w: number, h: number, o?: { inversionAttempts?: 'dontInvert' | 'attemptBoth' }) => { data: string } | null;
type PngSync = { sync: { read(b: Buffer): { data: Buffer; width: number; height: number } } };
type JpegDecode = (b: Uint8Array, o: object) => { data: Uint8Array; width: number; height: number };

/*
 * The decoders (CommonJS) are loaded on first use with require: a batch without images never pays for them, and
 * loading them with require skips the CommonJS export scan an ESM import does at start-up.
 */
const requireCjs = createRequire(import.meta.url);
let decoders: { jsQR: JsQr; PNG: PngSync; jpegDecode: JpegDecode } | null = null;
function libs(): { jsQR: JsQr; PNG: PngSync; jpegDecode: JpegDecode } {
  if (!decoders) {
    const q = requireCjs('jsqr') as { default?: JsQr } & JsQr;
    decoders = {
      // jsqr's typings declare a default export: take the function whichever way it arrives
      jsQR: q.default ?? q,
      PNG: (requireCjs('pngjs') as { PNG: PngSync }).PNG,
      jpegDecode: (requireCjs('jpeg-js') as { decode: JpegDecode }).decode,
    };
  }
  return decoders;
}

/** Limits: images per message, pixels per image (decoded), smallest side worth scanning. */
export const QR_LIMITS = { maxImages: 3, maxPixels: 2_500_000, scanPixels: 500_000, minSide: 60, maxBytes: 4 * 1024 * 1024, budgetMs: 250 };

interface Rgba { data: Uint8Array | Uint8ClampedArray; width: number; height: number }

function pngSize(b: Uint8Array): [number, number] | null {
  if (b.length < 24) return null;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return [dv.getUint32(16), dv.getUint32(20)];
}

function jpegSize(b: Uint8Array): [number, number] | null {
  let i = 2;
  for (let k = 0; k < 1000 && i + 9 < b.length; k++) {
    if (b[i] !== 0xff) { i++; continue; }
    const marker = b[i + 1];
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { i += 2; continue; }
    const len = (b[i + 2] << 8) | b[i + 3];
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return [(b[i + 7] << 8) | b[i + 8], (b[i + 5] << 8) | b[i + 6]];
    }
    i += 2 + len;
  }
  return null;
}

/** Decode an image within bounds; null when not PNG/JPEG, too big, too small or broken. */
export function decodeImage(b: Uint8Array): Rgba | null {
  if (b.length > QR_LIMITS.maxBytes) return null;
  const t = sniff(b);
  const size = t === 'png' ? pngSize(b) : t === 'jpeg' ? jpegSize(b) : null;
  if (!size) return null;
  const [w, h] = size;
  if (w < QR_LIMITS.minSide || h < QR_LIMITS.minSide || w * h > QR_LIMITS.maxPixels) return null;
  // banners and strips: a QR code needs a roughly square area, and such images are rarely anything but layout
  if (w > h * 4 || h > w * 4) return null;
  try {
    if (t === 'png') {
      const p = libs().PNG.sync.read(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
      return { data: p.data, width: p.width, height: p.height };
    }
    const j = libs().jpegDecode(b, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: QR_LIMITS.maxPixels / 1e6, maxMemoryUsageInMB: 128, tolerantDecoding: true });
    return { data: j.data, width: j.width, height: j.height };
  } catch {
    return null;
  }
}

/** Halve an RGBA image until it fits the scan budget (QR codes survive this). */
function shrink(img: Rgba): Rgba {
  let cur = img;
  while (cur.width * cur.height > QR_LIMITS.scanPixels && cur.width >= 4 && cur.height >= 4) {
    const w = cur.width >> 1, h = cur.height >> 1;
    const out = new Uint8ClampedArray(w * h * 4);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const s = ((y * 2) * cur.width + x * 2) * 4;
        const d = (y * w + x) * 4;
        out[d] = cur.data[s]; out[d + 1] = cur.data[s + 1]; out[d + 2] = cur.data[s + 2]; out[d + 3] = 255;
      }
    }
    cur = { data: out, width: w, height: h };
  }
  return cur;
}

/**
 * Images at least this large (pixels, after shrinking) are pre-screened by `mayHoldQr` before jsQR: on a photo or a
 * screenshot jsQR spends tens of milliseconds chasing finder-pattern look-alikes; smaller images go to jsQR directly.
 */
export const PRESCREEN_MIN_PIXELS = 60_000;

/**
 * Fast necessary-condition test for a QR code, on the image jsQR would read: the image is binarised the way jsQR
 * does it (8×8 blocks, black point from the 5×5 neighbouring blocks), rows are scanned for the 1:1:3:1:1
 * dark/light/dark/light/dark runs of a finder pattern with jsQR's own tolerance, runs in consecutive rows are grouped
 * (at least 3 rows tall, dark centre), and each group must also show 1:1:3:1:1 runs vertically through its centre.
 * A QR code has three such finder patterns; fewer than three means jsQR cannot find one either (it needs three),
 * except when a finder pattern is too distorted to read vertically, which jsQR would then rarely decode anyway.
 */
export function mayHoldQr(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number): boolean {
  const n = width * height;
  const grey = new Uint8ClampedArray(n);
  for (let i = 0, o = 0; i < n; i++, o += 4) grey[i] = 0.2126 * rgba[o] + 0.7152 * rgba[o + 1] + 0.0722 * rgba[o + 2];
  const R = 8;
  const hc = Math.ceil(width / R), vc = Math.ceil(height / R);
  const bp = new Float64Array(hc * vc);
  for (let vr = 0; vr < vc; vr++) {
    for (let hr = 0; hr < hc; hr++) {
      let sum = 0, min = 255, max = 0, cnt = 0;
      const y1 = Math.min(height, vr * R + R), x1 = Math.min(width, hr * R + R);
      for (let y = vr * R; y < y1; y++) {
        for (let x = hr * R, i = y * width + x; x < x1; x++, i++) {
          const v = grey[i];
          sum += v; cnt++;
          if (v < min) min = v;
          if (v > max) max = v;
        }
      }
      let avg = sum / cnt;
      if (max - min <= 24) {
        avg = min / 2;
        if (vr > 0 && hr > 0) {
          const nb = (bp[(vr - 1) * hc + hr] + 2 * bp[vr * hc + hr - 1] + bp[(vr - 1) * hc + hr - 1]) / 4;
          if (min < nb) avg = nb;
        }
      }
      bp[vr * hc + hr] = avg;
    }
  }
  const dark = new Uint8Array(n);
  for (let vr = 0; vr < vc; vr++) {
    for (let hr = 0; hr < hc; hr++) {
      const left = Math.max(0, Math.min(hc - 1, Math.max(2, Math.min(hr, hc - 3)) - 2));
      const top = Math.max(0, Math.min(vc - 1, Math.max(2, Math.min(vr, vc - 3)) - 2));
      let sum = 0, k = 0;
      for (let yy = top; yy < Math.min(vc, top + 5); yy++) for (let xx = left; xx < Math.min(hc, left + 5); xx++) { sum += bp[yy * hc + xx]; k++; }
      const th = sum / k;
      const y1 = Math.min(height, vr * R + R), x1 = Math.min(width, hr * R + R);
      for (let y = vr * R; y < y1; y++) for (let x = hr * R, i = y * width + x; x < x1; x++, i++) dark[i] = grey[i] <= th ? 1 : 0;
    }
  }
  const at = (x: number, y: number): number => (x < 0 || y < 0 || x >= width || y >= height ? 0 : dark[y * width + x]);
  /** jsQR's (very loose) finder-pattern ratio test */
  const ok5 = (s0: number, s1: number, s2: number, s3: number, s4: number): boolean => {
    const a = (s0 + s1 + s2 + s3 + s4) / 7;
    return Math.abs(s0 - a) < a && Math.abs(s1 - a) < a && Math.abs(s2 - 3 * a) < 3 * a && Math.abs(s3 - a) < a && Math.abs(s4 - a) < a;
  };
  /** a closer 1:1:3:1:1 test for the vertical confirmation (each run within 60% of a module, the centre 3 ± 1.8) */
  const tight5 = (s0: number, s1: number, s2: number, s3: number, s4: number): boolean => {
    const a = (s0 + s1 + s2 + s3 + s4) / 7;
    const t = a * 0.6 + 0.75;
    return Math.abs(s0 - a) < t && Math.abs(s1 - a) < t && Math.abs(s2 - 3 * a) < 3 * t && Math.abs(s3 - a) < t && Math.abs(s4 - a) < t;
  };
  /** vertical 1:1:3:1:1 through (x, y), a dark pixel: the module size, or 0 when the runs do not fit */
  const vertical = (x: number, y: number): number => {
    const run = (dir: number): [number, number, number] => {
      const r: [number, number, number] = [0, 0, 0];
      let yy = y, want = 1;
      for (let k = 0; k < 3; k++) {
        while (at(x, yy) === want && r[k] < height) { r[k]++; yy += dir; }
        want ^= 1;
      }
      return r;
    };
    const up = run(-1), down = run(1);
    const c = up[0] + down[0] - 1;
    return tight5(up[2], up[1], c, down[1], down[2]) ? (up[2] + up[1] + c + down[1] + down[2]) / 7 : 0;
  };
  type Line = { startX: number; endX: number; y: number };
  type Quad = { top: Line; bottom: Line };
  /** confirmed finder-pattern candidates: centre and module size */
  const cands: Array<{ x: number; y: number; m: number }> = [];
  const finish = (q: Quad): void => {
    if (q.bottom.y - q.top.y < 2 || cands.length >= 400) return;
    const cx = Math.round((q.top.startX + q.top.endX + q.bottom.startX + q.bottom.endX) / 4);
    const cy = Math.round((q.top.y + q.bottom.y + 1) / 2);
    if (!at(cx, cy)) return;
    const mv = vertical(cx, cy);
    if (!mv) return;
    const mh = ((q.top.endX - q.top.startX) + (q.bottom.endX - q.bottom.startX)) / 6;
    cands.push({ x: cx, y: cy, m: (mv + mh) / 2 });
  };
  let active: Quad[] = [];
  const row = new Int32Array(5);
  for (let y = 0; y <= height; y++) {
    let len = 0, last = 0;
    row.fill(0);
    const base = y * width;
    for (let x = -1; x <= width; x++) {
      const v = x < 0 || x >= width || y >= height ? 0 : dark[base + x];
      if (v === last) { len++; continue; }
      row[0] = row[1]; row[1] = row[2]; row[2] = row[3]; row[3] = row[4]; row[4] = len;
      len = 1;
      last = v;
      if (v || !ok5(row[0], row[1], row[2], row[3], row[4])) continue;
      const endX = x - row[3] - row[4];
      const startX = endX - row[2];
      const line = { startX, endX, y };
      let q: Quad | undefined;
      for (const a of active) {
        const b = a.bottom;
        if ((startX >= b.startX && startX <= b.endX) || (endX >= b.startX && startX <= b.endX)
          || (startX <= b.startX && endX >= b.endX && row[2] / (b.endX - b.startX) < 1.5 && row[2] / (b.endX - b.startX) > 0.5)) { q = a; break; }
      }
      if (q) q.bottom = line;
      else if (active.length < 2000) active.push({ top: line, bottom: line });
    }
    const still: Quad[] = [];
    for (const q of active) {
      if (q.bottom.y === y) still.push(q);
      else finish(q);
    }
    active = still;
  }
  for (const q of active) finish(q);
  return finderTriangle(cands);
}

/**
 * Do three candidates sit like a QR code's finder patterns: similar module sizes, two at the ends of equal,
 * perpendicular arms from the third (any rotation; generous tolerances for scaling and JPEG blur), arms at least
 * 10 modules long (the smallest QR code has 14 between finder centres)?
 */
export function finderTriangle(c: Array<{ x: number; y: number; m: number }>): boolean {
  const n = c.length;
  for (let i = 0; i < n; i++) {
    const a = c[i];
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const b = c[j];
      if (b.m > a.m * 1.7 || a.m > b.m * 1.7) continue;
      const dx = b.x - a.x, dy = b.y - a.y;
      const d = Math.hypot(dx, dy);
      if (d < 10 * Math.min(a.m, b.m)) continue;
      const tol = 0.3 * d;
      for (const s of [1, -1]) {
        const ex = a.x - s * dy, ey = a.y + s * dx;
        for (let k = 0; k < n; k++) {
          if (k === i || k === j) continue;
          const e = c[k];
          if (e.m > a.m * 1.7 || a.m > e.m * 1.7) continue;
          if (Math.abs(e.x - ex) <= tol && Math.abs(e.y - ey) <= tol) return true;
        }
      }
    }
  }
  return false;
}

export function findQr(b: Uint8Array): string | null {
  const img = decodeImage(b);
  if (!img) return null;
  const s = shrink(img);
  const data = s.data instanceof Uint8ClampedArray ? s.data : new Uint8ClampedArray(s.data.buffer, s.data.byteOffset, s.data.byteLength);
  if (s.width * s.height >= PRESCREEN_MIN_PIXELS && !mayHoldQr(data, s.width, s.height)) return null;
  const r = libs().jsQR(data, s.width, s.height, { inversionAttempts: 'dontInvert' });
  return r && r.data ? r.data.slice(0, 4096) : null;
}

/**
 * findQr is a pure function of the image bytes: results are remembered by content hash (bounded, oldest dropped
 * first), so a logo or banner sent in many messages of a batch is decoded once. Results are unchanged.
 */
const QR_CACHE = new Map<string, string | null>();
const QR_CACHE_MAX = 2000;

function findQrCached(b: Uint8Array): string | null {
  const key = createHash('sha256').update(b).digest('hex');
  const hit = QR_CACHE.get(key);
  if (hit !== undefined) return hit;
  const r = findQr(b);
  if (QR_CACHE.size >= QR_CACHE_MAX) QR_CACHE.delete(QR_CACHE.keys().next().value as string);
  QR_CACHE.set(key, r);
  return r;
}

export const qrCheck: Check = {
  name: 'qr',
  run(msg: MessageView, ctx: CheckContext): SymbolHit[] {
    const out: SymbolHit[] = [];
    let scanned = 0;
    const codes: Array<{ file: string; data: string }> = [];
    const started = performance.now();
    for (const a of msg.attachments) {
      if (scanned >= QR_LIMITS.maxImages || performance.now() - started > QR_LIMITS.budgetMs) break;
      const c = a.content;
      if (!c || c.length < 100) continue;
      const isImage = (c[0] === 0x89 && c[1] === 0x50) || (c[0] === 0xff && c[1] === 0xd8);
      if (!isImage) continue;
      scanned++;
      const d = findQrCached(c);
      if (d) codes.push({ file: a.filename || a.contentId || '(inline image)', data: d });
    }
    if (!codes.length) return out;
    const urls = codes.filter((c) => /^(https?:\/\/|www\.)/i.test(c.data.trim()));
    const first = urls[0] ?? codes[0];
    out.push({ symbol: 'QR_CODE', score: urls.length ? 2.5 : 1, kind: 'phishing', reason: `Image "${first.file}" holds a QR code ${urls.length ? `pointing to ${first.data.slice(0, 100)}` : `(${first.data.slice(0, 60)})`}, a way to move the victim to a phone, outside the mail filter.`, evidence: codes.map((c) => c.data.slice(0, 300)).slice(0, 5) });
    const reasons: string[] = [];
    let score = 0;
    for (const u of urls) {
      const found = judgeLink({ href: u.data.trim(), text: '', source: 'attachment' }, ctx);
      for (const f of found) { reasons.push(f.reason.replace(/^A link/, 'The QR link')); score = Math.max(score, f.score ?? 3); }
      const host = parseUrl(u.data.trim())?.host;
      const lk = host ? judgeHost(host, ctx) : null;
      if (lk) { reasons.push(`The QR link host ${host} ${lk.how}${lk.target ? `, imitating ${lk.target}` : ''}.`); score = Math.max(score, 5); }
    }
    if (reasons.length) out.push({ symbol: 'QR_CODE_SUSPICIOUS_LINK', score: Math.max(3, score), kind: 'phishing', reason: reasons[0] + (reasons.length > 1 ? ` (+${reasons.length - 1} more finding(s))` : ''), evidence: urls.map((u) => u.data.slice(0, 300)).slice(0, 5) });
    return out;
  },
};
