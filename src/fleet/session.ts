import { relative } from 'node:path';
import type { Action } from '../domain/actions.js';
import { errorMessage, withoutNode } from '../domain/errors.js';
import type { Inventory, NodeSpec } from '../domain/inventory.js';
import type { NodePlan, Plan } from '../domain/plan.js';
import { gatherFacts, type GatheredFacts } from '../facts/gather.js';
import { pushCacheState } from '../transport/push-cache.js';
import type { NodeFacts } from '../domain/facts.js';
import { baselineDirsFor, loadBaseline, type LoadedBaseline } from '../inventory/load-baseline.js';
import { limitNodes, loadInventory } from '../inventory/load-inventory.js';
import { planNode } from '../planner/plan-node.js';
import { openNode, type ConnectOptions } from '../transport/open-node.js';
import type { NodeWriter } from '../transport/types.js';
import { runWithProgress } from '../terminal/progress.js';
import { selectShard, type ShardSpec } from '../rollout/shard.js';
import { progressMode, type Verb } from '../terminal/progress-mode.js';

export interface SessionOptions extends ConnectOptions {
  inventory: string;
  /** Where baselines live (`--baselines`, or its old name `--plans`). */
  baselines?: string;
  /** `--limit` terms, each a comma-separated list (see limitNodes). */
  limit?: string[];
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
  const dirs = baselineDirsFor(inventory.file, opts.baselines);
  const baselines = new Map<string, LoadedBaseline>();
  for (const s of specs) if (!baselines.has(s.baseline)) baselines.set(s.baseline, await loadBaseline(s.baseline, dirs));
  return { inventory, specs, baselines };
}

function failedPlan(spec: NodeSpec, e: unknown): NodePlan {
  const message = withoutNode(spec.name, errorMessage(e));
  return {
    node: spec.name,
    baseline: spec.baseline,
    paths: { home: '', dataRoot: '', attic: '', stateDir: '' },
    protected: [],
    actions: [],
    diagnostics: [{ severity: 'error', node: spec.name, message }],
  };
}

/** Connect, gather facts and plan one node. Its failure is its own: an error diagnostic, no writer. */
async function planOne(spec: NodeSpec, baseline: LoadedBaseline, opts: SessionOptions): Promise<NodeSession> {
  let writer: NodeWriter | null = null;
  try {
    writer = await openNode(spec, opts);
    const gathered = await gatherFacts(writer, spec, baseline.baseline, pushCacheState);
    const { facts, layout } = gathered;
    return { spec, baseline, writer, facts, gathered, plan: planNode({ baseline: baseline.baseline, node: spec, facts, layout }) };
  } catch (e) {
    await writer?.close().catch(() => undefined);
    return { spec, baseline, writer: null, plan: failedPlan(spec, e) };
  }
}

const planned = (n: NodeSession) => {
  const errors = n.plan.diagnostics.filter((d) => d.severity === 'error').length;
  if (errors) return { line: 'cannot be planned', ok: false, state: 'with errors' };
  return { line: n.plan.actions.length ? `${n.plan.actions.length} changes` : 'up to date', ok: true, state: n.plan.actions.length ? 'with changes' : 'up to date' };
};

function closeAll(nodes: NodeSession[]): () => Promise<void> {
  return async () => void (await Promise.all(nodes.map((n) => n.writer?.close().catch(() => undefined))));
}

/** Connect, gather facts and plan every selected node, `parallel` at a time, with progress on stderr. */
export async function openSession(opts: SessionOptions, show: { verb: Verb } = { verb: 'plan' }): Promise<Session> {
  const { inventory, specs, baselines } = await loadAll(opts);
  const tasks = specs.map((spec) => ({ title: spec.name, run: () => planOne(spec, baselines.get(spec.baseline)!, opts), done: planned }));
  const nodes = (await runWithProgress(tasks, { parallel: opts.parallel, failFast: false, verb: show.verb, ...progressMode(show.verb) })) as NodeSession[];
  return { inventory, nodes, close: closeAll(nodes) };
}

/** Same action, same state expected: what the executor will re-check. */
function sameExpect(a: Action, b: Action | undefined): boolean {
  const canon = (x: Action) => JSON.stringify(Object.entries(x.expect).sort(([k], [l]) => k.localeCompare(l)));
  return b !== undefined && a.type === b.type && a.path === b.path && canon(a) === canon(b);
}

export interface SavedSession {
  session: Session;
  /** Per node: the saved actions whose node state no longer matches (a fresh read-only look found otherwise). */
  stale: { node: string; actions: number; of: number }[];
  /** Nodes whose fresh look had nothing left to do: the plan (or its equal) was applied already. */
  converged: string[];
}

/**
 * For `apply FILE`: open the nodes of a saved plan, using the inventory only for how to reach them, and
 * look at each node again (read-only, like `plan`) to learn whether the plan still holds. Nothing is
 * re-planned: each node keeps exactly the actions that were reviewed.
 */
export async function openSavedPlan(inventory: Inventory, nodesOf: NodePlan[], opts: SessionOptions): Promise<SavedSession> {
  const specs = new Map(inventory.nodes.map((n) => [n.name, n]));
  const dirs = baselineDirsFor(inventory.file, opts.baselines);
  const baselines = new Map<string, LoadedBaseline>();
  for (const np of nodesOf) if (!baselines.has(np.baseline)) baselines.set(np.baseline, await loadBaseline(np.baseline, dirs));
  const tasks = nodesOf.map((np) => ({
    title: np.node,
    run: async () => ({ np, fresh: await planOne(specs.get(np.node)!, baselines.get(np.baseline)!, opts) }),
    done: () => ({ line: 'checked', ok: true, state: 'checked' }),
  }));
  const looked = (await runWithProgress(tasks, { parallel: opts.parallel, failFast: false, verb: 'check', ...progressMode('check') })).map((r) => r!);
  const stale: SavedSession['stale'] = [];
  const converged: string[] = [];
  const nodes = looked.map(({ np, fresh }): NodeSession => {
    if (!fresh.writer) return fresh; // unreachable or unreadable: its error diagnostic stops the apply
    const now = new Map(fresh.plan.actions.map((a) => [a.id, a]));
    const changed = np.actions.filter((a) => !sameExpect(a, now.get(a.id))).length;
    if (changed) stale.push({ node: np.node, actions: changed, of: np.actions.length });
    if (changed && fresh.plan.actions.length === 0) converged.push(np.node);
    return { ...fresh, plan: np };
  });
  return { stale, converged, session: { inventory, nodes, close: closeAll(nodes) } };
}

export function toPlan(s: Session): Plan {
  const baselines = new Map(s.nodes.map((n) => [n.baseline.baseline.name, n.baseline.sha256]));
  return {
    format: 'clawfleet-plan',
    version: 1,
    createdAt: new Date().toISOString(),
    baselines: [...baselines].map(([name, sha256]) => ({ name, sha256 })),
    inventory: { path: inventoryRef(s.inventory.file), sha256: s.inventory.sha256 },
    nodes: s.nodes.map((n) => n.plan),
  };
}

/** The inventory as a plan names it: relative to the working dir (a plan file names no path of this machine). */
export function inventoryRef(file: string): string {
  return relative(process.cwd(), file) || file;
}
