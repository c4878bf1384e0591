import type { Command } from 'commander';
import { ClawError, nodeFailure, type NodeFailure, type NodeOutcome } from '../domain/errors.js';
import type { NodePaths } from '../domain/plan.js';
import { RUN_ID_RE } from '../executor/context.js';
import { previewRollback, rollbackRun, type RollbackPreview, type RollbackResult } from '../executor/rollback.js';
import { layoutFor } from '../shared/layout.js';
import { failureLine } from '../render/node-failure.js';
import { safeLine } from '../render/safe-line.js';
import type { PlannedLayout } from '../executor/journal-trust.js';
import { eachLimit } from '../terminal/progress.js';
import { styleFor } from '../terminal/style.js';
import { openNode } from '../transport/open-node.js';
import type { NodeWriter } from '../transport/types.js';
import { confirm } from './confirm.js';
import { sessionOptions, whoAmI, withCommon, type CommonValues, type Io } from './options.js';
import { loadAll } from '../fleet/session.js';

export interface RollbackValues extends CommonValues {
  yes?: boolean;
  dryRun?: boolean;
  chain?: boolean;
  forceConfig?: boolean;
}

interface Opened {
  node: string;
  w: NodeWriter | null;
  paths: NodePaths | null;
  preview: RollbackPreview | null;
  planned?: PlannedLayout;
  failure?: NodeFailure;
}

function showPreview(p: RollbackPreview, s: ReturnType<typeof styleFor>): string {
  if (p.refusals.length) return p.refusals.map((r) => failureLine({ node: p.node, ok: false, error: r }, s, 'refused')).join('\n') + '\n';
  if (p.runs.length === 0) return `${s.dim('-')}         ${p.node}: run ${p.runId} has nothing left to undo\n`;
  const lines = p.runs.flatMap((r) => [`  ${s.bold(p.node)}: run ${safeLine(r.runId)}, ${r.touches.length} action(s), newest first:`, ...r.touches.map((t) => `    ${safeLine(t.what)}`)]);
  return lines.join('\n') + '\n';
}

function showResult(r: RollbackResult, s: ReturnType<typeof styleFor>): string {
  if (r.status === 'nothing-to-undo') {
    return `${s.green('ok')}        ${r.node}: run ${r.runId} has nothing left to undo${r.releasedLock ? ' (its lock, left by the dead run, released)' : ''}\n`;
  }
  const out: string[] = [];
  for (const run of r.runs) {
    out.push(`${s.yellow('restored')}  ${r.node}: undid ${run.undone.length} action(s) of run ${safeLine(run.runId)}`);
    for (const u of run.undone) {
      if (u.outcome.carried?.length) out.push(`            carried over into the live dir (written after the apply): ${safeLine(u.outcome.carried.join(', '))}`);
      for (const n of u.outcome.notes ?? []) out.push(`            ${safeLine(n)}`);
    }
  }
  return out.join('\n') + '\n';
}

export async function rollbackCommand(runId: string, v: RollbackValues, out: NodeJS.WriteStream): Promise<number> {
  if (!RUN_ID_RE.test(runId)) throw new ClawError('USAGE', `not a run id: "${runId}" (see: clawfleet runs)`);
  const opts = { chain: Boolean(v.chain), forceConfig: Boolean(v.forceConfig) };
  const session = sessionOptions(v);
  const s = styleFor(out);
  const { specs, baselines } = await loadAll(session);
  const nodes = await eachLimit(specs, session.parallel, async (spec): Promise<Opened> => {
    let w: NodeWriter | null = null;
    try {
      w = await openNode(spec, session);
      const l = layoutFor(baselines.get(spec.baseline)!.baseline, spec, await w.home());
      const paths = { home: l.home, dataRoot: l.dataRoot, attic: l.attic, stateDir: l.stateDir };
      return { node: spec.name, w, paths, preview: await previewRollback(w, paths, runId, { ...opts, planned: l }), planned: l };
    } catch (e) {
      return { node: spec.name, w, paths: null, preview: null, failure: nodeFailure(spec.name, e) };
    }
  });
  try {
    let failed = 0;
    for (const n of nodes) {
      if (n.failure) {
        failed++;
        out.write(failureLine(n.failure, s) + '\n');
      } else if (n.preview === null) out.write(`${s.dim('-')}         ${n.node}: no run ${runId} here\n`);
      else {
        if (n.preview.refusals.length) failed++;
        out.write(showPreview(n.preview, s));
      }
    }
    const found = nodes.filter((n) => n.preview !== null);
    if (found.length === 0 && failed === 0) throw new ClawError('NORUN', `no selected node has run ${runId}`);
    if (failed > 0) {
      out.write(`\nRollback refused: nothing changed on any node.\n`);
      return 1;
    }
    if (v.dryRun) return 0;
    // Something to undo, or a dead run's lock to release: both change the node, so both are confirmed.
    const todo = found.reduce((k, n) => k + n.preview!.runs.reduce((a, r) => a + r.touches.length, 0), 0);
    if (todo > 0 && !v.yes) {
      if (!process.stdin.isTTY) throw new ClawError('USAGE', 'rollback needs a terminal to confirm, or -y');
      if (!(await confirm(`\nUndo ${todo} action(s) on ${found.filter((n) => n.preview!.runs.length).length} node(s)? Only "yes" is accepted: `))) {
        out.write('Rollback cancelled: nothing changed.\n');
        return 1;
      }
    }
    const results = await eachLimit(found, session.parallel, async (n): Promise<NodeOutcome<RollbackResult>> => {
      try {
        return { node: n.node, ok: true, value: await rollbackRun(n.w!, n.paths!, runId, whoAmI(), { ...opts, planned: n.planned }) };
      } catch (e) {
        return nodeFailure(n.node, e);
      }
    });
    for (const r of results) {
      if (r.ok) out.write(showResult(r.value, s));
      else {
        failed++;
        out.write(failureLine(r, s) + '\n');
      }
    }
    return failed > 0 ? 1 : 0;
  } finally {
    await Promise.all(nodes.map((n) => n.w?.close().catch(() => undefined)));
  }
}

export function registerRollback(program: Command, io: Io): void {
  const cmd = program
    .command('rollback')
    .argument('<RUN-ID>', 'the run to undo (see: clawfleet runs)')
    .summary("undo a past run from the nodes' own journals")
    .description(
      `Undoes a past apply on every selected node that recorded it, from the node's own journal
(<dataRoot>/.clawfleet/runs/RUN-ID/): needs nothing from the machine that ran the apply. Shows what it will
touch on each node, then asks for confirmation ("yes") on a terminal, like apply; without one it refuses
unless -y is given.
Rollback restores layout and config, never the past of the data: a dir that became a link is a real dir
again holding the target's current contents (what the gateway wrote after the apply is carried over and
listed). A config changed after the apply is not restored (the diff is shown) unless --force-config.
A run that later runs built on (later runs on that node, not rolled back) is refused, naming them;
--chain rolls back those later runs first, newest first, then RUN-ID.
Undo is idempotent: running it twice, or after an interrupted apply or rollback, is safe.`,
    )
    .option('-y, --yes', 'do not ask')
    .option('--dry-run', 'print what rollback would touch on each node, change nothing')
    .option('--chain', 'also roll back the later runs that built on RUN-ID, newest first')
    .option('--force-config', 'restore configs changed after the apply (the current file is kept aside)');
  withCommon(cmd)
    .addHelpText('after', '\nExit code: 0 rolled back (or nothing left to undo, or --dry-run), 1 error, refused, or no node has that run.')
    .action(async (runId: string, v: RollbackValues) => {
      io.code = await rollbackCommand(runId, v, io.out);
    });
}
