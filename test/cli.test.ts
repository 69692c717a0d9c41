import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from './helpers.js';

test('vigie --version prints the package version and exits 0', () => {
  const r = runCli(['--version']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout.trim(), /^\d+\.\d+\.\d+$/);
});

test('vigie --help lists the commands and the exit codes', () => {
  const r = runCli(['--help']);
  assert.equal(r.status, 0, r.stderr);
  for (const c of ['dump', 'hunt', 'scan', 'rules']) assert.match(r.stdout, new RegExp(`\\b${c}\\b`));
  assert.match(r.stdout, /Exit codes:/);
});

test('an unknown option is a usage error (64)', () => {
  const r = runCli(['--no-such-option']);
  assert.equal(r.status, 64);
});
