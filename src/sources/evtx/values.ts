/**
 * EVTX Binary XML value types: decoding a value of a given type and size from a buffer into the JSON value
 * `evtx_dump -o json` prints for it (numbers as numbers, hex types as "0x…", GUIDs upper-case without braces,
 * SIDs as "S-1-…", FILETIME/SYSTEMTIME as ISO-8601 with microseconds and "Z", binary as upper-case hex).
 */
import type { FieldValue } from '../../event.js';

/** Value type codes (the array variant of a type is `type | 0x80`). */
export const VT = {
  Null: 0x00,
  String: 0x01,
  AnsiString: 0x02,
  Int8: 0x03,
  UInt8: 0x04,
  Int16: 0x05,
  UInt16: 0x06,
  Int32: 0x07,
  UInt32: 0x08,
  Int64: 0x09,
  UInt64: 0x0a,
  Real32: 0x0b,
  Real64: 0x0c,
  Bool: 0x0d,
  Binary: 0x0e,
  Guid: 0x0f,
  SizeT: 0x10,
  FileTime: 0x11,
  SysTime: 0x12,
  Sid: 0x13,
  HexInt32: 0x14,
  HexInt64: 0x15,
  EvtHandle: 0x20,
  BinXml: 0x21,
  EvtXml: 0x23,
  Array: 0x80,
} as const;

/** Fixed element size of a type, or 0 for variable-size types. */
export function fixedSize(type: number): number {
  switch (type & 0x7f) {
    case VT.Int8: case VT.UInt8: return 1;
    case VT.Int16: case VT.UInt16: return 2;
    case VT.Int32: case VT.UInt32: case VT.Real32: case VT.HexInt32: case VT.Bool: return 4;
    case VT.Int64: case VT.UInt64: case VT.Real64: case VT.HexInt64: case VT.FileTime: return 8;
    case VT.Guid: case VT.SysTime: return 16;
    default: return 0;
  }
}

const HEX = '0123456789ABCDEF';
const hexByte: string[] = [];
for (let i = 0; i < 256; i++) hexByte.push(HEX[i >> 4] + HEX[i & 15]);

type FastSlices = Buffer & { ucs2Slice(start: number, end: number): string };

/**
 * UTF-16LE text of an even-length byte range the caller has bounds-checked: Buffer's own decoder without the
 * argument handling of `toString` (a record has dozens of short strings), `toString` where that is missing.
 */
export const ucs2: (buf: Buffer, start: number, end: number) => string =
  typeof (Buffer.prototype as Partial<FastSlices>).ucs2Slice === 'function'
    ? (buf, start, end) => (buf as FastSlices).ucs2Slice(start, end)
    : (buf, start, end) => buf.toString('utf16le', start, end);

type Latin1Slices = Buffer & { latin1Slice(start: number, end: number): string };
/** scratch for one-byte strings built piece by piece (GUIDs, times) */
const SCRATCH = Buffer.allocUnsafe(64) as Latin1Slices;
const latin1: (n: number) => string = typeof SCRATCH.latin1Slice === 'function'
  ? (n) => SCRATCH.latin1Slice(0, n)
  : (n) => SCRATCH.toString('latin1', 0, n);

/** UTF-16LE text of a byte range, cut at the first NUL (sized strings often carry a terminator). */
export function utf16(buf: Buffer, start: number, end: number): string {
  if (end <= start) return '';
  if ((end - start) & 1) end--;
  // the usual terminator is not decoded (then no slice of the result is needed to drop it)
  while (end - start >= 2 && buf[end - 1] === 0 && buf[end - 2] === 0) end -= 2;
  // Buffer's decoder (native): V8 makes text within Latin-1 (nearly all of it) a one-byte string — half the memory,
  // and V8's fast paths for lower-casing, hashing and comparing; other text keeps its two-byte form
  let s = ucs2(buf, start, end);
  const z = s.indexOf('\0');
  if (z >= 0) s = s.slice(0, z);
  return s;
}

/** Upper-case hex of bytes. */
export function hexBytes(buf: Buffer, start: number, end: number): string {
  if (end - start > 64) return buf.toString('hex', start, end).toUpperCase();
  let s = '';
  for (let i = start; i < end; i++) s += hexByte[buf[i]];
  return s;
}

/** GUID as evtx_dump prints it: XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX (upper case, no braces). */
export function guid(buf: Buffer, o: number): string {
  // written into the scratch and sliced once: one flat string, not a tree of 20 concatenations
  let j = 0;
  for (let k = 0; k < 16; k++) {
    const b = buf[o + GUID_ORDER[k]!]!;
    SCRATCH[j++] = HEX_CODE[b >> 4]!;
    SCRATCH[j++] = HEX_CODE[b & 15]!;
    if (k === 3 || k === 5 || k === 7 || k === 9) SCRATCH[j++] = 45;
  }
  return latin1(36);
}
/** byte order of a GUID's text (the first three groups little-endian) */
const GUID_ORDER = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];
const HEX_CODE = Buffer.from(HEX, 'latin1');

/** SID "S-1-5-21-…"; returns undefined when the bytes cannot hold the declared sub-authorities. */
export function sid(buf: Buffer, o: number, end: number): { text: string; size: number } | undefined {
  if (o + 8 > end) return undefined;
  const rev = buf[o];
  const n = buf[o + 1];
  const size = 8 + 4 * n;
  if (o + size > end) return undefined;
  const auth = buf.readUIntBE(o + 2, 6);
  let s = 'S-' + rev + '-' + auth;
  for (let i = 0; i < n; i++) s += '-' + buf.readUInt32LE(o + 8 + 4 * i);
  return { text: s, size };
}

const EPOCH_DIFF_S = 11644473600; // seconds between 1601-01-01 and 1970-01-01

function pad(n: number, w: number): string {
  const s = String(n);
  return s.length >= w ? s : '0'.repeat(w - s.length) + s;
}


/** two decimal digits of n (0–99) into the scratch at j */
function digits2(j: number, n: number): void {
  const t = Math.floor(n / 10);
  SCRATCH[j] = 48 + t;
  SCRATCH[j + 1] = 48 + (n - t * 10);
}

/** Last second of 9999-12-31 and first of 0000-01-01, in Unix seconds: the range the arithmetic path covers. */
const MAX_FAST_S = 253402300799;
const MIN_FAST_S = -62167219200;

/** ISO date-time text with microseconds from seconds since the Unix epoch + microseconds. */
function isoMicros(unixSeconds: number, micros: number): string {
  if (unixSeconds >= MIN_FAST_S && unixSeconds <= MAX_FAST_S) {
    // proleptic Gregorian calendar from a day count (no Date object per value)
    const days = Math.floor(unixSeconds / 86400);
    const sod = unixSeconds - days * 86400;
    const z = days + 719468;
    const era = Math.floor(z / 146097);
    const doe = z - era * 146097;
    const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
    const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
    const mp = Math.floor((5 * doy + 2) / 153);
    const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
    const m = mp < 10 ? mp + 3 : mp - 9;
    const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
    const h = Math.floor(sod / 3600);
    const mi = Math.floor((sod - h * 3600) / 60);
    const sec = sod - h * 3600 - mi * 60;
    // written into the scratch and sliced once (one flat one-byte string, not a tree of concatenations)
    digits2(0, Math.floor(y / 100));
    digits2(2, y % 100);
    SCRATCH[4] = 45; // -
    digits2(5, m);
    SCRATCH[7] = 45;
    digits2(8, d);
    SCRATCH[10] = 84; // T
    digits2(11, h);
    SCRATCH[13] = 58; // :
    digits2(14, mi);
    SCRATCH[16] = 58;
    digits2(17, sec);
    SCRATCH[19] = 46; // .
    digits2(20, Math.floor(micros / 10000));
    digits2(22, Math.floor(micros / 100) % 100);
    digits2(24, micros % 100);
    SCRATCH[26] = 90; // Z
    return latin1(27);
  }
  const ms = unixSeconds * 1000;
  if (!(ms >= -8.64e15 && ms <= 8.64e15)) return '';
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const ys = y >= 0 && y <= 9999 ? pad(y, 4) : (y < 0 ? '-' : '+') + pad(Math.abs(y), 6);
  return (
    ys + '-' + pad(d.getUTCMonth() + 1, 2) + '-' + pad(d.getUTCDate(), 2) + 'T' + pad(d.getUTCHours(), 2) + ':' +
    pad(d.getUTCMinutes(), 2) + ':' + pad(d.getUTCSeconds(), 2) + '.' + pad(micros, 6) + 'Z'
  );
}

/** FILETIME (100 ns ticks since 1601, as two 32-bit halves) → "YYYY-MM-DDTHH:MM:SS.ffffffZ". */
export function filetimeText(lo: number, hi: number): string {
  let secs: number;
  let rem: number; // 100 ns ticks within the second
  if (hi < 0x40000000) {
    // 2^32 = 429 × 10^7 + 4,967,296: split so every intermediate stays an exact integer below 2^53
    const a = hi * 4967296 + lo;
    const q = Math.floor(a / 1e7);
    secs = hi * 429 + q;
    rem = a - q * 1e7;
  } else {
    const t = (BigInt(hi) << 32n) | BigInt(lo);
    secs = Number(t / 10000000n);
    rem = Number(t % 10000000n);
  }
  return isoMicros(secs - EPOCH_DIFF_S, Math.floor(rem / 10));
}

/** FILETIME → milliseconds since the Unix epoch (for record timestamps). */
export function filetimeMs(lo: number, hi: number): number {
  return (hi * 4294967296 + lo) / 1e4 - EPOCH_DIFF_S * 1000;
}

/** SYSTEMTIME (8 × u16: year, month, weekday, day, hour, minute, second, ms) → ISO text with microseconds. */
export function systemtimeText(buf: Buffer, o: number): string {
  const y = buf.readUInt16LE(o);
  const mo = buf.readUInt16LE(o + 2);
  const d = buf.readUInt16LE(o + 6);
  const h = buf.readUInt16LE(o + 8);
  const mi = buf.readUInt16LE(o + 10);
  const s = buf.readUInt16LE(o + 12);
  const ms = buf.readUInt16LE(o + 14);
  if (y === 0 && mo === 0 && d === 0) return '';
  return pad(y, 4) + '-' + pad(mo, 2) + '-' + pad(d, 2) + 'T' + pad(h, 2) + ':' + pad(mi, 2) + ':' + pad(s, 2) + '.' + pad(ms * 1000, 6) + 'Z';
}

/** Shortest decimal that reads back as the same float32 (what evtx_dump prints for Real32). */
function float32(x: number): number {
  if (!Number.isFinite(x)) return x;
  for (let p = 1; p <= 9; p++) {
    const y = Number(x.toPrecision(p));
    if (Math.fround(y) === x) return y;
  }
  return x;
}

function u64(buf: Buffer, o: number): number | string {
  const lo = buf.readUInt32LE(o);
  const hi = buf.readUInt32LE(o + 4);
  if (hi < 0x200000) return hi * 4294967296 + lo;
  return buf.readBigUInt64LE(o).toString();
}

function i64(buf: Buffer, o: number): number | string {
  const v = buf.readBigInt64LE(o);
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v.toString();
}

/** Keywords-style values (high half set, low half zero) repeat in every record: their text is kept. */
const hex64Cache = new Map<number, string>();

function hex64(buf: Buffer, o: number): string {
  const lo = buf.readUInt32LE(o);
  const hi = buf.readUInt32LE(o + 4);
  if (hi === 0) return '0x' + lo.toString(16);
  if (lo === 0) {
    let t = hex64Cache.get(hi);
    if (t === undefined) {
      t = '0x' + hi.toString(16) + '00000000';
      if (hex64Cache.size < 4096) hex64Cache.set(hi, t);
    }
    return t;
  }
  return '0x' + hi.toString(16) + lo.toString(16).padStart(8, '0');
}

function num(v: number | string): FieldValue {
  return v;
}

/** Decode one scalar of `type` (no array bit) at `o` with `size` bytes; undefined when it does not fit. */
function scalar(buf: Buffer, o: number, size: number, type: number): FieldValue | undefined {
  switch (type) {
    case VT.Int8: return size >= 1 ? buf.readInt8(o) : undefined;
    case VT.UInt8: return size >= 1 ? buf[o] : undefined;
    case VT.Int16: return size >= 2 ? buf.readInt16LE(o) : undefined;
    case VT.UInt16: return size >= 2 ? buf.readUInt16LE(o) : undefined;
    case VT.Int32: return size >= 4 ? buf.readInt32LE(o) : undefined;
    case VT.UInt32: return size >= 4 ? buf.readUInt32LE(o) : undefined;
    case VT.Int64: return size >= 8 ? num(i64(buf, o)) : undefined;
    case VT.UInt64: return size >= 8 ? num(u64(buf, o)) : undefined;
    case VT.Real32: {
      if (size < 4) return undefined;
      const f = float32(buf.readFloatLE(o));
      return Number.isFinite(f) ? f : String(f);
    }
    case VT.Real64: {
      if (size < 8) return undefined;
      const f = buf.readDoubleLE(o);
      return Number.isFinite(f) ? f : String(f);
    }
    case VT.Bool: {
      if (size <= 0) return undefined;
      for (let i = 0; i < Math.min(size, 4); i++) if (buf[o + i] !== 0) return true;
      return false;
    }
    case VT.Guid: return size >= 16 ? guid(buf, o) : undefined;
    case VT.FileTime: return size >= 8 ? filetimeText(buf.readUInt32LE(o), buf.readUInt32LE(o + 4)) : undefined;
    case VT.SysTime: return size >= 16 ? systemtimeText(buf, o) : undefined;
    case VT.HexInt32: return size >= 4 ? '0x' + buf.readUInt32LE(o).toString(16) : undefined;
    case VT.HexInt64: return size >= 8 ? hex64(buf, o) : undefined;
    case VT.SizeT:
      if (size === 4) return '0x' + buf.readUInt32LE(o).toString(16).padStart(8, '0');
      if (size === 8) return '0x' + buf.readUInt32LE(o + 4).toString(16).padStart(8, '0') + buf.readUInt32LE(o).toString(16).padStart(8, '0');
      return undefined;
    default:
      return undefined;
  }
}

// Windows-1252 for 0x80–0x9F (ANSI strings are written in the system code page; evtx_dump decodes them as 1252)
const CP1252 = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

/** ANSI (Windows-1252) text of a byte range. */
export function ansi(buf: Buffer, start: number, end: number): string {
  const s = buf.toString('latin1', start, end);
  // eslint-disable-next-line no-control-regex
  return /[\x80-\x9f]/.test(s) ? s.replace(/[\x80-\x9f]/g, (c) => String.fromCharCode(CP1252[c.charCodeAt(0) - 0x80])) : s;
}

/** Largest array we decode (elements); longer arrays are cut (sizes are bounded by u16 anyway). */
export const MAX_ARRAY = 65536;

/**
 * Decode a sized substitution value (not BinXml: the caller expands type 0x21 itself).
 * Returns null for Null/EvtHandle/unsupported types, a string for text types, numbers, booleans or arrays.
 * Throws on values that do not fit their declared size (the record is then reported and skipped).
 */
export function decodeValue(buf: Buffer, o: number, size: number, type: number): FieldValue {
  const end = o + size;
  switch (type) {
    case VT.Null:
      return null;
    case VT.String:
      return utf16(buf, o, end);
    case VT.AnsiString: {
      let s = ansi(buf, o, end);
      const z = s.indexOf('\0');
      if (z >= 0) s = s.slice(0, z);
      return s;
    }
    case VT.Binary:
      return hexBytes(buf, o, end);
    case VT.Sid: {
      const r = sid(buf, o, end);
      if (!r) throw new Error(`SID value does not fit its ${size} bytes`);
      return r.text;
    }
    case VT.EvtHandle:
    case VT.EvtXml:
      return null;
    case VT.String | VT.Array: {
      // NUL-terminated strings back to back
      const out: string[] = [];
      let s = o;
      let i = o;
      for (; i + 1 < end; i += 2) {
        if (buf[i] === 0 && buf[i + 1] === 0) {
          out.push(ucs2(buf, s, i));
          s = i + 2;
          if (out.length >= MAX_ARRAY) break;
        }
      }
      if (s + 1 < end && out.length < MAX_ARRAY) out.push(utf16(buf, s, end));
      return out;
    }
    case VT.AnsiString | VT.Array: {
      const parts = ansi(buf, o, end).split('\0');
      if (parts.length && parts[parts.length - 1] === '') parts.pop();
      return parts.slice(0, MAX_ARRAY);
    }
    case VT.Sid | VT.Array: {
      const out: FieldValue[] = [];
      let p = o;
      while (p < end && out.length < MAX_ARRAY) {
        const r = sid(buf, p, end);
        if (!r) break;
        out.push(r.text);
        p += r.size;
      }
      return out;
    }
    case VT.SizeT | VT.Array: {
      const out: FieldValue[] = [];
      for (let p = o; p + 8 <= end && out.length < MAX_ARRAY; p += 8) out.push(scalar(buf, p, 8, VT.SizeT) ?? null);
      return out;
    }
    case VT.Binary | VT.Array:
    case VT.EvtHandle | VT.Array:
    case VT.BinXml | VT.Array:
    case VT.EvtXml | VT.Array:
      return null;
    default: {
      if (type & VT.Array) {
        const t = type & 0x7f;
        const w = fixedSize(t);
        if (!w) return null;
        const out: FieldValue[] = [];
        for (let p = o; p + w <= end && out.length < MAX_ARRAY; p += w) out.push(scalar(buf, p, w, t) ?? null);
        return out;
      }
      const v = scalar(buf, o, size, type);
      if (v === undefined) {
        if (size === 0) return null;
        throw new Error(`value of type 0x${type.toString(16)} does not fit its ${size} bytes`);
      }
      return v;
    }
  }
}
