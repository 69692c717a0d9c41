/**
 * Replay plans of the field walk (fields.ts): records replayed from a template's plan give exactly what rendering
 * the document and calling windowsEvent gives — on many records of few templates whose values change kind from record
 * to record (null, text with spaces to trim, numbers, lists, booleans, BinXml EventData), and with template text
 * made to look like the planner's tags.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { VigieEvent } from '../../../src/event.js';
import { SharedTemplates } from '../../../src/sources/evtx/binxml.js';
import { readEvtxStream, type EvtxRecord } from '../../../src/sources/evtx/file.js';
import { lazyEvent } from '../../../src/sources/evtx/fields.js';
import { MAX_PLAN_FIELDS, MAX_PLAN_SLOTS, planStats } from '../../../src/sources/evtx/plans.js';
import { windowsEvent } from '../../../src/sources/windows.js';
import { seededRandom as random } from '../../helpers.js';
import { buildEvtx, el, sub, subAs, VT, type BuilderElement, type BuilderRecord, type SubValue } from './builder.js';

async function collect(buf: Buffer, direct: boolean): Promise<EvtxRecord[]> {
  const recs: EvtxRecord[] = [];
  // (templates shared across chunks, as a hunt reads them: plans then serve every chunk)
  for await (const r of readEvtxStream(buf, () => {}, undefined, { direct, templates: new SharedTemplates() })) recs.push(r);
  return recs;
}

const header = (ev: VigieEvent) => ({ time: ev.time, computer: ev.computer, channel: ev.channel, provider: ev.provider, eventId: ev.eventId });

/** Every record read directly equals windowsEvent of its rendered document; returns how many were read directly. */
async function check(buf: Buffer): Promise<number> {
  const eager = await collect(buf, false);
  const lazy = await collect(buf, true);
  assert.equal(lazy.length, eager.length);
  let direct = 0;
  for (let i = 0; i < eager.length; i++) {
    const e = eager[i]!, l = lazy[i]!;
    if (!l.direct) continue;
    direct++;
    const origin = { file: 'plans', format: 'evtx', offset: e.offset, record: e.recordId };
    const ref = windowsEvent(e.doc, origin);
    const ev = lazyEvent(l.direct, origin, l);
    const where = `record ${e.recordId}`;
    assert.deepEqual(ev.fields, ref.fields, where);
    assert.deepEqual(Object.keys(ev.fields), Object.keys(ref.fields), where);
    assert.deepEqual(header(ev), header(ref), where);
  }
  return direct;
}

const NAMES = ['Image', 'CommandLine', 'Source Name', 'User', 'Hashes', 'TargetObject', 'Details'];
const pads = ['', ' ', '  ', '\t', '\n '];

/** A value for a slot declared as text, of a kind drawn from `kinds`. */
function textSlot(rnd: () => number, kinds: string[]): SubValue {
  const k = kinds[Math.floor(rnd() * kinds.length)]!;
  const pad = () => pads[Math.floor(rnd() * pads.length)]!;
  switch (k) {
    case 'null': return subAs(VT.String, VT.Null, null);
    case 'number': return subAs(VT.String, VT.UInt32, Math.floor(rnd() * 1e6));
    case 'list': return subAs(VT.String, VT.String | VT.Array, ['a', `b${Math.floor(rnd() * 9)}`]);
    case 'bool': return subAs(VT.String, VT.Bool, rnd() < 0.5);
    case 'hex': return subAs(VT.String, VT.HexInt64, BigInt(Math.floor(rnd() * 1e9)));
    case 'empty': return subAs(VT.String, VT.String, '');
    default: return subAs(VT.String, VT.String, `${pad()}v${Math.floor(rnd() * 1e4)}${pad()}`);
  }
}

/** A template shape: per record, the same elements with values whose kinds vary within the shape's choices. */
function shape(rnd: () => number, n: number): (id: number) => BuilderRecord {
  const slots = Array.from({ length: 2 + Math.floor(rnd() * 4) }, (_, i) => ({
    name: NAMES[(n + i) % NAMES.length]!,
    kinds: [['text'], ['text', 'null'], ['text', 'empty', 'null'], ['number', 'null'], ['list', 'text'], ['bool'], ['hex', 'text']][Math.floor(rnd() * 7)]!,
  }));
  const nested = rnd() < 0.5;
  const computer = rnd() < 0.7;
  const literalProvider = rnd() < 0.5;
  return (id) => {
    const data = slots.map((s) => el('Data', { Name: s.name }, [textSlot(rnd, s.kinds)]));
    const ed: BuilderElement = el('EventData', {}, data);
    const sys = [
      el('Provider', { Name: literalProvider ? 'Microsoft-Windows-Sysmon' : subAs(VT.String, VT.String, ' Prov ') }),
      el('EventID', {}, [rnd() < 0.9 ? subAs(VT.UInt16, VT.UInt16, 1 + (n % 20)) : subAs(VT.UInt16, VT.Null, null)]),
      el('TimeCreated', { SystemTime: rnd() < 0.9 ? subAs(VT.FileTime, VT.FileTime, new Date(Date.UTC(2024, 0, 1, 0, 0, id))) : subAs(VT.FileTime, VT.Null, null) }),
      el('Channel', {}, ['Microsoft-Windows-Sysmon/Operational']),
      ...(computer ? [el('Computer', {}, [textSlot(rnd, ['text', 'null'])])] : []),
      el('Execution', { ProcessID: subAs(VT.UInt32, VT.UInt32, id), ThreadID: subAs(VT.UInt32, rnd() < 0.8 ? VT.UInt32 : VT.Null, 7) }),
    ];
    // (the nested form is how Windows writes most logs: one outer template, EventData a BinXml value)
    return { id, xml: nested ? el('Event', {}, [el('System', {}, sys), sub(VT.BinXml, ed)]) : el('Event', {}, [el('System', {}, sys), ed]) };
  };
}

test('records replayed from plans equal the rendering path, whatever kinds their values take', async () => {
  for (const seed of [1, 2, 3]) {
    const rnd = random(seed);
    const shapes = Array.from({ length: 6 }, (_, n) => shape(rnd, n));
    const recs: BuilderRecord[] = [];
    for (let i = 0; i < 400; i++) recs.push(shapes[Math.floor(rnd() * shapes.length)]!(i + 1));
    const before = { ...planStats };
    const direct = await check(buildEvtx(recs));
    assert.equal(direct, 400);
    // not vacuous: most records were replayed, and plans were made for several kinds per template
    assert.ok(planStats.replayed - before.replayed > 100, `seed ${seed}: ${planStats.replayed - before.replayed} replayed`);
    assert.ok(planStats.plans - before.plans > 12, `seed ${seed}: ${planStats.plans - before.plans} plans`);
  }
});

test('template text that looks like a tag, and values equal to the constants: replays stay right', async () => {
  // the planner tags text values as " \u0001<slot>\u0002 " (and " \u0003…\u0004 "): a template literal of that form, or
  // a value equal to a literal elsewhere, must not be taken for a value
  const rec = (id: number, v: string, w: string): BuilderRecord => ({
    id,
    xml: el('Event', {}, [
      el('System', {}, [el('EventID', {}, [sub(VT.UInt16, 4)]), el('Computer', {}, [sub(VT.String, v)])]),
      el('EventData', {}, [
        el('Data', { Name: 'Looks1' }, [' \u00011\u0002 ']),
        el('Data', { Name: 'Looks2' }, ['\u00011\u0002']),
        el('Data', { Name: 'Looks3' }, [' \u00031\u0004 ']),
        el('Data', { Name: 'Const' }, ['same']),
        el('Data', { Name: 'Value' }, [sub(VT.String, w)]),
      ]),
    ]),
  });
  const recs = [rec(1, 'same', 'same'), rec(2, ' \u00011\u0002 ', '\u00011\u0002'), rec(3, 'host', 'x'), rec(4, 'same', ' \u00031\u0004 ')];
  assert.equal(await check(buildEvtx(recs)), 4);
});

test('what depends on a value\'s content is never replayed: an EventID given as text', async () => {
  // the first record's EventID text is no number (no EventID field), the second's is: a plan of the first, replayed
  // for the second, would lose it
  const rec = (id: number, eid: string): BuilderRecord => ({ id, xml: el('Event', {}, [el('System', {}, [el('EventID', {}, [subAs(VT.UInt16, VT.String, eid)]), el('Computer', {}, [sub(VT.String, 'c')])]), el('EventData', {}, [el('Data', { Name: 'A' }, [sub(VT.String, `a${id}`)])])]) });
  const recs = [rec(1, 'abc'), rec(2, '4625'), rec(3, ' 12 '), rec(4, 'x1')];
  assert.equal(await check(buildEvtx(recs)), 4);
  const read = await collect(buildEvtx(recs), true);
  assert.deepEqual(read.map((r) => r.direct!.eventId), [undefined, 4625, 12, undefined]);
});

test('the chunk\'s node budget runs out on replayed records as on walked ones', async () => {
  // one template of 2,500 elements, instanced by 420 small records: the chunk's 1,000,000 nodes run out after ~400;
  // from there records are skipped (and reported) whether read directly or rendered
  const big = (id: number): BuilderRecord => ({ id, xml: el('Event', {}, [el('System', {}, [el('EventID', {}, [sub(VT.UInt16, 1)])]), el('Extra', {}, Array.from({ length: 2500 }, () => el('X')))]) });
  const recs = Array.from({ length: 420 }, (_, i) => big(i + 1));
  const buf = buildEvtx(recs);
  const eager = await collect(buf, false);
  const before = planStats.replayed;
  assert.equal(await check(buf), eager.length);
  assert.ok(eager.length < 420 && eager.length > 300, `${eager.length} records within the budget`);
  assert.ok(planStats.replayed - before > 300);
});

test('records of many values or many fields are walked, not planned (plans stay small whatever the input)', async () => {
  const manyValues = (id: number): BuilderRecord => ({ id, xml: el('Event', {}, [el('System', {}, [el('EventID', {}, [sub(VT.UInt16, 1)])]), el('EventData', {}, Array.from({ length: MAX_PLAN_SLOTS + 5 }, (_, k) => el('Data', { Name: `V${k}` }, [sub(VT.String, `v${id}`)])))]) });
  const manyFields = (id: number): BuilderRecord => ({ id, xml: el('Event', {}, [el('System', {}, [el('EventID', {}, [sub(VT.UInt16, 2)])]), el('EventData', {}, [el('Data', { Name: 'Id' }, [sub(VT.String, `r${id}`)]), ...Array.from({ length: MAX_PLAN_FIELDS + 5 }, (_, k) => el('Data', { Name: `F${k}` }, ['x']))])]) });
  for (const make of [manyValues, manyFields]) {
    const before = { ...planStats };
    assert.equal(await check(buildEvtx([1, 2, 3, 4].map(make))), 4);
    assert.equal(planStats.replayed - before.replayed, 0);
    assert.equal(planStats.walked - before.walked, 4);
  }
});
