/**
 * Forwarded-message check: a user who forwards a phish ("Fw:", "ENC:", "TR:", "WG:") puts the real message in the
 * body as text, under a quoted header block ("From: … Sent: … To: … Subject: …", "De: … Enviado: … Assunto: …").
 * Links and wording of the quoted part are already judged with the rest of the body; what would be lost are the
 * sender-side signals of the quoted message. This check finds up to three quoted header blocks (en, fr, pt, es, de,
 * nl, it), rebuilds the quoted sender and subject, and runs the header, impersonation and random-code signals on
 * them. One symbol sums what they found (capped), naming each finding.
 */
import type { Check, CheckContext, MessageView, SymbolHit } from '../types.js';
import { headersCheck } from './headers.js';
import { lookalikeCheck } from './lookalike.js';
import { randomTokens, WORDING_SCORES } from './wording.js';

export const FORWARDED_SCORES = { FORWARDED_SENDER_SUSPICIOUS: 6 } as const;

/** Inner symbols that describe the quoted sender (others need headers a quoted block does not carry). */
const INNER = new Set(['BRAND_IMPERSONATION', 'BRAND_LOOKALIKE_NAME', 'LOOKALIKE_DOMAIN', 'CONFUSABLE_DOMAIN',
  'BRAND_IN_SUBDOMAIN', 'BRAND_IN_DOMAIN', 'OBFUSCATED_TEXT', 'DISPLAY_NAME_DOMAIN', 'ROLE_NAME_FREEMAIL', 'DISPLAYNAME_OTHER_ADDRESS',
  'OWN_DOMAIN_IN_DISPLAYNAME', 'VIP_IMPERSONATION', 'FROM_DOMAIN_MALFORMED']);

const FROM_LINE = /^(?:from|de|von|van|da|desde|expediteur|absender|remetente|remitente|mittente)\s*\*?\s*:\s*\*?\s*(.{1,300})$/i;
const SUBJECT_LINE = /^(?:subject|assunto|objet|betreff|onderwerp|asunto|oggetto)\s*\*?\s*:\s*\*?\s*(.{0,300})$/i;
const META_LINE = /^(?:(?:sent|enviado|envoye|envoyé|gesendet|verzonden|inviato)(?![a-z])[^:\n]{0,15}|(?:date|datum|data|fecha|to|para|à|a|an|aan|cc|per)\s*\*?\s*):/i;

export interface QuotedMessage { name: string; address: string; rawFrom: string; subject: string; body: string }

/** Split "Name <addr>", "Name [mailto:addr]", "addr" into name and address. */
export function parseQuotedFrom(v: string): { name: string; address: string } {
  const s = v.trim();
  const m = /^(.*?)[<[]\s*(?:mailto:)?([^\s<>[\]@]{1,64}@[^\s<>[\]]{1,255})\s*[>\]]/i.exec(s);
  if (m) return { name: m[1].trim().replace(/^["'\s]+|["'\s]+$/g, ''), address: m[2].toLowerCase() };
  const a = /^([^\s<>@]{1,64}@[^\s<>]{1,255})$/.exec(s);
  if (a) return { name: '', address: a[1].toLowerCase() };
  return { name: s.replace(/^["'\s]+|["'\s]+$/g, ''), address: '' };
}

/** Quoted header blocks in a body: a From line followed within 6 lines by a Subject line and a Sent/Date/To line. */
export function quotedMessages(text: string, max = 3): QuotedMessage[] {
  const out: QuotedMessage[] = [];
  const lines = (text.length > 200_000 ? text.slice(0, 200_000) : text).split('\n');
  for (let i = 0; i < lines.length && out.length < max; i++) {
    if (lines[i].indexOf(':') < 0) continue; // FROM_LINE needs one: skip the clean-up of ordinary lines
    const l = lines[i].replace(/^[\s>*]+/, '').replace(/\*+\s*$/, '').trim();
    if (l.length > 320) continue;
    const f = FROM_LINE.exec(l);
    if (!f) continue;
    let subject: string | undefined;
    let meta = false;
    let j = i + 1;
    for (; j < Math.min(lines.length, i + 8); j++) {
      const x = lines[j].replace(/^[\s>*]+/, '').trim();
      if (!x) { if (subject !== undefined) break; continue; }
      const s = SUBJECT_LINE.exec(x);
      if (s) { subject = s[1].replace(/\*+\s*$/, '').trim(); continue; }
      if (META_LINE.test(x)) { meta = true; continue; }
      if (subject !== undefined) break;
      // a display name wrapped onto the next line ("De: Darya\n<support@…>")
      if (j === i + 1 && /^[<[]/.test(x)) { f[1] += ' ' + x; continue; }
      break;
    }
    if (subject === undefined || !meta) continue;
    const from = parseQuotedFrom(f[1].replace(/\*+/g, ''));
    if (!from.address && !from.name) continue;
    let k = j;
    const body: string[] = [];
    let size = 0;
    for (; k < lines.length && size < 20_000; k++) {
      const x = lines[k].replace(/^[\s>]+/, '');
      if (FROM_LINE.test(x.replace(/^\*+/, '').trim()) && k > j) break;
      body.push(x);
      size += x.length + 1;
    }
    out.push({ name: from.name, address: from.address, rawFrom: f[1].trim(), subject, body: body.join('\n') });
    i = k - 1;
  }
  return out;
}

function pseudoView(msg: MessageView, q: QuotedMessage): MessageView {
  return {
    ...msg,
    headers: [{ key: 'from', value: q.rawFrom }, { key: 'subject', value: q.subject }],
    from: { name: q.name, address: q.address },
    sender: undefined,
    replyTo: [],
    returnPath: undefined,
    to: [],
    cc: [],
    subject: q.subject,
    text: q.body,
    html: '',
    htmlText: '',
    attachments: [],
    links: [],
    nested: [],
    parseProblems: [],
  };
}

export const forwardedCheck: Check = {
  name: 'forwarded',
  async run(msg: MessageView, ctx: CheckContext): Promise<SymbolHit[]> {
    const text = msg.text || msg.htmlText || '';
    if (text.length < 20) return [];
    const quoted = quotedMessages(text);
    if (!quoted.length) return [];
    const outer = msg.from.address;
    const found: Array<{ q: QuotedMessage; hits: SymbolHit[] }> = [];
    for (const q of quoted) {
      // one's own earlier message quoted in a reply says nothing
      if (q.address && q.address === outer) continue;
      const v = pseudoView(msg, q);
      const hits: SymbolHit[] = [];
      const inner = [...(await headersCheck.run(v, ctx)), ...(await lookalikeCheck.run(v, ctx))];
      for (const h of inner) if (INNER.has(h.symbol) && h.score > 0) hits.push(h);
      const tokens = [...randomTokens(q.subject, false), ...randomTokens(q.name, true)];
      if (tokens.length) hits.push({ symbol: 'RANDOM_TOKEN_HEADER', score: WORDING_SCORES.RANDOM_TOKEN_HEADER, kind: 'phishing', reason: `random-looking codes in the quoted sender or subject (${tokens.slice(0, 3).join(', ')})`, evidence: tokens.slice(0, 3) });
      if (hits.length) found.push({ q, hits });
    }
    if (!found.length) return [];
    let score = 0;
    const parts: string[] = [];
    const evidence: string[] = [];
    for (const { q, hits } of found) {
      for (const h of hits) score += h.score;
      parts.push(`"${q.name.slice(0, 60)}" <${q.address || '?'}>: ${hits.map((h) => h.symbol).join(', ')}`);
      if (q.address) evidence.push(q.address);
      for (const h of hits) for (const e of h.evidence ?? []) if (evidence.length < 10 && !evidence.includes(e)) evidence.push(e);
    }
    return [{
      symbol: 'FORWARDED_SENDER_SUSPICIOUS',
      score: Math.min(FORWARDED_SCORES.FORWARDED_SENDER_SUSPICIOUS, Math.round(score * 10) / 10),
      kind: 'phishing',
      reason: `The body quotes a forwarded message whose sender or subject is suspicious: ${parts.slice(0, 3).join('; ')} (${found[0].hits[0].reason.slice(0, 160)}).`,
      evidence,
    }];
  },
};
