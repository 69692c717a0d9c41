/**
 * Accuracy and speed of `vigie scan` against SpamAssassin and Rspamd on the shared corpora, in one run.
 *
 *   node --import tsx bench/scan.ts [--mail DIR] [--no-sa] [--no-rspamd] [--sa-limit N] [--dev-details]
 *
 * Corpora: DIR/phishing, DIR/ham (and DIR/spam as an extra check), default ../shared/mail. Each corpus is split in
 * name order: files at even positions are the development half (the only one looked at when tuning scores),
 * files at odd positions the held-out half. Figures are printed for both; the held-out one is what counts.
 * "Flagged" = Vigie verdict suspicious or worse; SpamAssassin is_spam at its default threshold 5 (-L, Bayes off);
 * Rspamd action other than "no action" (network modules off, on loopback). No receiver is trusted.
 * Reference tools run through ../shared/anchors/mail-anchors.sh (install + start it first; skipped if absent).
 * --dev-only reads, scans and prints the development half ONLY (the held-out files are never opened), per fold:
 * fold 1 = even positions inside the development half, fold 2 = odd ones (design on one fold, check on the other).
 * It skips SpamAssassin and Rspamd unless --with-ref is given (they then run on the development half only).
 * --dump FILE (with --dev-only) writes one JSON line per development message: verdict, score, symbols.
 * --dev-details (implies --dev-only) also prints phishing missed and ham flagged with their symbols, and how often
 * each symbol fires on each corpus; --fold 1|2 restricts those lists and the symbol table to one fold.
 */
import { readdirSync, readFileSync, writeFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { parseMessage } from '../src/mail/message.js';
import { scanMessage, type ScanResult } from '../src/mail/scan.js';
import { defaultConfig } from '../src/mail/config.js';
import { packageRoot } from '../src/hunt/paths.js';

const ROOT = packageRoot();
const args = process.argv.slice(2);
const flag = (n: string) => args.includes(n);
const val = (n: string): string | undefined => { const i = args.indexOf(n); return i >= 0 ? args[i + 1] : undefined; };
const MAIL = resolve(val('--mail') ?? join(ROOT, '..', 'shared', 'mail'));
const ANCHORS = resolve(join(MAIL, '..', 'anchors', 'mail-anchors.sh'));
const CORPORA = ['phishing', 'ham', 'spam'] as const;
type Corpus = (typeof CORPORA)[number];

interface Item { path: string; corpus: Corpus; dev: boolean; fold: 0 | 1 | 2 }

function listCorpus(c: Corpus): Item[] {
  const dir = join(MAIL, c);
  if (!existsSync(dir)) return [];
  // fold: inside the development half, even positions are fold 1, odd ones fold 2 (0 for held-out files)
  return readdirSync(dir).sort().map((f, i) => ({ path: join(dir, f), corpus: c, dev: i % 2 === 0, fold: i % 2 === 0 ? ((i / 2) % 2 === 0 ? 1 : 2) : 0 }));
}
const DEV_ONLY = flag('--dev-only') || flag('--dev-details');

let cpuByCorpus = '';
let vigieCpuNote = '';
let rspamdCpuNote = '';

interface ToolRun { name: string; flagged: Map<string, boolean>; seconds: number; count: number; note?: string }

async function runVigie(items: Item[]): Promise<{ run: ToolRun; results: Map<string, ScanResult> }> {
  const config = defaultConfig(); // no own domains, no trusted receiver, offline
  const flagged = new Map<string, boolean>();
  const results = new Map<string, ScanResult>();
  // warm-up (module initialisation, JIT) on a few messages, not timed
  for (const it of items.slice(0, 20)) await scanMessage(await parseMessage(readFileSync(it.path), { file: it.path }), { config });
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const perCorpus = new Map<Corpus, { cpu: number; n: number }>();
  for (const it of items) {
    const ci = process.cpuUsage();
    const raw = readFileSync(it.path);
    const view = await parseMessage(raw, { file: it.path });
    const r = await scanMessage(view, { config });
    flagged.set(it.path, r.verdict !== 'clean');
    results.set(it.path, r);
    const d = process.cpuUsage(ci);
    const e = perCorpus.get(it.corpus) ?? { cpu: 0, n: 0 };
    e.cpu += (d.user + d.system) / 1e6;
    e.n++;
    perCorpus.set(it.corpus, e);
  }
  cpuByCorpus = [...perCorpus].map(([c, e]) => `${c} ${(e.n / e.cpu).toFixed(0)}/s`).join(', ');
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cu = process.cpuUsage(c0);
  const cpu = (cu.user + cu.system) / 1e6;
  return { run: { name: 'Vigie (offline)', flagged, seconds, count: items.length, note: `CPU ${(items.length / cpu).toFixed(0)} messages/s of one core; wall rate depends on machine load` }, results };
}

function anchor(cmd: string, list: string, out: string): { ok: boolean; seconds: number; err: string } {
  const t0 = Date.now();
  const r = spawnSync('bash', [ANCHORS, cmd, list, out], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return { ok: r.status === 0, seconds: (Date.now() - t0) / 1000, err: (r.stderr ?? '').slice(-400) };
}

function runSa(items: Item[], tmp: string): ToolRun {
  const list = join(tmp, 'sa.list');
  const out = join(tmp, 'sa.tsv');
  writeFileSync(list, items.map((i) => i.path).join('\n') + '\n');
  const r = anchor('sa', list, out);
  const flagged = new Map<string, boolean>();
  if (existsSync(out)) {
    for (const line of readFileSync(out, 'utf8').split('\n')) {
      const p = line.split('\t');
      if (p.length >= 3) flagged.set(p[0], p[2] === '1');
    }
  }
  // sa_batch.pl prints its own rate excluding start-up: prefer it
  const m = /= ([\d.]+) msg\/s/.exec(r.err);
  const seconds = m ? flagged.size / Number(m[1]) : r.seconds;
  return { name: 'SpamAssassin -L', flagged, seconds, count: flagged.size, note: r.ok ? undefined : `failed: ${r.err}` };
}

/** CPU seconds used so far by every process whose name starts with `name` (Linux /proc; 0 elsewhere). */
function procCpu(name: string): number {
  try {
    const tick = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
    let total = 0;
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      let stat: string;
      try { stat = readFileSync(`/proc/${pid}/stat`, 'utf8'); } catch { continue; }
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      if (!comm.startsWith(name)) continue;
      const f = stat.slice(close + 2).split(' ');
      total += (Number(f[11]) + Number(f[12])) / tick; // utime, stime
    }
    return total;
  } catch {
    return 0;
  }
}

function runRspamd(items: Item[], tmp: string): ToolRun {
  const list = join(tmp, 'rspamd.list');
  const out = join(tmp, 'rspamd.jsonl');
  writeFileSync(list, items.map((i) => i.path).join('\n') + '\n');
  const cpu0 = procCpu('rspamd');
  const r = anchor('rspamd', list, out);
  const cpu = procCpu('rspamd') - cpu0;
  const flagged = new Map<string, boolean>();
  if (existsSync(out)) {
    // one JSON object per input line, in input order
    const lines = readFileSync(out, 'utf8').split('\n').filter((l) => l.startsWith('{'));
    lines.forEach((l, i) => {
      try {
        const j = JSON.parse(l) as { action?: string };
        if (items[i]) flagged.set(items[i].path, (j.action ?? 'no action') !== 'no action');
      } catch { /* skip */ }
    });
  }
  const note = r.ok ? (cpu > 0 ? `CPU ${(flagged.size / cpu).toFixed(0)} messages/s of the rspamd processes` : undefined) : `failed: ${r.err}`;
  return { name: 'Rspamd 3 (offline)', flagged, seconds: r.seconds, count: flagged.size, note };
}

function share(run: ToolRun, items: Item[], corpus: Corpus, half: 'dev' | 'held' | 'all'): string {
  const sel = items.filter((i) => i.corpus === corpus && (half === 'all' || (half === 'dev') === i.dev) && run.flagged.has(i.path));
  if (!sel.length) return '—';
  const n = sel.filter((i) => run.flagged.get(i.path)).length;
  return `${((100 * n) / sel.length).toFixed(1)}% (${n}/${sel.length})`;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

async function main(): Promise<void> {
  // --dev-only: the held-out half is dropped before any file is read
  const items = CORPORA.flatMap(listCorpus).filter((i) => !DEV_ONLY || i.dev);
  if (!items.some((i) => i.corpus === 'phishing') || !items.some((i) => i.corpus === 'ham')) {
    console.error(`corpora not found under ${MAIL} (expected phishing/ and ham/)`);
    process.exit(66);
  }
  const tmp = mkdtempSync(join(tmpdir(), 'vigie-bench-'));
  const runs: ToolRun[] = [];
  const { run: vigie, results } = await runVigie(items);
  runs.push(vigie);
  const haveAnchors = existsSync(ANCHORS) && (!DEV_ONLY || flag('--with-ref'));
  if (!flag('--no-rspamd') && haveAnchors) runs.push(runRspamd(items.filter((i) => i.corpus !== 'spam' || !flag('--no-spam-ref')), tmp));
  if (!flag('--no-sa') && haveAnchors) {
    const lim = Number(val('--sa-limit') ?? 0);
    // a deterministic sample per corpus and half when limited (SpamAssassin scans ~10 messages/s)
    const pick = lim > 0 ? CORPORA.flatMap((c) => {
      const sel = items.filter((i) => i.corpus === c);
      const step = Math.max(1, Math.floor(sel.length / lim));
      return sel.filter((_, k) => k % step === 0).slice(0, lim);
    }) : items;
    runs.push(runSa(pick, tmp));
  }
  rmSync(tmp, { recursive: true, force: true });
  if (DEV_ONLY) return devReport(items, runs, results);

  const counts = CORPORA.map((c) => `${c} ${items.filter((i) => i.corpus === c).length}`).join(', ');
  console.log(`Corpora (${MAIL}): ${counts}. Development half = even positions in name order, held-out = odd.`);
  console.log('Flagged = suspicious or worse (Vigie), is_spam at 5 (SpamAssassin), any action (Rspamd).\n');
  const cols = ['tool', 'phishing held-out', 'phishing dev', 'ham held-out', 'ham dev', 'spam (all)', 'messages/s'];
  const w = [20, 22, 22, 20, 20, 20, 11];
  console.log(cols.map((c, i) => pad(c, w[i])).join(' '));
  for (const r of runs) {
    const rate = r.count && r.seconds > 0 ? (r.count / r.seconds).toFixed(0) : '—';
    const row = [r.name, share(r, items, 'phishing', 'held'), share(r, items, 'phishing', 'dev'), share(r, items, 'ham', 'held'),
      share(r, items, 'ham', 'dev'), share(r, items, 'spam', 'all'), rate];
    console.log(row.map((c, i) => pad(c, w[i])).join(' ') + (r.note ? `  (${r.note.trim().split('\n').pop()})` : ''));
    if (r.name.startsWith('Vigie')) vigieCpuNote = r.note ?? '';
    if (r.name.startsWith('Rspamd')) rspamdCpuNote = r.note ?? '';
  }
  const rsp = runs.find((r) => r.name.startsWith('Rspamd'));
  if (rsp && rsp.count && vigie.seconds > 0) {
    const ratio = (vigie.count / vigie.seconds) / (rsp.count / rsp.seconds);
    console.log(`\nVigie speed vs Rspamd, wall clock: ×${ratio.toFixed(2)} (Vigie in one process on one core; Rspamd through rspamc, one message at a time)`);
    const vc = /CPU (\d+)/.exec(vigieCpuNote);
    const rc = /CPU (\d+)/.exec(rspamdCpuNote);
    if (vc && rc) console.log(`Vigie speed vs Rspamd, CPU time (fair on a loaded machine): ×${(Number(vc[1]) / Number(rc[1])).toFixed(2)}`);
  }
  console.log(`Vigie CPU rate by corpus (one core): ${cpuByCorpus}`);
  const held = (c: Corpus) => items.filter((i) => i.corpus === c && !i.dev);
  const rate = (c: Corpus) => held(c).filter((i) => vigie.flagged.get(i.path)).length / Math.max(1, held(c).length);
  console.log(`Targets (held-out): phishing flagged ≥ 90% → ${(100 * rate('phishing')).toFixed(1)}%, ham flagged ≤ 1% → ${(100 * rate('ham')).toFixed(2)}%, ≥ 500 messages/s → ${(vigie.count / vigie.seconds).toFixed(0)}`);
  const byVerdict = new Map<string, number>();
  for (const it of items) { const r = results.get(it.path)!; const k = `${it.corpus}:${r.verdict}`; byVerdict.set(k, (byVerdict.get(k) ?? 0) + 1); }
  console.log('Vigie verdicts: ' + CORPORA.map((c) => `${c} ` + ['clean', 'suspicious', 'phishing', 'malicious'].map((v) => `${v} ${byVerdict.get(`${c}:${v}`) ?? 0}`).join('/')).join('; '));

}

/** Development-half figures only (items hold no held-out file), overall and per fold. */
function devReport(items: Item[], runs: ToolRun[], results: Map<string, ScanResult>): void {
  const vigie = runs[0];
  const counts = CORPORA.map((c) => `${c} ${items.filter((i) => i.corpus === c).length}`).join(', ');
  console.log(`DEVELOPMENT HALF ONLY (${MAIL}): ${counts}. Fold 1 = even positions inside the half, fold 2 = odd.`);
  console.log('Flagged = suspicious or worse (Vigie), is_spam at 5 (SpamAssassin), any action (Rspamd).\n');
  const part = (r: ToolRun, c: Corpus, fold: 0 | 1 | 2): string => {
    const sel = items.filter((i) => i.corpus === c && (fold === 0 || i.fold === fold) && r.flagged.has(i.path));
    if (!sel.length) return '—';
    const n = sel.filter((i) => r.flagged.get(i.path)).length;
    return `${((100 * n) / sel.length).toFixed(1)}% (${n}/${sel.length})`;
  };
  const cols = ['tool', 'phishing dev', 'phish fold1', 'phish fold2', 'ham dev', 'ham fold1', 'ham fold2', 'spam dev', 'msg/s'];
  const w = [20, 20, 19, 19, 18, 16, 16, 19, 6];
  console.log(cols.map((c, i) => pad(c, w[i])).join(' '));
  for (const r of runs) {
    const rate = r.count && r.seconds > 0 ? (r.count / r.seconds).toFixed(0) : '—';
    const row = [r.name, part(r, 'phishing', 0), part(r, 'phishing', 1), part(r, 'phishing', 2), part(r, 'ham', 0), part(r, 'ham', 1), part(r, 'ham', 2), part(r, 'spam', 0), rate];
    console.log(row.map((c, i) => pad(c, w[i])).join(' ') + (r.note ? `  (${r.note.trim().split('\n').pop()})` : ''));
  }
  const dump = val('--dump');
  if (dump) {
    // development half only: one JSON line per message (file, corpus, fold, verdict, score, symbols)
    writeFileSync(dump, items.map((it) => {
      const r = results.get(it.path)!;
      const syms: Array<[string, number]> = [];
      const walk = (x: ScanResult) => { for (const s of x.symbols) syms.push([s.symbol, s.score]); x.attached.forEach(walk); };
      walk(r);
      return JSON.stringify({ file: it.path, corpus: it.corpus, fold: it.fold, verdict: r.verdict, score: r.score, subject: r.subject.slice(0, 80), symbols: syms });
    }).join('\n') + '\n');
  }
  if (flag('--dev-details')) {
    const f = Number(val('--fold') ?? 0);
    const dev = items.filter((i) => i.dev && (f !== 1 && f !== 2 || i.fold === f));
    if (f === 1 || f === 2) console.log(`\n(details restricted to fold ${f})`);
    console.log('\n== development half only ==');
    const sym = new Map<string, Record<Corpus, number>>();
    for (const it of dev) {
      const seen = new Set<string>();
      const walk = (r: ScanResult) => { for (const s of r.symbols) seen.add(s.symbol); r.attached.forEach(walk); };
      walk(results.get(it.path)!);
      for (const s of seen) { const e = sym.get(s) ?? { phishing: 0, ham: 0, spam: 0 }; e[it.corpus]++; sym.set(s, e); }
    }
    const nd = (c: Corpus) => dev.filter((i) => i.corpus === c).length;
    console.log('symbol                          phishing%   ham%   spam%');
    for (const [s, e] of [...sym].sort((a, b) => b[1].phishing - a[1].phishing)) {
      console.log(`${pad(s, 30)} ${pad(((100 * e.phishing) / nd('phishing')).toFixed(1), 10)} ${pad(((100 * e.ham) / nd('ham')).toFixed(2), 6)} ${((100 * e.spam) / nd('spam')).toFixed(1)}`);
    }
    console.log('\nthreshold sweep (dev half): suspicious threshold → phishing flagged / ham flagged / spam flagged');
    for (const t of [2, 2.5, 3, 3.5, 4, 4.5, 5, 6]) {
      const f = (c: Corpus) => { const sel = dev.filter((i) => i.corpus === c); return (100 * sel.filter((i) => results.get(i.path)!.score >= t || results.get(i.path)!.verdict === 'malicious').length / Math.max(1, sel.length)).toFixed(1) + '%'; };
      console.log(`  ${pad(String(t), 5)} ${pad(f('phishing'), 8)} ${pad(f('ham'), 8)} ${f('spam')}`);
    }
    const show = (it: Item) => {
      const r = results.get(it.path)!;
      const syms = r.symbols.filter((s) => s.score !== 0).map((s) => `${s.symbol}(${s.score})`).join(' ');
      console.log(`${it.path.split('/').pop()} ${r.verdict} ${r.score} | ${r.subject.slice(0, 60)} | ${syms}`);
    };
    const lim = Number(val('--details-limit') ?? 60);
    const near = Number(val('--near') ?? 0);
    console.log(`\n-- ham flagged (dev)${near ? `, or within ${near} of the threshold` : ''} --`);
    const th = defaultConfig().settings.thresholds.suspicious - near;
    dev.filter((i) => i.corpus === 'ham' && (vigie.flagged.get(i.path) || results.get(i.path)!.score >= th)).slice(0, lim).forEach(show);
    console.log('\n-- phishing missed (dev) --');
    dev.filter((i) => i.corpus === 'phishing' && !vigie.flagged.get(i.path)).slice(0, lim).forEach(show);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(70);
});
