/** Watchlist and honey terms match literally (no Sigma wildcards) and whatever the Unicode normalisation form. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES, runCli } from '../helpers.js';
import { runHunt } from '../../src/hunt/index.js';
import { literalValues, nfc, nfcGetter, sigmaLiteral } from '../../src/hunt/literal.js';
import { parseSigmaString } from '../../src/sigma/modifiers.js';

const RULE = join(FIXTURES, 'hunt', 'rules', 'test_watchlist.yml'); // cs-uri-query|expand|contains: '%watchlist%'

/** A W3C log whose lines carry these cs-uri-query values (one request per minute). */
function logWith(queries: string[]): string {
  const d = mkdtempSync(join(tmpdir(), 'vigie-literal-'));
  const lines = ['#Software: Microsoft Internet Information Services 10.0', '#Version: 1.0',
    '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken'];
  queries.forEach((q, i) => lines.push(`2024-03-01 10:${String(i).padStart(2, '0')}:00 10.0.0.5 GET /ecp/default.aspx ${q} 443 - 10.0.0.44 Mozilla/5.0 - 200 0 0 12`));
  writeFileSync(join(d, 'u_ex240301.log'), lines.join('\r\n') + '\r\n');
  return d;
}

const hits = async (queries: string[], o: { watchlist?: string[]; placeholders?: Record<string, string[]> }): Promise<string[]> => {
  const r = await runHunt({ inputs: [logWith(queries)], rulePaths: [RULE], builtinRules: false, ...o });
  assert.equal(r.summary.rules.inactive.length, 0);
  return r.detections.map((d) => query(d.details.find((x) => x.field === 'cs-uri-query')?.value ?? '?'));
};
/** The reader joins the stem to cs-uri-query ("/ecp/default.aspx?q=…"): keep the query part. */
const query = (v: string): string => (v.startsWith('/') ? v.slice(v.indexOf('?') + 1) : v);

test('sigmaLiteral escapes wildcards and backslashes so the Sigma parser gives the term back', () => {
  for (const t of ['Project*Falcon', 'Summit?', 'C:\\Share\\Q3*', 'a\\*b', 'plain term', '\\\\', '%x%']) {
    assert.equal(parseSigmaString(sigmaLiteral(t)), t, t);
  }
  assert.equal(sigmaLiteral('plain'), 'plain');
  assert.deepEqual(literalValues(['', 'É*']), ['\u00c9\\*']);
});

test('watchlist terms with * ? \\ match literally; --placeholders values keep Sigma wildcards', async () => {
  const q = ['q=Project*Falcon', 'q=ProjectXFalcon', 'q=SummitX', 'q=Summit?', 'q=a*b', 'q=a\\*b'];
  assert.deepEqual(await hits(q, { watchlist: ['Project*Falcon'] }), ['q=Project*Falcon']);
  assert.deepEqual(await hits(q, { watchlist: ['Summit?'] }), ['q=Summit?']);
  assert.deepEqual(await hits(q, { watchlist: ['a\\*b'] }), ['q=a\\*b']);
  // the general placeholder file: Sigma semantics (a wildcard is a wildcard)
  assert.deepEqual(await hits(q, { placeholders: { watchlist: ['Project*Falcon'] } }), ['q=Project*Falcon', 'q=ProjectXFalcon']);
});

test('honey terms match literally too', async () => {
  const d = mkdtempSync(join(tmpdir(), 'vigie-honey-'));
  writeFileSync(join(d, 'h.yml'), "title: Honey Query\nid: 5c000000-0000-4000-8000-000000000002\nlogsource:\n    category: webserver\ndetection:\n    sel:\n        cs-uri-query|expand|contains: '%honey_mailboxes%'\n    condition: sel\nlevel: critical\n");
  const log = logWith(['q=decoy?user@corp.example', 'q=decoyXuser@corp.example']);
  const r = await runHunt({ inputs: [log], rulePaths: [d], builtinRules: false, honey: { messageIds: ['x@y'], mailboxes: ['decoy?user@corp.example'] } });
  assert.deepEqual(r.detections.map((x) => query(x.details[0]?.value ?? '')), ['q=decoy?user@corp.example']);
});

test('composed and decomposed accents match each other; case-insensitive in any script', async () => {
  const composed = '\u00c9lys\u00e9e'; // Élysée (NFC)
  const decomposed = 'E\u0301lyse\u0301e'; // Élysée (NFD)
  assert.notEqual(composed, decomposed);
  // (the detail shows the value as matched: in NFC, canonically equivalent to the record's text)
  assert.deepEqual(await hits([`q=visite+${decomposed}`, 'q=visite+Elysee'], { watchlist: [composed] }), [`q=visite+${composed}`]);
  assert.deepEqual(await hits([`q=visite+${composed}`], { watchlist: [decomposed] }), [`q=visite+${composed}`]);
  assert.deepEqual(await hits(['q=СОВЕЩАНИЕ+в+МОСКВЕ'], { watchlist: ['совещание'] }), ['q=СОВЕЩАНИЕ+в+МОСКВЕ']);
  // Hangul: syllables (NFC) against conjoining jamo (NFD)
  const summitKo = '정상회의';
  assert.deepEqual((await hits([`q=${summitKo.normalize('NFD')}`], { watchlist: [summitKo] })).length, 1);
});

test('nfc leaves ASCII and composed text alone; nfcGetter normalises strings and lists', () => {
  const s = 'ascii only';
  assert.equal(nfc(s), s);
  assert.equal(nfc('e\u0301'), '\u00e9');
  const get = nfcGetter((f) => (f === 'a' ? 'e\u0301' : f === 'l' ? ['x', 'e\u0301', 3] : 7));
  assert.equal(get('a'), '\u00e9');
  assert.deepEqual(get('l'), ['x', '\u00e9', 3]);
  assert.equal(get('n'), 7);
});

test('CLI --watchlist: a term with a wildcard character is literal', () => {
  const d = mkdtempSync(join(tmpdir(), 'vigie-wl-'));
  writeFileSync(join(d, 'w.txt'), 'Project*Falcon\n');
  const r = runCli(['hunt', logWith(['q=ProjectXFalcon', 'q=Project*Falcon']), '--rules', RULE, '--no-vigie-rules', '--watchlist', join(d, 'w.txt'), '-o', 'jsonl', '--no-summary', '--no-progress'], { env: { XDG_DATA_HOME: d } });
  assert.equal(r.status, 0, r.stderr);
  const rows = r.stdout.trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { details: { field: string; value: string }[] });
  assert.deepEqual(rows.map((x) => query(x.details.find((y) => y.field === 'cs-uri-query')?.value ?? '')), ['q=Project*Falcon']);
});
