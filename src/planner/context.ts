import type { Action } from '../domain/actions.js';
import type { NodeFacts, PathFact } from '../domain/facts.js';
import type { NodeSpec } from '../domain/inventory.js';
import type { Diagnostic, Severity } from '../domain/plan.js';
import { BUILTIN_PROTECTED } from '../domain/protected.js';
import type { Baseline } from '../inventory/baseline-schema.js';
import { globToRe } from '../shared/glob.js';
import type { Layout } from '../shared/layout.js';

/** What every planner rule reads. Plain data; rules are pure functions of it. */
export interface PlanInput {
  baseline: Baseline;
  node: NodeSpec;
  facts: NodeFacts;
  layout: Layout;
}

/** What a rule returns. */
export interface RuleOutput {
  actions: Action[];
  diagnostics: Diagnostic[];
}

export function factOf(input: PlanInput, path: string): PathFact {
  return input.facts.paths[path] ?? { kind: 'missing' };
}

export function diag(input: PlanInput, severity: Severity, message: string, path?: string): Diagnostic {
  return path === undefined ? { severity, node: input.node.name, message } : { severity, node: input.node.name, path, message };
}

export function describeFact(f: PathFact): string {
  switch (f.kind) {
    case 'missing':
      return 'nothing';
    case 'dir':
      return 'a dir';
    case 'file':
      return 'a file';
    case 'symlink':
      return `a symlink to ${f.target}`;
    case 'other':
      return 'a special file';
  }
}

/** Globs are relative to the OpenClaw home (see globToRe). */
export function matchesProtected(input: PlanInput, absPath: string): boolean {
  const home = input.layout.home + '/';
  if (!absPath.startsWith(home)) return false;
  const rel = absPath.slice(home.length);
  return [...BUILTIN_PROTECTED, ...input.baseline.protected].some((g) => globToRe(g).test(rel));
}
