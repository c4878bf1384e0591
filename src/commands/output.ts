import { ClawError } from '../domain/errors.js';
import type { Plan } from '../domain/plan.js';
import { planToJson } from '../plan-file/io.js';
import { renderPlanMarkdown } from '../render/plan-markdown.js';
import { renderPlanText } from '../render/plan-text.js';
import { styleFor } from '../render/style.js';

export type Format = 'text' | 'json' | 'markdown';

export function formatOf(v: unknown): Format {
  const f = String(v ?? 'text');
  if (f === 'text' || f === 'json' || f === 'markdown') return f;
  throw new ClawError('USAGE', `--format must be text, json or markdown, not "${f}"`);
}

export const FORMAT_OPTIONS = {
  format: { type: 'string', short: 'f', default: 'text' },
  'no-diff': { type: 'boolean', default: false },
} as const;

export function renderPlan(plan: Plan, format: Format, out: NodeJS.WriteStream, diffs: boolean, planFile?: { name: string; sha256: string }): string {
  if (format === 'json') return planToJson(plan);
  if (format === 'markdown') return renderPlanMarkdown(plan, undefined, planFile);
  return renderPlanText(plan, styleFor(out), { diffs });
}
