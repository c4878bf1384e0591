import { ClawError } from '../domain/errors.js';
import { amountText, batchSize, failuresAllowed, parseAmount, type Amount } from './amount.js';

/** How `apply` rolls out: a canary wave, then waves of a batch size, stopping once too many nodes failed. */
export interface RolloutSpec {
  /** Nodes in the first wave, which must all end healthy before anything else is touched (0: no canary). */
  canary: number;
  /** Nodes per wave after the canary; null: all the rest in one wave. */
  batch: Amount | null;
  /** Failed nodes tolerated over the whole rollout (never in the canary wave). Default 0. */
  maxFail: Amount;
}

export interface Wave {
  /** 1-based. */
  index: number;
  kind: 'canary' | 'batch';
  nodes: string[];
}

/** From the command line: null when no rollout option was given (apply's classic all-at-once run). */
export function parseRollout(v: { canary?: string | undefined; batch?: string | undefined; 'max-fail'?: string | undefined }): RolloutSpec | null {
  if (v.canary === undefined && v.batch === undefined && v['max-fail'] === undefined) return null;
  if (v.canary === undefined && v.batch === undefined) throw new ClawError('USAGE', '--max-fail needs --batch or --canary (a rollout decides between waves)');
  let canary = 0;
  if (v.canary !== undefined) {
    if (!/^\d+$/.test(v.canary.trim()) || Number(v.canary) < 1) throw new ClawError('USAGE', `--canary must be a whole number (1 or more), not "${v.canary}"`);
    canary = Number(v.canary);
  }
  return {
    canary,
    batch: v.batch === undefined ? null : parseAmount('batch', v.batch, 1),
    maxFail: v['max-fail'] === undefined ? { kind: 'count', n: 0 } : parseAmount('max-fail', v['max-fail'], 0),
  };
}

/**
 * Splits the nodes a rollout covers (the ones with changes, in inventory order) into waves: the first
 * `canary` nodes, then batches. A percentage batch is a share of all those nodes (canary included), rounded up.
 */
export function planWaves(nodes: string[], spec: RolloutSpec): Wave[] {
  const waves: Wave[] = [];
  let rest = nodes;
  if (spec.canary > 0 && rest.length > 0) {
    waves.push({ index: 1, kind: 'canary', nodes: rest.slice(0, spec.canary) });
    rest = rest.slice(spec.canary);
  }
  const size = spec.batch ? batchSize(spec.batch, nodes.length) : Math.max(1, rest.length);
  for (let i = 0; i < rest.length; i += size) waves.push({ index: waves.length + 1, kind: 'batch', nodes: rest.slice(i, i + size) });
  return waves;
}

/** One line for logs and reports: "canary 1, batch 25% (4 nodes), max-fail 10% (2 of 16 nodes)". */
export function describeRollout(spec: RolloutSpec, total: number): string {
  const parts: string[] = [];
  if (spec.canary) parts.push(`canary ${spec.canary}`);
  if (spec.batch) parts.push(`batch ${amountText(spec.batch)}${spec.batch.kind === 'percent' ? ` (${batchSize(spec.batch, total)} node${batchSize(spec.batch, total) === 1 ? '' : 's'})` : ''}`);
  else parts.push('the rest in one wave');
  const allowed = failuresAllowed(spec.maxFail, total);
  parts.push(`max-fail ${amountText(spec.maxFail)}${spec.maxFail.kind === 'percent' ? ` (${allowed} of ${total} nodes)` : ''}`);
  return parts.join(', ');
}
