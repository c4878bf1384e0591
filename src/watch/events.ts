import type { Cell, CheckResult, CheckRow, CredentialEvent } from '../domain/check.js';
import type { AlertEvent, RememberedCell, RememberedNode, WatchState } from './state-types.js';

const same = (a: string[] | undefined, b: string[] | undefined) => JSON.stringify(a ?? []) === JSON.stringify(b ?? []);

function remember(c: Cell, prev: RememberedCell | undefined, now: string): RememberedCell {
  const what = c.state === 'drift' || c.state === 'waived' ? c.what : undefined;
  const kept = prev && prev.state === c.state && same(prev.what, what);
  const r: RememberedCell = { state: c.state, since: kept ? prev.since : now };
  if (what) r.what = what;
  return r;
}

function cellEvent(node: string, item: string, c: Cell, p: RememberedCell | undefined, now: string): AlertEvent | null {
  const base = { node, item, at: now, ...(p ? { since: p.since } : {}) };
  if (c.state === 'drift') {
    if (p?.state === 'drift' && same(p.what, c.what)) return null;
    const was = p?.state === 'waived' ? ' (its waiver ended)' : p?.state === 'drift' ? ` (was ${p.what?.join('+')})` : '';
    const detail = c.detail?.length ? `: ${c.detail.slice(0, 3).join('; ')}` : '';
    return { ...base, kind: 'drift', what: c.what, message: `${node} ${item} drifts: ${c.what.join('+')}${was}${detail}` };
  }
  if (c.state === 'ok') {
    if (p?.state === 'drift' || p?.state === 'unknown') return { ...base, kind: 'resolved', message: `${node} ${item} matches the baseline again` };
    return null;
  }
  if (c.state === 'unknown') {
    if (p?.state === 'unknown') return null;
    return { ...base, kind: 'unknown', message: `${node} ${item} cannot be judged: ${c.why}` };
  }
  return null; // waived: accepted drift stays quiet; n/a: nothing to say
}

function rowEvents(row: CheckRow, prev: RememberedNode | undefined, now: string, events: AlertEvent[]): RememberedNode {
  if (row.error !== undefined) {
    if (!prev || prev.reachable) events.push({ kind: 'unreachable', node: row.node, at: now, message: `${row.node} stopped answering: ${row.error}`, ...(prev ? { since: prev.since } : {}) });
    // what it looked like when it last answered is kept, so its return is compared with that
    return { reachable: false, error: row.error, since: prev && !prev.reachable ? prev.since : now, cells: prev?.cells ?? {} };
  }
  if (prev && !prev.reachable) events.push({ kind: 'reachable', node: row.node, at: now, since: prev.since, message: `${row.node} answers again` });
  const cells: Record<string, RememberedCell> = {};
  for (const [item, c] of Object.entries(row.cells)) {
    const p = prev?.cells[item];
    const e = cellEvent(row.node, item, c, p, now);
    if (e) events.push(e);
    cells[item] = remember(c, p, now);
  }
  return { reachable: true, since: prev?.reachable ? prev.since : now, cells };
}

/**
 * What changed since the last run (pure): new drift, drift resolved, items that can no longer be judged,
 * nodes that stopped or started answering, credential events. Known states are never repeated.
 */
export function diffRun(prev: WatchState, result: CheckResult, credentialEvents: CredentialEvent[]): { events: AlertEvent[]; nodes: WatchState['nodes'] } {
  const now = result.checkedAt;
  const events: AlertEvent[] = [];
  const nodes: WatchState['nodes'] = { ...prev.nodes };
  for (const row of result.rows) nodes[row.node] = rowEvents(row, prev.nodes[row.node], now, events);
  for (const c of credentialEvents) events.push({ kind: 'credential', node: c.node, at: now, message: `${c.node}: ${c.message}`, credential: c });
  return { events, nodes };
}
