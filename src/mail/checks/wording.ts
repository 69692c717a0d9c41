/**
 * Wording check: phrases of credential theft, urgency, payment-detail changes, invoices and scams in English,
 * French, Portuguese, Spanish and German, matched in linear time (one Aho–Corasick pass) over the folded subject,
 * display name and body. Credential wording next to a link, form or HTML attachment scores higher than words alone.
 */
import type { Check, MessageView, SymbolHit } from '../types.js';
import { PHRASES, STRONG_SCAM, WEAK_SCAM, type PhraseTag } from '../data/phrases.js';
import { foldForMatch, PhraseMatcher } from '../inspect/text.js';
import { brandLegit, brandsInText } from './lookalike.js';
import { FREEMAIL } from './headers.js';
import { registrable } from '../inspect/url.js';
import { judgeLink } from './links.js';

const MATCHER = new PhraseMatcher<PhraseTag>(
  (Object.keys(PHRASES) as PhraseTag[]).flatMap((tag) => PHRASES[tag].map((phrase) => ({ phrase, tag }))),
);

const ZW = /[\u200b-\u200d\u2060-\u2064\ufeff\u00ad]/g;

export const WORDING_SCORES = {
  WORDING_CREDENTIAL: 1.5, WORDING_CREDENTIAL_LINK: 2.5, WORDING_URGENCY: 0.5, WORDING_PAYMENT_CHANGE: 3.5,
  WORDING_INVOICE: 1, WORDING_SCAM: 4, WORDING_CALLBACK: 3.5, BRAND_CREDENTIAL_LURE: 1.5,
  SCAM_REPLY_DIVERTED: 2.5, RANDOM_TOKEN_HEADER: 3, WORDING_LEGAL_THREAT: 3, BODY_ONLY_LINK: 2.5,
  BODY_TOKEN_STUFFING: 4, DIGIT_FOR_LETTER: 2.5, WORDING_SCAM_THROWAWAY_LINK: 1,
} as const;

/**
 * Words of the subject or display name spelt with the digit 0 in place of the letter O ("IMP0RTANT", "C0NSUMER",
 * "rec0very"): a look-alike that defeats keyword filters while reading the same. The word is all capitals or all
 * lower case with letters on both sides of the zero and at least 4 letters (part numbers and versions mix digits
 * otherwise: "RAID1", "Win10", "B2B").
 */
export function zeroForO(s: string): string[] {
  const out: string[] = [];
  for (const t of s.slice(0, 1000).split(/[^A-Za-z0-9]+/)) {
    if (t.length < 5 || t.length > 30) continue;
    if (!/^[A-Z]+0[A-Z0]*[A-Z]$/.test(t) && !/^[a-z]+0[a-z0]*[a-z]$/.test(t)) continue;
    // (hexadecimal identifiers such as "dead0beef" are codes, not words)
    if (t.replace(/0/g, '').length < 4 || /^[a-f0]+$/i.test(t)) continue;
    out.push(t);
    if (out.length >= 5) break;
  }
  return out;
}

/**
 * The same random code (letters and digits, e.g. "X34QDJLJ89") pasted again and again inside the words of the body
 * ("MemX34QDJLJ89bership"): a filter-evasion trick that breaks words for keyword matching and makes every copy
 * differ. Needs ≥4 occurrences of one code, ≥2 of them glued to lower-case letters.
 */
export function tokenStuffing(text: string): string | null {
  const t = text.length > 50_000 ? text.slice(0, 50_000) : text;
  const re = /[A-Z0-9]{6,16}/g;
  const seen = new Map<string, { n: number; glued: number }>();
  let m: RegExpExecArray | null;
  let k = 0;
  while ((m = re.exec(t)) !== null && k++ < 5000) {
    const tok = m[0];
    const digits = tok.replace(/\D/g, '').length;
    if (digits < 2 || tok.length - digits < 2) continue;
    const e = seen.get(tok) ?? { n: 0, glued: 0 };
    e.n++;
    const before = m.index > 0 ? t.charCodeAt(m.index - 1) : 32;
    const after = m.index + tok.length < t.length ? t.charCodeAt(m.index + tok.length) : 32;
    if ((before >= 97 && before <= 122) || (after >= 97 && after <= 122)) e.glued++;
    seen.set(tok, e);
    if (e.n >= 4 && e.glued >= 2) return tok;
  }
  return null;
}

/** "$3000 per day", "€500 a week", "R$ 1.000 por dia": an earnings claim (counts as one scam phrase). */
const EARNINGS = /(?:[$€£]|\b(?:usd|eur|gbp|r\$))\s?\d[\d.,]{0,12}(?:\s?k)?\s*(?:\([^)\n]{0,20}\)\s*)?(?:(?:usd|eur|dollars?|euros?)\s*)?(?:per|a|each|every|por|par|pro|al|ao)\s+(?:day|week|hour|dia|jour|semaine|tag|woche|dag|semana)\b/i;

/** "$1,000-$2,000 per month", "€5000 a month": a monthly earnings claim (only sums of at least 1000 count: fees and prices are smaller). */
const EARNINGS_MONTH = /(?:[$€£]|\b(?:usd|eur|gbp|r\$))\s?\d[\d.,]{2,12}(?:\s?k)?(?:\s?(?:-|–|to|a|ate|até)\s?(?:[$€£]|r\$)?\s?\d[\d.,]{2,12}(?:\s?k)?)?\s*(?:(?:usd|eur|dollars?|euros?)\s*)?(?:per|a|each|every|por|par|pro|al|ao)\s+(?:month|mes|mês|mois|monat|maand)\b/i;

/** A casino or broker deposit bonus: "50% bonus at every deposit", "300% welcome bonus", "deposit bonus" (with a deposit named). */
const DEPOSIT_BONUS = /\b\d{2,3}\s?%\s?(?:welcome\s|deposit\s|match\s|first\sdeposit\s|cashback\s|extra\s)?(?:bonus|b[oô]nus|bono)\b|\bbonus\s(?:on|at|with|for)\s(?:every|your|each|the|first)\s(?:first\s)?deposit|\b(?:b[oô]nus|bono)\s(?:de|no|na|en|em)\s(?:\w+\s)?dep[oó]sito/i;

/** The sum in an earnings claim ("$1,500" → 1500; "R$ 1.000" → 1000). */
function claimAmount(s: string): number {
  return Number((/\d[\d.,]*/.exec(s)?.[0] ?? '0').replace(/[.,](\d{3})/g, '$1').replace(/[.,]\d{1,2}$/, ''));
}

/**
 * Scam claims that are patterns rather than fixed phrases: earnings ("$3000 per day", "$1000-$2000 per month") and
 * deposit bonuses. Each found counts as one scam phrase (the deposit bonus as a strong one, in `STRONG_PATTERNS`).
 */
export function scamPatterns(text: string): string[] {
  const out: string[] = [];
  const t = text.length > 100_000 ? text.slice(0, 100_000) : text;
  const earn = EARNINGS.exec(t);
  // (small sums — "$2 a day" — are how news and charities talk, not get-rich offers)
  if (earn && claimAmount(earn[0]) >= 100) out.push(earn[0].replace(/\s+/g, ' ').slice(0, 40));
  else {
    const month = EARNINGS_MONTH.exec(t);
    if (month && claimAmount(month[0]) >= 1000) out.push(month[0].replace(/\s+/g, ' ').slice(0, 40));
  }
  const bonus = DEPOSIT_BONUS.exec(t);
  if (bonus && /\bdeposit|\bdep[oó]sito|\bd[ée]p[ôo]t\b|\beinzahlung|\bstorting/i.test(t)) out.push(`deposit bonus: ${bonus[0].replace(/\s+/g, ' ').slice(0, 40)}`);
  return out;
}

/** Replies diverted to a free-mail mailbox other than the sender's (scam contact address). */
function freeReplyTo(msg: MessageView): string | null {
  const from = msg.from.address;
  for (const r of msg.replyTo) {
    const a = r.address;
    const at = a.lastIndexOf('@');
    if (at < 0 || a === from) continue;
    const d = a.slice(at + 1);
    if (FREEMAIL.has(d) || FREEMAIL.has(registrable(d))) return a;
  }
  // a free-mail contact address written in the text after "email me at", "contact:", "my e-mail for response"…
  const body = msg.text.length > 100_000 ? msg.text.slice(0, 100_000) : msg.text;
  CONTACT.lastIndex = 0;
  let m: RegExpExecArray | null;
  let n = 0;
  while ((m = CONTACT.exec(body)) !== null && n++ < 50) {
    const a = m[1].toLowerCase();
    if (a === from) continue;
    const d = a.slice(a.lastIndexOf('@') + 1);
    if (FREEMAIL.has(d) || FREEMAIL.has(registrable(d))) return a;
  }
  return null;
}
/** "email me at x@…", "contact: x@…", "e-mail for response x@…": a contact word, at most 40 other characters, an address. */
const CONTACT = /\b(?:e-?mail|contact|contacto|contato|write|reply|respond|response|escreva|escribe|ecrivez)\b[^@\n]{0,40}?\b([a-z0-9._%+-]{1,64}@[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){1,4})/gi;

/**
 * Random-looking codes in the subject or display name ("Notificação - egeZ2Fb4pfL", "Protocolo 7793574292872"):
 * written so that each copy differs (defeating checksums) and to look like an official reference. A token counts
 * when it is 8–40 letters/digits that split into ≥5 runs of case or digits (YydtzJJTBFBvIBDBt9jk, D0TG6TY9KZUDFT9JAX),
 * which CamelCase names (PerMsgStatus, QuickTime) and version numbers do not; in the display name a run of ≥9 digits
 * counts too.
 */
export function randomTokens(s: string, name: boolean): string[] {
  const out: string[] = [];
  for (const t of s.slice(0, 1000).split(/[^A-Za-z0-9]+/)) {
    if (t.length < 8 || t.length > 40) continue;
    const parts = t.match(/[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+/g) ?? [];
    const dg = /\d/.test(t), up = /[A-Z]/.test(t), lo = /[a-z]/.test(t);
    if (parts.length >= 5 && ((up && lo) || (dg && (up || lo)))) out.push(t);
    else if (name && /^\d{9,}$/.test(t)) out.push(t);
    if (out.length >= 5) break;
  }
  return out;
}

/** Link findings that make a destination throwaway: anyone can publish there, or the destination is hidden. */
const THROWAWAY_LINK = new Set(['LINK_SHORTENER', 'LINK_FREE_HOSTING', 'LINK_IP_HOST', 'LINK_IPFS', 'LINK_FORM_BUILDER']);

/** The host of the first link (of the first 50) that the link rules call a throwaway destination, or null. */
function throwawayLink(msg: MessageView): string | null {
  let n = 0;
  for (const l of msg.links) {
    if (l.source === 'html-src') continue;
    if (n++ >= 50) break;
    const f = judgeLink(l).find((x) => THROWAWAY_LINK.has(x.symbol));
    if (f) return f.url.replace(/^[a-z]+:\/\//i, '').split(/[/?#]/)[0].slice(0, 100);
  }
  return null;
}

/** A short message (at most 200 words) with no web link: a letter asking for a reply, not a newsletter. */
function shortLinkless(msg: MessageView): boolean {
  for (const l of msg.links) if (l.source !== 'html-src' && /^(?:https?:|www\.)/i.test(l.href)) return false;
  const t = wordingBody(msg);
  if (t.length > 3000) return false;
  return t.split(/\s+/).filter(Boolean).length <= 200;
}

/** Does the message offer somewhere to act on the lure (a web link, a form, an HTML attachment)? */
function hasActionable(msg: MessageView): boolean {
  for (const l of msg.links) {
    if (l.source === 'html-src') continue;
    const h = l.href.slice(0, 8).toLowerCase();
    if (h.startsWith('http') || h.startsWith('www.') || h.startsWith('data:')) return true;
  }
  return msg.attachments.some((a) => /\.(s?html?|svg|xhtml)$/i.test(a.filename) || a.mimeType === 'text/html' && a.disposition === 'attachment');
}

/**
 * The body text the wording rules read: the plain part, plus the visible HTML text when the plain part is only a stub
 * ("Your email client cannot display this message, view it online…") much shorter than the HTML one: senders put the
 * lure in the HTML part alone, where readers see it and plain-text filters do not.
 */
export function wordingBody(msg: MessageView): string {
  const text = msg.text || '';
  const h = msg.htmlText || '';
  return h.length > text.length * 1.3 + 50 ? `${text}\n${h}` : text;
}

export function findPhrases(msg: MessageView): Map<PhraseTag, string[]> {
  const body = wordingBody(msg);
  const all = `${msg.subject}\n${msg.from.name}\n${body.length > 200_000 ? body.slice(0, 200_000) : body}`.replace(ZW, '');
  const text = foldForMatch(all, 220_000);
  const byTag = new Map<PhraseTag, string[]>();
  for (const { phrase, tag } of MATCHER.match(text, 80)) {
    const l = byTag.get(tag) ?? [];
    l.push(phrase);
    byTag.set(tag, l);
  }
  return byTag;
}

const q = (l: string[], n = 3): string => l.slice(0, n).map((p) => `"${p}"`).join(', ');

export const wordingCheck: Check = {
  name: 'wording',
  run(msg: MessageView): SymbolHit[] {
    const out: SymbolHit[] = [];
    const tags = findPhrases(msg);
    const cred = tags.get('cred') ?? [];
    const urg = tags.get('urg') ?? [];
    const bank = tags.get('bank') ?? [];
    const inv = tags.get('inv') ?? [];
    const scam = tags.get('scam') ?? [];
    const callback = tags.get('callback') ?? [];
    if (cred.length) {
      if (hasActionable(msg)) {
        out.push({ symbol: 'WORDING_CREDENTIAL_LINK', score: WORDING_SCORES.WORDING_CREDENTIAL_LINK + (cred.length >= 2 ? 2 : 0), kind: 'phishing', reason: `Account or credential wording (${q(cred)}) next to a link to act on.`, evidence: cred.slice(0, 10) });
      } else {
        out.push({ symbol: 'WORDING_CREDENTIAL', score: WORDING_SCORES.WORDING_CREDENTIAL + (cred.length >= 2 ? 0.5 : 0), kind: 'phishing', reason: `Account or credential wording: ${q(cred)}.`, evidence: cred.slice(0, 10) });
      }
    }
    if (cred.length || callback.length) {
      const at = msg.from.address.lastIndexOf('@');
      const fromDomain = at >= 0 ? msg.from.address.slice(at + 1) : '';
      const b = brandsInText(`${msg.subject}\n${msg.text.slice(0, 20_000)}`).find((x) => !brandLegit(x, fromDomain));
      if (b) out.push({ symbol: 'BRAND_CREDENTIAL_LURE', score: WORDING_SCORES.BRAND_CREDENTIAL_LURE, kind: 'phishing', reason: `Account wording about ${b.name} in mail not sent from ${b.name}'s domains (${fromDomain || 'empty sender'}).`, evidence: fromDomain ? [fromDomain] : [] });
    }
    if (urg.length) out.push({ symbol: 'WORDING_URGENCY', score: urg.length >= 2 ? 1.5 : WORDING_SCORES.WORDING_URGENCY, kind: 'phishing', reason: `Urgent or threatening wording: ${q(urg)}.`, evidence: urg.slice(0, 10) });
    const legal = tags.get('legal') ?? [];
    if (legal.length) out.push({ symbol: 'WORDING_LEGAL_THREAT', score: WORDING_SCORES.WORDING_LEGAL_THREAT + (legal.length >= 2 ? 1 : 0), kind: 'phishing', reason: `Summons, lawsuit, warrant or fine aimed at the reader: ${q(legal)} (fake court or police notices push victims to open a file or pay).`, evidence: legal.slice(0, 10) });
    if (bank.length) out.push({ symbol: 'WORDING_PAYMENT_CHANGE', score: WORDING_SCORES.WORDING_PAYMENT_CHANGE, kind: 'phishing', reason: `Announces a change of payment or bank details: ${q(bank)}.`, evidence: bank.slice(0, 10) });
    if (inv.length && (msg.attachments.length > 0 || hasActionable(msg))) out.push({ symbol: 'WORDING_INVOICE', score: WORDING_SCORES.WORDING_INVOICE, kind: 'phishing', reason: `Invoice or payment-request wording with an attachment or link: ${q(inv)}.`, evidence: inv.slice(0, 10) });
    let weight = 0;
    let strong = 0;
    scam.push(...scamPatterns(`${msg.subject}\n${wordingBody(msg).slice(0, 100_000)}`));
    for (const p of scam) { if (WEAK_SCAM.has(p)) weight += 0.5; else { weight += STRONG_SCAM.has(p) || p.startsWith('deposit bonus:') ? 1.5 : 1; strong++; } }
    if (weight > 0 && weight < 1.5) {
      const l = throwawayLink(msg);
      if (l) out.push({ symbol: 'WORDING_SCAM_THROWAWAY_LINK', score: WORDING_SCORES.WORDING_SCAM_THROWAWAY_LINK, kind: 'spam', reason: `Prize, offer or money wording too weak to count alone (${q(scam, 2)}) next to a link to a throwaway destination (${l}).`, evidence: [l, ...scam.slice(0, 5)] });
    }
    if (weight >= 1.5) out.push({ symbol: 'WORDING_SCAM', score: weight >= 2.5 ? 5.5 : weight >= 2 && strong > 0 ? 5 : WORDING_SCORES.WORDING_SCAM, kind: 'spam', reason: `Prize, reward, inheritance or investment wording: ${q(scam, 4)}.`, evidence: scam.slice(0, 10) });
    // a strong scam phrase, or any scam word in a short message without web links (romance and 419 letters: the
    // only way to act is to write to the private mailbox)
    if (strong > 0 || (weight > 0 && shortLinkless(msg))) {
      const rt = freeReplyTo(msg);
      if (rt) out.push({ symbol: 'SCAM_REPLY_DIVERTED', score: WORDING_SCORES.SCAM_REPLY_DIVERTED, kind: 'spam', reason: `Money, prize or offer wording (${q(scam, 2)}) with replies diverted to the free-mail address ${rt}: the scammer's contact mailbox.`, evidence: [rt] });
    }
    const tokens = [...randomTokens(msg.subject, false), ...randomTokens(msg.from.name, true)];
    if (tokens.length) out.push({ symbol: 'RANDOM_TOKEN_HEADER', score: WORDING_SCORES.RANDOM_TOKEN_HEADER, kind: 'phishing', reason: `The subject or display name carries random-looking codes (${tokens.slice(0, 3).join(', ')}), added so every copy differs and to pass as an official reference.`, evidence: tokens.slice(0, 5) });
    const swapped = [...zeroForO(msg.subject), ...zeroForO(msg.from.name)];
    if (swapped.length) out.push({ symbol: 'DIGIT_FOR_LETTER', score: WORDING_SCORES.DIGIT_FOR_LETTER, kind: 'phishing', reason: `The subject or display name spells words with the digit 0 for the letter O (${swapped.slice(0, 3).join(', ')}): a look-alike written to slip past keyword filters.`, evidence: swapped.slice(0, 5) });
    const stuffed = tokenStuffing(msg.text || msg.htmlText || '');
    if (stuffed) out.push({ symbol: 'BODY_TOKEN_STUFFING', score: WORDING_SCORES.BODY_TOKEN_STUFFING, kind: 'phishing', reason: `The code "${stuffed}" is pasted again and again inside the words of the body: a trick to break keyword filters and make every copy differ.`, evidence: [stuffed] });
    const bare = bareLinkBody(msg);
    if (bare) out.push({ symbol: 'BODY_ONLY_LINK', score: WORDING_SCORES.BODY_ONLY_LINK, kind: 'phishing', reason: `The body is a web link with almost no text (${bare.words} words besides it): nothing but the subject invites the click.`, evidence: [bare.url] });
    if (callback.length) {
      const phone = PHONE.exec(`${msg.subject}\n${msg.text.slice(0, 200_000)}`);
      if (phone) out.push({ symbol: 'WORDING_CALLBACK', score: WORDING_SCORES.WORDING_CALLBACK, kind: 'phishing', reason: `Asks the reader to phone ${phone[0].trim()} about a charge or order (${q(callback, 2)}): a call-back scam.`, evidence: [phone[0].trim(), ...callback.slice(0, 5)] });
    }
    return out;
  },
};

/** A telephone number: 8–15 digits with optional +, spaces, dots, dashes and parentheses; bounded candidate scan. */
const PHONE_CAND = /(?:\+|\b)\d[\d ().-]{6,18}\d\b/g;
const PHONE = {
  exec(s: string): [string] | null {
    PHONE_CAND.lastIndex = 0;
    let m: RegExpExecArray | null;
    let n = 0;
    while ((m = PHONE_CAND.exec(s)) !== null && n++ < 2000) {
      const digits = m[0].replace(/\D/g, '').length;
      // dates and amounts are not phone numbers: require a separator pattern typical of numbers, 8–15 digits
      if (digits >= 8 && digits <= 15 && !/^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$/.test(m[0])) return [m[0]];
    }
    return null;
  },
};

/** A body that is only a web link or two, with at most 3 words of text (subjects and display names do the luring). */
export function bareLinkBody(msg: MessageView): { url: string; words: number } | null {
  if (msg.attachments.some((a) => a.disposition === 'attachment')) return null;
  const t = (msg.text || msg.htmlText || '').slice(0, 5000);
  if (t.length >= 5000) return null;
  let url = '';
  for (const l of msg.links) {
    if (l.source === 'html-src') continue;
    if (/^https?:\/\//i.test(l.href)) { url = l.href.slice(0, 200); break; }
  }
  if (!url) return null;
  const rest = t.replace(/(?:https?:\/\/|www\.)\S+/gi, ' ').replace(/<[^>\s]*>/g, ' ');
  const words = rest.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 1).length;
  return words <= 3 ? { url, words } : null;
}
