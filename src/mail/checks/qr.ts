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

export function findQr(b: Uint8Array): string | null {
  const img = decodeImage(b);
  if (!img) return null;
  const s = shrink(img);
  const data = s.data instanceof Uint8ClampedArray ? s.data : new Uint8ClampedArray(s.data.buffer, s.data.byteOffset, s.data.byteLength);
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
