import { hostname } from 'node:os';
import { ClawError, errorMessage, withoutNode } from '../domain/errors.js';
import type { NodePaths } from '../domain/plan.js';
import type { NodeWriter } from '../transport/types.js';
import { mkdirp } from './fs-helpers.js';
import { readJournal } from './undo-run.js';
import type { PlannedLayout } from './journal-trust.js';

/**
 * One lock per node, whatever the inventory says: `~/.clawfleet/lock/` in the home dir of the user clawfleet
 * logs in as (not under the data root, which two inventories may set differently for the same node). mkdir is
 * atomic on every filesystem and over SFTP: exactly one concurrent caller wins. `holder.json` says who holds it;
 * `heartbeat.json` is rewritten every few seconds while the holder works, so a live holder is told from a dead one.
 */
export interface LockHolder {
  runId: string;
  by: string;
  pid: number;
  at: string;
  purpose: string;
  /** The machine the holder runs on (os.hostname()), so its liveness can be checked by its pid. */
  host?: string;
}

/** Locks held by a run of this very process right now (lock root + run id): alive without asking the OS. */
const heldHere = new Set<string>();

/** How often a holder rewrites its heartbeat; a heartbeat older than HEARTBEAT_STALE_MS is a dead holder's. */
export const HEARTBEAT_MS = 5_000;
export const HEARTBEAT_STALE_MS = 30_000;

export async function lockRoot(w: NodeWriter): Promise<string> {
  const home = (await w.home()).replace(/\/+$/, '');
  return `${home}/.clawfleet`;
}
const lockDirOf = (root: string) => `${root}/lock`;
const holderFile = (root: string) => `${root}/lock/holder.json`;
const heartbeatFile = (root: string) => `${root}/lock/heartbeat.json`;

function parseJson<T>(text: string | null | undefined): T | null {
  try {
    const v = text ? (JSON.parse(text) as unknown) : null;
    return v && typeof v === 'object' ? (v as T) : null;
  } catch {
    return null; // torn by a crash while it was written
  }
}

interface LockState {
  locked: boolean;
  holder: LockHolder | null;
  heartbeat: { runId: string; at: string; n: number } | null;
}

async function readLock(w: NodeWriter, root: string): Promise<LockState> {
  const r = await w.probe({ stat: [lockDirOf(root)], read: [holderFile(root), heartbeatFile(root)] });
  return { locked: r.stat[lockDirOf(root)]?.kind === 'dir', holder: parseJson(r.read[holderFile(root)]), heartbeat: parseJson(r.read[heartbeatFile(root)]) };
}

/**
 * A lock just taken has no holder.json for a moment: wait for it (up to ~5 s on a loaded node) before calling it
 * unknown. A look that fails (the lock changing hands under it) is taken again in that time too.
 */
async function awaitHolder(w: NodeWriter, root: string): Promise<LockState> {
  for (let i = 0; ; i++) {
    const last = i >= 50;
    const r = await readLock(w, root).catch((e: unknown) => {
      if (last) throw e;
      return null;
    });
    if (r && (last || !r.locked || r.holder)) return r;
    await new Promise((res) => setTimeout(res, 100));
  }
}

/**
 * Is the holder alive? Not guessed: a holder on this machine is alive while its process is (and its heartbeat is
 * not stale); a holder elsewhere is alive while its heartbeat moves (watched for two heartbeat periods when it is
 * recent by our clock).
 */
export async function holderAlive(w: NodeWriter, root: string, s: LockState): Promise<{ alive: boolean; why: string }> {
  const h = s.holder;
  if (!h) return { alive: false, why: 'no holder recorded' };
  const hb = s.heartbeat?.runId === h.runId ? s.heartbeat : null;
  const age = Date.now() - Date.parse(hb?.at ?? h.at);
  const stale = !(age < HEARTBEAT_STALE_MS);
  if (h.host === hostname()) {
    if (h.pid === process.pid) {
      return heldHere.has(`${root}\0${h.runId}`) ? { alive: true, why: 'this very process holds it' } : { alive: false, why: 'its run in this process has ended' };
    }
    if (!processExists(h.pid)) return { alive: false, why: `its process ${h.pid} on this machine is gone` };
    return stale && hb ? { alive: false, why: `its heartbeat is ${Math.round(age / 1000)} s old` } : { alive: true, why: `its process ${h.pid} on this machine is running` };
  }
  if (stale) return { alive: false, why: hb ? `its heartbeat is ${Math.round(age / 1000)} s old` : 'it has no heartbeat' };
  await new Promise((res) => setTimeout(res, 2 * HEARTBEAT_MS + 1_000));
  const again = await readLock(w, root);
  if (again.holder?.runId !== h.runId) return { alive: true, why: 'the lock changed hands meanwhile' };
  const moved = again.heartbeat?.runId === h.runId && again.heartbeat.n !== hb?.n;
  return moved ? { alive: true, why: 'its heartbeat is moving' } : { alive: false, why: `its heartbeat did not move in ${(2 * HEARTBEAT_MS) / 1000 + 1} s` };
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface AcquireOptions {
  /** rollback RUN: a lock still held by RUN, whose holder is dead, is taken over (and released at the end). */
  takeOverFrom?: string;
  /** The node's planned layout: a lock refusal suggests rollback only for a journal that passes it. */
  planned?: PlannedLayout | undefined;
}

export async function acquireLock(w: NodeWriter, paths: NodePaths, who: LockHolder, opts: AcquireOptions = {}): Promise<void> {
  const root = await lockRoot(w);
  const holder: LockHolder = { ...who, host: hostname() };
  await mkdirp(w, root);
  for (let attempt = 1; ; attempt++) {
    try {
      await w.mkdir(lockDirOf(root), 0o700);
      break;
    } catch (e) {
      const s = await awaitHolder(w, root);
      // Released between our mkdir and our look (another run just finished): try again. OpenSSH's SFTP server
      // answers an existing dir with a plain FAILURE, which is EIO once the dir is gone by the time it is looked at.
      if (!s.locked && attempt < 20 && e instanceof ClawError && (e.code === 'EEXIST' || e.code === 'EIO')) continue;
      if (!s.locked) throw e; // not a lock held by anyone: a real error (read-only, full, permissions…)
      if (opts.takeOverFrom && s.holder?.runId === opts.takeOverFrom && !(await holderAlive(w, root, s)).alive) {
        await w.writeFileAtomic(holderFile(root), JSON.stringify(holder) + '\n', 0o600);
        await writeHeartbeat(w, root, holder.runId, 0);
        heldHere.add(`${root}\0${holder.runId}`);
        return;
      }
      throw await lockedError(w, root, paths, s.holder, opts.planned);
    }
  }
  try {
    await w.writeFileExclusive(holderFile(root), JSON.stringify(holder) + '\n', 0o600);
  } catch (e) {
    await w.rmdir(lockDirOf(root)).catch(() => undefined);
    throw e;
  }
  heldHere.add(`${root}\0${holder.runId}`);
  // The lock is held once holder.json is written: a first heartbeat that fails (seen as a rare "permission
  // denied" from a busy node's SFTP server) is written again by the run's heartbeat timer within
  // HEARTBEAT_MS, and until then the holder reads as alive by its fresh holder.json.
  await writeHeartbeat(w, root, holder.runId, 0).catch(() => undefined);
}

async function writeHeartbeat(w: NodeWriter, root: string, runId: string, n: number): Promise<void> {
  await w.writeHeartbeat(heartbeatFile(root), JSON.stringify({ runId, at: new Date().toISOString(), n }) + '\n');
}

/** Rewrites the lock's heartbeat every HEARTBEAT_MS while a run holds it. */
export class Heartbeat {
  private n = 1;
  private inFlight: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly w: NodeWriter,
    private readonly root: string,
    private readonly runId: string,
  ) {
    this.timer = setInterval(() => {
      this.inFlight = writeHeartbeat(this.w, this.root, this.runId, this.n++).catch(() => undefined);
    }, HEARTBEAT_MS);
    this.timer.unref();
  }

  /** Ends the heartbeat; from then on this process no longer counts as the lock's live holder. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.inFlight;
    heldHere.delete(`${this.root}\0${this.runId}`);
  }
}

export async function startHeartbeat(w: NodeWriter, runId: string): Promise<Heartbeat> {
  return new Heartbeat(w, await lockRoot(w), runId);
}

/** Before each action: the run still holds the node's lock (nobody ran `unlock` under it). */
export async function assertHolds(w: NodeWriter, runId: string): Promise<void> {
  const root = await lockRoot(w);
  const h = parseJson<LockHolder>((await w.readFile(holderFile(root)).catch(() => null))?.toString('utf8'));
  if (h?.runId !== runId) {
    const now = h ? `it is now held by run ${h.runId}` : 'it was released by someone else';
    throw new ClawError('LOCK_LOST', `this run no longer holds the node's lock (${now}): stopped before the next action`, { node: w.node, path: lockDirOf(root) });
  }
}

/**
 * Like Terraform's force-unlock: a lock is never broken implicitly, the message says how. It suggests rolling
 * back an apply only when that run's journal is one rollback would accept.
 */
async function lockedError(w: NodeWriter, root: string, paths: NodePaths, h: LockHolder | null, planned?: PlannedLayout): Promise<ClawError> {
  const where = { node: w.node, path: lockDirOf(root) };
  if (!h) {
    return new ClawError('LOCKED', `node is locked by an unknown holder (a run died while taking the lock); if no run is active: clawfleet unlock --run unknown --limit ${w.node}`, where);
  }
  let msg = `node is locked by run ${h.runId} by ${h.by} since ${h.at} (${h.purpose}); if that run died: clawfleet unlock --run ${h.runId} --limit ${w.node}`;
  if (h.purpose === 'apply') {
    const journal = `${paths.stateDir}/runs/${h.runId}/journal.jsonl`;
    try {
      await readJournal({ writer: w, node: w.node, runId: h.runId, layout: paths, planned }, journal);
      msg += `, then clawfleet rollback ${h.runId} --limit ${w.node} to undo what it did`;
    } catch (e) {
      msg += `; its journal cannot be used for a rollback (${withoutNode(w.node, errorMessage(e))}): inspect the node before anything else`;
    }
  }
  return new ClawError('LOCKED', msg, where);
}

async function releaseOnce(w: NodeWriter, root: string, runId: string | null): Promise<void> {
  const s = await readLock(w, root);
  // Never release a lock someone else took after ours was broken (clawfleet unlock) under us.
  if (runId !== null && s.holder && s.holder.runId !== runId) {
    throw new ClawError('LOCKED', `lock is now held by run ${s.holder.runId}: left as it is`, { node: w.node, path: lockDirOf(root) });
  }
  if (!s.locked) return;
  // One atomic rename: a crash never leaves a lock without its holder behind.
  await mkdirp(w, `${root}/released`);
  await w.rename(lockDirOf(root), `${root}/released/${runId ?? s.holder?.runId ?? 'unknown'}-${Date.now()}`);
}

/** Releases the lock `runId` holds (null: whoever holds it); one retry, so a passing fault leaves no stale lock. */
export async function releaseLock(w: NodeWriter, runId: string | null): Promise<void> {
  const root = await lockRoot(w);
  if (runId !== null) heldHere.delete(`${root}\0${runId}`);
  try {
    await releaseOnce(w, root, runId);
  } catch (e) {
    if (e instanceof ClawError && e.code === 'LOCKED') throw e;
    await releaseOnce(w, root, runId);
  }
}

/** Explicit release of a stale lock: only when the caller names the run that holds it, and only when that run is dead. */
export async function breakLock(w: NodeWriter, runId: string): Promise<LockHolder | null> {
  const root = await lockRoot(w);
  const s = await readLock(w, root);
  const where = { node: w.node, path: lockDirOf(root) };
  if (!s.locked) throw new ClawError('NOLOCK', 'node is not locked', where);
  if (s.holder && s.holder.runId !== runId) throw new ClawError('LOCKED', `lock is held by run ${s.holder.runId}, not ${runId}`, where);
  const life = await holderAlive(w, root, s);
  if (s.holder && life.alive) {
    throw new ClawError('ALIVE', `run ${runId} is alive (${life.why}): refusing to unlock; stop it (Ctrl-C rolls it back) or wait for it`, where);
  }
  await releaseLock(w, null);
  return s.holder;
}
