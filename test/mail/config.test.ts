import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parse } from 'yaml';
import { configFromObject, loadConfig, ConfigError, EXAMPLE_CONFIG, DEFAULT_THRESHOLDS } from '../../src/mail/config.js';
import { computeVerdict, applyOverrides } from '../../src/mail/verdict.js';
import type { SymbolHit } from '../../src/mail/types.js';

test('defaults: nothing trusted, offline, embedded thresholds', () => {
  const c = loadConfig();
  assert.deepEqual(c.settings.trustedReceivers, []);
  assert.equal(c.settings.online, false);
  assert.deepEqual(c.settings.thresholds, DEFAULT_THRESHOLDS);
});

test('the example configuration loads and sets every field', () => {
  const c = configFromObject(parse(EXAMPLE_CONFIG));
  assert.deepEqual(c.settings.ownDomains, ['example.org', 'example.com']);
  assert.equal(c.settings.vips[0].name, 'Jane Doe');
  assert.deepEqual(c.settings.trustedReceivers, ['mx.example.org']);
  assert.equal(c.settings.scores.REPLYTO_FREEMAIL, 4);
  assert.equal(c.settings.brands[0].domains[0], 'examplebank.com');
  assert.equal(c.limits.maxParts, 300);
});

test('camelCase keys accepted; unknown keys, bad types and disordered thresholds refused', () => {
  assert.deepEqual(configFromObject({ ownDomains: ['A.example.'] }).settings.ownDomains, ['a.example']);
  assert.throws(() => configFromObject({ own_domain: ['x'] }), /unknown key "own_domain"/);
  assert.throws(() => configFromObject({ scores: { bad_name: 1 } }), ConfigError);
  assert.throws(() => configFromObject({ scores: { GOOD: 'high' } }), /scores.GOOD: expected a number/);
  assert.throws(() => configFromObject({ thresholds: { suspicious: 9, phishing: 5 } }), /suspicious ≤ phishing/);
  assert.throws(() => configFromObject({ online: 'yes' }), /online/);
  assert.throws(() => configFromObject(['a']), /mapping/);
});

test('loadConfig reports unreadable and invalid files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigie-cfg-'));
  try {
    assert.throws(() => loadConfig(join(dir, 'none.yml')), /cannot read/);
    writeFileSync(join(dir, 'bad.yml'), 'own_domains: [a\n  b: :');
    assert.throws(() => loadConfig(join(dir, 'bad.yml')), /not valid YAML/);
    writeFileSync(join(dir, 'ok.yml'), 'thresholds: {suspicious: 3, phishing: 6, malicious: 9}\n');
    assert.equal(loadConfig(join(dir, 'ok.yml')).settings.thresholds.phishing, 6);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('verdict: thresholds, malware kinds, overrides', () => {
  const t = { suspicious: 5, phishing: 8, malicious: 15 };
  const h = (symbol: string, score: number, kind?: SymbolHit['kind']): SymbolHit => ({ symbol, score, reason: 'r', kind });
  assert.equal(computeVerdict([h('A', 4.9)], t, 6).verdict, 'clean');
  assert.equal(computeVerdict([h('A', 3), h('B', 2)], t, 6).verdict, 'suspicious');
  assert.equal(computeVerdict([h('A', 8)], t, 6).verdict, 'phishing');
  assert.equal(computeVerdict([h('A', 10), h('B', 5)], t, 6).verdict, 'phishing', 'no malware signal: stops at phishing');
  assert.equal(computeVerdict([h('A', 10), h('B', 5), h('MACRO', 1, 'malware')], t, 6).verdict, 'malicious');
  assert.equal(computeVerdict([h('EXE', 6, 'malware')], t, 6).verdict, 'malicious', 'high-confidence malware symbol');
  assert.equal(computeVerdict([h('MACRO', 2, 'malware')], t, 6).verdict, 'suspicious', 'weak malware symbol: at least suspicious');
  assert.equal(computeVerdict([h('A', 9), h('GOOD', -5)], t, 6).verdict, 'clean', 'negative scores lower the total');
  assert.deepEqual(applyOverrides([h('A', 3), h('B', 2)], { A: 0, B: 7 }).map((x) => [x.symbol, x.score]), [['B', 7]]);
});
