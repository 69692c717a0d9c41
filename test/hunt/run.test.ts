import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES } from '../helpers.js';
import { runHunt, readHoneyFile, readListFile, readPlaceholdersFile } from '../../src/hunt/index.js';
import { attackOf, requiredPlaceholders } from '../../src/hunt/run.js';

const F = join(FIXTURES, 'hunt');
const LOGS = join(F, 'logs');
const RULES = join(F, 'rules');

function tmp(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), 'vigie-run-'));
  for (const [n, t] of Object.entries(files)) writeFileSync(join(d, n), t);
  return d;
}

test('runHunt: timeline, summary by level/rule/format, inactive rules with the option that activates them', async () => {
  const r = await runHunt({ inputs: [LOGS], rulePaths: [RULES], builtinRules: false });
  assert.deepEqual(r.detections.map((d) => d.ruleTitle), ['Test OWA Access', 'Test ProxyShell Autodiscover Path Confusion', 'Test Web Shell Request', 'Test Burst From One Client']);
  const ps = r.detections[1];
  assert.equal(ps.time, Date.parse('2024-03-01T09:15:42Z'));
  assert.equal(ps.level, 'critical');
  assert.equal(ps.format, 'w3c');
  assert.equal(ps.record, 6);
  assert.deepEqual(ps.attack, ['initial-access', 'T1190']);
  assert.ok(ps.details.some((d) => d.field === 'cs-uri-query' && d.value.includes('/mapi/nspi')));
  assert.deepEqual(r.summary.byLevel, { critical: 1, high: 1, medium: 1, low: 1, informational: 0 });
  assert.deepEqual(r.summary.formats, { w3c: { files: 1, records: 4 } });
  assert.equal(r.summary.skipped, 1);
  assert.equal(r.summary.rules.inactive.length, 1);
  assert.deepEqual(r.summary.rules.inactive[0].placeholders, ['watchlist']);
  assert.equal(r.summary.rules.inactive[0].activate, '--watchlist FILE');
});

test('placeholders from a file activate expand rules; excludeRules takes ids', async () => {
  const d = tmp({ 'ph.yml': 'watchlist:\n  - agenda\n' });
  const r = await runHunt({ inputs: [LOGS], rulePaths: [RULES], builtinRules: false, placeholders: readPlaceholdersFile(join(d, 'ph.yml')), excludeRules: ['0b9d1c5e-1111-4a7b-9c2d-000000000003'] });
  assert.ok(r.detections.some((x) => x.ruleTitle === 'Test Watched Term In ECP Query' && x.details.some((m) => /agenda/.test(m.value))));
  assert.ok(!r.detections.some((x) => x.ruleTitle === 'Test OWA Access'));
  assert.equal(r.summary.rules.inactive.length, 0);
  assert.equal(r.summary.rules.deselected, 1);
});

test('generate: true prints the base rule matches too; filters apply to the rules they name', async () => {
  const d = tmp({
    'corr.yml': [
      'title: Client Hit', 'id: 5a000000-0000-4000-8000-000000000001', 'name: client_hit', 'logsource:', '    category: webserver',
      'detection:', '    sel:', "        c-ip: '198.51.100.23'", '    condition: sel', 'level: low', '---',
      'title: Two Hits', 'id: 5a000000-0000-4000-8000-000000000002', 'correlation:', '    type: event_count', '    rules:', '        - client_hit',
      '    group-by:', '        - c-ip', '    timespan: 5m', '    generate: true', '    condition:', '        gte: 2', 'level: high', '',
    ].join('\n'),
    'filter.yml': [
      'title: Ignore Monitoring Client', 'id: 5a000000-0000-4000-8000-000000000003', 'logsource:', '    category: webserver',
      'filter:', '    rules:', '        - 0b9d1c5e-1111-4a7b-9c2d-000000000003', '    selection:', "        c-ip|cidr: '203.0.113.0/24'", '    condition: selection', '',
    ].join('\n'),
  });
  copyFileSync(join(RULES, 'test_owa.yml'), join(d, 'owa.yml'));
  const r = await runHunt({ inputs: [LOGS], rulePaths: [d], builtinRules: false });
  const titles = r.detections.map((x) => x.ruleTitle);
  assert.deepEqual(titles.filter((t) => t === 'Client Hit').length, 2, 'base rule printed (generate: true)');
  assert.ok(titles.includes('Two Hits'));
  assert.ok(!titles.includes('Test OWA Access'), 'filtered out by the filter naming it');
  assert.equal(r.summary.rules.filters, 1);
});

test('rules whose log source no entry covers are listed, and run on events that carry it', async () => {
  const d = tmp({ 'r.yml': 'title: Acme Rule\nid: 5b000000-0000-4000-8000-000000000001\nlogsource:\n    product: acme\ndetection:\n    sel:\n        x: 1\n    condition: sel\nlevel: low\n' });
  const r = await runHunt({ inputs: [LOGS], rulePaths: [d], builtinRules: false });
  assert.deepEqual(r.summary.rules.unmapped, [{ title: 'Acme Rule', id: '5b000000-0000-4000-8000-000000000001', logsource: 'product:acme' }]);
  assert.equal(r.detections.length, 0);
});

test('list, honey and placeholder files', () => {
  const d = tmp({
    'w.txt': '\ufeff# comment\n  G20 summit  \n\nСаммит\n峰会\nG20 summit\n',
    'h.txt': '# honey\nmessage-id: <honey-1@corp.example>\nMailbox: Decoy.User@Corp.Example\nmessage_id: honey-2@corp.example\n',
    'h.yml': 'message_ids:\n  - "<a@b>"\nmailboxes: [x@y.example]\n',
    'bad.txt': 'hello world\n',
  });
  assert.deepEqual(readListFile(join(d, 'w.txt')), ['G20 summit', 'Саммит', '峰会']);
  writeFileSync(join(d, 'w16.txt'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Sommet\r\n# x\r\nGipfel\r\n', 'utf16le')]));
  assert.deepEqual(readListFile(join(d, 'w16.txt')), ['Sommet', 'Gipfel']);
  assert.deepEqual(readHoneyFile(join(d, 'h.txt')), { messageIds: ['honey-1@corp.example', 'honey-2@corp.example'], mailboxes: ['decoy.user@corp.example'] });
  assert.deepEqual(readHoneyFile(join(d, 'h.yml')), { messageIds: ['a@b'], mailboxes: ['x@y.example'] });
  assert.throws(() => readHoneyFile(join(d, 'bad.txt')), /expected "message-id: <id>"/);
});

test('requiredPlaceholders and attackOf', () => {
  assert.deepEqual(requiredPlaceholders({ sel: { 'a|expand': '%watchlist%', 'b|contains|expand': ['%honey_mailboxes%', 'x'], c: '%not_expand%' }, condition: 'sel' }), ['watchlist', 'honey_mailboxes']);
  assert.deepEqual(attackOf(['attack.t1059.001', 'attack.execution', 'attack.g0125', 'cve.2021-26855', 'detection.emerging-threats']), ['T1059.001', 'execution', 'G0125']);
});

test('honey lists become the honey_message_ids / honey_mailboxes placeholders', async () => {
  const d = tmp({ 'h.yml': 'title: Honey User Seen\nid: 5c000000-0000-4000-8000-000000000001\nlogsource:\n    category: webserver\ndetection:\n    sel:\n        cs-username|expand|endswith: \'%honey_mailboxes%\'\n    condition: sel\nlevel: critical\n' });
  const off = await runHunt({ inputs: [LOGS], rulePaths: [d], builtinRules: false });
  assert.equal(off.summary.rules.inactive[0]?.activate, '--honey FILE');
  const on = await runHunt({ inputs: [LOGS], rulePaths: [d], builtinRules: false, honey: { messageIds: ['x@y'], mailboxes: ['\\alice'] } });
  assert.deepEqual(on.detections.map((x) => [x.ruleTitle, x.level]), [['Honey User Seen', 'critical']]);
  const other = await runHunt({ inputs: [LOGS], rulePaths: [d], builtinRules: false, honey: { messageIds: [], mailboxes: ['\\bob'] } });
  assert.equal(other.detections.length, 0);
});

test('correlations the engine cannot evaluate, or whose rules cannot run, are reported (never dropped silently)', async () => {
  const r = await runHunt({ inputs: [LOGS], rulePaths: [RULES, join(F, 'bad_rules.yml'), join(F, 'bad_correlations.yml')], builtinRules: false });
  const failed = r.summary.rules.failed;
  const reason = (title: string): string => failed.filter((f) => f.title === title).map((f) => f.reason).join(' | ');
  assert.match(reason('Test Correlation With Unknown Reference'), /unknown rule "no-such-rule"/);
  assert.match(reason('Test Cycle One'), /cycle/);
  assert.match(reason('Test Cycle Two'), /cycle/);
  assert.match(reason('Test Sequence With A Broken Step'), /referenced rule\(s\) "0b9d1c5e-1111-4a7b-9c2d-0000000000ff" failed to compile/);
  assert.ok(failed.every((f) => f.file.endsWith('.yml') && f.line !== undefined), JSON.stringify(failed));
  const ina = r.summary.rules.inactive.find((i) => i.title === 'Test Count Over A Watchlist Rule');
  assert.ok(ina, 'a correlation over a rule waiting for --watchlist is inactive too');
  assert.equal(ina.activate, '--watchlist FILE');
  // the burst correlation still runs and is the only one counted as loaded
  assert.equal(r.summary.rules.correlations, 1);
  assert.ok(r.detections.some((d) => d.ruleTitle === 'Test Burst From One Client'));
});
