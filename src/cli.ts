#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { applyCommand, APPLY_HELP } from './commands/apply.js';
import { checkCommand, CHECK_HELP } from './commands/check.js';
import { demoCommand, DEMO_HELP } from './commands/demo.js';
import { mergeCommand, MERGE_HELP } from './commands/merge.js';
import { planCommand, PLAN_HELP } from './commands/plan.js';
import { rollbackCommand, ROLLBACK_HELP } from './commands/rollback.js';
import { runsCommand, RUNS_HELP, unlockCommand, UNLOCK_HELP } from './commands/runs.js';
import { watchCommand, WATCH_HELP } from './commands/watch.js';
import { errorMessage } from './domain/errors.js';
import { safeLine } from './render/safe-line.js';

type Command = (args: string[], out: NodeJS.WriteStream) => Promise<number>;

const COMMANDS: Record<string, { run: Command; help: string; summary: string }> = {
  plan: { run: planCommand, help: PLAN_HELP, summary: 'show what apply would change (exit 0 none, 2 changes, 1 error)' },
  apply: { run: applyCommand, help: APPLY_HELP, summary: 'apply the plan, with journal, backup and automatic rollback on failure' },
  check: { run: checkCommand, help: CHECK_HELP, summary: 'drift matrix: nodes × baseline items (exit 0 match, 2 drift, 1 error)' },
  watch: { run: watchCommand, help: WATCH_HELP, summary: 'check on a schedule; notify on change (drift, resolved, unreachable, credentials)' },
  rollback: { run: rollbackCommand, help: ROLLBACK_HELP, summary: 'undo a past run from the nodes\' own journals' },
  runs: { run: runsCommand, help: RUNS_HELP, summary: 'list the runs recorded on each node' },
  unlock: { run: unlockCommand, help: UNLOCK_HELP, summary: 'release a stale node lock held by a dead run' },
  merge: { run: mergeCommand, help: MERGE_HELP, summary: 'join the -f json results of sharded runs (--shard i/N) into one result and exit code' },
  demo: { run: demoCommand, help: DEMO_HELP, summary: 'create a local 4-node demo fleet and plan it' },
};

export const MAIN_HELP = `clawfleet: keep a fleet of OpenClaw nodes on one baseline, over plain SSH.

Usage: clawfleet <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([n, c]) => `  ${n.padEnd(9)} ${c.summary}`)
  .join('\n')}

Run "clawfleet <command> --help" for a command's options.`;

export async function main(argv: string[], out: NodeJS.WriteStream = process.stdout): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    out.write(MAIN_HELP + '\n');
    return cmd ? 0 : 1;
  }
  const c = COMMANDS[cmd];
  if (!c) {
    process.stderr.write(`clawfleet: unknown command "${safeLine(cmd)}" (see clawfleet --help)\n`);
    return 1;
  }
  try {
    return await c.run(rest, out);
  } catch (e) {
    process.stderr.write(`clawfleet ${cmd}: ${safeLine(errorMessage(e))}\n`);
    if (process.env.CLAWFLEET_DEBUG) process.stderr.write(String((e as Error).stack) + '\n');
    return 1;
  }
}

/** Run as a program (also through a symlink, as npm installs `bin`), not imported by a test. */
function isEntry(): boolean {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntry()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`clawfleet: ${safeLine(errorMessage(e))}\n`);
      process.exitCode = 1;
    },
  );
}
