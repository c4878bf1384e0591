import { createHash } from 'node:crypto';
import { ClawError } from '../domain/errors.js';
import type { Inventory, NodeSpec } from '../domain/inventory.js';

/** `--shard i/N` (1-based, like test runners' shards), with groups whose nodes must share one shard. */
export interface ShardSpec {
  index: number;
  count: number;
  /** Group names: every node of such a group goes where the group's name hashes to. */
  together: string[];
}

export const MAX_SHARDS = 4096;

export function parseShard(text: string, together?: string): ShardSpec {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || count > MAX_SHARDS || index < 1 || index > count) {
    throw new ClawError('USAGE', `--shard must be i/N with 1 ≤ i ≤ N ≤ ${MAX_SHARDS} (e.g. 2/4), not "${text}"`);
  }
  const groups = (together ?? '').split(',').map((g) => g.trim()).filter(Boolean);
  return { index, count, together: [...new Set(groups)] };
}

/**
 * Jump consistent hash (Lamping & Veach, 2014): a 64-bit key → a bucket in [0, buckets). The same key always
 * lands in the same bucket, and going from N to N+1 buckets moves only ~1/(N+1) of the keys.
 */
export function jumpHash(key: bigint, buckets: number): number {
  const MASK = (1n << 64n) - 1n;
  let k = key & MASK;
  let b = -1;
  let j = 0;
  while (j < buckets) {
    b = j;
    k = (k * 2862933555777941757n + 1n) & MASK;
    j = Math.floor((b + 1) * (2 ** 31 / (Number(k >> 33n) + 1)));
  }
  return b;
}

/** The first 8 bytes of sha256(text): stable across machines, Node versions and inventory order. */
export function stableKey(text: string): bigint {
  return createHash('sha256').update(text, 'utf8').digest().readBigUInt64BE(0);
}

/** What a node is hashed by: the first `together` group it belongs to (in the option's order), else its name. */
export function shardKeyOf(spec: Pick<NodeSpec, 'name' | 'groups'>, together: string[]): string {
  const g = together.find((t) => spec.groups.includes(t));
  return g ? `group:${g}` : `node:${spec.name}`;
}

/** 1-based shard of a node for `count` shards. */
export function shardOf(spec: Pick<NodeSpec, 'name' | 'groups'>, count: number, together: string[] = []): number {
  return jumpHash(stableKey(shardKeyOf(spec, together)), count) + 1;
}

/** The selected nodes that fall in this shard (inventory order kept). Unknown `together` groups are an error. */
export function selectShard(inv: Pick<Inventory, 'file' | 'groups'>, specs: NodeSpec[], shard: ShardSpec): NodeSpec[] {
  const unknown = shard.together.filter((g) => !(g in inv.groups));
  if (unknown.length) throw new ClawError('USAGE', `--shard-together: no group named "${unknown[0]}" in the inventory`, { path: inv.file });
  return specs.filter((s) => shardOf(s, shard.count, shard.together) === shard.index);
}
