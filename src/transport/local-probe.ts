import { createHash } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { access, lstat, readdir, readFile, readlink } from 'node:fs/promises';
import type { DirChild, Manifest, ManifestEntry, PathFact } from '../domain/facts.js';
import { makeManifest, manifestEntry } from '../facts/manifest.js';

/** Read-only fs helpers of the local transport; `host` paths are real paths on this machine. */

async function sha256File(host: string): Promise<string> {
  return createHash('sha256').update(await readFile(host)).digest('hex');
}

export async function lstatFact(host: string, unmapTarget: (t: string) => string): Promise<PathFact> {
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
  if (st.isSymbolicLink()) return { kind: 'symlink', target: unmapTarget(await readlink(host)) };
  const owned = { uid: st.uid, gid: st.gid };
  if (st.isDirectory()) return { kind: 'dir', mode, ...owned };
  if (st.isFile()) return { kind: 'file', mode, size: st.size, sha256: await sha256File(host), ...owned };
  return { kind: 'other', mode, ...owned };
}

export async function listChildren(host: string): Promise<DirChild[] | null> {
  const st = await lstat(host).catch(() => null);
  if (!st || !st.isDirectory()) return null;
  const names = (await readdir(host)).sort();
  const out: DirChild[] = [];
  for (const name of names) {
    const s = await lstat(`${host}/${name}`);
    const kind: DirChild['kind'] = s.isSymbolicLink() ? 'symlink' : s.isDirectory() ? 'dir' : s.isFile() ? 'file' : 'other';
    out.push({ name, kind });
  }
  return out;
}

export async function manifestOf(host: string, unmapTarget: (t: string) => string): Promise<Manifest | null> {
  const st = await lstat(host).catch(() => null);
  if (!st || !st.isDirectory()) return null;
  const entries: ManifestEntry[] = [];
  const walk = async (dir: string, prefix: string): Promise<void> => {
    for (const name of await readdir(dir)) {
      const rel = prefix ? `${prefix}/${name}` : name;
      const f = await lstatFact(`${dir}/${name}`, unmapTarget);
      if (f.kind === 'missing') continue;
      entries.push(manifestEntry(rel, f));
      if (f.kind === 'dir') await walk(`${dir}/${name}`, rel);
    }
  };
  await walk(host, '');
  return makeManifest(entries);
}

/** Whether this process may create and remove entries in the dir `host`; null when nothing is there. */
export async function writableDir(host: string): Promise<boolean | null> {
  const st = await lstat(host).catch(() => null);
  if (!st) return null;
  if (!st.isDirectory()) return false;
  return access(host, fsConstants.W_OK | fsConstants.X_OK).then(
    () => true,
    () => false,
  );
}

export async function readText(host: string): Promise<string | null> {
  const st = await lstat(host).catch(() => null);
  if (!st || !st.isFile()) return null;
  return readFile(host, 'utf8');
}
