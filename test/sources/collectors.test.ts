/**
 * The same five Windows events (test/sources/windows-canon.ts) as a binary EVTX (built byte by byte with the
 * test EVTX writer), as evtx_dump JSON, as Windows XML exports and as every collector / SIEM shape: each shape
 * must be detected from its content, yield the same fields as the EVTX (minus what the shape cannot carry) and
 * the same Sigma matches.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getField, valueText, type FieldValue, type VigieEvent } from '../../src/event.js';
import { readFile, ReadContext } from '../../src/sources/index.js';
import { compileRule, parseRules } from '../../src/sigma/index.js';
import { FIXTURES, runCli } from '../helpers.js';
import { buildEvtx } from './evtx/builder.js';
import { CANON, canonRecord } from './windows-canon.js';

const tmp = mkdtempSync(join(tmpdir(), 'vigie-collectors-'));

async function read(path: string): Promise<{ events: VigieEvent[]; ctx: ReadContext }> {
  const ctx = new ReadContext();
  const events: VigieEvent[] = [];
  for await (const e of readFile(path, ctx)) events.push(e);
  return { events, ctx };
}

/** comparable text: numbers and strings alike, GUIDs without braces in upper case, SystemTime to the microsecond */
function norm(v: FieldValue | undefined): string {
  let s = valueText(v) ?? '(absent)';
  s = s.trim();
  const g = /^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$/.exec(s);
  if (g) s = g[1].toUpperCase();
  return s;
}

const key = (e: VigieEvent) => `${e.provider}/${e.eventId}`;

interface Shape {
  file: string;
  format: string;
  count: number;
  /** System fields the shape does not carry */
  missing?: string[];
  /** fields of given events the shape loses, by provider/eventId */
  lost?: Record<string, string[]>;
  /** time precision of the shape, ms */
  timeTolerance?: number;
  /** per event: the shape's time is another clock (Winlogbeat's Sysmon module uses UtcTime) */
  timeSkew?: Record<string, number>;
}

const ECS_MISSING = ['Level', 'Task', 'Opcode', 'Keywords', 'Qualifiers', 'Provider_EventSourceName'];
const SHAPES: Shape[] = [
  { file: 'windows/evtx_dump.json', format: 'evtx-json', count: 5 },
  { file: 'windows/evtx_dump.jsonl', format: 'evtx-json', count: 5 },
  { file: 'windows/wevtutil.xml', format: 'evtx-xml', count: 5 },
  { file: 'windows/wevtutil-utf16.xml', format: 'evtx-xml', count: 5 },
  { file: 'windows/eventviewer.xml', format: 'evtx-xml', count: 5 },
  // NXLog: no Level / Qualifiers / EventSourceName; CE's EventTime has whole seconds; E5 (unnamed Data) left out
  { file: 'collectors/nxlog.json', format: 'windows-flat-json', count: 4, missing: ['Level', 'Qualifiers', 'Provider_EventSourceName', 'TimeCreated'], timeTolerance: 1000 },
  { file: 'collectors/nxlog-ee.json', format: 'windows-flat-json', count: 4, missing: ['Level', 'Qualifiers', 'Provider_EventSourceName'] },
  // Winlogbeat: task/opcode/keywords as names; the Sysmon module drops RuleName "-" and sets @timestamp to UtcTime
  { file: 'collectors/winlogbeat.ndjson', format: 'ecs', count: 5, missing: ECS_MISSING, lost: { 'Microsoft-Windows-Sysmon/1': ['RuleName', 'TimeCreated'] }, timeSkew: { 'Microsoft-Windows-Sysmon/1': 4 } },
  { file: 'collectors/elasticsearch-search.json', format: 'ecs', count: 5, missing: ECS_MISSING, lost: { 'Microsoft-Windows-Sysmon/1': ['RuleName', 'TimeCreated'] }, timeSkew: { 'Microsoft-Windows-Sysmon/1': 4 } },
  { file: 'collectors/velociraptor.json', format: 'velociraptor', count: 5 },
  { file: 'collectors/splunk-export.json', format: 'splunk', count: 5 },
  { file: 'collectors/splunk-rest.json', format: 'splunk', count: 5 },
];

const RULES = `
title: Web shell spawns a shell writing to aspnet_client
id: 6f0c1e9a-1111-4a53-9c3e-3f1b2a000001
logsource: { product: windows, category: process_creation }
detection:
  selection:
    ParentImage|endswith: '\\w3wp.exe'
    Image|endswith: '\\cmd.exe'
    CommandLine|contains|all: ['whoami', 'aspnet_client']
  condition: selection
---
title: Network logon of the backup account from the admin subnet
id: 6f0c1e9a-1111-4a53-9c3e-3f1b2a000002
logsource: { product: windows, service: security }
detection:
  selection:
    EventID: 4624
    LogonType: 3
    TargetUserName: svc-backup
    IpAddress|cidr: 10.20.0.0/16
  condition: selection
---
title: Security log cleared
id: 6f0c1e9a-1111-4a53-9c3e-3f1b2a000003
logsource: { product: windows, service: security }
detection:
  selection:
    EventID: 1102
    Provider_Name: Microsoft-Windows-Eventlog
  condition: selection
---
title: Service installed with a download cradle
id: 6f0c1e9a-1111-4a53-9c3e-3f1b2a000004
logsource: { product: windows, service: system }
detection:
  selection:
    Provider_Name: Service Control Manager
    EventID: 7045
    ImagePath|contains|all: ['powershell', 'downloadstring']
  condition: selection
---
title: Mailbox exported to a web folder
id: 6f0c1e9a-1111-4a53-9c3e-3f1b2a000005
logsource: { product: windows, service: msexchange-management }
detection:
  selection:
    Data|contains: 'New-MailboxExportRequest'
  keywords:
    - 'aspnet_client'
  condition: selection and keywords
---
title: Process from a user temp folder (must not match)
id: 6f0c1e9a-1111-4a53-9c3e-3f1b2a000006
logsource: { product: windows, category: process_creation }
detection:
  selection:
    Image|contains: '\\AppData\\Local\\Temp\\'
  condition: selection
---
title: Any event of the Exchange server host (matches all)
id: 6f0c1e9a-1111-4a53-9c3e-3f1b2a000007
logsource: { product: windows }
detection:
  selection:
    Computer|startswith: 'EXCH01.'
  condition: selection
`;

const EXPECTED: Record<string, string[]> = {
  'Microsoft-Windows-Sysmon/1': ['000001', '000007'],
  'Microsoft-Windows-Security-Auditing/4624': ['000002', '000007'],
  'Microsoft-Windows-Eventlog/1102': ['000003', '000007'],
  'Service Control Manager/7045': ['000004', '000007'],
  'MSExchange CmdletLogs/1': ['000005', '000007'],
};

let compiled: ReturnType<typeof compileRule>[] | undefined;

function matches(ev: VigieEvent): string[] {
  if (!compiled) {
    const set = parseRules(RULES, 'inline.yml');
    assert.equal(set.problems.filter((p) => p.severity === 'error').length, 0, JSON.stringify(set.problems));
    assert.equal(set.rules.length, 7);
    compiled = set.rules.map((r) => compileRule(r));
  }
  const out: string[] = [];
  for (const c of compiled) if (c.match(ev, (f) => getField(ev, f))) out.push((c.rule.id ?? '').slice(-6));
  return out.sort();
}

let reference: VigieEvent[] = [];

test('reference: the canonical events built as EVTX read back through the EVTX reader', async () => {
  const file = join(tmp, 'canon.evtx');
  writeFileSync(file, buildEvtx(CANON.map(canonRecord)));
  const { events, ctx } = await read(file);
  assert.equal(ctx.errorCount, 0, JSON.stringify(ctx.errors));
  assert.deepEqual([...ctx.formats.keys()], ['evtx']);
  assert.equal(events.length, CANON.length);
  reference = events;
  for (const e of events) assert.deepEqual(matches(e), EXPECTED[key(e)], `EVTX ${key(e)}`);
});

for (const shape of SHAPES) {
  test(`${shape.file}: detected as ${shape.format}, same fields and Sigma matches as the EVTX`, async () => {
    assert.ok(reference.length, 'reference events');
    const { events, ctx } = await read(join(FIXTURES, shape.file));
    assert.equal(ctx.errorCount, 0, JSON.stringify(ctx.errors));
    assert.deepEqual([...ctx.formats.keys()], [shape.format]);
    assert.equal(events.length, shape.count);
    for (const e of events) {
      const k = key(e);
      const ref = reference.find((r) => key(r) === k);
      assert.ok(ref, `event ${k} has a reference`);
      const skip = new Set([...(shape.missing ?? []), ...(shape.lost?.[k] ?? [])]);
      for (const [f, v] of Object.entries(ref.fields)) {
        if (skip.has(f)) continue;
        assert.equal(norm(e.fields[f]), norm(v), `${shape.file} ${k} field ${f}`);
      }
      assert.equal(e.channel, ref.channel);
      assert.equal(e.computer, ref.computer);
      assert.equal(e.provider, ref.provider);
      assert.equal(e.eventId, ref.eventId);
      assert.ok(e.time !== undefined && ref.time !== undefined);
      const skew = shape.timeSkew?.[k] ?? 0;
      assert.ok(Math.abs(ref.time - e.time - skew) < (shape.timeTolerance ?? 1), `${k} time ${e.time} vs ${ref.time}`);
      assert.deepEqual(matches(e), matches(ref), `${shape.file} ${k}: Sigma matches`);
      assert.equal(e.origin.format, shape.format);
      assert.ok(e.origin.offset >= 0);
    }
  });
}

test('every shape fixture is claimed by exactly its reader (no other reader scores as high)', async () => {
  const { probe, SOURCES } = await import('../../src/sources/index.js');
  for (const shape of SHAPES) {
    const input = await probe(join(FIXTURES, shape.file));
    const scores = SOURCES.map((s) => [s.name, s.detect(input)] as const).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
    assert.equal(scores[0]?.[0], shape.format, `${shape.file}: ${JSON.stringify(scores)}`);
    if (scores[1]) assert.ok(scores[1][1] < scores[0][1], `${shape.file}: tie ${JSON.stringify(scores)}`);
  }
});

test('vigie hunt: one run over the EVTX and every shape mixed gives the same detections for each event', async () => {
  const rules = join(tmp, 'rules.yml');
  writeFileSync(rules, RULES);
  const evtx = join(tmp, 'canon.evtx');
  const r = runCli(['hunt', '-r', rules, '-o', 'jsonl', '--fail-level', 'critical', evtx, ...SHAPES.map((s) => join(FIXTURES, s.file))]);
  assert.ok(r.status === 0 || r.status === 1, `exit ${r.status}: ${r.stderr.slice(0, 2000)}`);
  const rows = r.stdout.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as { ruleId?: string; file?: string; channel?: string; eventId?: number });
  const mine = rows.filter((x) => x.ruleId?.startsWith('6f0c1e9a-1111-4a53-9c3e-3f1b2a'));
  const per = new Map<string, string[]>();
  for (const x of mine) {
    const k = `${x.file}|${x.channel}|${x.eventId}`;
    per.set(k, [...(per.get(k) ?? []), x.ruleId!.slice(-6)].sort());
  }
  const files = [evtx, ...SHAPES.map((s) => join(FIXTURES, s.file))];
  for (const f of files) {
    const shape = SHAPES.find((s) => join(FIXTURES, s.file) === f);
    for (const e of reference) {
      if (shape?.count === 4 && e.provider === 'MSExchange CmdletLogs') continue; // not in the NXLog fixtures
      const got = [...per.entries()].find(([k]) => k.startsWith(`${f}|${e.channel}|${e.eventId}`) || k.endsWith(`${f.split('/').slice(-2).join('/')}|${e.channel}|${e.eventId}`));
      assert.ok(got, `${f}: ${e.channel} ${e.eventId} detected (${[...per.keys()].slice(0, 3).join(' ; ')})`);
    }
  }
  // every file contributes the same number of detections per event as the EVTX
  const count = (f: string) => mine.filter((x) => x.file !== undefined && (x.file === f || f.endsWith(x.file))).length;
  const evtxCount = count(evtx);
  assert.ok(evtxCount >= 10, `EVTX detections ${evtxCount}`);
  for (const s of SHAPES) assert.equal(count(join(FIXTURES, s.file)), s.count === 4 ? evtxCount - 2 : evtxCount, s.file);
});
