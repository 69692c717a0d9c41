/**
 * Benchmark of the collector / SIEM-export readers: generates large inputs (default 300 MB each, in the system
 * temp folder, deleted afterwards, never committed) in several shapes, reads each through the normal source layer
 * (content detection + streaming reader + event model) and prints events/second, MB/second and the resident
 * memory at 10 %, 50 % and 100 % of the input (it must stay flat), plus the process peak. Rates are given per
 * wall-clock second and per CPU-second of this process (the fair figure on a shared, loaded machine), with the
 * load average.
 *
 *   node --import tsx bench/collectors.ts [--mb 300] [--shapes ecs,nxlog,ecs-gz,search,evtx-json,xml] [--keep]
 *
 * The records are the test fixtures' events (test/fixtures/collectors, test/fixtures/windows) with varying
 * record numbers, times and command lines, so the parser sees realistic, non-repeating text.
 */
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';
import { once } from 'node:events';
import { readFile, ReadContext } from '../src/sources/index.js';
import { packageRoot } from '../src/hunt/paths.js';

const ROOT = packageRoot();
const FIX = join(ROOT, 'test', 'fixtures');

const args = process.argv.slice(2);
const arg = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : dflt;
};
const MB = Number(arg('mb', '300'));
const SHAPES = arg('shapes', 'ecs,nxlog,ecs-gz,search,evtx-json,xml').split(',');
const KEEP = args.includes('--keep');

interface Gen {
  name: string;
  file: string;
  /** the records to vary and repeat */
  records: string[];
  head?: string;
  sep?: string;
  tail?: string;
  gzip?: boolean;
  /** vary a record text for index n */
  vary: (rec: string, n: number) => string;
}

function lines(f: string): string[] {
  return readFileSync(join(FIX, f), 'utf8').split(/\r?\n/).filter((l) => l.trim());
}

const varyJson = (rec: string, n: number) =>
  rec
    .replace(/("record_id":|"RecordNumber":|"EventRecordID":)\d+/g, `$1${n}`)
    .replace(/2024-03-12T09:1/g, `2024-03-${String(12 + (n % 17)).padStart(2, '0')}T09:1`)
    .replace(/whoami \/all/g, `whoami /all #${n}`);

async function generate(g: Gen, bytes: number): Promise<{ size: number; records: number }> {
  const out = createWriteStream(g.file);
  const sink: NodeJS.WritableStream = g.gzip ? createGzip({ level: 1 }) : out;
  if (g.gzip) (sink as NodeJS.ReadWriteStream).pipe(out);
  let size = 0;
  let n = 0;
  const write = async (s: string) => {
    size += Buffer.byteLength(s);
    if (!sink.write(s)) await once(sink, 'drain');
  };
  if (g.head) await write(g.head);
  let batch = '';
  while (size + batch.length < bytes) {
    const rec = g.vary(g.records[n % g.records.length], n + 1);
    batch += (n && g.sep ? g.sep : '') + rec;
    n++;
    if (batch.length > 1 << 20) { await write(batch); batch = ''; }
  }
  await write(batch);
  if (g.tail) await write(g.tail);
  sink.end();
  await once(out, 'close');
  return { size, records: n };
}

function mb(n: number): string {
  return (n / 1048576).toFixed(0);
}

async function run(g: Gen): Promise<void> {
  const t0 = Date.now();
  const { size, records } = await generate(g, MB * 1048576);
  const disk = statSync(g.file).size;
  const genS = (Date.now() - t0) / 1000;
  if (global.gc) global.gc();
  const rssStart = process.memoryUsage().rss;
  const marks = [0.1, 0.5];
  const rssAt: string[] = [];
  const ctx = new ReadContext();
  const start = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  let events = 0;
  let maxRss = rssStart;
  for await (const ev of readFile(g.file, ctx)) {
    events++;
    if ((events & 1023) === 0) {
      const rss = process.memoryUsage().rss;
      if (rss > maxRss) maxRss = rss;
      if (marks.length && ev.origin.offset >= marks[0] * size) {
        rssAt.push(`${marks[0] * 100}%: ${mb(rss)} MB`);
        marks.shift();
      }
    }
  }
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const cpuSecs = (cpu.user + cpu.system) / 1e6;
  const rssEnd = process.memoryUsage().rss;
  rssAt.push(`100%: ${mb(rssEnd)} MB`);
  const fmt = [...ctx.formats.keys()].join(',');
  console.log(
    `${g.name.padEnd(10)} ${fmt.padEnd(18)} ${mb(size).padStart(5)} MB${g.gzip ? ` (${mb(disk)} MB gz)` : ''}  ` +
      `${events} events (${records} written, ${ctx.errorCount} errors)  ${(events / secs).toFixed(0)} ev/s  ` +
      `${(size / 1048576 / secs).toFixed(1)} MB/s wall, ${(events / cpuSecs).toFixed(0)} ev/s and ${(size / 1048576 / cpuSecs).toFixed(1)} MB/s per CPU-second  RSS ${rssAt.join(', ')} (start ${mb(rssStart)} MB, max seen ${mb(maxRss)} MB)  [generated in ${genS.toFixed(1)} s]`,
  );
  if (events !== records) console.log(`  !! ${records - events} records missing`);
  if (!KEEP) rmSync(g.file, { force: true });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vigie-bench-collectors-'));
  const wlb = lines('collectors/winlogbeat.ndjson');
  const hits = JSON.parse(readFileSync(join(FIX, 'collectors/elasticsearch-search.json'), 'utf8')).hits.hits.map((h: unknown) => JSON.stringify(h));
  const gens: Record<string, Gen> = {
    ecs: { name: 'ecs', file: join(dir, 'winlogbeat.ndjson'), records: wlb, sep: '\n', tail: '\n', vary: varyJson },
    nxlog: { name: 'nxlog', file: join(dir, 'nxlog.json'), records: lines('collectors/nxlog.json'), sep: '\r\n', tail: '\r\n', vary: varyJson },
    'ecs-gz': { name: 'ecs-gz', file: join(dir, 'winlogbeat.ndjson.gz'), records: wlb, sep: '\n', tail: '\n', gzip: true, vary: varyJson },
    search: { name: 'search', file: join(dir, 'search.json'), head: '{"took":12,"timed_out":false,"hits":{"total":{"value":0},"hits":[\n', records: hits, sep: ',\n', tail: ']}}\n', vary: varyJson },
    'evtx-json': {
      name: 'evtx-json', file: join(dir, 'evtx_dump.json'),
      records: readFileSync(join(FIX, 'windows/evtx_dump.json'), 'utf8').split(/^(?=Record \d+$)/m),
      vary: (rec, n) => varyJson(rec, n).replace(/^Record \d+/, `Record ${n}`),
    },
    xml: {
      name: 'xml', file: join(dir, 'wevtutil.xml'), records: lines('windows/wevtutil.xml'), sep: '\r\n', tail: '\r\n',
      vary: (rec, n) => rec.replace(/<EventRecordID>\d+</, `<EventRecordID>${n}<`).replace(/whoami \/all/g, `whoami /all #${n}`),
    },
  };
  console.log(`Vigie collector readers, ${MB} MB per shape, node ${process.version}, ${new Date().toISOString()}, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  for (const s of SHAPES) {
    const g = gens[s];
    if (!g) { console.log(`unknown shape ${s}`); continue; }
    await run(g);
  }
  console.log(`peak RSS of the whole run (getrusage maxrss): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  if (!KEEP) rmSync(dir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
