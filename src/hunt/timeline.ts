/** Timeline rows for the sinks: a compact table that reads as a story, full rows for CSV/JSON. */
import { formatTime } from '../event.js';
import type { Column } from '../sinks/index.js';
import type { Detection } from './index.js';

const SHORT_LEVEL: Record<string, string> = { critical: 'crit', high: 'high', medium: 'med', low: 'low', informational: 'info' };

/** Short channel names for the table ("Microsoft-Windows-Sysmon/Operational" → "Sysmon"). */
export function shortChannel(ch: string | undefined): string {
  if (!ch) return '';
  const known: Record<string, string> = {
    'microsoft-windows-sysmon/operational': 'Sysmon',
    'microsoft-windows-powershell/operational': 'PwSh',
    'powershellcore/operational': 'PwShCore',
    'windows powershell': 'PwShClassic',
    'msexchange management': 'ExchMgmt',
    'microsoft-windows-windows defender/operational': 'Defender',
    'microsoft-windows-taskscheduler/operational': 'TaskSched',
    'microsoft-windows-wmi-activity/operational': 'WMI',
    'microsoft-windows-terminalservices-localsessionmanager/operational': 'RDS-LSM',
    'microsoft-windows-bits-client/operational': 'BITS',
  };
  const k = known[ch.toLowerCase()];
  if (k) return k;
  const m = /^Microsoft-Windows-([^/]+)(\/.*)?$/i.exec(ch);
  if (m) return m[1];
  const x = /^MSExchange (.+)$/i.exec(ch); // "MSExchange HttpProxy/Autodiscover" → "HttpProxy/Autodiscover"
  if (x) return x[1];
  return ch;
}

const REDUNDANT = new Set(['eventid', 'channel', 'provider_name', 'computer']);

/** "field=value · field=value" (keyword matches show the matched text). */
export function detailText(d: Detection, max = 2000, skipRedundant = false): string {
  const parts: string[] = [];
  let list = d.details;
  if (skipRedundant) {
    // the table already shows these in their own columns
    const rest = list.filter((x) => !REDUNDANT.has(x.field.toLowerCase()));
    if (rest.length) list = rest;
  }
  for (const x of list) {
    const v = x.value.replace(/\s+/g, ' ');
    // the rule value that matched (e.g. the watched term) goes first when the value is long enough to hide it
    const pat = x.pattern && v.length > 48 && x.pattern.toLowerCase() !== x.value.toLowerCase() ? `[${x.pattern.slice(0, 60)}]` : '';
    const s = x.field ? `${x.field}${pat}=${v}` : `${pat}“${v}”`;
    parts.push(s);
  }
  const t = parts.join(' · ');
  return t.length > max ? t.slice(0, max - 1) + '…' : t;
}

/** First technique, and how many more ("T1550.002 +2"). */
function techniques(d: Detection): string {
  const t = d.attack.filter((a) => /^T\d{4}/.test(a));
  if (t.length === 0) return d.attack.filter((a) => /^[GS]\d{4}/.test(a))[0] ?? '';
  return t.length > 1 ? `${t[0]} +${t.length - 1}` : t[0];
}

/** Columns for the table, sized for a terminal of `width` columns (160 by default). */
export function tableColumns(width = 160): Column[] {
  const fixed = 20 + 14 + 10 + 5 + 4 + 42 + 12 + 7 * 2 + 1;
  return [
    { key: 'time', title: 'Time (UTC)', max: 20 },
    { key: 'computer', title: 'Computer', max: 14 },
    { key: 'channel', title: 'Channel', max: 10 },
    { key: 'eid', title: 'EID', max: 5 },
    { key: 'lvl', title: 'Lvl', max: 4 },
    { key: 'rule', title: 'Rule', max: 42 },
    { key: 'attack', title: 'ATT&CK', max: 12 },
    { key: 'details', title: 'Details', max: Math.max(30, width - fixed) },
  ];
}

export function tableRow(d: Detection): Record<string, string> {
  return {
    time: d.time === undefined ? '' : formatTime(d.time).replace(/\.\d{3}Z$/, 'Z'),
    computer: shortHost(d.computer),
    channel: d.kind === 'correlation' ? '(correl.)' : shortChannel(d.channel) || d.format,
    eid: d.eventId === undefined ? '' : String(d.eventId),
    lvl: SHORT_LEVEL[d.level] ?? d.level,
    rule: d.ruleTitle,
    attack: techniques(d),
    details: detailText(d, 2000, true),
  };
}

export const CSV_COLUMNS: Column[] = [
  { key: 'time', title: 'time' },
  { key: 'computer', title: 'computer' },
  { key: 'channel', title: 'channel' },
  { key: 'eventId', title: 'event_id' },
  { key: 'level', title: 'level' },
  { key: 'ruleTitle', title: 'rule' },
  { key: 'ruleId', title: 'rule_id' },
  { key: 'attackText', title: 'attack' },
  { key: 'detailsText', title: 'details' },
  { key: 'kind', title: 'kind' },
  { key: 'file', title: 'file' },
  { key: 'offset', title: 'offset' },
  { key: 'record', title: 'record' },
  { key: 'format', title: 'format' },
];

/** Row for CSV / JSON / JSON Lines: every field of the detection, time as ISO text. */
export function fullRow(d: Detection): Record<string, unknown> {
  return {
    time: formatTime(d.time),
    computer: d.computer,
    channel: d.channel,
    eventId: d.eventId,
    level: d.level,
    ruleTitle: d.ruleTitle,
    ruleId: d.ruleId,
    status: d.status,
    tags: d.tags,
    attack: d.attack,
    attackText: d.attack.join(' '),
    details: d.details,
    detailsText: detailText(d, 32_000),
    kind: d.kind,
    group: d.group,
    value: d.value,
    file: d.file,
    offset: d.offset,
    record: d.record,
    format: d.format,
    ruleFile: d.ruleFile,
  };
}

/** Host name without its domain for the table ("PC01.example.corp" → "PC01"); IP addresses unchanged. */
export function shortHost(h: string | undefined): string {
  if (!h) return '';
  if (/^[\d.]+$/.test(h) || h.includes(':')) return h;
  return h.split('.')[0];
}
