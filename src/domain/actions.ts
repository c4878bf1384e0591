import { InternalError } from './errors.js';
import type { Ownership, PathFact } from './facts.js';

/**
 * The fact an action was planned against. The executor re-reads the path immediately before acting and
 * refuses the action when it no longer matches.
 */
export type Expect =
  | { kind: 'missing' }
  | { kind: 'dir'; digest?: string }
  | { kind: 'file'; sha256: string }
  | { kind: 'symlink'; target: string };

interface ActionBase {
  /** Stable id within a node's plan, e.g. "link:~/.openclaw/memory". */
  id: string;
  /** Absolute node path the action changes. */
  path: string;
  expect: Expect;
  /** Why, for humans. Never drives apply. */
  reason: string;
  /** Baseline items (drift-matrix columns, e.g. "memory", "orphans") this action brings in line. */
  items: string[];
}

/** Create a missing dir (with missing parents, each recorded for rollback). */
export interface EnsureDirAction extends ActionBase {
  type: 'ensure-dir';
  mode: number;
  /** Owner and group the new dir gets (the gateway's, or those of the dir it stands in for); absent: the login's. */
  owner?: { uid: number; gid: number };
}

/**
 * Give an existing dir or file the owner, group and mode the gateway needs (a data dir it cannot write, a
 * config it cannot read, a link target that must carry its dir's mode). `from` is what the facts found: the
 * executor refuses the action when the path no longer has it, and rollback puts it back exactly.
 */
export interface SetOwnerAction extends ActionBase {
  type: 'set-owner';
  from: Ownership;
  to: Ownership;
}

/** Make `path` a symlink to `target`; a real dir there has its entries copied into `target` first. */
export interface LinkAction extends ActionBase {
  type: 'link';
  target: string;
  /** Top-level entries of the dir at `path` that do not exist yet in `target` and are copied there. */
  copy: string[];
  /** Top-level entries already present in `target` with identical content: nothing to copy. */
  same: string[];
  /** Owner and group the new link itself gets (the gateway's; set without following it); absent: the login's. */
  owner?: { uid: number; gid: number };
}

/** A config section and the default value whose absent keys are added. */
export interface SectionValue {
  path: string[];
  value: Record<string, unknown>;
  /**
   * What the node's `$include`d files define under this section, per directive location (dotted key path,
   * "" = root): key paths only, never values. Locations not listed are unresolved: treated as present.
   */
  included?: { at: string; keys: string[] }[];
  /** Replace the section's `key` when the file holds one of `from` there (OpenClaw's own default), see config/merge.ts. */
  replace?: { key: string; from: string[] };
}

/**
 * Add absent config sections/keys. The new text is recomputed at apply time by the same pure merge from
 * the file whose sha256 is `expect`ed, so it is byte-identical to what was planned, and no copy of the file
 * (which may hold secrets) is kept in the plan. `diff` is the redacted unified diff shown for review.
 */
export interface MergeConfigAction extends ActionBase {
  type: 'merge-config';
  sections: SectionValue[];
  /** sha256 of the text the merge produces; the executor checks it before writing. */
  afterSha256: string;
  diff: string;
  /** Dotted key paths added, e.g. "tools.media.concurrency". */
  added: string[];
  mode: number;
  /** Owner and group the written file gets (the file's own, or the gateway's); absent: the login's. */
  owner?: { uid: number; gid: number };
  /** Owner, group and mode of the file planned against (rollback restores them). */
  before?: Ownership;
}

/** Move an agent dir the inventory does not list into the node's quarantine (never deleted). */
export interface QuarantineAction extends ActionBase {
  type: 'quarantine';
  agentId: string;
  holdsCredentials: boolean;
}

/**
 * A link an earlier baseline made becomes a real dir again (the transition to a baseline that places the data
 * by other means): the target's entries are copied into a new dir at `path`, then moved out of the data root
 * into the run's attic (never deleted). `expect` is the link.
 */
export interface UnlinkAction extends ActionBase {
  type: 'unlink';
  target: string;
}

/**
 * Move an agent's `agent/` dir (its SQLite family, models, auth state) whole to `target` under the data root,
 * where the config's `agents.entries.<id>.agentDir` points OpenClaw: its entries are copied (cp -a), verified,
 * and the original dir is moved into the run's attic. No link is left. Needs the gateway stopped.
 */
export interface RelocateAction extends ActionBase {
  type: 'relocate';
  agentId: string;
  target: string;
  /** Top-level entries copied into `target` (all of them: the target must hold none but `same`). */
  copy: string[];
  same: string[];
}

/**
 * One step of bringing a bare node to a running gateway (inventory `bootstrap:`, planner/rule-bootstrap.ts).
 * Every field of `boot` is derived from the inventory and baseline (plan-file/check-node.ts recomputes it), so a
 * saved plan cannot smuggle a command in. Installs are `irreversible`: a rollback leaves them and says so.
 */
export interface BootstrapAction extends ActionBase {
  type: 'bootstrap';
  boot: BootstrapOp;
  irreversible: boolean;
}

export type BootstrapOp =
  /**
   * The inventory's `owner` made a system user with its own group, both with the id `id` the planner chose from
   * the node's account files (planner/system-id.ts), and a home `home`. Never undone.
   */
  | { op: 'create-user'; user: string; id: number; home: string }
  /** The Node.js runtime copied from the operator's cache into `path` (push only). */
  | { op: 'install-runtime'; from: string; runtime: string }
  /** openclaw@version into `path` (npm on the node, or copied from the operator's cache), and the `openclaw` wrapper. */
  | { op: 'install-openclaw'; source: 'registry' | 'push'; version: string; from?: string; node: string; wrapper: string }
  /** OpenClaw's own non-interactive setup (`openclaw onboard`), no credentials, no daemon; as `runAs` (the gateway's user) when set. */
  | { op: 'openclaw-setup'; workspace: string; runAs?: string }
  /** OpenClaw's `agents add <id>` (no credentials: the operator adds them); `config`: the baseline's config file, backed up first. */
  | { op: 'add-agent'; agentId: string; workspace: string; config: string; runAs?: string }
  /** The systemd unit that runs `openclaw gateway run`. */
  | { op: 'install-service'; unit: string }
  /** Start (or restart) the gateway: `systemctl enable --now` the unit, or the inventory's start command; then its health check; `config`: the file named in OPENCLAW_CONFIG_PATH. */
  | { op: 'start-service'; systemd: boolean; command?: string; config: string; runAs?: string; port: number; readonly: boolean; health: { command?: string; deadlineS: number; intervalS: number } };

export type Action = EnsureDirAction | LinkAction | MergeConfigAction | QuarantineAction | SetOwnerAction | UnlinkAction | RelocateAction | BootstrapAction;
export type ActionType = Action['type'];

export function expectFromFact(fact: PathFact, digest?: string): Expect {
  switch (fact.kind) {
    case 'missing':
      return { kind: 'missing' };
    case 'dir':
      return digest === undefined ? { kind: 'dir' } : { kind: 'dir', digest };
    case 'file':
      return { kind: 'file', sha256: fact.sha256 };
    case 'symlink':
      return { kind: 'symlink', target: fact.target };
    case 'other':
      throw new InternalError('cannot expect a special file');
  }
}
