import type { Action } from '../domain/actions.js';
import { nodeHasErrors, type NodePlan, type Plan } from '../domain/plan.js';
import { planSummary } from './plan-text.js';
import { escapeControl } from './escape.js';
import { displayPlan } from './plan-safe.js';
import { redactShapes } from './secret-shapes.js';
import { showOwnership } from '../planner/ownership.js';

/** GitHub's limit for one comment body. */
export const MARKDOWN_LIMIT = 65_536;

const code = (s: string) => '`' + s.replace(/`/g, "'") + '`';
const cell = (s: string) => text(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');
/** Free text from a node (messages): no HTML, so a `</details>` in a file name cannot end a section. */
const text = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function actionItem(a: Action): string {
  switch (a.type) {
    case 'ensure-dir':
      return `- ➕ dir ${code(a.path)}`;
    case 'link':
      return `- 🔗 link ${code(a.path)} → ${code(a.target)}${a.copy.length ? ` (moves ${a.copy.length} entr${a.copy.length === 1 ? 'y' : 'ies'})` : ''}`;
    case 'merge-config':
      return `- ✏️ config ${code(a.path)}: adds ${a.added.map(code).join(', ')}`;
    case 'quarantine':
      return `- 📦 quarantine ${code(a.path)}${a.holdsCredentials ? ' — **⚠ holds credentials**' : ''}`;
    case 'set-owner':
      return `- 🔑 owner ${code(a.path)}: ${code(showOwnership(a.from))} → ${code(showOwnership(a.to))}`;
  }
}

function nodeSection(n: NodePlan): string {
  const head = nodeHasErrors(n) ? '❌ cannot be planned' : n.actions.length === 0 ? '✅ up to date' : `${n.actions.length} change${n.actions.length === 1 ? '' : 's'}`;
  const lines = [`<details><summary><b>${text(n.node)}</b>: ${head}</summary>`, ''];
  for (const a of n.actions) {
    lines.push(actionItem(a));
    if (a.type === 'merge-config' && a.diff) {
      // A fence longer than any backtick run in the diff, so no line of it can close the block.
      const fence = '`'.repeat(Math.max(3, ...(a.diff.match(/`+/g) ?? []).map((r) => r.length + 1)));
      lines.push('', `${fence}diff`, a.diff.trimEnd(), fence, '');
    }
  }
  for (const d of n.diagnostics) lines.push(`- ${d.severity === 'error' ? '❌ **error**' : d.severity === 'warning' ? '⚠️ warning' : 'ℹ️ note'}: ${d.path ? code(d.path) + ': ' : ''}${text(d.message)}`);
  lines.push('', '</details>', '');
  return lines.join('\n');
}

/**
 * A PR comment: summary table, then one collapsible section per node; never over `limit` characters.
 * With `planFile`, the saved plan's name and sha256, so a reviewer can tie this text to the file applied.
 */
export function renderPlanMarkdown(input: Plan, limit = MARKDOWN_LIMIT, planFile?: { name: string; sha256: string }): string {
  const plan = displayPlan(input);
  const sum = planSummary(plan);
  const head = [
    `## clawfleet plan: ${sum.changes} change${sum.changes === 1 ? '' : 's'} on ${sum.changed} node${sum.changed === 1 ? '' : 's'}`,
    '',
    `Baseline ${plan.baselines.map((b) => code(b.name)).join(', ')} · ${sum.unchanged} up to date · ${sum.errors} with errors · planned ${text(plan.createdAt)}`,
    '',
    ...(planFile ? [`Plan file ${code(escapeControl(planFile.name))} sha256 ${code(planFile.sha256)}: \`clawfleet apply ${escapeControl(planFile.name).replace(/`/g, "'")}\` prints the same sum.`, ''] : []),
    '| node | changes | errors | warnings | items |',
    '|---|---:|---:|---:|---|',
    ...plan.nodes.map((n) => {
      const count = (s: string) => n.diagnostics.filter((d) => d.severity === s).length;
      const items = [...new Set(n.actions.flatMap((a) => a.items))].join(', ');
      return `| ${cell(n.node)} | ${n.actions.length} | ${count('error')} | ${count('warning')} | ${cell(items) || '—'} |`;
    }),
    '',
  ].join('\n');
  let out = redactShapes(head);
  const sections = plan.nodes.map((n) => redactShapes(nodeSection(n)));
  for (const [i, s] of sections.entries()) {
    const rest = sections.length - i;
    const note = `\n> ✂️ Truncated: ${rest} node section${rest === 1 ? '' : 's'} not shown (the comment limit is ${limit} characters). The full plan is in the saved plan file / \`--format json\`.\n`;
    if (out.length + s.length + note.length + 200 > limit) return out + note;
    out += '\n' + s;
  }
  return out;
}
