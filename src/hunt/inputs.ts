/** Small user-supplied files: exclusion lists, watchlists, honey lists, placeholder files. */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

const MAX_FILE = 16 * 1024 * 1024;

function readText(path: string): string {
  const buf = readFileSync(path);
  if (buf.length > MAX_FILE) throw new Error(`${path}: larger than ${MAX_FILE} bytes`);
  let text: string;
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) text = buf.subarray(2).toString('utf16le');
  else if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) {
    const sw = Buffer.from(buf.subarray(2));
    sw.swap16();
    text = sw.toString('utf16le');
  } else text = buf.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return text;
}

/** One entry a line; blank lines and lines starting with # are ignored; surrounding spaces trimmed. NFC-normalised. */
export function readListFile(path: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const raw of readText(path).split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const v = line.normalize('NFC');
    if (!seen.has(v)) {
      seen.add(v);
      out.push(v);
    }
  }
  return out;
}

function strList(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  const arr = Array.isArray(v) ? v : [v];
  return arr.filter((x) => typeof x === 'string' || typeof x === 'number').map((x) => String(x).trim()).filter((x) => x !== '');
}

function stripAngle(id: string): string {
  const t = id.trim();
  return t.startsWith('<') && t.endsWith('>') ? t.slice(1, -1).trim() : t;
}

/**
 * Honey file: lines `message-id: <id>` and `mailbox: user@domain` (# comments), or YAML
 * `{message_ids: [...], mailboxes: [...]}`. Message ids are kept without angle brackets.
 */
export function readHoneyFile(path: string): { messageIds: string[]; mailboxes: string[] } {
  const text = readText(path);
  const messageIds: string[] = [];
  const mailboxes: string[] = [];
  let yamlDoc: unknown;
  if (/^\s*(message_ids|mailboxes)\s*:/m.test(text)) {
    try {
      yamlDoc = parseYaml(text, { maxAliasCount: 100 });
    } catch {
      yamlDoc = undefined;
    }
  }
  if (yamlDoc && typeof yamlDoc === 'object' && !Array.isArray(yamlDoc)) {
    const d = yamlDoc as Record<string, unknown>;
    for (const id of strList(d.message_ids ?? d.messageIds)) messageIds.push(stripAngle(id));
    for (const m of strList(d.mailboxes)) mailboxes.push(m.toLowerCase());
  } else {
    for (const raw of text.split(/\r?\n/)) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      const m = /^(message-id|message_id|messageid|mailbox)\s*[:=]\s*(.+)$/i.exec(line);
      if (!m) throw new Error(`${path}: cannot read line "${line.slice(0, 80)}" (expected "message-id: <id>" or "mailbox: user@domain")`);
      const key = m[1].toLowerCase();
      if (key === 'mailbox') mailboxes.push(m[2].trim().toLowerCase());
      else messageIds.push(stripAngle(m[2]));
    }
  }
  return { messageIds: [...new Set(messageIds)], mailboxes: [...new Set(mailboxes)] };
}

/** YAML mapping placeholder name → list of values (a single value is taken as a one-item list). */
export function readPlaceholdersFile(path: string): Record<string, string[]> {
  const doc = parseYaml(readText(path), { maxAliasCount: 100 }) as unknown;
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`${path}: expected a YAML mapping of placeholder name → list of values`);
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
    out[k.replace(/^%|%$/g, '')] = strList(v);
  }
  return out;
}
