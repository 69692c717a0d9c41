/**
 * Builds small Outlook .msg files (OLE compound files, MS-OXMSG) for tests with the cfb package: string properties
 * as UTF-16LE "__substg1.0_XXXX001F" streams, binary as "…0102", attachments and recipients as sub-storages.
 */
import CFB from 'cfb';

function utf16(s: string): Buffer {
  return Buffer.from(s, 'utf16le');
}

/** Property stream: header (32 bytes top level, 8 for attachments/recipients) then 16-byte entries (none needed). */
function props(headerLen: number): Buffer {
  return Buffer.alloc(headerLen);
}

export interface MsgSpec {
  subject?: string;
  senderName?: string;
  senderEmail?: string;
  body?: string;
  html?: string;
  headers?: string;
  attachments?: Array<{ name: string; data: Buffer; mime?: string }>;
  recipients?: Array<{ name: string; email: string }>;
}

export function buildMsg(spec: MsgSpec): Buffer {
  const cfb = CFB.utils.cfb_new();
  const add = (path: string, content: Buffer) => CFB.utils.cfb_add(cfb, path, content);
  add('/__properties_version1.0', props(32));
  add('/__nameid_version1.0/__substg1.0_00020102', Buffer.alloc(0));
  add('/__nameid_version1.0/__substg1.0_00030102', Buffer.alloc(0));
  add('/__nameid_version1.0/__substg1.0_00040102', Buffer.alloc(0));
  add('/__substg1.0_001A001F', utf16('IPM.Note'));
  if (spec.subject !== undefined) add('/__substg1.0_0037001F', utf16(spec.subject));
  if (spec.senderName !== undefined) add('/__substg1.0_0C1A001F', utf16(spec.senderName));
  if (spec.senderEmail !== undefined) {
    add('/__substg1.0_0C1F001F', utf16(spec.senderEmail));
    add('/__substg1.0_0C1E001F', utf16('SMTP'));
  }
  if (spec.body !== undefined) add('/__substg1.0_1000001F', utf16(spec.body));
  if (spec.html !== undefined) add('/__substg1.0_10130102', Buffer.from(spec.html, 'utf8'));
  if (spec.headers !== undefined) add('/__substg1.0_007D001F', utf16(spec.headers));
  (spec.recipients ?? []).forEach((r, i) => {
    const dir = `/__recip_version1.0_#${i.toString(16).toUpperCase().padStart(8, '0')}`;
    add(`${dir}/__properties_version1.0`, props(8));
    add(`${dir}/__substg1.0_3001001F`, utf16(r.name));
    add(`${dir}/__substg1.0_39FE001F`, utf16(r.email));
  });
  (spec.attachments ?? []).forEach((a, i) => {
    const dir = `/__attach_version1.0_#${i.toString(16).toUpperCase().padStart(8, '0')}`;
    add(`${dir}/__properties_version1.0`, props(8));
    add(`${dir}/__substg1.0_3707001F`, utf16(a.name));
    add(`${dir}/__substg1.0_3704001F`, utf16(a.name.slice(0, 8)));
    add(`${dir}/__substg1.0_37010102`, a.data);
    if (a.mime) add(`${dir}/__substg1.0_370E001F`, utf16(a.mime));
  });
  // cfb_new adds a placeholder stream; drop it
  CFB.utils.cfb_del(cfb, '/\u0001Sh33tJ5');
  return Buffer.from(CFB.write(cfb, { type: 'buffer' }) as Uint8Array);
}
