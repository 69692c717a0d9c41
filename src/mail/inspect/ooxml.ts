/**
 * Office Open XML inspection (docx/xlsx/pptx and their macro-enabled forms) with the zip reader of archive.ts:
 * VBA projects (vbaProject.bin → OLE inspection), external relationships (remote templates: attachedTemplate with
 * TargetMode="External", external OLE objects and frames), embedded OLE objects, and DDE fields/links.
 */
import { listZip, readZipMember } from './archive.js';
import { inspectOle, type OleReport } from './ole.js';

export interface OoxmlReport {
  isOoxml: boolean;
  vba?: OleReport;
  /** external targets of relationships that load content: [type, target] */
  remoteTemplates: string[];
  externalObjects: string[];
  embedded: string[];
  dde: string[];
  error?: string;
}

const MAX_PART = 4 * 1024 * 1024;

function text(b: Uint8Array): string { return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8'); }

export function inspectOoxml(data: Uint8Array): OoxmlReport {
  const rep: OoxmlReport = { isOoxml: false, remoteTemplates: [], externalObjects: [], embedded: [], dde: [] };
  const z = listZip(data, 3000);
  if (!z.entries.length) { rep.error = z.error; return rep; }
  rep.isOoxml = z.entries.some((e) => e.name === '[Content_Types].xml');
  let budget = 32 * 1024 * 1024;
  for (const e of z.entries) {
    const n = e.name;
    const ln = n.toLowerCase();
    if (/(^|\/)vbaproject\.bin$/.test(ln) && !rep.vba) {
      const r = readZipMember(data, e, 16 * 1024 * 1024);
      if (r.data) rep.vba = inspectOle(r.data);
      else rep.vba = { vba: true, modules: [], autoExec: [], suspicious: [], objects: [], encrypted: false, xlm: false, error: r.error };
      rep.vba.vba = true;
      continue;
    }
    if (/\/embeddings\//.test(ln)) { if (rep.embedded.length < 20) rep.embedded.push(n); continue; }
    if (/\/macrosheets\//.test(ln) && !rep.vba) {
      rep.vba = { vba: false, modules: [], autoExec: [], suspicious: [], objects: [], encrypted: false, xlm: true };
      continue;
    }
    const isRels = ln.endsWith('.rels');
    const isMain = /^(word\/(document|settings|header\d*|footer\d*)\.xml|xl\/externallinks\/.*\.xml|xl\/worksheets\/sheet\d+\.xml)$/.test(ln);
    if (!isRels && !isMain) continue;
    if (budget <= 0) break;
    const r = readZipMember(data, e, Math.min(MAX_PART, budget));
    if (!r.data) continue;
    budget -= r.data.length;
    const x = text(r.data);
    if (isRels) {
      // <Relationship Id=".." Type="…/attachedTemplate" Target="http://…" TargetMode="External"/>
      let i = 0;
      for (let k = 0; k < 2000; k++) {
        const s = x.indexOf('<Relationship ', i);
        if (s < 0) break;
        const end = x.indexOf('>', s);
        if (end < 0) break;
        const tag = x.slice(s, end);
        i = end;
        if (!/TargetMode\s*=\s*["']External["']/i.test(tag)) continue;
        const type = (/Type\s*=\s*["']([^"']*)["']/i.exec(tag)?.[1] ?? '').split('/').pop() ?? '';
        const target = /Target\s*=\s*["']([^"']*)["']/i.exec(tag)?.[1] ?? '';
        if (/^(attachedTemplate|subDocument|frame)$/i.test(type)) rep.remoteTemplates.push(`${type} → ${target.slice(0, 200)}`);
        else if (/^(oleObject|package)$/i.test(type)) rep.externalObjects.push(`${type} → ${target.slice(0, 200)}`);
        else if (/^(externalLinkPath)$/i.test(type) && /^(https?|file|\\\\)/i.test(target)) rep.externalObjects.push(`${type} → ${target.slice(0, 200)}`);
      }
    } else {
      // DDE: field codes (w:instrText / w:fldSimple instr) starting with DDE or DDEAUTO; Excel ddeLink
      const instr: string[] = [];
      let j = 0;
      for (let k = 0; k < 5000; k++) {
        const st = x.indexOf('<w:instrText', j);
        if (st < 0) break;
        const open = x.indexOf('>', st);
        const close = x.indexOf('</w:instrText>', open);
        if (open < 0 || close < 0) break;
        instr.push(x.slice(open + 1, close));
        j = close + 14;
      }
      const fields = instr.join('');
      const m = /\b(DDEAUTO|DDE)\b\s+\S{1,200}/i.exec(fields);
      if (m) rep.dde.push(m[0].slice(0, 120));
      const m2 = /<w:fldSimple[^>]{0,500}w:instr\s*=\s*["']\s*(DDEAUTO|DDE)\b([^"']{0,120})/i.exec(x);
      if (m2 && !rep.dde.length) rep.dde.push((m2[1] + m2[2]).slice(0, 120));
      if (/<ddeLink\b/i.test(x)) rep.dde.push('Excel DDE link');
    }
  }
  return rep;
}
