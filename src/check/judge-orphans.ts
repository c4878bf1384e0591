import { isAgentId } from '../inventory/agent-id.js';
import type { PlanInput } from '../planner/context.js';
import { Judgement } from './judgement.js';

/** Orphans: no agent dir the inventory does not list (whatever the baseline's orphan policy does about them). */
export function judgeOrphans(input: PlanInput, j: Judgement): void {
  const { node, baseline } = input;
  const keep = new Set([...node.agents, ...node.keepAgents, ...baseline.orphans.neverTouch.map((s) => s.toLowerCase())]);
  for (const child of input.facts.agentDirs ?? []) {
    if (keep.has(child.name) || !isAgentId(child.name)) continue;
    if (child.kind === 'dir') j.drift(child.name);
    else if (child.kind === 'symlink') j.unknown(`agents/${child.name} is a symlink: not followed`);
  }
}
