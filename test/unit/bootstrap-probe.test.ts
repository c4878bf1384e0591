import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bootstrapProbeScript, parseBootstrapProbe } from '../../src/transport/bootstrap-probe.js';

const dir = mkdtempSync(join(tmpdir(), 'clawfleet-bootprobe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bootstrap probe (one read-only sh command)', () => {
  it('finds the versions installed under the prefix, and asks the health command only then', () => {
    const prefix = join(dir, 'opt');
    mkdirSync(join(prefix, '2026.9.6/node_modules/openclaw'), { recursive: true });
    writeFileSync(join(prefix, '2026.9.6/node_modules/openclaw/package.json'), '{}');
    mkdirSync(join(prefix, 'junk;rm -rf x/node_modules/openclaw'), { recursive: true });
    writeFileSync(join(prefix, 'junk;rm -rf x/node_modules/openclaw/package.json'), '{}');
    const out = execFileSync('/bin/sh', ['-c', bootstrapProbeScript({ prefix, health: 'exit 3', pauseS: 0 })], { encoding: 'utf8' });
    const f = parseBootstrapProbe(out);
    expect(f.installed).toEqual(['2026.9.6']); // a dir name that is no version is not one
    expect(f.healthy).toBe(false);
    expect(f.pushedRuntime).toBeNull();
    const none = parseBootstrapProbe(execFileSync('/bin/sh', ['-c', bootstrapProbeScript({ prefix: join(dir, 'nothing'), health: 'exit 0' })], { encoding: 'utf8' }));
    expect(none.installed).toEqual([]);
    expect(none.healthy).toBeNull();
  });

  it('a gateway that misses one health answer is healthy; one that misses every try (three) is not', () => {
    const prefix = join(dir, 'opt-tries');
    mkdirSync(join(prefix, '2026.9.6/node_modules/openclaw'), { recursive: true });
    writeFileSync(join(prefix, '2026.9.6/node_modules/openclaw/package.json'), '{}');
    const count = join(dir, 'tries');
    // fails its first try (a busy gateway), answers the second
    const flaky = `echo x >>'${count}'; [ "$(wc -l <'${count}')" -ge 2 ]`;
    const once = parseBootstrapProbe(execFileSync('/bin/sh', ['-c', bootstrapProbeScript({ prefix, health: flaky, pauseS: 0 })], { encoding: 'utf8' }));
    expect(once.healthy).toBe(true);
    expect(readFileSync(count, 'utf8')).toBe('x\nx\n');
    rmSync(count);
    const down = parseBootstrapProbe(execFileSync('/bin/sh', ['-c', bootstrapProbeScript({ prefix, health: `echo x >>'${count}'; exit 7`, pauseS: 0 })], { encoding: 'utf8' }));
    expect(down.healthy).toBe(false);
    expect(readFileSync(count, 'utf8')).toBe('x\nx\nx\n');
  });

  it("with the gateway's port: nothing listening there is down without a health try; a listener gets the tries", async () => {
    const prefix = join(dir, 'opt-port');
    mkdirSync(join(prefix, '2026.9.6/node_modules/openclaw'), { recursive: true });
    writeFileSync(join(prefix, '2026.9.6/node_modules/openclaw/package.json'), '{}');
    const count = join(dir, 'port-tries');
    const health = `echo x >>'${count}'; exit 0`;
    const server = createServer();
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
    const port = (server.address() as AddressInfo).port;
    try {
      const up = parseBootstrapProbe(execFileSync('/bin/sh', ['-c', bootstrapProbeScript({ prefix, health, port, pauseS: 0 })], { encoding: 'utf8' }));
      expect(up.healthy).toBe(true);
      expect(readFileSync(count, 'utf8')).toBe('x\n');
    } finally {
      await new Promise((res) => server.close(res));
    }
    rmSync(count);
    const down = execFileSync('/bin/sh', ['-c', bootstrapProbeScript({ prefix, health, port, pauseS: 0 })], { encoding: 'utf8' });
    expect(down).toContain('listening=0');
    expect(parseBootstrapProbe(down).healthy).toBe(false);
    expect(existsSync(count)).toBe(false);
  });

  it("asks, as the gateway's user, whether it may write the OpenClaw home or its nearest existing parent", () => {
    // a stand-in runuser (`runuser -u USER -- CMD…`) that runs CMD as is: the test is about what is asked of which dir
    const bin = join(dir, 'runuser-bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'runuser'), '#!/bin/sh\n[ "$1" = -u ] && [ "$3" = -- ] || exit 99\nshift 3\nexec "$@"\n', { mode: 0o755 });
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
    const me = execFileSync('id', ['-un'], { encoding: 'utf8' }).trim();
    const ask = (user: string, home: string) => execFileSync('/bin/sh', ['-c', bootstrapProbeScript({ prefix: join(dir, 'none'), writableAs: { user, dir: home } })], { encoding: 'utf8', env });
    writeFileSync(join(dir, 'a-file'), '');
    expect(parseBootstrapProbe(ask(me, join(dir, 'not', 'yet', '.openclaw'))).ownerCanWrite).toBe(true); // climbs to the test's own dir
    expect(parseBootstrapProbe(ask(me, join(dir, 'a-file', '.openclaw'))).ownerCanWrite).toBe(false); // its parent is no dir
    const nobody = ask('no-such-user-clawfleet', join(dir, 'x'));
    expect(nobody).not.toContain('ownerwrite=');
    expect(parseBootstrapProbe(nobody).ownerCanWrite).toBeUndefined();
  });

  it("says how much space the prefix's filesystem has (its nearest existing ancestor when the prefix is not there yet)", () => {
    const f = parseBootstrapProbe(execFileSync('/bin/sh', ['-c', bootstrapProbeScript({ prefix: join(dir, 'not/there/yet') })], { encoding: 'utf8' }));
    const df = Number(execFileSync('/bin/sh', ['-c', `df -Pk ${dir} | awk 'NR == 2 { print $4 }'`], { encoding: 'utf8' }).trim());
    expect(f.freeKiB).toBeGreaterThan(0);
    expect(Math.abs(f.freeKiB! - df)).toBeLessThan(64 * 1024); // the same filesystem (other writers aside)
    expect(parseBootstrapProbe('free=12x\nfree=-3\n').freeKiB).toBeUndefined();
  });

  it('a prefix that is a symlink is not looked into', () => {
    const real = join(dir, 'real');
    mkdirSync(join(real, '2026.9.6/node_modules/openclaw'), { recursive: true });
    writeFileSync(join(real, '2026.9.6/node_modules/openclaw/package.json'), '{}');
    symlinkSync(real, join(dir, 'linked'));
    const f = parseBootstrapProbe(execFileSync('/bin/sh', ['-c', bootstrapProbeScript({ prefix: join(dir, 'linked') })], { encoding: 'utf8' }));
    expect(f.installed).toEqual([]);
  });

  it('the parser takes only the shapes it expects from the node', () => {
    const f = parseBootstrapProbe('runtime=v24.1.0\nnode=v20; rm -rf /\nnpm=1\nsystemd=yes\ninstalled=../etc\ninstalled=2026.5.28\nunit=abc\nhealth=0\n');
    expect(f).toEqual({ pushedRuntime: 'v24.1.0', systemNode: null, npm: true, systemd: false, installed: ['2026.5.28'], unitSha256: null, healthy: true });
  });
});
