/**
 * Windows EVTX reader (binary, streaming). See docs/evtx.md.
 * file.ts: header, chunks, checksums, records · binxml.ts: Binary XML and templates · values.ts: value types.
 */
import type { Source } from '../types.js';
import { fastFields, type VigieEvent } from '../../event.js';
import { windowsEvent } from '../windows.js';
import { CHUNK_MAGIC, FILE_MAGIC, readEvtxChunks, type PositionedFile } from './file.js';
import { lazyEvent } from './fields.js';
import { SharedTemplates } from './binxml.js';

export { readEvtxStream, readEvtxChunks, declaredRecords, EvtxRecord } from './file.js';

export const source: Source = {
  name: 'evtx',
  description: 'Windows EVTX event log files (binary, streaming; dirty and damaged files read record by record)',
  detect(input) {
    const h = input.head;
    if (h.length >= 8 && h.subarray(0, 8).equals(FILE_MAGIC)) return 100;
    if (h.length >= 8 && h.subarray(0, 8).equals(CHUNK_MAGIC)) return 100;
    return 0;
  },
  // direct events build their fields in fast mode on first access; the others are copied here
  fastFields: true,
  readsByPosition(head) {
    return head.length >= 8 && (head.subarray(0, 8).equals(FILE_MAGIC) || head.subarray(0, 8).equals(CHUNK_MAGIC));
  },
  async *read(input, ctx, open) {
    for await (const batch of source.readBatches!(input, ctx, open)) yield* batch;
  },
  async *readBatches(input, ctx, open) {
    const file = input.path;
    const onError = (p: { offset: number; message: string }) => ctx.error({ file, offset: p.offset, message: p.message });
    // in memory when the probe read it; a regular file by position (its used parts only), through the probe's
    // descriptor when it kept it open for us; else as a stream
    let from: Buffer | PositionedFile | number | string | NodeJS.ReadableStream;
    if (input.content) from = input.content;
    else if (input.fd !== undefined) {
      // the probe's bytes (file header, first chunk header) and size are not read again
      from = input.size !== undefined ? { fd: input.fd, size: input.size, prefix: input.head } : input.fd;
      input.fd = undefined; // ours to close now
    } else from = input.regular && !input.gzip ? input.file : open();
    // one template cache for every EVTX file of the run: logs of one system define the same templates in each chunk
    const templates = ctx.keep(SharedTemplates, () => new SharedTemplates());
    for await (const records of readEvtxChunks(from, onError, undefined, { direct: !ctx.documents, templates })) {
      const events = new Array<VigieEvent>(records.length);
      for (let i = 0; i < records.length; i++) {
        const r = records[i]!;
        const origin = { file, format: 'evtx', offset: r.offset, record: r.recordId };
        // common layouts: fields read straight from the Binary XML, `doc` rendered on first access
        if (r.direct) events[i] = lazyEvent(r.direct, origin, r);
        else {
          const ev = windowsEvent(r.doc, origin);
          ev.fields = fastFields(ev.fields);
          events[i] = ev;
        }
      }
      yield events;
    }
  },
};
