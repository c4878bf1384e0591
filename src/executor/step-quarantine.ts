import type { QuarantineAction } from '../domain/actions.js';
import { runDirs, type RunContext } from './context.js';
import { mkdirp, parentOf, statOne } from './fs-helpers.js';
import type { UndoInfo } from './journal.js';

type Undo = Extract<UndoInfo, { kind: 'quarantine' }>;

export function undoInfo(ctx: RunContext, a: QuarantineAction): Undo {
  return { kind: 'quarantine', path: a.path, to: `${runDirs(ctx).attic}/quarantine/${a.agentId}` };
}

/** A rename on the same filesystem: atomic, nothing copied, nothing deleted. */
export async function apply(ctx: RunContext, _a: QuarantineAction, u: Undo): Promise<void> {
  await mkdirp(ctx.writer, parentOf(u.to));
  await ctx.writer.rename(u.path, u.to);
}

export async function undo(ctx: RunContext, u: Undo): Promise<void> {
  const [here, there] = await Promise.all([statOne(ctx.writer, u.path), statOne(ctx.writer, u.to)]);
  if (there.kind !== 'missing' && here.kind === 'missing') await ctx.writer.rename(u.to, u.path);
}
