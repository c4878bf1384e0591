import { ClawError } from '../domain/errors.js';
import { loadFleetSecret, defaultSecretFile } from '../sentinel/fleet-secret.js';
import { styleFor } from '../render/style.js';
import { DEFAULT_RETRY } from '../watch/notify/deliver.js';
import { commandNotifier, httpNotifier, type Notifier } from '../watch/notify/notifiers.js';
import { eventLine } from '../watch/notify/payloads.js';
import { checkFormatOf, CHECK_FORMATS, renderCheck, writeOutput } from '../watch/output.js';
import { defaultStateFile } from '../watch/state-file.js';
import { waiversFor } from '../watch/waivers-file.js';
import { watchOnce, type WatchRun } from '../watch/watch-run.js';
import { CHECK_OPTIONS } from './check.js';
import { COMMON, COMMON_HELP, parse, positiveInt, sessionOptions } from './options.js';

export const WATCH_HELP = `Usage: clawfleet watch [options]

Runs the drift check (and the credential sentinel) once, or every --every, compares it with the last run
(kept in a state file on this machine) and notifies only on change: new drift, drift resolved, an item
that can no longer be judged, a node that stopped or started answering, a credential event (profile added,
removed or replaced, one new key in several agents, a credential file readable by others). Drift a waiver
accepts stays quiet until the waiver expires. A notification that fails after its retries is kept and sent
with the next run. For cron, a systemd timer or a CI schedule: see examples/watch/.
Exit code: 0 ran (and every notification was delivered), 1 error or a notification kept for the next run.

Notifiers (any number; URLs may also come from the environment, so they stay out of process lists):
      --webhook URL         generic JSON webhook (POST {format: "clawfleet-alert", events: [...]}); env CLAWFLEET_WEBHOOK_URL
      --slack URL           Slack incoming webhook; env CLAWFLEET_SLACK_WEBHOOK_URL
      --discord URL         Discord webhook; env CLAWFLEET_DISCORD_WEBHOOK_URL
      --notify-command CMD  run CMD with /bin/sh, the generic JSON payload on its stdin; exit 0 = delivered
      --retries N           attempts per notifier and run (default ${DEFAULT_RETRY.attempts}; backoff doubles from --retry-delay)
      --retry-delay MS      first backoff in milliseconds (default ${DEFAULT_RETRY.baseDelayMs})
      --notify-timeout S    per attempt (default 10)

State and secrets (operator side, never on a node):
      --state FILE          last result, credential fingerprints, undelivered alerts (default:
                            $XDG_STATE_HOME/clawfleet/watch-<inventory hash>.json, mode 0600)
      --secret-file FILE    HMAC key of the credential fingerprints, created 0600 on first use (default:
                            $XDG_CONFIG_HOME/clawfleet/fleet-secret); never printed

Run and output:
      --every DURATION      run again every DURATION (30s, 15m, 1h) until stopped; default: once
  -f, --format F            what to print after each run: ${CHECK_FORMATS}
  -o, --out FILE            write that output to FILE (atomically) instead of stdout
      --waivers FILE        accepted drift with reason and expiry (default: waivers.yaml beside the inventory)
      --no-openclaw-checks  do not run OpenClaw's own doctor --lint / secrets audit on nodes that have them

${COMMON_HELP}`;

const WATCH_OPTIONS = {
  ...CHECK_OPTIONS,
  webhook: { type: 'string', multiple: true },
  slack: { type: 'string', multiple: true },
  discord: { type: 'string', multiple: true },
  'notify-command': { type: 'string', multiple: true },
  retries: { type: 'string' },
  'retry-delay': { type: 'string' },
  'notify-timeout': { type: 'string' },
  state: { type: 'string' },
  'secret-file': { type: 'string' },
  every: { type: 'string' },
} as const;

export function parseDuration(v: string): number {
  const m = /^(\d+)(s|m|h)$/.exec(v.trim());
  if (!m || Number(m[1]) < 1) throw new ClawError('USAGE', `--every must be like 30s, 15m or 1h, not "${v}"`);
  return Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 's' | 'm' | 'h'];
}

function notifiersFrom(v: Record<string, unknown>, timeoutMs: number): Notifier[] {
  const list = (k: string, env: string) => [...((v[k] as string[] | undefined) ?? []), ...(process.env[env] ? [process.env[env]!] : [])];
  return [
    ...list('webhook', 'CLAWFLEET_WEBHOOK_URL').map((u) => httpNotifier('webhook', u, timeoutMs)),
    ...list('slack', 'CLAWFLEET_SLACK_WEBHOOK_URL').map((u) => httpNotifier('slack', u, timeoutMs)),
    ...list('discord', 'CLAWFLEET_DISCORD_WEBHOOK_URL').map((u) => httpNotifier('discord', u, timeoutMs)),
    ...((v['notify-command'] as string[] | undefined) ?? []).map((c) => commandNotifier(c, 30_000)),
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

export async function watchCommand(args: string[], out: NodeJS.WriteStream): Promise<number> {
  const { values } = parse(args, { ...COMMON, ...WATCH_OPTIONS });
  if (values.help) {
    out.write(WATCH_HELP + '\n');
    return 0;
  }
  const format = checkFormatOf(values.format);
  const session = sessionOptions(values);
  const timeoutMs = positiveInt('notify-timeout', values['notify-timeout'], 10) * 1000;
  const notifiers = notifiersFrom(values, timeoutMs);
  const retry = { ...DEFAULT_RETRY, attempts: positiveInt('retries', values.retries, DEFAULT_RETRY.attempts), baseDelayMs: positiveInt('retry-delay', values['retry-delay'], DEFAULT_RETRY.baseDelayMs) };
  const every = values.every ? parseDuration(values.every) : null;
  const fleetSecret = await loadFleetSecret(values['secret-file'] ?? defaultSecretFile());
  const stateFile = values.state ?? defaultStateFile(session.inventory);
  await waiversFor(session.inventory, values.waivers); // a bad waivers file fails before any node is contacted
  const s = styleFor(out);
  let stop = false;
  const onSignal = () => (stop = true);
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  try {
    for (;;) {
      const run = await watchOnce({ session, stateFile, waivers: () => waiversFor(session.inventory, values.waivers), notifiers, retry, fleetSecret, openclawChecks: !values['no-openclaw-checks'], journals: format === 'html' });
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
