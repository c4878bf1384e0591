import type { Plan } from '../domain/plan.js';
import { planToJson } from '../plan-file/io.js';
import { renderPlanMarkdown } from '../render/plan-markdown.js';
import { renderPlanText } from '../render/plan-text.js';
import { styleFor } from '../terminal/style.js';
import type { Format } from './options.js';

export const PLAN_FORMATS = ['text', 'json', 'markdown'] as const;

export function renderPlan(plan: Plan, format: Format, out: NodeJS.WriteStream, diffs: boolean, planFile?: { name: string; sha256: string }): string {
  if (format === 'json') return planToJson(plan);
  if (format === 'markdown') return renderPlanMarkdown(plan, undefined, planFile);
  return renderPlanText(plan, styleFor(out), { diffs });
}
