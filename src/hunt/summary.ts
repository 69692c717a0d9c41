/** Human-readable hunt summary (printed on stderr by `vigie hunt`). */
import { safeText } from '../sinks/index.js';
import type { HuntSummary } from './index.js';

const n = (x: number) => x.toLocaleString('en-US');
const plural = (x: number, one: string, many = one + 's') => `${n(x)} ${x === 1 ? one : many}`;

export interface SummaryTextOptions {
  /** how many rules / problems to list in each section */
  limit?: number;
  verbose?: boolean;
}

export function summaryText(s: HuntSummary, opts: SummaryTextOptions = {}): string {
  const limit = opts.verbose ? Infinity : (opts.limit ?? 15);
  const out: string[] = [];
  const line = (t = '') => out.push(safeText(t));

  line('── Vigie hunt summary ' + '─'.repeat(40));
  const fmts = Object.entries(s.formats).sort((a, b) => b[1].records - a[1].records)
    .map(([f, x]) => `${f}: ${plural(x.files, 'file')}, ${plural(x.records, 'record')}`);
  line(`Input      ${plural(s.files, 'file')} read, ${plural(s.records, 'record')}${fmts.length ? ` (${fmts.join('; ')})` : ''} in ${(s.durationMs / 1000).toFixed(1)} s`);
  if (s.missing.length) line(`           missing: ${s.missing.join(', ')}`);
  if (s.unsupported.length) {
    line(`           ${plural(s.unsupported.length, 'file')} in no supported format: ${s.unsupported.slice(0, 5).join(', ')}${s.unsupported.length > 5 ? ', …' : ''}`);
  }
  if (s.outOfRange) line(`           ${plural(s.outOfRange, 'record')} outside --from/--to`);
  if (s.skipped) {
    line(`           ${plural(s.skipped, 'record')} skipped or unreadable:`);
    for (const e of s.errors.slice(0, Math.min(limit, 10))) {
      const where = e.line !== undefined ? `:${e.line}` : e.offset !== undefined ? ` @${e.offset}` : '';
      line(`             ${e.file}${where}: ${e.message}`);
    }
    if (s.errors.length > Math.min(limit, 10) || s.skipped > s.errors.length) line(`             … (${n(s.skipped - Math.min(limit, 10, s.errors.length))} more)`);
  }

  const r = s.rules;
  line(
    `Rules      ${n(r.loaded)} loaded from ${plural(r.files, 'file')}` +
      `${r.correlations ? `, ${plural(r.correlations, 'correlation')}` : ''}${r.filters ? `, ${plural(r.filters, 'filter')}` : ''}` +
      `; ${n(r.failed.length)} failed; ${n(r.inactive.length)} inactive; ${n(r.deselected)} not selected`,
  );
  if (r.failed.length) {
    const reasons = new Map<string, number>();
    for (const f of r.failed) {
      const key = f.reason.length > 100 ? f.reason.slice(0, 99) + '…' : f.reason;
      reasons.set(key, (reasons.get(key) ?? 0) + 1);
    }
    line(`           failed, by reason (vigie rules lint shows each rule):`);
    for (const [k, c] of [...reasons].sort((a, b) => b[1] - a[1]).slice(0, Math.min(limit, 8))) line(`             ${String(c).padStart(5)}  ${k}`);
  }
  if (r.inactive.length) {
    const byOpt = new Map<string, string[]>();
    for (const i of r.inactive) byOpt.set(i.activate, [...(byOpt.get(i.activate) ?? []), i.title]);
    line(`           inactive until a placeholder is given:`);
    const groups = [...byOpt].sort((a, b) => b[1].length - a[1].length);
    for (const [opt, titles] of groups.slice(0, limit === Infinity ? undefined : 6)) {
      line(`             ${plural(titles.length, 'rule')} ${titles.length === 1 ? 'needs' : 'need'} ${opt}: ${titles.slice(0, 3).join('; ')}${titles.length > 3 ? '; …' : ''}`);
    }
    if (limit !== Infinity && groups.length > 6) line(`             … ${plural(groups.length - 6, 'more group')} (--verbose lists all; vigie rules lint shows each rule)`);
  }
  if (r.unmapped.length) {
    const byLs = new Map<string, number>();
    for (const u of r.unmapped) byLs.set(u.logsource, (byLs.get(u.logsource) ?? 0) + 1);
    const list = [...byLs].sort((a, b) => b[1] - a[1]);
    line(`           ${plural(r.unmapped.length, 'rule')} with no known events for their log source (run only on events that carry it): ` +
      list.slice(0, 6).map(([l, c]) => `${l} (${c})`).join(', ') + (list.length > 6 ? ', …' : ''));
  }
  if (s.correlation?.evicted) line(`           correlation state: ${n(s.correlation.evicted)} groups evicted (memory bound reached)`);

  const total = Object.values(s.byLevel).reduce((a, b) => a + b, 0);
  const lv = ['critical', 'high', 'medium', 'low', 'informational'].map((l) => `${l} ${n(s.byLevel[l] ?? 0)}`).join(', ');
  line(`Detections ${n(total)} (${lv})`);
  for (const x of s.byRule.slice(0, limit === Infinity ? undefined : limit * 2)) {
    line(`  ${x.level.padEnd(13)} ${String(x.count).padStart(6)}  ${x.title}${x.id ? `  [${x.id}]` : ''}`);
  }
  if (limit !== Infinity && s.byRule.length > limit * 2) line(`  … ${plural(s.byRule.length - limit * 2, 'more rule')}`);
  return out.join('\n') + '\n';
}
