import { ClawError, errorMessage } from '../domain/errors.js';
import { nodeHasErrors, type NodePaths, type NodePlan } from '../domain/plan.js';
import type { NodeWriter } from '../transport/types.js';
import { RUN_ID_RE, runDirs, type RunContext } from './context.js';
import { trustedJournal } from './rollback.js';
import { mkdirp, statOne } from './fs-helpers.js';
import { Journal, now } from './journal.js';
import { acquireLock, releaseLock } from './lock.js';
import type { PlannedLayout } from './journal-trust.js';
import { trustedState } from './state-trust.js';
import { precheck } from './precheck.js';
import type { NodeResult } from '../domain/results.js';
import { redactText } from '../render/redact.js';
import { undoRun } from './undo-run.js';
import { applyStep, undoInfoFor } from './steps.js';

export interface ApplyOptions {
  runId: string;
  /** "user@laptop" for journals and locks. */
  by: string;
  baseline: string;
  /** Command run on the node once, after this run changed its config (a handler, like Ansible's notify). */
  handler?: string;
  /** Called after each action completes (progress display). */
  onAction?: (done: number, total: number, id: string) => void;
  /** The node's layout from the inventory and baseline: a lock refusal checks the holder's journal against it. */
  layout?: PlannedLayout;
}

/**
 * The only code path that changes a node: lock, journal, then per action: re-check, journal, act, verify.
 * On any failure the run's started actions are undone in reverse, and the result says so.
 */
export async function applyNode(w: NodeWriter, plan: NodePlan, opts: ApplyOptions): Promise<NodeResult> {
  const base: NodeResult = { node: plan.node, runId: null, status: 'unchanged', done: 0, total: plan.actions.length, actions: [] };
  if (nodeHasErrors(plan)) {
    const first = plan.diagnostics.find((d) => d.severity === 'error')!;
    const where = [first.node, first.path].filter(Boolean).join(': ');
    return { ...base, status: 'refused', error: `${where}: ${first.message}`, actions: plan.actions.map((a) => ({ id: a.id, status: 'skipped' })) };
  }
  if (plan.actions.length === 0) return base;

  const ctx: RunContext = { runId: opts.runId, node: plan.node, writer: w, layout: plan.paths, protectedGlobs: plan.protected, journal: null! };
  const result: NodeResult = { ...base, runId: opts.runId, status: 'changed' };
  let begun = false;
  try {
    // Before the first byte: clawfleet's own state must be where no other user can change it.
    ctx.layout = await trustedState(w, plan.paths);
  } catch (e) {
    return { ...result, runId: null, status: 'failed', error: errorMessage(e), actions: plan.actions.map((a) => ({ id: a.id, status: 'skipped' })) };
  }
  const dirs = runDirs(ctx);
  try {
    if ((await statOne(w, plan.paths.dataRoot)).kind === 'missing') await w.mkdir(plan.paths.dataRoot, 0o755);
    await mkdirp(w, plan.paths.stateDir);
    await acquireLock(w, plan.paths.stateDir, { runId: opts.runId, by: opts.by, pid: process.pid, at: now(), purpose: 'apply' }, opts.layout && runTrust(w, plan.paths, opts.layout));
  } catch (e) {
    // Nothing of the plan was done: only clawfleet's own state dir may exist.
    return { ...result, status: 'failed', error: errorMessage(e), actions: plan.actions.map((a) => ({ id: a.id, status: 'skipped' })) };
  }
  try {
    await mkdirp(w, dirs.run);
    const journal = new Journal(w, dirs.journal);
    ctx.journal = journal;
    await journal.write({ t: 'run', runId: opts.runId, node: plan.node, at: now(), by: opts.by, baseline: opts.baseline, actions: plan.actions.length, attic: ctx.layout.attic });
    for (const [seq, action] of plan.actions.entries()) {
      try {
        await precheck(ctx, action);
      } catch (e) {
        result.actions.push({ id: action.id, status: 'refused', error: errorMessage(e) });
        // The node changed under this one action since it was planned: refuse it, never re-plan, go on.
        if (e instanceof ClawError && e.code === 'STALE') {
          result.status = 'partial';
          await journal.write({ t: 'refused', seq, error: errorMessage(e), at: now() });
          continue;
        }
        throw e;
      }
      await journal.write({ t: 'begin', seq, action, undo: undoInfoFor(ctx, action, seq), at: now() });
      begun = true;
      try {
        await applyStep(ctx, action, undoInfoFor(ctx, action, seq));
      } catch (e) {
        result.actions.push({ id: action.id, status: 'failed', error: errorMessage(e) });
        await journal.write({ t: 'fail', seq, error: errorMessage(e), at: now() }).catch(() => undefined);
        throw e;
      }
      await journal.write({ t: 'done', seq, at: now() });
      result.actions.push({ id: action.id, status: 'done' });
      result.done++;
      opts.onAction?.(result.done, plan.actions.length, action.id);
    }
    const configChanged = plan.actions.some((a, i) => a.type === 'merge-config' && result.actions[i]?.status === 'done');
    if (opts.handler && configChanged) result.handler = await runHandler(w, journal, opts.handler);
    await journal.write({ t: 'end', status: result.status === 'partial' ? 'partial' : 'applied', at: now() });
  } catch (e) {
    result.error = errorMessage(e);
    if (!begun) {
      result.status = 'failed'; // no action had started: the node is as it was
      return finish(result, plan);
    }
    try {
      await undoRun(ctx, dirs.journal);
      result.status = 'rolled-back';
      for (const a of result.actions) if (a.status === 'done') a.status = 'undone';
    } catch (re) {
      result.status = 'rollback-failed';
      result.rollbackError = errorMessage(re);
    }
  } finally {
    await releaseLock(w, plan.paths.stateDir, opts.runId).catch((e: unknown) => {
      result.lockError = `lock not released: ${errorMessage(e)}`;
    });
  }
  return finish(result, plan);
}

/** For a lock refusal: whether the holder's journal is one rollback would accept (else the refusal must not suggest it). */
function runTrust(w: NodeWriter, paths: NodePaths, layout: PlannedLayout) {
  return async (runId: string): Promise<string | null> => {
    if (!RUN_ID_RE.test(runId)) return 'not a run id';
    try {
      await trustedJournal(w, paths, layout, runId);
      return null;
    } catch (e) {
      return errorMessage(e);
    }
  };
}

/** Runs the handler once; its outcome is journaled and reported, never rolled back (it already ran). */
async function runHandler(w: NodeWriter, journal: Journal, command: string): Promise<NonNullable<NodeResult['handler']>> {
  const r = await w.exec(command);
  const output = redactText((r.stdout + r.stderr).trim().split('\n').slice(-5).join('\n'));
  await journal.write({ t: 'handler', command, code: r.code, output, at: now() });
  return { command, code: r.code, output };
}

function finish(result: NodeResult, plan: NodePlan): NodeResult {
  for (const a of plan.actions.slice(result.actions.length)) result.actions.push({ id: a.id, status: 'skipped' });
  return result;
}
