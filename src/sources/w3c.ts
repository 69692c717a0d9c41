/**
 * IIS W3C extended log reader (u_ex*.log, HTTP.sys httperr*.log). `#Fields:` directives may appear anywhere
 * (IIS writes a new header block at every restart) and switch the columns from that line on. Fields are mapped
 * to the Sigma `webserver` names; see docs/mail-server-logs.md for the contract.
 */
import type { Doc, VigieEvent } from '../event.js';
import { setKey } from '../event.js';
import type { InputFile, ReadContext, Source } from './types.js';
import { readLineBatches, type Line } from './lines.js';
import { headLines } from './csv.js';

const NUMERIC = new Set(['sc-status', 'sc-substatus', 'sc-win32-status', 's-port', 'c-port', 'sc-bytes', 'cs-bytes', 'time-taken', 's-siteid']);
const RENAMES: Record<string, string> = {
  'cs(user-agent)': 'cs-user-agent',
  'cs(referer)': 'cs-referer',
  'cs(cookie)': 'cs-cookie',
};
const MAX_COLUMNS = 256;

function isW3cFieldsLine(l: string): boolean {
  if (!l.startsWith('#Fields:')) return false;
  const cols = l.slice(8).trim().split(/\s+/);
  return cols.includes('date') || cols.includes('time') || cols.includes('cs-uri-stem') || cols.includes('cs-uri');
}

export function detectW3c(input: InputFile): number {
  const lines = headLines(input, 40);
  let software = 0;
  let fields = false;
  for (const l of lines) {
    if (l.startsWith('#Software: Microsoft Internet Information Services')) software = 2;
    else if (l.startsWith('#Software: Microsoft HTTP API')) software = 2;
    else if (l.startsWith('#Software:') && !software) software = 1;
    if (isW3cFieldsLine(l)) fields = true;
  }
  if (!fields) return 0;
  return software === 2 ? 95 : 80;
}

/** Undo IIS's `+` encoding of spaces in user agents (and other cs(...) headers). */
export function decodePlus(v: string): string {
  return v.indexOf('+') < 0 ? v : v.replaceAll('+', ' ');
}

/** Digits only (1 to 15 of them): a number column value. */
function isUint(v: string): boolean {
  const n = v.length;
  if (n === 0 || n > 15) return false;
  for (let i = 0; i < n; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

const dayCache = new Map<string, number>();
/** "YYYY-MM-DD" → ms at midnight UTC (cached: a log has few distinct dates), NaN when invalid. */
function dayMs(date: string): number {
  let v = dayCache.get(date);
  if (v === undefined) {
    v = /^\d{4}-\d{2}-\d{2}$/.test(date) ? Date.parse(`${date}T00:00:00Z`) : NaN;
    if (dayCache.size > 10_000) dayCache.clear();
    dayCache.set(date, v);
  }
  return v;
}

/** "hh:mm:ss[.fff]" → ms of the day, NaN when invalid. */
function timeMs(t: string): number {
  if (t.length < 8 || t.charCodeAt(2) !== 58 || t.charCodeAt(5) !== 58) return NaN;
  const d = (i: number) => t.charCodeAt(i) - 48;
  for (const i of [0, 1, 3, 4, 6, 7]) if (d(i) < 0 || d(i) > 9) return NaN;
  const h = d(0) * 10 + d(1);
  const m = d(3) * 10 + d(4);
  const sec = d(6) * 10 + d(7);
  if (h > 23 || m > 59 || sec > 60) return NaN;
  let ms = 0;
  if (t.length > 8) {
    if (t.charCodeAt(8) !== 46 || t.length === 9) return NaN;
    const frac = t.slice(9, 12).padEnd(3, '0');
    for (let i = 9; i < t.length; i++) if (d(i) < 0 || d(i) > 9) return NaN;
    ms = Number(frac);
  }
  return ((h * 60 + m) * 60 + sec) * 1000 + ms;
}

interface Layout {
  cols: string[];
  keys: string[];
  iDate: number;
  iTime: number;
  iStem: number;
  iQuery: number;
  iUri: number;
  iComputer: number;
  iSite: number;
  httperr: boolean;
}

function layout(cols: string[], httperr: boolean): Layout {
  return {
    cols,
    keys: cols.map((c) => (Object.prototype.hasOwnProperty.call(RENAMES, c.toLowerCase()) ? RENAMES[c.toLowerCase()] : c)),
    iDate: cols.indexOf('date'),
    iTime: cols.indexOf('time'),
    iStem: cols.indexOf('cs-uri-stem'),
    iQuery: cols.indexOf('cs-uri-query'),
    iUri: cols.indexOf('cs-uri'),
    iComputer: cols.indexOf('s-computername'),
    iSite: cols.indexOf('s-sitename'),
    httperr,
  };
}

interface W3cState {
  lay: Layout | undefined;
  httperr: boolean;
}

/** The event of one line; undefined for directives and for bad lines (reported). */
function lineEvent(st: W3cState, ln: Line, input: InputFile, ctx: ReadContext): VigieEvent | undefined {
  const text = ln.text;
  if (text === '') return undefined;
  if (text.charCodeAt(0) === 35 /* # */) {
    if (text.startsWith('#Fields:')) {
      const cols = text.slice(8).trim().split(/\s+/).filter((c) => c !== '');
      if (cols.length === 0 || cols.length > MAX_COLUMNS) {
        ctx.error({ file: input.path, offset: ln.offset, line: ln.line, message: 'unusable #Fields: line' });
        st.lay = undefined;
      } else st.lay = layout(cols, st.httperr);
    } else if (text.startsWith('#Software:')) {
      st.httperr = text.slice(10).trim().startsWith('Microsoft HTTP API');
    }
    return undefined;
  }
  const lay = st.lay;
  if (!lay) {
    ctx.error({ file: input.path, offset: ln.offset, line: ln.line, message: 'W3C line before any #Fields: header skipped' });
    return undefined;
  }
  const vals = text.split(' ', lay.cols.length + 1); // bounded: one extra value is enough to reject the line
  if (vals.length !== lay.cols.length) {
    ctx.error({
      file: input.path,
      offset: ln.offset,
      line: ln.line,
      message: `W3C line has ${vals.length > lay.cols.length ? 'more' : vals.length} values ${vals.length > lay.cols.length ? 'than' : 'for'} ${lay.cols.length} #Fields columns: skipped`,
    });
    return undefined;
  }
  const fields: Doc = {};
  for (let i = 0; i < vals.length; i++) {
    const v = vals[i];
    if (v === '-' || v === '') continue;
    const col = lay.cols[i];
    const key = lay.keys[i];
    if (NUMERIC.has(col) && isUint(v)) fields[col] = Number(v);
    else if (col === '__proto__') setKey(fields, col, v);
    else if (key !== col) {
      fields[col] = v; // raw, as logged
      fields[key] = decodePlus(v);
    } else fields[col] = v;
  }
  const date = lay.iDate >= 0 ? vals[lay.iDate] : undefined;
  const time = lay.iTime >= 0 ? vals[lay.iTime] : undefined;
  let ms: number | undefined;
  if (date && time) {
    ms = dayMs(date) + timeMs(time);
    if (!Number.isFinite(ms)) ms = undefined;
  }
  if ((date || time) && ms === undefined) {
    ctx.error({ file: input.path, offset: ln.offset, line: ln.line, message: `W3C line with a bad date/time "${date} ${time}" skipped` });
    return undefined;
  }
  // the whole request path in cs-uri-query (SigmaHQ webserver rules look for paths there); raw query kept
  const stem = lay.iStem >= 0 ? vals[lay.iStem] : undefined;
  const query = lay.iQuery >= 0 ? vals[lay.iQuery] : undefined;
  const hasQuery = query !== undefined && query !== '-' && query !== '';
  if (hasQuery) fields['cs-uri-query-raw'] = query;
  if (stem !== undefined && stem !== '-') fields['cs-uri-query'] = hasQuery ? `${stem}?${query}` : stem;
  else if (lay.iUri >= 0 && vals[lay.iUri] !== '-') fields['cs-uri-query'] = vals[lay.iUri];
  else if (hasQuery) fields['cs-uri-query'] = query;
  const computer = lay.iComputer >= 0 && vals[lay.iComputer] !== '-' ? vals[lay.iComputer] : undefined;
  const site = lay.iSite >= 0 && vals[lay.iSite] !== '-' ? vals[lay.iSite] : undefined;
  return {
    origin: { file: input.path, format: 'w3c', offset: ln.offset, record: ln.line },
    time: ms,
    computer,
    channel: site ? `IIS/${site}` : lay.httperr ? 'IIS/HTTPERR' : 'IIS',
    provider: 'IIS',
    logsource: lay.httperr ? { category: 'webserver', product: 'iis', service: 'httperr' } : { category: 'webserver', product: 'iis' },
    fields,
  };
}

export const source: Source = {
  name: 'w3c',
  description: 'IIS W3C extended logs (u_ex*.log, httperr*.log)',
  detect: detectW3c,
  async *read(input, ctx, open) {
    for await (const batch of source.readBatches!(input, ctx, open)) yield* batch;
  },
  // the lines of a chunk of the file (all of a file read whole) at once: one asynchronous step per chunk
  async *readBatches(input, ctx, open) {
    const st: W3cState = { lay: undefined, httperr: false };
    for await (const lines of readLineBatches(open(), ctx, input.path)) {
      const events: VigieEvent[] = [];
      for (const ln of lines) {
        const ev = lineEvent(st, ln, input, ctx);
        if (ev) events.push(ev);
      }
      if (events.length) yield events;
    }
  },
};
