import { ClawError } from '../domain/errors.js';
import { statOne } from './fs-helpers.js';
import type { Step } from './step.js';

import { ownershipOf, sameOwnership, showOwnership as show } from '../planner/ownership.js';

/**
 * Give a dir or file the owner, group and mode the gateway needs. Refused when the path no longer has what was
 * planned against (someone changed it since); its undo puts back exactly what it had (and says so when it found
 * neither what it had nor what the run gave it).
 */
export const setOwnerStep: Step<'set-owner'> = {
  undoInfo: (_ctx, a) => ({ kind: 'set-owner', path: a.path, from: a.from, to: a.to }),

  async act(ctx, a) {
    const now = ownershipOf(await statOne(ctx.writer, a.path));
    if (!sameOwnership(now, a.from)) {
      throw new ClawError('STALE', `owner or mode changed since plan (planned against ${show(a.from)}${now ? `, found ${show(now)}` : ''})`, { node: ctx.node, path: a.path });
    }
    await ctx.writer.setOwner(a.path, a.to);
    if (!sameOwnership(ownershipOf(await statOne(ctx.writer, a.path)), a.to)) {
      throw new ClawError('VERIFY', `owner or mode does not read back as ${show(a.to)}`, { node: ctx.node, path: a.path });
    }
  },

  async undo(ctx, u) {
    const now = ownershipOf(await statOne(ctx.writer, u.path));
    if (now === null || sameOwnership(now, u.from)) return {};
    // Neither before nor after: a crash between the chown and the chmod, or a change since; `from` is restored.
    await ctx.writer.setOwner(u.path, u.from);
    return sameOwnership(now, u.to) ? {} : { notes: [`${u.path} had ${show(now)} (not what the run set): restored to ${show(u.from)}`] };
  },

  describeUndo: (u) => `give ${u.path} back owner, group and mode ${show(u.from)}`,
};
