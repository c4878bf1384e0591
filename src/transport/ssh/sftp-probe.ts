import { createHash } from 'node:crypto';
import type { Stats } from 'ssh2';
import type { DirChild, Manifest, ManifestEntry, PathFact, ProbeRequest, ProbeResult } from '../../domain/facts.js';
import { makeManifest, specialOf } from '../../shared/manifest.js';
import { hasEscapedBytes } from '../../shared/name-bytes.js';
import { normalizeProbePath } from './probe-request.js';
import { FX, fxCode, type SftpChannel } from './sftp-channel.js';

/**
 * Small probes answered over SFTP (lstat, readdir, readlink, files read and hashed here): a few pipelined
 * requests, a tenth of a millisecond of the node's CPU each, where the probe script costs a shell, find and
 * sha256sum (~9 ms of the node's CPU). The executor's re-checks, copy verifications and the lists it journals
 * are such probes; facts gathering, with its reads and access checks, always runs the script.
 */

/** A stat-only probe of at most this many paths is answered over SFTP. */
export const SFTP_STAT_MAX_PATHS = 32;
/** Over SFTP, a regular file is hashed here after reading it; a bigger one sends the request to the script. */
export const SFTP_HASH_MAX_BYTES = 64 * 1024;
/** A manifest of at most this many roots, entries and file bytes is walked over SFTP. */
export const SFTP_MANIFEST_MAX_ROOTS = 2;
export const SFTP_MANIFEST_MAX_ENTRIES = 256;
export const SFTP_MANIFEST_MAX_BYTES = 256 * 1024;
/** A list of at most this many dirs is read over SFTP (one readdir each). */
export const SFTP_LIST_MAX_DIRS = 2;

const DENIED = 'permission denied';

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Whether the request is small enough and of the kinds SFTP can answer. */
export function sftpMayAnswer(req: ProbeRequest): boolean {
  const stat = req.stat?.length ?? 0;
  const manifest = req.manifest?.length ?? 0;
  const list = req.list?.length ?? 0;
  // ssh2 sends and reads names as UTF-8: a path or name that is not valid UTF-8 is left to the script.
  if ([...(req.stat ?? []), ...(req.manifest ?? []), ...(req.list ?? [])].some(hasEscapedBytes)) return false;
  const small = stat <= SFTP_STAT_MAX_PATHS && manifest <= SFTP_MANIFEST_MAX_ROOTS && list <= SFTP_LIST_MAX_DIRS;
  return stat + manifest + list > 0 && small && !req.read?.length && !req.access?.length && !req.quick?.length;
}

/**
 * The same ProbeResult as the script would give, or undefined when a file or tree turned out too big for
 * SFTP (the caller then runs the script). Only call it when sftpMayAnswer(req).
 */
export async function sftpProbe(ch: SftpChannel, req: ProbeRequest): Promise<ProbeResult | undefined> {
  const stat = req.stat ?? [];
  const manifest = req.manifest ?? [];
  const facts = await Promise.all(stat.map((p) => sftpFact(ch, normalizeProbePath(p))));
  if (facts.some((f) => f === null)) return undefined;
  const trees = await Promise.all(manifest.map((p) => sftpManifest(ch, normalizeProbePath(p))));
  if (trees.some((m) => m === undefined)) return undefined;
  const list = req.list ?? [];
  const lists = await Promise.all(list.map((p) => sftpList(ch, normalizeProbePath(p))));
  if (lists.some((l) => l === undefined)) return undefined;
  const result: ProbeResult = { stat: {}, manifest: {}, list: {}, read: {} };
  stat.forEach((p, i) => (result.stat[p] = facts[i]!));
  manifest.forEach((p, i) => (result.manifest[p] = trees[i]!));
  list.forEach((p, i) => (result.list[p] = lists[i]!));
  return result;
}

/**
 * The children of a real dir (name and kind, from one readdir's lstat data, sorted by name as the script's
 * are); null when `dir` is not a real dir. undefined leaves the request to the script: a name that is not
 * valid UTF-8 (ssh2 would decode it lossily), or a readdir that fails (the script says why, as it always has).
 */
async function sftpList(ch: SftpChannel, dir: string): Promise<DirChild[] | null | undefined> {
  const top = await ch.lstat(dir, { denied: DENIED });
  if (!top?.isDirectory()) return null;
  let listing: Listing;
  try {
    listing = await ch.send<Listing>((cb) => ch.raw.readdir(dir, cb));
  } catch (e) {
    if (ch.closed) throw ch.map(e, 'readdir', dir);
    return undefined;
  }
  const children: DirChild[] = [];
  for (const { filename, attrs } of listing) {
    if (filename.includes('\uFFFD') || filename.includes('/') || filename === '' || filename === '.' || filename === '..') return undefined;
    const kind = attrs.isDirectory() ? 'dir' : attrs.isSymbolicLink() ? 'symlink' : attrs.isFile() ? 'file' : 'other';
    children.push({ name: filename, kind });
  }
  return children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * The PathFact of one path (lstat, never following a last symlink; a file's sha256), or null for a regular
 * file too big to hash here.
 */
async function sftpFact(ch: SftpChannel, path: string): Promise<PathFact | null> {
  const st = await ch.lstat(path, { denied: DENIED });
  if (!st) return { kind: 'missing' };
  const mode = st.mode & 0o7777;
  const owned = { uid: st.uid, gid: st.gid };
  if (st.isDirectory()) return { kind: 'dir', mode, ...owned };
  if (st.isSymbolicLink()) {
    const target = await ch.readlink(path);
    return target === null ? { kind: 'missing' } : { kind: 'symlink', target }; // null: vanished meanwhile
  }
  if (!st.isFile()) {
    const special = specialOf(st.mode);
    return special ? { kind: 'other', mode, special, ...owned } : { kind: 'other', mode, ...owned };
  }
  if (st.size > SFTP_HASH_MAX_BYTES) return null;
  const data = await ch.readFile(path, DENIED);
  if (data === null) return { kind: 'missing' };
  return { kind: 'file', mode, size: data.length, sha256: sha256(data), ...owned };
}

type Listing = { filename: string; attrs: Stats }[];

/**
 * The manifest of a small tree (lstat data from readdir, symlink targets, files' sha256). null when `root`
 * is not a real dir; undefined when the tree is bigger than SFTP_MANIFEST_MAX_*.
 */
async function sftpManifest(ch: SftpChannel, root: string): Promise<Manifest | null | undefined> {
  const top = await ch.lstat(root, { denied: DENIED });
  if (!top?.isDirectory()) return null;
  const at = (rel: string) => (rel === '' ? root : root === '/' ? `/${rel}` : `${root}/${rel}`);
  const readdir = (rel: string): Promise<Listing> =>
    ch.send<Listing>((cb) => ch.raw.readdir(at(rel), cb)).catch((e: unknown) => {
      if (fxCode(e) === FX.NO_SUCH_FILE && rel !== '') return []; // vanished while walking, as find skips it
      // Reported against the requested root, as the script's find failure is.
      if (fxCode(e) === FX.PERMISSION_DENIED && !ch.closed) throw ch.err('EACCES', `cannot read the whole tree: ${at(rel)}: Permission denied`, root);
      throw ch.map(e, 'readdir', at(rel));
    });
  const entries: ManifestEntry[] = [];
  const files: { rel: string; mode: number }[] = [];
  const links: string[] = [];
  let count = 0;
  let bytes = 0;
  let lossy = false;
  for (let level = ['']; level.length > 0; ) {
    const lists = await Promise.all(level.map(readdir));
    const next: string[] = [];
    lists.forEach((list, i) => {
      for (const { filename, attrs } of list) {
        // ssh2 decodes names as UTF-8, losing bytes that are not: such a tree is left to the script.
        if (filename.includes('\uFFFD')) lossy = true;
        const rel = level[i] === '' ? filename : `${level[i]}/${filename}`;
        const mode = attrs.mode & 0o7777;
        count++;
        if (attrs.isDirectory()) {
          entries.push({ rel, kind: 'dir', mode });
          next.push(rel);
        } else if (attrs.isSymbolicLink()) links.push(rel);
        else if (attrs.isFile()) {
          files.push({ rel, mode });
          bytes += attrs.size;
        } else {
          const special = specialOf(attrs.mode);
          entries.push(special ? { rel, kind: 'other', mode, special } : { rel, kind: 'other', mode });
        }
      }
    });
    if (lossy || count > SFTP_MANIFEST_MAX_ENTRIES || bytes > SFTP_MANIFEST_MAX_BYTES) return undefined;
    level = next;
  }
  await Promise.all([
    ...files.map(async ({ rel, mode }) => {
      const data = await ch.readFile(at(rel), DENIED); // null: vanished while walking
      if (data) entries.push({ rel, kind: 'file', mode, size: data.length, sha256: sha256(data) });
    }),
    ...links.map(async (rel) => {
      const target = await ch.readlink(at(rel));
      if (target !== null) entries.push({ rel, kind: 'symlink', mode: 0o777, target });
    }),
  ]);
  return makeManifest(entries);
}
