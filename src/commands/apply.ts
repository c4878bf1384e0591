import { ClawError, errorMessage } from '../domain/errors.js';
import { applyNode } from '../executor/apply-node.js';
import { newRunId } from '../executor/context.js';
import type { NodeResult } from '../executor/result.js';
import { planSummary, renderPlanText } from '../render/plan-text.js';
import { renderResults } from '../render/results-text.js';
import { styleFor } from '../render/style.js';
import { confirm } from './confirm.js';
import { COMMON, COMMON_HELP, parse, sessionOptions, whoAmI } from './options.js';
import { runWithProgress, type ProgressTask } from '../render/progress.js';
import { openSession, toPlan } from './session.js';

export const APPLY_HELP = `Usage: clawfleet apply [options]

Plans every selected node, shows the plan, asks for confirmation ("yes") on a terminal, then applies
exactly the shown actions. Each action re-checks what it was planned against first; every change is
journaled on the node (under <dataRoot>/.clawfleet/) with a backup, and a failure rolls that node's run back.
Without a terminal it refuses unless -y is given. If any selected node cannot be planned (unreachable,
invalid config, clash…), nothing is applied on any node: fix it or leave it out with --limit.
Exit code: 0 all nodes applied or up to date, 1 any node failed or was refused.

  -y, --yes                 do not ask
      --fail-fast           after the first node fails, start no further node (running ones finish)
      --no-diff             do not show config diffs

${COMMON_HELP}`;

export async function applyCommand(args: string[], out: NodeJS.WriteStream): Promise<number> {
  const { values } = parse(args, {
    ...COMMON,
    yes: { type: 'boolean', short: 'y', default: false },
    'no-diff': { type: 'boolean', default: false },
    'fail-fast': { type: 'boolean', default: false },
  });
  if (values.help) {
    out.write(APPLY_HELP + '\n');
    return 0;
  }
  const opts = sessionOptions(values);
  const s = styleFor(out);
  const session = await openSession(opts);
  try {
    const plan = toPlan(session);
    out.write(renderPlanText(plan, s, { diffs: !values['no-diff'] }));
    const sum = planSummary(plan);
    if (sum.errors > 0) {
      // Like a failed `terraform plan`: bad input anywhere means no change anywhere.
      const bad = plan.nodes.filter((n) => n.diagnostics.some((d) => d.severity === 'error')).map((n) => n.node);
      throw new ClawError('PLAN', `${bad.join(', ')}: plan has errors; nothing applied on any node (fix them, or leave ${bad.length === 1 ? 'that node' : 'those nodes'} out with --limit)`);
    }
    if (sum.changes === 0) return 0;
    if (sum.changes > 0 && !values.yes) {
      if (!process.stdin.isTTY) throw new ClawError('USAGE', 'apply needs a terminal to confirm, or -y');
      if (!(await confirm(`\nApply ${sum.changes} change(s) on ${sum.changed} node(s)? Only "yes" is accepted: `))) {
        out.write('Apply cancelled: nothing changed.\n');
        return 1;
      }
    }
    const runId = newRunId();
    out.write(`\n${s.dim(`run ${runId}`)}\n`);
    const tasks = session.nodes.map((n): ProgressTask<NodeResult> => ({
      title: n.spec.name,
      run: async (update) => {
        try {
          return await applyNode(n.writer!, n.plan, {
            runId,
            by: whoAmI(),
            baseline: n.baseline.baseline.name,
            onAction: (done, total, id) => update(`${done}/${total} ${id}`),
          });
        } catch (e) {
          return { node: n.spec.name, runId, status: 'failed', done: 0, total: n.plan.actions.length, actions: [], error: errorMessage(e) };
        }
      },
      done: (r) => ({ line: `${r.status} (${r.done}/${r.total})`, ok: r.status === 'changed' || r.status === 'unchanged' }),
    }));
    const tty = Boolean((process.stderr as NodeJS.WriteStream).isTTY) && !process.env.CI;
    const settled = await runWithProgress(tasks, { parallel: opts.parallel, failFast: Boolean(values['fail-fast']), tty, out: process.stderr });
    const results = settled.map((r, i): NodeResult =>
      r ?? { node: session.nodes[i]!.spec.name, runId: null, status: 'refused', done: 0, total: session.nodes[i]!.plan.actions.length, actions: [], error: 'skipped after a failure (--fail-fast)' },
    );
    out.write(renderResults(results, s));
    return results.every((r) => r.status === 'changed' || r.status === 'unchanged') ? 0 : 1;
  } finally {
    await session.close();
  }
}
