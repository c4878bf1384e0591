import { layoutFor } from '../planner/layout.js';
import { ClawError, errorMessage } from '../domain/errors.js';
import { applyNode } from '../executor/apply-node.js';
import { newRunId } from '../executor/context.js';
import type { NodeResult } from '../domain/results.js';
import { readPlanFile } from '../plan-file/io.js';
import { planSummary } from '../render/plan-text.js';
import { runWithProgress, type ProgressTask } from '../render/progress.js';
import { renderResultsMarkdown, resultsToJson } from '../render/results-formats.js';
import { renderResults } from '../render/results-text.js';
import { styleFor } from '../render/style.js';
import { confirm } from './confirm.js';
import { COMMON, COMMON_HELP, parse, sessionOptions, whoAmI } from './options.js';
import { FORMAT_OPTIONS, formatOf, renderPlan } from './output.js';
import { openSavedPlan, openSession, toPlan, type NodeSession, type Session } from './session.js';

export const APPLY_HELP = `Usage: clawfleet apply [PLAN-FILE] [options]

Without PLAN-FILE: plans every selected node, shows the plan, asks for confirmation ("yes") on a terminal,
then applies exactly the shown actions. With PLAN-FILE (from \`plan --out\`): applies exactly the saved
actions and nothing else, never re-planning; the inventory (-i, default: the one the plan names) is only
used to reach the nodes.
Each action re-checks the node state it was planned against first: an action whose state changed since
is refused (and reported), the others go on. Every change is journaled on the node (under
<dataRoot>/.clawfleet/) with a backup, and a failure rolls that node's run back. A node's handler (inventory
\`handler:\`) runs once after its config changed. Without a terminal apply refuses unless -y is given.
If any selected node cannot be planned (unreachable, invalid config, clash…), nothing is applied on any
node: fix it or leave it out with --limit.
Exit code: 0 all nodes applied or up to date, 1 any node failed, was refused, or had actions refused.

  -y, --yes                 do not ask
      --fail-fast           after the first node fails, start no further node (running ones finish)
  -f, --format F            text (default), json or markdown, for the plan shown and the results
      --no-diff             do not show config diffs (text format)

${COMMON_HELP}`;

async function planned(file: string | undefined, opts: ReturnType<typeof sessionOptions>, explicitInventory: boolean) {
  if (!file) {
    const session = await openSession(opts);
    return { session, plan: toPlan(session), notes: [] as string[] };
  }
  const plan = await readPlanFile(file);
  const { session, notes } = await openSavedPlan(plan, explicitInventory ? opts : { ...opts, inventory: plan.inventory.path });
  return { session, plan: { ...plan, nodes: session.nodes.map((n) => n.plan) }, notes };
}

function applyTask(n: NodeSession, runId: string): ProgressTask<NodeResult> {
  return {
    title: n.spec.name,
    run: async (update) => {
      try {
        return await applyNode(n.writer!, n.plan, {
          runId,
          layout: layoutFor(n.baseline.baseline, n.spec, await n.writer!.home()),
          by: whoAmI(),
          baseline: n.plan.baseline,
          ...(n.spec.handler ? { handler: n.spec.handler } : {}),
          onAction: (done, total, id) => update(`${done}/${total} ${id}`),
        });
      } catch (e) {
        return { node: n.spec.name, runId, status: 'failed', done: 0, total: n.plan.actions.length, actions: [], error: errorMessage(e) };
      }
    },
    done: (r) => ({ line: `${r.status} (${r.done}/${r.total})`, ok: r.status === 'changed' || r.status === 'unchanged' }),
  };
}

async function runApply(session: Session, runId: string, parallel: number, failFast: boolean): Promise<NodeResult[]> {
  const tty = Boolean(process.stderr.isTTY) && !process.env.CI;
  const settled = await runWithProgress(session.nodes.map((n) => applyTask(n, runId)), { parallel, failFast, tty, out: process.stderr });
  return settled.map(
    (r, i): NodeResult =>
      r ?? { node: session.nodes[i]!.spec.name, runId: null, status: 'refused', done: 0, total: session.nodes[i]!.plan.actions.length, actions: [], error: 'not started: an earlier node failed (--fail-fast)' },
  );
}

export async function applyCommand(args: string[], out: NodeJS.WriteStream): Promise<number> {
  const { values, positionals } = parse(
    args,
    { ...COMMON, ...FORMAT_OPTIONS, yes: { type: 'boolean', short: 'y', default: false }, 'fail-fast': { type: 'boolean', default: false } },
    true,
  );
  if (values.help) {
    out.write(APPLY_HELP + '\n');
    return 0;
  }
  if (positionals.length > 1) throw new ClawError('USAGE', 'apply takes at most one plan file');
  const format = formatOf(values.format);
  const opts = sessionOptions(values);
  const { session, plan, notes } = await planned(positionals[0], opts, typeof values.inventory === 'string');
  try {
    for (const n of notes) process.stderr.write(`note: ${n}\n`);
    // JSON output is one document: the results (with the run id) at the end, or the plan if nothing ran.
    if (format !== 'json') out.write(renderPlan(plan, format, out, !values['no-diff']));
    const sum = planSummary(plan);
    if (format === 'json' && (sum.errors > 0 || sum.changes === 0)) out.write(renderPlan(plan, format, out, false));
    if (sum.errors > 0) {
      // Like a failed `terraform plan`: bad input anywhere means no change anywhere.
      const bad = plan.nodes.filter((n) => n.diagnostics.some((d) => d.severity === 'error')).map((n) => n.node);
      throw new ClawError('PLAN', `${bad.join(', ')}: plan has errors; nothing applied on any node (fix them, or leave ${bad.length === 1 ? 'that node' : 'those nodes'} out with --limit)`);
    }
    if (sum.changes === 0) return 0;
    if (!values.yes) {
      if (!process.stdin.isTTY) throw new ClawError('USAGE', 'apply needs a terminal to confirm, or -y');
      if (!(await confirm(`\nApply ${sum.changes} change(s) on ${sum.changed} node(s)? Only "yes" is accepted: `))) {
        out.write('Apply cancelled: nothing changed.\n');
        return 1;
      }
    }
    const runId = newRunId();
    if (format === 'text') out.write(`\n${styleFor(out).dim(`run ${runId}`)}\n`);
    const results = await runApply(session, runId, opts.parallel, Boolean(values['fail-fast']));
    out.write(format === 'json' ? resultsToJson(runId, results) : format === 'markdown' ? renderResultsMarkdown(runId, results) : renderResults(results, styleFor(out)));
    const ok = (r: NodeResult) => (r.status === 'changed' || r.status === 'unchanged') && (!r.handler || r.handler.code === 0) && !r.lockError;
    return results.every(ok) ? 0 : 1;
  } finally {
    await session.close();
  }
}
