import { ClawError, errorMessage } from '../domain/errors.js';
import { applyNode } from '../executor/apply-node.js';
import { newRunId } from '../executor/context.js';
import type { NodeResult } from '../executor/result.js';
import { planSummary, renderPlanText } from '../render/plan-text.js';
import { renderResults } from '../render/results-text.js';
import { styleFor } from '../render/style.js';
import { confirm } from './confirm.js';
import { COMMON, COMMON_HELP, parse, sessionOptions, whoAmI } from './options.js';
import { mapLimit } from './pool.js';
import { openSession, toPlan } from './session.js';

export const APPLY_HELP = `Usage: clawfleet apply [options]

Plans every selected node, shows the plan, asks for confirmation ("yes") on a terminal, then applies
exactly the shown actions. Each action re-checks what it was planned against first; every change is
journaled on the node (under <dataRoot>/.clawfleet/) with a backup, and a failure rolls that node's run back.
Without a terminal it refuses unless -y is given.
Exit code: 0 all nodes applied or up to date, 1 any node failed or was refused.

  -y, --yes                 do not ask
      --no-diff             do not show config diffs

${COMMON_HELP}`;

export async function applyCommand(args: string[], out: NodeJS.WriteStream): Promise<number> {
  const { values } = parse(args, { ...COMMON, yes: { type: 'boolean', short: 'y', default: false }, 'no-diff': { type: 'boolean', default: false } });
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
    if (sum.changes === 0 && sum.errors === 0) return 0;
    if (sum.changes > 0 && !values.yes) {
      if (!process.stdin.isTTY) throw new ClawError('USAGE', 'apply needs a terminal to confirm, or -y');
      if (!(await confirm(`\nApply ${sum.changes} change(s) on ${sum.changed} node(s)? Only "yes" is accepted: `))) {
        out.write('Apply cancelled: nothing changed.\n');
        return 1;
      }
    }
    const runId = newRunId();
    out.write(`\n${s.dim(`run ${runId}`)}\n`);
    const results = await mapLimit(session.nodes, opts.parallel, async (n): Promise<NodeResult> => {
      if (!n.writer) return { node: n.spec.name, runId: null, status: 'refused', done: 0, total: 0, actions: [], error: n.plan.diagnostics[0]?.message ?? 'unreachable' };
      try {
        return await applyNode(n.writer, n.plan, { runId, by: whoAmI(), baseline: n.baseline.baseline.name });
      } catch (e) {
        return { node: n.spec.name, runId, status: 'failed', done: 0, total: n.plan.actions.length, actions: [], error: errorMessage(e) };
      }
    });
    out.write(renderResults(results, s));
    return results.every((r) => r.status === 'changed' || r.status === 'unchanged') ? 0 : 1;
  } finally {
    await session.close();
  }
}
