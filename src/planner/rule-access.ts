import type { Action } from '../domain/actions.js';
import { parentOf } from '../shared/node-path.js';
import { diag, factOf, type PlanInput, type RuleOutput } from './context.js';

/**
 * A login that cannot write where the plan must write is a plan error, not an apply failure: every dir an
 * action writes into (or moves, or creates a dir in) must be writable by the login, as the facts recorded
 * it (`writable`: root, and a `become: sudo` login, may write everywhere). A missing dir counts as its
 * nearest existing parent, where it would be created.
 */
export function planAccess(input: PlanInput, prior: readonly Action[]): RuleOutput {
  const out: RuleOutput = { actions: [], diagnostics: [] };
  const writable = input.facts.writable;
  if (!writable || prior.length === 0) return out;
  const { attic, stateDir } = input.layout;
  const dirs = new Set<string>([stateDir]);
  for (const a of prior) {
    dirs.add(parentOf(a.path));
    if (a.type === 'link' || a.type === 'quarantine') {
      if (factOf(input, a.path).kind === 'dir' || a.type === 'quarantine') {
        dirs.add(a.path); // a dir moved to another parent needs write access to itself (its `..`)
        dirs.add(attic);
      }
      if (a.type === 'link') dirs.add(a.target);
    }
    if (a.type === 'merge-config') dirs.add(stateDir);
  }
  const refused = new Set<string>();
  for (const d of dirs) {
    const at = nearestKnown(d, writable);
    if (at !== undefined && writable[at] === false) refused.add(at);
  }
  for (const d of [...refused].sort()) {
    out.diagnostics.push(diag(input, 'error', 'the plan must write here and the login user cannot: log in as root or set `become: sudo` for this node', d));
  }
  return out;
}

/** `p` or its nearest ancestor that the facts hold an answer for. */
function nearestKnown(p: string, writable: Record<string, boolean>): string | undefined {
  for (let cur = p; ; cur = parentOf(cur)) {
    if (cur in writable) return cur;
    if (cur === '/') return undefined;
  }
}
