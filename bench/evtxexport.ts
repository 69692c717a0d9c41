/**
 * The reference EVTX reader for the benches: evtxexport (libevtx, C; Debian's libevtx-utils, harness in
 * ../shared/anchors/evtx-anchor.sh), run once per file with `-f xml`, its records counted from its output, timed
 * by wall clock and by CPU time (user + system of the processes).
 */
import { readdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Run {
  records: number;
  wall: number;
  cpu: number;
  rssMB?: number;
  errors?: number;
}

/** The .evtx files under a folder, in name order. */
export function evtxFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) evtxFiles(p, out);
    else if (e.toLowerCase().endsWith('.evtx')) out.push(p);
  }
  return out;
}

/** evtxexport over the files; undefined when it is not installed. */
export function evtxexport(files: string[]): Run | undefined {
  if (spawnSync('sh', ['-c', 'command -v evtxexport']).status !== 0) return undefined;
  const list = join(tmpdir(), `vigie-bench-xlist-${process.pid}.txt`);
  writeFileSync(list, files.join('\n') + '\n');
  const script = `s=$(date +%s.%N); n=$(while IFS= read -r f; do evtxexport -f xml "$f" 2>/dev/null; done < "$1" | grep -c '^<Event '); e=$(date +%s.%N); echo "$n $s $e"; times`;
  const r = spawnSync('bash', ['-c', script, 'bench', list], { encoding: 'utf8' });
  unlinkSync(list);
  const lines = r.stdout.trim().split('\n');
  const [n, s, e] = lines[0]!.split(' ').map(Number);
  // `times`: shell user/sys, then children user/sys, as "XmY.YYYs"
  const secs = (t: string) => {
    const m = /^(\d+)m([\d.]+)s$/.exec(t);
    return m ? Number(m[1]) * 60 + Number(m[2]) : 0;
  };
  const cpu = lines.slice(1).flatMap((l) => l.trim().split(/\s+/)).reduce((a, t) => a + secs(t), 0);
  return { records: n!, wall: e! - s!, cpu };
}
