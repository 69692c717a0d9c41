/**
 * `evtx_dump` JSON: `evtx_dump -o json` (pretty-printed objects, each after a `Record <n>` line),
 * `evtx_dump -o jsonl` (one object per line), a single object, or an array of them; also the
 * `--separate-json-attributes` variant (`Provider_attributes` next to `Provider`). Detected from content: the first
 * value is `{"Event": {…}}`. Streams through json-stream, so memory is bounded by one event.
 */
import type { Doc, FieldValue } from '../event.js';
import { setKey } from '../event.js';
import type { Source } from './types.js';
import { headText, jsonValues } from './json-stream.js';
import { windowsEvent } from './windows.js';

const FIRST_EVENT = /^(?:\s*Record \d+\s*\n)?\s*\[?\s*\{\s*"Event"\s*:\s*\{/;

function isObj(v: unknown): v is Doc {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** `--separate-json-attributes` output → the default `#attributes` layout, so fields are the same. */
export function mergeSeparateAttributes(v: FieldValue, depth = 0): FieldValue {
  if (depth > 32 || !isObj(v)) return v;
  const keys = Object.keys(v);
  if (!keys.some((k) => k.endsWith('_attributes'))) {
    let changed = false;
    const out: Doc = {};
    for (const k of keys) {
      const m = mergeSeparateAttributes(v[k], depth + 1);
      if (m !== v[k]) changed = true;
      setKey(out, k, m);
    }
    return changed ? out : v;
  }
  const out: Doc = {};
  for (const k of keys) {
    if (k.endsWith('_attributes') && isObj(v[k])) continue;
    setKey(out, k, mergeSeparateAttributes(v[k], depth + 1));
  }
  for (const k of keys) {
    if (!k.endsWith('_attributes') || !isObj(v[k])) continue;
    const base = k.slice(0, -'_attributes'.length);
    const cur = out[base];
    if (isObj(cur)) out[base] = { '#attributes': v[k], ...cur };
    else if (cur === undefined || cur === null || cur === '') out[base] = { '#attributes': v[k] };
    else out[base] = { '#attributes': v[k], '#text': cur };
  }
  return out;
}

export const source: Source = {
  name: 'evtx-json',
  description: 'evtx_dump JSON: one object, objects back to back, or JSON Lines',
  detect(input) {
    const t = headText(input.head);
    if (!FIRST_EVENT.test(t.slice(0, 4096))) return 0;
    return /"System"\s*:/.test(t) ? 95 : 60;
  },
  async *read(input, ctx, open) {
    for await (const item of jsonValues(open(), ctx, input.path)) {
      let v = item.value as FieldValue;
      if (!isObj(v) || !isObj(v.Event)) {
        ctx.error({ file: input.path, offset: item.offset, line: item.line, message: 'not an evtx_dump event (no "Event" object): skipped' });
        continue;
      }
      const sys0 = (v.Event as Doc).System;
      if (Object.keys(v).some((k) => k.endsWith('_attributes')) || (isObj(sys0) && Object.keys(sys0).some((k) => k.endsWith('_attributes')))) {
        v = mergeSeparateAttributes(v);
      }
      const doc = v as Doc;
      const sys = isObj((doc.Event as Doc).System) ? ((doc.Event as Doc).System as Doc) : undefined;
      const rid = sys?.EventRecordID;
      yield windowsEvent(doc, {
        file: input.path,
        format: 'evtx-json',
        offset: item.offset,
        record: typeof rid === 'number' ? rid : typeof rid === 'string' && /^\d+$/.test(rid) ? Number(rid) : undefined,
      });
    }
  },
};
