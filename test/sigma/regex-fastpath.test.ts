/** The length fast path of `re: '.{N,}'` gives exactly RE2's answers. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import RE2 from 're2';
import { compileRegex, dotRun } from '../../src/sigma/modifiers.js';

const samples = (): string[] => {
  const pieces = ['a', 'Z', ' ', '\n', '\r', '\u2028', '\u0085', 'é', '😀', '\ud800', '\udc00', 'İ', '\t', '-'];
  const out: string[] = ['', 'a', 'abc', 'a'.repeat(9), 'a'.repeat(10), 'a'.repeat(11), '😀'.repeat(5), '😀'.repeat(10), 'x\n'.repeat(20), `${'b'.repeat(12)}\n${'c'.repeat(3)}`];
  let seed = 7;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
  for (let k = 0; k < 400; k++) {
    let s = '';
    const len = rnd(30);
    for (let i = 0; i < len; i++) s += rnd(3) === 0 ? pieces[rnd(pieces.length)] : 'q';
    out.push(s);
  }
  return out;
};

test('.{N}, .{N,}, .{N,M} agree with RE2 with and without s', () => {
  for (const pattern of ['.{10}', '.{10,}', '.{10,12}', '.{1}', '.{3,}']) {
    for (const s of [false, true]) {
      const fast = compileRegex(pattern, { i: false, m: false, s });
      const re = new RE2(pattern, s ? 'su' : 'u');
      for (const x of samples()) assert.equal(fast(x), re.test(x), `${pattern} s=${s} on ${JSON.stringify(x)}`);
    }
  }
});

test('dotRun decides only when certain', () => {
  assert.equal(dotRun('abcd', 4, false), true);
  assert.equal(dotRun('abc', 4, false), false);
  assert.equal(dotRun('ab\ncd', 4, false), undefined);
  assert.equal(dotRun('ab\ncd', 4, true), true);
  assert.equal(dotRun('😀😀😀', 4, false), false);
  assert.equal(dotRun('ab\ud800', 2, false), true); // decided before the lone surrogate
  assert.equal(dotRun('\ud800bcd', 2, false), undefined);
});

test('other patterns are untouched', () => {
  const t = compileRegex('^.{3}$', { i: false, m: false, s: false });
  assert.equal(t('abc'), true);
  assert.equal(t('abcd'), false);
  assert.throws(() => compileRegex('.{5,2}', { i: false, m: false, s: false }));
});
