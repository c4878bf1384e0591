import { ClawError, errorMessage } from '../domain/errors.js';
import type { Inventory, NodeSpec } from '../domain/inventory.js';
import type { NodePlan, Plan } from '../domain/plan.js';
import { gatherFacts, type GatheredFacts } from '../facts/gather.js';
import type { NodeFacts } from '../domain/facts.js';
import { loadBaseline, plansDirsFor, type LoadedBaseline } from '../inventory/load-baseline.js';
import { limitNodes, loadInventory } from '../inventory/load-inventory.js';
import { planNode } from '../planner/plan-node.js';
import { openNode, type ConnectOptions } from '../transport/open-node.js';
import type { NodeWriter } from '../transport/types.js';
import { selectShard, type ShardSpec } from '../rollout/shard.js';
import { mapLimit } from './pool.js';

export interface SessionOptions extends ConnectOptions {
  inventory: string;
  plans?: string;
  limit?: string;
  parallel: number;
  /** `--shard i/N`: only this stable slice of the selected nodes. */
  shard?: ShardSpec;
}

export interface NodeSession {
  spec: NodeSpec;
  baseline: LoadedBaseline;
  /** null when the node could not be reached or read: see `plan.diagnostics`. */
  writer: NodeWriter | null;
  plan: NodePlan;
  /** The facts the plan was made from (absent for a saved plan or an unreachable node). */
  facts?: NodeFacts;
  /** What the plan was made from (absent when the node could not be read, or for a saved plan). */
  gathered?: GatheredFacts;
}

export interface Session {
  inventory: Inventory;
  nodes: NodeSession[];
  close(): Promise<void>;
}

/** Load inventory and baselines (all checked before any node is contacted). */
export async function loadAll(opts: SessionOptions): Promise<{ inventory: Inventory; specs: NodeSpec[]; baselines: Map<string, LoadedBaseline> }> {
  const inventory = await loadInventory(opts.inventory);
  const limited = limitNodes(inventory, opts.limit);
  const specs = opts.shard ? selectShard(inventory, limited, opts.shard) : limited;
  const dirs = plansDirsFor(inventory.file, opts.plans);
  const baselines = new Map<string, LoadedBaseline>();
  for (const s of specs) if (!baselines.has(s.baseline)) baselines.set(s.baseline, await loadBaseline(s.baseline, dirs));
  return { inventory, specs, baselines };
}

function failedPlan(spec: NodeSpec, e: unknown): NodePlan {
  const msg = errorMessage(e);
  const message = msg.startsWith(`${spec.name}: `) ? msg.slice(spec.name.length + 2) : msg;
  return {
    node: spec.name,
    baseline: spec.baseline,
    paths: { home: '', dataRoot: '', attic: '', stateDir: '' },
    protected: [],
    actions: [],
    diagnostics: [{ severity: 'error', node: spec.name, message }],
  };
}

/** Connect, gather facts and plan every selected node, `parallel` at a time. One node's failure is its own. */
export async function openSession(opts: SessionOptions): Promise<Session> {
  const { inventory, specs, baselines } = await loadAll(opts);
  const nodes = await mapLimit(specs, opts.parallel, async (spec): Promise<NodeSession> => {
    const baseline = baselines.get(spec.baseline)!;
    let writer: NodeWriter | null = null;
    try {
      writer = await openNode(spec, opts);
      const gathered = await gatherFacts(writer, spec, baseline.baseline);
      const { facts, layout } = gathered;
      return { spec, baseline, writer, facts, gathered, plan: planNode({ baseline: baseline.baseline, node: spec, facts, layout }) };
    } catch (e) {
      await writer?.close().catch(() => undefined);
      return { spec, baseline, writer: null, plan: failedPlan(spec, e) };
    }
  });
  return {
    inventory,
    nodes,
    close: async () => {
      await Promise.all(nodes.map((n) => n.writer?.close().catch(() => undefined)));
    },
  };
}

/**
 * For `apply FILE`: open the nodes of a saved plan, using the inventory only for how to reach them.
 * Nothing is re-planned: each node keeps exactly the actions that were reviewed.
 */
export async function openSavedPlan(plan: Plan, opts: SessionOptions): Promise<{ session: Session; notes: string[] }> {
  const inventory = await loadInventory(opts.inventory);
  const notes: string[] = [];
  if (inventory.sha256 !== plan.inventory.sha256) notes.push(`inventory ${inventory.file} changed since the plan was made (only used to reach the nodes)`);
  const specs = new Map(inventory.nodes.map((n) => [n.name, n]));
  const limited = opts.limit || opts.shard ? limitNodes(inventory, opts.limit) : null;
  const wanted = limited ? new Set((opts.shard ? selectShard(inventory, limited, opts.shard) : limited).map((n) => n.name)) : null;
  const planned = plan.nodes.filter((n) => !wanted || wanted.has(n.node));
  const missing = planned.filter((n) => !specs.has(n.node)).map((n) => n.node);
  if (missing.length) throw new ClawError('PLANFILE', `${missing.join(', ')}: in the plan but not in the inventory`, { path: inventory.file });
  const dirs = plansDirsFor(inventory.file, opts.plans);
  const nodes = await mapLimit(planned, opts.parallel, async (np): Promise<NodeSession> => {
    const spec = specs.get(np.node)!;
    const baseline = await loadBaseline(np.baseline, dirs);
    const recorded = plan.baselines.find((b) => b.name === np.baseline);
    if (recorded && recorded.sha256 !== baseline.sha256) notes.push(`${np.node}: baseline ${np.baseline} changed since the plan was made; the plan's actions, checked against it, are applied as reviewed`);
    try {
      return { spec, baseline, writer: await openNode(spec, opts), plan: np };
    } catch (e) {
      return { spec, baseline, writer: null, plan: failedPlan(spec, e) };
    }
  });
  return {
    notes,
    session: { inventory, nodes, close: async () => void (await Promise.all(nodes.map((n) => n.writer?.close().catch(() => undefined)))) },
  };
}

export function toPlan(s: Session): Plan {
  const baselines = new Map(s.nodes.map((n) => [n.baseline.baseline.name, n.baseline.sha256]));
  return {
    format: 'clawfleet-plan',
    version: 1,
    createdAt: new Date().toISOString(),
    baselines: [...baselines].map(([name, sha256]) => ({ name, sha256 })),
    inventory: { path: s.inventory.file, sha256: s.inventory.sha256 },
    nodes: s.nodes.map((n) => n.plan),
  };
}
