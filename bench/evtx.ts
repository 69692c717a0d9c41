/**
 * EVTX reading speed and memory: Vigie vs evtxexport (libevtx, C) on the same files, in one run.
 *
 *   node --import tsx bench/evtx.ts [folder] [--big N]
 *
 * folder: EVTX files to read (default ../shared/evtx/attack-samples).
 * --big N: also build one large EVTX file from the folder's chunks repeated N times (default 8; 0 = off), to
 *          measure steady-state throughput and that memory stays flat whatever the size.
 * Vigie runs in this process (events built with the EVTX source, then serialised to JSON like `vigie dump`);
 * evtxexport runs once per file with `-f xml` and its output is counted. Peak RSS is Vigie's (measured before
 * evtxexport runs; children do not count).
 */
import { createReadStream, createWriteStream, existsSync, readdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { source } from '../src/sources/evtx/index.js';
import { ReadContext } from '../src/sources/types.js';
import { crc32 } from '../src/sources/evtx/file.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = existsSync(join(here, '..', 'package.json')) ? resolve(here, '..') : resolve(here, '..', '..');
const args = process.argv.slice(2);
const bigIdx = args.indexOf('--big');
const bigN = bigIdx >= 0 ? Number(args[bigIdx + 1]) : 8;
const folder = args.find((a, i) => !a.startsWith('--') && (bigIdx < 0 || i !== bigIdx + 1)) ?? join(root, '..', 'shared', 'evtx', 'attack-samples');

function walk(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (e.toLowerCase().endsWith('.evtx')) out.push(p);
  }
  return out;
}

async function vigie(files: string[]): Promise<{ records: number; seconds: number; errors: number; bytes: number }> {
  const ctx = new ReadContext();
  let records = 0;
  let bytes = 0;
  const t0 = process.hrtime.bigint();
  for (const f of files) {
    const input = { path: f, file: f, head: readHead(f), gzip: false, size: statSync(f).size };
    for await (const ev of source.read(input, ctx, () => createReadStream(f, { highWaterMark: 1 << 20 }))) {
      records++;
      bytes += JSON.stringify(ev.doc).length + 1; // what `vigie dump` prints
    }
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { records, seconds, errors: ctx.errorCount, bytes };
}

function readHead(f: string): Buffer {
  const b = readFileSync(f);
  return b.subarray(0, 65536);
}

async function evtxexport(files: string[]): Promise<{ records: number; seconds: number } | undefined> {
  if (spawnSync('sh', ['-c', 'command -v evtxexport']).status !== 0) return undefined;
  let records = 0;
  const t0 = process.hrtime.bigint();
  for (const f of files) {
    const p = spawn('evtxexport', ['-f', 'xml', f], { stdio: ['ignore', 'pipe', 'ignore'] });
    let tail = '';
    p.stdout.setEncoding('utf8');
    p.stdout.on('data', (d: string) => {
      const s = tail + d;
      let i = -1;
      while ((i = s.indexOf('\n<Event ', i + 1)) >= 0) records++;
      if (s.startsWith('<Event ') && tail === '') records++;
      tail = s.slice(-8);
    });
    await once(p, 'close');
  }
  return { records, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
}

/** One big EVTX file made of every chunk of the folder's files, repeated n times. */
async function buildBig(files: string[], n: number): Promise<{ path: string; chunks: number }> {
  const chunks: Buffer[] = [];
  for (const f of files) {
    const b = readFileSync(f);
    const start = b.subarray(0, 8).toString('latin1') === 'ElfFile\0' ? 4096 : 0;
    for (let p = start; p + 65536 <= b.length; p += 65536) {
      if (b.subarray(p, p + 8).toString('latin1') === 'ElfChnk\0') chunks.push(b.subarray(p, p + 65536));
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

function line(name: string, r: { records: number; seconds: number }): string {
  return `${name.padEnd(12)} ${String(r.records).padStart(9)} records in ${r.seconds.toFixed(2).padStart(6)} s = ${Math.round(r.records / r.seconds).toString().padStart(8)} records/s`;
}

async function main(): Promise<void> {
  if (!existsSync(folder)) {
    console.log(`bench/evtx: ${folder} is absent; nothing to measure`);
    return;
  }
  const files = walk(folder);
  const mb = files.reduce((s, f) => s + statSync(f).size, 0) / 1048576;
  console.log(`EVTX bench: ${files.length} files, ${mb.toFixed(1)} MB in ${folder}`);
  // warm-up (JIT) on a few files, not counted
  await vigie(files.slice(0, 20));

  const v = await vigie(files);
  let big: { path: string; chunks: number } | undefined;
  let vb: Awaited<ReturnType<typeof vigie>> | undefined;
  if (bigN > 0) {
    big = await buildBig(files, bigN);
    vb = await vigie([big.path]);
  }
  const rssMB = process.resourceUsage().maxRSS / 1024;

  const e = await evtxexport(files);
  const eb = big ? await evtxexport([big.path]) : undefined;

  console.log('\n-- per-file corpus --');
  console.log(line('vigie', v) + (v.errors ? ` (${v.errors} problems)` : ''));
  if (e) {
    console.log(line('evtxexport', e));
    console.log(`ratio: vigie is ${(v.records / v.seconds / (e.records / e.seconds)).toFixed(2)}× evtxexport's records/s`);
  } else console.log('evtxexport: not installed (apt-get install libevtx-utils)');
  if (big && vb) {
    console.log(`\n-- one big file: ${big.chunks} chunks, ${(big.chunks * 65536 / 1048576).toFixed(0)} MB --`);
    console.log(line('vigie', vb));
    if (eb) {
      console.log(line('evtxexport', eb));
      console.log(`ratio: vigie is ${(vb.records / vb.seconds / (eb.records / eb.seconds)).toFixed(2)}× evtxexport's records/s`);
    }
    unlinkSync(big.path);
  }
  console.log(`\nvigie peak RSS: ${rssMB.toFixed(0)} MB (target < 200 MB)`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
