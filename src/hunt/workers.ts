/**
 * `vigie hunt --threads N`: the input FILES are shared between the main thread and N-1 worker threads.
 *
 * Every thread loads and compiles the rules itself (compiled matchers cannot be sent between threads) and runs a
 * HuntMatcher over the files it is given, file by file. A worker's matcher runs the detection rules only: rules
 * that feed a correlation are reported like printable ones and no correlation runs there. For each file a worker
 * sends back, in event order, the detections of each event — or, for an event that matched a rule feeding a
 * correlation, the event itself (as read, before transforms). The main thread takes the files' results strictly in
 * input order and replays them: detections are appended, forwarded events go through the main thread's own
 * HuntMatcher (full matching and the correlation engine). So the correlation engine sees the events of ALL files in
 * the same order as with one thread, and the timeline, the summary (files, records, errors) and the exit code are
 * the same as `--threads 1`.
 *
 * A worker that fails (cannot load the rules, crashes) is dropped; the file it was reading is read again by the
 * main thread. Standard input ("-") and a single file are read without workers.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { existsSync, statSync } from 'node:fs';
import type { VigieEvent } from '../event.js';
import { expandInputs, readFileBatches, ReadContext } from '../sources/index.js';
import type { InputError } from '../sources/types.js';
import type { Detection, HuntOptions, HuntResult } from './index.js';
import { HuntMatcher, prepareHunt, runHunt, sortTimeline, summarize, type PreparedHunt } from './run.js';

/** Most threads `--threads` accepts. */
export const MAX_THREADS = 64;
/** Most threads "auto" chooses: each thread holds its own compiled rules (~200 MiB for all SigmaHQ rules). */
export const AUTO_MAX_THREADS = 8;
/** "auto" adds a thread per this much input (EVTX reads at roughly 10–20 MB/s per core; a rule load is 1–4 s). */
export const AUTO_BYTES_PER_THREAD = 256 * 1024 * 1024;

/** Per event of a file, in order: its detections, or the event itself when it feeds a correlation. */
type Item = { d: Detection[] } | { ev: VigieEvent };

/** What reading one file produced, as the main thread replays it. */
interface FileResult {
  items: Item[];
  files: number;
  records: number;
  skipped: number;
  errorCount: number;
  /** error details in order (at most ReadContext.maxErrorDetails) */
  errors: InputError[];
  unsupported: string[];
  formats: [string, number][];
  recordsByFormat: [string, number][];
  outOfRange: number;
}

/** Options a worker needs (no functions: they cannot cross threads). */
type WorkerOptions = Omit<HuntOptions, 'onProgress'>;

const MATCH_ERROR = /^rule ".*" failed on this record: /s;
/** Match errors HuntMatcher reports per run (it stays quiet after that many). */
const MAX_MATCH_ERRORS = 20;

const ruleKey = (file: string | undefined, title: string, id: string | undefined) => `${file ?? ''}\u0000${title}\u0000${id ?? ''}`;

/**
 * The matcher side of a thread: the prepared hunt seen with correlations off and the rules that feed one made
 * printable (so a match shows as a detection), plus the keys that tell those detections apart.
 * Undefined when a feeding rule cannot be told apart from another rule by file, title and id.
 */
function detectionView(p: PreparedHunt): { view: PreparedHunt; feeding: Set<string> } | undefined {
  const feeding = new Set<string>();
  const others = new Set<string>();
  p.compiled.forEach((c, i) => (p.feedKey[i] !== undefined ? feeding : others).add(ruleKey(c.rule.file, c.rule.title, c.rule.id)));
  for (const k of feeding) if (others.has(k)) return undefined;
  const view: PreparedHunt = {
    ...p,
    printable: p.printable.map((x, i) => x || p.feedKey[i] !== undefined),
    engine: undefined,
    newEngine: () => undefined,
  };
  return { view, feeding };
}

/** Read and match one file with a detection-only matcher (see detectionView). */
async function matchFile(path: string, opts: WorkerOptions, matcher: HuntMatcher, feeding: Set<string>, forward: boolean): Promise<FileResult> {
  const ctx = new ReadContext();
  const recordsByFormat = new Map<string, number>();
  let outOfRange = 0;
  const items: Item[] = [];
  const dets = matcher.detections;
  // the matcher reports its errors through the context of the file being read
  current = ctx;
  for await (const batch of readFileBatches(path, ctx, { format: opts.inputFormat })) {
    for (const ev of batch) {
      const fmt = ev.origin.format;
      recordsByFormat.set(fmt, (recordsByFormat.get(fmt) ?? 0) + 1);
      if (ev.time !== undefined && ((opts.from !== undefined && ev.time < opts.from) || (opts.to !== undefined && ev.time > opts.to))) {
        outOfRange++;
        continue;
      }
      const before = dets.length;
      matcher.event(ev);
      if (dets.length === before) continue;
      const found = dets.splice(before);
      // the event as the transforms left it: the main thread matches it again without transforming it twice
      if (forward && found.some((d) => feeding.has(ruleKey(d.ruleFile, d.ruleTitle, d.ruleId)))) items.push({ ev });
      else items.push({ d: found });
    }
  }
  current = undefined;
  return {
    items, files: ctx.files, records: ctx.records, skipped: ctx.skipped, errorCount: ctx.errorCount, errors: ctx.errors,
    unsupported: ctx.unsupported, formats: [...ctx.formats], recordsByFormat: [...recordsByFormat], outOfRange,
  };
}
let current: ReadContext | undefined;
const reportError = (e: { file: string; offset?: number; message: string }) => current?.error(e);

/**
 * A worker running this module. From TypeScript sources (tests, `tsx`), the worker registers tsx itself: loader
 * hooks of the main thread do not reach workers.
 */
function spawn(data: unknown): Worker {
  const self = new URL(import.meta.url);
  if (!self.pathname.endsWith('.ts')) return new Worker(self, { workerData: data });
  const api = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(self.href)}); });`;
  return new Worker(code, { eval: true, workerData: data });
}

interface Slot {
  worker: Worker;
  /** settles when the worker has its rules ready, or has failed */
  settled: Promise<void>;
  ready: boolean;
  dead: boolean;
  /** index of the file it is reading */
  busy?: number;
  /** message handler of the run */
  on?: (m: WorkerMessage) => void;
}

type WorkerMessage = { type: 'ready' | 'failed' | 'lost'; message?: string } | { type: 'result'; index: number; result: FileResult };

/**
 * A hunt over several threads. `start` lists the input files and starts the workers at once (each begins loading
 * the rules), so the main thread can prepare its own rules meanwhile; `run` hunts; `close` stops the workers
 * (`run` does it when done).
 */
export class HuntPool {
  private slots: Slot[] = [];
  /** files read by the workers and by the main thread; workers that failed (their file was read again here) */
  readonly stats = { workerFiles: 0, mainFiles: 0, failedWorkers: 0 };
  private constructor(
    private readonly opts: HuntOptions,
    private readonly listing: ({ file: string } | { error: InputError })[],
    private readonly missing: string[],
    private readonly stdin: boolean,
  ) {}

  /** Number of threads the pool uses (1 = the main thread alone). */
  get threads(): number {
    return this.slots.length + 1;
  }

  static async start(opts: HuntOptions, threads: number | 'auto'): Promise<HuntPool> {
    const missing = opts.inputs.filter((i) => i !== '-' && !existsSync(i));
    const inputs = opts.inputs.filter((i) => !missing.includes(i));
    const stdin = inputs.includes('-');
    // the list of files, with the errors met while listing folders at their place
    const listing: ({ file: string } | { error: InputError })[] = [];
    const listCtx = new ReadContext((e) => listing.push({ error: e }));
    if (!stdin) for await (const f of expandInputs(inputs, listCtx)) listing.push({ file: f });
    const pool = new HuntPool(opts, listing, missing, stdin);
    const nFiles = listing.filter((x) => 'file' in x).length;
    let wanted = stdin ? 1 : Math.min(threads === 'auto' ? Math.min(availableParallelism(), AUTO_MAX_THREADS) : threads, nFiles, MAX_THREADS);
    if (threads === 'auto' && wanted > 1) {
      // an extra thread costs a rule load: worth it only for an input of AUTO_BYTES_PER_THREAD or more per thread
      let bytes = 0;
      for (const x of listing) if ('file' in x) try { bytes += statSync(x.file).size; } catch { /* counted when read */ }
      wanted = Math.max(1, Math.min(wanted, Math.floor(bytes / AUTO_BYTES_PER_THREAD)));
    }
    const { onProgress: _, ...workerOpts } = opts;
    for (let k = 1; k < wanted; k++) {
      try {
        const worker = spawn({ vigieHuntWorker: true, opts: workerOpts });
        let settle!: () => void;
        const s: Slot = { worker, ready: false, dead: false, settled: new Promise<void>((res) => { settle = res; }) };
        // until run() installs its handlers (s.on), a worker that fails early is only marked
        const lost = () => {
          settle();
          if (s.on) s.on({ type: 'lost' });
          else s.dead = true;
        };
        worker.on('error', lost);
        worker.on('exit', lost);
        worker.on('message', (m: WorkerMessage) => {
          settle();
          if (s.on) s.on(m);
          else if (m.type === 'ready') s.ready = true;
          else if (m.type === 'failed') s.dead = true;
        });
        pool.slots.push(s);
      } catch {
        break; // no worker: the main thread reads everything
      }
    }
    return pool;
  }

  /** Resolves when every worker has loaded its rules (or failed). Not needed before run(): files go to whoever is free. */
  async whenReady(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.settled));
  }

  close(): void {
    for (const s of this.slots) {
      s.dead = true;
      void s.worker.terminate();
    }
  }

  async run(p: PreparedHunt): Promise<HuntResult> {
    const dv = detectionView(p);
    if (this.stdin || this.slots.length === 0 || !dv) {
      this.close();
      return runHunt(this.opts, p);
    }
    try {
      return await this.hunt(p, dv);
    } finally {
      this.close();
    }
  }

  private async hunt(p: PreparedHunt, dv: { view: PreparedHunt; feeding: Set<string> }): Promise<HuntResult> {
    const started = Date.now(); // as runHunt: the run, not the rule loading
    const { opts, listing, missing } = this;
    const { onProgress, ...workerOpts } = opts;
    const files = listing.flatMap((x, i) => ('file' in x ? [i] : []));
    const forward = p.feedKey.some((k) => k !== undefined);
    const ctx = new ReadContext();
    const recordsByFormat = new Map<string, number>();
    let outOfRange = 0;
    let matchErrors = 0;
    const main = new HuntMatcher(p, {
      prefilter: opts.prefilter,
      onError: (e) => {
        if (MATCH_ERROR.test(e.message) && ++matchErrors > MAX_MATCH_ERRORS) return;
        ctx.error(e);
      },
    });
    const local = new HuntMatcher(dv.view, { prefilter: opts.prefilter, onError: reportError });

    // results by listing position; committed strictly in order
    const results = new Map<number, FileResult>();
    let committed = 0;
    let filesDone = 0;
    const progress = (file?: string) => onProgress?.({ file, files: filesDone, totalFiles: files.length, records: ctx.records, detections: main.detections.length });
    const commit = () => {
      while (committed < listing.length) {
        const x = listing[committed]!;
        if ('error' in x) {
          ctx.error(x.error);
          committed++;
          continue;
        }
        const r = results.get(committed);
        if (!r) return;
        results.delete(committed);
        committed++;
        filesDone++;
        ctx.files += r.files;
        ctx.records += r.records;
        for (const [f, n] of r.formats) ctx.formats.set(f, (ctx.formats.get(f) ?? 0) + n);
        for (const [f, n] of r.recordsByFormat) recordsByFormat.set(f, (recordsByFormat.get(f) ?? 0) + n);
        ctx.unsupported.push(...r.unsupported);
        outOfRange += r.outOfRange;
        // errors: replayed in order (match errors under the run-wide limit), the uncounted rest added to the counts
        let skipped = r.skipped;
        for (const e of r.errors) {
          skipped--;
          if (MATCH_ERROR.test(e.message) && ++matchErrors > MAX_MATCH_ERRORS) continue;
          ctx.error(e);
        }
        ctx.skipped += skipped;
        ctx.errorCount += r.errorCount - r.errors.length;
        for (const it of r.items) {
          if ('d' in it) for (const d of it.d) main.detections.push(d);
          else main.event(it.ev, true);
        }
        progress(x.file);
      }
    };

    let next = 0; // position in `files` of the next file to hand out
    const retry: number[] = []; // files a failed worker was reading: read again here
    const take = (): number | undefined => (retry.length ? retry.shift() : next < files.length ? files[next++] : undefined);
    let wake: (() => void) | undefined;
    const poke = () => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    const give = (s: Slot) => {
      if (s.dead) return;
      const i = take();
      if (i === undefined) return;
      s.busy = i;
      s.worker.postMessage({ type: 'file', index: i, path: (listing[i] as { file: string }).file });
    };
    const drop = (s: Slot) => {
      if (s.dead) return;
      this.stats.failedWorkers++;
      if (s.busy !== undefined) retry.push(s.busy);
      s.busy = undefined;
      s.dead = true;
      void s.worker.terminate();
      poke();
    };
    for (const s of this.slots) {
      s.on = (m: WorkerMessage) => {
        if (s.dead) return;
        if (m.type === 'ready') {
          s.ready = true;
          give(s);
        } else if (m.type === 'result') {
          results.set(m.index, m.result);
          this.stats.workerFiles++;
          s.busy = undefined;
          commit();
          give(s);
          poke();
        } else if (m.type === 'failed' || m.type === 'lost') drop(s);
      };
      if (s.dead) {
        s.dead = false;
        drop(s);
      } else if (s.ready) give(s);
    }

    progress();
    // the main thread reads files too, and takes the workers' results in between
    for (;;) {
      commit();
      const i = take();
      if (i !== undefined) {
        results.set(i, await matchFile((listing[i] as { file: string }).file, workerOpts, local, dv.feeding, forward));
        this.stats.mainFiles++;
        // let the workers' messages in (reading a small file may never leave the microtask queue)
        await new Promise<void>((res) => setImmediate(res));
        continue;
      }
      if (committed >= listing.length) break;
      // nothing left to hand out: wait for a worker's result (or failure: its file comes back through `retry`)
      await new Promise<void>((res) => {
        wake = res;
        if (retry.length || this.slots.every((s) => s.dead || s.busy === undefined)) poke();
      });
    }
    main.finish();
    progress();
    const timeline = sortTimeline(main.detections);
    const summary = summarize(timeline, ctx, recordsByFormat, p, missing, outOfRange, Date.now() - started);
    summary.correlation = main.engine?.stats();
    return { detections: timeline, summary };
  }
}

/**
 * Hunt with `threads` threads (the main thread and threads-1 workers); the same result as runHunt.
 * Without `prepared`, the main thread prepares its rules while the workers prepare theirs.
 */
export async function runHuntThreaded(opts: HuntOptions, threads: number | 'auto', prepared?: PreparedHunt): Promise<HuntResult> {
  const pool = await HuntPool.start(opts, threads);
  try {
    return await pool.run(prepared ?? (await prepareHunt(opts)));
  } finally {
    pool.close();
  }
}

/** Worker side: prepare the rules, then read the files the main thread sends, one at a time. */
async function workerMain(): Promise<void> {
  const port = parentPort!;
  const opts = (workerData as { opts: WorkerOptions }).opts;
  let matcher: HuntMatcher;
  let feeding: Set<string>;
  let forward: boolean;
  try {
    const p = await prepareHunt(opts);
    const dv = detectionView(p);
    if (!dv) throw new Error('rules feeding correlations cannot be told apart');
    matcher = new HuntMatcher(dv.view, { prefilter: opts.prefilter, onError: reportError });
    feeding = dv.feeding;
    forward = p.feedKey.some((k) => k !== undefined);
  } catch (e) {
    port.postMessage({ type: 'failed', message: (e as Error).message });
    return;
  }
  port.on('message', (m: { type: string; index: number; path: string }) => {
    if (m.type !== 'file') return;
    matchFile(m.path, opts, matcher, feeding, forward).then(
      (result) => port.postMessage({ type: 'result', index: m.index, result }),
      (e) => port.postMessage({ type: 'failed', message: (e as Error).message }),
    );
  });
  port.postMessage({ type: 'ready' });
}

if (!isMainThread && (workerData as { vigieHuntWorker?: boolean } | null)?.vigieHuntWorker) void workerMain();
