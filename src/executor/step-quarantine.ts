import { runDirs } from './context.js';
import { mkdirp, statOne } from './fs-helpers.js';
import { parentOf } from '../shared/node-path.js';
import type { Step } from './step.js';

/** Move an orphan agent dir into the run's quarantine: a rename on the same filesystem, nothing copied or deleted. */
export const quarantineStep: Step<'quarantine'> = {
  undoInfo: (ctx, a) => ({ kind: 'quarantine', path: a.path, to: `${runDirs(ctx).attic}/quarantine/${a.agentId}` }),

  async act(ctx, _a, u) {
    await mkdirp(ctx.writer, parentOf(u.to));
    await ctx.writer.rename(u.path, u.to);
  },

  async undo(ctx, u) {
    const [here, there] = await Promise.all([statOne(ctx.writer, u.path), statOne(ctx.writer, u.to)]);
    if (there.kind !== 'missing' && here.kind === 'missing') await ctx.writer.rename(u.to, u.path);
    return {};
  },

  describeUndo: (u) => `move ${u.to} back to ${u.path}`,
};
