/**
 * HTML body check: forms (password fields, posting to another site), hidden text, invisible and bidirectional
 * control characters, image-only bodies, meta refresh and scripts in the message body.
 */
import type { Check, MessageView, SymbolHit } from '../types.js';
import { htmlFeatures } from '../inspect/htmlfeatures.js';
import { BIDI } from '../inspect/text.js';
import { parseUrl } from '../inspect/url.js';

export const HTML_SCORES = {
  HTML_FORM: 1, HTML_FORM_PASSWORD: 6, HTML_HIDDEN_TEXT: 5, ZERO_WIDTH_CHARS: 2, BIDI_CONTROL_CHARS: 3,
  HTML_IMAGE_ONLY: 2, HTML_META_REFRESH: 3, HTML_SCRIPT: 1,
} as const;

/** ZERO_WIDTH_CHARS when ≥3 of them split words of the display name or subject */
export const ZW_HEADER_SCORE = 4;

/** zero-width characters between two letters: words split to defeat filters */
const ANY_ZW = /[\u200b-\u200d\u2060-\u2064\ufeff\u00ad]/;

export function zeroWidthInWords(s: string, max = 1000): number {
  if (!ANY_ZW.test(s.length > 500_000 ? s.slice(0, 500_000) : s)) return 0;
  let n = 0;
  const lim = Math.min(s.length, 500_000);
  for (let i = 1; i < lim - 1; i++) {
    const c = s.charCodeAt(i);
    if (c !== 0x200b && c !== 0x200c && c !== 0x200d && c !== 0x2060 && c !== 0xfeff && c !== 0x00ad && c !== 0x2061 && c !== 0x2062 && c !== 0x2063) continue;
    let a = i - 1;
    while (a > 0 && isZw(s.charCodeAt(a))) a--;
    let b = i + 1;
    while (b < lim - 1 && isZw(s.charCodeAt(b))) b++;
    if (isLetter(s.charCodeAt(a)) && isLetter(s.charCodeAt(b))) { n++; if (n >= max) break; }
    i = b - 1;
  }
  return n;
}
function isZw(c: number): boolean { return c === 0x200b || c === 0x200c || c === 0x2060 || c === 0xfeff || c === 0x00ad || (c >= 0x2061 && c <= 0x2063) || c === 0x200d; }
function isLetter(c: number): boolean { return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 0xc0 && c <= 0x24f) || (c >= 0x370 && c <= 0x4ff); }

export const htmlCheck: Check = {
  name: 'html',
  run(msg: MessageView): SymbolHit[] {
    const out: SymbolHit[] = [];
    // invisible characters matter in text bodies, subjects and display names too
    const zwHead = zeroWidthInWords(msg.subject) + zeroWidthInWords(msg.from.name);
    const zwText = zwHead + zeroWidthInWords(msg.text) + (msg.html ? zeroWidthInWords(msg.html) : 0);
    // in the sender's name or the subject there is no layout excuse (emoji joiners are not counted): scored higher
    if (zwText >= 3) out.push({ symbol: 'ZERO_WIDTH_CHARS', score: zwHead >= 3 ? ZW_HEADER_SCORE : HTML_SCORES.ZERO_WIDTH_CHARS, kind: 'phishing', reason: `${zwText} zero-width characters split words of the message${zwHead >= 3 ? ` (${zwHead} in the display name or subject)` : ''}, a trick to defeat word filters.` });
    BIDI.lastIndex = 0;
    const bidiWhere = [['subject', msg.subject], ['display name', msg.from.name], ['body', msg.text.slice(0, 500_000)], ['html', msg.html.slice(0, 500_000)]]
      .filter(([, s]) => { BIDI.lastIndex = 0; return BIDI.test(s); }).map(([w]) => w);
    BIDI.lastIndex = 0;
    if (bidiWhere.length) out.push({ symbol: 'BIDI_CONTROL_CHARS', score: HTML_SCORES.BIDI_CONTROL_CHARS, kind: 'phishing', reason: `Bidirectional control characters reorder the text shown in the ${[...new Set(bidiWhere)].join(', ')}.` });
    if (!msg.html) return out;
    const f = htmlFeatures(msg.html);
    if (f.forms.length) {
      const ext = f.forms.map((x) => parseUrl(x.action)).filter((u) => u && u.host).map((u) => u!.host);
      const where = ext.length ? ` that posts to ${ext[0]}` : '';
      if (f.passwordInputs) out.push({ symbol: 'HTML_FORM_PASSWORD', score: HTML_SCORES.HTML_FORM_PASSWORD, kind: 'phishing', reason: `The message body holds a form with a password field${where}.`, evidence: ext.slice(0, 5) });
      else out.push({ symbol: 'HTML_FORM', score: HTML_SCORES.HTML_FORM, kind: 'phishing', reason: `The message body holds a form with ${f.inputs} input field(s)${where}.`, evidence: ext.slice(0, 5) });
    }
    if (f.offscreen) {
      out.push({ symbol: 'HTML_HIDDEN_TEXT', score: HTML_SCORES.HTML_HIDDEN_TEXT, kind: 'spam', reason: `The HTML pushes content far off-screen (${f.offscreen}), hiding text from the reader but not from filters.` });
    } else if (f.hiddenChars >= 200 && f.hiddenChars > f.visibleChars * 0.3) {
      out.push({ symbol: 'HTML_HIDDEN_TEXT', score: f.hiddenChars >= 1000 ? HTML_SCORES.HTML_HIDDEN_TEXT + 1 : HTML_SCORES.HTML_HIDDEN_TEXT, kind: 'spam', reason: `${f.hiddenChars} characters of text are hidden from the reader (e.g. "${f.hiddenSample.trim().slice(0, 50)}"), a trick to mislead filters.` });
    }
    if (f.images >= 1 && f.visibleChars < 30 && (msg.text.replace(/\s+/g, '').length < 60)) {
      out.push({ symbol: 'HTML_IMAGE_ONLY', score: HTML_SCORES.HTML_IMAGE_ONLY, kind: 'spam', reason: `The body is ${f.images} image(s) with almost no text (${f.visibleChars} characters), hiding its words from filters.` });
    }
    if (f.metaRefresh !== null) {
      out.push({ symbol: 'HTML_META_REFRESH', score: HTML_SCORES.HTML_META_REFRESH, kind: 'phishing', reason: `The HTML body redirects by itself (meta refresh "${f.metaRefresh.slice(0, 80)}").` });
    }
    if (f.scripts) {
      out.push({ symbol: 'HTML_SCRIPT', score: HTML_SCORES.HTML_SCRIPT, kind: 'phishing', reason: `The HTML body contains ${f.scripts} script element(s); mail clients do not run scripts, senders of real mail do not send them.` });
    }
    return out;
  },
};
