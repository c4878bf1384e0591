import type { PlanInput } from '../planner/context.js';
import { ownershipFindings } from '../planner/ownership.js';
import { Judgement } from './judgement.js';

/**
 * Ownership and modes, judged from the facts (uid, gid, mode) like every other item: a data dir the gateway
 * cannot write, a data root it cannot pass through, a config it cannot read and write are `owner` drift; a data
 * dir more open than the OpenClaw home is `mode` drift. Each counts against every item the path serves. An
 * inventory `owner:` the node does not know leaves those items unjudgeable.
 */
export function judgeOwnership(input: PlanInput, items: readonly string[], judgements: (item: string) => Judgement): void {
  if (input.facts.gatewayProblem) {
    for (const item of items) if (item !== 'orphans') judgements(item).unknown(input.facts.gatewayProblem);
    return;
  }
  for (const f of ownershipFindings(input)) {
    for (const item of f.items) for (const p of f.problems) judgements(item).drift(p.what, p.detail);
  }
}
