/** Build MessageView objects by hand for check tests (no parsing involved). */
import { createHash } from 'node:crypto';
import type { Attachment, CheckContext, Link, MessageView, ScanSettings, SymbolHit, Check } from '../../../src/mail/types.js';

export function settings(over: Partial<ScanSettings> = {}): ScanSettings {
  return {
    ownDomains: [], vips: [], trustedReceivers: [], scores: {}, brands: [], online: false,
    thresholds: { suspicious: 5, phishing: 8, malicious: 15 }, ...over,
  };
}

export function ctx(over: Partial<ScanSettings> = {}): CheckContext {
  return { settings: settings(over) };
}

export function attachment(filename: string, content: Uint8Array | string, over: Partial<Attachment> = {}): Attachment {
  const c = typeof content === 'string' ? new Uint8Array(Buffer.from(content, 'latin1')) : content;
  return {
    filename, mimeType: 'application/octet-stream', content: c, size: c.length, disposition: 'attachment',
    sha256: createHash('sha256').update(c).digest('hex'), ...over,
  };
}

export function link(href: string, text = '', source: Link['source'] = 'html-href'): Link {
  return { href, text, source };
}

export function msg(over: Partial<MessageView> & { fromAddr?: string; fromName?: string } = {}): MessageView {
  const { fromAddr, fromName, ...rest } = over;
  return {
    origin: { file: 'test.eml' }, headers: [], from: { address: fromAddr ?? 'alice@example.org', name: fromName ?? 'Alice' },
    replyTo: [], to: [{ address: 'bob@example.net', name: 'Bob' }], cc: [], subject: 'Hello', text: 'Hello Bob, see you tomorrow.',
    html: '', attachments: [], links: [], nested: [], depth: 0, parseProblems: [], size: 1000, rawHeaders: '', ...rest,
  };
}

export async function run(check: Check, m: MessageView, c: CheckContext = ctx()): Promise<SymbolHit[]> {
  return await check.run(m, c);
}

export function symbols(hits: SymbolHit[]): string[] {
  return hits.map((h) => h.symbol).sort();
}

export function hit(hits: SymbolHit[], symbol: string): SymbolHit | undefined {
  return hits.find((h) => h.symbol === symbol);
}
