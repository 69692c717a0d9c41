/**
 * Honey items: whatever form the defender writes them in (message id with or without angle brackets, mailbox in
 * any case), any access, search or export touching them is critical and the alert names the item; the planting of
 * the honey message (its SMTP receipt and delivery) and other mailboxes raise nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readHoneyFile, runHunt } from '../../src/hunt/index.js';
import { RULE_FIXTURES, RULES_DIR, describe } from './pack-helpers.js';

const HONEY_DIR = join(RULES_DIR, 'honey');
const FX = (stem: string, kind: 'positive' | 'negative', ext: string): string => join(RULE_FIXTURES, stem, `${kind}.${ext}`);
const POSITIVES = [
  FX('honey_message_accessed_m365', 'positive', 'json'),
  FX('honey_message_tracking', 'positive', 'log'),
  FX('honey_mailbox_cmdlet', 'positive', 'jsonl'),
  FX('honey_mailbox_accessed_m365', 'positive', 'csv'),
  FX('honey_mailbox_httpproxy', 'positive', 'log'),
];
const NEGATIVES = POSITIVES.map((p) => p.replace(/positive\.(\w+)$/, 'negative.$1'));

function honeyFile(text: string): { messageIds: string[]; mailboxes: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'vigie-honey-'));
  try {
    const p = join(dir, 'honey.txt');
    writeFileSync(p, text);
    return readHoneyFile(p);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const [name, text] of [
  ['angle brackets, lower case', 'message-id: <c1d5e0a2-7b44-4f0e-9d7a-58a0f3b2e611@corp.example>\nmailbox: honey.ambassador@corp.example\n'],
  ['bare id, mailbox in capitals, YAML', 'message_ids:\n  - c1d5e0a2-7b44-4f0e-9d7a-58a0f3b2e611@corp.example\nmailboxes:\n  - Honey.Ambassador@CORP.EXAMPLE\n'],
] as const) {
  test(`honey items (${name}) raise a critical alert on every source`, async () => {
    const honey = honeyFile(text);
    const res = await runHunt({ inputs: POSITIVES, rulePaths: [HONEY_DIR], builtinRules: false, installedRules: false, honey });
    assert.deepEqual(res.summary.rules.inactive, []);
    const files = new Set(res.detections.map((d) => d.file));
    for (const p of POSITIVES) assert.ok(files.has(p), `no honey alert from ${p}\n${describe(res)}`);
    for (const d of res.detections) {
      assert.equal(d.level, 'critical');
      assert.ok(d.details.some((m) => /c1d5e0a2-7b44-4f0e-9d7a-58a0f3b2e611@corp\.example|honey\.ambassador@corp\.example/i.test(m.pattern ?? '')),
        `the alert must name the honey item: ${JSON.stringify(d.details)}`);
    }
    const neg = await runHunt({ inputs: NEGATIVES, rulePaths: [HONEY_DIR], builtinRules: false, installedRules: false, honey });
    assert.ok(neg.summary.records >= NEGATIVES.length);
    assert.deepEqual(neg.detections, [], describe(neg));
  });
}
