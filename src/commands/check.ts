import type { Command } from 'commander';
import { ClawError } from '../domain/errors.js';
import { baselineItems, driftMatrix, matrixToJson, renderMatrixText } from '../render/drift-matrix.js';
import { styleFor } from '../render/style.js';
import { formatOf, sessionOptions, withCommon, withFormat, type CommonValues, type Io } from './options.js';
import { openSession, toPlan } from './session.js';
import { preflightReport } from './preflight-report.js';
import { shardOf, withShard, type ShardValues } from './rollout-options.js';

interface CheckValues extends CommonValues, ShardValues {
  format?: string;
  json?: boolean;
  targetVersion?: string;
}

export async function checkCommand(v: CheckValues, out: NodeJS.WriteStream): Promise<number> {
  const target = v.targetVersion;
  if (target !== undefined && !/^\d{4}\.\d{1,3}\.\d{1,3}$/.test(target)) throw new ClawError('USAGE', `--target-version must look like 2026.9.6, not "${target}"`);
  const format = formatOf(v);
  const shard = shardOf(v);
  const session = await openSession({ ...sessionOptions(v), shard }, { verb: 'check' });
  try {
    if (target !== undefined) {
      const r = preflightReport(session.nodes, target);
      out.write(format === 'json' ? JSON.stringify(r.json, null, 2) + '\n' : r.text);
      return r.code;
    }
    const plan = toPlan(session);
    const items = [...new Set(session.nodes.flatMap((n) => baselineItems(n.baseline.baseline)))];
    const m = driftMatrix(plan, items);
    out.write(format === 'json' ? matrixToJson(shard ? Object.assign({}, m, { shard }) : m, plan.createdAt) : renderMatrixText(m, styleFor(out)));
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
  withShard(cmd);
  cmd.option(
    '--target-version <V>',
    'upgrade preflight instead: per node, what would block OpenClaw V (config keys its validator rejects, symlinked state its doctor refuses) and what its doctor changes by itself (legacy credential stores). Exit 0 nothing blocks, 2 something does, 1 a node could not be checked.',
  );
  withCommon(cmd)
    .addHelpText('after', '\nExit code: 0 all nodes match, 2 drift, 1 a node could not be checked (with --target-version: 0 nothing blocks, 2 something does, 1 a node could not be checked).')
    .action(async (v: CheckValues) => {
      io.code = await checkCommand(v, io.out);
    });
}
