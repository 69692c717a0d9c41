import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { CsvRecordParser, MAX_CELLS, csvRecords, splitCsvLine } from '../../src/sources/csv.js';
import { ReadContext } from '../../src/sources/types.js';

async function records(text: string | Buffer, opts = {}) {
  const ctx = new ReadContext();
  const out = [];
  for await (const r of csvRecords(Readable.from([typeof text === 'string' ? Buffer.from(text) : text]), ctx, 'f.csv', opts)) out.push(r);
  return { out, ctx };
}

test('splitCsvLine: quotes, doubled quotes, empty cells, commas inside quotes', () => {
  assert.deepEqual(splitCsvLine('a,"b,c","say ""hi""",,e'), ['a', 'b,c', 'say "hi"', '', 'e']);
  assert.deepEqual(splitCsvLine(''), ['']);
  assert.deepEqual(splitCsvLine('"",x'), ['', 'x']);
  assert.equal(splitCsvLine('a,"open'), null);
});

test('stray quotes in unquoted cells are kept as text', () => {
  assert.deepEqual(splitCsvLine('ab"c,d'), ['ab"c', 'd']);
  assert.deepEqual(splitCsvLine('"ab"c,d'), ['abc', 'd']);
});

test('a record spanning lines keeps its newline and reports its first line and offset', async () => {
  const { out, ctx } = await records('h1,h2\r\n1,"line one\r\nline two"\r\n2,x\r\n');
  assert.equal(ctx.errorCount, 0);
  assert.equal(out.length, 3);
  assert.deepEqual(out[1].cells, ['1', 'line one\nline two']);
  assert.equal(out[1].line, 2);
  assert.equal(out[1].offset, 7);
  assert.deepEqual(out[2].cells, ['2', 'x']);
  assert.equal(out[2].line, 4);
});

test('UTF-8 BOM and UTF-16LE are decoded', async () => {
  const bom = await records(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('a,b\n1,é\n')]));
  assert.deepEqual(bom.out[0].cells, ['a', 'b']);
  assert.deepEqual(bom.out[1].cells, ['1', 'é']);
  const u16 = await records(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a,"x\ny"\n', 'utf16le')]));
  assert.deepEqual(u16.out[0].cells, ['a', 'x\ny']);
});

test('an unclosed quote is bounded: reported with its position, parsing resumes after it', async () => {
  const { out, ctx } = await records('a,b\n1,"never closed\n2,x\n3,y\n4,z\n', { maxRecordLines: 2 });
  assert.equal(ctx.errorCount, 1);
  assert.equal(ctx.errors[0].line, 2);
  assert.equal(ctx.errors[0].offset, 4);
  assert.match(ctx.errors[0].message, /unclosed quote/);
  assert.deepEqual(out.map((r) => r.cells[0]), ['a', '4']);
});

test('an unclosed quote at end of file is reported', async () => {
  const { out, ctx } = await records('a,b\n1,"open\n');
  assert.equal(out.length, 1);
  assert.equal(ctx.errorCount, 1);
  assert.match(ctx.errors[0].message, /end of file/);
});

test('parser is incremental', () => {
  const p = new CsvRecordParser();
  assert.equal(p.feed('x,"a'), false);
  assert.equal(p.open, true);
  assert.equal(p.feed('b"",c"'), true);
  assert.deepEqual(p.take(), ['x', 'a\nb",c']);
});

test('cells per record are bounded', () => {
  assert.ok(splitCsvLine(','.repeat(100_000))!.length <= MAX_CELLS + 2);
  assert.ok(splitCsvLine('"a",' + ','.repeat(100_000) + '"b"')!.length <= MAX_CELLS + 2);
});
