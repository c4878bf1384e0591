import type { Command } from 'commander';
import { baselineItems, driftMatrix, matrixToJson, renderMatrixText } from '../render/drift-matrix.js';
import { styleFor } from '../render/style.js';
import { formatOf, sessionOptions, withCommon, withFormat, type CommonValues, type Io } from './options.js';
import { openSession, toPlan } from './session.js';

interface CheckValues extends CommonValues {
  format?: string;
  json?: boolean;
}

export async function checkCommand(v: CheckValues, out: NodeJS.WriteStream): Promise<number> {
  const session = await openSession(sessionOptions(v), { verb: 'check' });
  try {
    const plan = toPlan(session);
    const items = [...new Set(session.nodes.flatMap((n) => baselineItems(n.baseline.baseline)))];
    const m = driftMatrix(plan, items);
    out.write(formatOf(v) === 'json' ? matrixToJson(m, plan.createdAt) : renderMatrixText(m, styleFor(out)));
    return m.errors ? 1 : m.drift ? 2 : 0;
  } finally {
    await session.close();
  }
}

export function registerCheck(program: Command, io: Io): void {
  const cmd = program
    .command('check')
    .summary('drift matrix: nodes × baseline items (exit 0 match, 2 drift, 1 error)')
    .description(
      `Drift check: a nodes × baseline-items matrix (✓ matches, ✗ drifts and what: link, dir, config, orphan ids;
? could not be checked). Read-only, for a look at a glance or for cron/alerting.`,
    );
  withFormat(cmd, ['text', 'json'], 'text (default) or json');
  withCommon(cmd)
    .addHelpText('after', '\nExit code: 0 all nodes match, 2 drift, 1 a node could not be checked.')
    .action(async (v: CheckValues) => {
      io.code = await checkCommand(v, io.out);
    });
}
