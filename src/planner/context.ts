import type { Action } from '../domain/actions.js';
import type { Manifest, NodeFacts, PathFact } from '../domain/facts.js';
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

/**
 * The manifest of the dir a link or a moved agent dir goes to (null: the target is missing, so empty), or
 * undefined once an error diagnostic says why not: the target is not a dir, or a dir that could not be listed
 * (unlisted is not empty: without the target's entries, clashes cannot be ruled out).
 */
export function targetManifest(input: PlanInput, out: RuleOutput, target: string, says: { what: string; unlisted: string }): Manifest | null | undefined {
  const tf = factOf(input, target);
  if (tf.kind !== 'dir' && tf.kind !== 'missing') {
    out.diagnostics.push(diag(input, 'error', `${says.what} must be a dir, found ${describeFact(tf)}`, target));
    return undefined;
  }
  const dst = tf.kind === 'dir' ? input.facts.manifests[target] : null;
  if (tf.kind === 'dir' && !dst) {
    out.diagnostics.push(diag(input, 'error', says.unlisted, target));
    return undefined;
  }
  return dst ?? null;
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
