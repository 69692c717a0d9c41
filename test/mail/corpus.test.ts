/**
 * Accuracy on the shared corpora, held-out half only (files at odd positions in name order; scores are tuned on
 * the even positions). Offline, default configuration, no trusted receiver. Skipped when ../shared is absent.
 * Issue targets, both asserted: ≥ 90% of phishing flagged (suspicious or worse) with ≤ 1% of ham flagged
 * (see docs/scan.md for the figures and how the halves are used).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { shared } from '../helpers.js';
import { parseMessage } from '../../src/mail/message.js';
import { scanMessage } from '../../src/mail/scan.js';
import { defaultConfig } from '../../src/mail/config.js';

// the targets, reached on the held-out half (91.5% / 0.63% when measured)
const PHISHING_MIN = 0.9;
const HAM_MAX = 0.01;

const phish = shared('mail/phishing');
const ham = shared('mail/ham');

async function flaggedShare(dir: string): Promise<{ share: number; n: number }> {
  const config = defaultConfig();
  const files = readdirSync(dir).sort().filter((_, i) => i % 2 === 1);
  let flagged = 0;
  for (const f of files) {
    const v = await parseMessage(readFileSync(join(dir, f)), { file: f });
    const r = await scanMessage(v, { config });
    if (r.verdict !== 'clean') flagged++;
  }
  return { share: flagged / files.length, n: files.length };
}

test('held-out phishing flagged', { skip: phish.skip || false }, async () => {
  const { share, n } = await flaggedShare(phish.path!);
  console.log(`held-out phishing flagged: ${(share * 100).toFixed(1)}% of ${n} (target ≥ ${PHISHING_MIN * 100}%)`);
  assert.ok(share >= PHISHING_MIN, `phishing flagged ${(share * 100).toFixed(1)}% < ${PHISHING_MIN * 100}%`);
});

test('held-out ham flagged', { skip: ham.skip || false }, async () => {
  const { share, n } = await flaggedShare(ham.path!);
  console.log(`held-out ham flagged: ${(share * 100).toFixed(2)}% of ${n} (target ≤ ${HAM_MAX * 100}%)`);
  assert.ok(share <= HAM_MAX, `ham flagged ${(share * 100).toFixed(2)}% > ${HAM_MAX * 100}%`);
});
