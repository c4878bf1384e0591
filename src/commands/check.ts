import { ClawError } from '../domain/errors.js';
import { baselineItems, driftMatrix, matrixToJson, renderMatrixText } from '../render/drift-matrix.js';
import { styleFor } from '../render/style.js';
import { COMMON, COMMON_HELP, parse, sessionOptions } from './options.js';
import { openSession, toPlan } from './session.js';
import { preflightReport } from './preflight-report.js';
import { SHARD_HELP, SHARD_OPTIONS, shardOf } from './rollout-options.js';

export const CHECK_HELP = `Usage: clawfleet check [options]

Drift check: a nodes × baseline-items matrix (✓ matches, ✗ drifts and what: link, dir, config, orphan ids;
? could not be checked). Read-only, for a look at a glance or for cron/alerting.
Exit code: 0 all nodes match, 2 drift, 1 a node could not be checked.

  -f, --format F            text (default) or json
      --target-version V    upgrade preflight instead: per node, what would block OpenClaw V (config keys
                            its validator rejects, symlinked state its doctor refuses) and what its doctor
                            changes by itself (legacy credential stores). Exit 0 nothing blocks, 2 something
                            does, 1 a node could not be checked.
${SHARD_HELP}

${COMMON_HELP}`;

export async function checkCommand(args: string[], out: NodeJS.WriteStream): Promise<number> {
  const { values } = parse(args, { ...COMMON, ...SHARD_OPTIONS, format: { type: 'string', short: 'f', default: 'text' }, 'target-version': { type: 'string' } });
  if (values.help) {
    out.write(CHECK_HELP + '\n');
    return 0;
  }
  if (values.format !== 'text' && values.format !== 'json') throw new ClawError('USAGE', `--format must be text or json, not "${values.format}"`);
  const target = values['target-version'];
  if (target !== undefined && !/^\d{4}\.\d{1,3}\.\d{1,3}$/.test(target)) throw new ClawError('USAGE', `--target-version must look like 2026.9.6, not "${target}"`);
  const shard = shardOf(values);
  const session = await openSession({ ...sessionOptions(values), shard });
  try {
    if (target !== undefined) {
      const r = preflightReport(session.nodes, target);
      out.write(values.format === 'json' ? JSON.stringify(r.json, null, 2) + '\n' : r.text);
      return r.code;
    }
    const plan = toPlan(session);
    const items = [...new Set(session.nodes.flatMap((n) => baselineItems(n.baseline.baseline)))];
    const m = driftMatrix(plan, items);
    out.write(values.format === 'json' ? matrixToJson(shard ? Object.assign({}, m, { shard }) : m, plan.createdAt) : renderMatrixText(m, styleFor(out)));
    return m.errors ? 1 : m.drift ? 2 : 0;
  } finally {
    await session.close();
  }
}
