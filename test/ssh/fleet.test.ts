// Integration test of the isolated SSH test fleet (scripts/test-fleet.sh + test/ssh/fleet.ts).
// Needs Linux + root (fails otherwise: no silent skip) and openssh-server (`scripts/test-fleet.sh install`).
import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Client, type SFTPWrapper } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, testAddr, type Fleet } from './fleet.js';

// 127.0.0.231..233: keep distinct from other fleet-based test files that may run in parallel.
const FIRST_OCTET = 231;
const NAMES = ['node1', 'node2', 'node3'];


function connect(fleet: Fleet, name: string): Promise<Client> {
  return fleet.connectOptions(name).then(
    (opts) =>
      new Promise<Client>((resolve, reject) => {
        const c = new Client();
        c.once('ready', () => resolve(c));
        c.once('error', reject);
        c.connect(opts);
      }),
  );
}

function sh(c: Client, cmd: string): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    c.exec(cmd, (err, stream) => {
      if (err) return reject(err);
      let stdout = '';
      let stderr = '';
      stream.on('data', (d: Buffer) => (stdout += d.toString()));
      stream.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      stream.once('close', (code: number | null) => resolve({ stdout, stderr, code }));
    });
  });
}

function sftp(c: Client): Promise<SFTPWrapper> {
  return new Promise((resolve, reject) => c.sftp((err, s) => (err ? reject(err) : resolve(s))));
}

/** Alive = /proc/PID exists and is not a zombie (an orphaned unshare may linger as a zombie until init reaps it). */
function pidAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

describe('isolated SSH test fleet', () => {
  let fleet: Fleet | undefined;
  let mountsBefore = '';
  const clients: Client[] = [];

  beforeAll(async () => {
    mountsBefore = readFileSync('/proc/self/mountinfo', 'utf8');
    fleet = await startFleet({ names: NAMES, firstOctet: FIRST_OCTET });
  });

  afterAll(async () => {
    for (const c of clients) c.end();
    await fleet?.stop();
  });

  it('describes every node', () => {
    const f = fleet!;
    expect(f.nodes.map((n) => n.name)).toEqual(NAMES);
    expect(f.nodes.map((n) => n.host)).toEqual([231, 232, 233].map(testAddr));
    const kh = readFileSync(f.knownHosts, 'utf8');
    for (const n of f.nodes) {
      expect(n.port).toBe(22);
      expect(n.user).toBe('root');
      expect(n.hostKeyPub).toMatch(/^ssh-ed25519 AAAA\S+$/);
      expect(kh).toContain(`${n.host} ${n.hostKeyPub}\n`);
      expect(pidAlive(n.hostPid)).toBe(true);
    }
    expect(f.hostPath('node2', '/openclaw-data/a/b.json')).toBe(`${f.node('node2').hostRoot}/openclaw-data/a/b.json`);
    expect(f.hostPath('node1', '/root/.openclaw')).toBe(`${f.node('node1').hostRoot}/root/.openclaw`);
    expect(() => f.hostPath('node1', '/etc/passwd')).toThrow();
    expect(() => f.hostPath('node1', '/root/../etc/passwd')).toThrow();
  });

  it('each node answers over SSH with its own hostname, /openclaw-data and uid 0', async () => {
    const f = fleet!;
    for (const n of f.nodes) {
      const c = await connect(f, n.name);
      clients.push(c);
      const r = await sh(c, 'hostname; ls -d /openclaw-data; id -u');
      expect(r.code).toBe(0);
      expect(r.stdout.split('\n')).toEqual([n.name, '/openclaw-data', '0', '']);
    }
  });

  it('isolates /openclaw-data per node and from the host', async () => {
    const f = fleet!;
    const [c1, c2] = clients;
    const file = `/openclaw-data/probe-${randomBytes(4).toString('hex')}`;
    expect((await sh(c1!, `echo hello > ${file} && cat ${file}`)).stdout).toBe('hello\n');
    expect((await sh(c2!, `test -e ${file}; echo $?`)).stdout).toBe('1\n');
    expect(existsSync(file)).toBe(false);
    expect(existsSync('/openclaw-data')).toBe(false);
    expect(readFileSync(f.hostPath('node1', file), 'utf8')).toBe('hello\n');
    expect(existsSync(f.hostPath('node2', file))).toBe(false);
    // seeding from the host side and through `exec` is visible to the node
    expect((await f.exec('node2', ['sh', '-c', `echo seeded > ${file}; hostname`]))).toBe('node2\n');
    expect((await sh(c2!, `cat ${file}`)).stdout).toBe('seeded\n');
  });

  it('serves SFTP', async () => {
    const s = await sftp(clients[0]!);
    const st = await new Promise<{ isDirectory(): boolean }>((resolve, reject) =>
      s.stat('/root', (err, stats) => (err ? reject(err) : resolve(stats))),
    );
    expect(st.isDirectory()).toBe(true);
    s.end();
  });

  it('rejects a wrong host key', async () => {
    const f = fleet!;
    const opts = { ...(await f.connectOptions('node1')), hostVerifier: () => false };
    const err = await new Promise<Error>((resolve, reject) => {
      const c = new Client();
      c.once('ready', () => {
        c.end();
        reject(new Error('connected despite a rejected host key'));
      });
      c.once('error', resolve);
      c.connect(opts);
    });
    expect(err.message).toMatch(/verification failed/i);
  });

  it('stops cleanly: mounts unchanged, sshd gone, addresses refuse connections', async () => {
    const f = fleet!;
    for (const c of clients.splice(0)) c.end();
    await f.stop();

    expect(readFileSync('/proc/self/mountinfo', 'utf8')).toBe(mountsBefore);
    for (const n of f.nodes) expect(pidAlive(n.hostPid)).toBe(false);
    expect(existsSync(f.dir)).toBe(false);
    expect(existsSync('/openclaw-data')).toBe(false);

    const opts = await f.connectOptions('node1').catch(() => undefined); // key file is gone with DIR
    expect(opts).toBeUndefined();
    const code = await new Promise<string | undefined>((resolve) => {
      const c = new Client();
      c.once('ready', () => {
        c.end();
        resolve('connected');
      });
      c.once('error', (e: NodeJS.ErrnoException) => resolve(e.code));
      c.connect({ host: f.node('node1').host, port: 22, username: 'root', password: 'x', readyTimeout: 5_000 });
    });
    expect(code).toBe('ECONNREFUSED');
  });
});
