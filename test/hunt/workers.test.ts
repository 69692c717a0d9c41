/**
 * `--threads`: the input files are shared between threads; the timeline and the summary must be those of one
 * thread, correlations included (the events of a correlation here come from two files, read by different threads).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareHunt, runHunt, type HuntOptions, type HuntResult } from '../../src/hunt/index.js';
import { HuntPool, runHuntThreaded } from '../../src/hunt/workers.js';
import { fullRow } from '../../src/hunt/timeline.js';
import { runCli } from '../helpers.js';

const HEAD = '#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n';
const line = (t: string, stem: string, ip: string) => `2024-03-01 ${t} 10.0.0.5 GET ${stem} - 443 - ${ip} curl/8.0 - 200 0 0 5\n`;

function fixture(): { logs: string; rules: string } {
  const d = mkdtempSync(join(tmpdir(), 'vigie-threads-'));
  const logs = join(d, 'logs');
  const rules = join(d, 'rules');
  mkdirSync(join(logs, 'b'), { recursive: true });
  mkdirSync(rules);
  // file 1 holds the later events, file 2 (read after it) the earlier ones: the correlation spans both
  writeFileSync(join(logs, 'a1.log'), HEAD + line('10:05:00', '/ecp/probe', '198.51.100.9') + line('10:06:00', '/owa/', '203.0.113.1') + 'broken line\n');
  writeFileSync(join(logs, 'a2.log'), HEAD + line('10:01:00', '/ecp/probe', '198.51.100.9') + line('10:02:00', '/ecp/probe', '198.51.100.9'));
  writeFileSync(join(logs, 'b', 'c.log'), HEAD + line('11:00:00', '/owa/', '203.0.113.2') + line('11:00:30', '/ecp/probe', '192.0.2.1'));
  writeFileSync(join(logs, 'b', 'd.log'), HEAD + line('09:00:00', '/owa/', '203.0.113.3'));
  writeFileSync(join(logs, 'b', 'notes.txt'), 'not a log that any reader knows\n');
  writeFileSync(join(rules, 'r.yml'), [
    'title: ECP Probe', 'id: 6c000000-0000-4000-8000-000000000001', 'name: ecp_probe', 'status: test', 'logsource:', '    category: webserver',
    'detection:', '    sel:', "        cs-uri-stem|startswith: '/ecp/'", '    condition: sel', 'level: low', '---',
    'title: OWA Hit', 'id: 6c000000-0000-4000-8000-000000000002', 'status: test', 'logsource:', '    category: webserver',
    'detection:', '    sel:', "        cs-uri-stem: '/owa/'", '    condition: sel', 'level: informational', 'tags:', '    - attack.t1190', '---',
    'title: Repeated ECP Probes', 'id: 6c000000-0000-4000-8000-000000000003', 'status: test', 'correlation:', '    type: event_count',
    '    rules:', '        - ecp_probe', '    group-by:', '        - c-ip', '    timespan: 10m', '    condition:', '        gte: 3', 'level: high', '',
  ].join('\n'));
  return { logs, rules };
}

const rows = (r: HuntResult) => r.detections.map((d) => JSON.stringify(fullRow(d))).join('\n');
const summary = (r: HuntResult) => JSON.stringify({ ...r.summary, durationMs: 0 });

test('threads: same timeline and summary as one thread, with a correlation spanning two files', async () => {
  const { logs, rules } = fixture();
  const opts: HuntOptions = { inputs: [logs], rulePaths: [rules], builtinRules: false };
  const one = await runHunt(opts);
  const corr = one.detections.filter((d) => d.kind === 'correlation');
  assert.equal(corr.length, 1, 'the correlation fires once, over events of a1.log and a2.log');
  assert.equal(corr[0]!.ruleTitle, 'Repeated ECP Probes');
  assert.equal(one.detections.filter((d) => d.kind === 'rule').length, 3, 'the base rule is not printed (generate is off), the OWA hits are');
  assert.equal(one.summary.skipped, 1);
  assert.equal(one.summary.unsupported.length, 1);
  const prepared = await prepareHunt(opts);
  for (const n of [2, 3]) {
    const pool = await HuntPool.start(opts, n);
    assert.equal(pool.threads, n, 'workers were started');
    await pool.whenReady(); // small files: without this, the main thread may read them all before a worker is ready
    const viaPool = await pool.run(prepared);
    assert.equal(pool.stats.failedWorkers, 0);
    assert.ok(pool.stats.workerFiles >= 1, `workers read files (${JSON.stringify(pool.stats)})`);
    assert.equal(pool.stats.workerFiles + pool.stats.mainFiles, 5);
    assert.equal(rows(viaPool), rows(one), `timeline with ${n} threads`);
    const many = await runHuntThreaded(opts, n);
    assert.equal(rows(many), rows(one), `timeline with ${n} threads`);
    assert.equal(summary(many), summary(one), `summary with ${n} threads`);
  }
});

test('threads: time range, one input file, and a folder given with a missing path', async () => {
  const { logs, rules } = fixture();
  const opts: HuntOptions = { inputs: [logs, join(logs, 'nope')], rulePaths: [rules], builtinRules: false, from: Date.parse('2024-03-01T10:00:00Z') };
  const one = await runHunt(opts);
  assert.equal(one.summary.outOfRange, 1);
  assert.deepEqual(one.summary.missing, [join(logs, 'nope')]);
  const many = await runHuntThreaded(opts, 2);
  assert.equal(rows(many), rows(one));
  assert.equal(summary(many), summary(one));
  // "auto" on a small input: one thread (a rule load per thread would cost more than it saves)
  const auto = await HuntPool.start(opts, 'auto');
  assert.equal(auto.threads, 1);
  auto.close();
  // a single file: no worker
  const single = await HuntPool.start({ ...opts, inputs: [join(logs, 'a1.log')] }, 4);
  assert.equal(single.threads, 1);
  single.close();
});

test('vigie hunt --threads: same output and exit code as one thread; bad values are usage errors', () => {
  const { logs, rules } = fixture();
  const args = ['hunt', logs, '--rules', rules, '--no-vigie-rules', '-o', 'jsonl', '--fail-level', 'high', '--no-progress'];
  const one = runCli([...args, '--threads', '1']);
  const two = runCli([...args, '--threads', '2']);
  assert.equal(one.status, 1, one.stderr);
  assert.equal(two.status, one.status);
  assert.equal(two.stdout, one.stdout);
  assert.equal(two.stdout.trim().split('\n').length, 4);
  const strip = (s: string) => s.replace(/ in [0-9.]+ ?m?s\b.*$/gm, '');
  assert.equal(strip(two.stderr), strip(one.stderr));
  const bad = runCli([...args, '--threads', 'many']);
  assert.equal(bad.status, 64);
  assert.match(bad.stderr, /--threads/);
});
