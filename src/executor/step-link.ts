import type { LinkAction } from '../domain/actions.js';
import { ClawError } from '../domain/errors.js';
import { subManifest } from '../facts/manifest.js';
import { runDirs, type RunContext } from './context.js';
import { baseName, mkdirp, parentOf, statOne } from './fs-helpers.js';
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

/** The dir (in the link target) the entries are copied into before they are renamed in; never an entry name. */
export const copyDirName = (runId: string): string => `.clawfleet-${runId}.copy`;

/**
 * One `cp -a` of every entry into a temp dir in the target (hard links, sparse files, FIFOs and byte names
 * kept: transport/copy-script.ts), verified against the manifest the precheck just read of the source (the
 * source is not read again), then renamed in. Until then the original dir is untouched.
 */
async function copyEntries(ctx: RunContext, a: LinkAction): Promise<void> {
  const w = ctx.writer;
  const names = a.copy.map((n) => `${a.target}/${n}`);
  const st = (await w.probe({ stat: [a.target, ...names] })).stat;
  if (st[a.target]?.kind !== 'dir') throw new ClawError('STALE', 'link target is not a dir', { node: ctx.node, path: a.target });
  const taken = names.find((p) => st[p]?.kind !== 'missing');
  if (taken) throw new ClawError('STALE', 'appeared since plan: refusing to copy over it', { node: ctx.node, path: taken });
  if (a.copy.length === 0) return;
  const tmp = copyDirName(ctx.runId);
  await w.copyEntries({ src: a.path, names: a.copy, dest: a.target, tmp });
  const src = ctx.checked?.path === a.path ? ctx.checked.manifest : null;
  const r = await w.probe({ manifest: [`${a.target}/${tmp}`, ...(src ? [] : [a.path])] });
  const from = src ?? r.manifest[a.path];
  const copy = r.manifest[`${a.target}/${tmp}`];
  for (const n of a.copy) {
    if (!from || !copy || subManifest(from, n).digest !== subManifest(copy, n).digest) {
      throw new ClawError('VERIFY', `copy of "${n}" differs from its source`, { node: ctx.node, path: a.target });
    }
  }
  await w.moveEntries({ base: a.target, moves: a.copy.map((n) => ({ from: `${tmp}/${n}`, to: n })), missingOk: false });
  await w.rmdir(`${a.target}/${tmp}`);
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
    await copyEntries(ctx, a);
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
    if ((await statOne(w, u.target)).kind !== 'dir' || u.copied.length === 0) return;
    // A copy that never got renamed in is only a copy (its source is the dir just restored): removed.
    await w.dropCopy(u.target, copyDirName(ctx.runId));
    // What was renamed in goes aside, never deleted (names are bytes: moved by the node's own mv).
    const aside = `${runDirs(ctx).dataUndone}/${baseName(u.backup)}`;
    await mkdirp(w, aside);
    const moves = u.copied.flatMap((n) => [
      { from: `${u.tmpPrefix}${n}`, to: `${aside}/${u.tmpPrefix}${n}` }, // journals of older versions
      { from: n, to: `${aside}/${n}` },
    ]);
    await w.moveEntries({ base: u.target, moves, missingOk: true });
  }
}
