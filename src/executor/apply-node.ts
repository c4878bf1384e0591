import type { PlannedLayout } from './journal-trust.js';
import { ClawError, errorMessage, withNode } from '../domain/errors.js';
import { nodeHasErrors, type NodePlan } from '../domain/plan.js';
import type { Manifest } from '../domain/facts.js';
import type { NodeWriter } from '../transport/types.js';
import { runDirs, type RunContext } from './context.js';
import { mkdirp, statOne } from './fs-helpers.js';
import { Journal, now } from './journal.js';
import { acquireLock, assertHolds, releaseLock, startHeartbeat, type Heartbeat, lockRoot } from './lock.js';
import { trustedState } from './state-trust.js';
import { precheck } from './precheck.js';
import type { NodeResult } from '../domain/results.js';
import { redactHandler } from '../render/results-safe.js';
import { undoRun } from './undo-run.js';
import { stepFor } from './steps.js';
import { healthGate, restoreAfterRollback } from './health-gate.js';
import type { HealthSpec } from '../domain/inventory.js';

export interface ApplyOptions {
  runId: string;
  /** "user@laptop" for journals and locks. */
  by: string;
  baseline: string;
  /** Command run on the node once, after this run changed its config (a handler, like Ansible's notify). */
  handler?: string;
  /** Health gate after a config change (and the handler): an unhealthy node is rolled back. */
  health?: HealthSpec;
  /** Called after each action completes (progress display). */
  onAction?: (done: number, total: number, id: string) => void;
  /** Aborted (first Ctrl-C / SIGTERM): the run stops at the next safe point (between actions) and is rolled back. */
  signal?: AbortSignal;
  /** The node's layout from the inventory and baseline: a lock refusal suggests rollback only for a journal that passes it. */
  planned?: PlannedLayout | undefined;
  /** The manifests the plan was made from (this process's facts): a dir's files are not read again when unchanged. */
  known?: Record<string, Manifest | null> | undefined;
}

/**
 * The only code path that changes a node: lock (with a heartbeat), journal, then per action: still holding the
 * lock, re-check, journal the undo information, act, verify. On any failure, or when `signal` aborts, the run's
 * started actions are undone in reverse, and the result says so.
 */
export async function applyNode(w: NodeWriter, plan: NodePlan, opts: ApplyOptions): Promise<NodeResult> {
  const base: NodeResult = { node: plan.node, runId: null, status: 'unchanged', done: 0, total: plan.actions.length, actions: [] };
  if (nodeHasErrors(plan)) {
    const first = plan.diagnostics.find((d) => d.severity === 'error')!;
    return { ...base, status: 'refused', error: withNode(first.node, `${first.path ? first.path + ': ' : ''}${first.message}`), actions: plan.actions.map((a) => ({ id: a.id, status: 'skipped' })) };
  }
  if (plan.actions.length === 0) return base;
  if (opts.signal?.aborted) return { ...base, status: 'refused', error: withNode(plan.node, 'not started: interrupted'), actions: plan.actions.map((a) => ({ id: a.id, status: 'skipped' })) };

  const ctx: RunContext = { runId: opts.runId, node: plan.node, writer: w, layout: plan.paths, protectedGlobs: plan.protected, journal: null!, known: opts.known };
  const result: NodeResult = { ...base, runId: opts.runId, status: 'changed' };
  try {
    // Before the first byte: clawfleet's own state must be where no other user can change it (state-trust.ts).
    ctx.layout = await trustedState(w, plan.paths, await lockRoot(w));
  } catch (e) {
    return { ...result, runId: null, status: 'failed', error: errorMessage(e), actions: plan.actions.map((a) => ({ id: a.id, status: 'skipped' })) };
  }
  const dirs = runDirs(ctx);
  let begun = false;
  let lockLost = false;
  let heartbeat: Heartbeat | null = null;
  try {
    await acquireLock(w, plan.paths, { runId: opts.runId, by: opts.by, pid: process.pid, at: now(), purpose: 'apply' }, { planned: opts.planned });
    heartbeat = await startHeartbeat(w, opts.runId);
    if ((await statOne(w, plan.paths.dataRoot)).kind === 'missing') await createDataRoot(w, plan);
    await mkdirp(w, plan.paths.stateDir);
  } catch (e) {
    await heartbeat?.stop();
    if (heartbeat) await releaseLock(w, opts.runId).catch(() => undefined);
    // Nothing of the plan was done: only clawfleet's own state dir may exist.
    return { ...result, status: 'failed', error: errorMessage(e), actions: plan.actions.map((a) => ({ id: a.id, status: 'skipped' })) };
  }
  try {
    await mkdirp(w, dirs.run);
    const journal = new Journal(w, dirs.journal);
    ctx.journal = journal;
    await journal.write({ t: 'run', runId: opts.runId, node: plan.node, at: now(), by: opts.by, baseline: opts.baseline, actions: plan.actions.length });
    for (const [seq, action] of plan.actions.entries()) {
      // The safe point: between two actions.
      if (opts.signal?.aborted) throw new ClawError('INTERRUPTED', `interrupted (${String(opts.signal.reason ?? 'signal')}) before ${action.id}`, { node: plan.node });
      try {
        await Promise.all([precheck(ctx, action), assertHolds(w, opts.runId)]);
      } catch (e) {
        if (e instanceof ClawError && e.code === 'LOCK_LOST') {
          lockLost = true;
          throw e;
        }
        result.actions.push({ id: action.id, status: 'refused', error: errorMessage(e) });
        // The node changed under this one action since it was planned: refuse it, never re-plan, go on.
        if (e instanceof ClawError && e.code === 'STALE') {
          result.status = 'partial';
          await journal.write({ t: 'refused', seq, error: errorMessage(e), at: now() });
          continue;
        }
        throw e;
      }
      const step = stepFor(action.type);
      const undo = step.undoInfo(ctx, action, seq);
      await journal.write({ t: 'begin', seq, action, undo, at: now() });
      begun = true;
      try {
        await step.act(ctx, action, undo, seq);
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
    if (opts.signal?.aborted) throw new ClawError('INTERRUPTED', `interrupted (${String(opts.signal.reason ?? 'signal')}) after the last action`, { node: plan.node });
    const configChanged = plan.actions.some((a, i) => a.type === 'merge-config' && result.actions[i]?.status === 'done');
    if (opts.handler && configChanged) result.handler = await runHandler(w, journal, opts.handler);
    if (opts.health && configChanged) await healthGate(w, journal, opts.health, result);
    await journal.write({ t: 'end', status: result.status === 'partial' ? 'partial' : 'applied', at: now() });
  } catch (e) {
    result.error = errorMessage(e);
    if (!begun || lockLost) {
      // No action had started: the node is as it was. Or the lock was taken from under this run: another run
      // may be working on the node now, so nothing is undone behind its back (the error says how to, later).
      result.status = 'failed';
      if (lockLost && begun) result.error += `; once no other run is active: clawfleet rollback ${opts.runId} --limit ${plan.node}`;
      return finish(result, plan);
    }
    try {
      await undoRun(ctx, dirs.journal);
      result.status = 'rolled-back';
      for (const a of result.actions) if (a.status === 'done') a.status = 'undone';
      if (opts.health && result.health && !result.health.ok) result.health.restored = await restoreAfterRollback(w, ctx.journal, opts.health, opts.handler);
    } catch (re) {
      result.status = 'rollback-failed';
      result.rollbackError = errorMessage(re);
    }
  } finally {
    await heartbeat?.stop();
    if (!lockLost) {
      await releaseLock(w, opts.runId).catch((e: unknown) => {
        result.lockError = `lock not released: ${errorMessage(e)}`;
      });
    }
  }
  return finish(result, plan);
}

/** The data root, with the login as its owner, the gateway's group and the mode the plan chose. */
async function createDataRoot(w: NodeWriter, plan: NodePlan): Promise<void> {
  const want = plan.paths.dataRootMode;
  await w.mkdir(plan.paths.dataRoot, want?.mode ?? 0o755);
  if (!want) return;
  const f = await statOne(w, plan.paths.dataRoot);
  if (f.kind === 'dir' && f.uid !== undefined) await w.setOwner(plan.paths.dataRoot, { uid: f.uid, gid: want.gid, mode: want.mode });
}

/** Runs the handler once; its outcome is journaled and reported, never rolled back (it already ran). */
async function runHandler(w: NodeWriter, journal: Journal, command: string): Promise<NonNullable<NodeResult['handler']>> {
  const r = await w.exec(command);
  // Command and output redacted alike, for the journal and for every output (render/results-safe.ts).
  const shown = redactHandler({ command, code: r.code, output: (r.stdout + r.stderr).trim().split('\n').slice(-5).join('\n') });
  await journal.write({ t: 'handler', ...shown, at: now() });
  return shown;
}

function finish(result: NodeResult, plan: NodePlan): NodeResult {
  for (const a of plan.actions.slice(result.actions.length)) result.actions.push({ id: a.id, status: 'skipped' });
  return result;
}
