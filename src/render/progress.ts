import { Listr } from 'listr2';
import { escapeControl } from './escape.js';

export interface ProgressTask<R> {
  title: string;
  run: (update: (line: string) => void) => Promise<R>;
  /** One line for the task's end state, from its result. */
  done: (r: R) => { line: string; ok: boolean };
}

/**
 * Runs tasks `parallel` at a time with live per-node progress: listr2 on a terminal, plain
 * "[node] line" lines otherwise (CI logs). With `failFast`, tasks not yet started are skipped after
 * the first failure. Results keep the tasks' order; a skipped task's result is null.
 */
export async function runWithProgress<R>(
  tasks: ProgressTask<R>[],
  opts: { parallel: number; failFast: boolean; tty: boolean; out: NodeJS.WritableStream },
): Promise<(R | null)[]> {
  const results: (R | null)[] = tasks.map(() => null);
  let stop = false;
  if (!opts.tty) {
    let next = 0;
    const worker = async () => {
      while (next < tasks.length && !stop) {
        const i = next++;
        const t = tasks[i]!;
        opts.out.write(`[${t.title}] started\n`);
        const r = await t.run(() => undefined); // per-action lines would flood a CI log
        results[i] = r;
        const d = t.done(r);
        opts.out.write(`[${escapeControl(t.title)}] ${escapeControl(d.line)}\n`);
        if (!d.ok && opts.failFast) stop = true;
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.parallel, tasks.length)) }, worker));
    return results;
  }
  const list = new Listr(
    tasks.map((t, i) => ({
      title: t.title,
      skip: () => stop,
      task: async (_ctx: unknown, task: { title: string; output: string }) => {
        const r = await t.run((line) => {
          task.output = escapeControl(line);
        });
        results[i] = r;
        const d = t.done(r);
        task.title = escapeControl(`${t.title}: ${d.line}`);
        if (!d.ok) {
          if (opts.failFast) stop = true;
          throw new Error(d.line);
        }
      },
    })),
    { concurrent: opts.parallel, exitOnError: false, rendererOptions: { collapseErrors: false } },
  );
  await list.run().catch(() => undefined);
  return results;
}
