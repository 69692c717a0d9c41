/** Where the package's own data lives (rules/, config/), whether run from sources or from dist/. */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The package root: the nearest folder above this module holding Vigie's package.json. */
export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj)) {
      try {
        if ((JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name === 'vigie') return (root = dir);
      } catch {
        // keep walking up
      }
    }
    dir = dirname(dir);
  }
  return (root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..'));
}

export function builtinRulesDir(): string {
  return join(packageRoot(), 'rules');
}

export function shippedMappingFile(): string {
  return join(packageRoot(), 'config', 'logsources.yml');
}

/** Folder `vigie rules update` installs into by default: $XDG_DATA_HOME/vigie/rules or ~/.local/share/vigie/rules. */
export function installedRulesDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_DATA_HOME && env.XDG_DATA_HOME.trim() !== '' ? env.XDG_DATA_HOME : join(homedir(), '.local', 'share');
  return join(base, 'vigie', 'rules');
}

/**
 * Folder of the parsed-rule cache: $VIGIE_CACHE_DIR, else $XDG_CACHE_HOME/vigie or ~/.cache/vigie; undefined when
 * VIGIE_CACHE_DIR is "off" or "0" (no cache).
 */
export function ruleCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const own = env.VIGIE_CACHE_DIR?.trim();
  if (own === 'off' || own === '0') return undefined;
  if (own) return own;
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.trim() !== '' ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(base, 'vigie');
}
