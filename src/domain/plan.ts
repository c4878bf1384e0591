import type { Action } from './actions.js';

export type Severity = 'error' | 'warning' | 'info';

/** A finding of the planner. An error on a node means no action of that node may run. */
export interface Diagnostic {
  severity: Severity;
  node: string;
  path?: string;
  message: string;
}

/** Where a node's own state lives; carried in the plan so apply needs nothing else. */
export interface NodePaths {
  home: string;
  dataRoot: string;
  /** Moved-aside dirs (same filesystem as the OpenClaw home). */
  attic: string;
  /** Journal, lock and config backups (under the data root). */
  stateDir: string;
  /**
   * How apply creates a missing data root: the login keeps it (clawfleet's own state lives in it), the gateway's
   * group may pass through it, and it is no more open than the OpenClaw home. Absent: 0755, the login's group.
   */
  dataRootMode?: { gid: number; mode: number };
}

export interface NodePlan {
  node: string;
  /** Name of the baseline this node was planned against (see Plan.baselines). */
  baseline: string;
  paths: NodePaths;
  /** The baseline's protected globs: the executor refuses to write these whatever the actions say. */
  protected: string[];
  actions: Action[];
  diagnostics: Diagnostic[];
}

/** A whole plan: plain data, serialisable as a saved plan file (see src/plan-file/). */
export interface Plan {
  format: 'clawfleet-plan';
  version: 1;
  createdAt: string;
  /** The baselines the nodes were planned against, with the sha256 of their files. */
  baselines: { name: string; sha256: string }[];
  inventory: { path: string; sha256: string };
  nodes: NodePlan[];
  /** Set when the plan covers one shard of the selected nodes (`--shard i/N`): what `clawfleet merge` joins. */
  shard?: { index: number; count: number; together: string[] };
}

export function nodeHasErrors(p: NodePlan): boolean {
  return p.diagnostics.some((d) => d.severity === 'error');
}
