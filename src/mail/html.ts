/**
 * A small, linear-time HTML scanner: turns an HTML body into plain text and lists the links it holds (a/area href,
 * form action, img/iframe/script/embed/frame src, background attributes, meta refresh). It never builds a DOM and
 * never uses a regular expression that could backtrack: attacker HTML is read once, left to right, with caps on
 * how much is kept.
 */
import type { Link } from './types.js';

const ENTITIES: Record<string, string> = Object.assign(Object.create(null) as Record<string, string>, {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', copy: '©', reg: '®', trade: '™',
  hellip: '…', mdash: '—', ndash: '–', lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', bull: '•', middot: '·',
  euro: '€', pound: '£', yen: '¥', cent: '¢', laquo: '«', raquo: '»', zwnj: '\u200c', zwj: '\u200d',
  lrm: '\u200e', rlm: '\u200f', shy: '\u00ad', thinsp: '\u2009', ensp: '\u2002', emsp: '\u2003',
  agrave: 'à', aacute: 'á', acirc: 'â', atilde: 'ã', auml: 'ä', ccedil: 'ç', egrave: 'è', eacute: 'é',
  ecirc: 'ê', euml: 'ë', igrave: 'ì', iacute: 'í', icirc: 'î', iuml: 'ï', ntilde: 'ñ', ograve: 'ò', oacute: 'ó',
  ocirc: 'ô', otilde: 'õ', ouml: 'ö', ugrave: 'ù', uacute: 'ú', ucirc: 'û', uuml: 'ü', szlig: 'ß',
  Agrave: 'À', Aacute: 'Á', Acirc: 'Â', Atilde: 'Ã', Auml: 'Ä', Ccedil: 'Ç', Egrave: 'È', Eacute: 'É',
  Ecirc: 'Ê', Iacute: 'Í', Ntilde: 'Ñ', Oacute: 'Ó', Ocirc: 'Ô', Otilde: 'Õ', Ouml: 'Ö', Uacute: 'Ú', Uuml: 'Ü',
  iexcl: '¡', iquest: '¿', ordf: 'ª', ordm: 'º', deg: '°',
});

/** Decode HTML character references (named subset, decimal, hex). Unknown references stay as written. */
export function decodeEntities(s: string): string {
  if (s.indexOf('&') < 0) return s;
  let out = '';
  let i = 0;
  while (i < s.length) {
    const amp = s.indexOf('&', i);
    if (amp < 0) { out += s.slice(i); break; }
    out += s.slice(i, amp);
    let j = amp + 1;
    // scan at most 32 characters for the reference
    const lim = Math.min(s.length, amp + 34);
    if (s[j] === '#') {
      j++;
      let hex = false;
      if (s[j] === 'x' || s[j] === 'X') { hex = true; j++; }
      const st = j;
      while (j < lim && (hex ? /[0-9a-fA-F]/.test(s[j]) : s[j] >= '0' && s[j] <= '9')) j++;
      if (j > st) {
        let cp = parseInt(s.slice(st, j), hex ? 16 : 10);
        if (!(cp >= 0 && cp <= 0x10ffff) || (cp >= 0xd800 && cp <= 0xdfff)) cp = 0xfffd;
        out += String.fromCodePoint(cp);
        if (s[j] === ';') j++;
        i = j;
        continue;
      }
      out += '&';
      i = amp + 1;
      continue;
    }
    const st = j;
    while (j < lim && /[A-Za-z0-9]/.test(s[j])) j++;
    const name = s.slice(st, j);
    const val = ENTITIES[name] ?? ENTITIES[name.toLowerCase()];
    if (val !== undefined && name.length > 0) {
      out += val;
      if (s[j] === ';') j++;
      i = j;
    } else {
      out += '&';
      i = amp + 1;
    }
  }
  return out;
}

const BLOCK = new Set([
  'p', 'div', 'br', 'tr', 'li', 'ul', 'ol', 'table', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'hr',
  'section', 'article', 'header', 'footer', 'center', 'form', 'title', 'pre', 'dd', 'dt', 'address',
]);
const SKIP_CONTENT = new Set(['script', 'style', 'noscript', 'template', 'svg', 'xml']);
const URL_ATTRS: Record<string, Array<[string, Link['source']]>> = Object.assign(Object.create(null) as Record<string, Array<[string, Link['source']]>>, {
  a: [['href', 'html-href']],
  area: [['href', 'html-href']],
  form: [['action', 'html-form']],
  button: [['formaction', 'html-form']],
  input: [['formaction', 'html-form'], ['src', 'html-src']],
  img: [['src', 'html-src']],
  iframe: [['src', 'html-src']],
  frame: [['src', 'html-src']],
  embed: [['src', 'html-src']],
  script: [['src', 'html-src']],
  object: [['data', 'html-src']],
  video: [['src', 'html-src'], ['poster', 'html-src']],
  audio: [['src', 'html-src']],
  source: [['src', 'html-src']],
  link: [['href', 'html-src']],
  base: [['href', 'html-href']],
});

function isNameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 58 || c === 95 || c === 45;
}

function hasBackground(attrs: string): boolean {
  return attrs.length > 10 && (attrs.includes('ackground') || attrs.includes('ACKGROUND'));
}

export interface HtmlScan {
  text: string;
  links: Link[];
  /** tag names seen, lower-cased, with counts (forms, iframes, scripts… for checks that want them) */
  tags: Map<string, number>;
}

export interface HtmlScanLimits {
  maxLinks: number;
  maxText: number;
  maxUrl: number;
}

const DEFAULT_LIMITS: HtmlScanLimits = { maxLinks: 2000, maxText: 2_000_000, maxUrl: 4096 };

function parseAttrs(tag: string): Map<string, string> {
  // tag = inside of <...> without the tag name
  const attrs = new Map<string, string>();
  let i = 0;
  const n = tag.length;
  let count = 0;
  while (i < n && count < 200) {
    while (i < n && (tag[i] === ' ' || tag[i] === '\t' || tag[i] === '\n' || tag[i] === '\r' || tag[i] === '/' || tag[i] === '\f')) i++;
    if (i >= n) break;
    const st = i;
    while (i < n && tag[i] !== '=' && tag[i] !== ' ' && tag[i] !== '\t' && tag[i] !== '\n' && tag[i] !== '\r' && tag[i] !== '/' && tag[i] !== '>') i++;
    const name = tag.slice(st, i).toLowerCase();
    if (i === st) { i++; continue; }
    while (i < n && (tag[i] === ' ' || tag[i] === '\t' || tag[i] === '\n' || tag[i] === '\r')) i++;
    let value = '';
    if (tag[i] === '=') {
      i++;
      while (i < n && (tag[i] === ' ' || tag[i] === '\t' || tag[i] === '\n' || tag[i] === '\r')) i++;
      const q = tag[i];
      if (q === '"' || q === "'") {
        const end = tag.indexOf(q, i + 1);
        const e = end < 0 ? n : end;
        value = tag.slice(i + 1, e);
        i = e + 1;
      } else {
        const vs = i;
        while (i < n && tag[i] !== ' ' && tag[i] !== '\t' && tag[i] !== '\n' && tag[i] !== '\r' && tag[i] !== '>') i++;
        value = tag.slice(vs, i);
      }
    }
    if (!attrs.has(name)) attrs.set(name, value);
    count++;
  }
  return attrs;
}

function cleanUrl(u: string, max: number): string {
  let s = decodeEntities(u).trim();
  // browsers drop tabs and newlines inside URLs
  if (/[\t\n\r]/.test(s)) s = s.replace(/[\t\n\r]/g, '');
  return s.length > max ? s.slice(0, max) : s;
}

/** JavaScript's \s (WhiteSpace and LineTerminator), as a table */
const JS_SPACE = new Uint8Array(65536);
for (const c of [9, 10, 11, 12, 13, 32, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff]) JS_SPACE[c] = 1;
for (let c = 0x2000; c <= 0x200a; c++) JS_SPACE[c] = 1;

/**
 * One pass with the result of two regex replacements and a trim: runs of space, tab and no-break space become one
 * space; such a run before a line feed is dropped, and all white space (JavaScript's \s) after a line feed too.
 */
export function squeezeSpace(s: string): string {
  let out = '';
  let i = 0;
  let seg = 0;
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 9 || c === 0xa0) {
      let j = i + 1;
      while (j < n) { const d = s.charCodeAt(j); if (d === 32 || d === 9 || d === 0xa0) j++; else break; }
      if (j < n && s.charCodeAt(j) === 10) { out += s.slice(seg, i); seg = j; i = j; continue; }
      if (j !== i + 1 || c !== 32) { out += s.slice(seg, i) + ' '; seg = j; }
      i = j;
      continue;
    }
    if (c === 10) {
      let j = i + 1;
      while (j < n && JS_SPACE[s.charCodeAt(j)] === 1) j++;
      if (j !== i + 1) { out += s.slice(seg, i + 1); seg = j; }
      i = j;
      continue;
    }
    i++;
  }
  return (seg === 0 ? s : out + s.slice(seg)).trim();
}

/** Scan HTML once: visible text (block tags become line breaks, script/style dropped) and links. */
export function scanHtml(html: string, limits: Partial<HtmlScanLimits> = {}): HtmlScan {
  const lim = { ...DEFAULT_LIMITS, ...limits };
  const links: Link[] = [];
  const tags = new Map<string, number>();
  const parts: string[] = [];
  let textLen = 0;
  let lower: string | undefined;
  let openAnchor: { link: Link; textStart: number } | null = null;
  const anchorText: string[] = [];
  let anchorLen = 0;
  let i = 0;
  const n = html.length;
  const pushText = (t: string): void => {
    if (!t || textLen >= lim.maxText) return;
    parts.push(t);
    textLen += t.length;
    if (openAnchor && anchorLen < 1000) { anchorText.push(t); anchorLen += t.length; }
  };
  const addLink = (href: string, source: Link['source']): Link | null => {
    if (links.length >= lim.maxLinks) return null;
    const h = cleanUrl(href, lim.maxUrl);
    if (!h) return null;
    const l: Link = { href: h, text: '', source };
    links.push(l);
    return l;
  };
  while (i < n) {
    const lt = html.indexOf('<', i);
    if (lt < 0) {
      pushText(decodeEntities(html.slice(i)));
      break;
    }
    if (lt > i) pushText(decodeEntities(html.slice(i, lt)));
    // comments
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      i = end < 0 ? n : end + 3;
      continue;
    }
    const gt = html.indexOf('>', lt + 1);
    if (gt < 0) {
      // unterminated tag: treat the rest as text
      pushText(html.slice(lt));
      break;
    }
    const inner = html.slice(lt + 1, gt);
    i = gt + 1;
    let p = 0;
    let closing = false;
    if (inner[0] === '/') { closing = true; p = 1; }
    const ns = p;
    while (p < inner.length && isNameChar(inner.charCodeAt(p))) p++;
    const name = inner.slice(ns, p).toLowerCase();
    if (!name) {
      // "<!DOCTYPE", "<?xml" or a stray "<" in text
      if (inner[0] !== '!' && inner[0] !== '?') {
        // a stray "<" in text: keep it and go on right after it
        pushText('<');
        i = lt + 1;
      }
      continue;
    }
    tags.set(name, (tags.get(name) ?? 0) + 1);
    if (closing) {
      if (name === 'a' && openAnchor) {
        openAnchor.link.text = anchorText.join('').replace(/\s+/g, ' ').trim().slice(0, 500);
        openAnchor = null;
        anchorText.length = 0; anchorLen = 0;
      }
      if (BLOCK.has(name)) pushText('\n');
      continue;
    }
    const attrText = inner.slice(p);
    const wantAttrs = URL_ATTRS[name] !== undefined || name === 'meta' || hasBackground(attrText);
    const attrs = wantAttrs ? parseAttrs(attrText) : null;
    if (attrs) {
      for (const [attr, source] of URL_ATTRS[name] ?? []) {
        const v = attrs.get(attr);
        if (v === undefined) continue;
        if (name === 'form' && attr === 'action' && !v.trim()) continue;
        const l = addLink(v, source);
        if (l && name === 'a' && attr === 'href') {
          if (openAnchor) { openAnchor.link.text = anchorText.join('').replace(/\s+/g, ' ').trim().slice(0, 500); anchorText.length = 0; anchorLen = 0; }
          openAnchor = { link: l, textStart: textLen };
        }
      }
      const bg = attrs.get('background');
      if (bg) addLink(bg, 'html-src');
      if (name === 'meta' && (attrs.get('http-equiv') ?? '').toLowerCase() === 'refresh') {
        const c = attrs.get('content') ?? '';
        const k = c.toLowerCase().indexOf('url=');
        if (k >= 0) addLink(c.slice(k + 4).replace(/^['"]|['"]$/g, ''), 'html-href');
      }
      if (name === 'img') {
        const alt = attrs.get('alt');
        if (alt && openAnchor) anchorText.push(' ' + decodeEntities(alt) + ' ');
      }
    }
    if (name === 'a' && openAnchor === null && attrs && !attrs.has('href')) {
      // anchor without href: nothing to record
    }
    if (SKIP_CONTENT.has(name) && !inner.endsWith('/')) {
      // jump to the matching end tag (script text may hold "<" and ">")
      lower ??= html.toLowerCase();
      const end = lower.indexOf('</' + name, i);
      i = end < 0 ? n : end;
      continue;
    }
    if (BLOCK.has(name)) pushText('\n');
    else if (name === 'td' || name === 'th') pushText(' ');
  }
  if (openAnchor) openAnchor.link.text = anchorText.join('').replace(/\s+/g, ' ').trim().slice(0, 500);
  const text = squeezeSpace(parts.join(''));
  return { text, links, tags };
}

/** URLs written in plain text: http(s)://… and www.… tokens. */
export function textLinks(text: string, max = 2000, maxUrl = 4096): Link[] {
  const out: Link[] = [];
  const re = /\b(?:https?:\/\/|hxxps?:\/\/|www\.)[^\s<>"'`{}|\\^[\]]+/gi;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null && out.length < max) {
    let u = m[0];
    // trailing punctuation is sentence, not URL
    while (u.length && /[.,;:!?)\]]$/.test(u)) u = u.slice(0, -1);
    if (u.length > maxUrl) u = u.slice(0, maxUrl);
    out.push({ href: u, text: '', source: 'text' });
  }
  return out;
}
