import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRules, lineOf } from '../../src/sigma/load.js';
import { ParsedRuleCache } from '../../src/sigma/cache.js';
import type { RuleSet } from '../../src/sigma/types.js';

const RULE_A = `title: Export Of A Mailbox
id: 2f0d6f5e-8d7e-4a53-9a49-0c7d3c2a1b01
status: test
logsource:
  product: windows
  service: msexchange-management
detection:
  selection:
    Data|contains: 'New-MailboxExportRequest'
  __proto__:
    x: 1
  condition: selection
level: high
`;
const RULE_B = `action: global
title: Collection
logsource:
  product: windows
  category: process_creation
detection:
  condition: sel
level: medium
---
id: 0d6f4f7c-47c1-4c8e-9b0e-6d3c1b2a9f11
detection:
  sel:
    Image|endswith: '\\\\rar.exe'
    Count: 0x10
---
id: 5b1d7a2e-2d6f-4f0b-8c3c-1a2b3c4d5e6f
detection:
  sel:
    Image|endswith: '\\\\7z.exe'
`;
const BROKEN = `title: Broken
detection: [unclosed
`;

function tree(): { dir: string; rules: string; cache: string } {
  const dir = mkdtempSync(join(tmpdir(), 'vigie-cache-test-'));
  const rules = join(dir, 'rules');
  mkdirSync(rules);
  writeFileSync(join(rules, 'a.yml'), RULE_A);
  writeFileSync(join(rules, 'b.yml'), RULE_B);
  writeFileSync(join(rules, 'broken.yml'), BROKEN);
  return { dir, rules, cache: join(dir, 'cache') };
}

/** What a load gives, in a comparable form: rules (with their key lines), problems, counts. */
function shape(set: RuleSet): unknown {
  return {
    rules: set.rules.map((r) => ({ r, lines: [lineOf(r, ['detection', 'selection']), lineOf(r, ['detection', 'sel']), lineOf(r, ['title'])] })),
    correlations: set.correlations,
    filters: set.filters,
    problems: set.problems,
    files: set.files,
  };
}

test('a warm cache gives exactly what parsing gives (values, lines, problems), and a YAML error is never cached', async () => {
  const t = tree();
  try {
    const plain = await loadRules([t.rules]);
    assert.equal(plain.rules.length, 3);
    assert.ok(plain.problems.some((p) => p.file.endsWith('broken.yml')), 'the broken file is reported');
    const cold = await loadRules([t.rules], { cacheDir: t.cache });
    const files = readdirSync(t.cache);
    assert.deepEqual(files, ['parsed-rules-v1.json']);
    const data = JSON.parse(readFileSync(join(t.cache, files[0]!), 'utf8')) as { entries: Record<string, string> };
    assert.equal(Object.keys(data.entries).length, 2, 'two clean files cached, the broken one not');
    const warm = await loadRules([t.rules], { cacheDir: t.cache });
    assert.deepEqual(shape(cold), shape(plain));
    assert.deepEqual(shape(warm), shape(plain));
    // the odd number kept as its source text and the __proto__ key survive the round trip as own data
    const b = warm.rules.find((r) => r.id === '0d6f4f7c-47c1-4c8e-9b0e-6d3c1b2a9f11')!;
    assert.equal((b.detection['sel'] as Record<string, unknown>)['Count'], '0x10');
    const a = warm.rules.find((r) => r.title === 'Export Of A Mailbox')!;
    assert.ok(Object.prototype.hasOwnProperty.call(a.detection, '__proto__'));
    assert.equal(Object.getPrototypeOf(a.detection), Object.prototype);
  } finally {
    rmSync(t.dir, { recursive: true, force: true });
  }
});

test('the cache is keyed by content: an edited rule is parsed again', async () => {
  const t = tree();
  try {
    await loadRules([t.rules], { cacheDir: t.cache });
    writeFileSync(join(t.rules, 'a.yml'), RULE_A.replace('level: high', 'level: critical'));
    const after = await loadRules([t.rules], { cacheDir: t.cache });
    assert.equal(after.rules.find((r) => r.title === 'Export Of A Mailbox')!.level, 'critical');
    const entries = Object.keys((JSON.parse(readFileSync(join(t.cache, 'parsed-rules-v1.json'), 'utf8')) as { entries: object }).entries);
    assert.equal(entries.length, 3, 'the new content is added; the old entry is kept (bounded)');
  } finally {
    rmSync(t.dir, { recursive: true, force: true });
  }
});

test('a corrupt, foreign or tampered cache file is ignored, never trusted blindly', async () => {
  const t = tree();
  try {
    const plain = await loadRules([t.rules]);
    mkdirSync(t.cache);
    const file = join(t.cache, 'parsed-rules-v1.json');
    for (const bad of ['{not json', '[]', '{"format":"other","entries":{}}', 'null']) {
      writeFileSync(file, bad);
      assert.deepEqual(shape(await loadRules([t.rules], { cacheDir: t.cache })), shape(plain), bad);
    }
    // right format, entries of the wrong shape for the real content keys: they are dropped and the files parsed
    const keyA = ParsedRuleCache.key(RULE_A);
    const keyB = ParsedRuleCache.key(RULE_B);
    writeFileSync(file, JSON.stringify({ format: 'vigie-parsed-rules/1', entries: { [keyA]: '[{"value":1}]', [keyB]: '[{"value":{},"line":1,"lines":[1]}]' } }));
    assert.deepEqual(shape(await loadRules([t.rules], { cacheDir: t.cache })), shape(plain));
  } finally {
    rmSync(t.dir, { recursive: true, force: true });
  }
});

test('a cache folder that cannot be written does not stop loading', async () => {
  const t = tree();
  try {
    const blocker = join(t.dir, 'not-a-folder');
    writeFileSync(blocker, 'x');
    const set = await loadRules([t.rules], { cacheDir: join(blocker, 'cache') });
    assert.equal(set.rules.length, 3);
  } finally {
    rmSync(t.dir, { recursive: true, force: true });
  }
});
