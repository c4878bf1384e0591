/**
 * `clawfleet runs`: what each node's journals say. Every field comes from a file on the node that a user
 * there may have written: shown escaped and redacted, whatever its type.
 */
import type { NodeOutcome } from '../domain/errors.js';
import { failureLine } from './node-failure.js';
import { safeLine } from './safe-line.js';
import type { Style } from './style.js';

export interface RunLine {
  runId: string;
  status: unknown;
  actions: unknown;
  at: unknown;
  by: unknown;
}

export type NodeRuns = NodeOutcome<RunLine[]>;

const field = (v: unknown): string => safeLine(typeof v === 'string' ? v : JSON.stringify(v) ?? '?');

export function renderRuns(results: NodeRuns[], s: Style): string {
  const lines: string[] = [];
  for (const r of results) {
    if (!r.ok) {
      lines.push(failureLine(r, s));
      continue;
    }
    lines.push(s.bold(safeLine(r.node)) + (r.value.length ? '' : s.dim(': no runs')));
    for (const run of r.value) {
      lines.push(`  ${safeLine(run.runId)}  ${field(run.status).padEnd(15)} ${field(run.actions).padStart(3)} actions  ${field(run.at)}  ${field(run.by)}`);
    }
  }
  return lines.map((l) => l + '\n').join('');
}
