import { ClawError } from '../domain/errors.js';
import { asideUndo } from './context.js';
import { mkdirp, statOne } from './fs-helpers.js';
import { parentOf } from '../shared/node-path.js';
import { undoLink } from './link-undo.js';
import type { Step, UndoOf } from './step.js';
import { checkSwapWindow, copyEntries, digestsOf, noteTarget } from './step-link.js';

/**
 * Move an agent dir whole under the data root (baseline `agentDir`): the dir's entries are copied into the
 * target by one `cp -a` (its SQLite DB with its -wal/-shm, as one family), verified against the dir's
 * manifest, and the dir is moved into the run's attic; a write into it meanwhile fails the action. This is a
 * link action without the link, so its undo is the link's: the target's current entries (what OpenClaw wrote
 * there since) are carried back into the dir, and the run's copies leave the data root.
 */
export const relocateStep: Step<'relocate'> = {
  undoInfo: (ctx, a, seq) => ({ kind: 'relocate', path: a.path, target: a.target, copied: a.copy, same: a.same, ...asideUndo(ctx, seq, a.path) }),

  async act(ctx, a, u, seq) {
    const m = await copyEntries(ctx, a, u);
    const digests = digestsOf(a, m);
    await noteTarget(ctx, a, seq, digests);
    await mkdirp(ctx.writer, parentOf(u.backup));
    await ctx.writer.rename(a.path, u.backup);
    if ((await statOne(ctx.writer, a.path)).kind !== 'missing') throw new ClawError('VERIFY', 'agent dir still there after its move', { node: ctx.node, path: a.path });
    if (a.copy.length > 0) await checkSwapWindow(ctx, a, u, digests);
  },

  undo: (ctx, u, call) => undoLink(ctx, asLinkUndo(u), call),

  describeUndo: (u) => `move the agent dir back to ${u.path}, carrying over what was written into ${u.target} since the apply`,
};

/** The relocation's undo record as the link undo it is (a dir moved behind a link, minus the link). */
function asLinkUndo(u: UndoOf<'relocate'>): UndoOf<'link'> {
  return { kind: 'link', path: u.path, target: u.target, from: 'dir', backup: u.backup, copied: u.copied, same: u.same, tmpPrefix: u.tmpPrefix };
}
