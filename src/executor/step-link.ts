import type { LinkAction } from '../domain/actions.js';
import { ClawError } from '../domain/errors.js';
import { subManifest } from '../facts/manifest.js';
import { runDirs, type RunContext } from './context.js';
import { baseName, mkdirp, moveAside, parentOf, statOne } from './fs-helpers.js';
import type { UndoInfo } from './journal.js';

type Undo = Extract<UndoInfo, { kind: 'link' }>;

export function undoInfo(ctx: RunContext, a: LinkAction, seq: number): Undo {
  const u: Undo = {
    kind: 'link',
    path: a.path,
    target: a.target,
    from: a.expect.kind === 'dir' ? 'dir' : a.expect.kind === 'symlink' ? 'symlink' : 'missing',
    backup: `${runDirs(ctx).attic}/moved/${seq}-${baseName(a.path)}`,
    copied: a.copy,
    tmpPrefix: `.clawfleet-${ctx.runId}-`,
  };
  if (a.expect.kind === 'symlink') u.oldTarget = a.expect.target;
  return u;
}

/** Copy each entry under a temp name, then rename it in: a crash never leaves a half entry under its real name. */
async function copyEntries(ctx: RunContext, a: LinkAction, u: Undo): Promise<void> {
  const w = ctx.writer;
  const names = a.copy.map((n) => `${a.target}/${n}`);
  const st = (await w.probe({ stat: [a.target, ...names] })).stat;
  if (st[a.target]?.kind !== 'dir') throw new ClawError('STALE', 'link target is not a dir', { node: ctx.node, path: a.target });
  const taken = names.find((p) => st[p]?.kind !== 'missing');
  if (taken) throw new ClawError('STALE', 'appeared since plan: refusing to copy over it', { node: ctx.node, path: taken });
  // Entries are independent: copy them concurrently (a transport bounds its own parallelism), and wait
  // for every copy to settle before reporting a failure, so an undo never races a copy still running.
  // Then rename them in, in order (cheap calls, and the same sequence of writes on every run).
  const tmp = (n: string) => `${a.target}/${u.tmpPrefix}${n}`;
  const copies = await Promise.allSettled(a.copy.map((n) => w.copyTree(`${a.path}/${n}`, tmp(n))));
  const failed = copies.find((c): c is PromiseRejectedResult => c.status === 'rejected');
  if (failed) throw failed.reason;
  for (const n of a.copy) await w.rename(tmp(n), `${a.target}/${n}`);
  if (a.copy.length === 0) return;
  const r = await w.probe({ manifest: [a.path, a.target] });
  const src = r.manifest[a.path];
  const dst = r.manifest[a.target];
  for (const n of a.copy) {
    if (!src || !dst || subManifest(src, n).digest !== subManifest(dst, n).digest) {
      throw new ClawError('VERIFY', `copy of "${n}" differs from its source`, { node: ctx.node, path: a.target });
    }
  }
}

/** The new link is made under this name first, then renamed over the old one. */
const linkTmp = (ctx: RunContext, path: string): string => `${parentOf(path)}/.${baseName(path)}.clawfleet-link-${ctx.runId}`;

async function dropLinkTmp(ctx: RunContext, path: string): Promise<void> {
  const tmp = linkTmp(ctx, path);
  if ((await statOne(ctx.writer, tmp)).kind === 'symlink') await ctx.writer.unlink(tmp); // our own leftover
}

async function pointTo(ctx: RunContext, path: string, target: string, exists: boolean): Promise<void> {
  if (!exists) return ctx.writer.symlink(target, path);
  const tmp = linkTmp(ctx, path);
  await dropLinkTmp(ctx, path);
  await ctx.writer.symlink(target, tmp);
  await ctx.writer.replace(tmp, path); // atomic swap of one link for another
}

export async function apply(ctx: RunContext, a: LinkAction, u: Undo): Promise<void> {
  if (u.from === 'dir') {
    await copyEntries(ctx, a, u);
    await mkdirp(ctx.writer, parentOf(u.backup));
    await ctx.writer.rename(a.path, u.backup);
  }
  await pointTo(ctx, a.path, a.target, u.from === 'symlink');
  const f = await statOne(ctx.writer, a.path);
  if (f.kind !== 'symlink' || f.target !== a.target) {
    throw new ClawError('VERIFY', 'link does not point where planned', { node: ctx.node, path: a.path });
  }
}

/** Idempotent by state: safe to run after a crash at any point of apply. */
export async function undo(ctx: RunContext, u: Undo): Promise<void> {
  const w = ctx.writer;
  const f = await statOne(w, u.path);
  if (u.from === 'symlink') {
    if (f.kind === 'symlink' && f.target !== u.oldTarget) await pointTo(ctx, u.path, u.oldTarget!, true);
    else if (f.kind === 'missing') await w.symlink(u.oldTarget!, u.path);
    await dropLinkTmp(ctx, u.path); // a crash between making the new link and the swap left it
    return;
  }
  if (f.kind === 'symlink' && f.target === u.target) await w.unlink(u.path);
  if (u.from === 'dir') {
    const b = await statOne(w, u.backup);
    if (b.kind === 'dir' && (await statOne(w, u.path)).kind === 'missing') await w.rename(u.backup, u.path);
    const aside = `${runDirs(ctx).dataUndone}/${baseName(u.backup)}`;
    for (const n of u.copied) {
      await moveAside(w, `${u.target}/${u.tmpPrefix}${n}`, `${aside}/${u.tmpPrefix}${n}`);
      await moveAside(w, `${u.target}/${n}`, `${aside}/${n}`);
    }
  }
}
