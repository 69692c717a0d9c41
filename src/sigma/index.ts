/**
 * Vigie's Sigma 2.1 engine: load rules (detection, correlation, filter), compile them once into closures,
 * match events, and evaluate correlations. The contract with the hunt is notes/SIGMA-API.md.
 */
export type {
  Level, LogSourceSpec, RuleProblem, SigmaRule, CorrelationRule, CorrelationType, FilterRule, RuleSet, FieldGetter,
  MatchDetail, CompileOptions,
} from './types.js';
export { RuleError } from './types.js';
export { loadRules, parseRules, lineOf } from './load.js';
export { validateDocument, parseTimespan, type SchemaIssue } from './schema.js';
export { compileRule, filterApplies, type CompiledRule } from './compile.js';
export { CorrelationEngine, type CorrelationAlert } from './correlation.js';
