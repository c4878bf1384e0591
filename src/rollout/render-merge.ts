import type { Cell, CheckResult } from '../domain/check.js';
import { redactText } from '../shared/redact.js';
import type { Merged } from './merge.js';

/** Text from a part's file may hold anything: no control characters reach a terminal or a comment. */
const plain = (v: unknown): string => String(v ?? '').replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');

/** The drift matrix as a Markdown table (a PR or issue comment from a sharded `check`). */
export function renderMatrixMarkdown(m: CheckResult): string {
  const cell = (t: string) => t.replace(/\|/g, '\\|');
  const text = (c: Cell | undefined): string => {
    if (!c || c.state === 'ok') return '✅';
    if (c.state === 'drift') return `❌ ${c.what.map(plain).join('+')}`;
    if (c.state === 'waived') return `〰️ ${c.what.map(plain).join('+')} (waived)`;
    if (c.state === 'n/a') return '–';
    return `❓ ${plain(c.why)}`;
  };
  const lines = [`## clawfleet check: ${m.errors ? 'some nodes could not be checked' : m.drift ? 'drift' : 'all nodes match'}`, '', `| node | ${m.items.map(cell).join(' | ')} |`, `|---|${m.items.map(() => '---').join('|')}|`];
  for (const r of m.rows) lines.push(`| ${r.node} | ${m.items.map((i) => cell(text(r.cells[i]))).join(' | ')} |`);
  const errs = m.rows.filter((r) => r.error);
  if (errs.length) lines.push('', ...errs.map((r) => `- ${r.node}: ${cell(plain(r.error))}`));
  return redactText(lines.join('\n') + '\n');
}

/** One line per part of a merged apply: its run id and how its rollout ended. */
export function renderPartsText(m: Extract<Merged, { kind: 'apply' }>): string {
  const lines = m.rollouts.map((p) => {
    const r = p.rollout as { strategy?: unknown; stopped?: unknown; notStarted?: unknown[] } | null;
    const where = p.shard ? `shard ${p.shard.index}/${p.shard.count}` : 'part';
    const how = r ? `${plain(r.strategy)}: ${r.stopped ? `stopped, ${Array.isArray(r.notStarted) ? r.notStarted.length : '?'} node(s) not started` : 'complete'}` : 'no rollout';
    return `${where}: run ${plain(p.runId ?? '-')}: ${how}`;
  });
  return redactText(lines.join('\n') + (lines.length ? '\n' : ''));
}
