import type { VigieEvent } from '../event.js';

/** A problem in the input: one bad record, line or chunk. Reading goes on after it. */
export interface InputError {
  file: string;
  /** byte offset in the (decompressed) file, when known */
  offset?: number;
  /** 1-based line number for line formats, when known */
  line?: number;
  message: string;
}

/** Counters and error sink shared by every reader during one run. */
export class ReadContext {
  files = 0;
  records = 0;
  skipped = 0;
  errors: InputError[] = [];
  /** formats seen, with counts of files */
  formats = new Map<string, number>();
  /** files no reader recognised */
  unsupported: string[] = [];
  /** keep at most this many error details (counts continue past it) */
  maxErrorDetails = 1000;
  errorCount = 0;
  /**
   * The consumer reads the full document of every event (`vigie dump`). Readers that can give the fields without
   * building the document (EVTX, for a hunt) then build it at once instead of on demand, which costs less overall.
   */
  documents = false;
  /** what readers keep for the whole run (EVTX: templates shared by every file's chunks), each under its own key */
  private kept = new Map<object, unknown>();
  constructor(public readonly onError?: (e: InputError) => void) {}

  /** The run's value under `key`, made on first use. */
  keep<T>(key: object, make: () => T): T {
    let v = this.kept.get(key) as T | undefined;
    if (v === undefined) this.kept.set(key, (v = make()));
    return v;
  }

  /** Report a skipped record or line: counted, kept (up to maxErrorDetails), never thrown. */
  error(e: InputError): void {
    this.errorCount++;
    this.skipped++;
    if (this.errors.length < this.maxErrorDetails) this.errors.push(e);
    this.onError?.(e);
  }
}

/** What a reader needs to know about a file before reading it. */
export interface InputFile {
  /** path as given by the user ("-" for standard input) */
  path: string;
  /** real path on disk to open (differs from `path` for standard input, which is spooled to a file) */
  file: string;
  /** the first bytes of the content (decompressed if the file is gzip), for detection: up to 64 KiB */
  head: Buffer;
  /** true when the file on disk is gzip-compressed */
  gzip: boolean;
  /** size on disk in bytes, when known */
  size?: number;
  /** last modification time (ms since the epoch), when known: dates without a year (syslog) are placed by it */
  mtime?: number;
  /** the whole content when the probe read it all (small, uncompressed files): readers may parse it in place */
  content?: Buffer;
  /** a regular file on disk (not a pipe or device): it can be read by position */
  regular?: boolean;
  /**
   * The probe's open descriptor, kept for a reader that reads by position (`Source.readsByPosition`): the reader
   * takes it (sets this to undefined) and closes it; otherwise it is closed when the file is done with.
   */
  fd?: number;
}

/**
 * A reader for one input format. `detect` looks at content (not the file name) and returns a confidence
 * from 0 (not mine) to 100 (certainly mine); the highest wins. `read` streams events; it must never throw for
 * bad data inside the file: report through `ctx.error` and go on.
 */
export interface Source {
  /** format name, e.g. "evtx" */
  name: string;
  /** one line for `--help` and docs */
  description: string;
  detect(input: InputFile): number;
  read(input: InputFile, ctx: ReadContext, open: () => NodeJS.ReadableStream): AsyncIterable<VigieEvent>;
  /**
   * Optional: this reader reads a regular file by position itself when its first bytes are `head` (at most 4.5 KiB):
   * the probe then reads no more than those (an EVTX file is mostly unused chunk space, read only where needed).
   */
  readsByPosition?(head: Buffer): boolean;
  /**
   * Optional: its events' `fields` are in V8's fast mode already, or built in it on first access (see fastFields);
   * the fields of other readers' events are copied once as they are read.
   */
  fastFields?: boolean;
  /** Optional: the same events as `read`, several at a time (fewer asynchronous steps per event). */
  readBatches?(input: InputFile, ctx: ReadContext, open: () => NodeJS.ReadableStream): AsyncIterable<VigieEvent[]>;
}
