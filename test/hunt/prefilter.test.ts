import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NON_ASCII, Prefilter, regexLiteral, ruleClauses, ruleMinLength } from '../../src/hunt/prefilter.js';
import type { VigieEvent } from '../../src/event.js';

const ev = (fields: Record<string, string>): VigieEvent => ({ origin: { file: 'x', format: 't', offset: 0 }, logsource: {}, fields });

/** A deterministic pseudo-random source: rnd(n) in [0, n), pick(abc, min, max) a word of min..max characters of abc. */
function random(seed: number) {
  const rnd = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const pick = (abc: string, min: number, max: number) => {
    let w = '';
    for (let i = min + rnd(max - min + 1); i > 0; i--) w += abc[rnd(abc.length)];
    return w;
  };
  return { rnd, pick };
}

/** A rule's clauses as sorted "field:literal" lists (literals lower-cased, cut to their last 10 characters), or null. */
const shown = (d: Record<string, unknown>): string[][] | null => {
  const c = ruleClauses(d);
  return c.length ? c.map((x) => x.map((l) => `${l.field}:${l.lit}`).sort()) : null;
};

test('literals: what a match needs, or nothing when in doubt', () => {
  assert.deepEqual(shown({ sel: { 'Image|endswith': ['\\cmd.exe', '\\powershell.exe'] }, condition: 'sel' }), [['image:\\cmd.exe', 'image:rshell.exe']]);
  assert.deepEqual(shown({ sel: { 'CommandLine|contains|all': ['-enc', 'hidden window'] }, condition: 'sel' }), [['commandline:den window'], ['commandline:-enc']]);
  assert.deepEqual(shown({ sel: { Image: '*\\Temp\\\\*.exe', User: 'x' }, condition: 'sel' }), [['image:\\temp\\'], ['user:x']], 'wildcards split; \\\\ is one backslash');
  assert.deepEqual(shown({ sel: { Image: '*\\Temp\\*.exe' }, condition: 'sel' }), [['image:\\temp*.exe']], '\\* is an escaped star');
  // and: both required; or: one clause across both sides; not: nothing
  assert.deepEqual(shown({ a: { f: 'alpha' }, b: { g: 'betagamma' }, condition: 'a and b' }), [['g:betagamma'], ['f:alpha']]);
  assert.deepEqual(shown({ a: { f: 'alpha' }, b: { g: 'betagamma' }, condition: 'a or b' }), [['f:alpha', 'g:betagamma']]);
  assert.equal(shown({ a: { f: 'alpha' }, b: { g: 'beta' }, condition: 'a or not b' }), null);
  assert.equal(shown({ a: { f: 'alpha' }, condition: 'not a' }), null);
  assert.deepEqual(shown({ sel_a: { f: 'alpha' }, sel_b: { g: 'beta' }, condition: '1 of sel_*' }), [['f:alpha', 'g:beta']]);
  assert.deepEqual(shown({ sel_a: { f: 'alpha' }, sel_b: { g: 'betas' }, condition: 'all of sel_*' }), [['f:alpha'], ['g:betas']]);
  // modifiers that change what text is compared give no literal
  for (const k of ['f|neq', 'f|exists', 'f|cidr', 'f|gt', 'f|expand', 'f|fieldref', 'Event.System.Channel', 'f|utf16le']) {
    assert.equal(shown({ s: { [k]: 'something' }, condition: 's' }), null, k);
  }
  assert.equal(shown({ s: { f: 4688 }, condition: 's' }), null, 'numbers');
  assert.equal(shown({ s: { f: null }, condition: 's' }), null);
  assert.equal(shown({ s: { f: ['ok', null] }, condition: 's' }), null);
  assert.deepEqual(ruleClauses({ s: { f: 'Straße' }, condition: 's' }), [[{ field: 'f', lit: NON_ASCII }]], 'case-dependent non-ASCII: only "holds non-ASCII"');
  assert.deepEqual(shown({ s: ['mimikatz', 'sekurlsa'], condition: 's' }), [[':mimikatz', ':sekurlsa']], 'keywords (field "")');
  assert.deepEqual(shown({ s: { 'CommandLine|windash|contains': ' -exec bypass ' }, condition: 's' }), [['commandline:ec bypass ']]);
  assert.equal(shown({ condition: 'x' }), null);
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

test('keyword literals: numbers and booleans are searched when a literal could occur in their text', () => {
  const evn = (fields: Record<string, string | number | boolean>): VigieEvent => ({ origin: { file: 'x', format: 't', offset: 0 }, logsource: {}, fields });
  const p = new Prefilter([
    { k: ['2.75'], condition: 'k' },
    { k: ['sekurlsa::'], condition: 'k' },
    { k: ['true'], condition: 'k' },
  ]);
  p.scan(evn({ Ratio: 12.75, Flag: true, Text: 'nothing' }));
  assert.ok(p.hit(0), 'a number-like keyword is found in a numeric field');
  assert.ok(p.hit(2), 'a boolean field reads as true');
  assert.ok(!p.hit(1));
  p.scan(evn({ Ratio: 80, Flag: false, Text: 'sekurlsa::logonpasswords' }));
  assert.ok(!p.hit(0) && !p.hit(2));
  assert.ok(p.hit(1));
});

test('keyword literals per candidate list: a value seen with one list is searched again for another', () => {
  const p = new Prefilter([
    { k: ['alphaword'], condition: 'k' },
    { k: ['betaword'], condition: 'k' },
    { k: ['gammaword'], condition: 'k' },
  ]);
  const out = new Int32Array(8);
  const hits = (rules: Int32Array, fields: Record<string, string>) => {
    p.scan(ev(fields), rules);
    return [...out.subarray(0, p.hits(rules, out))].map((k) => rules[k]);
  };
  const a = Int32Array.of(0), b = Int32Array.of(1, 2), all = Int32Array.of(0, 1, 2);
  // the same value (cached per field) under candidate lists with different keyword rules
  assert.deepEqual(hits(a, { Msg: 'x alphaword betaword' }), [0]);
  assert.deepEqual(hits(b, { Msg: 'x alphaword betaword' }), [1]);
  assert.deepEqual(hits(all, { Msg: 'x alphaword betaword' }), [0, 1]);
  assert.deepEqual(hits(b, { Msg: 'x alphaword' }), []);
  assert.deepEqual(hits(a, { Msg: 'x alphaword' }), [0]);
  assert.deepEqual(hits(all, { Msg: 'gammaword', Other: 'ALPHAWORD' }), [0, 2]);
  // numbers: searched only when a keyword literal could occur in a number's text
  const q = new Prefilter([{ k: ['u0027'], condition: 'k' }, { k: ['1e+21'], condition: 'k' }]);
  q.scan({ origin: { file: 'x', format: 't', offset: 0 }, logsource: {}, fields: { N: 1e21 } });
  assert.ok(q.hit(1) && !q.hit(0));
});

test('a big automaton (900 literals, thousands of states) answers as a plain substring search does', () => {
  // an alphabet small enough for literals to share prefixes and suffixes
  const { rnd, pick } = random(12345);
  const ABC = 'abcdeF\\.-: ';
  const word = (min: number, max: number) => pick(ABC, min, max);
  const lits = new Set<string>();
  while (lits.size < 900) {
    const w = word(3, 10);
    // (no edge spaces, no "\\\\": Sigma reads two backslashes as one, and the oracle below compares plain text)
    if (w.trim().length === w.length && !w.includes('\\\\')) lits.add(w);
  }
  const big = [...lits];
  const small = ['zz1', 'qq2', 'abcd'];
  const detections = [
    ...big.map((l) => ({ sel: { 'CommandLine|contains': l }, condition: 'sel' })),
    ...small.map((l) => ({ sel: { 'Image|contains': l }, condition: 'sel' })),
    { sel: { 'CommandLine|contains': big[0]!, 'Image|contains': 'zz1' }, condition: 'sel' },
  ];
  const p = new Prefilter(detections);
  const all = Int32Array.from(detections.keys());
  const out = new Int32Array(all.length);
  const expected = (f: Record<string, string>) => {
    const cl = (f.CommandLine ?? '').toLowerCase();
    const im = (f.Image ?? '').toLowerCase();
    return detections.flatMap((_, r) => {
      if (r < big.length) return cl.includes(big[r]!.toLowerCase()) ? [r] : [];
      if (r < big.length + small.length) return im.includes(small[r - big.length]!) ? [r] : [];
      return cl.includes(big[0]!.toLowerCase()) && im.includes('zz1') ? [r] : [];
    });
  };
  let found = 0;
  for (let i = 0; i < 400; i++) {
    // random text, with some literals (in upper case at times) planted in it
    let t = word(0, 60);
    if (i % 3 === 0) t += big[rnd(big.length)]!.toUpperCase() + word(0, 5) + big[rnd(big.length)];
    const f = { CommandLine: t, Image: i % 4 === 0 ? 'C:\\ZZ1\\x.exe' : word(0, 12) };
    const want = expected(f);
    found += want.length;
    // with a candidate list (value caches, collected hits) and without (plain scan)
    p.scan(ev(f), all);
    assert.deepEqual([...out.subarray(0, p.hits(all, out))].map((k) => all[k]), want, `text ${JSON.stringify(f)}`);
    p.scan(ev(f));
    assert.deepEqual(detections.flatMap((_, r) => (p.hit(r) ? [r] : [])), want);
  }
  assert.ok(found > 400, `the texts hit literals (${found} hits)`);
  const a = (p as unknown as { byField: Map<string, { states: number }> }).byField.get('commandline')!;
  assert.ok(a.states > 1024, `${a.states} states`);
});

test('the skips (characters no literal holds, two-character shifts) never miss a match (field and keyword automata, all literal lengths)', () => {
  const { rnd, pick } = random(777);
  // literals over LIT; texts also hold characters of no literal (digits, "xyz", "{}", non-ASCII), in runs of all lengths
  const LIT = 'abcdeF.-: ';
  const OTHER = '0123456789xyz{}é';
  for (const [min, max] of [[1, 3], [3, 10], [4, 4], [4, 7], [8, 10], [10, 10]] as const) {
    const lits = new Set<string>();
    while (lits.size < 60) {
      const w = pick(LIT, min, max);
      if (w.trim().length === w.length) lits.add(w);
    }
    const list = [...lits];
    const detections = [
      ...list.map((l) => ({ sel: { 'CommandLine|contains': l }, condition: 'sel' })),
      ...list.slice(0, 20).map((l) => ({ k: [l], condition: 'k' })),
    ];
    const p = new Prefilter(detections);
    const all = Int32Array.from(detections.keys());
    const out = new Int32Array(all.length);
    let found = 0;
    for (let i = 0; i < 600; i++) {
      // runs of literal characters and of others; literals planted at the start, the end, right after other characters
      let t = '';
      for (let r = rnd(8); r > 0; r--) t += rnd(2) ? pick(OTHER, 1, 12) : pick(LIT, 0, 12);
      if (i % 3 === 0) t = list[rnd(list.length)]! + t;
      if (i % 3 === 1) t += pick(OTHER, 1, 3) + list[rnd(list.length)]!.toUpperCase();
      if (i % 5 === 0) t = pick(OTHER, 0, 2) + list[rnd(list.length)]! + pick(OTHER, 0, 2) + t;
      const f = { CommandLine: t, Other: pick(OTHER, 0, 30) };
      const lc = t.toLowerCase();
      const want = detections.flatMap((_, r) => {
        const lit = r < list.length ? list[r]! : list[r - list.length]!;
        return lc.includes(lit.toLowerCase()) ? [r] : [];
      });
      found += want.length;
      p.scan(ev(f), all);
      assert.deepEqual([...out.subarray(0, p.hits(all, out))].map((k) => all[k]), want, `literals ${min}-${max}, text ${JSON.stringify(t)}`);
      p.scan(ev(f));
      assert.deepEqual(detections.flatMap((_, r) => (p.hit(r) ? [r] : [])), want, `literals ${min}-${max}, text ${JSON.stringify(t)} (plain scan)`);
    }
    assert.ok(found > 300, `the texts hit literals (${found} hits, literals ${min}-${max})`);
  }
});
