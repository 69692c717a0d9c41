/**
 * Validation of Sigma documents against the Sigma 2.1 JSON schemas (detection, correlation, filter rules),
 * hand-written so messages say what is wrong in words. Each issue says whether the schema rejects the document
 * (`schema: true`) and whether the rule can still run (`severity: 'warning'`) or not (`severity: 'error'`).
 */
export interface SchemaIssue {
  path: string[];
  message: string;
  severity: 'error' | 'warning';
  /** the Sigma JSON schema rejects the document for this */
  schema: boolean;
}

type Raw = Record<string, unknown>;
const isObj = (v: unknown): v is Raw => v !== null && typeof v === 'object' && !Array.isArray(v);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^\d{4}-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])$/;
const TAG = /^[a-z0-9_-]+\.[a-z0-9._-]+$/;
const STATUS = ['stable', 'test', 'experimental', 'deprecated', 'unsupported'];
const LEVEL = ['informational', 'low', 'medium', 'high', 'critical'];
const RELATED = ['derived', 'obsolete', 'merged', 'renamed', 'similar'];
export const CORRELATION_TYPES = ['event_count', 'value_count', 'temporal', 'temporal_ordered', 'value_sum', 'value_avg', 'value_percentile'];
const CONDITION_OPS = ['gt', 'gte', 'lt', 'lte', 'eq', 'neq'];

/** `90m`, `1h`, `30s`, `2d` (also `1w`, `1M`, `1y` as pySigma accepts) → milliseconds. */
export function parseTimespan(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^\s*(\d{1,9})\s*([smhdwMy])\s*$/.exec(v);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit: Record<string, number> = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3, M: 30 * 86400e3, y: 365 * 86400e3 };
  return n * unit[m[2]!]!;
}

function stringArray(issues: SchemaIssue[], raw: Raw, key: string, minLength = 0): void {
  const v = raw[key];
  if (v === undefined) return;
  if (!Array.isArray(v)) {
    issues.push({ path: [key], message: `"${key}" must be a list of strings`, severity: 'warning', schema: true });
    return;
  }
  const seen = new Set<string>();
  v.forEach((x, i) => {
    if (typeof x !== 'string') issues.push({ path: [key, String(i)], message: `"${key}" item ${i + 1} must be a string`, severity: 'warning', schema: true });
    else {
      if (x.length < minLength) issues.push({ path: [key, String(i)], message: `"${key}" item ${i + 1} is shorter than ${minLength} characters`, severity: 'warning', schema: true });
      if (seen.has(x)) issues.push({ path: [key, String(i)], message: `"${key}" lists ${JSON.stringify(x)} twice`, severity: 'warning', schema: true });
      seen.add(x);
    }
  });
}

function commonMeta(issues: SchemaIssue[], raw: Raw): void {
  const t = raw['title'];
  if (t === undefined || t === null) issues.push({ path: ['title'], message: 'missing "title"', severity: 'error', schema: true });
  else if (typeof t !== 'string') issues.push({ path: ['title'], message: '"title" must be a string', severity: 'error', schema: true });
  else if (t.length > 256) issues.push({ path: ['title'], message: `"title" is longer than 256 characters (${t.length})`, severity: 'warning', schema: true });
  const id = raw['id'];
  if (id !== undefined) {
    if (typeof id !== 'string') issues.push({ path: ['id'], message: '"id" must be a string', severity: 'warning', schema: true });
    else if (!UUID.test(id)) issues.push({ path: ['id'], message: `"id" ${JSON.stringify(id)} is not a UUID`, severity: 'warning', schema: true });
  }
  for (const k of ['name', 'taxonomy']) {
    const v = raw[k];
    if (v !== undefined && (typeof v !== 'string' || v.length > 256)) issues.push({ path: [k], message: `"${k}" must be a string of at most 256 characters`, severity: 'warning', schema: true });
  }
  for (const k of ['date', 'modified']) {
    const v = raw[k];
    if (v !== undefined && (typeof v !== 'string' || !DATE.test(v))) issues.push({ path: [k], message: `"${k}" must be a date YYYY-MM-DD (got ${JSON.stringify(v)})`, severity: 'warning', schema: true });
  }
  const st = raw['status'];
  if (st !== undefined && !STATUS.includes(st as string)) issues.push({ path: ['status'], message: `unknown "status" ${JSON.stringify(st)} (expected ${STATUS.join(', ')})`, severity: 'warning', schema: true });
  const lv = raw['level'];
  if (lv !== undefined && !LEVEL.includes(lv as string)) issues.push({ path: ['level'], message: `unknown "level" ${JSON.stringify(lv)} (expected ${LEVEL.join(', ')})`, severity: 'warning', schema: true });
  const d = raw['description'];
  if (d !== undefined && (typeof d !== 'string' || d.length > 65535)) issues.push({ path: ['description'], message: '"description" must be a string of at most 65535 characters', severity: 'warning', schema: true });
  for (const k of ['author', 'license']) {
    const v = raw[k];
    if (v !== undefined && typeof v !== 'string') issues.push({ path: [k], message: `"${k}" must be a string`, severity: 'warning', schema: true });
  }
  stringArray(issues, raw, 'references');
  stringArray(issues, raw, 'fields');
  stringArray(issues, raw, 'falsepositives', 2);
  stringArray(issues, raw, 'scope', 2);
  stringArray(issues, raw, 'tags');
  if (Array.isArray(raw['tags'])) {
    (raw['tags'] as unknown[]).forEach((x, i) => {
      if (typeof x === 'string' && !TAG.test(x)) issues.push({ path: ['tags', String(i)], message: `tag ${JSON.stringify(x)} does not match namespace.name (lowercase letters, digits, _ . -)`, severity: 'warning', schema: true });
    });
  }
  const rel = raw['related'];
  if (rel !== undefined) {
    if (!Array.isArray(rel)) issues.push({ path: ['related'], message: '"related" must be a list', severity: 'warning', schema: true });
    else rel.forEach((r, i) => {
      if (!isObj(r) || typeof r['id'] !== 'string' || !RELATED.includes(r['type'] as string)) {
        issues.push({ path: ['related', String(i)], message: `"related" item ${i + 1} needs an "id" and a "type" among ${RELATED.join(', ')}`, severity: 'warning', schema: true });
      } else if (!UUID.test(r['id'] as string)) {
        issues.push({ path: ['related', String(i), 'id'], message: `"related" id ${JSON.stringify(r['id'])} is not a UUID`, severity: 'warning', schema: true });
      }
    });
  }
}

function logsource(issues: SchemaIssue[], raw: Raw, required: boolean): void {
  const ls = raw['logsource'];
  if (ls === undefined || ls === null) {
    if (required) issues.push({ path: ['logsource'], message: 'missing "logsource"', severity: 'error', schema: true });
    return;
  }
  if (!isObj(ls)) {
    issues.push({ path: ['logsource'], message: '"logsource" must be a mapping (product, category, service)', severity: 'error', schema: true });
    return;
  }
  for (const k of ['product', 'category', 'service', 'definition']) {
    const v = ls[k];
    if (v !== undefined && typeof v !== 'string') issues.push({ path: ['logsource', k], message: `"logsource.${k}" must be a string`, severity: 'warning', schema: true });
  }
}

/** Search identifiers and condition of a detection (or filter) section. */
function detectionSection(issues: SchemaIssue[], det: unknown, where: string, skip: string[]): void {
  if (!isObj(det)) {
    issues.push({ path: [where], message: `"${where}" must be a mapping of search identifiers and a condition`, severity: 'error', schema: true });
    return;
  }
  const cond = det['condition'];
  if (cond === undefined || cond === null) issues.push({ path: [where], message: `"${where}" has no "condition"`, severity: 'error', schema: true });
  else if (Array.isArray(cond)) {
    if (cond.length === 0 || cond.some((c) => typeof c !== 'string')) issues.push({ path: [where, 'condition'], message: '"condition" list must hold condition strings', severity: 'error', schema: true });
  } else if (typeof cond !== 'string') issues.push({ path: [where, 'condition'], message: '"condition" must be a string', severity: 'error', schema: true });
  let ids = 0;
  for (const [k, v] of Object.entries(det)) {
    if (k === 'condition' || skip.includes(k)) continue;
    ids++;
    if (k === 'timeframe') {
      issues.push({ path: [where, k], message: '"timeframe" in detection is Sigma 1 aggregation syntax: ignored (use a correlation rule)', severity: 'warning', schema: false });
      continue;
    }
    if (v === null || (typeof v !== 'object')) {
      // a scalar search identifier is not allowed by the schema; we still accept a single keyword string
      issues.push({ path: [where, k], message: `search identifier "${k}" must be a mapping or a list (got ${v === null ? 'null' : typeof v})`, severity: typeof v === 'string' || typeof v === 'number' ? 'warning' : 'error', schema: true });
    }
  }
  if (ids === 0) issues.push({ path: [where], message: `"${where}" defines no search identifier`, severity: 'error', schema: false });
}

function correlationSection(issues: SchemaIssue[], c: unknown): void {
  if (!isObj(c)) {
    issues.push({ path: ['correlation'], message: '"correlation" must be a mapping', severity: 'error', schema: true });
    return;
  }
  const type = c['type'];
  if (type === undefined) issues.push({ path: ['correlation'], message: 'correlation has no "type"', severity: 'error', schema: true });
  else if (!CORRELATION_TYPES.includes(type as string)) issues.push({ path: ['correlation', 'type'], message: `unknown correlation type ${JSON.stringify(type)} (expected ${CORRELATION_TYPES.join(', ')})`, severity: 'error', schema: true });
  const rules = c['rules'];
  if (rules === undefined) issues.push({ path: ['correlation'], message: 'correlation has no "rules"', severity: 'error', schema: true });
  else if (!Array.isArray(rules) || rules.length === 0 || rules.some((r) => typeof r !== 'string' || r.length < 2)) {
    issues.push({ path: ['correlation', 'rules'], message: '"rules" must be a non-empty list of rule ids or names', severity: 'error', schema: true });
  } else if (new Set(rules).size !== rules.length) issues.push({ path: ['correlation', 'rules'], message: '"rules" lists a rule twice', severity: 'warning', schema: true });
  const ts = c['timespan'];
  if (ts === undefined) issues.push({ path: ['correlation'], message: 'correlation has no "timespan"', severity: 'error', schema: true });
  else if (parseTimespan(ts) === undefined) issues.push({ path: ['correlation', 'timespan'], message: `"timespan" ${JSON.stringify(ts)} is not a number followed by s, m, h or d`, severity: 'error', schema: typeof ts !== 'string' || ts.length > 10 });
  const gb = c['group-by'];
  if (gb === undefined) {
    if (typeof type === 'string' && CORRELATION_TYPES.includes(type)) issues.push({ path: ['correlation'], message: `correlation type ${type} requires "group-by" (events are grouped as one)`, severity: 'warning', schema: true });
  } else if (!Array.isArray(gb) || gb.some((g) => typeof g !== 'string')) issues.push({ path: ['correlation', 'group-by'], message: '"group-by" must be a list of field names', severity: 'error', schema: true });
  if (c['aliases'] !== undefined) {
    if (!isObj(c['aliases']) || Object.values(c['aliases']).some((a) => !isObj(a))) {
      issues.push({ path: ['correlation', 'aliases'], message: '"aliases" must map alias names to {rule name: field}', severity: 'error', schema: true });
    }
  }
  const cond = c['condition'];
  const needsCond = type !== 'temporal' && type !== 'temporal_ordered';
  const needsField = typeof type === 'string' && type.startsWith('value_');
  if (cond === undefined) {
    if (needsCond && typeof type === 'string' && CORRELATION_TYPES.includes(type)) issues.push({ path: ['correlation'], message: `correlation type ${type} requires a "condition"`, severity: 'error', schema: true });
  } else if (!isObj(cond)) issues.push({ path: ['correlation', 'condition'], message: '"condition" must be a mapping like {gte: 10}', severity: 'error', schema: true });
  else {
    let ops = 0;
    for (const [k, v] of Object.entries(cond)) {
      if (k === 'field') {
        if (!(typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string')))) issues.push({ path: ['correlation', 'condition', k], message: '"field" must be a field name', severity: 'error', schema: true });
      } else if (CONDITION_OPS.includes(k)) {
        ops++;
        if (typeof v !== 'number' && !(typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v))) issues.push({ path: ['correlation', 'condition', k], message: `condition "${k}" needs a number (got ${JSON.stringify(v)})`, severity: 'error', schema: true });
      } else issues.push({ path: ['correlation', 'condition', k], message: `unknown condition operator "${k}" (expected ${CONDITION_OPS.join(', ')}, field)`, severity: 'error', schema: false });
    }
    if (ops === 0) issues.push({ path: ['correlation', 'condition'], message: 'condition has no comparison (gt, gte, lt, lte, eq, neq)', severity: 'error', schema: true });
    if (needsField && cond['field'] === undefined) issues.push({ path: ['correlation', 'condition'], message: `correlation type ${type} requires "field" in its condition`, severity: 'error', schema: true });
  }
}

/** Problems of one Sigma document of the given kind. */
export function schemaProblems(raw: Raw, kind: 'rule' | 'correlation' | 'filter'): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  commonMeta(issues, raw);
  if (kind === 'rule') {
    logsource(issues, raw, true);
    if (raw['detection'] === undefined) issues.push({ path: [], message: 'missing "detection"', severity: 'error', schema: true });
    else detectionSection(issues, raw['detection'], 'detection', []);
  } else if (kind === 'correlation') {
    correlationSection(issues, raw['correlation']);
    if (raw['generate'] !== undefined && typeof raw['generate'] !== 'boolean') issues.push({ path: ['generate'], message: '"generate" must be true or false', severity: 'warning', schema: true });
  } else {
    logsource(issues, raw, true);
    const f = raw['filter'];
    if (!isObj(f)) issues.push({ path: ['filter'], message: '"filter" must be a mapping with rules, selection and condition', severity: 'error', schema: true });
    else {
      const r = f['rules'];
      if (r === undefined) issues.push({ path: ['filter'], message: 'filter has no "rules" (the rules it applies to)', severity: 'warning', schema: true });
      else if (!Array.isArray(r) || r.some((x) => typeof x !== 'string')) issues.push({ path: ['filter', 'rules'], message: 'filter "rules" must be a list of rule ids or names', severity: 'error', schema: true });
      else if (r.length === 0) issues.push({ path: ['filter', 'rules'], message: 'filter "rules" is empty (applies to every rule of its log source)', severity: 'warning', schema: true });
      if (f['selection'] === undefined) issues.push({ path: ['filter'], message: 'filter has no "selection"', severity: 'warning', schema: true });
      detectionSection(issues, f, 'filter', ['rules']);
    }
  }
  return issues;
}

/** Schema conformance of a parsed document (kind chosen like the loader does). */
export function validateDocument(raw: Raw): SchemaIssue[] {
  const kind = raw['correlation'] !== undefined ? 'correlation' : raw['filter'] !== undefined && raw['detection'] === undefined ? 'filter' : 'rule';
  return schemaProblems(raw, kind);
}
