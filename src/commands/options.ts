import { hostname, userInfo } from 'node:os';
import { Option, type Command } from 'commander';
import { ClawError } from '../domain/errors.js';
import type { SessionOptions } from '../fleet/session.js';

/** What a command's action reports back to `main`: its exit code. */
export interface Io {
  out: NodeJS.WriteStream;
  code: number;
}

/** Options every command that talks to nodes shares (added to each such command). */
export function withCommon(cmd: Command): Command {
  return cmd
    .option('-i, --inventory <FILE>', 'inventory file (default: inventory.yaml)')
    .option('--baselines <DIR>', 'where baselines <name>.yaml live (default: ./plans beside the inventory, then the built-in plans)')
    .option('--plans <DIR>', 'old name of --baselines (still works)')
    .option('-l, --limit <LIST>', "only these nodes/groups: comma-separated names, groups or globs; '!name' excludes; repeatable (-l prod -l '!node04')", collect)
    .option('--parallel <N>', 'nodes worked on at once (default: 8)')
    .option('--connect-timeout <S>', 'SSH connect and handshake timeout in seconds (default: 10)')
    .option('--known-hosts <FILE>', 'known_hosts to check host keys against (default: ~/.ssh/known_hosts, or UserKnownHostsFile from ~/.ssh/config)')
    .option('--ssh-config <FILE>', 'OpenSSH client config to read (default: ~/.ssh/config; Match exec is never run)')
    .option('--trust-new-host-keys', 'accept and record the host key of a node not yet in known_hosts (never a changed key)');
}

function collect(v: string, prev: string[] | undefined): string[] {
  return [...(prev ?? []), v];
}

/** `-f/--format` limited to `formats`, and OpenClaw's `--json` for `-f json`. */
export function withFormat(cmd: Command, formats: readonly string[], what: string): Command {
  return cmd
    .addOption(new Option('-f, --format <F>', what).choices(formats).default('text'))
    .option('--json', 'same as --format json (errors are JSON too)');
}

export type Format = 'text' | 'json' | 'markdown';

export function formatOf(o: { format?: string; json?: boolean }): Format {
  return o.json ? 'json' : ((o.format ?? 'text') as Format);
}

export function positiveInt(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new ClawError('USAGE', `--${name} must be a positive whole number, not "${v}"`);
  return n;
}

/** Commander's parsed common options (camelCase), as a session needs them. */
export interface CommonValues {
  inventory?: string;
  baselines?: string;
  /** `--plans`, the old name of `--baselines`. */
  plans?: string;
  limit?: string[];
  parallel?: string;
  connectTimeout?: string;
  knownHosts?: string;
  sshConfig?: string;
  trustNewHostKeys?: boolean;
}

export function sessionOptions(v: CommonValues): SessionOptions {
  const o: SessionOptions = {
    inventory: v.inventory ?? 'inventory.yaml',
    parallel: positiveInt('parallel', v.parallel, 8),
    trustNewHostKeys: Boolean(v.trustNewHostKeys),
    connectTimeoutMs: positiveInt('connect-timeout', v.connectTimeout, 10) * 1000,
  };
  const baselines = v.baselines ?? v.plans;
  if (baselines !== undefined) o.baselines = baselines;
  if (v.limit?.length) o.limit = v.limit;
  if (v.knownHosts !== undefined) o.knownHostsFiles = [v.knownHosts];
  if (v.sshConfig !== undefined) o.sshConfigPath = v.sshConfig;
  return o;
}

/** "user@host" of whoever runs clawfleet, for journals and locks. */
export function whoAmI(): string {
  // $HOSTNAME is a bash variable, rarely exported: ask the OS, so a lock names the machine that holds it.
  let user = process.env.USER ?? process.env.LOGNAME;
  try {
    user ??= userInfo().username;
  } catch {
    user = 'unknown'; // no passwd entry (some containers)
  }
  return `${user}@${hostname()}`;
}
