/**
 * Archive inspection for attachments: zip (central directory parsed by hand: names, encryption flag, sizes;
 * members inflated with fflate in small steps so a bomb stops at the budget), gzip (one member), tar (see tar.ts),
 * and recognition of rar / 7z / cab / iso / img / vhd(x) by magic bytes. Nested archives are opened recursively
 * within a depth, a member count, a total-size budget and a compression-ratio bound.
 */
import { Inflate, Gunzip } from 'fflate';
import { sniff, type Sniffed } from './sniff.js';
import { listTar, looksLikeTar } from './tar.js';

export interface ArchiveLimits {
  maxDepth: number;
  maxMembers: number;
  /** total bytes decompressed for one attachment, all levels together */
  maxTotal: number;
  /** bytes decompressed for one member */
  maxMember: number;
  /** a member whose size / compressed size is above this is treated as a bomb */
  maxRatio: number;
}

export const ARCHIVE_LIMITS: ArchiveLimits = { maxDepth: 4, maxMembers: 2000, maxTotal: 64 * 1024 * 1024, maxMember: 16 * 1024 * 1024, maxRatio: 200 };

export interface ArchiveMember {
  /** path inside the archive */
  name: string;
  /** the chain of containers, outermost first */
  container: string[];
  size: number;
  encrypted: boolean;
  /** decompressed content when read (members of interest within budget), else undefined */
  content?: Uint8Array;
  sniffed?: Sniffed;
  /** tar member type flag when from a tar */
  tarType?: string;
  kind: 'zip' | 'tar' | 'gzip';
}

export interface ArchiveReport {
  members: ArchiveMember[];
  /** container names whose content could not be listed (rar, 7z, …), with type */
  opaque: Array<{ name: string; type: Sniffed }>;
  encrypted: string[];
  bombs: string[];
  problems: string[];
  truncated: boolean;
}

interface ZipEntry { name: string; flags: number; method: number; csize: number; usize: number; localOffset: number }

function u16(b: Uint8Array, o: number): number { return b[o] | (b[o + 1] << 8); }
function u32(b: Uint8Array, o: number): number { return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16)) + b[o + 3] * 0x1000000; }

/** Zip central directory. Falls back to walking local headers when the directory is missing. */
export function listZip(b: Uint8Array, maxEntries = ARCHIVE_LIMITS.maxMembers): { entries: ZipEntry[]; error?: string; truncated: boolean } {
  const entries: ZipEntry[] = [];
  // end of central directory: last 64 KiB + 22
  let eocd = -1;
  for (let i = b.length - 22; i >= Math.max(0, b.length - 65557); i--) {
    if (b[i] === 0x50 && b[i + 1] === 0x4b && b[i + 2] === 0x05 && b[i + 3] === 0x06) { eocd = i; break; }
  }
  if (eocd >= 0) {
    const count = u16(b, eocd + 10);
    let off = u32(b, eocd + 16);
    if (off >= b.length) off = -1;
    for (let k = 0; off >= 0 && k < count && off + 46 <= b.length; k++) {
      if (u32(b, off) !== 0x02014b50) return { entries, error: 'broken zip central directory', truncated: false };
      if (entries.length >= maxEntries) return { entries, truncated: true };
      const nl = u16(b, off + 28), el = u16(b, off + 30), cl = u16(b, off + 32);
      const name = Buffer.from(b.buffer, b.byteOffset + off + 46, Math.max(0, Math.min(nl, b.length - off - 46))).toString('utf8');
      entries.push({ name, flags: u16(b, off + 8), method: u16(b, off + 10), csize: u32(b, off + 20), usize: u32(b, off + 24), localOffset: u32(b, off + 42) });
      off += 46 + nl + el + cl;
    }
    if (entries.length) return { entries, truncated: false };
  }
  // no usable directory: walk local headers
  let off = 0;
  while (off + 30 <= b.length && u32(b, off) === 0x04034b50) {
    if (entries.length >= maxEntries) return { entries, truncated: true };
    const flags = u16(b, off + 6);
    const nl = u16(b, off + 26), el = u16(b, off + 28);
    const csize = u32(b, off + 18);
    const name = Buffer.from(b.buffer, b.byteOffset + off + 30, Math.max(0, Math.min(nl, b.length - off - 30))).toString('utf8');
    entries.push({ name, flags, method: u16(b, off + 8), csize, usize: u32(b, off + 22), localOffset: off });
    if (flags & 8 || csize === 0) break; // sizes in a data descriptor: cannot walk further safely
    off += 30 + nl + el + csize;
  }
  return { entries, truncated: false, error: entries.length ? undefined : 'no zip entries found' };
}

/** Inflate raw deflate (or gunzip) in steps, stopping at `max` output bytes. */
export function boundedInflate(data: Uint8Array, max: number, gzip = false): { out: Uint8Array; complete: boolean; error?: string } {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let over = false;
  let ended = false;
  const on = (chunk: Uint8Array, final: boolean): void => {
    if (over) return;
    if (total + chunk.length > max) { chunks.push(chunk.subarray(0, max - total)); total = max; over = true; return; }
    chunks.push(chunk);
    total += chunk.length;
    if (final) ended = true;
  };
  const s = gzip ? new Gunzip(on) : new Inflate(on);
  const STEP = 16 * 1024;
  try {
    for (let i = 0; i < data.length && !over; i += STEP) s.push(data.subarray(i, Math.min(data.length, i + STEP)), i + STEP >= data.length);
  } catch (e) {
    return { out: concat(chunks, total), complete: false, error: (e as Error).message };
  }
  return { out: concat(chunks, total), complete: ended && !over };
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) { out.set(c, o); o += c.length; }
  return out;
}

/** Read one zip member's content within budget. */
export function readZipMember(b: Uint8Array, e: ZipEntry, max: number): { data?: Uint8Array; bomb?: boolean; error?: string } {
  const off = e.localOffset;
  if (off + 30 > b.length || u32(b, off) !== 0x04034b50) return { error: 'bad local header' };
  const start = off + 30 + u16(b, off + 26) + u16(b, off + 28);
  let csize = e.csize;
  if (csize === 0 || start + csize > b.length) csize = b.length - start;
  if (csize < 0) return { error: 'bad member offset' };
  const raw = b.subarray(start, start + csize);
  if (e.method === 0) return { data: raw.subarray(0, Math.min(raw.length, max)) };
  if (e.method !== 8) return { error: `compression method ${e.method} not supported` };
  const r = boundedInflate(raw, max);
  const bomb = !r.complete && r.out.length >= max && (raw.length === 0 || r.out.length / raw.length > ARCHIVE_LIMITS.maxRatio);
  return { data: r.out, bomb, error: r.error };
}

/** Names worth decompressing: nested archives, documents, scripts, web pages, shortcuts. */
export function interesting(name: string): boolean {
  return /\.(zip|jar|gz|tgz|tar|rar|7z|iso|img|docm?|dotm?|xlsm?|xlsb|xltm?|pptm?|potm?|ppsm?|rtf|one|html?|xhtml|shtml|svg|hta|js|jse|vbs|vbe|wsf|lnk|pdf|exe|scr|dll|msi|bin|xls|ppt|doc)$/i.test(name) || !/\.[a-z0-9]{1,5}$/i.test(name);
}

/** Open an archive attachment (zip, gzip, tar) and its nested archives. */
export function inspectArchive(name: string, data: Uint8Array, limits: ArchiveLimits = ARCHIVE_LIMITS): ArchiveReport {
  const rep: ArchiveReport = { members: [], opaque: [], encrypted: [], bombs: [], problems: [], truncated: false };
  const budget = { left: limits.maxTotal };
  walk([name], data, 1, rep, limits, budget);
  return rep;
}

function walk(chain: string[], data: Uint8Array, depth: number, rep: ArchiveReport, lim: ArchiveLimits, budget: { left: number }): void {
  const type = sniff(data);
  const here = chain[chain.length - 1];
  if (type === 'zip') {
    const z = listZip(data, lim.maxMembers);
    if (z.error) rep.problems.push(`${here}: ${z.error}`);
    if (z.truncated) rep.truncated = true;
    for (const e of z.entries) {
      if (rep.members.length >= lim.maxMembers) { rep.truncated = true; return; }
      if (e.name.endsWith('/')) continue;
      const encrypted = (e.flags & 1) === 1;
      const m: ArchiveMember = { name: e.name, container: [...chain], size: e.usize, encrypted, kind: 'zip' };
      rep.members.push(m);
      if (encrypted) { if (!rep.encrypted.includes(here)) rep.encrypted.push(here); continue; }
      if (e.csize > 0 && e.usize / e.csize > lim.maxRatio && e.usize > 1024 * 1024) { rep.bombs.push(`${here}/${e.name}`); continue; }
      if (!interesting(e.name) || budget.left <= 0) continue;
      const r = readZipMember(data, e, Math.min(lim.maxMember, budget.left));
      if (r.error && !r.data) { rep.problems.push(`${here}/${e.name}: ${r.error}`); continue; }
      if (r.bomb) { rep.bombs.push(`${here}/${e.name}`); continue; }
      if (!r.data) continue;
      budget.left -= r.data.length;
      m.content = r.data;
      m.sniffed = sniff(r.data);
      descend(chain, m, depth, rep, lim, budget);
    }
    return;
  }
  if (type === 'gzip') {
    if (budget.left <= 0) return;
    const r = boundedInflate(data, Math.min(lim.maxMember, budget.left), true);
    if (!r.complete && r.out.length >= Math.min(lim.maxMember, budget.left) && r.out.length / Math.max(1, data.length) > lim.maxRatio) { rep.bombs.push(here); return; }
    if (r.error && !r.out.length) { rep.problems.push(`${here}: ${r.error}`); return; }
    budget.left -= r.out.length;
    const inner = here.replace(/\.t?gz$/i, (x) => (x.toLowerCase() === '.tgz' ? '.tar' : '')) || 'data';
    const m: ArchiveMember = { name: inner === here ? here + '.out' : inner, container: [...chain], size: r.out.length, encrypted: false, content: r.out, sniffed: sniff(r.out), kind: 'gzip' };
    if (m.sniffed === 'unknown' && looksLikeTar(r.out)) m.sniffed = 'tar';
    rep.members.push(m);
    descend(chain, m, depth, rep, lim, budget);
    return;
  }
  if (type === 'tar' || looksLikeTar(data)) {
    const t = listTar(data, lim.maxMembers);
    if (t.error) rep.problems.push(`${here}: ${t.error}`);
    if (t.truncated) rep.truncated = true;
    for (const tm of t.members) {
      if (rep.members.length >= lim.maxMembers) { rep.truncated = true; return; }
      const m: ArchiveMember = { name: tm.name, container: [...chain], size: tm.size, encrypted: false, tarType: tm.type, kind: 'tar' };
      rep.members.push(m);
      if ((tm.type === '0' || tm.type === '\0' || tm.type === '7') && interesting(tm.name) && budget.left > 0) {
        const end = Math.min(data.length, tm.offset + Math.min(tm.size, lim.maxMember, budget.left));
        m.content = data.subarray(tm.offset, end);
        budget.left -= m.content.length;
        m.sniffed = sniff(m.content);
        descend(chain, m, depth, rep, lim, budget);
      }
    }
    return;
  }
  if (type === 'rar' || type === '7z' || type === 'cab' || type === 'xz' || type === 'bzip2') rep.opaque.push({ name: here, type });
}

function descend(chain: string[], m: ArchiveMember, depth: number, rep: ArchiveReport, lim: ArchiveLimits, budget: { left: number }): void {
  if (!m.content) return;
  const t = m.sniffed;
  const isArchive = t === 'zip' && !/\.(docx|docm|dotm|dotx|xlsx|xlsm|xltm|pptx|pptm|ppsm|potm|jar|apk|odt|ods|odp)$/i.test(m.name)
    || t === 'gzip' || t === 'tar' || t === 'rar' || t === '7z' || t === 'cab';
  if (!isArchive) return;
  if (depth >= lim.maxDepth) { rep.problems.push(`${m.name}: archive nesting deeper than ${lim.maxDepth} not opened`); rep.truncated = true; return; }
  walk([...chain, m.name], m.content, depth + 1, rep, lim, budget);
}
