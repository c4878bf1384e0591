import type { NodeResult } from '../domain/results.js';
import { displayResults } from './results-safe.js';
import { redactShapes } from '../shared/secret-shapes.js';
import { withNode, withoutNode } from '../domain/errors.js';
import { failureLine, type FailureWord } from './node-failure.js';
import type { Style } from './style.js';

/** A failure line of this node's result (its text already redacted and escaped by displayResults). */
function failed(r: NodeResult, error: string | undefined, s: Style, word: FailureWord = 'failed'): string {
  return failureLine({ node: r.node, ok: false, error: error ?? '' }, s, word);
}

const bare = (r: NodeResult, msg: string | undefined): string => withoutNode(r.node, msg ?? '');

export function renderResultLine(r: NodeResult, s: Style): string {
  const run = r.runId ? s.dim(` run ${r.runId}`) : '';
  switch (r.status) {
    case 'unchanged':
      return `${s.green('ok')}        ${r.node}: up to date`;
    case 'changed':
      return `${s.yellow('changed')}   ${r.node}: ${r.done}/${r.total} actions applied${run}`;
    case 'partial': {
      const refused = r.actions.filter((a) => a.status === 'refused');
      return [`${s.yellow('partial')}   ${r.node}: ${r.done}/${r.total} actions applied, ${refused.length} refused (changed since plan)${run}`, ...refused.map((a) => `          ${a.error ?? a.id}`)].join('\n');
    }
    case 'refused':
      return failed(r, `nothing changed: ${bare(r, r.error)}`, s, 'refused');
    case 'rolled-back':
      return `${failed(r, r.error, s)}\n          ${r.node}: rolled back ${r.done} completed action(s); node is as before${run}`;
    case 'rollback-failed':
      return `${failed(r, r.error, s, 'FAILED')}\n          ${withNode(r.node, `ROLLBACK FAILED: ${bare(r, r.rollbackError)}`)}; retry with: clawfleet rollback ${r.runId} --limit ${r.node}`;
    case 'failed':
      return failed(r, r.error, s);
  }
}

function handlerLine(r: NodeResult, s: Style): string {
  if (!r.handler) return '';
  const h = r.handler;
  return h.code === 0
    ? `\n          ${r.node}: handler ran: ${h.command}`
    : `\n          ${s.red(`${r.node}: handler failed (exit ${h.code}): ${h.command}`)}${h.output ? `: ${h.output.split('\n').pop()}` : ''}`;
}

/** The health gate: passed (when asked for), or failed and what the restored node showed. */
function healthLine(r: NodeResult, s: Style): string {
  const h = r.health;
  if (!h) return '';
  if (h.ok) return `\n          ${r.node}: healthy after ${h.seconds}s (${h.command})`;
  const back = h.restored ? (h.restored.ok ? s.green('healthy again on the restored config') : s.red(`still unhealthy on the restored config: ${h.restored.output.split('\n').pop() || 'no output'}`)) : '';
  return `\n          ${s.red(`${r.node}: unhealthy: ${h.command} failed ${h.attempts} time(s) in ${h.seconds}s`)}${back ? `; ${back}` : ''}`;
}

/** A lock left behind (e.g. the connection dropped at the end): say so, and how to release it. */
function lockLine(r: NodeResult, s: Style): string {
  if (!r.lockError) return '';
  return `\n          ${s.red(`${withNode(r.node, r.lockError)}; once no run is active on it: clawfleet unlock --run ${r.runId} --limit ${r.node}`)}`;
}

export function renderResults(input: NodeResult[], s: Style): string {
  const results = displayResults(input);
  const count = (st: NodeResult['status']) => results.filter((r) => r.status === st).length;
  const lines = results.map((r) => renderResultLine(r, s) + handlerLine(r, s) + healthLine(r, s) + lockLine(r, s));
  const failed = count('failed') + count('rolled-back') + count('rollback-failed') + count('refused');
  lines.push('', s.bold(`Apply: ${count('changed')} changed, ${count('partial')} partial, ${count('unchanged')} unchanged, ${failed} failed (${count('rolled-back')} rolled back).`));
  return redactShapes(lines.join('\n') + '\n');
}
