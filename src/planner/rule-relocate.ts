import JSON5 from 'json5';
import type { RelocateAction } from '../domain/actions.js';
import { subManifest, topLevelNames } from '../shared/manifest.js';
import { describeFact, diag, factOf, targetManifest, type PlanInput, type RuleOutput } from './context.js';
import { entryProblem } from './entry-limits.js';
import { defaultAgentDirs } from './rule-config.js';
import { transitional } from './rule-version.js';

/** `agents.entries.<id>.agentDir` as the node's config sets it (undefined: absent), or `unreadable` when the config cannot be read. */
export function configuredAgentDir(text: string | null, id: string, unreadable: null | undefined): unknown {
  if (text === null) return unreadable;
  try {
    const cfg = JSON5.parse(text) as { agents?: { entries?: Record<string, { agentDir?: unknown } | undefined> } } | null;
    return cfg?.agents?.entries?.[id]?.agentDir;
  } catch {
    return unreadable;
  }
}

/**
 * Baseline `agentDir` (OpenClaw 2026.8.1+): every listed agent's `agents/<id>/agent` dir (its SQLite family:
 * sessions, transcripts, memory index, auth state) lives under the data root, where
 * `agents.entries.<id>.agentDir` points OpenClaw (rule-config adds the key). An existing dir is moved whole
 * (copied, verified, the original moved into the run's attic); its credential store moves with it as one
 * family, which is why this is the one move of protected files the plan makes, and says so.
 */
export function planRelocations(input: PlanInput): RuleOutput {
  const out: RuleOutput = { actions: [], diagnostics: [] };
  if (input.layout.relocations.length === 0 || transitional(input)) return out;
  const moved: string[] = [];
  for (const slot of input.layout.relocations) {
    const id = slot.agent!;
    const set = configuredAgentDir(input.facts.config.text, id, undefined); // rule-config reports an unreadable config
    const isDefault = typeof set === 'string' && defaultAgentDirs(input.layout.home, id).includes(set);
    if (set !== undefined && set !== slot.target && !isDefault) {
      out.diagnostics.push(
        diag(
          input,
          'error',
          `agents.entries.${id}.agentDir is set to ${JSON.stringify(set)}, not ${slot.target}: clawfleet only adds absent keys; remove it (or set it to ${slot.target}) and move the dir by hand, or plan again`,
          input.layout.configPath,
        ),
      );
      continue;
    }
    const f = factOf(input, slot.path);
    if (f.kind === 'missing') continue; // OpenClaw creates it at agentDir
    if (f.kind !== 'dir') {
      out.diagnostics.push(diag(input, 'error', `expected the agent's dir, found ${describeFact(f)}; refusing to move it`, slot.path));
      continue;
    }
    if (set === slot.target) {
      out.diagnostics.push(diag(input, 'warning', `agentDir already points to ${slot.target}: this dir is no longer OpenClaw's and is left as it is`, slot.path));
      continue;
    }
    const src = input.facts.manifests[slot.path];
    if (!src) {
      out.diagnostics.push(diag(input, 'error', 'dir could not be listed', slot.path));
      continue;
    }
    const problem = entryProblem(slot.path, slot.target, src, input.facts.pathMax);
    if (problem) {
      out.diagnostics.push(diag(input, 'error', problem.message, problem.path));
      continue;
    }
    const dst = targetManifest(input, out, slot.target, { what: 'agent dir target', unlisted: 'agent dir target could not be listed' });
    if (dst === undefined) continue;
    const dstNames = new Set(dst ? topLevelNames(dst) : []);
    const copy: string[] = [];
    const same: string[] = [];
    let clash = false;
    for (const name of topLevelNames(src)) {
      if (!dstNames.has(name)) copy.push(name);
      else if (subManifest(src, name).digest === subManifest(dst!, name).digest) same.push(name);
      else {
        out.diagnostics.push(diag(input, 'error', `name clash: "${name}" exists in ${slot.target} with different content; move one aside first`, slot.path));
        clash = true;
        break;
      }
    }
    if (clash) continue;
    const a: RelocateAction = {
      type: 'relocate',
      id: `relocate:${slot.path}`,
      path: slot.path,
      target: slot.target,
      agentId: id,
      copy,
      same,
      expect: { kind: 'dir', digest: src.digest },
      reason: `agent dir (${src.entries.filter((e) => e.kind !== 'dir').length} files, its SQLite family whole) moves to ${slot.target}; agents.entries.${id}.agentDir points there`,
      items: [slot.item],
    };
    out.actions.push(a);
    moved.push(id);
  }
  if (moved.length > 0) {
    out.diagnostics.push(
      diag(
        input,
        'warning',
        `moves the agent dirs of ${moved.join(', ')} whole, with their credential stores and SQLite DBs (journaled, the originals kept in the run's attic): stop the gateway before apply (the node's handler restarts it)`,
        input.layout.agentsDir,
      ),
    );
  }
  return out;
}
