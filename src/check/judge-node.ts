import type { Cell } from '../domain/check.js';
import type { NodePlan } from '../domain/plan.js';
import type { PlanInput } from '../planner/context.js';
import { baselineItems } from './items.js';
import { judgeConfig } from './judge-config.js';
import { judgeLinks } from './judge-links.js';
import { judgeOrphans } from './judge-orphans.js';
import { judgeOwnership } from './judge-ownership.js';
import { judgePlacement } from './judge-placement.js';
import { Judgement } from './judgement.js';

/**
 * Every baseline item of one node, judged from the facts themselves (pure). The plan is only read for its
 * errors, which say why apply would refuse the node; they never turn a cell green.
 */
export function judgeNode(input: PlanInput, plan: NodePlan, items: string[]): { cells: Record<string, Cell>; notes: string[] } {
  const js = new Map<string, Judgement>();
  const j = (item: string) => {
    let x = js.get(item);
    if (!x) js.set(item, (x = new Judgement()));
    return x;
  };
  const own = new Set(baselineItems(input.baseline));
  for (const item of own) if (item !== 'orphans') judgeLinks(input, item, j(item));
  judgeConfig(input, j);
  judgePlacement(input, j);
  judgeOwnership(input, [...own], j);
  judgeOrphans(input, j('orphans'));
  const cells: Record<string, Cell> = {};
  for (const item of items) {
    if (own.has(item)) cells[item] = j(item).cell();
    // an item of another baseline in the same fleet
    else cells[item] = { state: 'n/a', why: `not an item of baseline ${input.baseline.name} on this node` };
  }
  const notes = plan.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.path ? d.path + ': ' : ''}${d.message}`);
  return { cells, notes };
}
