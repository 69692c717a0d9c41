/** Field-aware prefilter clauses, event-id pinning in the router, caching field views, regex literal prechecks. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NON_ASCII, Prefilter, ruleClauses, ruleEventIds } from '../../src/hunt/prefilter.js';
import { Router, fieldView } from '../../src/hunt/router.js';
import { loadMapping } from '../../src/hunt/mapping.js';
import { windowsEvent } from '../../src/sources/windows.js';
import { compileRegex } from '../../src/sigma/modifiers.js';
import { compileRule, type SigmaRule } from '../../src/sigma/index.js';
import { getField, type Doc, type FieldValue, type VigieEvent } from '../../src/event.js';

const ev = (fields: Doc): VigieEvent => ({ origin: { file: 'x', format: 't', offset: 0 }, logsource: {}, fields });

test('clauses: every required selection gives one, on its field; OR gives one clause across branches', () => {
  const c = ruleClauses({ a: { 'Image|endswith': '\\rundll32.exe' }, b: { 'CommandLine|contains': 'javascript:' }, condition: 'a and b' });
  assert.deepEqual(c.map((x) => x.map((l) => `${l.field}:${l.lit}`)).sort(), [['commandline:avascript:'], ['image:ndll32.exe']], 'cut to their last 10 characters');
  const or = ruleClauses({ a: { Image: '*\\x.exe' }, b: { ParentImage: '*\\y.exe' }, condition: 'a or b' });
  assert.equal(or.length, 1);
  assert.deepEqual(or[0]!.map((l) => l.field).sort(), ['image', 'parentimage']);
  assert.deepEqual(ruleClauses({ a: { f: 'x' }, condition: 'not a' }), []);
  // contains|all: each value is required on its own
  assert.equal(ruleClauses({ s: { 'CommandLine|contains|all': ['alpha', 'beta'] }, condition: 's' }).length, 2);
  // values needing a character outside ASCII: the field must hold one
  assert.deepEqual(ruleClauses({ s: { 'CommandLine|contains': ['а', 'е'] }, condition: 's' }), [[{ field: 'commandline', lit: NON_ASCII }]]);
  assert.deepEqual(ruleClauses({ s: { 'CommandLine|contains': ['а', 'e'] }, condition: 's' }), [], 'one ASCII value: nothing known');
});

test('clauses: an OR over ANDs keeps one union per choice of clauses, so a common literal cannot carry the rule', () => {
  // (Image has \windows\ AND CommandLine has \..\..\) OR CommandLine has .exe\..\
  const det = {
    a: { 'Image|contains': '\\Windows\\', 'CommandLine|contains': '\\..\\..\\' },
    b: { 'CommandLine|contains': '.exe\\..\\' },
    condition: '1 of a or b',
  };
  const shown = ruleClauses({ ...det, condition: 'a or b' }).map((c) => c.map((l) => `${l.field}:${l.lit}`).sort());
  assert.deepEqual(shown.sort(), [
    ['commandline:.exe\\..\\', 'commandline:\\..\\..\\'],
    ['commandline:.exe\\..\\', 'image:\\windows\\'],
  ]);
  const p = new Prefilter([{ ...det, condition: 'a or b' }]);
  p.scan(ev({ Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'cmd /c dir' }));
  assert.ok(!p.hit(0), 'the common Image literal alone no longer selects the rule');
  p.scan(ev({ Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'cmd /c x\\..\\..\\y' }));
  assert.ok(p.hit(0), 'first alternative');
  p.scan(ev({ Image: 'C:\\Tools\\a.exe', CommandLine: 'a.exe\\..\\b' }));
  assert.ok(p.hit(0), 'second alternative');
  // three alternatives of two clauses each: never more than 4 clauses, each a union of one clause per alternative
  const many = ruleClauses({
    a: { x: 'aaaa1', y: 'aaaa2' }, b: { x: 'bbbb1', y: 'bbbb2' }, c: { x: 'cccc1', y: 'cccc2' }, condition: '1 of a or b or c',
  });
  assert.ok(many.length >= 1 && many.length <= 4);
  for (const c of many) assert.equal(new Set(c.map((l) => l.lit[0])).size, 3, 'one literal from each alternative');
});

test('Prefilter: all clauses must hold, each in its own field (or a field aliased to it)', () => {
  const p = new Prefilter([
    { a: { 'Image|endswith': '\\rundll32.exe' }, b: { 'CommandLine|contains': 'javascript:' }, condition: 'a and b' },
    { s: { 'CommandLine|contains': ['а', 'е'] }, condition: 's' },
  ], { aliases: [new Map([['image', 'NewProcessName']])] });
  p.scan(ev({ Image: 'C:\\w\\RUNDLL32.EXE', CommandLine: 'rundll32 javascript:alert(1)' }));
  assert.ok(p.hit(0));
  p.scan(ev({ Image: 'C:\\w\\rundll32.exe', CommandLine: 'rundll32 x.dll' }));
  assert.ok(!p.hit(0), 'second clause missing');
  p.scan(ev({ Image: 'C:\\w\\cmd.exe', CommandLine: 'rundll32.exe javascript:' }));
  assert.ok(!p.hit(0), 'literal in the wrong field');
  p.scan(ev({ NewProcessName: 'C:\\w\\rundll32.exe', CommandLine: 'javascript:x' }));
  assert.ok(p.hit(0), 'aliased field');
  p.scan(ev({ CommandLine: 'plain ascii' }));
  assert.ok(!p.hit(1));
  p.scan(ev({ CommandLine: 'cmd /c ехо' }));
  assert.ok(p.hit(1));
  // repeated values are answered from the value cache with the same result
  for (let i = 0; i < 3; i++) {
    p.scan(ev({ Image: 'C:\\w\\rundll32.exe', CommandLine: 'rundll32 javascript:alert(1)' }));
    assert.ok(p.hit(0));
    p.scan(ev({ Image: 'C:\\w\\rundll32.exe', CommandLine: 'rundll32 x.dll' }));
    assert.ok(!p.hit(0));
  }
});

test('event ids a rule requires', () => {
  assert.deepEqual(ruleEventIds({ s: { EventID: 4688, x: 'y' }, condition: 's' }), [4688]);
  assert.deepEqual(ruleEventIds({ s: { EventID: [4624, '4625'] }, condition: 's' }), [4624, 4625]);
  assert.deepEqual(ruleEventIds({ a: { EventID: 1 }, b: { EventID: 2 }, condition: 'a or b' }), [1, 2]);
  assert.equal(ruleEventIds({ a: { EventID: 1 }, b: { x: 2 }, condition: 'a or b' }), null);
  assert.equal(ruleEventIds({ a: { EventID: 1 }, condition: 'not a' }), null);
  assert.equal(ruleEventIds({ a: { 'EventID|neq': 1 }, condition: 'a' }), null);
  assert.equal(ruleEventIds({ a: { EventID: '4*' }, condition: 'a' }), null);
});

test('router leaves out rules pinned to other event ids, only when EventID is the event id', () => {
  const win = (id: number): VigieEvent => windowsEvent({ Event: { System: { Provider: { '#attributes': { Name: 'P' } }, EventID: id, Channel: 'Security' }, EventData: {} } } as Doc,
    { file: 'x', format: 't', offset: 0 });
  const r = new Router(loadMapping(), [
    { logsource: { product: 'windows', service: 'security' }, eventIds: [4624] },
    { logsource: { product: 'windows', service: 'security' } },
  ]);
  assert.deepEqual(r.route(win(4624)).map((x) => x.rule), [0, 1]);
  assert.deepEqual(r.route(win(4625)).map((x) => x.rule), [1]);
  const odd = win(4625);
  odd.fields.EventID = '4624';
  assert.deepEqual(r.route(odd).map((x) => x.rule), [0, 1], 'EventID field differs from the event id: no pinning');
});

test('fieldView caches per event and resolves aliases; matchers give the same answers through it', () => {
  const rule = {
    kind: 'rule', file: 'x', title: 't', tags: [], references: [], falsepositives: [], fields: [], logsource: {}, raw: {},
    detection: { s: { 'Image|endswith': '\\cmd.exe', 'CommandLine|contains': 'whoami' }, condition: 's' },
  } as unknown as SigmaRule;
  const c = compileRule(rule);
  const v = fieldView(new Map([['image', 'NewProcessName']]));
  const a = ev({ NewProcessName: 'C:\\W\\CMD.EXE', CommandLine: 'cmd /c WHOAMI' });
  const b = ev({ NewProcessName: 'C:\\W\\CMD.EXE', CommandLine: 'cmd /c dir' });
  v.reset(a);
  assert.ok(c.match(a, v));
  v.reset(b);
  assert.equal(c.match(b, v), null, 'the cache moved to the next event');
  assert.ok(c.match(a, (f: string): FieldValue | undefined => getField(a, f === 'Image' ? 'NewProcessName' : f)), 'plain getter');
});

test('getField: exact, then case-insensitive in field order, then a dotted path', () => {
  const e: VigieEvent = { ...ev({ image: 'lower', Image: 'exact', 'Data.X': 'dotted' }), doc: { A: { B: 'deep' } } };
  assert.equal(getField(e, 'Image'), 'exact');
  assert.equal(getField(e, 'IMAGE'), 'lower');
  assert.equal(getField(e, 'data.x'), 'dotted');
  assert.equal(getField(e, 'A.B'), 'deep');
  assert.equal(getField(e, 'Nope'), undefined);
  assert.equal(getField(ev({ '\u0130D': 'v' }), 'i\u0307d'), 'v', 'U+0130 lower-cases to two units');
});

test('regex literal precheck never changes an answer', () => {
  const t = compileRegex('(?i)kill\\s+-9', { i: false, m: false, s: false });
  assert.ok(t('KILL  -9'));
  assert.ok(!t('kil -9'));
  assert.ok(t('\u212aill -9'), 'KELVIN SIGN folds to k in RE2: the precheck lets it through');
  const u = compileRegex('Invoke-[A-Z]+Expression', { i: false, m: false, s: false });
  assert.ok(u('Invoke-XExpression'));
  assert.ok(!u('invoke-xexpression'), 'case-sensitive regex still decides');
});

test('long contains lists (one automaton per list) answer like String.includes', () => {
  const words = ['alpha', 'beta', 'gamma', 'delta', 'épsilon', 'zeta', 'eta', 'theta', 'iota', 'kappa', 'lambda', 'mu', 'nu', 'xi', 'omicron', 'пи', 'rho', '😀x'];
  const rule = {
    kind: 'rule', file: 'x', title: 't', tags: [], references: [], falsepositives: [], fields: [], logsource: {}, raw: {},
    detection: { s: { 'CommandLine|contains': words }, condition: 's' },
  } as unknown as SigmaRule;
  const c = compileRule(rule);
  const samples = ['', 'nothing here', 'ALPHABET', 'the Zeta function', 'ÉPSILON', 'épsilo', 'Пи', 'a 😀x b', '😀', 'thet', 'omicro', 'xxmuxx', 'et', 'e t a'];
  for (const s of samples) {
    const want = words.some((w) => s.toLowerCase().includes(w));
    assert.equal(c.match(ev({ CommandLine: s }), (f) => getField(ev({ CommandLine: s }), f)) !== null, want, s);
  }
});

test('getField on an event with many fields (indexed after the first miss) gives the same answers', () => {
  const fields: Doc = {};
  for (let i = 0; i < 200; i++) fields[`Field${i}`] = `v${i}`;
  fields.image = 'lower';
  fields.Image = 'exact';
  const e = ev(fields);
  assert.equal(getField(e, 'nothing'), undefined);
  assert.equal(getField(e, 'FIELD7'), 'v7');
  assert.equal(getField(e, 'IMAGE'), 'lower');
  assert.equal(getField(e, 'Image'), 'exact');
  assert.equal(getField(e, 'field199'), 'v199');
});
