/** EVTX reader on files built byte by byte: every Binary XML token and value type, templates, streaming. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { gzipSync, createGunzip } from 'node:zlib';
import type { Doc, VigieEvent } from '../../../src/event.js';
import { getField } from '../../../src/event.js';
import { ReadContext, type InputFile } from '../../../src/sources/types.js';
import { source } from '../../../src/sources/evtx/index.js';
import { readEvtxStream, declaredRecords } from '../../../src/sources/evtx/file.js';
import { buildEvtx, el, sub, opt, cdata, charRef, entity, pi, VT, windowsRecord, type BuilderRecord, type BuilderNode } from './builder.js';

async function docs(buf: Buffer): Promise<{ docs: Doc[]; errors: string[] }> {
  const out: Doc[] = [];
  const errors: string[] = [];
  for await (const r of readEvtxStream(Readable.from([buf]), (p) => errors.push(`${p.offset}: ${p.message}`))) out.push(r.doc);
  return { docs: out, errors };
}

/** Render one record whose <Event> holds `children`; returns the Event object. */
async function one(children: BuilderNode[], attrs: Record<string, never> = {}, noTemplate = false): Promise<Doc> {
  const { docs: d, errors } = await docs(buildEvtx([{ xml: el('Event', attrs, children), noTemplate }]));
  assert.deepEqual(errors, []);
  assert.equal(d.length, 1);
  return d[0].Event as Doc;
}

function input(buf: Buffer, gzip = false): InputFile {
  return { path: 'mem.evtx', file: 'mem.evtx', head: buf.subarray(0, 65536), gzip, size: buf.length };
}

async function events(buf: Buffer, gz = false): Promise<{ events: VigieEvent[]; ctx: ReadContext }> {
  const ctx = new ReadContext();
  const out: VigieEvent[] = [];
  const data = gz ? gzipSync(buf) : buf;
  const open = () => (gz ? Readable.from([data]).pipe(createGunzip()) : Readable.from([data]));
  for await (const ev of source.read(input(buf, gz), ctx, open)) out.push(ev);
  return { events: out, ctx };
}

test('scalar value types render as evtx_dump prints them', async () => {
  const t = new Date(Date.UTC(2024, 1, 3, 4, 5, 6, 789));
  const cases: [string, BuilderNode, unknown][] = [
    ['String', sub(VT.String, 'héllo wörld ✓'), 'héllo wörld ✓'],
    ['Ansi', sub(VT.AnsiString, 'plain ansi'), 'plain ansi'],
    ['Ansi1252', sub(VT.AnsiString, Buffer.from([0x80, 0x20, 0xe9, 0x93, 0x71, 0x94, 0x00])), '€ é“q”'],
    ['Int8', sub(VT.Int8, -5), -5],
    ['UInt8', sub(VT.UInt8, 250), 250],
    ['Int16', sub(VT.Int16, -300), -300],
    ['UInt16', sub(VT.UInt16, 65000), 65000],
    ['Int32', sub(VT.Int32, -70000), -70000],
    ['UInt32', sub(VT.UInt32, 4000000000), 4000000000],
    ['Int64', sub(VT.Int64, -5000000000n), -5000000000],
    ['UInt64', sub(VT.UInt64, 123456789012n), 123456789012],
    ['UInt64Big', sub(VT.UInt64, 1n << 60n), '1152921504606846976'],
    ['Hex32', sub(VT.HexInt32, 255), '0xff'],
    ['Hex64', sub(VT.HexInt64, 0x8020000000000000n), '0x8020000000000000'],
    ['Real32', sub(VT.Real32, 0.1), 0.1],
    ['Real64', sub(VT.Real64, 3.25), 3.25],
    ['BoolT', sub(VT.Bool, true), true],
    ['BoolF', sub(VT.Bool, false), false],
    ['Guid', sub(VT.Guid, '{54849625-5478-4994-a5ba-3e3b0328c30d}'), '54849625-5478-4994-A5BA-3E3B0328C30D'],
    ['Sid', sub(VT.Sid, 'S-1-5-21-111-222-333-500'), 'S-1-5-21-111-222-333-500'],
    ['FileTime', sub(VT.FileTime, t), '2024-02-03T04:05:06.789000Z'],
    ['FileTimeTicks', sub(VT.FileTime, BigInt(t.getTime()) * 10000n + 116444736000000000n + 1234n), '2024-02-03T04:05:06.789123Z'],
    ['SysTime', sub(VT.SysTime, t), '2024-02-03T04:05:06.789000Z'],
    ['Binary', sub(VT.Binary, Buffer.from([0xde, 0xad, 0x00, 0x0f])), 'DEAD000F'],
    ['SizeT', sub(VT.SizeT, 0x1234n), '0x0000000000001234'],
    ['Null', sub(VT.Null, null), null],
  ];
  const ev = await one(cases.map(([name, v]) => el(name, {}, [v])));
  for (const [name, , want] of cases) assert.deepEqual(ev[name], want, name);
});

test('array value types render as JSON arrays', async () => {
  const t1 = new Date(Date.UTC(2020, 0, 1));
  const cases: [string, BuilderNode, unknown][] = [
    ['Strings', sub(VT.String | VT.Array, ['a', 'bé', '']), ['a', 'bé', '']],
    ['Ansis', sub(VT.AnsiString | VT.Array, ['one', 'two']), ['one', 'two']],
    ['Int8s', sub(VT.Int8 | VT.Array, [-1, 2]), [-1, 2]],
    ['UInt8s', sub(VT.UInt8 | VT.Array, [1, 255]), [1, 255]],
    ['Int16s', sub(VT.Int16 | VT.Array, [-2, 3]), [-2, 3]],
    ['UInt16s', sub(VT.UInt16 | VT.Array, [4, 65535]), [4, 65535]],
    ['Int32s', sub(VT.Int32 | VT.Array, [1, -2]), [1, -2]],
    ['UInt32s', sub(VT.UInt32 | VT.Array, [7, 8]), [7, 8]],
    ['Int64s', sub(VT.Int64 | VT.Array, [-9n, 10n]), [-9, 10]],
    ['UInt64s', sub(VT.UInt64 | VT.Array, [11n]), [11]],
    ['Real32s', sub(VT.Real32 | VT.Array, [1.5, -2]), [1.5, -2]],
    ['Real64s', sub(VT.Real64 | VT.Array, [0.25]), [0.25]],
    ['Bools', sub(VT.Bool | VT.Array, [true, false]), [true, false]],
    ['Guids', sub(VT.Guid | VT.Array, ['00000000-0000-0000-0000-000000000001']), ['00000000-0000-0000-0000-000000000001']],
    ['FileTimes', sub(VT.FileTime | VT.Array, [t1]), ['2020-01-01T00:00:00.000000Z']],
    ['SysTimes', sub(VT.SysTime | VT.Array, [t1]), ['2020-01-01T00:00:00.000000Z']],
    ['Sids', sub(VT.Sid | VT.Array, ['S-1-5-18', 'S-1-1-0']), ['S-1-5-18', 'S-1-1-0']],
    ['Hex32s', sub(VT.HexInt32 | VT.Array, [16, 1]), ['0x10', '0x1']],
    ['Hex64s', sub(VT.HexInt64 | VT.Array, [1n << 40n]), ['0x10000000000']],
    ['SizeTs', sub(VT.SizeT | VT.Array, [1n]), ['0x0000000000000001']],
  ];
  const ev = await one(cases.map(([name, v]) => el(name, {}, [v])));
  for (const [name, , want] of cases) assert.deepEqual(ev[name], want, name);
});

test('tokens: attributes, optional substitutions, CDATA, character and entity references, PI, literal text', async () => {
  const ev = await one([
    el('A', { x: 'lit', y: sub(VT.UInt32, 7), gone: opt(VT.Null, null), multi: ['pre-', sub(VT.String, 'mid'), '-post'] }, [sub(VT.String, 'text')]),
    el('OnlyAttrs', { a: sub(VT.String, 'v') }),
    el('AllNull', { a: opt(VT.Null, null) }),
    el('Empty'),
    el('C', {}, [cdata('<raw & cdata>')]),
    el('R', {}, ['x', charRef(0x41), entity('amp'), entity('lt'), 'y']),
    el('P', {}, [pi('xml-stylesheet', 'href="a"'), 'after-pi']),
    el('Lit', {}, ['literal text']),
    el('Opt', {}, [opt(VT.String, 'present')]),
    el('Padded', { keep: sub(VT.String, ' as is ') }, [sub(VT.String, '  "cmd.exe" \r\n')]),
  ]);
  assert.deepEqual(ev.Padded, { '#attributes': { keep: ' as is ' }, '#text': '"cmd.exe"' }, 'text trimmed like evtx_dump, attributes kept');
  assert.deepEqual(ev.A, { '#attributes': { x: 'lit', y: 7, multi: 'pre-mid-post' }, '#text': 'text' });
  assert.deepEqual(ev.OnlyAttrs, { '#attributes': { a: 'v' } });
  assert.equal(ev.AllNull, null);
  assert.equal(ev.Empty, null);
  assert.equal(ev.C, '<raw & cdata>');
  assert.equal(ev.R, 'xA&<y');
  assert.equal(ev.P, 'after-pi');
  assert.equal(ev.Lit, 'literal text');
  assert.equal(ev.Opt, 'present');
});

test('records without templates (plain Binary XML) render the same way', async () => {
  const ev = await one([el('System', {}, [el('EventID', { Qualifiers: '16384' }, ['7045']), el('Channel', {}, ['System'])])], {}, true);
  assert.deepEqual(ev.System, { EventID: { '#attributes': { Qualifiers: '16384' }, '#text': '7045' }, Channel: 'System' });
});

test('EventData: named Data, unnamed Data list, duplicates, nested BinXml (UserData)', async () => {
  const ev = await one([
    el('EventData', {}, [
      el('Data', { Name: 'TargetUserName' }, [sub(VT.String, 'alice')]),
      el('Data', { Name: 'LogonType' }, [sub(VT.UInt32, 3)]),
      el('Data', { Name: 'Empty' }),
    ]),
    el('Unnamed', {}, [el('Data', {}, [sub(VT.String, 'one')]), el('Data', {}, [sub(VT.String, 'two')]), el('Data', {}, [sub(VT.String, '')])]),
    el('Single', {}, [el('Data', {}, [sub(VT.String, 'only')])]),
    el('Dups', {}, [el('H', {}, ['a']), el('H', {}, ['b']), el('H', {}, ['c'])]),
    el('UserData', {}, [sub(VT.BinXml, el('LogFileCleared', { xmlns: 'http://manifests.microsoft.com/win/2004/08/windows/eventlog' }, [el('SubjectUserName', {}, [sub(VT.String, 'bob')])]))]),
  ]);
  assert.deepEqual(ev.EventData, { TargetUserName: 'alice', LogonType: 3, Empty: null });
  assert.deepEqual(ev.Unnamed, { Data: { '#text': ['one', 'two', ''] } });
  assert.deepEqual(ev.Single, { Data: { '#text': 'only' } });
  assert.deepEqual(ev.Dups, { H: 'c', H_1: 'a', H_2: 'b' });
  assert.deepEqual(ev.UserData, {
    LogFileCleared: { '#attributes': { xmlns: 'http://manifests.microsoft.com/win/2004/08/windows/eventlog' }, SubjectUserName: 'bob' },
  });
});

test('templates are shared across records and chunks; every declared record is read', async () => {
  const recs: BuilderRecord[] = [];
  for (let i = 1; i <= 900; i++) recs.push(windowsRecord({ id: i, eventId: 4624 + (i % 3), data: { N: sub(VT.UInt32, i), Text: 'x'.repeat(i % 50) } }));
  const buf = buildEvtx(recs);
  assert.ok(buf.length > 4096 + 2 * 65536, 'spans several chunks');
  assert.equal(declaredRecords(buf), 900);
  const { docs: d, errors } = await docs(buf);
  assert.deepEqual(errors, []);
  assert.equal(d.length, 900);
  d.forEach((doc, i) => {
    const e = doc.Event as Doc;
    assert.equal((e.EventData as Doc).N, i + 1);
    assert.equal((e.System as Doc).EventRecordID, i + 1);
    assert.equal((e.System as Doc).EventID, 4624 + ((i + 1) % 3));
  });
});

test('source: detection, VigieEvent fields and origin, gzip stream', async () => {
  const buf = buildEvtx([
    windowsRecord({ id: 41, eventId: 4688, computer: 'ws1', data: { CommandLine: 'cmd.exe /c whoami', NewProcessName: 'C:\\Windows\\System32\\cmd.exe' } }),
    windowsRecord({ id: 42, eventId: 1102 }),
  ]);
  assert.equal(source.detect(input(buf)), 100);
  assert.equal(source.detect(input(buf.subarray(4096))), 100, 'bare chunk file');
  assert.equal(source.detect(input(Buffer.from('{"Event": {}}'))), 0);
  for (const gz of [false, true]) {
    const { events: ev, ctx } = await events(buf, gz);
    assert.equal(ctx.errorCount, 0);
    assert.equal(ev.length, 2);
    const e = ev[0];
    assert.deepEqual(e.origin, { file: 'mem.evtx', format: 'evtx', offset: 4096 + 512, record: 41 });
    assert.equal(e.eventId, 4688);
    assert.equal(e.computer, 'ws1');
    assert.equal(e.channel, 'Security');
    assert.equal(e.provider, 'Microsoft-Windows-Security-Auditing');
    assert.equal(e.time, Date.UTC(2024, 0, 1, 12, 0, 0));
    assert.equal(getField(e, 'CommandLine'), 'cmd.exe /c whoami');
    assert.equal(getField(e, 'Event.System.EventID'), 4688);
    assert.equal(ev[1].origin.record, 42);
    assert.ok(ev[1].origin.offset > e.origin.offset);
  }
});

test('dirty logs: chunks beyond the header chunk count are read; bare chunk files too', async () => {
  const recs: BuilderRecord[] = [];
  for (let i = 1; i <= 600; i++) recs.push(windowsRecord({ id: i, data: { Payload: 'p'.repeat(100) } }));
  const clean = buildEvtx(recs);
  const chunks = (clean.length - 4096) / 65536;
  assert.ok(chunks >= 2);
  const dirty = buildEvtx(recs, { headerChunkCount: 1 });
  const { docs: d, errors } = await docs(dirty);
  assert.deepEqual(errors, []);
  assert.equal(d.length, 600);
  const bare = buildEvtx(recs, { noFileHeader: true });
  assert.equal((await docs(bare)).docs.length, 600);
});
