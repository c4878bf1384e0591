import { buildCheck, type CheckedNode } from '../check/build.js';
import { applyWaivers, type Waiver } from '../check/waivers.js';
import type { CheckResult } from '../domain/check.js';
import type { Session } from '../commands/session.js';

export interface CheckOptions {
  waivers: Waiver[];
  now: Date;
}

/** The session's nodes as the check judges them (facts kept by the session; none for an unreachable node). */
export function checkedNodes(session: Session): CheckedNode[] {
  return session.nodes.map((n) =>
    n.gathered ? { node: n.spec.name, plan: n.plan, input: { baseline: n.baseline.baseline, node: n.spec, facts: n.gathered.facts, layout: n.gathered.layout } } : { node: n.spec.name, plan: n.plan },
  );
}

/** A full check of an open session: the baseline matrix, then waivers. */
export async function runCheck(session: Session, opts: CheckOptions): Promise<{ result: CheckResult; expired: Waiver[] }> {
  const base = buildCheck(checkedNodes(session), opts.now.toISOString());
  return applyWaivers(base, opts.waivers, opts.now);
}
