// Test helper: a real, isolated SSH fleet on 127.0.0.x, driven by scripts/test-fleet.sh.
//
//   const fleet = await startFleet({ names: ['node1', 'node2'], firstOctet: 31 });
//   fleet.nodes[0].host                       // '127.0.0.31', port 22, user 'root'
//   startFleet({ …, users: ['deploy:nopasswd'] })  // a login with passwordless sudo on every node
//   fleet.hostPath('node1', '/openclaw-data/x') // host path of the node's /openclaw-data/x
//   await fleet.stop();
//
// Each suite has its own addresses, so two suites can run at once (the system tier runs two files at a time):
//   rollout 20–27 · reference-ssh 41–44 (+ 49) · transport-ssh 60 · openclaw-compat 61–62 · living-node 73 · kill-points 81–83 · kill-points-inside 84–89 ·
//   lock-race 91 · hostile-corpus 93–96 · shards 100–163 · openclaw-watch 167 · scaling 175–176 ·
//   signals 191–198 · become-sudo 201–204 · bastion 211–213 · gateway-owner 221 · fleet.test 231–233 · watch-ssh 241–244 (+ 249) · openclaw-upgrade 251 ·
//   bootstrap (compat) 181–183
// A new suite takes a free range and is added here.
//
// Needs Linux, root and openssh-server (CI runs `scripts/test-fleet.sh install` first;
// this helper never installs anything).
import { execFile, spawnSync } from 'node:child_process';
import { constants as fsc } from 'node:fs';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const FLEET_SCRIPT = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../scripts/test-fleet.sh',
);

/** Node-absolute directories that are per-node bind mounts of dirs under the node's hostRoot. */
const MAPPED_DIRS = new Set(['root', 'home', 'tmp', 'openclaw-data']);

export interface FleetNode {
  name: string;
  host: string;
  port: number;
  user: string;
  /** Host PID of the node's sshd (PID 1 of its namespaces). */
  hostPid: number;
  /** `ssh-ed25519 AAAA…` (no comment). */
  hostKeyPub: string;
  /** DIR/<name> on the host: its root/, home/, tmp/, openclaw-data/ are what the node sees at /root … */
  hostRoot: string;
}

export interface FleetConnectOptions {
  host: string;
  port: number;
  username: string;
  privateKey: Buffer;
  /** Accepts only the node's own host key (ssh2 passes the raw key blob). */
  hostVerifier: (key: Buffer) => boolean;
  readyTimeout: number;
}

export interface Fleet {
  dir: string;
  nodes: FleetNode[];
  /** Path of the unencrypted ed25519 client private key authorized for root on every node. */
  clientKey: string;
  /** Plain known_hosts file: `127.0.0.X ssh-ed25519 AAAA…` for every node. */
  knownHosts: string;
  node(name: string): FleetNode;
  /** Map a node-absolute path under /root, /home, /tmp or /openclaw-data to its host path. */
  hostPath(nodeName: string, nodePath: string): string;
  /** ssh2 `connect()` options for a node (key auth as root, strict host key check). */
  connectOptions(nodeName: string): Promise<FleetConnectOptions>;
  /** Run a command inside the node's namespaces as root (cwd /root); resolves to stdout. */
  exec(nodeName: string, cmd: string[]): Promise<string>;
  /** Kill every node and remove the fleet dir. Idempotent. */
  stop(): Promise<void>;
}

interface FleetJson {
  nodes: Array<{
    name: string;
    host: string;
    port: number;
    user: string;
    hostPid: number;
    hostKeyPub: string;
    dir: string;
  }>;
  clientKey: string;
  knownHosts: string;
}

function run(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; timeout: number },
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      FLEET_SCRIPT,
      args,
      { env: opts.env ?? process.env, timeout: opts.timeout, killSignal: 'SIGKILL', maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        if (err) {
          const killed = (err as { killed?: boolean }).killed ? `killed after ${opts.timeout / 1000} s (its timeout)` : '';
          const msg = String(stderr).trim() || killed || err.message;
          reject(new Error(`test-fleet.sh ${args[0]} failed: ${msg}`));
        } else {
          resolve({ stdout: String(stdout), stderr: String(stderr) });
        }
      },
    );
    child.stdin?.end();
  });
}

// Best-effort cleanup if a test process exits without calling stop().
const liveFleets = new Set<string>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const dir of liveFleets) {
      spawnSync(FLEET_SCRIPT, ['down', dir], { stdio: 'ignore', timeout: 20_000 });
    }
  });
}

/**
 * The loopback /24 the test fleets use: `127.0.0` unless CLAWFLEET_TEST_NET (e.g. `127.0.7`) moves them, so that
 * two checkouts can run the SSH suites side by side. `testAddr(60)` → `127.0.0.60`.
 */
export const TEST_NET = process.env.CLAWFLEET_TEST_NET ?? '127.0.0';
if (!/^127\.\d{1,3}\.\d{1,3}$/.test(TEST_NET)) throw new Error(`CLAWFLEET_TEST_NET '${TEST_NET}' must be 127.X.Y`);
export function testAddr(lastOctet: number): string {
  return `${TEST_NET}.${lastOctet}`;
}

/** CLAWFLEET_TEST_TIMEOUT_SCALE=N stretches the helper's own limits (start, exec, stop) on a loaded machine. */
const SCALE = Math.max(1, Number(process.env.CLAWFLEET_TEST_TIMEOUT_SCALE ?? 1) || 1);

export interface FleetOptions {
  names: string[];
  firstOctet: number;
  /** Login users on every node besides root (`NAME`, `NAME:nopasswd` with passwordless sudo, `NAME:passwd` with sudo behind a password). */
  users?: string[];
  /** Names only the nodes resolve (their /etc/hosts): name → address. */
  etcHosts?: Record<string, string>;
}

export async function startFleet(opts: FleetOptions): Promise<Fleet> {
  const { names, firstOctet } = opts;
  if (process.platform !== 'linux') throw new Error('test fleet needs Linux');
  if (process.getuid?.() !== 0) throw new Error('test fleet needs root');
  try {
    await access('/usr/sbin/sshd', fsc.X_OK);
  } catch {
    throw new Error('sshd not installed: run scripts/test-fleet.sh install');
  }
  if (names.length === 0) throw new Error('startFleet: names must not be empty');
  if (!Number.isInteger(firstOctet) || firstOctet < 2 || firstOctet + names.length - 1 > 254) {
    throw new Error(`startFleet: firstOctet ${firstOctet} out of range`);
  }

  const dir = await mkdtemp(path.join(os.tmpdir(), 'clawfleet-fleet-'));
  installExitHook();
  liveFleets.add(dir);
  const env = {
    ...process.env,
    FLEET_NAMES: names.join(' '),
    FLEET_USERS: (opts.users ?? []).join(' '),
    FLEET_ETC_HOSTS: Object.entries(opts.etcHosts ?? {})
      .map(([name, addr]) => `${name}=${addr}`)
      .join(' '),
  };
  let data: FleetJson;
  try {
    await run(['up', dir, String(names.length), String(firstOctet)], { env, timeout: 60_000 * SCALE });
    data = JSON.parse(await readFile(path.join(dir, 'fleet.json'), 'utf8')) as FleetJson;
  } catch (err) {
    await run(['down', dir], { timeout: 30_000 * SCALE }).catch(() => undefined);
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    liveFleets.delete(dir);
    throw err;
  }

  const nodes: FleetNode[] = data.nodes.map((n) => ({
    name: n.name,
    host: n.host,
    port: n.port,
    user: n.user,
    hostPid: n.hostPid,
    hostKeyPub: n.hostKeyPub,
    hostRoot: n.dir,
  }));
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const node = (name: string): FleetNode => {
    const n = byName.get(name);
    if (!n) throw new Error(`no node '${name}' in fleet (${[...byName.keys()].join(', ')})`);
    return n;
  };

  let stopped: Promise<void> | undefined;
  const fleet: Fleet = {
    dir,
    nodes,
    clientKey: data.clientKey,
    knownHosts: data.knownHosts,
    node,
    hostPath(nodeName, nodePath) {
      const n = node(nodeName);
      if (!nodePath.startsWith('/')) throw new Error(`hostPath: '${nodePath}' is not absolute`);
      const norm = path.posix.normalize(nodePath);
      const [, top = '', ...rest] = norm.split('/');
      if (!MAPPED_DIRS.has(top)) {
        throw new Error(
          `hostPath: '${nodePath}' is not under /root, /home, /tmp or /openclaw-data (use fleet.exec for other paths)`,
        );
      }
      return path.join(n.hostRoot, top, ...rest);
    },
    async connectOptions(nodeName) {
      const n = node(nodeName);
      const expected = Buffer.from(n.hostKeyPub.split(' ')[1] ?? '', 'base64');
      return {
        host: n.host,
        port: n.port,
        username: n.user,
        privateKey: await readFile(data.clientKey),
        hostVerifier: (key: Buffer) => Buffer.isBuffer(key) && key.equals(expected),
        readyTimeout: 10_000,
      };
    },
    async exec(nodeName, cmd) {
      node(nodeName);
      const { stdout } = await run(['exec', dir, nodeName, ...cmd], { timeout: 300_000 * SCALE }); // a deadline for a hung command: OpenClaw's CLI alone can take a minute on a loaded machine
      return stdout;
    },
    stop() {
      // down removes the fleet dir: after a bootstrap it holds three OpenClaw installs (~10^5 files), which a
      // loaded CI disk takes well over 30 s to delete.
      stopped ??= run(['down', dir], { timeout: 180_000 * SCALE }).then(
        () => {
          liveFleets.delete(dir);
        },
        (err: unknown) => {
          stopped = undefined; // allow a retry
          throw err;
        },
      );
      return stopped;
    },
  };
  return fleet;
}
