import type { Cell, CheckResult, CheckRow, CredentialEvent } from '../domain/check.js';
import { rowDrifts, rowUnknown } from '../domain/check.js';
import type { NodePlan } from '../domain/plan.js';
import type { PlanInput } from '../planner/context.js';
import { baselineItems } from './items.js';
import { judgeNode } from './judge-node.js';

/** One node as the check saw it: judged from its facts, or not reached at all. */
export interface CheckedNode {
  node: string;
  plan: NodePlan;
  /** Absent when the node could not be reached or read (plan.diagnostics say why). */
  input?: PlanInput;
}

function unreachable(n: CheckedNode, items: string[]): CheckRow {
  const err = n.plan.diagnostics.find((d) => d.severity === 'error');
  const error = err ? `${err.path ? err.path + ': ' : ''}${err.message}` : 'could not be read';
  return { node: n.node, cells: Object.fromEntries(items.map((i): [string, Cell] => [i, { state: 'unknown', why: error }])), error, notes: [] };
}

/** Items of every baseline in the fleet, in first-seen order. */
export function fleetItems(nodes: CheckedNode[]): string[] {
  return [...new Set(nodes.flatMap((n) => (n.input ? baselineItems(n.input.baseline) : [])))];
}

/** The check result of a fleet (pure): a row per node; extra columns (OpenClaw's own checks) come after. */
export function buildCheck(nodes: CheckedNode[], checkedAt: string, extra: { items?: string[]; cells?: Map<string, Record<string, Cell>> } = {}): CheckResult {
  const items = [...fleetItems(nodes), ...(extra.items ?? [])];
  const rows = nodes.map((n): CheckRow => {
    if (!n.input) return unreachable(n, items);
    const { cells, notes } = judgeNode(n.input, n.plan, items);
    Object.assign(cells, extra.cells?.get(n.node) ?? {});
    for (const i of extra.items ?? []) cells[i] ??= { state: 'n/a', why: 'not checked' };
    const row: CheckRow = { node: n.node, cells, notes };
    const v = n.input.facts.openclawVersion?.version;
    if (v) row.openclawVersion = v;
    return row;
  });
  return finish({ format: 'clawfleet-check', version: 2, checkedAt, items, rows, drift: false, errors: false, credentialEvents: [] });
}

/** Recomputes the summary flags after rows or events changed. */
export function finish(r: CheckResult, events: CredentialEvent[] = r.credentialEvents): CheckResult {
  return { ...r, credentialEvents: events, drift: r.rows.some(rowDrifts), errors: r.rows.some(rowUnknown) };
}
