import { createHash } from 'node:crypto';
import { constants as fsConstants, createReadStream } from 'node:fs';
import type { BigIntStats } from 'node:fs';
import { access, lstat, readdir, readFile, readlink } from 'node:fs/promises';
import type { DirChild, Manifest, ManifestEntry, PathFact } from '../domain/facts.js';
import { makeManifest, specialOf } from '../shared/manifest.js';
import { decodeName } from '../shared/name-bytes.js';

/**
 * Read-only fs helpers of the local transport; `host` paths are real paths on this machine, as bytes (a
 * Buffer) where a name is not valid UTF-8 (shared/name-bytes.ts): what is read back is the names' bytes.
 */
export type HostPath = string | Buffer;

/** `dir/name` on the host, keeping bytes. */
export function hostJoin(dir: HostPath, name: HostPath): HostPath {
  if (typeof dir === 'string' && typeof name === 'string') return `${dir}/${name}`;
  return Buffer.concat([Buffer.from(dir), Buffer.from('/'), Buffer.from(name)]);
}

/** Streams the file through sha256 (a 1 GB sparse file is not held in memory). */
function sha256File(host: HostPath): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(host, { highWaterMark: 1 << 20 })
      .on('data', (d) => h.update(d))
      .on('end', () => resolve(h.digest('hex')))
      .on('error', reject);
  });
}

/** A file's stamp "dev:ino:ctime" (ManifestEntry.stamp), from a bigint lstat. */
function stampOf(st: BigIntStats): string {
  const ns = st.ctimeNs;
  return `${st.dev}:${st.ino}:${ns / 1_000_000_000n}.${String(ns % 1_000_000_000n).padStart(9, '0')}`;
}

/** Stat-only manifest entry of a path (files stamped, not hashed); null when it vanished. */
async function quickFact(host: HostPath, rel: string, unmapTarget: (t: string) => string): Promise<ManifestEntry | null> {
  const st = await lstat(host, { bigint: true }).catch(() => null);
  if (!st) return null;
  const mode = Number(st.mode & 0o7777n);
  if (st.isSymbolicLink()) return { rel, kind: 'symlink', mode: 0o777, target: unmapTarget(decodeName(await readlink(host, { encoding: 'buffer' }))) };
  if (st.isDirectory()) return { rel, kind: 'dir', mode };
  if (st.isFile()) return { rel, kind: 'file', mode, size: Number(st.size), stamp: stampOf(st) };
  const special = specialOf(Number(st.mode));
  return special ? { rel, kind: 'other', mode, special } : { rel, kind: 'other', mode };
}

export async function lstatFact(host: HostPath, unmapTarget: (t: string) => string): Promise<PathFact> {
  let st;
  try {
    st = await lstat(host);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') {
      return { kind: 'missing' };
    }
    throw e;
  }
  const mode = st.mode & 0o7777;
  if (st.isSymbolicLink()) return { kind: 'symlink', target: unmapTarget(decodeName(await readlink(host, { encoding: 'buffer' }))) };
  const owned = { uid: st.uid, gid: st.gid };
  if (st.isDirectory()) return { kind: 'dir', mode, ...owned };
  if (st.isFile()) return { kind: 'file', mode, size: st.size, sha256: await sha256File(host), ...owned };
  const special = specialOf(st.mode);
  return special ? { kind: 'other', mode, special, ...owned } : { kind: 'other', mode, ...owned };
}

export async function listChildren(host: HostPath): Promise<DirChild[] | null> {
  const st = await lstat(host).catch(() => null);
  if (!st || !st.isDirectory()) return null;
  const out: DirChild[] = [];
  for (const raw of await readdir(host, { encoding: 'buffer' })) {
    const s = await lstat(hostJoin(host, raw));
    const kind: DirChild['kind'] = s.isSymbolicLink() ? 'symlink' : s.isDirectory() ? 'dir' : s.isFile() ? 'file' : 'other';
    out.push({ name: decodeName(raw), kind });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * The recursive manifest of a dir: files hashed, each with the stamp it was hashed under (taken before the
 * read, so a write during it moves ctime past the stamp), and the clock as the walk began; `quick`: stat only.
 */
export async function manifestOf(host: HostPath, unmapTarget: (t: string) => string, quick = false): Promise<Manifest | null> {
  const st = await lstat(host).catch(() => null);
  if (!st || !st.isDirectory()) return null;
  const at = Math.floor(Date.now() / 1000);
  const entries: ManifestEntry[] = [];
  const walk = async (dir: HostPath, prefix: string): Promise<void> => {
    for (const raw of await readdir(dir, { encoding: 'buffer' })) {
      const name = decodeName(raw);
      const rel = prefix ? `${prefix}/${name}` : name;
      // One lstat per entry; a file's stamp is taken before its read, so a write during the read moves ctime past it.
      const q = await quickFact(hostJoin(dir, raw), rel, unmapTarget);
      if (!q) continue;
      if (!quick && q.kind === 'file') q.sha256 = await sha256File(hostJoin(dir, raw));
      entries.push(q);
      if (q.kind === 'dir') await walk(hostJoin(dir, raw), rel);
    }
  };
  await walk(host, '');
  return quick ? makeManifest(entries) : { ...makeManifest(entries), at };
}

/** Whether this process may create and remove entries in the dir `host`; null when nothing is there. */
export async function writableDir(host: HostPath): Promise<boolean | null> {
  const st = await lstat(host).catch(() => null);
  if (!st) return null;
  if (!st.isDirectory()) return false;
  return access(host, fsConstants.W_OK | fsConstants.X_OK).then(
    () => true,
    () => false,
  );
}

export async function readText(host: HostPath): Promise<string | null> {
  const st = await lstat(host).catch(() => null);
  if (!st || !st.isFile()) return null;
  return readFile(host, 'utf8');
}
