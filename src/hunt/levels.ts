import type { Level } from '../sigma/index.js';

export const LEVELS: Level[] = ['informational', 'low', 'medium', 'high', 'critical'];

/** informational=0 … critical=4; unknown or absent level ranks as informational (-1 for unknown strings). */
export function levelRank(l: string | undefined): number {
  if (l === undefined) return 0;
  const i = LEVELS.indexOf(l.toLowerCase() as Level);
  return i;
}

export function parseLevel(s: string): Level | undefined {
  const l = s.trim().toLowerCase();
  if (l === 'info') return 'informational';
  if (l === 'crit') return 'critical';
  if (l === 'med') return 'medium';
  return (LEVELS as string[]).includes(l) ? (l as Level) : undefined;
}
