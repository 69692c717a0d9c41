/**
 * Light PDF inspection on the raw bytes (no object-stream decompression): JavaScript, automatic actions, Launch
 * actions, embedded files, and the URIs of link annotations. Bounded to the first bytes of the file.
 */
export interface PdfReport { javascript: boolean; openAction: boolean; launch: boolean; embeddedFiles: boolean; uris: string[] }

const MAX = 8 * 1024 * 1024;

export function inspectPdf(data: Uint8Array): PdfReport {
  const s = Buffer.from(data.buffer, data.byteOffset, Math.min(data.byteLength, MAX)).toString('latin1');
  const rep: PdfReport = {
    javascript: /\/(JavaScript|JS)\b/.test(s),
    openAction: /\/(OpenAction|AA)\b/.test(s),
    launch: /\/Launch\b/.test(s),
    embeddedFiles: /\/EmbeddedFiles?\b/.test(s),
    uris: [],
  };
  let i = 0;
  for (let k = 0; k < 200; k++) {
    const p = s.indexOf('/URI', i);
    if (p < 0) break;
    i = p + 4;
    let j = i;
    while (j < s.length && (s[j] === ' ' || s[j] === '\r' || s[j] === '\n')) j++;
    if (s[j] !== '(') continue;
    let out = '';
    j++;
    for (let depth = 0; j < s.length && out.length < 2048; j++) {
      const c = s[j];
      if (c === '\\') { out += s[j + 1] ?? ''; j++; continue; }
      if (c === '(') depth++;
      if (c === ')') { if (depth === 0) break; depth--; }
      out += c;
    }
    if (out && !rep.uris.includes(out)) rep.uris.push(out);
  }
  return rep;
}
