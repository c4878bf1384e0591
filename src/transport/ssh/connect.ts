import { setTimeout as sleep } from 'node:timers/promises';
import type { Client, SFTPWrapper } from 'ssh2';
import SftpClient from 'ssh2-sftp-client';
import { ClawError } from '../../domain/errors.js';
import { handshakeLimiter } from '../concurrency.js';
import { sftpOverExec, sudoRefusal, sudoSftpCommand } from './become.js';
import { authFor, endpoint, hostVerifierFor, isRetryable, loginConfig, mapError, readKnownHosts, type Attempt, type Auth } from './login.js';
import { openTunnel, type Tunnel } from './proxy.js';
import { readSshConfigText, resolveSshParams, type ResolvedSshParams } from './ssh-config.js';

export interface ConnectOptions {
  /** Node name (for messages). */
  node: string;
  /** Host name, IP or ~/.ssh/config alias. */
  host: string;
  port?: number;
  user?: string;
  identityFiles?: string[];
  knownHostsFiles?: string[];
  /** Accept an unknown host key and append it to the first known_hosts file (never a changed one). */
  trustNewHostKey?: boolean;
  connectTimeoutMs?: number;
  /** ssh-agent socket (default $SSH_AUTH_SOCK); '' disables the agent. */
  agent?: string;
  /** Default ~/.ssh/config; a missing file means no config. */
  sshConfigPath?: string;
  /** `sudo`: SFTP through `sudo -n` sftp-server and every command through `sudo -n` (become.ts). */
  become?: 'sudo';
}

export interface NodeConnection {
  /** ssh2-sftp-client wrapper (its `.end()` closes everything). */
  sftp: SftpClient;
  /** The raw ssh2 Client (exec). */
  client: Client;
  /** The raw SFTP channel (symlink, readlink, open/write/fchmod…). */
  raw: SFTPWrapper;
  params: ResolvedSshParams;
  hostKey: { type: string; fingerprint: string; trustedNow: boolean };
  /** Wall time of the successful attempt (TCP + handshake + auth + SFTP channel). */
  connectMs: number;
  /** Connection attempts made (>1 when sshd dropped a handshake and we retried). */
  attempts: number;
  /** `sudo`: the SFTP channel runs as root and commands must go through sudo (become.ts). */
  become: 'sudo' | undefined;
}

// ---------------------------------------------------------------- connect

const SFTP_CHANNEL_TIMEOUT_MS = 10_000;
const quiet = { error: () => {}, end: () => {}, close: () => {} };

async function attemptConnect(
  opts: ConnectOptions,
  p: ResolvedSshParams,
  knownText: string,
  auth: Auth,
  a: Attempt,
  tunnel: Tunnel | undefined,
): Promise<{ sftp: SftpClient; client: Client; raw: SFTPWrapper }> {
  const sftp = new SftpClient('clawfleet', quiet);
  const client = (sftp as unknown as { client: Client }).client;
  client.on('error', (err: Attempt['rawError']) => {
    a.rawError ??= err;
  });
  client.on('handshake', () => {
    a.handshake = true;
  });
  const hostVerifier = hostVerifierFor(opts.node, p, knownText, Boolean(opts.trustNewHostKey), a);
  // readyTimeout covers TCP, key exchange and auth; this also bounds opening the SFTP channel.
  let overall: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    overall = setTimeout(() => {
      a.verdict ??= new ClawError('TIMEOUT', `${endpoint(p)} logged us in but opened no SFTP channel in time`, { node: opts.node });
      reject(a.verdict);
    }, p.connectTimeoutMs + SFTP_CHANNEL_TIMEOUT_MS);
  });
  const connecting = sftp.connect(loginConfig(p, knownText, auth, hostVerifier, tunnel?.sock));
  connecting.catch(() => {}); // may lose the race below
  if (opts.become === 'sudo') {
    // Before ssh2-sftp-client's own 'ready' listener (prepended too) asks for the SFTP channel.
    client.prependListener('ready', () => {
      try {
        sftpOverExec(client, sudoSftpCommand());
      } catch (e) {
        a.verdict = new ClawError('BECOME_FAILED', `become: sudo: ${(e as Error).message}`, { node: opts.node });
        client.destroy();
      }
    });
  }
  // ssh2 leaves Nagle on: a request written as two TCP segments (exec + stdin + EOF, an SFTP open + write)
  // then waits for the server's delayed ACK, ~40 ms per round trip. The socket exists once connect() ran;
  // a net.Socket applies the flag when it connects.
  client.setNoDelay(true);
  try {
    const raw = await Promise.race([connecting, timedOut]);
    return { sftp, client, raw };
  } catch (e) {
    if (opts.become === 'sudo' && a.handshake && !a.verdict && e instanceof Error && /SFTP session/.test(e.message))
      a.verdict = await sudoRefusal(client, opts.node, `${p.user}@${endpoint(p)}`, e as Error & { code?: unknown });
    try {
      client.destroy();
    } catch {
      /* already gone */
    }
    throw e;
  } finally {
    clearTimeout(overall);
  }
}

/** Open one SSH connection + SFTP channel to a node with strict host key checking. Errors are ClawErrors. */
export async function connectNode(opts: ConnectOptions): Promise<NodeConnection> {
  const configText = await readSshConfigText(opts.sshConfigPath);
  let params: ResolvedSshParams;
  try {
    params = resolveSshParams(
      opts.host,
      {
        port: opts.port,
        user: opts.user,
        identityFiles: opts.identityFiles,
        knownHostsFiles: opts.knownHostsFiles,
        connectTimeoutMs: opts.connectTimeoutMs,
        agent: opts.agent,
      },
      configText,
    );
  } catch (e) {
    throw new ClawError('SSH_CONFIG', `cannot use ssh config for ${opts.host}: ${String((e as Error).message).split('\n')[0]}`, { node: opts.node });
  }
  const auth = authFor(opts.node, params);
  const knownText = readKnownHosts([...params.knownHostsFiles, ...params.globalKnownHostsFiles]);
  const limiter = handshakeLimiter(params.hostName, params.port);

  const RETRIES = 3;
  for (let attempt = 0; ; attempt++) {
    const a: Attempt = { handshake: false };
    const t0 = performance.now();
    let tunnel: Tunnel | undefined;
    try {
      // Through a bastion or a ProxyCommand when the ssh config says so: never around it.
      tunnel = await openTunnel(opts, params, configText);
      const via = tunnel;
      const conn = await limiter.run(() => attemptConnect(opts, params, knownText, auth, a, via));
      if (via) conn.client.once('close', () => via.close());
      return {
        ...conn,
        params,
        hostKey: a.hostKey ?? { type: 'unknown', fingerprint: '', trustedNow: false },
        connectMs: performance.now() - t0,
        attempts: attempt + 1,
        become: opts.become,
      };
    } catch (e) {
      const proxyFailure = await tunnel?.failure();
      tunnel?.close();
      if (proxyFailure) throw new ClawError('PROXY_FAILED', proxyFailure, { node: opts.node });
      if (attempt < RETRIES && isRetryable(a, e)) {
        await sleep(150 * 2 ** attempt + Math.floor(Math.random() * 150));
        continue;
      }
      throw mapError(opts.node, params, a, e, auth.loaded, auth.methods);
    }
  }
}

