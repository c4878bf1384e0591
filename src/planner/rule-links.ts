import type { LinkAction } from '../domain/actions.js';
import { subManifest, topLevelNames } from '../shared/manifest.js';
import { describeFact, diag, factOf, matchesProtected, targetManifest, type PlanInput, type RuleOutput } from './context.js';
import { entryProblem } from './entry-limits.js';
import type { LinkSlot } from '../shared/layout.js';
import { plannedGateway } from './ownership.js';

function agentPresent(input: PlanInput, agent: string): boolean {
  return (input.facts.agentDirs ?? []).some((c) => c.name === agent && c.kind === 'dir');
}

/** A real dir becomes a link: its entries are copied into the target first; a clash is an error. */
function fromDir(input: PlanInput, slot: LinkSlot, out: RuleOutput): void {
  const src = input.facts.manifests[slot.path];
  if (!src) {
    out.diagnostics.push(diag(input, 'error', 'dir could not be listed', slot.path));
    return;
  }
  const protectedHit = src.entries.find((e) => matchesProtected(input, `${slot.path}/${e.rel}`));
  if (protectedHit) {
    out.diagnostics.push(diag(input, 'error', `holds protected file ${protectedHit.rel}: refusing to move it`, slot.path));
    return;
  }
  const problem = entryProblem(slot.path, slot.target, src, input.facts.pathMax);
  if (problem) {
    out.diagnostics.push(diag(input, 'error', problem.message, problem.path));
    return;
  }
  const dst = targetManifest(input, out, slot.target, { what: 'link target', unlisted: 'link target dir could not be listed' });
  if (dst === undefined) return;
  const dstNames = new Set(dst ? topLevelNames(dst) : []);
  const copy: string[] = [];
  const same: string[] = [];
  for (const name of topLevelNames(src)) {
    if (!dstNames.has(name)) copy.push(name);
    else if (subManifest(src, name).digest === subManifest(dst!, name).digest) same.push(name);
    else {
      out.diagnostics.push(
        diag(input, 'error', `name clash: "${name}" exists in ${slot.target} with different content; move one aside first`, slot.path),
      );
      return;
    }
  }
  const files = src.entries.filter((e) => e.kind !== 'dir').length;
  out.actions.push(link(slot, { kind: 'dir', digest: src.digest }, copy, same, `real dir (${files} files) becomes a link; contents move to ${slot.target}`));
}

function link(slot: LinkSlot, expect: LinkAction['expect'], copy: string[], same: string[], reason: string): LinkAction {
  return { type: 'link', id: `link:${slot.path}`, path: slot.path, target: slot.target, expect, copy, same, reason, items: [slot.item] };
}

/** Every global and per-agent link slot points to its dir under the data root. */
export function planLinks(input: PlanInput): RuleOutput {
  const out: RuleOutput = { actions: [], diagnostics: [] };
  for (const slot of input.layout.links) {
    if (slot.agent !== undefined && !agentPresent(input, slot.agent)) {
      out.diagnostics.push(diag(input, 'info', `agent "${slot.agent}" has no dir on the node yet: its links wait for it`, slot.path));
      continue;
    }
    if (matchesProtected(input, slot.path)) {
      out.diagnostics.push(diag(input, 'error', 'is a protected path: refusing to replace it by a link', slot.path));
      continue;
    }
    const f = factOf(input, slot.path);
    if (f.kind === 'symlink' && f.target === slot.target) continue;
    if (f.kind === 'missing') out.actions.push(link(slot, { kind: 'missing' }, [], [], `missing; link to ${slot.target}`));
    else if (f.kind === 'symlink') {
      out.actions.push(link(slot, { kind: 'symlink', target: f.target }, [], [], `points to ${f.target}; repoint to ${slot.target}`));
      out.diagnostics.push(diag(input, 'warning', `old link target ${f.target} is left as it is; its contents are not moved`, slot.path));
    } else if (f.kind === 'dir') fromDir(input, slot, out);
    else out.diagnostics.push(diag(input, 'error', `expected a dir or a symlink, found ${describeFact(f)}`, slot.path));
  }
  // The links live in the gateway's home: they are the gateway's too (a link's own owner, never its target's).
  const g = plannedGateway(input);
  if (g) for (const a of out.actions as LinkAction[]) a.owner = { uid: g.uid, gid: g.gid };
  return out;
}
