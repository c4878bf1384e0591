/**
 * Every concurrency bound of the transports, in one place: a plain promise semaphore and the limits it
 * enforces (per SSH connection: SFTP requests and exec channels in flight; per `host:port`: handshakes).
 */

/** A plain promise semaphore: at most `max` calls of `run` in flight, the rest queued in order. */
export class Limiter {
  private active = 0;
  private readonly queue: (() => void)[] = [];
  constructor(readonly max: number) {}

  get inFlight(): number {
    return this.active;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((r) => this.queue.push(r));
    else this.active++;
    try {
      return await fn();
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.active--;
    }
  }
}

/** Per connection: at most this many SFTP requests in flight (ssh2 warns past 10 listeners). */
export const MAX_SFTP_IN_FLIGHT = 8;
/** Exec channels in flight; with the SFTP channel this stays below sshd's MaxSessions (10). */
export const MAX_EXEC_IN_FLIGHT = 6;
/** sshd's default MaxStartups (10:30:100) drops parallel handshakes beyond 10; stay below it. */
export const MAX_HANDSHAKES_PER_HOST = 8;

const handshakeLimiters = new Map<string, Limiter>();

/** The shared limiter of in-flight handshakes to one `host:port` (a bastion's hops count for the bastion). */
export function handshakeLimiter(host: string, port: number): Limiter {
  const k = `${host}:${port}`;
  let l = handshakeLimiters.get(k);
  if (!l) handshakeLimiters.set(k, (l = new Limiter(MAX_HANDSHAKES_PER_HOST)));
  return l;
}
