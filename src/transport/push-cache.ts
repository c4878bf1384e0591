import { constants } from 'node:fs';
import { access, lstat, mkdir, rename, rm } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { OPENCLAW_ENTRY, pushSources, RUNTIME_IN_CACHE } from '../shared/bootstrap-paths.js';

/**
 * The operator side of a push install: what the offline cache holds, and the tarballs packed from it (kept in
 * `<cache>/.clawfleet-packs/`, reused across runs: packing 650 MB takes longer than sending it).
 */

async function readable(p: string): Promise<boolean> {
  return access(p, constants.R_OK).then(
    () => true,
    () => false,
  );
}

/** Whether the cache holds the runtime and the release (read-only). */
export async function pushCacheState(cache: string, version: string): Promise<{ runtime: boolean; openclaw: boolean }> {
  const s = pushSources(cache, version);
  const [runtime, openclaw] = await Promise.all([readable(`${s.runtime}/${RUNTIME_IN_CACHE}/bin/node`), readable(`${s.openclaw}/${OPENCLAW_ENTRY}`)]);
  return { runtime, openclaw };
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((res, rej) => execFile(cmd, args, { maxBuffer: 16 << 20 }, (err, _o, stderr) => (err ? rej(new Error(`${cmd} failed: ${String(stderr).split('\n')[0] ?? err.message}`)) : res())));
}

/**
 * A gzip'd tarball of `dir` (its entries at the top, symlinks kept), packed once into the cache's pack dir
 * and reused while it exists; returns its path and whether it was packed now (cold) or reused (warm).
 */
export async function packedTarball(cache: string, dir: string, name: string): Promise<{ file: string; packed: boolean }> {
  const packs = `${cache}/.clawfleet-packs`;
  const file = `${packs}/${name}.tar.gz`;
  const st = await lstat(file).catch(() => null);
  if (st?.isFile()) return { file, packed: false };
  await mkdir(packs, { recursive: true, mode: 0o755 });
  const tmp = `${file}.${process.pid}.partial`;
  try {
    await run('tar', ['-czf', tmp, '-C', dir, '.']);
    await rename(tmp, file);
  } finally {
    await rm(tmp, { force: true });
  }
  return { file, packed: true };
}
