import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { getField } from '../../src/event.js';
import { LOGS, readAll, tmpFile } from './logs-helpers.js';

const U_EX = join(LOGS, 'iis', 'u_ex240301.log');

test('IIS W3C: detected from content, #Fields switching mid-file, bad lines counted with position', async () => {
  const { events, ctx, format } = await readAll(U_EX);
  assert.equal(format, 'w3c');
  assert.equal(events.length, 5);
  // junk line, short line, impossible date: each skipped and reported with line and byte offset
  assert.equal(ctx.errorCount, 3);
  assert.deepEqual(ctx.errors.map((e) => e.line), [8, 9, 10]);
  for (const e of ctx.errors) {
    assert.equal(e.file, U_EX);
    assert.equal(typeof e.offset, 'number');
  }
  assert.match(ctx.errors[0].message, /values for 15 #Fields columns/);
  // second header block adds s-sitename / s-computername / cs-host
  const last = events[4];
  assert.equal(last.fields['s-sitename'], 'W3SVC1');
  assert.equal(last.computer, 'EXCH01');
  assert.equal(last.channel, 'IIS/W3SVC1');
  assert.equal(last.fields['cs-host'], 'mail.example.org');
  assert.equal(events[0].fields['s-sitename'], undefined);
});

test('IIS W3C: Sigma webserver fields, UTC time, decoded user agent, numbers, "-" absent', async () => {
  const { events } = await readAll(U_EX);
  const e = events[0];
  assert.deepEqual(e.logsource, { category: 'webserver', product: 'iis' });
  assert.equal(e.time, Date.UTC(2024, 2, 1, 0, 0, 1));
  assert.equal(e.fields['cs-user-agent'], 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36');
  assert.equal(e.fields['cs(User-Agent)'], 'Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36');
  assert.equal(e.fields['sc-status'], 200);
  assert.equal(e.fields['s-port'], 443);
  assert.equal(e.fields['time-taken'], 15);
  assert.equal('cs-username' in e.fields, false);
  assert.equal('cs-referer' in e.fields, false);
  assert.equal(events[1].fields['cs-username'], 'EXAMPLE\\admin');
  assert.equal(getField(e, 'CS-METHOD'), 'GET');
});

test('IIS W3C: cs-uri-query holds the whole path (stem?query), the raw query is kept', async () => {
  const { events } = await readAll(U_EX);
  const proxyshell = events[2];
  assert.equal(proxyshell.fields['cs-uri-stem'], '/autodiscover/autodiscover.json');
  assert.equal(proxyshell.fields['cs-uri-query'], '/autodiscover/autodiscover.json?@evil.com/mapi/nspi/?&Email=autodiscover/autodiscover.json%3F@evil.com');
  assert.equal(proxyshell.fields['cs-uri-query-raw'], '@evil.com/mapi/nspi/?&Email=autodiscover/autodiscover.json%3F@evil.com');
  // no query: cs-uri-query is the stem, so path rules on cs-uri-query still match; no raw query
  const noq = events[3];
  assert.equal(noq.fields['cs-uri-query'], '/owa/auth/errorFE.aspx');
  assert.equal('cs-uri-query-raw' in noq.fields, false);
});

test('HTTP.sys httperr log: W3C with cs-uri, service httperr', async () => {
  const { events, format } = await readAll(join(LOGS, 'iis', 'httperr1.log'));
  assert.equal(format, 'w3c');
  assert.equal(events.length, 1);
  assert.deepEqual(events[0].logsource, { category: 'webserver', product: 'iis', service: 'httperr' });
  assert.equal(events[0].fields['cs-uri-query'], '/owa/auth/../../x');
  assert.equal(events[0].fields['s-reason'], 'BadRequest');
});

test('IIS W3C in UTF-16LE with BOM', async () => {
  const text = '#Software: Microsoft Internet Information Services 10.0\r\n#Fields: date time cs-method cs-uri-stem cs-uri-query c-ip sc-status\r\n2024-03-02 10:00:00 GET /owa/ é=1 192.0.2.1 200\r\n';
  const p = tmpFile('u_ex240302.log', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
  const { events, format, ctx } = await readAll(p);
  assert.equal(format, 'w3c');
  assert.equal(ctx.errorCount, 0);
  assert.equal(events[0].fields['cs-uri-query'], '/owa/?é=1');
});

test('a data line before any #Fields header is reported, not guessed', async () => {
  const p = tmpFile('x.log', '#Software: Microsoft Internet Information Services 10.0\n2024-03-02 10:00:00 GET /\n#Fields: date time cs-method cs-uri-stem\n2024-03-02 10:00:01 GET /owa\n');
  const { events, ctx } = await readAll(p);
  assert.equal(events.length, 1);
  assert.equal(ctx.errorCount, 1);
  assert.equal(ctx.errors[0].line, 2);
});

test('a gzip-compressed W3C log is detected and read the same', async () => {
  const { gzipSync } = await import('node:zlib');
  const { readFileSync } = await import('node:fs');
  const p = tmpFile('u_ex240301.log.gz', gzipSync(readFileSync(U_EX)));
  const { events, ctx, format } = await readAll(p);
  assert.equal(format, 'w3c');
  assert.equal(events.length, 5);
  assert.equal(ctx.errorCount, 3);
  assert.deepEqual(ctx.errors.map((e) => e.line), [8, 9, 10]);
});
