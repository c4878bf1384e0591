import type { Command } from 'commander';
import { writePlanFile } from '../plan-file/io.js';
import { planSummary } from '../render/plan-text.js';
import { formatOf, sessionOptions, withCommon, withFormat, type CommonValues, type Io } from './options.js';
import { PLAN_FORMATS, renderPlan } from './output.js';
import { openSession, toPlan } from '../fleet/session.js';
import { markShard, shardOf, withShard, type ShardValues } from './rollout-options.js';

export interface PlanValues extends CommonValues, ShardValues {
  format?: string;
  json?: boolean;
  out?: string;
  diff?: boolean;
}

export async function planCommand(v: PlanValues, out: NodeJS.WriteStream): Promise<number> {
  const format = formatOf(v);
  const shard = shardOf(v);
  const session = await openSession({ ...sessionOptions(v), shard }, { verb: 'plan' });
  try {
    const plan = markShard(toPlan(session), shard);
    const planFile = v.out ? { name: v.out, sha256: await writePlanFile(v.out, plan) } : undefined;
    out.write(renderPlan(plan, format, out, v.diff !== false, planFile));
    const sum = planSummary(plan);
    return sum.errors > 0 ? 1 : sum.changes > 0 ? 2 : 0;
  } finally {
    await session.close();
  }
}

export function registerPlan(program: Command, io: Io): void {
  const cmd = program
    .command('plan')
    .summary('show what apply would change (exit 0 none, 2 changes, 1 error)')
    .description('Reads every selected node (read-only) and shows what apply would change.')
    .option('-o, --out <FILE>', 'also save the plan (JSON) for review and a later `clawfleet apply FILE`; the Markdown plan then shows the file\'s sha256, which `apply FILE` prints')
    .option('--no-diff', 'do not show config diffs (text format)');
  withShard(cmd);
  withFormat(cmd, PLAN_FORMATS, 'text (coloured on a terminal), json (schema/plan.schema.json) or markdown (a PR comment, under 65,536 characters)');
  withCommon(cmd)
    .addHelpText('after', '\nExit code: 0 nothing to do, 2 changes planned, 1 error (on any node).')
    .action(async (v: PlanValues) => {
      io.code = await planCommand(v, io.out);
    });
}
