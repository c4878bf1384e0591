import { contentOf } from '../helpers/manifest-content.js';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClawError } from '../../src/domain/errors.js';
import type { ProbeRequest } from '../../src/domain/facts.js';
import { decodeName } from '../../src/shared/name-bytes.js';
import { parseProbeOutput } from '../../src/transport/ssh/probe-output.js';
import { encodeProbeRequest, probeShArgs } from '../../src/transport/ssh/probe-request.js';
import { fingerprint } from '../../src/transport/ssh/known-hosts.js';
import { SshNode } from '../../src/transport/ssh/ssh-node.js';
import type { ConnectOptions } from '../../src/transport/ssh/connect.js';
import { testAddr } from './fleet.js';

const ADDR = testAddr(60);
const MARK = `clawfleet-pwned-${randomBytes(4).toString('hex')}`;
const HOSTILE = ['with space', "it's", `$(touch ${MARK})`, `\`touch ${MARK}2\``, `;touch ${MARK}3;`, 'new\nline', 'ünï-名前', 'back\\slash', '-dash', '*?[x]', '$HOME ${IFS}'];

let D: string;
let port: number;
let sshd: ChildProcess | undefined;
let hostPub: { type: string; blob: Buffer };
let node: SshNode;
const sshdLog: string[] = [];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, ADDR, () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

function keygen(name: string, extra: string[] = []): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'clawfleet-test', '-f', join(D, name), ...extra]);
}

function baseOpts(over: Partial<ConnectOptions> = {}): ConnectOptions {
  return {
    node: 'n1',
    host: ADDR,
    port,
    user: 'root',
    identityFiles: [join(D, 'client')],
    knownHostsFiles: [join(D, 'known_hosts')],
    sshConfigPath: join(D, 'no-ssh-config'),
    agent: '',
    connectTimeoutMs: 5000,
    ...over,
  };
}

async function expectClawError(p: Promise<unknown>, code: string): Promise<ClawError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e, `expected ${code}`).toBeInstanceOf(ClawError);
  const c = e as ClawError;
  expect(c.code, c.oneLine()).toBe(code);
  expect(c.node).toBe('n1');
  expect(c.oneLine()).not.toMatch(/\n/);
  expect(c.oneLine().startsWith('n1: ')).toBe(true);
  expect(c.stack === undefined || !c.oneLine().includes(' at ')).toBe(true);
  return c;
}

/** The same probe, run by the local /bin/sh on this machine (same dir: the node is this machine). */
function probeLocally(req: ProbeRequest) {
  return parseProbeOutput(req, execFileSync('/bin/sh', probeShArgs(), { input: encodeProbeRequest(req), cwd: D, maxBuffer: 1 << 28 }), 'n1');
}

function assertInert(): void {
  for (const dir of [homedir(), D, '/']) {
    for (const suffix of ['', '2', '3']) expect(existsSync(join(dir, MARK + suffix)), `${dir}/${MARK}${suffix}`).toBe(false);
  }
}

beforeAll(async () => {
  D = mkdtempSync('/tmp/clawfleet-ssh-');
  chmodSync(D, 0o755);
  mkdirSync('/run/sshd', { recursive: true });
  port = await freePort();
  keygen('host');
  keygen('client');
  keygen('wrong');
  keygen('other_host');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'secret-pass', '-f', join(D, 'encrypted')]);
  writeFileSync(join(D, 'garbage'), '-----BEGIN OPENSSH PRIVATE KEY-----\nnot really a key SECRETMATERIAL\n-----END OPENSSH PRIVATE KEY-----\n', { mode: 0o600 });
  writeFileSync(join(D, 'authorized_keys'), readFileSync(join(D, 'client.pub')));
  const [type, b64] = readFileSync(join(D, 'host.pub'), 'utf8').trim().split(/\s+/);
  hostPub = { type: type!, blob: Buffer.from(b64!, 'base64') };
  writeFileSync(join(D, 'known_hosts'), `[${ADDR}]:${port} ${type} ${b64}\n`);
  mkdirSync(join(D, 'bin'));
  writeFileSync(
    join(D, 'sshd_config'),
    [
      `ListenAddress ${ADDR}`,
      `Port ${port}`,
      `HostKey ${join(D, 'host')}`,
      'UsePAM no',
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      `AuthorizedKeysFile ${join(D, 'authorized_keys')}`,
      'StrictModes no',
      'Subsystem sftp internal-sftp',
      `PidFile ${join(D, 'sshd.pid')}`,
      'MaxStartups 100:30:200',
      `SetEnv PATH=${join(D, 'bin')}:/usr/bin:/bin`,
      '',
    ].join('\n'),
  );
  const proc = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(D, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  sshd = proc;
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`sshd did not start: ${sshdLog.join('')}`)), 10_000);
    proc.stderr!.on('data', (d: Buffer) => {
      sshdLog.push(d.toString());
      if (sshdLog.join('').includes('Server listening on')) {
        clearTimeout(t);
        resolve();
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`sshd exited ${code}: ${sshdLog.join('')}`));
    });
  });
  const t0 = performance.now();
  node = await SshNode.open(baseOpts());
  console.log(`connect (TCP+kex+auth+sftp): ${(performance.now() - t0).toFixed(0)} ms`);
});

afterAll(async () => {
  await node?.close();
  if (sshd && sshd.exitCode === null) {
    const exited = new Promise((r) => sshd!.once('exit', r));
    sshd.kill('SIGTERM');
    await exited;
  }
  if (D) rmSync(D, { recursive: true, force: true });
});

describe('ssh transport against a throwaway sshd', () => {
  it('resolves the login dir and runs commands', async () => {
    expect(await node.home()).toBe(homedir());
    const t0 = performance.now();
    await node.exec('true');
    console.log(`exec round trip (login shell incl. its rc files): ${(performance.now() - t0).toFixed(0)} ms`);
    const r = await node.exec('echo out; echo err >&2; exit 3');
    expect(r).toEqual({ code: 3, stdout: 'out\n', stderr: 'err\n' });
  });

  it('probes exactly like the local probe script, in one exec whatever the number of dirs', async () => {
    const tree = join(D, 'tree');
    mkdirSync(join(tree, 'sub'), { recursive: true });
    for (const n of HOSTILE) {
      writeFileSync(join(tree, n), `body ${n}`);
      mkdirSync(join(tree, 'sub', n));
      symlinkSync(`../${n}`, join(tree, 'sub', n, 'link'));
    }
    chmodSync(join(tree, 'sub'), 0o2750);
    writeFileSync(join(tree, 'openclaw.json'), '{ "meta": { "lastTouchedVersion": "2026.5.28" } }\n');
    const dirs: string[] = [];
    for (let i = 0; i < 50; i++) {
      const d = join(D, 'many', `agent-${i}`);
      mkdirSync(join(d, 'sessions'), { recursive: true });
      for (let f = 0; f < 20; f++) writeFileSync(join(d, 'sessions', `s${f}.jsonl`), `{"i":${i},"f":${f}}\n`);
      dirs.push(d);
    }
    const req1: ProbeRequest = {
      stat: [tree, join(tree, 'openclaw.json'), join(tree, 'missing'), ...HOSTILE.map((n) => join(tree, n))],
      manifest: [tree],
      list: [tree, join(tree, 'sub')],
      read: [join(tree, 'openclaw.json'), join(tree, HOSTILE[2]!)],
    };
    const before = node.execCount;
    const t1 = performance.now();
    const r1 = await node.probe(req1);
    console.log(`probe of 1 dir (+${req1.stat!.length} stats, 2 lists, 2 reads): ${(performance.now() - t1).toFixed(0)} ms`);
    expect(node.execCount - before).toBe(1);
    expect(contentOf(r1)).toEqual(contentOf(probeLocally(req1)));
    // Over SSH too, GNU find stamps every file and the walk carries the node's clock (a big dir is then not read again).
    expect(r1.manifest[tree]!.entries.filter((e) => e.kind === 'file').every((e) => /^\d+:\d+:\d+\.\d+$/.test(e.stamp ?? ''))).toBe(true);
    expect(r1.manifest[tree]!.at).toBeGreaterThan(1_700_000_000);
    expect(r1.read[join(tree, 'openclaw.json')]).toContain('2026.5.28');
    expect(r1.manifest[tree]?.entries.length).toBe(1 + HOSTILE.length * 3 + 1);

    const req50: ProbeRequest = { stat: dirs, manifest: dirs, list: dirs, read: dirs.map((d) => join(d, 'sessions', 's0.jsonl')) };
    const before50 = node.execCount;
    const t0 = performance.now();
    const r50 = await node.probe(req50);
    const ms = performance.now() - t0;
    console.log(`probe of 50 dirs (stat+list+manifest+read, 1,050 entries): ${ms.toFixed(0)} ms`);
    expect(node.execCount - before50).toBe(1);
    expect(contentOf(r50)).toEqual(contentOf(probeLocally(req50)));
    expect(r50.manifest[dirs[0]!]?.entries).toHaveLength(21);
    assertInert();
  });

  it('answers small stat, manifest and list probes over SFTP, exactly as the script does, with no exec', async () => {
    const tree = join(D, 'sftp-tree');
    mkdirSync(join(tree, 'sub', 'deeper'), { recursive: true });
    for (const n of HOSTILE) {
      writeFileSync(join(tree, n), `body ${n}`);
      symlinkSync(`../${n}`, join(tree, 'sub', 'deeper', n));
    }
    writeFileSync(join(tree, 'secret'), 'x', { mode: 0o600 });
    chmodSync(join(tree, 'secret'), 0o600);
    chmodSync(join(tree, 'sub'), 0o2750);
    symlinkSync('/etc', join(tree, 'abs-link'));
    execFileSync('mkfifo', [join(tree, 'fifo')]);
    const req: ProbeRequest = {
      stat: [tree, join(tree, 'secret'), join(tree, 'abs-link'), join(tree, 'fifo'), join(tree, 'nope'), join(tree, 'nope', 'deeper')],
      manifest: [tree, join(tree, 'secret')],
      list: [tree, join(tree, 'secret')],
    };
    const before = node.execCount;
    const r = await node.probe(req);
    expect(node.execCount - before).toBe(0);
    expect(contentOf(r)).toEqual(contentOf(probeLocally(req)));
    expect(r.manifest[tree]?.entries.length).toBe(HOSTILE.length * 2 + 5);
    expect(r.list[tree]?.map((c) => c.kind).sort()).toEqual([...HOSTILE.map(() => 'file'), 'dir', 'file', 'other', 'symlink'].sort());
    expect(r.list[join(tree, 'secret')]).toBeNull();
    // Past the limits (here: three roots, three lists) the same request goes to the script, with the same answer.
    for (const wide of [{ ...req, manifest: [...req.manifest!, join(tree, 'sub')] }, { ...req, list: [...req.list!, join(tree, 'sub')] }] as ProbeRequest[]) {
      const at = node.execCount;
      const w = await node.probe(wide);
      expect(node.execCount - at).toBe(1);
      expect(contentOf(w)).toEqual(contentOf(probeLocally(wide)));
    }
    // A name that is not UTF-8 (ssh2 would decode it lossily) sends a list to the script: the name's very bytes.
    const latin = join(D, 'sftp-latin1');
    mkdirSync(latin);
    writeFileSync(Buffer.concat([Buffer.from(latin + '/caf'), Buffer.from([0xe9])]), 'x');
    const lreq: ProbeRequest = { list: [latin] };
    const at = node.execCount;
    const l = await node.probe(lreq);
    expect(node.execCount - at).toBe(1);
    expect(l).toEqual(probeLocally(lreq));
    expect(l.list[latin]).toHaveLength(1);
    assertInert();
  });

  it('mkdir: exact mode, refuses existing paths and missing parents', async () => {
    const p = join(D, 'w', 'mk');
    mkdirSync(join(D, 'w'));
    await node.mkdir(p, 0o2750);
    expect(statSync(p).mode & 0o7777).toBe(0o2750);
    await node.mkdir(join(D, 'w', 'open'), 0o777);
    expect(statSync(join(D, 'w', 'open')).mode & 0o7777).toBe(0o777);
    const e = await expectClawError(node.mkdir(p, 0o700), 'EEXIST');
    expect(e.path).toBe(p);
    await expectClawError(node.mkdir(join(D, 'w', 'nope', 'x'), 0o700), 'ENOENT');
  });

  it('symlink: target text as given, refuses existing paths', async () => {
    const p = join(D, 'w', 'link');
    await node.symlink('../some/where', p);
    expect(readlinkSync(p)).toBe('../some/where');
    await node.symlink('/abs/target', join(D, 'w', 'abs-link'));
    expect(readlinkSync(join(D, 'w', 'abs-link'))).toBe('/abs/target');
    await expectClawError(node.symlink('/x', p), 'EEXIST');
    expect(readlinkSync(p)).toBe('../some/where');
  });

  it('writeFileAtomic: exact mode, content replaced by rename, no temp file left', async () => {
    const p = join(D, 'w', 'atomic.json');
    await node.writeFileAtomic(p, 'first\n', 0o640);
    expect(readFileSync(p, 'utf8')).toBe('first\n');
    expect(statSync(p).mode & 0o7777).toBe(0o640);
    const ino = statSync(p).ino;
    const big = randomBytes(300_000);
    await node.writeFileAtomic(p, big, 0o600);
    expect(readFileSync(p).equals(big)).toBe(true);
    expect(statSync(p).mode & 0o7777).toBe(0o600);
    expect(statSync(p).ino).not.toBe(ino); // a new inode renamed over the old one
    expect(readdirSync(join(D, 'w')).filter((n) => n.includes('clawfleet-tmp'))).toEqual([]);
    // Onto a dir: fails, and the temp file is cleaned up.
    await expectClawError(node.writeFileAtomic(join(D, 'w', 'mk'), 'x', 0o644), 'EIO');
    expect(readdirSync(join(D, 'w')).filter((n) => n.includes('clawfleet-tmp'))).toEqual([]);
    await expectClawError(node.writeFileAtomic(join(D, 'w', 'nope', 'f'), 'x', 0o644), 'ENOENT');
  });

  it('writeFileExclusive refuses an existing file; appendFile creates 0600 and appends', async () => {
    const p = join(D, 'w', 'lock');
    await node.writeFileExclusive(p, 'pid 1\n', 0o4750);
    expect(statSync(p).mode & 0o7777).toBe(0o4750);
    await expectClawError(node.writeFileExclusive(p, 'pid 2\n', 0o600), 'EEXIST');
    expect(readFileSync(p, 'utf8')).toBe('pid 1\n');
    const j = join(D, 'w', 'journal.jsonl');
    await node.appendFile(j, '{"a":1}\n');
    await node.appendFile(j, '{"b":"ü"}\n');
    expect(readFileSync(j, 'utf8')).toBe('{"a":1}\n{"b":"ü"}\n');
    expect(statSync(j).mode & 0o7777).toBe(0o600);
  });

  it('readFile: bytes of a regular file; errors otherwise', async () => {
    const p = join(D, 'w', 'bin');
    const data = randomBytes(100_000);
    writeFileSync(p, data);
    expect((await node.readFile(p)).equals(data)).toBe(true);
    await expectClawError(node.readFile(join(D, 'w')), 'EISDIR');
    await expectClawError(node.readFile(join(D, 'w', 'missing')), 'ENOENT');
  });

  it('rename refuses an existing target; replace swaps atomically', async () => {
    const a = join(D, 'w', 'ra');
    const b = join(D, 'w', 'rb');
    writeFileSync(a, 'A');
    writeFileSync(b, 'B');
    const e = await expectClawError(node.rename(a, b), 'EEXIST');
    expect(e.path).toBe(b);
    expect(readFileSync(a, 'utf8')).toBe('A');
    expect(readFileSync(b, 'utf8')).toBe('B');
    await node.rename(a, join(D, 'w', 'rc'));
    expect(existsSync(a)).toBe(false);
    expect(readFileSync(join(D, 'w', 'rc'), 'utf8')).toBe('A');
    await expectClawError(node.rename(join(D, 'w', 'nothing'), join(D, 'w', 'rd')), 'ENOENT');
    // rename of a dir onto an existing empty dir is refused too
    mkdirSync(join(D, 'w', 'dir1'));
    mkdirSync(join(D, 'w', 'dir2'));
    await expectClawError(node.rename(join(D, 'w', 'dir1'), join(D, 'w', 'dir2')), 'EEXIST');

    const link = join(D, 'w', 'current');
    symlinkSync('old-target', link);
    symlinkSync('new-target', join(D, 'w', 'current.new'));
    await node.replace(join(D, 'w', 'current.new'), link);
    expect(readlinkSync(link)).toBe('new-target');
    expect(existsSync(join(D, 'w', 'current.new'))).toBe(false);
    await node.replace(join(D, 'w', 'rc'), b);
    expect(readFileSync(b, 'utf8')).toBe('A');
    await expectClawError(node.replace(join(D, 'w', 'nothing'), b), 'ENOENT');
  });

  it('copyTree preserves modes and symlinks, refuses an existing target, keeps hostile names inert', async () => {
    const src = join(D, 'tree');
    const dst = join(D, 'w', `copy ${HOSTILE[2]}`);
    await node.copyTree(src, dst);
    const r = await node.probe({ manifest: [src, dst] });
    expect(r.manifest[dst]?.digest).toBe(r.manifest[src]?.digest);
    await expectClawError(node.copyTree(src, dst), 'EEXIST');
    await expectClawError(node.copyTree(join(D, 'nothing'), join(D, 'w', 'c2')), 'ENOENT');
    // writers with hostile names
    const hd = join(D, 'w', HOSTILE[2]!);
    await node.mkdir(hd, 0o755);
    for (const n of HOSTILE) await node.writeFileAtomic(join(hd, n), n, 0o644);
    expect(readdirSync(hd).sort()).toEqual([...HOSTILE].sort());
    assertInert();
  });

  it('copyEntries: one cp -a keeps hard links, sparse files, FIFOs and byte names; adoptEntries moves them in; a failed copy leaves nothing', async () => {
    const base = join(D, 'fid');
    const src = join(base, 'src');
    const dest = join(base, 'data', 'memory');
    mkdirSync(dest, { recursive: true });
    mkdirSync(join(src, 'sub'), { recursive: true });
    writeFileSync(join(src, 'a'), 'shared\n');
    execFileSync('ln', [join(src, 'a'), join(src, 'sub', 'b')]);
    execFileSync('truncate', ['-s', '64M', join(src, 'disk.img')]);
    execFileSync('mkfifo', [join(src, 'pipe')]);
    const odd = Buffer.concat([Buffer.from(join(src, 'caf')), Buffer.from([0xe9])]);
    writeFileSync(odd, 'latin-1\n');
    writeFileSync(join(dest, 'same'), 'same\n');
    writeFileSync(join(src, 'same'), 'same\n');
    await node.copyEntries({ src, dest, tmp: '.t', base: join(base, 'data') });
    await node.adoptEntries({ src, dest, tmp: '.t', base: join(base, 'data'), drop: ['same'] });
    expect(existsSync(join(dest, '.t'))).toBe(false);
    expect(statSync(join(dest, 'sub', 'b')).ino).toBe(statSync(join(dest, 'a')).ino);
    expect(statSync(join(dest, 'disk.img')).blocks * 512).toBeLessThan(1 << 20);
    expect(statSync(join(dest, 'pipe')).isFIFO()).toBe(true);
    expect(readFileSync(Buffer.concat([Buffer.from(join(dest, 'caf')), Buffer.from([0xe9])]), 'utf8')).toBe('latin-1\n');
    // the byte name travels through the probe (script) and the writer's renames exactly
    const name = decodeName(Buffer.concat([Buffer.from(join(dest, 'caf')), Buffer.from([0xe9])]));
    expect((await node.probe({ stat: [name] })).stat[name]).toMatchObject({ kind: 'file', size: 8 });
    await node.rename(name, `${name}.moved`);
    expect(readFileSync(Buffer.concat([Buffer.from(join(dest, 'caf')), Buffer.from([0xe9]), Buffer.from('.moved')]), 'utf8')).toBe('latin-1\n');
    // a copy that fails (here: its source is gone) leaves no temp dir behind
    await expectClawError(node.copyEntries({ src: join(base, 'nothing'), dest, tmp: '.t2', base: join(base, 'data') }), 'ENOENT');
    expect(existsSync(join(dest, '.t2'))).toBe(false);
    // a link below the base is refused before anything is written
    symlinkSync(join(D, 'w'), join(base, 'data', 'media'));
    await expectClawError(node.copyEntries({ src, dest: join(base, 'data', 'media'), tmp: '.t3', base: join(base, 'data') }), 'NOFOLLOW');
    expect(existsSync(join(D, 'w', '.t3'))).toBe(false);
    // dropCopy removes only clawfleet's own copy
    await node.copyEntries({ src, dest, tmp: '.t4', base: join(base, 'data') });
    await node.dropCopy({ dest, tmp: '.t4', base: join(base, 'data') });
    expect(existsSync(join(dest, '.t4'))).toBe(false);
    expect(existsSync(join(dest, 'a'))).toBe(true);
  });

  it('rmdir and unlink', async () => {
    const d = join(D, 'w', 'rm');
    mkdirSync(d);
    writeFileSync(join(d, 'f'), 'x');
    symlinkSync('f', join(d, 'l'));
    await expectClawError(node.rmdir(d), 'ENOTEMPTY');
    await expectClawError(node.unlink(d), 'EISDIR');
    await node.unlink(join(d, 'l'));
    expect(existsSync(join(d, 'f'))).toBe(true);
    await node.unlink(join(d, 'f'));
    await expectClawError(node.unlink(join(d, 'f')), 'ENOENT');
    await node.rmdir(d);
    expect(existsSync(d)).toBe(false);
    await expectClawError(node.rmdir(d), 'ENOENT');
  });

  it('openclawVersion: null when absent, the version when on the PATH', async () => {
    expect(await node.openclawVersion()).toBeNull();
    writeFileSync(join(D, 'bin', 'openclaw'), '#!/bin/sh\necho "OpenClaw 2026.5.28 (build abc 2025.1.1)"\n', { mode: 0o755 });
    expect(await node.openclawVersion()).toBe('2026.5.28');
  });

  it('runs many operations concurrently on one connection', async () => {
    const d = join(D, 'w', 'conc');
    mkdirSync(d);
    await Promise.all(Array.from({ length: 40 }, (_, i) => node.writeFileAtomic(join(d, `f${i}`), `v${i}`, 0o600)));
    const probes = await Promise.all(Array.from({ length: 10 }, () => node.probe({ manifest: [d] })));
    expect(new Set(probes.map((p) => p.manifest[d]?.digest)).size).toBe(1);
    expect(probes[0]!.manifest[d]?.entries).toHaveLength(40);
  });
});

describe('ssh connection security and errors', () => {
  it('refuses an unknown host key with its fingerprint, writing nothing', async () => {
    const kh = join(D, 'kh-empty');
    const fp = fingerprint(hostPub.blob);
    const keygenFp = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(D, 'host.pub')], { encoding: 'utf8' }).split(/\s+/)[1];
    expect(fp).toBe(keygenFp);
    const e = await expectClawError(SshNode.open(baseOpts({ knownHostsFiles: [kh] })), 'HOSTKEY_UNKNOWN');
    expect(e.message).toContain(fp);
    expect(e.message).toContain('--trust-new-host-keys');
    expect(e.message).toContain(`${ADDR}:${port}`);
    expect(existsSync(kh)).toBe(false);
  });

  it('trustNewHostKey records an unknown key, which then matches', async () => {
    const kh = join(D, 'ssh-home', 'known_hosts');
    const n = await SshNode.open(baseOpts({ knownHostsFiles: [kh], trustNewHostKey: true }));
    expect(n.conn.hostKey.trustedNow).toBe(true);
    await n.close();
    const text = readFileSync(kh, 'utf8');
    expect(text).toBe(`[${ADDR}]:${port} ${hostPub.type} ${hostPub.blob.toString('base64')}\n`);
    expect(statSync(kh).mode & 0o777).toBe(0o600);
    const again = await SshNode.open(baseOpts({ knownHostsFiles: [kh] }));
    expect(again.conn.hostKey.trustedNow).toBe(false);
    await again.close();
    expect(readFileSync(kh, 'utf8')).toBe(text);
  });

  it('refuses a changed host key even with trustNewHostKey', async () => {
    const kh = join(D, 'kh-changed');
    const other = readFileSync(join(D, 'other_host.pub'), 'utf8').trim().split(/\s+/);
    const content = `[${ADDR}]:${port} ${other[0]} ${other[1]}\n`;
    writeFileSync(kh, content);
    const e = await expectClawError(SshNode.open(baseOpts({ knownHostsFiles: [kh], trustNewHostKey: true })), 'HOSTKEY_CHANGED');
    expect(e.message).toContain(fingerprint(hostPub.blob));
    expect(readFileSync(kh, 'utf8')).toBe(content);
  });

  it('refuses a @revoked host key', async () => {
    const kh = join(D, 'kh-revoked');
    writeFileSync(kh, `${readFileSync(join(D, 'known_hosts'), 'utf8')}@revoked * ${hostPub.type} ${hostPub.blob.toString('base64')}\n`);
    await expectClawError(SshNode.open(baseOpts({ knownHostsFiles: [kh], trustNewHostKey: true })), 'HOSTKEY_REVOKED');
  });

  it('wrong client key → AUTH_FAILED; encrypted key → KEY_ENCRYPTED; garbage key → KEY_INVALID without its content', async () => {
    const a = await expectClawError(SshNode.open(baseOpts({ identityFiles: [join(D, 'wrong')] })), 'AUTH_FAILED');
    expect(a.message).toContain(`root@${ADDR}:${port}`);
    const k = await expectClawError(SshNode.open(baseOpts({ identityFiles: [join(D, 'encrypted')] })), 'KEY_ENCRYPTED');
    expect(k.message).toContain(join(D, 'encrypted'));
    expect(k.message).toContain('ssh-agent');
    const g = await expectClawError(SshNode.open(baseOpts({ identityFiles: [join(D, 'garbage')] })), 'KEY_INVALID');
    expect(g.message).toContain(join(D, 'garbage'));
    expect(g.oneLine()).not.toContain('SECRETMATERIAL');
    await expectClawError(SshNode.open(baseOpts({ identityFiles: [join(D, 'no-such-key')] })), 'KEY_INVALID');
  });

  it('refused port → CONN_REFUSED; unknown host → DNS', async () => {
    const closed = await freePort();
    const e = await expectClawError(SshNode.open(baseOpts({ port: closed })), 'CONN_REFUSED');
    expect(e.message).toContain(`${ADDR}:${closed}`);
    await expectClawError(SshNode.open(baseOpts({ host: 'no-such-host.invalid', connectTimeoutMs: 3000 })), 'DNS');
  });

  it('a silent server → TIMEOUT after the connect timeout', async () => {
    const sockets: import('node:net').Socket[] = [];
    const silent: Server = createServer((s) => {
      sockets.push(s);
      s.on('error', () => {});
    });
    await new Promise<void>((r) => silent.listen(0, ADDR, r));
    const sport = (silent.address() as { port: number }).port;
    const t0 = performance.now();
    const e = await expectClawError(SshNode.open(baseOpts({ port: sport, connectTimeoutMs: 1500 })), 'TIMEOUT');
    const ms = performance.now() - t0;
    expect(ms).toBeGreaterThanOrEqual(1400);
    expect(ms).toBeLessThan(20_000); // the connect timeout fired, not the test's own (a bound, not a speed figure)
    expect(e.message).toContain(`${ADDR}:${sport}`);
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent.close(r));
  });

  it('opens many connections to one host in parallel (handshakes capped per host)', async () => {
    const t0 = performance.now();
    const nodes = await Promise.all(Array.from({ length: 16 }, (_, i) => SshNode.open(baseOpts({ node: `p${i}` }))));
    console.log(`16 parallel connects: ${(performance.now() - t0).toFixed(0)} ms`);
    const homes = await Promise.all(nodes.map((n) => n.home()));
    expect(new Set(homes)).toEqual(new Set([homedir()]));
    await Promise.all(nodes.map((n) => n.close()));
  });

  it('reports operations after close as CONN_LOST', async () => {
    const n = await SshNode.open(baseOpts());
    await n.close();
    await expectClawError(n.probe({ stat: ['/'] }), 'CONN_LOST');
    await expectClawError(n.readFile('/etc/hostname'), 'CONN_LOST');
  });
});

describe('sshd dropping parallel handshakes (MaxStartups)', () => {
  it('retries "Connection lost before handshake" and still connects every node', async () => {
    const conf = join(D, 'sshd_config_tight');
    const p2 = await freePort();
    writeFileSync(
      conf,
      readFileSync(join(D, 'sshd_config'), 'utf8')
        .replace(/^Port .*$/m, `Port ${p2}`)
        .replace(/^MaxStartups .*$/m, 'MaxStartups 5')
        .replace(/^PidFile .*$/m, `PidFile ${join(D, 'sshd2.pid')}`),
    );
    writeFileSync(join(D, 'known_hosts2'), `[${ADDR}]:${p2} ${hostPub.type} ${hostPub.blob.toString('base64')}\n`);
    const proc = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    try {
      await new Promise<void>((resolve, reject) => {
        proc.stderr!.on('data', (d: Buffer) => {
          log += d.toString();
          if (log.includes('Server listening on')) resolve();
        });
        proc.once('exit', () => reject(new Error(log)));
      });
      const results = await Promise.allSettled(
        Array.from({ length: 12 }, (_, i) => SshNode.open(baseOpts({ node: `m${i}`, port: p2, knownHostsFiles: [join(D, 'known_hosts2')] }))),
      );
      const failed = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason as ClawError);
      const ok = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      const attempts = ok.reduce((n, x) => n + x.conn.attempts, 0);
      const drops = (log.match(/drop connection/g) ?? []).length;
      console.log(`MaxStartups 5, 12 parallel connects: sshd dropped ${drops}, attempts ${attempts}`);
      for (const n of ok) await n.close();
      expect(failed.map((e) => e.oneLine())).toEqual([]);
      expect(attempts).toBeGreaterThanOrEqual(12 + Math.min(drops, 1));
    } finally {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    }
  });
});
