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
  /** Inventory `bootstrap:`: how a node without the baseline's OpenClaw gets it. Absent: never installed. */
  bootstrap?: BootstrapSpec;
}

/** How a bare node is brought to a running gateway (inventory `bootstrap:`). */
export interface BootstrapSpec {
  source: 'registry' | 'push';
  /** push: the operator-side offline cache dir (absolute). */
  cache?: string;
  /** Node-side install dir. */
  prefix: string;
  /** The gateway's start command where the node has no systemd. */
  start?: string;
  port: number;
  readonly: boolean;
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
  /** For the node's own `openclaw health`: the gateway's home and config, and its user when not root (set by apply from the layout). */
  gateway?: GatewayAt;
}

/** Where the node's gateway keeps its state, and the user OpenClaw's CLI runs as for it (none: the login user). */
export interface GatewayAt {
  home: string;
  config: string;
  runAs?: string;
  /** The port a bootstrap starts the gateway on (OPENCLAW_GATEWAY_PORT, over the config's): the health query asks it there. */
  port?: number;
}
