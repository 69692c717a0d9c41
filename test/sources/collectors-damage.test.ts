/**
 * Hostile and damaged input for the JSON/XML Windows-event readers: malformed lines skipped and counted with
 * their offset, gzip variants and truncated gzip, cut XML events, and detection that does not steal other
 * formats' files (M365 audit, Entra sign-ins, plain Elastic documents, syslog, W3C).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { VigieEvent } from '../../src/event.js';
import { probe, readFile, ReadContext } from '../../src/sources/index.js';
import { source as evtxJson } from '../../src/sources/evtx-json.js';
import { source as evtxXml } from '../../src/sources/evtx-xml.js';
import { source as flatJson } from '../../src/sources/collectors/flat-json.js';
import { source as ecs } from '../../src/sources/collectors/ecs.js';
import { source as velociraptor } from '../../src/sources/collectors/velociraptor.js';
import { source as splunk } from '../../src/sources/collectors/splunk.js';
import { FIXTURES } from '../helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'vigie-collectors-damage-'));
const MINE = [evtxJson, evtxXml, flatJson, ecs, velociraptor, splunk];

async function read(path: string): Promise<{ events: VigieEvent[]; ctx: ReadContext }> {
  const ctx = new ReadContext();
  const events: VigieEvent[] = [];
  for await (const e of readFile(path, ctx)) events.push(e);
  return { events, ctx };
}

function put(name: string, data: string | Buffer): string {
  const p = join(tmp, name);
  writeFileSync(p, data);
  return p;
}

test('malformed JSON lines are skipped and counted with offset and line; the others are read', async () => {
  const lines = readFileSync(join(FIXTURES, 'collectors/nxlog.json'), 'utf8').split('\r\n').filter((l) => l);
  const bad = [lines[0], '{"EventTime":"2024-03-12 09:15:00","EventID":', lines[1], 'garbage \u0000 line', lines[2], lines[3].slice(0, 100), lines[3]].join('\n') + '\n';
  const { events, ctx } = await read(put('nxlog-bad.json', bad));
  assert.deepEqual(events.map((e) => e.eventId), [1, 4624, 1102, 7045]);
  assert.equal(ctx.errorCount, 3);
  const offs = ctx.errors.map((e) => [e.offset, e.line]);
  const at = (i: number) => bad.split('\n').slice(0, i).reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
  assert.deepEqual(offs, [[at(1), 2], [at(3), 4], [at(5), 6]]);
  // the record number of a line event is its line
  assert.deepEqual(events.map((e) => e.origin.record), [1, 3, 5, 7]);
});

test('each reader skips records that are valid JSON but not its shape, and counts them', async () => {
  const ecsLines = readFileSync(join(FIXTURES, 'collectors/winlogbeat.ndjson'), 'utf8').trim().split('\n');
  let r = await read(put('ecs-mixed.ndjson', [ecsLines[0], '{"@timestamp":"2024-03-12T09:00:00Z","message":"nginx access","event":{"module":"nginx"}}', ecsLines[1]].join('\n')));
  assert.equal(r.events.length, 2);
  assert.equal(r.ctx.errorCount, 1);
  assert.match(r.ctx.errors[0].message, /not a Winlogbeat/);

  const velo = readFileSync(join(FIXTURES, 'collectors/velociraptor.json'), 'utf8').trim().split('\n');
  r = await read(put('velo-mixed.json', [velo[0], '[1,"x"]', '{"Unrelated":true}', velo[1]].join('\n')));
  assert.equal(r.events.length, 2);
  assert.equal(r.ctx.errorCount, 3); // two array elements that are not objects, one object that is not a row

  const spl = readFileSync(join(FIXTURES, 'collectors/splunk-export.json'), 'utf8').trim().split('\n');
  const broken = JSON.parse(spl[1]);
  broken.result._raw = broken.result._raw.slice(0, 300); // Splunk TRUNCATE cut the XML
  r = await read(put('splunk-cut.json', [spl[0], JSON.stringify(broken), spl[2]].join('\n')));
  assert.equal(r.events.length, 2);
  assert.equal(r.ctx.errorCount, 1);
  assert.match(r.ctx.errors[0].message, /bad event XML/);
});

test('cut or broken XML events are skipped and counted; the next event is read', async () => {
  const xml = readFileSync(join(FIXTURES, 'windows/wevtutil.xml'), 'utf8').split('\r\n').filter((l) => l);
  const text = [xml[0], xml[1].slice(0, 400), xml[2], xml[3].replace('</System>', '</Sys>'), xml[4]].join('\n');
  const { events, ctx } = await read(put('cut.xml', text));
  assert.deepEqual(events.map((e) => e.eventId), [1, 1102, 1]);
  assert.equal(ctx.errorCount, 2);
  assert.equal(ctx.errors[0].offset, Buffer.byteLength(xml[0]) + 1);
  assert.match(ctx.errors[0].message, /cut short/);
  assert.match(ctx.errors[1].message, /bad event XML/);
  // cut at the very end
  const end = await read(put('cut-end.xml', `${xml[0]}\n${xml[1].slice(0, 500)}`));
  assert.equal(end.events.length, 1);
  assert.equal(end.ctx.errorCount, 1);
  // a DTD inside an export is refused, the event skipped
  const dtd = await read(put('dtd.xml', `<?xml version="1.0"?>\n${xml[0]}\n<Event><!DOCTYPE x [<!ENTITY a "b">]><System>&a;</System></Event>\n${xml[2]}`));
  assert.equal(dtd.events.length, 2);
  assert.equal(dtd.ctx.errorCount, 1);
});

test('evtx-xml: offsets are file byte offsets in UTF-16 exports too', async () => {
  const file = join(FIXTURES, 'windows/wevtutil-utf16.xml');
  const raw = readFileSync(file);
  assert.deepEqual([raw[0], raw[1]], [0xff, 0xfe]);
  const { events, ctx } = await read(file);
  assert.equal(ctx.errorCount, 0);
  assert.equal(events.length, 5);
  for (const e of events) {
    // each event starts with `<Event` (UTF-16LE) at its reported offset, and the record is that event's
    assert.equal(raw.toString('utf16le', e.origin.offset, e.origin.offset + 12), '<Event', `offset ${e.origin.offset}`);
    const text = raw.toString('utf16le', e.origin.offset, e.origin.offset + 4000);
    assert.ok(text.includes(`<EventRecordID>${e.origin.record}</EventRecordID>`), `record ${e.origin.record} at ${e.origin.offset}`);
  }
  assert.equal(events[1].origin.offset, 4762);
  // damage after a non-ASCII character: the error offset is a file offset as well
  const text = raw.toString('utf16le', 2);
  const second = text.indexOf('<Event', 10);
  const cut = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${text.slice(0, second)}é€😀 <Event><System>`, 'utf16le'), Buffer.from(text.slice(second), 'utf16le')]);
  const c = await read(put('cut-utf16.xml', cut));
  assert.equal(c.events.length, 5);
  const at = c.ctx.errors.map((e) => e.offset!);
  assert.ok(at.length >= 1);
  assert.equal(cut.toString('utf16le', at[at.length - 1], at[at.length - 1] + 12), '<Event');
});

test('evtx-xml: text between events is counted once per run with its offset; wrapper, declarations, comments are not', async () => {
  const xml = readFileSync(join(FIXTURES, 'windows/wevtutil.xml'), 'utf8').split('\r\n').filter((l) => l);
  const at = Buffer.byteLength(xml[0]) + 1;
  for (const junk of ['garbage text '.repeat(1000), 'A'.repeat(20 * 1024 * 1024), '<a><b>x</b></a> tail', '<!DOCTYPE x>']) {
    const { events, ctx } = await read(put('junk.xml', [xml[0], junk, ...xml.slice(1)].join('\n')));
    assert.equal(events.length, 5, junk.slice(0, 20));
    assert.equal(ctx.errorCount, 1, junk.slice(0, 20));
    assert.equal(ctx.errors[0].offset, at);
    assert.match(ctx.errors[0].message, /outside/);
  }
  // two separate runs: two errors
  const two = await read(put('junk2.xml', [xml[0], 'junk one', xml[1], '<!-- ok -->', 'junk two', ...xml.slice(2)].join('\n')));
  assert.equal(two.events.length, 5);
  assert.equal(two.ctx.errorCount, 2);
  // allowed between events: whitespace, <Events> wrapper, XML declarations, comments, PIs, evtx_dump `Record n` lines
  const ok = `<?xml version="1.0" encoding="utf-8"?>\n<Events xmlns="x">\n<!-- export -->\n${xml[0]}\n<?pi data?>\nRecord 2\n\t${xml.slice(1).join('\n \n')}\n</Events>\n<!-- end -->\n`;
  const r = await read(put('ok.xml', ok));
  assert.equal(r.events.length, 5);
  assert.deepEqual(r.ctx.errors, []);
});

test('splunk: a JSON record over 16 MiB is counted with its offset, the others are read', async () => {
  const lines = readFileSync(join(FIXTURES, 'collectors/splunk-export.json'), 'utf8').split('\n');
  const n = lines.filter((l) => l.trim()).length;
  lines.splice(1, 0, `{"x":"${'A'.repeat(17 * 1024 * 1024)}"}`);
  const { events, ctx } = await read(put('splunk-big.json', lines.join('\n')));
  assert.equal(events.length, n);
  assert.equal(ctx.errorCount, 1);
  assert.equal(ctx.errors[0].offset, Buffer.byteLength(lines[0]) + 1);
  assert.equal(ctx.errors[0].line, 2);
  assert.match(ctx.errors[0].message, /larger than/);
});

const GZ_SHAPES = ['windows/evtx_dump.json', 'windows/wevtutil.xml', 'collectors/nxlog.json', 'collectors/winlogbeat.ndjson', 'collectors/elasticsearch-search.json', 'collectors/velociraptor.json', 'collectors/splunk-export.json', 'collectors/splunk-rest.json'];

test('gzip variants read the same as the plain files; truncated gzip keeps the events before the cut', async () => {
  for (const f of GZ_SHAPES) {
    const plain = await read(join(FIXTURES, f));
    const raw = readFileSync(join(FIXTURES, f));
    const gz = gzipSync(raw);
    const whole = await read(put(`${f.replace('/', '_')}.gz`, gz));
    assert.equal(whole.ctx.errorCount, 0, f);
    assert.deepEqual([...whole.ctx.formats.keys()], [...plain.ctx.formats.keys()], f);
    assert.deepEqual(whole.events.map((e) => e.fields), plain.events.map((e) => e.fields), f);
    // cut the compressed file: a gzip block holds everything here, so cut it inside the deflate data
    const cut = await read(put(`${f.replace('/', '_')}.cut.gz`, gz.subarray(0, Math.floor(gz.length * 0.8))));
    assert.ok(cut.ctx.errorCount >= 1, `${f}: truncation reported`);
    assert.ok(cut.ctx.errors.some((e) => /gzip stream damaged or truncated/.test(e.message)), `${f}: ${JSON.stringify(cut.ctx.errors)}`);
    assert.ok(cut.events.length < plain.events.length, f);
    // whatever was read is exactly the beginning of the file
    assert.deepEqual(cut.events.map((e) => e.fields), plain.events.slice(0, cut.events.length).map((e) => e.fields), f);
  }
  // a large file compressed in many blocks, cut in the middle: thousands of events before the cut
  const line = readFileSync(join(FIXTURES, 'collectors/winlogbeat.ndjson'), 'utf8').trim().split('\n')[1];
  const big = gzipSync(Buffer.from(`${line}\n`.repeat(20000)));
  const r = await read(put('big.cut.ndjson.gz', big.subarray(0, Math.floor(big.length / 2))));
  assert.ok(r.events.length > 1000 && r.events.length < 20000, String(r.events.length));
  assert.ok(r.ctx.errorCount >= 1 && r.ctx.errorCount <= 2, JSON.stringify(r.ctx.errors));
});

test('detection does not claim other formats: M365 audit, Entra sign-ins, plain ECS, syslog, W3C, CSV', async () => {
  const others: [string, string][] = [
    ['m365.json', JSON.stringify([{ CreationTime: '2024-03-12T09:00:00', Id: 'b6a5c1d2-3e4f-5a6b-7c8d-9e0f1a2b3c4d', Operation: 'MailItemsAccessed', OrganizationId: 'x', RecordType: 50, ResultStatus: 'Succeeded', UserKey: '1003', UserType: 0, Version: 1, Workload: 'Exchange', ClientIPAddress: '10.0.0.1', UserId: 'ceo@corp.example.com', MailboxOwnerUPN: 'ceo@corp.example.com' }])],
    ['m365.jsonl', '{"RecordType":1,"CreationDate":"2024-03-12T09:00:00Z","UserIds":"ceo@corp.example.com","Operations":"New-InboxRule","AuditData":"{\\"Operation\\":\\"New-InboxRule\\",\\"Workload\\":\\"Exchange\\"}"}\n'],
    ['entra.json', JSON.stringify({ value: [{ id: '1', createdDateTime: '2024-03-12T09:00:00Z', userPrincipalName: 'ceo@corp.example.com', appDisplayName: 'Office 365 Exchange Online', ipAddress: '203.0.113.7', clientAppUsed: 'IMAP4', status: { errorCode: 0 }, location: { city: 'X' } }] })],
    ['filebeat.ndjson', '{"@timestamp":"2024-03-12T09:00:00Z","event":{"module":"nginx","code":"200"},"host":{"name":"web01"},"message":"GET /"}\n'],
    ['syslog.log', 'Mar 12 09:00:00 mx1 postfix/smtpd[123]: connect from unknown[203.0.113.7]\n'],
    ['u_ex240312.log', '#Software: Microsoft Internet Information Services 10.0\n#Fields: date time s-ip cs-method cs-uri-stem\n2024-03-12 09:00:00 10.0.0.1 POST /owa/auth.owa\n'],
    ['track.csv', '#Software: Microsoft Exchange Server\n#Fields: date-time,client-ip,event-id\n2024-03-12T09:00:00.000Z,10.0.0.1,RECEIVE\n'],
    ['events.json', '{"Event":"not an object","System":"x"}\n'],
  ];
  for (const [name, text] of others) {
    const input = await probe(put(name, text));
    for (const s of MINE) assert.equal(s.detect(input), 0, `${s.name} claims ${name}`);
    const gz = await probe(put(`${name}.gz`, gzipSync(Buffer.from(text))));
    for (const s of MINE) assert.equal(s.detect(gz), 0, `${s.name} claims ${name}.gz`);
  }
});

test('evtx_dump --separate-json-attributes output reads like the default layout', async () => {
  const sep = {
    Event: {
      System: { Provider: '', Provider_attributes: { Name: 'Microsoft-Windows-Security-Auditing', Guid: '54849625-5478-4994-A5BA-3E3B0328C30D' }, EventID: 4624, TimeCreated: '', TimeCreated_attributes: { SystemTime: '2024-03-12T09:16:02.317000Z' }, Channel: 'Security', Computer: 'EXCH01' },
      EventData: { TargetUserName: 'svc-backup' },
    },
    Event_attributes: { xmlns: 'http://schemas.microsoft.com/win/2004/08/events/event' },
  };
  const { events, ctx } = await read(put('sep.json', `Record 1\n${JSON.stringify(sep, null, 2)}\n`));
  assert.equal(ctx.errorCount, 0);
  assert.equal(events[0].fields.Provider_Name, 'Microsoft-Windows-Security-Auditing');
  assert.equal(events[0].time, Date.parse('2024-03-12T09:16:02.317Z'));
  assert.equal(events[0].fields.TargetUserName, 'svc-backup');
});
