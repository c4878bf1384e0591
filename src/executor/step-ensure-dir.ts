import { runDirs } from './context.js';
import { moveAside, statOne } from './fs-helpers.js';
import type { Step } from './step.js';

/** Create a missing dir; its undo removes it when empty, and moves one that gained content aside (never deletes). */
export const ensureDirStep: Step<'ensure-dir'> = {
  undoInfo: (_ctx, a) => ({ kind: 'ensure-dir', path: a.path }),

  async act(ctx, a) {
    await ctx.writer.mkdir(a.path, a.mode);
    // Owner after the mkdir (the dir is empty and not yet linked to: nobody uses it before it is right).
    if (a.owner) await ctx.writer.setOwner(a.path, { ...a.owner, mode: a.mode });
  },

  async undo(ctx, u, { seq }) {
    const f = await statOne(ctx.writer, u.path);
    if (f.kind !== 'dir') return {};
    const kids = (await ctx.writer.probe({ list: [u.path] })).list[u.path] ?? [];
    if (kids.length === 0) {
      await ctx.writer.rmdir(u.path);
      return {};
    }
    const onData = u.path.startsWith(ctx.layout.dataRoot + '/');
    const to = `${onData ? runDirs(ctx).dataUndone : `${runDirs(ctx).attic}/undone`}/${seq}-dir`;
    await moveAside(ctx.writer, u.path, to);
    return { notes: [`${u.path} was created by the run and is not empty: moved to ${to}`] };
  },

  describeUndo: (u) => `remove the dir ${u.path} (moved aside if not empty)`,
};
