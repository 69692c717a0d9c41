/**
 * The direct field walk (fields.ts) gives exactly what rendering the document and calling windowsEvent gives: same
 * field names in the same order, same values and types, same time/computer/channel/provider/eventId; and the lazily
 * rendered document equals the one rendered when the record is read. Checked on built records of many layouts
 * (common and unusual ones, which must take the rendering path) and, when ../shared is present, on every record of
 * the EVTX files under ../shared/evtx and ../shared/sigma/regression_data.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { VigieEvent } from '../../../src/event.js';
import { readEvtxStream, type EvtxRecord } from '../../../src/sources/evtx/file.js';
import { evtxTime, lazyEvent } from '../../../src/sources/evtx/fields.js';
import { planStats } from '../../../src/sources/evtx/plans.js';
import { SharedTemplates } from '../../../src/sources/evtx/binxml.js';
import { parseTime, peekField } from '../../../src/event.js';
import { isDeepStrictEqual } from 'node:util';
import { windowsEvent } from '../../../src/sources/windows.js';
import { buildEvtx, el, opt, sub, windowsRecord, VT, type BuilderRecord } from './builder.js';
import { shared } from '../../helpers.js';

interface Outcome {
  records: number;
  direct: number;
  fallback: number;
  problems: string[];
}

async function collect(buf: Buffer, direct: boolean, templates?: SharedTemplates): Promise<{ recs: EvtxRecord[]; errors: string[] }> {
  const recs: EvtxRecord[] = [];
  const errors: string[] = [];
  for await (const r of readEvtxStream(buf, (p) => errors.push(`${p.offset}: ${p.message}`), undefined, { direct, templates })) recs.push(r);
  return { recs, errors };
}

function header(ev: VigieEvent) {
  return { time: ev.time, computer: ev.computer, channel: ev.channel, provider: ev.provider, eventId: ev.eventId };
}

/** Read a file both ways and compare record by record. */
async function compare(buf: Buffer, name: string, templates?: SharedTemplates): Promise<Outcome> {
  const eager = await collect(buf, false);
  const lazy = await collect(buf, true, templates);
  const out: Outcome = { records: eager.recs.length, direct: 0, fallback: 0, problems: [] };
  assert.deepEqual(lazy.errors, eager.errors, `${name}: same problems reported`);
  assert.equal(lazy.recs.length, eager.recs.length, `${name}: same records`);
  for (let i = 0; i < eager.recs.length; i++) {
    const e = eager.recs[i]!;
    const l = lazy.recs[i]!;
    assert.equal(e.direct, undefined);
    assert.equal(l.offset, e.offset);
    const origin = { file: name, format: 'evtx', offset: e.offset, record: e.recordId };
    const ref = windowsEvent(e.doc, origin);
    if (!l.direct) {
      out.fallback++;
      assert.deepEqual(l.doc, e.doc);
      continue;
    }
    out.direct++;
    const ev = lazyEvent(l.direct, origin, l);
    const where = `${name} record ${e.recordId} @${e.offset}`;
    try {
      // before `fields` is built: the pending list has every name of the fields and no other, every value under its name
      const pending = ev.pendingFields;
      assert.ok(pending, 'fields pending until first access');
      assert.deepEqual(new Set(pending.keys), new Set(Object.keys(ref.fields)));
      for (const [k, v] of Object.entries(ref.fields)) {
        assert.ok(pending.keys.some((pk, i) => pk === k && isDeepStrictEqual(pending.values[i], v)), `pending value of ${k}`);
        // a transform's read of one field gives the field's value, without building them when the name is once there
        assert.deepEqual(peekField(ev, k), v);
      }
      assert.equal(peekField(ev, 'NoSuchField'), undefined);
      if (pending.keys.length === new Set(pending.keys).size) assert.ok(ev.pendingFields, 'peeking built nothing');
      assert.deepEqual(ev.fields, ref.fields);
      assert.equal(ev.pendingFields, undefined, 'built on first access');
      assert.deepEqual(Object.keys(ev.fields), Object.keys(ref.fields));
      assert.deepEqual(header(ev), header(ref));
      // the lazy document: equal, same key order (what `vigie dump` prints)
      assert.equal(JSON.stringify(ev.doc), JSON.stringify(e.doc));
      assert.deepEqual(ev.doc, e.doc);
    } catch (err) {
      out.problems.push(`${where}: ${(err as Error).message.slice(0, 600)}`);
    }
  }
  return out;
}

const ev = (sys: ReturnType<typeof el>[], rest: ReturnType<typeof el>[] = []): BuilderRecord => ({
  xml: el('Event', { xmlns: 'http://schemas.microsoft.com/win/2004/08/events/event' }, [el('System', {}, sys), ...rest]),
});
const sysBase = () => [
  el('Provider', { Name: 'Microsoft-Windows-Sysmon', Guid: '{5770385F-C22A-43E0-BF4C-06F5698FFBD9}' }),
  el('EventID', {}, [sub(VT.UInt16, 1)]),
  el('TimeCreated', { SystemTime: sub(VT.FileTime, new Date(Date.UTC(2023, 4, 6, 7, 8, 9))) }),
  el('Channel', {}, ['Microsoft-Windows-Sysmon/Operational']),
  el('Computer', {}, [sub(VT.String, 'ws1')]),
];

/** Layouts the direct walk must handle (D) or leave to the renderer (F). */
const layouts: [string, 'D' | 'F', BuilderRecord][] = [
  ['security 4688', 'D', windowsRecord({ data: { NewProcessName: 'C:\\Windows\\cmd.exe', CommandLine: ' cmd /c whoami  ', 'Source Name': 'x' } })],
  ['numbers, arrays, hex, nulls', 'D', windowsRecord({ data: { A: sub(VT.UInt32, 7), B: sub(VT.String | VT.Array, ['p', 'q']), C: sub(VT.HexInt32, 255), D: sub(VT.Null, null), E: sub(VT.Sid, 'S-1-5-18'), Level: 'override', Channel: 'no' } })],
  ['eventid text + qualifiers', 'D', ev([el('EventID', { Qualifiers: sub(VT.UInt16, 16384) }, [' 4625 ']), el('Provider', { Name: 'P', EventSourceName: 'S' })])],
  ['eventid parts joined', 'D', ev([el('EventID', {}, [sub(VT.UInt16, 46), sub(VT.UInt16, 24)]), el('Version', {}, [sub(VT.UInt8, 1), ' ']), el('Keywords', {}, [sub(VT.HexInt64, 0x8000000000000000n)])])],
  ['eventid not a number', 'D', ev([el('EventID', {}, ['12a'])])],
  ['binary + plain leaf in EventData', 'D', ev(sysBase(), [el('EventData', {}, [el('Data', { Name: 'Image' }, [sub(VT.String, 'a.exe')]), el('Binary', {}, [sub(VT.Binary, Buffer.from([1, 2, 250]))])])])],
  ['empty data, optional null', 'D', ev(sysBase(), [el('EventData', {}, [el('Data', { Name: 'Empty' }), el('Data', { Name: 'Opt' }, [opt(VT.Null, null)]), el('Data', { Name: 'Sp' }, ['  '])])])],
  ['UserData in a fragment', 'D', ev(sysBase(), [el('UserData', {}, [sub(VT.BinXml, el('LogFileCleared', { xmlns: 'http://manifests.microsoft.com/win/2004/08/windows/eventlog' }, [el('SubjectUserName', {}, [sub(VT.String, 'bob')]), el('Empty'), el('WithAttr', { a: 'b' }), el('Both', { a: 'b' }, ['t']), el('Deeper', {}, [el('Leaf', {}, [sub(VT.UInt32, 3)])]), el('Channel', {}, ['not the system one'])]))])])],
  ['EventData in a fragment', 'D', ev(sysBase(), [el('EventData', {}, [sub(VT.BinXml, el('Data', { Name: 'Frag' }, [sub(VT.String, 'v')]))])])],
  ['other Event children (RenderingInfo)', 'D', ev(sysBase(), [el('RenderingInfo', { Culture: 'en-US' }, [el('Message', {}, ['m']), el('Keywords', {}, [el('Keyword', {}, ['Audit Success'])])])])],
  ['unknown System children', 'D', ev([...sysBase(), el('Extra', {}, [el('Deep', {}, ['x'])])])],
  ['attribute values joined', 'D', ev([el('Provider', { Name: ['Micro', sub(VT.String, 'soft'), sub(VT.UInt8, 1)] }), el('Security', { UserID: sub(VT.Sid, 'S-1-5-21-1-2-3-500') }), el('Execution', { ProcessID: sub(VT.UInt32, 1), ThreadID: sub(VT.UInt32, 2) }), el('Correlation', { ActivityID: sub(VT.Guid, '11111111-2222-3333-4444-555555555555') })])],
  ['TimeCreated not text', 'D', ev([el('TimeCreated', { SystemTime: sub(VT.UInt32, 5) })])],
  ['unnamed Data', 'D', ev(sysBase(), [el('EventData', {}, [el('Data', {}, ['a']), el('Data', {}, [sub(VT.UInt32, 2)]), el('Data'), el('Data', {}, [' ']), el('Binary', {}, ['00'])])])],
  ['one unnamed Data', 'D', ev(sysBase(), [el('EventData', {}, [el('Data', {}, [sub(VT.String, 'only')])])])],
  ['one unnamed Data holding an array', 'D', ev(sysBase(), [el('EventData', {}, [el('Data', {}, [sub(VT.String | VT.Array, ['x', 'y'])])])])],
  ['unnamed Data holding arrays', 'D', ev(sysBase(), [el('EventData', {}, [el('Data', {}, [sub(VT.UInt16 | VT.Array, [1, 2])]), el('Data', {}, ['z'])])])],
  ['unnamed and named Data mixed', 'D', ev(sysBase(), [el('EventData', {}, [el('Data', { Name: 'DataText' }, ['mine']), el('Data', {}, ['a']), el('Data', { Name: 'After' }, ['b']), el('Data', {}, ['c'])])])],
  ['Data named Data', 'F', ev(sysBase(), [el('EventData', {}, [el('Data', {}, ['a']), el('Data', { Name: 'Data' }, ['b'])])])],
  ['duplicate Data names', 'F', ev(sysBase(), [el('EventData', {}, [el('Data', { Name: 'X' }, ['1']), el('Data', { Name: 'X' }, ['2'])])])],
  ['Data named like a number', 'F', ev(sysBase(), [el('EventData', {}, [el('Data', { Name: '12' }, ['1']), el('Data', { Name: '1 2' }, ['2'])])])],
  ['Data named __proto__', 'F', ev(sysBase(), [el('EventData', {}, [el('Data', { Name: '__proto__' }, ['x'])])])],
  ['element inside Data', 'F', ev(sysBase(), [el('EventData', {}, [el('Data', { Name: 'X' }, [el('Inner', {}, ['y'])])])])],
  ['text in EventData', 'F', ev(sysBase(), [el('EventData', {}, ['loose', el('Data', { Name: 'X' }, ['1'])])])],
  ['EventData text only', 'F', ev(sysBase(), [el('EventData', {}, ['only text'])])],
  ['duplicate System children', 'F', ev([...sysBase(), el('Computer', {}, ['second'])])],
  ['Data in System', 'F', ev([...sysBase(), el('Data', { Name: 'EventID' }, ['9'])])],
  ['no System', 'F', { xml: el('Event', {}, [el('EventData', {}, [el('Data', { Name: 'X' }, ['1'])])]) }],
  ['not an Event', 'F', { xml: el('Events', {}, [el('System', {}, sysBase())]) }],
  ['System value with elements', 'F', ev([el('EventID', {}, [el('X', {}, ['1'])])])],
  ['UserData with text', 'F', ev(sysBase(), [el('UserData', {}, [el('X', {}, ['t', el('Y', {}, ['1'])])])])],
  ['UserData duplicate leaves', 'F', ev(sysBase(), [el('UserData', {}, [el('X', {}, [el('Y', {}, ['1']), el('Y', {}, ['2'])])])])],
  ['attributes on an EventData leaf', 'F', ev(sysBase(), [el('EventData', {}, [el('Binary', { a: 'b' }, ['00'])])])],
  ['elements without a template', 'D', { xml: el('Event', {}, [el('System', {}, [el('Provider', { Name: 'P' }), el('EventID', {}, ['4624']), el('Computer', {}, ['c'])]), el('EventData', {}, [el('Data', { Name: 'N' }, ['v'])])]), noTemplate: true }],
];

test('direct fields equal windowsEvent(rendered document) on built layouts; unusual ones take the rendering path', async () => {
  for (const [name, want, rec] of layouts) {
    const out = await compare(buildEvtx([rec]), name);
    assert.deepEqual(out.problems, [], name);
    assert.equal(out.records, 1, `${name}: one record`);
    assert.equal(out.direct, want === 'D' ? 1 : 0, `${name}: ${want === 'D' ? 'direct walk' : 'rendering path'} expected`);
  }
  // all layouts in one file (templates shared in a chunk, budgets charged in turn)
  const all = await compare(buildEvtx(layouts.map((l) => l[2])), 'all');
  assert.deepEqual(all.problems, []);
  assert.equal(all.direct, layouts.filter((l) => l[1] === 'D').length);
});

test('names checked once per template stay right for every record of the template', async () => {
  const recs = [1, 2, 3].map((i) => windowsRecord({ id: i, data: { 'Source Name': `s${i}`, SourceName: `t${i}`, 'Log Name': i === 2 ? sub(VT.Null, null) : `l${i}`, Image: `c:\\x${i}.exe ` } }));
  const out = await compare(buildEvtx(recs), 'same template');
  assert.deepEqual(out.problems, []);
  assert.equal(out.direct, 3);
  const { recs: read } = await collect(buildEvtx(recs), true);
  assert.deepEqual(read.map((r) => [r.direct!.list.build().SourceName, r.direct!.list.build().LogName]), [['t1', 'l1'], ['t2', null], ['t3', 'l3']]);
});

test('evtxTime gives what parseTime gives, on edges and on many generated times', () => {
  const edges = [
    '2019-03-19T23:09:43.123456Z', '2019-02-30T00:00:00.000000Z', '2020-02-29T23:59:59.999999Z', '0099-01-01T00:00:00.000000Z',
    '0100-01-01T00:00:00.000000Z', '2019-13-01T00:00:00.000000Z', '2019-01-01T24:00:00.000000Z', '2019-01-01T23:60:00.000000Z',
    '2019-01-01T23:00:60.000000Z', '2019-00-10T00:00:00.000000Z', '2019-01-00T00:00:00.000000Z', '2019-01-32T00:00:00.000000Z',
    '2019-01-01T23:00:59.9Z', '2019-01-01T23:00:59Z', '', ' 2019-01-01T23:00:59.000000Z', '2019-01-01 23:00:59.000000Z',
    '9999-12-31T23:59:59.999999Z', '+02019-01-01T00:00:00.000000Z', '2019-01-01T00:00:00.00000aZ', '2019-01-01T00:00:00,000000Z',
    '1601-01-01T00:00:00.000000Z', '2019-1a-01T00:00:00.000000Z',
  ];
  for (const s of edges) assert.equal(evtxTime(s), parseTime(s), s);
  let x = 0x9e3779b9;
  const next = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0), x);
  const p = (n: number, w: number) => String(n).padStart(w, '0');
  for (let i = 0; i < 5000; i++) {
    const s = `${p(next() % 10000, 4)}-${p(next() % 14, 2)}-${p(next() % 33, 2)}T${p(next() % 25, 2)}:${p(next() % 61, 2)}:${p(next() % 61, 2)}.${p(next() % 1000000, 6)}Z`;
    assert.equal(evtxTime(s), parseTime(s), s);
  }
});

test('direct events: lazy doc survives spreads, JSON and assignment', async () => {
  const { recs } = await collect(buildEvtx([windowsRecord({ data: { CommandLine: 'whoami' } })]), true);
  const r = recs[0]!;
  assert.ok(r.direct);
  const e = lazyEvent(r.direct, { file: 'x', format: 'evtx', offset: r.offset }, r);
  const copy = { ...e, fields: { ...e.fields } };
  assert.deepEqual(copy.doc, r.doc);
  assert.equal(JSON.parse(JSON.stringify(e)).doc.Event.EventData.CommandLine, 'whoami');
  assert.deepEqual(Object.keys(e), ['origin', 'time', 'computer', 'channel', 'provider', 'eventId', 'logsource', 'fields', 'doc']);
  e.doc = { replaced: true };
  assert.deepEqual(e.doc, { replaced: true });
  // fields, built on first access, the same way
  const f = lazyEvent(r.direct, { file: 'x', format: 'evtx', offset: r.offset }, r);
  assert.ok(f.pendingFields);
  assert.equal(structuredClone(f).fields.CommandLine, 'whoami');
  assert.equal(f.pendingFields, undefined);
  const g = lazyEvent(r.direct, { file: 'x', format: 'evtx', offset: r.offset }, r);
  assert.equal({ ...g }.fields.CommandLine, 'whoami');
  const h = lazyEvent(r.direct, { file: 'x', format: 'evtx', offset: r.offset }, r);
  h.fields = { CommandLine: 'other' };
  assert.equal(h.pendingFields, undefined, 'an assigned object replaces the pending list');
  assert.equal(h.fields.CommandLine, 'other');
  h.fields.Added = 1;
  assert.equal(h.fields.Added, 1);
});

function evtxFiles(dir: string, out: string[] = []): string[] {
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    const st = statSync(p);
    if (st.isDirectory()) evtxFiles(p, out);
    else if (/\.evtx$/i.test(n)) out.push(p);
  }
  return out;
}

for (const sub of ['evtx', 'sigma/regression_data']) {
  const s = shared(sub);
  test(`direct fields equal windowsEvent(rendered document) on every record of ../shared/${sub}`, { skip: s.skip || false }, async () => {
    const files = evtxFiles(s.path!);
    const tot: Outcome = { records: 0, direct: 0, fallback: 0, problems: [] };
    // the direct reads share templates across files, as a hunt does (so most records are replayed from plans)
    const templates = new SharedTemplates();
    const replayed = planStats.replayed;
    for (const f of files) {
      const o = await compare(readFileSync(f), f, templates);
      tot.records += o.records;
      tot.direct += o.direct;
      tot.fallback += o.fallback;
      tot.problems.push(...o.problems);
    }
    const n = planStats.replayed - replayed;
    console.log(`../shared/${sub}: ${files.length} files, ${tot.records} records, ${tot.direct} direct (${n} replayed from plans), ${tot.fallback} through the rendering path (${((100 * tot.fallback) / Math.max(1, tot.records)).toFixed(2)}%)`);
    assert.deepEqual(tot.problems.slice(0, 5), []);
    assert.ok(tot.records > 0);
    assert.ok(n > tot.direct / 2, `only ${n} of ${tot.direct} direct records replayed`);
  });
}
