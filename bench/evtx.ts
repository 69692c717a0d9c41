/**
 * EVTX reading speed and memory: Vigie vs evtxexport (libevtx, C) on the same files, in one run.
 *
 *   node --import tsx bench/evtx.ts [folder] [--big N]      (or compiled: node dist/bench/evtx.js)
 *
 * folder: EVTX files to read (default ../shared/evtx/attack-samples).
 * --big N: also build one large EVTX file from the folder's non-empty chunks repeated N times (default 8;
 *          0 = off), to measure steady-state throughput and that memory stays flat whatever the size.
 *
 * Vigie runs in a child process (same Node flags) that reads each file as `vigie` does (probe, then the EVTX source:
 * VigieEvents, fields and all) and serialises each document to JSON as `vigie dump` does; evtxexport runs once per file with `-f xml`, its
 * records counted from its output. Both are timed by wall clock and by CPU time (user + system; the machine may
 * be shared, CPU time is the steadier figure). Vigie's peak RSS is reported with the runtime's own baseline.
 */
import { createWriteStream, existsSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { source } from '../src/sources/evtx/index.js';
import { ReadContext } from '../src/sources/types.js';
import { readFileBatches } from '../src/sources/index.js';
import { crc32 } from '../src/sources/evtx/file.js';
import { packageRoot } from '../src/hunt/paths.js';
import { evtxexport, evtxFiles, type Run } from './evtxexport.js';

const root = packageRoot();

/** Child mode: read the files listed in `listFile`, print one JSON line with the figures. */
async function child(listFile: string): Promise<void> {
  const files = readFileSync(listFile, 'utf8').split('\n').filter(Boolean);
  const ctx = new ReadContext();
  ctx.documents = true; // every document is serialised, as `vigie dump` does
  let records = 0;
  let bytes = 0;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (const f of files) {
    // as `vigie hunt`/`dump` read a file: probe (small files are read whole and parsed in place), then the reader
    for await (const batch of readFileBatches(f, ctx, { format: source.name })) {
      for (const ev of batch) {
        records++;
        bytes += JSON.stringify(ev.doc).length + 1; // what `vigie dump` prints
      }
    }
  }
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const cu = process.cpuUsage(c0);
  const run: Run = { records, wall, cpu: (cu.user + cu.system) / 1e6, rssMB: process.resourceUsage().maxRSS / 1024, errors: ctx.errorCount };
  process.stdout.write(JSON.stringify({ ...run, bytes }) + '\n');
}

function vigie(files: string[]): Run {
  const list = join(tmpdir(), `vigie-bench-list-${process.pid}.txt`);
  writeFileSync(list, files.join('\n') + '\n');
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, [...process.execArgv, self, '--child', list], { encoding: 'utf8', maxBuffer: 1 << 20 });
  unlinkSync(list);
  if (r.status !== 0) throw new Error(`vigie child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Run;
}

/** One big EVTX file made of the folder's non-empty chunks, repeated n times. */
async function buildBig(files: string[], n: number): Promise<{ path: string; chunks: number }> {
  const chunks: Buffer[] = [];
  for (const f of files) {
    const b = readFileSync(f);
    const start = b.subarray(0, 8).toString('latin1') === 'ElfFile\0' ? 4096 : 0;
    for (let p = start; p + 65536 <= b.length; p += 65536) {
      if (b.subarray(p, p + 8).toString('latin1') === 'ElfChnk\0' && b.readUInt32LE(p + 48) > 512) chunks.push(Buffer.from(b.subarray(p, p + 65536)));
    }
  }
  const total = Math.min(chunks.length * n, 65535);
  const path = join(tmpdir(), `vigie-bench-${process.pid}.evtx`);
  const out = createWriteStream(path);
  const h = Buffer.alloc(4096);
  h.write('ElfFile\0', 0, 'latin1');
  h.writeBigUInt64LE(BigInt(total - 1), 16);
  h.writeUInt32LE(128, 32);
  h.writeUInt16LE(1, 36);
  h.writeUInt16LE(3, 38);
  h.writeUInt16LE(4096, 40);
  h.writeUInt16LE(total, 42);
  h.writeUInt32LE(crc32(h, 0, 120), 124);
  out.write(h);
  for (let i = 0; i < total; i++) if (!out.write(chunks[i % chunks.length])) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
  return { path, chunks: total };
}

function line(name: string, r: Run): string {
  return (
    `${name.padEnd(11)} ${String(r.records).padStart(8)} records  wall ${r.wall.toFixed(2).padStart(6)} s = ${Math.round(r.records / r.wall).toString().padStart(7)}/s` +
    `  cpu ${r.cpu.toFixed(2).padStart(6)} s = ${Math.round(r.records / r.cpu).toString().padStart(7)}/cpu-s` +
    (r.rssMB !== undefined ? `  peak RSS ${r.rssMB.toFixed(0)} MB` : '') +
    (r.errors ? `  (${r.errors} problems)` : '')
  );
}

function compare(v: Run, e: Run | undefined): void {
  console.log(line('vigie', v));
  if (!e) {
    console.log('evtxexport: not installed (apt-get install libevtx-utils)');
    return;
  }
  console.log(line('evtxexport', e));
  if (e.records !== v.records) console.log(`  note: record counts differ (vigie ${v.records}, evtxexport ${e.records})`);
  console.log(`  ratio vigie/evtxexport: ${(v.records / v.wall / (e.records / e.wall)).toFixed(2)}× by wall clock, ${(v.records / v.cpu / (e.records / e.cpu)).toFixed(2)}× by CPU time`);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') return child(args[1]);
  const bigIdx = args.indexOf('--big');
  const bigN = bigIdx >= 0 ? Number(args[bigIdx + 1]) : 8;
  const folder = args.find((a, i) => !a.startsWith('--') && (bigIdx < 0 || i !== bigIdx + 1)) ?? join(root, '..', 'shared', 'evtx', 'attack-samples');
  if (!existsSync(folder)) {
    console.log(`bench/evtx: ${folder} is absent; nothing to measure`);
    return;
  }
  const files = evtxFiles(folder);
  const mb = files.reduce((s, f) => s + statSync(f).size, 0) / 1048576;
  const base = vigie([]);
  console.log(`EVTX bench: ${files.length} files, ${mb.toFixed(1)} MB in ${folder}; runtime baseline RSS ${base.rssMB!.toFixed(0)} MB`);

  console.log('\n-- per-file corpus (one evtxexport process per file) --');
  compare(vigie(files), evtxexport(files));

  if (bigN > 0) {
    const big = await buildBig(files, bigN);
    try {
      console.log(`\n-- one big file: ${big.chunks} chunks, ${((big.chunks * 65536) / 1048576).toFixed(0)} MB --`);
      compare(vigie([big.path]), evtxexport([big.path]));
    } finally {
      unlinkSync(big.path);
    }
  }
  console.log('\ntarget: faster than evtxexport; Vigie peak RSS < 200 MB on any input');
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
