/**
 * Microsoft 365 unified audit log exports: Purview CSV (RecordId, CreationDate, RecordType, Operation, UserId,
 * AuditData…), Search-UnifiedAuditLog | Export-Csv (RecordType, CreationDate, UserIds, Operations, AuditData,
 * ResultIndex…), JSON (array) and JSON Lines of AuditData objects. AuditData is flattened to top-level names;
 * Name/Value arrays (Parameters, OperationProperties, ExtendedProperties, ModifiedProperties) become fields.
 * Also exports `jsonRecords`, the bounded streaming JSON record splitter the sign-in reader shares.
 */
import type { Doc, FieldValue, VigieEvent } from '../event.js';
import { parseTime, setKey } from '../event.js';
import type { InputFile, ReadContext, Source } from './types.js';
import { StringDecoder } from 'node:string_decoder';
import { readLines } from './lines.js';
import { headLines, headText, readCsvRecords } from './csv.js';
import { sniffBom } from './text.js';

export const MAX_JSON_RECORD_CHARS = 16 * 1024 * 1024;
const MAX_DEPTH = 64;

export interface JsonRecord {
  value: unknown;
  offset: number;
  line: number;
}

/**
 * Stream the records of a JSON document: objects of a top-level array, objects of the `value` array of a Graph
 * page (`{"value": [...]}`), or top-level objects back to back / one per line (JSON Lines). Works on raw chunks
 * (a whole export on one line is fine), UTF-8 with or without BOM or UTF-16LE with BOM. Each record is bounded;
 * an unparsable record is reported (file, line, byte offset) and skipped.
 */
export async function* jsonRecords(
  stream: NodeJS.ReadableStream,
  ctx: ReadContext,
  file: string,
  maxChars = MAX_JSON_RECORD_CHARS,
): AsyncGenerator<JsonRecord> {
  const outer: number[] = []; // open containers outside records: 123 '{' or 91 '['
  let rootKey = ''; // last string seen directly inside the root object (a key)
  let keyBuf = '';
  let inRec = false;
  let recDepth = 0;
  let recParts: string[] = [];
  let recChars = 0;
  let recOffset = 0;
  let recLine = 0;
  let inStr = false;
  let esc = false;
  let line = 1;
  let junkLine = -1;
  let skipToEol = false;
  let jsonl: boolean | undefined; // one record per line (decided by the first record)
  let decoder: StringDecoder | undefined;
  let utf16 = false;
  let bytePos = 0; // byte offset of the current chunk's start
  let first = true;
  let discard = false; // inside a record that outgrew the bound: track its end, keep nothing

  const finish = function* (text: string): Generator<JsonRecord> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      ctx.error({ file, offset: recOffset, line: recLine, message: `bad JSON record skipped: ${(e as Error).message}` });
      return;
    }
    if (isWrapper(parsed)) for (const v of parsed.value) yield { value: v, offset: recOffset, line: recLine };
    else yield { value: parsed, offset: recOffset, line: recLine };
  };

  for await (const raw of stream as AsyncIterable<Buffer | string>) {
    let buf = typeof raw === 'string' ? Buffer.from(raw) : raw;
    if (first) {
      first = false;
      const bom = sniffBom(buf);
      if (bom && bom.encoding !== 'utf16be') {
        buf = buf.subarray(bom.length);
        bytePos = bom.length;
        utf16 = bom.encoding === 'utf16le';
      }
      decoder = new StringDecoder(utf16 ? 'utf16le' : 'utf8');
    }
    const t = decoder!.write(buf);
    // byte offsets inside this chunk: advanced incrementally (linear overall)
    let mIdx = 0;
    let mByte = bytePos;
    const byteAt = (i: number): number => {
      mByte += utf16 ? (i - mIdx) * 2 : Buffer.byteLength(t.slice(mIdx, i));
      mIdx = i;
      return mByte;
    };
    let segStart = 0;
    const n = t.length;
    for (let i = 0; i < n; i++) {
      const c = t.charCodeAt(i);
      if (c === 10) {
        line++;
        skipToEol = false;
        if (inRec && jsonl === true) {
          // JSON Lines: a record never spans lines — this one is cut
          if (!discard) ctx.error({ file, offset: recOffset, line: recLine, message: 'JSON Lines record cut off at end of line skipped' });
          discard = false;
          inRec = false;
          inStr = false;
          esc = false;
          recParts = [];
        } else if (inStr && !inRec) inStr = false;
        continue;
      }
      if (skipToEol) continue;
      if (inStr) {
        if (esc) esc = false;
        else if (c === 92) esc = true;
        else if (c === 34) inStr = false;
        else if (!inRec && keyBuf.length < 64) keyBuf += t[i];
        continue;
      }
      if (c === 34) {
        inStr = true;
        if (!inRec) keyBuf = '';
        continue;
      }
      if (inRec) {
        if (c === 123 || c === 91) recDepth++;
        else if (c === 125 || c === 93) {
          recDepth--;
          if (recDepth === 0 && discard) {
            discard = false;
            inRec = false;
          } else if (recDepth === 0 && recChars + (i + 1 - segStart) > maxChars) {
            ctx.error({ file, offset: recOffset, line: recLine, message: `JSON record larger than ${maxChars} characters skipped` });
            if (jsonl === undefined) jsonl = recLine === line;
            recParts = [];
            inRec = false;
          } else if (recDepth === 0) {
            recParts.push(t.slice(segStart, i + 1));
            if (jsonl === undefined) jsonl = recLine === line;
            const text = recParts.length === 1 ? recParts[0] : recParts.join('');
            recParts = [];
            inRec = false;
            yield* finish(text);
          }
        }
        continue;
      }
      if (c === 32 || c === 9 || c === 13 || c === 44 || c === 58 || c === 0xfeff) continue;
      if (outer.length === 1 && outer[0] === 123 && c !== 123 && c !== 91) rootKey = '';
      const atRecordLevel =
        outer.length === 0 ||
        (outer.length === 1 && outer[0] === 91) ||
        (outer.length === 2 && outer[0] === 123 && outer[1] === 91 && rootKey === 'value');
      if (c === 123) {
        if (atRecordLevel) {
          inRec = true;
          recDepth = 1;
          segStart = i;
          recParts = [];
          recChars = 0;
          recLine = line;
          recOffset = byteAt(i);
          continue;
        }
        if (outer.length < MAX_DEPTH) outer.push(123);
        continue;
      }
      if (c === 91) {
        if (outer.length === 1 && outer[0] === 123) rootKey = keyBuf;
        if (outer.length < MAX_DEPTH) outer.push(91);
        continue;
      }
      if (c === 125 || c === 93) {
        outer.pop();
        continue;
      }
      // a scalar outside records: fine inside a container (wrapper metadata), junk at top level
      if (outer.length === 0 && junkLine !== line) {
        junkLine = line;
        ctx.error({ file, offset: byteAt(i), line, message: 'text outside any JSON record skipped' });
        skipToEol = true;
      }
    }
    if (inRec && !discard) {
      const part = t.slice(segStart);
      recParts.push(part);
      recChars += part.length;
      if (recChars > maxChars) {
        ctx.error({ file, offset: recOffset, line: recLine, message: `JSON record larger than ${maxChars} characters skipped` });
        recParts = [];
        discard = true; // follow its structure to its end, keeping nothing
      }
    }
    bytePos += buf.length;
  }
  if (inRec && !discard) ctx.error({ file, offset: recOffset, line: recLine, message: 'JSON record cut off at end of file skipped' });
}

/** A Graph-style page ({"@odata.context": …, "value": [ … ], "@odata.nextLink": …}) rather than a record? */
function isWrapper(v: unknown): v is { value: unknown[] } {
  if (!isObj(v) || !Array.isArray(v.value)) return false;
  return Object.keys(v).every((k) => k === 'value' || k.startsWith('@odata'));
}

/** Name/Value style arrays: value property per array name. */
const NV_ARRAYS: Record<string, string> = {
  Parameters: 'Value',
  OperationProperties: 'Value',
  ExtendedProperties: 'Value',
  ModifiedProperties: 'NewValue',
  DeviceProperties: 'Value',
  ExtendedAuditEventCategory: 'Value',
};

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function toField(v: unknown, depth = 0): FieldValue {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (depth > 16) return null;
  if (Array.isArray(v)) return v.slice(0, 10_000).map((x) => toField(x, depth + 1));
  if (isObj(v)) {
    const o: Doc = {};
    for (const [k, x] of Object.entries(v)) setKey(o, k, toField(x, depth + 1));
    return o;
  }
  return null;
}

/** Flatten an object into dotted fields (objects recursed; arrays kept as values; Name/Value arrays expanded). */
export function flattenInto(fields: Doc, obj: Record<string, unknown>, prefix = '', depth = 0): void {
  if (depth > 8) return;
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v === undefined) continue;
    if (isObj(v)) {
      flattenInto(fields, v, key, depth + 1);
      continue;
    }
    if (Array.isArray(v)) {
      setKey(fields, key, toField(v));
      const valueProp = Object.prototype.hasOwnProperty.call(NV_ARRAYS, k) ? NV_ARRAYS[k] : undefined;
      if (valueProp || (v.length > 0 && v.every((x) => isObj(x) && typeof x.Name === 'string' && ('Value' in x || 'NewValue' in x)))) {
        for (const x of v.slice(0, 1000)) {
          if (!isObj(x) || typeof x.Name !== 'string' || x.Name === '') continue;
          const val = x[valueProp ?? ('Value' in x ? 'Value' : 'NewValue')];
          const fk = `${key}.${x.Name}`;
          const fv = val === undefined ? null : typeof val === 'object' && val !== null ? JSON.stringify(val) : (val as FieldValue);
          if (Object.prototype.hasOwnProperty.call(fields, fk)) {
            const cur = fields[fk];
            setKey(fields, fk, [...(Array.isArray(cur) ? cur : [cur]), fv]);
          } else setKey(fields, fk, fv);
        }
      }
      continue;
    }
    setKey(fields, key, v as FieldValue);
  }
}

/** Message ids and folders touched by an audit record (MailItemsAccessed, AffectedItems, Item). */
function collectMessageIds(a: Record<string, unknown>, fields: Doc): void {
  const ids: string[] = [];
  const folders: string[] = [];
  const addId = (x: unknown) => {
    if (typeof x === 'string' && x !== '' && ids.length < 100_000) ids.push(x);
  };
  const folderList = Array.isArray(a.Folders) ? a.Folders : [];
  for (const f of folderList.slice(0, 10_000)) {
    if (!isObj(f)) continue;
    if (typeof f.Path === 'string') folders.push(f.Path);
    const items = Array.isArray(f.FolderItems) ? f.FolderItems : [];
    for (const it of items.slice(0, 100_000)) if (isObj(it)) addId(it.InternetMessageId);
  }
  const affected = Array.isArray(a.AffectedItems) ? a.AffectedItems : [];
  for (const it of affected.slice(0, 100_000)) {
    if (!isObj(it)) continue;
    addId(it.InternetMessageId);
    if (isObj(it.ParentFolder) && typeof it.ParentFolder.Path === 'string') folders.push(it.ParentFolder.Path);
  }
  if (isObj(a.Item)) {
    addId(a.Item.InternetMessageId);
    if (isObj(a.Item.ParentFolder) && typeof a.Item.ParentFolder.Path === 'string') folders.push(a.Item.ParentFolder.Path);
  }
  if (typeof a.InternetMessageId === 'string') addId(a.InternetMessageId);
  if (ids.length) fields.InternetMessageId = [...new Set(ids)];
  if (folders.length) fields.FolderPath = [...new Set(folders)];
}

/** Build the event of one audit record (AuditData object, plus optional export CSV columns). */
export function auditEvent(audit: Record<string, unknown>, columns: Doc, origin: VigieEvent['origin']): VigieEvent {
  const fields: Doc = { ...columns };
  flattenInto(fields, audit);
  collectMessageIds(audit, fields);
  const ct = typeof audit.CreationTime === 'string' ? audit.CreationTime : undefined;
  let time = parseTime(ct);
  if (time === undefined && typeof columns.CreationDate === 'string') {
    const cd = columns.CreationDate;
    time = parseTime(cd) ?? (Number.isFinite(Date.parse(`${cd} UTC`)) ? Date.parse(`${cd} UTC`) : undefined);
  }
  const workload = typeof fields.Workload === 'string' ? fields.Workload : undefined;
  // "AM6PR04MB1234 (15.20.7452.023)" → "AM6PR04MB1234" (indexOf, not a regex: `\s*\(.*$` is quadratic on hostile text)
  const os = typeof fields.OriginatingServer === 'string' ? fields.OriginatingServer : undefined;
  const server = os === undefined ? undefined : (os.indexOf('(') >= 0 ? os.slice(0, os.indexOf('(')) : os).trimEnd();
  return {
    origin,
    time,
    computer: server,
    channel: workload ? `M365 ${workload}` : 'M365 Audit',
    provider: 'Microsoft 365',
    logsource: { product: 'm365', service: 'audit' },
    fields,
    doc: toField(audit) as Doc,
  };
}

function isAuditRecord(v: unknown): v is Record<string, unknown> {
  return isObj(v) && (typeof v.Operation === 'string' || typeof v.Operations === 'string' || 'AuditData' in v);
}

/** Split a wrapper row ({CreationDate, Operations, AuditData: "json" | {…}}) into (audit, columns). */
function unwrap(v: Record<string, unknown>): { audit: Record<string, unknown>; columns: Doc } | string {
  if (!('AuditData' in v)) return { audit: v, columns: {} };
  const columns: Doc = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === 'AuditData') continue;
    if (x === null || typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') {
      if (x !== '' && x !== null) setKey(columns, k, x);
    }
  }
  const ad = v.AuditData;
  if (isObj(ad)) return { audit: ad, columns };
  if (typeof ad === 'string') {
    try {
      const parsed: unknown = JSON.parse(ad);
      if (isObj(parsed)) return { audit: parsed, columns };
      return 'AuditData is not a JSON object';
    } catch (e) {
      return `AuditData is not valid JSON: ${(e as Error).message}`;
    }
  }
  return 'AuditData missing';
}

function csvHeaderIsAudit(cells: string[]): boolean {
  const s = new Set(cells.map((c) => c.trim()));
  return s.has('AuditData') && (s.has('CreationDate') || s.has('CreationTime') || s.has('Operations') || s.has('Operation'));
}

export function detectM365(input: InputFile): number {
  const lines = headLines(input, 5);
  const first = lines.find((l) => l.trim() !== '' && !l.startsWith('#TYPE'));
  if (!first) return 0;
  const t = first.trimStart();
  if (!t.startsWith('{') && !t.startsWith('[')) {
    return csvHeaderIsAudit(first.split(',').map((c) => c.replace(/^"|"$/g, ''))) ? 90 : 0;
  }
  const head = headText(input, 16384);
  const hasOp = head.includes('"Operation"') || head.includes('"Operations"');
  if (hasOp && head.includes('"CreationTime"') && (head.includes('"RecordType"') || head.includes('"Workload"'))) return 85;
  if (head.includes('"AuditData"') && (head.includes('"CreationDate"') || hasOp)) return 85;
  return 0;
}

export const source: Source = {
  name: 'm365-audit',
  description: 'Microsoft 365 unified audit log exports (Purview CSV, Search-UnifiedAuditLog CSV, JSON, JSON Lines)',
  detect: detectM365,
  read: async function* (input: InputFile, ctx: ReadContext, open: () => NodeJS.ReadableStream): AsyncGenerator<VigieEvent> {
    const file = input.path;
    const lines = headLines(input, 5);
    const first = lines.find((l) => l.trim() !== '' && !l.startsWith('#TYPE')) ?? '';
    const isJson = first.trimStart().startsWith('{') || first.trimStart().startsWith('[');
    if (isJson) {
      for await (const rec of jsonRecords(open(), ctx, file)) {
        const origin = { file, format: 'm365-audit', offset: rec.offset, record: rec.line };
        if (!isAuditRecord(rec.value)) {
          ctx.error({ file, offset: rec.offset, line: rec.line, message: 'JSON record is not an audit record: skipped' });
          continue;
        }
        const u = unwrap(rec.value);
        if (typeof u === 'string') {
          ctx.error({ file, offset: rec.offset, line: rec.line, message: u });
          continue;
        }
        yield auditEvent(u.audit, u.columns, origin);
      }
      return;
    }
    let header: string[] | undefined;
    for await (const r of readCsvRecords(readLines(open(), ctx, file), ctx, file)) {
      if (!header) {
        if (r.cells.length === 1 && r.cells[0].startsWith('#TYPE')) continue;
        if (r.cells.length === 1 && r.cells[0].trim() === '') continue;
        if (csvHeaderIsAudit(r.cells)) {
          header = r.cells.map((c) => c.trim());
          continue;
        }
        ctx.error({ file, offset: r.offset, line: r.line, message: 'line before the audit CSV header skipped' });
        continue;
      }
      if (r.cells.length === 1 && r.cells[0].trim() === '') continue;
      if (r.cells.length !== header.length) {
        ctx.error({ file, offset: r.offset, line: r.line, message: `audit CSV record has ${r.cells.length} values for ${header.length} columns: skipped` });
        continue;
      }
      const row: Record<string, unknown> = {};
      header.forEach((h, i) => setKey(row as Doc, h, r.cells[i]));
      const u = unwrap(row);
      if (typeof u === 'string') {
        ctx.error({ file, offset: r.offset, line: r.line, message: u });
        continue;
      }
      yield auditEvent(u.audit, u.columns, { file, format: 'm365-audit', offset: r.offset, record: r.line });
    }
  },
};
