import { ClawError } from '../../domain/errors.js';
import { gatewayEnv, runAsWords } from '../../shared/bootstrap-paths.js';
import { shQuote } from '../../transport/sh-quote.js';
import { checkHealth } from '../health-gate.js';
import { runScript, type BootOp } from './op.js';

/**
 * The start command's environment: OpenClaw's home and config named, OPENCLAW_CONFIG_READONLY=1 when asked;
 * run as the gateway's user `runAs` when the plan names one (runuser keeps the environment).
 */
export function startScript(command: string, home: string, config: string, readonly: boolean, port: number, runAs?: string): string {
  const env = [gatewayEnv({ home, config, port }), ...(readonly ? ['OPENCLAW_CONFIG_READONLY=1'] : [])];
  const run = `/bin/sh -c ${shQuote(command)}`;
  if (runAs === undefined) return `${env.join(' ')} ${run} </dev/null >/dev/null 2>&1`;
  return `cd / && ${env.join(' ')} ${runAsWords(runAs)}${run} </dev/null >/dev/null 2>&1`;
}

/** Starts the gateway (systemd unit, or the inventory's start command), then waits for its health check. */
export const startService: BootOp<'start-service'> = {
  async act(ctx, a, op) {
    if (op.systemd) await runScript(ctx, 'systemctl enable --now', 'systemctl enable openclaw-gateway.service && systemctl restart openclaw-gateway.service', a.path);
    else await runScript(ctx, 'the start command', startScript(op.command!, ctx.layout.home, op.config, op.readonly, op.port, op.runAs), a.path);
    const h = await checkHealth(ctx.writer, ctx.journal, op.health);
    if (!h.ok) {
      const why = h.output.split('\n').pop() || 'no output';
      throw new ClawError('UNHEALTHY', `the gateway did not answer ${h.command} within ${op.health.deadlineS}s (${h.attempts} tries; last: ${why})`, { node: ctx.node });
    }
  },
  async undo(ctx, u) {
    if (u.op === 'start-service-systemd') {
      await ctx.writer.exec('systemctl disable --now openclaw-gateway.service');
      return {};
    }
    return { notes: ['the gateway the start command started (if it did) keeps running: stop it by hand'] };
  },
  describeUndo: (u) => (u.op === 'start-service-systemd' ? 'systemctl disable --now openclaw-gateway' : 'nothing: a gateway the start command started keeps running'),
};
