import type { NodeResult } from '../domain/results.js';
import { renderResultsMarkdown } from '../render/results-formats.js';
import { renderResults } from '../render/results-text.js';
import { styleFor } from '../terminal/style.js';
import { applyResultsJson, renderRolloutMarkdown, renderRolloutText } from '../rollout/render.js';
import { runWaves, type RolloutReport } from '../rollout/run-waves.js';
import type { ShardSpec } from '../rollout/shard.js';
import type { RolloutSpec } from '../rollout/strategy.js';
import type { Format } from './options.js';
import type { NodeSession } from '../fleet/session.js';

/**
 * apply with a rollout strategy: the nodes with changes go in waves (`run` applies one wave's nodes in
 * parallel); a node left out because the rollout stopped is reported as refused, untouched.
 */
export async function applyInWaves(
  nodes: NodeSession[],
  spec: RolloutSpec,
  run: (wave: NodeSession[]) => Promise<NodeResult[]>,
  log: (line: string) => void,
): Promise<{ results: NodeResult[]; report: RolloutReport }> {
  const byName = new Map(nodes.map((n) => [n.spec.name, n]));
  const changing = nodes.filter((n) => n.plan.actions.length > 0).map((n) => n.spec.name);
  const { results, report } = await runWaves(spec, changing, (w) => run(w.nodes.map((x) => byName.get(x)!)), log);
  const got = new Map(results.map((r) => [r.node, r]));
  const stoppedAt = report.decisions.at(-1);
  return {
    report,
    results: nodes.map((n): NodeResult => {
      const r = got.get(n.spec.name);
      if (r) return r;
      const actions = n.plan.actions.map((a) => ({ id: a.id, status: 'skipped' as const }));
      if (actions.length === 0) return { node: n.spec.name, runId: null, status: 'unchanged', done: 0, total: 0, actions };
      return { node: n.spec.name, runId: null, status: 'refused', done: 0, total: actions.length, actions, error: `not started: the rollout stopped after wave ${stoppedAt?.wave ?? 0} (${stoppedAt?.reason ?? 'stopped'})` };
    }),
  };
}

/** apply's results in the chosen format, with the rollout's decisions when there was a rollout. */
export function renderApplyResults(format: Format, runId: string, results: NodeResult[], extra: { rollout: RolloutReport | null; shard?: ShardSpec | undefined }, out: NodeJS.WriteStream): string {
  if (format === 'json') return applyResultsJson(runId, results, extra);
  if (format === 'markdown') return renderResultsMarkdown(runId, results) + (extra.rollout ? '\n' + renderRolloutMarkdown(extra.rollout) : '');
  return renderResults(results, styleFor(out)) + (extra.rollout ? '\n' + renderRolloutText(extra.rollout, styleFor(out)) : '');
}
