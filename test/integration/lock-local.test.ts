// The node's lock taken by mkdir: a racer whose mkdir failed because another run held the lock, released by
// the time it looks, takes the lock (a real error is still an error). On the local transport, with the
// mkdir's answer made as OpenSSH's SFTP server gives it (a plain FAILURE, EIO once the dir is gone).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClawError } from '../../src/domain/errors.js';
import { acquireLock, releaseLock } from '../../src/executor/lock.js';
import { LocalNode } from '../../src/transport/local.js';
import type { NodeWriter } from '../../src/transport/types.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'clawfleet-lock-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The local node, whose first `failures` mkdirs of the lock dir fail with `code` and make nothing. */
function racing(code: 'EIO' | 'EACCES', failures: number): { w: NodeWriter; tries: () => number } {
  const inner = new LocalNode({ node: 'n1', root, home: '/root' });
  let n = 0;
  const w = new Proxy(inner, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (prop === 'mkdir') {
        return async (path: string, mode: number) => {
          if (path.endsWith('/.clawfleet/lock') && n++ < failures) throw new ClawError(code, 'mkdir: Failure', { node: 'n1', path });
          return inner.mkdir(path, mode);
        };
      }
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as NodeWriter;
  return { w, tries: () => n };
}

const who = { runId: '20261202T000000Z-aaaa', by: 'test@host', pid: process.pid, at: new Date().toISOString(), purpose: 'apply' };
const paths = { stateDir: '/root/.openclaw/.clawfleet' } as Parameters<typeof acquireLock>[1];

describe('lock: mkdir against a lock released meanwhile', () => {
  it('a plain failure (EIO) with no lock there any more: tried again, and the lock is taken', async () => {
    const { w, tries } = racing('EIO', 2);
    await acquireLock(w, paths, who);
    expect(tries()).toBe(3);
    await releaseLock(w, who.runId);
  });

  it('a permission error is no race: one line naming the lock dir, no retry loop', async () => {
    const { w, tries } = racing('EACCES', 100);
    await expect(acquireLock(w, paths, who)).rejects.toMatchObject({ code: 'EACCES', path: '/root/.clawfleet/lock' });
    expect(tries()).toBe(1);
  });
});
