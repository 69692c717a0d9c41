/**
 * Conformance on ../shared: every record the chunk headers declare is read (attack samples, regression files),
 * and every field of the SigmaHQ regression files equals its evtx_dump `.json` twin.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Doc, FieldValue } from '../../../src/event.js';
import { readEvtxStream, declaredRecords } from '../../../src/sources/evtx/file.js';
import { shared } from '../../helpers.js';

function walk(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (e.toLowerCase().endsWith('.evtx')) out.push(p);
  }
  return out;
}

async function readAll(file: string): Promise<{ docs: Doc[]; errors: string[] }> {
  const docs: Doc[] = [];
  const errors: string[] = [];
  for await (const r of readEvtxStream(createReadStream(file), (p) => errors.push(`${p.offset}: ${p.message}`))) docs.push(r.doc);
  return { docs, errors };
}

/** The twins hold one JSON object per record, back to back. */
function parseConcatenated(text: string): Doc[] {
  const out: Doc[] = [];
  let depth = 0;
  let start = -1;
  let inStr = false;
  let esc = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inStr) {
      if (esc) esc = false;
      else if (c === '\\') esc = true;
      else if (c === '"') inStr = false;
    } else if (c === '"') inStr = true;
    else if (c === '{') {
      if (depth++ === 0) start = i;
    } else if (c === '}' && --depth === 0) out.push(JSON.parse(text.slice(start, i + 1)) as Doc);
  }
  return out;
}

const GUID = /^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$/;
/** Exact comparison, except GUID spelling (braces, case). Whitespace too: Vigie trims text as evtx_dump does. */
function norm(v: FieldValue | undefined): string {
  if (typeof v === 'string') {
    const g = GUID.exec(v);
    return JSON.stringify(g ? g[1].toUpperCase() : v);
  }
  return JSON.stringify(v);
}

/** Compare leaves; returns mismatching paths. */
function compare(ours: FieldValue | undefined, twin: FieldValue | undefined, path: string, out: string[], counter: { n: number }): void {
  const isObj = (v: FieldValue | undefined): v is Doc => v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v);
  if (isObj(ours) && isObj(twin)) {
    for (const k of new Set([...Object.keys(ours), ...Object.keys(twin)])) compare(ours[k], twin[k], `${path}.${k}`, out, counter);
    return;
  }
  counter.n++;
  if (norm(ours) !== norm(twin)) out.push(`${path}: ours ${JSON.stringify(ours)?.slice(0, 120)} twin ${JSON.stringify(twin)?.slice(0, 120)}`);
}

/**
 * Twins that were not produced by evtx_dump from the .evtx next to them (checked by hand): the .evtx holds
 * "Explorer.EXE" where the twin says "Explorer.exe", and the twin's SystemTime has nanoseconds (evtx_dump prints
 * microseconds).
 */
const TWIN_NOT_FROM_THIS_EVTX = new Set(['ad691d92-15f2-4181-9aa4-723c74f9ddc3.evtx']);

const reg = shared('sigma/regression_data');
test('regression_data: every field equals the evtx_dump .json twin', { skip: reg.skip || false, timeout: 120000 }, async (t) => {
  const files = walk(reg.path!);
  assert.equal(files.length, 202);
  const counter = { n: 0 };
  const mismatches: string[] = [];
  const explained: string[] = [];
  let records = 0;
  for (const f of files) {
    const { docs, errors } = await readAll(f);
    assert.deepEqual(errors, [], f);
    assert.equal(docs.length, declaredRecords(readFileSync(f)), `${f}: records vs chunk headers`);
    records += docs.length;
    const twinPath = f.replace(/\.evtx$/i, '.json');
    if (!existsSync(twinPath)) continue;
    const twins = parseConcatenated(readFileSync(twinPath, 'utf8'));
    assert.equal(docs.length, twins.length, `${f}: records vs twin objects`);
    const out = TWIN_NOT_FROM_THIS_EVTX.has(basename(f)) ? explained : mismatches;
    docs.forEach((d, i) => compare(d, twins[i], `${basename(f)}#${i}`, out, counter));
  }
  t.diagnostic(`${files.length} files, ${records} records, ${counter.n} fields compared, ${mismatches.length} mismatching, ${explained.length} in twins not made from their .evtx`);
  assert.deepEqual(mismatches, []);
  assert.ok(counter.n > 8000);
});

const atk = shared('evtx/attack-samples');
test('attack-samples: every record the chunk headers declare is read, without errors', { skip: atk.skip || false, timeout: 120000 }, async (t) => {
  const files = walk(atk.path!);
  assert.equal(files.length, 277);
  let read = 0;
  let declared = 0;
  for (const f of files) {
    const { docs, errors } = await readAll(f);
    const d = declaredRecords(readFileSync(f));
    assert.equal(docs.length, d, f);
    assert.deepEqual(errors, [], f);
    for (const doc of docs) assert.ok(doc.Event && typeof doc.Event === 'object', f);
    read += docs.length;
    declared += d;
  }
  t.diagnostic(`${files.length} files: ${read} records read, ${declared} declared by chunk headers`);
  assert.equal(read, declared);
});
