/** Damaged and hostile EVTX input: the reader must neither crash nor hang, and must report what it skipped. */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { fstatSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Doc } from '../../../src/event.js';
import { crc32, readEvtxStream, type PositionedFile } from '../../../src/sources/evtx/file.js';
import { buildEvtx, buildRawEvtx, el, nameBytes, sub, VT, windowsRecord, type BuilderElement } from './builder.js';

interface Result {
  docs: Doc[];
  ids: number[];
  errors: { offset: number; message: string }[];
}

const dir = mkdtempSync(join(tmpdir(), 'vigie-corrupt-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function readFrom(input: Readable | string | PositionedFile): Promise<Result> {
  const r: Result = { docs: [], ids: [], errors: [] };
  for await (const rec of readEvtxStream(input, (p) => r.errors.push(p))) {
    r.docs.push(rec.doc);
    r.ids.push(rec.recordId);
  }
  return r;
}

/**
 * Read as a stream (in `pieces`), and from a file on disk (read by position: a chunk's used part first, the rest
 * only when a problem needs it): both must give the same records, documents and problems.
 */
async function read(buf: Buffer, pieces = 1): Promise<Result> {
  const parts: Buffer[] = [];
  const step = Math.ceil(buf.length / pieces);
  for (let i = 0; i < buf.length; i += step) parts.push(buf.subarray(i, i + step));
  const r = await readFrom(Readable.from(parts));
  const path = join(dir, 'damaged.evtx');
  writeFileSync(path, buf);
  assert.deepEqual(await readFrom(path), r, 'read from the file by position = read as a stream');
  // as `vigie hunt` reads it: the format probe hands over its descriptor, the size and the first bytes it read (4.5
  // KiB); other prefix lengths too, so that reads straddling the prefix's end are covered
  for (const n of [8, 4096, 4608, 5000]) {
    const fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    const prefix = Buffer.alloc(Math.min(n, size));
    readSync(fd, prefix, 0, prefix.length, 0);
    assert.deepEqual(await readFrom({ fd, size, prefix }), r, `read by position after a probe of ${n} bytes = read as a stream`);
  }
  return r;
}

const FIRST_RECORD = 4096 + 512;

function threeRecords(): Buffer {
  return buildEvtx([1, 2, 3].map((id) => windowsRecord({ id, data: { CommandLine: `cmd-${id}`, User: 'CORP\\alice' } })));
}

test('clean three-record file reads fully (baseline)', async () => {
  const r = await read(threeRecords(), 7);
  assert.deepEqual(r.ids, [1, 2, 3]);
  assert.deepEqual(r.errors, []);
});

test('bad record size: the record is skipped with its offset, the next ones are found again', { timeout: 20000 }, async () => {
  const b = threeRecords();
  b.writeUInt32LE(0xfffffff0, FIRST_RECORD + 4);
  const r = await read(b);
  assert.deepEqual(r.ids, [2, 3]);
  assert.ok(r.errors.some((e) => e.offset === FIRST_RECORD && /record size/.test(e.message)), JSON.stringify(r.errors));
});

test('bad checksums are reported and records are still read with validation', { timeout: 20000 }, async () => {
  const b = threeRecords();
  // flip a byte of text inside record 2 (changes the data checksum, not the structure)
  const at = b.indexOf(Buffer.from('cmd-2', 'utf16le'));
  assert.ok(at > 0);
  b[at] = 'C'.charCodeAt(0);
  let r = await read(b);
  assert.deepEqual(r.ids, [1, 2, 3]);
  assert.equal(((r.docs[1].Event as Doc).EventData as Doc).CommandLine, 'Cmd-2');
  assert.ok(r.errors.some((e) => e.offset === 4096 && /records checksum/.test(e.message)));
  // chunk header checksum
  const c = threeRecords();
  c[4096 + 60] ^= 0xff;
  r = await read(c);
  assert.deepEqual(r.ids, [1, 2, 3]);
  assert.ok(r.errors.some((e) => /header checksum/.test(e.message)));
  // file header checksum
  const f = threeRecords();
  f[50] ^= 0xff;
  r = await read(f);
  assert.deepEqual(r.ids, [1, 2, 3]);
  assert.ok(r.errors.some((e) => e.offset === 0 && /file header checksum/.test(e.message)));
});

test('a template that instantiates itself is rejected, not followed', { timeout: 20000 }, async () => {
  const selfRef = (at: number): Buffer => {
    const defOff = at + 14;
    const name = nameBytes('Loop');
    const el1 = Buffer.concat([
      Buffer.from([0x01, 0xff, 0xff]), u32(0), u32(defOff + 24 + 4 + 11), name, Buffer.from([0x02]),
      Buffer.from([0x0c, 0x01]), u32(0), u32(defOff), u32(0), // instance of the template being defined
      Buffer.from([0x04]),
    ]);
    const data = Buffer.concat([Buffer.from([0x0f, 1, 1, 0]), el1, Buffer.from([0x00])]);
    return Buffer.concat([
      Buffer.from([0x0f, 1, 1, 0, 0x0c, 0x01]), u32(0), u32(defOff),
      u32(0), Buffer.alloc(16), u32(data.length), data, u32(0), Buffer.from([0x00]),
    ]);
  };
  const good = (): Buffer => Buffer.from([0x0f, 1, 1, 0, 0x00]);
  const r = await read(buildRawEvtx([selfRef, good]));
  assert.equal(r.docs.length, 1, 'the good record after it is read');
  assert.ok(r.errors.some((e) => /instantiates itself/.test(e.message)), JSON.stringify(r.errors));
});

test('absurd declared sizes and counts are refused', { timeout: 20000 }, async () => {
  // template definition data size
  let b = threeRecords();
  const defSizeAt = FIRST_RECORD + 24 + 4 + 10 + 20; // fragment header, instance header, next+guid
  b.writeUInt32LE(0xffffff00, defSizeAt);
  let r = await read(b);
  assert.ok(!r.ids.includes(1));
  assert.ok(r.errors.some((e) => e.offset === FIRST_RECORD && /runs past/.test(e.message)), JSON.stringify(r.errors));
  // substitution count of a record that references an earlier template
  b = threeRecords();
  const rec2 = FIRST_RECORD + b.readUInt32LE(FIRST_RECORD + 4);
  b.writeUInt32LE(0xffffffff, rec2 + 24 + 4 + 10);
  r = await read(b);
  assert.deepEqual(r.ids, [1, 3]);
  assert.ok(r.errors.some((e) => e.offset === rec2 && /substitution count/.test(e.message)), JSON.stringify(r.errors));
  // an array whose declared size runs past the record
  const big = buildEvtx([{ xml: el('Event', {}, [el('A', {}, [sub(VT.UInt32 | VT.Array, [1, 2, 3], 0xfff0)])]) }]);
  r = await read(big);
  assert.equal(r.docs.length, 0);
  assert.ok(r.errors.some((e) => /runs past/.test(e.message)));
});

test('deep nesting is capped', { timeout: 20000 }, async () => {
  let e: BuilderElement = el('Leaf', {}, ['x']);
  for (let i = 0; i < 300; i++) e = el('N', {}, [e]);
  const r = await read(buildEvtx([{ xml: el('Event', {}, [e]), noTemplate: true }, { xml: el('Event', {}, [el('Ok', {}, ['1'])]), noTemplate: true }]));
  assert.equal(r.docs.length, 1);
  assert.ok(r.errors.some((x) => /nested too deeply/.test(x.message)));
});

test('truncated files and cut chunks: complete records before the cut are read', { timeout: 20000 }, async () => {
  const recs = [];
  for (let i = 1; i <= 400; i++) recs.push(windowsRecord({ id: i, data: { Payload: 'z'.repeat(200) } }));
  const full = buildEvtx(recs);
  for (const cut of [0, 5, 100, 4096, 4096 + 300, 4096 + 20000, 4096 + 65536 + 1000, full.length - 3]) {
    const r = await read(full.subarray(0, cut), 3);
    // records are in order with no gaps up to the cut
    r.ids.forEach((id, i) => assert.equal(id, i + 1));
    if (cut > 4096 + 20000) assert.ok(r.ids.length > 10, `cut ${cut}: ${r.ids.length}`);
    if (cut > 0 && cut < full.length) assert.ok(r.errors.length > 0, `cut ${cut} reported`);
  }
  const garbage = Buffer.concat([Buffer.from('ElfFile\0', 'latin1'), Buffer.alloc(40, 0x41)]);
  const r = await read(garbage);
  assert.equal(r.docs.length, 0);
  assert.ok(r.errors.length > 0);
});

test('flipped bytes anywhere in the first records: no crash, no hang, damage reported', { timeout: 60000 }, async () => {
  const base = threeRecords();
  const rec2 = FIRST_RECORD + base.readUInt32LE(FIRST_RECORD + 4);
  const rec3 = rec2 + base.readUInt32LE(rec2 + 4);
  const end = rec3;
  let rng = 12345;
  const next = () => (rng = (rng * 1103515245 + 12345) & 0x7fffffff);
  let runs = 0;
  let reported = 0;
  for (let pos = 4096; pos < end; pos++) {
    for (const v of [0xff, next() & 0xff]) {
      if (base[pos] === v) continue;
      const b = Buffer.from(base);
      b[pos] = v;
      const r = await read(b);
      runs++;
      // the chunk flags (bytes 120-123) are outside both checksums, by the format's design
      if (r.errors.length || (pos >= 4096 + 120 && pos < 4096 + 124)) reported++;
      assert.ok(r.docs.length <= 3);
      // damage inside record 2 (which only references the template record 1 defines) spares records 1 and 3
      if (pos >= rec2) assert.ok(r.ids.includes(1) && r.ids.includes(3), `pos ${pos}: ${JSON.stringify(r.errors)}`);
    }
  }
  assert.ok(runs > 1000);
  assert.equal(reported, runs, 'every flip is at least caught by a checksum');
});

function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0);
  return b;
}

test('random damage behind valid checksums (the parser itself must hold): no crash, no hang', { timeout: 60000 }, async () => {
  const recs = [];
  for (let i = 1; i <= 40; i++) {
    recs.push(windowsRecord({ id: i, data: { CommandLine: `run ${i}`, Count: sub(VT.UInt32, i), When: sub(VT.FileTime, new Date(Date.UTC(2024, 0, i))) } }));
  }
  recs.push({ xml: el('Event', {}, [el('UserData', {}, [sub(VT.BinXml, el('Inner', { a: sub(VT.Sid, 'S-1-5-18') }, [sub(VT.String | VT.Array, ['x', 'y'])]))])]) });
  const base = buildEvtx(recs);
  const used = base.readUInt32LE(4096 + 48);
  let rng = 99;
  const next = () => (rng = (rng * 1103515245 + 12345) & 0x7fffffff);
  let total = 0;
  let problems = 0;
  for (let it = 0; it < 300; it++) {
    const b = Buffer.from(base);
    const flips = 1 + (next() % 12);
    for (let k = 0; k < flips; k++) b[4096 + 512 + (next() % (used - 512))] = next() & 0xff;
    const c = b.subarray(4096);
    c.writeUInt32LE(crc32(c, 512, used), 52);
    c.writeUInt32LE(crc32(c, 128, 512, crc32(c, 0, 120)), 124);
    const r = await read(b);
    total += r.docs.length;
    problems += r.errors.length;
    for (const d of r.docs) JSON.stringify(d);
    assert.equal(r.errors.some((e) => /checksum/.test(e.message)), false);
  }
  assert.ok(total > 300 * 20, `most records survive scattered damage (${total})`);
  assert.ok(problems > 0);
});

test('template amplification: a chunk of records that all render a huge template is cut off', { timeout: 60000 }, async () => {
  const many = [];
  for (let i = 0; i < 3000; i++) many.push(el('E'));
  const big = el('Event', {}, many);
  const recs = [];
  for (let i = 0; i < 560; i++) recs.push({ xml: big });
  const b = buildEvtx(recs);
  assert.equal((b.length - 4096) / 65536, 1, 'one chunk');
  const r = await read(b);
  assert.ok(r.docs.length > 100 && r.docs.length < 560, `${r.docs.length} rendered before the budget ran out`);
  assert.ok(r.errors.some((e) => /too many nodes/.test(e.message)));
});
