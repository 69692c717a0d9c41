import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { FIXTURES } from '../helpers.js';
import { detectMail, readMessages, type RawMessage } from '../../src/mail/inputs.js';
import { ReadContext } from '../../src/sources/types.js';
import { buildMsg } from './msg-builder.js';

const MAIL = join(FIXTURES, 'mail');

async function all(paths: string[], opts = {}): Promise<{ msgs: RawMessage[]; ctx: ReadContext }> {
  const ctx = new ReadContext();
  const msgs: RawMessage[] = [];
  for await (const m of readMessages(paths, ctx, opts)) msgs.push(m);
  return { msgs, ctx };
}

test('format detection from content, not names', () => {
  assert.equal(detectMail(readFileSync(join(MAIL, 'clean.eml'))), 'eml');
  assert.equal(detectMail(readFileSync(join(MAIL, 'sample.mbox'))), 'mbox');
  assert.equal(detectMail(buildMsg({ subject: 's' })), 'msg');
  assert.equal(detectMail(readFileSync(join(MAIL, 'notmail.txt'))), undefined);
  assert.equal(detectMail(Buffer.from('From nobody\nnot a header line at all\n')), undefined);
});

test('mbox: split on From_ lines with offsets and index, >From unquoted', async () => {
  const { msgs } = await all([join(MAIL, 'sample.mbox')]);
  assert.equal(msgs.length, 3);
  const text = readFileSync(join(MAIL, 'sample.mbox'), 'latin1');
  assert.deepEqual(msgs.map((m) => m.origin.offset), [0, text.indexOf('From bob@'), text.indexOf('From carol@')]);
  assert.deepEqual(msgs.map((m) => m.origin.index), [0, 1, 2]);
  assert.match(msgs[0].raw.toString(), /^From: Alice/);
  assert.match(msgs[0].raw.toString(), /\nFrom the start, this line was quoted\./);
  assert.doesNotMatch(msgs[0].raw.toString(), /From bob@/);
  assert.ok(msgs.every((m) => m.format === 'mbox'));
});

test('mbox: gzip-compressed, and a message over the size cap is cut, not dropped', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigie-mbox-'));
  try {
    const big = 'From a@b Mon Jun  3 10:00:00 2024\nFrom: a@b.example\nSubject: big\n\n' + 'x'.repeat(200_000) + '\n\nFrom c@d Mon Jun  3 10:00:00 2024\nFrom: c@d.example\nSubject: small\n\nhi\n';
    writeFileSync(join(dir, 'box.gz'), gzipSync(Buffer.from(big)));
    const { msgs } = await all([join(dir, 'box.gz')], { maxMessageSize: 50_000 });
    assert.equal(msgs.length, 2);
    assert.equal(msgs[0].raw.length, 50_000);
    assert.equal(msgs[0].truncated, true);
    assert.ok(msgs[0].fullSize > 200_000);
    assert.match(msgs[1].raw.toString(), /Subject: small/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Maildir and folders: cur/new read, non-mail skipped and counted, sorted order', async () => {
  const { msgs, ctx } = await all([MAIL]);
  const files = msgs.map((m) => m.origin.file.slice(MAIL.length + 1));
  assert.ok(files.includes('clean.eml'));
  assert.ok(files.some((f) => f.startsWith('maildir/cur/')));
  assert.ok(files.some((f) => f.startsWith('maildir/new/')));
  assert.equal(msgs.filter((m) => m.format === 'mbox').length, 3);
  assert.ok(ctx.unsupported.some((p) => p.endsWith('notmail.txt')));
});

test('missing paths are reported, not thrown', async () => {
  const { msgs, ctx } = await all([join(MAIL, 'does-not-exist.eml')]);
  assert.equal(msgs.length, 0);
  assert.equal(ctx.errorCount, 1);
});
