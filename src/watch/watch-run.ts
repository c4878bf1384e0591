import { basename } from 'node:path';
import type { Waiver } from '../check/waivers.js';
import type { CheckResult, CredentialEvent } from '../domain/check.js';
import { rowDrifts, rowUnknown } from '../domain/check.js';
import { openSession, type SessionOptions } from '../fleet/session.js';
import { diffCredentials } from '../sentinel/diff.js';
import { diffRun } from './events.js';
import { deliverAll, type Delivery, type RetryPolicy } from './notify/deliver.js';
import type { Notifier } from './notify/notifiers.js';
import { runCheck } from './run-check.js';
import type { JournalRun } from '../render/html-report.js';
import { loadState, lockState, saveState } from './state-file.js';
import type { AlertEvent, WatchState } from './state-types.js';

export interface WatchOptions {
  session: SessionOptions;
  stateFile: string;
  waivers: () => Promise<Waiver[]>;
  notifiers: Notifier[];
  retry: RetryPolicy;
  fleetSecret: Buffer;
  openclawChecks: boolean;
  /** Listed agents without credentials are a `credentials` item (drift, alerted on change) instead of a note. */
  requireCredentials?: boolean;
  journals?: boolean;
  now?: () => Date;
}

export interface WatchRun {
  result: CheckResult;
  events: AlertEvent[];
  deliveries: Delivery[];
  state: WatchState;
  expired: Waiver[];
  journals?: Map<string, JournalRun[] | string>;
}

const MAX_RUNS = 50;

/** When each fingerprint was first seen anywhere in the fleet (from the remembered state). */
function seenIndex(s: WatchState): Map<string, string> {
  const m = new Map<string, string>();
  for (const node of Object.values(s.credentials)) {
    for (const p of Object.values(node.profiles)) if (!m.has(p.fp) || m.get(p.fp)! > p.firstSeen) m.set(p.fp, p.firstSeen);
  }
  return m;
}

/** One watch run: check, compare with the last run, notify on change (with what earlier runs failed to send), remember. */
export async function watchOnce(o: WatchOptions): Promise<WatchRun> {
  const unlock = await lockState(o.stateFile);
  try {
    const prev = await loadState(o.stateFile, o.session.inventory);
    const waivers = await o.waivers();
    const session = await openSession(o.session);
    let checked;
    try {
      checked = await runCheck(session, { waivers, now: (o.now ?? (() => new Date()))(), openclawChecks: o.openclawChecks, fleetSecret: o.fleetSecret, parallel: o.session.parallel, journals: o.journals ?? false, requireCredentials: o.requireCredentials === true });
    } finally {
      await session.close();
    }
    const { result, scans, expired, journals } = checked;
    const now = result.checkedAt;
    const seen = seenIndex(prev);
    const credentials = { ...prev.credentials };
    const credEvents: CredentialEvent[] = [];
    for (const [node, scan] of scans) {
      const d = diffCredentials(node, prev.credentials[node], scan, now, seen);
      credEvents.push(...d.events);
      credentials[node] = d.next;
    }
    const withCreds: CheckResult = { ...result, credentialEvents: credEvents };
    const { events, nodes } = diffRun(prev, withCreds, credEvents);
    const { outbox, deliveries } = await deliverAll(o.notifiers, events, prev.outbox, { fleet: basename(o.session.inventory), sentAt: now }, o.retry);
    const delivered = deliveries.every((d) => d.ok);
    const state: WatchState = {
      ...prev,
      lastRun: now,
      ...(delivered ? { lastSuccess: now } : {}),
      nodes,
      credentials,
      outbox,
      runs: [...prev.runs, { at: now, nodes: result.rows.length, drift: result.rows.filter(rowDrifts).length, unknown: result.rows.filter(rowUnknown).length, events: events.length, delivered }].slice(-MAX_RUNS),
    };
    await saveState(o.stateFile, state);
    return { result: withCreds, events, deliveries, state, expired, ...(journals ? { journals } : {}) };
  } finally {
    await unlock();
  }
}
