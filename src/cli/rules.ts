/** `vigie rules lint|list|update`: check rules, count them, install SigmaHQ's release. */
import { existsSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { compileRule, CorrelationEngine, loadRules, type RuleSet, type SigmaRule } from '../sigma/index.js';
import { createSink, SINK_FORMATS, safeText, type SinkFormat } from '../sinks/index.js';
import { builtinRulesDir, installedRulesDir } from '../hunt/paths.js';
import { requiredPlaceholders, activateText } from '../hunt/run.js';
import { describeLogsource, normLogsource } from '../hunt/mapping.js';
import { DEFAULT_SOURCE, installInfo, updateRules, UpdateError } from '../hunt/update.js';
import { CliError, EXIT } from './exit-codes.js';
import type { SetExit } from './main.js';

export interface LintProblem {
  file: string;
  line?: number;
  severity: 'error' | 'warning' | 'info';
  title?: string;
  ruleId?: string;
  message: string;
}

/** Loader problems, then rules that load but cannot be compiled; rules needing placeholders are noted (info). */
export async function lintRules(paths: string[]): Promise<{ set: RuleSet; problems: LintProblem[] }> {
  const set = await loadRules(paths);
  const problems: LintProblem[] = set.problems.map((p) => ({ file: p.file, line: p.line, severity: p.severity, title: p.title, ruleId: p.ruleId, message: p.message }));
  for (const rule of set.rules) {
    const need = requiredPlaceholders(rule.detection);
    const placeholders: Record<string, string[]> = {};
    for (const n of need) placeholders[n] = ['placeholder-value'];
    try {
      compileRule(rule, { placeholders });
    } catch (e) {
      problems.push({ file: rule.file, line: rule.line, severity: 'error', title: rule.title, ruleId: rule.id, message: (e as Error).message });
      continue;
    }
    if (need.length) {
      problems.push({
        file: rule.file, line: rule.line, severity: 'info', title: rule.title, ruleId: rule.id,
        message: `needs placeholder(s) ${need.map((n) => `%${n}%`).join(', ')}: inactive unless ${activateText(need)}`,
      });
    }
  }
  // correlations the engine would not evaluate: unknown rule references, cycles
  if (set.correlations.length) {
    try {
      const engine = new CorrelationEngine(set.correlations, set.rules);
      for (const p of engine.problems) problems.push({ file: p.file, line: p.line, severity: p.severity, title: p.title, ruleId: p.ruleId, message: p.message });
    } catch (e) {
      for (const c of set.correlations) problems.push({ file: c.file, line: c.line, severity: 'error', title: c.title, ruleId: c.id, message: `correlation cannot be evaluated: ${(e as Error).message}` });
    }
  }
  problems.sort((a, b) => a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0));
  return { set, problems };
}

function defaultPaths(): string[] {
  const p: string[] = [];
  if (existsSync(builtinRulesDir())) p.push(builtinRulesDir());
  if (existsSync(installedRulesDir())) p.push(installedRulesDir());
  return p;
}

function checkPaths(paths: string[]): void {
  for (const p of paths) if (!existsSync(p)) throw new CliError(`${p} does not exist`, EXIT.NO_INPUT);
}

function countBy<T>(items: T[], key: (x: T) => string): [string, number][] {
  const m = new Map<string, number>();
  for (const x of items) m.set(key(x), (m.get(key(x)) ?? 0) + 1);
  return [...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

export function register(program: Command, setExit: SetExit): void {
  const rules = program.command('rules').description('Check, list and install Sigma rules');

  rules
    .command('lint')
    .description('Load and compile rules; print each problem with file:line and reason (exit 78 if any error)')
    .argument('<paths...>', 'rule files or folders')
    .option('-q, --quiet', 'errors only (no warnings or notes)')
    .action(async (paths: string[], o: { quiet?: boolean }) => {
      checkPaths(paths);
      const { set, problems } = await lintRules(paths);
      const shown = o.quiet ? problems.filter((p) => p.severity === 'error') : problems;
      for (const p of shown) {
        const where = `${p.file}${p.line !== undefined ? `:${p.line}` : ''}`;
        process.stdout.write(safeText(`${where}: ${p.severity}: ${p.message}${p.title ? ` (${p.title})` : ''}`) + '\n');
      }
      const errors = problems.filter((p) => p.severity === 'error').length;
      const warnings = problems.filter((p) => p.severity === 'warning').length;
      const total = set.rules.length + set.correlations.length + set.filters.length;
      process.stderr.write(
        `${set.files} files: ${set.rules.length} rules, ${set.correlations.length} correlations, ${set.filters.length} filters; ` +
          `${errors} errors, ${warnings} warnings${total === 0 && errors === 0 ? ' (no rule found)' : ''}\n`,
      );
      setExit(errors > 0 || total === 0 ? EXIT.CONFIG : EXIT.OK);
    });

  rules
    .command('list')
    .description("Count rules by level, status and log source (default: Vigie's pack and the installed SigmaHQ rules)")
    .argument('[paths...]', 'rule files or folders')
    .option('-v, --verbose', 'one line per rule')
    .addOption(new Option('-o, --output <format>', 'format for --verbose').choices(SINK_FORMATS).default('table'))
    .action(async (paths: string[], o: { verbose?: boolean; output: string }) => {
      const use = paths.length ? paths : defaultPaths();
      checkPaths(use);
      const set = await loadRules(use);
      const all: SigmaRule[] = set.rules;
      if (o.verbose) {
        const sink = createSink(o.output as SinkFormat, process.stdout, {
          columns: [
            { key: 'level', title: 'Level', max: 13 }, { key: 'status', title: 'Status', max: 12 },
            { key: 'logsource', title: 'Log source', max: 48 }, { key: 'title', title: 'Title', max: 60 }, { key: 'id', title: 'Id', max: 36 },
          ],
        });
        for (const r of all) {
          await sink.write({ level: r.level ?? '', status: r.status ?? '', logsource: describeLogsource(normLogsource(r.logsource as Record<string, unknown>)), title: r.title, id: r.id ?? '', file: r.file, tags: r.tags });
        }
        for (const c of set.correlations) await sink.write({ level: c.level ?? '', status: c.status ?? '', logsource: `correlation:${c.type}`, title: c.title, id: c.id ?? '', file: c.file, tags: c.tags });
        await sink.end();
        if (o.output !== 'table') {
          setExit(EXIT.OK);
          return;
        }
      }
      const out: string[] = [];
      out.push(`${set.files} files: ${all.length} rules, ${set.correlations.length} correlations, ${set.filters.length} filters, ${set.problems.filter((p) => p.severity === 'error').length} problems (vigie rules lint)`);
      const section = (title: string, rows: [string, number][], max = 40) => {
        out.push('', title);
        for (const [k, n] of rows.slice(0, max)) out.push(`  ${String(n).padStart(6)}  ${k}`);
        if (rows.length > max) out.push(`  … ${rows.length - max} more`);
      };
      const LV = ['critical', 'high', 'medium', 'low', 'informational'];
      section('By level', countBy(all, (r) => r.level ?? '(none)').sort((a, b) => LV.indexOf(a[0]) - LV.indexOf(b[0])));
      section('By status', countBy(all, (r) => r.status ?? '(none)'));
      section('By log source', countBy(all, (r) => describeLogsource(normLogsource(r.logsource as Record<string, unknown>))), o.verbose ? Infinity : 30);
      if (set.correlations.length) section('Correlations by type', countBy(set.correlations, (c) => c.type));
      process.stderr.write(safeText(out.join('\n')).replace(/⏎/g, '\n') + '\n');
      setExit(EXIT.OK);
    });

  rules
    .command('update')
    .description("Install SigmaHQ's rules into a local folder (git clone --depth 1, a local folder, or a .zip/.tar.gz archive)")
    .option('-s, --source <git-url|path|archive>', 'where to get the rules', DEFAULT_SOURCE)
    .option('-d, --dest <dir>', 'where to install them (used by `vigie hunt` when --rules is not given)', installedRulesDir())
    .action(async (o: { source: string; dest: string }) => {
      const before = installInfo(o.dest);
      let info;
      try {
        info = await updateRules(o.source, o.dest, (s) => process.stderr.write(`vigie rules update: ${s}\n`));
      } catch (e) {
        if (e instanceof UpdateError) throw new CliError(`rules update: ${e.message}`, EXIT.CONFIG);
        throw e;
      }
      const lines = [
        `Installed ${info.rules} rule files into ${info.dest}`,
        `  from ${info.source} (${info.kind})`,
        `  folders: ${info.folders.join(', ')}`,
      ];
      if (info.commit) lines.push(`  commit ${info.commit}`);
      if (info.date) lines.push(`  dated ${info.date}`);
      if (info.sha256) lines.push(`  archive sha256 ${info.sha256}`);
      if (before) lines.push(`  replaces ${before.rules} rule files${before.commit ? ` at ${before.commit.slice(0, 12)}` : ''} installed ${before.installedAt}`);
      process.stdout.write(lines.join('\n') + '\n');
      setExit(EXIT.OK);
    });
}
