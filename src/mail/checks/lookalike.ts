/**
 * Lookalike and impersonation check: sender, reply and link domains that imitate the organisation's own domains or
 * a widely phished brand (Unicode confusables, punycode, homoglyph/keyboard swaps, one edit away, brand placed in a
 * subdomain or inside another registrable domain), and brands or VIPs named in the display name or subject of mail
 * sent from elsewhere.
 */
import type { Check, CheckContext, MessageView, SymbolHit } from '../types.js';
import { BRANDS, SERVICE_WORDS, type Brand } from '../data/brands.js';
import { ASCII_HOMOGLYPHS, KEYBOARD_ROWS } from '../data/confusables.js';
import { editDistance, fold, obfuscatedWords, PhraseMatcher, foldForMatch } from '../inspect/text.js';
import { hostToUnicode, parseUrl, registrable } from '../inspect/url.js';
import { parse as tldParse } from 'tldts';

/** Brand labels too common as words to flag when merely contained in another domain. */
const NO_CONTAIN = new Set(['live', 'zoom', 'visa', 'ledger', 'booking', 'orange', 'chase', 'kraken', 'proton', 'steam',
  'apple', 'amazon', 'ups', 'outlook', 'teams', 'blockchain', 'correos', 'correios', 'santander', 'ing', 'bb', 'fb', 'ctt', 'irs', 'itau', 'citi', 'hsbc', 'amex', 'bofa', 'aol', 'dhl', 'ebay', 'usps']);

export function skeleton(s: string): string {
  let t = fold(s).replace(/[-_.]/g, '');
  for (const [from, to] of ASCII_HOMOGLYPHS) if (t.includes(from)) t = t.split(from).join(to);
  return t;
}

const KEY_POS = new Map<string, Array<[number, number]>>();
KEYBOARD_ROWS.forEach((row, r) => [...row].forEach((c, i) => {
  const l = KEY_POS.get(c) ?? [];
  l.push([r, i]);
  KEY_POS.set(c, l);
}));
function keyboardNeighbours(a: string, b: string): boolean {
  const pa = KEY_POS.get(a), pb = KEY_POS.get(b);
  if (!pa || !pb) return false;
  return pa.some(([r1, i1]) => pb.some(([r2, i2]) => r1 === r2 && Math.abs(i1 - i2) === 1));
}

interface Protected { label: string; flat: string; skel: string; owner: string; domains: Set<string>; own: boolean; brand?: Brand }

function brandDomains(b: Brand): Set<string> {
  const s = new Set<string>();
  for (const d of b.domains) { s.add(d); s.add(registrable(d)); }
  return s;
}

const BRAND_PROTECTED: Protected[] = [];
const BRAND_BY_NAME = new Map<string, Brand>();
const BRAND_DOMAINS = new Map<Brand, Set<string>>();
for (const b of BRANDS) {
  BRAND_BY_NAME.set(b.name, b);
  const ds = brandDomains(b);
  BRAND_DOMAINS.set(b, ds);
  for (const l of b.labels) if (l.length >= 3) BRAND_PROTECTED.push({ label: l, flat: l.replace(/[-_]/g, ''), skel: skeleton(l), owner: b.name, domains: ds, own: false, brand: b });
}
/** every domain some brand legitimately uses (a link to these is not a lookalike of anything) */
const ALL_BRAND_DOMAINS = new Set<string>();
for (const ds of BRAND_DOMAINS.values()) for (const d of ds) ALL_BRAND_DOMAINS.add(d);

const NAME_SKELETONS = new Map<string, Brand>();
const NAME_LABELS = new Set<string>();
for (const b of BRANDS) for (const l of [...b.labels, ...b.keywords.filter((k) => !k.includes(' '))]) {
  if (l.length < 5) continue;
  NAME_LABELS.add(l);
  if (!NAME_SKELETONS.has(skeleton(l))) NAME_SKELETONS.set(skeleton(l), b);
}

const BRAND_MATCHER = new PhraseMatcher<string>(BRANDS.flatMap((b) => b.keywords.map((k) => ({ phrase: k, tag: b.name }))));
const SERVICE = new Set(SERVICE_WORDS);

interface ProtectSet { list: Protected[]; ownDomains: Set<string> }
const settingsCache = new WeakMap<object, ProtectSet>();
function protectedFor(ctx: CheckContext): ProtectSet {
  const key = ctx.settings as object;
  let p = settingsCache.get(key);
  if (p) return p;
  const list = [...BRAND_PROTECTED];
  const ownDomains = new Set<string>();
  for (const d of ctx.settings.ownDomains ?? []) {
    const dom = registrable(d.toLowerCase());
    ownDomains.add(dom);
    ownDomains.add(d.toLowerCase());
    const r = tldParse(dom, { allowPrivateDomains: true });
    const label = r.domainWithoutSuffix ?? dom.split('.')[0];
    if (label.length >= 3) list.push({ label, flat: label.replace(/[-_]/g, ''), skel: skeleton(label), owner: d.toLowerCase(), domains: new Set([dom, d.toLowerCase()]), own: true });
  }
  for (const b of ctx.settings.brands ?? []) {
    const ds = new Set<string>();
    for (const d of b.domains) { ds.add(d.toLowerCase()); ds.add(registrable(d.toLowerCase())); }
    const r = b.domains[0] ? tldParse(registrable(b.domains[0].toLowerCase()), { allowPrivateDomains: true }) : null;
    const label = r?.domainWithoutSuffix;
    if (label && label.length >= 3) list.push({ label, flat: label.replace(/[-_]/g, ''), skel: skeleton(label), owner: b.name, domains: ds, own: false });
  }
  p = { list, ownDomains };
  settingsCache.set(key, p);
  return p;
}

export interface DomainFinding { symbol: 'LOOKALIKE_DOMAIN' | 'CONFUSABLE_DOMAIN' | 'BRAND_IN_SUBDOMAIN' | 'BRAND_IN_DOMAIN'; how: string; target: string; own: boolean }

const hostCache = new WeakMap<object, Map<string, DomainFinding | null>>();

/** Does this host imitate a protected name? Returns the strongest finding or null (memoised per settings). */
export function judgeHost(host: string, ctx: CheckContext): DomainFinding | null {
  let c = hostCache.get(ctx.settings as object);
  if (!c) { c = new Map(); hostCache.set(ctx.settings as object, c); }
  const h = host.toLowerCase();
  const hit = c.get(h);
  if (hit !== undefined) return hit;
  const r = judgeHostUncached(h, ctx);
  if (c.size > 20_000) c.clear();
  c.set(h, r);
  return r;
}

function judgeHostUncached(host: string, ctx: CheckContext): DomainFinding | null {
  const h = host.toLowerCase();
  if (!h || !h.includes('.')) return null;
  const r = tldParse(h, { allowPrivateDomains: true });
  if (r.isIp || !r.domain || !(r.isIcann || r.isPrivate)) return null;
  const domain = r.domain;
  const { list } = protectedFor(ctx);
  const isLegitFor = (p: Protected): boolean => p.domains.has(domain) || p.domains.has(h);
  if (ALL_BRAND_DOMAINS.has(domain)) return null;
  const label = r.domainWithoutSuffix ?? '';
  // punycode labels: decode and judge the Unicode form by its skeleton
  if (h.includes('xn--')) {
    const uni = hostToUnicode(domain);
    const uLabel = uni.split('.')[0];
    const sk = skeleton(uLabel);
    for (const p of list) {
      if (isLegitFor(p)) continue;
      if (sk === p.skel || sk.includes(p.skel) && p.skel.length >= 5) return { symbol: 'CONFUSABLE_DOMAIN', how: `is written with look-alike Unicode letters (${uni})`, target: p.owner, own: p.own };
    }
    if (obfuscatedWords(uLabel).length) return { symbol: 'CONFUSABLE_DOMAIN', how: `mixes scripts (${uni})`, target: '', own: false };
  }
  const tokens = label.split(/[-_]+/).filter((t) => t.length >= 3);
  const whole = label.replace(/[-_]/g, '');
  const candidates = new Set([whole, ...tokens]);
  let best: DomainFinding | null = null;
  const skels = new Map<string, string>();
  for (const t of candidates) skels.set(t, skeleton(t));
  for (const p of list) {
    if (isLegitFor(p)) continue;
    for (const t of candidates) {
      if (t === p.flat) {
        if (t === whole) {
          // same name under another suffix: acme.co for acme.com
          if (p.own) return { symbol: 'LOOKALIKE_DOMAIN', how: `uses the same name under another suffix`, target: p.owner, own: true };
          if (!NO_CONTAIN.has(p.label) && p.label.length >= 5) best ??= { symbol: 'BRAND_IN_DOMAIN', how: `uses the brand name under an unrelated suffix`, target: p.owner, own: false };
        } else if ((p.own || !NO_CONTAIN.has(p.label)) && p.label.length >= 4) {
          best ??= { symbol: 'BRAND_IN_DOMAIN', how: `embeds the name "${p.label}" in an unrelated domain`, target: p.owner, own: p.own };
        }
        continue;
      }
      if (t.length < 5 && p.flat.length < 5) continue;
      const sk = skels.get(t)!;
      if (sk === p.skel) return { symbol: 'LOOKALIKE_DOMAIN', how: `swaps look-alike characters ("${t}" reads as "${p.label}")`, target: p.owner, own: p.own };
      if ((p.flat.length >= 6 || (p.own && p.flat.length >= 5)) && (t.length === p.flat.length || t.length === p.flat.length + 1)) {
        const d = editDistance(t, p.flat, 1);
        if (d === 1) {
          let how = `is one character away from "${p.label}"`;
          if (t.length === p.flat.length) {
            for (let i = 0; i < t.length; i++) if (t[i] !== p.flat[i]) { if (keyboardNeighbours(t[i], p.flat[i])) how = `is one keystroke away from "${p.label}" (${p.flat[i]}→${t[i]})`; break; }
          }
          return { symbol: 'LOOKALIKE_DOMAIN', how, target: p.owner, own: p.own };
        }
      }
      // brand at the start of a longer label: paypalsecure, microsoftonlineverify
      if (t === whole && !NO_CONTAIN.has(p.label) && p.flat.length >= 6 && t.length > p.flat.length && t.startsWith(p.flat)) {
        best ??= { symbol: 'BRAND_IN_DOMAIN', how: `embeds the name "${p.label}" in an unrelated domain`, target: p.owner, own: p.own };
      }
    }
  }
  if (best) return best;
  // brand in the subdomain of an unrelated registrable domain: paypal.com.secure-login.xyz, microsoft.evil.net
  const sub = r.subdomain ?? '';
  if (sub) {
    const subLabels = sub.split('.');
    for (const p of list) {
      if (isLegitFor(p)) continue;
      if (NO_CONTAIN.has(p.label) && !p.own) {
        // ambiguous brand words: only as "brand.tld" inside the subdomain
        if (!sub.includes(p.label + '.com') && !sub.includes(p.label + '.co.')) continue;
      }
      if (p.label.length < 5) continue;
      if (subLabels.includes(p.label) || subLabels.some((s) => s.split('-').includes(p.label))) {
        return { symbol: 'BRAND_IN_SUBDOMAIN', how: `puts "${p.label}" in the subdomain of unrelated ${domain}`, target: p.owner, own: p.own };
      }
    }
  }
  return null;
}

/** Suffixes a domain written in a display name is expected to end with (two-letter ccTLDs also count). */
const COMMON_TLD = new Set(['com', 'net', 'org', 'info', 'biz', 'io', 'app', 'online', 'site', 'xyz', 'top', 'shop', 'store', 'live',
  'cloud', 'email', 'gov', 'edu', 'mil', 'int', 'me', 'co', 'services', 'support', 'digital', 'tech', 'mail']);

const SCORES = {
  LOOKALIKE_DOMAIN: 6, CONFUSABLE_DOMAIN: 6, BRAND_IN_SUBDOMAIN: 4, BRAND_IN_DOMAIN: 3,
  BRAND_IMPERSONATION: 5, BRAND_IN_SUBJECT: 1.5, VIP_IMPERSONATION: 6, OBFUSCATED_TEXT: 5, BRAND_LOOKALIKE_NAME: 5, DISPLAY_NAME_DOMAIN: 1.5,
} as const;

function domainOf(addr: string): string {
  const at = addr.lastIndexOf('@');
  return at >= 0 ? addr.slice(at + 1).toLowerCase().replace(/[>\s]+$/, '') : '';
}

/** Brands named in a display name (ambiguous brand words need a service word next to them). */
export function brandsInName(name: string): Brand[] {
  if (!name) return [];
  const f = foldForMatch(name, 2000);
  const hits = BRAND_MATCHER.match(f, 10);
  const out: Brand[] = [];
  // ("Apple-Support", "Meta_support": a service word glued with a hyphen or underscore counts too)
  const words = f.split(/[^a-z0-9+-]+/).filter(Boolean);
  const parts = [...words, ...f.split(/[^a-z0-9+]+/)];
  for (const h of hits) {
    const b = BRAND_BY_NAME.get(h.tag)!;
    if (out.includes(b)) continue;
    // an ambiguous brand word (Apple, Ledger, Chase…) counts next to a service word, alone, or as "<someone> from <brand>"
    if (b.ambiguous && h.phrase.indexOf(' ') < 0 && words.length > 1 && !parts.some((w) => SERVICE.has(w)) && !f.trimEnd().endsWith(` from ${h.phrase}`)) continue;
    out.push(b);
  }
  return out;
}

/** Unambiguous brands named in free text (subject, body): ambiguous brand words and generic entries are ignored. */
export function brandsInText(text: string): Brand[] {
  const out: Brand[] = [];
  for (const h of BRAND_MATCHER.match(foldForMatch(text, 40_000), 20)) {
    const b = BRAND_BY_NAME.get(h.tag)!;
    if (out.includes(b) || b.labels.length === 0 || (b.ambiguous && h.phrase.indexOf(' ') < 0)) continue;
    out.push(b);
  }
  return out;
}

export function brandLegit(b: Brand, domain: string): boolean {
  if (!domain) return false;
  const reg = registrable(domain);
  const ds = BRAND_DOMAINS.get(b);
  if (ds && (ds.has(reg) || ds.has(domain))) return true;
  const lbl = tldParse(reg, { allowPrivateDomains: true }).domainWithoutSuffix ?? '';
  return b.labels.includes(lbl);
}

export const lookalikeCheck: Check = {
  name: 'lookalike',
  run(msg: MessageView, ctx: CheckContext): SymbolHit[] {
    const hits = new Map<string, SymbolHit>();
    const add = (symbol: keyof typeof SCORES, reason: string, kind: SymbolHit['kind'], evidence: string[], score: number = SCORES[symbol]): void => {
      const prev = hits.get(symbol);
      if (prev) { for (const e of evidence) if (!prev.evidence!.includes(e) && prev.evidence!.length < 20) prev.evidence!.push(e); return; }
      hits.set(symbol, { symbol, score, reason, kind, evidence: [...evidence] });
    };
    const { ownDomains } = protectedFor(ctx);
    const fromDomain = domainOf(msg.from.address);
    // 1. sender-side domains
    const senders: Array<[string, string]> = [['From', fromDomain]];
    for (const r of msg.replyTo) senders.push(['Reply-To', domainOf(r.address)]);
    if (msg.sender) senders.push(['Sender', domainOf(msg.sender.address)]);
    if (msg.returnPath) senders.push(['Return-Path', domainOf(msg.returnPath)]);
    const seen = new Set<string>();
    for (const [where, d] of senders) {
      if (!d || seen.has(d)) continue;
      seen.add(d);
      const f = judgeHost(d, ctx);
      if (f) {
        const whom = f.target ? ` ${f.own ? 'your domain' : 'brand'} ${f.target}` : '';
        add(f.symbol, `${where} domain ${d} ${f.how}${whom ? ', imitating' + whom : ''}.`, 'phishing', [d],
          f.own ? SCORES[f.symbol] + 2 : SCORES[f.symbol]);
      }
    }
    // 2. link hosts
    let n = 0;
    for (const l of msg.links) {
      if (n >= 300) break;
      const u = parseUrl(l.href);
      if (!u || !u.host || seen.has(u.host)) continue;
      seen.add(u.host);
      n++;
      const f = judgeHost(u.host, ctx);
      if (f) {
        const whom = f.target ? `, imitating ${f.own ? 'your domain' : 'brand'} ${f.target}` : '';
        add(f.symbol, `Link host ${u.host} ${f.how}${whom}.`, 'phishing', [u.host], f.own ? SCORES[f.symbol] + 2 : SCORES[f.symbol]);
      }
    }
    // 3. brand named in the display name, sent from elsewhere
    if (!ownDomains.has(fromDomain) && !ownDomains.has(registrable(fromDomain))) {
      const named = brandsInName(msg.from.name);
      for (const b of named) {
        if (brandLegit(b, fromDomain)) continue;
        add('BRAND_IMPERSONATION', `Display name "${msg.from.name.slice(0, 80)}" names ${b.name} but the mail comes from ${fromDomain || 'an empty address'}.`, 'phishing', fromDomain ? [fromDomain] : []);
        break;
      }
      if (!hits.has('BRAND_IMPERSONATION') && msg.subject) {
        const sub = foldForMatch(msg.subject, 2000);
        for (const h of BRAND_MATCHER.match(sub, 10)) {
          const b = BRAND_BY_NAME.get(h.tag)!;
          if (b.ambiguous && h.phrase.indexOf(' ') < 0) continue;
          if (b.labels.length === 0) continue;
          if (brandLegit(b, fromDomain)) continue;
          add('BRAND_IN_SUBJECT', `Subject names ${b.name} but the mail comes from ${fromDomain || 'an empty address'}.`, 'phishing', fromDomain ? [fromDomain] : []);
          break;
        }
      }
    }
    // 3b. a domain written in the display name that is not the sender's ("proton.me Helpdesk" <admin@elsewhere.id>)
    if (msg.from.name && msg.from.name.indexOf('.') > 0 && msg.from.name.indexOf('@') < 0) {
      for (const tok of msg.from.name.slice(0, 2000).toLowerCase().split(/[\s,;:()[\]<>"'|/]+/).slice(0, 20)) {
        const m = /^(?:https?:\/\/)?((?:[a-z0-9-]+\.)+[a-z]{2,24})\.?$/.exec(tok);
        if (!m) continue;
        const r = tldParse(m[1], { allowPrivateDomains: true });
        if (!r.domain || !r.isIcann || !(r.publicSuffix ?? '').split('.').every((x) => x.length === 2 || COMMON_TLD.has(x))) continue;
        if (fromDomain && (registrable(fromDomain) === r.domain || fromDomain.endsWith('.' + r.domain))) continue;
        add('DISPLAY_NAME_DOMAIN', `Display name shows the domain ${m[1]} but the mail comes from ${fromDomain || 'an empty address'}.`, 'phishing', [m[1]]);
        break;
      }
    }
    // 4. VIPs named in the display name, sent from an address not theirs
    const fname = fold(msg.from.name.slice(0, 2000)).replace(/\s+/g, ' ').trim();
    if (fname) {
      for (const v of ctx.settings.vips ?? []) {
        const vn = fold(v.name).replace(/\s+/g, ' ').trim();
        if (vn.length < 3 || !fname.includes(vn)) continue;
        const addrs = v.addresses.map((a) => a.toLowerCase());
        if (addrs.includes(msg.from.address)) continue;
        add('VIP_IMPERSONATION', `Display name "${msg.from.name.slice(0, 80)}" matches VIP ${v.name} but the address ${msg.from.address || '(empty)'} is not theirs.`, 'spoofing', msg.from.address ? [msg.from.address] : []);
        break;
      }
    }
    // 5. brand names misspelt with look-alike letters in the display name or subject ("Iedger", "PayPaI")
    for (const src of [msg.from.name.slice(0, 2000), msg.subject.slice(0, 2000)]) {
      if (!src || hits.has('BRAND_LOOKALIKE_NAME')) continue;
      for (const w of src.normalize('NFKC').split(/[^\p{L}\p{N}|!]+/u)) {
        if (w.length < 5 || w.length > 20) continue;
        const lw = w.toLowerCase();
        const sk = skeleton(w);
        const b = NAME_SKELETONS.get(sk);
        if (!b || NAME_LABELS.has(lw) || NAME_LABELS.has(fold(w))) continue;
        if (brandLegit(b, fromDomain)) continue;
        add('BRAND_LOOKALIKE_NAME', `"${w}" in the ${src === msg.subject.slice(0, 2000) ? 'subject' : 'display name'} imitates the brand ${b.name} with look-alike characters.`, 'phishing', [w]);
        break;
      }
    }
    // 6. look-alike letters mixed into display name or subject words
    const ob = [...obfuscatedWords(msg.from.name.slice(0, 5000), 3), ...obfuscatedWords(msg.subject.slice(0, 5000), 3)];
    if (ob.length) add('OBFUSCATED_TEXT', `Display name or subject mixes look-alike letters from other scripts or styled letters: "${ob.slice(0, 3).join('", "')}".`, 'phishing', ob.slice(0, 5));
    return [...hits.values()];
  },
};
