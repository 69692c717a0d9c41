/**
 * Scan engine: runs every check of CHECKS on a message and on each attached message, each check guarded (a check
 * that throws becomes the symbol CHECK_FAILED, never a crash), applies score overrides, computes the verdict and
 * extracts indicators (URLs, domains, IPs, attachment hashes).
 */
import { CHECKS } from './checks/index.js';
import { authenticateMessage, type Resolver } from './auth.js';
import { applyOverrides, computeVerdict, worst } from './verdict.js';
import { domainOf } from './message.js';
import type { Check, CheckContext, MessageView, ScanSettings, SymbolHit, Verdict } from './types.js';
import type { ScanConfig } from './config.js';

export interface Indicators {
  urls: string[];
  domains: string[];
  ips: string[];
  hashes: Array<{ sha256: string; filename: string; size: number }>;
}

export interface ScanResult {
  file: string;
  offset?: number;
  index?: number;
  /** nesting chain for attached messages */
  nested_in?: string[];
  verdict: Verdict;
  /** this message's own total (attached messages have their own) */
  score: number;
  from: string;
  subject: string;
  symbols: SymbolHit[];
  indicators: Indicators;
  /** results of attached messages (message/rfc822, .eml, .msg) */
  attached: ScanResult[];
  problems: string[];
  /** authentication summary (online or from a trusted receiver) */
  auth?: string;
}

export interface ScanOptions {
  config: ScanConfig;
  /** DNS resolver for online authentication (tests inject one) */
  resolver?: Resolver;
  /** checks to run (default CHECKS) */
  checks?: Check[];
}

const MAX_IND = 200;

function addUnique(list: string[], seen: Set<string>, v: string): void {
  if (!v || seen.has(v) || list.length >= MAX_IND) return;
  seen.add(v);
  list.push(v);
}

function ipv4Public(ip: string): boolean {
  const p = ip.split('.').map(Number);
  if (p.length !== 4 || p.some((x) => !(x >= 0 && x <= 255))) return false;
  if (p[0] === 10 || p[0] === 127 || p[0] === 0 || p[0] >= 224) return false;
  if (p[0] === 172 && p[1] >= 16 && p[1] <= 31) return false;
  if (p[0] === 192 && p[1] === 168) return false;
  if (p[0] === 169 && p[1] === 254) return false;
  if (p[0] === 100 && p[1] >= 64 && p[1] <= 127) return false;
  return true;
}

function hostOf(href: string): string | null {
  const m = /^(?:https?|hxxps?|ftp):\/\/([^/?#\\\s]{1,300})/i.exec(href) ?? /^(www\.[^/?#\\\s]{1,300})/i.exec(href);
  if (!m) return null;
  let h = m[1];
  const at = h.lastIndexOf('@');
  if (at >= 0) h = h.slice(at + 1);
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') > 0 ? h.indexOf(']') : undefined).toLowerCase();
  h = h.replace(/:\d*$/, '');
  return h.toLowerCase().replace(/\.+$/, '');
}

/** URLs, domains, public IPs (link hosts and Received "[a.b.c.d]"), attachment hashes. */
export function indicators(msg: MessageView): Indicators {
  const urls: string[] = [];
  const domains: string[] = [];
  const ips: string[] = [];
  const su = new Set<string>();
  const sd = new Set<string>();
  const si = new Set<string>();
  for (const l of msg.links) {
    const h = l.href;
    if (/^(https?|hxxps?|ftp):\/\//i.test(h) || /^www\./i.test(h)) {
      if (l.source === 'html-src' && /^https?:\/\/[^/]*\/[^?]*\.(png|gif|jpe?g|css|woff2?)(\?|$)/i.test(h)) {
        // images and styles: host kept as an indicator, URL not
      } else addUnique(urls, su, h.slice(0, 2048));
      const host = hostOf(h);
      if (!host) continue;
      if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':')) addUnique(ips, si, host);
      else addUnique(domains, sd, host);
    }
  }
  for (const a of [msg.from.address, msg.returnPath, ...msg.replyTo.map((r) => r.address)]) {
    const d = domainOf(a);
    if (d) addUnique(domains, sd, d);
  }
  for (const h of msg.headers) {
    if (h.key !== 'received') continue;
    const re = /\[(\d{1,3}(?:\.\d{1,3}){3})\]/g;
    let m: RegExpExecArray | null;
    let n = 0;
    while ((m = re.exec(h.value.slice(0, 2000))) !== null && n++ < 5) if (ipv4Public(m[1])) addUnique(ips, si, m[1]);
  }
  const hashes = msg.attachments.slice(0, MAX_IND).map((a) => ({ sha256: a.sha256, filename: a.filename, size: a.size }));
  return { urls, domains, ips, hashes };
}

/** Run one check with a guard: thrown errors become CHECK_FAILED. */
async function runCheck(check: Check, msg: MessageView, ctx: CheckContext): Promise<SymbolHit[]> {
  try {
    const r = await check.run(msg, ctx);
    if (!Array.isArray(r)) return [];
    return r.filter((h) => h && typeof h.symbol === 'string' && Number.isFinite(h.score));
  } catch (e) {
    const m = (e as Error)?.message ?? String(e);
    return [{ symbol: 'CHECK_FAILED', score: 0, kind: 'info', reason: `check "${check.name}" failed on this message (${m.slice(0, 200)}); its signals are missing` }];
  }
}

function authLine(ctx: CheckContext): string | undefined {
  const a = ctx.auth;
  if (!a) return undefined;
  const dk = a.dkim.length ? a.dkim.map((d) => `${d.result}(${d.domain || '?'})`).join(',') : 'none';
  return `${a.source}${a.authservId ? ' ' + a.authservId : ''}: spf=${a.spf ?? 'none'} dkim=${dk} dmarc=${a.dmarc ?? 'none'}${a.arc ? ' arc=' + a.arc : ''}`;
}

/** Scan one parsed message (and its attached messages, recursively). */
export async function scanMessage(msg: MessageView, opts: ScanOptions): Promise<ScanResult> {
  const settings: ScanSettings = opts.config.settings;
  const ctx: CheckContext = { settings };
  try {
    const auth = await authenticateMessage(msg, settings, { resolver: opts.resolver });
    if (auth) ctx.auth = auth;
  } catch {
    // authentication problems leave auth unknown
  }
  const hits: SymbolHit[] = [];
  for (const check of opts.checks ?? CHECKS) hits.push(...(await runCheck(check, msg, ctx)));
  const symbols = applyOverrides(hits, settings.scores).sort((a, b) => b.score - a.score || a.symbol.localeCompare(b.symbol));
  const { verdict: own, score } = computeVerdict(symbols, settings.thresholds, opts.config.malwareMin);
  const attached: ScanResult[] = [];
  let verdict = own;
  for (const n of msg.nested) {
    const r = await scanMessage(n, opts);
    attached.push(r);
    verdict = worst(verdict, r.verdict);
  }
  const res: ScanResult = {
    file: msg.origin.file,
    verdict,
    score,
    from: msg.from.name ? `${msg.from.name} <${msg.from.address}>` : msg.from.address,
    subject: msg.subject,
    symbols,
    indicators: indicators(msg),
    attached,
    problems: msg.parseProblems.slice(0, 50),
  };
  if (msg.origin.offset !== undefined) res.offset = msg.origin.offset;
  if (msg.origin.index !== undefined) res.index = msg.origin.index;
  if (msg.origin.nested?.length) res.nested_in = msg.origin.nested;
  const al = authLine(ctx);
  if (al) res.auth = al;
  return res;
}
