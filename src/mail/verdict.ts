/**
 * Verdict from symbols: the total score against the thresholds (clean < suspicious ≤ phishing ≤ malicious). The
 * malicious level needs a malware signal among the symbols (otherwise the verdict stops at phishing); a
 * high-confidence malware symbol (score ≥ malware_min) makes the verdict malicious whatever the total, and any
 * malware symbol makes it at least suspicious.
 */
import type { ScanSettings, SymbolHit, Verdict } from './types.js';

export const VERDICTS: Verdict[] = ['clean', 'suspicious', 'phishing', 'malicious'];

export function verdictRank(v: Verdict): number {
  return VERDICTS.indexOf(v);
}

export function worst(a: Verdict, b: Verdict): Verdict {
  return verdictRank(a) >= verdictRank(b) ? a : b;
}

/** Apply score overrides (settings.scores): a symbol scored 0 is dropped. */
export function applyOverrides(hits: SymbolHit[], scores: Record<string, number>): SymbolHit[] {
  const out: SymbolHit[] = [];
  for (const h of hits) {
    const o = scores[h.symbol];
    if (o === undefined) out.push(h);
    else if (o !== 0) out.push({ ...h, score: o });
  }
  return out;
}

export function totalScore(hits: SymbolHit[]): number {
  let t = 0;
  for (const h of hits) t += h.score;
  return Math.round(t * 100) / 100;
}

export function computeVerdict(hits: SymbolHit[], thresholds: ScanSettings['thresholds'], malwareMin: number): { verdict: Verdict; score: number } {
  const score = totalScore(hits);
  const malware = hits.filter((h) => h.kind === 'malware' && h.score > 0);
  let verdict: Verdict = 'clean';
  // "malicious" means a dangerous payload: a total over the malicious threshold counts only when some malware
  // signal is part of it; a very high score made of phishing signals alone stays "phishing"
  if (score >= thresholds.malicious && malware.length) verdict = 'malicious';
  else if (score >= thresholds.phishing) verdict = 'phishing';
  else if (score >= thresholds.suspicious) verdict = 'suspicious';
  for (const h of malware) {
    if (h.score >= malwareMin) verdict = 'malicious';
    else verdict = worst(verdict, 'suspicious');
  }
  return { verdict, score };
}
