/**
 * The sensitive-term watchlist: a watched term inside a mailbox-export ContentFilter, a mailbox SearchQuery, a
 * compliance ContentMatchQuery (PowerShell or the audit log) or an audited search (UAL QueryText) raises a critical alert that names the term,
 * in any script (Latin, Cyrillic, Chinese) and whatever the case or accents' case; the same kind of query without
 * a watched term raises nothing. Each fixture holds one event per watched term (minutes 0–3) and one without a
 * term (minute 4), in its source's real format.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readListFile, runHunt, type Detection } from '../../src/hunt/index.js';
import { RULE_FIXTURES, RULES_DIR, describe } from './pack-helpers.js';

const DIR = join(RULE_FIXTURES, '_watchlist');
const WATCHLIST = readListFile(join(DIR, 'watchlist.txt'));
const TERMS_IN_ORDER = ['Lisbon Summit', 'переговоры в Вильнюсе', '峰会', 'Élysée'];
const RULES = [join(RULES_DIR, 'collection', 'watchlist_term_in_search_or_export.yml'), join(RULES_DIR, 'collection', 'watchlist_term_in_audited_search.yml')];
const WATCH_TITLE = /^Watched Sensitive Term/;

const CASES: { name: string; file: string }[] = [
  { name: 'ContentFilter of New-MailboxExportRequest (UAL Purview CSV)', file: 'contentfilter.csv' },
  { name: 'SearchQuery of Search-Mailbox / New-MailboxSearch (MSExchange Management, evtx_dump JSONL)', file: 'searchquery.jsonl' },
  { name: 'ContentMatchQuery of New-ComplianceSearch (PowerShell 4104, evtx_dump JSON)', file: 'contentmatchquery.json' },
  { name: 'audited search QueryText (UAL SearchQueryInitiatedExchange, JSON Lines)', file: 'querytext.jsonl' },
  { name: 'ContentMatchQuery of an audited compliance search (UAL SecurityComplianceCenter record, JSON)', file: 'compliance-ual.json' },
];

test('the watchlist file is read in every script', () => {
  assert.deepEqual(WATCHLIST, TERMS_IN_ORDER);
});

for (const c of CASES) {
  test(`watched term in ${c.name}`, async () => {
    const res = await runHunt({ inputs: [join(DIR, c.file)], rulePaths: RULES, builtinRules: false, installedRules: false, watchlist: WATCHLIST });
    assert.equal(res.summary.records, 5, describe(res));
    const hits = res.detections.filter((d) => WATCH_TITLE.test(d.ruleTitle));
    const minute = (d: Detection): number => new Date(d.time ?? 0).getUTCMinutes();
    assert.deepEqual(hits.map(minute).sort(), [0, 1, 2, 3], `one alert per event holding a watched term, none for the query without one\n${describe(res)}`);
    for (const d of hits) {
      assert.equal(d.level, 'critical');
      const term = TERMS_IN_ORDER[minute(d)];
      assert.ok(d.details.some((m) => (m.pattern ?? '').includes(term)),
        `the alert must name the watched term "${term}": ${JSON.stringify(d.details)}`);
    }
  });
}

test('without a watchlist the watchlist rules are inactive, not failed', async () => {
  const res = await runHunt({ inputs: [join(DIR, 'querytext.jsonl')], rulePaths: RULES, builtinRules: false, installedRules: false });
  assert.equal(res.detections.filter((d) => WATCH_TITLE.test(d.ruleTitle)).length, 0);
  assert.deepEqual(res.summary.rules.failed, []);
  assert.equal(res.summary.rules.inactive.length, 2);
});

test('a watchlist that matches nothing raises nothing', async () => {
  const res = await runHunt({ inputs: CASES.map((c) => join(DIR, c.file)), rulePaths: RULES, builtinRules: false, installedRules: false, watchlist: ['Operation Nightjar'] });
  assert.equal(res.summary.records, 25);
  assert.deepEqual(res.detections.filter((d) => WATCH_TITLE.test(d.ruleTitle)), []);
});
