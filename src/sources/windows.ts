/**
 * Windows events: every Windows-event reader (EVTX, evtx_dump JSON, XML exports, collector/SIEM shapes) builds
 * the `evtx_dump -o json` document ({ Event: { System, EventData | UserData } }) and calls `windowsEvent` to get
 * the flat Sigma field names. One place decides how System, EventData and UserData become fields.
 *
 * Fields produced:
 * - System: EventID, Version, Level, Task, Opcode, Keywords, EventRecordID, Channel, Computer, Provider_Name,
 *   Provider_Guid, Provider_EventSourceName, ProcessID, ThreadID, UserID (Security/@UserID), ActivityID,
 *   TimeCreated (SystemTime text)
 * - EventData named <Data Name="X"> → X; unnamed <Data> elements → `Data` (list, in order) and `DataText`
 *   (the same values joined by a newline) so rules can match either way and keyword rules search them.
 * - UserData: the leaf elements of its child (e.g. LogFileCleared/SubjectUserName → SubjectUserName).
 */
import type { Doc, EventOrigin, FieldValue, VigieEvent } from '../event.js';
import { parseTime, setKey } from '../event.js';

const hasOwn = Object.prototype.hasOwnProperty;

function isObj(v: FieldValue | undefined): v is Doc {
  return v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v);
}

/** `{ "#attributes": {...}, "#text": x }` → x; other values unchanged. */
export function unwrapText(v: FieldValue | undefined): FieldValue | undefined {
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && hasOwn.call(v, '#text')) return v['#text'];
  return v;
}

function attr(v: FieldValue | undefined, name: string): FieldValue | undefined {
  if (!isObj(v)) return undefined;
  const a = v['#attributes'];
  return isObj(a) ? a[name] : undefined;
}

/** System children whose text is the field of the same name, in field order (the EVTX field walk uses it too). */
export const SYSTEM_FIELDS = ['Version', 'Level', 'Task', 'Opcode', 'Keywords', 'EventRecordID', 'Channel', 'Computer'] as const;

/**
 * System children whose attributes are fields, [element, attribute, field], in field order (after SYSTEM_FIELDS;
 * TimeCreated's SystemTime comes last, text only). The EVTX field walk uses it too.
 */
export const SYSTEM_ATTRIBUTES = [
  ['Provider', 'Name', 'Provider_Name'], ['Provider', 'Guid', 'Provider_Guid'], ['Provider', 'EventSourceName', 'Provider_EventSourceName'],
  ['Execution', 'ProcessID', 'ProcessID'], ['Execution', 'ThreadID', 'ThreadID'],
  ['Security', 'UserID', 'UserID'],
  ['Correlation', 'ActivityID', 'ActivityID'],
] as const;

/** Set a System field from its element's value when that is text (or a number, a list). */
function sysField(fields: Doc, k: (typeof SYSTEM_FIELDS)[number], raw: FieldValue | undefined): void {
  const v = unwrapText(raw);
  if (v !== undefined && v !== null && !isObj(v)) fields[k] = v;
}

/** Set a field from EventData/UserData (no closure per event: this runs for every Windows event). */
export function put(fields: Doc, k: string, v: FieldValue | undefined): void {
  if (v === undefined) return;
  // System fields win over EventData/UserData names that repeat them
  if ((k === 'EventID' || k === 'Channel' || k === 'Computer' || k === 'Provider_Name') && hasOwn.call(fields, k)) return;
  // attacker-chosen names: "__proto__" must stay a plain field, not change the object's prototype
  setKey(fields, k, v);
}

function flattenUserData(fields: Doc, o: Doc, depth: number): void {
  if (depth > 16) return;
  for (const k in o) {
    if (k === '#attributes' || !hasOwn.call(o, k)) continue;
    const u = unwrapText(o[k]);
    if (isObj(u)) flattenUserData(fields, u, depth + 1);
    else put(fields, k, u);
  }
}

/** Build a VigieEvent from an evtx_dump-shaped document. */
export function windowsEvent(doc: Doc, origin: EventOrigin): VigieEvent {
  const event = isObj(doc.Event) ? doc.Event : doc;
  const sys = isObj(event.System) ? event.System : {};
  const fields: Doc = {};

  const eid = unwrapText(sys.EventID);
  const eventId = typeof eid === 'number' ? eid : typeof eid === 'string' && /^\d+$/.test(eid) ? Number(eid) : undefined;
  if (eventId !== undefined) fields.EventID = eventId;
  const q = attr(sys.EventID, 'Qualifiers');
  if (q !== undefined && q !== null) fields.Qualifiers = q;
  // one named load per field (the same order as SYSTEM_FIELDS)
  sysField(fields, 'Version', sys.Version);
  sysField(fields, 'Level', sys.Level);
  sysField(fields, 'Task', sys.Task);
  sysField(fields, 'Opcode', sys.Opcode);
  sysField(fields, 'Keywords', sys.Keywords);
  sysField(fields, 'EventRecordID', sys.EventRecordID);
  sysField(fields, 'Channel', sys.Channel);
  sysField(fields, 'Computer', sys.Computer);
  for (const [holder, name, field] of SYSTEM_ATTRIBUTES) {
    const x = attr(sys[holder], name);
    if (x !== undefined && x !== null) fields[field] = x;
  }
  const tc = attr(sys.TimeCreated, 'SystemTime');
  if (typeof tc === 'string') fields.TimeCreated = tc;

  const ed = event.EventData;
  if (isObj(ed)) {
    // for…in: same keys in the same order as Object.entries (documents are plain objects), without the pairs
    for (const k in ed) {
      if (k === '#attributes' || !hasOwn.call(ed, k)) continue;
      const raw = ed[k];
      if (k === 'Data') {
        const v = unwrapText(raw);
        const list = (Array.isArray(v) ? v : [v]).map((x) => unwrapText(x as FieldValue) ?? null);
        fields.Data = list as FieldValue[];
        fields.DataText = list.filter((x) => x !== null).map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join('\n');
      } else {
        const v = unwrapText(raw);
        put(fields, k, v);
        // some providers name Data with spaces ("Source Name"); the Sigma taxonomy writes them without
        if (k.includes(' ')) put(fields, k.replace(/ /g, ''), v);
      }
    }
  } else if (typeof ed === 'string' || Array.isArray(ed)) {
    const list = Array.isArray(ed) ? ed : [ed];
    fields.Data = list;
    fields.DataText = list.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join('\n');
  }

  const ud = event.UserData;
  if (isObj(ud)) flattenUserData(fields, ud, 0);

  const channel = typeof fields.Channel === 'string' ? fields.Channel : undefined;
  return {
    origin,
    time: parseTime(typeof tc === 'string' ? tc : undefined),
    computer: typeof fields.Computer === 'string' ? fields.Computer : undefined,
    channel,
    provider: typeof fields.Provider_Name === 'string' ? fields.Provider_Name : undefined,
    eventId,
    logsource: { product: 'windows' },
    fields,
    doc,
  };
}
