import { prepareHunt } from '/work/main/src/hunt/index.js';
import { fieldGetter } from '/work/main/src/hunt/router.js';
import { readInputs, ReadContext } from '/work/main/src/sources/index.js';
import { applyTransforms } from '/work/main/src/transforms/index.js';
const sigma = '/work/shared/sigma';
const opts = { inputs: ['/work/shared/evtx/attack-samples'], rulePaths: ['rules/windows', 'rules-emerging-threats', 'rules-threat-hunting/windows'].map((p) => sigma + '/' + p), builtinRules: true };
const prep = await prepareHunt(opts);
const ctx = new ReadContext();
const evs = [];
for await (const ev of readInputs(opts.inputs, ctx)) evs.push(ev);
const { Session } = await import('node:inspector/promises');
const s = new Session(); s.connect();
await s.post('Profiler.enable'); await s.post('Profiler.start');
const c0 = process.cpuUsage();
let evals = 0, routesN = 0, transformsMs = 0, scanMs = 0;
for (const ev of evs) {
  let t = performance.now(); applyTransforms(ev); transformsMs += performance.now() - t;
  const routes = prep.router.route(ev); routesN += routes.length;
  t = performance.now(); if (routes.length >= 6) prep.prefilter.scan(ev); scanMs += performance.now() - t;
  for (const r of routes) { if (routes.length >= 6 && !prep.prefilter.hit(r.rule)) continue; evals++; prep.compiled[r.rule].match(ev, fieldGetter(ev, r.aliases)); }
}
const c = process.cpuUsage(c0);
console.log('cpu', ((c.user + c.system) / 1000).toFixed(0), 'ms for', evs.length, 'events; evals/event', (evals / evs.length).toFixed(1), 'routes/event', (routesN / evs.length).toFixed(0), 'transforms ms', transformsMs.toFixed(0), 'scan ms', scanMs.toFixed(0));
const { profile } = await s.post('Profiler.stop') as any;
const self = new Map<string, number>();
const dt = profile.timeDeltas as number[]; const byId = new Map(profile.nodes.map((n: any) => [n.id, n]));
profile.samples.forEach((id: number, i: number) => { const n: any = byId.get(id); const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber}`; self.set(k, (self.get(k) ?? 0) + (dt[i] ?? 0)); });
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log((v / 1000).toFixed(0).padStart(6), 'ms', k);
