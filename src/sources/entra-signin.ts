/**
 * Entra ID (Azure AD) sign-in log exports: Graph `signIns` JSON (array, JSON Lines, or `{"value": [...]}` pages),
 * Log Analytics `SigninLogs` JSON, and the portal CSV download. Properties keep their names (nested objects
 * flattened with dots); portal CSV columns are mapped to the Graph names; SigmaHQ names (ResultType,
 * ResultDescription, ClientApp, Username, Status) are added. See docs/mail-server-logs.md.
 */
import type { Doc, FieldValue, VigieEvent } from '../event.js';
import { parseTime, setKey } from '../event.js';
import type { InputFile, ReadContext, Source } from './types.js';
import { readLines } from './lines.js';
import { headLines, headText, readCsvRecords } from './csv.js';
import { flattenInto, jsonRecords } from './m365-audit.js';

/** Portal CSV column → Graph property name. */
const CSV_MAP: Record<string, string> = {
  'Date (UTC)': 'createdDateTime',
  Date: 'createdDateTime',
  'Request ID': 'id',
  'Correlation ID': 'correlationId',
  'User ID': 'userId',
  User: 'userDisplayName',
  Username: 'userPrincipalName',
  'User type': 'userType',
  Application: 'appDisplayName',
  'Application ID': 'appId',
  Resource: 'resourceDisplayName',
  'Resource ID': 'resourceId',
  'IP address': 'ipAddress',
  Location: 'location',
  'Sign-in error code': 'status.errorCode',
  'Failure reason': 'status.failureReason',
  'Client app': 'clientAppUsed',
  'Device ID': 'deviceDetail.deviceId',
  Browser: 'deviceDetail.browser',
  'Operating System': 'deviceDetail.operatingSystem',
  Compliant: 'deviceDetail.isCompliant',
  Managed: 'deviceDetail.isManaged',
  'Join Type': 'deviceDetail.trustType',
  'Multifactor authentication result': 'mfaDetail.authDetail',
  'Multifactor authentication auth method': 'mfaDetail.authMethod',
  'Multifactor authentication auth detail': 'mfaDetail.authDetail',
  'Authentication requirement': 'authenticationRequirement',
  'Conditional Access': 'conditionalAccessStatus',
  'User agent': 'userAgent',
  'Session ID': 'sessionId',
  'Autonomous system number': 'autonomousSystemNumber',
  'Cross tenant access type': 'crossTenantAccessType',
  'Incoming token type': 'incomingTokenType',
  'Authentication Protocol': 'authenticationProtocol',
  'Token issuer type': 'tokenIssuerType',
  'Flagged for review': 'flaggedForReview',
  'Sign-in identifier': 'signInIdentifier',
  'IP address (seen by resource)': 'ipAddressFromResourceProvider',
};

/** clientAppUsed values that are legacy (basic-auth) protocols. */
export const LEGACY_CLIENT_APPS = new Set(
  [
    'IMAP4', 'IMAP', 'POP3', 'POP', 'SMTP', 'Authenticated SMTP', 'Exchange ActiveSync', 'Exchange Web Services',
    'MAPI Over HTTP', 'Outlook Anywhere (RPC over HTTP)', 'Offline Address Book', 'AutoDiscover', 'Autodiscover',
    'Exchange Online PowerShell', 'Other clients', 'Universal Outlook', 'Reporting Web Services',
  ].map((x) => x.toLowerCase()),
);

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function pick(fields: Doc, names: string[]): FieldValue | undefined {
  for (const n of names) if (fields[n] !== undefined && fields[n] !== null && fields[n] !== '') return fields[n];
  const lower = new Map(Object.keys(fields).map((k) => [k.toLowerCase(), k]));
  for (const n of names) {
    const k = lower.get(n.toLowerCase());
    if (k !== undefined && fields[k] !== undefined && fields[k] !== null && fields[k] !== '') return fields[k];
  }
  return undefined;
}

/** Add the SigmaHQ / Log Analytics aliases and the legacy-protocol flag. */
export function signinEvent(fields: Doc, origin: VigieEvent['origin'], doc?: Doc): VigieEvent {
  const code = pick(fields, ['status.errorCode', 'ResultType', 'Status.ErrorCode']);
  if (code !== undefined && fields.ResultType === undefined) fields.ResultType = String(code);
  const reason = pick(fields, ['status.failureReason', 'ResultDescription', 'Status.FailureReason']);
  if (reason !== undefined && fields.ResultDescription === undefined) fields.ResultDescription = reason;
  if (fields.Status === undefined && code !== undefined) fields.Status = String(code) === '0' ? 'Success' : 'Failure';
  const app = pick(fields, ['clientAppUsed', 'ClientAppUsed']);
  if (app !== undefined && fields.ClientApp === undefined) fields.ClientApp = app;
  const upn = pick(fields, ['userPrincipalName', 'UserPrincipalName']);
  if (upn !== undefined && fields.Username === undefined) fields.Username = upn;
  if (typeof app === 'string') fields.legacyProtocol = LEGACY_CLIENT_APPS.has(app.trim().toLowerCase());
  const t = pick(fields, ['createdDateTime', 'TimeGenerated', 'CreatedDateTime']);
  let time = typeof t === 'string' ? parseTime(t) : undefined;
  if (time === undefined && typeof t === 'string' && Number.isFinite(Date.parse(`${t} UTC`))) time = Date.parse(`${t} UTC`);
  return {
    origin,
    time,
    channel: 'Entra SignInLogs',
    provider: 'Entra ID',
    logsource: { product: 'azure', service: 'signinlogs' },
    fields,
    doc,
  };
}

function csvHeaderIsSignin(cells: string[]): boolean {
  const s = new Set(cells.map((c) => c.trim()));
  return (s.has('Date (UTC)') || s.has('Date')) && s.has('Request ID') && (s.has('Username') || s.has('User ID'));
}

export function detectEntra(input: InputFile): number {
  const lines = headLines(input, 3);
  const first = lines.find((l) => l.trim() !== '') ?? '';
  const t = first.trimStart();
  if (!t.startsWith('{') && !t.startsWith('[')) {
    return csvHeaderIsSignin(first.split(',').map((c) => c.replace(/^"|"$/g, ''))) ? 85 : 0;
  }
  const head = headText(input, 16384);
  const lower = head.toLowerCase();
  if (lower.includes('"createddatetime"') && lower.includes('"userprincipalname"') && (lower.includes('"appdisplayname"') || lower.includes('"clientappused"'))) return 85;
  if (head.includes('"ResultType"') && head.includes('"UserPrincipalName"') && head.includes('"AppDisplayName"')) return 80;
  return 0;
}

export const source: Source = {
  name: 'entra-signin',
  description: 'Entra ID sign-in log exports (JSON, CSV)',
  detect: detectEntra,
  read: async function* (input: InputFile, ctx: ReadContext, open: () => NodeJS.ReadableStream): AsyncGenerator<VigieEvent> {
    const file = input.path;
    const first = headLines(input, 3).find((l) => l.trim() !== '') ?? '';
    const t = first.trimStart();
    if (t.startsWith('{') || t.startsWith('[')) {
      for await (const rec of jsonRecords(open(), ctx, file)) {
        if (!isObj(rec.value)) {
          ctx.error({ file, offset: rec.offset, line: rec.line, message: 'JSON record is not an object: skipped' });
          continue;
        }
        const fields: Doc = {};
        flattenInto(fields, rec.value);
        yield signinEvent(fields, { file, format: 'entra-signin', offset: rec.offset, record: rec.line }, rec.value as Doc);
      }
      return;
    }
    let header: string[] | undefined;
    for await (const r of readCsvRecords(readLines(open(), ctx, file), ctx, file)) {
      if (!header) {
        if (csvHeaderIsSignin(r.cells)) header = r.cells.map((c) => c.trim());
        else ctx.error({ file, offset: r.offset, line: r.line, message: 'line before the sign-in CSV header skipped' });
        continue;
      }
      if (r.cells.length === 1 && r.cells[0].trim() === '') continue;
      if (r.cells.length !== header.length) {
        ctx.error({ file, offset: r.offset, line: r.line, message: `sign-in CSV record has ${r.cells.length} values for ${header.length} columns: skipped` });
        continue;
      }
      const fields: Doc = {};
      header.forEach((h, i) => {
        const v = r.cells[i];
        if (v === '') return;
        setKey(fields, Object.prototype.hasOwnProperty.call(CSV_MAP, h) ? CSV_MAP[h] : h, v);
      });
      yield signinEvent(fields, { file, format: 'entra-signin', offset: r.offset, record: r.line });
    }
  },
};
