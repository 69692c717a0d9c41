/**
 * Micro-benchmark of the Sigma engine: load + compile all active SigmaHQ rules, then match synthetic
 * process-creation events (a) against every compiled rule (no log-source routing: worst case) and
 * (b) against the rules of the event's log source (windows/process_creation), as the hunt routes them.
 * Run: node --import tsx bench/sigma.ts [events]
 */
import { getField, type VigieEvent } from '../src/event.js';
import { compileRule, loadRules, type CompiledRule } from '../src/sigma/index.js';
import { SHARED } from '../test/helpers.js';
import { join } from 'node:path';

const N = Number(process.argv[2] ?? 20000);
if (!SHARED) { console.log('../shared is absent: nothing to benchmark'); process.exit(0); }
const dirs = ['rules', 'rules-emerging-threats', 'rules-threat-hunting', 'rules-compliance'].map((d) => join(SHARED!, 'sigma', d));

let t = performance.now();
const set = await loadRules(dirs);
const tLoad = performance.now() - t;
t = performance.now();
const compiled: CompiledRule[] = [];
for (const r of set.rules) { try { compiled.push(compileRule(r)); } catch { /* counted by the conformance test */ } }
const tCompile = performance.now() - t;
console.log(`load ${set.rules.length} rules: ${tLoad.toFixed(0)} ms; compile ${compiled.length}: ${tCompile.toFixed(0)} ms`);

const images = ['C:\\Windows\\System32\\svchost.exe', 'C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE',
  'C:\\Windows\\System32\\cmd.exe', 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', 'C:\\Users\\bob\\AppData\\Local\\Temp\\setup.exe'];
const cmds = ['svchost.exe -k netsvcs -p -s Schedule', '"C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE" /n "C:\\Users\\bob\\Documents\\report.docx"',
  'cmd.exe /c echo hello > C:\\temp\\out.txt', 'powershell.exe -NoProfile -ExecutionPolicy Bypass -File C:\\scripts\\inventory.ps1', 'setup.exe /quiet /norestart'];
const events: VigieEvent[] = [];
for (let k = 0; k < 1000; k++) {
  const i = k % images.length;
  events.push({
    origin: { file: 'synthetic', format: 'bench', offset: k }, time: Date.UTC(2024, 0, 1) + k * 1000, computer: 'WKS-01',
    channel: 'Microsoft-Windows-Sysmon/Operational', provider: 'Microsoft-Windows-Sysmon', eventId: 1,
    logsource: { product: 'windows', category: 'process_creation' },
    fields: {
      EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational', Computer: 'WKS-01', UtcTime: '2024-01-01 00:00:00.000',
      ProcessGuid: `{a1b2c3d4-0000-0000-0000-${String(k).padStart(12, '0')}}`, ProcessId: 1000 + k, Image: images[i]!,
      FileVersion: '10.0.19041.1', Description: 'Host Process', Product: 'Microsoft Windows', Company: 'Microsoft Corporation',
      OriginalFileName: images[i]!.split('\\').pop()!, CommandLine: `${cmds[i]!} ${k}`, CurrentDirectory: 'C:\\Windows\\system32\\',
      User: 'CORP\\bob', LogonId: '0x3e7', IntegrityLevel: 'Medium', Hashes: `SHA256=${'ab'.repeat(32)},IMPHASH=${'cd'.repeat(16)}`,
      ParentImage: 'C:\\Windows\\explorer.exe', ParentCommandLine: 'C:\\Windows\\Explorer.EXE', ParentUser: 'CORP\\bob',
    },
  });
}
const routed = compiled.filter((c) => c.logsource.category === 'process_creation' && (c.logsource.product ?? 'windows') === 'windows');

function bench(rules: CompiledRule[], label: string): void {
  let matches = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let k = 0; k < N; k++) {
    const e = events[k % events.length]!;
    const get = (f: string) => getField(e, f);
    for (const r of rules) if (r.match(e, get)) matches++;
  }
  const wall = (performance.now() - t0) / 1000;
  const cu = process.cpuUsage(c0);
  const s = (cu.user + cu.system) / 1e6;
  console.log(`${label}: ${rules.length} rules × ${N} events: ${(N / s).toFixed(0)} events/s of CPU time (${(N / wall).toFixed(0)} wall), ${((N * rules.length) / s / 1e6).toFixed(2)} M rule tests/s, ${matches} matches`);
}
bench(routed, 'routed (windows/process_creation rules)');
bench(compiled, 'all rules, no routing');
console.log(`heap used: ${(process.memoryUsage().heapUsed / 1048576).toFixed(0)} MiB`);
