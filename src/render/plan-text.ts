import type { Action } from '../domain/actions.js';
import type { Diagnostic, NodePlan, Plan } from '../domain/plan.js';
import { nodeHasErrors } from '../domain/plan.js';
import { displayPlan } from './plan-safe.js';
import { redactShapes } from './secret-shapes.js';
import type { Style } from './style.js';
import { showOwnership } from '../planner/ownership.js';

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

/**
 * The whole plan for a terminal. Every string is escaped and the free text redacted before it is laid out
 * (displayPlan); anything shaped like a credential is redacted from the result, whatever the inputs held.
 */
export function renderPlanText(input: Plan, s: Style, opts: { diffs: boolean } = { diffs: true }): string {
  const plan = displayPlan(input);
  const sum = planSummary(plan);
  const body = plan.nodes.map((n) => renderNodePlan(n, s, opts)).join('\n\n');
  const tail = `Plan: ${sum.changes} change${sum.changes === 1 ? '' : 's'} on ${sum.changed} node${sum.changed === 1 ? '' : 's'}, ${sum.unchanged} up to date, ${sum.errors} with errors.`;
  return redactShapes(`${s.dim(`baseline ${plan.baselines.map((b) => b.name).join(', ')} · inventory ${plan.inventory.path}`)}\n\n${body}\n\n${s.bold(tail)}\n`);
}
