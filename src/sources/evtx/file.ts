/**
 * EVTX container: the file header ("ElfFile\0", 4 KiB block), 64 KiB chunks ("ElfChnk\0", 512-byte header with
 * the string and template tables), CRC32 checks, and event records ("**\0\0", size, record id, FILETIME,
 * Binary XML, size copy).
 *
 * Reading is sequential from a stream, one 64 KiB chunk at a time (one reused buffer): memory stays flat
 * whatever the file size, and a gunzip stream works as well as a file. Chunks past the header's chunk count
 * are read too while they carry a chunk signature (logs not closed cleanly). Damage is reported through
 * `onError` with the file offset, and reading goes on with the next record or chunk.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import * as zlib from 'node:zlib';
import type { Doc } from '../../event.js';
import { BinXmlError, ChunkParser, MAX_RENDER_NODES, renderNodes, renderParsed, type Node, type SharedTemplates } from './binxml.js';
import type { DirectFields } from './fields.js';
import { directFields } from './plans.js';
import { filetimeMs } from './values.js';

export const FILE_MAGIC = Buffer.from('ElfFile\0', 'latin1');
export const CHUNK_MAGIC = Buffer.from('ElfChnk\0', 'latin1');
export const RECORD_MAGIC = 0x00002a2a;
export const CHUNK_SIZE = 0x10000;
export const CHUNK_HEADER_SIZE = 512;
export const FILE_HEADER_BLOCK = 4096;

// ---------------------------------------------------------------------------------------------------------
// CRC32 (IEEE), as in the EVTX checksums; zlib.crc32 when this Node has it.

const TABLE = (() => {
  const t = new Int32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[i] = c;
  }
  return t;
})();

const nativeCrc = (zlib as unknown as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

export function crc32(buf: Uint8Array, start: number, end: number, prev = 0): number {
  if (nativeCrc) return nativeCrc(buf.subarray(start, end), prev) >>> 0;
  let c = ~prev;
  for (let i = start; i < end; i++) c = TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/**
 * A u64 as a Number: what Number(buf.readBigUInt64LE(o)) gives, without making a BigInt per record (the high half
 * times 2^32 is exact, so the one rounding of the sum is the BigInt's own rounding to the nearest double).
 */
export function u64Number(buf: Buffer, o: number): number {
  return buf.readUInt32LE(o + 4) * 0x100000000 + buf.readUInt32LE(o);
}

// ---------------------------------------------------------------------------------------------------------

export interface FileHeader {
  firstChunk: number;
  lastChunk: number;
  nextRecordId: number;
  headerSize: number;
  minor: number;
  major: number;
  blockSize: number;
  chunkCount: number;
  flags: number;
  checksumOk: boolean;
}

export function parseFileHeader(b: Buffer): FileHeader {
  return {
    firstChunk: Number(b.readBigUInt64LE(8)),
    lastChunk: Number(b.readBigUInt64LE(16)),
    nextRecordId: Number(b.readBigUInt64LE(24)),
    headerSize: b.readUInt32LE(32),
    minor: b.readUInt16LE(36),
    major: b.readUInt16LE(38),
    blockSize: b.readUInt16LE(40),
    chunkCount: b.readUInt16LE(42),
    flags: b.readUInt32LE(120),
    checksumOk: crc32(b, 0, 120) === b.readUInt32LE(124),
  };
}

export interface ChunkHeader {
  firstRecordNumber: number;
  lastRecordNumber: number;
  firstRecordId: number;
  lastRecordId: number;
  headerSize: number;
  lastRecordOffset: number;
  freeSpaceOffset: number;
  dataChecksum: number;
  flags: number;
  headerChecksumOk: boolean;
}

export function parseChunkHeader(b: Buffer): ChunkHeader {
  const hc = crc32(b, 128, CHUNK_HEADER_SIZE, crc32(b, 0, 120));
  return {
    firstRecordNumber: Number(b.readBigUInt64LE(8)),
    lastRecordNumber: Number(b.readBigUInt64LE(16)),
    firstRecordId: Number(b.readBigUInt64LE(24)),
    lastRecordId: Number(b.readBigUInt64LE(32)),
    headerSize: b.readUInt32LE(40),
    lastRecordOffset: b.readUInt32LE(44),
    freeSpaceOffset: b.readUInt32LE(48),
    dataChecksum: b.readUInt32LE(52),
    flags: b.readUInt32LE(120),
    headerChecksumOk: hc === b.readUInt32LE(124),
  };
}

/**
 * Records declared by the chunk headers of a whole EVTX file in memory (for tests and benchmarks): the sum over
 * chunks with a signature and a valid header checksum of (last record id − first record id + 1).
 */
export function declaredRecords(file: Buffer): number {
  let pos = file.subarray(0, 8).equals(FILE_MAGIC) ? FILE_HEADER_BLOCK : 0;
  let n = 0;
  for (; pos + CHUNK_HEADER_SIZE <= file.length; pos += CHUNK_SIZE) {
    const c = file.subarray(pos, pos + CHUNK_SIZE);
    if (!c.subarray(0, 8).equals(CHUNK_MAGIC)) continue;
    const h = parseChunkHeader(c);
    if (!h.headerChecksumOk || h.lastRecordId < h.firstRecordId) continue;
    if (h.freeSpaceOffset <= CHUNK_HEADER_SIZE) continue;
    n += h.lastRecordId - h.firstRecordId + 1;
  }
  return n;
}

// ---------------------------------------------------------------------------------------------------------
// Sequential byte reader over an async stream

class StreamReader {
  private it: AsyncIterator<Buffer | string>;
  private cur: Buffer = Buffer.alloc(0);
  private pos = 0;
  private done = false;
  /** bytes consumed so far = file offset of the next byte */
  offset = 0;
  constructor(stream: NodeJS.ReadableStream) {
    this.it = (stream as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
  }

  /** Copy up to n bytes into target at `at`; fewer only at the end of the stream. */
  async read(target: Buffer, at: number, n: number): Promise<number> {
    let got = 0;
    while (got < n) {
      if (this.pos >= this.cur.length) {
        if (this.done) break;
        const r = await this.it.next();
        if (r.done) {
          this.done = true;
          break;
        }
        this.cur = typeof r.value === 'string' ? Buffer.from(r.value, 'latin1') : r.value;
        this.pos = 0;
        continue;
      }
      const take = Math.min(n - got, this.cur.length - this.pos);
      this.cur.copy(target, at + got, this.pos, this.pos + take);
      this.pos += take;
      got += take;
    }
    this.offset += got;
    return got;
  }

  async close(): Promise<void> {
    try {
      await this.it.return?.();
    } catch {
      // ignore
    }
  }
}

/** The same reads over a file already in memory (no stream, no asynchronous step). */
class MemReader {
  offset = 0;
  constructor(private data: Buffer) {}
  async read(target: Buffer, at: number, n: number): Promise<number> {
    const take = Math.max(0, Math.min(n, this.data.length - this.offset));
    if (take > 0) this.data.copy(target, at, this.offset, this.offset + take);
    this.offset += take;
    return take;
  }
  /** The next n bytes (fewer at the end) without copying. */
  view(n: number): Buffer {
    const start = Math.min(this.offset, this.data.length);
    const end = Math.min(start + n, this.data.length);
    this.offset = end;
    return this.data.subarray(start, end);
  }
  async close(): Promise<void> {
    // nothing to release
  }
}

/**
 * Positioned reads from a file (synchronous: no stream and no thread-pool round trip per read), offered with the
 * same sequential `read` as the others, plus `skip` and `readAt`: the chunk loop reads a chunk's header and its used
 * part, and the rest of the chunk only when a problem needs it (most chunks of small logs are largely empty).
 */
class FileReader {
  offset = 0;
  readonly size: number;
  /** the file's first bytes, already read (by the format probe): reads below prefix.length are served from it */
  private prefix: Buffer;
  constructor(private fd: number, opened?: PositionedFile) {
    this.size = opened ? opened.size : fstatSync(fd).size;
    this.prefix = opened ? opened.prefix : EMPTY_BUFFER;
  }
  async read(target: Buffer, at: number, n: number): Promise<number> {
    const got = this.readAt(target, at, n, this.offset);
    this.offset += got;
    return got;
  }
  readAt(target: Buffer, at: number, n: number, pos: number): number {
    let got = 0;
    if (pos < this.prefix.length) got = this.prefix.copy(target, at, pos, Math.min(this.prefix.length, pos + n));
    while (got < n) {
      const k = readSync(this.fd, target, at + got, n - got, pos + got);
      if (k === 0) break;
      got += k;
    }
    return got;
  }
  skip(n: number): void {
    this.offset += n;
  }
  async close(): Promise<void> {
    closeSync(this.fd);
  }
}

const EMPTY_BUFFER = Buffer.alloc(0);

/**
 * A file open for reading by position, as the format probe leaves it: its descriptor, its size when probed and the
 * first bytes it read (the file header block, and the first chunk's header when the probe read that far).
 */
export interface PositionedFile {
  fd: number;
  size: number;
  prefix: Buffer;
}

/** End of the used part of a chunk whose header is in `b` (valid signature, header checksum and free space offset), or 0. */
function usedPart(b: Buffer): number {
  if (!b.subarray(0, 8).equals(CHUNK_MAGIC)) return 0;
  const free = b.readUInt32LE(48);
  if (free < CHUNK_HEADER_SIZE || free > CHUNK_SIZE) return 0;
  return crc32(b, 128, CHUNK_HEADER_SIZE, crc32(b, 0, 120)) === b.readUInt32LE(124) ? free : 0;
}

/** Chunk buffers of finished reads, reused by the next file (a folder of small files allocates none). */
const spareChunkBuffers: Buffer[] = [];

// ---------------------------------------------------------------------------------------------------------

/**
 * One event record. `direct`: its Sigma fields read straight from the Binary XML (fields.ts), when the record has a
 * common layout; `doc` (the evtx_dump-shaped document) is then rendered on first access from the parsed nodes.
 * Records with an unusual layout are rendered when read (`direct` undefined).
 */
export class EvtxRecord {
  private rendered: Doc | undefined;
  constructor(
    /** file offset of the record header */
    readonly offset: number,
    readonly recordId: number,
    /** record header timestamp, ms since epoch */
    readonly written: number,
    doc: Doc | undefined,
    private readonly nodes: Node[] | undefined,
    readonly direct: DirectFields | undefined,
  ) {
    this.rendered = doc;
  }
  get doc(): Doc {
    return (this.rendered ??= renderNodes(this.nodes ?? []));
  }
}

export interface EvtxReadOptions {
  /** read Sigma fields straight from the Binary XML when the layout allows (default true); false renders every record */
  direct?: boolean;
  /** templates compiled in earlier chunks or files, reused when a chunk defines the same one (none: per chunk only) */
  templates?: SharedTemplates;
}

export interface EvtxProblem {
  offset: number;
  message: string;
}

export interface EvtxStats {
  chunks: number;
  records: number;
  /** records the chunk headers declare (last − first record id + 1) for chunks with a valid header */
  declared: number;
  errors: number;
}

function allZero(b: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (b[i] !== 0) return false;
  return true;
}

const RECORD_SIG = Buffer.from([0x2a, 0x2a, 0, 0]);

/**
 * Stream the records of an EVTX file. Never throws for damaged data: problems go to `onError` (offset + message)
 * and reading goes on. Stops at the end of the stream.
 */
export async function* readEvtxStream(
  stream: NodeJS.ReadableStream | Buffer | string | number | PositionedFile,
  onError: (p: EvtxProblem) => void,
  stats?: EvtxStats,
  opts?: EvtxReadOptions,
): AsyncGenerator<EvtxRecord> {
  for await (const records of readEvtxChunks(stream, onError, stats, opts)) yield* records;
}

/**
 * Same as readEvtxStream, the records of each chunk (64 KiB, a few hundred records at most) yielded together:
 * one asynchronous step per chunk instead of one per record. `input`: a stream; a Buffer (parsed in place); a path or
 * an open file descriptor, or one with the size and first bytes the probe found (read by position, the used part of each
 * chunk only; the descriptor is closed at the end —
 * a file that grows meanwhile is read up to its size when opened).
 */
export async function* readEvtxChunks(
  input: NodeJS.ReadableStream | Buffer | string | number | PositionedFile,
  onError: (p: EvtxProblem) => void,
  stats?: EvtxStats,
  opts?: EvtxReadOptions,
): AsyncGenerator<EvtxRecord[]> {
  const direct = opts?.direct !== false;
  // a buffer is parsed in place; a path or an open descriptor (which the reader then closes) is read by position
  const reader = Buffer.isBuffer(input)
    ? new MemReader(input)
    : typeof input === 'string' ? new FileReader(openSync(input, 'r'))
    : typeof input === 'number' ? new FileReader(input)
    : 'prefix' in input ? new FileReader(input.fd, input) : new StreamReader(input);
  const own = spareChunkBuffers.pop() ?? Buffer.alloc(CHUNK_SIZE);
  const mem = reader instanceof MemReader ? reader : undefined;
  const file = reader instanceof FileReader ? reader : undefined;
  const parser = new ChunkParser(own, 0, opts?.templates);
  const st: EvtxStats = stats ?? { chunks: 0, records: 0, declared: 0, errors: 0 };
  const err = (offset: number, message: string) => {
    st.errors++;
    onError({ offset, message });
  };
  try {
    // File header block (or a bare chunk).
    let have = await reader.read(own, 0, 8);
    if (have < 8) {
      err(0, 'file too short for an EVTX header');
      return;
    }
    let chunkCount = Infinity;
    let chunkBase = 0;
    let pre = 0; // bytes of the first chunk already in `own`
    if (own.subarray(0, 8).equals(FILE_MAGIC)) {
      have += await reader.read(own, 8, FILE_HEADER_BLOCK - 8);
      if (have < 128) {
        err(0, 'EVTX file header truncated');
        return;
      }
      const h = parseFileHeader(own);
      if (!h.checksumOk) err(0, 'file header checksum mismatch (header fields not trusted; chunks read anyway)');
      else chunkCount = h.chunkCount;
      let block = h.checksumOk && h.blockSize >= 128 && h.blockSize <= CHUNK_SIZE ? h.blockSize : FILE_HEADER_BLOCK;
      if (block > have) block = have;
      chunkBase = block;
      // bytes of the header block beyond `block` (when blockSize < 4096) belong to the first chunk
      if (have > block) {
        own.copy(own, 0, block, have);
        pre = have - block;
      }
    } else if (own.subarray(0, 8).equals(CHUNK_MAGIC)) {
      pre = have;
    } else {
      err(0, 'not an EVTX file (no ElfFile/ElfChnk signature)');
      return;
    }

    for (let index = 0; ; index++) {
      const chunkOff = chunkBase + index * CHUNK_SIZE;
      // a file in memory is parsed in place; a stream is copied chunk by chunk into the reused buffer
      let buf = own;
      let got: number;
      // from a file: the chunk's used part only (its end; 0 = the whole chunk was read)
      let partial = 0;
      if (mem && pre === 0) {
        buf = mem.view(CHUNK_SIZE);
        got = buf.length;
      } else if (file && pre === 0) {
        const avail = Math.max(0, Math.min(CHUNK_SIZE, file.size - file.offset));
        got = await file.read(own, 0, Math.min(avail, CHUNK_HEADER_SIZE));
        const used = got === CHUNK_HEADER_SIZE && avail === CHUNK_SIZE ? usedPart(own) : 0;
        if (used > 0) {
          got += await file.read(own, CHUNK_HEADER_SIZE, used - CHUNK_HEADER_SIZE);
          if (got === used) {
            partial = used;
            file.skip(CHUNK_SIZE - used);
            got = CHUNK_SIZE;
          }
        } else if (got === CHUNK_HEADER_SIZE && !own.subarray(0, 8).equals(CHUNK_MAGIC)) {
          // not a chunk (only its signature is looked at): skipped unread
          file.skip(avail - got);
          got = avail;
        } else got += await file.read(own, got, avail - got);
      } else got = pre + (await reader.read(own, pre, CHUNK_SIZE - pre));
      pre = 0;
      /** read the rest of a partly read chunk (its bytes are then those of a whole read) */
      const complete = () => {
        if (partial === 0) return;
        const n = file!.readAt(own, partial, CHUNK_SIZE - partial, chunkOff + partial);
        if (n < CHUNK_SIZE - partial) own.fill(0, partial + n); // the file shrank meanwhile
        partial = 0;
      };
      if (got === 0) {
        if (index < chunkCount && Number.isFinite(chunkCount)) err(chunkOff, `file ends after ${index} of the ${chunkCount} chunks its header declares`);
        break;
      }
      const declaredChunk = index < chunkCount;
      if (got < CHUNK_HEADER_SIZE) {
        if (!allZero(buf, 0, got)) err(chunkOff, `chunk ${index} truncated (${got} bytes)`);
        break;
      }
      if (!buf.subarray(0, 8).equals(CHUNK_MAGIC)) {
        // unused (zeroed) space, or damage
        if (declaredChunk && !allZero(buf, 0, 8)) err(chunkOff, `chunk ${index}: bad chunk signature, chunk skipped`);
        if (got < CHUNK_SIZE) break;
        continue;
      }
      st.chunks++;
      const h = parseChunkHeader(buf);
      const size = got;
      if (size < CHUNK_SIZE) err(chunkOff, `chunk ${index} truncated (${size} of ${CHUNK_SIZE} bytes); its complete records are read`);
      let limit = h.freeSpaceOffset;
      if (!h.headerChecksumOk) {
        err(chunkOff, `chunk ${index}: header checksum mismatch; records read with validation`);
        if (limit < CHUNK_HEADER_SIZE || limit > CHUNK_SIZE) limit = CHUNK_SIZE;
      } else {
        if (h.lastRecordId >= h.firstRecordId && h.freeSpaceOffset > CHUNK_HEADER_SIZE) st.declared += h.lastRecordId - h.firstRecordId + 1;
        if (limit < CHUNK_HEADER_SIZE || limit > CHUNK_SIZE) {
          err(chunkOff, `chunk ${index}: free space offset ${limit} out of range`);
          limit = CHUNK_SIZE;
        } else if (size === CHUNK_SIZE && crc32(buf, CHUNK_HEADER_SIZE, limit) !== h.dataChecksum) {
          err(chunkOff, `chunk ${index}: records checksum mismatch; records read with validation`);
          complete();
        }
      }
      if (limit > size) limit = size;
      const parseRecords = (report: (offset: number, message: string) => void): EvtxRecord[] => {
        const records: EvtxRecord[] = [];
        let off = CHUNK_HEADER_SIZE;
        while (off + 28 <= limit) {
          const sig = buf.readUInt32LE(off);
          const rsize = buf.readUInt32LE(off + 4);
          if (sig !== RECORD_MAGIC || rsize < 28 || off + rsize > limit || buf.readUInt32LE(off + rsize - 4) !== rsize) {
            if (sig === 0 && rsize === 0 && allZero(buf, off, limit)) break; // slack
            report(chunkOff + off, sig !== RECORD_MAGIC ? 'bad record signature' : `bad record size ${rsize}`);
            // resynchronise on the next record signature
            const next = buf.indexOf(RECORD_SIG, off + 1);
            if (next < 0 || next + 28 > limit) break;
            off = next;
            continue;
          }
          const recordId = u64Number(buf, off + 8);
          const written = filetimeMs(buf.readUInt32LE(off + 16), buf.readUInt32LE(off + 20));
          let rec: EvtxRecord | undefined;
          try {
            const nodes = parser.fragment(off + 24, off + rsize - 4, false, 0).nodes;
            // common layouts: fields straight from the nodes, the document rendered later if ever asked for
            const d = direct ? directFields(nodes, Math.min(MAX_RENDER_NODES, parser.renderBudget)) : undefined;
            if (d) {
              parser.renderBudget -= d.count;
              rec = new EvtxRecord(chunkOff + off, recordId, written, undefined, nodes, d);
            } else rec = new EvtxRecord(chunkOff + off, recordId, written, renderParsed(parser, nodes), undefined, undefined);
          } catch (e) {
            const msg = e instanceof BinXmlError || e instanceof RangeError ? e.message : String(e);
            report(chunkOff + off, `record ${recordId}: ${msg}; record skipped`);
          }
          if (rec) records.push(rec);
          off += rsize;
        }
        return records;
      };
      let records: EvtxRecord[] | undefined;
      if (partial > 0) {
        // only the used part was read: the parser may not look past it (a name or template there fails). Any
        // problem, and the chunk is read whole and parsed again: what is reported is what a whole read gives.
        parser.reset(buf, partial);
        let problems = 0;
        records = parseRecords(() => problems++);
        if (problems > 0) {
          complete();
          records = undefined;
        }
      }
      if (!records) {
        parser.reset(buf, size);
        records = parseRecords(err);
      }
      st.records += records.length;
      if (records.length) yield records;
      if (size < CHUNK_SIZE) break;
    }
  } finally {
    if (spareChunkBuffers.length < 4) spareChunkBuffers.push(own);
    await reader.close();
  }
}
