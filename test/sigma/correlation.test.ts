import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { getField, type Doc, type VigieEvent } from '../../src/event.js';
import { CorrelationEngine, compileRule, loadRules, parseRules, type CorrelationAlert, type RuleSet } from '../../src/sigma/index.js';
import { FIXTURES } from '../helpers.js';
import { ev } from './util.js';

const T0 = Date.parse('2024-01-01T00:00:00Z');
const min = 60_000;

const baseRules = `title: A\nname: rule_a\nlogsource: {product: windows}\ndetection: {sel: {R: a}, condition: sel}\n---
title: B\nname: rule_b\nlogsource: {product: windows}\ndetection: {sel: {R: b}, condition: sel}\n---
title: C\nname: rule_c\nlogsource: {product: windows}\ndetection: {sel: {R: c}, condition: sel}\n`;

function engine(corr: string, opts?: { maxGroups?: number; maxEventsPerGroup?: number }): { eng: CorrelationEngine; set: RuleSet } {
  const set = parseRules(`${baseRules}---\n${corr}`, 'corr.yml');
  assert.deepEqual(set.problems.filter((p) => p.severity === 'error'), []);
  const eng = new CorrelationEngine(set.correlations, set.rules, opts);
  assert.deepEqual(eng.problems, []);
  return { eng, set };
}

/** Feed (rule, minutes after T0, fields) in the given order; returns every alert incl. finish(). */
function feed(eng: CorrelationEngine, items: Array<[string, number, Doc?]>): CorrelationAlert[] {
  const out: CorrelationAlert[] = [];
  for (const [r, m, f] of items) {
    const e: VigieEvent = ev({ R: r.slice(-1), User: 'bob', ...(f ?? {}) }, T0 + m * min);
    out.push(...eng.feed(r, e, (x) => getField(e, x)));
  }
  out.push(...eng.finish());
  return out;
}

const count = (cond: string, groupBy = '[User]', span = '10m'): string =>
  `title: many A\ncorrelation:\n  type: event_count\n  rules: [rule_a]\n  group-by: ${groupBy}\n  timespan: ${span}\n  condition: {${cond}}\nlevel: high\n`;

test('event_count: fires at the threshold, once per burst, with group and value', () => {
  const { eng } = engine(count('gte: 3'));
  const a = feed(eng, [['rule_a', 0], ['rule_a', 1], ['rule_a', 2], ['rule_a', 3]]);
  assert.equal(a.length, 1);
  assert.equal(a[0]!.value, 3);
  assert.deepEqual(a[0]!.group, { User: 'bob' });
  assert.equal(a[0]!.firstTime, T0);
  assert.equal(a[0]!.time, T0 + 2 * min);
  assert.equal(a[0]!.events.length, 3);
  assert.deepEqual(a[0]!.rules, ['rule_a']);
  const { eng: e2 } = engine(count('gte: 3'));
  assert.equal(feed(e2, [['rule_a', 0], ['rule_a', 1]]).length, 0, 'below the threshold');
});

test('event_count: group-by is enforced', () => {
  const { eng } = engine(count('gte: 3'));
  assert.equal(feed(eng, [['rule_a', 0, { User: 'x' }], ['rule_a', 1, { User: 'y' }], ['rule_a', 2, { User: 'z' }]]).length, 0);
  const { eng: e2 } = engine(count('gte: 2', '[User, Computer]'));
  assert.equal(feed(e2, [['rule_a', 0, { Computer: 'h1' }], ['rule_a', 1, { Computer: 'h2' }]]).length, 0);
  const { eng: e3 } = engine(count('gte: 2', '[User, Computer]'));
  assert.equal(feed(e3, [['rule_a', 0, { Computer: 'h1' }], ['rule_a', 1, { Computer: 'h1' }]]).length, 1);
});

test('window edges: events exactly timespan apart are inside, one ms more is outside', () => {
  const { eng } = engine(count('gte: 2'));
  assert.equal(feed(eng, [['rule_a', 0], ['rule_a', 10]]).length, 1);
  const { eng: e2 } = engine(count('gte: 2'));
  const out: CorrelationAlert[] = [];
  for (const t of [0, 10 * min + 1]) { const e = ev({ R: 'a', User: 'bob' }, T0 + t); out.push(...e2.feed('rule_a', e, (x) => getField(e, x))); }
  assert.equal(out.length, 0);
});

test('events out of time order still complete their window', () => {
  const { eng } = engine(count('gte: 3'));
  // read from two files: later file holds the earlier events
  const a = feed(eng, [['rule_a', 30], ['rule_a', 5], ['rule_a', 100], ['rule_a', 7], ['rule_a', 1]]);
  assert.equal(a.length, 1);
  assert.equal(a[0]!.firstTime, T0 + 1 * min);
  assert.equal(a[0]!.time, T0 + 7 * min);
});

test('value_count counts distinct values per group', () => {
  const { eng } = engine(`title: spray\ncorrelation:\n  type: value_count\n  rules: [rule_a]\n  group-by: [Ip]\n  timespan: 1h\n  condition: {field: TargetUser, gte: 3}\n`);
  const a = feed(eng, [['rule_a', 0, { Ip: '1.1.1.1', TargetUser: 'u1' }], ['rule_a', 1, { Ip: '1.1.1.1', TargetUser: 'u1' }],
    ['rule_a', 2, { Ip: '1.1.1.1', TargetUser: 'u2' }], ['rule_a', 3, { Ip: '2.2.2.2', TargetUser: 'u3' }], ['rule_a', 4, { Ip: '1.1.1.1', TargetUser: 'u3' }]]);
  assert.equal(a.length, 1);
  assert.equal(a[0]!.value, 3);
  assert.deepEqual(a[0]!.group, { Ip: '1.1.1.1' });
});

const temporal = (type: string, span = '5m'): string =>
  `title: recon\ncorrelation:\n  type: ${type}\n  rules: [rule_a, rule_b, rule_c]\n  group-by: [User]\n  timespan: ${span}\nlevel: high\n`;

test('temporal: all rules in the window, any order, same group', () => {
  assert.equal(feed(engine(temporal('temporal')).eng, [['rule_c', 0], ['rule_a', 1], ['rule_b', 2]]).length, 1);
  assert.equal(feed(engine(temporal('temporal')).eng, [['rule_c', 0], ['rule_a', 1], ['rule_a', 2]]).length, 0, 'rule_b missing');
  assert.equal(feed(engine(temporal('temporal')).eng, [['rule_c', 0], ['rule_a', 1], ['rule_b', 9]]).length, 0, 'outside the window');
  assert.equal(feed(engine(temporal('temporal')).eng, [['rule_c', 0], ['rule_a', 1], ['rule_b', 2, { User: 'eve' }]]).length, 0, 'other group');
  const a = feed(engine(temporal('temporal')).eng, [['rule_b', 2], ['rule_c', 0], ['rule_a', 1]]);
  assert.equal(a.length, 1);
  assert.deepEqual([...a[0]!.rules].sort(), ['rule_a', 'rule_b', 'rule_c']);
});

test('temporal_ordered: order enforced for every step', () => {
  const run = (items: Array<[string, number, Doc?]>): number => feed(engine(temporal('temporal_ordered')).eng, items).length;
  assert.equal(run([['rule_a', 0], ['rule_b', 1], ['rule_c', 2]]), 1);
  assert.equal(run([['rule_b', 0], ['rule_a', 1], ['rule_c', 2]]), 0, 'first two swapped');
  assert.equal(run([['rule_a', 0], ['rule_c', 1], ['rule_b', 2]]), 0, 'last two swapped');
  assert.equal(run([['rule_c', 0], ['rule_b', 1], ['rule_a', 2]]), 0, 'reversed');
  assert.equal(run([['rule_b', 0], ['rule_a', 1], ['rule_b', 2], ['rule_c', 3]]), 1, 'a later B completes the order');
  // arrival order does not matter, event times do
  assert.equal(run([['rule_c', 2], ['rule_b', 1], ['rule_a', 0]]), 1, 'fed in reverse, times in order');
  assert.equal(run([['rule_a', 2], ['rule_b', 1], ['rule_c', 3]]), 0, 'fed in order, times out of order');
  assert.equal(run([['rule_a', 0], ['rule_b', 1], ['rule_c', 6]]), 0, 'outside the window');
  assert.equal(run([['rule_a', 0], ['rule_b', 1, { User: 'eve' }], ['rule_c', 2]]), 0, 'group enforced');
});

test('value_sum fires when the sum passes; value_avg decided at the end', () => {
  const { eng } = engine(`title: exfil\ncorrelation:\n  type: value_sum\n  rules: [rule_a]\n  group-by: [User]\n  timespan: 1h\n  condition: {field: Bytes, gt: 1000}\n`);
  const a = feed(eng, [['rule_a', 0, { Bytes: 400 }], ['rule_a', 1, { Bytes: '500' }], ['rule_a', 2, { Bytes: 200 }]]);
  assert.equal(a.length, 1);
  assert.equal(a[0]!.value, 1100);
  const { eng: e2 } = engine(`title: exfil\ncorrelation:\n  type: value_sum\n  rules: [rule_a]\n  group-by: [User]\n  timespan: 1h\n  condition: {field: Bytes, gt: 1000}\n`);
  assert.equal(feed(e2, [['rule_a', 0, { Bytes: 400 }], ['rule_a', 90, { Bytes: 700 }]]).length, 0);
  const avg = `title: avg\ncorrelation:\n  type: value_avg\n  rules: [rule_a]\n  group-by: [User]\n  timespan: 1h\n  condition: {field: Bytes, gt: 500}\n`;
  const b = feed(engine(avg).eng, [['rule_a', 0, { Bytes: 400 }], ['rule_a', 1, { Bytes: 800 }]]);
  assert.equal(b.length, 1);
  assert.equal(b[0]!.value, 600);
  assert.equal(feed(engine(avg).eng, [['rule_a', 0, { Bytes: 400 }], ['rule_a', 1, { Bytes: 500 }]]).length, 0);
});

test('value_percentile: values seen in at most N% of the group events', () => {
  const { eng } = engine(`title: rare\ncorrelation:\n  type: value_percentile\n  rules: [rule_a]\n  group-by: [Computer]\n  timespan: 24h\n  condition: {field: Image, lte: 10}\n`);
  const items: Array<[string, number, Doc]> = [];
  for (let k = 0; k < 19; k++) items.push(['rule_a', k, { Computer: 'h', Image: 'svchost.exe' }]);
  items.push(['rule_a', 30, { Computer: 'h', Image: 'evil.exe' }]);
  const a = feed(eng, items);
  assert.equal(a.length, 1);
  assert.equal(a[0]!.group['Image'], 'evil.exe');
  assert.equal(a[0]!.value, 5);
});

test('upper-bound conditions (lt/lte/eq) are decided at the end', () => {
  const { eng } = engine(count('lt: 3'));
  const a = feed(eng, [['rule_a', 0], ['rule_a', 1], ['rule_a', 100], ['rule_a', 101], ['rule_a', 102]]);
  assert.equal(a.length, 1);
  assert.equal(a[0]!.value, 2);
  const b = feed(engine(count('gt: 1, lte: 2')).eng, [['rule_a', 0], ['rule_a', 1], ['rule_a', 100], ['rule_a', 101], ['rule_a', 102]]);
  assert.deepEqual(b.map((x) => x.value), [2]);
});

test('aliases map different fields of different rules to one group', () => {
  const corr = `title: err then conn\ncorrelation:\n  type: temporal\n  rules: [rule_a, rule_b]\n  group-by: [internal_ip]\n  timespan: 10s\n  aliases:\n    internal_ip:\n      rule_a: destination.ip\n      rule_b: source.ip\n`;
  const ok = feed(engine(corr).eng, [['rule_a', 0, { 'destination.ip': '10.0.0.5' }], ['rule_b', 0, { 'source.ip': '10.0.0.5' }]]);
  assert.equal(ok.length, 1);
  assert.deepEqual(ok[0]!.group, { internal_ip: '10.0.0.5' });
  assert.equal(feed(engine(corr).eng, [['rule_a', 0, { 'destination.ip': '10.0.0.5' }], ['rule_b', 0, { 'source.ip': '10.0.0.6' }]]).length, 0);
});

test('chaining (spec example): failed logins burst followed by a success; inner correlation not reported', async () => {
  const set = await loadRules([join(FIXTURES, 'sigma', 'mr_failed_then_success.yml')]);
  const eng = new CorrelationEngine(set.correlations, set.rules);
  assert.deepEqual(eng.problems, []);
  const ref = eng.referenced();
  for (const k of ['failed_login', '53ba33fd-3a50-4468-a5ef-c583635cfa92', 'successful_login', 'multiple_failed_login']) assert.ok(ref.has(k), k);
  const compiled = set.rules.map((r) => compileRule(r));
  const run = (events: Array<[number, number, string]>): CorrelationAlert[] => {
    const out: CorrelationAlert[] = [];
    for (const [m, id, user] of events) {
      const e = ev({ EventID: id, User: user }, T0 + m * min);
      const get = (f: string) => getField(e, f);
      for (const c of compiled) if (c.match(e, get)) out.push(...eng.feed(c.rule.id!, e, get));
    }
    return [...out, ...eng.finish()];
  };
  const a = run([[0, 4625, 'bob'], [1, 4625, 'bob'], [2, 4625, 'bob'], [3, 4624, 'bob']]);
  assert.equal(a.length, 1);
  assert.equal(a[0]!.correlation.title, 'Correlation - Multiple Failed Logins Followed by Successful Login');
  assert.deepEqual(a[0]!.group, { User: 'bob' });
  const eng2 = new CorrelationEngine(set.correlations, set.rules);
  const run2 = (events: Array<[number, number, string]>): CorrelationAlert[] => {
    const out: CorrelationAlert[] = [];
    for (const [m, id, user] of events) {
      const e = ev({ EventID: id, User: user }, T0 + m * min);
      const get = (f: string) => getField(e, f);
      for (const c of compiled) if (c.match(e, get)) out.push(...eng2.feed(c.rule.name!, e, get));
    }
    return out;
  };
  assert.equal(run2([[0, 4624, 'bob'], [1, 4625, 'bob'], [2, 4625, 'bob'], [3, 4625, 'bob']]).length, 0, 'success before the failures');
});

test('generate: true reports the inner correlation too', () => {
  const text = `${baseRules}---\ntitle: outer\ncorrelation:\n  type: temporal_ordered\n  rules: [inner, rule_b]\n  group-by: [User]\n  timespan: 10m\n---\ntitle: inner\nname: inner\ngenerate: true\ncorrelation:\n  type: event_count\n  rules: [rule_a]\n  group-by: [User]\n  timespan: 10m\n  condition: {gte: 2}\n`;
  const set = parseRules(text, 'g.yml');
  const eng = new CorrelationEngine(set.correlations, set.rules);
  const a = feed(eng, [['rule_a', 0], ['rule_a', 1], ['rule_b', 2]]);
  assert.deepEqual(a.map((x) => x.correlation.title).sort(), ['inner', 'outer']);
});

test('bounded state: groups and events per group are evicted and counted', () => {
  const { eng } = engine(count('gte: 1000'), { maxGroups: 10, maxEventsPerGroup: 5 });
  for (let k = 0; k < 50; k++) feed(eng, [['rule_a', k, { User: `u${k}` }]]);
  for (let k = 0; k < 20; k++) feed(eng, [['rule_a', k, { User: 'same' }]]);
  const s = eng.stats();
  assert.ok(s.groups <= 10);
  assert.ok(s.evicted >= 40 + 15);
});

test('unknown references and cycles are reported', () => {
  const set = parseRules(`title: x\nname: x1\ncorrelation:\n  type: event_count\n  rules: [nope]\n  group-by: [U]\n  timespan: 1h\n  condition: {gte: 1}\n---\ntitle: c1\nname: c1\ncorrelation:\n  type: event_count\n  rules: [c2]\n  group-by: [U]\n  timespan: 1h\n  condition: {gte: 1}\n---\ntitle: c2\nname: c2\ncorrelation:\n  type: event_count\n  rules: [c1]\n  group-by: [U]\n  timespan: 1h\n  condition: {gte: 1}\n`, 'p.yml');
  const eng = new CorrelationEngine(set.correlations, set.rules);
  assert.ok(eng.problems.some((p) => /unknown rule "nope"/.test(p.message)));
  assert.equal(eng.problems.filter((p) => /cycle/.test(p.message)).length, 2);
});

// ---- one alert per group per burst: a window [F, F + timespan] that fired suppresses overlapping windows ----

const at = (rule: string, minutes: number[], f?: (k: number) => Doc): Array<[string, number, Doc?]> =>
  minutes.map((m, k) => [rule, m, f ? f(k) : undefined]);

test('event_count: a growing count does not re-alert within the window; a new burst after it does', () => {
  // 10 matches in 9 minutes, timespan 10m, gte 3: one alert (not one per 3 matches)
  const a = feed(engine(count('gte: 3')).eng, at('rule_a', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
  assert.equal(a.length, 1);
  assert.equal(a[0]!.firstTime, T0);
  // the window edge (F + timespan, inclusive) still belongs to the burst; the next burst starts after it
  const { eng } = engine(count('gte: 3'));
  const b = feed(eng, at('rule_a', [0, 1, 2, 5, 10, 11, 12, 13]));
  assert.deepEqual(b.map((x) => (x.firstTime - T0) / min), [0, 11]);
  assert.equal(eng.stats().suppressed, 2, 'matches at 5 and 10 absorbed by the first burst');
  // other groups are not suppressed
  const c = feed(engine(count('gte: 2')).eng, [...at('rule_a', [0, 1]), ...at('rule_a', [2, 3], () => ({ User: 'eve' }))]);
  assert.deepEqual(c.map((x) => x.group['User']), ['bob', 'eve']);
});

test('value_count: one alert per client per burst however many more mailboxes it reads', () => {
  const corr = `title: one client many mailboxes\ncorrelation:\n  type: value_count\n  rules: [rule_a]\n  group-by: [Ip]\n  timespan: 1h\n  condition: {field: Mailbox, gte: 3}\n`;
  const items = at('rule_a', [0, 1, 2, 3, 4, 5, 6, 7], (k) => ({ Ip: '10.0.0.9', Mailbox: `m${k}` }));
  assert.equal(feed(engine(corr).eng, items).length, 1);
  // in reverse arrival order (files read newest first): still one alert (the window found first: 5..7)
  const r = feed(engine(corr).eng, [...items].reverse());
  assert.equal(r.length, 1);
  assert.equal(r[0]!.firstTime, T0 + 5 * min);
  // a second burst two hours later alerts again
  const later = at('rule_a', [120, 121, 122], (k) => ({ Ip: '10.0.0.9', Mailbox: `n${k}` }));
  assert.equal(feed(engine(corr).eng, [...items, ...later]).length, 2);
});

test('out of order: late matches inside or overlapping a fired window are absorbed, an earlier separate burst still alerts', () => {
  const { eng } = engine(count('gte: 3'));
  // burst at 20..22 fires first; then late matches at 15..18 (overlap [20, 30] within the timespan): absorbed
  const a = feed(eng, [...at('rule_a', [20, 21, 22]), ...at('rule_a', [15, 16, 17, 18])]);
  assert.deepEqual(a.map((x) => (x.firstTime - T0) / min), [20]);
  // a late burst that ends more than the timespan before the fired one is its own burst
  const { eng: e2 } = engine(count('gte: 3'));
  const b = feed(e2, [...at('rule_a', [20, 21, 22]), ...at('rule_a', [0, 1, 2])]);
  assert.deepEqual(b.map((x) => (x.firstTime - T0) / min).sort((x, y) => x - y), [0, 20]);
  // same result as the in-order feed
  const { eng: e3 } = engine(count('gte: 3'));
  assert.deepEqual(feed(e3, at('rule_a', [0, 1, 2, 20, 21, 22])).map((x) => (x.firstTime - T0) / min), [0, 20]);
});

test('temporal and temporal_ordered: repeated sequences in the same window alert once', () => {
  for (const type of ['temporal', 'temporal_ordered']) {
    const seq = (m: number): Array<[string, number]> => [['rule_a', m], ['rule_b', m + 1], ['rule_c', m + 2]];
    assert.equal(feed(engine(temporal(type, '10m')).eng, [...seq(0), ...seq(3), ...seq(6)]).length, 1, type);
    assert.equal(feed(engine(temporal(type, '10m')).eng, [...seq(0), ...seq(20)]).length, 2, `${type}: new burst`);
  }
});

test('value_sum, value_avg and value_percentile: one alert per group (and value) per window', () => {
  const sum = `title: exfil\ncorrelation:\n  type: value_sum\n  rules: [rule_a]\n  group-by: [User]\n  timespan: 1h\n  condition: {field: Bytes, gt: 1000}\n`;
  assert.equal(feed(engine(sum).eng, at('rule_a', [0, 1, 2, 3, 4, 5], () => ({ Bytes: 600 }))).length, 1);
  assert.equal(feed(engine(sum).eng, at('rule_a', [0, 1, 90, 91], () => ({ Bytes: 600 }))).length, 2);
  const avg = `title: avg\ncorrelation:\n  type: value_avg\n  rules: [rule_a]\n  group-by: [User]\n  timespan: 1h\n  condition: {field: Bytes, gt: 500}\n`;
  assert.equal(feed(engine(avg).eng, at('rule_a', [0, 1, 2, 3, 50], () => ({ Bytes: 800 }))).length, 1);
  assert.equal(feed(engine(avg).eng, at('rule_a', [0, 1, 90, 91], () => ({ Bytes: 800 }))).length, 2);
  const pct = `title: rare\ncorrelation:\n  type: value_percentile\n  rules: [rule_a]\n  group-by: [Computer]\n  timespan: 24h\n  condition: {field: Image, lte: 10}\n`;
  const items: Array<[string, number, Doc]> = [];
  for (let k = 0; k < 30; k++) items.push(['rule_a', k, { Computer: 'h', Image: 'svchost.exe' }]);
  items.push(['rule_a', 40, { Computer: 'h', Image: 'evil.exe' }], ['rule_a', 41, { Computer: 'h', Image: 'evil.exe' }]);
  const p = feed(engine(pct).eng, items);
  assert.equal(p.length, 1, 'two rare events of one value: one alert');
  assert.equal(p[0]!.events.length, 2);
});
