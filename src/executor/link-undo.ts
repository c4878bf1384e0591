import { ClawError } from '../domain/errors.js';
import type { Manifest } from '../domain/facts.js';
import { topLevelNames } from '../shared/manifest.js';
import type { JournalRecord } from './journal-schema.js';
import { runDirs, type RunContext } from './context.js';
import { mkdirp, moveAside, statOne } from './fs-helpers.js';
import { baseName, parentOf } from '../shared/node-path.js';
import type { UndoCall, UndoOutcome, UndoOf } from './step.js';
import { copyDirName, dropLinkTmp, entryDigest, pointTo } from './link-helpers.js';

type Undo = UndoOf<'link'>;
type Carry = Extract<JournalRecord, { t: 'carry' }>;

/** Where a link's undo puts things it takes out of the way (never deleted). */
function places(ctx: RunContext, u: Undo) {
  const d = runDirs(ctx);
  return {
    /** The run's copies (and the gateway's entries, once carried back) leave the data root to here. */
    undone: `${d.dataUndone}/${baseName(u.backup)}`,
    /** Older versions replaced by live data (same filesystem as the OpenClaw home). */
    superseded: `${d.attic}/superseded/${baseName(u.backup)}`,
  };
}

interface Decision {
  /** Entries of the target whose current version goes into the live dir. */
  carry: string[];
  /** Of those, the ones the gateway created after the apply. */
  created: string[];
  /** Entries of the moved dir the gateway deleted (through the link) after the apply: not brought back. */
  deleted: string[];
  /** Changed in both places (a write into the dir while it was moved, and through the link after): the target's wins. */
  conflicts: string[];
}

/**
 * Per top-level entry: which version is the live one. `had`: the target's names before the link; `d0`: each
 * moved entry's digest when it was verified; `tt`/`tb`: its digest in the target / in the dir to restore now.
 */
function decide(u: Undo, note: Carry, target: Manifest | null, staged: Manifest | null): Decision {
  const out: Decision = { carry: [], created: [], deleted: [], conflicts: [] };
  const brought = new Set([...u.copied, ...(u.same ?? [])]);
  const names = target ? topLevelNames(target).filter((n) => !n.startsWith(u.tmpPrefix)) : [];
  for (const n of names) {
    if (note.had.includes(n) && !brought.has(n)) continue; // the target's own: stays where it was
    const tt = entryDigest(target, n);
    const tb = entryDigest(staged, n);
    if (tt === tb) continue;
    if (!brought.has(n)) {
      out.carry.push(n);
      out.created.push(n);
      continue;
    }
    const d0 = note.digests[n] ?? null;
    if (d0 !== null && tb !== null && tb !== d0) {
      if (tt === d0) continue; // written into the dir while it was moved; the copy never changed: keep the dir's
      out.conflicts.push(n);
    }
    out.carry.push(n);
  }
  if (staged) {
    for (const n of brought) {
      if (names.includes(n) || entryDigest(staged, n) === null) continue;
      const d0 = note.digests[n];
      if (d0 === undefined || entryDigest(staged, n) === d0) out.deleted.push(n);
    }
  }
  return out;
}

/** Names in the target that belong to the live dir: brought by the dir, or created since (not the target's own). */
function movable(u: Undo, note: Carry, target: Manifest | null): string[] {
  const brought = new Set([...u.copied, ...(u.same ?? [])]);
  return (target ? topLevelNames(target) : []).filter((n) => !n.startsWith(u.tmpPrefix) && (brought.has(n) || !note.had.includes(n)));
}

/** Copies the target's current `n` into `dir` under a temp name, sets the old version aside, renames it in. */
async function carryIn(ctx: RunContext, u: Undo, dir: string, n: string): Promise<void> {
  const w = ctx.writer;
  const { superseded } = places(ctx, u);
  const tmp = `${dir}/${u.tmpPrefix}${n}`;
  await moveAside(w, tmp, `${superseded}/${u.tmpPrefix}${n}`); // a crash's leftover
  await w.copyTree(`${u.target}/${n}`, tmp);
  await moveAside(w, `${dir}/${n}`, `${superseded}/${n}`);
  await w.rename(tmp, `${dir}/${n}`);
}

/**
 * Rollback of a link restores the layout, never the past of the data: the gateway kept writing through the link
 * after the apply, so the live dir gets the target's current version of every entry the dir brought or the
 * gateway created (anything it replaces is kept in the attic), and only then do the run's copies leave the
 * data root. Idempotent by state: safe after a crash at any point of apply or of an earlier rollback.
 */
export async function undoLink(ctx: RunContext, u: Undo, call: UndoCall): Promise<UndoOutcome> {
  const w = ctx.writer;
  if (u.from === 'symlink') {
    const f = await statOne(w, u.path);
    if (f.kind === 'symlink' && f.target !== u.oldTarget) await pointTo(ctx, u.path, u.oldTarget!, true);
    else if (f.kind === 'missing') await w.symlink(u.oldTarget!, u.path);
    await dropLinkTmp(ctx, u.path); // a crash between making the new link and the swap left it
    return {};
  }
  // A copy that was never moved in is only a copy (its source, the dir, was not moved yet): removed, not kept.
  if (u.from === 'dir') await w.dropCopy({ dest: u.target, tmp: copyDirName(u), base: ctx.layout.dataRoot });
  const note = call.notes.find((r): r is Carry => r.t === 'carry');
  const st = (await w.probe({ stat: [u.path, u.backup, u.target] })).stat;
  const f = st[u.path] ?? { kind: 'missing' };
  const linked = f.kind === 'symlink' && f.target === u.target;
  const out: UndoOutcome = { carried: [], notes: [] };
  const { superseded, undone } = places(ctx, u);
  /** The target at the last look before the unlink. */
  let lastTarget: Manifest | null = null;
  if (note && st[u.target]?.kind === 'dir' && (linked || f.kind === 'missing')) {
    const staged = st[u.backup]?.kind === 'dir';
    const m = (await w.probe({ manifest: staged ? [u.target, u.backup] : [u.target] })).manifest;
    const d = decide(u, note, m[u.target] ?? null, staged ? (m[u.backup] ?? null) : null);
    lastTarget = m[u.target] ?? null;
    if (d.carry.length > 0 && !staged) {
      await mkdirp(w, parentOf(u.backup));
      const t = st[u.target];
      await w.mkdir(u.backup, t?.kind === 'dir' ? t.mode : 0o700);
    }
    for (const n of d.carry) await carryIn(ctx, u, u.backup, n);
    for (const n of d.deleted) await moveAside(w, `${u.backup}/${n}`, `${superseded}/${n}`);
    // The gateway writes on while this runs: carry again what changed in the target meanwhile (a few rounds).
    const carried = new Set(d.carry);
    for (let round = 0; round < 3 && carried.size > 0; round++) {
      const again = (await w.probe({ manifest: [u.target, u.backup] })).manifest;
      const lastStaged = again[u.backup] ?? null;
      lastTarget = again[u.target] ?? null;
      const moved = movable(u, note, again[u.target] ?? null).filter((n) => carried.has(n) || entryDigest(lastStaged, n) === null);
      const stale = moved.filter((n) => entryDigest(again[u.target], n) !== entryDigest(lastStaged, n));
      if (stale.length === 0) break;
      for (const n of stale) {
        await carryIn(ctx, u, u.backup, n);
        if (!carried.has(n)) d.created.push(n);
        carried.add(n);
      }
    }
    out.carried = [...carried].map((n) => (d.created.includes(n) ? `${n} (new)` : `${n} (changed)`));
    if (d.conflicts.length) out.notes!.push(`${u.path}: ${d.conflicts.join(', ')} changed both in the moved dir and through the link: the later version is live, the other kept under ${superseded}`);
    if (d.deleted.length) out.notes!.push(`${u.path}: ${d.deleted.join(', ')} deleted through the link after the apply: not brought back (kept under ${superseded})`);
  }
  if (linked) await w.unlink(u.path);
  // The link is gone, so nothing reaches the target by its path any more: what arrived since the last look is
  // carried too, before the live dir is back (a write meanwhile fails on a missing dir; none is lost silently).
  if (note && (await statOne(w, u.backup)).kind === 'dir' && (await statOne(w, u.path)).kind === 'missing') {
    const now = (await w.probe({ manifest: [u.target, u.backup] })).manifest;
    for (const n of movable(u, note, now[u.target] ?? null)) {
      const tt = entryDigest(now[u.target], n);
      const tb = entryDigest(now[u.backup], n);
      // only what reached the target since the last look (the rest was decided above)
      if (tt === tb || tt === entryDigest(lastTarget, n)) continue;
      await carryIn(ctx, u, u.backup, n);
      if (!out.carried!.some((c) => c.startsWith(`${n} (`))) out.carried!.push(`${n} (${tb === null ? 'new' : 'changed'})`);
    }
  }
  if ((await statOne(w, u.path)).kind === 'missing' && (await statOne(w, u.backup)).kind === 'dir') await w.rename(u.backup, u.path);
  if ((await statOne(w, u.backup)).kind === 'dir') {
    throw new ClawError('CONFLICT', `a dir appeared at ${u.path} during the rollback: the live data carried back is at ${u.backup}; nothing was moved out of ${u.target}`, { node: ctx.node, path: u.path });
  }
  // What the run put into the target, and what the gateway created there, now lives in the live dir: move it
  // out of the data root (only once the live dir is back: until then the target may hold the only copy).
  if ((await statOne(w, u.path)).kind === 'dir') {
    const names = note ? ((await w.probe({ list: [u.target] })).list[u.target] ?? []).map((c) => c.name) : [];
    const created = names.filter((n) => !n.startsWith(u.tmpPrefix) && !note!.had.includes(n) && !u.copied.includes(n));
    for (const n of [...u.copied, ...created]) {
      await moveAside(w, `${u.target}/${u.tmpPrefix}${n}`, `${undone}/${u.tmpPrefix}${n}`);
      await moveAside(w, `${u.target}/${n}`, `${undone}/${n}`);
    }
  }
  if (!out.carried!.length) delete out.carried;
  if (!out.notes!.length) delete out.notes;
  return out;
}
