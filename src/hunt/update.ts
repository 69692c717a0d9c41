/**
 * `vigie rules update`: install SigmaHQ's rules into a local folder, from a git repository (URL or local path,
 * `git clone --depth 1`), a local folder, or a .zip / .tar.gz archive (file or https URL). Archive member paths
 * are checked: absolute paths, `..` and links are refused. The new folder replaces the old one only once complete.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, promises as fsp, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { unzipSync } from 'fflate';

export const DEFAULT_SOURCE = 'https://github.com/SigmaHQ/sigma.git';
/** the folders of a SigmaHQ release that hold rules */
export const RULE_FOLDERS = ['rules', 'rules-emerging-threats', 'rules-threat-hunting', 'rules-placeholder', 'rules-compliance', 'deprecated'];
const INSTALL_FOLDERS = RULE_FOLDERS.filter((f) => f !== 'deprecated');
const MAX_ARCHIVE = 512 * 1024 * 1024;
const MAX_MEMBERS = 200_000;

export interface InstallInfo {
  source: string;
  kind: 'git' | 'archive' | 'folder';
  dest: string;
  rules: number;
  folders: string[];
  commit?: string;
  date?: string;
  sha256?: string;
  installedAt: string;
}

export class UpdateError extends Error {}

/** Check an archive member path; returns the safe relative path or null when it must be refused. */
export function safeMemberPath(name: string): string | null {
  const n = name.replace(/\\/g, '/');
  if (n === '' || n.includes('\u0000')) return null;
  if (n.startsWith('/') || /^[a-zA-Z]:/.test(n)) return null;
  const parts = n.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..')) return null;
  if (parts.length === 0) return null;
  return parts.join('/');
}

/** Files of a tar stream (ustar/GNU/pax). Only regular files; links and devices are skipped; unsafe paths refused. */
export function untar(buf: Buffer): { files: Map<string, Buffer>; refused: string[]; mtime: number } {
  const files = new Map<string, Buffer>();
  const refused: string[] = [];
  let mtime = 0;
  let off = 0;
  let longName: string | undefined;
  let paxPath: string | undefined;
  const str = (b: Buffer) => {
    const z = b.indexOf(0);
    return b.subarray(0, z < 0 ? b.length : z).toString('utf8');
  };
  const oct = (b: Buffer) => {
    if (b[0] & 0x80) return 0; // base-256 sizes are not expected in rule archives
    const s = str(b).trim();
    return s ? parseInt(s, 8) : 0;
  };
  let count = 0;
  while (off + 512 <= buf.length) {
    const h = buf.subarray(off, off + 512);
    if (h.every((x) => x === 0)) break;
    if (++count > MAX_MEMBERS) throw new UpdateError('archive has too many members');
    const size = oct(h.subarray(124, 136));
    const type = String.fromCharCode(h[156] || 0x30);
    const prefix = h.subarray(257, 263).toString('latin1').startsWith('ustar') ? str(h.subarray(345, 500)) : '';
    let name = prefix ? `${prefix}/${str(h.subarray(0, 100))}` : str(h.subarray(0, 100));
    const t = oct(h.subarray(136, 148));
    const dataStart = off + 512;
    if (dataStart + size > buf.length) throw new UpdateError('archive is truncated');
    const data = buf.subarray(dataStart, dataStart + size);
    off = dataStart + Math.ceil(size / 512) * 512;
    if (type === 'L') {
      longName = str(data);
      continue;
    }
    if (type === 'x') {
      for (const rec of data.toString('utf8').split('\n')) {
        const m = /^\d+ path=(.*)$/.exec(rec);
        if (m) paxPath = m[1];
      }
      continue;
    }
    if (type === 'g') continue;
    if (longName !== undefined) name = longName;
    if (paxPath !== undefined) name = paxPath;
    longName = paxPath = undefined;
    if (type !== '0' && type !== '\u0000' && type !== '7') {
      if (type === '1' || type === '2') refused.push(`${name} (link)`);
      continue;
    }
    const safe = safeMemberPath(name);
    if (!safe) {
      refused.push(name);
      continue;
    }
    files.set(safe, Buffer.from(data));
    mtime = Math.max(mtime, t);
  }
  return { files, refused, mtime: mtime * 1000 };
}

export function unzip(buf: Buffer): { files: Map<string, Buffer>; refused: string[] } {
  const files = new Map<string, Buffer>();
  const refused: string[] = [];
  let n = 0;
  const raw = unzipSync(new Uint8Array(buf.buffer, buf.byteOffset, buf.length), {
    filter: (f) => {
      if (++n > MAX_MEMBERS) throw new UpdateError('archive has too many members');
      if (f.name.endsWith('/')) return false;
      if (!safeMemberPath(f.name)) {
        refused.push(f.name);
        return false;
      }
      return f.originalSize <= 64 * 1024 * 1024;
    },
  });
  for (const [name, data] of Object.entries(raw)) files.set(safeMemberPath(name)!, Buffer.from(data));
  return { files, refused };
}

function isArchive(source: string): 'zip' | 'tgz' | 'tar' | null {
  const l = source.toLowerCase().replace(/[?#].*$/, '');
  if (l.endsWith('.zip')) return 'zip';
  if (l.endsWith('.tar.gz') || l.endsWith('.tgz')) return 'tgz';
  if (l.endsWith('.tar')) return 'tar';
  return null;
}

function git(args: string[], cwd?: string): { ok: boolean; out: string; err: string } {
  const r = spawnSync('git', args, {
    cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1' },
  });
  if (r.error) return { ok: false, out: '', err: r.error.message };
  return { ok: r.status === 0, out: (r.stdout ?? '').trim(), err: (r.stderr ?? '').trim() };
}

async function countYaml(dir: string): Promise<number> {
  let n = 0;
  const walk = async (d: string, depth: number): Promise<void> => {
    if (depth > 32) return;
    for (const e of await fsp.readdir(d, { withFileTypes: true })) {
      if (e.isDirectory()) await walk(join(d, e.name), depth + 1);
      else if (e.isFile() && /\.ya?ml$/i.test(e.name)) n++;
    }
  };
  await walk(dir, 0);
  return n;
}

/** In an unpacked tree, the folder holding SigmaHQ's rule folders (the root, or one level below for GitHub archives). */
async function findRoot(tree: string): Promise<string> {
  const has = (d: string) => INSTALL_FOLDERS.some((f) => existsSync(join(d, f)));
  if (has(tree)) return tree;
  for (const e of await fsp.readdir(tree, { withFileTypes: true })) {
    if (e.isDirectory() && has(join(tree, e.name))) return join(tree, e.name);
  }
  return tree;
}

/** Copy the rule folders (or, when there are none, every YAML file) from `root` into `target`. */
async function copyRules(root: string, target: string): Promise<string[]> {
  await fsp.mkdir(target, { recursive: true });
  const folders = INSTALL_FOLDERS.filter((f) => existsSync(join(root, f)));
  const copyYaml = async (from: string, to: string, depth: number): Promise<void> => {
    if (depth > 32) return;
    for (const e of await fsp.readdir(from, { withFileTypes: true })) {
      if (e.name === '.git') continue;
      const s = join(from, e.name);
      if (e.isDirectory()) await copyYaml(s, join(to, e.name), depth + 1);
      else if (e.isFile() && /\.ya?ml$/i.test(e.name)) {
        await fsp.mkdir(to, { recursive: true });
        await fsp.copyFile(s, join(to, e.name));
      }
    }
  };
  if (folders.length) for (const f of folders) await copyYaml(join(root, f), join(target, f), 0);
  else await copyYaml(root, target, 0);
  for (const lic of ['LICENSE', 'LICENSE.Detection.Rules.md', 'LICENSE.md']) {
    if (existsSync(join(root, lic))) await fsp.copyFile(join(root, lic), join(target, lic));
  }
  return folders.length ? folders : ['.'];
}

async function writeTree(files: Map<string, Buffer>, dir: string): Promise<void> {
  const base = resolve(dir);
  for (const [name, data] of files) {
    const p = resolve(base, name);
    if (!p.startsWith(base + sep)) continue; // defence in depth: safeMemberPath already refused these
    await fsp.mkdir(dirname(p), { recursive: true });
    await fsp.writeFile(p, data);
  }
}

async function fetchArchive(url: string): Promise<Buffer> {
  const res = await fetch(url, { redirect: 'follow' });
  if (!res.ok) throw new UpdateError(`download failed: HTTP ${res.status} for ${url}`);
  const len = Number(res.headers.get('content-length') ?? 0);
  if (len > MAX_ARCHIVE) throw new UpdateError(`archive too large (${len} bytes)`);
  const buf = Buffer.from(await res.arrayBuffer());
  if (buf.length > MAX_ARCHIVE) throw new UpdateError('archive too large');
  return buf;
}

/**
 * Install rules from `source` into `dest`. The previous content of `dest` is replaced only after the new
 * rules are complete. Throws UpdateError with a clear message when the source cannot be used.
 */
export async function updateRules(source: string, dest: string, log: (s: string) => void = () => {}): Promise<InstallInfo> {
  const work = await fsp.mkdtemp(join(tmpdir(), 'vigie-rules-'));
  try {
    const tree = join(work, 'src');
    let kind: InstallInfo['kind'];
    let commit: string | undefined;
    let date: string | undefined;
    let sha256: string | undefined;
    const archive = isArchive(source);
    const remote = /^(https?|ssh|git):\/\//i.test(source) || /^[\w.-]+@[\w.-]+:/.test(source);
    if (archive) {
      kind = 'archive';
      log(`reading archive ${source}`);
      let buf: Buffer;
      if (/^https?:\/\//i.test(source)) buf = await fetchArchive(source);
      else {
        if (!existsSync(source)) throw new UpdateError(`${source} does not exist`);
        if (statSync(source).size > MAX_ARCHIVE) throw new UpdateError('archive too large');
        buf = readFileSync(source);
      }
      sha256 = createHash('sha256').update(buf).digest('hex');
      let files: Map<string, Buffer>;
      let refused: string[];
      let mtime = 0;
      try {
        if (archive === 'zip') ({ files, refused } = unzip(buf));
        else ({ files, refused, mtime } = untar(archive === 'tgz' ? gunzipSync(buf, { maxOutputLength: MAX_ARCHIVE }) : buf));
      } catch (e) {
        throw new UpdateError(`cannot read archive ${basename(source)}: ${(e as Error).message}`);
      }
      if (refused.length) log(`refused ${refused.length} unsafe archive member(s): ${refused.slice(0, 5).join(', ')}`);
      await writeTree(files, tree);
      if (mtime) date = new Date(mtime).toISOString();
    } else if (remote || existsSync(join(source, '.git')) || (existsSync(source) && git(['-C', source, 'rev-parse', '--git-dir']).ok && existsSync(join(source, 'HEAD')))) {
      kind = 'git';
      const url = remote ? source : 'file://' + resolve(source);
      log(`cloning ${url} (depth 1)`);
      const r = git(['clone', '--depth', '1', '--quiet', '--no-tags', url, tree]);
      if (!r.ok) throw new UpdateError(`git clone failed: ${r.err || 'unknown error'}`);
      commit = git(['-C', tree, 'rev-parse', 'HEAD']).out || undefined;
      date = git(['-C', tree, 'log', '-1', '--format=%cI']).out || undefined;
    } else if (existsSync(source) && statSync(source).isDirectory()) {
      kind = 'folder';
      await fsp.cp(source, tree, { recursive: true, filter: (s) => !s.split(sep).includes('.git') });
    } else {
      throw new UpdateError(`${source}: not a git repository, folder, or .zip/.tar.gz archive`);
    }

    const root = await findRoot(tree);
    const staged = `${resolve(dest)}.new-${process.pid}`;
    await fsp.rm(staged, { recursive: true, force: true });
    const folders = await copyRules(root, staged);
    const rules = await countYaml(staged);
    if (rules === 0) {
      await fsp.rm(staged, { recursive: true, force: true });
      throw new UpdateError(`no rule (.yml) found in ${source}`);
    }
    const info: InstallInfo = { source, kind, dest: resolve(dest), rules, folders, commit, date, sha256, installedAt: new Date().toISOString() };
    await fsp.writeFile(join(staged, '.vigie-install.json'), JSON.stringify(info, null, 2) + '\n');
    // swap: old → .old, new → dest, remove old
    await fsp.mkdir(dirname(resolve(dest)), { recursive: true });
    const old = `${resolve(dest)}.old-${process.pid}`;
    if (existsSync(dest)) await fsp.rename(dest, old);
    await fsp.rename(staged, dest);
    await fsp.rm(old, { recursive: true, force: true });
    return info;
  } finally {
    await fsp.rm(work, { recursive: true, force: true });
  }
}

/** What `vigie rules update` installed in `dir`, if anything. */
export function installInfo(dir: string): InstallInfo | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, '.vigie-install.json'), 'utf8')) as InstallInfo;
  } catch {
    return undefined;
  }
}
