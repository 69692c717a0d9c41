import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { detectSource, probe } from '../../src/sources/index.js';
import { source as w3c } from '../../src/sources/w3c.js';
import { source as exchange } from '../../src/sources/exchange-csv.js';
import { source as m365 } from '../../src/sources/m365-audit.js';
import { source as entra } from '../../src/sources/entra-signin.js';
import { source as syslog } from '../../src/sources/syslog.js';
import { LOGS, tmpFile } from './logs-helpers.js';

const MINE = [w3c, exchange, m365, entra, syslog];
const EXPECTED: Record<string, string> = { iis: 'w3c', exchange: 'exchange-csv', m365: 'm365-audit', entra: 'entra-signin', syslog: 'syslog' };

test('every fixture is detected from its content by exactly its reader', async () => {
  for (const [dir, fmt] of Object.entries(EXPECTED)) {
    for (const f of readdirSync(join(LOGS, dir))) {
      const input = await probe(join(LOGS, dir, f));
      assert.equal(detectSource(input)?.name, fmt, `${dir}/${f}`);
      for (const s of MINE) if (s.name !== fmt) assert.equal(s.detect(input), 0, `${s.name} must not claim ${dir}/${f}`);
    }
  }
});

test('the file name does not matter: a W3C log named .csv is still W3C, an Exchange log named .log.txt still Exchange', async () => {
  const iis = '#Software: Microsoft Internet Information Services 10.0\n#Fields: date time cs-method cs-uri-stem\n2024-03-01 00:00:00 GET /\n';
  assert.equal(detectSource(await probe(tmpFile('data.csv', iis)))?.name, 'w3c');
  const ex = '#Software: Microsoft Exchange Server\n#Version: 15.0\n#Log-type: HttpProxy Logs\n#Fields: DateTime,RequestId,Protocol,UrlStem\n2024-03-01T00:00:00.000Z,a,Owa,/owa/\n';
  assert.equal(detectSource(await probe(tmpFile('u_ex240301.log', ex)))?.name, 'exchange-csv');
});

test('a UAL CSV is not taken for an Exchange CSV, nor a sign-in CSV for a UAL CSV', async () => {
  const ual = 'CreationDate,UserIds,Operations,AuditData\n2024-03-01T00:00:00Z,a,Send,"{""Operation"":""Send""}"\n';
  const input = await probe(tmpFile('x.csv', ual));
  assert.equal(exchange.detect(input), 0);
  assert.equal(detectSource(input)?.name, 'm365-audit');
  const signin = 'Date (UTC),Request ID,User ID,User,Username,Application,Client app\n2024-03-01T00:00:00Z,r,u,U,u@x,App,IMAP4\n';
  const si = await probe(tmpFile('y.csv', signin));
  assert.equal(m365.detect(si), 0);
  assert.equal(exchange.detect(si), 0);
  assert.equal(detectSource(si)?.name, 'entra-signin');
});

test('plain CSV, prose and JSON of other shapes are claimed by none of these readers', async () => {
  for (const [name, text] of [
    ['a.csv', 'name,age\nbob,3\n'],
    ['b.txt', 'Dear colleague,\nplease find attached the agenda.\n'],
    ['c.json', '[{"Event":{"System":{"EventID":4104}}}]\n'],
    ['d.json', '{"timestamp":"2024-03-01T00:00:00Z","message":"x"}\n'],
  ] as const) {
    const input = await probe(tmpFile(name, text));
    for (const s of MINE) assert.equal(s.detect(input), 0, `${s.name} claimed ${name}`);
  }
});
