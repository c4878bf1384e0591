import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import ssh2 from 'ssh2';
import { ClawError } from '../../domain/errors.js';
import { checkHostKey, fingerprint, formatKnownHostsLine, keyTypeOfBlob, knownKeyTypes } from './known-hosts.js';
import type { ResolvedSshParams } from './ssh-config.js';

/**
 * Logging in to one SSH server (a node or a jump host): identity files and ssh-agent, strict host key
 * checking against known_hosts, and the one mapping of a failed attempt to a one-line ClawError.
 */

// ---------------------------------------------------------------- keys

type ParsedKey = ssh2.ParsedKey;

export interface LoadedKeys {
  keys: { path: string; data: Buffer }[];
  encrypted: string[];
}

/** Parsed identity files by content: every node of a fleet usually logs in with the same key. */
const parsedKeys = new Map<string, ParsedKey | ParsedKey[] | Error>();

export function loadIdentities(node: string, params: ResolvedSshParams): LoadedKeys {
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
export function hostKeyAlgorithms(knownTypes: string[]): string[] {
  const first: string[] = [];
  for (const t of knownTypes) {
    const algos = t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t];
    for (const a of algos) if (HOST_KEY_ALGOS.includes(a) && !first.includes(a)) first.push(a);
  }
  return [...first, ...HOST_KEY_ALGOS.filter((a) => !first.includes(a))];
}

export function readKnownHosts(files: string[]): string {
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

export function endpoint(p: ResolvedSshParams): string {
  return `${p.hostName}:${p.port}`;
}

export interface Attempt {
  verdict?: ClawError;
  rawError?: Error & { code?: string | number; level?: string };
  handshake: boolean;
  hostKey?: { type: string; fingerprint: string; trustedNow: boolean };
}

export function isRetryable(a: Attempt, e: unknown): boolean {
  if (a.verdict || a.handshake) return false;
  const err = (a.rawError ?? e) as { code?: unknown; message?: string };
  return err.code === 'ECONNRESET' || /Connection lost before handshake|ECONNRESET/.test(err.message ?? '');
}

export function mapError(node: string, p: ResolvedSshParams, a: Attempt, e: unknown, loaded: LoadedKeys, methods: string[]): ClawError {
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


/** ssh2's hostVerifier: strict against known_hosts; records the verdict (a one-line ClawError) in `a`. */
export function hostVerifierFor(node: string, p: ResolvedSshParams, knownText: string, trustNew: boolean, a: Attempt): (key: Buffer) => boolean {
  return (key: Buffer): boolean => {
    const type = keyTypeOfBlob(key) ?? 'unknown';
    const fp = fingerprint(key);
    const where = endpoint(p);
    const verdict = checkHostKey(knownText, p.knownHostsHost, p.knownHostsPort, type, key);
    if (verdict.status === 'match') {
      a.hostKey = { type, fingerprint: fp, trustedNow: false };
      return true;
    }
    if (verdict.status === 'unknown' && trustNew) {
      const file = p.knownHostsFiles[0];
      if (!file) {
        a.verdict = new ClawError('HOSTKEY_UNKNOWN', `host key of ${where} is unknown (${type} ${fp}) and no known_hosts file is configured`, { node });
        return false;
      }
      try {
        appendKnownHost(file, formatKnownHostsLine(p.knownHostsHost, p.knownHostsPort, type, key));
      } catch (e) {
        a.verdict = new ClawError('HOSTKEY_UNKNOWN', `cannot record the host key of ${where} in ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, { node });
        return false;
      }
      a.hostKey = { type, fingerprint: fp, trustedNow: true };
      return true;
    }
    if (verdict.status === 'cert-authority')
      a.verdict = new ClawError(
        'HOSTKEY_CERT',
        `host key of ${where} is vouched for only by a @cert-authority line in known_hosts, and clawfleet cannot check host certificates (ssh2 does not support them): verify the host's own key (${type} ${fp}) and add it to known_hosts`,
        { node },
      );
    else if (verdict.status === 'unknown')
      a.verdict = new ClawError(
        'HOSTKEY_UNKNOWN',
        `host key of ${where} is not in known_hosts (${type} ${fp}); verify it, then rerun with --trust-new-host-keys to record it`,
        { node },
      );
    else if (verdict.status === 'changed')
      a.verdict = new ClawError(
        'HOSTKEY_CHANGED',
        `HOST KEY OF ${where} HAS CHANGED (now ${type} ${fp}); possible man-in-the-middle: fix known_hosts by hand if the change is expected`,
        { node },
      );
    else a.verdict = new ClawError('HOSTKEY_REVOKED', `host key of ${where} (${type} ${fp}) is marked @revoked in known_hosts`, { node });
    return false;
  };
}

export interface Auth {
  list: ssh2.AuthMethod[];
  /** What is tried, for the refusal message. */
  methods: string[];
  loaded: LoadedKeys;
}

/** ssh-agent, then the identity files; a clear error when there is nothing to log in with. */
export function authFor(node: string, params: ResolvedSshParams): Auth {
  const loaded = loadIdentities(node, params);
  const list: ssh2.AuthMethod[] = [];
  const methods: string[] = [];
  if (params.agent) {
    list.push({ type: 'agent', username: params.user, agent: params.agent } as ssh2.AgentAuthMethod);
    methods.push('ssh-agent');
  }
  for (const k of loaded.keys) {
    list.push({ type: 'publickey', username: params.user, key: k.data } as ssh2.PublicKeyAuthMethod);
    methods.push(k.path);
  }
  if (list.length === 0) {
    if (loaded.encrypted.length > 0) throw new ClawError('KEY_ENCRYPTED', `identity file ${loaded.encrypted[0]} is encrypted: load it into ssh-agent (ssh-add)`, { node });
    throw new ClawError('AUTH_FAILED', `no ssh-agent and no identity file to log in to ${endpoint(params)} with`, { node });
  }
  return { list, methods, loaded };
}

/** ssh2 connect options for `p`: strict host key check, our auth, TCP or `sock` (a tunnel), keepalives. */
export function loginConfig(p: ResolvedSshParams, knownText: string, auth: Auth, hostVerifier: (key: Buffer) => boolean, sock?: NodeJS.ReadWriteStream): ssh2.ConnectConfig {
  return {
    host: p.hostName,
    port: p.port,
    username: p.user,
    readyTimeout: p.connectTimeoutMs,
    hostVerifier,
    authHandler: auth.list,
    algorithms: { serverHostKey: hostKeyAlgorithms(knownKeyTypes(knownText, p.knownHostsHost, p.knownHostsPort)) as ssh2.ServerHostKeyAlgorithm[] },
    keepaliveInterval: 15_000,
    keepaliveCountMax: 4,
    ...(sock ? { sock: sock as unknown as ssh2.ConnectConfig['sock'] } : {}),
  };
}
