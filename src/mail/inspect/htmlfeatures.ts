/**
 * One left-to-right pass over an HTML document collecting what the HTML and attachment checks need: forms and
 * their inputs, hidden text (display:none, visibility:hidden, zero font size, text colour equal to background),
 * scripts (and HTML-smuggling API names in them), meta refresh, images, visible text length. No DOM, no
 * backtracking regex; bounded input.
 */

export interface HtmlFeatures {
  forms: Array<{ action: string; method: string }>;
  passwordInputs: number;
  inputs: number;
  hiddenChars: number;
  hiddenSample: string;
  scripts: number;
  /** script text (inline), capped */
  scriptText: string;
  metaRefresh: string | null;
  images: number;
  visibleChars: number;
  iframes: number;
  embeds: number;
  /** a style rule or attribute pushing content far off-screen (e.g. "margin-top: 470500px"), or null */
  offscreen: string | null;
}

const OFFSCREEN = /(?:margin(?:-top|-left)?|text-indent|left|top)\s*:\s*-?\d{5,9}(?:\.\d+)?px/i;

const MAX_HTML = 3_000_000;

function isSpace(c: number): boolean { return c === 32 || c === 9 || c === 10 || c === 13 || c === 12; }

function attrMap(s: string): Map<string, string> {
  const m = new Map<string, string>();
  let i = 0;
  const n = s.length;
  let count = 0;
  while (i < n && count < 100) {
    while (i < n && (isSpace(s.charCodeAt(i)) || s[i] === '/')) i++;
    const st = i;
    while (i < n && !isSpace(s.charCodeAt(i)) && s[i] !== '=' && s[i] !== '/' && s[i] !== '>') i++;
    if (i === st) { i++; continue; }
    const name = s.slice(st, i).toLowerCase();
    while (i < n && isSpace(s.charCodeAt(i))) i++;
    let v = '';
    if (s[i] === '=') {
      i++;
      while (i < n && isSpace(s.charCodeAt(i))) i++;
      const q = s[i];
      if (q === '"' || q === "'") {
        const e = s.indexOf(q, i + 1);
        const end = e < 0 ? n : e;
        v = s.slice(i + 1, end);
        i = end + 1;
      } else {
        const vs = i;
        while (i < n && !isSpace(s.charCodeAt(i)) && s[i] !== '>') i++;
        v = s.slice(vs, i);
      }
    }
    if (!m.has(name)) m.set(name, v);
    count++;
  }
  return m;
}

function normColor(c: string): string {
  let t = c.trim().toLowerCase().replace(/\s+/g, '').replace(/!important$/, '');
  if (t === 'white') t = '#ffffff';
  if (t === 'black') t = '#000000';
  if (/^#[0-9a-f]{3}$/.test(t)) t = '#' + t[1] + t[1] + t[2] + t[2] + t[3] + t[3];
  const rgb = /^rgb\((\d+),(\d+),(\d+)\)$/.exec(t);
  if (rgb) t = '#' + [rgb[1], rgb[2], rgb[3]].map((x) => Math.min(255, +x).toString(16).padStart(2, '0')).join('');
  return t;
}

function styleProps(style: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const decl of style.slice(0, 2000).split(';')) {
    const c = decl.indexOf(':');
    if (c < 0) continue;
    m.set(decl.slice(0, c).trim().toLowerCase(), decl.slice(c + 1).trim().toLowerCase());
  }
  return m;
}

/** Does this element hide its content? Returns why, or null. */
export function hidingStyle(attrs: Map<string, string>): string | null {
  if (attrs.has('hidden')) return 'hidden attribute';
  const style = attrs.get('style');
  if (!style) return null;
  const p = styleProps(style);
  const d = p.get('display');
  if (d && d.startsWith('none')) return 'display:none';
  const v = p.get('visibility');
  if (v && v.startsWith('hidden')) return 'visibility:hidden';
  const fs = p.get('font-size');
  if (fs && /^0(\.0+)?(px|pt|em|rem|%)?(\s*!important)?$/.test(fs)) return 'font-size:0';
  const op = p.get('opacity');
  if (op && /^0(\.0+)?(\s*!important)?$/.test(op)) return 'opacity:0';
  const color = p.get('color');
  const bg = p.get('background-color') ?? p.get('background') ?? attrs.get('bgcolor');
  if (color && bg && normColor(color) === normColor(bg) && normColor(color) !== '') return 'text colour equal to background';
  return null;
}

const ZERO_FONT = /font-size\s*:\s*0/;
const FIVE_DIGITS = /\d{5}/;
const EMPTY = new Map<string, string>();
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr']);

export function htmlFeatures(htmlIn: string): HtmlFeatures {
  const html = htmlIn.length > MAX_HTML ? htmlIn.slice(0, MAX_HTML) : htmlIn;
  const f: HtmlFeatures = { forms: [], passwordInputs: 0, inputs: 0, hiddenChars: 0, hiddenSample: '', scripts: 0, scriptText: '', metaRefresh: null, images: 0, visibleChars: 0, iframes: 0, embeds: 0, offscreen: null };
  // stack of hidden elements: [tag name, depth of same-name nesting]
  let hiddenTag: string | null = null;
  let hiddenDepth = 0;
  let skip: string | null = null;
  let skipStart = 0;
  let i = 0;
  const n = html.length;
  const text = (t: string): void => {
    let c = 0;
    for (let k = 0; k < t.length; k++) { const ch = t.charCodeAt(k); if (ch > 32 && ch !== 160) c++; }
    if (!c) return;
    if (t.indexOf('&') >= 0) c = t.replace(/&#?[a-z0-9]{1,8};/gi, 'x').replace(/\s+/g, '').length;
    if (hiddenTag) {
      f.hiddenChars += c;
      if (f.hiddenSample.length < 80) f.hiddenSample += t.replace(/\s+/g, ' ').slice(0, 80 - f.hiddenSample.length);
    } else f.visibleChars += c;
  };
  while (i < n) {
    const lt = html.indexOf('<', i);
    if (lt < 0) { if (!skip) text(html.slice(i)); break; }
    if (lt > i && !skip) text(html.slice(i, lt));
    if (html.startsWith('<!--', lt)) {
      const e = html.indexOf('-->', lt + 4);
      i = e < 0 ? n : e + 3;
      continue;
    }
    const gt = html.indexOf('>', lt + 1);
    if (gt < 0) break;
    const inner = html.slice(lt + 1, gt);
    i = gt + 1;
    let p = 0;
    const closing = inner[0] === '/';
    if (closing) p = 1;
    const ns = p;
    while (p < inner.length) { const c = inner.charCodeAt(p) | 32; if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) p++; else break; }
    const name = inner.slice(ns, p).toLowerCase();
    if (!name) continue;
    if (skip) {
      if (closing && name === skip) {
        if (skip === 'script' && f.scriptText.length < 200_000) f.scriptText += html.slice(skipStart, lt).slice(0, 200_000 - f.scriptText.length) + '\n';
        if (skip === 'style' && !f.offscreen && lt - skipStart < 500_000) { const m = OFFSCREEN.exec(html.slice(skipStart, lt)); if (m) f.offscreen = m[0]; }
        skip = null;
      }
      continue;
    }
    if (closing) {
      if (hiddenTag === name) { hiddenDepth--; if (hiddenDepth <= 0) { hiddenTag = null; hiddenDepth = 0; } }
      continue;
    }
    if (hiddenTag === name && !VOID.has(name) && !inner.endsWith('/')) hiddenDepth++;
    const rest = inner.slice(p);
    // full attribute parsing only where it can matter: forms, inputs, meta, and styles that may hide or push away text
    let needAttrs = rest.length > 0 && (name === 'form' || name === 'input' || name === 'meta');
    if (!needAttrs && rest.length > 5) {
      const lr = rest.toLowerCase();
      if (lr.includes('hidden') || (lr.includes('style') && (lr.includes('none') || lr.includes('opacity') || ZERO_FONT.test(lr)
        || (lr.includes('color') && (lr.includes('background') || lr.includes('bgcolor'))) || FIVE_DIGITS.test(lr)))) needAttrs = true;
    }
    const attrs = needAttrs ? attrMap(rest) : EMPTY;
    switch (name) {
      case 'form': if (f.forms.length < 50) f.forms.push({ action: (attrs.get('action') ?? '').trim(), method: (attrs.get('method') ?? 'get').toLowerCase() }); break;
      case 'input': {
        f.inputs++;
        const t = (attrs.get('type') ?? '').toLowerCase();
        if (t === 'password') f.passwordInputs++;
        break;
      }
      case 'img': f.images++; break;
      case 'iframe': case 'frame': f.iframes++; break;
      case 'embed': case 'object': f.embeds++; break;
      case 'meta': if ((attrs.get('http-equiv') ?? '').toLowerCase() === 'refresh') f.metaRefresh = (attrs.get('content') ?? '').slice(0, 300); break;
      case 'script': f.scripts++; break;
    }
    if (name === 'script' || name === 'style' || name === 'title' || name === 'textarea' || name === 'noscript') {
      if (!inner.endsWith('/')) { skip = name; skipStart = i; }
      continue;
    }
    if (!f.offscreen && needAttrs) { const st = attrs.get('style'); if (st) { const m = OFFSCREEN.exec(st); if (m) f.offscreen = m[0]; } }
    if (!hiddenTag && needAttrs && !VOID.has(name) && !inner.endsWith('/')) {
      const why = hidingStyle(attrs);
      if (why) { hiddenTag = name; hiddenDepth = 1; }
    }
  }
  if (skip === 'script' && f.scriptText.length < 200_000) f.scriptText += html.slice(skipStart, Math.min(n, skipStart + 200_000));
  return f;
}
