import { describeFact, factOf, type PlanInput } from '../planner/context.js';
import { configuredAgentDir } from '../planner/rule-relocate.js';
import type { Judgement } from './judgement.js';

/**
 * The current baseline's placement, judged from the facts: no retired link left (a classic node not yet through
 * the transition), every listed agent's dir under the data root with agentDir pointing there.
 */
export function judgePlacement(input: PlanInput, j: (item: string) => Judgement): void {
  for (const slot of input.layout.retired) {
    const f = factOf(input, slot.path);
    if (f.kind === 'symlink') j(slot.item).drift('link', `${slot.path} is ${describeFact(f)}: OpenClaw 2026.8.1+ refuses it; the transition makes it a real dir`);
  }
  for (const slot of input.layout.relocations) {
    const id = slot.agent!;
    const set = configuredAgentDir(input.facts.config.text, id, null); // null: the config is unreadable
    if (set === null) {
      j(slot.item).unknown(`the config could not be read for agents.entries.${id}.agentDir`);
      continue;
    }
    if (set !== slot.target) j(slot.item).drift('config', `agents.entries.${id}.agentDir is ${set === undefined ? 'not set' : JSON.stringify(set)}, not ${slot.target}`);
    const here = factOf(input, slot.path);
    if (here.kind !== 'missing' && set !== slot.target) j(slot.item).drift('agent-dir', `agents/${id}/agent is ${describeFact(here)} under the OpenClaw home, not under ${input.layout.dataRoot}`);
  }
}
