import { describe, expect, it } from 'vitest';
import { handshakeLimiter, Limiter, MAX_HANDSHAKES_PER_HOST } from '../../src/transport/concurrency.js';

describe('Limiter', () => {
  it('never runs more than max tasks at once, runs them all, and frees slots on failure', async () => {
    const l = new Limiter(3);
    let active = 0;
    let peak = 0;
    const task = (i: number) =>
      l.run(async () => {
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 5 + (i % 3)));
        active--;
        if (i % 4 === 0) throw new Error(`boom ${i}`);
        return i;
      });
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => task(i)));
    expect(peak).toBe(3);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(15);
    expect(l.inFlight).toBe(0);
  });

  it('shares one handshake limiter per host:port', () => {
    expect(handshakeLimiter('h', 22)).toBe(handshakeLimiter('h', 22));
    expect(handshakeLimiter('h', 22)).not.toBe(handshakeLimiter('h', 2222));
    expect(handshakeLimiter('h', 22).max).toBe(MAX_HANDSHAKES_PER_HOST);
  });
});
