/**
 * Rule loading: all active SigmaHQ rules (rules, rules-emerging-threats, rules-threat-hunting, rules-placeholder,
 * rules-compliance) read, parsed and validated with the fast YAML reader (src/sigma/fastyaml.ts) and with the
 * `yaml` package alone (the loader's fallback), interleaved, best of 3; then `prepareHunt` (load + compile +
 * router + prefilter) as `vigie hunt` runs it with the Windows rules of bench/hunt.
 *   node --import tsx bench/rules-load.ts [sigma-dir]
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseRules } from '../src/sigma/load.js';
import { fastParseDocuments } from '../src/sigma/fastyaml.js';
import { prepareHunt } from '../src/hunt/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = existsSync(join(here, '..', 'package.json')) ? resolve(here, '..') : resolve(here, '..', '..');
const sigma = process.argv[2] ?? join(root, '..', 'shared', 'sigma');
if (!existsSync(sigma)) {
  console.log(`bench/rules-load: ${sigma} absent; nothing to measure`);
  process.exit(0);
}
const files: string[] = [];
const walk = (d: string) => {
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const p = join(d, e.name);
    if (e.isDirectory()) walk(p);
    else if (/\.ya?ml$/i.test(e.name)) files.push(p);
  }
};
for (const d of ['rules', 'rules-emerging-threats', 'rules-threat-hunting', 'rules-placeholder', 'rules-compliance']) if (existsSync(join(sigma, d))) walk(join(sigma, d));
const texts = files.map((f) => readFileSync(f, 'utf8').replace(/^\uFEFF/, ''));
const fast = texts.filter((t) => fastParseDocuments(t) !== null).length;

const run = (useFast: boolean) => {
  const t0 = performance.now();
  let rules = 0, problems = 0;
  for (let i = 0; i < texts.length; i++) {
    const s = parseRules(texts[i]!, files[i]!, { fast: useFast });
    rules += s.rules.length + s.correlations.length + s.filters.length;
    problems += s.problems.length;
  }
  return { ms: performance.now() - t0, rules, problems };
};
let bestFast = Infinity, bestYaml = Infinity, counts = '';
for (let i = 0; i < 3; i++) {
  const a = run(true);
  const b = run(false);
  bestFast = Math.min(bestFast, a.ms);
  bestYaml = Math.min(bestYaml, b.ms);
  counts = `${a.rules} rules, ${a.problems} problems (yaml package alone: ${b.rules} rules, ${b.problems} problems)`;
}
console.log(`files          ${files.length} SigmaHQ rule files, ${(texts.reduce((n, t) => n + t.length, 0) / 1e6).toFixed(1)} MB; fast reader reads ${fast}, hands ${files.length - fast} to the yaml package`);
console.log(`parse+validate ${(bestFast / 1000).toFixed(2)} s with the fast reader, ${(bestYaml / 1000).toFixed(2)} s with the yaml package alone → ${(bestYaml / bestFast).toFixed(1)}×; ${counts}`);

const rulePaths = ['rules/windows', 'rules-emerging-threats', 'rules-threat-hunting/windows', 'rules-placeholder/windows', 'rules-compliance']
  .map((p) => join(sigma, p)).filter(existsSync);
let best = Infinity, n = 0;
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  const p = await prepareHunt({ inputs: [], rulePaths, builtinRules: true });
  best = Math.min(best, performance.now() - t0);
  n = p.compiled.length;
}
console.log(`prepareHunt    ${(best / 1000).toFixed(2)} s for ${n} rules (files read, parsed, validated, compiled; router and prefilter built), best of 3`);
