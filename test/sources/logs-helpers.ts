/** Helpers for the mail-server log reader tests: read a file through detection + reader, with the transforms. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReadContext, readFile } from '../../src/sources/index.js';
import { applyTransforms } from '../../src/transforms/index.js';
import type { VigieEvent } from '../../src/event.js';
import { FIXTURES } from '../helpers.js';

export const LOGS = join(FIXTURES, 'logs');

export interface ReadResult {
  events: VigieEvent[];
  ctx: ReadContext;
  format: string | undefined;
}

/** Detect and read one file like `vigie hunt` does (transforms applied). */
export async function readAll(path: string, opts: { format?: string } = {}): Promise<ReadResult> {
  const ctx = new ReadContext();
  let format: string | undefined;
  const events: VigieEvent[] = [];
  for await (const ev of readFile(path, ctx, { format: opts.format, onFile: (_p, f) => (format = f) })) events.push(applyTransforms(ev));
  return { events, ctx, format };
}

/** Write content to a fresh temporary file and return its path. */
export function tmpFile(name: string, content: string | Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigie-logs-'));
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}
