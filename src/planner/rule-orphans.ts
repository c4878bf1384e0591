import type { QuarantineAction } from '../domain/actions.js';
import { isAgentId } from '../inventory/agent-id.js';
import { diag, matchesProtected, type PlanInput, type RuleOutput } from './context.js';

/** Agent dirs the inventory does not list are moved aside (quarantine), never deleted. */
export function planOrphans(input: PlanInput): RuleOutput {
  const out: RuleOutput = { actions: [], diagnostics: [] };
  const { node, baseline, layout } = input;
  const keep = new Set([...node.agents, ...node.keepAgents, ...baseline.orphans.neverTouch.map((s) => s.toLowerCase())]);
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
    const creds = m.entries.filter((e) => e.kind === 'file' && matchesProtected(input, `${path}/${e.rel}`)).map((e) => e.rel);
    if (baseline.orphans.policy === 'report') {
      out.diagnostics.push(diag(input, 'warning', 'agent dir not listed in the inventory (orphan policy: report)', path));
      continue;
    }
    if (creds.length > 0) {
      const main = child.name === 'main' ? ' agents/main is OpenClaw\'s default credential store that other agents read through;' : '';
      out.diagnostics.push(
        diag(input, 'warning', `CREDENTIALS: orphan holds ${creds.join(', ')}.${main} quarantine moves it out of OpenClaw's reach (kept under ${layout.attic}, restorable by rollback); add "${child.name}" to keepAgents to leave it`, path),
      );
    }
    const action: QuarantineAction = {
      type: 'quarantine',
      id: `quarantine:${path}`,
      path,
      agentId: child.name,
      holdsCredentials: creds.length > 0,
      expect: { kind: 'dir', digest: m.digest },
      reason: `agent "${child.name}" is not in the inventory: move it to the quarantine`,
      items: ['orphans'],
    };
    out.actions.push(action);
  }
  return out;
}
