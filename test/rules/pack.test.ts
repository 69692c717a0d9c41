/**
 * Every rule of Vigie's pack (rules/) has a positive and a negative fixture in the real format of its source
 * (test/fixtures/rules/<rule-file-stem>/positive.* and negative.*). The hunt, run with only that rule, must
 * report it on the positive fixture and must not on the negative (a realistic near-miss).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixturesOf, huntWith, parseFile, relRule, reportedIds, ruleFiles, stemOf, describe } from './pack-helpers.js';

const files = ruleFiles();

test('the pack has rules', () => {
  assert.ok(files.length >= 40, `expected at least 40 rule files, found ${files.length}`);
});

test('every rule file has a positive and a negative fixture', () => {
  const missing: string[] = [];
  for (const f of files) {
    const fx = fixturesOf(stemOf(f));
    if (!fx.positive) missing.push(`${relRule(f)}: no positive.* in ${fx.dir}`);
    if (!fx.negative) missing.push(`${relRule(f)}: no negative.* in ${fx.dir}`);
  }
  assert.deepEqual(missing, []);
});

for (const file of files) {
  const stem = stemOf(file);
  const fx = fixturesOf(stem);
  const ids = reportedIds(parseFile(file));
  test(`rule ${relRule(file)}`, async (t) => {
    assert.ok(ids.length > 0, 'the rule file declares no id');
    if (!fx.positive || !fx.negative) return t.skip('fixtures missing (reported by the test above)');
    const pos = await huntWith([fx.positive], [file], fx.dir);
    assert.deepEqual(pos.summary.rules.failed, [], 'the rule must load and compile');
    assert.deepEqual(pos.summary.rules.inactive, [], 'the rule must be active (placeholders supplied)');
    assert.ok(pos.summary.records > 0, `the positive fixture was not read: ${describe(pos)}`);
    assert.ok(pos.detections.some((d) => d.ruleId !== undefined && ids.includes(d.ruleId)),
      `positive fixture ${fx.positive} must fire ${ids.join(', ')}; got ${describe(pos)}`);
    const neg = await huntWith([fx.negative], [file], fx.dir);
    assert.ok(neg.summary.records > 0, `the negative fixture was not read: ${describe(neg)}`);
    assert.ok(!neg.detections.some((d) => d.ruleId !== undefined && ids.includes(d.ruleId)),
      `negative fixture ${fx.negative} must not fire ${ids.join(', ')}; got ${describe(neg)}`);
  });
}

test('the whole pack over every positive fixture at once reports every rule', async () => {
  const positives = files.map((f) => fixturesOf(stemOf(f)).positive).filter((p): p is string => !!p);
  const res = await huntWith(positives, files);
  assert.deepEqual(res.summary.rules.failed, []);
  const seen = new Set(res.detections.map((d) => d.ruleId));
  const silent = files.filter((f) => !reportedIds(parseFile(f)).some((id) => seen.has(id))).map(relRule);
  assert.deepEqual(silent, [], 'rules silent when run together with the rest of the pack');
});
