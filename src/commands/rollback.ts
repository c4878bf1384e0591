import { ClawError } from '../domain/errors.js';
import { rollbackRun } from '../executor/rollback.js';
import { COMMON, COMMON_HELP, parse, sessionOptions, whoAmI } from './options.js';
import { eachNode } from './each-node.js';
import { styleFor } from '../render/style.js';

export const ROLLBACK_HELP = `Usage: clawfleet rollback RUN-ID [options]

Undoes a past apply on every selected node that recorded it, from the node's own journal
(<dataRoot>/.clawfleet/runs/RUN-ID/): needs nothing from the machine that ran the apply.
Undo is idempotent: running it twice, or after an interrupted apply or rollback, is safe.
Exit code: 0 rolled back (or nothing left to undo), 1 error or no node has that run.

${COMMON_HELP}`;

export async function rollbackCommand(args: string[], out: NodeJS.WriteStream): Promise<number> {
  const { values, positionals } = parse(args, COMMON, true);
  if (values.help) {
    out.write(ROLLBACK_HELP + '\n');
    return 0;
  }
  if (positionals.length !== 1) throw new ClawError('USAGE', 'rollback takes exactly one run id (see: clawfleet runs)');
  const runId = positionals[0]!;
  const s = styleFor(out);
  const results = await eachNode(sessionOptions(values), async (w, paths, _spec, layout) => {
    const has = (await w.probe({ stat: [`${paths.stateDir}/runs/${runId}`] })).stat[`${paths.stateDir}/runs/${runId}`];
    if (has?.kind !== 'dir') return null;
    return rollbackRun(w, paths, runId, whoAmI(), layout);
  });
  let found = 0;
  let failed = 0;
  for (const r of results) {
    if (!r.ok) {
      failed++;
      out.write(`${s.red('failed')}    ${r.error}\n`);
    } else if (r.value === null) out.write(`${s.dim('-')}         ${r.node}: no run ${runId} here\n`);
    else {
      found++;
      const v = r.value;
      out.write(v.status === 'rolled-back' ? `${s.yellow('restored')}  ${r.node}: undid ${v.undone} action(s) of run ${runId}\n` : `${s.green('ok')}        ${r.node}: run ${runId} has nothing left to undo\n`);
    }
  }
  if (found === 0 && failed === 0) throw new ClawError('NORUN', `no selected node has run ${runId}`);
  return failed > 0 ? 1 : 0;
}
