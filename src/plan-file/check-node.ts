/**
 * A saved plan is untrusted input: it travels through a pull request and anyone with write access to it could
 * have edited it (a `quarantine` whose path is `/root/.ssh`). Before anything is applied, every action of
 * every node is checked against what the planner could have produced for that node from the inventory and
 * the baseline: the node's layout is derived again (shared/layout.ts, with the node's real home), and each
 * action's kind, id, path, target, mode, sections and expected state must be one the planner emits for it.
 * What it cannot check offline is the node's state (`expect`): the executor re-reads that before acting.
 */
import type { Action } from '../domain/actions.js';
import type { NodeSpec } from '../domain/inventory.js';
import type { NodePlan } from '../domain/plan.js';
import type { Baseline } from '../inventory/baseline-schema.js';
import { layoutFor, type Layout } from '../shared/layout.js';
import { sectionsOf } from '../planner/rule-config.js';
import { checkBootstrap } from '../planner/bootstrap-ops.js';

export interface SavedPlanProblem {
  path: string | undefined;
  message: string;
}

const PREFIX: Record<Action['type'], string> = { 'ensure-dir': 'dir', link: 'link', 'merge-config': 'config', quarantine: 'quarantine', 'set-owner': 'owner', unlink: 'unlink', relocate: 'relocate', bootstrap: 'bootstrap' };
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function checkAction(a: Action, l: Layout, baseline: Baseline, spec: NodeSpec): string | null {
  if (a.id !== `${PREFIX[a.type]}:${a.path}`) return `action id "${a.id}" does not match its ${a.type} path`;
  switch (a.type) {
    case 'ensure-dir': {
      const mode = a.path === l.home ? 0o700 : l.dataDirs.includes(a.path) ? baseline.dirMode : null;
      if (mode === null) return `ensure-dir of a path that is neither the OpenClaw home nor a data dir of baseline ${baseline.name}`;
      // The mode is the baseline's capped by the home, or carried from the dir the target stands in for: never
      // open to others beyond the baseline's mode, no setuid or sticky bit.
      if ((a.mode & 0o007 & ~mode) !== 0 || (a.mode & 0o5000) !== 0) return `ensure-dir with mode ${a.mode.toString(8)}, the baseline says ${mode.toString(8)}`;
      return a.expect.kind === 'missing' ? null : `ensure-dir expecting ${a.expect.kind}, the planner only creates missing dirs`;
    }
    case 'link': {
      const slot = l.links.find((s) => s.path === a.path);
      if (!slot) return 'link at a path that is not a link slot of baseline ' + baseline.name;
      if (slot.target !== a.target) return `link to ${a.target}, the baseline's target is ${slot.target}`;
      if (a.expect.kind === 'file') return 'link over a file, which the planner never plans';
      if (a.expect.kind !== 'dir' && (a.copy.length > 0 || a.same.length > 0)) return 'link that copies entries from something that is not a dir';
      return null;
    }
    case 'merge-config': {
      if (a.path !== l.configPath) return `config merge of a file that is not the node's config (${l.configPath})`;
      // `included` (what the node's $include files define) comes from facts: the executor's merge re-checks it
      if (!same(a.sections.map((x) => ({ path: x.path, value: x.value, ...(x.replace ? { replace: x.replace } : {}) })), sectionsOf(baseline, spec, l))) return `config sections differ from what baseline ${baseline.name} and the inventory's overrides give: re-plan`;
      if (a.expect.kind !== 'missing' && a.expect.kind !== 'file') return `config merge expecting ${a.expect.kind}`;
      if (a.expect.kind === 'missing' && (a.mode & ~baseline.config.mode) !== 0) return `new config with mode ${a.mode.toString(8)}, the baseline says ${baseline.config.mode.toString(8)}`;
      return (a.mode & ~0o777) === 0 ? null : `config mode ${a.mode.toString(8)} has special bits`;
    }
    case 'set-owner': {
      const mine = a.path === l.configPath || l.dataDirs.includes(a.path);
      if (!mine) return 'set-owner of a path that is neither the config nor a data dir';
      if (((a.to.mode | a.from.mode) & 0o5000) !== 0 && (a.to.mode & 0o5000) !== (a.from.mode & 0o5000)) return 'set-owner that changes a setuid or sticky bit';
      // The planner never opens the config to group or others, nor a data dir to others beyond the baseline's mode.
      if (a.path === l.configPath && (a.to.mode & 0o077 & ~a.from.mode) !== 0) return `set-owner that opens the config (${a.from.mode.toString(8)} → ${a.to.mode.toString(8)})`;
      if (a.path !== l.configPath && (a.to.mode & 0o007 & ~baseline.dirMode) !== 0) return `set-owner with mode ${a.to.mode.toString(8)}, more open to others than the baseline's ${baseline.dirMode.toString(8)}`;
      return a.expect.kind === 'dir' || a.expect.kind === 'file' ? null : `set-owner expecting ${a.expect.kind}`;
    }
    case 'unlink': {
      const slot = l.retired.find((s) => s.path === a.path);
      if (!slot) return `unlink at a path that is not a retired link of baseline ${baseline.name}`;
      if (slot.target !== a.target) return `unlink of a link to ${a.target}, the retired target is ${slot.target}`;
      return a.expect.kind === 'symlink' && a.expect.target === slot.target ? null : `unlink expecting ${a.expect.kind}, the planner only unlinks the retired link`;
    }
    case 'relocate': {
      const slot = l.relocations.find((s) => s.path === a.path);
      if (!slot || slot.agent !== a.agentId) return `relocate of a path that is not an agent dir baseline ${baseline.name} relocates`;
      if (slot.target !== a.target) return `relocate to ${a.target}, the baseline's target is ${slot.target}`;
      return a.expect.kind === 'dir' ? null : `relocate expecting ${a.expect.kind}, the planner only moves dirs`;
    }
    case 'bootstrap':
      return checkBootstrap(a, l, baseline, spec);
    case 'quarantine': {
      if (a.path !== `${l.agentsDir}/${a.agentId}`) return `quarantine of a path that is not the agent dir ${l.agentsDir}/${a.agentId}`;
      const keep = new Set([...spec.agents, ...spec.keepAgents, ...baseline.orphans.neverTouch.map((s) => s.toLowerCase())]);
      if (keep.has(a.agentId) || keep.has(a.agentId.toLowerCase())) return `quarantine of agent "${a.agentId}", which the inventory or baseline keeps`;
      if (baseline.orphans.policy !== 'quarantine') return `quarantine, but baseline ${baseline.name} only reports orphans`;
      return a.expect.kind === 'dir' ? null : `quarantine expecting ${a.expect.kind}, the planner only moves dirs`;
    }
  }
}

/** The first way a saved node plan differs from anything the planner could emit, or null. */
export function checkSavedNodePlan(np: NodePlan, spec: NodeSpec, baseline: Baseline, nodeHome: string): SavedPlanProblem | null {
  if (np.baseline !== spec.baseline || np.baseline !== baseline.name) return { path: undefined, message: `planned against baseline "${np.baseline}", the inventory says "${spec.baseline}"` };
  const l = layoutFor(baseline, spec, nodeHome);
  const want = { home: l.home, dataRoot: l.dataRoot, attic: l.attic, stateDir: l.stateDir };
  for (const k of Object.keys(want) as (keyof typeof want)[]) {
    if (np.paths[k] !== want[k]) return { path: np.paths[k], message: `its ${k} is not the one the inventory and baseline give (${want[k]})` };
  }
  if (!same(np.protected, baseline.protected)) return { path: undefined, message: `its protected files differ from baseline ${baseline.name}'s` };
  const seen = new Set<string>();
  for (const a of np.actions) {
    const why = checkAction(a, l, baseline, spec) ?? (seen.has(a.path) ? 'a second action for the same path' : null);
    if (why) return { path: a.path, message: `${a.type} action: ${why}` };
    seen.add(a.path);
  }
  return null;
}
