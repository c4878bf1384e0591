import type { NodeSpec } from '../domain/inventory.js';
import type { BootstrapCandidates } from './bootstrap-ops.js';

/**
 * A local dir standing in for a node (`transport: local` with `root:`, e.g. the demo's bare node) can be
 * planned for a bootstrap, never bootstrapped: its commands (useradd, npm, the service) would run on the
 * operator's own machine. The plan shows what `apply` would do over SSH; `apply` refuses it up front
 * (commands/apply.ts, standInRefusal). What only a real node can tell, a dir cannot: the assumptions below.
 */

export function isStandIn(node: Pick<NodeSpec, 'transport' | 'root'>): boolean {
  return node.transport === 'local' && node.root !== undefined;
}

/** A dir has no /run/systemd: the plan assumes the usual target, a Linux server running systemd. */
export const STAND_IN_SYSTEMD = true;

/** The plan's note on a stand-in: why apply refuses it, and which facts are assumed or unknown. */
export function standInNote(node: NodeSpec): string {
  const unknown = node.bootstrap?.source === 'registry' ? "; unknown: the node's npm and Node.js ≥ 22 (source registry needs them)" : '';
  return `bootstrap: a local dir (root: ${node.root ?? '?'}) can only be bootstrapped over SSH: this plan shows what \`apply\` would do there; \`apply\` refuses it (its installs would run on this machine). A dir cannot tell what the node runs: assumed: systemd${unknown}`;
}

/** The steps of the second pass that are bootstrap steps, for the plan's note: the service and its health check. */
export function laterSteps(c: BootstrapCandidates): string {
  const s = c.start.boot;
  if (s.op !== 'start-service') return '';
  const start = s.systemd ? 'systemctl enable --now openclaw-gateway' : (s.command ?? 'no systemd and no bootstrap.start: the second pass refuses to start it');
  const service = c.unit ? `service: systemd unit ${c.unit.path}; ` : '';
  return `${service}start: ${start}; health: \`${s.health.command ?? 'openclaw health --json'}\` within ${s.health.deadlineS} s`;
}
