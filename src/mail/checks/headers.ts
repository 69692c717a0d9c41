/**
 * Header and authentication check: who the message says it is from against who actually sent it.
 * - From malformed (several entries, an entry without address: a name shown while the address hides), missing;
 * - display name carrying another address or domain, or the organisation's own domain, sent from elsewhere;
 * - Reply-To to a free-mail mailbox or another domain, Sender and Return-Path on other domains;
 * - SPF, DKIM, DMARC and ARC results, only when verified online or written by a trusted receiver (ctx.auth);
 *   mail claiming an own domain that does not authenticate.
 * Nothing here looks at dates or at verdict headers written by other filters.
 */
import type { AuthResults, Check, CheckContext, MessageView, SymbolHit } from '../types.js';
import { domainOf } from '../message.js';
import { registrable } from '../inspect/url.js';

/** Default scores (users override them by symbol in the configuration). */
export const HEADER_SCORES = {
  FROM_MISSING: 2,
  FROM_MULTIPLE_ENTRIES: 5,
  FROM_DOMAIN_MALFORMED: 3,
  ROLE_NAME_FREEMAIL: 2,
  DISPLAYNAME_OTHER_ADDRESS: 3,
  OWN_DOMAIN_IN_DISPLAYNAME: 4,
  OWN_DOMAIN_UNAUTHENTICATED: 6,
  REPLYTO_FREEMAIL: 5,
  REPLYTO_FREEMAIL_FROM_FREEMAIL: 3,
  REPLYTO_DOMAIN_MISMATCH: 0,
  NOREPLY_REPLYTO_OTHER: 2,
  SENDER_DOMAIN_MISMATCH: 0,
  RETURNPATH_DOMAIN_MISMATCH: 0,
  SPF_FAIL: 2,
  SPF_SOFTFAIL: 1,
  DKIM_FAIL: 1.5,
  DMARC_FAIL: 3.5,
  DMARC_FAIL_REJECT: 5,
  ARC_FAIL: 1,
  AUTH_PASS_ALIGNED: 0,
  EMPTY_MESSAGE: 3,
  RANDOM_SENDER_DOMAIN: 2,
  FREEMAIL_BULK_RECIPIENTS: 2,
  ENVELOPE_SCRIPT_HOST: 4,
  ROLE_NAME_PERSONAL_ADDRESS: 2,
} as const;

/** A display name that is nothing but a service or department ("support", "IT Helpdesk", "Atendimento"). */
const ROLE_ONLY_NAME = /^(?:support|admin|administrator|helpdesk|help desk|service|customer service|customer support|customer care|security|security team|billing|it support|it department|it helpdesk|it help desk|it service desk|service desk|webmaster|postmaster|mail admin|email admin|administrador|administrateur|suporte|atendimento|soporte|service client|kundenservice|klantenservice)$/;
/** Local-part words of role mailboxes (support@, info@, no-reply@…): such an address may well be a service's. */
const ROLE_LOCAL_WORDS = new Set(['support', 'admin', 'administrator', 'help', 'helpdesk', 'service', 'services', 'security',
  'billing', 'webmaster', 'postmaster', 'info', 'contact', 'contato', 'contacto', 'noreply', 'reply', 'no', 'mail', 'mailer',
  'team', 'it', 'suporte', 'atendimento', 'soporte', 'sac', 'notification', 'notifications', 'alert', 'alerts', 'account',
  'accounts', 'care', 'customer', 'customers', 'hello', 'office', 'news', 'desk', 'servicedesk', 'root', 'system', 'bounce']);

/**
 * The display name is only a service or department word ("support") while the address is a person's or a machine's
 * mailbox ("craver1553@student.example.org"): a compromised or throwaway account speaking as a help desk.
 */
export function roleNamePersonal(msg: MessageView): boolean {
  const name = msg.from.name.trim().toLowerCase().replace(/\s+/g, ' ');
  if (!name || name.length > 40 || !ROLE_ONLY_NAME.test(name)) return false;
  const at = msg.from.address.lastIndexOf('@');
  if (at <= 0) return false;
  const local = msg.from.address.slice(0, at).toLowerCase();
  return !local.split(/[^a-z]+/).some((w) => ROLE_LOCAL_WORDS.has(w));
}

/** System accounts that send when a script on a server calls sendmail/PHP mail() (not people, not mailing systems). */
const SYSTEM_ACCOUNT = /^(?:root|www-data|apache|apache2|nginx|httpd|nobody|daemon|ubuntu|centos|debian|ec2-user|admin)$/;
/** Host names a freshly rented server keeps: none qualified, cloud defaults ("ubuntu-s-1vcpu-1gb-nyc1-01"), localhost. */
const SCRIPT_HOST = /vcpu|(?:^|[.-])localhost(?:$|[.-])|(?:^|\.)localdomain$/;

/**
 * The envelope sender (Return-Path, or Sender) is a system account on an unqualified or default cloud host name:
 * "root@ubuntu-s-1vcpu-1gb-nyc1-01", "root@localhost.members.linode.com", "www-data@srv123". Mail handed to the
 * internet like this was sent by a script on a bare rented server (phishing kits mass-mail this way); organisations'
 * mail systems send from qualified domains. Returns the address, or null.
 */
export function scriptEnvelope(msg: MessageView): string | null {
  for (const a of [msg.returnPath ?? '', msg.sender?.address ?? '']) {
    const at = a.lastIndexOf('@');
    if (at <= 0) continue;
    const local = a.slice(0, at);
    const host = a.slice(at + 1).replace(/^\[|\]$/g, '');
    if (!SYSTEM_ACCOUNT.test(local) || !host || /^[\d.:]+$/.test(host)) continue;
    if (!host.includes('.') || SCRIPT_HOST.test(host)) return a;
  }
  return null;
}

/** Free mailbox providers: anyone can open an address there. */
export const FREEMAIL = new Set([
  'gmail.com', 'googlemail.com', 'yahoo.com', 'yahoo.fr', 'yahoo.co.uk', 'yahoo.es', 'yahoo.com.br', 'ymail.com',
  'rocketmail.com', 'hotmail.com', 'hotmail.fr', 'hotmail.co.uk', 'hotmail.es', 'outlook.com', 'outlook.fr',
  'outlook.es', 'outlook.com.br', 'live.com', 'live.fr', 'msn.com', 'aol.com', 'icloud.com', 'me.com', 'mac.com',
  'gmx.com', 'gmx.de', 'gmx.net', 'gmx.fr', 'web.de', 'mail.com', 'mail.ru', 'bk.ru', 'inbox.ru', 'list.ru',
  'yandex.ru', 'yandex.com', 'protonmail.com', 'proton.me', 'pm.me', 'tutanota.com', 'tuta.io', 'zoho.com',
  'zohomail.com', 'qq.com', '163.com', '126.com', 'sina.com', 'laposte.net', 'orange.fr', 'wanadoo.fr', 'free.fr',
  'sfr.fr', 'uol.com.br', 'bol.com.br', 'terra.com.br', 'ig.com.br', 'libero.it', 'virgilio.it', 'seznam.cz',
  'wp.pl', 'o2.pl', 'interia.pl', 'onet.pl', 'rediffmail.com', 'naver.com', 'daum.net', 'hanmail.net', 'gmx.at',
  't-online.de', 'freenet.de', 'aim.com', 'juno.com', 'earthlink.net', 'comcast.net', 'att.net', 'sbcglobal.net',
  'verizon.net', 'cox.net', 'btinternet.com', 'sky.com', 'telenet.be', 'skynet.be', 'hushmail.com', 'lycos.com',
  'excite.com', 'usa.com', 'email.com', 'post.com', 'mailfence.com', 'disroot.org', 'onmicrosoft.com',
  'yahoo.it', 'yahoo.de', 'yahoo.ca', 'yahoo.com.au', 'yahoo.co.in', 'yahoo.co.jp', 'hotmail.it', 'hotmail.de', 'hotmail.nl',
  'hotmail.be', 'live.nl', 'live.be', 'live.it', 'live.de', 'live.co.uk', 'outlook.de', 'outlook.it', 'ziggo.nl', 'kpnmail.nl',
  'planet.nl', 'home.nl', 'bigpond.com', 'shaw.ca', 'rogers.com', 'tiscali.it', 'alice.it', 'sapo.pt', 'yandex.ua', 'ukr.net',
]);

/** Display-name words of a service, department, transaction or authority (en, fr, pt, es, de). */
const ROLE_NAME = /\b(support|team|service|services|department|dept|security|billing|customer|admin|administrator|helpdesk|help desk|notifications?|accounts?|bank|order|invoice|payments?|delivery|shipping|verification|webmail|mailbox|administra[cç][aã]o|servi[cç]os?|atendimento|suporte|equipe|kundenservice|soporte|equipo|facturaci[oó]n|compte|assistance|courrier|livraison|paiement|police|policia|pol[ií]cia|polizei|gendarmerie|justice|justi[cç]a|justicia|tribunal|court|ministry|minist[eè]re|ministerio|minist[eé]rio|government|gouvernement|governo|gobierno|customs|douane|aduana|alf[aâ]ndega|interpol|finanzamt|imp[oô]ts|receita)\b/i;
/** The same roles written in a free-mail local part ("policenational740@…", "support.desk@…"). */
const ROLE_LOCAL = /(support|helpdesk|admin|security|billing|service|police|policia|justice|tribunal|customs|douane|verify|verification|webmail|mailbox|notification|no-?reply)/i;

function reg(d: string): string {
  return d ? registrable(d) : '';
}

function isFree(domain: string): boolean {
  return FREEMAIL.has(domain) || FREEMAIL.has(reg(domain));
}

function isOwn(domain: string, own: string[]): boolean {
  if (!domain) return false;
  return own.some((o) => domain === o || domain.endsWith('.' + o));
}

/** Addresses and domains written inside a display name ("support@bank.com", "bank.com Security"). */
function namedDomains(name: string): string[] {
  const out: string[] = [];
  const s = name.slice(0, 300).toLowerCase();
  const re = /(?:[a-z0-9._%+-]{1,64}@)?((?:[a-z0-9-]{1,63}\.){1,6}[a-z]{2,24})\b/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null && out.length < 5) {
    const d = m[1];
    // a dotted word that is not a registrable domain ("Mr.Smith", "Inc.") is not a domain
    const r = reg(d);
    if (r && r.includes('.') && r !== d.split('.').pop()) out.push(d);
  }
  return out;
}

/**
 * A machine-generated label in a sender-side domain ("fg89h9dfd6aypkctwzqn9jdf.com", "x7k2m9q4z1.example"): ≥10
 * letters and digits alternating in ≥5 runs, or a run of ≥10 digits. Throwaway domains registered in bulk look like this; organisations
 * name their domains and mail hosts with words.
 */
export function randomLabel(domain: string): string | null {
  const labels = domain.toLowerCase().split('.');
  for (const l of labels.slice(0, -1)) {
    if (l.length < 10 || l.length > 63) continue;
    // a long run of digits ("190817827092890281897.example.biz"): a serial number, not a name
    if (/\d{10,}/.test(l)) return l;
    const runs = l.match(/[a-z]+|[0-9]+/g) ?? [];
    if (runs.length >= 5 && /[0-9]/.test(l) && /[a-z]/.test(l)) return l;
  }
  return null;
}

/** Addresses written inside a display name. */
function namedAddresses(name: string): string[] {
  const out: string[] = [];
  const re = /[a-z0-9._%+-]{1,64}@((?:[a-z0-9-]{1,63}\.){1,6}[a-z]{2,24})\b/gi;
  let m: RegExpExecArray | null;
  const s = name.slice(0, 300);
  while ((m = re.exec(s)) !== null && out.length < 5) out.push(m[0].toLowerCase());
  return out;
}

function authSymbols(a: AuthResults, fromDomain: string, own: string[], hits: SymbolHit[]): void {
  const src = a.source === 'online' ? 'verified online' : `reported by trusted receiver ${a.authservId}`;
  const add = (symbol: keyof typeof HEADER_SCORES, reason: string, kind: SymbolHit['kind'], evidence: string[] = []): void => {
    hits.push({ symbol, score: HEADER_SCORES[symbol], reason, kind, evidence });
  };
  if (a.spf === 'fail') add('SPF_FAIL', `SPF fails for ${a.spfDomain ?? 'the envelope sender'} (${src}): the sending server is not allowed to send for it.`, 'spoofing', a.spfDomain ? [a.spfDomain] : []);
  else if (a.spf === 'softfail') add('SPF_SOFTFAIL', `SPF soft-fails for ${a.spfDomain ?? 'the envelope sender'} (${src}).`, 'spoofing', a.spfDomain ? [a.spfDomain] : []);
  const failed = a.dkim.filter((d) => d.result === 'fail' || d.result === 'permerror');
  const passed = a.dkim.filter((d) => d.result === 'pass');
  if (failed.length && !passed.length) add('DKIM_FAIL', `DKIM signature of ${failed.map((d) => d.domain || '?').join(', ')} does not verify (${src}): the message was altered or forged.`, 'spoofing', failed.map((d) => d.domain).filter(Boolean));
  if (a.dmarc === 'fail') {
    const reject = a.dmarcPolicy === 'reject' || a.dmarcPolicy === 'quarantine';
    add(reject ? 'DMARC_FAIL_REJECT' : 'DMARC_FAIL', `DMARC fails for From domain ${fromDomain || '?'}${a.dmarcPolicy ? ` (policy ${a.dmarcPolicy})` : ''} (${src}): neither SPF nor DKIM authenticates the domain shown to the reader.`, 'spoofing', fromDomain ? [fromDomain] : []);
  } else if (a.dmarc === 'pass') {
    add('AUTH_PASS_ALIGNED', `DMARC passes for ${fromDomain} (${src}): the From domain is authenticated (which says who sent it, not that it is safe).`, 'info', fromDomain ? [fromDomain] : []);
  }
  if (a.arc === 'fail') add('ARC_FAIL', `ARC chain does not verify (${src}).`, 'spoofing');
  if (isOwn(fromDomain, own) && a.dmarc !== 'pass') {
    const aligned = passed.some((d) => d.domain && (d.domain === fromDomain || reg(d.domain) === reg(fromDomain)));
    const spfOk = a.spf === 'pass' && a.spfDomain && reg(a.spfDomain) === reg(fromDomain);
    if (!aligned && !spfOk) {
      add('OWN_DOMAIN_UNAUTHENTICATED', `The message claims your domain ${fromDomain} but neither aligned DKIM nor SPF authenticates it (${src}).`, 'spoofing', [fromDomain]);
    }
  }
}

export const headersCheck: Check = {
  name: 'headers',
  run(msg: MessageView, ctx: CheckContext): SymbolHit[] {
    const hits: SymbolHit[] = [];
    const own = (ctx.settings.ownDomains ?? []).map((d) => d.toLowerCase());
    const add = (symbol: keyof typeof HEADER_SCORES, reason: string, kind: SymbolHit['kind'], evidence: string[] = []): void => {
      hits.push({ symbol, score: HEADER_SCORES[symbol], reason, kind, evidence });
    };
    const fromAddr = msg.from.address;
    const fromDomain = domainOf(fromAddr);
    const fromReg = reg(fromDomain);
    const fromHeaders = msg.headers.filter((h) => h.key === 'from');

    // From itself
    if (!fromHeaders.length || !fromAddr.includes('@')) {
      add('FROM_MISSING', fromHeaders.length ? `From header "${fromHeaders[0].value.slice(0, 100)}" holds no usable address.` : 'The message has no From header.', 'spam');
    }
    const multi = msg.parseProblems.find((p) => p.startsWith('From holds '));
    if (fromHeaders.length > 1 || multi) {
      add('FROM_MULTIPLE_ENTRIES', fromHeaders.length > 1
        ? `The message has ${fromHeaders.length} From headers: readers and filters may not see the same sender.`
        : `From "${fromHeaders[0]?.value.slice(0, 120) ?? ''}" lists several entries: a name is shown while the real address is hidden behind it.`, 'spoofing', fromAddr ? [fromAddr] : []);
    }

    // a domain no mail system would write: trailing dot, empty labels
    const rawFrom = fromHeaders[0]?.value ?? '';
    const at = fromAddr.lastIndexOf('@');
    const rawDomain = at >= 0 ? fromAddr.slice(at + 1) : '';
    // (a single-label domain is not flagged: local mail such as root@localhost has one)
    if (fromAddr && (/@[^\s<>@]+\.\s*>?\s*$/.test(rawFrom.slice(-300)) || (rawDomain && (rawDomain.includes('..') || rawDomain.startsWith('.') || rawDomain.endsWith('.'))))) {
      add('FROM_DOMAIN_MALFORMED', `From domain "${rawDomain}" is malformed (trailing dot or empty label): written to slip past domain checks, not by a real mail system.`, 'spoofing', [rawDomain]);
    }
    // an organisation's role name on a free-mail account
    if (fromDomain && isFree(fromDomain) && (ROLE_NAME.test(msg.from.name.slice(0, 200)) || ROLE_LOCAL.test(fromAddr.slice(0, fromAddr.indexOf('@'))))) {
      add('ROLE_NAME_FREEMAIL', `The sender "${msg.from.name.slice(0, 80)}" <${fromAddr}> speaks for a service, department or authority from a free-mail account.`, 'phishing', [fromAddr]);
    }

    if (fromDomain && !isFree(fromDomain) && roleNamePersonal(msg)) {
      add('ROLE_NAME_PERSONAL_ADDRESS', `The sender calls itself "${msg.from.name.slice(0, 40)}" but writes from the personal mailbox ${fromAddr}: a compromised or throwaway account speaking as a help desk.`, 'phishing', [fromAddr]);
    }

    // display name naming another address or domain
    if (msg.from.name && fromDomain) {
      const inName = namedDomains(msg.from.name);
      const foreign = inName.filter((d) => reg(d) !== fromReg);
      const ownNamed = foreign.filter((d) => isOwn(d, own) || isOwn(reg(d), own));
      // a bare domain in a name is often a brand ("CNET News.com"); an address is what a reader takes as the sender
      const foreignAddr = namedAddresses(msg.from.name).filter((a) => reg(domainOf(a)) !== fromReg);
      if (ownNamed.length && !isOwn(fromDomain, own)) {
        add('OWN_DOMAIN_IN_DISPLAYNAME', `Display name "${msg.from.name.slice(0, 80)}" shows your domain ${ownNamed[0]} but the mail comes from ${fromDomain}.`, 'spoofing', [fromDomain]);
      } else if (foreignAddr.length) {
        add('DISPLAYNAME_OTHER_ADDRESS', `Display name "${msg.from.name.slice(0, 80)}" shows the address ${foreignAddr[0]} but the real sender is ${fromAddr}.`, 'spoofing', [foreignAddr[0], fromDomain]);
      }
    }

    // Reply-To
    const replies = msg.replyTo.filter((r) => r.address.includes('@') && r.address !== fromAddr);
    if (replies.length) {
      const free = replies.find((r) => isFree(domainOf(r.address)));
      if (free && fromDomain && !isFree(fromDomain)) {
        add('REPLYTO_FREEMAIL', `Replies go to the free-mail address ${free.address}, not to the sender ${fromAddr}: answers reach whoever opened that mailbox, not ${fromDomain}.`, 'phishing', [free.address]);
      } else if (free) {
        add('REPLYTO_FREEMAIL_FROM_FREEMAIL', `Replies go to another free-mail address (${free.address}) than the sender ${fromAddr || '(none)'}.`, 'phishing', [free.address]);
      } else {
        const other = replies.find((r) => reg(domainOf(r.address)) !== fromReg);
        if (other && /^(no-?reply|do-?not-?reply|noreply)/i.test(fromAddr)) {
          add('NOREPLY_REPLYTO_OTHER', `The sender ${fromAddr} says not to reply, yet replies are redirected to ${other.address} on another domain.`, 'phishing', [domainOf(other.address)]);
        } else if (other) add('REPLYTO_DOMAIN_MISMATCH', `Replies go to ${other.address}, on another domain than the sender ${fromDomain || '(none)'}.`, 'info', [domainOf(other.address)]);
      }
    }

    // Sender and Return-Path
    if (msg.sender?.address) {
      const sd = domainOf(msg.sender.address);
      if (sd && reg(sd) !== fromReg) add('SENDER_DOMAIN_MISMATCH', `Sender ${msg.sender.address} is on another domain than From (${fromDomain || 'none'}): sent on behalf of it.`, 'info', [sd]);
    }
    if (msg.returnPath) {
      const rd = domainOf(msg.returnPath);
      if (rd && reg(rd) !== fromReg) add('RETURNPATH_DOMAIN_MISMATCH', `Envelope sender (Return-Path) ${msg.returnPath} is on another domain than From (${fromDomain || 'none'}).`, 'info', [rd]);
    }

    // machine-generated labels in the sender's, reply or envelope domain
    for (const a of [fromAddr, ...msg.replyTo.map((r) => r.address), msg.sender?.address ?? '', msg.returnPath ?? '']) {
      const d = domainOf(a);
      const l = d ? randomLabel(d) : null;
      if (l) {
        add('RANDOM_SENDER_DOMAIN', `The sender-side domain ${d} carries the machine-generated label "${l}": throwaway domains registered in bulk look like this.`, 'phishing', [d]);
        break;
      }
    }

    // no subject, no text, nothing attached: an address-validation probe (or a payload stripped on the way)
    const visible = [...msg.to, ...msg.cc].filter((r) => r.address.includes('@'));
    const noBody = !(msg.text || '').trim() && !(msg.htmlText || '').trim() && !msg.attachments.length && !msg.nested.length;
    if (noBody && !msg.subject.trim()) {
      const hidden = visible.length === 0;
      hits.push({ symbol: 'EMPTY_MESSAGE', score: HEADER_SCORES.EMPTY_MESSAGE + (hidden ? 2 : 0), kind: 'spam', reason: `The message has no subject, no text and no attachment${hidden ? ' and names no recipient' : ''}: an address-validation probe sent before the real lure.`, evidence: fromAddr ? [fromAddr] : [] });
    } else if (noBody && visible.length === 0) {
      // a subject alone, sent to hidden (Bcc) recipients: the same probe, or a teaser waiting for a reply
      hits.push({ symbol: 'EMPTY_MESSAGE', score: HEADER_SCORES.EMPTY_MESSAGE + 2, kind: 'spam', reason: `The message has only a subject ("${msg.subject.slice(0, 60)}"), no text, no attachment and no visible recipient: an address-validation probe or a teaser sent in bulk.`, evidence: fromAddr ? [fromAddr] : [] });
    }
    // a private free-mail account writing to a list of unrelated free-mail users on several providers, or to a
    // long visible list of people (≥10): mailing systems send one copy per recipient or use a list address
    if (fromDomain && isFree(fromDomain) && visible.length >= 3) {
      const free = visible.filter((r) => r.address !== fromAddr && isFree(domainOf(r.address)));
      const providers = new Set(free.map((r) => reg(domainOf(r.address))));
      const many = visible.filter((r) => r.address !== fromAddr).length;
      if (many >= 10) {
        hits.push({ symbol: 'FREEMAIL_BULK_RECIPIENTS', score: HEADER_SCORES.FREEMAIL_BULK_RECIPIENTS + 1.5, kind: 'spam', reason: `A free-mail account (${fromAddr}) writes to ${many} visible recipients at once: bulk mail sent from a throwaway account.`, evidence: visible.slice(0, 5).map((r) => r.address) });
      } else if (free.length >= 3 && providers.size >= 2) {
        add('FREEMAIL_BULK_RECIPIENTS', `A free-mail account (${fromAddr}) writes to ${free.length} visible free-mail addresses on ${providers.size} providers: bulk mail sent from a throwaway account.`, 'spam', free.slice(0, 5).map((r) => r.address));
      }
    }
    const script = scriptEnvelope(msg);
    if (script) add('ENVELOPE_SCRIPT_HOST', `The envelope sender ${script} is a system account on an unqualified or default cloud host name: sent by a script on a bare rented server, not by a mail system.`, 'phishing', [script]);

    if (ctx.auth && ctx.auth.source !== 'none') authSymbols(ctx.auth, fromDomain, own, hits);
    return hits;
  },
};
