/**
 * Apply results carry text from the node (errors quoting paths and OpenClaw's messages, the handler's command
 * and output): redacted for every output, and escaped for human output.
 */
import type { NodeResult } from '../domain/results.js';
import { escapeDeep } from './escape.js';
import { redactText } from '../shared/redact.js';

const opt = (s: string | undefined) => (s === undefined ? undefined : redactText(s));

/** A handler's command and output, as they may be shown and journaled. */
export function redactHandler(h: { command: string; code: number; output: string }): { command: string; code: number; output: string } {
  return { command: redactText(h.command), code: h.code, output: redactText(h.output) };
}

export function redactResult(r: NodeResult): NodeResult {
  const out: NodeResult = { ...r, actions: r.actions.map((a) => (a.error === undefined ? a : { ...a, error: redactText(a.error) })) };
  for (const k of ['error', 'rollbackError', 'lockError'] as const) if (r[k] !== undefined) out[k] = opt(r[k]);
  if (r.handler) out.handler = redactHandler(r.handler);
  return out;
}

/** For a terminal or Markdown: redacted, every string one escaped line (the handler output keeps its lines). */
export function displayResults(results: NodeResult[]): NodeResult[] {
  return results.map((r) => escapeDeep(redactResult(r), new Set(['output'])));
}
