import { layoutFor } from '../shared/layout.js';
import { gatewayAt } from '../shared/bootstrap-paths.js';
import type { Command } from 'commander';
import { ClawError, errorMessage } from '../domain/errors.js';
import { applyNode } from '../executor/apply-node.js';
import { newRunId } from '../executor/context.js';
import type { NodeResult } from '../domain/results.js';
import type { Plan } from '../domain/plan.js';
import { planSummary } from '../render/plan-text.js';
import { runWithProgress, type ProgressTask } from '../terminal/progress.js';
import { safeLine } from '../render/safe-line.js';
import { styleFor } from '../terminal/style.js';
import { confirm } from './confirm.js';
import { formatOf, sessionOptions, whoAmI, withCommon, withFormat, type CommonValues, type Io } from './options.js';
import { PLAN_FORMATS, renderPlan } from './output.js';
import { progressMode } from '../terminal/progress-mode.js';
import { openSavedPlanFile } from './saved-plan.js';
import { refuseStandInBootstrap } from './stand-in-refusal.js';
import { openSession, toPlan, type NodeSession } from '../fleet/session.js';
import { nodeOk } from '../rollout/accounting.js';
import { applyInWaves, renderApplyResults } from './apply-rollout.js';
import type { RolloutReport } from '../rollout/run-waves.js';
import { markShard, rolloutOf, shardOf, withRollout, withShard, type RolloutValues, type ShardValues } from './rollout-options.js';

export interface ApplyValues extends CommonValues, ShardValues, RolloutValues {
  yes?: boolean;
  failFast?: boolean;
  format?: string;
  json?: boolean;
  diff?: boolean;
  /** Set on the second pass of a bootstrap (see bootstrapped()): never a third. */
  afterBootstrap?: boolean;
}

/**
 * Nodes whose run installed or set up OpenClaw (phase 1 of a bootstrap, planner/rule-bootstrap.ts): their
 * layout, config and service are planned against what OpenClaw's setup wrote, so apply plans them again.
 */
function bootstrapped(plan: Plan, results: NodeResult[]): string[] {
  const phase1 = new Set(['install-runtime', 'install-openclaw', 'openclaw-setup', 'add-agent', 'create-user']);
  return plan.nodes
    .filter((n) => n.actions.some((a) => a.type === 'bootstrap' && phase1.has(a.boot.op)))
    .map((n) => n.node)
    .filter((name) => results.find((r) => r.node === name)?.status === 'changed');
}

const HELP_AFTER = `
Without PLAN-FILE: plans every selected node, shows the plan, asks for confirmation ("yes") on a terminal,
then applies exactly the shown actions. With PLAN-FILE (from \`plan --out\`): applies exactly the saved
actions and nothing else, never re-planning; the inventory (-i, default: the one the plan names) is used to
reach the nodes and, with the baseline, to check that every saved action is one the planner could have made
for its node. A saved plan is refused as a whole, before any change, when it is stale (a node changed under
one of its actions since it was made, e.g. it was applied already), foreign (made for nodes this inventory
does not have) or holds an action the planner could not have made. Prints the file's sha256, to compare with
the one in the reviewed Markdown plan.
Each action re-checks the node state it was planned against first: an action whose state changed since
is refused (and reported), the others go on. Every change is journaled on the node (under
<dataRoot>/.clawfleet/) with a backup, and a failure rolls that node's run back. A node's handler (inventory
\`handler:\`) runs once after its config changed. Without a terminal apply refuses unless -y is given.
If any selected node cannot be planned (unreachable, invalid config, clash…), nothing is applied on any
node: fix it or leave it out with --limit (e.g. -l '!node04').
Exit code: 0 all nodes applied or up to date, 1 any node failed, was refused, or had actions refused.`;

function applyTask(n: NodeSession, runId: string, stop: Interrupt): ProgressTask<NodeResult> {
  return {
    title: n.spec.name,
    run: async (update) => {
      stop.running.add(n.spec.name);
      try {
        const planned = layoutFor(n.baseline.baseline, n.spec, await n.writer!.home());
        return await applyNode(n.writer!, n.plan, {
          runId,
          by: whoAmI(),
          baseline: n.plan.baseline,
          ...(n.spec.handler ? { handler: n.spec.handler } : {}),
          ...(n.spec.health ? { health: { ...n.spec.health, gateway: gatewayAt(planned, n.spec.owner, n.spec.bootstrap?.port) } } : {}),
          onAction: (done, total, id) => update(`${done}/${total} ${id}`),
          signal: stop.controller.signal,
          planned,
          known: n.facts?.manifests,
        });
      } catch (e) {
        return { node: n.spec.name, runId, status: 'failed', done: 0, total: n.plan.actions.length, actions: [], error: errorMessage(e) };
      } finally {
        stop.running.delete(n.spec.name);
      }
    },
    done: (r) => ({ line: `${r.status} (${r.done}/${r.total})`, ok: r.status === 'changed' || r.status === 'unchanged', state: r.status }),
  };
}

/** Ctrl-C / SIGTERM during an apply: the first stops every node at its next safe point and rolls it back. */
interface Interrupt {
  controller: AbortController;
  signal: NodeJS.Signals | null;
  /** Nodes whose apply is under way (what a second signal leaves locked). */
  running: Set<string>;
}

const EXIT_FOR: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

/**
 * While the apply runs: the first SIGINT/SIGTERM aborts (each node stops between two actions, undoes its run
 * and releases its lock); a second one exits at once, printing the commands that finish the job by hand.
 */
function trapSignals(runId: string): Interrupt & { release(): void } {
  const stop: Interrupt = { controller: new AbortController(), signal: null, running: new Set() };
  const on = (sig: NodeJS.Signals) => {
    if (stop.signal === null) {
      stop.signal = sig;
      stop.controller.abort(sig);
      process.stderr.write(`\nclawfleet: ${sig}: stopping at the next safe point and rolling back run ${runId} (again to exit at once)\n`);
      return;
    }
    const nodes = [...stop.running].join(',');
    process.stderr.write(
      `\nclawfleet: ${sig} again: exiting now. Run ${runId} was still working on: ${nodes || '(no node)'}.\n` +
        (nodes ? `Once this process is gone: clawfleet rollback ${runId} -y --limit ${nodes}  (it takes over the dead run's lock; or first: clawfleet unlock --run ${runId} --limit ${nodes})\n` : ''),
    );
    process.exit(EXIT_FOR[sig] ?? 1);
  };
  process.on('SIGINT', on);
  process.on('SIGTERM', on);
  return Object.assign(stop, {
    release: () => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
    },
  });
}

async function runApply(nodes: NodeSession[], runId: string, parallel: number, failFast: boolean, stop: Interrupt): Promise<NodeResult[]> {
  const settled = await runWithProgress(nodes.map((n) => applyTask(n, runId, stop)), { parallel, failFast, verb: 'apply', ...progressMode('apply') });
  return settled.map(
    (r, i): NodeResult =>
      r ?? { node: nodes[i]!.spec.name, runId: null, status: 'refused', done: 0, total: nodes[i]!.plan.actions.length, actions: [], error: 'not started: an earlier node failed (--fail-fast)' },
  );
}

/** After an interrupted apply: the run id, what was rolled back, and what finished before the signal. */
function interruptSummary(runId: string, sig: NodeJS.Signals, results: NodeResult[]): string {
  const names = (f: (r: NodeResult) => boolean) => results.filter(f).map((r) => r.node);
  const rolled = names((r) => r.status === 'rolled-back');
  const done = names((r) => r.status === 'changed' || r.status === 'partial');
  const stuck = names((r) => r.status === 'rollback-failed' || Boolean(r.lockError));
  const lines = [`clawfleet: interrupted by ${sig}: run ${runId}`];
  lines.push(rolled.length ? `  rolled back, lock released: ${rolled.join(', ')}` : '  nothing was under way to roll back');
  if (done.length) lines.push(`  finished before the signal (kept): ${done.join(', ')}; to undo: clawfleet rollback ${runId} --limit ${done.join(',')}`);
  if (stuck.length) lines.push(`  NOT rolled back, see above: ${stuck.join(', ')}; clawfleet rollback ${runId} -y --limit ${stuck.join(',')}`);
  return lines.join('\n') + '\n';
}

export async function applyCommand(file: string | undefined, v: ApplyValues, out: NodeJS.WriteStream): Promise<number> {
  const format = formatOf(v);
  const opts = { ...sessionOptions(v), shard: shardOf(v) };
  const rollout = rolloutOf(v);
  // The sum a reviewer compares with the one in the reviewed Markdown plan.
  const showSum = (sha256: string) => (format === 'json' ? process.stderr : out).write(`plan file ${safeLine(file!)} sha256 ${sha256}\n`);
  const { session, plan: whole } = file ? await openSavedPlanFile(file, opts, v.inventory !== undefined, showSum) : await (async () => {
    const s = await openSession(opts, { verb: 'plan' });
    return { session: s, plan: toPlan(s) };
  })();
  const plan = markShard(whole, opts.shard);
  try {
    refuseStandInBootstrap(plan, session.nodes.map((n) => n.spec));
    // JSON output is one document: the results (with the run id) at the end, or the plan if nothing ran.
    if (format !== 'json') out.write(renderPlan(plan, format, out, v.diff !== false));
    const sum = planSummary(plan);
    if (format === 'json' && (sum.errors > 0 || sum.changes === 0)) out.write(renderPlan(plan, format, out, false));
    if (sum.errors > 0) {
      // Like a failed `terraform plan`: bad input anywhere means no change anywhere.
      const bad = plan.nodes.filter((n) => n.diagnostics.some((d) => d.severity === 'error')).map((n) => n.node);
      throw new ClawError('PLAN', `${bad.join(', ')}: plan has errors; nothing applied on any node (fix them, or leave ${bad.length === 1 ? 'that node' : 'those nodes'} out with --limit '!${bad[0]}')`);
    }
    if (sum.changes === 0) return 0;
    if (!v.yes) {
      if (!process.stdin.isTTY) throw new ClawError('USAGE', 'apply needs a terminal to confirm, or -y');
      if (!(await confirm(`\nApply ${sum.changes} change(s) on ${sum.changed} node(s)? Only "yes" is accepted: `))) {
        out.write('Apply cancelled: nothing changed.\n');
        return 1;
      }
    }
    const runId = newRunId();
    if (format === 'text') out.write(`\n${styleFor(out).dim(`run ${runId}`)}\n`);
    const stop = trapSignals(runId);
    let results: NodeResult[];
    let report: RolloutReport | null = null;
    try {
      const apply = (nodes: NodeSession[]) => runApply(nodes, runId, opts.parallel, Boolean(v.failFast), stop);
      if (rollout) ({ results, report } = await applyInWaves(session.nodes, rollout, apply, (line) => process.stderr.write(line + '\n')));
      else results = await apply(session.nodes);
    } finally {
      stop.release();
    }
    out.write(renderApplyResults(format, runId, results, { rollout: report, shard: opts.shard }, out));
    if (stop.signal) {
      process.stderr.write(interruptSummary(runId, stop.signal, results));
      return EXIT_FOR[stop.signal] ?? 1;
    }
    const code = results.every(nodeOk) ? 0 : 1;
    const again = file || v.afterBootstrap ? [] : bootstrapped(plan, results);
    if (again.length === 0) return code;
    await session.close();
    if (format === 'text') out.write(`\nbootstrap: OpenClaw is set up on ${again.join(', ')}: planning the baseline's layout, config and service there\n`);
    const second = await applyCommand(undefined, { ...v, limit: again, afterBootstrap: true }, out);
    return Math.max(code, second);
  } finally {
    await session.close();
  }
}

export function registerApply(program: Command, io: Io): void {
  const cmd = program
    .command('apply')
    .argument('[PLAN-FILE]', 'a plan saved by `clawfleet plan --out FILE`')
    .summary('apply the plan, with journal, backup and automatic rollback on failure')
    .description('Applies the plan (made now, or PLAN-FILE) to every selected node.')
    .option('-y, --yes', 'do not ask')
    .option('--fail-fast', 'after the first node fails, start no further node (running ones finish)')
    .option('--no-diff', 'do not show config diffs (text format)');
  withFormat(cmd, PLAN_FORMATS, 'text, json or markdown, for the plan shown and the results');
  withShard(cmd);
  withRollout(cmd);
  withCommon(cmd)
    .addHelpText('after', HELP_AFTER)
    .action(async (file: string | undefined, v: ApplyValues) => {
      io.code = await applyCommand(file, v, io.out);
    });
}
