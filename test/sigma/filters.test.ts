import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { compileRule, loadRules, parseRules, RuleError } from '../../src/sigma/index.js';
import { FIXTURES } from '../helpers.js';
import { ev, run } from './util.js';

const whoami = { Image: 'C:\\Windows\\System32\\whoami.exe', CommandLine: 'whoami /all', User: 'CORP\\bob' };

test('a filter rule removes the matches it describes from the rules it names', async () => {
  const set = await loadRules([join(FIXTURES, 'sigma')]);
  const rule = set.rules.find((r) => r.name === 'whoami_exec')!;
  const plain = compileRule(rule);
  const filtered = compileRule(rule, { filters: set.filters });
  assert.deepEqual(filtered.filters, ['Filter Administrator accounts']);
  assert.ok(run(plain, ev(whoami)) !== null);
  assert.ok(run(filtered, ev(whoami)) !== null, 'non-admin still detected');
  assert.ok(run(plain, ev({ ...whoami, User: 'adm_bob' })) !== null);
  assert.equal(run(filtered, ev({ ...whoami, User: 'adm_bob' })), null, 'admin account filtered');
  assert.equal(run(filtered, ev({ ...whoami, CommandLine: 'whoami' })), null, 'rule itself still needs its selection');
  // the rule's own filter (NT AUTHORITY\SYSTEM) works: backslash kept literally
  assert.equal(run(plain, ev({ ...whoami, User: 'nt authority\\system' })), null);
});

test('filters apply by id or name, or by log source when they name no rule; others are ignored', () => {
  const text = `title: r\nid: 11111111-1111-4111-8111-111111111111\nname: rname\nlogsource: {category: process_creation, product: windows}\ndetection: {sel: {A: x}, condition: sel}\n---
title: by name\nlogsource: {category: process_creation, product: windows}\nfilter: {rules: [rname], selection: {B: 1}, condition: selection}\n---
title: other rule\nlogsource: {category: process_creation, product: windows}\nfilter: {rules: [someone_else], selection: {B: 2}, condition: selection}\n---
title: by logsource\nlogsource: {product: windows}\nfilter: {rules: [], selection: {B: 3}, condition: selection}\n---
title: other logsource\nlogsource: {product: linux}\nfilter: {rules: [], selection: {B: 4}, condition: selection}\n`;
  const set = parseRules(text, 'f.yml');
  const c = compileRule(set.rules[0]!, { filters: set.filters });
  assert.deepEqual(c.filters, ['by name', 'by logsource']);
  assert.ok(run(c, ev({ A: 'x' })) !== null);
  assert.equal(run(c, ev({ A: 'x', B: 1 })), null);
  assert.ok(run(c, ev({ A: 'x', B: 2 })) !== null);
  assert.equal(run(c, ev({ A: 'x', B: 3 })), null);
  assert.ok(run(c, ev({ A: 'x', B: 4 })) !== null);
});

test('a broken filter makes the rules it applies to fail with the reason', () => {
  const set = parseRules(`title: r\nname: r1\nlogsource: {product: windows}\ndetection: {sel: {A: x}, condition: sel}\n---\ntitle: bad\nlogsource: {product: windows}\nfilter: {rules: [r1], selection: {B|nope: 1}, condition: selection}\n`, 'b.yml');
  assert.throws(() => compileRule(set.rules[0]!, { filters: set.filters }), (e: unknown) => e instanceof RuleError && /filter "bad".*unknown modifier "nope"/.test((e as Error).message));
});
