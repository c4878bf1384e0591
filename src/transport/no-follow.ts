import { ClawError } from '../domain/errors.js';
import { parentOf } from '../shared/node-path.js';
import { checkAncestorsNoLink, componentsOf, onlyOwnersWrite, type OwnedStat, type OwnedStats } from './path-trust.js';
import type { NodeWriter } from './types.js';

/**
 * No write follows a link it did not expect: every mutating call of a writer (both transports) first lstat's
 * every component above each path it changes (one batched probe) and refuses when one is a symlink or not a
 * dir; after the call the same components are looked at again, and a change (a component swapped while the
 * call ran) fails the call, so the executor rolls the action back. The last component is never followed by
 * the operations themselves (mkdir, symlink, rename, exclusive create, unlink, rmdir); an append (journals)
 * refuses a last component that is a symlink too, and the local transport opens it with O_NOFOLLOW.
 *
 * The one link expected is the data root itself (`mayLink`): a data root mounted elsewhere through a symlink
 * is a layout the operator chose (planner/rule-data-dirs.ts). Components above it and below it are checked.
 *
 * A component is looked at once per run where nobody but root or the user clawfleet acts as could swap it
 * (`KnownComponents`): later calls reuse what was seen, and every path a call changes is forgotten first.
 *
 * What this cannot close on a path-based API (SFTP has no dirfd operations): a component swapped and swapped
 * back between the two looks. Copies and moves of a dir's entries work from a held working dir
 * (copy-script.ts), which closes that window for the bulk of the data.
 */
export function withNoFollow(w: NodeWriter, mayLink: () => Promise<string | null> = async () => null): NodeWriter {
  const known = new KnownComponents();
  const look = async (paths: string[], finalToo: boolean): Promise<Map<string, string>> => {
    const allowed = await mayLink();
    const comps = [...new Set(paths.flatMap((p) => (finalToo ? componentsOf(p) : componentsOf(p).slice(0, -1))))];
    const unknown = comps.filter((c) => !known.kind(c));
    const o = unknown.length ? await w.lstatOwned(unknown) : null;
    const kinds = new Map(comps.map((c) => [c, known.kind(c) ?? o!.stats[c]?.kind ?? 'missing']));
    if (o) known.learn(comps, o);
    const kindOf = (c: string) => (c === allowed && kinds.get(c) === 'symlink' ? 'dir' : kinds.get(c));
    for (const p of paths) {
      const v = checkAncestorsNoLink(p, kindOf);
      if (!v.ok) throw new ClawError('NOFOLLOW', v.why, { node: w.node, path: v.path });
      if (finalToo && kinds.get(p) === 'symlink') throw new ClawError('NOFOLLOW', 'is a symlink: refusing to write through it', { node: w.node, path: p });
    }
    return kinds;
  };
  /** `changes`: what the call may change beyond `paths` themselves (forgotten, with what is below them). */
  const guarded = async <T>(paths: string[], call: () => Promise<T>, finalToo = false, changes: string[] = []): Promise<T> => {
    const before = await look(paths, finalToo);
    // an append changes a file's bytes, never its kind
    for (const p of [...(finalToo ? [] : paths), ...changes]) known.forget(p);
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
    // a command may change anything clawfleet may: nothing known is kept
    exec: (cmd) => {
      known.clear();
      return w.exec(cmd);
    },
    execWithFile: (cmd, file) => {
      known.clear();
      return w.execWithFile(cmd, file);
    },
    bootstrapFacts: (q) => w.bootstrapFacts(q),
    readFile: (p) => w.readFile(p),
    lstatOwned: (ps) => w.lstatOwned(ps),
    // clawfleet's own lock file, rewritten beside the other calls: its dir is checked by the lock's own code.
    writeHeartbeat: (p, d) => {
      known.forget(p);
      return w.writeHeartbeat(p, d);
    },
    mkdir: (p, m) => guarded([p], () => w.mkdir(p, m)),
    symlink: (t, p) => guarded([p], () => w.symlink(t, p)),
    writeFileAtomic: (p, d, m) => guarded([p], () => w.writeFileAtomic(p, d, m)),
    writeFileExclusive: (p, d, m) => guarded([p], () => w.writeFileExclusive(p, d, m)),
    appendFile: (p, d) => guarded([p], () => w.appendFile(p, d), true),
    rename: (f, t) => guarded([f, t], () => w.rename(f, t)),
    replace: (f, t) => guarded([f, t], () => w.replace(f, t)),
    copyTree: (f, t) => guarded([f, t], () => w.copyTree(f, t)),
    copyEntries: (c) => guarded([`${c.src}/x`, `${c.dest}/${c.tmp}`], () => w.copyEntries(c)),
    adoptEntries: (c) => guarded([`${c.dest}/${c.tmp}`], () => w.adoptEntries(c), false, [c.dest]),
    dropCopy: (c) => guarded([`${c.dest}/${c.tmp}`], () => w.dropCopy(c)),
    rmdir: (p) => guarded([p], () => w.rmdir(p)),
    unlink: (p) => guarded([p], () => w.unlink(p)),
    // the last component is looked at by the operations themselves (setOwner refuses a link, setLinkOwner needs one)
    setOwner: (p, o) => guarded([p], () => w.setOwner(p, o)),
    setLinkOwner: (p, o) => guarded([p], () => w.setLinkOwner(p, o)),
  };
}

/** The data root as the node names it (`~/…` against the login's home), for `withNoFollow`'s one expected link. */
export function dataRootOf(w: Pick<NodeWriter, 'home'>, dataRoot: string | undefined): () => Promise<string | null> {
  let resolved: Promise<string | null> | undefined;
  return () =>
    (resolved ??= (async () => {
      if (!dataRoot) return null;
      if (dataRoot === '~' || dataRoot.startsWith('~/')) return `${(await w.home()).replace(/\/+$/, '')}${dataRoot.slice(1)}`.replace(/\/+$/, '');
      return dataRoot.replace(/\/+$/, '') || '/';
    })());
}

/**
 * What is known for good about components, within one run: a component that exists in a dir only root or
 * the acting user can write to (owned by one of them, no group/other write bit, itself known for good, from
 * `/` down) keeps its kind until clawfleet itself changes it; clawfleet forgets every path it is about to
 * change (and what is below it). Everything else, e.g. what lies in a dir the gateway's user owns, is
 * looked at on every call. Root is trusted as it is everywhere else.
 */
class KnownComponents {
  private readonly kinds = new Map<string, OwnedStat['kind']>();
  /** Known components whose entries only root or the acting user can add, rename or remove. */
  private readonly closed = new Set<string>();

  kind(c: string): OwnedStat['kind'] | undefined {
    return this.kinds.get(c);
  }

  /** Learns from one lstat answer: `comps` top-down within each path (componentsOf order). */
  learn(comps: string[], o: OwnedStats): void {
    for (const c of [...comps].sort((a, b) => a.length - b.length)) {
      if (this.kinds.has(c)) continue;
      const s = o.stats[c];
      if (!s || s.kind === 'missing') continue;
      if (c !== '/' && !this.closed.has(parentOf(c))) continue;
      this.kinds.set(c, s.kind);
      if (onlyOwnersWrite(s, o.uid)) this.closed.add(c);
    }
  }

  forget(p: string): void {
    if (p === '/') return this.clear();
    for (const k of [...this.kinds.keys()]) {
      if (k === p || k.startsWith(`${p}/`)) {
        this.kinds.delete(k);
        this.closed.delete(k);
      }
    }
  }

  clear(): void {
    this.kinds.clear();
    this.closed.clear();
  }
}
