/** Shared test helpers: paths, the optional ../shared reference data, running the CLI. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';

const here = dirname(fileURLToPath(import.meta.url));
/** repository root, whether tests run from test/ (tsx) or dist/test/ (compiled) */
export const ROOT = existsSync(join(here, '..', 'package.json')) ? resolve(here, '..') : resolve(here, '..', '..');
export const FIXTURES = join(ROOT, 'test', 'fixtures');
/** ../shared next to the repository, or null when absent (a user's fresh clone) */
export const SHARED: string | null = existsSync(join(ROOT, '..', 'shared')) ? resolve(ROOT, '..', 'shared') : null;

/**
 * For conformance tests on ../shared: returns the path, or a skip reason to pass to `t.skip()` / `{ skip }`.
 */
export function shared(sub: string): { path: string; skip: false } | { path: null; skip: string } {
  if (!SHARED) return { path: null, skip: '../shared is absent (reference data only on developer machines and CI)' };
  const p = join(SHARED, sub);
  if (!existsSync(p)) return { path: null, skip: `../shared/${sub} is absent` };
  return { path: p, skip: false };
}

/** Run the vigie CLI (compiled when run from dist, through tsx when run from sources). */
export function runCli(args: string[], opts: { input?: string | Buffer; cwd?: string; env?: NodeJS.ProcessEnv } = {}): SpawnSyncReturns<string> {
  const compiled = here.includes(`${join('dist', 'test')}`);
  const cmd = compiled
    ? [join(ROOT, 'bin', 'vigie.js'), ...args]
    : ['--import', 'tsx', join(ROOT, 'test', 'cli-entry.ts'), ...args];
  return spawnSync(process.execPath, cmd, {
    cwd: opts.cwd ?? ROOT,
    input: opts.input,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', VIGIE_CACHE_DIR: 'off', ...opts.env },
    maxBuffer: 256 * 1024 * 1024,
  });
}

/** A deterministic pseudo-random source (xorshift32): numbers in [0, 1), the same sequence for the same seed. */
export function seededRandom(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}
