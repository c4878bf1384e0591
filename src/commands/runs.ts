import type { Command } from 'commander';
import { ClawError } from '../domain/errors.js';
import { RUN_ID_RE } from '../executor/context.js';
import { parseJournal } from '../executor/journal.js';
import { breakLock } from '../executor/lock.js';
import { listRuns } from '../executor/rollback.js';
import { redactText } from '../shared/redact.js';
import { failureJson, failureLine } from '../render/node-failure.js';
import { renderRunDetail, runDetail, type RunDetail } from '../render/run-detail.js';
import { renderRuns } from '../render/runs-text.js';
import { safeLine } from '../render/safe-line.js';
import { styleFor } from '../terminal/style.js';
import { eachNode, type EachResult } from '../fleet/each-node.js';
import { formatOf, sessionOptions, withCommon, withFormat, type CommonValues, type Io } from './options.js';

interface RunsValues extends CommonValues {
  format?: string;
  json?: boolean;
}

const json = (kind: string, doc: object) => redactText(JSON.stringify({ format: kind, version: 1, ...doc }, null, 2)) + '\n';
const nodeJson = <T>(r: EachResult<T>, key: string) => (r.ok ? { node: r.node, [key]: r.value } : failureJson(r));

export async function runsCommand(v: RunsValues, out: NodeJS.WriteStream): Promise<number> {
  const results = await eachNode(sessionOptions(v), (w, paths) => listRuns(w, paths.stateDir));
  const failed = results.filter((r) => !r.ok).length;
  if (formatOf(v) === 'json') {
    out.write(json('clawfleet-runs', { nodes: results.map((r) => nodeJson(r, 'runs')) }));
    return failed ? 1 : 0;
  }
  out.write(renderRuns(results, styleFor(out)));
  return failed ? 1 : 0;
}

/** `runs show RUN-ID`: what one run did on each node that recorded it, from the node's own journal. */
export async function runShowCommand(runId: string, v: RunsValues, out: NodeJS.WriteStream): Promise<number> {
  if (!RUN_ID_RE.test(runId)) throw new ClawError('USAGE', `not a run id: "${runId}" (see: clawfleet runs)`);
  const results = await eachNode(sessionOptions(v), async (w, paths): Promise<RunDetail | null> => {
    const file = `${paths.stateDir}/runs/${runId}/journal.jsonl`;
    const text = (await w.probe({ read: [file] })).read[file];
    return text === undefined || text === null ? null : runDetail(runId, parseJournal(text));
  });
  const failed = results.filter((r) => !r.ok).length;
  const found = results.filter((r) => r.ok && r.value !== null).length;
  if (formatOf(v) === 'json') out.write(json('clawfleet-run', { runId, nodes: results.filter((r) => !r.ok || r.value !== null).map((r) => nodeJson(r, 'run')) }));
  else {
    const s = styleFor(out);
    for (const r of results) {
      if (!r.ok) out.write(failureLine(r, s) + '\n');
      else if (r.value) out.write(renderRunDetail(r.node, r.value, s));
    }
  }
  if (!found && !failed) throw new ClawError('NORUN', `no selected node has run ${runId}`);
  return failed ? 1 : 0;
}

export function registerRuns(program: Command, io: Io): void {
  const runs = program.command('runs').summary('list the runs recorded on each node; `runs show RUN-ID` for one').description('Lists the runs each selected node has recorded in its journal (oldest first), with their status.');
  withFormat(runs, ['text', 'json'], 'text (default) or json');
  withCommon(runs).action(async (v: RunsValues) => {
    io.code = await runsCommand(v, io.out);
  });
  const show = runs.command('show').argument('<RUN-ID>', 'a run id (see: clawfleet runs)').description("Shows what one run did on each node that recorded it: every action, in order, and its outcome, from the node's journal.");
  withFormat(show, ['text', 'json'], 'text (default) or json');
  // `runs` has the same options, and commander gives a parent's options to the parent: read them all.
  withCommon(show).action(async (runId: string, _v: RunsValues, cmd: Command) => {
    io.code = await runShowCommand(runId, cmd.optsWithGlobals<RunsValues>(), io.out);
  });
}

export async function unlockCommand(v: CommonValues & { run?: string }, out: NodeJS.WriteStream): Promise<number> {
  const s = styleFor(out);
  if (!v.run) throw new ClawError('USAGE', 'unlock needs --run RUN-ID (the holder named by the refusal)');
  const runId = v.run;
  const results = await eachNode(sessionOptions(v), (w) => breakLock(w, runId));
  let failed = 0;
  for (const r of results) {
    if (r.ok) out.write(`unlocked  ${r.node}: lock of run ${safeLine(String(r.value?.runId ?? runId))} released\n`);
    else {
      failed++;
      out.write(failureLine(r, s) + '\n');
    }
  }
  return failed > 0 ? 1 : 0;
}

export function registerUnlock(program: Command, io: Io): void {
  const cmd = program
    .command('unlock')
    .summary('release a stale node lock held by a dead run')
    .description(
      `Releases a node's stale lock (~/.clawfleet/lock/ of the login user), left by a run that died (like
\`terraform force-unlock\`: a lock is never broken implicitly). Only the lock held by RUN-ID is released, and
only when that run is dead: a holder whose process runs on this machine, or whose heartbeat still moves, is
alive and its lock is kept. A lock whose holder is unknown (a run died while taking it) is released by any
RUN-ID, e.g. \`--run unknown\`. If the dead run was an apply, undo what
it did with \`clawfleet rollback RUN-ID\`: the refusal that named the lock prints both commands.`,
    )
    .option('--run <RUN-ID>', 'the run holding the lock (named by the refusal)');
  withCommon(cmd).action(async (v: CommonValues & { run?: string }) => {
    io.code = await unlockCommand(v, io.out);
  });
}
