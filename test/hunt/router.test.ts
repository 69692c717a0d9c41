import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMapping, parseMapping, logsourceCovers } from '../../src/hunt/mapping.js';
import { Router, fieldGetter } from '../../src/hunt/router.js';
import { windowsEvent } from '../../src/sources/windows.js';
import type { Doc, VigieEvent } from '../../src/event.js';

function win(channel: string, eventId: number, data: Record<string, string | number>, provider = 'P'): VigieEvent {
  const doc: Doc = {
    Event: {
      System: { Provider: { '#attributes': { Name: provider } }, EventID: eventId, Channel: channel, Computer: 'HOST1', TimeCreated: { '#attributes': { SystemTime: '2024-01-01T00:00:00Z' } } },
      EventData: data,
    },
  };
  return windowsEvent(doc, { file: 'x', format: 'test', offset: 0 });
}

function other(logsource: VigieEvent['logsource'], fields: Doc): VigieEvent {
  return { origin: { file: 'y', format: 'test', offset: 0 }, logsource, fields };
}

const RULES = [
  { logsource: { product: 'windows', category: 'process_creation' } }, // 0
  { logsource: { product: 'windows', service: 'security' } }, // 1
  { logsource: { product: 'windows' } }, // 2
  { logsource: { category: 'webserver' } }, // 3
  { logsource: { product: 'exchange', category: 'cmdlet' } }, // 4
  { logsource: { product: 'windows', service: 'msexchange-management' } }, // 5
  { logsource: { product: 'exchange', service: 'httpproxy' } }, // 6
  { logsource: { product: 'acme', service: 'widget' } }, // 7: no mapping entry
  { logsource: { product: 'windows', category: 'ps_script' } }, // 8
  { logsource: {} }, // 9: any
];

const mapping = loadMapping();
const router = new Router(mapping, RULES);
const routed = (ev: VigieEvent) => router.route(ev).map((r) => r.rule).sort((a, b) => a - b);

test('process_creation covers Sysmon 1 and Security 4688; 4688 reads Image from NewProcessName', () => {
  const sysmon = win('Microsoft-Windows-Sysmon/Operational', 1, { Image: 'C:\\w\\cmd.exe', ParentImage: 'C:\\w\\w3wp.exe' });
  assert.deepEqual(routed(sysmon), [0, 2, 9]);
  const r0 = router.route(sysmon).find((r) => r.rule === 0)!;
  assert.equal(fieldGetter(sysmon, r0.aliases)('Image'), 'C:\\w\\cmd.exe');

  const sec = win('Security', 4688, { NewProcessName: 'C:\\w\\cmd.exe', ParentProcessName: 'C:\\w\\w3wp.exe', NewProcessId: '0x10', ProcessId: '0x4', CommandLine: 'cmd /c whoami' });
  assert.deepEqual(routed(sec), [0, 1, 2, 9]);
  const pc = router.route(sec).find((r) => r.rule === 0)!;
  const get = fieldGetter(sec, pc.aliases);
  assert.equal(get('Image'), 'C:\\w\\cmd.exe');
  assert.equal(get('image'), 'C:\\w\\cmd.exe', 'aliases are case-insensitive like field names');
  assert.equal(get('ParentImage'), 'C:\\w\\w3wp.exe');
  assert.equal(get('ProcessId'), '0x10');
  assert.equal(get('ParentProcessId'), '0x4');
  assert.equal(get('CommandLine'), 'cmd /c whoami');
  // the same event seen by a service:security rule keeps its own field names
  const secRoute = router.route(sec).find((r) => r.rule === 1)!;
  assert.equal(secRoute.aliases, undefined);
  assert.equal(fieldGetter(sec, secRoute.aliases)('ProcessId'), '0x4');
  // other Security events are not process creations
  assert.deepEqual(routed(win('Security', 4624, {})), [1, 2, 9]);
});

test('services route by channel (case-insensitive), categories by channel + event id', () => {
  assert.deepEqual(routed(win('MSExchange Management', 6, {})), [2, 5, 9]);
  assert.deepEqual(routed(win('msexchange management', 1, {})), [2, 5, 9]);
  assert.deepEqual(routed(win('Microsoft-Windows-PowerShell/Operational', 4104, { ScriptBlockText: 'x' })), [2, 8, 9]);
  assert.deepEqual(routed(win('PowerShellCore/Operational', 4104, {})), [2, 8, 9]);
  assert.deepEqual(routed(win('Microsoft-Windows-PowerShell/Operational', 4103, {})), [2, 9]);
  assert.deepEqual(routed(win('Some-Unknown/Channel', 1, {})), [2, 9], 'unknown channels still reach product:windows rules');
});

test('non-Windows events route by the log source their reader set', () => {
  assert.deepEqual(routed(other({ category: 'webserver', product: 'iis' }, { 'cs-uri-stem': '/owa/' })), [3, 9]);
  assert.deepEqual(routed(other({ product: 'exchange', service: 'httpproxy' }, {})), [6, 9]);
  assert.deepEqual(routed(other({ product: 'exchange', service: 'ews' }, {})), [9]);
});

test('has_field: every event carrying Cmdlet reaches {product: exchange, category: cmdlet}', () => {
  const mgmt = win('MSExchange Management', 1, {});
  mgmt.fields.Cmdlet = 'New-MailboxExportRequest';
  assert.deepEqual(routed(mgmt), [2, 4, 5, 9]);
  const ual = other({ product: 'm365', service: 'audit' }, { Cmdlet: 'New-ComplianceSearch' });
  assert.deepEqual(routed(ual), [4, 9]);
  const noCmdlet = other({ product: 'm365', service: 'audit' }, { Operation: 'MailItemsAccessed' });
  assert.deepEqual(routed(noCmdlet), [9]);
  const empty = other({ product: 'm365', service: 'audit' }, { Cmdlet: '' });
  assert.deepEqual(routed(empty), [9], 'an empty Cmdlet field does not count');
});

test('a rule whose log source has no mapping entry is listed and still runs on events carrying it', () => {
  assert.deepEqual(router.unmapped, [7]);
  assert.deepEqual(routed(other({ product: 'acme', service: 'widget' }, {})), [7, 9]);
  assert.deepEqual(routed(other({ product: 'acme', service: 'other' }, {})), [9]);
});

test('route cache: the same kind of event is a lookup; hostile channel names stay bounded', () => {
  const r = new Router(mapping, RULES);
  for (let i = 0; i < 100; i++) r.route(win('Security', 4688, {}));
  assert.equal(r.cacheSize(), 1);
  for (let i = 0; i < 20_500; i++) r.route(win(`junk-${i}`, i, {}));
  assert.ok(r.cacheSize() <= 20_000);
});

test('a user mapping file replaces or extends entries and adds new ones', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigie-map-'));
  const f = join(dir, 'extra.yml');
  writeFileSync(f, [
    'entries:',
    '  - logsource: {product: windows, service: security}',
    '    events:',
    '      - {channel: ForwardedEvents, event_ids: [4624]}',
    '  - logsource: {product: windows, category: ps_script}',
    '    mode: extend',
    '    events:',
    '      - {channel: ForwardedEvents, event_ids: [4104]}',
    '  - logsource: {product: acme, service: widget}',
    '    events:',
    '      - logsource: {product: acme}',
  ].join('\n'));
  const m = loadMapping([f]);
  const r = new Router(m, RULES);
  const got = (ev: VigieEvent) => r.route(ev).map((x) => x.rule).sort((a, b) => a - b);
  assert.deepEqual(got(win('Security', 4624, {})), [2, 9], 'security now means ForwardedEvents 4624 only (replaced)');
  assert.deepEqual(got(win('ForwardedEvents', 4624, {})), [1, 2, 9]);
  assert.deepEqual(got(win('ForwardedEvents', 4104, {})), [2, 8, 9], 'extended');
  assert.deepEqual(got(win('Microsoft-Windows-PowerShell/Operational', 4104, {})), [2, 8, 9], 'shipped spec kept');
  assert.deepEqual(r.unmapped, []);
  assert.deepEqual(got(other({ product: 'acme', service: 'widget' }, {})), [7, 9]);
  assert.deepEqual(got(other({ product: 'acme', service: 'x' }, {})), [7, 9], 'the user entry maps every acme event');
  assert.deepEqual(got(other({ product: 'other' }, {})), [9]);
});

test('malformed mapping files are refused with the entry that is wrong', () => {
  assert.throws(() => parseMapping('entries:\n  - logsource: {product: x}\n    events: []\n', 'm.yml'), /m\.yml: entries\[0\].*non-empty/);
  assert.throws(() => parseMapping('entries:\n  - logsource: {product: x}\n    events:\n      - {chanel: A}\n', 'm.yml'), /unknown key "chanel"/);
  assert.throws(() => parseMapping('entries:\n  - logsource: {product: x}\n    events:\n      - {event_ids: [abc]}\n', 'm.yml'), /not an integer/);
  assert.throws(() => parseMapping('nope: 1\n', 'm.yml'), /"entries" must be a list/);
});

test('logsourceCovers: keys the rule sets must equal the entry\'s', () => {
  assert.ok(logsourceCovers({ product: 'windows' }, { product: 'windows', category: 'process_creation' }));
  assert.ok(!logsourceCovers({ product: 'windows', service: 'security' }, { product: 'windows', category: 'process_creation' }));
  assert.ok(logsourceCovers({}, { product: 'linux' }));
});
