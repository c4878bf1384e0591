/** One node as the inventory resolves it (defaults < groups < node). Plain data. */
export interface NodeSpec {
  name: string;
  transport: 'ssh' | 'local';
  host: string;
  port?: number;
  user?: string;
  identity?: string;
  /** SSH: run whatever needs root through `sudo -n` (a non-root login with passwordless sudo). */
  become?: 'sudo';
  /** The gateway's user, `user` or `user:group` (names or numeric ids); default: the owner of the OpenClaw home. */
  owner?: string;
  /** local transport: absolute host dir standing in for the node's `/`. */
  root?: string;
  home?: string;
  /** As written: absolute or `~/…` (resolved against the node's home at facts time). */
  dataRoot: string;
  openclawHome: string;
  baseline: string;
  agents: string[];
  keepAgents: string[];
  /** Unlisted agent dirs holding credentials (or with a reserved id) that may be quarantined anyway. */
  quarantineAgents?: string[];
  handler?: string;
  /** Health gate after a config change (inventory `health:`); absent: none. */
  health?: HealthSpec;
  overrides: Record<string, Record<string, unknown>>;
  groups: string[];
}

export interface Inventory {
  file: string;
  sha256: string;
  nodes: NodeSpec[];
  groups: Record<string, string[]>;
}

/** How the health gate checks a node: `command` (a shell command, exit 0 = healthy), else the node's own
 * `openclaw health --json`; tried every `intervalS` until healthy or `deadlineS` has passed. */
export interface HealthSpec {
  command?: string;
  deadlineS: number;
  intervalS: number;
}
