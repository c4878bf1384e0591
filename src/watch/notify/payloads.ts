import { redactText } from '../../shared/redact.js';
import type { AlertEvent } from '../state-types.js';

/** What every payload says about the run the events come from. */
export interface AlertMeta {
  /** The inventory file's name (no operator path). */
  fleet: string;
  sentAt: string;
  /** Events that were kept from runs whose notification failed. */
  delayed: number;
}

const ICON: Record<AlertEvent['kind'], string> = { drift: '✗', resolved: '✓', unknown: '?', unreachable: '⚠', reachable: '✓', credential: '🔑' };

export function summaryLine(events: AlertEvent[], meta: AlertMeta): string {
  const count = (k: AlertEvent['kind']) => events.filter((e) => e.kind === k).length;
  const parts = (['drift', 'resolved', 'unknown', 'unreachable', 'reachable', 'credential'] as const).filter((k) => count(k)).map((k) => `${count(k)} ${k}`);
  return `clawfleet ${meta.fleet}: ${parts.join(', ')}${meta.delayed ? ` (${meta.delayed} delayed from an earlier run)` : ''}`;
}

export function eventLine(e: AlertEvent): string {
  return `${ICON[e.kind]} ${e.message}`;
}

/** Generic JSON webhook: the events as data (versioned), plus a one-line summary. Redacted like every output. */
export function genericPayload(events: AlertEvent[], meta: AlertMeta): string {
  return redactText(JSON.stringify({ format: 'clawfleet-alert', version: 1, fleet: meta.fleet, sentAt: meta.sentAt, summary: summaryLine(events, meta), events }));
}

const clip = (s: string, n: number) => (s.length <= n ? s : s.slice(0, n - 20) + '\n… (truncated)');

/** Slack incoming webhook (`text` with mrkdwn; Slack caps a message at 40,000 characters). */
export function slackPayload(events: AlertEvent[], meta: AlertMeta): string {
  const text = `*${summaryLine(events, meta)}*\n${events.map(eventLine).join('\n')}`;
  return redactText(JSON.stringify({ text: clip(text, 39_000) }));
}

/** Discord incoming webhook (`content`, at most 2,000 characters; mentions disabled). */
export function discordPayload(events: AlertEvent[], meta: AlertMeta): string {
  const text = `**${summaryLine(events, meta)}**\n${events.map(eventLine).join('\n')}`;
  return redactText(JSON.stringify({ content: clip(text, 1990), allowed_mentions: { parse: [] } }));
}
