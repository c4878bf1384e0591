import { ClawError } from '../domain/errors.js';
import { checkAncestorsNoLink, componentsOf } from './path-trust.js';
import type { NodeWriter } from './types.js';

/**
 * No write follows a link it did not expect: every mutating call of a writer (both transports) first lstat's
 * every component above each path it changes (one batched probe) and refuses when one is a symlink or not a
 * dir; after the call the same components are looked at again, and a change (a component swapped while the
 * call ran) fails the call, so the executor rolls the action back. The last component is never followed by
 * the operations themselves (mkdir, symlink, rename, exclusive create, unlink, rmdir); an append (journals)
 * refuses a last component that is a symlink too.
 *
 * What this cannot close on a path-based API (SFTP has no dirfd operations): a component swapped and swapped
 * back between the two looks. The executor keeps everything it writes under dirs only root or its own user
 * can change (state-trust.ts), and copies through a held working directory (copy-script.ts), so only the
 * link slots in the OpenClaw home remain path-based.
 */
export function withNoFollow(w: NodeWriter): NodeWriter {
  const look = async (paths: string[], finalToo: boolean): Promise<Map<string, string>> => {
    const comps = [...new Set(paths.flatMap((p) => (finalToo ? componentsOf(p) : componentsOf(p).slice(0, -1))))];
    const r = await w.probe({ stat: comps });
    const kinds = new Map(comps.map((c) => [c, r.stat[c]?.kind ?? 'missing']));
    for (const p of paths) {
      const v = checkAncestorsNoLink(p, (c) => kinds.get(c));
      if (!v.ok) throw new ClawError('NOFOLLOW', v.why, { node: w.node, path: v.path });
      if (finalToo && kinds.get(p) === 'symlink') throw new ClawError('NOFOLLOW', 'is a symlink: refusing to write through it', { node: w.node, path: p });
    }
    return kinds;
  };
  const guarded = async <T>(paths: string[], call: () => Promise<T>, finalToo = false): Promise<T> => {
    const before = await look(paths, finalToo);
    const out = await call();
    const after = await look(paths, finalToo);
    for (const [c, k] of before) {
      if (k !== 'missing' && after.get(c) !== k) {
        throw new ClawError('NOFOLLOW', `changed from ${k} to ${after.get(c)} while clawfleet wrote below it`, { node: w.node, path: c });
      }
    }
    return out;
  };
  return {
    node: w.node,
    ...(w.pathMax !== undefined ? { pathMax: w.pathMax } : {}),
    home: () => w.home(),
    probe: (req) => w.probe(req),
    openclawVersion: () => w.openclawVersion(),
    openclawBinary: () => w.openclawBinary(),
    close: () => w.close(),
    exec: (cmd) => w.exec(cmd),
    readFile: (p) => w.readFile(p),
    lstatOwned: (ps) => w.lstatOwned(ps),
    mkdir: (p, m) => guarded([p], () => w.mkdir(p, m)),
    symlink: (t, p) => guarded([p], () => w.symlink(t, p)),
    writeFileAtomic: (p, d, m) => guarded([p], () => w.writeFileAtomic(p, d, m)),
    writeFileExclusive: (p, d, m) => guarded([p], () => w.writeFileExclusive(p, d, m)),
    appendFile: (p, d) => guarded([p], () => w.appendFile(p, d), true),
    rename: (f, t) => guarded([f, t], () => w.rename(f, t)),
    replace: (f, t) => guarded([f, t], () => w.replace(f, t)),
    copyTree: (f, t) => guarded([f, t], () => w.copyTree(f, t)),
    copyEntries: (c) => guarded([`${c.src}/x`, `${c.dest}/${c.tmp}`], () => w.copyEntries(c)),
    moveEntries: (m) => guarded([`${m.base}/x`], () => w.moveEntries(m)),
    dropCopy: (b, t) => guarded([`${b}/${t}`], () => w.dropCopy(b, t)),
    rmdir: (p) => guarded([p], () => w.rmdir(p)),
    unlink: (p) => guarded([p], () => w.unlink(p)),
  };
}
