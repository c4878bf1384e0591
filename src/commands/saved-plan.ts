import { existsSync } from 'node:fs';
import { ClawError } from '../domain/errors.js';
import { nodeHasErrors, type Plan } from '../domain/plan.js';
import { checkSavedNodePlan } from '../plan-file/check-node.js';
import { limitNodes, loadInventory } from '../inventory/load-inventory.js';
import { readPlanFile } from '../plan-file/io.js';
import { selectShard } from '../rollout/shard.js';
import { inventoryRef, openSavedPlan, type Session, type SessionOptions } from '../fleet/session.js';
import { note } from '../terminal/ui.js';

const short = (sha: string) => sha.slice(0, 12);

function nodeList(names: string[], max = 6): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

/**
 * `apply FILE`: the saved plan, the nodes it names (and --limit keeps), each looked at again. A plan made for
 * another fleet (foreign) or whose nodes changed under its actions since (stale) is refused as a whole, once,
 * before any change, like Terraform's "Saved plan is stale".
 */
export async function openSavedPlanFile(
  file: string,
  opts: SessionOptions,
  explicitInventory: boolean,
  showSum: (sha256: string) => void = () => undefined,
): Promise<{ session: Session; plan: Plan }> {
  const { plan, sha256 } = await readPlanFile(file);
  showSum(sha256); // before any check, so even a refusal names the file it refused
  const made = `made ${plan.createdAt} against ${plan.inventory.path} (sha256 ${short(plan.inventory.sha256)}…)`;
  const invFile = explicitInventory ? opts.inventory : plan.inventory.path;
  if (!explicitInventory && !existsSync(invFile)) {
    throw new ClawError('PLANFILE', `plan was ${made}, which does not exist here (paths are relative to the dir the plan was made in): name the inventory with -i`, { path: file });
  }
  const inventory = await loadInventory(invFile);
  const known = new Set(inventory.nodes.map((n) => n.name));
  const foreign = plan.nodes.map((n) => n.node).filter((n) => !known.has(n));
  if (foreign.length) {
    throw new ClawError('PLANFILE', `plan is foreign: ${made}; its node${foreign.length === 1 ? '' : 's'} ${nodeList(foreign)} ${foreign.length === 1 ? 'is' : 'are'} not in ${inventoryRef(inventory.file)}; nothing applied`, { path: file });
  }
  let nodes = plan.nodes;
  if (opts.limit || opts.shard) {
    const limited = limitNodes(inventory, opts.limit);
    const wanted = limited.map((n) => n.name);
    const inPlan = new Set(plan.nodes.map((n) => n.node));
    const outside = opts.limit ? wanted.filter((n) => !inPlan.has(n)) : [];
    if (outside.length) throw new ClawError('LIMIT', `--limit: ${nodeList(outside)} ${outside.length === 1 ? 'is' : 'are'} not in the plan (it has ${nodeList([...inPlan])}); nothing applied`, { path: file });
    const keep = new Set((opts.shard ? selectShard(inventory, limited, opts.shard) : limited).map((n) => n.name));
    nodes = plan.nodes.filter((n) => keep.has(n.node));
  }
  if (inventory.sha256 !== plan.inventory.sha256) note(`inventory ${inventoryRef(inventory.file)} changed since the plan was made (only used to reach the nodes)`);
  const { session, stale, converged } = await openSavedPlan(inventory, nodes, opts);
  // Foreign actions first: an action the planner could not have made is refused as such, not as stale.
  await refuseForeignActions(file, session);
  if (stale.length) {
    await session.close();
    const n = stale.reduce((s, x) => s + x.actions, 0);
    const of = nodes.reduce((s, x) => s + x.actions.length, 0);
    const where = nodeList(stale.map((x) => `${x.node} ${x.actions}/${x.of}`));
    const hint = converged.length === stale.length ? ' (the nodes already match it: was it applied?)' : '';
    throw new ClawError('STALE', `plan is stale: ${made}; since then the nodes changed under ${n} of its ${of} actions (${where})${hint}; nothing applied: run clawfleet plan again`, { path: file });
  }
  for (const n of session.nodes) {
    const recorded = plan.baselines.find((b) => b.name === n.plan.baseline);
    if (recorded && recorded.sha256 !== n.baseline.sha256) note(`${n.spec.name}: baseline ${n.plan.baseline} changed since the plan was made; the plan's actions, checked against it, are applied as reviewed`);
  }
  return { session, plan: { ...plan, nodes: session.nodes.map((x) => x.plan) } };
}

/** Every action of a saved plan must be one the planner could have made for its node (plan-file/check-node.ts). */
async function refuseForeignActions(file: string, session: Session): Promise<void> {
  try {
    for (const n of session.nodes) {
      if (!n.writer || nodeHasErrors(n.plan)) continue; // an error anywhere stops the apply before any node is touched
      const problem = checkSavedNodePlan(n.plan, n.spec, n.baseline.baseline, await n.writer.home());
      if (problem) throw new ClawError('PLANFILE', `saved plan ${file} refused: ${problem.message}; nothing applied on any node`, { node: n.spec.name, ...(problem.path ? { path: problem.path } : {}) });
    }
  } catch (e) {
    await session.close();
    throw e;
  }
}
