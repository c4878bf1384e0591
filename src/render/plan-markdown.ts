import type { Action } from '../domain/actions.js';
import { nodeHasErrors, type Diagnostic, type NodePlan, type Plan } from '../domain/plan.js';
import { groupPlans, nodeRanges, type PlanGroup } from './plan-groups.js';
import { findingCounts, planSummary } from './plan-text.js';
import { escapeControl } from './escape.js';
import { displayPlan } from './plan-safe.js';
import { redactShapes } from '../shared/secret-shapes.js';
import { bootstrapWhat, IRREVERSIBLE } from './bootstrap-line.js';
import { showOwnership } from '../planner/ownership.js';

/** GitHub's limit for one comment body. */
export const MARKDOWN_LIMIT = 65_536;

const code = (s: string) => '`' + s.replace(/`/g, "'") + '`';
const cell = (s: string) => text(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');
/** Free text from a node (messages): no HTML, so a `</details>` in a file name cannot end a section. */
const text = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

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
    case 'unlink':
      return `- ↩️ unlink ${code(a.path)}: the link to ${code(a.target)} becomes a real dir with its data`;
    case 'relocate':
      return `- 🚚 agent dir ${code(a.path)} → ${code(a.target)} — **⚠ moves its credential store and SQLite DB whole**`;
    case 'bootstrap': {
      const w = bootstrapWhat(a);
      return `- 🚀 ${w.label} ${code(a.path)}: ${text(w.detail)}${a.irreversible ? ` — **⚠ ${IRREVERSIBLE}**` : ''}`;
    }
  }
}

const diagItem = (d: Diagnostic, who = '') => `- ${d.severity === 'error' ? '❌ **error**' : d.severity === 'warning' ? '⚠️ warning' : 'ℹ️ note'}: ${who ? `${text(who)}: ` : ''}${d.path ? code(d.path) + ': ' : ''}${text(d.message)}`;

const who = (g: PlanGroup) => (g.same.length ? nodeRanges([g.first.node, ...g.same.map((x) => x.node)]) : g.first.node);

function verdict(n: NodePlan): string {
  return nodeHasErrors(n) ? '❌ cannot be planned' : n.actions.length === 0 ? '✅ up to date' : plural(n.actions.length, 'change');
}

function section(g: PlanGroup, diffs: boolean): string {
  const n = g.first;
  const also = g.same.length ? ` — and the same on ${text(nodeRanges(g.same.map((x) => x.node)))} (${plural(g.same.length + 1, 'node')} in all)` : '';
  const lines = [`<details><summary><b>${text(n.node)}</b>: ${verdict(n)}${also}</summary>`, ''];
  for (const a of n.actions) {
    lines.push(actionItem(a));
    if (diffs && a.type === 'merge-config' && a.diff) {
      // A fence longer than any backtick run in the diff, so no line of it can close the block.
      const fence = '`'.repeat(Math.max(3, ...(a.diff.match(/`+/g) ?? []).map((r) => r.length + 1)));
      lines.push('', `${fence}diff`, a.diff.trimEnd(), fence, '');
    }
  }
  if (!diffs && n.actions.some((a) => a.type === 'merge-config')) lines.push('', '_Config diffs left out to stay under the comment limit: `clawfleet show plan.json` has them._');
  for (const d of n.diagnostics) lines.push(diagItem(d));
  lines.push('', '</details>', '');
  return lines.join('\n');
}

/**
 * A PR comment, never over `limit` characters, and whatever the fleet's size every node's verdict is in it:
 * the summary with errors and warnings counted and listed, a table (nodes with the same plan share a row),
 * then one collapsible section per distinct plan (with config diffs while they fit). With `planFile`, the
 * saved plan's name and sha256, so a reviewer can tie this text to the file applied.
 */
export function renderPlanMarkdown(input: Plan, limit = MARKDOWN_LIMIT, planFile?: { name: string; sha256: string }): string {
  const plan = displayPlan(input);
  const sum = planSummary(plan);
  const found = findingCounts(plan);
  const groups = groupPlans(plan.nodes);
  const flagged = groups.flatMap((g) => g.first.diagnostics.filter((d) => d.severity !== 'info').map((d) => ({ d, who: who(g) })));
  flagged.sort((a, b) => (a.d.severity === b.d.severity ? 0 : a.d.severity === 'error' ? -1 : 1));
  const head = [
    `## clawfleet plan: ${plural(sum.changes, 'change')} on ${plural(sum.changed, 'node')}`,
    '',
    `Baseline ${plan.baselines.map((b) => code(b.name)).join(', ')} · ${sum.unchanged} up to date · ${sum.errors} with errors · ${plural(found.errors, 'error')}, ${plural(found.warnings, 'warning')} · planned ${text(plan.createdAt)}`,
    '',
    ...(planFile ? [`Plan file ${code(escapeControl(planFile.name))} sha256 ${code(planFile.sha256)}: \`clawfleet apply ${escapeControl(planFile.name).replace(/`/g, "'")}\` prints the same sum.`, ''] : []),
    ...(flagged.length ? [`### ${found.errors ? '❌' : '⚠️'} ${plural(found.errors, 'error')}, ${plural(found.warnings, 'warning')}`, '', ...flagged.map((f) => diagItem(f.d, f.who)), ''] : []),
    '| node | changes | errors | warnings | items |',
    '|---|---:|---:|---:|---|',
  ];
  const rows = groups.map((g) => {
    const n = g.first;
    const count = (s: string) => n.diagnostics.filter((d) => d.severity === s).length;
    const items = [...new Set(n.actions.flatMap((a) => a.items))].join(', ');
    const nodes = g.same.length ? `${who(g)} (${g.same.length + 1})` : n.node;
    const changes = nodeHasErrors(n) ? '❌' : String(n.actions.length);
    return `| ${cell(nodes)} | ${changes} | ${count('error')} | ${count('warning')} | ${cell(items) || '—'} |`;
  });
  let out = redactShapes([...head, ...rows, ''].join('\n'));
  if (out.length > limit) return redactShapes([...head, ...rows.slice(0, 50), '', `> ✂️ ${rows.length - 50} more table rows left out (the comment limit is ${limit} characters): see \`clawfleet show plan.json\`.`, ''].join('\n')).slice(0, limit);
  // Sections with diffs if they all fit, else without; then as many as fit, with a note for the rest.
  const withDiffs = groups.map((g) => redactShapes(section(g, true)));
  const total = withDiffs.reduce((n, s) => n + s.length + 1, out.length);
  const sections = total + 200 <= limit ? withDiffs : groups.map((g) => redactShapes(section(g, false)));
  for (const [i, s] of sections.entries()) {
    const rest = sections.length - i;
    const note = `\n> ✂️ Truncated: ${rest} node section${rest === 1 ? '' : 's'} not shown (the comment limit is ${limit} characters); every node's verdict is in the table above. The full plan: \`clawfleet show plan.json\`.\n`;
    if (out.length + s.length + note.length + 200 > limit) return out + note;
    out += '\n' + s;
  }
  return out;
}
