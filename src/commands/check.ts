import { ClawError } from '../domain/errors.js';
import { baselineItems, driftMatrix, matrixToJson, renderMatrixText } from '../render/drift-matrix.js';
import { styleFor } from '../render/style.js';
import { COMMON, COMMON_HELP, parse, sessionOptions } from './options.js';
import { openSession, toPlan } from './session.js';

export const CHECK_HELP = `Usage: clawfleet check [options]

Drift check: a nodes × baseline-items matrix (✓ matches, ✗ drifts and what: link, dir, config, orphan ids;
? could not be checked). Read-only, for a look at a glance or for cron/alerting.
Exit code: 0 all nodes match, 2 drift, 1 a node could not be checked.

  -f, --format F            text (default) or json

${COMMON_HELP}`;

export async function checkCommand(args: string[], out: NodeJS.WriteStream): Promise<number> {
  const { values } = parse(args, { ...COMMON, format: { type: 'string', short: 'f', default: 'text' } });
  if (values.help) {
    out.write(CHECK_HELP + '\n');
    return 0;
  }
  if (values.format !== 'text' && values.format !== 'json') throw new ClawError('USAGE', `--format must be text or json, not "${values.format}"`);
  const session = await openSession(sessionOptions(values));
  try {
    const plan = toPlan(session);
    const items = [...new Set(session.nodes.flatMap((n) => baselineItems(n.baseline.baseline)))];
    const m = driftMatrix(plan, items);
    out.write(values.format === 'json' ? matrixToJson(m, plan.createdAt) : renderMatrixText(m, styleFor(out)));
    return m.errors ? 1 : m.drift ? 2 : 0;
  } finally {
    await session.close();
  }
}
