import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { FIXTURES, runCli } from '../helpers.js';
import { buildMsg } from './msg-builder.js';

const MAIL = join(FIXTURES, 'mail');

test('report: verdict, symbols with reasons, indicators, summary; exit code by worst verdict', () => {
  const r = runCli(['scan', join(MAIL, 'clean.eml')]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /clean\.eml {2}CLEAN {2}score 0/);
  assert.match(r.stdout, /Scanned 1 message/);
  const s = runCli(['scan', '--thresholds', '1,2,300', join(MAIL, 'spoof.eml')]);
  assert.equal(s.status, 2, 'worst verdict phishing → exit 2');
  assert.match(s.stdout, /spoof\.eml {2}PHISHING/);
  assert.match(s.stdout, /\+\d\.\d {2}FROM_MULTIPLE_ENTRIES/);
  assert.match(s.stdout, /URLs: .*https:\/\/login\.evil\.example/);
  const m = runCli(['scan', join(MAIL, 'clean.eml'), join(MAIL, 'malware.eml')]);
  assert.equal(m.status, 3, 'an executable attachment → malicious → exit 3');
  assert.match(m.stdout, /malware\.eml {2}MALICIOUS/);
  assert.match(m.stdout, /SHA-256: [0-9a-f]{64} invoice_4471\.pdf\.exe/);
});

test('json, jsonl and csv outputs; summary goes to stderr for machine formats', () => {
  const j = runCli(['scan', '-o', 'json', join(MAIL, 'sample.mbox')]);
  const arr = JSON.parse(j.stdout) as Array<{ file: string; offset: number; verdict: string; symbols: unknown[]; indicators: { urls: string[] } }>;
  assert.equal(arr.length, 3);
  assert.deepEqual(arr.map((x) => x.offset).slice(0, 1), [0]);
  assert.ok(arr[1].indicators.urls.includes('https://second.example/page'));
  assert.match(j.stderr, /Scanned 3 messages/);
  const l = runCli(['scan', '-o', 'jsonl', '--no-summary', join(MAIL, 'sample.mbox')]);
  assert.equal(l.stdout.trim().split('\n').length, 3);
  assert.equal(l.stderr, '');
  const c = runCli(['scan', '-o', 'csv', join(MAIL, 'spoof.eml')]);
  const lines = c.stdout.trim().split('\r\n');
  assert.equal(lines[0], 'file,offset,nested_in,verdict,score,from,subject,symbols,urls,domains,ips,sha256');
  assert.equal(lines.length, 2);
});

test('folders (Maildir, mbox, .msg) and standard input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigie-scan-'));
  try {
    writeFileSync(join(dir, 'x.msg'), buildMsg({ subject: 'msg file', senderName: 'A', senderEmail: 'a@example.org', body: 'hello' }));
    const r = runCli(['scan', '-o', 'jsonl', '--no-summary', dir, join(MAIL, 'maildir')]);
    const rows = r.stdout.trim().split('\n').map((x) => JSON.parse(x) as { subject: string; file: string });
    assert.deepEqual(rows.map((x) => x.subject), ['msg file', "Minutes of Monday's meeting", 'Action required']);
    const s = runCli(['scan', '-o', 'jsonl', '--no-summary', '-'], { input: readFileSync(join(MAIL, 'clean.eml')) });
    assert.equal(s.status, 0);
    assert.equal((JSON.parse(s.stdout) as { file: string }).file, '-');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--only-flagged hides clean messages but the summary counts them', () => {
  const r = runCli(['scan', '--only-flagged', join(MAIL, 'clean.eml')]);
  assert.doesNotMatch(r.stdout, /clean\.eml {2}CLEAN/);
  assert.match(r.stdout, /clean: 1/);
});

test('error exit codes: missing input 66, nothing readable 65, bad config 78, bad option 64', () => {
  assert.equal(runCli(['scan', join(MAIL, 'nope.eml')]).status, 66);
  assert.equal(runCli(['scan', join(MAIL, 'notmail.txt')]).status, 65);
  const dir = mkdtempSync(join(tmpdir(), 'vigie-cfg-'));
  try {
    writeFileSync(join(dir, 'c.yml'), 'own_domainz: [x]\n');
    const c = runCli(['scan', '-c', join(dir, 'c.yml'), join(MAIL, 'clean.eml')]);
    assert.equal(c.status, 78);
    assert.match(c.stderr, /unknown key/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(runCli(['scan', '--thresholds', '5,1', join(MAIL, 'clean.eml')]).status, 64);
  assert.equal(runCli(['scan', '-o', 'xml', join(MAIL, 'clean.eml')]).status, 64);
});

test('--print-config prints a configuration that loads', () => {
  const r = runCli(['scan', '--print-config']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /trusted_receivers/);
});

test('configuration reaches the checks: trusted receiver results and own domains', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigie-cfg-'));
  try {
    writeFileSync(join(dir, 'c.yml'), 'own_domains: [example.org]\ntrusted_receivers: [mx.example.net]\nscores: { FROM_MULTIPLE_ENTRIES: 0 }\n');
    const r = runCli(['scan', '-c', join(dir, 'c.yml'), join(MAIL, 'spoof.eml')]);
    assert.match(r.stdout, /Auth: trusted-header mx\.example\.net: spf=fail dkim=none dmarc=fail\n/);
    assert.match(r.stdout, /DMARC_FAIL_REJECT .*policy reject/);
    assert.match(r.stdout, /OWN_DOMAIN_UNAUTHENTICATED/);
    assert.match(r.stdout, /DMARC_FAIL/);
    assert.doesNotMatch(r.stdout, /FROM_MULTIPLE_ENTRIES/, 'a score of 0 disables the symbol');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
