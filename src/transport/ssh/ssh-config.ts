import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir, userInfo } from 'node:os';
import type SSHConfig from 'ssh-config';
import { parseWithIncludes } from './ssh-config-include.js';

/**
 * Connection parameters of one node, from explicit (inventory) values > `~/.ssh/config` > defaults.
 * The config is only parsed: `Match exec` is never run; `Include` is followed (ssh-config-include.ts).
 */

export interface ExplicitSshParams {
  /** Host name or IP to connect to, overriding the config's HostName. */
  hostName?: string;
  port?: number;
  user?: string;
  identityFiles?: string[];
  knownHostsFiles?: string[];
  connectTimeoutMs?: number;
  /** ssh-agent socket; '' disables the agent. */
  agent?: string;
}

export interface IdentityFileRef {
  path: string;
  /** Named by the inventory or the ssh config (a missing or bad one is an error), not a default. */
  explicit: boolean;
}

export interface ResolvedSshParams {
  /** The name the node was looked up by (ssh config `Host` alias). */
  alias: string;
  /** What to connect to (HostName). */
  hostName: string;
  /** Host name used for known_hosts (HostKeyAlias, else hostName). */
  knownHostsHost: string;
  /** Port used for known_hosts lookups (22 — no `[host]:port` form — under a HostKeyAlias, as ssh does). */
  knownHostsPort: number;
  port: number;
  user: string;
  identityFiles: IdentityFileRef[];
  knownHostsFiles: string[];
  /** known_hosts files consulted but never written (GlobalKnownHostsFile). */
  globalKnownHostsFiles: string[];
  connectTimeoutMs: number;
  /** ssh-agent socket, or undefined for none. */
  agent: string | undefined;
  /** How the node is reached: straight, through bastions (ProxyJump), or through a command's stdio (ProxyCommand). */
  proxy: SshProxy;
}

export type SshProxy = { kind: 'direct' } | { kind: 'jump'; hops: string[] } | { kind: 'command'; command: string };

export interface LocalEnv {
  home: string;
  username: string;
  env: Record<string, string | undefined>;
  exists: (path: string) => boolean;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_IDENTITIES = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

export function localEnv(): LocalEnv {
  let username = process.env.USER ?? process.env.LOGNAME ?? '';
  try {
    username = userInfo().username;
  } catch {
    /* no passwd entry */
  }
  return { home: homedir(), username, env: process.env, exists: existsSync };
}

/** `~` / `~/x` → local home; `%d` home, `%u` local user, `%h` host, `%p` port, `%r` remote user, `%%`. */
export function expandLocalPath(p: string, tokens: { home: string; localUser?: string; host?: string; port?: number; user?: string }): string {
  let s = p.replace(/%([%duhpr])/g, (_m, t: string) => {
    switch (t) {
      case '%':
        return '%';
      case 'd':
        return tokens.home;
      case 'u':
        return tokens.localUser ?? '';
      case 'h':
        return tokens.host ?? '';
      case 'p':
        return String(tokens.port ?? 22);
      default:
        return tokens.user ?? '';
    }
  });
  if (s === '~') s = tokens.home;
  else if (s.startsWith('~/')) s = tokens.home + s.slice(1);
  return s;
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function list(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(/\s+/)).filter(Boolean);
}

function positiveInt(v: string | undefined): number | undefined {
  if (v === undefined || !/^\d+$/.test(v)) return undefined;
  const n = Number(v);
  return n > 0 ? n : undefined;
}

/** The last config text parsed (Includes followed): every node of a fleet run resolves against the same. */
let parsed: { text: string; home: string; config: ReturnType<typeof SSHConfig.parse> } | undefined;

/** The computed directives (lower-case keys) of `host` in config text; never runs `Match exec`. */
export function computeSshConfig(configText: string, host: string, home = homedir()): Record<string, string | string[]> {
  if (!configText.trim()) return {};
  if (parsed?.text !== configText || parsed.home !== home) parsed = { text: configText, home, config: parseWithIncludes(configText, { home }) };
  return parsed.config.compute(host, { ignoreCase: true, matchExec: false });
}

export function resolveSshParams(
  alias: string,
  explicit: ExplicitSshParams = {},
  configText = '',
  local: LocalEnv = localEnv(),
): ResolvedSshParams {
  // Like ssh(1), match Host patterns against the lower-cased name.
  const c = computeSshConfig(configText, alias.toLowerCase(), local.home);
  const hostName = explicit.hostName ?? first(c.hostname)?.replace(/%h/g, alias).replace(/%%/g, '%') ?? alias;
  const port = explicit.port ?? positiveInt(first(c.port)) ?? 22;
  const user = explicit.user ?? first(c.user) ?? local.username;
  const tokens = { home: local.home, localUser: local.username, host: hostName, port, user };

  let identityFiles: IdentityFileRef[];
  if (explicit.identityFiles?.length) {
    identityFiles = explicit.identityFiles.map((p) => ({ path: expandLocalPath(p, tokens), explicit: true }));
  } else if (list(c.identityfile).length) {
    identityFiles = (Array.isArray(c.identityfile) ? c.identityfile : [c.identityfile!])
      .filter((p) => p.toLowerCase() !== 'none')
      .map((p) => ({ path: expandLocalPath(p, tokens), explicit: true }));
  } else {
    identityFiles = DEFAULT_IDENTITIES.map((n) => `${local.home}/.ssh/${n}`)
      .filter((p) => local.exists(p))
      .map((p) => ({ path: p, explicit: false }));
  }

  const cfgKnown = list(c.userknownhostsfile);
  const knownHostsFiles = explicit.knownHostsFiles?.length
    ? explicit.knownHostsFiles.map((p) => expandLocalPath(p, tokens))
    : cfgKnown.length
      ? cfgKnown.filter((p) => p.toLowerCase() !== 'none').map((p) => expandLocalPath(p, tokens))
      : [`${local.home}/.ssh/known_hosts`, `${local.home}/.ssh/known_hosts2`];
  const cfgGlobal = list(c.globalknownhostsfile);
  const globalKnownHostsFiles = explicit.knownHostsFiles?.length
    ? []
    : cfgGlobal.length
      ? cfgGlobal.filter((p) => p.toLowerCase() !== 'none').map((p) => expandLocalPath(p, tokens))
      : ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'];

  const timeoutSec = positiveInt(first(c.connecttimeout));
  const connectTimeoutMs = explicit.connectTimeoutMs ?? (timeoutSec ? timeoutSec * 1000 : DEFAULT_CONNECT_TIMEOUT_MS);

  let agent: string | undefined;
  if (explicit.agent !== undefined) agent = explicit.agent || undefined;
  else {
    const ia = first(c.identityagent);
    if (ia === undefined || ia === 'SSH_AUTH_SOCK') agent = local.env.SSH_AUTH_SOCK || undefined;
    else if (ia.toLowerCase() === 'none') agent = undefined;
    else if (ia.startsWith('$')) agent = local.env[ia.slice(1)] || undefined;
    else agent = expandLocalPath(ia, tokens);
  }

  const keyAlias = first(c.hostkeyalias);
  return {
    proxy: proxyOf(c, { alias, host: hostName, port, user, home: local.home }),
    alias,
    hostName,
    knownHostsHost: keyAlias ?? hostName,
    knownHostsPort: keyAlias ? 22 : port,
    port,
    user,
    identityFiles,
    knownHostsFiles,
    globalKnownHostsFiles,
    connectTimeoutMs,
    agent,
  };
}

/**
 * ProxyJump or ProxyCommand, whichever the config gave first (as ssh: the other is then ignored); `none`
 * is direct. ProxyCommand's tokens are expanded: %h host, %p port, %r remote user, %n the name as given, %%.
 */
function proxyOf(c: Record<string, string | string[]>, t: { alias: string; host: string; port: number; user: string; home: string }): SshProxy {
  const keys = Object.keys(c);
  const jump = first(c.proxyjump);
  const command = first(c.proxycommand);
  const jumpFirst = jump !== undefined && (command === undefined || keys.indexOf('proxyjump') < keys.indexOf('proxycommand'));
  if (jumpFirst) {
    if (jump.toLowerCase() === 'none') return { kind: 'direct' };
    return { kind: 'jump', hops: jump.split(',').map((h) => h.trim()).filter(Boolean) };
  }
  if (command === undefined || command.toLowerCase() === 'none') return { kind: 'direct' };
  const expanded = command.replace(/%([%hprn])/g, (_m, k: string) => (k === '%' ? '%' : k === 'h' ? t.host : k === 'p' ? String(t.port) : k === 'r' ? t.user : t.alias));
  return { kind: 'command', command: expanded };
}

/** Text of an ssh config file ('' when it does not exist). Default: `~/.ssh/config`. */
export async function readSshConfigText(path?: string, home = homedir()): Promise<string> {
  const p = path ?? `${home}/.ssh/config`;
  try {
    return await readFile(p, 'utf8');
  } catch {
    return '';
  }
}
