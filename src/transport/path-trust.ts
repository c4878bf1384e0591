/**
 * The one component check both transports and the executor use before clawfleet writes its own state (lock,
 * journal, backups, attic) or anything else: every component of a path, from `/` down, is looked at with
 * lstat (never following a link). Pure: the caller gathers the lstat data (`NodeWriter.lstatOwned`).
 */
import { InternalError } from '../domain/errors.js';

/** lstat data of one path, with its owner: what trust is decided on. */
export interface OwnedStat {
  kind: 'missing' | 'dir' | 'file' | 'symlink' | 'other';
  /** Permission bits, sticky included (`st_mode & 0o7777`). */
  mode: number;
  uid: number;
}

/** The answer of `NodeWriter.lstatOwned`: the user clawfleet acts as on the node, and each path's lstat. */
export interface OwnedStats {
  uid: number;
  stats: Record<string, OwnedStat>;
}

export type TrustVerdict = { ok: true } | { ok: false; path: string; why: string };

/** `/a/b/c` → [`/`, `/a`, `/a/b`, `/a/b/c`]. */
export function componentsOf(path: string): string[] {
  const parts = path.split('/').filter(Boolean);
  return ['/', ...parts.map((_, i) => '/' + parts.slice(0, i + 1).join('/'))];
}

const STICKY = 0o1000;
const GROUP_OR_WORLD_WRITE = 0o022;

function owners(uid: number): string {
  return uid === 0 ? 'root' : `root or uid ${uid}`;
}

/**
 * A real dir whose entries only root or the acting user can add, rename or remove: owned by one of them, no
 * group/other write bit (sticky or not: in a sticky dir another user still renames what it owns).
 */
export function onlyOwnersWrite(s: OwnedStat, uid: number): boolean {
  return s.kind === 'dir' && (s.uid === 0 || s.uid === uid) && !(s.mode & GROUP_OR_WORLD_WRITE);
}

/**
 * A dir on the way to a path (not the path itself): a real dir, owned by root or the acting user, and not
 * writable by anyone else — unless sticky (like /tmp: others may add names but never rename or remove ours).
 */
export function checkPassThrough(path: string, s: OwnedStat, uid: number): TrustVerdict {
  if (s.kind === 'symlink') return { ok: false, path, why: 'is a symlink: refusing to write through it' };
  if (s.kind !== 'dir') return { ok: false, path, why: `is not a dir (${s.kind})` };
  if (s.uid !== 0 && s.uid !== uid) return { ok: false, path, why: `is owned by uid ${s.uid}, not by ${owners(uid)}: another user could swap what is below it` };
  if (s.mode & GROUP_OR_WORLD_WRITE && !(s.mode & STICKY)) {
    return { ok: false, path, why: `is writable by group or others (mode ${(s.mode & 0o7777).toString(8)}): another user could swap what is below it` };
  }
  return { ok: true };
}

/** clawfleet's own state dir (or a dir in it): a real dir owned by the acting user, writable by nobody else. */
export function checkOwnDir(path: string, s: OwnedStat, uid: number): TrustVerdict {
  if (s.kind === 'symlink') return { ok: false, path, why: 'is a symlink: refusing to write through it' };
  if (s.kind !== 'dir') return { ok: false, path, why: `is not a dir (${s.kind})` };
  if (s.uid !== uid) return { ok: false, path, why: `is owned by uid ${s.uid}, not by uid ${uid} (the user clawfleet acts as): refusing to trust it` };
  if (s.mode & GROUP_OR_WORLD_WRITE) return { ok: false, path, why: `is writable by group or others (mode ${(s.mode & 0o7777).toString(8)}): refusing to trust it` };
  return { ok: true };
}

/**
 * Every existing component of `path` from `/` down passes `checkPassThrough`, and `path` itself (when it
 * exists) `checkOwnDir` (`own`) or `checkPassThrough`. A missing component ends the walk: clawfleet creates
 * the rest itself (0700, its own).
 */
export function checkPath(path: string, o: OwnedStats, own: boolean): TrustVerdict {
  const comps = componentsOf(path);
  for (const [i, c] of comps.entries()) {
    const s = o.stats[c];
    if (!s) throw new InternalError(`path-trust: no lstat for ${c}`);
    if (s.kind === 'missing') return { ok: true };
    const last = i === comps.length - 1;
    const v = last && own ? checkOwnDir(c, s, o.uid) : checkPassThrough(c, s, o.uid);
    if (!v.ok) return v;
  }
  return { ok: true };
}

/** Every ancestor of `path` (not `path` itself) exists as a real dir, no symlink among them: the no-follow check before a write. */
export function checkAncestorsNoLink(path: string, kind: (p: string) => string | undefined): TrustVerdict {
  const comps = componentsOf(path).slice(0, -1);
  for (const c of comps) {
    const k = kind(c);
    if (k === 'symlink') return { ok: false, path: c, why: 'is a symlink: refusing to write through it' };
    if (k !== undefined && k !== 'dir' && k !== 'missing') return { ok: false, path: c, why: `is not a dir (${k})` };
  }
  return { ok: true };
}
