/**
 * Conformance on SigmaHQ's active rule set (../shared/sigma): every rule loads and compiles, or is listed with
 * its reason. Placeholder rules compile with values from a test map.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileRule, loadRules, RuleError, type SigmaRule } from '../../src/sigma/index.js';
import { CorrelationEngine } from '../../src/sigma/index.js';
import { getField, type Doc } from '../../src/event.js';
import { shared } from '../helpers.js';
import { ev } from './util.js';

const DIRS = ['rules', 'rules-emerging-threats', 'rules-threat-hunting', 'rules-placeholder', 'rules-compliance'];
const roots = DIRS.map((d) => shared(`sigma/${d}`));
const skip = roots.find((r) => r.skip)?.skip;

/** Test values for the placeholders used by rules-placeholder (an organisation would give its own). */
const PLACEHOLDERS: Record<string, string[]> = {
  Administrators: ['adm_*', 'Administrator'], Workstations: ['WKS-*'], Servers: ['SRV-*'], ServerSystems: ['SRV-*'],
  DomainControllers: ['DC-*'], 'DC-MACHINE-NAME': ['DC01$'], dc_machine_accounts: ['DC01$'], domain_controller_hostnames: ['DC01*'],
  known_cdcs: ['10.0.0.10'], Admins_Workstations: ['ADMWKS-*'], legit_ips: ['10.0.0.20'], internal_domains: ['*.corp.example'],
  userdomain: ['CORP'], Legitimate_Countries: ['FR'], ApprovedUserUpn: ['admin@corp.example'], Approved_Inviters: ['admin@corp.example'],
  Important_AppIds: ['00000000-0000-0000-0000-000000000001'], Known_Location: ['FR'], KNOWN_LOCATION: ['FR'], UnLegitCountries: ['XX'],
  HomeTenantID: ['00000000-0000-0000-0000-000000000002'], legtimate_identifiers: ['corp.example'],
  Legitimate_IP_Ranges: ['10.0.0.0/8'], UnApprovedIp: ['203.0.113.7'], dc_ip_addresses: ['10.0.0.10', '10.0.0.11'], UnApprovedDevice: ['unmanaged'],
};

const odd = (v: unknown) => Object.fromEntries(FIELDS.map((f) => [f, v])) as Doc;
const FIELDS = ['Image', 'CommandLine', 'ParentImage', 'OriginalFileName', 'EventID', 'TargetFilename', 'User', 'DestinationIp',
  'QueryName', 'ScriptBlockText', 'ServiceFileName', 'TargetObject', 'Details', 'cs-uri-query', 'Data', 'Payload'];
const ODD_EVENTS = [
  ev({ Image: 'C:\\x.exe', CommandLine: 'x -y', EventID: 1, Data: ['a', 'b'], Nested: { a: 1 } }, 0),
  ev(odd(null)), ev(odd(4688)), ev(odd(true)), ev(odd(['C:\\Windows\\System32\\cmd.exe', 7, null, ['x']])),
  ev(odd({ '#text': 'x' })), ev(odd('\u{1F600}\u0000\uFFFF é İ')), ev(odd('a'.repeat(100_000))), ev(odd('::ffff:10.0.0.1')), ev({}),
];

test('all active SigmaHQ rules load and compile (or are listed with their reason)', { skip: skip || false }, async () => {
  const set = await loadRules(roots.map((r) => r.path!));
  const errors = set.problems.filter((p) => p.severity === 'error');
  const failed: Array<{ rule: SigmaRule; reason: string }> = [];
  const needPlaceholder = new Set<string>();
  let compiled = 0;
  let compiledWithout = 0;
  for (const r of set.rules) {
    try { compileRule(r); compiledWithout++; } catch (e) {
      const m = /needs placeholder (\S+)/.exec((e as Error).message);
      if (m) needPlaceholder.add(m[1]!);
    }
    try {
      const c = compileRule(r, { placeholders: PLACEHOLDERS, filters: set.filters });
      compiled++;
      // smoke: a compiled rule never throws on an event, whatever its fields hold
      for (const e of ODD_EVENTS) c.match(e, (f) => getField(e, f));
    } catch (e) {
      assert.ok(e instanceof RuleError, `${r.file}: ${String(e)}`);
      failed.push({ rule: r, reason: (e as Error).message });
    }
  }
  const eng = new CorrelationEngine(set.correlations, set.rules);
  const byReason = new Map<string, string[]>();
  for (const f of failed) {
    const k = f.reason.replace(/"[^"]*"/g, '"…"');
    byReason.set(k, [...(byReason.get(k) ?? []), f.rule.file]);
  }
  const regexFailures = failed.filter((f) => /re2/.test(f.reason)).length;
  console.log(`SigmaHQ: ${set.files} files, ${set.rules.length} detection rules, ${set.correlations.length} correlations, ${set.filters.length} filters`);
  console.log(`  load problems: ${errors.length} errors, ${set.problems.length - errors.length} warnings`);
  console.log(`  compiled: ${compiled}/${set.rules.length} with the test placeholder map, ${compiledWithout} without (placeholders needed: ${[...needPlaceholder].sort().join(', ')})`);
  console.log(`  failed: ${failed.length} (regex not supported by re2: ${regexFailures})`);
  for (const [k, files] of byReason) console.log(`  - ${files.length} × ${k}\n      ${files.join('\n      ')}`);
  for (const p of errors) console.log(`  - load error ${p.file}:${p.line ?? ''} ${p.message}`);
  for (const p of eng.problems) console.log(`  - correlation ${p.file}: ${p.message}`);
  const total = set.rules.length + errors.length;
  assert.ok(set.rules.length > 3000, 'the rule set is there');
  assert.ok(failed.length + errors.length <= total * 0.01, `at most 1% of the rules fail (${failed.length + errors.length} of ${total})`);
  assert.equal(eng.problems.length, 0);
});
