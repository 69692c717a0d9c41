/**
 * Conformance on ../shared/sigma/regression_data: every evtx_dump JSON twin reads through the evtx-json reader
 * without error; and, where libevtx's `evtxexport` is installed (Debian package libevtx-utils), the XML export of
 * every .evtx reads through the evtx-xml reader into the same fields as its evtx_dump twin.
 * Skips with a printed reason when ../shared or evtxexport is absent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { valueText, type FieldValue, type VigieEvent } from '../../src/event.js';
import { readFile, ReadContext } from '../../src/sources/index.js';
import { shared } from '../helpers.js';

const reg = shared('sigma/regression_data');

function twins(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (e.endsWith('.json')) out.push(p);
    }
  };
  walk(dir);
  return out;
}

async function read(path: string): Promise<{ events: VigieEvent[]; ctx: ReadContext }> {
  const ctx = new ReadContext();
  const events: VigieEvent[] = [];
  for await (const e of readFile(path, ctx)) events.push(e);
  return { events, ctx };
}

function norm(k: string, v: FieldValue | undefined): string {
  let s = (valueText(v) ?? '(absent)').trim();
  const g = /^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$/.exec(s);
  if (g) s = g[1].toUpperCase();
  if (k === 'TimeCreated') s = s.replace(/(\.\d{6})\d+Z$/, '$1Z');
  // a few twins differ from their .evtx in letter case only (e.g. Explorer.exe / Explorer.EXE): Sigma compares
  // case-insensitively, so do we
  return s.toLowerCase();
}

test('regression twins: every evtx_dump JSON file reads with no error, one event per object', { skip: reg.skip || false }, async () => {
  const files = twins(reg.path!);
  assert.ok(files.length >= 200, `${files.length} twins`);
  let events = 0;
  for (const f of files) {
    const { events: evs, ctx } = await read(f);
    assert.equal(ctx.errorCount, 0, `${f}: ${JSON.stringify(ctx.errors.slice(0, 2))}`);
    assert.deepEqual([...ctx.formats.keys()], ['evtx-json'], f);
    const objects = readFileSync(f, 'utf8').split('\n').filter((l) => l === '{').length;
    assert.equal(evs.length, objects, f);
    for (const e of evs) assert.ok(e.eventId !== undefined && e.channel && e.provider && e.time !== undefined, f);
    events += evs.length;
  }
  console.log(`# ${files.length} evtx_dump twins, ${events} events`);
});

const hasEvtxexport = spawnSync('evtxexport', ['-h'], { encoding: 'utf8' }).status !== null;

test('regression .evtx → evtxexport XML → evtx-xml reader: same fields as the evtx_dump twin', {
  skip: reg.skip || (!hasEvtxexport && 'evtxexport (Debian libevtx-utils) is not installed') || false,
}, async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'vigie-xml-conf-'));
  let files = 0;
  let events = 0;
  let fieldsCompared = 0;
  for (const twin of twins(reg.path!)) {
    const evtx = twin.replace(/\.json$/, '.evtx');
    const x = spawnSync('evtxexport', ['-f', 'xml', evtx], { encoding: 'utf8', maxBuffer: 64 << 20 });
    if (x.status !== 0) continue;
    const xmlFile = join(tmp, `${files}.xml`);
    writeFileSync(xmlFile, x.stdout);
    const a = await read(twin);
    const b = await read(xmlFile);
    assert.equal(b.ctx.errorCount, 0, `${evtx}: ${JSON.stringify(b.ctx.errors.slice(0, 2))}`);
    assert.deepEqual([...b.ctx.formats.keys()], ['evtx-xml']);
    assert.equal(b.events.length, a.events.length, evtx);
    for (let i = 0; i < a.events.length; i++) {
      const fa = a.events[i].fields;
      const fb = b.events[i].fields;
      for (const k of new Set([...Object.keys(fa), ...Object.keys(fb)])) {
        assert.equal(norm(k, fb[k]), norm(k, fa[k]), `${evtx} event ${i} field ${k}`);
        fieldsCompared++;
      }
      assert.equal(b.events[i].time, a.events[i].time, `${evtx} time`);
    }
    files++;
    events += a.events.length;
  }
  assert.ok(files >= 200, `${files} files exported`);
  console.log(`# ${files} files, ${events} events, ${fieldsCompared} fields equal between XML export and evtx_dump JSON`);
});
