import type { Cell, CheckResult } from '../domain/check.js';
import { globToRe } from '../shared/glob.js';
import { finish } from './build.js';

/** Accepted drift: known, explained, and only until it expires. */
export interface Waiver {
  node: string;
  item: string;
  reason: string;
  /** ISO date (valid through that day, UTC) or date-time. */
  expires: string;
  /** Where it was written, for messages. */
  line?: number;
}

/** The instant a waiver stops covering drift. */
export function expiryOf(w: Waiver): Date {
  return /^\d{4}-\d{2}-\d{2}$/.test(w.expires) ? new Date(Date.parse(w.expires + 'T00:00:00Z') + 86_400_000) : new Date(w.expires);
}

function matches(w: Waiver, node: string, item: string): boolean {
  return globToRe(w.node).test(node) && globToRe(w.item).test(item);
}

/**
 * Turns drift a live waiver covers into `waived` (pure). An expired waiver covers nothing: the drift is loud
 * again and the result says which waiver ended. `?` is never waived: what cannot be judged is not accepted.
 */
export function applyWaivers(r: CheckResult, waivers: Waiver[], now: Date): { result: CheckResult; expired: Waiver[] } {
  const expired = waivers.filter((w) => expiryOf(w) <= now);
  const live = waivers.filter((w) => expiryOf(w) > now);
  const rows = r.rows.map((row) => {
    const cells: Record<string, Cell> = {};
    for (const [item, c] of Object.entries(row.cells)) {
      const w = c.state === 'drift' ? live.find((x) => matches(x, row.node, item)) : undefined;
      cells[item] = w && c.state === 'drift' ? { state: 'waived', what: c.what, reason: w.reason, expires: w.expires } : c;
    }
    return { ...row, cells };
  });
  return { result: finish({ ...r, rows }), expired };
}
