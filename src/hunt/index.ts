/**
 * Programmatic API of the hunt: read inputs, run Sigma rules (Vigie's pack, SigmaHQ folders), return a timeline.
 *
 *   const { detections, summary } = await runHunt({ inputs: ['logs/'], rulePaths: ['sigma/rules'] });
 *
 * The CLI (`vigie hunt`) is a thin layer over `runHunt`; tests of rule packs call it directly.
 */
import type { Level, MatchDetail } from '../sigma/index.js';

export type { Level, MatchDetail } from '../sigma/index.js';

export interface HuntProgress {
  /** file being read (undefined once input is done) */
  file?: string;
  /** files started so far, and the number of files to read when known */
  files: number;
  totalFiles?: number;
  /** records read so far */
  records: number;
  detections: number;
}

export interface HuntOptions {
  /** files and folders (recursive) to read; "-" is standard input */
  inputs: string[];
  /** extra rule files/folders (e.g. SigmaHQ's rules/) */
  rulePaths?: string[];
  /** load Vigie's own pack (rules/ of the package); default true */
  builtinRules?: boolean;
  /** also load the folder `vigie rules update` installed, when it exists (the CLI sets this when --rules is absent) */
  installedRules?: boolean;
  /** folder of the parsed-rule cache (src/sigma/cache.ts); absent = parse every rule file (the CLI sets it) */
  ruleCache?: string;
  /** placeholder name → values for the `expand` modifier */
  placeholders?: Record<string, string[]>;
  /** sensitive terms (placeholder `watchlist`) */
  watchlist?: string[];
  /** honey message ids and mailboxes (placeholders `honey_message_ids`, `honey_mailboxes`) */
  honey?: { messageIds: string[]; mailboxes: string[] };
  /** extra log-source mapping file merged over config/logsources.yml */
  mapping?: string;
  /** only rules at or above this level */
  minLevel?: Level;
  /** only rules with one of these statuses */
  statuses?: string[];
  /** only rules carrying one of these tags (e.g. attack.t1114, attack.collection; prefix "attack." optional) */
  tags?: string[];
  /** only events at or after / before this time (ms UTC); events without a time are kept */
  from?: number;
  to?: number;
  /** rule ids or titles not to run */
  excludeRules?: string[];
  /** force one input format instead of detection */
  inputFormat?: string;
  onProgress?: (p: HuntProgress) => void;
  /** skip rules whose literal anchors do not occur in the event (default true; never changes results) */
  prefilter?: boolean;
  /** correlation state bounds (defaults from the engine) */
  maxCorrelationGroups?: number;
}

export interface Detection {
  time?: number;
  computer?: string;
  channel?: string;
  eventId?: number;
  level: Level;
  ruleTitle: string;
  ruleId?: string;
  tags: string[];
  /** ATT&CK techniques and tactics from the tags: T1114.002, collection… */
  attack: string[];
  details: MatchDetail[];
  file: string;
  offset: number;
  record?: number;
  format: string;
  kind: 'rule' | 'correlation';
  /** correlation: group-by values */
  group?: Record<string, string>;
  /** correlation: the aggregated value (count, sum, …) */
  value?: number;
  /** rule file */
  ruleFile?: string;
  status?: string;
}

export interface RuleIssue {
  file: string;
  line?: number;
  ruleId?: string;
  title?: string;
  reason: string;
}

export interface InactiveRule {
  file: string;
  ruleId?: string;
  title: string;
  /** placeholders missing */
  placeholders: string[];
  /** option(s) that would activate it */
  activate: string;
}

export interface HuntSummary {
  /** detections by level (after suppression of generate:false correlation members) */
  byLevel: Record<string, number>;
  /** detections by rule title (and id) */
  byRule: { title: string; id?: string; level: Level; count: number }[];
  files: number;
  records: number;
  /** files and records read, by format */
  formats: Record<string, { files: number; records: number }>;
  /** files no reader recognised */
  unsupported: string[];
  /** records skipped (bad lines/records): total and details (file + offset/line + message) */
  skipped: number;
  errors: { file: string; offset?: number; line?: number; message: string }[];
  /** inputs that do not exist */
  missing: string[];
  /** events outside --from/--to */
  outOfRange: number;
  rules: {
    files: number;
    loaded: number;
    correlations: number;
    filters: number;
    failed: RuleIssue[];
    /** problems reported by the loader with severity warning */
    warnings: RuleIssue[];
    inactive: InactiveRule[];
    /** rules excluded by --min-level/--status/--tags/--exclude-rules */
    deselected: number;
    /** loaded rules whose log source no mapping entry covers (they still run on events carrying that log source) */
    unmapped: { title: string; id?: string; logsource: string }[];
  };
  correlation?: { groups: number; evicted: number };
  /** wall-clock duration in ms */
  durationMs: number;
}

export interface HuntResult {
  detections: Detection[];
  summary: HuntSummary;
}

export { runHunt, prepareHunt, HuntMatcher, type PreparedHunt } from './run.js';
export { loadMapping, type LogSourceMapping, type MappingEntry, type EventSpec } from './mapping.js';
export { Router } from './router.js';
export { levelRank, LEVELS } from './levels.js';
export { readListFile, readHoneyFile, readPlaceholdersFile } from './inputs.js';
export { packageRoot, builtinRulesDir, installedRulesDir, shippedMappingFile } from './paths.js';
