/**
 * Speed of `vigie scan` alone (no accuracy figure is computed or printed): CPU time per corpus and per phase.
 *
 *   node --import tsx bench/scan-speed.ts [--mail DIR] [--corpus phishing,ham,spam] [--repeat N] [--cli]
 *
 * In-process mode (default): every message of each corpus is read, parsed and scanned with the default offline
 * configuration after a short untimed warm-up (module initialisation, JIT); CPU time (user + system of this
 * process) is measured per corpus; elapsed time (one thread, so close to CPU time on an idle core) is split into reading, parsing (postal-mime + body/link extraction + attached messages) and each check,
 * and messages per CPU-second are printed per corpus and for all corpora mixed (the figure bench/scan.ts reports).
 * --cli runs the compiled `vigie scan DIR -o jsonl` as a child process per corpus instead and reports the whole
 * process's CPU time (start-up included) and peak resident set, as a user would see it.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseMessage } from '../src/mail/message.js';
import { scanMessage } from '../src/mail/scan.js';
import { defaultConfig } from '../src/mail/config.js';
import { CHECKS } from '../src/mail/checks/index.js';
import type { Check } from '../src/mail/types.js';
import { packageRoot } from '../src/hunt/paths.js';

const ROOT = packageRoot();
const args = process.argv.slice(2);
const val = (n: string): string | undefined => { const i = args.indexOf(n); return i >= 0 ? args[i + 1] : undefined; };
const MAIL = resolve(val('--mail') ?? join(ROOT, '..', 'shared', 'mail'));
const corpora = (val('--corpus') ?? 'phishing,ham,spam').split(',').filter(Boolean);
const repeat = Math.max(1, Number(val('--repeat') ?? 1));

function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

function files(c: string): string[] {
  const dir = join(MAIL, c);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).sort().map((f) => join(dir, f));
}

async function inProcess(): Promise<void> {
  const config = defaultConfig();
  const phase = new Map<string, number>();
  const add = (k: string, s: number): void => { phase.set(k, (phase.get(k) ?? 0) + s); };
  // each check timed on its own (wrapping keeps results unchanged)
  const timed: Check[] = CHECKS.map((c) => ({
    name: c.name,
    run: async (m, ctx) => {
      const t = performance.now();
      try {
        return await c.run(m, ctx);
      } finally {
        add('check ' + c.name, (performance.now() - t) / 1000);
      }
    },
  }));
  const all = corpora.map((c) => ({ c, list: files(c) })).filter((x) => x.list.length);
  if (!all.length) {
    console.log(`no corpus found under ${MAIL}`);
    return;
  }
  for (const { list } of all) for (const p of list.slice(0, 10)) await scanMessage(await parseMessage(readFileSync(p), { file: p }), { config });
  phase.clear();
  let totalN = 0;
  let totalCpu = 0;
  for (let r = 0; r < repeat; r++) {
    for (const { c, list } of all) {
      const c0 = cpuNow();
      for (const p of list) {
        let t = performance.now();
        const raw = readFileSync(p);
        let t2 = performance.now();
        add('read', (t2 - t) / 1000);
        t = t2;
        const view = await parseMessage(raw, { file: p });
        t2 = performance.now();
        add('parse', (t2 - t) / 1000);
        t = t2;
        await scanMessage(view, { config, checks: timed });
        add('scan (all checks + verdict + indicators)', (performance.now() - t) / 1000);
      }
      const cpu = cpuNow() - c0;
      totalN += list.length;
      totalCpu += cpu;
      console.log(`${c.padEnd(9)} ${String(list.length).padStart(5)} messages  ${cpu.toFixed(2).padStart(6)} CPU-s  ${(list.length / cpu).toFixed(0).padStart(5)} messages/CPU-s`);
    }
  }
  console.log(`mixed     ${String(totalN).padStart(5)} messages  ${totalCpu.toFixed(2).padStart(6)} CPU-s  ${(totalN / totalCpu).toFixed(0).padStart(5)} messages/CPU-s`);
  console.log('time by phase (all corpora, elapsed; a loaded machine inflates it):');
  for (const [k, s] of [...phase].sort((a, b) => b[1] - a[1])) console.log(`  ${k.padEnd(42)} ${s.toFixed(2).padStart(6)} s  ${((100 * s) / totalCpu).toFixed(1).padStart(5)}%`);
  console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
}

function cli(): void {
  const bin = join(ROOT, 'bin', 'vigie.js');
  let n = 0;
  let cpu = 0;
  for (const c of corpora) {
    const list = files(c);
    if (!list.length) continue;
    // bash's `time`-like figures from /usr/bin/time when present, else from the child's rusage via process.report
    const r = spawnSync('/usr/bin/time', ['-f', '%U %S %M', process.execPath, bin, 'scan', join(MAIL, c), '-o', 'jsonl', '--no-progress', '--no-summary'], { encoding: 'utf8', maxBuffer: 1 << 30 });
    const last = (r.stderr ?? '').trim().split('\n').pop() ?? '';
    const m = /^([\d.]+) ([\d.]+) (\d+)$/.exec(last);
    if (!m) {
      console.log(`${c}: could not measure (${(r.error?.message ?? last).slice(0, 200)})`);
      continue;
    }
    const s = Number(m[1]) + Number(m[2]);
    n += list.length;
    cpu += s;
    console.log(`${c.padEnd(9)} ${String(list.length).padStart(5)} messages  ${s.toFixed(2).padStart(6)} CPU-s  ${(list.length / s).toFixed(0).padStart(5)} messages/CPU-s  peak RSS ${(Number(m[3]) / 1024).toFixed(0)} MB`);
  }
  if (n) console.log(`mixed     ${String(n).padStart(5)} messages  ${cpu.toFixed(2).padStart(6)} CPU-s  ${(n / cpu).toFixed(0).padStart(5)} messages/CPU-s (start-up included)`);
}

if (args.includes('--cli')) cli();
else await inProcess();
