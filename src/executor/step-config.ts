import { ClawError } from '../domain/errors.js';
import { mergedText } from '../json5-editor/merged-text.js';
import { configDiff } from '../json5-editor/unified-diff.js';
import { sha256Hex } from '../shared/manifest.js';
import { redactText } from '../shared/redact.js';
import { runDirs, type RunContext } from './context.js';
import { mkdirp, moveAside, statOne } from './fs-helpers.js';
import { baseName, parentOf } from '../shared/node-path.js';
import type { UndoOf, Step } from './step.js';
import { validateCandidate } from './openclaw-validate.js';

type Undo = UndoOf<'merge-config'>;

/** What undo finds: nothing to do, the original to put back, or a file someone changed after the apply. */
async function undoState(ctx: RunContext, u: Undo): Promise<'nothing' | 'restore' | 'changed-since'> {
  const w = ctx.writer;
  const [f, b] = await Promise.all([statOne(w, u.path), u.existed ? statOne(w, u.backup) : Promise.resolve(null)]);
  if (!u.existed) return f.kind !== 'file' ? 'nothing' : f.sha256 === u.afterSha256 ? 'restore' : 'changed-since';
  if (b?.kind !== 'file') return 'nothing'; // the backup was never taken: the file was never touched
  // An interrupted backup (a crash while writing it) means the file was never swapped.
  if (u.beforeSha256 && b.sha256 !== u.beforeSha256) return 'nothing';
  if (f.kind === 'file' && f.sha256 === b.sha256 && f.mode === (u.owner?.mode ?? u.mode) && (!u.owner || (f.uid === u.owner.uid && f.gid === u.owner.gid))) return 'nothing';
  if (f.kind === 'file' && f.sha256 !== u.afterSha256 && f.sha256 !== b.sha256) return 'changed-since';
  return 'restore';
}

/** The redacted diff from the config as it is now to what rollback would write (the original, or no file). */
async function diffToOriginal(ctx: RunContext, u: Undo): Promise<string> {
  const now = (await ctx.writer.readFile(u.path)).toString('utf8');
  const orig = u.existed ? (await ctx.writer.readFile(u.backup)).toString('utf8') : '';
  return redactText(configDiff(u.path.replace(/^\/+/, ''), now, orig));
}

/**
 * Add absent config keys: back up, recompute the planned merge from the very bytes planned against, write it as
 * a candidate, have the node's OpenClaw validate it, swap it in atomically, verify.
 */
export const configStep: Step<'merge-config'> = {
  undoInfo(ctx, a, seq) {
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
      // The owner and group the file had when planned against: rollback gives them back with its bytes.
      ...(a.before ? { owner: a.before } : {}),
    };
  },

  async act(ctx, a, u) {
    const w = ctx.writer;
    let before: string | null = null;
    if (u.existed) {
      const buf = await w.readFile(a.path);
      await mkdirp(w, runDirs(ctx).configBackups);
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
    if (a.owner) await w.setOwner(u.tmp!, { ...a.owner, mode: u.mode });
    await validateCandidate(ctx, u.tmp!, `${u.aside}.candidate`, a.path);
    if (u.existed) await w.replace(u.tmp!, a.path);
    else await w.rename(u.tmp!, a.path); // fails if a file appeared there since the plan
    const f = await statOne(w, a.path);
    const ownerWrong = a.owner !== undefined && (f.kind !== 'file' || f.uid !== a.owner.uid || f.gid !== a.owner.gid);
    if (f.kind !== 'file' || f.sha256 !== a.afterSha256 || f.mode !== u.mode || ownerWrong) {
      throw new ClawError('VERIFY', 'written config does not read back as planned', { node: ctx.node, path: a.path });
    }
  },

  /** A config changed after the apply (by the operator, OpenClaw itself, another tool) is not undone unasked. */
  async refuseUndo(ctx, u, call) {
    if (call.forceConfig || (await undoState(ctx, u)) !== 'changed-since') return null;
    const diff = await diffToOriginal(ctx, u);
    return `changed after the apply; rolling back would undo those changes too (rollback --force-config restores the original and keeps the current file aside):\n${diff}`;
  },

  /** Puts the original bytes and mode back (or removes a file the run created); a changed file only with forceConfig. */
  async undo(ctx, u, call) {
    const w = ctx.writer;
    if (u.tmp) await moveAside(w, u.tmp, `${u.aside}.candidate`); // left by a crash before the swap
    const state = await undoState(ctx, u);
    if (state === 'nothing') return {};
    const notes: string[] = [];
    if (state === 'changed-since') {
      if (!call.forceConfig) {
        const where = u.existed ? `; original kept at ${u.backup}` : '';
        throw new ClawError('CONFLICT', `changed after apply by someone else${where} (rollback --force-config restores it)`, { node: ctx.node, path: u.path });
      }
      await mkdirp(w, parentOf(u.aside));
      await w.writeFileExclusive(`${u.aside}.changed-${Date.now()}`, await w.readFile(u.path), 0o600);
      notes.push(`${u.path} had changed after the apply (--force-config): that version is kept at ${u.aside}.changed-*`);
    }
    if (!u.existed) {
      await moveAside(w, u.path, u.aside);
      return { notes };
    }
    // Written beside the file, given its owner, then renamed over it: the gateway never sees a root-owned config.
    const back = `${u.tmp ?? `${u.path}.clawfleet-undo`}.undo`;
    if ((await statOne(w, back)).kind !== 'missing') await moveAside(w, back, `${u.aside}.undo-candidate`);
    await w.writeFileExclusive(back, await w.readFile(u.backup), u.owner?.mode ?? u.mode);
    if (u.owner) await w.setOwner(back, u.owner);
    await w.replace(back, u.path);
    return { notes };
  },

  describeUndo: (u) => (u.existed ? `restore ${u.path} from ${u.backup}` : `move ${u.path} (created by the run) aside`),
};
