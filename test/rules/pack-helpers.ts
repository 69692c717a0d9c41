/** Shared helpers for the rule-pack tests: discover Vigie's rules and their fixtures, run the hunt on them. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { parseRules, type RuleSet } from '../../src/sigma/index.js';
import { readHoneyFile, readListFile, runHunt, type HuntResult } from '../../src/hunt/index.js';
import { FIXTURES, ROOT } from '../helpers.js';

export const RULES_DIR = join(ROOT, 'rules');
export const RULE_FIXTURES = join(FIXTURES, 'rules');
export const PACK_FOLDERS = ['collection', 'preparation', 'exploitation', 'bulk-access', 'gateway', 'identity', 'honey'];

/** Every .yml/.yaml file under rules/, sorted. */
export function ruleFiles(dir: string = RULES_DIR): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.ya?ml$/i.test(name)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

export function stemOf(file: string): string {
  return basename(file).replace(/\.ya?ml$/i, '');
}

export function relRule(file: string): string {
  return relative(ROOT, file);
}

export function parseFile(file: string): RuleSet {
  return parseRules(readFileSync(file, 'utf8'), file);
}

/**
 * The ids a detection of this file carries: the correlation ids when the file holds correlations (their
 * building-block rules are not reported alone), else the ids of its rules.
 */
export function reportedIds(set: RuleSet): string[] {
  if (set.correlations.length > 0) return set.correlations.map((c) => c.id).filter((x): x is string => !!x);
  return set.rules.map((r) => r.id).filter((x): x is string => !!x);
}

/** positive.* and negative.* fixtures of a rule (the first of each kind). */
export function fixturesOf(stem: string): { dir: string; positive?: string; negative?: string } {
  const dir = join(RULE_FIXTURES, stem);
  if (!existsSync(dir)) return { dir };
  const names = readdirSync(dir).sort();
  const pick = (kind: string): string | undefined => {
    const n = names.find((x) => x.startsWith(kind + '.'));
    return n ? join(dir, n) : undefined;
  };
  return { dir, positive: pick('positive'), negative: pick('negative') };
}

/** The watchlist and honey lists the fixtures are written for (a rule's folder may carry its own). */
export function listsFor(dir?: string): { watchlist: string[]; honey: { messageIds: string[]; mailboxes: string[] } } {
  const wl = dir && existsSync(join(dir, 'watchlist.txt')) ? join(dir, 'watchlist.txt') : join(RULE_FIXTURES, 'watchlist.txt');
  const hn = dir && existsSync(join(dir, 'honey.txt')) ? join(dir, 'honey.txt') : join(RULE_FIXTURES, 'honey.txt');
  return { watchlist: readListFile(wl), honey: readHoneyFile(hn) };
}

/** Run the hunt on some inputs with only the given rule files (not the whole built-in pack). */
export async function huntWith(inputs: string[], rulePaths: string[], dir?: string): Promise<HuntResult> {
  const lists = listsFor(dir);
  return runHunt({ inputs, rulePaths, builtinRules: false, installedRules: false, watchlist: lists.watchlist, honey: lists.honey });
}

/** One line per detection, for assertion messages. */
export function describe(res: HuntResult): string {
  const d = res.detections.map((x) => `  ${x.level} ${x.ruleTitle} (${x.ruleId}) ${x.details.map((m) => `${m.field}=${m.value}`).join(' ')}`);
  const s = res.summary;
  return `${d.length} detection(s)\n${d.join('\n')}\nrecords=${s.records} formats=${JSON.stringify(s.formats)} unsupported=${JSON.stringify(s.unsupported)} skipped=${s.skipped} failed=${JSON.stringify(s.rules.failed)} inactive=${JSON.stringify(s.rules.inactive.map((r) => r.title))}`;
}
