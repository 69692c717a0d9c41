import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PhraseMatcher, fold, foldForMatch } from '../../../src/mail/inspect/text.js';

function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || c > 0x17f;
}

/** Reference: every phrase found with indexOf at word edges (slow, obviously right). */
function naive(phrases: string[], text: string): Set<string> {
  const found = new Set<string>();
  for (const raw of phrases) {
    const p = fold(raw).replace(/\s+/g, ' ').trim();
    if (!p) continue;
    for (let i = text.indexOf(p); i >= 0; i = text.indexOf(p, i + 1)) {
      const before = i > 0 ? text.charCodeAt(i - 1) : 32;
      const after = i + p.length < text.length ? text.charCodeAt(i + p.length) : 32;
      if (!isWordChar(before) && !isWordChar(after)) { found.add(p); break; }
    }
  }
  return found;
}

test('PhraseMatcher finds phrases at word edges, overlapping and nested ones included', () => {
  const m = new PhraseMatcher([
    { phrase: 'verify your account', tag: 'cred' }, { phrase: 'your account', tag: 'acc' }, { phrase: 'account', tag: 'a' },
    { phrase: 'Vérifiez votre compte', tag: 'fr' }, { phrase: 'he', tag: 'x' }, { phrase: 'she', tag: 'x' }, { phrase: 'hers', tag: 'x' },
  ]);
  const got = m.match(foldForMatch('Please VERIFY your  account now; verifiez votre compte. ushers she'));
  assert.deepEqual(new Set(got.map((g) => g.phrase)), new Set(['verify your account', 'your account', 'account', 'verifiez votre compte', 'she']));
  assert.equal(got.find((g) => g.phrase === 'account')!.tag, 'a');
  assert.deepEqual(m.match('accounts myaccount'), []);
  assert.deepEqual(m.match(''), []);
});

test('PhraseMatcher agrees with a naive search on random text', () => {
  let seed = 12345;
  const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
  const letters = 'abcde é-\'';
  const word = (): string => Array.from({ length: 1 + rnd(4) }, () => letters[rnd(letters.length)]).join('');
  for (let round = 0; round < 40; round++) {
    const phrases = Array.from({ length: 1 + rnd(30) }, () => Array.from({ length: 1 + rnd(3) }, word).join(' '));
    const m = new PhraseMatcher(phrases.map((p) => ({ phrase: p, tag: 1 })));
    const text = foldForMatch(Array.from({ length: 200 }, () => (rnd(10) === 0 ? 'ß\u0416x' : word())).join(rnd(2) ? ' ' : '  '));
    assert.deepEqual(new Set(m.match(text, 1000).map((g) => g.phrase)), naive(phrases, text), `round ${round}`);
  }
});

test('PhraseMatcher stops at maxHits and ignores text outside its alphabet', () => {
  const m = new PhraseMatcher(['one', 'two', 'three'].map((p) => ({ phrase: p, tag: p })));
  assert.equal(m.match('one two three', 2).length, 2);
  assert.deepEqual(m.match('\u4e00\u4e01 \ud83d\ude00 one').map((g) => g.phrase), ['one']);
});
