import { describe, expect, it } from 'vitest';
import { checkPath, componentsOf, type OwnedStat, type OwnedStats } from '../../src/transport/path-trust.js';

const dir = (uid: number, mode: number): OwnedStat => ({ kind: 'dir', uid, mode });
function stats(uid: number, m: Record<string, OwnedStat>): OwnedStats {
  return { uid, stats: m };
}

describe('path-trust: every component from / down', () => {
  it('lists the components', () => {
    expect(componentsOf('/a/b/c')).toEqual(['/', '/a', '/a/b', '/a/b/c']);
    expect(componentsOf('/')).toEqual(['/']);
  });

  const base = { '/': dir(0, 0o755), '/d': dir(0, 0o755) };
  it('trusts root-owned ancestors and an own state dir', () => {
    expect(checkPath('/d/.clawfleet', stats(0, { ...base, '/d/.clawfleet': dir(0, 0o700) }), true)).toEqual({ ok: true });
  });
  it('stops at a missing component (clawfleet creates the rest)', () => {
    expect(checkPath('/d/x/y', stats(0, { ...base, '/d/x': { kind: 'missing', mode: 0, uid: -1 }, '/d/x/y': { kind: 'missing', mode: 0, uid: -1 } }), true)).toEqual({ ok: true });
  });
  it('refuses a symlink anywhere', () => {
    expect(checkPath('/d/.clawfleet', stats(0, { ...base, '/d': { kind: 'symlink', uid: 0, mode: 0o777 }, '/d/.clawfleet': dir(0, 0o700) }), true)).toMatchObject({ ok: false, path: '/d' });
  });
  it('refuses a state dir another user owns, or one others may write', () => {
    expect(checkPath('/d/.clawfleet', stats(0, { ...base, '/d/.clawfleet': dir(1000, 0o700) }), true)).toMatchObject({ ok: false, path: '/d/.clawfleet', why: expect.stringContaining('uid 1000') });
    expect(checkPath('/d/.clawfleet', stats(0, { ...base, '/d/.clawfleet': dir(0, 0o770) }), true)).toMatchObject({ ok: false, path: '/d/.clawfleet' });
  });
  it('refuses an ancestor another user owns (it could rename the state dir away)', () => {
    expect(checkPath('/d/.clawfleet', stats(0, { ...base, '/d': dir(1000, 0o755), '/d/.clawfleet': dir(0, 0o700) }), true)).toMatchObject({ ok: false, path: '/d' });
  });
  it('passes through a sticky world-writable dir, never a plain one', () => {
    expect(checkPath('/d/.clawfleet', stats(0, { ...base, '/d': dir(0, 0o1777), '/d/.clawfleet': dir(0, 0o700) }), true)).toEqual({ ok: true });
    expect(checkPath('/d/.clawfleet', stats(0, { ...base, '/d': dir(0, 0o777), '/d/.clawfleet': dir(0, 0o700) }), true)).toMatchObject({ ok: false, path: '/d' });
  });
  it('a non-root user trusts root and itself only', () => {
    expect(checkPath('/d/s', stats(1000, { ...base, '/d/s': dir(1000, 0o700) }), true)).toEqual({ ok: true });
    expect(checkPath('/d/s', stats(1000, { ...base, '/d/s': dir(0, 0o700) }), true)).toMatchObject({ ok: false });
  });
});
