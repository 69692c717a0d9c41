/**
 * Sender authentication: SPF, DKIM, DMARC and ARC.
 *
 * - Online (`--online`, or a DNS resolver configured/injected): verified with mailauth 4.x on the raw message.
 *   The client IP, HELO and envelope sender are taken from the top Received header and Return-Path.
 * - Offline: Authentication-Results (RFC 8601) and ARC-Authentication-Results headers are believed ONLY when their
 *   authserv-id is a receiver the user declared trusted (their own MX). Anyone can write such a header into a
 *   message; the top-most one from a trusted receiver wins (a receiver adds its own above what it received).
 */
import type { AuthResults, MessageView, ScanSettings } from './types.js';

export type Resolver = (name: string, rrtype: string) => Promise<unknown>;

/** One parsed Authentication-Results header. */
export interface ParsedAuthResults {
  authservId: string;
  results: Array<{ method: string; result: string; props: Record<string, string> }>;
}

/** Remove RFC 5322 comments "( … )" (nesting-aware, bounded). */
function stripComments(s: string): string {
  let out = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < s.length && i < 65536; i++) {
    const c = s[i];
    if (quoted) {
      out += c;
      if (c === '"') quoted = false;
      continue;
    }
    if (c === '"' && depth === 0) { quoted = true; out += c; continue; }
    if (c === '(') { depth++; continue; }
    if (c === ')' && depth > 0) { depth--; continue; }
    if (depth === 0) out += c;
  }
  return out;
}

/** Parse an Authentication-Results value (or ARC-Authentication-Results without its "i=N;" prefix). */
export function parseAuthResults(value: string): ParsedAuthResults | null {
  const parts = stripComments(value).split(';').map((p) => p.trim()).filter(Boolean);
  // the DMARC policy is often only in a comment: "dmarc=fail (p=reject dis=none)"
  const pol = /dmarc=\w+[^;]{0,200}?\bp=(none|quarantine|reject)\b/i.exec(value.slice(0, 8192));
  if (!parts.length) return null;
  let head = parts[0];
  if (/^i=\d+$/i.test(head)) {
    parts.shift();
    head = parts[0] ?? '';
  }
  const authservId = head.split(/\s+/)[0].toLowerCase();
  if (!authservId || authservId.includes('=')) {
    // headers written without authserv-id (some Microsoft receivers): not attributable to anyone
    return withPolicy({ authservId: '', results: parseResultParts(parts) }, pol?.[1]);
  }
  return withPolicy({ authservId, results: parseResultParts(parts.slice(1)) }, pol?.[1]);
}

function withPolicy(p: ParsedAuthResults, policy: string | undefined): ParsedAuthResults {
  if (policy) for (const r of p.results) if (r.method === 'dmarc' && !r.props['policy.published-domain-policy'] && !r.props.p) r.props.p = policy.toLowerCase();
  return p;
}

function parseResultParts(parts: string[]): ParsedAuthResults['results'] {
  const out: ParsedAuthResults['results'] = [];
  for (const p of parts.slice(0, 50)) {
    const toks = p.split(/\s+/).filter(Boolean);
    const first = toks[0] ?? '';
    const eq = first.indexOf('=');
    if (eq <= 0) continue;
    const method = first.slice(0, eq).toLowerCase();
    const result = first.slice(eq + 1).toLowerCase();
    const props: Record<string, string> = {};
    for (const t of toks.slice(1, 30)) {
      const k = t.indexOf('=');
      if (k > 0) props[t.slice(0, k).toLowerCase()] = t.slice(k + 1).replace(/^"|"$/g, '');
    }
    out.push({ method, result, props });
  }
  return out;
}

/** Is this authserv-id one of the trusted receivers (exact or a subdomain of one)? */
export function isTrusted(authservId: string, trusted: string[]): boolean {
  const id = authservId.toLowerCase().replace(/\.$/, '');
  if (!id) return false;
  return trusted.some((t) => {
    const tt = t.toLowerCase().replace(/\.$/, '');
    return tt !== '' && (id === tt || id.endsWith('.' + tt));
  });
}

function toSummary(p: ParsedAuthResults, source: AuthResults['source']): AuthResults {
  const r: AuthResults = { source, authservId: p.authservId, dkim: [] };
  for (const x of p.results) {
    if (x.method === 'spf') {
      r.spf = x.result;
      const mf = x.props['smtp.mailfrom'] ?? x.props['smtp.helo'];
      if (mf) r.spfDomain = mf.includes('@') ? mf.slice(mf.lastIndexOf('@') + 1) : mf;
    } else if (x.method === 'dkim') {
      if (x.result === 'none') continue; // "dkim=none": no signature
      r.dkim.push({ domain: (x.props['header.d'] ?? x.props['header.i'] ?? '').replace(/^@/, '').toLowerCase(), result: x.result });
    } else if (x.method === 'dmarc') {
      r.dmarc = x.result;
      const pol = x.props['policy.published-domain-policy'] ?? x.props['p'];
      if (pol) r.dmarcPolicy = pol.toLowerCase();
    } else if (x.method === 'arc') r.arc = x.result;
  }
  return r;
}

/** Offline: results written by a trusted receiver, or undefined when none is trusted or present. */
export function trustedHeaderAuth(msg: MessageView, trusted: string[]): AuthResults | undefined {
  if (!trusted.length) return undefined;
  for (const h of msg.headers) {
    if (h.key !== 'authentication-results') continue;
    const p = parseAuthResults(h.value);
    if (p && isTrusted(p.authservId, trusted)) return toSummary(p, 'trusted-header');
  }
  // a trusted sealer's ARC-Authentication-Results (highest instance first)
  let best: { i: number; p: ParsedAuthResults } | undefined;
  for (const h of msg.headers) {
    if (h.key !== 'arc-authentication-results') continue;
    const m = /^\s*i\s*=\s*(\d+)/i.exec(h.value);
    const i = m ? Number(m[1]) : 0;
    const p = parseAuthResults(h.value);
    if (p && isTrusted(p.authservId, trusted) && (!best || i > best.i)) best = { i, p };
  }
  return best ? toSummary(best.p, 'trusted-header') : undefined;
}

interface MailauthResult {
  dkim?: { results?: Array<{ signingDomain?: string; status?: { result?: string; comment?: string; aligned?: string | false } }> };
  spf?: { status?: { result?: string }; domain?: string } | false;
  dmarc?: { status?: { result?: string }; policy?: string; p?: string } | false;
  arc?: { status?: { result?: string } } | false;
}

/** Online: verify with mailauth. `resolver` defaults to the system DNS. Network errors become temperror. */
export async function verifyOnline(raw: Buffer, opts: { resolver?: Resolver; mta?: string; timeoutMs?: number } = {}): Promise<AuthResults> {
  const { authenticate } = (await import('mailauth')) as unknown as {
    authenticate: (input: Buffer, o: Record<string, unknown>) => Promise<MailauthResult>;
  };
  const timeout = opts.timeoutMs ?? 20000;
  let timer: NodeJS.Timeout | undefined;
  try {
    const res = await Promise.race([
      authenticate(raw, {
        trustReceived: true,
        resolver: opts.resolver,
        mta: opts.mta ?? 'vigie.invalid',
        disableBimi: true,
      }),
      new Promise<never>((_, rej) => { timer = setTimeout(() => rej(new Error('authentication timed out')), timeout); }),
    ]);
    const r: AuthResults = { source: 'online', dkim: [] };
    for (const d of res.dkim?.results ?? []) {
      if (!d.signingDomain && d.status?.result === 'none') continue;
      let result = d.status?.result ?? 'none';
      // mailauth reports a body-hash mismatch as "neutral": the signed content was altered, which is a failure
      if (result === 'neutral' && /body hash did not verify/i.test(d.status?.comment ?? '')) result = 'fail';
      r.dkim.push({ domain: (d.signingDomain ?? '').toLowerCase(), result, aligned: Boolean(d.status?.aligned) });
    }
    if (res.spf) {
      r.spf = res.spf.status?.result;
      if (res.spf.domain) r.spfDomain = res.spf.domain;
    }
    if (res.dmarc) {
      r.dmarc = res.dmarc.status?.result;
      const pol = res.dmarc.policy ?? res.dmarc.p;
      if (pol) r.dmarcPolicy = String(pol).toLowerCase();
    }
    if (res.arc) r.arc = res.arc.status?.result;
    return r;
  } catch (e) {
    return { source: 'online', dkim: [], spf: 'temperror', dmarc: 'temperror', authservId: `error: ${(e as Error).message}` };
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/** Resolver using given DNS servers (from the configuration's `resolver:` list). */
export async function serverResolver(servers: string[]): Promise<Resolver> {
  const dns = await import('node:dns');
  const r = new dns.promises.Resolver({ timeout: 5000, tries: 2 });
  r.setServers(servers);
  return (name: string, rrtype: string) => r.resolve(name, rrtype as 'TXT');
}

/** Authentication for one message according to settings: online when allowed, else trusted headers. */
export async function authenticateMessage(
  msg: MessageView,
  settings: ScanSettings,
  opts: { resolver?: Resolver } = {},
): Promise<AuthResults | undefined> {
  if ((settings.online || opts.resolver) && msg.raw) return verifyOnline(msg.raw, { resolver: opts.resolver });
  return trustedHeaderAuth(msg, settings.trustedReceivers);
}
