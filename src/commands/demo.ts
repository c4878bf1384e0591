import { relative } from 'node:path';
import type { Command } from 'commander';
import { createDemoFleet } from '../demo/demo-fleet.js';
import type { Io } from './options.js';
import { planCommand } from './plan.js';
import { ui } from '../terminal/ui.js';

const DEMO_AFTER = `
The fleet reproduces the reference scenario:
  t440    15 agents with auth-profiles.json, orphan dirs agents/main and agents/child-learning
  node02  lacks the memory, media, logs, browser sections and the /openclaw-data links
  node03  has only agents.defaults.memorySearch
  node04  like node02`;

export async function demoCommand(dir: string, out: NodeJS.WriteStream): Promise<number> {
  const inv = await createDemoFleet(dir);
  const rel = relative(process.cwd(), inv) || inv;
  out.write(`Demo fleet created: ${rel}\n\n`);
  const code = await planCommand({ inventory: inv }, out);
  if (!ui.quiet)
    out.write(`
Next, try:
  clawfleet apply -i ${rel}            # shows the plan again, asks "yes", applies, journals
  clawfleet plan -i ${rel}             # converged: nothing to do (exit 0)
  clawfleet runs -i ${rel}             # the run recorded on each node (runs show RUN-ID: what it did)
  clawfleet rollback RUN-ID -i ${rel}  # back to the original bytes
`);
  return code === 1 ? 1 : 0;
}

export function registerDemo(program: Command, io: Io): void {
  program
    .command('demo')
    .summary('create a local 4-node demo fleet and plan it')
    .description(
      'Creates a local 4-node demo fleet (default dir: .demo-fleet) and runs `clawfleet plan` on it. No SSH server\nneeded: each node is a dir. Running it again resets the fleet.',
    )
    .option('--dir <DIR>', 'where to create the demo fleet', '.demo-fleet')
    .addHelpText('after', DEMO_AFTER)
    .action(async (v: { dir: string }) => {
      io.code = await demoCommand(v.dir, io.out);
    });
}
