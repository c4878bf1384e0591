import { listRuns } from '../executor/rollback.js';
import { breakLock } from '../executor/lock.js';
import { ClawError } from '../domain/errors.js';
import { renderRuns } from '../render/runs-text.js';
import { safeLine } from '../render/safe-line.js';
import { styleFor } from '../render/style.js';
import { COMMON, COMMON_HELP, parse, sessionOptions } from './options.js';
import { eachNode } from './each-node.js';

export const RUNS_HELP = `Usage: clawfleet runs [options]

Lists the runs each selected node has recorded in its journal (newest last), with their status.

${COMMON_HELP}`;

export async function runsCommand(args: string[], out: NodeJS.WriteStream): Promise<number> {
  const { values } = parse(args, COMMON);
  if (values.help) {
    out.write(RUNS_HELP + '\n');
    return 0;
  }
  const results = await eachNode(sessionOptions(values), (w, paths) => listRuns(w, paths.stateDir));
  out.write(renderRuns(results, styleFor(out)));
  return results.some((r) => !r.ok) ? 1 : 0;
}

export const UNLOCK_HELP = `Usage: clawfleet unlock --run RUN-ID [options]

Releases a node's stale lock (~/.clawfleet/lock/ of the login user), left by a run that died (like
\`terraform force-unlock\`: a lock is never broken implicitly). Only the lock held by RUN-ID is released, and
only when that run is dead: a holder whose process runs on this machine, or whose heartbeat still moves, is
alive and its lock is kept. A lock whose holder is unknown (a run died while taking it) is released by any
RUN-ID, e.g. \`--run unknown\`. If the dead run was an apply, undo what
it did with \`clawfleet rollback RUN-ID\`: the refusal that named the lock prints both commands.

${COMMON_HELP}`;

export async function unlockCommand(args: string[], out: NodeJS.WriteStream): Promise<number> {
  const { values } = parse(args, { ...COMMON, run: { type: 'string' } });
  if (values.help) {
    out.write(UNLOCK_HELP + '\n');
    return 0;
  }
  if (!values.run) throw new ClawError('USAGE', 'unlock needs --run RUN-ID (the holder named by the refusal)');
  const runId = values.run;
  const results = await eachNode(sessionOptions(values), (w) => breakLock(w, runId));
  let failed = 0;
  for (const r of results) {
    if (r.ok) out.write(`unlocked  ${r.node}: lock of run ${safeLine(String(r.value?.runId ?? runId))} released\n`);
    else {
      failed++;
      out.write(`failed    ${safeLine(r.error)}\n`);
    }
  }
  return failed > 0 ? 1 : 0;
}
