import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONNECT_TIMEOUT_MS, expandLocalPath, readSshConfigText, resolveSshParams, type LocalEnv } from '../../src/transport/ssh/ssh-config.js';

const env = (over: Partial<LocalEnv> = {}): LocalEnv => ({
  home: '/home/tester',
  username: 'tester',
  env: {},
  exists: () => false,
  ...over,
});

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'clawfleet-sshcfg-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CONFIG = `
Host node1 n1
  HostName 10.1.2.3
  User claw
  Port 2201
  IdentityFile ~/.ssh/fleet_ed25519
  IdentityFile "~/keys/with space"
  UserKnownHostsFile ~/.ssh/fleet_known_hosts ~/.ssh/other_known
  ConnectTimeout 4

Host *.lab
  HostName %h.internal
  IdentityAgent none

Host *
  User everyone
  ServerAliveInterval 30
`;

describe('ssh config resolution', () => {
  it('resolves an alias to HostName/User/Port/IdentityFile with ~ expanded', () => {
    const p = resolveSshParams('node1', {}, CONFIG, env());
    expect(p.hostName).toBe('10.1.2.3');
    expect(p.knownHostsHost).toBe('10.1.2.3');
    expect(p.user).toBe('claw');
    expect(p.port).toBe(2201);
    expect(p.identityFiles).toEqual([
      { path: '/home/tester/.ssh/fleet_ed25519', explicit: true },
      { path: '/home/tester/keys/with space', explicit: true },
    ]);
    expect(p.knownHostsFiles).toEqual(['/home/tester/.ssh/fleet_known_hosts', '/home/tester/.ssh/other_known']);
    expect(p.connectTimeoutMs).toBe(4000);
    // The second alias of the same Host line resolves the same way.
    expect(resolveSshParams('N1', {}, CONFIG, env()).hostName).toBe('10.1.2.3');
  });

  it('lets explicit (inventory) values win over the config', () => {
    const p = resolveSshParams(
      'node1',
      { user: 'root', port: 22, identityFiles: ['~/id_inv'], knownHostsFiles: ['/tmp/kh'], connectTimeoutMs: 1500, hostName: '127.0.0.9' },
      CONFIG,
      env(),
    );
    expect(p).toMatchObject({ hostName: '127.0.0.9', user: 'root', port: 22, connectTimeoutMs: 1500 });
    expect(p.identityFiles).toEqual([{ path: '/home/tester/id_inv', explicit: true }]);
    expect(p.knownHostsFiles).toEqual(['/tmp/kh']);
    expect(p.globalKnownHostsFiles).toEqual([]);
  });

  it('falls back to defaults: local user, port 22, existing default identities, ~/.ssh/known_hosts', () => {
    const p = resolveSshParams('plainhost', {}, '', env({ exists: (f) => f.endsWith('/id_ed25519') || f.endsWith('/id_rsa') }));
    expect(p).toMatchObject({ hostName: 'plainhost', user: 'tester', port: 22, connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS });
    expect(p.identityFiles).toEqual([
      { path: '/home/tester/.ssh/id_ed25519', explicit: false },
      { path: '/home/tester/.ssh/id_rsa', explicit: false },
    ]);
    expect(p.knownHostsFiles[0]).toBe('/home/tester/.ssh/known_hosts');
    expect(p.agent).toBeUndefined();
  });

  it('takes the first value of a directive (Host * User comes after the specific one) and expands %h', () => {
    const p = resolveSshParams('web.lab', {}, CONFIG, env({ env: { SSH_AUTH_SOCK: '/run/agent.sock' } }));
    expect(p.hostName).toBe('web.lab.internal');
    expect(p.user).toBe('everyone');
    expect(p.agent).toBeUndefined(); // IdentityAgent none
    expect(resolveSshParams('x', {}, CONFIG, env({ env: { SSH_AUTH_SOCK: '/run/agent.sock' } })).agent).toBe('/run/agent.sock');
    expect(resolveSshParams('x', { agent: '' }, CONFIG, env({ env: { SSH_AUTH_SOCK: '/run/agent.sock' } })).agent).toBeUndefined();
  });

  it('never runs Match exec', () => {
    const marker = join(dir, 'match-exec-ran');
    const text = `Match exec "touch ${marker}"\n  User pwned\n  HostName 6.6.6.6\n\nHost target\n  HostName 10.0.0.1\n`;
    const p = resolveSshParams('target', {}, text, env());
    expect(existsSync(marker)).toBe(false);
    expect(p.hostName).toBe('10.0.0.1');
    expect(p.user).toBe('tester');
  });

  it('expands tokens and ~ in local paths', () => {
    expect(expandLocalPath('~/.ssh/%h_%p_%r', { home: '/h', host: 'n', port: 22, user: 'u' })).toBe('/h/.ssh/n_22_u');
    expect(expandLocalPath('%d/x%%', { home: '/h' })).toBe('/h/x%');
    expect(expandLocalPath('~', { home: '/h' })).toBe('/h');
    expect(expandLocalPath('/abs/~x', { home: '/h' })).toBe('/abs/~x');
  });

  it('reads a missing config file as empty', async () => {
    expect(await readSshConfigText(join(dir, 'nope'))).toBe('');
  });
});

describe('ssh config: Include and proxies', () => {
  it('follows Include: globs in lexical order, relative to ~/.ssh, top level and inside a Host block', () => {
    const home = join(dir, 'inc-home');
    mkdirSync(join(home, '.ssh', 'config.d'), { recursive: true });
    writeFileSync(join(home, '.ssh', 'config.d', '10-web'), 'Host web\n  HostName 10.9.9.9\n  User fromten\n');
    writeFileSync(join(home, '.ssh', 'config.d', '20-web'), 'Host web\n  User fromtwenty\n  Port 2020\n');
    writeFileSync(join(home, '.ssh', 'config.d', '.hidden'), 'Host web\n  Port 1\n');
    writeFileSync(join(home, '.ssh', 'db-extra'), 'Port 2222\n');
    const text = `Include config.d/*\nInclude ~/.ssh/missing-is-fine\nUser globaluser\n\nHost db\n  Include db-extra\n  HostName 10.8.8.8\n`;
    const e = env({ home });
    expect(resolveSshParams('web', {}, text, e)).toMatchObject({ hostName: '10.9.9.9', user: 'fromten', port: 2020 });
    // Lines after a top-level Include are global again, as ssh reads them (not part of the included Host web).
    expect(resolveSshParams('other', {}, text, e).user).toBe('globaluser');
    expect(resolveSshParams('db', {}, text, e)).toMatchObject({ hostName: '10.8.8.8', port: 2222 });
    expect(() => resolveSshParams('web', {}, 'Host web\n  Include config.d/10-web\n', e)).toThrow(/inside "Host web" and opens Host\/Match blocks/);
  });

  it('reads ProxyJump hops and ProxyCommand with its tokens; the first of the two given wins; none is direct', () => {
    const text = `Host hidden\n  HostName 10.0.0.7\n  User deploy\n  ProxyJump bastion,root@inner:2222\n  ProxyCommand nc %h %p\nHost viacmd\n  HostName 10.0.0.8\n  Port 2200\n  ProxyCommand ssh -W %h:%p -l %r -o Tag=%n%% gw\n  ProxyJump ignored\nHost straight\n  ProxyJump none\n`;
    expect(resolveSshParams('hidden', {}, text, env()).proxy).toEqual({ kind: 'jump', hops: ['bastion', 'root@inner:2222'] });
    expect(resolveSshParams('viacmd', { user: 'u' }, text, env()).proxy).toEqual({ kind: 'command', command: 'ssh -W 10.0.0.8:2200 -l u -o Tag=viacmd% gw' });
    expect(resolveSshParams('straight', {}, text, env()).proxy).toEqual({ kind: 'direct' });
    expect(resolveSshParams('plain', {}, text, env()).proxy).toEqual({ kind: 'direct' });
  });
});
