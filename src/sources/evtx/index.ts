/**
 * Windows EVTX reader (binary, streaming). See docs/evtx.md.
 * file.ts: header, chunks, checksums, records · binxml.ts: Binary XML and templates · values.ts: value types.
 */
import type { Source } from '../types.js';
import { windowsEvent } from '../windows.js';
import { CHUNK_MAGIC, FILE_MAGIC, readEvtxStream } from './file.js';

export { readEvtxStream, declaredRecords } from './file.js';

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
    const file = input.path;
    for await (const r of readEvtxStream(open(), (p) => ctx.error({ file, offset: p.offset, message: p.message }))) {
      yield windowsEvent(r.doc, { file, format: 'evtx', offset: r.offset, record: r.recordId });
    }
  },
};
