/**
 * Tar member listing (v7, ustar, GNU long names 'L'/'K', pax 'x'/'g' path records). Headers only: member data is
 * returned as offsets into the buffer, never copied. Bounded number of entries; malformed headers stop the walk.
 */

export interface TarMember { name: string; size: number; offset: number; type: string }

function str(b: Uint8Array, at: number, len: number): string {
  let end = at;
  const lim = Math.min(at + len, b.length);
  while (end < lim && b[end] !== 0) end++;
  return Buffer.from(b.buffer, b.byteOffset + at, end - at).toString('utf8');
}

function octal(b: Uint8Array, at: number, len: number): number {
  // GNU base-256 for big sizes
  if (b[at] & 0x80) {
    let v = 0;
    for (let i = 1; i < len; i++) v = v * 256 + b[at + i];
    return v;
  }
  const s = str(b, at, len).trim();
  if (!s) return 0;
  if (!/^[0-7]+$/.test(s)) return -1;
  return parseInt(s, 8);
}

function checksumOk(b: Uint8Array, at: number): boolean {
  const want = octal(b, at + 148, 8);
  if (want < 0) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : b[at + i];
  return sum === want;
}

/** Is this a tar archive (valid first header)? */
export function looksLikeTar(b: Uint8Array): boolean {
  return b.length >= 512 && checksumOk(b, 0);
}

export function listTar(b: Uint8Array, maxEntries = 5000): { members: TarMember[]; truncated: boolean; error?: string } {
  const members: TarMember[] = [];
  let pos = 0;
  let longName: string | null = null;
  let paxPath: string | null = null;
  while (pos + 512 <= b.length) {
    if (members.length >= maxEntries) return { members, truncated: true };
    // two zero blocks end the archive
    let zero = true;
    for (let i = 0; i < 512; i++) if (b[pos + i] !== 0) { zero = false; break; }
    if (zero) break;
    if (!checksumOk(b, pos)) return { members, truncated: false, error: `bad tar header checksum at offset ${pos}` };
    let name = str(b, pos, 100);
    const size = octal(b, pos + 124, 12);
    if (size < 0) return { members, truncated: false, error: `bad size at offset ${pos}` };
    const type = String.fromCharCode(b[pos + 156] || 0x30);
    const magic = str(b, pos + 257, 6);
    if (magic.startsWith('ustar')) {
      const prefix = str(b, pos + 345, 155);
      if (prefix && magic === 'ustar') name = prefix + '/' + name;
    }
    const dataAt = pos + 512;
    const next = dataAt + Math.ceil(size / 512) * 512;
    if (type === 'L' || type === 'K') {
      if (type === 'L') longName = str(b, dataAt, Math.min(size, 65536));
    } else if (type === 'x' || type === 'g') {
      const rec = Buffer.from(b.buffer, b.byteOffset + dataAt, Math.max(0, Math.min(size, 65536, b.length - dataAt))).toString('utf8');
      const m = /(?:^|\n)\d+ path=([^\n]*)/.exec(rec);
      if (m && type === 'x') paxPath = m[1];
    } else {
      members.push({ name: paxPath ?? longName ?? name, size, offset: dataAt, type });
      longName = null;
      paxPath = null;
    }
    if (next <= pos) break;
    pos = next;
  }
  return { members, truncated: false };
}
