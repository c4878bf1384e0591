import type { NodeResult } from '../domain/results.js';
import { decide, type WaveDecision } from './accounting.js';
import { describeRollout, planWaves, type RolloutSpec, type Wave } from './strategy.js';

/** Everything a rollout decided, for the results (text, JSON, Markdown). */
export interface RolloutReport {
  strategy: string;
  spec: RolloutSpec;
  /** Nodes the rollout covered (the ones with changes). */
  total: number;
  waves: Wave[];
  decisions: WaveDecision[];
  stopped: boolean;
  /** Nodes with changes that were never started because the rollout stopped. */
  notStarted: string[];
}

export function nameList(names: string[], max = 8): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} … and ${names.length - max} more`;
}

/**
 * Runs the waves one after the other (each wave's nodes in parallel, as `runWave` does them) and decides
 * after each one whether to go on. A wave always finishes; the decision is taken between waves.
 */
export async function runWaves(
  spec: RolloutSpec,
  nodes: string[],
  runWave: (wave: Wave) => Promise<NodeResult[]>,
  log: (line: string) => void,
): Promise<{ results: NodeResult[]; report: RolloutReport }> {
  const waves = planWaves(nodes, spec);
  const report: RolloutReport = { strategy: describeRollout(spec, nodes.length), spec, total: nodes.length, waves, decisions: [], stopped: false, notStarted: [] };
  log(`rollout: ${nodes.length} node${nodes.length === 1 ? '' : 's'} with changes in ${waves.length} wave${waves.length === 1 ? '' : 's'} (${report.strategy})`);
  const results: NodeResult[] = [];
  let failed = 0;
  for (const wave of waves) {
    log(`rollout: wave ${wave.index}/${waves.length} (${wave.kind}): ${nameList(wave.nodes)}`);
    const got = await runWave(wave);
    results.push(...got);
    const d = decide(spec, waves, wave, got, failed, nodes.length);
    failed = d.failedTotal;
    report.decisions.push(d);
    log(`rollout: after wave ${wave.index}/${waves.length}: ${d.decision}: ${d.reason}`);
    if (d.decision === 'stop') {
      report.stopped = true;
      report.notStarted = waves.filter((w) => w.index > wave.index).flatMap((w) => w.nodes);
      break;
    }
  }
  return { results, report };
}
