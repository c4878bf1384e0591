export type NodeStatus = 'unchanged' | 'changed' | 'partial' | 'failed' | 'rolled-back' | 'rollback-failed' | 'refused';

/** What happened on one node. `error` lines are one line each and name node and path. */
export interface NodeResult {
  node: string;
  runId: string | null;
  status: NodeStatus;
  /** Actions completed (before any rollback). */
  done: number;
  total: number;
  error?: string;
  rollbackError?: string;
  /** The handler run after a config change, if any. */
  handler?: { command: string; code: number; output: string };
  /** The health gate after the config changed (inventory `health:`): unhealthy means the run was rolled back. */
  health?: HealthResult;
  /** Set when the node's lock could not be released (clawfleet unlock). */
  lockError?: string;
  /** Per-action outcome, in plan order. */
  actions: { id: string; status: 'done' | 'failed' | 'refused' | 'skipped' | 'undone'; error?: string }[];
}

/** What the health gate saw: `ok` within the deadline, else the last attempt's output; after a rollback, the
 * handler ran again on the restored config and `restored` says whether the gateway came back healthy. */
export interface HealthResult {
  command: string;
  ok: boolean;
  attempts: number;
  seconds: number;
  output: string;
  restored?: { handlerCode: number | null; ok: boolean; output: string };
}
