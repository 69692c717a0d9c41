/**
 * Sinks write result rows (events, detections, scan reports) as a readable table, CSV, JSON or JSON Lines.
 * Rows are plain objects; `columns` picks and orders what table and CSV show (JSON outputs keep whole rows).
 *
 * Attacker-written text reaches these outputs, so: the table escapes control characters (no terminal escape
 * sequences get through), CSV neutralises spreadsheet formulas, JSON is always valid.
 */
export type SinkFormat = 'table' | 'csv' | 'json' | 'jsonl';
export const SINK_FORMATS: SinkFormat[] = ['table', 'csv', 'json', 'jsonl'];

export interface Column {
  /** key in the row (dotted paths allowed: "rule.title") */
  key: string;
  /** header text */
  title?: string;
  /** maximum width in the table (longer values are cut with "…") */
  max?: number;
}

export interface Sink {
  write(row: object): Promise<void>;
  end(): Promise<void>;
}

export interface SinkOptions {
  columns?: Column[];
  /** table: rows used to size the columns before printing starts (default 200) */
  tableSample?: number;
}

export function createSink(format: SinkFormat, out: NodeJS.WritableStream, opts: SinkOptions = {}): Sink {
  switch (format) {
    case 'jsonl':
      return new JsonlSink(out);
    case 'json':
      return new JsonArraySink(out);
    case 'csv':
      return new CsvSink(out, opts.columns);
    case 'table':
      return new TableSink(out, opts.columns, opts.tableSample ?? 200);
    default:
      throw new Error(`unknown output format "${format as string}" (expected one of ${SINK_FORMATS.join(', ')})`);
  }
}

/** Write with backpressure: wait for "drain" when the stream's buffer is full. */
export function writeOut(out: NodeJS.WritableStream, text: string): Promise<void> {
  if (out.write(text)) return Promise.resolve();
  return new Promise((resolve) => out.once('drain', () => resolve()));
}

export function pick(row: object, key: string): unknown {
  let cur: unknown = row;
  for (const seg of key.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

export function cellText(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(cellText).join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Make text safe for a terminal: control characters (C0, DEL, C1, bidi overrides) become visible escapes. */
export function safeText(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    if (c === '\n') return '⏎';
    if (c === '\t') return ' ';
    return '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0');
  });
}

class JsonlSink implements Sink {
  constructor(private out: NodeJS.WritableStream) {}
  write(row: object): Promise<void> {
    return writeOut(this.out, JSON.stringify(row) + '\n');
  }
  async end(): Promise<void> {}
}

class JsonArraySink implements Sink {
  private n = 0;
  constructor(private out: NodeJS.WritableStream) {}
  write(row: object): Promise<void> {
    const prefix = this.n++ === 0 ? '[\n' : ',\n';
    return writeOut(this.out, prefix + JSON.stringify(row));
  }
  async end(): Promise<void> {
    await writeOut(this.out, this.n === 0 ? '[]\n' : '\n]\n');
  }
}

export function csvCell(v: unknown): string {
  let s = cellText(v);
  // spreadsheet formula injection: a leading = + - @ (or tab/CR) would be evaluated by Excel/LibreOffice
  if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
  if (/[",\r\n]/.test(s)) s = '"' + s.replace(/"/g, '""') + '"';
  return s;
}

class CsvSink implements Sink {
  private cols: Column[] | undefined;
  constructor(private out: NodeJS.WritableStream, columns?: Column[]) {
    this.cols = columns;
  }
  async write(row: object): Promise<void> {
    if (!this.cols) {
      this.cols = Object.keys(row).map((key) => ({ key }));
    }
    let text = '';
    if (!this.headerDone) {
      this.headerDone = true;
      text += this.cols.map((c) => csvCell(c.title ?? c.key)).join(',') + '\r\n';
    }
    text += this.cols.map((c) => csvCell(pick(row, c.key))).join(',') + '\r\n';
    await writeOut(this.out, text);
  }
  private headerDone = false;
  async end(): Promise<void> {}
}

class TableSink implements Sink {
  private buffered: object[] = [];
  private widths: number[] | null = null;
  private cols: Column[] | undefined;
  constructor(private out: NodeJS.WritableStream, columns: Column[] | undefined, private sample: number) {
    this.cols = columns;
  }
  async write(row: object): Promise<void> {
    if (!this.cols) this.cols = Object.keys(row).map((key) => ({ key }));
    if (this.widths) return this.print([row]);
    this.buffered.push(row);
    if (this.buffered.length >= this.sample) await this.flush();
  }
  private cell(row: object, c: Column): string {
    const s = safeText(cellText(pick(row, c.key)));
    const max = c.max ?? 80;
    return s.length > max ? s.slice(0, max - 1) + '…' : s;
  }
  private async flush(): Promise<void> {
    const cols = this.cols ?? [];
    this.widths = cols.map((c) => {
      let w = (c.title ?? c.key).length;
      for (const r of this.buffered) w = Math.max(w, this.cell(r, c).length);
      return w;
    });
    const header = cols.map((c, i) => (c.title ?? c.key).padEnd(this.widths![i])).join('  ').trimEnd();
    const rule = this.widths.map((w) => '─'.repeat(w)).join('  ');
    await writeOut(this.out, header + '\n' + rule + '\n');
    const rows = this.buffered;
    this.buffered = [];
    await this.print(rows);
  }
  private print(rows: object[]): Promise<void> {
    const cols = this.cols ?? [];
    const lines = rows.map((r) => cols.map((c, i) => this.cell(r, c).padEnd(this.widths![i])).join('  ').trimEnd());
    return writeOut(this.out, lines.join('\n') + (lines.length ? '\n' : ''));
  }
  async end(): Promise<void> {
    if (!this.widths && this.buffered.length) await this.flush();
  }
}
