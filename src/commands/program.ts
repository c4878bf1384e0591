import { Command, Help, type Option } from 'commander';
import { setColorMode } from '../terminal/style.js';
import { registerApply } from './apply.js';
import { registerCheck } from './check.js';
import { registerCompletion } from './completion.js';
import { registerDemo } from './demo.js';
import { registerMerge } from './merge.js';
import type { Io } from './options.js';
import { registerPlan } from './plan.js';
import { registerRollback } from './rollback.js';
import { registerRuns, registerUnlock } from './runs.js';
import { registerShow } from './show.js';
import { ui } from '../terminal/ui.js';
import { registerWatch } from './watch.js';
import { clawfleetVersion } from './version.js';

/** Option terms as ssh and Terraform print them: `-i, --inventory FILE`. */
class ClawHelp extends Help {
  override optionTerm(o: Option): string {
    return o.flags.replace(/[<[]([^>\]]+)[>\]]/g, '$1');
  }
}

/**
 * The whole command line: commander parses, validates choices, suggests the nearest command or option for
 * a typo, and prints help; each command module registers itself. Nothing here exits the process.
 */
export function buildProgram(io: Io): Command {
  const program = new Command('clawfleet')
    .description('Keep a fleet of OpenClaw nodes on one baseline, over plain SSH.')
    .usage('<command> [options]')
    .version(clawfleetVersion(), '-V, --version', 'print the version')
    .option('-v, --verbose', 'more detail: per-node progress lines, per-action lines of an apply, stack traces')
    .option('-q, --quiet', 'no progress and no notes; results and errors only')
    .option('--color', 'colour even without a terminal (also FORCE_COLOR=1)')
    .option('--no-color', 'no colour (also NO_COLOR=1)')
    .helpCommand('help [command]', 'show help for a command')
    .addHelpText('after', '\nRun "clawfleet help <command>" (or "clawfleet <command> --help") for a command\'s options.')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out.write(s), writeErr: (s) => process.stderr.write(s), outputError: () => undefined });
  program.configureHelp({ showGlobalOptions: true });
  program.createHelp = () => Object.assign(new ClawHelp(), program.configureHelp());
  program.hook('preAction', (_this, action) => {
    const g = action.optsWithGlobals() as { verbose?: boolean; quiet?: boolean; color?: boolean };
    ui.verbose = Boolean(g.verbose);
    ui.quiet = Boolean(g.quiet) && !g.verbose;
    setColorMode(g.color === true ? 'always' : g.color === false ? 'never' : 'auto');
  });
  for (const register of [registerPlan, registerApply, registerShow, registerCheck, registerWatch, registerRollback, registerRuns, registerUnlock, registerMerge, registerDemo, registerCompletion]) register(program, io);
  // Every subcommand: the same help style, errors through the program, no process.exit.
  const all = (c: Command): Command[] => [c, ...c.commands.flatMap(all)];
  for (const c of all(program).slice(1)) {
    c.exitOverride().showSuggestionAfterError(true);
    c.configureOutput(program.configureOutput());
    c.createHelp = program.createHelp;
    c.configureHelp({ showGlobalOptions: true });
  }
  return program;
}
