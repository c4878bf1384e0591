import { hostname, userInfo } from 'node:os';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ClawError } from '../domain/errors.js';

/** Options shared by every command that talks to nodes. */
export const COMMON = {
  inventory: { type: 'string', short: 'i' },
  plans: { type: 'string' },
  limit: { type: 'string', short: 'l' },
  parallel: { type: 'string', default: '8' },
  'trust-new-host-keys': { type: 'boolean', default: false },
  'connect-timeout': { type: 'string', default: '10' },
  'known-hosts': { type: 'string' },
  'ssh-config': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsConfig['options'];

export const COMMON_HELP = `Options for every command that talks to nodes:
  -i, --inventory FILE      inventory file (default: inventory.yaml)
      --plans DIR           where baselines <name>.yaml live (default: ./plans beside the inventory, then the built-in plans)
  -l, --limit LIST          only these nodes/groups (comma-separated, * globs), like Ansible's --limit
      --parallel N          nodes worked on at once (default: 8)
      --connect-timeout S   SSH connect and handshake timeout in seconds (default: 10)
      --known-hosts FILE    known_hosts to check host keys against (default: ~/.ssh/known_hosts, or
                            UserKnownHostsFile from ~/.ssh/config)
      --ssh-config FILE     OpenSSH client config to read (default: ~/.ssh/config; Match exec is never run)
      --trust-new-host-keys accept and record the host key of a node not yet in known_hosts (never a changed key)
  -h, --help                this help`;

export function parse<O extends ParseArgsConfig['options']>(args: string[], options: O, positionals = false) {
  try {
    return parseArgs({ args, options, allowPositionals: positionals, strict: true });
  } catch (e) {
    throw new ClawError('USAGE', (e as Error).message.split('\n')[0]!);
  }
}

export function positiveInt(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new ClawError('USAGE', `--${name} must be a positive whole number, not "${v}"`);
  return n;
}

export function sessionOptions(v: Record<string, unknown>) {
  const o: import('./session.js').SessionOptions = {
    inventory: typeof v.inventory === 'string' ? v.inventory : 'inventory.yaml',
    parallel: positiveInt('parallel', v.parallel as string, 8),
    trustNewHostKeys: Boolean(v['trust-new-host-keys']),
    connectTimeoutMs: positiveInt('connect-timeout', v['connect-timeout'] as string, 10) * 1000,
  };
  if (typeof v.plans === 'string') o.plans = v.plans;
  if (typeof v.limit === 'string') o.limit = v.limit;
  if (typeof v['known-hosts'] === 'string') o.knownHostsFiles = [v['known-hosts']];
  if (typeof v['ssh-config'] === 'string') o.sshConfigPath = v['ssh-config'];
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
