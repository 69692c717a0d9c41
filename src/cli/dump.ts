/**
 * `vigie dump <files or folders…>`: read every input Vigie understands and print its events, as JSON Lines in the
 * `evtx_dump -o jsonl` shape (default), a JSON array, CSV or a readable table. See docs/evtx.md.
 *
 * Row shapes:
 * - Windows events (EVTX, evtx_dump JSON, XML exports): the `evtx_dump -o json` document ({"Event": {…}}), plus
 *   a "Vigie" object when transforms derived fields or --origin asks for where the record came from.
 * - other events (W3C, CSV, audit exports, syslog…): {"time", "origin", "computer", "channel", "provider",
 *   "eventId", "logsource", "fields"} (absent parts left out).
 * Table and CSV: time, computer, channel, event id, provider, a short summary of the remaining fields
 * (CSV adds file and record).
 */
import { Option, type Command } from 'commander';
import cliProgress from 'cli-progress';
import { existsSync, promises as fsp } from 'node:fs';
import type { Doc, FieldValue, VigieEvent } from '../event.js';
import { formatTime } from '../event.js';
import { expandInputs, readInputs, ReadContext, SOURCES } from '../sources/index.js';
import { applyTransforms } from '../transforms/index.js';
import { createSink, SINK_FORMATS, type Column, type SinkFormat } from '../sinks/index.js';
import { CliError, EXIT } from './exit-codes.js';
import type { SetExit } from './main.js';

interface DumpCliOptions {
  output: string;
  inputFormat?: string;
  limit?: string;
  origin?: boolean;
  quiet?: boolean;
  progress: boolean;
  verbose?: boolean;
}

/** System fields left out of the table's summary column (they have their own columns or are noise). */
const SUMMARY_SKIP = new Set([
  'EventID', 'Version', 'Level', 'Task', 'Opcode', 'Keywords', 'EventRecordID', 'Channel', 'Computer', 'Provider_Name',
  'Provider_Guid', 'Provider_EventSourceName', 'ProcessID', 'ThreadID', 'TimeCreated', 'ActivityID', 'Qualifiers', 'DataText', 'UserID',
]);

function scalarText(v: FieldValue | undefined): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map(scalarText).join(',');
  return JSON.stringify(v);
}

/** "Key=value  Key=value" over the non-system fields, cut at `max` characters. */
export function summarize(ev: VigieEvent, max = 300): string {
  let s = '';
  for (const [k, v] of Object.entries(ev.fields)) {
    if (SUMMARY_SKIP.has(k)) continue;
    if ((k === 'date' || k === 'time') && ev.time !== undefined) continue; // W3C: the Time column has them
    const t = scalarText(v);
    if (t === '' || t === '-') continue;
    s += (s ? '  ' : '') + (k === 'Data' ? t : `${k}=${t}`);
    if (s.length >= max) return s.slice(0, max - 1) + '…';
  }
  return s;
}

function isWindowsDoc(doc: Doc | undefined): boolean {
  return !!doc && typeof doc.Event === 'object' && doc.Event !== null && !Array.isArray(doc.Event);
}

function originObj(ev: VigieEvent): Doc {
  const o: Doc = { file: ev.origin.file, format: ev.origin.format, offset: ev.origin.offset };
  if (ev.origin.record !== undefined) o.record = ev.origin.record;
  return o;
}

/** The JSON row for an event (see the module comment). */
export function jsonRow(ev: VigieEvent, derived: Doc | undefined, withOrigin: boolean): Doc {
  if (isWindowsDoc(ev.doc)) {
    if (!derived && !withOrigin) return ev.doc!;
    const extra: Doc = {};
    if (withOrigin) extra.origin = originObj(ev);
    if (derived) extra.derived = derived;
    return { ...ev.doc!, Vigie: extra };
  }
  const row: Doc = {};
  if (ev.time !== undefined) row.time = formatTime(ev.time);
  row.origin = originObj(ev);
  if (ev.computer !== undefined) row.computer = ev.computer;
  if (ev.channel !== undefined) row.channel = ev.channel;
  if (ev.provider !== undefined) row.provider = ev.provider;
  if (ev.eventId !== undefined) row.eventId = ev.eventId;
  const ls: Doc = {};
  for (const [k, v] of Object.entries(ev.logsource)) if (v !== undefined) ls[k] = v;
  if (Object.keys(ls).length) row.logsource = ls;
  row.fields = ev.fields;
  return row;
}

export function tableRow(ev: VigieEvent): Record<string, string | number> {
  return {
    time: formatTime(ev.time),
    computer: ev.computer ?? '',
    channel: ev.channel ?? ev.origin.format,
    eventId: ev.eventId ?? '',
    provider: ev.provider ?? '',
    summary: summarize(ev),
    file: ev.origin.file,
    record: ev.origin.record ?? ev.origin.offset,
  };
}

const TABLE_COLUMNS: Column[] = [
  { key: 'time', title: 'Time', max: 24 },
  { key: 'computer', title: 'Computer', max: 28 },
  { key: 'channel', title: 'Channel', max: 36 },
  { key: 'eventId', title: 'EventID', max: 8 },
  { key: 'provider', title: 'Provider', max: 36 },
  { key: 'summary', title: 'Summary', max: 120 },
];
const CSV_COLUMNS: Column[] = [
  { key: 'time', title: 'Time' },
  { key: 'computer', title: 'Computer' },
  { key: 'channel', title: 'Channel' },
  { key: 'eventId', title: 'EventID' },
  { key: 'provider', title: 'Provider' },
  { key: 'summary', title: 'Summary' },
  { key: 'file', title: 'File' },
  { key: 'record', title: 'Record' },
];

/** Closing summary text (stderr). */
export function dumpSummary(ctx: ReadContext, printed: number, verbose: boolean, missing: string[]): string {
  const lines: string[] = [];
  const fmts = [...ctx.formats.entries()].map(([f, n]) => `${f} ${n}`).join(', ');
  lines.push(
    `vigie dump: ${ctx.files} file${ctx.files === 1 ? '' : 's'} read${fmts ? ` (${fmts})` : ''}, ${ctx.records} record${ctx.records === 1 ? '' : 's'}` +
      `${printed !== ctx.records ? ` (${printed} printed)` : ''}, ${ctx.errorCount} problem${ctx.errorCount === 1 ? '' : 's'} (skipped records, damaged chunks)` +
      `${ctx.unsupported.length ? `, ${ctx.unsupported.length} unsupported file${ctx.unsupported.length === 1 ? '' : 's'}` : ''}`,
  );
  for (const m of missing) lines.push(`  missing: ${m}`);
  const shown = verbose ? ctx.errors : ctx.errors.slice(0, 20);
  for (const e of shown) {
    const where = [e.offset !== undefined ? `offset ${e.offset}` : '', e.line !== undefined ? `line ${e.line}` : ''].filter(Boolean).join(', ');
    lines.push(`  problem: ${e.file}${where ? ` @ ${where}` : ''}: ${e.message}`);
  }
  if (ctx.errorCount > shown.length) lines.push(`  … ${ctx.errorCount - shown.length} more problems (--verbose lists up to ${ctx.maxErrorDetails})`);
  const uns = verbose ? ctx.unsupported : ctx.unsupported.slice(0, 20);
  for (const u of uns) lines.push(`  unsupported: ${u}`);
  if (ctx.unsupported.length > uns.length) lines.push(`  … ${ctx.unsupported.length - uns.length} more unsupported files`);
  return lines.join('\n') + '\n';
}

async function totalSize(paths: string[]): Promise<{ bytes: number; files: number }> {
  let bytes = 0;
  let files = 0;
  for await (const p of expandInputs(paths)) {
    files++;
    if (p === '-') continue;
    try {
      bytes += (await fsp.stat(p)).size;
    } catch {
      // counted when read
    }
  }
  return { bytes, files };
}

export function register(program: Command, setExit: SetExit): void {
  program
    .command('dump')
    .description('print the events of logs (EVTX, evtx_dump JSON, Windows XML, W3C/IIS, Exchange, M365, syslog, SIEM exports…) as JSON Lines (evtx_dump -o jsonl shape), JSON, CSV or a table')
    .argument('<inputs...>', 'files or folders (read recursively; gzip files are decompressed; "-" = standard input)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(SINK_FORMATS).default('jsonl'))
    .option('--input-format <name>', `read every input as this format instead of detecting it (${SOURCES.map((s) => s.name).join(', ')})`)
    .option('-n, --limit <n>', 'stop after printing this many events')
    .option('--origin', 'JSON outputs: add "Vigie": {"origin": {file, format, offset, record}} to Windows events')
    .option('-q, --quiet', 'no progress bar and no closing summary')
    .option('--no-progress', 'no progress bar')
    .option('-v, --verbose', 'list every problem in the closing summary')
    .addHelpText('after', `
Rows: Windows events print as the evtx_dump -o json document ({"Event": {"System": …, "EventData": …}});
other events as {"time", "origin", "computer", "channel", "provider", "eventId", "logsource", "fields"}.
Fields derived by Vigie's transforms appear under "Vigie": {"derived": {…}}.
The summary (stderr) counts files by format, records, skipped records/damaged chunks with file and offset,
and unsupported files.`)
    .action(async (inputs: string[], o: DumpCliOptions) => {
      const format = o.output as SinkFormat;
      if (o.inputFormat && !SOURCES.some((s) => s.name === o.inputFormat)) {
        throw new CliError(`--input-format: unknown format "${o.inputFormat}" (one of ${SOURCES.map((s) => s.name).join(', ')})`, EXIT.USAGE);
      }
      let limit = Infinity;
      if (o.limit !== undefined) {
        if (!/^\d+$/.test(o.limit)) throw new CliError(`--limit: "${o.limit}" is not a whole number`, EXIT.USAGE);
        limit = Number(o.limit);
      }
      const missing = inputs.filter((p) => p !== '-' && !existsSync(p));
      const present = inputs.filter((p) => !missing.includes(p));
      for (const m of missing) process.stderr.write(`vigie dump: ${m}: no such file or folder\n`);

      const ctx = new ReadContext();
      ctx.documents = true; // every document is printed: EVTX builds them at once
      const out = process.stdout;
      let broken = false;
      const onOutErr = (e: NodeJS.ErrnoException) => {
        if (e.code === 'EPIPE') broken = true;
      };
      out.on('error', onOutErr);
      const sink = createSink(format, out, { columns: format === 'csv' ? CSV_COLUMNS : format === 'table' ? TABLE_COLUMNS : undefined });

      let bar: cliProgress.SingleBar | undefined;
      let doneBytes = 0;
      let curSize = 0;
      let lastTick = 0;
      if (!o.quiet && o.progress && process.stderr.isTTY && present.length) {
        const { bytes } = await totalSize(present);
        if (bytes > 8 * 1024 * 1024) {
          bar = new cliProgress.SingleBar(
            { stream: process.stderr, format: 'dump [{bar}] {percentage}% | {value}/{total} MB | {records} records | {file}', hideCursor: true, clearOnComplete: true },
            cliProgress.Presets.shades_classic,
          );
          bar.start(Math.ceil(bytes / 1048576), 0, { records: 0, file: '' });
        }
      }

      let printed = 0;
      try {
        if (present.length && limit > 0) {
          const events = readInputs(present, ctx, {
            format: o.inputFormat,
            onFile: (path, _fmt, size) => {
              doneBytes += curSize;
              curSize = size ?? 0;
              bar?.update(Math.floor(doneBytes / 1048576), { records: ctx.records, file: path.length > 40 ? '…' + path.slice(-39) : path });
            },
          });
          for await (const ev of events) {
            const before = Object.keys(ev.fields).length;
            applyTransforms(ev);
            let derived: Doc | undefined;
            const keys = Object.keys(ev.fields);
            if (keys.length !== before) {
              derived = {};
              for (const k of keys.slice(before)) derived[k] = ev.fields[k];
            }
            const row = format === 'jsonl' || format === 'json' ? jsonRow(ev, derived, !!o.origin) : tableRow(ev);
            await sink.write(row);
            printed++;
            if (bar && (printed & 1023) === 0) {
              const now = Date.now();
              if (now - lastTick > 200) {
                lastTick = now;
                bar.update(Math.floor((doneBytes + Math.min(ev.origin.offset, curSize)) / 1048576), { records: ctx.records });
              }
            }
            if (broken || printed >= limit) break;
          }
        }
        if (!broken) await sink.end();
      } finally {
        bar?.stop();
        out.off('error', onOutErr);
      }
      if (!o.quiet) process.stderr.write(dumpSummary(ctx, printed, !!o.verbose, missing));

      if (missing.length) setExit(EXIT.NO_INPUT);
      else if (limit > 0 && ctx.records === 0 && (ctx.files === 0 || ctx.errorCount > 0)) setExit(EXIT.DATA);
      else setExit(EXIT.OK);
    });
}
