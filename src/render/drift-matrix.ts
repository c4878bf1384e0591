import type { Action } from '../domain/actions.js';
import { nodeHasErrors, type Plan } from '../domain/plan.js';
import type { Baseline } from '../inventory/baseline-schema.js';
import { escapeDeep } from './escape.js';
import { redactText } from './redact.js';
import { redactShapes } from './secret-shapes.js';
import type { Style } from './style.js';

export type Cell = { state: 'ok' } | { state: 'drift'; what: string[] } | { state: 'error' };

export interface DriftMatrix {
  items: string[];
  rows: { node: string; cells: Record<string, Cell>; error?: string }[];
  drift: boolean;
  errors: boolean;
}

/** Column order: the baseline's items as it lists them, then orphans. */
export function baselineItems(b: Baseline): string[] {
  const items = [
    ...b.links.global.map((l) => l.item ?? l.path),
    ...b.config.sections.map((s) => s.item ?? s.path),
    ...b.links.agent.map((l) => l.item ?? `agent-${l.path}`),
    'orphans',
  ];
  return [...new Set(items)];
}

const WHAT: Record<Action['type'], string> = { 'ensure-dir': 'dir', link: 'link', 'merge-config': 'config', quarantine: 'orphan' };

/** Nodes × baseline items, from a plan: an item drifts on a node when some action brings it in line. */
export function driftMatrix(plan: Plan, items: string[]): DriftMatrix {
  const rows = plan.nodes.map((n) => {
    const cells: Record<string, Cell> = {};
    const err = nodeHasErrors(n) ? n.diagnostics.find((d) => d.severity === 'error') : undefined;
    for (const item of items) {
      if (err) {
        cells[item] = { state: 'error' };
        continue;
      }
      const acts = n.actions.filter((a) => a.items.includes(item));
      const what = [...new Set(acts.map((a) => (a.type === 'quarantine' ? a.agentId : WHAT[a.type])))];
      cells[item] = acts.length ? { state: 'drift', what } : { state: 'ok' };
    }
    return err ? { node: n.node, cells, error: redactText(`${err.path ? err.path + ': ' : ''}${err.message}`) } : { node: n.node, cells };
  });
  return {
    items,
    rows,
    drift: rows.some((r) => Object.values(r.cells).some((c) => c.state === 'drift')),
    errors: rows.some((r) => r.error !== undefined),
  };
}

function cellText(c: Cell): string {
  return c.state === 'ok' ? '✓' : c.state === 'error' ? '?' : `✗ ${c.what.join('+')}`;
}

export function renderMatrixText(input: DriftMatrix, s: Style): string {
  const m = escapeDeep(input);
  const nodeW = Math.max(4, ...m.rows.map((r) => r.node.length));
  const widths = m.items.map((i) => Math.max(i.length, ...m.rows.map((r) => cellText(r.cells[i]!).length)));
  const last = m.items.length - 1;
  const pad = (t: string, w: number, k = -1) => (k === last ? t : t + ' '.repeat(Math.max(0, w - [...t].length)));
  const head = [pad('node', nodeW), ...m.items.map((i, k) => pad(i, widths[k]!, k))].join('  ');
  const lines = [s.bold(head)];
  for (const r of m.rows) {
    const cells = m.items.map((i, k) => {
      const t = pad(cellText(r.cells[i]!), widths[k]!, k);
      const c = r.cells[i]!;
      return c.state === 'ok' ? s.green(t) : c.state === 'error' ? s.red(t) : s.yellow(t);
    });
    lines.push([pad(r.node, nodeW), ...cells].join('  '));
  }
  for (const r of m.rows) if (r.error) lines.push(s.red(`error: ${r.node}: ${r.error}`));
  const drifted = m.rows.filter((r) => Object.values(r.cells).some((c) => c.state === 'drift')).map((r) => r.node);
  lines.push('', m.errors ? 'Some nodes could not be checked.' : drifted.length ? `Drift on ${drifted.join(', ')}: run \`clawfleet plan\` for details.` : 'All nodes match the baseline.');
  return redactShapes(lines.join('\n') + '\n');
}

export function matrixToJson(m: DriftMatrix, checkedAt: string): string {
  return redactShapes(JSON.stringify({ format: 'clawfleet-check', version: 1, checkedAt, ...m }, null, 2)) + '\n';
}
