import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import ssh2, { type Client, type SFTPWrapper } from 'ssh2';
import SftpClient from 'ssh2-sftp-client';
import { ClawError } from '../../domain/errors.js';
import { handshakeLimiter } from '../concurrency.js';
import { sftpOverExec, sudoRefusal, sudoSftpCommand } from './become.js';
import { checkHostKey, fingerprint, formatKnownHostsLine, keyTypeOfBlob, knownKeyTypes } from './known-hosts.js';
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

// ---------------------------------------------------------------- keys

type ParsedKey = ssh2.ParsedKey;

interface LoadedKeys {
  keys: { path: string; data: Buffer }[];
  encrypted: string[];
}

/** Parsed identity files by content: every node of a fleet usually logs in with the same key. */
const parsedKeys = new Map<string, ParsedKey | ParsedKey[] | Error>();

function loadIdentities(node: string, params: ResolvedSshParams): LoadedKeys {
  const out: LoadedKeys = { keys: [], encrypted: [] };
  for (const ref of params.identityFiles) {
    let data: Buffer;
    try {
      data = readFileSync(ref.path);
    } catch (e) {
      if (!ref.explicit) continue;
      const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be read';
      throw new ClawError('KEY_INVALID', `identity file ${ref.path} ${why}`, { node });
    }
    const text = data.toString('latin1');
    let parsed = parsedKeys.get(text);
    if (!parsed) parsedKeys.set(text, (parsed = ssh2.utils.parseKey(data) as ParsedKey | ParsedKey[] | Error));
    if (parsed instanceof Error) {
      if (/encrypted|passphrase/i.test(parsed.message)) {
        out.encrypted.push(ref.path);
        continue;
      }
      if (!ref.explicit) continue;
      throw new ClawError('KEY_INVALID', `identity file ${ref.path} is not a usable private key`, { node });
    }
    const key = Array.isArray(parsed) ? parsed[0] : parsed;
    if (!key || !key.isPrivateKey()) {
      if (!ref.explicit) continue;
      throw new ClawError('KEY_INVALID', `identity file ${ref.path} is not a private key`, { node });
    }
    out.keys.push({ path: ref.path, data });
  }
  return out;
}

// ---------------------------------------------------------------- host keys

const HOST_KEY_ALGOS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

/** Offer the key types known_hosts already holds for this host first (as OpenSSH does). */
function hostKeyAlgorithms(knownTypes: string[]): string[] {
  const first: string[] = [];
  for (const t of knownTypes) {
    const algos = t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t];
    for (const a of algos) if (HOST_KEY_ALGOS.includes(a) && !first.includes(a)) first.push(a);
  }
  return [...first, ...HOST_KEY_ALGOS.filter((a) => !first.includes(a))];
}

function readKnownHosts(files: string[]): string {
  return files
    .map((f) => {
      try {
        return readFileSync(f, 'utf8');
      } catch {
        return '';
      }
    })
    .join('\n');
}

const appended = new Set<string>();

function appendKnownHost(file: string, line: string): void {
  if (appended.has(`${file}\n${line}`)) return;
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  let current = '';
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    /* new file */
  }
  if (!current.split(/\r?\n/).includes(line)) {
    appendFileSync(file, (current && !current.endsWith('\n') ? '\n' : '') + line + '\n', { mode: 0o600 });
  }
  appended.add(`${file}\n${line}`);
}

// ---------------------------------------------------------------- connect

const SFTP_CHANNEL_TIMEOUT_MS = 10_000;
const quiet = { error: () => {}, end: () => {}, close: () => {} };

function endpoint(p: ResolvedSshParams): string {
  return `${p.hostName}:${p.port}`;
}

interface Attempt {
  verdict?: ClawError;
  rawError?: Error & { code?: string | number; level?: string };
  handshake: boolean;
  hostKey?: NodeConnection['hostKey'];
}

function isRetryable(a: Attempt, e: unknown): boolean {
  if (a.verdict || a.handshake) return false;
  const err = (a.rawError ?? e) as { code?: unknown; message?: string };
  return err.code === 'ECONNRESET' || /Connection lost before handshake|ECONNRESET/.test(err.message ?? '');
}

function mapError(node: string, p: ResolvedSshParams, a: Attempt, e: unknown, loaded: LoadedKeys, methods: string[]): ClawError {
  if (a.verdict) return a.verdict;
  if (e instanceof ClawError) return e;
  const err = (a.rawError ?? e) as { code?: unknown; message?: string; level?: string };
  const msg = String(err.message ?? e).split('\n')[0] ?? '';
  const where = endpoint(p);
  const code = typeof err.code === 'string' ? err.code : '';
  if (code === 'ECONNREFUSED' || /ECONNREFUSED|refused connection/.test(msg))
    return new ClawError('CONN_REFUSED', `connection refused by ${where}`, { node });
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || /ENOTFOUND|EAI_AGAIN|Address lookup failed/.test(msg))
    return new ClawError('DNS', `cannot resolve host ${p.hostName} (${where})`, { node });
  if (err.level === 'client-timeout' || /Timed out while waiting for handshake/.test(msg))
    return new ClawError('TIMEOUT', `no SSH handshake from ${where} within ${p.connectTimeoutMs / 1000}s`, { node });
  if (/All configured authentication methods failed/.test(msg) || err.level === 'client-authentication') {
    if (loaded.encrypted.length > 0)
      return new ClawError('KEY_ENCRYPTED', `identity file ${loaded.encrypted[0]} is encrypted: load it into ssh-agent (ssh-add) (${p.user}@${where})`, { node });
    return new ClawError('AUTH_FAILED', `${p.user}@${where} refused authentication (tried: ${methods.join(', ') || 'nothing'})`, { node });
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH')
    return new ClawError('UNREACHABLE', `${where} is unreachable`, { node });
  if (code === 'ECONNRESET' || /Connection lost before handshake|ECONNRESET/.test(msg))
    return new ClawError('CONN_RESET', `${where} closed the connection before the SSH handshake (sshd MaxStartups?)`, { node });
  return new ClawError('SSH_ERROR', `${where}: ${msg.replace(/^getConnection: /, '')}`, { node });
}

async function attemptConnect(
  opts: ConnectOptions,
  p: ResolvedSshParams,
  knownText: string,
  authList: ssh2.AuthMethod[],
  a: Attempt,
): Promise<{ sftp: SftpClient; client: Client; raw: SFTPWrapper }> {
  const sftp = new SftpClient('clawfleet', quiet);
  const client = (sftp as unknown as { client: Client }).client;
  client.on('error', (err: Attempt['rawError']) => {
    a.rawError ??= err;
  });
  client.on('handshake', () => {
    a.handshake = true;
  });
  const hostVerifier = (key: Buffer): boolean => {
    const type = keyTypeOfBlob(key) ?? 'unknown';
    const fp = fingerprint(key);
    const where = endpoint(p);
    const verdict = checkHostKey(knownText, p.knownHostsHost, p.knownHostsPort, type, key);
    if (verdict.status === 'match') {
      a.hostKey = { type, fingerprint: fp, trustedNow: false };
      return true;
    }
    if (verdict.status === 'unknown' && opts.trustNewHostKey) {
      const file = p.knownHostsFiles[0];
      if (!file) {
        a.verdict = new ClawError('HOSTKEY_UNKNOWN', `host key of ${where} is unknown (${type} ${fp}) and no known_hosts file is configured`, { node: opts.node });
        return false;
      }
      try {
        appendKnownHost(file, formatKnownHostsLine(p.knownHostsHost, p.knownHostsPort, type, key));
      } catch (e) {
        a.verdict = new ClawError('HOSTKEY_UNKNOWN', `cannot record the host key of ${where} in ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, { node: opts.node });
        return false;
      }
      a.hostKey = { type, fingerprint: fp, trustedNow: true };
      return true;
    }
    if (verdict.status === 'unknown')
      a.verdict = new ClawError(
        'HOSTKEY_UNKNOWN',
        `host key of ${where} is not in known_hosts (${type} ${fp}); verify it, then rerun with --trust-new-host-keys to record it`,
        { node: opts.node },
      );
    else if (verdict.status === 'changed')
      a.verdict = new ClawError(
        'HOSTKEY_CHANGED',
        `HOST KEY OF ${where} HAS CHANGED (now ${type} ${fp}); possible man-in-the-middle: fix known_hosts by hand if the change is expected`,
        { node: opts.node },
      );
    else a.verdict = new ClawError('HOSTKEY_REVOKED', `host key of ${where} (${type} ${fp}) is marked @revoked in known_hosts`, { node: opts.node });
    return false;
  };
  // readyTimeout covers TCP, key exchange and auth; this also bounds opening the SFTP channel.
  let overall: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    overall = setTimeout(() => {
      a.verdict ??= new ClawError('TIMEOUT', `${endpoint(p)} logged us in but opened no SFTP channel in time`, { node: opts.node });
      reject(a.verdict);
    }, p.connectTimeoutMs + SFTP_CHANNEL_TIMEOUT_MS);
  });
  const connecting = sftp.connect({
    host: p.hostName,
    port: p.port,
    username: p.user,
    readyTimeout: p.connectTimeoutMs,
    hostVerifier,
    authHandler: authList,
    algorithms: { serverHostKey: hostKeyAlgorithms(knownKeyTypes(knownText, p.knownHostsHost, p.knownHostsPort)) as ssh2.ServerHostKeyAlgorithm[] },
    keepaliveInterval: 15_000,
    keepaliveCountMax: 4,
  });
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
  const loaded = loadIdentities(opts.node, params);
  const authList: ssh2.AuthMethod[] = [];
  const methods: string[] = [];
  if (params.agent) {
    authList.push({ type: 'agent', username: params.user, agent: params.agent } as ssh2.AgentAuthMethod);
    methods.push('ssh-agent');
  }
  for (const k of loaded.keys) {
    authList.push({ type: 'publickey', username: params.user, key: k.data } as ssh2.PublicKeyAuthMethod);
    methods.push(k.path);
  }
  if (authList.length === 0) {
    if (loaded.encrypted.length > 0)
      throw new ClawError('KEY_ENCRYPTED', `identity file ${loaded.encrypted[0]} is encrypted: load it into ssh-agent (ssh-add)`, { node: opts.node });
    throw new ClawError('AUTH_FAILED', `no ssh-agent and no identity file to log in to ${endpoint(params)} with`, { node: opts.node });
  }
  const knownText = readKnownHosts([...params.knownHostsFiles, ...params.globalKnownHostsFiles]);
  const limiter = handshakeLimiter(params.hostName, params.port);

  const RETRIES = 3;
  for (let attempt = 0; ; attempt++) {
    const a: Attempt = { handshake: false };
    const t0 = performance.now();
    try {
      const conn = await limiter.run(() => attemptConnect(opts, params, knownText, authList, a));
      return {
        ...conn,
        params,
        hostKey: a.hostKey ?? { type: 'unknown', fingerprint: '', trustedNow: false },
        connectMs: performance.now() - t0,
        attempts: attempt + 1,
        become: opts.become,
      };
    } catch (e) {
      if (attempt < RETRIES && isRetryable(a, e)) {
        await sleep(150 * 2 ** attempt + Math.floor(Math.random() * 150));
        continue;
      }
      throw mapError(opts.node, params, a, e, loaded, methods);
    }
  }
}

