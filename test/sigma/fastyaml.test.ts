/**
 * The fast YAML reader (src/sigma/fastyaml.ts) against the `yaml` package path of the loader: for every document
 * it accepts, values, key-path lines and problems must be the same; what it cannot read it must hand over (null).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fastParseDocuments } from '../../src/sigma/fastyaml.js';
import { parseRules, lineMap } from '../../src/sigma/load.js';
import type { RuleSet } from '../../src/sigma/types.js';
import { shared } from '../helpers.js';

const canon = (set: RuleSet) => JSON.stringify({
  docs: [...set.rules, ...set.correlations, ...set.filters].map((r) => [r, [...(lineMap(r) ?? new Map())].sort()]),
  problems: set.problems,
});

const same = (text: string, file = 'x.yml') => {
  const a = parseRules(text, file);
  const b = parseRules(text, file, { fast: false });
  assert.equal(canon(a), canon(b), text);
  return a;
};

const rule = (body: string) => `title: T
id: 5a7b8c9d-0000-4000-8000-000000000001
logsource:
    product: windows
    category: process_creation
${body}`;

// each of these must be read by the fast reader (not handed over) and give what the yaml package gives
const HANDLED: string[] = [
  rule(`detection:
    selection:
        Image|endswith: '\\cmd.exe'
        CommandLine|contains:
            - ' /c '
            - "a\\tb \\" \\\\ \\x41 \\u00e9"
            - plain value # comment
            - C:\\Windows\\System32\\
            - 'it''s'
            - http://x/y
    condition: selection
level: high
`),
  rule(`description: |
    first line

    third line: with colon
      indented more
    # not a comment
tags:
- attack.execution
- attack.t1059
falsepositives:
    - Unknown
detection:
    sel:
        EventID: 4688
        Num1: 010
        Num2: 1.0
        Num3: 1e3
        Num4: -0
        Num5: +5
        Num6: 0x1F
        Num7: 1.5
        Empty:
        NullValue: null
        Tilde: ~
        Bool: true
        BoolCap: False
        Str: 'true'
        Dot: .inf
        NotANumber: .nan
        Date: 2024-01-31
    condition: sel
`),
  rule(`description: |-
    stripped
    two lines
detection:
    keywords:
        - 'a'
        - b
    list_of_maps:
        - Image: x
          User: y
        -   Image: z
        -
          Image: w
    condition: keywords or list_of_maps
`),
  `title: A
# comment between documents
action: global
logsource:
    product: windows
---
title: B
detection:
    s:
        a: 1
    condition: s
---
action: repeat
title: C
`,
  rule(`detection:
    selection:
      '__proto__': x
      "quoted key": y
      key with spaces: z
      a:b: c
    condition: selection
`),
  rule(`detection:
    selection:
        a: |
          literal in a mapping

    condition: selection
empty_literal: |
other: x
`),
  `title: multi-line plain scalars
description: first
    second

    after an empty line
status: test
detection:
    sel:
        - a
          continued
        - b
    condition: sel and
        not filter
        # comment after the scalar
    filter:
        x:
          on the next line
          and the one after
        y: 1
          2
`,
  `title: correlation
correlation:
    type: event_count
    rules:
        - a
    group-by:
        - User
    timespan: 5m
    condition:
        gte: 10
`,
  rule(`detection:
    selection:
        a: x
      # comment less indented
        b: y
    condition: selection
`),
];

// outside the subset: the yaml package must read these
const HANDED_OVER: string[] = [
  'title: x\nlist: [a, b]\n',
  'title: x\nmap: {a: 1}\n',
  'title: &a x\nother: *a\n',
  'title: !!str x\n',
  'title: >\n  folded\n',
  'title: |+\n  keep\n\n',
  'title: |2\n   indent\n',
  'title: x\ndescription: multi # comment\n  line plain\n',
  'title: x\ndescription: multi\n  # comment\n  line plain\n',
  "title: 'multi\n  line'\n",
  'title: x\ntitle: duplicate\n',
  'title:\tx\n',
  'title: x\r\nid: y\r\n',
  '%YAML 1.2\n---\ntitle: x\n',
  'title: x\n...\n',
  '- a\n- b\n',
  'title: x\n---\n',
  'just a scalar\n',
  'title: a: b\n',
  '1: numeric key\n',
  'title: x\nNull: key that is null\n',
  'title: x\n  stray: indented\n',
  'title: x\nlist:\n  -\n  - b\n',
  'title: |\n  no final newline',
  '  title: indented root\n',
  'title: "bad \\q escape"\n',
];

test('fast reader: the subset is read, and read as the yaml package reads it', () => {
  for (const t of HANDLED) {
    assert.notEqual(fastParseDocuments(t), null, `should be handled:\n${t}`);
    same(t);
  }
});

test('fast reader: values and lines of a rule', () => {
  const set = same(HANDLED[1]!);
  const r = set.rules[0]!;
  const sel = (r.detection as Record<string, Record<string, unknown>>)['sel']!;
  assert.deepEqual([sel['EventID'], sel['Num1'], sel['Num2'], sel['Num3'], sel['Num7'], sel['Empty'], sel['Bool'], sel['Str'], sel['Date']],
    [4688, '010', '1.0', '1e3', 1.5, null, true, 'true', '2024-01-31']);
  assert.equal(r.description, 'first line\n\nthird line: with colon\n  indented more\n# not a comment\n');
  assert.deepEqual(r.tags, ['attack.execution', 'attack.t1059']);
  const lines = lineMap(r)!;
  assert.equal(lines.get('detection/sel/EventID'), 19);
  assert.equal(lines.get('tags/1'), 14);
});

test('fast reader: hands over what it does not read; results stay those of the yaml package', () => {
  for (const t of HANDED_OVER) {
    assert.equal(fastParseDocuments(t), null, `should be handed over:\n${t}`);
    same(t);
  }
  // a YAML error keeps its line
  const bad = parseRules('title: x\ntitle: y\n', 'dup.yml');
  assert.equal(bad.problems.length, 1);
  assert.equal(bad.problems[0]!.line, 2);
  assert.match(bad.problems[0]!.message, /YAML error/);
});

const sigma = shared('sigma');
test('fast reader: SigmaHQ rule files (every 7th) read the same through both readers', { skip: sigma.skip || false }, () => {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(e.name)) files.push(p);
    }
  };
  for (const d of ['rules', 'rules-emerging-threats', 'rules-threat-hunting', 'rules-placeholder', 'rules-compliance']) {
    try { walk(join(sigma.path!, d)); } catch { /* folder absent */ }
  }
  files.sort();
  let fast = 0;
  for (let i = 0; i < files.length; i += 7) {
    const text = readFileSync(files[i]!, 'utf8').replace(/^\uFEFF/, '');
    if (fastParseDocuments(text)) fast++;
    same(text, files[i]);
  }
  const n = Math.ceil(files.length / 7);
  assert.ok(fast >= n * 0.98, `fast reader handled only ${fast} of ${n}`);
});
