import { ClawError } from '../domain/errors.js';
import type { NodeWriter } from '../transport/types.js';
import { trustedOwnDir } from './state-trust.js';

export interface LockHolder {
  runId: string;
  by: string;
  pid: number;
  at: string;
  purpose: string;
}

export const lockDir = (stateDir: string): string => `${stateDir}/lock`;

async function readHolder(w: NodeWriter, stateDir: string): Promise<{ locked: boolean; holder: LockHolder | null }> {
  const f = `${lockDir(stateDir)}/holder.json`;
  const r = await w.probe({ stat: [lockDir(stateDir)], read: [f] });
  return { locked: r.stat[lockDir(stateDir)]?.kind === 'dir', holder: parseHolder(r.read[f]) };
}

function parseHolder(text: string | null | undefined): LockHolder | null {
  try {
    return text ? (JSON.parse(text) as LockHolder) : null;
  } catch {
    return null; // torn by a crash while it was written
  }
}

/** A lock just taken has no holder.json for a moment: wait for it (up to ~2 s) before calling it unknown. */
async function awaitHolder(w: NodeWriter, stateDir: string): Promise<{ locked: boolean; holder: LockHolder | null }> {
  let r = await readHolder(w, stateDir);
  for (let i = 0; i < 20 && r.locked && !r.holder; i++) {
    await new Promise((res) => setTimeout(res, 100));
    r = await readHolder(w, stateDir);
  }
  return r;
}

/** mkdir is atomic on every filesystem and over SFTP: exactly one concurrent caller wins. */
/** Why a run's journal would be refused by rollback (null: it would be accepted). */
export type RunTrust = (runId: string) => Promise<string | null>;

export async function acquireLock(w: NodeWriter, stateDir: string, holder: LockHolder, trust?: RunTrust): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await w.mkdir(lockDir(stateDir), 0o700);
      break;
    } catch (e) {
      const { locked, holder: h } = await awaitHolder(w, stateDir);
      // Released between our mkdir and our look (another run just finished): try again.
      if (!locked && attempt < 3 && e instanceof ClawError && e.code === 'EEXIST') continue;
      if (!locked) throw e; // not a lock held by anyone: a real error (read-only, full, permissions…)
      const distrust = h && h.purpose === 'apply' && trust ? await trust(h.runId) : null;
      throw lockedError(w, stateDir, h, distrust);
    }
  }
  try {
    await w.writeFileExclusive(`${lockDir(stateDir)}/holder.json`, JSON.stringify(holder) + '\n', 0o600);
  } catch (e) {
    await w.rmdir(lockDir(stateDir)).catch(() => undefined);
    throw e;
  }
}

/** Like Terraform's force-unlock: a lock is never broken implicitly, the message says how. */
function lockedError(w: NodeWriter, stateDir: string, h: LockHolder | null, distrust: string | null): ClawError {
  const msg = h
    ? `node is locked by run ${h.runId} by ${h.by} since ${h.at} (${h.purpose}); if that run died: clawfleet unlock --run ${h.runId} --limit ${w.node}` +
      (h.purpose !== 'apply'
        ? ''
        : distrust === null
          ? `, then clawfleet rollback ${h.runId} --limit ${w.node} to undo what it did`
          : `; do NOT roll it back: its journal fails validation, inspect it by hand (${distrust.replace(/^[^:]+: /, '')})`)
    : `node is locked by an unknown holder (a run died while taking the lock); if no run is active: clawfleet unlock --run unknown --limit ${w.node}`;
  return new ClawError('LOCKED', msg, { node: w.node, path: lockDir(stateDir) });
}

async function releaseOnce(w: NodeWriter, stateDir: string, runId: string | null): Promise<void> {
  const f = `${lockDir(stateDir)}/holder.json`;
  const runDir = runId === null ? null : `${stateDir}/runs/${runId}`;
  const r = await w.probe({ stat: [f, lockDir(stateDir), ...(runDir ? [runDir] : [])], read: [f] });
  const holder = parseHolder(r.read[f]);
  // Never release a lock someone else took after ours was broken (clawfleet unlock) under us.
  if (runId !== null && holder && holder.runId !== runId) {
    throw new ClawError('LOCKED', `lock is now held by run ${holder.runId}: left as it is`, { node: w.node, path: lockDir(stateDir) });
  }
  if (r.stat[lockDir(stateDir)]?.kind !== 'dir') return;
  // One atomic rename into the run's own dir: a crash never leaves a lock without its holder behind.
  if (runDir && r.stat[runDir]?.kind === 'dir') return w.rename(lockDir(stateDir), `${runDir}/lock-released-${Date.now()}`);
  if (r.stat[f]?.kind === 'file') await w.unlink(f);
  await w.rmdir(lockDir(stateDir));
}

/** Releases the lock `runId` holds (null: whoever holds it); one retry, so a passing fault leaves no stale lock. */
export async function releaseLock(w: NodeWriter, stateDir: string, runId: string | null): Promise<void> {
  try {
    await releaseOnce(w, stateDir, runId);
  } catch (e) {
    if (e instanceof ClawError && e.code === 'LOCKED') throw e;
    await releaseOnce(w, stateDir, runId);
  }
}

/** Explicit release of a stale lock: only when the caller names the run that holds it. */
export async function breakLock(w: NodeWriter, stateDir: string, runId: string): Promise<LockHolder | null> {
  await trustedOwnDir(w, stateDir);
  if ((await w.lstatOwned([lockDir(stateDir)])).stats[lockDir(stateDir)]?.kind !== 'missing') await trustedOwnDir(w, lockDir(stateDir));
  const { locked, holder: h } = await readHolder(w, stateDir);
  if (!locked) throw new ClawError('NOLOCK', 'node is not locked', { node: w.node, path: lockDir(stateDir) });
  if (h && h.runId !== runId) {
    throw new ClawError('LOCKED', `lock is held by run ${h.runId}, not ${runId}`, { node: w.node, path: lockDir(stateDir) });
  }
  await releaseLock(w, stateDir, null);
  return h;
}
