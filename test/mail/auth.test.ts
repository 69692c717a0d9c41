import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { FIXTURES } from '../helpers.js';
import { parseMessage } from '../../src/mail/message.js';
import { parseAuthResults, trustedHeaderAuth, verifyOnline, isTrusted, type Resolver } from '../../src/mail/auth.js';
import { scanMessage } from '../../src/mail/scan.js';
import { defaultConfig } from '../../src/mail/config.js';
import { headersCheck } from '../../src/mail/checks/headers.js';

test('Authentication-Results parsing: authserv-id, methods, properties, comments', () => {
  const p = parseAuthResults('mx.example.net (comment; with semicolon); spf=fail (sender IP is 1.2.3.4) smtp.mailfrom=evil.example; dkim=pass header.d=evil.example header.s=s1; dmarc=fail (p=reject) header.from=example.org; arc=none');
  assert.ok(p);
  assert.equal(p.authservId, 'mx.example.net');
  assert.deepEqual(p.results.map((r) => `${r.method}=${r.result}`), ['spf=fail', 'dkim=pass', 'dmarc=fail', 'arc=none']);
  assert.equal(p.results[1].props['header.d'], 'evil.example');
  const arc = parseAuthResults('i=2; relay.example.com; dkim=pass header.d=a.example');
  assert.equal(arc?.authservId, 'relay.example.com');
  assert.equal(parseAuthResults('spf=pass smtp.mailfrom=x')?.authservId, '', 'no authserv-id: attributable to nobody');
  assert.ok(isTrusted('mx1.example.net', ['example.net']));
  assert.ok(!isTrusted('example.net.evil.example', ['example.net']));
});

test('offline: only a trusted receiver\'s results count; a forged lower header is ignored', async () => {
  const v = await parseMessage(readFileSync(join(FIXTURES, 'mail', 'spoof.eml')), { file: 'spoof.eml' });
  assert.equal(trustedHeaderAuth(v, []), undefined);
  assert.equal(trustedHeaderAuth(v, ['mx.other.example']), undefined);
  const a = trustedHeaderAuth(v, ['mx.example.net']);
  assert.equal(a?.source, 'trusted-header');
  assert.equal(a?.dmarc, 'fail');
  assert.equal(a?.spf, 'fail');
  const cfgUntrusted = defaultConfig();
  const r0 = await scanMessage(v, { config: cfgUntrusted, checks: [headersCheck] });
  assert.ok(!r0.symbols.some((s) => /SPF|DMARC|DKIM/.test(s.symbol)), 'no receiver trusted: no auth symbol at all');
  const cfg = defaultConfig();
  cfg.settings.trustedReceivers = ['mx.example.net'];
  cfg.settings.ownDomains = ['example.org'];
  const r = await scanMessage(v, { config: cfg, checks: [headersCheck] });
  const syms = r.symbols.map((s) => s.symbol);
  assert.ok(syms.includes('SPF_FAIL'));
  assert.ok(syms.includes('DMARC_FAIL_REJECT'), 'policy read from the comment "(p=reject)"');
  assert.ok(syms.includes('OWN_DOMAIN_UNAUTHENTICATED'));
  assert.match(r.auth ?? '', /trusted-header mx\.example\.net/);
});

// ---- online, with an injected resolver (no network) ----
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pub = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
const DNS: Record<string, string[]> = {
  'sel._domainkey.example.org': [`v=DKIM1; k=rsa; p=${pub}`],
  'example.org': ['v=spf1 ip4:192.0.2.1 -all'],
  '_dmarc.example.org': ['v=DMARC1; p=reject'],
};
const resolver: Resolver = async (name, rrtype) => {
  const v = DNS[name.toLowerCase()];
  if (rrtype === 'TXT' && v) return v.map((s) => [s]);
  const e = new Error(`queryTxt ENOTFOUND ${name}`) as NodeJS.ErrnoException;
  e.code = 'ENOTFOUND';
  throw e;
};

async function signed(body: string, ip: string): Promise<Buffer> {
  const { dkimSign } = (await import('mailauth/lib/dkim/sign.js')) as unknown as {
    dkimSign: (m: Buffer, o: object) => Promise<{ signatures: string }>;
  };
  const msg = Buffer.from(`From: Alice <alice@example.org>\r\nTo: bob@example.net\r\nSubject: hello\r\nMessage-ID: <1@example.org>\r\n\r\n${body}\r\n`);
  const s = await dkimSign(msg, { canonicalization: 'relaxed/relaxed', signatureData: [{ signingDomain: 'example.org', selector: 'sel', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }) }] });
  const rcvd = `Return-Path: <alice@example.org>\r\nReceived: from mail.example.org (mail.example.org [${ip}]) by mx.example.net with ESMTP id 1; Mon, 3 Jun 2024 10:00:00 +0000\r\n`;
  return Buffer.from(rcvd + s.signatures + msg.toString());
}

test('online with an injected resolver: aligned DKIM + SPF pass → DMARC pass, no failure symbol', async () => {
  const raw = await signed('Hello Bob', '192.0.2.1');
  const a = await verifyOnline(raw, { resolver });
  const why = JSON.stringify(a);
  assert.equal(a.spf, 'pass', why);
  assert.equal(a.dkim[0]?.result, 'pass', why);
  assert.equal(a.dmarc, 'pass', why);
  const cfg = defaultConfig();
  cfg.settings.ownDomains = ['example.org'];
  const v = await parseMessage(raw, { file: 'x' }, { keepRaw: true });
  const r = await scanMessage(v, { config: cfg, resolver, checks: [headersCheck] });
  assert.deepEqual(r.symbols.filter((s) => s.score > 0).map((s) => s.symbol), []);
  assert.ok(r.symbols.some((s) => s.symbol === 'AUTH_PASS_ALIGNED'));
});

test('online: altered body from a foreign IP → SPF fail, DKIM fail, DMARC fail (reject), own domain unauthenticated', async () => {
  const raw = Buffer.from((await signed('Hello Bob', '203.0.113.9')).toString().replace('Hello Bob', 'Pay this IBAN now'));
  const cfg = defaultConfig();
  cfg.settings.ownDomains = ['example.org'];
  const v = await parseMessage(raw, { file: 'x' }, { keepRaw: true });
  const r = await scanMessage(v, { config: cfg, resolver, checks: [headersCheck] });
  const syms = r.symbols.map((s) => s.symbol);
  for (const s of ['SPF_FAIL', 'DKIM_FAIL', 'DMARC_FAIL_REJECT', 'OWN_DOMAIN_UNAUTHENTICATED']) assert.ok(syms.includes(s), s);
  assert.match(r.auth ?? '', /^online/);
});
