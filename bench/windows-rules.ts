/**
 * The hunt benches' rule set: every SigmaHQ rule folder's Windows part (rules, emerging threats, threat hunting,
 * placeholder, compliance) under a sigma checkout, the folders that exist. Vigie's own pack is added by
 * `builtinRules: true`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export function windowsRulePaths(sigma: string): string[] {
  return ['rules/windows', 'rules-emerging-threats', 'rules-threat-hunting/windows', 'rules-placeholder/windows', 'rules-compliance']
    .map((p) => join(sigma, p))
    .filter(existsSync);
}
