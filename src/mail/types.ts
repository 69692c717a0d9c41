/**
 * Message analysis model. A message is parsed once into a `MessageView`; independent checks (src/mail/checks/)
 * each look at it and return named symbols with a score and one sentence of explanation (Rspamd's model).
 * The verdict is derived from the symbols' total and kinds (src/mail/verdict.ts).
 */

export interface Address {
  /** lower-cased address, "" when absent or unparseable */
  address: string;
  /** display name as decoded, "" when none */
  name: string;
}

export interface HeaderField {
  /** lower-cased header name */
  key: string;
  /** decoded, unfolded value */
  value: string;
}

export interface Link {
  /** the URL as written (href, src, action or text) */
  href: string;
  /** anchor text (HTML) or "" */
  text: string;
  /** where it came from */
  source: 'html-href' | 'html-form' | 'html-src' | 'text' | 'attachment';
}

export interface Attachment {
  filename: string;
  /** declared MIME type, lower-cased */
  mimeType: string;
  content: Uint8Array;
  size: number;
  disposition: string;
  contentId?: string;
  /** true for inline parts referenced by the HTML (cid:) */
  related?: boolean;
  /** sha256 hex of content */
  sha256: string;
  /** when the attachment was found inside an archive: the archive's filename chain */
  container?: string[];
}

export interface MessageView {
  /** where the message came from: file path, mbox offset, Maildir entry, or a nesting chain for attached messages */
  origin: { file: string; offset?: number; index?: number; nested?: string[] };
  headers: HeaderField[];
  from: Address;
  sender?: Address;
  replyTo: Address[];
  returnPath?: string;
  to: Address[];
  cc: Address[];
  subject: string;
  messageId?: string;
  date?: string;
  /** plain text body (from text/plain, or derived from HTML when there is none) */
  text: string;
  /** HTML body as received ("" when none) */
  html: string;
  /** visible text of the HTML body (script/style dropped, entities decoded); "" when no HTML. Set by parseMessage. */
  htmlText?: string;
  attachments: Attachment[];
  /** every link found in HTML (href, form action, src) and in text */
  links: Link[];
  /** attached messages (message/rfc822, .eml/.msg attachments), analysed separately */
  nested: MessageView[];
  /** nesting depth: 0 for the message given, 1 for a message attached to it… */
  depth: number;
  /** problems met while parsing (limits hit, broken MIME): the message is still analysed */
  parseProblems: string[];
  /** raw size in bytes */
  size: number;
  /** raw header block (for DKIM/ARC verification) */
  rawHeaders: string;
  /** raw message bytes, kept only for authentication when requested */
  raw?: Buffer;
}

/** One named signal on a message. */
export interface SymbolHit {
  /** UPPER_SNAKE name, stable: users set scores by it */
  symbol: string;
  /** contribution to the total (negative values lower suspicion) */
  score: number;
  /** one plain sentence saying what was seen, with the evidence (domain, file name, phrase…) */
  reason: string;
  /** kind of danger: drives the verdict beyond the bare total */
  kind?: 'phishing' | 'malware' | 'spoofing' | 'spam' | 'info';
  /** indicators this symbol is about (URLs, domains, file hashes…) */
  evidence?: string[];
}

/** Organisation settings checks need (from the configuration file; all optional). */
export interface ScanSettings {
  /** the organisation's own domains (lookalikes of them are suspicious; mail claiming them must authenticate) */
  ownDomains: string[];
  /** people often impersonated: display names and their real addresses */
  vips: Array<{ name: string; addresses: string[] }>;
  /** hostnames (authserv-id) of receivers whose Authentication-Results / ARC headers are trusted */
  trustedReceivers: string[];
  /** symbol → score overrides */
  scores: Record<string, number>;
  /** verdict thresholds on the total score */
  thresholds: { suspicious: number; phishing: number; malicious: number };
  /** extra brand names and their legitimate domains */
  brands: Array<{ name: string; domains: string[] }>;
  /** network lookups allowed (--online) */
  online: boolean;
}

/** Authentication outcome for one message (src/mail/auth.ts): verified online, or read from a trusted receiver. */
export interface AuthResults {
  /** 'online': verified with mailauth; 'trusted-header': Authentication-Results/ARC of a trusted receiver; 'none' */
  source: 'online' | 'trusted-header' | 'none';
  /** authserv-id of the trusted receiver whose results were used */
  authservId?: string;
  /** pass, fail, softfail, neutral, none, temperror, permerror (lower-case) */
  spf?: string;
  /** one entry per DKIM signature: signing domain and result */
  dkim: Array<{ domain: string; result: string; aligned?: boolean }>;
  dmarc?: string;
  /** DMARC policy of the From domain when known (none, quarantine, reject) */
  dmarcPolicy?: string;
  arc?: string;
  /** envelope sender domain the SPF result is about */
  spfDomain?: string;
}

export interface CheckContext {
  settings: ScanSettings;
  /** authentication results, when verified online or read from a trusted receiver (absent: unknown) */
  auth?: AuthResults;
}

/** A check inspects one message and returns symbols. Checks must not throw for hostile input (the runner guards). */
export interface Check {
  name: string;
  run(msg: MessageView, ctx: CheckContext): SymbolHit[] | Promise<SymbolHit[]>;
}

export type Verdict = 'clean' | 'suspicious' | 'phishing' | 'malicious';
