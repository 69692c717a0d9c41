/** The content checks on messages parsed from raw RFC 5322 (fixtures, and attachments generated here). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMessage } from '../../../src/mail/message.js';
import { lookalikeCheck } from '../../../src/mail/checks/lookalike.js';
import { linksCheck } from '../../../src/mail/checks/links.js';
import { htmlCheck } from '../../../src/mail/checks/html.js';
import { wordingCheck } from '../../../src/mail/checks/wording.js';
import { attachmentsCheck } from '../../../src/mail/checks/attachments.js';
import { qrCheck } from '../../../src/mail/checks/qr.js';
import type { SymbolHit } from '../../../src/mail/types.js';
import { FIXTURES } from '../../helpers.js';
import { ctx } from './make.js';
import { markEncrypted, tar, zip } from '../inspect/build.js';
import { qrPng } from './qrgen.js';

const CONTENT = [lookalikeCheck, linksCheck, htmlCheck, wordingCheck, attachmentsCheck, qrCheck];

async function scan(raw: Buffer): Promise<SymbolHit[]> {
  const m = await parseMessage(raw, { file: 'fixture.eml' });
  const out: SymbolHit[] = [];
  for (const c of CONTENT) out.push(...(await c.run(m, ctx())));
  return out;
}

const total = (h: SymbolHit[]) => h.reduce((a, x) => a + x.score, 0);

test('a credential phish parsed from its raw form raises the expected symbols', async () => {
  const h = await scan(readFileSync(join(FIXTURES, 'mail', 'checks', 'phish-credential.eml')));
  const names = new Set(h.map((x) => x.symbol));
  for (const s of ['LOOKALIKE_DOMAIN', 'BRAND_IMPERSONATION', 'LINK_TEXT_MISMATCH', 'HTML_FORM_PASSWORD', 'HTML_HIDDEN_TEXT', 'WORDING_CREDENTIAL_LINK', 'LINK_LOGIN_PAGE']) {
    assert.ok(names.has(s), `${s} missing from ${[...names].join(', ')}`);
  }
  assert.ok(total(h) >= 15);
});

test('a legitimate newsletter with tracking redirects and a preheader stays quiet', async () => {
  const h = await scan(readFileSync(join(FIXTURES, 'mail', 'checks', 'ham-newsletter.eml')));
  assert.ok(total(h) < 3, JSON.stringify(h));
});

function withAttachment(name: string, type: string, content: Uint8Array, body = 'Please find the document attached.'): Buffer {
  const b64 = Buffer.from(content).toString('base64').replace(/.{76}/g, '$&\r\n');
  return Buffer.from([
    'From: "Accounts" <accounts@supplier.example>', 'To: bob@example.net', 'Subject: Document', 'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="zz"', '', '--zz', 'Content-Type: text/plain; charset=utf-8', '', body, '',
    '--zz', `Content-Type: ${type}; name="${name}"`, `Content-Disposition: attachment; filename="${name}"`,
    'Content-Transfer-Encoding: base64', '', b64, '--zz--', '',
  ].join('\r\n'));
}

test('a password-protected zip holding a script, parsed from MIME', async () => {
  const z = markEncrypted(zip({ 'Invoice_0042.pdf.js': 'var s=new ActiveXObject("WScript.Shell");' }));
  const h = await scan(withAttachment('Invoice_0042.zip', 'application/zip', z, 'Password: 0042'));
  const names = h.map((x) => x.symbol);
  assert.ok(names.includes('ATTACH_ENCRYPTED_ARCHIVE'));
  assert.ok(names.includes('ATTACH_SCRIPT'));
  assert.ok(names.includes('ATTACH_DOUBLE_EXTENSION'));
  assert.match(h.find((x) => x.symbol === 'ATTACH_SCRIPT')!.reason, /inside "Invoice_0042\.zip"/);
});

test('a tar with a shell-syntax member name, parsed from MIME', async () => {
  const t = tar([{ name: "'`echo Y2F0IC9ldGMvcGFzc3dk | base64 -d | sh`'.txt", data: 'x' }]);
  const h = await scan(withAttachment('report.tar', 'application/x-tar', t));
  assert.ok(h.some((x) => x.symbol === 'ATTACH_TAR_SHELL_NAME'));
});

test('a QR code image attachment, parsed from MIME', async () => {
  const h = await scan(withAttachment('mfa-setup.png', 'image/png', qrPng('http://203.0.113.50/auth/login'), 'Scan the code to keep your MFA active.'));
  assert.ok(h.some((x) => x.symbol === 'QR_CODE'));
  assert.ok(h.some((x) => x.symbol === 'QR_CODE_SUSPICIOUS_LINK'));
});

test('broken base64 and truncated archives in MIME do not break the checks', async () => {
  const raw = withAttachment('x.zip', 'application/zip', zip({ 'a.exe': 'MZ' }).subarray(0, 40));
  const bad = Buffer.from(raw.toString('latin1').replace(/^UEsD/m, 'UEsD!!!%%%'), 'latin1');
  const h = await scan(bad);
  assert.ok(Array.isArray(h));
});
