import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { compileRule, loadRules, parseRules, RuleError, validateDocument } from '../../src/sigma/index.js';
import { FIXTURES, shared } from '../helpers.js';

const good = (title: string, extra = ''): string => `title: ${title}\nlogsource:\n  product: windows\ndetection:\n  sel:\n    A: 1\n  condition: sel\n${extra}`;

test('multi-document YAML: detection, correlation and filter rules', () => {
  const text = `${good('one', 'name: one\n')}---\ntitle: corr\ncorrelation:\n  type: event_count\n  rules: [one]\n  group-by: [User]\n  timespan: 10m\n  condition:\n    gte: 3\n---\ntitle: f\nlogsource:\n  product: windows\nfilter:\n  rules: [one]\n  selection:\n    User: admin\n  condition: selection\n`;
  const set = parseRules(text, 'x.yml');
  assert.deepEqual(set.problems, []);
  assert.equal(set.rules.length, 1);
  assert.equal(set.correlations.length, 1);
  assert.equal(set.filters.length, 1);
  assert.equal(set.correlations[0]!.timespanMs, 600_000);
  assert.deepEqual(set.correlations[0]!.groupBy, ['User']);
  assert.deepEqual(set.filters[0]!.rules, ['one']);
  assert.equal(set.rules[0]!.line, 1);
  assert.equal(set.correlations[0]!.line, 10);
});

test('rule collections: action global, repeat and reset', () => {
  const text = `action: global
title: base
logsource:
  product: windows
detection:
  sel:
    EventID: 1
  condition: sel
level: high
---
logsource:
  service: sysmon
detection:
  sel:
    Image: a.exe
---
action: repeat
detection:
  sel:
    Image: b.exe
---
action: reset
---
title: alone
logsource:
  product: linux
detection:
  k:
    - x
  condition: k
`;
  const set = parseRules(text, 'c.yml');
  assert.deepEqual(set.problems, []);
  assert.equal(set.rules.length, 3);
  const [a, b, c] = set.rules;
  assert.deepEqual(a!.logsource, { product: 'windows', service: 'sysmon' });
  assert.deepEqual(a!.detection, { sel: { EventID: 1, Image: 'a.exe' }, condition: 'sel' });
  assert.equal(a!.level, 'high');
  assert.deepEqual(b!.detection, { sel: { EventID: 1, Image: 'b.exe' }, condition: 'sel' });
  assert.equal(c!.title, 'alone');
  assert.equal(c!.level, undefined);
});

test('validation: clear messages with file and line; bad rules reported, never thrown, others kept', () => {
  const text = `${good('ok')}---\ntitle: no detection\nlogsource:\n  product: windows\n---\ntitle: no condition\nlogsource:\n  product: windows\ndetection:\n  sel:\n    A: 1\n---\ntitle: bad level\nlogsource:\n  product: windows\ndetection:\n  sel:\n    A: 1\n  condition: sel\nlevel: severe\n---\ntitle: [unclosed\n---\ntitle: bad corr\ncorrelation:\n  type: event_sum\n  rules: [x]\n  timespan: 1h\n`;
  const set = parseRules(text, 'bad.yml');
  assert.equal(set.rules.length, 2, 'the good rule and the one with only a warning are kept');
  const msgs = set.problems.map((p) => `${p.severity} ${p.file}:${p.line} ${p.message}`);
  assert.ok(msgs.some((m) => /^error bad\.yml:9 missing "detection"/.test(m)), msgs.join('\n'));
  assert.ok(msgs.some((m) => /^error bad\.yml:16 "detection" has no "condition"/.test(m)), msgs.join('\n'));
  assert.ok(msgs.some((m) => /^warning bad\.yml:27 unknown "level" "severe"/.test(m)), msgs.join('\n'));
  assert.ok(msgs.some((m) => /^error bad\.yml:\d+ YAML error/.test(m)), msgs.join('\n'));
  assert.ok(msgs.some((m) => /^error bad\.yml:\d+ unknown correlation type "event_sum"/.test(m)), msgs.join('\n'));
  assert.equal(parseRules(': : :\n\t- [', 'z.yml').problems[0]!.severity, 'error');
  assert.equal(parseRules('just a string', 'z.yml').problems[0]!.message, 'a rule document must be a YAML mapping');
});

test('loadRules: folders recursively, only .yml/.yaml, unreadable paths reported', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigie-sigma-'));
  try {
    mkdirSync(join(dir, 'a', 'b'), { recursive: true });
    writeFileSync(join(dir, 'a', 'r1.yml'), good('r1'));
    writeFileSync(join(dir, 'a', 'b', 'r2.yaml'), `${good('r2')}---\n${good('r3')}`);
    writeFileSync(join(dir, 'a', 'notes.txt'), 'not a rule');
    writeFileSync(join(dir, 'a', 'b', 'broken.yml'), 'title: x\ndetection: [');
    symlinkSync(join(dir, 'a'), join(dir, 'a', 'b', 'loop')); // a folder link back up: followed once, no loop
    const set = await loadRules([dir, join(dir, 'missing')]);
    assert.deepEqual(set.rules.map((r) => r.title).sort(), ['r1', 'r2', 'r3']);
    assert.equal(set.files, 3);
    assert.ok(set.problems.some((p) => p.file.endsWith('broken.yml') && p.severity === 'error'));
    assert.ok(set.problems.some((p) => p.file.endsWith('missing') && /cannot read/.test(p.message)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('fixture rules in test/fixtures/sigma load without problems', async () => {
  const set = await loadRules([join(FIXTURES, 'sigma')]);
  assert.deepEqual(set.problems, []);
  assert.ok(set.rules.length >= 3 && set.correlations.length >= 2 && set.filters.length >= 1);
});

test('own schema cases: invalid documents rejected, valid accepted', () => {
  const rejected = [
    'logsource: {product: windows}\ndetection: {sel: {A: 1}, condition: sel}', // no title
    'title: t\ndetection: {sel: {A: 1}, condition: sel}', // no logsource
    'title: t\nlogsource: {product: windows}\ndetection: {sel: {A: 1}}', // no condition
    'title: t\nid: not-a-uuid\nlogsource: {product: windows}\ndetection: {sel: {A: 1}, condition: sel}',
    'title: t\nlogsource: {product: windows}\ndetection: {sel: {A: 1}, condition: sel}\ndate: 2024/01/01',
    'title: t\nlogsource: {product: windows}\ndetection: {sel: {A: 1}, condition: sel}\ntags: [Attack T1]',
    'title: t\nlogsource: {product: windows}\ndetection: {sel: {A: 1}, condition: sel}\nstatus: production',
    'title: t\ncorrelation: {type: event_count, rules: [a], timespan: 1h, group-by: [U]}', // no condition
    'title: t\ncorrelation: {type: value_count, rules: [a], timespan: 1h, group-by: [U], condition: {gte: 2}}', // no field
    'title: t\ncorrelation: {type: temporal, rules: [a, b], group-by: [U]}', // no timespan
    'title: t\nlogsource: {product: windows}\nfilter: {rules: [a], condition: sel}', // no selection
  ];
  for (const r of rejected) assert.ok(validateDocument(parse(r)).some((i) => i.schema), `should be rejected: ${r}`);
  assert.deepEqual(validateDocument(parse(good('x'))), []);
});

const schemaTests = shared('sigma/specification/schema-tests');
test('Sigma specification schema-tests: documents accepted or rejected as the schema says', { skip: schemaTests.skip || false }, () => {
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(e)) files.push(p);
    }
  };
  walk(schemaTests.path!);
  assert.ok(files.length > 0);
  let accepted = 0, rejected = 0;
  for (const f of files) {
    // the suite's folders hold the schema name (rules/correlation/filter); a path part "invalid" marks negative cases
    const expectValid = !/[/\\]invalid[/\\]|[/\\]invalid_|_invalid\./i.test(f);
    const set = parseRules(readFileSync(f, 'utf8'), f);
    const schemaIssues = set.problems.filter((p) => p.severity === 'error' || /must|missing|unknown|not a|requires/.test(p.message));
    const kind = f.includes('correlation') ? set.correlations.length : f.includes('filter') ? set.filters.length : set.rules.length;
    if (expectValid) {
      assert.deepEqual(schemaIssues, [], `${f} should be accepted`);
      assert.equal(kind, 1, `${f} loads as its kind`);
      accepted++;
    } else {
      assert.ok(schemaIssues.length > 0, `${f} should be rejected`);
      rejected++;
    }
  }
  console.log(`schema-tests: ${accepted} accepted, ${rejected} rejected, of ${files.length}`);
});

test('hostile rule files: alias bombs, deep nesting and huge conditions are reported, not run', () => {
  const bomb = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 9; i++) bomb.push(`a${i}: &a${i} [${new Array(10).fill(`*a${i - 1}`).join(', ')}]`);
  const set = parseRules(`title: bomb\n${bomb.join('\n')}\nlogsource: {product: windows}\ndetection: {sel: {A: *a8}, condition: sel}\n`, 'bomb.yml');
  assert.equal(set.rules.length, 0);
  assert.match(set.problems[0]!.message, /too large/);
  const deep = `title: deep\nlogsource: {product: windows}\ndetection:\n  sel: ${'['.repeat(200)}${']'.repeat(200)}\n  condition: sel\n`;
  const d = parseRules(deep, 'deep.yml');
  assert.equal(d.rules.length, 0);
  assert.ok(d.problems.some((p) => /deeper|YAML/.test(p.message)));
  const long = parseRules(good('long').replace('condition: sel', `condition: ${new Array(6000).fill('sel').join(' and ')}`), 'long.yml');
  assert.equal(long.rules.length, 1);
  assert.throws(() => compileRule(long.rules[0]!), RuleError);
  assert.throws(() => compileRule(parseRules(good('nest').replace('condition: sel', `condition: ${'('.repeat(500)}sel${')'.repeat(500)}`), 'n.yml').rules[0]!), RuleError);
});
