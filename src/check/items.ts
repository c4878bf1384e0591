import type { Baseline } from '../inventory/baseline-schema.js';

/** A baseline's items (drift-matrix columns), in the order it lists them, then orphans. */
export function baselineItems(b: Baseline): string[] {
  const items = [
    ...b.links.global.map((l) => l.item ?? l.path),
    ...b.config.sections.map((s) => s.item ?? s.path),
    ...b.links.agent.map((l) => l.item ?? `agent-${l.path}`),
    ...(b.agentDir ? [b.agentDir.item ?? 'agent-dir'] : []),
    ...b.retiredLinks.global.map((l) => l.item ?? l.path),
    ...b.retiredLinks.agent.map((l) => l.item ?? `agent-${l.path}`),
    'orphans',
  ];
  return [...new Set(items)];
}
