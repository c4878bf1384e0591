import type { MergeConfigAction } from '../domain/actions.js';
import { ClawError } from '../domain/errors.js';
import { mergedText } from '../config/merged-text.js';
import { sha256Hex } from '../facts/manifest.js';
import { runDirs, type RunContext } from './context.js';
import { baseName, mkdirp, moveAside, parentOf, statOne } from './fs-helpers.js';
import type { UndoInfo } from './journal.js';
import { validateCandidate } from './openclaw-validate.js';

type Undo = Extract<UndoInfo, { kind: 'merge-config' }>;

export function undoInfo(ctx: RunContext, a: MergeConfigAction, seq: number): Undo {
  const d = runDirs(ctx);
  return {
    kind: 'merge-config',
    path: a.path,
    existed: a.expect.kind === 'file',
    // Never named openclaw.json.bak.*: OpenClaw deletes those on every write.
    backup: `${d.configBackups}/${seq}-${baseName(a.path)}.orig`,
    mode: a.mode,
    afterSha256: a.afterSha256,
    aside: `${d.attic}/undone/${seq}-${baseName(a.path)}`,
    // Named by the run, so a crash between writing the candidate and the rename leaves nothing rollback cannot find.
    tmp: `${parentOf(a.path)}/.${baseName(a.path)}.clawfleet-${ctx.runId}`,
    ...(a.expect.kind === 'file' ? { beforeSha256: a.expect.sha256 } : {}),
  };
}

/**
 * Back up, recompute the planned merge from the very bytes planned against, write it as a candidate, have the
 * node's OpenClaw validate it, swap it in atomically, verify.
 */
export async function apply(ctx: RunContext, a: MergeConfigAction, u: Undo): Promise<void> {
  const w = ctx.writer;
  let before: string | null = null;
  if (u.existed) {
    const buf = await w.readFile(a.path);
    await mkdirp(w, ctx.layout.stateDir + '/runs/' + ctx.runId + '/config');
    await w.writeFileExclusive(u.backup, buf, 0o600);
    before = buf.toString('utf8');
    if (sha256Hex(buf) !== (a.expect as { sha256: string }).sha256) {
      throw new ClawError('STALE', 'changed since plan', { node: ctx.node, path: a.path });
    }
  }
  const text = mergedText(before, a.sections).text;
  if (sha256Hex(text) !== a.afterSha256) {
    throw new ClawError('VERIFY', 'merge result differs from the planned one', { node: ctx.node, path: a.path });
  }
  // The candidate next to the live file: the node's own OpenClaw validates it before it is renamed into place.
  await w.writeFileExclusive(u.tmp!, text, u.mode);
  await validateCandidate(ctx, u.tmp!, `${u.aside}.candidate`, a.path);
  if (u.existed) await w.replace(u.tmp!, a.path);
  else await w.rename(u.tmp!, a.path); // fails if a file appeared there since the plan
  const f = await statOne(w, a.path);
  if (f.kind !== 'file' || f.sha256 !== a.afterSha256 || f.mode !== u.mode) {
    throw new ClawError('VERIFY', 'written config does not read back as planned', { node: ctx.node, path: a.path });
  }
}

/** Puts the original bytes and mode back (only if ours is still what is there, or the file is gone). */
export async function undo(ctx: RunContext, u: Undo): Promise<void> {
  const w = ctx.writer;
  if (u.tmp) await moveAside(w, u.tmp, `${u.aside}.candidate`); // left by a crash before the swap
  const f = await statOne(w, u.path);
  if (!u.existed) {
    if (f.kind === 'file') await moveAside(w, u.path, u.aside);
    return;
  }
  const b = await statOne(w, u.backup);
  if (b.kind !== 'file') return; // the backup was never taken: the file was never touched
  // An interrupted backup (a crash while writing it) means the file was never swapped.
  if (u.beforeSha256 && b.sha256 !== u.beforeSha256) return;
  if (f.kind === 'file' && f.sha256 === b.sha256 && f.mode === u.mode) return;
  if (f.kind === 'file' && f.sha256 !== u.afterSha256 && f.sha256 !== b.sha256) {
    throw new ClawError('CONFLICT', `changed after apply by someone else; original kept at ${u.backup}`, { node: ctx.node, path: u.path });
  }
  await w.writeFileAtomic(u.path, await w.readFile(u.backup), u.mode);
}
