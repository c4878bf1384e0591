import { ClawError } from '../domain/errors.js';
import type { NodeWriter } from '../transport/types.js';

export interface LockHolder {
  runId: string;
  by: string;
  pid: number;
  at: string;
  purpose: string;
}

export const lockDir = (stateDir: string): string => `${stateDir}/lock`;

async function readHolder(w: NodeWriter, stateDir: string): Promise<LockHolder | null> {
  const r = await w.probe({ read: [`${lockDir(stateDir)}/holder.json`] });
  const text = r.read[`${lockDir(stateDir)}/holder.json`];
  try {
    return text ? (JSON.parse(text) as LockHolder) : null;
  } catch {
    return null;
  }
}

/** mkdir is atomic on every filesystem and over SFTP: exactly one concurrent caller wins. */
export async function acquireLock(w: NodeWriter, stateDir: string, holder: LockHolder): Promise<void> {
  try {
    await w.mkdir(lockDir(stateDir), 0o700);
  } catch (e) {
    const h = await readHolder(w, stateDir);
    const who = h ? `run ${h.runId} by ${h.by} since ${h.at} (${h.purpose})` : 'an unknown holder';
    throw new ClawError('LOCKED', `node is locked by ${who}; if that run is dead: clawfleet unlock ${w.node} --run ${h?.runId ?? '<run-id>'}`, {
      node: w.node,
      path: lockDir(stateDir),
    });
  }
  try {
    await w.writeFileExclusive(`${lockDir(stateDir)}/holder.json`, JSON.stringify(holder) + '\n', 0o600);
  } catch (e) {
    await w.rmdir(lockDir(stateDir)).catch(() => undefined);
    throw e;
  }
}

async function releaseOnce(w: NodeWriter, stateDir: string): Promise<void> {
  const f = `${lockDir(stateDir)}/holder.json`;
  const st = (await w.probe({ stat: [f, lockDir(stateDir)] })).stat;
  if (st[f]?.kind === 'file') await w.unlink(f);
  if (st[lockDir(stateDir)]?.kind === 'dir') await w.rmdir(lockDir(stateDir));
}

/** Releases our lock; one retry, so a passing fault does not leave a stale lock behind. */
export async function releaseLock(w: NodeWriter, stateDir: string): Promise<void> {
  try {
    await releaseOnce(w, stateDir);
  } catch {
    await releaseOnce(w, stateDir);
  }
}

/** Explicit release of a stale lock: only when the caller names the run that holds it. */
export async function breakLock(w: NodeWriter, stateDir: string, runId: string): Promise<LockHolder | null> {
  const h = await readHolder(w, stateDir);
  const st = (await w.probe({ stat: [lockDir(stateDir)] })).stat[lockDir(stateDir)];
  if (st?.kind !== 'dir') throw new ClawError('NOLOCK', 'node is not locked', { node: w.node, path: lockDir(stateDir) });
  if (h && h.runId !== runId) {
    throw new ClawError('LOCKED', `lock is held by run ${h.runId}, not ${runId}`, { node: w.node, path: lockDir(stateDir) });
  }
  await releaseLock(w, stateDir);
  return h;
}
