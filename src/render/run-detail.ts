import type { Style } from './style.js';
import { redactText } from '../shared/redact.js';

/** One run on one node, as its journal tells it (the journal is the node's: every string is untrusted). */
export interface RunDetail {
  runId: string;
  at: string;
  by: string;
  baseline: string;
  status: string;
  actions: { seq: number; type: string; path: string; outcome: 'done' | 'failed' | 'refused' | 'undone' | 'started'; error?: string }[];
  handler?: { command: string; code: number };
  rolledBackBy?: string;
}

type Rec = { t: string; [k: string]: unknown };
/** Control characters from a node's journal never reach the terminal as such. */
const clean = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
const str = (v: unknown) => clean(typeof v === 'string' ? v : v === undefined ? '?' : String(v));

export function runDetail(runId: string, records: readonly object[]): RunDetail {
  const recs = records as Rec[];
  const head = recs.find((r) => r.t === 'run');
  const end = [...recs].reverse().find((r) => r.t === 'end');
  const d: RunDetail = { runId, at: str(head?.at), by: str(head?.by), baseline: str(head?.baseline), status: end ? str(end.status) : recs.some((r) => r.t === 'begin') ? 'interrupted' : 'empty', actions: [] };
  const bySeq = new Map<number, RunDetail['actions'][number]>();
  for (const r of recs) {
    const seq = typeof r.seq === 'number' ? r.seq : -1;
    if (r.t === 'begin') {
      const a = (r.action ?? {}) as { type?: unknown; path?: unknown };
      const e = { seq, type: str(a.type), path: str(a.path), outcome: 'started' as const };
      bySeq.set(seq, e);
      d.actions.push(e);
    } else if (r.t === 'refused' && !bySeq.has(seq)) {
      const e = { seq, type: '?', path: '?', outcome: 'refused' as const, error: str(r.error) };
      d.actions.push(e);
    } else if (bySeq.has(seq) && (r.t === 'done' || r.t === 'fail' || r.t === 'refused' || r.t === 'undone')) {
      const e = bySeq.get(seq)!;
      e.outcome = r.t === 'fail' ? 'failed' : (r.t as 'done' | 'refused' | 'undone');
      if (r.t === 'fail' || r.t === 'refused') e.error = str(r.error);
    } else if (r.t === 'handler') d.handler = { command: str(r.command), code: typeof r.code === 'number' ? r.code : -1 };
    else if (r.t === 'rollback') d.rolledBackBy = `${str(r.by)} at ${str(r.at)}`;
  }
  return d;
}

export function renderRunDetail(node: string, d: RunDetail, s: Style): string {
  const lines = [s.bold(`${node}: run ${d.runId} ${d.status}`) + s.dim(` · ${d.actions.length} actions · by ${d.by} at ${d.at} · baseline ${d.baseline}`)];
  for (const a of d.actions) {
    const tag = a.outcome === 'done' ? s.green('done    ') : a.outcome === 'undone' ? s.yellow('undone  ') : a.outcome === 'started' ? s.yellow('started ') : s.red(a.outcome.padEnd(8));
    lines.push(`  ${tag} ${a.type.padEnd(12)} ${a.path}${a.error ? `: ${a.error}` : ''}`);
  }
  if (d.handler) lines.push(`  handler exit ${d.handler.code}: ${d.handler.command}`);
  if (d.rolledBackBy) lines.push(`  rolled back by ${d.rolledBackBy}`);
  return redactText(lines.join('\n')) + '\n';
}
