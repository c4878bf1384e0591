import { dirname, relative } from 'node:path';
import type { Command } from 'commander';
import { createDemoFleet } from '../demo/demo-fleet.js';
import { NEW_NODE, newNodeInventoryPath } from '../demo/new-node.js';
import type { Io } from './options.js';
import { planCommand } from './plan.js';
import { ui } from '../terminal/ui.js';

const DEMO_AFTER = `
The fleet reproduces the reference scenario:
  t440    15 agents with auth-profiles.json, orphan dirs agents/main and agents/child-learning
  node02  lacks the memory, media, logs, browser sections and the /openclaw-data links
  node03  has only agents.defaults.memorySearch
  node04  like node02
Beside it, in new-node.yaml: ${NEW_NODE}, an empty dir standing in for a node with sshd alone, and its bootstrap
plan (what \`apply\` would do over SSH; \`apply\` refuses a dir, whose installs would run on this machine).`;

const rel = (p: string) => relative(process.cwd(), p) || p;

export async function demoCommand(dir: string, out: NodeJS.WriteStream): Promise<number> {
  const inv = await createDemoFleet(dir);
  out.write(`Demo fleet created: ${rel(inv)}\n\n`);
  const code = await planCommand({ inventory: inv }, out);
  const fresh = rel(newNodeInventoryPath(dirname(inv)));
  if (!ui.quiet) out.write(`\nA new node: what \`apply\` would do over SSH (${fresh}; a dir: \`apply\` refuses it)\n\n`);
  const freshCode = await planCommand({ inventory: newNodeInventoryPath(dirname(inv)) }, out);
  if (!ui.quiet)
    out.write(`
Next, try:
  clawfleet apply -i ${rel(inv)}            # shows the plan again, asks "yes", applies, journals
  clawfleet plan -i ${rel(inv)}             # converged: nothing to do (exit 0)
  clawfleet runs -i ${rel(inv)}             # the run recorded on each node (runs show RUN-ID: what it did)
  clawfleet rollback RUN-ID -i ${rel(inv)}  # back to the original bytes
  clawfleet plan -i ${fresh}              # the bare node's bootstrap plan (apply refuses a dir: exit 1)
`);
  return code === 1 || freshCode === 1 ? 1 : 0;
}

export function registerDemo(program: Command, io: Io): void {
  program
    .command('demo')
    .summary('create a local 4-node demo fleet and a bare fifth node, and plan them')
    .description(
      'Creates a local 4-node demo fleet (default dir: .demo-fleet) and runs `clawfleet plan` on it, then plans the bootstrap of a bare fifth node (new-node.yaml). No SSH server needed: each node is a dir. Running it again resets the fleet.',
    )
    .option('--dir <DIR>', 'where to create the demo fleet', '.demo-fleet')
    .addHelpText('after', DEMO_AFTER)
    .action(async (v: { dir: string }) => {
      io.code = await demoCommand(v.dir, io.out);
    });
}
