/** `vigie scan <inputs…>`: analyse messages (.eml, .msg, mbox, Maildir, folders, stdin) for phishing and malware. */
import { Option, type Command } from 'commander';
import type cliProgressType from 'cli-progress';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { createSink, safeText, writeOut, type Column } from '../sinks/index.js';
import { ReadContext } from '../sources/types.js';
import { readMessages } from '../mail/inputs.js';
import { expandInputs } from '../sources/index.js';
import { parseMessage } from '../mail/message.js';
import { scanMessage, type ScanResult } from '../mail/scan.js';
import { ConfigError, EXAMPLE_CONFIG, checkThresholds, loadConfig, type ScanConfig } from '../mail/config.js';
import { serverResolver, type Resolver } from '../mail/auth.js';
import { VERDICTS, verdictRank } from '../mail/verdict.js';
import type { Verdict } from '../mail/types.js';
import { CliError, EXIT } from './exit-codes.js';
import type { SetExit } from './main.js';

export const SCAN_OUTPUTS = ['report', 'json', 'jsonl', 'csv'] as const;
type ScanOutput = (typeof SCAN_OUTPUTS)[number];

interface ScanCliOptions {
  output: ScanOutput;
  config?: string;
  online?: boolean;
  thresholds?: string;
  onlyFlagged?: boolean;
  summary: boolean;
  progress: boolean;
  printConfig?: boolean;
}

const CSV_COLUMNS: Column[] = [
  { key: 'file' }, { key: 'offset' }, { key: 'nested_in' }, { key: 'verdict' }, { key: 'score' }, { key: 'from' },
  { key: 'subject' }, { key: 'symbols' }, { key: 'urls' }, { key: 'domains' }, { key: 'ips' }, { key: 'sha256' },
];

/** One CSV row per message, attached messages as their own rows (nested_in says where they were). */
function csvRows(r: ScanResult, out: object[] = []): object[] {
  out.push({
    file: r.file, offset: r.offset ?? '', nested_in: (r.nested_in ?? []).join(' > '), verdict: r.verdict, score: r.score,
    from: r.from, subject: r.subject, symbols: r.symbols.map((s) => `${s.symbol}(${s.score})`).join(' '),
    urls: r.indicators.urls.join(' '), domains: r.indicators.domains.join(' '), ips: r.indicators.ips.join(' '),
    sha256: r.indicators.hashes.map((h) => h.sha256).join(' '),
  });
  for (const a of r.attached) csvRows(a, out);
  return out;
}

const VERDICT_LABEL: Record<Verdict, string> = { clean: 'CLEAN', suspicious: 'SUSPICIOUS', phishing: 'PHISHING', malicious: 'MALICIOUS' };

function fmtScore(n: number): string {
  const s = (Math.round(n * 10) / 10).toFixed(1);
  return n >= 0 ? '+' + s : s;
}

/** Readable report block for one message (attacker text is made terminal-safe). */
export function reportText(r: ScanResult, indent = ''): string {
  const t = (s: string, max = 200) => { const x = safeText(s); return x.length > max ? x.slice(0, max - 1) + '…' : x; };
  const where = r.nested_in?.length ? `attached ${t(r.nested_in.join(' > '))}` : `${t(r.file)}${r.offset !== undefined ? ` @${r.offset}` : ''}`;
  const lines: string[] = [];
  lines.push(`${indent}${where}  ${VERDICT_LABEL[r.verdict]}  score ${Math.round(r.score * 10) / 10}`);
  lines.push(`${indent}  From: ${t(r.from) || '(none)'}`);
  lines.push(`${indent}  Subject: ${t(r.subject) || '(none)'}`);
  if (r.auth) lines.push(`${indent}  Auth: ${t(r.auth)}`);
  for (const s of r.symbols) {
    lines.push(`${indent}  ${fmtScore(s.score).padStart(6)}  ${s.symbol.padEnd(28)} ${t(s.reason, 300)}`);
  }
  const ind = r.indicators;
  const list = (name: string, xs: string[]) => { if (xs.length) lines.push(`${indent}  ${name}: ${xs.slice(0, 20).map((x) => t(x, 150)).join('  ')}${xs.length > 20 ? `  (+${xs.length - 20} more)` : ''}`); };
  list('URLs', ind.urls);
  list('Domains', ind.domains);
  list('IPs', ind.ips);
  list('SHA-256', ind.hashes.map((h) => `${h.sha256} ${h.filename || '(no name)'}`));
  for (const p of r.problems.slice(0, 5)) lines.push(`${indent}  note: ${t(p)}`);
  for (const a of r.attached) lines.push(reportText(a, indent + '    ').trimEnd());
  return lines.join('\n') + '\n';
}

export interface ScanSummary {
  messages: number;
  byVerdict: Record<Verdict, number>;
  symbols: Map<string, number>;
  seconds: number;
  errors: number;
  unsupported: number;
}

export function summaryText(s: ScanSummary): string {
  const rate = s.seconds > 0 ? Math.round(s.messages / s.seconds) : s.messages;
  const lines = [
    `Scanned ${s.messages} message${s.messages === 1 ? '' : 's'} in ${s.seconds.toFixed(2)} s (${rate} messages/s)`,
    '  ' + VERDICTS.map((v) => `${v}: ${s.byVerdict[v]}`).join('   '),
  ];
  const top = [...s.symbols].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 10);
  if (top.length) lines.push('  top symbols: ' + top.map(([k, n]) => `${k} ${n}`).join(', '));
  if (s.errors) lines.push(`  ${s.errors} input problem${s.errors === 1 ? '' : 's'} (unreadable files or damaged mbox parts)`);
  if (s.unsupported) lines.push(`  ${s.unsupported} file${s.unsupported === 1 ? '' : 's'} not recognised as mail, skipped`);
  return lines.join('\n') + '\n';
}

function parseThresholds(s: string, cfg: ScanConfig): void {
  const parts = s.split(',').map((x) => x.trim());
  const nums = parts.map(Number);
  if (parts.length !== 3 || nums.some((n) => !Number.isFinite(n))) {
    throw new CliError(`--thresholds: expected three numbers "suspicious,phishing,malicious", got "${s}"`, EXIT.USAGE);
  }
  const t = { suspicious: nums[0], phishing: nums[1], malicious: nums[2] };
  try {
    checkThresholds(t);
  } catch (e) {
    throw new CliError(`--thresholds: ${(e as Error).message}`, EXIT.USAGE);
  }
  cfg.settings.thresholds = t;
}

export interface RunScanOptions {
  output: ScanOutput;
  config: ScanConfig;
  onlyFlagged?: boolean;
  summary?: boolean;
  progress?: boolean;
  resolver?: Resolver;
  out?: NodeJS.WritableStream;
  err?: NodeJS.WritableStream & { isTTY?: boolean };
}

/** Scan inputs and write results; returns the worst verdict and counts. */
export async function runScan(paths: string[], o: RunScanOptions): Promise<{ worst: Verdict | null; summary: ScanSummary; ctx: ReadContext }> {
  const out = o.out ?? process.stdout;
  const err = o.err ?? process.stderr;
  const ctx = new ReadContext();
  const summary: ScanSummary = { messages: 0, byVerdict: { clean: 0, suspicious: 0, phishing: 0, malicious: 0 }, symbols: new Map(), seconds: 0, errors: 0, unsupported: 0 };
  const sink = o.output === 'json' || o.output === 'jsonl' ? createSink(o.output, out)
    : o.output === 'csv' ? createSink('csv', out, { columns: CSV_COLUMNS }) : null;
  let bar: cliProgressType.SingleBar | null = null;
  let inputs = paths;
  let filesDone = 0;
  if (o.progress && err.isTTY) {
    // list the files first so the bar has a total (mbox files count as one file each)
    const files: string[] = [];
    for await (const f of expandInputs(paths, ctx)) files.push(f);
    inputs = files;
    // cli-progress (CommonJS) is loaded only when a bar is shown
    const cliProgress = createRequire(import.meta.url)('cli-progress') as typeof cliProgressType;
    bar = new cliProgress.SingleBar({
      stream: err, format: 'scanning {bar} {value}/{total} files | {messages} messages | {flagged} flagged | {file}', hideCursor: true,
      clearOnComplete: true, barsize: 20, etaBuffer: 50,
    }, cliProgress.Presets.shades_classic);
    bar.start(files.length, 0, { messages: 0, flagged: 0, file: '' });
  }
  let worstV: Verdict | null = null;
  let flagged = 0;
  const t0 = process.hrtime.bigint();
  const limits = { ...o.config.limits, keepRaw: o.config.settings.online || Boolean(o.resolver) };
  const countSymbols = (r: ScanResult): void => {
    for (const s of r.symbols) if (s.score > 0) summary.symbols.set(s.symbol, (summary.symbols.get(s.symbol) ?? 0) + 1);
    for (const a of r.attached) countSymbols(a);
  };
  const onFile = (path: string): void => {
    filesDone++;
    bar?.update(Math.max(0, filesDone - 1), { file: safeText(path).slice(-40) });
  };
  for await (const m of readMessages(inputs, ctx, { maxMessageSize: o.config.limits.maxSize, onFile })) {
    let r: ScanResult;
    try {
      const view = await parseMessage(m.raw, m.origin, limits);
      if (m.truncated) view.parseProblems.unshift(`message is ${m.fullSize} bytes: only the first ${m.raw.length} were read`);
      r = await scanMessage(view, { config: o.config, resolver: o.resolver });
    } catch (e) {
      ctx.error({ file: m.origin.file, offset: m.origin.offset, message: `message could not be analysed: ${(e as Error).message}` });
      continue;
    }
    summary.messages++;
    summary.byVerdict[r.verdict]++;
    countSymbols(r);
    if (r.verdict !== 'clean') flagged++;
    worstV = worstV === null || verdictRank(r.verdict) > verdictRank(worstV) ? r.verdict : worstV;
    if (bar && (summary.messages & 7) === 0) bar.update(Math.max(0, filesDone - 1), { messages: summary.messages, flagged });
    if (o.onlyFlagged && r.verdict === 'clean') continue;
    if (sink) {
      if (o.output === 'csv') for (const row of csvRows(r)) await sink.write(row);
      else await sink.write(r);
    } else {
      await writeOut(out, reportText(r) + '\n');
    }
  }
  if (sink) await sink.end();
  bar?.update(filesDone, { messages: summary.messages, flagged });
  bar?.stop();
  summary.seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  summary.errors = ctx.errorCount;
  summary.unsupported = ctx.unsupported.length;
  for (const e of ctx.errors.slice(0, 20)) err.write(`vigie scan: ${safeText(e.file)}${e.offset !== undefined ? ` @${e.offset}` : ''}: ${safeText(e.message)}\n`);
  if (ctx.errors.length > 20) err.write(`vigie scan: … ${ctx.errorCount - 20} more input problems\n`);
  if (o.summary !== false) {
    // the readable report ends with the summary; machine outputs keep stdout clean and put it on stderr
    if (o.output === 'report') await writeOut(out, summaryText(summary));
    else err.write(summaryText(summary));
  }
  return { worst: worstV, summary, ctx };
}

const VERDICT_EXIT: Record<Verdict, number> = { clean: EXIT.OK, suspicious: EXIT.SCAN_SUSPICIOUS, phishing: EXIT.SCAN_PHISHING, malicious: EXIT.SCAN_MALICIOUS };

export function register(program: Command, setExit: SetExit): void {
  program
    .command('scan')
    .description('Analyse messages for phishing and malicious attachments, offline unless --online')
    .argument('[inputs...]', '.eml, .msg, mbox or Maildir files and folders ("-" or nothing = standard input)')
    .addOption(new Option('-o, --output <format>', 'output format').choices([...SCAN_OUTPUTS]).default('report'))
    .option('-c, --config <file>', 'YAML configuration: own domains, VIPs, trusted receivers, scores, thresholds (see --print-config)')
    .option('--online', 'verify SPF, DKIM, DMARC and ARC with DNS (the only network access vigie scan makes)')
    .option('--thresholds <s,p,m>', 'verdict thresholds on the total score: suspicious,phishing,malicious')
    .option('--only-flagged', 'print only messages that are not clean (the summary still counts all)')
    .option('--no-summary', 'do not print the summary')
    .option('--no-progress', 'no progress bar (it is only shown when stderr is a terminal)')
    .option('--print-config', 'print an example configuration file and exit')
    .addHelpText('after', '\nVerdicts: clean, suspicious, phishing, malicious (worst verdict sets the exit code).')
    .action(async (inputs: string[], opts: ScanCliOptions) => {
      if (opts.printConfig) {
        process.stdout.write(EXAMPLE_CONFIG);
        return;
      }
      let config: ScanConfig;
      try {
        config = loadConfig(opts.config);
      } catch (e) {
        if (e instanceof ConfigError) {
          const missing = opts.config && !existsSync(opts.config);
          throw new CliError(e.message, missing ? EXIT.NO_INPUT : EXIT.CONFIG);
        }
        throw e;
      }
      if (opts.online) config.settings.online = true;
      if (opts.thresholds) parseThresholds(opts.thresholds, config);
      const paths = inputs.length ? inputs : ['-'];
      if (paths.includes('-') && process.stdin.isTTY) throw new CliError('no input given (files, folders, or a message on standard input)', EXIT.USAGE);
      const missing = paths.filter((p) => p !== '-' && !existsSync(p));
      for (const p of missing) process.stderr.write(`vigie scan: ${p}: no such file or folder\n`);
      let resolver: Resolver | undefined;
      if (config.resolver.length) {
        try {
          resolver = await serverResolver(config.resolver);
        } catch (e) {
          throw new CliError(`resolver: ${(e as Error).message}`, EXIT.CONFIG);
        }
      }
      const { worst, summary } = await runScan(paths.filter((p) => !missing.includes(p)), {
        output: opts.output, config, onlyFlagged: opts.onlyFlagged, summary: opts.summary, progress: opts.progress, resolver,
      });
      if (worst) setExit(VERDICT_EXIT[worst]);
      if (missing.length) setExit(EXIT.NO_INPUT);
      else if (summary.messages === 0) {
        process.stderr.write('vigie scan: no message could be read from the input\n');
        setExit(EXIT.DATA);
      }
    });
}
