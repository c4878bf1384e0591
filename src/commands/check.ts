import { ClawError } from '../domain/errors.js';
import { renderCheck, CHECK_FORMATS, checkFormatOf, writeOutput } from '../watch/output.js';
import { runCheck } from '../watch/run-check.js';
import { waiversFor } from '../watch/waivers-file.js';
import { COMMON, COMMON_HELP, parse, sessionOptions } from './options.js';
import { openSession } from './session.js';
import { preflightReport } from './preflight-report.js';
import { SHARD_HELP, SHARD_OPTIONS, shardOf } from './rollout-options.js';

export const CHECK_HELP = `Usage: clawfleet check [options]

Drift check: a nodes × baseline-items matrix. Every item is ✓ (matches), ✗ (drifts, and what: dir, link,
config, conflict, agent-dir, owner: a path the gateway user cannot use, mode: a data dir more open than the
OpenClaw home, orphan ids), ? (cannot be judged, and why), ~ (drift accepted by a waiver) or
– (not an item of this node). Read-only, for a look at a glance or for cron; \`clawfleet watch\` alerts on change.
Exit code: 0 all nodes match, 2 drift, 1 a node or an item could not be checked.

  -f, --format F            ${CHECK_FORMATS}
  -o, --out FILE            write the output to FILE (atomically: temp file + rename) instead of stdout
      --waivers FILE        accepted drift with reason and expiry (default: waivers.yaml beside the inventory)
      --no-openclaw-checks  do not run OpenClaw's own doctor --lint / secrets audit on nodes that have them
      --target-version V    upgrade preflight instead: per node, what would block OpenClaw V (config keys
                            its validator rejects, symlinked state its doctor refuses) and what its doctor
                            changes by itself (legacy credential stores). Exit 0 nothing blocks, 2 something
                            does, 1 a node could not be checked (text or json).
${SHARD_HELP}

${COMMON_HELP}`;

export const CHECK_OPTIONS = {
  format: { type: 'string', short: 'f', default: 'text' },
  out: { type: 'string', short: 'o' },
  waivers: { type: 'string' },
  'no-openclaw-checks': { type: 'boolean', default: false },
} as const;

export async function checkCommand(args: string[], out: NodeJS.WriteStream): Promise<number> {
  const { values } = parse(args, { ...COMMON, ...SHARD_OPTIONS, ...CHECK_OPTIONS, 'target-version': { type: 'string' } });
  if (values.help) {
    out.write(CHECK_HELP + '\n');
    return 0;
  }
  const format = checkFormatOf(values.format);
  const target = values['target-version'];
  if (target !== undefined && !/^\d{4}\.\d{1,3}\.\d{1,3}$/.test(target)) throw new ClawError('USAGE', `--target-version must look like 2026.9.6, not "${target}"`);
  if (target !== undefined && format !== 'text' && format !== 'json') throw new ClawError('USAGE', `--target-version reports as text or json, not "${format}"`);
  const opts = sessionOptions(values);
  const shard = shardOf(values);
  const waivers = await waiversFor(opts.inventory, values.waivers);
  const session = await openSession({ ...opts, shard });
  try {
    if (target !== undefined) {
      const r = preflightReport(session.nodes, target);
      out.write(format === 'json' ? JSON.stringify(r.json, null, 2) + '\n' : r.text);
      return r.code;
    }
    const run = await runCheck(session, { waivers, now: new Date(), openclawChecks: !values['no-openclaw-checks'], parallel: opts.parallel, journals: format === 'html' });
    const result = shard ? Object.assign({}, run.result, { shard }) : run.result;
    await writeOutput(renderCheck(result, format, values.out ? { isTTY: false } : out, run.journals ? { html: { journals: run.journals } } : {}), values.out, out);
    return result.errors ? 1 : result.drift ? 2 : 0;
  } finally {
    await session.close();
  }
}
