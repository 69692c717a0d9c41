/**
 * Windows XML event exports: `wevtutil qe <log> /f:xml` (bare `<Event xmlns=…>` elements back to back),
 * Event Viewer "Save as XML" / `wevtutil epl`-style `<Events><Event>…</Event></Events>` (with RenderingInfo),
 * `evtx_dump -o xml` (`Record <n>` lines and an XML declaration before each event), PowerShell `.ToXml()`
 * output; UTF-8 or UTF-16 (PowerShell redirection). Streamed: the content is split on `<Event …>…</Event>`
 * without loading the file, each event parsed with the safe parser in xml.ts, converted to the evtx_dump JSON shape
 * and handed to `windowsEvent`. A damaged event is skipped and reported with its byte offset; text between events
 * (other than the `<Events>` wrapper, declarations, comments, `Record <n>` lines) is reported once per run. Offsets
 * are byte offsets in the (decompressed) file for UTF-16 input too.
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
  /** byte offset of the `<Event` start tag in the (decompressed) file, whatever its encoding */
  offset: number;
}

const MAX_NOISE_LINE = 200;
const MAX_BANNER_LINES = 8;

/**
 * Streaming check of the text between events. Allowed there: whitespace, the `<Events …>` / `</Events>` wrapper, XML
 * declarations and other processing instructions, comments, `Record <n>` lines (evtx_dump -o xml) and, before the
 * first event, a few short tool banner lines (evtxexport). Anything else is a run of garbage, counted once (at its
 * first byte) when the run ends: at the next allowed markup or event. Constant memory whatever the run length.
 */
class GapScanner {
  private state: 'text' | 'lt' | 'comment' | 'pi' | 'tag' = 'text';
  private la = ''; // characters after `<` while deciding what the markup is
  private ltAt = -1; // source offset of that `<`
  private tail = ''; // last characters inside a comment / PI, to find its end
  private garbageAt = -1; // source offset of the current run's first bad byte (-1: none)
  private reported = false; // the current run is already accounted for (an oversized event was skipped)
  private line = ''; // start of the current text line (bounded), for the noise line test
  private lineLen = 0;
  private lineAt = -1;
  private banner = 0;
  seenEvent = false;

  constructor(private readonly ctx: ReadContext, private readonly file: string) {}

  /** the current run was already reported (the body of a skipped oversized event) */
  suppress(): void {
    this.reported = true;
  }

  private bad(at: number): void {
    if (this.garbageAt < 0) this.garbageAt = at;
  }

  /** end of a text line in the gap: is it an allowed noise line? */
  private endLine(): void {
    if (this.lineAt >= 0) {
      const t = this.line.trim();
      const noise = /^Record \d+$/.test(t) || (!this.seenEvent && this.lineLen <= MAX_NOISE_LINE && this.banner++ < MAX_BANNER_LINES && !t.includes('<'));
      if (!noise) this.bad(this.lineAt);
    }
    this.line = '';
    this.lineLen = 0;
    this.lineAt = -1;
  }

  /** the current run ends (allowed markup, an event, or the end of input): count it if it held garbage */
  endRun(): void {
    if (this.state === 'text') this.endLine();
    else if (this.state === 'lt') this.bad(this.ltAt);
    else if (this.state !== 'tag' || this.la) this.bad(this.ltAt); // unterminated comment / PI / tag
    if (this.garbageAt >= 0 && !this.reported) {
      this.ctx.error({ file: this.file, offset: this.garbageAt, message: 'text outside any <Event> element: skipped' });
    }
    this.garbageAt = -1;
    this.reported = false;
    this.state = 'text';
    this.la = '';
    this.tail = '';
  }

  /** an event starts: the gap before it is complete */
  eventStart(): void {
    this.endRun();
    this.seenEvent = true;
  }

  /** scan buf[from, to) of the gap; `at(k)` maps an index of buf to its source offset (monotonic calls) */
  feed(buf: Buffer, from: number, to: number, at: (k: number) => number): void {
    let i = from;
    while (i < to) {
      const c = buf[i];
      switch (this.state) {
        case 'text': {
          if (c === 0x3c) {
            this.endLine();
            this.state = 'lt';
            this.la = '';
            this.ltAt = at(i);
            i++;
            break;
          }
          if (c === 0x0a) { this.endLine(); i++; break; }
          if (this.lineAt < 0) {
            if (c === 0x20 || c === 0x09 || c === 0x0d) { i++; break; }
            this.lineAt = at(i);
          }
          // a long line is garbage whatever follows: skip to its end without looking at each byte
          if (this.lineLen > MAX_NOISE_LINE) {
            this.bad(this.lineAt);
            let e = buf.indexOf(0x0a, i);
            if (e < 0 || e > to) e = to;
            const lt = buf.indexOf(0x3c, i);
            if (lt >= 0 && lt < e) e = lt;
            this.lineLen += e - i;
            i = e;
            break;
          }
          if (this.line.length < 64) this.line += String.fromCharCode(c);
          this.lineLen++;
          i++;
          break;
        }
        case 'lt': {
          this.la += String.fromCharCode(c);
          i++;
          const la = this.la;
          if (la === '!--') { this.endRunKeep(); this.state = 'comment'; this.tail = ''; }
          else if (la === '?') { this.endRunKeep(); this.state = 'pi'; this.tail = ''; }
          else if (/^\/?Events[\s>]$/.test(la)) {
            this.endRunKeep();
            this.state = 'tag';
            this.la = '';
            if (c === 0x3e) this.state = 'text';
          } else if (!('!--'.startsWith(la) || '/Events'.startsWith(la) || 'Events'.startsWith(la))) {
            // not an allowed markup: the `<` and what follows are garbage text
            this.bad(this.ltAt);
            this.state = 'text';
            this.line = 'x';
            this.lineLen = 1;
            this.lineAt = this.ltAt;
            if (c === 0x3c) i--; // a new `<`: look at it again
            else if (c === 0x0a) { i--; }
          }
          break;
        }
        case 'comment':
        case 'pi': {
          const end = this.state === 'comment' ? '-->' : '?>';
          const k = buf.indexOf(end[end.length - 1], i);
          if (k < 0 || k >= to) {
            this.tail = (this.tail + buf.toString('latin1', Math.max(i, to - 2), to)).slice(-2);
            i = to;
            break;
          }
          const before = (this.tail + buf.toString('latin1', Math.max(i, k - 2), k)).slice(-(end.length - 1));
          this.tail = (this.tail + buf.toString('latin1', Math.max(i, k - 1), k + 1)).slice(-2);
          i = k + 1;
          if (before === end.slice(0, -1)) { this.state = 'text'; this.tail = ''; }
          break;
        }
        case 'tag': {
          // rest of an <Events …> / </Events> tag, up to its `>` (attribute values hold no `>` in practice)
          const k = buf.indexOf(0x3e, i);
          if (k < 0 || k >= to) { i = to; break; }
          i = k + 1;
          this.state = 'text';
          break;
        }
      }
    }
  }

  /** allowed markup starts: the text run before it ends (counted if it held garbage) */
  private endRunKeep(): void {
    if (this.garbageAt >= 0 && !this.reported) {
      this.ctx.error({ file: this.file, offset: this.garbageAt, message: 'text outside any <Event> element: skipped' });
    }
    this.garbageAt = -1;
    this.reported = false;
  }
}

/** UTF-16 code units encoded by buf[a, b) of well-formed UTF-8 (cut anywhere: counts lead bytes) */
function utf16Units(buf: Buffer, a: number, b: number): number {
  let n = 0;
  for (let i = a; i < b; i++) {
    const c = buf[i];
    if ((c & 0xc0) !== 0x80) n += c >= 0xf0 ? 2 : 1;
  }
  return n;
}

/** Split a (decompressed) content stream into `<Event>` element texts, reporting damaged ones and stray text. */
export async function* xmlEvents(stream: NodeJS.ReadableStream, ctx: ReadContext, file: string, maxEventBytes = MAX_EVENT_BYTES): AsyncGenerator<XmlEventItem> {
  let buf: Buffer = Buffer.alloc(0);
  // UTF-16 input is transcoded to UTF-8 by utf8Chunks: offsets are mapped back to file bytes (2 per code unit)
  let utf16 = false;
  let srcBase = 0; // source offset of buf[0]
  let mIdx = 0; // mapping cursor: index in buf …
  let mSrc = 0; // … and its source offset
  let startShift = 0;
  const at = (k: number): number => {
    if (k < mIdx) { mIdx = 0; mSrc = srcBase; } // not expected: calls are monotonic
    mSrc += utf16 ? 2 * utf16Units(buf, mIdx, k) : k - mIdx;
    mIdx = k;
    return mSrc;
  };
  const gap = new GapScanner(ctx, file);
  const drop = (pos: number): void => {
    if (pos <= 0) return;
    srcBase = at(pos);
    buf = buf.subarray(pos);
    mIdx = 0;
    mSrc = srcBase;
  };
  const flush = function* (final: boolean): Generator<XmlEventItem> {
    let pos = 0;
    for (;;) {
      const s = findEventStart(buf, pos);
      if (s < 0 || (!final && s + OPEN.length >= buf.length)) {
        // keep a possible partial "<Event" at the end
        const keep = s >= 0 ? s : final ? buf.length : Math.max(pos, buf.length - OPEN.length);
        gap.feed(buf, pos, keep, at);
        pos = keep;
        break;
      }
      const e = buf.indexOf(CLOSE, s);
      const next = findEventStart(buf, s + OPEN.length);
      if (next >= 0 && (e < 0 || next < e) && (final || next + OPEN.length < buf.length)) {
        gap.feed(buf, pos, s, at);
        gap.eventStart();
        ctx.error({ file, offset: at(s), message: 'Event element cut short (a new <Event> starts before </Event>): skipped' });
        pos = next;
        continue;
      }
      if (e < 0) {
        if (buf.length - s > maxEventBytes || final) {
          gap.feed(buf, pos, s, at);
          gap.eventStart();
          ctx.error({ file, offset: at(s), message: final ? 'Event element cut short at end of input: skipped' : `Event element larger than ${maxEventBytes} bytes: skipped` });
          gap.suppress();
          pos = s + OPEN.length;
          if (final) { pos = buf.length; break; }
          continue;
        }
        gap.feed(buf, pos, s, at);
        pos = s;
        break;
      }
      gap.feed(buf, pos, s, at);
      gap.eventStart();
      if (e + CLOSE.length - s > maxEventBytes) {
        ctx.error({ file, offset: at(s), message: `Event element larger than ${maxEventBytes} bytes: skipped` });
      } else {
        yield { xml: buf.toString('utf8', s, e + CLOSE.length), offset: at(s) };
      }
      pos = e + CLOSE.length;
    }
    drop(pos);
  };
  for await (const chunk of utf8Chunks(stream, (n) => { startShift += n; if (n === 2) utf16 = true; })) {
    if (startShift) { srcBase += startShift; mSrc = srcBase; startShift = 0; }
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    yield* flush(false);
    // a long run of bytes with no event start: keep only the tail (the gap scanner has seen the rest)
    if (buf.length > maxEventBytes * 2 && findEventStart(buf, 0) < 0) drop(buf.length - OPEN.length);
  }
  yield* flush(true);
  gap.endRun();
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
