import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check, compile, ev, run } from './util.js';
import { RuleError, compileRule, parseRules } from '../../src/sigma/index.js';
import { parseCondition } from '../../src/sigma/condition.js';

const base = `a:\n  A: 1\nb:\n  B: 1\nc:\n  C: 1\n`;

test('and, or, not and their precedence (not > and > or)', () => {
  check(`${base}condition: a and b`, [{ A: 1, B: 1 }], [{ A: 1 }, { B: 1 }]);
  check(`${base}condition: a or b`, [{ A: 1 }, { B: 1 }], [{ C: 1 }]);
  check(`${base}condition: a and not b`, [{ A: 1 }], [{ A: 1, B: 1 }, { B: 1 }]);
  check(`${base}condition: a or b and c`, [{ A: 1 }, { B: 1, C: 1 }], [{ B: 1 }, { C: 1 }]);
  check(`${base}condition: not a and b`, [{ B: 1 }], [{ A: 1, B: 1 }]);
  check(`${base}condition: not not a`, [{ A: 1 }], [{ B: 1 }]);
  check(`${base}condition: a AND NOT b`, [{ A: 1 }], [{ A: 1, B: 1 }]);
});

test('parentheses', () => {
  check(`${base}condition: (a or b) and c`, [{ A: 1, C: 1 }, { B: 1, C: 1 }], [{ A: 1 }, { C: 1 }]);
  check(`${base}condition: a and not (b or c)`, [{ A: 1 }], [{ A: 1, C: 1 }, { A: 1, B: 1 }]);
  check(`${base}condition: ((a))`, [{ A: 1 }], [{ B: 1 }]);
});

test('1 of / all of a pattern, and of them (identifiers starting with _ excluded)', () => {
  const d = `selection_1:\n  A: 1\nselection_2:\n  B: 1\nfilter_x:\n  C: 1\n_aux:\n  D: 1\n`;
  check(`${d}condition: 1 of selection_*`, [{ A: 1 }, { B: 1 }], [{ C: 1 }]);
  check(`${d}condition: all of selection_*`, [{ A: 1, B: 1 }], [{ A: 1 }]);
  check(`${d}condition: 1 of selection_* and not 1 of filter_*`, [{ A: 1 }], [{ A: 1, C: 1 }]);
  check(`${d}condition: 1 of them`, [{ A: 1 }, { C: 1 }], [{ D: 1 }, {}]);
  check(`${d}condition: all of them`, [{ A: 1, B: 1, C: 1 }], [{ A: 1, B: 1, D: 1 }]);
  check(`${d}condition: any of sel*`, [{ B: 1 }], [{ D: 1 }]);
  check(`${d}condition: all of *_x`, [{ C: 1 }], [{ A: 1 }]);
});

test('a condition given as a list is an OR', () => {
  check(`${base}condition:\n  - a and b\n  - c`, [{ A: 1, B: 1 }, { C: 1 }], [{ A: 1 }, { B: 1 }]);
});

test('a list of maps is an OR of ANDed maps', () => {
  check(`sel:\n  - A: 1\n    B: 1\n  - C: 1\ncondition: sel`, [{ A: 1, B: 1 }, { C: 1 }], [{ A: 1 }, { B: 1 }]);
});

test('keyword selections search the whole event; |all keyword lists need every keyword', () => {
  check(`keywords:\n  - 'event::clear'\n  - 'event::drop'\ncondition: keywords`, [{ CommandLine: 'mimikatz EVENT::Clear' }, { Other: 'x event::drop y' }], [{ CommandLine: 'event:clear' }]);
  check(`keywords:\n  '|all':\n    - 'OabVirtualDirectory'\n    - ' -ExternalUrl '\ncondition: keywords`,
    [{ Payload: 'Set-OabVirtualDirectory -ExternalUrl http://x' }, { A: 'OabVirtualDirectory', B: 'x -ExternalUrl y' }],
    [{ Payload: 'Set-OabVirtualDirectory -InternalUrl http://x' }]);
  check(`keywords:\n  - 'a*b'\ncondition: keywords`, [{ X: 'xx a--b yy' }], [{ X: 'ba' }]);
  check(`keywords:\n  '|re': 'evil[0-9]+'\ncondition: keywords`, [{ X: 'is evil42' }], [{ X: 'evil' }]);
  check(`keywords:\n  - 4625\ncondition: keywords`, [{ EventID: 4625 }], [{ EventID: 4624 }]);
  const d = run(compile(`keywords:\n  - 'mimikatz'\ncondition: keywords`), ev({ A: 'nothing', B: 'run Mimikatz now' }));
  assert.deepEqual(d, [{ field: '', value: 'run Mimikatz now', pattern: 'mimikatz' }]);
});

test('match details come only from the branches that matched', () => {
  const c = compile(`${base}condition: (a and b) or c`);
  assert.deepEqual(run(c, ev({ A: 1, C: 1 }))!.map((d) => d.field), ['C']);
  const n = compile(`${base}condition: a and not b`);
  assert.deepEqual(run(n, ev({ A: 1 }))!.map((d) => d.field), ['A']);
});

test('broken conditions are RuleErrors with a reason', () => {
  assert.throws(() => compile(`${base}condition: a and`), RuleError);
  assert.throws(() => compile(`${base}condition: (a or b`), /missing "\)"/);
  assert.throws(() => compile(`${base}condition: a or x`), /"x", which is not a search identifier/);
  assert.throws(() => compile(`${base}condition: 1 of nomatch*`), /matches no search identifier/);
  assert.throws(() => compile(`${base}condition: a | count() > 5`), /aggregation/);
  assert.throws(() => compile(`${base}condition: 2 of a*`), RuleError);
  assert.throws(() => parseCondition(''), RuleError);
  assert.deepEqual(parseCondition('a or b and not c'), {
    t: 'or', a: { t: 'id', name: 'a' }, b: { t: 'and', a: { t: 'id', name: 'b' }, b: { t: 'not', x: { t: 'id', name: 'c' } } },
  });
});

test('RuleErrors carry the line of the search identifier or condition at fault', () => {
  const text = `title: t\nlogsource:\n  product: windows\ndetection:\n  sel:\n    A: 1\n  bad:\n    B|nope: 2\n  condition: sel or bad\n`;
  const r = parseRules(text, 'l.yml').rules[0]!;
  assert.throws(() => compileRule(r), (e: unknown) => e instanceof RuleError && e.line === 7 && /unknown modifier "nope"/.test(e.message));
  const r2 = parseRules(text.replace('B|nope', 'B').replace('sel or bad', 'sel or missing'), 'l.yml').rules[0]!;
  assert.throws(() => compileRule(r2), (e: unknown) => e instanceof RuleError && e.line === 9);
});
