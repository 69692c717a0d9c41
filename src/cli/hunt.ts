/** `vigie hunt <inputs…>`: run Sigma rules over logs and print a timeline. */
import { existsSync } from 'node:fs';
import { Option, type Command } from 'commander';
import type cliProgress from 'cli-progress';
import { parseTime } from '../event.js';
import { createSink, SINK_FORMATS, type SinkFormat } from '../sinks/index.js';
import type { HuntOptions, HuntProgress } from '../hunt/index.js';
import { levelRank, parseLevel, LEVELS } from '../hunt/levels.js';
import { ruleCacheDir } from '../hunt/paths.js';
import { CliError, EXIT } from './exit-codes.js';
import type { SetExit } from './main.js';
// the hunt engine, readers, YAML and progress-bar modules are imported when the command runs (see the action),
// so that `vigie --help` and other commands do not load them

interface HuntCliOptions {
  rules?: string[];
  output: string;
  minLevel?: string;
  failLevel?: string;
  status?: string;
  tags?: string;
  from?: string;
  to?: string;
  excludeRules?: string;
  watchlist?: string;
  honey?: string;
  placeholders?: string;
  mapping?: string;
  format?: string;
  vigieRules: boolean;
  summary: boolean;
  progress: boolean;
  ruleCache: boolean;
  verbose?: boolean;
  threads?: string;
}

/** Most threads `--threads` accepts. */
const MAX_THREADS = 64;

/** `--threads` value: a number of threads, or "auto" (one per core, at most one per input file). */
export function parseThreads(v: string): number | 'auto' | undefined {
  const s = v.trim().toLowerCase();
  if (s === 'auto') return 'auto';
  if (!/^\d{1,3}$/.test(s)) return undefined;
  const n = Number(s);
  return n >= 1 && n <= MAX_THREADS ? n : undefined;
}

const list = (s: string | undefined) => (s ? s.split(',').map((x) => x.trim()).filter((x) => x !== '') : undefined);

function level(s: string, opt: string) {
  const l = parseLevel(s);
  if (!l) throw new CliError(`${opt}: "${s}" is not a level (${LEVELS.join(', ')})`, EXIT.USAGE);
  return l;
}

function time(s: string | undefined, opt: string): number | undefined {
  if (s === undefined) return undefined;
  const t = parseTime(s);
  if (t === undefined) throw new CliError(`${opt}: cannot read "${s}" as a time (use ISO 8601, e.g. 2024-03-01T00:00:00Z)`, EXIT.USAGE);
  return t;
}

function readFileOpt<T>(path: string, opt: string, fn: (p: string) => T): T {
  try {
    return fn(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw new CliError(`${opt}: ${path} does not exist`, EXIT.NO_INPUT);
    throw new CliError(`${opt}: ${err.message}`, EXIT.CONFIG);
  }
}

export function register(program: Command, setExit: SetExit): void {
  program
    .command('hunt')
    .description('Run Sigma rules (Vigie\'s pack + --rules folders) over logs and print a timeline of detections')
    .argument('<inputs...>', 'files or folders (EVTX, IIS/Exchange logs, M365 audit, sign-ins, syslog, SIEM exports; "-" = stdin)')
    .option('-r, --rules <paths...>', 'rule files or folders to add (e.g. SigmaHQ rules/); without it, the folder `vigie rules update` installed is used')
    .addOption(new Option('-o, --output <format>', 'timeline format').choices(SINK_FORMATS).default('table'))
    .option('-l, --min-level <level>', 'only run rules at or above this level')
    .option('--fail-level <level>', 'exit 1 when a detection at or above this level is found (informational, low, medium, high, critical; default none: exit 0 whenever the hunt completed)')
    .option('--status <list>', 'only rules with these statuses (comma-separated: stable,test,experimental…)')
    .option('--tags <list>', 'only rules with one of these tags (comma-separated: attack.t1114,attack.collection,T1505.003…)')
    .option('--from <time>', 'ignore events before this time (ISO 8601, UTC when no zone)')
    .option('--to <time>', 'ignore events after this time')
    .option('--exclude-rules <file>', 'rule ids or titles not to run, one per line (# comments)')
    .option('--watchlist <file>', 'sensitive terms, one per line, any language (placeholder %watchlist%)')
    .option('--honey <file>', 'honey message ids and mailboxes ("message-id: <id>", "mailbox: user@domain", or YAML)')
    .option('--placeholders <file>', 'YAML: placeholder name → list of values, for the expand modifier')
    .option('--mapping <file>', 'extra log-source mapping merged over config/logsources.yml')
    .option('--format <name>', 'read every input as this format instead of detecting it')
    .option('--no-vigie-rules', 'do not load Vigie\'s own rule pack')
    .option('--no-summary', 'do not print the summary on stderr')
    .option('--no-rule-cache', 'parse every rule file again instead of using the parsed-rule cache (~/.cache/vigie, or $VIGIE_CACHE_DIR; VIGIE_CACHE_DIR=off disables it)')
    .option('--no-progress', 'no progress bar')
    .option('-v, --verbose', 'longer summary (every rule, every problem)')
    .option('-t, --threads <n>', 'threads reading input files in parallel, each with its own copy of the rules (a number, or "auto" = one per core and per 256 MiB of input, at most 8; default 1). Same timeline and summary as one thread')
    .action(async (inputs: string[], o: HuntCliOptions) => {
      const [{ prepareHunt, runHunt }, { readListFile, readHoneyFile, readPlaceholdersFile }, { CSV_COLUMNS, fullRow, tableColumns, tableRow }, { summaryText }] =
        await Promise.all([import('../hunt/run.js'), import('../hunt/inputs.js'), import('../hunt/timeline.js'), import('../hunt/summary.js')]);
      const opts: HuntOptions = {
        inputs,
        rulePaths: o.rules,
        builtinRules: o.vigieRules,
        installedRules: !o.rules || o.rules.length === 0,
        ruleCache: o.ruleCache === false ? undefined : ruleCacheDir(),
        minLevel: o.minLevel ? level(o.minLevel, '--min-level') : undefined,
        statuses: list(o.status),
        tags: list(o.tags),
        from: time(o.from, '--from'),
        to: time(o.to, '--to'),
        mapping: o.mapping,
        inputFormat: o.format,
      };
      // default "none": finding something is the normal outcome of a hunt, not a failure (exit 0); scripts and CI
      // opt in with --fail-level LEVEL
      const failRank = o.failLevel === undefined || o.failLevel.trim().toLowerCase() === 'none' ? Infinity : levelRank(level(o.failLevel, '--fail-level'));
      if (o.excludeRules) opts.excludeRules = readFileOpt(o.excludeRules, '--exclude-rules', readListFile);
      if (o.watchlist) opts.watchlist = readFileOpt(o.watchlist, '--watchlist', readListFile);
      if (o.honey) opts.honey = readFileOpt(o.honey, '--honey', readHoneyFile);
      if (o.placeholders) opts.placeholders = readFileOpt(o.placeholders, '--placeholders', readPlaceholdersFile);
      for (const r of o.rules ?? []) if (!existsSync(r)) throw new CliError(`--rules: ${r} does not exist`, EXIT.NO_INPUT);
      const threads = o.threads === undefined ? 1 : parseThreads(o.threads);
      if (threads === undefined) throw new CliError(`--threads: "${o.threads}" is not a number of threads (1-${MAX_THREADS}) or "auto"`, EXIT.USAGE);

      // worker threads start loading their rules while the main thread loads its own
      const pool = threads === 1 ? undefined : await (await import('../hunt/workers.js')).HuntPool.start(opts, threads);
      let prepared;
      try {
        prepared = await prepareHunt(opts);
      } catch (e) {
        pool?.close();
        throw new CliError(`cannot prepare the hunt: ${(e as Error).message}`, EXIT.CONFIG);
      }
      if (prepared.compiled.length === 0 && !prepared.engine) {
        pool?.close();
        if (o.summary) process.stderr.write(`vigie hunt: no rule could be loaded (${prepared.summaryRules.failed.length} failed, ${prepared.summaryRules.inactive.length} inactive, ${prepared.summaryRules.deselected} not selected)\n`);
        throw new CliError('no rule could be loaded', EXIT.CONFIG);
      }

      let bar: cliProgress.SingleBar | undefined;
      if (o.progress && process.stderr.isTTY) {
        const { default: cliProgress } = await import('cli-progress');
        bar = new cliProgress.SingleBar({
          stream: process.stderr, clearOnComplete: true, hideCursor: true,
          format: 'hunting [{bar}] {value}/{total} files | {records} records | {detections} detections | {file}',
        }, cliProgress.Presets.shades_classic);
        let started = false;
        opts.onProgress = (p: HuntProgress) => {
          const payload = { records: p.records.toLocaleString('en-US'), detections: p.detections, file: (p.file ?? '').slice(-40) };
          if (!started) {
            bar!.start(p.totalFiles ?? 0, p.files, payload);
            started = true;
          } else bar!.update(p.files, payload);
        };
      }
      let result;
      try {
        result = pool ? await pool.run(prepared) : await runHunt(opts, prepared);
      } finally {
        bar?.stop();
      }

      const format = o.output as SinkFormat;
      const width = process.stdout.isTTY && process.stdout.columns ? Math.max(120, process.stdout.columns) : 160;
      const sink = createSink(format, process.stdout, { columns: format === 'table' ? tableColumns(width) : format === 'csv' ? CSV_COLUMNS : undefined });
      for (const d of result.detections) await sink.write(format === 'table' ? tableRow(d) : fullRow(d));
      await sink.end();
      if (format === 'table' && result.detections.length === 0) process.stdout.write('No detections.\n');

      const s = result.summary;
      if (o.summary) process.stderr.write('\n' + summaryText(s, { verbose: o.verbose }));
      let code: number = result.detections.some((d) => levelRank(d.level) >= failRank) ? EXIT.FOUND : EXIT.OK;
      if (s.missing.length) {
        process.stderr.write(`vigie hunt: input missing: ${s.missing.join(', ')}\n`);
        code = Math.max(code, EXIT.NO_INPUT);
      } else if (s.records === 0 && (s.unsupported.length > 0 || s.skipped > 0)) {
        process.stderr.write('vigie hunt: no record could be read from the input\n');
        code = Math.max(code, EXIT.DATA);
      }
      setExit(code);
    });
}
