import { readFile, writeFile } from 'node:fs/promises';
import { ClawError } from '../domain/errors.js';
import { sha256Hex } from '../shared/manifest.js';
import { schemaIssueLines } from '../shared/schema-issues.js';
import type { Plan } from '../domain/plan.js';
import { planSummary } from '../render/plan-text.js';
import { redactPlan } from '../render/plan-safe.js';
import { PlanSchema } from './schema.js';

/**
 * The JSON form of a plan (saved plan files and `--format json`), with a summary. Only the free text is
 * redacted (render/plan-safe.ts): the fields apply reads are written as planned.
 */
export function planToJson(plan: Plan): string {
  return JSON.stringify({ ...redactPlan(plan), summary: planSummary(plan) }, null, 2) + '\n';
}

/** Writes the plan file; returns the sha256 of the bytes written (shown in the Markdown plan). */
export async function writePlanFile(file: string, plan: Plan): Promise<string> {
  const text = planToJson(plan);
  try {
    await writeFile(file, text, { mode: 0o644 });
    return sha256Hex(text);
  } catch (e) {
    throw new ClawError('EIO', `cannot write the plan: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, { path: file });
  }
}

/**
 * Reads and validates a saved plan's format; any problem is one line naming the file. Returns the sha256 of
 * the file's bytes too (`apply FILE` prints it). Whether its actions are ones the planner could have made is
 * checked once the nodes' homes are known (check-node.ts).
 */
export async function readPlanFile(file: string): Promise<{ plan: Plan; sha256: string }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ClawError('ENOENT', `cannot read the plan: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, { path: file });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ClawError('PLANFILE', `not a plan file: ${(e as Error).message.split('\n')[0]}`, { path: file });
  }
  const r = PlanSchema.safeParse(json);
  if (!r.success) {
    const issues = schemaIssueLines(r.error.issues);
    throw new ClawError('PLANFILE', `invalid plan file at ${issues.join('; ')}`, { path: file, issues });
  }
  const { summary: _s, ...plan } = r.data;
  return { plan: plan as Plan, sha256: sha256Hex(text) };
}
