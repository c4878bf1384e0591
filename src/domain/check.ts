/**
 * The result of a drift check: every baseline item on every node is judged ✓, ✗ (with what drifts) or ?
 * (with why it cannot be judged). Never ✓ only because no action was planned.
 */
export type Cell =
  | { state: 'ok' }
  | { state: 'drift'; what: string[]; detail?: string[] }
  | { state: 'unknown'; why: string }
  /** Accepted drift: a waiver (reason, expiry) covers it. */
  | { state: 'waived'; what: string[]; reason: string; expires: string }
  /** The item does not apply to this node (e.g. an OpenClaw check its version lacks). */
  | { state: 'n/a'; why: string };

export type CellState = Cell['state'];

/** A credential finding of the sentinel: never key material, only keyed fingerprints' short ids. */
export interface CredentialEvent {
  kind: 'added' | 'removed' | 'replaced' | 'shared-key' | 'mode-widened' | 'unreadable';
  node: string;
  agents: string[];
  profile?: string;
  file?: string;
  /** Short id of the new key's keyed fingerprint (HMAC with the fleet secret), for correlating. */
  fingerprint?: string;
  mode?: string;
  firstSeen: string;
  message: string;
}

export interface CredentialStatus {
  /** Profiles fingerprinted on the node (all agents, all sources). */
  profiles: number;
  agents: number;
  sources: string[];
  /** Files whose mode lets group or others read them. */
  widened: string[];
  /** Why some credentials could not be read (e.g. a SQLite store without a reader). */
  notes: string[];
}

/** An agent the inventory lists that has no credential profile on the node, and where OpenClaw keeps them. */
export interface MissingCredentials {
  agent: string;
  /** The agent's `agent/` dir on the node (a path, never its content). */
  store: string;
}

export interface CheckRow {
  node: string;
  cells: Record<string, Cell>;
  /** Set when the node could not be reached or read at all: every cell is `?`. */
  error?: string;
  /** Plan errors that would make apply refuse this node (the cells still say what drifts). */
  notes: string[];
  openclawVersion?: string;
  credentials?: CredentialStatus;
  /** Listed agents without credentials (present when the credentials were scanned): a note, not drift. */
  missingCredentials?: MissingCredentials[];
}

export interface CheckResult {
  format: 'clawfleet-check';
  version: 2;
  checkedAt: string;
  items: string[];
  rows: CheckRow[];
  /** Some cell drifts (waived drift does not count). */
  drift: boolean;
  /** Some node could not be checked, or some cell could not be judged. */
  errors: boolean;
  credentialEvents: CredentialEvent[];
}

export function rowDrifts(r: CheckRow): boolean {
  return Object.values(r.cells).some((c) => c.state === 'drift');
}

/** Not fully judged: unreachable, an item that cannot be judged, or a node apply would refuse (its plan has errors). */
export function rowUnknown(r: CheckRow): boolean {
  return r.error !== undefined || r.notes.length > 0 || Object.values(r.cells).some((c) => c.state === 'unknown');
}
