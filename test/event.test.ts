/**
 * The event model's field lookups on events whose fields are pending (EVTX records read directly): getField and
 * peekField answer as the built object does, and build it only when the pending names cannot decide.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findPending, getField, peekField, ABSENT, UNSURE, type VigieEvent } from '../src/event.js';
import { readEvtxStream, type EvtxRecord } from '../src/sources/evtx/file.js';
import { lazyEvent } from '../src/sources/evtx/fields.js';
import { windowsEvent } from '../src/sources/windows.js';
import { buildEvtx, windowsRecord } from './sources/evtx/builder.js';

async function events(data: Record<string, string>): Promise<{ lazy: () => VigieEvent; ref: VigieEvent }> {
  const recs: EvtxRecord[] = [];
  for await (const r of readEvtxStream(buildEvtx([windowsRecord({ data })]), () => {}, undefined, { direct: true })) recs.push(r);
  const r = recs[0]!;
  assert.ok(r.direct, 'read directly');
  const origin = { file: 'x', format: 'evtx', offset: r.offset };
  return { lazy: () => lazyEvent(r.direct!, origin, r), ref: windowsEvent(r.doc, origin) };
}

test('findPending: the one exact name, else absent in every case, else unsure', () => {
  assert.equal(findPending(['A', 'Image', 'b'], 'Image'), 1);
  assert.equal(findPending(['A', 'image', 'Image'], 'Image'), 2, 'the exact name wins over another case');
  assert.equal(findPending(['Image', 'IMAGE'], 'Image'), 0);
  assert.equal(findPending(['Image', 'x', 'Image'], 'Image'), UNSURE, 'repeated');
  assert.equal(findPending(['IMAGE'], 'Image'), UNSURE, 'only in another case');
  assert.equal(findPending(['Imagex', 'Imag'], 'Image'), ABSENT);
  // "İ" lower-cases to two units: "İd" matches "i̇d" though the lengths differ
  assert.equal(findPending(['\u0130d'], '\u0130D'), UNSURE);
  assert.equal(findPending(['\u0130d'], 'i\u0307d'), UNSURE);
  assert.equal(findPending(['Id'], 'i\u0307d'), ABSENT);
});

test('lookups on pending fields give what the built fields give, and build only when they must', async () => {
  // EventData names that repeat a System name (ProcessID; Channel, which System keeps), differ in case only
  // (ProcessId, image/Image), or carry "İ"
  const { lazy, ref } = await events({ Image: 'C:\\a.exe', image: 'lower', ProcessId: '77', Channel: 'data', '\u0130d': 'dotted', CommandLine: 'whoami' });
  const names = ['Image', 'image', 'IMAGE', 'ProcessID', 'ProcessId', 'processid', 'Channel', 'channel', '\u0130d', 'i\u0307d', 'CommandLine',
    'commandline', 'Missing', 'EventID', 'eventid', 'Event.System.Channel', 'Event.EventData.Image', 'TimeCreated', 'constructor'];
  for (const n of names) {
    const ev = lazy();
    assert.deepEqual(getField(ev, n), getField(ref, n), `getField ${n}`);
    const pv = lazy();
    assert.deepEqual(peekField(pv, n), Object.prototype.hasOwnProperty.call(ref.fields, n) ? ref.fields[n] : undefined, `peekField ${n}`);
  }
  // names the pending list decides alone: nothing built
  for (const n of ['Image', 'CommandLine', 'ProcessId', 'Missing', 'EventID']) {
    const ev = lazy();
    getField(ev, n);
    peekField(ev, n);
    assert.ok(ev.pendingFields, `${n}: not built`);
  }
  // only in another case, or repeated: the built object answers
  for (const n of ['commandline', 'Channel']) {
    const ev = lazy();
    getField(ev, n);
    assert.equal(ev.pendingFields, undefined, `${n}: built`);
  }
});
