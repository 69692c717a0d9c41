/**
 * Windows XML event exports: `wevtutil qe <log> /f:xml` (bare `<Event xmlns=…>` elements back to back),
 * Event Viewer "Save as XML" / `wevtutil epl`-style `<Events><Event>…</Event></Events>` (with RenderingInfo),
 * `evtx_dump -o xml` (`Record <n>` lines and an XML declaration before each event), PowerShell `.ToXml()`
 * output; UTF-8 or UTF-16 (PowerShell redirection). Streamed: the content is split on `<Event …>…</Event>`
 * without loading the file, each event parsed with the safe parser in xml.ts, converted to the evtx_dump JSON shape
 * and handed to `windowsEvent`. A damaged event is skipped and reported with its byte offset.
 */
import type { Doc } from '../event.js';
import type { ReadContext, Source } from './types.js';
import { headText, utf8Chunks } from './json-stream.js';
import { xmlEventToDoc } from './xml.js';
import { windowsEvent } from './windows.js';

export const MAX_EVENT_BYTES = 4 * 1024 * 1024;

const OPEN = Buffer.from('<Event');
const CLOSE = Buffer.from('</Event>');

/** index of the next `<Event` start tag (not `<Events`, `<EventData`…) at or after `from`, or -1 */
function findEventStart(buf: Buffer, from: number): number {
  let i = from;
  for (;;) {
    const k = buf.indexOf(OPEN, i);
    if (k < 0) return -1;
    const c = buf[k + OPEN.length];
    if (c === undefined) return k; // at the end of the buffer: decide when more data comes
    if (c === 0x3e || c === 0x2f || c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) return k;
    i = k + OPEN.length;
  }
}

export interface XmlEventItem {
  xml: string;
  offset: number;
}

/** Split a (decompressed) content stream into `<Event>` element texts, reporting damaged ones. */
export async function* xmlEvents(stream: NodeJS.ReadableStream, ctx: ReadContext, file: string, maxEventBytes = MAX_EVENT_BYTES): AsyncGenerator<XmlEventItem> {
  let buf: Buffer = Buffer.alloc(0);
  let base = 0; // absolute offset of buf[0]
  let startShift = 0;
  const flush = function* (final: boolean): Generator<XmlEventItem> {
    let pos = 0;
    for (;;) {
      const s = findEventStart(buf, pos);
      if (s < 0 || (!final && s + OPEN.length >= buf.length)) {
        // keep a possible partial "<Event" at the end
        pos = s >= 0 ? s : Math.max(pos, buf.length - OPEN.length);
        break;
      }
      const e = buf.indexOf(CLOSE, s);
      const next = findEventStart(buf, s + OPEN.length);
      if (next >= 0 && (e < 0 || next < e) && (final || next + OPEN.length < buf.length)) {
        ctx.error({ file, offset: base + s, message: 'Event element cut short (a new <Event> starts before </Event>): skipped' });
        pos = next;
        continue;
      }
      if (e < 0) {
        if (buf.length - s > maxEventBytes || final) {
          ctx.error({ file, offset: base + s, message: final ? 'Event element cut short at end of input: skipped' : `Event element larger than ${maxEventBytes} bytes: skipped` });
          pos = s + OPEN.length;
          if (final) { pos = buf.length; break; }
          continue;
        }
        pos = s;
        break;
      }
      if (e + CLOSE.length - s > maxEventBytes) {
        ctx.error({ file, offset: base + s, message: `Event element larger than ${maxEventBytes} bytes: skipped` });
      } else {
        yield { xml: buf.toString('utf8', s, e + CLOSE.length), offset: base + s };
      }
      pos = e + CLOSE.length;
    }
    if (pos > 0) {
      buf = buf.subarray(pos);
      base += pos;
    }
  };
  for await (const chunk of utf8Chunks(stream, (n) => { startShift += n; })) {
    if (startShift) { base += startShift; startShift = 0; }
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    yield* flush(false);
    // a long run of bytes with no event start: keep only the tail
    if (buf.length > maxEventBytes * 2 && findEventStart(buf, 0) < 0) {
      base += buf.length - OPEN.length;
      buf = Buffer.from(buf.subarray(buf.length - OPEN.length));
    }
  }
  yield* flush(true);
}

const PADDED_HEX = /^0x0+([0-9a-fA-F]+)$/;

function unpadHex(ev: Doc): void {
  const ed = ev.EventData;
  if (!ed || typeof ed !== 'object' || Array.isArray(ed)) return;
  for (const [k, v] of Object.entries(ed)) {
    if (typeof v === 'string') {
      const m = PADDED_HEX.exec(v);
      if (m) (ed as Doc)[k] = `0x${m[1]}`;
    }
  }
}

export const source: Source = {
  name: 'evtx-xml',
  description: 'Windows XML event exports (wevtutil /f:xml, Event Viewer Save as XML)',
  detect(input) {
    let t = headText(input.head).slice(0, 16384);
    // allow a few short text lines first: `Record <n>` (evtx_dump -o xml), a tool banner (evtxexport)
    t = t.replace(/^(?:[ \t]*[^<{[\s][^<{[\n]{0,200}\n|\s*\n){0,8}\s*/, '');
    if (!t.startsWith('<')) return 0;
    if (!/<Event[\s>]/.test(t) || !/<System\s*>/.test(t)) return 0;
    return t.includes('schemas.microsoft.com/win/2004/08/events/event') ? 95 : 75;
  },
  async *read(input, ctx, open) {
    // libevtx's evtxexport pads hexadecimal values to their type width (0x0000000000529ae3); Windows and
    // evtx_dump print them compact (0x529ae3): undo the padding so rules match the same text
    const padded = /^\s*evtxexport /.test(headText(input.head).slice(0, 64));
    for await (const item of xmlEvents(open(), ctx, input.path)) {
      let doc: Doc;
      try {
        doc = xmlEventToDoc(item.xml) as unknown as Doc;
      } catch (e) {
        ctx.error({ file: input.path, offset: item.offset, message: `bad event XML: ${(e as Error).message}` });
        continue;
      }
      if (padded) unpadHex(doc.Event as Doc);
      const sys = (doc.Event as Doc).System as Doc | undefined;
      const rid = sys && typeof sys === 'object' ? sys.EventRecordID : undefined;
      yield windowsEvent(doc, {
        file: input.path,
        format: 'evtx-xml',
        offset: item.offset,
        record: typeof rid === 'number' ? rid : undefined,
      });
    }
  },
};
