/**
 * OLE (Compound File Binary) inspection with `cfb`: VBA projects (PROJECT / VBA streams, _VBA_PROJECT, module
 * source decompressed per MS-OVBA to find auto-executing procedure names and risky calls), embedded objects
 * (ObjectPool, Ole10Native packages), encrypted documents (EncryptedPackage). Bounded: stream sizes and counts.
 */
import type CFBType from 'cfb';
import { createRequire } from 'node:module';

// cfb (CommonJS) is loaded on first use: most batches hold no OLE file
const requireCjs = createRequire(import.meta.url);
let cfbLib: typeof CFBType | null = null;
const CFB = {
  read(data: Buffer, opts: { type: 'buffer' }): CFBType.CFB$Container {
    cfbLib ??= requireCjs('cfb') as typeof CFBType;
    return cfbLib.read(data, opts);
  },
};

export interface OleReport {
  vba: boolean;
  /** module names found in the VBA project */
  modules: string[];
  /** auto-exec procedure names found in module source (AutoOpen, Document_Open, Workbook_Open…) */
  autoExec: string[];
  /** risky calls in module source (Shell, CreateObject, URLDownloadToFile…) */
  suspicious: string[];
  /** embedded OLE objects or packages */
  objects: string[];
  encrypted: boolean;
  /** Excel 4.0 macro sheets (BIFF8 BOUNDSHEET type macro) */
  xlm: boolean;
  error?: string;
}

const AUTOEXEC = ['autoopen', 'autoexec', 'autoclose', 'autonew', 'autoexit', 'document_open', 'document_close', 'document_new',
  'documentopen', 'documentbeforeclose', 'workbook_open', 'workbook_activate', 'workbook_close', 'workbook_beforeclose',
  'auto_open', 'auto_close', 'presentationopen', 'app_workbookopen', 'document_contentcontrolonenter',
  'inkpicture1_painted', 'frame1_layout', 'multipage1_layout', 'image1_mousemove'];
const SUSPICIOUS = ['shell', 'wscript.shell', 'createobject', 'urldownloadtofile', 'powershell', 'cmd.exe', 'xmlhttp',
  'adodb.stream', 'callbyname', 'virtualalloc', 'rtlmovememory', 'createthread', 'environ(', 'shell.application',
  'mshta', 'certutil', 'bitsadmin', 'regsvr32', 'rundll32', 'savetofile', 'kill ', 'chr(', 'strreverse', 'base64'];

const MAX_STREAM = 8 * 1024 * 1024;

/** MS-OVBA 2.4.1 decompression of a CompressedContainer, bounded. */
export function ovbaDecompress(b: Uint8Array, start = 0, max = 4 * 1024 * 1024): Uint8Array {
  if (b[start] !== 1) return new Uint8Array(0);
  const out: number[] = [];
  let pos = start + 1;
  while (pos + 2 <= b.length && out.length < max) {
    const header = b[pos] | (b[pos + 1] << 8);
    const chunkSize = (header & 0x0fff) + 3;
    const compressed = (header & 0x8000) !== 0;
    const chunkEnd = Math.min(b.length, pos + chunkSize);
    pos += 2;
    const chunkStart = out.length;
    if (!compressed) {
      for (let i = 0; i < 4096 && pos < b.length; i++) out.push(b[pos++]);
      continue;
    }
    while (pos < chunkEnd && out.length < max) {
      const flags = b[pos++];
      for (let bit = 0; bit < 8 && pos < chunkEnd; bit++) {
        if ((flags & (1 << bit)) === 0) { out.push(b[pos++]); continue; }
        if (pos + 1 >= b.length) { pos = chunkEnd; break; }
        const token = b[pos] | (b[pos + 1] << 8);
        pos += 2;
        const dpos = out.length - chunkStart;
        let bitCount = 4;
        while ((1 << bitCount) < dpos && bitCount < 12) bitCount++;
        const lengthMask = 0xffff >> bitCount;
        const offset = (token >> (16 - bitCount)) + 1;
        const length = (token & lengthMask) + 3;
        const from = out.length - offset;
        if (from < chunkStart) { pos = chunkEnd; break; }
        for (let k = 0; k < length; k++) out.push(out[from + k]);
      }
    }
    pos = chunkEnd;
  }
  return Uint8Array.from(out);
}

interface DirModule { name: string; stream: string; offset: number }

/** Parse the decompressed `dir` stream for module stream names and source offsets. */
function parseDir(d: Uint8Array): DirModule[] {
  const mods: DirModule[] = [];
  let pos = 0;
  let cur: DirModule | null = null;
  let guard = 0;
  while (pos + 6 <= d.length && guard++ < 100_000) {
    const id = d[pos] | (d[pos + 1] << 8);
    let size = (d[pos + 2] | (d[pos + 3] << 8) | (d[pos + 4] << 16)) + d[pos + 5] * 0x1000000;
    if (id === 0x0009) size = 6; // PROJECTVERSION: Reserved field says 4, data is 6
    const data = d.subarray(pos + 6, pos + 6 + size);
    switch (id) {
      case 0x0019: cur = { name: Buffer.from(data).toString('latin1'), stream: '', offset: 0 }; mods.push(cur); break;
      case 0x001a: if (cur) cur.stream = Buffer.from(data).toString('latin1'); break;
      case 0x0031: if (cur && data.length >= 4) cur.offset = (data[0] | (data[1] << 8) | (data[2] << 16)) + data[3] * 0x1000000; break;
    }
    pos += 6 + size;
  }
  return mods;
}

function content(e: CFBType.CFB$Entry | null | undefined): Uint8Array | null {
  if (!e || !e.content) return null;
  const c = e.content as unknown as Uint8Array | number[];
  const u = c instanceof Uint8Array ? c : Uint8Array.from(c);
  return u.length > MAX_STREAM ? u.subarray(0, MAX_STREAM) : u;
}

export function inspectOle(data: Uint8Array): OleReport {
  const rep: OleReport = { vba: false, modules: [], autoExec: [], suspicious: [], objects: [], encrypted: false, xlm: false };
  let cfb: CFBType.CFB$Container;
  try {
    cfb = CFB.read(Buffer.from(data.buffer, data.byteOffset, data.byteLength), { type: 'buffer' });
  } catch (e) {
    rep.error = `unreadable OLE file: ${(e as Error).message}`;
    return rep;
  }
  const paths = cfb.FullPaths.slice(0, 5000);
  const entries = cfb.FileIndex;
  const byLower = new Map<string, number>();
  paths.forEach((p, i) => byLower.set(p.toLowerCase(), i));
  for (let i = 0; i < paths.length; i++) {
    const p = paths[i].toLowerCase();
    const name = (entries[i]?.name ?? '').toLowerCase();
    if (name === '_vba_project' || name === 'vba' || p.endsWith('/vba/dir') || name === 'project' && paths.some((x) => x.toLowerCase().endsWith('/vba/'))) rep.vba = true;
    if (name === 'encryptedpackage' || name === 'encryptioninfo') rep.encrypted = true;
    if (name === '\u0001ole10native' || name === 'ole10native') rep.objects.push('Ole10Native package');
    if (p.includes('/objectpool/') && name.startsWith('_') && rep.objects.length < 20 && entries[i]?.type === 1) rep.objects.push(`embedded object ${entries[i].name}`);
  }
  // Excel 4.0 macro sheets: BOUNDSHEET (0x85) records with sheet type 1 (macro) in the Workbook stream
  const wbIdx = paths.findIndex((p) => /\/(workbook|book)$/i.test(p));
  if (wbIdx >= 0) {
    const wb = content(entries[wbIdx]);
    if (wb) {
      let pos = 0;
      for (let k = 0; k < 200_000 && pos + 4 <= wb.length; k++) {
        const id = wb[pos] | (wb[pos + 1] << 8);
        const len = wb[pos + 2] | (wb[pos + 3] << 8);
        if (id === 0x0085 && len >= 6 && wb[pos + 4 + 5] === 0x01) { rep.xlm = true; break; }
        if (id === 0x000a && k > 0) break; // EOF of globals
        pos += 4 + len;
      }
    }
  }
  if (!rep.vba) return rep;
  // locate every VBA storage's dir stream and read module sources
  for (let i = 0; i < paths.length && rep.modules.length < 200; i++) {
    if (!/\/vba\/dir$/i.test(paths[i])) continue;
    const base = paths[i].slice(0, -3);
    const dir = content(entries[i]);
    if (!dir) continue;
    let mods: DirModule[] = [];
    try { mods = parseDir(ovbaDecompress(dir, 0, 1024 * 1024)); } catch { mods = []; }
    for (const m of mods.slice(0, 200)) {
      rep.modules.push(m.name);
      const idx = byLower.get((base + (m.stream || m.name)).toLowerCase());
      const s = idx !== undefined ? content(entries[idx]) : null;
      if (!s || m.offset >= s.length) continue;
      let src = '';
      try { src = Buffer.from(ovbaDecompress(s, m.offset)).toString('latin1').toLowerCase(); } catch { continue; }
      scanSource(src, rep);
    }
  }
  // no dir stream or broken: scan the raw VBA streams for the names (p-code keeps identifiers)
  if (!rep.autoExec.length) {
    for (let i = 0; i < paths.length; i++) {
      if (!/\/vba\//i.test(paths[i]) || entries[i]?.type !== 2) continue;
      const s = content(entries[i]);
      if (!s) continue;
      scanSource(Buffer.from(s.subarray(0, 1024 * 1024)).toString('latin1').toLowerCase(), rep);
    }
  }
  return rep;
}

function scanSource(src: string, rep: OleReport): void {
  for (const a of AUTOEXEC) if (!rep.autoExec.includes(a) && src.includes(a)) rep.autoExec.push(a);
  for (const s of SUSPICIOUS) if (!rep.suspicious.includes(s) && src.includes(s)) rep.suspicious.push(s);
}
