import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check, compile, ev, run } from './util.js';
import { RuleError } from '../../src/sigma/index.js';
import { parseIp, compileCidr, compileGlob, parseSigmaString } from '../../src/sigma/modifiers.js';

const r = String.raw;

test('plain equality is case-insensitive and whole-value', () => {
  check(`sel:\n  Image: 'C:\\Windows\\cmd.exe'\ncondition: sel`,
    [{ Image: 'C:\\Windows\\cmd.exe' }, { Image: 'c:\\windows\\CMD.EXE' }],
    [{ Image: 'C:\\Windows\\cmd.exe.bak' }, { Image: 'x' }, { Other: 'C:\\Windows\\cmd.exe' }]);
});

test('numbers in events compare as text with strings in rules (and the reverse)', () => {
  check(`sel:\n  EventID: '4688'\ncondition: sel`, [{ EventID: 4688 }, { EventID: '4688' }], [{ EventID: 46880 }, { EventID: 4689 }]);
  check(`sel:\n  EventID: 4688\ncondition: sel`, [{ EventID: 4688 }, { EventID: '4688' }], [{ EventID: '04688' }]);
  check(`sel:\n  Flag: 0x10\ncondition: sel`, [{ Flag: '0x10' }], [{ Flag: 16 }]);
});

test('contains, startswith, endswith', () => {
  check(`sel:\n  CommandLine|contains: 'Invoke-Mimikatz'\ncondition: sel`, [{ CommandLine: 'powershell invoke-mimikatz -dump' }], [{ CommandLine: 'powershell Invoke-Mimi' }]);
  check(`sel:\n  Image|startswith: 'C:\\Users\\'\ncondition: sel`, [{ Image: 'c:\\users\\bob\\a.exe' }], [{ Image: 'D:\\c:\\users\\' }]);
  check(`sel:\n  Image|endswith: '\\rundll32.exe'\ncondition: sel`, [{ Image: 'C:\\Windows\\System32\\RUNDLL32.EXE' }], [{ Image: 'C:\\rundll32.exe.tmp' }]);
});

test('lists are OR; |all makes them AND', () => {
  check(`sel:\n  CommandLine|contains:\n    - ' -enc '\n    - ' -e '\ncondition: sel`, [{ CommandLine: 'ps -e x' }, { CommandLine: 'ps -enc x' }], [{ CommandLine: 'ps -nop' }]);
  check(`sel:\n  CommandLine|contains|all:\n    - 'net'\n    - ' user '\n    - '/add'\ncondition: sel`,
    [{ CommandLine: 'net user bob /add' }], [{ CommandLine: 'net user bob' }, { CommandLine: 'user /add' }]);
});

test('wildcards * and ? and escaping with backslash', () => {
  check(r`sel:
  Image: '*\sys?em32\\*.exe'
condition: sel`, [{ Image: 'C:\\Windows\\System32\\a.exe' }, { Image: '\\sysXem32\\.exe' }],
    [{ Image: 'C:\\Windows\\Syem32\\a.exe' }, { Image: 'C:\\Windows\\System32\\a.dll' }]);
  // \* is a literal star, \? a literal question mark
  check(r`sel:
  Value: 'a\*b\?c'
condition: sel`, [{ Value: 'a*b?c' }], [{ Value: 'aXXbYc' }, { Value: 'a*bYc' }]);
  // \\* is a backslash followed by a wildcard
  check(r`sel:
  Value: 'dir\\*'
condition: sel`, [{ Value: 'dir\\anything' }, { Value: 'DIR\\' }], [{ Value: 'dir' }, { Value: 'dirx' }]);
  // \\\* is a backslash and a literal star; \\\\ is two backslashes
  check(r`sel:
  Value: 'a\\\*'
condition: sel`, [{ Value: 'a\\*' }], [{ Value: 'a\\xyz' }]);
  check(r`sel:
  Value: '\\\\server'
condition: sel`, [{ Value: '\\\\server' }], [{ Value: '\\server' }]);
  assert.equal(parseSigmaString('C:\\Windows\\x'), 'C:\\Windows\\x');
  // pathological glob stays fast and correct
  const g = compileGlob(parseSigmaString('*a*a*a*a*a*a*a*a*b'));
  assert.equal(g('a'.repeat(50000)), false);
  assert.equal(g('a'.repeat(50) + 'b'), true);
});

test('null, empty value and exists', () => {
  check(`sel:\n  PasswordLastSet: null\ncondition: sel`, [{ Other: 1 }, { PasswordLastSet: null }], [{ PasswordLastSet: '' }, { PasswordLastSet: 'x' }]);
  check(`sel:\n  Description: ''\ncondition: sel`, [{ Description: '' }], [{ Description: ' ' }, {}]);
  check(`sel:\n  Description|exists: true\ncondition: sel`, [{ Description: '' }, { Description: null }, { description: 'x' }], [{}]);
  check(`sel:\n  Description|exists: false\ncondition: sel`, [{}], [{ Description: '' }]);
  check(`sel:\n  A: 'x'\nfilter:\n  B: null\ncondition: sel and not filter`, [{ A: 'x', B: 'y' }], [{ A: 'x' }]);
});

test('cased makes matching case-sensitive', () => {
  check(`sel:\n  CommandLine|contains|cased: 'AmSi'\ncondition: sel`, [{ CommandLine: 'xAmSiy' }], [{ CommandLine: 'xamsiy' }, { CommandLine: 'XAMSIY' }]);
  check(`sel:\n  Name|cased: 'Bob'\ncondition: sel`, [{ Name: 'Bob' }], [{ Name: 'bob' }]);
});

test('neq: field differs from every value', () => {
  check(`sel:\n  User|neq: 'SYSTEM'\ncondition: sel`, [{ User: 'bob' }], [{ User: 'system' }]);
  check(`sel:\n  User|neq:\n    - a\n    - b\ncondition: sel`, [{ User: 'c' }], [{ User: 'a' }, { User: 'B' }]);
  check(`sel:\n  Port|neq: 443\ncondition: sel`, [{ Port: 80 }], [{ Port: 443 }]);
});

test('windash: every dash variant of a flag', () => {
  const y = `sel:\n  CommandLine|windash|contains: ' -exec bypass'\ncondition: sel`;
  check(y, [{ CommandLine: 'ps -exec bypass' }, { CommandLine: 'ps /exec bypass' }, { CommandLine: 'ps \u2013exec bypass' },
    { CommandLine: 'ps \u2014exec bypass' }, { CommandLine: 'ps \u2015exec bypass' }], [{ CommandLine: 'ps +exec bypass' }, { CommandLine: 'ps exec bypass' }]);
  // a dash inside a word is not a flag
  check(`sel:\n  CommandLine|windash|contains: 'a-b'\ncondition: sel`, [{ CommandLine: 'xa-b' }], [{ CommandLine: 'xa/b' }]);
  // many flags: class matcher instead of permutations
  check(`sel:\n  CommandLine|windash|contains: ' -a -b -c -d -e'\ncondition: sel`, [{ CommandLine: 'x /a -b \u2013c /d -e' }], [{ CommandLine: 'x /a -b \u2013c +d -e' }]);
});

test('re with i, m, s flags; case-sensitive by default; linear time (re2)', () => {
  check(`sel:\n  CommandLine|re: '^cmd\\.exe /c [a-z]+$'\ncondition: sel`, [{ CommandLine: 'cmd.exe /c whoami' }], [{ CommandLine: 'CMD.exe /c whoami' }, { CommandLine: 'cmd.exe /c who ami' }]);
  check(`sel:\n  CommandLine|re|i: '^cmd\\.exe'\ncondition: sel`, [{ CommandLine: 'CMD.EXE /c' }], [{ CommandLine: 'xcmd.exe' }]);
  check(`sel:\n  Text|re|m: '^second$'\ncondition: sel`, [{ Text: 'first\nsecond\nthird' }], [{ Text: 'first second' }]);
  check(`sel:\n  Text|re: '^second$'\ncondition: sel`, [{ Text: 'second' }], [{ Text: 'first\nsecond\nthird' }]);
  check(`sel:\n  Text|re|s: 'a.b'\ncondition: sel`, [{ Text: 'a\nb' }], [{ Text: 'ab' }]);
  check(`sel:\n  Text|re: 'a.b'\ncondition: sel`, [{ Text: 'a-b' }], [{ Text: 'a\nb' }]);
  // catastrophic pattern for a backtracking engine: linear in re2
  const c = compile(`sel:\n  Text|re: '^(a+)+$'\ncondition: sel`);
  assert.equal(run(c, ev({ Text: 'a'.repeat(30000) + 'b' })), null);
  assert.throws(() => compile(`sel:\n  Text|re: 'a(?!b)'\ncondition: sel`), (e: unknown) => e instanceof RuleError && /re2/.test((e as Error).message));
});

test('base64 and base64offset, with utf16 encodings', () => {
  check(`sel:\n  CommandLine|base64: 'http://'\ncondition: sel`, [{ CommandLine: 'aHR0cDovLw==' }], [{ CommandLine: 'http://' }]);
  const y = `sel:\n  CommandLine|base64offset|contains: 'IEX (New-Object'\ncondition: sel`;
  const enc = (pre: string) => Buffer.from(pre + 'IEX (New-Object Net.WebClient)').toString('base64');
  check(y, [{ CommandLine: `powershell -e ${enc('')}` }, { CommandLine: `x ${enc('a')}` }, { CommandLine: `x ${enc('ab')}` }], [{ CommandLine: Buffer.from('nothing to see').toString('base64') }]);
  const yw = `sel:\n  CommandLine|wide|base64offset|contains: 'ping'\ncondition: sel`;
  const encw = (pre: string) => Buffer.from(pre + 'ping 127.0.0.1', 'utf16le').toString('base64');
  check(yw, [{ CommandLine: encw('') }, { CommandLine: encw('x') }, { CommandLine: encw('xy') }], [{ CommandLine: Buffer.from('ping 127.0.0.1').toString('base64') }]);
  check(`sel:\n  Data|utf16le|base64: 'cmd'\ncondition: sel`, [{ Data: Buffer.from('cmd', 'utf16le').toString('base64') }], [{ Data: Buffer.from('cmd').toString('base64') }]);
  check(`sel:\n  Data|utf16be|base64: 'cmd'\ncondition: sel`, [{ Data: 'AGMAbQBk' }], [{ Data: 'YwBtAGQA' }]);
  check(`sel:\n  Data|utf16|base64: 'cmd'\ncondition: sel`, [{ Data: '//5jAG0AZAA=' }], [{ Data: 'YwBtAGQA' }]);
  check(`sel:\n  Data|wide|base64: 'cmd'\ncondition: sel`, [{ Data: 'YwBtAGQA' }], [{ Data: 'AGMAbQBk' }]);
  check(`sel:\n  Data|wide|contains: 'cmd'\ncondition: sel`, [{ Data: 'xc\u0000m\u0000d\u0000y' }], [{ Data: 'cmd' }]);
});

test('lt, lte, gt, gte on numbers', () => {
  check(`sel:\n  Size|gt: 100\ncondition: sel`, [{ Size: 101 }, { Size: '5000' }], [{ Size: 100 }, { Size: 'abc' }, {}]);
  check(`sel:\n  Size|gte: 100\ncondition: sel`, [{ Size: 100 }], [{ Size: 99.5 }]);
  check(`sel:\n  Size|lt: 10\ncondition: sel`, [{ Size: 9 }, { Size: '-3' }], [{ Size: 10 }]);
  check(`sel:\n  Size|lte: 10\ncondition: sel`, [{ Size: 10 }], [{ Size: 11 }]);
  assert.throws(() => compile(`sel:\n  Size|gt: abc\ncondition: sel`), RuleError);
});

test('minute, hour, day, week, month, year on a date field or the event time', () => {
  const f = { LogonTime: '2024-03-15T23:45:10Z' }; // Friday, ISO week 11
  check(`sel:\n  LogonTime|hour: 23\ncondition: sel`, [f], [{ LogonTime: '2024-03-15T22:45:10Z' }, {}]);
  check(`sel:\n  LogonTime|minute: 45\ncondition: sel`, [f], [{ LogonTime: '2024-03-15T23:44:10Z' }]);
  check(`sel:\n  LogonTime|day: 15\ncondition: sel`, [f], [{ LogonTime: '2024-03-16T23:45:10Z' }]);
  check(`sel:\n  LogonTime|week: 11\ncondition: sel`, [f], [{ LogonTime: '2024-03-18T00:00:00Z' }]);
  check(`sel:\n  LogonTime|month: 3\ncondition: sel`, [f], [{ LogonTime: '2024-04-15T23:45:10Z' }]);
  check(`sel:\n  LogonTime|year: 2024\ncondition: sel`, [f], [{ LogonTime: '2023-03-15T23:45:10Z' }]);
  check(`sel:\n  LogonTime|hour|gte: 22\ncondition: sel`, [f], [{ LogonTime: '2024-03-15T08:00:00Z' }]);
  const c = compile(`sel:\n  timestamp|hour: 3\ncondition: sel`);
  assert.ok(run(c, ev({}, '2024-01-01T03:10:00Z')) !== null);
  assert.equal(run(c, ev({}, '2024-01-01T04:10:00Z')), null);
});

test('cidr with IPv4 and IPv6', () => {
  check(`sel:\n  DestinationIp|cidr:\n    - 10.0.0.0/8\n    - 192.168.1.0/24\n    - 'fe80::/10'\ncondition: sel`,
    [{ DestinationIp: '10.1.2.3' }, { DestinationIp: '192.168.1.200' }, { DestinationIp: 'fe80::1' }, { DestinationIp: 'FE80:0:0:0:0:0:0:abcd' }, { DestinationIp: '::ffff:10.9.9.9' }],
    [{ DestinationIp: '11.0.0.1' }, { DestinationIp: '192.168.2.1' }, { DestinationIp: 'fec0::1' }, { DestinationIp: 'not an ip' }, { DestinationIp: '10.0.0.256' }]);
  check(`sel:\n  Ip|cidr: '2001:db8::/32'\ncondition: sel`, [{ Ip: '2001:db8:1::5' }, { Ip: '[2001:db8::1]' }], [{ Ip: '2001:db9::1' }]);
  assert.deepEqual([...parseIp('::1')!.bytes], [...new Array(15).fill(0), 1]);
  assert.ok(compileCidr('0.0.0.0/0')('8.8.8.8'));
  assert.throws(() => compileCidr('10.0.0.0/33'), RuleError);
  // dotted quads: exactly four parts of 1–3 digits, each ≤ 255
  for (const bad of ['1.2.3', '1.2.3.4.', '.1.2.3', '1..2.3', '1.2.3.4.5', '1.2.3.1000', '1.2.3.256', '1.2.3.a', '1.2.3.-4', '']) assert.equal(parseIp(bad), undefined, bad);
  assert.deepEqual([...parseIp('010.2.3.255')!.bytes.slice(12)], [10, 2, 3, 255]);
  // networks test the same value one after the other (the parsed address is reused): each answer stays its own
  const nets = ['10.0.0.0/8', '192.168.0.0/16', 'fc00::/7'].map(compileCidr);
  assert.deepEqual(nets.map((t) => t('192.168.5.5')), [false, true, false]);
  assert.deepEqual(nets.map((t) => t('fd00::1')), [false, false, true]);
  assert.deepEqual(nets.map((t) => t('10.0.0.1')), [true, false, false]);
});

test('expand: placeholders from the options; undefined placeholder is a RuleError', () => {
  const y = `sel:\n  User|expand: '%Administrators%'\ncondition: sel`;
  check(y, [{ User: 'admin1' }, { User: 'ADM_bob' }], [{ User: 'bob' }], { placeholders: { Administrators: ['admin1', 'adm_*'] } });
  assert.throws(() => compile(y), (e: unknown) => e instanceof RuleError && /needs placeholder Administrators/.test((e as Error).message));
  // escaped percent stays literal
  check(r`sel:
  Path|expand: '\%plain%name%'
condition: sel`, [{ Path: '%plainx' }], [{ Path: 'xx' }, { Path: '%plain%name%' }], { placeholders: { name: ['x'] } });
  // expand feeds other modifiers too: networks for cidr
  check(`sel:\n  Ip|expand|cidr: '%nets%'\ncondition: sel`, [{ Ip: '10.1.1.1' }, { Ip: '192.168.0.1' }], [{ Ip: '11.1.1.1' }], { placeholders: { nets: ['10.0.0.0/8', '192.168.0.0/16'] } });
  // without expand, %name% is a literal value
  check(`sel:\n  User: '%Administrators%'\ncondition: sel`, [{ User: '%administrators%' }], [{ User: 'admin1' }]);
});

test('fieldref compares with another field of the same event', () => {
  check(`sel:\n  TargetUserName|fieldref: SubjectUserName\ncondition: sel`, [{ TargetUserName: 'Bob', SubjectUserName: 'bob' }], [{ TargetUserName: 'bob', SubjectUserName: 'alice' }, { TargetUserName: 'bob' }]);
  check(`sel:\n  TargetUserName|fieldref|neq: SubjectUserName\ncondition: sel`, [{ TargetUserName: 'bob', SubjectUserName: 'alice' }], [{ TargetUserName: 'bob', SubjectUserName: 'bob' }]);
  check(`sel:\n  CommandLine|fieldref|contains: User\ncondition: sel`, [{ CommandLine: 'runas /user:bob x', User: 'bob' }], [{ CommandLine: 'runas x', User: 'bob' }]);
});

test('list-valued fields match when any element matches', () => {
  check(`sel:\n  Data|contains: 'mimikatz'\ncondition: sel`, [{ Data: ['a', 'x mimikatz y'] }], [{ Data: ['a', 'b'] }]);
  check(`sel:\n  Data|contains|all:\n    - alpha\n    - beta\ncondition: sel`, [{ Data: ['alpha', 'beta'] }], [{ Data: ['alpha', 'gamma'] }]);
});

test('unknown modifier and bad combinations are RuleErrors', () => {
  assert.throws(() => compile(`sel:\n  A|foo: x\ncondition: sel`), /unknown modifier "foo"/);
  assert.throws(() => compile(`sel:\n  A|contains|re: x\ncondition: sel`), RuleError);
  assert.throws(() => compile(`sel:\n  A|i: x\ncondition: sel`), RuleError);
});

test('match details name the field, the event value and the rule value', () => {
  const c = compile(`sel:\n  Image|endswith: '\\cmd.exe'\n  CommandLine|contains: whoami\ncondition: sel`);
  const d = run(c, ev({ Image: 'C:\\Windows\\cmd.exe', CommandLine: 'cmd /c WHOAMI /all', Other: 1 }));
  assert.deepEqual(d, [
    { field: 'Image', value: 'C:\\Windows\\cmd.exe', pattern: '\\cmd.exe' },
    { field: 'CommandLine', value: 'cmd /c WHOAMI /all', pattern: 'whoami' },
  ]);
  const long = run(compile(`sel:\n  A|contains: x\ncondition: sel`), ev({ A: 'x'.repeat(1000) }))!;
  assert.ok(long[0]!.value.length <= 200);
});

test('long value lists (batched into sets and one RE2 alternation) match like the plain loop', () => {
  const words = Array.from({ length: 40 }, (_, i) => `w${i}.x-(${i})`);
  const mixed = [...words.slice(0, 10).map((w) => `*${w}*`), ...words.slice(10, 20).map((w) => `*\\${w}`), ...words.slice(20, 30).map((w) => `${w}*`), ...words.slice(30, 38), 'a?c', '\u{1F600}'];
  const yaml = `sel:\n  F:\n${mixed.map((m) => `    - '${m}'`).join('\n')}\ncondition: sel`;
  const yes = [{ F: `zz W3.X-(3) zz` }, { F: `c:\\dir\\w15.x-(15)` }, { F: `w25.x-(25)\\tail` }, { F: 'W33.X-(33)' }, { F: 'abc' }, { F: '\u{1F600}' }];
  const no = [{ F: 'w15.x-(15)' }, { F: 'xw25.x-(25)' }, { F: 'w33.x-(33) ' }, { F: 'ac' }, { F: 'w1.x-(1' }, { F: 5 }];
  check(yaml, yes, no);
  const cont = `sel:\n  CommandLine|contains:\n${words.map((w) => `    - '${w}'`).join('\n')}\ncondition: sel`;
  check(cont, words.map((w) => ({ CommandLine: `pre ${w.toUpperCase()} post` })), [{ CommandLine: 'w1.x-(' }, { CommandLine: 'w1x-(1)' }]);
});
