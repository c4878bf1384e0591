import type { NodeResult } from '../domain/results.js';
import { redactText } from '../shared/redact.js';
import type { Style } from '../render/style.js';
import { nameList, type RolloutReport } from './run-waves.js';
import type { ShardSpec } from './shard.js';

/** The rollout's waves and every decision, after the per-node results (text). */
export function renderRolloutText(r: RolloutReport, s: Style): string {
  const lines = [s.bold(`Rollout: ${r.total} node${r.total === 1 ? '' : 's'} in ${r.waves.length} wave${r.waves.length === 1 ? '' : 's'} (${r.strategy})`)];
  for (const d of r.decisions) {
    const mark = d.decision === 'stop' ? s.red('stop    ') : d.decision === 'done' ? s.green('done    ') : s.green('continue');
    lines.push(`  wave ${d.wave} ${d.kind.padEnd(6)} ${nameList(d.nodes, 6)}`, `    ${mark} ${d.reason}`);
  }
  if (r.stopped) lines.push(s.red(`  not started: ${nameList(r.notStarted, 12)}`));
  return redactText(lines.join('\n') + '\n');
}

export function renderRolloutMarkdown(r: RolloutReport): string {
  const cell = (t: string) => t.replace(/\|/g, '\\|');
  const rows = r.decisions.map((d) => `| ${d.wave} | ${d.kind} | ${d.nodes.length} | ${d.failed.length ? cell(nameList(d.failed, 6)) : '—'} | ${d.decision === 'stop' ? '🛑 stop' : d.decision === 'done' ? '✅ done' : '▶️ continue'}: ${cell(d.reason)} |`);
  const tail = r.stopped ? [`**Stopped**: ${r.notStarted.length} node(s) not started (${cell(nameList(r.notStarted, 12))}).`, ''] : [];
  return redactText([`### Rollout (${r.strategy})`, '', '| wave | kind | nodes | failed | decision |', '|---:|---|---:|---|---|', ...rows, '', ...tail].join('\n'));
}

/** apply's JSON: the classic document, plus `rollout` and `shard` when they were asked for. */
export function applyResultsJson(runId: string, results: NodeResult[], extra: { rollout?: RolloutReport | null; shard?: ShardSpec | undefined }): string {
  const doc: Record<string, unknown> = { format: 'clawfleet-apply', version: 1, runId, results };
  if (extra.rollout) doc.rollout = extra.rollout;
  if (extra.shard) doc.shard = extra.shard;
  return redactText(JSON.stringify(doc, null, 2)) + '\n';
}
