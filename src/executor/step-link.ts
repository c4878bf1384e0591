import type { LinkAction } from '../domain/actions.js';
import { ClawError } from '../domain/errors.js';
import type { Manifest } from '../domain/facts.js';
import { fileBytes, sameByStamps } from '../shared/manifest.js';
import { RECHECK_BY_STAMPS_FROM } from './precheck.js';
import { asideUndo, type RunContext } from './context.js';
import { mkdirp, statOne } from './fs-helpers.js';
import { parentOf } from '../shared/node-path.js';
import { now } from './journal.js';
import { copyDirName, entryDigest, pointTo } from './link-helpers.js';
import { undoLink } from './link-undo.js';
import type { Step, UndoOf } from './step.js';

type Undo = Pick<UndoOf<'link'>, 'backup' | 'tmpPrefix'>;
/** What moving a dir's entries into a target needs of an action (a link's, or a relocation's). */
type Move = Pick<LinkAction, 'path' | 'target' | 'copy' | 'same'>;

/**
 * One `cp -a` of the dir's entries into a temp dir in the target (hard links, sparse files, FIFOs and byte
 * names kept: transport/copy-script.ts), verified against the manifest the precheck just read of the dir
 * (the source is not read again), then moved in. Until then the original dir is untouched; a failed copy
 * leaves no copy behind. Returns the dir's manifest the copy was verified against (null when nothing was copied).
 */
export async function copyEntries(ctx: RunContext, a: Move, u: Undo): Promise<Manifest | null> {
  const w = ctx.writer;
  const names = a.copy.map((n) => `${a.target}/${n}`);
  const st = (await w.probe({ stat: [a.target, ...names] })).stat;
  if (st[a.target]?.kind !== 'dir') throw new ClawError('STALE', 'link target is not a dir', { node: ctx.node, path: a.target });
  const taken = names.find((p) => st[p]?.kind !== 'missing');
  if (taken) throw new ClawError('STALE', 'appeared since plan: refusing to copy over it', { node: ctx.node, path: taken });
  if (a.copy.length === 0) return null;
  const tmp = copyDirName(u);
  const copyPath = `${a.target}/${tmp}`;
  const base = ctx.layout.dataRoot;
  await w.copyEntries({ src: a.path, dest: a.target, tmp, base });
  const src = ctx.checked?.path === a.path ? ctx.checked.manifest : null;
  const r = await w.probe({ manifest: src ? [copyPath] : [copyPath, a.path] });
  const from = src ?? r.manifest[a.path];
  const copy = r.manifest[copyPath];
  for (const n of a.copy) {
    if (!from || !copy || entryDigest(from, n) !== entryDigest(copy, n)) {
      throw new ClawError('VERIFY', `copy of "${n}" differs from its source`, { node: ctx.node, path: a.target });
    }
  }
  await w.adoptEntries({ src: a.path, dest: a.target, tmp, base, drop: a.same });
  return from ?? null;
}

/** Digests of the entries the dir brought (copied, or already the same in the target), as verified in the dir. */
export function digestsOf(a: Move, m: Manifest | null): Record<string, string> {
  const digests: Record<string, string> = {};
  for (const n of [...a.copy, ...a.same]) {
    const d = entryDigest(m, n);
    if (d) digests[n] = d;
  }
  return digests;
}

/**
 * Journals what the target held before the link (and the digests of the entries the dir brought), so a
 * rollback tells the gateway's later writes from what was there.
 */
export async function noteTarget(ctx: RunContext, a: Move, seq: number, digests: Record<string, string>): Promise<void> {
  const names = ((await ctx.writer.probe({ list: [a.target] })).list[a.target] ?? []).map((c) => c.name);
  await ctx.journal.write({ t: 'carry', seq, had: names.filter((n) => !a.copy.includes(n)), digests, at: now() });
}

/** Make `path` a symlink to `target`; a real dir there has its entries copied into `target` first. */
export const linkStep: Step<'link'> = {
  undoInfo(ctx, a, seq) {
    const u: UndoOf<'link'> = {
      kind: 'link',
      path: a.path,
      target: a.target,
      from: a.expect.kind === 'dir' ? 'dir' : a.expect.kind === 'symlink' ? 'symlink' : 'missing',
      copied: a.copy,
      same: a.same,
      ...asideUndo(ctx, seq, a.path),
    };
    if (a.expect.kind === 'symlink') u.oldTarget = a.expect.target;
    return u;
  },

  async act(ctx, a, u, seq) {
    let digests: Record<string, string> = {};
    if (u.from === 'dir') {
      const m = await copyEntries(ctx, a, u);
      digests = digestsOf(a, m);
      await noteTarget(ctx, a, seq, digests);
      await mkdirp(ctx.writer, parentOf(u.backup));
      await ctx.writer.rename(a.path, u.backup);
    } else if (u.from === 'missing') await noteTarget(ctx, a, seq, digests);
    await pointTo(ctx, a.path, a.target, u.from === 'symlink', a.owner);
    const f = await statOne(ctx.writer, a.path);
    if (f.kind !== 'symlink' || f.target !== a.target) {
      throw new ClawError('VERIFY', 'link does not point where planned', { node: ctx.node, path: a.path });
    }
    if (u.from === 'dir' && a.copy.length > 0) await checkSwapWindow(ctx, a, u, digests);
  },

  undo: undoLink,

  describeUndo: (u) =>
    u.from === 'symlink'
      ? `point ${u.path} back to ${u.oldTarget ?? '?'}`
      : u.from === 'dir'
        ? `make ${u.path} a real dir again, carrying over what was written into ${u.target} since the apply`
        : `remove the link ${u.path} (a real dir with what was written into ${u.target} since the apply, if anything)`,
};

/**
 * A write into the dir between the copies' verification and its move aside (the gateway keeps running) would
 * be left behind in the attic: compare the moved dir with what was verified, and fail the action (its undo
 * keeps that write) rather than hide it.
 */
export async function checkSwapWindow(ctx: RunContext, a: Move, u: Undo, digests: Record<string, string>): Promise<void> {
  // The moved dir keeps its files' inodes and ctimes: when every stamp is as verified, nothing was written.
  const verified = ctx.checked?.path === a.path ? ctx.checked.manifest : undefined;
  if (verified?.at !== undefined && fileBytes(verified) >= RECHECK_BY_STAMPS_FROM) {
    const q = (await ctx.writer.probe({ quick: [u.backup] })).quick?.[u.backup];
    if (q && sameByStamps(verified, q)) return;
  }
  const m = (await ctx.writer.probe({ manifest: [u.backup] })).manifest[u.backup];
  for (const n of a.copy) {
    if (entryDigest(m, n) !== (digests[n] ?? null)) {
      throw new ClawError('VERIFY', `"${n}" changed while the dir was being moved behind its link: rolling back so that write is kept`, { node: ctx.node, path: a.path });
    }
  }
}
