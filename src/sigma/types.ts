/** Public types of the Sigma engine (see notes/SIGMA-API.md: the contract with src/hunt). */
import type { FieldValue } from '../event.js';

export type Level = 'informational' | 'low' | 'medium' | 'high' | 'critical';
export interface LogSourceSpec { product?: string; category?: string; service?: string; definition?: string }

export interface RuleProblem {
  file: string; line?: number; ruleId?: string; title?: string;
  severity: 'error' | 'warning'; message: string;
}

export interface SigmaRule {
  kind: 'rule'; file: string; line?: number; id?: string; name?: string; title: string;
  status?: string; level?: Level; description?: string; author?: string; date?: string; tags: string[];
  references: string[]; falsepositives: string[]; fields: string[]; logsource: LogSourceSpec;
  detection: Record<string, unknown>; raw: Record<string, unknown>;
}

export type CorrelationType = 'event_count' | 'value_count' | 'temporal' | 'temporal_ordered' | 'value_sum' |
  'value_avg' | 'value_percentile';

export interface CorrelationRule {
  kind: 'correlation'; file: string; line?: number; id?: string; name?: string;
  title: string; level?: Level; status?: string; tags: string[]; type: CorrelationType;
  rules: string[] /* ids or names */;
  groupBy: string[]; timespanMs: number; aliases: Record<string, Record<string, string>>;
  condition?: Record<string, unknown>; generate: boolean; raw: Record<string, unknown>;
}

export interface FilterRule {
  kind: 'filter'; file: string; line?: number; id?: string; name?: string; title: string;
  logsource: LogSourceSpec; rules: string[] /* ids or names; empty = all rules of the logsource */;
  detection: Record<string, unknown>; raw: Record<string, unknown>;
}

export interface RuleSet {
  rules: SigmaRule[]; correlations: CorrelationRule[]; filters: FilterRule[];
  problems: RuleProblem[]; files: number;
}

/** Resolves a Sigma field name for the event at hand (the hunt applies log-source field aliases here). */
export type FieldGetter = (field: string) => FieldValue | undefined;

/** What made a rule match: shown in the timeline ("fields that explain the match"). */
export interface MatchDetail {
  field: string /* '' for keyword */; value: string /* the event's value (cut to 200 chars) */;
  pattern?: string /* the rule value that matched */;
}

export interface CompileOptions {
  /** placeholder name (without %) → values, for the `expand` modifier */
  placeholders?: Record<string, string[]>;
  /** filter rules to apply (those naming this rule by id/name, or with matching logsource when they name none) */
  filters?: FilterRule[];
}

/** A rule that cannot be compiled (unknown modifier, bad regex, undefined placeholder, broken condition…). */
export class RuleError extends Error {
  override name = 'RuleError';
  /** line in the rule file of the part that cannot run (search identifier, condition), when known */
  line?: number;
}
