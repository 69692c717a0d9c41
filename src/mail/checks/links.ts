/**
 * Link check: every URL of the message (HTML href/action/src, plain text, and QR codes through `judgeLink`) is
 * judged on its own: text/href mismatch, IP-literal or punycode hosts, shorteners, open redirects, free hosting,
 * file sharing, form builders, userinfo tricks, data:/javascript: URIs, IPFS, login paths, unusual ports.
 * One symbol per kind of finding, its evidence listing the URLs.
 */
import type { Check, CheckContext, Link, MessageView, SymbolHit } from '../types.js';
import { FILE_SHARING, FORM_BUILDERS, FREE_HOSTING, IPFS_GATEWAYS, REDIRECT_PARAMS, REDIRECTORS, SHORTENERS } from '../data/domains.js';
import { HostSet, hostToUnicode, parseUrl, queryParams, registrable, type UrlInfo } from '../inspect/url.js';
import { parse as tldParse } from 'tldts';
import { BRANDS, type Brand } from '../data/brands.js';
import { brandLegit } from './lookalike.js';
import { FREEMAIL } from './headers.js';

const SHORT = new HostSet(SHORTENERS);
const FREE = new HostSet(FREE_HOSTING);
const SHARE = new HostSet(FILE_SHARING);
const FORMS = new HostSet(FORM_BUILDERS);
const IPFS = new HostSet(IPFS_GATEWAYS);
const REDIR_PARAMS = new Set(REDIRECT_PARAMS);
/** Private-suffix platforms whose pages are run by the platform owner itself, not by anyone. */
const PRIVATE_OK = new Set(['amazonaws.com', 'elasticbeanstalk.com', 'cloudapp.net', 'azure-api.net', 'appspot.com.br']);
const BRAND_DOMAIN = new Map<string, string>();
for (const b of BRANDS) for (const d of b.domains) BRAND_DOMAIN.set(registrable(d), b.name);

const LOGIN_WORDS = ['/login', '/log-in', '/signin', '/sign-in', '/logon', '/wp-login', '/wp-admin', '/owa/auth',
  'verify-account', 'account-verify', 'verifyaccount', 'secure-login', 'update-account', 'confirm-account', 'account-update',
  '/auth/login', 'login.php', 'signin.php', 'verify.php', 'validate.php', '/verification/'];

export type LinkSymbol = 'LINK_TEXT_MISMATCH' | 'LINK_IP_HOST' | 'LINK_PUNYCODE' | 'LINK_SHORTENER' | 'LINK_REDIRECT'
  | 'LINK_FREE_HOSTING' | 'LINK_FILE_SHARING' | 'LINK_FORM_BUILDER' | 'LINK_USERINFO' | 'LINK_DATA_URI'
  | 'LINK_JAVASCRIPT_URI' | 'LINK_LOGIN_PAGE' | 'LINK_IPFS' | 'LINK_UNUSUAL_PORT';

export const LINK_SCORES: Record<LinkSymbol, number> = {
  LINK_TEXT_MISMATCH: 4, LINK_IP_HOST: 4.5, LINK_PUNYCODE: 3, LINK_SHORTENER: 4, LINK_REDIRECT: 2,
  LINK_FREE_HOSTING: 4, LINK_FILE_SHARING: 1.5, LINK_FORM_BUILDER: 4, LINK_USERINFO: 5, LINK_DATA_URI: 5,
  LINK_JAVASCRIPT_URI: 2, LINK_LOGIN_PAGE: 1.5, LINK_IPFS: 5, LINK_UNUSUAL_PORT: 2,
};

export interface LinkFinding { symbol: LinkSymbol; reason: string; url: string; score?: number }

const DOMAIN_TEXT = /^(?:[a-z][a-z0-9+.-]*:\/\/)?((?:[a-z0-9-]+\.)+[a-z]{2,24})(?::\d+)?(?:[/?#]\S*)?$/i;

/** The domain a link's visible text shows, when the text looks like a URL or a bare domain. */
export function shownDomain(text: string): string | null {
  let t = text.trim();
  if (!t || t.length > 300) return null;
  const m0 = /(?:https?:\/\/|www\.)\S+/i.exec(t);
  if (m0) t = m0[0];
  else if (/\s/.test(t)) return null;
  t = t.replace(/[)\].,;:!?'"»>]+$/, '').replace(/^[(<«'"[]+/, '');
  const m = DOMAIN_TEXT.exec(t);
  if (!m) return null;
  const host = m[1].toLowerCase();
  const r = tldParse(host, { allowPrivateDomains: true });
  if (!r.domain || !r.isIcann && !r.isPrivate) return null;
  // a bare "name.ext" that is really a file name (invoice.zip, report.pdf) is not a domain claim
  if (!m0 && !/^www\./i.test(t) && !/\//.test(t) && host.split('.').length === 2 && /^(zip|mov|pdf|doc|docx|xls|xlsx|exe|png|jpg|htm|html|php|js|sh|py)$/.test(r.publicSuffix ?? '')) return null;
  return host;
}

function embeddedTargets(u: UrlInfo, knownRedirector = false): string[] {
  const out: string[] = [];
  for (const [k, v] of queryParams(u.query)) {
    if (!REDIR_PARAMS.has(k) && !/^(https?:)?\/\//i.test(v)) continue;
    const t = v.trim();
    if (/^(https?:\/\/|\/\/|www\.)/i.test(t)) out.push(t);
    // abused redirectors and proxies also take a bare host (translate.google.com/translate?u=evil.example)
    else if (knownRedirector && /^[a-z0-9-]{1,63}(\.[a-z0-9-]{1,63}){1,8}(?::\d+)?(?:[/?#]|$)/i.test(t) && /\.[a-z]{2,24}(?::\d+)?(?:[/?#]|$)/i.test(t)) out.push('https://' + t);
  }
  // /amp/s/host/path, /redirect/http://host, /url/https://host
  const p = u.path;
  const amp = /^\/amp\/s\/([^/]+)/i.exec(p);
  if (amp) out.push('https://' + amp[1]);
  const inner = p.search(/https?:\/\/|https?%3a%2f%2f/i);
  if (inner > 0) {
    let t = p.slice(inner);
    try { t = decodeURIComponent(t); } catch { /* keep */ }
    out.push(t);
  }
  return out;
}

/** Judge one URL. `text` is the anchor text (HTML) when any. */
export function judgeLink(link: Pick<Link, 'href' | 'text' | 'source'>, _ctx?: CheckContext): LinkFinding[] {
  const out: LinkFinding[] = [];
  const href = link.href.trim();
  const lower = href.slice(0, 16).toLowerCase().replace(/[\s\x00-\x1f]/g, '');
  const short = href.length > 120 ? href.slice(0, 117) + '...' : href;
  if (link.source !== 'html-src') {
    if (lower.startsWith('data:')) {
      const isHtml = /^data:(text\/html|application\/xhtml|image\/svg|text\/javascript|application\/x?-?javascript|application\/octet-stream)/i.test(href.slice(0, 60));
      if (isHtml || link.source !== 'attachment') out.push({ symbol: 'LINK_DATA_URI', reason: `A link opens an inline data: document (${short.slice(0, 40)}…) instead of a web address.`, url: short, score: isHtml ? 5 : 3 });
      return out;
    }
    if (lower.startsWith('javascript:') || lower.startsWith('vbscript:')) {
      out.push({ symbol: 'LINK_JAVASCRIPT_URI', reason: `A link runs script (${short.slice(0, 60)}).`, url: short });
      return out;
    }
  }
  const u = parseUrl(href);
  if (!u || !u.host) return out;
  const host = u.host;
  if (u.isIp) out.push({ symbol: 'LINK_IP_HOST', reason: `A link points to a bare IP address (${host}) rather than a named site.`, url: short });
  if (host.includes('xn--')) out.push({ symbol: 'LINK_PUNYCODE', reason: `A link points to an internationalised (punycode) host ${host} shown as ${hostToUnicode(host)}.`, url: short });
  if (u.userinfo) {
    const looksHost = /[a-z0-9-]+\.[a-z]{2,}/i.test(u.userinfo);
    out.push({ symbol: 'LINK_USERINFO', reason: looksHost
      ? `A link hides its real host ${host} behind "${u.userinfo.slice(0, 60)}@" so it appears to go to ${u.userinfo.slice(0, 60)}.`
      : `A link carries credentials or text before "@" in its address (${u.userinfo.slice(0, 40)}@${host}).`, url: short, score: looksHost ? 5 : 3 });
  }
  if (u.port && !['80', '443', '8080', '8443', ''].includes(u.port) && /^\d+$/.test(u.port)) {
    out.push({ symbol: 'LINK_UNUSUAL_PORT', reason: `A link uses the unusual port ${u.port} on ${host}.`, url: short });
  }
  const ipfs = IPFS.match(host) ?? (/\.ipfs\./.test(host) || /^\/ipfs\/[a-z0-9]{20,}/i.test(u.path) || /^\/ipns\//i.test(u.path) ? host : null);
  if (ipfs) out.push({ symbol: 'LINK_IPFS', reason: `A link points to content on IPFS (${host}), a common home for phishing kits.`, url: short });
  const sh = SHORT.match(host);
  if (sh && u.path.length > 1) out.push({ symbol: 'LINK_SHORTENER', reason: `A link goes through the URL shortener ${sh}, hiding its destination.`, url: short });
  const form = FORMS.match(host, u.path);
  if (form) out.push({ symbol: 'LINK_FORM_BUILDER', reason: `A link opens a form on ${form}, a form builder often used to collect credentials.`, url: short });
  else {
    const share = SHARE.match(host, u.path);
    if (share) out.push({ symbol: 'LINK_FILE_SHARING', reason: `A link points to the file-sharing service ${share}.`, url: short });
  }
  let free = FREE.match(host, u.path);
  if (!free && !u.isIp) {
    // any platform in the Public Suffix List's private section (s3.*.amazonaws.com, duckdns.org, pages on builders…)
    const r = tldParse(host, { allowPrivateDomains: true });
    if (r.isPrivate && r.publicSuffix && !PRIVATE_OK.has(r.publicSuffix)) free = r.publicSuffix;
  }
  if (free && !form) out.push({ symbol: 'LINK_FREE_HOSTING', reason: `A link points to ${host}, on ${free} where anyone can publish a page.`, url: short });
  // open redirects
  const known = REDIRECTORS.find((r) => (host === r.host || host.endsWith('.' + r.host)) && u.path.toLowerCase().startsWith(r.path));
  const targets = embeddedTargets(u, !!known);
  if (targets.length) {
    for (const t of targets) {
      const tu = parseUrl(t);
      if (!tu || !tu.host || tu.domain === u.domain) continue;
      out.push({ symbol: 'LINK_REDIRECT', reason: known
        ? `A link uses the ${known.host} redirector to send the reader on to ${tu.host}.`
        : `A link on ${host} redirects to another site, ${tu.host}.`, url: short, score: known ? 3 : 1 });
      // the target is judged too (a shortener or IP behind a redirector)
      for (const f of judgeLink({ href: t, text: '', source: 'text' })) if (f.symbol !== 'LINK_REDIRECT' && f.symbol !== 'LINK_TEXT_MISMATCH') out.push(f);
      break;
    }
  }
  // login paths on a site that is not a known brand's
  const pathL = (u.path + '?' + u.query).toLowerCase().slice(0, 500);
  if (!BRAND_DOMAIN.has(u.domain)) {
    const w = LOGIN_WORDS.find((k) => pathL.includes(k));
    if (w) out.push({ symbol: 'LINK_LOGIN_PAGE', reason: `A link leads to a login or verification page (${host}${u.path.slice(0, 60)}).`, url: short });
  }
  // text/href mismatch
  if (link.text && (link.source === 'html-href')) {
    const shown = shownDomain(link.text);
    if (shown) {
      const sd = registrable(shown);
      if (sd && sd !== u.domain && !targets.some((t) => { const tu = parseUrl(t); return tu && tu.domain === sd; })) {
        const brand = BRAND_DOMAIN.get(sd);
        out.push({ symbol: 'LINK_TEXT_MISMATCH', reason: `Link text shows ${shown} but points to ${host}.`, url: short, score: brand || u.isIp ? 6 : 2 });
      }
    }
  }
  return out;
}

export const linksCheck: Check = {
  name: 'links',
  run(msg: MessageView, ctx: CheckContext): SymbolHit[] {
    const hits = new Map<string, SymbolHit>();
    const seen = new Set<string>();
    let n = 0;
    for (const l of msg.links) {
      if (n >= 500) break;
      const key = l.href + '\u0000' + l.text;
      if (seen.has(key)) continue;
      seen.add(key);
      n++;
      // images and stylesheets (src) only matter for data:/IP/IPFS tricks; skip the rest of the judgement for them
      const found = judgeLink(l, ctx);
      for (const f of found) {
        if (l.source === 'html-src' && !['LINK_IP_HOST', 'LINK_IPFS', 'LINK_USERINFO'].includes(f.symbol)) continue;
        const score = f.score ?? LINK_SCORES[f.symbol];
        const prev = hits.get(f.symbol);
        if (prev) {
          if (score > prev.score) { prev.score = score; prev.reason = f.reason; }
          if (prev.evidence!.length < 10 && !prev.evidence!.includes(f.url)) prev.evidence!.push(f.url);
          continue;
        }
        hits.set(f.symbol, { symbol: f.symbol, score, reason: f.reason, kind: 'phishing', evidence: [f.url] });
      }
    }
    const foreign = brandSenderForeignLinks(msg, hits);
    if (foreign) {
      hits.set('BRAND_SENDER_FOREIGN_LINKS', { symbol: 'BRAND_SENDER_FOREIGN_LINKS', score: BRAND_SENDER_FOREIGN_SCORE, kind: 'spoofing', reason: `The mail says it comes from ${foreign.brand.name} (${foreign.domain}) yet none of its links goes to ${foreign.brand.name}'s sites and ${foreign.host} is a ${foreign.what}: a forged brand sender (a brand's own mail links to its own sites).`, evidence: [foreign.domain, foreign.host] });
    }
    // every web link of an HTML message goes to one or two sites unrelated to the sender
    if (msg.html) {
      const at = msg.from.address.lastIndexOf('@');
      const fd = at >= 0 ? registrable(msg.from.address.slice(at + 1)) : '';
      const doms = new Set<string>();
      for (const l of msg.links) {
        if (l.source !== 'html-href' || doms.size > 3) continue;
        const u = parseUrl(l.href);
        if (u && u.host && (u.scheme === 'http' || u.scheme === 'https')) doms.add(u.domain);
      }
      if (doms.size >= 1 && doms.size <= 2 && !(fd && doms.has(fd))) {
        const list = [...doms];
        hits.set('LINK_SENDER_UNRELATED', { symbol: 'LINK_SENDER_UNRELATED', score: SENDER_UNRELATED_SCORE, kind: 'phishing', reason: `Every link goes to ${list.join(' or ')}, unrelated to the sender's domain ${fd || '(none)'}.`, evidence: list });
      }
    }
    return [...hits.values()];
  },
};

/** Symbols that make a link a throwaway destination (anyone can publish there, or the destination is hidden). */
const THROWAWAY: Partial<Record<string, string>> = {
  LINK_FREE_HOSTING: 'free hosting page', LINK_SHORTENER: 'URL shortener', LINK_IP_HOST: 'bare IP address',
  LINK_IPFS: 'IPFS gateway', LINK_FORM_BUILDER: 'form builder', LINK_USERINFO: 'disguised host', LINK_PUNYCODE: 'punycode host',
};

export const BRAND_SENDER_FOREIGN_SCORE = 2;

/**
 * The From domain is a listed brand's own domain (not a free-mail provider), no web link of the message goes to that
 * brand's domains, and a link goes to a throwaway destination found by the link rules (free hosting, shortener, IP…):
 * the brand's name on the envelope was forged — "contato@bradesco.com.br" whose one button opens a Cloud Run page.
 */
function brandSenderForeignLinks(msg: MessageView, hits: Map<string, SymbolHit>): { brand: Brand; domain: string; host: string; what: string } | null {
  const at = msg.from.address.lastIndexOf('@');
  const domain = at >= 0 ? msg.from.address.slice(at + 1) : '';
  if (!domain.includes('.')) return null;
  const reg = registrable(domain);
  if (FREEMAIL.has(domain) || FREEMAIL.has(reg)) return null;
  // cheap test first: most messages have no throwaway link, and the brand lookup parses the domain per brand
  const flagged = new Map<string, string>();
  for (const [sym, h] of hits) {
    const what = THROWAWAY[sym];
    if (what) for (const e of h.evidence ?? []) flagged.set(e, what);
  }
  if (!flagged.size) return null;
  const brand = BRANDS.find((b) => b.domains.length > 0 && b.labels.length > 0 && brandLegit(b, domain));
  if (!brand) return null;
  let found: { host: string; what: string } | null = null;
  let n = 0;
  for (const l of msg.links) {
    if (l.source === 'html-src' || n++ > 500) continue;
    const u = parseUrl(l.href);
    if (!u || !u.host || (u.scheme !== 'http' && u.scheme !== 'https')) continue;
    if (brandLegit(brand, u.host)) return null;
    const short = l.href.trim().length > 120 ? l.href.trim().slice(0, 117) + '...' : l.href.trim();
    const what = flagged.get(short);
    if (what && !found) found = { host: u.host, what };
  }
  return found ? { brand, domain, ...found } : null;
}

/** Weak on its own: newsletters sent through a mailing provider also link through one tracking domain. */
export const SENDER_UNRELATED_SCORE = 1;
