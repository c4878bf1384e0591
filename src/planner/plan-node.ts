import { InternalError } from '../domain/errors.js';
import type { Action } from '../domain/actions.js';
import type { NodePlan } from '../domain/plan.js';
import { factOf, type PlanInput, type RuleOutput } from './context.js';
import { plannedGateway } from './ownership.js';
import { planAccess } from './rule-access.js';
import { planConfig } from './rule-config.js';
import { planDataDirs } from './rule-data-dirs.js';
import { planLinks } from './rule-links.js';
import { planOpenclaw } from './rule-openclaw.js';
import { planOrphans } from './rule-orphans.js';
import { planOwnership } from './rule-ownership.js';
import { planRelocations } from './rule-relocate.js';
import { planUnlinks } from './rule-unlink.js';
import { planVersion } from './rule-version.js';
import { planBootstrap } from './rule-bootstrap.js';
import { planService } from './rule-service.js';

/**
 * Rules in the order their actions must run: dirs before the links into them, config, then orphans. Each
 * also sees the actions the rules before it planned (planOpenclaw and planAccess, last, look at all of them).
 */
const RULES: ((input: PlanInput, prior: readonly Action[]) => RuleOutput)[] = [
  planVersion,
  planDataDirs,
  planLinks,
  planUnlinks,
  planRelocations,
  planConfig,
  planOwnership,
  planOrphans,
  planOpenclaw,
  planAccess,
  planService,
];

/**
 * The planner: a pure function of (baseline, node, facts). A node with an error diagnostic keeps its
 * actions for display, but the executor refuses to run any of them.
 */
export function planNode(input: PlanInput): NodePlan {
  const boot = planBootstrap(input);
  const actions: Action[] = [...boot.actions];
  const diagnostics = [...boot.diagnostics];
  // A bootstrap that still has to install or set up OpenClaw (or cannot) comes first, alone: the other rules
  // plan against what OpenClaw's setup writes (apply plans the node again afterwards).
  const waiting = boot.actions.length > 0 || boot.diagnostics.some((d) => d.severity === 'error');
  for (const rule of waiting ? [] : RULES) {
    const r = rule(input, actions);
    actions.push(...r.actions);
    diagnostics.push(...r.diagnostics);
  }
  const seen = new Set<string>();
  for (const a of actions) {
    if (seen.has(a.path)) throw new InternalError(`planner bug: two actions for ${a.path}`);
    seen.add(a.path);
  }
  const { home, dataRoot, attic, stateDir } = input.layout;
  const paths: NodePlan['paths'] = { home, dataRoot, attic, stateDir };
  const dataRootMode = newDataRootMode(input);
  if (dataRootMode) paths.dataRootMode = dataRootMode;
  return { node: input.node.name, baseline: input.baseline.name, paths, protected: input.baseline.protected, actions, diagnostics };
}

/**
 * A data root apply creates: the login's (clawfleet keeps its state there), the gateway's group may pass
 * through it, and others only where the OpenClaw home let them (0710 behind a home closed to others).
 */
function newDataRootMode(input: PlanInput): { gid: number; mode: number } | null {
  const g = plannedGateway(input);
  if (!g || factOf(input, input.layout.dataRoot).kind !== 'missing') return null;
  const home = factOf(input, input.layout.home);
  const closed = home.kind !== 'dir' || (home.mode & 0o007) === 0;
  return { gid: g.gid, mode: closed ? 0o710 : 0o755 };
}
