/** File type by content (magic bytes), independent of the name. */

export type Sniffed = 'pe' | 'elf' | 'macho' | 'zip' | 'rar' | '7z' | 'gzip' | 'bzip2' | 'xz' | 'cab' | 'tar' | 'iso'
  | 'vhd' | 'vhdx' | 'dmg' | 'ole' | 'pdf' | 'rtf' | 'onenote' | 'lnk' | 'png' | 'jpeg' | 'gif' | 'bmp' | 'webp'
  | 'html' | 'svg' | 'text' | 'unknown';

const ONENOTE = [0xe4, 0x52, 0x5c, 0x7b, 0x8c, 0xd8, 0xa7, 0x4d, 0xae, 0xb1, 0x53, 0x78, 0xd0, 0x29, 0x96, 0xd3];
const LNK = [0x4c, 0x00, 0x00, 0x00, 0x01, 0x14, 0x02, 0x00];

function startsWith(b: Uint8Array, sig: number[], at = 0): boolean {
  if (b.length < at + sig.length) return false;
  for (let i = 0; i < sig.length; i++) if (b[at + i] !== sig[i]) return false;
  return true;
}
function ascii(b: Uint8Array, at: number, s: string): boolean {
  if (b.length < at + s.length) return false;
  for (let i = 0; i < s.length; i++) if (b[at + i] !== s.charCodeAt(i)) return false;
  return true;
}

export function sniff(b: Uint8Array): Sniffed {
  if (b.length < 2) return 'unknown';
  if (b[0] === 0x4d && b[1] === 0x5a) return 'pe';
  if (startsWith(b, [0x7f, 0x45, 0x4c, 0x46])) return 'elf';
  if (startsWith(b, [0xcf, 0xfa, 0xed, 0xfe]) || startsWith(b, [0xca, 0xfe, 0xba, 0xbe])) return 'macho';
  if (startsWith(b, [0x50, 0x4b, 0x03, 0x04]) || startsWith(b, [0x50, 0x4b, 0x05, 0x06]) || startsWith(b, [0x50, 0x4b, 0x07, 0x08])) return 'zip';
  if (ascii(b, 0, 'Rar!\x1a\x07')) return 'rar';
  if (startsWith(b, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])) return '7z';
  if (b[0] === 0x1f && b[1] === 0x8b) return 'gzip';
  if (ascii(b, 0, 'BZh')) return 'bzip2';
  if (startsWith(b, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return 'xz';
  if (ascii(b, 0, 'MSCF')) return 'cab';
  if (startsWith(b, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return 'ole';
  if (ascii(b, 0, '%PDF') || (b.length > 1024 && indexOfAscii(b, '%PDF-', 0, 1024) >= 0)) return 'pdf';
  if (ascii(b, 0, '{\\rt')) return 'rtf';
  if (startsWith(b, ONENOTE)) return 'onenote';
  if (startsWith(b, LNK)) return 'lnk';
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47])) return 'png';
  if (startsWith(b, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (ascii(b, 0, 'GIF8')) return 'gif';
  if (ascii(b, 0, 'BM') && b.length > 26) return 'bmp';
  if (ascii(b, 0, 'RIFF') && ascii(b, 8, 'WEBP')) return 'webp';
  if (ascii(b, 0, 'conectix')) return 'vhd';
  if (ascii(b, 0, 'vhdxfile')) return 'vhdx';
  if (b.length >= 512 && ascii(b, b.length - 512, 'conectix')) return 'vhd';
  if (ascii(b, 0x8001, 'CD001') || ascii(b, 0x8801, 'CD001') || ascii(b, 0x9001, 'CD001')) return 'iso';
  if (b.length >= 512 && ascii(b, b.length - 512, 'koly')) return 'dmg';
  if (b.length >= 263 && (ascii(b, 257, 'ustar'))) return 'tar';
  // text-like: HTML / SVG
  const head = latin1(b, 0, Math.min(b.length, 2048)).replace(/^\ufeff/, '').toLowerCase();
  if (/<svg[\s>]/.test(head)) return 'svg';
  if (/<(!doctype html|html|head|body|script|iframe|form|meta|title)[\s>]/.test(head)) return 'html';
  let printable = 0;
  const n = Math.min(b.length, 512);
  for (let i = 0; i < n; i++) { const c = b[i]; if (c === 9 || c === 10 || c === 13 || (c >= 32 && c < 127) || c >= 128) printable++; }
  if (n > 0 && printable / n > 0.97) return 'text';
  return 'unknown';
}

export function latin1(b: Uint8Array, start: number, end: number): string {
  return Buffer.from(b.buffer, b.byteOffset + start, Math.max(0, Math.min(end, b.length) - start)).toString('latin1');
}

export function indexOfAscii(b: Uint8Array, s: string, from = 0, to = b.length): number {
  return Buffer.from(b.buffer, b.byteOffset, Math.min(to, b.length)).indexOf(s, from, 'latin1');
}
