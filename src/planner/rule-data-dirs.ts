import { capByHome, carriedTo, plannedGateway, showOwnership, usableBy } from './ownership.js';
import type { Action } from '../domain/actions.js';
import { describeFact, diag, factOf, type PlanInput, type RuleOutput } from './context.js';
import { transitional } from './rule-version.js';

/** The OpenClaw home and every dir under the data root the links point into must exist. */
export function planDataDirs(input: PlanInput): RuleOutput {
  const out: RuleOutput = { actions: [], diagnostics: [] };
  const want: { path: string; mode: number; what: string }[] = [
    { path: input.layout.home, mode: 0o700, what: 'OpenClaw home' },
    // (a transition plan moves no agent dir yet: only the dirs links need)
    ...input.layout.dataDirs
      .filter((d) => !transitional(input) || d === input.layout.dataRoot || input.layout.links.some((l) => l.target === d || l.target.startsWith(d + '/')))
      .map((path) => ({ path, mode: input.baseline.dirMode, what: 'data dir' })),
  ];
  for (const { path, mode, what } of want) {
    const f = factOf(input, path);
    if (f.kind === 'dir') continue;
    if (f.kind === 'symlink' && path === input.layout.dataRoot) continue; // a data root mounted elsewhere
    if (f.kind === 'missing' && path === input.layout.dataRoot) {
      out.diagnostics.push(diag(input, 'info', 'data root is missing: apply creates it first, with its journal', path));
    } else if (f.kind === 'missing') {
      const items = [...new Set(input.layout.links.filter((l) => l.target === path || l.target.startsWith(path + '/')).map((l) => l.item))];
      const a: Action = { type: 'ensure-dir', id: `dir:${path}`, path, mode, expect: { kind: 'missing' }, reason: `${what} is missing`, items };
      const g = plannedGateway(input);
      if (g) {
        // The gateway's, with the mode of the dir it stands in for, else the baseline's mode; either made no
        // more open than the OpenClaw home (a setgid dir keeps its group's bits); the gateway may always use it.
        const carried = carriedTo(input, path);
        const o = usableBy(g, carried ?? { uid: g.uid, gid: g.gid, mode: capByHome(input, mode) }, 'rwx');
        Object.assign(a, { mode: o.mode, owner: { uid: o.uid, gid: o.gid } });
        if (carried) a.reason += `; it gets the owner, group and mode of the dir it stands in for (${showOwnership(o)})`;
      } else if (path !== input.layout.home) {
        // No gateway user to give it to (a root gateway, or none found): still never more open than the dir it
        // stands in for (whose owner and group it keeps) or the OpenClaw home.
        const carried = carriedTo(input, path);
        a.mode = carried ? carried.mode : capByHome(input, mode);
        if (carried) {
          a.owner = { uid: carried.uid, gid: carried.gid };
          a.reason += `; it gets the owner, group and mode of the dir it stands in for (${showOwnership(carried)})`;
        }
      }
      out.actions.push(a);
    } else {
      out.diagnostics.push(diag(input, 'error', `expected a dir (${what}), found ${describeFact(f)}`, path));
    }
  }
  return out;
}
