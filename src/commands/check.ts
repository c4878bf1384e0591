import type { Command } from 'commander';
import { ClawError } from '../domain/errors.js';
import { renderCheck, CHECK_FORMATS, checkFormatOf, writeOutput, type CheckFormat } from '../watch/output.js';
import { runCheck } from '../watch/run-check.js';
import { waiversFor } from '../watch/waivers-file.js';
import { sessionOptions, withCommon, withFormat, type CommonValues, type Io } from './options.js';
import { openSession } from '../fleet/session.js';
import { preflightReport } from './preflight-report.js';
import { shardOf, withShard, type ShardValues } from './rollout-options.js';

/** The options `check` and `watch` share: output format and file, waivers, OpenClaw's own checks. */
export interface CheckOutputValues {
  format?: string;
  json?: boolean;
  out?: string;
  waivers?: string;
  /** false with --no-openclaw-checks */
  openclawChecks?: boolean;
}

interface CheckValues extends CommonValues, ShardValues, CheckOutputValues {
  targetVersion?: string;
  requireCredentials?: boolean;
}

export const checkFormat = (v: CheckOutputValues): CheckFormat => checkFormatOf(v.json ? 'json' : v.format);

export function withCheckOutput(cmd: Command): Command {
  withFormat(cmd, ['text', 'json', 'prometheus', 'html'], CHECK_FORMATS.replace(/\s+/g, ' '));
  return cmd
    .option('-o, --out <FILE>', 'write the output to FILE (atomically: temp file + rename) instead of stdout')
    .option('--waivers <FILE>', 'accepted drift with reason and expiry (default: waivers.yaml beside the inventory)')
    .option('--no-openclaw-checks', "do not run OpenClaw's own doctor --lint / secrets audit on nodes that have them");
}

export async function checkCommand(v: CheckValues, out: NodeJS.WriteStream): Promise<number> {
  const format = checkFormat(v);
  const target = v.targetVersion;
  if (target !== undefined && !/^\d{4}\.\d{1,3}\.\d{1,3}$/.test(target)) throw new ClawError('USAGE', `--target-version must look like 2026.9.6, not "${target}"`);
  if (target !== undefined && format !== 'text' && format !== 'json') throw new ClawError('USAGE', `--target-version reports as text or json, not "${format}"`);
  const opts = sessionOptions(v);
  const shard = shardOf(v);
  const waivers = await waiversFor(opts.inventory, v.waivers);
  const session = await openSession({ ...opts, shard }, { verb: 'check' });
  try {
    if (target !== undefined) {
      const r = preflightReport(session.nodes, target);
      out.write(format === 'json' ? JSON.stringify(r.json, null, 2) + '\n' : r.text);
      return r.code;
    }
    const run = await runCheck(session, { waivers, now: new Date(), openclawChecks: v.openclawChecks !== false, parallel: opts.parallel, journals: format === 'html', requireCredentials: v.requireCredentials === true });
    const result = shard ? Object.assign({}, run.result, { shard }) : run.result;
    await writeOutput(renderCheck(result, format, v.out ? { isTTY: false } : out, run.journals ? { html: { journals: run.journals } } : {}), v.out, out);
    return result.errors ? 1 : result.drift ? 2 : 0;
  } finally {
    await session.close();
  }
}

export function registerCheck(program: Command, io: Io): void {
  const cmd = program
    .command('check')
    .summary('drift matrix: nodes × baseline items (exit 0 match, 2 drift, 1 error)')
    .description(
      `Drift check: a nodes × baseline-items matrix. Every item is ✓ (matches), ✗ (drifts, and what: dir, link, config, conflict, agent-dir, owner: a path the gateway user cannot use, mode: a data dir more open than the OpenClaw home, orphan ids), ? (cannot be judged, and why), ~ (drift accepted by a waiver) or – (not an item of this node). Under the matrix, \`!\` lists the inventory's agents that have no credentials (ids and store paths only): a note that leaves the exit code alone, unless --require-credentials. Read-only, for a look at a glance or for cron; \`clawfleet watch\` alerts on change.`,
    );
  withCheckOutput(cmd);
  withShard(cmd);
  cmd.option(
    '--target-version <V>',
    'upgrade preflight instead: per node, what would block OpenClaw V (config keys its validator rejects, symlinked state its doctor refuses) and what its doctor changes by itself (legacy credential stores). Exit 0 nothing blocks, 2 something does, 1 a node could not be checked (text or json).',
  );
  cmd.option(
    '--require-credentials',
    "listed agents without credentials are drift (a credentials column, exit 2) instead of a note (`! node: agents without credentials: …`), which does not change the exit code",
  );
  withCommon(cmd)
    .addHelpText('after', '\nExit code: 0 all nodes match, 2 drift, 1 a node or an item could not be checked (with --target-version: 0 nothing blocks, 2 something does, 1 a node could not be checked).')
    .action(async (v: CheckValues) => {
      io.code = await checkCommand(v, io.out);
    });
}
