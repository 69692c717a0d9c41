/**
 * Exchange Server CSV logs with `#Software` / `#Version` / `#Log-type` / `#Fields:` headers: message tracking
 * (MSGTRK*), HttpProxy (every protocol folder), EWS, Rps_Http, ECP server, CmdletInfra cmdlet logs, CosmosQueue,
 * SMTP protocol logs and any other log of that family. Columns keep their header names; see
 * docs/mail-server-logs.md for the contract.
 */
import type { Doc, FieldValue, VigieEvent } from '../event.js';
import { parseTime, setKey } from '../event.js';
import type { InputFile, ReadContext, Source } from './types.js';
import { readLines, type Line } from './lines.js';
import { CsvRecordParser, headLines, splitCsvLine } from './csv.js';
import { flattenInto } from './m365-audit.js';

const MAX_COLUMNS = 512;
/** A line that starts an Exchange log record (ISO time then a comma): ends a runaway quoted record. */
const RECORD_START = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,7})?Z?,/;
const MAX_RECORD_CHARS = 1 << 20;
const MAX_RECORD_LINES = 4096;
const NUMERIC = new Set(['HttpStatus', 'BackEndStatus', 'total-bytes', 'recipient-count', 'RequestBytes', 'ResponseBytes', 'TotalRequestTime', 'ProcessId', 'sequence-number']);
const LISTS = new Set(['recipient-address', 'recipient-status', 'reference']);
const TIME_COLS = ['DateTime', 'date-time', 'TimeStamp', 'Timestamp', 'datetime', 'RunDate'];
const HOST_COLS = ['ServerHostName', 'server-hostname', 'ServerName', 'Server', 'OriginatingServer'];

/** Columns that, as a bare first line, identify an Exchange log (each set: all must be present). */
const BARE_HEADERS: string[][] = [
  ['date-time', 'event-id', 'message-id', 'sender-address'],
  ['DateTime', 'RequestId', 'UrlStem', 'AnchorMailbox'],
  ['DateTime', 'RequestId', 'SoapAction', 'AuthenticatedUser'],
  ['DateTime', 'StartTime', 'RequestId', 'Cmdlet', 'Parameters'],
  ['date-time', 'connector-id', 'session-id', 'sequence-number'],
  // Search-AdminAuditLog | Export-Csv
  ['CmdletName', 'CmdletParameters', 'Caller', 'RunDate'],
];

function bareHeaderMatch(cells: string[]): boolean {
  const set = new Set(cells);
  return BARE_HEADERS.some((h) => h.every((c) => set.has(c)));
}

export function detectExchangeCsv(input: InputFile): number {
  const lines = headLines(input, 30);
  let software = false;
  let fields = false;
  for (const l of lines) {
    if (l.startsWith('#Software: Microsoft Exchange')) software = true;
    else if (l.startsWith('#Fields:') && l.includes(',')) fields = true;
  }
  if (software && fields) return 95;
  if (fields && lines.some((l) => l.startsWith('#Log-type:'))) return 85;
  const first = lines.find((l) => l !== '' && !l.startsWith('#'));
  if (first) {
    const cells = splitCsvLine(first);
    if (cells && bareHeaderMatch(cells)) return 75;
  }
  return 0;
}

interface Header {
  logType?: string;
  version?: string;
  software?: string;
}

interface Layout {
  cols: string[];
  /** per column: 0 text, 1 number, 2 ';' list, 3 ignored (empty name), 4 text named `__proto__` (own property) */
  kinds: Uint8Array;
  service: string;
  channel: string;
  iProtocol: number;
  iTime: number;
  iHost: number;
}

/** Map a `#Log-type` text (and the columns) to the logsource service. */
export function serviceOf(logType: string | undefined, cols: string[]): { service: string; channel: string } {
  const t = (logType ?? '').toLowerCase();
  const has = (c: string) => cols.includes(c);
  // the #Log-type decides when it is known …
  if (t.includes('message tracking')) return { service: 'messagetracking', channel: 'MSExchange MessageTracking' };
  if (t.includes('httpproxy') || t.includes('http proxy')) return { service: 'httpproxy', channel: 'MSExchange HttpProxy' };
  // the CosmosQueue admin audit local queue (Logging\LocalQueue\Exchange\audit*.LOG) says `#Log-type: audit`
  if (t.includes('cosmos') || t === 'audit' || t === 'audit log') return { service: 'cosmosqueue', channel: 'MSExchange CosmosQueue' };
  if (t.includes('cmdlet')) return { service: 'cmdletinfra', channel: 'MSExchange CmdletInfra' };
  if (/\bews\b/.test(t)) return { service: 'ews', channel: 'MSExchange EWS' };
  if (/\brps\b|rps_http/.test(t)) return { service: 'rps', channel: 'MSExchange RpsHttp' };
  if (t.includes('ecp')) return { service: 'ecp', channel: 'MSExchange ECP' };
  if (t.includes('smtp receive')) return { service: 'smtpreceive', channel: 'MSExchange SmtpReceive' };
  if (t.includes('smtp send')) return { service: 'smtpsend', channel: 'MSExchange SmtpSend' };
  // … else the columns
  if (has('event-id') && has('message-id') && has('sender-address')) return { service: 'messagetracking', channel: 'MSExchange MessageTracking' };
  if (has('UrlStem') && has('TargetServer') && has('AnchorMailbox')) return { service: 'httpproxy', channel: 'MSExchange HttpProxy' };
  if (has('CmdletName') && has('Caller') && has('RunDate')) return { service: 'adminaudit', channel: 'MSExchange Admin Audit' };
  if (has('Cmdlet') && has('Parameters')) return { service: 'cmdletinfra', channel: 'MSExchange CmdletInfra' };
  if (has('Data') && (has('TenantId') || has('RecordType'))) return { service: 'cosmosqueue', channel: 'MSExchange CosmosQueue' };
  if (has('SoapAction')) return { service: 'ews', channel: 'MSExchange EWS' };
  if (has('connector-id') && has('session-id')) return { service: 'smtpreceive', channel: 'MSExchange SmtpReceive' };
  if (t) {
    const svc = t.replace(/[^a-z0-9]+/g, '');
    return { service: svc || 'exchange', channel: `MSExchange ${logType!.trim()}` };
  }
  return { service: 'exchange', channel: 'MSExchange' };
}

function makeLayout(cols: string[], hdr: Header): Layout {
  const { service, channel } = serviceOf(hdr.logType, cols);
  const kinds = new Uint8Array(cols.length);
  cols.forEach((c, i) => (kinds[i] = c === '' ? 3 : c === '__proto__' ? 4 : NUMERIC.has(c) ? 1 : LISTS.has(c) ? 2 : 0));
  return {
    cols,
    kinds,
    service,
    channel,
    iProtocol: service === 'httpproxy' ? cols.indexOf('Protocol') : -1,
    iTime: TIME_COLS.map((c) => cols.indexOf(c)).find((i) => i >= 0) ?? -1,
    iHost: HOST_COLS.map((c) => cols.indexOf(c)).find((i) => i >= 0) ?? -1,
  };
}

export const source: Source = {
  name: 'exchange-csv',
  description: 'Exchange CSV logs with #Fields headers (message tracking, HttpProxy, EWS, ECP, CmdletInfra…)',
  detect: detectExchangeCsv,
  read: async function* (input: InputFile, ctx: ReadContext, open: () => NodeJS.ReadableStream): AsyncGenerator<VigieEvent> {
    const file = input.path;
    const hdr: Header = {};
    let lay: Layout | undefined;
    let sawData = false;
    const parser = new CsvRecordParser(',');
    let start: Line | undefined;
    let chars = 0;
    let nlines = 0;

    for await (const ln of readLines(open(), ctx, file)) {
      const text = ln.text;
      if (start && RECORD_START.test(text)) {
        // an unclosed quote ran into a line that certainly starts a new record: drop the broken one
        ctx.error({ file, offset: start.offset, line: start.line, message: 'CSV record with an unclosed quote skipped' });
        parser.reset();
        start = undefined;
      }
      if (!start) {
        if (text === '') continue;
        if (text.charCodeAt(0) === 35 /* # */) {
          if (text.startsWith('#Fields:')) {
            const cells = splitCsvLine(text.slice(8).trim());
            if (!cells || cells.length === 0 || cells.length > MAX_COLUMNS) {
              ctx.error({ file, offset: ln.offset, line: ln.line, message: 'unusable #Fields: line' });
              lay = undefined;
            } else lay = makeLayout(cells.map((c) => c.trim()), hdr);
          } else if (text.startsWith('#Log-type:')) hdr.logType = text.slice(10).trim();
          else if (text.startsWith('#Version:')) hdr.version = text.slice(9).trim();
          else if (text.startsWith('#Software:')) hdr.software = text.slice(10).trim();
          continue;
        }
        start = ln;
        chars = 0;
        nlines = 0;
      }
      chars += text.length + 1;
      nlines++;
      if (!parser.feed(text)) {
        if (chars > MAX_RECORD_CHARS || nlines > MAX_RECORD_LINES) {
          ctx.error({ file, offset: start.offset, line: start.line, message: 'CSV record with an unclosed quote too long: skipped' });
          parser.reset();
          start = undefined;
        }
        continue;
      }
      const cells = parser.take();
      const at = start;
      start = undefined;
      if (!lay || !sawData) {
        // a bare header line (no #Fields:) — at the top, or repeated where the file was appended to
        if (cells.length <= MAX_COLUMNS && bareHeaderMatch(cells.map((c) => c.trim()))) {
          lay = makeLayout(cells.map((c) => c.trim()), hdr);
          continue;
        }
      } else if (lay && cells.length === lay.cols.length && cells.every((c, i) => c === lay!.cols[i])) {
        continue; // the header repeated as a bare line
      }
      if (!lay) {
        ctx.error({ file, offset: at.offset, line: at.line, message: 'Exchange log line before any #Fields: header skipped' });
        continue;
      }
      if (cells.length !== lay.cols.length) {
        ctx.error({
          file,
          offset: at.offset,
          line: at.line,
          message: `Exchange log record has ${cells.length} values for ${lay.cols.length} columns: skipped`,
        });
        continue;
      }
      sawData = true;
      const ev = toEvent(cells, lay, hdr, file, at);
      if (!ev) {
        ctx.error({ file, offset: at.offset, line: at.line, message: `Exchange log record with a bad time "${cells[lay.iTime]}" skipped` });
        continue;
      }
      yield ev;
    }
    if (start) ctx.error({ file, offset: start.offset, line: start.line, message: 'CSV record with an unclosed quote at end of file skipped' });
  },
};

function toEvent(cells: string[], lay: Layout, hdr: Header, file: string, at: Line): VigieEvent | undefined {
  const fields: Doc = {};
  const kinds = lay.kinds;
  for (let i = 0; i < cells.length; i++) {
    const v = cells[i];
    if (v.length === 0 || (v.length === 1 && v === '-')) continue;
    const k = kinds[i];
    if (k === 0) fields[lay.cols[i]] = v;
    else if (k === 1) fields[lay.cols[i]] = /^-?\d{1,15}$/.test(v) ? Number(v) : v;
    else if (k === 2) {
      if (v.includes(';')) {
        const parts = v.split(';').map((x) => x.trim()).filter((x) => x !== '');
        fields[lay.cols[i]] = parts.length === 1 ? parts[0] : (parts as FieldValue[]);
      } else fields[lay.cols[i]] = v;
    } else if (k === 4) setKey(fields, lay.cols[i], v);
  }
  if (hdr.logType) fields.LogType = hdr.logType;
  if (hdr.version) fields.LogVersion = hdr.version;
  let time: number | undefined;
  if (lay.iTime >= 0) {
    const t = cells[lay.iTime];
    if (t !== '' && t !== '-') {
      time = parseTime(t);
      // PowerShell's US-style export dates ("3/1/2024 9:00:00 AM"): taken as UTC
      if (time === undefined && /^\d{1,2}\/\d{1,2}\/\d{4} \d{1,2}:\d{2}(:\d{2})?( [AP]M)?$/.test(t)) {
        const ms = Date.parse(`${t} UTC`);
        if (Number.isFinite(ms)) time = ms;
      }
      if (time === undefined) return undefined;
    }
  }
  if (lay.service === 'cosmosqueue') expandCosmosData(fields);
  let channel = lay.channel;
  if (lay.iProtocol >= 0 && cells[lay.iProtocol]) channel = `${lay.channel}/${cells[lay.iProtocol]}`;
  if (lay.service === 'httpproxy' || lay.service === 'ews' || lay.service === 'rps') {
    const stem = typeof fields.UrlStem === 'string' ? fields.UrlStem : undefined;
    const q = typeof fields.UrlQuery === 'string' ? fields.UrlQuery : undefined;
    if (stem !== undefined || q !== undefined) {
      fields['cs-uri-query'] = stem === undefined ? q! : q === undefined ? stem : `${stem}${q.startsWith('?') ? '' : '?'}${q}`;
    }
  }
  // "EXCH01 (15.02.1118.007)" → "EXCH01" (indexOf, not a regex: ` \(.*$` is quadratic on a hostile cell)
  const hostCell = lay.iHost >= 0 ? cells[lay.iHost] : '';
  const paren = hostCell ? hostCell.indexOf(' (') : -1;
  const host = hostCell ? (paren >= 0 ? hostCell.slice(0, paren) : hostCell) : undefined;
  return {
    origin: { file, format: 'exchange-csv', offset: at.offset, record: at.line },
    time,
    computer: host,
    channel,
    provider: 'MSExchange',
    logsource: { product: 'exchange', service: lay.service },
    fields,
  };
}

/** Most characters of a CosmosQueue `Data` cell parsed as JSON. */
const MAX_DATA_JSON = 1 << 20;

/**
 * CosmosQueue audit records carry the audited cmdlet run as a JSON object in the `Data` column (the admin audit
 * record: Operation / CmdletName, Parameters as Name/Value pairs, UserId / Caller, ResultStatus / Succeeded,
 * ObjectId, OriginatingServer…). Its members become `Data.<name>` fields (Name/Value arrays expanded as
 * `Data.Parameters.<Name>`); the raw `Data` text is kept for keyword rules. Data that is not a JSON object is
 * left as text (the cmdlet view then reads it as a command line).
 */
function expandCosmosData(fields: Doc): void {
  const d = fields.Data;
  if (typeof d !== 'string' || d.length > MAX_DATA_JSON) return;
  const t = d.trimStart();
  if (t.charCodeAt(0) !== 123 /* { */) return;
  let obj: unknown;
  try {
    obj = JSON.parse(t);
  } catch {
    return;
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return;
  flattenInto(fields, obj as Record<string, unknown>, 'Data');
}
