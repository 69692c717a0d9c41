/**
 * Start-up: a command's modules are imported only when it runs. `vigie hunt` never loads the mail analysis stack
 * (src/mail); `vigie --help` still lists every command.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FIXTURES, runCli } from '../helpers.js';

/** Run the CLI with a module-resolution hook that records every module URL; returns those under src/mail. */
function mailModules(args: string[]): { urls: string[]; status: number | null; stdout: string } {
  const d = mkdtempSync(join(tmpdir(), 'vigie-startup-'));
  const out = join(d, 'modules.txt');
  writeFileSync(join(d, 'hooks.mjs'), [
    "import { appendFileSync } from 'node:fs';",
    `const OUT = ${JSON.stringify(out)};`,
    'export async function resolve(specifier, context, next) {',
    '  const r = await next(specifier, context);',
    "  appendFileSync(OUT, r.url + '\\n');",
    '  return r;',
    '}',
  ].join('\n'));
  writeFileSync(join(d, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(d, 'hooks.mjs')).href)});\n`);
  const r = runCli(args, { env: { NODE_OPTIONS: `--import=${pathToFileURL(join(d, 'register.mjs')).href}` } });
  const urls = existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter((u) => /\/src\/mail\//.test(u)) : [];
  return { urls, status: r.status, stdout: r.stdout };
}

test('vigie hunt does not load src/mail; vigie scan does (the hook sees them)', () => {
  const hunt = mailModules(['hunt', join(FIXTURES, 'hunt', 'logs'), '--rules', join(FIXTURES, 'hunt', 'rules'), '--no-vigie-rules', '-o', 'jsonl', '--no-summary', '--no-progress']);
  assert.equal(hunt.status, 0);
  assert.ok(hunt.stdout.includes('"Test OWA Access"') || hunt.stdout.includes('Test OWA Access'), 'the hunt ran');
  assert.deepEqual(hunt.urls, []);
  const scan = mailModules(['scan', '--help']);
  assert.equal(scan.status, 0);
  assert.ok(scan.urls.length > 0, 'control: the hook records mail modules when scan loads them');
});

test('vigie --help lists every command; a command\'s help needs only that command', () => {
  const all = runCli(['--help']);
  assert.equal(all.status, 0);
  for (const c of ['dump', 'hunt', 'scan', 'rules']) assert.match(all.stdout, new RegExp(`^\\s+${c}\\b`, 'm'));
  const hunt = runCli(['hunt', '--help']);
  assert.equal(hunt.status, 0);
  assert.match(hunt.stdout, /--threads/);
  assert.match(hunt.stdout, /Usage: vigie hunt/);
});
