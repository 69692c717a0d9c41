/**
 * Parsed-rule cache. Parsing YAML is most of the time `vigie hunt` spends before its first event (about 3 s of CPU
 * for SigmaHQ's 3,780 rule files with the `yaml` package), and rule folders rarely change between two runs. The
 * cache keeps, per rule-file CONTENT (SHA-256 of the text), the plain documents the `yaml` package produced for it
 * (values, the line of each document and the key-path → line map), so an unchanged file is not parsed again.
 *
 * - Only files that parsed without any YAML problem are cached; a file with a YAML error is parsed (and reported)
 *   every time. Validation (schema, modifiers, compile) always runs: the cache replaces the YAML parse and nothing
 *   else, so messages and results are identical with and without it.
 * - Keyed by content, not by path or time: an edited file misses, a renamed one hits.
 * - One JSON file, written atomically (temporary file + rename) after loading, only when something was added.
 *   A missing, unreadable, corrupt or foreign cache file is ignored; a cache that cannot be written is skipped.
 *   Both are silent: the cache only ever saves time.
 * - Bounded: at most MAX_ENTRIES entries and MAX_FILE bytes; entries used by the current run are kept first.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';

/** Bump when the shape of cached documents or the conversion from YAML changes. */
const FORMAT = 'vigie-parsed-rules/1';
const FILE_NAME = 'parsed-rules-v1.json';
const MAX_ENTRIES = 50_000;
const MAX_FILE = 256 * 1024 * 1024;

/** One document of a rule file as the loader uses it. */
export interface CachedDocument {
  /** the document's plain value (a mapping) */
  value: Record<string, unknown>;
  /** 1-based line where the document starts */
  line: number | null;
  /** key path ("detection/selection") → 1-based line */
  lines: [string, number][];
}

export class ParsedRuleCache {
  /** content hash → JSON text of CachedDocument[] (kept as text: handed out freshly parsed, stored unchanged) */
  private readonly old = new Map<string, string>();
  private readonly used = new Map<string, string>();
  private added = 0;
  hits = 0;
  misses = 0;

  private constructor(readonly file: string) {}

  /** Open (or start) the cache in `dir`. Never throws. */
  static open(dir: string): ParsedRuleCache {
    const cache = new ParsedRuleCache(join(dir, FILE_NAME));
    try {
      if (statSync(cache.file).size > MAX_FILE) return cache;
      const data = JSON.parse(readFileSync(cache.file, 'utf8')) as { format?: unknown; entries?: unknown };
      if (data?.format === FORMAT && data.entries && typeof data.entries === 'object') {
        for (const [k, v] of Object.entries(data.entries as Record<string, unknown>)) {
          if (typeof v === 'string' && /^[0-9a-f]{64}$/.test(k)) cache.old.set(k, v);
        }
      }
    } catch {
      /* absent or unreadable: start empty */
    }
    return cache;
  }

  static key(text: string): string {
    return createHash('sha256').update(text).digest('hex');
  }

  /** The documents of a file with this content, or undefined. */
  get(key: string): CachedDocument[] | undefined {
    const json = this.used.get(key) ?? this.old.get(key);
    if (json === undefined) {
      this.misses++;
      return undefined;
    }
    let docs: unknown;
    try {
      docs = JSON.parse(json);
    } catch {
      docs = undefined;
    }
    if (!Array.isArray(docs) || !docs.every(isDocument)) {
      this.old.delete(key);
      this.misses++;
      return undefined;
    }
    this.used.set(key, json);
    this.hits++;
    return docs;
  }

  /** Remember the documents of a file that parsed cleanly, as the JSON text of a CachedDocument[]. */
  set(key: string, json: string): void {
    this.used.set(key, json);
    this.added++;
  }

  /** Write the cache if anything was added. Never throws. */
  save(): void {
    if (this.added === 0) return;
    const parts: string[] = [];
    let size = 64;
    let n = 0;
    const add = (k: string, v: string): boolean => {
      if (n >= MAX_ENTRIES || size + v.length * 2 + 80 > MAX_FILE) return false;
      parts.push(`${JSON.stringify(k)}:${JSON.stringify(v)}`);
      size += v.length * 2 + 80;
      n++;
      return true;
    };
    for (const [k, v] of this.used) if (!add(k, v)) break;
    for (const [k, v] of this.old) if (!this.used.has(k) && !add(k, v)) break;
    const tmp = `${this.file}.${process.pid}-${threadId}-${Math.random().toString(36).slice(2)}.tmp`;
    try {
      mkdirSync(join(this.file, '..'), { recursive: true });
      writeFileSync(tmp, `{"format":${JSON.stringify(FORMAT)},"entries":{${parts.join(',')}}}`);
      renameSync(tmp, this.file);
      this.added = 0;
    } catch {
      try {
        unlinkSync(tmp);
      } catch {
        /* nothing written */
      }
    }
  }
}

function isDocument(d: unknown): d is CachedDocument {
  if (!d || typeof d !== 'object') return false;
  const o = d as Record<string, unknown>;
  return !!o['value'] && typeof o['value'] === 'object' && !Array.isArray(o['value'])
    && (o['line'] === null || typeof o['line'] === 'number') && Array.isArray(o['lines'])
    && (o['lines'] as unknown[]).every((e) => Array.isArray(e) && e.length === 2 && typeof e[0] === 'string' && typeof e[1] === 'number');
}
