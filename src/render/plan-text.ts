import type { Action } from '../domain/actions.js';
import type { Diagnostic, NodePlan, Plan } from '../domain/plan.js';
import { nodeHasErrors } from '../domain/plan.js';
import { groupPlans, nodeRanges, type PlanGroup } from './plan-groups.js';
import { displayPlan } from './plan-safe.js';
import { redactShapes } from '../shared/secret-shapes.js';
import type { Style } from './style.js';
import { showOwnership } from '../planner/ownership.js';
import { bootstrapWhat, IRREVERSIBLE } from './bootstrap-line.js';

function actionLine(a: Action, s: Style): string {
  switch (a.type) {
    case 'ensure-dir':
      return `${s.green('+ dir       ')} ${a.path}  ${s.dim(`(mode ${a.mode.toString(8)}${a.owner ? `, owner ${a.owner.uid}:${a.owner.gid}` : ''})`)}`;
    case 'link': {
      const moves = a.copy.length ? s.dim(`  moves ${a.copy.length} entr${a.copy.length === 1 ? 'y' : 'ies'}: ${a.copy.slice(0, 6).join(', ')}${a.copy.length > 6 ? ', …' : ''}`) : '';
      const sign = a.expect.kind === 'missing' ? s.green('+ link      ') : s.yellow('~ link      ');
      return `${sign} ${a.path} → ${a.target}${moves}`;
    }
    case 'merge-config':
      return `${a.expect.kind === 'missing' ? s.green('+ config    ') : s.yellow('~ config    ')} ${a.path}  ${s.dim(`adds ${a.added.join(', ')}`)}`;
    case 'quarantine':
      return `${s.red('- quarantine')} ${a.path}${a.holdsCredentials ? '  ' + s.red(s.bold('⚠ holds credentials')) : ''}`;
    case 'set-owner':
      return `${s.yellow('~ owner     ')} ${a.path}  ${s.dim(`${showOwnership(a.from)} → ${showOwnership(a.to)}`)}`;
    case 'unlink':
      return `${s.yellow('~ unlink    ')} ${a.path} ${s.dim(`(link to ${a.target} becomes a real dir with its data)`)}`;
    case 'relocate':
      return `${s.yellow('~ agent dir ')} ${a.path} → ${a.target}  ${s.red(s.bold('⚠ moves its credential store and SQLite DB whole'))}`;
    case 'bootstrap': {
      const w = bootstrapWhat(a);
      return `${s.green(`+ ${w.label.padEnd(10)}`)} ${a.path}  ${s.dim(w.detail)}${a.irreversible ? '  ' + s.red(s.bold(`⚠ ${IRREVERSIBLE}`)) : ''}`;
    }
  }
}

function colorDiff(diff: string, s: Style): string {
  return diff
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('===') && !l.startsWith('Index:'))
    .map((l) => (l.startsWith('+') && !l.startsWith('+++') ? s.green(l) : l.startsWith('-') && !l.startsWith('---') ? s.red(l) : l.startsWith('@@') ? s.cyan(l) : s.dim(l)))
    .map((l) => '      ' + l)
    .join('\n');
}

function diagLine(d: Diagnostic, s: Style): string {
  const tag = d.severity === 'error' ? s.red(s.bold('error')) : d.severity === 'warning' ? s.yellow('warning') : s.dim('note');
  // Each line stands alone (grep, CI logs): it names the node and the path.
  return `  ${tag}: ${d.node}: ${d.path ? d.path + ': ' : ''}${d.message}`;
}

export function renderNodePlan(p: NodePlan, s: Style, opts: { diffs: boolean }): string {
  const head = nodeHasErrors(p)
    ? s.red(`${p.node}: cannot be planned (see errors)`)
    : p.actions.length === 0
      ? s.green(`${p.node}: up to date`)
      : s.bold(`${p.node}: ${p.actions.length} change${p.actions.length === 1 ? '' : 's'}`);
  const lines = [head];
  for (const a of p.actions) {
    lines.push('  ' + actionLine(a, s));
    if (opts.diffs && a.type === 'merge-config') lines.push(colorDiff(a.diff, s));
  }
  for (const d of p.diagnostics) lines.push(diagLine(d, s));
  return lines.join('\n');
}

export function planSummary(plan: Plan): { changes: number; changed: number; unchanged: number; errors: number } {
  let changes = 0;
  let changed = 0;
  let unchanged = 0;
  let errors = 0;
  for (const n of plan.nodes) {
    if (nodeHasErrors(n)) errors++;
    else if (n.actions.length === 0) unchanged++;
    else {
      changed++;
      changes += n.actions.length;
    }
  }
  return { changes, changed, unchanged, errors };
}

/** Error and warning findings over the whole plan (notes are not counted). */
export function findingCounts(plan: Plan): { errors: number; warnings: number } {
  let errors = 0;
  let warnings = 0;
  for (const n of plan.nodes)
    for (const d of n.diagnostics) {
      if (d.severity === 'error') errors++;
      else if (d.severity === 'warning') warnings++;
    }
  return { errors, warnings };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/**
 * Errors and warnings, next to the summary (and the prompt) where they are seen: each finding once, with the
 * nodes it applies to when several nodes share it.
 */
function banner(groups: PlanGroup[], s: Style): string[] {
  const lines: string[] = [];
  for (const sev of ['error', 'warning'] as const) {
    for (const g of groups) {
      const who = g.same.length ? nodeRanges([g.first.node, ...g.same.map((x) => x.node)]) : g.first.node;
      for (const d of g.first.diagnostics.filter((x) => x.severity === sev)) lines.push(diagLine({ ...d, node: who }, s));
    }
  }
  return lines;
}

function groupHead(g: PlanGroup, s: Style): string {
  const n = g.first.actions.length;
  const names = nodeRanges(g.same.map((x) => x.node));
  const what = nodeHasErrors(g.first) ? 'cannot be planned either, like' : n === 0 ? 'up to date, like' : `same ${plural(n, 'change')} as`;
  const line = n === 0 && !nodeHasErrors(g.first) ? `${names}: up to date` : `${names}: ${what} ${g.first.node}${g.same.length > 2 ? ` (${g.same.length} nodes)` : ''}`;
  return nodeHasErrors(g.first) ? s.red(line) : n === 0 ? s.green(line) : s.bold(line);
}

/**
 * The whole plan for a terminal: nodes with the same plan are shown once ("node05–node80: same 58 changes
 * as node02"), then the errors and warnings, then the summary that counts them. Every string is escaped and
 * the free text redacted before it is laid out (displayPlan); anything shaped like a credential is redacted
 * from the result, whatever the inputs held.
 */
export function renderPlanText(input: Plan, s: Style, opts: { diffs: boolean } = { diffs: true }): string {
  const plan = displayPlan(input);
  const sum = planSummary(plan);
  const found = findingCounts(plan);
  const groups = groupPlans(plan.nodes);
  const blocks = groups.map((g) => [renderNodePlan(g.first, s, opts), ...(g.same.length ? [groupHead(g, s)] : [])].join('\n'));
  const flagged = banner(groups, s);
  const head = flagged.length ? [s.bold(`${found.errors ? s.red(plural(found.errors, 'error')) : '0 errors'}, ${found.warnings ? s.yellow(plural(found.warnings, 'warning')) : '0 warnings'}:`), ...flagged, ''] : [];
  const counted = found.errors || found.warnings ? ` ${[found.errors ? plural(found.errors, 'error') : '', found.warnings ? plural(found.warnings, 'warning') : ''].filter(Boolean).join(' and ')} (above).` : '';
  const tail = `Plan: ${plural(sum.changes, 'change')} on ${plural(sum.changed, 'node')}, ${sum.unchanged} up to date, ${sum.errors} with errors.${counted}`;
  const inv = plan.inventory.path;
  return redactShapes(`${s.dim(`baseline ${plan.baselines.map((b) => b.name).join(', ')} · inventory ${inv}`)}\n\n${blocks.join('\n\n')}\n\n${head.join('\n')}${head.length ? '\n' : ''}${s.bold(tail)}\n`);
}
