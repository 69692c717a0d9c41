/** Byte-order marks and the detection head as text (src/sources/text.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { headText, sniffBom } from '../../src/sources/text.js';

const le = (s: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')]);
const be = (s: string) => {
  const b = Buffer.from(s, 'utf16le');
  b.swap16();
  return Buffer.concat([Buffer.from([0xfe, 0xff]), b]);
};

test('sniffBom: UTF-8, UTF-16LE, UTF-16BE marks and their length; none otherwise', () => {
  assert.deepEqual(sniffBom(Buffer.from([0xef, 0xbb, 0xbf, 0x41])), { encoding: 'utf8', length: 3 });
  assert.deepEqual(sniffBom(le('A')), { encoding: 'utf16le', length: 2 });
  assert.deepEqual(sniffBom(be('A')), { encoding: 'utf16be', length: 2 });
  assert.equal(sniffBom(Buffer.from('{"a":1}')), undefined);
  assert.equal(sniffBom(Buffer.from([0xef, 0xbb])), undefined, 'a cut UTF-8 mark is no mark');
  assert.equal(sniffBom(Buffer.alloc(0)), undefined);
});

test('headText: the mark stripped, UTF-16 of either order decoded, a cut last unit dropped', () => {
  assert.equal(headText(Buffer.from('\ufeff#Fields: date time', 'utf8')), '#Fields: date time');
  assert.equal(headText(le('{"Operation":"x"}')), '{"Operation":"x"}');
  assert.equal(headText(be('{"Operation":"é"}')), '{"Operation":"é"}');
  assert.equal(headText(Buffer.concat([le('ab'), Buffer.from([0x63])])), 'ab', 'odd byte at the end of a UTF-16 head');
  assert.equal(headText(Buffer.from('plain')), 'plain');
});
