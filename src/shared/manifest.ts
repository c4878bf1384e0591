import { createHash } from 'node:crypto';
import type { Manifest, ManifestEntry, PathFact, SpecialKind } from '../domain/facts.js';

/**
 * Canonical one-line form of an entry; the digest is over these lines, so two transports agree. A special
 * file's type (fifo, socket…) is a seventh field, present only for those (older digests stay as they were).
 */
export function entryLine(e: ManifestEntry): string {
  const line = [e.rel, e.kind, (e.mode & 0o7777).toString(8), e.size ?? '', e.sha256 ?? '', e.target ?? ''];
  if (e.special) line.push(e.special);
  return line.join('\t');
}

/** The kind of special file a full `st_mode` holds (undefined for dirs, files, symlinks). */
export function specialOf(mode: number): SpecialKind | undefined {
  switch (mode & 0o170000) {
    case 0o010000:
      return 'fifo';
    case 0o140000:
      return 'socket';
    case 0o020000:
      return 'char-device';
    case 0o060000:
      return 'block-device';
    default:
      return undefined;
  }
}

function byRel(a: ManifestEntry, b: ManifestEntry): number {
  return a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0;
}

/** Sorts entries by `rel` (code-unit order) and computes the digest. Modes keep permission bits only. */
export function makeManifest(entries: ManifestEntry[]): Manifest {
  const sorted = entries.map((e) => ({ ...e, mode: e.mode & 0o7777 })).sort(byRel);
  const h = createHash('sha256');
  for (const e of sorted) h.update(entryLine(e) + '\n');
  return { entries: sorted, digest: h.digest('hex') };
}

/** The top-level names of a manifest ("a" for "a/b/c"). */
export function topLevelNames(m: Manifest): string[] {
  const names = new Set<string>();
  for (const e of m.entries) names.add(e.rel.split('/')[0]!);
  return [...names].sort();
}

/** The entries under one top-level name, re-rooted ("a/b" → "b"; "a" itself → ""). */
export function subManifest(m: Manifest, top: string): Manifest {
  const out: ManifestEntry[] = [];
  for (const e of m.entries) {
    if (e.rel === top) out.push({ ...e, rel: '' });
    else if (e.rel.startsWith(top + '/')) out.push({ ...e, rel: e.rel.slice(top.length + 1) });
  }
  return makeManifest(out);
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The manifest entry of a path found while walking a tree (both transports build entries with this). */
export function manifestEntry(rel: string, f: Exclude<PathFact, { kind: 'missing' }>): ManifestEntry {
  switch (f.kind) {
    case 'file':
      return { rel, kind: 'file', mode: f.mode, size: f.size, sha256: f.sha256 };
    case 'symlink':
      return { rel, kind: 'symlink', mode: 0o777, target: f.target };
    case 'dir':
      return { rel, kind: 'dir', mode: f.mode };
    default:
      return f.special ? { rel, kind: 'other', mode: f.mode, special: f.special } : { rel, kind: 'other', mode: f.mode };
  }
}

/** A stamp's ctime in whole seconds (NaN when malformed). */
function stampSeconds(stamp: string): number {
  return Number(/^[^:]+:[^:]+:(\d+)(?:\.\d+)?$/.exec(stamp)?.[1] ?? NaN);
}

/**
 * Whether `known`'s file hashes may stand for the files a later stat-only manifest (`quick`) finds: the same
 * entries (name, kind, mode, size, link target), every file with a stamp equal to the one it was hashed
 * under, and every such stamp at least two seconds older than the walk that hashed it (a write in the same
 * clock tick as the stat could leave ctime as it was). Anything else means: hash again.
 */
export function sameByStamps(known: Manifest, quick: Manifest): boolean {
  if (known.at === undefined || known.entries.length !== quick.entries.length) return false;
  for (let i = 0; i < known.entries.length; i++) {
    const k = known.entries[i]!;
    const q = quick.entries[i]!;
    if (k.rel !== q.rel || k.kind !== q.kind || k.mode !== q.mode || k.size !== q.size || k.target !== q.target || k.special !== q.special) return false;
    if (k.kind !== 'file') continue;
    if (!k.stamp || k.stamp !== q.stamp || !(stampSeconds(k.stamp) < known.at - 1)) return false;
  }
  return true;
}

/** Bytes of regular files in a manifest. */
export function fileBytes(m: Manifest): number {
  return m.entries.reduce((n, e) => n + (e.kind === 'file' ? (e.size ?? 0) : 0), 0);
}
