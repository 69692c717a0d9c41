import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { zipSync, strToU8 } from 'fflate';
import { safeMemberPath, untar, updateRules, UpdateError } from '../../src/hunt/update.js';

const RULE = (n: number) => `title: Rule ${n}\nid: 00000000-0000-4000-8000-${String(n).padStart(12, '0')}\nlogsource:\n    product: windows\n    service: security\ndetection:\n    sel:\n        EventID: ${4600 + n}\n    condition: sel\nlevel: low\n`;

/** Minimal ustar writer for tests (regular files; `type` lets a test add links). */
function tar(entries: { name: string; data?: string; type?: string }[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const data = Buffer.from(e.data ?? '');
    const h = Buffer.alloc(512);
    h.write(e.name, 0, 100, 'utf8');
    h.write('0000644\0', 100);
    h.write('0000000\0', 108);
    h.write('0000000\0', 116);
    h.write(data.length.toString(8).padStart(11, '0') + '\0', 124);
    h.write(Math.floor(Date.UTC(2026, 0, 2) / 1000).toString(8).padStart(11, '0') + '\0', 136);
    h.write('        ', 148);
    h.write(e.type ?? '0', 156);
    h.write('ustar\u000000', 257, 'latin1');
    let sum = 0;
    for (const b of h) sum += b;
    h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
    blocks.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

function count(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) n += count(join(dir, e.name));
    else if (e.name.endsWith('.yml')) n++;
  }
  return n;
}

test('member paths: absolute, drive letters and .. are refused', () => {
  assert.equal(safeMemberPath('sigma-x/rules/a.yml'), 'sigma-x/rules/a.yml');
  assert.equal(safeMemberPath('./rules//a.yml'), 'rules/a.yml');
  assert.equal(safeMemberPath('../evil.yml'), null);
  assert.equal(safeMemberPath('rules/../../evil.yml'), null);
  assert.equal(safeMemberPath('/etc/passwd'), null);
  assert.equal(safeMemberPath('C:\\Windows\\evil.yml'), null);
  assert.equal(safeMemberPath('..\\evil.yml'), null);
});

test('update from a local git repository: clone depth 1, commit and date reported, replaces the previous install', async () => {
  const work = mkdtempSync(join(tmpdir(), 'vigie-upd-'));
  const repo = join(work, 'sigma');
  mkdirSync(join(repo, 'rules', 'windows'), { recursive: true });
  mkdirSync(join(repo, 'rules-emerging-threats'), { recursive: true });
  mkdirSync(join(repo, 'tests'), { recursive: true });
  writeFileSync(join(repo, 'rules', 'windows', 'a.yml'), RULE(1));
  writeFileSync(join(repo, 'rules', 'windows', 'b.yml'), RULE(2));
  writeFileSync(join(repo, 'rules-emerging-threats', 'c.yml'), RULE(3));
  writeFileSync(join(repo, 'tests', 'not-a-rule.yml'), 'x: 1\n');
  const g = (...a: string[]) => {
    const r = spawnSync('git', ['-C', repo, ...a], { encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t', GIT_AUTHOR_DATE: '2026-01-02T03:04:05Z', GIT_COMMITTER_DATE: '2026-01-02T03:04:05Z' } });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
  };
  g('init', '-q');
  g('add', '.');
  g('commit', '-q', '-m', 'rules');
  const head = g('rev-parse', 'HEAD');
  const dest = join(work, 'installed');
  mkdirSync(dest);
  writeFileSync(join(dest, 'old.yml'), RULE(9));
  const info = await updateRules(repo, dest);
  assert.equal(info.kind, 'git');
  assert.equal(info.commit, head);
  assert.match(info.date ?? '', /^2026-01-02T03:04:05/);
  assert.equal(info.rules, 3);
  assert.deepEqual(info.folders, ['rules', 'rules-emerging-threats']);
  assert.ok(existsSync(join(dest, 'rules', 'windows', 'a.yml')));
  assert.ok(!existsSync(join(dest, 'old.yml')), 'previous install replaced');
  assert.ok(!existsSync(join(dest, 'tests')), 'only rule folders are installed');
  assert.equal(JSON.parse(readFileSync(join(dest, '.vigie-install.json'), 'utf8')).commit, head);
});

test('update from .tar.gz (GitHub layout) and .zip archives; unsafe members refused', async () => {
  const work = mkdtempSync(join(tmpdir(), 'vigie-upd-'));
  const tgz = join(work, 'sigma-r2026-01-02.tar.gz');
  writeFileSync(tgz, gzipSync(tar([
    { name: 'sigma-abc/rules/windows/a.yml', data: RULE(1) },
    { name: 'sigma-abc/rules-threat-hunting/b.yml', data: RULE(2) },
    { name: 'sigma-abc/../../evil.yml', data: RULE(3) },
    { name: '/tmp/evil-abs.yml', data: RULE(4) },
    { name: 'sigma-abc/rules/link.yml', type: '2' },
  ])));
  const dest = join(work, 'd1');
  const logs: string[] = [];
  const info = await updateRules(tgz, dest, (s) => logs.push(s));
  assert.equal(info.kind, 'archive');
  assert.equal(info.rules, 2);
  assert.match(info.sha256 ?? '', /^[0-9a-f]{64}$/);
  assert.match(info.date ?? '', /^2026-01-02/);
  assert.equal(count(dest), 2);
  assert.ok(!existsSync(join(work, 'evil.yml')) && !existsSync('/tmp/evil-abs.yml'));
  assert.ok(logs.some((l) => /refused 3 unsafe/.test(l)), logs.join('\n'));

  const zip = join(work, 'sigma_all_rules.zip');
  writeFileSync(zip, zipSync({
    'rules/windows/a.yml': strToU8(RULE(1)),
    'rules/linux/b.yml': strToU8(RULE(2)),
    'rules-compliance/c.yml': strToU8(RULE(3)),
    '../evil.yml': strToU8(RULE(4)),
  }));
  const d2 = join(work, 'd2');
  const z = await updateRules(zip, d2);
  assert.equal(z.rules, 3);
  assert.ok(!existsSync(join(work, 'evil.yml')));
});

test('bad sources fail cleanly and leave the installed rules alone', async () => {
  const work = mkdtempSync(join(tmpdir(), 'vigie-upd-'));
  const dest = join(work, 'd');
  mkdirSync(dest);
  writeFileSync(join(dest, 'keep.yml'), RULE(1));
  await assert.rejects(updateRules(join(work, 'missing.zip'), dest), UpdateError);
  writeFileSync(join(work, 'broken.tar.gz'), Buffer.from('not gzip at all'));
  await assert.rejects(updateRules(join(work, 'broken.tar.gz'), dest), /cannot read archive/);
  const empty = join(work, 'empty.tar.gz');
  writeFileSync(empty, gzipSync(tar([{ name: 'README.md', data: 'hi' }])));
  await assert.rejects(updateRules(empty, dest), /no rule/);
  assert.ok(existsSync(join(dest, 'keep.yml')));
  assert.throws(() => untar(tar([{ name: 'a.yml', data: 'x'.repeat(600) }]).subarray(0, 700)), /truncated/);
});
