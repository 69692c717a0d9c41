/**
 * Mutated fixtures (flipped bytes, cuts, inserted junk, duplicated spans) through every JSON/XML Windows-event
 * reader: reading must always finish, never throw out of the reader (which would abort the rest of the file), and
 * never yield more records than the input holds. Deterministic pseudo-random mutations, so failures reproduce.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFile, ReadContext } from '../../src/sources/index.js';
import { FIXTURES } from '../helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'vigie-fuzz-'));
const FILES = ['windows/evtx_dump.json', 'windows/evtx_dump.jsonl', 'windows/wevtutil.xml', 'windows/eventviewer.xml', 'collectors/nxlog.json', 'collectors/winlogbeat.ndjson', 'collectors/elasticsearch-search.json', 'collectors/velociraptor.json', 'collectors/splunk-export.json', 'collectors/splunk-rest.json'];
const JUNK = ['{', '}', '[', ']', '"', '\\', '\n', ',', ':', '<Event ', '</Event>', '<![CDATA[', '&#x0;', '\u0000', '\uffff', '{"Event":', '<!DOCTYPE x>'];

let seed = 12345;
const rnd = (n: number) => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
};

function mutate(b: Buffer): Buffer {
  const kind = rnd(5);
  const at = rnd(b.length);
  switch (kind) {
    case 0: { const c = Buffer.from(b); for (let k = 0; k < 1 + rnd(8); k++) c[rnd(c.length)] = rnd(256); return c; }
    case 1: return b.subarray(0, at);
    case 2: return Buffer.concat([b.subarray(0, at), Buffer.from(JUNK[rnd(JUNK.length)].repeat(1 + rnd(50))), b.subarray(at)]);
    case 3: { const len = rnd(400); return Buffer.concat([b.subarray(0, at), b.subarray(Math.max(0, at - len), at), b.subarray(at)]); }
    default: return Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + rnd(300)))]);
  }
}

test('mutated inputs: every read finishes, no reader throws, no invented records', async () => {
  let runs = 0;
  let events = 0;
  let errors = 0;
  for (const f of FILES) {
    const orig = readFileSync(join(FIXTURES, f));
    for (let i = 0; i < 25; i++) {
      const data = mutate(mutate(orig));
      const p = join(tmp, `m${runs}`);
      writeFileSync(p, data);
      const ctx = new ReadContext();
      let n = 0;
      for await (const e of readFile(p, ctx)) {
        n++;
        assert.ok(e.fields && typeof e.fields === 'object');
        JSON.stringify(e.doc); // the event can be printed
      }
      assert.ok(!ctx.errors.some((e) => /reading stopped/.test(e.message)), `${f} #${i}: ${JSON.stringify(ctx.errors.filter((e) => /reading stopped/.test(e.message)))}`);
      assert.ok(n <= 12, `${f} #${i}: ${n} events`);
      runs++;
      events += n;
      errors += ctx.errorCount;
    }
  }
  console.log(`# ${runs} mutated files: ${events} events read, ${errors} damaged records reported`);
});
