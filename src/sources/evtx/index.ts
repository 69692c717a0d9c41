/**
 * Windows EVTX reader (binary, streaming). See docs/evtx.md.
 * file.ts: header, chunks, checksums, records · binxml.ts: Binary XML and templates · values.ts: value types.
 */
import type { Source } from '../types.js';
import type { Doc, EventOrigin, VigieEvent } from '../../event.js';
import { parseTime } from '../../event.js';
import type { EvtxRecord } from './file.js';
import type { FastEvent } from './fast.js';
import { windowsEvent } from '../windows.js';
import { CHUNK_MAGIC, FILE_MAGIC, readEvtxChunks } from './file.js';

export { readEvtxStream, readEvtxChunks, declaredRecords } from './file.js';

/**
 * The VigieEvent of a record the fast path read: the same fields and values `windowsEvent(record.doc)` gives, the
 * document rendered only if something reads `doc` (a plain property again once assigned).
 */
function fastEvent(r: EvtxRecord, f: FastEvent, origin: EventOrigin): VigieEvent {
  const fields = f.fields;
  return {
    origin,
    time: parseTime(f.timeCreated),
    computer: typeof fields.Computer === 'string' ? fields.Computer : undefined,
    channel: typeof fields.Channel === 'string' ? fields.Channel : undefined,
    provider: typeof fields.Provider_Name === 'string' ? fields.Provider_Name : undefined,
    eventId: f.eventId,
    logsource: { product: 'windows' },
    fields,
    get doc(): Doc {
      return r.doc;
    },
    set doc(v: Doc | undefined) {
      Object.defineProperty(this, 'doc', { value: v, writable: true, enumerable: true, configurable: true });
    },
  };
}

export const source: Source = {
  name: 'evtx',
  description: 'Windows EVTX event log files (binary, streaming; dirty and damaged files read record by record)',
  detect(input) {
    const h = input.head;
    if (h.length >= 8 && h.subarray(0, 8).equals(FILE_MAGIC)) return 100;
    if (h.length >= 8 && h.subarray(0, 8).equals(CHUNK_MAGIC)) return 100;
    return 0;
  },
  async *read(input, ctx, open) {
    for await (const batch of source.readBatches!(input, ctx, open)) yield* batch;
  },
  async *readBatches(input, ctx, open) {
    const file = input.path;
    for await (const records of readEvtxChunks(input.content ?? open(), (p) => ctx.error({ file, offset: p.offset, message: p.message }))) {
      const events = new Array<VigieEvent>(records.length);
      for (let i = 0; i < records.length; i++) {
        const r = records[i]!;
        const origin = { file, format: 'evtx', offset: r.offset, record: r.recordId };
        events[i] = r.fast ? fastEvent(r, r.fast, origin) : windowsEvent(r.doc, origin);
      }
      yield events;
    }
  },
};
