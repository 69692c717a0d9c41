/**
 * Throughput and peak memory of the W3C and Exchange HttpProxy readers.
 *
 *   node --import tsx bench/logs.ts [w3cLines] [httpProxyLines]
 *
 * Generates a large IIS W3C log and a large Exchange HttpProxy CSV log in the temporary folder (removed at the
 * end, never committed), then reads each in a fresh child process through detection + reader + the cmdlet
 * transform (what `vigie hunt` does before detection) and prints lines/second and peak RSS. The baseline is the
 * bare line splitter (`readLines`) over the same file: the ratio is the cost of parsing into events.
 */
import { createWriteStream, mkdtempSync, rmSync, statSync, createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';

const HP_COLS = 'DateTime,RequestId,MajorVersion,MinorVersion,BuildVersion,RevisionVersion,ClientRequestId,Protocol,UrlHost,UrlStem,ProtocolAction,AuthenticationType,IsAuthenticated,AuthenticatedUser,Organization,AnchorMailbox,UserAgent,ClientIpAddress,ServerHostName,HttpStatus,BackEndStatus,ErrorCode,Method,ProxyAction,TargetServer,TargetServerVersion,RoutingType,RoutingHint,BackEndCookie,ServerLocatorHost,ServerLocatorLatency,RequestBytes,ResponseBytes,TargetOutstandingRequests,AuthModulePerfContext,HttpPipelineLatency,CalculateTargetBackEndLatency,GlsLatencyBreakup,TotalGlsLatency,AccountForestLatencyBreakup,TotalAccountForestLatency,ResourceForestLatencyBreakup,TotalResourceForestLatency,ADLatency,SharedCacheLatencyBreakup,TotalSharedCacheLatency,ActivityContextLifeTime,ModuleToHandlerSwitchingLatency,ClientReqStreamLatency,BackendReqInitLatency,BackendReqStreamLatency,BackendProcessingLatency,BackendRespInitLatency,BackendRespStreamLatency,ClientRespStreamLatency,KerberosAuthHeaderLatency,HandlerCompletionLatency,RequestHandlerLatency,HandlerToModuleSwitchingLatency,ProxyTime,CoreLatency,RoutingLatency,HttpProxyOverhead,TotalRequestTime,RouteRefresherLatency,UrlQuery,BackEndGenericInfo,GenericInfo,GenericErrors,EdgeTraceId,DatabaseGuid,UserADObjectGuid,PartitionEndpointLookupLatency,RoutingStatus';

async function write(path: string, header: string[], lines: number, make: (i: number) => string): Promise<void> {
  const out = createWriteStream(path);
  for (const h of header) out.write(h + '\r\n');
  let buf: string[] = [];
  for (let i = 0; i < lines; i++) {
    buf.push(make(i));
    if (buf.length === 2000) {
      if (!out.write(buf.join('\r\n') + '\r\n')) await once(out, 'drain');
      buf = [];
    }
  }
  if (buf.length) out.write(buf.join('\r\n') + '\r\n');
  out.end();
  await once(out, 'finish');
}

function ts(i: number): Date {
  return new Date(Date.UTC(2024, 2, 1) + i * 37);
}

async function generate(dir: string, w3cLines: number, hpLines: number): Promise<{ w3c: string; hp: string }> {
  const w3c = join(dir, 'u_ex240301.log');
  const stems = ['/owa/auth/logon.aspx', '/ecp/default.aspx', '/EWS/Exchange.asmx', '/mapi/emsmdb/', '/autodiscover/autodiscover.xml', '/Microsoft-Server-ActiveSync/default.eas'];
  await write(
    w3c,
    ['#Software: Microsoft Internet Information Services 10.0', '#Version: 1.0', '#Date: 2024-03-01 00:00:00',
      '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken'],
    w3cLines,
    (i) => {
      const d = ts(i).toISOString();
      return `${d.slice(0, 10)} ${d.slice(11, 19)} 10.0.0.5 ${i % 7 ? 'GET' : 'POST'} ${stems[i % stems.length]} ${i % 3 ? `Cmd=Sync&User=user${i % 500}&DeviceId=ABC${i % 97}` : '-'} 443 ${i % 4 ? `EXAMPLE\\user${i % 500}` : '-'} 198.51.${i % 256}.${(i * 7) % 256} Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/120.0 - ${i % 11 ? 200 : 401} 0 0 ${i % 900}`;
    },
  );
  const hp = join(dir, 'HttpProxy_2024030100-1.LOG');
  const ncols = HP_COLS.split(',').length;
  await write(
    hp,
    ['#Software: Microsoft Exchange Server', '#Version: 15.01.2375.007', '#Log-type: HttpProxy Logs', '#Date: 2024-03-01T00:00:00.000Z', `#Fields: ${HP_COLS}`],
    hpLines,
    (i) => {
      const cells = new Array<string>(ncols).fill('');
      cells[0] = ts(i).toISOString();
      cells[1] = `47a25adf-57a3-4538-ba98-${String(i).padStart(12, '0')}`;
      cells[2] = '15'; cells[3] = '1'; cells[4] = '2375'; cells[5] = '7';
      cells[7] = ['Owa', 'Ecp', 'Ews', 'Autodiscover', 'Mapi', 'RpcHttp'][i % 6];
      cells[8] = 'mail.example.org';
      cells[9] = stems[i % stems.length];
      cells[11] = 'Negotiate'; cells[12] = 'true';
      cells[13] = `EXAMPLE\\user${i % 500}`;
      cells[15] = `SMTP:user${i % 500}@example.org`;
      cells[16] = '"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"';
      cells[17] = `198.51.${i % 256}.${(i * 7) % 256}`;
      cells[18] = 'EXCH01';
      cells[19] = '200'; cells[20] = '200'; cells[22] = 'POST'; cells[23] = 'Proxy';
      cells[24] = 'EXCH02.example.org'; cells[25] = '15.01.2375.000';
      cells[63] = String(i % 300);
      cells[65] = i % 3 ? '?ns=PendingRequest&ev=PendingNotificationRequest' : '';
      cells[67] = 'BeginRequest=2024-03-01T00:00:00.000Z;CorrelationID=<empty>;ProxyState-Run=None;FEAuth=BEVersion-1942063431;EndRequest=2024-03-01T00:00:00.012Z;';
      return cells.join(',');
    },
  );
  return { w3c, hp };
}

interface Result {
  lines: number;
  events: number;
  errors: number;
  ms: number;
  /** user + system CPU time: steadier than wall time on a shared machine */
  cpuMs: number;
  maxRssMiB: number;
}

async function child(mode: string, file: string): Promise<void> {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  let lines = 0;
  let events = 0;
  let errors = 0;
  if (mode === 'lines') {
    const { readLines } = await import('../src/sources/lines.js');
    const { ReadContext } = await import('../src/sources/types.js');
    const ctx = new ReadContext();
    for await (const l of readLines(createReadStream(file, { highWaterMark: 1 << 20 }), ctx, file)) if (l.text.length >= 0) lines++;
    errors = ctx.errorCount;
  } else {
    const { ReadContext, readFile } = await import('../src/sources/index.js');
    const { applyTransforms } = await import('../src/transforms/index.js');
    const ctx = new ReadContext();
    for await (const ev of readFile(file, ctx)) {
      applyTransforms(ev);
      events++;
    }
    errors = ctx.errorCount;
    lines = events;
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const cu = process.cpuUsage(c0);
  const r: Result = { lines, events, errors, ms, cpuMs: (cu.user + cu.system) / 1000, maxRssMiB: process.resourceUsage().maxRSS / 1024 };
  process.stdout.write(JSON.stringify(r) + '\n');
}

function run(mode: string, file: string): Result {
  const self = fileURLToPath(import.meta.url);
  const res = spawnSync(process.execPath, [...process.execArgv, self, '--child', mode, file], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (res.status !== 0) throw new Error(`child failed: ${res.stderr}`);
  return JSON.parse(res.stdout.trim().split('\n').pop()!) as Result;
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') return child(process.argv[3], process.argv[4]);
  const w3cLines = Number(process.argv[2] ?? 1_000_000);
  const hpLines = Number(process.argv[3] ?? 300_000);
  const dir = mkdtempSync(join(tmpdir(), 'vigie-bench-logs-'));
  try {
    const files = await generate(dir, w3cLines, hpLines);
    for (const [name, file] of [['IIS W3C', files.w3c], ['Exchange HttpProxy CSV', files.hp]] as const) {
      const mb = statSync(file).size / (1 << 20);
      const base = run('lines', file);
      const r = run('read', file);
      const lps = r.events / (r.ms / 1000);
      const cpuLps = r.events / (r.cpuMs / 1000);
      const baseLps = base.lines / (base.ms / 1000);
      console.log(
        `${name}: ${r.events} events from ${mb.toFixed(0)} MiB in ${(r.ms / 1000).toFixed(2)} s wall = ${Math.round(lps).toLocaleString('en-US')} lines/s ` +
          `(${(mb / (r.ms / 1000)).toFixed(1)} MiB/s; per CPU-second ${Math.round(cpuLps).toLocaleString('en-US')} lines/s), peak RSS ${r.maxRssMiB.toFixed(0)} MiB, errors ${r.errors}; ` +
          `bare line splitting ${Math.round(baseLps).toLocaleString('en-US')} lines/s (parse+events cost ×${(baseLps / lps).toFixed(1)}), peak RSS ${base.maxRssMiB.toFixed(0)} MiB`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
