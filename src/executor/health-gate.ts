import { ClawError } from '../domain/errors.js';
import type { HealthSpec } from '../domain/inventory.js';
import type { HealthResult } from '../domain/results.js';
import { redactText } from '../shared/redact.js';
import { asShCommand, healthScript, OPENCLAW_HEALTH } from '../transport/openclaw-cli.js';
import type { NodeWriter } from '../transport/types.js';
import { now, type Journal } from './journal.js';

/** Longest single try: a health command that hangs (a gateway still starting) is cut here and tried again. */
export const HEALTH_TRY_MAX_S = 30;

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}
const realClock: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

function tail(text: string): string {
  const lines = text.trim().split('\n').filter((l) => l.trim() !== '');
  return redactText(lines.slice(-3).map((l) => (l.length > 300 ? l.slice(0, 300) + '…' : l)).join('\n'));
}

/**
 * Tries the node's health command until it exits 0 or the deadline has passed (like deploy-rs's confirmed
 * activation: a change that leaves the gateway unhealthy is not kept). Journaled on the node either way.
 */
export async function checkHealth(w: NodeWriter, journal: Journal, spec: HealthSpec, clock: Clock = realClock): Promise<HealthResult> {
  const command = spec.command ?? (spec.gateway?.runAs !== undefined ? `${OPENCLAW_HEALTH} as ${spec.gateway.runAs}` : OPENCLAW_HEALTH);
  const t0 = clock.now();
  const elapsed = () => (clock.now() - t0) / 1000;
  let attempts = 0;
  let last = { code: -1, stdout: '', stderr: '' };
  for (;;) {
    attempts++;
    const left = spec.deadlineS - elapsed();
    last = await w.exec(asShCommand(healthScript(Math.min(Math.max(1, left), HEALTH_TRY_MAX_S), spec.command, spec.gateway)));
    if (last.code === 0 || elapsed() + spec.intervalS >= spec.deadlineS) break;
    await clock.sleep(spec.intervalS * 1000);
  }
  const ok = last.code === 0;
  const output = tail(ok ? last.stdout : `${last.stdout}\n${last.stderr}${last.code === 124 ? '\n(timed out)' : ''}`);
  const seconds = Math.round(elapsed() * 10) / 10;
  await journal.write({ t: 'health', command, ok, attempts, code: last.code, output, at: now() });
  return { command, ok, attempts, seconds, output };
}

/** The gate after a config change: records the result on `into`, and throws when the node stays unhealthy. */
export async function healthGate(w: NodeWriter, journal: Journal, spec: HealthSpec, into: { health?: HealthResult }): Promise<void> {
  const h = await checkHealth(w, journal, spec);
  into.health = h;
  if (h.ok) return;
  const why = h.output.split('\n').pop() || 'no output';
  throw new ClawError('UNHEALTHY', `unhealthy after the change: ${h.command} failed ${h.attempts} time(s) within ${spec.deadlineS}s (last: ${why}); rolling back`, { node: w.node });
}

/**
 * After an unhealthy node was rolled back: run the handler again so the gateway runs on the restored config,
 * and check it once more. Best effort: what it finds is reported, it never changes the run's outcome.
 */
export async function restoreAfterRollback(w: NodeWriter, journal: Journal, spec: HealthSpec, handler: string | undefined): Promise<NonNullable<HealthResult['restored']>> {
  try {
    let handlerCode: number | null = null;
    if (handler) {
      const r = await w.exec(handler);
      handlerCode = r.code;
      await journal.write({ t: 'handler', command: handler, code: r.code, output: tail(r.stdout + r.stderr), at: now() }).catch(() => undefined);
    }
    const h = await checkHealth(w, journal, spec);
    return { handlerCode, ok: h.ok, output: h.output };
  } catch (e) {
    return { handlerCode: null, ok: false, output: redactText((e as Error).message.split('\n')[0] ?? '') };
  }
}
