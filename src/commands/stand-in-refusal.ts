import { ClawError } from '../domain/errors.js';
import type { Plan } from '../domain/plan.js';
import type { NodeSpec } from '../domain/inventory.js';
import { isStandIn } from '../planner/bootstrap-stand-in.js';

/**
 * `apply` on a plan with a bootstrap action for a local dir standing in for a node (the demo's bare node):
 * refused as a whole, before any change on any node. Its commands (useradd, npm, the service) would run on
 * this machine; the plan only shows what `apply` would do over SSH.
 */
export function refuseStandInBootstrap(plan: Plan, specs: readonly NodeSpec[]): void {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const bad = plan.nodes.filter((n) => n.actions.some((a) => a.type === 'bootstrap') && isStandIn(byName.get(n.node) ?? { transport: 'ssh' }));
  if (bad.length === 0) return;
  const first = byName.get(bad[0]!.node)!;
  throw new ClawError(
    'USAGE',
    `${bad.map((n) => n.node).join(', ')}: a local dir (root: ${first.root ?? '?'}) can only be bootstrapped over SSH: its installs would run on this machine; nothing applied on any node (give the node a host:, or leave it out with --limit '!${bad[0]!.node}')`,
  );
}
