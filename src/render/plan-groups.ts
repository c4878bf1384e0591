import type { NodePlan } from '../domain/plan.js';

/** Nodes whose plans are the same (same actions, same findings): shown once, the others named. */
export interface PlanGroup {
  first: NodePlan;
  /** The other nodes with exactly `first`'s plan, in inventory order. */
  same: NodePlan[];
}

/**
 * What a reviewer reads of a node's plan, without its name: the same changes (kind, path, link target, mode,
 * keys added, the lines a config diff adds or removes) and the same findings. What each node holds (the digest an action expects, the
 * names of the entries a link moves) differs from node to node and is left out: the apply re-checks it.
 */
function planKey(n: NodePlan): string {
  const actions = n.actions.map((a) => {
    const { expect: _e, reason: _r, ...rest } = a;
    if (rest.type === 'link') return { ...rest, copy: rest.copy.length, same: rest.same.length, kind: a.expect.kind };
    if (rest.type === 'merge-config') {
      // The lines added or removed, not the context around them (which holds each node's own values).
      const { afterSha256: _a, diff, ...r } = rest;
      const changed = diff.split('\n').filter((l) => /^[+-](?![+-]{2})/.test(l));
      return { ...r, changed: changed.join('\n').split(n.node).join('\0'), kind: a.expect.kind };
    }
    return { ...rest, kind: a.expect.kind };
  });
  const findings = n.diagnostics.map((d) => [d.severity, d.path ?? '', d.message.split(n.node).join('\0')]);
  return JSON.stringify([n.baseline, n.paths, actions, findings]);
}

export function groupPlans(nodes: readonly NodePlan[]): PlanGroup[] {
  const byKey = new Map<string, PlanGroup>();
  const groups: PlanGroup[] = [];
  for (const n of nodes) {
    const k = planKey(n);
    const g = byKey.get(k);
    if (g) g.same.push(n);
    else {
      const fresh = { first: n, same: [] };
      byKey.set(k, fresh);
      groups.push(fresh);
    }
  }
  return groups;
}

/** "node05–node80, web1, web3": runs of names that count up by one (same prefix; zero-padded: same width) become ranges. */
export function nodeRanges(names: readonly string[]): string {
  const parts: string[] = [];
  let run: { prefix: string; width: number; from: number; to: number; names: string[] } | null = null;
  const flush = () => {
    if (!run) return;
    parts.push(run.names.length >= 3 ? `${run.names[0]}–${run.names[run.names.length - 1]}` : run.names.join(', '));
    run = null;
  };
  for (const name of names) {
    const m = /^(.*?)(\d+)$/.exec(name);
    if (m && run && run.prefix === m[1] && Number(m[2]) === run.to + 1 && (run.width === m[2]!.length || !/^0\d/.test(m[2]!))) {
      run.to++;
      run.names.push(name);
      continue;
    }
    flush();
    if (m) run = { prefix: m[1]!, width: m[2]!.length, from: Number(m[2]), to: Number(m[2]), names: [name] };
    else parts.push(name);
  }
  flush();
  return parts.join(', ');
}
