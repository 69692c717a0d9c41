/** Helpers for the Sigma engine tests: events from flat field objects, rules from YAML text. */
import assert from 'node:assert/strict';
import { getField, type Doc, type VigieEvent } from '../../src/event.js';
import { compileRule, parseRules, type CompileOptions, type CompiledRule, type MatchDetail, type SigmaRule } from '../../src/sigma/index.js';

let n = 0;
/** A VigieEvent made from flat Sigma fields (time: ms or ISO text). */
export function ev(fields: Doc, time?: number | string): VigieEvent {
  return {
    origin: { file: 'test', format: 'test', offset: n++ },
    time: typeof time === 'string' ? Date.parse(time) : time,
    logsource: { product: 'windows' },
    fields,
  };
}

/** Parse one rule from YAML text (a detection body is wrapped into a full rule). */
export function rule(yaml: string): SigmaRule {
  const text = /^\s*title:/m.test(yaml) ? yaml : `title: t\nid: 11111111-1111-4111-8111-111111111111\nlogsource:\n  product: windows\ndetection:\n${yaml.replace(/^/gm, '  ')}\n`;
  const set = parseRules(text, 'test.yml');
  const errs = set.problems.filter((p) => p.severity === 'error');
  assert.deepEqual(errs, [], 'rule parses without error');
  assert.equal(set.rules.length, 1);
  return set.rules[0]!;
}

export function compile(yaml: string, opts?: CompileOptions): CompiledRule {
  return compileRule(rule(yaml), opts);
}

export function run(c: CompiledRule, e: VigieEvent): MatchDetail[] | null {
  return c.match(e, (f) => getField(e, f));
}

/** Assert that the detection matches every `yes` event and none of the `no` events. */
export function check(yaml: string, yes: Doc[], no: Doc[], opts?: CompileOptions): void {
  const c = compile(yaml, opts);
  for (const f of yes) assert.ok(run(c, ev(f)) !== null, `should match ${JSON.stringify(f)}\n${yaml}`);
  for (const f of no) assert.equal(run(c, ev(f)), null, `should not match ${JSON.stringify(f)}\n${yaml}`);
}
