import { ClawError } from '../domain/errors.js';
import type { Plan } from '../domain/plan.js';
import { parseShard, type ShardSpec } from '../rollout/shard.js';

/** `--shard i/N` for plan, check and apply (and what `clawfleet merge` joins). */
export const SHARD_OPTIONS = {
  shard: { type: 'string' },
  'shard-together': { type: 'string' },
} as const;

export const SHARD_HELP = `      --shard i/N           only the i-th of N stable slices of the selected nodes (by a hash of the node
                            name: a node stays in its shard whatever else changes), e.g. one CI job each;
                            join the parts' -f json results with \`clawfleet merge\`
      --shard-together G,…  keep every node of these groups in one shard (hashed by the group's name)`;

/** `--canary`, `--batch`, `--max-fail` for apply. */
export const ROLLOUT_OPTIONS = {
  canary: { type: 'string' },
  batch: { type: 'string' },
  'max-fail': { type: 'string' },
} as const;

export const ROLLOUT_HELP = `Rollout (decided between waves; every decision printed, and in -f json under "rollout"):
      --canary N            apply to the first N nodes with changes first; stop unless all end healthy
      --batch N|P%          then go on in waves of N nodes (or P% of the nodes with changes)
      --max-fail N|P%       stop once more than N nodes (P% of them) failed (default 0); a node fails when it
                            is rolled back, refused, its handler fails or its health gate (inventory
                            \`health:\`) does not pass. A wave always finishes; later waves are not started.`;

export function shardOf(v: { shard?: string | undefined; 'shard-together'?: string | undefined }): ShardSpec | undefined {
  if (v.shard === undefined) {
    if (v['shard-together'] !== undefined) throw new ClawError('USAGE', '--shard-together needs --shard i/N');
    return undefined;
  }
  return parseShard(v.shard, v['shard-together']);
}

/** A plan of one shard says so, so that `merge` can tell a complete set of parts from an incomplete one. */
export function markShard(plan: Plan, shard: ShardSpec | undefined): Plan {
  return shard ? { ...plan, shard } : plan;
}
