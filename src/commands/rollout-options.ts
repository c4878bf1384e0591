import type { Command } from 'commander';
import { ClawError } from '../domain/errors.js';
import type { Plan } from '../domain/plan.js';
import { parseShard, type ShardSpec } from '../rollout/shard.js';
import { parseRollout, type RolloutSpec } from '../rollout/strategy.js';

/** `--shard i/N` for plan, check and apply (and what `clawfleet merge` joins). */
export function withShard(cmd: Command): Command {
  return cmd
    .option(
      '--shard <i/N>',
      'only the i-th of N stable slices of the selected nodes (by a hash of the node name: a node stays in its shard whatever else changes), e.g. one CI job each; join the parts\' -f json results with `clawfleet merge`',
    )
    .option('--shard-together <G,…>', 'keep every node of these groups in one shard (hashed by the group\'s name)');
}

/** `--canary`, `--batch`, `--max-fail` for apply. */
export function withRollout(cmd: Command): Command {
  return cmd
    .option('--canary <N>', 'rollout: apply to the first N nodes with changes first; stop unless all end healthy')
    .option('--batch <N|P%>', 'rollout: then go on in waves of N nodes (or P% of the nodes with changes)')
    .option(
      '--max-fail <N|P%>',
      'rollout: stop once more than N nodes (P% of them) failed (default 0); a node fails when it is rolled back, refused, its handler fails or its health gate (inventory `health:`) does not pass. A wave always finishes; later waves are not started.',
    );
}

export interface ShardValues {
  shard?: string;
  shardTogether?: string;
}

export interface RolloutValues {
  canary?: string;
  batch?: string;
  maxFail?: string;
}

export function shardOf(v: ShardValues): ShardSpec | undefined {
  if (v.shard === undefined) {
    if (v.shardTogether !== undefined) throw new ClawError('USAGE', '--shard-together needs --shard i/N');
    return undefined;
  }
  return parseShard(v.shard, v.shardTogether);
}

export function rolloutOf(v: RolloutValues): RolloutSpec | null {
  return parseRollout({ canary: v.canary, batch: v.batch, 'max-fail': v.maxFail });
}

/** A plan of one shard says so, so that `merge` can tell a complete set of parts from an incomplete one. */
export function markShard(plan: Plan, shard: ShardSpec | undefined): Plan {
  return shard ? { ...plan, shard } : plan;
}
