/**
 * Rule loading: all active SigmaHQ rules (rules, rules-emerging-threats, rules-threat-hunting, rules-placeholder,
 * rules-compliance) read, parsed (`yaml` package) and validated, without and with a warm parsed-rule cache
 * (src/sigma/cache.ts), interleaved, best of 3; then `prepareHunt` (load + compile + router + prefilter) as
 * `vigie hunt` runs it with the Windows rules of bench/hunt, cold and warm. CPU time of this process.
 *   node --import tsx bench/rules-load.ts [sigma-dir]
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRules } from '../src/sigma/load.js';
import { prepareHunt } from '../src/hunt/index.js';
import { packageRoot } from '../src/hunt/paths.js';
import { windowsRulePaths } from './windows-rules.js';

const root = packageRoot();
const sigma = process.argv[2] ?? join(root, '..', 'shared', 'sigma');
if (!existsSync(sigma)) {
  console.log(`bench/rules-load: ${sigma} absent; nothing to measure`);
  process.exit(0);
}
const all = ['rules', 'rules-emerging-threats', 'rules-threat-hunting', 'rules-placeholder', 'rules-compliance'].map((d) => join(sigma, d)).filter(existsSync);
const cacheDir = mkdtempSync(join(tmpdir(), 'vigie-rules-cache-'));
const cpu = async (f: () => Promise<unknown>): Promise<number> => {
  const c = process.cpuUsage();
  await f();
  const u = process.cpuUsage(c);
  return (u.user + u.system) / 1000;
};
try {
  let counts = '';
  const first = await loadRules(all, { cacheDir }); // fills the cache
  counts = `${first.files} files, ${first.rules.length + first.correlations.length + first.filters.length} rules, ${first.problems.length} problems`;
  let cold = Infinity, warm = Infinity;
  for (let i = 0; i < 3; i++) {
    cold = Math.min(cold, await cpu(() => loadRules(all)));
    warm = Math.min(warm, await cpu(() => loadRules(all, { cacheDir })));
  }
  console.log(`load+validate  ${counts}: ${(cold / 1000).toFixed(2)} s CPU parsing every file, ${(warm / 1000).toFixed(2)} s with a warm cache → ${(cold / warm).toFixed(1)}×`);

  const rulePaths = windowsRulePaths(sigma);
  let pCold = Infinity, pWarm = Infinity, n = 0;
  for (let i = 0; i < 3; i++) {
    pCold = Math.min(pCold, await cpu(async () => { n = (await prepareHunt({ inputs: [], rulePaths, builtinRules: true })).compiled.length; }));
    pWarm = Math.min(pWarm, await cpu(() => prepareHunt({ inputs: [], rulePaths, builtinRules: true, ruleCache: cacheDir })));
  }
  console.log(`prepareHunt    ${n} rules (read, parsed, validated, compiled; router and prefilter built): ${(pCold / 1000).toFixed(2)} s CPU without cache, ${(pWarm / 1000).toFixed(2)} s with a warm cache (best of 3)`);
} finally {
  rmSync(cacheDir, { recursive: true, force: true });
}
