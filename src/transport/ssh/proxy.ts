import { spawn } from 'node:child_process';
import { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import ssh2, { type Client } from 'ssh2';
import { ClawError } from '../../domain/errors.js';
import { handshakeLimiter } from '../concurrency.js';
import type { ConnectOptions } from './connect.js';
import { authFor, endpoint, hostVerifierFor, loginConfig, mapError, readKnownHosts, type Attempt } from './login.js';
import { resolveSshParams, type ResolvedSshParams } from './ssh-config.js';

/**
 * The way to a node when its ssh config says it is not reached straight: through jump hosts (ProxyJump,
 * one or more hops, each logged in to with its own ssh config and its host key checked strictly), or
 * through a command's stdin/stdout (ProxyCommand, run as ssh runs it: `$SHELL -c "exec COMMAND"`). A way
 * that fails is an error naming it; clawfleet never falls back to a direct connection.
 */

export interface Tunnel {
  /** The byte stream the node's SSH session runs over. */
  sock: Duplex;
  /** Why the tunnel broke, once it did (a ProxyCommand that exited); waits for the command's exit. */
  failure(): Promise<string | undefined>;
  /** Ends the jump host connections / the command. */
  close(): void;
}

/** ProxyJump hops through ProxyJump hops, at most this deep (a loop in the config otherwise never ends). */
const MAX_DEPTH = 8;

/** The tunnel `p` is reached through, or undefined for a direct TCP connection. */
export async function openTunnel(opts: ConnectOptions, p: ResolvedSshParams, configText: string, depth = 0): Promise<Tunnel | undefined> {
  if (p.proxy.kind === 'direct') return undefined;
  if (depth >= MAX_DEPTH) throw new ClawError('PROXY_FAILED', `ProxyJump/ProxyCommand nested more than ${MAX_DEPTH} deep for ${p.alias} (a loop in the ssh config?)`, { node: opts.node });
  if (p.proxy.kind === 'command') return commandTunnel(p.proxy.command);
  return jumpTunnel(opts, p, configText, p.proxy.hops, depth);
}

function commandTunnel(command: string): Tunnel {
  const child = spawn(process.env.SHELL || '/bin/sh', ['-c', `exec ${command}`], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-4000)));
  const exited = new Promise<string>((resolve) => {
    child.on('error', (e) => resolve(`cannot be run: ${e.message}`));
    child.on('exit', (code, signal) => resolve(code !== null ? `exited with code ${code}` : `was killed by ${signal}`));
  });
  let outEnded = false;
  child.stdout.on('end', () => (outEnded = true));
  child.stdin.on('error', () => {
    /* the command is gone: reported by failure() */
  });
  const sock = Duplex.from({ readable: child.stdout, writable: child.stdin });
  sock.on('error', () => {
    /* idem */
  });
  return {
    sock,
    async failure() {
      // Called once the session failed: a command that exits makes ssh2 fail first (EPIPE, end of
      // stream), its exit event follows within moments. One still running after that did not break it.
      const how = await Promise.race([exited, sleep(outEnded ? 5000 : 1000).then(() => undefined)]);
      if (how === undefined) return undefined;
      const said = stderr.split('\n').find((l) => l.trim())?.trim().slice(0, 200);
      return `ProxyCommand "${command}" ${how} before the SSH session was up${said ? `: ${said}` : ''}; not connecting around it`;
    },
    close() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    },
  };
}

/** `[user@]host[:port]` or `ssh://[user@]host[:port]`. */
function parseHop(spec: string): { host: string; user?: string; port?: number } {
  const m = /^(?:ssh:\/\/)?(?:([^@/]+)@)?(\[[^\]]+\]|[^:/@]+)(?::(\d+))?$/.exec(spec);
  if (!m) throw new Error(`bad ProxyJump host "${spec}"`);
  const out: { host: string; user?: string; port?: number } = { host: m[2]!.replace(/^\[|\]$/g, '') };
  if (m[1]) out.user = m[1];
  if (m[3]) out.port = Number(m[3]);
  return out;
}

/** Hops h1..hn to `target`: hn is reached through h1..hn-1 (its own config's proxy ignored, as ssh -J does), h1 as its config says. */
async function jumpTunnel(opts: ConnectOptions, target: ResolvedSshParams, configText: string, hops: string[], depth: number): Promise<Tunnel> {
  const spec = hops[hops.length - 1]!;
  let hp: ResolvedSshParams;
  try {
    const hop = parseHop(spec);
    hp = resolveSshParams(hop.host, { port: hop.port, user: hop.user, knownHostsFiles: opts.knownHostsFiles, connectTimeoutMs: opts.connectTimeoutMs, agent: opts.agent }, configText);
  } catch (e) {
    throw new ClawError('PROXY_FAILED', `ProxyJump of ${target.alias}: ${(e as Error).message.split('\n')[0]}`, { node: opts.node });
  }
  const earlier = hops.slice(0, -1);
  const inner = earlier.length > 0 ? await jumpTunnel(opts, hp, configText, earlier, depth + 1) : await openTunnel(opts, hp, configText, depth + 1);
  const what = `jump host ${spec} (${endpoint(hp)})`;
  let client: Client;
  try {
    client = await handshakeLimiter(hp.hostName, hp.port).run(() => loginHop(opts, hp, inner));
  } catch (e) {
    const why = (await inner?.failure()) ?? (e as ClawError).message;
    inner?.close();
    throw new ClawError((e as ClawError).code ?? 'PROXY_FAILED', `${what}: ${why}`, { node: opts.node });
  }
  let sock: Duplex;
  try {
    sock = await new Promise<Duplex>((resolve, reject) => client.forwardOut('127.0.0.1', 0, target.hostName, target.port, (err, stream) => (err ? reject(err) : resolve(stream))));
  } catch (e) {
    client.end();
    inner?.close();
    throw new ClawError('PROXY_FAILED', `${what} could not open a connection to ${endpoint(target)}: ${(e as Error).message.split('\n')[0]}`, { node: opts.node });
  }
  return {
    sock,
    failure: async () => undefined,
    close() {
      client.end();
      inner?.close();
    },
  };
}

/** One logged-in SSH connection to a jump host (no SFTP, no commands: only forwarding). */
function loginHop(opts: ConnectOptions, hp: ResolvedSshParams, via: Tunnel | undefined): Promise<Client> {
  const auth = authFor(opts.node, hp);
  const knownText = readKnownHosts([...hp.knownHostsFiles, ...hp.globalKnownHostsFiles]);
  const a: Attempt = { handshake: false };
  const client = new ssh2.Client();
  return new Promise<Client>((resolve, reject) => {
    client.on('handshake', () => (a.handshake = true));
    client.once('ready', () => resolve(client));
    client.on('error', (e: Attempt['rawError']) => {
      a.rawError ??= e;
      reject(mapError(opts.node, hp, a, e, auth.loaded, auth.methods));
    });
    client.once('close', () => reject(mapError(opts.node, hp, a, new Error('connection closed before login'), auth.loaded, auth.methods)));
    try {
      client.connect(loginConfig(hp, knownText, auth, hostVerifierFor(opts.node, hp, knownText, Boolean(opts.trustNewHostKey), a), via?.sock));
      client.setNoDelay(true);
    } catch (e) {
      reject(mapError(opts.node, hp, a, e, auth.loaded, auth.methods));
    }
  });
}
