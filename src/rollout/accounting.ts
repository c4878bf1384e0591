import type { NodeResult } from '../domain/results.js';
import { amountText, failuresAllowed } from './amount.js';
import type { RolloutSpec, Wave } from './strategy.js';

/** A node counts as healthy for a rollout exactly when it counts as a success for apply's exit code. */
export function nodeOk(r: NodeResult): boolean {
  return (r.status === 'changed' || r.status === 'unchanged') && (!r.handler || r.handler.code === 0) && (!r.health || r.health.ok) && !r.lockError;
}

export interface WaveDecision {
  wave: number;
  kind: Wave['kind'];
  nodes: string[];
  /** Nodes of this wave that failed (rolled back, refused, handler or health gate failed…). */
  failed: string[];
  /** Failed nodes over the rollout so far, and how many it tolerates. */
  failedTotal: number;
  allowed: number;
  decision: 'continue' | 'stop' | 'done';
  reason: string;
}

/** What to do after a wave: stop on any canary failure, or once failures exceed --max-fail; else go on. */
export function decide(spec: RolloutSpec, waves: Wave[], done: Wave, results: NodeResult[], failedBefore: number, total: number): WaveDecision {
  const failed = results.filter((r) => !nodeOk(r)).map((r) => r.node);
  const failedTotal = failedBefore + failed.length;
  const allowed = failuresAllowed(spec.maxFail, total);
  const base = { wave: done.index, kind: done.kind, nodes: done.nodes, failed, failedTotal, allowed };
  const next = waves.find((w) => w.index === done.index + 1);
  const untouched = waves.filter((w) => w.index > done.index).reduce((n, w) => n + w.nodes.length, 0);
  const stopTail = `stopping: ${untouched} node${untouched === 1 ? '' : 's'} not touched`;
  if (done.kind === 'canary' && failed.length > 0) {
    return { ...base, decision: 'stop', reason: `canary failed on ${failed.join(', ')}; ${stopTail}` };
  }
  if (failedTotal > allowed) {
    return { ...base, decision: 'stop', reason: `${failedTotal} node${failedTotal === 1 ? '' : 's'} failed, more than --max-fail ${amountText(spec.maxFail)} allows (${allowed}); ${stopTail}` };
  }
  const tally = `${failed.length} failed (${failedTotal} of ${allowed} tolerated)`;
  if (!next) return { ...base, decision: 'done', reason: `${tally}; rollout complete` };
  const what = done.kind === 'canary' ? `canary healthy, ${tally}` : tally;
  return { ...base, decision: 'continue', reason: `${what}; going on with wave ${next.index} (${next.nodes.length} node${next.nodes.length === 1 ? '' : 's'})` };
}
