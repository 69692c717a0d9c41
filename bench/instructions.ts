/**
 * Instructions per hunt pass, counted by valgrind (callgrind), for one build or two side by side.
 *
 * On a shared VM the CPU time of a pass drifts by ±25% between runs, more than most single changes are worth.
 * Instruction counts do not drift: with V8 single-threaded (compilers and collector on the main thread) and the
 * instrumentation switched on only around the measured passes, two runs of one build agree to 0.1%. They do not see
 * cache misses (a change that only shrinks tables shows no gain here: judge those by timing), and they count the
 * optimizing compiler's work on the main thread, so the figure is split into the program itself, garbage collection
 * and compilation. Same workload as bench/hunt.ts: all SigmaHQ Windows rules + Vigie's pack over the attack samples.
 *
 *   npm run build   (or tsc in a second worktree for the other build)
 *   node --import tsx bench/instructions.ts dist [/path/to/other/dist]      WARM=6 MEAS=2 by default
 *
 * A build is a `dist` folder (compiled with tsc). ~3 minutes per build (both run at once, one per core).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { windowsRulePaths } from './windows-rules.js';

const WARM = Number(process.env.WARM ?? 6);
const MEAS = Number(process.env.MEAS ?? 2);
const here = fileURLToPath(import.meta.url);

async function waitFor(file: string): Promise<void> {
  while (!existsSync(file)) await new Promise((r) => setTimeout(r, 200));
}

if (process.argv[2] === '--child') {
  // inside valgrind: prepare, warm up, then the measured passes between the parent's signals
  const [dist, dir, samples, sigma] = process.argv.slice(3) as [string, string, string, string];
  const { prepareHunt, runHunt } = (await import(join(dist, 'src/hunt/index.js'))) as typeof import('../src/hunt/index.js');
  const rulePaths = windowsRulePaths(sigma);
  const opts = { inputs: [samples], rulePaths, builtinRules: true };
  const prep = await prepareHunt(opts);
  for (let i = 0; i < WARM; i++) await runHunt(opts, prep);
  (globalThis as { gc?: () => void }).gc?.();
  writeFileSync(join(dir, 'ready'), '');
  await waitFor(join(dir, 'go'));
  let detections = 0;
  for (let i = 0; i < MEAS; i++) detections = (await runHunt(opts, prep)).detections.length;
  writeFileSync(join(dir, 'done'), String(detections));
  await waitFor(join(dir, 'stop'));
  process.exit(0);
}

const root = resolve(here, '..', '..');
const samples = process.env.SAMPLES ?? join(root, '..', 'shared', 'evtx', 'attack-samples');
const sigma = process.env.SIGMA ?? join(root, '..', 'shared', 'sigma');
const builds = process.argv.slice(2).map((d) => resolve(d));
const missing = [samples, sigma].filter((p) => !existsSync(p));
let valgrind = true;
try {
  execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
} catch {
  valgrind = false;
}
if (!valgrind || missing.length || builds.length === 0) {
  console.log(`bench/instructions: ${!valgrind ? 'valgrind not installed' : missing.length ? `${missing.join(', ')} absent` : 'no build given (a dist folder)'}; nothing to measure`);
  process.exit(0);
}

interface Count { total: number; gc: number; compile: number; detections: string }
const GC = /Mark|Sweep|Compact|Evacuat|IteratePointers|ProcessStrongHeapObject|VisitMapPointer|Scaveng|Semi|NewSpace|Heap::|heap::/;
const COMPILE = /compiler::|Compile|Parser|Bytecode|Maglev|Deoptimiz|Zone|interpreter::|Scanner/;

async function measure(dist: string): Promise<Count> {
  const dir = mkdtempSync(join(tmpdir(), 'vigie-instr-'));
  try {
    const out = join(dir, 'callgrind.out');
    const child = spawn('valgrind', ['--tool=callgrind', '--smc-check=all-non-file', '--instr-atstart=no', `--callgrind-out-file=${out}`,
      process.execPath, '--single-threaded', '--expose-gc', '--import', 'tsx', here, '--child', dist, dir, samples, sigma], { stdio: 'ignore', cwd: root });
    const exited = new Promise<void>((r) => child.on('exit', () => r()));
    await waitFor(join(dir, 'ready'));
    execFileSync('callgrind_control', ['-i', 'on', String(child.pid)], { stdio: 'ignore' });
    writeFileSync(join(dir, 'go'), '');
    await waitFor(join(dir, 'done'));
    execFileSync('callgrind_control', ['-i', 'off', String(child.pid)], { stdio: 'ignore' });
    writeFileSync(join(dir, 'stop'), '');
    await exited;
    const detections = readFileSync(join(dir, 'done'), 'utf8');
    const text = execFileSync('callgrind_annotate', ['--threshold=100', out], { encoding: 'utf8', maxBuffer: 256 << 20 });
    const c: Count = { total: 0, gc: 0, compile: 0, detections };
    let started = false;
    for (const line of text.split('\n')) {
      if (line.includes('file:function')) started = true;
      const m = started ? /^\s*([\d,]+) \(/.exec(line) : null;
      if (!m) continue;
      const n = Number(m[1]!.replace(/,/g, ''));
      const fn = line.slice(line.lastIndexOf('  ') + 2);
      c.total += n;
      if (GC.test(fn)) c.gc += n;
      else if (COMPILE.test(fn)) c.compile += n;
    }
    return c;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const counts = await Promise.all(builds.map(measure));
const M = (n: number) => `${(n / MEAS / 1e6).toFixed(0)} M`;
counts.forEach((c, i) => {
  console.log(`${builds[i]}: per pass ${M(c.total)} instructions — program ${M(c.total - c.gc - c.compile)}, GC ${M(c.gc)}, ` +
    `compiler ${M(c.compile)}; ${c.detections} detections (${WARM} warm-up passes, ${MEAS} measured)`);
});
if (counts.length === 2) {
  const prog = (c: Count) => c.total - c.gc - c.compile;
  console.log(`second / first: program ${(prog(counts[1]!) / prog(counts[0]!)).toFixed(4)}, all ${(counts[1]!.total / counts[0]!.total).toFixed(4)}`);
}
