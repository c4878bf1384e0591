import type { Action, SetOwnerAction } from '../domain/actions.js';
import { diag, type PlanInput, type RuleOutput } from './context.js';
import { carriedTo, ownershipFindings, showOwnership, type OwnershipFinding } from './ownership.js';

function setOwner(f: OwnershipFinding, reason: string): SetOwnerAction {
  const expect: SetOwnerAction['expect'] = f.kind === 'dir' ? { kind: 'dir' } : { kind: 'file', sha256: f.sha256! };
  return { type: 'set-owner', id: `owner:${f.path}`, path: f.path, expect, from: f.had, to: f.to, reason: `${reason}: ${showOwnership(f.had)} → ${showOwnership(f.to)}`, items: f.items };
}

/**
 * Ownership and modes are part of the desired state. Existing data dirs (new ones get theirs from their
 * ensure-dir) must be the gateway's to write and no more open than the OpenClaw home; a dir about to become a
 * link carries its owner, group and mode to its target; the data root must let the gateway through; the
 * config must be the gateway's to read and write. Anything else is drift (the same findings `check` judges),
 * planned as a set-owner action journaled with what the path had.
 */
export function planOwnership(input: PlanInput, prior: readonly Action[]): RuleOutput {
  const out: RuleOutput = { actions: [], diagnostics: [] };
  if (input.facts.gatewayProblem) {
    out.diagnostics.push(diag(input, 'error', input.facts.gatewayProblem));
    return out;
  }
  const planned = new Set(prior.map((a) => a.path));
  const linking = new Set(prior.filter((a) => a.type === 'link' && a.expect.kind === 'dir').map((a) => (a as { target: string }).target));
  const findings = ownershipFindings(input, (p) => (linking.has(p) ? carriedTo(input, p) : null));
  for (const f of findings) {
    // A path another action writes gets its owner there (a merged config keeps or fixes its own).
    if (planned.has(f.path)) continue;
    const why = linking.has(f.path) ? 'gets the owner, group and mode of the dir it stands in for' : f.problems.map((p) => p.what === 'mode' ? 'more open than the OpenClaw home' : f.kind === 'file' ? 'the gateway cannot read and write its config' : f.path === input.layout.dataRoot ? 'the gateway cannot pass through the data root' : 'the gateway cannot write this data dir').join('; ');
    out.actions.push(setOwner(f, why));
  }
  return out;
}
