/**
 * Syslog files: RFC 3164 (`<PRI>Mmm dd hh:mm:ss host tag[pid]: msg`, PRI optional, an optional year after the
 * time as some appliances write), RFC 3339 "high precision" traditional lines (`2024-05-01T10:00:00.1+02:00 host
 * tag: msg`) and RFC 5424 (`<PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD] MSG`). Program-specific parsing for
 * Postfix, Dovecot and the Barracuda Email Security Gateway. See docs/mail-server-logs.md.
 *
 * Year-less RFC 3164 timestamps take the year of the file's modification time; a month after that month means
 * the previous year. Times without a zone are taken as UTC.
 */
import type { Doc, VigieEvent } from '../event.js';
import type { InputFile, ReadContext, Source } from './types.js';
import { readLines } from './lines.js';
import { headLines } from './csv.js';

const MONTHS: Record<string, number> = { jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11 };
const MAX_MESSAGE = 64 * 1024;

interface SyslogLine {
  facility?: number;
  severity?: number;
  time?: number;
  hostname?: string;
  program?: string;
  pid?: string;
  msgid?: string;
  sd?: Record<string, Record<string, string>>;
  message: string;
  rfc: '3164' | '5424';
}

/** Context for year-less timestamps: the reference year and month (from the file's modification time). */
interface YearContext {
  year: number;
  month: number;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Parse "Mmm dd hh:mm:ss" at `i`; returns [ms, next index] or undefined. */
function parse3164Time(s: string, i: number, yc: YearContext): [number, number] | undefined {
  const mon = MONTHS[s.slice(i, i + 3).toLowerCase()];
  if (mon === undefined || s[i + 3] !== ' ') return undefined;
  let j = i + 4;
  if (s[j] === ' ') j++;
  let day = 0;
  let k = j;
  while (k < s.length && isDigit(s.charCodeAt(k)) && k - j < 2) day = day * 10 + (s.charCodeAt(k++) - 48);
  if (k === j || s[k] !== ' ' || day < 1 || day > 31) return undefined;
  k++;
  const hms = s.slice(k, k + 8);
  if (hms.length !== 8 || hms[2] !== ':' || hms[5] !== ':') return undefined;
  const h = Number(hms.slice(0, 2));
  const m = Number(hms.slice(3, 5));
  const sec = Number(hms.slice(6, 8));
  if (!(h <= 23 && m <= 59 && sec <= 60) || [h, m, sec].some((x) => !Number.isInteger(x))) return undefined;
  k += 8;
  let ms = 0;
  if (s[k] === '.') {
    let f = '';
    k++;
    while (k < s.length && isDigit(s.charCodeAt(k)) && f.length < 9) f += s[k++];
    ms = Number((f + '000').slice(0, 3));
  }
  // optional year after the time ("Apr 11 11:24:37 2012 host …")
  let year = yc.year;
  let explicitYear = false;
  if (s[k] === ' ' && /^\d{4} /.test(s.slice(k + 1, k + 6))) {
    year = Number(s.slice(k + 1, k + 5));
    explicitYear = true;
    k += 5;
  }
  if (!explicitYear && mon > yc.month) year -= 1;
  return [Date.UTC(year, mon, day, h, m, sec, ms), k];
}

/** Parse an RFC 3339 timestamp token. */
function parse3339(tok: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/.test(tok)) return undefined;
  let t = tok.replace(/(\.\d{3})\d+/, '$1');
  if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(t)) t += 'Z';
  const ms = Date.parse(t);
  return Number.isFinite(ms) ? ms : undefined;
}

/** Split `tag[pid]: msg` / `tag: msg`. */
function parseTag(rest: string): { program?: string; pid?: string; message: string } {
  let i = 0;
  const n = Math.min(rest.length, 256);
  while (i < n && rest[i] !== '[' && rest[i] !== ':' && rest[i] !== ' ') i++;
  if (i === 0 || i >= n) return { message: rest };
  const program = rest.slice(0, i);
  let pid: string | undefined;
  if (rest[i] === '[') {
    const e = rest.indexOf(']', i);
    if (e < 0 || e - i > 32) return { message: rest };
    pid = rest.slice(i + 1, e);
    i = e + 1;
  }
  if (rest[i] !== ':') return { message: rest };
  i++;
  if (rest[i] === ' ') i++;
  return { program, pid, message: rest.slice(i) };
}

function parseSd(s: string, i: number): [Record<string, Record<string, string>> | undefined, number] {
  if (s[i] === '-') return [undefined, i + 1];
  // null prototypes: SD-IDs and parameter names come from the sender ("__proto__" must stay a plain key)
  const sd: Record<string, Record<string, string>> = Object.create(null) as Record<string, Record<string, string>>;
  let count = 0;
  while (s[i] === '[' && count < 64) {
    count++;
    let j = i + 1;
    while (j < s.length && s[j] !== ' ' && s[j] !== ']') j++;
    const id = s.slice(i + 1, j);
    const params: Record<string, string> = Object.create(null) as Record<string, string>;
    while (j < s.length && s[j] === ' ') {
      j++;
      const eq = s.indexOf('=', j);
      if (eq < 0 || s[eq + 1] !== '"') return [undefined, -1];
      const name = s.slice(j, eq);
      let k = eq + 2;
      let v = '';
      while (k < s.length && s[k] !== '"') {
        if (s[k] === '\\' && k + 1 < s.length) { v += s[k + 1]; k += 2; continue; }
        v += s[k++];
      }
      if (k >= s.length) return [undefined, -1];
      params[name] = v;
      j = k + 1;
    }
    if (s[j] !== ']') return [undefined, -1];
    sd[id] = params;
    i = j + 1;
  }
  return [sd, i];
}

/** Parse one syslog line; undefined when it is not one. */
export function parseSyslogLine(line: string, yc: YearContext): SyslogLine | undefined {
  let i = 0;
  let facility: number | undefined;
  let severity: number | undefined;
  if (line[0] === '<') {
    const e = line.indexOf('>');
    if (e < 2 || e > 4) return undefined;
    const pri = Number(line.slice(1, e));
    if (!Number.isInteger(pri) || pri > 191) return undefined;
    facility = pri >> 3;
    severity = pri & 7;
    i = e + 1;
  }
  // RFC 5424
  if (facility !== undefined && line[i] === '1' && line[i + 1] === ' ') {
    const parts: string[] = [];
    let j = i + 2;
    for (let p = 0; p < 5; p++) {
      const sp = line.indexOf(' ', j);
      if (sp < 0) return undefined;
      parts.push(line.slice(j, sp));
      j = sp + 1;
    }
    const [ts, host, app, procid, msgid] = parts;
    const time = ts === '-' ? undefined : parse3339(ts);
    if (ts !== '-' && time === undefined) return undefined;
    const [sd, k] = parseSd(line, j);
    if (k < 0) return undefined;
    let msg = line.slice(k);
    if (msg.startsWith(' ')) msg = msg.slice(1);
    if (msg.startsWith('\ufeff')) msg = msg.slice(1);
    return {
      facility, severity, time,
      hostname: host === '-' ? undefined : host,
      program: app === '-' ? undefined : app,
      pid: procid === '-' ? undefined : procid,
      msgid: msgid === '-' ? undefined : msgid,
      sd, message: msg, rfc: '5424',
    };
  }
  let time: number | undefined;
  const t3164 = parse3164Time(line, i, yc);
  if (t3164) {
    time = t3164[0];
    i = t3164[1];
  } else {
    const sp = line.indexOf(' ', i);
    const tok = sp < 0 ? '' : line.slice(i, sp);
    const t = parse3339(tok);
    if (t !== undefined) {
      time = t;
      i = sp;
    } else if (facility === undefined) return undefined;
  }
  let hostname: string | undefined;
  if (time !== undefined) {
    if (line[i] !== ' ') return undefined;
    i++;
    const sp = line.indexOf(' ', i);
    if (sp < 0) return undefined;
    hostname = line.slice(i, sp);
    i = sp + 1;
  }
  const { program, pid, message } = parseTag(line.slice(i));
  if (time === undefined && program === undefined) return undefined;
  return { facility, severity, time, hostname, program, pid, message, rfc: '3164' };
}

/** `key=value` pairs of a Postfix/Dovecot message (values `<…>` stripped; `(…)` after a value kept as key_detail). */
function parseKv(msg: string, out: Doc): void {
  const n = Math.min(msg.length, MAX_MESSAGE);
  let i = 0;
  let count = 0;
  while (i < n && count < 100) {
    // key: [A-Za-z_-]+ at start or after space/comma/semicolon
    const c = msg[i];
    if (!(i === 0 || msg[i - 1] === ' ' || msg[i - 1] === ',' || msg[i - 1] === ';') || !/[A-Za-z]/.test(c)) { i++; continue; }
    let j = i;
    while (j < n && /[A-Za-z0-9_-]/.test(msg[j])) j++;
    if (msg[j] !== '=' || j === i) { i = j + 1; continue; }
    const key = msg.slice(i, j);
    let k = j + 1;
    let val: string;
    if (msg[k] === '<') {
      // up to a '>' followed by a separator or the end
      let e = k + 1;
      for (;;) {
        e = msg.indexOf('>', e);
        if (e < 0) { e = n; break; }
        const after = msg[e + 1];
        if (after === undefined || after === ',' || after === ' ' || after === ';' || after === ':') break;
        e++;
      }
      val = msg.slice(k + 1, Math.min(e, n));
      k = e + 1;
    } else {
      let e = k;
      while (e < n && msg[e] !== ',' && msg[e] !== ' ' && msg[e] !== ';') e++;
      val = msg.slice(k, e);
      k = e;
    }
    if (msg[k] === ' ' && msg[k + 1] === '(') {
      let depth = 0;
      let e = k + 1;
      for (; e < n; e++) {
        if (msg[e] === '(') depth++;
        else if (msg[e] === ')' && --depth === 0) break;
      }
      out[`${key}_detail`] = msg.slice(k + 2, e);
      k = e + 1;
    }
    if (!Object.prototype.hasOwnProperty.call(out, key)) out[key] = val;
    count++;
    i = k;
  }
}

function hostIp(s: string): [string, string] | undefined {
  // "host[1.2.3.4]" (host may be "unknown")
  const b = s.indexOf('[');
  const e = s.indexOf(']', b);
  if (b < 0 || e < 0) return undefined;
  return [s.slice(0, b), s.slice(b + 1, e)];
}

function parsePostfix(proc: string, msg: string, f: Doc): void {
  f.postfix_process = proc;
  let m = msg;
  // short ids are upper-case hex, long ids avoid vowels (so 'warning:' is never taken for one)
  const qm = /^([0-9A-F]{5,20}|[0-9B-DF-HJ-NP-TV-Zb-df-hj-np-tv-z]{10,20}|NOQUEUE): /.exec(m);
  if (qm) {
    f.queue_id = qm[1];
    m = m.slice(qm[0].length);
  }
  let event = 'other';
  const conn = /^(connect|disconnect|lost connection after \w+|timeout after \w+) from ([^\s\[]*\[[^\]]*\])/.exec(m);
  if (conn) {
    event = conn[1].startsWith('connect') ? 'connect' : conn[1].startsWith('disconnect') ? 'disconnect' : conn[1].split(' ')[0] === 'lost' ? 'lost-connection' : 'timeout';
    const hi = hostIp(conn[2]);
    if (hi) { f.client_host = hi[0]; f.client_ip = hi[1]; }
  } else if (m.startsWith('reject: ') || m.startsWith('reject_warning: ') || m.startsWith('milter-reject: ') || m.startsWith('discard: ') || m.startsWith('hold: ')) {
    event = 'reject';
    const r = /^[\w-]+: (\w+) from ([^\s\[]*\[[^\]]*\])(?::\d+)?: (\d{3}) (?:(\d\.\d{1,3}\.\d{1,3}) )?/.exec(m);
    if (r) {
      f.reject_stage = r[1];
      const hi = hostIp(r[2]);
      if (hi) { f.client_host = hi[0]; f.client_ip = hi[1]; }
      f.reject_code = Number(r[3]);
      if (r[4]) f.reject_dsn = r[4];
      const rest = m.slice(r[0].length);
      const semi = rest.lastIndexOf('; from=');
      f.reject_reason = semi >= 0 ? rest.slice(0, semi) : rest;
    } else {
      // cleanup header/body checks: "reject: header Subject: … from host[ip]; from=<…> to=<…> proto=ESMTP helo=<…>: 5.7.1 text"
      const hr = /^[\w-]+: (header|body) /.exec(m);
      if (hr) f.reject_stage = hr[1].toUpperCase();
      const fr = / from ([^\s\[]{0,255}\[[^\]\s]{0,64}\]);/.exec(m);
      if (fr) {
        const hi = hostIp(fr[1]);
        if (hi) { f.client_host = hi[0]; f.client_ip = hi[1]; }
      }
      const colon = m.lastIndexOf(': ');
      f.reject_reason = colon >= 0 ? m.slice(colon + 2) : m;
    }
  } else if (m.startsWith('warning: ')) {
    event = 'warning';
    // warning: unknown[203.0.113.9]: SASL LOGIN authentication failed: UGFzc3dvcmQ6, sasl_username=x
    const sf = /^warning: ([^\s\[]{0,255})\[([^\]\s]{1,64})\]: SASL (\S+) authentication failed/.exec(m);
    if (sf) {
      event = 'sasl-failed';
      f.client_host = sf[1];
      f.client_ip = sf[2];
      f.sasl_method = sf[3];
    }
  }
  else if (m === 'removed') event = 'removed';
  else if (m.startsWith('message-id=')) event = 'message-id';
  else if (m.startsWith('from=')) event = 'from';
  else if (m.startsWith('to=')) event = 'delivery';
  else if (m.startsWith('client=')) event = 'client';
  else if (m.includes('sasl_username=') || m.includes('SASL ')) event = 'sasl';
  f.event = event;
  parseKv(m, f);
  if (typeof f.client === 'string') {
    const hi = hostIp(f.client);
    if (hi && f.client_ip === undefined) { f.client_host = hi[0]; f.client_ip = hi[1]; }
  }
  if (typeof f.status === 'string' && typeof f.status_detail === 'string') {
    // status=sent (250 …) → status sent, status_detail kept
  }
}

function parseDovecot(msg: string, f: Doc): void {
  const c = msg.indexOf(': ');
  if (c <= 0 || c > 128) {
    f.event = msg.slice(0, 64);
    return;
  }
  const proc = msg.slice(0, c);
  f.dovecot_process = proc;
  const login = /^([a-z0-9]+)-login$/.exec(proc);
  if (login) f.protocol = login[1];
  const userProc = /^([a-z0-9]+)\(([^)]*)\)/.exec(proc);
  if (userProc) {
    f.protocol = userProc[1];
    if (userProc[1] !== 'auth' && userProc[2]) f.user = userProc[2];
  }
  let rest = msg.slice(c + 2);
  // event text up to ':' or ' (' ; reason in parentheses
  let e = 0;
  while (e < rest.length && rest[e] !== ':' && rest[e] !== '(' && e < 128) e++;
  f.event = rest.slice(0, e).trim();
  if (rest[e] === '(') {
    let depth = 0;
    let k = e;
    for (; k < rest.length; k++) {
      if (rest[k] === '(') depth++;
      else if (rest[k] === ')' && --depth === 0) break;
    }
    f.reason = rest.slice(e + 1, k);
    rest = rest.slice(k + 1);
    if (rest.startsWith(':')) rest = rest.slice(1);
  } else rest = rest.slice(e + 1);
  parseKv(rest, f);
  const flags = rest.split(',').map((x) => x.trim());
  f.tls = flags.some((x) => x === 'TLS' || x.startsWith('TLS '));
  if (flags.includes('secured')) f.secured = true;
  const reason = typeof f.reason === 'string' ? f.reason : '';
  const attempts = /(\d+) attempts?/.exec(reason);
  if (attempts) f.attempts = Number(attempts[1]);
  f.auth_failed = /auth failed|authentication failed|password mismatch|unknown user/i.test(reason) || /password mismatch|unknown user|authentication failure/i.test(msg);
  // auth process lines: "auth: passwd-file(user,1.2.3.4,<session>): unknown user"
  const who = /^[a-z-]+(?:\(\d+\))?: [\w-]{1,32}\(([^,()]{0,255}),([0-9a-fA-F.:]{2,45})[,)]/.exec(msg);
  if (who) {
    if (f.user === undefined && who[1] !== '?') f.user = who[1];
    if (f.rip === undefined) f.rip = who[2];
  }
  if (typeof f.rip === 'string') f.client_ip = f.rip;
}

const BARRACUDA_ACTIONS = ['Allowed', 'Aborted', 'Blocked', 'Quarantined', 'Tagged', 'Deferred', 'Per-User Quarantined', 'Whitelisted', 'Encrypted', 'Redirected', 'Attachments Stubbed'];
const SEND_ACTIONS = ['Deferred', 'Delivered', 'Rejected'];
const BARRACUDA_REASONS: Record<number, string> = {
  1: 'Virus', 2: 'Banned Attachment', 3: 'RBL Match', 4: 'Rate Control', 5: 'Too Many Messages In Session',
  6: 'Timeout Exceeded', 7: 'No Such Domain', 8: 'No Such User', 9: 'Subject Filter Match', 11: 'Client IP',
  12: 'Recipient Address Rejected', 13: 'No Valid Recipients', 14: 'Domain Not Found', 15: 'Sender Address Rejected',
  17: 'Need Fully Qualified Recipient', 18: 'Need Fully Qualified Sender', 19: 'Unsupported Command',
  20: 'MAIL FROM Syntax Error', 21: 'Bad Address Syntax', 22: 'RCPT TO Syntax Error', 23: 'Send EHLO/HELO First',
  24: 'Need MAIL Command', 25: 'Nested MAIL Command', 27: 'EHLO/HELO Syntax Error', 30: 'Mail Protocol Error',
  31: 'Score', 34: 'Header Filter Match', 35: 'Sender Block/Accept', 36: 'Recipient Block/Accept', 37: 'Body Filter Match',
  38: 'Message Size Bypass', 39: 'Intention Analysis Match', 40: 'SPF/Caller-ID', 41: 'Client Host Rejected',
  44: 'Authentication Not Enabled', 45: 'Allowed Message Size Exceeded', 46: 'Too Many Recipients',
  50: 'Too Many Hops', 60: 'Spam Fingerprint Found', 63: 'DomainKeys', 66: 'Client Reverse DNS',
  70: 'Intent - Political', 72: 'Attachment Limit Exceeded', 78: 'Sender Spoofed', 79: 'Attachment Content',
  85: 'Attachment Size', 86: 'Virus detected by Extended Malware Protection',
};
const ATTACHMENT_REASONS = new Set([2, 72, 79, 85, 86]);

/** Barracuda ESG message line: `host[ip] bmsgid start end SERVICE …`. Returns false when it is not one. */
function parseBarracuda(msg: string, f: Doc): boolean {
  const m = /^(?:([^\s\[]*)\[([^\]\s]*)\] )?(\S+) (\d{1,11}) (\d{1,11}) (RECV|SCAN|SEND) ?(.*)$/.exec(msg.length > MAX_MESSAGE ? msg.slice(0, MAX_MESSAGE) : msg);
  if (!m) return false;
  // SEND lines carry no client; a client without a known address is logged "host[]"
  if (m[1]) f.client_host = m[1];
  if (m[2]) f.client_ip = m[2];
  f.message_id = m[3];
  f.start_time = Number(m[4]);
  f.end_time = Number(m[5]);
  f.service = m[6];
  const toks = m[7].split(' ');
  let k = 0;
  const setAction = (a: string | undefined, r: string | undefined) => {
    if (a !== undefined && /^\d{1,2}$/.test(a)) {
      f.action = Number(a);
      if (BARRACUDA_ACTIONS[f.action]) f.action_name = BARRACUDA_ACTIONS[f.action];
    }
    if (r !== undefined && /^\d{1,3}$/.test(r)) {
      f.reason = Number(r);
      if (BARRACUDA_REASONS[f.reason]) f.reason_name = BARRACUDA_REASONS[f.reason];
    }
  };
  if (m[6] === 'RECV') {
    f.sender = toks[0] ?? '';
    f.recipient = toks[1] ?? '';
    setAction(toks[2], toks[3]);
    k = 4;
  } else if (m[6] === 'SCAN') {
    if (toks[0] === 'ENC' || toks[0] === '-') { f.encrypted = toks[0] === 'ENC'; k = 1; }
    f.sender = toks[k] ?? '';
    f.recipient = toks[k + 1] ?? '';
    const score = toks[k + 2];
    if (score !== undefined && score !== '-' && /^-?\d+(\.\d+)?$/.test(score)) f.score = Number(score);
    setAction(toks[k + 3], toks[k + 4]);
    k += 5;
  } else {
    if (toks[0] === 'ENC' || toks[0] === '-') { f.encrypted = toks[0] === 'ENC'; k = 1; }
    if (/^\d{1,2}$/.test(toks[k] ?? '')) {
      setAction(toks[k], undefined);
      // delivery attempts have their own codes: 0 deferred, 1 delivered, 2 rejected
      if (typeof f.action === 'number') f.action_name = SEND_ACTIONS[f.action] ?? String(f.action);
      f.queue_id = toks[k + 1] ?? '';
    } else {
      f.queue_id = toks[k] ?? '';
      setAction(toks[k + 1], undefined);
    }
    k += 2;
    f.delivery_status = toks.slice(k).join(' ');
    k = toks.length;
  }
  if (f.sender === '' || f.sender === '-') delete f.sender;
  if (f.recipient === '' || f.recipient === '-') delete f.recipient;
  let rest = toks.slice(k).join(' ');
  // SUBJ:/Subj: runs to the end of the line; SZ:n before it
  const sj = /(?:^| )SUBJ: ?/i.exec(rest);
  if (sj) {
    f.subject = rest.slice(sj.index + sj[0].length);
    rest = rest.slice(0, sj.index);
  }
  const sz = /(?:^| )SZ:(\d+)/.exec(rest);
  if (sz) {
    f.size = Number(sz[1]);
    rest = rest.slice(0, sz.index) + rest.slice(sz.index + sz[0].length);
  }
  const atts: string[] = [];
  for (const am of rest.matchAll(/(?:^| )(?:ATT|FILE):(\S+)/g)) atts.push(am[1]);
  const helo = /(?:^| )(?:HELO:|helo=<)([^>\s]+)/.exec(rest);
  if (helo) f.helo = helo[1];
  rest = rest.trim();
  if (rest !== '' && rest !== '-') f.reason_extra = rest;
  if (typeof f.reason === 'number' && ATTACHMENT_REASONS.has(f.reason) && rest !== '' && rest !== '-') atts.push(rest);
  if (atts.length) f.attachments = atts;
  return true;
}

function isBarracudaProgram(p: string): boolean {
  return p.startsWith('inbound/') || p.startsWith('outbound/') || p === 'scan' || p === 'bsmtpd' || p.startsWith('bsmtpd/');
}

/** Build the event of one parsed line. */
function syslogEvent(p: SyslogLine, origin: VigieEvent['origin']): VigieEvent {
  const f: Doc = {};
  if (p.hostname) f.hostname = p.hostname;
  if (p.program) f.program = p.program;
  if (p.pid) f.pid = p.pid;
  if (p.msgid) f.msgid = p.msgid;
  if (p.facility !== undefined) f.facility = p.facility;
  if (p.severity !== undefined) f.severity = p.severity;
  if (p.sd) for (const [id, params] of Object.entries(p.sd)) for (const [k, v] of Object.entries(params)) f[`sd.${id}.${k}`] = v;
  f.message = p.message;
  const prog = p.program ?? '';
  let logsource: VigieEvent['logsource'] = { product: 'linux', service: 'syslog' };
  const pf = /^postfix(?:-[\w.-]+)?\/([\w.-]+)$/.exec(prog);
  if (isBarracudaProgram(prog)) {
    logsource = { product: 'barracuda', service: 'esg' };
    f.barracuda_process = prog;
    if (!parseBarracuda(p.message, f)) parsePostfix(prog.split('/').pop() ?? prog, p.message, f);
  } else if (pf) {
    logsource = { product: 'linux', service: 'postfix' };
    parsePostfix(pf[1], p.message, f);
  } else if (prog === 'dovecot' || /^(imap|pop3|submission|managesieve|lmtp)-login$/.test(prog) || prog === 'dovecot-auth') {
    logsource = { product: 'linux', service: 'dovecot' };
    parseDovecot(prog === 'dovecot' || prog === 'dovecot-auth' ? p.message : `${prog}: ${p.message}`, f);
  } else {
    // a Barracuda line forwarded without its usual program name
    const g: Doc = {};
    if (parseBarracuda(p.message, g)) {
      logsource = { product: 'barracuda', service: 'esg' };
      Object.assign(f, g);
    }
  }
  return {
    origin,
    time: p.time,
    computer: p.hostname,
    channel: `syslog/${logsource.service}`,
    provider: p.program,
    logsource,
    fields: f,
  };
}

function detectSyslog(input: InputFile): number {
  const lines = headLines(input, 30).filter((l) => l.trim() !== '');
  if (lines.length === 0) return 0;
  const yc = { year: 2000, month: 11 };
  let ok = 0;
  for (const l of lines) if (parseSyslogLine(l, yc)) ok++;
  if (ok === 0) return 0;
  const ratio = ok / lines.length;
  return ratio >= 0.8 ? 70 : ratio >= 0.5 ? 50 : 0;
}

export const source: Source = {
  name: 'syslog',
  description: 'Syslog RFC 3164 / RFC 5424 (Postfix, Dovecot, Barracuda ESG)',
  detect: detectSyslog,
  read: async function* (input: InputFile, ctx: ReadContext, open: () => NodeJS.ReadableStream): AsyncGenerator<VigieEvent> {
    // the file's modification time (from the probe); standard input: today
    const ref = new Date(input.mtime ?? Date.now());
    const yc: YearContext = { year: ref.getUTCFullYear(), month: ref.getUTCMonth() };
    for await (const ln of readLines(open(), ctx, input.path, 1024 * 1024)) {
      if (ln.text.trim() === '') continue;
      const p = parseSyslogLine(ln.text, yc);
      if (!p) {
        ctx.error({ file: input.path, offset: ln.offset, line: ln.line, message: 'not a syslog line: skipped' });
        continue;
      }
      if (p.message.length > MAX_MESSAGE) p.message = p.message.slice(0, MAX_MESSAGE);
      yield syslogEvent(p, { file: input.path, format: 'syslog', offset: ln.offset, record: ln.line });
    }
  },
};

