import type { EnsureDirAction } from '../domain/actions.js';
import type { RunContext } from './context.js';
import { moveAside, statOne } from './fs-helpers.js';
import type { UndoInfo } from './journal.js';
import { runDirs } from './context.js';

type Undo = Extract<UndoInfo, { kind: 'ensure-dir' }>;

export function undoInfo(a: EnsureDirAction): Undo {
  return { kind: 'ensure-dir', path: a.path };
}

export async function apply(ctx: RunContext, a: EnsureDirAction): Promise<void> {
  await ctx.writer.mkdir(a.path, a.mode);
}

/** Removes the dir when empty; one that gained content since is moved aside, never deleted. */
export async function undo(ctx: RunContext, u: Undo, seq: number): Promise<void> {
  const f = await statOne(ctx.writer, u.path);
  if (f.kind !== 'dir') return;
  const kids = (await ctx.writer.probe({ list: [u.path] })).list[u.path] ?? [];
  if (kids.length === 0) await ctx.writer.rmdir(u.path);
  else {
    const onData = u.path.startsWith(ctx.layout.dataRoot + '/');
    const base = onData ? runDirs(ctx).dataUndone : `${runDirs(ctx).attic}/undone`;
    await moveAside(ctx.writer, u.path, `${base}/${seq}-dir`);
  }
}
