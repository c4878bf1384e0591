import { planSummary, renderPlanText } from '../render/plan-text.js';
import { styleFor } from '../render/style.js';
import { COMMON, COMMON_HELP, parse, sessionOptions } from './options.js';
import { openSession, toPlan } from './session.js';

export const PLAN_HELP = `Usage: clawfleet plan [options]

Reads every selected node (read-only) and shows what apply would change.
Exit code: 0 nothing to do, 2 changes planned, 1 error (on any node).

  --no-diff                 do not show config diffs

${COMMON_HELP}`;

export async function planCommand(args: string[], out: NodeJS.WriteStream): Promise<number> {
  const { values } = parse(args, { ...COMMON, 'no-diff': { type: 'boolean', default: false } });
  if (values.help) {
    out.write(PLAN_HELP + '\n');
    return 0;
  }
  const session = await openSession(sessionOptions(values));
  try {
    const plan = toPlan(session);
    out.write(renderPlanText(plan, styleFor(out), { diffs: !values['no-diff'] }));
    const sum = planSummary(plan);
    return sum.errors > 0 ? 1 : sum.changes > 0 ? 2 : 0;
  } finally {
    await session.close();
  }
}
