import { relative } from 'node:path';
import { createDemoFleet } from '../demo/demo-fleet.js';
import { parse } from './options.js';
import { planCommand } from './plan.js';

export const DEMO_HELP = `Usage: clawfleet demo [--dir DIR]

Creates a local 4-node demo fleet reproducing the reference scenario (default dir: .demo-fleet) and
runs \`clawfleet plan\` on it. No SSH server needed: each node is a dir. Running it again resets the fleet.
  t440    15 agents with auth-profiles.json, orphan dirs agents/main and agents/child-learning
  node02  lacks the memory, media, logs, browser sections and the /openclaw-data links
  node03  has only agents.defaults.memorySearch
  node04  like node02`;

export async function demoCommand(args: string[], out: NodeJS.WriteStream): Promise<number> {
  const { values } = parse(args, { dir: { type: 'string', default: '.demo-fleet' }, help: { type: 'boolean', short: 'h', default: false } });
  if (values.help) {
    out.write(DEMO_HELP + '\n');
    return 0;
  }
  const inv = await createDemoFleet(values.dir!);
  const rel = relative(process.cwd(), inv) || inv;
  out.write(`Demo fleet created: ${rel}\n\n`);
  const code = await planCommand(['--inventory', inv], out);
  out.write(`
Next, try:
  node dist/cli.js apply -i ${rel}            # shows the plan again, asks "yes", applies, journals
  node dist/cli.js plan -i ${rel}             # converged: nothing to do (exit 0)
  node dist/cli.js runs -i ${rel}             # the run recorded on each node
  node dist/cli.js rollback RUN-ID -i ${rel}  # back to the original bytes
`);
  return code === 1 ? 1 : 0;
}
