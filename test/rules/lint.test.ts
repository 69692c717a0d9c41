/**
 * Lint of Vigie's rule pack: every file loads with no problem and compiles; ids are unique UUIDs; every reported
 * rule carries ATT&CK tags (a tactic and a technique), references, author, date, level, status and a log source the
 * shipped mapping covers; building blocks of correlations are informational; files sit in the pack's folders.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, basename } from 'node:path';
import { compileRule, loadRules, type CorrelationRule, type SigmaRule } from '../../src/sigma/index.js';
import { loadMapping, logsourceCovers, normLogsource } from '../../src/hunt/mapping.js';
import { PACK_FOLDERS, RULES_DIR, parseFile, relRule, ruleFiles } from './pack-helpers.js';

const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TACTICS = new Set(['reconnaissance', 'resource-development', 'initial-access', 'execution', 'persistence',
  'privilege-escalation', 'defense-evasion', 'credential-access', 'discovery', 'lateral-movement', 'collection',
  'command-and-control', 'exfiltration', 'impact']);
const PLACEHOLDERS = { watchlist: ['Lisbon Summit'], honey_message_ids: ['id@example'], honey_mailboxes: ['honey@example'] };

test('the pack loads with no problem', async () => {
  const set = await loadRules([RULES_DIR]);
  assert.deepEqual(set.problems.map((p) => `${relRule(p.file)}:${p.line ?? ''} ${p.severity} ${p.message}`), []);
  assert.ok(set.rules.length >= 40);
  assert.ok(set.correlations.length >= 3, 'bulk access needs correlation rules');
});

test('every rule compiles (placeholders supplied)', async () => {
  const set = await loadRules([RULES_DIR]);
  const failed: string[] = [];
  for (const r of set.rules) {
    try {
      compileRule(r, { placeholders: PLACEHOLDERS });
    } catch (e) {
      failed.push(`${relRule(r.file)} ${r.title}: ${(e as Error).message}`);
    }
  }
  assert.deepEqual(failed, []);
});

test('ids are unique UUID v4, names unique', async () => {
  const set = await loadRules([RULES_DIR]);
  const seen = new Map<string, string>();
  const bad: string[] = [];
  for (const r of [...set.rules, ...set.correlations]) {
    if (!r.id) { bad.push(`${relRule(r.file)} ${r.title}: no id`); continue; }
    if (!UUID4.test(r.id)) bad.push(`${relRule(r.file)} ${r.title}: id ${r.id} is not a lower-case UUID v4`);
    const prev = seen.get(r.id);
    if (prev) bad.push(`${r.id} used by ${prev} and ${relRule(r.file)}`);
    seen.set(r.id, relRule(r.file));
  }
  const names = set.rules.map((r) => r.name).filter((n): n is string => !!n);
  assert.equal(new Set(names).size, names.length, 'rule names must be unique');
  assert.deepEqual(bad, []);
});

test('reported rules carry ATT&CK tags and full metadata; building blocks are informational', () => {
  const bad: string[] = [];
  for (const file of ruleFiles()) {
    const set = parseFile(file);
    const where = relRule(file);
    if (!PACK_FOLDERS.includes(basename(dirname(file)))) bad.push(`${where}: not in one of ${PACK_FOLDERS.join(', ')}`);
    const blocks = new Set(set.correlations.flatMap((c) => c.rules));
    const reported: (SigmaRule | CorrelationRule)[] = set.correlations.length ? set.correlations : set.rules;
    if (set.correlations.length === 0 && set.rules.length !== 1) bad.push(`${where}: one rule per file expected, found ${set.rules.length}`);
    for (const r of set.rules) {
      if (set.correlations.length && !(blocks.has(r.id ?? '') || blocks.has(r.name ?? ''))) bad.push(`${where}: rule "${r.title}" is not used by the file's correlation`);
      if (set.correlations.length && r.level !== 'informational') bad.push(`${where}: building block "${r.title}" should be informational`);
      if (r.author !== 'Vigie') bad.push(`${where}: author must be Vigie`);
      if (!r.date || !/^\d{4}-\d{2}-\d{2}$/.test(String(r.date))) bad.push(`${where}: date must be YYYY-MM-DD`);
      if (!r.logsource.product && !r.logsource.category && !r.logsource.service) bad.push(`${where}: empty logsource`);
    }
    for (const r of reported) {
      const tags = r.tags.map((t) => t.toLowerCase());
      if (!tags.some((t) => /^attack\.t\d{4}(\.\d{3})?$/.test(t))) bad.push(`${where}: "${r.title}" has no ATT&CK technique tag`);
      if (!tags.some((t) => TACTICS.has(t.replace(/^attack\./, '')))) bad.push(`${where}: "${r.title}" has no ATT&CK tactic tag`);
      const raw = r.raw as Record<string, unknown>;
      const refs = raw.references;
      if (!Array.isArray(refs) || refs.length === 0 || !refs.every((x) => typeof x === 'string' && /^https:\/\//.test(x))) bad.push(`${where}: "${r.title}" needs https references`);
      if (typeof raw.description !== 'string' || raw.description.length < 40) bad.push(`${where}: "${r.title}" needs a description`);
      if (!['low', 'medium', 'high', 'critical'].includes(String(r.level))) bad.push(`${where}: "${r.title}" level ${r.level}`);
      if (!['stable', 'test', 'experimental'].includes(String(r.status))) bad.push(`${where}: "${r.title}" status ${r.status}`);
      if (!Array.isArray(raw.falsepositives) || raw.falsepositives.length === 0) bad.push(`${where}: "${r.title}" needs falsepositives`);
      if (r.title.length > 256) bad.push(`${where}: title too long`);
    }
  }
  assert.deepEqual(bad, []);
});

test('every rule log source is one the shipped mapping covers', () => {
  const mapping = loadMapping();
  const bad: string[] = [];
  for (const file of ruleFiles()) {
    for (const r of parseFile(file).rules) {
      const ls = normLogsource(r.logsource as Record<string, unknown>);
      if (!mapping.entries.some((e) => logsourceCovers(ls, e.logsource))) bad.push(`${relRule(file)}: ${JSON.stringify(r.logsource)}`);
    }
  }
  assert.deepEqual(bad, []);
});

test('watchlist and honey rules are critical and use the placeholders', () => {
  const bad: string[] = [];
  for (const file of ruleFiles()) {
    const text = JSON.stringify(parseFile(file).rules.map((r) => r.detection));
    for (const r of parseFile(file).rules) {
      const uses = /%(watchlist|honey_message_ids|honey_mailboxes)%/.test(text);
      if (uses && r.level !== 'critical') bad.push(`${relRule(file)}: placeholder rule must be critical`);
    }
    if (/\/honey\//.test(file) && !/%honey_(message_ids|mailboxes)%/.test(text)) bad.push(`${relRule(file)}: honey rule without a honey placeholder`);
  }
  const all = ruleFiles().map((f) => JSON.stringify(parseFile(f).rules.map((r) => r.detection))).join('\n');
  for (const p of ['%watchlist%', '%honey_message_ids%', '%honey_mailboxes%']) assert.ok(all.includes(p), `no rule uses ${p}`);
  assert.deepEqual(bad, []);
});
