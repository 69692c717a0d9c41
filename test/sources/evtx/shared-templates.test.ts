/**
 * Templates shared across chunks and files (SharedTemplates): reusing a template compiled in an earlier chunk must
 * never change what is read. Every case compares a read with the shared cache against reads of each file alone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SharedTemplates } from '../../../src/sources/evtx/binxml.js';
import { readEvtxChunks } from '../../../src/sources/evtx/file.js';
import { seededRandom as random } from '../../helpers.js';
import { buildEvtx, buildRawEvtx, el, opt, sub, VT, type BuilderRecord } from './builder.js';

interface Read {
  docs: string[];
  fields: string[];
  errors: string[];
}

/** Documents (rendered), direct fields and problems of one file, with the given cache (or none). */
async function readOne(buf: Buffer, templates?: SharedTemplates): Promise<Read> {
  const r: Read = { docs: [], fields: [], errors: [] };
  for await (const recs of readEvtxChunks(buf, (p) => r.errors.push(`${p.offset}: ${p.message}`), undefined, { direct: false, templates })) {
    for (const x of recs) r.docs.push(JSON.stringify(x.doc));
  }
  // the direct field walk too (a second cache, filled the same way)
  const direct = templates ? new SharedTemplates() : undefined;
  for await (const recs of readEvtxChunks(buf, () => {}, undefined, { templates: direct })) {
    for (const x of recs) r.fields.push(JSON.stringify(x.direct ? [x.direct.list.keys, x.direct.list.values, x.direct.time, x.direct.eventId] : x.doc));
  }
  return r;
}

/** All files through one cache, in order; each result must equal the file read alone. */
async function sameAsAlone(files: Buffer[], cache = new SharedTemplates()): Promise<SharedTemplates> {
  for (const [i, f] of files.entries()) {
    const alone = await readOne(f);
    const shared = await readOne(f, cache);
    assert.deepEqual(shared, alone, `file ${i} read differently with templates of the files before it`);
  }
  return cache;
}

// names of one length: templates of the same shape then have the same size, and (the builder numbers GUIDs per
// chunk) often the same GUID, so only the bytes tell them apart
const NAMES = ['Alpha', 'Bravo', 'Gamma', 'Delta', 'Omega'];

/** A random template shape: record `id` of it has values of its own. */
function randomShape(rnd: () => number): (id: number) => BuilderRecord {
  const pick = <T>(a: T[]) => a[Math.floor(rnd() * a.length)]!;
  const n = 1 + Math.floor(rnd() * 3);
  const data: { name: string; named: boolean; literal: string | null }[] = [];
  for (let i = 0; i < n; i++) data.push({ name: pick(NAMES), named: rnd() < 0.85, literal: rnd() < 0.2 ? pick(NAMES) : null });
  const eventId = 4000 + Math.floor(rnd() * 5);
  const channel = rnd() < 0.5 ? 'Security' : null;
  const computer = rnd() < 0.5;
  const attr = rnd() < 0.3 ? pick(NAMES) : null;
  const user = rnd() < 0.2 ? pick(NAMES) : null;
  return (id) => {
    const els = data.map((d, i) => {
      const v = d.literal ?? sub(VT.String, `v${id}-${i}`);
      return d.named ? el('Data', { Name: d.name }, [v]) : el(d.name, {}, [v]);
    });
    const system = [el('EventID', {}, [sub(VT.UInt16, eventId)]), el('Channel', {}, [channel ?? sub(VT.String, `Setup${id % 3}`)])];
    if (computer) system.push(el('Computer', {}, [sub(VT.String, `host${id % 4}`)]));
    const xml = el('Event', attr ? { [attr]: opt(VT.String, `x${id}`) } : {}, [
      el('System', {}, system),
      user ? el('UserData', {}, [el(user, {}, els)]) : el('EventData', {}, els),
    ]);
    return { id, xml };
  };
}

/** Files of records drawn from a few shapes, in random order (so each file defines them at other offsets). */
function randomFiles(seed: number, count: number, shapes: number, perFile: number): Buffer[] {
  const rnd = random(seed);
  const pool = Array.from({ length: shapes }, () => randomShape(rnd));
  const files: Buffer[] = [];
  for (let f = 0; f < count; f++) {
    const recs: BuilderRecord[] = [];
    const n = 1 + Math.floor(rnd() * perFile);
    for (let i = 0; i < n; i++) recs.push(pool[Math.floor(rnd() * pool.length)]!(f * 100 + i + 1));
    files.push(buildEvtx(recs));
  }
  return files;
}

test('random templates across files: reading with the shared cache gives what each file alone gives', async () => {
  for (const seed of [7, 8, 9]) {
    const cache = await sameAsAlone(randomFiles(seed, 40, 10, 6));
    // not vacuous: many definitions were reused, and many were compiled (some with a GUID and size seen before)
    assert.ok(cache.hits > 20, `seed ${seed}: only ${cache.hits} definitions reused`);
    assert.ok(cache.size > 10, `seed ${seed}: only ${cache.size} templates kept`);
  }
});

test('same GUID and size, one name different: compiled afresh, the new name read', async () => {
  const rec = (name: string): BuilderRecord => ({ id: 1, xml: el('Event', {}, [el('System', {}, [el('EventID', {}, [sub(VT.UInt16, 1)])]), el('EventData', {}, [el('Data', { Name: name }, [sub(VT.String, 'value')])])]) });
  const a = buildEvtx([rec('Alpha')]);
  const b = buildEvtx([rec('Bravo')]);
  // the two definitions differ in one name only (same GUID, same size)
  assert.equal(a.length, b.length);
  const cache = new SharedTemplates();
  await sameAsAlone([a, b], cache);
  const r = await readOne(b, cache);
  assert.match(r.docs[0]!, /"Bravo":"value"/);
  assert.doesNotMatch(r.docs[0]!, /Alpha/);
});

test('names referenced from elsewhere in the chunk, at other offsets: the template is reused', async () => {
  // record 1's template defines the element names inline; record 2's template refers back to them. A longer first
  // template in the second file moves those names, so the second template's bytes differ only in name offsets.
  const first = (extra: number, name = 'Gamma'): BuilderRecord => ({ id: 1, xml: el('Event', {}, [el('System', {}, [el('EventID', {}, [sub(VT.UInt16, 1)]), ...Array.from({ length: extra }, () => el('Level', {}, ['4']))]), el('EventData', {}, [el(name, {}, [sub(VT.String, 'g')])])]) });
  const second = (name = 'Gamma'): BuilderRecord => ({ id: 2, xml: el('Event', {}, [el('System', {}, [el('EventID', {}, [sub(VT.UInt16, 2)])]), el('EventData', {}, [el(name, {}, [sub(VT.String, 'second')]), el('Delta', {}, [sub(VT.String, 'd')])])]) });
  const cache = new SharedTemplates();
  await sameAsAlone([buildEvtx([first(0), second()]), buildEvtx([first(3), second()])], cache);
  // the first templates differ (in size); the second is the same but for where its names are
  assert.equal(cache.hits, 1, 'second template not reused');
  // same offsets, but the name referred to now says something else: not taken for the old one
  const c = buildEvtx([first(0, 'Omega'), second('Omega')]);
  await sameAsAlone([c], cache);
  assert.equal(cache.hits, 1);
  assert.match((await readOne(c, cache)).docs[1]!, /"Omega":"second"/);
});

test('damaged copies read after the clean file: the same records, documents and problems as without the cache', async () => {
  const rnd = random(11);
  const [clean] = randomFiles(12, 1, 4, 12);
  const files = [clean!];
  for (let k = 0; k < 60; k++) {
    const d = Buffer.from(clean!);
    // flip bytes inside the records (past the chunk header at 4096 + 512), where template definitions are
    for (let j = 0; j < 1 + Math.floor(rnd() * 3); j++) {
      const at = 4096 + 512 + Math.floor(rnd() * 1500);
      d[at] = d[at]! ^ (1 + Math.floor(rnd() * 255));
    }
    files.push(d);
  }
  const cache = await sameAsAlone(files);
  assert.ok(cache.hits > 60, `only ${cache.hits} definitions reused`);
});

test('bounded: past its limits the cache starts over, and reads stay the same', async () => {
  const files = randomFiles(3, 12, 12, 4);
  const small = await sameAsAlone(files, new SharedTemplates(4, 1 << 20));
  assert.ok(small.size <= 4 && small.size > 0);
  const tiny = await sameAsAlone(files, new SharedTemplates(100, 600));
  assert.ok(tiny.keptBytes <= 600 && tiny.size > 0, `${tiny.keptBytes} bytes kept under a 600-byte limit`);
});

// ---------------------------------------------------------------------------------------------------------
// Crafted definitions (raw Binary XML): what only hostile bytes can do

/** UTF-16LE bytes of a name structure (next, hash, count, characters, NUL) with a chosen chain link. */
function nameStruct(name: string, next = 0): Buffer {
  const b = Buffer.alloc(10 + 2 * name.length);
  b.writeUInt32LE(next, 0);
  b.writeUInt16LE(name.length, 6);
  b.write(name, 8, 'utf16le');
  return b;
}

/**
 * A record body: one template instance with its definition inline and no values. `data(start)` gives the
 * definition's data, knowing the chunk offset where it will start.
 */
function instanceRecord(data: (start: number) => Buffer, guid = 1): (at: number) => Buffer {
  return (at) => {
    const head = Buffer.from([0x0f, 1, 1, 0, 0x0c, 1, 0, 0, 0, 0]);
    const defOff = at + head.length + 4;
    const d = data(defOff + 24);
    const b = Buffer.alloc(head.length + 4 + 24 + d.length + 4 + 1);
    head.copy(b, 0);
    b.writeUInt32LE(defOff, head.length);
    b.writeUInt32LE(guid, head.length + 8);
    b.writeUInt32LE(d.length, head.length + 24);
    d.copy(b, head.length + 28);
    return b; // value count 0, then EOF (zeros)
  };
}

/**
 * Definition data: <Alpha>text</Alpha>, the element start with or without its dependency id, its name inline
 * (with chain link `next`) unless `nameAt` points elsewhere (absolute, from the data start).
 */
function alphaData(opts: { dependencyId: boolean; next?: number; text?: string; nameAt?: (start: number) => number }) {
  return (start: number): Buffer => {
    const parts: Buffer[] = [Buffer.from([0x0f, 1, 1, 0])];
    const elemAt = start + 4;
    const head = Buffer.alloc(opts.dependencyId ? 7 : 5);
    head[0] = 0x01;
    if (opts.dependencyId) head.writeUInt16LE(0xffff, 1);
    const ref = Buffer.alloc(4);
    const inlineAt = elemAt + head.length + 4;
    ref.writeUInt32LE(opts.nameAt ? opts.nameAt(start) : inlineAt);
    const text = opts.text ?? 'hello';
    const value = Buffer.alloc(4 + 2 * text.length);
    value[0] = 0x05;
    value[1] = 0x01;
    value.writeUInt16LE(text.length, 2);
    value.write(text, 4, 'utf16le');
    const body = Buffer.concat([ref, nameStruct('Alpha', opts.next ?? 0), Buffer.from([0x02]), value, Buffer.from([0x04])]);
    head.writeUInt32LE(body.length, head.length - 4);
    parts.push(head, body, Buffer.from([0x00]));
    return Buffer.concat(parts);
  };
}

test('element starts without a dependency id are never shared; with one they are', async () => {
  // (a chain link that is not 0 makes the reader choose the layout without the id, as it must for such producers)
  const bare = buildRawEvtx([instanceRecord(alphaData({ dependencyId: false, next: 0xffff }))]);
  const withId = buildRawEvtx([instanceRecord(alphaData({ dependencyId: true }))]);
  assert.match((await readOne(bare)).docs[0]!, /"Alpha":"hello"/);
  const c1 = await sameAsAlone([bare, bare]);
  assert.equal(c1.size, 0);
  assert.equal(c1.hits, 0);
  const c2 = await sameAsAlone([withId, withId]);
  assert.equal(c2.size, 1);
  assert.equal(c2.hits, 1);
});

test('a name inline in one chunk and pointed elsewhere in another (same bytes around): not taken for the same', async () => {
  // the text holds a well-formed name structure "Alpha"; in the second file the element's name offset points at it,
  // so the parser no longer skips the inline structure that follows the offset (and fails on its bytes)
  const fake = nameStruct('Alpha');
  const text = String.fromCharCode(...Array.from({ length: fake.length / 2 }, (_, i) => fake.readUInt16LE(2 * i)));
  // where the text's characters start: data start + 4 (fragment) + 7 (element) + 4 (ref) + name + 1 (close) + 4
  const textAt = (start: number) => start + 4 + 7 + 4 + nameStruct('Alpha').length + 1 + 4;
  const inline = buildRawEvtx([instanceRecord(alphaData({ dependencyId: true, text }))]);
  const pointed = buildRawEvtx([instanceRecord(alphaData({ dependencyId: true, text, nameAt: textAt }))]);
  assert.equal(inline.length, pointed.length);
  const alone = await readOne(pointed);
  assert.notDeepEqual(alone.docs, (await readOne(inline)).docs);
  const cache = await sameAsAlone([inline, pointed]);
  assert.equal(cache.hits, 0);
});
