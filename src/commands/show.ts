import type { Command } from 'commander';
import { readPlanFile } from '../plan-file/io.js';
import { planSummary } from '../render/plan-text.js';
import { formatOf, withFormat, type Io } from './options.js';
import { PLAN_FORMATS, renderPlan } from './output.js';

interface ShowValues {
  format?: string;
  json?: boolean;
  diff?: boolean;
}

/** `show PLANFILE`: a saved plan, rendered like `plan` renders a fresh one; no node is contacted. */
export async function showCommand(file: string, v: ShowValues, out: NodeJS.WriteStream): Promise<number> {
  const { plan } = await readPlanFile(file);
  out.write(renderPlan(plan, formatOf(v), out, v.diff !== false));
  const sum = planSummary(plan);
  return sum.errors > 0 ? 1 : sum.changes > 0 ? 2 : 0;
}

export function registerShow(program: Command, io: Io): void {
  const cmd = program
    .command('show')
    .argument('<PLAN-FILE>', 'a plan saved by `clawfleet plan --out FILE`')
    .summary('show a saved plan file (text, markdown or json) without contacting any node')
    .description('Shows a saved plan, like `terraform show PLANFILE`: the same text, Markdown or JSON that `plan` printed.')
    .option('--no-diff', 'do not show config diffs (text format)');
  withFormat(cmd, PLAN_FORMATS, 'text (default), json or markdown')
    .addHelpText('after', "\nExit code: as the plan's: 0 nothing to do, 2 changes, 1 errors (or an unreadable file).")
    .action(async (file: string, v: ShowValues) => {
      io.code = await showCommand(file, v, io.out);
    });
}
