import { ClawError } from '../domain/errors.js';
import type { NodePaths } from '../domain/plan.js';
import type { NodeReader, NodeWriter } from '../transport/types.js';
import { RUN_ID_RE, runDirs, type RunContext } from './context.js';
import { Journal, now, parseJournal, type JournalRecord } from './journal.js';
import { checkJournal, type PlannedLayout } from './journal-trust.js';
import { acquireLock, releaseLock } from './lock.js';
import { trustedOwnDir, trustedState } from './state-trust.js';
import { pendingUndo, undoRun } from './undo-run.js';

export interface RollbackResult {
  node: string;
  runId: string;
  undone: number;
  status: 'rolled-back' | 'nothing-to-undo';
}

/**
 * Reads a run's journal from a trusted state dir and accepts it only when every path it names is one the
 * planner could have planned for this node (journal-trust.ts). Throws a one-line refusal otherwise.
 */
export async function trustedJournal(w: NodeWriter, paths: NodePaths, planned: PlannedLayout, runId: string): Promise<{ records: JournalRecord[]; paths: NodePaths; text: string | null }> {
  const state = await trustedState(w, paths);
  const ctx = { runId, layout: state };
  const jpath = runDirs(ctx).journal;
  const runDir = runDirs(ctx).run;
  const r = await w.probe({ read: [jpath], stat: [runDir] });
  const text = r.read[jpath];
  if (text == null && r.stat[runDir]?.kind !== 'dir') throw new ClawError('NORUN', `no run ${runId} on this node`, { node: w.node, path: jpath });
  await trustedOwnDir(w, runDir);
  const records = parseJournal(text ?? '');
  const v = checkJournal(records, runId, planned);
  if (!v.ok) {
    throw new ClawError('UNTRUSTED', `journal of run ${runId} names ${v.path ?? 'something'} that clawfleet could not have planned for this node (${v.reason}): refusing to replay it, nothing was changed`, {
      node: w.node,
      path: jpath,
    });
  }
  return { records, paths: { ...state, attic: v.attic }, text: text ?? null };
}

/** Restores a past run from the node's own journal: needs no local state from the run. */
export async function rollbackRun(w: NodeWriter, paths: NodePaths, runId: string, by: string, planned: PlannedLayout): Promise<RollbackResult> {
  if (!RUN_ID_RE.test(runId)) throw new ClawError('USAGE', `not a run id: "${runId}"`, { node: w.node });
  const t = await trustedJournal(w, paths, planned, runId);
  const ctx: RunContext = { runId, node: w.node, writer: w, layout: t.paths, protectedGlobs: [], journal: null! };
  const jpath = runDirs(ctx).journal;
  // A run dir without a journal: the run died before its first record, so it changed nothing.
  if (pendingUndo(t.records).length === 0) return { node: w.node, runId, undone: 0, status: 'nothing-to-undo' };
  await acquireLock(w, paths.stateDir, { runId, by, pid: process.pid, at: now(), purpose: `rollback of ${runId}` });
  try {
    ctx.journal = new Journal(w, jpath);
    await ctx.journal.write({ t: 'rollback', by, at: now() });
    const undone = await undoRun(ctx, jpath, t.records);
    return { node: w.node, runId, undone, status: 'rolled-back' };
  } finally {
    await releaseLock(w, paths.stateDir, runId).catch(() => undefined);
  }
}

export interface RunSummary {
  runId: string;
  at: string;
  by: string;
  actions: number;
  status: string;
}

/** Runs recorded on one node, oldest first. */
export async function listRuns(r: NodeReader, stateDir: string): Promise<RunSummary[]> {
  const runsDir = `${stateDir}/runs`;
  const kids = ((await r.probe({ list: [runsDir] })).list[runsDir] ?? []).filter((c) => RUN_ID_RE.test(c.name));
  const files = kids.map((c) => `${runsDir}/${c.name}/journal.jsonl`);
  const texts = (await r.probe({ read: files })).read;
  return kids.map((c, i) => summarize(c.name, parseJournal(texts[files[i]!] ?? '')));
}

function summarize(runId: string, recs: JournalRecord[]): RunSummary {
  const head = recs.find((x) => x.t === 'run') as Extract<JournalRecord, { t: 'run' }> | undefined;
  const end = [...recs].reverse().find((x) => x.t === 'end') as Extract<JournalRecord, { t: 'end' }> | undefined;
  const started = recs.some((x) => x.t === 'begin');
  return {
    runId,
    at: head?.at ?? '?',
    by: head?.by ?? '?',
    actions: head?.actions ?? 0,
    status: end?.status ?? (started ? 'interrupted' : 'empty'),
  };
}
