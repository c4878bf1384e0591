/**
 * What of a plan may be redacted, and what must reach apply byte for byte.
 *
 * Fields that drive apply (ids, paths, targets, entry names, section values, sha256s, modes) are never
 * redacted: rewriting one makes apply fail or do something else (an agent id `desk-support-bot-eu-west`
 * once became `de«redacted»`). They hold no secret by design: paths and ids come from the inventory and the
 * node's file names, section values from baselines and overrides, which are refused at load when they hold a
 * literal secret. Only the free text is redacted: each action's `reason`, the diagnostics' messages and the
 * config diff (already masked when planned; redacted again because a saved plan is untrusted input).
 */
import type { Action } from '../domain/actions.js';
import type { Plan } from '../domain/plan.js';
import { escapeDeep } from './escape.js';
import { redactText } from '../shared/redact.js';
import { redactShapes } from '../shared/secret-shapes.js';

function redactAction(a: Action): Action {
  const reason = redactText(a.reason);
  return a.type === 'merge-config' ? { ...a, reason, diff: redactShapes(a.diff) } : { ...a, reason };
}

/** The plan with its free text redacted; everything apply reads untouched. */
export function redactPlan(plan: Plan): Plan {
  return {
    ...plan,
    nodes: plan.nodes.map((n) => ({
      ...n,
      actions: n.actions.map(redactAction),
      diagnostics: n.diagnostics.map((d) => ({ ...d, message: redactText(d.message) })),
    })),
  };
}

/** For human output: redacted, and every string escaped (the diff keeps its lines). */
export function displayPlan(plan: Plan): Plan {
  return escapeDeep(redactPlan(plan), new Set(['diff']));
}
