/** `vigie dump`: output shapes, options, summary and exit codes (EVTX inputs built byte by byte). */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runCli } from '../helpers.js';
import { buildEvtx, windowsRecord } from '../sources/evtx/builder.js';

let dir = '';
let good = '';
let logs = '';

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigie-dump-'));
  logs = join(dir, 'logs');
  mkdirSync(logs);
  good = join(logs, 'security.evtx');
  writeFileSync(
    good,
    buildEvtx([
      windowsRecord({ id: 10, eventId: 4688, computer: 'ws1.corp', data: { CommandLine: 'powershell -enc SQBFAFgA', NewProcessName: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe' } }),
      windowsRecord({ id: 11, eventId: 4624, computer: 'ws1.corp', data: { TargetUserName: 'alice', LogonType: '3' } }),
      windowsRecord({ id: 12, eventId: 1102, computer: 'ws1.corp' }),
    ]),
  );
  // the same log gzip-compressed, under a name that says nothing
  writeFileSync(join(logs, 'archive.bin'), gzipSync(buildEvtx([windowsRecord({ id: 99, eventId: 7045, computer: 'srv2' })])));
  // a damaged copy: record 11's size field broken
  const bad = buildEvtx([1, 2, 3].map((id) => windowsRecord({ id, eventId: 4688 })));
  bad.writeUInt32LE(0xfffffff0, 4096 + 512 + bad.readUInt32LE(4096 + 512 + 4) + 4);
  writeFileSync(join(dir, 'damaged.evtx'), bad);
  writeFileSync(join(dir, 'noise.dat'), Buffer.from([0x00, 0x01, 0x02, 0xff, 0xfe, 0x80, 0x00, 0x00, 0x13]));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('jsonl: one evtx_dump-shaped document per record, folders walked, gzip detected by content', () => {
  const r = runCli(['dump', logs, '--quiet']);
  assert.equal(r.status, 0, r.stderr);
  const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(rows.length, 4);
  const ids = rows.map((d) => d.Event.System.EventRecordID).sort((a: number, b: number) => a - b);
  assert.deepEqual(ids, [10, 11, 12, 99]);
  const proc = rows.find((d) => d.Event.System.EventID === 4688);
  assert.equal(proc.Event.EventData.CommandLine, 'powershell -enc SQBFAFgA');
  assert.equal(proc.Event.System.TimeCreated['#attributes'].SystemTime, '2024-01-01T12:00:00.000000Z');
  assert.equal(proc.Event['#attributes'].xmlns, 'http://schemas.microsoft.com/win/2004/08/events/event');
  assert.equal(r.stderr, '', '--quiet prints no summary');
});

test('--origin adds where each record came from; --limit stops early', () => {
  const r = runCli(['dump', good, '--origin', '--limit', '2']);
  assert.equal(r.status, 0, r.stderr);
  const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(rows.length, 2);
  assert.deepEqual(rows[0].Vigie.origin, { file: good, format: 'evtx', offset: 4096 + 512, record: 10 });
  assert.match(r.stderr, /1 file read \(evtx 1\)/);
});

test('table and csv outputs show time, computer, channel, event id, provider and a summary', () => {
  const t = runCli(['dump', good, '-o', 'table', '-q']);
  assert.equal(t.status, 0, t.stderr);
  const lines = t.stdout.trim().split('\n');
  assert.match(lines[0], /^Time\s+Computer\s+Channel\s+EventID\s+Provider\s+Summary$/);
  assert.equal(lines.length, 2 + 3);
  assert.match(lines[2], /2024-01-01T12:00:00\.000Z\s+ws1\.corp\s+Security\s+4688\s+Microsoft-Windows-Security-Auditing\s+CommandLine=powershell -enc SQBFAFgA/);
  const c = runCli(['dump', good, '-o', 'csv', '-q']);
  assert.equal(c.status, 0, c.stderr);
  const rows = c.stdout.trim().split('\r\n');
  assert.equal(rows[0], 'Time,Computer,Channel,EventID,Provider,Summary,File,Record');
  assert.equal(rows.length, 4);
  assert.match(rows[2], /TargetUserName=alice/);
  const j = runCli(['dump', good, '-o', 'json', '-q']);
  assert.equal(JSON.parse(j.stdout).length, 3);
});

test('summary reports damaged records with file and offset; reading goes on', () => {
  const r = runCli(['dump', join(dir, 'damaged.evtx')]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n').length, 2);
  assert.match(r.stderr, /2 records/);
  assert.match(r.stderr, /problem: .*damaged\.evtx @ offset \d+: bad record size/);
});

test('exit codes: 66 for a missing path, 65 when nothing is readable, 64 for a bad option', () => {
  const missing = runCli(['dump', join(dir, 'nope.evtx'), good, '-q']);
  assert.equal(missing.status, 66);
  assert.equal(missing.stdout.trim().split('\n').length, 3, 'the paths that exist are still read');
  const unreadable = runCli(['dump', join(dir, 'noise.dat')]);
  assert.equal(unreadable.status, 65);
  assert.match(unreadable.stderr, /unsupported: .*noise\.dat/);
  assert.equal(runCli(['dump', good, '--input-format', 'nosuch']).status, 64);
  assert.equal(runCli(['dump', good, '-o', 'xml']).status, 64);
  assert.equal(runCli(['dump', good, '--limit', 'ten']).status, 64);
});

test('--input-format forces a reader', () => {
  const r = runCli(['dump', good, '--input-format', 'evtx', '-q']);
  assert.equal(r.status, 0);
  assert.equal(r.stdout.trim().split('\n').length, 3);
});
