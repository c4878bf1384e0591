import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { ClawError } from '../../domain/errors.js';
import type { AlertEvent } from '../state-types.js';
import { discordPayload, genericPayload, slackPayload, type AlertMeta } from './payloads.js';

export class SendError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export interface Notifier {
  /** Stable id (kind + hash of the target): pending alerts go to the same target next run. */
  id: string;
  /** For messages: the kind and the host only (a webhook URL is itself a secret). */
  label: string;
  send(events: AlertEvent[], meta: AlertMeta): Promise<void>;
}

const idOf = (kind: string, target: string) => `${kind}:${createHash('sha256').update(target).digest('hex').slice(0, 12)}`;

function hostOf(url: string, kind: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ClawError('USAGE', `--${kind}: not a URL`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new ClawError('USAGE', `--${kind}: only http(s) URLs`);
  return u.host;
}

export function httpNotifier(kind: 'webhook' | 'slack' | 'discord', url: string, timeoutMs: number): Notifier {
  const host = hostOf(url, kind);
  const body = kind === 'slack' ? slackPayload : kind === 'discord' ? discordPayload : genericPayload;
  return {
    id: idOf(kind, url),
    label: `${kind} ${host}`,
    async send(events, meta) {
      let res: Response;
      try {
        res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'clawfleet-watch' }, body: body(events, meta), signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
      } catch (e) {
        const c = (e as { cause?: { code?: string } }).cause?.code;
        throw new SendError(`${kind} ${host}: ${c ?? (e as Error).name}`, true);
      }
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return;
      const ra = Number(res.headers.get('retry-after'));
      const retryable = res.status === 408 || res.status === 429 || res.status >= 500;
      throw new SendError(`${kind} ${host}: HTTP ${res.status}`, retryable, Number.isFinite(ra) && ra > 0 ? ra * 1000 : undefined);
    },
  };
}

/** A command run by /bin/sh on this machine, the generic JSON payload on its stdin; exit 0 means delivered. */
export function commandNotifier(command: string, timeoutMs: number): Notifier {
  return {
    id: idOf('command', command),
    label: 'command',
    send(events, meta) {
      return new Promise((resolve, reject) => {
        const child = spawn('/bin/sh', ['-c', command], { stdio: ['pipe', 'ignore', 'pipe'], env: { ...process.env, CLAWFLEET_ALERT_COUNT: String(events.length) } });
        let err = '';
        const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
        child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-300)));
        child.on('error', (e) => reject(new SendError(`command: ${e.message}`, false)));
        child.on('close', (code, signal) => {
          clearTimeout(timer);
          if (code === 0) resolve();
          else reject(new SendError(`command exited ${code ?? signal}${err.trim() ? `: ${err.trim().split('\n').pop()}` : ''}`, true));
        });
        child.stdin.on('error', () => undefined);
        child.stdin.end(genericPayload(events, meta));
      });
    },
  };
}
