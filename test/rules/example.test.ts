/**
 * The end-to-end example (examples/exchange-compromise): a compromised Exchange server collected as a folder
 * (IIS log, HttpProxy logs, MSExchange Management and Sysmon EVTX, a unified audit log CSV export). The hunt with
 * the built-in pack and the example's watchlist must tell the story in time order:
 * ProxyShell exploit → role grant → mailbox export that drops a web shell → clean-up → web shell used →
 * keyword-targeted export naming the watched term → bulk mailbox reads → archive downloaded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readListFile, runHunt, type Detection, type HuntResult } from '../../src/hunt/index.js';
import { ROOT } from '../helpers.js';
import { RULES_DIR, describe, parseFile, reportedIds } from './pack-helpers.js';

const EXAMPLE = join(ROOT, 'examples', 'exchange-compromise');

/** The story, as rule files of the pack (their ids are what the timeline carries). */
const STORY: { step: string; rule: string }[] = [
  { step: 'initial exploit (ProxyShell, IIS)', rule: 'exploitation/proxyshell_autodiscover_webserver.yml' },
  { step: 'initial exploit (ProxyShell, HttpProxy)', rule: 'exploitation/proxyshell_autodiscover_httpproxy.yml' },
  { step: 'role grant (Mailbox Import Export)', rule: 'preparation/exchange_role_grant_export_impersonation.yml' },
  { step: 'web shell dropped by a mailbox export to .aspx', rule: 'collection/exchange_mailbox_export_suspicious_path.yml' },
  { step: 'export request removed', rule: 'preparation/exchange_export_request_removed.yml' },
  { step: 'web shell requested', rule: 'exploitation/webshell_request_exchange_paths.yml' },
  { step: 'web shell runs commands', rule: 'exploitation/w3wp_exchange_spawns_shell.yml' },
  { step: 'export with a watched keyword', rule: 'collection/watchlist_term_in_search_or_export.yml' },
  { step: 'one client reads many mailboxes', rule: 'bulk-access/m365_one_client_many_mailboxes.yml' },
  { step: 'archive downloaded from the web root', rule: 'bulk-access/webroot_archive_download.yml' },
];

let result: HuntResult | undefined;
async function hunt(): Promise<HuntResult> {
  result ??= await runHunt({ inputs: [EXAMPLE], builtinRules: true, installedRules: false, watchlist: readListFile(join(EXAMPLE, 'watchlist.txt')) });
  return result;
}

test('every source of the collected server is read', async () => {
  const res = await hunt();
  const f = res.summary.formats;
  for (const fmt of ['w3c', 'exchange-csv', 'evtx', 'm365-audit']) assert.ok((f[fmt]?.records ?? 0) > 0, `no ${fmt} records: ${JSON.stringify(f)}`);
  assert.equal(res.summary.skipped, 0);
  assert.deepEqual(res.summary.rules.failed, []);
});

test('the timeline tells the story in time order', async () => {
  const res = await hunt();
  const times = res.detections.map((d) => d.time ?? 0);
  assert.deepEqual(times, [...times].sort((a, b) => a - b), 'the timeline is sorted by time');
  let last = -Infinity;
  let lastStep = '(start)';
  for (const s of STORY) {
    const ids = reportedIds(parseFile(join(RULES_DIR, s.rule)));
    const first: Detection | undefined = res.detections.find((d) => d.ruleId !== undefined && ids.includes(d.ruleId));
    assert.ok(first, `step "${s.step}" (${s.rule}) is missing from the timeline:\n${describe(res)}`);
    const t = first.time ?? NaN;
    const iso = (x: number): string => (Number.isFinite(x) ? new Date(x).toISOString() : String(x));
    assert.ok(t >= last, `step "${s.step}" (${iso(t)}) comes before "${lastStep}" (${iso(last)})`);
    last = t;
    lastStep = s.step;
  }
});

test('the keyword-targeted export is critical and names the watched term', async () => {
  const res = await hunt();
  const ids = reportedIds(parseFile(join(RULES_DIR, 'collection/watchlist_term_in_search_or_export.yml')));
  const hits = res.detections.filter((d) => d.ruleId !== undefined && ids.includes(d.ruleId));
  assert.equal(hits.length, 1, describe(res));
  assert.equal(hits[0].level, 'critical');
  assert.ok(hits[0].details.some((m) => (m.pattern ?? '').includes('Lisbon Summit')), JSON.stringify(hits[0].details));
});

test('nothing fires before the exploit, and the benign traffic stays quiet', async () => {
  const res = await hunt();
  const exploit = Date.parse('2024-05-14T02:10:41Z');
  assert.deepEqual(res.detections.filter((d) => (d.time ?? 0) < exploit).map((d) => d.ruleTitle), []);
  assert.ok(res.detections.length <= 40, `the example should stay readable (${res.detections.length} detections)`);
});

test('the CLI quick start of examples/README.md gives the same story', async () => {
  const { runCli } = await import('../helpers.js');
  const table = runCli(['hunt', 'examples/exchange-compromise', '--watchlist', 'examples/exchange-compromise/watchlist.txt', '--no-progress']);
  assert.equal(table.status, 0, `the quick start completes with exit 0 (no --fail-level); stderr: ${table.stderr}`);
  assert.match(table.stdout, /ProxyShell/);
  const r = runCli(['hunt', 'examples/exchange-compromise', '--watchlist', 'examples/exchange-compromise/watchlist.txt', '-o', 'jsonl', '--no-summary', '--no-progress']);
  assert.equal(r.status, 0, r.stderr);
  const rows = r.stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
  const res = await hunt();
  assert.equal(rows.length, res.detections.length, 'the CLI prints the same detections as the API');
  const text = r.stdout;
  for (const title of ['ProxyShell', 'Mailbox Import Export', 'Watched Sensitive Term', 'Archive Or Mailbox File Downloaded', 'Lisbon Summit']) {
    assert.ok(text.includes(title), `CLI output lacks "${title}"`);
  }
});

test('the bulk read by one client address alerts once for the burst (no re-alert as the count grows)', async () => {
  const res = await hunt();
  const ids = reportedIds(parseFile(join(RULES_DIR, 'bulk-access/m365_one_client_many_mailboxes.yml')));
  const alerts = res.detections.filter((d) => d.ruleId !== undefined && ids.includes(d.ruleId));
  assert.deepEqual(alerts.map((d) => d.group), [{ ClientIPAddress: '198.51.100.23' }], describe(res));
});
