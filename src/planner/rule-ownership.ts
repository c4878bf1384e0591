import type { Action, SetOwnerAction } from '../domain/actions.js';
import type { Ownership } from '../domain/facts.js';
import { diag, type PlanInput, type RuleOutput } from './context.js';
import { carriedTo, gatewayMay, ownershipOf, plannedGateway, sameOwnership, showOwnership, usableBy } from './ownership.js';

function setOwner(path: string, from: Ownership, to: Ownership, kind: 'dir' | 'file', sha256: string | undefined, reason: string, items: string[]): SetOwnerAction {
  const expect: SetOwnerAction['expect'] = kind === 'dir' ? { kind: 'dir' } : { kind: 'file', sha256: sha256! };
  return { type: 'set-owner', id: `owner:${path}`, path, expect, from, to, reason: `${reason}: ${showOwnership(from)} → ${showOwnership(to)}`, items };
}

/**
 * Ownership and modes are part of the desired state. Existing data dirs (new ones get theirs from their
 * ensure-dir) must be the gateway's to write; a dir about to become a link carries its owner, group and mode
 * to its target; the data root must let the gateway through; the config must be the gateway's to read and
 * write. Anything else is drift, planned as a set-owner action journaled with what the path had.
 */
export function planOwnership(input: PlanInput, prior: readonly Action[]): RuleOutput {
  const out: RuleOutput = { actions: [], diagnostics: [] };
  if (input.facts.gatewayProblem) {
    out.diagnostics.push(diag(input, 'error', input.facts.gatewayProblem));
    return out;
  }
  const g = plannedGateway(input);
  if (!g) return out;
  const planned = new Set(prior.map((a) => a.path));
  const linking = new Set(prior.filter((a) => a.type === 'link' && a.expect.kind === 'dir').map((a) => (a as { target: string }).target));
  const { dataRoot, links } = input.layout;
  const itemsUnder = (p: string) => [...new Set(links.filter((l) => l.target === p || l.target.startsWith(p + '/')).map((l) => l.item))];

  const root = ownershipOf(input.facts.paths[dataRoot]);
  if (root && !planned.has(dataRoot) && !gatewayMay(g, root, 'x')) {
    // The login keeps the data root (clawfleet's own state is in it): the gateway's group may pass through.
    const to = { uid: root.uid, gid: g.gid, mode: root.mode | 0o010 };
    out.actions.push(setOwner(dataRoot, root, to, 'dir', undefined, 'the gateway cannot pass through the data root', itemsUnder(dataRoot)));
  }
  for (const path of input.layout.dataDirs) {
    if (path === dataRoot || planned.has(path)) continue;
    const had = ownershipOf(input.facts.paths[path]);
    if (!had) continue;
    const carried = linking.has(path) ? carriedTo(input, path) : null;
    const to = usableBy(g, carried ?? had, 'rwx');
    if (sameOwnership(had, to)) continue;
    const why = carried ? 'gets the owner, group and mode of the dir it stands in for' : 'the gateway cannot write this data dir';
    out.actions.push(setOwner(path, had, to, 'dir', undefined, why, itemsUnder(path)));
  }
  const cfg = input.facts.config;
  const had = ownershipOf(cfg.fact);
  if (had && cfg.fact.kind === 'file' && !planned.has(cfg.path)) {
    const to = usableBy(g, had, 'rw');
    const items = [...new Set(input.baseline.config.sections.map((s) => s.item ?? s.path))];
    if (!sameOwnership(had, to)) out.actions.push(setOwner(cfg.path, had, to, 'file', cfg.fact.sha256, 'the gateway cannot read and write its config', items));
  }
  return out;
}
