import type { PathFact } from '../domain/facts.js';
import { describeFact, factOf, type PlanInput } from '../planner/context.js';
import type { LinkSlot } from '../shared/layout.js';
import { Judgement } from './judgement.js';

/** The data dirs a slot's target needs (its ancestors under the data root, and itself). */
function neededDirs(input: PlanInput, slot: LinkSlot): string[] {
  const root = input.layout.dataRoot;
  return input.layout.dataDirs.filter((d) => d === root || slot.target === d || slot.target.startsWith(d + '/'));
}

function rel(input: PlanInput, p: string): string {
  return p.startsWith(input.layout.home + '/') ? p.slice(input.layout.home.length + 1) : p;
}

/** Judges one link slot into `j`: its agent dir, the data dirs behind it, the link itself. */
function judgeSlot(input: PlanInput, slot: LinkSlot, j: Judgement): void {
  if (slot.agent !== undefined) {
    const child = (input.facts.agentDirs ?? []).find((c) => c.name === slot.agent);
    if (!child) return j.drift('agent-dir', `agents/${slot.agent} is missing (the inventory lists it)`);
    if (child.kind !== 'dir') return j.drift('agent-dir', `agents/${slot.agent} is ${describeFact({ kind: child.kind } as PathFact)}, not a real dir`);
  }
  for (const d of neededDirs(input, slot)) {
    const f = factOf(input, d);
    if (f.kind === 'dir' || (f.kind === 'symlink' && d === input.layout.dataRoot)) continue;
    if (f.kind === 'missing') j.drift('dir', `${d} is missing`);
    else j.drift('dir', `${d} is ${describeFact(f)}, not a dir`);
  }
  const f = factOf(input, slot.path);
  if (f.kind === 'symlink' && f.target === slot.target) return;
  if (f.kind === 'symlink') return j.drift('link', `${rel(input, slot.path)} points to ${f.target}, not ${slot.target}`);
  if (f.kind === 'missing' || f.kind === 'dir') return j.drift('link', `${rel(input, slot.path)} is ${describeFact(f)}, not a link to ${slot.target}`);
  j.drift('link', `${rel(input, slot.path)} is ${describeFact(f)}, not a link`);
}

/** Link items: every slot of the item (global, or per listed agent) is a link to its dir under the data root. */
export function judgeLinks(input: PlanInput, item: string, j: Judgement): void {
  for (const slot of input.layout.links) if (slot.item === item) judgeSlot(input, slot, j);
}
