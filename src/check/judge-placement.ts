import JSON5 from 'json5';
import { describeFact, factOf, type PlanInput } from '../planner/context.js';
import type { Judgement } from './judgement.js';

/** `agents.entries.<id>.agentDir` as the config sets it (undefined: absent; null: the config is unreadable). */
function agentDirOf(text: string | null, id: string): unknown {
  if (text === null) return null;
  try {
    const cfg = JSON5.parse(text) as { agents?: { entries?: Record<string, { agentDir?: unknown } | undefined> } } | null;
    return cfg?.agents?.entries?.[id]?.agentDir;
  } catch {
    return null;
  }
}

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
    const set = agentDirOf(input.facts.config.text, id);
    if (set === null) {
      j(slot.item).unknown(`the config could not be read for agents.entries.${id}.agentDir`);
      continue;
    }
    if (set !== slot.target) j(slot.item).drift('config', `agents.entries.${id}.agentDir is ${set === undefined ? 'not set' : JSON.stringify(set)}, not ${slot.target}`);
    const here = factOf(input, slot.path);
    if (here.kind !== 'missing' && set !== slot.target) j(slot.item).drift('agent-dir', `agents/${id}/agent is ${describeFact(here)} under the OpenClaw home, not under ${input.layout.dataRoot}`);
  }
}
