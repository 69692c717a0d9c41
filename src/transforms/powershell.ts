/**
 * A bounded, hand-written PowerShell scanner: finds the cmdlets a script or command line runs and their
 * parameters. Understands quoting ('…' with '', "…" with `" and "", smart quotes, here-strings), backtick
 * escapes and line continuations, script blocks with nested braces (`-ContentFilter {…}`), `(…)`, `$(…)`,
 * `@(…)`, `-Param:value`, comma arrays, pipelines, statements, comments, simple variables and hashtable splats
 * assigned in the same text (`$p = @{…}; New-MailboxExportRequest @p`). Each character is visited a bounded
 * number of times: no regex, no backtracking, input length capped.
 */
import type { FieldValue } from '../event.js';

export const MAX_SCRIPT_CHARS = 256 * 1024;
const MAX_TOKENS = 100_000;
const MAX_COMMANDS = 2000;
/** script blocks inside script blocks searched for commands, at most this deep */
const MAX_NESTING = 8;

export type TokKind = 'word' | 'param' | 'string' | 'block' | 'group' | 'hash' | 'var' | 'splat' | 'pipe' | 'end' | 'assign' | 'comma' | 'op';

export interface Token {
  kind: TokKind;
  /** decoded value: string content, word text, block inner text, parameter name (without '-'), variable name */
  value: string;
  /** for `param`: true when written `-Name:` (the next token is its value) */
  colon?: boolean;
  /** true when the token touches the previous one (no whitespace between) */
  glued?: boolean;
  start: number;
  end: number;
}

const SQ = new Set(["'", '\u2018', '\u2019', '\u201a', '\u201b']);
const DQ = new Set(['"', '\u201c', '\u201d', '\u201e']);
const DASH = new Set(['-', '\u2013', '\u2014', '\u2015']);
const WORD_STOP = new Set([' ', '\t', '\r', '\n', '|', ';', '(', ')', '{', '}', ',', '=', '\f', '\v', '\u00a0']);

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v' || c === '\u00a0';
}
function isLetter(c: string | undefined): boolean {
  if (!c) return false;
  const x = c.charCodeAt(0);
  return (x >= 65 && x <= 90) || (x >= 97 && x <= 122) || x === 95 || x > 127;
}

/** Index just past the matching close of a group opened at `i` (text[i] is the opener). Strings/comments skipped. */
export function scanBalanced(text: string, i: number): number {
  const n = text.length;
  let depth = 0;
  let j = i;
  while (j < n) {
    const c = text[j];
    if (c === '{' || c === '(') depth++;
    else if (c === '}' || c === ')') {
      depth--;
      if (depth === 0) return j + 1;
    } else if (SQ.has(c)) {
      j++;
      while (j < n && !SQ.has(text[j])) j++;
    } else if (DQ.has(c)) {
      j++;
      while (j < n && !DQ.has(text[j])) {
        if (text[j] === '`') j++;
        j++;
      }
    } else if (c === '`') j++;
    else if (c === '#' && j > 0 && text[j - 1] === '<') {
      const e = text.indexOf('#>', j + 1);
      j = e < 0 ? n : e + 1;
    } else if (c === '#' && (j === 0 || isSpace(text[j - 1]) || text[j - 1] === '\n' || text[j - 1] === ';')) {
      const e = text.indexOf('\n', j);
      j = e < 0 ? n : e - 1;
    }
    j++;
  }
  return n; // unclosed: runs to the end
}

function escapeChar(c: string): string {
  switch (c) {
    case 'n': return '\n';
    case 't': return '\t';
    case 'r': return '\r';
    case '0': return '\0';
    case 'a': return '\x07';
    case 'b': return '\b';
    case 'e': return '\x1b';
    case 'f': return '\f';
    case 'v': return '\v';
    default: return c;
  }
}

/** Tokenize PowerShell text (capped at MAX_SCRIPT_CHARS). */
export function tokenize(input: string): Token[] {
  const text = input.length > MAX_SCRIPT_CHARS ? input.slice(0, MAX_SCRIPT_CHARS) : input;
  const n = text.length;
  const toks: Token[] = [];
  let i = 0;
  let lastEnd = -1;
  const push = (t: Token) => {
    t.glued = t.start === lastEnd;
    lastEnd = t.end;
    toks.push(t);
  };
  while (i < n && toks.length < MAX_TOKENS) {
    const c = text[i];
    if (isSpace(c)) { i++; continue; }
    if (c === '`' && (text[i + 1] === '\n' || (text[i + 1] === '\r' && text[i + 2] === '\n'))) {
      i += text[i + 1] === '\n' ? 2 : 3; // line continuation
      continue;
    }
    const start = i;
    if (c === '\n' || c === ';') { push({ kind: 'end', value: c, start, end: ++i }); continue; }
    if (c === '|') {
      if (text[i + 1] === '|') { push({ kind: 'end', value: '||', start, end: (i += 2) }); continue; }
      push({ kind: 'pipe', value: '|', start, end: ++i });
      continue;
    }
    if (c === '&' && text[i + 1] === '&') { push({ kind: 'end', value: '&&', start, end: (i += 2) }); continue; }
    if (c === ',') { push({ kind: 'comma', value: ',', start, end: ++i }); continue; }
    if (c === '=') { push({ kind: 'assign', value: '=', start, end: ++i }); continue; }
    if (c === '#') {
      const e = text.indexOf('\n', i);
      i = e < 0 ? n : e;
      continue;
    }
    if (c === '<' && text[i + 1] === '#') {
      const e = text.indexOf('#>', i + 2);
      i = e < 0 ? n : e + 2;
      continue;
    }
    if (c === '{') {
      const e = scanBalanced(text, i);
      const inner = text.slice(i + 1, text[e - 1] === '}' ? e - 1 : e);
      push({ kind: 'block', value: inner.trim(), start, end: (i = e) });
      continue;
    }
    if (c === '(' || ((c === '$' || c === '@') && text[i + 1] === '(')) {
      const o = c === '(' ? i : i + 1;
      const e = scanBalanced(text, o);
      const inner = text.slice(o + 1, text[e - 1] === ')' ? e - 1 : e);
      push({ kind: 'group', value: inner.trim(), start, end: (i = e) });
      continue;
    }
    if (c === '@' && text[i + 1] === '{') {
      const e = scanBalanced(text, i + 1);
      const inner = text.slice(i + 2, text[e - 1] === '}' ? e - 1 : e);
      push({ kind: 'hash', value: inner, start, end: (i = e) });
      continue;
    }
    if (c === '@' && (SQ.has(text[i + 1]) || DQ.has(text[i + 1])) && (text[i + 2] === '\n' || text[i + 2] === '\r')) {
      // here-string: ends at a line starting with the quote and @
      const q = text[i + 1];
      let j = text.indexOf('\n', i);
      const bodyStart = j + 1;
      let bodyEnd = n;
      let end = n;
      while (j >= 0 && j < n) {
        const k = j + 1;
        if (text[k] === q && text[k + 1] === '@') { bodyEnd = j; end = k + 2; break; }
        j = text.indexOf('\n', k);
      }
      let body = text.slice(bodyStart, bodyEnd);
      if (body.endsWith('\r')) body = body.slice(0, -1);
      push({ kind: 'string', value: body, start, end: (i = end) });
      continue;
    }
    if (c === '@' && isLetter(text[i + 1])) {
      let j = i + 1;
      while (j < n && (isLetter(text[j]) || /[0-9]/.test(text[j]) || text[j] === ':')) j++;
      push({ kind: 'splat', value: text.slice(i + 1, j), start, end: (i = j) });
      continue;
    }
    if (SQ.has(c)) {
      let j = i + 1;
      let v = '';
      for (;;) {
        if (j >= n) break;
        const d = text[j];
        if (SQ.has(d)) {
          if (SQ.has(text[j + 1])) { v += "'"; j += 2; continue; }
          j++;
          break;
        }
        v += d;
        j++;
      }
      push({ kind: 'string', value: v, start, end: (i = j) });
      continue;
    }
    if (DQ.has(c)) {
      let j = i + 1;
      let v = '';
      for (;;) {
        if (j >= n) break;
        const d = text[j];
        if (d === '`' && j + 1 < n) { v += escapeChar(text[j + 1]); j += 2; continue; }
        if (DQ.has(d)) {
          if (DQ.has(text[j + 1])) { v += '"'; j += 2; continue; }
          j++;
          break;
        }
        if (d === '$' && text[j + 1] === '(') {
          const e = scanBalanced(text, j + 1);
          v += text.slice(j, e);
          j = e;
          continue;
        }
        v += d;
        j++;
      }
      push({ kind: 'string', value: v, start, end: (i = j) });
      continue;
    }
    if (c === '$') {
      let j = i + 1;
      if (text[j] === '{') {
        const e = text.indexOf('}', j);
        const end = e < 0 ? n : e + 1;
        push({ kind: 'var', value: text.slice(j + 1, e < 0 ? n : e), start, end: (i = end) });
        continue;
      }
      while (j < n && (isLetter(text[j]) || /[0-9:]/.test(text[j]))) j++;
      if (j === i + 1) { push({ kind: 'word', value: '$', start, end: (i = j) }); continue; }
      push({ kind: 'var', value: text.slice(i + 1, j), start, end: (i = j) });
      continue;
    }
    if (DASH.has(c) && isLetter(text[i + 1])) {
      // -Param, -Param:value
      let j = i + 1;
      while (j < n && !WORD_STOP.has(text[j]) && text[j] !== ':' && !SQ.has(text[j]) && !DQ.has(text[j])) j++;
      const name = text.slice(i + 1, j);
      const colon = text[j] === ':';
      if (colon) j++;
      push({ kind: 'param', value: name, colon, start, end: (i = j) });
      continue;
    }
    // bare word (quotes inside a word join it; backtick escapes the next character)
    let j = i;
    let v = '';
    while (j < n) {
      const d = text[j];
      if (WORD_STOP.has(d)) break;
      if (d === '`' && j + 1 < n) {
        if (text[j + 1] === '\n' || text[j + 1] === '\r') break;
        v += text[j + 1];
        j += 2;
        continue;
      }
      if (SQ.has(d) || DQ.has(d)) {
        const isS = SQ.has(d);
        j++;
        while (j < n && !(isS ? SQ.has(text[j]) : DQ.has(text[j]))) { v += text[j]; j++; }
        j++;
        continue;
      }
      v += d;
      j++;
    }
    if (j === i) { push({ kind: 'op', value: c, start, end: ++i }); continue; }
    push({ kind: 'word', value: v, start, end: (i = j) });
  }
  return toks;
}

/** One cmdlet invocation found in a text. */
export interface CmdletCall {
  /** canonical name when known, else as written */
  name: string;
  /** canonical parameter name → value (string, true for switches, list for arrays) */
  params: Record<string, FieldValue>;
  /** positional arguments not bound to a parameter name */
  args: string[];
  /** the parameter text as written (from after the cmdlet name to the end of the command) */
  rawParams: string;
}

const COMMON = ['Verbose', 'Debug', 'ErrorAction', 'WarningAction', 'InformationAction', 'ErrorVariable', 'WarningVariable', 'InformationVariable', 'OutVariable', 'OutBuffer', 'PipelineVariable', 'WhatIf', 'Confirm'];
/** Aliases of the common parameters (PowerShell's own). Note `-cf` is Confirm, not ContentFilter. */
const COMMON_ALIASES: Record<string, string> = {
  vb: 'Verbose', db: 'Debug', ea: 'ErrorAction', wa: 'WarningAction', infa: 'InformationAction', ev: 'ErrorVariable',
  wv: 'WarningVariable', iv: 'InformationVariable', ov: 'OutVariable', ob: 'OutBuffer', pv: 'PipelineVariable',
  wi: 'WhatIf', cf: 'Confirm',
};

interface CmdletSpec {
  params: string[];
  /** parameter bound by the first positional argument */
  positional?: string[];
  aliases?: Record<string, string>;
}

const MAILBOX_REQ = ['Mailbox', 'FilePath', 'ContentFilter', 'ContentFilterLanguage', 'Name', 'IncludeFolders', 'ExcludeFolders', 'ExcludeDumpster', 'SourceRootFolder', 'TargetRootFolder', 'BadItemLimit', 'LargeItemLimit', 'AcceptLargeDataLoss', 'AssociatedMessagesCopyOption', 'BatchName', 'CompletedRequestAgeLimit', 'ConflictResolutionOption', 'DomainController', 'InternalFlags', 'IsArchive', 'MRSServer', 'Priority', 'RemoteCredential', 'RemoteHostName', 'SkipMerging', 'Suspend', 'SuspendComment', 'WorkloadType', 'SkipInitialConnectionValidation'];

/** Exchange / Purview cmdlets whose parameters are resolved (aliases, unambiguous prefixes, positional). */
export const CMDLETS: Record<string, CmdletSpec> = {
  'New-MailboxExportRequest': { params: MAILBOX_REQ, positional: [] },
  'New-MailboxImportRequest': { params: MAILBOX_REQ, positional: [] },
  'Set-MailboxExportRequest': { params: ['Identity', 'BadItemLimit', 'LargeItemLimit', 'AcceptLargeDataLoss', 'Priority', 'RemoteCredential', 'RemoteHostName', 'SkipMerging', 'CompletedRequestAgeLimit', 'DomainController', 'RehomeRequest', 'BatchName'], positional: ['Identity'] },
  'Get-MailboxExportRequest': { params: ['Identity', 'Mailbox', 'Name', 'Status', 'BatchName', 'Suspend', 'HighPriority', 'Database', 'DomainController', 'ResultSize'], positional: ['Identity'] },
  'Remove-MailboxExportRequest': { params: ['Identity', 'RequestGuid', 'RequestQueue', 'Force', 'DomainController'], positional: ['Identity'] },
  'Search-Mailbox': { params: ['Identity', 'SearchQuery', 'TargetMailbox', 'TargetFolder', 'DeleteContent', 'EstimateResultOnly', 'LogOnly', 'LogLevel', 'SearchDumpster', 'SearchDumpsterOnly', 'IncludeUnsearchableItems', 'DoNotIncludeArchive', 'Force', 'DomainController'], positional: ['Identity'] },
  'New-MailboxSearch': { params: ['Name', 'SearchQuery', 'SourceMailboxes', 'AllSourceMailboxes', 'AllPublicFolderSources', 'PublicFolderSources', 'TargetMailbox', 'StartDate', 'EndDate', 'Senders', 'Recipients', 'MessageTypes', 'EstimateOnly', 'ExcludeDuplicateMessages', 'IncludeUnsearchableItems', 'IncludeKeywordStatistics', 'InPlaceHoldEnabled', 'ItemHoldPeriod', 'LogLevel', 'StatusMailRecipients', 'Language', 'Description', 'DoNotIncludeArchive', 'Force', 'DomainController'], positional: ['Name'] },
  'Set-MailboxSearch': { params: ['Identity', 'Name', 'SearchQuery', 'SourceMailboxes', 'AllSourceMailboxes', 'AllPublicFolderSources', 'PublicFolderSources', 'TargetMailbox', 'StartDate', 'EndDate', 'Senders', 'Recipients', 'MessageTypes', 'EstimateOnly', 'ExcludeDuplicateMessages', 'IncludeUnsearchableItems', 'IncludeKeywordStatistics', 'InPlaceHoldEnabled', 'ItemHoldPeriod', 'LogLevel', 'StatusMailRecipients', 'Language', 'Description', 'DoNotIncludeArchive', 'Force', 'DomainController'], positional: ['Identity'] },
  'Start-MailboxSearch': { params: ['Identity', 'Resume', 'Force', 'StatisticsStartIndex', 'DomainController'], positional: ['Identity'] },
  'New-ComplianceSearch': { params: ['Name', 'ContentMatchQuery', 'ExchangeLocation', 'ExchangeLocationExclusion', 'SharePointLocation', 'SharePointLocationExclusion', 'PublicFolderLocation', 'Description', 'AllowNotFoundExchangeLocationsEnabled', 'Case', 'HoldNames', 'IncludeUserAppContent', 'IncludeOrgContent', 'Language', 'Force'], positional: ['Name'] },
  'Set-ComplianceSearch': { params: ['Identity', 'ContentMatchQuery', 'ExchangeLocation', 'AddExchangeLocation', 'RemoveExchangeLocation', 'ExchangeLocationExclusion', 'SharePointLocation', 'AddSharePointLocation', 'PublicFolderLocation', 'Description', 'Name', 'HoldNames', 'Language', 'Force'], positional: ['Identity'] },
  'Start-ComplianceSearch': { params: ['Identity', 'Force', 'RetryOnError'], positional: ['Identity'] },
  'New-ComplianceSearchAction': { params: ['SearchName', 'Export', 'Preview', 'Purge', 'PurgeType', 'Format', 'Scope', 'ActionName', 'ArchiveFormat', 'EnableDedupe', 'ExchangeArchiveFormat', 'FileTypeExclusionsForUnindexedItems', 'IncludeCredential', 'IncludeSharePointDocumentVersions', 'JobOptions', 'NotifyEmail', 'NotifyEmailCC', 'ReferenceActionName', 'Region', 'Report', 'RetentionReport', 'RetryOnError', 'SharePointArchiveFormat', 'ShareRootPath', 'Force'], positional: ['SearchName'] },
  'Add-MailboxPermission': { params: ['Identity', 'User', 'AccessRights', 'InheritanceType', 'AutoMapping', 'Deny', 'Owner', 'GroupMailbox', 'IgnoreDefaultScope', 'DomainController'], positional: ['Identity'] },
  'Add-MailboxFolderPermission': { params: ['Identity', 'User', 'AccessRights', 'SharingPermissionFlags', 'SendNotificationToUser', 'DomainController'], positional: ['Identity'] },
  'Add-ADPermission': { params: ['Identity', 'User', 'AccessRights', 'ExtendedRights', 'Properties', 'ChildObjectTypes', 'InheritedObjectType', 'InheritanceType', 'Deny', 'Owner', 'Instance', 'DomainController'], positional: ['Identity'] },
  'Add-RecipientPermission': { params: ['Identity', 'Trustee', 'AccessRights', 'Deny', 'Force', 'MultiTrustees', 'SkipDomainValidationForMailContact', 'SkipDomainValidationForMailUser', 'SkipDomainValidationForSharedMailbox'], positional: ['Identity'] },
  'New-ManagementRoleAssignment': { params: ['Name', 'Role', 'User', 'SecurityGroup', 'Policy', 'App', 'Computer', 'CustomRecipientWriteScope', 'CustomConfigWriteScope', 'CustomResourceScope', 'RecipientOrganizationalUnitScope', 'RecipientRelativeWriteScope', 'RecipientAdministrativeUnitScope', 'RecipientGroupScope', 'ExclusiveRecipientWriteScope', 'ExclusiveConfigWriteScope', 'Delegating', 'Force', 'DomainController'], positional: ['Name'] },
  'Add-RoleGroupMember': { params: ['Identity', 'Member', 'BypassSecurityGroupManagerCheck', 'DomainController'], positional: ['Identity'] },
  'Set-Mailbox': { params: ['Identity', 'ForwardingSmtpAddress', 'ForwardingAddress', 'DeliverToMailboxAndForward', 'AuditEnabled', 'AuditOwner', 'AuditDelegate', 'AuditAdmin', 'AuditLogAgeLimit', 'GrantSendOnBehalfTo', 'HiddenFromAddressListsEnabled', 'EmailAddresses', 'PrimarySmtpAddress', 'Type', 'LitigationHoldEnabled', 'RetentionHoldEnabled', 'SingleItemRecoveryEnabled', 'DomainController'], positional: ['Identity'] },
  'Set-MailboxAuditBypassAssociation': { params: ['Identity', 'AuditBypassEnabled', 'DomainController'], positional: ['Identity'] },
  'Set-AdminAuditLogConfig': { params: ['AdminAuditLogEnabled', 'AdminAuditLogCmdlets', 'AdminAuditLogExcludedCmdlets', 'AdminAuditLogParameters', 'AdminAuditLogAgeLimit', 'LogLevel', 'UnifiedAuditLogIngestionEnabled', 'TestCmdletLoggingEnabled', 'Force', 'DomainController'], positional: [] },
  'New-InboxRule': { params: ['Name', 'Mailbox', 'ForwardTo', 'ForwardAsAttachmentTo', 'RedirectTo', 'DeleteMessage', 'MoveToFolder', 'CopyToFolder', 'SubjectContainsWords', 'BodyContainsWords', 'SubjectOrBodyContainsWords', 'From', 'FromAddressContainsWords', 'HeaderContainsWords', 'MarkAsRead', 'StopProcessingRules', 'Enabled', 'Priority', 'SentTo', 'SendTextMessageNotificationTo', 'AlwaysDeleteOutlookRulesBlob', 'Force', 'DomainController'], positional: ['Name'] },
  'Set-InboxRule': { params: ['Identity', 'Name', 'Mailbox', 'ForwardTo', 'ForwardAsAttachmentTo', 'RedirectTo', 'DeleteMessage', 'MoveToFolder', 'CopyToFolder', 'SubjectContainsWords', 'BodyContainsWords', 'SubjectOrBodyContainsWords', 'From', 'FromAddressContainsWords', 'HeaderContainsWords', 'MarkAsRead', 'StopProcessingRules', 'Enabled', 'Priority', 'SentTo', 'Force', 'DomainController'], positional: ['Identity'] },
  'New-TransportRule': { params: ['Name', 'BlindCopyTo', 'RedirectMessageTo', 'AddToRecipients', 'CopyTo', 'SentTo', 'SentToScope', 'From', 'FromScope', 'SubjectContainsWords', 'SubjectOrBodyContainsWords', 'AttachmentNameMatchesPatterns', 'DeleteMessage', 'Enabled', 'Priority', 'Mode', 'SetSCL', 'Comments'], positional: ['Name'] },
  'Set-TransportRule': { params: ['Identity', 'BlindCopyTo', 'RedirectMessageTo', 'AddToRecipients', 'CopyTo', 'SentTo', 'SentToScope', 'From', 'FromScope', 'SubjectContainsWords', 'SubjectOrBodyContainsWords', 'DeleteMessage', 'Enabled', 'Priority', 'Mode', 'Name', 'Comments'], positional: ['Identity'] },
  'Install-TransportAgent': { params: ['Name', 'TransportAgentFactory', 'AssemblyPath', 'TransportService', 'DomainController'], positional: ['Name'] },
  'Enable-TransportAgent': { params: ['Identity', 'TransportService', 'DomainController'], positional: ['Identity'] },
  'Set-OabVirtualDirectory': { params: ['Identity', 'ExternalUrl', 'InternalUrl', 'RequireSSL', 'BasicAuthentication', 'WindowsAuthentication', 'OAuthAuthentication', 'PollInterval', 'DomainController'], positional: ['Identity'] },
  'Set-OwaVirtualDirectory': { params: ['Identity', 'ExternalUrl', 'InternalUrl', 'FormsAuthentication', 'BasicAuthentication', 'WindowsAuthentication', 'DomainController'], positional: ['Identity'] },
  'Set-EcpVirtualDirectory': { params: ['Identity', 'ExternalUrl', 'InternalUrl', 'FormsAuthentication', 'BasicAuthentication', 'WindowsAuthentication', 'AdminEnabled', 'DomainController'], positional: ['Identity'] },
  'Get-Mailbox': { params: ['Identity', 'Anr', 'Filter', 'ResultSize', 'Database', 'Server', 'OrganizationalUnit', 'RecipientTypeDetails', 'Arbitration', 'Archive', 'PublicFolder', 'SortBy', 'ReadFromDomainController', 'IgnoreDefaultScope', 'DomainController'], positional: ['Identity'] },
  'Get-MessageTrackingLog': { params: ['Server', 'Start', 'End', 'Sender', 'Recipients', 'MessageId', 'MessageSubject', 'EventId', 'InternalMessageId', 'NetworkMessageId', 'Reference', 'ResultSize', 'DomainController'], positional: [] },
  'Add-PSSnapin': { params: ['Name', 'PassThru'], positional: ['Name'] },
  'Import-Module': { params: ['Name', 'FullyQualifiedName', 'Assembly', 'ModuleInfo', 'Prefix', 'Function', 'Cmdlet', 'Variable', 'Alias', 'Force', 'PassThru', 'AsCustomObject', 'MinimumVersion', 'MaximumVersion', 'RequiredVersion', 'ArgumentList', 'DisableNameChecking', 'NoClobber', 'Global', 'Scope', 'PSSession', 'CimSession', 'SkipEditionCheck', 'UseWindowsPowerShell'], positional: ['Name'] },
  'New-PSSession': { params: ['ComputerName', 'ConnectionUri', 'ConfigurationName', 'Credential', 'Authentication', 'Name', 'Port', 'UseSSL', 'AllowRedirection', 'SessionOption', 'ApplicationName', 'CertificateThumbprint', 'EnableNetworkAccess', 'ThrottleLimit', 'VMName', 'ContainerId', 'HostName', 'UserName'], positional: ['ComputerName'] },
  'Invoke-Expression': { params: ['Command'], positional: ['Command'] },
  'Remove-Item': { params: ['Path', 'LiteralPath', 'Filter', 'Include', 'Exclude', 'Recurse', 'Force', 'Credential', 'Stream'], positional: ['Path'] },
};

/** Cmdlet aliases PowerShell ships (the ones attackers type). */
const CMDLET_ALIASES: Record<string, string> = {
  asnp: 'Add-PSSnapin', ipmo: 'Import-Module', iex: 'Invoke-Expression', icm: 'Invoke-Command', iwr: 'Invoke-WebRequest',
  irm: 'Invoke-RestMethod', saps: 'Start-Process', start: 'Start-Process', nsn: 'New-PSSession', etsn: 'Enter-PSSession',
  ri: 'Remove-Item', rm: 'Remove-Item', del: 'Remove-Item', erase: 'Remove-Item', rd: 'Remove-Item', rmdir: 'Remove-Item',
};

/** Own-property lookup: names come from hostile data ("constructor", "__proto__" must not reach Object.prototype). */
function own<T>(table: Record<string, T> | undefined, key: string): T | undefined {
  return table !== undefined && Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}

const CANON_CMDLET = new Map<string, string>();
for (const k of Object.keys(CMDLETS)) CANON_CMDLET.set(k.toLowerCase(), k);
/** every parameter name known for any listed cmdlet: canonical casing for other cmdlets' parameters */
const KNOWN_PARAMS = new Map<string, string>();
for (const spec of Object.values(CMDLETS)) for (const p of spec.params) KNOWN_PARAMS.set(p.toLowerCase(), p);
for (const p of COMMON) KNOWN_PARAMS.set(p.toLowerCase(), p);

/** Canonical cmdlet name for a word, or undefined when the word is not cmdlet-shaped (Verb-Noun) or an alias. */
export function canonicalCmdlet(word: string): string | undefined {
  let w = word;
  // module-qualified (Microsoft.Exchange.Management.PowerShell.E2010\Get-Mailbox) or path-like
  const bs = w.lastIndexOf('\\');
  if (bs >= 0) w = w.slice(bs + 1);
  const lw = w.toLowerCase();
  const a = own(CMDLET_ALIASES, lw);
  if (a) return a;
  const c = CANON_CMDLET.get(lw);
  if (c) return c;
  // Verb-Noun: letters, one dash, letters/digits
  const dash = w.indexOf('-');
  if (dash <= 0 || dash === w.length - 1 || w.length > 80) return undefined;
  for (let i = 0; i < w.length; i++) {
    const ch = w.charCodeAt(i);
    const ok = (ch >= 65 && ch <= 90) || (ch >= 97 && ch <= 122) || (i > dash && ch >= 48 && ch <= 57) || (i === dash);
    if (!ok) return undefined;
  }
  if (w.indexOf('-', dash + 1) >= 0) return undefined;
  return w;
}

/** Resolve a parameter name as written to its canonical name for a cmdlet (exact, alias, unambiguous prefix). */
export function canonicalParam(cmdlet: string, written: string): string {
  const lw = written.toLowerCase();
  const spec = own(CMDLETS, cmdlet);
  const all = spec ? [...spec.params, ...COMMON] : COMMON;
  for (const p of all) if (p.toLowerCase() === lw) return p;
  const alias = own(spec?.aliases, lw) ?? own(COMMON_ALIASES, lw);
  if (alias) return alias;
  if (spec) {
    const m = all.filter((p) => p.toLowerCase().startsWith(lw));
    if (m.length === 1) return m[0];
    return written;
  }
  return KNOWN_PARAMS.get(lw) ?? written;
}

function tokValue(t: Token, vars: Map<string, Token>): string {
  if (t.kind === 'var') {
    const v = vars.get(t.value.toLowerCase());
    if (v && v.kind !== 'hash') return v.value;
    if (/^true$/i.test(t.value)) return 'True';
    if (/^false$/i.test(t.value)) return 'False';
    if (/^null$/i.test(t.value)) return '';
    return `$${t.value}`;
  }
  return t.value;
}

const VALUE_KINDS = new Set<TokKind>(['word', 'string', 'block', 'group', 'hash', 'var']);

/** Entries of a hashtable literal body (`Key = value; Key2 = 'x'`), values decoded. */
export function parseHashtable(body: string, vars: Map<string, Token> = new Map()): Array<[string, FieldValue]> {
  const toks = tokenize(body);
  const out: Array<[string, FieldValue]> = [];
  let i = 0;
  while (i < toks.length && out.length < 1000) {
    const k = toks[i];
    if ((k.kind === 'word' || k.kind === 'string') && toks[i + 1]?.kind === 'assign') {
      let j = i + 2;
      const vals: string[] = [];
      while (j < toks.length && VALUE_KINDS.has(toks[j].kind)) {
        vals.push(tokValue(toks[j], vars));
        j++;
        if (toks[j]?.kind === 'comma') j++;
        else break;
      }
      out.push([k.value, vals.length === 1 ? vals[0] : vals.length === 0 ? '' : vals]);
      i = j;
    } else i++;
  }
  return out;
}

/**
 * Find every cmdlet invocation in PowerShell text. `knownCmdlet` (optional) treats the text as the parameters
 * of that cmdlet (Exchange logs store the cmdlet and its parameter text separately).
 */
/** Most values kept for one parameter given many times. */
const MAX_REPEATED_VALUES = 1000;

export function findCmdlets(text: string, knownCmdlet?: string, depth = 0): CmdletCall[] {
  const src = text;
  const toks = tokenize(src);
  const vars = new Map<string, Token>();
  const calls: CmdletCall[] = [];
  let i = 0;
  let atCommandStart = true;
  if (knownCmdlet !== undefined) {
    const name = canonicalCmdlet(knownCmdlet) ?? knownCmdlet;
    const call = bindArgs(name, toks, 0, toks.length, vars, src);
    return [call];
  }
  while (i < toks.length && calls.length < MAX_COMMANDS) {
    const t = toks[i];
    if (t.kind === 'end' || t.kind === 'pipe') { atCommandStart = true; i++; continue; }
    // assignment: $x = value
    if (t.kind === 'var' && toks[i + 1]?.kind === 'assign') {
      const v = toks[i + 2];
      if (v && (v.kind === 'hash' || v.kind === 'string' || v.kind === 'word')) vars.set(t.value.toLowerCase(), v);
      i += 2;
      atCommandStart = true; // the right-hand side can be a command
      continue;
    }
    if (t.kind === 'block' || t.kind === 'group') {
      // script blocks and sub-expressions run commands too
      if (t.value.length > 0 && depth < MAX_NESTING) for (const c of findCmdlets(t.value, undefined, depth + 1)) if (calls.length < MAX_COMMANDS) calls.push(c);
      i++;
      continue;
    }
    if (atCommandStart && (t.kind === 'op') && (t.value === '&' || t.value === '.')) { i++; continue; }
    if (atCommandStart && (t.kind === 'word' || (t.kind === 'string' && toks[i - 1]?.kind === 'op'))) {
      const name = canonicalCmdlet(t.value);
      atCommandStart = false;
      if (name) {
        let j = i + 1;
        while (j < toks.length && toks[j].kind !== 'end' && toks[j].kind !== 'pipe') j++;
        calls.push(bindArgs(name, toks, i + 1, j, vars, src));
        // nested blocks in the arguments (ForEach-Object { New-MailboxExportRequest … }, Invoke-Command -ScriptBlock {…})
        for (let k = i + 1; k < j; k++) {
          const a = toks[k];
          if ((a.kind === 'block' || a.kind === 'group') && a.value.length > 0 && depth < MAX_NESTING) {
            for (const c of findCmdlets(a.value, undefined, depth + 1)) if (calls.length < MAX_COMMANDS) calls.push(c);
          }
        }
        i = j;
        continue;
      }
    }
    atCommandStart = false;
    i++;
  }
  return calls;
}

function bindArgs(name: string, toks: Token[], from: number, to: number, vars: Map<string, Token>, src: string): CmdletCall {
  const params: Record<string, FieldValue> = Object.create(null) as Record<string, FieldValue>;
  const args: string[] = [];
  const spec = own(CMDLETS, name);
  const positional = spec?.positional ? [...spec.positional] : [];
  // a parameter given again collects its values in a list owned here (pushed to, never copied: `-a -a -a …`
  // repeated by an attacker stays linear), bounded to MAX_REPEATED_VALUES
  const lists = new Set<string>();
  const set = (k: string, v: FieldValue) => {
    if (Object.prototype.hasOwnProperty.call(params, k)) {
      const cur = params[k];
      if (lists.has(k)) {
        if ((cur as FieldValue[]).length < MAX_REPEATED_VALUES) (cur as FieldValue[]).push(v);
      } else {
        params[k] = Array.isArray(cur) ? [...cur, v] : [cur, v];
        lists.add(k);
      }
    } else params[k] = v;
  };
  let i = from;
  // read a value (with comma arrays) starting at i; returns next index
  const readValue = (j: number): [FieldValue, number] => {
    const vals: string[] = [];
    while (j < to && VALUE_KINDS.has(toks[j].kind)) {
      vals.push(tokValue(toks[j], vars));
      j++;
      // glued pieces (foo$bar, 'a'b) join the same argument
      while (j < to && toks[j].glued && VALUE_KINDS.has(toks[j].kind) && toks[j].kind !== 'block') {
        vals[vals.length - 1] += tokValue(toks[j], vars);
        j++;
      }
      if (j < to && toks[j].kind === 'comma') j++;
      else break;
    }
    return [vals.length === 1 ? vals[0] : vals, j];
  };
  while (i < to) {
    const t = toks[i];
    if (t.kind === 'param') {
      const pname = canonicalParam(name, t.value);
      const next = toks[i + 1];
      if (t.colon) {
        if (i + 1 < to && next && VALUE_KINDS.has(next.kind)) {
          const [v, j] = readValue(i + 1);
          set(pname, v);
          i = j;
        } else {
          set(pname, true);
          i++;
        }
        continue;
      }
      if (i + 1 < to && next && VALUE_KINDS.has(next.kind)) {
        const [v, j] = readValue(i + 1);
        set(pname, v);
        i = j;
      } else {
        set(pname, true); // a switch
        i++;
      }
      continue;
    }
    if (t.kind === 'splat') {
      const h = vars.get(t.value.toLowerCase());
      if (h && h.kind === 'hash') {
        for (const [k, v] of parseHashtable(h.value, vars)) set(canonicalParam(name, k), v);
      } else args.push(`@${t.value}`);
      i++;
      continue;
    }
    if (VALUE_KINDS.has(t.kind)) {
      const [v, j] = readValue(i);
      const p = positional.shift();
      if (p && !Object.prototype.hasOwnProperty.call(params, p)) set(p, v);
      else for (const x of Array.isArray(v) ? v : [v]) args.push(String(x));
      i = j;
      continue;
    }
    i++;
  }
  const rawStart = from < to ? toks[from].start : from < toks.length ? toks[from].start : src.length;
  const rawEnd = to > from ? toks[to - 1].end : rawStart;
  return { name, params, args, rawParams: src.slice(rawStart, rawEnd).trim() };
}

/** Decode a PowerShell -EncodedCommand value (base64 of UTF-16LE), bounded; undefined when it is not that. */
export function decodeEncodedCommand(b64: string, maxChars = 64 * 1024): string | undefined {
  const s = b64.trim().replace(/^['"]|['"]$/g, '');
  if (s.length === 0 || s.length > maxChars * 3 || !/^[A-Za-z0-9+/=_-]+$/.test(s)) return undefined;
  const buf = Buffer.from(s, 'base64');
  if (buf.length < 2) return undefined;
  const out = buf.subarray(0, Math.min(buf.length & ~1, maxChars * 2)).toString('utf16le');
  // a UTF-16LE decode of non-UTF-16 data is full of odd code points: require mostly printable text
  let bad = 0;
  for (let i = 0; i < out.length; i++) {
    const c = out.charCodeAt(i);
    if (c < 9 || (c > 13 && c < 32) || (c >= 0xd800 && c <= 0xdfff)) bad++;
  }
  return bad > out.length / 10 ? undefined : out;
}

/**
 * The PowerShell script a Windows command line runs (powershell.exe / pwsh.exe with -Command, -EncodedCommand
 * or a bare command), or undefined. `-File` scripts are not read.
 */
export function scriptFromCommandLine(cmdline: string): { script: string; encoded: boolean } | undefined {
  const text = cmdline.length > MAX_SCRIPT_CHARS ? cmdline.slice(0, MAX_SCRIPT_CHARS) : cmdline;
  const lower = text.toLowerCase();
  // find the powershell executable token
  let pos = -1;
  for (const exe of ['powershell.exe', 'pwsh.exe', 'powershell_ise.exe', 'powershell', 'pwsh']) {
    let k = lower.indexOf(exe);
    while (k >= 0) {
      const before = k === 0 ? ' ' : lower[k - 1];
      const after = lower[k + exe.length] ?? ' ';
      if ((before === ' ' || before === '\\' || before === '/' || before === '"' || before === "'") && (after === ' ' || after === '"' || after === "'" || after === '\t')) {
        pos = k + exe.length;
        break;
      }
      k = lower.indexOf(exe, k + 1);
    }
    if (pos >= 0) break;
  }
  if (pos < 0) return undefined;
  let i = pos;
  if (text[i] === '"' || text[i] === "'") i++;
  const n = text.length;
  const WITH_ARG_FULL = ['executionpolicy', 'windowstyle', 'version', 'inputformat', 'outputformat', 'configurationname', 'psconsolefile', 'workingdirectory', 'settingsfile', 'custompipename'];
  const WITH_ARG_SHORT = new Set(['ep', 'ex', 'exec', 'w', 'win', 'v', 'of', 'o', 'if', 'inp', 'config', 'wd']);
  const takesArg = (sw: string) => WITH_ARG_SHORT.has(sw) || (sw.length >= 2 && WITH_ARG_FULL.some((w) => w.startsWith(sw)));
  for (;;) {
    while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
    if (i >= n) return undefined;
    const c = text[i];
    if (c !== '-' && c !== '/' && !DASH.has(c)) {
      return { script: text.slice(i), encoded: false };
    }
    let j = i + 1;
    while (j < n && text[j] !== ' ' && text[j] !== '\t' && text[j] !== ':') j++;
    const sw = text.slice(i + 1, j).toLowerCase();
    if (text[j] === ':') j++;
    if (sw === '') return undefined;
    if (sw === 'ec' || 'encodedcommand'.startsWith(sw)) {
      while (j < n && text[j] === ' ') j++;
      let k = j;
      while (k < n && text[k] !== ' ' && text[k] !== '\t') k++;
      const dec = decodeEncodedCommand(text.slice(j, k));
      return dec === undefined ? undefined : { script: dec, encoded: true };
    }
    if ('command'.startsWith(sw) && sw.length >= 1) {
      let s = text.slice(j).trim();
      if (s === '-') return undefined;
      if ((s.startsWith('"') && s.endsWith('"') && s.length >= 2) || (s.startsWith("'") && s.endsWith("'") && s.length >= 2)) s = s.slice(1, -1);
      return { script: s, encoded: false };
    }
    if ('file'.startsWith(sw) && sw.length >= 1) return undefined;
    i = j;
    if (takesArg(sw)) {
      while (i < n && text[i] === ' ') i++;
      if (text[i] === '"') {
        const e = text.indexOf('"', i + 1);
        i = e < 0 ? n : e + 1;
      } else while (i < n && text[i] !== ' ' && text[i] !== '\t') i++;
    }
  }
}
