import type { CellState, CredentialEvent } from '../domain/check.js';
import type { NodeCredentials } from '../sentinel/diff.js';

/** One alert: a change since the last run (never a repeat of a known state). */
export interface AlertEvent {
  kind: 'drift' | 'resolved' | 'unknown' | 'unreachable' | 'reachable' | 'credential';
  node: string;
  item?: string;
  what?: string[];
  message: string;
  /** When this run saw it. */
  at: string;
  /** When the previous state began (for resolved: how long it drifted). */
  since?: string;
  credential?: CredentialEvent;
}

export interface RememberedCell {
  state: CellState;
  what?: string[];
  since: string;
}

export interface RememberedNode {
  reachable: boolean;
  error?: string;
  since: string;
  cells: Record<string, RememberedCell>;
}

export interface PendingBatch {
  notifier: string;
  events: AlertEvent[];
  attempts: number;
  lastError: string;
  lastTried: string;
}

export interface RunRecord {
  at: string;
  nodes: number;
  drift: number;
  unknown: number;
  events: number;
  delivered: boolean;
}

/** The operator-side memory of `clawfleet watch` (JSON, 0600): last result, fingerprints, undelivered alerts. */
export interface WatchState {
  format: 'clawfleet-watch-state';
  version: 1;
  inventory: string;
  lastRun?: string;
  lastSuccess?: string;
  nodes: Record<string, RememberedNode>;
  credentials: Record<string, NodeCredentials>;
  outbox: PendingBatch[];
  runs: RunRecord[];
}

export function emptyState(inventory: string): WatchState {
  return { format: 'clawfleet-watch-state', version: 1, inventory, nodes: {}, credentials: {}, outbox: [], runs: [] };
}
