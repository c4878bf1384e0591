import type { Command } from 'commander';
import { ClawError } from '../domain/errors.js';
import { loadFleetSecret, defaultSecretFile } from '../sentinel/fleet-secret.js';
import { styleFor } from '../terminal/style.js';
import { DEFAULT_RETRY } from '../watch/notify/deliver.js';
import { commandNotifier, httpNotifier, type Notifier } from '../watch/notify/notifiers.js';
import { eventLine } from '../watch/notify/payloads.js';
import { renderCheck, writeOutput } from '../watch/output.js';
import { defaultStateFile } from '../watch/state-file.js';
import { waiversFor } from '../watch/waivers-file.js';
import { watchOnce, type WatchRun } from '../watch/watch-run.js';
import { checkFormat, withCheckOutput, type CheckOutputValues } from './check.js';
import { positiveInt, sessionOptions, withCommon, type CommonValues, type Io } from './options.js';

interface WatchValues extends CommonValues, CheckOutputValues {
  webhook?: string[];
  slack?: string[];
  discord?: string[];
  notifyCommand?: string[];
  retries?: string;
  retryDelay?: string;
  notifyTimeout?: string;
  state?: string;
  secretFile?: string;
  every?: string;
  requireCredentials?: boolean;
}

const DESCRIPTION = `Runs the drift check (and the credential sentinel) once, or every --every, compares it with the last run
(kept in a state file on this machine) and notifies only on change: new drift, drift resolved, an item
that can no longer be judged, a node that stopped or started answering, a credential event (profile added,
removed or replaced, one new key in several agents, a credential file readable by others). Drift a waiver
accepts stays quiet until the waiver expires. A notification that fails after its retries is kept and sent
with the next run. For cron, a systemd timer or a CI schedule: see examples/watch/.
Notifier URLs may also come from the environment, so they stay out of process lists.`;

const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];

export function parseDuration(v: string): number {
  const m = /^(\d+)(s|m|h)$/.exec(v.trim());
  if (!m || Number(m[1]) < 1) throw new ClawError('USAGE', `--every must be like 30s, 15m or 1h, not "${v}"`);
  return Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 's' | 'm' | 'h'];
}

function notifiersFrom(v: WatchValues, timeoutMs: number): Notifier[] {
  const list = (k: 'webhook' | 'slack' | 'discord', env: string) => [...(v[k] ?? []), ...(process.env[env] ? [process.env[env]!] : [])];
  return [
    ...list('webhook', 'CLAWFLEET_WEBHOOK_URL').map((u) => httpNotifier('webhook', u, timeoutMs)),
    ...list('slack', 'CLAWFLEET_SLACK_WEBHOOK_URL').map((u) => httpNotifier('slack', u, timeoutMs)),
    ...list('discord', 'CLAWFLEET_DISCORD_WEBHOOK_URL').map((u) => httpNotifier('discord', u, timeoutMs)),
    ...(v.notifyCommand ?? []).map((c) => commandNotifier(c, 30_000)),
  ];
}

function summary(run: WatchRun, s: ReturnType<typeof styleFor>): string {
  const lines = [`watch ${run.result.checkedAt}: ${run.result.rows.length} nodes checked, ${run.events.length} change(s)`];
  for (const e of run.events) lines.push(`  ${eventLine(e)}`);
  for (const w of run.expired) lines.push(s.yellow(`  waiver ended: ${w.node} ${w.item} (expired ${w.expires}: ${w.reason})`));
  for (const d of run.deliveries) lines.push(d.ok ? `  sent ${d.events} alert(s) to ${d.label}` : s.red(`  not delivered to ${d.label}: ${d.error}; kept for the next run`));
  if (!run.deliveries.length && run.events.length) lines.push(s.dim('  no notifier configured: nothing sent'));
  return lines.join('\n') + '\n';
}

export async function watchCommand(values: WatchValues, out: NodeJS.WriteStream): Promise<number> {
  const format = checkFormat(values);
  const session = sessionOptions(values);
  const timeoutMs = positiveInt('notify-timeout', values.notifyTimeout, 10) * 1000;
  const notifiers = notifiersFrom(values, timeoutMs);
  const retry = { ...DEFAULT_RETRY, attempts: positiveInt('retries', values.retries, DEFAULT_RETRY.attempts), baseDelayMs: positiveInt('retry-delay', values.retryDelay, DEFAULT_RETRY.baseDelayMs) };
  const every = values.every ? parseDuration(values.every) : null;
  const fleetSecret = await loadFleetSecret(values.secretFile ?? defaultSecretFile());
  const stateFile = values.state ?? defaultStateFile(session.inventory);
  await waiversFor(session.inventory, values.waivers); // a bad waivers file fails before any node is contacted
  const s = styleFor(out);
  let stop = false;
  const onSignal = () => (stop = true);
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  try {
    for (;;) {
      const run = await watchOnce({ session, stateFile, waivers: () => waiversFor(session.inventory, values.waivers), notifiers, retry, fleetSecret, openclawChecks: values.openclawChecks !== false, requireCredentials: values.requireCredentials === true, journals: format === 'html' });
      const text =
        format === 'text'
          ? summary(run, s)
          : renderCheck(run.result, format, out, {
              metrics: { events: run.events, credentialEvents: run.result.credentialEvents, pendingAlerts: run.state.outbox.reduce((n, b) => n + b.events.length, 0), ...(run.state.lastSuccess ? { lastSuccess: run.state.lastSuccess } : {}) },
              html: { ...(run.journals ? { journals: run.journals } : {}), watchRuns: run.state.runs, alerts: run.events },
            });
      await writeOutput(text, values.out, out);
      if (!every) return run.deliveries.some((d) => !d.ok) ? 1 : 0;
      if (format === 'text' && run.state.outbox.length) process.stderr.write('clawfleet watch: some alerts are kept for the next run\n');
      const until = Date.now() + every;
      while (!stop && Date.now() < until) await new Promise((r) => setTimeout(r, Math.min(1000, until - Date.now())));
      if (stop) return 0;
    }
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}

export function registerWatch(program: Command, io: Io): void {
  const cmd = program
    .command('watch')
    .summary('check on a schedule; notify on change (drift, resolved, unreachable, credentials)')
    .description(DESCRIPTION)
    .option('--webhook <URL>', 'generic JSON webhook (POST {format: "clawfleet-alert", events: [...]}); env CLAWFLEET_WEBHOOK_URL; repeatable', collect)
    .option('--slack <URL>', 'Slack incoming webhook; env CLAWFLEET_SLACK_WEBHOOK_URL; repeatable', collect)
    .option('--discord <URL>', 'Discord webhook; env CLAWFLEET_DISCORD_WEBHOOK_URL; repeatable', collect)
    .option('--notify-command <CMD>', 'run CMD with /bin/sh, the generic JSON payload on its stdin; exit 0 = delivered; repeatable', collect)
    .option('--retries <N>', `attempts per notifier and run (default ${DEFAULT_RETRY.attempts}; backoff doubles from --retry-delay)`)
    .option('--retry-delay <MS>', `first backoff in milliseconds (default ${DEFAULT_RETRY.baseDelayMs})`)
    .option('--notify-timeout <S>', 'per attempt, in seconds (default 10)')
    .option('--state <FILE>', 'last result, credential fingerprints, undelivered alerts (default: $XDG_STATE_HOME/clawfleet/watch-<inventory hash>.json, mode 0600); operator side, never on a node')
    .option('--secret-file <FILE>', 'HMAC key of the credential fingerprints, created 0600 on first use (default: $XDG_CONFIG_HOME/clawfleet/fleet-secret); never printed')
    .option('--require-credentials', 'listed agents without credentials are drift of a credentials item, alerted when it appears and when it is resolved (as check --require-credentials)')
    .option('--every <DURATION>', 'run again every DURATION (30s, 15m, 1h) until stopped; default: once');
  withCheckOutput(cmd);
  withCommon(cmd)
    .addHelpText('after', '\nExit code: 0 ran (and every notification was delivered), 1 error or a notification kept for the next run.')
    .action(async (v: WatchValues) => {
      io.code = await watchCommand(v, io.out);
    });
}
