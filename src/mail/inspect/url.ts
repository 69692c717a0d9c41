/**
 * URL and domain helpers for the content checks: a tolerant URL parser (never resolves or fetches anything),
 * registrable-domain lookup with tldts (private suffixes on, so x.web.app is its own site), host-suffix sets.
 */
import { parse as tldParse } from 'tldts';
import { domainToUnicode } from 'node:url';

export interface UrlInfo {
  raw: string;
  scheme: string;
  /** lower-cased host without brackets, "" when none */
  host: string;
  port: string;
  path: string;
  query: string;
  /** username[:password] before @ in the authority, "" when none */
  userinfo: string;
  isIp: boolean;
  /** registrable domain (eTLD+1 with private suffixes), or the host when none (IP, single label) */
  domain: string;
  /** the registrable domain's first label (e.g. "paypa1-secure" for paypa1-secure.xyz) */
  label: string;
  /** public suffix (ICANN only, for "is this a real TLD") */
  subdomain: string;
}

const cache = new Map<string, ReturnType<typeof tldParse>>();
function tld(host: string): ReturnType<typeof tldParse> {
  let r = cache.get(host);
  if (!r) {
    r = tldParse(host, { allowPrivateDomains: true, extractHostname: false, validateHostname: false });
    if (cache.size > 50_000) cache.clear();
    cache.set(host, r);
  }
  return r;
}

/** Registrable domain of a host (private suffixes honoured), or the host itself when none. */
export function registrable(host: string): string {
  const h = host.toLowerCase().replace(/\.$/, '');
  if (!h) return '';
  const r = tld(h);
  if (r.isIp) return h;
  return r.domain ?? h;
}

/** ICANN-only registrable domain (so a Google Cloud Functions host gives cloudfunctions.net). */
export function icannDomain(host: string): string {
  const r = tldParse(host, { allowPrivateDomains: false, extractHostname: false, validateHostname: false });
  return r.domain ?? host;
}

const urlCache = new Map<string, UrlInfo | null>();

/**
 * Parse a link href tolerantly. Returns null for non-URL text (mailto:, cid:, relative paths, anchors). Results are
 * memoised (bounded) because the lookalike, link and QR checks parse the same links; callers must not mutate them.
 */
export function parseUrl(href: string): UrlInfo | null {
  if (href.length > 2048) return parseUrlUncached(href);
  const hit = urlCache.get(href);
  if (hit !== undefined) return hit;
  const r = parseUrlUncached(href);
  if (urlCache.size >= 5000) urlCache.clear();
  urlCache.set(href, r);
  return r;
}

function parseUrlUncached(href: string): UrlInfo | null {
  let s = href.trim();
  if (!s) return null;
  if (s.length > 8192) s = s.slice(0, 8192);
  s = s.replace(/^hxxp/i, 'http');
  const sm = /^([a-zA-Z][a-zA-Z0-9+.-]{0,20}):/.exec(s);
  let scheme = sm ? sm[1].toLowerCase() : '';
  if (!scheme) {
    if (/^www\./i.test(s)) { s = 'http://' + s; scheme = 'http'; }
    else if (s.startsWith('//')) { s = 'http:' + s; scheme = 'http'; }
    else return null;
  }
  if (scheme !== 'http' && scheme !== 'https' && scheme !== 'ftp') {
    return { raw: href, scheme, host: '', port: '', path: '', query: '', userinfo: '', isIp: false, domain: '', label: '', subdomain: '' };
  }
  // authority by hand first: WHATWG URL would normalise away tricks we want to see (userinfo, backslashes)
  let rest = s.slice(scheme.length + 1).replace(/\\/g, '/');
  rest = rest.replace(/^\/+/, '');
  const endAuth = rest.search(/[/?#]/);
  const authority = endAuth < 0 ? rest : rest.slice(0, endAuth);
  const after = endAuth < 0 ? '' : rest.slice(endAuth);
  const at = authority.lastIndexOf('@');
  const userinfo = at >= 0 ? authority.slice(0, at) : '';
  let hostport = at >= 0 ? authority.slice(at + 1) : authority;
  let port = '';
  if (hostport.startsWith('[')) {
    const close = hostport.indexOf(']');
    port = close >= 0 && hostport[close + 1] === ':' ? hostport.slice(close + 2) : '';
    hostport = close >= 0 ? hostport.slice(1, close) : hostport.slice(1);
  } else {
    const c = hostport.lastIndexOf(':');
    if (c >= 0) { port = hostport.slice(c + 1); hostport = hostport.slice(0, c); }
  }
  let host = hostport.toLowerCase().replace(/\.+$/, '');
  try { host = decodeURIComponent(host); } catch { /* keep */ }
  // IDN hosts: keep the ASCII (punycode) form
  if (/[^\x00-\x7f]/.test(host)) {
    try { const u = new URL('http://' + host.replace(/[\s]/g, '')); host = u.hostname; } catch { /* keep */ }
  }
  const q = after.indexOf('?');
  const h = after.indexOf('#');
  const path = q >= 0 ? after.slice(0, q) : h >= 0 ? after.slice(0, h) : after;
  const query = q >= 0 ? after.slice(q + 1, h > q ? h : undefined) : '';
  const isIp = isIpHost(host);
  let domain = host;
  let label = host;
  let subdomain = '';
  if (!isIp && host) {
    const r = tld(host);
    domain = r.domain ?? host;
    label = r.domainWithoutSuffix ?? host.split('.')[0];
    subdomain = r.subdomain ?? '';
  }
  return { raw: href, scheme, host, port, path, query, userinfo, isIp, domain, label, subdomain };
}

/** Dotted IPv4 (also decimal/hex/octal forms browsers accept) or IPv6 literal. */
export function isIpHost(host: string): boolean {
  if (!host) return false;
  if (host.includes(':')) return /^[0-9a-f:.]+$/i.test(host);
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return true;
  if (/^(0x[0-9a-f]+|\d{8,10})$/i.test(host)) return true;
  if (/^(0x[0-9a-f]{1,2}|0[0-7]{1,3}|\d{1,3})(\.(0x[0-9a-f]{1,2}|0[0-7]{1,3}|\d{1,3})){3}$/i.test(host)) return true;
  return false;
}

/** Unicode form of a punycode host, for display. */
export function hostToUnicode(host: string): string {
  try { return domainToUnicode(host) || host; } catch { return host; }
}

/** A set of host suffixes (and optional path prefixes "docs.google.com/forms") matched on label boundaries. */
export class HostSet {
  private hosts = new Set<string>();
  private paths = new Map<string, string[]>();
  constructor(entries: string[]) {
    for (const e of entries) {
      const k = e.toLowerCase();
      const slash = k.indexOf('/');
      if (slash < 0) this.hosts.add(k);
      else {
        const h = k.slice(0, slash);
        const list = this.paths.get(h) ?? [];
        list.push(k.slice(slash));
        this.paths.set(h, list);
      }
    }
  }
  /** the matching entry, or null */
  match(host: string, path = ''): string | null {
    let h = host;
    const lp = path.toLowerCase();
    for (let guard = 0; guard < 12 && h; guard++) {
      if (this.hosts.has(h)) return h;
      const ps = this.paths.get(h);
      if (ps) for (const p of ps) if (lp.startsWith(p)) return h + p;
      const dot = h.indexOf('.');
      if (dot < 0) break;
      h = h.slice(dot + 1);
    }
    return null;
  }
}

/** Query parameters as [name, value] (values percent-decoded when possible), bounded. */
export function queryParams(query: string, max = 50): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (!query) return out;
  for (const part of query.split('&')) {
    if (out.length >= max) break;
    const eq = part.indexOf('=');
    const k = (eq < 0 ? part : part.slice(0, eq)).toLowerCase();
    let v = eq < 0 ? '' : part.slice(eq + 1);
    try { v = decodeURIComponent(v.replace(/\+/g, ' ')); } catch { /* keep */ }
    out.push([k, v]);
  }
  return out;
}
