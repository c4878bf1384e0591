import type { QuarantineAction } from '../domain/actions.js';
import { isAgentId } from '../inventory/agent-id.js';
import { diag, matchesProtected, type PlanInput, type RuleOutput } from './context.js';
import { describeFindings, isCredentialOwner, ownerFindings } from './credential-owner.js';

/**
 * Agent dirs the inventory does not list are moved aside (quarantine), never deleted. A dir that holds
 * credentials (auth-profiles.json, an agent DB with auth rows, `main` with the legacy shared store) or that
 * carries a reserved id is never moved by default: that is a plan error, resolved by the inventory naming
 * it under keepAgents (leave it) or quarantineAgents (move it anyway).
 */
export function planOrphans(input: PlanInput): RuleOutput {
  const out: RuleOutput = { actions: [], diagnostics: [] };
  const { node, baseline, layout } = input;
  const keep = new Set([...node.agents, ...node.keepAgents, ...baseline.orphans.neverTouch.map((s) => s.toLowerCase())]);
  const decided = new Set(node.quarantineAgents ?? []);
  for (const id of decided) {
    if (keep.has(id)) out.diagnostics.push(diag(input, 'error', `agent "${id}" is named under quarantineAgents and also kept (agents, keepAgents or the baseline's neverTouch): name it in one place only`, `${layout.agentsDir}/${id}`));
  }
  for (const child of input.facts.agentDirs ?? []) {
    if (keep.has(child.name)) continue;
    const path = `${layout.agentsDir}/${child.name}`;
    if (!isAgentId(child.name)) {
      out.diagnostics.push(diag(input, 'warning', 'not a valid OpenClaw agent id: left alone', path));
      continue;
    }
    if (child.kind !== 'dir') {
      out.diagnostics.push(diag(input, 'warning', `not listed in the inventory and not a dir (${child.kind}): left alone`, path));
      continue;
    }
    const m = input.facts.manifests[path];
    if (!m) {
      out.diagnostics.push(diag(input, 'error', 'orphan agent dir could not be listed', path));
      continue;
    }
    if (baseline.orphans.policy === 'report') {
      out.diagnostics.push(diag(input, 'warning', 'agent dir not listed in the inventory (orphan policy: report)', path));
      continue;
    }
    const protectedFiles = m.entries.filter((e) => e.kind === 'file' && matchesProtected(input, `${path}/${e.rel}`)).map((e) => e.rel);
    const f = ownerFindings(child.name, m, input.facts.agentCredentials?.[child.name], protectedFiles);
    const owner = isCredentialOwner(f);
    if ((owner || f.reserved) && !decided.has(child.name)) {
      out.diagnostics.push(
        diag(
          input,
          'error',
          `agent dir not listed in the inventory is never moved by default: ${describeFindings(child.name, f)}. List "${child.name}" under keepAgents to leave it, or under quarantineAgents to move it to the quarantine anyway`,
          path,
        ),
      );
      continue;
    }
    if (owner || f.reserved) {
      out.diagnostics.push(
        diag(input, 'warning', `CREDENTIALS quarantined because the inventory names "${child.name}" under quarantineAgents: ${describeFindings(child.name, f)}; it moves out of OpenClaw's reach (kept under ${layout.attic}, restorable by rollback)`, path),
      );
    }
    const action: QuarantineAction = {
      type: 'quarantine',
      id: `quarantine:${path}`,
      path,
      agentId: child.name,
      holdsCredentials: owner,
      expect: { kind: 'dir', digest: m.digest },
      reason: `agent "${child.name}" is not in the inventory: move it to the quarantine`,
      items: ['orphans'],
    };
    out.actions.push(action);
  }
  for (const id of decided) {
    if (!(input.facts.agentDirs ?? []).some((c) => c.name === id)) out.diagnostics.push(diag(input, 'info', `agent "${id}" is named under quarantineAgents but has no dir on the node: nothing to move`, `${layout.agentsDir}/${id}`));
  }
  return out;
}
