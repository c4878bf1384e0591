import { redactText } from '../../shared/redact.js';
import type { AlertEvent, PendingBatch } from '../state-types.js';
import { SendError, type Notifier } from './notifiers.js';
import type { AlertMeta } from './payloads.js';

export interface RetryPolicy {
  attempts: number;
  /** First delay; each retry doubles it (with jitter), capped at maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 1000, maxDelayMs: 30_000 };

/** A notifier's outbox never grows without bound: past this, the oldest events give way to one note. */
export const MAX_PENDING_EVENTS = 2000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function withRetries(n: Notifier, events: AlertEvent[], meta: AlertMeta, p: RetryPolicy): Promise<string | null> {
  let last = '';
  for (let i = 0; i < p.attempts; i++) {
    try {
      await n.send(events, meta);
      return null;
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
      if (e instanceof SendError && !e.retryable) break;
      if (i + 1 < p.attempts) {
        const backoff = Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** i) * (0.75 + Math.random() * 0.5);
        await sleep(Math.min(p.maxDelayMs, (e instanceof SendError && e.retryAfterMs) || backoff));
      }
    }
  }
  return redactText(last);
}

export interface Delivery {
  notifier: string;
  label: string;
  events: number;
  ok: boolean;
  error?: string;
}

/**
 * Sends each notifier the alerts it still owes (kept from failed runs, oldest first) plus this run's, as one
 * message. What fails stays in the outbox for the next run: a notification is never lost.
 */
export async function deliverAll(notifiers: Notifier[], events: AlertEvent[], outbox: PendingBatch[], meta: Omit<AlertMeta, 'delayed'>, policy: RetryPolicy): Promise<{ outbox: PendingBatch[]; deliveries: Delivery[] }> {
  const next: PendingBatch[] = [];
  const deliveries: Delivery[] = [];
  const known = new Set(notifiers.map((n) => n.id));
  // a notifier no longer configured keeps its pending alerts (it may come back)
  next.push(...outbox.filter((b) => !known.has(b.notifier)));
  await Promise.all(
    notifiers.map(async (n) => {
      const pending = outbox.find((b) => b.notifier === n.id);
      let batch = [...(pending?.events ?? []), ...events];
      if (batch.length > MAX_PENDING_EVENTS) {
        const dropped = batch.length - MAX_PENDING_EVENTS + 1;
        batch = [{ kind: 'unknown', node: '(watch)', at: meta.sentAt, message: `${dropped} older alerts could not be delivered and were dropped from the outbox` }, ...batch.slice(dropped)];
      }
      if (!batch.length) return;
      const error = await withRetries(n, batch, { ...meta, delayed: pending?.events.length ?? 0 }, policy);
      deliveries.push(error === null ? { notifier: n.id, label: n.label, events: batch.length, ok: true } : { notifier: n.id, label: n.label, events: batch.length, ok: false, error });
      if (error !== null) next.push({ notifier: n.id, events: batch, attempts: (pending?.attempts ?? 0) + 1, lastError: error, lastTried: meta.sentAt });
    }),
  );
  return { outbox: next, deliveries };
}
