/** What one path on a node is, as read (never written) by the facts gatherer. */
export type PathFact =
  | { kind: 'missing' }
  | ({ kind: 'dir'; mode: number } & Owned)
  | ({ kind: 'file'; mode: number; size: number; sha256: string } & Owned)
  | { kind: 'symlink'; target: string }
  | ({ kind: 'other'; mode: number; special?: SpecialKind } & Owned);

/** Numeric owner and group of a stat'ed path (absent where a transport or an old fact did not record them). */
export interface Owned {
  uid?: number;
  gid?: number;
}

/** Numeric owner, group and permission bits (0o7777, set-id and sticky bits included) of a path. */
export interface Ownership {
  uid: number;
  gid: number;
  mode: number;
}

/** The user the node's OpenClaw gateway runs as: who must own (and be able to use) what clawfleet writes. */
export interface GatewayUser {
  /** As the inventory's `owner:` names it, or "uid:gid" when taken from the OpenClaw home. */
  name: string;
  uid: number;
  gid: number;
  /** Every group the user is in (its primary gid and its /etc/group memberships). */
  groups: number[];
  source: 'inventory' | 'home';
}

/** What a special file is (FIFOs are moved like files; sockets and devices are refused at plan time). */
export type SpecialKind = 'fifo' | 'socket' | 'char-device' | 'block-device';

/** One entry of a recursive listing, relative to the listed dir ("a", "a/b.jsonl"). */
export interface ManifestEntry {
  rel: string;
  kind: 'dir' | 'file' | 'symlink' | 'other';
  mode: number;
  size?: number;
  sha256?: string;
  target?: string;
  special?: SpecialKind;
  /**
   * A regular file's identity as the node saw it, "dev:ino:ctime" (ctime "sec.frac"): equal stamps mean the
   * same inode not changed since (a write always moves ctime), so its hash may be reused instead of read
   * again (shared/manifest.ts sameByStamps). Absent where a transport cannot tell (SFTP, portable find).
   */
  stamp?: string;
}

/** A recursive listing of a dir, sorted by `rel`. */
export interface Manifest {
  entries: ManifestEntry[];
  /** sha256 over the canonical lines of every entry: equal digests mean identical trees. */
  digest: string;
  /** The node's clock (epoch seconds) when the walk began: stamps this close to it are never reused. */
  at?: number;
}

/** A child of a listed dir. */
export interface DirChild {
  name: string;
  kind: PathFact['kind'];
}

/** One batched read request: a transport answers it in one round trip. All paths are absolute node paths. */
export interface ProbeRequest {
  stat?: string[];
  /** Recursive manifests of these dirs (null in the answer when not a dir). */
  manifest?: string[];
  /** Children of these dirs (null in the answer when not a dir). */
  list?: string[];
  /**
   * Stat-only manifests of these dirs: every entry with its stamp, files not hashed (a file's `sha256` absent).
   * Compared with an earlier hashed manifest by shared/manifest.ts sameByStamps, so big trees are not read again.
   */
  quick?: string[];
  /** Text of these files (null when not a regular file). */
  read?: string[];
  /** Whether the reader's user may create and remove entries in these dirs (answered last, after the rest). */
  access?: string[];
}

export interface ProbeResult {
  stat: Record<string, PathFact>;
  manifest: Record<string, Manifest | null>;
  list: Record<string, DirChild[] | null>;
  read: Record<string, string | null>;
  /** Only when asked: the stat-only manifests (null when not a dir). */
  quick?: Record<string, Manifest | null>;
  /** Only when asked: true/false for an existing path (false when not a dir), absent when there is nothing. */
  access?: Record<string, boolean>;
}

/** The node's `openclaw` program: where it is, and its version when `--version` answered one. */
export interface OpenclawBinary {
  path: string;
  version: string | null;
}

/**
 * A file in an agent dir that holds (or may hold) model credentials, as the facts found it.
 * `profiles` is how many auth profiles it lists (never their keys); null when it could not be read, which
 * the planner treats as holding credentials.
 */
export interface CredentialHolding {
  /** Relative to the agent dir: "agent/auth-profiles.json", "agent/openclaw-agent.sqlite". */
  file: string;
  kind: 'auth-profiles-json' | 'agent-db' | 'protected-file';
  profiles: number | null;
  /** Why it could not be read (too large, not SQLite…). */
  unreadable?: string;
}

/**
 * One `$include` directive of openclaw.json as read on the node: where it sits (dotted key path, "" at the
 * root), the files it names (absolute), and the merged value they define; value null with a `problem` when
 * they could not be read within OpenClaw's confinement (outside the config dir, a symlink, missing, invalid).
 * Values stay in memory for the planner; plans only ever carry key paths.
 */
export interface IncludeFact {
  at: string;
  files: string[];
  value: unknown;
  problem?: string;
}

/** Everything the planner knows about one node. Gathered read-only; plain data. */
export interface NodeFacts {
  node: string;
  /** Absolute node paths resolved from the inventory. */
  openclawHome: string;
  dataRoot: string;
  paths: Record<string, PathFact>;
  manifests: Record<string, Manifest | null>;
  /** Names under `<openclawHome>/agents` (null when that dir is missing). */
  agentDirs: DirChild[] | null;
  config: { path: string; fact: PathFact; text: string | null; includes?: IncludeFact[] };
  /** Version OpenClaw recorded in the config (`meta.lastTouchedVersion`), or from `openclaw --version`. */
  openclawVersion: { version: string; source: 'binary' | 'config' } | null;
  /** The openclaw program on the node, null when there is none (a bare node, or a sandbox dir without programs). */
  openclawBinary: OpenclawBinary | null;
  /** The longest path (bytes) the node can name, when below Linux's 4095 (a local dir's root takes its share). */
  pathMax?: number;
  /** Names in `agents/<id>/agent/` of each agent the inventory lists (null when that dir is missing). */
  agentFiles: Record<string, string[] | null>;
  /**
   * The gateway's user (inventory `owner:`, else the owner of the OpenClaw home); null when it could not be
   * found (then `gatewayProblem` says why, when the inventory named one).
   */
  gateway?: GatewayUser | null;
  gatewayProblem?: string;
  /** A bootstrapped node's account names and ids (facts/accounts.ts): what a new gateway user's id is chosen from. */
  accounts?: Accounts;
  /** Dirs the login may (true) or may not (false) write into, for the dirs an apply may write; empty for root. */
  writable?: Record<string, boolean>;
  /**
   * Credential stores found in agent dirs the inventory does not list (and in `main`, whose agent DB is the
   * legacy shared store): agent id → what holds credentials there (empty: nothing does).
   */
  agentCredentials: Record<string, CredentialHolding[]>;
  /** Only for a node the inventory bootstraps: what its install, runtime and service look like. */
  bootstrap?: BootstrapFacts;
}

/** Names and ids taken in /etc/passwd and /etc/group, and the system id ranges (/etc/login.defs, else 100–999). */
export interface Accounts {
  users: string[];
  groups: string[];
  uids: number[];
  gids: number[];
  sysUid: { min: number; max: number };
  sysGid: { min: number; max: number };
}

/** What a bootstrap needs to know about a node (transport/bootstrap-probe.ts: one read-only command). */
export interface BootstrapFacts {
  /** The Node.js runtime a push install put under the prefix (`<prefix>/node-24/bin/node --version`), or null. */
  pushedRuntime: string | null;
  /** `node --version` of the node's own Node.js on the PATH, or null. */
  systemNode: string | null;
  /** Whether npm is on the PATH (a registry install needs it). */
  npm: boolean;
  /** Whether the node runs systemd (`/run/systemd/system` exists): then the gateway gets a unit. */
  systemd: boolean;
  /** Versions installed under the prefix (`<prefix>/<version>/node_modules/openclaw/package.json`). */
  installed: string[];
  /** The systemd unit clawfleet writes, as found: its sha256, or null when missing. */
  unitSha256: string | null;
  /** Whether the gateway answered its health command when the facts were gathered (null: not asked, nothing installed). */
  healthy: boolean | null;
  /**
   * Whether the gateway's existing user may make and write its OpenClaw home (`runuser -u USER -- test -w -a -x`
   * on the home, or its nearest existing parent when it is not there yet); absent: not asked or not answerable
   * (no such user yet, no runuser).
   */
  ownerCanWrite?: boolean;
  /** KiB free on the filesystem that holds the prefix (its nearest existing ancestor; `df -Pk`); absent: unknown. */
  freeKiB?: number;
  /** push: what the operator-side cache holds (the runtime, the pinned release); absent for registry. */
  pushSource?: { runtime: boolean; openclaw: boolean };
}
