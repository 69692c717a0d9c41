import { prepareHunt, runHunt } from '/work/main/src/hunt/index.js';
const sigma = '/work/shared/sigma';
const opts = { inputs: ['/work/shared/evtx/attack-samples/Execution'], rulePaths: [sigma + '/rules/windows'], builtinRules: true };
const prep = await prepareHunt(opts);
let t = performance.now();
const r = await runHunt(opts, prep);
const ms = performance.now() - t;
console.log(r.summary.records, 'events', ms.toFixed(0), 'ms', (r.summary.records / ms * 1000).toFixed(0), 'ev/s');
// routes per event
import { readInputs, ReadContext } from '/work/main/src/sources/index.js';
const ctx = new ReadContext(); let routes = 0, n = 0; let tm = 0;
const evs = [];
for await (const ev of readInputs(opts.inputs, ctx)) { evs.push(ev); }
t = performance.now();
for (const ev of evs) { const rs = prep.router.route(ev); routes += rs.length; n++; }
console.log('route only', (performance.now() - t).toFixed(0), 'ms; avg routes/event', (routes / n).toFixed(0));
let c0 = process.cpuUsage(); t = performance.now();
const { fieldGetter } = await import('/work/main/src/hunt/router.js');
for (const ev of evs) { for (const r of prep.router.route(ev)) prep.compiled[r.rule].match(ev, fieldGetter(ev, r.aliases)); }
const cu = process.cpuUsage(c0); console.log('match only', (performance.now() - t).toFixed(0), 'ms wall', ((cu.user+cu.system)/1000).toFixed(0), 'ms cpu for', evs.length);
