/**
 * Wording check: phrases of credential theft, urgency, payment-detail changes, invoices and scams in English,
 * French, Portuguese, Spanish and German, matched in linear time (one Aho–Corasick pass) over the folded subject,
 * display name and body. Credential wording next to a link, form or HTML attachment scores higher than words alone.
 */
import type { Check, MessageView, SymbolHit } from '../types.js';
import { PHRASES, WEAK_SCAM, type PhraseTag } from '../data/phrases.js';
import { foldForMatch, PhraseMatcher } from '../inspect/text.js';
import { brandLegit, brandsInText } from './lookalike.js';

const MATCHER = new PhraseMatcher<PhraseTag>(
  (Object.keys(PHRASES) as PhraseTag[]).flatMap((tag) => PHRASES[tag].map((phrase) => ({ phrase, tag }))),
);

const ZW = /[\u200b-\u200d\u2060-\u2064\ufeff\u00ad]/g;

export const WORDING_SCORES = {
  WORDING_CREDENTIAL: 1.5, WORDING_CREDENTIAL_LINK: 2.5, WORDING_URGENCY: 0.5, WORDING_PAYMENT_CHANGE: 3.5,
  WORDING_INVOICE: 1, WORDING_SCAM: 4, WORDING_CALLBACK: 3.5, BRAND_CREDENTIAL_LURE: 1.5,
} as const;

/** Does the message offer somewhere to act on the lure (a web link, a form, an HTML attachment)? */
function hasActionable(msg: MessageView): boolean {
  for (const l of msg.links) {
    if (l.source === 'html-src') continue;
    const h = l.href.slice(0, 8).toLowerCase();
    if (h.startsWith('http') || h.startsWith('www.') || h.startsWith('data:')) return true;
  }
  return msg.attachments.some((a) => /\.(s?html?|svg|xhtml)$/i.test(a.filename) || a.mimeType === 'text/html' && a.disposition === 'attachment');
}

export function findPhrases(msg: MessageView): Map<PhraseTag, string[]> {
  const body = msg.text || '';
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
    if (bank.length) out.push({ symbol: 'WORDING_PAYMENT_CHANGE', score: WORDING_SCORES.WORDING_PAYMENT_CHANGE, kind: 'phishing', reason: `Announces a change of payment or bank details: ${q(bank)}.`, evidence: bank.slice(0, 10) });
    if (inv.length && (msg.attachments.length > 0 || hasActionable(msg))) out.push({ symbol: 'WORDING_INVOICE', score: WORDING_SCORES.WORDING_INVOICE, kind: 'phishing', reason: `Invoice or payment-request wording with an attachment or link: ${q(inv)}.`, evidence: inv.slice(0, 10) });
    let weight = 0;
    for (const p of scam) weight += WEAK_SCAM.has(p) ? 0.5 : 1;
    if (weight >= 1.5) out.push({ symbol: 'WORDING_SCAM', score: weight >= 2.5 ? 5.5 : WORDING_SCORES.WORDING_SCAM, kind: 'spam', reason: `Prize, reward, inheritance or investment wording: ${q(scam, 4)}.`, evidence: scam.slice(0, 10) });
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
