/**
 * `vigie scan` configuration: a YAML file (`--config FILE`) with the organisation's own domains, VIPs, trusted
 * receivers (authserv-ids of their own MX), extra brands, score overrides, verdict thresholds, limits, and whether
 * network checks are allowed. Every key is optional; embedded defaults apply. Keys may be written snake_case or
 * camelCase. Unknown keys are an error (a typo must not silently disable a protection).
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { ScanSettings } from './types.js';
import type { ParseLimits } from './message.js';

/** Verdict thresholds on the total score (tuned on the development half of the corpora, see docs/scan.md). */
export const DEFAULT_THRESHOLDS: ScanSettings['thresholds'] = { suspicious: 5, phishing: 8, malicious: 15 };

/** A symbol of kind "malware" with at least this score makes the verdict "malicious" whatever the total. */
export const DEFAULT_MALWARE_MIN = 6;

export interface ScanConfig {
  settings: ScanSettings;
  /** DNS servers for online authentication (implies network access for authentication only) */
  resolver: string[];
  limits: Partial<ParseLimits>;
  malwareMin: number;
  /** the file it came from, if any */
  file?: string;
}

export function defaultSettings(): ScanSettings {
  return {
    ownDomains: [],
    vips: [],
    trustedReceivers: [],
    scores: {},
    thresholds: { ...DEFAULT_THRESHOLDS },
    brands: [],
    online: false,
  };
}

export function defaultConfig(): ScanConfig {
  return { settings: defaultSettings(), resolver: [], limits: {}, malwareMin: DEFAULT_MALWARE_MIN };
}

export class ConfigError extends Error {}

const KEYS = new Set([
  'own_domains', 'vips', 'trusted_receivers', 'scores', 'thresholds', 'brands', 'online', 'resolver', 'limits',
  'malware_min',
]);
const LIMIT_KEYS: Record<string, keyof ParseLimits> = {
  max_size: 'maxSize', max_header_size: 'maxHeaderSize', max_mime_depth: 'maxMimeDepth', max_parts: 'maxParts',
  max_nested_depth: 'maxNestedDepth', max_links: 'maxLinks',
};

function snake(k: string): string {
  return k.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase()).replace(/-/g, '_');
}

function strList(v: unknown, what: string): string[] {
  if (v === undefined || v === null) return [];
  const arr = Array.isArray(v) ? v : [v];
  return arr.map((x) => {
    if (typeof x !== 'string' || !x.trim()) throw new ConfigError(`${what}: expected a list of non-empty strings`);
    return x.trim();
  });
}

function domainList(v: unknown, what: string): string[] {
  return strList(v, what).map((d) => d.toLowerCase().replace(/^@/, '').replace(/\.$/, ''));
}

function num(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ConfigError(`${what}: expected a number`);
  return v;
}

/** Build a configuration from a parsed YAML document (object). Throws ConfigError with the faulty key. */
export function configFromObject(doc: unknown, file?: string): ScanConfig {
  const cfg = defaultConfig();
  cfg.file = file;
  if (doc === null || doc === undefined) return cfg;
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError('the configuration must be a mapping of keys');
  const s = cfg.settings;
  for (const [rawKey, v] of Object.entries(doc as Record<string, unknown>)) {
    const key = snake(rawKey);
    if (!KEYS.has(key)) throw new ConfigError(`unknown key "${rawKey}" (known: ${[...KEYS].join(', ')})`);
    switch (key) {
      case 'own_domains':
        s.ownDomains = domainList(v, 'own_domains');
        break;
      case 'trusted_receivers':
        s.trustedReceivers = domainList(v, 'trusted_receivers');
        break;
      case 'vips':
      case 'brands': {
        if (!Array.isArray(v)) throw new ConfigError(`${key}: expected a list of {name, ${key === 'vips' ? 'addresses' : 'domains'}}`);
        const list = v.map((e, i) => {
          if (!e || typeof e !== 'object') throw new ConfigError(`${key}[${i}]: expected {name, …}`);
          const o = e as Record<string, unknown>;
          if (typeof o.name !== 'string' || !o.name.trim()) throw new ConfigError(`${key}[${i}].name: expected a string`);
          return { name: o.name.trim(), list: key === 'vips' ? strList(o.addresses, `${key}[${i}].addresses`).map((a) => a.toLowerCase()) : domainList(o.domains, `${key}[${i}].domains`) };
        });
        if (key === 'vips') s.vips = list.map((x) => ({ name: x.name, addresses: x.list }));
        else s.brands = list.map((x) => ({ name: x.name, domains: x.list }));
        break;
      }
      case 'scores': {
        if (!v || typeof v !== 'object' || Array.isArray(v)) throw new ConfigError('scores: expected a mapping SYMBOL: number');
        for (const [sym, sc] of Object.entries(v as Record<string, unknown>)) {
          if (!/^[A-Z0-9_]+$/.test(sym)) throw new ConfigError(`scores: "${sym}" is not a symbol name (UPPER_SNAKE)`);
          s.scores[sym] = num(sc, `scores.${sym}`);
        }
        break;
      }
      case 'thresholds': {
        if (!v || typeof v !== 'object' || Array.isArray(v)) throw new ConfigError('thresholds: expected {suspicious, phishing, malicious}');
        for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
          if (k !== 'suspicious' && k !== 'phishing' && k !== 'malicious') throw new ConfigError(`thresholds: unknown key "${k}"`);
          s.thresholds[k] = num(x, `thresholds.${k}`);
        }
        checkThresholds(s.thresholds);
        break;
      }
      case 'online':
        if (typeof v !== 'boolean') throw new ConfigError('online: expected true or false');
        s.online = v;
        break;
      case 'resolver':
        cfg.resolver = strList(v, 'resolver');
        break;
      case 'malware_min':
        cfg.malwareMin = num(v, 'malware_min');
        break;
      case 'limits': {
        if (!v || typeof v !== 'object' || Array.isArray(v)) throw new ConfigError('limits: expected a mapping');
        for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
          const lk = Object.hasOwn(LIMIT_KEYS, snake(k)) ? LIMIT_KEYS[snake(k)] : undefined;
          if (!lk) throw new ConfigError(`limits: unknown key "${k}" (known: ${Object.keys(LIMIT_KEYS).join(', ')})`);
          const n = num(x, `limits.${k}`);
          if (n < 0 || !Number.isInteger(n)) throw new ConfigError(`limits.${k}: expected a whole number ≥ 0`);
          (cfg.limits as Record<string, number>)[lk] = n;
        }
        break;
      }
    }
  }
  return cfg;
}

export function checkThresholds(t: ScanSettings['thresholds']): void {
  if (!(t.suspicious <= t.phishing && t.phishing <= t.malicious)) {
    throw new ConfigError(`thresholds must satisfy suspicious ≤ phishing ≤ malicious (got ${t.suspicious}, ${t.phishing}, ${t.malicious})`);
  }
}

/** Load a YAML configuration file; ConfigError on unreadable or invalid content. */
export function loadConfig(file?: string): ScanConfig {
  if (!file) return defaultConfig();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read configuration ${file}: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 100 });
  } catch (e) {
    throw new ConfigError(`configuration ${file} is not valid YAML: ${(e as Error).message}`);
  }
  try {
    return configFromObject(doc, file);
  } catch (e) {
    throw new ConfigError(`configuration ${file}: ${(e as Error).message}`);
  }
}

/** An example configuration (printed by `vigie scan --print-config`). */
export const EXAMPLE_CONFIG = `# vigie scan configuration (every key optional)
own_domains: [example.org, example.com]   # lookalikes are flagged; mail claiming them must authenticate
vips:                                     # people often impersonated
  - name: Jane Doe
    addresses: [jane.doe@example.org]
trusted_receivers: [mx.example.org]       # authserv-ids whose Authentication-Results / ARC results are believed
brands:                                   # extra brands (added to the built-in list)
  - name: Example Bank
    domains: [examplebank.com]
scores:                                   # per-symbol score overrides (0 disables a symbol)
  REPLYTO_FREEMAIL: 4
thresholds: { suspicious: ${DEFAULT_THRESHOLDS.suspicious}, phishing: ${DEFAULT_THRESHOLDS.phishing}, malicious: ${DEFAULT_THRESHOLDS.malicious} }
malware_min: ${DEFAULT_MALWARE_MIN}                             # a malware symbol scoring this much makes the verdict malicious
online: false                             # true: verify SPF/DKIM/DMARC/ARC with DNS (same as --online)
# resolver: [192.0.2.53]                  # DNS servers for online verification
limits: { max_size: 33554432, max_parts: 300, max_nested_depth: 4, max_mime_depth: 40 }
`;
