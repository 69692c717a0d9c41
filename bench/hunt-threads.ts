/**
 * `vigie hunt --threads`: wall-clock time of the whole hunt (rule loading included, as the CLI runs it) with 1 and
 * 2 threads over ../shared/evtx/attack-samples with all SigmaHQ Windows rules; checks both give the same timeline.
 *   node --import tsx bench/hunt-threads.ts [samples-dir] [sigma-dir] [threads…]      (default threads: 1 2)
 * BENCH_REPEAT=4 gives the samples folder 4 times as input (4× the events, same rule load) to show the scaling on
 * an input that outweighs loading the rules.
 * Each thread loads and compiles the rules itself, so CPU time grows with threads; wall time is what drops when
 * the input is large enough for the reading and matching to outweigh one rule load.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { prepareHunt, runHunt, type HuntResult } from '../src/hunt/index.js';
import { HuntPool } from '../src/hunt/workers.js';
import { fullRow } from '../src/hunt/timeline.js';
import { packageRoot } from '../src/hunt/paths.js';
import { windowsRulePaths } from './windows-rules.js';

const root = packageRoot();
const samples = process.argv[2] ?? join(root, '..', 'shared', 'evtx', 'attack-samples');
const sigma = process.argv[3] ?? join(root, '..', 'shared', 'sigma');
const counts = process.argv.slice(4).map(Number).filter((n) => n >= 1);
if (!existsSync(samples) || !existsSync(sigma)) {
  console.log(`bench/hunt-threads: ${samples} or ${sigma} absent; nothing to measure`);
  process.exit(0);
}
const rulePaths = windowsRulePaths(sigma);
const repeat = Math.max(1, Number(process.env.BENCH_REPEAT ?? 1) || 1);
// as the CLI runs it: with the parsed-rule cache (warmed below in a temporary folder), so each thread's rule load
// is the warm one (~1.8 s CPU for these rules) — BENCH_NO_CACHE=1 measures cold loads
const cacheDir = process.env.BENCH_NO_CACHE === '1' ? undefined : mkdtempSync(join(tmpdir(), 'vigie-bench-cache-'));
const opts = { inputs: Array.from({ length: repeat }, () => samples), rulePaths, builtinRules: true, ruleCache: cacheDir };
if (cacheDir) {
  await prepareHunt(opts);
  process.on('exit', () => rmSync(cacheDir, { recursive: true, force: true }));
}
const cpu = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;
const rows = (r: HuntResult) => r.detections.map((d) => JSON.stringify(fullRow(d))).join('\n');

/** As the CLI does it: workers start loading rules, the main thread prepares its own, then the hunt. */
async function once(threads: number): Promise<{ wall: number; cpu: number; result: HuntResult; stats?: HuntPool['stats'] }> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const pool = threads > 1 ? await HuntPool.start(opts, threads) : undefined;
  const p = await prepareHunt(opts);
  const result = pool ? await pool.run(p) : await runHunt(opts, p);
  // process CPU includes the workers' threads
  return { wall: performance.now() - t0, cpu: cpu(process.cpuUsage(c0)), result, stats: pool?.stats };
}

const list = counts.length ? counts : [1, 2];
console.log(`bench/hunt-threads: ${samples}${repeat > 1 ? ` (given ${repeat} times)` : ''}, ${availableParallelism()} cores available; best of 2 runs each`);
let ref: string | undefined;
let base: number | undefined;
for (const n of list) {
  let best: Awaited<ReturnType<typeof once>> | undefined;
  for (let i = 0; i < 2; i++) {
    const r = await once(n);
    if (!best || r.wall < best.wall) best = r;
  }
  const s = best!.result.summary;
  const tl = rows(best!.result);
  ref ??= tl;
  base ??= best!.wall;
  console.log(`threads ${String(n).padStart(2)}  ${(best!.wall / 1000).toFixed(2)} s wall, ${(best!.cpu / 1000).toFixed(2)} s CPU (all threads), ` +
    `${s.records.toLocaleString('en-US')} events, ${best!.result.detections.length} detections, ` +
    `${(base / best!.wall).toFixed(2)}× vs 1 thread; same timeline as 1 thread: ${tl === ref}` +
    (best!.stats ? ` (files: ${best!.stats.workerFiles} by workers, ${best!.stats.mainFiles} by the main thread)` : ''));
}
