import type { NodeResult } from '../domain/results.js';
import { redactShapes } from '../shared/secret-shapes.js';
import { displayResults, redactResult } from './results-safe.js';

export function resultsToJson(runId: string, results: NodeResult[]): string {
  return JSON.stringify({ format: 'clawfleet-apply', version: 1, runId, results: results.map(redactResult) }, null, 2) + '\n';
}

export function renderResultsMarkdown(runId: string, input: NodeResult[]): string {
  const results = displayResults(input);
  const icon: Record<NodeResult['status'], string> = {
    unchanged: '✅ up to date',
    changed: '🟡 changed',
    partial: '🟠 partial',
    failed: '❌ failed',
    'rolled-back': '↩️ failed, rolled back',
    'rollback-failed': '🚨 rollback failed',
    refused: '⛔ refused',
  };
  const rows = results.map((r) => `| ${r.node} | ${icon[r.status]} | ${r.done}/${r.total} | ${(r.error ?? (r.handler && r.handler.code !== 0 ? `handler exit ${r.handler.code}` : '')).replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;')} |`);
  return redactShapes([`## clawfleet apply: run \`${runId}\``, '', '| node | result | actions | note |', '|---|---|---:|---|', ...rows, ''].join('\n'));
}
