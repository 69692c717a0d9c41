/**
 * The speed paths of the EVTX reader give the same results as the plain ones: files read whole by the probe and
 * parsed in place vs streamed; date arithmetic vs Date objects; cached hex texts vs computed ones.
 */
import { test } from 'node:test';
import { serialize } from 'node:v8';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import type { VigieEvent } from '../../../src/event.js';
import { probe, readInputs, readInputBatches, HEAD_BYTES, WHOLE_FILE_MAX } from '../../../src/sources/index.js';
import { ReadContext, type InputFile } from '../../../src/sources/types.js';
import { source } from '../../../src/sources/evtx/index.js';
import { decodeValue, filetimeText, guid, utf16, VT } from '../../../src/sources/evtx/values.js';
import { buildEvtx, sub, windowsRecord } from './builder.js';
import { u64Number } from '../../../src/sources/evtx/file.js';

/** Reference: FILETIME text through BigInt and Date (the slow, obvious way). */
function refFiletime(lo: number, hi: number): string {
  const t = (BigInt(hi) << 32n) | BigInt(lo);
  const secs = Number(t / 10000000n) - 11644473600;
  const rem = Number(t % 10000000n);
  const ms = secs * 1000;
  if (!(ms >= -8.64e15 && ms <= 8.64e15)) return '';
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const p = (n: number, w: number) => String(n).padStart(w, '0');
  const ys = y >= 0 && y <= 9999 ? p(y, 4) : (y < 0 ? '-' : '+') + p(Math.abs(y), 6);
  return `${ys}-${p(d.getUTCMonth() + 1, 2)}-${p(d.getUTCDate(), 2)}T${p(d.getUTCHours(), 2)}:${p(d.getUTCMinutes(), 2)}:` +
    `${p(d.getUTCSeconds(), 2)}.${p(Math.floor(rem / 10), 6)}Z`;
}

const ticks = (iso: string, extra = 0n) => BigInt(Date.parse(iso)) * 10000n + 116444736000000000n + extra;
const halves = (t: bigint): [number, number] => [Number(t & 0xffffffffn), Number(t >> 32n)];

test('FILETIME text: calendar arithmetic agrees with Date on edges and on many pseudo-random times', () => {
  const edges = [
    0n, 1n, 9999999n, 10000000n,
    ticks('1970-01-01T00:00:00Z'), ticks('1999-12-31T23:59:59Z', 9999999n), ticks('2000-02-29T12:00:00Z'),
    ticks('2000-03-01T00:00:00Z'), ticks('2100-02-28T23:59:59Z'), ticks('2100-03-01T00:00:00Z'),
    ticks('2024-02-29T23:59:59.999Z', 9999n), ticks('9999-12-31T23:59:59Z', 9999999n), ticks('9999-12-31T23:59:59Z') + 10000000n,
    0xffffffffffffffffn, 0x3fffffffffffffffn, 0x4000000000000000n,
  ];
  for (const t of edges) {
    const [lo, hi] = halves(t);
    assert.equal(filetimeText(lo, hi), refFiletime(lo, hi), `ticks ${t}`);
  }
  // deterministic generator: half of the values in the years real logs use, half anywhere in 64 bits
  let x = 0x2545f491;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
  for (let i = 0; i < 20000; i++) {
    const hi = i & 1 ? next() : 0x1c00000 + (next() % 0x800000);
    const lo = next();
    assert.equal(filetimeText(lo, hi), refFiletime(lo, hi), `${hi}:${lo}`);
  }
});

test('64-bit hex values: the same text whether computed or taken from the cache', () => {
  const b = Buffer.alloc(8);
  const cases: [bigint, string][] = [
    [0x8000000000000000n, '0x8000000000000000'], [0x8020000000000000n, '0x8020000000000000'], [0x1n, '0x1'],
    [0x100000000n, '0x100000000'], [0x8000000000000001n, '0x8000000000000001'], [0xa0000000000n, '0xa0000000000'],
  ];
  for (let round = 0; round < 2; round++) {
    for (const [v, want] of cases) {
      b.writeBigUInt64LE(v);
      assert.equal(decodeValue(b, 0, 8, VT.HexInt64), want);
    }
  }
});

test('record numbers: two 32-bit halves give what the BigInt reading gives, past 2^53 too', () => {
  const b = Buffer.alloc(8);
  const edges = [0n, 1n, 0xffffffffn, 0x100000000n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 53n + 3n, 2n ** 63n + 1025n, 2n ** 64n - 1n];
  let x = 0x9e3779b97f4a7c15n;
  for (let i = 0; i < 2000; i++) {
    x = (x * 6364136223846793005n + 1442695040888963407n) & (2n ** 64n - 1n);
    edges.push(x >> BigInt(i % 64));
  }
  for (const v of edges) {
    b.writeBigUInt64LE(v);
    assert.equal(u64Number(b, 0), Number(b.readBigUInt64LE(0)), `0x${v.toString(16)}`);
  }
});

test('UTF-16 text: what Buffer\'s decoder gives, cut at the first NUL; Latin-1 text as one-byte strings', () => {
  let seed = 7;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
  const alphabets = [[0x41, 0x7a], [0x20, 0xff], [0x00, 0x100], [0x20, 0x3000], [0xd800, 0xe000]];
  // (the text at every offset modulo 4 in its buffer, and in a buffer that starts inside its memory; mostly-ASCII
  // text with a rare NUL or wide unit too)
  const backing = new ArrayBuffer(3 * 5000 * 2 + 64);
  for (let round = 0; round < 4000; round++) {
    const [lo, hi] = round % 6 === 5 ? [0x20, 0x7f] : alphabets[round % alphabets.length]!;
    const len = rnd(round % 50 === 0 ? 5000 : 40);
    new Uint8Array(backing).fill(0xee);
    const b = Buffer.from(backing, (round >> 2) % 4, len * 2 + 16);
    const at = round % 4;
    for (let i = 0; i < len; i++) b.writeUInt16LE(lo! + rnd(hi! - lo!), at + i * 2);
    if (round % 6 === 5 && len > 0 && rnd(2) === 0) b.writeUInt16LE(rnd(2) === 0 ? 0 : 0x2603, at + rnd(len) * 2);
    const full = b.toString('utf16le', at, at + len * 2);
    const z = full.indexOf('\0');
    const want = z >= 0 ? full.slice(0, z) : full;
    // an odd byte count: the last byte is dropped
    const got = utf16(b, at, at + len * 2 + 1);
    assert.equal(got, want, `round ${round}`);
    // Latin-1 text is a one-byte string (half the memory, V8's fast paths): V8's serializer tags those with '"'
    if (want.length > 0 && /^[\x00-\xff]*$/.test(want)) assert.equal(serialize(got)[2], 0x22, `round ${round}: one-byte string`);
  }
  assert.equal(utf16(Buffer.from('h\0i\0', 'latin1'), 0, 4), 'hi');
  assert.equal(utf16(Buffer.alloc(0), 0, 0), '');
});

test('GUID text: written in one piece, same as the field-by-field reading of its bytes', () => {
  const b = Buffer.alloc(16);
  for (let round = 0; round < 500; round++) {
    for (let i = 0; i < 16; i++) b[i] = (round * 31 + i * 17 + (round >> 3) * i) & 0xff;
    const h = (x: number, w: number) => x.toString(16).toUpperCase().padStart(w, '0');
    const want = `${h(b.readUInt32LE(0), 8)}-${h(b.readUInt16LE(4), 4)}-${h(b.readUInt16LE(6), 4)}-${b.toString('hex', 8, 10).toUpperCase()}-${b.toString('hex', 10, 16).toUpperCase()}`;
    assert.equal(guid(b, 0), want);
  }
});

function evtxFile(n: number): Buffer {
  const recs = [];
  for (let i = 1; i <= n; i++) {
    recs.push(windowsRecord({ id: i, data: { CommandLine: `run ${i}`, Count: sub(VT.UInt32, i), When: sub(VT.FileTime, new Date(Date.UTC(2024, 0, 1 + (i % 28)))) } }));
  }
  return buildEvtx(recs);
}

const strip = (evs: VigieEvent[]) => evs.map((e) => JSON.stringify({ ...e, origin: { ...e.origin, file: '' } }));

test('an EVTX file is read by position (probe reads its first 4.5 KiB only): same events as from a stream or from memory', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigie-evtx-'));
  try {
    const buf = evtxFile(300);
    assert.ok(buf.length > HEAD_BYTES, 'the test file spans more than the detection head');
    const path = join(dir, 'a.evtx');
    writeFileSync(path, buf);
    const input = await probe(path);
    assert.equal(input.content, undefined, 'not read whole');
    assert.equal(input.regular, true);
    assert.ok(input.head.equals(buf.subarray(0, 4096 + 512)), 'the head is the file header block and the first chunk header');

    const ctx = new ReadContext();
    const fromFile: VigieEvent[] = [];
    for await (const ev of readInputs([path], ctx)) fromFile.push(ev);
    assert.equal(fromFile.length, 300);
    assert.equal(ctx.errorCount, 0);

    // same file, streamed in small pieces through the reader without `content`
    const streamed: VigieEvent[] = [];
    const noContent: InputFile = { path, file: path, head: input.head, gzip: false, size: buf.length };
    const pieces = () => Readable.from(Array.from({ length: Math.ceil(buf.length / 1000) }, (_, i) => buf.subarray(i * 1000, i * 1000 + 1000)));
    for await (const ev of source.read(noContent, new ReadContext(), pieces)) streamed.push(ev);
    assert.deepEqual(strip(fromFile), strip(streamed));
    // and from memory (parsed in place)
    const inMemory: VigieEvent[] = [];
    for await (const ev of source.read({ ...noContent, content: buf }, new ReadContext(), pieces)) inMemory.push(ev);
    assert.deepEqual(strip(inMemory), strip(fromFile));

    // the batch interface gives the same events too
    const batched: VigieEvent[] = [];
    for await (const b of readInputBatches([path], new ReadContext())) batched.push(...b);
    assert.deepEqual(strip(batched), strip(fromFile));

    // a smaller file read right after (it reuses the first file's buffer): nothing of the first one shows through
    const small = evtxFile(120);
    assert.ok(small.length > HEAD_BYTES && small.length < buf.length);
    writeFileSync(join(dir, 'b.evtx'), small);
    const both: VigieEvent[] = [];
    const c2 = new ReadContext();
    for await (const b of readInputBatches([dir], c2)) both.push(...b);
    assert.equal(c2.errorCount, 0);
    const smallStreamed: VigieEvent[] = [];
    const smallInput: InputFile = { path: join(dir, 'b.evtx'), file: join(dir, 'b.evtx'), head: small.subarray(0, HEAD_BYTES), gzip: false };
    for await (const ev of source.read(smallInput, new ReadContext(), () => Readable.from([small]))) smallStreamed.push(ev);
    assert.deepEqual(strip(both), [...strip(fromFile), ...strip(smallStreamed)]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('probe keeps only the head of gzip and large files (they are streamed)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigie-evtx-'));
  try {
    const buf = evtxFile(50);
    const gz = join(dir, 'a.evtx.gz');
    writeFileSync(gz, gzipSync(buf));
    const g = await probe(gz);
    assert.equal(g.gzip, true);
    assert.equal(g.content, undefined);
    assert.ok(g.head.subarray(0, 8).equals(buf.subarray(0, 8)), 'head is decompressed');
    let n = 0;
    for await (const _ of readInputs([gz], new ReadContext())) n++;
    assert.equal(n, 50);

    // other small files are read whole (their readers parse them in memory)
    const small = join(dir, 'small.log');
    const text = Buffer.from('#Software: Microsoft Internet Information Services 10.0\n'.repeat(2000));
    assert.ok(text.length > 4096 && text.length < WHOLE_FILE_MAX);
    writeFileSync(small, text);
    const sm = await probe(small);
    assert.ok(sm.content?.equals(text), 'content is the whole file');
    assert.equal(sm.head.length, HEAD_BYTES);

    const big = join(dir, 'big.log');
    writeFileSync(big, Buffer.alloc(WHOLE_FILE_MAX + 1, 0x41));
    const b = await probe(big);
    assert.equal(b.content, undefined);
    assert.equal(b.head.length, HEAD_BYTES);
    assert.equal(b.size, WHOLE_FILE_MAX + 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('no file descriptor is left open: EVTX files read by position, probed-only and unsupported files', { skip: !existsSync('/proc/self/fd') && 'no /proc/self/fd here' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigie-fd-'));
  try {
    for (let i = 0; i < 5; i++) writeFileSync(join(dir, `f${i}.evtx`), evtxFile(20 + i));
    writeFileSync(join(dir, 'notes.bin'), Buffer.from([0, 1, 2, 3, 0xff, 0xfe]));
    const open = () => readdirSync('/proc/self/fd').length;
    const before = open();
    for (let round = 0; round < 3; round++) {
      let n = 0;
      for await (const _ of readInputs([dir], new ReadContext())) n++;
      assert.equal(n, 20 + 21 + 22 + 23 + 24);
      // a hunt that stops early (its consumer breaks out of the loop)
      for await (const _ of readInputs([dir], new ReadContext())) break;
      // probe alone (as the mail scanner uses it) keeps nothing open
      await probe(join(dir, 'f0.evtx'));
      // an EVTX file forced through another reader
      for await (const _ of readInputs([join(dir, 'f1.evtx')], new ReadContext(), { format: 'w3c' })) n++;
    }
    assert.equal(open(), before);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
