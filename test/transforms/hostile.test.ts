/**
 * The cmdlet view on attacker-written text: pathological repetitions (64 to 256 KiB each) in every place a cmdlet run is
 * read from must finish (test timeout) with bounded, well-formed fields, and prototype names must stay plain text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Doc, VigieEvent } from '../../src/event.js';
import { canonicalCmdlet, canonicalParam, findCmdlets, scriptFromCommandLine } from '../../src/transforms/powershell.js';
import { cmdletTransform } from '../../src/transforms/cmdlet.js';

const PATTERNS = [
  '-a ', '-a:', ' -e ', '-a:1,', '$x = ', 'Get-X ', 'Get-X -P ', '{', '(', '@(', '$(', '"', "'", '`', '@"\n', '<#', '#',
  ',', '|', ';', '[', '${', '"$(', '&&', '\\', '-ContentFilter {', "-SearchQuery '", '\u201c', '\u2018', '@{', '{-a ',
  '-Identity x -Identity y ', '@p ', 'ForEach-Object { Set-Mailbox ',
];
/** repeated parameters (quadratic before: list copied at each repeat) at 256 KiB, the other patterns at 64 KiB */
const BIG = new Set(['-a ', '-a:', ' -e ', '-Identity x -Identity y ']);
const size = (p: string) => (BIG.has(p) ? 256 : 64) * 1024;

function events(text: string): VigieEvent[] {
  const base = { origin: { file: 'x', format: 't', offset: 0 } };
  return [
    { ...base, logsource: { product: 'exchange', service: 'cmdletinfra' }, fields: { Cmdlet: 'Set-Mailbox', Parameters: text } },
    { ...base, provider: 'MSExchange CmdletLogs', eventId: 1, logsource: { product: 'windows' }, fields: { Data: ['New-MailboxExportRequest', text, 'u', '', '', 'c', '1 w3wp'] } },
    { ...base, eventId: 4104, provider: 'Microsoft-Windows-PowerShell', logsource: { product: 'windows' }, fields: { ScriptBlockText: `Set-Mailbox ${text}` } },
    { ...base, eventId: 4103, logsource: { product: 'windows' }, fields: { Payload: `CommandInvocation(Set-Mailbox): "Set-Mailbox"\nParameterBinding(Set-Mailbox): name="Identity"; value="${text}"` } },
    { ...base, logsource: { product: 'windows', category: 'process_creation' }, fields: { CommandLine: `powershell.exe -c Set-Mailbox ${text}` } },
    { ...base, logsource: { product: 'exchange', service: 'cosmosqueue' }, fields: { Data: `Set-Mailbox ${text}` } },
    { ...base, logsource: { product: 'm365', service: 'audit' }, fields: { Operation: 'Set-Mailbox', RecordType: '1', Parameters: [{ Name: text.slice(0, 200), Value: text }] } },
  ];
}

function wellFormed(f: Doc, label: string): void {
  const c = f.Cmdlet;
  assert.ok(c === undefined || typeof c === 'string' || (Array.isArray(c) && c.every((x) => typeof x === 'string')), `${label}: Cmdlet ${typeof c}`);
  for (const [k, v] of Object.entries(f)) {
    if (!k.startsWith('CmdletParameter.')) continue;
    assert.ok(!k.includes('function ') && !k.includes('[object '), `${label}: field name ${k.slice(0, 60)}`);
    if (Array.isArray(v)) assert.ok(v.length <= 1000, `${label}: ${k} holds ${v.length} values`);
  }
}

test('pathological repetitions: every cmdlet source finishes with bounded fields', { timeout: 60_000 }, () => {
  for (const p of PATTERNS) {
    const text = p.repeat(Math.ceil(size(p) / p.length));
    const label = JSON.stringify(p);
    for (const c of findCmdlets(text)) wellFormed({ Cmdlet: c.name, ...Object.fromEntries(Object.entries(c.params).map(([k, v]) => [`CmdletParameter.${k}`, v])) } as Doc, label);
    scriptFromCommandLine(`powershell -enc ${text}`);
    scriptFromCommandLine(`pwsh ${text}`);
    // every cmdlet source for the repeated-parameter patterns, the Exchange log and 4104 ones for the others
    for (const ev of events(text).filter((_, i) => BIG.has(p) || i === 0 || i === 2)) {
      cmdletTransform.apply(ev);
      wellFormed(ev.fields, `${label} ${ev.eventId ?? ev.logsource.service}`);
    }
  }
});

test('prototype names are plain text for cmdlet and parameter lookups', () => {
  for (const n of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
    assert.equal(canonicalCmdlet(n), undefined, n);
    assert.equal(typeof canonicalParam('Set-Mailbox', n), 'string', n);
    assert.equal(canonicalParam('Set-Mailbox', n), n);
    assert.equal(canonicalParam('Not-Known', n), n);
  }
  const [c] = findCmdlets('Set-Mailbox -constructor a -__proto__ b -toString c');
  assert.equal(c.params.constructor, 'a');
  assert.equal(Object.prototype.hasOwnProperty.call(c.params, '__proto__'), true);
  assert.equal(c.params.toString, 'c');
  assert.deepEqual(findCmdlets('constructor -x 1; __proto__ -y 2'), []);
  const ev: VigieEvent = { origin: { file: 'x', format: 't', offset: 0 }, logsource: { product: 'exchange', service: 'cmdletinfra' }, fields: { Cmdlet: 'constructor', Parameters: '-a 1' } };
  cmdletTransform.apply(ev);
  assert.equal(typeof ev.fields.Cmdlet, 'string', 'an unknown cmdlet name stays the text as logged');
  const repeated = findCmdlets(`Set-Mailbox ${'-Identity x '.repeat(5000)}`)[0];
  assert.equal((repeated.params.Identity as unknown[]).length, 1000, 'a parameter given 5000 times keeps at most 1000 values');
});
