import { writePlanFile } from '../plan-file/io.js';
import { planSummary } from '../render/plan-text.js';
import { COMMON, COMMON_HELP, parse, sessionOptions } from './options.js';
import { FORMAT_OPTIONS, formatOf, renderPlan } from './output.js';
import { openSession, toPlan } from './session.js';
import { markShard, SHARD_HELP, SHARD_OPTIONS, shardOf } from './rollout-options.js';

export const PLAN_HELP = `Usage: clawfleet plan [options]

Reads every selected node (read-only) and shows what apply would change.
Exit code: 0 nothing to do, 2 changes planned, 1 error (on any node).

  -f, --format F            text (default, coloured on a terminal), json (schema/plan.schema.json)
                            or markdown (a pull-request comment, under 65,536 characters)
  -o, --out FILE            also save the plan (JSON) for review and a later \`clawfleet apply FILE\`;
                            the Markdown plan then shows the file's sha256, which \`apply FILE\` prints
      --no-diff             do not show config diffs (text format)
${SHARD_HELP}

${COMMON_HELP}`;

export async function planCommand(args: string[], out: NodeJS.WriteStream): Promise<number> {
  const { values } = parse(args, { ...COMMON, ...FORMAT_OPTIONS, ...SHARD_OPTIONS, out: { type: 'string', short: 'o' } });
  if (values.help) {
    out.write(PLAN_HELP + '\n');
    return 0;
  }
  const format = formatOf(values.format);
  const shard = shardOf(values);
  const session = await openSession({ ...sessionOptions(values), shard });
  try {
    const plan = markShard(toPlan(session), shard);
    const planFile = values.out ? { name: values.out, sha256: await writePlanFile(values.out, plan) } : undefined;
    out.write(renderPlan(plan, format, out, !values['no-diff'], planFile));
    const sum = planSummary(plan);
    return sum.errors > 0 ? 1 : sum.changes > 0 ? 2 : 0;
  } finally {
    await session.close();
  }
}
