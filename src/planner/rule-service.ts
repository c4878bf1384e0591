import { bootstrapCandidates, unitSha } from './bootstrap-ops.js';
import { diag, type PlanInput, type RuleOutput } from './context.js';
import type { Action } from '../domain/actions.js';

/**
 * Phase 2 of a bootstrap, after the layout and config: the gateway's service (a systemd unit where the node
 * has systemd, else the inventory's start command) and a start with its health check, unless the gateway
 * already answers it and its unit is the one clawfleet writes.
 */
export function planService(input: PlanInput): RuleOutput {
  const out: RuleOutput = { actions: [], diagnostics: [] };
  const { node, facts, baseline, layout } = input;
  const bf = facts.bootstrap;
  if (!node.bootstrap || !bf || !baseline.openclaw.pin || !facts.openclawBinary) return out;
  const unitExpect: Action['expect'] = bf.unitSha256 ? { kind: 'file', sha256: bf.unitSha256 } : { kind: 'missing' };
  const c = bootstrapCandidates(node, baseline, layout, bf.systemd, unitExpect)!;
  if (!bf.systemd && !node.bootstrap.start) {
    out.diagnostics.push(diag(input, 'error', 'bootstrap start-service: the node has no systemd and the inventory gives no bootstrap.start command'));
    return out;
  }
  const unitChanged = c.unit !== null && bf.unitSha256 !== unitSha(c);
  if (unitChanged) out.actions.push(c.unit!);
  // A running gateway reloads what the layout and config rules change, or the inventory's handler restarts it.
  if (unitChanged || bf.healthy !== true) out.actions.push(c.start);
  return out;
}
