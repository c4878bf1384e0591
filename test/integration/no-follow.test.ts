import { chownSync, existsSync, mkdirSync, renameSync, symlinkSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClawError } from '../../src/domain/errors.js';
import { LocalNode } from '../../src/transport/local.js';
import { dataRootOf, withNoFollow } from '../../src/transport/no-follow.js';
import type { NodeWriter } from '../../src/transport/types.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'clawfleet-nofollow-'));
  mkdirSync(join(root, 'home/agents/a'), { recursive: true });
  mkdirSync(join(root, 'elsewhere'));
});
afterEach(() => rm(root, { recursive: true, force: true }));

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return e instanceof ClawError ? `${e.code} ${e.path}` : String(e);
  }
}

describe('no write follows a link it did not expect (transport/no-follow.ts)', () => {
  it('refuses to write below a component that is a symlink, and writes nothing there', async () => {
    renameSync(join(root, 'home/agents/a'), join(root, 'a-real'));
    symlinkSync(join(root, 'elsewhere'), join(root, 'home/agents/a'));
    const w = withNoFollow(new LocalNode({ node: 'n', root }));
    expect(await code(w.symlink('/data/sessions', '/home/agents/a/sessions'))).toBe('NOFOLLOW /home/agents/a');
    expect(await code(w.mkdir('/home/agents/a/x', 0o700))).toBe('NOFOLLOW /home/agents/a');
    expect(await code(w.writeFileExclusive('/home/agents/a/f', 'x', 0o600))).toBe('NOFOLLOW /home/agents/a');
    expect(await code(w.rename('/home/agents/a/sessions', '/home/moved'))).toBe('NOFOLLOW /home/agents/a');
    expect(existsSync(join(root, 'elsewhere/sessions')) || existsSync(join(root, 'elsewhere/x')) || existsSync(join(root, 'elsewhere/f'))).toBe(false);
  });

  it('refuses to append to a journal that is a symlink (O_NOFOLLOW locally, lstat first on every transport)', async () => {
    symlinkSync(join(root, 'elsewhere/target'), join(root, 'home/journal.jsonl'));
    const w = withNoFollow(new LocalNode({ node: 'n', root }));
    expect(await code(w.appendFile('/home/journal.jsonl', '{}\n'))).toBe('NOFOLLOW /home/journal.jsonl');
    expect(await code(new LocalNode({ node: 'n', root }).appendFile('/home/journal.jsonl', '{}\n'))).toMatch(/^ELOOP /);
    expect(existsSync(join(root, 'elsewhere/target'))).toBe(false);
  });

  it('a component swapped for a link while the call runs fails the call (the executor then rolls the action back)', async () => {
    // what the gateway's user can swap: an entry of a dir it owns
    chownSync(join(root, 'home/agents'), 1000, 1000);
    const inner = new LocalNode({ node: 'n', root });
    const swapping = new Proxy(inner, {
      get(t, prop, r) {
        const v = Reflect.get(t, prop, r) as unknown;
        if (prop !== 'symlink') return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
        return async (target: string, path: string) => {
          renameSync(join(root, 'home/agents/a'), join(root, 'a-real'));
          symlinkSync(join(root, 'elsewhere'), join(root, 'home/agents/a'));
          return inner.symlink(target, path);
        };
      },
    }) as NodeWriter;
    expect(await code(withNoFollow(swapping).symlink('/data/sessions', '/home/agents/a/sessions'))).toBe('NOFOLLOW /home/agents/a');
  });

  it('a data root mounted elsewhere through a symlink is the one link expected (and only when named)', async () => {
    mkdirSync(join(root, 'disk/data'), { recursive: true });
    symlinkSync('disk/data', join(root, 'data')); // relative: resolves the same on the host and as the node sees it
    const inner = new LocalNode({ node: 'n', root });
    expect(await code(withNoFollow(inner).mkdir('/data/memory', 0o755))).toBe('NOFOLLOW /data');
    const w = withNoFollow(inner, dataRootOf(inner, '/data'));
    await w.mkdir('/data/memory', 0o755);
    expect(existsSync(join(root, 'disk/data/memory'))).toBe(true);
    // below the data root, a link is still refused
    symlinkSync(join(root, 'elsewhere'), join(root, 'disk/data/agents'));
    expect(await code(w.mkdir('/data/agents/a', 0o755))).toBe('NOFOLLOW /data/agents');
  });

  it('the copy of a dir\'s entries refuses a swapped component of its target, writing nothing there', async () => {
    mkdirSync(join(root, 'data'));
    mkdirSync(join(root, 'home/agents/a/sessions'));
    symlinkSync(join(root, 'elsewhere'), join(root, 'data/sessions'));
    const inner = new LocalNode({ node: 'n', root });
    // the transport's held working dir refuses it too, without the wrapper
    expect(await code(inner.copyEntries({ src: '/home/agents/a/sessions', dest: '/data/sessions', tmp: '.t', base: '/data' }))).toBe('NOFOLLOW /data/sessions/.t');
    expect(await code(withNoFollow(inner).copyEntries({ src: '/home/agents/a/sessions', dest: '/data/sessions', tmp: '.t', base: '/data' }))).toBe('NOFOLLOW /data/sessions');
    expect(existsSync(join(root, 'elsewhere/.t'))).toBe(false);
  });

  it('looks once per run at what only root can swap, on every call at what another user could', async () => {
    chownSync(join(root, 'home/agents'), 1000, 1000);
    mkdirSync(join(root, 'home/state'));
    const inner = new LocalNode({ node: 'n', root });
    const looked: string[][] = [];
    const counting = new Proxy(inner, {
      get(t, prop, r) {
        const v = Reflect.get(t, prop, r) as unknown;
        if (prop === 'lstatOwned') return (ps: string[]) => (looked.push(ps), inner.lstatOwned(ps));
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
      },
    }) as NodeWriter;
    const w = withNoFollow(counting);
    for (const i of [1, 2, 3]) await w.mkdir(`/home/state/d${i}`, 0o700);
    await w.appendFile('/home/state/j.jsonl', '{}\n');
    await w.appendFile('/home/state/j.jsonl', '{}\n');
    // root-owned, 0700 temp dir: '/', /home, /home/state are looked at once; the journal once after it exists
    expect(looked.flat().filter((p) => p === '/home/state')).toEqual(['/home/state']);
    expect(looked.flat().filter((p) => p === '/home/state/j.jsonl').length).toBeLessThanOrEqual(2);
    looked.length = 0;
    for (const i of [1, 2, 3]) await w.mkdir(`/home/agents/a/d${i}`, 0o700);
    // /home/agents is the gateway user's: /home/agents/a is looked at before and after every call
    expect(looked.flat().filter((p) => p === '/home/agents/a').length).toBe(6);
    expect(looked.flat().filter((p) => p === '/home')).toEqual([]);
    // a path clawfleet changes is forgotten: the next call below it looks again
    await w.rename('/home/state/d1', '/home/state/e1');
    looked.length = 0;
    await w.mkdir('/home/state/e1/x', 0o700);
    expect(looked.flat()).toContain('/home/state/e1');
  });

  it('writes normally where every component is a real dir', async () => {
    const w = withNoFollow(new LocalNode({ node: 'n', root }));
    await w.mkdir('/home/agents/a/sessions', 0o700);
    await w.appendFile('/home/j.jsonl', '{}\n');
    expect(existsSync(join(root, 'home/agents/a/sessions'))).toBe(true);
  });
});
