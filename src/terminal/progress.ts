import { Listr } from 'listr2';
import { createLogUpdate } from 'log-update';
import { escapeControl } from '../render/escape.js';
import { newProgressState, progressLines, summaryLine, type ProgressState } from '../render/progress-view.js';
import { COLOR, PLAIN } from './style.js';

export interface ProgressTask<R> {
  title: string;
  run: (update: (line: string) => void) => Promise<R>;
  /** One line for the task's end state, from its result; `state` labels it in the live summary. */
  done: (r: R) => { line: string; ok: boolean; state?: string };
}

/** `live`: a view redrawn in place on a terminal; `lines`: one plain "[node] …" line per event (CI logs). */
export type ProgressDisplay = 'none' | 'lines' | 'live';

export interface ProgressOptions {
  parallel: number;
  failFast: boolean;
  verb: string;
  display: ProgressDisplay;
  out: NodeJS.WritableStream & { columns?: number; rows?: number };
  color?: boolean;
  /** `lines` display: also a line per update (an apply's actions). */
  perAction?: boolean;
}

/** Redraws the view at most 10 times a second, whatever the number of updates: costs nothing next to the work. */
function startLive(st: ProgressState, opts: ProgressOptions) {
  const update = createLogUpdate(opts.out as NodeJS.WriteStream);
  const size = () => ({ columns: opts.out.columns ?? 80, rows: opts.out.rows ?? 24 });
  const s = opts.color ? COLOR : PLAIN;
  const draw = () => {
    const [head, ...rest] = progressLines(st, size(), Date.now());
    update([s.bold(head!), ...rest].join('\n'));
  };
  draw();
  const timer = setInterval(draw, 100);
  timer.unref();
  return () => {
    clearInterval(timer);
    update(s.dim(summaryLine(st, Date.now())));
    update.done();
  };
}

/**
 * Runs tasks `parallel` at a time (listr2's concurrency; its own rendering stays silent) and shows their
 * progress. With `failFast`, tasks not yet started are skipped after the first failure. Results keep the
 * tasks' order; a skipped task's result is null.
 */
export async function runWithProgress<R>(tasks: ProgressTask<R>[], opts: ProgressOptions): Promise<(R | null)[]> {
  const results: (R | null)[] = tasks.map(() => null);
  const st = newProgressState(opts.verb, tasks.length, Date.now());
  const stopLive = opts.display === 'live' && tasks.length > 0 ? startLive(st, opts) : null;
  const line = (t: string, l: string) => opts.display === 'lines' && opts.out.write(`[${escapeControl(t)}] ${escapeControl(l)}\n`);
  let stop = false;
  const thrown: unknown[] = [];
  const list = new Listr(
    tasks.map((t, i) => ({
      title: t.title,
      task: async () => {
        if (stop) return;
        st.running.set(i, { title: escapeControl(t.title), line: '' });
        line(t.title, 'started');
        try {
          const r = await t.run((l) => {
            st.running.set(i, { title: escapeControl(t.title), line: escapeControl(l) });
            if (opts.perAction) line(t.title, l);
          });
          results[i] = r;
          const d = t.done(r);
          const state = d.state ?? (d.ok ? 'ok' : 'failed');
          st.ended.set(state, (st.ended.get(state) ?? 0) + 1);
          if (!d.ok) st.failed.push(escapeControl(t.title));
          line(t.title, d.line);
          if (!d.ok && opts.failFast) stop = true;
        } catch (e) {
          thrown.push(e);
        } finally {
          st.running.delete(i);
        }
      },
    })),
    // No signal listeners of its own: listr2 would exit 127 on SIGINT, before apply's safe stop could roll back.
    { concurrent: Math.max(1, opts.parallel), exitOnError: false, renderer: 'silent', registerSignalListeners: false },
  );
  try {
    await list.run();
  } finally {
    stopLive?.();
  }
  if (thrown.length) throw thrown[0];
  return results;
}

/** `fn` over every item, `parallel` at a time (the same listr2 concurrency), nothing shown; results keep the items' order. */
export async function eachLimit<T, R>(items: T[], parallel: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const tasks = items.map((item, i) => ({ title: String(i), run: () => fn(item), done: () => ({ line: 'done', ok: true }) }));
  return (await runWithProgress(tasks, { parallel, failFast: false, verb: 'items', display: 'none', out: process.stderr })) as R[];
}
