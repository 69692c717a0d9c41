/** Builders for binary fixtures generated in the tests: tar, encrypted-flag zips, OLE with a VBA project, OOXML. */
import { zipSync, strToU8 } from 'fflate';
import CFB from 'cfb';

/** A ustar archive of the given members (name may exceed 100 bytes: then a GNU 'L' long-name entry is written). */
export function tar(members: Array<{ name: string; data?: string | Uint8Array }>): Uint8Array {
  const blocks: Uint8Array[] = [];
  const header = (name: string, size: number, type: string): Uint8Array => {
    const h = new Uint8Array(512);
    const put = (s: string, at: number, len: number) => { const b = Buffer.from(s, 'utf8'); h.set(b.subarray(0, len), at); };
    put(name, 0, 100);
    put('0000644\0', 100, 8); put('0000000\0', 108, 8); put('0000000\0', 116, 8);
    put(size.toString(8).padStart(11, '0') + '\0', 124, 12);
    put('00000000000\0', 136, 12);
    put(type, 156, 1);
    put('ustar\0', 257, 6); put('00', 263, 2);
    for (let i = 148; i < 156; i++) h[i] = 32;
    let sum = 0;
    for (const b of h) sum += b;
    put(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8);
    return h;
  };
  const body = (d: Uint8Array) => { const n = Math.ceil(d.length / 512) * 512; const b = new Uint8Array(n); b.set(d); return b; };
  for (const m of members) {
    const data = typeof m.data === 'string' ? Buffer.from(m.data) : m.data ?? new Uint8Array(0);
    if (Buffer.byteLength(m.name) > 100) {
      const ln = Buffer.from(m.name + '\0');
      blocks.push(header('././@LongLink', ln.length, 'L'), body(ln));
    }
    blocks.push(header(m.name.slice(0, 100), data.length, '0'), body(data));
  }
  blocks.push(new Uint8Array(1024));
  return Buffer.concat(blocks);
}

export function zip(files: Record<string, string | Uint8Array>, level: 0 | 6 | 9 = 6): Uint8Array {
  const input: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(files)) input[k] = typeof v === 'string' ? strToU8(v) : v;
  return zipSync(input, { level });
}

/** Set the "encrypted" flag on every entry (local and central headers), as a password-protected zip has. */
export function markEncrypted(z: Uint8Array): Uint8Array {
  const b = new Uint8Array(z);
  for (let i = 0; i + 4 <= b.length; i++) {
    if (b[i] === 0x50 && b[i + 1] === 0x4b && b[i + 2] === 0x03 && b[i + 3] === 0x04) b[i + 6] |= 1;
    if (b[i] === 0x50 && b[i + 1] === 0x4b && b[i + 2] === 0x01 && b[i + 3] === 0x02) b[i + 8] |= 1;
  }
  return b;
}

/** MS-OVBA container holding `data` in uncompressed 4096-byte chunks. */
export function ovbaRaw(data: Uint8Array): Uint8Array {
  const parts: number[] = [1];
  for (let off = 0; off < Math.max(1, data.length); off += 4096) {
    const chunk = new Uint8Array(4096);
    chunk.set(data.subarray(off, off + 4096));
    parts.push(0xff, 0x3f, ...chunk);
  }
  return Uint8Array.from(parts);
}

function rec(id: number, data: Uint8Array): Uint8Array {
  const b = new Uint8Array(6 + data.length);
  b[0] = id & 0xff; b[1] = id >> 8;
  new DataView(b.buffer).setUint32(2, data.length, true);
  b.set(data, 6);
  return b;
}

/** An OLE (CFB) document with a VBA project whose single module holds `source`. */
export function oleWithVba(source: string, storage = 'Macros'): Uint8Array {
  const name = Buffer.from('Module1', 'latin1');
  const off = new Uint8Array(4);
  const dir = Buffer.concat([rec(0x0019, name), rec(0x001a, name), rec(0x0031, off)]);
  const cfb = CFB.utils.cfb_new();
  CFB.utils.cfb_add(cfb, `/${storage}/VBA/dir`, Buffer.from(ovbaRaw(dir)));
  CFB.utils.cfb_add(cfb, `/${storage}/VBA/Module1`, Buffer.from(ovbaRaw(Buffer.from(source, 'latin1'))));
  CFB.utils.cfb_add(cfb, `/${storage}/VBA/_VBA_PROJECT`, Buffer.from([0xcc, 0x61, 0xff, 0xff, 0, 0, 0]));
  CFB.utils.cfb_add(cfb, `/${storage}/PROJECT`, Buffer.from('ID="{00000000-0000-0000-0000-000000000000}"\r\nModule=Module1\r\n'));
  CFB.utils.cfb_add(cfb, '/WordDocument', Buffer.alloc(1024));
  return new Uint8Array(CFB.write(cfb, { type: 'buffer' }) as Buffer);
}

export function oleWith(paths: Record<string, Uint8Array | string>): Uint8Array {
  const cfb = CFB.utils.cfb_new();
  for (const [p, v] of Object.entries(paths)) CFB.utils.cfb_add(cfb, p, Buffer.from(typeof v === 'string' ? Buffer.from(v, 'latin1') : v));
  return new Uint8Array(CFB.write(cfb, { type: 'buffer' }) as Buffer);
}

const CT = '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"></Types>';

export function docx(extra: Record<string, string | Uint8Array> = {}, documentXml = '<w:document><w:body><w:p><w:r><w:t>Hello</w:t></w:r></w:p></w:body></w:document>'): Uint8Array {
  return zip({ '[Content_Types].xml': CT, '_rels/.rels': '<Relationships></Relationships>', 'word/document.xml': documentXml, ...extra });
}
