import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeEntities, normalizeGuid, normalizeSystemTime, parseXml, xmlEventToDoc, XmlError } from '../../src/sources/xml.js';
import { windowsEvent } from '../../src/sources/windows.js';
import type { Doc } from '../../src/event.js';

test('entities: the five predefined ones and character references only', () => {
  assert.equal(decodeEntities('a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos; &#65;&#x42;&#x1F600;'), 'a <b> & "c" \'d\' AB😀');
  // unknown entities and bare ampersands are kept as written (no DTD, nothing to expand)
  assert.equal(decodeEntities('&xxe; & &unknown &#0; &#xD800; &#99999999;'), '&xxe; & &unknown \ufffd \ufffd \ufffd');
});

test('DTDs are refused: no entity expansion (billion laughs, XXE)', () => {
  const lol = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><Event>&lol2;</Event>';
  assert.throws(() => parseXml(lol), XmlError);
  const xxe = '<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><Event>&xxe;</Event>';
  assert.throws(() => parseXml(xxe), /DTD not allowed/);
});

test('limits: depth, attributes, size; malformed input throws XmlError, never hangs', () => {
  assert.throws(() => parseXml(`${'<a>'.repeat(100)}${'</a>'.repeat(100)}`), /deeper than 64/);
  assert.throws(() => parseXml(`<a ${Array.from({ length: 300 }, (_, i) => `x${i}="1"`).join(' ')}/>`), /more than 256/);
  assert.throws(() => parseXml('<a>x</a>', { maxBytes: 4 }), /larger than/);
  for (const bad of ['<a>', '<a></b>', '<a x=1/>', '<a x="1/>', '<a><!-- </a>', '<a><![CDATA[x</a>', '</a>', '<>', 'text only', '<a b="1" b/>']) {
    assert.throws(() => parseXml(bad), XmlError, bad);
  }
});

test('parse: prolog, comments, CDATA, single and double quotes, self-closing elements', () => {
  const el = parseXml("<?xml version='1.0'?>\n<!-- c --><Event a='1' b=\"2\"><X/><Y><![CDATA[<raw> & ]]>t&amp;</Y></Event><junk/>");
  assert.equal(el.name, 'Event');
  assert.deepEqual(el.attrs, [['a', '1'], ['b', '2']]);
  assert.equal(el.children.length, 2);
  const y = el.children[1] as { children: string[] };
  assert.equal(y.children.join(''), '<raw> & t&');
});

test('event XML → evtx_dump JSON shape (types, GUIDs, times, unnamed Data, repeats, RenderingInfo)', () => {
  const xml = `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>
    <Provider Name='Service Control Manager' Guid='{555908d1-a6d7-4695-8e1e-26931d2012f4}' EventSourceName='Service Control Manager'/>
    <EventID Qualifiers='16384'>7045</EventID><Version>0</Version><Level>4</Level><Task>0</Task><Opcode>0</Opcode>
    <Keywords>0x8080000000000000</Keywords><TimeCreated SystemTime='2024-03-12T09:22:10.5512345Z'/>
    <EventRecordID>88102</EventRecordID><Correlation/><Execution ProcessID='780' ThreadID='4416'/>
    <Channel>System</Channel><Computer>EXCH01</Computer><Security UserID='S-1-5-18'/></System>
    <EventData><Data Name='ServiceName'>x&amp;y</Data><Data Name='Empty'/><Data>u1</Data><Data>u2</Data><Binary>0A0B</Binary></EventData>
    <RenderingInfo Culture='en-US'><Message>A service was installed</Message><Keywords><Keyword>Classic</Keyword><Keyword>Other</Keyword></Keywords></RenderingInfo></Event>`;
  const doc = xmlEventToDoc(xml) as unknown as Doc;
  const ev = doc.Event as Doc;
  const sys = ev.System as Doc;
  assert.deepEqual(sys.Provider, { '#attributes': { Name: 'Service Control Manager', Guid: '555908D1-A6D7-4695-8E1E-26931D2012F4', EventSourceName: 'Service Control Manager' } });
  assert.deepEqual(sys.EventID, { '#attributes': { Qualifiers: 16384 }, '#text': 7045 });
  assert.equal(sys.Level, 4);
  assert.equal(sys.Keywords, '0x8080000000000000');
  assert.deepEqual(sys.TimeCreated, { '#attributes': { SystemTime: '2024-03-12T09:22:10.551234Z' } });
  assert.equal(sys.Correlation, null);
  assert.deepEqual(sys.Execution, { '#attributes': { ProcessID: 780, ThreadID: 4416 } });
  assert.deepEqual(ev.EventData, { ServiceName: 'x&y', Empty: '', Binary: '0A0B', Data: { '#text': ['u1', 'u2'] } });
  assert.deepEqual((ev.RenderingInfo as Doc).Keywords, { Keyword: 'Other', Keyword_1: 'Classic' });
  const w = windowsEvent(doc, { file: 'x', format: 'evtx-xml', offset: 0 });
  assert.equal(w.eventId, 7045);
  assert.equal(w.fields.Qualifiers, 16384);
  assert.deepEqual(w.fields.Data, ['u1', 'u2']);
  assert.equal(w.time, Date.parse('2024-03-12T09:22:10.551Z'));
  // hostile names do not touch prototypes
  const p = xmlEventToDoc("<Event><System/><EventData><Data Name='__proto__'>x</Data><Data Name='constructor'>y</Data></EventData></Event>") as unknown as Doc;
  const ed = (p.Event as Doc).EventData as Doc;
  assert.equal(Object.getPrototypeOf(ed), Object.prototype);
  assert.equal(Object.getOwnPropertyDescriptor(ed, '__proto__')?.value, 'x');
  assert.throws(() => xmlEventToDoc('<Events></Events>'), /not <Event>/);
});

test('normalisers: GUIDs and SystemTime to the evtx_dump forms', () => {
  assert.equal(normalizeGuid('{54849625-5478-4994-a5ba-3e3b0328c30d}'), '54849625-5478-4994-A5BA-3E3B0328C30D');
  assert.equal(normalizeGuid('not a guid'), 'not a guid');
  assert.equal(normalizeSystemTime('2024-03-12T09:22:10.551234500Z'), '2024-03-12T09:22:10.551234Z');
  assert.equal(normalizeSystemTime('2024-03-12 09:22:10'), '2024-03-12T09:22:10.000000Z');
  assert.equal(normalizeSystemTime('2021-03-31T12:03:46.974060+03:00'), '2021-03-31T09:03:46.974060Z');
  assert.equal(normalizeSystemTime('yesterday'), 'yesterday');
});
