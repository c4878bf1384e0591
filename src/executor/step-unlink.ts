import { ClawError } from '../domain/errors.js';
import { topLevelNames } from '../shared/manifest.js';
import { asideUndo, runDirs } from './context.js';
import { mkdirp, statOne } from './fs-helpers.js';
import { baseName, parentOf } from '../shared/node-path.js';
import { now } from './journal.js';
import { pointTo } from './link-helpers.js';
import { undoLink } from './link-undo.js';
import type { Step, UndoOf } from './step.js';
import { copyEntries } from './step-link.js';

/**
 * A retired link becomes a real dir again (the transition to a baseline without links). This is exactly the
 * rollback of a link made to a fresh target (link-undo.ts), applied forward: every entry of the target is
 * copied into a dir staged in the attic, the link is removed, the dir renamed into its place, and only then
 * do the target's entries leave the data root (into the run's undone dir: nothing is deleted).
 */
export const unlinkStep: Step<'unlink'> = {
  undoInfo: (ctx, a, seq) => ({ kind: 'unlink', path: a.path, target: a.target, ...asideUndo(ctx, seq, a.path) }),

  async act(ctx, a, u, seq) {
    // The dir is staged first, with the target's mode, so an empty target becomes an empty dir too.
    const t = await statOne(ctx.writer, u.target);
    if (t.kind !== 'dir') throw new ClawError('STALE', `link target is ${t.kind}, not a dir`, { node: ctx.node, path: u.target });
    if ((await statOne(ctx.writer, u.backup)).kind === 'missing') {
      await mkdirp(ctx.writer, parentOf(u.backup));
      await ctx.writer.mkdir(u.backup, t.mode);
      // the dir gets the target's owner and group (the gateway's), as a link's target carried its dir's
      if (t.uid !== undefined && t.gid !== undefined) await ctx.writer.setOwner(u.backup, { uid: t.uid, gid: t.gid, mode: t.mode });
    }
    const lu: UndoOf<'link'> = { kind: 'link', path: u.path, target: u.target, from: 'missing', backup: u.backup, copied: [], same: [], tmpPrefix: u.tmpPrefix };
    await undoLink(ctx, lu, { seq, notes: [{ t: 'carry', seq, had: [], digests: {}, at: now() }], forceConfig: false });
    const f = await statOne(ctx.writer, a.path);
    if (f.kind !== 'dir') throw new ClawError('VERIFY', `expected a real dir after the unlink, found ${f.kind}`, { node: ctx.node, path: a.path });
  },

  /**
   * The link again, with the dir's current entries (what the gateway wrote since included) copied into the
   * target first; the dir itself is kept in the attic. An entry the target holds again meanwhile is a conflict.
   */
  async undo(ctx, u) {
    const w = ctx.writer;
    const f = await statOne(w, u.path);
    if (f.kind === 'symlink' && f.target === u.target) return {};
    if (f.kind === 'missing') {
      await w.symlink(u.target, u.path);
      return {};
    }
    if (f.kind !== 'dir') throw new ClawError('CONFLICT', `cannot restore the link: found ${f.kind}`, { node: ctx.node, path: u.path });
    const m = (await w.probe({ manifest: [u.path, u.target] })).manifest;
    const names = topLevelNames(m[u.path]!);
    const there = new Set(m[u.target] ? topLevelNames(m[u.target]!) : []);
    const clash = names.find((n) => there.has(n));
    if (clash) throw new ClawError('CONFLICT', `"${clash}" is in ${u.target} again: cannot restore the link without overwriting it`, { node: ctx.node, path: u.path });
    const back = { backup: `${runDirs(ctx).attic}/relinked/${baseName(u.backup)}`, tmpPrefix: u.tmpPrefix };
    await copyEntries(ctx, { path: u.path, target: u.target, copy: names, same: [] }, back);
    await mkdirp(w, parentOf(back.backup));
    await w.rename(u.path, back.backup);
    await pointTo(ctx, u.path, u.target, false);
    return { notes: [`${u.path}: the dir is kept at ${back.backup}`] };
  },

  describeUndo: (u) => `make ${u.path} a link to ${u.target} again, its current entries copied there`,
};
