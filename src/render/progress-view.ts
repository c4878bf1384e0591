/**
 * The live progress view, pure: a summary line, then one line per running node, never more lines than the
 * terminal has rows nor wider than it. Finished nodes collapse into the summary's counts.
 */
export interface ProgressState {
  verb: string;
  total: number;
  startedAt: number;
  running: Map<number, { title: string; line: string }>;
  /** End state label → how many nodes ended in it ("changed", "up to date", "failed"…). */
  ended: Map<string, number>;
  failed: string[];
}

export function newProgressState(verb: string, total: number, now: number): ProgressState {
  return { verb, total, startedAt: now, running: new Map(), ended: new Map(), failed: [] };
}

const cut = (s: string, width: number) => {
  const chars = [...s];
  return chars.length <= width ? s : chars.slice(0, Math.max(0, width - 1)).join('') + '…';
};

export function summaryLine(st: ProgressState, now: number): string {
  let done = 0;
  for (const n of st.ended.values()) done += n;
  const counts = [...st.ended].map(([k, n]) => `${n} ${k}`).join(', ');
  const secs = ((now - st.startedAt) / 1000).toFixed(1);
  const running = st.running.size ? ` · ${st.running.size} running` : '';
  const failed = st.failed.length ? ` · failed: ${st.failed.slice(0, 5).join(', ')}${st.failed.length > 5 ? ', …' : ''}` : '';
  return `${st.verb}: ${done}/${st.total} nodes done${counts ? ` (${counts})` : ''}${running}${failed} · ${secs}s`;
}

const SPIN = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** The lines to show: at most `rows - 1` (the cursor's line stays free), each under `columns`. */
export function progressLines(st: ProgressState, size: { columns: number; rows: number }, now: number): string[] {
  const width = Math.max(20, size.columns - 1);
  const room = Math.max(1, size.rows - 1);
  const lines = [cut(summaryLine(st, now), width)];
  const running = [...st.running.values()];
  const show = running.length > room - 1 ? Math.max(0, room - 2) : running.length;
  const spin = SPIN[Math.floor(now / 100) % SPIN.length]!;
  const nameW = Math.min(24, Math.max(0, ...running.slice(0, show).map((r) => r.title.length)));
  for (const r of running.slice(0, show)) lines.push(cut(`  ${spin} ${r.title.padEnd(nameW)}  ${r.line}`, width));
  if (show < running.length) lines.push(cut(`  … and ${running.length - show} more running`, width));
  return lines;
}
