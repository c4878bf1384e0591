import type { CheckResult } from '../domain/check.js';
import { rowDrifts } from '../domain/check.js';

/** What a watch run adds to the check's metrics. */
export interface WatchMetrics {
  lastSuccess?: string;
  events: { kind: string }[];
  credentialEvents: { kind: string }[];
  pendingAlerts: number;
}

const STATES = ['ok', 'drift', 'unknown', 'waived', 'n/a'] as const;

/** Prometheus label values: backslash, quote and newline escaped (node and item names come from files). */
function lv(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

const secs = (iso: string) => (Date.parse(iso) / 1000).toFixed(3);

/** node_exporter textfile collector format: drift per node and item, node status, credentials, last success. */
export function renderPrometheus(r: CheckResult, w?: WatchMetrics): string {
  const out: string[] = [];
  const metric = (name: string, type: string, help: string, lines: string[]) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...lines);
  };
  metric(
    'clawfleet_item_state',
    'gauge',
    'One series per node, baseline item and state; 1 for the item\'s current state (ok, drift, unknown, waived, n/a).',
    r.rows.flatMap((row) => r.items.map((i) => STATES.map((s) => `clawfleet_item_state{node="${lv(row.node)}",item="${lv(i)}",state="${s}"} ${row.cells[i]?.state === s ? 1 : 0}`)).flat()),
  );
  metric('clawfleet_node_drift', 'gauge', '1 when some item of the node drifts (waived drift not counted).', r.rows.map((row) => `clawfleet_node_drift{node="${lv(row.node)}"} ${rowDrifts(row) ? 1 : 0}`));
  metric('clawfleet_node_up', 'gauge', '1 when the node answered and was read.', r.rows.map((row) => `clawfleet_node_up{node="${lv(row.node)}"} ${row.error === undefined ? 1 : 0}`));
  metric(
    'clawfleet_credential_profiles',
    'gauge',
    'Credential profiles the sentinel fingerprinted on the node.',
    r.rows.filter((row) => row.credentials).map((row) => `clawfleet_credential_profiles{node="${lv(row.node)}"} ${row.credentials!.profiles}`),
  );
  metric(
    'clawfleet_credential_files_widened',
    'gauge',
    'Credential files readable by group or others.',
    r.rows.filter((row) => row.credentials).map((row) => `clawfleet_credential_files_widened{node="${lv(row.node)}"} ${row.credentials!.widened.length}`),
  );
  metric(
    'clawfleet_agents_without_credentials',
    'gauge',
    'Agents the inventory lists that have no credential profile on the node.',
    r.rows.filter((row) => row.missingCredentials).map((row) => `clawfleet_agents_without_credentials{node="${lv(row.node)}"} ${row.missingCredentials!.length}`),
  );
  metric('clawfleet_check_timestamp_seconds', 'gauge', 'When this check ran.', [`clawfleet_check_timestamp_seconds ${secs(r.checkedAt)}`]);
  if (w) {
    const kinds = ['added', 'removed', 'replaced', 'shared-key', 'mode-widened', 'unreadable'];
    metric('clawfleet_credential_events', 'gauge', 'Credential events found by the last watch run, by kind.', kinds.map((k) => `clawfleet_credential_events{kind="${k}"} ${w.credentialEvents.filter((e) => e.kind === k).length}`));
    metric('clawfleet_alerts', 'gauge', 'Alerts raised by the last watch run, by kind.', ['drift', 'resolved', 'unknown', 'unreachable', 'reachable', 'credential'].map((k) => `clawfleet_alerts{kind="${k}"} ${w.events.filter((e) => e.kind === k).length}`));
    metric('clawfleet_alerts_pending', 'gauge', 'Alerts kept for the next run because a notifier failed.', [`clawfleet_alerts_pending ${w.pendingAlerts}`]);
    if (w.lastSuccess) metric('clawfleet_last_success_timestamp_seconds', 'gauge', 'Last watch run that checked the fleet and delivered every alert.', [`clawfleet_last_success_timestamp_seconds ${secs(w.lastSuccess)}`]);
  }
  return out.join('\n') + '\n';
}
