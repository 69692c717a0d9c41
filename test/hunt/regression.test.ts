/**
 * SigmaHQ regression suite (../shared/sigma/regression_data): for each test, the named rule must match its
 * EVTX file, and its evtx_dump JSON twin, at least match_count times (1 when absent). Target: >= 99% pass.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { shared } from '../helpers.js';
import { prepareHunt, runHunt } from '../../src/hunt/index.js';
import { Router } from '../../src/hunt/router.js';
import { readFile as readEvents, ReadContext } from '../../src/sources/index.js';
import { applyTransforms } from '../../src/transforms/index.js';
import { fieldGetter } from '../../src/hunt/router.js';
import { Prefilter } from '../../src/hunt/prefilter.js';

const sigma = shared('sigma');

interface Case { dir: string; ruleId: string; title: string; evtx?: string; json?: string; min: number }

function walk(dir: string, out: string[]): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile()) out.push(p);
  }
}

function cases(root: string): Case[] {
  const files: string[] = [];
  walk(join(root, 'regression_data'), files);
  const out: Case[] = [];
  for (const f of files.filter((x) => x.endsWith('info.yml')).sort()) {
    const info = parseYaml(readFileSync(f, 'utf8')) as {
      rule_metadata?: { id: string; title: string }[];
      regression_tests_info?: { type: string; path: string; match_count?: number }[];
    };
    const meta = info.rule_metadata?.[0];
    const tests = info.regression_tests_info?.filter((t) => t.type === 'evtx') ?? [];
    if (!meta || tests.length === 0) continue; // commented-out tests (e.g. raw logs) are not part of the suite
    for (const t of tests) {
      const evtx = join(root, t.path);
      const json = evtx.replace(/\.evtx$/i, '.json');
      out.push({ dir: dirname(f), ruleId: meta.id, title: meta.title, evtx: existsSync(evtx) ? evtx : undefined, json: existsSync(json) ? json : undefined, min: t.match_count ?? 1 });
    }
  }
  return out;
}

function ruleIndex(root: string): Map<string, string> {
  const idx = new Map<string, string>();
  for (const d of readdirSync(root).filter((x) => x.startsWith('rules') || x === 'deprecated')) {
    const files: string[] = [];
    walk(join(root, d), files);
    for (const f of files) {
      if (!/\.ya?ml$/.test(f)) continue;
      const m = /^id:\s*['"]?([0-9a-fA-F-]{36})/m.exec(readFileSync(f, 'utf8'));
      if (m) idx.set(m[1].toLowerCase(), f);
    }
  }
  return idx;
}

test('SigmaHQ regression suite: >= 99% pass from EVTX and from the JSON twins; prefilter anchors hold', { skip: sigma.skip || false, timeout: 600_000 }, async (t) => {
  const root = sigma.path!;
  const all = cases(root);
  const idx = ruleIndex(root);
  assert.ok(all.length >= 200, `expected about 202 regression tests, found ${all.length}`);
  const fails = { evtx: [] as string[], json: [] as string[] };
  let evtxRecords = 0;
  let jsonRecords = 0;
  let anchoredRules = 0;
  const prefilterMisses: string[] = [];
  for (const c of all) {
    const rulePath = idx.get(c.ruleId.toLowerCase());
    if (!rulePath) {
      fails.evtx.push(`${c.title} [${c.ruleId}]: rule file not found`);
      fails.json.push(`${c.title} [${c.ruleId}]: rule file not found`);
      continue;
    }
    const opts = { inputs: [] as string[], rulePaths: [rulePath], builtinRules: false };
    const prep = await prepareHunt(opts);
    const why = prep.summaryRules.failed.map((f) => f.reason).join('; ') || prep.summaryRules.inactive.map((i) => `inactive: needs ${i.placeholders.join(',')}`).join('; ');
    const compiled = prep.compiled.find((x) => x.rule.id?.toLowerCase() === c.ruleId.toLowerCase());
    // EVTX through the normal hunt path
    if (c.evtx) {
      const r = await runHunt({ ...opts, inputs: [c.evtx] }, prep);
      evtxRecords += r.summary.records;
      const n = r.detections.filter((d) => d.ruleId?.toLowerCase() === c.ruleId.toLowerCase()).length;
      if (n < c.min) fails.evtx.push(`${c.title} [${c.ruleId}] ${c.evtx.slice(root.length + 1)}: ${n}/${c.min} matches` +
        `${r.summary.records === 0 ? ' (no record read)' : ''}${why ? ` — ${why}` : ''}`);
    }
    // JSON twin: through the evtx-json reader, and the prefilter's anchors checked on the same events:
    // every event the rule matches must contain one of them
    if (c.json) {
      const r = await runHunt({ ...opts, inputs: [c.json] }, prep);
      const n = r.detections.filter((d) => d.ruleId?.toLowerCase() === c.ruleId.toLowerCase()).length;
      jsonRecords += r.summary.records;
      if (compiled) {
        const router = new Router(prep.mapping, [compiled]);
        const pre = new Prefilter([compiled.rule.detection]);
        if (pre.anchored[0]) anchoredRules++;
        for await (const raw of readEvents(c.json, new ReadContext())) {
          const ev = applyTransforms(raw);
          for (const route of router.route(ev)) {
            if (!compiled.match(ev, fieldGetter(ev, route.aliases))) continue;
            pre.scan(ev);
            if (!pre.hit(0)) prefilterMisses.push(`${c.title} [${c.ruleId}]: prefilter anchors absent from a matching event`);
          }
        }
      }
      if (n < c.min) fails.json.push(`${c.title} [${c.ruleId}] ${c.json.slice(root.length + 1)}: ${n}/${c.min} matches` +
        `${r.summary.records === 0 ? ' (no record read)' : ''}${why ? ` — ${why}` : ''}`);
    }
  }
  const total = all.length;
  const report = (kind: 'evtx' | 'json') => {
    const pass = total - fails[kind].length;
    t.diagnostic(`${kind}: ${pass}/${total} pass (${((100 * pass) / total).toFixed(1)}%)`);
    for (const f of fails[kind]) t.diagnostic(`  FAIL ${kind}: ${f}`);
    return pass / total;
  };
  const jsonRate = report('json');
  t.diagnostic(`prefilter: ${anchoredRules} of the rules have anchors; ${prefilterMisses.length} matching events without them`);
  assert.deepEqual(prefilterMisses, [], 'the prefilter never skips an event its rule matches');
  assert.ok(jsonRecords > 0, 'the evtx-json reader read no record from the JSON twins');
  assert.ok(jsonRate >= 0.99, `JSON twins: ${(jsonRate * 100).toFixed(1)}% pass, need >= 99%`);
  assert.ok(evtxRecords > 0, 'the EVTX reader read no record from the regression files');
  const evtxRate = report('evtx');
  assert.ok(evtxRate >= 0.99, `EVTX: ${(evtxRate * 100).toFixed(1)}% pass, need >= 99%`);
});
