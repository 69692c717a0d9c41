import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { JsonScanner, jsonValues, firstJsonValue, type JsonStreamOptions } from '../../src/sources/json-stream.js';
import { ReadContext } from '../../src/sources/types.js';

/** Run the scanner over `text` fed in chunks of `size` bytes (0 = one chunk). */
function scan(text: string | Buffer, opts: JsonStreamOptions = {}, size = 0) {
  const ctx = new ReadContext();
  const sc = new JsonScanner(ctx, 'f', opts);
  const b = typeof text === 'string' ? Buffer.from(text) : text;
  const items = [];
  if (size) for (let i = 0; i < b.length; i += size) items.push(...sc.feed(b.subarray(i, i + size)));
  else items.push(...sc.feed(b));
  items.push(...sc.end());
  return { values: items.map((i) => i.value), items, errors: ctx.errors };
}

/** same result whatever the chunking */
function scanAll(text: string, opts: JsonStreamOptions = {}) {
  const r = scan(text, opts);
  for (const size of [1, 2, 3, 7, 64]) {
    const s = scan(text, opts, size);
    assert.deepEqual(s.values, r.values, `chunk size ${size}`);
    assert.deepEqual(s.errors.map((e) => e.offset), r.errors.map((e) => e.offset), `chunk size ${size} errors`);
  }
  return r;
}

test('JSON Lines, back-to-back objects and evtx_dump "Record n" lines', () => {
  assert.deepEqual(scanAll('{"a":1}\n{"b":"x\\"y}"}\r\n\n{"c":[1,{"d":2}]}\n').values, [{ a: 1 }, { b: 'x"y}' }, { c: [1, { d: 2 }] }]);
  assert.deepEqual(scanAll('{"a":1}{"b":2} {"c":3}').values, [{ a: 1 }, { b: 2 }, { c: 3 }]);
  const r = scanAll('Record 1\n{\n  "Event": {\n    "x": "y"\n  }\n}\nRecord 2\n{\n  "Event": {}\n}\n');
  assert.deepEqual(r.values, [{ Event: { x: 'y' } }, { Event: {} }]);
  assert.equal(r.errors.length, 0);
  assert.deepEqual(r.items.map((i) => [i.offset, i.line]), [[9, 2], [52, 8]]);
});

test('a top-level array yields its elements; non-object elements are reported', () => {
  const r = scanAll('[\n  {"a":1},\n  {"a":2},\n  3,\n  "s",\n  {"a":[4]}\n]\n');
  assert.deepEqual(r.values, [{ a: 1 }, { a: 2 }, { a: [4] }]);
  assert.equal(r.errors.length, 2);
});

test('path: elements of hits.hits are streamed one at a time; documents without the path come whole', () => {
  const resp = { took: 3, _shards: { total: 1 }, hits: { total: { value: 2 }, hits: [{ _id: 'a', _source: { n: 1, hits: { hits: ['no'] } } }, { _id: 'b', _source: { n: 2 } }] } };
  const pretty = JSON.stringify(resp, null, 2);
  const r = scanAll(`${pretty}\n{"plain":true}\n`, { path: ['hits', 'hits'] });
  assert.deepEqual(r.values, [resp.hits.hits[0], resp.hits.hits[1], { plain: true }]);
  // the hits are yielded at their own offsets
  assert.equal(r.items[0].offset, pretty.indexOf('{', pretty.indexOf('"hits": [')));
  // without fallback, the plain document is not yielded
  assert.deepEqual(scanAll(`${pretty}\n{"plain":true}\n`, { path: ['hits', 'hits'], fallbackToRoot: false }).values.length, 2);
  // one hit per line at column 0 inside the response: not mistaken for a cut value
  const col0 = scanAll('{"took":1,"hits":{"hits":[\n{"_source":{"a":1}},\n{"_source":{"a":2}}\n]}}\n', { path: ['hits', 'hits'] });
  assert.deepEqual(col0.values, [{ _source: { a: 1 } }, { _source: { a: 2 } }]);
  assert.equal(col0.errors.length, 0);
  // key with escapes, and a path key that appears deeper than the path (ignored)
  assert.deepEqual(scanAll('{"x":{"hits":[1]},"h\\u0069ts":{"hits":[{"k":1}]}}', { path: ['hits', 'hits'] }).values, [{ k: 1 }]);
});

test('damage: a bad line is skipped and counted with its offset and line, reading goes on', () => {
  const text = '{"a":1}\n{"b":2,,}\nnot json at all\n{"c":"cut\n{"d":4}\n{"e":5\n{"f":6}\n';
  const r = scanAll(text);
  assert.deepEqual(r.values, [{ a: 1 }, { d: 4 }, { f: 6 }]);
  assert.deepEqual(r.errors.map((e) => [e.offset, e.line]), [
    [8, 2], // invalid JSON
    [18, 3], // not JSON
    [34, 4], // string cut by a newline
    [52, 6], // object cut: a new value starts at column 0
  ]);
  assert.match(r.errors[0].message, /invalid JSON/);
});

test('damage: truncated at the end, absurd sizes and nesting are bounded', () => {
  const r = scanAll('{"a":1}\n{"b":[1,2,');
  assert.deepEqual(r.values, [{ a: 1 }]);
  assert.equal(r.errors.length, 1);
  assert.match(r.errors[0].message, /cut short at end/);
  const big = `{"big":"${'x'.repeat(5000)}"}\n{"small":1}\n`;
  const b = scanAll(big, { maxValueBytes: 1000 });
  assert.deepEqual(b.values, [{ small: 1 }]);
  assert.match(b.errors[0].message, /larger than 1000/);
  const deep = `${'['.repeat(600)}${']'.repeat(600)}`;
  const d = scan(`{"d":${deep}}\n{"ok":1}\n`, { maxDepth: 100 });
  assert.deepEqual(d.values, [{ ok: 1 }]);
  assert.match(d.errors[0].message, /deeper than 100/);
  // an unterminated string is not a memory sink: capped at maxValueBytes
  const u = scan(`{"a":"${'y'.repeat(10000)}`, { maxValueBytes: 100 }, 1000);
  assert.equal(u.values.length, 0);
  assert.ok(u.errors.length >= 1);
});

test('UTF-8 BOM and UTF-16 (PowerShell Out-File) input', async () => {
  const text = '{"a":"é"}\r\n{"b":2}\r\n';
  for (const buf of [
    Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]),
    Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]),
    Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]),
  ]) {
    const ctx = new ReadContext();
    const out = [];
    // 3-byte chunks split code units and the BOM itself
    const chunks = [];
    for (let i = 0; i < buf.length; i += 3) chunks.push(buf.subarray(i, i + 3));
    for await (const it of jsonValues(Readable.from(chunks), ctx, 'f')) out.push(it.value);
    assert.deepEqual(out, [{ a: 'é' }, { b: 2 }]);
    assert.equal(ctx.errorCount, 0);
  }
});

test('firstJsonValue reads the first record of a detection head, even cut', () => {
  assert.deepEqual(firstJsonValue(Buffer.from('Record 7\n{\n "Event": {"System": {}}\n}\n{"x":')), { Event: { System: {} } });
  assert.equal(firstJsonValue(Buffer.from('{"a": [1, 2')), undefined);
  assert.deepEqual(firstJsonValue(Buffer.from('{"hits":{"hits":[{"_source":{"a":1}},{"_sou'), ['hits', 'hits']), { _source: { a: 1 } });
});

test('over-long values are counted once with their offset, in every layout (no path, path, fallback root, array)', () => {
  const big = `{"x":"${'A'.repeat(3000)}"}`;
  const off = (s: string) => s.indexOf(big);
  const layouts: [string, string, JsonStreamOptions][] = [
    ['JSON Lines', `{"a":1}\n${big}\n{"b":2}\n`, {}],
    ['top-level array', `[{"a":1},\n${big},\n{"b":2}]\n`, {}],
    // a root without the path, over the limit: it is the record itself (Splunk export / ECS documents)
    ['path, fallback root', `{"a":1}\n${big}\n{"b":2}\n`, { path: ['results'] }],
    ['path, fallback root in an array', `[{"a":1},${big},{"b":2}]`, { path: ['results'] }],
    ['path element', `{"results":[{"a":1},${big},{"b":2}]}`, { path: ['results'] }],
  ];
  for (const [name, text, opts] of layouts) {
    const r = scanAll(text, { ...opts, maxValueBytes: 1000 });
    assert.deepEqual(r.values, [{ a: 1 }, { b: 2 }], name);
    assert.equal(r.errors.length, 1, `${name}: ${JSON.stringify(r.errors)}`);
    assert.match(r.errors[0].message, /larger than 1000/, name);
    assert.equal(r.errors[0].offset, off(text), name);
  }
  // a big document holding the path is not an error: its elements are read
  const doc = `{"pad":"${'p'.repeat(3000)}","results":[{"a":1},{"b":2}]}`;
  const d = scanAll(doc, { path: ['results'], maxValueBytes: 1000 });
  assert.deepEqual(d.values, [{ a: 1 }, { b: 2 }]);
  assert.deepEqual(d.errors, []);
});
