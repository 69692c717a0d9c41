/**
 * Defender-supplied terms (--watchlist, --honey) as `expand` placeholder values, and Unicode-robust matching.
 *
 * Placeholder values are Sigma strings (`*` `?` wildcards, `\` escapes): right for a --placeholders file written
 * by a Sigma author, wrong for a watchlist term such as `Q3*2024` or `C:\Share\Summit?`, which must match as
 * written. `sigmaLiteral` escapes a term so that the engine reads it back literally.
 *
 * Text may reach us composed (NFC "é") or decomposed (NFD "e" + U+0301: macOS exports, some mail clients, Hangul
 * in jamo). Rules that use placeholders get NFC placeholder values and read their fields through `nfcGetter`; other
 * rules are untouched, so the general path pays nothing.
 */
import type { FieldValue } from '../event.js';

/** Escape `\`, `*` and `?` so that the Sigma string parser gives back `s` literally. */
export function sigmaLiteral(s: string): string {
  return /[\\*?]/.test(s) ? s.replace(/[\\*?]/g, (c) => '\\' + c) : s;
}

/** NFC form of a string; ASCII (and already-composed text) is returned as is. */
export function nfc(s: string): string {
  // every ASCII string is NFC: skip the normaliser for the common case
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return s.normalize('NFC');
  return s;
}

/** Terms → literal, NFC placeholder values (empty terms dropped). */
export function literalValues(terms: string[]): string[] {
  const out: string[] = [];
  for (const t of terms) if (t !== '') out.push(sigmaLiteral(nfc(t)));
  return out;
}

/** Placeholder values (Sigma strings, from a --placeholders file) in NFC; wildcards and escapes kept. */
export function nfcValues(values: string[]): string[] {
  return values.map((v) => nfc(String(v)));
}

const MAX_DEPTH = 16;

export function nfcValue(v: FieldValue | undefined, depth = 0): FieldValue | undefined {
  if (typeof v === 'string') return nfc(v);
  if (Array.isArray(v) && depth < MAX_DEPTH) {
    let out: FieldValue[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const x = v[i]!;
      const y = nfcValue(x, depth + 1)!;
      if (y !== x) (out ??= v.slice())[i] = y;
    }
    return out ?? v;
  }
  return v;
}

/** A getter that returns string field values (and string elements of lists) in NFC. */
export function nfcGetter(get: (field: string) => FieldValue | undefined): (field: string) => FieldValue | undefined {
  return (field) => nfcValue(get(field), 0);
}
