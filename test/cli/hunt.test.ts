import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES, runCli } from '../helpers.js';

const F = join(FIXTURES, 'hunt');
const LOGS = join(F, 'logs');
const RULES = join(F, 'rules');
// an empty XDG_DATA_HOME: the developer's installed SigmaHQ rules must not leak into these tests
const ENV = { XDG_DATA_HOME: mkdtempSync(join(tmpdir(), 'vigie-xdg-')) };
const hunt = (...args: string[]) => runCli(['hunt', ...args], { env: ENV });

test('table timeline sorted by time, summary on stderr, exit 0 by default although a critical was found', () => {
  const r = hunt(LOGS, '--rules', RULES, '--no-vigie-rules');
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[0], /^Time \(UTC\)\s+Computer\s+Channel\s+EID\s+Lvl\s+Rule\s+ATT&CK\s+Details/);
  const body = lines.slice(2);
  assert.deepEqual(body.map((l) => l.slice(0, 20)), ['2024-03-01T08:00:01Z', '2024-03-01T09:15:42Z', '2024-03-01T09:16:03Z', '2024-03-01T09:16:03Z']);
  assert.match(r.stdout, /crit\s+Test ProxyShell Autodiscover Path Confusi.*T1190/);
  assert.match(r.stdout, /high\s+Test Web Shell Request\s+T1505\.003\s+cs-uri-stem=\/aspnet_client\/system_web/);
  assert.ok(lines.findIndex((l) => /Web Shell/.test(l)) < lines.findIndex((l) => /correl\./.test(l)), 'at equal times, events before the correlation they complete');
  assert.match(r.stdout, /\(correl\.\)\s+med\s+Test Burst From One Client.*c-ip=198\.51\.100\.23/);
  assert.ok(lines.every((l) => l.length <= 160), 'fits a 160-column terminal');
  // summary
  assert.match(r.stderr, /1 file read, 4 records \(w3c: 1 file, 4 records\)/);
  assert.match(r.stderr, /1 record skipped or unreadable:\n\s+\S*u_ex240301\.log:9: /);
  assert.match(r.stderr, /Rules\s+4 loaded from 5 files, 1 correlation; 0 failed; 1 inactive/);
  assert.match(r.stderr, /1 rule needs --watchlist FILE: Test Watched Term In ECP Query/);
  assert.match(r.stderr, /Detections 4 \(critical 1, high 1, medium 1, low 1, informational 0\)/);
  // the base rule of a correlation without generate: true is not printed on its own
  assert.doesNotMatch(r.stdout, /Test Requests From One Client/);
});

test('--fail-level decides the exit code (default none); --min-level selects rules', () => {
  assert.equal(hunt(LOGS, '--rules', RULES, '--no-vigie-rules', '--fail-level', 'critical', '--no-summary').status, 1);
  assert.equal(hunt(LOGS, '--rules', RULES, '--no-vigie-rules', '--fail-level', 'none', '--no-summary').status, 0);
  const r = hunt(LOGS, '--rules', RULES, '--no-vigie-rules', '--min-level', 'high', '--no-summary');
  assert.equal(r.status, 0, 'no --fail-level: exit 0 whatever was found');
  assert.doesNotMatch(r.stdout, /Test OWA Access/);
  assert.match(r.stdout, /Test Web Shell Request/);
  assert.equal(hunt(LOGS, '--rules', RULES, '--no-vigie-rules', '--min-level', 'high', '--fail-level', 'high', '--no-summary').status, 1);
  const low = hunt(LOGS, '--rules', join(RULES, 'test_owa.yml'), '--no-vigie-rules', '--fail-level', 'high', '--no-summary');
  assert.equal(low.status, 0, 'only a low finding: below --fail-level high');
  assert.match(low.stdout, /Test OWA Access/);
  assert.equal(hunt(LOGS, '--rules', join(RULES, 'test_owa.yml'), '--no-vigie-rules', '--fail-level', 'low', '--no-summary').status, 1);
  assert.equal(hunt(LOGS, '--rules', RULES, '--no-vigie-rules', '--fail-level', 'severe', '--no-summary').status, 64);
  assert.match(runCli(['hunt', '--help']).stdout, /--fail-level <level>[\s\S]*default none/);
});

test('--status, --tags, --from/--to and --exclude-rules filter', () => {
  const st = hunt(LOGS, '--rules', RULES, '--no-vigie-rules', '--status', 'stable', '--no-summary');
  assert.match(st.stdout, /Test OWA Access/);
  assert.doesNotMatch(st.stdout, /Test Web Shell Request|ProxyShell/);
  const tg = hunt(LOGS, '--rules', RULES, '--no-vigie-rules', '--tags', 'attack.t1505', '--no-summary');
  assert.match(tg.stdout, /Test Web Shell Request/, 'a technique selects its sub-techniques');
  assert.doesNotMatch(tg.stdout, /ProxyShell|OWA/);
  const tr = hunt(LOGS, '--rules', RULES, '--no-vigie-rules', '--from', '2024-03-01T09:00:00Z', '--to', '2024-03-01T09:16:00Z');
  assert.match(tr.stdout, /ProxyShell/);
  assert.doesNotMatch(tr.stdout, /OWA Access|Web Shell/);
  assert.match(tr.stderr, /3 records outside --from\/--to/);
  const ex = hunt(LOGS, '--rules', RULES, '--no-vigie-rules', '--exclude-rules', join(F, 'exclude.txt'), '--no-summary');
  assert.doesNotMatch(ex.stdout, /Test OWA Access/);
  assert.match(ex.stdout, /ProxyShell/);
  assert.equal(hunt(LOGS, '--rules', RULES, '--from', 'yesterday-ish').status, 64);
});

test('--watchlist activates placeholder rules and the alert names the term', () => {
  const r = hunt(LOGS, '--rules', RULES, '--no-vigie-rules', '--watchlist', join(F, 'watchlist.txt'), '-o', 'jsonl', '--no-summary');
  assert.equal(r.status, 0);
  const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { ruleTitle: string; level: string; details: { field: string; value: string; pattern?: string }[] });
  const w = rows.find((x) => x.ruleTitle === 'Test Watched Term In ECP Query');
  assert.ok(w, 'watched-term rule fired');
  assert.equal(w.level, 'critical');
  assert.ok(w.details.some((d) => d.field === 'cs-uri-query' && /G20\+summit/.test(d.value) && /summit/i.test(d.pattern ?? '')), JSON.stringify(w.details));
});

test('output formats: csv (formula-safe), json, jsonl', () => {
  const csv = hunt(LOGS, '--rules', RULES, '--no-vigie-rules', '-o', 'csv', '--no-summary');
  const lines = csv.stdout.trim().split('\r\n');
  assert.equal(lines[0], 'time,computer,channel,event_id,level,rule,rule_id,attack,details,kind,file,offset,record,format');
  assert.equal(lines.length, 5);
  assert.match(lines[2], /^2024-03-01T09:15:42\.000Z,,IIS,,critical,Test ProxyShell Autodiscover Path Confusion,0b9d1c5e-1111-4a7b-9c2d-000000000001,initial-access T1190,/);
  const json = JSON.parse(hunt(LOGS, '--rules', RULES, '--no-vigie-rules', '-o', 'json', '--no-summary').stdout) as Record<string, unknown>[];
  assert.equal(json.length, 4);
  for (const k of ['time', 'channel', 'level', 'ruleTitle', 'ruleId', 'tags', 'attack', 'details', 'file', 'offset', 'record', 'format', 'kind']) assert.ok(k in json[0], k);
  assert.equal(json[0].format, 'w3c');
  assert.equal(json[0].record, 5);
  const corr = json.find((x) => x.kind === 'correlation')!;
  assert.deepEqual(corr.group, { 'c-ip': '198.51.100.23' });
  assert.equal(corr.value, 2);
  assert.equal(hunt(LOGS, '--rules', RULES, '-o', 'xml').status, 64);
});

test('exit codes: 66 missing input, 78 no usable rule, 65 nothing readable', () => {
  const miss = hunt(join(F, 'no-such-dir'), '--rules', RULES, '--no-vigie-rules');
  assert.equal(miss.status, 66);
  assert.match(miss.stderr, /input missing: .*no-such-dir/);
  const bad = hunt(LOGS, '--rules', join(F, 'bad_rules.yml'), '--no-vigie-rules');
  assert.equal(bad.status, 78);
  assert.match(bad.stderr, /no rule could be loaded \(1 failed/);
  const dir = mkdtempSync(join(tmpdir(), 'vigie-hunt-'));
  writeFileSync(join(dir, 'random.bin'), Buffer.from([0, 1, 2, 3, 0xff, 0xfe, 9, 9, 9]));
  const unread = hunt(dir, '--rules', RULES, '--no-vigie-rules');
  assert.equal(unread.status, 65);
  assert.match(unread.stderr, /1 file in no supported format/);
  assert.equal(hunt(LOGS, '--rules', join(F, 'nope')).status, 66);
});

test('a failing rule is listed with its reason and does not stop the others', () => {
  const r = hunt(LOGS, '--rules', RULES, join(F, 'bad_rules.yml'), '--no-vigie-rules');
  assert.equal(r.status, 0, 'a failed rule is not a failed run');
  assert.match(r.stderr, /4 loaded from 6 files, 1 correlation; 1 failed/);
  assert.match(r.stderr, /failed, by reason[^\n]*\n\s+1\s+unknown modifier "nosuchmodifier"/);
  assert.match(r.stdout, /ProxyShell/);
});

test('process_creation rules match Security 4688 through the mapping\'s field aliases, and Sysmon 1', () => {
  const r = hunt(join(F, 'win', 'exchange-process.json'), '--rules', join(F, 'win', 'test_w3wp_whoami.yml'), '--no-vigie-rules', '-o', 'jsonl', '--no-summary', '--fail-level', 'high');
  assert.equal(r.status, 1, r.stderr);
  const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { eventId: number; channel: string; computer: string; details: { field: string; value: string }[] });
  assert.deepEqual(rows.map((x) => [x.channel, x.eventId]), [['Security', 4688], ['Microsoft-Windows-Sysmon/Operational', 1]]);
  assert.equal(rows[0].computer, 'EXCH01.corp.example');
  assert.ok(rows[0].details.some((d) => d.field === 'Image' && d.value === 'C:\\Windows\\System32\\whoami.exe'), JSON.stringify(rows[0].details));
  assert.ok(rows[0].details.some((d) => d.field === 'ParentImage' && /w3wp\.exe$/.test(d.value)));
});

test('the parsed-rule cache: filled on the first run, same timeline and summary on the next, --no-rule-cache skips it', () => {
  const cache = mkdtempSync(join(tmpdir(), 'vigie-cache-'));
  const env = { ...ENV, VIGIE_CACHE_DIR: cache };
  const run = (...extra: string[]) => runCli(['hunt', LOGS, '--rules', RULES, '-o', 'jsonl', ...extra], { env });
  const first = run();
  assert.equal(first.status, 0, first.stderr);
  const file = join(cache, 'parsed-rules-v1.json');
  assert.ok(existsSync(file), 'cache written');
  const size = statSync(file).size;
  const second = run();
  assert.equal(second.stdout, first.stdout);
  assert.equal(second.stderr.replace(/ in \d[\d.]* m?s/g, ''), first.stderr.replace(/ in \d[\d.]* m?s/g, ''));
  rmSync(cache, { recursive: true });
  const off = run('--no-rule-cache');
  assert.equal(off.stdout, first.stdout);
  assert.ok(!existsSync(file), 'nothing written with --no-rule-cache');
  assert.ok(size > 100);
});
