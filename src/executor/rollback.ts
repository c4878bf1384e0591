import { ClawError } from '../domain/errors.js';
import type { NodePaths } from '../domain/plan.js';
import type { NodeReader, NodeWriter } from '../transport/types.js';
import { RUN_ID_RE, runDirs, type RunContext } from './context.js';
import { Journal, now, parseJournal, type JournalRecord } from './journal.js';
import type { PlannedLayout } from './journal-trust.js';
import { acquireLock, lockRoot, releaseLock, startHeartbeat } from './lock.js';
import { trustedState } from './state-trust.js';
import { stepFor } from './steps.js';
import { pendingUndo, readJournal, undoRefusals, undoRun, type UndoneAction } from './undo-run.js';

export interface RollbackOptions {
  /** Also roll back the later runs that built on this one, newest first. */
  chain?: boolean;
  /** Restore configs changed after the apply (the current version is kept aside). */
  forceConfig?: boolean;
  /** The node's layout from the inventory and baseline: every journal read is checked against it. */
  planned?: PlannedLayout | undefined;
}

/** One run a rollback undoes on a node, and what its undo will touch (newest action first). */
export interface RunUndoPlan {
  runId: string;
  touches: { id: string; what: string }[];
}

/** What `rollback RUN` would do on one node; `refusals` non-empty means it will not start. */
export interface RollbackPreview {
  node: string;
  runId: string;
  /** Newest first: the later runs (with --chain), then RUN. Empty: nothing to undo. */
  runs: RunUndoPlan[];
  refusals: string[];
}

export interface RollbackResult {
  node: string;
  runId: string;
  /** Actions undone, over every run rolled back. */
  undone: number;
  status: 'rolled-back' | 'nothing-to-undo';
  runs: { runId: string; undone: UndoneAction[] }[];
  /** A dead run's lock this rollback found and released. */
  releasedLock?: boolean;
}

const ctxFor = (w: NodeWriter, paths: NodePaths, runId: string, planned?: PlannedLayout): RunContext => ({ runId, node: w.node, writer: w, layout: paths, protectedGlobs: [], journal: null!, planned });

/** Runs recorded on a node after `runId` (by their start) that still have something to undo, newest first. */
async function laterRuns(w: NodeWriter, paths: NodePaths, runId: string, at: string, planned?: PlannedLayout): Promise<{ runId: string; records: JournalRecord[] }[]> {
  const out: { runId: string; records: JournalRecord[]; at: string }[] = [];
  for (const s of await listRuns(w, paths.stateDir)) {
    if (s.runId === runId || (s.at < at && s.at !== '?') || (s.at === '?' && s.runId < runId)) continue;
    const records = (await readJournal(ctxFor(w, paths, s.runId, planned), runDirs(ctxFor(w, paths, s.runId)).journal)) ?? [];
    if (pendingUndo(records).length > 0) out.push({ runId: s.runId, records, at: s.at });
  }
  return out.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : a.runId < b.runId ? 1 : -1));
}

/**
 * Rollback reads and writes clawfleet's own state only where no other user can change it, and finds the attic
 * where apply put it (state-trust.ts: the same rule resolves the same place); journals are checked against it.
 */
async function trusted(w: NodeWriter, paths: NodePaths, opts: RollbackOptions): Promise<{ paths: NodePaths; opts: RollbackOptions }> {
  const t = await trustedState(w, paths, await lockRoot(w));
  return { paths: t, opts: opts.planned ? { ...opts, planned: { ...opts.planned, attic: t.attic } } : opts };
}

/** Reads what a rollback would do, changing nothing: the preview it shows, and `rollback --dry-run`. */
export async function previewRollback(w: NodeWriter, paths: NodePaths, runId: string, opts: RollbackOptions = {}): Promise<RollbackPreview | null> {
  if (!RUN_ID_RE.test(runId)) throw new ClawError('USAGE', `not a run id: "${runId}"`, { node: w.node });
  ({ paths, opts } = await trusted(w, paths, opts));
  const ctx = ctxFor(w, paths, runId, opts.planned);
  const { run, journal } = runDirs(ctx);
  if ((await w.probe({ stat: [run] })).stat[run]?.kind !== 'dir') return null;
  // A run dir without a journal: the run died before its first record, so it changed nothing.
  const records = (await readJournal(ctx, journal)) ?? [];
  const pending = pendingUndo(records);
  const preview: RollbackPreview = { node: w.node, runId, runs: [], refusals: [] };
  if (pending.length === 0) return preview;
  const head = records.find((r) => r.t === 'run');
  const later = await laterRuns(w, paths, runId, head?.at ?? '?', opts.planned);
  if (later.length > 0 && !opts.chain) {
    const names = later.map((l) => l.runId).join(', ');
    preview.refusals.push(
      `later run(s) ${names} built on run ${runId} and are not rolled back: roll them back first (newest first), or roll back the chain with rollback ${runId} --chain`,
    );
    return preview;
  }
  for (const r of [...later, { runId, records }]) {
    const rctx = ctxFor(w, paths, r.runId, opts.planned);
    preview.runs.push({ runId: r.runId, touches: pendingUndo(r.records).map((b) => ({ id: b.action.id, what: stepFor(b.undo.kind).describeUndo(b.undo) })) });
    for (const why of await undoRefusals(rctx, r.records, opts)) preview.refusals.push(`run ${r.runId}: ${why}`);
  }
  return preview;
}

/**
 * Restores a past run (and, with `chain`, the runs after it, newest first) from the node's own journals: needs
 * no local state from the run. Refuses, changing nothing, when a later run built on it or a config changed
 * since (see previewRollback). A dead run's lock held by the run being rolled back is taken over and released,
 * even when there is nothing left to undo.
 */
export async function rollbackRun(w: NodeWriter, paths: NodePaths, runId: string, by: string, opts: RollbackOptions = {}): Promise<RollbackResult> {
  if (!RUN_ID_RE.test(runId)) throw new ClawError('USAGE', `not a run id: "${runId}"`, { node: w.node });
  ({ paths, opts } = await trusted(w, paths, opts));
  const preview = await previewRollback(w, paths, runId, opts);
  if (preview === null) throw new ClawError('NORUN', `no run ${runId} on this node`, { node: w.node, path: runDirs(ctxFor(w, paths, runId)).run });
  if (preview.refusals.length > 0) throw new ClawError('ROLLBACK_REFUSED', preview.refusals.join('\n'), { node: w.node });
  const holder = { runId, by, pid: process.pid, at: now(), purpose: `rollback of ${runId}` };
  const result: RollbackResult = { node: w.node, runId, undone: 0, status: 'nothing-to-undo', runs: [] };
  if (preview.runs.length === 0) {
    result.releasedLock = await releaseDeadLockOf(w, paths, runId, holder);
    return result;
  }
  // The lock a dead run of this chain still holds is taken over (its holder is checked to be dead).
  const newest = preview.runs[0]!.runId;
  await acquireLock(w, paths, holder, { takeOverFrom: newest === runId ? runId : newest, planned: opts.planned });
  const heartbeat = await startHeartbeat(w, runId);
  try {
    for (const r of preview.runs) {
      const ctx = ctxFor(w, paths, r.runId, opts.planned);
      const jpath = runDirs(ctx).journal;
      ctx.journal = new Journal(w, jpath);
      await ctx.journal.write({ t: 'rollback', by, at: now() });
      const undone = await undoRun(ctx, jpath, opts);
      result.runs.push({ runId: r.runId, undone });
      result.undone += undone.length;
    }
    result.status = 'rolled-back';
    return result;
  } finally {
    await heartbeat.stop();
    await releaseLock(w, holder.runId).catch(() => undefined);
  }
}

/** `rollback RUN` of a run that did nothing: still releases the lock that dead run left, if it did. */
async function releaseDeadLockOf(w: NodeWriter, paths: NodePaths, runId: string, holder: Parameters<typeof acquireLock>[2]): Promise<boolean> {
  try {
    await acquireLock(w, paths, holder, { takeOverFrom: runId });
  } catch (e) {
    if (e instanceof ClawError && e.code === 'LOCKED') return false; // another run's lock, or a live one: not ours to touch
    throw e;
  }
  await releaseLock(w, runId);
  return true;
}

export interface RunSummary {
  runId: string;
  at: string;
  by: string;
  actions: number;
  status: string;
}

/** Runs recorded on one node, oldest first. A journal that cannot be read shows as "invalid journal". */
export async function listRuns(r: NodeReader, stateDir: string): Promise<RunSummary[]> {
  const runsDir = `${stateDir}/runs`;
  const kids = ((await r.probe({ list: [runsDir] })).list[runsDir] ?? []).filter((c) => RUN_ID_RE.test(c.name));
  const files = kids.map((c) => `${runsDir}/${c.name}/journal.jsonl`);
  const texts = files.length ? (await r.probe({ read: files })).read : {};
  const out = kids.map((c, i) => {
    try {
      return summarize(c.name, parseJournal(texts[files[i]!] ?? '', { node: r.node, path: files[i]! }));
    } catch {
      return { runId: c.name, at: '?', by: '?', actions: 0, status: 'invalid journal' };
    }
  });
  return out.sort((a, b) => (a.at === b.at ? (a.runId < b.runId ? -1 : 1) : a.at < b.at ? -1 : 1));
}

function summarize(runId: string, recs: JournalRecord[]): RunSummary {
  const head = recs.find((x) => x.t === 'run');
  const end = [...recs].reverse().find((x) => x.t === 'end');
  const started = recs.some((x) => x.t === 'begin');
  return {
    runId,
    at: head?.at ?? '?',
    by: head?.by ?? '?',
    actions: head?.actions ?? 0,
    status: end?.status ?? (started ? 'interrupted' : 'empty'),
  };
}
