import { prepareHunt } from '/work/main/src/hunt/index.js';
import { fieldGetter } from '/work/main/src/hunt/router.js';
import { readInputs, ReadContext } from '/work/main/src/sources/index.js';
import { applyTransforms } from '/work/main/src/transforms/index.js';
import { eventText } from '/work/main/src/event.js';
const sigma = '/work/shared/sigma';
const opts = { inputs: ['/work/shared/evtx/attack-samples'], rulePaths: ['rules/windows', 'rules-emerging-threats', 'rules-threat-hunting/windows'].map((p) => sigma + '/' + p), builtinRules: true };
const prep = await prepareHunt(opts);
const ctx = new ReadContext();
const evs = [];
for await (const ev of readInputs(opts.inputs, ctx)) { applyTransforms(ev); evs.push(ev); }
let tl = 0; for (const ev of evs) tl += eventText(ev).length;
console.log('avg text', (tl / evs.length).toFixed(0));
const per = new Map<number, [number, number]>();
let t0 = performance.now();
for (const ev of evs) { const routes = prep.router.route(ev); if (routes.length >= 6) prep.prefilter.scan(ev); }
console.log('route+scan', (performance.now() - t0).toFixed(0));
for (const ev of evs) {
  const routes = prep.router.route(ev);
  if (routes.length >= 6) prep.prefilter.scan(ev);
  for (const r of routes) { if (routes.length >= 6 && !prep.prefilter.hit(r.rule)) continue; const t = performance.now(); prep.compiled[r.rule].match(ev, fieldGetter(ev, r.aliases)); const e = per.get(r.rule) ?? [0, 0]; e[0] += performance.now() - t; e[1]++; per.set(r.rule, e); }
}
let tot = 0; for (const [, [ms]] of per) tot += ms;
console.log('total match ms', tot.toFixed(0));
for (const [r, [ms, n]] of [...per].sort((a, b) => b[1][0] - a[1][0]).slice(0, 15)) console.log(ms.toFixed(0).padStart(6), 'ms', String(n).padStart(6), prep.prefilter.anchored[r] ? 'A' : '-', prep.compiled[r].rule.title, JSON.stringify(prep.compiled[r].rule.logsource));
