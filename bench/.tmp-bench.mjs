// src/event.ts
var lowerCache = /* @__PURE__ */ new WeakMap();
var textCache = /* @__PURE__ */ new WeakMap();
function getField(ev, name) {
  const f = ev.fields;
  if (Object.prototype.hasOwnProperty.call(f, name)) return f[name];
  let lower2 = lowerCache.get(ev);
  if (!lower2) {
    lower2 = /* @__PURE__ */ new Map();
    for (const k2 of Object.keys(f)) {
      const l = k2.toLowerCase();
      if (!lower2.has(l)) lower2.set(l, k2);
    }
    lowerCache.set(ev, lower2);
  }
  const k = lower2.get(name.toLowerCase());
  if (k !== void 0) return f[k];
  if (name.includes(".") && ev.doc) return getPath(ev.doc, name.split("."));
  return void 0;
}
function getPath(doc, path) {
  let cur = doc;
  for (const seg of path) {
    if (cur === null || typeof cur !== "object" || Array.isArray(cur)) return void 0;
    const obj = cur;
    if (Object.prototype.hasOwnProperty.call(obj, seg)) cur = obj[seg];
    else {
      const attrs = obj["#attributes"];
      if (attrs && typeof attrs === "object" && !Array.isArray(attrs) && Object.prototype.hasOwnProperty.call(attrs, seg)) {
        cur = attrs[seg];
      } else return void 0;
    }
  }
  if (cur && typeof cur === "object" && !Array.isArray(cur) && Object.prototype.hasOwnProperty.call(cur, "#text")) {
    return cur["#text"];
  }
  return cur;
}
function eventText(ev) {
  let t2 = textCache.get(ev);
  if (t2 === void 0) {
    const parts = [];
    const walk = (v, depth) => {
      if (depth > 32 || v === null) return;
      if (typeof v === "string") parts.push(v);
      else if (typeof v === "number" || typeof v === "boolean") parts.push(String(v));
      else if (Array.isArray(v)) for (const x of v) walk(x, depth + 1);
      else for (const x of Object.values(v)) walk(x, depth + 1);
    };
    for (const v of Object.values(ev.fields)) walk(v, 0);
    t2 = parts.join("\n");
    textCache.set(ev, t2);
  }
  return t2;
}
function parseTime(s) {
  if (!s) return void 0;
  let t2 = s.trim();
  if (t2 === "") return void 0;
  if (/^\d{4}-\d{2}-\d{2} \d/.test(t2)) t2 = t2.replace(" ", "T");
  if (/^\d{4}-\d{2}-\d{2}T[\d:.]+$/.test(t2)) t2 += "Z";
  t2 = t2.replace(/(\.\d{3})\d+/, "$1");
  const ms = Date.parse(t2);
  return Number.isFinite(ms) ? ms : void 0;
}

// src/sigma/types.ts
var RuleError = class extends Error {
  name = "RuleError";
};

// src/sigma/load.ts
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { LineCounter, parseAllDocuments, isAlias, isMap, isScalar, isSeq } from "yaml";

// src/sigma/schema.ts
var isObj = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
var UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
var DATE = /^\d{4}-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])$/;
var TAG = /^[a-z0-9_-]+\.[a-z0-9._-]+$/;
var STATUS = ["stable", "test", "experimental", "deprecated", "unsupported"];
var LEVEL = ["informational", "low", "medium", "high", "critical"];
var RELATED = ["derived", "obsolete", "merged", "renamed", "similar"];
var CORRELATION_TYPES = ["event_count", "value_count", "temporal", "temporal_ordered", "value_sum", "value_avg", "value_percentile"];
var CONDITION_OPS = ["gt", "gte", "lt", "lte", "eq", "neq"];
function parseTimespan(v) {
  if (typeof v !== "string") return void 0;
  const m = /^\s*(\d{1,9})\s*([smhdwMy])\s*$/.exec(v);
  if (!m) return void 0;
  const n = Number(m[1]);
  const unit = { s: 1e3, m: 6e4, h: 36e5, d: 864e5, w: 7 * 864e5, M: 30 * 864e5, y: 365 * 864e5 };
  return n * unit[m[2]];
}
function stringArray(issues, raw, key, minLength = 0) {
  const v = raw[key];
  if (v === void 0) return;
  if (!Array.isArray(v)) {
    issues.push({ path: [key], message: `"${key}" must be a list of strings`, severity: "warning", schema: true });
    return;
  }
  const seen = /* @__PURE__ */ new Set();
  v.forEach((x, i) => {
    if (typeof x !== "string") issues.push({ path: [key, String(i)], message: `"${key}" item ${i + 1} must be a string`, severity: "warning", schema: true });
    else {
      if (x.length < minLength) issues.push({ path: [key, String(i)], message: `"${key}" item ${i + 1} is shorter than ${minLength} characters`, severity: "warning", schema: true });
      if (seen.has(x)) issues.push({ path: [key, String(i)], message: `"${key}" lists ${JSON.stringify(x)} twice`, severity: "warning", schema: true });
      seen.add(x);
    }
  });
}
function commonMeta(issues, raw) {
  const t2 = raw["title"];
  if (t2 === void 0 || t2 === null) issues.push({ path: ["title"], message: 'missing "title"', severity: "error", schema: true });
  else if (typeof t2 !== "string") issues.push({ path: ["title"], message: '"title" must be a string', severity: "error", schema: true });
  else if (t2.length > 256) issues.push({ path: ["title"], message: `"title" is longer than 256 characters (${t2.length})`, severity: "warning", schema: true });
  const id = raw["id"];
  if (id !== void 0) {
    if (typeof id !== "string") issues.push({ path: ["id"], message: '"id" must be a string', severity: "warning", schema: true });
    else if (!UUID.test(id)) issues.push({ path: ["id"], message: `"id" ${JSON.stringify(id)} is not a UUID`, severity: "warning", schema: true });
  }
  for (const k of ["name", "taxonomy"]) {
    const v = raw[k];
    if (v !== void 0 && (typeof v !== "string" || v.length > 256)) issues.push({ path: [k], message: `"${k}" must be a string of at most 256 characters`, severity: "warning", schema: true });
  }
  for (const k of ["date", "modified"]) {
    const v = raw[k];
    if (v !== void 0 && (typeof v !== "string" || !DATE.test(v))) issues.push({ path: [k], message: `"${k}" must be a date YYYY-MM-DD (got ${JSON.stringify(v)})`, severity: "warning", schema: true });
  }
  const st = raw["status"];
  if (st !== void 0 && !STATUS.includes(st)) issues.push({ path: ["status"], message: `unknown "status" ${JSON.stringify(st)} (expected ${STATUS.join(", ")})`, severity: "warning", schema: true });
  const lv = raw["level"];
  if (lv !== void 0 && !LEVEL.includes(lv)) issues.push({ path: ["level"], message: `unknown "level" ${JSON.stringify(lv)} (expected ${LEVEL.join(", ")})`, severity: "warning", schema: true });
  const d = raw["description"];
  if (d !== void 0 && (typeof d !== "string" || d.length > 65535)) issues.push({ path: ["description"], message: '"description" must be a string of at most 65535 characters', severity: "warning", schema: true });
  for (const k of ["author", "license"]) {
    const v = raw[k];
    if (v !== void 0 && typeof v !== "string") issues.push({ path: [k], message: `"${k}" must be a string`, severity: "warning", schema: true });
  }
  stringArray(issues, raw, "references");
  stringArray(issues, raw, "fields");
  stringArray(issues, raw, "falsepositives", 2);
  stringArray(issues, raw, "scope", 2);
  stringArray(issues, raw, "tags");
  if (Array.isArray(raw["tags"])) {
    raw["tags"].forEach((x, i) => {
      if (typeof x === "string" && !TAG.test(x)) issues.push({ path: ["tags", String(i)], message: `tag ${JSON.stringify(x)} does not match namespace.name (lowercase letters, digits, _ . -)`, severity: "warning", schema: true });
    });
  }
  const rel = raw["related"];
  if (rel !== void 0) {
    if (!Array.isArray(rel)) issues.push({ path: ["related"], message: '"related" must be a list', severity: "warning", schema: true });
    else rel.forEach((r, i) => {
      if (!isObj(r) || typeof r["id"] !== "string" || !RELATED.includes(r["type"])) {
        issues.push({ path: ["related", String(i)], message: `"related" item ${i + 1} needs an "id" and a "type" among ${RELATED.join(", ")}`, severity: "warning", schema: true });
      } else if (!UUID.test(r["id"])) {
        issues.push({ path: ["related", String(i), "id"], message: `"related" id ${JSON.stringify(r["id"])} is not a UUID`, severity: "warning", schema: true });
      }
    });
  }
}
function logsource(issues, raw, required) {
  const ls = raw["logsource"];
  if (ls === void 0 || ls === null) {
    if (required) issues.push({ path: ["logsource"], message: 'missing "logsource"', severity: "error", schema: true });
    return;
  }
  if (!isObj(ls)) {
    issues.push({ path: ["logsource"], message: '"logsource" must be a mapping (product, category, service)', severity: "error", schema: true });
    return;
  }
  for (const k of ["product", "category", "service", "definition"]) {
    const v = ls[k];
    if (v !== void 0 && typeof v !== "string") issues.push({ path: ["logsource", k], message: `"logsource.${k}" must be a string`, severity: "warning", schema: true });
  }
}
function detectionSection(issues, det, where, skip) {
  if (!isObj(det)) {
    issues.push({ path: [where], message: `"${where}" must be a mapping of search identifiers and a condition`, severity: "error", schema: true });
    return;
  }
  const cond = det["condition"];
  if (cond === void 0 || cond === null) issues.push({ path: [where], message: `"${where}" has no "condition"`, severity: "error", schema: true });
  else if (Array.isArray(cond)) {
    if (cond.length === 0 || cond.some((c) => typeof c !== "string")) issues.push({ path: [where, "condition"], message: '"condition" list must hold condition strings', severity: "error", schema: true });
  } else if (typeof cond !== "string") issues.push({ path: [where, "condition"], message: '"condition" must be a string', severity: "error", schema: true });
  let ids = 0;
  for (const [k, v] of Object.entries(det)) {
    if (k === "condition" || skip.includes(k)) continue;
    ids++;
    if (k === "timeframe") {
      issues.push({ path: [where, k], message: '"timeframe" in detection is Sigma 1 aggregation syntax: ignored (use a correlation rule)', severity: "warning", schema: false });
      continue;
    }
    if (v === null || typeof v !== "object") {
      issues.push({ path: [where, k], message: `search identifier "${k}" must be a mapping or a list (got ${v === null ? "null" : typeof v})`, severity: typeof v === "string" || typeof v === "number" ? "warning" : "error", schema: true });
    }
  }
  if (ids === 0) issues.push({ path: [where], message: `"${where}" defines no search identifier`, severity: "error", schema: false });
}
function correlationSection(issues, c) {
  if (!isObj(c)) {
    issues.push({ path: ["correlation"], message: '"correlation" must be a mapping', severity: "error", schema: true });
    return;
  }
  const type = c["type"];
  if (type === void 0) issues.push({ path: ["correlation"], message: 'correlation has no "type"', severity: "error", schema: true });
  else if (!CORRELATION_TYPES.includes(type)) issues.push({ path: ["correlation", "type"], message: `unknown correlation type ${JSON.stringify(type)} (expected ${CORRELATION_TYPES.join(", ")})`, severity: "error", schema: true });
  const rules = c["rules"];
  if (rules === void 0) issues.push({ path: ["correlation"], message: 'correlation has no "rules"', severity: "error", schema: true });
  else if (!Array.isArray(rules) || rules.length === 0 || rules.some((r) => typeof r !== "string" || r.length < 2)) {
    issues.push({ path: ["correlation", "rules"], message: '"rules" must be a non-empty list of rule ids or names', severity: "error", schema: true });
  } else if (new Set(rules).size !== rules.length) issues.push({ path: ["correlation", "rules"], message: '"rules" lists a rule twice', severity: "warning", schema: true });
  const ts = c["timespan"];
  if (ts === void 0) issues.push({ path: ["correlation"], message: 'correlation has no "timespan"', severity: "error", schema: true });
  else if (parseTimespan(ts) === void 0) issues.push({ path: ["correlation", "timespan"], message: `"timespan" ${JSON.stringify(ts)} is not a number followed by s, m, h or d`, severity: "error", schema: typeof ts !== "string" || ts.length > 10 });
  const gb = c["group-by"];
  if (gb === void 0) {
    if (typeof type === "string" && CORRELATION_TYPES.includes(type)) issues.push({ path: ["correlation"], message: `correlation type ${type} requires "group-by" (events are grouped as one)`, severity: "warning", schema: true });
  } else if (!Array.isArray(gb) || gb.some((g) => typeof g !== "string")) issues.push({ path: ["correlation", "group-by"], message: '"group-by" must be a list of field names', severity: "error", schema: true });
  if (c["aliases"] !== void 0) {
    if (!isObj(c["aliases"]) || Object.values(c["aliases"]).some((a) => !isObj(a))) {
      issues.push({ path: ["correlation", "aliases"], message: '"aliases" must map alias names to {rule name: field}', severity: "error", schema: true });
    }
  }
  const cond = c["condition"];
  const needsCond = type !== "temporal" && type !== "temporal_ordered";
  const needsField = typeof type === "string" && type.startsWith("value_");
  if (cond === void 0) {
    if (needsCond && typeof type === "string" && CORRELATION_TYPES.includes(type)) issues.push({ path: ["correlation"], message: `correlation type ${type} requires a "condition"`, severity: "error", schema: true });
  } else if (!isObj(cond)) issues.push({ path: ["correlation", "condition"], message: '"condition" must be a mapping like {gte: 10}', severity: "error", schema: true });
  else {
    let ops = 0;
    for (const [k, v] of Object.entries(cond)) {
      if (k === "field") {
        if (!(typeof v === "string" || Array.isArray(v) && v.every((x) => typeof x === "string"))) issues.push({ path: ["correlation", "condition", k], message: '"field" must be a field name', severity: "error", schema: true });
      } else if (CONDITION_OPS.includes(k)) {
        ops++;
        if (typeof v !== "number" && !(typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v))) issues.push({ path: ["correlation", "condition", k], message: `condition "${k}" needs a number (got ${JSON.stringify(v)})`, severity: "error", schema: true });
      } else issues.push({ path: ["correlation", "condition", k], message: `unknown condition operator "${k}" (expected ${CONDITION_OPS.join(", ")}, field)`, severity: "error", schema: false });
    }
    if (ops === 0) issues.push({ path: ["correlation", "condition"], message: "condition has no comparison (gt, gte, lt, lte, eq, neq)", severity: "error", schema: true });
    if (needsField && cond["field"] === void 0) issues.push({ path: ["correlation", "condition"], message: `correlation type ${type} requires "field" in its condition`, severity: "error", schema: true });
  }
}
function schemaProblems(raw, kind) {
  const issues = [];
  commonMeta(issues, raw);
  if (kind === "rule") {
    logsource(issues, raw, true);
    if (raw["detection"] === void 0) issues.push({ path: [], message: 'missing "detection"', severity: "error", schema: true });
    else detectionSection(issues, raw["detection"], "detection", []);
  } else if (kind === "correlation") {
    correlationSection(issues, raw["correlation"]);
    if (raw["generate"] !== void 0 && typeof raw["generate"] !== "boolean") issues.push({ path: ["generate"], message: '"generate" must be true or false', severity: "warning", schema: true });
  } else {
    logsource(issues, raw, true);
    const f = raw["filter"];
    if (!isObj(f)) issues.push({ path: ["filter"], message: '"filter" must be a mapping with rules, selection and condition', severity: "error", schema: true });
    else {
      const r = f["rules"];
      if (r === void 0) issues.push({ path: ["filter"], message: 'filter has no "rules" (the rules it applies to)', severity: "warning", schema: true });
      else if (!Array.isArray(r) || r.some((x) => typeof x !== "string")) issues.push({ path: ["filter", "rules"], message: 'filter "rules" must be a list of rule ids or names', severity: "error", schema: true });
      else if (r.length === 0) issues.push({ path: ["filter", "rules"], message: 'filter "rules" is empty (applies to every rule of its log source)', severity: "warning", schema: true });
      if (f["selection"] === void 0) issues.push({ path: ["filter"], message: 'filter has no "selection"', severity: "warning", schema: true });
      detectionSection(issues, f, "filter", ["rules"]);
    }
  }
  return issues;
}

// src/sigma/load.ts
var MAX_RULE_FILE = 8 * 1024 * 1024;
var MAX_NODES = 2e5;
var MAX_DEPTH = 64;
var ruleLines = /* @__PURE__ */ new WeakMap();
function convert(doc, lc) {
  const lines = /* @__PURE__ */ new Map();
  let nodes = 0;
  const lineAt = (n) => {
    const r = n?.range;
    return r ? lc.linePos(r[0]).line : void 0;
  };
  const walk = (node, path, depth) => {
    if (++nodes > MAX_NODES) throw new Error(`document too large (more than ${MAX_NODES} YAML nodes)`);
    if (depth > MAX_DEPTH) throw new Error(`document nested deeper than ${MAX_DEPTH} levels`);
    if (isAlias(node)) node = node.resolve(doc);
    if (node === null || node === void 0) return null;
    const l = lineAt(node);
    if (l !== void 0 && !lines.has(path)) lines.set(path, l);
    if (isMap(node)) {
      const out = {};
      for (const pair of node.items) {
        let k = pair.key;
        if (isAlias(k)) k = k.resolve(doc);
        const key = isScalar(k) ? String(k.value ?? "") : String(k);
        const p = path === "" ? key : `${path}/${key}`;
        const kl = lineAt(pair.key);
        if (kl !== void 0) lines.set(p, kl);
        setKey(out, key, walk(pair.value, p, depth + 1));
      }
      return out;
    }
    if (isSeq(node)) return node.items.map((x, i) => walk(x, `${path}/${i}`, depth + 1));
    if (isScalar(node)) {
      const v = node.value;
      if (typeof v === "number" || typeof v === "bigint") {
        const src = node.source;
        if (typeof src === "string" && src !== String(v)) return src;
        return typeof v === "bigint" ? String(v) : v;
      }
      if (v instanceof Date) return node.source ?? v.toISOString().slice(0, 10);
      return v;
    }
    return null;
  };
  return { value: walk(doc.contents, "", 0), lines };
}
function isObj2(v) {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}
function merge(a, b) {
  const out = {};
  for (const [k, v] of Object.entries(a)) setKey(out, k, v);
  for (const [k, v] of Object.entries(b)) {
    const cur = Object.prototype.hasOwnProperty.call(out, k) ? out[k] : void 0;
    setKey(out, k, isObj2(v) && isObj2(cur) ? merge(cur, v) : v);
  }
  return out;
}
function setKey(o, k, v) {
  if (k === "__proto__" || k === "constructor" || k === "prototype") Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}
var str = (v) => typeof v === "string" ? v : typeof v === "number" ? String(v) : void 0;
var strList = (v) => Array.isArray(v) ? v.map((x) => str(x)).filter((x) => x !== void 0) : typeof v === "string" ? [v] : [];
var LEVELS = /* @__PURE__ */ new Set(["informational", "low", "medium", "high", "critical"]);
function logsourceOf(v) {
  const ls = {};
  if (isObj2(v)) {
    for (const k of ["product", "category", "service", "definition"]) {
      const s = str(v[k]);
      if (s !== void 0) ls[k] = s;
    }
  }
  return ls;
}
function parseRules(text, file) {
  const set2 = { rules: [], correlations: [], filters: [], problems: [], files: 1 };
  const lc = new LineCounter();
  let docs;
  try {
    docs = parseAllDocuments(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false, strict: false });
    if (!Array.isArray(docs)) docs = [];
  } catch (e) {
    set2.problems.push({ file, severity: "error", message: `YAML cannot be parsed: ${e.message}` });
    return set2;
  }
  let global = null;
  let previous = null;
  for (const doc of docs) {
    const docLine = doc.contents?.range ? lc.linePos(doc.contents.range[0]).line : void 0;
    if (doc.errors.length > 0) {
      const e = doc.errors[0];
      const line = e.linePos?.[0]?.line ?? (e.pos ? lc.linePos(e.pos[0]).line : docLine);
      set2.problems.push({ file, line, severity: "error", message: `YAML error: ${e.message.split("\n")[0]}` });
      continue;
    }
    if (doc.contents === null) continue;
    let conv;
    try {
      conv = convert(doc, lc);
    } catch (e) {
      set2.problems.push({ file, line: docLine, severity: "error", message: e.message });
      continue;
    }
    if (!isObj2(conv.value)) {
      set2.problems.push({ file, line: docLine, severity: "error", message: "a rule document must be a YAML mapping" });
      continue;
    }
    let raw = conv.value;
    let lines = conv.lines;
    const action = raw["action"];
    if (action !== void 0) {
      if (action === "global") {
        const { action: _a, ...rest } = raw;
        global = { value: rest, lines };
        continue;
      } else if (action === "reset") {
        global = null;
        continue;
      } else if (action === "repeat") {
        if (!previous) {
          set2.problems.push({ file, line: docLine, severity: "error", message: '"action: repeat" without a previous rule to repeat' });
          continue;
        }
        const { action: _a, ...rest } = raw;
        raw = merge(previous.value, rest);
        lines = new Map([...previous.lines, ...lines]);
      } else {
        set2.problems.push({
          file,
          line: lines.get("action") ?? docLine,
          severity: "error",
          message: `unknown collection action ${JSON.stringify(action)} (expected global, reset or repeat)`
        });
        continue;
      }
    } else if (global) {
      raw = merge(global.value, raw);
      lines = new Map([...global.lines, ...lines]);
    }
    previous = { value: raw, lines };
    addDocument(set2, raw, lines, file, docLine);
  }
  return set2;
}
function addDocument(set2, raw, lines, file, docLine) {
  const title = str(raw["title"]) ?? "";
  const id = str(raw["id"]);
  const name = str(raw["name"]);
  const kind = raw["correlation"] !== void 0 ? "correlation" : raw["filter"] !== void 0 && raw["detection"] === void 0 ? "filter" : "rule";
  const issues = schemaProblems(raw, kind);
  const line = docLine ?? lines.get("");
  let fatal = false;
  for (const is of issues) {
    if (is.severity === "error") fatal = true;
    set2.problems.push({
      file,
      line: lines.get(is.path.join("/")) ?? lineOfPrefix(lines, is.path) ?? line,
      ruleId: id,
      title: title || void 0,
      severity: is.severity,
      message: is.message
    });
  }
  if (fatal) return;
  const level = str(raw["level"]);
  const common = { file, line, id, name, title, raw };
  let rule;
  if (kind === "correlation") {
    const c = raw["correlation"];
    const aliases = {};
    if (isObj2(c["aliases"])) {
      for (const [a, m] of Object.entries(c["aliases"])) {
        if (!isObj2(m)) continue;
        aliases[a] = {};
        for (const [r, f] of Object.entries(m)) {
          const s = str(f);
          if (s !== void 0) aliases[a][r] = s;
        }
      }
    }
    rule = {
      kind: "correlation",
      ...common,
      level: LEVELS.has(level ?? "") ? level : void 0,
      status: str(raw["status"]),
      tags: strList(raw["tags"]),
      type: c["type"],
      rules: strList(c["rules"]),
      groupBy: strList(c["group-by"]),
      timespanMs: parseTimespan(c["timespan"]) ?? 0,
      aliases,
      condition: isObj2(c["condition"]) ? c["condition"] : void 0,
      generate: raw["generate"] === true || c["generate"] === true
    };
    set2.correlations.push(rule);
  } else if (kind === "filter") {
    const f = raw["filter"];
    const detection = {};
    for (const [k, v] of Object.entries(f)) if (k !== "rules") detection[k] = v;
    rule = { kind: "filter", ...common, logsource: logsourceOf(raw["logsource"]), rules: strList(f["rules"]), detection };
    set2.filters.push(rule);
  } else {
    rule = {
      kind: "rule",
      ...common,
      status: str(raw["status"]),
      level: LEVELS.has(level ?? "") ? level : void 0,
      description: str(raw["description"]),
      author: str(raw["author"]),
      date: str(raw["date"]),
      tags: strList(raw["tags"]),
      references: strList(raw["references"]),
      falsepositives: strList(raw["falsepositives"]),
      fields: strList(raw["fields"]),
      logsource: logsourceOf(raw["logsource"]),
      detection: raw["detection"]
    };
    set2.rules.push(rule);
  }
  ruleLines.set(rule, lines);
}
function lineOfPrefix(lines, path) {
  for (let n = path.length - 1; n > 0; n--) {
    const l = lines.get(path.slice(0, n).join("/"));
    if (l !== void 0) return l;
  }
  return void 0;
}
function mergeInto(a, b) {
  a.rules.push(...b.rules);
  a.correlations.push(...b.correlations);
  a.filters.push(...b.filters);
  a.problems.push(...b.problems);
  a.files += b.files;
}
async function loadRules(paths) {
  const set2 = { rules: [], correlations: [], filters: [], problems: [], files: 0 };
  const seen = /* @__PURE__ */ new Set();
  const visit = async (p, explicit, depth) => {
    let st;
    try {
      st = await stat(p);
    } catch (e) {
      set2.problems.push({ file: p, severity: "error", message: `cannot read: ${e.code ?? e.message}` });
      return;
    }
    if (st.isDirectory()) {
      if (depth > 32) return;
      let entries;
      try {
        entries = (await readdir(p)).sort();
      } catch (e) {
        set2.problems.push({ file: p, severity: "error", message: `cannot list folder: ${e.code ?? e.message}` });
        return;
      }
      for (const e of entries) {
        if (e.startsWith(".")) continue;
        await visit(join(p, e), false, depth + 1);
      }
      return;
    }
    if (!st.isFile()) return;
    if (!explicit && !/\.ya?ml$/i.test(p)) return;
    const key = `${st.dev}:${st.ino}`;
    if (seen.has(key)) return;
    seen.add(key);
    if (st.size > MAX_RULE_FILE) {
      set2.problems.push({ file: p, severity: "error", message: `rule file larger than ${MAX_RULE_FILE} bytes: not read` });
      set2.files++;
      return;
    }
    let text;
    try {
      text = await readFile(p, "utf8");
    } catch (e) {
      set2.problems.push({ file: p, severity: "error", message: `cannot read: ${e.code ?? e.message}` });
      return;
    }
    if (text.charCodeAt(0) === 65279) text = text.slice(1);
    mergeInto(set2, parseRules(text, p));
  };
  for (const p of paths) await visit(p, true, 0);
  return set2;
}

// src/sigma/compile.ts
import RE22 from "re2";

// src/sigma/condition.ts
var MAX_DEPTH2 = 100;
function tokenize(s) {
  const out = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === " " || c === "	" || c === "\n" || c === "\r") {
      i++;
      continue;
    }
    if (c === "(" || c === ")" || c === "|") {
      out.push(c);
      i++;
      continue;
    }
    let j = i;
    while (j < s.length && !" 	\n\r()|".includes(s[j])) j++;
    out.push(s.slice(i, j));
    i = j;
  }
  return out;
}
function parseCondition(text) {
  const toks = tokenize(text);
  if (toks.includes("|")) {
    throw new RuleError(`condition "${text}" uses Sigma 1 aggregation syntax ("| count() \u2026"), which Sigma 2 replaced by correlation rules`);
  }
  let p = 0;
  const peek = () => toks[p];
  const kw = (t2, k) => t2 !== void 0 && t2.toLowerCase() === k;
  const parseOr = (d) => {
    if (d > MAX_DEPTH2) throw new RuleError("condition nested too deeply");
    let left = parseAnd(d);
    while (kw(peek(), "or")) {
      p++;
      left = { t: "or", a: left, b: parseAnd(d) };
    }
    return left;
  };
  const parseAnd = (d) => {
    let left = parseNot(d);
    while (kw(peek(), "and")) {
      p++;
      left = { t: "and", a: left, b: parseNot(d) };
    }
    return left;
  };
  const parseNot = (d) => {
    if (kw(peek(), "not")) {
      p++;
      if (d > MAX_DEPTH2) throw new RuleError("condition nested too deeply");
      return { t: "not", x: parseNot(d + 1) };
    }
    return parseAtom(d);
  };
  const parseAtom = (d) => {
    const t2 = peek();
    if (t2 === void 0) throw new RuleError(`condition "${text}" ends unexpectedly`);
    if (t2 === "(") {
      p++;
      const e = parseOr(d + 1);
      if (peek() !== ")") throw new RuleError(`condition "${text}": missing ")"`);
      p++;
      return e;
    }
    if (t2 === ")") throw new RuleError(`condition "${text}": unexpected ")"`);
    const lt = t2.toLowerCase();
    if (lt === "and" || lt === "or") throw new RuleError(`condition "${text}": "${t2}" where a search identifier was expected`);
    if ((lt === "1" || lt === "any" || lt === "all") && kw(toks[p + 1], "of")) {
      const pat = toks[p + 2];
      if (pat === void 0 || pat === "(" || pat === ")") throw new RuleError(`condition "${text}": "${t2} of" needs a pattern or "them"`);
      p += 3;
      return { t: "of", all: lt === "all", pattern: pat.toLowerCase() === "them" ? "them" : pat };
    }
    if (kw(toks[p + 1], "of")) throw new RuleError(`condition "${text}": only "1 of" and "all of" are allowed (got "${t2} of")`);
    if (lt === "near") throw new RuleError(`condition "${text}" uses "near" (Sigma 1), which Sigma 2 replaced by temporal correlation rules`);
    p++;
    return { t: "id", name: t2 };
  };
  if (toks.length === 0) throw new RuleError("condition is empty");
  const ast = parseOr(0);
  if (p < toks.length) throw new RuleError(`condition "${text}": unexpected "${toks[p]}"`);
  return ast;
}
function identifierPattern(pattern) {
  if (!pattern.includes("*")) return (n) => n === pattern;
  const parts = pattern.split("*");
  return (n) => {
    if (!n.startsWith(parts[0])) return false;
    let pos = parts[0].length;
    for (let i = 1; i < parts.length - 1; i++) {
      const j = n.indexOf(parts[i], pos);
      if (j < 0) return false;
      pos = j + parts[i].length;
    }
    const last = parts[parts.length - 1];
    return n.length - last.length >= pos && n.endsWith(last);
  };
}

// src/sigma/modifiers.ts
import RE2 from "re2";
var STAR = "\uE000";
var ONE = "\uE001";
var DASH = "\uE002";
var DASHES = ["-", "/", "\u2013", "\u2014", "\u2015"];
var lowerMap = /* @__PURE__ */ new Map();
function lower(s) {
  if (s.length < 16) return s.toLowerCase();
  let l = lowerMap.get(s);
  if (l === void 0) {
    l = s.toLowerCase();
    if (lowerMap.size > 4096) lowerMap = /* @__PURE__ */ new Map();
    lowerMap.set(s, l);
  }
  return l;
}
function resetLower() {
  if (lowerMap.size > 0) lowerMap = /* @__PURE__ */ new Map();
}
function parseSigmaString(s) {
  if (!s.includes("*") && !s.includes("?") && !s.includes("\\")) return s;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "\\") {
      const n = s[i + 1];
      if (n === "*" || n === "?" || n === "\\") {
        out += n;
        i++;
      } else out += c;
    } else if (c === "*") out += STAR;
    else if (c === "?") out += ONE;
    else out += c;
  }
  return out;
}
function display(p) {
  if (typeof p !== "string") return Buffer.from(p).toString("latin1").replace(/\0/g, "\\0");
  return p.replace(/\uE000/g, "*").replace(/\uE001/g, "?").replace(/\uE002/g, "-");
}
var hasWildcard = (p) => p.includes(STAR) || p.includes(ONE) || p.includes(DASH);
var asText = (v, mod) => {
  if (typeof v !== "string") return Buffer.from(v).toString("latin1");
  if (hasWildcard(v)) throw new RuleError(`modifier ${mod} cannot encode a value with wildcards (${display(v)})`);
  return v;
};
var asBytes = (v, mod) => typeof v === "string" ? Buffer.from(asText(v, mod), "utf8") : v;
function utf16(v, mod, be, bom) {
  const s = typeof v === "string" ? asText(v, mod) : Buffer.from(v).toString("utf8");
  const le = Buffer.from(s, "utf16le");
  if (be) le.swap16();
  return [bom ? Buffer.concat([Buffer.from(be ? [254, 255] : [255, 254]), le]) : le];
}
function windash(v) {
  if (typeof v !== "string") throw new RuleError("modifier windash applies to text values only");
  const pos = [];
  const word = (c) => c !== void 0 && /[\p{L}\p{N}_]/u.test(c);
  for (let i = 0; i < v.length; i++) {
    if ((v[i] === "-" || v[i] === "/") && !word(v[i - 1]) && word(v[i + 1])) pos.push(i);
  }
  if (pos.length === 0) return [v];
  if (pos.length > 3) {
    let s = "";
    let k = 0;
    for (let i = 0; i < v.length; i++) s += pos[k] === i ? (k++, DASH) : v[i];
    return [s];
  }
  let out = [v];
  for (const p of pos) {
    const next = [];
    for (const s of out) for (const d of DASHES) next.push(s.slice(0, p) + d + s.slice(p + 1));
    out = next;
  }
  return out;
}
function expand(v, ctx) {
  if (typeof v !== "string") throw new RuleError("modifier expand applies to text values only");
  const parts = v.split(/(%[^%\uE003]+%)/);
  let out = [""];
  for (const part of parts) {
    if (part.length > 2 && part.startsWith("%") && part.endsWith("%")) {
      const name = part.slice(1, -1);
      const ph = ctx.placeholders ?? {};
      let vals = ph[name];
      if (vals === void 0) {
        const k = Object.keys(ph).find((x) => x.toLowerCase() === name.toLowerCase());
        if (k !== void 0) vals = ph[k];
      }
      if (vals === void 0) throw new RuleError(`needs placeholder ${name}`);
      if (vals.length === 0) throw new RuleError(`placeholder ${name} is empty`);
      const next = [];
      for (const o of out) for (const x of vals) next.push(o + parseSigmaString(String(x)));
      if (next.length > 1e4) throw new RuleError(`placeholder expansion of ${name} gives more than 10000 values`);
      out = next;
    } else out = out.map((o) => o + part);
  }
  return out.map((s) => s.replace(/\uE003/g, "%"));
}
function base64(b) {
  return Buffer.from(b).toString("base64");
}
function base64offset(v) {
  const b = asBytes(v, "base64offset");
  const start = [0, 2, 3];
  const endTrim = [0, 3, 2];
  const out = [];
  for (let i = 0; i < 3; i++) {
    const enc = base64(Buffer.concat([Buffer.alloc(i, 32), Buffer.from(b)]));
    const t2 = endTrim[(b.length + i) % 3];
    const s = enc.slice(start[i], t2 === 0 ? void 0 : enc.length - t2);
    if (s) out.push(s);
  }
  return out;
}
var MODIFIERS = {
  // generic
  contains: { kind: "match" },
  startswith: { kind: "match" },
  endswith: { kind: "match" },
  all: { kind: "flag" },
  exists: { kind: "match" },
  cased: { kind: "flag" },
  neq: { kind: "flag" },
  // string transforms
  windash: { kind: "transform", transform: (v) => windash(v) },
  base64: { kind: "transform", transform: (v) => [base64(asBytes(v, "base64"))] },
  base64offset: { kind: "transform", transform: (v) => base64offset(v) },
  utf16le: { kind: "transform", transform: (v) => utf16(v, "utf16le", false, false) },
  wide: { kind: "transform", transform: (v) => utf16(v, "wide", false, false) },
  utf16be: { kind: "transform", transform: (v) => utf16(v, "utf16be", true, false) },
  utf16: { kind: "transform", transform: (v) => utf16(v, "utf16", false, true) },
  expand: { kind: "transform", transform: expand },
  // regular expressions and their flags
  re: { kind: "match" },
  i: { kind: "flag" },
  m: { kind: "flag" },
  s: { kind: "flag" },
  ignorecase: { kind: "flag" },
  multiline: { kind: "flag" },
  dotall: { kind: "flag" },
  // numbers
  lt: { kind: "match" },
  lte: { kind: "match" },
  gt: { kind: "match" },
  gte: { kind: "match" },
  // dates
  minute: { kind: "time" },
  hour: { kind: "time" },
  day: { kind: "time" },
  week: { kind: "time" },
  month: { kind: "time" },
  year: { kind: "time" },
  // network, references
  cidr: { kind: "match" },
  fieldref: { kind: "match" }
};
var segHasClass = (seg) => seg.includes(ONE) || seg.includes(DASH);
function segAt(s, pos, seg) {
  if (pos < 0 || pos + seg.length > s.length) return false;
  for (let k = 0; k < seg.length; k++) {
    const p = seg.charCodeAt(k);
    if (p === 57345) continue;
    const c = s.charCodeAt(pos + k);
    if (p === 57346) {
      if (c !== 45 && c !== 47 && c !== 8211 && c !== 8212 && c !== 8213) return false;
    } else if (p !== c) return false;
  }
  return true;
}
function segFind(s, from, seg, hasClass) {
  if (!hasClass) return s.indexOf(seg, from);
  for (let i = from; i + seg.length <= s.length; i++) if (segAt(s, i, seg)) return i;
  return -1;
}
function compileGlob(pattern) {
  if (!hasWildcard(pattern)) return (s) => s === pattern;
  const segs = pattern.split(STAR);
  const cls = segs.map(segHasClass);
  const n = segs.length;
  if (n === 1) return (s) => s.length === pattern.length && segAt(s, 0, pattern);
  const first = segs[0];
  const last = segs[n - 1];
  if (!cls.some(Boolean)) {
    if (n === 2) {
      if (first === "") return last === "" ? () => true : (s) => s.endsWith(last);
      if (last === "") return (s) => s.startsWith(first);
    }
    if (n === 3 && first === "" && last === "") {
      const mid = segs[1];
      return mid === "" ? () => true : (s) => s.includes(mid);
    }
  }
  const minLen = segs.reduce((a, x) => a + x.length, 0);
  return (s) => {
    if (s.length < minLen) return false;
    if (!segAt(s, 0, first)) return false;
    let pos = first.length;
    const endStart = s.length - last.length;
    for (let k = 1; k < n - 1; k++) {
      const seg = segs[k];
      if (seg === "") continue;
      const j = segFind(s, pos, seg, cls[k]);
      if (j < 0 || j + seg.length > endStart) return false;
      pos = j + seg.length;
    }
    return endStart >= pos && segAt(s, endStart, last);
  };
}
function compileRegex(pattern, flags) {
  let re;
  try {
    re = new RE2(pattern, (flags.i ? "i" : "") + (flags.m ? "m" : "") + (flags.s ? "s" : "") + "u");
  } catch (e) {
    throw new RuleError(`regular expression ${JSON.stringify(pattern)} cannot run in linear time (re2): ${e.message}`);
  }
  return (s) => re.test(s);
}
function toNumber(s) {
  const t2 = s.trim();
  if (t2 === "") return void 0;
  if (/^[+-]?0x[0-9a-f]+$/i.test(t2)) return parseInt(t2, 16) * (t2.startsWith("-") ? -1 : 1);
  const n = Number(t2);
  return Number.isFinite(n) ? n : void 0;
}
function timePart(ms, part) {
  const d = new Date(ms);
  switch (part) {
    case "minute":
      return d.getUTCMinutes();
    case "hour":
      return d.getUTCHours();
    case "day":
      return d.getUTCDate();
    case "month":
      return d.getUTCMonth() + 1;
    case "year":
      return d.getUTCFullYear();
    case "week": {
      const t2 = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
      const day = t2.getUTCDay() || 7;
      t2.setUTCDate(t2.getUTCDate() + 4 - day);
      const y0 = new Date(Date.UTC(t2.getUTCFullYear(), 0, 1));
      return Math.ceil(((t2.getTime() - y0.getTime()) / 864e5 + 1) / 7);
    }
  }
}
function parseIp(text) {
  let s = text.trim();
  if (s.startsWith("[")) {
    const e = s.indexOf("]");
    if (e < 0) return void 0;
    s = s.slice(1, e);
  }
  const pct = s.indexOf("%");
  if (pct >= 0) s = s.slice(0, pct);
  const v4 = parseV4(s);
  if (v4) {
    const b2 = new Uint8Array(16);
    b2[10] = 255;
    b2[11] = 255;
    b2.set(v4, 12);
    return { bytes: b2, v4: true };
  }
  if (!s.includes(":") || s.length > 45) return void 0;
  const lastColon = s.lastIndexOf(":");
  if (s.slice(lastColon + 1).includes(".")) {
    const t2 = parseV4(s.slice(lastColon + 1));
    if (!t2) return void 0;
    s = `${s.slice(0, lastColon + 1)}${(t2[0] << 8 | t2[1]).toString(16)}:${(t2[2] << 8 | t2[3]).toString(16)}`;
  }
  const dbl = s.indexOf("::");
  if (dbl >= 0 && s.indexOf("::", dbl + 1) >= 0) return void 0;
  const parseGroups = (x) => {
    if (x === "") return [];
    const out = [];
    for (const g of x.split(":")) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return void 0;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  let groups;
  if (dbl >= 0) {
    const a = parseGroups(s.slice(0, dbl));
    const b2 = parseGroups(s.slice(dbl + 2));
    if (!a || !b2) return void 0;
    const fill = 8 - a.length - b2.length;
    if (fill < 1) return void 0;
    groups = [...a, ...new Array(fill).fill(0), ...b2];
  } else {
    const a = parseGroups(s);
    if (!a) return void 0;
    groups = a;
    if (groups.length !== 8) return void 0;
  }
  const b = new Uint8Array(16);
  groups.forEach((g, i) => {
    b[2 * i] = g >> 8;
    b[2 * i + 1] = g & 255;
  });
  const mapped = b.slice(0, 10).every((x) => x === 0) && b[10] === 255 && b[11] === 255;
  return { bytes: b, v4: mapped };
}
function parseV4(s) {
  const p = s.split(".");
  if (p.length !== 4) return void 0;
  const out = [];
  for (const x of p) {
    if (!/^\d{1,3}$/.test(x)) return void 0;
    const n = Number(x);
    if (n > 255) return void 0;
    out.push(n);
  }
  return out;
}
function compileCidr(spec) {
  const slash = spec.indexOf("/");
  const net = parseIp(slash >= 0 ? spec.slice(0, slash) : spec);
  if (!net) throw new RuleError(`cidr: ${JSON.stringify(spec)} is not an IPv4 or IPv6 network`);
  let bits = slash >= 0 ? Number(spec.slice(slash + 1)) : net.v4 ? 32 : 128;
  const max = net.v4 ? 32 : 128;
  if (!Number.isInteger(bits) || bits < 0 || bits > max || slash >= 0 && !/^\d{1,3}$/.test(spec.slice(slash + 1))) {
    throw new RuleError(`cidr: ${JSON.stringify(spec)} has an invalid prefix length`);
  }
  if (net.v4) bits += 96;
  const full = bits >> 3;
  const rem = bits & 7;
  const mask = rem ? 255 << 8 - rem & 255 : 0;
  const nb = net.bytes;
  return (s) => {
    const ip = parseIp(s);
    if (!ip) return false;
    const b = ip.bytes;
    for (let k = 0; k < full; k++) if (b[k] !== nb[k]) return false;
    return rem === 0 || (b[full] & mask) === (nb[full] & mask);
  };
}

// src/sigma/compile.ts
function withCost(p, cost) {
  p.cost = cost;
  return p;
}
var costOf = (p) => p.cost ?? 1;
var byCost = (ps) => [...ps].sort((a, b) => costOf(a) - costOf(b));
function andOf(ps) {
  if (ps.length === 1) return ps[0];
  const fast = byCost(ps);
  return withCost((ev, get, det) => {
    if (det === null) {
      for (let k = 0; k < fast.length; k++) if (!fast[k](ev, get, null)) return false;
      return true;
    }
    const mark = det.length;
    for (let k = 0; k < ps.length; k++) if (!ps[k](ev, get, det)) {
      det.length = mark;
      return false;
    }
    return true;
  }, ps.reduce((a, p) => a + costOf(p), 0));
}
function orOf(ps) {
  if (ps.length === 1) return ps[0];
  const fast = byCost(ps);
  return withCost((ev, get, det) => {
    if (det === null) {
      for (let k = 0; k < fast.length; k++) if (fast[k](ev, get, null)) return true;
      return false;
    }
    for (let k = 0; k < ps.length; k++) if (ps[k](ev, get, det)) return true;
    return false;
  }, ps.reduce((a, p) => a + costOf(p), 0));
}
var MAX_DETAIL = 200;
var cut = (s) => s.length > MAX_DETAIL ? `${s.slice(0, MAX_DETAIL - 1)}\u2026` : s;
var isObj3 = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
function scalarText(v) {
  if (v === null) return void 0;
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}
function findText(v, t2, get) {
  if (v === void 0 || v === null) return void 0;
  if (typeof v === "string") return t2.test(v, get) ? v : void 0;
  if (Array.isArray(v)) {
    for (const x of v) {
      if (Array.isArray(x)) {
        const r = findText(x, t2, get);
        if (r !== void 0) return r;
        continue;
      }
      const s2 = x === null ? void 0 : scalarText(x);
      if (s2 !== void 0 && t2.test(s2, get)) return s2;
    }
    return void 0;
  }
  const s = scalarText(v);
  return t2.test(s, get) ? s : void 0;
}
var MATCH_KINDS = /* @__PURE__ */ new Set(["contains", "startswith", "endswith", "re", "cidr", "lt", "lte", "gt", "gte", "exists", "fieldref"]);
var TIME_FIELDS = /* @__PURE__ */ new Set(["", "@timestamp", "timestamp", "time", "timecreated", "timecreated_systemtime", "systemtime", "utctime", "eventtime", "_time", "creationtime", "date"]);
function textTest(p, cased, pattern) {
  if (cased) {
    const c = compileGlob(p);
    return { test: (s) => c(s), pattern };
  }
  const g = compileGlob(p.toLowerCase());
  return { test: (s) => g(lower(s)), pattern, onLower: g, glob: p.toLowerCase() };
}
function compileItem(spec, opts) {
  const { field, mods } = spec;
  for (const m of mods) if (!MODIFIERS[m]) throw new RuleError(`unknown modifier "${m}" on ${spec.label}`);
  const has = (m) => mods.includes(m);
  const kinds = mods.filter((m) => MATCH_KINDS.has(m));
  const fieldref = has("fieldref");
  const strKinds = kinds.filter((k) => k !== "fieldref");
  if (strKinds.length > 1) throw new RuleError(`modifiers ${strKinds.join(" and ")} cannot be combined on ${spec.label}`);
  const kind = strKinds[0];
  const cased = has("cased");
  const all = has("all");
  const neq = has("neq");
  const timeMods = mods.filter((m) => MODIFIERS[m].kind === "time");
  if (timeMods.length > 1) throw new RuleError(`several date modifiers (${timeMods.join(", ")}) on ${spec.label}`);
  const tpart = timeMods[0];
  const reFlags = { i: has("i") || has("ignorecase"), m: has("m") || has("multiline"), s: has("s") || has("dotall") };
  if ((reFlags.i || reFlags.m || reFlags.s) && kind !== "re") throw new RuleError(`regex flags (i, m, s) need the re modifier on ${spec.label}`);
  const transforms = mods.filter((m) => MODIFIERS[m].kind === "transform");
  const keyword = field === "";
  if (kind === "exists") {
    if (spec.values.length !== 1 || typeof spec.values[0] !== "boolean") throw new RuleError(`exists needs true or false on ${spec.label}`);
    const want = spec.values[0];
    if (keyword) throw new RuleError("exists needs a field name");
    return (_ev, get, det) => {
      const v = get(field);
      const ok = v !== void 0 === want;
      if (ok && det) det.push({ field, value: v === void 0 ? "(absent)" : cut(scalarText(v) ?? "null"), pattern: `exists: ${want}` });
      return ok;
    };
  }
  const groups = [];
  const expandOnly = (t2) => {
    if (!has("expand")) return [t2];
    const others = transforms.filter((m) => m !== "expand");
    if (others.length) throw new RuleError(`${kind ?? tpart} cannot be combined with ${others.join(", ")} on ${spec.label}`);
    return MODIFIERS["expand"].transform(parseSigmaString(t2.replace(/\\%/g, "\uE003")), { placeholders: opts.placeholders }).map((x) => x.replace(/\uE000/g, "*").replace(/\uE001/g, "?"));
  };
  const plainKinds = kind === "lt" || kind === "lte" || kind === "gt" || kind === "gte" || kind === "cidr" || kind === "re" || fieldref || tpart !== void 0;
  const values = [];
  for (const raw of spec.values) {
    if (plainKinds && (typeof raw === "string" || typeof raw === "number")) values.push(...expandOnly(String(raw)).map((t2) => typeof raw === "number" && t2 === String(raw) ? raw : t2));
    else values.push(raw);
  }
  for (const raw of values) {
    if (raw === null || raw === void 0) {
      groups.push("null");
      continue;
    }
    if (isObj3(raw) || Array.isArray(raw)) throw new RuleError(`${spec.label} has a nested list or mapping as value`);
    const text = typeof raw === "string" ? raw : String(raw);
    if (kind === "lt" || kind === "lte" || kind === "gt" || kind === "gte") {
      const n = toNumber(text);
      if (n === void 0) throw new RuleError(`${kind} needs a number, got ${JSON.stringify(text)} on ${spec.label}`);
      const cmp = kind === "lt" ? (x) => x < n : kind === "lte" ? (x) => x <= n : kind === "gt" ? (x) => x > n : (x) => x >= n;
      groups.push([{ test: (s) => {
        const x = toNumber(s);
        return x !== void 0 && cmp(x);
      }, pattern: `${kind} ${text}` }]);
      continue;
    }
    if (tpart) {
      const n = toNumber(text);
      if (n === void 0) throw new RuleError(`${tpart} needs a number, got ${JSON.stringify(text)} on ${spec.label}`);
      groups.push([{ test: (s) => toNumber(s) === n, pattern: `${tpart} ${text}` }]);
      continue;
    }
    if (kind === "cidr") {
      const t2 = compileCidr(text);
      groups.push([{ test: (s) => t2(s), pattern: text }]);
      continue;
    }
    if (kind === "re") {
      if (transforms.some((m) => m !== "expand")) throw new RuleError(`re cannot be combined with ${transforms.join(", ")} on ${spec.label}`);
      const t2 = compileRegex(text, reFlags);
      groups.push([{ test: (s) => t2(s), pattern: `/${text}/` }]);
      continue;
    }
    if (fieldref) {
      const other = text;
      const ci = !cased;
      const cmp = kind === "contains" ? (a, b) => a.includes(b) : kind === "startswith" ? (a, b) => a.startsWith(b) : kind === "endswith" ? (a, b) => a.endsWith(b) : (a, b) => a === b;
      groups.push([{
        test: (s, get) => {
          const o = get(other);
          if (o === void 0 || o === null) return false;
          const os = Array.isArray(o) ? o.map((x) => scalarText(x)).filter((x) => x !== void 0) : [scalarText(o)];
          const a = ci ? lower(s) : s;
          return os.some((b) => cmp(a, ci ? b.toLowerCase() : b));
        },
        pattern: `field ${other}`
      }]);
      continue;
    }
    const pre = has("expand") ? text.replace(/\\%/g, "\uE003") : text;
    let vals = [parseSigmaString(pre)];
    for (const m of transforms) {
      const tf = MODIFIERS[m].transform;
      const next = [];
      for (const v of vals) next.push(...tf(v, { placeholders: opts.placeholders }));
      vals = next;
    }
    const effKind = kind ?? (keyword ? "contains" : void 0);
    const alts = [];
    for (const v of vals) {
      let p = typeof v === "string" ? v : Buffer.from(v).toString("latin1");
      if (effKind === "contains") p = STAR + p + STAR;
      else if (effKind === "startswith") p = p + STAR;
      else if (effKind === "endswith") p = STAR + p;
      alts.push(textTest(p, cased, display(typeof v === "string" ? v : p)));
    }
    groups.push(alts);
  }
  if (groups.length === 0) throw new RuleError(`${spec.label} has an empty list of values`);
  const value = (ev, get) => {
    if (keyword) return eventText(ev);
    let v = get(field);
    if (tpart) {
      let ms;
      if (v === void 0 && TIME_FIELDS.has(field.toLowerCase())) ms = ev.time;
      else if (typeof v === "number") ms = v > 1e11 ? v : v * 1e3;
      else if (typeof v === "string") ms = parseTime(v);
      v = ms === void 0 ? void 0 : timePart(ms, tpart);
    }
    return v;
  };
  const lowerOnly = groups.every((g) => g === "null" || g.every((t2) => t2.onLower !== void 0));
  const lgroups = lowerOnly ? groups.map((g) => g === "null" ? g : g.map((t2) => t2.onLower)) : [];
  const nTests = groups.reduce((a, g) => a + (g === "null" ? 0 : g.length), 0);
  const batched = lowerOnly && !all && nTests >= BATCH_MIN ? batchOr(groups.flatMap((g) => g === "null" ? [] : g.map((t2) => t2.glob))) : null;
  const lowerMatch = batched ?? ((l) => {
    if (all) {
      for (const g of lgroups) {
        if (g === "null") return false;
        let ok = false;
        for (let k = 0; k < g.length; k++) if (g[k](l)) {
          ok = true;
          break;
        }
        if (!ok) return false;
      }
      return true;
    }
    for (const g of lgroups) {
      if (g === "null") continue;
      for (let k = 0; k < g.length; k++) if (g[k](l)) return true;
    }
    return false;
  });
  const groupMatch = (g, v, get) => {
    if (g === "null") return v === void 0 || v === null;
    if (v === void 0 || v === null) return false;
    if (typeof v === "string") {
      for (let k = 0; k < g.length; k++) if (g[k].test(v, get)) return true;
      return false;
    }
    for (let k = 0; k < g.length; k++) if (findText(v, g[k], get) !== void 0) return true;
    return false;
  };
  const explain = (v, get, det) => {
    const name = keyword ? "" : field;
    if (neq) {
      det.push({ field: name, value: v === void 0 ? "(absent)" : cut(scalarText(v) ?? "null"), pattern: `not ${groups.map((g) => g === "null" ? "null" : g.map((t2) => t2.pattern).join("|")).join(", ")}` });
      return;
    }
    for (const g of groups) {
      if (g === "null") {
        if (v === void 0 || v === null) det.push({ field: name, value: v === void 0 ? "(absent)" : "null", pattern: "null" });
        if (!all) return;
        continue;
      }
      for (const t2 of g) {
        let s = findText(v, t2, get);
        if (s === void 0) continue;
        if (keyword) s = keywordSource(v, t2, get) ?? s;
        det.push({ field: name, value: cut(s), pattern: t2.pattern });
        break;
      }
      if (!all && det.length) return;
    }
  };
  const hasNull = groups.includes("null");
  const cost = 1 + groups.reduce((a, g) => a + (g === "null" ? 0 : g.length), 0) * (kind === "re" ? 4 : kind === "cidr" || fieldref ? 3 : 1) * (keyword ? 20 : 1);
  return withCost((ev, get, det) => {
    const v = value(ev, get);
    if ((v === void 0 || v === null) && !hasNull) {
      if (!neq) return false;
      if (det) explain(v, get, det);
      return true;
    }
    let ok;
    if (lowerOnly && typeof v === "string") ok = lowerMatch(lower(v));
    else if (lowerOnly && typeof v === "number") ok = lowerMatch(String(v));
    else if (all) {
      ok = true;
      for (const g of groups) if (!groupMatch(g, v, get)) {
        ok = false;
        break;
      }
    } else {
      ok = false;
      for (const g of groups) if (groupMatch(g, v, get)) {
        ok = true;
        break;
      }
    }
    if (neq) ok = !ok;
    if (ok && det) explain(v, get, det);
    return ok;
  }, cost);
}
var BATCH_MIN = 8;
var CONTAINS_RE2_MIN = 16;
function batchOr(globs) {
  const exact = /* @__PURE__ */ new Set();
  const prefix = /* @__PURE__ */ new Map();
  const suffix = /* @__PURE__ */ new Map();
  const contains = [];
  const other = [];
  const put = (m, x) => {
    let st = m.get(x.length);
    if (!st) m.set(x.length, st = /* @__PURE__ */ new Set());
    st.add(x);
  };
  for (const p of globs) {
    const segs = p.split(STAR);
    const special = p.includes("\uE001") || p.includes("\uE002");
    if (special) other.push(compileGlob(p));
    else if (segs.length === 1) exact.add(p);
    else if (segs.length === 2 && segs[0] === "" && segs[1] === "") return () => true;
    else if (segs.length === 2 && segs[0] === "") put(suffix, segs[1]);
    else if (segs.length === 2 && segs[1] === "") put(prefix, segs[0]);
    else if (segs.length === 3 && segs[0] === "" && segs[2] === "" && segs[1] !== "") contains.push(segs[1]);
    else other.push(compileGlob(p));
  }
  const pre = [...prefix];
  const suf = [...suffix];
  let containsTest = null;
  const uniq = [...new Set(contains)];
  if (uniq.length >= CONTAINS_RE2_MIN) {
    try {
      const re = new RE22(uniq.map((x) => x.replace(/[.*+?^${}()|[\]\\\/-]/g, "\\$&")).join("|"), "u");
      containsTest = (l) => re.test(l);
    } catch {
      containsTest = null;
    }
  }
  if (!containsTest && uniq.length) containsTest = (l) => {
    for (let k = 0; k < uniq.length; k++) if (l.includes(uniq[k])) return true;
    return false;
  };
  return (l) => {
    if (exact.has(l)) return true;
    for (let k = 0; k < suf.length; k++) {
      const [n, st] = suf[k];
      if (l.length >= n && st.has(l.slice(l.length - n))) return true;
    }
    for (let k = 0; k < pre.length; k++) {
      const [n, st] = pre[k];
      if (l.length >= n && st.has(l.slice(0, n))) return true;
    }
    if (containsTest && containsTest(l)) return true;
    for (let k = 0; k < other.length; k++) if (other[k](l)) return true;
    return false;
  };
}
function keywordSource(text, t2, get) {
  let start = 0;
  let n = 0;
  while (start <= text.length && n++ < 1e4) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    if (t2.test(line, get)) return line;
    start = end + 1;
  }
  return void 0;
}
function splitKey(key) {
  const parts = key.split("|");
  return { field: parts[0].trim(), mods: parts.slice(1).map((m) => m.trim()).filter((m) => m !== "") };
}
function compileSearch(name, def, opts) {
  const mapPred = (m, label2) => {
    const items = [];
    for (const [k, v] of Object.entries(m)) {
      const { field, mods } = splitKey(k);
      const values = Array.isArray(v) ? v : [v];
      items.push(compileItem({ field, mods, values, label: `${label2}${field === "" ? " (keywords)" : ` field ${field}`}` }, opts));
    }
    if (items.length === 0) throw new RuleError(`search identifier "${name}" is an empty mapping`);
    return andOf(items);
  };
  const label = `"${name}"`;
  if (isObj3(def)) return mapPred(def, label);
  if (Array.isArray(def)) {
    if (def.length === 0) throw new RuleError(`search identifier "${name}" is an empty list`);
    const preds = [];
    const keywords = [];
    def.forEach((x, i) => {
      if (isObj3(x)) preds.push(mapPred(x, `${label}[${i + 1}]`));
      else if (Array.isArray(x)) throw new RuleError(`search identifier "${name}" holds a nested list`);
      else keywords.push(x);
    });
    if (keywords.length) preds.push(compileItem({ field: "", mods: [], values: keywords, label: `${label} (keywords)` }, opts));
    return orOf(preds);
  }
  if (typeof def === "string" || typeof def === "number") return compileItem({ field: "", mods: [], values: [def], label: `${label} (keyword)` }, opts);
  throw new RuleError(`search identifier "${name}" must be a mapping or a list (got ${def === null ? "null" : typeof def})`);
}
function compileDetection(detection, opts, skip = []) {
  if (!isObj3(detection)) throw new RuleError("detection must be a mapping");
  const cond = detection["condition"];
  const conds = Array.isArray(cond) ? cond : [cond];
  if (cond === void 0 || cond === null || conds.length === 0 || conds.some((c) => typeof c !== "string")) throw new RuleError("detection has no condition string");
  const names = Object.keys(detection).filter((k) => k !== "condition" && k !== "timeframe" && !skip.includes(k));
  const compiled2 = /* @__PURE__ */ new Map();
  const getId = (n) => {
    let key = n;
    if (!Object.prototype.hasOwnProperty.call(detection, key) || key === "condition" || skip.includes(key)) {
      const alt = names.find((x) => x.toLowerCase() === n.toLowerCase());
      if (alt === void 0) throw new RuleError(`condition refers to "${n}", which is not a search identifier of this rule`);
      key = alt;
    }
    let p = compiled2.get(key);
    if (!p) {
      try {
        p = compileSearch(key, detection[key], opts);
      } catch (e) {
        if (e instanceof RuleError && !e.message.includes(`"${key}"`)) throw new RuleError(`${e.message} (search identifier "${key}")`);
        throw e;
      }
      compiled2.set(key, p);
    }
    return p;
  };
  const build = (n) => {
    switch (n.t) {
      case "id":
        return getId(n.name);
      case "not": {
        const x = build(n.x);
        return withCost((ev, get) => !x(ev, get, null), costOf(x));
      }
      case "and":
        return andOf(flatten(n, "and").map(build));
      case "or":
        return orOf(flatten(n, "or").map(build));
      case "of": {
        const sel = n.pattern === "them" ? names.filter((x) => !x.startsWith("_")) : names.filter(identifierPattern(n.pattern));
        if (sel.length === 0) throw new RuleError(`"${n.all ? "all" : "1"} of ${n.pattern}" matches no search identifier`);
        const ps = sel.map(getId);
        return n.all ? andOf(ps) : orOf(ps);
      }
    }
  };
  return orOf(conds.map((c) => build(parseCondition(c))));
}
function flatten(n, op) {
  if (n.t !== op) return [n];
  return [...flatten(n.a, op), ...flatten(n.b, op)];
}
function filterApplies(f, rule) {
  if (f.rules.length > 0) return f.rules.some((r) => r === rule.id || r === rule.name);
  const a = f.logsource, b = rule.logsource;
  for (const k of ["product", "category", "service"]) {
    if (a[k] !== void 0 && a[k].toLowerCase() !== (b[k] ?? "").toLowerCase()) return false;
  }
  return true;
}
var lastEv = null;
function compileRule(rule, opts = {}) {
  const pred = compileDetection(rule.detection, opts);
  const filters = (opts.filters ?? []).filter((f) => filterApplies(f, rule));
  const fpreds = filters.map((f) => {
    try {
      return compileDetection(f.detection, opts);
    } catch (e) {
      throw new RuleError(`filter "${f.title}" (${f.file}) cannot run: ${e.message}`);
    }
  });
  return {
    rule,
    logsource: { ...rule.logsource },
    filters: filters.map((f) => f.id ?? f.title),
    match(ev, get) {
      if (ev !== lastEv) {
        lastEv = ev;
        resetLower();
      }
      if (!pred(ev, get, null)) return null;
      for (const f of fpreds) if (f(ev, get, null)) return null;
      const det = [];
      pred(ev, get, det);
      if (det.length < 2) return det;
      const seen = /* @__PURE__ */ new Set();
      return det.filter((d) => {
        const k = `${d.field}\0${d.value}`;
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      });
    }
  };
}

// test/helpers.ts
import { existsSync } from "node:fs";
import { dirname, join as join2, resolve } from "node:path";
import { fileURLToPath } from "node:url";
var here = dirname(fileURLToPath(import.meta.url));
var ROOT = existsSync(join2(here, "..", "package.json")) ? resolve(here, "..") : resolve(here, "..", "..");
var FIXTURES = join2(ROOT, "test", "fixtures");
var SHARED = existsSync(join2(ROOT, "..", "shared")) ? resolve(ROOT, "..", "shared") : null;

// bench/sigma.ts
import { join as join3 } from "node:path";
var N = Number(process.argv[2] ?? 2e4);
if (!SHARED) {
  console.log("../shared is absent: nothing to benchmark");
  process.exit(0);
}
var dirs = ["rules", "rules-emerging-threats", "rules-threat-hunting", "rules-compliance"].map((d) => join3(SHARED, "sigma", d));
var t = performance.now();
var set = await loadRules(dirs);
var tLoad = performance.now() - t;
t = performance.now();
var compiled = [];
for (const r of set.rules) {
  try {
    compiled.push(compileRule(r));
  } catch {
  }
}
var tCompile = performance.now() - t;
console.log(`load ${set.rules.length} rules: ${tLoad.toFixed(0)} ms; compile ${compiled.length}: ${tCompile.toFixed(0)} ms`);
var images = [
  "C:\\Windows\\System32\\svchost.exe",
  "C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE",
  "C:\\Windows\\System32\\cmd.exe",
  "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
  "C:\\Users\\bob\\AppData\\Local\\Temp\\setup.exe"
];
var cmds = [
  "svchost.exe -k netsvcs -p -s Schedule",
  '"C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE" /n "C:\\Users\\bob\\Documents\\report.docx"',
  "cmd.exe /c echo hello > C:\\temp\\out.txt",
  "powershell.exe -NoProfile -ExecutionPolicy Bypass -File C:\\scripts\\inventory.ps1",
  "setup.exe /quiet /norestart"
];
var events = [];
for (let k = 0; k < 1e3; k++) {
  const i = k % images.length;
  events.push({
    origin: { file: "synthetic", format: "bench", offset: k },
    time: Date.UTC(2024, 0, 1) + k * 1e3,
    computer: "WKS-01",
    channel: "Microsoft-Windows-Sysmon/Operational",
    provider: "Microsoft-Windows-Sysmon",
    eventId: 1,
    logsource: { product: "windows", category: "process_creation" },
    fields: {
      EventID: 1,
      Channel: "Microsoft-Windows-Sysmon/Operational",
      Computer: "WKS-01",
      UtcTime: "2024-01-01 00:00:00.000",
      ProcessGuid: `{a1b2c3d4-0000-0000-0000-${String(k).padStart(12, "0")}}`,
      ProcessId: 1e3 + k,
      Image: images[i],
      FileVersion: "10.0.19041.1",
      Description: "Host Process",
      Product: "Microsoft Windows",
      Company: "Microsoft Corporation",
      OriginalFileName: images[i].split("\\").pop(),
      CommandLine: `${cmds[i]} ${k}`,
      CurrentDirectory: "C:\\Windows\\system32\\",
      User: "CORP\\bob",
      LogonId: "0x3e7",
      IntegrityLevel: "Medium",
      Hashes: `SHA256=${"ab".repeat(32)},IMPHASH=${"cd".repeat(16)}`,
      ParentImage: "C:\\Windows\\explorer.exe",
      ParentCommandLine: "C:\\Windows\\Explorer.EXE",
      ParentUser: "CORP\\bob"
    }
  });
}
var routed = compiled.filter((c) => c.logsource.category === "process_creation" && (c.logsource.product ?? "windows") === "windows");
function bench(rules, label) {
  let matches = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let k = 0; k < N; k++) {
    const e = events[k % events.length];
    const get = (f) => getField(e, f);
    for (const r of rules) if (r.match(e, get)) matches++;
  }
  const wall = (performance.now() - t0) / 1e3;
  const cu = process.cpuUsage(c0);
  const s = (cu.user + cu.system) / 1e6;
  console.log(`${label}: ${rules.length} rules \xD7 ${N} events: ${(N / s).toFixed(0)} events/s of CPU time (${(N / wall).toFixed(0)} wall), ${(N * rules.length / s / 1e6).toFixed(2)} M rule tests/s, ${matches} matches`);
}
bench(routed, "routed (windows/process_creation rules)");
bench(compiled, "all rules, no routing");
console.log(`heap used: ${(process.memoryUsage().heapUsed / 1048576).toFixed(0)} MiB`);
