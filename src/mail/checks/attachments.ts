/**
 * Attachment check: dangerous file types by name and by content (executables, scripts, shortcuts, disk images,
 * OneNote), double extensions and right-to-left-override names, extension/content mismatch, HTML/SVG attachments
 * (HTML smuggling, credential forms, redirects, scripts), Office documents (VBA macros with auto-exec, remote
 * templates, embedded objects, DDE, encryption), PDFs (JavaScript, Launch, suspicious links), and archives opened
 * recursively within bounds (encrypted members, bombs, members of every kind above, tar names with shell syntax).
 */
import { createHash } from 'node:crypto';
import type { Check, CheckContext, MessageView, SymbolHit } from '../types.js';
import { ARCHIVE_LIMITS, inspectArchive, type ArchiveMember } from '../inspect/archive.js';
import { htmlFeatures } from '../inspect/htmlfeatures.js';
import { inspectOle } from '../inspect/ole.js';
import { inspectOoxml } from '../inspect/ooxml.js';
import { inspectPdf } from '../inspect/pdf.js';
import { sniff, latin1, type Sniffed } from '../inspect/sniff.js';
import { judgeLink } from './links.js';
import { parseUrl } from '../inspect/url.js';

type Kind = NonNullable<SymbolHit['kind']>;

export const ATTACHMENT_SYMBOLS: Record<string, { score: number; kind: Kind }> = {
  ATTACH_EXECUTABLE: { score: 8, kind: 'malware' },
  ATTACH_SCRIPT: { score: 7, kind: 'malware' },
  ATTACH_SHORTCUT: { score: 7, kind: 'malware' },
  ATTACH_WEB_SHORTCUT: { score: 2, kind: 'phishing' },
  ATTACH_DISK_IMAGE: { score: 6, kind: 'malware' },
  ATTACH_ONENOTE: { score: 5, kind: 'malware' },
  ATTACH_DOUBLE_EXTENSION: { score: 6, kind: 'malware' },
  ATTACH_RTLO_NAME: { score: 8, kind: 'malware' },
  ATTACH_EXT_MISMATCH: { score: 4, kind: 'malware' },
  ATTACH_HTML: { score: 3, kind: 'phishing' },
  ATTACH_HTML_SMUGGLING: { score: 7, kind: 'malware' },
  ATTACH_HTML_FORM: { score: 6, kind: 'phishing' },
  ATTACH_HTML_REDIRECT: { score: 4, kind: 'phishing' },
  ATTACH_SVG_SCRIPT: { score: 6, kind: 'malware' },
  ATTACH_OFFICE_MACRO: { score: 4, kind: 'malware' },
  ATTACH_OFFICE_AUTOEXEC: { score: 7, kind: 'malware' },
  ATTACH_REMOTE_TEMPLATE: { score: 7, kind: 'malware' },
  ATTACH_OLE_OBJECT: { score: 3, kind: 'malware' },
  ATTACH_DDE: { score: 6, kind: 'malware' },
  ATTACH_ENCRYPTED_DOCUMENT: { score: 3, kind: 'malware' },
  ATTACH_ENCRYPTED_ARCHIVE: { score: 4, kind: 'malware' },
  ATTACH_ARCHIVE_BOMB: { score: 5, kind: 'malware' },
  ATTACH_ARCHIVE_OPAQUE: { score: 1, kind: 'info' },
  ATTACH_TAR_SHELL_NAME: { score: 9, kind: 'malware' },
  ATTACH_PDF_JAVASCRIPT: { score: 4, kind: 'malware' },
  ATTACH_PDF_LAUNCH: { score: 7, kind: 'malware' },
  ATTACH_PDF_EMBEDDED_FILE: { score: 2, kind: 'info' },
  ATTACH_PDF_LINK: { score: 5, kind: 'phishing' },
  ATTACH_NAME_INVISIBLE: { score: 3, kind: 'phishing' },
  ATTACH_PASSWORD_IN_BODY: { score: 3, kind: 'phishing' },
};

const EXECUTABLE = new Set(['exe', 'scr', 'dll', 'msi', 'msix', 'msp', 'com', 'pif', 'cpl', 'sys', 'ocx', 'appx', 'appxbundle', 'application', 'gadget', 'jar', 'apk', 'elf', 'bin', 'xll', 'wll', 'reg']);
const SCRIPT = new Set(['js', 'jse', 'vbs', 'vbe', 'wsf', 'wsh', 'wsc', 'hta', 'ps1', 'psm1', 'psd1', 'bat', 'cmd', 'sct', 'vb', 'mjs', 'jscript', 'ws', 'py', 'pyw', 'sh', 'scf', 'inf', 'chm', 'mht', 'mhtml', 'xsl', 'library-ms', 'settingcontent-ms', 'msc', 'iqy', 'slk', 'appref-ms']);
const SHORTCUT = new Set(['lnk', 'url', 'scf', 'website', 'desktop', 'webloc', 'pif']);
const DISK = new Set(['iso', 'img', 'vhd', 'vhdx', 'dmg', 'udf', 'vmdk']);
const ONENOTE = new Set(['one', 'onepkg']);
const HTML = new Set(['htm', 'html', 'shtml', 'xhtml', 'svg', 'mht', 'mhtml', 'hta', 'xht']);
const OFFICE_OOXML = new Set(['docx', 'docm', 'dotx', 'dotm', 'xlsx', 'xlsm', 'xltx', 'xltm', 'xlsb', 'xlam', 'pptx', 'pptm', 'potx', 'potm', 'ppsx', 'ppsm', 'ppam', 'sldm']);
const DECOY = /\.(pdf|docx?|xlsx?|pptx?|txt|jpe?g|png|gif|bmp|tiff?|rtf|csv|odt|ods|mp3|mp4|wav|avi|zip|rar|eml|msg)(\s|_|-)*\.([a-z0-9]{2,5})$/i;
const BIDI_NAME = /[\u202a-\u202e\u2066-\u2069\u200e\u200f]/;
/** Invisible characters no file-naming tool writes: zero-width, word joiner, BOM, soft hyphen, combining grapheme joiner, Hangul fillers. */
const INVISIBLE_NAME = /[\u200b-\u200d\u2060-\u2064\ufeff\u00ad\u180e\u034f\u115f\u1160\u3164\uffa0\u17b4\u17b5]/;
const INVISIBLE_NAME_ALL = new RegExp(INVISIBLE_NAME.source, 'g');
/** "password: x", "senha de acesso: x", "mot de passe : x"… followed by a short value (the key of an encrypted attachment). */
const PASSWORD_GIVEN = /\b(?:password|passwort|kennwort|pwd|senha|mot de passe|contrase(?:n|ñ)a|wachtwoord|clave|parola)\b[^\n:=]{0,30}[:=]\s*[^\s]{2,24}/i;
/** Attachment kinds a password protects: archives, PDFs, Office documents. */
const PROTECTABLE = /\.(zip|rar|7z|pdf|docx?|xlsx?|pptx?|docm|xlsm|one|iso|img)$/i;

export function extOf(name: string): string {
  const m = /\.([a-z0-9-]{1,20})\s*$/i.exec(name);
  return m ? m[1].toLowerCase() : '';
}

interface FileItem { name: string; container: string[]; /** a member already listed by its archive's walk (nested archives included) */ member?: boolean; content?: Uint8Array; mime?: string; sha256?: string; size: number; encrypted?: boolean; tarType?: string }

const SMUGGLING = ['atob(', 'new blob', 'mssaveoropenblob', 'createobjecturl', 'uint8array', 'fromcharcode', 'unescape(', 'document.write(', 'eval(', 'window.navigator.mssaveblob', '.download='];
const EXFIL = ['api.telegram.org', 'xmlhttprequest', 'fetch(', '$.ajax', '$.post', 'jquery.ajax', 'submit()', 'discord.com/api/webhooks'];

const short = (s: string, n = 80): string => (s.length > n ? s.slice(0, n - 1) + '…' : s);

function where(f: FileItem): string {
  return f.container.length ? `"${f.name}" inside ${f.container.map((c) => `"${c}"`).join(' › ')}` : `"${f.name}"`;
}

function sha(f: FileItem): string | undefined {
  if (f.sha256) return f.sha256;
  if (!f.content) return undefined;
  return createHash('sha256').update(f.content).digest('hex');
}

export const attachmentsCheck: Check = {
  name: 'attachments',
  run(msg: MessageView, _ctx: CheckContext): SymbolHit[] {
    const hits = new Map<string, SymbolHit>();
    const add = (symbol: string, f: FileItem | null, reason: string, extra: string[] = [], scoreOverride?: number): void => {
      const def = ATTACHMENT_SYMBOLS[symbol];
      const ev: string[] = [];
      if (f) { ev.push(f.container.length ? [...f.container, f.name].join('/') : f.name); const h = sha(f); if (h) ev.push(h); }
      ev.push(...extra);
      const prev = hits.get(symbol);
      const score = scoreOverride ?? def.score;
      if (prev) {
        for (const e of ev) if (prev.evidence!.length < 20 && !prev.evidence!.includes(e)) prev.evidence!.push(e);
        if (score > prev.score) { prev.score = score; prev.reason = reason; }
        return;
      }
      hits.set(symbol, { symbol, score, kind: def.kind, reason, evidence: ev });
    };
    const files: FileItem[] = [];
    for (const a of msg.attachments.slice(0, 300)) {
      // inline images of the HTML body are not "attachments" in the dangerous sense, but a renamed one still is
      files.push({ name: a.filename || '', container: a.container ?? [], content: a.content, mime: a.mimeType, sha256: a.sha256, size: a.size });
    }
    // the password of an attached archive or document given in the body: encryption keeps scanners out, the
    // text lets the victim in (classic delivery of malware and of PDF lures)
    const protectable = msg.attachments.find((a) => PROTECTABLE.test(a.filename || ''));
    if (protectable) {
      const body = (msg.text || msg.htmlText || '').slice(0, 50_000);
      const pm = PASSWORD_GIVEN.exec(body);
      if (pm) add('ATTACH_PASSWORD_IN_BODY', null, `The text gives the password of an attachment ("${pm[0].slice(0, 60)}") for ${protectable.filename.slice(0, 80)}: an encrypted file hides its content from scanners.`, [protectable.filename.slice(0, 120)]);
    }
    const budget = { left: MESSAGE_ARCHIVE_BUDGET };
    for (let i = 0; i < files.length && i < 3000; i++) {
      const f = files[i];
      try { inspectFile(f, files, add, budget); } catch (e) { /* hostile content: skip this file, keep the rest */ void e; }
    }
    return [...hits.values()];
  },
};

/** Bytes all archive attachments of one message may expand to, together. */
export const MESSAGE_ARCHIVE_BUDGET = 128 * 1024 * 1024;

type Adder = (symbol: string, f: FileItem | null, reason: string, extra?: string[], score?: number) => void;

function inspectFile(f: FileItem, queue: FileItem[], add: Adder, budget: { left: number }): void {
  // names are attacker-controlled: keep the end (where the extension is) and bound the length before any regex
  const name = (f.name.length > 1000 ? f.name.slice(-1000) : f.name).normalize('NFC');
  const ext = extOf(name);
  const content = f.content;
  const kind: Sniffed = content && content.length ? sniff(content) : 'unknown';
  const w = where(f);
  // names
  if (BIDI_NAME.test(name)) {
    const shown = name.replace(/[\u202a-\u202e\u2066-\u2069\u200e\u200f]/g, '');
    add('ATTACH_RTLO_NAME', f, `Attachment name ${JSON.stringify(shown)} contains a right-to-left override that disguises its real extension .${ext}.`);
  }
  if (INVISIBLE_NAME.test(name)) {
    add('ATTACH_NAME_INVISIBLE', f, `Attachment name ${JSON.stringify(name.replace(INVISIBLE_NAME_ALL, '').slice(0, 100))} contains invisible characters (zero-width or joiner), written to defeat name and hash blocklists.`);
  }
  const dm = DECOY.exec(name);
  if (dm) {
    const real = dm[3].toLowerCase();
    if (EXECUTABLE.has(real) || SCRIPT.has(real) || SHORTCUT.has(real) || DISK.has(real) || HTML.has(real) || ONENOTE.has(real)) {
      add('ATTACH_DOUBLE_EXTENSION', f, `Attachment ${w} poses as a .${dm[1].toLowerCase()} file but is really .${real}.`);
    }
  } else if (/\s{5,}\.[a-z0-9]{2,5}$/i.test(name)) {
    add('ATTACH_DOUBLE_EXTENSION', f, `Attachment ${w} hides its extension after a run of spaces.`);
  }
  // types by name or content
  if (EXECUTABLE.has(ext) && ext !== 'bin' || kind === 'pe' || kind === 'elf' || kind === 'macho') {
    const byContent = kind === 'pe' ? ' (Windows executable content)' : kind === 'elf' ? ' (ELF executable content)' : '';
    if (!(ext === 'jar' || ext === 'apk') || kind === 'zip' || kind === 'unknown') add('ATTACH_EXECUTABLE', f, `Attachment ${w} is an executable program${byContent}.`);
  }
  if (SCRIPT.has(ext)) add('ATTACH_SCRIPT', f, `Attachment ${w} is a script (.${ext}) that runs when opened.`);
  if (SHORTCUT.has(ext) || kind === 'lnk') {
    // an Internet shortcut to a web page is a lure; one to a file share, a local program or with a remote icon runs code
    const body = content && kind !== 'lnk' ? latin1(content, 0, Math.min(content.length, 64 * 1024)) : '';
    const target = /^\s*URL\s*=\s*(\S+)/im.exec(body)?.[1] ?? '';
    const web = (ext === 'url' || ext === 'website' || ext === 'webloc') && /^https?:\/\//i.test(target) && !/^\s*IconFile\s*=\s*(\\\\|file:|smb:|https?:)/im.test(body);
    if (web) add('ATTACH_WEB_SHORTCUT', f, `Attachment ${w} is an Internet shortcut to ${short(target, 100)}.`, [target]);
    else add('ATTACH_SHORTCUT', f, `Attachment ${w} is a shortcut file (.${ext || 'lnk'})${target ? ` to ${short(target, 80)}` : ''} that can launch commands or fetch remote files.`);
  }
  if (DISK.has(ext) || kind === 'iso' || kind === 'vhd' || kind === 'vhdx' || kind === 'dmg') add('ATTACH_DISK_IMAGE', f, `Attachment ${w} is a disk image (${kind !== 'unknown' && kind !== 'text' ? kind : ext}), used to smuggle files past mark-of-the-web.`);
  if (ONENOTE.has(ext) || kind === 'onenote') add('ATTACH_ONENOTE', f, `Attachment ${w} is a OneNote file, a common carrier of embedded scripts.`);
  // extension vs content
  if (content && content.length >= 4) mismatch(f, ext, kind, w, add);
  if (!content || !content.length) return;
  // HTML / SVG
  const declaredHtml = HTML.has(ext) || f.mime === 'text/html' || f.mime === 'image/svg+xml';
  if (declaredHtml || kind === 'html' || kind === 'svg') htmlAttachment(f, ext, kind, w, add);
  // Office
  if (kind === 'ole' && ext !== 'msg') {
    const r = inspectOle(content);
    if (r.vba) officeMacro(f, w, r.autoExec, r.suspicious, r.modules, add);
    if (r.xlm) add('ATTACH_OFFICE_MACRO', f, `Attachment ${w} holds Excel 4.0 (XLM) macro sheets.`);
    if (r.objects.length) add('ATTACH_OLE_OBJECT', f, `Attachment ${w} embeds ${r.objects[0]}${r.objects.length > 1 ? ` and ${r.objects.length - 1} more` : ''}.`);
    if (r.encrypted) add('ATTACH_ENCRYPTED_DOCUMENT', f, `Attachment ${w} is a password-protected Office document that scanners cannot read.`);
  }
  if (kind === 'zip' && (OFFICE_OOXML.has(ext) || latin1(content, 0, Math.min(content.length, 4096)).includes('[Content_Types].xml'))) {
    const r = inspectOoxml(content);
    if (r.vba) {
      if (r.vba.vba) officeMacro(f, w, r.vba.autoExec, r.vba.suspicious, r.vba.modules, add);
      if (r.vba.xlm) add('ATTACH_OFFICE_MACRO', f, `Attachment ${w} holds Excel 4.0 (XLM) macro sheets.`);
    }
    if (r.remoteTemplates.length) add('ATTACH_REMOTE_TEMPLATE', f, `Attachment ${w} loads a remote template or frame: ${short(r.remoteTemplates[0], 120)}.`, r.remoteTemplates.slice(0, 5).map((x) => x.split(' → ')[1] ?? x));
    if (r.externalObjects.length) add('ATTACH_REMOTE_TEMPLATE', f, `Attachment ${w} links an external object: ${short(r.externalObjects[0], 120)}.`, [], 5);
    if (r.embedded.length) add('ATTACH_OLE_OBJECT', f, `Attachment ${w} embeds ${r.embedded.length} object(s) (${short(r.embedded[0], 60)}).`);
    if (r.dde.length) add('ATTACH_DDE', f, `Attachment ${w} contains a DDE field that runs a command: ${short(r.dde[0], 80)}.`);
    if (r.isOoxml) return;
  }
  if (kind === 'rtf') {
    const s = latin1(content, 0, Math.min(content.length, 4 * 1024 * 1024));
    if (/\\objdata|\\objupdate|\\objemb|\\objlink/i.test(s)) add('ATTACH_OLE_OBJECT', f, `RTF attachment ${w} embeds an OLE object${/\\objupdate/i.test(s) ? ' that updates itself on opening' : ''}.`, [], /\\objupdate/i.test(s) ? 5 : 3);
    if (/\bDDEAUTO\b/i.test(s)) add('ATTACH_DDE', f, `RTF attachment ${w} contains a DDEAUTO field.`);
  }
  if (kind === 'pdf') pdfAttachment(f, w, add);
  // archives
  if (kind === 'zip' || kind === 'gzip' || kind === 'tar' || kind === 'rar' || kind === '7z' || kind === 'cab' || kind === 'xz' || kind === 'bzip2') {
    if (f.member) return; // inspectArchive already walked nested archives
    if (budget.left <= 0) { add('ATTACH_ARCHIVE_OPAQUE', f, `Archive ${w} was not opened: the message's decompression budget is spent.`); return; }
    const rep = inspectArchive(name || 'archive', content, { ...ARCHIVE_LIMITS, maxTotal: Math.min(ARCHIVE_LIMITS.maxTotal, budget.left) });
    for (const m of rep.members) budget.left -= m.content?.length ?? 0;
    for (const e of rep.encrypted) add('ATTACH_ENCRYPTED_ARCHIVE', f, `Archive "${e}" is password-protected (${rep.members.filter((m) => m.encrypted).slice(0, 3).map((m) => m.name).join(', ')}), hiding its content from scanners.`);
    for (const b of rep.bombs) add('ATTACH_ARCHIVE_BOMB', f, `Archive member "${b}" expands far beyond its compressed size (decompression bomb).`);
    for (const o of rep.opaque) add('ATTACH_ARCHIVE_OPAQUE', f, `Archive "${o.name}" is a ${o.type} archive whose members Vigie cannot list.`);
    const tarNames: string[] = [];
    for (const m of rep.members) {
      if (m.kind === 'tar' && shellName(m.name)) tarNames.push(m.name);
      queue.push(memberItem(m));
    }
    if (tarNames.length) add('ATTACH_TAR_SHELL_NAME', f, `Tar archive ${w} has member names carrying shell syntax (${tarNames.slice(0, 2).map((n) => JSON.stringify(short(n, 60))).join(', ')}), as in the Barracuda ESG exploit (CVE-2023-2868).`, tarNames.slice(0, 5));
    return;
  }
  if (kind === 'iso' || kind === 'vhd' || kind === 'vhdx') return;
}

function memberItem(m: ArchiveMember): FileItem {
  return { name: m.name, container: m.container, content: m.content, size: m.size, encrypted: m.encrypted, tarType: m.tarType, member: true };
}

/** Shell metacharacters in a tar member name (command substitution, separators, pipes, quotes breaking out). */
export function shellName(name: string): boolean {
  if (/[`;|&\n\r]|\$\(|\$\{/.test(name)) return true;
  const base = name.split('/').pop() ?? name;
  return /^['"]/.test(base) || /['"]$/.test(base);
}

function mismatch(f: FileItem, ext: string, kind: Sniffed, w: string, add: Adder): void {
  if (!ext) return;
  const docLike = new Set(['pdf', 'jpg', 'jpeg', 'png', 'gif', 'bmp', 'txt', 'csv', 'doc', 'xls', 'ppt', 'docx', 'xlsx', 'pptx', 'rtf', 'mp3', 'mp4', 'wav']);
  if (!docLike.has(ext)) return;
  const bad: Sniffed[] = ['pe', 'elf', 'macho', 'lnk', 'onenote', 'iso', 'vhd', 'vhdx', 'rar', '7z', 'cab', 'html', 'svg'];
  let wrong = bad.includes(kind);
  if (kind === 'zip' && !['docx', 'xlsx', 'pptx'].includes(ext)) wrong = true;
  if (kind === 'html' && ['txt', 'csv'].includes(ext)) wrong = false;
  if (wrong) add('ATTACH_EXT_MISMATCH', f, `Attachment ${w} is named .${ext} but its content is ${kind}.`);
}

function officeMacro(f: FileItem, w: string, autoExec: string[], suspicious: string[], modules: string[], add: Adder): void {
  if (autoExec.length) add('ATTACH_OFFICE_AUTOEXEC', f, `Office attachment ${w} has VBA macros that run on opening (${autoExec.slice(0, 3).join(', ')})${suspicious.length ? ` and call ${suspicious.slice(0, 3).join(', ')}` : ''}.`, [], suspicious.length ? 8 : 7);
  else add('ATTACH_OFFICE_MACRO', f, `Office attachment ${w} contains VBA macros${modules.length ? ` (modules ${modules.slice(0, 3).join(', ')})` : ''}${suspicious.length ? ` calling ${suspicious.slice(0, 3).join(', ')}` : ''}.`, [], suspicious.length ? 5 : 4);
}

function htmlAttachment(f: FileItem, ext: string, kind: Sniffed, w: string, add: Adder): void {
  const content = f.content!;
  const s = latin1(content, 0, Math.min(content.length, 3 * 1024 * 1024));
  const feats = htmlFeatures(s);
  const lower = (feats.scriptText + '\n' + s.slice(0, 300_000)).toLowerCase();
  const isSvg = kind === 'svg' || ext === 'svg';
  const smug = SMUGGLING.filter((k) => lower.includes(k));
  const blobish = smug.some((k) => k === 'new blob' || k === 'mssaveoropenblob' || k === 'createobjecturl' || k === 'window.navigator.mssaveblob');
  const decodes = smug.some((k) => k === 'atob(' || k === 'fromcharcode' || k === 'unescape(' || k === 'uint8array');
  let flagged = false;
  if (blobish && decodes) {
    add('ATTACH_HTML_SMUGGLING', f, `HTML attachment ${w} builds a file in the browser (${smug.slice(0, 4).join(', ')}): HTML smuggling.`);
    flagged = true;
  }
  if (isSvg && (feats.scripts > 0 || /<script|javascript:|onload\s*=|onerror\s*=|<foreignobject/i.test(s.slice(0, 500_000)))) {
    add('ATTACH_SVG_SCRIPT', f, `SVG attachment ${w} carries script or embedded HTML.`);
    flagged = true;
  }
  const exfil = EXFIL.filter((k) => lower.includes(k));
  if (feats.passwordInputs > 0 || (feats.forms.length && /password|passwd|senha|contrase|mot de passe|kennwort/.test(lower))) {
    const action = feats.forms.map((x) => parseUrl(x.action)).find((u) => u && u.host);
    add('ATTACH_HTML_FORM', f, `HTML attachment ${w} is a login form asking for a password${action ? ` posted to ${action.host}` : exfil.length ? ` sent out by script (${exfil[0]})` : ''}.`, action ? [action.host] : []);
    flagged = true;
  } else if (exfil.includes('api.telegram.org') || exfil.includes('discord.com/api/webhooks')) {
    add('ATTACH_HTML_FORM', f, `HTML attachment ${w} sends data to ${exfil.includes('api.telegram.org') ? 'a Telegram bot' : 'a Discord webhook'}.`);
    flagged = true;
  }
  // redirects: meta refresh or script navigation to a web address
  const redirect = feats.metaRefresh !== null && /url\s*=/i.test(feats.metaRefresh)
    || /(window\.|document\.|self\.|top\.)?location(\.href)?\s*=\s*["'`]https?:|location\.(replace|assign)\(\s*["'`]https?:|window\.open\(\s*["'`]https?:/i.test(lower.slice(0, 500_000));
  if (redirect) {
    const m = /https?:\/\/[^\s"'`<>)]{1,200}/i.exec(feats.metaRefresh ?? '') ?? /(?:location(?:\.href)?\s*=\s*|location\.(?:replace|assign)\(\s*|window\.open\(\s*)["'`](https?:\/\/[^"'`\s]{1,200})/i.exec(lower.slice(0, 500_000));
    const target = m ? (m[1] ?? m[0]) : '';
    add('ATTACH_HTML_REDIRECT', f, `HTML attachment ${w} sends the browser on to ${target ? parseUrl(target)?.host ?? target : 'another page'} as soon as it is opened.`, target ? [target] : []);
    flagged = true;
  }
  if (!flagged) add('ATTACH_HTML', f, `Attachment ${w} is a web page (${isSvg ? 'SVG' : 'HTML'}) that opens in a browser, outside the mail client's protection.`);
}

function pdfAttachment(f: FileItem, w: string, add: Adder): void {
  const r = inspectPdf(f.content!);
  if (r.javascript) add('ATTACH_PDF_JAVASCRIPT', f, `PDF attachment ${w} contains JavaScript${r.openAction ? ' run automatically on opening' : ''}.`, [], r.openAction ? 5 : 4);
  if (r.launch) add('ATTACH_PDF_LAUNCH', f, `PDF attachment ${w} has a Launch action that starts a program.`);
  if (r.embeddedFiles) add('ATTACH_PDF_EMBEDDED_FILE', f, `PDF attachment ${w} carries embedded files.`);
  const bad: string[] = [];
  for (const u of r.uris.slice(0, 50)) {
    const found = judgeLink({ href: u, text: '', source: 'attachment' }).filter((x) => x.symbol !== 'LINK_FILE_SHARING');
    if (found.length) bad.push(`${short(u, 80)} (${found.map((x) => x.symbol).join(', ')})`);
  }
  if (bad.length) add('ATTACH_PDF_LINK', f, `PDF attachment ${w} links to suspicious addresses: ${bad.slice(0, 2).join('; ')}.`, r.uris.slice(0, 5));
}
