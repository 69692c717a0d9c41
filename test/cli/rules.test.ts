import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { FIXTURES, runCli } from '../helpers.js';

const F = join(FIXTURES, 'hunt');
const ENV = { XDG_DATA_HOME: mkdtempSync(join(tmpdir(), 'vigie-xdg-')) };

test('rules lint: clean rules exit 0; a broken rule gives file:line and reason, exit 78', () => {
  const ok = runCli(['rules', 'lint', join(F, 'rules')], { env: ENV });
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /test_watchlist\.yml:\d+: info: needs placeholder\(s\) %watchlist%: inactive unless --watchlist FILE/);
  assert.match(ok.stderr, /5 files: 5 rules, 1 correlations, 0 filters; 0 errors/);
  const bad = runCli(['rules', 'lint', join(F, 'bad_rules.yml')], { env: ENV });
  assert.equal(bad.status, 78);
  assert.match(bad.stdout, /bad_rules\.yml:\d+: error: .*nosuchmodifier.*\(Broken Rule\)/);
  const dir = mkdtempSync(join(tmpdir(), 'vigie-lint-'));
  writeFileSync(join(dir, 'x.yml'), 'title: [unclosed\n');
  const y = runCli(['rules', 'lint', dir], { env: ENV });
  assert.equal(y.status, 78);
  assert.match(y.stdout, /x\.yml(:\d+)?: error: /);
  assert.equal(runCli(['rules', 'lint', join(F, 'missing')], { env: ENV }).status, 66);
});

test('rules list: counts by level, status and log source; --verbose one line per rule', () => {
  const r = runCli(['rules', 'list', join(F, 'rules')], { env: ENV });
  assert.equal(r.status, 0);
  assert.match(r.stderr, /5 files: 5 rules, 1 correlations/);
  assert.match(r.stderr, /By level\n\s+2\s+critical\n\s+1\s+high\n\s+1\s+low\n\s+1\s+informational/);
  assert.match(r.stderr, /By status\n\s+3\s+test\n/);
  assert.match(r.stderr, /By log source\n\s+5\s+category:webserver/);
  assert.match(r.stderr, /Correlations by type\n\s+1\s+event_count/);
  const v = runCli(['rules', 'list', join(F, 'rules'), '--verbose', '-o', 'jsonl'], { env: ENV });
  const rows = v.stdout.trim().split('\n').map((l) => JSON.parse(l) as { title: string; level: string });
  assert.equal(rows.length, 6);
  assert.ok(rows.some((x) => x.title === 'Test Web Shell Request' && x.level === 'high'));
});

test('rules update from a local archive installs into --dest and hunt uses it when --rules is absent', () => {
  const work = mkdtempSync(join(tmpdir(), 'vigie-upd-cli-'));
  const src = join(work, 'src', 'sigma-main', 'rules', 'web');
  mkdirSync(src, { recursive: true });
  writeFileSync(join(src, 'owa.yml'), 'title: Installed OWA Rule\nid: 11111111-2222-4333-8444-555555555555\nstatus: test\nlogsource:\n    category: webserver\ndetection:\n    sel:\n        cs-uri-stem|startswith: /owa\n    condition: sel\nlevel: high\n');
  const archive = join(work, 'sigma.tar.gz');
  const t = spawnSync('tar', ['-czf', archive, '-C', join(work, 'src'), 'sigma-main'], { encoding: 'utf8' });
  assert.equal(t.status, 0, `tar: ${t.stderr}`);
  const xdg = join(work, 'xdg');
  const up = runCli(['rules', 'update', '--source', archive], { env: { XDG_DATA_HOME: xdg } });
  assert.equal(up.status, 0, up.stderr);
  assert.match(up.stdout, /Installed 1 rule files into .*vigie\/rules/);
  assert.match(up.stdout, /archive sha256 [0-9a-f]{64}/);
  assert.ok(existsSync(join(xdg, 'vigie', 'rules', 'rules', 'web', 'owa.yml')));
  const h = runCli(['hunt', join(F, 'logs'), '--no-vigie-rules', '--no-summary'], { env: { XDG_DATA_HOME: xdg } });
  assert.equal(h.status, 0, h.stderr);
  assert.match(h.stdout, /Installed OWA Rule/);
  const h2 = runCli(['hunt', join(F, 'logs'), '--no-vigie-rules', '--no-summary', '--rules', join(F, 'rules', 'test_owa.yml')], { env: { XDG_DATA_HOME: xdg } });
  assert.doesNotMatch(h2.stdout, /Installed OWA Rule/, 'with --rules, only the given folders (and the Vigie pack)');
  const bad = runCli(['rules', 'update', '--source', join(work, 'nothing-here'), '--dest', join(work, 'd')], { env: ENV });
  assert.equal(bad.status, 78);
  assert.match(bad.stderr, /not a git repository, folder, or \.zip\/\.tar\.gz archive/);
});


test('rules lint reports correlations with unknown references and cycles (exit 78)', () => {
  const r = runCli(['rules', 'lint', join(F, 'bad_correlations.yml'), join(F, 'rules')], { env: ENV });
  assert.equal(r.status, 78, r.stdout + r.stderr);
  assert.match(r.stdout, /bad_correlations\.yml:\d+: error: correlation refers to unknown rule "no-such-rule".*\(Test Correlation With Unknown Reference\)/);
  assert.equal(r.stdout.match(/bad_correlations\.yml:\d+: error: .*cycle/g)?.length, 2, r.stdout);
});
