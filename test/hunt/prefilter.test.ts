import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Prefilter, regexLiteral, ruleAnchors, ruleMinLength } from '../../src/hunt/prefilter.js';
import type { VigieEvent } from '../../src/event.js';

const ev = (fields: Record<string, string>): VigieEvent => ({ origin: { file: 'x', format: 't', offset: 0 }, logsource: {}, fields });

test('anchors: the literal a match needs, or null when in doubt', () => {
  assert.deepEqual(ruleAnchors({ sel: { 'Image|endswith': ['\\cmd.exe', '\\powershell.exe'] }, condition: 'sel' }), ['\\cmd.exe', '\\powershell.exe']);
  assert.deepEqual(ruleAnchors({ sel: { 'CommandLine|contains|all': ['-enc', 'hidden window'] }, condition: 'sel' }), ['hidden window']);
  assert.deepEqual(ruleAnchors({ sel: { Image: '*\\Temp\\\\*.exe', User: 'x' }, condition: 'sel' }), ['\\temp\\'], 'wildcards split; \\\\ is one backslash');
  assert.deepEqual(ruleAnchors({ sel: { Image: '*\\Temp\\*.exe' }, condition: 'sel' }), ['\\temp*.exe'], '\\* is an escaped star');
  // and: one side suffices; or: both sides needed; not: nothing
  assert.deepEqual(ruleAnchors({ a: { f: 'alpha' }, b: { g: 'betagamma' }, condition: 'a and b' }), ['betagamma']);
  assert.deepEqual(ruleAnchors({ a: { f: 'alpha' }, b: { g: 'betagamma' }, condition: 'a or b' })?.sort(), ['alpha', 'betagamma']);
  assert.equal(ruleAnchors({ a: { f: 'alpha' }, b: { g: 'beta' }, condition: 'a or not b' }), null);
  assert.equal(ruleAnchors({ a: { f: 'alpha' }, condition: 'not a' }), null);
  assert.deepEqual(ruleAnchors({ sel_a: { f: 'alpha' }, sel_b: { g: 'beta' }, condition: '1 of sel_*' })?.sort(), ['alpha', 'beta']);
  assert.deepEqual(ruleAnchors({ sel_a: { f: 'alpha' }, sel_b: { g: 'betas' }, condition: 'all of sel_*' }), ['alpha']);
  // modifiers that change what text is compared give no anchor
  for (const k of ['f|neq', 'f|exists', 'f|cidr', 'f|gt', 'f|expand', 'f|fieldref', 'Event.System.Channel', 'f|utf16le']) {
    assert.equal(ruleAnchors({ s: { [k]: 'something' }, condition: 's' }), null, k);
  }
  assert.equal(ruleAnchors({ s: { f: 4688 }, condition: 's' }), null, 'numbers');
  assert.equal(ruleAnchors({ s: { f: null }, condition: 's' }), null);
  assert.equal(ruleAnchors({ s: { f: ['ok', null] }, condition: 's' }), null);
  assert.equal(ruleAnchors({ s: { f: 'Straße' }, condition: 's' }), null, 'case-dependent non-ASCII');
  assert.deepEqual(ruleAnchors({ s: ['mimikatz', 'sekurlsa'], condition: 's' }), ['mimikatz', 'sekurlsa'], 'keywords');
  assert.deepEqual(ruleAnchors({ s: { 'CommandLine|windash|contains': ' -exec bypass ' }, condition: 's' }), ['exec bypass ']);
  assert.equal(ruleAnchors({ condition: 'x' }), null);
});

test('regex literals: only what every match contains', () => {
  assert.equal(regexLiteral('ipconfig\\s+/all'), 'ipconfig');
  assert.equal(regexLiteral('(?i)\\.exe["\']?\\s+[^"]{0,64}werfaultsecure\\.exe'), 'werfaultsecure.exe');
  assert.equal(regexLiteral('abc|defgh'), null, 'top-level alternation');
  assert.equal(regexLiteral('invoke-(expression|webrequest)'), 'invoke-');
  assert.equal(regexLiteral('colou?r_value'), 'r_value');
  assert.equal(regexLiteral('ab{0,3}c'), null);
  assert.equal(regexLiteral('x{2}yz'), null);
  assert.equal(regexLiteral('net\\s+user\\s+/add'), 'user');
  assert.equal(regexLiteral('(?x) a b c d e f'), null);
});

test('Prefilter: rules run only when an anchor occurs; rules without anchors always run', () => {
  const p = new Prefilter([
    { s: { 'Image|endswith': '\\mimikatz.exe' }, condition: 's' },
    { s: { 'f|neq': 'x' }, condition: 's' },
    { s: { CommandLine: '*😀*' }, condition: 's' },
    { s: { CommandLine: '*IMPHASH=32F5095C9BBDCACF28FD4060EB4DFC42*' }, condition: 's' },
  ]);
  assert.deepEqual([...p.anchored], [1, 0, 1, 1]);
  p.scan(ev({ Image: 'C:\\Tools\\MIMIKATZ.EXE' }));
  assert.ok(p.hit(0) && p.hit(1) && !p.hit(2) && !p.hit(3));
  p.scan(ev({ Image: 'C:\\Tools\\cmd.exe', CommandLine: 'echo 😀' }));
  assert.ok(!p.hit(0) && p.hit(1) && p.hit(2));
  p.scan(ev({ CommandLine: 'x MD5=1,IMPHASH=32f5095c9bbdcacf28fd4060eb4dfc42' }));
  assert.ok(p.hit(3));
  // literals are looked for in the field the rule tests: the same text in another field does not count
  p.scan(ev({ Hashes: 'MD5=1,IMPHASH=32f5095c9bbdcacf28fd4060eb4dfc42' }));
  assert.ok(!p.hit(3));
  // KELVIN SIGN lower-cases to "k": the engine would match "mimi\u212Aatz.exe", so must the prefilter
  p.scan(ev({ Image: 'C:\\x\\MIMI\u212AATZ.EXE' }));
  assert.ok(p.hit(0));
});

test('a required `.{N,}` regex makes short events skip the rule', () => {
  const det = { sel_img: { 'Image|endswith': '\\powershell.exe' }, sel_len: { 'CommandLine|re': '.{100,}' }, condition: 'all of sel_*' };
  assert.equal(ruleMinLength(det), 100);
  assert.equal(ruleMinLength({ ...det, condition: 'sel_img or sel_len' }), 0);
  assert.equal(ruleMinLength({ ...det, condition: 'not sel_len' }), 0);
  assert.equal(ruleMinLength({ s: { 'f|re': '^.{5,20}$' }, condition: 's' }), 5);
  assert.equal(ruleMinLength({ s: { 'f|re': 'a.{50,}' }, condition: 's' }), 0, 'only the plain form');
  const p = new Prefilter([det]);
  p.scan(ev({ Image: 'C:\\w\\powershell.exe', CommandLine: 'powershell -c x' }));
  assert.ok(!p.hit(0));
  p.scan(ev({ Image: 'C:\\w\\powershell.exe', CommandLine: 'powershell ' + 'A'.repeat(120) }));
  assert.ok(p.hit(0));
});
